//! [`ProductionTag`]: which resources are production, matched fail-safe. This is the one production match
//! of Guardline: SCHED-001/002, the config's check of `[schedules]` selectors, `schedule plan|apply|run`,
//! the stop runbook Guardline installs (its Python handler implements the same rules, and a test runs it on
//! the same cases) and the Deny of `iam-policy --for schedule` all follow it.
//!
//! Fail-safe means a messy tag still counts: tag keys are compared trimmed and without case (`environment`,
//! `ENV ` are `Environment`, `Env`), values trimmed and case-folded (`"Prod "` is `prod`), and a value may be
//! a glob whose `*` stands for any run of characters (`prod-*` takes `Prod-JP`). Several keys are production
//! keys at once: by default `Environment`, `Env` and `Stage`, the spellings teams use for the same tag; a
//! profile that sets its own `keys` replaces the list, so it names every key its organisation uses.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The keys tried by default: the usual spellings of the environment tag.
pub const DEFAULT_KEYS: &[&str] = &["Environment", "Env", "Stage"];

/// The production values by default (globs, compared case-folded).
pub const DEFAULT_VALUES: &[&str] = &[
    "prod",
    "prd",
    "production",
    "prod-*",
    "prod_*",
    "prd-*",
    "prd_*",
    "production-*",
    "*-prod",
    "*_prod",
    "*-prd",
    "*_prd",
    "*-production",
];

/// The profile's `production-tag`: a resource carrying any of `keys` with a value matching any of `values`
/// is production, and Guardline never stops it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "RawProductionTag")]
pub struct ProductionTag {
    /// Tag keys, compared trimmed and case-insensitively.
    pub keys: Vec<String>,
    /// Values or globs (`*`), compared trimmed and case-folded.
    pub values: Vec<String>,
}

/// The file's form: `keys = [...]`, or `key = "..."` for a single key; `values` defaults to
/// [`DEFAULT_VALUES`].
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawProductionTag {
    key: Option<String>,
    keys: Option<Vec<String>>,
    values: Option<Vec<String>>,
}

impl TryFrom<RawProductionTag> for ProductionTag {
    type Error = String;

    fn try_from(raw: RawProductionTag) -> Result<Self, Self::Error> {
        let keys = match (raw.key, raw.keys) {
            (Some(_), Some(_)) => {
                return Err("set either `key` or `keys` of `production-tag`, not both".into());
            }
            (Some(key), None) => vec![key],
            (None, Some(keys)) => keys,
            (None, None) => return Err("missing field `keys` (or `key`) of `production-tag`".into()),
        };
        let values =
            raw.values.unwrap_or_else(|| DEFAULT_VALUES.iter().map(|value| (*value).to_owned()).collect());
        Ok(ProductionTag { keys, values })
    }
}

impl Default for ProductionTag {
    fn default() -> Self {
        ProductionTag {
            keys: DEFAULT_KEYS.iter().map(|key| (*key).to_owned()).collect(),
            values: DEFAULT_VALUES.iter().map(|value| (*value).to_owned()).collect(),
        }
    }
}

/// A tag key or value as compared: trimmed and case-folded.
pub fn fold(text: &str) -> String {
    text.trim().to_lowercase()
}

impl ProductionTag {
    /// Whether `key` is one of the production keys (trimmed, without case).
    pub fn is_key(&self, key: &str) -> bool {
        let key = fold(key);
        self.keys.iter().any(|production| fold(production) == key)
    }

    /// Whether `value` is a production value (trimmed, case-folded, globs).
    pub fn is_value(&self, value: &str) -> bool {
        let value = fold(value);
        self.values.iter().any(|pattern| glob_matches(&fold(pattern), &value))
    }

    /// The tag of `tags` that makes them production, as written on the resource (`environment`, `Prod `).
    pub fn matched<'t>(&self, tags: &'t BTreeMap<String, String>) -> Option<(&'t str, &'t str)> {
        tags.iter()
            .find(|(key, value)| self.is_key(key) && self.is_value(value))
            .map(|(key, value)| (key.as_str(), value.as_str()))
    }

    /// Whether `tags` mark production.
    pub fn matches(&self, tags: &BTreeMap<String, String>) -> bool {
        self.matched(tags).is_some()
    }

    /// `environment=Prod `: the production tag of `tags`, as written, if any.
    pub fn describe_match(&self, tags: &BTreeMap<String, String>) -> Option<String> {
        self.matched(tags).map(|(key, value)| format!("{key}={value}"))
    }

    /// The first of `values` by which a selector `key = values` could select production: `key` is a
    /// production key and the value (itself possibly a glob) shares a match with a production value.
    pub fn selector_reaches<'v>(&self, key: &str, values: &'v [String]) -> Option<(&'v str, &str)> {
        if !self.is_key(key) {
            return None;
        }
        values.iter().find_map(|value| {
            let folded = fold(value);
            self.values
                .iter()
                .find(|pattern| globs_overlap(fold(pattern).as_bytes(), folded.as_bytes()))
                .map(|pattern| (value.as_str(), pattern.as_str()))
        })
    }

    /// `Environment|Env|Stage = prod, prd, ...`, for messages.
    pub fn describe(&self) -> String {
        format!("{} = {}", self.keys.join("|"), self.values.join(", "))
    }
}

/// Whether the glob `pattern` (`*` any run of characters) matches `text`; both already folded.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    globs_overlap(pattern.as_bytes(), text.replace('*', "\u{0}").as_bytes())
}

/// Whether two globs (`*` any run of bytes, everything else literal) match a common string.
fn globs_overlap(a: &[u8], b: &[u8]) -> bool {
    let mut seen = vec![vec![false; b.len() + 1]; a.len() + 1];
    let mut stack = vec![(0, 0)];
    while let Some((i, j)) = stack.pop() {
        if std::mem::replace(&mut seen[i][j], true) {
            continue;
        }
        if i == a.len() && j == b.len() {
            return true;
        }
        let (star_a, star_b) = (a.get(i) == Some(&b'*'), b.get(j) == Some(&b'*'));
        if star_a {
            stack.push((i + 1, j));
            if j < b.len() {
                stack.push((i, j + 1));
            }
        }
        if star_b {
            stack.push((i, j + 1));
            if i < a.len() {
                stack.push((i + 1, j));
            }
        }
        if !star_a && !star_b && i < a.len() && j < b.len() && a[i] == b[j] {
            stack.push((i + 1, j + 1));
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())).collect()
    }

    /// The cases the runbook's Python handler is tested on too (`runbook_cases.json`).
    #[test]
    fn messy_production_tags_match() {
        let cases: serde_json::Value =
            serde_json::from_str(include_str!("production_cases.json")).expect("the cases parse");
        let production = ProductionTag::default();
        for case in cases.as_array().unwrap() {
            let pairs: BTreeMap<String, String> = serde_json::from_value(case["tags"].clone()).unwrap();
            let expected = case["production"].as_bool().unwrap();
            assert_eq!(production.matches(&pairs), expected, "{pairs:?}");
        }
    }

    #[test]
    fn five_spellings_of_production() {
        let production = ProductionTag::default();
        for pairs in [
            [("environment", "prod")],
            [("Environment", "prod ")],
            [("Env", "prd")],
            [("Environment", "Prod-JP")],
            [("STAGE ", "PRODUCTION")],
        ] {
            assert!(production.matches(&tags(&pairs)), "{pairs:?}");
        }
        assert_eq!(production.describe_match(&tags(&[("env", "Prd")])).as_deref(), Some("env=Prd"));
        for pairs in [[("Environment", "dev")], [("Environment", "preprod-ish")], [("Owner", "prod")]] {
            assert!(!production.matches(&tags(&pairs)), "{pairs:?}");
        }
    }

    #[test]
    fn a_selector_that_could_reach_production_is_found() {
        let production = ProductionTag::default();
        let values = |list: &[&str]| list.iter().map(|value| (*value).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            production.selector_reaches("env", &values(&["dev", "prod*"])).map(|hit| hit.0),
            Some("prod*")
        );
        assert!(production.selector_reaches("ENVIRONMENT", &values(&["Prod "])).is_some());
        assert!(production.selector_reaches("Stage", &values(&["jp-prod"])).is_some());
        assert!(production.selector_reaches("Environment", &values(&["*"])).is_some());
        assert!(production.selector_reaches("Environment", &values(&["dev", "stg"])).is_none());
        assert!(production.selector_reaches("Team", &values(&["prod"])).is_none());
    }

    #[test]
    fn globs_overlap_only_when_they_share_a_string() {
        assert!(globs_overlap(b"prod-*", b"*-jp"));
        assert!(globs_overlap(b"a*", b"*b"));
        assert!(!globs_overlap(b"*a", b"*b"));
        assert!(!globs_overlap(b"prod-*", b"dev*"));
        assert!(glob_matches("prod-*", "prod-jp"));
        assert!(!glob_matches("prod-*", "prod"));
        assert!(!glob_matches("prod", "prod*"), "a literal star in a tag value is not a wildcard");
    }

    #[test]
    fn the_file_form_takes_key_or_keys() {
        let one: ProductionTag = toml::from_str(r#"key = "Tier""#).unwrap();
        assert_eq!(one.keys, ["Tier"]);
        assert_eq!(one.values, ProductionTag::default().values);
        assert!(
            toml::from_str::<ProductionTag>(
                r#"key = "Tier"
keys = ["Env"]"#
            )
            .is_err()
        );
        assert!(toml::from_str::<ProductionTag>(r#"values = ["prod"]"#).is_err());
    }
}
