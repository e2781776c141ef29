//! Spend, for `guardline cost` (not part of a scan): spend by service this month and last month, the
//! month-end forecast, each budget's actual spend against its limit, and the last 30 days' cost anomalies.
//!
//! Read-only, like every collector. Each piece is its own [`guardline_model::Collected`], so a failing call (an access
//! denial, an operation moto lacks) blanks only that piece. [`spend_with`] takes the Cost Explorer and
//! Budgets clients, so tests can hand it mocked ones.
//!
//! The two cost queries run one after the other (this month, then last month, each paginated), so the
//! requests go out in a fixed order.

use std::collections::BTreeMap;

use aws_config::{Region, SdkConfig};
use aws_sdk_costexplorer::types::{
    AnomalyDateInterval, DateInterval, Granularity, GroupDefinition, GroupDefinitionType, Metric,
};
use guardline_model::cost_report::{
    BudgetSpend, CostAnomaly, Forecast, Money, MonthSpend, ServiceSpend, SpendReport,
};
use jiff::ToSpan;
use jiff::civil::Date;

use guardline_model::{CollectError, Collected};

use super::cost::not_in_partition;
use crate::cx::Cx;
use crate::error::malformed;

const COST_AND_USAGE: &str = "ce:GetCostAndUsage";
const FORECAST: &str = "ce:GetCostForecast";
const ANOMALIES: &str = "ce:GetAnomalies";
const BUDGETS: &str = "budgets:ViewBudget";
/// The cost metric used throughout: what the bill says before credits are shared out.
const METRIC: &str = "UnblendedCost";
/// How far back anomalies are listed.
const ANOMALY_DAYS: i64 = 30;

/// The account's spend as of `today`, with clients in the partition's cost region (`us-east-1` for `aws`,
/// `cn-northwest-1` in China); in a partition without Cost Explorer every piece is "not available".
pub async fn spend(cx: &Cx, config: &SdkConfig, today: Date) -> SpendReport {
    let Some(region) = guardline_model::partition::cost_region(&cx.partition) else {
        let error = |action: &str| not_in_partition(&cx.partition, action);
        return SpendReport {
            account: cx.account_id.clone(),
            today,
            this_month: Collected::error(error(COST_AND_USAGE)),
            last_month: Collected::error(error(COST_AND_USAGE)),
            forecast: Collected::error(error(FORECAST)),
            budgets: Collected::error(error(BUDGETS)),
            anomalies: Collected::error(error(ANOMALIES)),
        };
    };
    let config = config.to_builder().region(Region::from_static(region)).build();
    let explorer = aws_sdk_costexplorer::Client::new(&config);
    let budgets = aws_sdk_budgets::Client::new(&config);
    spend_with(cx, &explorer, &budgets, today).await
}

/// The account's spend as of `today`, with the given Cost Explorer and Budgets clients.
pub async fn spend_with(
    cx: &Cx,
    explorer: &aws_sdk_costexplorer::Client,
    budgets: &aws_sdk_budgets::Client,
    today: Date,
) -> SpendReport {
    let months = async {
        let (start, end) = month_to_date(today);
        let this_month = month_spend(cx, explorer, start, end).await;
        let (start, end) = last_month(today);
        let last_month = month_spend(cx, explorer, start, end).await;
        (this_month, last_month)
    };
    let ((this_month, last_month), forecast, budgets, anomalies) = futures::join!(
        months,
        rest_of_month(cx, explorer, today),
        self::budgets(cx, budgets),
        anomalies(cx, explorer, today),
    );
    let forecast = forecast.map(|mut forecast| {
        forecast.month_end = month_end(this_month.as_ref().ok(), &forecast.rest_of_month);
        forecast
    });
    SpendReport {
        account: cx.account_id.clone(),
        today,
        this_month: this_month.into(),
        last_month: last_month.into(),
        forecast: forecast.into(),
        budgets: budgets.into(),
        anomalies: anomalies.into(),
    }
}

/// `[first of this month, tomorrow)`: month to date, today included.
fn month_to_date(today: Date) -> (Date, Date) {
    (today.first_of_month(), today.tomorrow().unwrap_or(today))
}

/// `[first of last month, first of this month)`.
fn last_month(today: Date) -> (Date, Date) {
    let end = today.first_of_month();
    (end.saturating_sub(1.month()), end)
}

/// The first day of the next month.
fn next_month(today: Date) -> Date {
    today.first_of_month().saturating_add(1.month())
}

/// Month to date plus the rest of the month, when month to date is in the forecast's currency (or empty).
fn month_end(this_month: Option<&MonthSpend>, rest: &Money) -> Option<Money> {
    let this_month = this_month?;
    let so_far = match this_month.total.as_slice() {
        [] => 0.0,
        [total] if total.unit == rest.unit => total.amount,
        _ => return None,
    };
    Some(Money { amount: so_far + rest.amount, unit: rest.unit.clone() })
}

fn interval(action: &str, start: Date, end: Date) -> Result<DateInterval, CollectError> {
    DateInterval::builder()
        .start(start.to_string())
        .end(end.to_string())
        .build()
        .map_err(|err| malformed(action, err.to_string()))
}

fn parse_amount(action: &str, amount: &str) -> Result<f64, CollectError> {
    amount.trim().parse::<f64>().map_err(|_| malformed(action, format!("amount {amount:?} is not a number")))
}

/// `ce:GetCostAndUsage` over `[start, end)`, MONTHLY, UnblendedCost, grouped by SERVICE, every page.
async fn month_spend(
    cx: &Cx,
    client: &aws_sdk_costexplorer::Client,
    start: Date,
    end: Date,
) -> Result<MonthSpend, CollectError> {
    let period = interval(COST_AND_USAGE, start, end)?;
    let by_service = GroupDefinition::builder().r#type(GroupDefinitionType::Dimension).key("SERVICE").build();
    let mut amounts: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut estimated = false;
    let mut token: Option<String> = None;
    loop {
        let request = client
            .get_cost_and_usage()
            .time_period(period.clone())
            .granularity(Granularity::Monthly)
            .metrics(METRIC)
            .group_by(by_service.clone())
            .set_next_page_token(token.clone())
            .send();
        let page = cx.call(COST_AND_USAGE, request).await?;
        for result in page.results_by_time() {
            estimated |= result.estimated();
            for group in result.groups() {
                let service = group.keys().first().cloned().unwrap_or_default();
                let Some(value) = group.metrics().and_then(|metrics| metrics.get(METRIC)) else { continue };
                let amount = parse_amount(COST_AND_USAGE, value.amount().unwrap_or("0"))?;
                let unit = value.unit().unwrap_or("USD").to_owned();
                *amounts.entry((service, unit)).or_default() += amount;
            }
        }
        match page.next_page_token() {
            Some(next) if !next.is_empty() && token.as_deref() != Some(next) => token = Some(next.to_owned()),
            _ => break,
        }
    }
    let mut services: Vec<ServiceSpend> =
        amounts.into_iter().map(|((service, unit), amount)| ServiceSpend { service, amount, unit }).collect();
    services.sort_by(|a, b| b.amount.total_cmp(&a.amount).then_with(|| a.service.cmp(&b.service)));
    let mut totals: BTreeMap<&str, f64> = BTreeMap::new();
    for service in &services {
        *totals.entry(service.unit.as_str()).or_default() += service.amount;
    }
    let total = totals.into_iter().map(|(unit, amount)| Money { amount, unit: unit.to_owned() }).collect();
    Ok(MonthSpend { start, end, services, total, estimated })
}

/// `ce:GetCostForecast` (UNBLENDED_COST, MONTHLY) from today to the first of next month.
async fn rest_of_month(
    cx: &Cx,
    client: &aws_sdk_costexplorer::Client,
    today: Date,
) -> Result<Forecast, CollectError> {
    let end = next_month(today);
    let request = client
        .get_cost_forecast()
        .time_period(interval(FORECAST, today, end)?)
        .metric(Metric::UnblendedCost)
        .granularity(Granularity::Monthly)
        .send();
    let answer = cx.call(FORECAST, request).await?;
    let total = answer.total().ok_or_else(|| malformed(FORECAST, "the forecast has no total"))?;
    let amount = parse_amount(FORECAST, total.amount().unwrap_or_default())?;
    let unit = total.unit().unwrap_or("USD").to_owned();
    Ok(Forecast { start: today, end, rest_of_month: Money { amount, unit }, month_end: None })
}

fn spend_money(spend: Option<&aws_sdk_budgets::types::Spend>) -> Result<Option<Money>, CollectError> {
    spend
        .map(|spend| {
            Ok(Money { amount: parse_amount(BUDGETS, spend.amount())?, unit: spend.unit().to_owned() })
        })
        .transpose()
}

/// `budgets:ViewBudget` (DescribeBudgets): each budget's limit and calculated spend.
async fn budgets(cx: &Cx, client: &aws_sdk_budgets::Client) -> Result<Vec<BudgetSpend>, CollectError> {
    super::cost::describe_budgets(cx, client)
        .await?
        .iter()
        .map(|budget| {
            let limit = spend_money(budget.budget_limit())?;
            let calculated = budget.calculated_spend();
            let actual = spend_money(calculated.and_then(|spend| spend.actual_spend()))?;
            let forecasted = spend_money(calculated.and_then(|spend| spend.forecasted_spend()))?;
            let percent_used = match (&actual, &limit) {
                (Some(actual), Some(limit)) if limit.amount > 0.0 && actual.unit == limit.unit => {
                    Some(actual.amount / limit.amount * 100.0)
                }
                _ => None,
            };
            Ok(BudgetSpend {
                name: budget.budget_name().to_owned(),
                budget_type: budget.budget_type().as_str().to_owned(),
                time_unit: budget.time_unit().as_str().to_owned(),
                limit,
                actual,
                forecasted,
                percent_used,
            })
        })
        .collect()
}

/// `ce:GetAnomalies` for the last 30 days, every page.
async fn anomalies(
    cx: &Cx,
    client: &aws_sdk_costexplorer::Client,
    today: Date,
) -> Result<Vec<CostAnomaly>, CollectError> {
    let interval = AnomalyDateInterval::builder()
        .start_date(today.saturating_sub(ANOMALY_DAYS.days()).to_string())
        .end_date(today.to_string())
        .build()
        .map_err(|err| malformed(ANOMALIES, err.to_string()))?;
    let request = client
        .get_anomalies()
        .date_interval(interval)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>();
    let listed = cx.call(ANOMALIES, request).await?;
    Ok(listed
        .iter()
        .map(|anomaly| {
            let mut services: Vec<String> =
                anomaly.root_causes().iter().filter_map(|cause| cause.service().map(str::to_owned)).collect();
            services.dedup();
            CostAnomaly {
                id: anomaly.anomaly_id().to_owned(),
                start_date: anomaly.anomaly_start_date().map(str::to_owned),
                end_date: anomaly.anomaly_end_date().map(str::to_owned),
                dimension_value: anomaly.dimension_value().map(str::to_owned),
                max_impact: anomaly.impact().map(|impact| impact.max_impact()).unwrap_or_default(),
                total_impact: anomaly.impact().map(|impact| impact.total_impact()).unwrap_or_default(),
                root_cause_services: services,
                feedback: anomaly.feedback().map(|feedback| feedback.as_str().to_owned()),
                monitor_arn: anomaly.monitor_arn().to_owned(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn periods() {
        assert_eq!(month_to_date(date("2026-03-15")), (date("2026-03-01"), date("2026-03-16")));
        assert_eq!(month_to_date(date("2026-03-31")), (date("2026-03-01"), date("2026-04-01")));
        assert_eq!(last_month(date("2026-01-10")), (date("2025-12-01"), date("2026-01-01")));
        assert_eq!(next_month(date("2026-12-31")), date("2027-01-01"));
    }

    #[test]
    fn month_end_adds_month_to_date_in_the_same_currency() {
        let usd = |amount: f64| Money { amount, unit: "USD".into() };
        let month = |total: Vec<Money>| MonthSpend {
            start: date("2026-03-01"),
            end: date("2026-03-16"),
            services: Vec::new(),
            total,
            estimated: true,
        };
        assert_eq!(month_end(Some(&month(vec![usd(10.0)])), &usd(5.5)), Some(usd(15.5)));
        assert_eq!(month_end(Some(&month(vec![])), &usd(5.5)), Some(usd(5.5)));
        assert_eq!(month_end(None, &usd(5.5)), None);
        let yen = Money { amount: 1.0, unit: "JPY".into() };
        assert_eq!(month_end(Some(&month(vec![yen])), &usd(5.5)), None);
    }
}
