//! Write actions: the only code besides `scan --send-to-security-hub` and alerts that changes anything in
//! AWS. `guardline fix` and `guardline schedule` plan here and apply here.
//!
//! - [`target`]: who the credentials reach (account ID and alias), for the pin check every write makes.
//! - [`call`]: the wrapper every write call goes through (error classification, log line per call).
//! - [`fix`]: carries out a `guardline fix` plan (the actions are planned by `guardline_rules::fix`).
//! - [`org_setup`]: the organisation-wide steps of `fix --org` (trusted access, centralised root access,
//!   GuardDuty's, Inspector's and Security Hub's delegated administrators and what they enable, Security
//!   Hub's central configuration, the organisation trail, the members' SECURITY contacts).
//! - [`password_policy`]: the IAM-007 fix's policy, the stricter of the account's and the profile's.
//! - [`topic_policy`]: the alert topic's policy, Guardline's statement merged in by `Sid`.
//! - [`drift_queue`]: `guardline watch install-changes`: the `changes` watch source's queue and rules per region.
//! - [`org_roles`]: `guardline org plan-roles`: the switch roles (member account) or the groups allowed to
//!   assume them (management account) of guideline 3-2, planned from the read-back state and applied.
//! - [`schedule`]: `guardline schedule`: installs off-hours schedules (maintenance windows or Scheduler) and
//!   stops/starts the selected instances, never production ones.
//!
//! Architecture Invariant: nothing in this crate writes unless the caller passed a plan the operator saw and
//! an account that passed [`guardline_config::check_write_target`]; every apply re-reads the state it changes,
//! so applying twice changes nothing the second time.
//!
//! Architecture Invariant: nothing here ever stops or schedules an instance that carries a profile's
//! production tag, whatever a selector says.

pub mod call;
pub mod drift_queue;
pub mod fix;
pub mod org_roles;
pub mod org_setup;
pub mod password_policy;
pub mod schedule;
pub mod target;
pub mod topic_policy;
