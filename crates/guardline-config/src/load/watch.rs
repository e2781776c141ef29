//! Pass 2 (and the references) of the `[watch]` section: channels, sources, feeds and routes, each item
//! deserialized on its own so that one bad item does not hide the problems of the others.
//!
//! A channel's secret is never accepted as text: `url`, `token` and `password` are rejected with advice to
//! use `*-env` or `*-file`. Routes must name defined channels and enabled sources, and every enabled source
//! must be routed somewhere (an unrouted source would poll and silently drop its alerts).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

use toml::Spanned;
use toml::de::{DeString, DeValue};

use super::Checker;
use crate::org::AccountSelector;
use crate::raw::{RawWatchChannel, RawWatchFeed, RawWatchRoute, RawWatchSource, WATCH_KEYS};
use crate::watch::{
    AWS_STATUS_URL, AwsStatusSource, BUILTIN_SOURCES, ChangesSource, ChannelKind, DEFAULT_CHANGES_QUEUE,
    DEFAULT_OWNER_TAG, EmailChannel, GuardDutySource, HealthSource, InspectorSource, Secret,
    SecurityHubSource, SeverityLabel, SmtpTls, WatchChannel, WatchConfig, WatchFeed, WatchRoute,
    WatchSources, parse_duration,
};

/// A route as written, with spans for pass 3.
struct RouteDoc {
    sources: Vec<Spanned<String>>,
    channels: Vec<Spanned<String>>,
    /// The route with its selection and digest read; `sources` and `channels` filled after pass 3.
    route: WatchRoute,
}

impl Checker<'_> {
    /// `[watch]`, validated; `None` when it has problems (already reported).
    pub(super) fn watch(&mut self, value: Spanned<DeValue<'_>>) -> Option<WatchConfig> {
        let before = self.errors.len();
        let help = Some("write the alert router's settings as a `[watch]` table");
        let table = self.table(value, "a table of watch settings", help)?;
        let mut config = WatchConfig {
            interval: Duration::from_secs(300),
            state_db: None,
            channel_down_alert_after: Duration::from_secs(900),
            digest_above: 10,
            channels: BTreeMap::new(),
            sources: WatchSources::default(),
            feeds: Vec::new(),
            routes: Vec::new(),
            owner_tag: DEFAULT_OWNER_TAG.to_owned(),
            timezone: "UTC".to_owned(),
        };
        let mut routes = Vec::new();
        // Where each source is defined, for the "not routed" and "defined twice" messages.
        let mut spans: Vec<(String, Range<usize>)> = Vec::new();
        // Every channel written, valid or not, so that routes do not echo a channel's own error.
        let mut declared: Vec<String> = Vec::new();
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "interval" => {
                    if let Some(interval) = self.duration("interval", value) {
                        if interval.is_zero() {
                            self.error(key.span(), "`interval` must be longer than 0s");
                        }
                        config.interval = interval;
                    }
                }
                "channel-down-alert-after" => {
                    if let Some(after) = self.duration("channel-down-alert-after", value) {
                        config.channel_down_alert_after = after;
                    }
                }
                "state-db" => {
                    if let Some(path) = self.de::<String>(value) {
                        config.state_db = Some(PathBuf::from(path));
                    }
                }
                "owner-tag" => {
                    if let Some(tag) = self.de::<Spanned<String>>(value) {
                        if tag.get_ref().trim().is_empty() {
                            self.error(tag.span(), "`owner-tag` must name an account tag");
                        }
                        config.owner_tag = tag.into_inner();
                    }
                }
                "timezone" => {
                    if let Some(zone) = self.de::<Spanned<String>>(value) {
                        if jiff::tz::TimeZone::get(zone.get_ref()).is_err() {
                            self.error_help(
                                zone.span(),
                                format!("unknown time zone `{}`", zone.get_ref()),
                                "use an IANA time zone name such as \"UTC\" or \"Asia/Tokyo\"",
                            );
                        }
                        config.timezone = zone.into_inner();
                    }
                }
                "digest-above" => {
                    if let Some(above) = self.de::<Spanned<usize>>(value) {
                        config.digest_above = self.in_range("digest-above", above, 1, usize::MAX);
                    }
                }
                "channels" => {
                    let help = Some("define each channel as a table, e.g. `[watch.channels.slack]`");
                    if let Some(table) = self.table(value, "a table of channels", help) {
                        for (name, value) in table {
                            declared.push(name.get_ref().to_string());
                            if let Some(channel) = self.watch_channel(name, value) {
                                config.channels.insert(channel.name.clone(), channel);
                            }
                        }
                    }
                }
                "sources" => {
                    let help = Some("define each source as a table, e.g. `[watch.sources.guardduty]`");
                    if let Some(table) = self.table(value, "a table of sources", help) {
                        for (name, value) in table {
                            spans.push((name.get_ref().to_string(), name.span()));
                            self.watch_source(&mut config.sources, name, value);
                        }
                    }
                }
                "feeds" => {
                    for item in self.array_of_tables("watch.feeds", value) {
                        if let Some((feed, span)) = self.watch_feed(item) {
                            spans.push((feed.name.clone(), span));
                            config.feeds.push(feed);
                        }
                    }
                }
                "routes" => {
                    for item in self.array_of_tables("watch.routes", value) {
                        if let Some(route) = self.watch_route(item) {
                            routes.push(route);
                        }
                    }
                }
                other => self.unknown_key(key.span(), other, WATCH_KEYS),
            }
        }
        self.watch_references(&config, &routes, &spans, &declared);
        config.routes = routes
            .into_iter()
            .map(|doc| WatchRoute {
                sources: doc.sources.into_iter().map(Spanned::into_inner).collect(),
                channels: doc.channels.into_iter().map(Spanned::into_inner).collect(),
                ..doc.route
            })
            .collect();
        (self.errors.len() == before).then_some(config)
    }

    fn duration(&mut self, key: &str, value: Spanned<DeValue<'_>>) -> Option<Duration> {
        let text = self.de::<Spanned<String>>(value)?;
        let duration = parse_duration(text.get_ref());
        if duration.is_none() {
            self.error_help(
                text.span(),
                format!("`{key}`: \"{}\" is not a duration", text.get_ref()),
                "write durations like \"30s\", \"5m\", \"1h\" or \"1h30m\"",
            );
        }
        duration
    }

    fn watch_channel(
        &mut self,
        name: Spanned<DeString<'_>>,
        value: Spanned<DeValue<'_>>,
    ) -> Option<WatchChannel> {
        let header = name.span();
        let name = name.get_ref().to_string();
        let line = self.locator.line(header.start);
        let raw = self.de_table::<RawWatchChannel>(value)?.value;
        let before = self.errors.len();
        for (key, literal, env) in [
            ("url", &raw.url, "url-env"),
            ("token", &raw.token, "token-env"),
            ("password", &raw.password, "password-env"),
        ] {
            if let Some(literal) = literal {
                self.error_help(
                    literal.span(),
                    format!("channel `{name}`: `{key}` would put a secret in the config file"),
                    format!("name an environment variable with `{env}`, or a file with `{key}-file`"),
                );
            }
        }
        let literal = self.errors.len() > before;
        let Some(kind) = raw.kind.as_ref() else {
            self.error_help(
                header,
                format!("channel `{name}` needs `type`"),
                "`type = \"slack\"`, `\"teams\"` or `\"email\"`",
            );
            return None;
        };
        let url = self.secret(&name, "url", &raw.url_env, &raw.url_file);
        let token = self.secret(&name, "token", &raw.token_env, &raw.token_file);
        let password = self.secret(&name, "password", &raw.password_env, &raw.password_file);
        let email_keys: [(&str, Option<Range<usize>>); 8] = [
            ("smtp-host", raw.smtp_host.as_ref().map(Spanned::span)),
            ("smtp-port", raw.smtp_port.as_ref().map(Spanned::span)),
            ("tls", raw.tls.as_ref().map(Spanned::span)),
            ("starttls", raw.starttls.as_ref().map(Spanned::span)),
            ("username", raw.username.as_ref().map(Spanned::span)),
            (
                "password-env/password-file",
                raw.password_env.as_ref().or(raw.password_file.as_ref()).map(Spanned::span),
            ),
            ("from", raw.from.as_ref().map(Spanned::span)),
            ("to", raw.to.as_ref().map(Spanned::span)),
        ];
        let slack_keys: [(&str, Option<Range<usize>>); 3] = [
            ("token-env/token-file", raw.token_env.as_ref().or(raw.token_file.as_ref()).map(Spanned::span)),
            ("channel", raw.channel.as_ref().map(Spanned::span)),
            ("api-url", raw.api_url.as_ref().map(Spanned::span)),
        ];
        let url_key = raw.url_env.as_ref().or(raw.url_file.as_ref()).map(Spanned::span);
        let type_name = kind.get_ref().as_str();
        let (not_for, min_interval) = match type_name {
            "slack" | "teams" => (email_keys.to_vec(), Duration::from_secs(1)),
            "email" => {
                let mut keys = slack_keys.to_vec();
                keys.push(("url-env/url-file", url_key.clone()));
                (keys, Duration::ZERO)
            }
            other => {
                self.error_help(
                    kind.span(),
                    format!("channel `{name}`: unknown type \"{other}\""),
                    "`type = \"slack\"`, `\"teams\"` or `\"email\"`",
                );
                return None;
            }
        };
        let mut not_for = not_for;
        if type_name == "teams" {
            not_for.extend(slack_keys);
        }
        for (key, span) in not_for {
            if let Some(span) = span {
                self.error(
                    span,
                    format!("channel `{name}`: `{key}` does not apply to a {type_name} channel"),
                );
            }
        }
        if literal {
            // The secret's key is there, only written the wrong way: no "needs a webhook URL" echo.
            return None;
        }
        let kind = match type_name {
            "slack" => match (url, token) {
                (Some(url), None) => Some(ChannelKind::SlackWebhook { url }),
                (None, Some(token)) => match &raw.channel {
                    Some(_) if raw.api_url.as_ref().is_some_and(|url| !self.check_api_url(&name, url)) => {
                        None
                    }
                    Some(channel) => Some(ChannelKind::SlackBot {
                        token,
                        channel: channel.get_ref().clone(),
                        api_url: raw
                            .api_url
                            .as_ref()
                            .map_or_else(|| "https://slack.com/api".to_owned(), |url| url.get_ref().clone()),
                    }),
                    None => {
                        self.error_help(
                            header,
                            format!("channel `{name}`: a bot token needs `channel`"),
                            "name the Slack channel to post to, e.g. `channel = \"#alerts\"` or its ID",
                        );
                        None
                    }
                },
                (Some(_), Some(_)) => {
                    self.error(header, format!("channel `{name}` sets both a webhook URL and a bot token"));
                    None
                }
                (None, None) => {
                    self.error_help(
                        header,
                        format!("channel `{name}` needs a webhook URL or a bot token"),
                        "`url-env = \"SLACK_WEBHOOK\"` (or `url-file`), or `token-env` and `channel`",
                    );
                    None
                }
            },
            "teams" => match url {
                Some(url) => Some(ChannelKind::Teams { url }),
                None => {
                    self.error_help(
                        header,
                        format!("channel `{name}` needs the webhook URL"),
                        "`url-env = \"TEAMS_WEBHOOK\"`, or `url-file`",
                    );
                    None
                }
            },
            _ => self.email_channel(&name, header.clone(), &raw, password),
        };
        let min_interval = match &raw.min_interval {
            Some(text) => {
                let parsed = parse_duration(text.get_ref());
                if parsed.is_none() {
                    self.error_help(
                        text.span(),
                        format!("`min-interval`: \"{}\" is not a duration", text.get_ref()),
                        "write durations like \"1s\" or \"500ms\"",
                    );
                }
                parsed?
            }
            None => min_interval,
        };
        let kind = kind?;
        (self.errors.len() == before).then_some(WatchChannel { name, kind, min_interval, line })
    }

    fn email_channel(
        &mut self,
        name: &str,
        header: Range<usize>,
        raw: &RawWatchChannel,
        password: Option<Secret>,
    ) -> Option<ChannelKind> {
        let mut missing = Vec::new();
        if raw.smtp_host.is_none() {
            missing.push("`smtp-host`");
        }
        if raw.from.is_none() {
            missing.push("`from`");
        }
        if raw.to.is_none() {
            missing.push("`to`");
        }
        if !missing.is_empty() {
            self.error(header, format!("email channel `{name}` needs {}", missing.join(", ")));
            return None;
        }
        let from = raw.from.as_ref()?;
        let to = raw.to.as_ref()?;
        let mut valid = self.check_email(from);
        if to.get_ref().is_empty() {
            self.error(to.span(), format!("email channel `{name}`: `to` must list at least one address"));
            valid = false;
        }
        for address in to.get_ref() {
            valid &= self.check_email(address);
        }
        if password.is_some() && raw.username.is_none() {
            self.error(header, format!("email channel `{name}`: a password needs `username`"));
            valid = false;
        }
        let host = raw.smtp_host.as_ref()?.get_ref().clone();
        if host.trim().is_empty() {
            self.error(
                raw.smtp_host.as_ref()?.span(),
                format!("email channel `{name}`: `smtp-host` is empty"),
            );
            valid = false;
        }
        let port = raw.smtp_port.as_ref().map(|port| *port.get_ref());
        let tls = match (&raw.tls, &raw.starttls) {
            (Some(tls), Some(_)) => {
                self.error(
                    tls.span(),
                    format!("email channel `{name}` sets both `tls` and `starttls`: keep `tls`"),
                );
                valid = false;
                SmtpTls::Starttls
            }
            (Some(tls), None) => match tls.get_ref().as_str() {
                "starttls" => SmtpTls::Starttls,
                "implicit" => SmtpTls::Implicit,
                "none" => SmtpTls::None,
                other => {
                    self.error_help(
                        tls.span(),
                        format!("email channel `{name}`: unknown `tls` \"{other}\""),
                        "`tls = \"starttls\"` (default), `\"implicit\"` (SMTPS, port 465) or `\"none\"`",
                    );
                    valid = false;
                    SmtpTls::Starttls
                }
            },
            (None, Some(starttls)) if !*starttls.get_ref() => SmtpTls::None,
            // Port 465 is implicit TLS (RFC 8314): STARTTLS there would never start.
            _ if port == Some(465) => SmtpTls::Implicit,
            _ => SmtpTls::Starttls,
        };
        if tls == SmtpTls::None && raw.username.is_some() && !is_loopback_host(&host) {
            self.error_help(
                raw.username.as_ref()?.span(),
                format!("email channel `{name}`: authentication without TLS would send the password in clear text"),
                "use `tls = \"starttls\"` or `\"implicit\"`; plain text with a password is only for a relay on a \
                 loopback address",
            );
            valid = false;
        }
        valid.then(|| {
            ChannelKind::Email(EmailChannel {
                smtp_host: host,
                smtp_port: port.unwrap_or(if tls == SmtpTls::Implicit { 465 } else { 587 }),
                tls,
                username: raw.username.as_ref().map(|user| user.get_ref().clone()),
                password,
                from: from.get_ref().clone(),
                to: to.get_ref().iter().map(|address| address.get_ref().clone()).collect(),
            })
        })
    }

    /// The secret named by `<key>-env` or `<key>-file`; both at once is an error.
    fn secret(
        &mut self,
        channel: &str,
        key: &str,
        env: &Option<Spanned<String>>,
        file: &Option<Spanned<String>>,
    ) -> Option<Secret> {
        match (env, file) {
            (Some(env), Some(_)) => {
                self.error(env.span(), format!("channel `{channel}` sets both `{key}-env` and `{key}-file`"));
                None
            }
            (Some(env), None) => {
                let name = env.get_ref();
                let valid = !name.is_empty()
                    && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    && !name.as_bytes()[0].is_ascii_digit();
                if !valid {
                    self.error_help(
                        env.span(),
                        format!("channel `{channel}`: `{key}-env` must name an environment variable"),
                        "e.g. `url-env = \"SLACK_WEBHOOK\"`; the value itself goes in the environment",
                    );
                    return None;
                }
                Some(Secret::Env(name.clone()))
            }
            (None, Some(file)) => Some(Secret::File(PathBuf::from(file.get_ref()))),
            (None, None) => None,
        }
    }

    fn watch_source(
        &mut self,
        sources: &mut WatchSources,
        name: Spanned<DeString<'_>>,
        value: Spanned<DeValue<'_>>,
    ) {
        let span = name.span();
        let name = name.get_ref().to_string();
        if !BUILTIN_SOURCES.contains(&name.as_str()) {
            self.unknown_key(span, &name, BUILTIN_SOURCES);
            return;
        }
        let Some(raw) = self.de_table::<RawWatchSource>(value).map(|raw| raw.value) else { return };
        let before = self.errors.len();
        let allowed: &[&str] = match name.as_str() {
            "guardduty" => &["min-severity", "regions"],
            "security-hub" => &["min-severity", "regions"],
            "inspector" => &["min-severity", "regions"],
            "health" => &[],
            "changes" => &["queue", "regions", "wait-seconds"],
            _ => &["url", "keywords"],
        };
        let present = [
            ("min-severity", raw.min_severity.as_ref().map(Spanned::span)),
            ("regions", raw.regions.as_ref().map(Spanned::span)),
            ("url", raw.url.as_ref().map(Spanned::span)),
            ("keywords", raw.keywords.as_ref().and_then(|words| words.first()).map(Spanned::span)),
            ("queue", raw.queue.as_ref().map(Spanned::span)),
            ("wait-seconds", raw.wait_seconds.as_ref().map(Spanned::span)),
        ];
        for (key, at) in present {
            if let Some(at) = at
                && !allowed.contains(&key)
            {
                self.error(at, format!("`{key}` does not apply to the {name} source"));
            }
        }
        let regions = raw.regions.as_ref().map(|regions| {
            if regions.get_ref().is_empty() {
                self.error_help(
                    regions.span(),
                    "`regions` must list at least one region",
                    "leave `regions` out to watch every region enabled for the account",
                );
            }
            for region in regions.get_ref() {
                self.check_region(region, false);
            }
            regions.get_ref().iter().map(|region| region.get_ref().clone()).collect::<Vec<_>>()
        });
        let keywords = keywords(raw.keywords.as_ref());
        let enabled = raw.enabled.unwrap_or(true);
        match name.as_str() {
            "guardduty" => {
                let min_severity = raw.min_severity.as_ref().and_then(|value| {
                    let number = value.get_ref().as_float().or_else(|| {
                        value.get_ref().as_integer().map(|number| number as f64)
                    });
                    match number {
                        Some(number) if (0.0..=10.0).contains(&number) => Some(number),
                        _ => {
                            self.error_help(
                                value.span(),
                                "GuardDuty `min-severity` must be a number between 0.0 and 10.0",
                                "7.0 is High; leave it out to use the profile's `guardduty-severity-threshold`",
                            );
                            None
                        }
                    }
                });
                if enabled && self.errors.len() == before {
                    sources.guardduty = Some(GuardDutySource { min_severity, regions });
                }
            }
            "security-hub" => {
                let min_severity =
                    raw.min_severity.as_ref().and_then(|value| self.label(value, "Security Hub"));
                if enabled && self.errors.len() == before {
                    sources.security_hub = Some(SecurityHubSource { min_severity, regions });
                }
            }
            "inspector" => {
                let min_severity = match raw.min_severity.as_ref() {
                    None => Some(SeverityLabel::Critical),
                    Some(value) => self.label(value, "Inspector"),
                };
                if let Some(min_severity) = min_severity
                    && enabled
                    && self.errors.len() == before
                {
                    sources.inspector = Some(InspectorSource { min_severity, regions });
                }
            }
            "health" => {
                if enabled && self.errors.len() == before {
                    sources.health = Some(HealthSource {});
                }
            }
            "changes" => {
                let queue = raw.queue.as_ref().map_or_else(
                    || DEFAULT_CHANGES_QUEUE.to_owned(),
                    |queue| {
                        let name = queue.get_ref();
                        let valid = !name.is_empty()
                            && name.len() <= 80
                            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                        if !valid {
                            self.error_help(
                                queue.span(),
                                format!("`queue` \"{name}\" is not an SQS queue name"),
                                "1 to 80 letters, digits, hyphens and underscores (a standard queue, not .fifo)",
                            );
                        }
                        name.clone()
                    },
                );
                let wait_seconds = raw.wait_seconds.as_ref().map_or(20, |wait| {
                    let seconds = *wait.get_ref();
                    if !(1..=20).contains(&seconds) {
                        self.error_help(
                            wait.span(),
                            format!("`wait-seconds` = {seconds} is outside SQS's long polling range"),
                            "1 to 20 seconds (ReceiveMessage's WaitTimeSeconds); leave it out for 20",
                        );
                    }
                    seconds.clamp(1, 20) as i32
                });
                if enabled && self.errors.len() == before {
                    sources.changes = Some(ChangesSource { queue, regions, wait_seconds });
                }
            }
            _ => {
                let url =
                    raw.url.as_ref().map_or_else(|| AWS_STATUS_URL.to_owned(), |url| url.get_ref().clone());
                if let Some(at) = raw.url.as_ref() {
                    self.check_url(at);
                }
                if enabled && self.errors.len() == before {
                    sources.aws_status = Some(AwsStatusSource { url, keywords });
                }
            }
        }
    }

    /// A severity label (`"HIGH"`), or an error naming the source.
    fn label(&mut self, value: &Spanned<toml::Value>, source: &str) -> Option<SeverityLabel> {
        let label = value.get_ref().as_str().and_then(SeverityLabel::parse);
        if label.is_none() {
            self.error_help(
                value.span(),
                format!("{source} `min-severity` must be a severity label"),
                "\"INFORMATIONAL\", \"LOW\", \"MEDIUM\", \"HIGH\" or \"CRITICAL\"",
            );
        }
        label
    }

    /// Slack's Web API base (`api-url`): https, or http to a loopback host (a local test server); no query
    /// or fragment, since `/chat.postMessage` is appended to it.
    fn check_api_url(&mut self, channel: &str, url: &Spanned<String>) -> bool {
        let text = url.get_ref();
        let (scheme, rest) = text.split_once("://").unwrap_or(("", text));
        let authority = rest.split('/').next().unwrap_or_default();
        let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        let host = match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => host.split(':').next().unwrap_or_default(),
        };
        let problem = if authority.contains('@') {
            Some("must not carry credentials")
        } else if text.contains(['?', '#']) {
            Some("must not have a query or fragment")
        } else if host.is_empty() {
            Some("has no host")
        } else if scheme == "https" || (scheme == "http" && is_loopback_host(host)) {
            None
        } else {
            Some("must be https (http only to a loopback address)")
        };
        if let Some(problem) = problem {
            self.error_help(
                url.span(),
                format!("channel `{channel}`: `api-url` \"{text}\" {problem}"),
                "leave `api-url` out for Slack's own `https://slack.com/api`",
            );
        }
        problem.is_none()
    }

    fn check_url(&mut self, url: &Spanned<String>) -> bool {
        let text = url.get_ref();
        let valid = text.starts_with("https://") || text.starts_with("http://");
        if !valid {
            self.error(url.span(), format!("\"{text}\" is not an http(s) URL"));
        }
        valid
    }

    fn watch_feed(&mut self, item: Spanned<DeValue<'_>>) -> Option<(WatchFeed, Range<usize>)> {
        let span = item.span();
        let raw = self.de_table::<RawWatchFeed>(item)?.value;
        let (Some(name), Some(url)) = (raw.name.as_ref(), raw.url.as_ref()) else {
            self.error_help(
                span,
                "a `[[watch.feeds]]` entry needs `name` and `url`",
                "e.g. `name = \"jvn\"`",
            );
            return None;
        };
        if BUILTIN_SOURCES.contains(&name.get_ref().as_str()) || name.get_ref().is_empty() {
            self.error(
                name.span(),
                format!("feed name \"{}\" is taken by a built-in source", name.get_ref()),
            );
            return None;
        }
        if !self.check_url(url) || !raw.enabled.unwrap_or(true) {
            return None;
        }
        let feed = WatchFeed {
            name: name.get_ref().clone(),
            url: url.get_ref().clone(),
            keywords: keywords(raw.keywords.as_ref()),
        };
        Some((feed, name.span()))
    }

    fn watch_route(&mut self, item: Spanned<DeValue<'_>>) -> Option<RouteDoc> {
        let span = item.span();
        let raw = self.de_table::<RawWatchRoute>(item)?.value;
        let (Some(sources), Some(channels)) = (raw.sources, raw.channels) else {
            self.error_help(
                span,
                "a `[[watch.routes]]` entry needs `sources` and `channels`",
                "e.g. `sources = [\"guardduty\"]` and `channels = [\"slack\", \"mail\"]`",
            );
            return None;
        };
        for (key, list) in [("sources", Some(&sources)), ("channels", Some(&channels))]
            .into_iter()
            .chain([("accounts", raw.accounts.as_ref()), ("owners", raw.owners.as_ref())])
        {
            if let Some(list) = list
                && list.get_ref().is_empty()
            {
                self.error(list.span(), format!("a route's `{key}` must not be empty"));
            }
        }
        let mut accounts = Vec::new();
        for text in raw.accounts.map(Spanned::into_inner).unwrap_or_default() {
            match AccountSelector::parse(text.get_ref()) {
                Ok(selector) => accounts.push(selector),
                Err(message) => self.error(text.span(), message),
            }
        }
        let owners: Vec<String> = raw
            .owners
            .map(Spanned::into_inner)
            .unwrap_or_default()
            .into_iter()
            .map(Spanned::into_inner)
            .collect();
        let daily_digest_at = match (&raw.digest, &raw.digest_at) {
            (None, None) => None,
            (None, Some(at)) => {
                self.error_help(
                    at.span(),
                    "`digest-at` applies to a daily digest only",
                    "add `digest = \"daily\"` to the route, or remove `digest-at`",
                );
                None
            }
            (Some(digest), at) => {
                if digest.get_ref() != "daily" {
                    self.error_help(
                        digest.span(),
                        format!("unknown digest `{}`", digest.get_ref()),
                        "the one digest is `digest = \"daily\"` (one message a day per owner)",
                    );
                }
                match at {
                    None => Some(jiff::civil::Time::constant(9, 0, 0, 0)),
                    Some(at) => match parse_time_of_day(at.get_ref()) {
                        Some(time) => Some(time),
                        None => {
                            self.error_help(
                                at.span(),
                                format!("`{}` is not a time of day", at.get_ref()),
                                "write it as HH:MM, e.g. \"09:00\"",
                            );
                            None
                        }
                    },
                }
            }
        };
        let route = WatchRoute {
            sources: Vec::new(),
            channels: Vec::new(),
            accounts,
            owners,
            daily_digest_at,
            line: self.locator.line(span.start),
        };
        Some(RouteDoc { sources: sources.into_inner(), channels: channels.into_inner(), route })
    }

    /// Routes name defined channels and configured sources; every enabled source is routed.
    fn watch_references(
        &mut self,
        config: &WatchConfig,
        routes: &[RouteDoc],
        spans: &[(String, Range<usize>)],
        declared: &[String],
    ) {
        let span_of = |name: &str| {
            spans.iter().rev().find(|(defined, _)| defined == name).map_or(0..0, |(_, span)| span.clone())
        };
        // Routes may name any source written (a disabled one too, so that `enabled = false` is enough to
        // turn it off); every enabled one must be routed.
        let mut sources: Vec<&str> = config.sources.enabled();
        sources.extend(config.feeds.iter().map(|feed| feed.name.as_str()));
        let mut routable: Vec<&str> = spans.iter().map(|(name, _)| name.as_str()).collect();
        routable.extend(sources.iter().copied());
        routable.sort_unstable();
        routable.dedup();
        let mut seen_feeds = BTreeSet::new();
        for feed in &config.feeds {
            if !seen_feeds.insert(feed.name.as_str()) {
                self.error(span_of(&feed.name), format!("feed `{}` is defined twice", feed.name));
            }
        }
        let channels: Vec<&str> = declared.iter().map(String::as_str).collect();
        let mut routed = BTreeSet::new();
        for route in routes {
            for source in &route.sources {
                let name = source.get_ref().as_str();
                routed.insert(name);
                if !routable.contains(&name) {
                    let help = if BUILTIN_SOURCES.contains(&name) {
                        format!("enable it with a `[watch.sources.{name}]` table")
                    } else {
                        format!("known sources: {}", list(&routable))
                    };
                    self.error_help(source.span(), format!("route names unknown source `{name}`"), help);
                }
            }
            for channel in &route.channels {
                let name = channel.get_ref().as_str();
                if !channels.contains(&name) {
                    let help = format!("defined channels: {}", list(&channels));
                    self.error_help(channel.span(), format!("route names unknown channel `{name}`"), help);
                }
            }
        }
        for source in sources {
            if !routed.contains(source) {
                self.error_help(
                    span_of(source),
                    format!("watch source `{source}` is enabled but no route sends it to a channel"),
                    "add a `[[watch.routes]]` entry naming it, or disable it with `enabled = false`",
                );
            }
        }
    }
}

/// `HH:MM`, 00:00 to 23:59.
fn parse_time_of_day(text: &str) -> Option<jiff::civil::Time> {
    let (hour, minute) = text.trim().split_once(':')?;
    if hour.len() != 2 || minute.len() != 2 {
        return None;
    }
    let (hour, minute): (i8, i8) = (hour.parse().ok()?, minute.parse().ok()?);
    jiff::civil::Time::new(hour, minute, 0, 0).ok()
}

fn keywords(words: Option<&Vec<Spanned<String>>>) -> Vec<String> {
    words.map(|words| words.iter().map(|word| word.get_ref().clone()).collect()).unwrap_or_default()
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        return "none".to_owned();
    }
    names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}

/// A host name or address that stays on this machine: `localhost`, 127.0.0.0/8, `::1`.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|address| address.is_loopback())
}
