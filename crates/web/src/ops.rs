//! What operators ask of a running server: `/healthz` (the process answers, the database is readable, how old the
//! served figures are), `/readyz` (a snapshot with computed figures is being served) and `/metrics` (Prometheus
//! text; only from the configured addresses, loopback by default, or with the configured bearer token).

use crate::error::Problem;
use crate::server::{problem_response, App, Asked};
use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use std::net::IpAddr;
use std::sync::Arc;

#[derive(Serialize)]
struct Health {
    status: &'static str,
    /// `readable`, `busy` (held by a request right now), `unreadable`, or `none` for a public-only server (it
    /// holds no database open).
    database: &'static str,
    /// The compute run being served and when it was computed.
    compute_run: Option<i64>,
    computed_at: Option<String>,
    snapshot_age_seconds: Option<f64>,
}

/// Seconds since an RFC 3339 UTC moment (`2026-05-01T12:00:00Z`).
fn age_of(at: &str) -> Option<f64> {
    let date = wijkmonitor_model::date::Date::parse(at.get(..10)?)?;
    let time = at.get(11..19)?;
    let mut hms = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    let then =
        wijkmonitor_model::date::days_from_civil(date.year, date.month, date.day) * 86_400 + h * 3600 + m * 60 + s;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() as i64;
    Some((now - then).max(0) as f64)
}

/// The age of the served figures in seconds.
pub fn snapshot_age(app: &App) -> Option<f64> {
    app.snapshot().run.as_ref().and_then(|r| age_of(&r.computed_at))
}

fn json(status: StatusCode, value: &impl Serialize) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(serde_json::to_vec(value).unwrap_or_default()))
        .unwrap_or_default()
}

/// `/healthz` and `/readyz`.
pub fn health(app: &Arc<App>, ready: bool) -> Response {
    let snap = app.snapshot();
    let database = match &app.work {
        None => "none",
        Some(work) => match work.try_store() {
            Some(store) if store.schema_version().is_ok() => "readable",
            Some(_) => "unreadable",
            // In use by a request (a publication holds it for seconds): it was readable a moment ago.
            None => "busy",
        },
    };
    let run = snap.run.as_ref();
    let ok = database != "unreadable" && (!ready || run.is_some());
    let body = Health {
        status: if ok { "ok" } else { "unavailable" },
        database,
        compute_run: run.map(|r| r.id),
        computed_at: run.map(|r| r.computed_at.clone()),
        snapshot_age_seconds: run.and_then(|r| age_of(&r.computed_at)),
    };
    json(if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, &body)
}

/// `/metrics`, for the configured addresses (loopback when none are) or with the configured token.
pub(crate) fn metrics(app: &Arc<App>, headers: &HeaderMap, client: Option<IpAddr>, asked: &Asked<'_>) -> Response {
    let config = &app.config;
    let token_ok = config.metrics_token.as_deref().is_some_and(|want| {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|got| wijkmonitor_access::constant_time_eq(got.trim(), want))
    });
    let from_ok = client.is_some_and(|c| {
        if config.metrics_from.is_empty() {
            c.is_loopback() || matches!(c, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()))
        } else {
            config.metrics_from.contains(c)
        }
    });
    if !token_ok && !from_ok {
        return problem_response(
            &Problem::Forbidden("the metrics are for the operators of this server".into()),
            asked,
            None,
        );
    }
    let text = app.metrics.render(app.public().cache.size(), snapshot_age(app));
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(text))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ages_of_moments() {
        assert!(super::age_of("2000-01-01T00:00:00Z").is_some_and(|a| a > 8e8));
        assert_eq!(super::age_of("not a time"), None);
    }
}
