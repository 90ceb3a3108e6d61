//! Comparisons of a focus area's figure: with the Netherlands, the rest of its municipality, the other areas
//! (rank) and all areas together; with the base year (difference and index = 100) and the previous year; and
//! the gap to the Netherlands and whether it is closing. The indicator's direction decides what is better.
//! Comparisons read only figures that passed disclosure control.

use crate::compute::Results;
use crate::geography::{rest_id, Geography, TargetKind, ALL_AREAS_ID};
use crate::uncertainty::ChangeTest;
use wijkmonitor_model::catalogue::Direction;
use wijkmonitor_model::Period;

pub use wijkmonitor_model::comparison::{Comparison, GapTrend};

fn at(results: &Results, geo: &Geography, indicator: usize, period: Option<usize>, target: &str) -> Option<f64> {
    let t = geo.target(target)?;
    results.column(indicator, period?).number(t)
}

/// Compares an area's figure. `tolerance` is the change below which a gap counts as unchanged; `test` gives the
/// 95% interval of the area's change between two periods (indices into the results; see
/// [`crate::uncertainty`]), which alone decides whether a change is called an improvement. `None` when neither the
/// area nor the Netherlands has a figure for the period: there is nothing to compare.
#[allow(clippy::too_many_arguments)] // each argument is a distinct, named input of the comparison
pub fn compare(
    results: &Results,
    geo: &Geography,
    indicator: usize,
    direction: Direction,
    area: &str,
    period: Period,
    base_year: i32,
    tolerance: f64,
    test: &dyn Fn(usize, usize) -> Option<ChangeTest>,
) -> Option<Comparison> {
    let p = results.period_index(period);
    let base_p = results.period_index(Period::Year(base_year));
    let prev_p = match period {
        Period::Year(y) => results.period_index(Period::Year(y - 1)),
        _ => None,
    };
    let value = at(results, geo, indicator, p, area);
    let netherlands = at(results, geo, indicator, p, "NL00");
    if value.is_none() && netherlands.is_none() {
        return None;
    }
    let base_value = at(results, geo, indicator, base_p, area);
    let previous_value = at(results, geo, indicator, prev_p, area);
    let nl_base = at(results, geo, indicator, base_p, "NL00");
    let sign = match direction {
        Direction::HigherIsBetter => Some(1.0),
        Direction::LowerIsBetter => Some(-1.0),
        Direction::Neutral => None,
    };
    // Rank among the areas that have a figure.
    let mut area_values: Vec<(String, f64)> = geo
        .targets
        .iter()
        .filter(|t| t.kind == TargetKind::Area)
        .filter_map(|t| at(results, geo, indicator, p, &t.id).map(|v| (t.id.clone(), v)))
        .collect();
    let (rank, n_ranked) = match (sign, value) {
        (Some(sign), Some(_)) => {
            area_values.sort_by(|a, b| (sign * b.1).total_cmp(&(sign * a.1)).then(a.0.cmp(&b.0)));
            (area_values.iter().position(|(id, _)| id == area).map(|i| i + 1), area_values.len())
        }
        _ => (None, area_values.len()),
    };
    let gap = value.zip(netherlands).map(|(v, n)| v - n);
    let gap_base = base_value.zip(nl_base).map(|(v, n)| v - n);
    // The gap moves with the area's own figure (the national one is all but certain): it counts as moved only
    // beyond the interval of the area's change, where there is one.
    let change_since_base = value.zip(base_value).map(|(v, b)| v - b);
    let since_base = p.zip(base_p).filter(|_| change_since_base.is_some()).and_then(|(p, b)| test(b, p));
    let tolerance = since_base.map_or(tolerance, |t| ((t.upper - t.lower) / 2.0).max(tolerance));
    let gap_trend = gap.zip(gap_base).map(|(now, then)| {
        if (now.abs() - then.abs()).abs() <= tolerance {
            GapTrend::Unchanged
        } else if now.abs() < then.abs() {
            GapTrend::Closing
        } else {
            GapTrend::Widening
        }
    });
    // Tests only where both published figures exist (the test reads the figures before disclosure control).
    let since_previous =
        p.zip(prev_p).filter(|_| value.is_some() && previous_value.is_some()).and_then(|(p, q)| test(q, p));
    let verdict =
        |t: &Option<ChangeTest>| sign.zip(t.as_ref()).and_then(|(s, t)| t.significant.then_some(s * t.change > 0.0));
    Some(Comparison {
        area: area.to_string(),
        indicator: results.indicators[indicator].clone(),
        period: period.to_string(),
        netherlands,
        rest_of_municipality: at(results, geo, indicator, p, &rest_id(area)),
        all_areas: at(results, geo, indicator, p, ALL_AREAS_ID),
        rank: rank.map(|r| r as u32),
        n_ranked: n_ranked as u32,
        base_year,
        base_value,
        change_since_base,
        index_since_base: value.zip(base_value).and_then(|(v, b)| (b != 0.0).then(|| 100.0 * v / b)),
        previous_value,
        change_since_previous: value.zip(previous_value).map(|(v, b)| v - b),
        gap_to_netherlands: gap,
        gap_to_netherlands_base: gap_base,
        gap_trend,
        improved_since_base: verdict(&since_base),
        change_since_base_lower: since_base.map(|t| t.lower),
        change_since_base_upper: since_base.map(|t| t.upper),
        change_since_previous_lower: since_previous.map(|t| t.lower),
        change_since_previous_upper: since_previous.map(|t| t.upper),
        improved_since_previous: verdict(&since_previous),
        change_model: since_base.or(since_previous).map(|t| t.model.as_str().to_string()),
    })
}
