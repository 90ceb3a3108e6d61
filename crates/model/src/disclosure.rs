//! Disclosure-control rules: which figures may be published, and rounded how.
//!
//! The thresholds follow CBS practice for districts and neighbourhoods (see the handbook) and live in a data
//! file (`data/catalogue/disclosure.toml`) so that they can be reviewed and changed without a code change.
//! Each indicator in the catalogue names one rule. The rules are applied after aggregation, to every figure
//! that is shown or exported; applying them is the indicator engine's job, this module only describes them.

use serde::Deserialize;
use std::fmt;

/// A minimum base below which a figure is suppressed (e.g. household-income shares need at least 100 households).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinimumBase {
    /// The catalogue variable that measures the base.
    pub variable: String,
    /// The smallest base at which the figure may be published.
    pub threshold: f64,
}

/// One disclosure rule.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureRule {
    pub id: String,
    pub description_nl: String,
    pub description_en: String,
    /// Round published values to a multiple of this (counts of persons: 5).
    #[serde(default)]
    pub round_to: Option<f64>,
    /// Values from 0 up to and including this number are published as secret (youth care and Wmo: 7).
    #[serde(default)]
    pub secret_at_or_below: Option<f64>,
    /// Suppress the figure when its base is smaller than the threshold.
    #[serde(default)]
    pub min_base: Option<MinimumBase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DisclosureFile {
    rule: Vec<DisclosureRule>,
}

/// A problem with the disclosure file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureError(pub String);

impl fmt::Display for DisclosureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "disclosure rules: {}", self.0)
    }
}

impl std::error::Error for DisclosureError {}

/// All rules of a disclosure file.
#[derive(Debug, Clone, PartialEq)]
pub struct DisclosureRules {
    pub rules: Vec<DisclosureRule>,
}

impl DisclosureRules {
    pub fn parse(text: &str) -> Result<DisclosureRules, DisclosureError> {
        let file: DisclosureFile = toml::from_str(text).map_err(|e| DisclosureError(e.to_string()))?;
        let mut seen = std::collections::HashSet::new();
        for rule in &file.rule {
            if !seen.insert(rule.id.as_str()) {
                return Err(DisclosureError(format!("rule '{}' is defined twice", rule.id)));
            }
            if rule.round_to.is_some_and(|r| r <= 0.0) {
                return Err(DisclosureError(format!("rule '{}': round_to must be positive", rule.id)));
            }
        }
        Ok(DisclosureRules { rules: file.rule })
    }

    /// The rules shipped with wijkmonitor.
    pub fn builtin() -> DisclosureRules {
        // Checked by a unit test: a failure here is a build defect, not bad input.
        DisclosureRules::parse(crate::BUILTIN_DISCLOSURE).unwrap_or_else(|e| panic!("built-in disclosure file: {e}"))
    }

    pub fn get(&self, id: &str) -> Option<&DisclosureRule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// The reason the public learns for a figure suppressed by disclosure control, given the detailed reason the
/// engine stored. A small value, a complementary suppression and a suppression along a link all read
/// `suppressed`: were the reasons told apart, a reader would know which secret figure of a relation is the
/// small one (at most 7 Wmo clients, say) and which ones only protect it. A base below the threshold stays as
/// it is, since the base is published anyway. Analysts keep the detail (`wijkmonitor export --computed`).
pub fn public_reason(reason: &str) -> &str {
    match reason {
        "small_value" | "complementary_suppression" | "linked_suppression" => PUBLIC_SUPPRESSED,
        other => other,
    }
}

/// The one public reason of a suppressed figure (see [`public_reason`]).
pub const PUBLIC_SUPPRESSED: &str = "suppressed";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_cannot_tell_a_small_value_from_the_figures_that_protect_it() {
        for detail in ["small_value", "complementary_suppression", "linked_suppression"] {
            assert_eq!(public_reason(detail), "suppressed");
        }
        assert_eq!(public_reason("base_below_threshold"), "base_below_threshold");
        assert_eq!(public_reason("partial_coverage"), "partial_coverage");
    }

    #[test]
    fn builtin_rules_carry_the_cbs_thresholds() {
        let rules = DisclosureRules::builtin();
        assert_eq!(rules.get("person_count").unwrap().round_to, Some(5.0));
        assert_eq!(rules.get("household_income").unwrap().min_base.as_ref().unwrap().threshold, 100.0);
        assert_eq!(rules.get("labour_participation").unwrap().min_base.as_ref().unwrap().threshold, 150.0);
        assert_eq!(rules.get("care").unwrap().secret_at_or_below, Some(7.0));
        assert_eq!(rules.get("population_density").unwrap().min_base.as_ref().unwrap().threshold, 10.0);
    }

    #[test]
    fn rejects_duplicate_rules() {
        let text = "[[rule]]\nid='a'\ndescription_nl=''\ndescription_en=''\n[[rule]]\nid='a'\ndescription_nl=''\ndescription_en=''\n";
        assert!(DisclosureRules::parse(text).unwrap_err().0.contains("twice"));
    }
}
