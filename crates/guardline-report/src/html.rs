//! The HTML report (`--format html`): one self-contained file a manager can open from disk, read and print.
//!
//! Layout: a header (account ID and alias, profile, collection date, regions, overall verdict), a score per
//! guideline section with an inline SVG bar chart, a filter bar, then every control grouped by section with
//! its outcome badge, severity, findings (region, resource, message, exception with reason/owner/expiry,
//! expired exceptions marked), not-adopted reason, and its documentation rendered from the rule's Markdown.
//!
//! - **Extras.** [`render_with`] adds, from [`HtmlExtras`], a trend chart of failing controls over the stored
//!   scans and a cost section (after the scores): spend by service this month and last month (top ten plus
//!   "others", as SVG bars and a table with the totals per currency), the month-end forecast, each budget's
//!   actual spend against its limit, and the open cost anomalies. A piece of the bill that was not collected
//!   reads "not available: <reason>", never a zero.
//! - **Self-contained.** The CSS and the script are inline; there are no external fonts, images, scripts or
//!   style sheets, so the file works offline and from `file://`.
//! - **Score.** A section's score is the share of its *adopted* controls (those with something to check and
//!   not marked not adopted) whose outcome is PASS. Excepted, warning and not-evaluated controls are not
//!   counted as passing; the bar shows each outcome as its own segment. NOT APPLICABLE controls (which do not
//!   apply to the account) are neither passing nor failing: they are left out of the score and the bar, like
//!   not-adopted ones, and shown as their own count.
//! - **Filters.** Checkboxes for section, outcome and severity; a few lines of vanilla JS set the `hidden`
//!   attribute on findings and controls. The same filters can be given in the URL fragment or query, e.g.
//!   `report.html#status=fail,warn&section=security&severity=high` (`outcome=` is a synonym of `status=`),
//!   which the script applies on load; changing a checkbox writes the fragment back.
//! - **Escaping.** Every text that comes from the evaluation (account alias, profile, resources, messages,
//!   exception reasons, ...) goes through [`escape`], a five-character HTML escape (`& < > " '`). It is small
//!   enough to audit at a glance and makes the text safe in element content and in quoted attribute values,
//!   the only two places this module puts text, so no templating or escaping crate is needed. The rules'
//!   Markdown is rendered with `pulldown-cmark`, with any raw HTML in it turned into escaped text.
//!
//! Architecture Invariant: [`render`] is pure: no IO, no clock; the same evaluation gives the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use guardline_model::cost_report::{Money, MonthSpend, SpendReport};
use guardline_model::{CollectError, Section, Severity};
use guardline_rules::{EvaluatedFinding, Evaluation, Outcome, find_rule};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::i18n::{Phrase, phrase};
use crate::lead::{self, Priority};
use crate::summary::findings_by_control;
use crate::{ControlSummary, SectionSummary, summarize};

/// Escapes `text` for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders a rule's Markdown documentation as HTML: headings moved two levels down (they sit under the
/// control's heading), raw HTML shown as text rather than interpreted.
pub fn markdown(text: &str) -> String {
    let events =
        Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(
            |event| match event {
                Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
                Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                    Event::Start(Tag::Heading { level: demote(level), id, classes, attrs })
                }
                Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
                event => event,
            },
        );
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// The outcomes in the order the report lists them (worst first).
pub(crate) const OUTCOMES: [Outcome; 7] = [
    Outcome::Fail,
    Outcome::Warn,
    Outcome::NotEvaluated,
    Outcome::Excepted,
    Outcome::NotAdopted,
    Outcome::NotApplicable,
    Outcome::Pass,
];

/// Outcomes that say nothing about how the account meets the guideline: left out of scores and their bars.
pub(crate) fn outside_score(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::NotAdopted | Outcome::NotApplicable)
}

pub(crate) const SEVERITIES: [Severity; 5] =
    [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

/// The outcome's key in URLs, data attributes and CSS classes (as in the JSON report).
pub(crate) fn outcome_key(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Fail => "fail",
        Outcome::Warn => "warn",
        Outcome::NotEvaluated => "not-evaluated",
        Outcome::Excepted => "excepted",
        Outcome::NotAdopted => "not-adopted",
        Outcome::NotApplicable => "not-applicable",
        Outcome::Pass => "pass",
    }
}

pub(crate) fn outcome_label(outcome: Outcome, lang: &str) -> &'static str {
    if lang == "ja" { outcome.label_ja() } else { outcome.label() }
}

pub(crate) fn section_key(section: Section) -> &'static str {
    match section {
        Section::Cost => "cost",
        Section::Security => "security",
        Section::Mistakes => "mistakes",
        Section::Detection => "detection",
    }
}

/// The HTML report's own words (the shared ones are in [`crate::i18n`]).
fn t(lang: &str, en: &'static str, ja: &'static str) -> &'static str {
    if lang == "ja" { ja } else { en }
}

/// Renders `evaluation` as one self-contained HTML page in `lang` (`en` or `ja`).
pub fn render(evaluation: &Evaluation, lang: &str) -> String {
    render_with(evaluation, lang, &HtmlExtras::default())
}

/// What the page can show beyond the evaluation; the default is nothing extra.
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlExtras<'a> {
    /// The account's stored scans, oldest first, this scan last: the trend chart (needs two points).
    pub trend: &'a [TrendPoint],
    /// The account's spend: the cost section (absent when `None`).
    pub cost: Option<&'a SpendReport>,
    /// The arguments that make the suggested commands reach the same account (see
    /// [`crate::TerminalOptions::target_args`]); empty for none.
    pub target_args: &'a str,
}

/// One earlier scan of the account, for the trend chart (from the history database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendPoint {
    /// When the scan's data was collected (RFC 3339).
    pub collected_at: String,
    /// Controls whose worst outcome was FAIL or WARN.
    pub failing_controls: usize,
}

/// The report with its extras: a chart of failing controls over the account's stored scans (with fewer than
/// two points there is no trend to show, and the chart is left out) and the cost section.
pub fn render_with(evaluation: &Evaluation, lang: &str, extras: &HtmlExtras) -> String {
    let lang = if lang == "ja" { "ja" } else { "en" };
    let (controls, sections) = summarize(evaluation);
    let by_control = findings_by_control(evaluation);
    let mut out = String::new();
    let account = match &evaluation.account_alias {
        Some(alias) => format!("{} ({})", evaluation.account_id, alias),
        None => evaluation.account_id.clone(),
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"Guardline\">\n<title>{} · {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        t(lang, "Guardline report", "Guardline レポート"),
        escape(&account),
    );
    header(&mut out, evaluation, &controls, lang);
    let priorities = lead::fix_first(&controls, &by_control);
    fix_first(&mut out, &priorities, extras.target_args, lang);
    blockers(&mut out, &lead::blockers(&evaluation.findings), lang);
    scores(&mut out, &sections, &controls, lang);
    trend_chart(&mut out, extras.trend, lang);
    if let Some(report) = extras.cost {
        cost_section(&mut out, report, lang);
    }
    filters(&mut out, lang);
    out.push_str("<main id=\"findings\">\n");
    let _ = writeln!(out, "<h2>{}</h2>", t(lang, "Controls and findings", "コントロールと検出結果"));
    let _ = writeln!(
        out,
        "<p id=\"nothing-shown\" class=\"muted\" hidden>{}</p>",
        t(lang, "No control matches the filters.", "フィルターに一致するコントロールはありません。")
    );
    for section in Section::ALL {
        let _ = writeln!(
            out,
            "<section class=\"section\" data-section=\"{}\" id=\"section-{}\">\n<h3 class=\"section-title\">{}. {}</h3>",
            section_key(section),
            section_key(section),
            section.number(),
            escape(section.title().get(lang)),
        );
        for control in controls.iter().filter(|control| control.section == section) {
            let findings = by_control.get(control.id).map(Vec::as_slice).unwrap_or_default();
            render_control(&mut out, findings, control, lang);
        }
        out.push_str("</section>\n");
    }
    unused_exceptions(&mut out, evaluation, lang);
    out.push_str("</main>\n");
    next_commands(&mut out, &priorities, extras.target_args, lang);
    let _ = writeln!(
        out,
        "<footer>{} {} · {} {}</footer>",
        t(lang, "Generated by Guardline from the snapshot collected", "Guardline が生成 · 収集日時"),
        escape(&format_timestamp(evaluation)),
        t(lang, "exceptions checked as of", "例外の判定日"),
        evaluation.evaluated_on,
    );
    let _ = write!(out, "<script>{JS}</script>\n</body>\n</html>\n");
    out
}

fn format_timestamp(evaluation: &Evaluation) -> String {
    evaluation.collected_at.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// "Fix first": the most urgent failing controls, each linked to its control, with its severity, reach,
/// one-line remedy and the command that does it.
fn fix_first(out: &mut String, priorities: &[Priority<'_>], target_args: &str, lang: &str) {
    if priorities.is_empty() {
        return;
    }
    let shown = priorities.len().min(lead::FIX_FIRST);
    let heading = lead::fix_first_heading(shown, priorities.len(), lang);
    let _ = writeln!(out, "<section class=\"lead\" id=\"fix-first\"><h2>{}</h2><ol>", escape(&heading));
    for priority in priorities.iter().take(shown) {
        let rule = priority.rule;
        let severity = priority.control.severity;
        let how = lead::how_to_fix(rule, target_args, lang);
        let _ = writeln!(
            out,
            "<li><span class=\"severity s-{}\">{}</span> <a href=\"#control-{id}\" class=\"control-id\">{id}</a> \
             {} <span class=\"muted\">({})</span><div class=\"remedy\">→ {}</div>\
             <div class=\"how\">{}<code>{}</code>{}</div></li>",
            severity.label(),
            severity.label_in(lang),
            escape(rule.title_in(lang)),
            escape(&priority.reach(lang)),
            escape(rule.remedy.get(lang)),
            escape(how.prefix),
            escape(&how.command),
            escape(how.note),
            id = escape(rule.id),
        );
    }
    out.push_str("</ol>");
    let rest = priorities.len() - shown;
    if rest > 0 {
        let more = if lang == "ja" {
            format!("ほかに {rest} コントロールが不合格です (下記)")
        } else {
            format!("and {rest} more failing {} below", lead::plural(rest, "control", "controls"))
        };
        let _ = write!(out, "<p class=\"muted\">{}</p>", escape(&more));
    }
    out.push_str("</section>\n");
}

/// The failed API calls behind NOT EVALUATED findings, each once, with the controls and what to do.
fn blockers(out: &mut String, blockers: &[lead::Blocker], lang: &str) {
    if blockers.is_empty() {
        return;
    }
    let heading = if lang == "ja" {
        format!("未評価の原因 (失敗した API 呼び出し {} 件)", blockers.len())
    } else {
        format!(
            "Not evaluated because {} API {} failed",
            blockers.len(),
            lead::plural(blockers.len(), "call", "calls")
        )
    };
    let _ = writeln!(out, "<section class=\"lead\" id=\"blockers\"><h2>{}</h2><ul>", escape(&heading));
    for blocker in blockers {
        let regions: Vec<&str> = blocker.regions.iter().map(String::as_str).collect();
        let controls: Vec<String> = blocker
            .controls
            .iter()
            .map(|id| format!("<a href=\"#control-{id}\">{id}</a>", id = escape(id)))
            .collect();
        let _ = writeln!(
            out,
            "<li><code>{}</code> {} {}: {}<div class=\"remedy\">→ {}</div></li>",
            escape(&blocker.call),
            t(lang, "in", "·"),
            escape(&regions.join(", ")),
            controls.join(", "),
            code_spans(&escape(blocker.remedy(lang))),
        );
    }
    out.push_str("</ul></section>\n");
}

/// Escaped text with its `backquoted` spans as `<code>`.
fn code_spans(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    for (index, part) in escaped.split('`').enumerate() {
        if index % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// The commands to run next.
fn next_commands(out: &mut String, priorities: &[Priority<'_>], target_args: &str, lang: &str) {
    let lines = lead::next_commands(priorities, target_args, lang);
    if lines.is_empty() {
        return;
    }
    let _ =
        writeln!(out, "<section class=\"lead\" id=\"next\"><h2>{}</h2><dl>", t(lang, "Next", "次のコマンド"));
    for (command, what) in lines {
        let _ =
            writeln!(out, "<div><dt><code>{}</code></dt><dd>{}</dd></div>", escape(&command), escape(&what));
    }
    out.push_str("</dl></section>\n");
}

fn header(out: &mut String, evaluation: &Evaluation, controls: &[ControlSummary], lang: &str) {
    let (verdict_class, verdict_badge, verdict_text) = if evaluation.failed {
        ("fail", outcome_label(Outcome::Fail, lang), phrase(lang, Phrase::Failed))
    } else {
        ("pass", outcome_label(Outcome::Pass, lang), phrase(lang, Phrase::Passed))
    };
    let alias = evaluation
        .account_alias
        .as_deref()
        .map(|alias| format!(" <span class=\"alias\">{}</span>", escape(alias)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<header class=\"top\">\n<div class=\"brand\">Guardline · {}</div>\n\
         <h1><span class=\"account-id\">{}</span>{alias}</h1>\n<dl class=\"meta\">",
        t(lang, "AWS account security report", "AWS アカウント監査レポート"),
        escape(&evaluation.account_id),
    );
    let meta = [
        (t(lang, "Account", "アカウント"), escape(&evaluation.account_id)),
        (t(lang, "Collected", "収集日時"), escape(&format_timestamp(evaluation))),
        (t(lang, "Profile", "プロファイル"), escape(&evaluation.profile)),
        (t(lang, "Regions", "リージョン"), escape(&evaluation.regions.join(", "))),
    ];
    for (term, value) in meta {
        let _ = writeln!(out, "<div><dt>{term}</dt><dd>{value}</dd></div>");
    }
    out.push_str("</dl>\n");
    let mut overall: BTreeMap<Outcome, usize> = BTreeMap::new();
    for outcome in controls.iter().filter_map(|control| control.outcome) {
        *overall.entry(outcome).or_default() += 1;
    }
    let counts: Vec<String> = OUTCOMES
        .iter()
        .filter_map(|outcome| {
            overall.get(outcome).map(|count| {
                format!(
                    "<span class=\"count o-{}\">{count} {}</span>",
                    outcome_key(*outcome),
                    outcome_label(*outcome, lang)
                )
            })
        })
        .collect();
    let _ = writeln!(
        out,
        "<div class=\"verdict v-{verdict_class}\" id=\"verdict\"><span class=\"verdict-badge\">{verdict_badge}</span>\
         <span class=\"verdict-text\">{verdict_text}</span>\
         <span class=\"verdict-counts\">{} {} · {}</span></div>\n</header>",
        controls.len(),
        phrase(lang, Phrase::Controls),
        counts.join(" "),
    );
}

/// Controls that count for the score: something to check, and adopted.
/// Failing controls per stored scan, as inline SVG bars.
fn trend_chart(out: &mut String, trend: &[TrendPoint], lang: &str) {
    if trend.len() < 2 {
        return;
    }
    let most = trend.iter().map(|point| point.failing_controls).max().unwrap_or(0).max(1);
    let (bar, gap, height) = (28usize, 12usize, 120usize);
    let width = trend.len() * (bar + gap) + gap;
    let _ = write!(
        out,
        "<section class=\"trend\" id=\"trend\">\n<h2>{}</h2>\n<p class=\"muted\">{}</p>\n\
         <svg role=\"img\" width=\"{width}\" height=\"{}\" viewBox=\"0 0 {width} {}\">",
        t(lang, "Failing controls over time", "不合格のコントロール数の推移"),
        t(
            lang,
            "One bar per stored scan of this account, oldest first.",
            "このアカウントの保存済みスキャンごとの棒グラフ(古い順)。"
        ),
        height + 40,
        height + 40,
    );
    for (index, point) in trend.iter().enumerate() {
        let bar_height = point.failing_controls * height / most;
        let x = gap + index * (bar + gap);
        let y = height - bar_height + 16;
        let date = point.collected_at.get(..10).unwrap_or(&point.collected_at);
        let _ = write!(
            out,
            "<g class=\"trend-point\" data-failing=\"{failing}\"><title>{} {failing}</title>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{bar_height}\" fill=\"#c62828\"></rect>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{failing}</text>\
             <text x=\"{}\" y=\"{}\" font-size=\"9\" text-anchor=\"middle\">{}</text></g>",
            escape(date),
            x + bar / 2,
            y.saturating_sub(3),
            x + bar / 2,
            height + 32,
            escape(date.get(5..).unwrap_or(date)),
            failing = point.failing_controls,
        );
    }
    out.push_str("</svg>\n</section>\n");
}

/// An amount with two decimals and thousands separators, e.g. `3,012.40`.
fn amount(value: f64) -> String {
    let text = format!("{:.2}", value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if value < 0.0 && text != "0.00" { "-" } else { "" };
    format!("{sign}{grouped}.{fraction}")
}

fn money(money: &Money) -> String {
    format!("{} {}", amount(money.amount), escape(&money.unit))
}

/// "not available: <reason>", escaped, for a piece of the bill that could not be read.
fn unavailable(error: &CollectError, lang: &str) -> String {
    format!(
        "<span class=\"unavailable\">{}: {}</span>",
        t(lang, "not available", "取得できません"),
        escape(&error.to_string())
    )
}

/// The spend-by-service chart shows this many services; the rest are summed as "others".
const TOP_SERVICES: usize = 10;

/// One row of the by-service chart: a service (or "others") with its spend in both months.
struct SpendRow {
    label: String,
    unit: String,
    this_month: Option<f64>,
    last_month: Option<f64>,
}

/// The rows: this month's services largest first, then those only last month had; beyond the top ten,
/// one "others" row per currency.
fn spend_rows(this: Option<&MonthSpend>, last: Option<&MonthSpend>, lang: &str) -> Vec<SpendRow> {
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for month in [this, last].into_iter().flatten() {
        for spend in &month.services {
            let key = (spend.service.as_str(), spend.unit.as_str());
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    let find = |month: Option<&MonthSpend>, (service, unit): (&str, &str)| {
        month.map(|month| {
            month
                .services
                .iter()
                .filter(|spend| spend.service == service && spend.unit == unit)
                .map(|spend| spend.amount)
                .sum::<f64>()
        })
    };
    let mut rows: Vec<SpendRow> = keys
        .iter()
        .take(TOP_SERVICES)
        .map(|&key| SpendRow {
            label: key.0.to_owned(),
            unit: key.1.to_owned(),
            this_month: find(this, key),
            last_month: find(last, key),
        })
        .collect();
    let mut others: Vec<SpendRow> = Vec::new();
    for &key in keys.iter().skip(TOP_SERVICES) {
        let index = match others.iter().position(|row| row.unit == key.1) {
            Some(index) => index,
            None => {
                others.push(SpendRow {
                    label: t(lang, "Others", "その他").to_owned(),
                    unit: key.1.to_owned(),
                    this_month: this.map(|_| 0.0),
                    last_month: last.map(|_| 0.0),
                });
                others.len() - 1
            }
        };
        let row = &mut others[index];
        row.this_month = row.this_month.zip(find(this, key)).map(|(a, b)| a + b);
        row.last_month = row.last_month.zip(find(last, key)).map(|(a, b)| a + b);
    }
    for row in &mut others {
        row.label =
            format!("{} ({} {})", row.label, keys.len() - TOP_SERVICES, t(lang, "services", "サービス"));
    }
    rows.extend(others);
    rows
}

/// The cost section: spend by service (chart and table), the forecast, budgets and open anomalies. A piece
/// that could not be read says so with its reason; it is never shown as a zero.
fn cost_section(out: &mut String, report: &SpendReport, lang: &str) {
    let _ = writeln!(
        out,
        "<section class=\"cost\" id=\"cost\">\n<h2>{}</h2>\n<p class=\"muted\">{} {} · {} {} · UnblendedCost</p>",
        t(lang, "Spend", "利用料金"),
        t(lang, "Account", "アカウント"),
        escape(&report.account),
        t(lang, "as of", "基準日"),
        report.today,
    );
    spend_by_service(out, report, lang);
    let _ =
        write!(out, "<h3>{}</h3>\n<p class=\"forecast\" id=\"cost-forecast\">", t(lang, "Forecast", "予測"));
    match report.forecast.get() {
        Ok(forecast) => {
            match &forecast.month_end {
                Some(month_end) => {
                    let _ = write!(
                        out,
                        "{}: <strong>{}</strong> ({} {})",
                        t(lang, "Month end", "月末の見込み"),
                        money(month_end),
                        t(lang, "of which rest of month", "うち月末までの残り"),
                        money(&forecast.rest_of_month),
                    );
                }
                None => {
                    let _ = write!(
                        out,
                        "{}: <strong>{}</strong>",
                        t(lang, "Rest of month", "月末までの残り"),
                        money(&forecast.rest_of_month),
                    );
                }
            }
            let _ = write!(out, " <span class=\"muted\">{} – {}</span>", forecast.start, forecast.end);
        }
        Err(error) => out.push_str(&unavailable(error, lang)),
    }
    out.push_str("</p>\n");
    budgets(out, report, lang);
    anomalies(out, report, lang);
    out.push_str("</section>\n");
}

fn spend_by_service(out: &mut String, report: &SpendReport, lang: &str) {
    let _ = writeln!(out, "<h3>{}</h3>", t(lang, "Spend by service", "サービス別の利用料金"));
    let months = [
        (t(lang, "This month", "今月"), &report.this_month),
        (t(lang, "Last month", "先月"), &report.last_month),
    ];
    for (label, month) in months {
        if let Err(error) = month.get() {
            let _ = writeln!(out, "<p class=\"month-unavailable\">{label}: {}</p>", unavailable(error, lang));
        }
    }
    let this = report.this_month.get().ok();
    let last = report.last_month.get().ok();
    if this.is_none() && last.is_none() {
        return;
    }
    let rows = spend_rows(this, last, lang);
    if rows.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{}</p>",
            t(lang, "No spend recorded.", "利用料金の記録はありません。")
        );
    } else {
        spend_chart(out, &rows, this.is_some(), last.is_some(), lang);
    }
    let _ = writeln!(
        out,
        "<table class=\"cost-table\"><thead><tr><th>{}</th><th class=\"amount\">{}</th><th class=\"amount\">{}</th></tr></thead><tbody>",
        t(lang, "Service", "サービス"),
        months[0].0,
        months[1].0,
    );
    let cell = |value: Option<f64>, unit: &str| match value {
        Some(value) => format!("{} {}", amount(value), escape(unit)),
        None => t(lang, "not available", "取得できません").to_owned(),
    };
    for row in &rows {
        let _ = writeln!(
            out,
            "<tr class=\"spend-row\"><td>{}</td><td class=\"amount\">{}</td><td class=\"amount\">{}</td></tr>",
            escape(&row.label),
            cell(row.this_month, &row.unit),
            cell(row.last_month, &row.unit),
        );
    }
    let total = |month: Option<&MonthSpend>| match month {
        None => t(lang, "not available", "取得できません").to_owned(),
        Some(month) if month.total.is_empty() => t(lang, "no spend recorded", "記録なし").to_owned(),
        Some(month) => {
            let total = month.total.iter().map(money).collect::<Vec<_>>().join(" + ");
            if month.estimated {
                format!("{total} <span class=\"muted\">({})</span>", t(lang, "estimated", "見込み"))
            } else {
                total
            }
        }
    };
    let _ = writeln!(
        out,
        "<tr class=\"total\"><th scope=\"row\">{}</th><td class=\"amount\">{}</td><td class=\"amount\">{}</td></tr>\n</tbody></table>",
        t(lang, "Total", "合計"),
        total(this),
        total(last),
    );
}

/// Horizontal bars, two per service (this month, last month), scaled to the largest amount.
fn spend_chart(out: &mut String, rows: &[SpendRow], has_this: bool, has_last: bool, lang: &str) {
    let (label_width, bar_width, value_width) = (300usize, 380usize, 140usize);
    let (bar_height, row_height, top) = (11usize, 32usize, 30usize);
    let width = label_width + bar_width + value_width;
    let height = top + rows.len() * row_height + 8;
    let largest =
        rows.iter().flat_map(|row| [row.this_month, row.last_month]).flatten().fold(0.0_f64, f64::max);
    let _ = write!(
        out,
        "<svg class=\"cost-chart\" role=\"img\" aria-label=\"{}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">",
        t(lang, "Spend by service, this month and last month", "サービス別の利用料金(今月と先月)"),
    );
    let legend = [
        ("this-month", t(lang, "This month", "今月"), has_this),
        ("last-month", t(lang, "Last month", "先月"), has_last),
    ];
    let mut x = label_width;
    for (class, label, shown) in legend {
        if shown {
            let _ = write!(
                out,
                "<rect class=\"cost-key {class}\" x=\"{x}\" y=\"8\" width=\"12\" height=\"12\"></rect>\
                 <text x=\"{}\" y=\"18\" font-size=\"12\">{label}</text>",
                x + 16
            );
            x += 110;
        }
    }
    for (index, row) in rows.iter().enumerate() {
        let y = top + index * row_height;
        let _ = write!(
            out,
            "<g class=\"spend-bar\"><text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
            label_width - 8,
            y + bar_height + 5,
            escape(&row.label),
        );
        for (offset, class, value) in
            [(0, "this-month", row.this_month), (bar_height + 2, "last-month", row.last_month)]
        {
            let Some(value) = value else { continue };
            let length =
                if largest > 0.0 { (value.max(0.0) / largest * bar_width as f64).max(1.0) } else { 1.0 };
            let _ = write!(
                out,
                "<rect class=\"cost-bar {class}\" x=\"{label_width}\" y=\"{}\" width=\"{length:.1}\" height=\"{bar_height}\">\
                 <title>{} {}</title></rect><text x=\"{:.1}\" y=\"{}\" font-size=\"10\">{}</text>",
                y + offset,
                escape(&row.label),
                escape(&format!("{} {}", amount(value), row.unit)),
                label_width as f64 + length + 4.0,
                y + offset + bar_height - 2,
                escape(&format!("{} {}", amount(value), row.unit)),
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>\n");
}

fn budgets(out: &mut String, report: &SpendReport, lang: &str) {
    let _ = writeln!(out, "<h3>{}</h3>", t(lang, "Budgets", "予算"));
    let budgets = match report.budgets.get() {
        Err(error) => {
            let _ = writeln!(out, "<p id=\"cost-budgets\">{}</p>", unavailable(error, lang));
            return;
        }
        Ok(budgets) if budgets.is_empty() => {
            let _ = writeln!(
                out,
                "<p id=\"cost-budgets\" class=\"muted\">{}</p>",
                t(lang, "No budgets are set.", "予算は設定されていません。")
            );
            return;
        }
        Ok(budgets) => budgets,
    };
    let _ = writeln!(
        out,
        "<table class=\"budget-table\" id=\"cost-budgets\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th></th><th>{}</th></tr></thead><tbody>",
        t(lang, "Budget", "予算"),
        t(lang, "Actual", "実績"),
        t(lang, "Limit", "上限"),
        t(lang, "Used", "使用率"),
    );
    for budget in budgets {
        let or_dash = |money_: &Option<Money>| money_.as_ref().map(money).unwrap_or_else(|| "–".to_owned());
        let (bar, percent) = match budget.percent_used {
            Some(percent) => {
                let class = if percent > 100.0 {
                    "over"
                } else if percent >= 80.0 {
                    "near"
                } else {
                    "ok"
                };
                (
                    format!(
                        "<svg class=\"budget-chart\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{percent:.1}%\">\
                         <rect class=\"track\" x=\"0\" y=\"0\" width=\"100\" height=\"10\"></rect>\
                         <rect class=\"budget-fill {class}\" x=\"0\" y=\"0\" width=\"{:.1}\" height=\"10\"></rect></svg>",
                        percent.clamp(0.0, 100.0)
                    ),
                    format!("<span class=\"budget-percent {class}\">{percent:.1}%</span>"),
                )
            }
            None => (String::new(), "–".to_owned()),
        };
        let _ = writeln!(
            out,
            "<tr class=\"budget\"><td><strong>{}</strong> <span class=\"muted\">({}, {})</span></td><td>{}</td><td>{}</td><td class=\"bar\">{bar}</td><td>{percent}</td></tr>",
            escape(&budget.name),
            escape(&budget.budget_type),
            escape(&budget.time_unit),
            or_dash(&budget.actual),
            or_dash(&budget.limit),
        );
    }
    out.push_str("</tbody></table>\n");
}

fn anomalies(out: &mut String, report: &SpendReport, lang: &str) {
    let _ = writeln!(
        out,
        "<h3>{}</h3>",
        t(lang, "Open cost anomalies (last 30 days)", "未対応のコスト異常(過去 30 日)")
    );
    let anomalies = match report.anomalies.get() {
        Err(error) => {
            let _ = writeln!(out, "<p id=\"cost-anomalies\">{}</p>", unavailable(error, lang));
            return;
        }
        Ok(anomalies) => anomalies,
    };
    let open: Vec<_> = anomalies.iter().filter(|anomaly| anomaly.is_open()).collect();
    let reviewed = anomalies.len() - open.len();
    // Anomalies carry no currency: they are in the account's, the one its spend is in.
    let unit = report
        .this_month
        .get()
        .ok()
        .and_then(|month| match month.total.as_slice() {
            [only] => Some(format!(" {}", escape(&only.unit))),
            _ => None,
        })
        .unwrap_or_default();
    if open.is_empty() {
        let _ = writeln!(
            out,
            "<p id=\"cost-anomalies\" class=\"muted\">{}</p>",
            t(lang, "None.", "ありません。")
        );
    } else {
        let _ = writeln!(
            out,
            "<table class=\"anomaly-table\" id=\"cost-anomalies\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            t(lang, "Period", "期間"),
            t(lang, "Monitored", "対象"),
            t(lang, "Impact", "影響額"),
            t(lang, "Root cause", "原因"),
        );
        for anomaly in open {
            let dates = match (&anomaly.start_date, &anomaly.end_date) {
                (Some(start), Some(end)) => format!("{} – {}", escape(start), escape(end)),
                (Some(start), None) => escape(start),
                _ => "–".to_owned(),
            };
            let root_cause = if anomaly.root_cause_services.is_empty() {
                "–".to_owned()
            } else {
                escape(&anomaly.root_cause_services.join(", "))
            };
            let _ = writeln!(
                out,
                "<tr class=\"anomaly\"><td>{dates}</td><td>{}</td><td><strong>+{}{unit}</strong> <span class=\"muted\">({} {}{unit})</span></td><td>{root_cause}</td></tr>",
                escape(anomaly.dimension_value.as_deref().unwrap_or(&anomaly.id)),
                amount(anomaly.total_impact),
                t(lang, "max per day", "1 日の最大"),
                amount(anomaly.max_impact),
            );
        }
        out.push_str("</tbody></table>\n");
    }
    if reviewed > 0 {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{reviewed} {}</p>",
            t(lang, "reviewed anomalies are not shown.", "件の確認済みの異常は省略しています。")
        );
    }
}

fn adopted(counts: &BTreeMap<Outcome, usize>) -> usize {
    counts.iter().filter(|(outcome, _)| !outside_score(**outcome)).map(|(_, count)| count).sum()
}

fn scores(out: &mut String, sections: &[SectionSummary], controls: &[ControlSummary], lang: &str) {
    let _ = writeln!(
        out,
        "<section class=\"scores\" id=\"scores\">\n<h2>{}</h2>\n<p class=\"muted\">{}</p>\n<table class=\"score-table\">",
        t(lang, "Score by guideline section", "ガイドラインのセクション別スコア"),
        t(
            lang,
            "Score: the share of adopted controls that pass. Each bar shows the adopted controls of the section by outcome.",
            "スコア: 採用したコントロールのうち合格したものの割合です。棒グラフは各セクションの採用コントロールを結果別に示します。"
        ),
    );
    let mut total: BTreeMap<Outcome, usize> = BTreeMap::new();
    for outcome in controls.iter().filter_map(|control| control.outcome) {
        *total.entry(outcome).or_default() += 1;
    }
    for section in sections {
        let label = format!("{}. {}", section.section.number(), section.section.title().get(lang));
        score_row(out, &label, Some(section.section), &section.controls, section.empty, lang);
    }
    let empty = controls.iter().filter(|control| control.outcome.is_none()).count();
    score_row(out, t(lang, "All sections", "全体"), None, &total, empty, lang);
    out.push_str("</table>\n<p class=\"legend\">");
    for outcome in OUTCOMES.iter().filter(|outcome| !outside_score(**outcome)) {
        let _ = write!(
            out,
            "<span class=\"legend-item\"><span class=\"swatch o-{}\"></span>{}</span>",
            outcome_key(*outcome),
            outcome_label(*outcome, lang)
        );
    }
    out.push_str("</p>\n</section>\n");
}

fn score_row(
    out: &mut String,
    label: &str,
    section: Option<Section>,
    counts: &BTreeMap<Outcome, usize>,
    empty: usize,
    lang: &str,
) {
    let adopted = adopted(counts);
    let pass = counts.get(&Outcome::Pass).copied().unwrap_or(0);
    let (score, percent) = match (pass * 100).checked_div(adopted) {
        Some(percent) => (format!("{percent}%"), percent.to_string()),
        None => ("–".to_owned(), String::new()),
    };
    let row_class = if section.is_none() { " class=\"total\"" } else { "" };
    let data =
        section.map(|section| format!(" data-section=\"{}\"", section_key(section))).unwrap_or_default();
    let _ = write!(
        out,
        "<tr{row_class}{data}><th scope=\"row\">{}</th><td class=\"score\" data-score=\"{percent}\">{score}</td><td class=\"bar\">",
        escape(label)
    );
    // The bar: one segment per outcome, proportional to the number of adopted controls.
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{}\">",
        escape(&format!("{label}: {score}"))
    );
    out.push_str("<rect class=\"track\" x=\"0\" y=\"0\" width=\"100\" height=\"10\"/>");
    let mut x = 0.0_f64;
    for outcome in OUTCOMES.iter().filter(|outcome| !outside_score(**outcome)) {
        let count = counts.get(outcome).copied().unwrap_or(0);
        if count == 0 || adopted == 0 {
            continue;
        }
        let width = count as f64 * 100.0 / adopted as f64;
        let _ = write!(
            out,
            "<rect class=\"seg o-{}\" x=\"{x:.2}\" y=\"0\" width=\"{width:.2}\" height=\"10\"><title>{count} {}</title></rect>",
            outcome_key(*outcome),
            outcome_label(*outcome, lang)
        );
        x += width;
    }
    out.push_str("</svg></td><td class=\"counts\">");
    let _ = write!(out, "{pass}/{adopted} {}", t(lang, "adopted controls pass", "採用コントロールが合格"));
    let mut details: Vec<String> = OUTCOMES
        .iter()
        .filter(|outcome| !matches!(outcome, Outcome::Pass))
        .filter_map(|outcome| {
            counts.get(outcome).map(|count| {
                format!(
                    "<span class=\"count o-{}\">{count} {}</span>",
                    outcome_key(*outcome),
                    outcome_label(*outcome, lang)
                )
            })
        })
        .collect();
    if empty > 0 {
        details.push(format!(
            "<span class=\"count o-none\">{empty} {}</span>",
            phrase(lang, Phrase::NoResources)
        ));
    }
    if !details.is_empty() {
        let _ = write!(out, "<br>{}", details.join(" "));
    }
    out.push_str("</td></tr>\n");
}

fn filters(out: &mut String, lang: &str) {
    let _ = writeln!(
        out,
        "<form class=\"filters\" id=\"filters\" aria-label=\"{}\">",
        t(lang, "Filters", "フィルター")
    );
    let _ = write!(out, "<fieldset><legend>{}</legend>", t(lang, "Section", "セクション"));
    for section in Section::ALL {
        checkbox(
            out,
            "section",
            section_key(section),
            &format!("{}. {}", section.number(), section.title().get(lang)),
        );
    }
    out.push_str("</fieldset>\n");
    let _ = write!(out, "<fieldset><legend>{}</legend>", t(lang, "Outcome", "結果"));
    for outcome in OUTCOMES {
        checkbox(out, "status", outcome_key(outcome), outcome_label(outcome, lang));
    }
    checkbox(out, "status", "none", phrase(lang, Phrase::NoResources));
    out.push_str("</fieldset>\n");
    let _ = write!(out, "<fieldset><legend>{}</legend>", t(lang, "Severity", "重大度"));
    for severity in SEVERITIES {
        checkbox(out, "severity", severity.label(), severity.label_in(lang));
    }
    out.push_str("</fieldset>\n");
    let _ = writeln!(
        out,
        "<div class=\"filter-actions\"><button type=\"button\" id=\"only-problems\">{}</button>\
         <button type=\"button\" id=\"show-all\">{}</button><span id=\"shown-count\" class=\"muted\"></span></div>\n</form>",
        t(lang, "Problems only", "問題のみ表示"),
        t(lang, "Show all", "すべて表示"),
    );
}

fn checkbox(out: &mut String, name: &str, value: &str, label: &str) {
    let _ = write!(
        out,
        "<label><input type=\"checkbox\" name=\"{name}\" value=\"{value}\" checked> {}</label>",
        escape(label)
    );
}

fn render_control(out: &mut String, findings: &[&EvaluatedFinding], control: &ControlSummary, lang: &str) {
    let rule = find_rule(control.id).expect("summaries come from the registry");
    let outcome = control.outcome.map(outcome_key).unwrap_or("none");
    let badge = control.outcome.map(|outcome| outcome_label(outcome, lang)).unwrap_or("–");
    let _ = writeln!(
        out,
        "<article class=\"control c-{outcome}\" id=\"control-{}\" data-control=\"{}\" data-section=\"{}\" data-severity=\"{}\" data-outcome=\"{outcome}\">",
        escape(control.id),
        escape(control.id),
        section_key(control.section),
        control.severity.label(),
    );
    let _ = writeln!(
        out,
        "<div class=\"control-head\"><span class=\"badge o-{outcome}\">{badge}</span>\
         <span class=\"control-id\">{}</span><h4 class=\"control-title\">{}</h4>\
         <span class=\"severity s-{}\">{}: {}</span><span class=\"muted resource-count\">{}</span></div>",
        escape(control.id),
        escape(rule.title_in(lang)),
        control.severity.label(),
        t(lang, "severity", "重大度"),
        control.severity.label_in(lang),
        escape(&lead::reach(control, lang)),
    );
    if control.outcome.is_none() {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", phrase(lang, Phrase::NoResources));
    }
    if control.outcome == Some(Outcome::NotAdopted) {
        if let Some(reason) = findings.first().and_then(|finding| finding.not_adopted_reason.as_deref()) {
            let _ = writeln!(
                out,
                "<p class=\"not-adopted\"><strong>{}:</strong> {}</p>",
                t(lang, "Not adopted by this profile", "このプロファイルでは不採用"),
                escape(reason)
            );
        }
    } else if !findings.is_empty() {
        let _ = writeln!(
            out,
            "<table class=\"findings\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            t(lang, "Outcome", "結果"),
            t(lang, "Region", "リージョン"),
            t(lang, "Resource and finding", "リソースと検出内容"),
        );
        for finding in findings {
            render_finding(out, finding, lang);
        }
        out.push_str("</tbody></table>\n");
    }
    let _ = writeln!(
        out,
        "<details class=\"doc\"><summary>{}</summary><div class=\"doc-body\">{}</div></details>\n</article>",
        t(lang, "Explanation and how to fix", "解説と対処方法"),
        markdown(&rule.explanation_in(lang)),
    );
}

fn render_finding(out: &mut String, finding: &EvaluatedFinding, lang: &str) {
    let outcome = outcome_key(finding.outcome);
    let _ = write!(
        out,
        "<tr class=\"finding\" data-section=\"{}\" data-severity=\"{}\" data-outcome=\"{outcome}\">\
         <td><span class=\"badge o-{outcome}\">{}</span></td><td class=\"region\">{}</td>\
         <td><code class=\"resource\">{}</code><div class=\"message\">{}</div>",
        section_key(finding.section),
        finding.severity.label(),
        outcome_label(finding.outcome, lang),
        escape(&finding.finding.region),
        escape(&crate::formats::finding_key(&finding.finding)),
        escape(finding.finding.message.get(lang)),
    );
    if let Some(exception) = &finding.exception {
        let (class, what) = if exception.expired {
            (
                "exception expired",
                format!(
                    "<span class=\"badge o-fail\">{}</span> {} {}",
                    t(lang, "EXPIRED", "期限切れ"),
                    phrase(lang, Phrase::ExceptionExpired),
                    exception.expires
                ),
            )
        } else {
            (
                "exception",
                format!(
                    "{} · {} {}",
                    t(lang, "Exception", "例外"),
                    phrase(lang, Phrase::Expires),
                    exception.expires
                ),
            )
        };
        let _ = write!(
            out,
            "<div class=\"{class}\"><div class=\"exception-head\">{what}</div>\
             <div><strong>{}:</strong> {}</div><div><strong>{}:</strong> {}</div><div class=\"covers\">{}</div></div>",
            t(lang, "Reason", "理由"),
            escape(&exception.reason),
            t(lang, "Owner", "担当"),
            escape(&exception.owner),
            escape(&crate::formats::covers_note(exception, &finding.finding, lang)),
        );
    }
    out.push_str("</td></tr>\n");
}

fn unused_exceptions(out: &mut String, evaluation: &Evaluation, lang: &str) {
    if evaluation.unused_exceptions.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section class=\"unused\" id=\"unused-exceptions\"><h3 class=\"section-title\">{}</h3><ul>",
        t(lang, "Exceptions that matched nothing", "どの検出結果にも一致しない例外")
    );
    for unused in &evaluation.unused_exceptions {
        let resource = unused
            .resource
            .as_deref()
            .map(|resource| format!(" <code>{}</code>", escape(resource)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<li><strong>{}</strong>{resource} ({} {}): {}</li>",
            escape(&unused.control),
            t(lang, "config line", "設定ファイルの行"),
            unused.line,
            escape(&unused.reason),
        );
    }
    out.push_str("</ul></section>\n");
}

const CSS: &str = r##"
:root{--fail:#c62828;--warn:#b45309;--not-evaluated:#7b1fa2;--excepted:#00838f;--not-adopted:#6b7280;--not-applicable:#3b5bdb;--pass:#2e7d32;--none:#9ca3af;--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f8fafc}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans CJK JP","Yu Gothic",sans-serif;color:var(--ink);background:var(--bg);line-height:1.5;font-size:15px}
header.top,.scores,.cost,.filters,main,footer{max-width:1100px;margin:0 auto;padding:0 24px}
header.top{padding-top:28px;padding-bottom:16px}
.brand{font-size:13px;letter-spacing:.06em;text-transform:uppercase;color:var(--muted)}
h1{margin:4px 0 12px;font-size:28px}
h1 .alias{color:var(--muted);font-weight:500}
h2{font-size:20px;margin:28px 0 8px}
.meta{display:flex;flex-wrap:wrap;gap:8px 32px;margin:0 0 16px}
.meta dt{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.meta dd{margin:0;font-weight:600}
.verdict{display:flex;flex-wrap:wrap;align-items:center;gap:12px;padding:14px 18px;border-radius:10px;background:#fff;border:1px solid var(--line);border-left:8px solid var(--pass)}
.verdict.v-fail{border-left-color:var(--fail)}
.verdict-badge{font-weight:700;color:#fff;background:var(--pass);padding:4px 12px;border-radius:6px}
.v-fail .verdict-badge{background:var(--fail)}
.verdict-text{font-weight:600;font-size:17px}
.verdict-counts{color:var(--muted);font-size:14px}
.scores{background:transparent}
.score-table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);border-radius:10px}
.score-table th,.score-table td{padding:10px 14px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
.score-table th{width:26%;font-weight:600}
.score-table td.score{width:8%;font-size:22px;font-weight:700;text-align:right}
.score-table td.bar{width:36%}
.score-table td.counts{font-size:13px;color:var(--muted)}
.score-table tr.total th,.score-table tr.total td{border-bottom:0;border-top:2px solid var(--line)}
.chart{display:block;width:100%;height:18px;border-radius:4px}
.chart .track{fill:#eef0f3}
.seg.o-fail,.swatch.o-fail{fill:var(--fail);background:var(--fail)}
.seg.o-warn,.swatch.o-warn{fill:var(--warn);background:var(--warn)}
.seg.o-not-evaluated,.swatch.o-not-evaluated{fill:var(--not-evaluated);background:var(--not-evaluated)}
.seg.o-excepted,.swatch.o-excepted{fill:var(--excepted);background:var(--excepted)}
.seg.o-pass,.swatch.o-pass{fill:var(--pass);background:var(--pass)}
.legend{font-size:13px;color:var(--muted);display:flex;flex-wrap:wrap;gap:16px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:6px;vertical-align:-1px}
.count{font-weight:600;margin-right:6px}
.count.o-fail{color:var(--fail)}.count.o-warn{color:var(--warn)}.count.o-not-evaluated{color:var(--not-evaluated)}
.count.o-excepted{color:var(--excepted)}.count.o-not-adopted{color:var(--not-adopted)}.count.o-not-applicable{color:var(--not-applicable)}.count.o-pass{color:var(--pass)}.count.o-none{color:var(--none)}
.filters{margin-top:24px;display:flex;flex-wrap:wrap;gap:6px 24px;align-items:flex-start;max-width:1052px;position:sticky;top:0;z-index:1;background:#fff;border:1px solid var(--line);border-radius:10px;padding:10px 16px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
.filters fieldset{border:0;padding:0;margin:0;font-size:13px}
.filters legend{font-weight:700;padding:0;font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.filters label{display:inline-block;margin-right:10px;white-space:nowrap}
.filter-actions{display:flex;gap:8px;align-items:center;padding-top:14px;font-size:13px}
.filter-actions button{font:inherit;padding:4px 10px;border:1px solid #cbd5e1;border-radius:6px;background:#fff;cursor:pointer}
.section-title{font-size:18px;margin:28px 0 10px;padding-bottom:6px;border-bottom:2px solid var(--line)}
.control{background:#fff;border:1px solid var(--line);border-left:6px solid var(--none);border-radius:8px;padding:12px 16px;margin:10px 0;break-inside:avoid-page}
.control.c-fail{border-left-color:var(--fail)}.control.c-warn{border-left-color:var(--warn)}.control.c-not-evaluated{border-left-color:var(--not-evaluated)}
.control.c-excepted{border-left-color:var(--excepted)}.control.c-not-adopted{border-left-color:var(--not-adopted)}.control.c-not-applicable{border-left-color:var(--not-applicable)}.control.c-pass{border-left-color:var(--pass)}
.control-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 10px}
.control-id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;color:var(--muted)}
.control-title{margin:0;font-size:16px;flex:1 1 300px}
.severity{font-size:12px;padding:1px 8px;border-radius:999px;border:1px solid var(--line);color:var(--muted)}
.severity.s-critical{border-color:var(--fail);color:var(--fail);font-weight:700}
.severity.s-high{border-color:#ea580c;color:#c2410c;font-weight:600}
.resource-count{font-size:12px}
.badge{display:inline-block;min-width:64px;text-align:center;font-size:11px;font-weight:700;letter-spacing:.03em;color:#fff;background:var(--none);padding:2px 8px;border-radius:5px;white-space:nowrap}
.badge.o-fail{background:var(--fail)}.badge.o-warn{background:var(--warn)}.badge.o-not-evaluated{background:var(--not-evaluated)}
.badge.o-excepted{background:var(--excepted)}.badge.o-not-adopted{background:var(--not-adopted)}.badge.o-not-applicable{background:var(--not-applicable)}.badge.o-pass{background:var(--pass)}
.findings{width:100%;border-collapse:collapse;margin-top:10px;font-size:14px}
.findings th{text-align:left;font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);border-bottom:1px solid var(--line);padding:4px 8px}
.findings td{border-bottom:1px solid var(--line);padding:6px 8px;vertical-align:top}
.findings td:first-child{width:110px}.findings td.region{width:130px;white-space:nowrap;color:var(--muted)}
.resource{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;word-break:break-all;color:#374151}
.message{margin-top:2px}
.exception{margin-top:6px;padding:6px 10px;border-radius:6px;background:#ecfeff;border:1px solid #a5f3fc;font-size:13px}
.exception.expired{background:#fef2f2;border-color:#fecaca}
.exception-head{font-weight:600}
.not-adopted{margin:8px 0 0;color:var(--not-adopted)}
.muted{color:var(--muted)}
details.doc{margin-top:8px;font-size:14px}
details.doc summary{cursor:pointer;color:#1d4ed8;font-size:13px}
.doc-body{border-top:1px dashed var(--line);margin-top:6px}
.doc-body h4{font-size:14px;margin:12px 0 4px}
.doc-body pre{background:#f1f5f9;padding:8px 10px;border-radius:6px;overflow-x:auto;font-size:12px;white-space:pre-wrap}
.doc-body code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.unused li{margin:4px 0}
.lead{background:#fff;border:1px solid var(--line);border-radius:10px;padding:10px 18px;margin:14px 0}
.lead h2{font-size:17px;margin:6px 0 8px}
.lead li{margin:8px 0}
.lead .remedy{margin-left:4px}
.lead .how code,.lead dt code,.lead li>code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;background:#f1f5f9;padding:1px 6px;border-radius:4px}
.lead dl div{display:flex;gap:12px;margin:6px 0}
.lead dd{margin:0}
.cost h3{font-size:16px;margin:18px 0 6px}
.cost-chart{display:block;max-width:100%;height:auto;background:#fff;border:1px solid var(--line);border-radius:10px}
.cost-bar.this-month,.cost-key.this-month{fill:#1d4ed8}
.cost-bar.last-month,.cost-key.last-month{fill:#93c5fd}
.cost-table,.budget-table,.anomaly-table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);margin-top:8px;font-size:14px}
.cost-table th,.cost-table td,.budget-table th,.budget-table td,.anomaly-table th,.anomaly-table td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left}
.cost-table td.amount,.cost-table th.amount{text-align:right;white-space:nowrap}
.cost-table tr.total th,.cost-table tr.total td{border-top:2px solid var(--line);font-weight:700}
.budget-chart{display:block;width:100%;height:14px;border-radius:4px}
.budget-chart .track{fill:#eef0f3}
.budget-fill{fill:var(--pass)}.budget-fill.near{fill:var(--warn)}.budget-fill.over{fill:var(--fail)}
.budget-percent{font-weight:700;white-space:nowrap}.budget-percent.over{color:var(--fail)}
.unavailable{color:var(--not-evaluated);font-weight:600}
.forecast{font-size:16px}
footer{color:var(--muted);font-size:12px;padding-top:24px;padding-bottom:32px}
@media print{
  body{background:#fff;font-size:11pt}
  .filters,details.doc:not([open]){display:none!important}
  header.top,.scores,.cost,main,footer{max-width:none;padding:0}
  .control,.score-table,.verdict{border-color:#bbb}
  .control{break-inside:avoid}
  .badge,.seg,.swatch,.cost-bar,.cost-key,.budget-fill,.verdict-badge,.control{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  a{color:inherit}
}
"##;

const JS: &str = r##"
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var groups = ["section", "status", "severity"];
  function boxes(name) { return Array.prototype.slice.call(form.querySelectorAll('input[name="' + name + '"]')); }
  function chosen(name) {
    var set = {};
    boxes(name).forEach(function (box) { if (box.checked) { set[box.value] = true; } });
    return set;
  }
  function apply() {
    var want = { section: chosen("section"), status: chosen("status"), severity: chosen("severity") };
    var shown = 0, total = 0;
    document.querySelectorAll("article.control").forEach(function (control) {
      var base = want.section[control.dataset.section] && want.severity[control.dataset.severity];
      var rows = control.querySelectorAll("tr.finding");
      var visible = 0;
      rows.forEach(function (row) {
        var show = base && want.status[row.dataset.outcome];
        row.hidden = !show;
        total += 1;
        if (show) { visible += 1; shown += 1; }
      });
      control.hidden = rows.length ? visible === 0 : !(base && want.status[control.dataset.outcome]);
    });
    document.querySelectorAll("main section.section").forEach(function (section) {
      section.hidden = !section.querySelector("article.control:not([hidden])");
    });
    document.getElementById("nothing-shown").hidden = !!document.querySelector("article.control:not([hidden])");
    document.getElementById("shown-count").textContent = shown + " / " + total;
  }
  function saveFilters() {
    var parts = [];
    groups.forEach(function (name) {
      var all = boxes(name), on = all.filter(function (box) { return box.checked; });
      if (on.length !== all.length) { parts.push(name + "=" + on.map(function (box) { return box.value; }).join(",")); }
    });
    try { history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search); } catch (e) { /* ignore */ }
  }
  function loadFilters() {
    var text = (location.search.slice(1) + "&" + location.hash.slice(1)).split("&");
    text.forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at < 0) { return; }
      var name = decodeURIComponent(pair.slice(0, at)), values = decodeURIComponent(pair.slice(at + 1)).split(",");
      if (name === "outcome") { name = "status"; }
      if (groups.indexOf(name) < 0) { return; }
      boxes(name).forEach(function (box) { box.checked = values.indexOf(box.value) >= 0; });
    });
  }
  function setAll(name, values) { boxes(name).forEach(function (box) { box.checked = !values || values.indexOf(box.value) >= 0; }); }
  form.addEventListener("change", function () { apply(); saveFilters(); });
  document.getElementById("only-problems").addEventListener("click", function () {
    setAll("status", ["fail", "warn", "not-evaluated"]); apply(); saveFilters();
  });
  document.getElementById("show-all").addEventListener("click", function () {
    groups.forEach(function (name) { setAll(name, null); }); apply(); saveFilters();
  });
  window.addEventListener("hashchange", function () { groups.forEach(function (name) { setAll(name, null); }); loadFilters(); apply(); });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("article.c-fail details.doc, article.c-warn details.doc").forEach(function (d) { d.open = true; });
  });
  loadFilters();
  apply();
  document.documentElement.dataset.filtersReady = "true";
})();
"##;
