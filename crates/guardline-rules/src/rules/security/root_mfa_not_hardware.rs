//! IAM-002.

use guardline_model::{Section, Severity};

use super::helpers::{root_mfa, root_without_credentials};
use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// The root user's MFA is a hardware device (a FIDO security key or a hardware TOTP token), not a virtual
    /// one: no virtual MFA device (`iam:ListVirtualMFADevices`) may be assigned to the root user. A root user
    /// with no MFA at all fails too (IAM-001 reports the same state).
    ///
    /// In an organisation scan under centralised root access, the management account audits each member's
    /// root in a root session (`sts:AssumeRoot`); a root with no credentials at all (no password, key, MFA
    /// device or certificate) passes: it is the best state, not a root without MFA.
    ///
    /// ## Why it matters
    /// A virtual MFA lives on a phone that is also used for mail, chat and everything else; it can be lost,
    /// backed up to a cloud account, or taken over together with that account. A physical key kept in a safe
    /// is used only for the rare root sign-in and cannot be copied.
    ///
    /// ## Guideline
    /// 2-1: "the root user in particular gets a physical security key, and the key is kept under strict
    /// control". IAM users use virtual MFA on their smartphones; that is fine for them.
    ///
    /// ## How to fix
    /// Sign in as the root user, register a FIDO security key (or a hardware TOTP token) under **Security
    /// credentials**, test it, then remove the virtual device. To see which virtual device root uses:
    ///
    /// ```sh
    /// aws iam list-virtual-mfa-devices --assignment-status Assigned \
    ///   --query 'VirtualMFADevices[?ends_with(User.Arn, `:root`)].SerialNumber'
    /// ```
    ///
    /// ## Fix safety
    /// Manual only: only the root user can register and remove its MFA devices, and someone has to take
    /// custody of the physical key.
    ///
    /// ## References
    /// - CIS AWS Foundations 1.6 (hardware MFA is enabled for the root user)
    /// - AWS FSBP IAM.6
    ///
    /// ## 確認内容
    /// ルートユーザーの MFA が仮想デバイスではなくハードウェアデバイス(FIDO セキュリティキーまたはハードウェア TOTP
    /// トークン)であること。ルートユーザーに仮想 MFA デバイス(`iam:ListVirtualMFADevices`)が割り当てられていてはなりません。
    /// MFA がまったくないルートユーザーも不合格です(同じ状態を IAM-001 も報告します)。
    ///
    /// ルートアクセスを一元管理している組織のスキャンでは、管理アカウントが各メンバーのルートをルートセッション
    /// (`sts:AssumeRoot`)で監査します。認証情報をまったく持たない(パスワード、キー、MFA デバイス、証明書のいずれもない)
    /// ルートは合格です。それは MFA のないルートではなく、最良の状態だからです。
    ///
    /// ## 重要な理由
    /// 仮想 MFA は、メールやチャットなど何にでも使うスマートフォンの中にあります。紛失したり、クラウドのアカウントに
    /// バックアップされたり、そのアカウントごと乗っ取られたりすることがあります。金庫に保管した物理キーは、まれなルートの
    /// サインインにしか使われず、複製もできません。
    ///
    /// ## ガイドライン
    /// 2-1:「特にルートアカウントは物理的なセキュリティキーを設定し、鍵は厳重に管理する」。IAM ユーザーはスマートフォンの
    /// 仮想 MFA を使い、それで問題ありません。
    ///
    /// ## 修正方法
    /// ルートユーザーでサインインし、**セキュリティ認証情報**で FIDO セキュリティキー(またはハードウェア TOTP トークン)を
    /// 登録してテストし、その後仮想デバイスを削除します。ルートが使っている仮想デバイスを調べるには次のようにします。
    ///
    /// ```sh
    /// aws iam list-virtual-mfa-devices --assignment-status Assigned \
    ///   --query 'VirtualMFADevices[?ends_with(User.Arn, `:root`)].SerialNumber'
    /// ```
    ///
    /// ## 修正の安全性
    /// 手動のみ: MFA デバイスを登録・削除できるのはルートユーザーだけであり、物理キーを誰かが保管しなければなりません。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 1.6(ルートユーザーのハードウェア MFA が有効である)
    /// - AWS FSBP IAM.6
    pub static RULE = {
        id: "IAM-002",
        name: "root-mfa-not-hardware",
        title: "The root user's MFA is a hardware device",
        title_ja: "ルートユーザーの MFA がハードウェアデバイスである",
        section: Section::Security,
        item: "2-1",
        severity: Severity::High,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Replace the root user's virtual MFA with a hardware or FIDO key",
            ja: "ルートユーザーの仮想 MFA をハードウェアか FIDO のキーに置き換える",
            command: None,
        },
        data: &["iam:ListVirtualMFADevices", "iam:GetCredentialReport", "iam:GetAccountSummary"],
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    if let Some(message) = root_without_credentials(cx) {
        out.pass(GLOBAL, cx.account_arn(), message);
        return;
    }
    let devices = match cx.snapshot.global.virtual_mfa_devices.get() {
        Ok(devices) => devices,
        Err(error) => {
            out.not_evaluated(GLOBAL, cx.account_arn(), error);
            return;
        }
    };
    let virtual_on_root: Vec<&str> = devices
        .iter()
        .filter(|device| device.user_arn.as_deref().is_some_and(|arn| arn.ends_with(":root")))
        .map(|device| device.serial_number.as_str())
        .collect();
    if !virtual_on_root.is_empty() {
        let serials = virtual_on_root.join(", ");
        out.fail(
            GLOBAL,
            cx.account_arn(),
            text!(
                "the root user's MFA is a virtual device ({serials}), not a hardware or FIDO device",
                "ルートユーザーの MFA は仮想デバイス ({serials}) で、ハードウェアまたは FIDO デバイスではありません"
            ),
        );
        return;
    }
    match root_mfa(cx) {
        Ok((true, _)) => out.pass(
            GLOBAL,
            cx.account_arn(),
            text!(
                "the root user's MFA is a hardware or FIDO device: no virtual MFA device is assigned to root",
                "ルートユーザーの MFA はハードウェアまたは FIDO デバイスです (仮想 MFA デバイスは割り当てられていません)"
            ),
        ),
        Ok((false, source)) => {
            let source = source.text(cx);
            let (en, ja) = (&source.en, &source.ja);
            out.fail(
                GLOBAL,
                cx.account_arn(),
                text!(
                    "the root user has no MFA device at all ({en})",
                    "ルートユーザーに MFA デバイスが 1 つも設定されていません ({ja})"
                ),
            );
        }
        Err(message) => out.not_evaluated_because(GLOBAL, cx.account_arn(), message),
    }
}
