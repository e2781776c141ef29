//! `schedule run`: what is due for each schedule at an instant ([`due_at`], from the pure evaluator, so
//! holidays are respected), and stopping or starting the selected instances of each region ([`run`]).
//! An instance carrying the production tag is never stopped or started, whatever its other tags say: its
//! tags are checked in the listing and read again immediately before its own stop or start call, so that a
//! production tag put on it in between still wins, and one instance failing does not fail the others. An
//! instance its owner holds (`guardline::hold`: `guardline:hold-until` and `guardline:hold-owner`) is not
//! stopped until the hold ends; a hold that is not honoured is named beside the stop.

use aws_config::{Region, SdkConfig};
use guardline_config::{ProductionTag, ScheduleConfig};
use guardline_schedule::Action;
use jiff::civil::DateTime;
use jiff::{SignedDuration, Timestamp};

use guardline_config::hold::{Hold, hold};

use super::instances::{Selected, current_tags, matching, start, stop};

/// The instant `--at` names: an RFC 3339 timestamp, or a wall-clock time read in each schedule's own zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    Instant(Timestamp),
    Local(DateTime),
}

impl At {
    /// `2026-12-01T19:00:00+09:00` (or `Z`) or `2026-12-01T19:00` (wall clock).
    pub fn parse(text: &str) -> Result<At, String> {
        if let Ok(instant) = text.parse::<Timestamp>() {
            return Ok(At::Instant(instant));
        }
        text.parse::<DateTime>().map(At::Local).map_err(|_| {
            format!(
                "--at {text:?} is neither an RFC 3339 time (2026-12-01T19:00:00+09:00) nor YYYY-MM-DDTHH:MM"
            )
        })
    }

    /// The instant, a wall-clock time being read in `schedule`'s zone.
    pub fn instant(&self, schedule: &ScheduleConfig) -> Result<Timestamp, String> {
        match self {
            At::Instant(instant) => Ok(*instant),
            At::Local(wall) => schedule
                .schedule
                .time_zone
                .to_ambiguous_timestamp(*wall)
                .compatible()
                .map_err(|error| format!("{wall} in the zone of schedule {}: {error}", schedule.name)),
        }
    }
}

/// What a run at `at` must do for `schedule`: the last transition in `(at - interval, at]`.
pub fn due_at(schedule: &ScheduleConfig, at: Timestamp, interval: SignedDuration) -> Option<Action> {
    let previous = at.checked_sub(interval).unwrap_or(at);
    schedule.schedule.due(previous, at)
}

/// What happened to one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub schedule: String,
    pub region: String,
    /// `i-0123 (web-dev)`.
    pub instance: String,
    pub action: Action,
    /// `stopped`, `already stopped`, `skipped: production (Tier=prod)`, `would stop (dry run)`, `failed: ...`.
    pub result: String,
    pub failed: bool,
}

/// Carries out `action` for `schedule` in every region; with `dry_run`, only reports what it would do.
/// `at`: the run's instant, at which holds (`guardline:hold-until`) are judged.
pub async fn run(
    config: &SdkConfig,
    schedule: &ScheduleConfig,
    regions: &[String],
    production: &ProductionTag,
    action: Action,
    dry_run: bool,
    at: Timestamp,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for region in regions {
        let config = config.to_builder().region(Region::new(region.clone())).build();
        let ec2 = aws_sdk_ec2::Client::new(&config);
        let row = |instance: String, result: String, failed: bool| Row {
            schedule: schedule.name.clone(),
            region: region.clone(),
            instance,
            action,
            result,
            failed,
        };
        let instances = match matching(&ec2, &schedule.select).await {
            Ok(instances) => instances,
            Err(error) => {
                rows.push(row("(listing instances)".to_owned(), format!("failed: {error}"), true));
                continue;
            }
        };
        for instance in &instances {
            if let Some(tag) = instance.production_tag(production) {
                rows.push(row(
                    instance.label(),
                    format!("skipped: production ({tag}), never touched"),
                    false,
                ));
                continue;
            }
            // A hold keeps an instance running through stops (never affects a start).
            let mut ignored_hold = String::new();
            if action == Action::Stop {
                match hold(&instance.tags, at) {
                    Hold::Held { until, owner } => {
                        rows.push(row(instance.label(), held_text(&until, &owner), false));
                        continue;
                    }
                    Hold::Ignored { why } => ignored_hold = format!(" (hold ignored: {why})"),
                    Hold::None => {}
                }
            }
            let (acts, settled) = match action {
                Action::Stop => (matches!(instance.state.as_str(), "running" | "pending"), "already stopped"),
                Action::Start => (instance.state == "stopped", "already running"),
            };
            if !acts {
                let result =
                    if matches!(instance.state.as_str(), "stopping" | "stopped" | "running" | "pending") {
                        format!("{settled} ({})", instance.state)
                    } else {
                        format!("skipped: {}", instance.state)
                    };
                rows.push(row(instance.label(), result, false));
            } else if dry_run {
                rows.push(row(
                    instance.label(),
                    format!("would {} (dry run){ignored_hold}", verb(action)),
                    false,
                ));
            } else {
                let (result, failed) = act(&ec2, schedule, production, instance, action, at).await;
                rows.push(row(instance.label(), format!("{result}{ignored_hold}"), failed));
            }
        }
    }
    rows
}

/// Stops or starts one instance, after re-reading its tags: a production tag put on it since the listing
/// (or a selector tag taken off) wins. One call per instance, so one failure fails only that instance.
async fn act(
    ec2: &aws_sdk_ec2::Client,
    schedule: &ScheduleConfig,
    production: &ProductionTag,
    instance: &Selected,
    action: Action,
    at: Timestamp,
) -> (String, bool) {
    let tags = match current_tags(ec2, &instance.id).await {
        Ok(tags) => tags,
        Err(error) => return (format!("failed: re-reading its tags before the call: {error}"), true),
    };
    if let Some(tag) = production.describe_match(&tags) {
        return (format!("skipped: production ({tag}, tagged since the listing), never touched"), false);
    }
    if action == Action::Stop
        && let Hold::Held { until, owner } = hold(&tags, at)
    {
        return (format!("{} (since the listing)", held_text(&until, &owner)), false);
    }
    if !schedule.select.matches(&tags) {
        return ("skipped: no longer selected (its tags changed since the listing)".to_owned(), false);
    }
    let result = match action {
        Action::Stop => stop(ec2, &instance.id).await,
        Action::Start => start(ec2, &instance.id).await,
    };
    match result {
        Ok(state) => (format!("{} (now {state})", past(action)), false),
        Err(error) => (format!("failed: {error}"), true),
    }
}

/// `skipped: held by alice@example.com until 2026-12-05T09:00:00Z (guardline:hold-until)`.
fn held_text(until: &Timestamp, owner: &str) -> String {
    format!("skipped: held by {owner} until {until} ({})", guardline_config::hold::UNTIL_KEY)
}

fn verb(action: Action) -> &'static str {
    super::plan::verb(action)
}

fn past(action: Action) -> &'static str {
    match action {
        Action::Stop => "stopped",
        Action::Start => "started",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_takes_rfc3339_or_wall_clock() {
        assert!(matches!(At::parse("2026-12-01T19:00:00+09:00"), Ok(At::Instant(_))));
        assert!(matches!(At::parse("2026-12-01T10:00:00Z"), Ok(At::Instant(_))));
        assert!(matches!(At::parse("2026-12-01T19:00"), Ok(At::Local(_))));
        assert!(At::parse("tomorrow").is_err());
    }
}
