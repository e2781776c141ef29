//! Helpers the machine-readable formats (`csv`, `junit`, `sarif`, `ocsf`, `asff`) share: the fixed codes
//! of statuses and outcomes, the section label, and the one-line note on an exception.

use guardline_rules::AppliedException;

use crate::i18n::{Phrase, phrase};

/// "2. Security hardening" in `lang`.
pub fn section_label(section: guardline_model::Section, lang: &str) -> String {
    format!("{}. {}", section.number(), section.title().get(lang))
}

/// The status as serialised in the JSON report: `PASS`, `FAIL`, `NOT_EVALUATED`.
pub fn status_code(status: guardline_model::Status) -> &'static str {
    match status {
        guardline_model::Status::Pass => "PASS",
        guardline_model::Status::Fail => "FAIL",
        guardline_model::Status::NotEvaluated => "NOT_EVALUATED",
    }
}

/// The outcome as serialised in the JSON report: `fail`, `warn`, `not-evaluated`, `excepted`,
/// `not-adopted`, `pass`.
pub fn outcome_code(outcome: guardline_rules::Outcome) -> &'static str {
    use guardline_rules::Outcome;
    match outcome {
        Outcome::Fail => "fail",
        Outcome::Warn => "warn",
        Outcome::NotEvaluated => "not-evaluated",
        Outcome::Excepted => "excepted",
        Outcome::NotAdopted => "not-adopted",
        Outcome::Pass => "pass",
    }
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
