//! Engine parameters from `data/parameters/engine.toml`: the base year, the minimum coverage of aggregates
//! and dated thresholds such as the Leefbaarometer class boundaries.

use serde::Deserialize;
use std::fmt;

/// A threshold valid for a range of years.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatedThreshold {
    pub id: String,
    pub from_year: i32,
    pub to_year: i32,
    pub value: f64,
    /// Where the value comes from (a publication, or "[unconfirmed] ...").
    pub source: String,
}

/// All engine parameters.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub base_year: i32,
    pub min_coverage: f64,
    #[serde(default, rename = "threshold")]
    pub thresholds: Vec<DatedThreshold>,
}

/// A problem with the parameter file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamsError(pub String);

impl fmt::Display for ParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "engine parameters: {}", self.0)
    }
}

impl std::error::Error for ParamsError {}

/// The parameters shipped with wijkmonitor.
pub const BUILTIN_PARAMS: &str = include_str!("../../../data/parameters/engine.toml");

impl Params {
    pub fn parse(text: &str) -> Result<Params, ParamsError> {
        let params: Params = toml::from_str(text).map_err(|e| ParamsError(e.to_string()))?;
        if !(0.0..=1.0).contains(&params.min_coverage) {
            return Err(ParamsError("min_coverage must lie between 0 and 1".into()));
        }
        for t in &params.thresholds {
            if t.from_year > t.to_year {
                return Err(ParamsError(format!("threshold '{}' ends before it starts", t.id)));
            }
            let overlapping = params
                .thresholds
                .iter()
                .filter(|o| o.id == t.id && o.from_year <= t.to_year && t.from_year <= o.to_year)
                .count();
            if overlapping > 1 {
                return Err(ParamsError(format!("threshold '{}' has overlapping year ranges", t.id)));
            }
        }
        Ok(params)
    }

    pub fn builtin() -> Params {
        // Checked by a unit test: a failure here is a build defect.
        Params::parse(BUILTIN_PARAMS).unwrap_or_else(|e| panic!("built-in parameters: {e}"))
    }

    /// The value of a dated threshold in a year, if one applies.
    pub fn threshold(&self, id: &str, year: i32) -> Option<f64> {
        self.thresholds.iter().find(|t| t.id == id && t.from_year <= year && year <= t.to_year).map(|t| t.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parameters_parse() {
        let p = Params::builtin();
        assert_eq!(p.base_year, 2018);
        assert!(p.threshold("lbm_weak_upper", 2020).is_some());
        assert!(p.threshold("lbm_weak_upper", 1990).is_none());
    }

    #[test]
    fn refuses_overlapping_thresholds() {
        let text = "base_year = 2018\nmin_coverage = 0.5\n[[threshold]]\nid='a'\nfrom_year=2000\nto_year=2010\nvalue=1\nsource=''\n[[threshold]]\nid='a'\nfrom_year=2010\nto_year=2020\nvalue=2\nsource=''\n";
        assert!(Params::parse(text).unwrap_err().0.contains("overlapping"));
    }
}
