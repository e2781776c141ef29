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
    /// An anomaly subscription's subscriber: `CONFIRMED`, or `DECLINED` when the recipient turned the alerts
    /// down and receives nothing (`Status`,
    /// https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_Subscriber.html). `None` for
    /// budget subscribers, which have no status, and for an anomaly subscriber AWS gave none for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl Subscriber {
    /// Whether the subscriber turned the alerts down (`DECLINED`): it receives nothing.
    pub fn declined(&self) -> bool {
        self.status.as_deref().is_some_and(|status| status.eq_ignore_ascii_case("DECLINED"))
    }
}

/// A cost anomaly monitor (`ce:GetAnomalyMonitors`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnomalyMonitor {
    pub arn: String,
    pub name: String,
    /// `DIMENSIONAL` or `CUSTOM`.
    pub monitor_type: String,
    /// A `DIMENSIONAL` monitor's dimension (`SERVICE`: the per-service monitor, of which AWS allows one per
    /// account); `None` for a `CUSTOM` monitor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitor_dimension: Option<String>,
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
