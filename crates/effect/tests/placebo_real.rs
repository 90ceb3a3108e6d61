//! No false alarms on real data: the real Leefbaarometer scores of every buurt, 2002-2020, with a pseudo start in
//! 2014 and no programme anywhere. At least 1,000 placebo areas (runs of 5 to 30 neighbouring buurten) are analysed
//! exactly as a focus area would be; at the 5% level, 3-7% of them may be declared to have an effect.
//!
//! The file has no inhabitants for these years, so buurten are aggregated with equal weights.

use wijkmonitor_effect::rng::Rng;
use wijkmonitor_effect::{analyse_all, Estimator, Panel, Params, Treated, Verdict};

const YEARS: [i32; 7] = [2002, 2008, 2012, 2014, 2016, 2018, 2020];

fn load() -> Option<Panel> {
    Some(Panel::unweighted(&YEARS, wijkmonitor_testdata::leefbaarometer_scores(&YEARS)?))
}

#[test]
fn placebo_areas_on_real_leefbaarometer_scores_raise_few_false_alarms() {
    let Some(panel) = load() else { return };
    assert!(panel.units.len() > 13_000, "{} buurten", panel.units.len());
    let complete: Vec<usize> =
        (0..panel.units.len()).filter(|&u| panel.units[u].values.iter().all(|v| v.is_finite())).collect();
    let params = Params::default();
    let mut rng = Rng::new(2014);
    let mut areas = Vec::new();
    while areas.len() < 1000 {
        let size = 5 + rng.below(26);
        let begin = rng.below(complete.len() - size);
        let members: Vec<usize> = complete[begin..begin + size].to_vec();
        let group = panel.units[members[0]].group.clone();
        if members.iter().any(|&m| panel.units[m].group != group) {
            continue;
        }
        areas.push(Treated { id: format!("placebo-{}", areas.len()), members, series: None, group, start: 2014 });
    }
    let analyses = analyse_all(&panel, &areas, &params, "real-lbm");
    let n = analyses.len();
    let count = |f: &dyn Fn(&wijkmonitor_effect::Analysis) -> bool| analyses.iter().filter(|a| f(a)).count();
    let declared = |a: &wijkmonitor_effect::Analysis, e| a.estimator(e).is_some_and(|r| r.verdict != Verdict::NoEffect);
    let did = count(&|a| declared(a, Estimator::Did));
    let sdid = count(&|a| declared(a, Estimator::Sdid));
    let both = count(&|a| a.verdict != Verdict::NoEffect);
    let pre_trends = count(&|a| !a.pre_trend_ok);
    let rate = |k: usize| k as f64 / n as f64;
    eprintln!(
        "{n} placebo areas on real Leefbaarometer scores (pseudo start 2014): declared an effect: \
         did {:.1}%, sdid {:.1}%, both (the published verdict) {:.1}%; pre-trend check failed {:.1}%",
        100.0 * rate(did),
        100.0 * rate(sdid),
        100.0 * rate(both),
        100.0 * rate(pre_trends)
    );
    for (name, k) in [("did", did), ("sdid", sdid)] {
        assert!(
            (0.03..=0.07).contains(&rate(k)),
            "{name}: {:.1}% of placebo areas declared an effect",
            100.0 * rate(k)
        );
    }
}
