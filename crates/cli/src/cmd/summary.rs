//! `wijkmonitor summary`: print what a database holds.

use crate::common::{open_existing_store, print_summary, DEFAULT_DB};
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The database file.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
}

pub fn run(args: Args) -> Result<()> {
    let store = open_existing_store(&args.db)?;
    print_summary(&store, &args.db)
}
