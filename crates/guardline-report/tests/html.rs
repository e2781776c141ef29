//! The HTML report of the bundled demo account: self-contained (no network loads), escaped, snapshotted, and
//! checked in a real headless Chromium (`--dump-dom` after the page's script ran, and a screenshot).
//!
//! The browser test runs the `chromium` binary (`GUARDLINE_CHROMIUM`, else `/usr/bin/chromium`) and fails with
//! a clear message when it is missing: `scripts/test` installs it.

use std::path::{Path, PathBuf};

use browser::{run_chromium, scratch, tags};

use guardline_model::cost_report::SpendReport;
use guardline_model::{CollectError, Collected, ErrorKind, Snapshot};
use guardline_report::html::{HtmlExtras, render_with};
use guardline_rules::{Evaluation, Outcome, RULES, registry::PLANNED};

/// Headless Chromium, shared with the organisation report's test.
mod browser;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The demo account's bill (demo/cost.json, what `scan --demo` puts in its HTML report).
fn demo_cost() -> SpendReport {
    let text = std::fs::read_to_string(root().join("demo/cost.json")).expect("demo/cost.json");
    serde_json::from_str(&text).expect("demo/cost.json is a SpendReport")
}

fn with_cost(evaluation: &Evaluation, lang: &str, cost: &SpendReport) -> String {
    render_with(evaluation, lang, &HtmlExtras { cost: Some(cost), ..HtmlExtras::default() })
}

fn demo() -> Evaluation {
    let root = root();
    let snapshot = std::fs::read_to_string(root.join("demo/snapshot.json")).expect("demo/snapshot.json");
    let config = std::fs::read_to_string(root.join("demo/guardline.toml")).expect("demo/guardline.toml");
    let known: Vec<&str> = RULES.iter().map(|rule| rule.id).chain(PLANNED.iter().copied()).collect();
    let config = guardline_config::parse(&config, "demo/guardline.toml", &known)
        .unwrap_or_else(|errors| panic!("{errors}"));
    let snapshot = Snapshot::from_json(&snapshot).expect("demo snapshot");
    guardline_rules::evaluate(&snapshot, &config, jiff::civil::date(2026, 11, 28))
}

/// Asserts the page loads nothing from elsewhere: no script, style sheet, image, frame or font by URL.
fn assert_self_contained(html: &str) {
    let lower = html.to_lowercase();
    for forbidden in ["<script src", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url("] {
        assert!(!lower.contains(forbidden), "the report must not load anything: found {forbidden:?}");
    }
    for attribute in ["src=\"http", "src='http", "src=http", "src=\"//"] {
        assert!(!lower.contains(attribute), "the report loads {attribute:?}");
    }
    // Any network URL may only appear as a plain link target in the rules' documentation.
    for (index, _) in lower.match_indices("http") {
        let before = &lower[index.saturating_sub(6)..index];
        if lower[index..].starts_with("http://") || lower[index..].starts_with("https://") {
            assert!(
                before.ends_with("href=\"") || !before.contains('='),
                "network URL in an attribute: {before}…"
            );
        }
    }
}

#[test]
fn demo_report_is_self_contained_and_complete() {
    let evaluation = demo();
    let html = guardline_report::html::render(&evaluation, "en");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert_self_contained(&html);
    assert!(html.contains("123456789012") && html.contains("acme-prod"));
    assert!(html.contains("2026-11-28 09:00:00 UTC"));
    assert!(html.contains("production"));
    assert!(html.contains("id=\"scores\"") && html.contains("<svg class=\"chart\""));
    assert!(html.contains("@media print"));
    // Every rule is there with its title; the docs are rendered from Markdown.
    for rule in RULES {
        assert!(html.contains(&format!("id=\"control-{}\"", rule.id)), "{} missing", rule.id);
        assert!(html.contains(&guardline_report::html::escape(rule.title)), "{} title missing", rule.id);
    }
    assert!(html.contains("<h4>How to fix</h4>"));
    // The known failing security group, the expired and the current exception of the demo.
    assert!(html.contains("legacy-ops-ssh"));
    assert!(html.contains("EXPIRED") && html.contains("platform-team@acme.example"));
    assert!(html.contains("web-team@acme.example") && html.contains("2027-03-31"));
}

#[test]
fn japanese_report() {
    let html = guardline_report::html::render(&demo(), "ja");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"));
    assert!(html.contains("セキュリティ強化"));
    assert!(html.contains("管理用ポートが全世界に公開されていない"));
    assert!(html.contains("不合格"));
    assert_self_contained(&html);
}

/// The Japanese report (as `scan --demo --lang ja --format html` writes it) opens into Japanese explanations:
/// no English heading of the rules' documentation, and no explanation paragraph or list item without Japanese.
#[test]
fn japanese_report_has_no_english_explanation() {
    let html = with_cost(&demo(), "ja", &demo_cost());
    for heading in guardline_rules::docs::REQUIRED_HEADINGS {
        let text = heading.trim_start_matches("## ");
        assert!(!html.contains(text), "the Japanese report has the English heading {text:?}");
    }
    let bodies: Vec<&str> = html
        .split("<div class=\"doc-body\">")
        .skip(1)
        .map(|rest| rest.split("</div></details>").next().unwrap_or(rest))
        .collect();
    assert_eq!(bodies.len(), RULES.len(), "one explanation per control");
    for body in bodies {
        assert!(body.contains("<h4>確認内容</h4>"), "an explanation without its Japanese heading: {body}");
        for block in body.split("<p>").chain(body.split("<li>")).skip(1) {
            let block = block.split(['\n']).next().unwrap_or(block);
            let prose = strip_code_and_tags(block);
            let japanese = prose
                .chars()
                .any(|c| ('\u{3040}'..='\u{30ff}').contains(&c) || ('\u{4e00}'..='\u{9fff}').contains(&c));
            let words =
                prose.split_whitespace().filter(|word| word.chars().all(|c| c.is_ascii_alphabetic())).count();
            assert!(japanese || words < 3, "English explanation text in the Japanese report: {prose}");
        }
    }
}

/// The text of an HTML fragment without its `<code>` spans and tags.
fn strip_code_and_tags(fragment: &str) -> String {
    let mut text = String::new();
    let mut rest = fragment;
    while let Some(at) = rest.find("<code>") {
        text.push_str(&rest[..at]);
        rest = rest[at..].split_once("</code>").map_or("", |(_, after)| after);
    }
    text.push_str(rest);
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn evaluation_text_is_escaped() {
    let mut evaluation = demo();
    let hostile = "<script>alert(\"x\")</script> & 'quoted'";
    evaluation.account_alias = Some(hostile.to_owned());
    evaluation.profile = hostile.to_owned();
    let finding = evaluation
        .findings
        .iter_mut()
        .find(|finding| finding.outcome == Outcome::Fail)
        .expect("the demo has a failure");
    finding.finding.message.en = hostile.to_owned();
    finding.finding.resource = "arn:aws:s3:::\"><img src=x onerror=alert(1)>".to_owned();
    let excepted =
        evaluation.findings.iter_mut().find(|finding| finding.exception.is_some()).expect("exception");
    excepted.exception.as_mut().expect("exception").reason = hostile.to_owned();

    let html = guardline_report::html::render(&evaluation, "en");
    assert_eq!(html.matches("<script>").count(), 1, "only the report's own script");
    assert!(!html.contains("<img"));
    assert!(!html.contains("alert(\"x\")"));
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn markdown_raw_html_is_escaped() {
    let html = guardline_report::html::markdown(
        "## Title\n\n<script>x()</script>\n\nText with <b>inline</b> `code`.\n",
    );
    assert!(html.contains("<h4>Title</h4>"));
    assert!(!html.contains("<script>") && !html.contains("<b>"));
    assert!(html.contains("&lt;script&gt;") && html.contains("&lt;b&gt;"));
}

#[test]
fn snapshot_en() {
    insta::assert_snapshot!(with_cost(&demo(), "en", &demo_cost()));
}

#[test]
fn cost_section_of_the_demo() {
    let evaluation = demo();
    assert!(
        !guardline_report::html::render(&evaluation, "en").contains("id=\"cost\""),
        "no cost, no section"
    );
    let html = with_cost(&evaluation, "en", &demo_cost());
    assert_self_contained(&html);
    let section = &html[html.find("<section class=\"cost\" id=\"cost\">").expect("the cost section")..];
    let section = &section[..section.find("</section>").expect("end of the cost section")];
    // It comes after the scores and before the controls.
    assert!(html.find("id=\"scores\"") < html.find("id=\"cost\""));
    assert!(html.find("id=\"cost\"") < html.find("id=\"findings\""));
    // 13 services: the top ten and one "others" row, each with this month's and last month's bar.
    assert!(section.contains("<svg class=\"cost-chart\""));
    assert_eq!(section.matches("<g class=\"spend-bar\">").count(), 11);
    assert_eq!(section.matches("<rect class=\"cost-bar this-month\" x=\"300\"").count(), 11);
    assert_eq!(section.matches("<rect class=\"cost-bar last-month\" x=\"300\"").count(), 11);
    assert!(section.contains("Others (3 services)"));
    assert!(section.contains("Amazon Elastic Compute Cloud - Compute") && section.contains("1,184.52 USD"));
    assert!(section.contains("2,561.37 USD") && section.contains("2,492.55 USD"), "the totals");
    assert!(section.contains("Month end: <strong>2,851.00 USD</strong>"), "the forecast");
    assert!(section.contains("acme-prod-monthly-cost"));
    assert!(section.contains("<span class=\"budget-percent near\">85.4%</span>"));
    assert!(section.contains("width=\"85.4\""), "the budget's bar");
    assert_eq!(section.matches("<tr class=\"anomaly\">").count(), 1, "only the open anomaly");
    assert!(section.contains("+420.18 USD") && section.contains("2026-11-19"));
    assert!(section.contains("1 reviewed anomalies are not shown."));
    assert!(!section.contains("not available"));

    let ja = with_cost(&evaluation, "ja", &demo_cost());
    assert!(
        ja.contains("サービス別の利用料金")
            && ja.contains("月末の見込み")
            && ja.contains("未対応のコスト異常")
    );
}

#[test]
fn cost_section_says_what_was_not_collected() {
    let mut cost = demo_cost();
    let error = |action: &str, kind: ErrorKind, code: Option<&str>, message: &str| CollectError {
        action: action.into(),
        kind,
        code: code.map(Into::into),
        message: message.into(),
    };
    cost.forecast = Collected::error(error(
        "ce:GetCostForecast",
        ErrorKind::AccessDenied,
        Some("AccessDeniedException"),
        "User <arn> is not authorized",
    ));
    cost.budgets = Collected::error(error("budgets:ViewBudget", ErrorKind::Throttled, None, ""));
    cost.last_month = Collected::error(error("ce:GetCostAndUsage", ErrorKind::Timeout, None, ""));
    let html = with_cost(&demo(), "en", &cost);
    let start = html.find("<p class=\"forecast\" id=\"cost-forecast\">").expect("the forecast");
    let forecast = &html[start..start + html[start..].find("</p>").unwrap()];
    assert!(
        forecast.contains(
            "not available: ce:GetCostForecast access denied (AccessDeniedException): “User &lt;arn&gt; is not authorized”"
        ),
        "{forecast}"
    );
    assert!(!forecast.contains("0.00"), "no zero stands in for the forecast: {forecast}");
    assert!(html.contains("not available: budgets:ViewBudget throttled"));
    assert!(
        html.contains("Last month: <span class=\"unavailable\">not available: ce:GetCostAndUsage timed out")
    );
    assert!(!html.contains("<span class=\"budget-percent"));
    // This month is still charted, without last month's bars.
    assert_eq!(html.matches("<rect class=\"cost-bar this-month\" x=\"300\"").count(), 11);
    assert_eq!(html.matches("<rect class=\"cost-bar last-month\" x=\"300\"").count(), 0);

    let ja = with_cost(&demo(), "ja", &cost);
    assert!(ja.contains("取得できません: ce:GetCostForecast access denied"));
}

// ---------------------------------------------------------------------------------------------------------------
// The real browser (helpers in `browser/mod.rs`, shared with the organisation report's test).

fn write_report(dir: &Path, lang: &str) -> PathBuf {
    let path = dir.join(format!("report-{lang}.html"));
    std::fs::write(&path, with_cost(&demo(), lang, &demo_cost())).expect("writing the report");
    path
}

#[test]
fn browser_applies_filters_from_the_url() {
    let dir = scratch("filters");
    let report = write_report(&dir, "en");
    let url = format!("file://{}", report.display());

    // No filter: the script ran and nothing is hidden.
    let dom = run_chromium(&dir, &url, &["--dump-dom"]);
    assert!(dom.contains("data-filters-ready=\"true\""), "the page's script did not run:\n{dom}");
    let rows = tags(&dom, "class=\"finding\"");
    assert!(rows.len() > 20, "expected the demo's findings, got {}", rows.len());
    assert!(rows.iter().all(|row| !row.contains(" hidden")), "nothing is hidden without filters");
    assert!(dom.contains("id=\"scores\"") && dom.contains("Security hardening"));
    assert!(dom.contains("legacy-ops-ssh"));
    assert!(dom.contains("id=\"cost\"") && dom.contains("acme-prod-monthly-cost"), "the cost section");

    // `#status=fail`: only failing findings stay visible.
    let dom = run_chromium(&dir, &format!("{url}#status=fail"), &["--dump-dom"]);
    let rows = tags(&dom, "class=\"finding\"");
    let (failing, others): (Vec<&str>, Vec<&str>) =
        rows.iter().partition(|row| row.contains("data-outcome=\"fail\""));
    assert!(!failing.is_empty() && !others.is_empty());
    for row in &failing {
        assert!(!row.contains(" hidden"), "a failing finding is hidden: {row}");
    }
    for row in &others {
        assert!(row.contains(" hidden"), "a non-failing finding is shown: {row}");
    }
    let ec2 = tags(&dom, "id=\"control-EC2-001\"");
    assert_eq!(ec2.len(), 1);
    assert!(!ec2[0].contains(" hidden"), "EC2-001 fails in the demo: {}", ec2[0]);
    assert!(dom.contains("legacy-ops-ssh"));
    // The scores are a summary and stay.
    assert!(tags(&dom, "class=\"score\"").len() == 5);

    // `?section=cost&severity=...` through the query string: other sections' controls are hidden.
    let dom = run_chromium(&dir, &format!("{url}?section=cost"), &["--dump-dom"]);
    for control in tags(&dom, "class=\"control ") {
        let cost = control.contains("data-section=\"cost\"");
        assert_eq!(control.contains(" hidden"), !cost, "section filter: {control}");
    }
    for section in tags(&dom, "class=\"section\"") {
        assert_eq!(section.contains(" hidden"), !section.contains("data-section=\"cost\""), "{section}");
    }
}

#[test]
fn browser_screenshot() {
    let dir = scratch("screenshot");
    for lang in ["en", "ja"] {
        let report = write_report(&dir, lang);
        let png = dir.join(format!("report-{lang}.png"));
        run_chromium(
            &dir,
            &format!("file://{}", report.display()),
            &[&format!("--screenshot={}", png.display()), "--window-size=1280,2000"],
        );
        let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        assert!(bytes.len() > 20_000, "the screenshot looks blank ({} bytes)", bytes.len());
        eprintln!("screenshot: {}", png.display());
    }
}

/// With stored scans, the page charts failing controls per scan; with fewer than two there is no chart.
#[test]
fn trend_of_failing_controls() {
    use guardline_report::html::TrendPoint;
    let evaluation = demo();
    let trend = [
        TrendPoint { collected_at: "2026-11-14T09:00:00Z".into(), failing_controls: 25 },
        TrendPoint { collected_at: "2026-11-21T09:00:00Z".into(), failing_controls: 23 },
        TrendPoint { collected_at: "2026-11-28T09:00:00Z".into(), failing_controls: 21 },
    ];
    let page = render_with(&evaluation, "en", &HtmlExtras { trend: &trend, ..HtmlExtras::default() });
    assert!(page.contains("Failing controls over time"));
    assert_eq!(page.matches("class=\"trend-point\"").count(), 3);
    assert!(page.contains("data-failing=\"25\"") && page.contains("data-failing=\"21\""));
    let single = render_with(&evaluation, "en", &HtmlExtras { trend: &trend[2..], ..HtmlExtras::default() });
    assert!(!single.contains("id=\"trend\""));
}
