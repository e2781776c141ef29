//! The issue's bar, at the library level: with a Slack webhook, a Teams webhook and an SMTP server
//! configured, a high GuardDuty finding (aws-smithy-mocks) reaches all three in one pass, a low one reaches
//! none, and nothing is doubled by another pass or a restart. Also Health events through the mocks.

use aws_sdk_guardduty::Client;
use aws_sdk_guardduty::config::Region;
use aws_sdk_guardduty::operation::get_findings::GetFindingsOutput;
use aws_sdk_guardduty::operation::list_detectors::ListDetectorsOutput;
use aws_sdk_guardduty::operation::list_findings::ListFindingsOutput;
use aws_sdk_guardduty::types::{Finding, Service};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use guardline_watch::sources::Source;

use crate::servers::Request;
use crate::support::{SLACK, Setup, TEAMS, account};

fn finding(id: &str, severity: f64) -> Finding {
    Finding::builder()
        .id(id)
        .severity(severity)
        .title(format!("Finding {id}"))
        .r#type("UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B")
        .account_id("123456789012")
        .region("ap-northeast-1")
        .arn(format!("arn:aws:guardduty:ap-northeast-1:123456789012:detector/det-1/finding/{id}"))
        .created_at("2026-11-02T00:00:00.000Z")
        .updated_at("2026-11-02T01:00:00.000Z")
        .description(format!("Description of {id}"))
        .service(Service::builder().archived(false).build())
        .build()
}

/// A GuardDuty client in ap-northeast-1 whose one detector has `findings`.
pub(crate) fn guardduty(findings: Vec<Finding>) -> Client {
    let ids: Vec<String> = findings.iter().filter_map(|f| f.id().map(str::to_owned)).collect();
    let detectors = mock!(Client::list_detectors)
        .then_output(|| ListDetectorsOutput::builder().detector_ids("det-1").build());
    let list = mock!(Client::list_findings)
        .then_output(move || ListFindingsOutput::builder().set_finding_ids(Some(ids.clone())).build());
    let get = mock!(Client::get_findings)
        .then_output(move || GetFindingsOutput::builder().set_findings(Some(findings.clone())).build());
    mock_client!(aws_sdk_guardduty, RuleMode::MatchAny, [&detectors, &list, &get], |c| c
        .region(Region::new("ap-northeast-1")))
}

fn source(findings: Vec<Finding>, min_severity: f64) -> Source {
    Source::GuardDuty { clients: vec![guardduty(findings)], min_severity }
}

const ROUTE: &str = r#"
[watch.sources.guardduty]

[[watch.routes]]
sources = ["guardduty"]
channels = ["slack", "teams", "mail"]
"#;

fn titles(requests: &[Request]) -> Vec<String> {
    requests.iter().map(|request| request.body.clone()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_high_finding_reaches_all_three_channels_and_a_low_one_none() {
    let setup = Setup::new();
    let config = setup.config(ROUTE);
    let watcher =
        setup.watcher(&config, vec![source(vec![finding("f-high", 8.0), finding("f-low", 2.0)], 7.0)]);
    let report = watcher.run_once().await.unwrap();
    assert_eq!((report.events, report.queued, report.delivered, report.failed), (1, 3, 3, 0), "{report:?}");
    assert_eq!(setup.counts(), (1, 1, 1));

    let slack = &setup.http.accepted(SLACK)[0];
    let body = slack.json();
    assert!(body["text"].as_str().unwrap().contains("Finding f-high"), "{body}");
    assert!(body["blocks"].to_string().contains("acme-prod (123456789012)"));
    let teams = setup.http.accepted(TEAMS)[0].json();
    assert_eq!(teams["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive");
    assert!(teams.to_string().contains("Finding f-high"));
    let mail = &setup.smtp.mails()[0];
    assert_eq!(mail.from, "guardline@example.com");
    assert_eq!(mail.to, ["ops@example.com", "security@example.com"]);
    assert_eq!(mail.auth.as_deref(), Some("\0guardline\0hunter2"));
    let text = mail.text();
    assert!(text.contains("Finding f-high") && text.contains("ap-northeast-1"), "{text}");
    assert!(!titles(&setup.http.requests(SLACK)).concat().contains("f-low"));

    // Another pass finds the same findings: nothing is sent again.
    let report = watcher.run_once().await.unwrap();
    assert_eq!((report.events, report.delivered), (0, 0));
    // Nor after a restart (a new watcher over the same database).
    drop(watcher);
    let restarted =
        setup.watcher(&config, vec![source(vec![finding("f-high", 8.0), finding("f-low", 2.0)], 7.0)]);
    let report = restarted.run_once().await.unwrap();
    assert_eq!((report.events, report.delivered), (0, 0));
    assert_eq!(setup.counts(), (1, 1, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_threshold_boundary_is_inclusive() {
    let setup = Setup::new();
    let config = setup.config(ROUTE);
    let watcher = setup.watcher(&config, vec![source(vec![finding("f-69", 6.9), finding("f-70", 7.0)], 7.0)]);
    let report = watcher.run_once().await.unwrap();
    assert_eq!(report.events, 1);
    let bodies = titles(&setup.http.accepted(SLACK)).concat();
    assert!(bodies.contains("Finding f-70"), "{bodies}");
    assert!(!bodies.contains("Finding f-69"), "{bodies}");
    assert_eq!(setup.counts(), (1, 1, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_updated_finding_is_sent_again_only_when_its_severity_rises() {
    let setup = Setup::new();
    let config = setup.config(ROUTE);
    setup.watcher(&config, vec![source(vec![finding("f-1", 7.5)], 7.0)]).run_once().await.unwrap();
    // The same finding, updated at the same severity, then lower: nothing new.
    setup.watcher(&config, vec![source(vec![finding("f-1", 7.5)], 7.0)]).run_once().await.unwrap();
    setup.watcher(&config, vec![source(vec![finding("f-1", 7.2)], 7.0)]).run_once().await.unwrap();
    assert_eq!(setup.counts(), (1, 1, 1));
    // Raised to 8.5: sent again, once.
    setup.watcher(&config, vec![source(vec![finding("f-1", 8.5)], 7.0)]).run_once().await.unwrap();
    setup.watcher(&config, vec![source(vec![finding("f-1", 8.5)], 7.0)]).run_once().await.unwrap();
    assert_eq!(setup.counts(), (2, 2, 2));
    assert!(setup.http.accepted(SLACK)[1].body.contains("8.5"));
}

#[tokio::test(flavor = "multi_thread")]
async fn health_events_come_through_the_mocks() {
    use aws_sdk_health::operation::describe_events::DescribeEventsOutput;
    use aws_sdk_health::types::{Event, EventStatusCode, EventTypeCategory};
    let events = mock!(aws_sdk_health::Client::describe_events).then_output(|| {
        DescribeEventsOutput::builder()
            .events(
                Event::builder()
                    .arn("arn:aws:health:ap-northeast-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/abc")
                    .service("EC2")
                    .event_type_code("AWS_EC2_OPERATIONAL_ISSUE")
                    .event_type_category(EventTypeCategory::Issue)
                    .region("ap-northeast-1")
                    .status_code(EventStatusCode::Open)
                    .build(),
            )
            .build()
    });
    let client = mock_client!(aws_sdk_health, RuleMode::MatchAny, [&events], |c| c
        .region(aws_sdk_health::config::Region::new("us-east-1")));
    let setup = Setup::new();
    let config = setup.config(
        r#"
[watch.sources.health]

[[watch.routes]]
sources = ["health"]
channels = ["slack"]
"#,
    );
    let report = setup
        .watcher(&config, vec![Source::Health { client, organisation: false }])
        .run_once()
        .await
        .unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(setup.counts(), (1, 0, 0), "only the routed channel");
    let body = setup.http.accepted(SLACK)[0].body.clone();
    assert!(body.contains("EC2: AWS_EC2_OPERATIONAL_ISSUE") && body.contains("acme-prod"), "{body}");
    let _ = account();
}

/// Without a Business support plan the Health API answers SubscriptionRequiredException
/// (https://docs.aws.amazon.com/health/latest/APIReference/Welcome.html): the source fails with the remedy,
/// and nothing passes for an empty poll.
#[tokio::test(flavor = "multi_thread")]
async fn health_without_a_support_plan_is_a_source_error_naming_the_eventbridge_route() {
    let refused = mock!(aws_sdk_health::Client::describe_events).then_error(|| {
        aws_sdk_health::operation::describe_events::DescribeEventsError::generic(
            aws_smithy_types::error::ErrorMetadata::builder()
                .code("SubscriptionRequiredException")
                .message("The AWS Premium Support Subscription is required to use this service.")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_health, RuleMode::MatchAny, [&refused], |c| c
        .region(aws_sdk_health::config::Region::new("us-east-1")));
    let setup = Setup::new();
    let config = setup.config(
        r#"
[watch.sources.health]

[[watch.routes]]
sources = ["health"]
channels = ["slack"]
"#,
    );
    let report = setup
        .watcher(&config, vec![Source::Health { client, organisation: false }])
        .run_once()
        .await
        .unwrap();
    assert_eq!(report.delivered, 0);
    let [(source, error)] = report.source_errors.as_slice() else { panic!("{:?}", report.source_errors) };
    assert_eq!(source, "health");
    assert!(error.contains("SubscriptionRequiredException") && error.contains("HEALTH-001"), "{error}");
}

/// An attack sequence of GuardDuty Extended Threat Detection: type `AttackSequence:...`, severity Critical.
fn attack_sequence(id: &str, kind: &str, severity: f64) -> Finding {
    let mut finding = finding(id, severity);
    finding.r#type = Some(kind.to_owned());
    finding.title = Some(format!("Attack sequence {id}"));
    finding
}

#[tokio::test(flavor = "multi_thread")]
async fn an_attack_sequence_in_a_burst_is_its_own_message_and_the_rest_one_digest() {
    let setup = Setup::new();
    // digest-above = 3 (support.rs): six new findings are a burst.
    let config = setup.config(ROUTE);
    let mut findings: Vec<Finding> = (1..=5).map(|n| finding(&format!("f-{n}"), 7.5)).collect();
    findings.insert(2, attack_sequence("seq-1", "AttackSequence:IAM/CompromisedCredentials", 9.3));
    let report = setup.watcher(&config, vec![source(findings, 7.0)]).run_once().await.unwrap();
    assert_eq!((report.events, report.delivered, report.failed), (2, 6, 0), "{report:?}");
    assert_eq!(setup.counts(), (2, 2, 2));

    let slack = titles(&setup.http.accepted(SLACK));
    let (alone, digest) = (&slack[0], &slack[1]);
    assert!(alone.contains("Attack sequence seq-1") && alone.contains("CRITICAL"), "{alone}");
    assert!(!alone.contains("new alerts"), "the attack sequence is not a digest: {alone}");
    assert!(digest.contains("5 new alerts"), "{digest}");
    for n in 1..=5 {
        assert!(digest.contains(&format!("Finding f-{n}")), "{digest}");
    }
    assert!(!digest.contains("seq-1"), "the attack sequence is not folded into the digest: {digest}");
    let mails: Vec<String> = setup.smtp.mails().iter().map(|mail| mail.text()).collect();
    assert!(mails[0].contains("Attack sequence seq-1") && !mails[0].contains("new alerts"), "{}", mails[0]);
    assert!(mails[1].contains("Finding f-5") && !mails[1].contains("seq-1"), "{}", mails[1]);

    // Seen once: another pass sends nothing.
    let again = vec![attack_sequence("seq-1", "AttackSequence:IAM/CompromisedCredentials", 9.3)];
    let report = setup.watcher(&config, vec![source(again, 7.0)]).run_once().await.unwrap();
    assert_eq!(report.events, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn several_attack_sequences_each_stand_alone_and_a_lone_remainder_is_no_digest() {
    let setup = Setup::new();
    let config = setup.config(ROUTE);
    let findings = vec![
        attack_sequence("seq-1", "AttackSequence:IAM/CompromisedCredentials", 9.0),
        attack_sequence("seq-2", "AttackSequence:S3/CompromisedData", 10.0),
        attack_sequence("seq-3", "AttackSequence:EKS/CompromisedCluster", 9.5),
        finding("f-1", 8.0),
    ];
    let report = setup.watcher(&config, vec![source(findings, 7.0)]).run_once().await.unwrap();
    assert_eq!(report.events, 4, "three attack sequences and the one other finding, none digested");
    let slack = titles(&setup.http.accepted(SLACK)).concat();
    assert!(!slack.contains("new alerts"), "{slack}");
    for title in ["Attack sequence seq-1", "Attack sequence seq-2", "Attack sequence seq-3", "Finding f-1"] {
        assert!(slack.contains(title), "{title}: {slack}");
    }
}

/// A region that cannot be polled is a source error even when another region answered (so `watch --once`
/// exits 1 and names the region), and the answering region's findings are still sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_region_that_fails_is_reported_while_the_others_are_sent() {
    let setup = Setup::new();
    let config = setup.config(ROUTE);
    let denied = mock!(Client::list_detectors)
        .sequence()
        .http_status(403, Some(r#"{"__type":"AccessDeniedException","message":"not authorized"}"#.to_owned()))
        .repeatedly()
        .build();
    let broken = mock_client!(aws_sdk_guardduty, RuleMode::MatchAny, [&denied], |c| c
        .region(Region::new("us-east-1")));
    let source = Source::GuardDuty {
        clients: vec![guardduty(vec![finding("f-high", 8.0)]), broken],
        min_severity: 7.0,
    };
    let watcher = setup.watcher(&config, vec![source]);
    let report = watcher.run_once().await.unwrap();
    assert_eq!((report.events, report.delivered), (1, 3), "{report:?}");
    let [(source, error)] = report.source_errors.as_slice() else { panic!("{:?}", report.source_errors) };
    assert_eq!(source, "guardduty");
    assert!(error.starts_with("1 of 2 regions could not be polled: us-east-1: "), "{error}");

    // Every region failing: the source's error, each region named.
    let again = mock!(Client::list_detectors)
        .sequence()
        .http_status(403, Some(r#"{"__type":"AccessDeniedException","message":"not authorized"}"#.to_owned()))
        .repeatedly()
        .build();
    let broken = |region: &'static str| {
        mock_client!(aws_sdk_guardduty, RuleMode::MatchAny, [&again], |c| c.region(Region::new(region)))
    };
    let source =
        Source::GuardDuty { clients: vec![broken("ap-northeast-1"), broken("us-east-1")], min_severity: 7.0 };
    let report = setup.watcher(&config, vec![source]).run_once().await.unwrap();
    let [(_, error)] = report.source_errors.as_slice() else { panic!("{:?}", report.source_errors) };
    assert!(error.starts_with("ap-northeast-1: ") && error.contains("; us-east-1: "), "{error}");
}
