//! Cost: Cost Explorer, budgets and their notifications, cost anomaly detection.

use serde::{Deserialize, Serialize};

use crate::Collected;

/// Whether Cost Explorer answers a cost query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostExplorerStatus {
    pub enabled: bool,
    /// What Cost Explorer said when it is not enabled, or, with `enabled`, why it has no data yet
    /// (`DataUnavailableException`).
    #[serde(default)]
    pub detail: String,
}

/// A budget (`budgets:DescribeBudgets`) with its notifications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    pub name: String,
    /// `COST`, `USAGE`, `RI_UTILIZATION`, ...
    pub budget_type: String,
    /// The limit as "amount unit", e.g. "100.0 USD".
    pub limit: Option<String>,
    #[serde(default)]
    pub notifications: Collected<Vec<BudgetNotification>>,
}

/// A budget notification (`budgets:DescribeNotificationsForBudget`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetNotification {
    /// `ACTUAL` or `FORECASTED`.
    pub notification_type: String,
    pub comparison_operator: String,
    pub threshold: f64,
    /// `PERCENTAGE` or `ABSOLUTE_VALUE`.
    pub threshold_type: String,
    /// `budgets:DescribeSubscribersForNotification`.
    #[serde(default)]
    pub subscribers: Collected<Vec<Subscriber>>,
}

/// Who a budget or anomaly subscription notifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscriber {
    /// `EMAIL` or `SNS`.
    pub kind: String,
    pub address: String,
}

/// A cost anomaly monitor (`ce:GetAnomalyMonitors`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnomalyMonitor {
    pub arn: String,
    pub name: String,
    /// `DIMENSIONAL` or `CUSTOM`.
    pub monitor_type: String,
}

/// A cost anomaly subscription (`ce:GetAnomalySubscriptions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnomalySubscription {
    pub arn: String,
    pub name: String,
    pub monitor_arns: Vec<String>,
    pub subscribers: Vec<Subscriber>,
    /// `DAILY`, `IMMEDIATE` or `WEEKLY`.
    pub frequency: String,
}
