//! Secrets never leak: with webhook URLs, a bot token and an SMTP password in the environment (as the config
//! requires), every report format of a scan, every log line at the most verbose level, the output of
//! `watch` whose channels fail, and the watch database contain none of them.

use std::path::Path;

use crate::support::{Run, guardline_in};
use crate::watch_servers::HttpServer;

const SECRETS: [&str; 4] = ["SECRET-slack-path", "SECRET-teams-sig", "SECRET-bot-token", "SECRET-smtp-pw"];

fn assert_clean(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} contains {secret}:\n{text}");
    }
}

fn assert_run_clean(what: &str, run: &Run) {
    assert_clean(&format!("{what} stdout"), &run.stdout);
    assert_clean(&format!("{what} stderr"), &run.stderr);
}

#[test]
fn no_secret_reaches_a_report_a_log_line_or_the_watch_database() {
    let feeds = HttpServer::start();
    let rss = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../guardline-watch/tests/watch/data/jvn.rdf"),
    )
    .unwrap();
    feeds.serve("/jvn.rdf", "application/rss+xml", &rss);
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        r##"
[watch]
state-db = "watch.sqlite3"

[watch.channels.slack]
type = "slack"
url-env = "TEST_SLACK_WEBHOOK"

[watch.channels.bot]
type = "slack"
token-env = "TEST_SLACK_TOKEN"
channel = "#alerts"

[watch.channels.teams]
type = "teams"
url-file = "teams-url.txt"

[watch.channels.mail]
type = "email"
smtp-host = "127.0.0.1"
smtp-port = 1
starttls = false
username = "guardline"
password-env = "TEST_SMTP_PASSWORD"
from = "guardline@example.com"
to = ["ops@example.com"]

[[watch.feeds]]
name = "jvn"
url = "{feed}"
keywords = ["OpenSSL"]

[[watch.routes]]
sources = ["jvn"]
channels = ["slack", "bot", "teams", "mail"]
"##,
        feed = feeds.url("/jvn.rdf")
    );
    std::fs::write(dir.path().join("guardline.toml"), config).unwrap();
    // Unreachable channels: every send fails, and the failures are logged and stored.
    std::fs::write(dir.path().join("teams-url.txt"), "http://127.0.0.1:1/teams/hook?sig=SECRET-teams-sig\n")
        .unwrap();
    let env = vec![
        ("TEST_SLACK_WEBHOOK", "http://127.0.0.1:1/services/T0/B0/SECRET-slack-path".to_owned()),
        ("TEST_SLACK_TOKEN", "xoxb-SECRET-bot-token".to_owned()),
        ("TEST_SMTP_PASSWORD", "SECRET-smtp-pw".to_owned()),
        ("GUARDLINE_LOG", "trace".to_owned()),
    ];

    let snapshot = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/snapshot.json");
    let out = dir.path().join("reports");
    let scan = guardline_in(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            snapshot,
            "--format",
            "terminal,json,html,csv,sarif,ocsf,asff,junit",
            "--output-dir",
            out.to_str().unwrap(),
            "--no-history",
            "-vv",
        ],
        &env,
    );
    assert!(scan.code == 0 || scan.code == 1, "{}", scan.stderr);
    assert_run_clean("scan", &scan);
    let mut reports = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        assert_clean(&path.display().to_string(), &std::fs::read_to_string(&path).unwrap());
        reports += 1;
    }
    assert_eq!(reports, 8);

    let watch = guardline_in(dir.path(), &["watch", "--once", "-vv"], &env);
    assert_eq!(watch.code, 1, "failed sends are exit 1: {}", watch.stderr);
    assert!(watch.stdout.contains(" failed send"), "{}", watch.stdout);
    assert!(!watch.stdout.contains(", 0 failed sends"), "the sends should have failed: {}", watch.stdout);
    assert_run_clean("watch --once", &watch);
    for channel in ["slack", "bot", "teams", "mail"] {
        let test = guardline_in(dir.path(), &["watch", "test", channel, "-vv"], &env);
        assert_ne!(test.code, 0, "sending to an unreachable {channel} should fail");
        assert_run_clean(&format!("watch test {channel}"), &test);
    }
    let database = std::fs::read(dir.path().join("watch.sqlite3")).unwrap();
    assert_clean("the watch database", &String::from_utf8_lossy(&database));

    let config_errors =
        guardline_in(dir.path(), &["scan", "--snapshot", snapshot, "--config", "missing.toml"], &env);
    assert_run_clean("a failing scan", &config_errors);
}
