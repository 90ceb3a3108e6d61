//! `wijkmonitor effect` on the demo database: the demo injects an effect from 2022 in every other area and none
//! in the rest; the command finds it where it is, the CSV has one row per area, indicator and estimator with the
//! documented columns, any delineation and start can be asked, and bad questions get clear answers.

mod support;

use support::{fails, ok};
use wijkmonitor_model::area::parse_areas_csv;
use wijkmonitor_model::{BUILTIN_AREAS, BUILTIN_AREAS_NAME};

#[test]
fn effects_are_found_where_the_demo_injected_them_and_questions_can_be_asked_freely() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let db = db.to_str().unwrap();
    ok(&["demo", "--db", db]);

    let csv = ok(&["effect", "--db", db, "--indicator", "lbm_score", "--format", "csv"]);
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("area,indicator,estimator,start,estimate,lower,upper,p_value,pre_trend_ok,verdict"),
        "{header}"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 40, "20 areas x 2 estimators:\n{csv}");
    let areas = parse_areas_csv(BUILTIN_AREAS, BUILTIN_AREAS_NAME, true).unwrap();
    let injected = wijkmonitor_demo::effect_areas(&areas);
    let (mut found, mut false_alarms) = (0, 0);
    for row in rows.iter().filter(|r| r[2] == "did") {
        let (area, verdict) = (row[0], row[11]);
        match (injected.contains(&area), verdict) {
            (true, "increase") => found += 1,
            (false, "increase" | "decrease") => false_alarms += 1,
            _ => {}
        }
    }
    assert!(found >= 8, "the injected Leefbaarometer effect is found in {found} of 10 areas:\n{csv}");
    assert!(false_alarms <= 2, "{false_alarms} effects where none was injected:\n{csv}");

    // Any start: with a start after the last year there is nothing to judge.
    let late = ok(&[
        "effect",
        "--db",
        db,
        "--indicator",
        "lbm_score",
        "--area",
        "delft-west",
        "--start",
        "2030",
        "--format",
        "csv",
    ]);
    assert!(late.contains("too_few_years_after"), "{late}");
    // Any delineation: a researcher's own set of buurten.
    let own = dir.path().join("own.csv");
    let first = &areas.areas[0];
    let mut text = String::from("area_id,area_name,gemeente_code,buurt_code,classification_year\n");
    for b in &first.buurten {
        text.push_str(&format!("mijn-gebied,Mijn gebied,{},{},{}\n", first.municipality, b, first.classification_year));
    }
    std::fs::write(&own, text).unwrap();
    let json =
        ok(&["effect", "--db", db, "--areas", own.to_str().unwrap(), "--indicator", "lbm_score", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["effects"][0]["area"], "mijn-gebied");
    assert_eq!(doc["effects"][0]["analysis"]["did"]["verdict"], "increase", "the same buurten as an injected area");
    // The table, and the measures.
    let table = ok(&["effect", "--db", db, "--indicator", "crimes_per_1000", "--area", "delft-west"]);
    assert!(table.contains("delft-west") && table.contains("crimes_per_1000"), "{table}");
    assert!(fails(&["effect", "--db", db, "--indicator", "inhabitants"]).contains("not an effect indicator"));
    assert!(fails(&["effect", "--db", db, "--area", "nowhere"]).contains("no area 'nowhere'"));
    assert!(fails(&["effect", "--db", db, "--measure", "nothing"]).contains("no measure 'nothing'"));
}
