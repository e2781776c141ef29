//! The shared moto server of this test binary (see `guardline-testkit`) and the collection helper.

use aws_config::SdkConfig;
use guardline_collect::{CollectOptions, CollectOutput, NoProgress};

/// A fresh, empty account on the shared moto server.
pub struct Account {
    pub id: String,
    /// Credentials of the account's role, region ap-northeast-1.
    pub config: SdkConfig,
    inner: guardline_testkit::Account,
}

impl Account {
    pub async fn new() -> Account {
        let inner = guardline_testkit::shared().account().await;
        Account { id: inner.id.clone(), config: inner.config.clone(), inner }
    }

    /// The same credentials in another region.
    pub fn in_region(&self, region: &str) -> SdkConfig {
        self.inner.in_region(region)
    }

    /// Makes the test extension answer one operation for this account as AWS documents it, in place of moto:
    /// `answer` has `service`, `operation`, `region` (`"*"`: any), `body`, the `reference` page it follows,
    /// and optionally `match`, `status`, `times` (see `tests/moto/extensions.py`).
    pub fn serve(&self, mut answer: serde_json::Value) {
        answer["account_id"] = serde_json::Value::String(self.id.clone());
        guardline_testkit::shared().control(
            "/guardline-test/answers",
            "application/json",
            &answer.to_string(),
        );
    }

    /// Collects the account over `regions`.
    pub async fn collect(&self, regions: &[&str]) -> CollectOutput {
        let options = CollectOptions {
            regions: Some(regions.iter().map(|region| (*region).to_owned()).collect()),
            max_attempts: 1,
            ..CollectOptions::default()
        };
        guardline_collect::collect(&self.config, &options, &NoProgress).await.expect("collection starts")
    }
}
