//! EventBridge rules and their targets.

use serde::{Deserialize, Serialize};

use crate::Collected;

/// A rule on the default event bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRule {
    pub name: String,
    pub arn: String,
    /// `ENABLED`, `DISABLED`, ...
    pub state: String,
    /// The pattern as JSON text; `None` for scheduled rules.
    pub event_pattern: Option<String>,
    /// For a rule an AWS service manages, that service's principal (`ManagedBy`), e.g.
    /// `notifications.amazonaws.com` (AWS User Notifications).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
    #[serde(default)]
    pub targets: Collected<Vec<EventTarget>>,
}

/// A rule target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventTarget {
    pub id: String,
    pub arn: String,
}
