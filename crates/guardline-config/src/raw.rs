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
    pub profile: Option<Spanned<String>>,
}

/// One `[[exceptions]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawException {
    pub control: Option<Spanned<String>>,
    pub account: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
    pub resource: Option<Spanned<String>>,
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

/// The keys of a profile table, for the unknown-key message.
pub(crate) const PROFILE_KEYS: &[&str] = &["extends", "default-level", "params", "controls"];

/// The top-level keys, for the unknown-key message.
pub(crate) const ROOT_KEYS: &[&str] =
    &["default-profile", "scan", "profiles", "accounts", "exceptions", "schedules"];
