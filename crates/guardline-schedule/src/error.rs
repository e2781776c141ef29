//! Typed errors for parsing a window, a cron pair or a time zone. Each says what is wrong and
//! where: the text as written, then the problem and the column it starts at.

/// Why a schedule's text could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The human form (`"weekdays 09:00-19:00"`) is malformed.
    #[error("{input}: {message} (column {column})")]
    Window {
        /// The text as written.
        input: String,
        /// What is wrong.
        message: String,
        /// 1-based column (in characters) where the problem starts.
        column: usize,
    },
    /// A cron expression of a cron pair is malformed.
    #[error("{which} cron {input:?}: {message}")]
    Cron {
        /// `"stop"` or `"start"`.
        which: &'static str,
        /// The expression as written.
        input: String,
        /// What is wrong (croner's message, or ours).
        message: String,
    },
    /// The time zone is not a known IANA name.
    #[error("time zone {input:?} is not a known IANA time zone name")]
    TimeZone {
        /// The name as written.
        input: String,
    },
}
