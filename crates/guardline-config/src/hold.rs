//! [`hold`]: a temporary override that keeps one instance running through its schedule's stops, set by
//! whoever needs it with two tags on the instance:
//!
//! - `guardline:hold-until`: when the hold ends, an RFC 3339 time (`2026-12-05T18:00:00+09:00`) or a date
//!   (`2026-12-05`: the end of that day anywhere on Earth, UTC−12, so the whole date is covered wherever the
//!   owner is);
//! - `guardline:hold-owner`: who holds it (a name or an address), required.
//!
//! A hold is honoured only while it has an owner, a readable end in the future, and that end at most
//! [`MAX_HOLD_DAYS`] days away: an override is temporary by definition, and one that is not (no owner, no
//! end, a year away) is reported as ignored and the instance is stopped as scheduled. Keys are compared
//! trimmed and without case, like the production tag's. A hold never starts an instance and never affects
//! a start. This is the one hold rule of Guardline: `schedule run` and the stop runbook Guardline installs
//! (its Python handler implements the same rules; a test runs it on the same cases, `hold_cases.json`)
//! follow it.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

/// The tag holding the end of the hold.
pub const UNTIL_KEY: &str = "guardline:hold-until";
/// The tag naming who holds it.
pub const OWNER_KEY: &str = "guardline:hold-owner";
/// The longest hold honoured, from now.
pub const MAX_HOLD_DAYS: i64 = 31;

/// What an instance's tags say about a hold at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hold {
    /// No `guardline:hold-until` tag.
    None,
    /// Kept running until `until`, on `owner`'s word.
    Held { until: Timestamp, owner: String },
    /// A hold tag that is not honoured, and why.
    Ignored { why: String },
}

/// The hold `tags` describe at `now`.
pub fn hold(tags: &BTreeMap<String, String>, now: Timestamp) -> Hold {
    let tag = |wanted: &str| {
        tags.iter().find(|(key, _)| key.trim().eq_ignore_ascii_case(wanted)).map(|(_, value)| value.trim())
    };
    let Some(until) = tag(UNTIL_KEY) else { return Hold::None };
    let Some(until) = parse_until(until) else {
        return Hold::Ignored {
            why: format!("{UNTIL_KEY} = {until:?} is neither an RFC 3339 time nor a date (YYYY-MM-DD)"),
        };
    };
    let owner = tag(OWNER_KEY).unwrap_or_default();
    if owner.is_empty() {
        return Hold::Ignored { why: format!("the hold has no owner (tag {OWNER_KEY})") };
    }
    if until <= now {
        return Hold::Ignored { why: format!("the hold of {owner} ended at {until}") };
    }
    if until.duration_since(now) > SignedDuration::from_hours(24 * MAX_HOLD_DAYS) {
        return Hold::Ignored {
            why: format!("the hold of {owner} ends more than {MAX_HOLD_DAYS} days from now ({until})"),
        };
    }
    Hold::Held { until, owner: owner.to_owned() }
}

/// An RFC 3339 time, or a date read as the end of that day at UTC−12.
fn parse_until(text: &str) -> Option<Timestamp> {
    if let Ok(instant) = text.parse::<Timestamp>() {
        return Some(instant);
    }
    let date: jiff::civil::Date = text.parse().ok()?;
    let next_day = date.tomorrow().ok()?;
    let anywhere = jiff::tz::TimeZone::fixed(jiff::tz::offset(-12));
    anywhere.to_ambiguous_timestamp(next_day.to_datetime(jiff::civil::Time::midnight())).compatible().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared cases (also run against the stop runbook's Python handler).
    #[test]
    fn the_hold_cases() {
        let cases: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("hold_cases.json")).expect("the cases parse");
        assert!(cases.len() >= 8);
        for case in cases {
            let tags: BTreeMap<String, String> = serde_json::from_value(case["tags"].clone()).unwrap();
            let now: Timestamp = case["now"].as_str().unwrap().parse().unwrap();
            let held = matches!(hold(&tags, now), Hold::Held { .. });
            assert_eq!(held, case["held"].as_bool().unwrap(), "{case}: {:?}", hold(&tags, now));
        }
    }

    #[test]
    fn a_date_covers_the_whole_day_anywhere() {
        let tags = BTreeMap::from([
            (UNTIL_KEY.to_owned(), "2026-12-05".to_owned()),
            (OWNER_KEY.to_owned(), "alice@example.com".to_owned()),
        ]);
        let Hold::Held { until, owner } = hold(&tags, "2026-12-05T23:00:00+09:00".parse().unwrap()) else {
            panic!()
        };
        assert_eq!(until.to_string(), "2026-12-06T12:00:00Z");
        assert_eq!(owner, "alice@example.com");
    }
}
