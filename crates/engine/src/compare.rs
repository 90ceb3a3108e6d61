//! Comparisons of a focus area's figure: with the Netherlands, the rest of its municipality, the other areas
//! (rank) and all areas together; with the base year (difference and index = 100) and the previous year; and
//! the gap to the Netherlands and whether it is closing. The indicator's direction decides what is better.
//! Comparisons read only figures that passed disclosure control.

use crate::compute::Results;
use crate::geography::{rest_id, Geography, TargetKind, ALL_AREAS_ID};
use wijkmonitor_model::catalogue::Direction;
use wijkmonitor_model::Period;

/// How the gap to the Netherlands moved since the base year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapTrend {
    Closing,
    Widening,
    Unchanged,
}

impl GapTrend {
    pub fn as_str(self) -> &'static str {
        match self {
            GapTrend::Closing => "closing",
            GapTrend::Widening => "widening",
            GapTrend::Unchanged => "unchanged",
        }
    }
}

/// All comparisons of one area, indicator and period. `None` where a figure is not available.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub value: Option<f64>,
    pub netherlands: Option<f64>,
    pub rest_of_municipality: Option<f64>,
    pub all_areas: Option<f64>,
    /// 1 = best of the areas with a figure, by the indicator's direction; `None` for neutral indicators.
    pub rank: Option<usize>,
    pub n_ranked: usize,
    pub base_year: i32,
    pub base_value: Option<f64>,
    pub change_since_base: Option<f64>,
    /// `100 · value / base value`.
    pub index_since_base: Option<f64>,
    pub previous_value: Option<f64>,
    pub change_since_previous: Option<f64>,
    /// `value − Netherlands`.
    pub gap_to_netherlands: Option<f64>,
    pub gap_to_netherlands_base: Option<f64>,
    pub gap_trend: Option<GapTrend>,
    /// Whether the change since the base year is an improvement by the indicator's direction.
    pub improved_since_base: Option<bool>,
}

fn at(results: &Results, geo: &Geography, indicator: usize, period: Option<usize>, target: &str) -> Option<f64> {
    let t = geo.target(target)?;
    results.column(indicator, period?).number(t)
}

/// Compares an area's figure. `tolerance` is the change below which a gap counts as unchanged.
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
) -> Comparison {
    let p = results.period_index(period);
    let base_p = results.period_index(Period::Year(base_year));
    let prev_p = match period {
        Period::Year(y) => results.period_index(Period::Year(y - 1)),
        _ => None,
    };
    let value = at(results, geo, indicator, p, area);
    let netherlands = at(results, geo, indicator, p, "NL00");
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
    let gap_trend = gap.zip(gap_base).map(|(now, then)| {
        if (now.abs() - then.abs()).abs() <= tolerance {
            GapTrend::Unchanged
        } else if now.abs() < then.abs() {
            GapTrend::Closing
        } else {
            GapTrend::Widening
        }
    });
    let change_since_base = value.zip(base_value).map(|(v, b)| v - b);
    Comparison {
        value,
        netherlands,
        rest_of_municipality: at(results, geo, indicator, p, &rest_id(area)),
        all_areas: at(results, geo, indicator, p, ALL_AREAS_ID),
        rank,
        n_ranked,
        base_year,
        base_value,
        change_since_base,
        index_since_base: value.zip(base_value).and_then(|(v, b)| (b != 0.0).then(|| 100.0 * v / b)),
        previous_value,
        change_since_previous: value.zip(previous_value).map(|(v, b)| v - b),
        gap_to_netherlands: gap,
        gap_to_netherlands_base: gap_base,
        gap_trend,
        improved_since_base: sign.zip(change_since_base).and_then(|(s, c)| {
            if c.abs() <= tolerance {
                None
            } else {
                Some(s * c > 0.0)
            }
        }),
    }
}
