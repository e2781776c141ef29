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
    assert!(html.contains("ガイドラインのセクション別アカウント"));
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

/// The organisation's HTML page in a real headless Chromium: every account's section is in the DOM, the page
/// loads nothing from the network, and the filters in the URL (query or fragment) apply.
#[test]
fn organisation_html_renders_in_a_browser_and_filters_from_the_url() {
    let org = org();
    let html = render(&org, OrgFormat::Html, &options("en"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"), "the page must be self-contained");
    let dir = browser::scratch("org");
    let path = dir.join("org.html");
    std::fs::write(&path, &html).unwrap();
    let url = format!("file://{}", path.display());
    let dom = browser::run_chromium(&dir, &url, &["--dump-dom"]);
    assert!(dom.contains("data-filters-ready=\"true\""), "the page's script did not run");
    let sections = browser::tags(&dom, "class=\"account\" id=\"account-");
    assert_eq!(sections.len(), 3, "one drill-down per account: {sections:?}");
    assert!(sections.iter().all(|tag| !tag.contains("hidden")), "no filter hides nothing");
    assert!(dom.contains("Accounts by guideline section, worst first"), "{dom}");
    assert!(
        dom.contains("cannot assume role OrganizationAccountAccessRole"),
        "the unscanned account's reason"
    );

    // An OU keeps the accounts under it (at any depth) and hides the others everywhere.
    let dom = browser::run_chromium(&dir, &format!("{url}?ou=Root/Workloads"), &["--dump-dom"]);
    for tag in browser::tags(&dom, "class=\"heat-row")
        .into_iter()
        .chain(browser::tags(&dom, "class=\"matrix-row"))
        .chain(browser::tags(&dom, "class=\"account"))
    {
        assert_eq!(tag.contains("hidden"), tag.contains("Root/Legacy"), "OU filter: {tag}");
    }
    assert!(dom.contains("value=\"Root/Workloads\""), "the OU is offered in the filter");

    // Closed accounts' findings are not rendered yet: the page stays light.
    assert!(browser::tags(&dom, "class=\"finding\"").is_empty() && dom.contains("findings-data"));
    // Severity and outcome in the query, an account opened by its fragment: its findings are rendered,
    // and only the high failing ones are shown.
    let demo_id = demo().account_id;
    let opened = format!("{url}?severity=high&outcome=fail#account-{demo_id}");
    let dom = browser::run_chromium(&dir, &opened, &["--dump-dom"]);
    let findings: Vec<&str> = browser::tags(&dom, "class=\"finding")
        .into_iter()
        .filter(|tag| !tag.contains("findings-data"))
        .collect();
    let expected =
        org.accounts.iter().find(|account| account.id == demo_id).unwrap().evaluation.findings.len();
    assert_eq!(findings.len(), expected, "the opened account's findings, and only its");
    assert!(findings.iter().any(|tag| !tag.contains("hidden")), "some high failing finding is shown");
    for tag in findings {
        let kept = tag.contains("data-outcome=\"fail\"") && tag.contains("data-severity=\"high\"");
        assert_eq!(!tag.contains("hidden"), kept, "severity/outcome filter: {tag}");
    }
    for tag in browser::tags(&dom, "class=\"top-control") {
        assert_eq!(!tag.contains("hidden"), tag.contains("data-severity=\"high\""), "{tag}");
    }
}

/// The page answers "which accounts are worst, and in what": the heat map puts the unscanned account first,
/// then the lower score; the top failing controls go by severity; the matrix has one square per control
/// and account; exceptions carry their owner and expiry; each control's explanation is there once.
#[test]
fn organisation_page_ranks_accounts_and_controls() {
    use guardline_model::Section;
    let mut org = org();
    let demo_id = demo().account_id;
    // acme-dev fixes its cost failures: a better score than acme-prod.
    let dev = org.accounts.iter_mut().find(|account| account.id == "222222222222").unwrap();
    for finding in &mut dev.evaluation.findings {
        if finding.section == Section::Cost
            && matches!(finding.outcome, Outcome::Fail | Outcome::Warn | Outcome::NotEvaluated)
        {
            finding.outcome = Outcome::Pass;
        }
    }
    let html = render(&org, OrgFormat::Html, &options("en"));
    let marker = "<tr class=\"heat-row\" data-account=\"";
    let order: Vec<&str> =
        html.match_indices(marker).map(|(at, _)| &html[at + marker.len()..at + marker.len() + 12]).collect();
    assert_eq!(order, ["333333333333", demo_id.as_str(), "222222222222"], "worst first");
    // Four sections and the whole score per account; a cost score of 100% only for acme-dev.
    assert_eq!(html.matches("<td class=\"cell ").count(), 3 * 5);
    assert!(html.contains("class=\"cell s3\" data-section=\"cost\""), "acme-dev's cost section passes");
    let rank =
        |severity: &str| ["critical", "high", "medium", "low", "info"].iter().position(|s| *s == severity);
    let marker = "<tr class=\"top-control\" data-section=\"";
    let severities: Vec<usize> = html
        .match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &html[at..];
            let start = rest.find("data-severity=\"")? + "data-severity=\"".len();
            rank(&rest[start..start + rest[start..].find('"')?])
        })
        .collect();
    assert!(!severities.is_empty() && severities.len() <= 10, "{severities:?}");
    assert!(severities.windows(2).all(|pair| pair[0] <= pair[1]), "by severity: {severities:?}");
    assert!(html.contains("fails in 2 of 2 accounts"), "the unscanned account is not counted");
    assert_eq!(html.matches("<td class=\"m o-").count(), 3 * guardline_rules::RULES.len());
    assert!(
        html.contains("<td class=\"m o-not-evaluated x-cost y-low\">"),
        "the unscanned account's squares"
    );
    assert_eq!(html.matches("<details class=\"doc\" id=\"doc-").count(), guardline_rules::RULES.len());
    let exceptions = html.matches("<tr class=\"exception\"").count();
    let expected: usize = org
        .accounts
        .iter()
        .map(|account| {
            account.evaluation.findings.iter().filter(|finding| finding.exception.is_some()).count()
        })
        .sum();
    assert!(expected > 0, "the demo has exceptions");
    assert_eq!(exceptions, expected);
    assert!(html.contains("<li class=\"ne-account\" data-account=\"333333333333 legacy\""));
    let japanese = render(&org, OrgFormat::Html, &options("ja"));
    assert!(japanese.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"));
    for english in
        ["Accounts by guideline section", "Top failing controls", "Findings by account", "What it checks"]
    {
        assert!(!japanese.contains(english), "English {english:?} in the Japanese page");
    }
}

/// Each account's trend from the history, and the organisation's: each account's latest count per day,
/// carried forward to the days it was not scanned.
#[test]
fn organisation_trends() {
    use guardline_report::html::TrendPoint;
    use guardline_report::org_html::{OrgHtmlExtras, render as page};
    let org = org();
    let point = |at: &str, failing| TrendPoint { collected_at: at.to_owned(), failing_controls: failing };
    let demo_id = demo().account_id;
    let extras = OrgHtmlExtras {
        trends: [
            (demo_id, vec![point("2026-11-26T09:00:00Z", 10), point("2026-11-27T09:00:00Z", 8)]),
            (
                "222222222222".to_owned(),
                vec![point("2026-11-26T10:00:00Z", 5), point("2026-11-28T10:00:00Z", 3)],
            ),
        ]
        .into(),
    };
    let html = page(&org, "en", &extras);
    assert_eq!(html.matches("<svg class=\"spark\"").count(), 2, "one sparkline per account with a trend");
    assert!(html.contains("failing controls: 10 → 8 over 2 scans"));
    // 26th: 10 + 5; 27th: 8 + 5 (carried); 28th: 8 (carried) + 3.
    assert!(html.contains("id=\"org-trend\""));
    assert!(html.contains("failing controls: 15 → 11 over 3 scans"), "the organisation's trend");
    let without = page(&org, "en", &OrgHtmlExtras::default());
    assert!(!without.contains("id=\"org-trend\"") && !without.contains("<svg class=\"spark\""));
}

/// A 200-account page in a real browser: it loads, its script runs and the URL's filters apply across
/// every account (how fast is `bench/org_html.py`'s to measure; the page records both times on <body>).
#[test]
fn a_200_account_page_loads_and_filters() {
    let demo = demo();
    let ous = ["Root/Workloads/Prod", "Root/Workloads/Dev", "Root/Sandbox", "Root/Security"];
    let accounts: Vec<AccountResult> = (0..200)
        .map(|index| {
            let evaluation = moved(demo.clone(), &format!("{:012}", 100_000_000_000_u64 + index));
            AccountResult {
                id: evaluation.account_id.clone(),
                name: format!("account-{index}"),
                alias: None,
                ou_path: ous[index as usize % ous.len()].to_owned(),
                profile: evaluation.profile.clone(),
                not_evaluated: None,
                evaluation,
            }
        })
        .collect();
    let html = render(&OrgEvaluation::new(accounts), OrgFormat::Html, &options("en"));
    let dir = browser::scratch("org-200");
    let path = dir.join("org.html");
    std::fs::write(&path, &html).unwrap();
    let url = format!("file://{}?ou=Root/Workloads&severity=high", path.display());
    let dom = browser::run_chromium(&dir, &url, &["--dump-dom"]);
    let body = browser::tags(&dom, "data-filters-ready");
    let body = body.first().expect("the page's script ran");
    let millis = |name: &str| -> f64 {
        let start =
            body.find(&format!("{name}=\"")).unwrap_or_else(|| panic!("{name} in {body}")) + name.len() + 2;
        body[start..start + body[start..].find('"').unwrap()].parse().unwrap()
    };
    let (ready, filter) = (millis("data-ready-ms"), millis("data-filter-ms"));
    eprintln!("200 accounts, {} KiB: loaded in {ready} ms, filtered in {filter} ms", html.len() / 1024);
    // Timing is the benchmark's (bench/org_html.py); here the figures are only shown.
    assert!(ready > 0.0 && filter >= 0.0);
    let shown =
        browser::tags(&dom, "class=\"heat-row").into_iter().filter(|tag| !tag.contains("hidden")).count();
    assert_eq!(shown, 100, "the two Workloads OUs hold half the accounts");
}
