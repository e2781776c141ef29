//! GuardDuty collector against moto: detectors per region.

use guardline_model::inventory::detection::Detector;

use crate::harness::Account;

#[tokio::test]
async fn detector_in_one_region_only() {
    let account = Account::new().await;
    let virginia = aws_sdk_guardduty::Client::new(&account.in_region("us-east-1"));
    let created = virginia.create_detector().enable(true).send().await.unwrap();
    let detector_id = created.detector_id().unwrap();

    let output = account.collect(&["ap-northeast-1", "us-east-1"]).await;
    let regions = &output.snapshot.regions;
    assert_eq!(regions["ap-northeast-1"].guardduty_detectors.get().unwrap(), &vec![]);
    assert_eq!(
        regions["us-east-1"].guardduty_detectors.get().unwrap(),
        &vec![Detector { id: detector_id.to_owned(), status: "ENABLED".into() }]
    );
    assert_eq!(output.calls["guardduty:GetDetector"], 1);
}

/// Findings seeded into the test extension (`tests/moto/extensions.py`; moto has no GuardDuty findings) are
/// listed with `findingCriteria` applied and read back by the Rust SDK.
#[tokio::test]
async fn seeded_findings_are_listed_and_read_by_the_sdk() {
    let account = Account::new().await;
    let client = aws_sdk_guardduty::Client::new(&account.config);
    let detector_id =
        client.create_detector().enable(true).send().await.unwrap().detector_id().unwrap().to_owned();
    let finding = |id: &str, severity: f64| {
        serde_json::json!({
            "id": id, "accountId": account.id, "arn": format!("arn:aws:guardduty:ap-northeast-1:{}:detector/{detector_id}/finding/{id}", account.id),
            "region": "ap-northeast-1", "partition": "aws", "schemaVersion": "2.0",
            "type": "Recon:EC2/PortProbeUnprotectedPort", "severity": severity, "title": id,
            "createdAt": "2026-11-01T00:00:00.000Z", "updatedAt": "2026-11-01T00:00:00.000Z",
            "resource": {"resourceType": "Instance"}, "service": {"archived": false, "count": 1},
        })
    };
    let seeded = serde_json::json!({
        "account_id": account.id,
        "region": "ap-northeast-1",
        "findings": [finding("high", 8.0), finding("low", 2.0)],
    });
    guardline_testkit::shared().control(
        "/guardline-test/guardduty/findings",
        "application/json",
        &seeded.to_string(),
    );

    let criterion = aws_sdk_guardduty::types::Condition::builder().greater_than_or_equal(7).build();
    let listed = client
        .list_findings()
        .detector_id(&detector_id)
        .finding_criteria(
            aws_sdk_guardduty::types::FindingCriteria::builder().criterion("severity", criterion).build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(listed.finding_ids(), ["high"]);
    let found = client.get_findings().detector_id(&detector_id).finding_ids("high").send().await.unwrap();
    let high = &found.findings()[0];
    assert_eq!(
        (high.id(), high.severity(), high.r#type()),
        (Some("high"), Some(8.0), Some("Recon:EC2/PortProbeUnprotectedPort"))
    );
}
