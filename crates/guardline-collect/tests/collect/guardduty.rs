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
