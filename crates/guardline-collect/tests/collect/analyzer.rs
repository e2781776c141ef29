//! IAM Access Analyzer collector. moto has no Access Analyzer at all, so the data paths run against
//! aws-smithy-mocks clients; moto only shows that the missing service becomes the field's error.

use aws_sdk_accessanalyzer::Client;
use aws_sdk_accessanalyzer::operation::list_analyzers::ListAnalyzersOutput;
use aws_sdk_accessanalyzer::operation::list_findings::ListFindingsOutput;
use aws_sdk_accessanalyzer::primitives::DateTime;
use aws_sdk_accessanalyzer::types::{
    AnalyzerStatus, AnalyzerSummary, FindingStatus, FindingSummary, ResourceType, Type,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use guardline_collect::services::analyzer::collect_with;
use guardline_model::ErrorKind;
use guardline_model::inventory::detection::AnalyzerFinding;

use crate::harness::Account;
use crate::mocks::{ACCOUNT, ATTEMPTS, apply, cx, error_body, retries};

const ACCOUNT_ANALYZER: &str = "arn:aws:access-analyzer:ap-northeast-1:123456789012:analyzer/account";
const UNUSED_ANALYZER: &str = "arn:aws:access-analyzer:ap-northeast-1:123456789012:analyzer/unused";

fn summary(arn: &str, name: &str, kind: Type, status: AnalyzerStatus) -> AnalyzerSummary {
    AnalyzerSummary::builder()
        .arn(arn)
        .name(name)
        .r#type(kind)
        .status(status)
        .created_at(DateTime::from_secs(1_700_000_000))
        .build()
        .unwrap()
}

fn analyzers() -> ListAnalyzersOutput {
    ListAnalyzersOutput::builder()
        .analyzers(summary(ACCOUNT_ANALYZER, "account", Type::Account, AnalyzerStatus::Active))
        .analyzers(summary(UNUSED_ANALYZER, "unused", Type::AccountUnusedAccess, AnalyzerStatus::Active))
        .build()
        .unwrap()
}

fn finding(id: &str, resource: &str) -> FindingSummary {
    let now = DateTime::from_secs(1_700_000_000);
    FindingSummary::builder()
        .id(id)
        .resource(resource)
        .resource_type(ResourceType::AwsS3Bucket)
        .is_public(false)
        .principal("AWS", "111122223333")
        .action("s3:GetObject")
        .set_condition(Some(Default::default()))
        .created_at(now)
        .analyzed_at(now)
        .updated_at(now)
        .status(FindingStatus::Active)
        .resource_owner_account(ACCOUNT)
        .build()
        .unwrap()
}

#[tokio::test]
async fn analyzers_and_active_findings_of_external_access_analyzers() {
    let list = mock!(Client::list_analyzers).then_output(analyzers);
    let first_page = mock!(Client::list_findings)
        .match_requests(|req| {
            req.analyzer_arn() == Some(ACCOUNT_ANALYZER)
                && req.next_token().is_none()
                && req.filter().and_then(|filter| filter.get("status")).map(|c| c.eq())
                    == Some(&["ACTIVE".to_owned()][..])
        })
        .then_output(|| {
            ListFindingsOutput::builder()
                .findings(finding("f-1", "arn:aws:s3:::shared-bucket"))
                .next_token("page-2")
                .build()
                .unwrap()
        });
    let second_page = mock!(Client::list_findings)
        .match_requests(|req| req.next_token() == Some("page-2"))
        .then_output(|| {
            ListFindingsOutput::builder()
                .findings(finding("f-2", "arn:aws:s3:::other-bucket"))
                .build()
                .unwrap()
        });
    let client =
        mock_client!(aws_sdk_accessanalyzer, RuleMode::MatchAny, [&list, &first_page, &second_page], |c| {
            c.retry_config(retries())
        });

    let cx = cx();
    let inventory = apply(collect_with(&cx, &client, "ap-northeast-1").await);
    let analyzers = inventory.access_analyzers.get().unwrap();
    assert_eq!(analyzers.len(), 2);
    let account = &analyzers[0];
    assert_eq!((account.arn.as_str(), account.name.as_str()), (ACCOUNT_ANALYZER, "account"));
    assert_eq!((account.analyzer_type.as_str(), account.status.as_str()), ("ACCOUNT", "ACTIVE"));
    let expected = |id: &str, bucket: &str| AnalyzerFinding {
        id: id.to_owned(),
        resource: Some(bucket.to_owned()),
        resource_type: "AWS::S3::Bucket".to_owned(),
        is_public: false,
        principal: [("AWS".to_owned(), "111122223333".to_owned())].into(),
        actions: vec!["s3:GetObject".to_owned()],
    };
    assert_eq!(
        account.active_findings.get().unwrap(),
        &vec![expected("f-1", "arn:aws:s3:::shared-bucket"), expected("f-2", "arn:aws:s3:::other-bucket")]
    );
    // An unused-access analyzer's findings are not external access: they are not listed.
    let unused = &analyzers[1];
    assert_eq!(unused.analyzer_type, "ACCOUNT_UNUSED_ACCESS");
    assert_eq!(unused.active_findings.get().unwrap_err().kind, ErrorKind::NotCollected);
    assert_eq!((first_page.num_calls(), second_page.num_calls()), (1, 1));
    assert_eq!(cx.call_log()["access-analyzer:ListFindings"], 1, "one paginated listing");
}

#[tokio::test]
async fn denied_findings_fail_only_that_analyzer() {
    let list = mock!(Client::list_analyzers).then_output(analyzers);
    let denied = mock!(Client::list_findings)
        .sequence()
        .http_status(403, error_body("AccessDeniedException", "not authorized to perform ListFindings"))
        .repeatedly()
        .build();
    let client = mock_client!(aws_sdk_accessanalyzer, RuleMode::MatchAny, [&list, &denied], |c| c
        .retry_config(retries()));

    let inventory = apply(collect_with(&cx(), &client, "ap-northeast-1").await);
    let analyzers = inventory.access_analyzers.get().expect("the analyzer list itself is collected");
    let error = analyzers[0].active_findings.get().unwrap_err();
    assert_eq!(error.kind, ErrorKind::AccessDenied);
    assert_eq!(error.action, "access-analyzer:ListFindings");
    assert_eq!(error.code.as_deref(), Some("AccessDeniedException"));
    assert_eq!(denied.num_calls(), 1, "access denied is not retried");
}

#[tokio::test]
async fn throttled_listing_is_the_field_error_after_retries() {
    let throttled = mock!(Client::list_analyzers)
        .sequence()
        .http_status(400, error_body("ThrottlingException", "Rate exceeded"))
        .repeatedly()
        .build();
    let client =
        mock_client!(aws_sdk_accessanalyzer, RuleMode::MatchAny, [&throttled], |c| c.retry_config(retries()));

    let inventory = apply(collect_with(&cx(), &client, "ap-northeast-1").await);
    let error = inventory.access_analyzers.get().unwrap_err();
    assert_eq!(error.kind, ErrorKind::Throttled);
    assert_eq!(error.action, "access-analyzer:ListAnalyzers");
    assert_eq!(throttled.num_calls(), ATTEMPTS as usize, "retried up to the attempt limit");
}

#[tokio::test]
async fn missing_service_on_moto_is_the_field_error_only() {
    let account = Account::new().await;
    let output = account.collect(&["ap-northeast-1"]).await;
    let region = &output.snapshot.regions["ap-northeast-1"];
    let error = region.access_analyzers.get().unwrap_err();
    assert_eq!(error.action, "access-analyzer:ListAnalyzers");
    assert_eq!(error.kind, ErrorKind::Failed, "moto answers 500: {error}");
    assert!(region.security_groups.get().is_ok(), "other fields are unaffected");
}
