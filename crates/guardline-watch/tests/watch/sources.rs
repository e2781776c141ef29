//! The Security Hub and Inspector sources against aws-smithy-mocks: what passes each source's filter, and
//! that a failing finding is reported once; Security Hub CSPM's ASFF findings and the new Security Hub's
//! OCSF findings, alone and together.

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

/// A Security Hub CSPM account (the new Security Hub not enabled) whose GetFindings answers `findings`.
fn hub_client(findings: Vec<aws_sdk_securityhub::types::AwsSecurityFinding>) -> aws_sdk_securityhub::Client {
    use aws_sdk_securityhub::operation::get_findings::GetFindingsOutput;
    let get = mock!(aws_sdk_securityhub::Client::get_findings)
        .then_output(move || GetFindingsOutput::builder().set_findings(Some(findings.clone())).build());
    let v2 = hub_v2_not_enabled();
    mock_client!(aws_sdk_securityhub, RuleMode::MatchAny, [&get, &v2], |c| c
        .region(aws_sdk_securityhub::config::Region::new("ap-northeast-1")))
}

// The new Security Hub (2025) through aws-smithy-mocks; moto has neither DescribeSecurityHubV2 nor
// GetFindingsV2. The answers follow the AWS Security Hub API Reference:
// - DescribeSecurityHubV2 (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_DescribeSecurityHubV2.html):
//   `GET /hubv2`, 200 `{"HubV2Arn": "string", "SubscribedAt": "string"}`; errors include
//   ResourceNotFoundException (404), which is what an account without the new Security Hub gets.
// - GetFindingsV2 (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindingsV2.html):
//   `POST /findingsv2`, 200 `{"Findings": [ JSON value ], "NextToken": "string"}`, each finding an OCSF
//   document; GetFindings and GetFindingsV2 both need `securityhub:GetFindings`.
// - GetFindings (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindings.html):
//   InvalidAccessException (401) when Security Hub CSPM is not enabled for the account.
// The findings are OCSF 1.x Compliance Findings (class_uid 2003; https://schema.ocsf.io/classes/compliance_finding)
// with the fields GetFindingsV2's filters name (cloud.account.uid, cloud.region, compliance.control,
// compliance.status_id, finding_info.uid, finding_info.title, resources.uid, severity_id, activity_name, ...);
// "OCSF findings in Security Hub" (https://docs.aws.amazon.com/securityhub/latest/userguide/ocsf-findings.html)
// says a finding whose activity_name is Close is closed. Fields the source does not read are illustrative.

const CSPM_ARN: &str = "arn:aws:securityhub:ap-northeast-1:123456789012:security-control";

fn hub_v2_not_enabled() -> aws_smithy_mocks::Rule {
    mock!(aws_sdk_securityhub::Client::describe_security_hub_v2)
        .sequence()
        .http_status(
            404,
            Some(
                r#"{"__type":"ResourceNotFoundException","Message":"Security Hub is not enabled"}"#
                    .to_owned(),
            ),
        )
        .repeatedly()
        .build()
}

fn hub_v2_enabled() -> aws_smithy_mocks::Rule {
    mock!(aws_sdk_securityhub::Client::describe_security_hub_v2)
        .sequence()
        .http_status(
            200,
            Some(
                r#"{"HubV2Arn":"arn:aws:securityhub:ap-northeast-1:123456789012:hubv2/default","SubscribedAt":"2026-06-17T00:00:00.000Z"}"#
                    .to_owned(),
            ),
        )
        .repeatedly()
        .build()
}

/// Security Hub CSPM not enabled: GetFindings answers InvalidAccessException.
fn cspm_not_enabled() -> aws_smithy_mocks::Rule {
    mock!(aws_sdk_securityhub::Client::get_findings)
        .sequence()
        .http_status(
            401,
            Some(
                r#"{"__type":"InvalidAccessException","Message":"Account 123456789012 is not subscribed to AWS Security Hub"}"#
                    .to_owned(),
            ),
        )
        .repeatedly()
        .build()
}

fn cspm_findings(findings: Vec<aws_sdk_securityhub::types::AwsSecurityFinding>) -> aws_smithy_mocks::Rule {
    use aws_sdk_securityhub::operation::get_findings::GetFindingsOutput;
    mock!(aws_sdk_securityhub::Client::get_findings)
        .then_output(move || GetFindingsOutput::builder().set_findings(Some(findings.clone())).build())
}

/// The `compliance.status_id` a GetFindingsV2 request filters on (3 Fail, 1 Pass).
fn requested_status(
    input: &aws_sdk_securityhub::operation::get_findings_v2::GetFindingsV2Input,
) -> Option<f64> {
    let composite = input.filters()?.composite_filters().first()?;
    composite
        .number_filters()
        .iter()
        .find(|filter| filter.field_name().is_some_and(|field| field.as_str() == "compliance.status_id"))?
        .filter()?
        .eq()
}

/// GetFindingsV2 answering `failing` to the query for failing findings and `passing` to the one for
/// findings passing again (a request with other filters matches no rule and fails the test).
fn ocsf_findings(
    failing: Vec<serde_json::Value>,
    passing: Vec<serde_json::Value>,
) -> [aws_smithy_mocks::Rule; 2] {
    let answer = |findings: Vec<serde_json::Value>| serde_json::json!({ "Findings": findings }).to_string();
    let fail = mock!(aws_sdk_securityhub::Client::get_findings_v2)
        .match_requests(|input| requested_status(input) == Some(3.0))
        .sequence()
        .http_status(200, Some(answer(failing)))
        .repeatedly()
        .build();
    let pass = mock!(aws_sdk_securityhub::Client::get_findings_v2)
        .match_requests(|input| {
            requested_status(input) == Some(1.0)
                && input.filters().is_some_and(|filters| {
                    filters.composite_filters()[0].date_filters().iter().any(|filter| {
                        filter
                            .field_name()
                            .is_some_and(|field| field.as_str() == "finding_info.modified_time_dt")
                    })
                })
        })
        .sequence()
        .http_status(200, Some(answer(passing)))
        .repeatedly()
        .build();
    [fail, pass]
}

fn client_of(rules: &[&aws_smithy_mocks::Rule]) -> aws_sdk_securityhub::Client {
    mock_client!(aws_sdk_securityhub, RuleMode::MatchAny, rules.iter().copied(), |c| c
        .region(aws_sdk_securityhub::config::Region::new("ap-northeast-1")))
}

/// An OCSF Compliance Finding of the new Security Hub, active, as GetFindingsV2 returns it.
fn ocsf_finding(uid: &str, control: &str, status_id: u8, severity_id: u8, bucket: &str) -> serde_json::Value {
    let (status, severity) = (
        match status_id {
            1 => "Pass",
            3 => "Fail",
            _ => "Warning",
        },
        ["Unknown", "Informational", "Low", "Medium", "High", "Critical", "Fatal"][usize::from(severity_id)],
    );
    serde_json::json!({
        "activity_id": 2,
        "activity_name": "Update",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2003,
        "class_name": "Compliance Finding",
        "type_uid": 200302,
        "metadata": {"version": "1.6.0", "product": {"name": "Security Hub CSPM", "vendor_name": "AWS"}},
        "cloud": {"provider": "AWS", "region": "ap-northeast-1", "account": {"uid": "123456789012"}},
        "severity_id": severity_id,
        "severity": severity,
        "status_id": 1,
        "status": "New",
        "time": 1_793_581_200_000_i64,
        "time_dt": "2026-11-02T01:00:00.000Z",
        "finding_info": {
            "uid": uid,
            "title": format!("{control} should be fixed"),
            "desc": format!("This control checks {control}."),
            "created_time_dt": "2026-11-01T00:00:00.000Z",
            "modified_time_dt": "2026-11-02T01:00:00.000Z",
            "types": ["Software and Configuration Checks/Industry and Regulatory Standards"]
        },
        "compliance": {"control": control, "status_id": status_id, "status": status},
        "resources": [{
            "uid": format!("arn:aws:s3:::{bucket}"),
            "type": "AWS::S3::Bucket",
            "region": "ap-northeast-1",
            "cloud_partition": "aws"
        }]
    })
}

fn closed(mut finding: serde_json::Value) -> serde_json::Value {
    finding["activity_id"] = 3.into();
    finding["activity_name"] = "Close".into();
    finding
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
                &hub_client(findings.clone()),
                "ap-northeast-1",
                &Filter::default(),
                &account(),
            )
            .await
            .unwrap();
            assert_eq!(found.len(), 2);
            // An exception whose `subject` names another Security Hub control accepts neither.
            let narrow = guardline_config::parse(
                r#"
[[exceptions]]
control = "HUB-002"
resource = "arn:aws:s3:::acme-public-*"
subject = "S3.1"
reason = "public access block handled by the CDN account"
owner = "web@acme.example"
expires = 2027-03-31
"#,
                "guardline.toml",
                &["HUB-002"],
            )
            .unwrap();
            let filter = Filter { exceptions: narrow.exceptions.clone(), ..Filter::default() };
            let found =
                security_hub::poll_region(&hub_client(findings), "ap-northeast-1", &filter, &account())
                    .await
                    .unwrap();
            assert_eq!(found.iter().filter(|candidate| !candidate.resolved).count(), 2, "S3.8 is not S3.1");
        });
    });
}

#[test]
fn the_new_security_hubs_ocsf_findings_make_the_same_alerts() {
    with_big_stack(|| {
        runtime().block_on(async {
            let uid = |control: &str| format!("{CSPM_ARN}/{control}/finding/0f1e2d3c-{control}");
            let mut threat = ocsf_finding("arn:aws:guardduty:ap-northeast-1:123456789012:detector/d/finding/f", "", 3, 5, "x");
            threat["class_uid"] = 2004.into();
            threat.as_object_mut().unwrap().remove("compliance");
            let failing = vec![
                ocsf_finding(&uid("S3.9"), "S3.9", 3, 4, "acme-data"),
                // Not adopted by the profile.
                ocsf_finding(&uid("IAM.6"), "IAM.6", 3, 5, "acme-data"),
                // Below min-severity (MEDIUM).
                ocsf_finding(&uid("EC2.19"), "EC2.19", 3, 2, "acme-data"),
                // Accepted by a HUB-002 exception.
                ocsf_finding(&uid("S3.8"), "S3.8", 3, 4, "acme-public-assets"),
                // Closed (activity Close): not active.
                closed(ocsf_finding(&uid("S3.5"), "S3.5", 3, 5, "acme-data")),
                // A threat finding (Detection Finding, no compliance): GuardDuty's own source reports it.
                threat,
            ];
            let passing = vec![ocsf_finding(&uid("S3.1"), "S3.1", 1, 3, "acme-data")];
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
            let filter = Filter {
                min_severity: Some(SeverityLabel::Medium),
                not_adopted: ["IAM.6".to_owned()].into(),
                exceptions: config.exceptions.clone(),
            };
            let (v2, cspm) = (hub_v2_enabled(), cspm_not_enabled());
            let [fail, pass] = ocsf_findings(failing.clone(), passing.clone());
            let client = client_of(&[&v2, &cspm, &fail, &pass]);
            let found = security_hub::poll_region(&client, "ap-northeast-1", &filter, &account()).await.unwrap();
            let items: Vec<(&str, bool)> =
                found.iter().map(|candidate| (candidate.item.as_str(), candidate.resolved)).collect();
            assert_eq!(items, [(uid("S3.9").as_str(), false), (uid("S3.1").as_str(), true)]);
            assert_eq!((fail.num_calls(), pass.num_calls()), (1, 1), "both GetFindingsV2 queries, one page each");

            // The same Event an ASFF finding makes.
            let event = &found[0].event;
            assert_eq!(event.key, format!("security-hub:{}", uid("S3.9")));
            assert_eq!(event.source, "security-hub");
            assert_eq!(event.title, "S3.9 should be fixed");
            assert_eq!(event.severity.as_ref().map(|severity| severity.label.as_str()), Some("HIGH"));
            assert_eq!(event.account_label().as_deref(), Some("acme-prod (123456789012)"));
            assert_eq!(event.region.as_deref(), Some("ap-northeast-1"));
            assert_eq!(event.description.as_deref(), Some("This control checks S3.9."));
            assert_eq!(event.time.as_deref(), Some("2026-11-02T01:00:00.000Z"));
            let link = event.link.as_deref().unwrap();
            assert!(
                link.starts_with("https://ap-northeast-1.console.aws.amazon.com/securityhub/home?region=ap-northeast-1#/findings?search=Id")
                    && link.contains("S3.9%252Ffinding"),
                "{link}"
            );

            // Through the watcher: reported once, however many passes see it failing.
            let setup = Setup::new();
            let config = setup.config(
                "[watch.sources.security-hub]\n[[watch.routes]]\nsources = [\"security-hub\"]\nchannels = [\"slack\"]\n",
            );
            for _ in 0..2 {
                let (v2, cspm) = (hub_v2_enabled(), cspm_not_enabled());
                let [fail, pass] = ocsf_findings(failing.clone(), passing.clone());
                let source = Source::SecurityHub { clients: vec![client_of(&[&v2, &cspm, &fail, &pass])], filter: filter.clone() };
                setup.watcher(&config, vec![source]).run_once().await.unwrap();
            }
            let bodies: Vec<String> = setup.http.accepted(SLACK).iter().map(|request| request.body.clone()).collect();
            assert_eq!(bodies.len(), 1, "{bodies:?}");
            assert!(bodies[0].contains("S3.9 should be fixed") && bodies[0].contains("HIGH"), "{}", bodies[0]);
        });
    });
}

#[test]
fn with_cspm_and_the_new_security_hub_on_one_finding_alerts_once() {
    with_big_stack(|| {
        runtime().block_on(async {
            use aws_sdk_securityhub::types::Resource;
            let cspm_finding = |id: &str, control: &str, bucket: &str| {
                let mut finding = hub_finding(id, "FAILED", "HIGH");
                finding.title = Some(format!("CSPM {control}"));
                finding.compliance.as_mut().unwrap().security_control_id = Some(control.to_owned());
                finding.resources = Some(vec![
                    Resource::builder().r#type("AwsS3Bucket").id(format!("arn:aws:s3:::{bucket}")).build(),
                ]);
                finding
            };
            let s3_9 = format!("{CSPM_ARN}/S3.9/finding/11111111");
            let iam_4 = format!("{CSPM_ARN}/IAM.4/finding/22222222");
            let asff = vec![cspm_finding(&s3_9, "S3.9", "acme-data"), cspm_finding(&iam_4, "IAM.4", "root")];
            let failing = vec![
                // The CSPM finding again, under its CSPM finding ID.
                ocsf_finding(&iam_4, "IAM.4", 3, 5, "root"),
                // The CSPM finding again under another ID: same account, region, control and resource.
                ocsf_finding("ocsf-7c0a5b2e", "S3.9", 3, 4, "acme-data"),
                // Only the new Security Hub has this one.
                ocsf_finding(&format!("{CSPM_ARN}/S3.5/finding/33333333"), "S3.5", 3, 4, "acme-logs"),
            ];
            let setup = Setup::new();
            let config = setup.config(
                "[watch.sources.security-hub]\n[[watch.routes]]\nsources = [\"security-hub\"]\nchannels = [\"slack\"]\n",
            );
            for pass_number in 1..=2 {
                let (v2, cspm) = (hub_v2_enabled(), cspm_findings(asff.clone()));
                let [fail, pass] = ocsf_findings(failing.clone(), Vec::new());
                let client = client_of(&[&v2, &cspm, &fail, &pass]);
                if pass_number == 1 {
                    let found =
                        security_hub::poll_region(&client, "ap-northeast-1", &Filter::default(), &account()).await.unwrap();
                    let items: Vec<&str> = found.iter().map(|candidate| candidate.item.as_str()).collect();
                    assert_eq!(items, [s3_9.as_str(), iam_4.as_str(), &format!("{CSPM_ARN}/S3.5/finding/33333333")]);
                    assert_eq!(found[0].event.title, "CSPM S3.9", "the ASFF reading is preferred");
                }
                let source = Source::SecurityHub { clients: vec![client], filter: Filter::default() };
                setup.watcher(&config, vec![source]).run_once().await.unwrap();
            }
            let bodies: Vec<String> = setup.http.accepted(SLACK).iter().map(|request| request.body.clone()).collect();
            assert_eq!(bodies.len(), 3, "each underlying finding once, over two passes: {bodies:?}");
            let all = bodies.concat();
            assert!(all.contains("CSPM S3.9") && all.contains("CSPM IAM.4") && all.contains("S3.5 should be fixed"));
            assert!(!all.contains("S3.9 should be fixed") && !all.contains("IAM.4 should be fixed"), "{all}");
        });
    });
}

#[test]
fn without_the_new_security_hub_only_cspm_is_read() {
    with_big_stack(|| {
        runtime().block_on(async {
            let findings = vec![hub_finding("arn:finding/S3.1", "FAILED", "HIGH")];
            // DescribeSecurityHubV2: ResourceNotFoundException; and when it cannot be asked (AccessDenied).
            let denied = mock!(aws_sdk_securityhub::Client::describe_security_hub_v2)
                .sequence()
                .http_status(
                    403,
                    Some(r#"{"__type":"AccessDeniedException","Message":"not authorized to perform securityhub:DescribeSecurityHubV2"}"#.to_owned()),
                )
                .repeatedly()
                .build();
            for v2 in [hub_v2_not_enabled(), denied] {
                let cspm = cspm_findings(findings.clone());
                let [fail, pass] = ocsf_findings(vec![ocsf_finding("ocsf-1", "S3.5", 3, 4, "b")], Vec::new());
                let client = client_of(&[&v2, &cspm, &fail, &pass]);
                let found =
                    security_hub::poll_region(&client, "ap-northeast-1", &Filter::default(), &account()).await.unwrap();
                let items: Vec<&str> = found.iter().map(|candidate| candidate.item.as_str()).collect();
                assert_eq!(items, ["arn:finding/S3.1"]);
                assert_eq!((v2.num_calls(), fail.num_calls() + pass.num_calls()), (1, 0), "GetFindingsV2 is not called");
            }
            // Neither service answers: the region's error.
            let (v2, cspm) = (hub_v2_enabled(), cspm_not_enabled());
            let broken = mock!(aws_sdk_securityhub::Client::get_findings_v2)
                .sequence()
                .http_status(500, Some(r#"{"__type":"InternalServerException","Message":"internal"}"#.to_owned()))
                .repeatedly()
                .build();
            let client = client_of(&[&v2, &cspm, &broken]);
            let error =
                security_hub::poll_region(&client, "ap-northeast-1", &Filter::default(), &account()).await.unwrap_err();
            assert!(error.contains("GetFindingsV2"), "{error}");
            // CSPM fails but the new Security Hub answers: its findings.
            let [fail, pass] = ocsf_findings(vec![ocsf_finding("ocsf-2", "S3.5", 3, 4, "b")], Vec::new());
            let failing_cspm = mock!(aws_sdk_securityhub::Client::get_findings)
                .sequence()
                .http_status(500, Some(r#"{"__type":"InternalException","Message":"internal"}"#.to_owned()))
                .repeatedly()
                .build();
            let client = client_of(&[&v2, &failing_cspm, &fail, &pass]);
            let found =
                security_hub::poll_region(&client, "ap-northeast-1", &Filter::default(), &account()).await.unwrap();
            assert_eq!(found.iter().map(|candidate| candidate.item.as_str()).collect::<Vec<_>>(), ["ocsf-2"]);
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
