//! Simulated panels with known effects, for the recovery tests, the power curve and `wijkmonitor bench effect`.
//!
//! Each municipality has a row of buurten ordered by code; vulnerability rises along the row, so that neighbouring
//! buurten are alike, as real ones are. A buurt's figure is its level (lower when vulnerable) plus its own trend
//! (steeper when vulnerable), a national year effect, a shock shared by its municipality that year, and noise that
//! is larger in small buurten. Areas are runs of neighbouring vulnerable buurten; from the start year an effect of
//! known size (different per area) is added to their buurten; optionally they drift away before the start too
//! (a violated pre-trend).

use crate::panel::{Panel, Treated, Unit};
use crate::rng::Rng;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub municipalities: usize,
    /// Buurten per municipality.
    pub buurten: usize,
    pub years: Vec<i32>,
    pub areas: usize,
    /// The smallest and largest number of buurten in an area.
    pub area_size: (usize, usize),
    pub start: i32,
    /// The mean effect; each area's effect is drawn between half and one and a half times it.
    pub effect: f64,
    /// The standard deviation of a buurt's yearly noise at 1,000 inhabitants.
    pub noise: f64,
    /// An extra trend per year of the areas' buurten over all years (0: parallel trends hold).
    pub drift: f64,
    pub seed: u64,
}

impl Default for Spec {
    fn default() -> Spec {
        Spec {
            municipalities: 40,
            buurten: 120,
            years: (2016..=2025).collect(),
            areas: 20,
            area_size: (6, 30),
            start: 2022,
            effect: 0.0,
            noise: 0.03,
            drift: 0.0,
            seed: 1,
        }
    }
}

/// A simulated panel, its areas and their true effects.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub panel: Panel,
    pub areas: Vec<Treated>,
    pub effects: Vec<f64>,
}

/// Simulates a panel.
pub fn simulate(spec: &Spec) -> Simulation {
    let mut rng = Rng::new(spec.seed);
    let n_years = spec.years.len();
    let first = spec.years.first().copied().unwrap_or(spec.start);
    let national: Vec<f64> = (0..n_years).map(|_| 0.02 * rng.normal()).collect();
    let mut units = Vec::with_capacity(spec.municipalities * spec.buurten);
    let mut vulnerability = Vec::with_capacity(spec.municipalities * spec.buurten);
    for g in 0..spec.municipalities {
        let group = format!("GM{:04}", g + 1);
        let shocks: Vec<f64> = (0..n_years).map(|_| 0.01 * rng.normal()).collect();
        for b in 0..spec.buurten {
            let v = (b as f64 / spec.buurten as f64 + 0.1 * rng.normal()).clamp(0.0, 1.0);
            let level = 4.2 - 0.5 * v + 0.05 * rng.normal();
            let trend = 0.004 + 0.006 * v + 0.002 * rng.normal();
            let inhabitants = (300.0 + 2700.0 * rng.uniform()).round();
            let sigma = spec.noise * (1000.0 / inhabitants).sqrt();
            let values = (0..n_years)
                .map(|y| {
                    level + trend * f64::from(spec.years[y] - first) + national[y] + shocks[y] + sigma * rng.normal()
                })
                .collect();
            units.push(Unit {
                code: format!("BU{:04}{:04}", g + 1, b),
                group: group.clone(),
                values,
                weights: vec![inhabitants; n_years],
                covariates: vec![-v + 0.2 * rng.normal(), inhabitants],
                excluded: false,
            });
            vulnerability.push(v);
        }
    }
    let mut areas = Vec::new();
    let mut effects = Vec::new();
    for a in 0..spec.areas {
        let g = a % spec.municipalities.max(1);
        let (lo, hi) = spec.area_size;
        let size = (lo + rng.below(hi.saturating_sub(lo) + 1)).min(spec.buurten / 3).max(1);
        // In the most vulnerable third of the municipality's row.
        let third = spec.buurten - spec.buurten / 3;
        let begin = g * spec.buurten + third + rng.below((spec.buurten - third).saturating_sub(size) + 1);
        let members: Vec<usize> = (begin..begin + size).collect();
        let effect = spec.effect * (0.5 + rng.uniform());
        for &m in &members {
            let u = &mut units[m];
            u.excluded = true;
            for y in 0..n_years {
                let year = spec.years[y];
                if year >= spec.start {
                    u.values[y] += effect;
                }
                u.values[y] += spec.drift * f64::from(year - spec.start);
            }
        }
        areas.push(Treated {
            id: format!("area-{}", a + 1),
            members,
            series: None,
            group: format!("GM{:04}", g + 1),
            start: spec.start,
        });
        effects.push(effect);
    }
    let _ = vulnerability;
    Simulation {
        panel: Panel { years: spec.years.clone(), units, covariates: vec!["income".into(), "inhabitants".into()] },
        areas,
        effects,
    }
}
