//! End-to-end test of figures that exist per focus area: a register file loaded with `wijkmonitor register
//! --load`, computed with `wijkmonitor compute`, and exported for the area with its source, while buurten, the
//! municipality and the Netherlands get none of them.

mod support;

use support::ok;
use wijkmonitor_store::{Origin, Store};

/// A few buurt figures: the Netherlands, Heerlen and one buurt of Heerlen-Noord.
const FIGURES: &str = "region,period,variable,value,status
NL00,2025,inhabitants,17900000,final
GM0917,2025,inhabitants,86900,final
BU09171000,2025,inhabitants,1250,final
";

/// The real Heerlen-Noord tranche (requested and granted only) and synthetic progress figures.
const REGISTER: &str = r#"
[[record]]
area = "heerlen-noord"
year = 2025
scheme = "vhf"
instance = "tranche-3"
source = "Volkshuisvestingsfonds tranche 3, Heerlen-Noord, parliamentary record September 2025 (grant year not stated)"
synthetic = false
figures = { dwellings_requested = 1122, dwellings_granted = 645 }

[[record]]
area = "heerlen-noord"
year = 2026
scheme = "vhf"
instance = "tranche-3"
source = "SYNTHETIC test figures, not real"
synthetic = true
figures = { restructurings_started = 120, restructurings_completed = 15 }

[[record]]
area = "heerlen-noord"
year = 2025
scheme = "woontop"
instance = "realised"
source = "SYNTHETIC test figures, not real"
synthetic = true
figures = { starts = 80 }
"#;

/// The computed rows of one target and indicator: `(period, value, status, reason, source)`.
fn rows(csv: &str, target: &str, indicator: &str) -> Vec<(String, String, String, String, String)> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (region, period, ind, value, status, reason, source) =
        (col("region"), col("period"), col("indicator"), col("value"), col("status"), col("reason"), col("source"));
    reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[region] == target && &r[ind] == indicator)
        .map(|r| {
            (
                r[period].to_string(),
                r[value].to_string(),
                r[status].to_string(),
                r[reason].to_string(),
                r[source].to_string(),
            )
        })
        .collect()
}

#[test]
fn register_figures_reach_their_area_with_their_source_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    let figures = dir.path().join("figures.csv");
    std::fs::write(&figures, FIGURES).unwrap();
    ok(&["import", figures.to_str().unwrap(), "--format", "long-csv", "--db", db]);
    let register = dir.path().join("register.toml");
    std::fs::write(&register, REGISTER).unwrap();
    let out = ok(&["register", "--db", db, "--load", register.to_str().unwrap(), "--area", "heerlen-noord"]);
    assert!(out.contains("loaded 5 register entries"), "{out}");
    assert!(out.contains("restructurings started 120, completed 15"), "{out}");

    // Loading the same register again records nothing new.
    let n_imports = Store::open(std::path::Path::new(db)).unwrap().imports().unwrap().len();
    ok(&["register", "--db", db, "--load", register.to_str().unwrap()]);
    let store = Store::open(std::path::Path::new(db)).unwrap();
    assert_eq!(store.imports().unwrap().len(), n_imports);
    let stored: Vec<(String, String, Option<f64>, bool)> = store
        .area_figures(true)
        .unwrap()
        .into_iter()
        .filter(|f| f.origin == Origin::Register)
        .map(|f| (f.period.to_string(), f.variable, f.value.number(), f.published))
        .collect();
    assert_eq!(
        stored,
        vec![
            ("2025".into(), "new_dwellings_construction_started".into(), Some(80.0), true),
            ("2026".into(), "vhf_restructuring_completed".into(), Some(15.0), true),
            ("2026".into(), "vhf_restructuring_started".into(), Some(120.0), true),
        ]
    );
    drop(store);

    let report = ok(&["compute", "--db", db]);
    assert!(report.contains("area figures: 3 published figures"), "{report}");
    let area = ok(&["export", "--db", db, "--region", "heerlen-noord"]);
    let started = rows(&area, "heerlen-noord", "vhf_restructuring_started");
    // 2025 has no progress figure: no row at all, never a 0.
    assert_eq!(started.len(), 1, "{area}");
    let (period, value, status, _, source) = &started[0];
    assert_eq!((period.as_str(), value.as_str(), status.as_str()), ("2026", "120", "final"));
    assert!(
        source.starts_with("SYNTHETIC test figures, not real (import ") && source.ends_with("[SYNTHETIC]"),
        "{source}"
    );
    assert_eq!(rows(&area, "heerlen-noord", "vhf_restructuring_completed")[0].1, "15");
    assert_eq!(rows(&area, "heerlen-noord", "new_dwellings_construction_started")[0].1, "80");
    // The buurt figures of the area name their own import.
    let inhabitants = rows(&area, "heerlen-noord", "inhabitants");
    assert!(inhabitants.iter().all(|r| r.4.contains("figures.csv (import 1)")), "{inhabitants:?}");

    // The JSON twin carries the labels too.
    let json = ok(&[
        "export",
        "--db",
        db,
        "--region",
        "heerlen-noord",
        "--indicator",
        "vhf_restructuring_started",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["value"], 120.0);
    assert!(v[0]["source"]["labels"][0].as_str().unwrap().contains("SYNTHETIC test figures"), "{json}");

    // All areas together: one area of twenty reported, too few for a total.
    let all = ok(&["export", "--db", db, "--computed", "--region", "focusgebieden"]);
    let total = rows(&all, "focusgebieden", "vhf_restructuring_started");
    assert_eq!(total.len(), 1, "{all}");
    assert_eq!((total[0].1.as_str(), total[0].2.as_str(), total[0].3.as_str()), ("", "missing", "low_coverage"));

    // The buurt, the municipality and the Netherlands get no register figure.
    for target in ["BU09171000", "GM0917", "NL00"] {
        let out = ok(&["export", "--db", db, "--computed", "--region", target]);
        assert!(out.contains(&format!("{target},2025,inhabitants,")), "{target}:\n{out}");
        for indicator in
            ["vhf_restructuring_started", "vhf_restructuring_completed", "new_dwellings_construction_started"]
        {
            assert!(!out.contains(indicator), "{target} got {indicator}:\n{out}");
        }
    }
}
