//! Section 3, item 3-2: accounts managed from the organization's management account (people are IAM users
//! only there and switch roles into member accounts).

mod policy;

pub mod assume_role_granted_to_user;
pub mod iam_users_in_member_account;
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

/// The account's place in its organization, from `organizations:DescribeOrganization`. When that data is
/// missing, or the account is in no organization, reports NOT EVALUATED on the account and returns `None`:
/// the organisation controls say nothing about a standalone account (a profile for standalone accounts
/// should not adopt them).
pub(crate) fn membership<'a>(cx: &Context<'a>, out: &mut Findings) -> Option<Membership<'a>> {
    let id = cx.account_id();
    match cx.snapshot.global.organization.get() {
        Err(error) => {
            out.not_evaluated(GLOBAL, cx.account_arn(), error);
            None
        }
        Ok(None) => {
            out.not_evaluated_because(
                GLOBAL,
                cx.account_arn(),
                text!(
                    "could not be evaluated: account {id} is not in an AWS Organization, and the organisation \
                     controls (3-2) apply only to organization accounts",
                    "評価できません: アカウント {id} は AWS Organizations に属していないため、組織の統制 (3-2) は適用されません"
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
/// control has nothing to check there) and returns `None`; `None` too when [`membership`] reported NOT
/// EVALUATED.
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

/// The account's roles named in the `switch-roles` parameter, matched case-insensitively, with the
/// configured name; `None` for a configured role the account lacks.
pub(crate) fn switch_roles<'a>(cx: &Context<'a>, roles: &'a [Role]) -> Vec<(&'a str, Option<&'a Role>)> {
    cx.params
        .switch_roles
        .iter()
        .map(|name| (name.as_str(), roles.iter().find(|role| role.name.eq_ignore_ascii_case(name))))
        .collect()
}
