//! Section 4: finding incidents early and responding.

pub mod cloudtrail_not_logging;
mod event_patterns;
pub mod guardduty_disabled;
pub mod guardduty_findings_not_routed;
pub mod health_events_not_routed;
pub mod instance_not_managed;
