//! `--format junit`: JUnit XML, so CI systems (Jenkins, GitLab, GitHub test reporters) show controls as tests.
//!
//! One `<testsuite>` per guideline section (in guideline order, sections without findings left out), one
//! `<testcase>` per control × resource: `classname` is the control ID, `name` the resource's ARN. A FAIL or
//! WARN outcome is a `<failure>` (`type` says which), NOT EVALUATED an `<error>`, an excepted, not-adopted or
//! NOT APPLICABLE finding `<skipped>` with the reason as its message (for NOT APPLICABLE, the finding's
//! message, which says why the control does not apply); a PASS is an empty test case. Messages follow `lang`;
//! `type` attributes are fixed codes. The output validates against the Jenkins xUnit plugin's
//! `junit-10.xsd` (vendored in `tests/validators/`).
//!
//! The XML is written by hand rather than with quick-xml: the document is five element kinds deep at most,
//! every value goes through [`attr`] or [`text`], and those two functions are the whole of the escaping
//! (`&`, `<`, `>`, quotes, and line breaks/tabs in attributes as character references so they survive
//! attribute-value normalisation). Characters XML 1.0 cannot carry at all (C0 controls other than tab, line
//! feed and carriage return; U+FFFE, U+FFFF) are replaced by U+FFFD rather than producing an unparsable
//! report. That is less code to trust than a writer dependency, and the tests check it against the XSD.

use std::fmt::Write as _;

use guardline_model::Section;
use guardline_rules::{EvaluatedFinding, Evaluation, Outcome, find_rule};

use crate::formats::{exception_note, section_label};
use crate::i18n::{Phrase, phrase};

/// The JUnit XML report.
pub fn render(evaluation: &Evaluation, lang: &str) -> String {
    let account = match &evaluation.account_alias {
        Some(alias) => format!("{} ({alias})", evaluation.account_id),
        None => evaluation.account_id.clone(),
    };
    let name = format!("Guardline {account}: {} {}", phrase(lang, Phrase::Profile), evaluation.profile);
    render_named(&[evaluation], &name, lang)
}

/// The JUnit XML report of several accounts (an organisation scan): one test suite per account and section,
/// each with the account as its `package` and in its name.
pub fn render_many(evaluations: &[&Evaluation], lang: &str) -> String {
    let accounts = crate::lead::plural(evaluations.len(), "account", "accounts");
    render_named(evaluations, &format!("Guardline: {} {accounts}", evaluations.len()), lang)
}

fn render_named(evaluations: &[&Evaluation], name: &str, lang: &str) -> String {
    let mut suites = String::new();
    let (mut all_tests, mut all_failures, mut all_errors) = (0, 0, 0);
    let many = evaluations.len() > 1;
    for (evaluation, section) in evaluations
        .iter()
        .flat_map(|evaluation| Section::ALL.iter().map(move |section| (evaluation, *section)))
    {
        let findings: Vec<&EvaluatedFinding> =
            evaluation.findings.iter().filter(|finding| finding.section == section).collect();
        if findings.is_empty() {
            continue;
        }
        let count = |wanted: &[Outcome]| findings.iter().filter(|f| wanted.contains(&f.outcome)).count();
        let failures = count(&[Outcome::Fail, Outcome::Warn]);
        let errors = count(&[Outcome::NotEvaluated]);
        let skipped = count(&[Outcome::Excepted, Outcome::NotAdopted, Outcome::NotApplicable]);
        all_tests += findings.len();
        all_failures += failures;
        all_errors += errors;
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" \
             skipped=\"{skipped}\" time=\"0\" timestamp=\"{timestamp}\" package=\"{account}\">",
            name = attr(&if many {
                format!("{} {}", evaluation.account_id, section_label(section, lang))
            } else {
                section_label(section, lang)
            }),
            tests = findings.len(),
            timestamp = attr(&evaluation.collected_at.to_string()),
            account = attr(&evaluation.account_id),
        );
        for finding in findings {
            testcase(&mut suites, finding, lang);
        }
        suites.push_str("  </testsuite>\n");
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{name}\" tests=\"{all_tests}\" failures=\"{all_failures}\" errors=\"{all_errors}\" \
         time=\"0\">",
        name = attr(name),
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}

fn testcase(out: &mut String, finding: &EvaluatedFinding, lang: &str) {
    let f = &finding.finding;
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" time=\"0\"",
        attr(&f.control),
        attr(&crate::formats::finding_key(f))
    );
    let title = find_rule(&f.control).map_or("", |rule| rule.title_in(lang));
    let details = format!(
        "{control} {title} ({severity})\n{resource} ({region})",
        control = f.control,
        severity = finding.severity.label(),
        resource = f.resource,
        region = f.region,
    );
    let message = f.message.get(lang);
    let (element, kind, message, body) = match finding.outcome {
        Outcome::Pass => {
            out.push_str("/>\n");
            return;
        }
        Outcome::Fail | Outcome::Warn => {
            let mut body = details;
            if let Some(exception) = &finding.exception {
                body = format!("{body}\n{}", exception_note(exception, lang));
            }
            ("failure", finding.outcome.label(), message.to_owned(), body)
        }
        Outcome::NotEvaluated => ("error", finding.outcome.label(), message.to_owned(), details),
        Outcome::Excepted => {
            let exception = finding.exception.as_ref();
            let reason = exception.map(|e| e.reason.clone()).unwrap_or_default();
            let note = exception.map(|e| exception_note(e, lang)).unwrap_or_default();
            ("skipped", finding.outcome.label(), reason, format!("{details}\n{message}\n{note}"))
        }
        Outcome::NotAdopted => {
            let reason = finding.not_adopted_reason.clone().unwrap_or_default();
            ("skipped", finding.outcome.label(), reason, format!("{details}\n{message}"))
        }
        Outcome::NotApplicable => ("skipped", finding.outcome.label(), message.to_owned(), details),
    };
    let _ = write!(
        out,
        ">\n      <{element} type=\"{kind}\" message=\"{message}\">{body}</{element}>\n    </testcase>\n",
        kind = attr(kind),
        message = attr(&message),
        body = text(&body),
    );
}

/// Escapes an attribute value (for use between double quotes).
fn attr(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(xml_char(c)),
        }
    }
    out
}

/// Escapes character data.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(xml_char(c)),
        }
    }
    out
}

/// `c` if XML 1.0 allows it in a document, else U+FFFD.
fn xml_char(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => c,
        '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::{attr, text};

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(attr("a&b<c>\"d'\ne\u{1}"), "a&amp;b&lt;c&gt;&quot;d&apos;&#10;e\u{fffd}");
        assert_eq!(text("<x> & \"y\"\n\u{ffff}"), "&lt;x&gt; &amp; \"y\"\n\u{fffd}");
    }
}
