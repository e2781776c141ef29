//! HUB-002.

use guardline_model::{Section, Severity};

use crate::{Context, Findings, FixAvailability};

declare_rule! {
    /// ## What it checks
    /// In every scanned region where Security Hub is enabled, each active Security Hub finding whose
    /// compliance status is FAILED is explained:
    ///
    /// - its control (e.g. `IAM.6`) is listed in the profile's `security-hub-not-adopted`, with the reason
    ///   the profile gives: the finding passes and the message quotes the reason; or
    /// - it is covered by an exception (control `HUB-002`, the finding's resource), which the engine applies
    ///   like any other exception.
    ///
    /// Every other failed finding fails, naming its control, title and severity. The finding's resource is
    /// its first resource ARN (the finding ID when it has none). Regions where Security Hub is not enabled
    /// are left to HUB-001.
    ///
    /// ## Why it matters
    /// Nobody can make an account meet every Security Hub control, and a list of a hundred failures that
    /// nobody reads hides the one that matters. Requiring an explanation for each failure turns the list into
    /// a reviewed set of decisions, and new failures stand out.
    ///
    /// ## Guideline
    /// 2-5: decide which Security Hub rules are adopted and which are not; a failed check is fine "if it can
    /// be explained"; review the results periodically.
    ///
    /// ## How to fix
    /// For each failure: fix the resource (the finding's remediation link says how), or mark the control as
    /// not adopted in the profile (under `[profiles.<name>.params]`,
    /// `security-hub-not-adopted = { "IAM.6" = "reason" }`), or add an exception for the resource with a
    /// reason, an owner and an expiry date. To list the failures:
    ///
    /// ```sh
    /// aws securityhub get-findings --filters \
    ///   '{"ComplianceStatus":[{"Value":"FAILED","Comparison":"EQUALS"}],"RecordState":[{"Value":"ACTIVE","Comparison":"EQUALS"}]}'
    /// ```
    ///
    /// ## Fix safety
    /// Manual only: each failure needs a decision (fix, not adopted, or an exception), and only a person can
    /// give its reason.
    ///
    /// ## References
    /// - AWS Security Hub controls reference (the FSBP controls and their remediation)
    /// - AWS FSBP: every control of the standard
    pub static RULE = {
        id: "HUB-002",
        name: "unexplained-failed-control",
        title: "Every failed Security Hub control is explained",
        title_ja: "Security Hub の失敗したコントロールにすべて説明がある",
        section: Section::Security,
        item: "2-5",
        severity: Severity::Medium,
        fix: FixAvailability::ManualOnly,
        data: &["securityhub:DescribeHub", "securityhub:GetFindings"],
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let not_adopted = &cx.params.security_hub_not_adopted;
    for (region, inventory) in cx.regions() {
        let hub = match inventory.security_hub.get() {
            Ok(Some(hub)) => hub,
            Ok(None) => continue,
            Err(error) => {
                out.not_evaluated(region, cx.arn("securityhub", region, "hub/default"), error);
                continue;
            }
        };
        let findings = match hub.failed_findings.get() {
            Ok(findings) => findings,
            Err(error) => {
                out.not_evaluated(region, &hub.hub_arn, error);
                continue;
            }
        };
        if findings.is_empty() {
            out.pass(
                region,
                &hub.hub_arn,
                text!(
                    "AWS Security Hub has no failed findings in the region",
                    "このリージョンの AWS Security Hub に失敗した検出結果はありません"
                ),
            );
            continue;
        }
        for finding in findings {
            let resource = finding.resource_arns.first().unwrap_or(&finding.id);
            let (title, severity) = (&finding.title, &finding.severity);
            let Some(control) = finding.control_id.as_deref() else {
                out.fail(
                    region,
                    resource,
                    text!(
                        "failed Security Hub finding without a control ID: {title} (severity {severity})",
                        "コントロール ID のない Security Hub の失敗した検出結果: {title} (重要度 {severity})"
                    ),
                );
                continue;
            };
            let reason = not_adopted
                .iter()
                .find(|(id, _)| id.eq_ignore_ascii_case(control))
                .map(|(_, reason)| reason.as_str());
            match reason {
                Some(reason) => out.pass(
                    region,
                    resource,
                    text!(
                        "control {control} failed ({title}) but the profile does not adopt it: {reason}",
                        "コントロール {control} は失敗しています ({title}) が、プロファイルで不採用です: {reason}"
                    ),
                ),
                None => out.fail(
                    region,
                    resource,
                    text!(
                        "control {control} failed: {title} (severity {severity})",
                        "コントロール {control} が失敗しています: {title} (重要度 {severity})"
                    ),
                ),
            }
        }
    }
}
