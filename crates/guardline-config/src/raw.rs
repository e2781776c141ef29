//! The file's shapes as serde reads them: one struct per kind of table, every value [`Spanned`] so that
//! validation can point at it, and `deny_unknown_fields` everywhere so a mistyped key is an error.
//!
//! These structs are deserialized one item at a time (one `[scan]`, one control entry, one `[[accounts]]`
//! entry, ...) by [`mod@crate::load`], so that one bad item does not hide the problems of the others. Required
//! keys are `Option`s here, so that all missing keys of an item are reported together.
//!
//! They also derive [`schemars::JsonSchema`] for guardline.toml's JSON Schema ([`crate::schema`]): a
//! `Spanned` value is described as the value (`#[schemars(with = ...)]`), and the fields whose schema is
//! written by hand (`schema_with`) carry `#[serde(default)]`, which changes nothing for an `Option` but keeps
//! the key optional in the schema.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::{InstallMethod, Level, NotEvaluatedPolicy, TagMatch};

/// `fail` or `warn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum RawLevel {
    Fail,
    Warn,
}

impl From<RawLevel> for Level {
    fn from(level: RawLevel) -> Level {
        match level {
            RawLevel::Fail => Level::Fail,
            RawLevel::Warn => Level::Warn,
        }
    }
}

impl From<RawLevel> for NotEvaluatedPolicy {
    fn from(level: RawLevel) -> NotEvaluatedPolicy {
        match level {
            RawLevel::Fail => NotEvaluatedPolicy::Fail,
            RawLevel::Warn => NotEvaluatedPolicy::Warn,
        }
    }
}

/// `[scan]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawScan {
    #[schemars(with = "Option<Vec<String>>")]
    pub regions: Option<Spanned<Vec<Spanned<String>>>>,
    #[schemars(with = "Option<usize>")]
    pub concurrency: Option<Spanned<usize>>,
    #[schemars(with = "Option<u64>")]
    pub call_timeout_secs: Option<Spanned<u64>>,
    #[schemars(with = "Option<u32>")]
    pub max_attempts: Option<Spanned<u32>>,
    pub not_evaluated: Option<RawLevel>,
}

/// One entry of `[profiles.<name>.controls]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawControl {
    #[schemars(with = "Option<bool>")]
    pub adopted: Option<Spanned<bool>>,
    #[schemars(with = "Option<RawLevel>")]
    pub level: Option<Spanned<RawLevel>>,
    /// Required with `adopted = false`; with an adopted control it is a note for readers.
    #[schemars(with = "Option<String>")]
    pub reason: Option<Spanned<String>>,
}

/// One `[[accounts]]` entry.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawAccount {
    #[schemars(with = "Option<String>")]
    pub id: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub alias: Option<Spanned<String>>,
    /// An OU ID (`ou-…`, `r-…`) or an OU path glob (`Root/Workloads/*`); organisation scans only.
    #[schemars(with = "Option<String>")]
    pub ou: Option<Spanned<String>>,
    /// `{ key, values }`: the account's Organizations tag; organisation scans only.
    #[schemars(with = "Option<TagMatch>")]
    pub tag: Option<Spanned<TagMatch>>,
    #[schemars(with = "Option<String>")]
    pub profile: Option<Spanned<String>>,
}

/// `[org]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawOrg {
    #[schemars(with = "Option<String>")]
    pub role_name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub external_id_env: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub session_name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub via_role: Option<Spanned<String>>,
    #[schemars(with = "Option<usize>")]
    pub account_concurrency: Option<Spanned<usize>>,
    /// The account `fix --org` designates as the delegated administrator of GuardDuty, Amazon Inspector,
    /// Security Hub, IAM Access Analyzer and AWS Config aggregators (a security tooling account, as AWS
    /// recommends, not the management account).
    #[schemars(with = "Option<String>")]
    pub delegated_admin: Option<Spanned<String>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub include: Option<Vec<Spanned<String>>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub exclude: Option<Vec<Spanned<String>>>,
}

/// One `[[exceptions]]` entry.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawException {
    #[schemars(with = "Option<String>")]
    pub control: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub account: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub region: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub resource: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub subject: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub reason: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub owner: Option<Spanned<String>>,
    /// A TOML date, or a string holding one; checked by validation.
    #[serde(default)]
    #[schemars(schema_with = "crate::schema::date")]
    pub expires: Option<Spanned<toml::Value>>,
}

/// One `[schedules.<name>]` entry. Either `window`, or both `stop-cron` and `start-cron`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawSchedule {
    #[schemars(with = "Option<String>")]
    pub window: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub stop_cron: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub start_cron: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub time_zone: Option<Spanned<String>>,
    /// `true`: the same as `holidays = ["jp"]`.
    #[schemars(with = "Option<bool>")]
    pub skip_japanese_holidays: Option<Spanned<bool>>,
    /// Holiday calendars on which the schedule never starts instances: `jp` (Japan's public holidays),
    /// `us` (US federal holidays) or a `[calendars.<name>]` of this file.
    #[schemars(with = "Option<Vec<String>>")]
    pub holidays: Option<Spanned<Vec<Spanned<String>>>>,
    /// Never start the instances, only stop them (at the window's end, or at `stop-cron` alone).
    #[schemars(with = "Option<bool>")]
    pub stop_only: Option<Spanned<bool>>,
    #[schemars(with = "Option<TagMatch>")]
    pub select: Option<Spanned<TagMatch>>,
    pub installs_as: Option<InstallMethod>,
    /// The accounts of the organisation the schedule acts in (`schedule run|status --org`): account
    /// selectors as `[org] include`; absent: every account.
    #[schemars(with = "Option<Vec<String>>")]
    pub accounts: Option<Vec<Spanned<String>>>,
}

/// `[fix]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawFix {
    #[schemars(with = "Option<Vec<String>>")]
    pub notify: Option<Vec<Spanned<String>>>,
    #[schemars(with = "Option<String>")]
    pub topic_name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub log_bucket: Option<Spanned<String>>,
    #[schemars(with = "Option<f64>")]
    pub budget_monthly_usd: Option<Spanned<f64>>,
    #[schemars(with = "Option<f64>")]
    pub anomaly_threshold_usd: Option<Spanned<f64>>,
    #[schemars(with = "Option<RawContact>")]
    pub security_contact: Option<Spanned<RawContact>>,
}

/// `[fix.security-contact]`: all four keys are required (AWS requires them).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawContact {
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub email: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub phone: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub title: Option<Spanned<String>>,
}

/// The keys of a profile table, for the unknown-key message.
pub(crate) const PROFILE_KEYS: &[&str] = &["extends", "default-level", "params", "controls"];

/// The top-level keys, for the unknown-key message.
pub(crate) const ROOT_KEYS: &[&str] = &[
    "default-profile",
    "scan",
    "profiles",
    "accounts",
    "exceptions",
    "schedules",
    "calendars",
    "fix",
    "watch",
    "org",
];

/// One `[calendars.<name>]`: holidays a schedule's `holidays` can name, as local dates.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawCalendar {
    /// The holidays, `YYYY-MM-DD`.
    #[schemars(with = "Option<Vec<String>>")]
    pub dates: Option<Spanned<Vec<Spanned<String>>>>,
}

/// One `[watch.channels.<name>]`. The literal secret keys (`url`, `token`, `password`) exist only so that
/// validation can reject them with advice: secrets come from `*-env` or `*-file`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawWatchChannel {
    #[serde(rename = "type")]
    #[schemars(with = "Option<String>")]
    pub kind: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(schema_with = "crate::schema::literal_secret")]
    pub url: Option<Spanned<toml::Value>>,
    #[schemars(with = "Option<String>")]
    pub url_env: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub url_file: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(schema_with = "crate::schema::literal_secret")]
    pub token: Option<Spanned<toml::Value>>,
    #[schemars(with = "Option<String>")]
    pub token_env: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub token_file: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub channel: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub api_url: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub smtp_host: Option<Spanned<String>>,
    #[schemars(with = "Option<u16>")]
    pub smtp_port: Option<Spanned<u16>>,
    #[schemars(with = "Option<bool>")]
    pub starttls: Option<Spanned<bool>>,
    #[schemars(with = "Option<String>")]
    pub tls: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub username: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(schema_with = "crate::schema::literal_secret")]
    pub password: Option<Spanned<toml::Value>>,
    #[schemars(with = "Option<String>")]
    pub password_env: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub password_file: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub from: Option<Spanned<String>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub to: Option<Spanned<Vec<Spanned<String>>>>,
    #[schemars(with = "Option<String>")]
    pub min_interval: Option<Spanned<String>>,
}

/// One `[watch.sources.<name>]`: each source reads the keys that apply to it; validation rejects the rest.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawWatchSource {
    pub enabled: Option<bool>,
    #[serde(default)]
    #[schemars(schema_with = "crate::schema::severity")]
    pub min_severity: Option<Spanned<toml::Value>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub regions: Option<Spanned<Vec<Spanned<String>>>>,
    #[schemars(with = "Option<String>")]
    pub url: Option<Spanned<String>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub keywords: Option<Vec<Spanned<String>>>,
    /// The `changes` source's SQS queue name.
    #[schemars(with = "Option<String>")]
    pub queue: Option<Spanned<String>>,
    /// The `changes` source's long-poll wait, 1–20 seconds.
    #[schemars(with = "Option<i64>")]
    pub wait_seconds: Option<Spanned<i64>>,
}

/// One `[[watch.feeds]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawWatchFeed {
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub url: Option<Spanned<String>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub keywords: Option<Vec<Spanned<String>>>,
    pub enabled: Option<bool>,
}

/// One `[[watch.routes]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawWatchRoute {
    #[schemars(with = "Option<Vec<String>>")]
    pub sources: Option<Spanned<Vec<Spanned<String>>>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub channels: Option<Spanned<Vec<Spanned<String>>>>,
    /// Account selectors (`123456789012`, `ou:Root/Prod/**`, `tag:env=prod`, `name:acme-*`).
    #[schemars(with = "Option<Vec<String>>")]
    pub accounts: Option<Spanned<Vec<Spanned<String>>>>,
    /// Owners, as the accounts' owner tag names them.
    #[schemars(with = "Option<Vec<String>>")]
    pub owners: Option<Spanned<Vec<Spanned<String>>>>,
    /// `"daily"`: one message a day per owner instead of one per event.
    #[schemars(with = "Option<String>")]
    pub digest: Option<Spanned<String>>,
    /// The local time of the daily digest, `HH:MM` (default `09:00`).
    #[schemars(with = "Option<String>")]
    pub digest_at: Option<Spanned<String>>,
}

/// The keys of `[watch]`, for the unknown-key message.
pub(crate) const WATCH_KEYS: &[&str] = &[
    "interval",
    "state-db",
    "channel-down-alert-after",
    "digest-above",
    "channels",
    "sources",
    "feeds",
    "routes",
    "owner-tag",
    "timezone",
];
