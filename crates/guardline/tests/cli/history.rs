//! Scan history end to end: two `scan --snapshot` runs recorded with `--history-db`, then `history` and
//! `diff`; where the database goes by default; `scan --demo` and `--no-history` record nothing; a newer
//! database is refused; and `exceptions`, the periodic review of exception expiries.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::{Run, guardline_in};

const DEMO_SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/snapshot.json");
const DEMO_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/guardline.toml");

/// Writes the demo snapshot as `before.json`, and as `after.json` a day later with SSH closed on the
/// us-east-1 group `legacy-ops-ssh` and opened to the world on `acme-ops-cli` in Tokyo.
fn write_snapshots(dir: &Path) {
    let mut snapshot: Value = serde_json::from_str(&std::fs::read_to_string(DEMO_SNAPSHOT).unwrap()).unwrap();
    std::fs::write(dir.join("before.json"), snapshot.to_string()).unwrap();
    snapshot["collected_at"] = json!("2026-11-29T09:00:00Z");
    let mut set_ingress = |region: &str, id: &str, ingress: Value| {
        let groups = snapshot["regions"][region]["security_groups"]["value"].as_array_mut().unwrap();
        let group = groups.iter_mut().find(|group| group["id"] == id).expect("the group is in the demo");
        group["ingress"] = ingress;
    };
    set_ingress("us-east-1", "sg-0b2c3d4e5f6a70012", json!([]));
    set_ingress(
        "ap-northeast-1",
        "sg-0a1b2c3d4e5f60005",
        json!([{"protocol": "tcp", "from_port": 22, "to_port": 22, "ipv4_ranges": ["0.0.0.0/0"], "ipv6_ranges": []}]),
    );
    std::fs::write(dir.join("after.json"), snapshot.to_string()).unwrap();
}

fn scan(dir: &Path, snapshot: &str, extra: &[&str]) -> Run {
    let mut args = vec!["scan", "--snapshot", snapshot, "--config", DEMO_CONFIG, "--today", "2026-11-28"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--format", "json", "-o", "report.json"]);
    guardline_in(dir, &args, &[])
}

#[test]
fn two_scans_are_listed_and_diffed() {
    let dir = tempfile::tempdir().unwrap();
    write_snapshots(dir.path());
    for snapshot in ["before.json", "after.json"] {
        let run = scan(dir.path(), snapshot, &["--history-db", "history.sqlite3"]);
        assert_eq!(run.code, 1, "the demo account fails: {}", run.stderr);
    }

    let history = guardline_in(dir.path(), &["history", "--history-db", "history.sqlite3"], &[]);
    assert_eq!(history.code, 0, "{}", history.stderr);
    // Nothing here is volatile: the times are the snapshots' collection times, the IDs start at 1.
    insta::assert_snapshot!("history_terminal", history.stdout);
    let json =
        guardline_in(dir.path(), &["history", "--history-db", "history.sqlite3", "--format", "json"], &[]);
    let json: Value = serde_json::from_str(&json.stdout).unwrap();
    let scans = json["scans"].as_array().unwrap();
    assert_eq!(scans.len(), 2);
    assert_eq!(scans[0]["collected_at"], "2026-11-28T09:00:00Z");
    assert_eq!(scans[1]["collected_at"], "2026-11-29T09:00:00Z");
    assert_eq!(scans[1]["account_alias"], "acme-prod");
    let other = guardline_in(
        dir.path(),
        &["history", "--history-db", "history.sqlite3", "--account", "999999999999", "--format", "json"],
        &[],
    );
    assert_eq!(serde_json::from_str::<Value>(&other.stdout).unwrap(), json!({ "scans": [] }));

    // By default: the last two scans of the only account.
    let diff = guardline_in(dir.path(), &["diff", "--history-db", "history.sqlite3"], &[]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    insta::assert_snapshot!("diff_terminal", diff.stdout);
    let ja = guardline_in(dir.path(), &["diff", "--history-db", "history.sqlite3", "--lang", "ja"], &[]);
    assert!(ja.stdout.contains("新たな不合格 (1)") && ja.stdout.contains("解消 (1)"), "{}", ja.stdout);

    // Explicit IDs, JSON, and the account's last two: the same diff.
    let explicit = guardline_in(
        dir.path(),
        &["diff", "1", "2", "--history-db", "history.sqlite3", "--format", "json"],
        &[],
    );
    let by_account = guardline_in(
        dir.path(),
        &["diff", "--account", "123456789012", "--history-db", "history.sqlite3", "--format", "json"],
        &[],
    );
    assert_eq!(explicit.stdout, by_account.stdout);
    let diff: Value = serde_json::from_str(&explicit.stdout).unwrap();
    let line = |entry: &Value| {
        format!(
            "{} {} {} {} -> {}",
            entry["control"].as_str().unwrap(),
            entry["region"].as_str().unwrap(),
            entry["resource"].as_str().unwrap(),
            entry["before"],
            entry["after"]
        )
    };
    let lines = |key: &str| diff[key].as_array().unwrap().iter().map(line).collect::<Vec<_>>();
    assert_eq!(
        lines("new_failures"),
        [
            "EC2-001 ap-northeast-1 arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-0a1b2c3d4e5f60005 \
             \"pass\" -> \"fail\""
        ]
    );
    assert_eq!(
        lines("resolved"),
        [
            "EC2-001 us-east-1 arn:aws:ec2:us-east-1:123456789012:security-group/sg-0b2c3d4e5f6a70012 \"fail\" -> \"pass\""
        ]
    );
    assert_eq!(diff["old"]["id"], 1);
    assert_eq!(diff["new"]["id"], 2);

    // Diffing the other way round swaps new and resolved.
    let reverse = guardline_in(
        dir.path(),
        &["diff", "2", "1", "--history-db", "history.sqlite3", "--format", "json"],
        &[],
    );
    let reverse: Value = serde_json::from_str(&reverse.stdout).unwrap();
    assert_eq!(reverse["new_failures"][0]["resource"], diff["resolved"][0]["resource"]);
    assert_eq!(reverse["resolved"][0]["resource"], diff["new_failures"][0]["resource"]);

    let missing = guardline_in(dir.path(), &["diff", "1", "7", "--history-db", "history.sqlite3"], &[]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("history.sqlite3: no scan with id 7"), "{}", missing.stderr);
}

#[test]
fn the_default_database_is_in_the_data_dir_and_the_environment_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    write_snapshots(dir.path());
    let data = dir.path().join("data");
    let xdg = [("XDG_DATA_HOME", data.display().to_string())];
    let run = guardline_in(
        dir.path(),
        &["scan", "--snapshot", "before.json", "--config", DEMO_CONFIG, "-o", "r.json"],
        &xdg,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(data.join("guardline/history.sqlite3").is_file());
    let listed = guardline_in(dir.path(), &["history", "--format", "json"], &xdg);
    assert_eq!(serde_json::from_str::<Value>(&listed.stdout).unwrap()["scans"].as_array().unwrap().len(), 1);

    // Without XDG_DATA_HOME: ~/.local/share.
    let home = [("HOME", dir.path().join("home").display().to_string())];
    let run = guardline_in(
        dir.path(),
        &["scan", "--snapshot", "before.json", "--config", DEMO_CONFIG, "-o", "r.json"],
        &[home[0].clone(), ("XDG_DATA_HOME", String::new())],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(dir.path().join("home/.local/share/guardline/history.sqlite3").is_file());

    // GUARDLINE_HISTORY_DB beats the data dir; --history-db beats both.
    let env =
        [("GUARDLINE_HISTORY_DB", dir.path().join("env.sqlite3").display().to_string()), xdg[0].clone()];
    guardline_in(
        dir.path(),
        &["scan", "--snapshot", "before.json", "--config", DEMO_CONFIG, "-o", "r.json"],
        &env,
    );
    assert!(dir.path().join("env.sqlite3").is_file());
    guardline_in(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            "after.json",
            "--config",
            DEMO_CONFIG,
            "-o",
            "r.json",
            "--history-db",
            "flag.db",
        ],
        &env,
    );
    assert!(dir.path().join("flag.db").is_file());
    let listed = guardline_in(dir.path(), &["history", "--format", "json"], &xdg);
    assert_eq!(serde_json::from_str::<Value>(&listed.stdout).unwrap()["scans"].as_array().unwrap().len(), 1);
}

#[test]
fn demo_and_no_history_record_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write_snapshots(dir.path());
    let env = [("GUARDLINE_HISTORY_DB", "h.sqlite3".to_owned())];
    let demo = guardline_in(dir.path(), &["scan", "--demo", "-o", "r.txt"], &env);
    assert_eq!(demo.code, 1, "{}", demo.stderr);
    let skipped = scan(dir.path(), "before.json", &["--history-db", "h.sqlite3", "--no-history"]);
    assert_eq!(skipped.code, 1, "{}", skipped.stderr);
    assert!(!dir.path().join("h.sqlite3").exists());
    // Reading creates nothing, and "nothing to compare" is exit 0, as the README says.
    let diff = guardline_in(dir.path(), &["diff", "--history-db", "h.sqlite3"], &[]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert!(diff.stderr.contains("no history yet at h.sqlite3: nothing to compare"), "{}", diff.stderr);
    assert_eq!(diff.stdout, "");
    let history = guardline_in(dir.path(), &["history", "--history-db", "h.sqlite3"], &[]);
    assert_eq!(history.code, 0, "{}", history.stderr);
    assert!(history.stdout.contains("No history yet at h.sqlite3"), "{}", history.stdout);
    let json = guardline_in(dir.path(), &["history", "--history-db", "h.sqlite3", "--format", "json"], &[]);
    assert_eq!(serde_json::from_str::<Value>(&json.stdout).unwrap(), json!({ "scans": [] }));
    assert!(!dir.path().join("h.sqlite3").exists(), "reading the history created the database");
    // Explicit scan IDs in a missing database are an error naming it.
    let ids = guardline_in(dir.path(), &["diff", "1", "2", "--history-db", "h.sqlite3"], &[]);
    assert_eq!(ids.code, 2);
    assert!(ids.stderr.contains("no history yet at h.sqlite3"), "{}", ids.stderr);
    // One scan recorded: still nothing to compare (exit 0); reading leaves the database as it was.
    let one = scan(dir.path(), "before.json", &["--history-db", "h.sqlite3"]);
    assert_eq!(one.code, 1, "{}", one.stderr);
    let modified = std::fs::metadata(dir.path().join("h.sqlite3")).unwrap().modified().unwrap();
    let diff = guardline_in(dir.path(), &["diff", "--history-db", "h.sqlite3"], &[]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert!(
        diff.stderr.contains("fewer than two scans of account 123456789012: nothing to compare"),
        "{}",
        diff.stderr
    );
    assert_eq!(std::fs::metadata(dir.path().join("h.sqlite3")).unwrap().modified().unwrap(), modified);
}

#[test]
fn a_history_write_failure_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write_snapshots(dir.path());
    std::fs::write(dir.path().join("notes.txt"), "not a database ".repeat(100)).unwrap();
    let run = scan(dir.path(), "before.json", &["--history-db", "notes.txt"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("history database notes.txt"), "{}", run.stderr);
    assert!(run.stderr.contains("--no-history"), "{}", run.stderr);
}

#[test]
fn a_database_of_a_newer_guardline_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_snapshots(dir.path());
    assert_eq!(scan(dir.path(), "before.json", &["--history-db", "h.sqlite3"]).code, 1);
    let newer = guardline_history::SCHEMA_VERSION + 1;
    // SQLite keeps user_version as a big-endian integer at offset 60 of the file header.
    let path = dir.path().join("h.sqlite3");
    let checkpoint = guardline_in(dir.path(), &["history", "--history-db", "h.sqlite3"], &[]);
    assert_eq!(checkpoint.code, 0);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[60..64].copy_from_slice(&(newer as u32).to_be_bytes());
    std::fs::write(&path, bytes).unwrap();
    let _ = std::fs::remove_file(dir.path().join("h.sqlite3-wal"));
    let _ = std::fs::remove_file(dir.path().join("h.sqlite3-shm"));
    let run = guardline_in(dir.path(), &["history", "--history-db", "h.sqlite3"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!(
            "the history database h.sqlite3 has schema version {newer}, newer than this build of Guardline \
             supports ({})",
            guardline_history::SCHEMA_VERSION
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn exceptions_lists_the_expired_and_the_soon_expiring() {
    let dir = tempfile::tempdir().unwrap();
    let run = guardline_in(
        dir.path(),
        &["exceptions", "--config", DEMO_CONFIG, "--today", "2026-11-28", "--within", "64"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let stdout = run.stdout.replace(DEMO_CONFIG, "demo/guardline.toml");
    insta::assert_snapshot!("exceptions_within_64", stdout);
    // By default 30 days: only the expired one.
    let run =
        guardline_in(dir.path(), &["exceptions", "--config", DEMO_CONFIG, "--today", "2026-11-28"], &[]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("(today 2026-11-28, within 30 days): 1 of 3"), "{}", run.stdout);
    assert!(run.stdout.contains(":54: IAM-005 EXPIRED (2026-10-31)"), "{}", run.stdout);
    assert!(!run.stdout.contains("EC2-001"), "{}", run.stdout);
    // No config at all is an error.
    let none = guardline_in(dir.path(), &["exceptions"], &[]);
    assert_eq!(none.code, 2);
}

/// The HTML report charts failing controls over the account's stored scans.
#[test]
fn html_report_shows_the_trend_of_stored_scans() {
    let dir = tempfile::tempdir().unwrap();
    write_snapshots(dir.path());
    let html = |snapshot: &str| {
        let args = [
            "scan",
            "--snapshot",
            snapshot,
            "--config",
            DEMO_CONFIG,
            "--today",
            "2026-11-28",
            "--history-db",
            "trend.sqlite3",
            "--format",
            "html",
            "-o",
            "report.html",
        ];
        let run = guardline_in(dir.path(), &args, &[]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        std::fs::read_to_string(dir.path().join("report.html")).unwrap()
    };
    let first = html("before.json");
    assert!(!first.contains("id=\"trend\""), "one scan is no trend");
    let second = html("after.json");
    assert!(second.contains("id=\"trend\""), "two scans chart a trend");
    assert_eq!(second.matches("class=\"trend-point\"").count(), 2);
}
