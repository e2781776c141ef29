//! The drift bar, end to end through the binary on moto: `watch install-changes` creates the SQS queue
//! the `changes` source reads and the EventBridge rules that feed it; a port opened to the world is
//! changed in moto and the matching CloudTrail event (shaped as CloudTrail's documented record) put on the
//! bus; the local Slack webhook, Teams webhook and SMTP server receive "EC2-001 failed: ... by
//! <principal>", then "resolved" when the port is closed; a duplicated event alerts once; a SIGKILL
//! between persisting and deleting the messages loses nothing and sends nothing twice.
//!
//! AWS itself rejects `PutEvents` with an `aws.*` source (only AWS services emit those,
//! https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html); moto takes
//! them, which stands in for CloudTrail delivering the event (the moto-vs-AWS table in tests/moto/README.md).

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{clean_env, guardline_in, moto_env};
use crate::watch_servers::{HttpServer, SmtpSink};

const SLACK: &str = "/services/T000/B000/drift-secret";
const TEAMS: &str = "/teams/drift-secret";
const REGION: &str = "ap-northeast-1";
const SAMPLE: &str = include_str!(
    "../../../guardline-watch/src/sources/changes/samples/authorize-security-group-ingress.json"
);

/// An account with a security group, the queue and the rule that feeds it, and a config watching it.
struct Drift {
    account: guardline_testkit::Account,
    group: String,
    queue_url: String,
    http: HttpServer,
    smtp: SmtpSink,
    dir: tempfile::TempDir,
    env: Vec<(&'static str, String)>,
}

impl Drift {
    async fn new() -> Drift {
        let server = guardline_testkit::shared();
        let account = server.account().await;
        let ec2 = aws_sdk_ec2::Client::new(&account.config);
        let group = ec2
            .create_security_group()
            .group_name("web")
            .description("web servers")
            .send()
            .await
            .unwrap()
            .group_id()
            .unwrap()
            .to_owned();
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
from = "guardline@example.com"
to = ["ops@example.com"]

[watch.sources.changes]
regions = ["{REGION}"]
wait-seconds = 1

[[watch.routes]]
sources = ["changes"]
channels = ["slack", "teams", "mail"]
"#,
            port = smtp.port
        );
        std::fs::write(dir.path().join("guardline.toml"), config).unwrap();
        let mut env = moto_env(&server.endpoint, &account.credentials);
        env.push(("TEST_SLACK_WEBHOOK", http.url(SLACK)));
        env.push(("TEST_TEAMS_WEBHOOK", http.url(TEAMS)));
        env.push(("GUARDLINE_HISTORY_DB", dir.path().join("history.sqlite3").display().to_string()));

        // The queue and the rules, through the write guard.
        let install = ["watch", "install-changes", "--apply", "--yes", "--account-id", account.id.as_str()];
        let run = guardline_in(dir.path(), &install, &env);
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("Applied 6 call(s)."), "{}", run.stdout);
        let sqs = aws_sdk_sqs::Client::new(&account.config);
        let queue_url = sqs
            .get_queue_url()
            .queue_name("guardline-changes")
            .send()
            .await
            .unwrap()
            .queue_url()
            .unwrap()
            .to_owned();
        // A message received and not deleted comes back after a second here (installed: 120 s), so that
        // the crash test need not wait.
        sqs.set_queue_attributes()
            .queue_url(&queue_url)
            .attributes(aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout, "1")
            .send()
            .await
            .unwrap();
        Drift { account, group, queue_url, http, smtp, dir, env }
    }

    fn once(&self) -> crate::support::Run {
        let run = guardline_in(self.dir.path(), &["watch", "--once"], &self.env);
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        run
    }

    /// Opens (or closes) SSH to the world on the group, in moto.
    async fn port_22(&self, open: bool) {
        let ec2 = aws_sdk_ec2::Client::new(&self.account.config);
        let ssh = aws_sdk_ec2::types::IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(22)
            .to_port(22)
            .ip_ranges(aws_sdk_ec2::types::IpRange::builder().cidr_ip("0.0.0.0/0").build())
            .build();
        if open {
            ec2.authorize_security_group_ingress()
                .group_id(&self.group)
                .ip_permissions(ssh)
                .send()
                .await
                .unwrap();
        } else {
            ec2.revoke_security_group_ingress()
                .group_id(&self.group)
                .ip_permissions(ssh)
                .send()
                .await
                .unwrap();
        }
    }

    /// Puts CloudTrail's record of `event_name` on the group (by alice) on the default bus, `copies` times.
    async fn put_event(&self, event_name: &str, copies: usize) {
        let sample: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        let text = sample["detail"]
            .to_string()
            .replace("123456789012", &self.account.id)
            .replace("sg-0123456789abcdef0", &self.group)
            .replace("us-east-1", REGION)
            .replace("AuthorizeSecurityGroupIngress", event_name);
        let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
            .source("aws.ec2")
            .detail_type("AWS API Call via CloudTrail")
            .detail(text)
            .build();
        let events = aws_sdk_eventbridge::Client::new(&self.account.config);
        let entries = vec![entry; copies];
        let put = events.put_events().set_entries(Some(entries)).send().await.unwrap();
        assert_eq!(put.failed_entry_count(), 0);
    }

    fn slack_texts(&self) -> Vec<String> {
        self.http
            .accepted(SLACK)
            .iter()
            .map(|request| request.json()["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    async fn messages_left(&self) -> usize {
        let sqs = aws_sdk_sqs::Client::new(&self.account.config);
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(&self.queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .unwrap();
        attributes.attributes().map_or(0, |attributes| {
            attributes.values().map(|count| count.parse::<usize>().unwrap_or(0)).sum()
        })
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn install_changes_plans_from_what_is_there_and_applies_through_the_write_guard() {
    let server = guardline_testkit::shared();
    let account = server.account().await;
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[watch.sources.changes]\nregions = [\"{REGION}\", \"us-east-1\"]\n[watch.channels.ops]\ntype = \"slack\"\n\
         url-env = \"OPS\"\n[[watch.routes]]\nsources = [\"changes\"]\nchannels = [\"ops\"]\n"
    );
    std::fs::write(dir.path().join("guardline.toml"), config).unwrap();
    let env = moto_env(&server.endpoint, &account.credentials);
    let plan = guardline_in(dir.path(), &["watch", "install-changes"], &env);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.contains(&format!("Target account: {}", account.id)), "{}", plan.stdout);
    assert!(plan.stdout.contains("Plan (12 call(s)):"), "{}", plan.stdout);
    assert!(plan.stdout.contains("sqs:CreateQueue guardline-changes (us-east-1)"), "{}", plan.stdout);
    assert!(plan.stdout.contains("Run again with --apply"), "{}", plan.stdout);
    let sqs = aws_sdk_sqs::Client::new(&account.config);
    assert!(
        sqs.get_queue_url().queue_name("guardline-changes").send().await.is_err(),
        "a plan changes nothing"
    );

    let wrong = guardline_in(
        dir.path(),
        &["watch", "install-changes", "--apply", "--yes", "--account-id", "999999999999"],
        &env,
    );
    assert_ne!(wrong.code, 0, "{}", wrong.stdout);
    assert!(wrong.stderr.contains("refused, nothing was changed"), "{}", wrong.stderr);

    let apply = ["watch", "install-changes", "--apply", "--yes", "--account-id", account.id.as_str()];
    let run = guardline_in(dir.path(), &apply, &env);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Applied 12 call(s)."), "{}", run.stdout);
    let queue = sqs.get_queue_url().queue_name("guardline-changes").send().await.unwrap();
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(queue.queue_url().unwrap())
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::Policy)
        .send()
        .await
        .unwrap();
    let policy = &attributes.attributes().unwrap()[&aws_sdk_sqs::types::QueueAttributeName::Policy];
    assert!(policy.contains("events.amazonaws.com") && policy.contains("aws:SourceArn"), "{policy}");
    let events = aws_sdk_eventbridge::Client::new(&account.config);
    let targets = events.list_targets_by_rule().rule("guardline-changes").send().await.unwrap();
    assert_eq!(targets.targets()[0].arn(), format!("arn:aws:sqs:{REGION}:{}:guardline-changes", account.id));

    let again = guardline_in(dir.path(), &apply, &env);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout.contains(
            "Nothing to do: the queue guardline-changes and its rules are in place in 2 region(s)."
        ),
        "{}",
        again.stdout
    );

    let once = guardline_in(dir.path(), &["watch", "--once", "install-changes"], &env);
    assert_ne!(once.code, 0);
    assert!(once.stderr.contains("--once does not apply to `watch install-changes`"), "{}", once.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_opened_port_alerts_naming_who_and_closing_it_resolves_and_a_duplicate_alerts_once() {
    let drift = Drift::new().await;
    let first = drift.once();
    assert!(first.stdout.contains("watch: 0 new events"), "the baseline is no news: {}", first.stdout);

    drift.port_22(true).await;
    drift.put_event("AuthorizeSecurityGroupIngress", 1).await;
    let run = drift.once();
    assert!(run.stdout.contains("watch: 1 new event, 3 delivered"), "{}\n{}", run.stdout, run.stderr);
    let texts = drift.slack_texts();
    assert_eq!(texts.len(), 1, "{texts:?}");
    let teams = drift.http.accepted(TEAMS);
    let mails = drift.smtp.mails();
    assert_eq!((teams.len(), mails.len()), (1, 1), "every routed channel once");
    let who = format!("arn:aws:iam::{}:user/alice", drift.account.id);
    for body in [teams[0].json().to_string(), mails[0].text()] {
        assert!(body.contains("EC2-001") && body.contains(&who) && body.contains("203.0.113.10"), "{body}");
    }
    let expected = format!(
        "[HIGH] EC2-001 failed: security group {} (web) allows TCP port 22 from 0.0.0.0/0 by \
         arn:aws:iam::{}:user/alice",
        drift.group, drift.account.id
    );
    assert!(texts[0].starts_with(&expected), "{}", texts[0]);
    let body = drift.http.accepted(SLACK)[0].json().to_string();
    for fact in ["203.0.113.10", "aws-cli/2.15.0", "AuthorizeSecurityGroupIngress", "cloudtrailv2/home"] {
        assert!(body.contains(fact), "{fact} missing: {body}");
    }
    assert_eq!(drift.messages_left().await, 0, "deleted once the outbox held the alert");

    // The same event twice more (SQS is at-least-once): nothing new.
    drift.put_event("AuthorizeSecurityGroupIngress", 2).await;
    let run = drift.once();
    assert!(run.stdout.contains("watch: 0 new events, 0 delivered"), "{}", run.stdout);
    assert_eq!(drift.slack_texts().len(), 1);

    drift.port_22(false).await;
    drift.put_event("RevokeSecurityGroupIngress", 1).await;
    let run = drift.once();
    assert!(run.stdout.contains("watch: 1 new event, 3 delivered"), "{}\n{}", run.stdout, run.stderr);
    let texts = drift.slack_texts();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(
        texts[1].starts_with(&format!(
            "[RESOLVED] EC2-001: security group {} (web) opens no admin port",
            drift.group
        )),
        "{}",
        texts[1]
    );

    // Each re-evaluation is in the history, between scans: the open port, then the closed one.
    let history = guardline_in(drift.dir.path(), &["history", "--format", "json"], &drift.env);
    assert_eq!(history.code, 0, "{}", history.stderr);
    let scans: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
    let drifts: Vec<&serde_json::Value> =
        scans["scans"].as_array().unwrap().iter().filter(|scan| scan["origin"] == "drift").collect();
    assert_eq!(drifts.len(), 2, "open and closed; the duplicates moved no verdict: {}", history.stdout);
    assert!(
        drifts[0]["controls"]["fail"].as_u64() > drifts[1]["controls"]["fail"].as_u64(),
        "{}",
        history.stdout
    );
    let diff = guardline_in(drift.dir.path(), &["diff"], &drift.env);
    assert!(diff.stdout.contains("EC2-001"), "diff shows the drift between the last two: {}", diff.stdout);

    // Failing again is a new episode: a new alert.
    drift.port_22(true).await;
    drift.put_event("AuthorizeSecurityGroupIngress", 1).await;
    let run = drift.once();
    assert!(run.stdout.contains("watch: 1 new event, 3 delivered"), "{}", run.stdout);
    assert_eq!(drift.slack_texts().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kill_between_persisting_and_deleting_loses_nothing_and_sends_nothing_twice() {
    let drift = Drift::new().await;
    drift.once();
    let mut command = Command::new(env!("CARGO_BIN_EXE_guardline"));
    command.args(["watch"]).current_dir(drift.dir.path());
    let mut env = drift.env.clone();
    env.push(("GUARDLINE_WATCH_TEST_PAUSE_AFTER_PERSIST", "60000".to_owned()));
    let _data = clean_env(&mut command, &env);
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let waiting = std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if line.contains("persisted 3 drift deliveries; pausing") {
                return true;
            }
        }
        false
    });
    drift.port_22(true).await;
    let put_at = Instant::now();
    drift.put_event("AuthorizeSecurityGroupIngress", 1).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while !waiting.is_finished() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(waiting.is_finished() && waiting.join().unwrap(), "the watcher persisted the alert");
    eprintln!("persisted {:?} after PutEvents", put_at.elapsed());
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(drift.slack_texts().is_empty(), "killed before sending");

    // The message comes back after its visibility timeout; re-reading finds nothing new to say, and the
    // pending delivery goes out once.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let run = drift.once();
    assert!(run.stdout.contains("watch: 0 new events, 3 delivered"), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(drift.slack_texts().len(), 1);
    assert_eq!(drift.messages_left().await, 0, "the redelivered message is deleted");
    let run = drift.once();
    assert!(run.stdout.contains("watch: 0 new events, 0 delivered"), "{}", run.stdout);
    assert_eq!(drift.slack_texts().len(), 1);
}
