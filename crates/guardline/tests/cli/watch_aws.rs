//! The watch bar, end to end through the binary: GuardDuty findings seeded into moto's test extension, a
//! Slack webhook, a Teams webhook and an SMTP server on 127.0.0.1. A high finding reaches all three in one
//! pass, a low one reaches none, and a second pass sends nothing again.

use crate::support::{guardline_in, moto_env};
use crate::watch_servers::{HttpServer, SmtpSink};

const SLACK: &str = "/services/T000/B000/aws-secret";
const TEAMS: &str = "/teams/aws-secret";

#[tokio::test(flavor = "multi_thread")]
async fn a_high_guardduty_finding_reaches_every_channel_once_and_a_low_one_none() {
    let server = guardline_testkit::shared();
    let account = server.account().await;
    let guardduty = aws_sdk_guardduty::Client::new(&account.config);
    let detector = guardduty.create_detector().enable(true).send().await.unwrap();
    let detector_id = detector.detector_id().unwrap().to_owned();
    let finding = |id: &str, severity: f64, title: &str| {
        serde_json::json!({
            "id": id, "accountId": account.id,
            "arn": format!("arn:aws:guardduty:ap-northeast-1:{}:detector/{detector_id}/finding/{id}", account.id),
            "region": "ap-northeast-1", "partition": "aws", "schemaVersion": "2.0",
            "type": "UnauthorizedAccess:EC2/SSHBruteForce", "severity": severity, "title": title,
            "description": title, "createdAt": "2026-11-28T00:00:00.000Z", "updatedAt": "2026-11-28T00:00:00.000Z",
            "resource": {"resourceType": "Instance"}, "service": {"archived": false, "count": 1},
        })
    };
    let seeded = serde_json::json!({
        "account_id": account.id,
        "region": "ap-northeast-1",
        "findings": [
            finding("f-high", 8.0, "SSH brute force against i-0abc from 198.51.100.7"),
            finding("f-low", 2.0, "Port probe on an unprotected port"),
        ],
    });
    server.control("/guardline-test/guardduty/findings", "application/json", &seeded.to_string());

    let http = HttpServer::start();
    let smtp = SmtpSink::start();
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        r#"
[watch]
state-db = "watch.sqlite3"

[watch.channels.slack]
type = "slack"
url-env = "TEST_SLACK_WEBHOOK"

[watch.channels.teams]
type = "teams"
url-env = "TEST_TEAMS_WEBHOOK"

[watch.channels.mail]
type = "email"
smtp-host = "127.0.0.1"
smtp-port = {port}
starttls = false
username = "guardline"
password-env = "TEST_SMTP_PASSWORD"
from = "guardline@example.com"
to = ["ops@example.com"]

[watch.sources.guardduty]
regions = ["ap-northeast-1"]

[[watch.routes]]
sources = ["guardduty"]
channels = ["slack", "teams", "mail"]
"#,
        port = smtp.port
    );
    std::fs::write(dir.path().join("guardline.toml"), config).unwrap();
    let mut env = moto_env(&server.endpoint, &account.credentials);
    env.push(("TEST_SLACK_WEBHOOK", http.url(SLACK)));
    env.push(("TEST_TEAMS_WEBHOOK", http.url(TEAMS)));
    env.push(("TEST_SMTP_PASSWORD", "smtp-secret-pw".to_owned()));

    let run = guardline_in(dir.path(), &["watch", "--once"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("watch: 1 new event, 3 delivered, 0 failed sends, 0 pending"),
        "{}",
        run.stdout
    );
    let (slack, teams, mails) = (http.accepted(SLACK), http.accepted(TEAMS), smtp.mails());
    assert_eq!((slack.len(), teams.len(), mails.len()), (1, 1, 1));
    for body in [slack[0].json().to_string(), teams[0].json().to_string(), mails[0].data.clone()] {
        assert!(body.contains("SSH brute force"), "{body}");
        assert!(body.contains(&account.id), "the message names the account: {body}");
        assert!(!body.contains("Port probe"), "the low finding went out: {body}");
    }
    for secret in ["aws-secret", "smtp-secret-pw"] {
        assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret), "{secret} leaked");
    }

    let again = guardline_in(dir.path(), &["watch", "--once"], &env);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("watch: 0 new events, 0 delivered"), "{}", again.stdout);
    assert_eq!((http.accepted(SLACK).len(), http.accepted(TEAMS).len(), smtp.mails().len()), (1, 1, 1));
}

/// `watch --once` for cron: when every region of an AWS source fails (each service's every call answered
/// with a 503 by the fault proxy), the run exits 1 with a warning naming the source, whichever source it is.
#[tokio::test(flavor = "multi_thread")]
async fn once_exits_1_when_every_region_of_an_aws_source_fails() {
    use crate::fault_proxy::{FaultProxy, Faults};
    let server = guardline_testkit::shared();
    let account = server.account().await;
    let sources = [
        (
            "guardduty",
            "guardduty",
            "[watch.sources.guardduty]\nregions = [\"ap-northeast-1\", \"us-east-1\"]",
        ),
        (
            "security-hub",
            "securityhub",
            "[watch.sources.security-hub]\nregions = [\"ap-northeast-1\", \"us-east-1\"]",
        ),
        (
            "inspector",
            "inspector2",
            "[watch.sources.inspector]\nregions = [\"ap-northeast-1\", \"us-east-1\"]",
        ),
        ("health", "health", "[watch.sources.health]"),
    ];
    for (source, service, table) in sources {
        let proxy = FaultProxy::start(
            &server.endpoint,
            Faults { failing_service: Some(service.to_owned()), ..Faults::default() },
        );
        let http = HttpServer::start();
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            "[watch]\nstate-db = \"watch.sqlite3\"\n\n[watch.channels.slack]\ntype = \"slack\"\nurl-env = \
             \"TEST_SLACK_WEBHOOK\"\n\n{table}\n\n[[watch.routes]]\nsources = [\"{source}\"]\nchannels = [\"slack\"]\n"
        );
        std::fs::write(dir.path().join("guardline.toml"), config).unwrap();
        let mut env = moto_env(&proxy.endpoint, &account.credentials);
        env.push(("TEST_SLACK_WEBHOOK", http.url(SLACK)));
        let run = guardline_in(dir.path(), &["watch", "--once", "--max-attempts", "1"], &env);
        assert_eq!(run.code, 1, "{source}: every region failed, so cron must hear of it: {}", run.stderr);
        assert!(run.stderr.contains(&format!("warning: source {source}")), "{source}: {}", run.stderr);
    }
}
