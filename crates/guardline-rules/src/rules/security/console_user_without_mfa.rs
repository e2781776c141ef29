//! IAM-003.

use guardline_model::{Section, Severity};

use super::helpers::date;
use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// Every IAM user in the credential report that has a console password (`password_enabled`) also has
    /// an MFA device (`mfa_active`). Users without a console password are not concerned.
    ///
    /// ## Why it matters
    /// A console password alone can be phished, guessed or reused from another site's leak. With MFA, the
    /// password is not enough to sign in.
    ///
    /// ## Guideline
    /// 2-1: every IAM user sets up MFA; the people who operate the accounts use a virtual MFA app on their
    /// smartphone (e.g. Authy or Google Authenticator).
    ///
    /// ## How to fix
    /// The user signs in and assigns an MFA device under **Security credentials**, or an administrator
    /// creates a virtual device and enables it with two consecutive codes from the user's app:
    ///
    /// ```sh
    /// aws iam create-virtual-mfa-device --virtual-mfa-device-name alice --outfile alice.png \
    ///   --bootstrap-method QRCodePNG
    /// aws iam enable-mfa-device --user-name alice \
    ///   --serial-number arn:aws:iam::123456789012:mfa/alice --authentication-code1 123456 \
    ///   --authentication-code2 654321
    /// ```
    ///
    /// If the user no longer needs the console, delete the password instead:
    /// `aws iam delete-login-profile --user-name alice`.
    ///
    /// ## Fix safety
    /// Manual only: the MFA device belongs to the user, who has to register it.
    ///
    /// ## References
    /// - CIS AWS Foundations 1.10 (MFA is enabled for all IAM users that have a console password)
    /// - AWS FSBP IAM.5
    ///
    /// ## 確認内容
    /// 認証情報レポートで、コンソールパスワードを持つ(`password_enabled`)IAM ユーザーはすべて MFA デバイスも持っている
    /// (`mfa_active`)こと。コンソールパスワードを持たないユーザーは対象外です。
    ///
    /// ## 重要な理由
    /// コンソールパスワードだけでは、フィッシング、推測、他サイトの漏えいからの使い回しで破られます。MFA があれば、
    /// パスワードだけではサインインできません。
    ///
    /// ## ガイドライン
    /// 2-1: すべての IAM ユーザーに MFA を設定する。アカウントを操作する作業者は、スマートフォンの仮想 MFA アプリ
    /// (Authy や Google Authenticator など)を使う。
    ///
    /// ## 修正方法
    /// ユーザー自身がサインインして**セキュリティ認証情報**で MFA デバイスを割り当てるか、管理者が仮想デバイスを作成し、
    /// ユーザーのアプリが出す連続した 2 つのコードで有効化します。
    ///
    /// ```sh
    /// aws iam create-virtual-mfa-device --virtual-mfa-device-name alice --outfile alice.png \
    ///   --bootstrap-method QRCodePNG
    /// aws iam enable-mfa-device --user-name alice \
    ///   --serial-number arn:aws:iam::123456789012:mfa/alice --authentication-code1 123456 \
    ///   --authentication-code2 654321
    /// ```
    ///
    /// ユーザーがもうコンソールを使わないなら、代わりにパスワードを削除します:
    /// `aws iam delete-login-profile --user-name alice`
    ///
    /// ## 修正の安全性
    /// 手動のみ: MFA デバイスはユーザーのものであり、ユーザー自身が登録しなければなりません。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 1.10(コンソールパスワードを持つすべての IAM ユーザーで MFA が有効である)
    /// - AWS FSBP IAM.5
    pub static RULE = {
        id: "IAM-003",
        name: "console-user-without-mfa",
        title: "Console users have MFA",
        title_ja: "コンソールを使う IAM ユーザーに MFA が設定されている",
        section: Section::Security,
        item: "2-1",
        severity: Severity::High,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Have each console user register an MFA device",
            ja: "コンソールを使う各ユーザーに MFA デバイスを登録してもらう",
            command: None,
        },
        data: &["iam:GetCredentialReport"],
        check: check,
        plan: None,
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
    let mut console_users = 0;
    for user in report.users.iter().filter(|user| user.password_enabled) {
        console_users += 1;
        let name = &user.user;
        let (last_en, last_ja) = match user.password_last_used {
            Some(at) => {
                let day = date(at);
                (format!("last signed in {day}"), format!("最終サインイン {day}"))
            }
            None => ("never signed in".to_owned(), "サインイン履歴なし".to_owned()),
        };
        if user.mfa_active {
            out.pass(
                GLOBAL,
                &user.arn,
                text!(
                    "user {name} has a console password and MFA ({last_en})",
                    "ユーザー {name} はコンソールパスワードと MFA を設定しています ({last_ja})"
                ),
            );
        } else {
            out.fail(
                GLOBAL,
                &user.arn,
                text!(
                    "user {name} has a console password but no MFA device ({last_en})",
                    "ユーザー {name} はコンソールパスワードを持っていますが、MFA デバイスを設定していません ({last_ja})"
                ),
            );
        }
    }
    if console_users == 0 {
        out.pass(
            GLOBAL,
            cx.account_arn(),
            text!("no IAM user has a console password", "コンソールパスワードを持つ IAM ユーザーはいません"),
        );
    }
}
