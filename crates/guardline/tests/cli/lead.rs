//! Reports that lead the reader (issue 14): the demo's first screen says what to fix first and with which
//! command; the fix plan points SCHED-001 to `guardline schedule apply`; a report written to a file says so
//! on stderr with the verdict; `scan --controls/--exclude-controls/--section/--severity` select controls,
//! refuse unknown IDs with a suggestion and keep a partial scan out of the history.

use serde_json::Value;

use crate::support::{guardline, guardline_in};

const DEMO_SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/snapshot.json");
const DEMO_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/guardline.toml");

/// The control IDs of a JSON report's findings, each once, in order.
fn controls_of(report: &str) -> Vec<String> {
    let report: Value = serde_json::from_str(report).expect("a JSON report");
    let mut ids: Vec<String> = Vec::new();
    for finding in report["findings"].as_array().expect("findings") {
        let id = finding["control"].as_str().expect("a control").to_owned();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

#[test]
fn the_first_screen_says_what_to_fix_first_and_how() {
    let run = guardline(&["scan", "--demo", "--color", "never"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let first_screen: Vec<&str> = run.stdout.lines().take(24).collect();
    let first_screen = first_screen.join("\n");
    assert!(
        first_screen.contains("Fix first (5 of 25 failing controls, by severity and reach)"),
        "{first_screen}"
    );
    // The three most urgent, each with its severity, reach, remedy and command.
    let order: Vec<usize> = ["1. high      IAM-002", "2. high      S3-001", "3. high      IAM-003"]
        .iter()
        .map(|line| first_screen.find(line).unwrap_or_else(|| panic!("{line} in:\n{first_screen}")))
        .collect();
    assert!(order.windows(2).all(|pair| pair[0] < pair[1]), "{first_screen}");
    assert!(first_screen.contains("(account-wide)"), "{first_screen}");
    assert!(first_screen.contains("(1 of 5 failing)"), "{first_screen}");
    assert!(first_screen.contains("guardline fix --demo --only S3-001 (review the plan before applying)"));
    assert!(first_screen.contains("by hand: guardline rule IAM-002"), "{first_screen}");
    // The footer: the next commands, SCHED-001's included, and the failed calls named once each.
    let next = &run.stdout[run.stdout.rfind("\nNext\n").expect("a Next block")..];
    assert!(next.contains("guardline fix --demo  "), "{next}");
    assert!(next.contains("guardline schedule apply  plans what fixes SCHED-001"), "{next}");
    assert!(next.contains("guardline rule IAM-002"), "{next}");
    let denied = "ssm:DescribeMaintenanceWindows access denied (AccessDeniedException)";
    assert!(
        run.stdout.contains(&format!("  {denied} in eu-west-1: SCHED-001, SCHED-002\n")),
        "{}",
        run.stdout
    );
    // The terminal keeps the call and its code, not the service's whole message; JSON keeps it.
    assert!(!run.stdout.contains("because no identity-based policy allows"), "{}", run.stdout);
    let json = guardline(&["scan", "--demo", "--format", "json"]);
    assert!(json.stdout.contains("because no identity-based policy allows"));
}

#[test]
fn the_html_report_leads_too() {
    let run = guardline(&["scan", "--demo", "--format", "html"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let html = &run.stdout;
    let fix_first = html.find("<section class=\"lead\" id=\"fix-first\">").expect("a fix-first section");
    assert!(fix_first < html.find("id=\"findings\"").unwrap(), "fix first comes before the findings");
    assert!(html.contains("<a href=\"#control-S3-001\" class=\"control-id\">S3-001</a>"));
    assert!(
        html.contains("<code>guardline fix --demo --only S3-001</code> (review the plan before applying)")
    );
    assert!(html.contains("by hand: <code>guardline rule IAM-002</code>"));
    assert!(
        html.contains("<section class=\"lead\" id=\"blockers\"><h2>Not evaluated because 4 API calls failed")
    );
    assert!(html.contains("<dt><code>guardline schedule apply</code></dt>"));
    assert!(html.contains("<span class=\"muted resource-count\">1 of 5 failing</span>"));
    assert!(html.contains("collected 2026-11-28 09:00:00 UTC"), "timestamps to the second");
    let ja = guardline(&["scan", "--demo", "--format", "html", "--lang", "ja"]);
    assert!(ja.stdout.contains("<h2>まず直すもの"), "the Japanese page leads in Japanese");
}

#[test]
fn the_fix_plan_points_sched_001_to_guardline_schedule() {
    let run = guardline(&["fix", "--demo"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (_, sched) = run.stdout.split_once("Fixed by another Guardline command:").expect("the group");
    assert!(sched.contains("SCHED-001"), "{sched}");
    assert!(
        sched.contains("`guardline schedule apply` plans it, `guardline schedule apply --apply` installs it")
    );
    assert!(
        !run.stdout.contains("aws ssm create-maintenance-window"),
        "no hand-written SSM steps: {}",
        run.stdout
    );
}

#[test]
fn a_report_written_to_a_file_says_what_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let run = guardline_in(dir.path(), &["scan", "--demo", "--format", "sarif", "-o", "out.sarif"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "wrote the sarif report to out.sarif: adopted controls fail (25 fail · 2 not evaluated · 8 pass)"
        ),
        "{}",
        run.stderr
    );
    let quiet = guardline_in(dir.path(), &["scan", "--demo", "-q", "-o", "out.txt"], &[]);
    assert!(!quiet.stderr.contains("wrote"), "--quiet drops it: {}", quiet.stderr);
}

#[test]
fn selections_combine_and_unknown_ids_are_refused() {
    let only = guardline(&["scan", "--demo", "--format", "json", "--controls", "iam-001,S3-001"]);
    assert_eq!(only.code, 1, "S3-001 fails: {}", only.stderr);
    assert_eq!(controls_of(&only.stdout), ["IAM-001", "S3-001"]);
    let passing = guardline(&["scan", "--demo", "--format", "json", "--controls", "IAM-001"]);
    assert_eq!(passing.code, 0, "IAM-001 alone passes: {}", passing.stderr);

    let section = guardline(&["scan", "--demo", "--format", "json", "--section", "4", "--severity", "high"]);
    assert_eq!(controls_of(&section.stdout), ["GUARDDUTY-001", "TRAIL-001"], "{}", section.stderr);
    let excluded =
        guardline(&["scan", "--demo", "--format", "json", "--section", "4", "--exclude-controls", "SSM-001"]);
    let ids = controls_of(&excluded.stdout);
    assert!(!ids.contains(&"SSM-001".to_owned()) && ids.contains(&"HEALTH-001".to_owned()), "{ids:?}");

    // Exceptions of controls outside the selection are not "unused".
    let terminal = guardline(&["scan", "--demo", "--controls", "IAM-001"]);
    assert!(!terminal.stdout.contains("exception matched nothing"), "{}", terminal.stdout);

    let typo = guardline(&["scan", "--demo", "--controls", "IAM-01"]);
    assert_eq!(typo.code, 2);
    assert!(typo.stderr.contains("no control IAM-01; did you mean IAM-001?"), "{}", typo.stderr);
    let unknown = guardline(&["scan", "--demo", "--exclude-controls", "XYZ-1"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("no control XYZ-1; `guardline rule` lists them all"),
        "{}",
        unknown.stderr
    );
    let nothing = guardline(&["scan", "--demo", "--controls", "IAM-001", "--section", "1"]);
    assert_eq!(nothing.code, 2);
    assert!(nothing.stderr.contains("leaves no control to evaluate"), "{}", nothing.stderr);
    let severity = guardline(&["scan", "--demo", "--severity", "urgent"]);
    assert_eq!(severity.code, 2, "{}", severity.stderr);
    assert!(
        severity.stderr.contains("possible values: critical, high, medium, low, info"),
        "{}",
        severity.stderr
    );
    let shard = guardline(&["scan", "--org", "--shard", "0/2", "--output-dir", "x", "--controls", "IAM-001"]);
    assert_eq!(shard.code, 2);
    assert!(shard.stderr.contains("cannot be used with"), "{}", shard.stderr);
}

#[test]
fn a_partial_scan_is_not_recorded_in_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let scan = |extra: &[&str]| {
        let mut args =
            vec!["scan", "--snapshot", DEMO_SNAPSHOT, "-c", DEMO_CONFIG, "--history-db", "h.sqlite3"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-o", "report.txt"]);
        guardline_in(dir.path(), &args, &[])
    };
    let partial = scan(&["--controls", "S3-001"]);
    assert_eq!(partial.code, 1, "{}", partial.stderr);
    assert!(!dir.path().join("h.sqlite3").exists(), "a partial scan created the history");
    let whole = scan(&[]);
    assert_eq!(whole.code, 1, "{}", whole.stderr);
    assert!(dir.path().join("h.sqlite3").exists(), "a whole scan is recorded");
}
