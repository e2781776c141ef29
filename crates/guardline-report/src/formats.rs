//! Helpers the report formats share: the fixed codes of statuses and outcomes, the section label, a
//! finding's key (its resource, and its subject when it has one), and the notes on an exception (what it
//! says, what it covers).

use guardline_model::Finding;
use guardline_rules::AppliedException;

use crate::i18n::{Phrase, phrase};

/// "2. Security hardening" in `lang`.
pub fn section_label(section: guardline_model::Section, lang: &str) -> String {
    format!("{}. {}", section.number(), section.title().get(lang))
}

/// The status as serialised in the JSON report: `PASS`, `FAIL`, `NOT_EVALUATED`, `NOT_APPLICABLE`.
pub fn status_code(status: guardline_model::Status) -> &'static str {
    match status {
        guardline_model::Status::Pass => "PASS",
        guardline_model::Status::Fail => "FAIL",
        guardline_model::Status::NotEvaluated => "NOT_EVALUATED",
        guardline_model::Status::NotApplicable => "NOT_APPLICABLE",
    }
}

/// The outcome as serialised in the JSON report: `fail`, `warn`, `not-evaluated`, `excepted`,
/// `not-adopted`, `not-applicable`, `pass`.
pub fn outcome_code(outcome: guardline_rules::Outcome) -> &'static str {
    use guardline_rules::Outcome;
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

/// The finding's resource, with its subject when it has one (`arn:...:user/alice#AKIA...`): unique per control
/// and region, so IDs built from it (ASFF, OCSF, SARIF) never collide.
pub fn finding_key(finding: &Finding) -> String {
    match &finding.subject {
        Some(subject) => format!("{}#{subject}", finding.resource),
        None => finding.resource.clone(),
    }
}

/// What an exception covers, as the reader checks it: "covers arn:...:user/alice, subject AKIA1" or "covers
/// every resource of the control, every subject" (the subject part only for a finding that has one).
pub fn covers_note(exception: &AppliedException, finding: &Finding, lang: &str) -> String {
    let ja = lang == "ja";
    let resource = match (&exception.covers_resource, ja) {
        (Some(pattern), _) => pattern.clone(),
        (None, false) => "every resource of the control".to_owned(),
        (None, true) => "このコントロールのすべてのリソース".to_owned(),
    };
    let subject = match (finding.subject.is_some(), &exception.covers_subject, ja) {
        (false, _, _) => String::new(),
        (true, Some(pattern), false) => format!(", subject {pattern}"),
        (true, Some(pattern), true) => format!("、対象 {pattern}"),
        (true, None, false) => ", every subject (name `subject` to narrow it)".to_owned(),
        (true, None, true) => "、すべての対象 (`subject` で絞り込めます)".to_owned(),
    };
    if ja { format!("適用範囲: {resource}{subject}") } else { format!("covers {resource}{subject}") }
}

/// "exception: REASON (owner: OWNER, expires: DATE)", or for an expired one "exception expired on DATE:
/// REASON (owner: OWNER)", in `lang`.
pub fn exception_note(exception: &AppliedException, lang: &str) -> String {
    if exception.expired {
        format!(
            "{} {}: {} ({}: {})",
            phrase(lang, Phrase::ExceptionExpired),
            exception.expires,
            exception.reason,
            phrase(lang, Phrase::Owner),
            exception.owner
        )
    } else {
        format!(
            "{}: {} ({}: {}, {}: {})",
            phrase(lang, Phrase::Exception),
            exception.reason,
            phrase(lang, Phrase::Owner),
            exception.owner,
            phrase(lang, Phrase::Expires),
            exception.expires
        )
    }
}

/// A timestamp for people: to the second, in UTC (`2026-11-28T09:00:00Z`), whatever precision it was taken
/// with.
pub fn to_the_second(timestamp: jiff::Timestamp) -> String {
    let seconds = jiff::Timestamp::from_second(timestamp.as_second()).unwrap_or(timestamp);
    seconds.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}
