//! [`History`]: opening the database, recording an evaluation, and reading scans back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use guardline_model::{Section, Severity, Status, Text};
use guardline_rules::{Evaluation, Outcome};
use rusqlite::{Connection, OpenFlags, OptionalExtension as _, params};
use serde::Serialize;

use crate::HistoryError;
use crate::schema::{MIGRATE_V1_TO_V2, MIGRATE_V2_TO_V3, SCHEMA_V1, SCHEMA_VERSION};

/// A scan's row ID in the database (increasing in recording order).
pub type ScanId = i64;

/// The history database of one file.
#[derive(Debug)]
pub struct History {
    path: PathBuf,
    conn: Connection,
}

/// How many controls ended in each outcome; a control's outcome is the worst outcome of its findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ControlCounts {
    pub fail: usize,
    pub warn: usize,
    pub not_evaluated: usize,
    pub excepted: usize,
    pub not_adopted: usize,
    /// Neither passing nor failing: the control does not apply to the account.
    pub not_applicable: usize,
    pub pass: usize,
}

/// One scan, as `guardline history` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanSummary {
    pub id: ScanId,
    pub account_id: String,
    pub account_alias: Option<String>,
    pub profile: String,
    pub collected_at: String,
    pub evaluated_on: String,
    /// Whether the scan failed the guideline (exit code 1).
    pub failed: bool,
    pub controls: ControlCounts,
    /// What recorded it: [`Origin::Scan`], or [`Origin::Drift`] between scans.
    pub origin: Origin,
}

/// What recorded an evaluation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// `guardline scan`.
    #[default]
    Scan,
    /// `guardline watch`'s `changes` source: the account's last known snapshot, with what a change touched
    /// read again, evaluated after the change.
    Drift,
}

impl Origin {
    fn name(self) -> &'static str {
        match self {
            Origin::Scan => "scan",
            Origin::Drift => "drift",
        }
    }

    fn parse(name: &str) -> Origin {
        if name == "drift" { Origin::Drift } else { Origin::Scan }
    }
}

/// One finding read back from the database.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredFinding {
    pub account_id: String,
    pub control: String,
    pub region: String,
    pub resource: String,
    /// What of the resource the finding is about (`None` for most controls, and for version-1 scans).
    pub subject: Option<String>,
    pub status: Status,
    pub outcome: Outcome,
    pub severity: Severity,
    pub section: Section,
    pub message: Text,
}

/// Creates `path` with mode 0600 unless it exists (an existing database keeps its permissions).
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

impl History {
    /// Opens the database at `path`, creating it (and its directory) and its schema if needed.
    ///
    /// A database of a schema version newer than this build's is refused with [`HistoryError::TooNew`].
    /// The database runs in WAL mode, so a reader never blocks the scan that records. A new database is
    /// created 0600 (it lists the accounts' failures); SQLite gives its `-wal` and `-shm` files the
    /// database's permissions.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|source| HistoryError::CreateDir { path: parent.to_path_buf(), source })?;
        }
        create_private(path).map_err(|source| HistoryError::Create { path: path.to_path_buf(), source })?;
        let sqlite = |source| HistoryError::Sqlite { path: path.to_path_buf(), source };
        let mut conn = Connection::open(path).map_err(sqlite)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(sqlite)?;
        // Checked before anything is written, so a newer file is left exactly as it was.
        let version = schema_version(&conn, path)?;
        let _mode: String =
            conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0)).map_err(sqlite)?;
        conn.execute_batch("PRAGMA foreign_keys = ON").map_err(sqlite)?;
        if version < SCHEMA_VERSION {
            let tx = conn.transaction().map_err(sqlite)?;
            // Re-read inside the (write) transaction: another process may have created it meanwhile.
            let version: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(sqlite)?;
            if version == 0 {
                tx.execute_batch(SCHEMA_V1).map_err(sqlite)?;
            }
            if version < 2 {
                tx.execute_batch(MIGRATE_V1_TO_V2).map_err(sqlite)?;
            }
            if version < 3 {
                tx.execute_batch(MIGRATE_V2_TO_V3).map_err(sqlite)?;
            }
            if version < SCHEMA_VERSION {
                tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}")).map_err(sqlite)?;
            }
            tx.commit().map_err(sqlite)?;
        }
        Ok(History { path: path.to_path_buf(), conn })
    }

    /// Opens the database at `path` to read it, creating nothing: `None` when there is no file there yet.
    ///
    /// The connection is read-only (no WAL switch, no schema written), so `guardline history` and `diff`
    /// leave no database behind. A database of an older schema version is migrated first, as [`History::open`]
    /// does (its scans must read back with the current columns); a newer one is refused.
    pub fn open_existing(path: &Path) -> Result<Option<History>, HistoryError> {
        if !path.exists() {
            return Ok(None);
        }
        let sqlite = |source| HistoryError::Sqlite { path: path.to_path_buf(), source };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sqlite)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(sqlite)?;
        let version = schema_version(&conn, path)?;
        if version < SCHEMA_VERSION {
            drop(conn);
            return History::open(path).map(Some);
        }
        Ok(Some(History { path: path.to_path_buf(), conn }))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sqlite(&self, source: rusqlite::Error) -> HistoryError {
        HistoryError::Sqlite { path: self.path.clone(), source }
    }

    fn corrupt(&self, detail: String) -> HistoryError {
        HistoryError::Corrupt { path: self.path.clone(), detail }
    }

    /// Stores `evaluation` (the scan and every finding) in one transaction and returns the scan's ID.
    /// On any error nothing is stored: no scan without its findings, no half of the findings.
    pub fn record(&mut self, evaluation: &Evaluation) -> Result<ScanId, HistoryError> {
        self.record_as(evaluation, Origin::Scan)
    }

    /// [`History::record`], saying what recorded it.
    pub fn record_as(&mut self, evaluation: &Evaluation, origin: Origin) -> Result<ScanId, HistoryError> {
        let path = self.path.clone();
        let sqlite = |source| HistoryError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(sqlite)?;
        tx.execute(
            "INSERT INTO scans (account_id, account_alias, profile, collected_at, collected_at_ms, \
             evaluated_on, regions, failed, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                evaluation.account_id,
                evaluation.account_alias,
                evaluation.profile,
                evaluation.collected_at.to_string(),
                evaluation.collected_at.as_millisecond(),
                evaluation.evaluated_on.to_string(),
                serde_json::to_string(&evaluation.regions).expect("a list of strings serializes"),
                evaluation.failed,
                origin.name(),
            ],
        )
        .map_err(sqlite)?;
        let scan_id = tx.last_insert_rowid();
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO findings (scan_id, seq, control, region, resource, status, outcome, \
                     severity, section, message_en, message_ja, subject) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(sqlite)?;
            for (seq, evaluated) in evaluation.findings.iter().enumerate() {
                let finding = &evaluated.finding;
                insert
                    .execute(params![
                        scan_id,
                        seq as i64,
                        finding.control,
                        finding.region,
                        finding.resource,
                        serde_name(&finding.status),
                        outcome_name(evaluated.outcome),
                        serde_name(&evaluated.severity),
                        serde_name(&evaluated.section),
                        finding.message.en,
                        finding.message.ja,
                        finding.subject,
                    ])
                    .map_err(sqlite)?;
            }
        }
        // Dropping `tx` on an early return above rolls everything back.
        tx.commit().map_err(sqlite)?;
        Ok(scan_id)
    }

    /// Every scan (of `account` only, when given), oldest first: by collection time, then recording order.
    pub fn list(&self, account: Option<&str>) -> Result<Vec<ScanSummary>, HistoryError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT id, account_id, account_alias, profile, collected_at, evaluated_on, failed, origin FROM scans \
                 WHERE ?1 IS NULL OR account_id = ?1 ORDER BY collected_at_ms, id",
            )
            .map_err(|source| self.sqlite(source))?;
        let rows = statement
            .query_map([account], |row| {
                Ok(ScanSummary {
                    id: row.get(0)?,
                    account_id: row.get(1)?,
                    account_alias: row.get(2)?,
                    profile: row.get(3)?,
                    collected_at: row.get(4)?,
                    evaluated_on: row.get(5)?,
                    failed: row.get(6)?,
                    controls: ControlCounts::default(),
                    origin: Origin::parse(&row.get::<_, String>(7)?),
                })
            })
            .map_err(|source| self.sqlite(source))?;
        let mut scans = rows.collect::<Result<Vec<_>, _>>().map_err(|source| self.sqlite(source))?;
        for scan in &mut scans {
            scan.controls = self.control_counts(scan.id)?;
        }
        Ok(scans)
    }

    /// One scan, or [`HistoryError::NoSuchScan`].
    pub fn scan(&self, id: ScanId) -> Result<ScanSummary, HistoryError> {
        let found = self
            .conn
            .query_row(
                "SELECT id, account_id, account_alias, profile, collected_at, evaluated_on, failed, origin FROM scans \
                 WHERE id = ?1",
                [id],
                |row| {
                    Ok(ScanSummary {
                        id: row.get(0)?,
                        account_id: row.get(1)?,
                        account_alias: row.get(2)?,
                        profile: row.get(3)?,
                        collected_at: row.get(4)?,
                        evaluated_on: row.get(5)?,
                        failed: row.get(6)?,
                        controls: ControlCounts::default(),
                        origin: Origin::parse(&row.get::<_, String>(7)?),
                    })
                },
            )
            .optional()
            .map_err(|source| self.sqlite(source))?;
        let mut scan = found.ok_or_else(|| HistoryError::NoSuchScan { path: self.path.clone(), id })?;
        scan.controls = self.control_counts(id)?;
        Ok(scan)
    }

    /// The accounts that have scans, sorted.
    pub fn accounts(&self) -> Result<Vec<String>, HistoryError> {
        let mut statement = self
            .conn
            .prepare("SELECT DISTINCT account_id FROM scans ORDER BY account_id")
            .map_err(|source| self.sqlite(source))?;
        let rows = statement.query_map([], |row| row.get(0)).map_err(|source| self.sqlite(source))?;
        rows.collect::<Result<Vec<String>, _>>().map_err(|source| self.sqlite(source))
    }

    /// The account's two latest scans (older, newer), by collection time then recording order; `None` with
    /// fewer than two.
    pub fn last_two(&self, account: &str) -> Result<Option<(ScanId, ScanId)>, HistoryError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT id FROM scans WHERE account_id = ?1 ORDER BY collected_at_ms DESC, id DESC LIMIT 2",
            )
            .map_err(|source| self.sqlite(source))?;
        let rows = statement.query_map([account], |row| row.get(0)).map_err(|source| self.sqlite(source))?;
        let ids = rows.collect::<Result<Vec<ScanId>, _>>().map_err(|source| self.sqlite(source))?;
        Ok(match ids[..] {
            [newer, older] => Some((older, newer)),
            _ => None,
        })
    }

    /// The findings of scan `id`, in the evaluation's order.
    pub fn findings(&self, id: ScanId) -> Result<Vec<StoredFinding>, HistoryError> {
        let account_id = self.scan(id)?.account_id;
        let mut statement = self
            .conn
            .prepare(
                "SELECT control, region, resource, status, outcome, severity, section, message_en, message_ja, \
                 subject FROM findings WHERE scan_id = ?1 ORDER BY seq",
            )
            .map_err(|source| self.sqlite(source))?;
        let rows = statement
            .query_map([id], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                    row.get::<_, String>(6)?,
                    row.get::<_, String>(7)?,
                    row.get::<_, String>(8)?,
                    row.get::<_, Option<String>>(9)?,
                ))
            })
            .map_err(|source| self.sqlite(source))?;
        let mut findings = Vec::new();
        for row in rows {
            let (control, region, resource, status, outcome, severity, section, en, ja, subject) =
                row.map_err(|source| self.sqlite(source))?;
            findings.push(StoredFinding {
                account_id: account_id.clone(),
                control,
                region,
                resource,
                subject,
                status: self.parse(&status)?,
                outcome: parse_outcome(&outcome)
                    .ok_or_else(|| self.corrupt(format!("outcome {outcome:?}")))?,
                severity: self.parse(&severity)?,
                section: self.parse(&section)?,
                message: Text::new(en, ja),
            });
        }
        Ok(findings)
    }

    fn control_counts(&self, id: ScanId) -> Result<ControlCounts, HistoryError> {
        let mut statement = self
            .conn
            .prepare("SELECT control, outcome FROM findings WHERE scan_id = ?1")
            .map_err(|source| self.sqlite(source))?;
        let rows = statement
            .query_map([id], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
            .map_err(|source| self.sqlite(source))?;
        // Outcome's order puts the worst first, as in the report's roll-up.
        let mut worst: BTreeMap<String, Outcome> = BTreeMap::new();
        for row in rows {
            let (control, outcome) = row.map_err(|source| self.sqlite(source))?;
            let outcome =
                parse_outcome(&outcome).ok_or_else(|| self.corrupt(format!("outcome {outcome:?}")))?;
            worst.entry(control).and_modify(|current| *current = (*current).min(outcome)).or_insert(outcome);
        }
        let mut counts = ControlCounts::default();
        for outcome in worst.values() {
            *match outcome {
                Outcome::Fail => &mut counts.fail,
                Outcome::Warn => &mut counts.warn,
                Outcome::NotEvaluated => &mut counts.not_evaluated,
                Outcome::Excepted => &mut counts.excepted,
                Outcome::NotAdopted => &mut counts.not_adopted,
                Outcome::NotApplicable => &mut counts.not_applicable,
                Outcome::Pass => &mut counts.pass,
            } += 1;
        }
        Ok(counts)
    }

    fn parse<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, HistoryError> {
        serde_json::from_value(serde_json::Value::String(name.to_owned()))
            .map_err(|error| self.corrupt(format!("{name:?}: {error}")))
    }
}

/// A unit enum's serde name (`FAIL`, `high`, `security`).
fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        other => unreachable!("a unit enum serializes to a string, not {other:?}"),
    }
}

/// [`Outcome`]'s stored name: its serde (kebab-case) name.
pub(crate) fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Fail => "fail",
        Outcome::Warn => "warn",
        Outcome::NotEvaluated => "not-evaluated",
        Outcome::Excepted => "excepted",
        Outcome::NotAdopted => "not-adopted",
        Outcome::NotApplicable => "not-applicable",
        Outcome::Pass => "pass",
    }
}

/// The inverse of [`outcome_name`].
fn parse_outcome(name: &str) -> Option<Outcome> {
    Some(match name {
        "fail" => Outcome::Fail,
        "warn" => Outcome::Warn,
        "not-evaluated" => Outcome::NotEvaluated,
        "excepted" => Outcome::Excepted,
        "not-adopted" => Outcome::NotAdopted,
        "not-applicable" => Outcome::NotApplicable,
        "pass" => Outcome::Pass,
        _ => return None,
    })
}

/// The database's schema version; a version newer than this build's is refused.
fn schema_version(conn: &Connection, path: &Path) -> Result<i64, HistoryError> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|source| HistoryError::Sqlite { path: path.to_path_buf(), source })?;
    if version > SCHEMA_VERSION {
        return Err(HistoryError::TooNew {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(version)
}
