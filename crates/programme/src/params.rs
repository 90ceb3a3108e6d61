//! The scheme rules as dated parameters, from `data/parameters/schemes.toml`.
//!
//! A parameter has an id, a value (a number or a list of numbers), a validity from one date to another and a
//! source; `confirmed = false` marks a value that was not confirmed from the regulation's text. Lookups are by
//! year: a rule applies in a year when its validity covers any part of that year. Asking for a rule outside its
//! validity gives `None`, which the computations read as "the rule does not apply" (for example: no payment for a
//! start in 2030), never as zero.

use serde::Deserialize;
use wijkmonitor_model::Located;

/// The scheme parameters shipped with wijkmonitor.
pub const BUILTIN_SCHEMES: &str = include_str!("../../../data/parameters/schemes.toml");
const BUILTIN_NAME: &str = "data/parameters/schemes.toml";

/// A parameter value: one number, or a list (such as the Wbmgp articles).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    List(Vec<f64>),
    Number(f64),
}

use wijkmonitor_model::date::Date;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    id: String,
    value: ParamValue,
    unit: String,
    valid_from: String,
    valid_to: String,
    source: String,
    confirmed: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(rename = "parameter")]
    parameters: Vec<toml::Spanned<RawParameter>>,
}

/// One dated parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub id: String,
    pub value: ParamValue,
    pub unit: String,
    pub valid_from: Date,
    pub valid_to: Date,
    pub source: String,
    pub confirmed: bool,
}

impl Parameter {
    fn covers(&self, year: i32) -> bool {
        self.valid_from.year <= year && year <= self.valid_to.year
    }
}

/// All scheme parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemeParams {
    pub parameters: Vec<Parameter>,
}

/// Turns a byte offset in `text` into a 1-based line and column, as editors show them.
pub(crate) fn line_col(text: &str, offset: usize) -> (u64, u64) {
    // `get` rather than slicing: an offset inside a multi-byte character must not panic.
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    (line, column)
}

/// A TOML syntax or shape error, located by its span.
pub(crate) fn toml_error(file: &str, text: &str, err: &toml::de::Error) -> Located {
    match err.span() {
        Some(span) => {
            let (line, column) = line_col(text, span.start);
            Located::at(file, line, column, err.message().trim())
        }
        None => Located::at(file, 0, 0, err.message().trim()),
    }
}

impl SchemeParams {
    /// Parses a parameter file; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<SchemeParams, Located> {
        let raw: RawFile = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        let mut parameters: Vec<Parameter> = Vec::new();
        for spanned in raw.parameters {
            let (line, column) = line_col(text, spanned.span().start);
            let at = |message: String| Located::at(file, line, column, message);
            let p = spanned.into_inner();
            let valid_from = Date::parse(&p.valid_from)
                .ok_or_else(|| at(format!("parameter '{}': valid_from '{}' is not YYYY-MM-DD", p.id, p.valid_from)))?;
            let valid_to = Date::parse(&p.valid_to)
                .ok_or_else(|| at(format!("parameter '{}': valid_to '{}' is not YYYY-MM-DD", p.id, p.valid_to)))?;
            if valid_to < valid_from {
                return Err(at(format!("parameter '{}' ends before it starts", p.id)));
            }
            if p.source.trim().is_empty() {
                return Err(at(format!("parameter '{}' has no source", p.id)));
            }
            // Two values for one rule in the same year would make the lookup depend on file order.
            if parameters
                .iter()
                .any(|o| o.id == p.id && o.valid_from.year <= valid_to.year && valid_from.year <= o.valid_to.year)
            {
                return Err(at(format!("parameter '{}' has overlapping validity periods", p.id)));
            }
            parameters.push(Parameter {
                id: p.id,
                value: p.value,
                unit: p.unit,
                valid_from,
                valid_to,
                source: p.source,
                confirmed: p.confirmed,
            });
        }
        Ok(SchemeParams { parameters })
    }

    /// The parameters shipped with wijkmonitor.
    pub fn builtin() -> SchemeParams {
        // Checked by a unit test: a failure here is a build defect, not bad input.
        SchemeParams::parse(BUILTIN_SCHEMES, BUILTIN_NAME).unwrap_or_else(|e| panic!("built-in scheme parameters: {e}"))
    }

    /// The parameter that applies in `year`, if any.
    pub fn get(&self, id: &str, year: i32) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.id == id && p.covers(year))
    }

    /// The number that applies in `year`, if any (a list parameter is not a number).
    pub fn number(&self, id: &str, year: i32) -> Option<f64> {
        match self.get(id, year)?.value {
            ParamValue::Number(n) => Some(n),
            ParamValue::List(_) => None,
        }
    }

    /// The list that applies in `year`, if any.
    pub fn list(&self, id: &str, year: i32) -> Option<&[f64]> {
        match &self.get(id, year)?.value {
            ParamValue::List(l) => Some(l),
            ParamValue::Number(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parameters_parse_and_are_dated() {
        let p = SchemeParams::builtin();
        assert_eq!(p.number("woontop.accelerated_dwellings", 2025), Some(40000.0));
        assert_eq!(p.number("woontop.extra_affordable_dwellings", 2029), Some(10000.0));
        assert_eq!(p.number("woontop.above_plan_budget_eur", 2027), Some(180_000_000.0));
        assert_eq!(p.number("woontop.capacity_budget_eur", 2027), Some(50_000_000.0));
        assert_eq!(p.number("realisatiestimulans.amount_per_affordable_start_eur", 2025), Some(7000.0));
        assert_eq!(p.number("realisatiestimulans.amount_per_affordable_start_eur", 2024), None);
        assert_eq!(p.number("realisatiestimulans.amount_per_affordable_start_eur", 2030), None);
        assert_eq!(p.number("vhf.min_cofinancing_share", 2021), Some(0.30));
        assert_eq!(p.number("vhf.years_to_realise", 2023), Some(10.0));
        assert_eq!(p.number("spuk.carry_forward_last_year", 2026), Some(2028.0));
        assert_eq!(p.number("wbmgp.max_designation_years", 2018), Some(4.0));
        assert_eq!(p.list("wbmgp.articles", 2018), Some(&[8.0, 9.0, 10.0][..]));
        // The aims come from a bill, not the regulation: marked as unconfirmed.
        let aim = p.get("realisatiestimulans.aim_social_rent_share", 2025).unwrap();
        assert!(!aim.confirmed && aim.source.contains("[unconfirmed]"));
        assert!(p.parameters.iter().all(|p| !p.source.is_empty()));
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let text = "[[parameter]]\nid = \"x\"\nvalue = 1\nunit = \"u\"\nvalid_from = \"2025-13-01\"\nvalid_to = \"2029-12-31\"\nsource = \"s\"\nconfirmed = true\n";
        let err = SchemeParams::parse(text, "p.toml").unwrap_err();
        assert_eq!((err.location.file.as_str(), err.location.line), ("p.toml", 1));
        assert!(err.message.contains("valid_from"), "{err}");

        let err = SchemeParams::parse("[[parameter]]\nid = 3\n", "p.toml").unwrap_err();
        assert_eq!(err.location.line, 2, "{err}");
        assert!(err.location.column > 0, "{err}");
    }

    #[test]
    fn overlapping_validity_is_refused() {
        let one = |from: &str, to: &str| {
            format!("[[parameter]]\nid = \"x\"\nvalue = 1\nunit = \"u\"\nvalid_from = \"{from}\"\nvalid_to = \"{to}\"\nsource = \"s\"\nconfirmed = true\n")
        };
        let text = one("2025-01-01", "2026-12-31") + &one("2026-01-01", "2027-12-31");
        let err = SchemeParams::parse(&text, "p.toml").unwrap_err();
        assert!(err.message.contains("overlapping"), "{err}");
        assert_eq!(err.location.line, 9);
        let text = one("2025-01-01", "2025-12-31") + &one("2026-01-01", "2027-12-31");
        let p = SchemeParams::parse(&text, "p.toml").unwrap();
        assert_eq!(p.get("x", 2026).map(|p| p.valid_from.year), Some(2026));
    }
}
