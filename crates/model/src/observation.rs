//! Observations: one figure for one region, period and variable.
//!
//! A figure is either a number (final or provisional) or the reason there is no number. Missing, secret,
//! not-yet-published and zero are different things and stay different all the way to the export: a
//! secret figure must never be shown as 0, and a missing one must never be averaged in as 0.

use crate::period::Period;
use crate::region::RegionCode;
use std::fmt;

/// The status of a figure, as written in the canonical long format and stored in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// A definitive number.
    Final,
    /// A number that the source marks as provisional ("voorlopig"); it may still change.
    Provisional,
    /// No number: the source has none (CBS `.`, `NA`, empty cell), or it is unknown or not applicable.
    Missing,
    /// No number: the source withheld it to protect privacy (CBS `x`, `-99997`), or disclosure control did.
    Secret,
    /// No number yet: the source will publish it later (CBS `-99995`).
    NotYetPublished,
}

impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Final, Status::Provisional, Status::Missing, Status::Secret, Status::NotYetPublished];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Final => "final",
            Status::Provisional => "provisional",
            Status::Missing => "missing",
            Status::Secret => "secret",
            Status::NotYetPublished => "not_yet_published",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    /// Whether a figure with this status carries a number.
    pub fn has_number(self) -> bool {
        matches!(self, Status::Final | Status::Provisional)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A figure: a number with its status, or only a status. The constructor keeps the two consistent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Value {
    number: Option<f64>,
    status: Status,
}

impl Value {
    pub fn final_(number: f64) -> Value {
        Value { number: Some(number), status: Status::Final }
    }

    pub fn provisional(number: f64) -> Value {
        Value { number: Some(number), status: Status::Provisional }
    }

    /// A figure without a number. Passing a status that needs a number gives a missing figure instead,
    /// so a `Value` can never claim to be final without a number.
    pub fn absent(status: Status) -> Value {
        let status = if status.has_number() { Status::Missing } else { status };
        Value { number: None, status }
    }

    pub fn missing() -> Value {
        Value::absent(Status::Missing)
    }

    /// Builds a value from stored parts; `None` when the parts disagree (a number without a numeric status or
    /// the other way round, or a number that is not finite).
    pub fn from_parts(number: Option<f64>, status: Status) -> Option<Value> {
        match (number, status.has_number()) {
            (Some(n), true) if n.is_finite() => Some(Value { number: Some(n), status }),
            (None, false) => Some(Value { number: None, status }),
            _ => None,
        }
    }

    pub fn number(&self) -> Option<f64> {
        self.number
    }

    pub fn status(&self) -> Status {
        self.status
    }
}

/// One figure as imported: region, period, variable and value. Provenance (the import it came from) is kept
/// by the store, which assigns import ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub region: RegionCode,
    pub period: Period,
    /// The catalogue variable id (e.g. `inhabitants`).
    pub variable: String,
    pub value: Value,
}

/// Formats a number for files: integers without a decimal point, others with the shortest exact
/// representation, so an export never invents or loses digits.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_number_and_status_consistent() {
        assert_eq!(Value::final_(0.0).number(), Some(0.0));
        assert_eq!(Value::absent(Status::Final).status(), Status::Missing);
        assert_eq!(Value::from_parts(Some(1.0), Status::Secret), None);
        assert_eq!(Value::from_parts(None, Status::Final), None);
        assert_eq!(Value::from_parts(Some(f64::NAN), Status::Final), None);
        assert_eq!(Value::from_parts(None, Status::Secret).unwrap().status(), Status::Secret);
    }

    #[test]
    fn statuses_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("zero"), None);
    }

    #[test]
    fn numbers_are_formatted_exactly() {
        assert_eq!(format_number(862965.0), "862965");
        assert_eq!(format_number(3.816_912_345), "3.816912345");
        assert_eq!(format_number(-0.5), "-0.5");
    }
}
