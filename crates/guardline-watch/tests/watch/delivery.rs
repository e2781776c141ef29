//! Delivery guarantees against the local servers: a channel down does not hold the others up and gets its
//! alerts after recovery; a channel down too long is announced on the others, once; 429 `Retry-After` is
//! honoured; a burst becomes a digest; secrets stay out of errors; feeds filter by keyword.

use std::time::Duration;

use guardline_watch::sources::Source;

use crate::support::{SLACK, Setup, TEAMS, fixture, options, parse};

const FEED_ROUTE: &str = r#"
[[watch.feeds]]
name = "jvn"
url = "http://127.0.0.1/unused"
keywords = ["openssl", "TOMCAT"]

[[watch.routes]]
sources = ["jvn"]
channels = ["slack", "teams", "mail"]
"#;

fn jvn(setup: &Setup) -> Source {
    setup.http.serve("/jvn.rdf", "application/rss+xml", &fixture("jvn.rdf"));
    Source::Feed {
        name: "jvn".into(),
        url: setup.http.url("/jvn.rdf"),
        keywords: vec!["openssl".into(), "TOMCAT".into()],
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn feeds_are_filtered_by_keyword() {
    let setup = Setup::new();
    let config = setup.config(FEED_ROUTE);
    let report = setup.watcher(&config, vec![jvn(&setup)]).run_once().await.unwrap();
    assert_eq!((report.events, report.delivered), (2, 6), "{report:?}");
    let bodies: String = setup.http.accepted(SLACK).iter().map(|request| request.body.clone()).collect();
    assert!(bodies.contains("OpenSSL buffer overflow") && bodies.contains("Apache Tomcat"));
    assert!(!bodies.contains("desktop application"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_channel_down_gets_its_alerts_after_recovery_and_is_announced_once() {
    let setup = Setup::new();
    let config = setup.config(FEED_ROUTE);
    setup.http.set_down(TEAMS, true);
    let watcher = setup.watcher(&config, vec![jvn(&setup)]);
    let report = watcher.run_once().await.unwrap();
    assert_eq!((report.delivered, report.failed), (4, 1), "{report:?}");
    assert_eq!(setup.counts(), (2, 0, 2), "Slack and mail are not held up by Teams");

    // Past `channel-down-alert-after` (1 s): the outage is announced on the other channels.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    watcher.deliver_pass().await.unwrap();
    assert_eq!(setup.counts(), (3, 0, 3));
    let slack = setup.http.accepted(SLACK);
    let announcement = slack.last().unwrap().body.clone();
    assert!(announcement.contains("Alert channel down: teams"), "{announcement}");
    assert!(!announcement.contains("teams-secret"), "the webhook URL stays secret: {announcement}");
    let mail = setup.smtp.mails().last().unwrap().text();
    assert!(mail.contains("Alert channel down"), "{mail}");
    // Only once per outage.
    tokio::time::sleep(Duration::from_millis(500)).await;
    watcher.deliver_pass().await.unwrap();
    assert_eq!(setup.counts(), (3, 0, 3));

    // Teams recovers: its queued alerts arrive, once each, in order; the others get nothing more.
    setup.http.set_down(TEAMS, false);
    tokio::time::sleep(Duration::from_millis(500)).await;
    watcher.deliver_pass().await.unwrap();
    assert_eq!(setup.counts(), (3, 2, 3));
    let teams: Vec<String> = setup.http.accepted(TEAMS).iter().map(|request| request.body.clone()).collect();
    assert!(teams[0].contains("OpenSSL") && teams[1].contains("Tomcat"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    watcher.run_once().await.unwrap();
    assert_eq!(setup.counts(), (3, 2, 3));
    assert_eq!(watcher.with_outbox(|outbox| outbox.pending().unwrap()), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_send_stays_queued_across_a_restart() {
    let setup = Setup::new();
    let config = setup.config(FEED_ROUTE);
    setup.smtp.set_down(true);
    setup.watcher(&config, vec![jvn(&setup)]).run_once().await.unwrap();
    assert_eq!(setup.counts(), (2, 2, 0));
    setup.smtp.set_down(false);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A new process (new watcher, same database), and the feed still lists the same items.
    let report = setup.watcher(&config, vec![jvn(&setup)]).run_once().await.unwrap();
    assert_eq!((report.events, report.delivered), (0, 2), "{report:?}");
    assert_eq!(setup.counts(), (2, 2, 2));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_removed_channel_s_pending_deliveries_are_dropped_and_counted() {
    let setup = Setup::new();
    let config = setup.config(FEED_ROUTE);
    setup.smtp.set_down(true);
    setup.watcher(&config, vec![jvn(&setup)]).run_once().await.unwrap();
    assert_eq!(setup.counts(), (2, 2, 0));
    let mut outbox = setup.outbox();
    assert_eq!(outbox.pending().unwrap(), 2, "mail's two alerts wait");
    let configured: Vec<&str> = config.channels.keys().map(String::as_str).collect();
    assert_eq!(outbox.drop_unconfigured(&configured).unwrap(), [], "every channel still configured");
    assert_eq!(outbox.pending().unwrap(), 2);
    let without_mail: Vec<&str> = configured.into_iter().filter(|name| *name != "mail").collect();
    assert_eq!(outbox.drop_unconfigured(&without_mail).unwrap(), [("mail".to_owned(), 2)]);
    assert_eq!(outbox.pending().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_of_a_429_is_honoured() {
    let setup = Setup::new();
    let config = setup.config(FEED_ROUTE);
    setup.http.fail_next(SLACK, 429, 1, Some(1));
    setup.watcher(&config, vec![jvn(&setup)]).run_once().await.unwrap();
    let requests = setup.http.requests(SLACK);
    assert_eq!(requests.iter().map(|request| request.status).collect::<Vec<_>>(), [429, 200, 200]);
    let waited = requests[1].at - requests[0].at;
    assert!(waited >= Duration::from_millis(950), "waited {waited:?}");
    assert_eq!(setup.counts(), (2, 2, 2));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_500_is_retried_with_backoff() {
    let setup = Setup::new();
    let config = setup.config(FEED_ROUTE);
    setup.http.fail_next(SLACK, 500, 2, None);
    let watcher = setup.watcher(&config, vec![jvn(&setup)]);
    watcher.run_once().await.unwrap();
    assert_eq!(setup.counts().0, 0);
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        watcher.deliver_pass().await.unwrap();
    }
    let statuses: Vec<u16> = setup.http.requests(SLACK).iter().map(|request| request.status).collect();
    assert_eq!(statuses, [500, 500, 200, 200]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_becomes_one_digest() {
    let setup = Setup::new();
    let config = setup.config(
        r#"
[[watch.feeds]]
name = "nvd"
url = "http://127.0.0.1/unused"

[[watch.routes]]
sources = ["nvd"]
channels = ["slack", "mail"]
"#,
    );
    let items: String = (1..=5)
        .map(|n| format!("<entry><id>urn:cve:{n}</id><title>CVE-2026-000{n}</title><updated>2026-11-02T00:00:0{n}Z</updated><link href=\"https://nvd.example/{n}\"/></entry>"))
        .collect();
    let atom = format!(
        "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><id>urn:nvd</id><title>NVD</title><updated>2026-11-02T00:00:00Z</updated>{items}</feed>"
    );
    setup.http.serve("/nvd.atom", "application/atom+xml", &atom);
    let source = Source::Feed { name: "nvd".into(), url: setup.http.url("/nvd.atom"), keywords: vec![] };
    let report = setup.watcher(&config, vec![source]).run_once().await.unwrap();
    assert_eq!(
        (report.events, report.delivered),
        (1, 2),
        "digest-above = 3, five items: one digest per channel"
    );
    let body = setup.http.accepted(SLACK)[0].json();
    assert!(body["text"].as_str().unwrap().contains("5 new alerts"), "{body}");
    for n in 1..=5 {
        assert!(body["blocks"].to_string().contains(&format!("CVE-2026-000{n}")));
    }
    assert!(setup.smtp.mails()[0].text().contains("CVE-2026-0005"));
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_stay_out_of_errors() {
    let setup = Setup::new();
    let config = setup.config(FEED_ROUTE);
    // A webhook URL whose host refuses connections: the error must not carry its path.
    std::fs::write(setup.path("slack-url"), "http://127.0.0.1:9/services/T000/B000/do-not-log-me").unwrap();
    let watcher = setup.watcher(&config, vec![jvn(&setup)]);
    watcher.run_once().await.unwrap();
    let state = watcher.with_outbox(|outbox| outbox.channel_state("slack").unwrap());
    let error = state.last_error.expect("slack failed");
    assert!(!error.contains("do-not-log-me"), "{error}");
    assert!(state.failing_since.is_some());
    // A missing secret names the variable, never a value.
    let missing = parse(&format!(
        "[watch.channels.s]\ntype = \"slack\"\nurl-env = \"GUARDLINE_TEST_UNSET_WEBHOOK\"\n[[watch.routes]]\nsources = [\"x\"]\nchannels = [\"s\"]\n[[watch.feeds]]\nname = \"x\"\nurl = \"{}\"\n",
        setup.http.url("/jvn.rdf")
    ));
    let watcher =
        guardline_watch::Watcher::new(missing, setup.outbox(), vec![], crate::support::account(), options());
    let result = watcher.send_test("s").await.unwrap();
    assert!(result.unwrap_err().to_string().contains("GUARDLINE_TEST_UNSET_WEBHOOK is not set"));
}

#[tokio::test(flavor = "multi_thread")]
async fn slack_bot_tokens_post_with_chat_post_message() {
    let setup = Setup::new();
    std::fs::write(setup.path("token"), "xoxb-test-token\n").unwrap();
    setup.http.ok_body("/api/chat.postMessage", r#"{"ok":true}"#);
    let config = parse(&format!(
        "[watch.channels.bot]\ntype = \"slack\"\ntoken-file = \"{}\"\nchannel = \"C0123\"\napi-url = \"{}\"\n",
        setup.path("token").display(),
        setup.http.url("/api")
    ));
    let watcher =
        guardline_watch::Watcher::new(config, setup.outbox(), vec![], crate::support::account(), options());
    watcher.send_test("bot").await.unwrap().unwrap();
    let request = &setup.http.accepted("/api/chat.postMessage")[0];
    assert_eq!(request.header("authorization"), Some("Bearer xoxb-test-token"));
    let body = request.json();
    assert_eq!(body["channel"], "C0123");
    assert!(body["blocks"].is_array());
    // Slack's "ok": false is a failure.
    setup.http.ok_body("/api/chat.postMessage", r#"{"ok":false,"error":"channel_not_found"}"#);
    let error = watcher.send_test("bot").await.unwrap().unwrap_err();
    assert!(error.to_string().contains("channel_not_found"));
}

#[tokio::test(flavor = "multi_thread")]
async fn min_interval_spaces_messages_to_one_channel() {
    let setup = Setup::new();
    let config = setup.config(FEED_ROUTE);
    let mut config = config;
    config.channels.get_mut("slack").unwrap().min_interval = Duration::from_millis(400);
    setup.watcher(&config, vec![jvn(&setup)]).run_once().await.unwrap();
    let requests = setup.http.accepted(SLACK);
    assert_eq!(requests.len(), 2);
    assert!(requests[1].at - requests[0].at >= Duration::from_millis(380));
}

#[tokio::test(flavor = "multi_thread")]
async fn starttls_is_required_unless_turned_off() {
    let setup = Setup::new();
    let mut config = setup.config(FEED_ROUTE);
    let guardline_config::watch::ChannelKind::Email(mail) =
        &mut config.channels.get_mut("mail").unwrap().kind
    else {
        panic!("an email channel")
    };
    mail.tls = guardline_config::watch::SmtpTls::Starttls;
    let watcher =
        guardline_watch::Watcher::new(config, setup.outbox(), vec![], crate::support::account(), options());
    // The sink offers no STARTTLS: nothing is sent, and the password never goes over plain text.
    let error = watcher.send_test("mail").await.unwrap().unwrap_err();
    assert!(error.to_string().contains("STARTTLS is not supported"), "{error}");
    assert!(!error.to_string().contains("hunter2"), "{error}");
    assert!(setup.smtp.mails().is_empty());
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn the_outbox_and_its_wal_files_are_0600() {
    use std::os::unix::fs::PermissionsExt as _;
    let setup = Setup::new();
    let config = setup.config(FEED_ROUTE);
    // Kept open: SQLite removes the WAL files when the last connection closes.
    let watcher = setup.watcher(&config, vec![jvn(&setup)]);
    watcher.run_once().await.unwrap();
    for name in ["watch.sqlite3", "watch.sqlite3-wal", "watch.sqlite3-shm"] {
        let mode = std::fs::metadata(setup.path(name)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name}");
    }
}

/// A webhook answering 302 to another server: the message (and the URL) never reach the other server; the
/// send fails and the alert stays queued.
#[tokio::test(flavor = "multi_thread")]
async fn a_redirecting_webhook_is_a_failed_send_and_the_target_never_receives_it() {
    let setup = Setup::new();
    let elsewhere = crate::servers::HttpServer::start();
    setup.http.redirect(SLACK, &elsewhere.url("/collect"));
    let config = setup.config(FEED_ROUTE);
    let watcher = setup.watcher(&config, vec![jvn(&setup)]);
    let report = watcher.run_once().await.unwrap();
    assert_eq!(report.failed, 1, "{report:?}");
    assert_eq!(setup.http.requests(SLACK).len(), 1, "asked once, not followed");
    assert!(elsewhere.all_requests().is_empty(), "the redirect target got {:?}", elsewhere.all_requests());
    let state = watcher.with_outbox(|outbox| outbox.channel_state("slack").unwrap());
    assert!(state.last_error.unwrap().contains("302"));
    assert_eq!(
        watcher.with_outbox(|outbox| outbox.pending().unwrap()),
        2,
        "both alerts still queued for Slack"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_webhooks_are_refused_unless_loopback() {
    let setup = Setup::new();
    let config = setup.config(FEED_ROUTE);
    // A documentation address (never routed): refused before any connection.
    std::fs::write(setup.path("slack-url"), "http://192.0.2.1/services/T000/B000/secret-path").unwrap();
    let watcher = setup.watcher(&config, vec![]);
    let error = watcher.send_test("slack").await.unwrap().unwrap_err().to_string();
    assert!(error.contains("refusing plain http to 192.0.2.1"), "{error}");
    assert!(!error.contains("secret-path"), "{error}");
    std::fs::write(setup.path("slack-url"), "file:///etc/passwd").unwrap();
    let error = watcher.send_test("slack").await.unwrap().unwrap_err().to_string();
    assert!(error.contains("https only"), "{error}");
}

/// Feeds move, so their redirects are followed (webhooks' never are), without a `Referer` naming the old URL.
#[tokio::test(flavor = "multi_thread")]
async fn a_moved_feed_is_followed_without_a_referer() {
    let setup = Setup::new();
    let moved = crate::servers::HttpServer::start();
    moved.serve("/jvn.rdf", "application/rss+xml", &fixture("jvn.rdf"));
    setup.http.redirect("/old.rdf", &moved.url("/jvn.rdf"));
    let config = setup.config(FEED_ROUTE);
    let source = Source::Feed { name: "jvn".into(), url: setup.http.url("/old.rdf"), keywords: vec![] };
    let report = setup.watcher(&config, vec![source]).run_once().await.unwrap();
    assert!(report.source_errors.is_empty() && report.events > 0, "{report:?}");
    let fetched = moved.requests("/jvn.rdf");
    assert_eq!(fetched.len(), 1);
    assert_eq!(fetched[0].header("referer"), None, "{:?}", fetched[0].headers);
}

/// A server that accepts and never answers: the send gives up after the timeout; the alert stays queued.
#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_that_never_answers_times_out() {
    let setup = Setup::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hung = listener.local_addr().unwrap();
    std::fs::write(setup.path("slack-url"), format!("http://{hung}/services/x")).unwrap();
    let config = setup.config(FEED_ROUTE);
    let options = guardline_watch::WatchOptions { timeout: Duration::from_millis(500), ..options() };
    let watcher =
        guardline_watch::Watcher::new(config, setup.outbox(), vec![], crate::support::account(), options);
    let started = std::time::Instant::now();
    let error = watcher.send_test("slack").await.unwrap().unwrap_err().to_string();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(error.contains("timed out") || error.contains("operation timed out"), "{error}");
    drop(listener);
}

/// `tls = "implicit"`: the first bytes on the connection are a TLS ClientHello, not an SMTP greeting wait.
#[tokio::test(flavor = "multi_thread")]
async fn implicit_tls_starts_tls_at_once() {
    use std::io::Read as _;
    let setup = Setup::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let first = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut bytes = [0u8; 3];
        stream.read_exact(&mut bytes).map(|()| bytes)
    });
    let mut config = setup.config(FEED_ROUTE);
    let guardline_config::watch::ChannelKind::Email(mail) =
        &mut config.channels.get_mut("mail").unwrap().kind
    else {
        panic!("an email channel")
    };
    mail.tls = guardline_config::watch::SmtpTls::Implicit;
    mail.smtp_port = port;
    let options = guardline_watch::WatchOptions { timeout: Duration::from_secs(2), ..options() };
    let watcher =
        guardline_watch::Watcher::new(config, setup.outbox(), vec![], crate::support::account(), options);
    assert!(watcher.send_test("mail").await.unwrap().is_err(), "the listener speaks no TLS");
    let bytes = first.join().unwrap().expect("the client spoke first");
    assert_eq!(bytes[0], 0x16, "a TLS handshake record");
    assert_eq!(bytes[1], 0x03);
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_refuses_to_authenticate_without_tls_to_a_remote_host() {
    let setup = Setup::new();
    let mut config = setup.config(FEED_ROUTE);
    let guardline_config::watch::ChannelKind::Email(mail) =
        &mut config.channels.get_mut("mail").unwrap().kind
    else {
        panic!("an email channel")
    };
    mail.smtp_host = "192.0.2.1".to_owned();
    let watcher =
        guardline_watch::Watcher::new(config, setup.outbox(), vec![], crate::support::account(), options());
    let error = watcher.send_test("mail").await.unwrap().unwrap_err().to_string();
    assert!(error.contains("refusing to authenticate without TLS"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_larger_than_the_limit_is_a_source_error() {
    let setup = Setup::new();
    let config = setup.config(FEED_ROUTE);
    let huge = format!(
        "<rss><channel>{}</channel></rss>",
        " ".repeat(guardline_watch::sources::feed::MAX_FEED_BYTES)
    );
    setup.http.serve("/jvn.rdf", "application/rss+xml", &huge);
    let source = Source::Feed { name: "jvn".into(), url: setup.http.url("/jvn.rdf"), keywords: vec![] };
    let report = setup.watcher(&config, vec![source]).run_once().await.unwrap();
    assert_eq!(report.source_errors.len(), 1, "{report:?}");
    assert!(report.source_errors[0].1.contains("larger than 8 MiB"), "{report:?}");
}
