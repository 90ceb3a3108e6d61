//! The input of an effect analysis: one indicator's figures for every buurt and year, with the weight each buurt
//! carries when buurten are put together (the indicator's denominator or weight, so that an aggregate of buurten is
//! the ratio of sums or the weighted mean the engine computes), and the treated area.

use serde::{Deserialize, Serialize};

/// One buurt.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub code: String,
    /// The municipality (or any grouping whose members may not serve as comparison units when the parameters
    /// keep the area's own municipality out).
    pub group: String,
    /// Per year of the panel: the indicator's value (NaN: no figure).
    pub values: Vec<f64>,
    /// Per year: the buurt's weight when aggregating (NaN or 0: counts for nothing).
    pub weights: Vec<f64>,
    /// Covariates to match on, measured before the start (NaN: unknown), as named in [`Panel::covariates`].
    pub covariates: Vec<f64>,
    /// In a focus area or under a designation: never a comparison unit or part of a placebo area.
    pub excluded: bool,
}

/// All buurten of one indicator.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Panel {
    /// The years, ascending.
    pub years: Vec<i32>,
    /// Ordered by code, so that neighbouring codes are (mostly) neighbouring buurten.
    pub units: Vec<Unit>,
    pub covariates: Vec<String>,
}

/// The area whose effect is asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Treated {
    pub id: String,
    /// Its buurten (indices into [`Panel::units`]).
    pub members: Vec<usize>,
    /// Per year of the panel: the area's own figure (NaN: none); when `None`, the members are aggregated.
    pub series: Option<Vec<f64>>,
    /// The municipality.
    pub group: String,
    /// The first year of the programme (or the measure): years from it on are "after".
    pub start: i32,
}

/// The choices of the method, all documented in `data/parameters/effect.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The size of the matched comparison group.
    pub matched: usize,
    /// Whether the outcome's trend before the start is a matching feature besides its level. Off by default: the
    /// pre-trend check tests that trend, and matching on it would make the check circular.
    pub match_on_trend: bool,
    /// How many placebo areas calibrate each analysis.
    pub placebos: usize,
    /// Whether buurten of the area's own municipality may be comparison units (spillovers argue against).
    pub own_municipality: bool,
    /// The confidence level of the intervals.
    pub level: f64,
    /// Fewer usable placebo areas than this: no verdict.
    pub min_placebos: usize,
    /// Fewer years with a figure before the start than this: no verdict (the pre-trend check needs two).
    pub min_years_before: usize,
    /// The cap on the synthetic difference-in-differences solver's iterations after sparsifying (the reference's
    /// default is 10,000; the solver rarely stops before the cap, so this sets its cost; see effect.toml).
    pub sdid_iterations: usize,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            matched: 50,
            match_on_trend: false,
            placebos: 100,
            own_municipality: false,
            level: 0.95,
            min_placebos: 40,
            min_years_before: 2,
            sdid_iterations: 1000,
        }
    }
}

impl Panel {
    /// The weighted aggregate of `members` in year `y` (NaN when no member has a figure and a weight).
    pub fn aggregate(&self, members: &[usize], y: usize) -> f64 {
        weighted_mean(members.iter().map(|&m| (self.units[m].values[y], self.units[m].weights[y])))
    }

    /// A panel of one value per buurt and year with equal weights, grouped by the municipality digits of the
    /// codes and without covariates (the real Leefbaarometer scores of the placebo tests and the cross-check).
    pub fn unweighted(years: &[i32], values: std::collections::BTreeMap<String, Vec<f64>>) -> Panel {
        let units = values
            .into_iter()
            .map(|(code, values)| Unit {
                group: code.get(2..6).unwrap_or("").to_string(),
                code,
                values,
                weights: vec![1.0; years.len()],
                covariates: Vec::new(),
                excluded: false,
            })
            .collect();
        Panel { years: years.to_vec(), units, covariates: Vec::new() }
    }

    /// The weight of `members` in the year closest to `y` that has one (the weights of the earliest years are
    /// often unknown, e.g. inhabitants before the first Kerncijfers).
    pub fn fill_weights_from_nearest_year(&mut self) {
        for u in &mut self.units {
            let known: Vec<usize> =
                (0..u.weights.len()).filter(|&y| u.weights[y].is_finite() && u.weights[y] > 0.0).collect();
            if known.is_empty() {
                u.weights.iter_mut().for_each(|w| *w = 1.0);
                continue;
            }
            for y in 0..u.weights.len() {
                if !(u.weights[y].is_finite() && u.weights[y] > 0.0) {
                    let nearest = known.iter().copied().min_by_key(|&k| (k as i64 - y as i64).abs()).unwrap_or(y);
                    u.weights[y] = u.weights[nearest];
                }
            }
        }
    }
}

/// The mean of `(value, weight)` pairs over those with a finite value and a finite positive weight; NaN when none.
pub fn weighted_mean(pairs: impl IntoIterator<Item = (f64, f64)>) -> f64 {
    let (mut sum, mut weight) = (0.0, 0.0);
    for (v, w) in pairs {
        if v.is_finite() && w.is_finite() && w > 0.0 {
            sum += v * w;
            weight += w;
        }
    }
    if weight > 0.0 {
        sum / weight
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, values: Vec<f64>, weights: Vec<f64>) -> Unit {
        Unit { code: code.into(), group: "GM".into(), values, weights, covariates: vec![], excluded: false }
    }

    #[test]
    fn aggregates_are_weighted_and_skip_what_is_missing() {
        let mut p = Panel {
            years: vec![2020, 2021],
            units: vec![
                unit("a", vec![10.0, f64::NAN], vec![1.0, 1.0]),
                unit("b", vec![20.0, 5.0], vec![3.0, f64::NAN]),
            ],
            covariates: vec![],
        };
        assert_eq!(p.aggregate(&[0, 1], 0), 17.5);
        assert!(p.aggregate(&[0, 1], 1).is_nan());
        p.fill_weights_from_nearest_year();
        assert_eq!(p.units[1].weights, vec![3.0, 3.0]);
        assert_eq!(p.aggregate(&[0, 1], 1), 5.0);
    }
}
