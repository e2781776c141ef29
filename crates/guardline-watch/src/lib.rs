//! `guardline watch`: the alert router (guideline 4, "finding incidents early").
//!
//! Events come from sources ([`sources`]: GuardDuty, Security Hub, Inspector, AWS Health, the AWS status RSS,
//! vulnerability feeds), are filtered by each source's threshold, written to the SQLite outbox ([`outbox`]),
//! and then sent to every channel their routes name ([`channels`]: Slack, Microsoft Teams, mail), rendered by
//! [`message`]. [`watcher`] runs the passes: poll → persist → deliver.
//!
//! Architecture Invariant: an event is persisted in the outbox, with one delivery row per channel, before any
//! send; a delivery is marked done only after its channel accepted it. So a crash between receiving and
//! sending loses nothing, and a restart re-sends nothing already delivered. One channel's failure never
//! blocks another's deliveries.
//!
//! Architecture Invariant: secrets (webhook URLs, bot tokens, SMTP passwords) are read from the environment
//! or a file only when sending, and never appear in logs, errors or the outbox: errors carry the channel's
//! name, never its URL ([`channels::redact`]).

pub mod channels;
pub mod directory;
pub mod event;
pub mod message;
pub mod outbox;
pub mod sources;
pub mod watcher;

pub use event::{Event, EventKind, Lang, Severity};
pub use outbox::Outbox;
pub use watcher::{DriftReport, PassReport, WatchOptions, Watcher};
