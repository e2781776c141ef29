//! Security Hub collector: hub, standards and findings on moto (the standards operations come from the test
//! extension in `tests/moto/extensions.py`), and the standards' pagination and error handling against
//! aws-smithy-mocks clients.

use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::operation::describe_hub::DescribeHubOutput;
use aws_sdk_securityhub::operation::get_enabled_standards::GetEnabledStandardsOutput;
use aws_sdk_securityhub::operation::get_findings::GetFindingsOutput;
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, Compliance, ComplianceStatus, RecordState, Resource, Severity, SeverityLabel,
    StandardsStatus, StandardsSubscription, StandardsSubscriptionRequest, Workflow, WorkflowStatus,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use guardline_collect::services::securityhub::collect_with;
use guardline_model::ErrorKind;
use guardline_model::inventory::detection::{EnabledStandard, HubFinding};

use crate::harness::Account;
use crate::mocks::{ACCOUNT, ATTEMPTS, apply, cx, error_body, retries};

const FSBP: &str =
    "arn:aws:securityhub:ap-northeast-1::standards/aws-foundational-security-best-practices/v/1.0.0";

fn finding(
    account: &str,
    id: &str,
    status: ComplianceStatus,
    control: &str,
    bucket: &str,
) -> AwsSecurityFinding {
    AwsSecurityFinding::builder()
        .schema_version("2018-10-08")
        .id(id)
        .product_arn(format!("arn:aws:securityhub:ap-northeast-1:{account}:product/{account}/default"))
        .generator_id(format!("security-control/{control}"))
        .aws_account_id(account)
        .region("ap-northeast-1")
        .types("Software and Configuration Checks/Industry and Regulatory Standards")
        .created_at("2025-01-06T00:00:00.000Z")
        .updated_at("2025-01-06T00:00:00.000Z")
        .severity(Severity::builder().label(SeverityLabel::High).build())
        .title(format!("{control} check"))
        .description("test finding")
        .resources(Resource::builder().r#type("AwsS3Bucket").id(format!("arn:aws:s3:::{bucket}")).build())
        .compliance(Compliance::builder().status(status).security_control_id(control).build())
        .record_state(RecordState::Active)
        .workflow(Workflow::builder().status(WorkflowStatus::New).build())
        .build()
}

#[tokio::test]
async fn enabled_in_one_region_with_failed_findings_only() {
    let account = Account::new().await;
    let hub = Client::new(&account.config);
    hub.enable_security_hub().enable_default_standards(false).send().await.unwrap();
    let enabled = hub
        .batch_enable_standards()
        .standards_subscription_requests(StandardsSubscriptionRequest::builder().standards_arn(FSBP).build())
        .send()
        .await
        .unwrap();
    assert_eq!(enabled.standards_subscriptions().len(), 1);
    let import = hub
        .batch_import_findings()
        .findings(finding(&account.id, "failed-1", ComplianceStatus::Failed, "S3.8", "open-bucket"))
        .findings(finding(&account.id, "passed-1", ComplianceStatus::Passed, "S3.1", "closed-bucket"))
        .send()
        .await
        .unwrap();
    assert_eq!(import.success_count(), Some(2));

    let output = account.collect(&["ap-northeast-1", "us-east-1"]).await;
    let tokyo =
        output.snapshot.regions["ap-northeast-1"].security_hub.get().unwrap().as_ref().expect("enabled");
    assert!(tokyo.hub_arn.starts_with("arn:aws:securityhub:ap-northeast-1:"), "{}", tokyo.hub_arn);
    assert_eq!(
        tokyo.standards.get().unwrap(),
        &vec![EnabledStandard { standards_arn: FSBP.into(), status: "READY".into() }]
    );
    assert_eq!(
        tokyo.failed_findings.get().unwrap(),
        &vec![HubFinding {
            id: "failed-1".into(),
            title: "S3.8 check".into(),
            control_id: Some("S3.8".into()),
            resource_arns: vec!["arn:aws:s3:::open-bucket".into()],
            severity: "HIGH".into(),
            account_id: account.id.clone(),
            region: "ap-northeast-1".into(),
            workflow_status: "NEW".into(),
        }]
    );
    assert!(!tokyo.failed_findings_truncated);
    assert_eq!(
        output.snapshot.regions["us-east-1"].security_hub.get().unwrap(),
        &None,
        "not subscribed is data, not an error"
    );
    assert_eq!(output.snapshot.regions["ap-northeast-1"].security_hub_v2.get(), Ok(&false));
}

/// The new AWS Security Hub: DescribeSecurityHubV2 answers ResourceNotFoundException until it is enabled
/// (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_DescribeSecurityHubV2.html; moto lacks it,
/// the test extension answers it).
#[tokio::test]
async fn the_new_security_hub_is_seen_next_to_cspm() {
    let account = Account::new().await;
    Client::new(&account.config).enable_security_hub_v2().send().await.unwrap();
    let output = account.collect(&["ap-northeast-1", "us-east-1"]).await;
    assert_eq!(output.snapshot.regions["ap-northeast-1"].security_hub_v2.get(), Ok(&true));
    assert_eq!(output.snapshot.regions["us-east-1"].security_hub_v2.get(), Ok(&false));
    assert_eq!(output.snapshot.regions["ap-northeast-1"].security_hub.get(), Ok(&None), "CSPM is still off");
}

#[tokio::test]
async fn default_standards_and_enabling_without_a_hub_on_moto() {
    let account = Account::new().await;
    let tokyo = Client::new(&account.config);
    let error = tokyo
        .batch_enable_standards()
        .standards_subscription_requests(StandardsSubscriptionRequest::builder().standards_arn(FSBP).build())
        .send()
        .await
        .unwrap_err();
    assert!(error.into_service_error().is_invalid_access_exception(), "no hub, no standards (as in AWS)");
    // Without EnableDefaultStandards=false, AWS (and the test extension) subscribe FSBP and CIS 1.2.0.
    tokyo.enable_security_hub().send().await.unwrap();
    let described = tokyo.describe_standards().send().await.unwrap();
    assert!(described.standards().iter().any(|standard| standard.standards_arn() == Some(FSBP)));

    let output = account.collect(&["ap-northeast-1"]).await;
    let hub = output.snapshot.regions["ap-northeast-1"].security_hub.get().unwrap().as_ref().unwrap();
    let arns: Vec<&str> =
        hub.standards.get().unwrap().iter().map(|standard| standard.standards_arn.as_str()).collect();
    assert_eq!(arns, [FSBP, "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"]);
}

/// The new Security Hub not enabled: DescribeSecurityHubV2's ResourceNotFoundException.
fn v2_off() -> aws_smithy_mocks::Rule {
    mock!(Client::describe_security_hub_v2)
        .sequence()
        .http_status(404, error_body("ResourceNotFoundException", "not enabled"))
        .repeatedly()
        .build()
}

fn hub() -> DescribeHubOutput {
    DescribeHubOutput::builder()
        .hub_arn("arn:aws:securityhub:ap-northeast-1:123456789012:hub/default")
        .build()
}

fn findings() -> GetFindingsOutput {
    GetFindingsOutput::builder()
        .findings(finding(ACCOUNT, "failed-1", ComplianceStatus::Failed, "EC2.19", "b"))
        .build()
}

#[tokio::test]
async fn enabled_standards_every_page() {
    let first = mock!(Client::get_enabled_standards)
        .match_requests(|req| req.next_token().is_none())
        .then_output(|| {
            GetEnabledStandardsOutput::builder()
                .standards_subscriptions(
                    StandardsSubscription::builder()
                        .standards_arn(FSBP)
                        .standards_status(StandardsStatus::Ready)
                        .build(),
                )
                .next_token("page-2")
                .build()
        });
    let second = mock!(Client::get_enabled_standards)
        .match_requests(|req| req.next_token() == Some("page-2"))
        .then_output(|| {
            GetEnabledStandardsOutput::builder()
                .standards_subscriptions(
                    StandardsSubscription::builder()
                        .standards_arn("arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0")
                        .standards_status(StandardsStatus::Incomplete)
                        .build(),
                )
                .build()
        });
    let describe = mock!(Client::describe_hub).then_output(hub);
    let get_findings = mock!(Client::get_findings)
        .match_requests(|req| {
            let filters = req.filters().expect("filters are sent");
            filters.compliance_status().iter().any(|f| f.value() == Some("FAILED"))
                && filters.record_state().iter().any(|f| f.value() == Some("ACTIVE"))
                && filters.aws_account_id().iter().any(|f| f.value() == Some(ACCOUNT))
                && filters.region().iter().any(|f| f.value() == Some("ap-northeast-1"))
                && filters.workflow_status().iter().filter_map(|f| f.value()).collect::<Vec<_>>()
                    == ["NEW", "NOTIFIED", "SUPPRESSED"]
        })
        .then_output(findings);
    let client = mock_client!(
        aws_sdk_securityhub,
        RuleMode::MatchAny,
        [&first, &second, &describe, &get_findings, &v2_off()],
        |c| c.retry_config(retries())
    );

    let inventory = apply(collect_with(&cx(), &client, "ap-northeast-1").await);
    let hub = inventory.security_hub.get().unwrap().as_ref().unwrap();
    assert_eq!(
        hub.standards.get().unwrap(),
        &vec![
            EnabledStandard { standards_arn: FSBP.into(), status: "READY".into() },
            EnabledStandard {
                standards_arn: "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0".into(),
                status: "INCOMPLETE".into()
            },
        ]
    );
    assert_eq!(hub.failed_findings.get().unwrap().len(), 1);
}

/// In the aggregation region of a Security Hub administrator account, GetFindings answers the findings of
/// every linked region and every member account the caller administers, each with its own `AwsAccountId` and
/// `Region` (https://docs.aws.amazon.com/securityhub/latest/userguide/finding-aggregation.html,
/// https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindings.html). moto's GetFindings ignores
/// filters, so the answer below is served whatever the request filters on: only the collector's own client-side
/// check keeps the other accounts' and regions' findings out, and SUPPRESSED failures in.
#[tokio::test]
async fn aggregated_findings_of_other_regions_and_accounts_are_left_out_and_suppressed_ones_kept() {
    let account = Account::new().await;
    Client::new(&account.config).enable_security_hub().enable_default_standards(false).send().await.unwrap();
    let asff = |id: &str, account_id: &str, region: &str, workflow: &str, compliance: &str| {
        serde_json::json!({
            "SchemaVersion": "2018-10-08", "Id": id, "GeneratorId": "security-control/S3.8",
            "ProductArn": format!("arn:aws:securityhub:{region}::product/aws/securityhub"),
            "AwsAccountId": account_id, "Region": region,
            "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
            "CreatedAt": "2026-11-01T00:00:00.000Z", "UpdatedAt": "2026-11-27T00:00:00.000Z",
            "Severity": {"Label": "HIGH"}, "Title": format!("{id} title"), "Description": "S3.8",
            "Resources": [{"Type": "AwsS3Bucket", "Id": format!("arn:aws:s3:::{id}")}],
            "Compliance": {"Status": compliance, "SecurityControlId": "S3.8"},
            "RecordState": "ACTIVE", "Workflow": {"Status": workflow}
        })
    };
    let member = "210987654321";
    account.serve(serde_json::json!({
        "service": "securityhub", "operation": "GetFindings", "region": "ap-northeast-1",
        "reference": "https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindings.html",
        "body": {"Findings": [
            asff("own-new", &account.id, "ap-northeast-1", "NEW", "FAILED"),
            asff("own-suppressed", &account.id, "ap-northeast-1", "SUPPRESSED", "FAILED"),
            asff("own-resolved", &account.id, "ap-northeast-1", "RESOLVED", "FAILED"),
            asff("own-passed", &account.id, "ap-northeast-1", "NEW", "PASSED"),
            asff("linked-region", &account.id, "eu-west-1", "NEW", "FAILED"),
            asff("member-account", member, "ap-northeast-1", "NEW", "FAILED"),
        ]}
    }));

    let output = account.collect(&["ap-northeast-1"]).await;
    let hub = output.snapshot.regions["ap-northeast-1"].security_hub.get().unwrap().as_ref().unwrap();
    let kept: Vec<(&str, &str)> = hub
        .failed_findings
        .get()
        .unwrap()
        .iter()
        .map(|finding| (finding.id.as_str(), finding.workflow_status.as_str()))
        .collect();
    assert_eq!(kept, [("own-new", "NEW"), ("own-suppressed", "SUPPRESSED")]);
}

/// More failed findings than the collector reads: the region says so instead of looking complete.
#[tokio::test]
async fn more_failed_findings_than_the_limit_are_marked_truncated() {
    use guardline_collect::services::securityhub::MAX_FAILED_FINDINGS;
    let pages = MAX_FAILED_FINDINGS / 100 + 1;
    let page = |index: usize| {
        mock!(Client::get_findings)
            .match_requests(move |req| {
                req.next_token() == (index > 0).then(|| format!("page-{index}")).as_deref()
            })
            .then_output(move || {
                let mut output = GetFindingsOutput::builder();
                for n in 0..100 {
                    let id = format!("failed-{index}-{n}");
                    output = output.findings(finding(ACCOUNT, &id, ComplianceStatus::Failed, "S3.8", "b"));
                }
                if index + 1 < pages {
                    output = output.next_token(format!("page-{}", index + 1));
                }
                output.build()
            })
    };
    let rules: Vec<_> = (0..pages).map(page).collect();
    let describe = mock!(Client::describe_hub).then_output(hub);
    let standards =
        mock!(Client::get_enabled_standards).then_output(|| GetEnabledStandardsOutput::builder().build());
    let mut all: Vec<&aws_smithy_mocks::Rule> = rules.iter().collect();
    let v2 = v2_off();
    all.extend([&describe, &standards, &v2]);
    let client = mock_client!(aws_sdk_securityhub, RuleMode::MatchAny, all, |c| c.retry_config(retries()));

    let inventory = apply(collect_with(&cx(), &client, "ap-northeast-1").await);
    let hub = inventory.security_hub.get().unwrap().as_ref().unwrap();
    assert_eq!(hub.failed_findings.get().unwrap().len(), MAX_FAILED_FINDINGS);
    assert!(hub.failed_findings_truncated);
}

#[tokio::test]
async fn denied_standards_fail_only_that_field() {
    let denied = mock!(Client::get_enabled_standards)
        .sequence()
        .http_status(
            403,
            error_body("AccessDeniedException", "not authorized to perform GetEnabledStandards"),
        )
        .repeatedly()
        .build();
    let describe = mock!(Client::describe_hub).then_output(hub);
    let get_findings = mock!(Client::get_findings).then_output(findings);
    let client = mock_client!(
        aws_sdk_securityhub,
        RuleMode::MatchAny,
        [&denied, &describe, &get_findings, &v2_off()],
        |c| { c.retry_config(retries()) }
    );

    let inventory = apply(collect_with(&cx(), &client, "ap-northeast-1").await);
    let hub = inventory.security_hub.get().unwrap().as_ref().expect("the hub is still known to be enabled");
    let error = hub.standards.get().unwrap_err();
    assert_eq!(error.kind, ErrorKind::AccessDenied);
    assert_eq!(error.action, "securityhub:GetEnabledStandards");
    assert_eq!(hub.failed_findings.get().unwrap().len(), 1, "findings are unaffected");
}

#[tokio::test]
async fn throttled_standards_after_retries() {
    let throttled = mock!(Client::get_enabled_standards)
        .sequence()
        .http_status(429, error_body("TooManyRequestsException", "Rate exceeded"))
        .repeatedly()
        .build();
    let describe = mock!(Client::describe_hub).then_output(hub);
    let get_findings = mock!(Client::get_findings).then_output(findings);
    let client = mock_client!(
        aws_sdk_securityhub,
        RuleMode::MatchAny,
        [&throttled, &describe, &get_findings, &v2_off()],
        |c| { c.retry_config(retries()) }
    );

    let inventory = apply(collect_with(&cx(), &client, "ap-northeast-1").await);
    let hub = inventory.security_hub.get().unwrap().as_ref().unwrap();
    assert_eq!(hub.standards.get().unwrap_err().kind, ErrorKind::Throttled);
    assert_eq!(throttled.num_calls(), ATTEMPTS as usize);
}

#[tokio::test]
async fn denied_describe_hub_is_an_error_not_disabled() {
    let denied = mock!(Client::describe_hub)
        .sequence()
        .http_status(403, error_body("AccessDeniedException", "not authorized to perform DescribeHub"))
        .repeatedly()
        .build();
    let client = mock_client!(aws_sdk_securityhub, RuleMode::MatchAny, [&denied, &v2_off()], |c| c
        .retry_config(retries()));

    let inventory = apply(collect_with(&cx(), &client, "ap-northeast-1").await);
    assert_eq!(inventory.security_hub.get().unwrap_err().kind, ErrorKind::AccessDenied);
}
