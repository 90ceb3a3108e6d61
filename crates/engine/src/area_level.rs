//! Indicators supplied per focus area rather than per buurt: accepted answers of the yearly request
//! (`supplied_by = "area"`) and figures from the programme register (`supplied_by = "register"`).
//!
//! An indicator is *area-level* when every variable its aggregation reads is one the catalogue marks as supplied
//! by the areas or the register. Its figures come from the [`crate::dataset::AreaInput`]s, never from buurten:
//!
//! | aggregation | an area | all focus areas together |
//! |---|---|---|
//! | sum | the area's figure | the sum over the areas with a number; coverage = their share of the areas |
//! | ratio | `scale · num / den` of the area's figures | `scale · Σ num / Σ den` over the areas with both |
//! | weighted mean | the area's figure | `Σ w·x / Σ w` over the areas with both |
//! | none (ratings, text) | the area's figure | not aggregated |
//!
//! Below the parameter `min_coverage` the total is missing with reason `low_coverage`, as for buurt aggregates.
//! An area figure without a number keeps its status (a secret answer stays secret) and is left out of the total,
//! which then covers fewer areas. No other target (buurt, wijk, gemeente, the Netherlands, the rest of a
//! municipality) gets a figure: these figures say nothing about them.
//!
//! Disclosure control treats the total as the sum of the areas that went into it (see
//! [`crate::disclosure::apply`]), so that a figure suppressed for one area cannot be recovered by subtracting
//! the others from the total.

use crate::compute::{own_or_sum, Column, Reason, FINAL, MISSING, NOT_YET, PROVISIONAL, SECRET};
use crate::dataset::{status_code, Dataset, ABSENT};
use crate::geography::{Geography, TargetKind};
use crate::params::Params;
use std::collections::BTreeSet;
use wijkmonitor_model::catalogue::Aggregation;
use wijkmonitor_model::{Catalogue, Indicator, Status, Value};

/// Whether every variable the indicator reads is supplied per area (by the areas or by the register).
pub fn is_area_level(catalogue: &Catalogue, indicator: &Indicator) -> bool {
    catalogue.is_area_level(indicator)
}

/// How the figures combine.
#[derive(Clone, Copy)]
enum Method {
    Sum,
    Ratio(f64),
    WeightedMean,
    /// Ratings and texts: per area only.
    None,
    /// A share below a threshold needs buurten; no area-level indicator uses it.
    Unsupported,
}

type Figure = (f64, u8, f64, Reason);

fn is_number(s: u8) -> bool {
    s == FINAL || s == PROVISIONAL
}

/// The status code of a figure that lacks a number because a part lacks one: secret wins over not yet
/// published, which wins over missing, so that a withheld part is never shown as merely unknown.
fn lacking_status(parts: &[Option<Value>]) -> u8 {
    let statuses: Vec<Status> = parts.iter().flatten().map(|v| v.status()).collect();
    if statuses.contains(&Status::Secret) {
        SECRET
    } else if statuses.contains(&Status::NotYetPublished) {
        NOT_YET
    } else {
        MISSING
    }
}

/// The figure of one area from its own inputs `x` and (for ratios and weighted means) `y`.
fn area_figure(method: Method, x: Option<Value>, y: Option<Value>) -> Figure {
    let single = |v: Option<Value>| match v {
        None => (f64::NAN, ABSENT, 0.0, Reason::NoData),
        Some(v) => match v.number() {
            Some(n) => (n, status_code(v.status()), 1.0, Reason::None),
            None => (f64::NAN, status_code(v.status()), 0.0, Reason::SourceStatus),
        },
    };
    match method {
        Method::Sum | Method::None | Method::WeightedMean => single(x),
        Method::Unsupported => (f64::NAN, ABSENT, 0.0, Reason::NotAggregable),
        Method::Ratio(scale) => match (x, y) {
            (None, None) => (f64::NAN, ABSENT, 0.0, Reason::NoData),
            (Some(a), Some(b)) if a.number().is_some() && b.number().is_some() => {
                let (num, den) = (a.number().unwrap_or(f64::NAN), b.number().unwrap_or(f64::NAN));
                if den <= 0.0 {
                    return (f64::NAN, MISSING, 1.0, Reason::ZeroDenominator);
                }
                let provisional = a.status() == Status::Provisional || b.status() == Status::Provisional;
                (scale * num / den, if provisional { PROVISIONAL } else { FINAL }, 1.0, Reason::None)
            }
            (a, b) => {
                let reason = if a.is_none() || b.is_none() { Reason::NoData } else { Reason::SourceStatus };
                (f64::NAN, lacking_status(&[a, b]), 0.0, reason)
            }
        },
    }
}

/// Computes one area-level indicator in period `p` for every target, with the imports of the inputs used.
pub(crate) fn compute_column(
    ds: &Dataset,
    geo: &Geography,
    params: &Params,
    ind: &Indicator,
    p: usize,
    base: Option<&str>,
) -> (Column, BTreeSet<i64>) {
    let mut col = Column::new(geo.targets.len(), base.is_some());
    let mut sources = BTreeSet::new();
    let (method, xname, yname) = match &ind.aggregation {
        Aggregation::Sum { variable } => (Method::Sum, variable, None),
        Aggregation::None { variable } => (Method::None, variable, None),
        Aggregation::Ratio { numerator, denominator, scale } => (Method::Ratio(*scale), numerator, Some(denominator)),
        Aggregation::WeightedMean { variable, weight } => (Method::WeightedMean, variable, Some(weight)),
        Aggregation::ShareAtOrBelow { variable, weight, .. } => (Method::Unsupported, variable, Some(weight)),
    };
    // The inputs of every area of the delineation: (target, x, y).
    let mut areas: Vec<(usize, Option<Value>, Option<Value>)> = Vec::new();
    for (t, target) in geo.targets.iter().enumerate() {
        let (TargetKind::Area, Some(area)) = (target.kind, target.area.as_deref()) else { continue };
        let x = ds.area_input(xname, p, area);
        let y = yname.and_then(|y| ds.area_input(y, p, area));
        sources.extend(x.iter().chain(y.iter()).map(|&(_, import)| import));
        let (x, y) = (x.map(|(v, _)| v), y.map(|(v, _)| v));
        let (value, status, coverage, reason) = area_figure(method, x, y);
        col.value[t] = value;
        col.status[t] = status;
        col.coverage[t] = coverage as f32;
        col.reason[t] = reason as u8;
        areas.push((t, x, y));
    }
    if let Some(all) = geo.target(crate::geography::ALL_AREAS_ID) {
        let (value, status, coverage, reason) = all_areas(method, &areas, params.min_coverage);
        col.value[all] = value;
        col.status[all] = status;
        col.coverage[all] = coverage as f32;
        col.reason[all] = reason as u8;
    }
    // The disclosure base (e.g. inhabitants) still comes from the buurten of the area.
    if let Some(b) = base.and_then(|b| ds.variable_index(b)).map(|v| ds.values(v, p)) {
        for (t, target) in geo.targets.iter().enumerate() {
            if matches!(target.kind, TargetKind::Area | TargetKind::AllAreas) {
                if let Some(slot) = col.base.get_mut(t) {
                    *slot = own_or_sum(b, target, &target.members[p]);
                }
            }
        }
    }
    (col, sources)
}

/// The figure of all focus areas together from the areas' inputs.
fn all_areas(method: Method, areas: &[(usize, Option<Value>, Option<Value>)], min_coverage: f64) -> Figure {
    let weighted = match method {
        Method::Sum => false,
        Method::Ratio(_) | Method::WeightedMean => true,
        Method::None | Method::Unsupported => return (f64::NAN, ABSENT, 0.0, Reason::NotAggregable),
    };
    let any_input = areas.iter().any(|(_, x, y)| x.is_some() || y.is_some());
    if areas.is_empty() || !any_input {
        return (f64::NAN, ABSENT, 0.0, Reason::NoData);
    }
    let (mut num, mut den, mut covered) = (0.0, 0.0, 0usize);
    let mut provisional = false;
    let mut lacking: Vec<Option<Value>> = Vec::new();
    for &(_, x, y) in areas {
        let usable = match (x.and_then(|v| v.number()), weighted, y.and_then(|v| v.number())) {
            (Some(a), false, _) => Some((a, 1.0)),
            (Some(a), true, Some(b)) => Some((a, b)),
            _ => None,
        };
        match usable {
            Some((a, b)) => {
                covered += 1;
                provisional |= [x, y].iter().flatten().any(|v| v.status() == Status::Provisional);
                match method {
                    Method::Ratio(_) => {
                        num += a;
                        den += b;
                    }
                    Method::WeightedMean => {
                        num += a * b;
                        den += b;
                    }
                    _ => num += a,
                }
            }
            None => lacking.extend([x, y]),
        }
    }
    let coverage = covered as f64 / areas.len() as f64;
    if covered == 0 {
        // No area has a number. If all of them will publish later, say so; otherwise the total is unknown. It is
        // never 0, whatever the minimum coverage.
        let mut statuses = lacking.iter().flatten().map(|v| v.status()).peekable();
        let all_not_yet = statuses.peek().is_some() && statuses.all(|s| s == Status::NotYetPublished);
        return if all_not_yet {
            (f64::NAN, NOT_YET, 0.0, Reason::NoData)
        } else {
            (f64::NAN, MISSING, 0.0, Reason::LowCoverage)
        };
    }
    if coverage < min_coverage {
        return (f64::NAN, MISSING, coverage, Reason::LowCoverage);
    }
    let value = match method {
        Method::Ratio(scale) if den > 0.0 => scale * num / den,
        Method::WeightedMean if den > 0.0 => num / den,
        Method::Ratio(_) | Method::WeightedMean => return (f64::NAN, MISSING, coverage, Reason::ZeroDenominator),
        _ => num,
    };
    let reason = if coverage < 1.0 { Reason::PartialCoverage } else { Reason::None };
    (value, if provisional { PROVISIONAL } else { FINAL }, coverage, reason)
}

/// The areas whose figures went into the total of all areas in a computed column: those with a number. The
/// disclosure control's relation "all areas = the sum of these areas" holds exactly for them (the others were
/// left out of the total), so it must be read before primary suppression removes numbers.
pub(crate) fn contributors(col: &Column, geo: &Geography) -> Vec<u32> {
    geo.targets
        .iter()
        .enumerate()
        .filter(|(t, target)| target.kind == TargetKind::Area && is_number(col.status[*t]))
        .map(|(t, _)| t as u32)
        .collect()
}
