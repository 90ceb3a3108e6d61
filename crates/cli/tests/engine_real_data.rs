//! The indicator engine on real data, through the command line: areas built from real Amsterdam buurten
//! (Kerncijfers 2019) against an independent computation from the same file, suppression of a one-buurt
//! area, and the real Den Haag Zuidwest delineation over every Leefbaarometer edition.

use std::collections::HashMap;
use std::path::Path;
use wijkmonitor_testdata::shared_data;

mod support;

use support::ok;

/// `(value, status, reason)` of one computed figure from `export` CSV output.
fn figure(csv: &str, region: &str, period: &str, indicator: &str) -> (Option<f64>, String, String) {
    let prefix = format!("{region},{period},{indicator},");
    let line = csv.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no {prefix} in\n{csv}"));
    let f: Vec<&str> = line.split(',').collect();
    (f[3].parse().ok(), f[4].to_string(), f[6].to_string())
}

/// An independent reading of the labelled KWB file: (code -> column title -> number).
fn read_kwb(path: &Path) -> HashMap<String, HashMap<String, Option<f64>>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let code_col = header.iter().position(|h| h == "Regioaanduiding.Codering..code.").unwrap();
    let mut out = HashMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        let row = header
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.clone(), v.trim().replace(',', ".").parse::<f64>().ok()))
            .collect();
        out.insert(record[code_col].trim().to_string(), row);
    }
    out
}

#[test]
fn amsterdam_areas_match_an_independent_computation_and_small_areas_are_suppressed() {
    let Some(data) = shared_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    let file = data.join("cbs-kwb-amsterdam/kwb-2019.csv");
    ok(&["import", file.to_str().unwrap(), "--db", db]);
    let buurten = ["BU03630000", "BU03630001", "BU03630002", "BU03630003", "BU03630004"];
    let mut areas = String::from("area_id,area_name,gemeente_code,buurt_code,classification_year\n");
    for b in buurten {
        areas.push_str(&format!("centrum-test,Centrum test,GM0363,{b},2019\n"));
    }
    // BU03630301 has 80 households: too few for household-income figures.
    areas.push_str("klein,Klein,GM0363,BU03630301,2019\n");
    let areas_file = dir.path().join("areas.csv");
    std::fs::write(&areas_file, areas).unwrap();
    let areas_arg = areas_file.to_str().unwrap();
    ok(&["compute", "--db", db, "--areas", areas_arg]);
    let out = ok(&["export", "--db", db, "--computed", "--period", "2019"]);

    let kwb = read_kwb(&file);
    let get = |b: &str, col: &str| kwb[b][col].unwrap_or_else(|| panic!("{b} {col}"));
    let inh = "Bevolking.Aantal.inwoners..aantal.";
    let hh = "Bevolking.Particuliere.huishoudens.Huishoudens.totaal..aantal.";
    let low = "Inkomen.Inkomen.van.huishoudens.Huishoudens.met.een.laag.inkomen....";
    let bijstand = "Sociale.zekerheid.Personen.per.soort.uitkering..Bijstand..aantal.";
    let sum_inh: f64 = buurten.iter().map(|b| get(b, inh)).sum();
    let sum_bijstand: f64 = buurten.iter().map(|b| get(b, bijstand)).sum();
    let low_weighted: f64 =
        buurten.iter().map(|b| get(b, low) * get(b, hh)).sum::<f64>() / buurten.iter().map(|b| get(b, hh)).sum::<f64>();

    assert_eq!(figure(&out, "centrum-test", "2019", "inhabitants").0, Some(sum_inh));
    let (v, status, _) = figure(&out, "centrum-test", "2019", "social_assistance_per_1000");
    assert!((v.unwrap() - 1000.0 * sum_bijstand / sum_inh).abs() < 1e-9, "{v:?}");
    assert_eq!(status, "final");
    let (v, _, _) = figure(&out, "centrum-test", "2019", "households_low_income");
    assert!((v.unwrap() - low_weighted).abs() < 1e-9, "{v:?} vs {low_weighted}");
    // The municipality keeps CBS's own figure.
    assert_eq!(figure(&out, "GM0363", "2019", "inhabitants").0, Some(862965.0));

    // The one-buurt area: household-income shares are secret because it has fewer than 100 households.
    for indicator in ["households_low_income", "households_social_minimum"] {
        let (v, status, reason) = figure(&out, "klein", "2019", indicator);
        assert_eq!((v, status.as_str(), reason.as_str()), (None, "secret", "base_below_threshold"), "{indicator}");
    }
    // And the rest of Amsterdam does not give it away: no published rest + municipality pair for it.
    let rest = figure(&out, "rest:klein", "2019", "households_low_income");
    let gm = figure(&out, "GM0363", "2019", "households_low_income");
    assert!(rest.0.is_none() || gm.0.is_none(), "rest {rest:?} and gemeente {gm:?} both published");
}

#[test]
fn den_haag_zuidwest_has_leefbaarometer_scores_for_every_edition() {
    let Some(data) = shared_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    ok(&["import", data.join("leefbaarometer/buurten-2002-2020.csv").to_str().unwrap(), "--db", db]);
    // Inhabitants per buurt (2024) weigh the scores; the mapping is the importer's test fixture.
    let mapping = Path::new(env!("CARGO_MANIFEST_DIR")).join("../import/tests/fixtures/population-85984NED.toml");
    ok(&[
        "import",
        data.join("cbs-odata-csv/kwb-85984NED/Population85984_2024.csv").to_str().unwrap(),
        "--format",
        "wide-csv",
        "--mapping",
        mapping.to_str().unwrap(),
        "--db",
        db,
    ]);
    // The real delineation: the 14 buurten (2019 codes) of the DHZW list.
    let list = std::fs::read_to_string(data.join("nplv-areas/den-haag-zuidwest-DHZW/DHZW_neighbourhoods.csv")).unwrap();
    let mut areas = String::from("area_id,area_name,gemeente_code,buurt_code,classification_year\n");
    for line in list.lines().skip(1).filter(|l| !l.is_empty()) {
        let code = line.split(',').next().unwrap();
        areas.push_str(&format!("den-haag-zuidwest,Den Haag Zuidwest,GM0518,{code},2019\n"));
    }
    let areas_file = dir.path().join("dhzw.csv");
    std::fs::write(&areas_file, areas).unwrap();
    let report = ok(&["compute", "--db", db, "--areas", areas_file.to_str().unwrap()]);
    let out = ok(&["export", "--db", db, "--region", "den-haag-zuidwest"]);
    for year in ["2002", "2008", "2012", "2014", "2016", "2018", "2020"] {
        let (v, status, _) = figure(&out, "den-haag-zuidwest", year, "lbm_score");
        let v = v.unwrap_or_else(|| panic!("no score for {year}"));
        assert!((3.0..5.0).contains(&v), "{year}: {v}");
        assert_eq!(status, "final");
    }
    // The dimensions exist in the Leefbaarometer 3.0 editions (2016 is a 2.0 edition in this file).
    for year in ["2014", "2018", "2020"] {
        for dim in ["lbm_physical", "lbm_nuisance", "lbm_social", "lbm_amenities", "lbm_housing"] {
            assert!(figure(&out, "den-haag-zuidwest", year, dim).0.is_some(), "{dim} {year}");
        }
    }
    // Every buurt matched; the report would name unmatched buurten and their population share.
    assert!(!report.contains("unmatched: den-haag-zuidwest"), "{report}");
    // An area with a buurt code that no source knows is reported with its share of the population.
    let mut areas = std::fs::read_to_string(&areas_file).unwrap();
    areas.push_str("den-haag-zuidwest,Den Haag Zuidwest,GM0518,BU05189999,2019\n");
    std::fs::write(&areas_file, areas).unwrap();
    let report = ok(&["compute", "--db", db, "--areas", areas_file.to_str().unwrap()]);
    assert!(report.contains("unmatched: den-haag-zuidwest 2020: 1 buurten without figures (BU05189999)"), "{report}");
}
