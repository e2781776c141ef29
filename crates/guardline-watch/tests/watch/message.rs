//! The rendered shapes, pinned by snapshots: Slack blocks, the Teams card, the mail, in English and Japanese.

use guardline_watch::event::{DigestItem, Event, EventKind, Lang, Severity};
use guardline_watch::message;

fn finding() -> Event {
    let mut event =
        Event::alert("guardduty:f-1:8.0", "guardduty", "Unusual API call made by root credentials");
    event.account_id = Some("123456789012".to_owned());
    event.account_alias = Some("acme-prod".to_owned());
    event.region = Some("ap-northeast-1".to_owned());
    event.severity = Some(Severity::guardduty(8.0));
    event.description = Some("An API was used by the root user <root> & the caller.".to_owned());
    event.link = Some(
        "https://ap-northeast-1.console.aws.amazon.com/guardduty/home?region=ap-northeast-1#/findings?fId=f-1"
            .to_owned(),
    );
    event.time = Some("2026-11-02T01:00:00Z".to_owned());
    event
}

fn digest() -> Event {
    let mut event = Event::alert("digest:jvn:1", "jvn", "3 new alerts");
    event.kind = EventKind::Digest {
        items: vec![
            DigestItem {
                title: "OpenSSL buffer overflow".to_owned(),
                account: None,
                severity: None,
                region: None,
                link: Some("https://jvndb.jvn.jp/1".to_owned()),
            },
            DigestItem {
                title: "Tomcat request smuggling".to_owned(),
                account: None,
                severity: Some(Severity::label("HIGH")),
                region: Some("us-east-1".to_owned()),
                link: None,
            },
        ],
        daily_for: None,
    };
    event
}

#[test]
fn slack_blocks() {
    insta::assert_json_snapshot!("slack_finding_en", message::slack_webhook_body(&finding(), Lang::En));
    insta::assert_json_snapshot!("slack_finding_ja", message::slack_blocks(&finding(), Lang::Ja));
    insta::assert_json_snapshot!("slack_digest_en", message::slack_blocks(&digest(), Lang::En));
    let body = message::slack_post_message_body(&finding(), Lang::En, "#alerts");
    assert_eq!(body["channel"], "#alerts");
}

#[test]
fn teams_card() {
    insta::assert_json_snapshot!("teams_finding_en", message::teams_card(&finding(), Lang::En));
    insta::assert_json_snapshot!("teams_digest_ja", message::teams_card(&digest(), Lang::Ja));
}

#[test]
fn mail() {
    let (subject, body) = message::mail(&finding(), Lang::En);
    insta::assert_snapshot!("mail_finding_en", format!("Subject: {subject}\n\n{body}"));
    let (subject, body) = message::mail(&finding(), Lang::Ja);
    insta::assert_snapshot!("mail_finding_ja", format!("Subject: {subject}\n\n{body}"));
}

#[test]
fn messages_name_account_region_severity_title_and_link() {
    let event = finding();
    for lang in [Lang::En, Lang::Ja] {
        let (subject, body) = message::mail(&event, lang);
        let slack = message::slack_blocks(&event, lang).to_string();
        let teams = message::teams_card(&event, lang).to_string();
        for text in [format!("{subject}\n{body}"), slack, teams] {
            for part in ["acme-prod", "123456789012", "ap-northeast-1", "HIGH", "root credentials", "fId=f-1"]
            {
                assert!(text.contains(part), "{part} missing from {text}");
            }
        }
    }
}

/// A member's finding as `watch --org` names it, and an owner's daily digest.
fn member_finding() -> Event {
    let mut event = finding();
    event.account_id = Some("111111111111".to_owned());
    event.account_alias = Some("acme-web-prod".to_owned());
    event.account_name = Some("web-prod".to_owned());
    event.account_ou = Some("Root/Workloads/Prod".to_owned());
    event.account_owner = Some("web-team@example.com".to_owned());
    event
}

fn daily_digest(owner: &str) -> Event {
    let mut event = Event::alert("daily:mail:web-team@example.com:1", "guardline", "2 alerts");
    let item = |title: &str, account: &str| DigestItem {
        title: title.to_owned(),
        account: Some(account.to_owned()),
        severity: Some(Severity::guardduty(8.0)),
        region: Some("ap-northeast-1".to_owned()),
        link: None,
    };
    event.kind = EventKind::Digest {
        items: vec![
            item("SSH brute force", "acme-web-prod (111111111111)"),
            item("Port probe", "acme-web-dev (222222222222)"),
        ],
        daily_for: Some(owner.to_owned()),
    };
    event
}

#[test]
fn organisation_messages_name_the_member_and_digests_their_owner() {
    insta::assert_json_snapshot!(
        "slack_member_finding_en",
        message::slack_blocks(&member_finding(), Lang::En)
    );
    let (subject, body) = message::mail(&member_finding(), Lang::Ja);
    insta::assert_snapshot!("mail_member_finding_ja", format!("Subject: {subject}\n\n{body}"));
    let (subject, body) = message::mail(&daily_digest("web-team@example.com"), Lang::En);
    insta::assert_snapshot!("mail_daily_digest_en", format!("Subject: {subject}\n\n{body}"));
    let (subject, _) = message::mail(&daily_digest(""), Lang::En);
    assert!(subject.contains("daily digest for accounts without an owner tag"), "{subject}");
}
