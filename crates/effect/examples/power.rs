//! The power curve of the effect analysis on simulated panels: for effects of increasing size, the share of 200
//! simulated areas (10 panels of 20) in which each estimator, and the published verdict (both estimators, with the
//! pre-trend check), declares an effect; and the coverage of the 95% intervals. The effect size is also given in
//! standard deviations of the placebo estimates (the noise an area's estimate has without any effect).
//!
//! `cargo run --release -p wijkmonitor-effect --example power` (the table in docs/effect.md comes from here).

use wijkmonitor_effect::sim::{simulate, Spec};
use wijkmonitor_effect::{analyse_all, Estimator, Params, Verdict};

fn main() {
    let params = Params::default();
    println!(
        "| effect | in placebo SDs | did detects | sdid detects | published verdict | did coverage | sdid coverage |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for effect in [0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05] {
        let (mut n, mut did, mut sdid, mut both, mut cov_did, mut cov_sdid, mut bounded_sdid) = (0, 0, 0, 0, 0, 0, 0);
        let mut placebo_sd = Vec::new();
        for panel in 0..10 {
            let sim = simulate(&Spec { effect, seed: 7000 + panel, ..Spec::default() });
            for (a, truth) in analyse_all(&sim.panel, &sim.areas, &params, "power").iter().zip(&sim.effects) {
                n += 1;
                let d = a.estimator(Estimator::Did).expect("did");
                did += usize::from(d.verdict != Verdict::NoEffect);
                cov_did += usize::from(d.lower <= *truth && *truth <= d.upper);
                // The spread of this area's estimate without an effect: the half-width of its interval / 1.96.
                placebo_sd.push((d.upper - d.lower) / 2.0 / 1.96);
                if let Some(s) = a.estimator(Estimator::Sdid) {
                    sdid += usize::from(s.verdict != Verdict::NoEffect);
                    if s.upper.is_finite() {
                        bounded_sdid += 1;
                        cov_sdid += usize::from(s.lower <= *truth && *truth <= s.upper);
                    }
                }
                both += usize::from(a.verdict != Verdict::NoEffect);
            }
        }
        placebo_sd.sort_by(f64::total_cmp);
        let sd = placebo_sd[placebo_sd.len() / 2];
        let pct = |k: usize, of: usize| format!("{:.1}%", 100.0 * k as f64 / of.max(1) as f64);
        println!(
            "| {effect:.3} | {:.1} | {} | {} | {} | {} | {} |",
            effect / sd,
            pct(did, n),
            pct(sdid, n),
            pct(both, n),
            pct(cov_did, n),
            pct(cov_sdid, bounded_sdid)
        );
    }
}
