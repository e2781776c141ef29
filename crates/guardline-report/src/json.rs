//! `--format json`: the evaluation, the control roll-up and the section roll-up in one document.

use std::io::{BufWriter, Write};

use guardline_rules::Evaluation;
use serde::Serialize;

use crate::{ControlSummary, SectionSummary, summarize};

/// The `format` tag of a JSON report.
pub const REPORT_FORMAT: &str = "guardline-report";
/// The JSON report's schema version.
pub const REPORT_VERSION: u32 = 1;

#[derive(Serialize)]
pub(crate) struct JsonReport<'a> {
    format: &'static str,
    version: u32,
    tool_version: &'static str,
    /// `en` or `ja`: the language of `title` fields; messages carry both languages.
    lang: &'a str,
    sections: Vec<SectionSummary>,
    controls: Vec<ControlSummary>,
    #[serde(flatten)]
    evaluation: &'a Evaluation,
}

/// The JSON report.
pub fn render(evaluation: &Evaluation, lang: &str) -> String {
    let mut out = Vec::new();
    write(evaluation, lang, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// The JSON report, streamed to `out` (a large account's report is never held whole in memory).
pub fn write(evaluation: &Evaluation, lang: &str, out: &mut dyn Write) -> std::io::Result<()> {
    // serde_json writes in pieces of a few bytes: buffered here, they are not each a dynamic call.
    let mut out = BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, &report(evaluation, lang))?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The JSON report's document (also one account's part of the organisation report).
pub(crate) fn report<'a>(evaluation: &'a Evaluation, lang: &'a str) -> JsonReport<'a> {
    let (controls, sections) = summarize(evaluation);
    let controls = controls
        .into_iter()
        .map(|mut control| {
            if lang == "ja" {
                control.title =
                    guardline_rules::find_rule(control.id).map_or(control.title, |rule| rule.title_ja);
            }
            control
        })
        .collect();
    JsonReport {
        format: REPORT_FORMAT,
        version: REPORT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION"),
        lang,
        sections,
        controls,
        evaluation,
    }
}
