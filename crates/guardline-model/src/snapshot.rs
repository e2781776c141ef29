//! [`Snapshot`]: the versioned inventory of one account, as written by `guardline collect`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::error::Category;
use serde_json::value::RawValue;

use crate::inventory::{GlobalInventory, RegionInventory};

/// The `format` tag every snapshot file carries.
pub const SNAPSHOT_FORMAT: &str = "guardline-snapshot";

/// The snapshot schema version this build reads and writes. Bump it with any change to the inventory model
/// that an older build would misread; older and newer snapshots are refused, never guessed at.
pub const SNAPSHOT_VERSION: u32 = 2;

/// Who was scanned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountInfo {
    /// The 12-digit account ID (from `sts:GetCallerIdentity`).
    pub id: String,
    /// The partition, e.g. `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// The ARN of the identity that collected the snapshot.
    pub caller_arn: String,
}

impl AccountInfo {
    /// The ARN Guardline uses for account-level findings.
    pub fn root_arn(&self) -> String {
        format!("arn:{}:iam::{}:root", self.partition, self.id)
    }
}

/// Everything collected from one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Always [`SNAPSHOT_FORMAT`].
    #[serde(deserialize_with = "format_tag")]
    pub format: String,
    /// [`SNAPSHOT_VERSION`] of the build that wrote it.
    #[serde(deserialize_with = "schema_version")]
    pub version: u32,
    /// The Guardline version that wrote it (informational).
    pub tool_version: String,
    /// When collection started. Rules measure ages ("unused for 90 days") against this, never against the
    /// clock, so evaluating a snapshot gives the same findings whenever it runs.
    pub collected_at: Timestamp,
    pub account: AccountInfo,
    /// Account-wide data (IAM, S3, budgets, Cost Explorer, account settings).
    #[serde(default)]
    pub global: GlobalInventory,
    /// Per-region data, keyed by region name: exactly the regions in the scan's scope.
    #[serde(default)]
    pub regions: BTreeMap<String, RegionInventory>,
}

/// Why a snapshot file could not be read.
#[derive(Debug)]
pub enum SnapshotError {
    /// Not JSON, or not a Guardline snapshot at all.
    NotASnapshot(String),
    /// A Guardline snapshot of another schema version.
    WrongVersion { found: u32, tool_version: String },
    /// The right version, but its content does not match the model.
    Invalid(serde_json::Error),
}

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnapshotError::NotASnapshot(why) => write!(f, "not a Guardline snapshot: {why}"),
            SnapshotError::WrongVersion { found, tool_version } => write!(
                f,
                "snapshot schema version {found} (written by Guardline {tool_version}) is not supported: \
                 this build reads version {SNAPSHOT_VERSION} only; collect it again with this build"
            ),
            SnapshotError::Invalid(err) => write!(
                f,
                "invalid snapshot (version {SNAPSHOT_VERSION}, but its content does not fit it): {}",
                in_words(err)
            ),
        }
    }
}

impl std::error::Error for SnapshotError {}

/// [`Snapshot`] with each region's inventory left as its JSON text, for [`Snapshot::from_json`]: the same
/// fields, checked the same way (a test compares both readings of the demo snapshot).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WithRegionsUnread<'a> {
    #[serde(deserialize_with = "format_tag")]
    format: String,
    #[serde(deserialize_with = "schema_version")]
    version: u32,
    tool_version: String,
    collected_at: Timestamp,
    account: AccountInfo,
    #[serde(default)]
    global: GlobalInventory,
    #[serde(borrow, default)]
    regions: BTreeMap<String, &'a RawValue>,
}

/// The fields that say what a document is, read on their own (everything else is skipped unparsed).
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
    tool_version: Option<String>,
}

impl Header {
    /// `Ok` when `json` is a snapshot of this build's format and version (whatever its content).
    fn read(json: &str) -> Result<(), SnapshotError> {
        let text = json.trim_start();
        let why = match text.chars().next() {
            None => Some("the file is empty".to_owned()),
            Some('{') => None,
            Some('<') => Some("it is HTML or XML, not JSON".to_owned()),
            Some('[') => Some("it is a JSON list; a snapshot is a JSON object".to_owned()),
            Some(_) => Some("it is not JSON (a snapshot is a JSON object, starting with `{`)".to_owned()),
        };
        if let Some(why) = why {
            return Err(SnapshotError::NotASnapshot(why));
        }
        let header: Header = serde_json::from_str(json).map_err(|err| {
            SnapshotError::NotASnapshot(match err.classify() {
                Category::Eof => format!(
                    "the JSON stops in the middle, at line {}, column {} (a truncated file, or one still being \
                     written?)",
                    err.line(),
                    err.column()
                ),
                Category::Syntax | Category::Io => {
                    format!("it is not valid JSON, at line {}, column {}", err.line(), err.column())
                }
                Category::Data => format!(
                    "its `format` and `version` are not a text and a whole number (at line {}, column {})",
                    err.line(),
                    err.column()
                ),
            })
        })?;
        match header.format.as_deref() {
            Some(SNAPSHOT_FORMAT) => {}
            None => {
                return Err(SnapshotError::NotASnapshot(format!(
                    "it has no `format` field (a snapshot has \"format\": {SNAPSHOT_FORMAT:?})"
                )));
            }
            Some(other) => {
                return Err(SnapshotError::NotASnapshot(format!(
                    "its `format` is {other:?}, not {SNAPSHOT_FORMAT:?}"
                )));
            }
        }
        let found =
            header.version.ok_or_else(|| SnapshotError::NotASnapshot("no `version` field".to_owned()))?;
        if found != SNAPSHOT_VERSION {
            return Err(SnapshotError::WrongVersion {
                found,
                tool_version: header.tool_version.unwrap_or_else(|| "unknown".to_owned()),
            });
        }
        Ok(())
    }
}

/// A content error of a snapshot in words: where it is first, then what, without the parser's phrasing
/// for the common cases (a missing or unknown field, a value not among the allowed ones).
fn in_words(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let what = text.rsplit_once(" at line ").map_or(text.as_str(), |(what, _)| what);
    let field = |prefix: &str| what.strip_prefix(prefix).map(|rest| rest.split('`').nth(1).unwrap_or(rest));
    let what = if let Some(name) = field("missing field ") {
        format!("the field `{name}` is missing")
    } else if let Some(name) = field("unknown field ") {
        format!("`{name}` is not a field this version of the snapshot has")
    } else if let Some(rest) = what.strip_prefix("unknown variant ") {
        let (value, allowed) = rest.split_once(", expected ").unwrap_or((rest, "another value"));
        format!("{value} is not an allowed value here (allowed: {allowed})")
    } else if err.classify() == Category::Eof {
        "the JSON stops in the middle (a truncated file?)".to_owned()
    } else {
        what.to_owned()
    };
    format!("line {}, column {}: {what}", err.line(), err.column())
}

/// `format` while reading the whole snapshot: anything but [`SNAPSHOT_FORMAT`] stops the read at once.
fn format_tag<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let format = String::deserialize(deserializer)?;
    if format != SNAPSHOT_FORMAT {
        return Err(serde::de::Error::custom(format_args!("not a {SNAPSHOT_FORMAT}")));
    }
    Ok(format)
}

/// `version` while reading the whole snapshot: another schema version stops the read at once.
fn schema_version<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let version = u32::deserialize(deserializer)?;
    if version != SNAPSHOT_VERSION {
        return Err(serde::de::Error::custom(format_args!("schema version {version}")));
    }
    Ok(version)
}

impl Snapshot {
    /// An empty snapshot for `account`, collected at `collected_at`.
    pub fn new(account: AccountInfo, collected_at: Timestamp) -> Self {
        Snapshot {
            format: SNAPSHOT_FORMAT.to_owned(),
            version: SNAPSHOT_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            collected_at,
            account,
            global: GlobalInventory::default(),
            regions: BTreeMap::new(),
        }
    }

    /// Reads a snapshot from JSON, refusing another format or schema version before reading its content.
    ///
    /// `format` and `version` come first in every snapshot Guardline writes, and they refuse a mismatch as
    /// soon as they are read. The account-wide part is read in order; each region's inventory is first
    /// only delimited, then all regions are read in parallel (most of a large account is regional). When
    /// anything fails, the document is read again in order, which locates the error in the file, and its
    /// header alone says whether it is another version, something else entirely, or a broken snapshot.
    pub fn from_json(json: &str) -> Result<Snapshot, SnapshotError> {
        if let Ok(snapshot) = Self::from_json_in_parallel(json) {
            return Ok(snapshot);
        }
        serde_json::from_str(json).map_err(|err| match Header::read(json) {
            Err(refusal) => refusal,
            Ok(()) => SnapshotError::Invalid(err),
        })
    }

    fn from_json_in_parallel(json: &str) -> Result<Snapshot, serde_json::Error> {
        let unread: WithRegionsUnread = serde_json::from_str(json)?;
        let regions = unread
            .regions
            .into_par_iter()
            .map(|(name, inventory)| Ok((name, serde_json::from_str(inventory.get())?)))
            .collect::<Result<_, serde_json::Error>>()?;
        Ok(Snapshot {
            format: unread.format,
            version: unread.version,
            tool_version: unread.tool_version,
            collected_at: unread.collected_at,
            account: unread.account,
            global: unread.global,
            regions,
        })
    }

    /// The snapshot as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the inventory model always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Snapshot {
        Snapshot::new(
            AccountInfo {
                id: "123456789012".into(),
                partition: "aws".into(),
                caller_arn: "arn:aws:iam::123456789012:user/a".into(),
            },
            "2026-11-28T00:00:00Z".parse().unwrap(),
        )
    }

    #[test]
    fn round_trips() {
        let snap = sample();
        assert_eq!(Snapshot::from_json(&snap.to_json()).unwrap(), snap);
    }

    #[test]
    fn refuses_other_versions() {
        let json = sample().to_json().replace(&format!("\"version\": {SNAPSHOT_VERSION}"), "\"version\": 99");
        let err = Snapshot::from_json(&json).unwrap_err();
        assert!(matches!(err, SnapshotError::WrongVersion { found: 99, .. }), "{err}");
        assert!(err.to_string().contains("version 99"), "{err}");
    }

    #[test]
    fn refuses_other_json() {
        let err = Snapshot::from_json(r#"{"hello": 1}"#).unwrap_err();
        assert!(matches!(err, SnapshotError::NotASnapshot(_)), "{err}");
        let err = Snapshot::from_json("not json").unwrap_err();
        assert!(matches!(err, SnapshotError::NotASnapshot(_)), "{err}");
    }

    #[test]
    fn another_version_is_named_wherever_its_header_is() {
        // A newer build's snapshot: an unknown field before the version, and the version last.
        let mut value: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        let object = value.as_object_mut().unwrap();
        object.remove("version");
        object.insert("added_later".into(), serde_json::json!({"x": 1}));
        object.insert("version".into(), serde_json::json!(SNAPSHOT_VERSION + 1));
        let err = Snapshot::from_json(&value.to_string()).unwrap_err();
        assert!(
            matches!(err, SnapshotError::WrongVersion { found, .. } if found == SNAPSHOT_VERSION + 1),
            "{err}"
        );
    }

    #[test]
    fn a_broken_snapshot_of_this_version_is_invalid_with_its_location() {
        let json = sample().to_json().replace("\"partition\": \"aws\"", "\"partition\": 7");
        let err = Snapshot::from_json(&json).unwrap_err();
        assert!(matches!(err, SnapshotError::Invalid(_)), "{err}");
        assert!(err.to_string().contains("line 8"), "{err}");
    }

    #[test]
    fn the_parallel_reading_equals_the_sequential_one() {
        let demo = include_str!("../../../demo/snapshot.json");
        let parallel =
            Snapshot::from_json_in_parallel(demo).expect("the demo snapshot takes the parallel path");
        let sequential: Snapshot = serde_json::from_str(demo).unwrap();
        assert_eq!(parallel, sequential);
        assert!(!parallel.regions.is_empty());
    }

    #[test]
    fn an_error_inside_a_region_is_located_in_the_file() {
        let demo = include_str!("../../../demo/snapshot.json");
        let mut lines: Vec<String> = demo.lines().map(str::to_owned).collect();
        let line_index = lines
            .iter()
            .position(|line| line.contains("\"regions\""))
            .and_then(|start| {
                lines[start..]
                    .iter()
                    .position(|line| line.contains("\"status\": \"ok\""))
                    .map(|at| start + at)
            })
            .expect("the demo has regional data");
        lines[line_index] = lines[line_index].replace("\"ok\"", "\"maybe\"");
        let broken = lines.join("\n");
        let err = Snapshot::from_json(&broken).unwrap_err();
        assert!(matches!(err, SnapshotError::Invalid(_)), "{err}");
        assert!(err.to_string().contains(&format!("line {}", line_index + 1)), "{err}");
    }

    #[test]
    fn missing_data_is_not_collected_rather_than_empty() {
        let snap = sample();
        let err = snap.global.password_policy.get().unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::NotCollected);
    }
}
