//! The drift source's pure parts: reading events as CloudTrail and AWS Config put them on EventBridge
//! (the samples follow the documented records:
//! https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html,
//! https://docs.aws.amazon.com/config/latest/developerguide/monitor-config-with-cloudwatchevents.html), and
//! the verdict transitions that become alerts and resolutions.

use guardline_model::{Finding, Section, Severity as ControlSeverity, Status, Text};

use super::*;

const AUTHORIZE: &str = include_str!("samples/authorize-security-group-ingress.json");
const STOP_LOGGING: &str = include_str!("samples/stop-logging-assumed-role.json");
const CONFIG_ITEM: &str = include_str!("samples/config-item-security-group.json");
const GROUP: &str = "sg-0123456789abcdef0";

fn scanned() -> Vec<String> {
    vec!["ap-northeast-1".to_owned(), "us-east-1".to_owned()]
}

#[test]
fn an_ingress_rule_is_read_as_its_group_with_who_made_it() {
    let change = observe(AUTHORIZE, &scanned()).unwrap();
    assert_eq!(change.account, "123456789012");
    assert_eq!(change.region, "us-east-1");
    assert_eq!(change.controls, ["EC2-001"]);
    assert_eq!(change.scopes, [Scope::SecurityGroup { region: "us-east-1".into(), id: GROUP.into() }]);
    assert!(change.hints.contains(&GROUP.to_owned()), "{:?}", change.hints);
    assert_eq!(change.facts.principal.as_deref(), Some("arn:aws:iam::123456789012:user/alice"));
    assert_eq!(change.facts.session_issuer, None);
    assert_eq!(change.facts.source_ip.as_deref(), Some("203.0.113.10"));
    assert!(change.facts.user_agent.as_deref().unwrap().starts_with("aws-cli/2.15.0"));
    assert_eq!(change.facts.event_name.as_deref(), Some("AuthorizeSecurityGroupIngress"));
    assert_eq!(
        change.facts.event_time.as_deref(),
        Some("2026-12-04T10:00:01Z"),
        "the call's time, not the bus's"
    );
    assert_eq!(
        change.link.as_deref(),
        Some(
            "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/a5e1c2d3-4b5f-46a7-8b9c-0d1e2f3a4b5c"
        )
    );
}

#[test]
fn an_assumed_role_names_its_session_issuer_and_a_trail_is_read_in_every_region() {
    let change = observe(STOP_LOGGING, &scanned()).unwrap();
    assert_eq!(change.controls, ["TRAIL-001"]);
    assert_eq!(change.facts.principal.as_deref(), Some("arn:aws:sts::123456789012:assumed-role/Admin/bob"));
    assert_eq!(change.facts.session_issuer.as_deref(), Some("arn:aws:iam::123456789012:role/Admin"));
    assert_eq!(change.scopes.len(), 2, "{:?}", change.scopes);
}

#[test]
fn a_config_item_change_reads_its_resource_without_a_principal() {
    let change = observe(CONFIG_ITEM, &scanned()).unwrap();
    assert_eq!(change.controls, ["EC2-001"]);
    assert_eq!(change.scopes, [Scope::SecurityGroup { region: "us-east-1".into(), id: GROUP.into() }]);
    assert_eq!(change.facts.principal, None, "Config does not record who");
    assert_eq!(change.facts.event_time.as_deref(), Some("2026-12-04T10:00:35.000Z"));
}

#[test]
fn failed_read_only_unknown_and_malformed_events_are_not_changes() {
    let mut failed: Value = serde_json::from_str(AUTHORIZE).unwrap();
    failed["detail"]["errorCode"] = "Client.UnauthorizedOperation".into();
    assert!(matches!(observe(&failed.to_string(), &scanned()), Err(Skip::NoChange(_))));
    let mut read: Value = serde_json::from_str(AUTHORIZE).unwrap();
    read["detail"]["eventName"] = "DescribeSecurityGroups".into();
    assert!(matches!(observe(&read.to_string(), &scanned()), Err(Skip::Irrelevant(_))));
    read["detail"]["readOnly"] = true.into();
    assert!(matches!(observe(&read.to_string(), &scanned()), Err(Skip::NoChange(_))));
    let mut other: Value = serde_json::from_str(AUTHORIZE).unwrap();
    other["detail-type"] = "GuardDuty Finding".into();
    assert!(matches!(observe(&other.to_string(), &scanned()), Err(Skip::OtherEvent(_))));
    assert!(matches!(observe("not json", &scanned()), Err(Skip::NotJson(_))));
}

/// Every Config resource type of the drift table is read again by some collector, and every CloudTrail
/// event of it too: no change the table names is judged against data nobody re-read.
#[test]
fn every_change_of_the_drift_tables_is_read_again() {
    let regions = scanned();
    for (kind, _) in guardline_rules::drift::CONFIG_ITEM_TYPES {
        assert!(!recollect::scopes_for_config_item(kind, "id-1", "us-east-1", &regions).is_empty(), "{kind}");
    }
    for event in guardline_rules::drift::CHANGE_EVENTS {
        let scopes =
            recollect::scopes_for(event.source, event.name, "us-east-1", &serde_json::json!({}), &regions);
        assert!(!scopes.is_empty(), "{} {} is re-read by no collector", event.source, event.name);
    }
}

fn finding(resource: &str, outcome: Outcome, message: &str) -> EvaluatedFinding {
    EvaluatedFinding {
        finding: Finding {
            control: "EC2-001".into(),
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            resource: format!("arn:aws:ec2:us-east-1:123456789012:security-group/{resource}"),
            subject: None,
            status: match outcome {
                Outcome::Pass => Status::Pass,
                Outcome::NotEvaluated => Status::NotEvaluated,
                _ => Status::Fail,
            },
            message: Text::new(message, format!("{message} (ja)")),
        },
        section: Section::Security,
        severity: ControlSeverity::High,
        level: Some(guardline_config::Level::Fail),
        not_adopted_reason: None,
        exception: None,
        outcome,
    }
}

#[test]
fn a_new_failure_alerts_with_its_cause_and_a_pass_may_resolve() {
    let changes = vec![observe(AUTHORIZE, &scanned()).unwrap()];
    let before = [finding(GROUP, Outcome::Pass, "fine"), finding("sg-old", Outcome::Fail, "old failure")];
    let after = [
        finding(
            GROUP,
            Outcome::Fail,
            "security group sg-0123456789abcdef0 (web) allows TCP port 22 from 0.0.0.0/0",
        ),
        finding("sg-old", Outcome::Fail, "old failure"),
    ];
    let candidates = transitions(&before, &after, &changes, "123456789012", Some("acme-dev"));
    assert_eq!(candidates.len(), 1, "the old failure is known, not news: {candidates:?}");
    let alert = &candidates[0];
    assert!(!alert.resolved);
    assert_eq!(
        alert.item,
        format!(
            "drift:123456789012:EC2-001:us-east-1:arn:aws:ec2:us-east-1:123456789012:security-group/{GROUP}"
        )
    );
    assert_eq!(
        alert.event.title,
        "EC2-001 failed: security group sg-0123456789abcdef0 (web) allows TCP port 22 from 0.0.0.0/0 by \
         arn:aws:iam::123456789012:user/alice"
    );
    assert_eq!(alert.event.severity.as_ref().map(|severity| severity.label.as_str()), Some("HIGH"));
    assert_eq!(alert.event.account_alias.as_deref(), Some("acme-dev"));
    let change = alert.event.change.as_ref().unwrap();
    assert_eq!(change.control, "EC2-001");
    assert_eq!(change.source_ip.as_deref(), Some("203.0.113.10"));

    // Closing it: the pass is a resolved candidate (the outbox announces it only if the alert went out).
    let closed =
        [finding(GROUP, Outcome::Pass, "opens no admin port"), finding("sg-old", Outcome::Fail, "old")];
    let candidates = transitions(&after, &closed, &changes, "123456789012", None);
    assert_eq!(candidates.len(), 1, "{candidates:?}");
    assert!(candidates[0].resolved);
    assert_eq!(candidates[0].event.kind, EventKind::Resolved);
    assert_eq!(candidates[0].item, alert.item, "the same item: the outbox pairs them");
}

#[test]
fn excepted_not_adopted_and_not_evaluated_stay_quiet() {
    let before = [finding(GROUP, Outcome::Pass, "fine")];
    for outcome in [Outcome::Excepted, Outcome::NotAdopted, Outcome::NotEvaluated] {
        let after = [finding(GROUP, outcome, "open")];
        assert!(transitions(&before, &after, &[], "123456789012", None).is_empty(), "{outcome:?}");
    }
}

#[test]
fn a_failing_resource_that_is_deleted_is_resolved() {
    let before = [finding(GROUP, Outcome::Fail, "open")];
    let candidates = transitions(&before, &[], &[], "123456789012", None);
    assert_eq!(candidates.len(), 1);
    assert!(candidates[0].resolved);
    assert!(candidates[0].event.change.as_ref().unwrap().message_en.ends_with("no longer exists"));
}

#[test]
fn a_finding_follows_the_change_that_names_its_resource() {
    let mut other: Value = serde_json::from_str(AUTHORIZE).unwrap();
    other["detail"]["requestParameters"]["groupId"] = "sg-other".into();
    other["detail"]["userIdentity"]["arn"] = "arn:aws:iam::123456789012:user/carol".into();
    let named = observe(AUTHORIZE, &scanned()).unwrap();
    let later = observe(&other.to_string(), &scanned()).unwrap();
    let changes = [named, later];
    let resource = format!("arn:aws:ec2:us-east-1:123456789012:security-group/{GROUP}");
    let chosen = cause(&changes, "EC2-001", &resource).unwrap();
    assert_eq!(chosen.facts.principal.as_deref(), Some("arn:aws:iam::123456789012:user/alice"));
    let unnamed =
        cause(&changes, "EC2-001", "arn:aws:ec2:us-east-1:123456789012:security-group/sg-x").unwrap();
    assert_eq!(
        unnamed.facts.principal.as_deref(),
        Some("arn:aws:iam::123456789012:user/carol"),
        "the latest"
    );
    assert!(cause(&changes, "S3-002", &resource).is_none());
}
