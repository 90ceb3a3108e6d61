//! The wijkmonitor dashboard and open API: public HTML pages (Dutch, with English) and their JSON and CSV
//! twins, built from a read-only snapshot of the store. This is the only crate that knows HTTP.
//!
//! # Layout
//! - [`snapshot`]: everything served, loaded once from the store at start-up (computed figures only).
//! - [`views`]: one module per page kind; each builds one view model rendered as HTML, JSON and CSV.
//! - [`model`]: what the view models share (page metadata, indicator references, provenance, CSV rows).
//! - [`layout`]: the HTML page shell; [`svg`]: charts and maps; [`geo`]: outlines and projection.
//! - [`http`]: routing, negotiation, caching, ETags, CORS and errors; [`openapi`]: the API document.
//! - [`xlsx`]: the Excel download; [`format`] and [`i18n`]: numbers and words in Dutch and English.
//!
//! # Invariants
//! - Only figures from the `computed` table (after disclosure control) are served; raw observations are
//!   never loaded. A figure without status final/provisional has no number anywhere.
//! - No SQL per request: responses come from the snapshot and are cached per URL.
//! - Every page has a JSON and a CSV twin carrying the same figures, statuses, reasons and provenance.

#![recursion_limit = "256"]

pub mod format;
pub mod http;
pub mod i18n;
pub mod layout;
pub mod model;
pub mod openapi;
pub mod svg;
pub mod views;
pub mod work;
pub mod xlsx;

use wijkmonitor_readmodel::Snapshot;

use std::net::SocketAddr;
use std::sync::Arc;

/// The router of the dashboard over a loaded snapshot.
pub fn router(snapshot: Snapshot) -> axum::Router {
    router_with_reports(snapshot, false)
}

/// The router, also serving the reports at `/rapport/...` when `reports` is given.
pub fn router_with_reports(snapshot: Snapshot, reports: bool) -> axum::Router {
    let app = Arc::new(http::App::with_reports(snapshot, reports));
    axum::Router::new().fallback(http::handle).with_state(app)
}

/// The router with the signed-in workspace over a writable database.
pub fn router_with_work(snapshot: Snapshot, reports: bool, work: work::Work) -> axum::Router {
    let app = Arc::new(http::App::with_work(snapshot, reports, work));
    axum::Router::new().fallback(http::handle).with_state(app)
}

/// Like [`serve`], with the signed-in workspace.
pub fn serve_with_work(
    snapshot: Snapshot,
    reports: bool,
    work: work::Work,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    run(router_with_work(snapshot, reports, work), addr, ready)
}

/// Binds `addr`, calls `ready` with the bound address (port 0 picks a free port) and serves until the process
/// ends. Builds its own multi-threaded runtime, so callers need no async code.
pub fn serve(
    snapshot: Snapshot,
    reports: bool,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    run(router_with_reports(snapshot, reports), addr, ready)
}

fn run(app: axum::Router, addr: SocketAddr, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    // Workspace requests run on blocking threads but take turns on one database lock; a few threads suffice,
    // and each more would only cost its stack.
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_io().max_blocking_threads(8).build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        ready(listener.local_addr()?);
        // The client address feeds the workspace's limit on failed sign-ins per client.
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await
    })
}
