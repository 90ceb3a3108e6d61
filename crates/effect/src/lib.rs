//! Effect analysis: does an area change *because* of the programme? The area is compared with a counterfactual
//! built from comparable buurten that got no programme, by two estimators side by side, and every interval and
//! p-value is calibrated by placebo areas: the same procedure applied to pseudo-areas of untreated buurten of the
//! same size and kind, where the true effect is zero.
//!
//! # Layout
//! - [`config`]: the parameters as data (`data/parameters/effect.toml`).
//! - [`panel`]: the input: one indicator's buurt values and weights per year, the treated area and its start.
//! - [`matching`]: the comparison group: the buurten nearest to the area before the start (level and trend of the
//!   outcome, covariates), and the balance before and after matching.
//! - [`did`]: difference-in-differences against the matched group, with the event study.
//! - [`sdid`]: synthetic difference-in-differences (a port of the reference implementation).
//! - [`analysis`]: the whole procedure for one area and indicator: matching, both estimators, placebo areas,
//!   calibrated intervals and p-values, the pre-trend check and the verdict; and the pooled estimate over areas.
//! - [`sim`]: simulated panels with known effects, for the recovery tests and the benchmark.
//!
//! # Invariants
//! - No IO, no clock; randomness only from a generator seeded by the area and indicator, so the same data give
//!   the same result.
//! - An effect is declared only when its placebo-calibrated interval excludes zero and the pre-trend check
//!   passes; otherwise the verdict is "no demonstrable effect" with the reason.

pub mod analysis;
pub mod config;
pub mod did;
pub mod json_f64;
pub mod matching;
pub mod panel;
pub mod rng;
pub mod sdid;
pub mod sim;

pub use analysis::{
    analyse, analyse_all, pooled, Analysis, Estimator, EstimatorResult, NoEffect, Pooled, Verdict, CSV_COLUMNS,
};
pub use panel::{Panel, Params, Treated, Unit};
