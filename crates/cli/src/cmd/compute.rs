//! `wijkmonitor compute`: run the indicator engine over the database and store the results (after
//! disclosure control), the comparisons of every area and the report of unmatched buurten. The computation
//! itself is [`wijkmonitor_pipeline::recompute`], which the web server also calls when an analyst publishes.

use crate::common::{load_areas, now_rfc3339, open_existing_store, spinner, DEFAULT_DB};
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::time::Instant;
use wijkmonitor_engine::Crosswalk;
use wijkmonitor_pipeline::{ComputeSummary, Recompute};

#[derive(clap::Args)]
pub struct Args {
    /// The database file.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// The delineation of the focus areas (CSV); the built-in indicative one when not given.
    #[arg(long)]
    pub areas: Option<PathBuf>,
    /// A crosswalk between classification years (CSV: from_year,from_code,to_year,to_code,share), where
    /// `share` is the fraction of the from-buurt's population that lies in the to-buurt.
    #[arg(long)]
    pub crosswalk: Option<PathBuf>,
    /// Engine parameters (TOML, as data/parameters/engine.toml); the built-in ones when not given.
    #[arg(long)]
    pub params: Option<PathBuf>,
    /// Effect analysis parameters (TOML, as data/parameters/effect.toml); the built-in ones when not given.
    #[arg(long)]
    pub effect_params: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    let mut store = open_existing_store(&args.db)?;
    let areas = load_areas(args.areas.as_ref())?;
    let crosswalk = match &args.crosswalk {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            Crosswalk::parse(&text, &path.display().to_string())?
        }
        None => Crosswalk::default(),
    };
    let params_text = match &args.params {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?,
        None => wijkmonitor_engine::params::BUILTIN_PARAMS.to_string(),
    };
    let effect_text = match &args.effect_params {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?,
        None => wijkmonitor_pipeline::recompute::BUILTIN_EFFECT_PARAMS.to_string(),
    };
    let progress = spinner("computing every indicator and the effects");
    let at = now_rfc3339();
    let job = Recompute {
        areas: &areas,
        crosswalk: &crosswalk,
        params_text: &params_text,
        effect_text: &effect_text,
        computed_at: &at,
    };
    let summary = wijkmonitor_pipeline::recompute(&mut store, &job);
    progress.finish_and_clear();
    print_computed(&summary?, &args.db, started);
    Ok(())
}

/// Prints what a computation did.
pub fn print_computed(summary: &ComputeSummary, db: &std::path::Path, started: Instant) {
    println!(
        "computed {} indicators x {} periods for {} targets: {} figures stored in {} \
         ({:.1} s: loading {:.1} s, computing {:.1} s, effects {:.1} s, storing {:.1} s)",
        summary.n_indicators,
        summary.n_periods,
        summary.n_targets,
        summary.n_figures,
        db.display(),
        started.elapsed().as_secs_f64(),
        summary.load_secs,
        summary.compute_secs,
        summary.effect_secs,
        summary.store_secs
    );
    println!(
        "effects: {} analyses (areas x effect indicators, the programme and measures with a known start), {} with a \
         demonstrable effect",
        summary.n_effects, summary.n_effects_shown
    );
    println!(
        "disclosure control: {} figures secret (at the source, below a threshold, or complementary)",
        summary.n_secret
    );
    if summary.n_area_figures > 0 {
        println!("area figures: {} published figures of focus areas (request, register) read", summary.n_area_figures);
    }
    if !summary.unknown_areas.is_empty() {
        println!(
            "area figures not read: the delineation has no area {}",
            summary.unknown_areas.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ")
        );
    }
    if summary.areas_indicative {
        println!("areas: {} (INDICATIVE delineation)", summary.areas_source);
    }
    for u in &summary.unmatched {
        let shown: Vec<&str> = u.buurten.iter().take(8).map(String::as_str).collect();
        let more = u.buurten.len().saturating_sub(shown.len());
        println!(
            "unmatched: {} {}: {} buurten without figures ({}{}){}",
            u.area,
            u.period,
            u.buurten.len(),
            shown.join(" "),
            if more > 0 { format!(" and {more} more") } else { String::new() },
            u.population_share.map(|s| format!(", {:.1}% of the inhabitants", 100.0 * s)).unwrap_or_default()
        );
    }
}
