//! INSPECTOR-001.

use guardline_model::{Section, Severity};

use super::helpers::short_list;
use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// In every scanned region that has at least one EC2 instance (in any state but `terminated`), Amazon
    /// Inspector (v2) EC2 scanning is `ENABLED`. Regions without instances pass: nothing to scan there.
    /// A status other than `ENABLED` (`DISABLED`, `ENABLING`, `SUSPENDED`, or never enabled) fails.
    ///
    /// ## Why it matters
    /// Instances run operating systems and packages that get new CVEs every week. Inspector finds the
    /// vulnerable ones continuously and for little money; checking them by hand does not scale.
    ///
    /// ## Guideline
    /// 2-4: Amazon Inspector checks instances for vulnerable applications and middleware and for risky
    /// settings. (Fixing what it finds is still up to the team.)
    ///
    /// ## How to fix
    /// Enable EC2 scanning in each region with instances (Inspector v2 uses the SSM agent, see SSM-001):
    ///
    /// ```sh
    /// aws inspector2 enable --resource-types EC2 --region ap-northeast-1
    /// ```
    ///
    /// ## Fix safety
    /// Safe: scanning reads package inventories and changes nothing on the instances. It is billed per
    /// instance scanned.
    ///
    /// ## References
    /// - AWS FSBP Inspector.1 (Amazon Inspector EC2 scanning is enabled)
    pub static RULE = {
        id: "INSPECTOR-001",
        name: "inspector-disabled",
        title: "Amazon Inspector scans EC2 instances",
        title_ja: "Amazon Inspector が EC2 インスタンスをスキャンしている",
        section: Section::Security,
        item: "2-4",
        severity: Severity::Medium,
        fix: FixAvailability::Safe,
        data: &["inspector2:BatchGetAccountStatus", "ec2:DescribeInstances"],
        check: check,
        plan: Some(plan),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    for (region, inventory) in cx.regions() {
        let resource = cx.arn("inspector2", region, "ec2-scanning");
        let instances = match inventory.instances.get() {
            Ok(instances) => instances,
            Err(error) => {
                out.not_evaluated(region, resource, error);
                continue;
            }
        };
        let ids: Vec<String> = instances
            .iter()
            .filter(|instance| instance.state != "terminated")
            .map(|i| i.id.clone())
            .collect();
        if ids.is_empty() {
            out.pass(
                region,
                resource,
                text!(
                    "no EC2 instances in the region; Inspector EC2 scanning is not required",
                    "EC2 インスタンスがないため、Inspector の EC2 スキャンは不要です"
                ),
            );
            continue;
        }
        let count = ids.len();
        let instances = if count == 1 { "1 instance".to_owned() } else { format!("{count} instances") };
        let (list, list_ja) = short_list(&ids, 5);
        match inventory.inspector.get() {
            Ok(status) => match status.ec2.as_deref() {
                Some("ENABLED") => out.pass(
                    region,
                    resource,
                    text!(
                        "EC2 scanning by Amazon Inspector is enabled for the region's {instances}",
                        "Amazon Inspector の EC2 スキャンが有効で、{count} 台のインスタンスが対象です"
                    ),
                ),
                Some(state) => out.fail(
                    region,
                    resource,
                    text!(
                        "EC2 scanning by Amazon Inspector is {state}, with {instances} in the region ({list})",
                        "Amazon Inspector の EC2 スキャンが {state} です。このリージョンには {count} 台の\
                         インスタンスがあります ({list_ja})"
                    ),
                ),
                None => out.fail(
                    region,
                    resource,
                    text!(
                        "EC2 scanning by Amazon Inspector was never enabled, with {instances} in the region \
                         ({list})",
                        "Amazon Inspector の EC2 スキャンが一度も有効化されていません。このリージョンには \
                         {count} 台のインスタンスがあります ({list_ja})"
                    ),
                ),
            },
            Err(error) => out.not_evaluated(region, resource, error),
        }
    }
}

/// EC2 scanning in each failing region.
fn plan(_fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    failing
        .iter()
        .map(|finding| Planned::Change {
            region: finding.region.clone(),
            action: FixAction::EnableInspectorEc2,
        })
        .collect()
}
