//! Cost: whether Cost Explorer answers, the budgets with their notifications and subscribers, and the cost
//! anomaly monitors and subscriptions.
//!
//! Cost Explorer and Budgets are global services answered in `us-east-1` (`cn-northwest-1` in China).
//! [`collect_with`] takes the two clients, so tests can hand it mocked ones for the operations moto lacks
//! (anomaly detection, budget subscribers).

use aws_config::{Region, SdkConfig};
use aws_sdk_budgets::types::Notification as SdkNotification;
use aws_sdk_costexplorer::types::{DateInterval, Granularity};
use futures::future::join_all;
use guardline_model::inventory::cost::{
    AnomalyMonitor, AnomalySubscription, Budget, BudgetNotification, CostExplorerStatus, Subscriber,
};
use guardline_model::{CollectError, Collected, ErrorKind};
use jiff::ToSpan;
use jiff::civil::Date;

use super::GlobalPart;
use crate::cx::Cx;
use crate::error::malformed;

/// Every cost field, with clients in the partition's cost region (`us-east-1` for `aws`, `cn-northwest-1`
/// in China). A partition without Cost Explorer and Budgets (AWS GovCloud (US), whose bill is the linked
/// standard account's) gets each field as "not available" with that reason, without a call.
pub async fn collect(cx: &Cx, config: &SdkConfig) -> GlobalPart {
    let Some(region) = guardline_model::partition::cost_region(&cx.partition) else {
        let partition = cx.partition.clone();
        let unavailable = move |action: &str| not_in_partition(&partition, action);
        return Box::new(move |global| {
            global.cost_explorer = Collected::error(unavailable("ce:GetCostAndUsage"));
            global.budgets = Collected::error(unavailable("budgets:ViewBudget"));
            global.anomaly_monitors = Collected::error(unavailable("ce:GetAnomalyMonitors"));
            global.anomaly_subscriptions = Collected::error(unavailable("ce:GetAnomalySubscriptions"));
        });
    };
    let config = config.to_builder().region(Region::from_static(region)).build();
    let explorer = aws_sdk_costexplorer::Client::new(&config);
    let budgets = aws_sdk_budgets::Client::new(&config);
    collect_with(cx, &explorer, &budgets).await
}

/// Why a cost call is not made in `partition`, which has no Cost Explorer or Budgets.
pub(crate) fn not_in_partition(partition: &str, action: &str) -> CollectError {
    CollectError {
        action: action.to_owned(),
        kind: ErrorKind::NotAvailable,
        code: None,
        message: format!(
            "Cost Explorer and Budgets are not available in the {partition} partition: its bill is read in the \
             linked account of the standard partition"
        ),
    }
}

/// Every cost field, with the given Cost Explorer and Budgets clients.
pub async fn collect_with(
    cx: &Cx,
    explorer: &aws_sdk_costexplorer::Client,
    budgets: &aws_sdk_budgets::Client,
) -> GlobalPart {
    let today = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let (status, budgets, monitors, subscriptions) = futures::join!(
        cost_explorer(cx, explorer, today),
        self::budgets(cx, budgets),
        anomaly_monitors(cx, explorer),
        anomaly_subscriptions(cx, explorer),
    );
    Box::new(move |global| {
        global.cost_explorer = status.into();
        global.budgets = budgets.into();
        global.anomaly_monitors = monitors.into();
        global.anomaly_subscriptions = subscriptions.into();
    })
}

/// The month to date, `[first of this month, today)`; on the first of a month, the month before.
fn month_to_date(today: Date) -> (Date, Date) {
    let start = today.first_of_month();
    if start == today { (start.saturating_sub(1.month()), start) } else { (start, today) }
}

/// `ce:GetCostAndUsage` for the month to date (MONTHLY, UnblendedCost). Any answer means Cost Explorer is
/// enabled; an access denial saying Cost Explorer is not enabled means it is not. `DataUnavailableException`
/// ("The requested data is unavailable",
/// https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetCostAndUsage.html) means
/// Cost Explorer answers but has no data for the period yet (enabled within the last day, a young account):
/// enabled, with the message kept as the detail.
async fn cost_explorer(
    cx: &Cx,
    client: &aws_sdk_costexplorer::Client,
    today: Date,
) -> Result<CostExplorerStatus, CollectError> {
    const ACTION: &str = "ce:GetCostAndUsage";
    let (start, end) = month_to_date(today);
    let period = DateInterval::builder()
        .start(start.to_string())
        .end(end.to_string())
        .build()
        .map_err(|err| malformed(ACTION, err.to_string()))?;
    let request = client
        .get_cost_and_usage()
        .time_period(period)
        .granularity(Granularity::Monthly)
        .metrics("UnblendedCost")
        .send();
    match cx.call(ACTION, request).await {
        Ok(_) => Ok(CostExplorerStatus { enabled: true, detail: String::new() }),
        Err(error) if error.code.as_deref() == Some("DataUnavailableException") => {
            let detail = if error.message.trim().is_empty() {
                "DataUnavailableException: the requested data is unavailable".to_owned()
            } else {
                error.message
            };
            Ok(CostExplorerStatus { enabled: true, detail })
        }
        Err(error) if is_not_enabled(&error) => {
            Ok(CostExplorerStatus { enabled: false, detail: error.message })
        }
        Err(error) => Err(error),
    }
}

/// Whether a `ce:GetCostAndUsage` error means "Cost Explorer is not enabled for this account" (AWS answers
/// `AccessDeniedException: User not enabled for cost explorer access`).
fn is_not_enabled(error: &CollectError) -> bool {
    let message = error.message.to_lowercase();
    match error.code.as_deref() {
        Some("AccessDeniedException" | "AccessDenied") => {
            message.contains("cost explorer")
                && (message.contains("not enabled") || message.contains("not been enabled"))
        }
        _ => false,
    }
}

/// `NotFoundException` from a Budgets list: there is nothing to list.
fn is_not_found(error: &CollectError) -> bool {
    error.code.as_deref() == Some("NotFoundException")
}

/// `budgets:ViewBudget` (DescribeBudgets, every page): the account's budgets as the SDK gives them; an
/// account without budgets answers `NotFoundException`, which is an empty list. `spend.rs` uses it too.
pub(crate) async fn describe_budgets(
    cx: &Cx,
    client: &aws_sdk_budgets::Client,
) -> Result<Vec<aws_sdk_budgets::types::Budget>, CollectError> {
    let request = client
        .describe_budgets()
        .account_id(&cx.account_id)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>();
    match cx.call("budgets:ViewBudget", request).await {
        Ok(listed) => Ok(listed),
        Err(error) if is_not_found(&error) => Ok(Vec::new()),
        Err(error) => Err(error),
    }
}

/// The budgets, then each budget's notifications and their subscribers.
async fn budgets(cx: &Cx, client: &aws_sdk_budgets::Client) -> Result<Vec<Budget>, CollectError> {
    let listed = describe_budgets(cx, client).await?;
    Ok(join_all(listed.iter().map(|budget| async move {
        Budget {
            name: budget.budget_name().to_owned(),
            budget_type: budget.budget_type().as_str().to_owned(),
            limit: budget.budget_limit().map(|limit| format!("{} {}", limit.amount(), limit.unit())),
            notifications: notifications(cx, client, budget.budget_name()).await.into(),
        }
    }))
    .await)
}

/// `budgets:ViewBudget` (DescribeNotificationsForBudget), then each notification's subscribers.
async fn notifications(
    cx: &Cx,
    client: &aws_sdk_budgets::Client,
    budget_name: &str,
) -> Result<Vec<BudgetNotification>, CollectError> {
    let request = client
        .describe_notifications_for_budget()
        .account_id(&cx.account_id)
        .budget_name(budget_name)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>();
    let listed = match cx.call("budgets:ViewBudget", request).await {
        Ok(listed) => listed,
        Err(error) if is_not_found(&error) => Vec::new(),
        Err(error) => return Err(error),
    };
    Ok(join_all(listed.iter().map(|notification| async move {
        BudgetNotification {
            notification_type: notification.notification_type().as_str().to_owned(),
            comparison_operator: notification.comparison_operator().as_str().to_owned(),
            threshold: notification.threshold(),
            threshold_type: notification
                .threshold_type()
                .map(|kind| kind.as_str().to_owned())
                .unwrap_or_else(|| "PERCENTAGE".to_owned()),
            subscribers: subscribers(cx, client, budget_name, notification).await.into(),
        }
    }))
    .await)
}

/// `budgets:ViewBudget` (DescribeSubscribersForNotification).
async fn subscribers(
    cx: &Cx,
    client: &aws_sdk_budgets::Client,
    budget_name: &str,
    notification: &SdkNotification,
) -> Result<Vec<Subscriber>, CollectError> {
    let request = client
        .describe_subscribers_for_notification()
        .account_id(&cx.account_id)
        .budget_name(budget_name)
        .notification(notification.clone())
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>();
    let listed = match cx.call("budgets:ViewBudget", request).await {
        Ok(listed) => listed,
        Err(error) if is_not_found(&error) => Vec::new(),
        Err(error) => return Err(error),
    };
    Ok(listed
        .iter()
        .map(|subscriber| Subscriber {
            kind: subscriber.subscription_type().as_str().to_owned(),
            address: subscriber.address().to_owned(),
            status: None,
        })
        .collect())
}

/// `ce:GetAnomalyMonitors`, every page, with each DIMENSIONAL monitor's dimension.
async fn anomaly_monitors(
    cx: &Cx,
    client: &aws_sdk_costexplorer::Client,
) -> Result<Vec<AnomalyMonitor>, CollectError> {
    let monitors = cx
        .call(
            "ce:GetAnomalyMonitors",
            client.get_anomaly_monitors().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    Ok(monitors
        .iter()
        .map(|monitor| AnomalyMonitor {
            arn: monitor.monitor_arn().unwrap_or_default().to_owned(),
            name: monitor.monitor_name().to_owned(),
            monitor_type: monitor.monitor_type().as_str().to_owned(),
            monitor_dimension: monitor.monitor_dimension().map(|dimension| dimension.as_str().to_owned()),
        })
        .collect())
}

/// `ce:GetAnomalySubscriptions`, every page, with each subscriber's `Status` (`CONFIRMED` or `DECLINED`,
/// https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_Subscriber.html).
async fn anomaly_subscriptions(
    cx: &Cx,
    client: &aws_sdk_costexplorer::Client,
) -> Result<Vec<AnomalySubscription>, CollectError> {
    let subscriptions = cx
        .call(
            "ce:GetAnomalySubscriptions",
            client.get_anomaly_subscriptions().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    Ok(subscriptions
        .iter()
        .map(|subscription| AnomalySubscription {
            arn: subscription.subscription_arn().unwrap_or_default().to_owned(),
            name: subscription.subscription_name().to_owned(),
            monitor_arns: subscription.monitor_arn_list().to_vec(),
            subscribers: subscription
                .subscribers()
                .iter()
                .map(|subscriber| Subscriber {
                    kind: subscriber.r#type().map(|kind| kind.as_str().to_owned()).unwrap_or_default(),
                    address: subscriber.address().unwrap_or_default().to_owned(),
                    status: subscriber.status().map(|status| status.as_str().to_owned()),
                })
                .collect(),
            frequency: subscription.frequency().as_str().to_owned(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_to_date_or_on_the_first_the_month_before() {
        let date = |text: &str| text.parse::<Date>().unwrap();
        assert_eq!(month_to_date(date("2026-03-15")), (date("2026-03-01"), date("2026-03-15")));
        assert_eq!(month_to_date(date("2026-01-01")), (date("2025-12-01"), date("2026-01-01")));
    }

    #[test]
    fn not_enabled_answers() {
        let error = |code: &str, message: &str| CollectError {
            action: "ce:GetCostAndUsage".into(),
            kind: ErrorKind::AccessDenied,
            code: Some(code.into()),
            message: message.into(),
        };
        assert!(is_not_enabled(&error("AccessDeniedException", "User not enabled for cost explorer access")));
        assert!(!is_not_enabled(&error("DataUnavailableException", "")), "enabled, no data yet");
        assert!(!is_not_enabled(&error(
            "AccessDeniedException",
            "User: arn:aws:iam::1:user/x is not authorized to perform: ce:GetCostAndUsage"
        )));
        assert!(!is_not_enabled(&error("ThrottlingException", "cost explorer not enabled")));
    }
}
