//! Maps AWS SDK errors onto [`ErrorKind`], keeping the service's own code and message.

use aws_credential_types::provider::error::CredentialsError;
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
    if let SdkError::DispatchFailure(failure) = err {
        let (kind, message) = match failure.is_timeout() {
            true => (ErrorKind::Timeout, "the connection timed out".to_owned()),
            false => transport(err),
        };
        return CollectError { action: action.to_owned(), kind, code: None, message };
    }
    let kind = match err {
        SdkError::TimeoutError(_) => ErrorKind::Timeout,
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

/// What a request that got no answer ran into, in words: no credentials (the SDK resolves them before it
/// sends), a refused or reset connection, a host name that does not resolve, a failed TLS handshake, a
/// timeout; otherwise the error's first line. The SDK's own text is a chain of debug forms ("dispatch
/// failure: io error: ...: Os { code: 111, .. }"), which says nothing to a reader.
fn transport(err: &(dyn std::error::Error + 'static)) -> (ErrorKind, String) {
    use std::io::ErrorKind as Io;
    let mut texts = Vec::new();
    let mut cause = Some(err);
    while let Some(error) = cause {
        match error.downcast_ref::<CredentialsError>() {
            Some(CredentialsError::CredentialsNotLoaded(_)) => {
                return (ErrorKind::NoCredentials, "no credentials were found".to_owned());
            }
            // A provider that failed (an expired SSO session, a role it could not assume, a refusal of
            // Guardline's own pinned credentials): its own words, which say what to do.
            Some(_) => {
                return (
                    ErrorKind::Failed,
                    format!("loading the credentials failed: {}", short(&chain(error))),
                );
            }
            None => {}
        }
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            let words = match io.kind() {
                Io::ConnectionRefused => Some((ErrorKind::Unreachable, "the connection was refused")),
                Io::ConnectionReset | Io::ConnectionAborted => {
                    Some((ErrorKind::Unreachable, "the connection was reset"))
                }
                Io::TimedOut => Some((ErrorKind::Timeout, "the connection timed out")),
                Io::HostUnreachable | Io::NetworkUnreachable => {
                    Some((ErrorKind::Unreachable, "the network cannot reach the endpoint"))
                }
                _ => None,
            };
            if let Some((kind, words)) = words {
                return (kind, words.to_owned());
            }
        }
        texts.push(error.to_string().to_lowercase());
        cause = error.source();
    }
    let text = texts.join(": ");
    let words = if text.contains("provided credentials") || text.contains("no credentials") {
        (ErrorKind::NoCredentials, "no credentials were found")
    } else if text.contains("dns error") || text.contains("failed to lookup address") {
        (ErrorKind::Unreachable, "the endpoint's host name does not resolve (DNS)")
    } else if text.contains("certificate") || text.contains("tls") || text.contains("handshake") {
        (
            ErrorKind::Unreachable,
            "the TLS handshake failed (an untrusted certificate, or no TLS at the endpoint)",
        )
    } else if text.contains("timed out") || text.contains("timeout") {
        (ErrorKind::Timeout, "the connection timed out")
    } else if text.contains("connection refused") {
        (ErrorKind::Unreachable, "the connection was refused")
    } else {
        return (ErrorKind::Failed, short(&DisplayErrorContext(err).to_string()));
    };
    (words.0, words.1.to_owned())
}

/// Any SDK error in words: a request that got no answer as [`transport`] says it (no credentials, refused,
/// DNS, TLS, timeout), anything else as its chain of causes. For callers that keep errors as text (`watch`).
pub fn in_words(error: &(dyn std::error::Error + 'static)) -> String {
    if error.to_string().starts_with("dispatch failure") {
        let (kind, words) = transport(error);
        if kind != ErrorKind::Failed {
            return words;
        }
    }
    chain(error)
}

/// `error` and its sources, joined by ": ".
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut texts = vec![error.to_string()];
    let mut cause = error.source();
    while let Some(error) = cause {
        texts.push(error.to_string());
        cause = error.source();
    }
    texts.join(": ")
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
