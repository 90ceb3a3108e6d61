//! Test support shared by the integration tests of every crate: where the real public data lives.
//!
//! The project never copies real data files into the repository; tests read them from `../shared/data` next to
//! the project (or from `WIJKMONITOR_SHARED_DATA`), and skip the parts that need them, saying so, when absent.

use std::path::{Path, PathBuf};

/// The folder with the shared real data, or `None` after printing why the calling test is skipped.
pub fn shared_data() -> Option<PathBuf> {
    let dir = match std::env::var_os("WIJKMONITOR_SHARED_DATA") {
        Some(d) => PathBuf::from(d),
        // CARGO_MANIFEST_DIR of this crate is <project>/crates/testdata.
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipping: ../shared/data not found (set WIJKMONITOR_SHARED_DATA)");
        None
    }
}

/// The real Leefbaarometer total score of every buurt in each of `years` (NaN where a buurt has none that year), by
/// buurt code, from `leefbaarometer/buurten-2002-2020.csv`; `None` (after saying why) when the file is absent.
pub fn leefbaarometer_scores(years: &[i32]) -> Option<std::collections::BTreeMap<String, Vec<f64>>> {
    let path = shared_data()?.join("leefbaarometer/buurten-2002-2020.csv");
    if !path.exists() {
        println!("skipping: {} not found", path.display());
        return None;
    }
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().unwrap_or_else(|e| panic!("{}: {e}", path.display())).clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (code, year, lbm) = (col("bu_code"), col("jaar"), col("lbm"));
    let mut values = std::collections::BTreeMap::new();
    for record in reader.records() {
        let record = record.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let Some(y) = years.iter().position(|&x| record[year].parse::<i32>().ok() == Some(x)) else { continue };
        let v = record[lbm].parse::<f64>().unwrap_or(f64::NAN);
        values.entry(record[code].to_string()).or_insert_with(|| vec![f64::NAN; years.len()])[y] = v;
    }
    Some(values)
}
