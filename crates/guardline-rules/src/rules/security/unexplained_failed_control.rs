//! HUB-002.

use guardline_model::{Section, Severity};

use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// In every scanned region where Security Hub is enabled, each active Security Hub finding whose
    /// compliance status is FAILED is explained:
    ///
    /// - its control (e.g. `IAM.6`) is listed in the profile's `security-hub-not-adopted`, with the reason
    ///   the profile gives: the finding passes and the message quotes the reason; or
    /// - it is covered by an exception (control `HUB-002`, the finding's resource, and `subject` the
    ///   Security Hub control, e.g. `subject = "S3.8"`), which the engine applies like any other exception.
    ///   Without `subject` an exception covers every Security Hub control that fails on the resource, and
    ///   the report says so.
    ///
    /// Every other failed finding fails, naming its control, title and severity. The finding's resource is
    /// its first resource ARN (the finding ID when it has none).
    ///
    /// - Only the scanned account's findings about the region they are read in count: with cross-region
    ///   aggregation the aggregation region also holds the linked regions' findings, and a Security Hub
    ///   administrator account holds its members' findings; each is judged in its own account and region.
    /// - A failed finding set to SUPPRESSED in Security Hub still fails, and says so: a suppression in the
    ///   console records no reason, owner or expiry, which the guideline asks of every accepted failure. Turn
    ///   it into an exception (or a not-adopted control) to accept it.
    /// - Findings whose workflow status is RESOLVED are not read; neither are archived findings.
    /// - A region with more failed findings than Guardline reads (10,000) is NOT EVALUATED for the rest,
    ///   besides the failures it did read: what was not read cannot pass.
    /// - A region where Security Hub is not enabled is NOT EVALUATED (there is nothing to explain, and
    ///   nothing to check); HUB-001 reports the hub itself.
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
    /// aws securityhub get-findings --filters '{"AwsAccountId":[{"Value":"123456789012","Comparison":"EQUALS"}],
    ///   "ComplianceStatus":[{"Value":"FAILED","Comparison":"EQUALS"}],
    ///   "RecordState":[{"Value":"ACTIVE","Comparison":"EQUALS"}],
    ///   "WorkflowStatus":[{"Value":"RESOLVED","Comparison":"NOT_EQUALS"}]}'
    /// ```
    ///
    /// ## Fix safety
    /// Manual only: each failure needs a decision (fix, not adopted, or an exception), and only a person can
    /// give its reason.
    ///
    /// ## References
    /// - AWS Security Hub controls reference (the FSBP controls and their remediation)
    /// - AWS FSBP: every control of the standard
    ///
    /// ## 確認内容
    /// Security Hub が有効なスキャン対象の全リージョンで、コンプライアンスステータスが FAILED のアクティブな Security Hub の
    /// 検出結果それぞれに説明があること。
    ///
    /// - そのコントロール(例: `IAM.6`)がプロファイルの `security-hub-not-adopted` に、プロファイルが示す理由とともに載って
    ///   いる。この場合、検出結果は合格となり、メッセージにその理由を引用します。または
    /// - 例外(コントロール `HUB-002`、検出結果のリソース、`subject` に Security Hub のコントロール。例: `subject = "S3.8"`)の
    ///   対象になっている。エンジンは他の例外と同じようにこれを適用します。`subject` のない例外は、そのリソースで失敗して
    ///   いるすべての Security Hub コントロールを対象にし、レポートにもそう表示されます。
    ///
    /// それ以外の失敗した検出結果はすべて、コントロール、タイトル、重大度を示して不合格になります。検出結果のリソースは、
    /// 最初のリソース ARN(ない場合は検出結果の ID)です。
    ///
    /// - 数えるのは、スキャンしたアカウントの、読み込んだリージョンに関する検出結果だけです。クロスリージョン集約では集約
    ///   リージョンが連結リージョンの検出結果も持ち、Security Hub の管理者アカウントはメンバーの検出結果も持ちます。それぞれ
    ///   は自分のアカウントとリージョンで判定します。
    /// - Security Hub で SUPPRESSED にした失敗の検出結果も不合格のままとし、その旨を伝えます。コンソールでの抑制には、
    ///   ガイドラインが受け入れたすべての失敗に求める理由・担当者・期限が記録されないからです。受け入れるには、例外(または
    ///   不採用のコントロール)にしてください。
    /// - ワークフローステータスが RESOLVED の検出結果は読みません。アーカイブされた検出結果も読みません。
    /// - Guardline が読む上限(10,000 件)より多い失敗の検出結果があるリージョンは、読み込んだ失敗とは別に、残りについて
    ///   未評価(NOT EVALUATED)になります。読まなかったものは合格にできません。
    /// - Security Hub が有効でないリージョンは未評価(NOT EVALUATED)です(説明すべきものも確認すべきものもありません)。
    ///   Security Hub そのものは HUB-001 が報告します。
    ///
    /// ## 重要な理由
    /// Security Hub のすべてのコントロールを満たすアカウントを作れる人はいません。そして誰も読まない 100 件の失敗の一覧は、
    /// 重要な 1 件を覆い隠します。失敗ごとに説明を求めれば、一覧はレビュー済みの判断の集まりになり、新しい失敗が目立ちます。
    ///
    /// ## ガイドライン
    /// 2-5:「このルールは採用」「このルールは不採用」などの基準を作成し、監査結果が失敗した項目も「きちんと説明ができるならば
    /// よし」とする。結果は定期的に棚卸しする。
    ///
    /// ## 修正方法
    /// 失敗ごとに、リソースを修正する(検出結果の修復リンクに方法があります)か、プロファイルでそのコントロールを不採用にする
    /// (`[profiles.<name>.params]` に `security-hub-not-adopted = { "IAM.6" = "理由" }`)か、そのリソースに理由・担当者・期限
    /// 付きの例外を追加します。失敗を一覧するには次のようにします。
    ///
    /// ```sh
    /// aws securityhub get-findings --filters '{"AwsAccountId":[{"Value":"123456789012","Comparison":"EQUALS"}],
    ///   "ComplianceStatus":[{"Value":"FAILED","Comparison":"EQUALS"}],
    ///   "RecordState":[{"Value":"ACTIVE","Comparison":"EQUALS"}],
    ///   "WorkflowStatus":[{"Value":"RESOLVED","Comparison":"NOT_EQUALS"}]}'
    /// ```
    ///
    /// ## 修正の安全性
    /// 手動のみ: 失敗ごとに判断(修正、不採用、例外)が必要で、その理由を示せるのは人だけです。
    ///
    /// ## 参考資料
    /// - AWS Security Hub コントロールリファレンス(FSBP のコントロールとその修復方法)
    /// - AWS FSBP: 標準のすべてのコントロール
    pub static RULE = {
        id: "HUB-002",
        name: "unexplained-failed-control",
        title: "Every failed Security Hub control is explained",
        title_ja: "Security Hub の失敗したコントロールにすべて説明がある",
        section: Section::Security,
        item: "2-5",
        severity: Severity::Medium,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Fix each failed control, or suppress its finding with a reason",
            ja: "不合格のコントロールを修正するか、理由を付けて検出結果を抑制する",
            command: None,
        },
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
            Ok(None) => {
                out.not_evaluated_because(
                    region,
                    cx.arn("securityhub", region, "hub/default"),
                    text!(
                        "could not be evaluated: AWS Security Hub is not enabled in the region, so it has no \
                         findings to explain (HUB-001)",
                        "評価できません: このリージョンでは AWS Security Hub が有効ではなく、説明すべき検出結果が\
                         ありません (HUB-001)"
                    ),
                );
                continue;
            }
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
        if hub.failed_findings_truncated {
            let read = findings.len();
            out.not_evaluated_because(
                region,
                &hub.hub_arn,
                text!(
                    "could not be evaluated: the region has more than {read} failed findings and only the first \
                     {read} were read; the others may be unexplained failures",
                    "評価できません: このリージョンには失敗した検出結果が {read} 件を超えてあり、最初の {read} 件\
                     しか読み取っていません。残りに説明のない失敗があるかもしれません"
                ),
            );
        } else if findings.is_empty() {
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
            let suppressed = finding.workflow_status == "SUPPRESSED";
            let resource = finding.resource_arns.first().unwrap_or(&finding.id);
            let (title, severity) = (&finding.title, &finding.severity);
            let Some(control) = finding.control_id.as_deref() else {
                out.fail_about(
                    region,
                    resource,
                    &finding.id,
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
                Some(reason) => out.pass_about(
                    region,
                    resource,
                    control,
                    text!(
                        "control {control} failed ({title}) but the profile does not adopt it: {reason}",
                        "コントロール {control} は失敗しています ({title}) が、プロファイルで不採用です: {reason}"
                    ),
                ),
                None if suppressed => out.fail_about(
                    region,
                    resource,
                    control,
                    text!(
                        "control {control} failed: {title} (severity {severity}); it is suppressed in Security \
                         Hub, which records no reason, owner or expiry: record a Guardline exception instead",
                        "コントロール {control} が失敗しています: {title} (重要度 {severity})。Security Hub で\
                         抑制されていますが、抑制には理由・担当者・期限が残りません。Guardline の例外として記録\
                         してください"
                    ),
                ),
                None => out.fail_about(
                    region,
                    resource,
                    control,
                    text!(
                        "control {control} failed: {title} (severity {severity})",
                        "コントロール {control} が失敗しています: {title} (重要度 {severity})"
                    ),
                ),
            }
        }
    }
}
