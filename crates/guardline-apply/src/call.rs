//! [`call`]: every write call goes through it, so that a failure names the IAM action and says why.

use std::future::Future;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use guardline_model::CollectError;

/// Runs one API call (the request behind IAM action `action`) and classifies its error, as the collectors do.
pub async fn call<T, E, F>(action: &'static str, request: F) -> Result<T, CollectError>
where
    F: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    tracing::info!(action, "calling");
    request.await.map_err(|err| {
        let error = guardline_collect::error::classify(action, &err);
        tracing::debug!(%error, "call failed");
        error
    })
}
