//! The validated `[watch]` section: what `guardline watch` polls (sources, feeds), where it sends alerts
//! (channels), and which source goes to which channel (routes).
//!
//! Secrets (webhook URLs, bot tokens, SMTP passwords) are never part of the configuration text: a channel
//! names an environment variable or a file ([`Secret`]) and validation rejects a literal value. Reading the
//! secret is the watcher's job, at the moment it sends.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::org::{AccountFacts, AccountSelector};

/// The account tag naming an account's owner unless `[watch] owner-tag` says otherwise.
pub const DEFAULT_OWNER_TAG: &str = "owner";

/// The AWS service status feed polled by `[watch.sources.aws-status]` unless it sets `url`.
pub const AWS_STATUS_URL: &str = "https://status.aws.amazon.com/rss/all.rss";

/// The names of the built-in sources, as routes name them.
pub const BUILTIN_SOURCES: &[&str] =
    &["guardduty", "security-hub", "inspector", "health", "aws-status", "changes"];

/// `[watch]`: the alert router.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchConfig {
    /// Time between two polling passes of `guardline watch` (`interval`, default 5 minutes).
    pub interval: Duration,
    /// The outbox database (`state-db`); default: `guardline-watch.db` beside the history database.
    pub state_db: Option<PathBuf>,
    /// A channel failing for this long raises an alert on the other channels (default 15 minutes).
    pub channel_down_alert_after: Duration,
    /// More new events than this from one source in one pass become one digest message (default 10).
    pub digest_above: usize,
    /// By name (`[watch.channels.<name>]`).
    pub channels: BTreeMap<String, WatchChannel>,
    pub sources: WatchSources,
    /// `[[watch.feeds]]`, in file order; only enabled ones.
    pub feeds: Vec<WatchFeed>,
    /// `[[watch.routes]]`, in file order.
    pub routes: Vec<WatchRoute>,
    /// The Organizations account tag whose value names an account's owner (`owner-tag`, default `owner`),
    /// for routes' `owners` and the per-owner digests.
    pub owner_tag: String,
    /// The IANA time zone of the routes' `digest-at` (`timezone`, default `UTC`).
    pub timezone: String,
}

/// Where one event goes: the channels sent to at once, and the daily digests it joins.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Routing {
    /// Channels that get the event as its own message, in name order.
    pub now: Vec<String>,
    /// (channel, local time of day) of each daily digest the event joins; never a channel of `now`.
    pub daily: Vec<(String, jiff::civil::Time)>,
}

impl WatchConfig {
    /// The channels a source's events go to, by the routes, without duplicates, in name order, for an
    /// event of no account (or of an account no route selects by).
    pub fn channels_for(&self, source: &str) -> Vec<String> {
        self.routing(source, None).now
    }

    /// Where an event of `source` about `account` (`None`: an event of no account, such as a feed item)
    /// goes: every route naming the source and selecting the account (a route with neither `accounts` nor
    /// `owners` selects every event).
    pub fn routing(&self, source: &str, account: Option<&AccountFacts<'_>>) -> Routing {
        let mut routing = Routing::default();
        for route in self.routes.iter().filter(|route| route.sources.iter().any(|name| name == source)) {
            if !route.selects(account, &self.owner_tag) {
                continue;
            }
            for channel in &route.channels {
                match route.daily_digest_at {
                    None => routing.now.push(channel.clone()),
                    Some(at) => routing.daily.push((channel.clone(), at)),
                }
            }
        }
        routing.now.sort();
        routing.now.dedup();
        routing.daily.retain(|(channel, _)| !routing.now.contains(channel));
        routing.daily.sort();
        routing.daily.dedup_by(|a, b| a.0 == b.0);
        routing
    }

    /// The owner of an account: the value of its `owner-tag` tag.
    pub fn owner_of<'a>(&self, account: &AccountFacts<'a>) -> Option<&'a str> {
        account.tags.and_then(|tags| tags.get(&self.owner_tag)).map(String::as_str)
    }

    /// The routes that select accounts (by `accounts` or `owners`) and match none of `accounts`: a
    /// configuration error once the watched accounts are known.
    pub fn routes_matching_none<'r>(&'r self, accounts: &[AccountFacts<'_>]) -> Vec<&'r WatchRoute> {
        self.routes
            .iter()
            .filter(|route| route.selects_by_account())
            .filter(|route| !accounts.iter().any(|account| route.selects(Some(account), &self.owner_tag)))
            .collect()
    }
}

/// Where a secret comes from. The value itself is never in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    /// An environment variable's name (`url-env`, `token-env`, `password-env`).
    Env(String),
    /// A file whose content (trimmed) is the secret (`url-file`, `token-file`, `password-file`).
    File(PathBuf),
}

/// One `[watch.channels.<name>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchChannel {
    pub name: String,
    pub kind: ChannelKind,
    /// The least time between two messages to this channel (`min-interval`; default 1 s for Slack and
    /// Teams, whose webhooks accept about one message a second, 0 for mail).
    pub min_interval: Duration,
    /// Line of the channel's header in the config file.
    pub line: usize,
}

/// What a channel sends to.
#[derive(Debug, Clone, PartialEq)]
pub enum ChannelKind {
    /// A Slack incoming webhook.
    SlackWebhook { url: Secret },
    /// A Slack app's bot token, posting with `chat.postMessage` to `channel`; `api_url` is Slack's Web API
    /// base (`api-url`, default `https://slack.com/api`).
    SlackBot { token: Secret, channel: String, api_url: String },
    /// A Microsoft Teams incoming webhook or Workflows URL, sent an Adaptive Card.
    Teams { url: Secret },
    /// Mail over SMTP.
    Email(EmailChannel),
}

impl ChannelKind {
    /// `slack`, `teams` or `email`.
    pub fn type_name(&self) -> &'static str {
        match self {
            ChannelKind::SlackWebhook { .. } | ChannelKind::SlackBot { .. } => "slack",
            ChannelKind::Teams { .. } => "teams",
            ChannelKind::Email(_) => "email",
        }
    }
}

/// How an `email` channel secures its SMTP connection (`tls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Upgrade with STARTTLS, and refuse to send without it (`"starttls"`, the default; port 587).
    Starttls,
    /// TLS from the first byte (`"implicit"`, SMTPS; the default on port 465).
    Implicit,
    /// Plain text (`"none"`, or the older `starttls = false`): no authentication, except to a loopback host.
    None,
}

/// An `email` channel.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailChannel {
    pub smtp_host: String,
    /// Default 587 (465 with implicit TLS).
    pub smtp_port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from: String,
    /// At least one recipient.
    pub to: Vec<String>,
}

/// `[watch.sources.*]`: each is `None` when absent or `enabled = false`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WatchSources {
    pub guardduty: Option<GuardDutySource>,
    pub security_hub: Option<SecurityHubSource>,
    pub inspector: Option<InspectorSource>,
    pub health: Option<HealthSource>,
    pub aws_status: Option<AwsStatusSource>,
    pub changes: Option<ChangesSource>,
}

impl WatchSources {
    /// The names of the enabled built-in sources.
    pub fn enabled(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.guardduty.is_some() {
            names.push("guardduty");
        }
        if self.security_hub.is_some() {
            names.push("security-hub");
        }
        if self.inspector.is_some() {
            names.push("inspector");
        }
        if self.health.is_some() {
            names.push("health");
        }
        if self.aws_status.is_some() {
            names.push("aws-status");
        }
        if self.changes.is_some() {
            names.push("changes");
        }
        names
    }
}

/// `[watch.sources.guardduty]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GuardDutySource {
    /// Findings at or above this severity go out; `None`: the account profile's
    /// `guardduty-severity-threshold` (7.0 by default).
    pub min_severity: Option<f64>,
    /// `None`: every region enabled for the account.
    pub regions: Option<Vec<String>>,
}

/// `[watch.sources.security-hub]`: findings whose compliance newly is FAILED.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecurityHubSource {
    /// Only findings at or above this label (`min-severity`); `None`: every failing finding.
    pub min_severity: Option<SeverityLabel>,
    pub regions: Option<Vec<String>>,
}

/// An Inspector or Security Hub severity label, in increasing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SeverityLabel {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl SeverityLabel {
    /// Parses `LOW`, `high`, ... (any case); `UNTRIAGED` is not a level.
    pub fn parse(text: &str) -> Option<SeverityLabel> {
        Some(match text.to_ascii_uppercase().as_str() {
            "INFORMATIONAL" => SeverityLabel::Informational,
            "LOW" => SeverityLabel::Low,
            "MEDIUM" => SeverityLabel::Medium,
            "HIGH" => SeverityLabel::High,
            "CRITICAL" => SeverityLabel::Critical,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SeverityLabel::Informational => "INFORMATIONAL",
            SeverityLabel::Low => "LOW",
            SeverityLabel::Medium => "MEDIUM",
            SeverityLabel::High => "HIGH",
            SeverityLabel::Critical => "CRITICAL",
        }
    }
}

/// `[watch.sources.inspector]`.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectorSource {
    /// Findings at or above this label go out (default CRITICAL, as the guideline asks).
    pub min_severity: SeverityLabel,
    pub regions: Option<Vec<String>>,
}

/// `[watch.sources.health]`: AWS Health events (the Health API is global, served from us-east-1).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HealthSource {}

/// The default name of the drift watcher's queue (one per region).
pub const DEFAULT_CHANGES_QUEUE: &str = "guardline-changes";

/// `[watch.sources.changes]`: the drift watcher. CloudTrail management events that can change a control's
/// verdict, delivered by an EventBridge rule to an SQS queue in each watched region; each is re-checked by
/// re-reading only what it changed.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangesSource {
    /// The queue's name in every watched region (`queue`, default [`DEFAULT_CHANGES_QUEUE`]).
    pub queue: String,
    /// `None`: every region the account's scan covers.
    pub regions: Option<Vec<String>>,
    /// How long one receive waits for a message (SQS long polling, 1–20 s; default 20).
    pub wait_seconds: i32,
}

/// `[watch.sources.aws-status]`: the public AWS service status RSS.
#[derive(Debug, Clone, PartialEq)]
pub struct AwsStatusSource {
    pub url: String,
    /// Only items whose title or text contains one of these (any case); empty: every item.
    pub keywords: Vec<String>,
}

/// One `[[watch.feeds]]`: an RSS or Atom feed of vulnerabilities (JVN, NVD, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct WatchFeed {
    /// The feed's name, as routes name it.
    pub name: String,
    pub url: String,
    /// Only items whose title or summary contains one of these (any case); empty: every item.
    pub keywords: Vec<String>,
}

/// One `[[watch.routes]]`: the events of `sources` (about the accounts it selects) go to every one of
/// `channels`, at once or in a daily digest per owner.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchRoute {
    pub sources: Vec<String>,
    pub channels: Vec<String>,
    /// Only events of accounts matching one of these selectors (`accounts`, as `[org] include`).
    pub accounts: Vec<AccountSelector>,
    /// Only events of accounts whose owner tag is one of these, compared case-insensitively (`owners`).
    pub owners: Vec<String>,
    /// `digest = "daily"`: the route's events are sent once a day, one message per owner, at this local
    /// time (`digest-at`, default 09:00, in `[watch] timezone`).
    pub daily_digest_at: Option<jiff::civil::Time>,
    /// Line of the route's `[[watch.routes]]` header in the config file.
    pub line: usize,
}

impl WatchRoute {
    /// Whether the route chooses accounts (`accounts` or `owners`); one that does not takes every event.
    pub fn selects_by_account(&self) -> bool {
        !self.accounts.is_empty() || !self.owners.is_empty()
    }

    /// Whether the route takes an event about `account` (`None`: an event of no account, which only
    /// routes choosing no accounts take). `accounts` and `owners` must both match where both are given.
    pub fn selects(&self, account: Option<&AccountFacts<'_>>, owner_tag: &str) -> bool {
        if !self.selects_by_account() {
            return true;
        }
        let Some(account) = account else { return false };
        let by_account =
            self.accounts.is_empty() || self.accounts.iter().any(|selector| selector.matches(account));
        let owner = account.tags.and_then(|tags| tags.get(owner_tag));
        let by_owner = self.owners.is_empty()
            || owner.is_some_and(|owner| self.owners.iter().any(|wanted| wanted.eq_ignore_ascii_case(owner)));
        by_account && by_owner
    }

    /// `accounts = [...], owners = [...]` as written, for messages.
    pub fn selection_text(&self) -> String {
        let mut parts = Vec::new();
        if !self.accounts.is_empty() {
            let selectors: Vec<String> = self.accounts.iter().map(|s| format!("\"{s}\"")).collect();
            parts.push(format!("accounts = [{}]", selectors.join(", ")));
        }
        if !self.owners.is_empty() {
            let owners: Vec<String> = self.owners.iter().map(|owner| format!("\"{owner}\"")).collect();
            parts.push(format!("owners = [{}]", owners.join(", ")));
        }
        parts.join(", ")
    }
}

/// Parses a duration written as `30s`, `5m`, `1h`, `1h30m`, `2d` (`ms` too).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let number: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, tail) = rest.split_at(unit);
        let part = match unit {
            "ms" => Duration::from_millis(number),
            "s" => Duration::from_secs(number),
            "m" => Duration::from_secs(number.checked_mul(60)?),
            "h" => Duration::from_secs(number.checked_mul(3600)?),
            "d" => Duration::from_secs(number.checked_mul(86_400)?),
            _ => return None,
        };
        total = total.checked_add(part)?;
        rest = tail;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5m"), Some(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("0s"), Some(Duration::ZERO));
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("5 minutes"), None);
    }
}
