//! `--format json`: the evaluation, the control roll-up and the section roll-up in one document.

use std::io::{BufWriter, Write};

use guardline_rules::{EvaluatedFinding, Evaluation};
use rayon::prelude::*;
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
///
/// Byte for byte what `serde_json::to_writer_pretty` writes for the whole document, but the findings (all
/// but a few kilobytes of a large report) are rendered in parallel, a few thousand at a time, between the
/// rest of the document rendered around an empty findings list.
pub fn write(evaluation: &Evaluation, lang: &str, out: &mut dyn Write) -> std::io::Result<()> {
    // serde_json writes in pieces of a few bytes: buffered here, they are not each a dynamic call.
    let mut out = BufWriter::with_capacity(1 << 16, out);
    let shell = Evaluation {
        account_id: evaluation.account_id.clone(),
        account_alias: evaluation.account_alias.clone(),
        profile: evaluation.profile.clone(),
        collected_at: evaluation.collected_at,
        evaluated_on: evaluation.evaluated_on,
        regions: evaluation.regions.clone(),
        findings: Vec::new(),
        controls: evaluation.controls.clone(),
        unused_exceptions: evaluation.unused_exceptions.clone(),
        failed: evaluation.failed,
    };
    let mut document = report(evaluation, lang);
    document.evaluation = &shell;
    let around = serde_json::to_string_pretty(&document)?;
    // A raw newline only ever comes from the pretty printer: string values escape theirs.
    let marker = "\n  \"findings\": [";
    let at = around.find(marker).expect("the report has a findings field at the top level") + marker.len();
    let (head, tail) = around.split_at(at);
    out.write_all(head.as_bytes())?;
    if !evaluation.findings.is_empty() {
        for (window_index, window) in evaluation.findings.chunks(FINDINGS_PER_TASK * 16).enumerate() {
            let rendered: Vec<Vec<u8>> = window
                .par_chunks(FINDINGS_PER_TASK)
                .enumerate()
                .map(|(index, chunk)| render_findings(chunk, window_index == 0 && index == 0))
                .collect::<Result<_, _>>()?;
            for chunk in rendered {
                out.write_all(&chunk)?;
            }
        }
        out.write_all(b"\n  ")?;
    }
    out.write_all(tail.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Findings rendered by one parallel task.
const FINDINGS_PER_TASK: usize = 4096;

/// `findings` as the elements of the pretty-printed findings array (two levels deep), each preceded by its
/// separator.
fn render_findings(findings: &[EvaluatedFinding], first: bool) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(findings.len() * 700);
    let mut one = Vec::with_capacity(1024);
    for (index, finding) in findings.iter().enumerate() {
        out.extend_from_slice(if first && index == 0 { b"\n" } else { b",\n" });
        one.clear();
        serde_json::to_writer_pretty(&mut one, finding)?;
        out.extend_from_slice(b"    ");
        for line in one.split_inclusive(|byte| *byte == b'\n') {
            out.extend_from_slice(line);
            if line.ends_with(b"\n") {
                out.extend_from_slice(b"    ");
            }
        }
    }
    Ok(out)
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

#[cfg(test)]
mod tests {
    use guardline_model::{Finding, Section, Severity, Status, Text};
    use guardline_rules::{AppliedException, EvaluatedFinding, Evaluation, Outcome};

    use super::*;

    fn evaluation(findings: usize) -> Evaluation {
        let finding = |index: usize| EvaluatedFinding {
            finding: Finding {
                control: if index.is_multiple_of(3) { "EC2-001" } else { "IAM-005" }.to_owned(),
                account_id: "123456789012".to_owned(),
                region: "ap-northeast-1".to_owned(),
                resource: format!("arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-{index}"),
                subject: index.is_multiple_of(5).then(|| format!("AKIA{index}")),
                status: if index.is_multiple_of(2) { Status::Fail } else { Status::Pass },
                message: Text::new(format!("line\nbreak \"{index}\""), "日本語の\tメッセージ"),
            },
            section: Section::Security,
            severity: Severity::High,
            level: None,
            not_adopted_reason: index.is_multiple_of(5).then(|| "not here".to_owned()),
            exception: index.is_multiple_of(7).then(|| {
                Box::new(AppliedException {
                    reason: "a reason".to_owned(),
                    owner: "sre@example.com".to_owned(),
                    expires: jiff::civil::date(2027, 3, 31),
                    expired: false,
                    line: 3,
                    covers_resource: None,
                    covers_subject: None,
                })
            }),
            outcome: Outcome::Fail,
        };
        Evaluation {
            account_id: "123456789012".to_owned(),
            account_alias: Some("acme-prod".to_owned()),
            profile: "production".to_owned(),
            collected_at: "2026-11-28T00:00:00Z".parse().unwrap(),
            evaluated_on: jiff::civil::date(2026, 11, 28),
            regions: vec!["ap-northeast-1".to_owned()],
            findings: (0..findings).map(finding).collect(),
            controls: guardline_rules::RULES.iter().map(|rule| rule.id).collect(),
            unused_exceptions: Vec::new(),
            failed: true,
        }
    }

    /// The parallel writer is byte for byte serde_json's pretty printer, across chunk and window boundaries
    /// and with no finding at all.
    #[test]
    fn the_streamed_report_is_serde_json_s_pretty_document() {
        for count in [0, 1, 2, FINDINGS_PER_TASK, FINDINGS_PER_TASK * 16 + 3] {
            let evaluation = evaluation(count);
            let expected = serde_json::to_string_pretty(&report(&evaluation, "ja")).unwrap() + "\n";
            assert!(render(&evaluation, "ja") == expected, "{count} findings differ");
        }
    }
}
