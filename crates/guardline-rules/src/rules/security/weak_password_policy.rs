//! IAM-007.

use guardline_model::{Section, Severity};

use crate::context::GLOBAL;
use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// The account has an IAM password policy, and it meets the profile's `password-policy` minimums: a
    /// minimum length (default 14), symbols, numbers, upper- and lowercase letters, at most a maximum age
    /// when one is required (default: none), and reuse prevention of at least N previous passwords (default
    /// 24). Every shortfall is listed with the policy's value and the required one.
    ///
    /// ## Why it matters
    /// Without a policy, IAM applies its default: 8 characters from at least three of the four character
    /// types, with no reuse prevention. Short or reused passwords fall to guessing and to the leaks of other sites; MFA (IAM-003)
    /// is the second line, not a reason to skip the first.
    ///
    /// ## Guideline
    /// 2-5: Security Hub's IAM password policy check, which the seed's Security Hub review includes.
    ///
    /// ## How to fix
    /// Set a policy that meets the minimums:
    ///
    /// ```sh
    /// aws iam update-account-password-policy --minimum-password-length 14 --require-symbols \
    ///   --require-numbers --require-uppercase-characters --require-lowercase-characters \
    ///   --password-reuse-prevention 24 --allow-users-to-change-password
    /// ```
    ///
    /// ## Fix safety
    /// Needs review: existing passwords keep working, but users must meet the new policy at their next
    /// change, and a maximum age makes passwords expire (with `--hard-expiry`, users are locked out until an
    /// administrator resets them).
    ///
    /// ## References
    /// - CIS AWS Foundations 1.8, 1.9 (minimum length 14; reuse prevention)
    /// - AWS FSBP IAM.7
    ///
    /// ## 確認内容
    /// アカウントに IAM パスワードポリシーがあり、プロファイルの `password-policy` の最低基準を満たしていること。最小文字数
    /// (既定 14)、記号・数字・英大文字・英小文字の必須化、必須とされた場合の最長有効期間以下(既定: 要求なし)、直近 N 個
    /// 以上のパスワードの再利用禁止(既定 24)。不足する項目はすべて、ポリシーの値と必要な値とともに一覧します。
    ///
    /// ## 重要な理由
    /// ポリシーがなければ、IAM は既定の「4 種類の文字のうち 3 種類以上を使った 8 文字、再利用禁止なし」を適用します。短い
    /// パスワードや使い回したパスワードは、推測や他サイトの漏えいで破られます。MFA(IAM-003)は二つ目の防御線であり、
    /// 一つ目を省く理由にはなりません。
    ///
    /// ## ガイドライン
    /// 2-5: ガイドラインの Security Hub による監査に含まれる、IAM パスワードポリシーのチェック。
    ///
    /// ## 修正方法
    /// 最低基準を満たすポリシーを設定します。
    ///
    /// ```sh
    /// aws iam update-account-password-policy --minimum-password-length 14 --require-symbols \
    ///   --require-numbers --require-uppercase-characters --require-lowercase-characters \
    ///   --password-reuse-prevention 24 --allow-users-to-change-password
    /// ```
    ///
    /// ## 修正の安全性
    /// 要レビュー: 既存のパスワードは引き続き使えますが、ユーザーは次回の変更時に新しいポリシーを満たす必要があり、
    /// 最長有効期間を設定するとパスワードが期限切れになります(`--hard-expiry` を付けると、管理者がリセットするまで
    /// ユーザーはサインインできなくなります)。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 1.8、1.9(最小文字数 14、再利用禁止)
    /// - AWS FSBP IAM.7
    pub static RULE = {
        id: "IAM-007",
        name: "weak-password-policy",
        title: "A strong password policy is set",
        title_ja: "十分な強度のパスワードポリシーが設定されている",
        section: Section::Security,
        item: "2-5",
        severity: Severity::Medium,
        fix: FixAvailability::NeedsReview,
        remedy: Remedy {
            en: "Set a password policy at least as strict as the guideline's",
            ja: "ガイドライン以上に厳しいパスワードポリシーを設定する",
            command: None,
        },
        data: &["iam:GetAccountPasswordPolicy"],
        check: check,
        plan: Some(plan),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let policy = match cx.snapshot.global.password_policy.get() {
        Ok(Some(policy)) => policy,
        Ok(None) => {
            out.fail(
                GLOBAL,
                cx.account_arn(),
                text!("the account has no IAM password policy", "IAM パスワードポリシーが設定されていません"),
            );
            return;
        }
        Err(error) => {
            out.not_evaluated(GLOBAL, cx.account_arn(), error);
            return;
        }
    };
    let required = &cx.params.password_policy;
    let mut short: Vec<(String, String)> = Vec::new();
    let min = required.min_length;
    match policy.minimum_length {
        Some(length) if length >= min => {}
        Some(length) => short.push((
            format!("minimum length is {length} (required {min} or more)"),
            format!("最小文字数が {length} です (必要: {min} 以上)"),
        )),
        None => short.push((
            format!("no minimum length is set (required {min} or more)"),
            format!("最小文字数が設定されていません (必要: {min} 以上)"),
        )),
    }
    for (required, actual, en, ja) in [
        (required.require_symbols, policy.require_symbols, "symbols", "記号"),
        (required.require_numbers, policy.require_numbers, "numbers", "数字"),
        (required.require_uppercase, policy.require_uppercase, "uppercase letters", "大文字"),
        (required.require_lowercase, policy.require_lowercase, "lowercase letters", "小文字"),
    ] {
        if required && !actual {
            short.push((format!("{en} are not required"), format!("{ja}が必須になっていません")));
        }
    }
    if let Some(max) = required.max_age_days {
        match policy.max_age_days {
            Some(age) if age <= max => {}
            Some(age) => short.push((
                format!("passwords expire after {age} days (required {max} or fewer)"),
                format!("パスワードの有効期限が {age} 日です (必要: {max} 日以下)"),
            )),
            None => short.push((
                format!("passwords never expire (required: within {max} days)"),
                format!("パスワードに有効期限がありません (必要: {max} 日以内)"),
            )),
        }
    }
    if let Some(generations) = required.reuse_prevention {
        match policy.reuse_prevention {
            Some(remembered) if remembered >= generations => {}
            Some(remembered) => short.push((
                format!("reuse prevention remembers {remembered} passwords (required {generations} or more)"),
                format!("再利用禁止の世代数が {remembered} です (必要: {generations} 以上)"),
            )),
            None => short.push((
                format!("password reuse is allowed (required: prevent reuse of the last {generations})"),
                format!("パスワードの再利用が許可されています (必要: 直近 {generations} 世代の再利用禁止)"),
            )),
        }
    }
    if short.is_empty() {
        let length = policy.minimum_length.unwrap_or_default();
        out.pass(
            GLOBAL,
            cx.account_arn(),
            text!(
                "the IAM password policy meets the minimums (length {length}, required {min})",
                "IAM パスワードポリシーは基準を満たしています (最小文字数 {length}、基準 {min})"
            ),
        );
    } else {
        let en: Vec<String> = short.iter().map(|(en, _)| en.clone()).collect();
        let ja: Vec<String> = short.iter().map(|(_, ja)| ja.clone()).collect();
        let (en, ja) = (en.join("; "), ja.join("、"));
        out.fail(
            GLOBAL,
            cx.account_arn(),
            text!(
                "the IAM password policy is weaker than required: {en}",
                "IAM パスワードポリシーが基準を満たしていません: {ja}"
            ),
        );
    }
}

/// The profile's minimums as the account's policy.
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    let minimums = fix.cx.params.password_policy.clone();
    failing
        .iter()
        .map(|finding| Planned::Change {
            region: finding.region.clone(),
            action: FixAction::SetPasswordPolicy { minimums: minimums.clone() },
        })
        .collect()
}
