//! Difference-in-differences of one treated series against a weighted comparison group, with the event-study view.
//!
//! With the comparison group's weighted mean `c_t` and the gap `g_t = y_t - c_t`, the estimate is the mean gap from
//! the start minus the mean gap before it. On a balanced panel with equal weights this is exactly the coefficient of
//! `treated x after` in a two-way fixed-effects regression on the treated unit and the comparison units
//! (`bench/effect_crosscheck.py` checks it against `statsmodels`). The event study gives the gap of every year
//! against the last year before the start; the years before the start are the check of parallel trends.

/// The estimate and its event study.
#[derive(Debug, Clone, PartialEq)]
pub struct DidFit {
    pub tau: f64,
    /// Per year: the gap against the reference year (the last year before the start), whose own entry is 0.
    pub event_study: Vec<f64>,
    /// The pre-trend statistic: the absolute slope (per year) of the gap to the comparison group over the years before
    /// the start (0 with one year before). A gap that was already widening or closing before the programme shows here.
    pub pre_trend: f64,
    /// The comparison group's weighted mean per year, shifted to the treated series' mean before the start.
    pub counterfactual: Vec<f64>,
}

/// The weighted mean of the controls per year.
pub fn weighted_mean(controls: &[&[f64]], weights: &[f64]) -> Vec<f64> {
    let t = controls.first().map_or(0, |c| c.len());
    let total: f64 = weights.iter().sum();
    (0..t).map(|y| controls.iter().zip(weights).map(|(c, w)| w * c[y]).sum::<f64>() / total).collect()
}

/// Estimates on years `years` (as numbers, for the pre-trend slope) of which the first `t0` are before the start.
/// `None` without a year on either side.
pub fn estimate(controls: &[&[f64]], weights: &[f64], treated: &[f64], years: &[f64], t0: usize) -> Option<DidFit> {
    let t = treated.len();
    if t0 == 0 || t <= t0 || controls.is_empty() || controls.iter().any(|c| c.len() != t) {
        return None;
    }
    let c = weighted_mean(controls, weights);
    let gap: Vec<f64> = treated.iter().zip(&c).map(|(y, c)| y - c).collect();
    let pre_mean = gap[..t0].iter().sum::<f64>() / t0 as f64;
    let post_mean = gap[t0..].iter().sum::<f64>() / (t - t0) as f64;
    let reference = gap[t0 - 1];
    let event_study: Vec<f64> = gap.iter().map(|g| g - reference).collect();
    let pre_trend = crate::matching::slope(&years[..t0.min(years.len())], &gap[..t0]).abs();
    let counterfactual = c.iter().map(|c| c + pre_mean).collect();
    Some(DidFit { tau: post_mean - pre_mean, event_study, pre_trend, counterfactual })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_the_difference_of_mean_gaps_and_the_event_study_is_relative_to_the_last_year_before() {
        let c0 = [1.0, 2.0, 3.0, 4.0];
        let c1 = [3.0, 4.0, 5.0, 6.0];
        // The comparison mean is 2, 3, 4, 5; the treated series runs parallel, then jumps by 1.5.
        let treated = [5.0, 6.0, 8.5, 9.5];
        let years = [2018.0, 2019.0, 2020.0, 2021.0];
        let fit = estimate(&[&c0, &c1], &[1.0, 1.0], &treated, &years, 2).unwrap();
        assert!((fit.tau - 1.5).abs() < 1e-12);
        assert_eq!(fit.event_study, vec![0.0, 0.0, 1.5, 1.5]);
        assert_eq!(fit.pre_trend, 0.0);
        assert_eq!(fit.counterfactual, vec![5.0, 6.0, 7.0, 8.0]);
        // A treated series that was already pulling away before the start shows it in the years before.
        let drifting = [4.0, 6.0, 8.5, 9.5];
        let fit = estimate(&[&c0, &c1], &[1.0, 1.0], &drifting, &years, 2).unwrap();
        assert_eq!(fit.event_study[0], -1.0);
        assert!((fit.pre_trend - 1.0).abs() < 1e-12);
    }

    #[test]
    fn weights_the_comparison_group() {
        let fit = estimate(&[&[0.0, 0.0], &[0.0, 4.0]], &[3.0, 1.0], &[0.0, 2.0], &[1.0, 2.0], 1).unwrap();
        assert!((fit.tau - 1.0).abs() < 1e-12, "{fit:?}");
        assert!(estimate(&[&[0.0]], &[1.0], &[0.0], &[1.0], 1).is_none());
    }
}
