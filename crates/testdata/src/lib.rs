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

/// A tiny HTTP/1.1 server for tests (127.0.0.1 only): one thread, one request per connection, `Content-Length`
/// responses and `Connection: close`. Each request is logged with the status it got.
pub mod http {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// A request as received.
    pub struct Request {
        /// The path and query.
        pub target: String,
        head: String,
    }

    impl Request {
        /// A request header's value, by case-insensitive name.
        pub fn header(&self, name: &str) -> Option<&str> {
            self.head.lines().skip(1).find_map(|l| {
                l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.trim())
            })
        }
    }

    /// A response: status, extra headers and a JSON (or other) body.
    pub struct Response {
        pub status: u16,
        pub headers: Vec<(String, String)>,
        pub body: String,
    }

    impl Response {
        pub fn new(status: u16, body: impl Into<String>) -> Response {
            Response { status, headers: Vec::new(), body: body.into() }
        }
    }

    /// A running server.
    pub struct Server {
        /// `http://127.0.0.1:<port>`
        pub root: String,
        /// Every request's target and the status it got, in order.
        pub log: Arc<Mutex<Vec<(String, u16)>>>,
    }

    /// Starts a server; `make` gets the server's root and returns the handler.
    pub fn serve<H>(make: impl FnOnce(String) -> H) -> Server
    where
        H: FnMut(&Request) -> Response + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind a test server: {e}"));
        let root = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("its address: {e}")));
        let mut handler = make(root.clone());
        let log = Arc::new(Mutex::new(Vec::new()));
        let served = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).to_string();
                let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let response = handler(&Request { target: target.clone(), head });
                if let Ok(mut log) = served.lock() {
                    log.push((target, response.status));
                }
                let reason = match response.status {
                    200 => "OK",
                    304 => "Not Modified",
                    404 => "Not Found",
                    429 => "Too Many Requests",
                    500 => "Internal Server Error",
                    _ => "Status",
                };
                let mut text = format!("HTTP/1.1 {} {reason}\r\n", response.status);
                for (name, value) in &response.headers {
                    text.push_str(&format!("{name}: {value}\r\n"));
                }
                text.push_str(&format!(
                    "Content-Type: application/json;charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    response.body.len()
                ));
                let _ = stream.write_all(text.as_bytes()).and_then(|()| stream.write_all(response.body.as_bytes()));
            }
        });
        Server { root, log }
    }
}
