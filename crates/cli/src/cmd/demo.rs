//! `wijkmonitor demo`: build the demo database and print what is in it.
//!
//! Without `--from`, the database holds the real CBS 2024 codes and names of the 19 NPLV municipalities and
//! synthetic figures (clearly labelled) for 2018-2025, and the programme register seed (real figures with their
//! source, synthetic ones labelled so) with its figures for the realisation indicators. With `--from DIR`, it
//! holds whatever real sources in DIR wijkmonitor recognises; the rest is listed as skipped, with the reason.
//!
//! The building itself (atomic, then computed) is [`wijkmonitor_pipeline::demo`]; this command prints what it did.

use crate::cmd::import::print_batch;
use crate::common::{load_areas, now_rfc3339, open_store, print_summary, spinner};
use anyhow::Result;
use std::path::PathBuf;
use wijkmonitor_pipeline::demo::{build_demo_database, Source};

#[derive(clap::Args)]
pub struct Args {
    /// The database file to build (replaced if it exists).
    #[arg(long, default_value = "wijkmonitor-demo.db")]
    pub db: PathBuf,
    /// Build from the real source files in this folder (searched recursively) instead of synthetic figures.
    #[arg(long)]
    pub from: Option<PathBuf>,
    /// The delineation of the focus areas (CSV); the built-in indicative one when not given.
    #[arg(long)]
    pub areas: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let started = std::time::Instant::now();
    let areas = load_areas(args.areas.as_ref())?;
    let source = match &args.from {
        Some(dir) => Source::Folder(dir),
        None => Source::Synthetic,
    };
    let bar = spinner("building the demo database");
    let built = build_demo_database(&args.db, source, &areas, &now_rfc3339(), &|m| bar.set_message(m.to_string()));
    bar.finish_and_clear();
    let built = built?;
    if args.from.is_some() {
        for batch in &built.imported {
            print_batch(batch);
        }
        for (path, year, regions) in &built.maps {
            let year = year.map_or("year unknown".to_string(), |y| y.to_string());
            println!("map: {} ({year}, {regions} regions): boundaries, not figures", path.display());
        }
        if built.crosswalk_rows > 0 {
            println!("crosswalk: {} rows from the buurt maps to the areas' classification year", built.crosswalk_rows);
        }
        for (path, reason) in &built.skipped {
            println!("skipped: {} ({reason})", path.display());
        }
        if !built.documentation.is_empty() {
            let names: Vec<String> = built.documentation.iter().map(|p| p.display().to_string()).collect();
            println!("documentation (no figures): {}", names.join(", "));
        }
    }
    crate::cmd::compute::print_computed(&built.computed, &args.db, started);
    let store = open_store(&args.db)?;
    print_summary(&store, &args.db)?;
    println!(
        "areas:    {} focus areas from {}{}",
        areas.areas.len(),
        areas.source,
        if areas.indicative { " (INDICATIVE delineation, not the official one)" } else { "" }
    );
    Ok(())
}
