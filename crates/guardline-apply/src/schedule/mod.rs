//! `guardline schedule`: the off-hours scheduler (guideline 1-3) on the AWS side. The time questions
//! (when is working time, what is due) are `guardline-schedule`'s; this module installs schedules in AWS
//! and acts on instances.
//!
//! - [`cron`]: a window as the AWS `cron(...)` expressions maintenance windows and Scheduler take.
//! - [`plan`]: pure: what should exist, what was read back, the calls between them.
//! - [`install`]: `schedule plan|apply`: reads each region, refuses when a selector matches a production
//!   instance, and makes the calls.
//! - [`instances`]: the instances a selector matches now, and the stop/start calls.
//! - [`run`]: `schedule run`: stops or starts the selected instances when a transition is due.
//! - [`runbook`]: the Automation document the stop windows run, which skips production at run time.
//! - [`role_policy`]: the scheduler role's policy, with its explicit Deny on stopping production.
//!
//! Japanese holidays cannot be said in cron: an installed schedule stops and starts on holidays too; only
//! `schedule run` (from cron on the CLI instance) skips them.

pub mod cron;
pub mod install;
pub mod instances;
pub mod plan;
pub mod role_policy;
pub mod run;
pub mod runbook;
