//! The organisation report's HTML page, the one a team with many accounts opens first: which accounts are
//! worst, and in what.
//!
//! The page (one self-contained file, printable) holds, in this order: the verdict and counts; a **heat
//! map** of accounts × guideline sections, worst account first (NOT EVALUATED accounts, then the lowest
//! score), each row with the account's trend of failing controls from the history; the organisation's own
//! trend; the **top failing controls** across the organisation (severity first, then how many accounts
//! fail), each with its remedy and command; a **controls × accounts matrix**; the accepted exceptions with
//! their owner and expiry; the NOT EVALUATED accounts with their reason; every account's findings
//! (drill-down); and each control's explanation once, linked from its findings. Filters (OU, account,
//! section, outcome, severity) apply in the page and live in the URL (`?ou=Root/Prod&severity=high`, or
//! after `#`), so a filtered view can be shared.
//!
//! The markup is a minijinja template (`templates/org.html`, auto-escaped as HTML); this file builds the
//! data it renders. A score is the share of a section's adopted controls that pass (NOT ADOPTED and NOT
//! APPLICABLE left out), as in the single-account report.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use guardline_model::{Section, Severity};
use guardline_rules::{Outcome, RULES};
use serde::Serialize;

use crate::html::markdown;
use crate::html::{OUTCOMES, SEVERITIES, TrendPoint, outcome_key, outcome_label, outside_score, section_key};
use crate::org::{OrgEvaluation, section_scores};
use crate::summarize;

const TEMPLATE: &str = include_str!("templates/org.html");

/// What the organisation page shows beyond the evaluations: each account's stored scans.
#[derive(Debug, Clone, Default)]
pub struct OrgHtmlExtras {
    /// Per account ID, its failing controls over its stored scans, oldest first (this scan last).
    pub trends: HashMap<String, Vec<TrendPoint>>,
}

/// How many controls the "top failing controls" list shows.
const TOP_CONTROLS: usize = 10;

/// The organisation report as one HTML page.
pub fn render(org: &OrgEvaluation, lang: &str, extras: &OrgHtmlExtras) -> String {
    let lang = if lang == "ja" { "ja" } else { "en" };
    let page = page(org, lang, extras);
    let mut env = minijinja::Environment::new();
    env.add_template("org.html", TEMPLATE).expect("the organisation template parses");
    env.get_template("org.html")
        .expect("the organisation template is loaded")
        .render(&page)
        .expect("the organisation template renders its own data")
}

#[derive(Serialize)]
struct Page {
    lang: &'static str,
    w: Words,
    failed: bool,
    verdict: String,
    collected: String,
    counts: Counts,
    sections: Vec<Choice>,
    severities: Vec<Choice>,
    outcomes: Vec<Choice>,
    ous: Vec<String>,
    heat: Vec<HeatRow>,
    org_trend: Option<Spark>,
    top: Vec<TopControl>,
    matrix_controls: Vec<MatrixControl>,
    exceptions: Vec<ExceptionRow>,
    not_evaluated: Vec<NotEvaluatedRow>,
    accounts: Vec<AccountDetail>,
    labels: Labels,
    docs: Vec<Doc>,
}

#[derive(Serialize)]
struct Counts {
    accounts: usize,
    failing: usize,
    passing: usize,
    not_evaluated: usize,
}

/// A filter value and its label.
#[derive(Serialize)]
struct Choice {
    key: &'static str,
    label: String,
}

#[derive(Serialize)]
struct HeatRow {
    id: String,
    name: String,
    alias: Option<String>,
    ou: String,
    profile: String,
    /// `fail`, `pass` or `not-evaluated`.
    status: &'static str,
    status_label: &'static str,
    reason: Option<String>,
    score: Cell,
    cells: Vec<Cell>,
    /// Per control in guideline order, its worst outcome's key (`none`: nothing to check): the matrix row.
    controls: Vec<&'static str>,
    trend: Option<Spark>,
}

/// One score: a section of an account, or an account as a whole.
#[derive(Serialize)]
struct Cell {
    section: &'static str,
    /// `–` when nothing adopted was evaluated.
    text: String,
    /// `s0` (below 50%), `s1` (below 80%), `s2` (below 100%), `s3` (100%), `none`.
    class: &'static str,
    title: String,
}

#[derive(Serialize)]
struct MatrixControl {
    id: &'static str,
    section: &'static str,
    severity: &'static str,
    title: &'static str,
}

/// A sparkline of failing controls over time.
#[derive(Serialize)]
struct Spark {
    points: String,
    first: usize,
    last: usize,
    title: String,
}

#[derive(Serialize)]
struct TopControl {
    id: &'static str,
    title: &'static str,
    section: &'static str,
    severity: &'static str,
    severity_label: &'static str,
    failing_accounts: usize,
    reach: String,
    remedy: &'static str,
    command: Option<String>,
}

#[derive(Serialize)]
struct ExceptionRow {
    account: String,
    ou: String,
    control: String,
    section: &'static str,
    severity: &'static str,
    resource: String,
    reason: String,
    owner: String,
    expires: String,
    expired: bool,
}

#[derive(Serialize)]
struct NotEvaluatedRow {
    id: String,
    name: String,
    ou: String,
    reason: String,
}

#[derive(Serialize)]
struct AccountDetail {
    id: String,
    name: String,
    alias: Option<String>,
    ou: String,
    profile: String,
    summary: String,
    findings: Vec<FindingRow>,
}

/// One finding, as the compact JSON array the page renders on demand: outcome, severity, section (keys),
/// control, region, resource, message.
type FindingRow = (&'static str, &'static str, &'static str, String, String, String, String);

/// The words the page's script needs to render findings.
#[derive(Serialize)]
struct Labels {
    columns: [&'static str; 5],
    outcomes: BTreeMap<&'static str, &'static str>,
    severities: BTreeMap<&'static str, &'static str>,
    /// A control with nothing to check.
    nothing: &'static str,
}

#[derive(Serialize)]
struct Doc {
    id: &'static str,
    title: &'static str,
    html: String,
}

fn page(org: &OrgEvaluation, lang: &'static str, extras: &OrgHtmlExtras) -> Page {
    let ja = lang == "ja";
    // Each account summarised once: its controls (matrix, top controls) and its sections (heat map).
    let (controls_of, sections_of): (Vec<_>, Vec<_>) =
        org.accounts.iter().map(|account| summarize(&account.evaluation)).unzip();

    let mut heat: Vec<(bool, Option<usize>, usize, HeatRow)> = org
        .accounts
        .iter()
        .zip(&sections_of)
        .zip(&controls_of)
        .map(|((account, sections), controls)| {
            let mut total: BTreeMap<Outcome, usize> = BTreeMap::new();
            for outcome in controls.iter().filter_map(|control| control.outcome) {
                *total.entry(outcome).or_default() += 1;
            }
            let cells = section_scores(sections)
                .iter()
                .map(|score| {
                    let counts = BTreeMap::from([
                        (Outcome::Pass, score.pass),
                        (Outcome::Fail, score.fail),
                        (Outcome::NotEvaluated, score.not_evaluated),
                        (Outcome::Excepted, score.other),
                    ]);
                    cell(section_key(score.section), &counts, score.section.title().get(lang), lang)
                })
                .collect();
            let score = cell("all", &total, if ja { "全体" } else { "All sections" }, lang);
            let percent = percent(&total);
            let failing = total.get(&Outcome::Fail).copied().unwrap_or(0)
                + total.get(&Outcome::Warn).copied().unwrap_or(0);
            let (status, status_label) = match (&account.not_evaluated, account.evaluation.failed) {
                (Some(_), _) => ("not-evaluated", if ja { "未評価" } else { "NOT EVALUATED" }),
                (None, true) => ("fail", if ja { "不合格" } else { "FAIL" }),
                (None, false) => ("pass", if ja { "合格" } else { "PASS" }),
            };
            let matrix = controls.iter().map(|control| control.outcome.map_or("none", outcome_key)).collect();
            let trend = extras.trends.get(&account.id).and_then(|points| spark(points, lang));
            let heat_row = HeatRow {
                id: account.id.clone(),
                name: account.name.clone(),
                alias: account.alias.clone(),
                ou: account.ou_path.clone(),
                profile: account.profile.clone(),
                status,
                status_label,
                reason: account.not_evaluated.clone(),
                score,
                cells,
                controls: matrix,
                trend,
            };
            (account.not_evaluated.is_none(), percent, failing, heat_row)
        })
        .collect();
    // Worst first: accounts that could not be scanned, then the lowest score, then the most failing controls.
    heat.sort_by(|a, b| {
        (a.0, a.1.unwrap_or(101), std::cmp::Reverse(a.2), &a.3.id).cmp(&(
            b.0,
            b.1.unwrap_or(101),
            std::cmp::Reverse(b.2),
            &b.3.id,
        ))
    });
    let heat: Vec<HeatRow> = heat.into_iter().map(|(_, _, _, row)| row).collect();

    let not_evaluated_count = org.accounts.iter().filter(|account| account.not_evaluated.is_some()).count();
    let failing_count = org
        .accounts
        .iter()
        .filter(|account| account.not_evaluated.is_none() && account.evaluation.failed)
        .count();
    let counts = Counts {
        accounts: org.accounts.len(),
        failing: failing_count,
        passing: org.accounts.len() - failing_count - not_evaluated_count,
        not_evaluated: not_evaluated_count,
    };

    let words = Words::new(lang);
    Page {
        lang,
        w: words,
        failed: org.failed(),
        verdict: verdict(&counts, org.failed(), lang),
        collected: org
            .accounts
            .iter()
            .map(|account| account.evaluation.collected_at)
            .max()
            .map(|at| at.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_default(),
        counts,
        sections: Section::ALL
            .iter()
            .map(|section| Choice {
                key: section_key(*section),
                label: format!("{}. {}", section.number(), section.title().get(lang)),
            })
            .collect(),
        severities: SEVERITIES
            .iter()
            .map(|severity| Choice { key: severity.label(), label: severity.label_in(lang).to_owned() })
            .collect(),
        outcomes: OUTCOMES
            .iter()
            .map(|outcome| Choice {
                key: outcome_key(*outcome),
                label: outcome_label(*outcome, lang).to_owned(),
            })
            .collect(),
        ous: ou_choices(org),
        org_trend: org_trend(org, extras, lang),
        top: top_controls(org, &controls_of, lang),
        matrix_controls: RULES
            .iter()
            .map(|rule| MatrixControl {
                id: rule.id,
                section: section_key(rule.section),
                severity: rule.severity.label(),
                title: rule.title_in(lang),
            })
            .collect(),
        exceptions: exceptions(org),
        not_evaluated: org
            .accounts
            .iter()
            .filter_map(|account| {
                Some(NotEvaluatedRow {
                    id: account.id.clone(),
                    name: account.name.clone(),
                    ou: account.ou_path.clone(),
                    reason: account.not_evaluated.clone()?,
                })
            })
            .collect(),
        accounts: heat_order_details(org, &heat, lang),
        labels: Labels {
            columns: [words.outcome, words.severity, words.control, words.region, words.message],
            outcomes: OUTCOMES
                .iter()
                .map(|outcome| (outcome_key(*outcome), outcome_label(*outcome, lang)))
                .collect(),
            severities: SEVERITIES
                .iter()
                .map(|severity| (severity.label(), severity.label_in(lang)))
                .collect(),
            nothing: if ja { "確認対象なし" } else { "nothing to check" },
        },
        docs: RULES
            .iter()
            .map(|rule| Doc {
                id: rule.id,
                title: rule.title_in(lang),
                html: markdown(&rule.explanation_in(lang)),
            })
            .collect(),
        heat,
    }
}

/// Every OU path of the accounts and each of its parents (`Root`, `Root/Workloads`, `Root/Workloads/Dev`):
/// the OU filter keeps the accounts at or under the chosen one.
fn ou_choices(org: &OrgEvaluation) -> Vec<String> {
    let mut paths = BTreeSet::new();
    for account in &org.accounts {
        let mut path = String::new();
        for part in account.ou_path.split('/') {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(part);
            paths.insert(path.clone());
        }
    }
    paths.into_iter().collect()
}

/// The share of adopted controls that pass, in percent; `None` when none was evaluated.
fn percent(counts: &BTreeMap<Outcome, usize>) -> Option<usize> {
    let adopted: usize =
        counts.iter().filter(|(outcome, _)| !outside_score(**outcome)).map(|(_, count)| count).sum();
    let pass = counts.get(&Outcome::Pass).copied().unwrap_or(0);
    (pass * 100).checked_div(adopted)
}

fn cell(section: &'static str, counts: &BTreeMap<Outcome, usize>, label: &str, lang: &str) -> Cell {
    let count = |outcome| counts.get(&outcome).copied().unwrap_or(0);
    let failing = count(Outcome::Fail) + count(Outcome::Warn);
    let (pass, not_evaluated) = (count(Outcome::Pass), count(Outcome::NotEvaluated));
    let title = if lang == "ja" {
        format!("{label}: 合格 {pass} · 不合格 {failing} · 未評価 {not_evaluated}")
    } else {
        format!("{label}: {pass} pass · {failing} fail · {not_evaluated} not evaluated")
    };
    match percent(counts) {
        None => Cell { section, text: "–".to_owned(), class: "none", title },
        Some(score) => Cell {
            section,
            text: format!("{score}%"),
            class: match score {
                0..50 => "s0",
                50..80 => "s1",
                80..100 => "s2",
                _ => "s3",
            },
            title,
        },
    }
}

/// An inline SVG polyline of failing controls per scan (two points at least).
fn spark(points: &[TrendPoint], lang: &str) -> Option<Spark> {
    if points.len() < 2 {
        return None;
    }
    let most = points.iter().map(|point| point.failing_controls).max().unwrap_or(0).max(1);
    let step = 100.0 / (points.len() - 1) as f64;
    let line = points
        .iter()
        .enumerate()
        .map(|(index, point)| {
            let y = 18.0 - 16.0 * point.failing_controls as f64 / most as f64;
            format!("{:.1},{y:.1}", index as f64 * step)
        })
        .collect::<Vec<_>>()
        .join(" ");
    let (first, last) = (points[0].failing_controls, points[points.len() - 1].failing_controls);
    let title = if lang == "ja" {
        format!("不合格のコントロール: {first} → {last}(スキャン {} 回)", points.len())
    } else {
        format!("failing controls: {first} → {last} over {} scans", points.len())
    };
    Some(Spark { points: line, first, last, title })
}

/// The organisation's failing controls per day: each account's last scan of the day, carried forward to
/// the days it was not scanned (an account counts from its first scan on).
fn org_trend(org: &OrgEvaluation, extras: &OrgHtmlExtras, lang: &str) -> Option<Spark> {
    let mut days: BTreeSet<&str> = BTreeSet::new();
    let mut per_account: Vec<BTreeMap<&str, usize>> = Vec::new();
    for account in &org.accounts {
        let Some(points) = extras.trends.get(&account.id) else { continue };
        let mut by_day = BTreeMap::new();
        for point in points {
            let day = point.collected_at.get(..10).unwrap_or(&point.collected_at);
            days.insert(day);
            by_day.insert(day, point.failing_controls);
        }
        per_account.push(by_day);
    }
    let points: Vec<TrendPoint> = days
        .iter()
        .map(|day| TrendPoint {
            collected_at: (*day).to_owned(),
            failing_controls: per_account
                .iter()
                .filter_map(|by_day| by_day.range(..=*day).next_back().map(|(_, failing)| *failing))
                .sum(),
        })
        .collect();
    spark(&points, lang)
}

/// The controls that fail in the most accounts, by severity first.
fn top_controls(
    org: &OrgEvaluation,
    controls_of: &[Vec<crate::ControlSummary>],
    lang: &str,
) -> Vec<TopControl> {
    let mut failing: HashMap<&str, usize> = HashMap::new();
    let mut evaluated: HashMap<&str, usize> = HashMap::new();
    for (account, controls) in org.accounts.iter().zip(controls_of) {
        if account.not_evaluated.is_some() {
            continue;
        }
        for control in controls {
            match control.outcome {
                Some(Outcome::Fail | Outcome::Warn) => {
                    *failing.entry(control.id).or_default() += 1;
                    *evaluated.entry(control.id).or_default() += 1;
                }
                Some(Outcome::Pass | Outcome::Excepted) => *evaluated.entry(control.id).or_default() += 1,
                _ => {}
            }
        }
    }
    let mut top: Vec<(Severity, usize, usize, &'static guardline_rules::Rule)> = RULES
        .iter()
        .enumerate()
        .filter_map(|(order, rule)| {
            let count = failing.get(rule.id).copied()?;
            Some((rule.severity, count, order, *rule))
        })
        .collect();
    top.sort_by_key(|(severity, count, order, _)| (*severity, std::cmp::Reverse(*count), *order));
    top.into_iter()
        .take(TOP_CONTROLS)
        .map(|(severity, count, _, rule)| {
            let of = evaluated.get(rule.id).copied().unwrap_or(count);
            TopControl {
                id: rule.id,
                title: rule.title_in(lang),
                section: section_key(rule.section),
                severity: severity.label(),
                severity_label: severity.label_in(lang),
                failing_accounts: count,
                reach: if lang == "ja" {
                    format!("{of} アカウント中 {count} で不合格")
                } else {
                    format!("fails in {count} of {of} {}", crate::lead::plural(of, "account", "accounts"))
                },
                remedy: rule.remedy.get(lang),
                command: rule.remedy_command(),
            }
        })
        .collect()
}

fn exceptions(org: &OrgEvaluation) -> Vec<ExceptionRow> {
    org.accounts
        .iter()
        .flat_map(|account| {
            account.evaluation.findings.iter().filter_map(move |finding| {
                let exception = finding.exception.as_ref()?;
                Some(ExceptionRow {
                    account: account.id.clone(),
                    ou: account.ou_path.clone(),
                    control: finding.finding.control.clone(),
                    section: section_key(finding.section),
                    severity: finding.severity.label(),
                    resource: crate::formats::finding_key(&finding.finding),
                    reason: exception.reason.clone(),
                    owner: exception.owner.clone(),
                    expires: exception.expires.to_string(),
                    expired: exception.expired,
                })
            })
        })
        .collect()
}

/// Every account's findings, in the heat map's order (worst first), worst outcome first within each.
fn heat_order_details(org: &OrgEvaluation, heat: &[HeatRow], lang: &str) -> Vec<AccountDetail> {
    let by_id: HashMap<&str, &crate::org::AccountResult> =
        org.accounts.iter().map(|account| (account.id.as_str(), account)).collect();
    heat.iter()
        .filter_map(|row| by_id.get(row.id.as_str()))
        .map(|account| {
            let mut findings: Vec<&guardline_rules::EvaluatedFinding> =
                account.evaluation.findings.iter().collect();
            findings.sort_by_key(|finding| {
                (OUTCOMES.iter().position(|outcome| *outcome == finding.outcome), finding.severity)
            });
            let mut counts: BTreeMap<usize, (Outcome, usize)> = BTreeMap::new();
            for finding in &findings {
                let position = OUTCOMES.iter().position(|outcome| *outcome == finding.outcome).unwrap_or(0);
                counts.entry(position).or_insert((finding.outcome, 0)).1 += 1;
            }
            let summary = counts
                .values()
                .map(|(outcome, count)| format!("{count} {}", outcome_label(*outcome, lang)))
                .collect::<Vec<_>>()
                .join(" · ");
            AccountDetail {
                id: account.id.clone(),
                name: account.name.clone(),
                alias: account.alias.clone(),
                ou: account.ou_path.clone(),
                profile: account.profile.clone(),
                summary,
                findings: findings
                    .into_iter()
                    .map(|finding| {
                        (
                            outcome_key(finding.outcome),
                            finding.severity.label(),
                            section_key(finding.section),
                            finding.finding.control.clone(),
                            finding.finding.region.clone(),
                            crate::formats::finding_key(&finding.finding),
                            finding.finding.message.get(lang).to_owned(),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

fn verdict(counts: &Counts, failed: bool, lang: &str) -> String {
    let Counts { accounts, failing, not_evaluated, .. } = *counts;
    if lang == "ja" {
        match failed {
            true => format!("{accounts} アカウント中 {failing} が不合格、{not_evaluated} が未評価"),
            false => format!("{accounts} アカウントすべてが合格"),
        }
    } else {
        let noun = crate::lead::plural(accounts, "account", "accounts");
        match failed {
            true => format!("{failing} of {accounts} {noun} fail, {not_evaluated} not evaluated"),
            false => format!("all {accounts} {noun} pass"),
        }
    }
}

/// The page's own words.
#[derive(Serialize, Clone, Copy)]
struct Words {
    title: &'static str,
    collected: &'static str,
    accounts: &'static str,
    failing: &'static str,
    passing: &'static str,
    not_evaluated: &'static str,
    filters: &'static str,
    any: &'static str,
    ou: &'static str,
    account: &'static str,
    account_search: &'static str,
    section: &'static str,
    outcome: &'static str,
    severity: &'static str,
    clear: &'static str,
    heat: &'static str,
    heat_help: &'static str,
    score: &'static str,
    result: &'static str,
    trend: &'static str,
    org_trend: &'static str,
    top: &'static str,
    top_help: &'static str,
    matrix: &'static str,
    matrix_help: &'static str,
    exceptions: &'static str,
    none: &'static str,
    control: &'static str,
    resource: &'static str,
    reason: &'static str,
    owner: &'static str,
    expires: &'static str,
    expired: &'static str,
    not_evaluated_accounts: &'static str,
    findings: &'static str,
    findings_help: &'static str,
    region: &'static str,
    message: &'static str,
    explanation: &'static str,
    profile: &'static str,
    by_hand: &'static str,
}

impl Words {
    fn new(lang: &str) -> Words {
        let ja = lang == "ja";
        let t = |en: &'static str, jp: &'static str| if ja { jp } else { en };
        Words {
            title: t("Guardline organisation report", "Guardline 組織レポート"),
            collected: t("Collected", "収集日時"),
            accounts: t("accounts", "アカウント"),
            failing: t("failing", "不合格"),
            passing: t("passing", "合格"),
            not_evaluated: t("not evaluated", "未評価"),
            filters: t("Filters", "絞り込み"),
            any: t("any", "すべて"),
            ou: t("OU", "OU"),
            account: t("Account", "アカウント"),
            account_search: t("ID, name or alias", "ID・名前・エイリアス"),
            section: t("Section", "セクション"),
            outcome: t("Outcome", "結果"),
            severity: t("Severity", "重大度"),
            clear: t("Clear", "解除"),
            heat: t(
                "Accounts by guideline section, worst first",
                "ガイドラインのセクション別アカウント(悪い順)",
            ),
            heat_help: t(
                "Each cell is the share of the section's adopted controls that pass. Accounts that could not be scanned come first, then the lowest score.",
                "各セルは、そのセクションで採用したコントロールのうち合格した割合です。スキャンできなかったアカウントを先頭に、スコアの低い順に並べます。",
            ),
            score: t("Score", "スコア"),
            result: t("Result", "結果"),
            trend: t("Trend", "推移"),
            org_trend: t(
                "Failing controls in the organisation over time",
                "組織全体の不合格コントロールの推移",
            ),
            top: t("Top failing controls across the organisation", "組織全体で不合格の多いコントロール"),
            top_help: t(
                "By severity, then by how many accounts fail the control.",
                "重大度の順、次に不合格のアカウント数の順です。",
            ),
            matrix: t("Controls × accounts", "コントロール × アカウント"),
            matrix_help: t(
                "Each square is one control's worst outcome in one account.",
                "各マスは、1 つのアカウントにおける 1 つのコントロールの最も悪い結果です。",
            ),
            exceptions: t("Accepted exceptions", "承認済みの例外"),
            none: t("None.", "ありません。"),
            control: t("Control", "コントロール"),
            resource: t("Resource", "リソース"),
            reason: t("Reason", "理由"),
            owner: t("Owner", "担当者"),
            expires: t("Expires", "期限"),
            expired: t("expired", "期限切れ"),
            not_evaluated_accounts: t("Accounts not evaluated", "評価できなかったアカウント"),
            findings: t("Findings by account", "アカウント別の検出事項"),
            findings_help: t(
                "Open an account to see every finding, worst first; the filters apply to them.",
                "アカウントを開くと、すべての検出事項を悪い順に表示します。絞り込みも適用されます。",
            ),
            region: t("Region", "リージョン"),
            message: t("Finding", "検出内容"),
            explanation: t("Controls: explanation and how to fix", "コントロールの解説と対処方法"),
            profile: t("Profile", "プロファイル"),
            by_hand: t("by hand: see the explanation", "手作業: 解説を参照"),
        }
    }
}
