//! The signed-in workspace: sign-in, the yearly request of each area, the review by analysts, publication, the
//! programme register, the audit log and accounts, as HTML forms and as the JSON API under `/api/v1/`.
//!
//! Unlike the public side, the workspace reads and writes the database on every request, so it runs on a
//! blocking thread ([`handle`] hands each request to `spawn_blocking`) with the store behind a mutex. Every
//! request is authenticated ([`auth`]) and every page, form and API call asks [`wijkmonitor_access::allows`]
//! before it reads or changes anything; forms carry a CSRF token checked against the session.
//!
//! # Layout
//! - [`auth`]: sessions, API tokens, sign-in with lock-out, CSRF, cookies.
//! - [`actions`]: what the workspace does (save, submit, review, publish, upload), shared by forms and API.
//! - [`pages`]: the HTML pages; [`api`]: the JSON endpoints; [`forms`]: form and multipart bodies.

pub mod actions;
pub mod api;
pub mod auth;
pub mod forms;
pub mod pages;

use crate::http::App;
use crate::i18n::Lang;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use wijkmonitor_access::Policy;
use wijkmonitor_model::date::Date;
use wijkmonitor_model::{Catalogue, FocusAreaSet};
use wijkmonitor_pipeline::{Crosswalk, Recompute};
use wijkmonitor_readmodel::snapshot::Snapshot;
use wijkmonitor_request::{self as request, Item};
use wijkmonitor_store::Store;

/// The largest request body accepted (an Excel upload is far smaller).
pub const MAX_BODY: usize = 5 * 1024 * 1024;

/// The current time in seconds since 1970. Injected so tests can move time (session expiry, lock-out).
pub trait Clock: Send + Sync {
    fn now(&self) -> i64;
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
    }
}

/// What publishing needs besides the database: the delineation the figures are computed with, a crosswalk,
/// the engine parameters, and the boundary folder the new snapshot loads buurt shapes from.
pub struct Publishing {
    pub areas: FocusAreaSet,
    pub crosswalk: Crosswalk,
    /// As `data/parameters/engine.toml`.
    pub params_text: String,
    pub boundaries: Option<PathBuf>,
}

impl Publishing {
    /// With the built-in engine parameters, no crosswalk and no boundaries.
    pub fn builtin(areas: FocusAreaSet) -> Publishing {
        Publishing {
            areas,
            crosswalk: Crosswalk::default(),
            params_text: wijkmonitor_pipeline::recompute::BUILTIN_PARAMS.to_string(),
            boundaries: None,
        }
    }

    /// Recomputes over the store and loads the snapshot to serve.
    pub(crate) fn publish(&self, store: &mut Store, at: &str) -> Result<Snapshot, String> {
        let job = Recompute {
            areas: &self.areas,
            crosswalk: &self.crosswalk,
            params_text: &self.params_text,
            computed_at: at,
        };
        wijkmonitor_pipeline::recompute(store, &job).map_err(|e| format!("recomputing failed: {e:#}"))?;
        Snapshot::load(store, Some(&self.areas), self.boundaries.as_deref()).map_err(|e| e.to_string())
    }
}

/// The workspace's state.
pub struct Work {
    store: Mutex<Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) policy: Policy,
    /// A fixed date to check request windows against (demonstrations and tests); today otherwise.
    today: Option<Date>,
    publishing: Option<Publishing>,
    pub(crate) items: Vec<Item>,
    /// The focus areas (id, name), sorted by name.
    pub(crate) areas: Vec<(String, String)>,
    /// Whether cookies carry `Secure` (always in production; tests over plain HTTP clients may turn it off).
    pub(crate) secure_cookies: bool,
    /// Whether the server runs behind a reverse proxy that appends the client's address to `X-Forwarded-For`
    /// (then the last entry is the client; otherwise the header is ignored, since anyone can send it).
    pub(crate) trusted_proxy: bool,
}

impl Work {
    /// A workspace over a writable store, for the areas of the snapshot being served.
    pub fn new(store: Store, snapshot: &Snapshot) -> Work {
        Work {
            store: Mutex::new(store),
            clock: Arc::new(SystemClock),
            policy: Policy::default(),
            today: None,
            publishing: None,
            items: request::items(&Catalogue::builtin()),
            areas: snapshot.areas.iter().map(|a| (a.id.clone(), a.name.clone())).collect(),
            secure_cookies: true,
            trusted_proxy: false,
        }
    }

    /// Behind a reverse proxy (TLS termination): take the client's address from the last `X-Forwarded-For`
    /// entry, so the limit on failed sign-ins applies per client and not to everyone behind the proxy at once.
    pub fn with_trusted_proxy(mut self, trusted: bool) -> Work {
        self.trusted_proxy = trusted;
        self
    }

    /// The focus areas (id, name) the workspace knows, when the snapshot has none (a database not computed yet).
    pub fn with_areas(mut self, areas: Vec<(String, String)>) -> Work {
        self.areas = areas;
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Work {
        self.clock = clock;
        self
    }

    pub fn with_today(mut self, today: Option<Date>) -> Work {
        self.today = today;
        self
    }

    /// Lets analysts publish: recompute with these settings and serve the new figures.
    pub fn with_publishing(mut self, publishing: Publishing) -> Work {
        self.publishing = Some(publishing);
        self
    }

    pub fn with_policy(mut self, policy: Policy) -> Work {
        self.policy = policy;
        self
    }

    pub fn with_secure_cookies(mut self, secure: bool) -> Work {
        self.secure_cookies = secure;
        self
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave the database half-written (every write is a
        // transaction), so the store stays usable.
        match self.store.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The date request windows are checked against.
    pub(crate) fn today(&self) -> Date {
        self.today.unwrap_or_else(|| wijkmonitor_model::date::amsterdam_date(self.clock.now()))
    }

    pub(crate) fn now_rfc3339(&self) -> String {
        wijkmonitor_model::date::rfc3339(self.clock.now())
    }

    pub(crate) fn area_name(&self, id: &str) -> Option<&str> {
        self.areas.iter().find(|(a, _)| a == id).map(|(_, n)| n.as_str())
    }

    pub(crate) fn publishing(&self) -> Option<&Publishing> {
        self.publishing.as_ref()
    }
}

/// Whether a path belongs to the workspace (everything else is the public dashboard).
pub fn is_work_path(path: &str) -> bool {
    path == "/aanmelden"
        || path == "/afmelden"
        || path == "/werk"
        || path.starts_with("/werk/")
        || path == "/api/v1/ik"
        || path == "/api/v1/uitvraag"
        || path.starts_with("/api/v1/uitvraag/")
        || path.starts_with("/api/v1/register/")
        || path == "/api/v1/audit"
}

/// A workspace request with everything the handlers need, read off the HTTP request.
#[derive(Debug, Clone)]
pub struct WorkRequest {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub cookies: Vec<(String, String)>,
    pub authorization: Option<String>,
    pub content_type: String,
    pub csrf_header: Option<String>,
    pub body: Vec<u8>,
    /// The client address, for the sign-in limit per client.
    pub client: String,
    pub accept_json: bool,
}

impl WorkRequest {
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn param(&self, name: &str) -> Option<String> {
        forms::parse_urlencoded(&self.query).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    pub fn lang(&self) -> Lang {
        self.param("lang").as_deref().and_then(Lang::parse).unwrap_or(Lang::Nl)
    }

    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/")
    }
}

/// A workspace response.
#[derive(Debug, Clone)]
pub struct WorkResponse {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(header::HeaderName, String)>,
}

impl WorkResponse {
    pub fn html(status: StatusCode, body: String) -> WorkResponse {
        WorkResponse { status, content_type: "text/html; charset=utf-8", body: body.into_bytes(), headers: Vec::new() }
    }

    pub fn json(status: StatusCode, value: &serde_json::Value) -> WorkResponse {
        WorkResponse {
            status,
            content_type: "application/json",
            body: serde_json::to_vec_pretty(value).unwrap_or_default(),
            headers: Vec::new(),
        }
    }

    pub fn redirect(to: &str) -> WorkResponse {
        WorkResponse {
            status: StatusCode::SEE_OTHER,
            content_type: "text/plain; charset=utf-8",
            body: Vec::new(),
            headers: vec![(header::LOCATION, to.to_string())],
        }
    }

    pub fn with_header(mut self, name: header::HeaderName, value: String) -> WorkResponse {
        self.headers.push((name, value));
        self
    }
}

fn parse_cookies(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (n, v) = pair.trim().split_once('=')?;
            Some((n.to_string(), v.to_string()))
        })
        .collect()
}

/// Reads the request, runs it on a blocking thread and turns the answer into an HTTP response.
pub async fn handle(app: Arc<App>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let client =
        parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or_else(|| "local".to_string(), |c| c.0.ip().to_string());
    let header = |name: header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return into_response(WorkResponse::json(
            StatusCode::PAYLOAD_TOO_LARGE,
            &serde_json::json!({"error": {"status": 413, "code": "too_large", "message": "the request body is larger than 5 MB"}}),
        ));
    };
    let accept = header(header::ACCEPT).unwrap_or_default();
    let req = WorkRequest {
        method: parts.method.clone(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        cookies: parse_cookies(&parts.headers),
        authorization: header(header::AUTHORIZATION),
        content_type: header(header::CONTENT_TYPE).unwrap_or_default(),
        csrf_header: parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string),
        body: body.to_vec(),
        client,
        accept_json: accept.contains("application/json") && !accept.contains("text/html"),
    };
    let app2 = app.clone();
    let response = tokio::task::spawn_blocking(move || dispatch(&app2, &req)).await;
    match response {
        Ok(r) => into_response(r),
        Err(_) => into_response(WorkResponse::json(
            StatusCode::INTERNAL_SERVER_ERROR,
            &serde_json::json!({"error": {"status": 500, "code": "internal_error", "message": "the request failed"}}),
        )),
    }
}

fn into_response(r: WorkResponse) -> Response {
    let mut builder = Response::builder()
        .status(r.status)
        .header(header::CONTENT_TYPE, r.content_type)
        // Pages with unpublished figures or personal data must never be stored by a browser or proxy.
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header("x-frame-options", "DENY")
        .header(header::REFERRER_POLICY, "same-origin");
    for (name, value) in r.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            builder = builder.header(name, v);
        }
    }
    builder.body(Body::from(r.body)).unwrap_or_default()
}

/// Routes one workspace request. Authentication comes first, then the route, then the permission check inside
/// each handler (which knows the area the request is about).
pub fn dispatch(app: &App, req: &WorkRequest) -> WorkResponse {
    let Some(work) = app.work.as_ref() else {
        return actions::Problem::NotFound("this server has no workspace".into()).respond(req, None);
    };
    if req.path == "/aanmelden" {
        return match req.method {
            Method::GET => auth::sign_in_page(work, req, None),
            Method::POST => auth::sign_in(work, req),
            _ => actions::Problem::MethodNotAllowed.respond(req, None),
        };
    }
    let session = match auth::authenticate(work, req) {
        Ok(s) => s,
        Err(problem) => return problem.respond(req, None),
    };
    // Every state-changing request made with a session cookie must carry the session's CSRF token; API tokens
    // are sent explicitly by scripts, never automatically by a browser, so they need none.
    if req.method != Method::GET && req.method != Method::HEAD && session.cookie.is_some() {
        if let Err(problem) = auth::check_csrf(req, &session) {
            return problem.respond(req, Some(&session));
        }
    }
    let result =
        if req.is_api() { api::route(app, work, req, &session) } else { pages::route(app, work, req, &session) };
    match result {
        Ok(r) => r,
        Err(problem) => problem.respond(req, Some(&session)),
    }
}
