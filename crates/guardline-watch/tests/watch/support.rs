//! Building a watcher for a test: a config naming the local servers (secrets in files), an outbox in a
//! temporary directory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use guardline_config::WatchConfig;
use guardline_watch::sources::{Account, Source};
use guardline_watch::{Outbox, WatchOptions, Watcher};

use crate::servers::{HttpServer, SmtpSink};

pub const SLACK: &str = "/services/T000/B000/slack-secret";
pub const TEAMS: &str = "/webhook/teams-secret";

/// The servers and files of one test.
pub struct Setup {
    pub http: HttpServer,
    pub smtp: SmtpSink,
    pub dir: tempfile::TempDir,
}

impl Setup {
    pub fn new() -> Setup {
        let setup =
            Setup { http: HttpServer::start(), smtp: SmtpSink::start(), dir: tempfile::tempdir().unwrap() };
        std::fs::write(setup.path("slack-url"), setup.http.url(SLACK)).unwrap();
        std::fs::write(setup.path("teams-url"), format!("{}\n", setup.http.url(TEAMS))).unwrap();
        std::fs::write(setup.path("smtp-password"), "hunter2").unwrap();
        setup
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `[watch]` with the three channels; `extra` adds sources and routes.
    pub fn config(&self, extra: &str) -> WatchConfig {
        self.config_with("", extra)
    }

    /// [`Setup::config`] with `settings` added to the `[watch]` table itself.
    pub fn config_with(&self, settings: &str, extra: &str) -> WatchConfig {
        let text = format!(
            r#"
[watch]
{settings}
digest-above = 3
channel-down-alert-after = "1s"

[watch.channels.slack]
type = "slack"
url-file = "{slack}"
min-interval = "0s"

[watch.channels.teams]
type = "teams"
url-file = "{teams}"
min-interval = "0s"

[watch.channels.mail]
type = "email"
smtp-host = "127.0.0.1"
smtp-port = {port}
starttls = false
username = "guardline"
password-file = "{password}"
from = "guardline@example.com"
to = ["ops@example.com", "security@example.com"]
{extra}
"#,
            slack = self.path("slack-url").display(),
            teams = self.path("teams-url").display(),
            password = self.path("smtp-password").display(),
            port = self.smtp.port,
        );
        parse(&text)
    }

    pub fn outbox(&self) -> Outbox {
        Outbox::open(&self.path("watch.sqlite3")).unwrap()
    }

    pub fn watcher(&self, config: &WatchConfig, sources: Vec<Source>) -> Watcher {
        Watcher::new(config.clone(), self.outbox(), sources, account(), options())
    }

    /// The number of messages each channel accepted: (slack, teams, mail).
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.http.accepted(SLACK).len(), self.http.accepted(TEAMS).len(), self.smtp.mails().len())
    }
}

pub fn account() -> Account {
    Account { id: Some("123456789012".to_owned()), alias: Some("acme-prod".to_owned()) }
}

/// Fast retries for tests.
pub fn options() -> WatchOptions {
    WatchOptions {
        retry_base: Duration::from_millis(100),
        retry_max: Duration::from_millis(400),
        ..WatchOptions::default()
    }
}

pub fn parse(text: &str) -> WatchConfig {
    match guardline_config::parse(text, "guardline.toml", &[]) {
        Ok(config) => config.watch.expect("a [watch] section"),
        Err(errors) => panic!("invalid config:\n{errors}"),
    }
}

/// The feed file of the test data directory.
pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/watch/data").join(name))
        .unwrap()
}
