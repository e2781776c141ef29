//! [`Schedule`]: a [`Window`] in a time zone, with a holiday [`Calendar`] (possibly empty), and
//! the questions `schedule run` and `schedule status` ask of it.
//!
//! # Model
//! A schedule is two streams of events in wall-clock time: starts and stops (the window's start
//! and end times on its days, or the occurrences of its start and stop crons). Each wall-clock
//! event is resolved to an instant in the schedule's time zone with jiff's *compatible*
//! disambiguation: in a gap (02:30 on a spring-forward day) the event happens after the gap
//! (03:30 with a one-hour gap); in a fold (01:30 on a fall-back day) it happens at the earlier
//! of the two instants. A 09:00 start therefore stays 09:00 local across DST transitions.
//!
//! A start whose local date is a holiday of the schedule's calendar is dropped; stops are never dropped (stopping is always safe, and a cron pair whose working
//! period crosses midnight into a holiday still stops). So a holiday is a non-working day: no
//! start on it, and the stop at the end of the previous working day still happens.
//!
//! A *stop-only* schedule has no starts at all (a window's start time and a start cron are never events):
//! instances are stopped at each stop, whether or not Guardline started them (someone starts them by hand
//! when they need them), so for it every stop is due, not only the transitions.
//!
//! The desired state at an instant is the kind of the latest event at or before it (stopped if
//! there is none within 400 days). A stop and a start at the same instant leave instances
//! stopped. A *transition* is an event that changes the state; `next_stop`, `next_start` and
//! `due` only report transitions, so a stop on a day instances were never started is not one.
//!
//! Searching for cron occurrences starts three hours of wall-clock time before the instant asked
//! about, so a time zone's clock changes of up to three hours (every DST rule in use) are
//! handled; larger one-off jumps (Samoa skipping a day in 2011) are not.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::window::Window;
use crate::{Calendar, ParseError};

/// The time zone a schedule uses unless it names another.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Tokyo";

/// What `schedule run` should do to the covered instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Stop them: working hours are over.
    Stop,
    /// Start them: working hours begin.
    Start,
}

/// A named off-hours schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The schedule's name (from the config).
    pub name: String,
    /// When instances should be running.
    pub window: Window,
    /// The time zone the window's wall-clock times are in.
    pub time_zone: TimeZone,
    /// The holidays (local dates) that are non-working days: no start on them.
    pub holidays: Calendar,
    /// Never start: instances are only stopped (see the module docs).
    pub stop_only: bool,
}

/// How far before an instant cron occurrences are searched (see the module docs).
const CLOCK_CHANGE_MARGIN: SignedDuration = SignedDuration::from_hours(3);
/// How many days ahead the human form looks for its next event.
const HORIZON_DAYS: i32 = 400;
/// The most events walked by one question before giving up.
const MAX_EVENTS: usize = 10_000;
/// The most cron occurrences examined for one event.
const MAX_OCCURRENCES: usize = 100_000;

impl Schedule {
    /// A schedule in [`DEFAULT_TIME_ZONE`] that does not skip holidays.
    pub fn new(name: impl Into<String>, window: Window) -> Schedule {
        Schedule {
            name: name.into(),
            window,
            time_zone: TimeZone::get(DEFAULT_TIME_ZONE).unwrap_or(TimeZone::UTC),
            holidays: Calendar::default(),
            stop_only: false,
        }
    }

    /// The same schedule in the IANA time zone `name` (e.g. `"America/New_York"`).
    pub fn with_time_zone(mut self, name: &str) -> Result<Schedule, ParseError> {
        self.time_zone = TimeZone::get(name).map_err(|_| ParseError::TimeZone { input: name.to_owned() })?;
        Ok(self)
    }

    /// The same schedule with `holidays` as its non-working days.
    pub fn holidays(mut self, holidays: Calendar) -> Schedule {
        self.holidays = holidays;
        self
    }

    /// Each holiday of the years `from_year` to `to_year` as the instants it begins and ends in the
    /// schedule's time zone (midnight to midnight, local), for an installed task that has no time zone
    /// database of its own.
    pub fn holiday_spans(
        &self,
        from_year: i16,
        to_year: i16,
    ) -> Vec<(jiff::civil::Date, Timestamp, Timestamp)> {
        let (Ok(from), Ok(to)) =
            (jiff::civil::Date::new(from_year, 1, 1), jiff::civil::Date::new(to_year, 12, 31))
        else {
            return Vec::new();
        };
        let midnight =
            |date: jiff::civil::Date| self.resolve(date.to_datetime(jiff::civil::Time::midnight()));
        self.holidays
            .between(from, to)
            .into_iter()
            .filter_map(|date| Some((date, midnight(date)?, midnight(date.tomorrow().ok()?)?)))
            .collect()
    }

    /// The same schedule, stop-only or not.
    pub fn stop_only(mut self, stop_only: bool) -> Schedule {
        self.stop_only = stop_only;
        self
    }

    /// Should instances be running at `at`? Never, for a stop-only schedule.
    pub fn is_working_time(&self, at: Timestamp) -> bool {
        if self.stop_only {
            return false;
        }
        for days in [1, 8, 40, HORIZON_DAYS] {
            let Ok(from) = at.checked_sub(SignedDuration::from_hours(24 * i64::from(days))) else {
                continue;
            };
            let mut cursor = from;
            let mut last = None;
            for _ in 0..MAX_EVENTS {
                match self.next_event(cursor) {
                    Some((t, kind)) if t <= at => {
                        last = Some(kind);
                        cursor = t;
                    }
                    _ => break,
                }
            }
            if let Some(kind) = last {
                return kind == Action::Start;
            }
        }
        false
    }

    /// The hours of `[from, to)` during which the schedule keeps instances stopped (all of it for a stop-only
    /// schedule): what a savings estimate multiplies by a price.
    pub fn stopped_hours(&self, from: Timestamp, to: Timestamp) -> f64 {
        let hours = |a: Timestamp, b: Timestamp| b.duration_since(a).as_secs_f64() / 3600.0;
        if to <= from {
            return 0.0;
        }
        if self.stop_only {
            return hours(from, to);
        }
        let mut running = self.is_working_time(from);
        let (mut cursor, mut stopped) = (from, 0.0);
        for _ in 0..MAX_EVENTS {
            let Some((at, kind)) = self.next_event(cursor).filter(|(at, _)| *at < to) else { break };
            if !running {
                stopped += hours(cursor, at);
            }
            running = kind == Action::Start;
            cursor = at;
        }
        if !running {
            stopped += hours(cursor, to);
        }
        stopped
    }

    /// The first instant after `after` at which running instances are stopped (for a stop-only schedule,
    /// its next stop).
    pub fn next_stop(&self, after: Timestamp) -> Option<Timestamp> {
        if self.stop_only {
            return self.next_raw(Action::Stop, after);
        }
        self.next_transition(after, Action::Stop)
    }

    /// The first instant after `after` at which stopped instances are started (none for a stop-only schedule).
    pub fn next_start(&self, after: Timestamp) -> Option<Timestamp> {
        if self.stop_only {
            return None;
        }
        self.next_transition(after, Action::Start)
    }

    /// What a run at `now` should do when the previous run was at `previous_run`: the last
    /// transition in `(previous_run, now]`, or `None` if there was none.
    pub fn due(&self, previous_run: Timestamp, now: Timestamp) -> Option<Action> {
        if now <= previous_run {
            return None;
        }
        if self.stop_only {
            return self
                .next_raw(Action::Stop, previous_run)
                .filter(|stop| *stop <= now)
                .map(|_| Action::Stop);
        }
        let mut running = self.is_working_time(previous_run);
        let mut due = None;
        let mut cursor = previous_run;
        for _ in 0..MAX_EVENTS {
            match self.next_event(cursor) {
                Some((t, kind)) if t <= now => {
                    let now_running = kind == Action::Start;
                    if now_running != running {
                        due = Some(kind);
                    }
                    running = now_running;
                    cursor = t;
                }
                _ => return due,
            }
        }
        // Too many events between the two runs to walk: go by the states at both ends.
        let at_now = self.is_working_time(now);
        (at_now != self.is_working_time(previous_run)).then_some(if at_now {
            Action::Start
        } else {
            Action::Stop
        })
    }

    fn next_transition(&self, after: Timestamp, want: Action) -> Option<Timestamp> {
        let mut running = self.is_working_time(after);
        let mut cursor = after;
        for _ in 0..MAX_EVENTS {
            let (t, kind) = self.next_event(cursor)?;
            let was_running = running;
            running = kind == Action::Start;
            if kind == want && running != was_running {
                return Some(t);
            }
            cursor = t;
        }
        None
    }

    /// The next event strictly after `after`; a stop and a start at the same instant give the
    /// stop (it is applied last).
    fn next_event(&self, after: Timestamp) -> Option<(Timestamp, Action)> {
        let stop = self.next_raw(Action::Stop, after);
        let start = self.next_raw(Action::Start, after);
        match (stop, start) {
            (Some(s), Some(t)) if t < s => Some((t, Action::Start)),
            (Some(s), _) => Some((s, Action::Stop)),
            (None, Some(t)) => Some((t, Action::Start)),
            (None, None) => None,
        }
    }

    fn resolve(&self, wall: DateTime) -> Option<Timestamp> {
        self.time_zone.to_ambiguous_timestamp(wall).compatible().ok()
    }

    fn skipped(&self, kind: Action, wall: DateTime) -> bool {
        kind == Action::Start && (self.stop_only || self.holidays.is_holiday(wall.date()))
    }

    /// The first event of `kind` strictly after `after`.
    fn next_raw(&self, kind: Action, after: Timestamp) -> Option<Timestamp> {
        let local = after.to_zoned_datetime(self.time_zone.clone()).datetime();
        match &self.window {
            Window::Hours { days, start, end } => {
                let time = if kind == Action::Start { *start } else { *end };
                // Start a day early: a gap can move an event past midnight's wall clock.
                // Within a day there is one event and days resolve in order, so the first
                // event after `after` is the earliest.
                (-1..=HORIZON_DAYS).find_map(|offset| {
                    let date = local.date().checked_add(offset.days()).ok()?;
                    if !days.contains(date.weekday()) {
                        return None;
                    }
                    let wall = date.to_datetime(time);
                    if self.skipped(kind, wall) {
                        return None;
                    }
                    self.resolve(wall).filter(|t| *t > after)
                })
            }
            Window::Cron { stop, start } => {
                let expr = if kind == Action::Start { start } else { stop };
                // Resolution is not monotonic around a gap, so look at every occurrence from
                // the margin before `after` until one margin past the best found.
                let mut cursor = local.checked_sub(CLOCK_CHANGE_MARGIN).ok()?;
                let mut best: Option<(Timestamp, DateTime)> = None;
                for _ in 0..MAX_OCCURRENCES {
                    let wall = expr.next_after(cursor)?;
                    if let Some((_, best_wall)) = best
                        && wall > best_wall.checked_add(CLOCK_CHANGE_MARGIN).ok()?
                    {
                        break;
                    }
                    cursor = wall;
                    if self.skipped(kind, wall) {
                        continue;
                    }
                    if let Some(t) = self.resolve(wall).filter(|t| *t > after)
                        && best.is_none_or(|(b, _)| t < b)
                    {
                        best = Some((t, wall));
                    }
                }
                best.map(|(t, _)| t)
            }
        }
    }
}
