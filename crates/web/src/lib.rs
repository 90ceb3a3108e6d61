//! The wijkmonitor web server: the public dashboard and its open API (Dutch pages, with English, each with JSON and
//! CSV twins), and the signed-in workspace, over one route table. This is the only crate that knows HTTP.
//!
//! # Layout
//! - [`routes`]: the one route table of the whole site (methods, parameters, bodies, permissions, twins, API).
//! - [`server`]: the one handler and the connection loop: routing, security headers, timeouts, connection cap,
//!   the bounded queue in front of the workspace, request ids, request logs.
//! - [`error`]: the one error type and its one envelope.
//! - [`public`]: the public side: the snapshot being served, its bounded response cache, page rendering.
//! - [`views`]: one module per public page kind; each builds one view model rendered as HTML, JSON and CSV.
//! - [`work`]: the workspace: authentication, actions, one module per page (view models with JSON twins), forms.
//! - [`layout`]: the one HTML page shell; [`svg`]: charts and maps; [`viewmodel`]: what public view models share.
//! - [`openapi`]: the API document, generated from the route table; [`ops`]: health, readiness and metrics;
//!   [`metrics`]: the counters behind `/metrics`.
//! - [`release`]: the static release: the public side as files, by the same rendering as the server.
//! - [`xlsx`]: the Excel download; [`format`] and [`i18n`]: numbers and words in Dutch and English.
//!
//! # Invariants
//! - Only figures from the read model (after disclosure control) are served; raw observations are never loaded.
//!   A figure without status final/provisional has no number anywhere.
//! - No SQL per public request: responses come from the snapshot and are cached per URL, within a byte budget.
//! - Every public page has a JSON and a CSV twin carrying the same figures, statuses, reasons and provenance;
//!   every workspace page has a JSON twin, which is what the API answers.
//! - A workspace request is authenticated and authorised from its headers before its body is read.

#![recursion_limit = "256"]

pub mod error;
pub mod format;
pub mod i18n;
pub mod layout;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod public;
pub mod release;
pub mod routes;
pub mod server;
pub mod svg;
pub mod viewmodel;
pub mod views;
pub mod work;
pub mod xlsx;

pub use server::{App, Config, TrustedProxies};

use std::net::SocketAddr;
use std::sync::Arc;
use wijkmonitor_readmodel::Snapshot;

/// The router over an application.
pub fn router_for(app: Arc<App>) -> axum::Router {
    axum::Router::new().fallback(server::handle).with_state(app)
}

/// The router of the public dashboard over a loaded snapshot (without the reports).
pub fn router(snapshot: Snapshot) -> axum::Router {
    router_with_reports(snapshot, false)
}

/// The router of the public dashboard, serving the reports at `/rapport/...` when `reports` is set.
pub fn router_with_reports(snapshot: Snapshot, reports: bool) -> axum::Router {
    router_for(Arc::new(App::new(snapshot, None, Config { reports, ..Config::default() })))
}

/// The router with the signed-in workspace over a writable database.
pub fn router_with_work(snapshot: Snapshot, reports: bool, work: work::Work) -> axum::Router {
    router_for(Arc::new(App::new(snapshot, Some(work), Config { reports, ..Config::default() })))
}

/// Serves the snapshot (and the workspace, when given) on `addr` until the process ends; `ready` hears the bound
/// address (port 0 picks a free one). Builds its own runtime, so callers need no async code.
pub fn serve(
    snapshot: Snapshot,
    work: Option<work::Work>,
    config: Config,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    server::run(Arc::new(App::new(snapshot, work, config)), addr, ready)
}
