//! [`Cx`]: what every collector call goes through: the concurrency bound, the call log, and error
//! classification.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use guardline_model::CollectError;
use tokio::sync::Semaphore;

use crate::error::classify;

/// Shared state of one collection run.
#[derive(Clone)]
pub struct Cx {
    pub account_id: String,
    pub partition: String,
    /// The most API calls in flight at once.
    limit: usize,
    permits: Arc<Semaphore>,
    calls: Arc<Mutex<BTreeMap<&'static str, u32>>>,
}

impl Cx {
    pub fn new(account_id: &str, partition: &str, concurrency: usize) -> Cx {
        Cx {
            account_id: account_id.to_owned(),
            partition: partition.to_owned(),
            limit: concurrency.max(1),
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            calls: Arc::default(),
        }
    }

    /// Runs one API call (the request behind IAM action `action`, which must be listed in
    /// [`crate::api::ACTIONS`]) under the concurrency bound, and classifies its error.
    pub async fn call<T, E, F>(&self, action: &'static str, request: F) -> Result<T, CollectError>
    where
        F: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        debug_assert!(crate::api::ACTIONS.contains(&action), "{action} is missing from api::ACTIONS");
        let _permit = self.permits.acquire().await.expect("the semaphore is never closed");
        *self.calls.lock().expect("call log lock").entry(action).or_default() += 1;
        let result = request.await;
        result.map_err(|err| {
            let error = classify(action, &err);
            tracing::debug!(%error, "call failed");
            error
        })
    }

    /// Runs one future per item, at most the concurrency limit of them at a time, and returns their outputs
    /// in order. Unlike `join_all`, the futures beyond the limit are not even created yet: with thousands of
    /// users, thousands of pending SDK request futures would cost far more memory than the calls themselves.
    pub async fn each<I, F>(&self, futures: I) -> Vec<F::Output>
    where
        I: IntoIterator<Item = F>,
        F: Future,
    {
        use futures::StreamExt as _;
        futures::stream::iter(futures).buffered(self.limit).collect().await
    }

    /// How many calls each IAM action took (pages count separately).
    pub fn call_log(&self) -> BTreeMap<&'static str, u32> {
        self.calls.lock().expect("call log lock").clone()
    }

    /// An ARN in the scanned account.
    pub fn arn(&self, service: &str, region: &str, resource: &str) -> String {
        format!("arn:{}:{service}:{region}:{}:{resource}", self.partition, self.account_id)
    }
}
