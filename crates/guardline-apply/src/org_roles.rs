//! `guardline org plan-roles`: the switch-role setup of guideline 3-2 in one account. In a member account:
//! the roles (e.g. admin, engineer, viewer) trusting only the management account, with MFA, each with its
//! managed policy. In the management account: one group per role (`switch-<role>`) whose inline policy allows
//! `sts:AssumeRole` into that role in every account, so people get the right through groups (ORG-004).
//!
//! [`desired`] and [`steps`] are pure (what should exist, and the calls that make the read-back state
//! match it); [`read`] reads the state back and [`apply`] makes the calls. A second apply finds nothing to do.
//! Each call acts on the one account `config` reaches; `org plan-roles --org` calls them once per account,
//! with the member role the organisation's listing leads to.

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use guardline_collect::services::iam_access::decode_policy;
use guardline_model::CollectError;
use serde_json::{Value, json};

use crate::call::call;

/// A switch role to have in a member account.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleSpec {
    pub name: String,
    pub trust_policy: Value,
    /// The managed policy to attach; `None`: the profile names none for this role.
    pub managed_policy: Option<String>,
}

/// A management-account group whose members may assume one switch role.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSpec {
    pub name: String,
    pub role: String,
    pub policy_name: String,
    pub policy: Value,
}

/// What should exist in the account.
#[derive(Debug, Clone, PartialEq)]
pub enum Desired {
    /// A member account: its switch roles.
    Roles(Vec<RoleSpec>),
    /// The management account: the groups that may assume the roles.
    Groups(Vec<GroupSpec>),
}

/// The trust policy of a switch role: only the management account, only with MFA.
pub fn trust_policy(partition: &str, management: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:{partition}:iam::{management}:root")},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        }]
    })
}

/// The management-account group policy that allows assuming `role` in every account of the partition.
pub fn assume_policy(partition: &str, role: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": format!("arn:{partition}:iam::*:role/{role}")
        }]
    })
}

/// What should exist: roles in a member account, groups in the management account.
pub fn desired(
    partition: &str,
    account: &str,
    management: &str,
    roles: &[String],
    policies: &BTreeMap<String, String>,
) -> Desired {
    if account == management {
        Desired::Groups(
            roles
                .iter()
                .map(|role| GroupSpec {
                    name: format!("switch-{role}"),
                    role: role.clone(),
                    policy_name: format!("guardline-assume-{role}"),
                    policy: assume_policy(partition, role),
                })
                .collect(),
        )
    } else {
        Desired::Roles(
            roles
                .iter()
                .map(|role| RoleSpec {
                    name: role.clone(),
                    trust_policy: trust_policy(partition, management),
                    managed_policy: policies.get(role).cloned(),
                })
                .collect(),
        )
    }
}

/// The read-back state of one role or group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Current {
    pub exists: bool,
    /// The role's trust policy, or the group's inline policy (by the planned name).
    pub policy: Option<Value>,
    /// Managed policies attached to the role.
    pub attached: Vec<String>,
}

/// One write call.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    CreateRole { name: String, trust_policy: Value },
    UpdateAssumeRolePolicy { name: String, trust_policy: Value },
    AttachRolePolicy { role: String, policy_arn: String },
    CreateGroup { name: String },
    PutGroupPolicy { group: String, policy_name: String, policy: Value },
}

/// Every IAM action `org plan-roles` calls: identifying the account, the organisation's management account,
/// reading the roles and groups back, and each [`Step`]'s write (`guardline iam-policy --for org-roles`).
pub const ACTIONS: &[&str] = &[
    "sts:GetCallerIdentity",
    "iam:ListAccountAliases",
    "organizations:DescribeOrganization",
    "iam:GetRole",
    "iam:ListAttachedRolePolicies",
    "iam:GetGroup",
    "iam:GetGroupPolicy",
    "iam:CreateRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:AttachRolePolicy",
    "iam:CreateGroup",
    "iam:PutGroupPolicy",
];

impl Step {
    /// The IAM action the step calls.
    pub fn action(&self) -> &'static str {
        match self {
            Step::CreateRole { .. } => "iam:CreateRole",
            Step::UpdateAssumeRolePolicy { .. } => "iam:UpdateAssumeRolePolicy",
            Step::AttachRolePolicy { .. } => "iam:AttachRolePolicy",
            Step::CreateGroup { .. } => "iam:CreateGroup",
            Step::PutGroupPolicy { .. } => "iam:PutGroupPolicy",
        }
    }

    /// One line saying what the step does.
    pub fn describe(&self) -> String {
        match self {
            Step::CreateRole { name, .. } => format!("create role {name} with the trust policy below"),
            Step::UpdateAssumeRolePolicy { name, .. } => {
                format!("replace role {name}'s trust policy with the one below")
            }
            Step::AttachRolePolicy { role, policy_arn } => format!("attach {policy_arn} to role {role}"),
            Step::CreateGroup { name } => format!("create group {name}"),
            Step::PutGroupPolicy { group, policy_name, .. } => {
                format!("put inline policy {policy_name} (below) on group {group}")
            }
        }
    }

    /// The policy document the step writes, if any.
    pub fn document(&self) -> Option<&Value> {
        match self {
            Step::CreateRole { trust_policy, .. } | Step::UpdateAssumeRolePolicy { trust_policy, .. } => {
                Some(trust_policy)
            }
            Step::PutGroupPolicy { policy, .. } => Some(policy),
            Step::AttachRolePolicy { .. } | Step::CreateGroup { .. } => None,
        }
    }
}

/// The calls that make `current` (one entry per role or group of `desired`, same order) match `desired`.
pub fn steps(desired: &Desired, current: &[Current]) -> Vec<Step> {
    let mut out = Vec::new();
    let nothing = Current::default();
    match desired {
        Desired::Roles(roles) => {
            for (index, role) in roles.iter().enumerate() {
                let now = current.get(index).unwrap_or(&nothing);
                if !now.exists {
                    out.push(Step::CreateRole {
                        name: role.name.clone(),
                        trust_policy: role.trust_policy.clone(),
                    });
                } else if now.policy.as_ref() != Some(&role.trust_policy) {
                    out.push(Step::UpdateAssumeRolePolicy {
                        name: role.name.clone(),
                        trust_policy: role.trust_policy.clone(),
                    });
                }
                if let Some(arn) = &role.managed_policy
                    && !now.attached.contains(arn)
                {
                    out.push(Step::AttachRolePolicy { role: role.name.clone(), policy_arn: arn.clone() });
                }
            }
        }
        Desired::Groups(groups) => {
            for (index, group) in groups.iter().enumerate() {
                let now = current.get(index).unwrap_or(&nothing);
                if !now.exists {
                    out.push(Step::CreateGroup { name: group.name.clone() });
                }
                if now.policy.as_ref() != Some(&group.policy) {
                    out.push(Step::PutGroupPolicy {
                        group: group.name.clone(),
                        policy_name: group.policy_name.clone(),
                        policy: group.policy.clone(),
                    });
                }
            }
        }
    }
    out
}

fn is_no_such_entity(error: &CollectError) -> bool {
    error.code.as_deref() == Some("NoSuchEntity")
}

/// Reads the current state of every role or group of `desired` (`iam:GetRole`,
/// `iam:ListAttachedRolePolicies`, `iam:GetGroup`, `iam:GetGroupPolicy`).
pub async fn read(config: &SdkConfig, desired: &Desired) -> Result<Vec<Current>, CollectError> {
    let iam = aws_sdk_iam::Client::new(config);
    let mut out = Vec::new();
    match desired {
        Desired::Roles(roles) => {
            for role in roles {
                let answer = match call("iam:GetRole", iam.get_role().role_name(&role.name).send()).await {
                    Ok(answer) => answer,
                    Err(error) if is_no_such_entity(&error) => {
                        out.push(Current::default());
                        continue;
                    }
                    Err(error) => return Err(error),
                };
                let policy = answer
                    .role()
                    .and_then(|role| role.assume_role_policy_document())
                    .map(|document| decode_policy("iam:GetRole", document))
                    .transpose()?;
                let attached = call(
                    "iam:ListAttachedRolePolicies",
                    iam.list_attached_role_policies()
                        .role_name(&role.name)
                        .into_paginator()
                        .items()
                        .send()
                        .collect::<Result<Vec<_>, _>>(),
                )
                .await?;
                out.push(Current {
                    exists: true,
                    policy,
                    attached: attached.iter().filter_map(|p| p.policy_arn()).map(str::to_owned).collect(),
                });
            }
        }
        Desired::Groups(groups) => {
            for group in groups {
                match call("iam:GetGroup", iam.get_group().group_name(&group.name).send()).await {
                    Ok(_) => {}
                    Err(error) if is_no_such_entity(&error) => {
                        out.push(Current::default());
                        continue;
                    }
                    Err(error) => return Err(error),
                }
                let request = iam.get_group_policy().group_name(&group.name).policy_name(&group.policy_name);
                let policy = match call("iam:GetGroupPolicy", request.send()).await {
                    Ok(answer) => Some(decode_policy("iam:GetGroupPolicy", answer.policy_document())?),
                    Err(error) if is_no_such_entity(&error) => None,
                    Err(error) => return Err(error),
                };
                out.push(Current { exists: true, policy, attached: Vec::new() });
            }
        }
    }
    Ok(out)
}

/// Makes the calls in order, stopping at the first failure; returns how many were made and the failure.
pub async fn apply(config: &SdkConfig, steps: &[Step]) -> (usize, Option<CollectError>) {
    let iam = aws_sdk_iam::Client::new(config);
    for (done, step) in steps.iter().enumerate() {
        let result = match step {
            Step::CreateRole { name, trust_policy } => call(
                "iam:CreateRole",
                iam.create_role()
                    .role_name(name)
                    .assume_role_policy_document(trust_policy.to_string())
                    .description("Switch role from the management account (guardline org plan-roles)")
                    .send(),
            )
            .await
            .map(drop),
            Step::UpdateAssumeRolePolicy { name, trust_policy } => call(
                "iam:UpdateAssumeRolePolicy",
                iam.update_assume_role_policy()
                    .role_name(name)
                    .policy_document(trust_policy.to_string())
                    .send(),
            )
            .await
            .map(drop),
            Step::AttachRolePolicy { role, policy_arn } => call(
                "iam:AttachRolePolicy",
                iam.attach_role_policy().role_name(role).policy_arn(policy_arn).send(),
            )
            .await
            .map(drop),
            Step::CreateGroup { name } => {
                call("iam:CreateGroup", iam.create_group().group_name(name).send()).await.map(drop)
            }
            Step::PutGroupPolicy { group, policy_name, policy } => call(
                "iam:PutGroupPolicy",
                iam.put_group_policy()
                    .group_name(group)
                    .policy_name(policy_name)
                    .policy_document(policy.to_string())
                    .send(),
            )
            .await
            .map(drop),
        };
        if let Err(error) = result {
            return (done, Some(error));
        }
    }
    (steps.len(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `iam-policy --for org-roles` lists every action this file calls: each call wrapper's action in the source and
    /// each step's write.
    #[test]
    fn every_call_is_in_the_policy() {
        let source = include_str!("org_roles.rs");
        for piece in source.split("call(\"").skip(1) {
            let action = piece.split('"').next().unwrap();
            assert!(ACTIONS.contains(&action), "{action} is called but not in ACTIONS");
        }
        for step in [
            Step::CreateGroup { name: String::new() },
            Step::AttachRolePolicy { role: String::new(), policy_arn: String::new() },
        ] {
            assert!(ACTIONS.contains(&step.action()));
        }
    }

    fn policies() -> BTreeMap<String, String> {
        [("admin".to_owned(), "arn:aws:iam::aws:policy/AdministratorAccess".to_owned())].into()
    }

    #[test]
    fn member_accounts_get_roles_and_a_second_apply_does_nothing() {
        let roles = vec!["admin".to_owned(), "viewer".to_owned()];
        let want = desired("aws", "222222222222", "111111111111", &roles, &policies());
        let first = steps(&want, &[Current::default(), Current::default()]);
        assert_eq!(first.len(), 3, "{first:?}");
        assert!(matches!(&first[1], Step::AttachRolePolicy { role, .. } if role == "admin"));
        let Desired::Roles(specs) = &want else { panic!() };
        let done: Vec<Current> = specs
            .iter()
            .map(|spec| Current {
                exists: true,
                policy: Some(spec.trust_policy.clone()),
                attached: spec.managed_policy.iter().cloned().collect(),
            })
            .collect();
        assert!(steps(&want, &done).is_empty());
        // A role that exists with another trust policy is corrected, not recreated.
        let drifted =
            vec![Current { exists: true, policy: Some(json!({})), attached: vec![] }, done[1].clone()];
        let fix = steps(&want, &drifted);
        assert!(matches!(&fix[0], Step::UpdateAssumeRolePolicy { name, .. } if name == "admin"));
    }

    #[test]
    fn the_management_account_gets_groups() {
        let want = desired("aws", "111111111111", "111111111111", &["viewer".to_owned()], &policies());
        let Desired::Groups(groups) = &want else { panic!("{want:?}") };
        assert_eq!(groups[0].name, "switch-viewer");
        assert_eq!(groups[0].policy["Statement"][0]["Resource"], "arn:aws:iam::*:role/viewer");
        assert_eq!(steps(&want, &[]).len(), 2);
    }
}
