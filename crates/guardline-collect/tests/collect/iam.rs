//! IAM collector against moto: the credential report, MFA devices, access keys and their last use, the
//! password policy and the account alias.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_iam::types::StatusType;
use guardline_model::inventory::iam::{AccountSummary, EveryUserReason, PasswordPolicy};

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

/// A credential report as IAM returns it (query protocol): `COMPLETE` with the report it generated earlier
/// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateCredentialReport.html: "If a report
/// exists and is less than four hours old... ", the user guide: "IAM first checks whether a report for the
/// AWS account has been generated within the past four hours. If so, the most recent report is downloaded")
/// with its `GeneratedTime` (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetCredentialReport.html).
fn serve_old_report(account: &Account, generated_at: jiff::Timestamp, rows: &[&str]) {
    let header = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,\
password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,\
access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,\
access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,\
cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
    let id = &account.id;
    let mut csv = format!("{header}\n");
    for user in rows {
        csv.push_str(&format!(
            "{user},arn:aws:iam::{id}:user/{user},2026-01-05T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,\
N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        ));
    }
    let content = aws_smithy_types::base64::encode(csv);
    let generated = generated_at.strftime("%Y-%m-%dT%H:%M:%SZ");
    account.serve(serde_json::json!({
        "service": "iam", "operation": "GenerateCredentialReport", "region": "*",
        "reference": "https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateCredentialReport.html",
        "body": "<GenerateCredentialReportResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
    <GenerateCredentialReportResult><State>COMPLETE</State></GenerateCredentialReportResult>\
    <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GenerateCredentialReportResponse>"
    }));
    account.serve(serde_json::json!({
        "service": "iam", "operation": "GetCredentialReport", "region": "*",
        "reference": "https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetCredentialReport.html",
        "body": format!("<GetCredentialReportResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
    <GetCredentialReportResult><Content>{content}</Content><ReportFormat>text/csv</ReportFormat>\
    <GeneratedTime>{generated}</GeneratedTime></GetCredentialReportResult>\
    <ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></GetCredentialReportResponse>")
    }));
}

/// Users alice and bob, both in a three-hour-old report without a key; then a key for alice. Returns it.
async fn key_created_after_the_report(account: &Account) -> String {
    let iam = aws_sdk_iam::Client::new(&account.config);
    for user in ["alice", "bob"] {
        iam.create_user().user_name(user).send().await.unwrap();
    }
    let three_hours_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(3);
    serve_old_report(account, three_hours_ago, &["alice", "bob"]);
    let key = iam.create_access_key().user_name("alice").send().await.unwrap();
    key.access_key().unwrap().access_key_id().to_owned()
}

/// The key is in no row of the reused report; CloudTrail's event history (served by the test extension from
/// the CreateAccessKey calls made through it) names alice, so her keys are listed, and bob relies on the
/// report.
#[tokio::test]
async fn a_key_created_after_the_reused_credential_report_is_found_through_cloudtrail() {
    let account = Account::new().await;
    let key = key_created_after_the_report(&account).await;
    let output = account.collect(&["ap-northeast-1"]).await;
    let global = &output.snapshot.global;
    let keys: Vec<&str> =
        global.access_keys.get().unwrap().iter().map(|key| key.access_key_id.as_str()).collect();
    assert_eq!(keys, [key.as_str()]);
    let listing = global.access_key_listing.get().unwrap();
    assert!(!listing.every_user, "{listing:?}");
    assert_eq!(listing.created_since_report, ["alice"]);
    assert_eq!(output.calls["iam:ListAccessKeys"], 1, "alice only: bob relies on the report");
    assert_eq!(output.calls["cloudtrail:LookupEvents"], 1);
}

/// LookupEvents denied (AccessDeniedException, as CloudTrail answers a caller without
/// cloudtrail:LookupEvents: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html):
/// every user's keys are listed, and the listing says why.
#[tokio::test]
async fn without_cloudtrail_event_history_every_users_keys_are_listed() {
    let account = Account::new().await;
    let key = key_created_after_the_report(&account).await;
    account.serve(serde_json::json!({
        "service": "cloudtrail", "operation": "LookupEvents", "region": "*", "status": 400,
        "reference": "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html",
        "body": {"__type": "AccessDeniedException", "Message": "User: arn:aws:sts::123456789012:assumed-role/guardline-test/guardline-test is not authorized to perform: cloudtrail:LookupEvents"}
    }));
    let output = account.collect(&["ap-northeast-1"]).await;
    let global = &output.snapshot.global;
    let keys: Vec<&str> =
        global.access_keys.get().unwrap().iter().map(|key| key.access_key_id.as_str()).collect();
    assert_eq!(keys, [key.as_str()]);
    let listing = global.access_key_listing.get().unwrap();
    assert!(listing.every_user);
    let Some(EveryUserReason::EventHistoryUnreadable { error }) = &listing.every_user_because else {
        panic!("{listing:?}")
    };
    assert_eq!(
        (error.action.as_str(), error.code.as_deref()),
        ("cloudtrail:LookupEvents", Some("AccessDeniedException"))
    );
    assert_eq!(output.calls["iam:ListAccessKeys"], 2, "alice and bob");
}
