//! S3-002.

use guardline_model::{CollectError, Section, Severity};

use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// No S3 bucket is public, either through its bucket policy (`s3:GetBucketPolicyStatus` says `IsPublic`)
    /// or through ACL grants to `AllUsers` or `AuthenticatedUsers` (`s3:GetBucketAcl`), unless Block Public
    /// Access neutralises it:
    ///
    /// - a public policy is blocked by `RestrictPublicBuckets`, at account level (S3-001) or on the bucket;
    /// - public ACL grants are ignored under `IgnorePublicAcls`, at account level or on the bucket.
    ///
    /// A failure says how the bucket is public; a pass says why it is not. When the account-level flags are
    /// on, the bucket's own data is not needed.
    ///
    /// ## Why it matters
    /// A public bucket is readable (or writable) by anyone on the internet. Public buckets are one of the most
    /// common causes of data leaks, and most of them were made public by mistake.
    ///
    /// ## Guideline
    /// 2-3 (AWS Config: "an S3 bucket is publicly accessible") and 2-5 (Security Hub: "does S3 allow public
    /// access?").
    ///
    /// ## How to fix
    /// Find out whether the bucket is meant to be public (public content is better served through CloudFront
    /// with origin access control). If not, block it, and remove the public statement or grant:
    ///
    /// ```sh
    /// aws s3api put-public-access-block --bucket my-bucket --public-access-block-configuration \
    ///   BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
    /// aws s3api get-bucket-policy --bucket my-bucket
    /// aws s3api put-bucket-acl --bucket my-bucket --acl private
    /// ```
    ///
    /// A bucket that must stay public gets an exception with its reason.
    ///
    /// ## Fix safety
    /// Manual only: a public bucket may be public on purpose (a website, downloads), and editing a bucket
    /// policy by hand can lock out its legitimate users.
    ///
    /// ## References
    /// - CIS AWS Foundations 2.1.4 (S3 Block Public Access is enabled)
    /// - AWS FSBP S3.2, S3.3 (public read and write access prohibited), S3.8 (bucket-level Block Public Access)
    ///
    /// ## 確認内容
    /// どの S3 バケットも、バケットポリシー(`s3:GetBucketPolicyStatus` が `IsPublic` を返す)や `AllUsers`・
    /// `AuthenticatedUsers` への ACL の付与(`s3:GetBucketAcl`)によって公開されていないこと。ただし、ブロックパブリック
    /// アクセスがそれを無効にしている場合を除きます。
    ///
    /// - 公開ポリシーは、アカウントレベル(S3-001)またはバケットの `RestrictPublicBuckets` でブロックされます。
    /// - 公開 ACL の付与は、アカウントレベルまたはバケットの `IgnorePublicAcls` の下では無視されます。
    ///
    /// 不合格のときはバケットがどのように公開されているかを、合格のときはなぜ公開されていないかを示します。アカウント
    /// レベルのフラグがオンなら、バケット自身のデータは必要ありません。
    ///
    /// ## 重要な理由
    /// 公開バケットは、インターネット上の誰からでも読める(または書ける)状態です。公開バケットはデータ漏えいの最も
    /// 多い原因の一つで、その大半は誤って公開されたものです。
    ///
    /// ## ガイドライン
    /// 2-3(AWS Config:「S3 がパブリックアクセスされている」)と 2-5(Security Hub:「S3 がパブリックアクセスを許可して
    /// いないか」)。
    ///
    /// ## 修正方法
    /// バケットを公開するつもりかどうかを確認します(公開コンテンツはオリジンアクセスコントロール付きの CloudFront から
    /// 配信するほうが適切です)。公開するつもりでなければブロックし、公開しているポリシーのステートメントや ACL の付与を
    /// 削除します。
    ///
    /// ```sh
    /// aws s3api put-public-access-block --bucket my-bucket --public-access-block-configuration \
    ///   BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
    /// aws s3api get-bucket-policy --bucket my-bucket
    /// aws s3api put-bucket-acl --bucket my-bucket --acl private
    /// ```
    ///
    /// 公開し続ける必要のあるバケットには、理由を添えて例外を設定します。
    ///
    /// ## 修正の安全性
    /// 手動のみ: 公開バケットは意図して公開されていることがあり(Web サイト、ダウンロード配布)、バケットポリシーを手で
    /// 編集すると正当な利用者を締め出してしまうことがあります。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 2.1.4(S3 ブロックパブリックアクセスが有効である)
    /// - AWS FSBP S3.2、S3.3(パブリックな読み取り・書き込みアクセスの禁止)、S3.8(バケットレベルのブロックパブリック
    ///   アクセス)
    pub static RULE = {
        id: "S3-002",
        name: "bucket-public",
        title: "No S3 bucket is public",
        title_ja: "公開されている S3 バケットがない",
        section: Section::Security,
        item: "2-3",
        severity: Severity::Critical,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Make the bucket private; serve public content through CloudFront with OAC",
            ja: "バケットを非公開にし、公開コンテンツは CloudFront（OAC）で配信する",
            command: None,
        },
        data: &[
            "s3:ListAllMyBuckets",
            "s3:GetBucketPolicyStatus",
            "s3:GetBucketAcl",
            "s3:GetBucketPublicAccessBlock",
            "s3:GetAccountPublicAccessBlock",
        ],
        check: check,
        plan: None,
    }
}

/// Which Block Public Access setting neutralises a public policy or ACL.
#[derive(Clone, Copy)]
enum Level {
    Account,
    Bucket,
}

impl Level {
    fn en(self) -> &'static str {
        match self {
            Level::Account => "account-level",
            Level::Bucket => "bucket-level",
        }
    }

    fn ja(self) -> &'static str {
        match self {
            Level::Account => "アカウントレベル",
            Level::Bucket => "バケットレベル",
        }
    }
}

/// What one path to the public (the policy, or the ACL) amounts to.
enum Verdict<'a> {
    NotPublic,
    /// Blocked at `Level`; `Some(true)` when the bucket would be public without the block, `None` when that
    /// is unknown (not needed).
    Blocked(Level, Option<bool>),
    Public,
    Unknown(&'a CollectError),
}

/// `exposed`: whether the path makes the bucket public; the flags: whether the account or the bucket turns
/// the relevant Block Public Access flag on.
fn judge<'a>(
    exposed: Result<bool, &'a CollectError>,
    account_flag: Result<bool, &'a CollectError>,
    bucket_flag: Result<bool, &'a CollectError>,
) -> Verdict<'a> {
    if exposed == Ok(false) {
        return Verdict::NotPublic;
    }
    if account_flag == Ok(true) {
        return Verdict::Blocked(Level::Account, exposed.ok());
    }
    if bucket_flag == Ok(true) {
        return Verdict::Blocked(Level::Bucket, exposed.ok());
    }
    match (exposed, account_flag, bucket_flag) {
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => Verdict::Unknown(error),
        _ => Verdict::Public,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let global = &cx.snapshot.global;
    let buckets = match global.buckets.get() {
        Ok(buckets) => buckets,
        Err(error) => {
            out.not_evaluated(GLOBAL, format!("arn:{}:s3:::*", cx.partition()), error);
            return;
        }
    };
    if buckets.is_empty() {
        out.pass(GLOBAL, cx.account_arn(), text!("the account has no S3 buckets", "S3 バケットはありません"));
        return;
    }
    let account_block = global.s3_account_public_access_block.get();
    for bucket in buckets {
        let region = if bucket.region.is_empty() { GLOBAL } else { bucket.region.as_str() };
        let bucket_block = bucket.public_access_block.get();
        let policy = judge(
            bucket.policy_is_public.get().map(|public| *public == Some(true)),
            account_block.map(|block| block.is_some_and(|block| block.restrict_public_buckets)),
            bucket_block.map(|block| block.is_some_and(|block| block.restrict_public_buckets)),
        );
        let grants = bucket.public_acl_grants.get();
        let acl = judge(
            grants.map(|grants| !grants.is_empty()),
            account_block.map(|block| block.is_some_and(|block| block.ignore_public_acls)),
            bucket_block.map(|block| block.is_some_and(|block| block.ignore_public_acls)),
        );
        let grant_list = grants.map(|grants| grants.join(", ")).unwrap_or_default();
        let name = &bucket.name;

        let mut public_en = Vec::new();
        let mut public_ja = Vec::new();
        if let Verdict::Public = policy {
            public_en.push("its bucket policy is public".to_owned());
            public_ja.push("バケットポリシーが公開されています".to_owned());
        }
        if let Verdict::Public = acl {
            public_en.push(format!("its ACL grants {grant_list}"));
            public_ja.push(format!("ACL が {grant_list} を許可しています"));
        }
        if !public_en.is_empty() {
            // The other path may be unknown; say so rather than hide it.
            for (verdict, what_en, what_ja) in
                [(&policy, "the bucket policy", "バケットポリシー"), (&acl, "the ACL", "ACL")]
            {
                if let Verdict::Unknown(error) = verdict {
                    public_en.push(format!("{what_en} could not be checked: {error}"));
                    public_ja.push(format!("{what_ja}は確認できませんでした: {error}"));
                }
            }
            let (en, ja) = (public_en.join("; "), public_ja.join("。"));
            out.fail(
                region,
                &bucket.arn,
                text!("bucket {name} is public: {en}", "バケット {name} は公開されています: {ja}"),
            );
            continue;
        }
        if let Verdict::Unknown(error) = policy {
            out.not_evaluated(region, &bucket.arn, error);
            continue;
        }
        if let Verdict::Unknown(error) = acl {
            out.not_evaluated(region, &bucket.arn, error);
            continue;
        }
        if let (Verdict::NotPublic, Verdict::NotPublic) = (&policy, &acl) {
            out.pass(
                region,
                &bucket.arn,
                text!(
                    "bucket {name} is private: no public bucket policy and no public ACL grant",
                    "バケット {name} は非公開です (公開バケットポリシーも公開 ACL もありません)"
                ),
            );
            continue;
        }
        let (policy_en, policy_ja) = match policy {
            Verdict::Blocked(level, Some(true)) => {
                let (en, ja) = (level.en(), level.ja());
                (
                    format!("its public bucket policy is blocked by {en} RestrictPublicBuckets"),
                    format!("公開バケットポリシーは{ja}の RestrictPublicBuckets でブロックされています"),
                )
            }
            Verdict::Blocked(level, _) => {
                let (en, ja) = (level.en(), level.ja());
                (
                    format!("any public bucket policy is blocked by {en} RestrictPublicBuckets"),
                    format!("公開バケットポリシーは{ja}の RestrictPublicBuckets でブロックされます"),
                )
            }
            _ => ("no public bucket policy".to_owned(), "公開バケットポリシーはありません".to_owned()),
        };
        let (acl_en, acl_ja) = match acl {
            Verdict::Blocked(level, Some(true)) => {
                let (en, ja) = (level.en(), level.ja());
                (
                    format!("its public ACL grants ({grant_list}) are ignored under {en} IgnorePublicAcls"),
                    format!("公開 ACL ({grant_list}) は{ja}の IgnorePublicAcls で無視されます"),
                )
            }
            Verdict::Blocked(level, _) => {
                let (en, ja) = (level.en(), level.ja());
                (
                    format!("any public ACL grant is ignored under {en} IgnorePublicAcls"),
                    format!("公開 ACL は{ja}の IgnorePublicAcls で無視されます"),
                )
            }
            _ => ("no public ACL grant".to_owned(), "公開 ACL はありません".to_owned()),
        };
        out.pass(
            region,
            &bucket.arn,
            text!(
                "bucket {name} is not public: {policy_en}; {acl_en}",
                "バケット {name} は公開されていません: {policy_ja}。{acl_ja}"
            ),
        );
    }
}
