//! The signed-in workspace: sign-in, the yearly request of each area, the review by analysts, publication, the
//! programme register, the audit log and accounts, as HTML forms and as the JSON API under `/api/v1/`.
//!
//! Unlike the public side, the workspace reads and writes the database on every request, so it runs on a
//! blocking thread with the store behind a mutex. Before a body is read, the request is authenticated from its
//! headers ([`auth`]) and the route's permission is checked ([`crate::routes::Needs`]), so a request without an
//! account costs nothing but its headers. Every action asks [`wijkmonitor_access::allows`] again before it reads
//! or changes anything; forms carry a CSRF token checked against the session.
//!
//! # Layout
//! - [`auth`]: sessions, API tokens, sign-in with lock-out, CSRF, cookies.
//! - [`actions`]: what the workspace does (save, submit, review, publish, upload, register, accounts), shared by
//!   forms and API.
//! - [`pages`]: one module per page, each a serialisable view model rendered as HTML (and as its JSON twin,
//!   which is also what the API answers).
//! - [`forms`]: urlencoded and multipart bodies.

pub mod actions;
pub mod auth;
pub mod forms;
pub mod pages;

use crate::error::Problem;
use crate::i18n::Lang;
use crate::routes::{Body, Matched, Page, PathParams};
use crate::server::{problem_response, App, Asked};
use axum::body::Body as HttpBody;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use wijkmonitor_access::{allows, Policy, Principal};
use wijkmonitor_model::date::Date;
use wijkmonitor_model::{Catalogue, FocusAreaSet};
use wijkmonitor_pipeline::{Crosswalk, Recompute};
use wijkmonitor_readmodel::snapshot::Snapshot;
use wijkmonitor_request::{self as request, Item};
use wijkmonitor_store::Store;

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
            effect_text: wijkmonitor_pipeline::recompute::BUILTIN_EFFECT_PARAMS,
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
        }
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

    /// The store, if no request holds it right now (for health checks, which must not wait).
    pub(crate) fn try_store(&self) -> Option<MutexGuard<'_, Store>> {
        match self.store.try_lock() {
            Ok(guard) => Some(guard),
            Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
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
    /// The matched route and its path parameters.
    pub page: Page,
    pub params: PathParams,
    /// Whether the answer is JSON (an API route, a `.json` twin, or `Accept: application/json`).
    pub json: bool,
    pub request_id: String,
}

impl WorkRequest {
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn param(&self, name: &str) -> Option<String> {
        forms::parse_urlencoded(&self.query).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    pub fn path_param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn lang(&self) -> Lang {
        self.param("lang").as_deref().and_then(Lang::parse).unwrap_or(Lang::Nl)
    }

    pub fn is_api(&self) -> bool {
        self.json
    }

    fn asked(&self) -> (Asked<'_>, Lang) {
        let lang = self.lang();
        (
            Asked {
                method: &self.method,
                path: &self.path,
                query: &self.query,
                lang,
                wants_json: self.json,
                request_id: &self.request_id,
            },
            lang,
        )
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

    /// A view model as JSON.
    pub fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> WorkResponse {
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

    fn into_response(self) -> Response {
        let mut builder = Response::builder().status(self.status).header(header::CONTENT_TYPE, self.content_type);
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                builder = builder.header(name, v);
            }
        }
        builder.body(HttpBody::from(self.body)).unwrap_or_default()
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

/// How long a client is asked to wait when the workspace is at capacity.
const RETRY_AFTER_SECONDS: u32 = 2;

/// Handles a workspace request: a place in the bounded queue, authentication and the route's permission from
/// the headers, then the body (within the route's limit and the body timeout), then the action on a blocking
/// thread.
pub async fn handle(
    app: Arc<App>,
    matched: Matched,
    req: Request,
    client: Option<IpAddr>,
    request_id: &str,
) -> Response {
    let (parts, body) = req.into_parts();
    let header = |name: header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let json = crate::server::is_json(&matched, &parts.headers);
    let mut work_req = WorkRequest {
        method: parts.method.clone(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        cookies: parse_cookies(&parts.headers),
        authorization: header(header::AUTHORIZATION),
        content_type: header(header::CONTENT_TYPE).unwrap_or_default(),
        csrf_header: parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string),
        body: Vec::new(),
        client: client.map_or_else(|| "local".to_string(), |c| c.to_string()),
        accept_json: crate::server::accepts_json(&parts.headers),
        page: matched.route.page,
        params: matched.params.clone(),
        json,
        request_id: request_id.to_string(),
    };
    let refuse =
        |problem: Problem, req: &WorkRequest, session: Option<&auth::Session>| answer_problem(problem, req, session);
    if app.work.is_none() {
        return refuse(Problem::not_found("this server has no workspace"), &work_req, None);
    }
    // A place in the queue before anything is read or held: beyond capacity, a quick 503.
    let Ok(_permit) = app.queue.clone().try_acquire_owned() else {
        app.metrics.busy_refusals.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return refuse(Problem::Busy(RETRY_AFTER_SECONDS), &work_req, None);
    };
    // Who is asking, from the headers alone.
    let (app2, head) = (app.clone(), work_req.clone());
    let session = tokio::task::spawn_blocking(move || {
        let work = app2.work.as_ref().ok_or_else(|| Problem::not_found("this server has no workspace"))?;
        auth::authenticate(work, &head)
    })
    .await;
    let session = match session {
        Ok(Ok(s)) => s,
        Ok(Err(problem)) => return refuse(problem, &work_req, None),
        Err(_) => return refuse(Problem::internal("authentication failed"), &work_req, None),
    };
    if let Some(permission) = matched.route.needs.permission(&matched.params) {
        if !allows(&session.principal, permission) {
            let problem = match session.principal {
                Principal::Public => Problem::Unauthorized("sign in first".into()),
                Principal::User { .. } => Problem::Forbidden("your account has no access to this".into()),
            };
            return refuse(problem, &work_req, Some(&session));
        }
    }
    // Now the body, within the route's limit and in time.
    let kind = matched.route.body;
    let _upload_permit = if kind == Body::Multipart {
        match app.uploads.clone().try_acquire_owned() {
            Ok(p) => Some(p),
            Err(_) => {
                app.metrics.busy_refusals.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return refuse(Problem::Busy(RETRY_AFTER_SECONDS), &work_req, Some(&session));
            }
        }
    } else {
        None
    };
    let limit = kind.limit();
    let declared = parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return refuse(Problem::TooLarge(limit), &work_req, Some(&session));
    }
    let read = tokio::time::timeout(app.config.body_timeout, axum::body::to_bytes(body, limit)).await;
    work_req.body = match read {
        Ok(Ok(bytes)) => bytes.to_vec(),
        Ok(Err(_)) => return refuse(Problem::TooLarge(limit), &work_req, Some(&session)),
        Err(_) => return refuse(Problem::Timeout, &work_req, Some(&session)),
    };
    let app2 = app.clone();
    let result = tokio::task::spawn_blocking(move || {
        let response = dispatch(&app2, &work_req, &session);
        response.unwrap_or_else(|problem| answer_problem(problem, &work_req, Some(&session)))
    })
    .await;
    result.unwrap_or_else(|_| {
        Response::builder().status(StatusCode::INTERNAL_SERVER_ERROR).body(HttpBody::empty()).unwrap_or_default()
    })
}

/// A path under `/werk` that no route has: the public is sent to sign in, so that the workspace's layout is not
/// revealed to it; a signed-in user hears that there is no such page.
pub async fn unknown(app: Arc<App>, req: Request, client: Option<IpAddr>, request_id: &str) -> Response {
    let (parts, _) = req.into_parts();
    let head = WorkRequest {
        method: parts.method.clone(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        cookies: parse_cookies(&parts.headers),
        authorization: parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_string),
        content_type: String::new(),
        csrf_header: None,
        body: Vec::new(),
        client: client.map_or_else(|| "local".to_string(), |c| c.to_string()),
        accept_json: crate::server::accepts_json(&parts.headers),
        page: Page::Home,
        params: PathParams::new(),
        json: crate::server::accepts_json(&parts.headers),
        request_id: request_id.to_string(),
    };
    let Ok(_permit) = app.queue.clone().try_acquire_owned() else {
        return answer_problem(Problem::Busy(RETRY_AFTER_SECONDS), &head, None);
    };
    let (app2, head2) = (app.clone(), head.clone());
    let session = tokio::task::spawn_blocking(move || {
        let work = app2.work.as_ref().ok_or_else(|| Problem::not_found("this server has no workspace"))?;
        auth::authenticate(work, &head2)
    })
    .await;
    match session {
        Ok(Ok(s)) if s.principal.role().is_some() => answer_problem(
            Problem::not_found(format!("no page at {}", wijkmonitor_model::error::excerpt(&head.path))),
            &head,
            Some(&s),
        ),
        Ok(Ok(s)) => answer_problem(Problem::Unauthorized("sign in first".into()), &head, Some(&s)),
        Ok(Err(problem)) => answer_problem(problem, &head, None),
        Err(_) => answer_problem(Problem::internal("authentication failed"), &head, None),
    }
}

/// The answer to a refused workspace request. A browser that must sign in is sent there (and brought back
/// afterwards); everything else gets the one error envelope or page.
fn answer_problem(problem: Problem, req: &WorkRequest, session: Option<&auth::Session>) -> Response {
    if matches!(problem, Problem::Unauthorized(_)) && !req.json {
        return pages::to_sign_in(req, session).into_response();
    }
    let (asked, _) = req.asked();
    problem_response(&problem, &asked, session)
}

/// Runs one workspace request (on a blocking thread). Authentication has happened; the CSRF token of a form
/// posted with a session cookie is checked here, then the page's handler runs.
pub fn dispatch(app: &App, req: &WorkRequest, session: &auth::Session) -> Result<Response, Problem> {
    let work = app.work.as_ref().ok_or_else(|| Problem::not_found("this server has no workspace"))?;
    if req.page == Page::SignIn {
        return auth::sign_in(work, req, &app.metrics).map(WorkResponse::into_response);
    }
    if req.page == Page::SignInPage {
        return auth::sign_in_page(work, req, None).map(WorkResponse::into_response);
    }
    // Every state-changing request made with a session cookie must carry the session's CSRF token; API tokens
    // are sent explicitly by scripts, never automatically by a browser, so they need none.
    if req.method != Method::GET && req.method != Method::HEAD && session.cookie.is_some() {
        auth::check_csrf(req, session)?;
    }
    pages::route(app, work, req, session).map(WorkResponse::into_response)
}
