//! IAM-004.

use guardline_model::{Section, Severity, Text};

use super::helpers::{ago, both_missing, date, days_since, error_text, report_age};
use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// The root user has no active access key. The account summary's `AccountAccessKeysPresent`
    /// (`iam:GetAccountSummary`, live) says whether the root user has any key; when it has one, the credential
    /// report's `<root_account>` row (its two access key slots) says which are active. IAM reuses a credential
    /// report for up to four hours, so:
    ///
    /// - no key in the summary passes, whatever an older report says;
    /// - a key in the summary that the report does not show was created after the report: it fails (a new key
    ///   is active);
    /// - without the summary, the report decides and the message says how old it is; without a root row, any
    ///   root key in the summary fails (active or not is unknown);
    /// - in an organisation scan under centralised root access, the management account's audit of the
    ///   member's root in a root session (`sts:AssumeRoot`, `iam:ListAccessKeys`) decides.
    ///
    /// ## Why it matters
    /// A root access key is a permanent, unrestrictable credential for the whole account: no policy, no
    /// permission boundary and no SCP applies to it. Leaked keys are among the most common causes of AWS
    /// incidents, and a leaked root key is the worst case.
    ///
    /// ## Guideline
    /// 2-2: access keys are not enabled at all; the AWS CLI runs on an EC2 instance with an instance role.
    ///
    /// ## How to fix
    /// Find out what uses the key (its last use is in the credential report), move that to a role, then
    /// sign in as the root user and delete the key under **Security credentials**. To check:
    ///
    /// ```sh
    /// aws iam get-account-summary --query 'SummaryMap.AccountAccessKeysPresent'
    /// ```
    ///
    /// ## Fix safety
    /// Manual only: only the root user can delete its keys, and whatever still uses the key stops working.
    ///
    /// ## References
    /// - CIS AWS Foundations 1.4 (no root user access key exists)
    /// - AWS FSBP IAM.4
    ///
    /// ## 確認内容
    /// ルートユーザーに有効なアクセスキーがないこと。アカウントサマリーの `AccountAccessKeysPresent`
    /// (`iam:GetAccountSummary`。最新の状態)でルートユーザーがキーを持つかを調べ、持っている場合は認証情報レポートの
    /// `<root_account>` 行(2 つのアクセスキー枠)でどれが有効かを調べます。IAM は認証情報レポートを最大 4 時間再利用する
    /// ため、次のように判定します。
    ///
    /// - サマリーにキーがなければ、古いレポートの内容にかかわらず合格です。
    /// - サマリーにはあるがレポートにないキーは、レポートの後に作成されたものです。不合格です(新しいキーは有効です)。
    /// - サマリーがなければレポートで判定し、メッセージでレポートの古さを示します。ルートの行がなければ、サマリーにある
    ///   ルートのキーは(有効かどうか分からないため)不合格です。
    /// - ルートアクセスを一元管理している組織のスキャンでは、管理アカウントがメンバーのルートをルートセッション
    ///   (`sts:AssumeRoot`、`iam:ListAccessKeys`)で監査した結果で判定します。
    ///
    /// ## 重要な理由
    /// ルートのアクセスキーは、アカウント全体に対する期限のない、制限できない認証情報です。ポリシーも権限境界も SCP も
    /// 適用されません。アクセスキーの漏えいは AWS のインシデントで最も多い原因の一つであり、ルートのキーの漏えいは最悪の
    /// 事態です。
    ///
    /// ## ガイドライン
    /// 2-2: そもそもアクセスキーは有効にしない。AWS CLI はインスタンスロールを持つ EC2 インスタンス上で使う。
    ///
    /// ## 修正方法
    /// キーを何が使っているかを調べ(最終使用は認証情報レポートにあります)、それをロールに移行してから、ルートユーザーで
    /// サインインし、**セキュリティ認証情報**でキーを削除します。確認するには次のようにします。
    ///
    /// ```sh
    /// aws iam get-account-summary --query 'SummaryMap.AccountAccessKeysPresent'
    /// ```
    ///
    /// ## 修正の安全性
    /// 手動のみ: ルートのキーを削除できるのはルートユーザーだけであり、まだそのキーを使っているものは動かなくなります。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 1.4(ルートユーザーのアクセスキーが存在しない)
    /// - AWS FSBP IAM.4
    pub static RULE = {
        id: "IAM-004",
        name: "root-access-key",
        title: "The root user has no active access key",
        title_ja: "ルートユーザーに有効なアクセスキーがない",
        section: Section::Security,
        item: "2-2",
        severity: Severity::Critical,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Delete the root user's access keys",
            ja: "ルートユーザーのアクセスキーを削除する",
            command: None,
        },
        data: &["iam:GetAccountSummary", "iam:GetCredentialReport"],
        check: check,
        plan: None,
    }
}

/// What the credential report's root row says about the root user's keys.
struct RootKeys {
    /// Active keys, described (slot, creation, last use).
    active: Vec<(String, String)>,
    /// Slots of inactive keys.
    inactive: Vec<String>,
}

fn root_keys(cx: &Context<'_>) -> Result<RootKeys, Text> {
    let report = cx.snapshot.global.credential_report.get().map_err(error_text)?;
    let root = report.root.as_ref().ok_or_else(|| {
        Text::new("the credential report has no root row", "認証情報レポートにルートユーザーの行がありません")
    })?;
    let now = cx.now();
    let mut keys = RootKeys { active: Vec::new(), inactive: Vec::new() };
    for key in &root.access_keys {
        let slot = key.slot;
        if !key.active {
            keys.inactive.push(format!("{slot}"));
            continue;
        }
        let (rotated, rotated_ja) = match key.last_rotated {
            Some(at) => {
                let (day, (ago, ago_ja)) = (date(at), ago(days_since(now, at)));
                (format!("created {day} ({ago})"), format!("作成 {day} ({ago_ja})"))
            }
            None => ("creation date unknown".to_owned(), "作成日不明".to_owned()),
        };
        let (used, used_ja) = match key.last_used {
            Some(at) => {
                let (day, (ago, ago_ja)) = (date(at), ago(days_since(now, at)));
                (format!("last used {day} ({ago})"), format!("最終使用 {day} ({ago_ja})"))
            }
            None => ("never used".to_owned(), "使用履歴なし".to_owned()),
        };
        keys.active.push((
            format!("slot {slot}, {rotated}, {used}"),
            format!("スロット {slot}、{rotated_ja}、{used_ja}"),
        ));
    }
    Ok(keys)
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let global = &cx.snapshot.global;
    // A root session's audit (organisation scans under centralised root access) is live and complete.
    if let Ok(credentials) = global.root_credentials.get() {
        let inactive = credentials.inactive_access_keys.join(", ");
        if credentials.active_access_keys.is_empty() {
            let (inactive_en, inactive_ja) = if inactive.is_empty() {
                (String::new(), String::new())
            } else {
                (
                    format!("; the inactive key {inactive} should still be deleted"),
                    format!("。無効化されたキー {inactive} も削除してください"),
                )
            };
            out.pass(
                GLOBAL,
                cx.account_arn(),
                text!(
                    "the root user has no active access key (audited from the management account in a root \
                     session){inactive_en}",
                    "ルートユーザーに有効なアクセスキーはありません (管理アカウントからルートセッションで確認){inactive_ja}"
                ),
            );
        } else {
            let active = credentials.active_access_keys.join(", ");
            out.fail(
                GLOBAL,
                cx.account_arn(),
                text!(
                    "the root user has an active access key: {active} (audited from the management account in a \
                     root session; delete it there with the IAMDeleteRootUserCredentials task)",
                    "ルートユーザーに有効なアクセスキーがあります: {active} (管理アカウントからルートセッションで確認。\
                     IAMDeleteRootUserCredentials タスクで削除してください)"
                ),
            );
        }
        return;
    }
    let generated_at = global.credential_report.get().ok().and_then(|report| report.generated_at);
    let (age_en, age_ja) = report_age(cx.now(), generated_at);
    let report = root_keys(cx);
    let summary = global.account_summary.get();
    // The account summary is live; the report may be up to four hours old. The summary says whether any
    // root key exists, the report which ones are active.
    match (summary, report) {
        (Ok(summary), _) if !summary.root_access_keys_present => out.pass(
            GLOBAL,
            cx.account_arn(),
            text!(
                "the root user has no access key (account summary)",
                "ルートユーザーにアクセスキーはありません (アカウントサマリー)"
            ),
        ),
        (_, Ok(keys)) if !keys.active.is_empty() => {
            let en: Vec<String> = keys.active.iter().map(|(en, _)| en.clone()).collect();
            let ja: Vec<String> = keys.active.iter().map(|(_, ja)| ja.clone()).collect();
            let (en, ja) = (en.join("; "), ja.join("。"));
            out.fail(
                GLOBAL,
                cx.account_arn(),
                text!(
                    "the root user has an active access key: {en} (credential report {age_en})",
                    "ルートユーザーに有効なアクセスキーがあります: {ja} (認証情報レポート {age_ja})"
                ),
            );
        }
        (Ok(_), Ok(keys)) if !keys.inactive.is_empty() => {
            let slots = keys.inactive.join(", ");
            out.pass(
                GLOBAL,
                cx.account_arn(),
                text!(
                    "the root user has no active access key (the inactive key in slot {slots} should still be \
                     deleted; credential report {age_en})",
                    "ルートユーザーに有効なアクセスキーはありません (スロット {slots} の無効化されたキーも削除して\
                     ください。認証情報レポート {age_ja})"
                ),
            );
        }
        (Ok(_), Ok(_)) => out.fail(
            GLOBAL,
            cx.account_arn(),
            text!(
                "the root user has an access key (account summary AccountAccessKeysPresent) created after the \
                 credential report {age_en}, which shows none: a new key is active",
                "ルートユーザーにアクセスキーがあります (アカウントサマリーの AccountAccessKeysPresent)。\
                 認証情報レポート {age_ja} には載っていないため、レポート作成後に作られた有効なキーです"
            ),
        ),
        (Ok(_), Err(why)) => {
            let (why_en, why_ja) = (&why.en, &why.ja);
            out.fail(
                GLOBAL,
                cx.account_arn(),
                text!(
                    "the root user has an access key (account summary AccountAccessKeysPresent; whether it is \
                     active is unknown: {why_en})",
                    "ルートユーザーにアクセスキーがあります (アカウントサマリーの AccountAccessKeysPresent による。\
                     有効かどうかは不明です: {why_ja})"
                ),
            );
        }
        (Err(error), Ok(keys)) => {
            let inactive = if keys.inactive.is_empty() {
                Text::new("", "")
            } else {
                let slots = keys.inactive.join(", ");
                text!("; the inactive key in slot {slots} should still be deleted", "。スロット {slots} の無効化されたキーも削除してください")
            };
            let (inactive_en, inactive_ja) = (&inactive.en, &inactive.ja);
            out.pass(
                GLOBAL,
                cx.account_arn(),
                text!(
                    "the root user has no active access key (credential report {age_en}; the account summary \
                     could not be read: {error}){inactive_en}",
                    "ルートユーザーに有効なアクセスキーはありません (認証情報レポート {age_ja}。アカウントサマリーは\
                     取得できませんでした: {error}){inactive_ja}"
                ),
            );
        }
        (Err(error), Err(why)) => out.not_evaluated_because(GLOBAL, cx.account_arn(), both_missing(&why, error)),
    }
}
