//! Route tests of the dashboard: every page and its JSON and CSV twins, key figures shown the same in HTML
//! and JSON, JSON snapshots, the OpenAPI document, the error shape, ETag/304, CORS, and that nothing is
//! served that did not pass disclosure control.
//!
//! The demo database is built once per test binary, by the same function `wijkmonitor demo` and
//! `wijkmonitor serve` use, into a temporary folder. Requests go through the router in-process.
//! Regenerate the snapshots after an intended change with `UPDATE_SNAPSHOTS=1 cargo test -p wijkmonitor-web`.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tower::ServiceExt;
use wijkmonitor_model::area::parse_areas_csv;
use wijkmonitor_model::{BUILTIN_AREAS, BUILTIN_AREAS_NAME};
use wijkmonitor_pipeline::demo::Source;
use wijkmonitor_readmodel::Snapshot;
use wijkmonitor_store::Store;

struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    router: Router,
}

/// The demo database and a router over it, built once for all tests of this binary.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder");
        let db = dir.path().join("demo.db");
        let areas = parse_areas_csv(BUILTIN_AREAS, BUILTIN_AREAS_NAME, true).expect("built-in delineation");
        wijkmonitor_pipeline::demo::build_demo_database(
            &db,
            Source::Synthetic,
            &areas,
            "2026-05-01T12:00:00Z",
            &|_| {},
        )
        .expect("demo database");
        let router = router_for(&db);
        Fixture { _dir: dir, db, router }
    })
}

fn router_for(db: &Path) -> Router {
    let store = Store::open(db).expect("open the database");
    let areas = parse_areas_csv(BUILTIN_AREAS, BUILTIN_AREAS_NAME, true).expect("built-in delineation");
    wijkmonitor_web::router(Snapshot::load(&store, Some(&areas), None).expect("snapshot"))
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    fn header(&self, name: header::HeaderName) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    }
}

async fn request(router: &Router, method: Method, uri: &str, headers: &[(header::HeaderName, &str)]) -> Answer {
    let mut builder = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        builder = builder.header(k, *v);
    }
    let response = router.clone().oneshot(builder.body(Body::empty()).expect("request")).await.expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.expect("body").to_bytes().to_vec();
    Answer { status, headers, body }
}

async fn get(uri: &str) -> Answer {
    request(&fixture().router, Method::GET, uri, &[]).await
}

const PAGES: [&str; 10] = [
    "/",
    "/actielijn/integral",
    "/actielijn/physical",
    "/actielijn/participation",
    "/actielijn/safety",
    "/gebied/den-haag-zuidwest",
    "/gebied/amsterdam-zuidoost",
    "/indicator/net_labour_participation",
    "/downloads",
    "/over",
];

fn twin(page: &str, ext: &str) -> String {
    if page == "/" {
        format!("/index.{ext}")
    } else {
        format!("{page}.{ext}")
    }
}

#[tokio::test]
async fn every_page_and_its_twins_answer_with_the_right_content_type() {
    for page in PAGES {
        let html = get(page).await;
        assert_eq!(html.status, StatusCode::OK, "{page}");
        assert_eq!(html.header(header::CONTENT_TYPE), "text/html; charset=utf-8", "{page}");
        assert!(html.text().starts_with("<!DOCTYPE html>"), "{page}");
        let json = get(&twin(page, "json")).await;
        assert_eq!(json.status, StatusCode::OK, "{page}.json");
        assert_eq!(json.header(header::CONTENT_TYPE), "application/json", "{page}.json");
        assert_eq!(json.json()["meta"]["api_version"], "1", "{page}.json");
        let csv = get(&twin(page, "csv")).await;
        assert_eq!(csv.status, StatusCode::OK, "{page}.csv");
        assert_eq!(csv.header(header::CONTENT_TYPE), "text/csv; charset=utf-8", "{page}.csv");
        // The same twins through ?format= and through the versioned API.
        let by_param = get(&format!("{page}?format=json")).await;
        assert!(by_param.body == json.body, "{page}?format=json");
        let api = get(&format!("/api/v1{}", if page == "/" { "" } else { page })).await;
        assert!(api.body == json.body, "/api/v1{page}");
    }
    let english = get("/gebied/den-haag-zuidwest?lang=en").await;
    assert!(english.text().contains("<html lang=\"en\">"));
    assert_eq!(english.header(header::CONTENT_LANGUAGE), "en");
    // `/en/...` is the English address the pages link to (and a static release holds); it answers the same.
    let prefixed = get("/en/gebied/den-haag-zuidwest").await;
    assert!(prefixed.body == english.body, "/en/gebied/... equals ?lang=en");
    assert!(prefixed.text().contains("href=\"/en/indicator/"), "English pages link English pages");
    assert!(get("/en").await.body == get("/?lang=en").await.body);
    assert!(get("/en/rapport/nationaal-2025.html").await.status != StatusCode::INTERNAL_SERVER_ERROR);
    assert!(get("/en/gebied/den-haag-zuidwest?lang=nl").await.body == get("/gebied/den-haag-zuidwest").await.body);
    assert_eq!(get("/enschede").await.status, StatusCode::NOT_FOUND);
    assert!(get("/index.json").await.body == get("/.json").await.body);
    let accept = request(&fixture().router, Method::GET, "/over", &[(header::ACCEPT, "application/json")]).await;
    assert_eq!(accept.header(header::CONTENT_TYPE), "application/json");
    let head = request(&fixture().router, Method::HEAD, "/over", &[]).await;
    assert_eq!(head.status, StatusCode::OK);
}

#[tokio::test]
async fn the_area_page_shows_the_figures_of_its_json_twin() {
    let json = get("/gebied/den-haag-zuidwest.json").await.json();
    let inhabitants = find_indicator(&json, "inhabitants");
    let value = inhabitants["figure"]["value"].as_f64().expect("inhabitants has a number");
    let nl = wijkmonitor_web::format::number(value, 0, wijkmonitor_web::i18n::Lang::Nl);
    let en = wijkmonitor_web::format::number(value, 0, wijkmonitor_web::i18n::Lang::En);
    assert!(nl.contains('.') && en.contains(','), "{nl} {en}: a five-digit number shows a thousands separator");
    let html = get("/gebied/den-haag-zuidwest").await.text();
    assert!(html.contains(&format!("data-indicator=\"inhabitants\">{nl}<")), "Dutch page shows {nl}");
    let html_en = get("/gebied/den-haag-zuidwest?lang=en").await.text();
    assert!(html_en.contains(&format!("data-indicator=\"inhabitants\">{en}<")), "English page shows {en}");
    // A percentage with one decimal: Dutch decimal comma.
    let participation = find_indicator(&json, "net_labour_participation");
    if let Some(v) = participation["figure"]["value"].as_f64() {
        let shown = wijkmonitor_web::format::number(v, 1, wijkmonitor_web::i18n::Lang::Nl);
        assert!(shown.contains(','), "{shown}");
        assert!(html.contains(&format!("data-indicator=\"net_labour_participation\">{shown}")), "shows {shown}");
    }
    // The CSV twin carries the same number with its provenance.
    let csv = get("/gebied/den-haag-zuidwest.csv").await.text();
    let header_line = csv.lines().next().unwrap_or("");
    assert!(
        header_line.starts_with("region,region_name,region_kind,period,indicator,value,status,reason"),
        "{header_line}"
    );
    let period = inhabitants["period"].as_str().unwrap_or("");
    assert!(
        csv.lines()
            .any(|l| l
                .starts_with(&format!("den-haag-zuidwest,Den Haag Zuidwest,area,{period},inhabitants,{value},final,"))),
        "CSV has the area's inhabitants"
    );
    // Comparisons, delineation and the labels the page must carry.
    assert!(inhabitants["comparison"]["netherlands"].is_number());
    assert_eq!(json["area"]["indicative"], true);
    assert_eq!(json["area"]["buurten"].as_array().map(Vec::len), Some(13));
    assert!(html.contains("SYNTHETISCHE demodata") && html.contains("Indicatieve afbakening"));
    assert!(html.contains("<svg class=\"spark\"") && html.contains("<title id="));
    assert!(html.contains("grensbestanden"), "says that a buurt map needs boundary files");
    assert_eq!(json["provenance"]["compute_run"], json["meta"]["compute_run"]["id"]);
    assert!(json["provenance"]["imports"].as_array().is_some_and(|i| i.iter().all(|i| i["source_table"].is_string())));
}

#[tokio::test]
async fn the_indicator_and_action_line_pages_agree_with_their_twins() {
    let json = get("/indicator/net_labour_participation.json").await.json();
    let html = get("/indicator/net_labour_participation").await.text();
    let first = &json["ranking"][0];
    let id = first["id"].as_str().unwrap_or("");
    let v = first["figure"]["value"].as_f64().expect("the best area has a figure");
    let shown = wijkmonitor_web::format::number(v, 1, wijkmonitor_web::i18n::Lang::Nl);
    assert!(html.contains(&format!("data-area=\"{id}\">{shown}")), "ranking shows {shown} for {id}");
    assert_eq!(first["rank"], 1);
    assert!(json["indicator"]["disclosure"]["description_nl"].as_str().is_some_and(|d| d.contains("150")));
    assert!(html.contains("role=\"img\"") && html.contains("class=\"map\""));
    let selected = get("/indicator/net_labour_participation.json?gebied=den-haag-zuidwest").await.json();
    assert_eq!(selected["selected_area"], "den-haag-zuidwest");
    assert_eq!(get("/indicator/net_labour_participation?gebied=nope").await.status, StatusCode::NOT_FOUND);

    let line = get("/actielijn/participation.json").await.json();
    assert_eq!(line["areas"].as_array().map(Vec::len), Some(20));
    let columns = line["indicators"].as_array().expect("columns");
    assert!(columns.iter().any(|c| c["indicator"]["id"] == "net_labour_participation"));
    let overview = get("/index.json").await.json();
    assert_eq!(overview["areas"].as_array().map(Vec::len), Some(20));
    assert!(overview["headline"].as_array().is_some_and(|h| h.len() >= 3));
    let overview_html = get("/").await.text();
    assert!(overview_html.contains("id=\"nl-map\"") || overview_html.contains("nl-map-t"));
    assert!(overview_html.contains("/actielijn/safety"));
}

#[tokio::test]
async fn downloads_are_csv_and_xlsx() {
    let csv = get("/downloads/wijkmonitor.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header(header::CONTENT_DISPOSITION).contains("wijkmonitor.csv"));
    let text = csv.text();
    assert!(text.lines().count() > 10_000, "everything published");
    assert!(text.contains(",focusgebieden,") || text.contains("focusgebieden,Alle focusgebieden"));
    assert!(get("/downloads.csv").await.body == csv.body);
    let xlsx = get("/downloads/wijkmonitor.xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(xlsx.header(header::CONTENT_TYPE), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_eq!(&xlsx.body[..2], b"PK", "an xlsx file is a zip archive");
}

#[tokio::test]
async fn errors_have_one_shape() {
    for (uri, status, code) in [
        ("/gebied/nope.json", 404, "not_found"),
        ("/indicator/nope.json", 404, "not_found"),
        ("/nope.json", 404, "not_found"),
        ("/api/v1/nope", 404, "not_found"),
        ("/over.json?format=xml", 400, "bad_request"),
        ("/over.json?lang=xx", 400, "bad_request"),
    ] {
        let a = get(uri).await;
        assert_eq!(a.status.as_u16(), status, "{uri}");
        assert_eq!(a.header(header::CONTENT_TYPE), "application/json", "{uri}");
        let json = a.json();
        assert_eq!(json["error"]["status"], status, "{uri}");
        assert_eq!(json["error"]["code"], code, "{uri}");
        assert!(json["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{uri}");
        assert_eq!(json.as_object().map(|o| o.len()), Some(1), "{uri}: only the error key");
    }
    let html = get("/gebied/nope").await;
    assert_eq!(html.status, StatusCode::NOT_FOUND);
    assert_eq!(html.header(header::CONTENT_TYPE), "text/html; charset=utf-8");
    let accept = request(&fixture().router, Method::GET, "/gebied/nope", &[(header::ACCEPT, "application/json")]).await;
    assert_eq!(accept.json()["error"]["code"], "not_found");
    let post = request(&fixture().router, Method::POST, "/gebied/den-haag-zuidwest.json", &[]).await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post.json()["error"]["code"], "method_not_allowed");
    assert!(post.header(header::ALLOW).contains("GET"));
}

#[tokio::test]
async fn etags_answer_not_modified_and_reads_are_public() {
    let first = get("/gebied/den-haag-zuidwest.json").await;
    let etag = first.header(header::ETAG);
    assert!(etag.starts_with("\"r1-"), "{etag}: compute run id and content hash");
    assert!(first.header(header::CACHE_CONTROL).starts_with("public"));
    let again =
        request(&fixture().router, Method::GET, "/gebied/den-haag-zuidwest.json", &[(header::IF_NONE_MATCH, &etag)])
            .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    let other = request(
        &fixture().router,
        Method::GET,
        "/gebied/den-haag-zuidwest.json",
        &[(header::IF_NONE_MATCH, "\"r1-x\"")],
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_ne!(get("/gebied/den-haag-zuidwest").await.header(header::ETAG), etag, "HTML and JSON differ");
}

#[tokio::test]
async fn public_reads_allow_any_origin() {
    for uri in ["/gebied/den-haag-zuidwest.json", "/gebied/den-haag-zuidwest.csv", "/api/openapi.json", "/nope.json"] {
        assert_eq!(get(uri).await.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "*", "{uri}");
    }
    let preflight = request(&fixture().router, Method::OPTIONS, "/index.json", &[]).await;
    assert_eq!(preflight.status, StatusCode::NO_CONTENT);
    assert!(preflight.header(header::ACCESS_CONTROL_ALLOW_METHODS).contains("GET"));
}

/// Replaces times (which differ per build) so snapshots are deterministic.
fn strip_times(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k == "computed_at" || k == "imported_at" {
                    *v = Value::String("<time>".into());
                } else {
                    strip_times(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_times),
        _ => {}
    }
}

fn check_snapshot(name: &str, mut actual: Value) {
    strip_times(&mut actual);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(&actual).expect("serialise") + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &text).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing snapshot {}; run with UPDATE_SNAPSHOTS=1", path.display()));
    assert!(
        expected == text,
        "{name}: the JSON differs from {} (UPDATE_SNAPSHOTS=1 after an intended change)",
        path.display()
    );
}

#[tokio::test]
async fn json_snapshots() {
    check_snapshot("index", get("/index.json").await.json());
    check_snapshot("actielijn-safety", get("/actielijn/safety.json").await.json());
    check_snapshot("gebied-den-haag-zuidwest", get("/gebied/den-haag-zuidwest.json").await.json());
    check_snapshot("indicator-households_low_income", get("/indicator/households_low_income.json").await.json());
    check_snapshot("over", get("/over.json").await.json());
    check_snapshot(
        "effect-den-haag-zuidwest-lbm_score",
        get("/gebied/den-haag-zuidwest/effect/lbm_score.json").await.json(),
    );
}

/// The effect pages: the verdict sentence on the page is the JSON twin's, the area page lists every effect
/// indicator, the method page's CSV has the documented columns, and a withheld effect shows nothing but that.
#[tokio::test]
async fn effect_pages_agree_with_their_twins_and_withheld_effects_show_nothing() {
    let json = get("/gebied/amsterdam-nieuw-west/effect/lbm_score.json").await.json();
    assert_eq!(json["status"], "final");
    let html = get("/gebied/amsterdam-nieuw-west/effect/lbm_score").await.text();
    let sentence = json["sentence_nl"].as_str().expect("sentence");
    assert!(html.contains(&sentence.replace('\'', "&#39;")), "the page shows the twin's sentence");
    assert_eq!(json["estimates"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["controls"].as_array().map(Vec::len), Some(50));
    let area = get("/gebied/amsterdam-nieuw-west.json").await.json();
    let effects = area["effects"].as_array().expect("effects");
    let catalogue = wijkmonitor_model::Catalogue::builtin();
    let expected = wijkmonitor_pipeline::effect::effect_indicators(&catalogue).len();
    assert_eq!(effects.len(), expected, "one effect per effect indicator");
    assert_eq!(get("/gebied/amsterdam-nieuw-west/effect/nope.json").await.status, StatusCode::NOT_FOUND);
    let csv = get("/over/effectmeting.csv").await.text();
    assert!(
        csv.starts_with("area,indicator,estimator,start,estimate,lower,upper,p_value,pre_trend_ok,verdict,"),
        "{}",
        &csv[..100]
    );
    assert!(csv.lines().count() > 20 * expected, "two rows per area and indicator");

    // Withheld by disclosure control: the page says so and carries no number of the analysis.
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("withheld.db");
    {
        let source = rusqlite::Connection::open(&fixture().db).expect("open");
        source.execute("VACUUM INTO ?1", [db.to_string_lossy().as_ref()]).expect("copy the database");
        let conn = rusqlite::Connection::open(&db).expect("open copy");
        let n = conn
            .execute(
                "UPDATE computed_effects SET status = 'secret', verdict = 'withheld', reason = 'suppressed', analysis = NULL
                 WHERE treatment = 'programme' AND area = 'amsterdam-nieuw-west' AND indicator = 'lbm_score'",
                [],
            )
            .expect("withhold");
        assert_eq!(n, 1);
    }
    let router = router_for(&db);
    let withheld =
        request(&router, Method::GET, "/gebied/amsterdam-nieuw-west/effect/lbm_score.json", &[]).await.json();
    assert_eq!(withheld["status"], "secret");
    assert!(
        withheld["estimates"].as_array().is_some_and(Vec::is_empty)
            && withheld["years"].as_array().is_some_and(Vec::is_empty)
    );
    assert!(withheld["sentence_nl"].as_str().is_some_and(|s| s.starts_with("Niet getoond")));
    let csv = request(&router, Method::GET, "/over/effectmeting.csv", &[]).await.text();
    assert!(
        csv.contains("amsterdam-nieuw-west,lbm_score,,,,,,,,withheld,suppressed,withheld,,"),
        "the CSV says withheld"
    );
}

#[tokio::test]
async fn the_openapi_document_matches_docs_openapi_json() {
    let served = get("/api/openapi.json").await;
    assert_eq!(served.status, StatusCode::OK);
    let document = served.json();
    assert_eq!(document["openapi"], "3.1.0");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let text = serde_json::to_string_pretty(&document).expect("serialise") + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &text).expect("write docs/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).expect("docs/openapi.json exists (UPDATE_SNAPSHOTS=1 writes it)");
    assert!(
        committed == text,
        "docs/openapi.json differs from the served document; regenerate with UPDATE_SNAPSHOTS=1"
    );
    // Every page of the dashboard is documented.
    for page in [
        "/index.json",
        "/actielijn/{action_line}.json",
        "/gebied/{area_id}.json",
        "/indicator/{indicator_id}.json",
        "/downloads.json",
        "/over.json",
    ] {
        assert!(document["paths"][page].is_object(), "{page} is documented");
    }
    // Every route the table documents is described in full (responses at least), not just named: a new route
    // with an API summary fails here until `openapi::operation` describes it.
    for route in wijkmonitor_web::routes::ROUTES.iter().filter(|r| wijkmonitor_web::openapi::documented(r)) {
        let path = wijkmonitor_web::openapi::doc_path(route);
        let method = route.verb.as_str().to_ascii_lowercase();
        let op = &document["paths"][&path][&method];
        assert!(op["responses"].is_object(), "{method} {path} is listed in the OpenAPI document but not described");
    }
}

/// Every figure object in a JSON twin: no number unless final or provisional.
fn assert_no_number_without_publishable_status(value: &Value, at: &str) {
    match value {
        Value::Object(map) => {
            if let Some(status) = map.get("status").and_then(Value::as_str) {
                if map.contains_key("value") && !["final", "provisional"].contains(&status) {
                    assert!(map["value"].is_null(), "{at}: a {status} figure carries a number: {value}");
                }
            }
            for (k, v) in map {
                assert_no_number_without_publishable_status(v, &format!("{at}.{k}"));
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                assert_no_number_without_publishable_status(v, &format!("{at}[{i}]"));
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn nothing_is_served_that_did_not_pass_disclosure_control() {
    // A copy of the demo database in which (a) a raw observation holds a sentinel value that no computed
    // figure has, and (b) an area figure is secret. Neither number may appear anywhere.
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("leak.db");
    {
        let source = rusqlite::Connection::open(&fixture().db).expect("open");
        source.execute("VACUUM INTO ?1", [db.to_string_lossy().as_ref()]).expect("copy the database");
    }
    let area = "den-haag-zuidwest";
    let (secret_value, secret_period): (f64, String) = {
        let conn = rusqlite::Connection::open(&db).expect("open copy");
        conn.execute(
            "UPDATE observations SET value = 5820417.25 WHERE variable = 'inhabitants'
             AND region = (SELECT MIN(region) FROM observations WHERE region LIKE 'BU0518%' AND variable = 'inhabitants')",
            [],
        )
        .expect("plant a raw sentinel");
        let row: (f64, String) = conn
            .query_row(
                "SELECT value, period FROM computed WHERE target = ?1 AND indicator = 'net_labour_participation' AND value IS NOT NULL
                 ORDER BY period DESC LIMIT 1",
                [area],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("a participation figure");
        conn.execute(
            "UPDATE computed SET value = NULL, status = 'secret', reason = 'base_below_threshold'
             WHERE target = ?1 AND indicator = 'net_labour_participation' AND period = ?2",
            rusqlite::params![area, row.1],
        )
        .expect("make the figure secret");
        row
    };
    let router = router_for(&db);
    let secret_nl = wijkmonitor_web::format::number(secret_value, 1, wijkmonitor_web::i18n::Lang::Nl);
    let secret_raw = format!("{secret_value}");
    let mut uris: Vec<String> = Vec::new();
    for page in PAGES.iter().chain(["/indicator/inhabitants", "/indicator/population_density"].iter()) {
        uris.push(page.to_string());
        uris.push(format!("{page}?lang=en"));
        uris.push(twin(page, "json"));
        uris.push(twin(page, "csv"));
    }
    uris.push("/downloads/wijkmonitor.csv".into());
    for uri in &uris {
        let a = request(&router, Method::GET, uri, &[]).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}");
        let text = a.text();
        for sentinel in ["5820417", "5.820.417", "5,820,417"] {
            assert!(!text.contains(sentinel), "{uri}: a raw observation leaked ({sentinel})");
        }
        assert!(!text.contains(&secret_raw), "{uri}: the secret figure leaked as {secret_raw}");
        if uri.ends_with(".json") {
            assert_no_number_without_publishable_status(&serde_json::from_str(&text).expect("JSON"), uri);
        }
    }
    let json = request(&router, Method::GET, &format!("/gebied/{area}.json"), &[]).await.json();
    let participation = find_indicator(&json, "net_labour_participation");
    let point = participation["series"]
        .as_array()
        .and_then(|s| s.iter().find(|p| p["period"] == secret_period.as_str()))
        .cloned();
    let point = point.expect("the secret period is in the series");
    assert_eq!(point["area"]["status"], "secret");
    assert!(point["area"]["value"].is_null());
    assert_eq!(point["area"]["reason"], "base_below_threshold");
    let html = request(&router, Method::GET, &format!("/gebied/{area}"), &[]).await.text();
    if participation["period"] == secret_period.as_str() {
        assert!(html.contains("data-indicator=\"net_labour_participation\"><span class=\"sup\" data-status=\"secret\""));
        assert!(!html.contains(&format!("data-indicator=\"net_labour_participation\">{secret_nl}")));
    }
    assert!(html.contains("te weinig huishoudens/inwoners"), "the reason is explained in words");
}

fn find_indicator<'a>(area: &'a Value, id: &str) -> &'a Value {
    area["action_lines"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|l| l["tiers"].as_array().into_iter().flatten())
        .flat_map(|t| t["indicators"].as_array().into_iter().flatten())
        .find(|i| i["indicator"]["id"] == id)
        .unwrap_or_else(|| panic!("indicator {id} on the area page"))
}

/// Amsterdam re-coded its buurten in 2022, so its areas (defined on 2024 codes) are drawn only from a map of a
/// later year: any buurt map in the folder is read, in RD New as well as WGS84.
#[tokio::test]
async fn buurt_maps_come_from_the_map_of_the_areas_own_year() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let square = |code: &str, x: f64| {
        format!(
            r#"{{"type":"Feature","properties":{{"BU_CODE":"{code}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},485000],[{},485000],[{},486000],[{x},486000],[{x},485000]]]}}}}"#,
            x + 1000.0,
            x + 1000.0
        )
    };
    let map = format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::28992"}}}},"features":[{},{}]}}"#,
        square("BU0363FA01", 116_000.0),
        square("BU0363FA02", 117_000.0)
    );
    std::fs::write(dir.path().join("buurten_2024.geojson"), map).expect("write the map");
    let store = Store::open(&fixture().db).expect("open the database");
    let areas = parse_areas_csv(BUILTIN_AREAS, BUILTIN_AREAS_NAME, true).expect("built-in delineation");
    let snap = Snapshot::load(&store, Some(&areas), Some(dir.path())).expect("snapshot");
    assert_eq!(snap.buurt_shapes.as_ref().map(|s| s.years.clone()), Some(vec![2024]));
    let router = wijkmonitor_web::router(snap);
    let json = request(&router, Method::GET, "/gebied/amsterdam-nieuw-west.json", &[]).await.json();
    let drawn: Vec<&str> = json["area"]["buurten"]
        .as_array()
        .expect("buurten")
        .iter()
        .filter(|b| b["has_shape"] == true)
        .filter_map(|b| b["code"].as_str())
        .collect();
    assert_eq!(drawn, ["BU0363FA01", "BU0363FA02"], "{}", json["area"]["buurten"]);
    let html = request(&router, Method::GET, "/gebied/amsterdam-nieuw-west", &[]).await.text();
    assert!(html.contains("buurt-map-t"), "the area page draws its buurten");
    // A folder without any buurt map is an error that says what is missing.
    let empty = tempfile::tempdir().expect("temporary folder");
    let err = Snapshot::load(&store, Some(&areas), Some(empty.path())).err().expect("refused").to_string();
    assert!(err.contains("no buurt map"), "{err}");
}

#[tokio::test]
async fn buurt_maps_use_boundary_files_when_given() {
    let shared = std::env::var_os("WIJKMONITOR_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let boundaries = shared.join("boundaries");
    if !boundaries.join(wijkmonitor_readmodel::geo::BUURT_TOPOJSON).exists() {
        eprintln!("skipped: no buurt boundaries in {} (real data is not in the repository)", boundaries.display());
        return;
    }
    let store = Store::open(&fixture().db).expect("open the database");
    let areas = parse_areas_csv(BUILTIN_AREAS, BUILTIN_AREAS_NAME, true).expect("built-in delineation");
    let router = wijkmonitor_web::router(Snapshot::load(&store, Some(&areas), Some(&boundaries)).expect("snapshot"));
    let json = request(&router, Method::GET, "/gebied/den-haag-zuidwest.json", &[]).await.json();
    let buurten = json["area"]["buurten"].as_array().expect("buurten");
    assert!(buurten.iter().any(|b| b["has_shape"] == true), "Den Haag's 2019 buurt codes exist in the 2014 file");
    let html = request(&router, Method::GET, "/gebied/den-haag-zuidwest", &[]).await.text();
    assert!(html.contains("buurt-map-t"), "the area page draws its buurten");
    let indicator =
        request(&router, Method::GET, "/indicator/net_labour_participation.json?gebied=den-haag-zuidwest", &[])
            .await
            .json();
    let figures = indicator["buurten"].as_array().expect("buurt figures with boundaries");
    assert!(!figures.is_empty());
    assert_no_number_without_publishable_status(&indicator, "indicator?gebied");
}

#[tokio::test]
async fn every_area_and_indicator_has_a_page() {
    let overview = get("/index.json").await.json();
    for area in overview["areas"].as_array().expect("areas") {
        let id = area["id"].as_str().expect("id");
        for uri in [format!("/gebied/{id}"), format!("/gebied/{id}.json"), format!("/gebied/{id}.csv")] {
            assert_eq!(get(&uri).await.status, StatusCode::OK, "{uri}");
        }
    }
    for ind in &wijkmonitor_model::Catalogue::builtin().indicators {
        for uri in [
            format!("/indicator/{}", ind.id),
            format!("/indicator/{}.json", ind.id),
            format!("/indicator/{}.csv?lang=en", ind.id),
        ] {
            assert_eq!(get(&uri).await.status, StatusCode::OK, "{uri}");
        }
    }
}

#[tokio::test]
async fn reports_are_linked_and_served_when_the_server_has_them() {
    let f = fixture();
    let store = Store::open(&f.db).expect("open the database");
    let areas = parse_areas_csv(BUILTIN_AREAS, BUILTIN_AREAS_NAME, true).expect("built-in delineation");
    let snapshot = Snapshot::load(&store, Some(&areas), None).expect("snapshot");
    let router = wijkmonitor_web::router_with_reports(snapshot, true);
    // The area page and the overview link to the reports of the latest year; the JSON twin names them too.
    let area = request(&router, Method::GET, "/gebied/den-haag-zuidwest.json", &[]).await.json();
    let pdf = area["report"]["pdf"].as_str().expect("a report link").to_string();
    assert_eq!(pdf, format!("/rapport/den-haag-zuidwest-{}.pdf", area["report"]["year"]));
    assert!(request(&router, Method::GET, "/gebied/den-haag-zuidwest", &[]).await.text().contains(&pdf));
    let overview = request(&router, Method::GET, "/", &[]).await.text();
    assert!(overview.contains("/rapport/nationaal-"), "the overview links to the national report");

    let answer = request(&router, Method::GET, &pdf, &[]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header(header::CONTENT_TYPE), "application/pdf");
    assert!(answer.body.starts_with(b"%PDF-"), "a real PDF");
    let html = request(&router, Method::GET, "/rapport/nationaal-2024.html", &[]).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.text().contains("<html") && html.text().contains("2024"), "the national report of 2024");
    for bad in [
        "/rapport/nowhere-2024.pdf",
        "/rapport/den-haag-zuidwest-2024.docx",
        "/rapport/den-haag-zuidwest.pdf",
        "/rapport/nationaal-2001.pdf",
    ] {
        let answer = request(&router, Method::GET, bad, &[]).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{bad}");
    }
    // Without reports (the default router) the links lead to a clear 404.
    assert_eq!(get(&pdf).await.status, StatusCode::NOT_FOUND);
}

/// Every `?gebied=x$i` on any route used to become a new cache entry (300 requests took the server from 116 MB
/// to 627 MB). Parameters a route does not take are refused, and the cache is bounded in bytes.
#[tokio::test]
async fn unknown_parameters_are_refused_and_the_cache_is_bounded() {
    let f = fixture();
    let store = Store::open(&f.db).expect("open the database");
    let areas = parse_areas_csv(BUILTIN_AREAS, BUILTIN_AREAS_NAME, true).expect("built-in delineation");
    let snapshot = Snapshot::load(&store, Some(&areas), None).expect("snapshot");
    let config = wijkmonitor_web::Config { cache_bytes: 2 << 20, ..wijkmonitor_web::Config::default() };
    let router = wijkmonitor_web::router_for(std::sync::Arc::new(wijkmonitor_web::App::new(snapshot, None, config)));
    for i in 0..300 {
        let a = request(&router, Method::GET, &format!("/gebied/den-haag-zuidwest.json?gebied=x{i}"), &[]).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "request {i}");
        assert!(a.json()["error"]["message"].as_str().unwrap_or("").contains("unknown parameter 'gebied'"));
        let a = request(&router, Method::GET, &format!("/indicator/inhabitants.json?gebied=x{i}"), &[]).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "an area that does not exist");
    }
    // Every real page in three formats is more than the cache holds: it stays within its bytes.
    for page in PAGES {
        assert_eq!(request(&router, Method::GET, page, &[]).await.status, StatusCode::OK);
        for ext in ["json", "csv"] {
            assert_eq!(request(&router, Method::GET, &twin(page, ext), &[]).await.status, StatusCode::OK);
        }
    }
    let mut metrics = Request::builder().uri("/metrics").body(Body::empty()).expect("request");
    metrics.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 5000))));
    let text =
        router.clone().oneshot(metrics).await.expect("response").into_body().collect().await.expect("body").to_bytes();
    let text = String::from_utf8_lossy(&text);
    let bytes: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("wijkmonitor_cache_bytes "))
        .and_then(|v| v.parse().ok())
        .expect("the cache size is reported");
    assert!(bytes > 0.0 && bytes <= (2 << 20) as f64, "{bytes}");
    assert!(text.contains("wijkmonitor_requests_total{route=\"GET /gebied/{area}\",status=\"4xx\"} 300"), "{text}");
    // Metrics are for operators: not from elsewhere.
    let mut far = Request::builder().uri("/metrics").body(Body::empty()).expect("request");
    far.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([203, 0, 113, 1], 5000))));
    assert_eq!(router.clone().oneshot(far).await.expect("response").status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_public_response_carries_the_security_headers() {
    for uri in ["/", "/gebied/den-haag-zuidwest.json", "/downloads/wijkmonitor.csv", "/nope", "/static/style.css"] {
        let a = get(uri).await;
        let csp = a.header(header::CONTENT_SECURITY_POLICY);
        assert!(
            csp.contains("default-src 'none'") && csp.contains("style-src 'self'") && !csp.contains("script"),
            "{uri}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{uri}");
        assert_eq!(a.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{uri}");
        assert_eq!(a.header(header::REFERRER_POLICY), "same-origin", "{uri}");
        assert!(!a.header(header::HeaderName::from_static("x-request-id")).is_empty(), "{uri}");
    }
    // No inline style attributes, which the policy would block (the legend's colours are classes).
    let page = get("/indicator/inhabitants").await.text();
    assert!(!page.contains(" style="), "an inline style on the indicator page");
}

/// The public never learns whether a suppressed figure was the small one or one suppressed to protect it.
#[tokio::test]
async fn the_public_reason_of_a_suppression_is_one_reason() {
    // A copy of the demo in which an area figure is small and one is suppressed to protect it, whatever the
    // demo's own figures happen to need.
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("reasons.db");
    {
        let source = rusqlite::Connection::open(&fixture().db).expect("open");
        source.execute("VACUUM INTO ?1", [db.to_string_lossy().as_ref()]).expect("copy the database");
        let conn = rusqlite::Connection::open(&db).expect("open copy");
        for (indicator, reason) in
            [("households_low_income", "small_value"), ("households_social_minimum", "complementary_suppression")]
        {
            conn.execute(
                "UPDATE computed SET value = NULL, status = 'secret', reason = ?2
                 WHERE target = 'den-haag-zuidwest' AND indicator = ?1 AND period = '2022'",
                [indicator, reason],
            )
            .expect("plant a suppression");
        }
    }
    let router = router_for(&db);
    for page in PAGES.iter().chain(["/indicator/households_low_income"].iter()) {
        for ext in ["json", "csv"] {
            let body = request(&router, Method::GET, &twin(page, ext), &[]).await.text();
            for detail in ["small_value", "complementary_suppression", "linked_suppression"] {
                assert!(!body.contains(detail), "{page}{ext} tells {detail}");
            }
        }
    }
    let csv = request(&router, Method::GET, "/downloads/wijkmonitor.csv", &[]).await.text();
    assert!(csv.contains(",secret,suppressed,"), "the full download has suppressed figures, with the one reason");
    assert!(!csv.contains("small_value") && !csv.contains("complementary_suppression"));
}

/// The text a reader sees on a page: the HTML without tags, attributes, `<code>` (file names, hashes and region
/// codes are shown as such on purpose) and the hidden copies of charts.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut skip_until: Option<&str> = None;
    while let Some(open) = rest.find('<') {
        if skip_until.is_none() {
            out.push_str(&rest[..open]);
            out.push(' ');
        }
        let Some(close) = rest[open..].find('>') else { break };
        let tag = &rest[open + 1..open + close];
        match skip_until {
            Some(end) if tag == end => skip_until = None,
            Some(_) => {}
            None if tag.starts_with("code") => skip_until = Some("/code"),
            None if tag.starts_with("title") => skip_until = Some("/title"),
            None if tag.starts_with("style") => skip_until = Some("/style"),
            None => {}
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Every label a reader sees is in the reader's language: no internal identifier (`higher_is_better`,
/// `net_labour_participation`, `base_below_threshold`, ...) on any public page, and on Dutch pages no English code
/// of an action line or tier.
#[tokio::test]
async fn pages_speak_words_not_codes() {
    let mut pages: Vec<String> = PAGES.iter().map(|p| p.to_string()).collect();
    pages.extend(
        [
            "/indicator/dwellings_lbm_weak_or_lower",
            "/indicator/crimes_per_1000",
            "/gebied/amsterdam-nieuw-west/effect/lbm_score",
            "/over/effectmeting",
        ]
        .map(String::from),
    );
    for page in &pages {
        for lang in ["nl", "en"] {
            let uri = if lang == "en" { format!("{page}?lang=en") } else { page.clone() };
            let html = get(&uri).await.text();
            let text = visible_text(&html);
            let codes: Vec<&str> = text
                .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
                .filter(|w| w.contains('_') && w.split('_').all(|part| !part.is_empty()))
                .collect();
            assert!(codes.is_empty(), "{uri} shows internal identifiers: {codes:?}");
            if lang == "nl" {
                for word in text.split(|c: char| !c.is_ascii_alphabetic()) {
                    assert!(
                        !["integral", "physical", "participation", "safety", "realisation", "context", "process"]
                            .contains(&word),
                        "{uri} shows the code '{word}'"
                    );
                }
            }
        }
    }
}
