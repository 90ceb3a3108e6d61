//! Computing every indicator for every target and period.
//!
//! A CBS region (buurt, wijk, gemeente, the Netherlands) uses its own published figures where the source has
//! them, because CBS computes those from unrounded microdata. Composite targets (areas, rests, all areas) and
//! CBS regions without their own figures are aggregated from their buurten:
//!
//! | aggregation | value | buurten without usable inputs |
//! |---|---|---|
//! | sum | `Σ w·x` | any such buurt with inhabitants makes the sum missing (a partial sum would be too low) |
//! | ratio | `scale · Σ w·num / Σ w·den` | left out; the coverage says which share of the inhabitants is in |
//! | weighted mean | `Σ w·wt·x / Σ w·wt` | left out, as above |
//! | share at or below | `100 · Σ w·wt·[x ≤ t] / Σ w·wt` | left out, as above |
//! | none | only a figure supplied for the target itself | - |
//!
//! `w` is the buurt's weight in the target (1, or a crosswalk share). A figure whose coverage falls below the
//! parameter `min_coverage` is missing, with the coverage as reason. Coverage is the share of the inhabitants
//! in buurten with usable inputs; a year without population figures (a Leefbaarometer edition between two
//! Kerncijfers years) takes each buurt's inhabitants from the nearest year that has them, and a buurt without
//! inhabitants in any year counts as the mean of the target's other buurten, so that the small unscored buurten
//! of a year weigh as little as they are. Missing inputs are never read as 0.
//! Indicators supplied per focus area are computed from the areas' own figures instead, in
//! [`crate::area_level`]. Disclosure control runs afterwards, in [`crate::disclosure`].

use crate::dataset::{status_of, Dataset, ABSENT};
use crate::geography::{Geography, Target};
use crate::params::Params;
use std::collections::BTreeSet;
use wijkmonitor_model::catalogue::Aggregation;
use wijkmonitor_model::{Catalogue, Indicator, Period, Status};

/// Why a figure has no number, or what was done to it. Stored as a small code next to each figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Reason {
    /// A number, computed from complete inputs.
    None = 0,
    /// No inputs at all for this target and period.
    NoData = 1,
    /// A sum with buurten lacking a figure.
    IncompleteSum = 2,
    /// Too small a share of the inhabitants covered by buurten with usable inputs.
    LowCoverage = 3,
    /// The indicator is not aggregable and the target has no figure of its own.
    NotAggregable = 4,
    /// Disclosure control: the base (households, inhabitants, ...) is below the rule's threshold.
    BaseBelowThreshold = 5,
    /// Disclosure control: the value is in the range the rule shows as secret.
    SmallValue = 6,
    /// Disclosure control: suppressed so that another suppressed figure cannot be computed by subtraction.
    Complementary = 7,
    /// The source published the figure as secret (or without a number for another reason).
    SourceStatus = 8,
    /// The denominator or total weight is zero.
    ZeroDenominator = 9,
    /// No dated threshold applies to this year.
    NoThreshold = 10,
    /// A number computed from part of the buurten (coverage below 1 but above the minimum).
    PartialCoverage = 11,
    /// A weighted figure for which some buurten's weights came from the nearest year that has them.
    NearestYearWeights = 12,
    /// Disclosure control: suppressed because a linked indicator (a count and its rate) is secret here and this
    /// figure, with published bases, would give it back.
    Linked = 13,
}

impl Reason {
    pub fn from_code(code: u8) -> Reason {
        match code {
            1 => Reason::NoData,
            2 => Reason::IncompleteSum,
            3 => Reason::LowCoverage,
            4 => Reason::NotAggregable,
            5 => Reason::BaseBelowThreshold,
            6 => Reason::SmallValue,
            7 => Reason::Complementary,
            8 => Reason::SourceStatus,
            9 => Reason::ZeroDenominator,
            10 => Reason::NoThreshold,
            11 => Reason::PartialCoverage,
            12 => Reason::NearestYearWeights,
            13 => Reason::Linked,
            _ => Reason::None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::None => "",
            Reason::NoData => "no_data",
            Reason::IncompleteSum => "incomplete_sum",
            Reason::LowCoverage => "low_coverage",
            Reason::NotAggregable => "not_aggregable",
            Reason::BaseBelowThreshold => "base_below_threshold",
            Reason::SmallValue => "small_value",
            Reason::Complementary => "complementary_suppression",
            Reason::SourceStatus => "source_status",
            Reason::ZeroDenominator => "zero_denominator",
            Reason::NoThreshold => "no_threshold",
            Reason::PartialCoverage => "partial_coverage",
            Reason::NearestYearWeights => "nearest_year_weights",
            Reason::Linked => "linked_suppression",
        }
    }
}

/// The figures of one indicator in one period, over all targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// NaN where there is no number.
    pub value: Vec<f64>,
    /// Status codes as in [`crate::dataset`]; `ABSENT` where there are no inputs at all.
    pub status: Vec<u8>,
    /// The share of the target's inhabitants (or buurten, where inhabitants are unknown) covered.
    pub coverage: Vec<f32>,
    pub reason: Vec<u8>,
    /// The base the disclosure rule looks at (NaN where it is unknown); empty when the indicator's rule has no
    /// base, which saves a third of the memory of a column (see [`Column::base_of`]).
    pub base: Vec<f64>,
}

impl Column {
    /// A column of `n` targets without figures; `with_base` when the disclosure rule looks at a base.
    pub(crate) fn new(n: usize, with_base: bool) -> Column {
        Column {
            value: vec![f64::NAN; n],
            status: vec![ABSENT; n],
            coverage: vec![0.0; n],
            reason: vec![Reason::NoData as u8; n],
            base: if with_base { vec![f64::NAN; n] } else { Vec::new() },
        }
    }

    /// The base of target `t` (NaN where unknown or where the rule has none).
    pub fn base_of(&self, t: usize) -> f64 {
        self.base.get(t).copied().unwrap_or(f64::NAN)
    }

    /// The status of target `t`.
    pub fn status_of(&self, t: usize) -> Status {
        status_of(self.status[t])
    }

    pub fn number(&self, t: usize) -> Option<f64> {
        let x = self.value[t];
        (!x.is_nan()).then_some(x)
    }
}

/// All computed figures: one [`Column`] per indicator and period.
#[derive(Debug, Clone)]
pub struct Results {
    pub indicators: Vec<String>,
    pub periods: Vec<Period>,
    pub columns: Vec<Column>,
    /// The imports behind each indicator and period.
    pub sources: Vec<BTreeSet<i64>>,
}

impl Results {
    pub fn column(&self, indicator: usize, period: usize) -> &Column {
        &self.columns[indicator * self.periods.len() + period]
    }

    pub fn column_mut(&mut self, indicator: usize, period: usize) -> &mut Column {
        let n = self.periods.len();
        &mut self.columns[indicator * n + period]
    }

    pub fn indicator_index(&self, id: &str) -> Option<usize> {
        self.indicators.iter().position(|i| i == id)
    }

    pub fn period_index(&self, period: Period) -> Option<usize> {
        self.periods.iter().position(|p| *p == period)
    }
}

/// Computes every indicator of the catalogue whose inputs the dataset has, before disclosure control.
/// Indicators are spread over the available cores; the result does not depend on how many there are.
pub fn compute(ds: &Dataset, catalogue: &Catalogue, geo: &Geography, params: &Params) -> Results {
    let rules = wijkmonitor_model::disclosure::DisclosureRules::builtin();
    compute_with_rules(ds, catalogue, geo, params, &rules)
}

/// [`compute`] with explicit disclosure rules (whose bases are computed alongside).
pub fn compute_with_rules(
    ds: &Dataset,
    catalogue: &Catalogue,
    geo: &Geography,
    params: &Params,
    rules: &wijkmonitor_model::disclosure::DisclosureRules,
) -> Results {
    // Indicators supplied per area read the area inputs only; the others read the buurt columns.
    let indicators: Vec<(&Indicator, bool)> = catalogue
        .indicators
        .iter()
        .filter_map(|i| {
            let area_level = crate::area_level::is_area_level(catalogue, i);
            let variables = i.aggregation.variables();
            let has_inputs = if area_level {
                variables.iter().any(|v| ds.has_area_inputs(v))
            } else {
                variables.iter().any(|v| ds.variable_index(v).is_some())
            };
            has_inputs.then_some((i, area_level))
        })
        .collect();
    let n_periods = ds.periods.len();
    let coverage_population = coverage_population(ds);
    let jobs: Vec<(usize, usize)> = (0..indicators.len()).flat_map(|i| (0..n_periods).map(move |p| (i, p))).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let chunk = jobs.len().div_ceil(threads.max(1)).max(1);
    let mut columns: Vec<Option<(Column, BTreeSet<i64>)>> = vec![None; jobs.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                let indicators = &indicators;
                let coverage_population = &coverage_population;
                scope.spawn(move || {
                    part.iter()
                        .map(|&(i, p)| {
                            let (ind, area_level) = indicators[i];
                            let base = rules
                                .get(&ind.disclosure)
                                .and_then(|r| r.min_base.as_ref())
                                .map(|b| b.variable.as_str());
                            if area_level {
                                crate::area_level::compute_column(ds, geo, params, ind, p, base)
                            } else {
                                let sources = ind
                                    .aggregation
                                    .variables()
                                    .iter()
                                    .filter_map(|v| ds.variable_index(v))
                                    .flat_map(|v| ds.sources(v, p).iter().copied())
                                    .collect();
                                let population = coverage_population[p].as_deref();
                                (compute_column(ds, geo, params, ind, p, base, population), sources)
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut k = 0;
        for handle in handles {
            // A panic in a worker is a bug in this module; surface it rather than hide it.
            for column in handle.join().unwrap_or_else(|e| std::panic::resume_unwind(e)) {
                columns[k] = Some(column);
                k += 1;
            }
        }
    });
    let (columns, sources) = columns
        .into_iter()
        .map(|c| c.unwrap_or_else(|| (Column::new(geo.targets.len(), false), BTreeSet::new())))
        .unzip();
    Results {
        indicators: indicators.iter().map(|(i, _)| i.id.clone()).collect(),
        periods: ds.periods.clone(),
        columns,
        sources,
    }
}

/// Inputs of one indicator in one period.
struct Inputs<'a> {
    x: &'a [f64],
    xs: &'a [u8],
    /// Weight or denominator column, where the aggregation has one.
    y: Option<(&'a [f64], &'a [u8])>,
    population: Option<&'a [f64]>,
    /// The inhabitants that coverage is measured in: the period's own, else the nearest period's.
    coverage_population: Option<&'a [f64]>,
    /// The target's own published number of inhabitants, where it has one: coverage is measured against it,
    /// so that the Netherlands aggregated from the buurten of a few municipalities is not taken as complete.
    own_population: Option<f64>,
    /// The target's unmatched part in this period: known inhabitants and the number of buurten of unknown size.
    unmatched: (f64, f64),
}

fn column_of<'a>(ds: &'a Dataset, variable: &str, p: usize) -> Option<(&'a [f64], &'a [u8])> {
    ds.variable_index(variable).map(|v| (ds.values(v, p), ds.statuses(v, p)))
}

/// Per period, the inhabitants of every region taken from the nearest period that has them (the earlier one on
/// a tie) where the period itself has none; `None` for a period whose own column serves (or without any).
fn coverage_population(ds: &Dataset) -> Vec<Option<Vec<f64>>> {
    let n = ds.periods.len();
    let Some(v) = ds.variable_index("inhabitants") else { return vec![None; n] };
    (0..n)
        .map(|p| {
            let own = ds.values(v, p);
            let lacking = (0..own.len()).any(|r| own[r].is_nan() && ds.exists(p, r as u32));
            lacking.then(|| {
                let mut filled = own.to_vec();
                for (r, slot) in filled.iter_mut().enumerate() {
                    if !slot.is_nan() || !ds.exists(p, r as u32) {
                        continue;
                    }
                    let candidates = (1..n).flat_map(|d| [p.checked_sub(d), Some(p + d).filter(|&q| q < n)]).flatten();
                    if let Some(x) = candidates.map(|q| ds.values(v, q)[r]).find(|x| !x.is_nan()) {
                        *slot = x;
                    }
                }
                filled
            })
        })
        .collect()
}

fn compute_column(
    ds: &Dataset,
    geo: &Geography,
    params: &Params,
    ind: &Indicator,
    p: usize,
    base: Option<&str>,
    coverage_population: Option<&[f64]>,
) -> Column {
    let n = geo.targets.len();
    let mut col = Column::new(n, base.is_some());
    let population = column_of(ds, "inhabitants", p).map(|(v, _)| v);
    let (xname, yname) = match &ind.aggregation {
        Aggregation::Sum { variable } | Aggregation::None { variable } => (variable.as_str(), None),
        Aggregation::Ratio { numerator, denominator, .. } => (numerator.as_str(), Some(denominator.as_str())),
        Aggregation::WeightedMean { variable, weight } | Aggregation::ShareAtOrBelow { variable, weight, .. } => {
            (variable.as_str(), Some(weight.as_str()))
        }
    };
    // Variables without figures read as absent everywhere; the stand-in columns are only built when needed,
    // since this runs for every indicator and period.
    let absent = ds.variable_index(xname).is_none() || yname.is_some_and(|y| ds.variable_index(y).is_none());
    let n_absent = if absent { ds.regions.len() } else { 0 };
    let (empty_f, empty_s) = (vec![f64::NAN; n_absent], vec![ABSENT; n_absent]);
    let (x, xs) = column_of(ds, xname, p).unwrap_or((&empty_f, &empty_s));
    let mut y = yname.map(|y| column_of(ds, y, p).unwrap_or((&empty_f, &empty_s)));
    // Weights (not ratio denominators) missing in this period are taken from the nearest period that has
    // them, e.g. inhabitants of 2024 to weigh Leefbaarometer scores of a year without population figures.
    let is_weight = matches!(ind.aggregation, Aggregation::WeightedMean { .. } | Aggregation::ShareAtOrBelow { .. });
    let filled = match (is_weight, yname.and_then(|w| ds.variable_index(w))) {
        (true, Some(w)) => nearest_year_weights(ds, w, p, xs),
        _ => None,
    };
    if let Some((values, statuses, _)) = &filled {
        y = Some((values, statuses));
    }
    let fallback = filled.as_ref().map(|(_, _, used)| used);
    let coverage_population = coverage_population.or(population);
    let mut inputs = Inputs { x, xs, y, population, coverage_population, own_population: None, unmatched: (0.0, 0.0) };
    let threshold = match &ind.aggregation {
        Aggregation::ShareAtOrBelow { threshold, .. } => Some(params.threshold(threshold, ds.periods[p].year())),
        _ => None,
    };
    // A share a region publishes itself (the Leefbaarometer's national figure) is its own figure.
    let published = match &ind.aggregation {
        Aggregation::ShareAtOrBelow { published: Some(v), .. } => column_of(ds, v, p),
        _ => None,
    };
    let base_col = base.and_then(|b| column_of(ds, b, p)).map(|(v, _)| v);
    for (t, target) in geo.targets.iter().enumerate() {
        let members = &target.members[p];
        inputs.own_population = target.own.and_then(|o| population.map(|pop| pop[o as usize])).filter(|x| !x.is_nan());
        inputs.unmatched = target.unmatched.get(p).copied().unwrap_or((0.0, 0.0));
        let (value, status, coverage, reason) = match &ind.aggregation {
            Aggregation::Sum { .. } => sum(&inputs, target, members),
            Aggregation::Ratio { scale, .. } => ratio(&inputs, target, members, *scale, params.min_coverage, true),
            Aggregation::WeightedMean { .. } => ratio(&inputs, target, members, 1.0, params.min_coverage, false),
            Aggregation::ShareAtOrBelow { .. } => match (published_figure(published, target), threshold.flatten()) {
                (Some(own), _) => own,
                (None, Some(thr)) => share_at_or_below(&inputs, members, thr, params.min_coverage),
                (None, None) if members.is_empty() => (f64::NAN, ABSENT, 0.0, Reason::NoData),
                (None, None) => (f64::NAN, 3, 0.0, Reason::NoThreshold),
            },
            Aggregation::None { .. } => own_only(&inputs, target),
        };
        let reason = match fallback {
            Some(used)
                if reason == Reason::None && !value.is_nan() && members.iter().any(|&(m, _)| used[m as usize]) =>
            {
                Reason::NearestYearWeights
            }
            _ => reason,
        };
        col.value[t] = value;
        col.status[t] = status;
        col.coverage[t] = coverage as f32;
        col.reason[t] = reason as u8;
        if let Some(b) = base_col {
            if let Some(slot) = col.base.get_mut(t) {
                *slot = own_or_sum(b, target, members);
            }
        }
    }
    col
}

type Figure = (f64, u8, f64, Reason);

/// A weight column for period `p` where regions lacking a weight take it from the nearest period that has one
/// (the earlier one on a tie). `None` when every region with a value already has its own weight.
fn nearest_year_weights(ds: &Dataset, w: usize, p: usize, xs: &[u8]) -> Option<(Vec<f64>, Vec<u8>, Vec<bool>)> {
    let own = ds.statuses(w, p);
    if !xs.iter().zip(own).any(|(&s, &o)| is_number(s) && !is_number(o)) {
        return None;
    }
    let mut values = ds.values(w, p).to_vec();
    let mut statuses = own.to_vec();
    let mut used = vec![false; values.len()];
    for r in 0..values.len() {
        if is_number(statuses[r]) || !is_number(xs[r]) {
            continue;
        }
        let n = ds.periods.len();
        let candidates = (1..n).flat_map(|d| [p.checked_sub(d), Some(p + d).filter(|&q| q < n)]).flatten();
        for q in candidates {
            let s = ds.statuses(w, q)[r];
            if is_number(s) {
                values[r] = ds.values(w, q)[r];
                statuses[r] = s;
                used[r] = true;
                break;
            }
        }
    }
    Some((values, statuses, used))
}

pub(crate) const FINAL: u8 = 1;
pub(crate) const PROVISIONAL: u8 = 2;
pub(crate) const MISSING: u8 = 3;
pub(crate) const SECRET: u8 = 4;
pub(crate) const NOT_YET: u8 = 5;

fn is_number(s: u8) -> bool {
    s == FINAL || s == PROVISIONAL
}

/// The base of a target: its own figure, or the weighted sum over its buurten (NaN if any is unknown).
pub(crate) fn own_or_sum(b: &[f64], target: &Target, members: &[(u32, f64)]) -> f64 {
    if let Some(own) = target.own {
        if !b[own as usize].is_nan() {
            return b[own as usize];
        }
    }
    if members.is_empty() {
        return f64::NAN;
    }
    members.iter().map(|&(m, w)| w * b[m as usize]).sum()
}

/// The share a target's own region publishes in the indicator's `published` variable, if it has one.
fn published_figure(published: Option<(&[f64], &[u8])>, target: &Target) -> Option<Figure> {
    let (values, statuses) = published?;
    let own = target.own? as usize;
    match statuses[own] {
        ABSENT => None,
        s if is_number(s) => Some((values[own], s, 1.0, Reason::None)),
        s => Some((f64::NAN, s, 0.0, Reason::SourceStatus)),
    }
}

/// A figure the target's own region publishes, with its status (secret stays secret).
fn own_figure(inputs: &Inputs<'_>, target: &Target) -> Option<Figure> {
    let own = target.own? as usize;
    let s = inputs.xs[own];
    if s == ABSENT {
        return None;
    }
    if is_number(s) {
        return Some((inputs.x[own], s, 1.0, Reason::None));
    }
    Some((f64::NAN, s, 0.0, Reason::SourceStatus))
}

fn own_only(inputs: &Inputs<'_>, target: &Target) -> Figure {
    match target.own {
        Some(own) if inputs.xs[own as usize] != ABSENT => {
            let s = inputs.xs[own as usize];
            if is_number(s) {
                (inputs.x[own as usize], s, 1.0, Reason::None)
            } else {
                (f64::NAN, s, 0.0, Reason::SourceStatus)
            }
        }
        _ => (f64::NAN, ABSENT, 0.0, Reason::NotAggregable),
    }
}

fn sum(inputs: &Inputs<'_>, target: &Target, members: &[(u32, f64)]) -> Figure {
    // The region's own figure wins, also when the source withheld it: aggregating its buurten would undo
    // the source's protection.
    if let Some(f) = own_figure(inputs, target) {
        return f;
    }
    if members.is_empty() {
        return (f64::NAN, ABSENT, 0.0, Reason::NoData);
    }
    let mut total = 0.0;
    let mut provisional = false;
    let mut lacking = 0usize;
    let mut lacking_not_yet = 0usize;
    let mut any = false;
    for &(m, w) in members {
        let m = m as usize;
        let s = inputs.xs[m];
        if is_number(s) {
            total += w * inputs.x[m];
            provisional |= s == PROVISIONAL;
            any = true;
        } else {
            // An empty buurt (no inhabitants) without a figure does not make the sum incomplete.
            let empty = inputs.population.is_some_and(|pop| pop[m] == 0.0);
            if !empty {
                lacking += 1;
                lacking_not_yet += usize::from(s == NOT_YET);
            }
        }
    }
    // Unmatched buurten of an area are lacking too.
    if inputs.unmatched != (0.0, 0.0) {
        lacking += 1;
    }
    if lacking > 0 {
        let status = if lacking == lacking_not_yet { NOT_YET } else { MISSING };
        return (f64::NAN, status, coverage_of(inputs, members, |s, _| is_number(s)), Reason::IncompleteSum);
    }
    if !any {
        return (f64::NAN, MISSING, 0.0, Reason::NoData);
    }
    (total, if provisional { PROVISIONAL } else { FINAL }, 1.0, Reason::None)
}

/// The share of the members' inhabitants (or of the members, where inhabitants are unknown) whose inputs
/// pass `usable(x status, y status)`.
fn coverage_of(inputs: &Inputs<'_>, members: &[(u32, f64)], usable: impl Fn(u8, u8) -> bool) -> f64 {
    let mut covered_pop = 0.0;
    let mut total_pop = 0.0;
    // Members without inhabitants in any year: their weight, and the part of it with usable inputs.
    // An area's unmatched buurten are members that are never covered.
    let (mut unknown_n, mut unknown_covered_n) = (inputs.unmatched.1, 0.0);
    let (mut known_n, mut covered_n) = (0.0, 0.0);
    for &(m, w) in members {
        let m = m as usize;
        let ys = inputs.y.map_or(FINAL, |(_, ys)| ys[m]);
        let ok = usable(inputs.xs[m], ys);
        if ok {
            covered_n += w;
        }
        match inputs.coverage_population.map(|pop| pop[m]) {
            Some(pop) if !pop.is_nan() => {
                known_n += w;
                total_pop += w * pop;
                if ok {
                    covered_pop += w * pop;
                }
            }
            _ => {
                unknown_n += w;
                if ok {
                    unknown_covered_n += w;
                }
            }
        }
    }
    if known_n > 0.0 && total_pop > 0.0 {
        // Members of unknown size count as the mean known member.
        let mean = total_pop / known_n;
        let total = total_pop + inputs.unmatched.0 + unknown_n * mean;
        (covered_pop + unknown_covered_n * mean) / total.max(inputs.own_population.unwrap_or(0.0))
    } else if unknown_n + known_n > 0.0 {
        covered_n / (unknown_n + known_n)
    } else {
        0.0
    }
}

/// Ratio of sums (`scale · Σ w·x / Σ w·y`) or weighted mean (`Σ w·y·x / Σ w·y`).
fn ratio(
    inputs: &Inputs<'_>,
    target: &Target,
    members: &[(u32, f64)],
    scale: f64,
    min_coverage: f64,
    is_ratio: bool,
) -> Figure {
    let Some((y, ys)) = inputs.y else { return (f64::NAN, ABSENT, 0.0, Reason::NoData) };
    if let Some(own) = target.own {
        let o = own as usize;
        let s = inputs.xs[o];
        if is_number(s) && (!is_ratio || (is_number(ys[o]) && y[o] > 0.0)) {
            let status = if s == PROVISIONAL || (is_ratio && ys[o] == PROVISIONAL) { PROVISIONAL } else { FINAL };
            let value = if is_ratio { scale * inputs.x[o] / y[o] } else { inputs.x[o] };
            return (value, status, 1.0, Reason::None);
        }
        if s != ABSENT && !is_number(s) {
            // Withheld by the source: keep it withheld rather than rebuild it from the buurten.
            return (f64::NAN, s, 0.0, Reason::SourceStatus);
        }
    }
    if members.is_empty() {
        return (f64::NAN, ABSENT, 0.0, Reason::NoData);
    }
    let mut num = 0.0;
    let mut den = 0.0;
    let mut provisional = false;
    let mut any_input = false;
    let mut all_not_yet = true;
    for &(m, w) in members {
        let m = m as usize;
        let (s, t) = (inputs.xs[m], ys[m]);
        any_input |= s != ABSENT;
        if is_number(s) && is_number(t) {
            all_not_yet = false;
            provisional |= s == PROVISIONAL || t == PROVISIONAL;
            if is_ratio {
                num += w * inputs.x[m];
            } else {
                num += w * y[m] * inputs.x[m];
            }
            den += w * y[m];
        } else if s != NOT_YET && t != NOT_YET {
            all_not_yet = false;
        }
    }
    if !any_input {
        return (f64::NAN, ABSENT, 0.0, Reason::NoData);
    }
    let coverage = coverage_of(inputs, members, |s, t| is_number(s) && is_number(t));
    if all_not_yet {
        return (f64::NAN, NOT_YET, coverage, Reason::NoData);
    }
    if coverage < min_coverage {
        return (f64::NAN, MISSING, coverage, Reason::LowCoverage);
    }
    if den <= 0.0 {
        return (f64::NAN, MISSING, coverage, Reason::ZeroDenominator);
    }
    let value = if is_ratio { scale * num / den } else { num / den };
    let reason = if coverage < 1.0 { Reason::PartialCoverage } else { Reason::None };
    (value, if provisional { PROVISIONAL } else { FINAL }, coverage, reason)
}

fn share_at_or_below(inputs: &Inputs<'_>, members: &[(u32, f64)], threshold: f64, min_coverage: f64) -> Figure {
    let Some((y, ys)) = inputs.y else { return (f64::NAN, ABSENT, 0.0, Reason::NoData) };
    if members.is_empty() {
        return (f64::NAN, ABSENT, 0.0, Reason::NoData);
    }
    let mut below = 0.0;
    let mut total = 0.0;
    let mut provisional = false;
    let mut any_input = false;
    for &(m, w) in members {
        let m = m as usize;
        let (s, t) = (inputs.xs[m], ys[m]);
        any_input |= s != ABSENT;
        if is_number(s) && is_number(t) {
            provisional |= s == PROVISIONAL || t == PROVISIONAL;
            total += w * y[m];
            if inputs.x[m] <= threshold {
                below += w * y[m];
            }
        }
    }
    if !any_input {
        return (f64::NAN, ABSENT, 0.0, Reason::NoData);
    }
    let coverage = coverage_of(inputs, members, |s, t| is_number(s) && is_number(t));
    if coverage < min_coverage {
        return (f64::NAN, MISSING, coverage, Reason::LowCoverage);
    }
    if total <= 0.0 {
        return (f64::NAN, MISSING, coverage, Reason::ZeroDenominator);
    }
    let reason = if coverage < 1.0 { Reason::PartialCoverage } else { Reason::None };
    (100.0 * below / total, if provisional { PROVISIONAL } else { FINAL }, coverage, reason)
}
