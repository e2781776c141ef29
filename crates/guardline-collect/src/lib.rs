//! Collectors: every AWS call Guardline's scan makes, with the official AWS SDK for Rust.
//!
//! [`collect`] identifies the account (STS), lists its enabled regions, then gathers account-wide data and
//! every region's data concurrently, at most [`CollectOptions::concurrency`] API calls at a time, into a
//! [`guardline_model::Snapshot`]. A call that fails (access denied, not available, throttled past the SDK's
//! retries, timed out) becomes a [`guardline_model::CollectError`] in the snapshot, and collection goes on.
//!
//! - [`cx`]: the per-call wrapper (concurrency bound, call log, error classification).
//! - [`error`]: maps SDK errors onto [`guardline_model::ErrorKind`].
//! - [`api`]: the IAM actions the collectors call: the source of `guardline iam-policy`.
//! - [`services`]: one module per AWS service.
//! - [`org`]: organisation scans: the organisation's accounts, and credentials for each via AssumeRole.
//! - [`recollect`]: the drift watcher's re-reads: one security group, or one collector, into a known snapshot.
//!
//! Architecture Invariant: collectors only read. No function in this crate calls a mutating AWS API.

pub mod api;
pub mod cx;
pub mod error;
pub mod org;
pub mod pricing;
pub mod recollect;
mod runner;
pub mod services;

pub use runner::{
    CollectFailure, CollectOptions, CollectOutput, NoProgress, Progress, at_endpoint, collect, sdk_config,
};
