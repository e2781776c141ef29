//! Renders an [`guardline_rules::Evaluation`] for people and tools.
//!
//! - [`summary`]: per-control and per-section roll-ups every format shares.
//! - [`terminal`]: the report grouped by guideline section, with colour on a TTY.
//! - [`json`]: the machine-readable report (`--format json`).
//! - [`html`]: one self-contained HTML page (scores per section, filters, docs), printable.
//! - [`i18n`]: the report's own words in English and Japanese.
//! - [`lead`]: what the reader should do next: the "fix first" order, remedies and their commands, each
//!   control's reach in words, and the failed API calls behind NOT EVALUATED, each named once.
//! - [`csv`], [`junit`], [`sarif`], [`ocsf`], [`asff`]: one finding per row / test case / result / event, for
//!   spreadsheets, CI test reporters, code-scanning dashboards, security data lakes and AWS Security Hub.
//! - [`org`]: the organisation report of `scan --org` and `merge`: a per-account scorecard by section, then
//!   every account's findings, in every format; [`org_html`] is its HTML page (heat map, top failing
//!   controls, controls × accounts matrix, trends, filters, drill-down), from a minijinja template.
//!
//! Architecture Invariant: reports only read an evaluation; they never call AWS and never change a verdict.

pub mod asff;
pub mod csv;
mod formats;
pub mod html;
pub mod i18n;
pub mod json;
pub mod junit;
pub mod lead;
pub mod ocsf;
pub mod org;
pub mod org_html;
pub mod sarif;
pub mod summary;
pub mod terminal;

pub use summary::{ControlSummary, SectionSummary, summarize};
