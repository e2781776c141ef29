//! Off-hours schedule evaluation for Guardline's scheduler (guideline item 1-3: stop development
//! instances outside working hours, start them again).
//!
//! This crate is pure: no AWS, no IO and no clock. Every question takes the instant it is about
//! (`at`, `after`, `now`) as an argument, so the same inputs always give the same answer.
//!
//! - [`Window`] is when instances should be RUNNING: either the human form
//!   (`"weekdays 09:00-19:00"`) or a pair of 5-field cron expressions (stop, start).
//! - [`Schedule`] adds a name, an IANA time zone (default `Asia/Tokyo`) and a holiday [`Calendar`]
//!   (Japanese public holidays from [`holiday`], US federal holidays, listed dates) whose days are
//!   non-working days, and answers
//!   [`Schedule::is_working_time`], [`Schedule::next_stop`], [`Schedule::next_start`] and
//!   [`Schedule::due`].
//!
//! Wall-clock times are resolved in the schedule's time zone with jiff's *compatible*
//! disambiguation: a time that does not exist (02:30 on a spring-forward day) happens after the
//! gap (03:30), and a time that occurs twice (01:30 on a fall-back day) happens at its earlier
//! occurrence.

mod calendar;
mod cron;
mod error;
pub mod holiday;
mod schedule;
mod window;

pub use calendar::{Builtin, Calendar, us_federal};
pub use cron::CronExpr;
pub use error::ParseError;
pub use schedule::{Action, DEFAULT_TIME_ZONE, Schedule};
pub use window::{Days, Window};
