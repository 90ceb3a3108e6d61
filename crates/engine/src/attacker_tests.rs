//! The attacker property test of disclosure control: over the whole built-in catalogue and random small counts,
//! no published figure of any region (buurt, wijk, gemeente, area, rest of the municipality, all areas), alone or
//! combined with others by sums, differences and products with published bases or rates, gives back a
//! suppressed figure to within its rounding.
//!
//! The attacker works on *amounts*: for every count variable (inhabitants, Wmo clients, ...) and every target,
//! an interval in which the true amount must lie, and likewise the totals behind weighted means (`mean ×
//! weight`) and shares below a threshold. What is published narrows the intervals:
//! - a published count gives its amount to within half its rounding step;
//! - a published rate `s × X / Y` ties the amounts of `X` and `Y` at that target (`X = rate / s × Y`, and back);
//! - a published weighted mean ties its total to its weight (a percentage declared the share of a count ties
//!   that count to its base);
//! - every additive relation (a wijk is its buurten, a gemeente its wijken, an area its buurten, the gemeente is
//!   the area plus the rest, all areas are the areas) holds for every amount.
//!
//! Intervals are narrowed over all of these until nothing moves (constraint propagation, the way a person
//! with a spreadsheet would go about it). A suppressed figure is *recovered* when the interval of its value is
//! narrower than the resolution it would have been published with (its rounding step for a count, at least
//! 1; one unit of its last decimal for a rate or share). The attacker makes no use of the sign of an amount
//! (that counts are not negative), as the relations the engine protects are linear.

use super::*;
use crate::dataset::ABSENT;
use wijkmonitor_model::area::parse_areas_csv;
use wijkmonitor_model::catalogue::{Aggregation, Supplier, VariableKind};
use wijkmonitor_model::{Observation, Period, RegionCode, Value};

const SECRET: u8 = 4;

/// A tiny deterministic generator.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        self.below(1_000_000) as f64 / 1_000_000.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Iv {
    lo: f64,
    hi: f64,
}

impl Iv {
    const ANY: Iv = Iv { lo: f64::NEG_INFINITY, hi: f64::INFINITY };

    fn width(self) -> f64 {
        self.hi - self.lo
    }
    fn add(self, o: Iv) -> Iv {
        Iv { lo: self.lo + o.lo, hi: self.hi + o.hi }
    }
    fn sub(self, o: Iv) -> Iv {
        Iv { lo: self.lo - o.hi, hi: self.hi - o.lo }
    }
    fn scale(self, k: f64) -> Iv {
        if k >= 0.0 {
            Iv { lo: self.lo * k, hi: self.hi * k }
        } else {
            Iv { lo: self.hi * k, hi: self.lo * k }
        }
    }
    fn mul(self, o: Iv) -> Iv {
        if !self.lo.is_finite() || !self.hi.is_finite() || !o.lo.is_finite() || !o.hi.is_finite() {
            return Iv::ANY;
        }
        let c = [self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi];
        Iv {
            lo: c.iter().copied().fold(f64::INFINITY, f64::min),
            hi: c.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
    /// `self / o`, unbounded when `o` may be zero.
    fn div(self, o: Iv) -> Iv {
        if o.lo <= 0.0 && o.hi >= 0.0 {
            return Iv::ANY;
        }
        self.mul(Iv { lo: 1.0 / o.hi, hi: 1.0 / o.lo })
    }
}

/// Narrows `slot` to `with`; whether it moved noticeably.
fn narrow(slot: &mut Iv, with: Iv) -> bool {
    let mut moved = false;
    if with.lo > slot.lo + 1e-9 * (1.0 + slot.lo.abs().min(1e12)) {
        slot.lo = with.lo;
        moved = true;
    }
    if with.hi < slot.hi - 1e-9 * (1.0 + slot.hi.abs().min(1e12)) {
        slot.hi = with.hi;
        moved = true;
    }
    moved
}

/// What a published indicator says about amounts at a target.
enum Tie {
    /// `amount = value ± half`.
    Amount { q: usize, half: f64 },
    /// `amount[q] = factor × amount[base]`, where `factor` comes from the published value.
    Product { q: usize, base: usize, per: f64 },
}

struct Model {
    /// Quantity names (count variables and totals), for messages.
    quantities: Vec<String>,
    /// Per indicator of the results: how its value relates to amounts, and its resolution.
    ties: Vec<Option<(TieKind, f64)>>,
}

#[derive(Clone, Copy)]
enum TieKind {
    Sum {
        q: usize,
        round: f64,
    },
    /// value = per × amount[q] / amount[base]
    Ratio {
        q: usize,
        base: usize,
        per: f64,
    },
}

fn quantity(names: &mut Vec<String>, name: String) -> usize {
    match names.iter().position(|n| *n == name) {
        Some(i) => i,
        None => {
            names.push(name);
            names.len() - 1
        }
    }
}

fn model(catalogue: &Catalogue, rules: &DisclosureRules, results: &Results) -> Model {
    let mut quantities = Vec::new();
    let mut ties = Vec::new();
    for id in &results.indicators {
        let ind = catalogue.indicator(id).expect("computed indicators are in the catalogue");
        let rule = rules.get(&ind.disclosure);
        let resolution = 10f64.powi(-i32::from(ind.decimals));
        let tie = match &ind.aggregation {
            Aggregation::Sum { variable } => {
                let round = rule.and_then(|r| r.round_to).unwrap_or(0.0);
                Some((TieKind::Sum { q: quantity(&mut quantities, variable.clone()), round }, round.max(1.0)))
            }
            Aggregation::Ratio { numerator, denominator, scale } => Some((
                TieKind::Ratio {
                    q: quantity(&mut quantities, numerator.clone()),
                    base: quantity(&mut quantities, denominator.clone()),
                    per: *scale,
                },
                resolution,
            )),
            Aggregation::WeightedMean { variable, weight } => {
                let share_of = catalogue.variable(variable).and_then(|v| v.share_of.clone());
                let (q, per) = match share_of {
                    Some(count) => (quantity(&mut quantities, count), 100.0),
                    None => (quantity(&mut quantities, format!("total of {variable} by {weight}")), 1.0),
                };
                Some((TieKind::Ratio { q, base: quantity(&mut quantities, weight.clone()), per }, resolution))
            }
            Aggregation::ShareAtOrBelow { variable, weight, threshold, .. } => Some((
                TieKind::Ratio {
                    q: quantity(&mut quantities, format!("{weight} where {variable} <= {threshold}")),
                    base: quantity(&mut quantities, weight.clone()),
                    per: 100.0,
                },
                resolution,
            )),
            Aggregation::None { .. } => None,
        };
        ties.push(tie);
    }
    Model { quantities, ties }
}

/// The attacker's intervals for every amount (quantity × target) in one period.
fn attack(model: &Model, results: &Results, relations: &[(u32, Vec<u32>)], p: usize, n_targets: usize) -> Vec<Iv> {
    let nq = model.quantities.len();
    let mut iv = vec![Iv::ANY; nq * n_targets];
    let at = |q: usize, t: usize| q * n_targets + t;
    let mut ties = Vec::new();
    for (i, tie) in model.ties.iter().enumerate() {
        let Some((kind, _)) = tie else { continue };
        let col = results.column(i, p);
        for t in 0..n_targets {
            let Some(v) = col.number(t) else { continue };
            ties.push((
                t,
                match *kind {
                    TieKind::Sum { q, round } => Tie::Amount { q, half: round / 2.0 + 1e-9 * v.abs() },
                    TieKind::Ratio { q, base, per } => Tie::Product { q, base, per: v / per },
                },
                v,
            ));
        }
    }
    for _ in 0..500 {
        let mut moved = false;
        for (t, tie, v) in &ties {
            match *tie {
                Tie::Amount { q, half } => moved |= narrow(&mut iv[at(q, *t)], Iv { lo: v - half, hi: v + half }),
                Tie::Product { q, base, per } => {
                    let b = iv[at(base, *t)];
                    moved |= narrow(&mut iv[at(q, *t)], b.scale(per));
                    if per != 0.0 {
                        let x = iv[at(q, *t)];
                        moved |= narrow(&mut iv[at(base, *t)], x.scale(1.0 / per));
                    }
                }
            }
        }
        for q in 0..nq {
            for (parent, children) in relations {
                let parent = *parent as usize;
                let sum = children.iter().fold(Iv { lo: 0.0, hi: 0.0 }, |s, &c| s.add(iv[at(q, c as usize)]));
                moved |= narrow(&mut iv[at(q, parent)], sum);
                let total = iv[at(q, parent)];
                for &c in children {
                    let others = children
                        .iter()
                        .filter(|&&o| o != c)
                        .fold(Iv { lo: 0.0, hi: 0.0 }, |s, &o| s.add(iv[at(q, o as usize)]));
                    moved |= narrow(&mut iv[at(q, c as usize)], total.sub(others));
                }
            }
        }
        if !moved {
            break;
        }
    }
    iv
}

/// The suppressed figures the attacker recovers: `(indicator, target, interval width, resolution)`.
fn recovered(
    model: &Model,
    results: &Results,
    geo: &Geography,
    relations: &[(u32, Vec<u32>)],
    p: usize,
) -> Vec<(String, String, f64, f64)> {
    let n = geo.targets.len();
    let iv = attack(model, results, relations, p, n);
    let at = |q: usize, t: usize| q * n + t;
    let mut found = Vec::new();
    for (i, tie) in model.ties.iter().enumerate() {
        let Some((kind, resolution)) = tie else { continue };
        let col = results.column(i, p);
        for t in 0..n {
            if col.status[t] != SECRET {
                continue;
            }
            let value = match *kind {
                TieKind::Sum { q, .. } => iv[at(q, t)],
                TieKind::Ratio { q, base, per } => iv[at(q, t)].div(iv[at(base, t)]).scale(per),
            };
            if value.width() < *resolution * (1.0 - 1e-6) {
                found.push((results.indicators[i].clone(), geo.targets[t].id.clone(), value.width(), *resolution));
            }
        }
    }
    found
}

/// A random case: two municipalities of 2-4 wijken with 1-4 buurten each, every national variable of the
/// catalogue with small random figures (many counts between 0 and 7), an area in each municipality (its
/// first wijk, sometimes more, sometimes a part of a wijk).
fn case(rng: &mut Lcg, catalogue: &Catalogue) -> (Vec<Observation>, FocusAreaSet) {
    let mut obs = Vec::new();
    let mut area_rows = String::from("area_id,area_name,gemeente_code,buurt_code,classification_year\n");
    let national: Vec<&wijkmonitor_model::catalogue::Variable> = catalogue
        .variables
        .iter()
        .filter(|v| {
            catalogue
                .indicators
                .iter()
                .any(|i| i.supplied_by == Supplier::National && i.aggregation.variables().contains(&v.id.as_str()))
        })
        .collect();
    for gm in 1..=2u32 {
        let n_wijken = 2 + rng.below(3);
        let mode = rng.below(3);
        for wk in 0..n_wijken {
            let n_buurten = 1 + rng.below(4);
            for bu in 0..n_buurten {
                let code = RegionCode::parse(&format!("BU{gm:04}{wk:02}{bu:02}")).expect("valid code");
                let inhabitants = [8.0, 40.0, 90.0, 150.0, 400.0, 1200.0, 3000.0][rng.below(7) as usize];
                let mut counts: HashMap<&str, f64> = HashMap::new();
                counts.insert("inhabitants", inhabitants);
                let mut put = |variable: &str, x: f64| {
                    obs.push(Observation {
                        region: code.clone(),
                        period: Period::Year(2020),
                        variable: variable.to_string(),
                        value: Value::final_(x),
                    })
                };
                for v in national.iter().filter(|v| v.kind.is_additive()) {
                    let x = match v.id.as_str() {
                        "inhabitants" => inhabitants,
                        "households" | "dwellings" | "income_recipients" => (inhabitants / 2.0).round(),
                        "area_land_ha" => 1.0 + rng.below(200) as f64,
                        id if id.starts_with("age_") => (inhabitants * (0.1 + 0.2 * rng.unit())).round(),
                        // Small counts: half of them in the range that is secret for care counts.
                        _ if rng.below(2) == 0 => rng.below(8) as f64,
                        _ => rng.below(1 + (inhabitants / 10.0) as u64) as f64,
                    };
                    counts.insert(v.id.as_str(), x);
                    put(&v.id, x);
                }
                for v in national.iter().filter(|v| !v.kind.is_additive()) {
                    let x = match (&v.share_of, v.kind) {
                        // The share is what it says it is: of the count, over the base the catalogue weights it by.
                        (Some(count), _) => {
                            let weight = catalogue
                                .indicators
                                .iter()
                                .find_map(|i| match &i.aggregation {
                                    Aggregation::WeightedMean { variable, weight } if variable == &v.id => {
                                        Some(weight.as_str())
                                    }
                                    _ => None,
                                })
                                .expect("a share is weighted");
                            let base = counts.get(weight).copied().unwrap_or(0.0);
                            if base > 0.0 {
                                100.0 * counts.get(count.as_str()).copied().unwrap_or(0.0).min(base) / base
                            } else {
                                0.0
                            }
                        }
                        (None, VariableKind::Percentage) => (rng.unit() * 1000.0).round() / 10.0,
                        (None, VariableKind::Score) if v.id == "lbm_score" => 3.5 + rng.unit(),
                        (None, VariableKind::Score) => rng.unit() - 0.5,
                        (None, _) => (rng.unit() * 500.0).round() / 10.0,
                    };
                    put(&v.id, x);
                }
                let in_area = wk == 0 || (mode == 1 && wk == 1) || (mode == 2 && wk == 1 && bu == 0);
                if in_area {
                    area_rows.push_str(&format!("area-{gm},Area {gm},GM{gm:04},{code},2020\n"));
                }
            }
        }
    }
    (obs, parse_areas_csv(&area_rows, "test", false).expect("valid areas"))
}

#[test]
fn no_suppressed_figure_is_recovered_from_any_combination_of_published_figures() {
    let catalogue = Catalogue::builtin();
    let rules = DisclosureRules::builtin();
    let mut rng = Lcg(2026);
    let mut checked = 0;
    let mut secret = 0;
    for case_no in 0..200 {
        let (obs, areas) = case(&mut rng, &catalogue);
        let ds = Dataset::from_observations(obs.iter().map(|o| (o, 1)));
        let run = run(&ds, &catalogue, &rules, &areas, &Crosswalk::default(), &HashMap::new(), &Params::builtin());
        let model = model(&catalogue, &rules, &run.results);
        let relations = disclosure::relations(&run.geography, 0);
        for col in &run.results.columns {
            secret += col.status.iter().filter(|&&s| s == SECRET).count();
            checked += col.status.iter().filter(|&&s| s != ABSENT).count();
        }
        let found = recovered(&model, &run.results, &run.geography, &relations, 0);
        assert!(
            found.is_empty(),
            "case {case_no}: {} suppressed figure(s) recovered, e.g. {:?} (indicator, target, width of the \
             attacker's interval, resolution)",
            found.len(),
            &found[..found.len().min(5)]
        );
    }
    // The cases must exercise suppression, or the test could not fail.
    assert!(secret > 1000, "only {secret} secret figures among {checked}");
}

/// The attacker is strong enough to find the leak this test guards against: without the catalogue's links,
/// a secret Wmo count comes back from the published rate and inhabitants.
#[test]
fn the_attacker_finds_a_count_given_away_by_its_rate() {
    let catalogue = Catalogue::builtin();
    let rules = DisclosureRules::builtin();
    let mut unlinked = catalogue.clone();
    unlinked.links.clear();
    let mut rng = Lcg(7);
    let mut leaks = Vec::new();
    for _ in 0..20 {
        let (obs, areas) = case(&mut rng, &catalogue);
        let ds = Dataset::from_observations(obs.iter().map(|o| (o, 1)));
        let run = run(&ds, &unlinked, &rules, &areas, &Crosswalk::default(), &HashMap::new(), &Params::builtin());
        let model = model(&catalogue, &rules, &run.results);
        let relations = disclosure::relations(&run.geography, 0);
        leaks.extend(recovered(&model, &run.results, &run.geography, &relations, 0));
    }
    assert!(leaks.iter().any(|(i, ..)| i == "wmo_clients"), "{leaks:?}");
    assert!(leaks.iter().any(|(i, ..)| i == "youth_care"), "{leaks:?}");
}
