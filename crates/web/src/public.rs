//! The public side: the published snapshot, the responses rendered from it, and the cache that keeps them.
//!
//! Every response is built from the snapshot and cached per route, format, language and parameters: the data
//! cannot change until the next publication, which replaces the snapshot and its cache as a whole. The cache is
//! bounded in bytes (oldest entries go first), so no mix of requests can make it grow without end; unknown
//! query parameters never reach it, because the route table refuses them.

use crate::error::Problem;
use crate::i18n::Lang;
use crate::routes::{Matched, Page, PathParams, Representation};
use crate::views::{self, View};
use axum::body::Bytes;
use axum::http::StatusCode;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use wijkmonitor_model::hash::sha256_hex;
use wijkmonitor_readmodel::snapshot::Snapshot;
use wijkmonitor_report::ReportFormat;

/// A rendered response body with what its headers need.
pub struct Rendered {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Bytes,
    pub etag: String,
    pub cache_control: &'static str,
    pub disposition: Option<String>,
    pub language: Option<&'static str>,
}

impl Rendered {
    pub fn new(
        snap: &Snapshot,
        content_type: &'static str,
        body: Vec<u8>,
        cache_control: &'static str,
        disposition: Option<String>,
        language: Option<&'static str>,
    ) -> Rendered {
        let run = snap.run.as_ref().map_or(0, |r| r.id);
        let etag = format!("\"r{run}-{}\"", &sha256_hex(&body)[..20]);
        Rendered {
            status: StatusCode::OK,
            content_type,
            body: Bytes::from(body),
            etag,
            cache_control,
            disposition,
            language,
        }
    }
}

/// Responses kept in memory, up to a number of bytes; the oldest go first when a new one does not fit.
pub struct Cache {
    limit: usize,
    inner: Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    map: HashMap<String, Arc<Rendered>>,
    order: VecDeque<String>,
    bytes: usize,
}

impl Cache {
    pub fn new(limit: usize) -> Cache {
        Cache { limit, inner: Mutex::new(CacheInner::default()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheInner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    pub fn get(&self, key: &str) -> Option<Arc<Rendered>> {
        self.lock().map.get(key).cloned()
    }

    pub fn insert(&self, key: String, value: Arc<Rendered>) {
        let size = value.body.len() + key.len();
        if size > self.limit {
            return;
        }
        let mut c = self.lock();
        if c.map.contains_key(&key) {
            return;
        }
        while c.bytes + size > self.limit {
            let Some(old) = c.order.pop_front() else { break };
            if let Some(r) = c.map.remove(&old) {
                c.bytes -= r.body.len() + old.len();
            }
        }
        c.bytes += size;
        c.order.push_back(key.clone());
        c.map.insert(key, value);
    }

    /// Bytes and entries held now (for the metrics).
    pub fn size(&self) -> (usize, usize) {
        let c = self.lock();
        (c.bytes, c.map.len())
    }
}

/// What the public side serves: one snapshot and the responses rendered from it. Replaced as a whole when an
/// analyst publishes, so a request never mixes figures from two publications.
pub struct Public {
    pub snap: Arc<Snapshot>,
    pub cache: Cache,
    openapi: Arc<Rendered>,
}

impl Public {
    pub fn new(snap: Snapshot, cache_bytes: usize) -> Public {
        let openapi = serde_json::to_vec_pretty(&crate::openapi::document()).unwrap_or_default();
        let openapi = Rendered::new(&snap, "application/json", openapi, "public, max-age=300", None, None);
        Public { snap: Arc::new(snap), cache: Cache::new(cache_bytes), openapi: Arc::new(openapi) }
    }
}

/// The representation a public request asks for: the route's own (JSON for the API), else the suffix, else
/// `?format=`, else `Accept`.
pub fn representation(m: &Matched, format: Option<&str>, accept_json: bool) -> Result<Representation, Problem> {
    let asked = match format {
        Some(f) => Some(
            Representation::parse(f)
                .ok_or_else(|| Problem::bad_request(format!("unknown format '{f}' (use html, json or csv)")))?,
        ),
        None => None,
    };
    if m.route.json_only {
        return Ok(Representation::Json);
    }
    Ok(m.suffix.or(asked).unwrap_or(if accept_json { Representation::Json } else { Representation::Html }))
}

/// Answers a matched public route with its query: the representation it asks for (`Accept` prefers JSON when
/// `accept_json`), from the cache or rendered. The server and the static release both answer through here.
pub fn answer(
    public: &Public,
    reports: bool,
    m: &Matched,
    pairs: &[(String, String)],
    lang: Lang,
    accept_json: bool,
) -> Result<Arc<Rendered>, Problem> {
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let repr = representation(m, get("format"), accept_json)?;
    respond(public, reports, m, repr, lang, get("gebied"))
}

/// Answers a public route from the cache or renders it.
pub fn respond(
    public: &Public,
    reports: bool,
    m: &Matched,
    repr: Representation,
    lang: Lang,
    gebied: Option<&str>,
) -> Result<Arc<Rendered>, Problem> {
    if m.route.page == Page::OpenApi {
        return Ok(public.openapi.clone());
    }
    let key = format!(
        "{:?}|{:?}|{repr:?}|{}|{}",
        m.route.page,
        m.params,
        if repr == Representation::Html || m.route.page == Page::Report { lang.code() } else { "-" },
        gebied.unwrap_or("")
    );
    if let Some(hit) = public.cache.get(&key) {
        return Ok(hit);
    }
    let rendered = Arc::new(render(&public.snap, reports, m.route.page, &m.params, repr, lang, gebied)?);
    public.cache.insert(key, rendered.clone());
    Ok(rendered)
}

fn param<'a>(params: &'a PathParams, name: &str) -> &'a str {
    params.get(name).map(String::as_str).unwrap_or("")
}

fn render(
    snap: &Snapshot,
    reports: bool,
    page: Page,
    params: &PathParams,
    repr: Representation,
    lang: Lang,
    gebied: Option<&str>,
) -> Result<Rendered, Problem> {
    if let Some(rendered) = views::render(snap, page, params, gebied, repr, lang) {
        return rendered;
    }
    match page {
        Page::FullCsv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            views::downloads::write_all(snap, &mut w).map_err(|_| Problem::internal("the CSV file"))?;
            let body = w.into_inner().map_err(|_| Problem::internal("the CSV file"))?;
            Ok(Rendered::new(
                snap,
                "text/csv; charset=utf-8",
                body,
                "public, max-age=300",
                Some("attachment; filename=\"wijkmonitor.csv\"".into()),
                None,
            ))
        }
        Page::Xlsx => {
            let body = crate::xlsx::workbook(snap).map_err(|_| Problem::internal("the Excel file"))?;
            Ok(Rendered::new(
                snap,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                body,
                "public, max-age=300",
                Some("attachment; filename=\"wijkmonitor.xlsx\"".into()),
                None,
            ))
        }
        Page::Style => Ok(Rendered::new(
            snap,
            "text/css; charset=utf-8",
            crate::layout::STYLE_CSS.as_bytes().to_vec(),
            "public, max-age=31536000, immutable",
            None,
            None,
        )),
        Page::Report => {
            let file = param(params, "file");
            let (area, year, format) = parse_report(snap, file)?;
            if !reports {
                return Err(Problem::not_found("this server does not serve reports"));
            }
            let body = wijkmonitor_report::render(snap, area, year, format, lang)
                .map_err(|e| Problem::not_found(format!("no report: {e}")))?;
            let name = format!("{}-{year}.{}", area.unwrap_or("nationaal"), format.extension());
            Ok(Rendered::new(
                snap,
                format.content_type(),
                body,
                "public, max-age=300",
                Some(format!("inline; filename=\"{name}\"")),
                None,
            ))
        }
        other => Err(Problem::Internal(format!("{other:?} is not a public page"))),
    }
}

/// Parses `{area id}-{year}.{pdf|html}` or `nationaal-{year}.{pdf|html}`.
fn parse_report<'a>(snap: &Snapshot, file: &'a str) -> Result<(Option<&'a str>, i32, ReportFormat), Problem> {
    let not_found = || {
        Problem::not_found(format!("no report {file}; reports are named <area id>-<year>.pdf or nationaal-<year>.html"))
    };
    let (stem, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    let format = ReportFormat::parse(ext).ok_or_else(not_found)?;
    let (who, year) = stem.rsplit_once('-').ok_or_else(not_found)?;
    let year: i32 = year.parse().map_err(|_| not_found())?;
    if who == "nationaal" {
        return Ok((None, year, format));
    }
    if snap.area(who).is_none() {
        return Err(Problem::not_found(format!("no focus area '{who}'")));
    }
    Ok((Some(who), year, format))
}

/// A view model rendered in any representation (object-safe wrapper around [`View`]).
/// A public page's view model as HTML (in the shell), JSON (serde) or CSV (the long format).
pub fn render_view<V: View>(snap: &Snapshot, view: &V, repr: Representation, lang: Lang) -> Rendered {
    match repr {
        Representation::Html => {
            let page = crate::layout::page(view.meta(), lang, &view.query(), view.html(lang)).into_string();
            Rendered::new(
                snap,
                "text/html; charset=utf-8",
                page.into_bytes(),
                "public, max-age=300",
                None,
                Some(lang.code()),
            )
        }
        Representation::Json => {
            let body = serde_json::to_vec(view).unwrap_or_default();
            Rendered::new(snap, "application/json", body, "public, max-age=300", None, None)
        }
        Representation::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            // Writing to memory cannot fail for I/O reasons; a failure would be a defect, answered with what was written.
            let _ = view.csv(snap, &mut w);
            let body = w.into_inner().unwrap_or_default();
            Rendered::new(snap, "text/csv; charset=utf-8", body, "public, max-age=300", None, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(n: usize) -> Arc<Rendered> {
        Arc::new(Rendered {
            status: StatusCode::OK,
            content_type: "text/plain",
            body: Bytes::from(vec![b'x'; n]),
            etag: String::new(),
            cache_control: "",
            disposition: None,
            language: None,
        })
    }

    #[test]
    fn the_cache_stays_within_its_bytes() {
        let cache = Cache::new(10_000);
        for i in 0..1_000 {
            cache.insert(format!("k{i}"), rendered(900));
            assert!(cache.size().0 <= 10_000);
        }
        assert!(cache.get("k999").is_some(), "the newest stays");
        assert!(cache.get("k0").is_none(), "the oldest went");
        cache.insert("huge".into(), rendered(20_000));
        assert!(cache.get("huge").is_none(), "larger than the whole cache: not kept");
    }
}
