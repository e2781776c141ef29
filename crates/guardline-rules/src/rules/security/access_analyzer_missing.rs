//! ANALYZER-001.

use guardline_model::{Section, Severity};

use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// In every scanned region, an IAM Access Analyzer that looks for external access (type `ACCOUNT` or
    /// `ORGANIZATION`) exists and is `ACTIVE`. An unused-access analyzer (`ACCOUNT_UNUSED_ACCESS`,
    /// `ORGANIZATION_UNUSED_ACCESS`) does not count: it does not report resources shared outside the
    /// account.
    ///
    /// ## Why it matters
    /// Access Analyzer finds the roles, buckets, keys, queues and snapshots that a policy shares with another
    /// account or with everyone, including what was shared by mistake. It is free, and it only sees the
    /// region it runs in.
    ///
    /// ## Guideline
    /// 2-6: enable IAM Access Analyzer; "one click and no cost".
    ///
    /// ## How to fix
    /// Create an account analyzer in each region (an organization analyzer in the delegated administrator
    /// account covers every member):
    ///
    /// ```sh
    /// aws accessanalyzer create-analyzer --analyzer-name account-analyzer --type ACCOUNT --region ap-northeast-1
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the analyzer only reads policies. External-access analyzers cost nothing.
    ///
    /// ## References
    /// - CIS AWS Foundations 1.20 (IAM Access Analyzer is enabled for all regions)
    /// - AWS FSBP IAM.28 (external access analyzer is enabled)
    pub static RULE = {
        id: "ANALYZER-001",
        name: "access-analyzer-missing",
        title: "IAM Access Analyzer watches for external access",
        title_ja: "IAM Access Analyzer が外部アクセスを監視している",
        section: Section::Security,
        item: "2-6",
        severity: Severity::Low,
        fix: FixAvailability::Safe,
        data: &["access-analyzer:ListAnalyzers"],
        check: check,
        plan: Some(plan),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    for (region, inventory) in cx.regions() {
        let resource = cx.arn("access-analyzer", region, "analyzer");
        let analyzers = match inventory.access_analyzers.get() {
            Ok(analyzers) => analyzers,
            Err(error) => {
                out.not_evaluated(region, resource, error);
                continue;
            }
        };
        let external = analyzers.iter().filter(|analyzer| analyzer.finds_external_access());
        if let Some(active) = external.clone().find(|analyzer| analyzer.status == "ACTIVE") {
            let (name, kind) = (&active.name, &active.analyzer_type);
            out.pass(
                region,
                &active.arn,
                text!(
                    "IAM Access Analyzer {name} ({kind}) is active",
                    "IAM Access Analyzer {name} ({kind}) が有効です"
                ),
            );
            continue;
        }
        let inactive: Vec<String> =
            external.map(|analyzer| format!("{} ({})", analyzer.name, analyzer.status)).collect();
        let unused: Vec<String> = analyzers
            .iter()
            .filter(|analyzer| !analyzer.finds_external_access())
            .map(|analyzer| format!("{} ({})", analyzer.name, analyzer.analyzer_type))
            .collect();
        if !inactive.is_empty() {
            let list = inactive.join(", ");
            out.fail(
                region,
                resource,
                text!(
                    "no active external-access IAM Access Analyzer: {list} is not ACTIVE",
                    "有効な外部アクセス用の IAM Access Analyzer がありません: {list} が ACTIVE ではありません"
                ),
            );
        } else if !unused.is_empty() {
            let list = unused.join(", ");
            out.fail(
                region,
                resource,
                text!(
                    "no external-access IAM Access Analyzer, only unused-access ones: {list}",
                    "外部アクセス用の IAM Access Analyzer がありません (未使用アクセス用のみ: {list})"
                ),
            );
        } else {
            out.fail(
                region,
                resource,
                text!(
                    "no IAM Access Analyzer in the region",
                    "このリージョンに IAM Access Analyzer がありません"
                ),
            );
        }
    }
}

/// An account analyzer in each failing region.
fn plan(_fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    failing
        .iter()
        .map(|finding| Planned::Change {
            region: finding.region.clone(),
            action: FixAction::CreateAccessAnalyzer { name: "guardline-account".to_owned() },
        })
        .collect()
}
