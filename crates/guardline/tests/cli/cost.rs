//! `guardline cost` against moto server: seeded Cost Explorer results and a budget come out in the JSON
//! report; the forecast, which moto lacks, is "not available" with a reason, never a zero. Anomalies come
//! from the test extension (`tests/moto/extensions.py`), which has none.

use aws_sdk_budgets::types::{Budget, BudgetType, Spend, TimeUnit};

use crate::support::{guardline_in, moto_env};

/// One GetCostAndUsage answer: a MONTHLY result over `[start, end)` with a group per service.
fn usage(start: &str, end: &str, services: &[(&str, &str)]) -> serde_json::Value {
    let groups: Vec<_> = services
        .iter()
        .map(|(service, amount)| {
            serde_json::json!({
                "Keys": [service],
                "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}},
            })
        })
        .collect();
    serde_json::json!({
        "GroupDefinitions": [{"Type": "DIMENSION", "Key": "SERVICE"}],
        "ResultsByTime": [{
            "TimePeriod": {"Start": start, "End": end},
            "Total": {},
            "Groups": groups,
            "Estimated": true,
        }],
        "DimensionValueAttributes": [],
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn cost_reports_seeded_spend_budget_and_anomalies_and_what_moto_lacks() {
    let server = guardline_testkit::shared();
    let account = server.account().await;
    aws_sdk_budgets::Client::new(&account.in_region("us-east-1"))
        .create_budget()
        .account_id(&account.id)
        .budget(
            Budget::builder()
                .budget_name("monthly-total")
                .budget_type(BudgetType::Cost)
                .time_unit(TimeUnit::Monthly)
                .budget_limit(Spend::builder().amount("100").unit("USD").build().unwrap())
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    // moto hands each queued result to the next request body it has not seen: `cost` asks for this month
    // first, then last month, one after the other.
    let seeded = serde_json::json!({
        "account_id": account.id,
        "results": [
            usage("2026-11-01", "2026-11-16", &[
                ("Amazon Elastic Compute Cloud - Compute", "12.5"),
                ("AWS Lambda", "0.25"),
            ]),
            usage("2026-10-01", "2026-11-01", &[
                ("Amazon Elastic Compute Cloud - Compute", "40"),
                ("Amazon Simple Storage Service", "3.75"),
            ]),
        ],
    });
    server.control("/moto-api/static/ce/cost-and-usage-results", "application/json", &seeded.to_string());

    let dir = tempfile::tempdir().unwrap();
    let env = moto_env(&server.endpoint, &account.credentials);
    let args = ["cost", "--format", "json", "--today", "2026-11-15", "--max-attempts", "1", "--no-progress"];
    let run = guardline_in(dir.path(), &args, &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["account"], account.id.as_str());
    assert_eq!(report["today"], "2026-11-15");

    let services = |month: &str| -> Vec<(String, f64)> {
        assert_eq!(report[month]["status"], "ok", "{month}: {}", report[month]);
        report[month]["value"]["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| (row["service"].as_str().unwrap().to_owned(), row["amount"].as_f64().unwrap()))
            .collect()
    };
    assert_eq!(
        services("this_month"),
        [("Amazon Elastic Compute Cloud - Compute".to_owned(), 12.5), ("AWS Lambda".to_owned(), 0.25)]
    );
    assert_eq!(report["this_month"]["value"]["total"], serde_json::json!([{"amount": 12.75, "unit": "USD"}]));
    assert_eq!(
        services("last_month"),
        [
            ("Amazon Elastic Compute Cloud - Compute".to_owned(), 40.0),
            ("Amazon Simple Storage Service".to_owned(), 3.75)
        ]
    );
    assert_eq!(report["last_month"]["value"]["total"], serde_json::json!([{"amount": 43.75, "unit": "USD"}]));

    let budgets = report["budgets"]["value"].as_array().expect("budgets collected");
    assert_eq!(budgets.len(), 1);
    assert_eq!(budgets[0]["name"], "monthly-total");
    assert_eq!(budgets[0]["limit"], serde_json::json!({"amount": 100.0, "unit": "USD"}));

    // moto does not implement GetCostForecast: a reason, not a zero.
    let forecast = &report["forecast"];
    assert_eq!(forecast["status"], "error", "forecast: {forecast}");
    assert!(forecast.get("value").is_none(), "the forecast has no value");
    assert_eq!(forecast["error"]["action"], "ce:GetCostForecast");
    assert!(!forecast["error"]["kind"].as_str().unwrap().is_empty());
    // GetAnomalies (test extension) answers an empty list.
    assert_eq!(report["anomalies"], serde_json::json!({"status": "ok", "value": []}));

    // The terminal report says the same, and "not available" where moto has nothing.
    let args = ["cost", "--today", "2026-11-15", "--max-attempts", "1", "--no-progress"];
    let run = guardline_in(dir.path(), &args, &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = &run.stdout;
    for expected in [
        "Amazon Elastic Compute Cloud - Compute",
        "12.50 USD",
        "40.00 USD",
        "12.75 USD",
        "43.75 USD",
        "monthly-total",
        "limit 100.00 USD",
        "Forecast: not available: ce:GetCostForecast",
        "Open cost anomalies (last 30 days): none",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn cost_without_credentials_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9".to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "x".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "y".to_owned()),
    ];
    let run = guardline_in(dir.path(), &["cost", "--max-attempts", "1", "--call-timeout", "2"], &env);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("could not identify the account"), "{}", run.stderr);
}
