//! The data Guardline passes between its stages, with no AWS SDK types in it.
//!
//! - [`Snapshot`]: everything the collectors gathered from one account, versioned and serialisable to JSON
//!   (`guardline collect -o snap.json`). Rules read only this.
//! - [`Collected`]: one collected piece of data, or the reason it could not be collected. A missing piece
//!   turns into NOT EVALUATED findings, never into a pass.
//! - [`Finding`]: what a rule says about one resource.
//! - [`cost_report::SpendReport`]: what `guardline cost` shows about the bill (not part of a snapshot).
//! - [`partition`]: AWS partitions and the regions of their account-wide services.
//! - [`org::OrgAccount`]: a member of an AWS Organization (OU path, tags) for `scan --org`, and
//!   [`org::ShardRecord`], what a shard of an organisation scan writes per account.
//!
//! Architecture Invariant: this crate depends on neither the AWS SDK nor any IO; both the collectors and the
//! rule engine depend on it, and it changes only together with [`SNAPSHOT_VERSION`].

mod collected;
pub mod cost_report;
mod finding;
pub mod inventory;
pub mod org;
pub mod partition;
mod snapshot;

pub use collected::{CollectError, Collected, ErrorKind};
pub use finding::{Finding, Section, Severity, Status, Text};
pub use snapshot::{AccountInfo, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, Snapshot, SnapshotError};
