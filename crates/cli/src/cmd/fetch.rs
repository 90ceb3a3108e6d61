//! `wijkmonitor fetch`: download a table from the CBS OData API, keep the raw responses and import them.

use crate::cmd::import::{apply, print_batch, print_outcome, read_source};
use crate::common::{open_store, DEFAULT_DB};
use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::time::Duration;
use wijkmonitor_fetch::{fetch_table, FetchEvent, FetchOptions};
use wijkmonitor_import::{Format, ImportOptions};

#[derive(clap::Args)]
pub struct Args {
    /// The table id, e.g. 85984NED (Kerncijfers wijken en buurten 2024) or 47018NED (police, crimes per buurt).
    pub table: String,
    /// The database file (created if it does not exist).
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// Where the raw responses are kept, one folder per table.
    #[arg(long, default_value = "raw")]
    pub raw_dir: PathBuf,
    /// The OData v3 base URL.
    #[arg(long, default_value = "https://opendata.cbs.nl/ODataApi/odata")]
    pub base_url: String,
    /// Seconds to wait for a connection or a response before giving up on a try.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// How many times a failed request is retried (connection errors, timeouts, HTTP 429 and 5xx).
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
    /// Only download; do not import.
    #[arg(long)]
    pub no_import: bool,
}

pub fn run(args: Args) -> Result<()> {
    let options = FetchOptions {
        base_url: args.base_url.clone(),
        timeout: Duration::from_secs(args.timeout),
        retries: args.retries,
        retry_delay: Duration::from_secs(2),
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} rows ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let fetched = fetch_table(&args.table, &args.raw_dir, &options, &mut |event| match event {
        FetchEvent::Started { entity } => bar.set_message(format!("{} {entity}", args.table)),
        FetchEvent::Page { rows_so_far, total, .. } => {
            if let Some(total) = total {
                bar.set_length(total);
            }
            bar.set_position(rows_so_far);
        }
        FetchEvent::Retry { url, attempt, error } => bar.println(format!("retry {attempt} of {url}: {error}")),
        FetchEvent::Done { .. } => {}
    });
    bar.finish_and_clear();
    let fetched = fetched?;
    println!(
        "downloaded {} ({} rows, {} files) into {}",
        fetched.table_id,
        fetched.rows,
        fetched.files.len(),
        fetched.folder.display()
    );
    if args.no_import {
        return Ok(());
    }
    let mut store = open_store(&args.db)?;
    let batch = read_source(&store, &fetched.folder, Some(Format::OdataJson), ImportOptions::default())?;
    print_batch(&batch);
    let outcome = apply(&mut store, &batch, false)?;
    print_outcome(&outcome, &args.db);
    Ok(())
}
