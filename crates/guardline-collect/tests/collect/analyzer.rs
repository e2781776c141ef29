//! IAM Access Analyzer collector: analyzers and seeded findings on moto (Access Analyzer comes from the test
//! extension in `tests/moto/extensions.py`; moto itself has none), and pagination and error handling against
//! aws-smithy-mocks clients.

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
async fn analyzers_and_seeded_findings_on_moto() {
    let account = Account::new().await;
    let client = Client::new(&account.config);
    let arn = client.create_analyzer().analyzer_name("account").r#type(Type::Account).send().await.unwrap();
    let arn = arn.arn().unwrap().to_owned();
    client.create_analyzer().analyzer_name("unused").r#type(Type::AccountUnusedAccess).send().await.unwrap();
    let seeded = serde_json::json!({
        "account_id": account.id,
        "region": "ap-northeast-1",
        "analyzer_name": "account",
        "findings": [
            {"id": "f-active", "status": "ACTIVE", "resource": "arn:aws:s3:::shared-bucket",
             "resourceType": "AWS::S3::Bucket", "isPublic": true, "principal": {"AWS": "*"},
             "action": ["s3:GetObject"], "condition": {}, "resourceOwnerAccount": account.id,
             "createdAt": "2026-01-06T00:00:00Z", "analyzedAt": "2026-01-06T00:00:00Z",
             "updatedAt": "2026-01-06T00:00:00Z"},
            {"id": "f-archived", "status": "ARCHIVED", "resource": "arn:aws:s3:::other-bucket",
             "resourceType": "AWS::S3::Bucket", "isPublic": false, "condition": {},
             "resourceOwnerAccount": account.id, "createdAt": "2026-01-06T00:00:00Z",
             "analyzedAt": "2026-01-06T00:00:00Z", "updatedAt": "2026-01-06T00:00:00Z"},
        ],
    });
    guardline_testkit::shared().control(
        "/guardline-test/access-analyzer/findings",
        "application/json",
        &seeded.to_string(),
    );

    let output = account.collect(&["ap-northeast-1", "us-east-1"]).await;
    let analyzers = output.snapshot.regions["ap-northeast-1"].access_analyzers.get().unwrap();
    assert_eq!(analyzers.len(), 2);
    let external = &analyzers[0];
    assert_eq!(
        (
            external.arn.as_str(),
            external.name.as_str(),
            external.analyzer_type.as_str(),
            external.status.as_str()
        ),
        (arn.as_str(), "account", "ACCOUNT", "ACTIVE")
    );
    assert_eq!(
        external.active_findings.get().unwrap(),
        &vec![AnalyzerFinding {
            id: "f-active".into(),
            resource: Some("arn:aws:s3:::shared-bucket".into()),
            resource_type: "AWS::S3::Bucket".into(),
            is_public: true,
            principal: [("AWS".to_owned(), "*".to_owned())].into(),
            actions: vec!["s3:GetObject".into()],
        }],
        "only ACTIVE findings"
    );
    assert_eq!(analyzers[1].analyzer_type, "ACCOUNT_UNUSED_ACCESS");
    assert_eq!(analyzers[1].active_findings.get().unwrap_err().kind, ErrorKind::NotCollected);
    assert!(
        output.snapshot.regions["us-east-1"].access_analyzers.get().unwrap().is_empty(),
        "analyzers are per region"
    );
}

#[tokio::test]
async fn duplicate_analyzer_name_is_a_conflict_on_moto() {
    let account = Account::new().await;
    let client = Client::new(&account.config);
    client.create_analyzer().analyzer_name("account").r#type(Type::Account).send().await.unwrap();
    let error =
        client.create_analyzer().analyzer_name("account").r#type(Type::Account).send().await.unwrap_err();
    assert!(error.into_service_error().is_conflict_exception());
}
