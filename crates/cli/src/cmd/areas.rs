//! `wijkmonitor areas`: list the focus areas of a delineation, and with `--db` how well the database covers them.

use crate::common::{load_areas, open_existing_store};
use anyhow::Result;
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
        if store.is_some() { "   known  inhabitants (latest year)" } else { "" }
    );
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
        }
        println!("{line}");
    }
    Ok(())
}
