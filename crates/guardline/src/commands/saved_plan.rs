//! Saved plans: the review-then-apply flow of `fix --plan-out` / `fix --apply-plan` and
//! `schedule plan --plan-out` / `schedule apply --apply-plan`.
//!
//! A saved plan is a JSON file: what it is for ([`SavedPlan::kind`]), the Guardline version that made it, when,
//! the target account (ID and alias) and regions, the plan's steps (each with its API calls and the findings
//! that caused it), and a SHA-256 content hash over all of that. Applying one re-reads the live account, plans
//! again, and applies only the steps that are exactly those of the file; it refuses a plan of another kind,
//! for another account, altered after it was written (the hash), older than the allowed age, or one whose
//! preconditions drifted (a step the live state no longer calls for, or calls for differently).
//!
//! The hash detects a plan changed by accident or by hand after review; it is not a signature: whoever can
//! write the file can recompute it. Keep reviewed plans where only the reviewers can write (a change ticket,
//! a protected artifact store).
//!
//! Architecture Invariant: a saved plan is only ever applied by re-planning from the live state and applying
//! the fresh steps equal to the saved ones, so a plan file can never make Guardline write something the
//! current state and config would not plan.

use std::path::Path;

use anyhow::{Context as _, bail};
use guardline_config::LiveAccount;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

/// The file format's version; a plan of another version is refused.
pub const FORMAT_VERSION: u64 = 1;

/// A plan as written to and read back from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedPlan {
    /// `fix` or `schedule`.
    pub kind: String,
    pub guardline_version: String,
    pub created_at: Timestamp,
    pub account: LiveAccount,
    pub regions: Vec<String>,
    /// The command's own part: its steps and whatever it needs to re-plan (e.g. `--only`).
    pub body: Value,
}

impl SavedPlan {
    pub fn new(kind: &str, account: &LiveAccount, regions: Vec<String>, body: Value) -> SavedPlan {
        SavedPlan {
            kind: kind.to_owned(),
            guardline_version: env!("CARGO_PKG_VERSION").to_owned(),
            created_at: Timestamp::now(),
            account: account.clone(),
            regions,
            body,
        }
    }

    fn unhashed(&self) -> Value {
        json!({
            "kind": format!("guardline-{}-plan", self.kind),
            "format_version": FORMAT_VERSION,
            "guardline_version": self.guardline_version,
            "created_at": self.created_at.to_string(),
            "account": {"id": self.account.id, "alias": self.account.alias},
            "regions": self.regions,
            "plan": self.body,
        })
    }

    /// The file's text: the plan and its content hash.
    pub fn to_json(&self) -> String {
        let mut document = self.unhashed();
        let hash = content_hash(&document);
        document.as_object_mut().expect("an object").insert("content_hash".to_owned(), Value::from(hash));
        let mut text = serde_json::to_string_pretty(&document).expect("JSON values serialise");
        text.push('\n');
        text
    }

    /// Writes the plan to `path` and says so on stderr.
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, self.to_json())
            .with_context(|| format!("writing the plan to {}", path.display()))?;
        crate::console::note!(
            "Plan for account {} written to {} (apply it with --apply-plan {})",
            self.account,
            path.display(),
            path.display()
        );
        Ok(())
    }

    /// Reads a plan of `kind` from `path`, refusing one that is altered, of another format, or older than
    /// `max_age`.
    pub fn read(path: &Path, kind: &str, max_age: SignedDuration) -> anyhow::Result<SavedPlan> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading the plan {}", path.display()))?;
        let refuse =
            |why: String| anyhow::anyhow!("refused, nothing was changed: the plan {}: {why}", path.display());
        let mut document: Value = serde_json::from_str(&text)
            .map_err(|error| refuse(format!("is not a Guardline plan (JSON: {error})")))?;
        let object = document.as_object_mut().ok_or_else(|| refuse("is not a JSON object".to_owned()))?;
        let wanted_kind = format!("guardline-{kind}-plan");
        match object.get("kind").and_then(Value::as_str) {
            Some(found) if found == wanted_kind => {}
            Some(found) => return Err(refuse(format!("is a {found}, not a {wanted_kind}"))),
            None => return Err(refuse("has no \"kind\": it is not a Guardline plan".to_owned())),
        }
        match object.get("format_version").and_then(Value::as_u64) {
            Some(FORMAT_VERSION) => {}
            other => {
                return Err(refuse(format!(
                    "has format version {}, this Guardline reads version {FORMAT_VERSION}: make the plan again",
                    other.map_or("(none)".to_owned(), |version| version.to_string())
                )));
            }
        }
        let Some(Value::String(recorded)) = object.remove("content_hash") else {
            return Err(refuse("has no content_hash".to_owned()));
        };
        let actual = content_hash(&document);
        if recorded != actual {
            return Err(refuse(format!(
                "was altered after it was written (content hash {actual}, the file says {recorded}): review \
                 and write the plan again"
            )));
        }
        let field = |name: &str| document.get(name).cloned().unwrap_or(Value::Null);
        let created_at: Timestamp = field("created_at")
            .as_str()
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| refuse("has no valid created_at".to_owned()))?;
        let age = Timestamp::now().duration_since(created_at);
        if age > max_age {
            return Err(refuse(format!(
                "was made at {created_at}, {} ago, more than the {} --max-plan-age allows: make and review a \
                 new plan",
                friendly(age),
                friendly(max_age)
            )));
        }
        if age < -SignedDuration::from_mins(5) {
            return Err(refuse(format!(
                "was made at {created_at}, in the future: check this machine's clock"
            )));
        }
        let account = field("account");
        let id = account["id"].as_str().ok_or_else(|| refuse("names no account".to_owned()))?;
        Ok(SavedPlan {
            kind: kind.to_owned(),
            guardline_version: field("guardline_version").as_str().unwrap_or_default().to_owned(),
            created_at,
            account: LiveAccount { id: id.to_owned(), alias: account["alias"].as_str().map(str::to_owned) },
            regions: field("regions")
                .as_array()
                .map(|regions| regions.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default(),
            body: field("plan"),
        })
    }

    /// Refuses the plan unless the live account is the one it was made for.
    pub fn check_account(&self, live: &LiveAccount) -> anyhow::Result<()> {
        if self.account.id != live.id {
            bail!(
                "refused, nothing was changed: the plan is for account {}, the credentials reach account {live}",
                self.account
            );
        }
        if self.account.alias.is_some() && self.account.alias != live.alias {
            bail!(
                "refused, nothing was changed: the plan is for account {}, but the account's alias is now {}",
                self.account,
                live.alias.as_deref().unwrap_or("(none)")
            );
        }
        Ok(())
    }
}

/// `sha256:<hex>` of `document` serialised canonically (object keys sorted at every level, no whitespace),
/// so reformatting the file or reordering its keys does not change the hash, and any other edit does.
pub fn content_hash(document: &Value) -> String {
    let canonical = canonical(document).to_string();
    let digest = Sha256::digest(canonical.as_bytes());
    format!("sha256:{}", digest.iter().map(|byte| format!("{byte:02x}")).collect::<String>())
}

fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort();
            let mut sorted = Map::new();
            for key in keys {
                sorted.insert(key.clone(), canonical(&object[key]));
            }
            Value::Object(sorted)
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// `--max-plan-age`: a duration such as `24h`, `90m`, `2d` or `1h30m`.
pub fn parse_max_age(text: &str) -> Result<SignedDuration, String> {
    let span: jiff::Span =
        text.parse().map_err(|error| format!("`{text}` is not a duration like 24h or 90m: {error}"))?;
    let duration = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|error| format!("`{text}`: {error}"))?;
    if duration <= SignedDuration::ZERO {
        return Err(format!("`{text}`: the age must be positive"));
    }
    Ok(duration)
}

fn friendly(duration: SignedDuration) -> String {
    let minutes = duration.as_secs() / 60;
    match (minutes / 60, minutes % 60) {
        (0, minutes) => format!("{minutes} min"),
        (hours, 0) => format!("{hours} h"),
        (hours, minutes) => format!("{hours} h {minutes} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> SavedPlan {
        SavedPlan::new(
            "fix",
            &LiveAccount { id: "111122223333".to_owned(), alias: Some("acme-dev".to_owned()) },
            vec!["ap-northeast-1".to_owned()],
            json!({"steps": [{"control": "GUARDDUTY-001", "region": "ap-northeast-1"}]}),
        )
    }

    fn read_back(text: &str, max_age: &str) -> anyhow::Result<SavedPlan> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        std::fs::write(&path, text).unwrap();
        SavedPlan::read(&path, "fix", parse_max_age(max_age).unwrap())
    }

    #[test]
    fn a_written_plan_reads_back_and_reformatting_keeps_its_hash() {
        let plan = plan();
        let text = plan.to_json();
        let mut read = read_back(&text, "24h").unwrap();
        read.created_at = plan.created_at;
        assert_eq!(read, plan);
        let compact = serde_json::to_string(&serde_json::from_str::<Value>(&text).unwrap()).unwrap();
        read_back(&compact, "24h").unwrap();
    }

    #[test]
    fn an_altered_plan_is_refused() {
        let text = plan().to_json().replace("ap-northeast-1\"\n", "us-east-1\"\n");
        let error = read_back(&text, "24h").unwrap_err().to_string();
        assert!(error.contains("was altered after it was written"), "{error}");
    }

    #[test]
    fn an_old_plan_and_another_kind_are_refused() {
        let mut old = plan();
        old.created_at = Timestamp::now() - SignedDuration::from_hours(25);
        let error = read_back(&old.to_json(), "24h").unwrap_err().to_string();
        assert!(error.contains("more than the 24 h --max-plan-age allows"), "{error}");
        read_back(&old.to_json(), "2d").unwrap();

        let mut schedule = plan();
        schedule.kind = "schedule".to_owned();
        let error = read_back(&schedule.to_json(), "24h").unwrap_err().to_string();
        assert!(error.contains("is a guardline-schedule-plan, not a guardline-fix-plan"), "{error}");
    }

    #[test]
    fn another_account_is_refused() {
        let plan = plan();
        let other = LiveAccount { id: "444455556666".to_owned(), alias: Some("acme-dev".to_owned()) };
        let error = plan.check_account(&other).unwrap_err().to_string();
        assert!(error.contains("the plan is for account 111122223333 (acme-dev)"), "{error}");
        let renamed = LiveAccount { id: "111122223333".to_owned(), alias: Some("acme-prod".to_owned()) };
        assert!(plan.check_account(&renamed).is_err());
    }

    #[test]
    fn max_ages_parse() {
        assert_eq!(parse_max_age("24h"), Ok(SignedDuration::from_hours(24)));
        assert_eq!(parse_max_age("90m"), Ok(SignedDuration::from_mins(90)));
        assert_eq!(parse_max_age("2d"), Ok(SignedDuration::from_hours(48)));
        assert!(parse_max_age("0h").is_err());
        assert!(parse_max_age("soon").is_err());
    }
}
