//! Holiday calendars: the non-working days a schedule never starts instances on.
//!
//! A [`Calendar`] is the union of built-in calendars ([`Builtin`]: `jp`, Japan's public holidays from
//! [`crate::holiday`]; `us`, the United States' federal holidays from [`us_federal`]) and dates a
//! configuration lists itself (`[calendars.<name>] dates`, for any other country, region or company
//! closure). Dates are local dates in the schedule's time zone.

use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday};

/// A calendar Guardline computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Builtin {
    /// Japanese public holidays (国民の祝日), substitute and citizens' holidays included.
    Japan,
    /// United States federal holidays (5 U.S.C. 6103), on the days they are observed.
    UnitedStates,
}

impl Builtin {
    /// Every built-in calendar, with its name in configuration files.
    pub const ALL: [(&'static str, Builtin); 2] = [("jp", Builtin::Japan), ("us", Builtin::UnitedStates)];

    /// `jp` or `us`.
    pub fn parse(name: &str) -> Option<Builtin> {
        Self::ALL.iter().find(|(known, _)| *known == name).map(|(_, builtin)| *builtin)
    }

    pub fn name(self) -> &'static str {
        match self {
            Builtin::Japan => "jp",
            Builtin::UnitedStates => "us",
        }
    }

    /// The holiday's name on `date`, if it is one.
    pub fn holiday(self, date: Date) -> Option<&'static str> {
        match self {
            Builtin::Japan => crate::holiday::name(date),
            Builtin::UnitedStates => us_federal(date),
        }
    }
}

/// The days a schedule treats as holidays: built-in calendars and listed dates, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    /// The names as the schedule gives them (`["jp", "company"]`), for messages.
    pub names: Vec<String>,
    builtins: BTreeSet<Builtin>,
    dates: BTreeSet<Date>,
}

impl Calendar {
    /// One built-in calendar.
    pub fn builtin(builtin: Builtin) -> Calendar {
        Calendar {
            names: vec![builtin.name().to_owned()],
            builtins: BTreeSet::from([builtin]),
            dates: BTreeSet::new(),
        }
    }

    /// A calendar of listed dates, named `name`.
    pub fn dates(name: &str, dates: impl IntoIterator<Item = Date>) -> Calendar {
        Calendar {
            names: vec![name.to_owned()],
            builtins: BTreeSet::new(),
            dates: dates.into_iter().collect(),
        }
    }

    /// This calendar's days and `other`'s.
    pub fn and(mut self, other: Calendar) -> Calendar {
        self.names.extend(other.names);
        self.builtins.extend(other.builtins);
        self.dates.extend(other.dates);
        self
    }

    /// No holidays at all.
    pub fn is_empty(&self) -> bool {
        self.builtins.is_empty() && self.dates.is_empty()
    }

    pub fn is_holiday(&self, date: Date) -> bool {
        self.dates.contains(&date) || self.builtins.iter().any(|builtin| builtin.holiday(date).is_some())
    }

    /// The holidays from `from` to `to`, both included, in order.
    pub fn between(&self, from: Date, to: Date) -> Vec<Date> {
        let mut days = Vec::new();
        let mut day = from;
        while day <= to {
            if self.is_holiday(day) {
                days.push(day);
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        days
    }

    /// `jp, company`.
    pub fn label(&self) -> String {
        self.names.join(", ")
    }
}

/// The `n`-th (1-based) `weekday` of `month`, or the last one for `n = -1`.
fn nth(year: i16, month: i8, weekday: Weekday, n: i8) -> Option<Date> {
    Date::new(year, month, 1).ok()?.nth_weekday_of_month(n, weekday).ok()
}

/// A United States federal holiday (5 U.S.C. 6103) observed on `date`: a holiday falling on a Saturday is
/// observed the Friday before, one on a Sunday the Monday after (Executive Order 11582; OPM's published
/// lists), so New Year's Day of a year starting on a Saturday is observed on 31 December.
pub fn us_federal(date: Date) -> Option<&'static str> {
    let named = |year: i16| -> Vec<(Date, &'static str)> {
        let fixed =
            |month: i8, day: i8, name: &'static str| Date::new(year, month, day).ok().map(|d| (d, name));
        let floating = |month: i8, weekday: Weekday, n: i8, name: &'static str| {
            nth(year, month, weekday, n).map(|d| (d, name))
        };
        let mut days = vec![
            fixed(1, 1, "New Year's Day"),
            floating(1, Weekday::Monday, 3, "Birthday of Martin Luther King, Jr."),
            floating(2, Weekday::Monday, 3, "Washington's Birthday"),
            floating(5, Weekday::Monday, -1, "Memorial Day"),
            fixed(7, 4, "Independence Day"),
            floating(9, Weekday::Monday, 1, "Labor Day"),
            floating(10, Weekday::Monday, 2, "Columbus Day"),
            fixed(11, 11, "Veterans Day"),
            floating(11, Weekday::Thursday, 4, "Thanksgiving Day"),
            fixed(12, 25, "Christmas Day"),
        ];
        if year >= 2021 {
            days.push(fixed(6, 19, "Juneteenth National Independence Day"));
        }
        days.into_iter().flatten().collect()
    };
    let observed = |day: Date| match day.weekday() {
        Weekday::Saturday => day.yesterday().unwrap_or(day),
        Weekday::Sunday => day.tomorrow().unwrap_or(day),
        _ => day,
    };
    // Next year's New Year's Day can be observed this year (31 December).
    [date.year(), date.year() + 1]
        .into_iter()
        .flat_map(named)
        .find(|(day, _)| observed(*day) == date)
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    /// OPM's federal holiday lists for 2026 and 2027 (https://www.opm.gov/policy-data-oversight/pay-leave/federal-holidays/).
    #[test]
    fn us_federal_holidays_match_opms_lists() {
        let opm = [
            // 2026
            date(2026, 1, 1),
            date(2026, 1, 19),
            date(2026, 2, 16),
            date(2026, 5, 25),
            date(2026, 6, 19),
            date(2026, 7, 3),
            date(2026, 9, 7),
            date(2026, 10, 12),
            date(2026, 11, 11),
            date(2026, 11, 26),
            date(2026, 12, 25),
            // 2027
            date(2027, 1, 1),
            date(2027, 1, 18),
            date(2027, 2, 15),
            date(2027, 5, 31),
            date(2027, 6, 18),
            date(2027, 7, 5),
            date(2027, 9, 6),
            date(2027, 10, 11),
            date(2027, 11, 11),
            date(2027, 11, 25),
            date(2027, 12, 24),
            // New Year's Day 2028 is a Saturday: observed on Friday 31 December 2027.
            date(2027, 12, 31),
        ];
        let us = Calendar::builtin(Builtin::UnitedStates);
        assert_eq!(us.between(date(2026, 1, 1), date(2027, 12, 31)), opm);
        assert_eq!(us_federal(date(2026, 7, 3)), Some("Independence Day"));
        assert_eq!(us_federal(date(2026, 7, 4)), None, "a Saturday holiday is observed on Friday");
        assert_eq!(us_federal(date(2020, 6, 19)), None, "Juneteenth is a federal holiday from 2021");
    }

    #[test]
    fn a_calendar_is_the_union_of_its_parts() {
        let calendar = Calendar::builtin(Builtin::Japan)
            .and(Calendar::dates("company", [date(2026, 12, 28), date(2026, 12, 29)]));
        assert_eq!(calendar.label(), "jp, company");
        assert!(calendar.is_holiday(date(2026, 12, 28)), "a listed date");
        assert!(calendar.is_holiday(date(2026, 11, 23)), "勤労感謝の日");
        assert!(!calendar.is_holiday(date(2026, 12, 25)), "Christmas is not a Japanese holiday");
        assert!(Calendar::default().is_empty() && !calendar.is_empty());
        assert_eq!(Builtin::parse("us"), Some(Builtin::UnitedStates));
        assert_eq!(Builtin::parse("uk"), None);
    }
}
