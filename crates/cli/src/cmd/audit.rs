//! `wijkmonitor audit verify`: checks the audit log's hash chain and names the first row that does not fit (a
//! row changed, taken out or put in by other means than wijkmonitor). Exits with an error when the chain is broken.

use crate::common::{open_existing_store, DEFAULT_DB};
use anyhow::{bail, Result};
use std::path::PathBuf;
use wijkmonitor_store::audit::ChainCheck;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain of the audit log from its first row.
    Verify(VerifyArgs),
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The database file.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
}

pub fn run(args: Args) -> Result<()> {
    let AuditCommand::Verify(args) = args.command;
    let store = open_existing_store(&args.db)?;
    match store.verify_audit_chain()? {
        ChainCheck::Intact(n) => {
            println!("audit log of {}: {n} rows, the chain is intact", args.db.display());
            Ok(())
        }
        ChainCheck::Broken { id, reason } => {
            bail!("audit log of {}: the chain breaks at row {id}: {reason}", args.db.display())
        }
    }
}
