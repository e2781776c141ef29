//! 5-field cron expressions (croner) evaluated on wall-clock time.
//!
//! croner searches over [`Wall`], a naive local date and time with no time zone, so every
//! occurrence it finds is a wall-clock time; [`crate::Schedule`] then resolves it in the
//! schedule's time zone with jiff's compatible disambiguation. Keeping croner away from the time
//! zone means one rule for DST (jiff's) whether the window came from cron or the human form.

use std::cmp::Ordering;

use croner::parser::{CronParser, Seconds, Year};
use croner::{CivilDate, CivilDateTime, CivilTime, Cron, CronDateTime, Resolution, Weekday};
use jiff::civil::DateTime;

use crate::ParseError;

/// A parsed 5-field cron expression (minute hour day-of-month month day-of-week).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronExpr {
    text: String,
    cron: Cron,
}

impl CronExpr {
    pub(crate) fn parse(which: &'static str, text: &str) -> Result<CronExpr, ParseError> {
        let error = |message: String| ParseError::Cron { which, input: text.to_owned(), message };
        let fields = text.split_whitespace().count();
        if !text.trim_start().starts_with('@') && fields != 5 {
            return Err(error(format!(
                "expected 5 fields (minute hour day-of-month month day-of-week), found {fields}"
            )));
        }
        let parser = CronParser::builder().seconds(Seconds::Disallowed).year(Year::Disallowed).build();
        let cron = parser.parse(text).map_err(|e| error(e.to_string()))?;
        Ok(CronExpr { text: text.to_owned(), cron })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first wall-clock occurrence strictly after `after`, if any.
    pub(crate) fn next_after(&self, after: DateTime) -> Option<DateTime> {
        self.cron.find_next_occurrence(&Wall(after), false).ok().map(|w| w.0)
    }
}

/// A wall-clock date and time without a time zone, for croner to search over.
#[derive(Debug, Clone, Copy)]
struct Wall(DateTime);

impl CronDateTime for Wall {
    fn to_civil(&self) -> CivilDateTime {
        let d = self.0;
        CivilDateTime::new(
            CivilDate::from_parts_unchecked(
                i32::from(d.year()),
                u32::from(d.month().unsigned_abs()),
                u32::from(d.day().unsigned_abs()),
            ),
            CivilTime::from_parts_unchecked(
                u32::from(d.hour().unsigned_abs()),
                u32::from(d.minute().unsigned_abs()),
                u32::from(d.second().unsigned_abs()),
            ),
        )
    }

    fn civil_weekday(&self) -> Weekday {
        Weekday::from_days_from_sunday(u32::from(self.0.weekday().to_sunday_zero_offset().unsigned_abs()))
    }

    fn resolve_civil(&self, civil: CivilDateTime) -> Result<Resolution<Self>, croner::errors::CronError> {
        let invalid = || croner::errors::CronError::InvalidDate;
        let dt = DateTime::new(
            i16::try_from(civil.year()).map_err(|_| invalid())?,
            i8::try_from(civil.month()).map_err(|_| invalid())?,
            i8::try_from(civil.day()).map_err(|_| invalid())?,
            i8::try_from(civil.hour()).map_err(|_| invalid())?,
            i8::try_from(civil.minute()).map_err(|_| invalid())?,
            i8::try_from(civil.second()).map_err(|_| invalid())?,
            0,
        )
        .map_err(|_| invalid())?;
        Ok(Resolution::Single(Wall(dt)))
    }

    fn checked_add_seconds(&self, seconds: i64) -> Option<Self> {
        self.0.checked_add(jiff::SignedDuration::from_secs(seconds)).ok().map(Wall)
    }

    fn cmp_instant(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}
