//! The outbox: the watcher's whole state, in one SQLite database (WAL).
//!
//! - `seen`: what each source has already reported (per item, with the level it was reported at, so a
//!   GuardDuty finding whose severity rises is reported again).
//! - `events`: each event to send, as JSON, keyed by its identity.
//! - `deliveries`: one row per (event, channel), the dedup key: pending with its next attempt time and
//!   attempt count, or delivered.
//! - `drift_baselines`: per account, the last known snapshot the `changes` source compares a change with
//!   (JSON, as `scan --save-snapshot` writes it), and when its full collection was taken.
//! - `channels`: per channel, since when it has been failing and whether the outage was announced.
//! - `daily`: events waiting for a route's daily digest, per (channel, owner, due time); folded into one
//!   digest event with its delivery, in one transaction, once due.
//!
//! [`Outbox::persist`] writes a pass's new events, their deliveries and the `seen` updates in one
//! transaction, before anything is sent; [`Outbox::delivered`] is written only after a channel accepted the
//! message. Times are Unix milliseconds.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};

use crate::event::Event;

/// The schema version, kept in `PRAGMA user_version`.
pub const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS seen (
    source TEXT NOT NULL,
    item TEXT NOT NULL,
    level REAL NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (source, item)
);
CREATE TABLE IF NOT EXISTS events (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    event_key TEXT NOT NULL REFERENCES events(key),
    channel TEXT NOT NULL,
    delivered_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    PRIMARY KEY (event_key, channel)
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (channel, delivered_at, next_attempt_at);
CREATE TABLE IF NOT EXISTS episodes (
    source TEXT NOT NULL,
    item TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (source, item)
);
CREATE TABLE IF NOT EXISTS daily (
    channel TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    event_key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (channel, owner, due_at, event_key)
);
CREATE TABLE IF NOT EXISTS drift_baselines (
    account_id TEXT PRIMARY KEY,
    taken_at INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS channels (
    name TEXT PRIMARY KEY,
    failing_since INTEGER,
    last_error TEXT,
    down_alerted INTEGER NOT NULL DEFAULT 0
);
";

/// The outbox's errors.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("outbox database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("cannot create the outbox database {path}: {source}")]
    Create { path: String, source: std::io::Error },
    #[error("outbox database: stored event is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "outbox database {path} has schema version {found}, newer than this Guardline's {SCHEMA_VERSION}"
    )]
    Newer { path: String, found: i64 },
}

/// Creates `path` with mode 0600 unless it exists (an existing database keeps its permissions).
pub fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// Something a source found that is not yet filtered against `seen`.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The item's identity within its source (a finding ID, a feed entry's ID).
    pub item: String,
    /// The level it is reported at; it is reported again only when this rises (GuardDuty's severity).
    pub level: f64,
    pub event: Event,
    /// The item is no longer a problem (a Security Hub finding that passes again): it is forgotten, so that
    /// failing again is a new alert (a new episode, with its own event key).
    pub resolved: bool,
}

/// An event waiting for a daily digest: sent to `channel` in the digest of `owner` ("" for accounts
/// without an owner tag) due at `due_at` (Unix ms).
#[derive(Debug, Clone, PartialEq)]
pub struct DailyItem {
    pub channel: String,
    pub owner: String,
    pub due_at: i64,
    pub event: Event,
}

/// One daily digest that is due: its channel, owner and due time, and the events it lists, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyDue {
    pub channel: String,
    pub owner: String,
    pub due_at: i64,
    pub events: Vec<Event>,
}

/// A delivery that is due.
#[derive(Debug, Clone)]
pub struct Due {
    pub event: Event,
    pub channel: String,
    pub attempts: u32,
}

/// A channel's failure state.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelState {
    pub failing_since: Option<i64>,
    pub last_error: Option<String>,
    pub down_alerted: bool,
}

/// The SQLite state of `guardline watch`.
pub struct Outbox {
    conn: Connection,
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_millis() as i64)
}

fn ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl Outbox {
    /// Opens (creating) the database at `path`. A database of a newer schema is refused. A new database is
    /// created 0600 (its events describe the account's findings); SQLite gives its `-wal` and `-shm` files
    /// the database's permissions.
    pub fn open(path: &Path) -> Result<Outbox, OutboxError> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            let _ = std::fs::create_dir_all(parent);
        }
        create_private(path)
            .map_err(|source| OutboxError::Create { path: path.display().to_string(), source })?;
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(OutboxError::Newer { path: path.display().to_string(), found });
        }
        conn.execute_batch(SCHEMA)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(Outbox { conn })
    }

    /// The candidates that are new: never seen, or seen at a lower level.
    pub fn new_candidates(
        &self,
        source: &str,
        candidates: Vec<Candidate>,
    ) -> Result<Vec<Candidate>, OutboxError> {
        let mut statement =
            self.conn.prepare_cached("SELECT level FROM seen WHERE source = ?1 AND item = ?2")?;
        let mut fresh = Vec::new();
        for mut candidate in candidates {
            if candidate.resolved && candidate.event.kind == crate::event::EventKind::Resolved {
                // Announced: only when the failure was reported, and forgotten when the announcement is
                // persisted ([`Outbox::persist`]'s `forget`), so that a crash in between loses neither.
                let reported: Option<f64> =
                    statement.query_row(params![source, candidate.item], |row| row.get(0)).optional()?;
                if reported.is_some() {
                    let episode = self.episode(source, &candidate.item)?;
                    let alert = match episode {
                        Some(episode) => format!("{}#{episode}", candidate.event.key),
                        None => candidate.event.key.clone(),
                    };
                    candidate.event.key = format!("{alert}#resolved");
                    fresh.push(candidate);
                }
                continue;
            }
            if candidate.resolved {
                let forgotten = self.conn.execute(
                    "DELETE FROM seen WHERE source = ?1 AND item = ?2",
                    params![source, candidate.item],
                )?;
                if forgotten > 0 {
                    self.conn.execute(
                        "INSERT INTO episodes (source, item, count) VALUES (?1, ?2, 1) \
                         ON CONFLICT (source, item) DO UPDATE SET count = count + 1",
                        params![source, candidate.item],
                    )?;
                }
                continue;
            }
            let level: Option<f64> =
                statement.query_row(params![source, candidate.item], |row| row.get(0)).optional()?;
            if level.is_none_or(|level| candidate.level > level) {
                if let Some(episode) = self.episode(source, &candidate.item)? {
                    candidate.event.key = format!("{}#{episode}", candidate.event.key);
                }
                fresh.push(candidate);
            }
        }
        Ok(fresh)
    }

    /// How many times `item` of `source` was resolved (its episode), `None` before the first time.
    fn episode(&self, source: &str, item: &str) -> Result<Option<i64>, OutboxError> {
        Ok(self
            .conn
            .query_row(
                "SELECT count FROM episodes WHERE source = ?1 AND item = ?2",
                params![source, item],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// In one transaction: marks `seen` as seen, forgets the items of `forget` (resolved: failing again
    /// is a new episode), queues each of `events` for each of its channels, and keeps each of `daily` for
    /// its digest. An event already in the outbox (same key) is not queued again.
    pub fn persist(
        &mut self,
        source: &str,
        seen: &[(String, f64)],
        forget: &[String],
        events: &[(Event, Vec<String>)],
        daily: &[DailyItem],
    ) -> Result<usize, OutboxError> {
        let now = now_ms();
        let tx = self.conn.transaction()?;
        let mut queued = 0;
        {
            for item in forget {
                let forgotten =
                    tx.execute("DELETE FROM seen WHERE source = ?1 AND item = ?2", params![source, item])?;
                if forgotten > 0 {
                    tx.execute(
                        "INSERT INTO episodes (source, item, count) VALUES (?1, ?2, 1) \
                         ON CONFLICT (source, item) DO UPDATE SET count = count + 1",
                        params![source, item],
                    )?;
                }
            }
            let mut mark = tx.prepare_cached(
                "INSERT INTO seen (source, item, level, seen_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (source, item) DO UPDATE SET level = max(level, excluded.level), seen_at = ?4",
            )?;
            for (item, level) in seen {
                mark.execute(params![source, item, level, now])?;
            }
            let mut insert_event = tx.prepare_cached(
                "INSERT OR IGNORE INTO events (key, source, body, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut insert_delivery = tx.prepare_cached(
                "INSERT OR IGNORE INTO deliveries (event_key, channel, next_attempt_at) VALUES (?1, ?2, ?3)",
            )?;
            for (event, channels) in events {
                let body = serde_json::to_string(event)?;
                if insert_event.execute(params![event.key, event.source, body, now])? == 0 {
                    continue;
                }
                for channel in channels {
                    queued += insert_delivery.execute(params![event.key, channel, now])?;
                }
            }
            let mut insert_daily = tx.prepare_cached(
                "INSERT OR IGNORE INTO daily (channel, owner, due_at, event_key, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for item in daily {
                let body = serde_json::to_string(&item.event)?;
                insert_daily.execute(params![item.channel, item.owner, item.due_at, item.event.key, body])?;
            }
        }
        tx.commit()?;
        Ok(queued)
    }

    /// The drift baseline of `account_id`: when its full collection was taken (Unix ms) and the snapshot's
    /// JSON.
    pub fn drift_baseline(&self, account_id: &str) -> Result<Option<(i64, String)>, OutboxError> {
        Ok(self
            .conn
            .query_row(
                "SELECT taken_at, body FROM drift_baselines WHERE account_id = ?1",
                params![account_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
    }

    /// Replaces the drift baseline of `account_id`.
    pub fn store_drift_baseline(
        &self,
        account_id: &str,
        taken_at: i64,
        body: &str,
    ) -> Result<(), OutboxError> {
        self.conn.execute(
            "INSERT INTO drift_baselines (account_id, taken_at, body) VALUES (?1, ?2, ?3) \
             ON CONFLICT (account_id) DO UPDATE SET taken_at = ?2, body = ?3",
            params![account_id, taken_at, body],
        )?;
        Ok(())
    }

    /// The daily digests due at `now`, each with its events.
    pub fn daily_due(&self, now: i64) -> Result<Vec<DailyDue>, OutboxError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT channel, owner, due_at, body FROM daily WHERE due_at <= ?1 ORDER BY channel, owner, due_at, rowid",
        )?;
        let rows = statement.query_map(params![now], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, String>(3)?,
            ))
        })?;
        let mut due: Vec<DailyDue> = Vec::new();
        for row in rows {
            let (channel, owner, due_at, body) = row?;
            let event = serde_json::from_str(&body)?;
            match due.last_mut() {
                Some(last) if last.channel == channel && last.owner == owner && last.due_at == due_at => {
                    last.events.push(event);
                }
                _ => due.push(DailyDue { channel, owner, due_at, events: vec![event] }),
            }
        }
        Ok(due)
    }

    /// In one transaction: queues `digest` for the channel of `due` and forgets the events it lists.
    pub fn fold_daily(&mut self, due: &DailyDue, digest: &Event) -> Result<usize, OutboxError> {
        let now = now_ms();
        let tx = self.conn.transaction()?;
        let body = serde_json::to_string(digest)?;
        tx.execute(
            "INSERT OR IGNORE INTO events (key, source, body, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![digest.key, digest.source, body, now],
        )?;
        let queued = tx.execute(
            "INSERT OR IGNORE INTO deliveries (event_key, channel, next_attempt_at) VALUES (?1, ?2, ?3)",
            params![digest.key, due.channel, now],
        )?;
        tx.execute(
            "DELETE FROM daily WHERE channel = ?1 AND owner = ?2 AND due_at = ?3",
            params![due.channel, due.owner, due.due_at],
        )?;
        tx.commit()?;
        Ok(queued)
    }

    /// Events waiting for a daily digest.
    pub fn daily_waiting(&self) -> Result<usize, OutboxError> {
        Ok(self.conn.query_row("SELECT count(*) FROM daily", [], |row| row.get::<_, i64>(0))? as usize)
    }

    /// The deliveries of `channel` due at `now`, oldest first.
    pub fn due(&self, channel: &str, now: i64) -> Result<Vec<Due>, OutboxError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT e.body, d.attempts FROM deliveries d JOIN events e ON e.key = d.event_key
             WHERE d.channel = ?1 AND d.delivered_at IS NULL AND d.next_attempt_at <= ?2
             ORDER BY e.created_at, e.rowid",
        )?;
        let rows = statement
            .query_map(params![channel, now], |row| Ok((row.get::<_, String>(0)?, row.get::<_, u32>(1)?)))?;
        let mut due = Vec::new();
        for row in rows {
            let (body, attempts) = row?;
            due.push(Due { event: serde_json::from_str(&body)?, channel: channel.to_owned(), attempts });
        }
        Ok(due)
    }

    /// The earliest next attempt of any pending delivery.
    pub fn next_due(&self) -> Result<Option<i64>, OutboxError> {
        Ok(self.conn.query_row(
            "SELECT min(next_attempt_at) FROM deliveries WHERE delivered_at IS NULL",
            [],
            |row| row.get(0),
        )?)
    }

    /// Deletes events delivered to every channel before `before` (Unix ms), with their deliveries. What
    /// each source has seen is kept: it is what stops an old item from being reported again.
    pub fn prune(&mut self, before: i64) -> Result<usize, OutboxError> {
        let tx = self.conn.transaction()?;
        let done = "SELECT event_key FROM deliveries GROUP BY event_key
                    HAVING count(*) = count(delivered_at) AND max(delivered_at) < ?1";
        tx.execute(&format!("DELETE FROM deliveries WHERE event_key IN ({done})"), params![before])?;
        let removed = tx.execute(
            "DELETE FROM events WHERE created_at < ?1 AND key NOT IN (SELECT event_key FROM deliveries)",
            params![before],
        )?;
        tx.commit()?;
        Ok(removed)
    }

    /// Drops the pending deliveries of channels that are not in `configured` (removed from the config, or
    /// renamed), which would otherwise stay pending for ever, and forgets those channels' failure state.
    /// Returns each such channel with the number of deliveries dropped, for the caller to warn about.
    pub fn drop_unconfigured(&mut self, configured: &[&str]) -> Result<Vec<(String, usize)>, OutboxError> {
        let tx = self.conn.transaction()?;
        let pending: Vec<(String, i64)> = tx
            .prepare("SELECT channel, count(*) FROM deliveries WHERE delivered_at IS NULL GROUP BY channel")?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut dropped = Vec::new();
        for (channel, count) in pending {
            if configured.contains(&channel.as_str()) {
                continue;
            }
            tx.execute(
                "DELETE FROM deliveries WHERE channel = ?1 AND delivered_at IS NULL",
                params![channel],
            )?;
            tx.execute("DELETE FROM channels WHERE name = ?1", params![channel])?;
            dropped.push((channel, count as usize));
        }
        let waiting: Vec<(String, i64)> = tx
            .prepare("SELECT channel, count(*) FROM daily GROUP BY channel")?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (channel, count) in waiting {
            if configured.contains(&channel.as_str()) {
                continue;
            }
            tx.execute("DELETE FROM daily WHERE channel = ?1", params![channel])?;
            match dropped.iter_mut().find(|(name, _)| *name == channel) {
                Some((_, total)) => *total += count as usize,
                None => dropped.push((channel, count as usize)),
            }
        }
        tx.commit()?;
        Ok(dropped)
    }

    /// Number of pending deliveries.
    pub fn pending(&self) -> Result<usize, OutboxError> {
        Ok(self.conn.query_row("SELECT count(*) FROM deliveries WHERE delivered_at IS NULL", [], |row| {
            row.get::<_, i64>(0)
        })? as usize)
    }

    /// Marks a delivery done, and the channel healthy.
    pub fn delivered(&self, event_key: &str, channel: &str) -> Result<(), OutboxError> {
        let now = now_ms();
        self.conn.execute(
            "UPDATE deliveries SET delivered_at = ?3, attempts = attempts + 1, last_error = NULL
             WHERE event_key = ?1 AND channel = ?2",
            params![event_key, channel, now],
        )?;
        self.conn.execute(
            "INSERT INTO channels (name, failing_since, last_error, down_alerted) VALUES (?1, NULL, NULL, 0)
             ON CONFLICT (name) DO UPDATE SET failing_since = NULL, last_error = NULL, down_alerted = 0",
            params![channel],
        )?;
        Ok(())
    }

    /// Records a failed attempt: the next attempt is at `retry_at`; the channel is failing (since now, if it
    /// was not already).
    pub fn failed(
        &self,
        event_key: &str,
        channel: &str,
        error: &str,
        retry_at: i64,
    ) -> Result<(), OutboxError> {
        let now = now_ms();
        self.conn.execute(
            "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?3, last_error = ?4
             WHERE event_key = ?1 AND channel = ?2",
            params![event_key, channel, retry_at, error],
        )?;
        self.conn.execute(
            "INSERT INTO channels (name, failing_since, last_error, down_alerted) VALUES (?1, ?2, ?3, 0)
             ON CONFLICT (name) DO UPDATE SET failing_since = coalesce(failing_since, ?2), last_error = ?3",
            params![channel, now, error],
        )?;
        Ok(())
    }

    /// Postpones a delivery without counting an attempt (a 429's Retry-After).
    pub fn postpone(&self, event_key: &str, channel: &str, retry_at: i64) -> Result<(), OutboxError> {
        self.conn.execute(
            "UPDATE deliveries SET next_attempt_at = ?3 WHERE event_key = ?1 AND channel = ?2",
            params![event_key, channel, retry_at],
        )?;
        Ok(())
    }

    /// A channel's failure state.
    pub fn channel_state(&self, channel: &str) -> Result<ChannelState, OutboxError> {
        let state = self
            .conn
            .query_row(
                "SELECT failing_since, last_error, down_alerted FROM channels WHERE name = ?1",
                params![channel],
                |row| {
                    Ok(ChannelState {
                        failing_since: row.get(0)?,
                        last_error: row.get(1)?,
                        down_alerted: row.get::<_, i64>(2)? != 0,
                    })
                },
            )
            .optional()?;
        Ok(state.unwrap_or(ChannelState { failing_since: None, last_error: None, down_alerted: false }))
    }

    /// Records that the outage of `channel` was announced, so it is announced once.
    pub fn mark_down_alerted(&self, channel: &str) -> Result<(), OutboxError> {
        self.conn.execute("UPDATE channels SET down_alerted = 1 WHERE name = ?1", params![channel])?;
        Ok(())
    }

    /// How many times the event was delivered to each channel (0 or 1), for tests and `--once` reports.
    pub fn delivered_channels(&self, event_key: &str) -> Result<Vec<String>, OutboxError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT channel FROM deliveries WHERE event_key = ?1 AND delivered_at IS NOT NULL ORDER BY channel",
        )?;
        let rows = statement.query_map(params![event_key], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The delay before attempt `attempts + 1`: `base` doubled per failed attempt, at most `max`.
    pub fn backoff(attempts: u32, base: Duration, max: Duration) -> i64 {
        let factor = 2u32.saturating_pow(attempts.min(20));
        ms(base.saturating_mul(factor).min(max))
    }
}

/// `duration` in milliseconds, for adding to [`now_ms`].
pub fn millis(duration: Duration) -> i64 {
    ms(duration)
}
