//! The organisation report (`guardline scan --org`, `guardline merge`): one report over many accounts.
//!
//! An [`OrgEvaluation`] is every selected account's [`AccountResult`], sorted by account ID. An account that
//! could not be scanned (its role could not be assumed, collection failed wholesale) carries the reason in
//! [`AccountResult::not_evaluated`], and its evaluation has every control NOT EVALUATED with that reason (the
//! binary builds it under the account's profile), so every format lists it and the exit code counts it:
//! an account is never absent from the report and never passes unseen.
//!
//! - [`render`]: the report in any [`OrgFormat`].
//! - Terminal opens with a **scorecard**: per account (ID, name, OU path, profile) and per guideline
//!   section, how many controls pass, fail (FAIL or WARN) and are NOT EVALUATED; NOT EVALUATED accounts show
//!   their reason. Then each account's findings. HTML is [`crate::org_html`]'s page.
//! - JSON: `{"format": "guardline-org-report", "scorecard": [...], "accounts": [...]}` where each account is
//!   its placement plus the single-account JSON report.
//! - CSV, SARIF (one run per account), OCSF, ASFF and JUnit (suites per account and section) concatenate the
//!   accounts' findings; each finding already carries its account ID.
//!
//! Architecture Invariant: like every renderer, this only reads the evaluations; the verdict is
//! [`OrgEvaluation::failed`]: some account fails.

use std::fmt::Write as _;

use guardline_model::Section;
use guardline_rules::{Evaluation, Outcome};
use serde::Serialize;

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
        OrgFormat::Html => crate::org_html::render(org, lang, &crate::org_html::OrgHtmlExtras::default()),
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
            let sections = section_scores(&sections);
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

/// One account's sections (from [`summarize`]) as scorecard cells.
pub(crate) fn section_scores(sections: &[crate::SectionSummary]) -> Vec<SectionScore> {
    sections
        .iter()
        .map(|summary| {
            let count = |outcomes: &[Outcome]| -> usize {
                outcomes.iter().map(|outcome| summary.controls.get(outcome).copied().unwrap_or(0)).sum()
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
    let _ = writeln!(out, "\n{}", "═".repeat(78));
    let label = if options.lang == "ja" { "組織の結果" } else { "Organisation result" };
    let _ = writeln!(out, "{label}: {}", verdict(org, &options.lang));
    out
}

/// The organisation's verdict in a few words ("FAILED (2 of 3 accounts fail)"), in `lang`: the terminal
/// report's last line, and the line on stderr when the report is written to a file.
pub fn verdict(org: &OrgEvaluation, lang: &str) -> String {
    let ja = lang == "ja";
    let failing = org.accounts.iter().filter(|account| account.evaluation.failed).count();
    match (failing, ja) {
        (0, false) => format!(
            "PASSED ({} {})",
            org.accounts.len(),
            crate::lead::plural(org.accounts.len(), "account", "accounts")
        ),
        (0, true) => format!("合格 ({} アカウント)", org.accounts.len()),
        (n, false) => format!(
            "FAILED ({n} of {} {} {})",
            org.accounts.len(),
            crate::lead::plural(org.accounts.len(), "account", "accounts"),
            crate::lead::plural(n, "fails", "fail")
        ),
        (n, true) => format!("不合格 ({} アカウント中 {n} が不合格)", org.accounts.len()),
    }
}
