//! The database schema and its version, kept in SQLite's `PRAGMA user_version`.
//!
//! Version 0 is an empty (new) file: the schema is created. A file of a version newer than
//! [`SCHEMA_VERSION`] is refused. An older file is migrated, one step per version, in one transaction.

/// The schema version this build writes and reads. It versions the tables and columns; a new value of a
/// TEXT column (the `NOT_APPLICABLE` status and `not-applicable` outcome, added without a new version since
/// every existing file reads back unchanged and new values fit the same columns) does not change it.
pub const SCHEMA_VERSION: i64 = 3;

/// Schema version 1: one row per scan, one row per finding of the scan.
///
/// `collected_at` is RFC 3339 (for display); `collected_at_ms` orders scans. `seq` keeps the evaluation's
/// finding order (guideline order). `outcome`, `status`, `severity` and `section` are the serde names
/// (`fail`, `FAIL`, `high`, `security`).
pub const SCHEMA_V1: &str = "
CREATE TABLE scans (
    id              INTEGER PRIMARY KEY,
    account_id      TEXT    NOT NULL,
    account_alias   TEXT,
    profile         TEXT    NOT NULL,
    collected_at    TEXT    NOT NULL,
    collected_at_ms INTEGER NOT NULL,
    evaluated_on    TEXT    NOT NULL,
    regions         TEXT    NOT NULL, -- JSON array of region names
    failed          INTEGER NOT NULL
);
CREATE INDEX scans_by_account ON scans (account_id, collected_at_ms, id);
CREATE TABLE findings (
    scan_id    INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    control    TEXT    NOT NULL,
    region     TEXT    NOT NULL,
    resource   TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    outcome    TEXT    NOT NULL,
    severity   TEXT    NOT NULL,
    section    TEXT    NOT NULL,
    message_en TEXT    NOT NULL,
    message_ja TEXT    NOT NULL,
    PRIMARY KEY (scan_id, seq)
);
";

/// Version 1 to 2: a finding's subject (what of the resource it is about: an access key ID, a Security Hub
/// control ID), part of its identity in a diff; `NULL` for the findings of version-1 scans.
pub const MIGRATE_V1_TO_V2: &str = "ALTER TABLE findings ADD COLUMN subject TEXT;";

/// Version 2 to 3: what recorded the evaluation: `scan` (a full scan), or `drift` (`watch`'s `changes`
/// source: the account's last known snapshot re-evaluated after a change, between two scans).
pub const MIGRATE_V2_TO_V3: &str = "ALTER TABLE scans ADD COLUMN origin TEXT NOT NULL DEFAULT 'scan';";
