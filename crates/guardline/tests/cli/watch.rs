//! `guardline watch` end to end, with feed sources (HTTP only) and real local channel servers: `--once`
//! delivers to Slack, Teams and mail and never twice; a SIGKILL between persisting and sending loses
//! nothing and a restart sends each alert exactly once; SIGTERM stops the long-running mode cleanly;
//! `watch test CHANNEL`; secrets come only from the environment and never show in output.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::{Run, guardline_in};
use crate::watch_servers::{HttpServer, SmtpSink};

const SLACK: &str = "/services/T000/B000/cli-secret";
const TEAMS: &str = "/teams/cli-secret";

struct Setup {
    http: HttpServer,
    smtp: SmtpSink,
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let setup =
            Setup { http: HttpServer::start(), smtp: SmtpSink::start(), dir: tempfile::tempdir().unwrap() };
        setup.http.serve("/jvn.rdf", "application/rss+xml", &fixture("jvn.rdf"));
        setup.http.serve("/status.rss", "application/rss+xml", &fixture("aws-status.rss"));
        let config = format!(
            r#"
[watch]
interval = "1h"
state-db = "watch.sqlite3"

[watch.channels.slack]
type = "slack"
url-env = "TEST_SLACK_WEBHOOK"
min-interval = "0s"

[watch.channels.teams]
type = "teams"
url-env = "TEST_TEAMS_WEBHOOK"
min-interval = "0s"

[watch.channels.mail]
type = "email"
smtp-host = "127.0.0.1"
smtp-port = {port}
starttls = false
username = "guardline"
password-env = "TEST_SMTP_PASSWORD"
from = "guardline@example.com"
to = ["ops@example.com", "security@example.com"]

[watch.sources.aws-status]
url = "{status}"
keywords = ["ap-northeast-1"]

[[watch.feeds]]
name = "jvn"
url = "{jvn}"
keywords = ["OpenSSL", "Tomcat"]

[[watch.routes]]
sources = ["aws-status", "jvn"]
channels = ["slack", "teams", "mail"]
"#,
            port = setup.smtp.port,
            status = setup.http.url("/status.rss"),
            jvn = setup.http.url("/jvn.rdf"),
        );
        std::fs::write(setup.dir.path().join("guardline.toml"), config).unwrap();
        setup
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("TEST_SLACK_WEBHOOK", self.http.url(SLACK)),
            ("TEST_TEAMS_WEBHOOK", self.http.url(TEAMS)),
            ("TEST_SMTP_PASSWORD", "hunter2".to_owned()),
            ("GUARDLINE_WATCH_RETRY_BASE_MS", "100".to_owned()),
        ]
    }

    fn run(&self, args: &[&str]) -> Run {
        guardline_in(self.dir.path(), args, &self.env())
    }

    /// Starts `guardline args` in the background with stderr piped.
    fn spawn(&self, args: &[&str], extra: &[(&str, &str)]) -> Child {
        let mut command = Command::new(env!("CARGO_BIN_EXE_guardline"));
        command.args(args).current_dir(self.dir.path());
        for (key, _) in std::env::vars() {
            if key.starts_with("AWS_") || key.starts_with("GUARDLINE_") {
                command.env_remove(key);
            }
        }
        command.env("XDG_DATA_HOME", self.dir.path()).env("GUARDLINE_LOG", "info");
        for (key, value) in self.env() {
            command.env(key, value);
        }
        for (key, value) in extra {
            command.env(key, value);
        }
        command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("guardline starts")
    }

    /// Messages accepted per channel: (slack, teams, mail).
    fn counts(&self) -> (usize, usize, usize) {
        (self.http.accepted(SLACK).len(), self.http.accepted(TEAMS).len(), self.smtp.mails().len())
    }

    /// The titles Slack received, sorted.
    fn slack_titles(&self) -> Vec<String> {
        let mut titles: Vec<String> = self
            .http
            .accepted(SLACK)
            .iter()
            .map(|request| {
                request.json()["blocks"][0]["text"]["text"].as_str().unwrap_or_default().to_owned()
            })
            .collect();
        titles.sort();
        titles
    }
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../guardline-watch/tests/watch/data").join(name);
    std::fs::read_to_string(path).unwrap()
}

/// Lines of the child's stderr, as they come.
fn stderr_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

fn wait_for_line(lines: &mpsc::Receiver<String>, needle: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) {
            let found = line.contains(needle);
            seen.push(line);
            if found {
                return seen;
            }
        }
    }
    panic!("no line with {needle:?} within 60 s; stderr so far:\n{}", seen.join("\n"));
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn once_sends_to_slack_teams_and_mail_and_never_twice() {
    let setup = Setup::new();
    let run = setup.run(&["watch", "--once"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("watch: 3 new events, 9 delivered, 0 failed sends, 0 pending"),
        "{}",
        run.stdout
    );
    assert_eq!(setup.counts(), (3, 3, 3));
    let titles = setup.slack_titles();
    assert_eq!(titles.len(), 3);
    assert!(titles.iter().any(|title| title.contains("Increased API error rates")), "{titles:?}");
    assert!(titles.iter().any(|title| title.contains("OpenSSL")));
    assert!(!titles.iter().any(|title| title.contains("Elevated latencies")), "filtered by keyword");
    let mail = &setup.smtp.mails()[0];
    assert_eq!(mail.to, ["ops@example.com", "security@example.com"]);
    assert_eq!(mail.auth.as_deref(), Some("\0guardline\0hunter2"));
    assert!(setup.dir.path().join("watch.sqlite3").exists(), "state-db is relative to the config file");

    let again = setup.run(&["watch", "--once"]);
    assert!(again.stdout.contains("watch: 0 new events, 0 delivered"), "{}", again.stdout);
    assert_eq!(setup.counts(), (3, 3, 3));
}

#[test]
fn japanese_messages() {
    let setup = Setup::new();
    let run = setup.run(&["watch", "--once", "--lang", "ja"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let body = setup.http.accepted(TEAMS)[0].body.clone();
    assert!(body.contains("ソース"), "{body}");
    // The command's own lines are Japanese too.
    assert!(
        run.stdout.contains("watch: 新しいイベント 3 件、配信 9 件、送信失敗 0 件、送信待ち 0 件"),
        "{}",
        run.stdout
    );
    let test = setup.run(&["watch", "test", "slack", "--lang", "ja"]);
    assert_eq!(test.code, 0, "{}", test.stderr);
    assert!(test.stdout.contains("`slack` にテストメッセージを送信しました"), "{}", test.stdout);
    let unknown = setup.run(&["watch", "test", "pager", "--lang", "ja"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains("`[watch.channels]` にチャンネル `pager` がありません"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn a_kill_between_persist_and_send_loses_nothing_and_doubles_nothing() {
    let setup = Setup::new();
    let mut child = setup.spawn(&["watch"], &[("GUARDLINE_WATCH_TEST_PAUSE_AFTER_PERSIST", "60000")]);
    let lines = stderr_lines(&mut child);
    wait_for_line(&lines, "persisted 9 deliveries; pausing before sending");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(setup.counts(), (0, 0, 0), "killed before sending");

    // Restart: the feeds still list the same items, so only the outbox knows what to send.
    let run = setup.run(&["watch", "--once"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("watch: 0 new events, 9 delivered"), "{}", run.stdout);
    assert_eq!(setup.counts(), (3, 3, 3));
    let titles = setup.slack_titles();
    let mut unique = titles.clone();
    unique.dedup();
    assert_eq!(titles, unique, "each alert exactly once");

    let run = setup.run(&["watch", "--once"]);
    assert!(run.stdout.contains("watch: 0 new events, 0 delivered"), "{}", run.stdout);
    assert_eq!(setup.counts(), (3, 3, 3));
}

#[test]
fn a_channel_down_at_a_restart_gets_its_alerts_later_and_the_others_are_unaffected() {
    let setup = Setup::new();
    setup.http.set_down(TEAMS, true);
    let run = setup.run(&["watch", "--once", "-v"]);
    assert_eq!(run.code, 1, "a failed send is exit 1 for cron: {}", run.stderr);
    assert_eq!(setup.counts(), (3, 0, 3));
    assert!(run.stdout.contains("1 failed send, 3 pending"), "{}", run.stdout);
    for output in [&run.stdout, &run.stderr] {
        assert!(!output.contains("cli-secret"), "the webhook URL must not be logged:\n{output}");
        assert!(!output.contains("hunter2"));
    }
    setup.http.set_down(TEAMS, false);
    std::thread::sleep(Duration::from_millis(300));
    let run = setup.run(&["watch", "--once"]);
    assert!(run.stdout.contains("3 delivered"), "{}", run.stdout);
    assert_eq!(run.code, 0, "everything sent: {}", run.stderr);
    assert_eq!(setup.counts(), (3, 3, 3));
}

#[test]
fn a_channel_removed_from_the_config_has_its_pending_alerts_dropped_with_a_warning() {
    let setup = Setup::new();
    setup.http.set_down(TEAMS, true);
    let run = setup.run(&["watch", "--once"]);
    assert!(run.stdout.contains("1 failed send, 3 pending"), "{}", run.stdout);
    let path = setup.dir.path().join("guardline.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    let teams =
        "[watch.channels.teams]\ntype = \"teams\"\nurl-env = \"TEST_TEAMS_WEBHOOK\"\nmin-interval = \"0s\"\n";
    assert!(config.contains(teams));
    let config = config.replace(teams, "").replace(r#"["slack", "teams", "mail"]"#, r#"["slack", "mail"]"#);
    std::fs::write(&path, config).unwrap();
    let run = setup.run(&["watch", "--once"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: channel teams is no longer in [watch.channels]: its 3 pending alert(s)"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("0 pending"), "{}", run.stdout);
}

#[test]
fn once_exits_1_when_a_source_cannot_be_polled_and_the_others_are_sent() {
    let setup = Setup::new();
    setup.http.set_down("/jvn.rdf", true);
    let run = setup.run(&["watch", "--once"]);
    assert_eq!(run.code, 1, "an unpolled source is exit 1 for cron: {}", run.stdout);
    assert!(run.stderr.contains("warning: source jvn"), "{}", run.stderr);
    assert!(run.stdout.contains("0 failed sends"), "{}", run.stdout);
    let (slack, teams, mail) = setup.counts();
    assert!(
        slack > 0 && slack == teams && teams == mail,
        "the status feed was still sent: {slack} {teams} {mail}"
    );

    setup.http.set_down("/jvn.rdf", false);
    let run = setup.run(&["watch", "--once"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(setup.counts(), (3, 3, 3));

    // The AWS status feed down: the same (the AWS sources are in watch_aws.rs).
    setup.http.set_down("/status.rss", true);
    let run = setup.run(&["watch", "--once"]);
    assert_eq!(run.code, 1, "an unpolled status feed is exit 1 for cron: {}", run.stdout);
    assert!(run.stderr.contains("warning: source aws-status"), "{}", run.stderr);
}

#[test]
fn sigterm_stops_the_long_running_mode_after_its_sends() {
    let setup = Setup::new();
    let mut child = setup.spawn(&["watch"], &[]);
    let lines = stderr_lines(&mut child);
    wait_until("all nine deliveries", || setup.counts() == (3, 3, 3));
    // A second watcher on the same outbox is refused while the first runs: it could send twice.
    let second = setup.run(&["watch", "--once"]);
    assert_eq!(second.code, 2, "{}", second.stdout);
    assert!(second.stderr.contains("another `guardline watch` is using"), "{}", second.stderr);
    assert_eq!(setup.counts(), (3, 3, 3));
    let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        assert!(Instant::now() < deadline, "guardline watch did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(code, Some(0));
    let stderr: Vec<String> = lines.try_iter().collect();
    assert!(stderr.iter().any(|line| line.contains("watch stopped")), "{stderr:?}");
    assert!(!stderr.concat().contains("cli-secret"));
}

#[test]
fn test_sends_one_message_to_the_named_channel() {
    let setup = Setup::new();
    let run = setup.run(&["watch", "test", "slack"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("sent a test message to `slack`"));
    assert_eq!(setup.counts(), (1, 0, 0));
    assert!(setup.http.accepted(SLACK)[0].body.contains("Guardline test message"));
    let run = setup.run(&["watch", "test", "mail"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(setup.smtp.mails().len(), 1);

    let run = setup.run(&["watch", "test", "pager"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no channel `pager`"), "{}", run.stderr);

    // Without its secret in the environment the channel fails, naming the variable only.
    let run = guardline_in(setup.dir.path(), &["watch", "test", "teams"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("TEST_TEAMS_WEBHOOK is not set"), "{}", run.stderr);
}

#[test]
fn watch_test_takes_the_outbox_lock_or_writes_nothing() {
    let setup = Setup::new();
    // Another watcher holds the outbox.
    let lock = std::fs::File::create(setup.dir.path().join("watch.sqlite3.lock")).unwrap();
    lock.try_lock().unwrap();
    let run = setup.run(&["watch", "test", "slack"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("another `guardline watch` is using"), "{}", run.stderr);
    assert_eq!(setup.counts(), (0, 0, 0), "nothing sent");
    assert!(!setup.dir.path().join("watch.sqlite3").exists(), "the outbox was not even created");
    drop(lock);
    let run = setup.run(&["watch", "test", "slack"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// Two configs without `state-db`: each its own default outbox, so one never drops the other's pending alerts
/// (config B has no Teams channel; config A's alerts queued for Teams survive B's runs).
#[test]
fn two_configs_keep_their_own_default_outboxes() {
    let setup = Setup::new();
    let config = std::fs::read_to_string(setup.dir.path().join("guardline.toml")).unwrap();
    let config = config.replace("state-db = \"watch.sqlite3\"\n", "");
    let teams =
        "[watch.channels.teams]\ntype = \"teams\"\nurl-env = \"TEST_TEAMS_WEBHOOK\"\nmin-interval = \"0s\"\n";
    let without_teams =
        config.replace(teams, "").replace(r#"["slack", "teams", "mail"]"#, r#"["slack", "mail"]"#);
    for (dir, text) in [("a", &config), ("b", &without_teams)] {
        std::fs::create_dir(setup.dir.path().join(dir)).unwrap();
        std::fs::write(setup.dir.path().join(dir).join("guardline.toml"), text).unwrap();
    }
    let data = setup.dir.path().join("data");
    let mut env = setup.env();
    env.push(("XDG_DATA_HOME", data.display().to_string()));
    let run = |config: &str, args: &[&str]| {
        let mut all = vec!["watch", "--config", config];
        all.extend_from_slice(args);
        guardline_in(setup.dir.path(), &all, &env)
    };
    setup.http.set_down(TEAMS, true);
    let first = run("a/guardline.toml", &["--once"]);
    assert!(first.stdout.contains("1 failed send, 3 pending"), "{}{}", first.stdout, first.stderr);
    let other = run("b/guardline.toml", &["--once"]);
    assert_eq!(other.code, 0, "{}", other.stderr);
    assert!(!other.stderr.contains("no longer in [watch.channels]"), "{}", other.stderr);
    let test = run("b/guardline.toml", &["test", "slack"]);
    assert_eq!(test.code, 0, "{}", test.stderr);
    assert!(!test.stderr.contains("no longer in [watch.channels]"), "{}", test.stderr);

    setup.http.set_down(TEAMS, false);
    std::thread::sleep(Duration::from_millis(300));
    let again = run("a/guardline.toml", &["--once"]);
    assert!(again.stdout.contains("0 pending"), "{}{}", again.stdout, again.stderr);
    assert_eq!(setup.http.accepted(TEAMS).len(), 3, "config A's Teams alerts were kept and delivered");
    let mut outboxes: Vec<String> = std::fs::read_dir(data.join("guardline"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sqlite3"))
        .collect();
    outboxes.sort();
    assert_eq!(outboxes.len(), 2, "{outboxes:?}");
    assert!(outboxes.iter().all(|name| name.starts_with("watch-guardline-")), "{outboxes:?}");
}

#[test]
fn a_literal_secret_in_the_config_is_refused() {
    let setup = Setup::new();
    let path = setup.dir.path().join("guardline.toml");
    let config = std::fs::read_to_string(&path).unwrap().replace(
        "url-env = \"TEST_SLACK_WEBHOOK\"",
        "url = \"https://hooks.slack.com/services/T/B/literal\"",
    );
    std::fs::write(&path, config).unwrap();
    let run = setup.run(&["watch", "--once"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("guardline.toml:8:7"), "{}", run.stderr);
    assert!(run.stderr.contains("would put a secret in the config file"), "{}", run.stderr);
    assert!(!run.stderr.contains("needs a webhook URL"), "no echo: {}", run.stderr);
    assert!(!run.stderr.contains("unknown channel"), "no echo: {}", run.stderr);
    assert_eq!(setup.counts(), (0, 0, 0));
}

#[test]
fn a_config_without_watch_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("guardline.toml"), "default-profile = \"default\"\n").unwrap();
    let run = guardline_in(dir.path(), &["watch", "--once"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no `[watch]` section"), "{}", run.stderr);
}

#[test]
fn the_long_running_mode_picks_up_a_new_item_within_one_interval() {
    let setup = Setup::new();
    let path = setup.dir.path().join("guardline.toml");
    let config = std::fs::read_to_string(&path).unwrap().replace("interval = \"1h\"", "interval = \"1s\"");
    std::fs::write(&path, config).unwrap();
    let mut child = setup.spawn(&["watch"], &[]);
    let _lines = stderr_lines(&mut child);
    wait_until("the first pass", || setup.counts() == (3, 3, 3));
    let feed = fixture("jvn.rdf").replace(
        "  </channel>",
        "    <item><guid>JVNDB-2026-000099</guid><title>OpenSSL key recovery</title>\
         <link>https://jvndb.jvn.jp/99</link><description>New.</description></item>\n  </channel>",
    );
    setup.http.serve("/jvn.rdf", "application/rss+xml", &feed);
    let added = Instant::now();
    wait_until("the new item", || setup.counts() == (4, 4, 4));
    assert!(added.elapsed() < Duration::from_secs(10), "took {:?}", added.elapsed());
    assert!(setup.slack_titles().iter().any(|title| title.contains("OpenSSL key recovery")));
    Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(setup.counts(), (4, 4, 4));
}
