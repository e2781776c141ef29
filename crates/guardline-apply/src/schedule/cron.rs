//! [`aws_crons`]: a schedule's [`Window`] rendered as the stop and start expressions AWS takes, the
//! 6-field `cron(Minutes Hours Day-of-month Month Day-of-week Year)` of SSM maintenance windows and
//! EventBridge Scheduler, read in the IANA zone given beside it (`ScheduleTimezone`,
//! `ScheduleExpressionTimezone`).
//!
//! AWS cron differs from the 5-field cron of `[schedules]`: one of day-of-month and day-of-week must be `?`
//! (so "this day of the month OR this weekday" cannot be said), days of the week are 1-7 from Sunday (written
//! here as names, `MON-FRI`, to avoid the off-by-one), and there is no holiday calendar at all. Whatever
//! cannot be rendered exactly is an error, never an approximation.

use guardline_schedule::{Days, Window};
use jiff::civil::Weekday;

/// The two AWS expressions of one window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsCrons {
    /// When instances are stopped, e.g. `cron(0 19 ? * MON-FRI *)`.
    pub stop: String,
    /// When instances are started, e.g. `cron(0 9 ? * MON-FRI *)`.
    pub start: String,
}

const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "MON"),
    (Weekday::Tuesday, "TUE"),
    (Weekday::Wednesday, "WED"),
    (Weekday::Thursday, "THU"),
    (Weekday::Friday, "FRI"),
    (Weekday::Saturday, "SAT"),
    (Weekday::Sunday, "SUN"),
];

/// The window as AWS cron expressions; the error says what AWS cron cannot express.
pub fn aws_crons(window: &Window) -> Result<AwsCrons, String> {
    match window {
        Window::Hours { days, start, end } => {
            let (dom, dow) = day_fields(|day| days.contains(day), *days == Days::DAILY);
            let at =
                |time: &jiff::civil::Time| format!("cron({} {} {dom} * {dow} *)", time.minute(), time.hour());
            Ok(AwsCrons { stop: at(end), start: at(start) })
        }
        Window::Cron { stop, start } => Ok(AwsCrons {
            stop: from_five_fields(stop.as_str()).map_err(|error| format!("stop-cron: {error}"))?,
            start: from_five_fields(start.as_str()).map_err(|error| format!("start-cron: {error}"))?,
        }),
    }
}

/// Day-of-month and day-of-week fields for a set of weekdays.
fn day_fields(contains: impl Fn(Weekday) -> bool, every_day: bool) -> (&'static str, String) {
    if every_day {
        return ("*", "?".to_owned());
    }
    let names: Vec<&str> = DAYS.iter().filter(|(day, _)| contains(*day)).map(|(_, name)| *name).collect();
    let list = names.join(",");
    let dow = match list.as_str() {
        "MON,TUE,WED,THU,FRI" => "MON-FRI".to_owned(),
        _ => list,
    };
    ("?", dow)
}

/// A 5-field cron (`m h dom mon dow`, days of the week 0-7 from Sunday) as an AWS expression.
fn from_five_fields(text: &str) -> Result<String, String> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    let [minute, hour, dom, month, dow] = fields.as_slice() else {
        return Err(format!("{text:?} is not 5 fields (minute hour day-of-month month day-of-week)"));
    };
    let any = |field: &str| field == "*" || field == "?";
    let (dom, dow) = match (any(dom), any(dow)) {
        (_, true) => ((if any(dom) { "*" } else { dom }).to_string(), "?".to_owned()),
        (true, false) => {
            let days = weekdays(dow).map_err(|error| format!("{text:?}: {error}"))?;
            let (_, dow) = day_fields(|day| days.contains(&day), days.len() == 7);
            if days.len() == 7 { ("*".to_owned(), "?".to_owned()) } else { ("?".to_owned(), dow) }
        }
        (false, false) => {
            return Err(format!(
                "{text:?} restricts both the day of the month and the day of the week (cron's \"either\"), which \
                 AWS cron cannot express"
            ));
        }
    };
    Ok(format!("cron({minute} {hour} {dom} {month} {dow} *)"))
}

/// The weekdays a 5-field cron day-of-week field names: numbers 0-7 (0 and 7 are Sunday), names, ranges and
/// lists. Steps, `L` and `#` are refused.
fn weekdays(field: &str) -> Result<Vec<Weekday>, String> {
    let mut days = Vec::new();
    for part in field.split(',') {
        let (from, to) = match part.split_once('-') {
            Some((from, to)) => (day_number(from)?, day_number(to)?),
            None => {
                let day = day_number(part)?;
                (day, day)
            }
        };
        let to = if to == 0 && from > 0 { 7 } else { to };
        if from > to {
            return Err(format!("day-of-week range {part:?} runs backwards"));
        }
        for number in from..=to {
            let day =
                Weekday::from_sunday_zero_offset((number % 7) as i8).map_err(|error| error.to_string())?;
            if !days.contains(&day) {
                days.push(day);
            }
        }
    }
    Ok(days)
}

fn day_number(text: &str) -> Result<u8, String> {
    let names = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    if let Some(index) = names.iter().position(|name| name.eq_ignore_ascii_case(text)) {
        return Ok(index as u8);
    }
    match text.parse::<u8>() {
        Ok(number) if number <= 7 => Ok(number),
        _ => Err(format!(
            "day of the week {text:?} cannot be installed in AWS cron (use 0-7, SUN-SAT, ranges and lists)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crons(window: Window) -> (String, String) {
        let crons = aws_crons(&window).unwrap();
        (crons.stop, crons.start)
    }

    #[test]
    fn human_windows() {
        let window = Window::parse("weekdays 09:00-19:00").unwrap();
        assert_eq!(crons(window), ("cron(0 19 ? * MON-FRI *)".into(), "cron(0 9 ? * MON-FRI *)".into()));
        let window = Window::parse("daily 08:30-20:15").unwrap();
        assert_eq!(crons(window), ("cron(15 20 * * ? *)".into(), "cron(30 8 * * ? *)".into()));
        let window = Window::parse("mon,wed-fri 10:00-12:00").unwrap();
        assert_eq!(crons(window).0, "cron(0 12 ? * MON,WED,THU,FRI *)");
        let window = Window::parse("weekends 10:00-12:00").unwrap();
        assert_eq!(crons(window).0, "cron(0 12 ? * SAT,SUN *)");
    }

    #[test]
    fn cron_pairs() {
        let window = Window::cron("0 19 * * 1-5", "30 8 * * mon-fri").unwrap();
        assert_eq!(crons(window), ("cron(0 19 ? * MON-FRI *)".into(), "cron(30 8 ? * MON-FRI *)".into()));
        let window = Window::cron("0 22 * * *", "0 7 1 * *").unwrap();
        assert_eq!(crons(window), ("cron(0 22 * * ? *)".into(), "cron(0 7 1 * ? *)".into()));
        let window = Window::cron("0 1 * * 0,6", "0 2 * * 5-7").unwrap();
        assert_eq!(crons(window), ("cron(0 1 ? * SAT,SUN *)".into(), "cron(0 2 ? * FRI,SAT,SUN *)".into()));
    }

    #[test]
    fn what_aws_cron_cannot_express_is_an_error() {
        let window = Window::cron("0 19 1 * 1-5", "0 9 * * 1-5").unwrap();
        assert!(aws_crons(&window).unwrap_err().contains("both the day of the month"));
    }
}
