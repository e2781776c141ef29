//! IAM-006.

use guardline_model::{Section, Severity};
use jiff::Timestamp;

use super::helpers::{ago, date, days_en, days_since};
use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// No IAM user has gone unused for the profile's `unused-user-days` (default 90) or more. A user's last
    /// activity is the latest of its console sign-in (`password_last_used`) and the last use of its access
    /// keys (the credential report's key slots, and `iam:GetAccessKeyLastUsed` when collected). A user that
    /// was never used is measured from its creation. Ages are whole days before the snapshot was taken, so
    /// a user unused for exactly 90 days fails with the default.
    ///
    /// ## Why it matters
    /// A forgotten user is a credential nobody watches: when its password or key leaks, nobody notices the
    /// sign-in. People who left, one-off integrations and test users pile up unless someone removes them.
    ///
    /// ## Guideline
    /// 2-5: among the Security Hub checks the seed names: "are unused IAM users left behind?".
    ///
    /// ## How to fix
    /// Confirm with the user's owner that it is no longer needed, then remove its credentials and the user
    /// (the console's **Delete user** does every step):
    ///
    /// ```sh
    /// aws iam delete-login-profile --user-name bob
    /// aws iam list-access-keys --user-name bob
    /// aws iam delete-access-key --user-name bob --access-key-id AKIAIOSFODNN7EXAMPLE
    /// aws iam delete-user --user-name bob
    /// ```
    ///
    /// (`delete-user` also requires removing the user's MFA devices, groups and policies first.)
    ///
    /// ## Fix safety
    /// Manual only: deleting a user cannot be undone, and a rarely used user may still be needed (a yearly
    /// job, a break-glass account).
    ///
    /// ## References
    /// - CIS AWS Foundations 1.12 (credentials unused for 45 days or greater are disabled)
    /// - AWS FSBP IAM.8, IAM.22
    ///
    /// ## 確認内容
    /// プロファイルの `unused-user-days`(既定 90)日以上使われていない IAM ユーザーがいないこと。ユーザーの最終アクティビティ
    /// は、コンソールへのサインイン(`password_last_used`)とアクセスキーの最終使用(認証情報レポートのキー枠、および収集
    /// していれば `iam:GetAccessKeyLastUsed`)のうち最も新しいものです。一度も使われていないユーザーは作成日から数えます。
    /// 経過日数はスナップショット取得時点までの満日数なので、既定値ではちょうど 90 日使われていないユーザーが不合格になります。
    ///
    /// ## 重要な理由
    /// 忘れられたユーザーは、誰も見ていない認証情報です。そのパスワードやキーが漏えいしても、サインインに誰も気づきません。
    /// 退職者、一度きりの連携、テスト用ユーザーは、誰かが削除しない限り溜まっていきます。
    ///
    /// ## ガイドライン
    /// 2-5: ガイドラインが挙げる Security Hub の監査項目の一つ「使用されていない IAM ユーザーが放置されていないか」。
    ///
    /// ## 修正方法
    /// ユーザーの持ち主にもう不要であることを確認してから、認証情報とユーザーを削除します(コンソールの **ユーザーの削除**
    /// (Delete user)ならすべての手順を行います)。
    ///
    /// ```sh
    /// aws iam delete-login-profile --user-name bob
    /// aws iam list-access-keys --user-name bob
    /// aws iam delete-access-key --user-name bob --access-key-id AKIAIOSFODNN7EXAMPLE
    /// aws iam delete-user --user-name bob
    /// ```
    ///
    /// (`delete-user` の前に、ユーザーの MFA デバイス、グループ、ポリシーも外す必要があります。)
    ///
    /// ## 修正の安全性
    /// 手動のみ: ユーザーの削除は元に戻せず、めったに使われないユーザーもまだ必要なことがあります(年に一度のジョブ、
    /// 緊急時用のアカウントなど)。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 1.12(45 日以上使われていない認証情報は無効化する)
    /// - AWS FSBP IAM.8、IAM.22
    pub static RULE = {
        id: "IAM-006",
        name: "unused-iam-user",
        title: "No IAM user is left unused",
        title_ja: "長期間使われていない IAM ユーザーがない",
        section: Section::Security,
        item: "2-5",
        severity: Severity::Medium,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Delete or disable the IAM users unused beyond the limit",
            ja: "期限を超えて使われていない IAM ユーザーを削除か無効化する",
            command: None,
        },
        data: &["iam:GetCredentialReport", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed"],
        check: check,
        plan: None,
    }
}

/// What a user last did.
enum Activity {
    SignIn,
    KeySlot(u8),
    Key(String),
}

impl Activity {
    fn en(&self) -> String {
        match self {
            Activity::SignIn => "console sign-in".to_owned(),
            Activity::KeySlot(slot) => format!("access key {slot}"),
            Activity::Key(id) => format!("access key {id}"),
        }
    }

    fn ja(&self) -> String {
        match self {
            Activity::SignIn => "コンソールへのサインイン".to_owned(),
            Activity::KeySlot(slot) => format!("アクセスキー {slot} の使用"),
            Activity::Key(id) => format!("アクセスキー {id} の使用"),
        }
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let report = match cx.snapshot.global.credential_report.get() {
        Ok(report) => report,
        Err(error) => {
            out.not_evaluated(GLOBAL, cx.account_arn(), error);
            return;
        }
    };
    let keys = cx.snapshot.global.access_keys.get().ok();
    let now = cx.now();
    let limit = i64::from(cx.params.unused_user_days);
    // Each user's keys, indexed once: looking them up per user would be quadratic in large accounts.
    let mut keys_by_user: std::collections::HashMap<&str, Vec<_>> = std::collections::HashMap::new();
    for key in keys.into_iter().flatten() {
        keys_by_user.entry(key.user_arn.as_str()).or_default().push(key);
    }
    for user in &report.users {
        let mut last: Option<(Timestamp, Activity)> = None;
        let mut note = |at: Option<Timestamp>, what: Activity| {
            if let Some(at) = at
                && last.as_ref().is_none_or(|(latest, _)| at > *latest)
            {
                last = Some((at, what));
            }
        };
        note(user.password_last_used, Activity::SignIn);
        for slot in &user.access_keys {
            note(slot.last_used, Activity::KeySlot(slot.slot));
        }
        for key in keys_by_user.get(user.arn.as_str()).into_iter().flatten() {
            note(key.last_used, Activity::Key(key.access_key_id.clone()));
        }
        let name = &user.user;
        match last {
            Some((at, what)) => {
                let (days, day, what_en, what_ja) = (days_since(now, at), date(at), what.en(), what.ja());
                let (ago, ago_ja) = ago(days);
                let (for_days, limit_days) = (days_en(days), days_en(limit));
                if days >= limit {
                    out.fail(
                        GLOBAL,
                        &user.arn,
                        text!(
                            "user {name} has not been used for {for_days} (last activity {day}: {what_en}; \
                             limit {limit_days})",
                            "ユーザー {name} は {days} 日間使われていません (最終利用 {day}: {what_ja}。\
                             上限 {limit} 日)"
                        ),
                    );
                } else {
                    out.pass(
                        GLOBAL,
                        &user.arn,
                        text!(
                            "user {name} was last used {ago} ({day}: {what_en})",
                            "ユーザー {name} の最終利用: {day} ({ago_ja}、{what_ja})"
                        ),
                    );
                }
            }
            None => match user.created {
                Some(created) => {
                    let (days, day) = (days_since(now, created), date(created));
                    let (ago, ago_ja) = ago(days);
                    let limit_days = days_en(limit);
                    if days >= limit {
                        out.fail(
                            GLOBAL,
                            &user.arn,
                            text!(
                                "user {name} has never been used since its creation on {day}, {ago} \
                                 (limit {limit_days})",
                                "ユーザー {name} は {day} の作成から {days} 日間一度も使われていません (上限 {limit} 日)"
                            ),
                        );
                    } else {
                        out.pass(
                            GLOBAL,
                            &user.arn,
                            text!(
                                "user {name} was created {ago} ({day}) and has not been used yet",
                                "ユーザー {name} は {day} に作成され ({ago_ja})、まだ使われていません"
                            ),
                        );
                    }
                }
                None => out.not_evaluated_because(
                    GLOBAL,
                    &user.arn,
                    text!(
                        "could not be evaluated: user {name} has no recorded activity and the credential report \
                         gives no creation date",
                        "評価できません: ユーザー {name} には利用記録がなく、認証情報レポートに作成日もありません"
                    ),
                ),
            },
        }
    }
    if report.users.is_empty() {
        out.pass(GLOBAL, cx.account_arn(), text!("the account has no IAM users", "IAM ユーザーはいません"));
    }
}
