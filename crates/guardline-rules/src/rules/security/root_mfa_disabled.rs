//! IAM-001.

use guardline_model::{Section, Severity};

use super::helpers::{root_mfa, root_without_credentials};
use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// The root user has MFA. The state is read from the account summary's `AccountMFAEnabled`
    /// (`iam:GetAccountSummary`), which is live; only when it cannot be read, from the credential report's
    /// `<root_account>` row (`mfa_active`), and the message then says how old the report is: IAM reuses a
    /// report for up to four hours, so a root user who removed its MFA since would still look protected.
    ///
    /// In an organisation scan under centralised root access, the management account audits each member's
    /// root in a root session (`sts:AssumeRoot`); a root with no credentials at all (no password, key, MFA
    /// device or certificate) passes: it is the best state, not a root without MFA.
    ///
    /// ## Why it matters
    /// The root user can do everything, including closing the account and changing its contact details, and
    /// no policy can restrict it. A leaked or guessed root password without MFA is a full takeover.
    ///
    /// ## Guideline
    /// 2-1: MFA is set up for the root user and every IAM user; the root user uses a physical security key
    /// that is kept locked away.
    ///
    /// ## How to fix
    /// Sign in as the root user, open **Security credentials** and assign an MFA device (a FIDO security key
    /// or a hardware TOTP token, see IAM-002). Only the root user can do it, in the console. Then check that
    /// the account summary says `1`:
    ///
    /// ```sh
    /// aws iam get-account-summary --query 'SummaryMap.AccountMFAEnabled'
    /// ```
    ///
    /// ## Fix safety
    /// Manual only: only the root user can register its own MFA device, and the device must be kept where the
    /// people who may need it can reach it.
    ///
    /// ## References
    /// - CIS AWS Foundations 1.5 (MFA is enabled for the root user)
    /// - AWS FSBP IAM.9
    ///
    /// ## 確認内容
    /// ルートユーザーに MFA が設定されていること。状態はアカウントサマリーの `AccountMFAEnabled`
    /// (`iam:GetAccountSummary`。最新の状態)から読みます。それを読めないときに限り、認証情報レポートの `<root_account>`
    /// 行(`mfa_active`)から読み、その場合はメッセージでレポートの古さを示します。IAM はレポートを最大 4 時間再利用するため、
    /// その後 MFA を外したルートユーザーもまだ保護されているように見えるからです。
    ///
    /// ルートアクセスを一元管理している組織のスキャンでは、管理アカウントが各メンバーのルートをルートセッション
    /// (`sts:AssumeRoot`)で監査します。認証情報をまったく持たない(パスワード、キー、MFA デバイス、証明書のいずれもない)
    /// ルートは合格です。それは MFA のないルートではなく、最良の状態だからです。
    ///
    /// ## 重要な理由
    /// ルートユーザーは、アカウントの閉鎖や連絡先の変更を含めて何でもでき、どのポリシーでも制限できません。MFA のない
    /// ルートのパスワードが漏えいしたり推測されたりすれば、アカウントは完全に乗っ取られます。
    ///
    /// ## ガイドライン
    /// 2-1: ルートアカウントと全 IAM ユーザーに MFA を設定する。ルートアカウントには物理的なセキュリティキーを使い、
    /// 鍵は厳重に管理する。
    ///
    /// ## 修正方法
    /// ルートユーザーでサインインし、**セキュリティ認証情報**(Security credentials)を開いて MFA デバイス(FIDO セキュリティ
    /// キーまたはハードウェア TOTP トークン。IAM-002 を参照)を割り当てます。これはルートユーザー自身がコンソールでしか
    /// 行えません。その後、アカウントサマリーが `1` を返すことを確認します。
    ///
    /// ```sh
    /// aws iam get-account-summary --query 'SummaryMap.AccountMFAEnabled'
    /// ```
    ///
    /// ## 修正の安全性
    /// 手動のみ: 自分の MFA デバイスを登録できるのはルートユーザーだけであり、デバイスは必要になりうる人が手の届く場所に
    /// 保管しなければなりません。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 1.5(ルートユーザーの MFA が有効である)
    /// - AWS FSBP IAM.9
    pub static RULE = {
        id: "IAM-001",
        name: "root-mfa-disabled",
        title: "The root user has MFA",
        title_ja: "ルートユーザーに MFA が設定されている",
        section: Section::Security,
        item: "2-1",
        severity: Severity::Critical,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Sign in as the root user and register an MFA device",
            ja: "ルートユーザーでサインインし、MFA デバイスを登録する",
            command: None,
        },
        data: &["iam:GetAccountSummary", "iam:GetCredentialReport"],
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    if let Some(message) = root_without_credentials(cx) {
        out.pass(GLOBAL, cx.account_arn(), message);
        return;
    }
    match root_mfa(cx) {
        Ok((true, source)) => {
            let source = source.text(cx);
            let (en, ja) = (&source.en, &source.ja);
            out.pass(
                GLOBAL,
                cx.account_arn(),
                text!(
                    "the root user has MFA enabled ({en})",
                    "ルートユーザーに MFA が設定されています ({ja})"
                ),
            );
        }
        Ok((false, source)) => {
            let source = source.text(cx);
            let (en, ja) = (&source.en, &source.ja);
            out.fail(
                GLOBAL,
                cx.account_arn(),
                text!(
                    "the root user has no MFA device ({en})",
                    "ルートユーザーに MFA デバイスが設定されていません ({ja})"
                ),
            );
        }
        Err(message) => out.not_evaluated_because(GLOBAL, cx.account_arn(), message),
    }
}
