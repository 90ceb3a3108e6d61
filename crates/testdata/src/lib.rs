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

/// Recorded CBS OData responses of table 85984NED (Kerncijfers wijken en buurten 2024), built from the real
/// files in `../shared/data`: the real `TableInfos` and `DataProperties`, the real 2024 code list (cbsodataR CSV)
/// and the author's reduction of the figures (`stripped_filtered_data_2024.json`, `{code: {topic: value}}`).
pub mod kwb_2024 {
    use serde_json::{json, Value};
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// The folder of the real metadata.
    pub const DIR: &str = "cbs-odata-85984NED";

    /// A JSON array file of the folder (`TableInfos.json`, `DataProperties.json`), as python cbsodata saved it.
    pub fn array(shared: &Path, name: &str) -> Vec<Value> {
        let text = std::fs::read_to_string(shared.join(DIR).join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// An entity set as the API serves it: `{"odata.metadata": ..., "value": rows}`.
    pub fn api(entity: &str, rows: Vec<Value>) -> Value {
        json!({
            "odata.metadata": format!("https://opendata.cbs.nl/ODataApi/OData/85984NED/$metadata#Cbs.OData.WebAPI.{entity}"),
            "value": rows,
        })
    }

    /// The `TypedDataSet` rows of the regions `keep` accepts: one row per region, every topic of the real
    /// `DataProperties` present, null unless the reduction has it.
    pub fn rows(shared: &Path, keep: impl Fn(&str) -> bool) -> Vec<Value> {
        let topics: Vec<String> = array(shared, "DataProperties.json")
            .iter()
            .filter(|p| p["Type"] == "Topic")
            .filter_map(|p| p["Key"].as_str().map(str::to_string))
            .collect();
        let text = std::fs::read_to_string(shared.join(DIR).join("stripped_filtered_data_2024.json"))
            .unwrap_or_else(|e| panic!("the reduction: {e}"));
        let reduced: BTreeMap<String, BTreeMap<String, Value>> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("the reduction: {e}"));
        reduced
            .iter()
            .filter(|(code, _)| keep(code))
            .enumerate()
            .map(|(id, (code, figures))| {
                let mut row = serde_json::Map::new();
                row.insert("ID".into(), json!(id));
                row.insert("WijkenEnBuurten".into(), json!(format!("{code:<10}")));
                for topic in &topics {
                    row.insert(topic.clone(), figures.get(topic).cloned().unwrap_or(Value::Null));
                }
                Value::Object(row)
            })
            .collect()
    }

    /// The real 2024 code list restricted to `codes`, as API rows of `WijkenEnBuurten` (empty cells as null).
    pub fn code_list(shared: &Path, codes: &BTreeSet<String>) -> Vec<Value> {
        let path = shared.join("cbs-odata-csv/kwb-85984NED/WijkenEnBuurten.csv");
        let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let header = reader.headers().cloned().unwrap_or_default();
        let col = |name: &str| header.iter().position(|h| h == name);
        reader
            .records()
            .filter_map(Result::ok)
            .filter(|r| col("Key").and_then(|i| r.get(i)).is_some_and(|k| codes.contains(k.trim())))
            .map(|r| {
                let field = |k: &str| match col(k).and_then(|i| r.get(i)) {
                    Some(v) if !v.is_empty() => Value::String(v.to_string()),
                    _ => Value::Null,
                };
                json!({
                    "Key": field("Key"),
                    "Title": field("Title"),
                    "Description": field("Description"),
                    "Municipality": field("Municipality"),
                    "DetailRegionCode": field("DetailRegionCode"),
                })
            })
            .collect()
    }

    /// The region codes of some `TypedDataSet` rows.
    pub fn codes(rows: &[Value]) -> BTreeSet<String> {
        rows.iter().filter_map(|r| r["WijkenEnBuurten"].as_str()).map(|c| c.trim().to_string()).collect()
    }
}
