//! Calendar dates and moments: the one place wijkmonitor turns seconds since 1970 into dates and RFC 3339 text,
//! parses `YYYY-MM-DD`, and knows the Dutch calendar day (request deadlines are Dutch dates).
//!
//! Pure functions of their arguments; the caller supplies "now", so nothing here reads a clock.

use serde::{Serialize, Serializer};
use std::fmt;

/// A calendar date (proleptic Gregorian), always a real day between the years 1 and 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// A date from its parts, if that day exists (`2026-02-31` does not) and the year is 1-9999.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        ((1..=9999).contains(&year) && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD` (four, two and two digits) of a day that exists.
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
            return None;
        }
        Date::new(text[0..4].parse().ok()?, text[5..7].parse().ok()?, text[8..10].parse().ok()?)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Days in a month of a year (Gregorian).
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `date` plus `days` days (for reopening windows).
pub fn add_days(date: Date, days: u32) -> Date {
    date_of_unix((days_from_civil(date.year, date.month, date.day) + i64::from(days)) * 86_400)
}

/// The calendar date (UTC) of a moment given in seconds since 1970 (days-to-civil after Howard Hinnant).
pub fn date_of_unix(secs: i64) -> Date {
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    Date { year, month, day }
}

/// A moment in seconds since 1970 as RFC 3339 UTC (`2026-05-01T12:00:00Z`), for records and the audit log.
pub fn rfc3339(secs: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    format!("{}T{:02}:{:02}:{:02}Z", date_of_unix(secs), rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 of a civil date (after Howard Hinnant).
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The day (since 1970) of the last Sunday of a month.
fn last_sunday(year: i32, month: u32) -> i64 {
    let last = days_from_civil(year, month, days_in_month(year, month));
    // 1970-01-01 was a Thursday; with Sunday as 0 that is weekday 4.
    last - (last + 4).rem_euclid(7)
}

/// The calendar date in the Netherlands (CET, CEST from the last Sunday of March to the last Sunday of October,
/// changing at 01:00 UTC) of a moment in seconds since 1970. Request deadlines are Dutch dates: at 00:30 on
/// 16 June in Amsterdam the window that closes on 15 June is closed, although it is still 15 June in UTC.
pub fn amsterdam_date(secs: i64) -> Date {
    let year = date_of_unix(secs).year;
    let summer_from = last_sunday(year, 3) * 86_400 + 3_600;
    let summer_to = last_sunday(year, 10) * 86_400 + 3_600;
    let offset = if (summer_from..summer_to).contains(&secs) { 7_200 } else { 3_600 };
    date_of_unix(secs + offset)
}

/// The date of an Excel serial number (days since 1899-12-30, or since 1904-01-01 in the 1904 date system),
/// when it is one between the years 1900 and 9999; `None` for anything else (a huge number such as `1E+308`
/// typed into a date-formatted cell is not a date).
pub fn excel_date(serial: f64, is_1904: bool) -> Option<Date> {
    let serial = if is_1904 { serial + 1462.0 } else { serial };
    // 2,958,465 is 9999-12-31.
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    Some(date_of_unix((serial.floor() as i64 - 25_569) * 86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date_of_unix(0), Date { year: 1970, month: 1, day: 1 });
        assert_eq!(rfc3339(1_777_636_800 + 61), "2026-05-01T12:01:01Z");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(date_of_unix(1_780_000_000), Date { year: 2026, month: 5, day: 28 });
        assert_eq!(add_days(Date { year: 2024, month: 2, day: 28 }, 2), Date { year: 2024, month: 3, day: 1 });
        assert_eq!(add_days(Date { year: 2025, month: 12, day: 31 }, 1), Date { year: 2026, month: 1, day: 1 });
        assert_eq!(Date { year: 2026, month: 4, day: 5 }.to_string(), "2026-04-05");
        // 22:30 UTC on 15 June 2026 is 00:30 on 16 June in Amsterdam (summer time); in winter one hour ahead.
        let june = days_from_civil(2026, 6, 15) * 86_400 + 22 * 3600 + 1800;
        assert_eq!(date_of_unix(june), Date { year: 2026, month: 6, day: 15 });
        assert_eq!(amsterdam_date(june), Date { year: 2026, month: 6, day: 16 });
        let january = days_from_civil(2026, 1, 15) * 86_400 + 22 * 3600 + 1800;
        assert_eq!(amsterdam_date(january), Date { year: 2026, month: 1, day: 15 });
        assert_eq!(amsterdam_date(january + 3600), Date { year: 2026, month: 1, day: 16 });
        assert_eq!(last_sunday(2026, 3), days_from_civil(2026, 3, 29));
        assert_eq!(last_sunday(2026, 10), days_from_civil(2026, 10, 25));
    }

    #[test]
    fn only_real_days_parse() {
        assert_eq!(Date::parse("2026-02-28"), Some(Date { year: 2026, month: 2, day: 28 }));
        assert_eq!(Date::parse("2024-02-29"), Some(Date { year: 2024, month: 2, day: 29 }));
        for bad in [
            "2026-02-31",
            "2025-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "0000-01-01",
            "10000-01-01",
            "+2026-01-01",
            "2026-1-01",
            "2026-01-1",
            "2026/01/01",
            "2026-01-01 ",
            "",
            "९९९९-01-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(Date::parse("9999-12-31"), Some(Date { year: 9999, month: 12, day: 31 }));
    }

    #[test]
    fn excel_serials() {
        assert_eq!(excel_date(45_789.0, false), Some(Date { year: 2025, month: 5, day: 12 }));
        assert_eq!(excel_date(45_789.0 - 1462.0, true), Some(Date { year: 2025, month: 5, day: 12 }));
        assert_eq!(excel_date(2_958_465.0, false), Some(Date { year: 9999, month: 12, day: 31 }));
        for bad in [1e308, f64::INFINITY, f64::NAN, -5.0, 2_958_466.0] {
            assert_eq!(excel_date(bad, false), None, "{bad}");
        }
    }
}
