//! `wijkmonitor bench effect`: times the effect analysis at the scale of the Netherlands (about 14,400 buurten in
//! 342 gemeenten, 10 years, 20 focus areas, one simulated panel per effect indicator of the catalogue), with the
//! full placebo inference of publication, and, in the same run, the reference implementations a researcher would
//! otherwise use (synthdid-py for synthetic difference-in-differences, statsmodels for the two-way fixed-effects
//! regression; `bench/effect_python.py`) on the same problem: one area against its comparison group, repeated as
//! often as one analysis estimates (the area and its placebos).

use anyhow::{Context, Result};
use std::process::Command;
use std::time::Instant;
use wijkmonitor_effect::config::Config;
use wijkmonitor_effect::sim::{simulate, Spec};
use wijkmonitor_effect::{analyse_all, Verdict};

#[derive(clap::Args)]
pub struct Args {
    /// Buurten per gemeente (342 gemeenten).
    #[arg(long, default_value_t = 42)]
    pub buurten_per_gemeente: usize,
    /// The Python interpreter with synthdid-py and statsmodels (pip install -r bench/requirements-effect.txt); the
    /// comparison is skipped, saying so, when they are missing.
    #[arg(long, default_value = "python3")]
    pub python: String,
    /// The Python side (bench/effect_python.py in the repository).
    #[arg(long, default_value = "bench/effect_python.py")]
    pub script: std::path::PathBuf,
}

pub fn run(args: &Args) -> Result<()> {
    let config = Config::builtin();
    let catalogue = wijkmonitor_model::Catalogue::builtin();
    let n_indicators = wijkmonitor_pipeline::effect::effect_indicators(&catalogue).len();
    let spec = Spec {
        municipalities: 342,
        buurten: args.buurten_per_gemeente,
        years: (2016..=2025).collect(),
        areas: 20,
        area_size: (6, 14),
        start: config.start,
        effect: 0.03,
        ..Spec::default()
    };
    let panels: Vec<_> = (0..n_indicators).map(|i| simulate(&Spec { seed: 100 + i as u64, ..spec.clone() })).collect();
    let n_buurten = panels.first().map_or(0, |p| p.panel.units.len());
    println!(
        "effect analysis: {n_buurten} buurten in {} gemeenten, {} years, {} areas x {n_indicators} effect indicators, \
         {} placebo areas per analysis, comparison groups of {}",
        spec.municipalities,
        spec.years.len(),
        spec.areas,
        config.method.placebos,
        config.method.matched
    );
    let started = Instant::now();
    let mut analyses = 0usize;
    let mut found = 0usize;
    for (i, sim) in panels.iter().enumerate() {
        let results = analyse_all(&sim.panel, &sim.areas, &config.method, &format!("bench/{i}"));
        analyses += results.len();
        found += results.iter().filter(|a| a.verdict != Verdict::NoEffect).count();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "wijkmonitor: {analyses} analyses in {secs:.2} s ({:.1} ms each, on {} threads); {found} found the injected effect",
        1000.0 * secs / analyses.max(1) as f64,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    // The reference implementations on one area's problem, as often as one analysis estimates.
    let Some(sim) = panels.first() else { return Ok(()) };
    let area = &sim.areas[0];
    let one = analyse_all(&sim.panel, std::slice::from_ref(area), &config.method, "bench/python");
    let Some(a) = one.first() else { return Ok(()) };
    let t0 = a.years_before;
    let index: std::collections::HashMap<&str, usize> =
        sim.panel.units.iter().enumerate().map(|(i, u)| (u.code.as_str(), i)).collect();
    let controls: Vec<&Vec<f64>> = a.controls.iter().map(|c| &sim.panel.units[index[c.code.as_str()]].values).collect();
    let treated: Vec<f64> = (0..sim.panel.years.len()).map(|y| sim.panel.aggregate(&area.members, y)).collect();
    let problem = serde_json::json!({
        "years": sim.panel.years, "t0": t0, "treated": treated, "controls": controls,
        "repeats": 1 + a.placebos, "max_iter": config.method.sdid_iterations,
    });
    let started = Instant::now();
    let single = analyse_all(&sim.panel, std::slice::from_ref(area), &config.method, "bench/python-timing");
    let ours = started.elapsed().as_secs_f64();
    drop(single);
    let file = std::env::temp_dir().join(format!("wijkmonitor-bench-effect-{}.json", std::process::id()));
    std::fs::write(&file, problem.to_string())?;
    let output = Command::new(&args.python).arg(&args.script).arg(&file).output();
    let _ = std::fs::remove_file(&file);
    match output {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let python: f64 = text
                .lines()
                .find_map(|l| l.strip_prefix("seconds "))
                .and_then(|s| s.trim().parse().ok())
                .context("the Python side printed no timing")?;
            println!(
                "one analysis (the area and its {} placebos): wijkmonitor {:.3} s (matching included); synthdid-py + \
                 statsmodels {:.3} s on the same area's problem repeated {} times (no matching): ratio {:.1}x",
                a.placebos,
                ours,
                python,
                1 + a.placebos,
                python / ours.max(1e-9)
            );
            println!(
                "at that rate the reference implementations would take {:.0} s for the {analyses} analyses",
                python * analyses as f64
            );
        }
        Ok(out) => println!(
            "reference implementations skipped: {} {} failed: {}",
            args.python,
            args.script.display(),
            String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("")
        ),
        Err(e) => println!("reference implementations skipped: cannot run {}: {e}", args.python),
    }
    Ok(())
}
