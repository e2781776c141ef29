//! EventBridge rules and their event patterns as HEALTH-001 and GUARDDUTY-002 read them (not a rule itself).

use guardline_model::inventory::events::{EventRule, EventTarget};
use serde_json::{Map, Value};

/// The rule's event pattern as a JSON object; `None` for scheduled rules and for patterns that do not parse
/// (which match nothing).
pub(super) fn pattern(rule: &EventRule) -> Option<Map<String, Value>> {
    match serde_json::from_str(rule.event_pattern.as_deref()?).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Whether `field` of the pattern lists `value` exactly. Content filters (`prefix`, `anything-but`, ...) are
/// not interpreted and match nothing.
pub(super) fn lists(pattern: &Map<String, Value>, field: &str, value: &str) -> bool {
    match pattern.get(field) {
        Some(Value::Array(values)) => values.iter().any(|listed| listed.as_str() == Some(value)),
        Some(Value::String(listed)) => listed == value,
        _ => false,
    }
}

/// `ENABLED`, or `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`.
pub(super) fn is_enabled(rule: &EventRule) -> bool {
    rule.state.starts_with("ENABLED")
}

/// The principal of AWS User Notifications, which manages the EventBridge rules of its notification
/// configurations (`AWSUserNotificationsManagedRule-...`,
/// https://docs.aws.amazon.com/notifications/latest/userguide/ev-managed-rules.html).
const USER_NOTIFICATIONS: &str = "notifications.amazonaws.com";

/// Whether AWS User Notifications manages the rule: it delivers what the rule matches to its own channels
/// (email, Amazon Q Developer in chat applications, the console's mobile app), which are not EventBridge
/// targets, and may filter further (its filters are not in the rule's pattern).
pub(super) fn is_user_notifications(rule: &EventRule) -> bool {
    rule.managed_by.as_deref() == Some(USER_NOTIFICATIONS)
}

/// The targets' ARNs, comma-separated.
pub(super) fn target_list(targets: &[EventTarget]) -> String {
    targets.iter().map(|target| target.arn.as_str()).collect::<Vec<_>>().join(", ")
}
