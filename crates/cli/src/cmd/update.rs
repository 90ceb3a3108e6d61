//! `wijkmonitor update`: every national source of the manifest (`data/sources.toml`) brought up to date,
//! imported, the crosswalks built from the maps, and the figures recomputed; then what changed. The work is
//! `wijkmonitor_pipeline::update`; this module parses the arguments, draws the progress and prints.

use crate::common::{load_areas, now_rfc3339, open_store, spinner, DEFAULT_DB};
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use wijkmonitor_fetch::{FetchEvent, FetchOptions};
use wijkmonitor_pipeline::update::{update, Change, Sources, UpdateEvent, UpdateOptions, BUILTIN_SOURCES};

#[derive(clap::Args)]
pub struct Args {
    /// The database file (created if it does not exist).
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// The sources manifest; the built-in `data/sources.toml` when not given.
    #[arg(long)]
    pub sources: Option<PathBuf>,
    /// Leave out tables and maps of years before this one.
    #[arg(long)]
    pub since: Option<i32>,
    /// Where the raw responses are kept.
    #[arg(long, default_value = "raw")]
    pub raw_dir: PathBuf,
    /// The CBS OData v3 service root.
    #[arg(long, default_value = wijkmonitor_fetch::DEFAULT_BASE_URL)]
    pub odata_url: String,
    /// A server holding copies of the files and maps (`https://host/path` is asked for as MIRROR/host/path).
    #[arg(long)]
    pub mirror: Option<String>,
    /// Seconds to wait for a connection or a response before giving up on a try.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// How many times a failed request is retried (connection errors, timeouts, HTTP 429 and 5xx).
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
    /// The delineation of the focus areas (CSV); the built-in indicative one when not given.
    #[arg(long)]
    pub areas: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    let (text, name) = match &args.sources {
        Some(path) => (
            std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?,
            path.display().to_string(),
        ),
        None => (BUILTIN_SOURCES.to_string(), "sources.toml (built in)".to_string()),
    };
    let sources = Sources::parse(&text, &name)?;
    let areas = load_areas(args.areas.as_ref())?;
    let mut store = open_store(&args.db)?;
    let at = now_rfc3339();
    let options = UpdateOptions {
        raw_dir: &args.raw_dir,
        odata_url: &args.odata_url,
        mirror: args.mirror.as_deref(),
        since: args.since,
        fetch: FetchOptions {
            base_url: args.odata_url.clone(),
            timeout: Duration::from_secs(args.timeout),
            retries: args.retries,
            retry_delay: Duration::from_secs(2),
        },
        areas: &areas,
        at: &at,
    };
    // One bar per source: a spinner while it is checked, the rows of a table as they arrive.
    let style = indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ");
    let mut bar = spinner("updating");
    let mut current = String::new();
    let report = update(&mut store, &sources, &options, &mut |event| match event {
        UpdateEvent::Source(name) => {
            bar.finish_and_clear();
            current = name.to_string();
            bar = spinner(format!("{current}: checking"));
        }
        UpdateEvent::Fetch(FetchEvent::Page { entity, rows_so_far, total }) => {
            if let Some(total) = total {
                if bar.length() != Some(total) {
                    bar.set_style(style.clone());
                    bar.set_length(total);
                }
            }
            bar.set_message(format!("{current}: {entity}"));
            bar.set_position(rows_so_far);
        }
        UpdateEvent::Fetch(FetchEvent::Started { entity }) => bar.set_message(format!("{current}: {entity}")),
        UpdateEvent::Fetch(FetchEvent::Retry { url, attempt, error }) => {
            bar.println(format!("retry {attempt} of {url}: {error}"))
        }
        UpdateEvent::Fetch(_) => {}
    });
    bar.finish_and_clear();
    let report = report?;
    for (source, change) in &report.sources {
        match change {
            Change::Unchanged => println!("{source}: unchanged"),
            Change::Imported { new, changed, same } => {
                println!("{source}: imported ({new} new, {changed} changed, {same} unchanged figures)")
            }
            Change::Map { downloaded: true } => println!("{source}: downloaded"),
            Change::Map { downloaded: false } => println!("{source}: unchanged"),
        }
    }
    if let Some((rows, path)) = &report.crosswalk {
        println!("crosswalk: {rows} rows in {}", path.display());
    }
    match &report.computed {
        Some(summary) => super::compute::print_computed(summary, &args.db, started),
        None => println!("nothing changed: the figures of {} are current", args.db.display()),
    }
    Ok(())
}
