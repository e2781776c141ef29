//! The organisation report (`guardline scan --org`, `guardline merge`): one report over many accounts.
//!
//! An [`OrgEvaluation`] is every selected account's [`AccountResult`], sorted by account ID. An account that
//! could not be scanned (its role could not be assumed, collection failed wholesale) carries the reason in
//! [`AccountResult::not_evaluated`], and its evaluation has every control NOT EVALUATED with that reason (the
//! binary builds it under the account's profile), so every format lists it and the exit code counts it:
//! an account is never absent from the report and never passes unseen.
//!
//! - [`render`]: the report in any [`OrgFormat`].
//! - Terminal and HTML open with a **scorecard**: per account (ID, name, OU path, profile) and per guideline
//!   section, how many controls pass, fail (FAIL or WARN) and are NOT EVALUATED; NOT EVALUATED accounts show
//!   their reason. Then each account's findings.
//! - JSON: `{"format": "guardline-org-report", "scorecard": [...], "accounts": [...]}` where each account is
//!   its placement plus the single-account JSON report.
//! - CSV, SARIF (one run per account), OCSF, ASFF and JUnit (suites per account and section) concatenate the
//!   accounts' findings; each finding already carries its account ID.
//!
//! Architecture Invariant: like every renderer, this only reads the evaluations; the verdict is
//! [`OrgEvaluation::failed`]: some account fails.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use guardline_model::Section;
use guardline_rules::{Evaluation, Outcome};
use serde::Serialize;

use crate::html::escape;
use crate::summarize;
use crate::terminal::TerminalOptions;

/// The `format` tag of the JSON organisation report.
pub const ORG_REPORT_FORMAT: &str = "guardline-org-report";
/// The JSON organisation report's schema version.
pub const ORG_REPORT_VERSION: u32 = 1;

/// The result of scanning an organisation: every selected account, sorted by ID.
#[derive(Debug, Clone, Serialize)]
pub struct OrgEvaluation {
    pub accounts: Vec<AccountResult>,
}

/// One account of an organisation scan.
#[derive(Debug, Clone, Serialize)]
pub struct AccountResult {
    pub id: String,
    /// The account's name in Organizations.
    pub name: String,
    pub alias: Option<String>,
    /// `Root/Workloads/Prod`.
    pub ou_path: String,
    /// The profile the account was evaluated with.
    pub profile: String,
    /// Why the account could not be scanned; `None` when it was.
    pub not_evaluated: Option<String>,
    /// The evaluation; for a NOT EVALUATED account, every control NOT EVALUATED with the reason.
    pub evaluation: Evaluation,
}

impl OrgEvaluation {
    /// Sorts the accounts by ID: the report's order whatever order the scans finished in.
    pub fn new(mut accounts: Vec<AccountResult>) -> OrgEvaluation {
        accounts.sort_by(|a, b| a.id.cmp(&b.id));
        OrgEvaluation { accounts }
    }

    /// Whether the run fails: some account's evaluation fails (a NOT EVALUATED account fails unless the
    /// config counts NOT EVALUATED as a warning).
    pub fn failed(&self) -> bool {
        self.accounts.iter().any(|account| account.evaluation.failed)
    }

    fn evaluations(&self) -> Vec<&Evaluation> {
        self.accounts.iter().map(|account| &account.evaluation).collect()
    }
}

/// The formats of an organisation report (those of a scan).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgFormat {
    Terminal,
    Json,
    Html,
    Csv,
    Sarif,
    Ocsf,
    Asff,
    Junit,
}

/// The organisation report in `format`.
pub fn render(org: &OrgEvaluation, format: OrgFormat, terminal: &TerminalOptions) -> String {
    let lang = terminal.lang.as_str();
    let evaluations = org.evaluations();
    match format {
        OrgFormat::Terminal => render_terminal(org, terminal),
        OrgFormat::Json => render_json(org, lang),
        OrgFormat::Html => render_html(org, lang),
        OrgFormat::Csv => crate::csv::render_many(&evaluations, lang),
        OrgFormat::Sarif => crate::sarif::render_many(&evaluations, lang),
        OrgFormat::Ocsf => crate::ocsf::render_many(&evaluations, lang),
        OrgFormat::Asff => crate::asff::render_many(&evaluations, lang),
        OrgFormat::Junit => crate::junit::render_many(&evaluations, lang),
    }
}

/// One account's controls in one section: passing, failing (FAIL or WARN), NOT EVALUATED, NOT APPLICABLE
/// (neither passing nor failing), other.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct SectionScore {
    pub section: Section,
    pub pass: usize,
    pub fail: usize,
    pub not_evaluated: usize,
    pub not_applicable: usize,
    /// Excepted or not adopted.
    pub other: usize,
}

/// One scorecard row.
#[derive(Debug, Clone, Serialize)]
pub struct ScorecardRow<'a> {
    pub account_id: &'a str,
    pub name: &'a str,
    pub alias: Option<&'a str>,
    pub ou_path: &'a str,
    pub profile: &'a str,
    /// `evaluated` or `not-evaluated`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
    pub failed: bool,
    pub sections: Vec<SectionScore>,
}

/// The scorecard: one row per account, sections in guideline order, counting controls by their outcome.
pub fn scorecard(org: &OrgEvaluation) -> Vec<ScorecardRow<'_>> {
    org.accounts
        .iter()
        .map(|account| {
            let (_, sections) = summarize(&account.evaluation);
            let sections = sections
                .iter()
                .map(|summary| {
                    let count = |outcomes: &[Outcome]| -> usize {
                        outcomes
                            .iter()
                            .map(|outcome| summary.controls.get(outcome).copied().unwrap_or(0))
                            .sum()
                    };
                    SectionScore {
                        section: summary.section,
                        pass: count(&[Outcome::Pass]),
                        fail: count(&[Outcome::Fail, Outcome::Warn]),
                        not_evaluated: count(&[Outcome::NotEvaluated]),
                        not_applicable: count(&[Outcome::NotApplicable]),
                        other: count(&[Outcome::Excepted, Outcome::NotAdopted]),
                    }
                })
                .collect();
            ScorecardRow {
                account_id: &account.id,
                name: &account.name,
                alias: account.alias.as_deref(),
                ou_path: &account.ou_path,
                profile: &account.profile,
                status: if account.not_evaluated.is_some() { "not-evaluated" } else { "evaluated" },
                reason: account.not_evaluated.as_deref(),
                failed: account.evaluation.failed,
                sections,
            }
        })
        .collect()
}

#[derive(Serialize)]
struct JsonOrgReport<'a> {
    format: &'static str,
    version: u32,
    tool_version: &'static str,
    lang: &'a str,
    failed: bool,
    scorecard: Vec<ScorecardRow<'a>>,
    accounts: Vec<JsonAccount<'a>>,
}

#[derive(Serialize)]
struct JsonAccount<'a> {
    id: &'a str,
    name: &'a str,
    ou_path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_evaluated: Option<&'a str>,
    report: crate::json::JsonReport<'a>,
}

fn render_json(org: &OrgEvaluation, lang: &str) -> String {
    let report = JsonOrgReport {
        format: ORG_REPORT_FORMAT,
        version: ORG_REPORT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION"),
        lang,
        failed: org.failed(),
        scorecard: scorecard(org),
        accounts: org
            .accounts
            .iter()
            .map(|account| JsonAccount {
                id: &account.id,
                name: &account.name,
                ou_path: &account.ou_path,
                not_evaluated: account.not_evaluated.as_deref(),
                report: crate::json::report(&account.evaluation, lang),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&report).expect("the report always serialises") + "\n"
}

fn section_header(section: Section, lang: &str) -> String {
    let title = section.title();
    let title = title.get(lang);
    // Keep columns narrow: the first word of the section title.
    let short: String = if lang == "ja" { title.chars().take(6).collect() } else { title.to_owned() };
    format!("{}. {}", section.number(), short.split_whitespace().next().unwrap_or_default())
}

/// `pass/fail/not evaluated` of one section.
fn cell(score: &SectionScore) -> String {
    format!("{}/{}/{}", score.pass, score.fail, score.not_evaluated)
}

fn render_terminal(org: &OrgEvaluation, options: &TerminalOptions) -> String {
    let lang = options.lang.as_str();
    let ja = lang == "ja";
    let rows = scorecard(org);
    let not_evaluated = rows.iter().filter(|row| row.reason.is_some()).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Guardline · {} {} ({} {not_evaluated})",
        if ja { "組織スキャン:" } else { "organisation scan:" },
        if ja {
            format!("{} アカウント", rows.len())
        } else {
            format!("{} {}", rows.len(), crate::lead::plural(rows.len(), "account", "accounts"))
        },
        if ja { "未評価" } else { "NOT EVALUATED:" },
    );
    let _ = writeln!(
        out,
        "{}",
        if ja {
            "スコアカード (セクションごとのコントロール数: 合格/不合格/未評価)"
        } else {
            "Scorecard (controls per section: pass/fail/not evaluated)"
        }
    );
    let mut table: Vec<Vec<String>> = vec![
        [
            if ja { "アカウント" } else { "ACCOUNT" },
            if ja { "名前" } else { "NAME" },
            "OU",
            if ja { "プロファイル" } else { "PROFILE" },
        ]
        .iter()
        .map(|text| (*text).to_owned())
        .chain(Section::ALL.iter().map(|section| section_header(*section, lang)))
        .chain([if ja { "結果" } else { "RESULT" }.to_owned()])
        .collect(),
    ];
    for row in &rows {
        let verdict = match (row.reason, row.failed) {
            (Some(_), _) => Outcome::NotEvaluated,
            (None, true) => Outcome::Fail,
            (None, false) => Outcome::Pass,
        };
        let label = if ja { verdict.label_ja() } else { verdict.label() };
        table.push(
            [row.account_id, row.name, row.ou_path, row.profile]
                .iter()
                .map(|text| (*text).to_owned())
                .chain(row.sections.iter().map(cell))
                .chain([label.to_owned()])
                .collect(),
        );
    }
    let widths: Vec<usize> = (0..table[0].len())
        .map(|column| {
            table
                .iter()
                .map(|row| unicode_width::UnicodeWidthStr::width(row[column].as_str()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in &table {
        let mut line = String::new();
        for (text, width) in row.iter().zip(&widths) {
            let used = unicode_width::UnicodeWidthStr::width(text.as_str());
            let _ = write!(line, "{text}{}  ", " ".repeat(width.saturating_sub(used)));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    for row in rows.iter().filter(|row| row.reason.is_some()) {
        let _ = writeln!(
            out,
            "{} {}: {}",
            if ja { "未評価" } else { "NOT EVALUATED" },
            row.account_id,
            row.reason.unwrap_or_default()
        );
    }
    for account in &org.accounts {
        let _ = writeln!(out, "\n{}", "═".repeat(78));
        let _ = writeln!(out, "{} {} · {} · {}", account.id, account.name, account.ou_path, account.profile);
        match &account.not_evaluated {
            Some(reason) => {
                let _ = writeln!(out, "{}: {reason}", if ja { "未評価" } else { "NOT EVALUATED" });
            }
            None => out.push_str(&crate::terminal::render(&account.evaluation, options)),
        }
    }
    let failing = org.accounts.iter().filter(|account| account.evaluation.failed).count();
    let _ = writeln!(out, "\n{}", "═".repeat(78));
    let _ = writeln!(
        out,
        "{}",
        match (failing, ja) {
            (0, false) => format!(
                "Organisation result: PASSED ({} {})",
                org.accounts.len(),
                crate::lead::plural(org.accounts.len(), "account", "accounts")
            ),
            (0, true) => format!("組織の結果: 合格 ({} アカウント)", org.accounts.len()),
            (n, false) => format!(
                "Organisation result: FAILED ({n} of {} {} {})",
                org.accounts.len(),
                crate::lead::plural(org.accounts.len(), "account", "accounts"),
                crate::lead::plural(n, "fails", "fail")
            ),
            (n, true) => format!("組織の結果: 不合格 ({} アカウント中 {n} が不合格)", org.accounts.len()),
        }
    );
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}\
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}\
th{background:#f3f3f3}.fail{color:#b00020;font-weight:bold}.pass{color:#1b7f3b}\
.ne{color:#8a2be2;font-weight:bold}.na{color:#3b5bdb}details{margin:.5rem 0}summary{cursor:pointer;font-weight:bold}\
td.num{text-align:right;font-variant-numeric:tabular-nums}";

fn render_html(org: &OrgEvaluation, lang: &str) -> String {
    let ja = lang == "ja";
    let t = |en: &'static str, jp: &'static str| if ja { jp } else { en };
    let rows = scorecard(org);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n",
        lang = if ja { "ja" } else { "en" },
        title = t("Guardline organisation report", "Guardline 組織レポート"),
    );
    let verdict = if org.failed() {
        format!("<p class=\"fail\">{}</p>\n", t("FAILED", "不合格"))
    } else {
        format!("<p class=\"pass\">{}</p>\n", t("PASSED", "合格"))
    };
    out.push_str(&verdict);
    let _ = write!(
        out,
        "<h2>{}</h2>\n<p>{}</p>\n<table>\n<thead><tr><th>{}</th><th>{}</th><th>OU</th><th>{}</th>",
        t("Scorecard", "スコアカード"),
        t(
            "Controls per section: pass / fail / not evaluated.",
            "セクションごとのコントロール数: 合格 / 不合格 / 未評価"
        ),
        t("Account", "アカウント"),
        t("Name", "名前"),
        t("Profile", "プロファイル"),
    );
    for section in Section::ALL {
        let _ = write!(
            out,
            "<th>{}</th>",
            escape(&format!("{}. {}", section.number(), section.title().get(lang)))
        );
    }
    let _ = writeln!(out, "<th>{}</th></tr></thead>\n<tbody>", t("Result", "結果"));
    for row in &rows {
        let _ = write!(
            out,
            "<tr><td><a href=\"#account-{id}\">{id}</a></td><td>{}</td><td>{}</td><td>{}</td>",
            escape(row.name),
            escape(row.ou_path),
            escape(row.profile),
            id = escape(row.account_id),
        );
        for score in &row.sections {
            let _ = write!(out, "<td class=\"num\">{}</td>", cell(score));
        }
        let result = match (row.reason, row.failed) {
            (Some(reason), _) => {
                format!("<span class=\"ne\">{}</span>: {}", t("NOT EVALUATED", "未評価"), escape(reason))
            }
            (None, true) => format!("<span class=\"fail\">{}</span>", t("FAIL", "不合格")),
            (None, false) => format!("<span class=\"pass\">{}</span>", t("PASS", "合格")),
        };
        let _ = writeln!(out, "<td>{result}</td></tr>");
    }
    out.push_str("</tbody>\n</table>\n");
    let _ = writeln!(out, "<h2>{}</h2>", t("Findings", "検出事項"));
    for account in &org.accounts {
        let _ = writeln!(
            out,
            "<section id=\"account-{id}\">\n<h3>{id} {} <small>{} · {}</small></h3>",
            escape(&account.name),
            escape(&account.ou_path),
            escape(&account.profile),
            id = escape(&account.id),
        );
        if let Some(reason) = &account.not_evaluated {
            let _ = writeln!(
                out,
                "<p><span class=\"ne\">{}</span>: {}</p>\n</section>",
                t("NOT EVALUATED", "未評価"),
                escape(reason)
            );
            continue;
        }
        let mut by_outcome: BTreeMap<Outcome, usize> = BTreeMap::new();
        for finding in &account.evaluation.findings {
            *by_outcome.entry(finding.outcome).or_default() += 1;
        }
        let _ = write!(out, "<details><summary>");
        let summary: Vec<String> = by_outcome
            .iter()
            .map(|(outcome, count)| {
                format!("{} {count}", if ja { outcome.label_ja() } else { outcome.label() })
            })
            .collect();
        let _ = writeln!(out, "{}</summary>", escape(&summary.join(" · ")));
        let _ = writeln!(
            out,
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            t("Outcome", "結果"),
            t("Control", "コントロール"),
            t("Region", "リージョン"),
            t("Resource", "リソース"),
            t("Message", "メッセージ"),
        );
        for finding in account.evaluation.findings.iter().filter(|finding| finding.outcome != Outcome::Pass) {
            let class = match finding.outcome {
                Outcome::Fail | Outcome::Warn => "fail",
                Outcome::NotEvaluated => "ne",
                Outcome::NotApplicable => "na",
                _ => "",
            };
            let _ = writeln!(
                out,
                "<tr><td class=\"{class}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if ja { finding.outcome.label_ja() } else { finding.outcome.label() },
                escape(&finding.finding.control),
                escape(&finding.finding.region),
                escape(&crate::formats::finding_key(&finding.finding)),
                escape(finding.finding.message.get(lang)),
            );
        }
        out.push_str("</tbody></table>\n</details>\n</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
