//! `wijkmonitor update` against a local server replaying recorded responses (never the internet): the real
//! 85984NED metadata of `../shared/data` with figures of the real 2024 reduction, a Leefbaarometer file and two
//! buurt maps. An interrupted run resumes, the finished run leaves the database as importing the recorded files
//! by hand does, and a second run downloads nothing (every request answered 304). Skipped, saying so, without
//! the real data.

mod support;

use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use support::{fails, ok};
use wijkmonitor_testdata::http;

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// A replay server: answers GETs from a map of target to body, with an ETag per body, 304 for a matching
/// `If-None-Match`, and HTTP 500 for the figures while `broken` is set.
fn serve(bodies: BTreeMap<String, String>, broken: Arc<AtomicBool>) -> http::Server {
    http::serve(move |_| {
        move |request: &http::Request| {
            if broken.load(Ordering::SeqCst) && request.target.contains("TypedDataSet") {
                return http::Response::new(500, "");
            }
            let Some(body) = bodies.get(&request.target) else { return http::Response::new(404, "not found") };
            let etag = format!("\"{}\"", &wijkmonitor_model::hash::sha256_hex(body.as_bytes())[..16]);
            let status = if request.header("If-None-Match") == Some(etag.as_str()) { 304 } else { 200 };
            let body = if status == 304 { String::new() } else { body.clone() };
            http::Response { status, headers: vec![("ETag".into(), etag)], body }
        }
    })
}

/// The recorded responses of 85984NED (see `wijkmonitor_testdata::kwb_2024`).
fn odata(shared: &Path) -> BTreeMap<String, String> {
    use wijkmonitor_testdata::kwb_2024::{api, array, code_list, codes, rows};
    let rows = rows(shared, |_| true);
    let base = "/odata/85984NED";
    BTreeMap::from([
        (format!("{base}/TableInfos?$format=json"), api("TableInfos", array(shared, "TableInfos.json")).to_string()),
        (
            format!("{base}/DataProperties?$format=json"),
            api("DataProperties", array(shared, "DataProperties.json")).to_string(),
        ),
        (
            format!("{base}/WijkenEnBuurten?$format=json"),
            api("WijkenEnBuurten", code_list(shared, &codes(&rows))).to_string(),
        ),
        (format!("{base}/TypedDataSet/$count"), rows.len().to_string()),
        (format!("{base}/TypedDataSet?$format=json"), json!({"odata.metadata": "x", "value": rows}).to_string()),
    ])
}

/// A GeoJSON map of square buurten in RD New.
fn map(buurten: &[(&str, f64)]) -> String {
    let features: Vec<String> = buurten
        .iter()
        .map(|&(code, x)| {
            format!(
                r#"{{"type":"Feature","properties":{{"buurtcode":"{code}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},485000],[{},485000],[{},486000],[{x},486000],[{x},485000]]]}}}}"#,
                x + 1000.0,
                x + 1000.0
            )
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::28992"}}}},"features":[{}]}}"#,
        features.join(",")
    )
}

const MANIFEST: &str = r#"
[[table]]
id = "85984NED"
year = 2024
title = "Kerncijfers wijken en buurten 2024"

[[file]]
id = "leefbaarometer-buurten"
url = "https://lbm.example.nl/open-data/buurten.csv"
format = "leefbaarometer"

[[map]]
year = 2019
url = "https://maps.example.nl/buurten/2019.json"

[[map]]
year = 2024
url = "https://maps.example.nl/buurten/2024.json"
"#;

#[test]
fn update_resumes_matches_a_hand_import_and_downloads_nothing_the_second_time() {
    let Some(shared) = wijkmonitor_testdata::shared_data() else { return };
    if !shared.join("cbs-odata-85984NED/stripped_filtered_data_2024.json").exists() {
        println!("skipping: no recorded 85984NED responses in {}", shared.display());
        return;
    }
    let mut bodies = odata(&shared);
    bodies.insert(
        "/lbm.example.nl/open-data/buurten.csv".into(),
        "bu_code,versie,jaar,bu_naam,lbm,afw,fys,onv,soc,vrz,won\n\
         BU03630001,3.0,2018,Oude buurt,3.9,-0.2,0,0,0,0,0\nBU03630002,3.0,2018,Nieuwe buurt,4.1,0.1,0,0,0,0,0\n"
            .into(),
    );
    // Amsterdam's re-coding: two 2019 buurten became BU0363FA01 and BU0363FA02 (of Nieuw-West) in 2024.
    bodies.insert(
        "/maps.example.nl/buurten/2019.json".into(),
        map(&[("BU03630001", 116_000.0), ("BU03630002", 117_000.0)]),
    );
    bodies.insert(
        "/maps.example.nl/buurten/2024.json".into(),
        map(&[("BU0363FA01", 116_000.0), ("BU0363FA02", 117_000.0)]),
    );
    let broken = Arc::new(AtomicBool::new(true));
    let server = serve(bodies, broken.clone());
    let (root, log) = (server.root.clone(), server.log.clone());

    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    std::fs::write(path("sources.toml"), MANIFEST).unwrap();
    let (db, raw) = (path("w.db"), path("raw"));
    let odata_url = format!("{root}/odata");
    let run = |db: &str| -> Vec<String> {
        ["update", "--db", db, "--sources", &path("sources.toml"), "--raw-dir", &raw, "--odata-url", &odata_url]
            .iter()
            .map(|s| s.to_string())
            .chain(["--mirror".to_string(), root.clone(), "--retries".into(), "0".into()])
            .collect()
    };

    // 1. Interrupted: the figures of the table fail. The file and the maps before it are in.
    let first = run(&db);
    let err = fails(&refs(&first));
    assert!(err.contains("table 85984NED") && err.contains("HTTP 500"), "{err}");
    assert!(Path::new(&raw).join("files/leefbaarometer-buurten.csv").exists());
    assert!(Path::new(&raw).join("maps/buurten_2024.geojson").exists());
    assert!(!Path::new(&raw).join("odata/85984NED").exists(), "no half-written table");

    // 2. Resumed: what was done is not downloaded again; the table is fetched and everything computed.
    broken.store(false, Ordering::SeqCst);
    let seen = log.lock().unwrap().len();
    let out = ok(&refs(&run(&db)));
    assert!(out.contains("leefbaarometer-buurten: unchanged"), "imported in the first run: {out}");
    assert!(out.contains("85984NED: imported ("), "{out}");
    assert!(
        out.contains("crosswalk: 4 rows"),
        "2019 to 2024 and 2024 to 2019 (Den Haag Zuidwest is on 2019 codes): {out}"
    );
    assert!(out.contains("computed "), "{out}");
    let second: Vec<(String, u16)> = log.lock().unwrap()[seen..].to_vec();
    for (target, status) in &second {
        if target.contains("lbm.example") || target.contains("maps.example") {
            assert_eq!(*status, 304, "{target} was downloaded again");
        }
    }
    let crosswalk = std::fs::read_to_string(Path::new(&raw).join("crosswalks/buurten.csv")).unwrap();
    assert!(crosswalk.contains("2019,BU03630001,2024,BU0363FA01,1.000000"), "{crosswalk}");

    // 3. Again: nothing is downloaded (every answer a 304) and nothing recomputed.
    let seen = log.lock().unwrap().len();
    let out = ok(&refs(&run(&db)));
    assert!(out.contains("nothing changed"), "{out}");
    let third: Vec<(String, u16)> = log.lock().unwrap()[seen..].to_vec();
    assert!(!third.is_empty() && third.iter().all(|(_, s)| *s == 304), "{third:?}");

    // 4. The same state as importing the recorded files by hand.
    let by_hand = path("hand.db");
    ok(&["import", &format!("{raw}/files/leefbaarometer-buurten.csv"), "--db", &by_hand]);
    ok(&["import", &format!("{raw}/odata/85984NED"), "--db", &by_hand]);
    let all = |db: &str| ok(&["export", "--db", db]);
    let (updated, hand) = (all(&db), all(&by_hand));
    assert!(updated.lines().count() > 1000, "{}", updated.lines().count());
    assert!(updated == hand, "update and a hand import hold different figures");
}
