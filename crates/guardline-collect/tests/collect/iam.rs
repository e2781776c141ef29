//! IAM collector against moto: the credential report, MFA devices, access keys and their last use, the
//! password policy and the account alias.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_iam::types::StatusType;
use guardline_model::inventory::iam::{AccountSummary, PasswordPolicy};

use crate::harness::Account;

#[tokio::test]
async fn users_mfa_keys_password_policy_and_alias() {
    let account = Account::new().await;
    let iam = aws_sdk_iam::Client::new(&account.config);
    for name in ["console-mfa", "console-only", "with-keys", "nothing"] {
        iam.create_user().user_name(name).send().await.unwrap();
    }
    for name in ["console-mfa", "console-only"] {
        iam.create_login_profile().user_name(name).password("Correct-Horse-9").send().await.unwrap();
    }
    let device = iam.create_virtual_mfa_device().virtual_mfa_device_name("console-mfa").send().await.unwrap();
    let serial = device.virtual_mfa_device().unwrap().serial_number().to_owned();
    iam.enable_mfa_device()
        .user_name("console-mfa")
        .serial_number(&serial)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await
        .unwrap();
    let used = iam.create_access_key().user_name("with-keys").send().await.unwrap().access_key.unwrap();
    let unused = iam.create_access_key().user_name("with-keys").send().await.unwrap().access_key.unwrap();
    iam.update_access_key()
        .user_name("with-keys")
        .access_key_id(unused.access_key_id())
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();
    // One call signed with the first key makes it "used" (service sts, region ap-northeast-1).
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
    let me = aws_sdk_sts::Client::new(&key_config).get_caller_identity().send().await.unwrap();
    assert_eq!(me.account(), Some(account.id.as_str()));
    iam.update_account_password_policy()
        .minimum_password_length(14)
        .require_symbols(true)
        .require_numbers(true)
        .require_uppercase_characters(true)
        .allow_users_to_change_password(true)
        .max_password_age(90)
        .password_reuse_prevention(24)
        .send()
        .await
        .unwrap();
    let alias = format!("guardline-{}", account.id);
    iam.create_account_alias().account_alias(&alias).send().await.unwrap();

    let output = account.collect(&["ap-northeast-1"]).await;
    let global = &output.snapshot.global;
    let arn = |user: &str| format!("arn:aws:iam::{}:user/{user}", account.id);

    let report = global.credential_report.get().unwrap();
    assert!(report.generated_at.is_some());
    assert_eq!(report.root, None, "moto's report has no root row");
    let mut names: Vec<&str> = report.users.iter().map(|user| user.user.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["console-mfa", "console-only", "nothing", "with-keys"]);
    let row = |name: &str| report.users.iter().find(|user| user.user == name).unwrap();
    let now = output.snapshot.collected_at;
    for user in &report.users {
        assert_eq!(user.arn, arn(&user.user));
        let created = user.created.expect("creation time");
        assert!(created.duration_until(now).as_secs() < 600, "created just now: {created}");
        assert_eq!(user.password_last_used, None, "no_information / not_supported are None");
    }
    assert!(row("console-mfa").password_enabled && row("console-mfa").mfa_active);
    assert!(row("console-only").password_enabled && !row("console-only").mfa_active);
    assert!(!row("nothing").password_enabled && !row("nothing").mfa_active);
    assert!(row("nothing").access_keys.is_empty());
    let slots = &row("with-keys").access_keys;
    assert_eq!(slots.iter().map(|key| (key.slot, key.active)).collect::<Vec<_>>(), [(1, true), (2, false)]);
    assert!(slots.iter().all(|key| key.last_rotated.is_some()));
    assert!(slots[0].last_used.is_some(), "the first key signed a call");
    assert_eq!(slots[1].last_used, None);

    assert_eq!(
        global.account_summary.get().unwrap(),
        &AccountSummary { root_mfa_enabled: false, root_access_keys_present: false }
    );

    let devices = global.virtual_mfa_devices.get().unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].serial_number, serial);
    assert_eq!(devices[0].user_arn, Some(arn("console-mfa")));

    let mut keys = global.access_keys.get().unwrap().clone();
    keys.sort_by_key(|key| !key.active);
    assert_eq!(keys.len(), 2);
    let (first, second) = (&keys[0], &keys[1]);
    assert_eq!(
        (first.user_name.as_str(), first.user_arn.clone(), first.access_key_id.as_str(), first.active),
        ("with-keys", arn("with-keys"), used.access_key_id(), true)
    );
    assert!(first.created.is_some());
    assert!(first.last_used.is_some());
    assert_eq!(first.last_used_service.as_deref(), Some("sts"));
    assert_eq!(first.last_used_region.as_deref(), Some("ap-northeast-1"));
    assert_eq!((second.access_key_id.as_str(), second.active), (unused.access_key_id(), false));
    assert_eq!(
        (second.last_used, second.last_used_service.clone(), second.last_used_region.clone()),
        (None, None, None)
    );

    assert_eq!(
        global.password_policy.get().unwrap(),
        &Some(PasswordPolicy {
            minimum_length: Some(14),
            require_symbols: true,
            require_numbers: true,
            require_uppercase: true,
            require_lowercase: false,
            allow_users_to_change: true,
            max_age_days: Some(90),
            reuse_prevention: Some(24),
            hard_expiry: false,
        })
    );
    assert_eq!(global.account_aliases.get().unwrap(), &[alias]);
    // Only the user whose credential report row shows keys is listed. moto's report has no region or
    // service of a use, so the used key is asked about; so is a key whose creation second it shares.
    assert_eq!(output.calls["iam:ListAccessKeys"], 1);
    assert!((1..=2).contains(&output.calls["iam:GetAccessKeyLastUsed"]));
}

#[tokio::test]
async fn empty_account_has_no_policy_alias_users_or_keys() {
    let account = Account::new().await;
    let output = account.collect(&["ap-northeast-1"]).await;
    let global = &output.snapshot.global;
    let report = global.credential_report.get().unwrap();
    assert_eq!((report.root.as_ref(), report.users.len()), (None, 0));
    assert_eq!(global.password_policy.get().unwrap(), &None);
    assert!(global.account_aliases.get().unwrap().is_empty());
    assert!(global.access_keys.get().unwrap().is_empty());
    assert!(global.virtual_mfa_devices.get().unwrap().is_empty());
    assert!(!global.account_summary.get().unwrap().root_mfa_enabled);
    assert!(output.calls["iam:GenerateCredentialReport"] >= 1);
    assert_eq!(output.calls["iam:GetCredentialReport"], 1);
}
