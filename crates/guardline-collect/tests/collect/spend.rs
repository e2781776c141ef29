//! `spend::spend_with` (for `guardline cost`) with aws-smithy-mocks: spend by service (paginated), the
//! forecast, budgets with their spend, anomalies (paginated); a denied forecast blanks only the forecast.
//! On moto, the forecast moto lacks is that field's error only.

use aws_sdk_budgets::operation::describe_budgets::DescribeBudgetsOutput;
use aws_sdk_budgets::types::{Budget, BudgetType, CalculatedSpend, Spend, TimeUnit};
use aws_sdk_costexplorer::operation::get_anomalies::GetAnomaliesOutput;
use aws_sdk_costexplorer::operation::get_cost_and_usage::GetCostAndUsageOutput;
use aws_sdk_costexplorer::operation::get_cost_forecast::GetCostForecastOutput;
use aws_sdk_costexplorer::types::{
    Anomaly, AnomalyFeedbackType, Group, GroupDefinitionType, Impact, MetricValue, ResultByTime, RootCause,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use guardline_collect::services::spend;
use guardline_model::ErrorKind;
use guardline_model::cost_report::{BudgetSpend, Money, ServiceSpend, SpendReport};
use jiff::civil::Date;

use crate::harness::Account;
use crate::mocks::{ACCOUNT, cx, error_body};

const MONITOR_ARN: &str = "arn:aws:ce::123456789012:anomalymonitor/abc";
const EC2: &str = "Amazon Elastic Compute Cloud - Compute";
const S3: &str = "Amazon Simple Storage Service";
const LAMBDA: &str = "AWS Lambda";

fn today() -> Date {
    "2026-11-15".parse().unwrap()
}

fn usd(amount: f64) -> Money {
    Money { amount, unit: "USD".into() }
}

fn service(service: &str, amount: f64) -> ServiceSpend {
    ServiceSpend { service: service.into(), amount, unit: "USD".into() }
}

fn group(service: &str, amount: &str) -> Group {
    Group::builder()
        .keys(service)
        .metrics("UnblendedCost", MetricValue::builder().amount(amount).unit("USD").build())
        .build()
}

fn usage(groups: Vec<Group>, next: Option<&str>) -> GetCostAndUsageOutput {
    let mut result = ResultByTime::builder().estimated(true);
    for group in groups {
        result = result.groups(group);
    }
    GetCostAndUsageOutput::builder()
        .results_by_time(result.build())
        .set_next_page_token(next.map(Into::into))
        .build()
}

fn anomaly(id: &str, feedback: Option<AnomalyFeedbackType>) -> Anomaly {
    Anomaly::builder()
        .anomaly_id(id)
        .anomaly_start_date("2026-11-10")
        .dimension_value(EC2)
        .impact(Impact::builder().max_impact(40.0).total_impact(95.5).build())
        .root_causes(RootCause::builder().service(EC2).region("ap-northeast-1").build())
        .monitor_arn(MONITOR_ARN)
        .set_feedback(feedback)
        .anomaly_score(
            aws_sdk_costexplorer::types::AnomalyScore::builder().max_score(0.9).current_score(0.8).build(),
        )
        .build()
        .unwrap()
}

/// Cost Explorer: this month on two pages, last month on one, a forecast (or AccessDenied), two pages of
/// anomalies.
fn explorer(forecast_denied: bool) -> aws_sdk_costexplorer::Client {
    let grouped_by_service =
        |req: &aws_sdk_costexplorer::operation::get_cost_and_usage::GetCostAndUsageInput| {
            req.metrics() == ["UnblendedCost"]
                && req.group_by().len() == 1
                && req.group_by()[0].r#type() == Some(&GroupDefinitionType::Dimension)
                && req.group_by()[0].key() == Some("SERVICE")
        };
    let this_month_1 = mock!(aws_sdk_costexplorer::Client::get_cost_and_usage)
        .match_requests(move |req| {
            grouped_by_service(req)
                && req.time_period().is_some_and(|p| p.start() == "2026-11-01" && p.end() == "2026-11-16")
                && req.next_page_token().is_none()
        })
        .then_output(|| usage(vec![group(EC2, "10.00"), group(S3, "2.5")], Some("page-2")));
    let this_month_2 = mock!(aws_sdk_costexplorer::Client::get_cost_and_usage)
        .match_requests(move |req| {
            grouped_by_service(req)
                && req.time_period().is_some_and(|p| p.start() == "2026-11-01")
                && req.next_page_token() == Some("page-2")
        })
        .then_output(|| usage(vec![group(LAMBDA, "0.5"), group(S3, "1.0")], None));
    let last_month = mock!(aws_sdk_costexplorer::Client::get_cost_and_usage)
        .match_requests(move |req| {
            grouped_by_service(req)
                && req.time_period().is_some_and(|p| p.start() == "2026-10-01" && p.end() == "2026-11-01")
        })
        .then_output(|| usage(vec![group(EC2, "30"), group(S3, "4")], None));
    let forecast = if forecast_denied {
        mock!(aws_sdk_costexplorer::Client::get_cost_forecast)
            .sequence()
            .http_status(
                400,
                error_body("AccessDeniedException", "not authorized to perform ce:GetCostForecast"),
            )
            .repeatedly()
            .build()
    } else {
        mock!(aws_sdk_costexplorer::Client::get_cost_forecast)
            .match_requests(|req| {
                req.time_period().is_some_and(|p| p.start() == "2026-11-15" && p.end() == "2026-12-01")
            })
            .then_output(|| {
                GetCostForecastOutput::builder()
                    .total(MetricValue::builder().amount("20.25").unit("USD").build())
                    .build()
            })
    };
    let anomalies_1 = mock!(aws_sdk_costexplorer::Client::get_anomalies)
        .match_requests(|req| {
            req.next_page_token().is_none()
                && req
                    .date_interval()
                    .is_some_and(|d| d.start_date() == "2026-10-16" && d.end_date() == Some("2026-11-15"))
        })
        .then_output(|| {
            GetAnomaliesOutput::builder()
                .anomalies(anomaly("open-1", None))
                .next_page_token("a-2")
                .build()
                .unwrap()
        });
    let anomalies_2 = mock!(aws_sdk_costexplorer::Client::get_anomalies)
        .match_requests(|req| req.next_page_token() == Some("a-2"))
        .then_output(|| {
            GetAnomaliesOutput::builder()
                .anomalies(anomaly("reviewed-1", Some(AnomalyFeedbackType::PlannedActivity)))
                .build()
                .unwrap()
        });
    mock_client!(
        aws_sdk_costexplorer,
        RuleMode::MatchAny,
        [&this_month_1, &this_month_2, &last_month, &forecast, &anomalies_1, &anomalies_2]
    )
}

fn budgets() -> aws_sdk_budgets::Client {
    let list = mock!(aws_sdk_budgets::Client::describe_budgets)
        .match_requests(|req| req.account_id() == Some(ACCOUNT))
        .then_output(|| {
            DescribeBudgetsOutput::builder()
                .budgets(
                    Budget::builder()
                        .budget_name("monthly-total")
                        .budget_type(BudgetType::Cost)
                        .time_unit(TimeUnit::Monthly)
                        .budget_limit(Spend::builder().amount("100.0").unit("USD").build().unwrap())
                        .calculated_spend(
                            CalculatedSpend::builder()
                                .actual_spend(Spend::builder().amount("25.0").unit("USD").build().unwrap())
                                .forecasted_spend(
                                    Spend::builder().amount("55.0").unit("USD").build().unwrap(),
                                )
                                .build(),
                        )
                        .build()
                        .unwrap(),
                )
                .build()
        });
    mock_client!(aws_sdk_budgets, RuleMode::MatchAny, [&list])
}

async fn report(forecast_denied: bool) -> SpendReport {
    spend::spend_with(&cx(), &explorer(forecast_denied), &budgets(), today()).await
}

#[tokio::test]
async fn every_piece_is_collected() {
    let report = report(false).await;
    assert_eq!((report.account.as_str(), report.today), (ACCOUNT, today()));

    let this_month = report.this_month.get().unwrap();
    assert_eq!(
        (this_month.start.to_string(), this_month.end.to_string()),
        ("2026-11-01".to_owned(), "2026-11-16".to_owned())
    );
    assert_eq!(this_month.services, [service(EC2, 10.0), service(S3, 3.5), service(LAMBDA, 0.5)]);
    assert_eq!(this_month.total, [usd(14.0)]);
    assert!(this_month.estimated);

    let last_month = report.last_month.get().unwrap();
    assert_eq!(last_month.services, [service(EC2, 30.0), service(S3, 4.0)]);
    assert_eq!(last_month.total, [usd(34.0)]);

    let forecast = report.forecast.get().unwrap();
    assert_eq!(forecast.rest_of_month, usd(20.25));
    assert_eq!(forecast.month_end, Some(usd(34.25)), "month to date plus the rest of the month");
    assert_eq!(forecast.end.to_string(), "2026-12-01");

    assert_eq!(
        report.budgets.get().unwrap(),
        &[BudgetSpend {
            name: "monthly-total".into(),
            budget_type: "COST".into(),
            time_unit: "MONTHLY".into(),
            limit: Some(usd(100.0)),
            actual: Some(usd(25.0)),
            forecasted: Some(usd(55.0)),
            percent_used: Some(25.0),
        }]
    );

    let anomalies = report.anomalies.get().unwrap();
    assert_eq!(anomalies.len(), 2, "both pages");
    let open = &anomalies[0];
    assert_eq!(
        (open.id.as_str(), open.max_impact, open.total_impact, open.root_cause_services.as_slice()),
        ("open-1", 40.0, 95.5, [EC2.to_owned()].as_slice())
    );
    assert!(open.is_open());
    assert_eq!(anomalies[1].feedback.as_deref(), Some("PLANNED_ACTIVITY"));
    assert!(!anomalies[1].is_open());
}

#[tokio::test]
async fn denied_forecast_blanks_only_the_forecast() {
    let report = report(true).await;
    let error = report.forecast.get().unwrap_err();
    assert_eq!(
        (error.action.as_str(), error.kind, error.code.as_deref()),
        ("ce:GetCostForecast", ErrorKind::AccessDenied, Some("AccessDeniedException"))
    );
    assert_eq!(report.this_month.get().unwrap().total, [usd(14.0)]);
    assert_eq!(report.last_month.get().unwrap().total, [usd(34.0)]);
    assert_eq!(report.budgets.get().unwrap().len(), 1);
    assert_eq!(report.anomalies.get().unwrap().len(), 2);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["forecast"]["status"], "error");
    assert_eq!(json["this_month"]["status"], "ok");
}

#[tokio::test]
async fn forecast_moto_lacks_is_the_field_error_only() {
    let account = Account::new().await;
    let cx = guardline_collect::cx::Cx::new(&account.id, "aws", 4);
    let report = spend::spend(&cx, &account.config, today()).await;
    let error = report.forecast.get().unwrap_err();
    assert_eq!((error.action.as_str(), error.kind), ("ce:GetCostForecast", ErrorKind::Failed));
    // moto's 500 has an HTML body, which the awsJson error parser cannot read: the SDK reports a response
    // error, which `error::classify` judges by its status alone.
    assert_eq!(error.message, "HTTP 500 without an AWS error message");
    assert!(report.anomalies.get().unwrap().is_empty(), "GetAnomalies (test extension) answers");
    assert!(report.budgets.get().unwrap().is_empty());
}
