//! `wijkmonitor bench compute`: times a full recompute of a Netherlands-scale data set and, in the same run,
//! DuckDB computing the same aggregates from the same data in SQL; checks that both agree.
//!
//! The data set is synthetic: about 14,500 buurten in about 3,300 wijken and 342 gemeenten, 120 variables and 10
//! years, with 0.5% of the figures missing. Its 120 indicators are 40 sums, 40 weighted means and 40 ratios of
//! sums; 20 focus areas lie in 19 gemeenten. wijkmonitor computes every indicator for every buurt, wijk,
//! gemeente, area, rest of a municipality, all areas together and the Netherlands. DuckDB (the Python package,
//! see `bench/requirements.txt`) computes the same from the same values, once from the long layout
//! (`buurt, year, variable, value`, as wijkmonitor stores figures) and once from a wide layout (one column per
//! variable). Only the computation is timed on both sides (best of three), not loading.

use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use wijkmonitor_engine::{Crosswalk, Dataset, Geography, Params};
use wijkmonitor_model::area::parse_areas_csv;
use wijkmonitor_model::disclosure::DisclosureRules;
use wijkmonitor_model::{Catalogue, Period, RegionCode};

#[derive(clap::Args)]
pub struct Args {
    /// What to benchmark: `compute` (every indicator, against DuckDB) or `effect` (the effect analysis, against
    /// synthdid-py and statsmodels).
    #[arg(value_parser = ["compute", "effect"])]
    pub what: String,
    /// Number of buurten.
    #[arg(long, default_value_t = 14_500)]
    pub buurten: usize,
    /// Number of variables (a multiple of 3 is best: sums, weighted means and ratios).
    #[arg(long, default_value_t = 120)]
    pub variables: usize,
    /// Number of years.
    #[arg(long, default_value_t = 10)]
    pub years: usize,
    /// The Python interpreter with duckdb, numpy and pandas (pip install -r bench/requirements.txt).
    #[arg(long, default_value = "python3")]
    pub python: String,
    /// The DuckDB script (bench/duckdb_compute.py in the repository).
    #[arg(long, default_value = "bench/duckdb_compute.py")]
    pub script: PathBuf,
    /// Keep the generated files in this folder instead of a temporary one.
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One benchmark indicator: its kind and variables (as written to meta.json for the DuckDB side).
struct BenchIndicator {
    kind: &'static str,
    x: String,
    y: Option<String>,
    scale: f64,
}

pub fn run(args: Args) -> Result<()> {
    if args.what == "effect" {
        let script = if args.script == std::path::Path::new("bench/duckdb_compute.py") {
            std::path::PathBuf::from("bench/effect_python.py")
        } else {
            args.script.clone()
        };
        return super::bench_effect::run(&super::bench_effect::Args {
            buurten_per_gemeente: (args.buurten / 342).max(3),
            python: args.python.clone(),
            script,
        });
    }
    if args.variables < 6 {
        bail!("use at least 6 variables");
    }
    let dir = match &args.keep {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => std::env::temp_dir().join(format!("wijkmonitor-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let result = run_in(&args, &dir);
    if args.keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

fn run_in(args: &Args, dir: &Path) -> Result<()> {
    let mut rng = Rng(20_260_101);
    // Regions: gemeenten of varying size, wijken of 1-8 buurten.
    let mut buurten: Vec<RegionCode> = Vec::with_capacity(args.buurten);
    // 342 gemeenten; the 25 largest get about a third of the wijken, as the big cities do.
    let n_gemeenten = 342u64;
    let mut wijken_of = vec![0u32; n_gemeenten as usize + 1];
    while buurten.len() < args.buurten {
        let g = if rng.next() % 10 < 3 { 1 + rng.next() % 25 } else { 1 + rng.next() % n_gemeenten } as usize;
        if wijken_of[g] >= 100 {
            continue;
        }
        let wk = wijken_of[g];
        wijken_of[g] += 1;
        let n = 1 + (rng.next() % 8) as usize;
        for b in 0..n.min(args.buurten - buurten.len()) {
            buurten.push(RegionCode::parse(&format!("BU{g:04}{wk:02}{b:02}")).context("generated code")?);
        }
    }
    buurten.sort();
    let mut regions = buurten.clone();
    regions.push(RegionCode::netherlands());
    let periods: Vec<Period> = (0..args.years as i32).map(|k| Period::Year(2015 + k)).collect();
    let n_each = args.variables / 3;
    let mut variables = vec!["inhabitants".to_string(), "households".to_string()];
    for k in variables.len()..args.variables {
        variables.push(format!("v{k:03}"));
    }
    // Variables 0..n_each are counts (summed), n_each..2n_each percentages (weighted by households), the rest
    // counts used as numerators per 1,000 inhabitants.
    let mut indicators = Vec::new();
    let mut toml = String::new();
    for (k, v) in variables.iter().enumerate() {
        let kind = if (n_each..2 * n_each).contains(&k) { "percentage" } else { "count" };
        writeln!(toml, "[[variable]]\nid = \"{v}\"\nname_nl = \"{v}\"\nname_en = \"{v}\"\nunit = \"x\"\nkind = \"{kind}\"\nsource = \"bench\"\n")?;
        let (agg, ind) = if k < n_each {
            (
                format!("{{ method = \"sum\", variable = \"{v}\" }}"),
                BenchIndicator { kind: "sum", x: v.clone(), y: None, scale: 1.0 },
            )
        } else if k < 2 * n_each {
            (
                format!("{{ method = \"weighted_mean\", variable = \"{v}\", weight = \"households\" }}"),
                BenchIndicator { kind: "wmean", x: v.clone(), y: Some("households".into()), scale: 1.0 },
            )
        } else {
            (
                format!("{{ method = \"ratio\", numerator = \"{v}\", denominator = \"inhabitants\", scale = 1000 }}"),
                BenchIndicator { kind: "ratio", x: v.clone(), y: Some("inhabitants".into()), scale: 1000.0 },
            )
        };
        writeln!(
            toml,
            "[[indicator]]\nid = \"i_{v}\"\nname_nl = \"\"\nname_en = \"\"\ndefinition_nl = \"\"\ndefinition_en = \"\"\nunit = \"x\"\n\
             action_line = \"integral\"\ntier = \"context\"\nsource = \"bench\"\ndirection = \"neutral\"\ndisclosure = \"none\"\n\
             aggregation = {agg}\n"
        )?;
        indicators.push(ind);
    }
    let rules = DisclosureRules::builtin();
    let catalogue = Catalogue::parse(&toml, &rules)?;

    // Values: plausible magnitudes, 0.5% missing outside the two bases.
    let generate = Instant::now();
    let mut ds = Dataset::empty(regions.clone(), periods.clone(), variables.clone());
    let n_regions = regions.len();
    let size: Vec<f64> = (0..n_regions).map(|_| 200.0 + 4000.0 * rng.uniform()).collect();
    for v in 0..variables.len() {
        for p in 0..periods.len() {
            let (values, statuses) = ds.column_mut(v, p);
            for r in 0..buurten.len() {
                let missing = v >= 2 && rng.next().is_multiple_of(200);
                let x = match v {
                    0 => size[r].round(),
                    1 => (size[r] / 2.1).round(),
                    _ if (n_each..2 * n_each).contains(&v) => (1000.0 * rng.uniform()).round() / 10.0,
                    _ => (size[r] * 0.05 * rng.uniform()).round(),
                };
                values[r] = if missing { f64::NAN } else { x };
                statuses[r] = if missing { 3 } else { 1 };
            }
            // The Netherlands has no figures of its own here: it is aggregated from all buurten.
            statuses[n_regions - 1] = 0;
        }
    }
    // 20 areas in 19 gemeenten: the first 25 buurten of gemeenten with enough of them (two in the first one).
    let mut by_gm: HashMap<String, Vec<&RegionCode>> = HashMap::new();
    for b in &buurten {
        by_gm.entry(b.municipality().map(|m| m.to_string()).unwrap_or_default()).or_default().push(b);
    }
    let mut gms: Vec<&String> = by_gm.keys().filter(|g| by_gm[*g].len() >= 60).collect();
    gms.sort();
    let mut areas_csv = String::from("area_id,area_name,gemeente_code,buurt_code,classification_year\n");
    for (k, g) in gms.iter().take(19).enumerate() {
        let list = &by_gm[*g];
        let groups: Vec<&[&RegionCode]> = if k == 0 { vec![&list[..25], &list[25..50]] } else { vec![&list[..25]] };
        for (j, group) in groups.into_iter().enumerate() {
            for b in group {
                writeln!(areas_csv, "area-{k}-{j},Area {k} {j},{g},{b},2015")?;
            }
        }
    }
    let areas = parse_areas_csv(&areas_csv, "bench areas", false)?;
    if areas.areas.len() != 20 {
        bail!("the generated data set has too few large gemeenten for 20 areas");
    }
    let generated_s = generate.elapsed().as_secs_f64();
    let params = Params::builtin();
    let names = HashMap::new();

    // wijkmonitor: best of three full recomputes (targets, then every indicator, period and target).
    let mut best_ms = f64::INFINITY;
    let mut last = None;
    for _ in 0..3 {
        // One run's results at a time: the previous ones go before the next are made.
        drop(last.take());
        let t0 = Instant::now();
        let geo = Geography::build(&ds, &areas, &Crosswalk::default(), &names);
        let results = wijkmonitor_engine::compute::compute_with_rules(&ds, &catalogue, &geo, &params, &rules);
        best_ms = best_ms.min(t0.elapsed().as_secs_f64() * 1000.0);
        last = Some((geo, results));
    }
    let Some((geo, mut results)) = last else { bail!("no run") };

    // Hand the same data to DuckDB, written as it is read (no second copy in memory).
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("values.f64"))?);
        for v in 0..variables.len() {
            for p in 0..periods.len() {
                for x in &ds.values(v, p)[..buurten.len()] {
                    out.write_all(&x.to_le_bytes())?;
                }
            }
        }
        out.flush()?;
    }
    let mut members = String::from("target,buurt\n");
    for (t, target) in geo.targets.iter().enumerate() {
        for &(m, _) in &target.members[0] {
            writeln!(members, "{t},{m}")?;
        }
    }
    std::fs::write(dir.join("members.csv"), members)?;
    let meta = serde_json::json!({
        "n_buurten": buurten.len(),
        "n_variables": variables.len(),
        "n_years": periods.len(),
        "years": periods.iter().map(|p| p.year()).collect::<Vec<_>>(),
        "variables": variables,
        "indicators": indicators.iter().map(|i| serde_json::json!({"kind": i.kind, "x": i.x, "y": i.y, "scale": i.scale})).collect::<Vec<_>>(),
        "targets": geo.targets.iter().map(|t| t.id.clone()).collect::<Vec<_>>(),
        "min_coverage": params.min_coverage,
        "threads": std::thread::available_parallelism().map_or(1, |n| n.get()),
    });
    std::fs::write(dir.join("meta.json"), serde_json::to_vec(&meta)?)?;
    let status = Command::new(&args.python)
        .arg(&args.script)
        .arg(dir)
        .status()
        .with_context(|| format!("cannot run {} {}", args.python, args.script.display()))?;
    if !status.success() {
        bail!("the DuckDB side failed (pip install -r bench/requirements.txt, and run from the repository root)");
    }
    let timing: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("duckdb_timing.json"))?)?;
    let long_ms = timing["long_ms"].as_f64().unwrap_or(f64::NAN);
    let wide_ms = timing["wide_ms"].as_f64().unwrap_or(f64::NAN);

    // Both sides must agree on every figure (and on which are missing).
    let n_t = geo.targets.len();
    for layout in ["long", "wide"] {
        // Read as it is compared (no copy of the whole file in memory).
        let path = dir.join(format!("duckdb_{layout}.f64"));
        let expected = results.indicators.len() * periods.len() * n_t;
        let len = std::fs::metadata(&path)?.len() as usize / 8;
        if len != expected {
            bail!("DuckDB ({layout}) returned {len} figures, expected {expected}");
        }
        let mut theirs = std::io::BufReader::new(std::fs::File::open(&path)?);
        let mut next = move || -> Result<f64> {
            let mut b = [0u8; 8];
            theirs.read_exact(&mut b)?;
            Ok(f64::from_le_bytes(b))
        };
        let mut mismatches = 0usize;
        let mut first = None;
        for i in 0..results.indicators.len() {
            for (p, period) in periods.iter().enumerate() {
                let col = results.column(i, p);
                for t in 0..n_t {
                    let ours = col.value[t];
                    let other = next()?;
                    let agree = (ours.is_nan() && other.is_nan())
                        || (ours - other).abs() <= 1e-9 * ours.abs().max(other.abs()).max(1.0);
                    if !agree {
                        mismatches += 1;
                        first.get_or_insert((
                            results.indicators[i].clone(),
                            *period,
                            geo.targets[t].id.clone(),
                            ours,
                            other,
                        ));
                    }
                }
            }
        }
        if let Some((ind, p, target, ours, other)) = first {
            bail!("wijkmonitor and DuckDB ({layout}) disagree on {mismatches} figures, e.g. {ind} {p} {target}: {ours} vs {other}");
        }
        println!(
            "agreement: all {} figures equal to DuckDB ({layout} layout)",
            results.indicators.len() * periods.len() * n_t
        );
    }
    // Disclosure control last, in place (a copy of all results would double the memory).
    let t0 = Instant::now();
    wijkmonitor_engine::disclosure::apply(&mut results, &geo, &catalogue, &rules);
    let disclosure_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let peak_mb = peak_rss_mb();
    println!(
        "data: {} buurten, {} targets, {} variables, {} years ({} figures in, {} out); generated in {:.1} s",
        buurten.len(),
        n_t,
        variables.len(),
        periods.len(),
        buurten.len() * variables.len() * periods.len(),
        results.indicators.len() * periods.len() * n_t,
        generated_s
    );
    println!("wijkmonitor: compute {best_ms:.0} ms (best of 3), disclosure control {disclosure_ms:.0} ms, peak memory {peak_mb:.0} MB");
    println!(
        "duckdb {}: long layout {long_ms:.0} ms, wide layout {wide_ms:.0} ms (best of 3), peak memory {:.0} MB",
        timing["duckdb_version"].as_str().unwrap_or("?"),
        timing["peak_rss_mb"].as_f64().unwrap_or(f64::NAN)
    );
    println!(
        "ratio against the long layout: {:.3}, against the wide layout: {:.3}",
        best_ms / long_ms,
        best_ms / wide_ms
    );
    let fastest = long_ms.min(wide_ms);
    println!(
        "compute: wijkmonitor={best_ms:.0} duckdb={fastest:.0} ratio={:.3} peak_memory_mb={peak_mb:.0}",
        best_ms / fastest
    );
    Ok(())
}

/// The peak resident memory of this process (Linux), in MB.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}
