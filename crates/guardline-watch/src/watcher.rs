//! The watcher's passes: poll every source and persist what is new ([`Watcher::poll_pass`]), send what is
//! due on every channel ([`Watcher::deliver_pass`]), announce channels down for too long, and the loops of
//! `--once` ([`Watcher::run_once`]) and of the long-running mode ([`Watcher::run`]).
//!
//! Order of one event's life: received → persisted (event, deliveries, `seen`, one transaction) → sent →
//! marked delivered. A crash anywhere before "marked delivered" leaves the delivery pending, and the next
//! run sends it; a crash after it sends nothing again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use guardline_config::watch::WatchConfig;
use tokio::sync::Notify;

use crate::channels::{Channel, SendError};
use crate::event::{Event, EventKind, Lang};
use crate::outbox::{Candidate, Outbox, OutboxError, millis, now_ms};
use crate::sources::{Account, Source};

/// How long delivered events stay in the outbox.
const KEEP_DELIVERED: Duration = Duration::from_secs(30 * 86_400);

/// How the watcher behaves beyond the config.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub lang: Lang,
    /// The first retry's delay; doubled per failed attempt (default 5 s).
    pub retry_base: Duration,
    /// The longest delay between two attempts (default 15 minutes).
    pub retry_max: Duration,
    /// A 429's `Retry-After` up to this long is waited for within the pass (default 30 s); longer ones
    /// postpone the delivery.
    pub max_inline_wait: Duration,
    /// Test hook: sleep this long after each persist that queued deliveries, before sending.
    pub pause_after_persist: Option<Duration>,
    /// How long one HTTP request or SMTP session may take (default 30 s).
    pub timeout: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            lang: Lang::En,
            retry_base: Duration::from_secs(5),
            retry_max: Duration::from_secs(900),
            max_inline_wait: Duration::from_secs(30),
            pause_after_persist: None,
            timeout: crate::channels::TIMEOUT,
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PassReport {
    /// New events persisted (a digest counts once).
    pub events: usize,
    /// Deliveries queued.
    pub queued: usize,
    pub delivered: usize,
    pub failed: usize,
    /// Sources that could not be polled, wholly or in some regions, with the reason.
    pub source_errors: Vec<(String, String)>,
}

impl PassReport {
    fn add(&mut self, other: PassReport) {
        self.events += other.events;
        self.queued += other.queued;
        self.delivered += other.delivered;
        self.failed += other.failed;
        self.source_errors.extend(other.source_errors);
    }
}

/// The alert router.
pub struct Watcher {
    config: WatchConfig,
    outbox: Mutex<Outbox>,
    channels: Vec<Channel>,
    sources: Vec<Source>,
    account: Account,
    /// The feeds' client, or why it could not be built.
    http: Result<reqwest::Client, String>,
    options: WatchOptions,
    /// When each channel last sent, for its `min-interval`.
    last_send: Mutex<HashMap<String, Instant>>,
    stop: AtomicBool,
    wake: Notify,
}

impl Watcher {
    /// A watcher over `sources`, sending to the config's channels.
    pub fn new(
        config: WatchConfig,
        outbox: Outbox,
        sources: Vec<Source>,
        account: Account,
        options: WatchOptions,
    ) -> Watcher {
        let webhooks = crate::channels::webhook_client(options.timeout);
        let channels = config
            .channels
            .values()
            .map(|channel| Channel::new(channel.clone(), webhooks.clone(), options.timeout))
            .collect();
        let http = crate::channels::feed_client(options.timeout);
        Watcher {
            config,
            outbox: Mutex::new(outbox),
            channels,
            sources,
            account,
            http,
            options,
            last_send: Mutex::new(HashMap::new()),
            stop: AtomicBool::new(false),
            wake: Notify::new(),
        }
    }

    fn outbox(&self) -> MutexGuard<'_, Outbox> {
        self.outbox.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Asks [`Watcher::run`] to stop after the send in flight.
    pub fn shutdown(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
        self.wake.notify_one();
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Polls every source and persists what is new, queued for the channels its routes name.
    pub async fn poll_pass(&self) -> Result<PassReport, OutboxError> {
        let pruned = self.outbox().prune(now_ms() - millis(KEEP_DELIVERED))?;
        if pruned > 0 {
            tracing::debug!(pruned, "pruned delivered events");
        }
        let polls = self.sources.iter().map(|source| async move {
            let http = self
                .http
                .as_ref()
                .map(|client| crate::channels::Http { client, timeout: self.options.timeout });
            (source.name().to_owned(), source.poll(&self.account, http.map_err(String::as_str)).await)
        });
        let results = futures::future::join_all(polls).await;
        let mut report = PassReport::default();
        for (source, polled) in results {
            // What the regions that answered found is kept even when others failed.
            if !polled.candidates.is_empty() {
                report.add(self.persist(&source, polled.candidates)?);
            }
            if let Some(error) = polled.error {
                tracing::warn!(source, error, "cannot poll the source");
                report.source_errors.push((source, error));
            }
        }
        if report.queued > 0
            && let Some(pause) = self.options.pause_after_persist
        {
            eprintln!("guardline watch: persisted {} deliveries; pausing before sending", report.queued);
            tokio::time::sleep(pause).await;
        }
        Ok(report)
    }

    /// Filters `candidates` against what the source already reported and persists the rest: one event
    /// each, or, when there are more than `digest-above`, one digest (except the events that stand alone,
    /// GuardDuty's attack sequences, which are their own events even in a burst).
    pub fn persist(&self, source: &str, candidates: Vec<Candidate>) -> Result<PassReport, OutboxError> {
        let mut outbox = self.outbox();
        let fresh = outbox.new_candidates(source, candidates)?;
        if fresh.is_empty() {
            return Ok(PassReport::default());
        }
        let channels = self.config.channels_for(source);
        let seen: Vec<(String, f64)> =
            fresh.iter().map(|candidate| (candidate.item.clone(), candidate.level)).collect();
        let events: Vec<Event> = if fresh.len() > self.config.digest_above {
            burst(source, fresh)
        } else {
            fresh.into_iter().map(|candidate| candidate.event).collect()
        };
        let count = events.len();
        let events: Vec<(Event, Vec<String>)> =
            events.into_iter().map(|event| (event, channels.clone())).collect();
        let queued = outbox.persist(source, &seen, &events)?;
        tracing::info!(source, events = count, queued, "persisted new events");
        Ok(PassReport { events: count, queued, ..PassReport::default() })
    }

    /// Sends every due delivery, each channel on its own (one failing channel does not hold the others up),
    /// then announces channels that have been failing longer than `channel-down-alert-after`.
    pub async fn deliver_pass(&self) -> Result<PassReport, OutboxError> {
        let mut report = self.deliver_channels().await?;
        if self.announce_outages()? > 0 && !self.stopping() {
            report.add(self.deliver_channels().await?);
        }
        Ok(report)
    }

    async fn deliver_channels(&self) -> Result<PassReport, OutboxError> {
        let sends = self.channels.iter().map(|channel| self.deliver_channel(channel));
        let mut report = PassReport::default();
        for result in futures::future::join_all(sends).await {
            report.add(result?);
        }
        Ok(report)
    }

    async fn deliver_channel(&self, channel: &Channel) -> Result<PassReport, OutboxError> {
        let name = channel.name();
        let due = self.outbox().due(name, now_ms())?;
        let mut report = PassReport::default();
        for delivery in due {
            if self.stopping() {
                break;
            }
            let mut waits = 0;
            let outcome = loop {
                self.respect_min_interval(channel).await;
                let result = channel.send(&delivery.event, self.options.lang).await;
                self.last_send
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(name.to_owned(), Instant::now());
                match result {
                    Err(SendError::RateLimited { retry_after, message }) => {
                        let wait = retry_after.unwrap_or(Duration::from_secs(1));
                        if waits < 3 && wait <= self.options.max_inline_wait && !self.stopping() {
                            tracing::info!(channel = name, wait_ms = wait.as_millis() as u64, "rate limited");
                            waits += 1;
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        break Err(SendError::RateLimited { retry_after: Some(wait), message });
                    }
                    other => break other,
                }
            };
            match outcome {
                Ok(()) => {
                    self.outbox().delivered(&delivery.event.key, name)?;
                    tracing::info!(channel = name, event = delivery.event.key, "delivered");
                    report.delivered += 1;
                }
                Err(SendError::RateLimited { retry_after, .. }) => {
                    let wait = retry_after.unwrap_or(self.options.retry_base);
                    self.outbox().postpone(&delivery.event.key, name, now_ms() + millis(wait))?;
                    report.failed += 1;
                    break;
                }
                Err(SendError::Failed { message }) => {
                    let delay =
                        Outbox::backoff(delivery.attempts, self.options.retry_base, self.options.retry_max);
                    tracing::warn!(
                        channel = name,
                        event = delivery.event.key,
                        error = message,
                        "send failed; will retry"
                    );
                    self.outbox().failed(&delivery.event.key, name, &message, now_ms() + delay)?;
                    report.failed += 1;
                    // The channel is likely down: its other deliveries wait for the retry.
                    break;
                }
            }
        }
        Ok(report)
    }

    async fn respect_min_interval(&self, channel: &Channel) {
        let last = self.last_send.lock().unwrap_or_else(|p| p.into_inner()).get(channel.name()).copied();
        if let Some(last) = last {
            let ready = last + channel.config.min_interval;
            let now = Instant::now();
            if ready > now {
                tokio::time::sleep(ready - now).await;
            }
        }
    }

    /// Queues a "channel down" alert to the other channels for each channel failing longer than the
    /// threshold, once per outage. Returns how many were queued.
    pub fn announce_outages(&self) -> Result<usize, OutboxError> {
        let now = now_ms();
        let threshold = millis(self.config.channel_down_alert_after);
        let mut queued = 0;
        for channel in &self.channels {
            let name = channel.name();
            let state = self.outbox().channel_state(name)?;
            let Some(since) = state.failing_since else { continue };
            if state.down_alerted || now - since < threshold {
                continue;
            }
            let others: Vec<String> = self
                .channels
                .iter()
                .map(|other| other.name().to_owned())
                .filter(|other| other != name)
                .collect();
            let since_text = jiff::Timestamp::from_millisecond(since)
                .map_or_else(|_| since.to_string(), |at| at.to_string());
            let mut event = Event::alert(format!("channel-down:{name}:{since}"), "guardline", "");
            event.kind = EventKind::ChannelDown {
                channel: name.to_owned(),
                since: since_text,
                error: state.last_error.clone().unwrap_or_default(),
            };
            event.title = format!("{name} ({})", channel.config.kind.type_name());
            event.account_id = self.account.id.clone();
            event.account_alias = self.account.alias.clone();
            let mut outbox = self.outbox();
            queued += outbox.persist("guardline", &[], &[(event, others)])?;
            outbox.mark_down_alerted(name)?;
            tracing::warn!(channel = name, "channel down for longer than the threshold; told the others");
        }
        Ok(queued)
    }

    /// `--once`: one polling pass, then deliver what is due.
    pub async fn run_once(&self) -> Result<PassReport, OutboxError> {
        let mut report = self.poll_pass().await?;
        report.add(self.deliver_pass().await?);
        Ok(report)
    }

    /// The long-running mode: poll every `interval`, deliver (and retry) in between, until
    /// [`Watcher::shutdown`]; the send in flight then finishes and is recorded.
    pub async fn run(&self) -> Result<(), OutboxError> {
        let mut next_poll = Instant::now();
        while !self.stopping() {
            if Instant::now() >= next_poll {
                let report = self.poll_pass().await?;
                for (source, error) in &report.source_errors {
                    tracing::warn!(source, error, "source failed this pass");
                }
                next_poll = Instant::now() + self.config.interval;
            }
            if self.stopping() {
                break;
            }
            self.deliver_pass().await?;
            let sleep = next_poll.saturating_duration_since(Instant::now()).min(Duration::from_secs(1));
            tokio::select! {
                () = tokio::time::sleep(sleep) => {}
                () = self.wake.notified() => {}
            }
        }
        tracing::info!(pending = self.outbox().pending()?, "watch stopped");
        Ok(())
    }

    /// Sends a test message to one channel directly (not through the outbox).
    pub async fn send_test(&self, channel: &str) -> Option<Result<(), SendError>> {
        let channel = self.channels.iter().find(|candidate| candidate.name() == channel)?;
        let mut event = Event::alert(format!("test:{}", now_ms()), "guardline", "");
        event.kind = EventKind::Test;
        event.account_id = self.account.id.clone();
        event.account_alias = self.account.alias.clone();
        Some(channel.send(&event, self.options.lang).await)
    }

    /// The outbox, for reports and tests.
    pub fn with_outbox<T>(&self, read: impl FnOnce(&Outbox) -> T) -> T {
        read(&self.outbox())
    }
}

/// The events of a burst (more new events than `digest-above`): each event that stands alone (an attack
/// sequence) as itself, first, then the others as one digest (or as itself, when only one is left).
fn burst(source: &str, fresh: Vec<Candidate>) -> Vec<Event> {
    let (alone, mut folded): (Vec<Candidate>, Vec<Candidate>) =
        fresh.into_iter().partition(|candidate| candidate.event.stands_alone());
    let mut events: Vec<Event> = alone.into_iter().map(|candidate| candidate.event).collect();
    match folded.len() {
        0 => {}
        1 => events.extend(folded.pop().map(|candidate| candidate.event)),
        _ => events.push(digest(source, &folded)),
    }
    events
}

/// One digest event for a burst of `fresh` events from `source`.
fn digest(source: &str, fresh: &[Candidate]) -> Event {
    let first = &fresh[0].event;
    let mut event = Event::alert(
        format!("digest:{source}:{}:{}", now_ms(), first.key),
        source,
        format!("{} new alerts", fresh.len()),
    );
    event.kind =
        EventKind::Digest { items: fresh.iter().map(|candidate| candidate.event.digest_item()).collect() };
    event.account_id = first.account_id.clone();
    event.account_alias = first.account_alias.clone();
    event.severity = fresh
        .iter()
        .filter_map(|candidate| candidate.event.severity.clone())
        .max_by(|a, b| a.score.unwrap_or(0.0).total_cmp(&b.score.unwrap_or(0.0)));
    event
}

/// Waits for SIGINT (Ctrl-C) or SIGTERM.
pub async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
