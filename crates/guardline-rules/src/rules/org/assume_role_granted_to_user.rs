//! ORG-004.

use guardline_model::{Section, Severity};

use super::policy::grants_assume_role;
use super::{Membership, membership};
use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability};

declare_rule! {
    /// ## What it checks
    /// That in the organization's management account no IAM user is allowed `sts:AssumeRole` by a policy
    /// attached to the user directly (inline or managed): the permission to switch roles should come from
    /// the groups the user belongs to. A statement counts when it allows `sts:AssumeRole` (by `Action`,
    /// wildcards included, or by a `NotAction` that does not exclude it) on any resource, under any
    /// condition. Customer-managed policies are read (their default version); AWS-managed policies are not,
    /// and of those only `AdministratorAccess` and `PowerUserAccess` count as granting it. Member accounts
    /// pass (ORG-001 covers their users); an account in no organization is NOT EVALUATED.
    ///
    /// ## Why it matters
    /// Who may enter which account should be visible in one place: the groups ("admins", "engineers",
    /// "viewers") and their members. A grant on a single user is missed when access is reviewed and stays
    /// behind when the person changes team.
    ///
    /// ## Guideline
    /// 3-2 (create the AssumeRole policy in the master account, attach it to a group, and add users to the
    /// group).
    ///
    /// ## How to fix
    /// Add the user to the group that carries the AssumeRole policy (`guardline org plan-roles` shows the
    /// groups), then remove the user's own grant:
    ///
    /// ```sh
    /// aws iam add-user-to-group --group-name switch-admin --user-name NAME
    /// aws iam delete-user-policy --user-name NAME --policy-name POLICY
    /// aws iam detach-user-policy --user-name NAME --policy-arn ARN
    /// ```
    ///
    /// ## Fix safety
    /// Manual only: which group a person belongs in is the team's decision, and detaching a policy may take
    /// away more than `sts:AssumeRole`.
    ///
    /// ## References
    /// - IAM User Guide: "Security best practices in IAM" (use groups to assign permissions to users)
    /// - CIS AWS Foundations Benchmark 1.15 (IAM users receive permissions only through groups)
    pub static RULE = {
        id: "ORG-004",
        name: "assume-role-granted-to-user",
        title: "Switching roles is granted through groups",
        title_ja: "スイッチロールの権限がグループ経由で付与されている",
        section: Section::Mistakes,
        item: "3-2",
        severity: Severity::Low,
        fix: FixAvailability::ManualOnly,
        data: &[
            "organizations:DescribeOrganization",
            "iam:GetAccountAuthorizationDetails",
        ],
        check: check,
        plan: None,
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let Some(membership) = membership(cx, out) else { return };
    let id = cx.account_id();
    if let Membership::Member(management) = membership {
        out.pass(
            GLOBAL,
            cx.account_arn(),
            text!(
                "account {id} is a member account: role grants are checked in the management account {management}",
                "アカウント {id} はメンバーアカウントです: AssumeRole の権限は管理アカウント {management} で確認します"
            ),
        );
        return;
    }
    let principals = match cx.snapshot.global.principal_policies.get() {
        Ok(principals) => principals,
        Err(error) => {
            out.not_evaluated(GLOBAL, cx.account_arn(), error);
            return;
        }
    };
    if principals.users.is_empty() {
        out.pass(GLOBAL, cx.account_arn(), text!("the account has no IAM users", "IAM ユーザーはいません"));
    }
    for user in &principals.users {
        let name = &user.user_name;
        let direct: Vec<&str> = user
            .policies
            .iter()
            .filter(|policy| grants_assume_role(policy))
            .map(|policy| policy.name.as_str())
            .collect();
        if direct.is_empty() {
            let (en, ja) = if user.groups.is_empty() {
                (String::new(), String::new())
            } else {
                let groups = user.groups.join(", ");
                (format!(" (its groups: {groups})"), format!(" (所属グループ: {groups})"))
            };
            out.pass(
                GLOBAL,
                user.user_arn.clone(),
                text!(
                    "IAM user {name} has no sts:AssumeRole grant of its own{en}",
                    "IAM ユーザー {name} 自身のポリシーには sts:AssumeRole の付与がありません{ja}"
                ),
            );
        } else {
            let list = direct.join(", ");
            out.fail(
                GLOBAL,
                user.user_arn.clone(),
                text!(
                    "IAM user {name} is granted sts:AssumeRole directly by {list}, not through a group",
                    "IAM ユーザー {name} にグループ経由ではなく直接 sts:AssumeRole が付与されています: {list}"
                ),
            );
        }
    }
}
