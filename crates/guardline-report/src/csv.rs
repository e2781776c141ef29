//! `--format csv`: one row per finding, for spreadsheets and ad-hoc filtering.
//!
//! Columns: `account_id, account_alias, region, section, control, title, severity, status, outcome,
//! resource, subject, message, exception_reason, exception_owner, exception_expires`. The header and the codes
//! (`severity`, `status`, `outcome`) are fixed English identifiers so scripts can rely on them; the section,
//! title and message follow `lang`. Quoting follows RFC 4180 (the `csv` crate: fields with a comma, quote or
//! line break are quoted, quotes doubled; records end in CRLF).

use guardline_rules::{EvaluatedFinding, Evaluation, find_rule};

use crate::formats::{outcome_code, section_label, status_code};

/// The header row.
pub const HEADER: [&str; 15] = [
    "account_id",
    "account_alias",
    "region",
    "section",
    "control",
    "title",
    "severity",
    "status",
    "outcome",
    "resource",
    "subject",
    "message",
    "exception_reason",
    "exception_owner",
    "exception_expires",
];

/// The CSV report.
pub fn render(evaluation: &Evaluation, lang: &str) -> String {
    render_many(&[evaluation], lang)
}

/// The CSV report of several accounts (an organisation scan): one header, then each account's rows.
pub fn render_many(evaluations: &[&Evaluation], lang: &str) -> String {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    writer.write_record(HEADER).expect("writing to memory cannot fail");
    for evaluation in evaluations {
        for finding in &evaluation.findings {
            writer.write_record(row(evaluation, finding, lang)).expect("writing to memory cannot fail");
        }
    }
    let bytes = writer.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("every field is a Rust string")
}

fn row(evaluation: &Evaluation, finding: &EvaluatedFinding, lang: &str) -> [String; 15] {
    let f = &finding.finding;
    let title = find_rule(&f.control).map_or("", |rule| rule.title_in(lang));
    let exception = finding.exception.as_ref();
    [
        f.account_id.clone(),
        evaluation.account_alias.clone().unwrap_or_default(),
        f.region.clone(),
        section_label(finding.section, lang),
        f.control.clone(),
        title.to_owned(),
        finding.severity.label().to_owned(),
        status_code(f.status).to_owned(),
        outcome_code(finding.outcome).to_owned(),
        f.resource.clone(),
        f.subject.clone().unwrap_or_default(),
        f.message.get(lang).to_owned(),
        exception.map(|e| e.reason.clone()).unwrap_or_default(),
        exception.map(|e| e.owner.clone()).unwrap_or_default(),
        exception.map(|e| e.expires.to_string()).unwrap_or_default(),
    ]
}
