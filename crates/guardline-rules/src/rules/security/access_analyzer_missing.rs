//! ANALYZER-001.

use guardline_model::inventory::detection::Analyzer;
use guardline_model::{Section, Severity};

use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// In every scanned region, an IAM Access Analyzer that looks for external access (type `ACCOUNT` or
    /// `ORGANIZATION`) exists and is `ACTIVE`. Access Analyzer's other kinds do not count, even `ACTIVE`:
    /// an unused-access analyzer (`ACCOUNT_UNUSED_ACCESS`, `ORGANIZATION_UNUSED_ACCESS`) reports unused
    /// roles, keys and permissions, and an internal-access analyzer (`ACCOUNT_INTERNAL_ACCESS`,
    /// `ORGANIZATION_INTERNAL_ACCESS`) reports access from inside the account or organization; neither
    /// reports resources shared outside it. Nor does an external-access analyzer that is `CREATING`,
    /// `DISABLED` or `FAILED`. The failure names every analyzer found in the region, with its type, and
    /// its status or why it does not count.
    ///
    /// A member account cannot list its organization's analyzer, which lives in the management account or
    /// Access Analyzer's delegated administrator: an organisation scan (`scan --org`) reads it there, and an
    /// active `ORGANIZATION` analyzer of the region passes every member. A scan of the member alone sees
    /// only the member's own analyzers.
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
    /// Safe: the analyzer only reads policies. External-access analyzers cost nothing (unused-access and
    /// internal-access analyzers are charged; the fix creates neither).
    ///
    /// ## References
    /// - CIS AWS Foundations 1.20 (IAM Access Analyzer is enabled for all regions)
    /// - AWS FSBP IAM.28 (external access analyzer is enabled)
    ///
    /// ## 確認内容
    /// スキャンした全リージョンで、外部アクセスを調べる IAM アクセスアナライザー(タイプ `ACCOUNT` または `ORGANIZATION`)が
    /// 存在し、`ACTIVE` であること。アクセスアナライザーの他の種類は `ACTIVE` でも数えません。未使用アクセスのアナライザー
    /// (`ACCOUNT_UNUSED_ACCESS`、`ORGANIZATION_UNUSED_ACCESS`)は使われていないロール・キー・権限を、内部アクセスの
    /// アナライザー(`ACCOUNT_INTERNAL_ACCESS`、`ORGANIZATION_INTERNAL_ACCESS`)はアカウントや組織の内部からのアクセスを報告
    /// し、どちらも外部に共有されたリソースは報告しないからです。`CREATING`、`DISABLED`、`FAILED` の外部アクセス
    /// アナライザーも数えません。不合格のときは、そのリージョンで見つかったすべてのアナライザーを、タイプと、ステータスまたは
    /// 数えない理由とともに示します。
    ///
    /// メンバーアカウントは、管理アカウントまたはアクセスアナライザーの委任管理者にある組織のアナライザーを一覧できません。
    /// 組織のスキャン(`scan --org`)はそこでそれを読み、リージョンに有効な `ORGANIZATION` アナライザーがあれば、すべての
    /// メンバーが合格します。メンバーだけのスキャンでは、メンバー自身のアナライザーしか見えません。
    ///
    /// ## 重要な理由
    /// アクセスアナライザーは、ポリシーが別のアカウントや全員と共有しているロール・バケット・キー・キュー・スナップショットを、
    /// 誤って共有されたものも含めて見つけます。無料で、動いているリージョンしか見ません。
    ///
    /// ## ガイドライン
    /// 2-6: IAM アクセスアナライザーを有効化する。「ボタンをクリックするだけで有効化でき、費用もかからない」。
    ///
    /// ## 修正方法
    /// 各リージョンにアカウントのアナライザーを作成します(委任管理者アカウントの組織アナライザーは全メンバーを対象にします)。
    ///
    /// ```sh
    /// aws accessanalyzer create-analyzer --analyzer-name account-analyzer --type ACCOUNT --region ap-northeast-1
    /// ```
    ///
    /// ## 修正の安全性
    /// 安全: アナライザーはポリシーを読むだけです。外部アクセスのアナライザーは無料です(未使用アクセスと内部アクセスの
    /// アナライザーは有料ですが、この修正はどちらも作成しません)。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 1.20(IAM アクセスアナライザーが全リージョンで有効である)
    /// - AWS FSBP IAM.28(外部アクセスのアナライザーが有効である)
    pub static RULE = {
        id: "ANALYZER-001",
        name: "access-analyzer-missing",
        title: "IAM Access Analyzer watches for external access",
        title_ja: "IAM Access Analyzer が外部アクセスを監視している",
        section: Section::Security,
        item: "2-6",
        severity: Severity::Low,
        fix: FixAvailability::Safe,
        remedy: Remedy {
            en: "Create an external-access IAM Access Analyzer in each region",
            ja: "各リージョンに外部アクセス用の IAM Access Analyzer を作成する",
            command: None,
        },
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
        // An organisation scan knows the organisation's analyzers, which a member cannot list itself.
        let organisation = inventory.organization_analyzers.get().ok().and_then(|analyzers| {
            analyzers.iter().find(|analyzer| analyzer.finds_external_access() && analyzer.status == "ACTIVE")
        });
        if let Some(active) = organisation {
            let (name, owner) = (&active.name, active.arn.split(':').nth(4).unwrap_or_default());
            out.pass(
                region,
                &active.arn,
                text!(
                    "the organization's IAM Access Analyzer {name} of account {owner} (zone of trust: the \
                     organization) is active and covers this account",
                    "アカウント {owner} の組織の IAM Access Analyzer {name} (信頼ゾーン: 組織) が有効で、このアカウントを\
                     対象にしています"
                ),
            );
            continue;
        }
        if analyzers.is_empty() {
            out.fail(
                region,
                resource,
                text!(
                    "no IAM Access Analyzer in the region",
                    "このリージョンに IAM Access Analyzer がありません"
                ),
            );
            continue;
        }
        let (found, found_ja): (Vec<String>, Vec<String>) = analyzers.iter().map(describe).unzip();
        let (found, found_ja) = (found.join(", "), found_ja.join("、"));
        out.fail(
            region,
            resource,
            text!(
                "no active external-access IAM Access Analyzer (type ACCOUNT or ORGANIZATION) in the region; found: \
                 {found}",
                "このリージョンに有効な外部アクセス用の IAM Access Analyzer (タイプ ACCOUNT または ORGANIZATION) が\
                 ありません。見つかったもの: {found_ja}"
            ),
        );
    }
}

/// An analyzer that does not satisfy the control, and why: `new (ACCOUNT, CREATING: not ACTIVE)`,
/// `unused (ACCOUNT_UNUSED_ACCESS: unused access, not external)`.
fn describe(analyzer: &Analyzer) -> (String, String) {
    let (name, kind, status) = (&analyzer.name, &analyzer.analyzer_type, &analyzer.status);
    if analyzer.finds_external_access() {
        return (
            format!("{name} ({kind}, {status}: not ACTIVE)"),
            format!("{name} ({kind}、{status}: ACTIVE ではありません)"),
        );
    }
    let (what, what_ja) = match kind.as_str() {
        "ACCOUNT_UNUSED_ACCESS" | "ORGANIZATION_UNUSED_ACCESS" => ("unused access", "未使用アクセス"),
        "ACCOUNT_INTERNAL_ACCESS" | "ORGANIZATION_INTERNAL_ACCESS" => ("internal access", "内部アクセス"),
        _ => {
            return (
                format!("{name} ({kind}: not an external-access type)"),
                format!("{name} ({kind}: 外部アクセス用のタイプではありません)"),
            );
        }
    };
    (
        format!("{name} ({kind}: {what}, not external)"),
        format!("{name} ({kind}: {what_ja}用で、外部アクセス用ではありません)"),
    )
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
