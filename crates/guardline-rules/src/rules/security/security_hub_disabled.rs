//! HUB-001.

use guardline_model::{Section, Severity};

use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability};
use guardline_model::Finding;

/// What the AWS Foundational Security Best Practices standard's ARN contains, whatever its version.
const FSBP: &str = "aws-foundational-security-best-practices";

declare_rule! {
    /// ## What it checks
    /// In every scanned region, AWS Security Hub is enabled and the AWS Foundational Security Best Practices
    /// (FSBP) standard is enabled in it with status `READY` (`PENDING`, while Security Hub sets it up, passes
    /// and says so). Any other status of the standard (`INCOMPLETE`, `FAILED`, `DELETING`) fails.
    ///
    /// ## Why it matters
    /// Security Hub with FSBP audits hundreds of settings continuously (security groups open to
    /// 0.0.0.0/0, unused IAM users, public buckets, ...), in every region. It is the baseline HUB-002's
    /// review of failed controls works from.
    ///
    /// ## Guideline
    /// 2-5: use Security Hub to audit the account's resources against the standard rules, decide which rules
    /// are adopted, and explain every failure.
    ///
    /// ## How to fix
    /// Enable Security Hub with the default standards (FSBP and CIS) in each region:
    ///
    /// ```sh
    /// aws securityhub enable-security-hub --enable-default-standards --region ap-northeast-1
    /// ```
    ///
    /// Where Security Hub is already on, enable the standard:
    /// `aws securityhub batch-enable-standards --standards-subscription-requests StandardsArn=arn:aws:securityhub:ap-northeast-1::standards/aws-foundational-security-best-practices/v/1.0.0`.
    ///
    /// ## Fix safety
    /// Safe: Security Hub only reads configuration (through AWS Config, CONFIG-001). Each control check is
    /// billed.
    ///
    /// ## References
    /// - CIS AWS Foundations 4.16 (AWS Security Hub is enabled)
    /// - AWS FSBP: no control (it is the standard itself)
    pub static RULE = {
        id: "HUB-001",
        name: "security-hub-disabled",
        title: "Security Hub runs the FSBP standard",
        title_ja: "Security Hub で FSBP 標準が有効である",
        section: Section::Security,
        item: "2-5",
        severity: Severity::Medium,
        fix: FixAvailability::Safe,
        data: &["securityhub:DescribeHub", "securityhub:GetEnabledStandards"],
        check: check,
        plan: Some(plan),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    for (region, inventory) in cx.regions() {
        let hub = match inventory.security_hub.get() {
            Ok(Some(hub)) => hub,
            Ok(None) => {
                out.fail(
                    region,
                    cx.arn("securityhub", region, "hub/default"),
                    text!("AWS Security Hub is not enabled", "AWS Security Hub が有効になっていません"),
                );
                continue;
            }
            Err(error) => {
                out.not_evaluated(region, cx.arn("securityhub", region, "hub/default"), error);
                continue;
            }
        };
        let resource = hub.hub_arn.as_str();
        let standards = match hub.standards.get() {
            Ok(standards) => standards,
            Err(error) => {
                out.not_evaluated(region, resource, error);
                continue;
            }
        };
        let fsbp: Vec<_> =
            standards.iter().filter(|standard| standard.standards_arn.contains(FSBP)).collect();
        if let Some(ready) = fsbp.iter().find(|standard| standard.status == "READY") {
            let arn = &ready.standards_arn;
            out.pass(
                region,
                resource,
                text!(
                    "AWS Security Hub is enabled with the FSBP standard ({arn})",
                    "AWS Security Hub が有効で、FSBP 標準 ({arn}) が有効です"
                ),
            );
        } else if let Some(pending) = fsbp.iter().find(|standard| standard.status == "PENDING") {
            let arn = &pending.standards_arn;
            out.pass(
                region,
                resource,
                text!(
                    "AWS Security Hub is enabled and the FSBP standard ({arn}) is still being set up (PENDING)",
                    "AWS Security Hub が有効で、FSBP 標準 ({arn}) は\
                     セットアップ中 (PENDING) です"
                ),
            );
        } else if let Some(broken) = fsbp.first() {
            let (arn, status) = (&broken.standards_arn, &broken.status);
            out.fail(
                region,
                resource,
                text!(
                    "AWS Security Hub is enabled but its FSBP standard ({arn}) is {status}",
                    "AWS Security Hub は有効ですが、FSBP 標準 ({arn}) が \
                     {status} です"
                ),
            );
        } else {
            let (others, others_ja) = if standards.is_empty() {
                ("no standard is enabled".to_owned(), "有効な標準はありません".to_owned())
            } else {
                let list: Vec<&str> =
                    standards.iter().map(|standard| standard.standards_arn.as_str()).collect();
                let list = list.join(", ");
                (format!("enabled standards: {list}"), format!("有効な標準: {list}"))
            };
            out.fail(
                region,
                resource,
                text!(
                    "AWS Security Hub is enabled without the FSBP standard ({others})",
                    "AWS Security Hub は有効ですが、FSBP 標準が有効になっていません \
                     ({others_ja})"
                ),
            );
        }
    }
}

/// Security Hub (if off) and the FSBP standard in each failing region.
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    failing
        .iter()
        .map(|finding| {
            let region = finding.region.as_str();
            let hub_enabled = fix
                .cx
                .snapshot
                .regions
                .get(region)
                .is_some_and(|inventory| matches!(inventory.security_hub.get(), Ok(Some(_))));
            let partition = fix.cx.partition();
            let standard_arn = format!("arn:{partition}:securityhub:{region}::standards/{FSBP}/v/1.0.0");
            Planned::Change {
                region: region.to_owned(),
                action: FixAction::EnableSecurityHub { hub_enabled, standard_arn },
            }
        })
        .collect()
}
