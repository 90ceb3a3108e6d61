//! The HTTP server: the one handler every request goes through, and the connection loop around it.
//!
//! For each request: a request id; the client's address (the TCP peer, or behind trusted proxies the right-most
//! `X-Forwarded-For` address that is not one of them); the route from the table ([`crate::routes`]), refusing
//! unknown paths, methods and query parameters; then the public side (from the snapshot and its cache) or the
//! workspace ([`crate::work`]), which authenticates and authorises from the headers before it reads a body, and
//! runs on the blocking pool behind a bounded queue that answers 503 with `Retry-After` when full. Every
//! response gets the security headers and one JSON log line.
//!
//! Connections: HTTP/1.1 with a header read timeout (which also closes idle keep-alive connections), a body
//! read timeout, and a cap on open connections (over the cap, new connections wait in the listen backlog).

use crate::error::Problem;
use crate::i18n::Lang;
use crate::metrics::Metrics;
use crate::public::{Public, Rendered};
use crate::routes::{self, Matched, Miss, Page, Representation, Side, Verb, ROUTES};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use wijkmonitor_readmodel::Snapshot;

/// Addresses (single or ranges) of reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Parses `10.0.0.1`, `10.0.0.0/8`, `::1` or `fd00::/8`.
    pub fn parse(list: &[String]) -> Result<TrustedProxies, String> {
        let mut out = Vec::new();
        for item in list {
            let (addr, bits) = match item.split_once('/') {
                Some((a, b)) => (a, Some(b)),
                None => (item.as_str(), None),
            };
            let ip: IpAddr = addr.trim().parse().map_err(|_| format!("'{item}' is not an address or range"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                Some(b) => {
                    b.parse::<u8>().ok().filter(|b| *b <= max).ok_or_else(|| format!("'{item}': bad prefix length"))?
                }
                None => max,
            };
            out.push((ip, bits));
        }
        Ok(TrustedProxies(out))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is one of the proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|&(net, bits)| match (canonical(net), ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), bits),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), bits),
            _ => false,
        })
    }

    /// The client's address: the peer, unless the peer is a trusted proxy; then the right-most address of
    /// `X-Forwarded-For` that is not a trusted proxy (the left part of the header is whatever the client sent).
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let mut client = peer;
        for value in forwarded_for.iter().rev() {
            for part in value.rsplit(',') {
                let Ok(ip) = part.trim().parse::<IpAddr>() else { return client };
                client = ip;
                if !self.contains(ip) {
                    return ip;
                }
            }
        }
        client
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:10.0.0.1`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let full = usize::from(bits / 8);
    if a[..full] != b[..full] {
        return false;
    }
    let rest = bits % 8;
    rest == 0 || (a[full] >> (8 - rest)) == (b[full] >> (8 - rest))
}

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Serve the downloadable reports.
    pub reports: bool,
    pub trusted_proxies: TrustedProxies,
    /// The server runs behind TLS: send `Strict-Transport-Security`.
    pub hsts: bool,
    /// Open connections at most; more wait to be accepted.
    pub max_connections: usize,
    /// Time to receive a request's headers (also how long an idle keep-alive connection stays open).
    pub header_timeout: Duration,
    /// Time to receive a request's body.
    pub body_timeout: Duration,
    /// Workspace requests in flight (running on the blocking pool or waiting for it); beyond, 503.
    pub work_queue: usize,
    /// Uploads whose body is being read or processed at once; beyond, 503.
    pub uploads: usize,
    /// Bytes the public response cache may hold.
    pub cache_bytes: usize,
    /// Who may read `/metrics`: addresses or ranges (none: loopback only).
    pub metrics_from: TrustedProxies,
    /// A bearer token that may read `/metrics` from anywhere.
    pub metrics_token: Option<String>,
    /// Write one JSON line per request to standard error.
    pub log_requests: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            reports: false,
            trusted_proxies: TrustedProxies::default(),
            hsts: false,
            max_connections: 4096,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            work_queue: 64,
            uploads: 4,
            cache_bytes: 128 << 20,
            metrics_from: TrustedProxies::default(),
            metrics_token: None,
            log_requests: false,
        }
    }
}

/// The application state.
pub struct App {
    public: RwLock<Arc<Public>>,
    pub(crate) work: Option<crate::work::Work>,
    pub(crate) config: Config,
    /// Permits for workspace requests in flight.
    pub(crate) queue: Arc<Semaphore>,
    /// Permits for uploads.
    pub(crate) uploads: Arc<Semaphore>,
    pub metrics: Metrics,
    next_id: AtomicU64,
    id_prefix: String,
    log: Option<std::sync::mpsc::SyncSender<String>>,
}

impl App {
    pub fn new(snap: Snapshot, work: Option<crate::work::Work>, config: Config) -> App {
        let mut prefix = [0u8; 4];
        let _ = getrandom::getrandom(&mut prefix);
        let log = config.log_requests.then(spawn_logger);
        App {
            public: RwLock::new(Arc::new(Public::new(snap, config.cache_bytes))),
            work,
            queue: Arc::new(Semaphore::new(config.work_queue)),
            uploads: Arc::new(Semaphore::new(config.uploads)),
            config,
            metrics: Metrics::default(),
            next_id: AtomicU64::new(1),
            id_prefix: wijkmonitor_model::hash::hex(&prefix),
            log,
        }
    }

    /// The snapshot being served now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.public().snap.clone()
    }

    pub(crate) fn public(&self) -> Arc<Public> {
        match self.public.read() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Serves a new snapshot from now on (after a publication); cached responses of the old one are dropped.
    pub fn replace_snapshot(&self, snap: Snapshot) {
        let fresh = Arc::new(Public::new(snap, self.config.cache_bytes));
        match self.public.write() {
            Ok(mut p) => *p = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
    }

    fn request_id(&self) -> String {
        format!("{}-{}", self.id_prefix, self.next_id.fetch_add(1, Ordering::Relaxed))
    }
}

/// Request logs go to a thread of their own through a bounded channel, so a slow terminal never holds up a
/// request (lines are dropped, and counted, when it cannot keep up).
fn spawn_logger() -> std::sync::mpsc::SyncSender<String> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<String>(8192);
    std::thread::spawn(move || {
        use std::io::Write;
        let stderr = std::io::stderr();
        let mut out = std::io::BufWriter::new(stderr.lock());
        while let Ok(line) = rx.recv() {
            let _ = writeln!(out, "{line}");
            // Write out what is there when the channel runs dry.
            if let Ok(more) = rx.try_recv() {
                let _ = writeln!(out, "{more}");
            } else {
                let _ = out.flush();
            }
        }
    });
    tx
}

/// What the error answers need to know about the request.
pub(crate) struct Asked<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub query: &'a str,
    pub lang: Lang,
    pub wants_json: bool,
    pub request_id: &'a str,
}

/// Whether `Accept` prefers JSON.
pub(crate) fn accepts_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"))
}

/// The one handler: every request comes here.
pub async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    let started = Instant::now();
    let request_id = app.request_id();
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let forwarded: Vec<&str> =
        req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let client = peer.map(|p| app.config.trusted_proxies.client(p, &forwarded));
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let req = english_alias(req);
    let (mut response, route_index, side) = answer(&app, req, client, &request_id).await;
    decorate(&mut response, &app.config, side, &path, &request_id, route_index.map(|i| ROUTES[i].page));
    let status = response.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    app.metrics.request(route_index, status, seconds);
    if let Some(log) = &app.log {
        let line = serde_json::json!({
            "id": request_id,
            "ts": wijkmonitor_model::date::rfc3339(unix_now()),
            "method": method.as_str(),
            "path": path,
            "query_bytes": query.len(),
            "route": route_index.map(|i| ROUTES[i].pattern),
            "status": status,
            "ms": (seconds * 1e6).round() / 1e3,
            "client": client.map(|c| c.to_string()),
        });
        let _ = log.try_send(line.to_string());
    }
    response
}

/// `/en/...` is the English form of an address (what the pages link to, and what a static release holds as
/// files): it is answered as the address without the prefix with `lang=en`, unless the query names a language.
fn english_alias(mut req: Request) -> Request {
    let Some((lang, rest)) = Lang::strip_prefix(req.uri().path()) else { return req };
    let query = req.uri().query().unwrap_or("");
    let has_lang = crate::work::forms::parse_urlencoded(query).iter().any(|(k, _)| k == "lang");
    let query = match (has_lang, query.is_empty()) {
        (true, _) => query.to_string(),
        (false, true) => format!("lang={}", lang.code()),
        (false, false) => format!("lang={}&{query}", lang.code()),
    };
    if let Ok(uri) = axum::http::Uri::try_from(format!("{rest}?{query}")) {
        *req.uri_mut() = uri;
    }
    req
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

async fn answer(
    app: &Arc<App>,
    req: Request,
    client: Option<IpAddr>,
    request_id: &str,
) -> (Response, Option<usize>, Option<Side>) {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let pairs = crate::work::forms::parse_urlencoded(&query);
    let lang = pairs.iter().find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::parse(v)).unwrap_or(Lang::Nl);
    let wants_json = accepts_json(req.headers())
        || path.starts_with("/api/")
        || path.ends_with(".json")
        || pairs.iter().any(|(k, v)| k == "format" && v == "json");
    let method = req.method().clone();
    let asked = Asked { method: &method, path: &path, query: &query, lang, wants_json, request_id };
    let verb = match method {
        Method::GET | Method::HEAD => Verb::Get,
        Method::POST => Verb::Post,
        Method::PUT => Verb::Put,
        Method::OPTIONS => {
            return match routes::find(Verb::Get, &path) {
                Ok(m) if m.route.side == Side::Public => (preflight(), None, Some(Side::Public)),
                _ => (problem_response(&Problem::MethodNotAllowed(vec![Verb::Get]), &asked, None), None, None),
            }
        }
        _ => return (problem_response(&Problem::MethodNotAllowed(vec![Verb::Get]), &asked, None), None, None),
    };
    let matched = match routes::find(verb, &path) {
        Ok(m) => m,
        Err(Miss::NotFound) if path.starts_with("/werk") && app.work.is_some() => {
            // The workspace's layout is not revealed: the public is asked to sign in first.
            let response = crate::work::unknown(app.clone(), req, client, request_id).await;
            return (response, None, Some(Side::Work));
        }
        Err(Miss::NotFound) => {
            let problem = Problem::not_found(format!("no page at {}", wijkmonitor_model::error::excerpt(&path)));
            return (problem_response(&problem, &asked, None), None, None);
        }
        Err(Miss::MethodNotAllowed(allowed)) => {
            return (problem_response(&Problem::MethodNotAllowed(allowed), &asked, None), None, None)
        }
    };
    let index = ROUTES.iter().position(|r| std::ptr::eq(r, matched.route));
    let side = Some(matched.route.side);
    if let Some(lang) = pairs.iter().find(|(k, _)| k == "lang").map(|(_, v)| v) {
        if Lang::parse(lang).is_none() {
            let problem = Problem::bad_request(format!(
                "unknown language '{}' (use nl or en)",
                wijkmonitor_model::error::excerpt(lang)
            ));
            return (problem_response(&problem, &asked, None), index, side);
        }
    }
    if let Err(message) = routes::check_query(matched.route, &pairs) {
        return (problem_response(&Problem::BadRequest(message), &asked, None), index, side);
    }
    let response = match matched.route.side {
        Side::Public => public_answer(app, &matched, &pairs, req.headers(), &asked, client),
        Side::Work => crate::work::handle(app.clone(), matched, req, client, request_id).await,
    };
    (response, index, side)
}

fn public_answer(
    app: &Arc<App>,
    m: &Matched,
    pairs: &[(String, String)],
    headers: &HeaderMap,
    asked: &Asked<'_>,
    client: Option<IpAddr>,
) -> Response {
    match m.route.page {
        Page::Health | Page::Ready => return crate::ops::health(app, m.route.page == Page::Ready),
        Page::Metrics => return crate::ops::metrics(app, headers, client, asked),
        _ => {}
    }
    let result = crate::public::answer(&app.public(), app.config.reports, m, pairs, asked.lang, accepts_json(headers));
    match result {
        Ok(rendered) => respond(&rendered, headers),
        Err(problem) => problem_response(&problem, asked, None),
    }
}

fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    let Some(value) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else { return false };
    value.split(',').map(str::trim).any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == etag)
}

/// A cached public response, or 304 when the client has it.
fn respond(r: &Rendered, headers: &HeaderMap) -> Response {
    let mut builder = Response::builder().header(header::ETAG, &r.etag).header(header::CACHE_CONTROL, r.cache_control);
    if etag_matches(headers, &r.etag) {
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

fn preflight() -> Response {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .header(header::ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, OPTIONS")
        .header(header::ACCESS_CONTROL_ALLOW_HEADERS, "Accept, If-None-Match")
        .header(header::ACCESS_CONTROL_MAX_AGE, "86400")
        .body(Body::empty())
        .unwrap_or_default()
}

/// The answer to a problem: the JSON envelope, or a page in the site's shell (for a signed-in user, with the
/// workspace's navigation).
pub(crate) fn problem_response(
    problem: &Problem,
    asked: &Asked<'_>,
    session: Option<&crate::work::auth::Session>,
) -> Response {
    if let Problem::Internal(detail) = problem {
        eprintln!("request {} {} {} failed: {detail}", asked.request_id, asked.method, asked.path);
    }
    let (content_type, body) = if asked.wants_json {
        ("application/json", problem.json(Some(asked.request_id)))
    } else {
        let page = crate::layout::problem_page(problem, asked.lang, session, asked.path, asked.query, asked.request_id);
        ("text/html; charset=utf-8", page.into_bytes())
    };
    let mut builder = Response::builder()
        .status(problem.status())
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "no-cache");
    match problem {
        Problem::MethodNotAllowed(allowed) => {
            let mut verbs: Vec<&str> = allowed.iter().map(|v| v.as_str()).collect();
            if verbs.contains(&"GET") {
                verbs.extend(["HEAD", "OPTIONS"]);
            }
            builder = builder.header(header::ALLOW, verbs.join(", "));
        }
        Problem::Busy(seconds) => builder = builder.header(header::RETRY_AFTER, seconds.to_string()),
        Problem::Unauthorized(_) if asked.wants_json => {
            builder = builder.header(header::WWW_AUTHENTICATE, "Bearer realm=\"wijkmonitor\"");
        }
        _ => {}
    }
    builder.body(Body::from(body)).unwrap_or_default()
}

/// Adds the headers every response carries.
fn decorate(
    response: &mut Response,
    config: &Config,
    side: Option<Side>,
    path: &str,
    request_id: &str,
    page: Option<Page>,
) {
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    // The HTML reports are self-contained (their style is inline); nothing anywhere runs a script.
    let style = if page == Some(Page::Report) { "'unsafe-inline'" } else { "'self'" };
    set(
        header::CONTENT_SECURITY_POLICY,
        &format!(
            "default-src 'none'; style-src {style}; img-src 'self' data:; form-action 'self'; base-uri 'none'; \
             frame-ancestors 'none'"
        ),
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(HeaderName::from_static("x-request-id"), request_id);
    if config.hsts {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    }
    // A path that matched no route is answered as the public side answers (open to any origin), unless it is in
    // the workspace's part of the site.
    let side = side.or_else(|| (!path.starts_with("/werk")).then_some(Side::Public));
    match side {
        Some(Side::Public) => {
            set(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
            set(header::VARY, "Accept");
        }
        // Pages with unpublished figures or personal data must never be stored by a browser or proxy.
        Some(Side::Work) => set(header::CACHE_CONTROL, "no-store"),
        None => {}
    }
}

/// Binds `addr`, calls `ready` with the bound address (port 0 picks a free port) and serves until the process
/// ends. Builds its own multi-threaded runtime, so callers need no async code.
pub fn run(app: Arc<App>, addr: SocketAddr, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    // Workspace requests run on blocking threads but take turns on one database lock; a few threads suffice,
    // and each more would only cost its stack.
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_io().enable_time().max_blocking_threads(8).build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        ready(listener.local_addr()?);
        serve_listener(app, listener).await
    })
}

/// Accepts and serves connections on a bound listener until the process ends.
pub async fn serve_listener(app: Arc<App>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let router = axum::Router::new().fallback(handle).with_state(app.clone());
    let connections = Arc::new(Semaphore::new(app.config.max_connections));
    let header_timeout = app.config.header_timeout;
    loop {
        // Over the cap, the next connection waits in the kernel's backlog until one closes.
        let Ok(permit) = connections.clone().acquire_owned().await else { return Ok(()) };
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            // Out of file descriptors and the like: wait a moment rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                let router = router.clone();
                async move {
                    use tower::ServiceExt;
                    router.oneshot(req.map(Body::new)).await
                }
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(header_timeout).keep_alive(true);
            let _ = builder.serve_connection(TokioIo::new(stream), service).await;
            drop(permit);
        });
    }
}

/// Whether a representation is the route's JSON twin.
pub(crate) fn is_json(m: &Matched, headers: &HeaderMap) -> bool {
    m.route.json_only || m.suffix == Some(Representation::Json) || accepts_json(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_client_behind_trusted_proxies() {
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.0.0.1"), &["1.2.3.4"]), ip("10.0.0.1"), "without trusted proxies: the peer");
        let t = TrustedProxies::parse(&["10.0.0.0/8".into(), "::1".into()]).unwrap();
        assert_eq!(t.client(ip("10.0.0.1"), &["1.2.3.4"]), ip("1.2.3.4"));
        assert_eq!(t.client(ip("10.0.0.1"), &["6.6.6.6, 1.2.3.4, 10.1.1.1"]), ip("1.2.3.4"), "right-most untrusted");
        assert_eq!(t.client(ip("10.0.0.1"), &["6.6.6.6", "1.2.3.4"]), ip("1.2.3.4"), "several header lines");
        assert_eq!(t.client(ip("9.9.9.9"), &["1.2.3.4"]), ip("9.9.9.9"), "an untrusted peer's header is ignored");
        assert_eq!(t.client(ip("::1"), &["2001:db8::7"]), ip("2001:db8::7"));
        assert_eq!(t.client(ip("::ffff:10.2.3.4"), &["1.2.3.4"]), ip("1.2.3.4"), "mapped IPv4");
        assert_eq!(t.client(ip("10.0.0.1"), &["garbage, 1.2.3.4"]), ip("1.2.3.4"));
        assert_eq!(t.client(ip("10.0.0.1"), &["1.2.3.4, garbage"]), ip("10.0.0.1"), "a bad entry stops the walk");
        assert!(TrustedProxies::parse(&["10.0.0.0/33".into()]).is_err());
        assert!(TrustedProxies::parse(&["proxy.example".into()]).is_err());
    }
}
