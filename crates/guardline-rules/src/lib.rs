//! Guardline's rules and the engine that applies a guideline profile to their findings.
//!
//! - [`rule`]: the [`Rule`] declaration (`declare_rule!`), whose doc comment is the rule's documentation.
//! - [`context`]: what a rule reads ([`Context`]) and how it reports ([`Findings`]).
//! - [`rules`]: one file per control, grouped by guideline section; [`registry::RULES`] lists them all.
//! - [`engine`]: runs every rule over a snapshot, then applies the profile (adoption, level) and exceptions.
//! - [`fix`]: the automated fixes' vocabulary and the planner `guardline fix` shows before applying.
//! - [`docs`]: renders each rule's documentation (`guardline rule ID`, `docs/rules/*.md`).
//!
//! Architecture Invariant: rules are pure, infallible functions over a [`guardline_model::Snapshot`]. This
//! crate depends on neither the AWS SDK nor tokio nor any IO, so its tests build in seconds.

#[macro_use]
pub mod rule;
pub mod context;
pub mod docs;
pub mod drift;
pub mod engine;
pub mod fix;
pub mod org_fix;
pub mod registry;
pub mod rules;

pub use context::{Context, Findings};
pub use engine::{AppliedException, EvaluatedFinding, Evaluation, Outcome, UnusedException, evaluate};
pub use registry::{RULES, find_rule};
pub use rule::{FixAvailability, Remedy, Rule};
