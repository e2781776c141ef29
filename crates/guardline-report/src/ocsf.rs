//! `--format ocsf`: OCSF 1.5.0 Detection Findings (class 2004), a JSON array, for security data lakes
//! (Amazon Security Lake, SIEMs that ingest OCSF).
//!
//! One event per finding someone has to look at: FAIL, WARN and NOT EVALUATED are status `New` (1),
//! excepted failures `Suppressed` (3, "reviewed ... and is now suppressed"), with the exception in
//! `status_detail`. A NOT APPLICABLE finding (the control does not apply to the account) is kept for the
//! record as status `Other` (99, "not mapped: see the status attribute"), `status` "Not Applicable", with the
//! reason in `status_detail` and severity `Informational`: a Detection Finding has no compliance object, and
//! none of its statuses means "does not apply". PASS and not-adopted findings are left out: OCSF's `Resolved` (4) means "reviewed,
//! remediated", which a control that never failed was not, and an event per passing resource would bury the
//! findings.
//!
//! Every event has `activity_id` 1 (Create), `category_uid` 2 (Findings), `type_uid` 200401,
//! `severity_id` from the control's severity (info 1, low 2, medium 3, high 4, critical 5), `time` (epoch
//! milliseconds of the snapshot's `collected_at`), `finding_info` (`uid` stable per account/control/resource,
//! `title`, `desc`), `cloud` (provider `AWS`, the account, the region; account-wide findings have no region),
//! `resources` (`uid`: the ARN) and `metadata` (product Guardline, OCSF version, the `cloud` profile).
//! Titles and descriptions follow `lang`; the `*_name`, `severity` and `status` captions are OCSF's own
//! English captions.

use guardline_model::Severity;
use guardline_rules::{EvaluatedFinding, Evaluation, Outcome, find_rule};
use serde_json::{Value, json};

use crate::formats::{exception_note, outcome_code};

/// The OCSF schema version the events follow.
pub const OCSF_VERSION: &str = "1.5.0";

/// The OCSF events, as one JSON array.
pub fn render(evaluation: &Evaluation, lang: &str) -> String {
    render_many(&[evaluation], lang)
}

/// The OCSF events of several accounts (an organisation scan), as one JSON array.
pub fn render_many(evaluations: &[&Evaluation], lang: &str) -> String {
    let events: Vec<Value> = evaluations
        .iter()
        .flat_map(|evaluation| {
            evaluation.findings.iter().filter_map(move |finding| event(evaluation, finding, lang))
        })
        .collect();
    serde_json::to_string_pretty(&events).expect("the events always serialise") + "\n"
}

fn event(evaluation: &Evaluation, finding: &EvaluatedFinding, lang: &str) -> Option<Value> {
    let (status_id, status) = match finding.outcome {
        Outcome::Fail | Outcome::Warn | Outcome::NotEvaluated => (1, "New"),
        Outcome::Excepted => (3, "Suppressed"),
        Outcome::NotApplicable => (99, "Not Applicable"),
        Outcome::Pass | Outcome::NotAdopted => return None,
    };
    let f = &finding.finding;
    let (severity_id, severity) = match finding.severity {
        _ if finding.outcome == Outcome::NotApplicable => (1, "Informational"),
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    };
    let title = find_rule(&f.control).map_or("", |rule| rule.title_in(lang));
    let message = f.message.get(lang);
    let time = evaluation.collected_at.as_millisecond();
    let mut cloud = json!({
        "provider": "AWS",
        "account": {
            "uid": f.account_id,
            "name": evaluation.account_alias.as_deref().unwrap_or(&f.account_id),
            "type_id": 10,
            "type": "AWS Account",
        },
    });
    let mut resource = json!({ "uid": f.resource, "cloud_partition": "aws" });
    if f.region != "global" {
        cloud["region"] = json!(f.region);
        resource["region"] = json!(f.region);
    }
    let mut event = json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2004,
        "class_name": "Detection Finding",
        "type_uid": 200401,
        "type_name": "Detection Finding: Create",
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status,
        "status_code": outcome_code(finding.outcome),
        "time": time,
        "message": message,
        "finding_info": {
            "uid": format!("guardline/{}/{}/{}", f.account_id, f.control, crate::formats::finding_key(f)),
            "title": format!("{} {title}", f.control),
            "desc": message,
            "types": [format!("Guardline/{}", f.control)],
            "created_time": time,
        },
        "cloud": cloud,
        "resources": [resource],
        "metadata": {
            "version": OCSF_VERSION,
            "profiles": ["cloud"],
            "product": {
                "name": "Guardline",
                "vendor_name": "Guardline",
                "version": env!("CARGO_PKG_VERSION"),
            },
        },
    });
    if let Some(exception) = &finding.exception {
        event["status_detail"] = json!(exception_note(exception, lang));
    }
    if finding.outcome == Outcome::NotApplicable {
        event["status_detail"] = json!(message);
    }
    Some(event)
}
