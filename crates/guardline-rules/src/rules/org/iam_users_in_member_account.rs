//! ORG-001.

use guardline_model::{Section, Severity};

use super::management_of_member;
use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability};

declare_rule! {
    /// ## What it checks
    /// That a member account of the organization has no IAM users (`iam:GetAccountAuthorizationDetails`):
    /// people reach member accounts through IAM Identity Center (its users and permission sets, which is
    /// what AWS recommends today) or, as the seed guideline does it, have IAM users only in the management
    /// account and switch roles into member accounts. Either way, a member account needs no IAM user. The
    /// organization comes from `organizations:DescribeOrganization`: in the management account itself users
    /// are expected (the seed's model puts them there), so the control passes there; an account in no
    /// organization is NOT EVALUATED (a profile for standalone accounts should not adopt the `ORG-*`
    /// controls).
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
    pub static RULE = {
        id: "ORG-001",
        name: "iam-users-in-member-account",
        title: "Member accounts have no IAM users",
        title_ja: "メンバーアカウントに IAM ユーザーがいない",
        section: Section::Mistakes,
        item: "3-2",
        severity: Severity::Medium,
        fix: FixAvailability::ManualOnly,
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
