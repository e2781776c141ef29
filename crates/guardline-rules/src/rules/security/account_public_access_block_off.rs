//! S3-001.

use guardline_model::{Section, Severity};

use crate::context::GLOBAL;
use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// Account-level S3 Block Public Access is configured and all four of its flags are on:
    /// `BlockPublicAcls`, `IgnorePublicAcls`, `BlockPublicPolicy`, `RestrictPublicBuckets`. A failure names
    /// the flags that are off.
    ///
    /// ## Why it matters
    /// One setting then keeps every bucket of the account, present and future, from being made public by an
    /// ACL or a bucket policy, whatever a bucket's own settings say. Public buckets are a classic data leak,
    /// usually by mistake.
    ///
    /// ## Guideline
    /// 2-3 (AWS Config: "an S3 bucket is publicly accessible") and 2-5 (Security Hub's "does S3 allow public
    /// access?").
    ///
    /// ## How to fix
    /// Check first that no bucket is meant to be public (S3-002 lists the public ones; serve public content
    /// through CloudFront with origin access control instead), then:
    ///
    /// ```sh
    /// aws s3control put-public-access-block --account-id 123456789012 --public-access-block-configuration \
    ///   BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
    /// ```
    ///
    /// ## Fix safety
    /// Needs review: buckets that serve content publicly through an ACL or a policy stop doing so at once.
    ///
    /// ## References
    /// - CIS AWS Foundations 2.1.4 (S3 Block Public Access is enabled)
    /// - AWS FSBP S3.1
    ///
    /// ## 確認内容
    /// アカウントレベルの S3 ブロックパブリックアクセスが設定され、4 つのフラグ `BlockPublicAcls`、`IgnorePublicAcls`、
    /// `BlockPublicPolicy`、`RestrictPublicBuckets` がすべてオンであること。不合格のときは、オフになっているフラグを示します。
    ///
    /// ## 重要な理由
    /// この 1 つの設定で、アカウントの現在と将来のすべてのバケットが、各バケット自身の設定にかかわらず、ACL やバケット
    /// ポリシーで公開されることを防げます。公開バケットは典型的なデータ漏えいの原因で、たいていは誤操作によるものです。
    ///
    /// ## ガイドライン
    /// 2-3(AWS Config:「S3 がパブリックアクセスされている」)と 2-5(Security Hub:「S3 がパブリックアクセスを許可して
    /// いないか」)。
    ///
    /// ## 修正方法
    /// まず、公開するつもりのバケットがないことを確認し(公開されているバケットは S3-002 が一覧します。公開コンテンツは
    /// 代わりにオリジンアクセスコントロール付きの CloudFront から配信します)、次を実行します。
    ///
    /// ```sh
    /// aws s3control put-public-access-block --account-id 123456789012 --public-access-block-configuration \
    ///   BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
    /// ```
    ///
    /// ## 修正の安全性
    /// 要レビュー: ACL やポリシーでコンテンツを公開配信しているバケットは、ただちに配信できなくなります。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 2.1.4(S3 ブロックパブリックアクセスが有効である)
    /// - AWS FSBP S3.1
    pub static RULE = {
        id: "S3-001",
        name: "account-public-access-block-off",
        title: "Account-level S3 Block Public Access is on",
        title_ja: "アカウントレベルの S3 ブロックパブリックアクセスが有効である",
        section: Section::Security,
        item: "2-3",
        severity: Severity::High,
        fix: FixAvailability::NeedsReview,
        remedy: Remedy {
            en: "Turn on all four account-level S3 Block Public Access settings",
            ja: "アカウントレベルの S3 ブロックパブリックアクセスの 4 つの設定をすべて有効にする",
            command: None,
        },
        data: &["s3:GetAccountPublicAccessBlock"],
        check: check,
        plan: Some(plan),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    match cx.snapshot.global.s3_account_public_access_block.get() {
        Ok(None) => out.fail(
            GLOBAL,
            cx.account_arn(),
            text!(
                "account-level S3 Block Public Access is not configured (all four flags are off)",
                "アカウントレベルの S3 ブロックパブリックアクセスが設定されていません (4 つの設定がすべて無効です)"
            ),
        ),
        Ok(Some(block)) => {
            let off = block.disabled_flags();
            if off.is_empty() {
                out.pass(
                    GLOBAL,
                    cx.account_arn(),
                    text!(
                        "account-level S3 Block Public Access has all four flags on",
                        "アカウントレベルの S3 ブロックパブリックアクセスは 4 つの設定がすべて有効です"
                    ),
                );
            } else {
                let off = off.join(", ");
                out.fail(
                    GLOBAL,
                    cx.account_arn(),
                    text!(
                        "account-level S3 Block Public Access has flags off: {off}",
                        "アカウントレベルの S3 ブロックパブリックアクセスで無効な設定があります: {off}"
                    ),
                );
            }
        }
        Err(error) => out.not_evaluated(GLOBAL, cx.account_arn(), error),
    }
}

/// All four settings on, account-wide.
fn plan(_fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    failing
        .iter()
        .map(|finding| Planned::Change {
            region: finding.region.clone(),
            action: FixAction::BlockAccountPublicAccess,
        })
        .collect()
}
