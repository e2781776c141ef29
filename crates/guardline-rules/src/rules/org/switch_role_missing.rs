//! ORG-002.

use guardline_model::{Section, Severity};

use super::{management_of_member, switch_roles};
use crate::context::GLOBAL;
use crate::{Context, Findings, FixAvailability};

declare_rule! {
    /// ## What it checks
    /// That a member account has every switch role the profile's `switch-roles` parameter names (default
    /// `["admin", "engineer", "viewer"]`, matched case-insensitively; the roles come from
    /// `iam:GetAccountAuthorizationDetails`). The management account passes (people sign in there; the
    /// roles are in the member accounts); an account in no organization is NOT EVALUATED.
    ///
    /// ## Why it matters
    /// Switch roles are how people from the management account work in a member account, one role per
    /// level of access. A missing role pushes people to ask for an IAM user in the account, or to use a more
    /// powerful role than they need.
    ///
    /// ## Guideline
    /// 3-2 (create roles "for administrators", "for engineers", "for viewers" in each service account, with
    /// the policies each needs).
    ///
    /// ## How to fix
    /// `guardline org plan-roles` shows the roles with a trust policy that allows only the management account
    /// with MFA, and the management-account groups allowed to assume them; `--apply` creates them. By hand:
    ///
    /// ```sh
    /// aws iam create-role --role-name viewer --assume-role-policy-document file://trust.json
    /// aws iam attach-role-policy --role-name viewer --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess
    /// ```
    ///
    /// Or change `switch-roles` in the profile's params to the names your organization uses.
    ///
    /// ## Fix safety
    /// Manual only: `guardline fix` does not create roles, because what each role may do is the team's
    /// decision; `guardline org plan-roles --apply` creates the reviewed plan under the same account pin
    /// and confirmation as `fix`.
    ///
    /// ## References
    /// - IAM User Guide: "IAM tutorial: Delegate access across AWS accounts using IAM roles"
    /// - IAM User Guide: "Switch to an IAM role (console)"
    pub static RULE = {
        id: "ORG-002",
        name: "switch-role-missing",
        title: "Member accounts have the switch roles",
        title_ja: "メンバーアカウントにスイッチロール用のロールがある",
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
        "account {id} is the organization's management account: switch roles belong in member accounts",
        "アカウント {id} は組織の管理アカウントです: スイッチロール用のロールはメンバーアカウントに作成します"
    );
    if management_of_member(cx, out, in_management).is_none() {
        return;
    }
    let roles = match cx.snapshot.global.roles.get() {
        Ok(roles) => roles,
        Err(error) => {
            out.not_evaluated(GLOBAL, cx.account_arn(), error);
            return;
        }
    };
    let wanted = switch_roles(cx, roles);
    if wanted.is_empty() {
        out.pass(
            GLOBAL,
            cx.account_arn(),
            text!(
                "the profile names no switch roles (`switch-roles` is empty)",
                "プロファイルにスイッチロールが指定されていません (`switch-roles` が空です)"
            ),
        );
    }
    for (name, role) in wanted {
        match role {
            Some(role) => {
                let found = &role.name;
                out.pass(
                    GLOBAL,
                    role.arn.clone(),
                    text!(
                        "switch role {found} exists in account {id}",
                        "スイッチロール {found} がアカウント {id} にあります"
                    ),
                )
            }
            None => out.fail(
                GLOBAL,
                format!("arn:{}:iam::{id}:role/{name}", cx.partition()),
                text!(
                    "switch role {name} is missing from member account {id}",
                    "メンバーアカウント {id} にスイッチロール {name} がありません"
                ),
            ),
        }
    }
}
