//! COST-001.

use guardline_model::{Section, Severity};

use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// That Cost Explorer is enabled for the account: Guardline asks it for the account's cost
    /// (`ce:GetCostAndUsage`), and the control fails when Cost Explorer answers that it is not enabled
    /// (`AccessDeniedException: User not enabled for cost explorer access`).
    ///
    /// `DataUnavailableException` is not that answer: Cost Explorer is enabled, but its data is not there
    /// yet (it was enabled within the last day, or the account is new). It passes, with a message saying
    /// the data is not available yet, so that an account where it was just enabled can exit 0 on the
    /// rescan; nothing is left for anyone to do but wait. The snapshot keeps Cost Explorer's message with
    /// either answer, and Guardline tells them apart by it: only a message saying Cost Explorer is not
    /// enabled fails. A snapshot with no message at all says neither, and is NOT EVALUATED.
    ///
    /// ## Why it matters
    /// An unexpected bill is an incident too: a forgotten instance, a service nobody meant to start, a leaked
    /// key mining cryptocurrency. Cost Explorer is where spend is broken down by service, region and tag to
    /// find the cause, and `guardline cost` reads it. It takes up to a day to prepare its data after it is
    /// enabled, so enable it before the day you need it.
    ///
    /// ## Guideline
    /// 1-1 (enable Cost Explorer, to be ready to examine and analyse costs precisely).
    ///
    /// ## How to fix
    /// Cost Explorer has no API to enable it: open Billing and Cost Management, choose Cost Explorer and
    /// launch it (in an organization, the management account enables it for every member). Then check
    /// that it answers:
    ///
    /// ```sh
    /// aws ce get-cost-and-usage --time-period Start=2026-11-01,End=2026-11-28 \
    ///   --granularity MONTHLY --metrics UnblendedCost
    /// ```
    ///
    /// ## Fix safety
    /// Manual only: it can only be enabled in the console. Enabling it changes nothing for workloads; the
    /// console use is free, API queries cost a small fee per request.
    ///
    /// ## References
    /// - No CIS AWS Foundations or AWS FSBP control
    /// - AWS Cost Management User Guide: "Enabling Cost Explorer"
    ///
    /// ## 確認内容
    /// アカウントでコストエクスプローラ(Cost Explorer)が有効になっていること。Guardline はアカウントのコストを
    /// 問い合わせ(`ce:GetCostAndUsage`)、コストエクスプローラが有効になっていないと答えた場合
    /// (`AccessDeniedException: User not enabled for cost explorer access`)に不合格とします。
    ///
    /// `DataUnavailableException` はこの答えではありません。コストエクスプローラは有効ですが、データがまだ用意されていない
    /// 状態です(有効化から 1 日以内、または新しいアカウント)。これは合格とし、データがまだないことをメッセージで伝えます。
    /// 有効化した直後のアカウントを再スキャンしたときに終了コード 0 で終われるようにするためで、あとは待つ以外にすることは
    /// ありません。スナップショットはどちらの答えでもコストエクスプローラのメッセージを保持し、Guardline はその内容で
    /// 両者を区別します。不合格になるのは、コストエクスプローラが有効でないと述べるメッセージのときだけです。
    /// メッセージがまったくないスナップショットはどちらとも言えないため、未評価(NOT EVALUATED)になります。
    ///
    /// ## 重要な理由
    /// 想定外の請求もインシデントです。停止し忘れたインスタンス、誰も起動するつもりのなかったサービス、漏えいしたキーによる
    /// 暗号通貨のマイニングなど。コストエクスプローラは、原因を突き止めるために利用料金をサービス・リージョン・タグ別に
    /// 分析する場所であり、`guardline cost` もここを読みます。有効化してからデータの準備に最大 1 日かかるため、
    /// 必要になる日より前に有効化しておいてください。
    ///
    /// ## ガイドライン
    /// 1-1(コストエクスプローラを有効化し、コストを厳密に把握・分析できるようにしておく)。
    ///
    /// ## 修正方法
    /// コストエクスプローラを有効化する API はありません。「請求とコスト管理」(Billing and Cost Management)を開き、
    /// Cost Explorer を選んで起動します(組織では、管理アカウントが全メンバーアカウントについて有効化します)。
    /// その後、応答することを確認します。
    ///
    /// ```sh
    /// aws ce get-cost-and-usage --time-period Start=2026-11-01,End=2026-11-28 \
    ///   --granularity MONTHLY --metrics UnblendedCost
    /// ```
    ///
    /// ## 修正の安全性
    /// 手動のみ: コンソールでしか有効化できません。有効化してもワークロードには何の影響もありません。コンソールでの利用は
    /// 無料で、API での問い合わせにはリクエストごとに少額の料金がかかります。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations・AWS FSBP の該当コントロールなし
    /// - AWS Cost Management ユーザーガイド「Enabling Cost Explorer」
    pub static RULE = {
        id: "COST-001",
        name: "cost-explorer-disabled",
        title: "Cost Explorer is enabled",
        title_ja: "コストエクスプローラが有効である",
        section: Section::Cost,
        item: "1-1",
        severity: Severity::Low,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Enable Cost Explorer in the Billing console of the management account",
            ja: "管理アカウントの請求コンソールでコストエクスプローラを有効にする",
            command: None,
        },
        data: &["ce:GetCostAndUsage"],
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let account = cx.account_arn();
    let status = match cx.snapshot.global.cost_explorer.get() {
        Ok(status) => status,
        Err(error) => {
            out.not_evaluated(GLOBAL, account, error);
            return;
        }
    };
    let detail = status.detail.trim().trim_end_matches('.');
    if status.enabled && detail.is_empty() {
        out.pass(
            GLOBAL,
            account,
            text!(
                "cost data is available: Cost Explorer answered a cost query",
                "コストエクスプローラが有効で、コストのクエリに応答しました"
            ),
        );
        return;
    }
    if !status.enabled && detail.is_empty() {
        out.not_evaluated_because(
            GLOBAL,
            account,
            text!(
                "could not be evaluated: Cost Explorer did not answer the cost query, without saying whether it \
                 is not enabled or its data is not available yet",
                "評価できません: コストエクスプローラはコストのクエリに応答しませんでしたが、有効化されていないのか、\
                 データがまだ用意されていないのかを示しませんでした"
            ),
        );
        return;
    }
    if !status.enabled && says_not_enabled(detail) {
        out.fail(
            GLOBAL,
            account,
            text!(
                "cost data is unavailable: Cost Explorer is not enabled ({detail})",
                "コストエクスプローラが有効化されていないため、コストを分析できません ({detail})"
            ),
        );
        return;
    }
    // `DataUnavailableException` (the collector's other "not enabled" answer), or an enabled Cost Explorer
    // that said why it had no data.
    out.pass(
        GLOBAL,
        account,
        text!(
            "cost data is not available yet: Cost Explorer is enabled but has not prepared the account's data \
             (usually because it was enabled within the last day, or the account is new); it said: {detail}",
            "コストエクスプローラは有効ですが、コストのデータがまだ用意されていません (通常は有効化から 1 日以内か、\
             新しいアカウントのためです)。応答: {detail}"
        ),
    );
}

/// Whether Cost Explorer's message says it is not enabled for the account (`User not enabled for cost
/// explorer access`), as opposed to `DataUnavailableException`'s ("Data is not available ... If just
/// enabled Cost Explorer, data might not be ingested yet").
fn says_not_enabled(detail: &str) -> bool {
    let detail = detail.to_lowercase();
    detail.contains("cost explorer")
        && (detail.contains("not enabled") || detail.contains("not been enabled"))
}

#[cfg(test)]
mod tests {
    use super::says_not_enabled;

    #[test]
    fn only_the_not_enabled_answer_says_not_enabled() {
        assert!(says_not_enabled("User not enabled for cost explorer access"));
        assert!(says_not_enabled("Cost Explorer has not been enabled for this account"));
        assert!(!says_not_enabled(
            "Data is not available. Please try to adjust the time period. If just enabled Cost Explorer, data \
             might not be ingested yet"
        ));
        assert!(!says_not_enabled("HTTP 400 without an AWS error message"));
    }
}
