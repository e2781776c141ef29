//! `guardline cost`: the bill (guideline section 1, "know and analyse the bill"): spend by service this
//! month and last month, the month-end forecast, budgets against their limits, and open cost anomalies.
//!
//! Read-only. A piece that could not be read is shown as "not available: <reason>", never as a zero. Exit
//! 0, or 2 when the account cannot be identified.

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::Context as _;
use guardline_collect::CollectOptions;
use guardline_collect::cx::Cx;
use guardline_model::CollectError;
use guardline_model::cost_report::{Money, MonthSpend, SpendReport};

use crate::args::{AwsArgs, CostArgs, CostFormat, Lang};
use crate::lang::{display_width, pad};

pub fn run(args: CostArgs) -> anyhow::Result<bool> {
    let settings = guardline_config::Config::default().scan;
    let aws = &args.aws;
    let options = CollectOptions {
        regions: aws.requested_regions(),
        concurrency: aws.concurrency.unwrap_or(settings.concurrency),
        call_timeout: Duration::from_secs(aws.call_timeout.unwrap_or(settings.call_timeout_secs)),
        max_attempts: aws.max_attempts.unwrap_or(settings.max_attempts),
    };
    let report = collect_spend(aws, &options, args.today.unwrap_or_else(utc_today))?;
    let text = match args.format {
        CostFormat::Json => serde_json::to_string_pretty(&report).context("serialising the report")? + "\n",
        CostFormat::Terminal => render(&report, args.lang),
    };
    print!("{text}");
    Ok(true)
}

/// Today's date in UTC, the day a spend report is for by default.
pub fn utc_today() -> jiff::civil::Date {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

/// Collects the account's [`SpendReport`] as of `today` (`guardline cost`, and `scan --cost` for the HTML
/// report). Fails only when the account cannot be identified; each piece of the bill that cannot be read is
/// its own [`guardline_model::Collected`] error.
pub fn collect_spend(
    aws: &AwsArgs,
    options: &CollectOptions,
    today: jiff::civil::Date,
) -> anyhow::Result<SpendReport> {
    let base_region = options.regions.as_ref().and_then(|regions| regions.first().cloned());
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    runtime.block_on(async {
        let sdk = super::aws_config(aws, base_region.as_deref(), options).await?;
        let identity_cx = Cx::new("", "aws", options.concurrency);
        let identity =
            guardline_collect::services::sts::caller_identity(&identity_cx, &sdk).await.map_err(|error| {
                guardline_collect::CollectFailure::Identity(guardline_collect::at_endpoint(error, &sdk))
            })?;
        let cx = Cx::new(&identity.id, &identity.partition, options.concurrency);
        anyhow::Ok(guardline_collect::services::spend::spend(&cx, &sdk, today).await)
    })
}

/// The report's own words.
struct Words {
    title: &'static str,
    as_of: &'static str,
    service: &'static str,
    this_month: &'static str,
    last_month: &'static str,
    total: &'static str,
    no_spend: &'static str,
    forecast: &'static str,
    rest_of_month: &'static str,
    month_end: &'static str,
    budgets: &'static str,
    no_budgets: &'static str,
    actual: &'static str,
    limit: &'static str,
    used: &'static str,
    anomalies: &'static str,
    no_anomalies: &'static str,
    impact: &'static str,
    root_cause: &'static str,
    reviewed: &'static str,
    reviewed_one: &'static str,
    not_available: &'static str,
}

const EN: Words = Words {
    title: "Spend of account",
    as_of: "as of",
    service: "Service",
    this_month: "This month",
    last_month: "Last month",
    total: "Total",
    no_spend: "no spend recorded",
    forecast: "Forecast",
    rest_of_month: "rest of month",
    month_end: "month end",
    budgets: "Budgets",
    no_budgets: "no budgets",
    actual: "actual",
    limit: "limit",
    used: "used",
    anomalies: "Open cost anomalies (last 30 days)",
    no_anomalies: "none",
    impact: "impact",
    root_cause: "root cause",
    reviewed: "reviewed anomalies not shown",
    reviewed_one: "reviewed anomaly not shown",
    not_available: "not available",
};

const JA: Words = Words {
    title: "アカウントの利用料金",
    as_of: "基準日",
    service: "サービス",
    this_month: "今月",
    last_month: "先月",
    total: "合計",
    no_spend: "利用料金の記録なし",
    forecast: "予測",
    rest_of_month: "月末までの残り",
    month_end: "月末",
    budgets: "予算",
    no_budgets: "予算なし",
    actual: "実績",
    limit: "上限",
    used: "使用率",
    anomalies: "未対応のコスト異常 (過去 30 日)",
    no_anomalies: "なし",
    impact: "影響額",
    root_cause: "原因",
    reviewed: "件の確認済みの異常は省略",
    reviewed_one: "件の確認済みの異常は省略",
    not_available: "取得できません",
};

fn money(money: &Money) -> String {
    format!("{:.2} {}", money.amount, money.unit)
}

/// A month's totals per currency; a month with no spend shows zero in the currency the report's other
/// amounts are in (a bare "0.00" says nothing about what it counts), or "-" when no amount names one.
fn totals(totals: &[Money], currency: Option<&str>) -> String {
    match (totals.is_empty(), currency) {
        (false, _) => totals.iter().map(money).collect::<Vec<_>>().join(" + "),
        (true, Some(unit)) => format!("0.00 {unit}"),
        (true, None) => "-".to_owned(),
    }
}

/// The currency of the account's spend: the one currency its months' totals are in (`None` when there are
/// none, or several). Cost anomalies carry no currency of their own: they are in this one.
fn currency(report: &SpendReport) -> Option<&str> {
    let mut units = [&report.this_month, &report.last_month]
        .into_iter()
        .filter_map(|month| month.get().ok())
        .flat_map(|month| month.total.iter().map(|money| money.unit.as_str()));
    let first = units.next()?;
    units.all(|unit| unit == first).then_some(first)
}

fn unavailable(words: &Words, error: &CollectError) -> String {
    format!("{}: {error}", words.not_available)
}

/// The terminal report.
pub fn render(report: &SpendReport, lang: Lang) -> String {
    let words = match lang {
        Lang::En => &EN,
        Lang::Ja => &JA,
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({} {}, UnblendedCost)\n",
        words.title, report.account, words.as_of, report.today
    );
    services(&mut out, words, report);
    out.push('\n');
    match report.forecast.get() {
        Ok(forecast) => {
            let _ =
                write!(out, "{}: {} {}", words.forecast, words.rest_of_month, money(&forecast.rest_of_month));
            if let Some(month_end) = &forecast.month_end {
                let _ = write!(out, ", {} {}", words.month_end, money(month_end));
            }
            out.push('\n');
        }
        Err(error) => {
            let _ = writeln!(out, "{}: {}", words.forecast, unavailable(words, error));
        }
    }
    out.push('\n');
    match report.budgets.get() {
        Ok(budgets) if budgets.is_empty() => {
            let _ = writeln!(out, "{}: {}", words.budgets, words.no_budgets);
        }
        Ok(budgets) => {
            let _ = writeln!(out, "{}", words.budgets);
            for budget in budgets {
                let actual = budget.actual.as_ref().map(money).unwrap_or_else(|| "-".to_owned());
                let limit = budget.limit.as_ref().map(money).unwrap_or_else(|| "-".to_owned());
                let _ = write!(
                    out,
                    "  {} ({}, {}): {} {actual} / {} {limit}",
                    budget.name, budget.budget_type, budget.time_unit, words.actual, words.limit
                );
                if let Some(percent) = budget.percent_used {
                    let _ = write!(out, " ({percent:.1}% {})", words.used);
                }
                out.push('\n');
            }
        }
        Err(error) => {
            let _ = writeln!(out, "{}: {}", words.budgets, unavailable(words, error));
        }
    }
    out.push('\n');
    match report.anomalies.get() {
        Ok(anomalies) => {
            let open: Vec<_> = anomalies.iter().filter(|anomaly| anomaly.is_open()).collect();
            if open.is_empty() {
                let _ = writeln!(out, "{}: {}", words.anomalies, words.no_anomalies);
            } else {
                let _ = writeln!(out, "{}", words.anomalies);
            }
            for anomaly in &open {
                let what = anomaly.dimension_value.as_deref().unwrap_or(&anomaly.id);
                let since = anomaly.start_date.as_deref().unwrap_or("?");
                let _ = write!(out, "  {since} {what}: {} {:.2}", words.impact, anomaly.total_impact);
                if let Some(unit) = currency(report) {
                    let _ = write!(out, " {unit}");
                }
                if !anomaly.root_cause_services.is_empty() {
                    let _ = write!(out, ", {} {}", words.root_cause, anomaly.root_cause_services.join(", "));
                }
                out.push('\n');
            }
            let reviewed = anomalies.len() - open.len();
            if reviewed > 0 {
                let noun = if reviewed == 1 { words.reviewed_one } else { words.reviewed };
                let _ = writeln!(out, "  ({reviewed} {noun})");
            }
        }
        Err(error) => {
            let _ = writeln!(out, "{}: {}", words.anomalies, unavailable(words, error));
        }
    }
    out
}

/// The by-service table: this month's services largest first, last month's beside them, then the totals.
fn services(out: &mut String, words: &Words, report: &SpendReport) {
    let this = report.this_month.get().ok();
    let last = report.last_month.get().ok();
    for (label, month) in [(words.this_month, &report.this_month), (words.last_month, &report.last_month)] {
        if let Err(error) = month.get() {
            let _ = writeln!(out, "{label}: {}", unavailable(words, error));
        }
    }
    if this.is_none() && last.is_none() {
        return;
    }
    // Rows: this month's order, then services only last month had (largest first).
    let mut rows: Vec<(&str, &str)> = Vec::new();
    for month in [this, last].into_iter().flatten() {
        for spend in &month.services {
            if !rows.contains(&(spend.service.as_str(), spend.unit.as_str())) {
                rows.push((spend.service.as_str(), spend.unit.as_str()));
            }
        }
    }
    if rows.is_empty() {
        let _ = writeln!(out, "{}", words.no_spend);
    }
    let cell = |month: Option<&MonthSpend>, service: &str, unit: &str| match month {
        None => words.not_available.to_owned(),
        Some(month) => month
            .services
            .iter()
            .find(|spend| spend.service == service && spend.unit == unit)
            .map(|spend| format!("{:.2} {}", spend.amount, spend.unit))
            .unwrap_or_else(|| "-".to_owned()),
    };
    let width = rows
        .iter()
        .map(|(service, _)| display_width(service))
        .chain([display_width(words.service), display_width(words.total)])
        .max()
        .unwrap_or(0);
    let line = |out: &mut String, first: &str, this: &str, last: &str| {
        let _ =
            writeln!(out, "{}  {}  {}", pad(first, width, false), pad(this, 16, true), pad(last, 16, true));
    };
    line(out, words.service, words.this_month, words.last_month);
    for (service, unit) in &rows {
        line(out, service, &cell(this, service, unit), &cell(last, service, unit));
    }
    let total = |month: Option<&MonthSpend>| {
        month
            .map(|month| totals(&month.total, currency(report)))
            .unwrap_or_else(|| words.not_available.to_owned())
    };
    line(out, words.total, &total(this), &total(last));
}

#[cfg(test)]
mod tests {
    use guardline_model::cost_report::{BudgetSpend, CostAnomaly, Forecast, ServiceSpend};
    use guardline_model::{Collected, ErrorKind};

    use super::*;

    fn usd(amount: f64) -> Money {
        Money { amount, unit: "USD".into() }
    }

    fn anomaly(id: &str, feedback: Option<&str>) -> CostAnomaly {
        CostAnomaly {
            id: id.into(),
            start_date: Some("2026-11-10".into()),
            end_date: None,
            dimension_value: Some("Amazon EC2".into()),
            max_impact: 40.0,
            total_impact: 95.5,
            root_cause_services: vec!["Amazon EC2".into()],
            feedback: feedback.map(Into::into),
            monitor_arn: "arn:aws:ce::123456789012:anomalymonitor/abc".into(),
        }
    }

    fn report() -> SpendReport {
        let date = |text: &str| text.parse().unwrap();
        SpendReport {
            account: "123456789012".into(),
            today: date("2026-11-15"),
            this_month: Collected::ok(MonthSpend {
                start: date("2026-11-01"),
                end: date("2026-11-16"),
                services: vec![ServiceSpend {
                    service: "Amazon EC2".into(),
                    amount: 10.0,
                    unit: "USD".into(),
                }],
                total: vec![usd(10.0)],
                estimated: true,
            }),
            last_month: Collected::error(CollectError {
                action: "ce:GetCostAndUsage".into(),
                kind: ErrorKind::Throttled,
                code: None,
                message: String::new(),
            }),
            forecast: Collected::ok(Forecast {
                start: date("2026-11-15"),
                end: date("2026-12-01"),
                rest_of_month: usd(20.0),
                month_end: Some(usd(30.0)),
            }),
            budgets: Collected::ok(vec![BudgetSpend {
                name: "monthly-total".into(),
                budget_type: "COST".into(),
                time_unit: "MONTHLY".into(),
                limit: Some(usd(100.0)),
                actual: Some(usd(25.0)),
                forecasted: None,
                percent_used: Some(25.0),
            }]),
            anomalies: Collected::ok(vec![anomaly("open", None), anomaly("done", Some("YES"))]),
        }
    }

    #[test]
    fn terminal_shows_every_piece_and_never_a_zero_for_a_failure() {
        let text = render(&report(), Lang::En);
        for expected in [
            "Last month: not available: ce:GetCostAndUsage throttled",
            "Amazon EC2         10.00 USD     not available",
            "Forecast: rest of month 20.00 USD, month end 30.00 USD",
            "monthly-total (COST, MONTHLY): actual 25.00 USD / limit 100.00 USD (25.0% used)",
            "2026-11-10 Amazon EC2: impact 95.50 USD, root cause Amazon EC2",
            "(1 reviewed anomaly not shown)",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        assert!(!text.contains(" 0.00 "), "no zero stands in for the missing month: {text}");
        let ja = render(&report(), Lang::Ja);
        assert!(ja.contains("予測: 月末までの残り 20.00 USD, 月末 30.00 USD"), "{ja}");
    }
}
