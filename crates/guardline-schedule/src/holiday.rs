//! Japanese public holidays (国民の祝日), computed from the rules of the Public Holiday Law.
//!
//! No maintained, widely used crate was a clear choice, and the rules are short and stable, so
//! they are computed here: fixed-date holidays, the Happy Monday rules (2000/2003 onwards), the
//! vernal and autumnal equinox days from the standard approximation (valid 1980–2099), the
//! one-off moves for the Tokyo Olympics (2020, 2021) and the imperial events of 1989, 1990, 1993
//! and 2019, substitute holidays (振替休日) and citizens' holidays (国民の休日).
//!
//! Years outside 1980–2099 are computed with the same rules but are not guaranteed: the equinox
//! formula and the laws of those years differ. The Cabinet Office publishes the official list;
//! the table test in this file checks 2025–2027 against it.

use jiff::civil::{Date, Weekday};

/// The equinox formula is valid for these years.
pub const SUPPORTED_YEARS: std::ops::RangeInclusive<i16> = 1980..=2099;

/// Is `date` a Japanese public holiday (including substitute and citizens' holidays)?
pub fn is_holiday(date: Date) -> bool {
    name(date).is_some()
}

/// The holiday's name in Japanese, or `None` on an ordinary day.
pub fn name(date: Date) -> Option<&'static str> {
    if let Some(name) = base(date) {
        return Some(name);
    }
    if is_substitute(date) {
        return Some("振替休日");
    }
    if is_citizens(date) {
        return Some("国民の休日");
    }
    None
}

/// The `n`-th (1-based) Monday of `month` in `year`.
fn nth_monday(year: i16, month: i8, n: i8) -> i8 {
    let first = Date::new(year, month, 1).map(|d| d.weekday().to_monday_zero_offset()).unwrap_or(0);
    // Days from the 1st to the first Monday.
    let offset = (7 - first) % 7;
    1 + offset + 7 * (n - 1)
}

fn equinox(year: i16, base: f64) -> i8 {
    let y = f64::from(year - 1980);
    let day = base + 0.242194 * y - (y / 4.0).floor();
    // Always between 19 and 24 in the supported years.
    day.floor() as i8
}

/// Vernal equinox day (March) of `year`.
pub fn vernal_equinox(year: i16) -> i8 {
    equinox(year, 20.8431)
}

/// Autumnal equinox day (September) of `year`.
pub fn autumnal_equinox(year: i16) -> i8 {
    equinox(year, 23.2488)
}

/// Holidays named in the law (and one-off holidays), without substitutes or citizens' days.
fn base(date: Date) -> Option<&'static str> {
    let (y, m, d) = (date.year(), date.month(), date.day());
    let name = match (m, d) {
        (1, 1) => "元日",
        (1, _) if y >= 2000 && d == nth_monday(y, 1, 2) => "成人の日",
        (1, 15) if y < 2000 => "成人の日",
        (2, 11) => "建国記念の日",
        (2, 23) if y >= 2020 => "天皇誕生日",
        (2, 24) if y == 1989 => "昭和天皇の大喪の礼",
        (3, _) if d == vernal_equinox(y) => "春分の日",
        (4, 29) if y >= 2007 => "昭和の日",
        (4, 29) if y >= 1989 => "みどりの日",
        (4, 29) => "天皇誕生日",
        (5, 1) if y == 2019 => "天皇の即位の日",
        (5, 3) => "憲法記念日",
        (5, 4) if y >= 2007 => "みどりの日",
        (5, 5) => "こどもの日",
        (6, 9) if y == 1993 => "皇太子徳仁親王の結婚の儀",
        (7, 20) if (1996..2003).contains(&y) => "海の日",
        (7, 23) if y == 2020 => "海の日",
        (7, 22) if y == 2021 => "海の日",
        (7, _) if y >= 2003 && y != 2020 && y != 2021 && d == nth_monday(y, 7, 3) => "海の日",
        (7, 24) if y == 2020 => "スポーツの日",
        (7, 23) if y == 2021 => "スポーツの日",
        (8, 10) if y == 2020 => "山の日",
        (8, 8) if y == 2021 => "山の日",
        (8, 11) if y >= 2016 && y != 2020 && y != 2021 => "山の日",
        (9, 15) if y < 2003 => "敬老の日",
        (9, _) if y >= 2003 && d == nth_monday(y, 9, 3) => "敬老の日",
        (9, _) if d == autumnal_equinox(y) => "秋分の日",
        (10, 10) if y < 2000 => "体育の日",
        (10, _) if y >= 2000 && y != 2020 && y != 2021 && d == nth_monday(y, 10, 2) => {
            if y >= 2020 {
                "スポーツの日"
            } else {
                "体育の日"
            }
        }
        (10, 22) if y == 2019 => "即位礼正殿の儀",
        (11, 3) => "文化の日",
        (11, 12) if y == 1990 => "即位礼正殿の儀",
        (11, 23) => "勤労感謝の日",
        (12, 23) if (1989..2019).contains(&y) => "天皇誕生日",
        _ => return None,
    };
    Some(name)
}

/// 振替休日: when a holiday falls on a Sunday, the next day that is not a holiday is a holiday
/// (before 2007: the Monday after it).
fn is_substitute(date: Date) -> bool {
    if base(date).is_some() {
        return false;
    }
    let mut day = date;
    loop {
        let Ok(prev) = day.yesterday() else {
            return false;
        };
        if base(prev).is_none() {
            return false;
        }
        if prev.weekday() == Weekday::Sunday {
            return true;
        }
        if date.year() < 2007 {
            return false;
        }
        day = prev;
    }
}

/// 国民の休日: a day (not a Sunday, not itself a holiday) between two holidays (since 1986).
fn is_citizens(date: Date) -> bool {
    if date.year() < 1986 || date.weekday() == Weekday::Sunday || base(date).is_some() {
        return false;
    }
    match (date.yesterday(), date.tomorrow()) {
        (Ok(before), Ok(after)) => base(before).is_some() && base(after).is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// Every holiday of 2025–2027, as published by the Cabinet Office (内閣府「国民の祝日」).
    const KNOWN: &[(i16, i8, i8, &str)] = &[
        (2025, 1, 1, "元日"),
        (2025, 1, 13, "成人の日"),
        (2025, 2, 11, "建国記念の日"),
        (2025, 2, 23, "天皇誕生日"),
        (2025, 2, 24, "振替休日"),
        (2025, 3, 20, "春分の日"),
        (2025, 4, 29, "昭和の日"),
        (2025, 5, 3, "憲法記念日"),
        (2025, 5, 4, "みどりの日"),
        (2025, 5, 5, "こどもの日"),
        (2025, 5, 6, "振替休日"),
        (2025, 7, 21, "海の日"),
        (2025, 8, 11, "山の日"),
        (2025, 9, 15, "敬老の日"),
        (2025, 9, 23, "秋分の日"),
        (2025, 10, 13, "スポーツの日"),
        (2025, 11, 3, "文化の日"),
        (2025, 11, 23, "勤労感謝の日"),
        (2025, 11, 24, "振替休日"),
        (2026, 1, 1, "元日"),
        (2026, 1, 12, "成人の日"),
        (2026, 2, 11, "建国記念の日"),
        (2026, 2, 23, "天皇誕生日"),
        (2026, 3, 20, "春分の日"),
        (2026, 4, 29, "昭和の日"),
        (2026, 5, 3, "憲法記念日"),
        (2026, 5, 4, "みどりの日"),
        (2026, 5, 5, "こどもの日"),
        (2026, 5, 6, "振替休日"),
        (2026, 7, 20, "海の日"),
        (2026, 8, 11, "山の日"),
        (2026, 9, 21, "敬老の日"),
        (2026, 9, 22, "国民の休日"),
        (2026, 9, 23, "秋分の日"),
        (2026, 10, 12, "スポーツの日"),
        (2026, 11, 3, "文化の日"),
        (2026, 11, 23, "勤労感謝の日"),
        (2027, 1, 1, "元日"),
        (2027, 1, 11, "成人の日"),
        (2027, 2, 11, "建国記念の日"),
        (2027, 2, 23, "天皇誕生日"),
        (2027, 3, 21, "春分の日"),
        (2027, 3, 22, "振替休日"),
        (2027, 4, 29, "昭和の日"),
        (2027, 5, 3, "憲法記念日"),
        (2027, 5, 4, "みどりの日"),
        (2027, 5, 5, "こどもの日"),
        (2027, 7, 19, "海の日"),
        (2027, 8, 11, "山の日"),
        (2027, 9, 20, "敬老の日"),
        (2027, 9, 23, "秋分の日"),
        (2027, 10, 11, "スポーツの日"),
        (2027, 11, 3, "文化の日"),
        (2027, 11, 23, "勤労感謝の日"),
    ];

    #[test]
    fn every_day_of_2025_to_2027_matches_the_published_list() {
        let mut day = date(2025, 1, 1);
        while day.year() <= 2027 {
            let expected =
                KNOWN.iter().find(|(y, m, d, _)| date(*y, *m, *d) == day).map(|(_, _, _, name)| *name);
            assert_eq!(name(day), expected, "{day}");
            day = day.tomorrow().unwrap();
        }
    }

    #[test]
    fn special_years() {
        for (y, m, d) in [
            (2019, 4, 30), // 国民の休日 before the enthronement
            (2019, 5, 1),
            (2019, 5, 2),
            (2019, 10, 22),
            (2020, 7, 23),
            (2020, 7, 24),
            (2020, 8, 10),
            (2021, 7, 22),
            (2021, 7, 23),
            (2021, 8, 9),  // 山の日 (8/8) on a Sunday
            (2009, 9, 22), // the first September 国民の休日
        ] {
            assert!(is_holiday(date(y, m, d)), "{y}-{m}-{d}");
        }
        for (y, m, d) in [(2020, 10, 12), (2021, 10, 11), (2020, 8, 11), (2021, 7, 19)] {
            assert!(!is_holiday(date(y, m, d)), "{y}-{m}-{d}");
        }
    }
}
