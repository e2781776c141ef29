//! IAM (account-wide): the credential report, the account summary, virtual MFA devices, access keys with
//! their last use, the password policy and the account aliases.
//!
//! Access keys come from `iam:ListAccessKeys` for the users whose credential report row shows a key (and for
//! users created after the report), with each key's last use read from the report's column for that key (the
//! column whose `access_key_N_last_rotated`, the key's creation, matches it to the second). A key no column
//! matches, or whose column lacks the region or service of a use, is asked about with
//! `iam:GetAccessKeyLastUsed`. Without a credential report every user's keys are listed and every key is
//! asked about.
//!
//! IAM answers `GenerateCredentialReport` with the existing report when it is less than four hours old, so a
//! key created since is in no row. No key that exists at scan time may be missed: the users whose row shows
//! no key are listed too when CloudTrail's event history (`cloudtrail:LookupEvents` for `CreateAccessKey`
//! since the report's `GeneratedTime`, in the partition's region for IAM's global events) names them; when
//! that history cannot be read (denied, throttled, or the report is older than its 90 days), every user is
//! listed. `access_key_listing` records which it was, for the findings that rely on the report.
//!
//! The credential report is generated on demand (`iam:GenerateCredentialReport`) and fetched once it is
//! complete, with a bounded number of short waits: never by comparing its `GeneratedTime` with the clock
//! (an old report is still a report).

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use aws_config::{Region, SdkConfig};
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use aws_sdk_iam::types::{ReportStateType, StatusType, SummaryKeyType};
use aws_smithy_types::DateTime;
use futures::future::join_all;
use guardline_model::CollectError;
use guardline_model::inventory::iam::{
    AccessKey, AccountSummary, CredentialKey, CredentialReport, CredentialUser, EveryUserReason, KeyListing,
    PasswordPolicy, VirtualMfaDevice,
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
    let (report_and_keys, summary, mfa_devices, policy, aliases) = futures::join!(
        async {
            let report_and_changes = async {
                let report = credential_report(cx, &client).await;
                let listing = match &report {
                    Ok(parsed) => key_listing(cx, config, parsed.report.generated_at).await,
                    Err(_) => every_user(None, None),
                };
                (report, listing)
            };
            let ((report, listing), users) = futures::join!(report_and_changes, list_users(cx, &client));
            let keys = access_keys(cx, &client, users, report.as_ref().ok(), &listing).await;
            (report.map(|parsed| parsed.report), keys, listing)
        },
        account_summary(cx, &client),
        virtual_mfa_devices(cx, &client),
        password_policy(cx, &client),
        account_aliases(cx, &client),
    );
    let (report, keys, listing) = report_and_keys;
    Box::new(move |global| {
        global.credential_report = report.into();
        global.account_summary = summary.into();
        global.virtual_mfa_devices = mfa_devices.into();
        global.access_keys = keys.into();
        global.access_key_listing = guardline_model::Collected::ok(listing);
        global.password_policy = policy.into();
        global.account_aliases = aliases.into();
    })
}

/// How long CloudTrail's event history keeps management events.
const EVENT_HISTORY: jiff::SignedDuration = jiff::SignedDuration::from_hours(90 * 24);
/// Looked up before the report's `GeneratedTime` too: an event's time and the report's are taken by
/// different systems.
const EVENT_MARGIN: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);

/// A listing of every user's keys, and why (`None`: there is no report to rely on).
fn every_user(report_generated_at: Option<Timestamp>, because: Option<EveryUserReason>) -> KeyListing {
    KeyListing {
        every_user: true,
        report_generated_at,
        created_since_report: Vec::new(),
        every_user_because: because,
    }
}

/// Which users' keys must be listed besides those whose report row shows a key: the users CloudTrail's
/// event history names in a `CreateAccessKey` since the report was generated; every user when that history
/// cannot vouch for the time since.
async fn key_listing(cx: &Cx, config: &SdkConfig, generated_at: Option<Timestamp>) -> KeyListing {
    let now = Timestamp::now();
    let Some(generated_at) = generated_at else {
        return every_user(None, Some(EveryUserReason::ReportHasNoTime));
    };
    let since = generated_at.checked_sub(EVENT_MARGIN).unwrap_or(generated_at);
    if since < now.checked_sub(EVENT_HISTORY).unwrap_or(now) {
        return every_user(Some(generated_at), Some(EveryUserReason::ReportOlderThanEventHistory));
    }
    match keys_created_since(cx, config, since).await {
        Ok(users) => KeyListing {
            every_user: false,
            report_generated_at: Some(generated_at),
            created_since_report: users,
            every_user_because: None,
        },
        Err(error) => every_user(Some(generated_at), Some(EveryUserReason::EventHistoryUnreadable { error })),
    }
}

/// The region where CloudTrail records IAM's (global) events in the scanned partition.
fn global_events_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => "us-east-1",
    }
}

/// `cloudtrail:LookupEvents` for `CreateAccessKey` since `since` (every page): the users whose keys were
/// created (`requestParameters.userName`, else the calling IAM user's own name). A root user's own key is
/// IAM-004's, read from the live account summary.
async fn keys_created_since(
    cx: &Cx,
    config: &SdkConfig,
    since: Timestamp,
) -> Result<Vec<String>, CollectError> {
    let region = global_events_region(&cx.partition);
    let client =
        aws_sdk_cloudtrail::Client::new(&config.to_builder().region(Region::from_static(region)).build());
    let attribute = LookupAttribute::builder()
        .attribute_key(LookupAttributeKey::EventName)
        .attribute_value("CreateAccessKey")
        .build()
        .map_err(|err| malformed("cloudtrail:LookupEvents", err.to_string()))?;
    let events = cx
        .call(
            "cloudtrail:LookupEvents",
            client
                .lookup_events()
                .lookup_attributes(attribute)
                .start_time(DateTime::from_secs(since.as_second()))
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    let mut users = BTreeSet::new();
    for event in &events {
        let Some(record) = event.cloud_trail_event() else { continue };
        let record: serde_json::Value = serde_json::from_str(record).map_err(|err| {
            malformed("cloudtrail:LookupEvents", format!("CloudTrailEvent is not JSON: {err}"))
        })?;
        let named = record.pointer("/requestParameters/userName").and_then(serde_json::Value::as_str);
        let identity = &record["userIdentity"];
        let caller = (identity["type"] == "IAMUser").then(|| identity["userName"].as_str()).flatten();
        if let Some(user) = named.or(caller) {
            users.insert(user.to_owned());
        }
    }
    Ok(users.into_iter().collect())
}

/// `iam:GenerateCredentialReport` until it says `COMPLETE`, then `iam:GetCredentialReport`; a report still
/// in progress (or not present, or expired) is generated and asked for again, a bounded number of times.
async fn credential_report(cx: &Cx, client: &aws_sdk_iam::Client) -> Result<ParsedReport, CollectError> {
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
                    return parse_report(content, generated_at)
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
#[cfg(test)]
pub(crate) fn parse_credential_report(
    content: &[u8],
    generated_at: Option<Timestamp>,
) -> Result<CredentialReport, String> {
    parse_report(content, generated_at).map(|parsed| parsed.report)
}

/// A credential report, and the key columns of each user's row (by user name) with what the model does not
/// keep: the region and service of each key's last use.
pub(crate) struct ParsedReport {
    pub report: CredentialReport,
    pub keys: HashMap<String, Vec<ReportKey>>,
}

/// One `access_key_N_*` column group of a credential report row that holds a key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReportKey {
    pub slot: u8,
    /// `access_key_N_last_rotated`: the key's creation date (to the second).
    pub last_rotated: Option<Timestamp>,
    pub last_used: Option<Timestamp>,
    /// `access_key_N_last_used_region`; `None` when the report does not carry it (`not_supported`).
    pub last_used_region: Option<Option<String>>,
    /// `access_key_N_last_used_service`; `None` when the report does not carry it (`not_supported`).
    pub last_used_service: Option<Option<String>>,
}

/// The credential report's parser; see [`parse_credential_report`].
pub(crate) fn parse_report(content: &[u8], generated_at: Option<Timestamp>) -> Result<ParsedReport, String> {
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
    let mut keys = HashMap::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|err| format!("credential report line {line}: {err}"))?;
        let row = Row { record: &record, columns: &columns, line };
        let mut access_keys = Vec::new();
        let mut report_keys = Vec::new();
        for slot in [1u8, 2] {
            let active = row.flag(&format!("access_key_{slot}_active"))?;
            let last_rotated = row.time(&format!("access_key_{slot}_last_rotated"))?;
            let last_used = row.time(&format!("access_key_{slot}_last_used_date"))?;
            // A slot holds a key when it is active or has a creation ("rotation") date.
            if active || last_rotated.is_some() {
                access_keys.push(CredentialKey { slot, active, last_rotated, last_used });
                report_keys.push(ReportKey {
                    slot,
                    last_rotated,
                    last_used,
                    last_used_region: row.usage(&format!("access_key_{slot}_last_used_region")),
                    last_used_service: row.usage(&format!("access_key_{slot}_last_used_service")),
                });
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
            keys.insert(user.user.clone(), report_keys);
            report.users.push(user);
        }
    }
    Ok(ParsedReport { report, keys })
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

    /// A last-use detail: `None` when the report does not carry it (`not_supported`, or no such column),
    /// `Some(None)` when there is nothing (`N/A`: never used).
    fn usage(&self, column: &str) -> Option<Option<String>> {
        if !self.columns.contains_key(column) {
            return None;
        }
        match self.text(column) {
            "not_supported" => None,
            value if is_absent(value) => Some(None),
            value => Some(Some(value.to_owned())),
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

/// `iam:ListUsers`: (user name, user ARN) of every user, in the order IAM lists them.
async fn list_users(cx: &Cx, client: &aws_sdk_iam::Client) -> Result<Vec<(String, String)>, CollectError> {
    let users = cx
        .call(
            "iam:ListUsers",
            client.list_users().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    Ok(users.iter().map(|user| (user.user_name().to_owned(), user.arn().to_owned())).collect())
}

/// Every user's access keys with their last use, concurrently (bounded by [`Cx::call`]). With a credential
/// report, the users whose row shows a key, who have no row (created after the report), or whom `listing`
/// names (a key created since the report, or every user) are listed, and a key's last use comes from its
/// report column when one matches; without one, every user is listed and every key asked about. Any failed call fails the whole list: a partial list would hide keys. A user
/// or key deleted while listing (`NoSuchEntity`) is skipped.
async fn access_keys(
    cx: &Cx,
    client: &aws_sdk_iam::Client,
    users: Result<Vec<(String, String)>, CollectError>,
    report: Option<&ParsedReport>,
    listing: &KeyListing,
) -> Result<Vec<AccessKey>, CollectError> {
    let users = users?;
    let must_list =
        |name: &str| listing.every_user || listing.created_since_report.iter().any(|user| user == name);
    // Owned values: a closure over borrowed ones trips the compiler's higher-ranked lifetime inference in
    // `Cx::each`.
    let listed = users.into_iter().filter_map(|(name, arn)| {
        let columns: Option<Vec<ReportKey>> = match report {
            None => None,
            Some(report) => match report.keys.get(&name) {
                Some(columns) if columns.is_empty() && !must_list(&name) => return None,
                Some(columns) => Some(columns.clone()),
                None => Some(Vec::new()),
            },
        };
        Some((name, arn, columns))
    });
    let per_user = cx.each(listed.map(|(name, arn, columns)| async move {
        user_access_keys(cx, client, &name, &arn, columns.as_deref()).await
    }));
    let mut keys = Vec::new();
    for result in per_user.await {
        keys.extend(result?);
    }
    Ok(keys)
}

/// Last use as the model keeps it: (date, service, region).
type LastUse = (Option<Timestamp>, Option<String>, Option<String>);

/// `iam:ListAccessKeys` for one user, then each key's last use: from its report column (`columns`, `None`
/// without a report) when exactly one matches it, otherwise `iam:GetAccessKeyLastUsed`.
async fn user_access_keys(
    cx: &Cx,
    client: &aws_sdk_iam::Client,
    user_name: &str,
    user_arn: &str,
    columns: Option<&[ReportKey]>,
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
    let metadata: Vec<_> = metadata.iter().filter(|key| key.access_key_id().is_some()).collect();
    let created: Vec<Option<Timestamp>> =
        metadata.iter().map(|key| key.create_date().and_then(timestamp)).collect();
    let matched = match columns {
        Some(columns) => match_report_columns(&created, columns),
        None => vec![None; metadata.len()],
    };
    let uses = join_all(metadata.iter().zip(&matched).map(|(key, column)| async move {
        if let Some(column) = column.and_then(report_last_use) {
            return Ok(Some(column));
        }
        let key_id = key.access_key_id().unwrap_or_default();
        let answer = cx
            .call("iam:GetAccessKeyLastUsed", client.get_access_key_last_used().access_key_id(key_id).send())
            .await;
        match answer {
            Ok(answer) => {
                let used = answer.access_key_last_used();
                Ok(Some((
                    used.and_then(|used| used.last_used_date()).and_then(timestamp),
                    used.map(|used| used.service_name()).filter(|s| !is_absent(s)).map(str::to_owned),
                    used.map(|used| used.region()).filter(|s| !is_absent(s)).map(str::to_owned),
                )))
            }
            Err(error) if is_no_such_entity(&error) => Ok(None),
            Err(error) => Err(error),
        }
    }))
    .await;
    let mut keys = Vec::new();
    for ((key, created), used) in metadata.iter().zip(created).zip(uses) {
        let Some((last_used, last_used_service, last_used_region)) = used? else {
            continue;
        };
        keys.push(AccessKey {
            user_name: user_name.to_owned(),
            user_arn: user_arn.to_owned(),
            access_key_id: key.access_key_id().unwrap_or_default().to_owned(),
            active: key.status() == Some(&StatusType::Active),
            created,
            last_used,
            last_used_service,
            last_used_region,
        });
    }
    Ok(keys)
}

/// The report column of each listed key (by creation date, `created`): the column whose `last_rotated` is the
/// key's creation to the second, when exactly one column matches the key and no other listed key matches that
/// column. `None` (ask `iam:GetAccessKeyLastUsed`) for a key without a creation date, a key newer than the
/// report, or two keys created in the same second.
pub(crate) fn match_report_columns<'a>(
    created: &[Option<Timestamp>],
    columns: &'a [ReportKey],
) -> Vec<Option<&'a ReportKey>> {
    let second = |time: Option<Timestamp>| time.map(|time| time.as_second());
    let matches = |key: Option<i64>, column: &ReportKey| key.is_some() && key == second(column.last_rotated);
    created
        .iter()
        .map(|&key| {
            let key = second(key);
            let mut found = columns.iter().filter(|column| matches(key, column));
            let column = found.next()?;
            if found.next().is_some() {
                return None;
            }
            let claimants = created.iter().filter(|&&other| matches(second(other), column)).count();
            (claimants == 1).then_some(column)
        })
        .collect()
}

/// A key's last use from its report column, when the column has all of it: a column that shows a use without
/// its region or service (moto's `not_supported`) does not.
fn report_last_use(column: &ReportKey) -> Option<LastUse> {
    match (&column.last_used_service, &column.last_used_region) {
        (Some(service), Some(region)) => Some((column.last_used, service.clone(), region.clone())),
        _ if column.last_used.is_none() => Some((None, None, None)),
        _ => None,
    }
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

    fn column(slot: u8, last_rotated: &str) -> ReportKey {
        ReportKey {
            slot,
            last_rotated: ts(last_rotated),
            last_used: ts("2026-11-01T00:00:00Z"),
            last_used_region: Some(Some("us-east-1".to_owned())),
            last_used_service: Some(Some("s3".to_owned())),
        }
    }

    #[test]
    fn keys_match_report_columns_by_creation_second() {
        let columns = [column(1, "2024-01-01T00:00:00Z"), column(2, "2025-06-01T12:00:00Z")];
        // Listed in another order than the report's slots, with sub-second creation dates.
        let created = [ts("2025-06-01T12:00:00.750Z"), ts("2024-01-01T00:00:00.001Z")];
        let matched = match_report_columns(&created, &columns);
        assert_eq!(matched.iter().map(|c| c.map(|c| c.slot)).collect::<Vec<_>>(), [Some(2), Some(1)]);
    }

    #[test]
    fn unmatched_or_ambiguous_keys_fall_back() {
        // The second key is newer than the report: no column; a key without a creation date: none either.
        let columns = [column(1, "2024-01-01T00:00:00Z")];
        let created = [ts("2024-01-01T00:00:00Z"), ts("2026-11-28T09:00:00Z"), None];
        let matched = match_report_columns(&created, &columns);
        assert_eq!(matched.iter().map(|c| c.map(|c| c.slot)).collect::<Vec<_>>(), [Some(1), None, None]);
        // Two keys created in the same second: which column is whose is unknown, so neither is used.
        let columns = [column(1, "2024-01-01T00:00:00Z"), column(2, "2024-01-01T00:00:00Z")];
        let created = [ts("2024-01-01T00:00:00.1Z"), ts("2024-01-01T00:00:00.2Z")];
        assert_eq!(match_report_columns(&created, &columns), [None, None]);
        // No report row at all (a user created after the report).
        assert_eq!(match_report_columns(&created, &[]), [None, None]);
    }

    #[test]
    fn report_last_use_needs_region_and_service_of_a_use() {
        let used = column(1, "2024-01-01T00:00:00Z");
        assert_eq!(
            report_last_use(&used),
            Some((ts("2026-11-01T00:00:00Z"), Some("s3".to_owned()), Some("us-east-1".to_owned())))
        );
        let unused = ReportKey {
            last_used: None,
            last_used_region: Some(None),
            last_used_service: Some(None),
            ..used.clone()
        };
        assert_eq!(report_last_use(&unused), Some((None, None, None)));
        // moto: a use without its region and service (`not_supported`) is asked about.
        let partial = ReportKey { last_used_region: None, last_used_service: None, ..used.clone() };
        assert_eq!(report_last_use(&partial), None);
        let never = ReportKey { last_used: None, ..partial };
        assert_eq!(report_last_use(&never), Some((None, None, None)));
    }

    #[test]
    fn parsed_report_keeps_each_key_columns_last_use() {
        let content = format!(
            "{HEADER}\
alice,arn:aws:iam::123456789012:user/alice,2024-02-03T04:05:06+00:00,true,no_information,2024-02-03T04:05:06+00:00,N/A,false,true,2024-03-01T00:00:00+00:00,2024-03-02T00:00:00+00:00,us-east-1,s3,false,2024-04-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A\n\
bob,arn:aws:iam::123456789012:user/bob,2024-02-03T04:05:06+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,not_supported,not_supported,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let parsed = parse_report(content.as_bytes(), None).unwrap();
        assert_eq!(
            parsed.keys["alice"],
            [
                ReportKey {
                    slot: 1,
                    last_rotated: ts("2024-03-01T00:00:00Z"),
                    last_used: ts("2024-03-02T00:00:00Z"),
                    last_used_region: Some(Some("us-east-1".to_owned())),
                    last_used_service: Some(Some("s3".to_owned())),
                },
                ReportKey {
                    slot: 2,
                    last_rotated: ts("2024-04-01T00:00:00Z"),
                    last_used: None,
                    last_used_region: Some(None),
                    last_used_service: Some(None),
                },
            ]
        );
        assert!(parsed.keys["bob"].is_empty());
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
