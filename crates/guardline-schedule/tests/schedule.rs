//! Table tests for schedule evaluation: Tokyo working weeks, Japanese holidays, cron pairs, DST
//! in New York and Berlin (2026), `due` for a cron run every five minutes, and parse errors.

use guardline_schedule::{Action, Builtin, Calendar, Schedule, Window};
use jiff::{SignedDuration, Timestamp};

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("bad timestamp {text}: {e}"))
}

/// `at` in the schedule's zone, e.g. `2026-01-09T19:00:00+09:00[Asia/Tokyo]`.
fn local(schedule: &Schedule, at: Option<Timestamp>) -> String {
    match at {
        Some(t) => t.to_zoned_datetime(schedule.time_zone.clone()).to_string(),
        None => "none".to_owned(),
    }
}

fn tokyo(window: Window, skip: bool) -> Schedule {
    let holidays = if skip { Calendar::builtin(Builtin::Japan) } else { Calendar::default() };
    Schedule::new("dev", window).holidays(holidays)
}

fn weekdays() -> Window {
    Window::parse("weekdays 09:00-19:00").unwrap()
}

fn weekday_crons() -> Window {
    Window::cron("0 19 * * 1-5", "0 9 * * 1-5").unwrap()
}

#[test]
fn tokyo_weekdays_across_a_week() {
    // 2026-02-02 is a Monday; no holiday that week (2/11 is the next Wednesday).
    for window in [weekdays(), weekday_crons()] {
        let s = tokyo(window, true);
        for (at, working) in [
            ("2026-02-02T08:59:59+09:00", false),
            ("2026-02-02T09:00:00+09:00", true),
            ("2026-02-02T18:59:59+09:00", true),
            ("2026-02-02T19:00:00+09:00", false),
            ("2026-02-04T12:00:00+09:00", true),
            ("2026-02-06T18:00:00+09:00", true),
            ("2026-02-06T19:00:00+09:00", false),
            ("2026-02-07T12:00:00+09:00", false),
            ("2026-02-08T12:00:00+09:00", false),
            ("2026-02-09T09:00:00+09:00", true),
        ] {
            assert_eq!(s.is_working_time(ts(at)), working, "{} at {at}", s.window);
        }
        for (after, stop, start) in [
            (
                "2026-02-06T12:00:00+09:00",
                "2026-02-06T19:00:00+09:00[Asia/Tokyo]",
                "2026-02-09T09:00:00+09:00[Asia/Tokyo]",
            ),
            (
                "2026-02-06T19:00:00+09:00",
                "2026-02-09T19:00:00+09:00[Asia/Tokyo]",
                "2026-02-09T09:00:00+09:00[Asia/Tokyo]",
            ),
            (
                "2026-02-07T03:00:00+09:00",
                "2026-02-09T19:00:00+09:00[Asia/Tokyo]",
                "2026-02-09T09:00:00+09:00[Asia/Tokyo]",
            ),
            (
                "2026-02-02T09:00:00+09:00",
                "2026-02-02T19:00:00+09:00[Asia/Tokyo]",
                "2026-02-03T09:00:00+09:00[Asia/Tokyo]",
            ),
        ] {
            assert_eq!(local(&s, s.next_stop(ts(after))), stop, "{} next stop after {after}", s.window);
            assert_eq!(local(&s, s.next_start(ts(after))), start, "{} next start after {after}", s.window);
        }
    }
}

#[test]
fn japanese_holidays_are_skipped_only_when_enabled() {
    // (after, next start with skipping, next start without, next stop with skipping)
    let table = [
        // 2026-01-12 (Mon) 成人の日.
        (
            "2026-01-09T19:00:00+09:00",
            "2026-01-13T09:00:00+09:00[Asia/Tokyo]",
            "2026-01-12T09:00:00+09:00[Asia/Tokyo]",
            "2026-01-13T19:00:00+09:00[Asia/Tokyo]",
        ),
        // Golden Week 2026: 5/4 (Mon), 5/5 (Tue), 5/6 (Wed, 振替休日).
        (
            "2026-05-01T19:00:00+09:00",
            "2026-05-07T09:00:00+09:00[Asia/Tokyo]",
            "2026-05-04T09:00:00+09:00[Asia/Tokyo]",
            "2026-05-07T19:00:00+09:00[Asia/Tokyo]",
        ),
        // Silver Week 2026: 9/21 (Mon), 9/22 (Tue, 国民の休日), 9/23 (Wed).
        (
            "2026-09-18T19:00:00+09:00",
            "2026-09-24T09:00:00+09:00[Asia/Tokyo]",
            "2026-09-21T09:00:00+09:00[Asia/Tokyo]",
            "2026-09-24T19:00:00+09:00[Asia/Tokyo]",
        ),
    ];
    for window in [weekdays(), weekday_crons()] {
        let on = tokyo(window.clone(), true);
        let off = tokyo(window, false);
        for (after, start_on, start_off, stop_on) in table {
            assert_eq!(
                local(&on, on.next_start(ts(after))),
                start_on,
                "{} skipping, after {after}",
                on.window
            );
            assert_eq!(
                local(&off, off.next_start(ts(after))),
                start_off,
                "{} not skipping, after {after}",
                off.window
            );
            assert_eq!(local(&on, on.next_stop(ts(after))), stop_on, "{} skipping, after {after}", on.window);
        }
        // Midday on the holiday: stopped when skipping, running when not.
        for at in ["2026-01-12T12:00:00+09:00", "2026-05-04T12:00:00+09:00", "2026-05-06T12:00:00+09:00"] {
            assert!(!on.is_working_time(ts(at)), "{} skipping at {at}", on.window);
            assert!(off.is_working_time(ts(at)), "{} not skipping at {at}", off.window);
        }
        // The stop at the end of the working day before the holiday still happens.
        assert_eq!(
            local(&on, on.next_stop(ts("2026-01-09T12:00:00+09:00"))),
            "2026-01-09T19:00:00+09:00[Asia/Tokyo]"
        );
    }
}

#[test]
fn cron_pairs() {
    let s = tokyo(Window::cron("30 20 * * mon-fri", "45 8 * * MON-FRI").unwrap(), false);
    assert_eq!(
        local(&s, s.next_start(ts("2026-02-06T21:00:00+09:00"))),
        "2026-02-09T08:45:00+09:00[Asia/Tokyo]"
    );
    assert_eq!(
        local(&s, s.next_stop(ts("2026-02-06T08:00:00+09:00"))),
        "2026-02-06T20:30:00+09:00[Asia/Tokyo]"
    );
    assert!(s.is_working_time(ts("2026-02-06T20:29:00+09:00")));
    assert!(!s.is_working_time(ts("2026-02-06T20:30:00+09:00")));

    // A working period that crosses midnight: start 22:00, stop 06:00, every day.
    let night = tokyo(Window::cron("0 6 * * *", "0 22 * * *").unwrap(), false);
    assert!(night.is_working_time(ts("2026-02-07T02:00:00+09:00")));
    assert!(!night.is_working_time(ts("2026-02-07T12:00:00+09:00")));
    assert_eq!(
        local(&night, night.next_stop(ts("2026-02-06T23:00:00+09:00"))),
        "2026-02-07T06:00:00+09:00[Asia/Tokyo]"
    );
}

#[test]
fn dst_new_york_and_berlin_2026() {
    // (zone, window, after, expected next start, expected next stop)
    let table = [
        // New York springs forward on Sun 2026-03-08, falls back on Sun 2026-11-01.
        (
            "America/New_York",
            "weekdays 09:00-19:00",
            "2026-03-06T19:00:00-05:00",
            "2026-03-09T09:00:00-04:00[America/New_York]",
            "2026-03-09T19:00:00-04:00[America/New_York]",
        ),
        (
            "America/New_York",
            "weekdays 09:00-19:00",
            "2026-10-30T19:00:00-04:00",
            "2026-11-02T09:00:00-05:00[America/New_York]",
            "2026-11-02T19:00:00-05:00[America/New_York]",
        ),
        (
            "America/New_York",
            "daily 09:00-19:00",
            "2026-03-07T19:00:00-05:00",
            "2026-03-08T09:00:00-04:00[America/New_York]",
            "2026-03-08T19:00:00-04:00[America/New_York]",
        ),
        (
            "America/New_York",
            "daily 09:00-19:00",
            "2026-10-31T19:00:00-04:00",
            "2026-11-01T09:00:00-05:00[America/New_York]",
            "2026-11-01T19:00:00-05:00[America/New_York]",
        ),
        // Berlin: Sun 2026-03-29 and Sun 2026-10-25.
        (
            "Europe/Berlin",
            "daily 09:00-19:00",
            "2026-03-28T19:00:00+01:00",
            "2026-03-29T09:00:00+02:00[Europe/Berlin]",
            "2026-03-29T19:00:00+02:00[Europe/Berlin]",
        ),
        (
            "Europe/Berlin",
            "daily 09:00-19:00",
            "2026-10-24T19:00:00+02:00",
            "2026-10-25T09:00:00+01:00[Europe/Berlin]",
            "2026-10-25T19:00:00+01:00[Europe/Berlin]",
        ),
        (
            "Europe/Berlin",
            "mon-fri 09:00–19:00",
            "2026-03-27T19:00:00+01:00",
            "2026-03-30T09:00:00+02:00[Europe/Berlin]",
            "2026-03-30T19:00:00+02:00[Europe/Berlin]",
        ),
        (
            "Europe/Berlin",
            "mon-fri 09:00–19:00",
            "2026-10-23T19:00:00+02:00",
            "2026-10-26T09:00:00+01:00[Europe/Berlin]",
            "2026-10-26T19:00:00+01:00[Europe/Berlin]",
        ),
    ];
    for (zone, text, after, start, stop) in table {
        // Each row also runs as the equivalent cron pair.
        let days = if text.starts_with("daily") { "*" } else { "1-5" };
        let cron = Window::cron(&format!("0 19 * * {days}"), &format!("0 9 * * {days}")).unwrap();
        for window in [Window::parse(text).unwrap(), cron] {
            let s = Schedule::new("dev", window).with_time_zone(zone).unwrap();
            assert_eq!(local(&s, s.next_start(ts(after))), start, "{zone} {} after {after}", s.window);
            assert_eq!(local(&s, s.next_stop(ts(after))), stop, "{zone} {} after {after}", s.window);
        }
    }
}

#[test]
fn dst_gap_and_fold_use_compatible_disambiguation() {
    let ny = |window: Window| Schedule::new("dev", window).with_time_zone("America/New_York").unwrap();
    // 02:30 does not exist on 2026-03-08 in New York: the start happens after the gap, 03:30 EDT.
    for window in
        [Window::parse("daily 02:30-05:00").unwrap(), Window::cron("0 5 * * *", "30 2 * * *").unwrap()]
    {
        let s = ny(window);
        assert_eq!(
            local(&s, s.next_start(ts("2026-03-07T06:00:00-05:00"))),
            "2026-03-08T03:30:00-04:00[America/New_York]",
            "{}",
            s.window
        );
        // Asked about an instant inside the hour after the gap, the shifted start is still ahead.
        assert_eq!(
            local(&s, s.next_start(ts("2026-03-08T03:10:00-04:00"))),
            "2026-03-08T03:30:00-04:00[America/New_York]",
            "{}",
            s.window
        );
        assert!(!s.is_working_time(ts("2026-03-08T03:29:00-04:00")));
        assert!(s.is_working_time(ts("2026-03-08T03:30:00-04:00")));
    }
    // 01:30 happens twice on 2026-11-01: the start is the earlier one (EDT), and only that one.
    for window in
        [Window::parse("daily 01:30-05:00").unwrap(), Window::cron("0 5 * * *", "30 1 * * *").unwrap()]
    {
        let s = ny(window);
        assert_eq!(
            local(&s, s.next_start(ts("2026-10-31T06:00:00-04:00"))),
            "2026-11-01T01:30:00-04:00[America/New_York]",
            "{}",
            s.window
        );
        assert_eq!(
            local(&s, s.next_start(ts("2026-11-01T01:31:00-04:00"))),
            "2026-11-02T01:30:00-05:00[America/New_York]",
            "{}",
            s.window
        );
        assert_eq!(
            s.due(ts("2026-11-01T01:31:00-04:00"), ts("2026-11-01T01:45:00-05:00")),
            None,
            "{}",
            s.window
        );
    }
}

#[test]
fn due_for_a_run_every_five_minutes() {
    for window in [weekdays(), weekday_crons()] {
        for skip in [false, true] {
            let s = tokyo(window.clone(), skip);
            let mut dues = Vec::new();
            // Thu 2026-02-05 18:30 to Mon 2026-02-09 09:30, every five minutes.
            let mut previous = ts("2026-02-05T18:30:00+09:00");
            let end = ts("2026-02-09T09:30:00+09:00");
            while previous < end {
                let now = previous + SignedDuration::from_mins(5);
                if let Some(action) = s.due(previous, now) {
                    dues.push((local(&s, Some(now)), action));
                }
                previous = now;
            }
            assert_eq!(
                dues,
                [
                    ("2026-02-05T19:00:00+09:00[Asia/Tokyo]".to_owned(), Action::Stop),
                    ("2026-02-06T09:00:00+09:00[Asia/Tokyo]".to_owned(), Action::Start),
                    ("2026-02-06T19:00:00+09:00[Asia/Tokyo]".to_owned(), Action::Stop),
                    ("2026-02-09T09:00:00+09:00[Asia/Tokyo]".to_owned(), Action::Start),
                ],
                "{}",
                s.window
            );
        }
    }
    let s = tokyo(weekdays(), true);
    // A late run still gets the transition it missed; a run across a whole cycle gets the last.
    assert_eq!(s.due(ts("2026-02-05T18:55:00+09:00"), ts("2026-02-05T19:07:00+09:00")), Some(Action::Stop));
    assert_eq!(s.due(ts("2026-02-05T18:55:00+09:00"), ts("2026-02-06T09:01:00+09:00")), Some(Action::Start));
    assert_eq!(s.due(ts("2026-02-05T19:00:00+09:00"), ts("2026-02-05T19:00:00+09:00")), None);
    // Over a holiday Monday nothing is due.
    assert_eq!(s.due(ts("2026-01-12T08:55:00+09:00"), ts("2026-01-12T09:05:00+09:00")), None);
}

#[test]
fn human_forms_parse() {
    for (text, display) in [
        ("weekdays 09:00-19:00", "weekdays 09:00-19:00"),
        ("mon-fri 09:00–19:00", "weekdays 09:00-19:00"),
        ("Mon-Fri 9:00 - 19:00", "weekdays 09:00-19:00"),
        ("daily 08:00-20:00", "daily 08:00-20:00"),
        ("sat,sun 10:00-12:00", "weekends 10:00-12:00"),
        ("mon,wed-thu 07:30-08:15", "mon,wed,thu 07:30-08:15"),
        ("tuesday 10:00-11:00", "tue 10:00-11:00"),
    ] {
        assert_eq!(Window::parse(text).map(|w| w.to_string()), Ok(display.to_owned()), "{text}");
    }
}

#[test]
fn parse_errors() {
    let mut out = String::new();
    for text in [
        "weekdays 25:00-19:00",
        "weekdays 09:60-19:00",
        "weekdays 19:00-09:00",
        "weekdays 09:00",
        "weekdays",
        "",
        "workdays 09:00-19:00",
        "fri-mon 09:00-19:00",
        "mon,,fri 09:00-19:00",
        "weekdays 9-19",
        "weekdays 09:00-1900",
    ] {
        out.push_str(&format!("{}\n", Window::parse(text).unwrap_err()));
    }
    for (stop, start) in [
        ("0 19 * * 1-5", "0 9 * * 1-5 *"),
        ("0 25 * * 1-5", "0 9 * * 1-5"),
        ("0 19 * * 1-5", "0 9 * * funday"),
    ] {
        out.push_str(&format!("{}\n", Window::cron(stop, start).unwrap_err()));
    }
    out.push_str(&format!(
        "{}\n",
        Schedule::new("dev", weekdays()).with_time_zone("Asia/Osaka").unwrap_err()
    ));
    insta::assert_snapshot!(out);
}

#[test]
fn a_stop_only_schedule_stops_at_every_stop_and_never_starts() {
    for window in [weekdays(), weekday_crons()] {
        let s = tokyo(window, false).stop_only(true);
        // Monday 2026-02-02: the 09:00 start is no event; the 19:00 stop is due even though nothing
        // started the instances (someone did, by hand), and so is the next day's.
        assert_eq!(local(&s, s.next_start(ts("2026-02-02T08:00:00+09:00"))), "none");
        assert_eq!(
            local(&s, s.next_stop(ts("2026-02-02T08:00:00+09:00"))),
            "2026-02-02T19:00:00+09:00[Asia/Tokyo]"
        );
        assert_eq!(s.due(ts("2026-02-02T08:55:00+09:00"), ts("2026-02-02T09:05:00+09:00")), None);
        assert_eq!(
            s.due(ts("2026-02-02T18:58:00+09:00"), ts("2026-02-02T19:03:00+09:00")),
            Some(Action::Stop)
        );
        assert_eq!(
            s.due(ts("2026-02-03T18:58:00+09:00"), ts("2026-02-03T19:03:00+09:00")),
            Some(Action::Stop),
            "every day's stop, not only a transition"
        );
        assert!(!s.is_working_time(ts("2026-02-02T12:00:00+09:00")));
    }
}

#[test]
fn stopped_hours_count_the_off_hours() {
    // Monday 2026-02-02 00:00 to Monday 2026-02-09 00:00 in Tokyo: five 10-hour working days, so 168 - 50.
    let from = ts("2026-02-02T00:00:00+09:00");
    let to = ts("2026-02-09T00:00:00+09:00");
    for window in [weekdays(), weekday_crons()] {
        let s = tokyo(window, false);
        assert!((s.stopped_hours(from, to) - 118.0).abs() < 1e-9, "{}", s.stopped_hours(from, to));
        // Starting mid-day counts from there.
        let noon = ts("2026-02-02T12:00:00+09:00");
        assert!((s.stopped_hours(noon, to) - (118.0 - 9.0)).abs() < 1e-9);
        let stop_only = s.clone().stop_only(true);
        assert!((stop_only.stopped_hours(from, to) - 168.0).abs() < 1e-9);
        assert_eq!(s.stopped_hours(to, from), 0.0);
    }
}

/// An installed start task has no time zone database: it gets each holiday as the instants it begins and
/// ends in the schedule's zone, across DST too.
#[test]
fn holiday_spans_are_local_midnight_to_midnight() {
    let tokyo = tokyo(weekdays(), true);
    let spans = tokyo.holiday_spans(2026, 2026);
    assert_eq!(spans.len(), 18, "Japan's 2026 holidays, substitute and citizens' days included");
    assert_eq!(
        (spans[0].1.to_string(), spans[0].2.to_string()),
        ("2025-12-31T15:00:00Z".to_owned(), "2026-01-01T15:00:00Z".to_owned())
    );
    let new_york = Schedule::new("us", weekdays()).with_time_zone("America/New_York").unwrap().holidays(
        Calendar::builtin(Builtin::UnitedStates)
            .and(Calendar::dates("company", [jiff::civil::date(2026, 3, 8)])),
    );
    let spans = new_york.holiday_spans(2026, 2026);
    // 8 March 2026 is the spring-forward day: 23 hours long.
    let march = spans.iter().find(|(date, ..)| *date == jiff::civil::date(2026, 3, 8)).unwrap();
    assert_eq!(
        (march.1.to_string(), march.2.to_string()),
        ("2026-03-08T05:00:00Z".to_owned(), "2026-03-09T04:00:00Z".to_owned())
    );
    assert_eq!(spans.len(), 12);
}
