//! IAM-005.

use std::collections::{BTreeMap, BTreeSet};

use guardline_model::inventory::iam::{AccessKey, EveryUserReason, KeyListing};
use guardline_model::{CollectError, Section, Severity, Text};
use jiff::Timestamp;

use super::helpers::{ago, date, days_since, report_age};
use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// No IAM user has an active access key. Each active key fails on its own, with its age and its last use
    /// (date, service, region: the report's key column, or `iam:GetAccessKeyLastUsed` where the report
    /// cannot say), so that the owner can tell what still depends on it. Inactive keys do not fail. Each user
    /// of the credential report without an active key passes.
    ///
    /// Keys are listed live (`iam:ListAccessKeys`) for every user whose credential report row shows a key,
    /// who has no row, or for whom CloudTrail's event history (`cloudtrail:LookupEvents`) shows a
    /// `CreateAccessKey` since the report was generated: IAM reuses a report for up to four hours, so a
    /// key created since is in no row. A user that none of these names passes on the report, and the
    /// message gives the report's age; when the event history cannot be read, every user's keys are listed
    /// and the message says why. CloudTrail delivers events within minutes, not instantly: a key created in
    /// the last minutes before the scan, for a user whose row shows none, may only be seen by the next scan.
    ///
    /// Each failure names its key as the finding's subject: an exception with `subject = "AKIA..."` accepts
    /// that key only, so a key created later for the same user fails on its own (an exception without
    /// `subject` accepts every key of the user, and the report says so).
    ///
    /// ## Why it matters
    /// An access key is a long-lived secret that ends up in shell histories, dotfiles, CI settings and,
    /// sooner or later, in a public repository. Leaked keys are among the most common causes of AWS
    /// incidents. Role credentials (an instance role, IAM Identity Center, `sts:AssumeRole`) expire on
    /// their own.
    ///
    /// ## Guideline
    /// 2-2: "don't enable access keys at all; if you want the AWS CLI, create an EC2 instance for it" and run
    /// the CLI there with the instance role.
    ///
    /// ## How to fix
    /// Move whatever uses the key to a role (the CLI instance of 2-2, or an instance, task or function
    /// role), then deactivate the key, wait to see that nothing breaks, and delete it:
    ///
    /// ```sh
    /// aws iam update-access-key --user-name alice --access-key-id AKIAIOSFODNN7EXAMPLE --status Inactive
    /// aws iam delete-access-key --user-name alice --access-key-id AKIAIOSFODNN7EXAMPLE
    /// ```
    ///
    /// ## Fix safety
    /// Manual only: whatever still signs requests with the key stops working when it is deactivated; the
    /// key's last use shows where to look first.
    ///
    /// ## References
    /// - CIS AWS Foundations 1.11, 1.14 (no access keys at initial setup; keys rotated every 90 days)
    /// - AWS FSBP IAM.3
    ///
    /// ## 確認内容
    /// どの IAM ユーザーにも有効なアクセスキーがないこと。有効なキーはそれぞれ個別に不合格となり、キーの経過日数と最終使用
    /// (日付、サービス、リージョン。レポートのキーの列、レポートで分からない場合は `iam:GetAccessKeyLastUsed`)を示すため、
    /// 持ち主はまだ何がそのキーに依存しているかが分かります。無効なキーは不合格になりません。認証情報レポートのユーザーで
    /// 有効なキーを持たないものは、それぞれ合格です。
    ///
    /// キーは、認証情報レポートの行にキーがあるユーザー、行がないユーザー、またはレポートの生成後に CloudTrail のイベント
    /// 履歴(`cloudtrail:LookupEvents`)に `CreateAccessKey` があるユーザーについて、最新の状態を一覧します
    /// (`iam:ListAccessKeys`)。IAM はレポートを最大 4 時間再利用するため、その後に作成されたキーはどの行にも載っていない
    /// からです。これらのどれにも当たらないユーザーはレポートに基づいて合格とし、メッセージでレポートの古さを示します。
    /// イベント履歴を読めないときは全ユーザーのキーを一覧し、その理由をメッセージで伝えます。CloudTrail はイベントを即座では
    /// なく数分以内に配信するため、行にキーのないユーザーにスキャン直前の数分間で作成されたキーは、次のスキャンまで
    /// 見えないことがあります。
    ///
    /// 不合格はそれぞれ、キーを検出結果のサブジェクトとして名指しします。`subject = "AKIA..."` を指定した例外はそのキーだけを
    /// 受け入れるため、同じユーザーに後から作成されたキーは個別に不合格になります(`subject` のない例外はそのユーザーの
    /// すべてのキーを受け入れ、レポートにもそう表示されます)。
    ///
    /// ## 重要な理由
    /// アクセスキーは長期間有効なシークレットで、シェルの履歴、設定ファイル、CI の設定に入り込み、遅かれ早かれ公開
    /// リポジトリにも入ってしまいます。アクセスキーの漏えいは AWS のインシデントで最も多い原因の一つです。ロールの認証情報
    /// (インスタンスロール、IAM Identity Center、`sts:AssumeRole`)は自動的に失効します。
    ///
    /// ## ガイドライン
    /// 2-2:「そもそもアクセスキーは有効にしない。AWS CLI を使用したいのであればそれ用の EC2 インスタンスを作成するべき」。
    /// CLI はそのインスタンス上でインスタンスロールを使って実行します。
    ///
    /// ## 修正方法
    /// キーを使っているものをロール(2-2 の CLI 用インスタンス、またはインスタンス・タスク・関数のロール)に移行し、キーを
    /// 無効化して何も壊れないことを見届けてから削除します。
    ///
    /// ```sh
    /// aws iam update-access-key --user-name alice --access-key-id AKIAIOSFODNN7EXAMPLE --status Inactive
    /// aws iam delete-access-key --user-name alice --access-key-id AKIAIOSFODNN7EXAMPLE
    /// ```
    ///
    /// ## 修正の安全性
    /// 手動のみ: まだそのキーでリクエストに署名しているものは、キーを無効化すると動かなくなります。キーの最終使用が、
    /// まず調べるべき場所を示します。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 1.11、1.14(初期設定時にアクセスキーを作らない。キーを 90 日ごとにローテーションする)
    /// - AWS FSBP IAM.3
    pub static RULE = {
        id: "IAM-005",
        name: "user-access-key",
        title: "IAM users have no active access key",
        title_ja: "IAM ユーザーに有効なアクセスキーがない",
        section: Section::Security,
        item: "2-2",
        severity: Severity::High,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Replace users' access keys with roles (OIDC, IAM Identity Center), then delete the keys",
            ja: "アクセスキーをロール（OIDC、IAM Identity Center）に置き換え、キーを削除する",
            command: None,
        },
        data: &[
            "iam:ListUsers",
            "iam:ListAccessKeys",
            "iam:GetAccessKeyLastUsed",
            "iam:GetCredentialReport",
            "cloudtrail:LookupEvents",
        ],
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let keys = match cx.snapshot.global.access_keys.get() {
        Ok(keys) => keys,
        Err(error) => {
            out.not_evaluated(GLOBAL, cx.account_arn(), error);
            return;
        }
    };
    let now = cx.now();
    let mut with_active_key = BTreeSet::new();
    // User ARN -> (name, inactive key IDs).
    let mut without_active_key: BTreeMap<&str, (&str, Vec<&str>)> = BTreeMap::new();
    for key in keys {
        if key.active {
            with_active_key.insert(key.user_arn.as_str());
            fail_key(out, key, now);
        } else {
            without_active_key
                .entry(&key.user_arn)
                .or_insert_with(|| (&key.user_name, Vec::new()))
                .1
                .push(&key.access_key_id);
        }
    }
    // Every user of the credential report, so that users with no key at all pass too. Those whose keys were
    // not listed rely on the report (and on CloudTrail's record of keys created since).
    let mut relies_on_report = BTreeSet::new();
    let listing = cx.snapshot.global.access_key_listing.get();
    if let Ok(report) = cx.snapshot.global.credential_report.get() {
        for user in &report.users {
            without_active_key.entry(&user.arn).or_insert_with(|| (&user.user, Vec::new()));
            let listed = listing
                .is_ok_and(|listing| listing.every_user || listing.created_since_report.contains(&user.user));
            if user.access_keys.is_empty() && !listed {
                relies_on_report.insert(user.arn.as_str());
            }
        }
    }
    let basis = basis(cx);
    for (arn, (name, inactive)) in &without_active_key {
        if with_active_key.contains(arn) {
            continue;
        }
        if inactive.is_empty() && relies_on_report.contains(arn) {
            match &basis {
                Ok(basis) => {
                    let (basis_en, basis_ja) = (&basis.en, &basis.ja);
                    out.pass(
                        GLOBAL,
                        *arn,
                        text!(
                            "user {name} has no access key ({basis_en})",
                            "ユーザー {name} にアクセスキーはありません ({basis_ja})"
                        ),
                    );
                }
                Err(error) => out.not_evaluated_because(
                    GLOBAL,
                    *arn,
                    text!(
                        "could not be evaluated: user {name} has no key in the credential report, but whether a \
                         key was created since is unknown ({error})",
                        "評価できません: ユーザー {name} は認証情報レポートにキーがありませんが、その後キーが作成されたか\
                         不明です ({error})"
                    ),
                ),
            }
        } else if inactive.is_empty() {
            let because = every_user_because(cx);
            let (because_en, because_ja) = (&because.en, &because.ja);
            out.pass(
                GLOBAL,
                *arn,
                text!(
                    "user {name} has no access key{because_en}",
                    "ユーザー {name} にアクセスキーはありません{because_ja}"
                ),
            );
        } else {
            let ids = inactive.join(", ");
            out.pass(
                GLOBAL,
                *arn,
                text!(
                    "user {name} has no active access key (inactive: {ids})",
                    "ユーザー {name} に有効なアクセスキーはありません (無効化済み: {ids})"
                ),
            );
        }
    }
    if with_active_key.is_empty() && without_active_key.is_empty() {
        out.pass(
            GLOBAL,
            cx.account_arn(),
            text!("no IAM user has an access key", "アクセスキーを持つ IAM ユーザーはいません"),
        );
    }
}

/// What a user without a key in the credential report relies on: the report's age, and CloudTrail's record
/// of the keys created since (`Err`: how the keys were read is unknown).
fn basis<'a>(cx: &Context<'a>) -> Result<Text, &'a CollectError> {
    let listing = cx.snapshot.global.access_key_listing.get()?;
    let (age_en, age_ja) = report_age(cx.now(), listing.report_generated_at);
    Ok(text!(
        "credential report {age_en}; CloudTrail's event history shows no key created for the user since",
        "認証情報レポート {age_ja}。CloudTrail のイベント履歴にもその後のキー作成はありません"
    ))
}

/// Why every user's keys were listed although a credential report exists, as a message suffix ("" when they
/// were not, or when there is no report).
fn every_user_because(cx: &Context<'_>) -> Text {
    let Ok(KeyListing { every_user: true, every_user_because: Some(because), .. }) =
        cx.snapshot.global.access_key_listing.get()
    else {
        return Text::new("", "");
    };
    match because {
        EveryUserReason::ReportHasNoTime => text!(
            " (every user's keys were listed: the credential report has no generation time)",
            " (全ユーザーのキーを一覧しました: 認証情報レポートに作成時刻がありません)"
        ),
        EveryUserReason::ReportOlderThanEventHistory => text!(
            " (every user's keys were listed: the credential report is older than CloudTrail's 90 days of event \
             history)",
            " (全ユーザーのキーを一覧しました: 認証情報レポートが CloudTrail のイベント履歴 (90 日) より古いため)"
        ),
        EveryUserReason::EventHistoryUnreadable { error } => {
            let (action, kind) = (&error.action, error.kind.label());
            let code = error.code.as_deref().map(|code| format!(", {code}")).unwrap_or_default();
            text!(
                " (every user's keys were listed: CloudTrail's event history could not be read, {action} {kind}{code})",
                " (全ユーザーのキーを一覧しました: CloudTrail のイベント履歴を読めませんでした。{action} {kind}{code})"
            )
        }
    }
}

fn fail_key(out: &mut Findings, key: &AccessKey, now: Timestamp) {
    let (name, id) = (&key.user_name, &key.access_key_id);
    let (created_en, created_ja) = match key.created {
        Some(at) => {
            let (day, (ago, ago_ja)) = (date(at), ago(days_since(now, at)));
            (format!("created {day} ({ago})"), format!("{day} 作成 ({ago_ja})"))
        }
        None => ("creation date unknown".to_owned(), "作成日不明".to_owned()),
    };
    let (used_en, used_ja) = match key.last_used {
        Some(at) => {
            let (day, (ago, ago_ja)) = (date(at), ago(days_since(now, at)));
            let (by, by_ja) = match (key.last_used_service.as_deref(), key.last_used_region.as_deref()) {
                (Some(service), Some(region)) => {
                    (format!(" by {service} in {region}"), format!("、{region} の {service}"))
                }
                (Some(service), None) => (format!(" by {service}"), format!("、{service}")),
                (None, Some(region)) => (format!(" in {region}"), format!("、{region}")),
                (None, None) => (String::new(), String::new()),
            };
            (format!("last used {day} ({ago}){by}"), format!("最終使用 {day} ({ago_ja}{by_ja})"))
        }
        None => ("never used".to_owned(), "使用履歴なし".to_owned()),
    };
    out.fail_about(
        GLOBAL,
        &key.user_arn,
        id,
        text!(
            "user {name} has active access key {id}, {created_en}, {used_en}",
            "ユーザー {name} に有効なアクセスキー {id} があります: {created_ja}、{used_ja}"
        ),
    );
}
