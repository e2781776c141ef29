//! INSPECTOR-001.

use guardline_model::{Section, Severity};

use super::helpers::short_list;
use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// In every scanned region that has at least one EC2 instance (in any state but `terminated`), Amazon
    /// Inspector (v2) EC2 scanning is `ENABLED`. Regions without instances pass: nothing to scan there.
    ///
    /// `ENABLING` passes too, with a message saying scanning is being enabled: it is the state Inspector
    /// reports for a while right after `inspector2 enable` (and so right after `guardline fix`), on its way to
    /// `ENABLED`, and nothing is left for anyone to do. A PASS rather than NOT EVALUATED, so that an account
    /// just fixed can exit 0 on the rescan. Guardline cannot tell how long a region has been `ENABLING`; one
    /// that stays there for hours needs a look in the Inspector console (the SSM agent, SSM-001).
    ///
    /// Every other state fails, naming it: `DISABLED`, `DISABLING` (being turned off), `SUSPENDING` and
    /// `SUSPENDED` (scanning being suspended, or suspended), a state Guardline does not know, and an
    /// account Inspector does not list at all (never enabled).
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
    /// A region that is `DISABLING` or `SUSPENDING` can be enabled again only once that change has finished
    /// (Inspector refuses with `DISABLE_IN_PROGRESS` or `SUSPEND_IN_PROGRESS` until then).
    ///
    /// ## Fix safety
    /// Safe: scanning reads package inventories and changes nothing on the instances. It is billed per
    /// instance scanned. `guardline fix` plans the change for every failing region; an `ENABLING` region
    /// passes and is left alone. In a member account of an organization the plan says that, where
    /// Inspector has a delegated administrator, enabling every member (auto-enable) is the administrator's.
    ///
    /// ## References
    /// - AWS FSBP Inspector.1 (Amazon Inspector EC2 scanning is enabled)
    ///
    /// ## 確認内容
    /// EC2 インスタンス(`terminated` 以外の状態)が少なくとも 1 つあるスキャン対象の全リージョンで、Amazon Inspector(v2)の
    /// EC2 スキャンが `ENABLED` であること。インスタンスのないリージョンは、スキャン対象がないため合格です。
    ///
    /// `ENABLING` も合格とし、スキャンを有効化中であることをメッセージで伝えます。これは `inspector2 enable` の直後
    /// (つまり `guardline fix` の直後)に `ENABLED` になるまでしばらく Inspector が報告する状態で、誰にもすることは残って
    /// いません。未評価(NOT EVALUATED)ではなく合格にするのは、修正したばかりのアカウントが再スキャンで終了コード 0 で
    /// 終われるようにするためです。Guardline にはリージョンがどれだけの間 `ENABLING` のままかは分かりません。何時間も
    /// そのままのリージョンは、Inspector コンソール(SSM エージェント、SSM-001)を確認してください。
    ///
    /// それ以外の状態はすべて、その状態を示して不合格にします。`DISABLED`、`DISABLING`(無効化中)、`SUSPENDING` と
    /// `SUSPENDED`(スキャンの一時停止中、または一時停止済み)、Guardline が知らない状態、そして Inspector がまったく一覧しない
    /// アカウント(一度も有効化されていない)です。
    ///
    /// ## 重要な理由
    /// インスタンスの OS やパッケージには毎週新しい CVE が出ます。Inspector は脆弱なものをわずかなコストで継続的に見つけます。
    /// 手作業での確認は規模に追いつきません。
    ///
    /// ## ガイドライン
    /// 2-4: Amazon Inspector は、インスタンス上の脆弱性のあるアプリケーションやミドルウェア、セキュリティリスクのある設定を
    /// チェックする(見つかったものの修復は引き続きチームの仕事です)。
    ///
    /// ## 修正方法
    /// インスタンスのある各リージョンで EC2 スキャンを有効化します(Inspector v2 は SSM エージェントを使います。SSM-001 を
    /// 参照)。
    ///
    /// ```sh
    /// aws inspector2 enable --resource-types EC2 --region ap-northeast-1
    /// ```
    ///
    /// `DISABLING` や `SUSPENDING` のリージョンは、その変更が終わってからでないと再度有効化できません(それまでは
    /// `DISABLE_IN_PROGRESS` や `SUSPEND_IN_PROGRESS` で拒否されます)。
    ///
    /// ## 修正の安全性
    /// 安全: スキャンはパッケージのインベントリを読むだけで、インスタンス上の何も変更しません。スキャンしたインスタンスごとに
    /// 課金されます。`guardline fix` は不合格の全リージョンについて変更を計画し、`ENABLING` のリージョンは合格なので手を
    /// 触れません。組織のメンバーアカウントでは、Inspector に委任管理者がいる場合、全メンバーの有効化(自動有効化)は
    /// 管理者の役割であることをプランで伝えます。
    ///
    /// ## 参考資料
    /// - AWS FSBP Inspector.1(Amazon Inspector の EC2 スキャンが有効である)
    pub static RULE = {
        id: "INSPECTOR-001",
        name: "inspector-disabled",
        title: "Amazon Inspector scans EC2 instances",
        title_ja: "Amazon Inspector が EC2 インスタンスをスキャンしている",
        section: Section::Security,
        item: "2-4",
        severity: Severity::Medium,
        fix: FixAvailability::Safe,
        remedy: Remedy {
            en: "Enable Amazon Inspector EC2 scanning in every region",
            ja: "すべてのリージョンで Amazon Inspector の EC2 スキャンを有効にする",
            command: None,
        },
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
                Some("ENABLING") => out.pass(
                    region,
                    resource,
                    text!(
                        "EC2 scanning by Amazon Inspector is being enabled (ENABLING, a transitional state on the \
                         way to ENABLED) for the region's {instances}",
                        "Amazon Inspector の EC2 スキャンは有効化の途中です (ENABLING: ENABLED になるまでの一時的な\
                         状態)。{count} 台のインスタンスが対象です"
                    ),
                ),
                Some(state) => {
                    let (meaning_en, meaning_ja) = meaning(state);
                    out.fail(
                        region,
                        resource,
                        text!(
                            "EC2 scanning by Amazon Inspector is {state}{meaning_en}, with {instances} in the region \
                             ({list})",
                            "Amazon Inspector の EC2 スキャンが {state}{meaning_ja} です。このリージョンには {count} 台の\
                             インスタンスがあります ({list_ja})"
                        ),
                    );
                }
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

/// What a transitional failing state means, as a parenthesis after it (`DISABLED`, `SUSPENDED` and unknown
/// states need none).
fn meaning(state: &str) -> (&'static str, &'static str) {
    match state {
        "DISABLING" => (" (being turned off)", " (無効化の途中)"),
        "SUSPENDING" => (" (being suspended)", " (一時停止の途中)"),
        _ => ("", ""),
    }
}

/// EC2 scanning in each failing region (an `ENABLING` region passes, so it is never planned).
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    let id = fix.cx.account_id();
    let member_of = match fix.cx.snapshot.global.organization.get() {
        Ok(Some(organization)) if !organization.is_management(id) => {
            Some(organization.management_account_id.clone())
        }
        _ => None,
    };
    failing
        .iter()
        .map(|finding| Planned::Change {
            region: finding.region.clone(),
            action: FixAction::EnableInspectorEc2 { member_of: member_of.clone() },
        })
        .collect()
}
