//! `wijkmonitor effect`: does an area change because of the programme? Asks the effect analysis of any
//! delineation and start on the figures of a database, and prints it as a table, CSV (one row per area, indicator
//! and estimator) or JSON. The work is [`wijkmonitor_pipeline::effect::ask`]; what is published is computed the
//! same way at every publication.

use crate::common::{load_areas, open_existing_store, spinner, DEFAULT_DB};
use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;
use wijkmonitor_effect::config::Config;
use wijkmonitor_effect::{Verdict, CSV_COLUMNS};
use wijkmonitor_pipeline::effect::{ask, Ask, PROGRAMME};

#[derive(clap::Args)]
pub struct Args {
    /// The database file.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// The delineation (CSV, as data/areas/): any set of buurten can be asked about; the built-in one by default.
    #[arg(long)]
    pub areas: Option<PathBuf>,
    /// The first year of the treatment for every area (default: the parameters' start per area, or the register's
    /// for a measure).
    #[arg(long)]
    pub start: Option<i32>,
    /// Only this area.
    #[arg(long)]
    pub area: Option<String>,
    /// Only this indicator (an effect indicator; see `wijkmonitor indicators`).
    #[arg(long)]
    pub indicator: Option<String>,
    /// The programme as a whole, or a measure of the register (wbmgp, woontop).
    #[arg(long, default_value = PROGRAMME)]
    pub measure: String,
    /// Effect analysis parameters (TOML, as data/parameters/effect.toml); the built-in ones by default.
    #[arg(long)]
    pub params: Option<PathBuf>,
    /// The output.
    #[arg(long, value_parser = ["table", "csv", "json"], default_value = "table")]
    pub format: String,
}

pub fn run(args: Args) -> Result<()> {
    let store = open_existing_store(&args.db)?;
    let areas = load_areas(args.areas.as_ref())?;
    let config = match &args.params {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            Config::parse(&text, &path.display().to_string()).map_err(anyhow::Error::msg)?
        }
        None => Config::builtin(),
    };
    if let Some(start) = args.start {
        anyhow::ensure!((1900..=2100).contains(&start), "--start {start} is not a plausible year");
    }
    let crosswalk = wijkmonitor_engine::Crosswalk::default();
    let bar = spinner("matching comparison buurten and placebo areas");
    let answer = ask(
        &store,
        &Ask {
            areas: &areas,
            crosswalk: &crosswalk,
            params_text: wijkmonitor_engine::params::BUILTIN_PARAMS,
            config: &config,
            treatment: &args.measure,
            start: args.start,
            area: args.area.as_deref(),
            indicator: args.indicator.as_deref(),
        },
    )?;
    bar.finish_and_clear();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format.as_str() {
        "csv" => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(CSV_COLUMNS)?;
            for e in &answer.effects {
                if e.withheld {
                    let mut row = vec![String::new(); CSV_COLUMNS.len()];
                    (row[0], row[1]) = (e.area.clone(), e.indicator.clone());
                    (row[9], row[10], row[11]) = ("withheld".into(), "suppressed".into(), "withheld".into());
                    w.write_record(row)?;
                } else {
                    for row in e.analysis.csv_rows(&e.indicator) {
                        w.write_record(row)?;
                    }
                }
            }
            w.flush()?;
        }
        "json" => {
            let effects: Vec<serde_json::Value> = answer
                .effects
                .iter()
                .map(|e| {
                    if e.withheld {
                        serde_json::json!({ "area": e.area, "indicator": e.indicator, "status": "secret", "reason": "suppressed" })
                    } else {
                        serde_json::json!({ "area": e.area, "indicator": e.indicator, "status": "final", "analysis": e.analysis })
                    }
                })
                .collect();
            let pooled: Vec<serde_json::Value> = answer
                .pooled
                .iter()
                .map(|p| serde_json::json!({ "indicator": p.indicator, "did": p.did, "sdid": p.sdid }))
                .collect();
            let doc = serde_json::json!({
                "treatment": args.measure,
                "effects": effects,
                "pooled": pooled,
                "without_start": answer.without_start,
            });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        _ => {
            writeln!(
                out,
                "{:<28} {:<36} {:>28} {:>28}  verdict",
                "area", "indicator", "did (95% interval)", "sdid (95% interval)"
            )?;
            let fmt = |r: Option<&wijkmonitor_effect::EstimatorResult>| match r {
                Some(r) if r.lower.is_finite() => format!("{:+.3} ({:+.3}, {:+.3})", r.estimate, r.lower, r.upper),
                Some(r) => format!("{:+.3} (no interval)", r.estimate),
                None => "-".into(),
            };
            for e in &answer.effects {
                if e.withheld {
                    writeln!(
                        out,
                        "{:<28} {:<36} {:>28} {:>28}  withheld (disclosure control)",
                        e.area, e.indicator, "", ""
                    )?;
                    continue;
                }
                let a = &e.analysis;
                let verdict = match (a.verdict, a.reason) {
                    (Verdict::NoEffect, Some(r)) => format!("no effect: {}", r.as_str()),
                    (v, _) => v.as_str().to_string(),
                };
                writeln!(
                    out,
                    "{:<28} {:<36} {:>28} {:>28}  {verdict}",
                    e.area,
                    e.indicator,
                    fmt(a.did.as_ref()),
                    fmt(a.sdid.as_ref())
                )?;
            }
            for p in &answer.pooled {
                let pooled = |x: &Option<wijkmonitor_effect::Pooled>| match x {
                    Some(x) if x.lower.is_finite() => format!("{:+.3} ({:+.3}, {:+.3})", x.estimate, x.lower, x.upper),
                    _ => "-".into(),
                };
                writeln!(
                    out,
                    "{:<28} {:<36} {:>28} {:>28}  pooled over {} areas",
                    "all areas",
                    p.indicator,
                    pooled(&p.did),
                    pooled(&p.sdid),
                    p.did.as_ref().map_or(0, |d| d.areas)
                )?;
            }
        }
    }
    if !answer.without_start.is_empty() {
        eprintln!(
            "left out for want of a start of '{}' in the register: {}",
            args.measure,
            answer.without_start.join(", ")
        );
    }
    Ok(())
}
