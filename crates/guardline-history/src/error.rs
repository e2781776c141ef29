//! [`HistoryError`]: every error names the database file it concerns; the underlying SQLite or IO error
//! is its `source()` (print the chain, as `anyhow`'s `{:#}` does).

use std::path::PathBuf;

/// What went wrong with the history database.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The directory that should hold the database could not be created.
    #[error("cannot create {}, the directory of the history database", path.display())]
    CreateDir { path: PathBuf, source: std::io::Error },
    /// The database file could not be created (0600).
    #[error("cannot create the history database {}", path.display())]
    Create { path: PathBuf, source: std::io::Error },
    /// The database was written by a newer Guardline; it is refused, never guessed at.
    #[error(
        "the history database {} has schema version {found}, newer than this build of Guardline supports \
         ({supported}); use a newer Guardline or another --history-db",
        path.display()
    )]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    /// SQLite failed (cannot open, not a database, disk full, locked, ...).
    #[error("history database {}", path.display())]
    Sqlite { path: PathBuf, source: rusqlite::Error },
    /// A scan ID that is not in the database.
    #[error("history database {}: no scan with id {id}", path.display())]
    NoSuchScan { path: PathBuf, id: i64 },
    /// A stored value this build cannot read back.
    #[error("history database {}: unreadable value: {detail}", path.display())]
    Corrupt { path: PathBuf, detail: String },
}
