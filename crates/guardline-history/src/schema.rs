//! The database schema and its version, kept in SQLite's `PRAGMA user_version`.
//!
//! Version 0 is an empty (new) file: the schema is created. A file of a version newer than
//! [`SCHEMA_VERSION`] is refused. A future version adds a migration step here for each older version.

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i64 = 1;

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
