//! [`SpendReport`]: what `guardline cost` shows about an account's bill (guideline section 1, "know and
//! analyse the bill"): spend by service this month and last month, the month-end forecast, each budget's
//! actual spend against its limit, and the cost anomalies of the last 30 days.
//!
//! Each piece is its own [`Collected`], so a call that fails blanks only that piece: a report never shows a
//! zero for money it could not read.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::Collected;

/// An account's spend, as of `today`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpendReport {
    /// The account ID.
    pub account: String,
    /// The date the report is for (UTC).
    pub today: Date,
    /// Month to date (`ce:GetCostAndUsage`, UnblendedCost, by service).
    pub this_month: Collected<MonthSpend>,
    /// The previous calendar month.
    pub last_month: Collected<MonthSpend>,
    /// Cost Explorer's forecast for the rest of this month (`ce:GetCostForecast`).
    pub forecast: Collected<Forecast>,
    /// Every budget with its actual spend and limit (`budgets:ViewBudget`).
    pub budgets: Collected<Vec<BudgetSpend>>,
    /// The cost anomalies detected in the last 30 days (`ce:GetAnomalies`).
    pub anomalies: Collected<Vec<CostAnomaly>>,
}

/// An amount of money, e.g. 12.34 USD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Money {
    pub amount: f64,
    pub unit: String,
}

/// Spend over `[start, end)`, by service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthSpend {
    pub start: Date,
    /// Exclusive.
    pub end: Date,
    /// Largest first.
    pub services: Vec<ServiceSpend>,
    /// The sum over the services, per currency (one entry in practice); empty when nothing was spent.
    pub total: Vec<Money>,
    /// Whether Cost Explorer marked any of it as estimated (the month is not closed yet).
    pub estimated: bool,
}

/// One service's spend (the `SERVICE` dimension, e.g. "Amazon Elastic Compute Cloud - Compute").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceSpend {
    pub service: String,
    pub amount: f64,
    pub unit: String,
}

/// The forecast spend over `[start, end)`: the rest of the month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub start: Date,
    /// Exclusive: the first of next month.
    pub end: Date,
    /// The forecast for the rest of the month.
    pub rest_of_month: Money,
    /// Month to date plus the rest of the month, when month to date is known in the same currency.
    pub month_end: Option<Money>,
}

/// A budget with its spend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetSpend {
    pub name: String,
    /// `COST`, `USAGE`, ...
    pub budget_type: String,
    /// `MONTHLY`, `QUARTERLY`, ...
    pub time_unit: String,
    pub limit: Option<Money>,
    /// The actual spend in the current period, as Budgets calculated it.
    pub actual: Option<Money>,
    pub forecasted: Option<Money>,
    /// `actual / limit` in percent, when both are known and the limit is not zero.
    pub percent_used: Option<f64>,
}

/// A cost anomaly (`ce:GetAnomalies`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostAnomaly {
    pub id: String,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// What the monitor watches, e.g. the service name.
    pub dimension_value: Option<String>,
    /// The largest daily impact, in the account's currency.
    pub max_impact: f64,
    pub total_impact: f64,
    /// The root causes' services.
    pub root_cause_services: Vec<String>,
    /// Feedback given on the anomaly (`YES`, `NO`, `PLANNED_ACTIVITY`); none yet: still open.
    pub feedback: Option<String>,
    pub monitor_arn: String,
}

impl CostAnomaly {
    /// Nobody has reviewed it yet.
    pub fn is_open(&self) -> bool {
        self.feedback.is_none()
    }
}
