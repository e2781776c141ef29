//! The `[watch]` section as guardline-config validates it: defaults, secrets only by reference, routes
//! naming what exists, unknown keys rejected, every error located by line.

use std::time::Duration;

use guardline_config::watch::{ChannelKind, Secret, SeverityLabel, SmtpTls};

use crate::support::parse;

fn errors(text: &str) -> String {
    match guardline_config::parse(text, "guardline.toml", &[]) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(errors) => errors.to_string(),
    }
}

const VALID: &str = r##"
[watch]
interval = "1m"
state-db = "watch.db"

[watch.channels.slack]
type = "slack"
url-env = "SLACK_WEBHOOK"

[watch.channels.bot]
type = "slack"
token-file = "/run/secrets/slack-token"
channel = "#security"

[watch.channels.teams]
type = "teams"
url-env = "TEAMS_WEBHOOK"

[watch.channels.mail]
type = "email"
smtp-host = "smtp.example.com"
username = "alerts"
password-env = "SMTP_PASSWORD"
from = "guardline@example.com"
to = ["ops@example.com", "sec@example.com"]

[watch.sources.guardduty]
regions = ["ap-northeast-1"]

[watch.sources.inspector]
min-severity = "HIGH"

[watch.sources.health]

[watch.sources.aws-status]

[watch.sources.security-hub]
enabled = false

[[watch.feeds]]
name = "jvn"
url = "https://jvndb.jvn.jp/ja/rss/jvndb_new.rdf"
keywords = ["OpenSSL", "Tomcat"]

[[watch.routes]]
sources = ["guardduty", "health", "inspector"]
channels = ["slack", "teams", "mail"]

[[watch.routes]]
sources = ["aws-status", "jvn"]
channels = ["bot"]
"##;

#[test]
fn a_full_section_parses_with_defaults() {
    let watch = parse(VALID);
    assert_eq!(watch.interval, Duration::from_secs(60));
    assert_eq!(watch.channel_down_alert_after, Duration::from_secs(900));
    assert_eq!(watch.digest_above, 10);
    assert_eq!(
        watch.channels["slack"].kind,
        ChannelKind::SlackWebhook { url: Secret::Env("SLACK_WEBHOOK".into()) }
    );
    assert_eq!(watch.channels["slack"].min_interval, Duration::from_secs(1));
    assert!(matches!(&watch.channels["bot"].kind, ChannelKind::SlackBot { channel, api_url, .. }
        if channel == "#security" && api_url == "https://slack.com/api"));
    let ChannelKind::Email(mail) = &watch.channels["mail"].kind else { panic!("an email channel") };
    assert_eq!((mail.smtp_port, mail.tls), (587, SmtpTls::Starttls));
    assert_eq!(mail.to.len(), 2);
    let guardduty = watch.sources.guardduty.as_ref().unwrap();
    assert_eq!(guardduty.min_severity, None, "the profile's threshold applies");
    assert_eq!(watch.sources.inspector.as_ref().unwrap().min_severity, SeverityLabel::High);
    assert!(watch.sources.security_hub.is_none(), "disabled");
    assert_eq!(watch.sources.aws_status.as_ref().unwrap().url, "https://status.aws.amazon.com/rss/all.rss");
    assert_eq!(watch.channels_for("guardduty"), ["mail", "slack", "teams"]);
    assert_eq!(watch.channels_for("jvn"), ["bot"]);
}

#[test]
fn a_literal_secret_is_rejected() {
    let text =
        VALID.replace("url-env = \"SLACK_WEBHOOK\"", "url = \"https://hooks.slack.com/services/T/B/x\"");
    let errors = errors(&text);
    assert!(errors.contains("guardline.toml:8"), "{errors}");
    assert!(errors.contains("`url` would put a secret in the config file"), "{errors}");
    assert!(errors.contains("url-env"), "{errors}");
    let text = VALID.replace("password-env = \"SMTP_PASSWORD\"", "password = \"hunter2\"");
    assert!(errors_of(&text).contains("`password` would put a secret"));
}

fn errors_of(text: &str) -> String {
    errors(text)
}

#[test]
fn routes_must_name_existing_channels_and_sources() {
    let text = VALID.replace("channels = [\"bot\"]", "channels = [\"bot\", \"pager\"]");
    let errors = errors(&text);
    assert!(errors.contains("route names unknown channel `pager`"), "{errors}");
    let text = VALID.replace(
        "sources = [\"aws-status\", \"jvn\"]",
        "sources = [\"aws-status\", \"jvn\", \"cloudtrail\"]",
    );
    let errors = errors_of(&text);
    assert!(errors.contains("route names unknown source `cloudtrail`"), "{errors}");
    assert!(errors.contains("known sources: `aws-status`, `guardduty`, `health`"), "{errors}");
    // A disabled source may stay routed: `enabled = false` is enough to turn it off.
    let text = VALID.replace(
        "sources = [\"aws-status\", \"jvn\"]",
        "sources = [\"aws-status\", \"jvn\", \"security-hub\"]",
    );
    assert!(parse(&text).sources.security_hub.is_none());
    // A source never written is named with the table that enables it.
    let text = VALID.replace("[watch.sources.health]\n", "");
    let errors = errors_of(&text);
    assert!(errors.contains("route names unknown source `health`"), "{errors}");
    assert!(errors.contains("[watch.sources.health]"), "{errors}");
}

#[test]
fn an_unrouted_source_is_an_error() {
    let text = VALID.replace("sources = [\"aws-status\", \"jvn\"]", "sources = [\"aws-status\"]");
    let errors = errors(&text);
    assert!(errors.contains("watch source `jvn` is enabled but no route sends it"), "{errors}");
    assert!(errors.contains("guardline.toml:41"), "{errors}");
}

#[test]
fn unknown_keys_and_bad_values_are_located() {
    let text = VALID
        .replace("interval = \"1m\"", "interval = \"1 minute\"\nretries = 3")
        .replace("min-severity = \"HIGH\"", "min-severity = \"SEVERE\"")
        .replace("type = \"teams\"", "type = \"teams\"\nsmtp-host = \"x\"");
    let errors = errors(&text);
    assert!(errors.contains("guardline.toml:3:12: `interval`: \"1 minute\" is not a duration"), "{errors}");
    assert!(errors.contains("unknown field `retries`"), "{errors}");
    assert!(errors.contains("Inspector `min-severity` must be a severity label"), "{errors}");
    assert!(errors.contains("`smtp-host` does not apply to a teams channel"), "{errors}");
}

#[test]
fn an_email_channel_needs_its_addresses() {
    let text = VALID.replace("to = [\"ops@example.com\", \"sec@example.com\"]", "to = [\"not-an-address\"]");
    assert!(errors(&text).contains("\"not-an-address\" is not an email address"));
    let text = VALID.replace("from = \"guardline@example.com\"\n", "");
    assert!(errors(&text).contains("email channel `mail` needs `from`"));
}

#[test]
fn smtp_tls_modes_and_no_password_in_clear_text() {
    let mail = |extra: &str| {
        let text = VALID.replace(
            "smtp-host = \"smtp.example.com\"",
            &format!("smtp-host = \"smtp.example.com\"\n{extra}"),
        );
        let watch = parse(&text);
        let ChannelKind::Email(mail) = watch.channels["mail"].kind.clone() else {
            panic!("an email channel")
        };
        (mail.tls, mail.smtp_port)
    };
    assert_eq!(mail("tls = \"implicit\""), (SmtpTls::Implicit, 465));
    assert_eq!(mail("smtp-port = 465"), (SmtpTls::Implicit, 465), "port 465 is SMTPS");
    assert_eq!(mail("tls = \"starttls\"\nsmtp-port = 2525"), (SmtpTls::Starttls, 2525));
    // Without TLS a password would cross the network in clear text: refused, except to a loopback relay.
    let plain = errors(
        &VALID
            .replace("smtp-host = \"smtp.example.com\"", "smtp-host = \"smtp.example.com\"\ntls = \"none\""),
    );
    assert!(plain.contains("authentication without TLS would send the password in clear text"), "{plain}");
    let older =
        errors(&VALID.replace(
            "smtp-host = \"smtp.example.com\"",
            "smtp-host = \"smtp.example.com\"\nstarttls = false",
        ));
    assert!(older.contains("authentication without TLS"), "{older}");
    let local =
        VALID.replace("smtp-host = \"smtp.example.com\"", "smtp-host = \"127.0.0.1\"\ntls = \"none\"");
    let ChannelKind::Email(mail) = parse(&local).channels["mail"].kind.clone() else {
        panic!("an email channel")
    };
    assert_eq!(mail.tls, SmtpTls::None);
    assert!(
        errors(
            &VALID.replace(
                "smtp-host = \"smtp.example.com\"",
                "smtp-host = \"smtp.example.com\"\ntls = \"ssl\""
            )
        )
        .contains("unknown `tls` \"ssl\"")
    );
}

#[test]
fn the_slack_api_url_must_be_https() {
    let bot = |url: &str| {
        VALID.replace("channel = \"#security\"", &format!("channel = \"#security\"\napi-url = \"{url}\""))
    };
    for (url, problem) in [
        ("http://slack.example.com/api", "must be https"),
        ("ftp://slack.com/api", "must be https"),
        ("https://slack.com/api?x=1", "must not have a query"),
        ("https://user:pw@slack.com/api", "must not carry credentials"),
        ("https:///api", "has no host"),
    ] {
        let errors = errors(&bot(url));
        assert!(errors.contains(&format!("`api-url` \"{url}\" {problem}")), "{url}: {errors}");
    }
    for url in
        ["https://slack.com/api", "http://127.0.0.1:8080/api", "http://[::1]:1/api", "http://localhost/api"]
    {
        let watch = parse(&bot(url));
        assert!(
            matches!(&watch.channels["bot"].kind, ChannelKind::SlackBot { api_url, .. } if api_url == url)
        );
    }
}

#[test]
fn routes_choose_accounts_owners_and_a_daily_digest() {
    let text = VALID.replace("[watch]\n", "[watch]\nowner-tag = \"team\"\ntimezone = \"Asia/Tokyo\"\n")
        + r#"
[[watch.routes]]
sources = ["guardduty"]
accounts = ["ou:Root/Prod/**", "tag:env=prod", "123456789012"]
owners = ["web@example.com"]
channels = ["mail"]
digest = "daily"
digest-at = "08:30"
"#;
    let watch = parse(&text);
    assert_eq!((watch.owner_tag.as_str(), watch.timezone.as_str()), ("team", "Asia/Tokyo"));
    let route = watch.routes.last().unwrap();
    assert_eq!(route.accounts.len(), 3);
    assert_eq!(route.owners, ["web@example.com"]);
    assert_eq!(route.daily_digest_at, Some(jiff::civil::Time::constant(8, 30, 0, 0)));
    assert_eq!(
        route.selection_text(),
        r#"accounts = ["ou:Root/Prod/**", "tag:env=prod", "id:123456789012"], owners = ["web@example.com"]"#
    );
    // Events of no account (feeds) never reach a route that chooses accounts.
    assert_eq!(watch.routing("guardduty", None).daily, []);
    // A daily route's default hour is 09:00.
    let daily = parse(&text.replace("digest-at = \"08:30\"\n", ""));
    assert_eq!(daily.routes.last().unwrap().daily_digest_at, Some(jiff::civil::Time::constant(9, 0, 0, 0)));
}

#[test]
fn bad_route_selections_and_digests_are_located() {
    let route = |body: &str| {
        format!("{VALID}\n[[watch.routes]]\nsources = [\"guardduty\"]\nchannels = [\"mail\"]\n{body}")
    };
    let cases = [
        ("accounts = []", "a route's `accounts` must not be empty"),
        ("owners = []", "a route's `owners` must not be empty"),
        ("accounts = [\"prod\"]", "`prod` is not an account selector"),
        ("digest = \"weekly\"", "unknown digest `weekly`"),
        ("digest-at = \"09:00\"", "`digest-at` applies to a daily digest only"),
        ("digest = \"daily\"\ndigest-at = \"9am\"", "`9am` is not a time of day"),
        ("digest = \"daily\"\ndigest-at = \"24:00\"", "`24:00` is not a time of day"),
        ("schedule = \"daily\"", "unknown field `schedule`"),
    ];
    for (body, message) in cases {
        let text = route(body);
        let last = text.lines().count();
        let first = last + 1 - body.lines().count();
        let errors = errors(&text);
        assert!(errors.contains(message), "{body}: {errors}");
        let located = (first..=last).any(|line| errors.contains(&format!("guardline.toml:{line}:")));
        assert!(located, "{body}: located at its line ({first}-{last}): {errors}");
    }
    let errors = errors(&VALID.replace("[watch]\n", "[watch]\ntimezone = \"Mars/Olympus\"\n"));
    assert!(
        errors.contains("unknown time zone `Mars/Olympus`") && errors.contains("guardline.toml:3"),
        "{errors}"
    );
}
