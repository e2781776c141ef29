//! Scan history: every `guardline scan` stores its [`Evaluation`](guardline_rules::Evaluation) in a SQLite
//! database, so scans can be listed and two scans compared (what newly fails, what was fixed, what still
//! fails).
//!
//! - [`History::open`] opens (or creates) the database, checks its schema version and turns on WAL.
//! - [`History::record`] stores one evaluation, scan and findings, in a single transaction; [`History::record_as`]
//!   says what recorded it (a scan, or `watch`'s drift re-evaluation between scans).
//! - [`History::list`], [`History::last_two`] and [`History::diff`] read it back.
//!
//! History only stores evaluations: it never changes a verdict, and nothing in the evaluation depends on it.

mod diff;
mod error;
mod schema;
mod store;

pub use diff::{Diff, DiffEntry, is_failing};
pub use error::HistoryError;
pub use schema::SCHEMA_VERSION;
pub use store::{ControlCounts, History, Origin, ScanId, ScanSummary, StoredFinding};
