//! The whole procedure for one area and one indicator, and the pooled estimate over areas.
//!
//! 1. The years with a figure for the area, split at the start into "before" and "after".
//! 2. The eligible buurten: outside every focus area and designation, outside the area's own municipality unless
//!    the parameters allow it, with a figure in every year used. The `matched` nearest of them (see [`matching`]) on
//!    the level of the outcome before the start and the covariates are the comparison group. Not on the trend
//!    before the start by default: that is what the pre-trend check tests, and matching on it would fit away the
//!    very divergence the check is there to see (it stays a parameter).
//! 3. Both estimators against the comparison group: difference-in-differences with the event study ([`did`]), and
//!    synthetic difference-in-differences ([`sdid`]), which weights the comparison buurten and the years itself.
//! 4. Placebo areas: runs of as many neighbouring eligible buurten (by code, within one municipality) as the area
//!    has, starting at one of the eligible buurten nearest to the area (so of the same size and kind). Each is analysed exactly as the area: its
//!    own comparison group (the eligible buurten nearest to it, outside it and its municipality), both estimators.
//!    Their estimates are draws of the estimator where the true effect is zero.
//!    (Synthetic difference-in-differences is calibrated only where the pre-trend check passes: elsewhere no verdict
//!    is possible, and its placebos are by far the costliest part, so its estimate is shown without an interval.)
//! 5. The interval is the estimate plus and minus the placebo quantile of the absolute estimate at the confidence
//!    level; the p-value is the share of placebos at least as far from zero. The pre-trend check passes when the
//!    slope of the area's gap to its comparison group over the years before the start is no steeper than that
//!    quantile of the placebos' slopes. An effect is declared only when the interval excludes zero and the pre-trend check passes.

use crate::did;
use crate::matching::{self, Balance, Features};
use crate::panel::{Panel, Params, Treated};
use crate::rng::Rng;
use crate::sdid;
use serde::{Deserialize, Serialize};

/// The two estimators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Estimator {
    /// Difference-in-differences against the matched comparison group.
    Did,
    /// Synthetic difference-in-differences.
    Sdid,
}

impl Estimator {
    pub fn as_str(self) -> &'static str {
        match self {
            Estimator::Did => "did",
            Estimator::Sdid => "sdid",
        }
    }
}

/// What the analysis concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The indicator rose because of the programme (the interval lies above zero).
    Increase,
    /// The indicator fell because of the programme.
    Decrease,
    /// No demonstrable effect; the reason says why.
    NoEffect,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Increase => "increase",
            Verdict::Decrease => "decrease",
            Verdict::NoEffect => "no_effect",
        }
    }
}

/// Why there is no demonstrable effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoEffect {
    /// No year with a figure from the start on.
    TooFewYearsAfter,
    /// Fewer years with a figure before the start than the pre-trend check needs.
    TooFewYearsBefore,
    /// Too few comparison buurten or placebo areas.
    TooFewComparisons,
    /// The area was already moving away from its comparison group before the start.
    PreTrends,
    /// The interval includes zero: the change is within what areas without the programme show.
    TooNoisy,
    /// One estimator finds an effect and the other does not, or they differ in sign.
    EstimatorsDisagree,
}

impl NoEffect {
    pub fn as_str(self) -> &'static str {
        match self {
            NoEffect::TooFewYearsAfter => "too_few_years_after",
            NoEffect::TooFewYearsBefore => "too_few_years_before",
            NoEffect::TooFewComparisons => "too_few_comparisons",
            NoEffect::PreTrends => "pre_trends",
            NoEffect::TooNoisy => "too_noisy",
            NoEffect::EstimatorsDisagree => "estimators_disagree",
        }
    }
}

/// One estimator's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimatorResult {
    pub estimator: Estimator,
    /// The average effect over the years from the start, in the indicator's unit.
    pub estimate: f64,
    #[serde(with = "crate::json_f64")]
    pub lower: f64,
    #[serde(with = "crate::json_f64")]
    pub upper: f64,
    pub p_value: f64,
    pub verdict: Verdict,
    pub reason: Option<NoEffect>,
    /// The placebo areas' estimates (for the pooled estimate).
    #[serde(skip)]
    pub placebo: Vec<f64>,
}

/// One year of the analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Year {
    pub year: i32,
    /// The area's figure.
    pub area: f64,
    /// The comparison group, shifted to the area's level before the start.
    pub counterfactual_did: f64,
    /// The synthetic comparison (when synthetic difference-in-differences could be estimated).
    pub counterfactual_sdid: Option<f64>,
    /// The event-study coefficient: the gap to the comparison group against the last year before the start.
    pub event_study: f64,
    /// The range of the placebo areas' coefficients this year (at the confidence level).
    #[serde(with = "crate::json_f64")]
    pub placebo_lower: f64,
    #[serde(with = "crate::json_f64")]
    pub placebo_upper: f64,
}

/// A buurt of the comparison group and its weight in each estimator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Control {
    pub code: String,
    pub did_weight: f64,
    pub sdid_weight: f64,
}

/// The analysis of one area and indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub area: String,
    pub start: i32,
    pub years_before: usize,
    pub years_after: usize,
    pub did: Option<EstimatorResult>,
    pub sdid: Option<EstimatorResult>,
    /// The absolute slope (per year) of the area's gap to its comparison group before the start.
    pub pre_trend_statistic: Option<f64>,
    /// The placebo quantile it is held against (null when too few placebos reach it).
    #[serde(with = "crate::json_f64::option")]
    pub pre_trend_threshold: Option<f64>,
    pub pre_trend_ok: bool,
    /// Both estimators together: an effect only when both find it with the same sign.
    pub verdict: Verdict,
    pub reason: Option<NoEffect>,
    /// The estimators differ in sign or in significance.
    pub disagree: bool,
    pub years: Vec<Year>,
    pub controls: Vec<Control>,
    pub balance: Vec<Balance>,
    pub eligible: usize,
    pub placebos: usize,
}

impl Analysis {
    fn empty(treated: &Treated, reason: NoEffect) -> Analysis {
        Analysis {
            area: treated.id.clone(),
            start: treated.start,
            years_before: 0,
            years_after: 0,
            did: None,
            sdid: None,
            pre_trend_statistic: None,
            pre_trend_threshold: None,
            pre_trend_ok: false,
            verdict: Verdict::NoEffect,
            reason: Some(reason),
            disagree: false,
            years: Vec::new(),
            controls: Vec::new(),
            balance: Vec::new(),
            eligible: 0,
            placebos: 0,
        }
    }

    /// The result of one estimator.
    pub fn estimator(&self, e: Estimator) -> Option<&EstimatorResult> {
        match e {
            Estimator::Did => self.did.as_ref(),
            Estimator::Sdid => self.sdid.as_ref(),
        }
    }
}

/// The `level` quantile of `values` as the order statistic `ceil(level (n + 1))` (infinite when there are too few
/// values to reach it), the usual rank rule of permutation and placebo tests.
pub fn rank_quantile(values: &[f64], level: f64) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let k = (level * (sorted.len() + 1) as f64).ceil() as usize;
    if k == 0 {
        return sorted.first().copied().unwrap_or(f64::INFINITY);
    }
    sorted.get(k - 1).copied().unwrap_or(f64::INFINITY)
}

/// The placebo p-value of `estimate`: the share of placebos (counting the estimate itself) at least as far from 0.
pub fn placebo_p(estimate: f64, placebo: &[f64]) -> f64 {
    let beyond = placebo.iter().filter(|p| p.abs() >= estimate.abs()).count();
    (1 + beyond) as f64 / (1 + placebo.len()) as f64
}

struct Calibrated {
    result: EstimatorResult,
    significant: bool,
}

fn calibrate(
    estimator: Estimator,
    estimate: f64,
    placebo: Vec<f64>,
    params: &Params,
    gate: Option<NoEffect>,
) -> Calibrated {
    let abs: Vec<f64> = placebo.iter().map(|p| p.abs()).collect();
    let q = rank_quantile(&abs, params.level);
    let (lower, upper) = (estimate - q, estimate + q);
    let significant = lower > 0.0 || upper < 0.0;
    let (verdict, reason) = match gate {
        Some(reason) => (Verdict::NoEffect, Some(reason)),
        None if !significant => (Verdict::NoEffect, Some(NoEffect::TooNoisy)),
        None if estimate > 0.0 => (Verdict::Increase, None),
        None => (Verdict::Decrease, None),
    };
    let p_value = placebo_p(estimate, &placebo);
    Calibrated {
        result: EstimatorResult { estimator, estimate, lower, upper, p_value, verdict, reason, placebo },
        significant,
    }
}

/// Analyses one area. `seed` (e.g. the area and indicator ids) fixes the placebo draws.
pub fn analyse(panel: &Panel, treated: &Treated, params: &Params, seed: &str) -> Analysis {
    let n_years = panel.years.len();
    let series: Vec<f64> = match &treated.series {
        Some(s) => (0..n_years).map(|y| s.get(y).copied().unwrap_or(f64::NAN)).collect(),
        None => (0..n_years).map(|y| panel.aggregate(&treated.members, y)).collect(),
    };
    let used: Vec<usize> = (0..n_years).filter(|&y| series[y].is_finite()).collect();
    let t0 = used.iter().filter(|&&y| panel.years[y] < treated.start).count();
    let t1 = used.len() - t0;
    if t1 == 0 {
        return Analysis::empty(treated, NoEffect::TooFewYearsAfter);
    }
    if t0 == 0 {
        return Analysis { years_after: t1, ..Analysis::empty(treated, NoEffect::TooFewYearsBefore) };
    }
    let y1: Vec<f64> = used.iter().map(|&y| series[y]).collect();

    // The eligible buurten, in code order.
    let mut is_member = vec![false; panel.units.len()];
    for &m in &treated.members {
        if let Some(slot) = is_member.get_mut(m) {
            *slot = true;
        }
    }
    let eligible: Vec<usize> = (0..panel.units.len())
        .filter(|&u| {
            let unit = &panel.units[u];
            !unit.excluded
                && !is_member[u]
                && (params.own_municipality || unit.group != treated.group)
                && used.iter().all(|&y| unit.values[y].is_finite())
        })
        .collect();
    let mut out = Analysis {
        years_before: t0,
        years_after: t1,
        eligible: eligible.len(),
        ..Analysis::empty(treated, NoEffect::TooFewComparisons)
    };
    if eligible.len() < 2 {
        return out;
    }

    // Matching.
    let used_years: Vec<f64> = used.iter().map(|&y| f64::from(panel.years[y])).collect();
    let pre_years = &used_years[..t0];
    let unit_pre: Vec<Vec<f64>> =
        eligible.iter().map(|&u| used[..t0].iter().map(|&y| panel.units[u].values[y]).collect()).collect();
    let unit_cov: Vec<&[f64]> = eligible.iter().map(|&u| panel.units[u].covariates.as_slice()).collect();
    let area_cov = members_covariates(panel, &treated.members, used[t0 - 1]);
    let features = Features::build(
        params.match_on_trend,
        pre_years,
        &y1[..t0],
        &area_cov,
        &unit_pre,
        &unit_cov,
        &panel.covariates,
    );
    let distances = features.distances();
    let matched_rows = matching::nearest(&distances, params.matched);
    out.balance = features.balance(&matched_rows);
    let matched: Vec<usize> = matched_rows.iter().map(|&r| eligible[r]).collect();
    let series_of = |units: &[usize]| -> Vec<Vec<f64>> {
        units.iter().map(|&u| used.iter().map(|&y| panel.units[u].values[y]).collect()).collect()
    };
    let controls = series_of(&matched);
    let refs: Vec<&[f64]> = controls.iter().map(Vec::as_slice).collect();
    let equal = vec![1.0; refs.len()];
    let Some(did_fit) = did::estimate(&refs, &equal, &y1, &used_years, t0) else {
        return out;
    };
    let sdid_fit = sdid::estimate(&refs, &y1, t0, params.sdid_iterations);

    // Placebo areas: runs of `size` eligible buurten in code order, starting at one of the eligible buurten
    // nearest to the area, each matched and estimated exactly as the area.
    let size = treated.members.len().max(1);
    let mut placebo_did = Vec::new();
    let mut placebo_sdid = Vec::new();
    // Each placebo's series and comparison group, for synthetic difference-in-differences once it is needed.
    let mut placebo_inputs: Vec<(Vec<f64>, Vec<Vec<f64>>)> = Vec::new();
    let mut placebo_pre = Vec::new();
    let mut placebo_events: Vec<Vec<f64>> = Vec::new();
    if eligible.len() > size + params.matched {
        let mut by_distance: Vec<usize> = (0..eligible.len()).collect();
        by_distance.sort_by(|&a, &b| distances[a].total_cmp(&distances[b]).then(a.cmp(&b)));
        by_distance.truncate((3 * params.placebos).max(150));
        let mut rng = Rng::from_text(seed);
        for i in (1..by_distance.len()).rev() {
            by_distance.swap(i, rng.below(i + 1));
        }
        // For every eligible row, the rows of its municipality (eligible is in code order, so they are a range).
        let mut group_rows = vec![(0, 0); eligible.len()];
        let mut a = 0;
        while a < eligible.len() {
            let group = &panel.units[eligible[a]].group;
            let mut b = a;
            while b < eligible.len() && &panel.units[eligible[b]].group == group {
                b += 1;
            }
            group_rows[a..b].iter_mut().for_each(|r| *r = (a, b));
            a = b;
        }
        let mut y_p = vec![0.0; used.len()];
        let mut excluded_rows = vec![false; eligible.len()];
        for seed_row in by_distance {
            if placebo_did.len() >= params.placebos {
                break;
            }
            // The run stays within the seed's municipality (wrapping round within it), as an area does.
            let (a, b) = group_rows[seed_row];
            if b - a < size {
                continue;
            }
            let rows: Vec<usize> = (0..size).map(|j| a + (seed_row - a + j) % (b - a)).collect();
            let members: Vec<usize> = rows.iter().map(|&r| eligible[r]).collect();
            let mut complete = true;
            for (slot, &y) in y_p.iter_mut().zip(&used) {
                *slot = panel.aggregate(&members, y);
                complete &= slot.is_finite();
            }
            if !complete {
                continue;
            }
            // Its own comparison group: the nearest eligible buurten outside it (and outside its municipality
            // unless the parameters allow it).
            let group = &panel.units[members[0]].group;
            let covs = members_covariates(panel, &members, used[t0 - 1]);
            let point = features.point(pre_years, &y_p[..t0], &covs);
            let mut d = features.distances_to(&point);
            for &r in &rows {
                excluded_rows[r] = true;
            }
            for (r, dist) in d.iter_mut().enumerate() {
                if excluded_rows[r] || (!params.own_municipality && &panel.units[eligible[r]].group == group) {
                    *dist = f64::INFINITY;
                }
            }
            for &r in &rows {
                excluded_rows[r] = false;
            }
            let own: Vec<usize> = matching::nearest(&d, params.matched)
                .into_iter()
                .filter(|&r| d[r].is_finite())
                .map(|r| eligible[r])
                .collect();
            let own_controls = series_of(&own);
            let own_refs: Vec<&[f64]> = own_controls.iter().map(Vec::as_slice).collect();
            let own_equal = vec![1.0; own_refs.len()];
            let Some(fit) = did::estimate(&own_refs, &own_equal, &y_p, &used_years, t0) else {
                continue;
            };
            placebo_inputs.push((y_p.clone(), own_controls));
            placebo_did.push(fit.tau);
            placebo_pre.push(fit.pre_trend);
            placebo_events.push(fit.event_study);
        }
    }
    out.placebos = placebo_did.len();

    // The pre-trend check and the verdicts.
    let (pre_stat, pre_threshold) =
        if t0 >= 2 { (Some(did_fit.pre_trend), Some(rank_quantile(&placebo_pre, params.level))) } else { (None, None) };
    out.pre_trend_statistic = pre_stat;
    out.pre_trend_threshold = pre_threshold;
    out.pre_trend_ok = matches!((pre_stat, pre_threshold), (Some(s), Some(t)) if s <= t);
    let gate = if out.placebos < params.min_placebos {
        Some(NoEffect::TooFewComparisons)
    } else if t0 < params.min_years_before.max(2) {
        Some(NoEffect::TooFewYearsBefore)
    } else if !out.pre_trend_ok {
        Some(NoEffect::PreTrends)
    } else {
        None
    };
    // Synthetic difference-in-differences costs far more than the matching and the plain estimator; its placebos
    // are only needed for a verdict, so an analysis that the gate already stops keeps its estimate without an
    // interval.
    if sdid_fit.is_some() && gate.is_none() {
        for (y_p, controls) in &placebo_inputs {
            let refs: Vec<&[f64]> = controls.iter().map(Vec::as_slice).collect();
            if let Some(fit) = sdid::estimate(&refs, y_p, t0, params.sdid_iterations) {
                placebo_sdid.push(fit.tau);
            }
        }
    }
    let did_result = calibrate(Estimator::Did, did_fit.tau, placebo_did, params, gate);
    let sdid_gate = gate.or((placebo_sdid.len() < params.min_placebos).then_some(NoEffect::TooFewComparisons));
    let sdid_result = sdid_fit.as_ref().map(|f| calibrate(Estimator::Sdid, f.tau, placebo_sdid, params, sdid_gate));
    out.disagree = match &sdid_result {
        Some(s) if gate.is_none() => {
            s.significant != did_result.significant || (s.result.estimate > 0.0) != (did_result.result.estimate > 0.0)
        }
        _ => false,
    };
    (out.verdict, out.reason) = match (&did_result.result, sdid_result.as_ref().map(|s| &s.result)) {
        (d, _) if d.verdict == Verdict::NoEffect => (Verdict::NoEffect, d.reason),
        (d, Some(s)) if s.verdict == d.verdict => (d.verdict, None),
        (_, Some(s)) if s.verdict == Verdict::NoEffect && s.reason != Some(NoEffect::TooNoisy) => {
            (Verdict::NoEffect, s.reason)
        }
        (_, Some(_)) => (Verdict::NoEffect, Some(NoEffect::EstimatorsDisagree)),
        // Without a second estimate (one year before the start) the gate above has already said no.
        (d, None) => (d.verdict, d.reason),
    };

    // The years, the comparison group.
    let sdid_cf = sdid_fit.as_ref().map(|f| f.counterfactual(&refs, &y1));
    out.years = used
        .iter()
        .enumerate()
        .map(|(i, &y)| {
            let column: Vec<f64> = placebo_events.iter().map(|e| e[i]).collect();
            let (lo, hi) = band(&column, params.level);
            Year {
                year: panel.years[y],
                area: y1[i],
                counterfactual_did: did_fit.counterfactual[i],
                counterfactual_sdid: sdid_cf.as_ref().map(|c| c[i]),
                event_study: did_fit.event_study[i],
                placebo_lower: lo,
                placebo_upper: hi,
            }
        })
        .collect();
    out.controls = matched
        .iter()
        .enumerate()
        .map(|(i, &u)| Control {
            code: panel.units[u].code.clone(),
            did_weight: 1.0 / matched.len() as f64,
            sdid_weight: sdid_fit.as_ref().map_or(0.0, |f| f.omega[i]),
        })
        .collect();
    out.did = Some(did_result.result);
    out.sdid = sdid_result.map(|s| s.result);
    out
}

/// Analyses several areas of one panel, spread over the available cores; the results are in the order of
/// `areas` and do not depend on the number of cores. `seed` prefixes each area's own seed.
pub fn analyse_all(panel: &Panel, areas: &[Treated], params: &Params, seed: &str) -> Vec<Analysis> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(areas.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<Analysis>> = vec![None; areas.len()];
    let slots = std::sync::Mutex::new(&mut results);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(area) = areas.get(i) else { break };
                let a = analyse(panel, area, params, &format!("{seed}/{}", area.id));
                if let Ok(mut slots) = slots.lock() {
                    slots[i] = Some(a);
                }
            });
        }
    });
    results.into_iter().flatten().collect()
}

/// The central `level` range of `values` (NaN when there are none).
fn band(values: &[f64], level: f64) -> (f64, f64) {
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let tail = (1.0 - level) / 2.0;
    let at = |q: f64| sorted[((q * (sorted.len() - 1) as f64).round() as usize).min(sorted.len() - 1)];
    (at(tail), at(1.0 - tail))
}

/// The covariates of a set of buurten: their covariates weighted with their weights of year `y`.
fn members_covariates(panel: &Panel, members: &[usize], y: usize) -> Vec<f64> {
    (0..panel.covariates.len())
        .map(|c| {
            // A buurt without a weight that year counts once.
            crate::panel::weighted_mean(members.iter().filter_map(|&m| panel.units.get(m)).map(|u| {
                let w = u.weights.get(y).copied().filter(|w| w.is_finite() && *w > 0.0).unwrap_or(1.0);
                (u.covariates.get(c).copied().unwrap_or(f64::NAN), w)
            }))
        })
        .collect()
}

/// The pooled estimate over areas for one estimator: the mean of the areas' estimates, calibrated by means of one
/// placebo draw per area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pooled {
    pub estimator: Estimator,
    pub areas: usize,
    pub estimate: f64,
    #[serde(with = "crate::json_f64")]
    pub lower: f64,
    #[serde(with = "crate::json_f64")]
    pub upper: f64,
    pub p_value: f64,
    pub verdict: Verdict,
    pub reason: Option<NoEffect>,
}

/// Pools the areas whose analysis passed its pre-trend check and has placebos; `None` when none has.
pub fn pooled(analyses: &[&Analysis], estimator: Estimator, params: &Params, seed: &str) -> Option<Pooled> {
    let parts: Vec<&EstimatorResult> = analyses
        .iter()
        .filter(|a| a.pre_trend_ok)
        .filter_map(|a| a.estimator(estimator))
        .filter(|r| r.placebo.len() >= params.min_placebos)
        .collect();
    if parts.is_empty() {
        return None;
    }
    let n = parts.len() as f64;
    let estimate = parts.iter().map(|r| r.estimate).sum::<f64>() / n;
    let mut rng = Rng::from_text(seed);
    let draws: Vec<f64> =
        (0..2000).map(|_| parts.iter().map(|r| r.placebo[rng.below(r.placebo.len())]).sum::<f64>() / n).collect();
    let c = calibrate(estimator, estimate, draws, params, None);
    Some(Pooled {
        estimator,
        areas: parts.len(),
        estimate,
        lower: c.result.lower,
        upper: c.result.upper,
        p_value: c.result.p_value,
        verdict: c.result.verdict,
        reason: c.result.reason,
    })
}

/// The columns of the effects as CSV (`wijkmonitor effect --format csv`, `/over/effectmeting.csv`): one row per
/// area, indicator and estimator.
pub const CSV_COLUMNS: [&str; 14] = [
    "area",
    "indicator",
    "estimator",
    "start",
    "estimate",
    "lower",
    "upper",
    "p_value",
    "pre_trend_ok",
    "verdict",
    "reason",
    "combined_verdict",
    "years_before",
    "years_after",
];

impl Analysis {
    /// The CSV rows of this analysis (see [`CSV_COLUMNS`]): one per estimator; an empty field where a number is
    /// unbounded or missing.
    pub fn csv_rows(&self, indicator: &str) -> Vec<Vec<String>> {
        let n = |x: f64| if x.is_finite() { x.to_string() } else { String::new() };
        let rows: Vec<&EstimatorResult> = self.did.iter().chain(self.sdid.iter()).collect();
        if rows.is_empty() {
            return vec![vec![
                self.area.clone(),
                indicator.to_string(),
                String::new(),
                self.start.to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                self.pre_trend_ok.to_string(),
                self.verdict.as_str().into(),
                self.reason.map(|r| r.as_str().to_string()).unwrap_or_default(),
                self.verdict.as_str().into(),
                self.years_before.to_string(),
                self.years_after.to_string(),
            ]];
        }
        rows.into_iter()
            .map(|r| {
                let bounded = r.lower.is_finite() && r.upper.is_finite();
                vec![
                    self.area.clone(),
                    indicator.to_string(),
                    r.estimator.as_str().into(),
                    self.start.to_string(),
                    n(r.estimate),
                    n(r.lower),
                    n(r.upper),
                    if bounded { n(r.p_value) } else { String::new() },
                    self.pre_trend_ok.to_string(),
                    r.verdict.as_str().into(),
                    r.reason.map(|x| x.as_str().to_string()).unwrap_or_default(),
                    self.verdict.as_str().into(),
                    self.years_before.to_string(),
                    self.years_after.to_string(),
                ]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rank_quantile_and_the_placebo_p_value() {
        let v: Vec<f64> = (1..=19).map(f64::from).collect();
        assert_eq!(rank_quantile(&v, 0.95), 19.0);
        assert_eq!(rank_quantile(&v[..10], 0.95), f64::INFINITY, "too few placebos reach no quantile");
        assert_eq!(placebo_p(19.5, &v), 1.0 / 20.0);
        assert_eq!(placebo_p(0.0, &v), 1.0);
    }

    #[test]
    fn an_analysis_survives_json_with_its_unbounded_numbers() {
        let sim =
            crate::sim::simulate(&crate::sim::Spec { municipalities: 6, buurten: 60, areas: 1, ..Default::default() });
        let params = Params { placebos: 10, min_placebos: 40, ..Params::default() };
        let a = analyse(&sim.panel, &sim.areas[0], &params, "json");
        let did = a.did.as_ref().unwrap();
        assert!(did.upper.is_infinite(), "ten placebos cannot bound a 95% interval");
        assert_eq!(a.reason, Some(NoEffect::TooFewComparisons));
        let text = serde_json::to_string(&a).unwrap();
        let back: Analysis = serde_json::from_str(&text).unwrap();
        assert!(back.did.as_ref().unwrap().upper.is_nan());
        assert_eq!(back.verdict, a.verdict);
        for (x, y) in back.controls.iter().zip(&a.controls) {
            assert_eq!(x.code, y.code);
            assert!((x.sdid_weight - y.sdid_weight).abs() < 1e-15);
        }
    }

    #[test]
    fn band_is_the_central_range() {
        let v: Vec<f64> = (0..=100).map(f64::from).collect();
        assert_eq!(band(&v, 0.9), (5.0, 95.0));
        assert!(band(&[], 0.9).0.is_nan());
    }
}
