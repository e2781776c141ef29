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
use crate::directory::{Directory, Lookup};
use crate::event::{Event, EventKind, Lang};
use crate::outbox::{Candidate, DailyDue, DailyItem, Outbox, OutboxError, millis, now_ms};
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

/// What one drift pass did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DriftReport {
    pub pass: PassReport,
    /// Messages received.
    pub received: usize,
    /// Messages deleted after their result was persisted.
    pub deleted: usize,
    /// API calls made to re-read what the changes touched (not counting SQS).
    pub calls: u32,
}

/// `--once` reads at most this many rounds of ten messages per queue.
const ONCE_DRIFT_ROUNDS: usize = 100;

/// The alert router.
pub struct Watcher {
    config: WatchConfig,
    outbox: Mutex<Outbox>,
    channels: Vec<Channel>,
    sources: Vec<Source>,
    account: Account,
    /// The accounts events are about: named and routed from here.
    directory: Mutex<Directory>,
    /// The feeds' client, or why it could not be built.
    http: Result<reqwest::Client, String>,
    options: WatchOptions,
    /// When each channel last sent, for its `min-interval`.
    last_send: Mutex<HashMap<String, Instant>>,
    stop: AtomicBool,
    wake: Notify,
    /// Notified once, at [`Watcher::shutdown`] (the drift loop's long poll is cut short by it).
    stopped: Notify,
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
            directory: Mutex::new(Directory::single(&account)),
            account,
            http,
            options,
            last_send: Mutex::new(HashMap::new()),
            stop: AtomicBool::new(false),
            wake: Notify::new(),
            stopped: Notify::new(),
        }
    }

    fn outbox(&self) -> MutexGuard<'_, Outbox> {
        self.outbox.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Replaces the accounts the events are named and routed by (`watch --org`'s listing, refreshed).
    pub fn set_directory(&self, directory: Directory) {
        *self.directory.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = directory;
    }

    fn directory(&self) -> MutexGuard<'_, Directory> {
        self.directory.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Asks [`Watcher::run`] to stop after the send in flight.
    pub fn shutdown(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.stopped.notify_waiters();
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
        let folded = self.fold_daily_digests(now_ms())?;
        let polls = self.sources.iter().filter(|source| !matches!(source, Source::Changes(_))).map(
            |source| async move {
                let http = self
                    .http
                    .as_ref()
                    .map(|client| crate::channels::Http { client, timeout: self.options.timeout });
                (source.name().to_owned(), source.poll(&self.account, http.map_err(String::as_str)).await)
            },
        );
        let results = futures::future::join_all(polls).await;
        let mut report = folded;
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

    /// One round of each drift source (`changes`): receive, re-check, persist what is new, store the new
    /// baseline, and only then delete the messages. `wait_seconds` is the long-poll wait.
    pub async fn drift_pass(&self, wait_seconds: i32) -> Result<DriftReport, OutboxError> {
        let mut report = DriftReport::default();
        let account = self.account.id.clone().unwrap_or_default();
        for source in &self.sources {
            let Source::Changes(changes) = source else { continue };
            let stored =
                if changes.has_baseline() { None } else { self.outbox().drift_baseline(&account)? };
            let round = changes.round(wait_seconds, stored).await;
            report.received += round.received;
            report.calls += round.calls;
            if !round.candidates.is_empty() {
                report.pass.add(self.persist(crate::sources::changes::NAME, round.candidates)?);
            }
            if let Some(baseline) = &round.settle.baseline {
                self.outbox().store_drift_baseline(
                    &baseline.snapshot.account.id,
                    baseline.taken_at,
                    &baseline.snapshot.to_json(),
                )?;
            }
            if report.pass.queued > 0
                && let Some(pause) = self.options.pause_after_persist
            {
                eprintln!(
                    "guardline watch: persisted {} drift deliveries; pausing before deleting the messages",
                    report.pass.queued
                );
                tokio::time::sleep(pause).await;
            }
            if let Some(error) = round.error {
                tracing::warn!(source = source.name(), error, "drift round failed in part");
                report.pass.source_errors.push((source.name().to_owned(), error));
            }
            match changes.settle(round.settle).await {
                Ok(deleted) => report.deleted += deleted,
                Err(error) => {
                    tracing::warn!(source = source.name(), error, "cannot delete finished messages");
                    report.pass.source_errors.push((source.name().to_owned(), error));
                }
            }
        }
        if report.pass.queued > 0 {
            self.wake.notify_one();
        }
        Ok(report)
    }

    fn has_drift_source(&self) -> bool {
        self.sources.iter().any(|source| matches!(source, Source::Changes(_)))
    }

    /// The drift sources' loop of the long-running mode: one round after another (each long-polls), until
    /// [`Watcher::shutdown`]. A round cut short by the stop loses nothing: its messages were not deleted.
    async fn drift_loop(&self, wait_seconds: i32) -> Result<(), OutboxError> {
        while !self.stopping() && self.has_drift_source() {
            let stopped = self.stopped.notified();
            tokio::pin!(stopped);
            stopped.as_mut().enable();
            if self.stopping() {
                break;
            }
            tokio::select! {
                report = self.drift_pass(wait_seconds) => {
                    let report = report?;
                    if !report.pass.source_errors.is_empty() {
                        // A failing queue or re-read is retried, not spun on.
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                }
                () = &mut stopped => break,
            }
        }
        Ok(())
    }

    /// Filters `candidates` against what the source already reported and persists the rest, each named
    /// by the directory (alias, and under `--org` name, OU and owner) and routed by its account: to the
    /// channels at once, one event each, or, when more than `digest-above` go to the same channels, one
    /// digest (except the events that stand alone, GuardDuty's attack sequences); and to the daily
    /// digests of the routes that have one. Events of accounts the selectors leave out are dropped.
    pub fn persist(&self, source: &str, candidates: Vec<Candidate>) -> Result<PassReport, OutboxError> {
        let mut outbox = self.outbox();
        let fresh = outbox.new_candidates(source, candidates)?;
        if fresh.is_empty() {
            return Ok(PassReport::default());
        }
        let seen: Vec<(String, f64)> = fresh
            .iter()
            .filter(|candidate| !candidate.resolved)
            .map(|candidate| (candidate.item.clone(), candidate.level))
            .collect();
        let forget: Vec<String> = fresh
            .iter()
            .filter(|candidate| candidate.resolved)
            .map(|candidate| candidate.item.clone())
            .collect();
        let now = now_ms();
        // Events going to the same channels at once, in first-seen order; and the daily digests' items.
        let mut groups: Vec<(Vec<String>, Vec<Candidate>)> = Vec::new();
        let mut daily = Vec::new();
        {
            let directory = self.directory();
            for mut candidate in fresh {
                let member = match directory.lookup(candidate.event.account_id.as_deref()) {
                    Lookup::Watched(member) => Some(member),
                    Lookup::Unwatched => {
                        tracing::debug!(source, event = candidate.event.key, "account not watched: dropped");
                        continue;
                    }
                    Lookup::Unknown => None,
                };
                let facts = member.map(crate::directory::Member::facts);
                if let Some(member) = member {
                    describe(
                        &mut candidate.event,
                        member,
                        facts.as_ref().and_then(|f| self.config.owner_of(f)),
                    );
                } else if candidate.event.account_id.is_some()
                    && candidate.event.account_id != self.account.id
                {
                    // The source named the watcher's own alias; an unknown account's is not known.
                    candidate.event.account_alias = None;
                }
                let routing = self.config.routing(source, facts.as_ref());
                for (channel, at) in &routing.daily {
                    daily.push(DailyItem {
                        channel: channel.clone(),
                        owner: candidate.event.account_owner.clone().unwrap_or_default(),
                        due_at: next_local(now, *at, &self.config.timezone),
                        event: candidate.event.clone(),
                    });
                }
                if routing.now.is_empty() {
                    continue;
                }
                match groups.iter_mut().find(|(channels, _)| *channels == routing.now) {
                    Some((_, members)) => members.push(candidate),
                    None => groups.push((routing.now, vec![candidate])),
                }
            }
        }
        let mut events: Vec<(Event, Vec<String>)> = Vec::new();
        for (channels, members) in groups {
            let group = if members.len() > self.config.digest_above {
                burst(source, members)
            } else {
                members.into_iter().map(|candidate| candidate.event).collect()
            };
            events.extend(group.into_iter().map(|event| (event, channels.clone())));
        }
        let count = events.len();
        let queued = outbox.persist(source, &seen, &forget, &events, &daily)?;
        tracing::info!(source, events = count, queued, daily = daily.len(), "persisted new events");
        Ok(PassReport { events: count, queued, ..PassReport::default() })
    }

    /// Turns every daily digest due at `now` (Unix ms) into one message for its channel: the owner's
    /// events since the last one. Each digest is queued and its items forgotten in one transaction.
    pub fn fold_daily_digests(&self, now: i64) -> Result<PassReport, OutboxError> {
        let mut outbox = self.outbox();
        let mut report = PassReport::default();
        for due in outbox.daily_due(now)? {
            let digest = daily_digest(&due);
            report.queued += outbox.fold_daily(&due, &digest)?;
            report.events += 1;
            tracing::info!(
                channel = due.channel,
                owner = due.owner,
                items = due.events.len(),
                "daily digest"
            );
        }
        Ok(report)
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
            queued += outbox.persist("guardline", &[], &[], &[(event, others)], &[])?;
            outbox.mark_down_alerted(name)?;
            tracing::warn!(channel = name, "channel down for longer than the threshold; told the others");
        }
        Ok(queued)
    }

    /// `--once`: one polling pass and the drift sources' waiting messages (rounds of a short wait until
    /// one receives nothing), then deliver what is due.
    pub async fn run_once(&self) -> Result<PassReport, OutboxError> {
        let mut report = self.poll_pass().await?;
        if self.has_drift_source() {
            for _ in 0..ONCE_DRIFT_ROUNDS {
                let drift = self.drift_pass(1).await?;
                let received = drift.received;
                let failed = !drift.pass.source_errors.is_empty();
                report.add(drift.pass);
                if received == 0 || failed {
                    break;
                }
            }
        }
        report.add(self.deliver_pass().await?);
        Ok(report)
    }

    /// The long-running mode: poll every `interval`, deliver (and retry) in between, until
    /// [`Watcher::shutdown`]; the send in flight then finishes and is recorded.
    pub async fn run(&self) -> Result<(), OutboxError> {
        let wait = self.config.sources.changes.as_ref().map_or(20, |changes| changes.wait_seconds);
        let (polled, drifted) = futures::join!(self.poll_loop(), self.drift_loop(wait));
        polled.and(drifted)?;
        tracing::info!(pending = self.outbox().pending()?, "watch stopped");
        Ok(())
    }

    async fn poll_loop(&self) -> Result<(), OutboxError> {
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
    event.kind = EventKind::Digest {
        items: fresh.iter().map(|candidate| candidate.event.digest_item()).collect(),
        daily_for: None,
    };
    event.account_id = first.account_id.clone();
    event.account_alias = first.account_alias.clone();
    event.severity = fresh
        .iter()
        .filter_map(|candidate| candidate.event.severity.clone())
        .max_by(|a, b| a.score.unwrap_or(0.0).total_cmp(&b.score.unwrap_or(0.0)));
    event
}

/// Names an event's account from the directory: its alias, name, OU path and owner.
fn describe(event: &mut Event, member: &crate::directory::Member, owner: Option<&str>) {
    event.account_alias.clone_from(&member.alias);
    event.account_name.clone_from(&member.name);
    event.account_ou.clone_from(&member.ou_path);
    event.account_owner = owner.map(str::to_owned);
}

/// The first time at or after `now` (Unix ms) that is `at` on the clock of `timezone` (validated by the
/// config; UTC if it is somehow unknown), in Unix ms.
fn next_local(now: i64, at: jiff::civil::Time, timezone: &str) -> i64 {
    let zone = jiff::tz::TimeZone::get(timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let Ok(now) = jiff::Timestamp::from_millisecond(now) else { return now };
    let local = now.to_zoned_datetime(zone.clone());
    let candidate = |date: jiff::civil::Date| date.to_datetime(at).to_zoned_datetime(zone.clone()).ok();
    let today = candidate(local.date()).filter(|today| today.timestamp() >= now);
    let next = today.or_else(|| local.date().tomorrow().ok().and_then(candidate));
    next.map_or(now.as_millisecond(), |next| next.timestamp().as_millisecond())
}

/// The message of one daily digest: the owner's events, the highest severity first in the headline.
fn daily_digest(due: &DailyDue) -> Event {
    let mut event = Event::alert(
        format!("daily:{}:{}:{}", due.channel, due.owner, due.due_at),
        "guardline",
        format!("{} alerts", due.events.len()),
    );
    event.kind = EventKind::Digest {
        items: due.events.iter().map(Event::digest_item).collect(),
        daily_for: Some(due.owner.clone()),
    };
    event.severity = due
        .events
        .iter()
        .filter_map(|event| event.severity.clone())
        .max_by(|a, b| a.score.unwrap_or(0.0).total_cmp(&b.score.unwrap_or(0.0)));
    event.time = jiff::Timestamp::from_millisecond(due.due_at).ok().map(|at| at.to_string());
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
