//! `wijkmonitor crosswalk --from MAP_A --to MAP_B`: the crosswalk file the engine reads
//! (`from_year,from_code,to_year,to_code,share`), from the overlap of the regions of two boundary maps, by area or
//! by points with counts. The overlap itself is `wijkmonitor-maps`; this module reads the files, names the years
//! and writes the CSV.

use crate::common::{counting_bar, write_atomically};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use wijkmonitor_maps::{crosswalk, read_map, read_points, CrosswalkOptions, Map, Weights};

#[derive(clap::Args)]
pub struct Args {
    /// The map of the classification the figures are in (GeoJSON or TopoJSON, WGS84 or RD New).
    #[arg(long)]
    pub from: PathBuf,
    /// The map of the classification to translate into.
    #[arg(long)]
    pub to: PathBuf,
    /// The year of the `--from` map; read from the file (`metadata.year`) or its name when not given.
    #[arg(long)]
    pub from_year: Option<i32>,
    /// The year of the `--to` map; read from the file or its name when not given.
    #[arg(long)]
    pub to_year: Option<i32>,
    /// The property holding the region code in both maps (`id` for TopoJSON geometry ids); found among the
    /// names CBS and PDOK use (statcode, buurtcode, BU_CODE, wijkcode, WKC, gemeentecode, ...) when not given.
    #[arg(long)]
    pub code_field: Option<String>,
    /// Shares smaller than this are slivers of boundaries drawn differently: dropped and reported.
    #[arg(long, default_value_t = 0.01)]
    pub sliver: f64,
    /// A GeoJSON file of points (addresses, or grid cells with inhabitants) that weighs the overlap instead of area.
    #[arg(long)]
    pub points: Option<PathBuf>,
    /// The property with the count of each point (each point counts once when not given).
    #[arg(long, requires = "points")]
    pub count_field: Option<String>,
    /// Regions that nest by design (buurten into the wijken of the same year): each goes wholly to the region
    /// holding most of it.
    #[arg(long)]
    pub whole: bool,
    /// The CSV to write; standard output when not given.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

fn read(path: &Path, code_field: Option<&str>) -> Result<Map> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    read_map(&text, code_field).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn year_of(asked: Option<i32>, map: &Map, path: &Path, flag: &str) -> Result<i32> {
    match asked.or(map.year).or_else(|| wijkmonitor_maps::year_in_file_name(&path.to_string_lossy())) {
        Some(y) => Ok(y),
        None => bail!("{}: no year in the file or its name; give {flag}", path.display()),
    }
}

pub fn run(args: Args) -> Result<()> {
    if !(0.0..0.5).contains(&args.sliver) {
        bail!("--sliver {}: give a share between 0 and 0.5", args.sliver);
    }
    let from = read(&args.from, args.code_field.as_deref())?;
    let to = read(&args.to, args.code_field.as_deref())?;
    let from_year = year_of(args.from_year, &from, &args.from, "--from-year")?;
    let to_year = year_of(args.to_year, &to, &args.to, "--to-year")?;
    let weights = match &args.points {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            let points = read_points(&text, args.count_field.as_deref())
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            Some(Weights { points })
        }
        None => None,
    };
    let options = CrosswalkOptions { sliver: args.sliver, weights, whole: args.whole };
    let bar = counting_bar(from.features.len() as u64, "overlapping regions", "regions");
    let cw = crosswalk(&from, &to, &options, &|done, _| bar.set_position(done as u64));
    bar.finish_and_clear();

    let csv = format!("{}\n{}", wijkmonitor_maps::CSV_HEADER, cw.csv_rows(from_year, to_year, |_| true));
    match &args.output {
        Some(path) => write_atomically(path, csv.as_bytes())?,
        None => print!("{csv}"),
    }

    let split = cw.divided();
    eprintln!(
        "crosswalk {from_year} -> {to_year}: {} regions ({}, codes from '{}') onto {} ({}, '{}'), {} rows{}; by {}",
        from.features.len(),
        args.from.display(),
        from.code_field,
        to.features.len(),
        args.to.display(),
        to.code_field,
        cw.shares.len(),
        if split > 0 { format!(", {split} region(s) divided") } else { String::new() },
        if args.whole {
            "whole regions"
        } else if args.points.is_some() {
            "points"
        } else {
            "area"
        }
    );
    if !cw.slivers.is_empty() {
        let largest = cw.slivers.iter().map(|s| s.share).fold(0.0, f64::max);
        eprintln!(
            "{} sliver(s) below {} dropped (the largest {:.2}%); the other shares of their regions were scaled to one",
            cw.slivers.len(),
            args.sliver,
            largest * 100.0
        );
    }
    let partly: Vec<&(String, f64)> = cw.coverage.iter().filter(|c| c.1 > 0.0 && c.1 < 0.99).collect();
    if !partly.is_empty() {
        let some: Vec<String> = partly.iter().take(5).map(|(c, s)| format!("{c} ({:.0}%)", s * 100.0)).collect();
        eprintln!("{} region(s) lie partly outside the other map: {}", partly.len(), some.join(", "));
    }
    if !cw.unmatched.is_empty() {
        let some: Vec<&str> = cw.unmatched.iter().take(10).map(String::as_str).collect();
        eprintln!("{} region(s) match nothing and are not in the file: {}", cw.unmatched.len(), some.join(", "));
    }
    if !cw.by_area_fallback.is_empty() {
        eprintln!("{} region(s) hold none of the points: their shares are by area", cw.by_area_fallback.len());
    }
    Ok(())
}
