//! `wijkmonitor crosswalk` end to end: an area defined on 2024 buurt codes (Amsterdam re-coded its buurten in 2022)
//! is followed into 2019, whose figures are in the old codes, through a crosswalk made from the two years' maps
//! (one in RD New, one in WGS84, one old buurt divided over two new ones), and the command's errors.

mod support;

use support::{fails, ok};
use wijkmonitor_maps::rd::to_wgs84;

/// A GeoJSON FeatureCollection of rectangles `(code, x0, y0, x1, y1)` in RD New metres, written in RD New or
/// (converted) in WGS84.
fn geojson(rects: &[(&str, f64, f64, f64, f64)], code_field: &str, wgs84: bool) -> String {
    let features: Vec<String> = rects
        .iter()
        .map(|&(code, x0, y0, x1, y1)| {
            let ring: Vec<String> = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
                .iter()
                .map(|&[x, y]| {
                    let [a, b] = if wgs84 { to_wgs84(x, y) } else { [x, y] };
                    format!("[{a},{b}]")
                })
                .collect();
            format!(
                r#"{{"type":"Feature","properties":{{"{code_field}":"{code}"}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}"#,
                ring.join(",")
            )
        })
        .collect();
    let crs = if wgs84 { "" } else { r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"# };
    format!(r#"{{"type":"FeatureCollection",{crs}"features":[{}]}}"#, features.join(","))
}

#[test]
fn an_area_on_2024_codes_is_followed_into_2019_through_a_crosswalk_from_maps() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    // 2019: three buurten of 1 km by 1 km next to each other in Amsterdam.
    let (x, y) = (120_000.0, 485_000.0);
    let old = [
        ("BU03630001", x, y, x + 1000.0, y + 1000.0),
        ("BU03630002", x + 1000.0, y, x + 2000.0, y + 1000.0),
        ("BU03630003", x + 2000.0, y, x + 3000.0, y + 1000.0),
    ];
    // 2024: the same land with new codes; the third buurt divided into a western 40% and an eastern 60%.
    let new = [
        ("BU0363FA01", x, y, x + 1000.0, y + 1000.0),
        ("BU0363FA02", x + 1000.0, y, x + 2000.0, y + 1000.0),
        ("BU0363FA03", x + 2000.0, y, x + 2400.0, y + 1000.0),
        ("BU0363FA04", x + 2400.0, y, x + 3000.0, y + 1000.0),
    ];
    std::fs::write(path("buurten_2019.geojson"), geojson(&old, "buurtcode", false)).unwrap();
    std::fs::write(path("buurten_2024.geojson"), geojson(&new, "BU_CODE", true)).unwrap();
    let out = support::wijkmonitor(&[
        "crosswalk",
        "--from",
        &path("buurten_2019.geojson"),
        "--to",
        &path("buurten_2024.geojson"),
        "-o",
        &path("crosswalk.csv"),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("crosswalk 2019 -> 2024") && stderr.contains("1 region(s) divided"), "{stderr}");
    let csv = std::fs::read_to_string(path("crosswalk.csv")).unwrap();
    // The WGS84 map is about a metre off the RD one after the round trip: shares within 0.5%.
    let rows: Vec<(String, String, f64)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!((f[0], f[2]), ("2019", "2024"), "{l}");
            (f[1].to_string(), f[3].to_string(), f[4].parse().unwrap())
        })
        .collect();
    let share = |a: &str, b: &str| rows.iter().find(|r| r.0 == a && r.1 == b).map_or(0.0, |r| r.2);
    assert!((share("BU03630001", "BU0363FA01") - 1.0).abs() < 0.005, "{csv}");
    assert!((share("BU03630002", "BU0363FA02") - 1.0).abs() < 0.005, "{csv}");
    assert!((share("BU03630003", "BU0363FA03") - 0.4).abs() < 0.005, "{csv}");
    assert!((share("BU03630003", "BU0363FA04") - 0.6).abs() < 0.005, "{csv}");
    assert_eq!(rows.len(), 4, "no slivers along the shared edges: {csv}");

    // Figures of 2019 in the old codes, of 2024 in the new; the area is defined on the 2024 codes.
    std::fs::write(
        path("figures.csv"),
        "region,period,variable,value,status\n\
         BU03630001,2019,inhabitants,1000,final\nBU03630002,2019,inhabitants,2000,final\nBU03630003,2019,inhabitants,3000,final\n\
         BU0363FA01,2024,inhabitants,1100,final\nBU0363FA02,2024,inhabitants,2100,final\nBU0363FA03,2024,inhabitants,1300,final\n\
         BU0363FA04,2024,inhabitants,1900,final\n",
    )
    .unwrap();
    std::fs::write(
        path("areas.csv"),
        "area_id,area_name,gemeente_code,buurt_code,classification_year\n\
         amsterdam-test,Amsterdam test,GM0363,BU0363FA01,2024\namsterdam-test,Amsterdam test,GM0363,BU0363FA02,2024\n\
         amsterdam-test,Amsterdam test,GM0363,BU0363FA03,2024\n",
    )
    .unwrap();
    let db = path("w.db");
    ok(&["import", &path("figures.csv"), "--format", "long-csv", "--db", &db]);
    let areas = path("areas.csv");
    let inhabitants = |period: &str, extra: &[&str]| {
        let mut args = vec!["compute", "--db", &db, "--areas", &areas];
        args.extend_from_slice(extra);
        ok(&args);
        let csv = ok(&["export", "--db", &db, "--region", "amsterdam-test", "--indicator", "inhabitants"]);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers().unwrap().clone();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name} in {csv}"));
        let (p, v) = (col("period"), col("value"));
        reader.records().map(|r| r.unwrap()).find(|r| &r[p] == period).and_then(|r| r[v].parse::<f64>().ok())
    };
    // Without the crosswalk the area has no 2019 buurten; with it, 1000 + 2000 + 40% of 3000.
    assert_eq!(inhabitants("2024", &[]), Some(4500.0));
    let crosswalk = path("crosswalk.csv");
    let followed = inhabitants("2019", &["--crosswalk", &crosswalk]).expect("a 2019 figure through the crosswalk");
    assert!((followed - 4200.0).abs() < 20.0, "{followed}");
    // The delineation in 2019 codes, as the engine followed it: written per period with the crosswalk's shares.
    let out = path("by-period.csv");
    ok(&["areas", "--db", &db, "--areas", &areas, "--by-period", "--crosswalk", &crosswalk, "-o", &out]);
    let by_period = std::fs::read_to_string(&out).unwrap();
    let rows_2019: Vec<&str> = by_period.lines().filter(|l| l.starts_with("amsterdam-test,2019,")).collect();
    assert!(!rows_2019.is_empty() && rows_2019.iter().all(|l| l.ends_with(",crosswalk")), "{by_period}");
    assert!(rows_2019.iter().any(|l| l.contains(",0.4")), "the partly covered buurt with its share: {by_period}");
    assert_eq!(
        by_period.lines().filter(|l| l.starts_with("amsterdam-test,2024,") && l.ends_with(",1,same_code")).count(),
        3
    );
    // Without the crosswalk the 2019 buurten are unmatched, and the summary says so.
    let summary = ok(&["areas", "--db", &db, "--areas", &areas, "--by-period"]);
    assert!(
        summary.lines().any(|l| l.starts_with("amsterdam-test") && l.contains("2019") && l.contains("3 (100.0%)")),
        "{summary}"
    );
}

#[test]
fn crosswalk_errors_name_the_file_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    std::fs::write(
        path("kaart.geojson"),
        geojson(&[("BU00010001", 0.0, 300_000.0, 10.0, 300_010.0)], "buurtcode", false),
    )
    .unwrap();
    std::fs::write(path("broken_2019.json"), "{\"type\": \"FeatureCollection\",\n \"features\": [,]}").unwrap();
    let err = fails(&["crosswalk", "--from", &path("kaart.geojson"), "--to", &path("kaart.geojson")]);
    assert!(err.contains("kaart.geojson: no year") && err.contains("--from-year"), "{err}");
    let err = fails(&["crosswalk", "--from", &path("broken_2019.json"), "--to", &path("kaart.geojson")]);
    assert!(err.contains("broken_2019.json: line 2, column 15"), "{err}");
    let err = fails(&[
        "crosswalk",
        "--from",
        &path("kaart.geojson"),
        "--to",
        &path("kaart.geojson"),
        "--from-year",
        "2019",
        "--to-year",
        "2020",
        "--code-field",
        "wijkcode",
    ]);
    assert!(err.contains("no property 'wijkcode'") && err.contains("buurtcode"), "{err}");
}
