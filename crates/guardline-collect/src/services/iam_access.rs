//! IAM (account-wide) for the organisation controls (guideline 3-2): roles with their trust policies, and
//! who is granted what through user and group policies.
//!
//! Calls: `iam:GetAccountAuthorizationDetails` (paginated, filtered to users, groups, roles and
//! customer-managed policies), whatever the number of users: each user comes with their inline policies,
//! attached managed policy ARNs and group names, each group with its inline and attached policies, each role
//! with its trust policy, and each customer-managed policy with its versions (the default one is read).
//! AWS-managed policies are recorded by ARN only; their documents are not read (the rules know the ones that
//! grant every action), so the `AWSManagedPolicy` filter is not asked for.
//!
//! Only what the per-principal calls used to return is recorded: the groups of the account's users (not groups
//! without members), and the documents of the customer-managed policies attached to those users and groups.
//!
//! Policy documents come URL-encoded from AWS (and raw from moto's trust policies in this answer): a document
//! is percent-decoded only when it does not already start with `{`, and `+` is left alone.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_config::SdkConfig;
use aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput;
use aws_sdk_iam::types::{EntityType, PolicyDetail};
use guardline_model::CollectError;
use guardline_model::inventory::iam::{
    AttachedPolicy, GroupPolicies, PolicyKind, PrincipalPolicies, Role, UserPolicies,
};

use super::GlobalPart;
use crate::cx::Cx;
use crate::error::malformed;

/// The action every document of this collector comes from.
const ACTION: &str = "iam:GetAccountAuthorizationDetails";

/// Roles and principal policies.
pub async fn collect(cx: &Cx, config: &SdkConfig) -> GlobalPart {
    let client = aws_sdk_iam::Client::new(config);
    let (roles, principals) = match authorization_details(cx, &client).await {
        Ok(pages) => (roles(&pages), principal_policies(&pages)),
        Err(error) => (Err(error.clone()), Err(error)),
    };
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

/// Every page of `iam:GetAccountAuthorizationDetails` for users, groups, roles and customer-managed policies.
async fn authorization_details(
    cx: &Cx,
    client: &aws_sdk_iam::Client,
) -> Result<Vec<GetAccountAuthorizationDetailsOutput>, CollectError> {
    cx.call(
        ACTION,
        client
            .get_account_authorization_details()
            .filter(EntityType::User)
            .filter(EntityType::Group)
            .filter(EntityType::Role)
            .filter(EntityType::LocalManagedPolicy)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )
    .await
}

/// Every role with its trust policy, in the order IAM lists them.
fn roles(pages: &[GetAccountAuthorizationDetailsOutput]) -> Result<Vec<Role>, CollectError> {
    pages
        .iter()
        .flat_map(|page| page.role_detail_list())
        .map(|role| {
            Ok(Role {
                name: required(role.role_name(), "a role without RoleName")?.to_owned(),
                arn: required(role.arn(), "a role without Arn")?.to_owned(),
                path: role.path().unwrap_or_default().to_owned(),
                trust_policy: role
                    .assume_role_policy_document()
                    .map(|document| decode_policy(ACTION, document))
                    .transpose()?,
            })
        })
        .collect()
}

fn required<'a>(value: Option<&'a str>, what: &str) -> Result<&'a str, CollectError> {
    value.ok_or_else(|| malformed(ACTION, format!("the answer has {what}")))
}

/// Whether a managed policy ARN is AWS-managed (`arn:PARTITION:iam::aws:policy/...`).
fn is_aws_managed(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws")
}

/// Inline policies (name, decoded document), in the order IAM lists them.
fn inline_policies(list: &[PolicyDetail]) -> Result<Vec<(String, serde_json::Value)>, CollectError> {
    list.iter()
        .map(|policy| {
            let name = required(policy.policy_name(), "an inline policy without PolicyName")?;
            let document = required(policy.policy_document(), "an inline policy without PolicyDocument")?;
            Ok((name.to_owned(), decode_policy(ACTION, document)?))
        })
        .collect()
}

/// Users with their direct policies and groups, and those groups' policies.
fn principal_policies(
    pages: &[GetAccountAuthorizationDetailsOutput],
) -> Result<PrincipalPolicies, CollectError> {
    let mut links = Vec::new();
    for user in pages.iter().flat_map(|page| page.user_detail_list()) {
        links.push(Links {
            name: required(user.user_name(), "a user without UserName")?.to_owned(),
            arn: required(user.arn(), "a user without Arn")?.to_owned(),
            groups: user.group_list().to_vec(),
            inline: inline_policies(user.user_policy_list())?,
            managed: user
                .attached_managed_policies()
                .iter()
                .filter_map(|p| p.policy_arn())
                .map(str::to_owned)
                .collect(),
        });
    }
    // The groups of those users, by name (a group missing from the answer, deleted meanwhile, is skipped).
    let member_groups: BTreeSet<&str> =
        links.iter().flat_map(|link| link.groups.iter().map(String::as_str)).collect();
    let mut groups: BTreeMap<String, Links> = BTreeMap::new();
    for group in pages.iter().flat_map(|page| page.group_detail_list()) {
        let name = required(group.group_name(), "a group without GroupName")?;
        if !member_groups.contains(name) {
            continue;
        }
        groups.insert(
            name.to_owned(),
            Links {
                name: name.to_owned(),
                arn: required(group.arn(), "a group without Arn")?.to_owned(),
                groups: Vec::new(),
                inline: inline_policies(group.group_policy_list())?,
                managed: group
                    .attached_managed_policies()
                    .iter()
                    .filter_map(|p| p.policy_arn())
                    .map(str::to_owned)
                    .collect(),
            },
        );
    }
    // The default version of every customer-managed policy attached to them, once; a policy missing from the
    // answer (deleted meanwhile) is skipped.
    let attached: BTreeSet<&str> = links
        .iter()
        .chain(groups.values())
        .flat_map(|link| link.managed.iter().map(String::as_str))
        .filter(|arn| !is_aws_managed(arn))
        .collect();
    let mut documents: HashMap<&str, serde_json::Value> = HashMap::new();
    for policy in pages.iter().flat_map(|page| page.policies()) {
        let Some(arn) = policy.arn().filter(|arn| attached.contains(arn)) else {
            continue;
        };
        let Some(version) = policy.default_version_id() else {
            return Err(malformed(ACTION, format!("{arn} has no default version")));
        };
        let document = policy
            .policy_version_list()
            .iter()
            .find(|listed| listed.version_id() == Some(version))
            .and_then(|listed| listed.document())
            .ok_or_else(|| malformed(ACTION, format!("{arn} version {version} has no document")))?;
        documents.insert(arn, decode_policy(ACTION, document)?);
    }
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
            } else if let Some(document) = documents.get(arn.as_str()) {
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
    for (name, group) in groups {
        out.groups.push(GroupPolicies {
            group_name: name,
            group_arn: group.arn.clone(),
            policies: attach(group.inline, &group.managed),
        });
    }
    for link in links {
        out.users.push(UserPolicies {
            user_name: link.name,
            user_arn: link.arn,
            groups: link.groups,
            policies: attach(link.inline, &link.managed),
        });
    }
    Ok(out)
}

/// A user's or group's inline policies (name, document) and attached managed policy ARNs.
struct Links {
    name: String,
    arn: String,
    /// Group names; empty for a group.
    groups: Vec<String>,
    inline: Vec<(String, serde_json::Value)>,
    managed: Vec<String>,
}

#[cfg(test)]
mod tests {
    use aws_sdk_iam::types::{RoleDetail, UserDetail};
    use guardline_model::ErrorKind;
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn documents_decode_raw_or_url_encoded() {
        let raw = r#"{"Version": "2012-10-17", "Statement": []}"#;
        let encoded = "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%5D%7D";
        assert_eq!(decode_policy(ACTION, raw).unwrap(), decode_policy(ACTION, encoded).unwrap());
        assert_eq!(decode_policy(ACTION, encoded).unwrap()["Version"], "2012-10-17");
    }

    #[test]
    fn a_malformed_document_is_a_malformed_error_naming_the_call() {
        for (document, why) in
            [("%7Bnot json", "not JSON"), ("%FF%FE", "not UTF-8"), ("{\"Version\":", "not JSON")]
        {
            let error = decode_policy("iam:GetAccountAuthorizationDetails", document).unwrap_err();
            assert_eq!(error.kind, ErrorKind::Malformed, "{document}");
            assert_eq!(error.action, "iam:GetAccountAuthorizationDetails");
            assert!(error.message.contains(why), "{document}: {error}");
        }
    }

    /// What AWS answers with a broken document becomes the field's error (NOT EVALUATED for the controls that
    /// read it), not a panic and not a silently empty list.
    #[test]
    fn a_malformed_document_in_the_answer_makes_the_field_an_error() {
        let user = UserDetail::builder()
            .user_name("alice")
            .arn("arn:aws:iam::123456789012:user/alice")
            .user_policy_list(PolicyDetail::builder().policy_name("p").policy_document("%7Bbroken").build())
            .build();
        let page = GetAccountAuthorizationDetailsOutput::builder().user_detail_list(user).build();
        let error = principal_policies(&[page]).map(|_| ()).unwrap_err();
        assert_eq!((error.kind, error.action.as_str()), (ErrorKind::Malformed, ACTION));

        let role = RoleDetail::builder()
            .role_name("admin")
            .arn("arn:aws:iam::123456789012:role/admin")
            .assume_role_policy_document("not a policy")
            .build();
        let page = GetAccountAuthorizationDetailsOutput::builder().role_detail_list(role).build();
        assert_eq!(roles(&[page]).unwrap_err().kind, ErrorKind::Malformed);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn any_text_decodes_or_is_malformed(document in any::<String>()) {
            if let Err(error) = decode_policy(ACTION, &document) {
                prop_assert_eq!(error.kind, ErrorKind::Malformed);
            }
        }

        #[test]
        fn mangled_documents_never_panic(cut in 0usize..80, splice in "[%{}\"\\[\\]:,A-F0-9 ]{0,8}") {
            let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%7D%5D%7D";
            let cut = cut.min(encoded.len());
            let mangled = format!("{}{splice}{}", &encoded[..cut], &encoded[cut..]);
            if let Err(error) = decode_policy(ACTION, &mangled) {
                prop_assert_eq!(error.kind, ErrorKind::Malformed);
            }
        }
    }
}
