//! `--format asff`: AWS Security Finding Format, the `Findings` list of Security Hub's
//! `BatchImportFindings`.
//!
//! One finding per evaluated finding except not-adopted ones (which say nothing about compliance): PASS is
//! `Compliance.Status` `PASSED`, FAIL `FAILED`, WARN `WARNING`, NOT EVALUATED `NOT_AVAILABLE`, and an
//! excepted failure `FAILED` with `Workflow.Status` `SUPPRESSED` (everything else `NEW`). NOT APPLICABLE is
//! `NOT_AVAILABLE` too, the status Security Hub itself gives a control whose AWS Config evaluation was
//! NOT_APPLICABLE, with `Description` starting "Not applicable:" and the reason, so the two are told apart
//! (and `ProductFields` `guardline/Status` says `NOT_APPLICABLE`). Reporting passes too is what lets Security
//! Hub close a finding once it is fixed. `Severity.Label` is the control's severity for failures and
//! `INFORMATIONAL` for PASS, NOT EVALUATED and NOT APPLICABLE.
//!
//! - `Id` is `guardline/<account>/<control>/<resource ARN>`: stable, so a re-import updates the finding.
//! - `ProductArn` is the account's default product, `arn:aws:securityhub:<region>:<account>:product/<account>/default`,
//!   `GeneratorId` `guardline/<control>`, `Types` `["Software and Configuration Checks/Guardline/<section>"]`.
//! - Account-wide findings (region `global`) are put in `us-east-1`, AWS's home of global services; Security
//!   Hub imports a finding only in the region of its `ProductArn`, so an importer sends each finding to that
//!   region, at most 100 findings per call.
//! - `CreatedAt`/`UpdatedAt` are the snapshot's `collected_at` (RFC 3339): a re-scan of the same snapshot
//!   gives the same document.
//! - `Title` (at most 256 characters) and `Description` (at most 1,024) follow `lang` and are cut to fit.
//! - `Resources[].Type` is Security Hub's type for the common ARNs (S3 bucket, IAM user/role, EC2 instance,
//!   security group, volume, VPC, KMS key, CloudTrail trail, the account), `Other` otherwise.

use guardline_model::{Section, Severity};
use guardline_rules::{EvaluatedFinding, Evaluation, Outcome, find_rule};
use serde_json::{Value, json};

use crate::formats::{exception_note, outcome_code, section_label, status_code};

/// The region account-wide (`global`) findings are imported in: the partition's global region (us-east-1 in
/// the standard partition), taken from the finding's resource ARN.
pub fn global_region_of(resource: &str) -> &'static str {
    guardline_model::partition::global_region(guardline_model::partition::of_arn(resource))
}

/// The ASFF findings, as one JSON array.
pub fn render(evaluation: &Evaluation, lang: &str) -> String {
    render_many(&[evaluation], lang)
}

/// The ASFF findings of several accounts (an organisation scan), as one JSON array.
pub fn render_many(evaluations: &[&Evaluation], lang: &str) -> String {
    let findings: Vec<Value> = evaluations
        .iter()
        .flat_map(|evaluation| {
            evaluation.findings.iter().filter_map(move |finding| asff(evaluation, finding, lang))
        })
        .collect();
    serde_json::to_string_pretty(&findings).expect("the findings always serialise") + "\n"
}

fn asff(evaluation: &Evaluation, finding: &EvaluatedFinding, lang: &str) -> Option<Value> {
    let f = &finding.finding;
    let (compliance, workflow) = match finding.outcome {
        Outcome::Pass => ("PASSED", "NEW"),
        Outcome::Fail => ("FAILED", "NEW"),
        Outcome::Warn => ("WARNING", "NEW"),
        Outcome::NotEvaluated | Outcome::NotApplicable => ("NOT_AVAILABLE", "NEW"),
        Outcome::Excepted => ("FAILED", "SUPPRESSED"),
        Outcome::NotAdopted => return None,
    };
    let severity = match finding.outcome {
        Outcome::Pass | Outcome::NotEvaluated | Outcome::NotApplicable => "INFORMATIONAL",
        _ => severity_label(finding.severity),
    };
    let region = if f.region == "global" { global_region_of(&f.resource) } else { f.region.as_str() };
    let account = &f.account_id;
    let title = find_rule(&f.control).map_or("", |rule| rule.title_in(lang));
    let mut description = match finding.outcome {
        Outcome::NotApplicable if lang == "ja" => format!("対象外: {}", f.message.get(lang)),
        Outcome::NotApplicable => format!("Not applicable: {}", f.message.get(lang)),
        _ => f.message.get(lang).to_owned(),
    };
    if let Some(exception) = &finding.exception {
        description.push('\n');
        description.push_str(&exception_note(exception, lang));
    }
    let timestamp = evaluation.collected_at.to_string();
    let mut product_fields = json!({
        "guardline/Control": f.control,
        "guardline/Status": status_code(f.status),
        "guardline/Outcome": outcome_code(finding.outcome),
        "guardline/Profile": evaluation.profile,
        "guardline/Region": f.region,
    });
    if let Some(exception) = &finding.exception {
        product_fields["guardline/ExceptionOwner"] = json!(exception.owner);
        product_fields["guardline/ExceptionExpires"] = json!(exception.expires.to_string());
    }
    Some(json!({
        "SchemaVersion": "2018-10-08",
        "Id": format!("guardline/{account}/{}/{}", f.control, crate::formats::finding_key(f)),
        "ProductArn": format!("arn:aws:securityhub:{region}:{account}:product/{account}/default"),
        "ProductName": "Guardline",
        "CompanyName": "Guardline",
        "GeneratorId": format!("guardline/{}", f.control),
        "AwsAccountId": account,
        "Region": region,
        "Types": [format!("Software and Configuration Checks/Guardline/{}", section_type(finding.section))],
        "CreatedAt": timestamp,
        "UpdatedAt": timestamp,
        "Severity": { "Label": severity, "Original": finding.severity.label() },
        "Title": truncate(&format!("{} {title}", f.control), 256),
        "Description": truncate(&description, 1024),
        "Remediation": { "Recommendation": { "Text": truncate(&remediation(&f.control, lang), 512) } },
        "ProductFields": product_fields,
        "Resources": [{
            "Type": resource_type(&f.resource),
            "Id": f.resource,
            "Partition": "aws",
            "Region": region,
        }],
        "Compliance": {
            "Status": compliance,
            "RelatedRequirements": [format!("Guardline {} {}", f.control, section_label(finding.section, "en"))],
        },
        "Workflow": { "Status": workflow },
        "RecordState": "ACTIVE",
    }))
}

fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFORMATIONAL",
    }
}

/// The section in the `Types` namespace (fixed English: Security Hub filters on it).
fn section_type(section: Section) -> String {
    format!("{}. {}", section.number(), section.title().en)
}

fn remediation(control: &str, lang: &str) -> String {
    if lang == "ja" {
        format!("対処方法は `guardline rule {control}` を参照してください。")
    } else {
        format!("Run `guardline rule {control}` for how to fix it.")
    }
}

/// Security Hub's resource type for an ARN, `Other` when there is no specific one.
fn resource_type(arn: &str) -> &'static str {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(service), Some(_region), Some(_account), Some(resource)) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return "Other";
    };
    let kind = resource.split(['/', ':']).next().unwrap_or("");
    match (service, kind) {
        ("s3", _) if !resource.contains('/') => "AwsS3Bucket",
        ("iam", "root") => "AwsAccount",
        ("iam", "user") => "AwsIamUser",
        ("iam", "role") => "AwsIamRole",
        ("iam", "policy") => "AwsIamPolicy",
        ("ec2", "instance") => "AwsEc2Instance",
        ("ec2", "security-group") => "AwsEc2SecurityGroup",
        ("ec2", "volume") => "AwsEc2Volume",
        ("ec2", "vpc") => "AwsEc2Vpc",
        ("kms", "key") => "AwsKmsKey",
        ("cloudtrail", "trail") => "AwsCloudTrailTrail",
        _ => "Other",
    }
}

/// `text` cut to at most `max` characters, ending in `…` when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::{resource_type, truncate};

    #[test]
    fn resource_types() {
        assert_eq!(resource_type("arn:aws:s3:::logs"), "AwsS3Bucket");
        assert_eq!(resource_type("arn:aws:iam::123456789012:root"), "AwsAccount");
        assert_eq!(resource_type("arn:aws:iam::123456789012:user/alice"), "AwsIamUser");
        assert_eq!(
            resource_type("arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-1"),
            "AwsEc2SecurityGroup"
        );
        assert_eq!(resource_type("arn:aws:ce::123456789012:anomalymonitor/x"), "Other");
        assert_eq!(resource_type("not an arn"), "Other");
    }

    #[test]
    fn truncates_by_characters() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("日本語です", 3), "日本…");
    }
}
