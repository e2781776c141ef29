//! IAM (account-wide): the credential report, the account summary, virtual MFA devices, access keys with
//! their last use, the password policy and the account aliases.
//!
//! The credential report is generated on demand (`iam:GenerateCredentialReport`) and fetched once it is
//! complete, with a bounded number of short waits: never by comparing its `GeneratedTime` with the clock
//! (moto's is fixed in 2015, and an old report is still a report).

use std::collections::HashMap;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_iam::types::{ReportStateType, StatusType, SummaryKeyType};
use aws_smithy_types::DateTime;
use futures::future::join_all;
use guardline_model::CollectError;
use guardline_model::inventory::iam::{
    AccessKey, AccountSummary, CredentialKey, CredentialReport, CredentialUser, PasswordPolicy,
    VirtualMfaDevice,
};
use jiff::Timestamp;

use super::GlobalPart;
use crate::cx::Cx;
use crate::error::malformed;

/// How many times the credential report is asked for before giving up.
const REPORT_ATTEMPTS: u32 = 10;
/// The first wait between two attempts; it doubles up to [`REPORT_MAX_WAIT`].
const REPORT_FIRST_WAIT: Duration = Duration::from_millis(250);
const REPORT_MAX_WAIT: Duration = Duration::from_secs(2);

/// Error codes of `iam:GetCredentialReport` that mean "not ready yet: generate and ask again".
const REPORT_NOT_READY: &[&str] = &["ReportInProgress", "ReportNotPresent", "ReportExpired"];

/// The user name of the root user's row in the credential report.
const ROOT_ROW: &str = "<root_account>";

/// Every account-wide IAM field.
pub async fn collect(cx: &Cx, config: &SdkConfig) -> GlobalPart {
    let client = aws_sdk_iam::Client::new(config);
    let (report, summary, mfa_devices, keys, policy, aliases) = futures::join!(
        credential_report(cx, &client),
        account_summary(cx, &client),
        virtual_mfa_devices(cx, &client),
        access_keys(cx, &client),
        password_policy(cx, &client),
        account_aliases(cx, &client),
    );
    Box::new(move |global| {
        global.credential_report = report.into();
        global.account_summary = summary.into();
        global.virtual_mfa_devices = mfa_devices.into();
        global.access_keys = keys.into();
        global.password_policy = policy.into();
        global.account_aliases = aliases.into();
    })
}

/// `iam:GenerateCredentialReport` until it says `COMPLETE`, then `iam:GetCredentialReport`; a report still
/// in progress (or not present, or expired) is generated and asked for again, a bounded number of times.
async fn credential_report(cx: &Cx, client: &aws_sdk_iam::Client) -> Result<CredentialReport, CollectError> {
    let mut wait = REPORT_FIRST_WAIT;
    let mut attempt = 1;
    loop {
        let last = attempt >= REPORT_ATTEMPTS;
        let generated =
            cx.call("iam:GenerateCredentialReport", client.generate_credential_report().send()).await?;
        if generated.state() == Some(&ReportStateType::Complete) || last {
            match cx.call("iam:GetCredentialReport", client.get_credential_report().send()).await {
                Ok(answer) => {
                    let content = answer.content().map(|blob| blob.as_ref()).unwrap_or_default();
                    let generated_at = answer.generated_time().and_then(timestamp);
                    return parse_credential_report(content, generated_at)
                        .map_err(|message| malformed("iam:GetCredentialReport", message));
                }
                Err(error) if !last && is_not_ready(&error) => {}
                Err(error) => return Err(error),
            }
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(REPORT_MAX_WAIT);
        attempt += 1;
    }
}

fn is_not_ready(error: &CollectError) -> bool {
    error.code.as_deref().is_some_and(|code| REPORT_NOT_READY.contains(&code))
}

/// Values the credential report uses for "nothing here".
fn is_absent(value: &str) -> bool {
    matches!(value.trim(), "" | "N/A" | "not_supported" | "no_information")
}

/// Parses the CSV content of a credential report. Columns are found by their header name, so added or
/// reordered columns do no harm; `user` and `arn` are required.
pub(crate) fn parse_credential_report(
    content: &[u8],
    generated_at: Option<Timestamp>,
) -> Result<CredentialReport, String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(content);
    let headers = reader.headers().map_err(|err| format!("credential report header: {err}"))?.clone();
    let columns: HashMap<&str, usize> =
        headers.iter().enumerate().map(|(index, name)| (name.trim(), index)).collect();
    for required in ["user", "arn"] {
        if !columns.contains_key(required) {
            return Err(format!("credential report has no `{required}` column"));
        }
    }
    let mut report = CredentialReport { generated_at, root: None, users: Vec::new() };
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|err| format!("credential report line {line}: {err}"))?;
        let row = Row { record: &record, columns: &columns, line };
        let mut access_keys = Vec::new();
        for slot in [1u8, 2] {
            let active = row.flag(&format!("access_key_{slot}_active"))?;
            let last_rotated = row.time(&format!("access_key_{slot}_last_rotated"))?;
            let last_used = row.time(&format!("access_key_{slot}_last_used_date"))?;
            // A slot holds a key when it is active or has a creation ("rotation") date.
            if active || last_rotated.is_some() {
                access_keys.push(CredentialKey { slot, active, last_rotated, last_used });
            }
        }
        let user = CredentialUser {
            user: row.text("user").to_owned(),
            arn: row.text("arn").to_owned(),
            created: row.time("user_creation_time")?,
            password_enabled: row.flag("password_enabled")?,
            password_last_used: row.time("password_last_used")?,
            mfa_active: row.flag("mfa_active")?,
            access_keys,
        };
        if user.user.is_empty() {
            return Err(format!("credential report line {line}: empty user name"));
        }
        if user.user == ROOT_ROW {
            report.root = Some(user);
        } else {
            report.users.push(user);
        }
    }
    Ok(report)
}

/// One credential report row, read by column name.
struct Row<'a> {
    record: &'a csv::StringRecord,
    columns: &'a HashMap<&'a str, usize>,
    line: usize,
}

impl Row<'_> {
    /// The column's value; empty when the column or the field is missing.
    fn text(&self, column: &str) -> &str {
        self.columns.get(column).and_then(|&index| self.record.get(index)).unwrap_or_default().trim()
    }

    fn flag(&self, column: &str) -> Result<bool, String> {
        match self.text(column) {
            "true" | "TRUE" | "True" => Ok(true),
            "false" | "FALSE" | "False" => Ok(false),
            value if is_absent(value) => Ok(false),
            value => {
                Err(format!("credential report line {}: {column} is {value:?}, not a boolean", self.line))
            }
        }
    }

    fn time(&self, column: &str) -> Result<Option<Timestamp>, String> {
        match self.text(column) {
            value if is_absent(value) => Ok(None),
            value => value.parse::<Timestamp>().map(Some).map_err(|err| {
                format!("credential report line {}: {column} is {value:?}, not a date: {err}", self.line)
            }),
        }
    }
}

/// `iam:GetAccountSummary`: root MFA and root access keys.
async fn account_summary(cx: &Cx, client: &aws_sdk_iam::Client) -> Result<AccountSummary, CollectError> {
    const ACTION: &str = "iam:GetAccountSummary";
    let answer = cx.call(ACTION, client.get_account_summary().send()).await?;
    let map = answer.summary_map().ok_or_else(|| malformed(ACTION, "the answer has no SummaryMap"))?;
    let key = |key: SummaryKeyType| {
        map.get(&key)
            .map(|value| *value > 0)
            .ok_or_else(|| malformed(ACTION, format!("SummaryMap has no {}", key.as_str())))
    };
    Ok(AccountSummary {
        root_mfa_enabled: key(SummaryKeyType::AccountMfaEnabled)?,
        root_access_keys_present: key(SummaryKeyType::AccountAccessKeysPresent)?,
    })
}

/// `iam:ListVirtualMFADevices` (all of them, assigned or not).
async fn virtual_mfa_devices(
    cx: &Cx,
    client: &aws_sdk_iam::Client,
) -> Result<Vec<VirtualMfaDevice>, CollectError> {
    let devices = cx
        .call(
            "iam:ListVirtualMFADevices",
            client.list_virtual_mfa_devices().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    Ok(devices
        .iter()
        .map(|device| VirtualMfaDevice {
            serial_number: device.serial_number().to_owned(),
            user_arn: device.user().map(|user| user.arn().to_owned()),
        })
        .collect())
}

/// `iam:ListUsers`, then `iam:ListAccessKeys` per user and `iam:GetAccessKeyLastUsed` per key, concurrently
/// (bounded by [`Cx::call`]). Any failed call fails the whole list: a partial list would hide keys. A user
/// or key deleted while listing (`NoSuchEntity`) is skipped.
async fn access_keys(cx: &Cx, client: &aws_sdk_iam::Client) -> Result<Vec<AccessKey>, CollectError> {
    let users = cx
        .call(
            "iam:ListUsers",
            client.list_users().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    // Owned names: a closure over `&User` trips the compiler's higher-ranked lifetime inference in `Cx::each`.
    let names: Vec<(String, String)> =
        users.iter().map(|user| (user.user_name().to_owned(), user.arn().to_owned())).collect();
    let per_user = cx.each(
        names.into_iter().map(|(name, arn)| async move { user_access_keys(cx, client, &name, &arn).await }),
    );
    let mut keys = Vec::new();
    for result in per_user.await {
        keys.extend(result?);
    }
    Ok(keys)
}

async fn user_access_keys(
    cx: &Cx,
    client: &aws_sdk_iam::Client,
    user_name: &str,
    user_arn: &str,
) -> Result<Vec<AccessKey>, CollectError> {
    let listed = cx
        .call(
            "iam:ListAccessKeys",
            client
                .list_access_keys()
                .user_name(user_name)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await;
    let metadata = match listed {
        Ok(metadata) => metadata,
        Err(error) if is_no_such_entity(&error) => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let keys = join_all(metadata.iter().filter_map(|key| key.access_key_id()).map(|key_id| async move {
        let answer = cx
            .call("iam:GetAccessKeyLastUsed", client.get_access_key_last_used().access_key_id(key_id).send())
            .await;
        match answer {
            Ok(answer) => Ok(Some((key_id, answer.access_key_last_used().cloned()))),
            Err(error) if is_no_such_entity(&error) => Ok(None),
            Err(error) => Err(error),
        }
    }))
    .await;
    let mut last_used: HashMap<&str, Option<aws_sdk_iam::types::AccessKeyLastUsed>> = HashMap::new();
    for key in keys {
        if let Some((key_id, used)) = key? {
            last_used.insert(key_id, used);
        }
    }
    Ok(metadata
        .iter()
        .filter_map(|key| {
            let key_id = key.access_key_id()?;
            let used = last_used.get(key_id)?.as_ref();
            Some(AccessKey {
                user_name: user_name.to_owned(),
                user_arn: user_arn.to_owned(),
                access_key_id: key_id.to_owned(),
                active: key.status() == Some(&StatusType::Active),
                created: key.create_date().and_then(timestamp),
                last_used: used.and_then(|used| used.last_used_date()).and_then(timestamp),
                last_used_service: used
                    .map(|used| used.service_name())
                    .filter(|s| !is_absent(s))
                    .map(str::to_owned),
                last_used_region: used.map(|used| used.region()).filter(|s| !is_absent(s)).map(str::to_owned),
            })
        })
        .collect())
}

/// `iam:GetAccountPasswordPolicy`; `NoSuchEntity` means the account has none.
async fn password_policy(
    cx: &Cx,
    client: &aws_sdk_iam::Client,
) -> Result<Option<PasswordPolicy>, CollectError> {
    let answer =
        match cx.call("iam:GetAccountPasswordPolicy", client.get_account_password_policy().send()).await {
            Ok(answer) => answer,
            Err(error) if is_no_such_entity(&error) => return Ok(None),
            Err(error) => return Err(error),
        };
    let Some(policy) = answer.password_policy() else {
        return Err(malformed("iam:GetAccountPasswordPolicy", "the answer has no PasswordPolicy"));
    };
    let positive =
        |value: Option<i32>| value.filter(|value| *value > 0).and_then(|value| u32::try_from(value).ok());
    Ok(Some(PasswordPolicy {
        minimum_length: positive(policy.minimum_password_length()),
        require_symbols: policy.require_symbols(),
        require_numbers: policy.require_numbers(),
        require_uppercase: policy.require_uppercase_characters(),
        require_lowercase: policy.require_lowercase_characters(),
        allow_users_to_change: policy.allow_users_to_change_password(),
        max_age_days: positive(policy.max_password_age()),
        reuse_prevention: positive(policy.password_reuse_prevention()),
        hard_expiry: policy.hard_expiry().unwrap_or(false),
    }))
}

/// `iam:ListAccountAliases`.
async fn account_aliases(cx: &Cx, client: &aws_sdk_iam::Client) -> Result<Vec<String>, CollectError> {
    cx.call(
        "iam:ListAccountAliases",
        client.list_account_aliases().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
    )
    .await
}

fn is_no_such_entity(error: &CollectError) -> bool {
    error.code.as_deref() == Some("NoSuchEntity")
}

/// An SDK date as a [`Timestamp`].
fn timestamp(time: &DateTime) -> Option<Timestamp> {
    Timestamp::new(time.secs(), i32::try_from(time.subsec_nanos()).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,\
password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,\
access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,\
access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,\
cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n";

    fn ts(text: &str) -> Option<Timestamp> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn parses_root_and_users() {
        let content = format!(
            "{HEADER}\
<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,2026-01-02T03:04:05+00:00,not_supported,not_supported,true,true,2021-05-06T07:08:09+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
alice,arn:aws:iam::123456789012:user/alice,2024-02-03T04:05:06+00:00,true,no_information,2024-02-03T04:05:06+00:00,N/A,false,false,2024-03-01T00:00:00+00:00,2024-03-02T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
bob,arn:aws:iam::123456789012:user/bob,2024-02-03T04:05:06+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let generated = ts("2026-01-02T00:00:00Z");
        let report = parse_credential_report(content.as_bytes(), generated).unwrap();
        assert_eq!(report.generated_at, generated);
        let root = report.root.unwrap();
        assert_eq!(root.arn, "arn:aws:iam::123456789012:root");
        assert!(root.mfa_active);
        assert!(!root.password_enabled);
        assert_eq!(root.password_last_used, ts("2026-01-02T03:04:05Z"));
        assert_eq!(
            root.access_keys,
            [CredentialKey {
                slot: 1,
                active: true,
                last_rotated: ts("2021-05-06T07:08:09Z"),
                last_used: None
            }]
        );
        assert_eq!(report.users.len(), 2);
        let alice = &report.users[0];
        assert_eq!((alice.user.as_str(), alice.password_enabled, alice.mfa_active), ("alice", true, false));
        assert_eq!(alice.password_last_used, None);
        assert_eq!(alice.created, ts("2024-02-03T04:05:06Z"));
        assert_eq!(
            alice.access_keys,
            [CredentialKey {
                slot: 1,
                active: false,
                last_rotated: ts("2024-03-01T00:00:00Z"),
                last_used: ts("2024-03-02T00:00:00Z"),
            }]
        );
        assert!(report.users[1].access_keys.is_empty());
    }

    #[test]
    fn header_only_report_is_empty() {
        let report = parse_credential_report(HEADER.as_bytes(), None).unwrap();
        assert_eq!(report, CredentialReport::default());
    }

    #[test]
    fn malformed_reports_are_errors_not_panics() {
        for content in [
            "",
            "name,arn\nalice,arn:aws:iam::1:user/alice\n",
            "user,arn,mfa_active\nalice,arn:aws:iam::1:user/alice,maybe\n",
            "user,arn,user_creation_time\nalice,arn:aws:iam::1:user/alice,yesterday\n",
            "user,arn,mfa_active\nalice,arn,true,extra\n",
            "user,arn\n,arn:aws:iam::1:user/nobody\n",
        ] {
            assert!(parse_credential_report(content.as_bytes(), None).is_err(), "{content:?}");
        }
        assert!(parse_credential_report(&[0xff, 0xfe, b'\n', 0x80], None).is_err());
    }

    mod fuzz {
        //! Bounded fuzzing of the credential report parser: arbitrary bytes and mangled real reports give a
        //! report or an error naming the line, never a panic.

        use proptest::prelude::*;

        use super::*;

        const ROOT: &str = "<root_account>,arn:aws:iam::123456789012:root,2019-04-01T00:00:00+00:00,not_supported,\
2026-11-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,\
false,N/A\n";
        const ALICE: &str = "alice,arn:aws:iam::123456789012:user/alice,2024-01-01T00:00:00+00:00,true,\
2026-11-20T10:00:00+00:00,2024-01-01T00:00:00+00:00,N/A,false,true,2024-01-02T00:00:00+00:00,\
2026-11-27T00:00:00+00:00,ap-northeast-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";

        proptest! {
            #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

            #[test]
            fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
                let _ = parse_credential_report(&bytes, None);
            }

            #[test]
            fn mangled_reports_never_panic(cut in 0usize..700, splice in "[ -~,\n\"]{0,16}") {
                let report = format!("{HEADER}{ROOT}{ALICE}");
                let cut = cut.min(report.len());
                let mangled = format!("{}{splice}{}", &report[..cut], &report[(cut + splice.len()).min(report.len())..]);
                if let Err(error) = parse_credential_report(mangled.as_bytes(), None) {
                    prop_assert!(error.starts_with("credential report"), "{error}");
                }
            }
        }

        #[test]
        fn the_unmangled_report_parses() {
            let report = parse_credential_report(format!("{HEADER}{ROOT}{ALICE}").as_bytes(), None).unwrap();
            assert!(report.root.is_some());
            assert_eq!(report.users.len(), 1);
        }
    }
}
