//! Writes the inputs and estimates of 40 placebo areas on the real Leefbaarometer buurt scores as JSON lines, for
//! `bench/effect_crosscheck.py` to recompute with `statsmodels` (two-way fixed effects) and `synthdid-py`:
//!
//! `cargo run --release -p wijkmonitor-effect --example crosscheck`
//!
//! Each line: the area, the years, how many are before the start, the area's series, the matched comparison
//! buurten's series (the exact matrix both estimators used) and wijkmonitor's two estimates.

use std::collections::BTreeMap;
use std::io::Write;
use wijkmonitor_effect::rng::Rng;
use wijkmonitor_effect::{analyse_all, Panel, Params, Treated};

const YEARS: [i32; 7] = [2002, 2008, 2012, 2014, 2016, 2018, 2020];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The file comes from ../shared/data (WIJKMONITOR_SHARED_DATA overrides where it is).
    let values = wijkmonitor_testdata::leefbaarometer_scores(&YEARS).ok_or("the Leefbaarometer file is not there")?;
    let panel = Panel::unweighted(&YEARS, values);
    let complete: Vec<usize> =
        (0..panel.units.len()).filter(|&u| panel.units[u].values.iter().all(|v| v.is_finite())).collect();
    let mut rng = Rng::new(99);
    let mut areas = Vec::new();
    while areas.len() < 40 {
        let size = 5 + rng.below(26);
        let begin = rng.below(complete.len() - size);
        let members: Vec<usize> = complete[begin..begin + size].to_vec();
        let group = panel.units[members[0]].group.clone();
        if members.iter().all(|&m| panel.units[m].group == group) {
            areas.push(Treated { id: format!("check-{}", areas.len()), members, series: None, group, start: 2014 });
        }
    }
    // The estimates do not depend on the placebos; a few keep this quick.
    let params = Params { placebos: 0, min_placebos: 0, ..Params::default() };
    let index: BTreeMap<&str, usize> = panel.units.iter().enumerate().map(|(i, u)| (u.code.as_str(), i)).collect();
    let out = std::io::stdout();
    let mut out = out.lock();
    for (area, a) in areas.iter().zip(analyse_all(&panel, &areas, &params, "crosscheck")) {
        let (Some(did), Some(sdid)) = (&a.did, &a.sdid) else { continue };
        let treated: Vec<f64> = (0..YEARS.len()).map(|y| panel.aggregate(&area.members, y)).collect();
        let controls: Vec<&Vec<f64>> = a.controls.iter().map(|c| &panel.units[index[c.code.as_str()]].values).collect();
        let line = format!(
            "{{\"area\":\"{}\",\"years\":{:?},\"t0\":{},\"treated\":{:?},\"controls\":{:?},\"did\":{:?},\"sdid\":{:?},\"max_iter\":{}}}",
            a.area, YEARS, a.years_before, treated, controls, did.estimate, sdid.estimate, params.sdid_iterations
        );
        writeln!(out, "{line}")?;
    }
    Ok(())
}
