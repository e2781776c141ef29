//! Section 1: cost.

pub mod cost_explorer_disabled;
pub mod no_budget_alert;
pub mod no_cost_anomaly_monitor;
pub mod nonprod_instance_always_on;
pub mod schedule_targets_production;
mod stop_schedules;
