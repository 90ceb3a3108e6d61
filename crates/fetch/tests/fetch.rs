//! Tests of `fetch_table` against a local HTTP server started in the test (127.0.0.1 only, no network).
//!
//! The server is a few lines over `std::net::TcpListener`: one thread, one request per connection,
//! `Content-Length` responses and `Connection: close`. The real-data test serves recorded responses built from
//! the real 85984NED metadata in `../shared/data` (skipped with a message when absent); the retry, error and
//! timeout tests serve small inline JSON and always run.

use serde_json::{json, Value as Json};
use std::fs;
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wijkmonitor_fetch::{fetch_table, FetchError, FetchEvent, FetchOptions};
use wijkmonitor_import::{odata, CodeLists, ImportContext, ImportOptions, Input};
use wijkmonitor_model::{Catalogue, Period, RegionCode, Status, Value};
use wijkmonitor_testdata::{http, shared_data};

// ---------------------------------------------------------------------------------------------------------
// The test server (wijkmonitor_testdata::http), answering from request target to (status, body)
// ---------------------------------------------------------------------------------------------------------

struct Server {
    /// `http://127.0.0.1:<port>`
    root: String,
    /// The request targets (path and query) in the order received, with their status.
    requests: Arc<Mutex<Vec<(String, u16)>>>,
}

/// Starts a server; `make` gets the server root and returns the handler from request target to (status, body).
fn serve<H>(make: impl FnOnce(String) -> H) -> Server
where
    H: FnMut(&str) -> (u16, String) + Send + 'static,
{
    let server = http::serve(move |root| {
        let mut handler = make(root);
        move |request: &http::Request| {
            let (status, body) = handler(&request.target);
            http::Response::new(status, body)
        }
    });
    Server { root: server.root, requests: server.log }
}

fn options(base: &str) -> FetchOptions {
    FetchOptions {
        base_url: base.to_string(),
        timeout: Duration::from_secs(10),
        retries: 3,
        retry_delay: Duration::from_millis(10),
    }
}

/// Runs a fetch and collects its events.
fn fetch(
    table: &str,
    dest: &Path,
    opts: &FetchOptions,
) -> (Result<wijkmonitor_fetch::FetchedTable, FetchError>, Vec<FetchEvent>) {
    let mut events = Vec::new();
    let result = fetch_table(table, dest, opts, &mut |e| events.push(e));
    (result, events)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
    names.sort();
    names
}

fn api(entity: &str, rows: Vec<Json>) -> String {
    json!({
        "odata.metadata": format!("https://opendata.cbs.nl/ODataApi/OData/85984NED/$metadata#Cbs.OData.WebAPI.{entity}"),
        "value": rows,
    })
    .to_string()
}

// ---------------------------------------------------------------------------------------------------------
// Real metadata
// ---------------------------------------------------------------------------------------------------------

/// Recorded responses of 85984NED: the real TableInfos and DataProperties (saved as bare arrays by python
/// cbsodata, wrapped here as the API serves them), the real 2024 code list of the regions used, and the real
/// figures of the author's reduction (`stripped_filtered_data_2024.json`), other topics null.
struct Recorded {
    table_infos: String,
    data_properties: String,
    code_list: String,
    rows: Vec<Json>,
}

fn recorded(shared: &Path) -> Recorded {
    use wijkmonitor_testdata::kwb_2024::{array, code_list, codes, rows};
    let rows = rows(shared, |_| true);
    Recorded {
        table_infos: api("TableInfos", array(shared, "TableInfos.json")),
        data_properties: api("DataProperties", array(shared, "DataProperties.json")),
        code_list: api("WijkenEnBuurten", code_list(shared, &codes(&rows))),
        rows,
    }
}

#[test]
fn fetches_all_pages_of_a_real_table_and_the_folder_imports() {
    let Some(shared) = shared_data() else { return };
    let recorded = recorded(&shared);
    let total = recorded.rows.len();
    let page = total.div_ceil(3);
    let pages: Vec<Vec<Json>> = recorded.rows.chunks(page).map(<[Json]>::to_vec).collect();
    assert_eq!(pages.len(), 3);
    let served: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let served_log = served.clone();
    let server = serve(move |root| {
        let base = format!("{root}/ODataApi/odata/85984NED");
        let page_body = move |i: usize| {
            let mut body = json!({"odata.metadata": "x", "value": pages[i]});
            if i + 1 < pages.len() {
                body["odata.nextLink"] = json!(format!("{base}/TypedDataSet?$format=json&$skip={}", (i + 1) * page));
            }
            body.to_string()
        };
        move |target: &str| {
            let body = match target {
                "/ODataApi/odata/85984NED/TableInfos?$format=json" => recorded.table_infos.clone(),
                "/ODataApi/odata/85984NED/DataProperties?$format=json" => recorded.data_properties.clone(),
                "/ODataApi/odata/85984NED/WijkenEnBuurten?$format=json" => recorded.code_list.clone(),
                "/ODataApi/odata/85984NED/TypedDataSet/$count" => return (200, total.to_string()),
                "/ODataApi/odata/85984NED/TypedDataSet?$format=json" => page_body(0),
                t if t.ends_with(&format!("&$skip={page}")) => page_body(1),
                t if t.ends_with(&format!("&$skip={}", 2 * page)) => page_body(2),
                _ => return (404, r#"{"odata.error": {"message": {"value": "not found"}}}"#.to_string()),
            };
            served_log.lock().unwrap().push(body.clone());
            (200, body)
        }
    });
    let dest = tempfile::tempdir().unwrap();
    // An earlier download is replaced, but only once the new one is complete.
    fs::create_dir_all(dest.path().join("85984NED")).unwrap();
    fs::write(dest.path().join("85984NED/old.txt"), "earlier download").unwrap();
    let (result, events) = fetch("85984NED", dest.path(), &options(&format!("{}/ODataApi/odata/", server.root)));
    let fetched = result.unwrap();

    assert_eq!(fetched.table_id, "85984NED");
    assert_eq!(fetched.folder, dest.path().join("85984NED"));
    assert_eq!(fetched.rows, total as u64);
    assert_eq!(entries(dest.path()), ["85984NED"], "no staging folder left behind");
    let written: Vec<String> =
        fetched.files.iter().map(|f| f.file_name().unwrap().to_string_lossy().to_string()).collect();
    assert_eq!(
        written,
        [
            "TableInfos.json",
            "DataProperties.json",
            "WijkenEnBuurten.json",
            "TypedDataSet-0001.json",
            "TypedDataSet-0002.json",
            "TypedDataSet-0003.json"
        ]
    );
    let mut expected_files = written.clone();
    expected_files.sort();
    assert_eq!(entries(&fetched.folder), expected_files);
    // Bodies are kept verbatim, in the order served.
    let served = served.lock().unwrap();
    for (file, body) in fetched.files.iter().zip(served.iter()) {
        assert_eq!(&fs::read_to_string(file).unwrap(), body, "{}", file.display());
    }
    assert_eq!(server.requests.lock().unwrap().iter().filter(|(r, _)| r.contains("TypedDataSet?")).count(), 3);

    // Progress: the announced total on every data page, and the entity sets in order.
    let data_pages: Vec<(u64, Option<u64>)> = events
        .iter()
        .filter_map(|e| match e {
            FetchEvent::Page { entity, rows_so_far, total } if entity == "TypedDataSet" => Some((*rows_so_far, *total)),
            _ => None,
        })
        .collect();
    let t = Some(total as u64);
    assert_eq!(data_pages, [(page as u64, t), (2 * page as u64, t), (total as u64, t)]);
    let done: Vec<&FetchEvent> = events.iter().filter(|e| matches!(e, FetchEvent::Done { .. })).collect();
    assert_eq!(done.len(), 4);
    assert_eq!(done[3], &FetchEvent::Done { entity: "TypedDataSet".into(), rows: total as u64 });
    assert_eq!(events[0], FetchEvent::Started { entity: "TableInfos".into() });
    assert!(!events.iter().any(|e| matches!(e, FetchEvent::Retry { .. })));

    // The folder imports with the OData reader into the real figures.
    let input = Input::load(&fetched.folder).unwrap();
    let catalogue = Catalogue::builtin();
    let code_lists = CodeLists::new();
    let ctx = ImportContext { catalogue: &catalogue, code_lists: &code_lists, options: ImportOptions::default() };
    let batch = odata::read(&input, &ctx).unwrap();
    assert_eq!(batch.source_table.as_deref(), Some("85984NED"));
    assert_eq!(batch.classification_year, Some(2024));
    assert_eq!(batch.regions.len(), total);
    let figure = |region: &str, variable: &str| {
        let region = RegionCode::parse(region).unwrap();
        batch
            .observations
            .iter()
            .find(|o| o.region == region && o.period == Period::Year(2024) && o.variable == variable)
            .map(|o| o.value)
    };
    assert_eq!(figure("GM1680", "inhabitants"), Some(Value::final_(25845.0)));
    assert_eq!(figure("WK168000", "inhabitants"), Some(Value::final_(3590.0)));
    assert_eq!(figure("GM1680", "households").map(|v| v.status()), Some(Status::Missing));
}

// ---------------------------------------------------------------------------------------------------------
// Inline responses (always run)
// ---------------------------------------------------------------------------------------------------------

/// A made-up two-region table, served under `/odata/12345NED/`.
fn small_table(target: &str, root: &str) -> (u16, String) {
    let body = match target {
        "/odata/12345NED/TableInfos?$format=json" => {
            r#"{"value": [{"Identifier": "12345NED", "Title": "Proef", "Period": "2024"}]}"#.to_string()
        }
        "/odata/12345NED/DataProperties?$format=json" => r#"{"value": [
            {"Type": "GeoDimension", "Key": "RegioS", "MapYear": 2024},
            {"Type": "Topic", "Key": "AantalInwoners_1", "Title": "Aantal inwoners", "Unit": "aantal", "Datatype": "Long"}]}"#
            .to_string(),
        "/odata/12345NED/RegioS?$format=json" => {
            r#"{"value": [{"Key": "GM0001", "Title": "Ergens"}, {"Key": "GM0002", "Title": "Elders"}]}"#.to_string()
        }
        "/odata/12345NED/TypedDataSet?$format=json" => format!(
            r#"{{"value": [{{"ID": 0, "RegioS": "GM0001", "AantalInwoners_1": 5}}], "odata.nextLink": "{root}/odata/12345NED/TypedDataSet?$skip=1"}}"#
        ),
        "/odata/12345NED/TypedDataSet?$skip=1" => r#"{"value": [{"ID": 1, "RegioS": "GM0002", "AantalInwoners_1": null}]}"#.to_string(),
        _ => return (404, "Not found".to_string()),
    };
    (200, body)
}

#[test]
fn server_errors_are_retried_until_they_succeed() {
    let mut failures = 0;
    let server = serve(move |root| {
        move |target: &str| {
            if target.contains("DataProperties") && failures < 2 {
                failures += 1;
                return (500, "busy".to_string());
            }
            small_table(target, &root)
        }
    });
    let dest = tempfile::tempdir().unwrap();
    let (result, events) = fetch("12345NED", dest.path(), &options(&format!("{}/odata", server.root)));
    let fetched = result.unwrap();
    assert_eq!(fetched.rows, 2);
    let retries: Vec<&FetchEvent> = events.iter().filter(|e| matches!(e, FetchEvent::Retry { .. })).collect();
    let url = format!("{}/odata/12345NED/DataProperties?$format=json", server.root);
    assert_eq!(
        retries,
        [
            &FetchEvent::Retry { url: url.clone(), attempt: 1, error: "HTTP 500 Internal Server Error".into() },
            &FetchEvent::Retry { url, attempt: 2, error: "HTTP 500 Internal Server Error".into() },
        ]
    );
    // $count failed (404): no total, without retries.
    assert!(events.contains(&FetchEvent::Page { entity: "TypedDataSet".into(), rows_so_far: 1, total: None }));
    assert_eq!(server.requests.lock().unwrap().iter().filter(|(r, _)| r.ends_with("$count")).count(), 1);
    assert_eq!(
        entries(&fetched.folder),
        ["DataProperties.json", "RegioS.json", "TableInfos.json", "TypedDataSet-0001.json", "TypedDataSet-0002.json"]
    );

    let input = Input::load(&fetched.folder).unwrap();
    let catalogue = Catalogue::builtin();
    let code_lists = CodeLists::new();
    let ctx = ImportContext { catalogue: &catalogue, code_lists: &code_lists, options: ImportOptions::default() };
    let batch = odata::read(&input, &ctx).unwrap();
    assert_eq!(batch.regions.len(), 2);
    let values: Vec<(String, Value)> = batch.observations.iter().map(|o| (o.region.to_string(), o.value)).collect();
    assert_eq!(values, [("GM0001".to_string(), Value::final_(5.0)), ("GM0002".to_string(), Value::missing())]);
}

#[test]
fn unknown_table_fails_without_retry_and_leaves_no_folder() {
    let server = serve(|root| move |target: &str| small_table(target, &root));
    let dest = tempfile::tempdir().unwrap();
    let (result, events) = fetch("99999NED", dest.path(), &options(&format!("{}/odata", server.root)));
    let err = result.unwrap_err();
    let url = format!("{}/odata/99999NED/TableInfos?$format=json", server.root);
    assert!(matches!(&err, FetchError::Status { status: 404, attempts: 1, url: u, .. } if *u == url), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "GET {url} failed with HTTP 404 Not Found (Not found): the table or entity set does not exist; check the table \
             id and the base URL"
        )
    );
    assert_eq!(server.requests.lock().unwrap().len(), 1, "a 404 is not retried");
    assert!(!events.iter().any(|e| matches!(e, FetchEvent::Retry { .. })));
    assert!(entries(dest.path()).is_empty(), "{:?}", entries(dest.path()));

    // A failure half-way (the code list is missing) leaves an earlier download untouched.
    let server = serve(|root| {
        move |target: &str| if target.contains("RegioS") { (404, String::new()) } else { small_table(target, &root) }
    });
    fs::create_dir(dest.path().join("12345NED")).unwrap();
    fs::write(dest.path().join("12345NED/TableInfos.json"), "earlier").unwrap();
    let (result, _) = fetch("12345NED", dest.path(), &options(&format!("{}/odata", server.root)));
    assert!(matches!(result, Err(FetchError::Status { status: 404, .. })));
    assert_eq!(entries(dest.path()), ["12345NED"]);
    assert_eq!(fs::read_to_string(dest.path().join("12345NED/TableInfos.json")).unwrap(), "earlier");
}

#[test]
fn a_server_that_never_answers_times_out() {
    // Connections complete in the kernel's backlog but nobody ever reads or answers them.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/odata", silent.local_addr().unwrap());
    let dest = tempfile::tempdir().unwrap();
    let opts = FetchOptions { timeout: Duration::from_millis(300), retries: 1, ..options(&base) };
    let started = Instant::now();
    let (result, events) = fetch("12345NED", dest.path(), &opts);
    let err = result.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(matches!(err, FetchError::Transport { timed_out: true, attempts: 2, .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.starts_with(&format!("GET {base}/12345NED/TableInfos?$format=json timed out")), "{message}");
    assert!(message.ends_with("or raise the timeout"), "{message}");
    assert_eq!(events.iter().filter(|e| matches!(e, FetchEvent::Retry { attempt: 1, .. })).count(), 1);
    assert!(entries(dest.path()).is_empty());
    drop(silent);
}

#[test]
fn endless_paging_and_bad_answers_are_refused() {
    let server = serve(|root| {
        move |target: &str| match target {
            "/odata/12345NED/TypedDataSet?$skip=1" => (
                200,
                format!(
                    r#"{{"value": [{{"ID": 1}}], "odata.nextLink": "{root}/odata/12345NED/TypedDataSet?$skip=1"}}"#
                ),
            ),
            _ => small_table(target, &root),
        }
    });
    let dest = tempfile::tempdir().unwrap();
    let (result, _) = fetch("12345NED", dest.path(), &options(&format!("{}/odata", server.root)));
    let err = result.unwrap_err();
    assert!(matches!(&err, FetchError::EndlessPaging { url } if url.ends_with("TypedDataSet?$skip=1")), "{err:?}");
    assert!(err.to_string().contains("links back to a page it returned before"), "{err}");
    assert!(entries(dest.path()).is_empty());

    let server = serve(|_| |_: &str| (200, "<html>maintenance</html>".to_string()));
    let (result, _) = fetch("12345NED", dest.path(), &options(&format!("{}/odata", server.root)));
    let err = result.unwrap_err();
    assert!(matches!(err, FetchError::BadResponse { .. }), "{err:?}");
    assert!(err.to_string().contains("did not return a CBS OData entity set (the body is not JSON"), "{err}");

    let (result, events) = fetch("../etc", dest.path(), &options(&format!("{}/odata", server.root)));
    assert!(matches!(result, Err(FetchError::InvalidTableId(_))));
    assert!(events.is_empty());
    assert!(entries(dest.path()).is_empty());
}
