//! The Security Hub and Inspector sources against aws-smithy-mocks: what passes each source's filter, and
//! that a failing finding is reported once.

use aws_smithy_mocks::{RuleMode, mock, mock_client};
use guardline_config::watch::SeverityLabel;
use guardline_watch::sources::security_hub::Filter;
use guardline_watch::sources::{Source, inspector, security_hub};

use crate::support::{SLACK, Setup, account};

/// Runs `test` on a thread with a large stack: decoding Security Hub findings needs about 7 MiB in debug
/// builds (see guardline-collect's securityhub collector).
fn with_big_stack(test: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(32 * 1024 * 1024).spawn(test).unwrap().join().unwrap();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn hub_finding(id: &str, compliance: &str, label: &str) -> aws_sdk_securityhub::types::AwsSecurityFinding {
    use aws_sdk_securityhub::types::{
        AwsSecurityFinding, Compliance, ComplianceStatus, RecordState, Severity, SeverityLabel as Label,
    };
    AwsSecurityFinding::builder()
        .id(id)
        .title(format!("Control {id}"))
        .aws_account_id("123456789012")
        .region("ap-northeast-1")
        .record_state(RecordState::Active)
        .compliance(
            Compliance::builder()
                .status(ComplianceStatus::from(compliance))
                .security_control_id(id.rsplit('/').next().unwrap_or(id))
                .build(),
        )
        .severity(Severity::builder().label(Label::from(label)).build())
        .updated_at("2026-11-02T00:00:00Z")
        .build()
}

fn hub_client(findings: Vec<aws_sdk_securityhub::types::AwsSecurityFinding>) -> aws_sdk_securityhub::Client {
    use aws_sdk_securityhub::operation::get_findings::GetFindingsOutput;
    let get = mock!(aws_sdk_securityhub::Client::get_findings)
        .then_output(move || GetFindingsOutput::builder().set_findings(Some(findings.clone())).build());
    mock_client!(aws_sdk_securityhub, RuleMode::MatchAny, [&get], |c| c
        .region(aws_sdk_securityhub::config::Region::new("ap-northeast-1")))
}

#[test]
fn security_hub_reports_failed_findings_at_or_above_the_label() {
    with_big_stack(|| {
        runtime().block_on(async {
            let findings = vec![
                hub_finding("arn:finding/failed-high", "FAILED", "HIGH"),
                hub_finding("arn:finding/failed-low", "FAILED", "LOW"),
                hub_finding("arn:finding/passed-critical", "PASSED", "CRITICAL"),
                hub_finding("arn:finding/IAM.6", "FAILED", "CRITICAL"),
            ];
            // IAM.6 is not adopted by the profile (`security-hub-not-adopted`): not an alert.
            let filter = Filter {
                min_severity: Some(SeverityLabel::Medium),
                not_adopted: ["IAM.6".to_owned()].into(),
                exceptions: Vec::new(),
            };
            let client = hub_client(findings.clone());
            let found =
                security_hub::poll_region(&client, "ap-northeast-1", &filter, &account())
                    .await
                    .unwrap();
            let items: Vec<(&str, bool)> =
                found.iter().map(|candidate| (candidate.item.as_str(), candidate.resolved)).collect();
            // The passing finding is no alert; it is reported as resolved, so that failing again is new.
            assert_eq!(items, [("arn:finding/failed-high", false), ("arn:finding/passed-critical", true)]);
            let event = &found[0].event;
            assert_eq!(event.severity.as_ref().unwrap().label, "HIGH");
            assert_eq!(event.account_alias.as_deref(), Some("acme-prod"));

            // Through the watcher: reported once, however many passes see it failing.
            let setup = Setup::new();
            let config = setup.config(
                "[watch.sources.security-hub]\n[[watch.routes]]\nsources = [\"security-hub\"]\nchannels = [\"slack\"]\n",
            );
            for _ in 0..2 {
                let source =
                    Source::SecurityHub { clients: vec![hub_client(findings.clone())], filter: Filter::default() };
                setup.watcher(&config, vec![source]).run_once().await.unwrap();
            }
            let bodies: Vec<String> = setup.http.accepted(SLACK).iter().map(|request| request.body.clone()).collect();
            assert_eq!(bodies.len(), 3, "every failing finding, once each");
            assert!(!bodies.concat().contains("passed-critical"));
        });
    });
}

#[test]
fn a_security_hub_finding_that_fails_again_after_passing_is_a_new_alert() {
    with_big_stack(|| {
        runtime().block_on(async {
            let setup = Setup::new();
            let config = setup.config(
                "[watch.sources.security-hub]\n[[watch.routes]]\nsources = [\"security-hub\"]\nchannels = [\"slack\"]\n",
            );
            let phases = [("FAILED", 1), ("FAILED", 1), ("PASSED", 1), ("PASSED", 1), ("FAILED", 2), ("FAILED", 2)];
            for (status, alerts) in phases {
                let finding = hub_finding("arn:finding/S3.1", status, "HIGH");
                let source = Source::SecurityHub { clients: vec![hub_client(vec![finding])], filter: Filter::default() };
                setup.watcher(&config, vec![source]).run_once().await.unwrap();
                assert_eq!(setup.http.accepted(SLACK).len(), alerts, "after a pass seeing it {status}");
            }
        });
    });
}

#[test]
fn security_hub_respects_the_configs_exceptions_for_hub_002() {
    with_big_stack(|| {
        runtime().block_on(async {
            use aws_sdk_securityhub::types::Resource;
            let on_bucket = |id: &str, bucket: &str| {
                let mut finding = hub_finding(id, "FAILED", "HIGH");
                finding.resources = Some(vec![
                    Resource::builder().r#type("AwsS3Bucket").id(format!("arn:aws:s3:::{bucket}")).build(),
                ]);
                finding
            };
            let findings = vec![
                on_bucket("arn:finding/S3.8", "acme-public-assets"),
                on_bucket("arn:finding/S3.9", "acme-data"),
            ];
            let config = guardline_config::parse(
                r#"
[[exceptions]]
control = "HUB-002"
resource = "arn:aws:s3:::acme-public-*"
reason = "the static website bucket, risk accepted"
owner = "web@acme.example"
expires = 2027-03-31
"#,
                "guardline.toml",
                &["HUB-002"],
            )
            .unwrap();
            let filter = Filter { exceptions: config.exceptions.clone(), ..Filter::default() };
            let found = security_hub::poll_region(
                &hub_client(findings.clone()),
                "ap-northeast-1",
                &filter,
                &account(),
            )
            .await
            .unwrap();
            let items: Vec<&str> = found
                .iter()
                .filter(|candidate| !candidate.resolved)
                .map(|candidate| candidate.item.as_str())
                .collect();
            assert_eq!(items, ["arn:finding/S3.9"], "the excepted bucket's finding is not an alert");
            // Without the exception, both are alerts.
            let found = security_hub::poll_region(
                &hub_client(findings),
                "ap-northeast-1",
                &Filter::default(),
                &account(),
            )
            .await
            .unwrap();
            assert_eq!(found.len(), 2);
        });
    });
}

#[tokio::test]
async fn inspector_reports_active_findings_at_or_above_the_label() {
    use aws_sdk_inspector2::operation::list_findings::ListFindingsOutput;
    use aws_sdk_inspector2::primitives::DateTime;
    use aws_sdk_inspector2::types::{Finding, FindingStatus, FindingType, Resource, ResourceType, Severity};
    let finding = |arn: &str, severity: Severity| {
        Finding::builder()
            .finding_arn(arn)
            .aws_account_id("123456789012")
            .r#type(FindingType::PackageVulnerability)
            .description(format!("CVE in {arn}"))
            .title(format!("CVE-2026-1 in {arn}"))
            .severity(severity)
            .status(FindingStatus::Active)
            .first_observed_at(DateTime::from_secs(1_762_000_000))
            .last_observed_at(DateTime::from_secs(1_762_000_000))
            .resources(Resource::builder().r#type(ResourceType::AwsEc2Instance).id("i-1").build().unwrap())
            .build()
            .unwrap()
    };
    let findings = vec![finding("arn:critical", Severity::Critical), finding("arn:high", Severity::High)];
    let list = mock!(aws_sdk_inspector2::Client::list_findings)
        .then_output(move || ListFindingsOutput::builder().set_findings(Some(findings.clone())).build());
    let client = mock_client!(aws_sdk_inspector2, RuleMode::MatchAny, [&list], |c| c
        .region(aws_sdk_inspector2::config::Region::new("ap-northeast-1")));
    let found =
        inspector::poll_region(&client, "ap-northeast-1", SeverityLabel::Critical, &account()).await.unwrap();
    let items: Vec<&str> = found.iter().map(|candidate| candidate.item.as_str()).collect();
    assert_eq!(items, ["arn:critical"], "the mock ignores the filter; the source filters again");
    let found =
        inspector::poll_region(&client, "ap-northeast-1", SeverityLabel::High, &account()).await.unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].event.region.as_deref(), Some("ap-northeast-1"));
}
