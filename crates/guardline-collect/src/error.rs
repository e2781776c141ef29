//! Maps AWS SDK errors onto [`ErrorKind`], keeping the service's own code and message.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use guardline_model::{CollectError, ErrorKind};

/// Error codes that mean "the caller may not do this".
const ACCESS_DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
    "AuthFailure",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "Client.UnauthorizedOperation",
];

/// Error codes that mean "slow down" (still failing after the SDK's retries).
const THROTTLED: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "ProvisionedThroughputExceededException",
];

/// Error codes that mean "this service or operation is not there for this account or region".
const NOT_AVAILABLE: &[&str] = &[
    "OptInRequired",
    "SubscriptionRequiredException",
    "UnsupportedOperation",
    "UnsupportedOperationException",
    "InvalidAction",
    "NotImplemented",
    "ServiceUnavailable",
    "ServiceUnavailableException",
];

/// Classifies an SDK error from the call behind IAM action `action`.
pub fn classify<E>(action: &str, err: &SdkError<E, HttpResponse>) -> CollectError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let code = err.code().map(str::to_owned);
    let status = match err {
        SdkError::ServiceError(context) => Some(context.raw().status().as_u16()),
        SdkError::ResponseError(context) => Some(context.raw().status().as_u16()),
        _ => None,
    };
    let kind = match err {
        SdkError::TimeoutError(_) => ErrorKind::Timeout,
        SdkError::DispatchFailure(failure) if failure.is_timeout() => ErrorKind::Timeout,
        SdkError::DispatchFailure(_) => ErrorKind::Failed,
        // An error answer whose body is not the service's format: judge by the status alone.
        SdkError::ResponseError(_) if status.is_some_and(|status| status >= 400) => {
            kind_of(None, status.unwrap_or_default())
        }
        SdkError::ResponseError(_) => ErrorKind::Malformed,
        SdkError::ServiceError(_) => kind_of(code.as_deref(), status.unwrap_or_default()),
        _ => ErrorKind::Failed,
    };
    let message = match (err.message(), status) {
        (Some(message), _) => message.to_owned(),
        (None, Some(status)) => format!("HTTP {status} without an AWS error message"),
        (None, None) => short(&DisplayErrorContext(err).to_string()),
    };
    CollectError { action: action.to_owned(), kind, code, message }
}

/// The first line of a transport error, at most 300 characters: the SDK's full error chain can carry a whole
/// HTTP response.
fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(300) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line.to_owned(),
    }
}

fn kind_of(code: Option<&str>, status: u16) -> ErrorKind {
    match code {
        Some(code) if ACCESS_DENIED.contains(&code) => ErrorKind::AccessDenied,
        Some(code) if THROTTLED.contains(&code) => ErrorKind::Throttled,
        Some(code) if NOT_AVAILABLE.contains(&code) => ErrorKind::NotAvailable,
        _ if status == 403 => ErrorKind::AccessDenied,
        _ if status == 429 => ErrorKind::Throttled,
        // An operation the endpoint does not know answers 404 with no AWS error code.
        None if status == 404 || status == 501 => ErrorKind::NotAvailable,
        _ => ErrorKind::Failed,
    }
}

/// A [`CollectError`] for data the service returned but Guardline could not interpret.
pub fn malformed(action: &str, message: impl Into<String>) -> CollectError {
    CollectError {
        action: action.to_owned(),
        kind: ErrorKind::Malformed,
        code: None,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_win_over_status() {
        assert_eq!(kind_of(Some("AccessDeniedException"), 400), ErrorKind::AccessDenied);
        assert_eq!(kind_of(Some("ThrottlingException"), 400), ErrorKind::Throttled);
        assert_eq!(kind_of(Some("OptInRequired"), 401), ErrorKind::NotAvailable);
        assert_eq!(kind_of(None, 403), ErrorKind::AccessDenied);
        assert_eq!(kind_of(None, 429), ErrorKind::Throttled);
        assert_eq!(kind_of(None, 404), ErrorKind::NotAvailable);
        assert_eq!(kind_of(None, 500), ErrorKind::Failed);
        assert_eq!(kind_of(Some("InternalError"), 500), ErrorKind::Failed);
    }

    #[test]
    fn transport_errors_are_cut_to_one_short_line() {
        assert_eq!(short("refused\ncaused by: more"), "refused");
        assert_eq!(short(&"x".repeat(400)).chars().count(), 301);
    }
}
