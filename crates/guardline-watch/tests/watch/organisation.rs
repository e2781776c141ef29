//! `watch --org` at the library level: a delegated administrator's sources report the members' findings
//! with the member's ID only; the directory names each (alias, name, OU, owner), the routes send each to the
//! channels of its account's OU, owner or tag, daily digests gather an owner's events into one message,
//! and the Health organisational view gives one alert per affected account.

use std::collections::BTreeMap;

use aws_sdk_guardduty::types::{Finding, Service};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use guardline_watch::directory::{Directory, Member};
use guardline_watch::sources::Source;

use crate::support::{SLACK, Setup, TEAMS};

const PROD: &str = "111111111111";
const DEV: &str = "222222222222";
const SANDBOX: &str = "333333333333";
const EXCLUDED: &str = "444444444444";

fn member(id: &str, name: &str, ou: &str, owner: &str) -> Member {
    Member {
        id: id.to_owned(),
        alias: Some(format!("acme-{name}")),
        name: Some(name.to_owned()),
        ou_path: Some(ou.to_owned()),
        ou_ids: vec!["r-ab12".to_owned()],
        tags: BTreeMap::from([("owner".to_owned(), owner.to_owned())]),
    }
}

/// Three watched members (prod and dev owned by alice, sandbox by bob) and one the selectors leave out.
fn directory() -> Directory {
    Directory::organisation(
        vec![
            member(PROD, "web-prod", "Root/Prod", "alice@example.com"),
            member(DEV, "web-dev", "Root/Dev", "alice@example.com"),
            member(SANDBOX, "sandbox", "Root/Sandbox", "bob@example.com"),
        ],
        [EXCLUDED.to_owned()],
    )
}

fn finding(id: &str, account: &str) -> Finding {
    Finding::builder()
        .id(id)
        .severity(8.0)
        .title(format!("Finding {id} in {account}"))
        .r#type("UnauthorizedAccess:EC2/SSHBruteForce")
        .account_id(account)
        .region("ap-northeast-1")
        .arn(format!("arn:aws:guardduty:ap-northeast-1:{account}:detector/det-1/finding/{id}"))
        .updated_at("2026-12-04T01:00:00.000Z")
        .service(Service::builder().archived(false).build())
        .build()
}

/// The administrator's GuardDuty: one detector whose findings are the members'.
fn administrator(findings: Vec<Finding>) -> Source {
    Source::GuardDuty { clients: vec![crate::pipeline::guardduty(findings)], min_severity: 7.0 }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_members_finding_reaches_its_ous_channel_naming_the_member() {
    let setup = Setup::new();
    let config = setup.config(
        r#"
[watch.sources.guardduty]

[[watch.routes]]
sources = ["guardduty"]
accounts = ["ou:Root/Prod/**"]
channels = ["slack"]

[[watch.routes]]
sources = ["guardduty"]
accounts = ["ou:Root/Dev"]
channels = ["teams"]
"#,
    );
    let findings = vec![
        finding("f-prod", PROD),
        finding("f-dev", DEV),
        finding("f-sandbox", SANDBOX),
        finding("f-x", EXCLUDED),
    ];
    let watcher = setup.watcher(&config, vec![administrator(findings)]);
    watcher.set_directory(directory());
    let report = watcher.run_once().await.unwrap();
    assert_eq!(report.delivered, 2, "{report:?}");
    let slack = setup.http.accepted(SLACK);
    let teams = setup.http.accepted(TEAMS);
    assert_eq!((slack.len(), teams.len(), setup.smtp.mails().len()), (1, 1, 0));
    let prod = &slack[0].body;
    for part in ["f-prod", PROD, "acme-web-prod", "web-prod", "Root/Prod", "alice@example.com"] {
        assert!(prod.contains(part), "{part} missing from the prod message: {prod}");
    }
    assert!(!prod.contains("acme-prod"), "the administrator's alias is not the member's: {prod}");
    let dev = &teams[0].body;
    assert!(dev.contains("f-dev") && dev.contains("Root/Dev") && dev.contains("web-dev"), "{dev}");
    // The sandbox finding matched no route and the excluded account's is not watched: neither was sent,
    // and neither comes back in a later pass.
    let again = watcher.run_once().await.unwrap();
    assert_eq!((again.events, again.delivered), (0, 0), "{again:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_daily_digest_gathers_each_owners_events_into_one_message_once() {
    let setup = Setup::new();
    let config = setup.config_with(
        r#"timezone = "Asia/Tokyo""#,
        r#"
[watch.sources.guardduty]

[[watch.routes]]
sources = ["guardduty"]
owners = ["ALICE@example.com", "bob@example.com"]
channels = ["mail"]
digest = "daily"
digest-at = "09:00"

[[watch.routes]]
sources = ["guardduty"]
accounts = ["ou:Root/Prod"]
channels = ["slack"]
"#,
    );
    let findings = vec![finding("f-prod", PROD), finding("f-dev", DEV), finding("f-sandbox", SANDBOX)];
    let watcher = setup.watcher(&config, vec![administrator(findings)]);
    watcher.set_directory(directory());
    let report = watcher.run_once().await.unwrap();
    assert_eq!(setup.counts(), (1, 0, 0), "only the prod route sends at once: {report:?}");
    assert_eq!(watcher.with_outbox(|outbox| outbox.daily_waiting().unwrap()), 3);

    // Before 09:00 in Tokyo nothing is folded; after it, one digest per owner.
    let now = guardline_watch::outbox::now_ms();
    assert_eq!(watcher.fold_daily_digests(now).unwrap().events, 0);
    let tomorrow = now + 26 * 3_600_000;
    assert_eq!(watcher.fold_daily_digests(tomorrow).unwrap().events, 2);
    watcher.deliver_pass().await.unwrap();
    let mails = setup.smtp.mails();
    assert_eq!(mails.len(), 2, "one digest per owner");
    let alice = mails.iter().find(|mail| mail.data.contains("alice@example.com")).expect("alice's digest");
    assert!(
        alice.data.contains("daily digest for alice@example.com") && alice.data.contains("2 new alerts"),
        "{}",
        alice.data
    );
    assert!(
        alice.data.contains("f-prod") && alice.data.contains("f-dev") && !alice.data.contains("f-sandbox")
    );
    assert!(
        alice.data.contains("acme-web-dev (222222222222)"),
        "each line names its account: {}",
        alice.data
    );
    let bob = mails.iter().find(|mail| mail.data.contains("bob@example.com")).expect("bob's digest");
    assert!(bob.data.contains("f-sandbox") && bob.data.contains("1 new alerts"), "{}", bob.data);

    // Folded once: the next day brings nothing new.
    assert_eq!(watcher.fold_daily_digests(tomorrow + 86_400_000).unwrap().events, 0);
    watcher.run_once().await.unwrap();
    assert_eq!(setup.smtp.mails().len(), 2);
}

#[test]
fn a_route_choosing_accounts_is_unmatched_when_no_watched_account_is_chosen() {
    let setup = Setup::new();
    let config = setup.config(
        r#"
[watch.sources.guardduty]

[[watch.routes]]
sources = ["guardduty"]
accounts = ["ou:Root/Prod/**", "tag:env=prod"]
channels = ["slack"]

[[watch.routes]]
sources = ["guardduty"]
owners = ["carol@example.com"]
channels = ["teams"]

[[watch.routes]]
sources = ["guardduty"]
channels = ["mail"]
"#,
    );
    let directory = directory();
    let facts: Vec<_> = directory.members().map(Member::facts).collect();
    let unmatched = config.routes_matching_none(&facts);
    assert_eq!(unmatched.len(), 1, "{unmatched:?}");
    assert_eq!(unmatched[0].selection_text(), r#"owners = ["carol@example.com"]"#);
    assert!(unmatched[0].line > 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_health_organisational_view_alerts_once_per_affected_account() {
    use aws_sdk_health::operation::describe_affected_accounts_for_organization::DescribeAffectedAccountsForOrganizationOutput;
    use aws_sdk_health::operation::describe_events_for_organization::DescribeEventsForOrganizationOutput;
    use aws_sdk_health::types::{EventScopeCode, EventStatusCode, EventTypeCategory, OrganizationEvent};
    let specific = "arn:aws:health:ap-northeast-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/abc";
    let public = "arn:aws:health:ap-northeast-1::event/S3/AWS_S3_OPERATIONAL_ISSUE/def";
    let events = mock!(aws_sdk_health::Client::describe_events_for_organization).then_output(move || {
        let event =
            |arn: &str, service: &str, code: &str, scope: EventScopeCode, category: EventTypeCategory| {
                OrganizationEvent::builder()
                    .arn(arn)
                    .service(service)
                    .event_type_code(code)
                    .event_type_category(category)
                    .event_scope_code(scope)
                    .region("ap-northeast-1")
                    .status_code(EventStatusCode::Upcoming)
                    .build()
            };
        DescribeEventsForOrganizationOutput::builder()
            .events(event(
                specific,
                "EC2",
                "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
                EventScopeCode::AccountSpecific,
                EventTypeCategory::ScheduledChange,
            ))
            .events(event(
                public,
                "S3",
                "AWS_S3_OPERATIONAL_ISSUE",
                EventScopeCode::Public,
                EventTypeCategory::Issue,
            ))
            .build()
    });
    let affected = mock!(aws_sdk_health::Client::describe_affected_accounts_for_organization)
        .match_requests(move |request| request.event_arn() == Some(specific))
        .then_output(|| {
            DescribeAffectedAccountsForOrganizationOutput::builder()
                .affected_accounts(PROD)
                .affected_accounts(DEV)
                .event_scope_code(EventScopeCode::AccountSpecific)
                .build()
        });
    let client = mock_client!(aws_sdk_health, RuleMode::MatchAny, [&events, &affected], |c| c
        .region(aws_sdk_health::config::Region::new("us-east-1")));
    let setup = Setup::new();
    let config = setup.config(
        r#"
[watch.sources.health]

[[watch.routes]]
sources = ["health"]
accounts = ["ou:Root/Prod"]
channels = ["slack"]

[[watch.routes]]
sources = ["health"]
channels = ["teams"]
"#,
    );
    let watcher = setup.watcher(&config, vec![Source::Health { client, organisation: true }]);
    watcher.set_directory(directory());
    let report = watcher.run_once().await.unwrap();
    assert!(report.source_errors.is_empty(), "{report:?}");
    let slack = setup.http.accepted(SLACK);
    assert_eq!(slack.len(), 1, "the prod account's retirement only");
    assert!(
        slack[0].body.contains("AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED") && slack[0].body.contains("web-prod")
    );
    let teams: Vec<String> = setup.http.accepted(TEAMS).iter().map(|request| request.body.clone()).collect();
    assert_eq!(teams.len(), 3, "both affected accounts and the public event: {teams:?}");
    assert!(teams.iter().any(|body| body.contains("web-dev") && body.contains("RETIREMENT")));
    assert!(teams.iter().any(|body| body.contains("AWS_S3_OPERATIONAL_ISSUE") && !body.contains("web-")));
}
