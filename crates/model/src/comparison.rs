//! The comparisons of a focus area's figure, as the engine derives them, the store keeps them and the pages,
//! the API and the exports show them: one type, one list of export columns beside it.

use serde::Serialize;

/// How the gap to the Netherlands moved since the base year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapTrend {
    Closing,
    Widening,
    Unchanged,
}

impl GapTrend {
    pub const ALL: [GapTrend; 3] = [GapTrend::Closing, GapTrend::Widening, GapTrend::Unchanged];

    /// As stored and exported: `closing`, `widening`, `unchanged`.
    pub fn as_str(self) -> &'static str {
        match self {
            GapTrend::Closing => "closing",
            GapTrend::Widening => "widening",
            GapTrend::Unchanged => "unchanged",
        }
    }

    pub fn parse(text: &str) -> Option<GapTrend> {
        GapTrend::ALL.into_iter().find(|g| g.as_str() == text)
    }
}

/// All comparisons of one area, indicator and period, made from figures that passed disclosure control.
/// `None` where a figure is not available. Serialised (JSON) without the area and indicator, which the
/// surrounding record names.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Comparison {
    #[serde(skip)]
    pub area: String,
    #[serde(skip)]
    pub indicator: String,
    /// The period compared (`2024`).
    pub period: String,
    pub netherlands: Option<f64>,
    pub rest_of_municipality: Option<f64>,
    pub all_areas: Option<f64>,
    /// 1 = best of the areas with a figure, by the indicator's direction; `None` for neutral indicators.
    pub rank: Option<u32>,
    pub n_ranked: u32,
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
    /// Whether the change since the base year is a demonstrable improvement (`true`) or deterioration (`false`) by
    /// the indicator's direction: only when its 95% interval excludes zero; `None` otherwise, for descriptive
    /// indicators, and where no counting model applies.
    pub improved_since_base: Option<bool>,
    /// The 95% interval of the change since the base year, from the figure's counting model.
    pub change_since_base_lower: Option<f64>,
    pub change_since_base_upper: Option<f64>,
    /// The 95% interval of the change since the previous year.
    pub change_since_previous_lower: Option<f64>,
    pub change_since_previous_upper: Option<f64>,
    /// The same verdict as `improved_since_base` for the change since the previous year.
    pub improved_since_previous: Option<bool>,
    /// The model of the intervals: `poisson`, `overdispersed_poisson`, `binomial` or `between_buurten`; `None` where
    /// none applies (figures supplied per area), and then a change is described, never judged.
    pub change_model: Option<String>,
}

impl Comparison {
    /// The columns a CSV export gives a comparison, in the order of [`Comparison::csv_fields`].
    pub const CSV_COLUMNS: [&'static str; 20] = [
        "netherlands",
        "rest_of_municipality",
        "all_areas",
        "rank",
        "n_ranked",
        "base_value",
        "change_since_base",
        "index_since_base",
        "previous_value",
        "change_since_previous",
        "gap_to_netherlands",
        "gap_to_netherlands_base",
        "gap_trend",
        "improved_since_base",
        "change_since_base_lower",
        "change_since_base_upper",
        "change_since_previous_lower",
        "change_since_previous_upper",
        "improved_since_previous",
        "change_model",
    ];

    /// The CSV cells of [`Comparison::CSV_COLUMNS`]; `number` writes a number the way the export writes numbers.
    /// Without a comparison every cell is empty.
    pub fn csv_fields(c: Option<&Comparison>, number: impl Fn(f64) -> String) -> Vec<String> {
        let Some(c) = c else { return vec![String::new(); Comparison::CSV_COLUMNS.len()] };
        let opt = |x: Option<f64>| x.map(&number).unwrap_or_default();
        vec![
            opt(c.netherlands),
            opt(c.rest_of_municipality),
            opt(c.all_areas),
            c.rank.map(|r| r.to_string()).unwrap_or_default(),
            c.n_ranked.to_string(),
            opt(c.base_value),
            opt(c.change_since_base),
            opt(c.index_since_base),
            opt(c.previous_value),
            opt(c.change_since_previous),
            opt(c.gap_to_netherlands),
            opt(c.gap_to_netherlands_base),
            c.gap_trend.map(|g| g.as_str().to_string()).unwrap_or_default(),
            c.improved_since_base.map(|b| b.to_string()).unwrap_or_default(),
            opt(c.change_since_base_lower),
            opt(c.change_since_base_upper),
            opt(c.change_since_previous_lower),
            opt(c.change_since_previous_upper),
            c.improved_since_previous.map(|b| b.to_string()).unwrap_or_default(),
            c.change_model.clone().unwrap_or_default(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_names_and_columns() {
        for g in GapTrend::ALL {
            assert_eq!(GapTrend::parse(g.as_str()), Some(g));
            assert_eq!(serde_json::to_string(&g).unwrap(), format!("\"{}\"", g.as_str()));
        }
        let c = Comparison { rank: Some(2), n_ranked: 20, gap_trend: Some(GapTrend::Closing), ..Default::default() };
        let cells = Comparison::csv_fields(Some(&c), |x| x.to_string());
        assert_eq!(cells.len(), Comparison::CSV_COLUMNS.len());
        assert_eq!((cells[3].as_str(), cells[12].as_str()), ("2", "closing"));
        assert!(Comparison::csv_fields(None, |x| x.to_string()).iter().all(String::is_empty));
    }
}
