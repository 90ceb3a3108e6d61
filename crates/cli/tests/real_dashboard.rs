//! The dashboard built from every real file in `../shared/data` (`wijkmonitor demo --from`): every area has its
//! real 2024 inhabitants, and Leefbaarometer figures in every edition the files cover with the Netherlands beside
//! them, where the delineation can be followed into the classification of the files; what cannot is reported.

use std::collections::BTreeMap;
use wijkmonitor_testdata::shared_data;

mod support;

use support::{get_text, ok, serve};

/// `(target, period) -> (value, status, reason)` from `export --computed` CSV output.
fn figures(csv: &str) -> BTreeMap<(String, String), (Option<f64>, String, String)> {
    csv.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            ((f[0].to_string(), f[1].to_string()), (f[3].parse().ok(), f[4].to_string(), f[6].to_string()))
        })
        .collect()
}

#[test]
fn the_real_files_give_every_area_leefbaarometer_editions_with_the_netherlands_beside_them() {
    let Some(data) = shared_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("real.db");
    let db = db.to_str().unwrap();
    let out = ok(&["demo", "--from", data.to_str().unwrap(), "--db", db]);
    assert!(
        out.contains("buurten-2002-2020.csv (leefbaarometer, table leefbaarometer-3.0, classification 2020)"),
        "{out}"
    );
    assert!(
        out.contains("wijken-2002-2022.csv (leefbaarometer, table leefbaarometer-3.0, classification 2022)"),
        "{out}"
    );
    // The 85984NED folder holds a script's reduction of the figures instead of TypedDataSet: read in its place.
    assert!(
        out.contains("cbs-odata-85984NED (odata-json, table 85984NED, classification 2024): 22410 figures"),
        "{out}"
    );
    // Maps are listed as boundaries, documentation apart, and what is skipped says why in its own terms.
    assert_eq!(out.lines().filter(|l| l.starts_with("map: ")).count(), 6, "{out}");
    assert!(out.contains("Buurt_2014_layer_q1e3.json (2014, 11691 regions): boundaries, not figures"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("documentation (no figures): ") && l.contains("SOURCE.txt")), "{out}");
    let vague: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("skipped: ") && l.contains("could not be recognised"))
        .filter(|l| !l.contains("municipality_in_province.csv"))
        .collect();
    assert!(vague.is_empty(), "skipped without a specific reason: {vague:#?}");
    assert!(out.contains("MiK-Nederland-PC4.csv") && out.contains("4-digit postcode areas (PC4)"), "{out}");
    let gm = ok(&["export", "--db", db, "--region", "GM0363", "--indicator", "dwellings", "--period", "2024"]);
    assert!(gm.contains("GM0363,2024,dwellings,480852,final"), "{gm}");

    let areas: Vec<String> = ok(&["areas"])
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|id| id.contains('-') && id.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .map(str::to_string)
        .collect();
    assert_eq!(areas.len(), 20, "{areas:?}");
    let inhabitants =
        figures(&ok(&["export", "--db", db, "--computed", "--indicator", "inhabitants", "--period", "2024"]));
    for area in &areas {
        let (v, status, _) = &inhabitants[&(area.clone(), "2024".to_string())];
        assert!(v.is_some_and(|v| v > 10_000.0) && status == "final", "{area}: {v:?} {status}");
    }

    let lbm = figures(&ok(&["export", "--db", db, "--computed", "--indicator", "lbm_score"]));
    let score = |target: &str, year: &str| lbm.get(&(target.to_string(), year.to_string())).and_then(|f| f.0);
    let editions = ["2002", "2008", "2012", "2014", "2016", "2018", "2020", "2022"];
    // The Netherlands in every edition: from its buurten up to 2020, from its wijken in 2022 (the buurt file ends
    // in 2020). The official national mean rose from about 4.0 to 4.1 over these years.
    for year in editions {
        let nl = score("NL00", year)
            .unwrap_or_else(|| panic!("no national score for {year}: {:?}", lbm.get(&("NL00".into(), year.into()))));
        assert!((3.95..4.2).contains(&nl), "{year}: {nl}");
    }
    // Amsterdam renumbered all its buurten and wijken in 2022: its areas, defined on 2024 codes, need a crosswalk
    // from maps of 2020 and 2024, which the files do not hold. Every other area has every edition to 2020; in 2022
    // (wijken only) those whose wijken lie wholly in the area.
    let amsterdam = ["amsterdam-nieuw-west", "amsterdam-zuidoost"];
    let partial_wijken = ["breda-noord", "dordrecht-west", "groningen-noord", "lelystad-oost"];
    for area in &areas {
        let last = if amsterdam.contains(&area.as_str()) {
            0
        } else if partial_wijken.contains(&area.as_str()) {
            editions.len() - 1
        } else {
            editions.len()
        };
        for (i, year) in editions.iter().enumerate() {
            let v = score(area, year);
            if i < last {
                let v = v.unwrap_or_else(|| panic!("{area} {year}: {:?}", lbm.get(&(area.clone(), year.to_string()))));
                assert!((3.5..4.5).contains(&v), "{area} {year}: {v}");
            } else {
                assert_eq!(v, None, "{area} {year}: a score where the files cannot give one");
            }
        }
    }
    // The delineation in every period: Dordrecht West's renumbered buurten are followed through their wijk.
    let by_period = ok(&["areas", "--db", db, "--by-period"]);
    let dordrecht_2020 = by_period.lines().find(|l| l.starts_with("dordrecht-west") && l.contains(" 2020 ")).unwrap();
    assert_eq!(dordrecht_2020.split_whitespace().collect::<Vec<_>>(), ["dordrecht-west", "2020", "17", "0", "1", "-"]);
    // The programme's effect on the Leefbaarometer can be tested on its 2022 edition, published per wijk only:
    // comparison wijken stand in for comparison buurten, so the analysis runs (7 editions before, 1 after).
    let effect =
        ok(&["effect", "--db", db, "--area", "den-haag-zuidwest", "--indicator", "lbm_score", "--format", "csv"]);
    let did = effect.lines().find(|l| l.contains(",did,")).unwrap_or_else(|| panic!("{effect}"));
    assert!(did.ends_with(",7,1") && !did.contains("too_few_comparisons"), "{effect}");
    // What could not be matched is reported, with its share of the inhabitants.
    assert!(out.contains("unmatched: amsterdam-zuidoost 2020: 46 buurten without figures"), "{out}");
    assert!(out.contains("unmatched: dordrecht-west 2022: 2 buurten without figures (BU05050800 BU05050801)"), "{out}");
    // The rest of a municipality is made of wijken in 2022 and of buurten before.
    assert!(score("rest:den-haag-zuidwest", "2022").is_some() && score("rest:den-haag-zuidwest", "2020").is_some());
    assert_eq!(score("rest:amsterdam-zuidoost", "2020"), None, "the rest cannot be told apart from an unmatched area");

    // The overview's Leefbaarometer card: the files hold no dwellings per buurt for the share of dwellings in weak
    // buurten, so the card shows the score, says so, and is not empty.
    let (mut server, addr) = serve(std::path::Path::new(db));
    let overview = get_text(&addr, "/index.json");
    // The buurt maps of the folder were recorded by `demo --from`: the server draws them without being told.
    assert!(get_text(&addr, "/gebied/delft-west").contains("buurt-map"), "no buurt map from the recorded boundaries");
    let _ = server.kill();
    let _ = server.wait();
    let overview: serde_json::Value = serde_json::from_str(&overview).unwrap();
    let first = &overview["headline"][0];
    assert_eq!(first["indicator"]["id"], "lbm_score", "{first}");
    assert_eq!(first["instead_of"]["id"], "dwellings_lbm_weak_or_lower", "{first}");
    let values = |s: &serde_json::Value| s.as_array().unwrap().iter().filter(|f| f["value"].is_number()).count();
    assert_eq!(values(&first["netherlands"]), 8, "{first}");
    // All areas together lack Amsterdam's two areas up to 2020 (a fifth of their inhabitants): below the minimum
    // coverage, so missing rather than the mean of the other eighteen. 2022 has wijken for Amsterdam neither.
    assert_eq!(values(&first["all_areas"]), 0, "{first}");
}
