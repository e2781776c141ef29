//! [`Window`]: when instances should be RUNNING, parsed from text.
//!
//! Two forms:
//! - the human form `DAYS HH:MM-HH:MM` (hyphen or en dash, spaces around it allowed), where DAYS
//!   is `weekdays`, `weekends`, `daily` (or `everyday`), or a comma list of day names and ranges
//!   (`mon-fri`, `sat,sun`, `mon,wed-fri`). The start must be before the end: a window does not
//!   cross midnight (use a cron pair for that);
//! - a cron pair: a stop cron and a start cron, 5 fields each, in the schedule's time zone.
//!
//! Outside the window instances are stopped.

use std::fmt;
use std::str::FromStr;

use jiff::civil::{Time, Weekday};

use crate::ParseError;
use crate::cron::CronExpr;

/// A set of days of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Days(u8);

const NAMES: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

impl Days {
    /// Monday to Friday.
    pub const WEEKDAYS: Days = Days(0b001_1111);
    /// Saturday and Sunday.
    pub const WEEKENDS: Days = Days(0b110_0000);
    /// Every day.
    pub const DAILY: Days = Days(0b111_1111);

    fn bit(day: Weekday) -> u8 {
        1 << day.to_monday_zero_offset()
    }

    /// Does the set contain `day`?
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & Self::bit(day) != 0
    }
}

impl fmt::Display for Days {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Days::WEEKDAYS => f.write_str("weekdays"),
            Days::WEEKENDS => f.write_str("weekends"),
            Days::DAILY => f.write_str("daily"),
            days => {
                let names: Vec<&str> =
                    NAMES.iter().filter(|(_, d)| days.contains(*d)).map(|(n, _)| *n).collect();
                f.write_str(&names.join(","))
            }
        }
    }
}

/// When instances should be running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Window {
    /// Running from `start` to `end` (wall-clock, `start < end`) on `days`.
    Hours {
        /// The days the window applies to.
        days: Days,
        /// When instances start.
        start: Time,
        /// When instances stop.
        end: Time,
    },
    /// Stopped at each occurrence of `stop`, started at each occurrence of `start`.
    Cron {
        /// The stop cron.
        stop: Box<CronExpr>,
        /// The start cron.
        start: Box<CronExpr>,
    },
}

impl Window {
    /// Parses the human form, e.g. `"weekdays 09:00-19:00"` or `"sat,sun 10:00–12:00"`.
    pub fn parse(text: &str) -> Result<Window, ParseError> {
        Parser { input: text }.window()
    }

    /// A cron pair: `stop` and `start` are 5-field cron expressions in the schedule's time zone,
    /// e.g. `("0 19 * * 1-5", "0 9 * * 1-5")`.
    pub fn cron(stop: &str, start: &str) -> Result<Window, ParseError> {
        Ok(Window::Cron {
            stop: Box::new(CronExpr::parse("stop", stop)?),
            start: Box::new(CronExpr::parse("start", start)?),
        })
    }
}

impl FromStr for Window {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Window, ParseError> {
        Window::parse(s)
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Window::Hours { days, start, end } => {
                write!(f, "{days} {}-{}", start.strftime("%H:%M"), end.strftime("%H:%M"))
            }
            Window::Cron { stop, start } => {
                write!(f, "stop {:?}, start {:?}", stop.as_str(), start.as_str())
            }
        }
    }
}

struct Parser<'a> {
    input: &'a str,
}

impl Parser<'_> {
    /// An error at byte offset `at`.
    fn error(&self, at: usize, message: impl Into<String>) -> ParseError {
        ParseError::Window {
            input: self.input.to_owned(),
            message: message.into(),
            column: self.input[..at].chars().count() + 1,
        }
    }

    /// Byte offset of `part` (a subslice of the input).
    fn offset(&self, part: &str) -> usize {
        part.as_ptr() as usize - self.input.as_ptr() as usize
    }

    fn window(&self) -> Result<Window, ParseError> {
        let text = self.input.trim_start();
        if text.trim().is_empty() {
            return Err(self.error(0, "empty window: expected e.g. \"weekdays 09:00-19:00\""));
        }
        let (days_text, rest) = match text.find(char::is_whitespace) {
            Some(i) => (&text[..i], &text[i..]),
            None => (text, ""),
        };
        let days = self.days(days_text)?;
        let hours = rest.trim();
        if hours.is_empty() {
            return Err(self.error(self.input.len(), "missing hours after the days: expected HH:MM-HH:MM"));
        }
        let Some((sep_at, sep)) = hours.char_indices().find(|(_, c)| *c == '-' || *c == '–') else {
            return Err(self
                .error(self.offset(hours), format!("hours {hours:?} need a start and an end: HH:MM-HH:MM")));
        };
        let start_text = hours[..sep_at].trim();
        let end_text = hours[sep_at + sep.len_utf8()..].trim();
        let start = self.time(start_text, self.offset(hours))?;
        let end = self.time(end_text, self.offset(hours) + sep_at + sep.len_utf8())?;
        if start >= end {
            return Err(self.error(
                self.offset(hours),
                format!(
                    "end {end_text} is not after start {start_text} (a window cannot cross midnight; use a cron pair)"
                ),
            ));
        }
        Ok(Window::Hours { days, start, end })
    }

    fn days(&self, text: &str) -> Result<Days, ParseError> {
        match text.to_ascii_lowercase().as_str() {
            "weekdays" => return Ok(Days::WEEKDAYS),
            "weekends" => return Ok(Days::WEEKENDS),
            "daily" | "everyday" => return Ok(Days::DAILY),
            _ => {}
        }
        let mut set = 0u8;
        for part in text.split(',') {
            let at = self.offset(part);
            if part.is_empty() {
                return Err(self.error(at, "empty day in the day list"));
            }
            let (from, to) = match part.split_once(['-', '–']) {
                Some((a, b)) => (a, Some(b)),
                None => (part, None),
            };
            let first = self.day(from, at)?;
            let last = match to {
                Some(to) => self.day(to, self.offset(to))?,
                None => first,
            };
            let (a, b) = (first.to_monday_zero_offset(), last.to_monday_zero_offset());
            if a > b {
                return Err(self.error(
                    at,
                    format!("day range {part:?} runs backwards (write it Monday first, e.g. mon-fri)"),
                ));
            }
            for i in a..=b {
                set |= 1 << i;
            }
        }
        Ok(Days(set))
    }

    fn day(&self, text: &str, at: usize) -> Result<Weekday, ParseError> {
        let lower = text.to_ascii_lowercase();
        NAMES
            .iter()
            .find(|(short, _)| {
                lower.len() >= 3 && lower.starts_with(short) && full_name(short).starts_with(&lower)
            })
            .map(|(_, d)| *d)
            .ok_or_else(|| {
                self.error(
                    at,
                    format!(
                        "unknown day {text:?}: expected weekdays, weekends, daily, or day names like mon-fri or sat,sun"
                    ),
                )
            })
    }

    fn time(&self, text: &str, at: usize) -> Result<Time, ParseError> {
        let at = at + self.input[at..].find(text).unwrap_or(0);
        let Some((h, m)) = text.split_once(':') else {
            return Err(self.error(at, format!("time {text:?} is not HH:MM")));
        };
        let number = |part: &str, what: &str| -> Result<i8, ParseError> {
            if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(self.error(at, format!("time {text:?} is not HH:MM ({what} {part:?})")));
            }
            part.parse::<i8>().map_err(|_| self.error(at, format!("time {text:?} is not HH:MM")))
        };
        let hour = number(h, "hour")?;
        let minute = number(m, "minute")?;
        if hour > 23 {
            return Err(self.error(at, format!("hour {hour} is out of range (00-23)")));
        }
        if minute > 59 {
            return Err(self.error(at + h.len() + 1, format!("minute {minute} is out of range (00-59)")));
        }
        Time::new(hour, minute, 0, 0).map_err(|e| self.error(at, e.to_string()))
    }
}

fn full_name(short: &str) -> &'static str {
    match short {
        "mon" => "monday",
        "tue" => "tuesday",
        "wed" => "wednesday",
        "thu" => "thursday",
        "fri" => "friday",
        "sat" => "saturday",
        _ => "sunday",
    }
}
