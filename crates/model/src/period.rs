//! Reporting periods.
//!
//! StatLine writes periods as `2024JJ00` (year), `2024KW01` (quarter) and `2024MM03` (month); some
//! tables add a status suffix in the title but not in the key. wijkmonitor writes years as plain `2024` in
//! its own files and keeps the StatLine form for quarters and months, so the canonical text sorts and reads
//! naturally.

use std::fmt;

/// A year, quarter or month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Year(i32),
    Quarter(i32, u8),
    Month(i32, u8),
}

/// Why a text is not a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError(pub String);

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not a period (expected a year such as 2019 or a StatLine code such as 2019JJ00, 2019KW01, 2019MM03)",
            crate::error::excerpt(&self.0)
        )
    }
}

impl std::error::Error for PeriodError {}

impl Period {
    /// Parses `2019`, `2019JJ00`, `2019KW01` or `2019MM03` (surrounding spaces are ignored).
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let t = text.trim();
        let err = || PeriodError(t.to_string());
        if t.len() < 4 || !t.is_ascii() {
            return Err(err());
        }
        let year: i32 = t[..4].parse().map_err(|_| err())?;
        if !(1800..=2200).contains(&year) {
            return Err(err());
        }
        let rest = &t[4..];
        if rest.is_empty() {
            return Ok(Period::Year(year));
        }
        if rest.len() != 4 {
            return Err(err());
        }
        let number: u8 = rest[2..].parse().map_err(|_| err())?;
        match &rest[..2] {
            "JJ" if number == 0 => Ok(Period::Year(year)),
            "KW" if (1..=4).contains(&number) => Ok(Period::Quarter(year, number)),
            "MM" if (1..=12).contains(&number) => Ok(Period::Month(year, number)),
            _ => Err(err()),
        }
    }

    /// The calendar year the period lies in.
    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) | Period::Quarter(y, _) | Period::Month(y, _) => y,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(y, q) => write!(f, "{y}KW{q:02}"),
            Period::Month(y, m) => write!(f, "{y}MM{m:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_statline_codes_and_round_trips() {
        assert_eq!(Period::parse("2019JJ00").unwrap(), Period::Year(2019));
        assert_eq!(Period::parse(" 2019 ").unwrap(), Period::Year(2019));
        assert_eq!(Period::parse("2024KW01").unwrap(), Period::Quarter(2024, 1));
        assert_eq!(Period::parse("2024MM03").unwrap(), Period::Month(2024, 3));
        for text in ["2019", "2024KW01", "2024MM12"] {
            assert_eq!(Period::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Period::Year(2019).to_string(), "2019");
    }

    #[test]
    fn rejects_other_text() {
        for bad in ["", "19", "2019JJ01", "2019KW05", "2019MM13", "2019XX01", "abcd", "2019-01"] {
            assert!(Period::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
