//! Counters and histograms for operators, in the Prometheus text format at `/metrics`: requests by route and
//! status, request latency by route, failed sign-ins, publications and their duration, and the size of the
//! public response cache. Lock-free counters on the hot path; the text is built only when scraped.

use crate::routes::ROUTES;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Upper bounds (seconds) of the latency buckets.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The status classes counted per route.
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

struct RouteStats {
    by_class: [AtomicU64; 5],
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    /// Microseconds.
    sum_us: AtomicU64,
}

impl RouteStats {
    fn new() -> RouteStats {
        RouteStats {
            by_class: Default::default(),
            buckets: Default::default(),
            count: AtomicU64::new(0),
            sum_us: AtomicU64::new(0),
        }
    }
}

/// What the server counts.
pub struct Metrics {
    /// One per route of the table, and one more for requests that matched none.
    routes: Vec<RouteStats>,
    pub sign_in_failures: AtomicU64,
    pub publications: AtomicU64,
    pub publication_failures: AtomicU64,
    last_publication_seconds: Mutex<f64>,
    pub busy_refusals: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics {
            routes: (0..=ROUTES.len()).map(|_| RouteStats::new()).collect(),
            sign_in_failures: AtomicU64::new(0),
            publications: AtomicU64::new(0),
            publication_failures: AtomicU64::new(0),
            last_publication_seconds: Mutex::new(0.0),
            busy_refusals: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    /// Counts one answered request: `route` is an index into [`ROUTES`], `None` for no match.
    pub fn request(&self, route: Option<usize>, status: u16, seconds: f64) {
        let stats = &self.routes[route.unwrap_or(ROUTES.len())];
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        stats.by_class[class].fetch_add(1, Ordering::Relaxed);
        stats.count.fetch_add(1, Ordering::Relaxed);
        stats.sum_us.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
        if let Some(b) = BUCKETS.iter().position(|&le| seconds <= le) {
            stats.buckets[b].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Records a publication and how long it took.
    pub fn publication(&self, ok: bool, seconds: f64) {
        if ok {
            self.publications.fetch_add(1, Ordering::Relaxed);
        } else {
            self.publication_failures.fetch_add(1, Ordering::Relaxed);
        }
        if let Ok(mut last) = self.last_publication_seconds.lock() {
            *last = seconds;
        }
    }

    /// The Prometheus text exposition. `cache` is the public cache's bytes and entries.
    pub fn render(&self, cache: (usize, usize), snapshot_age_seconds: Option<f64>) -> String {
        let mut out = String::new();
        let name =
            |i: usize| ROUTES.get(i).map_or("unmatched".to_string(), |r| format!("{} {}", r.verb.as_str(), r.pattern));
        let _ = writeln!(out, "# HELP wijkmonitor_requests_total Requests answered, by route and status class.");
        let _ = writeln!(out, "# TYPE wijkmonitor_requests_total counter");
        for (i, stats) in self.routes.iter().enumerate() {
            for (c, class) in CLASSES.iter().enumerate() {
                let n = stats.by_class[c].load(Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(out, "wijkmonitor_requests_total{{route=\"{}\",status=\"{class}\"}} {n}", name(i));
                }
            }
        }
        let _ = writeln!(out, "# HELP wijkmonitor_request_duration_seconds Time to answer a request, by route.");
        let _ = writeln!(out, "# TYPE wijkmonitor_request_duration_seconds histogram");
        for (i, stats) in self.routes.iter().enumerate() {
            let count = stats.count.load(Ordering::Relaxed);
            if count == 0 {
                continue;
            }
            let route = name(i);
            let mut cumulative = 0;
            for (b, le) in BUCKETS.iter().enumerate() {
                cumulative += stats.buckets[b].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "wijkmonitor_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {cumulative}"
                );
            }
            let _ =
                writeln!(out, "wijkmonitor_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}");
            let sum = stats.sum_us.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(out, "wijkmonitor_request_duration_seconds_sum{{route=\"{route}\"}} {sum}");
            let _ = writeln!(out, "wijkmonitor_request_duration_seconds_count{{route=\"{route}\"}} {count}");
        }
        let counters = [
            (
                "wijkmonitor_sign_in_failures_total",
                "Failed sign-ins (wrong password, unknown or locked account, client limit).",
                &self.sign_in_failures,
            ),
            ("wijkmonitor_publications_total", "Successful publications.", &self.publications),
            (
                "wijkmonitor_publication_failures_total",
                "Publications that failed and were undone.",
                &self.publication_failures,
            ),
            (
                "wijkmonitor_busy_refusals_total",
                "Workspace requests refused with 503 because the queue was full.",
                &self.busy_refusals,
            ),
        ];
        for (metric, help, value) in counters {
            let _ = writeln!(
                out,
                "# HELP {metric} {help}\n# TYPE {metric} counter\n{metric} {}",
                value.load(Ordering::Relaxed)
            );
        }
        let last = self.last_publication_seconds.lock().map(|v| *v).unwrap_or(0.0);
        let _ = writeln!(out, "# HELP wijkmonitor_publication_duration_seconds Duration of the last publication.");
        let _ = writeln!(
            out,
            "# TYPE wijkmonitor_publication_duration_seconds gauge\nwijkmonitor_publication_duration_seconds {last}"
        );
        let _ = writeln!(out, "# HELP wijkmonitor_cache_bytes Bytes held by the public response cache.");
        let _ = writeln!(out, "# TYPE wijkmonitor_cache_bytes gauge\nwijkmonitor_cache_bytes {}", cache.0);
        let _ = writeln!(out, "# HELP wijkmonitor_cache_entries Responses held by the public response cache.");
        let _ = writeln!(out, "# TYPE wijkmonitor_cache_entries gauge\nwijkmonitor_cache_entries {}", cache.1);
        if let Some(age) = snapshot_age_seconds {
            let _ = writeln!(
                out,
                "# HELP wijkmonitor_snapshot_age_seconds Seconds since the served figures were computed."
            );
            let _ =
                writeln!(out, "# TYPE wijkmonitor_snapshot_age_seconds gauge\nwijkmonitor_snapshot_age_seconds {age}");
        }
        out
    }
}
