//! `wijkmonitor areas`: list the focus areas of a delineation, and with `--db` how well the database covers them.

use crate::common::{load_areas, open_existing_store};
use anyhow::{Context, Result};
use std::path::PathBuf;
use wijkmonitor_model::Period;
use wijkmonitor_store::ObservationFilter;

#[derive(clap::Args)]
pub struct Args {
    /// The delineation (CSV: area_id,area_name,gemeente_code,buurt_code,classification_year); the built-in
    /// indicative one when not given.
    #[arg(long)]
    pub areas: Option<PathBuf>,
    /// Also show, per area, how many of its buurten the database knows and their inhabitants in this database.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// List the buurten of this area (by area_id).
    #[arg(long)]
    pub show: Option<String>,
    /// With --db: the delineation in every period the database has figures for, as the engine follows it (the
    /// same buurt codes, buurten through the crosswalk, wijken standing in), with what stays unmatched.
    #[arg(long, requires = "db")]
    pub by_period: bool,
    /// With --by-period: the crosswalk the figures were computed with (from_year,from_code,to_year,to_code,share).
    #[arg(long, requires = "by_period")]
    pub crosswalk: Option<PathBuf>,
    /// With --by-period: write the delineation per period as CSV (area_id,period,region_code,weight,how) to this
    /// file instead of printing a summary.
    #[arg(long, short = 'o', requires = "by_period")]
    pub output: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let set = load_areas(args.areas.as_ref())?;
    if set.indicative {
        println!("Delineation: {} — INDICATIVE, not the official programme delineation.", set.source);
    } else {
        println!("Delineation: {}", set.source);
    }
    let store = match &args.db {
        Some(db) => Some(open_existing_store(db)?),
        None => None,
    };
    if let (true, Some(store)) = (args.by_period, &store) {
        return by_period(store, &set, &args);
    }
    if let Some(id) = &args.show {
        let Some(area) = set.get(id) else {
            let ids: Vec<&str> = set.areas.iter().map(|a| a.id.as_str()).collect();
            anyhow::bail!("no area '{id}' in {}; areas: {}", set.source, ids.join(", "));
        };
        println!(
            "{} ({}), {} buurten, classification {}:",
            area.name,
            area.municipality,
            area.buurten.len(),
            area.classification_year
        );
        for buurt in &area.buurten {
            let name = match &store {
                Some(s) => s.region_name(buurt)?.unwrap_or_else(|| "(not in the database)".into()),
                None => String::new(),
            };
            println!("  {buurt} {name}");
        }
        return Ok(());
    }
    println!(
        "{:<28} {:<32} {:<7} {:>5} {:>7}{}",
        "area_id",
        "name",
        "gemeente",
        "year",
        "buurten",
        if store.is_some() { "   known  inhabitants (latest year)  published  diff" } else { "" }
    );
    // The published figures belong to the built-in delineation's areas; another delineation may use the same ids.
    let published =
        wijkmonitor_model::area::parse_published(wijkmonitor_model::BUILTIN_PUBLISHED, "published-2025.csv (built in)")
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut exceptions = Vec::new();
    for area in &set.areas {
        let mut line = format!(
            "{:<28} {:<32} {:<7} {:>5} {:>7}",
            area.id,
            area.name,
            area.municipality,
            area.classification_year,
            area.buurten.len()
        );
        if let Some(store) = &store {
            let known = area.buurten.iter().filter(|b| store.region_name(b).ok().flatten().is_some()).count();
            let rows = store.observations(&ObservationFilter {
                regions: area.buurten.clone(),
                variables: vec!["inhabitants".into()],
                ..Default::default()
            })?;
            let latest = rows.iter().map(|r| r.observation.period).max();
            let total: f64 = rows
                .iter()
                .filter(|r| Some(r.observation.period) == latest)
                .filter_map(|r| r.observation.value.number())
                .sum();
            match latest {
                Some(Period::Year(y)) => line.push_str(&format!("   {known:>5}  {total:>11} ({y})")),
                Some(p) => line.push_str(&format!("   {known:>5}  {total:>11} ({p})")),
                None => line.push_str(&format!("   {known:>5}  {:>11}", "-")),
            }
            if let Some(p) = published.iter().find(|p| p.area == area.id).filter(|_| latest.is_some()) {
                let diff = (total / p.inhabitants - 1.0) * 100.0;
                let mark = if diff.abs() > 5.0 && p.exception.is_some() { "*" } else { "" };
                line.push_str(&format!("  {:>9}  {diff:+.1}%{mark}", p.inhabitants));
                if let Some(e) = p.exception.as_ref().filter(|_| !mark.is_empty()) {
                    exceptions.push(format!("* {}: {e}", area.id));
                }
            }
        }
        println!("{line}");
    }
    if store.is_some() {
        println!(
            "published: CBS, inhabitants on 1 January 2025 in thousands (February 2026); 'latest year' may be another"
        );
        for e in exceptions {
            println!("{e}");
        }
    }
    Ok(())
}

/// `areas --db DB --by-period`: a line per area and period (or the CSV with `-o`).
fn by_period(store: &wijkmonitor_store::Store, set: &wijkmonitor_model::FocusAreaSet, args: &Args) -> Result<()> {
    let crosswalk = match &args.crosswalk {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            wijkmonitor_engine::Crosswalk::parse(&text, &path.display().to_string())?
        }
        None => wijkmonitor_engine::Crosswalk::default(),
    };
    let rows = wijkmonitor_pipeline::delineation::by_period(store, set, &crosswalk)?;
    if let Some(path) = &args.output {
        crate::common::write_atomically(path, wijkmonitor_pipeline::delineation::csv(&rows).as_bytes())?;
        println!("{} area-periods written to {}", rows.len(), path.display());
        return Ok(());
    }
    use wijkmonitor_pipeline::delineation::How;
    println!(
        "{:<28} {:>7} {:>9} {:>9} {:>6} {:>9}",
        "area_id", "period", "same code", "crosswalk", "wijken", "unmatched"
    );
    for r in &rows {
        let count = |how: How| r.members.iter().filter(|m| m.how == how).count();
        let share = match (r.unmatched.len(), r.unmatched_share) {
            (0, _) => "-".to_string(),
            (n, Some(s)) => format!("{n} ({:.1}%)", s * 100.0),
            (n, None) => format!("{n} (?)"),
        };
        println!(
            "{:<28} {:>7} {:>9} {:>9} {:>6} {:>9}",
            r.area,
            r.period.to_string(),
            count(How::SameCode),
            count(How::Crosswalk),
            count(How::Wijk),
            share
        );
    }
    println!("unmatched: buurten of the delineation with no figures that period, and their share of the inhabitants");
    Ok(())
}
