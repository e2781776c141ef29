//! Section 3, item 3-2: accounts managed from the organization's management account (people are IAM users
//! only there and switch roles into member accounts).

mod policy;

pub mod assume_role_granted_to_user;
pub mod iam_users_in_member_account;
pub mod root_access_not_centralised;
pub mod switch_role_missing;
pub mod switch_role_trust_too_broad;

use guardline_model::inventory::iam::Role;

use crate::context::GLOBAL;
use crate::{Context, Findings};

/// What the scanned account is in its organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Membership<'a> {
    Management,
    /// A member account; the management account's ID.
    Member(&'a str),
}

/// The account's place in its organization, from `organizations:DescribeOrganization`. Returns `None` after
/// reporting on the account when there is nothing more to check: NOT EVALUATED when that data is missing;
/// for an account in no organization, NOT APPLICABLE (the organisation controls say nothing about a
/// standalone account), or FAIL when the profile sets `require-organization` (the guideline manages every
/// account from a management account).
pub(crate) fn membership<'a>(cx: &Context<'a>, out: &mut Findings) -> Option<Membership<'a>> {
    let id = cx.account_id();
    match cx.snapshot.global.organization.get() {
        Err(error) => {
            out.not_evaluated(GLOBAL, cx.account_arn(), error);
            None
        }
        Ok(None) if cx.params.require_organization => {
            out.fail(
                GLOBAL,
                cx.account_arn(),
                text!(
                    "account {id} is in no AWS Organization; the guideline (3-2) manages every account from a \
                     management account",
                    "アカウント {id} はどの AWS Organizations にも属していません。ガイドライン (3-2) では、すべての\
                     アカウントを管理アカウントから管理します"
                ),
            );
            None
        }
        Ok(None) => {
            out.not_applicable(
                GLOBAL,
                cx.account_arn(),
                text!(
                    "account {id} is not in an AWS Organization; the organisation controls (3-2) apply to \
                     organization accounts",
                    "アカウント {id} は AWS Organizations に属していません。組織の統制 (3-2) は組織のアカウントに\
                     適用されます"
                ),
            );
            None
        }
        Ok(Some(org)) if org.is_management(id) => Some(Membership::Management),
        Ok(Some(org)) => Some(Membership::Member(&org.management_account_id)),
    }
}

/// For the controls about member accounts: the management account's ID when the scanned account is a
/// member. In the management account itself, reports PASS on the account with `in_management` (why the
/// control has nothing to check there) and returns `None`; `None` too when [`membership`] reported on the
/// account itself (NOT EVALUATED, NOT APPLICABLE, or FAIL under `require-organization`).
pub(crate) fn management_of_member<'a>(
    cx: &Context<'a>,
    out: &mut Findings,
    in_management: guardline_model::Text,
) -> Option<&'a str> {
    match membership(cx, out)? {
        Membership::Management => {
            out.pass(GLOBAL, cx.account_arn(), in_management);
            None
        }
        Membership::Member(management) => Some(management),
    }
}

/// Where IAM Identity Center puts the roles it makes for permission sets (`/aws-reserved/sso.amazonaws.com/`,
/// sometimes followed by a region, e.g. `/aws-reserved/sso.amazonaws.com/ap-northeast-1/`). Paths under
/// `/aws-reserved/` cannot be created through IAM.
const IDENTITY_CENTER_PATH: &str = "/aws-reserved/sso.amazonaws.com/";

/// The permission set an IAM Identity Center role stands for: the role is named
/// `AWSReservedSSO_<permission set>_<16 hex digits>` (the suffix differs per account) under Identity
/// Center's path. The permission set's name may itself contain `_`. `None` for any other role.
pub(crate) fn identity_center_permission_set(role: &Role) -> Option<&str> {
    if !role.path.starts_with(IDENTITY_CENTER_PATH) {
        return None;
    }
    let (set, suffix) = role.name.strip_prefix("AWSReservedSSO_")?.rsplit_once('_')?;
    let hex = suffix.len() == 16 && suffix.chars().all(|c| c.is_ascii_hexdigit());
    (hex && !set.is_empty()).then_some(set)
}

/// The account's roles that stand for each role of the `switch-roles` parameter, with the configured
/// name: a role of that name, and IAM Identity Center roles of a permission set of that name (both
/// matched case-insensitively). Empty for a configured role the account lacks.
pub(crate) fn switch_roles<'a>(cx: &Context<'a>, roles: &'a [Role]) -> Vec<(&'a str, Vec<&'a Role>)> {
    cx.params
        .switch_roles
        .iter()
        .map(|name| {
            let matched = roles
                .iter()
                .filter(|role| {
                    role.name.eq_ignore_ascii_case(name)
                        || identity_center_permission_set(role)
                            .is_some_and(|set| set.eq_ignore_ascii_case(name))
                })
                .collect();
            (name.as_str(), matched)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(name: &str, path: &str) -> Role {
        Role {
            name: name.into(),
            arn: format!("arn:aws:iam::123456789012:role{path}{name}"),
            path: path.into(),
            trust_policy: None,
        }
    }

    #[test]
    fn identity_center_roles() {
        let sso = "/aws-reserved/sso.amazonaws.com/";
        for (name, path, set) in [
            ("AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6a7b", sso, Some("AdministratorAccess")),
            ("AWSReservedSSO_Power_User_0A1B2C3D4E5F6A7B", sso, Some("Power_User")),
            (
                "AWSReservedSSO_Admin_0a1b2c3d4e5f6a7b",
                "/aws-reserved/sso.amazonaws.com/ap-northeast-1/",
                Some("Admin"),
            ),
            ("AWSReservedSSO_Admin_0a1b2c3d4e5f6a7b", "/", None),
            ("AWSReservedSSO_Admin_0a1b2c3d4e5f6a7", sso, None),
            ("AWSReservedSSO_Admin_0a1b2c3d4e5f6a7g", sso, None),
            ("AWSReservedSSO__0a1b2c3d4e5f6a7b", sso, None),
            ("AWSReservedSSO_0a1b2c3d4e5f6a7b", sso, None),
            ("admin", sso, None),
        ] {
            assert_eq!(identity_center_permission_set(&role(name, path)), set, "{name} {path}");
        }
    }
}
