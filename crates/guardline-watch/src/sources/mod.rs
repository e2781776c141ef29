//! The event sources. Each polls once per pass and returns [`Candidate`]s; the watcher filters them against
//! what was already reported (the outbox's `seen`).
//!
//! - [`guardduty`]: GuardDuty findings at or above the threshold, every region (re-reported when severity rises).
//! - [`security_hub`]: Security Hub findings whose compliance is FAILED: Security Hub CSPM's (ASFF,
//!   GetFindings) and, where it is enabled, the new Security Hub's (OCSF, GetFindingsV2), one alert per finding.
//! - [`inspector`]: Inspector findings at or above a severity label.
//! - [`health`]: AWS Health events (open and upcoming).
//! - [`changes`]: the drift watcher: CloudTrail and Config change events from SQS, each re-checked by
//!   re-reading only what it changed; alerts when a control starts failing, "resolved" when it passes again.
//!   It runs in its own loop (long polling), not in the periodic pass.
//! - [`feed`]: RSS/Atom feeds: the AWS service status feed and the vulnerability feeds, with keyword filters.
//! - [`aws`]: identifying the account and building the regional clients.
//!
//! Sources only read: List, Get and Describe calls, and HTTP GETs of feeds; the one exception is
//! `changes` deleting the queue messages it has finished with.

pub mod aws;
pub mod changes;
pub mod feed;
pub mod guardduty;
pub mod health;
pub mod inspector;
pub mod security_hub;

use guardline_config::watch::SeverityLabel;

pub use crate::outbox::Candidate;

/// The account the watched sources belong to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Account {
    pub id: Option<String>,
    pub alias: Option<String>,
}

/// One configured source, ready to poll.
#[derive(Debug, Clone)]
pub enum Source {
    GuardDuty {
        clients: Vec<aws_sdk_guardduty::Client>,
        min_severity: f64,
    },
    SecurityHub {
        clients: Vec<aws_sdk_securityhub::Client>,
        filter: security_hub::Filter,
    },
    Inspector {
        clients: Vec<aws_sdk_inspector2::Client>,
        min_severity: SeverityLabel,
    },
    Health {
        client: aws_sdk_health::Client,
        /// Poll the organisational view (`watch --org` where it is enabled).
        organisation: bool,
    },
    /// An RSS or Atom feed: `aws-status` or a `[[watch.feeds]]` entry.
    Feed {
        name: String,
        url: String,
        keywords: Vec<String>,
    },
    /// The drift watcher (`changes`), polled by [`crate::Watcher`]'s own loop.
    Changes(std::sync::Arc<changes::Changes>),
}

impl Source {
    /// The source's name, as routes name it.
    pub fn name(&self) -> &str {
        match self {
            Source::GuardDuty { .. } => "guardduty",
            Source::SecurityHub { .. } => "security-hub",
            Source::Inspector { .. } => "inspector",
            Source::Health { .. } => "health",
            Source::Feed { name, .. } => name,
            Source::Changes(_) => changes::NAME,
        }
    }

    /// One poll: what it found, and what failed. A region that fails is reported (so `watch --once` exits
    /// 1 and names it) while the other regions' candidates are still returned.
    pub(crate) async fn poll(
        &self,
        account: &Account,
        http: Result<crate::channels::Http<'_>, &str>,
    ) -> Polled {
        match self {
            Source::GuardDuty { clients, min_severity } => {
                guardduty::poll(clients, *min_severity, account).await
            }
            Source::SecurityHub { clients, filter } => security_hub::poll(clients, filter, account).await,
            Source::Inspector { clients, min_severity } => {
                inspector::poll(clients, *min_severity, account).await
            }
            Source::Health { client, organisation: false } => health::poll(client, account).await.into(),
            Source::Health { client, organisation: true } => health::poll_organisation(client).await.into(),
            Source::Feed { name, url, keywords } => match http {
                Ok(http) => feed::poll(http, name, url, keywords).await.into(),
                Err(error) => Err(format!("no HTTP client: {error}")).into(),
            },
            // Received in its own loop ([`crate::Watcher::drift_pass`]).
            Source::Changes(_) => Polled::default(),
        }
    }
}

/// What one poll of a source found, and what of it failed (one or more regions, or the whole source).
#[derive(Debug, Default)]
pub struct Polled {
    pub candidates: Vec<Candidate>,
    /// Why (part of) the source could not be polled; `None` when everything answered.
    pub error: Option<String>,
}

impl From<Result<Vec<Candidate>, String>> for Polled {
    fn from(result: Result<Vec<Candidate>, String>) -> Polled {
        match result {
            Ok(candidates) => Polled { candidates, error: None },
            Err(error) => Polled { candidates: Vec::new(), error: Some(error) },
        }
    }
}

/// The SDK error with its sources, for logs.
pub(crate) fn sdk_error(error: &(dyn std::error::Error + 'static)) -> String {
    guardline_collect::error::in_words(error)
}

/// Collects the per-region results: the candidates of the regions that answered, and the errors of those
/// that did not, each named by its region (every region failing is the source failing; some failing is
/// still a failure to report, never only a log line).
pub(crate) fn merge(source: &str, results: Vec<(String, Result<Vec<Candidate>, String>)>) -> Polled {
    let mut candidates = Vec::new();
    let mut errors = Vec::new();
    let total = results.len();
    for (region, result) in results {
        match result {
            Ok(found) => candidates.extend(found),
            Err(error) => {
                tracing::warn!(source, region, error, "polling failed in one region");
                errors.push(format!("{region}: {error}"));
            }
        }
    }
    let error = match errors.len() {
        0 => None,
        failed if failed == total => Some(errors.join("; ")),
        failed => Some(format!("{failed} of {total} regions could not be polled: {}", errors.join("; "))),
    };
    Polled { candidates, error }
}
