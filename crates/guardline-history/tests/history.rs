//! Recording the demo account's evaluations, listing and diffing them, and what the database refuses:
//! a half-written scan, and a schema newer than this build.

use guardline_history::{History, HistoryError, SCHEMA_VERSION};
use guardline_model::Snapshot;
use guardline_rules::{Evaluation, Outcome};
use serde_json::{Value, json};

const DEMO_SNAPSHOT: &str = include_str!("../../../demo/snapshot.json");
const DEMO_CONFIG: &str = include_str!("../../../demo/guardline.toml");

/// The SSH-open security group of the demo (us-east-1), and a closed one in Tokyo.
const SG_CLOSED: &str = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0b2c3d4e5f6a70012";
const SG_OPENED: &str = "arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-0a1b2c3d4e5f60005";

fn evaluate(snapshot: &Value) -> Evaluation {
    let known: Vec<&str> = guardline_rules::RULES
        .iter()
        .map(|rule| rule.id)
        .chain(guardline_rules::registry::PLANNED.iter().copied())
        .collect();
    let config = guardline_config::parse(DEMO_CONFIG, "demo/guardline.toml", &known).expect("demo config");
    let snapshot = Snapshot::from_json(&snapshot.to_string()).expect("demo snapshot");
    guardline_rules::evaluate(&snapshot, &config, jiff::civil::date(2026, 11, 28))
}

fn demo() -> Value {
    serde_json::from_str(DEMO_SNAPSHOT).unwrap()
}

/// The demo a day later: SSH closed on the us-east-1 group, and opened to the world on `acme-ops-cli`.
fn demo_changed() -> Value {
    let mut snapshot = demo();
    snapshot["collected_at"] = json!("2026-11-29T09:00:00Z");
    set_ingress(&mut snapshot, "us-east-1", SG_CLOSED, json!([]));
    set_ingress(
        &mut snapshot,
        "ap-northeast-1",
        SG_OPENED,
        json!([{"protocol": "tcp", "from_port": 22, "to_port": 22, "ipv4_ranges": ["0.0.0.0/0"], "ipv6_ranges": []}]),
    );
    snapshot
}

fn set_ingress(snapshot: &mut Value, region: &str, arn: &str, ingress: Value) {
    let groups = snapshot["regions"][region]["security_groups"]["value"].as_array_mut().unwrap();
    let group = groups.iter_mut().find(|group| group["arn"] == arn).expect("the group is in the demo");
    group["ingress"] = ingress;
}

/// The error and its sources, as the CLI prints them.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

fn count(path: &std::path::Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| row.get(0)).unwrap()
}

#[test]
fn records_lists_and_diffs_two_scans() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/history.sqlite3");
    let mut history = History::open(&path).unwrap();
    let before = evaluate(&demo());
    let after = evaluate(&demo_changed());
    let old = history.record(&before).unwrap();
    let new = history.record(&after).unwrap();
    assert!(new > old);
    assert_eq!(count(&path, "findings") as usize, before.findings.len() + after.findings.len());

    let scans = history.list(None).unwrap();
    assert_eq!(scans.iter().map(|scan| scan.id).collect::<Vec<_>>(), [old, new]);
    let first = &scans[0];
    assert_eq!(first.account_id, "123456789012");
    assert_eq!(first.account_alias.as_deref(), Some("acme-prod"));
    assert_eq!(first.profile, "production");
    assert_eq!(first.collected_at, "2026-11-28T09:00:00Z");
    assert_eq!(first.evaluated_on, "2026-11-28");
    assert!(first.failed);
    // Every control with findings is counted once, by its worst outcome.
    let controls: std::collections::BTreeSet<&str> =
        before.findings.iter().map(|finding| finding.finding.control.as_str()).collect();
    let counts = first.controls;
    assert_eq!(
        counts.fail + counts.warn + counts.not_evaluated + counts.excepted + counts.not_adopted + counts.pass,
        controls.len()
    );
    let failing_controls: std::collections::BTreeSet<&str> = before
        .findings
        .iter()
        .filter(|finding| finding.outcome == Outcome::Fail)
        .map(|finding| finding.finding.control.as_str())
        .collect();
    assert_eq!(counts.fail, failing_controls.len());
    assert!(history.list(Some("999999999999")).unwrap().is_empty());
    assert_eq!(history.list(Some("123456789012")).unwrap().len(), 2);
    assert_eq!(history.accounts().unwrap(), ["123456789012"]);
    assert_eq!(history.last_two("123456789012").unwrap(), Some((old, new)));
    assert_eq!(history.last_two("999999999999").unwrap(), None);

    let diff = history.diff(old, new).unwrap();
    let ids = |entries: &[guardline_history::DiffEntry]| -> Vec<(String, String)> {
        entries.iter().map(|entry| (entry.finding.control.clone(), entry.finding.resource.clone())).collect()
    };
    assert_eq!(ids(&diff.new_failures), [("EC2-001".to_owned(), SG_OPENED.to_owned())]);
    assert_eq!(ids(&diff.resolved), [("EC2-001".to_owned(), SG_CLOSED.to_owned())]);
    assert_eq!(diff.new_failures[0].before, Some(Outcome::Pass));
    assert_eq!(diff.new_failures[0].after, Some(Outcome::Fail));
    assert_eq!(diff.resolved[0].before, Some(Outcome::Fail));
    assert_eq!(diff.resolved[0].after, Some(Outcome::Pass));
    assert!(diff.new_failures[0].finding.message.en.contains("22"), "{:?}", diff.new_failures[0].finding);
    // Everything else that failed still fails.
    let failing_before = before
        .findings
        .iter()
        .filter(|finding| matches!(finding.outcome, Outcome::Fail | Outcome::Warn))
        .count();
    assert_eq!(diff.still_failing.len(), failing_before - 1);
    // (HUB-002 still reports the closed group: Security Hub's own finding is not re-read in the change.)
    assert!(
        diff.still_failing
            .iter()
            .all(|entry| entry.finding.control != "EC2-001" || entry.finding.resource != SG_CLOSED)
    );

    // The same scan against itself: nothing new, nothing resolved.
    let same = history.diff(new, new).unwrap();
    assert!(same.new_failures.is_empty() && same.resolved.is_empty());

    // Reopening keeps everything.
    drop(history);
    let history = History::open(&path).unwrap();
    assert_eq!(history.list(None).unwrap(), scans);
    assert!(matches!(history.diff(old, 999), Err(HistoryError::NoSuchScan { id: 999, .. })));
}

/// NOT EVALUATED is never a pass: a failure whose data could not be read the next day is not "resolved",
/// whether the finding itself turned NOT EVALUATED or its control could not list the resource any more.
#[test]
fn a_failure_that_becomes_not_evaluated_is_not_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let mut history = History::open(&dir.path().join("history.sqlite3")).unwrap();
    let before = evaluate(&demo());
    let mut blind = demo();
    blind["collected_at"] = json!("2026-11-29T09:00:00Z");
    blind["regions"]["us-east-1"]["security_groups"] = json!({"status": "error", "error": {
        "action": "ec2:DescribeSecurityGroups", "kind": "access-denied", "code": "UnauthorizedOperation",
        "message": "You are not authorized to perform this operation."}});
    let after = evaluate(&blind);
    let old = history.record(&before).unwrap();
    let new = history.record(&after).unwrap();
    let diff = history.diff(old, new).unwrap();
    let hidden: Vec<&str> = diff
        .no_longer_evaluated
        .iter()
        .filter(|entry| entry.finding.control == "EC2-001")
        .map(|entry| entry.finding.resource.as_str())
        .collect();
    assert_eq!(hidden, [SG_CLOSED]);
    assert_eq!(diff.no_longer_evaluated[0].before, Some(Outcome::Fail));
    assert!(diff.no_longer_evaluated.iter().all(|entry| entry.after == Some(Outcome::NotEvaluated)));
    assert!(
        diff.resolved.iter().all(|entry| entry.after != Some(Outcome::NotEvaluated)
            && !(entry.finding.control == "EC2-001" && entry.finding.resource == SG_CLOSED)),
        "{:#?}",
        diff.resolved
    );
}

#[test]
fn the_stored_findings_read_back_as_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let mut history = History::open(&dir.path().join("h.sqlite3")).unwrap();
    let evaluation = evaluate(&demo());
    let id = history.record(&evaluation).unwrap();
    let stored = history.findings(id).unwrap();
    assert_eq!(stored.len(), evaluation.findings.len());
    for (stored, evaluated) in stored.iter().zip(&evaluation.findings) {
        assert_eq!(stored.control, evaluated.finding.control);
        assert_eq!(stored.region, evaluated.finding.region);
        assert_eq!(stored.resource, evaluated.finding.resource);
        assert_eq!(stored.subject, evaluated.finding.subject);
        assert_eq!(stored.status, evaluated.finding.status);
        assert_eq!(stored.outcome, evaluated.outcome);
        assert_eq!(stored.severity, evaluated.severity);
        assert_eq!(stored.section, evaluated.section);
        assert_eq!(stored.message, evaluated.finding.message);
    }
}

#[test]
fn a_write_that_fails_midway_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let mut history = History::open(&path).unwrap();
    let evaluation = evaluate(&demo());
    history.record(&evaluation).unwrap();
    let findings_before = count(&path, "findings");
    // Another connection installs a trigger that fails the 10th finding insert of any later scan.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER boom BEFORE INSERT ON findings
             WHEN NEW.scan_id > 1 AND NEW.seq = 9
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let error = history.record(&evaluation).unwrap_err();
    assert!(matches!(error, HistoryError::Sqlite { .. }), "{error:?}");
    let message = chain(&error);
    assert!(message.contains("history.sqlite3") && message.contains("injected failure"), "{message}");
    assert_eq!(count(&path, "scans"), 1);
    assert_eq!(count(&path, "findings"), findings_before);
    assert_eq!(history.list(None).unwrap().len(), 1);
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.sqlite3");
    let newer = SCHEMA_VERSION + 1;
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(&format!("PRAGMA user_version = {newer}"))
        .unwrap();
    let error = History::open(&path).unwrap_err();
    assert!(
        matches!(error, HistoryError::TooNew { found, supported, .. } if found == newer && supported == SCHEMA_VERSION)
    );
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains(&format!("schema version {newer}")), "{message}");
    assert!(message.contains(&format!("supports ({SCHEMA_VERSION})")), "{message}");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
    assert_eq!(version, newer);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |row| row.get(0)).unwrap();
    assert_eq!(mode, "delete", "a refused file is not switched to WAL");
}

/// A database a version-1 build wrote (its schema as that build created it): migrated in place, its scans
/// kept (their findings without a subject), and a new scan recorded and diffed against them.
#[test]
fn a_version_1_database_is_migrated_and_keeps_its_scans() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.sqlite3");
    let old = evaluate(&demo());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE scans (id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, account_alias TEXT, profile TEXT NOT NULL,
             collected_at TEXT NOT NULL, collected_at_ms INTEGER NOT NULL, evaluated_on TEXT NOT NULL,
             regions TEXT NOT NULL, failed INTEGER NOT NULL);
         CREATE INDEX scans_by_account ON scans (account_id, collected_at_ms, id);
         CREATE TABLE findings (scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
             seq INTEGER NOT NULL, control TEXT NOT NULL, region TEXT NOT NULL, resource TEXT NOT NULL,
             status TEXT NOT NULL, outcome TEXT NOT NULL, severity TEXT NOT NULL, section TEXT NOT NULL,
             message_en TEXT NOT NULL, message_ja TEXT NOT NULL, PRIMARY KEY (scan_id, seq));
         PRAGMA user_version = 1;",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO scans VALUES (1, ?1, 'acme-prod', 'production', '2026-11-01T00:00:00Z', 1793491200000,
         '2026-11-01', '[\"ap-northeast-1\"]', 1)",
        [&old.account_id],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO findings VALUES (1, 0, 'IAM-005', 'global', 'arn:aws:iam::123456789012:user/ci-deploy',
         'FAIL', 'fail', 'high', 'security', 'user ci-deploy has an active key', 'キーがあります')",
        [],
    )
    .unwrap();
    drop(conn);

    let mut history = History::open(&path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let kept = history.findings(1).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].subject, None, "a version-1 finding has no subject");
    let new = history.record(&old).unwrap();
    let stored = history.findings(new).unwrap();
    assert!(stored.iter().any(|finding| finding.subject.is_some()), "subjects are stored now");
    assert_eq!(history.list(None).unwrap().len(), 2);
}

#[test]
fn a_new_database_has_the_current_schema_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite3");
    History::open(&path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |row| row.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_file_that_is_not_a_database_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "this is not a database, just some text that is long enough to matter".repeat(20))
        .unwrap();
    let message = chain(&History::open(&path).unwrap_err());
    assert!(message.contains("notes.txt") && message.contains("not a database"), "{message}");
}

#[cfg(unix)]
#[test]
fn a_new_database_and_its_wal_files_are_0600() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/history.sqlite3");
    let mut history = History::open(&path).unwrap();
    history.record(&evaluate(&demo())).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
}

/// NOT APPLICABLE is stored and read back as itself, counted on its own, and is not a pass for a diff: the
/// demo's organisation failures, once the account is outside any organization, are "no longer applicable",
/// not resolved.
#[test]
fn not_applicable_is_stored_and_a_failure_that_becomes_not_applicable_is_not_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let mut history = History::open(&dir.path().join("history.sqlite3")).unwrap();
    let member = evaluate(&demo());
    let mut standalone = demo();
    standalone["collected_at"] = json!("2026-11-29T09:00:00Z");
    standalone["global"]["organization"] = json!({"status": "ok", "value": null});
    let standalone = evaluate(&standalone);
    let old = history.record(&member).unwrap();
    let new = history.record(&standalone).unwrap();

    let stored = history.findings(new).unwrap();
    let inapplicable: Vec<(&str, guardline_model::Status)> = stored
        .iter()
        .filter(|finding| finding.outcome == Outcome::NotApplicable)
        .map(|finding| (finding.control.as_str(), finding.status))
        .collect();
    let expected: Vec<(&str, guardline_model::Status)> =
        ["ORG-001", "ORG-002", "ORG-003", "ORG-004", "ORG-005"]
            .into_iter()
            .map(|control| (control, guardline_model::Status::NotApplicable))
            .collect();
    assert_eq!(inapplicable, expected);
    let scans = history.list(None).unwrap();
    let counts = scans.iter().find(|scan| scan.id == new).expect("listed").controls;
    assert_eq!(counts.not_applicable, 5, "{counts:?}");
    assert_eq!(scans.iter().find(|scan| scan.id == old).expect("listed").controls.not_applicable, 0);

    let diff = history.diff(old, new).unwrap();
    let mut gone: Vec<(&str, &str)> = diff
        .no_longer_applicable
        .iter()
        .map(|entry| (entry.finding.control.as_str(), entry.finding.resource.as_str()))
        .collect();
    gone.sort();
    assert_eq!(gone.len(), 8, "ORG-001's six users, ORG-002's viewer, ORG-003's engineer: {gone:?}");
    assert!(gone.contains(&("ORG-002", "arn:aws:iam::123456789012:role/viewer")));
    assert!(
        diff.no_longer_applicable
            .iter()
            .all(|entry| entry.before == Some(Outcome::Fail) && entry.after == Some(Outcome::NotApplicable))
    );
    assert!(
        diff.resolved.iter().all(|entry| !entry.finding.control.starts_with("ORG-")),
        "{:#?}",
        diff.resolved
    );
    assert!(diff.new_failures.iter().all(|entry| !entry.finding.control.starts_with("ORG-")));
}
