//! ORG-001.

use guardline_model::{Section, Severity};

use super::management_of_member;
use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability, Remedy};

declare_rule! {
    /// ## What it checks
    /// That a member account of the organization has no IAM users (`iam:GetAccountAuthorizationDetails`):
    /// people reach member accounts through IAM Identity Center (its users and permission sets, which is
    /// what AWS recommends today) or, as the seed guideline does it, have IAM users only in the management
    /// account and switch roles into member accounts. Either way, a member account needs no IAM user. The
    /// organization comes from `organizations:DescribeOrganization`: in the management account itself users
    /// are expected (the seed's model puts them there), so the control passes there. An account in no
    /// organization is NOT APPLICABLE, like the other 3-2 controls: neither a pass nor a failure, so a
    /// standalone account that meets the rest of the guideline passes the run. A profile that requires every
    /// account to be in an organization sets `require-organization = true` in its `params`: a standalone
    /// account then fails ORG-001..005.
    ///
    /// ## Why it matters
    /// Users in every account mean a password, MFA device and policies per person per account: permissions
    /// drift apart, leavers keep access somewhere, and MFA is missing somewhere. With people in one place
    /// (Identity Center, or the management account's users), one place grants and revokes access to every
    /// account.
    ///
    /// ## Guideline
    /// 3-2 (manage accounts from the master account: IAM users live there and switch roles into each
    /// account).
    ///
    /// ## How to fix
    /// Give each person access through IAM Identity Center (a user or group assigned a permission set on
    /// this account), or a user (in a group) in the management account and a switch role here
    /// (`guardline org plan-roles`), then remove the member account's users once nobody uses them:
    ///
    /// ```sh
    /// aws iam list-users
    /// aws iam delete-login-profile --user-name NAME   # then access keys, MFA devices, policies, groups
    /// aws iam delete-user --user-name NAME
    /// ```
    ///
    /// Machine users (CI, on-premises jobs) are better replaced by roles (OIDC, IAM Roles Anywhere); where
    /// one must stay, record it as an exception with its reason.
    ///
    /// ## Fix safety
    /// Manual only: deleting a user locks out whoever or whatever signs in with it; only the team knows
    /// when its replacement is in use.
    ///
    /// ## References
    /// - AWS Organizations User Guide: "Best practices for member accounts"
    /// - IAM User Guide: "Security best practices in IAM" (require human users to use federation with an
    ///   identity provider to access AWS using temporary credentials)
    /// - IAM Identity Center User Guide: "Manage access to AWS accounts" (permission sets)
    ///
    /// ## 確認内容
    /// 組織のメンバーアカウントに IAM ユーザーがいないこと(`iam:GetAccountAuthorizationDetails`)。人がメンバーアカウントに
    /// 入るには、IAM Identity Center(そのユーザーと許可セット。現在 AWS が推奨する方法)を使うか、ガイドラインのように IAM
    /// ユーザーを管理アカウントにだけ置き、メンバーアカウントへスイッチロールします。どちらの方法でも、メンバーアカウントに
    /// IAM ユーザーは必要ありません。組織は `organizations:DescribeOrganization` から読みます。管理アカウント自身にはユーザーが
    /// いるのが当然なので(ガイドラインのモデルではそこに置きます)、そこでは合格です。組織に属さないアカウントは、他の 3-2 の
    /// コントロールと同じく対象外(NOT APPLICABLE)です。合格でも不合格でもないため、ガイドラインの他の項目を満たす単独の
    /// アカウントはスキャンに合格します。すべてのアカウントが組織に属することを求めるプロファイルでは、`params` で
    /// `require-organization = true` を設定します。単独のアカウントは ORG-001〜005 で不合格になります。
    ///
    /// ## 重要な理由
    /// アカウントごとにユーザーがいると、一人ひとりにアカウントごとのパスワード、MFA デバイス、ポリシーが必要になります。
    /// 権限はばらばらになり、退職者はどこかにアクセスを残し、どこかで MFA が抜けます。人を一か所(Identity Center、または
    /// 管理アカウントのユーザー)にまとめれば、全アカウントへのアクセスの付与と取り消しを一か所で行えます。
    ///
    /// ## ガイドライン
    /// 3-2(マスターアカウントによるアカウント管理: IAM ユーザーはそこに置き、スイッチロールで各アカウントにログインする)。
    ///
    /// ## 修正方法
    /// 各人に IAM Identity Center 経由のアクセス(このアカウントで許可セットを割り当てたユーザーまたはグループ)か、管理
    /// アカウントの(グループに属する)ユーザーとこのアカウントのスイッチロール(`guardline org plan-roles`)を用意し、誰も
    /// 使わなくなったらメンバーアカウントのユーザーを削除します。
    ///
    /// ```sh
    /// aws iam list-users
    /// aws iam delete-login-profile --user-name NAME   # then access keys, MFA devices, policies, groups
    /// aws iam delete-user --user-name NAME
    /// ```
    ///
    /// マシン用のユーザー(CI、オンプレミスのジョブ)はロール(OIDC、IAM Roles Anywhere)に置き換えるのが適切です。どうしても
    /// 残す必要があるものは、理由を添えて例外として記録してください。
    ///
    /// ## 修正の安全性
    /// 手動のみ: ユーザーを削除すると、それでサインインしている人やシステムが締め出されます。代わりの手段が使われ始めたかを
    /// 知っているのはチームだけです。
    ///
    /// ## 参考資料
    /// - AWS Organizations ユーザーガイド「Best practices for member accounts」
    /// - IAM ユーザーガイド「Security best practices in IAM」(人間のユーザーには、ID プロバイダーとのフェデレーションで一時的な
    ///   認証情報を使って AWS にアクセスさせる)
    /// - IAM Identity Center ユーザーガイド「Manage access to AWS accounts」(許可セット)
    pub static RULE = {
        id: "ORG-001",
        name: "iam-users-in-member-account",
        title: "Member accounts have no IAM users",
        title_ja: "メンバーアカウントに IAM ユーザーがいない",
        section: Section::Mistakes,
        item: "3-2",
        severity: Severity::Medium,
        fix: FixAvailability::ManualOnly,
        remedy: Remedy {
            en: "Move people to IAM Identity Center or switch roles, then delete the IAM users",
            ja: "利用者を IAM Identity Center かスイッチロールに移し、IAM ユーザーを削除する",
            command: None,
        },
        data: &["organizations:DescribeOrganization", "iam:GetAccountAuthorizationDetails"],
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let id = cx.account_id();
    let in_management = text!(
        "account {id} is the organization's management account, where IAM users belong",
        "アカウント {id} は組織の管理アカウントであり、IAM ユーザーを置くアカウントです"
    );
    let Some(management) = management_of_member(cx, out, in_management) else { return };
    let principals = match cx.snapshot.global.principal_policies.get() {
        Ok(principals) => principals,
        Err(error) => {
            out.not_evaluated(GLOBAL, cx.account_arn(), error);
            return;
        }
    };
    if principals.users.is_empty() {
        out.pass(
            GLOBAL,
            cx.account_arn(),
            text!(
                "member account {id} has no IAM users",
                "メンバーアカウント {id} には IAM ユーザーがいません"
            ),
        );
    }
    for user in &principals.users {
        let name = &user.user_name;
        out.fail(
            GLOBAL,
            user.user_arn.clone(),
            text!(
                "IAM user {name} exists in member account {id}: people should come in through IAM Identity \
                 Center, or sign in to the management account {management} and switch roles",
                "メンバーアカウント {id} に IAM ユーザー {name} がいます: IAM Identity Center 経由で利用するか、\
                 管理アカウント {management} にサインインしてスイッチロールしてください"
            ),
        );
    }
}
