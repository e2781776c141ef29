//! `--format sarif`: SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning, Azure DevOps, IDEs).
//!
//! One run. `tool.driver.rules` is the whole registry in guideline order: `id`, `name`, `shortDescription`
//! (the title in `lang`), `fullDescription` (the rule's explanation), `help` (the explanation as text and
//! the rule's Markdown page, `guardline rule ID`, as `markdown`), and
//! `properties` with the section, guideline item and severity (plus `security-severity`, the score GitHub
//! uses to rank security results). The rule documentation exists in English only, so `fullDescription` and
//! `help` are English whatever `lang` is; titles and result messages follow `lang`.
//!
//! Results are the findings someone has to look at: FAIL (`error`), WARN (`warning`), NOT EVALUATED
//! (`note`), and excepted failures, which keep the level of their control and carry
//! `suppressions: [{kind: external, status: accepted, justification: reason}]`. A NOT APPLICABLE finding (the
//! control does not apply to the account) is a result of `kind: "notApplicable"` (SARIF 2.1.0 §3.27.9) and
//! level `none`, the only level §3.27.10 allows beside a kind other than `fail`; the other results keep the
//! default kind, `fail`. PASS and not-adopted findings are left out. AWS resources are not files: each result has one location with a
//! `logicalLocation` whose `fullyQualifiedName` is the resource's ARN, and no physical location.
//! `partialFingerprints["guardline/v1"]` (account/control/resource) lets viewers track a result across runs.

use guardline_config::Level;
use guardline_model::Severity;
use guardline_rules::{EvaluatedFinding, Evaluation, Outcome, RULES, Rule, docs::rule_markdown};
use serde_json::{Value, json};

use crate::formats::{outcome_code, section_label, status_code};

/// The `$schema` of the log.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The SARIF log.
pub fn render(evaluation: &Evaluation, lang: &str) -> String {
    render_many(&[evaluation], lang)
}

/// The SARIF log of several accounts (an organisation scan): one run per account, in order, each with the
/// account in its `properties`.
pub fn render_many(evaluations: &[&Evaluation], lang: &str) -> String {
    let runs: Vec<Value> = evaluations.iter().map(|evaluation| run(evaluation, lang)).collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": runs,
    });
    serde_json::to_string_pretty(&log).expect("the log always serialises") + "\n"
}

fn run(evaluation: &Evaluation, lang: &str) -> Value {
    let rules: Vec<Value> = RULES.iter().map(|rule| rule_descriptor(rule, lang)).collect();
    let results: Vec<Value> =
        evaluation.findings.iter().filter_map(|finding| result(finding, lang)).collect();
    json!({
            "tool": {
                "driver": {
                    "name": "Guardline",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "language": lang_tag(lang),
            "invocations": [{ "executionSuccessful": true }],
            "results": results,
            "properties": {
                "accountId": evaluation.account_id,
                "accountAlias": evaluation.account_alias,
                "profile": evaluation.profile,
                "collectedAt": evaluation.collected_at.to_string(),
                "evaluatedOn": evaluation.evaluated_on.to_string(),
                "regions": evaluation.regions,
            },
    })
}

fn lang_tag(lang: &str) -> &'static str {
    if lang == "ja" { "ja-JP" } else { "en-US" }
}

fn rule_descriptor(rule: &Rule, lang: &str) -> Value {
    let explanation = rule.explanation();
    json!({
        "id": rule.id,
        "name": rule.name,
        "shortDescription": { "text": rule.title_in(lang) },
        "fullDescription": { "text": explanation },
        "help": { "text": explanation, "markdown": rule_markdown(rule) },
        "defaultConfiguration": { "level": severity_level(rule.severity) },
        "properties": {
            "section": section_label(rule.section, lang),
            "guidelineItem": rule.item,
            "severity": rule.severity.label(),
            "security-severity": security_severity(rule.severity),
            "tags": ["security", "aws"],
        },
    })
}

/// The level a control's failures have by default, from its severity.
fn severity_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` score: critical > 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        Severity::Info => "0.0",
    }
}

fn result(finding: &EvaluatedFinding, lang: &str) -> Option<Value> {
    let f = &finding.finding;
    let level = match finding.outcome {
        Outcome::Fail => "error",
        Outcome::Warn => "warning",
        Outcome::NotEvaluated => "note",
        Outcome::NotApplicable => "none",
        Outcome::Excepted if finding.level == Some(Level::Warn) => "warning",
        Outcome::Excepted => "error",
        Outcome::Pass | Outcome::NotAdopted => return None,
    };
    let mut result = json!({
        "ruleId": f.control,
        "level": level,
        "message": { "text": f.message.get(lang) },
        "locations": [{
            "logicalLocations": [{ "fullyQualifiedName": f.resource, "kind": "resource" }],
        }],
        "partialFingerprints": {
            "guardline/v1": format!("{}/{}/{}", f.account_id, f.control, crate::formats::finding_key(f)),
        },
        "properties": {
            "accountId": f.account_id,
            "region": f.region,
            "status": status_code(f.status),
            "outcome": outcome_code(finding.outcome),
        },
    });
    if finding.outcome == Outcome::NotApplicable {
        result["kind"] = json!("notApplicable");
    }
    if let Some(index) = RULES.iter().position(|rule| rule.id == f.control) {
        result["ruleIndex"] = json!(index);
    }
    if let Some(exception) = &finding.exception {
        let details = json!({
            "reason": exception.reason,
            "owner": exception.owner,
            "expires": exception.expires.to_string(),
            "expired": exception.expired,
        });
        if finding.outcome == Outcome::Excepted {
            result["suppressions"] = json!([{
                "kind": "external",
                "status": "accepted",
                "justification": exception.reason,
                "properties": details,
            }]);
        } else {
            result["properties"]["exception"] = details;
        }
    }
    Some(result)
}
