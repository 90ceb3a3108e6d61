//! End-to-end tests of the `wijkmonitor` command on real files from `../shared/data`: the acceptance criteria
//! of the data core (import, export, idempotence, atomicity) exercised exactly as a user would run them.

mod support;

use support::{fails, ok};
use wijkmonitor_testdata::shared_data;

fn line_for<'a>(csv: &'a str, region: &str, period: &str, variable: &str) -> Option<&'a str> {
    let prefix = format!("{region},{period},{variable},");
    csv.lines().find(|l| l.starts_with(&prefix))
}

#[test]
fn kwb_amsterdam_2019_is_imported_and_exported() {
    let Some(data) = shared_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    let file = data.join("cbs-kwb-amsterdam/kwb-2019.csv");
    let out = ok(&["import", file.to_str().unwrap(), "--db", db]);
    assert!(out.contains("import #1"), "{out}");

    let gm = ok(&["export", "--db", db, "--region", "GM0363", "--period", "2019"]);
    assert!(gm.starts_with("region,period,variable,value,status\n"), "{gm}");
    assert_eq!(line_for(&gm, "GM0363", "2019", "inhabitants"), Some("GM0363,2019,inhabitants,862965,final"));
    let bu = ok(&["export", "--db", db, "--region", "BU03630000", "--period", "2019", "--indicator", "inhabitants"]);
    assert_eq!(bu, "region,period,variable,value,status\nBU03630000,2019,inhabitants,1035,final\n");

    // The JSON twin carries the source of every figure.
    let json = ok(&[
        "export",
        "--db",
        db,
        "--region",
        "BU03630000",
        "--period",
        "2019",
        "--indicator",
        "inhabitants",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["value"], 1035.0);
    assert_eq!(v[0]["source"]["table"], "84583NED");
    assert_eq!(v[0]["source"]["classification_year"], 2019);
    assert!(v[0]["source"]["file"].as_str().unwrap().ends_with("kwb-2019.csv"));

    // Importing the same file again changes nothing.
    let before = ok(&["export", "--db", db]);
    let again = ok(&["import", file.to_str().unwrap(), "--db", db]);
    assert!(again.contains("nothing changed"), "{again}");
    assert_eq!(ok(&["export", "--db", db]), before);
}

#[test]
fn leefbaarometer_scores_and_missing_dimensions() {
    let Some(data) = shared_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    ok(&["import", data.join("leefbaarometer/buurten-2002-2020.csv").to_str().unwrap(), "--db", db]);
    let out = ok(&["export", "--db", db, "--region", "BU05183637", "--period", "2020"]);
    let score = line_for(&out, "BU05183637", "2020", "lbm_score").unwrap();
    assert!(score.starts_with("BU05183637,2020,lbm_score,3.8169"), "{score}");
    for dim in ["lbm_physical", "lbm_nuisance", "lbm_social", "lbm_amenities", "lbm_housing"] {
        let line = line_for(&out, "BU05183637", "2020", dim).unwrap_or_else(|| panic!("no {dim}"));
        assert!(line.ends_with(",final"), "{line}");
    }
    // Leefbaarometer 1.0 rows have no dimensions: NA is exported as missing, never as 0.
    let old = ok(&["export", "--db", db, "--region", "BU05183637", "--period", "2002", "--indicator", "lbm_social"]);
    assert_eq!(old, "region,period,variable,value,status\nBU05183637,2002,lbm_social,,missing\n");
}

#[test]
fn a_bad_file_names_the_place_and_changes_nothing() {
    let Some(data) = shared_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    ok(&["import", data.join("cbs-kwb-amsterdam/kwb-2019.csv").to_str().unwrap(), "--db", db]);
    let before = ok(&["export", "--db", db]);

    // A copy of the 2017 file with the number of inhabitants (field 7) broken on line 5.
    let text = std::fs::read_to_string(data.join("cbs-kwb-amsterdam/kwb-2017.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut fields: Vec<&str> = lines[4].splitn(8, ',').collect();
    assert!(fields[6].parse::<f64>().is_ok(), "field 7 of line 5 is a number: {}", fields[6]);
    fields[6] = "10x5";
    lines[4] = fields.join(",");
    let bad = dir.path().join("kwb-2017.csv");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let err = fails(&["import", bad.to_str().unwrap(), "--db", db]);
    assert!(err.contains("kwb-2017.csv:5:7:") && err.contains("10x5"), "{err}");
    assert_eq!(ok(&["export", "--db", db]), before);

    let binary = dir.path().join("binary.csv");
    std::fs::write(&binary, [0x50u8, 0x4b, 0x03, 0x04, 0, 0, 0]).unwrap();
    let err = fails(&["import", binary.to_str().unwrap(), "--db", db]);
    // It starts like a zip, so it is taken for a spreadsheet and refused as one.
    assert!(err.contains("binary.csv") && err.contains("starts like a spreadsheet"), "{err}");
    assert_eq!(ok(&["export", "--db", db]), before);
}

#[test]
fn the_demo_database_is_built_and_summarised() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let db = db.to_str().unwrap();
    let out = ok(&["demo", "--db", db]);
    assert!(out.contains("SYNTHETIC"), "{out}");
    assert!(out.contains("20 focus areas"), "{out}");
    assert!(out.contains("INDICATIVE"), "{out}");
    let areas = ok(&["areas", "--db", db]);
    assert!(areas.contains("den-haag-zuidwest"), "{areas}");
    let export = ok(&[
        "export",
        "--db",
        db,
        "--region",
        "den-haag-zuidwest",
        "--buurten",
        "--period",
        "2020",
        "--indicator",
        "inhabitants",
    ]);
    assert_eq!(export.lines().count(), 1 + 13, "the 13 buurten of Den Haag Zuidwest:\n{export}");
    let buurten_sum: f64 = export.lines().skip(1).map(|l| l.split(',').nth(3).unwrap().parse::<f64>().unwrap()).sum();
    // The demo is computed right away: the area's inhabitants are the sum of its buurten (rounded to 5).
    let area =
        ok(&["export", "--db", db, "--region", "den-haag-zuidwest", "--period", "2020", "--indicator", "inhabitants"]);
    let row: Vec<&str> = area.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row[0..3], ["den-haag-zuidwest", "2020", "inhabitants"]);
    assert_eq!(row[3].parse::<f64>().unwrap(), (buurten_sum / 5.0).round() * 5.0);
    assert!(area.lines().next().unwrap().contains("gap_to_netherlands"), "{area}");
    // Building the demo again gives the same figures.
    let before = ok(&["export", "--db", db]);
    ok(&["demo", "--db", db]);
    assert_eq!(ok(&["export", "--db", db]), before);
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    // `wijkmonitor indicators --format json | head -c 10`: 94 kB, more than a pipe holds, so the writer meets the
    // closed pipe.
    use std::io::Read;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wijkmonitor"))
        .args(["indicators", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !stderr.contains("panicked"), "{:?} {stderr}", out.status);
}

#[test]
fn help_is_complete_and_errors_are_clear() {
    let help = ok(&["--help"]);
    for command in ["demo", "import", "fetch", "areas", "indicators", "export", "summary"] {
        assert!(help.contains(command), "--help does not list {command}");
        let sub = ok(&[command, "--help"]);
        assert!(sub.contains("Usage: wijkmonitor"), "{command} --help");
    }
    let err = fails(&["export", "--db", "/nonexistent/w.db"]);
    assert!(err.contains("does not exist"), "{err}");
    let err = fails(&["import", "x.csv", "--format", "excel"]);
    assert!(err.contains("unknown format 'excel'"), "{err}");
    let indicators = ok(&["indicators", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&indicators).unwrap();
    assert!(v.as_array().unwrap().len() >= 70);
}

#[test]
fn the_demo_can_be_built_from_real_files() {
    let Some(data) = shared_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sources = dir.path().join("sources");
    std::fs::create_dir(&sources).unwrap();
    std::fs::copy(data.join("cbs-kwb-amsterdam/kwb-2019.csv"), sources.join("kwb-2019.csv")).unwrap();
    std::fs::write(sources.join("notes.csv"), "a,b\n1,2\n").unwrap();
    let db = dir.path().join("real.db");
    let out = ok(&["demo", "--from", sources.to_str().unwrap(), "--db", db.to_str().unwrap()]);
    assert!(out.contains("read ") && out.contains("kwb-2019.csv (kwb-csv, table 84583NED"), "{out}");
    assert!(out.contains("skipped: ") && out.contains("notes.csv:1: the format could not be recognised"), "{out}");
    assert!(!out.contains("SYNTHETIC"), "real sources are not labelled synthetic:\n{out}");
    let gm = ok(&["export", "--db", db.to_str().unwrap(), "--region", "GM0363", "--indicator", "inhabitants"]);
    assert_eq!(line_for(&gm, "GM0363", "2019", "inhabitants"), Some("GM0363,2019,inhabitants,862965,final"));

    // The national 2024 export (the whole country) is read beside the built-in code list of the 19 NPLV
    // municipalities, and gives every area its real 2024 inhabitants.
    let export = data.join("cbs-kwb-nl-2024/kwb-2024-bevolking-statline-export.csv");
    if export.exists() {
        std::fs::copy(&export, sources.join("kwb-2024-bevolking-statline-export.csv")).unwrap();
        let db = dir.path().join("real-2024.db");
        let out = ok(&["demo", "--from", sources.to_str().unwrap(), "--db", db.to_str().unwrap()]);
        assert!(out.contains("kwb-2024-bevolking-statline-export.csv (statline-csv, classification 2024)"), "{out}");
        let areas = ok(&["areas", "--db", db.to_str().unwrap()]);
        assert_eq!(areas.lines().filter(|l| l.contains("(2024)")).count(), 20, "{areas}");
        assert!(areas.contains("54385 (2024)"), "Arnhem-Oost's real 2024 inhabitants: {areas}");
    }
}

#[test]
fn import_stops_at_an_invalid_row_unless_asked_to_skip_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    let csv = dir.path().join("wijken.csv");
    std::fs::write(
        &csv,
        "region,period,variable,value,status\nWK191600,2024,inhabitants,5000,final\nWK1916--,2024,inhabitants,12,final\n",
    )
    .unwrap();
    let err = fails(&["import", csv.to_str().unwrap(), "--db", db]);
    assert!(err.contains("wijken.csv:3:1:") && err.contains("WK1916--"), "{err}");
    let out = ok(&["import", csv.to_str().unwrap(), "--db", db, "--skip-invalid-rows"]);
    assert!(out.contains("1 invalid row(s) left out"), "{out}");
    assert!(out.contains("note: skipped row: ") && out.contains("wijken.csv:3:1:"), "{out}");
    assert!(out.contains("1 new"), "{out}");
}
