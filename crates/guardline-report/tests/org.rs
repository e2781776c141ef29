//! The organisation report (`guardline_report::org`) on three accounts: the demo account, the demo account
//! again under another ID, and an account that could not be scanned. Every format renders; the list formats
//! hold every account's findings (JUnit, SARIF, OCSF and ASFF checked by the same validators as the
//! single-account formats), and the scorecard counts each account's controls per section.

use std::path::{Path, PathBuf};
use std::process::Command;

use guardline_report::org::{AccountResult, OrgEvaluation, OrgFormat, render, scorecard};
use guardline_report::terminal::TerminalOptions;
use guardline_rules::{Evaluation, Outcome};

/// Headless Chromium, shared with the single-account HTML report's test.
mod browser;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the workspace root exists")
}

fn demo() -> Evaluation {
    let root = workspace();
    let snapshot_text = std::fs::read_to_string(root.join("demo/snapshot.json")).expect("demo snapshot");
    let snapshot = guardline_model::Snapshot::from_json(&snapshot_text).expect("the demo snapshot loads");
    let config_text = std::fs::read_to_string(root.join("demo/guardline.toml")).expect("demo config");
    let known: Vec<&str> = guardline_rules::RULES
        .iter()
        .map(|rule| rule.id)
        .chain(guardline_rules::registry::PLANNED.iter().copied())
        .collect();
    let config = guardline_config::parse(&config_text, "demo/guardline.toml", &known)
        .unwrap_or_else(|errors| panic!("the demo config is valid: {errors:?}"));
    guardline_rules::evaluate(&snapshot, &config, jiff::civil::date(2026, 11, 28))
}

/// `evaluation` as if of account `id`.
fn moved(mut evaluation: Evaluation, id: &str) -> Evaluation {
    let old = evaluation.account_id.clone();
    evaluation.account_id = id.to_owned();
    for finding in &mut evaluation.findings {
        finding.finding.account_id = id.to_owned();
        finding.finding.resource = finding.finding.resource.replace(&old, id);
    }
    evaluation
}

fn org() -> OrgEvaluation {
    let demo = demo();
    let second = moved(demo.clone(), "222222222222");
    let mut unreachable = moved(demo.clone(), "333333333333");
    for finding in &mut unreachable.findings {
        finding.outcome = Outcome::NotEvaluated;
        finding.finding.status = guardline_model::Status::NotEvaluated;
    }
    unreachable.failed = true;
    let result = |evaluation: Evaluation, name: &str, ou: &str, reason: Option<&str>| AccountResult {
        id: evaluation.account_id.clone(),
        name: name.to_owned(),
        alias: evaluation.account_alias.clone(),
        ou_path: ou.to_owned(),
        profile: evaluation.profile.clone(),
        not_evaluated: reason.map(str::to_owned),
        evaluation,
    };
    // Out of order on purpose: the report sorts by account ID.
    OrgEvaluation::new(vec![
        result(
            unreachable,
            "legacy",
            "Root/Legacy",
            Some("cannot assume role OrganizationAccountAccessRole"),
        ),
        result(second, "acme-dev", "Root/Workloads/Dev", None),
        result(demo, "acme-prod", "Root/Workloads/Prod", None),
    ])
}

fn options(lang: &str) -> TerminalOptions {
    TerminalOptions { lang: lang.to_owned(), ..TerminalOptions::default() }
}

fn validate(script: &str, file_name: &str, report: &str) {
    let dir = std::env::temp_dir().join(format!("guardline-org-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(file_name);
    std::fs::write(&path, report).expect("write the report");
    let validator = workspace().join("tests/validators").join(script);
    let output = Command::new("python3")
        .arg(&validator)
        .arg(&path)
        .output()
        .unwrap_or_else(|error| panic!("cannot run `python3 {}`: {error}", validator.display()));
    assert!(
        output.status.success(),
        "{script} rejected {}:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn scorecard_counts_controls_per_account_and_section() {
    let org = org();
    assert!(org.failed());
    let rows = scorecard(&org);
    let ids: Vec<&str> = rows.iter().map(|row| row.account_id).collect();
    let demo_id = demo().account_id;
    let mut expected = vec![demo_id.as_str(), "222222222222", "333333333333"];
    expected.sort_unstable();
    assert_eq!(ids, expected, "sorted by account ID");
    assert_eq!(rows[0].sections, rows[1].sections, "the same snapshot scores the same");
    let last = &rows[2];
    assert_eq!(last.status, "not-evaluated");
    assert_eq!(last.reason, Some("cannot assume role OrganizationAccountAccessRole"));
    assert!(last.sections.iter().all(|score| score.pass == 0 && score.fail == 0));
    assert!(last.sections.iter().map(|score| score.not_evaluated).sum::<usize>() > 0);
}

#[test]
fn every_format_holds_every_account() {
    let org = org();
    let findings: usize = org.accounts.iter().map(|account| account.evaluation.findings.len()).sum();

    let json: serde_json::Value =
        serde_json::from_str(&render(&org, OrgFormat::Json, &options("en"))).expect("JSON");
    assert_eq!(json["format"], "guardline-org-report");
    assert_eq!(json["failed"], true);
    assert_eq!(json["scorecard"].as_array().expect("scorecard").len(), 3);
    assert_eq!(json["accounts"][2]["not_evaluated"], "cannot assume role OrganizationAccountAccessRole");
    assert_eq!(json["accounts"][1]["report"]["account_id"], "222222222222");

    let csv = render(&org, OrgFormat::Csv, &options("en"));
    assert_eq!(csv.lines().count(), findings + 1, "one header, then every finding of every account");
    for id in ["222222222222", "333333333333"] {
        assert!(csv.lines().any(|line| line.starts_with(id)), "{id}");
    }

    let sarif: serde_json::Value =
        serde_json::from_str(&render(&org, OrgFormat::Sarif, &options("en"))).expect("SARIF");
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 3, "one run per account");
    assert_eq!(runs[1]["properties"]["accountId"], "222222222222");

    for (format, script, file) in [
        (OrgFormat::Junit, "junit.py", "org.junit.xml"),
        (OrgFormat::Sarif, "sarif.py", "org.sarif"),
        (OrgFormat::Asff, "asff.py", "org.asff.json"),
        (OrgFormat::Ocsf, "ocsf.py", "org.ocsf.json"),
    ] {
        validate(script, file, &render(&org, format, &options("en")));
    }
    let junit = render(&org, OrgFormat::Junit, &options("en"));
    assert!(junit.contains("package=\"333333333333\""), "suites per account");
    let ocsf: serde_json::Value =
        serde_json::from_str(&render(&org, OrgFormat::Ocsf, &options("en"))).expect("OCSF");
    let accounts: std::collections::BTreeSet<&str> = ocsf
        .as_array()
        .expect("events")
        .iter()
        .map(|event| event["cloud"]["account"]["uid"].as_str().expect("uid"))
        .collect();
    assert_eq!(accounts.len(), 3);

    let html = render(&org, OrgFormat::Html, &options("ja"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("スコアカード"));
    assert!(html.contains("id=\"account-333333333333\""));
}

#[test]
fn terminal_scorecard() {
    let org = org();
    let text = render(&org, OrgFormat::Terminal, &options("en"));
    let head: String = text.lines().take_while(|line| !line.starts_with('═')).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!("org_terminal_head", head);
    assert!(text.ends_with("Organisation result: FAILED (3 of 3 accounts fail)\n"), "{text}");
}

/// The organisation's HTML page in a real headless Chromium: the scorecard and every account's section are
/// in the DOM, and the page loads nothing from the network.
#[test]
fn organisation_html_renders_in_a_browser() {
    let org = org();
    let html = render(&org, OrgFormat::Html, &options("en"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"), "the page must be self-contained");
    let dir = browser::scratch("org");
    let path = dir.join("org.html");
    std::fs::write(&path, &html).unwrap();
    let dom = browser::run_chromium(&dir, &format!("file://{}", path.display()), &["--dump-dom"]);
    let sections = browser::tags(&dom, "id=\"account-");
    assert_eq!(sections.len(), 3, "one section per account: {sections:?}");
    assert!(dom.contains("Scorecard"), "{dom}");
    assert!(dom.contains("333333333333"), "the account that could not be scanned is listed");
}
