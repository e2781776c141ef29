//! Users' keys, policies and groups from account-wide answers (`iam:GetAccountAuthorizationDetails`, the
//! credential report): the same inventory the per-user calls give, with a number of IAM requests that does not
//! grow with the users who have no key.

use std::collections::BTreeMap;

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_iam::types::StatusType;
use guardline_collect::services::iam_access::decode_policy;
use guardline_model::inventory::iam::{
    AccessKey, AttachedPolicy, GroupPolicies, PolicyKind, PrincipalPolicies, UserPolicies,
};
use jiff::Timestamp;
use serde_json::json;

use crate::harness::Account;

fn timestamp(time: &aws_smithy_types::DateTime) -> Timestamp {
    Timestamp::new(time.secs(), i32::try_from(time.subsec_nanos()).unwrap()).unwrap()
}

/// `user` with an inline policy, the customer-managed policy `managed_arn` and membership of `group`; with
/// an access key when `key`.
async fn seed_user(iam: &aws_sdk_iam::Client, user: &str, group: &str, managed_arn: &str, key: bool) {
    iam.create_user().user_name(user).send().await.unwrap();
    let own = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": format!("arn:aws:iam::*:role/{user}+x")}]
    });
    iam.put_user_policy()
        .user_name(user)
        .policy_name(format!("{user}-own"))
        .policy_document(own.to_string())
        .send()
        .await
        .unwrap();
    iam.attach_user_policy().user_name(user).policy_arn(managed_arn).send().await.unwrap();
    iam.add_user_to_group().group_name(group).user_name(user).send().await.unwrap();
    if key {
        iam.create_access_key().user_name(user).send().await.unwrap();
    }
}

/// An account with `users` such users (the first with an access key, the others without), a group with an
/// inline and an attached policy, a customer-managed policy with two versions (the second the default) and a
/// role.
async fn seeded_account(users: usize) -> (Account, aws_sdk_iam::Client) {
    let account = Account::new().await;
    let iam = aws_sdk_iam::Client::new(&account.config);
    let read = |action: &str| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]});
    let managed = iam
        .create_policy()
        .policy_name("read")
        .policy_document(read("s3:Get*").to_string())
        .send()
        .await
        .unwrap();
    let managed_arn = managed.policy().unwrap().arn().unwrap().to_owned();
    iam.create_policy_version()
        .policy_arn(&managed_arn)
        .policy_document(read("ec2:Describe*").to_string())
        .set_as_default(true)
        .send()
        .await
        .unwrap();
    iam.create_group().group_name("team").send().await.unwrap();
    iam.put_group_policy()
        .group_name("team")
        .policy_name("team-inline")
        .policy_document(read("logs:Get*").to_string())
        .send()
        .await
        .unwrap();
    iam.attach_group_policy().group_name("team").policy_arn(&managed_arn).send().await.unwrap();
    // A group nobody belongs to is not recorded (the per-user calls never saw it).
    iam.create_group().group_name("empty").send().await.unwrap();
    let trust = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]
    });
    iam.create_role().role_name("admin").assume_role_policy_document(trust.to_string()).send().await.unwrap();
    for index in 0..users {
        seed_user(&iam, &format!("user{index}"), "team", &managed_arn, index == 0).await;
    }
    (account, iam)
}

/// The inventory as the per-user calls give it (what Guardline collected before reading the account-wide
/// answers): ListUsers, then ListAccessKeys + GetAccessKeyLastUsed, ListUserPolicies + GetUserPolicy,
/// ListAttachedUserPolicies + GetPolicy + GetPolicyVersion, ListGroupsForUser, and the groups' calls.
async fn per_user_inventory(iam: &aws_sdk_iam::Client) -> (Vec<AccessKey>, PrincipalPolicies) {
    let users = iam.list_users().send().await.unwrap().users().to_vec();
    let mut keys = Vec::new();
    let mut principals = PrincipalPolicies::default();
    let mut groups = BTreeMap::new();
    let managed = |arn: String| async move {
        let policy = iam.get_policy().policy_arn(&arn).send().await.unwrap();
        let version = policy.policy().unwrap().default_version_id().unwrap().to_owned();
        let answer = iam.get_policy_version().policy_arn(&arn).version_id(version).send().await.unwrap();
        let document = answer.policy_version().unwrap().document().unwrap().to_owned();
        AttachedPolicy {
            name: arn,
            kind: PolicyKind::CustomerManaged,
            document: Some(decode_policy("test", &document).unwrap()),
        }
    };
    for user in &users {
        let name = user.user_name();
        for key in iam.list_access_keys().user_name(name).send().await.unwrap().access_key_metadata() {
            let id = key.access_key_id().unwrap();
            let used = iam.get_access_key_last_used().access_key_id(id).send().await.unwrap();
            let used = used.access_key_last_used();
            let known = |value: Option<&str>| value.filter(|v| *v != "N/A").map(str::to_owned);
            keys.push(AccessKey {
                user_name: name.to_owned(),
                user_arn: user.arn().to_owned(),
                access_key_id: id.to_owned(),
                active: key.status() == Some(&StatusType::Active),
                created: key.create_date().map(timestamp),
                last_used: used.and_then(|u| u.last_used_date()).map(timestamp),
                last_used_service: known(used.map(|u| u.service_name())),
                last_used_region: known(used.map(|u| u.region())),
            });
        }
        let mut policies = Vec::new();
        for policy in iam.list_user_policies().user_name(name).send().await.unwrap().policy_names() {
            let answer = iam.get_user_policy().user_name(name).policy_name(policy).send().await.unwrap();
            policies.push(AttachedPolicy {
                name: policy.clone(),
                kind: PolicyKind::Inline,
                document: Some(decode_policy("test", answer.policy_document()).unwrap()),
            });
        }
        let attached = iam.list_attached_user_policies().user_name(name).send().await.unwrap();
        for policy in attached.attached_policies() {
            policies.push(managed(policy.policy_arn().unwrap().to_owned()).await);
        }
        let member_of = iam.list_groups_for_user().user_name(name).send().await.unwrap().groups().to_vec();
        for group in &member_of {
            groups.insert(group.group_name().to_owned(), group.arn().to_owned());
        }
        principals.users.push(UserPolicies {
            user_name: name.to_owned(),
            user_arn: user.arn().to_owned(),
            groups: member_of.iter().map(|group| group.group_name().to_owned()).collect(),
            policies,
        });
    }
    for (name, arn) in groups {
        let mut policies = Vec::new();
        for policy in iam.list_group_policies().group_name(&name).send().await.unwrap().policy_names() {
            let answer = iam.get_group_policy().group_name(&name).policy_name(policy).send().await.unwrap();
            policies.push(AttachedPolicy {
                name: policy.clone(),
                kind: PolicyKind::Inline,
                document: Some(decode_policy("test", answer.policy_document()).unwrap()),
            });
        }
        let attached = iam.list_attached_group_policies().group_name(&name).send().await.unwrap();
        for policy in attached.attached_policies() {
            policies.push(managed(policy.policy_arn().unwrap().to_owned()).await);
        }
        principals.groups.push(GroupPolicies { group_name: name, group_arn: arn, policies });
    }
    (keys, principals)
}

/// The IAM actions of a collection and how often each was called.
fn iam_calls(calls: &BTreeMap<&'static str, u32>) -> BTreeMap<&'static str, u32> {
    calls.iter().filter(|(action, _)| action.starts_with("iam:")).map(|(a, n)| (*a, *n)).collect()
}

#[tokio::test]
async fn account_wide_answers_give_the_per_user_inventory() {
    let (account, iam) = seeded_account(3).await;
    // A second key of user0, used once: its last use (date, service, region) must be the same too.
    let used = iam.create_access_key().user_name("user0").send().await.unwrap().access_key.unwrap();
    let key_config = account
        .config
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            used.access_key_id(),
            used.secret_access_key(),
            None,
            None,
            "user-key",
        )))
        .build();
    aws_sdk_sts::Client::new(&key_config).get_caller_identity().send().await.unwrap();
    // user2's only key, never used: its last use comes from the report.
    iam.create_access_key().user_name("user2").send().await.unwrap();
    let (keys, principals) = per_user_inventory(&iam).await;
    assert_eq!(keys.len(), 3);
    assert!(keys.iter().any(|key| key.last_used_service.as_deref() == Some("sts")));
    assert_eq!(principals.users.len(), 3);
    assert_eq!(principals.groups.len(), 1, "only the group with members");

    let output = account.collect(&["ap-northeast-1"]).await;
    let global = &output.snapshot.global;
    assert_eq!(global.access_keys.get().unwrap(), &keys);
    assert_eq!(global.principal_policies.get().unwrap(), &principals);
    assert_eq!(output.calls["iam:ListAccessKeys"], 2, "user0 and user2");
    assert!(output.calls["iam:GetAccessKeyLastUsed"] <= 2, "never for user2's key");
    let user0 = &principals.users[0];
    assert_eq!(user0.groups, ["team"]);
    assert_eq!(
        user0.policies.iter().map(|policy| policy.kind).collect::<Vec<_>>(),
        [PolicyKind::Inline, PolicyKind::CustomerManaged]
    );
    assert_eq!(
        user0.policies[1].document.as_ref().unwrap()["Statement"][0]["Action"],
        "ec2:Describe*",
        "the default version"
    );
    let roles = global.roles.get().unwrap();
    let admin = roles.iter().find(|role| role.name == "admin").unwrap();
    let role = iam.get_role().role_name("admin").send().await.unwrap().role.unwrap();
    assert_eq!((admin.arn.as_str(), admin.path.as_str()), (role.arn(), role.path()));
    assert_eq!(
        admin.trust_policy.as_ref(),
        Some(&decode_policy("test", role.assume_role_policy_document().unwrap()).unwrap())
    );
}

#[tokio::test]
async fn iam_requests_do_not_grow_with_users() {
    let (one, _) = seeded_account(1).await;
    let (six, _) = seeded_account(6).await;
    let one = one.collect(&["ap-northeast-1"]).await;
    let six = six.collect(&["ap-northeast-1"]).await;
    assert_eq!(six.snapshot.global.principal_policies.get().unwrap().users.len(), 6);
    assert_eq!(six.snapshot.global.access_keys.get().unwrap().len(), 1);
    // moto answers every listing here in one page, so calls are requests.
    let calls = iam_calls(&one.calls);
    assert_eq!(calls, iam_calls(&six.calls), "five more users (with policies and a group, no key)");
    assert_eq!(calls.get("iam:GetAccountAuthorizationDetails"), Some(&1));
    assert_eq!(calls.get("iam:ListAccessKeys"), Some(&1), "only the user whose report row shows a key");
    assert_eq!(calls.get("iam:GetAccessKeyLastUsed"), None, "the unused key's last use is in the report");
    for gone in
        ["iam:ListUserPolicies", "iam:ListAttachedUserPolicies", "iam:ListGroupsForUser", "iam:GetPolicy"]
    {
        assert_eq!(calls.get(gone), None, "{gone}");
    }
}
