//! Renders an [`guardline_rules::Evaluation`] for people and tools.
//!
//! - [`summary`]: per-control and per-section roll-ups every format shares.
//! - [`terminal`]: the report grouped by guideline section, with colour on a TTY.
//! - [`json`]: the machine-readable report (`--format json`).
//! - [`i18n`]: the report's own words in English and Japanese.
//!
//! Architecture Invariant: reports only read an evaluation; they never call AWS and never change a verdict.

pub mod i18n;
pub mod json;
pub mod summary;
pub mod terminal;

pub use summary::{ControlSummary, SectionSummary, summarize};
