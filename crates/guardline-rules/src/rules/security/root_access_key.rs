//! IAM-004.

use guardline_model::{Section, Severity, Text};

use super::helpers::{ago, both_missing, date, days_since, error_text};
use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability};

declare_rule! {
    /// ## What it checks
    /// The root user has no active access key. The credential report's `<root_account>` row (its two access
    /// key slots) decides; when the report has no root row, the account summary's `AccountAccessKeysPresent`
    /// does (it cannot tell active from inactive keys, so any root key fails then).
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
    pub static RULE = {
        id: "IAM-004",
        name: "root-access-key",
        title: "The root user has no active access key",
        title_ja: "ルートユーザーに有効なアクセスキーがない",
        section: Section::Security,
        item: "2-2",
        severity: Severity::Critical,
        fix: FixAvailability::ManualOnly,
        data: &["iam:GetCredentialReport", "iam:GetAccountSummary"],
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let global = &cx.snapshot.global;
    let report_problem = match global.credential_report.get() {
        Ok(report) => match &report.root {
            Some(root) => {
                let now = cx.now();
                let mut active = Vec::new();
                let mut inactive = Vec::new();
                for key in &root.access_keys {
                    let slot = key.slot;
                    if !key.active {
                        // An inactive slot that was never rotated holds no key.
                        if key.last_rotated.is_some() {
                            inactive.push(format!("{slot}"));
                        }
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
                    active.push((
                        format!("slot {slot}, {rotated}, {used}"),
                        format!("スロット {slot}、{rotated_ja}、{used_ja}"),
                    ));
                }
                if active.is_empty() {
                    if inactive.is_empty() {
                        out.pass(
                            GLOBAL,
                            cx.account_arn(),
                            text!(
                                "the root user has no access key",
                                "ルートユーザーにアクセスキーはありません"
                            ),
                        );
                    } else {
                        let slots = inactive.join(", ");
                        out.pass(
                            GLOBAL,
                            cx.account_arn(),
                            text!(
                                "the root user has no active access key (the inactive key in slot {slots} should still be deleted)",
                                "ルートユーザーに有効なアクセスキーはありません (スロット {slots} の無効化されたキーも削除してください)"
                            ),
                        );
                    }
                } else {
                    let en: Vec<String> = active.iter().map(|(en, _)| en.clone()).collect();
                    let ja: Vec<String> = active.iter().map(|(_, ja)| ja.clone()).collect();
                    let (en, ja) = (en.join("; "), ja.join("。"));
                    out.fail(
                        GLOBAL,
                        cx.account_arn(),
                        text!(
                            "the root user has an active access key: {en}",
                            "ルートユーザーに有効なアクセスキーがあります: {ja}"
                        ),
                    );
                }
                return;
            }
            None => Text::new(
                "the credential report has no root row",
                "認証情報レポートにルートユーザーの行がありません",
            ),
        },
        Err(error) => error_text(error),
    };
    match global.account_summary.get() {
        Ok(summary) if summary.root_access_keys_present => {
            let (why_en, why_ja) = (&report_problem.en, &report_problem.ja);
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
        Ok(_) => out.pass(
            GLOBAL,
            cx.account_arn(),
            text!(
                "the root user has no access key (account summary)",
                "ルートユーザーにアクセスキーはありません (アカウントサマリー)"
            ),
        ),
        Err(error) => {
            out.not_evaluated_because(GLOBAL, cx.account_arn(), both_missing(&report_problem, error))
        }
    }
}
