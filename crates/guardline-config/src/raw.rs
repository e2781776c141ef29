//! The file's shapes as serde reads them: one struct per kind of table, every value [`Spanned`] so that
//! validation can point at it, and `deny_unknown_fields` everywhere so a mistyped key is an error.
//!
//! These structs are deserialized one item at a time (one `[scan]`, one control entry, one `[[accounts]]`
//! entry, ...) by [`mod@crate::load`], so that one bad item does not hide the problems of the others. Required
//! keys are `Option`s here, so that all missing keys of an item are reported together.

use serde::Deserialize;
use toml::Spanned;

use crate::{InstallMethod, Level, NotEvaluatedPolicy, TagMatch};

/// `fail` or `warn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawScan {
    pub regions: Option<Spanned<Vec<Spanned<String>>>>,
    pub concurrency: Option<Spanned<usize>>,
    pub call_timeout_secs: Option<Spanned<u64>>,
    pub max_attempts: Option<Spanned<u32>>,
    pub not_evaluated: Option<RawLevel>,
}

/// One entry of `[profiles.<name>.controls]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawControl {
    pub adopted: Option<Spanned<bool>>,
    pub level: Option<Spanned<RawLevel>>,
    /// Required with `adopted = false`; with an adopted control it is a note for readers.
    pub reason: Option<Spanned<String>>,
}

/// One `[[accounts]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawAccount {
    pub id: Option<Spanned<String>>,
    pub alias: Option<Spanned<String>>,
    /// An OU ID (`ou-…`, `r-…`) or an OU path glob (`Root/Workloads/*`); organisation scans only.
    pub ou: Option<Spanned<String>>,
    /// `{ key, values }`: the account's Organizations tag; organisation scans only.
    pub tag: Option<Spanned<TagMatch>>,
    pub profile: Option<Spanned<String>>,
}

/// `[org]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawOrg {
    pub role_name: Option<Spanned<String>>,
    pub external_id_env: Option<Spanned<String>>,
    pub session_name: Option<Spanned<String>>,
    pub via_role: Option<Spanned<String>>,
    pub account_concurrency: Option<Spanned<usize>>,
    pub include: Option<Vec<Spanned<String>>>,
    pub exclude: Option<Vec<Spanned<String>>>,
}

/// One `[[exceptions]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawException {
    pub control: Option<Spanned<String>>,
    pub account: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
    pub resource: Option<Spanned<String>>,
    pub subject: Option<Spanned<String>>,
    pub reason: Option<Spanned<String>>,
    pub owner: Option<Spanned<String>>,
    /// A TOML date, or a string holding one; checked by validation.
    pub expires: Option<Spanned<toml::Value>>,
}

/// One `[schedules.<name>]` entry. Either `window`, or both `stop-cron` and `start-cron`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawSchedule {
    pub window: Option<Spanned<String>>,
    pub stop_cron: Option<Spanned<String>>,
    pub start_cron: Option<Spanned<String>>,
    pub time_zone: Option<Spanned<String>>,
    pub skip_japanese_holidays: Option<bool>,
    pub select: Option<Spanned<TagMatch>>,
    pub installs_as: Option<InstallMethod>,
}

/// `[fix]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawFix {
    pub notify: Option<Vec<Spanned<String>>>,
    pub topic_name: Option<Spanned<String>>,
    pub log_bucket: Option<Spanned<String>>,
    pub budget_monthly_usd: Option<Spanned<f64>>,
    pub anomaly_threshold_usd: Option<Spanned<f64>>,
    pub security_contact: Option<Spanned<RawContact>>,
}

/// `[fix.security-contact]`: all four keys are required (AWS requires them).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawContact {
    pub name: Option<Spanned<String>>,
    pub email: Option<Spanned<String>>,
    pub phone: Option<Spanned<String>>,
    pub title: Option<Spanned<String>>,
}

/// The keys of a profile table, for the unknown-key message.
pub(crate) const PROFILE_KEYS: &[&str] = &["extends", "default-level", "params", "controls"];

/// The top-level keys, for the unknown-key message.
pub(crate) const ROOT_KEYS: &[&str] =
    &["default-profile", "scan", "profiles", "accounts", "exceptions", "schedules", "fix", "watch", "org"];

/// One `[watch.channels.<name>]`. The literal secret keys (`url`, `token`, `password`) exist only so that
/// validation can reject them with advice: secrets come from `*-env` or `*-file`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawWatchChannel {
    #[serde(rename = "type")]
    pub kind: Option<Spanned<String>>,
    pub url: Option<Spanned<toml::Value>>,
    pub url_env: Option<Spanned<String>>,
    pub url_file: Option<Spanned<String>>,
    pub token: Option<Spanned<toml::Value>>,
    pub token_env: Option<Spanned<String>>,
    pub token_file: Option<Spanned<String>>,
    pub channel: Option<Spanned<String>>,
    pub api_url: Option<Spanned<String>>,
    pub smtp_host: Option<Spanned<String>>,
    pub smtp_port: Option<Spanned<u16>>,
    pub starttls: Option<Spanned<bool>>,
    pub tls: Option<Spanned<String>>,
    pub username: Option<Spanned<String>>,
    pub password: Option<Spanned<toml::Value>>,
    pub password_env: Option<Spanned<String>>,
    pub password_file: Option<Spanned<String>>,
    pub from: Option<Spanned<String>>,
    pub to: Option<Spanned<Vec<Spanned<String>>>>,
    pub min_interval: Option<Spanned<String>>,
}

/// One `[watch.sources.<name>]`: each source reads the keys that apply to it; validation rejects the rest.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawWatchSource {
    pub enabled: Option<bool>,
    pub min_severity: Option<Spanned<toml::Value>>,
    pub regions: Option<Spanned<Vec<Spanned<String>>>>,
    pub url: Option<Spanned<String>>,
    pub keywords: Option<Vec<Spanned<String>>>,
}

/// One `[[watch.feeds]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawWatchFeed {
    pub name: Option<Spanned<String>>,
    pub url: Option<Spanned<String>>,
    pub keywords: Option<Vec<Spanned<String>>>,
    pub enabled: Option<bool>,
}

/// One `[[watch.routes]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawWatchRoute {
    pub sources: Option<Spanned<Vec<Spanned<String>>>>,
    pub channels: Option<Spanned<Vec<Spanned<String>>>>,
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
];
