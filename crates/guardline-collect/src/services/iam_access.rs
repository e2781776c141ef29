//! IAM (account-wide) for the organisation controls (guideline 3-2): roles with their trust policies, and
//! who is granted what through user and group policies.
//!
//! Calls, for U users, G distinct groups of those users and P distinct customer-managed policies attached
//! to them: `iam:ListRoles` (paginated), `iam:ListUsers` (paginated), per user `iam:ListUserPolicies`,
//! `iam:ListAttachedUserPolicies` and `iam:ListGroupsForUser`, per group `iam:ListGroupPolicies` and
//! `iam:ListAttachedGroupPolicies`, one `iam:GetUserPolicy` / `iam:GetGroupPolicy` per inline policy, and
//! `iam:GetPolicy` + `iam:GetPolicyVersion` once per customer-managed policy: about 3U + 2G + 2P calls plus
//! one per inline policy. AWS-managed policies are recorded by ARN only; their documents are not read (the
//! rules know the ones that grant every action).
//!
//! Policy documents come URL-encoded from AWS (and raw from moto's ListRoles and GetPolicyVersion): a
//! document is percent-decoded only when it does not already start with `{`, and `+` is left alone.

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;
use futures::future::join_all;
use guardline_model::CollectError;
use guardline_model::inventory::iam::{
    AttachedPolicy, GroupPolicies, PolicyKind, PrincipalPolicies, Role, UserPolicies,
};

use super::GlobalPart;
use crate::cx::Cx;
use crate::error::malformed;

/// Roles and principal policies.
pub async fn collect(cx: &Cx, config: &SdkConfig) -> GlobalPart {
    let client = aws_sdk_iam::Client::new(config);
    let (roles, principals) = futures::join!(roles(cx, &client), principal_policies(cx, &client));
    Box::new(move |global| {
        global.roles = roles.into();
        global.principal_policies = principals.into();
    })
}

/// Decodes a policy document as IAM returns it: URL-encoded JSON (AWS) or raw JSON (some moto answers).
pub fn decode_policy(action: &str, document: &str) -> Result<serde_json::Value, CollectError> {
    let text = if document.trim_start().starts_with('{') {
        std::borrow::Cow::Borrowed(document)
    } else {
        percent_encoding::percent_decode_str(document)
            .decode_utf8()
            .map_err(|err| malformed(action, format!("policy document is not UTF-8: {err}")))?
    };
    serde_json::from_str(&text)
        .map_err(|err| malformed(action, format!("policy document is not JSON: {err}")))
}

/// `iam:ListRoles` with each role's trust policy.
async fn roles(cx: &Cx, client: &aws_sdk_iam::Client) -> Result<Vec<Role>, CollectError> {
    const ACTION: &str = "iam:ListRoles";
    let listed = cx
        .call(ACTION, client.list_roles().into_paginator().items().send().collect::<Result<Vec<_>, _>>())
        .await?;
    listed
        .iter()
        .map(|role| {
            Ok(Role {
                name: role.role_name().to_owned(),
                arn: role.arn().to_owned(),
                path: role.path().to_owned(),
                trust_policy: role
                    .assume_role_policy_document()
                    .map(|document| decode_policy(ACTION, document))
                    .transpose()?,
            })
        })
        .collect()
}

fn is_no_such_entity(error: &CollectError) -> bool {
    error.code.as_deref() == Some("NoSuchEntity")
}

/// Whether a managed policy ARN is AWS-managed (`arn:PARTITION:iam::aws:policy/...`).
fn is_aws_managed(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws")
}

/// Users with their direct policies and groups, and those groups' policies. Any failed call fails the
/// whole field (a partial answer could hide a grant); a user or group deleted while listing is skipped.
async fn principal_policies(
    cx: &Cx,
    client: &aws_sdk_iam::Client,
) -> Result<PrincipalPolicies, CollectError> {
    let users = cx
        .call(
            "iam:ListUsers",
            client.list_users().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    // Owned names: a closure over `&User` trips the compiler's higher-ranked lifetime inference in `Cx::each`.
    let names: Vec<(String, String)> =
        users.iter().map(|user| (user.user_name().to_owned(), user.arn().to_owned())).collect();
    let per_user = cx
        .each(names.into_iter().map(|(name, arn)| async move { user_links(cx, client, &name, &arn).await }));
    let mut links = Vec::new();
    for result in per_user.await {
        if let Some(found) = result? {
            links.push(found);
        }
    }
    let group_arns: BTreeMap<String, String> =
        links.iter().flat_map(|link| link.groups.iter().cloned()).collect();
    let group_names: Vec<String> = group_arns.keys().cloned().collect();
    let per_group =
        cx.each(group_names.into_iter().map(|name| async move { group_links(cx, client, &name).await }));
    let mut group_inline = Vec::new();
    for (name, result) in group_arns.keys().zip(per_group.await) {
        if let Some(found) = result? {
            group_inline.push((name.clone(), found));
        }
    }
    // Every customer-managed policy's default version, once.
    let managed: BTreeSet<String> = links
        .iter()
        .flat_map(|link| link.managed.iter())
        .chain(group_inline.iter().flat_map(|(_, group)| group.managed.iter()))
        .filter(|arn| !is_aws_managed(arn))
        .cloned()
        .collect();
    let documents = cx
        .each(managed.iter().cloned().map(|arn| async move { managed_document(cx, client, &arn).await }))
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let documents: BTreeMap<String, Option<serde_json::Value>> = managed.into_iter().zip(documents).collect();
    let attach = |inline: Vec<(String, serde_json::Value)>, attached: &[String]| {
        let mut policies: Vec<AttachedPolicy> = inline
            .into_iter()
            .map(|(name, document)| AttachedPolicy {
                name,
                kind: PolicyKind::Inline,
                document: Some(document),
            })
            .collect();
        for arn in attached {
            if is_aws_managed(arn) {
                policies.push(AttachedPolicy {
                    name: arn.clone(),
                    kind: PolicyKind::AwsManaged,
                    document: None,
                });
            } else if let Some(Some(document)) = documents.get(arn.as_str()) {
                policies.push(AttachedPolicy {
                    name: arn.clone(),
                    kind: PolicyKind::CustomerManaged,
                    document: Some(document.clone()),
                });
            }
        }
        policies
    };
    let mut out = PrincipalPolicies::default();
    for (name, group) in group_inline {
        out.groups.push(GroupPolicies {
            group_arn: group_arns.get(&name).cloned().unwrap_or_default(),
            group_name: name,
            policies: attach(group.inline, &group.managed),
        });
    }
    for link in links {
        out.users.push(UserPolicies {
            user_name: link.name,
            user_arn: link.arn,
            groups: link.groups.into_iter().map(|(name, _)| name).collect(),
            policies: attach(link.inline, &link.managed),
        });
    }
    Ok(out)
}

/// A user's or group's inline policies (name, document) and attached managed policy ARNs.
struct Links {
    name: String,
    arn: String,
    /// (group name, group ARN); empty for a group.
    groups: Vec<(String, String)>,
    inline: Vec<(String, serde_json::Value)>,
    managed: Vec<String>,
}

/// Treats `NoSuchEntity` (deleted while listing) as "skip".
fn skip_gone<T>(result: Result<T, CollectError>) -> Result<Option<T>, CollectError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(error) if is_no_such_entity(&error) => Ok(None),
        Err(error) => Err(error),
    }
}

async fn user_links(
    cx: &Cx,
    client: &aws_sdk_iam::Client,
    name: &str,
    arn: &str,
) -> Result<Option<Links>, CollectError> {
    let (inline_names, attached, groups) = futures::join!(
        cx.call(
            "iam:ListUserPolicies",
            client
                .list_user_policies()
                .user_name(name)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        ),
        cx.call(
            "iam:ListAttachedUserPolicies",
            client
                .list_attached_user_policies()
                .user_name(name)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        ),
        cx.call(
            "iam:ListGroupsForUser",
            client
                .list_groups_for_user()
                .user_name(name)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        ),
    );
    let (Some(inline_names), Some(attached), Some(groups)) =
        (skip_gone(inline_names)?, skip_gone(attached)?, skip_gone(groups)?)
    else {
        return Ok(None);
    };
    let documents = join_all(inline_names.iter().map(|policy| async move {
        const ACTION: &str = "iam:GetUserPolicy";
        let answer =
            cx.call(ACTION, client.get_user_policy().user_name(name).policy_name(policy).send()).await;
        match skip_gone(answer)? {
            Some(answer) => Ok(Some((policy.clone(), decode_policy(ACTION, answer.policy_document())?))),
            None => Ok(None),
        }
    }))
    .await;
    let mut inline = Vec::new();
    for document in documents {
        inline.extend(document?);
    }
    Ok(Some(Links {
        name: name.to_owned(),
        arn: arn.to_owned(),
        groups: groups.iter().map(|group| (group.group_name().to_owned(), group.arn().to_owned())).collect(),
        inline,
        managed: attached.iter().filter_map(|policy| policy.policy_arn()).map(str::to_owned).collect(),
    }))
}

async fn group_links(
    cx: &Cx,
    client: &aws_sdk_iam::Client,
    name: &str,
) -> Result<Option<Links>, CollectError> {
    let (inline_names, attached) = futures::join!(
        cx.call(
            "iam:ListGroupPolicies",
            client
                .list_group_policies()
                .group_name(name)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        ),
        cx.call(
            "iam:ListAttachedGroupPolicies",
            client
                .list_attached_group_policies()
                .group_name(name)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        ),
    );
    let (Some(inline_names), Some(attached)) = (skip_gone(inline_names)?, skip_gone(attached)?) else {
        return Ok(None);
    };
    let documents = join_all(inline_names.iter().map(|policy| async move {
        const ACTION: &str = "iam:GetGroupPolicy";
        let answer =
            cx.call(ACTION, client.get_group_policy().group_name(name).policy_name(policy).send()).await;
        match skip_gone(answer)? {
            Some(answer) => Ok(Some((policy.clone(), decode_policy(ACTION, answer.policy_document())?))),
            None => Ok(None),
        }
    }))
    .await;
    let mut inline = Vec::new();
    for document in documents {
        inline.extend(document?);
    }
    Ok(Some(Links {
        name: name.to_owned(),
        arn: String::new(),
        groups: Vec::new(),
        inline,
        managed: attached.iter().filter_map(|policy| policy.policy_arn()).map(str::to_owned).collect(),
    }))
}

/// `iam:GetPolicy` for the default version, then `iam:GetPolicyVersion`; `None` when the policy is gone.
async fn managed_document(
    cx: &Cx,
    client: &aws_sdk_iam::Client,
    arn: &str,
) -> Result<Option<serde_json::Value>, CollectError> {
    let Some(policy) = skip_gone(cx.call("iam:GetPolicy", client.get_policy().policy_arn(arn).send()).await)?
    else {
        return Ok(None);
    };
    let Some(version) = policy.policy().and_then(|policy| policy.default_version_id()) else {
        return Err(malformed("iam:GetPolicy", format!("{arn} has no default version")));
    };
    const ACTION: &str = "iam:GetPolicyVersion";
    let answer =
        cx.call(ACTION, client.get_policy_version().policy_arn(arn).version_id(version).send()).await;
    let Some(answer) = skip_gone(answer)? else {
        return Ok(None);
    };
    let document = answer
        .policy_version()
        .and_then(|version| version.document())
        .ok_or_else(|| malformed(ACTION, format!("{arn} version {version} has no document")))?;
    decode_policy(ACTION, document).map(Some)
}

/// The MFA device of IAM user `user` (`iam:ListMFADevices`), the first listed; for `guardline org
/// switch-roles`' `mfa_serial`, not part of a scan. `None` when the user has none.
pub async fn mfa_serial(cx: &Cx, config: &SdkConfig, user: &str) -> Result<Option<String>, CollectError> {
    let client = aws_sdk_iam::Client::new(config);
    let answer = cx.call("iam:ListMFADevices", client.list_mfa_devices().user_name(user).send()).await?;
    Ok(answer.mfa_devices().first().map(|device| device.serial_number().to_owned()))
}
