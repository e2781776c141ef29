//! Organisation data against moto: DescribeOrganization (in an organization or not), roles with their
//! trust policies, and users' direct and group policies (guideline 3-2, ORG-*).

use guardline_model::inventory::iam::PolicyKind;
use guardline_model::inventory::organizations::Organization;
use serde_json::json;

use crate::harness::Account;

#[tokio::test]
async fn not_in_an_organization_is_data() {
    let account = Account::new().await;
    let snapshot = account.collect(&["ap-northeast-1"]).await.snapshot;
    assert_eq!(snapshot.global.organization.get().unwrap(), &None);
    assert!(snapshot.global.roles.get().unwrap().is_empty());
    assert!(snapshot.global.principal_policies.get().unwrap().users.is_empty());
}

#[tokio::test]
async fn management_account_of_an_organization() {
    let account = Account::new().await;
    let client = aws_sdk_organizations::Client::new(&account.config);
    let created = client
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    let org_id = created.organization().unwrap().id().unwrap().to_owned();
    let snapshot = account.collect(&["ap-northeast-1"]).await.snapshot;
    assert_eq!(
        snapshot.global.organization.get().unwrap(),
        &Some(Organization { id: org_id, management_account_id: account.id.clone() })
    );
}

#[tokio::test]
async fn roles_users_and_groups() {
    let account = Account::new().await;
    let iam = aws_sdk_iam::Client::new(&account.config);
    let trust = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        }]
    });
    iam.create_role().role_name("admin").assume_role_policy_document(trust.to_string()).send().await.unwrap();
    let assume = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/admin"}]
    });
    let read = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]
    });
    // alice: an inline policy of her own and a customer-managed one; bob: only through the group.
    for user in ["alice", "bob"] {
        iam.create_user().user_name(user).send().await.unwrap();
    }
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("assume-admin")
        .policy_document(assume.to_string())
        .send()
        .await
        .unwrap();
    let managed = iam.create_policy().policy_name("read-s3").policy_document(read.to_string()).send().await;
    let managed_arn = managed.unwrap().policy().unwrap().arn().unwrap().to_owned();
    iam.attach_user_policy().user_name("alice").policy_arn(&managed_arn).send().await.unwrap();
    iam.create_group().group_name("admins").send().await.unwrap();
    iam.put_group_policy()
        .group_name("admins")
        .policy_name("assume-admin")
        .policy_document(assume.to_string())
        .send()
        .await
        .unwrap();
    iam.attach_group_policy().group_name("admins").policy_arn(&managed_arn).send().await.unwrap();
    iam.add_user_to_group().group_name("admins").user_name("bob").send().await.unwrap();

    let snapshot = account.collect(&["ap-northeast-1"]).await.snapshot;
    let roles = snapshot.global.roles.get().unwrap();
    let admin = roles.iter().find(|role| role.name == "admin").unwrap();
    assert_eq!(admin.arn, format!("arn:aws:iam::{}:role/admin", account.id));
    assert_eq!(admin.trust_policy.as_ref().unwrap(), &trust);

    let principals = snapshot.global.principal_policies.get().unwrap();
    let alice = principals.users.iter().find(|user| user.user_name == "alice").unwrap();
    assert!(alice.groups.is_empty());
    let inline = alice.policies.iter().find(|policy| policy.kind == PolicyKind::Inline).unwrap();
    assert_eq!((inline.name.as_str(), inline.document.as_ref().unwrap()), ("assume-admin", &assume));
    let customer = alice.policies.iter().find(|policy| policy.kind == PolicyKind::CustomerManaged).unwrap();
    assert_eq!((customer.name.as_str(), customer.document.as_ref().unwrap()), (managed_arn.as_str(), &read));
    let bob = principals.users.iter().find(|user| user.user_name == "bob").unwrap();
    assert_eq!(bob.groups, ["admins"]);
    assert!(bob.policies.is_empty());
    assert_eq!(principals.groups.len(), 1);
    let group = &principals.groups[0];
    assert_eq!(group.group_name, "admins");
    assert_eq!(group.group_arn, format!("arn:aws:iam::{}:group/admins", account.id));
    assert_eq!(group.policies.len(), 2);
    assert!(
        group.policies.iter().any(|p| p.kind == PolicyKind::Inline && p.document.as_ref() == Some(&assume))
    );
    assert!(group.policies.iter().any(|p| p.kind == PolicyKind::CustomerManaged && p.name == managed_arn));
}
