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

/// A drift alert of the `changes` source: the control, what fails and who made the change.
fn drift(kind: EventKind) -> Event {
    let group = "arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-0abc";
    let mut event = Event::alert(
        format!("drift:123456789012:EC2-001:ap-northeast-1:{group}"),
        "changes",
        "EC2-001 failed: security group sg-0abc (web) allows TCP port 22 from 0.0.0.0/0 by arn:aws:iam::123456789012:user/alice",
    );
    let resolved = kind == EventKind::Resolved;
    event.kind = kind;
    event.account_id = Some("123456789012".to_owned());
    event.account_alias = Some("acme-dev".to_owned());
    event.region = Some("ap-northeast-1".to_owned());
    if !resolved {
        event.severity = Some(Severity::label("HIGH"));
    }
    event.link = Some(
        "https://ap-northeast-1.console.aws.amazon.com/cloudtrailv2/home?region=ap-northeast-1#/events/e-1"
            .to_owned(),
    );
    event.time = Some("2026-12-04T10:00:01Z".to_owned());
    let (en, ja) = if resolved {
        (
            "security group sg-0abc (web) opens no admin port to the world",
            "セキュリティグループ sg-0abc (web) は管理用ポートを全世界に公開していません",
        )
    } else {
        (
            "security group sg-0abc (web) allows TCP port 22 from 0.0.0.0/0",
            "セキュリティグループ sg-0abc (web) が 0.0.0.0/0 から TCP ポート 22 への接続を許可しています",
        )
    };
    event.change = Some(Box::new(guardline_watch::event::Change {
        control: "EC2-001".to_owned(),
        resource: group.to_owned(),
        message_en: en.to_owned(),
        message_ja: ja.to_owned(),
        event_name: Some(
            if resolved { "RevokeSecurityGroupIngress" } else { "AuthorizeSecurityGroupIngress" }.to_owned(),
        ),
        principal: Some("arn:aws:sts::123456789012:assumed-role/Admin/alice".to_owned()),
        session_issuer: Some("arn:aws:iam::123456789012:role/Admin".to_owned()),
        source_ip: Some("203.0.113.10".to_owned()),
        user_agent: Some("aws-cli/2.15.0".to_owned()),
        event_time: Some("2026-12-04T10:00:01Z".to_owned()),
    }));
    event
}

#[test]
fn drift_alerts_and_resolutions_name_the_control_and_who_changed_it() {
    let alert = drift(EventKind::Alert);
    assert_eq!(
        message::headline(&alert, Lang::En),
        "[HIGH] EC2-001 failed: security group sg-0abc (web) allows TCP port 22 from 0.0.0.0/0 by \
         arn:aws:sts::123456789012:assumed-role/Admin/alice"
    );
    assert_eq!(
        message::headline(&drift(EventKind::Resolved), Lang::En),
        "[RESOLVED] EC2-001: security group sg-0abc (web) opens no admin port to the world by \
         arn:aws:sts::123456789012:assumed-role/Admin/alice"
    );
    assert!(
        message::headline(&alert, Lang::Ja)
            .starts_with("[HIGH] EC2-001 不合格: セキュリティグループ sg-0abc")
    );
    insta::assert_json_snapshot!("slack_drift_en", message::slack_blocks(&alert, Lang::En));
    insta::assert_json_snapshot!(
        "teams_drift_resolved_ja",
        message::teams_card(&drift(EventKind::Resolved), Lang::Ja)
    );
    let (subject, body) = message::mail(&alert, Lang::Ja);
    insta::assert_snapshot!("mail_drift_ja", format!("{subject}\n\n{body}"));
}
