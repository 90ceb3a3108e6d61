//! The parameters of the effect analysis as data (`data/parameters/effect.toml`): the programme's start (with
//! exceptions per area), the covariates to match on, the method's choices, and the measures whose start comes from
//! the programme register.

use crate::panel::Params;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The built-in parameters.
pub const BUILTIN: &str = include_str!("../../../data/parameters/effect.toml");

/// A measure whose effect can be asked on its own.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub id: String,
    /// The register scheme (`wbmgp`, `woontop`, ...).
    pub scheme: String,
    /// The register item that holds the start year, or `year` for the entry's own year.
    pub item: String,
}

/// The whole file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub start: i32,
    #[serde(default)]
    pub covariates: Vec<String>,
    pub method: Params,
    #[serde(default)]
    pub starts: BTreeMap<String, i32>,
    #[serde(default, rename = "measure")]
    pub measures: Vec<Measure>,
}

impl Config {
    /// Parses the file; errors name the file and say what is wrong.
    pub fn parse(text: &str, file: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| format!("{file}: {e}"))?;
        let m = &config.method;
        if !(0.5..1.0).contains(&m.level) {
            return Err(format!("{file}: method.level must lie between 0.5 and 1, not {}", m.level));
        }
        if m.matched < 2 {
            return Err(format!("{file}: method.matched must be at least 2"));
        }
        if !(1900..=2100).contains(&config.start) {
            return Err(format!("{file}: start {} is not a plausible year", config.start));
        }
        Ok(config)
    }

    pub fn builtin() -> Config {
        // The built-in file is part of the build; a test parses it.
        Config::parse(BUILTIN, "effect.toml (built in)").unwrap_or_else(|e| panic!("{e}"))
    }

    /// The start of the programme in `area`.
    pub fn start_of(&self, area: &str) -> i32 {
        self.starts.get(area).copied().unwrap_or(self.start)
    }

    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.measures.iter().find(|m| m.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_file_parses_and_bad_values_are_refused() {
        let c = Config::builtin();
        assert_eq!(c.start, 2022);
        assert_eq!(c.start_of("den-haag-zuidwest"), 2022);
        assert_eq!(c.method, Params::default());
        assert!(c.measure("wbmgp").is_some());
        let bad = BUILTIN.replace("level = 0.95", "level = 95");
        assert!(Config::parse(&bad, "x.toml").unwrap_err().contains("method.level"));
        let unknown = BUILTIN.replace("matched = 50", "matched = 50\nmatches = 3");
        assert!(Config::parse(&unknown, "x.toml").unwrap_err().contains("x.toml"));
    }
}
