//! The comparison group: among the eligible buurten (outside every focus area, with a figure in every year used),
//! the ones nearest to the area before the start. Distance is Euclidean over standardised features: the level of the
//! outcome before the start, its trend before the start, and covariates (income, corporation housing, density, age,
//! Leefbaarometer score, ...). The balance table shows how far the area is from all eligible buurten and from the
//! matched ones on each feature, in standard deviations of the eligible buurten.

use serde::{Deserialize, Serialize};

/// Where a feature comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The mean of the outcome before the start.
    Level,
    /// The slope of the outcome before the start.
    Trend,
    /// Covariate number `c` of the panel.
    Covariate(usize),
}

/// The features of the area and of every eligible buurt.
#[derive(Debug, Clone)]
pub struct Features {
    pub names: Vec<String>,
    pub sources: Vec<Source>,
    pub area: Vec<f64>,
    /// One row per eligible buurt, in the order given.
    pub units: Vec<Vec<f64>>,
    pub mean: Vec<f64>,
    pub sd: Vec<f64>,
}

/// One row of the balance table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    pub feature: String,
    pub area: f64,
    pub pool_mean: f64,
    pub matched_mean: f64,
    /// `(area - pool mean) / pool sd`: the difference before matching.
    pub std_diff_before: f64,
    /// `(area - matched mean) / pool sd`: the difference after matching.
    pub std_diff_after: f64,
}

/// The slope of an ordinary least-squares line through `(x, y)`; 0 with fewer than two points.
pub fn slope(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    if x.len() < 2 {
        return 0.0;
    }
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    if sxx == 0.0 {
        0.0
    } else {
        sxy / sxx
    }
}

impl Features {
    /// Builds the features. With `match_on_trend`, the slope of the outcome before the start is one of them (see
    /// [`crate::Params::match_on_trend`]). `pre_years` are the years before the start (as numbers, for the trend);
    /// `area_pre` and each `unit_pre` the outcome in those years; covariates are imputed with the pool mean where a
    /// buurt lacks them, and a feature that the area lacks or that does not vary is left out.
    pub fn build(
        match_on_trend: bool,
        pre_years: &[f64],
        area_pre: &[f64],
        area_covariates: &[f64],
        unit_pre: &[Vec<f64>],
        unit_covariates: &[&[f64]],
        covariate_names: &[String],
    ) -> Features {
        let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len().max(1) as f64;
        let mut candidates: Vec<(String, Source, f64, Vec<f64>)> = vec![(
            "outcome_level_before".into(),
            Source::Level,
            mean(area_pre),
            unit_pre.iter().map(|u| mean(u)).collect(),
        )];
        if match_on_trend && pre_years.len() >= 2 {
            candidates.push((
                "outcome_trend_before".into(),
                Source::Trend,
                slope(pre_years, area_pre),
                unit_pre.iter().map(|u| slope(pre_years, u)).collect(),
            ));
        }
        for (c, name) in covariate_names.iter().enumerate() {
            let a = area_covariates.get(c).copied().unwrap_or(f64::NAN);
            let known: Vec<f64> = unit_covariates
                .iter()
                .map(|u| u.get(c).copied().unwrap_or(f64::NAN))
                .filter(|x| x.is_finite())
                .collect();
            if !a.is_finite() || known.is_empty() {
                continue;
            }
            let fill = mean(&known);
            let column =
                unit_covariates.iter().map(|u| u.get(c).copied().filter(|x| x.is_finite()).unwrap_or(fill)).collect();
            candidates.push((name.clone(), Source::Covariate(c), a, column));
        }
        let mut f = Features {
            names: Vec::new(),
            sources: Vec::new(),
            area: Vec::new(),
            units: vec![Vec::new(); unit_pre.len()],
            mean: Vec::new(),
            sd: Vec::new(),
        };
        for (name, source, a, col) in candidates {
            let m = mean(&col);
            let sd = (col.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (col.len().max(2) - 1) as f64).sqrt();
            if !(sd > 0.0 && sd.is_finite()) {
                continue;
            }
            f.names.push(name);
            f.sources.push(source);
            f.area.push(a);
            f.mean.push(m);
            f.sd.push(sd);
            for (row, x) in f.units.iter_mut().zip(col) {
                row.push(x);
            }
        }
        f
    }

    /// The features of another series (a placebo area) with the same sources: its outcome before the start and
    /// its covariates.
    pub fn point(&self, pre_years: &[f64], pre: &[f64], covariates: &[f64]) -> Vec<f64> {
        let n = pre.len().max(1) as f64;
        self.sources
            .iter()
            .zip(&self.mean)
            .map(|(source, fill)| match source {
                Source::Level => pre.iter().sum::<f64>() / n,
                Source::Trend => slope(pre_years, pre),
                Source::Covariate(c) => covariates.get(*c).copied().filter(|x| x.is_finite()).unwrap_or(*fill),
            })
            .collect()
    }

    /// The standardised distance of every eligible buurt to `point`.
    pub fn distances_to(&self, point: &[f64]) -> Vec<f64> {
        self.units
            .iter()
            .map(|u| u.iter().zip(point).zip(&self.sd).map(|((x, a), s)| ((x - a) / s).powi(2)).sum::<f64>().sqrt())
            .collect()
    }

    /// The standardised distance of every eligible buurt to the area.
    pub fn distances(&self) -> Vec<f64> {
        self.distances_to(&self.area)
    }

    /// The balance of the area against all eligible buurten and against `matched` (indices into the rows).
    pub fn balance(&self, matched: &[usize]) -> Vec<Balance> {
        (0..self.names.len())
            .map(|f| {
                let matched_mean = matched.iter().map(|&m| self.units[m][f]).sum::<f64>() / matched.len().max(1) as f64;
                Balance {
                    feature: self.names[f].clone(),
                    area: self.area[f],
                    pool_mean: self.mean[f],
                    matched_mean,
                    std_diff_before: (self.area[f] - self.mean[f]) / self.sd[f],
                    std_diff_after: (self.area[f] - matched_mean) / self.sd[f],
                }
            })
            .collect()
    }
}

/// The indices of the `k` smallest distances (ties by index), nearest first.
pub fn nearest(distances: &[f64], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..distances.len()).collect();
    let k = k.min(order.len());
    if k == 0 {
        return Vec::new();
    }
    let cmp = |a: &usize, b: &usize| distances[*a].total_cmp(&distances[*b]).then(a.cmp(b));
    order.select_nth_unstable_by(k - 1, cmp);
    order.truncate(k);
    order.sort_by(cmp);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_on_level_and_trend_and_reports_balance() {
        let years = [2018.0, 2019.0, 2020.0];
        let area = [10.0, 11.0, 12.0];
        let units = vec![
            vec![10.0, 11.0, 12.0], // same level and trend
            vec![20.0, 21.0, 22.0], // same trend, other level
            vec![10.0, 10.0, 10.0], // same level, flat
            vec![30.0, 25.0, 20.0],
        ];
        let covs: Vec<&[f64]> = vec![&[]; 4];
        let f = Features::build(true, &years, &area, &[], &units, &covs, &[]);
        assert_eq!(f.names, vec!["outcome_level_before", "outcome_trend_before"]);
        let d = f.distances();
        assert_eq!(nearest(&d, 2)[0], 0);
        let b = f.balance(&[0]);
        assert_eq!(b[0].std_diff_after, 0.0);
        assert!(b[0].std_diff_before.abs() > 0.5);
        assert_eq!(slope(&[1.0], &[3.0]), 0.0);
        assert_eq!(nearest(&[3.0, 1.0, 2.0, 1.0], 3), vec![1, 3, 2]);
    }

    #[test]
    fn covariates_the_area_lacks_or_that_do_not_vary_are_left_out_and_gaps_are_imputed() {
        let covs: Vec<&[f64]> = vec![&[1.0, 5.0, f64::NAN], &[3.0, 5.0, 1.0], &[f64::NAN, 5.0, 2.0]];
        let names = vec!["income".to_string(), "constant".to_string(), "density".to_string()];
        let units = vec![vec![1.0], vec![2.0], vec![3.0]];
        let f = Features::build(true, &[2020.0], &[2.0], &[2.0, 5.0, f64::NAN], &units, &covs, &names);
        assert_eq!(f.names, vec!["outcome_level_before", "income"]);
        assert_eq!(f.units[2][1], 2.0, "imputed with the mean of the known values");
    }
}
