//! NOT APPLICABLE end to end: an account in no AWS Organization, where only the organisation controls (3-2)
//! are adopted at level fail, passes the scan (exit 0) with ORG-001..005 NOT APPLICABLE in the terminal and
//! JSON reports; `require-organization = true` makes them FAIL (exit 1); NOT EVALUATED still fails.

use serde_json::{Value, json};

use crate::support::guardline_in;

const ORG_CONTROLS: [&str; 5] = ["ORG-001", "ORG-002", "ORG-003", "ORG-004", "ORG-005"];

/// Every control warns, except the organisation controls, which fail the run: so only they can block it.
const CONFIG: &str = r#"default-profile = "standalone"

[profiles.standalone]
default-level = "warn"

[profiles.standalone.controls]
"ORG-001" = { level = "fail" }
"ORG-002" = { level = "fail" }
"ORG-003" = { level = "fail" }
"ORG-004" = { level = "fail" }
"ORG-005" = { level = "fail" }
"#;

/// The demo account with its organisation data replaced by `organization`, in a directory with `config`.
fn account(organization: Value, config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/snapshot.json")).unwrap();
    let mut snapshot: Value = serde_json::from_str(&text).unwrap();
    snapshot["global"]["organization"] = organization;
    std::fs::write(dir.path().join("standalone.json"), snapshot.to_string()).unwrap();
    std::fs::write(dir.path().join("guardline.toml"), config).unwrap();
    dir
}

fn scan(dir: &tempfile::TempDir, extra: &[&str]) -> crate::support::Run {
    let mut args = vec!["scan", "--snapshot", "standalone.json", "--today", "2026-11-28", "--no-history"];
    args.extend_from_slice(extra);
    guardline_in(dir.path(), &args, &[])
}

fn org_findings(report: &Value) -> Vec<&Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["control"].as_str().is_some_and(|id| id.starts_with("ORG-")))
        .collect()
}

#[test]
fn a_standalone_account_passes_with_the_organisation_controls_not_applicable() {
    let dir = account(json!({"status": "ok", "value": null}), CONFIG);

    let terminal = scan(&dir, &[]);
    assert_eq!(
        terminal.code, 0,
        "NOT APPLICABLE never fails the run:\n{}{}",
        terminal.stdout, terminal.stderr
    );
    let out = &terminal.stdout;
    assert!(out.contains("Result: all adopted controls pass"), "{out}");
    assert!(out.contains(" · 5 not applicable · "), "its own count in the totals:\n{out}");
    for control in ORG_CONTROLS {
        let line = out.lines().find(|line| line.contains(&format!(" {control} "))).expect(control);
        assert!(line.trim_start().starts_with("NOT APPLICABLE"), "{line}");
        assert!(line.ends_with("(not applicable)"), "{line}");
    }
    assert_eq!(
        out.matches(
            "account 123456789012 is not in an AWS Organization; the organisation controls (3-2) apply to \
             organization accounts"
        )
        .count(),
        5,
        "{out}"
    );

    let json = scan(&dir, &["--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let report: Value = serde_json::from_str(&json.stdout).expect("JSON report");
    assert_eq!(report["failed"], false);
    let findings = org_findings(&report);
    assert_eq!(findings.len(), 5);
    for finding in findings {
        assert_eq!(finding["status"], "NOT_APPLICABLE", "{finding}");
        assert_eq!(finding["outcome"], "not-applicable", "{finding}");
        assert_eq!(finding["level"], "fail", "adopted at level fail, and still not a failure");
    }
    let mistakes = report["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|section| section["section"] == "mistakes")
        .expect("section 3");
    assert_eq!(mistakes["controls"]["not-applicable"], 5, "{mistakes}");
    for control in report["controls"].as_array().expect("controls") {
        if control["id"].as_str().is_some_and(|id| id.starts_with("ORG-")) {
            assert_eq!(control["outcome"], "not-applicable", "{control}");
        }
    }

    let japanese = scan(&dir, &["--lang", "ja"]);
    assert_eq!(japanese.code, 0);
    assert!(japanese.stdout.contains("5 対象外"), "{}", japanese.stdout);
    assert!(japanese.stdout.contains("アカウント 123456789012 は AWS Organizations に属していません"));
}

#[test]
fn require_organization_makes_a_standalone_account_fail() {
    let config = format!("{CONFIG}\n[profiles.standalone.params]\nrequire-organization = true\n");
    let dir = account(json!({"status": "ok", "value": null}), &config);
    let terminal = scan(&dir, &[]);
    assert_eq!(terminal.code, 1, "{}{}", terminal.stdout, terminal.stderr);
    assert!(terminal.stdout.contains("  5 fail · "), "{}", terminal.stdout);
    assert!(!terminal.stdout.contains("NOT APPLICABLE"), "{}", terminal.stdout);
    assert_eq!(
        terminal
            .stdout
            .matches(
                "account 123456789012 is in no AWS Organization; the guideline (3-2) manages every account from a \
                 management account"
            )
            .count(),
        5,
        "{}",
        terminal.stdout
    );
    let json = scan(&dir, &["--format", "json"]);
    assert_eq!(json.code, 1);
    let report: Value = serde_json::from_str(&json.stdout).expect("JSON report");
    assert_eq!(report["failed"], true);
    assert!(
        org_findings(&report)
            .iter()
            .all(|finding| finding["status"] == "FAIL" && finding["outcome"] == "fail")
    );
}

/// Not knowing whether the account is in an organization is not "not applicable": still NOT EVALUATED,
/// which fails the run.
#[test]
fn unknown_membership_is_still_not_evaluated_and_fails() {
    let denied = json!({"status": "error", "error": {
        "action": "organizations:DescribeOrganization", "kind": "access-denied", "code": "AccessDeniedException",
        "message": "You don't have permissions to access this resource."}});
    let dir = account(denied, CONFIG);
    let json = scan(&dir, &["--format", "json"]);
    assert_eq!(json.code, 1, "{}", json.stderr);
    let report: Value = serde_json::from_str(&json.stdout).expect("JSON report");
    assert!(org_findings(&report).iter().all(|finding| finding["outcome"] == "not-evaluated"));
}
