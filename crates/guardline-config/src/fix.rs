//! `[fix]`: the values `guardline fix` needs that no scan can know: who gets alerts, how much the monthly
//! budget is, which bucket receives AWS Config and CloudTrail logs, the SECURITY contact.
//!
//! Each is optional: a fix that needs a value the config does not give is listed in the plan as "needs
//! `[fix] key`", never guessed.

/// The SECURITY alternate contact `fix` sets (ACCOUNT-002).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SecurityContact {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub title: String,
}

/// `[fix]`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FixSettings {
    /// Email addresses subscribed to the alert topic (GuardDuty, Health and Config events) and to the budget
    /// and cost anomaly alerts.
    pub notify: Vec<String>,
    /// The SNS topic EventBridge rules publish to, created in each region that needs one.
    pub topic_name: String,
    /// The bucket AWS Config and CloudTrail deliver to; `None`: `fix` creates `guardline-logs-<account ID>` in
    /// the home region, with a policy that admits only those two services from this account.
    pub log_bucket: Option<String>,
    /// COST-002: the monthly cost budget in USD; `None`: the budget fix needs it.
    pub budget_monthly_usd: Option<f64>,
    /// COST-003: alert on anomalies whose impact is at least this many USD.
    pub anomaly_threshold_usd: f64,
    /// ACCOUNT-002: `None`: the contact fix needs it.
    pub security_contact: Option<SecurityContact>,
}

impl Default for FixSettings {
    fn default() -> Self {
        FixSettings {
            notify: Vec::new(),
            topic_name: "guardline-security-alerts".to_owned(),
            log_bucket: None,
            budget_monthly_usd: None,
            anomaly_threshold_usd: 100.0,
            security_contact: None,
        }
    }
}
