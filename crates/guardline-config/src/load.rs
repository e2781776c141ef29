//! Reading and validating `guardline.toml`: [`parse`] and [`load`].
//!
//! The file is read in three passes, and every pass reports all the problems it finds:
//!
//! 1. TOML syntax ([`DeTable::parse_recoverable`]). Syntax errors stop here: the recovered document is partial,
//!    and checking it would report problems that are only echoes of the syntax error.
//! 2. Shape and values, one item at a time: each `[scan]`, profile key, control entry, `[[accounts]]` and
//!    `[[exceptions]]` entry is deserialized on its own into the structs of [`crate::raw`], so an unknown key or
//!    a wrong type in one item does not hide the problems of the others. Values are checked here too (account
//!    IDs, regions, globs, dates, non-empty reasons, known control IDs).
//! 3. References across items: profile names (`default-profile`, `extends`, `accounts[].profile`), `extends`
//!    cycles, duplicate account IDs, and schedules whose `select` overlaps a `production-tag`.
//!
//! Only a file without problems is resolved into a [`Config`]: profiles inherit along `extends`
//! (see [`crate::resolve`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use guardline_schedule::{ParseError, Schedule, Window};
use jiff::civil::Date;
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue, ValueDeserializer};

use crate::error::{ConfigError, ConfigErrors, Locator};
use crate::org::{AccountSelector, OrgSettings, OuMatch};
use crate::raw::{
    PROFILE_KEYS, ROOT_KEYS, RawAccount, RawContact, RawControl, RawException, RawFix, RawLevel, RawOrg,
    RawScan, RawSchedule,
};
use crate::watch::WatchConfig;
use crate::{
    Config, Exception, FixSettings, Level, Params, ProductionTag, ResourcePattern, ScanSettings,
    ScheduleConfig, SecurityContact, TagMatch,
};

mod watch;

/// The name of the built-in profile (every control adopted at level fail, default parameters).
pub const BUILTIN_PROFILE: &str = "default";

/// Reads and validates the configuration file at `path`.
///
/// `known_controls` are the control IDs the rules define, in their canonical (uppercase) spelling; the
/// config crate does not depend on the rules crate, so the caller passes them.
pub fn load(path: &Path, known_controls: &[&str]) -> Result<Config, ConfigErrors> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| {
        ConfigErrors::unreadable(&name, format!("cannot read the configuration: {error}"))
    })?;
    parse(&text, &name, known_controls)
}

/// Validates the configuration `text`; `path` names the file in messages.
///
/// Returns every problem found, each located by line and column, or the resolved configuration.
pub fn parse(text: &str, path: &str, known_controls: &[&str]) -> Result<Config, ConfigErrors> {
    let mut checker = Checker::new(text, path, known_controls);
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        checker.syntax_errors(syntax_errors);
        return Err(checker.finish());
    }
    let doc = checker.read_root(root.into_inner());
    checker.check_references(&doc);
    if !checker.errors.is_empty() {
        return Err(checker.finish());
    }
    match crate::resolve::resolve(doc, &mut checker) {
        Some(config) if checker.errors.is_empty() => Ok(config),
        _ => Err(checker.finish()),
    }
}

/// A profile as written, before inheritance.
#[derive(Debug)]
pub(crate) struct ProfileDoc<'i> {
    pub(crate) name: String,
    /// The span of the profile's name in `[profiles.<name>]`.
    pub(crate) span: Range<usize>,
    pub(crate) extends: Option<Spanned<String>>,
    pub(crate) default_level: Option<Level>,
    /// The profile's own `params` table, already checked against [`Params`].
    pub(crate) params: Option<Spanned<DeTable<'i>>>,
    /// By canonical control ID.
    pub(crate) controls: BTreeMap<String, RawControl>,
    /// The `production-tag` the profile's own `params` set, if any.
    pub(crate) production_tag: Option<ProductionTag>,
}

/// A `[schedules.<name>]` entry, checked on its own; pass 3 checks its selector against production.
#[derive(Debug)]
pub(crate) struct ScheduleDoc {
    pub(crate) config: ScheduleConfig,
    /// The holiday calendars named (`holidays`, or `jp` for `skip-japanese-holidays = true`); resolved in
    /// pass 3, when every `[calendars.*]` is known.
    pub(crate) holidays: Vec<Spanned<String>>,
    /// The span of each of `select.values`, in order (the whole `select` when unknown).
    pub(crate) value_spans: Vec<Range<usize>>,
}

/// An `[[accounts]]` entry as written.
#[derive(Debug)]
pub(crate) struct AccountDoc {
    pub(crate) id: Option<Spanned<String>>,
    pub(crate) alias: Option<String>,
    pub(crate) ou: Option<OuMatch>,
    pub(crate) tag: Option<TagMatch>,
    pub(crate) profile: Option<Spanned<String>>,
    pub(crate) line: usize,
}

/// The document after pass 2: values checked, references not yet.
#[derive(Debug, Default)]
pub(crate) struct Doc<'i> {
    pub(crate) default_profile: Option<Spanned<String>>,
    pub(crate) scan: ScanSettings,
    /// In file order.
    pub(crate) profiles: Vec<ProfileDoc<'i>>,
    pub(crate) accounts: Vec<AccountDoc>,
    pub(crate) exceptions: Vec<Exception>,
    pub(crate) schedules: Vec<ScheduleDoc>,
    /// `[calendars.<name>]`: the listed holidays by calendar name.
    pub(crate) calendars: BTreeMap<String, Vec<jiff::civil::Date>>,
    pub(crate) fix: FixSettings,
    /// `[watch]`, checked on its own (references between its routes, channels and sources included).
    pub(crate) watch: Option<WatchConfig>,
    /// `[org]`.
    pub(crate) org: OrgSettings,
}

/// A table deserialized with [`Checker::de_table`].
struct Recovered<'i, T> {
    value: T,
    span: Range<usize>,
    /// The table without the keys serde rejected.
    table: DeTable<'i>,
    /// The keys serde rejected (already reported).
    removed: BTreeSet<String>,
}

/// Collects the problems of one file.
pub(crate) struct Checker<'a> {
    path: &'a str,
    text: &'a str,
    locator: Locator<'a>,
    known_controls: &'a [&'a str],
    errors: Vec<ConfigError>,
}

impl<'a> Checker<'a> {
    fn new(text: &'a str, path: &'a str, known_controls: &'a [&'a str]) -> Checker<'a> {
        Checker { path, text, locator: Locator::new(text), known_controls, errors: Vec::new() }
    }

    fn finish(self) -> ConfigErrors {
        let source = miette::NamedSource::new(self.path, self.text.to_owned()).with_language("TOML");
        ConfigErrors::new(self.errors, Some(source))
    }

    fn push(&mut self, span: Range<usize>, message: String, help: Option<String>) {
        let (line, column) = self.locator.locate(span.start);
        let span = Some(span.start.min(self.text.len())..span.end.min(self.text.len()));
        self.errors.push(ConfigError { path: self.path.to_owned(), line, column, message, help, span });
    }

    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.push(span, message.into(), None);
    }

    fn error_help(&mut self, span: Range<usize>, message: impl Into<String>, help: impl Into<String>) {
        self.push(span, message.into(), Some(help.into()));
    }

    /// Pass 1: syntax errors, at most one per line (the parser's recovery often reports echoes of the first
    /// error further along the same line).
    fn syntax_errors(&mut self, errors: Vec<toml::de::Error>) {
        let mut located: Vec<(Range<usize>, String)> = errors
            .into_iter()
            .map(|error| (error.span().unwrap_or(0..0), error.message().trim_end().to_owned()))
            .collect();
        located.sort_by_key(|(span, _)| span.start);
        let mut seen_lines = BTreeSet::new();
        for (span, message) in located {
            if seen_lines.insert(self.locator.line(span.start)) {
                let (message, help) = self.syntax_message(&span, &message);
                self.push(span, message, help);
            }
        }
    }

    /// A syntax error's message, and advice for the two most common mistakes: an unquoted string and a
    /// key or table written twice.
    fn syntax_message(&self, span: &Range<usize>, message: &str) -> (String, Option<String>) {
        let rest = self.text.get(span.start..).unwrap_or_default();
        if message == "duplicate key" {
            let key = self.text.get(span.clone()).unwrap_or_default();
            return (
                format!("invalid TOML: duplicate key `{key}`"),
                Some("each key, and each `[table]` header, may appear only once".to_owned()),
            );
        }
        let unquoted = rest.split(['\n', '#', ',', ']', '}']).next().unwrap_or_default().trim();
        if message.contains("must be quoted") && unquoted.is_empty() {
            return ("invalid TOML: missing value".to_owned(), None);
        }
        let help = (message.contains("must be quoted") || message.contains("invalid boolean"))
            && !unquoted.is_empty()
            && !matches!(unquoted, "true" | "false");
        (format!("invalid TOML: {message}"), help.then(|| format!("quote text values: \"{unquoted}\"")))
    }

    /// Deserializes one item, reporting serde's error at its location.
    pub(crate) fn de<'i, T: Deserialize<'i>>(&mut self, value: Spanned<DeValue<'i>>) -> Option<T> {
        let span = value.span();
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(value) => Some(value),
            Err(error) => {
                self.serde_error(&error, span);
                None
            }
        }
    }

    /// Deserializes one table, reporting every key serde rejects: after each error, the key holding it is
    /// removed and the rest deserialized again. A value that is not a table gets serde's one error.
    fn de_table<'i, T: Deserialize<'i>>(&mut self, value: Spanned<DeValue<'i>>) -> Option<Recovered<'i, T>> {
        let span = value.span();
        let mut table = match value.into_inner() {
            DeValue::Table(table) => table,
            other => {
                self.de::<T>(Spanned::new(span, other));
                return None;
            }
        };
        let mut removed = BTreeSet::new();
        loop {
            let attempt = Spanned::new(span.clone(), DeValue::Table(table.clone()));
            let error = match T::deserialize(ValueDeserializer::from(attempt)) {
                Ok(value) => return Some(Recovered { value, span, table, removed }),
                Err(error) => error,
            };
            self.serde_error(&error, span.clone());
            let at = error.span()?.start;
            let key = table
                .iter()
                .find(|(key, value)| covers(&key.span(), at) || subtree_covers(value, at))
                .map(|(key, _)| key.get_ref().to_string())?;
            table.remove(key.as_str());
            removed.insert(key);
        }
    }

    fn serde_error(&mut self, error: &toml::de::Error, fallback: Range<usize>) {
        let span = error.span().unwrap_or(fallback);
        let message = friendly(error.message().trim_end());
        let help = serde_help(&message, self.text.get(span.clone()).unwrap_or_default());
        self.push(span, message, help);
    }

    fn unknown_key(&mut self, span: Range<usize>, key: &str, expected: &[&str]) {
        let list = expected.iter().map(|key| format!("`{key}`")).collect::<Vec<_>>().join(", ");
        let help = closest(key, expected.iter().copied()).map(|key| format!("did you mean `{key}`?"));
        self.push(span, format!("unknown field `{key}`, expected one of {list}"), help);
    }

    /// `value` as a table, or an error saying what was expected.
    fn table<'i>(
        &mut self,
        value: Spanned<DeValue<'i>>,
        expected: &str,
        help: Option<&str>,
    ) -> Option<DeTable<'i>> {
        let span = value.span();
        match value.into_inner() {
            DeValue::Table(table) => Some(table),
            other => {
                let message = format!("invalid type: {}, expected {expected}", other.type_str());
                self.push(span, message, help.map(str::to_owned));
                None
            }
        }
    }

    /// `value` as an array of tables (`[[key]]`), or an error.
    fn array_of_tables<'i>(&mut self, key: &str, value: Spanned<DeValue<'i>>) -> Vec<Spanned<DeValue<'i>>> {
        let span = value.span();
        match value.into_inner() {
            DeValue::Array(items) => items.into_iter().collect(),
            other => {
                let message = format!("invalid type: {}, expected an array of tables", other.type_str());
                let help = format!("write one `[[{key}]]` table (double brackets) per entry");
                self.error_help(span, message, help);
                Vec::new()
            }
        }
    }

    /// Pass 2 over the whole document.
    fn read_root<'i>(&mut self, root: DeTable<'i>) -> Doc<'i> {
        let mut doc = Doc::default();
        for (key, value) in root {
            match key.get_ref().as_ref() {
                "default-profile" => doc.default_profile = self.de(value),
                "scan" => {
                    if let Some(raw) = self.de_table(value) {
                        doc.scan = self.scan(raw.value);
                    }
                }
                "profiles" => {
                    let help = Some("define each profile as a table, e.g. `[profiles.production]`");
                    if let Some(table) = self.table(value, "a table of profiles", help) {
                        for (name, value) in table {
                            if let Some(profile) = self.profile(name, value) {
                                doc.profiles.push(profile);
                            }
                        }
                    }
                }
                "accounts" => {
                    for item in self.array_of_tables("accounts", value) {
                        if let Some(account) = self.account(item) {
                            doc.accounts.push(account);
                        }
                    }
                }
                "exceptions" => {
                    for item in self.array_of_tables("exceptions", value) {
                        if let Some(exception) = self.exception(item) {
                            doc.exceptions.push(exception);
                        }
                    }
                }
                "schedules" => {
                    let help = Some("define each schedule as a table, e.g. `[schedules.dev-office-hours]`");
                    if let Some(table) = self.table(value, "a table of schedules", help) {
                        for (name, value) in table {
                            if let Some(schedule) = self.schedule(name, value) {
                                doc.schedules.push(schedule);
                            }
                        }
                    }
                }
                "calendars" => {
                    let help = Some("define each calendar as a table, e.g. `[calendars.company]`");
                    if let Some(table) = self.table(value, "a table of holiday calendars", help) {
                        for (name, value) in table {
                            if let Some(dates) = self.calendar(&name, value) {
                                doc.calendars.insert(name.get_ref().to_string(), dates);
                            }
                        }
                    }
                }
                "fix" => {
                    if let Some(raw) = self.de_table(value) {
                        doc.fix = self.fix(raw.value);
                    }
                }
                "watch" => doc.watch = self.watch(value),
                "org" => {
                    if let Some(raw) = self.de_table(value) {
                        doc.org = self.org(raw.value);
                    }
                }
                other => self.unknown_key(key.span(), other, ROOT_KEYS),
            }
        }
        doc.profiles.sort_by_key(|profile| profile.span.start);
        doc
    }

    fn scan(&mut self, raw: RawScan) -> ScanSettings {
        let mut scan = ScanSettings::default();
        if let Some(regions) = raw.regions {
            if regions.get_ref().is_empty() {
                self.error_help(
                    regions.span(),
                    "`regions` must list at least one region",
                    "leave `regions` out to scan every region enabled for the account",
                );
            }
            let mut seen = BTreeSet::new();
            for region in regions.get_ref() {
                if self.check_region(region, false) && !seen.insert(region.get_ref().clone()) {
                    self.error(region.span(), format!("region `{}` is listed twice", region.get_ref()));
                }
            }
            scan.regions = Some(regions.into_inner().into_iter().map(Spanned::into_inner).collect());
        }
        if let Some(concurrency) = raw.concurrency {
            scan.concurrency = self.in_range("concurrency", concurrency, 1, crate::limits::MAX_CONCURRENCY);
        }
        if let Some(timeout) = raw.call_timeout_secs {
            scan.call_timeout_secs =
                self.in_range("call-timeout-secs", timeout, 1, crate::limits::MAX_CALL_TIMEOUT_SECS);
        }
        if let Some(attempts) = raw.max_attempts {
            scan.max_attempts = self.in_range("max-attempts", attempts, 1, crate::limits::MAX_ATTEMPTS);
        }
        if let Some(policy) = raw.not_evaluated {
            scan.not_evaluated = policy.into();
        }
        scan
    }

    /// `[org]`: role and session names as IAM accepts them, a role ARN for `via-role`, valid selectors.
    fn org(&mut self, raw: RawOrg) -> OrgSettings {
        let mut org = OrgSettings::default();
        if let Some(name) = raw.role_name {
            let text = name.get_ref();
            let valid = !text.is_empty()
                && text.len() <= 64
                && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b));
            if !valid {
                self.error(
                    name.span(),
                    "a role name is 1-64 letters, digits and `+=,.@_-` (a path may use `/`)",
                );
            }
            org.role_name = name.into_inner();
        }
        if let Some(name) = raw.session_name {
            let text = name.get_ref();
            let valid = (2..=64).contains(&text.len())
                && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
            if !valid {
                self.error(name.span(), "a role session name is 2-64 letters, digits and `+=,.@_-`");
            }
            org.session_name = name.into_inner();
        }
        if let Some(variable) = raw.external_id_env {
            if variable.get_ref().trim().is_empty() || variable.get_ref().contains('=') {
                self.error(variable.span(), "`external-id-env` names an environment variable");
            }
            org.external_id_env = Some(variable.into_inner());
        }
        if let Some(arn) = raw.via_role {
            let text = arn.get_ref();
            let parts: Vec<&str> = text.splitn(6, ':').collect();
            let valid = parts.len() == 6
                && parts[0] == "arn"
                && parts[2] == "iam"
                && parts[4].len() == 12
                && parts[4].bytes().all(|b| b.is_ascii_digit())
                && parts[5].starts_with("role/");
            if !valid {
                self.error_help(
                    arn.span(),
                    format!("`via-role` must be a role ARN, found `{text}`"),
                    "e.g. \"arn:aws:iam::111122223333:role/GuardlineAudit\"",
                );
            }
            org.via_role = Some(arn.into_inner());
        }
        if let Some(admin) = raw.delegated_admin {
            if !crate::org::is_account_id(admin.get_ref()) {
                self.error_help(
                    admin.span(),
                    format!("`delegated-admin` is a 12-digit account ID, found `{}`", admin.get_ref()),
                    "the organisation's security tooling account, e.g. \"222222222222\"",
                );
            }
            org.delegated_admin = Some(admin.into_inner());
        }
        if let Some(concurrency) = raw.account_concurrency {
            org.account_concurrency =
                self.in_range("account-concurrency", concurrency, 1, crate::limits::MAX_ACCOUNT_CONCURRENCY);
        }
        for (list, target) in [(raw.include, &mut org.include), (raw.exclude, &mut org.exclude)] {
            for text in list.unwrap_or_default() {
                match AccountSelector::parse(text.get_ref()) {
                    Ok(selector) => target.push(selector),
                    Err(message) => self.error(text.span(), message),
                }
            }
        }
        org
    }

    fn fix(&mut self, raw: RawFix) -> FixSettings {
        let mut fix = FixSettings::default();
        for address in raw.notify.unwrap_or_default() {
            if self.check_email(&address) {
                fix.notify.push(address.into_inner());
            }
        }
        if let Some(topic) = raw.topic_name {
            let name = topic.get_ref();
            let valid = !name.is_empty()
                && name.len() <= 256
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !valid {
                self.error(topic.span(), "an SNS topic name is 1-256 letters, digits, `-` and `_`");
            }
            fix.topic_name = topic.into_inner();
        }
        if let Some(bucket) = raw.log_bucket {
            let name = bucket.get_ref();
            let valid = (3..=63).contains(&name.len())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
                && !name.starts_with(['-', '.'])
                && !name.ends_with(['-', '.']);
            if !valid {
                self.error(
                    bucket.span(),
                    format!(
                        "\"{name}\" is not a valid S3 bucket name (3-63 lowercase letters, digits, `-`, `.`)"
                    ),
                );
            }
            fix.log_bucket = Some(bucket.into_inner());
        }
        if let Some(amount) = raw.budget_monthly_usd {
            if !(*amount.get_ref() > 0.0 && amount.get_ref().is_finite()) {
                self.error(amount.span(), "`budget-monthly-usd` must be a positive amount");
            }
            fix.budget_monthly_usd = Some(*amount.get_ref());
        }
        if let Some(threshold) = raw.anomaly_threshold_usd {
            if !(*threshold.get_ref() > 0.0 && threshold.get_ref().is_finite()) {
                self.error(threshold.span(), "`anomaly-threshold-usd` must be a positive amount");
            }
            fix.anomaly_threshold_usd = *threshold.get_ref();
        }
        if let Some(contact) = raw.security_contact {
            let span = contact.span();
            let RawContact { name, email, phone, title } = contact.into_inner();
            let missing: Vec<&str> =
                [("name", &name), ("email", &email), ("phone", &phone), ("title", &title)]
                    .into_iter()
                    .filter(|(_, value)| value.is_none())
                    .map(|(key, _)| key)
                    .collect();
            if !missing.is_empty() {
                self.error(span, format!("`security-contact` needs {}", missing.join(", ")));
            } else if let (Some(name), Some(email), Some(phone), Some(title)) = (name, email, phone, title) {
                self.check_email(&email);
                fix.security_contact = Some(SecurityContact {
                    name: name.into_inner(),
                    email: email.into_inner(),
                    phone: phone.into_inner(),
                    title: title.into_inner(),
                });
            }
        }
        fix
    }

    /// Whether `address` looks like an email address (reports it when not).
    fn check_email(&mut self, address: &Spanned<String>) -> bool {
        let text = address.get_ref();
        let valid = text.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !text.contains(char::is_whitespace)
        });
        if !valid {
            self.error(address.span(), format!("\"{text}\" is not an email address"));
        }
        valid
    }

    fn in_range<T: Copy + PartialOrd + std::fmt::Display>(
        &mut self,
        key: &str,
        value: Spanned<T>,
        min: T,
        max: T,
    ) -> T {
        let number = *value.get_ref();
        if number < min || number > max {
            self.error(value.span(), format!("`{key}` must be from {min} to {max}, not {number}"));
        }
        number
    }

    fn profile<'i>(
        &mut self,
        name: Spanned<DeString<'i>>,
        value: Spanned<DeValue<'i>>,
    ) -> Option<ProfileDoc<'i>> {
        let help = format!("define the profile as a table: `[profiles.{}]`", name.get_ref());
        let table = self.table(value, "a table of profile settings", Some(&help))?;
        let mut profile = ProfileDoc {
            name: name.get_ref().to_string(),
            span: name.span(),
            extends: None,
            default_level: None,
            params: None,
            controls: BTreeMap::new(),
            production_tag: None,
        };
        let mut control_lines = BTreeMap::new();
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "extends" => profile.extends = self.de(value),
                "default-level" => profile.default_level = self.de::<RawLevel>(value).map(Level::from),
                "params" => {
                    if let Some(params) = self.de_table::<Params>(value) {
                        self.check_params(&params.value, &params.table);
                        if params.table.get("production-tag").is_some() {
                            profile.production_tag = Some(params.value.production_tag.clone());
                        }
                        if params.removed.is_empty() {
                            profile.params = Some(Spanned::new(params.span, params.table));
                        }
                    }
                }
                "controls" => {
                    let help = "list controls as `\"IAM-002\" = { adopted = false, reason = \"...\" }`";
                    if let Some(table) = self.table(value, "a table of controls", Some(help)) {
                        for (id, value) in table {
                            self.control(&mut profile, &mut control_lines, id, value);
                        }
                    }
                }
                other => self.unknown_key(key.span(), other, PROFILE_KEYS),
            }
        }
        Some(profile)
    }

    /// Value checks serde cannot make, on the keys a profile's own `params` table sets.
    fn check_params(&mut self, params: &Params, table: &DeTable<'_>) {
        if let Some(span) = value_span(table, &["unused-user-days"])
            && params.unused_user_days == 0
        {
            self.error(span, "`unused-user-days` must be at least 1");
        }
        if let Some(span) = value_span(table, &["guardduty-severity-threshold"]) {
            let threshold = params.guardduty_severity_threshold;
            if !(0.0..=10.0).contains(&threshold) {
                self.error_help(
                    span,
                    format!("`guardduty-severity-threshold` must be between 0.0 and 10.0, found {threshold}"),
                    "GuardDuty severities run from 1.0 to 10.0; high severity starts at 7.0",
                );
            }
        }
        if let Some(span) = value_span(table, &["home-region"]) {
            self.check_region(&Spanned::new(span, params.home_region.clone()), false);
        }
        if let Some(span) = value_span(table, &["nonprod-tag", "key"])
            && params.nonprod_tag.key.trim().is_empty()
        {
            self.error(span, "`nonprod-tag.key` must not be empty");
        }
        if let Some(span) = value_span(table, &["nonprod-tag", "values"])
            && params.nonprod_tag.values.is_empty()
        {
            self.error(span, "`nonprod-tag.values` must list at least one value");
        }
        let production = &params.production_tag;
        for field in ["key", "keys"] {
            if let Some(span) = value_span(table, &["production-tag", field]) {
                if production.keys.is_empty() {
                    self.error(span, "`production-tag.keys` must list at least one key");
                } else if production.keys.iter().any(|key| key.trim().is_empty()) {
                    self.error(span, format!("`production-tag.{field}` must not be empty"));
                }
            }
        }
        if let Some(span) = value_span(table, &["production-tag", "values"])
            && (production.values.is_empty() || production.values.iter().any(|value| value.trim().is_empty()))
        {
            self.error(span, "`production-tag.values` must list at least one value, none of them empty");
        }
        for (control, reason) in &params.security_hub_not_adopted {
            if reason.trim().is_empty()
                && let Some(span) = value_span(table, &["security-hub-not-adopted", control])
            {
                self.error_help(
                    span,
                    format!("Security Hub control `{control}` is not adopted without a reason"),
                    "write why the profile does not adopt it; HUB-002 shows the reason next to the failed finding",
                );
            }
        }
    }

    fn control<'i>(
        &mut self,
        profile: &mut ProfileDoc<'i>,
        lines: &mut BTreeMap<String, usize>,
        id: Spanned<DeString<'i>>,
        value: Spanned<DeValue<'i>>,
    ) {
        let span = value.span();
        let canonical = self.control_id(id.get_ref(), id.span());
        if !matches!(value.get_ref(), DeValue::Table(_)) {
            let example = match value.get_ref().as_str() {
                Some(level @ ("fail" | "warn")) => format!("{{ level = \"{level}\" }}"),
                _ => "{ adopted = false, reason = \"...\" }".to_owned(),
            };
            self.error_help(
                span,
                format!("invalid type: {}, expected a table", value.get_ref().type_str()),
                format!("write `\"{}\" = {example}`", id.get_ref()),
            );
            return;
        }
        let Some(Recovered { value: raw, removed, .. }) = self.de_table::<RawControl>(value) else { return };
        let adopted = raw.adopted.as_ref().is_none_or(|adopted| *adopted.get_ref());
        // With a rejected key (already reported), what is left of the entry would only echo that error.
        if !adopted && removed.is_empty() {
            match &raw.reason {
                None => self.error_help(
                    span.clone(),
                    format!("control `{}` is not adopted without a reason", id.get_ref()),
                    "add `reason = \"...\"`: the guideline asks for a written reason for every control a profile \
                     does not adopt",
                ),
                Some(reason) if reason.get_ref().trim().is_empty() => {
                    self.error(reason.span(), "`reason` must not be empty");
                }
                Some(_) => {}
            }
            if let Some(level) = &raw.level {
                self.error_help(
                    level.span(),
                    "`level` cannot be set on a control with `adopted = false`",
                    "remove `level`, or set `adopted = true`",
                );
            }
        }
        let Some(canonical) = canonical else { return };
        let line = self.locator.line(id.span().start);
        if let Some(first) = lines.get(&canonical) {
            self.error_help(
                id.span(),
                format!("control `{canonical}` is listed twice in profile `{}`", profile.name),
                format!("first listed at line {first}"),
            );
            return;
        }
        lines.insert(canonical.clone(), line);
        profile.controls.insert(canonical, raw);
    }

    /// The canonical (uppercase) form of a control ID, or an error naming the closest known one.
    fn control_id(&mut self, input: &str, span: Range<usize>) -> Option<String> {
        let upper = input.to_ascii_uppercase();
        if self.known_controls.contains(&upper.as_str()) {
            return Some(upper);
        }
        let help =
            closest(&upper, self.known_controls.iter().copied()).map(|id| format!("did you mean `{id}`?"));
        self.push(span, format!("unknown control `{input}`"), help);
        None
    }

    fn account(&mut self, item: Spanned<DeValue<'_>>) -> Option<AccountDoc> {
        let span = item.span();
        let Recovered { value: raw, removed, .. } = self.de_table::<RawAccount>(item)?;
        // With a rejected key (already reported), what is left of the entry would only echo that error.
        if raw.id.is_none()
            && raw.alias.is_none()
            && raw.ou.is_none()
            && raw.tag.is_none()
            && removed.is_empty()
        {
            self.error_help(
                span.clone(),
                "an account entry needs an `id`, an `alias`, an `ou` or a `tag`",
                "`id` selects one account; `alias` alone may be a glob over aliases (e.g. \"acme-dev-*\"); \
                 both together pin the account that write actions check; `ou` and `tag` select an \
                 organisation's accounts in `scan --org`",
            );
        }
        let mut ou = None;
        if let Some(text) = &raw.ou {
            if raw.id.is_some() {
                self.error(text.span(), "`ou` selects accounts; it cannot be combined with `id`");
            }
            match OuMatch::parse(text.get_ref()) {
                Ok(matcher) => ou = Some(matcher),
                Err(message) => self.error(text.span(), message),
            }
        }
        let mut tag = None;
        if let Some(matcher) = &raw.tag {
            if raw.id.is_some() {
                self.error(matcher.span(), "`tag` selects accounts; it cannot be combined with `id`");
            }
            if matcher.get_ref().key.is_empty() || matcher.get_ref().values.is_empty() {
                self.error(matcher.span(), "`tag` needs a `key` and at least one of `values`");
            }
            tag = Some(matcher.get_ref().clone());
        }
        if let Some(id) = &raw.id {
            self.check_account_id(id, "id");
        }
        if let Some(alias) = &raw.alias {
            let text = alias.get_ref();
            if text.trim().is_empty() {
                self.error(alias.span(), "`alias` must not be empty");
            } else if raw.id.is_some() {
                if text.contains(['*', '?', '[', ']', '{', '}']) {
                    self.error_help(
                        alias.span(),
                        format!("`alias` cannot be a glob when `id` is set, found `{text}`"),
                        "with `id`, the alias pins the account exactly; drop `id` to select accounts by an \
                         alias glob",
                    );
                }
            } else if let Err(error) = globset::Glob::new(text) {
                self.error(alias.span(), format!("invalid glob in `alias`: {}", error.kind()));
            }
        }
        Some(AccountDoc {
            line: self.locator.line(span.start),
            id: raw.id,
            alias: raw.alias.map(Spanned::into_inner),
            ou,
            tag,
            profile: raw.profile,
        })
    }

    /// One `[calendars.<name>]`: a name that is not a built-in calendar's, and dates as `YYYY-MM-DD`.
    fn calendar(
        &mut self,
        name: &Spanned<DeString<'_>>,
        value: Spanned<DeValue<'_>>,
    ) -> Option<Vec<jiff::civil::Date>> {
        if guardline_schedule::Builtin::parse(name.get_ref()).is_some() {
            self.error_help(
                name.span(),
                format!("calendar `{}` is built in", name.get_ref()),
                "name your own calendar differently and list both in a schedule's `holidays`",
            );
            return None;
        }
        let raw = self.de_table::<crate::raw::RawCalendar>(value)?;
        let Some(dates) = raw.value.dates else {
            self.error_help(
                name.span(),
                format!("calendar `{}` lists no `dates`", name.get_ref()),
                "e.g. dates = [\"2026-12-29\", \"2026-12-30\"]",
            );
            return None;
        };
        if dates.get_ref().is_empty() {
            self.error(dates.span(), format!("calendar `{}`: `dates` is empty", name.get_ref()));
            return None;
        }
        let mut parsed = Vec::new();
        for text in dates.into_inner() {
            match text.get_ref().parse::<jiff::civil::Date>() {
                Ok(date) if text.get_ref().len() == 10 => parsed.push(date),
                _ => self.error_help(
                    text.span(),
                    format!("calendar `{}`: `{}` is not a date", name.get_ref(), text.get_ref()),
                    "write dates as YYYY-MM-DD",
                ),
            }
        }
        Some(parsed)
    }

    /// One `[schedules.<name>]` entry: exactly one of `window` and the cron pair, a time zone, a selector.
    fn schedule(&mut self, name: Spanned<DeString<'_>>, value: Spanned<DeValue<'_>>) -> Option<ScheduleDoc> {
        let header = name.span();
        let name = name.get_ref().to_string();
        let Recovered { value: raw, table, removed, .. } = self.de_table::<RawSchedule>(value)?;
        // With a rejected key (already reported), missing keys would only echo that error.
        let complete = removed.is_empty();
        let mut ok = complete;
        let stop_only = raw.stop_only.as_ref().is_some_and(|stop_only| *stop_only.get_ref());
        let window = match (&raw.window, &raw.stop_cron, &raw.start_cron) {
            // A stop-only schedule stops at `stop-cron` alone; it has no start to give.
            (None, Some(stop), None) if stop_only => self.cron_pair(&name, stop, stop),
            (None, Some(_), Some(start)) if stop_only => {
                self.error_help(
                    start.span(),
                    format!("schedule `{name}` is stop-only but sets `start-cron`"),
                    "a stop-only schedule never starts instances: remove `start-cron`, or `stop-only`",
                );
                None
            }
            (Some(window), None, None) => match Window::parse(window.get_ref()) {
                Ok(parsed) => Some(parsed),
                Err(error) => {
                    self.schedule_error(&name, window.span(), &error);
                    None
                }
            },
            (None, Some(stop), Some(start)) => self.cron_pair(&name, stop, start),
            (Some(window), stop, start) => {
                let crons = match (stop, start) {
                    (Some(_), Some(_)) => "a cron pair (`stop-cron`, `start-cron`)",
                    (Some(_), None) => "`stop-cron`",
                    _ => "`start-cron`",
                };
                self.error_help(
                    window.span(),
                    format!("schedule `{name}` sets both `window` and {crons}"),
                    "use either `window = \"weekdays 09:00-19:00\"` or `stop-cron` and `start-cron`, not both",
                );
                None
            }
            (None, None, None) => {
                if complete {
                    self.error_help(
                        header.clone(),
                        format!("schedule `{name}` needs `window`, or `stop-cron` and `start-cron`"),
                        "e.g. window = \"weekdays 09:00-19:00\", or stop-cron = \"0 19 * * 1-5\" and \
                         start-cron = \"0 9 * * 1-5\"",
                    );
                }
                None
            }
            (None, Some(only), None) | (None, None, Some(only)) => {
                let (set, missing) = if raw.stop_cron.is_some() {
                    ("stop-cron", "start-cron")
                } else {
                    ("start-cron", "stop-cron")
                };
                let stop_only = if set == "stop-cron" {
                    " (or set `stop-only = true` to stop at `stop-cron` and never start)"
                } else {
                    ""
                };
                self.error_help(
                    only.span(),
                    format!("schedule `{name}` sets `{set}` without `{missing}`"),
                    format!(
                        "a cron pair needs both: instances stop at `stop-cron` and start at `start-cron`{stop_only}"
                    ),
                );
                None
            }
        };
        ok &= window.is_some();

        // Checked even when the window is not valid, so that every problem is reported.
        let time_zone_ok = match &raw.time_zone {
            Some(zone) => match time_zone_error(zone.get_ref()) {
                Some(error) => {
                    let help = closest(zone.get_ref(), time_zone_names().iter().map(String::as_str))
                        .map_or_else(
                            || {
                                "IANA time zone names look like \"Asia/Tokyo\" or \"America/New_York\""
                                    .to_owned()
                            },
                            |close| format!("did you mean `{close}`?"),
                        );
                    self.push(zone.span(), format!("schedule `{name}`: {error}"), Some(help));
                    false
                }
                None => true,
            },
            None => true,
        };
        ok &= time_zone_ok;

        let select_span = value_span(&table, &["select"]).unwrap_or(header.clone());
        let values_span = value_span(&table, &["select", "values"]).unwrap_or(select_span.clone());
        match &raw.select {
            None => {
                if complete {
                    self.error_help(
                        header.clone(),
                        format!(
                            "schedule `{name}` needs `select`, the tag of the instances it stops and starts"
                        ),
                        "e.g. select = { key = \"Environment\", values = [\"dev\", \"stg\"] }",
                    );
                }
                ok = false;
            }
            Some(select) => {
                let select = select.get_ref();
                if select.key.trim().is_empty() {
                    let span = value_span(&table, &["select", "key"]).unwrap_or(select_span.clone());
                    self.error(span, "`select.key` must not be empty");
                    ok = false;
                }
                if select.values.is_empty() {
                    self.error_help(
                        values_span.clone(),
                        format!("schedule `{name}` selects no instances: `select.values` is empty"),
                        "list the tag values of the instances to stop and start, e.g. [\"dev\", \"stg\"]",
                    );
                    ok = false;
                }
            }
        }
        let mut accounts = Vec::new();
        for text in raw.accounts.as_deref().unwrap_or_default() {
            match crate::AccountSelector::parse(text.get_ref()) {
                Ok(selector) => accounts.push(selector),
                Err(message) => {
                    self.error(text.span(), format!("schedule `{name}`: {message}"));
                    ok = false;
                }
            }
        }
        if raw.accounts.as_ref().is_some_and(Vec::is_empty) {
            self.error_help(
                value_span(&table, &["accounts"]).unwrap_or(header.clone()),
                format!("schedule `{name}` acts in no account: `accounts` is empty"),
                "leave `accounts` out to act in every account, or list selectors such as \"ou:Root/Dev/**\"",
            );
            ok = false;
        }
        let holidays = match (&raw.skip_japanese_holidays, raw.holidays) {
            (Some(skip), Some(_)) if *skip.get_ref() => {
                self.error_help(
                    skip.span(),
                    format!("schedule `{name}` sets both `skip-japanese-holidays` and `holidays`"),
                    "list \"jp\" in `holidays` instead",
                );
                ok = false;
                Vec::new()
            }
            (_, Some(names)) if names.get_ref().is_empty() => {
                self.error_help(
                    names.span(),
                    format!("schedule `{name}`: `holidays` is empty"),
                    "remove it, or name calendars such as [\"jp\"] or [\"us\", \"company\"]",
                );
                ok = false;
                Vec::new()
            }
            (_, Some(names)) => names.into_inner(),
            (Some(skip), None) if *skip.get_ref() => vec![Spanned::new(skip.span(), "jp".to_owned())],
            _ => Vec::new(),
        };
        if !ok {
            return None;
        }
        let mut schedule = Schedule::new(name.clone(), window?).stop_only(stop_only);
        if let Some(zone) = &raw.time_zone {
            schedule = schedule.with_time_zone(zone.get_ref()).ok()?;
        }
        let select = raw.select?.into_inner();
        let value_spans = match value_at(&table, &["select", "values"]).map(Spanned::get_ref) {
            Some(DeValue::Array(items)) if items.len() == select.values.len() => {
                items.iter().map(Spanned::span).collect()
            }
            _ => vec![values_span; select.values.len()],
        };
        Some(ScheduleDoc {
            config: ScheduleConfig {
                name,
                schedule,
                select,
                installs_as: raw.installs_as.unwrap_or_default(),
                accounts,
                line: self.locator.line(header.start),
            },
            holidays,
            value_spans,
        })
    }

    /// A cron pair; a bad stop cron does not hide a bad start cron.
    fn cron_pair(&mut self, name: &str, stop: &Spanned<String>, start: &Spanned<String>) -> Option<Window> {
        match Window::cron(stop.get_ref(), start.get_ref()) {
            Ok(window) => Some(window),
            Err(error) => {
                let start_error = matches!(error, ParseError::Cron { which: "start", .. });
                let span = if start_error { start.span() } else { stop.span() };
                self.schedule_error(name, span, &error);
                if !start_error && let Err(error) = Window::cron("0 0 * * *", start.get_ref()) {
                    self.schedule_error(name, start.span(), &error);
                }
                None
            }
        }
    }

    fn schedule_error(&mut self, name: &str, span: Range<usize>, error: &ParseError) {
        let help = match error {
            ParseError::Window { .. } => Some(
                "write DAYS HH:MM-HH:MM, e.g. \"weekdays 09:00-19:00\" or \"mon,wed-fri 08:30-18:00\"; \
                 DAYS is weekdays, weekends, daily, or day names and ranges"
                    .to_owned(),
            ),
            ParseError::Cron { .. } => {
                Some("5 fields: minute hour day-of-month month day-of-week, e.g. \"0 19 * * 1-5\"".to_owned())
            }
            ParseError::TimeZone { .. } => None,
        };
        // Point at the column the message names when the value is a plain string (no escapes).
        let span = match error {
            ParseError::Window { input, column, .. }
                if self.text.get(span.clone()) == Some(format!("\"{input}\"").as_str()) =>
            {
                let offset =
                    input.char_indices().nth(column.saturating_sub(1)).map_or(input.len(), |(at, _)| at);
                span.start + 1 + offset..span.end - 1
            }
            _ => span,
        };
        self.push(span, format!("schedule `{name}`: {error}"), help);
    }

    fn exception(&mut self, item: Spanned<DeValue<'_>>) -> Option<Exception> {
        let span = item.span();
        let Recovered { value: raw, removed, .. } = self.de_table::<RawException>(item)?;
        // With a rejected key (already reported), missing keys would only echo that error (`expiry` for
        // `expires`).
        let mut ok = removed.is_empty();
        let missing: Vec<&str> = [
            ("control", raw.control.is_none()),
            ("reason", raw.reason.is_none()),
            ("owner", raw.owner.is_none()),
            ("expires", raw.expires.is_none()),
        ]
        .into_iter()
        .filter_map(|(key, missing)| (missing && removed.is_empty()).then_some(key))
        .collect();
        if !missing.is_empty() {
            ok = false;
            let list = missing.iter().map(|key| format!("`{key}`")).collect::<Vec<_>>();
            let list = match list.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
                _ => list.concat(),
            };
            self.error_help(
                span.clone(),
                format!("exception is missing {list}"),
                "every exception names its `control` and needs a `reason`, an `owner` and an `expires` date \
                 (e.g. expires = 2027-03-31)",
            );
        }
        let control =
            raw.control.as_ref().and_then(|control| self.control_id(control.get_ref(), control.span()));
        ok &= raw.control.is_none() || control.is_some();
        if let Some(account) = &raw.account {
            ok &= self.check_account_id(account, "account");
        }
        if let Some(region) = &raw.region {
            ok &= self.check_region(region, true);
        }
        let resource = raw.resource.as_ref().and_then(|resource| self.pattern("resource", resource));
        ok &= raw.resource.is_none() || resource.is_some();
        let subject = raw.subject.as_ref().and_then(|subject| self.pattern("subject", subject));
        ok &= raw.subject.is_none() || subject.is_some();
        for (key, text) in [("reason", &raw.reason), ("owner", &raw.owner)] {
            if let Some(text) = text
                && text.get_ref().trim().is_empty()
            {
                ok = false;
                self.error(text.span(), format!("`{key}` must not be empty"));
            }
        }
        let expires = raw.expires.as_ref().and_then(|expires| self.date(expires));
        ok &= raw.expires.is_none() || expires.is_some();
        if !ok {
            return None;
        }
        Some(Exception {
            control: control?,
            account: raw.account.map(Spanned::into_inner),
            region: raw.region.map(Spanned::into_inner),
            resource,
            subject,
            reason: raw.reason?.into_inner().trim().to_owned(),
            owner: raw.owner?.into_inner().trim().to_owned(),
            expires: expires?,
            line: self.locator.line(span.start),
        })
    }

    /// The glob of an exception's `resource` or `subject` (`key`).
    fn pattern(&mut self, key: &str, value: &Spanned<String>) -> Option<ResourcePattern> {
        let text = value.get_ref();
        if text.trim().is_empty() {
            let what = if key == "resource" {
                "every resource of the control"
            } else {
                "every subject of the resource"
            };
            self.error_help(
                value.span(),
                format!("`{key}` must not be empty"),
                format!("leave `{key}` out to accept {what}"),
            );
            return None;
        }
        match globset::GlobBuilder::new(text).literal_separator(false).build() {
            Ok(glob) => Some(ResourcePattern { text: text.clone(), matcher: glob.compile_matcher() }),
            Err(error) => {
                self.error(value.span(), format!("invalid glob in `{key}`: {}", error.kind()));
                None
            }
        }
    }

    fn date(&mut self, expires: &Spanned<toml::Value>) -> Option<Date> {
        let help = "write the last day the exception holds as a TOML date, e.g. expires = 2027-03-31";
        match expires.get_ref() {
            toml::Value::Datetime(datetime) => match (datetime.date, datetime.time, datetime.offset) {
                (Some(date), None, None) => {
                    let parsed = Date::new(date.year as i16, date.month as i8, date.day as i8);
                    if parsed.is_err() {
                        self.error_help(
                            expires.span(),
                            format!("`expires` is not a valid date: {datetime}"),
                            help,
                        );
                    }
                    parsed.ok()
                }
                _ => {
                    self.error_help(
                        expires.span(),
                        format!("`expires` must be a date without a time, found {datetime}"),
                        help,
                    );
                    None
                }
            },
            toml::Value::String(text) => {
                let shaped = text.len() == 10
                    && text
                        .bytes()
                        .enumerate()
                        .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
                match text.parse::<Date>() {
                    Ok(date) if shaped => Some(date),
                    _ => {
                        self.error_help(expires.span(), format!("`expires` is not a date: \"{text}\""), help);
                        None
                    }
                }
            }
            other => {
                self.error_help(
                    expires.span(),
                    format!("invalid type: {}, expected a date", other.type_str()),
                    help,
                );
                None
            }
        }
    }

    /// Reports an account ID that is not 12 digits; returns whether it is valid.
    fn check_account_id(&mut self, id: &Spanned<String>, key: &str) -> bool {
        let text = id.get_ref();
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            return true;
        }
        let help = if looks_like_region(text) && key == "account" {
            Some(format!("`{text}` is a region; write it as `region = \"{text}\"`"))
        } else if looks_like_region(text) {
            Some(format!("`{text}` is a region, not an account"))
        } else if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            Some("account IDs have exactly 12 digits; keep any leading zeros".to_owned())
        } else if key == "id" {
            Some("to select accounts by alias, use `alias`".to_owned())
        } else {
            None
        };
        self.push(id.span(), format!("`{key}` must be a 12-digit account ID, found \"{text}\""), help);
        false
    }

    /// Reports a region name that is not shaped like one; returns whether it is valid. `global` (the region
    /// of findings about account-wide resources) is allowed where `allow_global` is set.
    fn check_region(&mut self, region: &Spanned<String>, allow_global: bool) -> bool {
        let text = region.get_ref();
        if looks_like_region(text) || (allow_global && text == "global") {
            return true;
        }
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            let help = if allow_global {
                format!("this is an account ID; write it as `account = \"{text}\"`")
            } else {
                "this is an account ID; regions look like \"ap-northeast-1\"".to_owned()
            };
            self.error_help(
                region.span(),
                format!("expected a region name, found account ID \"{text}\""),
                help,
            );
        } else {
            let help = if allow_global {
                "regions look like \"ap-northeast-1\"; account-wide findings have the region \"global\""
            } else {
                "regions look like \"ap-northeast-1\""
            };
            self.error_help(region.span(), format!("\"{text}\" is not an AWS region name"), help);
        }
        false
    }

    /// Pass 3: references across items.
    fn check_references(&mut self, doc: &Doc<'_>) {
        let names: BTreeSet<&str> =
            doc.profiles.iter().map(|profile| profile.name.as_str()).chain([BUILTIN_PROFILE]).collect();
        let user_names: Vec<&str> = doc.profiles.iter().map(|profile| profile.name.as_str()).collect();
        let mut references: Vec<&Spanned<String>> = Vec::new();
        references.extend(&doc.default_profile);
        references.extend(doc.profiles.iter().filter_map(|profile| profile.extends.as_ref()));
        references.extend(doc.accounts.iter().filter_map(|account| account.profile.as_ref()));
        for reference in references {
            let name = reference.get_ref();
            if names.contains(name.as_str()) {
                continue;
            }
            let help = match closest(name, user_names.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None if user_names.is_empty() => {
                    format!("no profiles are defined; add a `[profiles.{name}]` table")
                }
                None => format!(
                    "defined profiles: {}",
                    user_names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
                ),
            };
            self.error_help(reference.span(), format!("unknown profile `{name}`"), help);
        }
        self.check_cycles(doc);
        self.check_schedules_spare_production(doc);
        self.check_holiday_calendars(doc);
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for account in &doc.accounts {
            let Some(id) = &account.id else { continue };
            if let Some(first) = seen.get(id.get_ref().as_str()) {
                self.error_help(
                    id.span(),
                    format!("account `{}` is listed twice", id.get_ref()),
                    format!("first listed at line {first}; an account has one profile"),
                );
            } else {
                seen.insert(id.get_ref(), self.locator.line(id.span().start));
            }
        }
    }

    /// Every calendar a schedule's `holidays` names is built in or a `[calendars.*]` of the file.
    fn check_holiday_calendars(&mut self, doc: &Doc<'_>) {
        for schedule in &doc.schedules {
            for name in &schedule.holidays {
                let known = guardline_schedule::Builtin::parse(name.get_ref()).is_some()
                    || doc.calendars.contains_key(name.get_ref());
                if !known {
                    let mut names: Vec<String> = guardline_schedule::Builtin::ALL
                        .iter()
                        .map(|(name, _)| format!("`{name}`"))
                        .collect();
                    names.extend(doc.calendars.keys().map(|name| format!("`{name}`")));
                    self.error_help(
                        name.span(),
                        format!("schedule `{}`: unknown holiday calendar `{}`", schedule.config.name, name.get_ref()),
                        format!(
                            "calendars: {} (`jp` Japan's public holidays, `us` US federal holidays); define others \
                             as `[calendars.{}] dates = [\"YYYY-MM-DD\", ...]`",
                            names.join(", "),
                            name.get_ref()
                        ),
                    );
                }
            }
        }
    }

    /// No schedule may select production instances: a `select` that any profile's `production-tag` (or the
    /// default one, which every profile that sets none uses) could reach is an error: its key is a
    /// production key and one of its values (a glob too, `prod*`) shares a match with a production value,
    /// compared fail-safe ([`ProductionTag::selector_reaches`]), so a near miss errs on the safe side.
    fn check_schedules_spare_production(&mut self, doc: &Doc<'_>) {
        let default = Params::default().production_tag;
        let mut tags: Vec<(&ProductionTag, String)> =
            vec![(&default, "the default `production-tag`".to_owned())];
        for profile in &doc.profiles {
            if let Some(tag) = &profile.production_tag {
                tags.push((tag, format!("the `production-tag` of profile `{}`", profile.name)));
            }
        }
        for schedule in &doc.schedules {
            let select = &schedule.config.select;
            for (value, span) in select.values.iter().zip(&schedule.value_spans) {
                let Some((production, source)) = tags.iter().find_map(|(tag, source)| {
                    tag.selector_reaches(&select.key, std::slice::from_ref(value))
                        .map(|(_, production)| (production.to_owned(), source))
                }) else {
                    continue;
                };
                self.error_help(
                    span.clone(),
                    format!(
                        "schedule `{}` (line {}) would select production instances ({}={value:?} reaches the \
                         production value {production:?})",
                        schedule.config.name, schedule.config.line, select.key
                    ),
                    format!(
                        "{source} marks `{}` = {production:?} as production (keys compared without case, values \
                         trimmed and case-folded, `*` any characters), and nothing may ever stop production; remove \
                         {value:?} from `select.values`",
                        select.key
                    ),
                );
            }
        }
    }

    fn check_cycles(&mut self, doc: &Doc<'_>) {
        let by_name: BTreeMap<&str, &ProfileDoc<'_>> =
            doc.profiles.iter().map(|profile| (profile.name.as_str(), profile)).collect();
        let mut reported: BTreeSet<Vec<&str>> = BTreeSet::new();
        for start in &doc.profiles {
            let mut chain: Vec<&str> = vec![start.name.as_str()];
            let mut current = start;
            while let Some(parent) =
                current.extends.as_ref().and_then(|name| by_name.get(name.get_ref().as_str()))
            {
                if let Some(position) = chain.iter().position(|name| *name == parent.name) {
                    let cycle = &chain[position..];
                    let mut key = cycle.to_vec();
                    key.sort_unstable();
                    if reported.insert(key) {
                        // Report at the `extends` of the cycle's member written first.
                        let first = cycle
                            .iter()
                            .map(|name| by_name[name])
                            .min_by_key(|profile| profile.span.start)
                            .unwrap_or(parent);
                        let rotation = cycle.iter().position(|name| *name == first.name).unwrap_or(0);
                        let mut path: Vec<&str> =
                            cycle[rotation..].iter().chain(&cycle[..rotation]).copied().collect();
                        path.push(first.name.as_str());
                        let message = if cycle.len() == 1 {
                            format!("profile `{}` extends itself", first.name)
                        } else {
                            format!("profiles extend each other in a cycle: {}", path.join(" -> "))
                        };
                        let span = first.extends.as_ref().map_or(first.span.clone(), Spanned::span);
                        self.error_help(span, message, "remove one `extends` so that the chain ends");
                    }
                    break;
                }
                chain.push(parent.name.as_str());
                current = parent;
            }
        }
    }
}

/// The span of the value at `path` (nested keys) in `table`.
fn value_span(table: &DeTable<'_>, path: &[&str]) -> Option<Range<usize>> {
    value_at(table, path).map(Spanned::span)
}

/// The value at `path` (nested keys) in `table`.
fn value_at<'t, 'i>(table: &'t DeTable<'i>, path: &[&str]) -> Option<&'t Spanned<DeValue<'i>>> {
    let (first, rest) = path.split_first()?;
    let value = table.get(*first)?;
    if rest.is_empty() {
        return Some(value);
    }
    match value.get_ref() {
        DeValue::Table(inner) => value_at(inner, rest),
        _ => None,
    }
}

/// The schedule crate's error for an unknown time zone name, if `name` is one.
fn time_zone_error(name: &str) -> Option<ParseError> {
    let window = Window::parse("daily 09:00-17:00").ok()?;
    Schedule::new("", window).with_time_zone(name).err()
}

/// The IANA time zone names jiff knows, for "did you mean".
fn time_zone_names() -> Vec<String> {
    jiff::tz::db().available().map(|name| name.as_str().to_owned()).collect()
}

/// Whether `span` covers the byte at `offset` (an empty span covers its start).
fn covers(span: &Range<usize>, offset: usize) -> bool {
    span.start <= offset && offset < span.end.max(span.start + 1)
}

/// Whether `value` or anything nested in it covers the byte at `offset`.
fn subtree_covers(value: &Spanned<DeValue<'_>>, offset: usize) -> bool {
    covers(&value.span(), offset)
        || match value.get_ref() {
            DeValue::Table(table) => {
                table.iter().any(|(key, value)| covers(&key.span(), offset) || subtree_covers(value, offset))
            }
            DeValue::Array(items) => items.iter().any(|item| subtree_covers(item, offset)),
            _ => false,
        }
}

/// serde's message in the file's terms: TOML types rather than Rust ones.
fn friendly(message: &str) -> String {
    let Some((head, expected)) = message.rsplit_once(", expected ") else { return message.to_owned() };
    let expected = match expected {
        "usize" | "u64" | "u32" | "u8" => "a non-negative integer",
        "u16" => "an integer from 0 to 65535",
        "f64" | "f32" => "a number",
        "a map" => "a table",
        "a sequence" => "an array",
        other if other.starts_with("struct ") => "a table",
        other => other,
    };
    format!("{head}, expected {expected}")
}

/// Whether `text` is shaped like an AWS region name (`ap-northeast-1`, `us-gov-west-1`).
fn looks_like_region(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts.last().is_some_and(|last| last.bytes().all(|b| b.is_ascii_digit()))
}

/// Extra advice for some of serde's messages.
fn serde_help(message: &str, source: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`')?;
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return closest(field, candidates).map(|close| format!("did you mean `{close}`?"));
    }
    if message.starts_with("invalid type: integer") && message.ends_with("expected a string") {
        return Some(format!("quote the value: \"{source}\""));
    }
    if message == "missing field `key`" || message == "missing field `values`" {
        return Some(
            "a tag selector needs both, e.g. { key = \"Environment\", values = [\"dev\"] }".to_owned(),
        );
    }
    if message.starts_with("invalid type: string")
        && (message.ends_with("integer") || message.ends_with("a number"))
        && source.trim_matches(['"', '\'']).parse::<f64>().is_ok()
    {
        return Some(format!("remove the quotes: {}", source.trim_matches(['"', '\''])));
    }
    None
}

/// The candidate closest to `input` by edit distance, if it is close enough to be a likely typo.
fn closest<'c>(input: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let input_upper = input.to_ascii_uppercase();
    let limit = (input.chars().count() / 3).clamp(1, 3);
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let by_distance = candidates
        .iter()
        .map(|candidate| (edit_distance(&input_upper, &candidate.to_ascii_uppercase()), *candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate);
    // A prefix ("prod" for "production"), when only one candidate has it.
    let by_prefix = || {
        let mut prefixed = candidates
            .iter()
            .filter(|candidate| input.len() >= 3 && candidate.to_ascii_uppercase().starts_with(&input_upper));
        match (prefixed.next(), prefixed.next()) {
            (Some(candidate), None) => Some(*candidate),
            _ => None,
        }
    };
    by_distance.or_else(by_prefix)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("IAM-002", "IAM-002"), 0);
        assert_eq!(edit_distance("IAM-0002", "IAM-002"), 1);
        assert_eq!(edit_distance("EC2-01", "EC2-001"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(closest("prodution", ["production", "development"]), Some("production"));
        assert_eq!(closest("x", ["production"]), None);
    }

    #[test]
    fn region_shapes() {
        for region in ["ap-northeast-1", "us-east-1", "us-gov-west-1", "eu-central-2", "il-central-1"] {
            assert!(looks_like_region(region), "{region}");
        }
        for text in ["123456789012", "tokyo", "ap-northeast", "AP-NORTHEAST-1", "ap--1", "global", ""] {
            assert!(!looks_like_region(text), "{text}");
        }
    }
}
