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
                severity: None,
                region: None,
                link: Some("https://jvndb.jvn.jp/1".to_owned()),
            },
            DigestItem {
                title: "Tomcat request smuggling".to_owned(),
                severity: Some(Severity::label("HIGH")),
                region: Some("us-east-1".to_owned()),
                link: None,
            },
        ],
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
