//! Cost collector: budgets, Cost Explorer and anomaly detection against moto (budget subscribers and
//! anomaly monitors and subscriptions come from the test extension in `tests/moto/extensions.py`), and
//! pagination and error handling with aws-smithy-mocks, through `cost::collect_with`.

use aws_sdk_budgets::types::{
    Budget as SdkBudget, BudgetType, ComparisonOperator, Notification, NotificationType,
    NotificationWithSubscribers, Spend, Subscriber as SdkSubscriber, SubscriptionType, ThresholdType,
    TimeUnit,
};
use aws_sdk_costexplorer::operation::get_anomaly_monitors::GetAnomalyMonitorsOutput;
use aws_sdk_costexplorer::operation::get_anomaly_subscriptions::GetAnomalySubscriptionsOutput;
use aws_sdk_costexplorer::operation::get_cost_and_usage::GetCostAndUsageOutput;
use aws_sdk_costexplorer::types::{
    AnomalyMonitor as SdkMonitor, AnomalySubscription as SdkSubscription, AnomalySubscriptionFrequency,
    MonitorDimension, MonitorType, Subscriber as CeSubscriber, SubscriberStatus, SubscriberType,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use guardline_collect::cx::Cx;
use guardline_collect::services::cost;
use guardline_model::ErrorKind;
use guardline_model::inventory::GlobalInventory;
use guardline_model::inventory::cost::{
    AnomalyMonitor, AnomalySubscription, Budget, BudgetNotification, CostExplorerStatus, Subscriber,
};

use crate::harness::Account;

fn notification() -> Notification {
    Notification::builder()
        .notification_type(NotificationType::Actual)
        .comparison_operator(ComparisonOperator::GreaterThan)
        .threshold(80.0)
        .threshold_type(ThresholdType::Percentage)
        .build()
        .unwrap()
}

/// A budget's email subscriber (budget subscribers have no status).
fn email(address: &str) -> Subscriber {
    Subscriber { kind: "EMAIL".into(), address: address.into(), status: None }
}

/// An anomaly subscription's subscriber with its `Status`
/// (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_Subscriber.html).
fn anomaly_subscriber(kind: &str, address: &str, status: &str) -> Subscriber {
    Subscriber { kind: kind.into(), address: address.into(), status: Some(status.into()) }
}

#[tokio::test]
async fn budget_notification_and_subscribers_on_moto() {
    let account = Account::new().await;
    let budgets = aws_sdk_budgets::Client::new(&account.in_region("us-east-1"));
    budgets
        .create_budget()
        .account_id(&account.id)
        .budget(
            SdkBudget::builder()
                .budget_name("monthly-total")
                .budget_type(BudgetType::Cost)
                .time_unit(TimeUnit::Monthly)
                .budget_limit(Spend::builder().amount("100").unit("USD").build().unwrap())
                .build()
                .unwrap(),
        )
        .notifications_with_subscribers(
            NotificationWithSubscribers::builder()
                .notification(notification())
                .subscribers(
                    SdkSubscriber::builder()
                        .subscription_type(SubscriptionType::Email)
                        .address("ops@example.com")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    // Cost Explorer answers the collector's (first, unseen) query with the queued result.
    let seeded = serde_json::json!({
        "account_id": account.id,
        "results": [{
            "ResultsByTime": [{
                "TimePeriod": {"Start": "2026-01-01", "End": "2026-02-01"},
                "Total": {"UnblendedCost": {"Amount": "12.34", "Unit": "USD"}},
                "Groups": [],
                "Estimated": false,
            }],
        }],
    });
    guardline_testkit::shared().control(
        "/moto-api/static/ce/cost-and-usage-results",
        "application/json",
        &seeded.to_string(),
    );

    let output = account.collect(&["ap-northeast-1"]).await;
    let global = &output.snapshot.global;
    assert_eq!(
        global.cost_explorer.get().unwrap(),
        &CostExplorerStatus { enabled: true, detail: String::new() }
    );

    let budgets = global.budgets.get().unwrap();
    assert_eq!(budgets.len(), 1);
    let budget = &budgets[0];
    assert_eq!(
        (budget.name.as_str(), budget.budget_type.as_str(), budget.limit.as_deref()),
        ("monthly-total", "COST", Some("100 USD"))
    );
    let notifications = budget.notifications.get().unwrap();
    assert_eq!(notifications.len(), 1);
    let notification = &notifications[0];
    assert_eq!(
        (
            notification.notification_type.as_str(),
            notification.comparison_operator.as_str(),
            notification.threshold,
            notification.threshold_type.as_str()
        ),
        ("ACTUAL", "GREATER_THAN", 80.0, "PERCENTAGE")
    );
    // DescribeSubscribersForNotification comes from the test extension (moto itself answers a 500).
    assert_eq!(notification.subscribers.get().unwrap(), &vec![email("ops@example.com")]);

    assert!(global.anomaly_monitors.get().unwrap().is_empty());
    assert!(global.anomaly_subscriptions.get().unwrap().is_empty());
    assert_eq!(output.calls["ce:GetCostAndUsage"], 1);
}

#[tokio::test]
async fn no_budgets_and_cost_explorer_without_data_on_moto() {
    let account = Account::new().await;
    let global = account.collect(&["ap-northeast-1"]).await.snapshot.global;
    assert!(global.budgets.get().unwrap().is_empty());
    assert!(global.cost_explorer.get().unwrap().enabled, "an empty answer is still an answer");
}

#[tokio::test]
async fn anomaly_monitor_and_subscription_on_moto() {
    let account = Account::new().await;
    // Cost Explorer is global: created through us-east-1, read back the same way by the collector.
    let explorer = aws_sdk_costexplorer::Client::new(&account.in_region("us-east-1"));
    let monitor = explorer
        .create_anomaly_monitor()
        .anomaly_monitor(
            SdkMonitor::builder()
                .monitor_name("services")
                .monitor_type(MonitorType::Dimensional)
                .monitor_dimension(MonitorDimension::Service)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let monitor_arn = monitor.monitor_arn().to_owned();
    assert!(monitor_arn.starts_with(&format!("arn:aws:ce::{}:anomalymonitor/", account.id)), "{monitor_arn}");
    let subscription = explorer
        .create_anomaly_subscription()
        .anomaly_subscription(
            SdkSubscription::builder()
                .subscription_name("daily-digest")
                .monitor_arn_list(&monitor_arn)
                .subscribers(
                    CeSubscriber::builder().r#type(SubscriberType::Email).address("ops@example.com").build(),
                )
                .frequency(AnomalySubscriptionFrequency::Daily)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    let global = account.collect(&["ap-northeast-1"]).await.snapshot.global;
    assert_eq!(
        global.anomaly_monitors.get().unwrap(),
        &[AnomalyMonitor {
            arn: monitor_arn.clone(),
            name: "services".into(),
            monitor_type: "DIMENSIONAL".into(),
            monitor_dimension: Some("SERVICE".into()),
        }]
    );
    assert_eq!(
        global.anomaly_subscriptions.get().unwrap(),
        &[AnomalySubscription {
            arn: subscription.subscription_arn().to_owned(),
            name: "daily-digest".into(),
            monitor_arns: vec![monitor_arn],
            // A new subscriber is CONFIRMED until its recipient declines the alerts.
            subscribers: vec![anomaly_subscriber("EMAIL", "ops@example.com", "CONFIRMED")],
            frequency: "DAILY".into(),
        }]
    );

    // The recipient declines the alerts: the subscriber is listed with Status DECLINED.
    let declined = serde_json::json!({"account_id": account.id, "address": "ops@example.com"});
    guardline_testkit::shared().control(
        "/guardline-test/ce/declined-subscribers",
        "application/json",
        &declined.to_string(),
    );
    let global = account.collect(&["ap-northeast-1"]).await.snapshot.global;
    assert_eq!(
        global.anomaly_subscriptions.get().unwrap()[0].subscribers,
        [anomaly_subscriber("EMAIL", "ops@example.com", "DECLINED")]
    );
    assert!(global.anomaly_subscriptions.get().unwrap()[0].subscribers[0].declined());

    // One AWS services monitor per account
    // (https://aws.amazon.com/aws-cost-management/aws-cost-anomaly-detection/faqs/): AWS refuses a second
    // DIMENSIONAL SERVICE monitor, and so does the test extension.
    let second = explorer
        .create_anomaly_monitor()
        .anomaly_monitor(
            SdkMonitor::builder()
                .monitor_name("services-again")
                .monitor_type(MonitorType::Dimensional)
                .monitor_dimension(MonitorDimension::Service)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    let second = second.into_service_error();
    assert_eq!(second.meta().code(), Some("ValidationException"));
    assert_eq!(second.meta().message(), Some("Limit exceeded on dimensional spend monitor creation"));
}

// ---- aws-smithy-mocks: pagination and errors ----

const MONITOR_ARN: &str = "arn:aws:ce::123456789012:anomalymonitor/abc";
const MONITOR_ARN_2: &str = "arn:aws:ce::123456789012:anomalymonitor/def";
const SUBSCRIPTION_ARN: &str = "arn:aws:ce::123456789012:anomalysubscription/xyz";
const TOPIC_ARN: &str = "arn:aws:sns:us-east-1:123456789012:cost-alerts";

fn cx() -> Cx {
    Cx::new("123456789012", "aws", 4)
}

/// A JSON-protocol error answer (Cost Explorer and Budgets are awsJson 1.1).
fn json_error(code: &str, message: &str) -> Option<String> {
    Some(format!(r#"{{"__type":"{code}","Message":"{message}"}}"#))
}

/// A monitor as GetAnomalyMonitors lists it: DIMENSIONAL with its `MonitorDimension`, or CUSTOM without one
/// (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_AnomalyMonitor.html).
fn monitor(arn: &str, name: &str, dimension: Option<MonitorDimension>) -> SdkMonitor {
    SdkMonitor::builder()
        .monitor_arn(arn)
        .monitor_name(name)
        .monitor_type(if dimension.is_some() { MonitorType::Dimensional } else { MonitorType::Custom })
        .set_monitor_dimension(dimension)
        .build()
        .unwrap()
}

/// Cost Explorer: an answered cost query (or the error `usage_error`, code and message); two pages of
/// monitors; one subscription (or `monitors_denied`).
fn explorer(
    monitors_denied: bool,
    usage_error: Option<(&'static str, &'static str)>,
) -> aws_sdk_costexplorer::Client {
    let usage = if let Some((code, message)) = usage_error {
        mock!(aws_sdk_costexplorer::Client::get_cost_and_usage)
            .sequence()
            .http_status(400, json_error(code, message))
            .repeatedly()
            .build()
    } else {
        mock!(aws_sdk_costexplorer::Client::get_cost_and_usage)
            .match_requests(|req| req.metrics() == ["UnblendedCost"] && req.time_period().is_some())
            .then_output(|| GetCostAndUsageOutput::builder().build())
    };
    let first_page = mock!(aws_sdk_costexplorer::Client::get_anomaly_monitors)
        .match_requests(|req| req.next_page_token().is_none())
        .then_output(|| {
            GetAnomalyMonitorsOutput::builder()
                .anomaly_monitors(monitor(MONITOR_ARN, "services", Some(MonitorDimension::Service)))
                .next_page_token("page-2")
                .build()
                .unwrap()
        });
    let second_page = mock!(aws_sdk_costexplorer::Client::get_anomaly_monitors)
        .match_requests(|req| req.next_page_token() == Some("page-2"))
        .then_output(|| {
            GetAnomalyMonitorsOutput::builder()
                .anomaly_monitors(monitor(MONITOR_ARN_2, "linked-accounts", None))
                .build()
                .unwrap()
        });
    let denied = mock!(aws_sdk_costexplorer::Client::get_anomaly_monitors)
        .sequence()
        .http_status(
            400,
            json_error("AccessDeniedException", "not authorized to perform ce:GetAnomalyMonitors"),
        )
        .repeatedly()
        .build();
    let subscriptions = mock!(aws_sdk_costexplorer::Client::get_anomaly_subscriptions).then_output(|| {
        GetAnomalySubscriptionsOutput::builder()
            .anomaly_subscriptions(
                SdkSubscription::builder()
                    .subscription_arn(SUBSCRIPTION_ARN)
                    .subscription_name("daily-digest")
                    .monitor_arn_list(MONITOR_ARN)
                    .subscribers(
                        CeSubscriber::builder()
                            .r#type(SubscriberType::Email)
                            .address("ops@example.com")
                            .status(SubscriberStatus::Confirmed)
                            .build(),
                    )
                    .subscribers(
                        CeSubscriber::builder()
                            .r#type(SubscriberType::Sns)
                            .address(TOPIC_ARN)
                            .status(SubscriberStatus::Declined)
                            .build(),
                    )
                    .frequency(AnomalySubscriptionFrequency::Daily)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    });
    if monitors_denied {
        mock_client!(aws_sdk_costexplorer, RuleMode::MatchAny, [&usage, &denied, &subscriptions])
    } else {
        mock_client!(
            aws_sdk_costexplorer,
            RuleMode::MatchAny,
            [&usage, &first_page, &second_page, &subscriptions]
        )
    }
}

/// Budgets: one COST budget with one notification; its subscribers (or `subscribers_denied`).
fn budgets(subscribers_denied: bool) -> aws_sdk_budgets::Client {
    use aws_sdk_budgets::operation::describe_budgets::DescribeBudgetsOutput;
    use aws_sdk_budgets::operation::describe_notifications_for_budget::DescribeNotificationsForBudgetOutput;
    use aws_sdk_budgets::operation::describe_subscribers_for_notification::DescribeSubscribersForNotificationOutput;

    let list = mock!(aws_sdk_budgets::Client::describe_budgets)
        .match_requests(|req| req.account_id() == Some("123456789012"))
        .then_output(|| {
            DescribeBudgetsOutput::builder()
                .budgets(
                    SdkBudget::builder()
                        .budget_name("monthly-total")
                        .budget_type(BudgetType::Cost)
                        .time_unit(TimeUnit::Monthly)
                        .budget_limit(Spend::builder().amount("1000.0").unit("USD").build().unwrap())
                        .build()
                        .unwrap(),
                )
                .build()
        });
    let notifications = mock!(aws_sdk_budgets::Client::describe_notifications_for_budget)
        .match_requests(|req| req.budget_name() == Some("monthly-total"))
        .then_output(|| {
            DescribeNotificationsForBudgetOutput::builder().notifications(notification()).build()
        });
    let subscribers = if subscribers_denied {
        mock!(aws_sdk_budgets::Client::describe_subscribers_for_notification)
            .sequence()
            .http_status(
                400,
                json_error("AccessDeniedException", "not authorized to perform budgets:ViewBudget"),
            )
            .repeatedly()
            .build()
    } else {
        mock!(aws_sdk_budgets::Client::describe_subscribers_for_notification)
            .match_requests(|req| req.notification() == Some(&notification()))
            .then_output(|| {
                DescribeSubscribersForNotificationOutput::builder()
                    .subscribers(
                        SdkSubscriber::builder()
                            .subscription_type(SubscriptionType::Email)
                            .address("ops@example.com")
                            .build()
                            .unwrap(),
                    )
                    .subscribers(
                        SdkSubscriber::builder()
                            .subscription_type(SubscriptionType::Sns)
                            .address(TOPIC_ARN)
                            .build()
                            .unwrap(),
                    )
                    .build()
            })
    };
    mock_client!(aws_sdk_budgets, RuleMode::MatchAny, [&list, &notifications, &subscribers])
}

async fn collect_mocked(
    explorer: &aws_sdk_costexplorer::Client,
    budgets: &aws_sdk_budgets::Client,
) -> GlobalInventory {
    let mut global = GlobalInventory::default();
    cost::collect_with(&cx(), explorer, budgets).await(&mut global);
    global
}

fn expected_budget(subscribers: guardline_model::Collected<Vec<Subscriber>>) -> Budget {
    Budget {
        name: "monthly-total".into(),
        budget_type: "COST".into(),
        limit: Some("1000.0 USD".into()),
        notifications: guardline_model::Collected::ok(vec![BudgetNotification {
            notification_type: "ACTUAL".into(),
            comparison_operator: "GREATER_THAN".into(),
            threshold: 80.0,
            threshold_type: "PERCENTAGE".into(),
            subscribers,
        }]),
    }
}

fn expected_subscription() -> AnomalySubscription {
    AnomalySubscription {
        arn: SUBSCRIPTION_ARN.into(),
        name: "daily-digest".into(),
        monitor_arns: vec![MONITOR_ARN.into()],
        subscribers: vec![
            anomaly_subscriber("EMAIL", "ops@example.com", "CONFIRMED"),
            anomaly_subscriber("SNS", TOPIC_ARN, "DECLINED"),
        ],
        frequency: "DAILY".into(),
    }
}

#[tokio::test]
async fn mocked_success_paginates_monitors_and_reads_subscribers() {
    let global = collect_mocked(&explorer(false, None), &budgets(false)).await;
    assert_eq!(
        global.cost_explorer.get().unwrap(),
        &CostExplorerStatus { enabled: true, detail: String::new() }
    );
    assert_eq!(
        global.anomaly_monitors.get().unwrap(),
        &[
            AnomalyMonitor {
                arn: MONITOR_ARN.into(),
                name: "services".into(),
                monitor_type: "DIMENSIONAL".into(),
                monitor_dimension: Some("SERVICE".into()),
            },
            AnomalyMonitor {
                arn: MONITOR_ARN_2.into(),
                name: "linked-accounts".into(),
                monitor_type: "CUSTOM".into(),
                monitor_dimension: None,
            },
        ]
    );
    assert_eq!(global.anomaly_subscriptions.get().unwrap(), &[expected_subscription()]);
    let subscribers = vec![
        email("ops@example.com"),
        Subscriber { kind: "SNS".into(), address: TOPIC_ARN.into(), status: None },
    ];
    assert_eq!(
        global.budgets.get().unwrap(),
        &[expected_budget(guardline_model::Collected::ok(subscribers))]
    );
}

#[tokio::test]
async fn mocked_access_denied_affects_only_its_field() {
    let global = collect_mocked(&explorer(true, None), &budgets(true)).await;
    let error = global.anomaly_monitors.get().unwrap_err();
    assert_eq!(
        (error.action.as_str(), error.kind, error.code.as_deref()),
        ("ce:GetAnomalyMonitors", ErrorKind::AccessDenied, Some("AccessDeniedException"))
    );
    assert_eq!(global.anomaly_subscriptions.get().unwrap(), &[expected_subscription()]);
    assert!(global.cost_explorer.get().unwrap().enabled);

    let budgets = global.budgets.get().unwrap();
    let notifications = budgets[0].notifications.get().unwrap();
    let error = notifications[0].subscribers.get().unwrap_err();
    assert_eq!((error.action.as_str(), error.kind), ("budgets:ViewBudget", ErrorKind::AccessDenied));
    assert_eq!(notifications[0].notification_type, "ACTUAL", "the notification itself is still collected");
}

#[tokio::test]
async fn mocked_cost_explorer_not_enabled_is_data_not_an_error() {
    let not_enabled = Some(("AccessDeniedException", "User not enabled for cost explorer access"));
    let global = collect_mocked(&explorer(false, not_enabled), &budgets(false)).await;
    assert_eq!(
        global.cost_explorer.get().unwrap(),
        &CostExplorerStatus { enabled: false, detail: "User not enabled for cost explorer access".into() }
    );
    assert_eq!(global.anomaly_subscriptions.get().unwrap().len(), 1);
}

/// `DataUnavailableException`, "The requested data is unavailable"
/// (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetCostAndUsage.html): Cost
/// Explorer answers, it has no data for the period yet. Enabled, with the reason kept.
#[tokio::test]
async fn mocked_cost_explorer_without_data_yet_is_enabled() {
    let unavailable = Some(("DataUnavailableException", "The requested data is unavailable."));
    let global = collect_mocked(&explorer(false, unavailable), &budgets(false)).await;
    assert_eq!(
        global.cost_explorer.get().unwrap(),
        &CostExplorerStatus { enabled: true, detail: "The requested data is unavailable.".into() }
    );
}

/// AWS GovCloud (US) has no Cost Explorer or Budgets (its bill is the linked standard account's,
/// https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/usage-and-payment.html): every cost field is
/// "not available" with that reason, and no call is sent to us-east-1.
#[tokio::test]
async fn a_govcloud_account_has_no_cost_data_and_sends_no_cost_call() {
    let cx = Cx::new("123456789012", "aws-us-gov", 4);
    let config = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-gov-west-1"))
        .build();
    let mut global = GlobalInventory::default();
    cost::collect(&cx, &config).await(&mut global);
    let error = global.cost_explorer.get().unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotAvailable);
    assert!(error.message.contains("aws-us-gov partition"), "{error}");
    assert!(global.budgets.get().is_err() && global.anomaly_monitors.get().is_err());
    assert!(cx.call_log().is_empty(), "{:?}", cx.call_log());
}
