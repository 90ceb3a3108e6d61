//! `wijkmonitor serve`: the dashboard and JSON API over a database, or over the built-in demo database.
//!
//! Without `--db`, the demo database is built once into the user's cache folder
//! (`$XDG_CACHE_HOME/wijkmonitor/` or `~/.cache/wijkmonitor/`) under a name that hashes everything it is made
//! from (catalogue, disclosure rules, delineation, engine parameters, code list, version, schema), and reused
//! from then on, so a second start takes well under a second. A cached file older than the running binary
//! is rebuilt too, since the generator or engine code may have changed. This module only parses arguments
//! and prepares the database; everything about HTTP lives in `wijkmonitor-web`.

use crate::common::{load_areas, now_rfc3339, open_existing_store, spinner};
use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Instant;
use wijkmonitor_model::{FocusAreaSet, BUILTIN_AREAS_NAME};
use wijkmonitor_pipeline::demo::{
    build_demo_database, demo_fingerprint, ensure_demo_workspace, Source, DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TODAY,
};
use wijkmonitor_readmodel::Snapshot;
use wijkmonitor_web::work::Publishing;

#[derive(clap::Args)]
pub struct Args {
    /// The database to serve (after `wijkmonitor compute`); the built-in demo database when not given.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The delineation the figures were computed with (CSV), to list each area's buurten. Not needed when
    /// the database was computed with the built-in delineation.
    #[arg(long)]
    pub areas: Option<PathBuf>,
    /// A folder with buurt maps (GeoJSON or TopoJSON with "buurt" in the name, any year, WGS84 or RD New) for
    /// maps of the buurten.
    #[arg(long)]
    pub boundaries: Option<PathBuf>,
    /// The date request windows are checked against (YYYY-MM-DD), for demonstrations and tests; today when not
    /// given (the demo database uses 2026-05-01, inside its request window).
    #[arg(long)]
    pub today: Option<String>,
    /// Serve only the public dashboard, without the signed-in workspace (the database is then only read).
    #[arg(long)]
    pub public_only: bool,
    /// A reverse proxy in front of the server (an address, or a range such as 10.0.0.0/8; repeat for several)
    /// that appends the client's address to `X-Forwarded-For`. For a request from such a proxy, the client is
    /// the right-most address of that header that is not a trusted proxy, so the limit on failed sign-ins
    /// counts per client instead of per proxy. Without it the header is ignored (anyone can send it).
    #[arg(long = "trusted-proxy", value_name = "ADDR|CIDR")]
    pub trusted_proxy: Vec<String>,
    /// The server is reached over HTTPS (through the proxy): send Strict-Transport-Security.
    #[arg(long)]
    pub behind_tls: bool,
    /// Who may read /metrics: addresses or ranges (repeatable); loopback only when not given.
    #[arg(long = "metrics-from", value_name = "ADDR|CIDR")]
    pub metrics_from: Vec<String>,
    /// A bearer token that may read /metrics from anywhere (read from this environment variable's value).
    #[arg(long, value_name = "ENV")]
    pub metrics_token_env: Option<String>,
    /// Open connections at most (more wait to be accepted).
    #[arg(long, default_value_t = 4096)]
    pub max_connections: usize,
    /// Do not write a JSON log line per request to standard error.
    #[arg(long)]
    pub quiet: bool,
    /// Send session cookies without `Secure`, for plain-HTTP test clients other than browsers on localhost.
    #[arg(long, hide = true)]
    pub insecure_cookies: bool,
}

pub fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    let db = match &args.db {
        Some(db) => db.clone(),
        None => cached_demo_database()?,
    };
    let mut store = open_existing_store(&db)?;
    let today = match (&args.today, args.db.is_none()) {
        (Some(t), _) => Some(t.as_str()),
        (None, true) => Some(DEMO_TODAY),
        (None, false) => None,
    };
    let today = today
        .map(|t| {
            wijkmonitor_model::date::Date::parse(t)
                .with_context(|| format!("--today: '{t}' is not a date (YYYY-MM-DD)"))
        })
        .transpose()?;
    if args.db.is_none() && !args.public_only {
        ensure_demo_workspace(&mut store, &now_rfc3339())?;
    }
    let run = store.compute_run()?;
    if run.is_none() {
        eprintln!("note: {} has no computed figures yet; run `wijkmonitor compute --db {0}` first", db.display());
    }
    // The buurten of each area are not stored with the results: use the delineation they were computed with.
    let areas: Option<FocusAreaSet> = match &args.areas {
        Some(path) => Some(load_areas(Some(path))?),
        None if run.as_ref().is_some_and(|r| r.areas_source == BUILTIN_AREAS_NAME) => Some(load_areas(None)?),
        None => None,
    };
    let snapshot = Snapshot::load(&store, areas.as_ref(), args.boundaries.as_deref())
        .with_context(|| format!("cannot load the dashboard's data from {}", db.display()))?;
    let synthetic = snapshot.demo.is_some();
    let demo = args.db.is_none();
    let ready = |addr: SocketAddr| {
        println!(
            "wijkmonitor dashboard: http://{addr}/  (database {}, ready in {:.2} s)",
            db.display(),
            started.elapsed().as_secs_f64()
        );
        if synthetic {
            println!("content: {}", wijkmonitor_demo::SYNTHETIC_LABEL);
        }
        if !args.public_only {
            println!("workspace: http://{addr}/werk (sign in at /aanmelden)");
            if demo {
                let emails: Vec<&str> = DEMO_ACCOUNTS.iter().map(|(e, _, _)| *e).collect();
                println!("demo accounts: {} (password {DEMO_PASSWORD})", emails.join(", "));
            }
        }
        println!("JSON API: http://{addr}/api/openapi.json   stop with Ctrl-C");
    };
    let config = wijkmonitor_web::Config {
        reports: true,
        trusted_proxies: wijkmonitor_web::TrustedProxies::parse(&args.trusted_proxy)
            .map_err(|e| anyhow::anyhow!("--trusted-proxy: {e}"))?,
        hsts: args.behind_tls,
        metrics_from: wijkmonitor_web::TrustedProxies::parse(&args.metrics_from)
            .map_err(|e| anyhow::anyhow!("--metrics-from: {e}"))?,
        metrics_token: match &args.metrics_token_env {
            Some(var) => Some(std::env::var(var).with_context(|| format!("--metrics-token-env: {var} is not set"))?),
            None => None,
        },
        max_connections: args.max_connections,
        log_requests: !args.quiet,
        ..wijkmonitor_web::Config::default()
    };
    if args.public_only {
        drop(store);
        return wijkmonitor_web::serve(snapshot, None, config, args.addr, ready)
            .with_context(|| format!("cannot serve on {}", args.addr));
    }
    let mut work = wijkmonitor_web::work::Work::new(store, &snapshot).with_today(today);
    if let Some(areas) = areas {
        work = work.with_publishing(Publishing { boundaries: args.boundaries.clone(), ..Publishing::builtin(areas) });
    }
    let work = work.with_secure_cookies(!args.insecure_cookies);
    wijkmonitor_web::serve(snapshot, Some(work), config, args.addr, ready)
        .with_context(|| format!("cannot serve on {}", args.addr))
}

/// The cache folder for the demo database.
fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("wijkmonitor");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(home).join(".cache").join("wijkmonitor");
    }
    std::env::temp_dir().join("wijkmonitor-cache")
}

/// The cached demo database, built when missing or older than this binary.
pub(crate) fn cached_demo_database() -> Result<PathBuf> {
    let dir = cache_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create the cache folder {}", dir.display()))?;
    let db = dir.join(format!("demo-{}.db", demo_fingerprint(env!("CARGO_PKG_VERSION"))));
    if is_fresh(&db) {
        return Ok(db);
    }
    println!("building the demo database (once) in {} ...", db.display());
    let areas = load_areas(None)?;
    let bar = spinner("building the demo database");
    let built =
        build_demo_database(&db, Source::Synthetic, &areas, &now_rfc3339(), &|m| bar.set_message(m.to_string()));
    bar.finish_and_clear();
    built?;
    // Older demo databases (other fingerprints) are no longer used.
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with("demo-") && name.ends_with(".db") && path != db {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    Ok(db)
}

/// Whether a cached database exists and is newer than the running binary.
fn is_fresh(db: &Path) -> bool {
    let Ok(db_time) = std::fs::metadata(db).and_then(|m| m.modified()) else { return false };
    let exe_time = std::env::current_exe().and_then(std::fs::metadata).and_then(|m| m.modified());
    match exe_time {
        Ok(exe_time) => db_time >= exe_time,
        Err(_) => true,
    }
}
