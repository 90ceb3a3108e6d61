//! The wijkmonitor indicator engine: every catalogue indicator for every buurt, wijk, gemeente, focus area,
//! rest of a municipality, all areas together and the Netherlands, for every period with data; comparisons;
//! disclosure control; and areas followed across boundary changes. No IO: the caller loads the figures and
//! stores the results.
//!
//! # Layout
//! - [`params`]: engine parameters (base year, minimum coverage, dated thresholds) from a data file.
//! - [`dataset`]: the input figures in columns, and the figures supplied per focus area.
//! - [`geography`]: the targets and, per period, their buurten with weights (crosswalks, unmatched buurten).
//! - [`compute`]: aggregation from buurten (sums, ratios of sums, weighted means, shares below a threshold).
//! - [`area_level`]: indicators supplied per focus area (the yearly request, the programme register).
//! - [`disclosure`]: primary and complementary suppression.
//! - [`uncertainty`]: 95% intervals for a change from the figure's counting model (Poisson, binomial, buurten).
//! - [`compare`]: comparisons of an area with the Netherlands, its municipality, the other areas and the past.
//!
//! The order is fixed: compute, then [`disclosure::apply`], then compare; nothing reads figures that have not
//! passed disclosure control. [`run`] does all of it.

pub mod area_level;
pub mod compare;
pub mod compute;
pub mod dataset;
pub mod disclosure;
pub mod geography;
pub mod params;
pub mod uncertainty;

pub use compute::{Reason, Results};
pub use dataset::{AreaInput, Dataset};
pub use geography::{Crosswalk, Geography, Target, TargetKind};
pub use params::Params;

use std::collections::HashMap;
use wijkmonitor_model::disclosure::DisclosureRules;
use wijkmonitor_model::{Catalogue, FocusAreaSet, RegionCode};

/// Everything the engine produces in one run.
#[derive(Debug, Clone)]
pub struct Run {
    pub geography: Geography,
    /// Figures after disclosure control.
    pub results: Results,
}

/// Computes, then applies disclosure control. Figures supplied per focus area travel in the dataset
/// ([`Dataset::with_area_inputs`]).
pub fn run(
    ds: &Dataset,
    catalogue: &Catalogue,
    rules: &DisclosureRules,
    areas: &FocusAreaSet,
    crosswalk: &Crosswalk,
    names: &HashMap<RegionCode, String>,
    params: &Params,
) -> Run {
    let geography = Geography::build(ds, areas, crosswalk, names);
    let mut results = compute::compute_with_rules(ds, catalogue, &geography, params, rules);
    disclosure::apply(&mut results, &geography, catalogue, rules);
    Run { geography, results }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod attacker_tests;
