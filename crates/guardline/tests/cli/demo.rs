//! `scan --demo`: the bundled demo report in every format and language.

use crate::support::guardline;

const TODAY: &str = "2026-11-28";

#[test]
fn terminal_report_groups_by_section_and_fails() {
    let run = guardline(&["scan", "--demo", "--today", TODAY, "--color", "never"]);
    assert_eq!(run.code, 1, "the demo account fails adopted controls\n{}", run.stderr);
    for title in
        ["1. Cost", "2. Security hardening", "3. Preventing mistakes", "4. Early detection and response"]
    {
        assert!(run.stdout.contains(title), "missing section {title}");
    }
    insta::assert_snapshot!("demo_terminal_en", run.stdout);
}

#[test]
fn terminal_report_in_japanese() {
    let run = guardline(&["scan", "--demo", "--today", TODAY, "--color", "never", "--lang", "ja"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("1. コストをチェックし、削減する"));
    insta::assert_snapshot!("demo_terminal_ja", run.stdout);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let plain = guardline(&["scan", "--demo", "--today", TODAY]);
    assert!(!plain.stdout.contains('\u{1b}'), "no escape codes when stdout is not a terminal");
    let coloured = guardline(&["scan", "--demo", "--today", TODAY, "--color", "always"]);
    assert!(coloured.stdout.contains("\u{1b}[1m\u{1b}[31mFAIL"), "FAIL is bold red");
}

#[test]
fn json_report_has_every_section_and_all_three_statuses() {
    let run = guardline(&["scan", "--demo", "--today", TODAY, "--format", "json"]);
    assert_eq!(run.code, 1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(report["format"], "guardline-report");
    assert_eq!(report["account_id"], "123456789012");
    assert_eq!(report["failed"], true);
    let findings = report["findings"].as_array().unwrap();
    for section in ["cost", "security", "mistakes", "detection"] {
        for status in ["PASS", "FAIL"] {
            assert!(
                findings.iter().any(|f| f["section"] == section && f["status"] == status),
                "the demo shows a {status} in section {section}"
            );
        }
    }
    assert!(findings.iter().any(|f| f["status"] == "NOT_EVALUATED"));
    assert!(findings.iter().any(|f| f["outcome"] == "excepted"), "a current exception applies");
    assert!(
        findings.iter().any(|f| f["outcome"] == "fail" && f["exception"]["expired"] == true),
        "an expired exception fails again"
    );
    assert!(!report["unused_exceptions"].as_array().unwrap().is_empty(), "an unused exception is reported");
    insta::assert_snapshot!("demo_findings", crate::support::finding_lines(&report));
}

#[test]
fn report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let run = crate::support::guardline_in(
        dir.path(),
        &["scan", "--demo", "--today", TODAY, "--format", "json", "--output", path.to_str().unwrap()],
        &[],
    );
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(report["profile"], "production");
}

#[test]
fn several_formats_into_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let run = crate::support::guardline_in(
        dir.path(),
        &[
            "scan",
            "--demo",
            "--format",
            "html,csv,sarif,ocsf,asff,junit,json,terminal",
            "--output-dir",
            "out",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "everything goes to files");
    for name in [
        "guardline-report.html",
        "guardline-report.csv",
        "guardline-report.sarif",
        "guardline-report.ocsf.json",
        "guardline-report.asff.json",
        "guardline-report.junit.xml",
        "guardline-report.json",
        "guardline-report.txt",
    ] {
        let text = std::fs::read_to_string(dir.path().join("out").join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(text.contains("123456789012") || name.ends_with(".txt"), "{name} names the account");
    }
    let html = std::fs::read_to_string(dir.path().join("out/guardline-report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"), "{}", &html[..40]);
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/guardline-report.sarif")).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn several_formats_need_a_directory() {
    let run = guardline(&["scan", "--demo", "--format", "json,csv"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("need --output-dir"), "{}", run.stderr);
}

#[test]
fn html_report_has_the_demo_cost_section() {
    let dir = tempfile::tempdir().unwrap();
    let run = crate::support::guardline_in(
        dir.path(),
        &["scan", "--demo", "--today", TODAY, "--format", "html", "-o", "r.html"],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("<section class=\"cost\" id=\"cost\">"), "the cost section");
    assert!(html.contains("acme-prod-monthly-cost") && html.contains("+420.18 USD"));
}

/// `--demo -c FILE` evaluates the demo account under the user's config (here: every failure a warning, so
/// the run passes); a missing or broken file is an error naming it, never the demo's own config instead.
#[test]
fn the_demo_under_your_own_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("lenient.toml");
    std::fs::write(
        &config,
        "default-profile = \"lenient\"\n\n[scan]\nnot-evaluated = \"warn\"\n\n[profiles.lenient]\ndefault-level = \"warn\"\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let run = guardline(&["scan", "--demo", "-c", config, "--today", TODAY, "--format", "json"]);
    assert_eq!(run.code, 0, "every failure is a warning under lenient.toml: {}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["profile"], "lenient", "{}", &run.stdout[..400.min(run.stdout.len())]);

    let missing = dir.path().join("missing.toml");
    let run = guardline(&["scan", "--demo", "-c", missing.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("missing.toml"), "{}", run.stderr);
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "default-profile = \"nope\"\n[scan]\nbogus = 1\n").unwrap();
    let run = guardline(&["scan", "--demo", "-c", broken.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("broken.toml:3"), "{}", run.stderr);
}

/// Flags an offline scan would ignore are refused with the reason (exit 2), not silently dropped; their
/// environment variables are not a request, so they are no reason to refuse.
#[test]
fn flags_an_offline_scan_ignores_are_refused() {
    let snapshot = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/snapshot.json");
    let cases: [(&[&str], &str); 7] = [
        (&["--demo", "--regions", "us-east-1"], "--region/--regions cannot be used with --demo"),
        (
            &["--snapshot", snapshot, "--region", "us-east-1"],
            "--region/--regions cannot be used with --snapshot",
        ),
        (
            &["--demo", "--profile", "prod"],
            "--profile cannot be used with --demo: the bundled demo makes no AWS calls",
        ),
        (&["--snapshot", snapshot, "--profile", "prod"], "--profile cannot be used with --snapshot"),
        (&["--demo", "--concurrency", "4"], "--concurrency cannot be used with --demo"),
        (&["--snapshot", snapshot, "--call-timeout", "5"], "--call-timeout cannot be used with --snapshot"),
        (&["--demo", "--history-db", "h.sqlite3"], "--history-db cannot be used with --demo"),
    ];
    for (args, expected) in cases {
        let run = guardline(&[&["scan"], args].concat());
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
    }
    let dir = tempfile::tempdir().unwrap();
    let env = [("AWS_PROFILE", "prod".to_owned()), ("GUARDLINE_HISTORY_DB", "h.sqlite3".to_owned())];
    let run = crate::support::guardline_in(dir.path(), &["scan", "--demo", "-o", "r.txt"], &env);
    assert_eq!(run.code, 1, "the demo fails its adopted controls: {}", run.stderr);
}

/// An expired exception is located in the config like an unmatched one, so the entry to renew is found.
#[test]
fn an_expired_exception_shows_its_file_and_line() {
    let run = guardline(&["scan", "--demo", "--today", TODAY, "--color", "never"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let line =
        run.stdout.lines().find(|line| line.contains("exception expired on")).expect("the demo has one");
    assert!(line.contains("exception expired on 2026-10-31 (demo/guardline.toml:"), "{line}");
}
