//! [`Collected`]: a piece of inventory that was either gathered or failed with a classified reason.

use serde::{Deserialize, Serialize};

mod de;

/// Why a piece of inventory could not be collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The credentials lack permission for the call (AccessDenied, UnauthorizedOperation, ...).
    AccessDenied,
    /// The service or operation does not exist in that region or for that account
    /// (not subscribed, not supported, an opt-in region, an endpoint that does not answer).
    NotAvailable,
    /// Still throttled after the SDK's retries.
    Throttled,
    /// The call timed out.
    Timeout,
    /// The service answered with data Guardline could not interpret (e.g. a malformed policy document).
    Malformed,
    /// The endpoint could not be reached: the connection was refused or reset, its host name does not
    /// resolve, or the TLS handshake failed.
    Unreachable,
    /// No credentials: no provider of the SDK's credential chain had any.
    NoCredentials,
    /// Anything else: a 5xx after retries, an unmodelled answer.
    Failed,
    /// Guardline did not try: the data is absent from the snapshot (outside the scan's scope, or a
    /// hand-written fixture that leaves it out).
    NotCollected,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::AccessDenied,
        ErrorKind::NotAvailable,
        ErrorKind::Throttled,
        ErrorKind::Timeout,
        ErrorKind::Malformed,
        ErrorKind::Unreachable,
        ErrorKind::NoCredentials,
        ErrorKind::Failed,
        ErrorKind::NotCollected,
    ];

    /// A short human label, used in reports.
    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::AccessDenied => "access denied",
            ErrorKind::NotAvailable => "not available",
            ErrorKind::Throttled => "throttled",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Malformed => "malformed answer",
            ErrorKind::Unreachable => "unreachable",
            ErrorKind::NoCredentials => "no credentials",
            ErrorKind::Failed => "failed",
            ErrorKind::NotCollected => "not collected",
        }
    }
}

/// The reason one API call (and so the data it feeds) failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectError {
    /// The IAM action of the failing call, e.g. `guardduty:ListDetectors`.
    pub action: String,
    pub kind: ErrorKind,
    /// The service's own error code, when it gave one (e.g. `AccessDeniedException`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The service's message, or the transport error, as text.
    pub message: String,
}

impl std::fmt::Display for CollectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.action.is_empty() {
            write!(f, "{}", self.kind.label())?;
        } else {
            write!(f, "{} {}", self.action, self.kind.label())?;
        }
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        // The service's own words go in “ ”, so that the terminal report can show the call and the code
        // alone (`guardline_report::terminal` drops the quoted part), while JSON and HTML keep them.
        let message = self.message.trim().trim_end_matches('.');
        if !message.is_empty() {
            write!(f, ": “{message}”")?;
        }
        Ok(())
    }
}

/// One piece of inventory: the data, or why it is missing.
///
/// Serialised as `{"status": "ok", "value": ...}` or `{"status": "error", "error": {...}}`. Deserialised by
/// hand (see [`de`]): serde's derive for an internally tagged enum buffers the whole value before reading
/// it, which on a large snapshot costs more than the parse itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Collected<T> {
    Ok { value: T },
    Error { error: CollectError },
}

impl<T> Collected<T> {
    pub fn ok(value: T) -> Self {
        Collected::Ok { value }
    }

    pub fn error(error: CollectError) -> Self {
        Collected::Error { error }
    }

    /// The data, or the reason it was not collected.
    pub fn get(&self) -> Result<&T, &CollectError> {
        match self {
            Collected::Ok { value } => Ok(value),
            Collected::Error { error } => Err(error),
        }
    }

    pub fn as_ref(&self) -> Collected<&T> {
        match self {
            Collected::Ok { value } => Collected::Ok { value },
            Collected::Error { error } => Collected::Error { error: error.clone() },
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Collected<U> {
        match self {
            Collected::Ok { value } => Collected::Ok { value: f(value) },
            Collected::Error { error } => Collected::Error { error },
        }
    }
}

impl<T> From<Result<T, CollectError>> for Collected<T> {
    fn from(result: Result<T, CollectError>) -> Self {
        match result {
            Ok(value) => Collected::Ok { value },
            Err(error) => Collected::Error { error },
        }
    }
}

/// Absent data is an error, never an empty success: a snapshot field that is missing evaluates to
/// NOT EVALUATED.
impl<T> Default for Collected<T> {
    fn default() -> Self {
        Collected::Error {
            error: CollectError {
                action: String::new(),
                kind: ErrorKind::NotCollected,
                code: None,
                message: "absent from the snapshot".to_owned(),
            },
        }
    }
}
