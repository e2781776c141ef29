//! The channels alerts go to: Slack ([`slack`]), Microsoft Teams ([`teams`]) and mail ([`email`]).
//!
//! A channel reads its secret ([`read_secret`]) at each send, from the environment variable or file the
//! config names. Errors never carry the secret: HTTP errors are stripped of their URL and every message goes
//! through [`redact`].
//!
//! Webhooks and the Slack API are called with [`webhook_client`]: no redirects (a 3xx is a failed send, so the
//! message and the URL never go to another server), no `Referer`, https only ([`check_url`]: http only to a
//! loopback address, for tests and local relays), and a timeout on every request as well as on the client,
//! so no send can hang even with a client built otherwise. A client that cannot be built is an error of each
//! send (the alert stays queued), never a fallback to a default client.

pub mod email;
pub mod slack;
pub mod teams;

use std::time::Duration;

use guardline_config::watch::{ChannelKind, Secret, WatchChannel};

use crate::event::{Event, Lang};

/// Why a send failed.
#[derive(Debug, Clone, PartialEq)]
pub enum SendError {
    /// The channel asked to slow down (HTTP 429); try again after `retry_after` (its `Retry-After`).
    RateLimited { retry_after: Option<Duration>, message: String },
    /// Anything else: the channel is down, refused the message, or the secret is missing.
    Failed { message: String },
}

impl SendError {
    pub fn failed(message: impl AsRef<str>) -> SendError {
        SendError::Failed { message: redact(message.as_ref()) }
    }

    pub fn message(&self) -> &str {
        match self {
            SendError::RateLimited { message, .. } | SendError::Failed { message } => message,
        }
    }
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// How long one HTTP request (webhook, Slack API, feed) or SMTP session may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// One configured channel, ready to send.
#[derive(Debug, Clone)]
pub struct Channel {
    pub config: WatchChannel,
    /// The webhook client, or why it could not be built.
    http: Result<reqwest::Client, String>,
    timeout: Duration,
}

/// An HTTP request's client and its hard timeout.
#[derive(Clone, Copy)]
pub(crate) struct Http<'a> {
    pub client: &'a reqwest::Client,
    pub timeout: Duration,
}

impl Channel {
    /// A channel sending with `http` (from [`webhook_client`]); every request times out after `timeout`.
    pub fn new(config: WatchChannel, http: Result<reqwest::Client, String>, timeout: Duration) -> Channel {
        Channel { config, http, timeout }
    }

    pub fn name(&self) -> &str {
        &self.config.name
    }

    fn http(&self) -> Result<Http<'_>, SendError> {
        match &self.http {
            Ok(client) => Ok(Http { client, timeout: self.timeout }),
            Err(error) => Err(SendError::failed(format!("no HTTP client: {error}"))),
        }
    }

    /// Sends one event.
    pub async fn send(&self, event: &Event, lang: Lang) -> Result<(), SendError> {
        match &self.config.kind {
            ChannelKind::SlackWebhook { url } => slack::send_webhook(self.http()?, url, event, lang).await,
            ChannelKind::SlackBot { token, channel, api_url } => {
                slack::send_bot(self.http()?, token, channel, api_url, event, lang).await
            }
            ChannelKind::Teams { url } => teams::send(self.http()?, url, event, lang).await,
            ChannelKind::Email(config) => email::send(config, event, lang, self.timeout).await,
        }
    }
}

fn builder(timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .referer(false)
        .user_agent(concat!("guardline/", env!("CARGO_PKG_VERSION")))
}

/// The client for webhooks and the Slack API: rustls, no redirects, no `Referer`, `timeout`.
pub fn webhook_client(timeout: Duration) -> Result<reqwest::Client, String> {
    builder(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|error| format!("building the HTTP client: {error}"))
}

/// The client for feeds (public documents, which do move): up to 5 redirects, no `Referer`, `timeout`.
pub fn feed_client(timeout: Duration) -> Result<reqwest::Client, String> {
    builder(timeout)
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .map_err(|error| format!("building the HTTP client: {error}"))
}

/// `url` parsed, if a secret may be sent to it: https, or http to a loopback address. The error never
/// quotes the URL (a webhook URL is the secret).
pub fn check_url(url: &str) -> Result<reqwest::Url, SendError> {
    let parsed =
        reqwest::Url::parse(url).map_err(|_| SendError::failed("the configured URL is not a URL"))?;
    let loopback = parsed.host_str().is_some_and(|host| {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host.parse::<std::net::IpAddr>().is_ok_and(|address| address.is_loopback())
    });
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if loopback => Ok(parsed),
        "http" => Err(SendError::failed(format!(
            "refusing plain http to {}: https only (http only to a loopback address)",
            parsed.host_str().unwrap_or_default()
        ))),
        other => Err(SendError::failed(format!("refusing a `{other}:` URL: https only"))),
    }
}

/// The secret's value: the environment variable, or the file's content, trimmed.
pub fn read_secret(secret: &Secret) -> Result<String, SendError> {
    let value = match secret {
        Secret::Env(name) => std::env::var(name)
            .map_err(|_| SendError::failed(format!("environment variable {name} is not set")))?,
        Secret::File(path) => std::fs::read_to_string(path)
            .map_err(|error| SendError::failed(format!("cannot read {}: {error}", path.display())))?,
    };
    let value = value.trim().to_owned();
    if value.is_empty() {
        return Err(SendError::failed("the secret is empty"));
    }
    Ok(value)
}

/// `text` with every URL replaced by its scheme and host (webhook URLs carry their secret in the path).
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("http://").or_else(|| rest.find("https://")).map(|at| {
        // Take the earliest of the two schemes.
        match (rest.find("http://"), rest.find("https://")) {
            (Some(a), Some(b)) => a.min(b),
            _ => at,
        }
    }) {
        out.push_str(&rest[..start]);
        let url = &rest[start..];
        let end =
            url.find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ')' | '>')).unwrap_or(url.len());
        let scheme_end = url.find("://").map_or(0, |at| at + 3);
        let host_end = url[scheme_end..end].find('/').map_or(end, |at| scheme_end + at);
        out.push_str(&url[..host_end]);
        if host_end < end {
            out.push_str("/<redacted>");
        }
        rest = &url[end..];
    }
    out.push_str(rest);
    out
}

/// Turns an HTTP response into the send's result: 2xx is success; 429 is a rate limit with its
/// `Retry-After`; anything else a failure naming the status (never the URL).
pub(crate) async fn check_response(response: reqwest::Response) -> Result<String, SendError> {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(retry_after);
    let body = response.text().await.unwrap_or_default();
    let snippet: String = body.chars().take(200).collect();
    if status.is_success() {
        return Ok(body);
    }
    if status.as_u16() == 429 {
        return Err(SendError::RateLimited {
            retry_after,
            message: redact(format!("rate limited (HTTP 429) {snippet}").trim_end()),
        });
    }
    Err(SendError::failed(format!("HTTP {status}: {snippet}").trim_end()))
}

/// A `Retry-After` value: seconds, or an HTTP date (then the time until it, zero if past).
pub fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = at.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// A transport error, without the URL.
pub(crate) fn transport_error(error: reqwest::Error) -> SendError {
    let error = error.without_url();
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    SendError::failed(message)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{redact, retry_after};

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(retry_after("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
        let later = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(120);
        let text = jiff::fmt::rfc2822::to_string(&later.to_zoned_datetime(jiff::tz::TimeZone::UTC)).unwrap();
        let wait = retry_after(&text).unwrap();
        assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120), "{wait:?}");
        assert_eq!(retry_after("soon"), None);
    }

    #[test]
    fn redacts_url_paths() {
        assert_eq!(
            redact("error sending request for url (https://hooks.slack.com/services/T0/B0/secret)"),
            "error sending request for url (https://hooks.slack.com/<redacted>)"
        );
        assert_eq!(
            redact("http://127.0.0.1:80 and http://x/y"),
            "http://127.0.0.1:80 and http://x/<redacted>"
        );
        assert_eq!(redact("no url"), "no url");
    }
}
