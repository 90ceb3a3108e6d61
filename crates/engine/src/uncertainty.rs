//! Whether an area's figure really changed: a 95% interval for the change between two years from the figure's
//! counting model, instead of a fixed margin.
//!
//! - **Counts and rates per 1,000** (a sum of a count; a ratio whose numerator is a count of events): the count is
//!   Poisson, or overdispersed where the data show it. The dispersion of a count variable is estimated from every
//!   buurt's change between consecutive years, `sum (N_t - N_t-1)^2 / sum (N_t + N_t-1)` (1 for a Poisson count),
//!   and never taken below 1.
//! - **Shares with a known base** (a ratio of counts times 100; a weighted mean of a percentage weighted by the count
//!   it is a percentage of): binomial, `p (1 - p) / n` with `n` the base.
//! - **Averages and scores** (the Leefbaarometer, WOZ values, incomes; and the share of dwellings in buurten below a
//!   threshold): no counting model; the interval comes from the spread of the buurten's own changes, weighted as the
//!   area is (the area as a weighted sample of its buurten' changes).
//!
//! Two years are taken as independent for counts and shares, which for shares of the same households overstates
//! the uncertainty a little: the test errs towards "no demonstrable change". A figure supplied per area (the yearly
//! request, the register) has no model, and its change is described without a verdict.

use crate::compute::Results;
use crate::dataset::Dataset;
use crate::geography::{Geography, TargetKind};
use std::collections::HashMap;
use wijkmonitor_model::catalogue::{Aggregation, Indicator, VariableKind};
use wijkmonitor_model::Catalogue;

/// The model an interval comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model {
    /// A Poisson count, with its dispersion (1: Poisson; above 1: overdispersed).
    Poisson {
        dispersion: f64,
    },
    Binomial,
    /// The spread of the buurten's changes.
    BetweenBuurten,
}

impl Model {
    pub fn as_str(self) -> &'static str {
        match self {
            Model::Poisson { dispersion } if dispersion > 1.0 => "overdispersed_poisson",
            Model::Poisson { .. } => "poisson",
            Model::Binomial => "binomial",
            Model::BetweenBuurten => "between_buurten",
        }
    }
}

/// A change with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangeTest {
    pub change: f64,
    pub lower: f64,
    pub upper: f64,
    /// The interval excludes zero.
    pub significant: bool,
    pub model: Model,
}

const Z95: f64 = 1.959_963_984_540_054;

/// What the tests read: the dataset, the targets and the engine's figures before disclosure control (for the
/// buurten's own changes), with the dispersion of every count variable computed once.
pub struct Uncertainty<'a> {
    ds: &'a Dataset,
    geo: &'a Geography,
    results: &'a Results,
    catalogue: &'a Catalogue,
    dispersion: HashMap<usize, f64>,
    /// Dataset region -> its buurt target.
    buurt_target: HashMap<u32, usize>,
}

impl<'a> Uncertainty<'a> {
    pub fn new(ds: &'a Dataset, catalogue: &'a Catalogue, geo: &'a Geography, results: &'a Results) -> Uncertainty<'a> {
        let buurt_target = geo
            .targets
            .iter()
            .enumerate()
            .filter(|(_, t)| t.kind == TargetKind::Buurt)
            .filter_map(|(i, t)| t.own.map(|r| (r, i)))
            .collect();
        let mut counts: Vec<&str> = Vec::new();
        for ind in &catalogue.indicators {
            match &ind.aggregation {
                Aggregation::Sum { variable } => counts.push(variable),
                Aggregation::Ratio { numerator, .. } => counts.push(numerator),
                _ => {}
            }
        }
        let dispersion =
            counts.into_iter().filter_map(|v| ds.variable_index(v)).map(|v| (v, dispersion_of(ds, v))).collect();
        Uncertainty { ds, geo, results, catalogue, dispersion, buurt_target }
    }

    /// The test of the change of `indicator` (index `i` in the results) in `target` from period `from` to `to`
    /// (indices in the results). `None` without both figures or without a model.
    pub fn change(&self, indicator: &Indicator, i: usize, target: &str, from: usize, to: usize) -> Option<ChangeTest> {
        let t = self.geo.target(target)?;
        let v1 = self.results.column(i, from).number(t)?;
        let v2 = self.results.column(i, to).number(t)?;
        let change = v2 - v1;
        let (variance, model) = match &indicator.aggregation {
            Aggregation::Sum { variable } => {
                let kind = self.catalogue.variable(variable).map(|v| v.kind);
                if kind != Some(VariableKind::Count) {
                    return None;
                }
                let phi = self.phi(variable);
                (phi * (v1.max(0.0) + v2.max(0.0)), Model::Poisson { dispersion: phi })
            }
            Aggregation::Ratio { numerator, denominator, scale } => {
                let s1 = self.sums(t, from, numerator, denominator)?;
                let s2 = self.sums(t, to, numerator, denominator)?;
                if (*scale - 100.0).abs() < 1e-9 {
                    (binomial(s1.0 / s1.1, s1.1) + binomial(s2.0 / s2.1, s2.1), Model::Binomial)
                } else {
                    let phi = self.phi(numerator);
                    let var = |(n, d): (f64, f64)| scale * scale * phi * n.max(0.0) / (d * d);
                    (var(s1) + var(s2), Model::Poisson { dispersion: phi })
                }
            }
            Aggregation::WeightedMean { variable, weight } => {
                let kind = self.catalogue.variable(variable).map(|v| v.kind);
                if kind == Some(VariableKind::Percentage) {
                    let n1 = self.base(t, from, weight)?;
                    let n2 = self.base(t, to, weight)?;
                    (binomial(v1 / 100.0, n1) + binomial(v2 / 100.0, n2), Model::Binomial)
                } else {
                    (self.between_buurten(i, t, from, to, weight)?, Model::BetweenBuurten)
                }
            }
            Aggregation::ShareAtOrBelow { weight, .. } => {
                (self.between_buurten(i, t, from, to, weight)?, Model::BetweenBuurten)
            }
            Aggregation::None { .. } => return None,
        };
        let half = Z95 * variance.max(0.0).sqrt();
        if !half.is_finite() {
            return None;
        }
        Some(ChangeTest { change, lower: change - half, upper: change + half, significant: change.abs() > half, model })
    }

    fn phi(&self, variable: &str) -> f64 {
        self.ds.variable_index(variable).and_then(|v| self.dispersion.get(&v).copied()).unwrap_or(1.0)
    }

    /// The members of target `t` in results period `p`, as dataset period and members.
    fn members(&self, t: usize, p: usize) -> Option<(usize, &[(u32, f64)])> {
        let dp = self.ds.period_index(*self.results.periods.get(p)?)?;
        Some((dp, self.geo.targets[t].members.get(dp)?.as_slice()))
    }

    /// The summed numerator and denominator over the members with both.
    fn sums(&self, t: usize, p: usize, numerator: &str, denominator: &str) -> Option<(f64, f64)> {
        let (dp, members) = self.members(t, p)?;
        let (nv, dv) = (self.ds.variable_index(numerator)?, self.ds.variable_index(denominator)?);
        let (mut n, mut d) = (0.0, 0.0);
        for &(r, w) in members {
            if let (Some(x), Some(y)) = (self.ds.number(nv, dp, r), self.ds.number(dv, dp, r)) {
                n += w * x;
                d += w * y;
            }
        }
        (d > 0.0).then_some((n, d))
    }

    /// The summed base (weight variable) over the members.
    fn base(&self, t: usize, p: usize, weight: &str) -> Option<f64> {
        let (dp, members) = self.members(t, p)?;
        let wv = self.ds.variable_index(weight)?;
        let n: f64 = members.iter().filter_map(|&(r, w)| self.ds.number(wv, dp, r).map(|x| w * x)).sum();
        (n > 0.0).then_some(n)
    }

    /// The variance of the weighted mean of the members' own changes (buurten present in both periods, weighted by
    /// their weight in the later one).
    fn between_buurten(&self, i: usize, t: usize, from: usize, to: usize, weight: &str) -> Option<f64> {
        let (dp_to, members) = self.members(t, to)?;
        let wv = self.ds.variable_index(weight)?;
        let mut pairs: Vec<(f64, f64)> = Vec::new();
        for &(r, share) in members {
            let Some(&bt) = self.buurt_target.get(&r) else { continue };
            let (Some(x1), Some(x2)) = (self.results.column(i, from).number(bt), self.results.column(i, to).number(bt))
            else {
                continue;
            };
            let w = share * self.ds.number(wv, dp_to, r).filter(|w| *w > 0.0).unwrap_or(0.0);
            if w > 0.0 {
                pairs.push((x2 - x1, w));
            }
        }
        if pairs.len() < 2 {
            return None;
        }
        let total: f64 = pairs.iter().map(|p| p.1).sum();
        let mean = pairs.iter().map(|(d, w)| d * w).sum::<f64>() / total;
        let n = pairs.len() as f64;
        let var = pairs.iter().map(|(d, w)| w * w * (d - mean).powi(2)).sum::<f64>() / (total * total);
        Some(var * n / (n - 1.0))
    }
}

/// The binomial variance of a percentage: `100^2 p (1 - p) / n`.
fn binomial(p: f64, n: f64) -> f64 {
    let p = p.clamp(0.0, 1.0);
    1e4 * p * (1.0 - p) / n
}

/// The dispersion of a count variable over every buurt and pair of consecutive periods: 1 for Poisson counts,
/// more where the counts vary more than Poisson; never below 1.
fn dispersion_of(ds: &Dataset, v: usize) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for p in 1..ds.periods.len() {
        let (a, b) = (ds.values(v, p - 1), ds.values(v, p));
        for (x, y) in a.iter().zip(b) {
            if x.is_finite() && y.is_finite() && x + y > 0.0 {
                num += (y - x).powi(2);
                den += x + y;
            }
        }
    }
    if den > 0.0 {
        (num / den).max(1.0)
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_variance_and_poisson_dispersion() {
        assert!((binomial(0.5, 100.0) - 25.0).abs() < 1e-12);
        assert_eq!(binomial(0.0, 10.0), 0.0);
        // A count that moves exactly as Poisson would has dispersion 1; one that swings more, more.
        use wijkmonitor_model::{Period, RegionCode};
        let regions: Vec<RegionCode> =
            ["BU00010001", "BU00010002"].iter().map(|c| RegionCode::parse(c).unwrap()).collect();
        let mut ds = Dataset::empty(regions, vec![Period::Year(2020), Period::Year(2021)], vec!["n".into()]);
        let v = ds.variable_index("n").unwrap();
        ds.column_mut(v, 0).0.copy_from_slice(&[100.0, 100.0]);
        ds.column_mut(v, 1).0.copy_from_slice(&[160.0, 40.0]);
        // (60^2 + 60^2) / (260 + 140) = 18.
        assert!((dispersion_of(&ds, v) - 18.0).abs() < 1e-9);
    }
}
