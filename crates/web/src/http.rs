//! The HTTP layer: routing, content negotiation (HTML, `.json`/`.csv` twins, `?format=`, `Accept`), the
//! response cache, ETags, caching headers, CORS and the one error shape.
//!
//! Every response is built from the snapshot and cached per URL (page, format, language, parameters): the
//! data cannot change while the server runs, so a body rendered once is valid until the process ends.
//! Errors are one type, [`ApiError`], rendered as `{"error": {"status", "code", "message"}}` for JSON
//! clients and as an HTML page for browsers; internals never leak into messages.

use crate::i18n::Lang;
use crate::views::{self, View};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use wijkmonitor_model::catalogue::ActionLine;
use wijkmonitor_model::hash::sha256_hex;
use wijkmonitor_readmodel::snapshot::Snapshot;
use wijkmonitor_report::ReportFormat;

/// Bodies cached in total before the cache stops growing (it then renders on every request).
const CACHE_LIMIT_BYTES: usize = 512 * 1024 * 1024;

/// How a page is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Html,
    Json,
    Csv,
}

impl Format {
    fn parse(text: &str) -> Option<Format> {
        match text {
            "html" => Some(Format::Html),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// The one error type of the HTTP layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::NOT_FOUND, code: "not_found", message: message.into() }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, code: "bad_request", message: message.into() }
    }

    fn method_not_allowed() -> ApiError {
        ApiError {
            status: StatusCode::METHOD_NOT_ALLOWED,
            code: "method_not_allowed",
            message: "only GET and HEAD are supported".into(),
        }
    }

    fn internal(what: &str) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal_error",
            message: format!("could not produce {what}"),
        }
    }

    fn json_body(&self) -> Vec<u8> {
        let value = serde_json::json!({
            "error": { "status": self.status.as_u16(), "code": self.code, "message": self.message }
        });
        serde_json::to_vec(&value).unwrap_or_default()
    }

    fn html_body(&self, lang: Lang) -> String {
        let title = match self.status {
            StatusCode::NOT_FOUND => lang.t("Pagina niet gevonden", "Page not found"),
            StatusCode::BAD_REQUEST => lang.t("Ongeldig verzoek", "Bad request"),
            StatusCode::METHOD_NOT_ALLOWED => lang.t("Methode niet toegestaan", "Method not allowed"),
            _ => lang.t("Er ging iets mis", "Something went wrong"),
        };
        maud::html! {
            (maud::DOCTYPE)
            html lang=(lang.code()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " · Wijkmonitor NPLV" }
                    link rel="stylesheet" href=(crate::layout::style_url());
                }
                body {
                    main id="main" {
                        h1 { (title) }
                        p { (self.message) " (" (self.status.as_u16()) ")" }
                        p { a href=(lang.href("/")) { (lang.t("Naar het overzicht", "To the overview")) } }
                    }
                }
            }
        }
        .into_string()
    }
}

/// A rendered response body with what its headers need.
pub struct Rendered {
    status: StatusCode,
    content_type: &'static str,
    body: Bytes,
    etag: String,
    cache_control: &'static str,
    disposition: Option<String>,
    language: Option<&'static str>,
}

/// What the public side serves: one snapshot and the responses rendered from it. It is replaced as a whole when
/// an analyst publishes, so a request never mixes figures from two publications.
pub struct Public {
    snap: Arc<Snapshot>,
    cache: RwLock<HashMap<String, Arc<Rendered>>>,
    cache_bytes: AtomicUsize,
    openapi: Arc<Rendered>,
}

impl Public {
    fn new(snap: Snapshot) -> Public {
        let openapi = serde_json::to_vec_pretty(&crate::openapi::document()).unwrap_or_default();
        let openapi = rendered(&snap, StatusCode::OK, "application/json", openapi, "public, max-age=300", None, None);
        Public {
            snap: Arc::new(snap),
            cache: RwLock::new(HashMap::new()),
            cache_bytes: AtomicUsize::new(0),
            openapi: Arc::new(openapi),
        }
    }
}

/// The application state: the published snapshot with its response cache, the reports, and the signed-in
/// workspace (when the server has a writable database).
pub struct App {
    public: RwLock<Arc<Public>>,
    /// Whether the downloadable reports are served (rendered on first request, then cached).
    reports: bool,
    pub(crate) work: Option<crate::work::Work>,
}

impl App {
    pub fn new(snap: Snapshot) -> App {
        App::with_reports(snap, false)
    }

    /// An app that also serves the reports at `/rapport/{area id|nationaal}-{year}.{pdf|html}`.
    pub fn with_reports(snap: Snapshot, reports: bool) -> App {
        App { public: RwLock::new(Arc::new(Public::new(snap))), reports, work: None }
    }

    /// An app with the signed-in workspace over a writable database.
    pub fn with_work(snap: Snapshot, reports: bool, work: crate::work::Work) -> App {
        App { public: RwLock::new(Arc::new(Public::new(snap))), reports, work: Some(work) }
    }

    /// The snapshot being served now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.public().snap.clone()
    }

    fn public(&self) -> Arc<Public> {
        match self.public.read() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Serves a new snapshot from now on (after a publication); cached responses of the old one are dropped.
    pub fn replace_snapshot(&self, snap: Snapshot) {
        let fresh = Arc::new(Public::new(snap));
        match self.public.write() {
            Ok(mut p) => *p = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
    }
}

fn rendered(
    snap: &Snapshot,
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
    cache_control: &'static str,
    disposition: Option<String>,
    language: Option<&'static str>,
) -> Rendered {
    let run = snap.run.as_ref().map_or(0, |r| r.id);
    let etag = format!("\"r{run}-{}\"", &sha256_hex(&body)[..20]);
    Rendered { status, content_type, body: Bytes::from(body), etag, cache_control, disposition, language }
}

/// What a URL asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Overview,
    ActionLine(ActionLine),
    Area(String),
    Indicator(String),
    Downloads,
    About,
    FullCsv,
    Xlsx,
    Style,
    /// A report: the area id (or `None` for the national report), the year and the format.
    Report(Option<String>, i32, ReportFormat),
    OpenApi,
}

/// Parsed query parameters the pages know; others are ignored.
#[derive(Debug, Default)]
struct Params {
    lang: Option<String>,
    format: Option<String>,
    gebied: Option<String>,
}

use crate::work::forms::percent_decode;

fn parse_params(query: &str) -> Params {
    let mut params = Params::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value);
        match key {
            "lang" => params.lang = Some(value),
            "format" => params.format = Some(value),
            "gebied" if !value.is_empty() => params.gebied = Some(value),
            _ => {}
        }
    }
    params
}

/// Splits a path into the page path and the format its suffix asks for.
fn split_suffix(path: &str) -> (&str, Option<Format>) {
    for (ext, format) in [(".json", Format::Json), (".csv", Format::Csv)] {
        if let Some(base) = path.strip_suffix(ext) {
            return (base, Some(format));
        }
    }
    (path, None)
}

fn route(path: &str) -> Option<Route> {
    let path = if path.len() > 1 { path.trim_end_matches('/') } else { path };
    match path {
        "" | "/" | "/index" => return Some(Route::Overview),
        "/downloads" => return Some(Route::Downloads),
        "/over" => return Some(Route::About),
        _ => {}
    }
    let (head, rest) = path.trim_start_matches('/').split_once('/')?;
    if rest.is_empty() || rest.contains('/') {
        return None;
    }
    match head {
        "actielijn" => views::action_line::parse(rest).map(Route::ActionLine),
        "gebied" => Some(Route::Area(rest.to_string())),
        "indicator" => Some(Route::Indicator(rest.to_string())),
        _ => None,
    }
}

/// Parses `{area id}-{year}.{pdf|html}` or `nationaal-{year}.{pdf|html}`.
fn parse_report(snap: &Snapshot, file: &str) -> Result<Route, ApiError> {
    let not_found = || {
        ApiError::not_found(format!(
            "no report {file}; reports are named <area id>-<year>.pdf or nationaal-<year>.html"
        ))
    };
    let (stem, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    let ext = ReportFormat::parse(ext).ok_or_else(not_found)?;
    let (who, year) = stem.rsplit_once('-').ok_or_else(not_found)?;
    let year: i32 = year.parse().map_err(|_| not_found())?;
    if who == "nationaal" {
        return Ok(Route::Report(None, year, ext));
    }
    if snap.area(who).is_none() {
        return Err(ApiError::not_found(format!("no focus area '{who}'")));
    }
    Ok(Route::Report(Some(who.to_string()), year, ext))
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"))
}

/// The one handler: every GET goes through here.
pub async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    if app.work.is_some() && crate::work::is_work_path(req.uri().path()) {
        return crate::work::handle(app, req).await;
    }
    let method = req.method().clone();
    let headers = req.headers().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let params = parse_params(&query);
    let lang = params.lang.as_deref().and_then(Lang::parse).unwrap_or(Lang::Nl);
    let accept_json = wants_json(&headers);
    if method == Method::OPTIONS {
        return preflight();
    }
    let (page_path, suffix) = split_suffix(&path);
    let error_json = accept_json
        || suffix == Some(Format::Json)
        || path.starts_with("/api/")
        || params.format.as_deref() == Some("json");
    if method != Method::GET && method != Method::HEAD {
        return error_response(&ApiError::method_not_allowed(), error_json, lang);
    }
    let public = app.public();
    match resolve(&app, &public, &path, page_path, suffix, &params, lang, accept_json) {
        Ok(rendered) => respond(&rendered, &headers),
        Err(err) => error_response(&err, error_json, lang),
    }
}

#[allow(clippy::too_many_arguments)]
fn resolve(
    app: &App,
    public: &Public,
    path: &str,
    page_path: &str,
    suffix: Option<Format>,
    params: &Params,
    lang: Lang,
    accept_json: bool,
) -> Result<Arc<Rendered>, ApiError> {
    if let Some(l) = &params.lang {
        if Lang::parse(l).is_none() {
            return Err(ApiError::bad_request(format!("unknown language '{l}' (use nl or en)")));
        }
    }
    let query_format = match &params.format {
        Some(f) => Some(
            Format::parse(f)
                .ok_or_else(|| ApiError::bad_request(format!("unknown format '{f}' (use html, json or csv)")))?,
        ),
        None => None,
    };
    // The versioned API: /api/v1/<page path> is the JSON twin of <page path>.
    let (route, format) = if path == "/api/openapi.json" {
        (Route::OpenApi, Format::Json)
    } else if path.starts_with("/static/") {
        if path != "/static/style.css" {
            return Err(ApiError::not_found(format!("no static file {path}")));
        }
        (Route::Style, Format::Html)
    } else if let Some(file) = path.strip_prefix("/rapport/") {
        (parse_report(&public.snap, file)?, Format::Html)
    } else if path == crate::views::downloads::CSV_FILE {
        (Route::FullCsv, Format::Csv)
    } else if path == crate::views::downloads::XLSX_FILE {
        (Route::Xlsx, Format::Html)
    } else if let Some(rest) = path.strip_prefix("/api/v1") {
        let (rest, ext) = split_suffix(rest);
        if ext == Some(Format::Csv) {
            return Err(ApiError::not_found("the /api/v1/ paths serve JSON; use the page's .csv twin for CSV"));
        }
        let r = route(if rest.is_empty() { "/" } else { rest })
            .ok_or_else(|| ApiError::not_found(format!("no API resource at {path}")))?;
        (r, Format::Json)
    } else {
        // `/.json` is the overview's twin as well as `/index.json`.
        let base = if page_path.is_empty() { "/" } else { page_path };
        let r = route(base).ok_or_else(|| ApiError::not_found(format!("no page at {path}")))?;
        let format = suffix.or(query_format).unwrap_or(if accept_json { Format::Json } else { Format::Html });
        (r, format)
    };
    if route == Route::OpenApi {
        return Ok(public.openapi.clone());
    }
    let key = format!(
        "{route:?}|{format:?}|{}|{}",
        if format == Format::Html { lang.code() } else { "-" },
        params.gebied.as_deref().unwrap_or("")
    );
    if let Ok(cache) = public.cache.read() {
        if let Some(hit) = cache.get(&key) {
            return Ok(hit.clone());
        }
    }
    let rendered = Arc::new(render(app, &public.snap, &route, format, lang, params)?);
    let size = rendered.body.len();
    if public.cache_bytes.fetch_add(size, Ordering::Relaxed) + size <= CACHE_LIMIT_BYTES {
        if let Ok(mut cache) = public.cache.write() {
            cache.insert(key, rendered.clone());
        }
    } else {
        public.cache_bytes.fetch_sub(size, Ordering::Relaxed);
    }
    Ok(rendered)
}

fn render(
    app: &App,
    snap: &Snapshot,
    route: &Route,
    format: Format,
    lang: Lang,
    params: &Params,
) -> Result<Rendered, ApiError> {
    match route {
        Route::Overview => Ok(render_view(snap, &views::overview::build(snap), format, lang)),
        Route::ActionLine(line) => Ok(render_view(snap, &views::action_line::build(snap, *line), format, lang)),
        Route::Area(id) => {
            let area = snap.area(id).ok_or_else(|| ApiError::not_found(format!("no focus area '{id}'")))?;
            Ok(render_view(snap, &views::area::build(snap, area), format, lang))
        }
        Route::Indicator(id) => {
            let ind = snap.indicator(id).ok_or_else(|| ApiError::not_found(format!("no indicator '{id}'")))?;
            if let Some(g) = &params.gebied {
                if snap.area(g).is_none() {
                    return Err(ApiError::not_found(format!("no focus area '{g}'")));
                }
            }
            Ok(render_view(snap, &views::indicator::build(snap, ind, params.gebied.as_deref()), format, lang))
        }
        Route::Downloads => Ok(render_view(snap, &views::downloads::build(snap), format, lang)),
        Route::About => Ok(render_view(snap, &views::about::build(snap), format, lang)),
        Route::FullCsv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            views::downloads::write_all(snap, &mut w).map_err(|_| ApiError::internal("the CSV file"))?;
            let body = w.into_inner().map_err(|_| ApiError::internal("the CSV file"))?;
            Ok(rendered(
                snap,
                StatusCode::OK,
                "text/csv; charset=utf-8",
                body,
                "public, max-age=300",
                Some("attachment; filename=\"wijkmonitor.csv\"".into()),
                None,
            ))
        }
        Route::Xlsx => {
            let body = crate::xlsx::workbook(snap).map_err(|_| ApiError::internal("the Excel file"))?;
            Ok(rendered(
                snap,
                StatusCode::OK,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                body,
                "public, max-age=300",
                Some("attachment; filename=\"wijkmonitor.xlsx\"".into()),
                None,
            ))
        }
        Route::Style => Ok(rendered(
            snap,
            StatusCode::OK,
            "text/css; charset=utf-8",
            crate::layout::STYLE_CSS.as_bytes().to_vec(),
            "public, max-age=31536000, immutable",
            None,
            None,
        )),
        Route::OpenApi => {
            Ok(rendered(snap, StatusCode::OK, "application/json", Vec::new(), "public, max-age=300", None, None))
        }
        Route::Report(area, year, ext) => {
            if !app.reports {
                return Err(ApiError::not_found("this server does not serve reports"));
            }
            let body = wijkmonitor_report::render(snap, area.as_deref(), *year, *ext, lang)
                .map_err(|e| ApiError::not_found(format!("no report: {e}")))?;
            let name = format!("{}-{year}.{}", area.as_deref().unwrap_or("nationaal"), ext.extension());
            let content_type = ext.content_type();
            Ok(rendered(
                snap,
                StatusCode::OK,
                content_type,
                body,
                "public, max-age=300",
                Some(format!("inline; filename=\"{name}\"")),
                None,
            ))
        }
    }
}

fn render_view<V: View>(snap: &Snapshot, view: &V, format: Format, lang: Lang) -> Rendered {
    match format {
        Format::Html => {
            let page = crate::layout::page(view.meta(), lang, &view.query(), view.html(lang)).into_string();
            rendered(
                snap,
                StatusCode::OK,
                "text/html; charset=utf-8",
                page.into_bytes(),
                "public, max-age=300",
                None,
                Some(lang.code()),
            )
        }
        Format::Json => {
            let body = serde_json::to_vec(view).unwrap_or_default();
            rendered(snap, StatusCode::OK, "application/json", body, "public, max-age=300", None, None)
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            // Writing to memory cannot fail for I/O reasons; a failure would be a defect, answered with what was written.
            let _ = view.csv(snap, &mut w);
            let body = w.into_inner().unwrap_or_default();
            rendered(snap, StatusCode::OK, "text/csv; charset=utf-8", body, "public, max-age=300", None, None)
        }
    }
}

fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    let Some(value) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else { return false };
    value.split(',').map(str::trim).any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == etag)
}

fn common_headers(builder: axum::http::response::Builder) -> axum::http::response::Builder {
    builder
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .header(header::VARY, "Accept")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
}

fn respond(r: &Rendered, headers: &HeaderMap) -> Response {
    let not_modified = etag_matches(headers, &r.etag);
    let mut builder = common_headers(Response::builder())
        .header(header::ETAG, &r.etag)
        .header(header::CACHE_CONTROL, r.cache_control);
    if not_modified {
        return builder.status(StatusCode::NOT_MODIFIED).body(Body::empty()).unwrap_or_default();
    }
    builder = builder.status(r.status).header(header::CONTENT_TYPE, r.content_type);
    if let Some(d) = &r.disposition {
        if let Ok(v) = HeaderValue::from_str(d) {
            builder = builder.header(header::CONTENT_DISPOSITION, v);
        }
    }
    if let Some(l) = r.language {
        builder = builder.header(header::CONTENT_LANGUAGE, l);
    }
    builder.body(Body::from(r.body.clone())).unwrap_or_default()
}

fn error_response(err: &ApiError, json: bool, lang: Lang) -> Response {
    let (content_type, body) = if json {
        ("application/json", err.json_body())
    } else {
        ("text/html; charset=utf-8", err.html_body(lang).into_bytes())
    };
    let mut builder = common_headers(Response::builder())
        .status(err.status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "no-cache");
    if err.status == StatusCode::METHOD_NOT_ALLOWED {
        builder = builder.header(header::ALLOW, "GET, HEAD, OPTIONS");
    }
    builder.body(Body::from(body)).unwrap_or_default()
}

fn preflight() -> Response {
    common_headers(Response::builder())
        .status(StatusCode::NO_CONTENT)
        .header(header::ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, OPTIONS")
        .header(header::ACCESS_CONTROL_ALLOW_HEADERS, "Accept, If-None-Match")
        .header(header::ACCESS_CONTROL_MAX_AGE, "86400")
        .body(Body::empty())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_suffixes() {
        assert_eq!(route("/"), Some(Route::Overview));
        assert_eq!(route("/gebied/den-haag-zuidwest"), Some(Route::Area("den-haag-zuidwest".into())));
        assert_eq!(route("/actielijn/safety"), Some(Route::ActionLine(ActionLine::Safety)));
        assert_eq!(route("/actielijn/nope"), None);
        assert_eq!(route("/gebied/a/b"), None);
        assert_eq!(split_suffix("/gebied/x.json"), ("/gebied/x", Some(Format::Json)));
        assert_eq!(percent_decode("den%2Dhaag+x"), "den-haag x");
        assert_eq!(percent_decode("50%"), "50%");
    }
}
