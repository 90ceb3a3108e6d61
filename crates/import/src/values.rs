//! Cell values: numbers in either decimal style, and the markers CBS and others use for absent figures.
//!
//! | text | meaning |
//! |---|---|
//! | empty, `.`, `NA`, `-`, `-99991` | missing (CBS `.` means "unknown, unreliable or secret" without saying which; `-99991` "no longer published") |
//! | `x`, `-99997` | secret |
//! | `-99995` | not yet published ("published later") |
//! | a number | a final value; zero is a value |
//!
//! Padded markers (`"       ."`) are trimmed first. Numbers may use a decimal point or, where the format
//! says so, a decimal comma; thousands separators are refused rather than guessed.

use wijkmonitor_model::error::excerpt;
use wijkmonitor_model::{Status, Value};

/// Which decimal separator numbers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decimal {
    /// `3.5`
    Point,
    /// `3,5` (StatLine web exports, Dutch spreadsheets)
    Comma,
    /// Either, as long as a number contains at most one of them (R `write.csv` of Dutch data mixes `2,1` and `862965`).
    Either,
}

/// Parses one cell. The error is a message for the user (the caller adds file, line and column).
pub fn parse_cell(text: &str, decimal: Decimal) -> Result<Value, String> {
    let t = text.trim();
    match t {
        "" | "." | "NA" | "-" | "-99991" => return Ok(Value::missing()),
        "x" | "X" | "-99997" => return Ok(Value::absent(Status::Secret)),
        "-99995" => return Ok(Value::absent(Status::NotYetPublished)),
        _ => {}
    }
    parse_number(t, decimal).map(Value::final_)
}

/// Parses a number in the given decimal style.
pub fn parse_number(t: &str, decimal: Decimal) -> Result<f64, String> {
    let quoted = || excerpt(t);
    let has_point = t.contains('.');
    let has_comma = t.contains(',');
    let normalised = match decimal {
        Decimal::Point if has_comma => {
            return Err(format!("'{}' is not a number (use a decimal point, no thousands separator)", quoted()))
        }
        Decimal::Comma if has_point => {
            return Err(format!("'{}' is not a number (use a decimal comma, no thousands separator)", quoted()))
        }
        Decimal::Either if has_point && has_comma => {
            return Err(format!("'{}' is not a number (it has both a point and a comma)", quoted()))
        }
        _ => t.replace(',', "."),
    };
    // Rust's float parser also accepts "inf", "NaN" and "1e5"; sources never write those, so refuse them.
    let plain = normalised.trim_start_matches(['-', '+']);
    if plain.is_empty() || !plain.bytes().all(|b| b.is_ascii_digit() || b == b'.') || plain.matches('.').count() > 1 {
        return Err(format!("'{}' is not a number", quoted()));
    }
    normalised.parse::<f64>().map_err(|_| format!("'{}' is not a number", quoted()))
}

/// Parses a cell of a file written by R (`write.csv`): as [`parse_cell`], and also numbers in the
/// scientific notation R uses for very small or large values (`-8.221588102172426e-4`, `1e+05`).
/// The mantissa follows the decimal style; the exponent is at most three digits, so words are not numbers.
pub fn parse_r_cell(text: &str, decimal: Decimal) -> Result<Value, String> {
    let err = match parse_cell(text, decimal) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    let t = text.trim();
    let Some((mantissa, exponent)) = t.split_once(['e', 'E']) else { return Err(err) };
    let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err);
    }
    if parse_number(mantissa, decimal).is_err() {
        return Err(err);
    }
    // Parse the whole text at once so the value is rounded once, exactly as written.
    match format!("{}e{exponent}", mantissa.replace(',', ".")).parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(Value::final_(n)),
        _ => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_kept_apart_from_zero() {
        assert_eq!(parse_cell("0", Decimal::Point).unwrap(), Value::final_(0.0));
        assert_eq!(parse_cell("       .", Decimal::Point).unwrap().status(), Status::Missing);
        assert_eq!(parse_cell("NA", Decimal::Point).unwrap().status(), Status::Missing);
        assert_eq!(parse_cell("", Decimal::Point).unwrap().status(), Status::Missing);
        assert_eq!(parse_cell("x", Decimal::Comma).unwrap().status(), Status::Secret);
        assert_eq!(parse_cell("-99997", Decimal::Point).unwrap().status(), Status::Secret);
        assert_eq!(parse_cell("-99995", Decimal::Point).unwrap().status(), Status::NotYetPublished);
    }

    #[test]
    fn numbers_in_both_styles() {
        assert_eq!(parse_cell("8,4", Decimal::Comma).unwrap().number(), Some(8.4));
        assert_eq!(parse_cell("2,1", Decimal::Either).unwrap().number(), Some(2.1));
        assert_eq!(parse_cell("-0.25", Decimal::Point).unwrap().number(), Some(-0.25));
        assert_eq!(parse_cell("862965", Decimal::Either).unwrap().number(), Some(862965.0));
        for bad in ["1.234,5", "12a", "inf", "NaN", "1e5", "1.2.3", "--1"] {
            assert!(parse_cell(bad, Decimal::Either).is_err(), "{bad}");
        }
        assert!(parse_cell("8,4", Decimal::Point).is_err());
        assert!(parse_cell("8.4", Decimal::Comma).is_err());
    }

    #[test]
    fn r_writes_scientific_notation() {
        assert_eq!(parse_r_cell("-8.221588102172426e-4", Decimal::Point), Ok(Value::final_(-8.221588102172426e-4)));
        assert_eq!(parse_r_cell("1e+05", Decimal::Point), Ok(Value::final_(100000.0)));
        assert_eq!(parse_r_cell("2,5E-3", Decimal::Either), Ok(Value::final_(0.0025)));
        assert_eq!(parse_r_cell("NA", Decimal::Point), Ok(Value::missing()));
        for bad in ["e5", "1e", "1e+", "1e1000", "1e5x", "abc", "1.2.3e4", "1e-4e2"] {
            assert!(parse_r_cell(bad, Decimal::Point).is_err(), "{bad}");
        }
    }
}
