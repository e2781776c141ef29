//! ANALYZER-002.

use guardline_model::{Section, Severity};

use super::helpers::short_list;
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// Every ACTIVE external-access IAM Access Analyzer (type `ACCOUNT` or `ORGANIZATION`) has no ACTIVE
    /// finding. Each finding fails on its own resource (the analyzer's ARN when the finding names none),
    /// with the resource type, who gets access, whether it is public, and the actions. An exception for the
    /// resource accepts a sharing that is intended. An analyzer without findings passes; regions without an
    /// analyzer are left to ANALYZER-001. Archived findings (archive rules) are not ACTIVE and do not count.
    ///
    /// ## Why it matters
    /// Each finding is a resource that someone outside the account can use: a role another account can
    /// assume, a bucket or a KMS key shared with an unknown account or with everyone. Some are intended (a
    /// partner's cross-account role); the others are how data leaks.
    ///
    /// ## Guideline
    /// 2-6: IAM Access Analyzer detects resources such as IAM roles and S3 buckets that grant access to
    /// external accounts or to specific IP addresses.
    ///
    /// ## How to fix
    /// Remove the access that is not intended (edit the role's trust policy, the bucket policy, the key
    /// policy). Access that is intended gets an exception, or an archive rule in Access Analyzer:
    ///
    /// ```sh
    /// aws accessanalyzer list-findings-v2 --analyzer-arn arn:aws:access-analyzer:ap-northeast-1:123456789012:analyzer/account-analyzer \
    ///   --filter '{"status":{"eq":["ACTIVE"]}}'
    /// aws accessanalyzer create-archive-rule --analyzer-name account-analyzer --rule-name partner \
    ///   --filter '{"principal.AWS":{"eq":["111122223333"]}}'
    /// ```
    ///
    /// ## Fix safety
    /// Manual only: the shared access may be intended, and removing it breaks whoever uses it.
    ///
    /// ## References
    /// - CIS AWS Foundations 1.20 (IAM Access Analyzer is enabled, and its findings are reviewed)
    /// - AWS FSBP: no control
    ///
    /// ## 確認内容
    /// ACTIVE な外部アクセスの IAM アクセスアナライザー(タイプ `ACCOUNT` または `ORGANIZATION`)すべてに、ACTIVE な検出結果が
    /// ないこと。検出結果はそれぞれのリソース(検出結果がリソースを示さない場合はアナライザーの ARN)で個別に不合格となり、
    /// リソースタイプ、アクセスを得る相手、公開かどうか、アクションを示します。意図した共有は、そのリソースの例外で受け入れ
    /// ます。検出結果のないアナライザーは合格です。アナライザーのないリージョンは ANALYZER-001 に任せます。アーカイブされた
    /// 検出結果(アーカイブルール)は ACTIVE ではないため数えません。
    ///
    /// ## 重要な理由
    /// 検出結果はそれぞれ、アカウントの外部の誰かが使えるリソースです。別のアカウントが引き受けられるロール、不明な
    /// アカウントや全員と共有されたバケットや KMS キーなど。意図したもの(パートナーのクロスアカウントロール)もありますが、
    /// それ以外はデータが漏えいする経路です。
    ///
    /// ## ガイドライン
    /// 2-6: IAM アクセスアナライザーは、IAM ロールや S3 バケットなどに、外部のアカウントや特定 IP アドレスからのアクセス権が
    /// 付与されているリソースを検知する。
    ///
    /// ## 修正方法
    /// 意図しないアクセスを削除します(ロールの信頼ポリシー、バケットポリシー、キーポリシーを編集します)。意図したアクセスには、
    /// 例外か、アクセスアナライザーのアーカイブルールを設定します。
    ///
    /// ```sh
    /// aws accessanalyzer list-findings-v2 --analyzer-arn arn:aws:access-analyzer:ap-northeast-1:123456789012:analyzer/account-analyzer \
    ///   --filter '{"status":{"eq":["ACTIVE"]}}'
    /// aws accessanalyzer create-archive-rule --analyzer-name account-analyzer --rule-name partner \
    ///   --filter '{"principal.AWS":{"eq":["111122223333"]}}'
    /// ```
    ///
    /// ## 修正の安全性
    /// 手動のみ: 共有されたアクセスは意図したものかもしれず、削除すればそれを使っている相手が動かなくなります。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 1.20(IAM アクセスアナライザーが有効で、その検出結果がレビューされている)
    /// - AWS FSBP: 該当コントロールなし
    pub static RULE = {
        id: "ANALYZER-002",
        name: "external-access-found",
        title: "No unexplained external access",
        title_ja: "説明のない外部アクセスがない",
        section: Section::Security,
        item: "2-6",
        severity: Severity::High,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Remove the external access, or archive the finding with a reason",
            ja: "外部アクセスを取り除くか、理由を付けて検出結果をアーカイブする",
            command: None,
        },
        data: &["access-analyzer:ListAnalyzers", "access-analyzer:ListFindings"],
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    for (region, inventory) in cx.regions() {
        let analyzers = match inventory.access_analyzers.get() {
            Ok(analyzers) => analyzers,
            Err(error) => {
                out.not_evaluated(region, cx.arn("access-analyzer", region, "analyzer"), error);
                continue;
            }
        };
        for analyzer in analyzers
            .iter()
            .filter(|analyzer| analyzer.finds_external_access() && analyzer.status == "ACTIVE")
        {
            let findings = match analyzer.active_findings.get() {
                Ok(findings) => findings,
                Err(error) => {
                    out.not_evaluated(region, &analyzer.arn, error);
                    continue;
                }
            };
            let analyzer_name = &analyzer.name;
            if findings.is_empty() {
                out.pass(
                    region,
                    &analyzer.arn,
                    text!(
                        "IAM Access Analyzer {analyzer_name} has no active finding",
                        "IAM Access Analyzer {analyzer_name} に有効な検出結果はありません"
                    ),
                );
                continue;
            }
            for finding in findings {
                let resource = finding.resource.as_deref().unwrap_or(&analyzer.arn);
                let kind = &finding.resource_type;
                let (what, what_ja) = match finding.resource.as_deref() {
                    Some(name) => (format!("resource {name} ({kind})"), format!("リソース {name} ({kind})")),
                    None => (format!("an unnamed {kind} resource"), format!("リソース (名前なし、{kind})")),
                };
                let principal: Vec<String> =
                    finding.principal.iter().map(|(key, value)| format!("{key}: {value}")).collect();
                let (principal, principal_ja) = if principal.is_empty() {
                    ("unspecified".to_owned(), "不明".to_owned())
                } else {
                    (principal.join(", "), principal.join(", "))
                };
                let (actions, actions_ja) = if finding.actions.is_empty() {
                    ("unspecified".to_owned(), "不明".to_owned())
                } else {
                    short_list(&finding.actions, 8)
                };
                let id = &finding.id;
                let message = if finding.is_public {
                    text!(
                        "{what} is public: principal {principal}, actions {actions} \
                         (finding {id} of {analyzer_name})",
                        "{what_ja} がパブリックに公開されています: プリンシパル {principal_ja}、\
                         アクション {actions_ja} ({analyzer_name} の検出結果 {id})"
                    )
                } else {
                    text!(
                        "{what} is shared outside the account, not publicly: principal \
                         {principal}, actions {actions} (finding {id} of {analyzer_name})",
                        "{what_ja} がアカウント外に共有されています (パブリックではありません): \
                         プリンシパル {principal_ja}、アクション {actions_ja} ({analyzer_name} の検出結果 {id})"
                    )
                };
                out.fail(region, resource, message);
            }
        }
    }
}
