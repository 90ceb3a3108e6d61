//! Tests of the demo generator: deterministic, complete, consistent aggregation, and the statuses it uses.

use super::*;
use wijkmonitor_model::area::parse_areas_csv;

fn areas() -> FocusAreaSet {
    parse_areas_csv(wijkmonitor_model::BUILTIN_AREAS, "builtin", true).unwrap()
}

type Index<'a> = std::collections::HashMap<(&'a str, i32, &'a str), &'a Value>;

fn index(batches: &[ImportBatch]) -> Index<'_> {
    batches
        .iter()
        .flat_map(|b| &b.observations)
        .map(|o| ((o.region.as_str(), o.period.year(), o.variable.as_str()), &o.value))
        .collect()
}

fn find<'a>(index: &Index<'a>, region: &str, year: i32, variable: &str) -> &'a Value {
    index.get(&(region, year, variable)).copied().unwrap_or_else(|| panic!("no {variable} for {region} {year}"))
}

#[test]
fn is_deterministic_and_labelled_synthetic() {
    let a = generate(&areas()).unwrap();
    let b = generate(&areas()).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.len(), 3);
    for batch in &a {
        assert_eq!(batch.format, Format::Builtin);
        assert!(batch.source_title.as_deref().unwrap().starts_with("SYNTHETIC"));
    }
}

#[test]
fn covers_all_areas_municipalities_and_years() {
    let set = areas();
    let batches = generate(&set).unwrap();
    let ix = index(&batches);
    for area in &set.areas {
        let gm = area.municipality.as_str();
        for year in FIRST_YEAR..=LAST_YEAR {
            assert!(find(&ix, gm, year, "inhabitants").number().unwrap() > 10_000.0, "{gm} {year}");
        }
        for buurt in &area.buurten {
            find(&ix, buurt.as_str(), 2020, "lbm_score");
        }
    }
    let nl = find(&ix, "NL00", 2025, "inhabitants").number().unwrap();
    assert!((17.5e6..18.5e6).contains(&nl), "{nl}");
}

#[test]
fn gemeente_counts_are_sums_and_shares_weighted_means_of_buurten() {
    let batches = generate(&areas()).unwrap();
    let ix = index(&batches);
    let kwb = &batches[0].observations;
    fn buurten_of<'a>(kwb: &'a [Observation], gm: &'a str) -> impl Iterator<Item = &'a Observation> + 'a {
        kwb.iter().filter(move |o| {
            o.region.kind() == RegionKind::Neighbourhood && o.region.municipality().unwrap().as_str() == gm
        })
    }
    let sum: f64 = buurten_of(kwb, "GM0505")
        .filter(|o| o.variable == "inhabitants" && o.period == Period::Year(2020))
        .map(|o| o.value.number().unwrap())
        .sum();
    assert_eq!(find(&ix, "GM0505", 2020, "inhabitants").number(), Some(sum));

    let mut num = 0.0;
    let mut den = 0.0;
    for o in buurten_of(kwb, "GM0505")
        .filter(|o| o.variable == "households_low_income_pct" && o.period == Period::Year(2020))
    {
        if let Some(p) = o.value.number() {
            let hh = find(&ix, o.region.as_str(), 2020, "households").number().unwrap();
            num += p * hh;
            den += hh;
        }
    }
    let expected = (num / den * 10.0).round() / 10.0;
    assert_eq!(find(&ix, "GM0505", 2020, "households_low_income_pct").number(), Some(expected));
}

#[test]
fn uses_every_status_the_way_cbs_does() {
    let batches = generate(&areas()).unwrap();
    let statuses: HashSet<Status> = batches.iter().flat_map(|b| &b.observations).map(|o| o.value.status()).collect();
    for s in [Status::Final, Status::Provisional, Status::Missing, Status::Secret, Status::NotYetPublished] {
        assert!(statuses.contains(&s), "{s} is never used");
    }
    let ix = index(&batches);
    assert_eq!(find(&ix, "GM0363", 2025, "households_low_income_pct").status(), Status::NotYetPublished);
    assert_eq!(find(&ix, "GM0363", 2024, "households_low_income_pct").status(), Status::Provisional);
}
