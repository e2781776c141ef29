//! guardline.toml's JSON Schema (draft 7, for editors: taplo, Even Better TOML), generated with schemars from
//! the serde structs the file is read into ([`crate::raw`], [`crate::Params`], [`crate::ProductionTag`], ...),
//! so key names, types, `deny_unknown_fields` (`additionalProperties: false`) and doc comments come from the
//! parser's own definitions. The tables [`mod@crate::load`] reads key by key (the root, a profile, `[watch]`)
//! are described by the structs below; tests keep their keys equal to the parser's key lists, and check the
//! schema with an independent validator (`tests/schema.rs`).
//!
//! `docs/guardline.schema.json` is [`json`]'s output (a test fails when it is stale; `GUARDLINE_BLESS=1`
//! rewrites it), `guardline schema` prints it and `guardline init` writes it beside the starter config.
//!
//! The schema checks shapes; what validation checks beyond them (references between profiles, account IDs,
//! regions, expiry dates, value ranges) only `guardline` itself reports.

use std::collections::BTreeMap;

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use crate::Params;
use crate::raw::{
    RawAccount, RawCalendar, RawControl, RawException, RawFix, RawLevel, RawOrg, RawScan, RawSchedule,
    RawWatchChannel, RawWatchFeed, RawWatchRoute, RawWatchSource,
};

/// guardline.toml
///
/// Which guideline controls apply to which AWS account, and which failures are accepted (Guardline's
/// config; `guardline init` writes a commented starter).
#[derive(JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[expect(dead_code, reason = "describes the file's root table for the schema; `load` reads it key by key")]
struct Root {
    /// The profile of accounts that no `[[accounts]]` entry selects.
    default_profile: Option<String>,
    /// How `guardline scan` collects data; the command line overrides each setting.
    scan: Option<RawScan>,
    /// Named profiles: which controls a kind of account adopts, at which level, with which parameters.
    profiles: Option<BTreeMap<String, Profile>>,
    /// Which profile applies to which account (by ID, alias, OU or tag).
    accounts: Option<Vec<RawAccount>>,
    /// Accepted failures, each with a reason, an owner and an expiry date.
    exceptions: Option<Vec<RawException>>,
    /// The off-hours scheduler: when the selected instances run.
    schedules: Option<BTreeMap<String, RawSchedule>>,
    /// Holiday calendars schedules name in `holidays`, besides the built-in `jp` and `us`.
    calendars: Option<BTreeMap<String, RawCalendar>>,
    /// Values the automated fixes (`guardline fix`) need.
    fix: Option<RawFix>,
    /// The alert router (`guardline watch`).
    watch: Option<Watch>,
    /// Organisation scans (`guardline scan --org`).
    org: Option<RawOrg>,
}

/// One `[profiles.<name>]`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[expect(dead_code, reason = "describes a profile table for the schema; `load` reads it key by key")]
struct Profile {
    /// The profile this one inherits controls, levels and parameters from.
    extends: Option<String>,
    /// The level of adopted controls that set none.
    default_level: Option<RawLevel>,
    /// Per-control parameters; each key left out keeps the inherited (or the seed guideline's) value.
    params: Option<Params>,
    /// By control ID (e.g. `"IAM-002"`): adopted or not, and the level.
    controls: Option<BTreeMap<String, RawControl>>,
}

/// `[watch]`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[expect(dead_code, reason = "describes `[watch]` for the schema; `load` reads it key by key")]
struct Watch {
    /// How often the sources are polled, e.g. `"5m"` (default 5m).
    interval: Option<String>,
    /// The outbox database (default: per config file, in the user's data directory).
    state_db: Option<String>,
    /// After how long a channel that keeps failing is announced as down on the others, e.g. `"15m"`.
    channel_down_alert_after: Option<String>,
    /// A burst of more events than this is sent as one digest (default 10).
    #[schemars(range(min = 1))]
    digest_above: Option<usize>,
    /// Where alerts go, by name: `type` is `slack`, `teams` or `email`.
    channels: Option<BTreeMap<String, RawWatchChannel>>,
    /// The built-in sources by name: `guardduty`, `security-hub`, `inspector`, `health`, `aws-status`,
    /// `changes`.
    sources: Option<BTreeMap<String, RawWatchSource>>,
    /// RSS or Atom feeds to watch.
    feeds: Option<Vec<RawWatchFeed>>,
    /// Which sources (and accounts, owners) go to which channels.
    routes: Option<Vec<RawWatchRoute>>,
    /// The Organizations account tag whose value names an account's owner (default `owner`).
    owner_tag: Option<String>,
    /// The IANA time zone of the routes' `digest-at` (default `UTC`).
    timezone: Option<String>,
}

/// The schema as a JSON value.
pub fn schema() -> Schema {
    let mut settings = SchemaSettings::draft07();
    settings.transforms.push(Box::new(RecursiveTransform(without_null)));
    settings.into_generator().into_root_schema_for::<Root>()
}

/// TOML has no null: an `Option` is a key that may be left out, so the `null` schemars allows for it goes.
fn without_null(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else { return };
    if let Some(Value::Array(types)) = object.get_mut("type") {
        types.retain(|kind| kind != "null");
        if let [single] = types.as_slice() {
            let single = single.clone();
            object.insert("type".to_owned(), single);
        }
    }
    if let Some(Value::Array(variants)) = object.get_mut("anyOf") {
        variants.retain(|variant| variant.get("type").is_none_or(|kind| kind != "null"));
        if let [single] = variants.as_slice()
            && let Value::Object(single) = single.clone()
        {
            object.remove("anyOf");
            object.extend(single);
        }
    }
}

/// The schema as pretty-printed JSON with a final newline (`docs/guardline.schema.json`).
pub fn json() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("a schema serialises");
    text.push('\n');
    text
}

/// `expires`: a TOML date (`2026-09-30`) or a string holding one.
pub(crate) fn date(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "The last day the exception applies: a TOML date (2026-09-30) or a string holding one.",
        "type": "string",
        "format": "date",
    })
}

/// `min-severity`: a number (GuardDuty, 0.0 to 10.0) or a severity label (Security Hub, Inspector).
pub(crate) fn severity(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "The lowest severity alerted: a number from 0.0 to 10.0 (guardduty) or a label such as \
                        \"HIGH\" (security-hub, inspector).",
        "type": ["number", "string"],
    })
}

/// A channel's literal `url`, `token` or `password`: never accepted (secrets come from `*-env` or `*-file`).
pub(crate) fn literal_secret(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "Not accepted: a secret is never written in the config. Name the environment variable \
                        (`url-env`, `token-env`, `password-env`) or the file (`url-file`, ...) that holds it.",
        "not": {},
    })
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use crate::raw::{PROFILE_KEYS, ROOT_KEYS, WATCH_KEYS};

    /// The keys of the object schema at `pointer`, resolving a `$ref`.
    fn keys(schema: &Value, pointer: &str) -> Vec<String> {
        let mut object = schema.pointer(pointer).unwrap_or_else(|| panic!("no {pointer}"));
        if let Some(Value::String(reference)) = object.get("$ref") {
            object = schema.pointer(reference.trim_start_matches('#')).expect("the reference resolves");
        }
        assert_eq!(object["additionalProperties"], false, "{pointer} rejects unknown keys");
        let mut keys: Vec<String> = object["properties"].as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    }

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut keys: Vec<String> = keys.iter().map(|key| (*key).to_owned()).collect();
        keys.sort();
        keys
    }

    /// The tables `load` reads key by key have the schema's keys exactly.
    #[test]
    fn the_hand_read_tables_have_the_parsers_keys() {
        let schema = serde_json::to_value(super::schema()).unwrap();
        assert_eq!(keys(&schema, ""), sorted(ROOT_KEYS));
        assert_eq!(keys(&schema, "/definitions/Profile"), sorted(PROFILE_KEYS));
        assert_eq!(keys(&schema, "/definitions/Watch"), sorted(WATCH_KEYS));
    }

    #[test]
    fn no_null_and_draft_7() {
        let text = super::json();
        assert!(text.contains("\"$schema\": \"http://json-schema.org/draft-07/schema#\""), "{text}");
        assert!(!text.contains("\"null\""), "TOML has no null: {text}");
    }
}
