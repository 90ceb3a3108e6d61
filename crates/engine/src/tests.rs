//! Golden tests of the engine with hand-computed aggregates, and a property test that tries to recover
//! suppressed figures by differencing.

use super::*;
use crate::compare::{compare, GapTrend};
use crate::dataset::status_of;
use crate::geography::ALL_AREAS_ID;
use wijkmonitor_model::area::parse_areas_csv;
use wijkmonitor_model::catalogue::Direction;
use wijkmonitor_model::{Observation, Period, RegionCode, Status, Value};

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// Observations from `(region, year, variable, value)`; `None` is a secret figure.
fn observations(rows: &[(&str, i32, &str, Option<f64>)]) -> Vec<Observation> {
    rows.iter()
        .map(|&(r, y, v, x)| Observation {
            region: code(r),
            period: Period::Year(y),
            variable: v.to_string(),
            value: x.map_or(Value::absent(Status::Secret), Value::final_),
        })
        .collect()
}

fn areas(csv: &str) -> FocusAreaSet {
    parse_areas_csv(&format!("area_id,area_name,gemeente_code,buurt_code,classification_year\n{csv}"), "test", false)
        .unwrap()
}

struct Fixture {
    run: Run,
    ds: Dataset,
}

impl Fixture {
    fn new(rows: &[(&str, i32, &str, Option<f64>)], areas_csv: &str, crosswalk: &Crosswalk) -> Fixture {
        let obs = observations(rows);
        let ds = Dataset::from_observations(obs.iter().map(|o| (o, 1)));
        let run = run(
            &ds,
            &Catalogue::builtin(),
            &DisclosureRules::builtin(),
            &areas(areas_csv),
            crosswalk,
            &HashMap::new(),
            &Params::builtin(),
        );
        Fixture { run, ds }
    }

    fn get(&self, target: &str, year: i32, indicator: &str) -> (Option<f64>, Status, Reason, f32) {
        let r = &self.run.results;
        let i = r.indicator_index(indicator).unwrap_or_else(|| panic!("indicator {indicator} not computed"));
        let p = r.period_index(Period::Year(year)).unwrap();
        let t = self.run.geography.target(target).unwrap_or_else(|| panic!("no target {target}"));
        let c = r.column(i, p);
        (c.number(t), status_of(c.status[t]), Reason::from_code(c.reason[t]), c.coverage[t])
    }
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

/// Gemeente GM0001 with four buurten in two wijken; the area holds BU00010001 and BU00010002.
fn base_rows() -> Vec<(&'static str, i32, &'static str, Option<f64>)> {
    let mut rows = vec![];
    for (bu, inh, hh, low, crimes) in [
        ("BU00010001", 1000.0, 500.0, 20.0, 50.0),
        ("BU00010002", 3000.0, 1500.0, 10.0, 90.0),
        ("BU00010101", 2000.0, 800.0, 5.0, 30.0),
        ("BU00010102", 4000.0, 1600.0, 4.0, 40.0),
    ] {
        rows.push((bu, 2018, "inhabitants", Some(inh)));
        rows.push((bu, 2018, "households", Some(hh)));
        rows.push((bu, 2018, "households_low_income_pct", Some(low)));
        rows.push((bu, 2018, "crimes_total", Some(crimes)));
    }
    rows.push(("GM0001", 2018, "inhabitants", Some(10000.0)));
    rows.push(("GM0001", 2018, "households", Some(4400.0)));
    rows.push(("GM0001", 2018, "households_low_income_pct", Some(8.0)));
    rows.push(("GM0001", 2018, "crimes_total", Some(210.0)));
    rows
}

const AREA: &str = "a,Area A,GM0001,BU00010001,2018\na,Area A,GM0001,BU00010002,2018\n";

#[test]
fn sums_ratios_and_weighted_means_by_hand() {
    let f = Fixture::new(&base_rows(), AREA, &Crosswalk::default());
    // Sum of inhabitants (rounded to 5 by the person-count rule; already multiples of 5).
    assert_eq!(f.get("a", 2018, "inhabitants").0, Some(4000.0));
    assert_eq!(f.get("rest:a", 2018, "inhabitants").0, Some(6000.0));
    // Crimes per 1,000: 1000 * (50 + 90) / (1000 + 3000) = 35.
    assert!(close(f.get("a", 2018, "crimes_per_1000").0, 35.0));
    // Low income, weighted by households: (20*500 + 10*1500) / 2000 = 12.5.
    assert!(close(f.get("a", 2018, "households_low_income").0, 12.5));
    // The rest: (5*800 + 4*1600) / 2400 = 4.333...
    assert!(close(f.get("rest:a", 2018, "households_low_income").0, 10400.0 / 2400.0));
    // The municipality keeps its own published figure, not an aggregate.
    assert!(close(f.get("GM0001", 2018, "households_low_income").0, 8.0));
    // A wijk without its own figure is aggregated from its buurten: (5*800 + 4*1600) / 2400.
    assert!(close(f.get("WK000101", 2018, "households_low_income").0, 10400.0 / 2400.0));
    // All areas together equal the one area.
    assert!(close(f.get("focusgebieden", 2018, "crimes_per_1000").0, 35.0));
}

#[test]
fn missing_inputs_propagate_with_a_reason() {
    let mut rows = base_rows();
    // The smallest area buurt's income share is secret at the source; its crimes unknown (absent).
    rows.retain(|r| !(r.0 == "BU00010001" && (r.2 == "households_low_income_pct" || r.2 == "crimes_total")));
    rows.push(("BU00010001", 2018, "households_low_income_pct", None));
    let f = Fixture::new(&rows, AREA, &Crosswalk::default());
    // Weighted mean over the covered buurt only; coverage = 3000 / 4000 inhabitants = 75% < 90% minimum.
    let (v, s, reason, coverage) = f.get("a", 2018, "households_low_income");
    assert_eq!((v, s, reason), (None, Status::Missing, Reason::LowCoverage));
    assert!((coverage - 0.75).abs() < 1e-6);
    // A sum with a buurt lacking its figure is missing, never a partial sum.
    let (v, s, reason, _) = f.get("a", 2018, "crimes_per_1000");
    assert_eq!((v, s), (None, Status::Missing), "{reason:?}");
    // The secret buurt stays secret.
    assert_eq!(f.get("BU00010001", 2018, "households_low_income").1, Status::Secret);
}

#[test]
fn small_aggregates_are_suppressed_and_complemented() {
    let mut rows = base_rows();
    // Make the area tiny: 60 households in total.
    for r in rows.iter_mut() {
        if r.2 == "households" && (r.0 == "BU00010001" || r.0 == "BU00010002") {
            r.3 = Some(30.0);
        }
    }
    let f = Fixture::new(&rows, AREA, &Crosswalk::default());
    let (v, s, reason, _) = f.get("a", 2018, "households_low_income");
    assert_eq!((v, s, reason), (None, Status::Secret, Reason::BaseBelowThreshold));
    // Knowing the municipality and the rest would reveal the area: one of them must be suppressed too.
    let rest = f.get("rest:a", 2018, "households_low_income");
    let gm = f.get("GM0001", 2018, "households_low_income");
    assert!(rest.0.is_none() || gm.0.is_none(), "rest {rest:?} and gemeente {gm:?} both published");
    assert!(rest.2 == Reason::Complementary || gm.2 == Reason::Complementary);
}

#[test]
fn leefbaarometer_share_of_dwellings_weak_or_lower() {
    let rows = vec![
        ("BU00010001", 2020, "lbm_score", Some(3.80)),
        ("BU00010002", 2020, "lbm_score", Some(4.20)),
        ("BU00010001", 2020, "dwellings", Some(300.0)),
        ("BU00010002", 2020, "dwellings", Some(100.0)),
        ("BU00010001", 2020, "inhabitants", Some(600.0)),
        ("BU00010002", 2020, "inhabitants", Some(200.0)),
    ];
    let f = Fixture::new(&rows, AREA, &Crosswalk::default());
    // 300 of 400 dwellings lie in a buurt at or below the "weak" boundary.
    assert!(close(f.get("a", 2020, "dwellings_lbm_weak_or_lower").0, 75.0));
    // The score weighted by inhabitants: (3.8*600 + 4.2*200) / 800 = 3.9.
    assert!(close(f.get("a", 2020, "lbm_score").0, 3.9));
}

#[test]
fn areas_are_followed_across_boundary_changes() {
    // The area is defined on 2018 codes. In 2020, BU00010002 was split into BU00010003 and BU00010004:
    // 60% of BU00010003's population and all of BU00010004's lie in the old buurt.
    let rows = vec![
        ("BU00010001", 2018, "inhabitants", Some(1000.0)),
        ("BU00010002", 2018, "inhabitants", Some(3000.0)),
        ("BU00010001", 2020, "inhabitants", Some(1000.0)),
        ("BU00010003", 2020, "inhabitants", Some(2000.0)),
        ("BU00010004", 2020, "inhabitants", Some(1500.0)),
    ];
    let crosswalk = Crosswalk::parse(
        "from_year,from_code,to_year,to_code,share\n2020,BU00010003,2018,BU00010002,0.6\n2020,BU00010004,2018,BU00010002,1\n",
        "cw.csv",
    )
    .unwrap();
    let f = Fixture::new(&rows, AREA, &crosswalk);
    // 1000 + 0.6*2000 + 1500 = 3700.
    assert_eq!(f.get("a", 2020, "inhabitants").0, Some(3700.0));
    assert!(f.run.geography.unmatched.is_empty());
    // Without the crosswalk the split buurt is reported as unmatched, with its population share.
    let f = Fixture::new(&rows, AREA, &Crosswalk::default());
    let unmatched = &f.run.geography.unmatched;
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].buurten, vec![code("BU00010002")]);
    assert!((unmatched[0].population_share.unwrap() - 0.75).abs() < 1e-9);
    let err =
        Crosswalk::parse("from_year,from_code,to_year,to_code,share\n2020,BU00010003,2018,BU00010002,1.5\n", "cw.csv");
    assert_eq!(err.unwrap_err().to_string(), "cw.csv:2:5: '1.5' is not a share between 0 and 1");
}

#[test]
fn comparisons_follow_the_direction() {
    let mut rows = base_rows();
    for (bu, low) in [("BU00010001", 16.0), ("BU00010002", 8.0), ("BU00010101", 5.0), ("BU00010102", 4.0)] {
        rows.push((bu, 2024, "households_low_income_pct", Some(low)));
        for var in ["inhabitants", "households"] {
            let v = rows.iter().find(|r| r.0 == bu && r.2 == var && r.1 == 2018).unwrap().3;
            rows.push((bu, 2024, var, v));
        }
    }
    rows.push(("NL00", 2018, "households_low_income_pct", Some(8.0)));
    rows.push(("NL00", 2018, "households", Some(8_000_000.0)));
    rows.push(("NL00", 2024, "households_low_income_pct", Some(7.0)));
    rows.push(("NL00", 2024, "households", Some(8_000_000.0)));
    let f = Fixture::new(&rows, AREA, &Crosswalk::default());
    let r = &f.run.results;
    let i = r.indicator_index("households_low_income").unwrap();
    let catalogue = Catalogue::builtin();
    let unc = crate::uncertainty::Uncertainty::new(&f.ds, &catalogue, &f.run.geography, r);
    let ind = catalogue.indicator("households_low_income").unwrap();
    let test = |from: usize, to: usize| unc.change(ind, i, "a", from, to);
    let c = compare(r, &f.run.geography, i, Direction::LowerIsBetter, "a", Period::Year(2024), 2018, 0.05, &test)
        .expect("the area has a figure");
    // 2024: (16*500 + 8*1500) / 2000 = 10 (the figure the comparison is of); 2018: 12.5.
    assert!(close(f.get("a", 2024, "households_low_income").0, 10.0));
    assert!(close(c.base_value, 12.5));
    assert!(close(c.change_since_base, -2.5));
    assert!(close(c.index_since_base, 80.0));
    assert!(close(c.gap_to_netherlands, 3.0));
    assert!(close(c.gap_to_netherlands_base, 4.5));
    // The gap narrowed by 1.5 points, within the interval of the area's change (half-width 1.957 below): not
    // demonstrably.
    assert_eq!(c.gap_trend, Some(GapTrend::Unchanged));
    // 12.5% to 10% of 2,000 households: binomial half-width 1.96 * sqrt(1e4 (0.125 0.875 + 0.1 0.9) / 2000) = 1.957,
    // so the fall of 2.5 points is demonstrable: an improvement.
    assert_eq!(c.change_model.as_deref(), Some("binomial"));
    let half = 1.959_963_984_540_054 * ((1e4 * (0.125 * 0.875 + 0.1 * 0.9)) / 2000.0_f64).sqrt();
    assert!(close(c.change_since_base_lower, -2.5 - half));
    assert_eq!(c.improved_since_base, Some(true));
    // A change whose interval includes zero is not called anything.
    let unsure = |_: usize, _: usize| {
        Some(crate::uncertainty::ChangeTest {
            change: -2.5,
            lower: -8.7,
            upper: 3.7,
            significant: false,
            model: crate::uncertainty::Model::Binomial,
        })
    };
    let c1 = compare(r, &f.run.geography, i, Direction::LowerIsBetter, "a", Period::Year(2024), 2018, 0.05, &unsure)
        .unwrap();
    assert_eq!(c1.improved_since_base, None);
    let sure = |_: usize, _: usize| {
        Some(crate::uncertainty::ChangeTest {
            change: -2.5,
            lower: -3.1,
            upper: -1.9,
            significant: true,
            model: crate::uncertainty::Model::Binomial,
        })
    };
    let c2 =
        compare(r, &f.run.geography, i, Direction::LowerIsBetter, "a", Period::Year(2024), 2018, 0.05, &sure).unwrap();
    assert_eq!(c2.improved_since_base, Some(true));
    assert_eq!(c2.gap_trend, Some(GapTrend::Closing), "beyond a narrow interval the gap closes demonstrably");
    let c3 =
        compare(r, &f.run.geography, i, Direction::HigherIsBetter, "a", Period::Year(2024), 2018, 0.05, &sure).unwrap();
    assert_eq!(c3.improved_since_base, Some(false));
    assert_eq!(c.rank, Some(1));
    assert!(c.rest_of_municipality.is_some());
}

/// A tiny deterministic generator for the property test.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn suppressed_figures_cannot_be_recovered_by_differencing() {
    let mut rng = Lcg(42);
    for case in 0..60 {
        // Two municipalities, each with 2-4 wijken of 1-4 buurten; sizes from tiny to large.
        let mut rows = Vec::new();
        let mut area_rows = String::new();
        for gm in 1..=2u32 {
            let n_wijken = 2 + rng.next() % 3;
            for wk in 0..n_wijken {
                let n_buurten = 1 + rng.next() % 4;
                for bu in 0..n_buurten {
                    let code: &'static str = Box::leak(format!("BU{gm:04}{wk:02}{bu:02}").into_boxed_str());
                    let hh = [20.0, 60.0, 90.0, 150.0, 400.0, 1200.0][(rng.next() % 6) as usize];
                    rows.push((code, 2020, "households", Some(hh)));
                    rows.push((code, 2020, "inhabitants", Some(hh * 2.0)));
                    let low = if hh < 100.0 { None } else { Some((rng.next() % 300) as f64 / 10.0) };
                    rows.push((code, 2020, "households_low_income_pct", low));
                    if wk == 0 || (wk == 1 && case % 2 == 0) {
                        area_rows.push_str(&format!("area-{gm},Area {gm},GM{gm:04},{code},2020\n"));
                    }
                }
            }
        }
        let f = Fixture::new(&rows, &area_rows, &Crosswalk::default());
        let r = &f.run.results;
        for indicator in ["households_low_income", "inhabitants"] {
            let i = r.indicator_index(indicator).unwrap();
            let col = r.column(i, 0);
            let relations = disclosure::relations(&f.run.geography, 0);
            assert_eq!(
                disclosure::first_leak(&col.value, &col.status, &relations),
                None,
                "case {case}: a secret {indicator} figure can be recovered by differencing"
            );
            // And the attacker really tries: recover everything recoverable and check no secret is among it.
            let mut known: Vec<bool> = col.value.iter().map(|v| !v.is_nan()).collect();
            let mut changed = true;
            while changed {
                changed = false;
                for (parent, children) in &relations {
                    let unknown: Vec<u32> =
                        std::iter::once(parent).chain(children).copied().filter(|&c| !known[c as usize]).collect();
                    if unknown.len() == 1 {
                        assert_ne!(status_of(col.status[unknown[0] as usize]), Status::Secret, "case {case}");
                        known[unknown[0] as usize] = true;
                        changed = true;
                    }
                }
            }
        }
    }
}

#[test]
fn weights_come_from_the_nearest_year_when_a_year_has_none() {
    // Scores for 2018, inhabitants only for 2020.
    let rows = vec![
        ("BU00010001", 2018, "lbm_score", Some(3.80)),
        ("BU00010002", 2018, "lbm_score", Some(4.20)),
        ("BU00010001", 2020, "inhabitants", Some(600.0)),
        ("BU00010002", 2020, "inhabitants", Some(200.0)),
    ];
    let f = Fixture::new(&rows, AREA, &Crosswalk::default());
    let (v, s, reason, _) = f.get("a", 2018, "lbm_score");
    assert!(close(v, 3.9), "{v:?}");
    assert_eq!((s, reason), (Status::Final, Reason::NearestYearWeights));
}

#[test]
fn coverage_in_a_year_without_inhabitants_is_measured_in_the_nearest_years_inhabitants() {
    // A 2018 edition scores the two inhabited buurten but not the industrial one (3 inhabitants in 2020).
    // Counting buurten would give coverage 2/3 and no figure; in inhabitants it is 800 of 803.
    let rows = vec![
        ("BU00010001", 2018, "lbm_score", Some(3.80)),
        ("BU00010002", 2018, "lbm_score", Some(4.20)),
        ("BU00010003", 2018, "lbm_deviation", Some(0.0)),
        ("BU00010001", 2020, "inhabitants", Some(600.0)),
        ("BU00010002", 2020, "inhabitants", Some(200.0)),
        ("BU00010003", 2020, "inhabitants", Some(3.0)),
    ];
    let areas = "a,A,GM0001,BU00010001,2020\na,A,GM0001,BU00010002,2020\na,A,GM0001,BU00010003,2020\n";
    let f = Fixture::new(&rows, areas, &Crosswalk::default());
    let (v, s, _, coverage) = f.get("a", 2018, "lbm_score");
    assert!(close(v, 3.9), "{v:?}");
    assert_eq!(s, Status::Final);
    let expected = 800.0 / 803.0;
    assert!((f64::from(coverage) - expected).abs() < 1e-6, "{coverage} vs {expected}");
    // Without the fallback the count of buurten would have ruled: below the minimum coverage.
    assert!(2.0 / 3.0 < Params::builtin().min_coverage);
}

#[test]
fn wijken_stand_in_for_their_buurten_in_a_year_published_per_wijk_only() {
    // 2024: buurten (and wijken) with inhabitants. 2022: Leefbaarometer scores per wijk only.
    let mut rows = vec![
        ("BU00010001", 2024, "inhabitants", Some(200.0)),
        ("BU00010002", 2024, "inhabitants", Some(100.0)),
        ("BU00010101", 2024, "inhabitants", Some(100.0)),
        ("BU00010201", 2024, "inhabitants", Some(500.0)),
        ("WK000100", 2024, "inhabitants", Some(300.0)),
        ("WK000101", 2024, "inhabitants", Some(100.0)),
        ("WK000102", 2024, "inhabitants", Some(500.0)),
        ("NL00", 2024, "inhabitants", Some(900.0)),
        ("WK000100", 2022, "lbm_score", Some(4.0)),
        ("WK000101", 2022, "lbm_score", Some(3.0)),
        ("WK000102", 2022, "lbm_score", Some(5.0)),
    ];
    let whole = "a,A,GM0001,BU00010001,2024\na,A,GM0001,BU00010002,2024\na,A,GM0001,BU00010101,2024\n";
    let f = Fixture::new(&rows, whole, &Crosswalk::default());
    assert!(close(f.get("a", 2022, "lbm_score").0, (4.0 * 300.0 + 3.0 * 100.0) / 400.0));
    assert!(close(f.get("rest:a", 2022, "lbm_score").0, 5.0));
    assert!(close(f.get("GM0001", 2022, "lbm_score").0, (1200.0 + 300.0 + 2500.0) / 900.0));
    assert!(close(f.get("NL00", 2022, "lbm_score").0, (1200.0 + 300.0 + 2500.0) / 900.0));
    assert!(f.run.geography.unmatched.iter().all(|u| f.run.results.periods[u.period_index] != Period::Year(2022)));
    // 2020: one buurt of a whole wijk renumbered away; the wijk's own figure stands in for both of its buurten,
    // the other wijk keeps its buurt.
    let mut renumbered = rows.clone();
    renumbered.extend([
        ("BU00010001", 2020, "lbm_score", Some(9.0)),
        ("BU00010101", 2020, "lbm_score", Some(3.2)),
        ("WK000100", 2020, "lbm_score", Some(4.0)),
    ]);
    let f = Fixture::new(&renumbered, whole, &Crosswalk::default());
    let (v, _, _, coverage) = f.get("a", 2020, "lbm_score");
    assert!(close(v, (4.0 * 300.0 + 3.2 * 100.0) / 400.0), "{v:?}");
    assert_eq!(coverage, 1.0);
    assert_eq!(f.get("rest:a", 2020, "lbm_score").2, Reason::NoData, "buurten and wijken mixed: no rest");
    // Half of a wijk is not the wijk: that part stays unmatched, and the rest cannot be told apart.
    let half = "a,A,GM0001,BU00010001,2024\na,A,GM0001,BU00010101,2024\n";
    let f = Fixture::new(&rows, half, &Crosswalk::default());
    assert_eq!(f.get("a", 2022, "lbm_score").2, Reason::LowCoverage);
    assert_eq!(f.get("rest:a", 2022, "lbm_score").2, Reason::NoData);
    let p2022 = f.run.results.period_index(Period::Year(2022)).unwrap();
    let u = f.run.geography.unmatched.iter().find(|u| u.period_index == p2022).unwrap();
    assert_eq!(u.buurten, vec![code("BU00010001")]);
    // All areas together miss the same part.
    assert_eq!(f.get(ALL_AREAS_ID, 2022, "lbm_score").2, Reason::LowCoverage);
    // Where a year has buurten, the buurten are used and the wijk is not counted twice.
    rows.extend([
        ("BU00010001", 2022, "lbm_score", Some(4.5)),
        ("BU00010002", 2022, "lbm_score", Some(3.0)),
        ("BU00010101", 2022, "lbm_score", Some(3.0)),
        ("BU00010201", 2022, "lbm_score", Some(5.0)),
    ]);
    let f = Fixture::new(&rows, whole, &Crosswalk::default());
    assert!(close(f.get("a", 2022, "lbm_score").0, (4.5 * 200.0 + 3.0 * 100.0 + 3.0 * 100.0) / 400.0));
}

#[test]
fn an_aggregate_of_part_of_a_region_is_not_taken_for_the_whole() {
    // The Netherlands has its own number of inhabitants but no score of its own; the buurten with scores hold
    // only a fraction of its inhabitants, so the national share is missing rather than that of a few buurten.
    let rows = vec![
        ("NL00", 2020, "inhabitants", Some(17_000_000.0)),
        ("BU00010001", 2020, "lbm_score", Some(3.80)),
        ("BU00010002", 2020, "lbm_score", Some(4.20)),
        ("BU00010001", 2020, "dwellings", Some(300.0)),
        ("BU00010002", 2020, "dwellings", Some(100.0)),
        ("BU00010001", 2020, "inhabitants", Some(600.0)),
        ("BU00010002", 2020, "inhabitants", Some(200.0)),
    ];
    let f = Fixture::new(&rows, AREA, &Crosswalk::default());
    let (v, s, reason, coverage) = f.get("NL00", 2020, "dwellings_lbm_weak_or_lower");
    assert_eq!((v, s, reason), (None, Status::Missing, Reason::LowCoverage));
    assert!(coverage < 0.001);
    // The area itself is complete.
    assert!(close(f.get("a", 2020, "dwellings_lbm_weak_or_lower").0, 75.0));
}

// ---------------------------------------------------------------------------------------------------------
// Figures supplied per focus area (the yearly request, the programme register).

/// `(area, year, variable, value, import id)`; `None` is a figure the area withheld (secret).
type AreaRow<'a> = (&'a str, i32, &'a str, Option<f64>, i64);

fn area_inputs(rows: &[AreaRow<'_>]) -> Vec<AreaInput> {
    rows.iter()
        .map(|&(area, year, variable, x, import_id)| AreaInput {
            area: area.to_string(),
            period: Period::Year(year),
            variable: variable.to_string(),
            value: x.map_or(Value::absent(Status::Secret), Value::final_),
            import_id,
        })
        .collect()
}

/// Two areas in GM0001: `a` (BU00010001, BU00010002) and `b` (BU00010101).
const TWO_AREAS: &str =
    "a,Area A,GM0001,BU00010001,2018\na,Area A,GM0001,BU00010002,2018\nb,Area B,GM0001,BU00010101,2018\n";

fn run_with_areas(
    rows: &[(&str, i32, &str, Option<f64>)],
    areas_csv: &str,
    inputs: &[AreaRow<'_>],
    catalogue: &Catalogue,
    rules: &DisclosureRules,
    params: &Params,
) -> Fixture {
    let obs = observations(rows);
    let ds = Dataset::from_observations(obs.iter().map(|o| (o, 1))).with_area_inputs(&area_inputs(inputs));
    let run = run(&ds, catalogue, rules, &areas(areas_csv), &Crosswalk::default(), &HashMap::new(), params);
    Fixture { run, ds }
}

impl Fixture {
    /// Whether a target has no figure at all (nothing is stored for it).
    fn absent(&self, target: &str, year: i32, indicator: &str) -> bool {
        let r = &self.run.results;
        let i = r.indicator_index(indicator).unwrap();
        let p = r.period_index(Period::Year(year)).unwrap();
        let t = self.run.geography.target(target).unwrap_or_else(|| panic!("no target {target}"));
        r.column(i, p).status[t] == crate::dataset::ABSENT
    }

    fn sources(&self, year: i32, indicator: &str) -> Vec<i64> {
        let r = &self.run.results;
        let i = r.indicator_index(indicator).unwrap();
        let p = r.period_index(Period::Year(year)).unwrap();
        r.sources[i * r.periods.len() + p].iter().copied().collect()
    }
}

#[test]
fn area_figures_reach_their_area_and_the_total_only() {
    let inputs = [
        ("a", 2018, "vhf_restructuring_started", Some(120.0), 50),
        ("b", 2018, "vhf_restructuring_started", Some(30.0), 51),
        // A register year without any buurt figures is computed too.
        ("a", 2026, "vhf_restructuring_started", Some(10.0), 52),
        ("a", 2018, "alliance_say_over_funds", Some(4.0), 60),
        ("b", 2018, "alliance_say_over_funds", Some(2.0), 61),
        // An area outside the delineation is not a target and not a source.
        ("elsewhere", 2018, "vhf_restructuring_started", Some(99.0), 70),
    ];
    let f = run_with_areas(
        &base_rows(),
        TWO_AREAS,
        &inputs,
        &Catalogue::builtin(),
        &DisclosureRules::builtin(),
        &Params::builtin(),
    );
    assert_eq!(f.get("a", 2018, "vhf_restructuring_started"), (Some(120.0), Status::Final, Reason::None, 1.0));
    assert_eq!(f.get("b", 2018, "vhf_restructuring_started").0, Some(30.0));
    assert_eq!(
        f.get("focusgebieden", 2018, "vhf_restructuring_started"),
        (Some(150.0), Status::Final, Reason::None, 1.0)
    );
    // Nothing for the buurten, the wijk, the gemeente, the rest of the municipality.
    for target in ["BU00010001", "WK000100", "GM0001", "rest:a", "rest:b"] {
        assert!(f.absent(target, 2018, "vhf_restructuring_started"), "{target} got a register figure");
    }
    assert_eq!(f.get("a", 2026, "vhf_restructuring_started").0, Some(10.0));
    // Only one of two areas reported in 2026: 50% < the minimum coverage of 90%.
    assert_eq!(
        f.get("focusgebieden", 2026, "vhf_restructuring_started"),
        (None, Status::Missing, Reason::LowCoverage, 0.5)
    );
    // The provenance is the imports of the areas' figures, nothing else.
    assert_eq!(f.sources(2018, "vhf_restructuring_started"), vec![50, 51]);
    assert_eq!(f.sources(2026, "vhf_restructuring_started"), vec![52]);
    // Ratings are shown per area and never added up.
    assert_eq!(f.get("a", 2018, "alliance_say_over_funds").0, Some(4.0));
    let all = f.get("focusgebieden", 2018, "alliance_say_over_funds");
    assert_eq!((all.0, all.2), (None, Reason::NotAggregable));
    assert!(f.absent("focusgebieden", 2018, "alliance_say_over_funds"));
    // The buurt indicators are untouched: the area's inhabitants are still the sum of its buurten.
    assert_eq!(f.get("a", 2018, "inhabitants").0, Some(4000.0));
    assert!(f.run.results.indicator_index("entry_level_jobs").is_none(), "no inputs, no indicator");
}

#[test]
fn area_figures_without_a_number_keep_their_status_and_are_never_zero() {
    let inputs = [
        ("a", 2018, "entry_level_jobs", None, 1),
        ("b", 2018, "entry_level_jobs", Some(12.0), 2),
        ("a", 2019, "entry_level_jobs", None, 3),
    ];
    let catalogue = Catalogue::builtin();
    let rules = DisclosureRules::builtin();
    let f = run_with_areas(&base_rows(), TWO_AREAS, &inputs, &catalogue, &rules, &Params::builtin());
    assert_eq!(f.get("a", 2018, "entry_level_jobs"), (None, Status::Secret, Reason::SourceStatus, 0.0));
    assert_eq!(f.get("b", 2018, "entry_level_jobs").0, Some(12.0));
    // The total would be b's figure alone: too few areas, so no figure, and certainly not 12.
    assert_eq!(f.get("focusgebieden", 2018, "entry_level_jobs"), (None, Status::Missing, Reason::LowCoverage, 0.5));
    // With no number anywhere the total is missing, whatever the minimum coverage.
    let lenient = Params::parse("base_year = 2018\nmin_coverage = 0.0\n").unwrap();
    let f = run_with_areas(&base_rows(), TWO_AREAS, &inputs, &catalogue, &rules, &lenient);
    let (v, s, _, coverage) = f.get("focusgebieden", 2019, "entry_level_jobs");
    assert_eq!((v, s, coverage), (None, Status::Missing, 0.0));
    // With a lenient minimum the partial total is published and says it is partial.
    assert_eq!(
        f.get("focusgebieden", 2018, "entry_level_jobs"),
        (Some(12.0), Status::Final, Reason::PartialCoverage, 0.5)
    );
}

/// A catalogue with an area-level ratio: realised starts as a percentage of planned starts.
fn ratio_catalogue(rules: &DisclosureRules) -> Catalogue {
    let indicator = |id: &str, unit: &str, aggregation: &str| {
        format!(
            "[[indicator]]\nid = \"{id}\"\nname_nl = \"{id}\"\nname_en = \"{id}\"\ndefinition_nl = \"\"\ndefinition_en = \"\"\n\
             unit = \"{unit}\"\naction_line = \"physical\"\ntier = \"realisation\"\nsource = \"register\"\n\
             supplied_by = \"register\"\ndirection = \"higher_is_better\"\naggregation = {aggregation}\ndisclosure = \"none\"\n\n"
        )
    };
    let text = [
        indicator("starts", "aantal", "{ method = \"sum\", variable = \"starts\" }"),
        indicator("planned", "aantal", "{ method = \"sum\", variable = \"planned\" }"),
        indicator(
            "starts_of_planned",
            "%",
            "{ method = \"ratio\", numerator = \"starts\", denominator = \"planned\", scale = 100 }",
        ),
    ]
    .concat();
    Catalogue::parse(&text, rules).unwrap()
}

#[test]
fn area_level_ratios_are_ratios_of_sums_over_the_areas_with_both_parts() {
    let rules = DisclosureRules::builtin();
    let catalogue = ratio_catalogue(&rules);
    let three = format!("{TWO_AREAS}c,Area C,GM0001,BU00010102,2018\n");
    let inputs = [
        ("a", 2018, "starts", Some(30.0), 1),
        ("a", 2018, "planned", Some(100.0), 2),
        ("b", 2018, "starts", Some(10.0), 3),
        ("b", 2018, "planned", Some(300.0), 4),
        // c knows its starts but withheld its plan: no ratio for c, and c stays out of the total.
        ("c", 2018, "starts", Some(50.0), 5),
        ("c", 2018, "planned", None, 6),
    ];
    let lenient = Params::parse("base_year = 2018\nmin_coverage = 0.5\n").unwrap();
    let f = run_with_areas(&base_rows(), &three, &inputs, &catalogue, &rules, &lenient);
    assert!(close(f.get("a", 2018, "starts_of_planned").0, 30.0));
    assert!(close(f.get("b", 2018, "starts_of_planned").0, 10.0 / 3.0));
    assert_eq!(f.get("c", 2018, "starts_of_planned"), (None, Status::Secret, Reason::SourceStatus, 0.0));
    // 100 * (30 + 10) / (100 + 300) = 10, over two of three areas.
    let (v, s, reason, coverage) = f.get("focusgebieden", 2018, "starts_of_planned");
    assert!(close(v, 10.0), "{v:?}");
    assert_eq!((s, reason), (Status::Final, Reason::PartialCoverage));
    assert!((coverage - 2.0 / 3.0).abs() < 1e-6);
    // The sum of starts covers all three areas.
    assert_eq!(f.get("focusgebieden", 2018, "starts").0, Some(90.0));
    // With the built-in 90% minimum the ratio over two of three areas is not published.
    let f = run_with_areas(&base_rows(), &three, &inputs, &catalogue, &rules, &Params::builtin());
    assert_eq!(f.get("focusgebieden", 2018, "starts_of_planned").2, Reason::LowCoverage);
    assert!(f.absent("GM0001", 2018, "starts_of_planned") && f.absent("rest:a", 2018, "starts_of_planned"));
}

#[test]
fn a_suppressed_area_figure_cannot_be_recovered_from_the_total() {
    // The rule for counts of persons, with small counts (0-7) secret as for youth care.
    let mut rules = DisclosureRules::builtin();
    for rule in rules.rules.iter_mut().filter(|r| r.id == "person_count") {
        rule.secret_at_or_below = Some(7.0);
    }
    let catalogue = Catalogue::builtin();
    // Publish totals over any share of the areas, so that the attacker has totals to work with.
    let params = Params::parse("base_year = 2018\nmin_coverage = 0.0\n").unwrap();
    let indicator = "vve_children_indicated";
    let mut rng = Lcg(7);
    let mut n_protected = 0;
    for case in 0..80 {
        let n_areas = 2 + (rng.next() % 5) as usize;
        let mut areas_csv = String::new();
        let mut rows = Vec::new();
        let mut inputs: Vec<AreaRow<'static>> = Vec::new();
        for k in 0..n_areas {
            let area: &'static str = Box::leak(format!("area-{k}").into_boxed_str());
            let buurt: &'static str = Box::leak(format!("BU0001{k:02}01").into_boxed_str());
            areas_csv.push_str(&format!("{area},Area {k},GM0001,{buurt},2020\n"));
            rows.push((buurt, 2020, "inhabitants", Some(1000.0)));
            let x = match rng.next() % 6 {
                0 => continue, // not reported
                1 => None,     // withheld by the area
                2 | 3 => Some((rng.next() % 8) as f64),
                _ => Some((10 + rng.next() % 200) as f64),
            };
            inputs.push((area, 2020, indicator, x, k as i64 + 1));
        }
        if inputs.is_empty() {
            continue;
        }
        let f = run_with_areas(&rows, &areas_csv, &inputs, &catalogue, &rules, &params);
        let r = &f.run.results;
        let i = r.indicator_index(indicator).unwrap();
        let col = r.column(i, 0);
        let geo = &f.run.geography;
        // The attacker knows which areas went into the total: those that reported a number.
        let all = geo.target(ALL_AREAS_ID).unwrap() as u32;
        let contributors: Vec<u32> =
            inputs.iter().filter(|row| row.3.is_some()).map(|row| geo.target(row.0).unwrap() as u32).collect();
        // (The relation "all areas = every area" would be wrong here: an area that withheld its figure or did
        // not report is not in the total, as the total's coverage tells every reader.)
        let relations = vec![(all, contributors.clone())];
        let mut known: Vec<bool> = col.value.iter().map(|v| !v.is_nan()).collect();
        let mut changed = true;
        while changed {
            changed = false;
            for (parent, children) in &relations {
                let unknown: Vec<u32> =
                    std::iter::once(parent).chain(children).copied().filter(|&c| !known[c as usize]).collect();
                if unknown.len() == 1 {
                    assert_ne!(status_of(col.status[unknown[0] as usize]), Status::Secret, "case {case}: {inputs:?}");
                    known[unknown[0] as usize] = true;
                    changed = true;
                }
            }
        }
        if Reason::from_code(col.reason[all as usize]) == Reason::Complementary {
            n_protected += 1;
        }
        // No target other than the areas and their total ever gets a figure or a status.
        for (t, target) in geo.targets.iter().enumerate() {
            if !matches!(target.kind, TargetKind::Area | TargetKind::AllAreas) {
                assert_eq!(col.status[t], crate::dataset::ABSENT, "case {case}: {}", target.id);
            }
        }
    }
    assert!(n_protected > 5, "the test should exercise complementary suppression ({n_protected} cases)");
}

/// The reproduction of a review finding: a buurt's Wmo count was secret, yet its rate per 1,000 inhabitants was
/// published, and rate × inhabitants / 1000 gave the count back, for primary and complementary suppressions
/// alike. Linked indicators are now suppressed together.
#[test]
fn a_secret_count_is_not_given_away_by_its_rate() {
    let mut rows = Vec::new();
    for (bu, inh, wmo) in [("BU00010001", 1000.0, 3.0), ("BU00010002", 1200.0, 12.0), ("BU00010003", 900.0, 20.0)] {
        rows.push((bu, 2022, "inhabitants", Some(inh)));
        rows.push((bu, 2022, "wmo_clients", Some(wmo)));
    }
    let f = Fixture::new(
        &rows,
        "a,Area A,GM0001,BU00010001,2022\na,Area A,GM0001,BU00010002,2022\n",
        &Crosswalk::default(),
    );
    let mut secret_counts = 0;
    for bu in ["BU00010001", "BU00010002", "BU00010003", "a", "rest:a", "WK000100", "GM0001"] {
        let (count, count_status, ..) = f.get(bu, 2022, "wmo_clients");
        let (rate, rate_status, rate_reason, _) = f.get(bu, 2022, "wmo_clients_per_1000");
        assert_eq!(count_status == Status::Secret, rate_status == Status::Secret, "{bu}: {count:?} {rate:?}");
        if count_status == Status::Secret {
            secret_counts += 1;
            assert!(rate.is_none());
            assert!(matches!(rate_reason, Reason::Linked | Reason::BaseBelowThreshold | Reason::Complementary));
        }
    }
    // The small buurt, and at least one figure protecting it.
    assert!(secret_counts >= 2, "{secret_counts}");
    assert_eq!(f.get("BU00010001", 2022, "wmo_clients").1, Status::Secret);
}
