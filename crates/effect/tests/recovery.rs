//! Recovery on simulated panels: 1,000 areas (50 panels of 20 areas) with an injected effect of known size. Both
//! estimators' 95% intervals must cover the true effect in 92-98% of the areas, their bias must stay under 10% of
//! the effect, and areas whose buurten drift away before the start must be flagged, not reported as effects.

use wijkmonitor_effect::sim::{simulate, Spec};
use wijkmonitor_effect::{analyse_all, Estimator, NoEffect, Params, Verdict};

struct Tally {
    n: usize,
    bounded: [usize; 2],
    covered: [usize; 2],
    error: [f64; 2],
    effect: f64,
    detected: [usize; 2],
    verdicts: Vec<(Verdict, Option<NoEffect>)>,
}

fn run(spec: &Spec, panels: u64) -> Tally {
    let params = Params::default();
    let mut t = Tally {
        n: 0,
        bounded: [0; 2],
        covered: [0; 2],
        error: [0.0; 2],
        effect: 0.0,
        detected: [0; 2],
        verdicts: Vec::new(),
    };
    for p in 0..panels {
        let sim = simulate(&Spec { seed: spec.seed + p, ..spec.clone() });
        let analyses = analyse_all(&sim.panel, &sim.areas, &params, "recovery");
        for (a, truth) in analyses.iter().zip(&sim.effects) {
            t.n += 1;
            t.effect += truth;
            for (i, e) in [Estimator::Did, Estimator::Sdid].into_iter().enumerate() {
                let r = a.estimator(e).expect("both estimators");
                // Synthetic difference-in-differences has no interval where the pre-trend check failed.
                if r.upper.is_finite() {
                    t.bounded[i] += 1;
                    t.covered[i] += usize::from(r.lower <= *truth && *truth <= r.upper);
                }
                t.error[i] += r.estimate - truth;
                t.detected[i] += usize::from(r.verdict != Verdict::NoEffect);
            }
            t.verdicts.push((a.verdict, a.reason));
        }
    }
    t
}

#[test]
fn intervals_cover_the_true_effect_and_bias_is_small() {
    let spec = Spec { effect: 0.05, seed: 1000, ..Spec::default() };
    let t = run(&spec, 50);
    assert_eq!(t.n, 1000);
    for (i, name) in ["did", "sdid"].iter().enumerate() {
        let coverage = t.covered[i] as f64 / t.bounded[i] as f64;
        let bias = t.error[i] / t.effect;
        eprintln!(
            "{name}: coverage {coverage:.3} of {} areas with an interval, bias {:.1}% of the effect, detected {:.3}",
            t.bounded[i],
            100.0 * bias,
            t.detected[i] as f64 / t.n as f64
        );
        assert!(t.bounded[i] >= 900, "{name}: only {} areas with an interval", t.bounded[i]);
        assert!((0.92..=0.98).contains(&coverage), "{name}: coverage {coverage}");
        assert!(bias.abs() < 0.10, "{name}: bias {bias}");
    }
}

#[test]
fn drifting_areas_are_flagged_not_reported_as_effects() {
    // No effect, but the areas' buurten pull away by 0.02 a year, before the start and after it.
    let spec = Spec { effect: 0.0, drift: 0.02, seed: 5000, ..Spec::default() };
    let t = run(&spec, 10);
    let effects = t.verdicts.iter().filter(|(v, _)| *v != Verdict::NoEffect).count();
    let flagged = t.verdicts.iter().filter(|(_, r)| *r == Some(NoEffect::PreTrends)).count();
    eprintln!("drift: {effects} of {} reported as effects, {flagged} flagged for pre-trends", t.n);
    assert!(flagged as f64 >= 0.8 * t.n as f64, "{flagged} of {} flagged", t.n);
    assert!((effects as f64) <= 0.05 * t.n as f64, "{effects} of {} reported as effects", t.n);
}
