//! `wijkmonitor backup` and `wijkmonitor restore`: a consistent copy of a database while the server keeps reading
//! and writing it, and putting such a copy back. Both check what they wrote before they say it is done: SQLite's
//! integrity check, the schema version, the audit log's hash chain and that every import is whole. Nothing is
//! half-written: the copy is made under a temporary name and renamed into place only when it passes.

use crate::common::{open_existing_store, DEFAULT_DB};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use wijkmonitor_store::audit::ChainCheck;
use wijkmonitor_store::Store;

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The database to back up (it may be in use by a running server).
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// The backup file to write (must not exist).
    #[arg(long)]
    pub to: PathBuf,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup file to restore.
    #[arg(long)]
    pub from: PathBuf,
    /// The database to replace. Stop the server first: a restore replaces the file under it.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// Replace an existing database (without it, an existing file is refused).
    #[arg(long)]
    pub force: bool,
}

/// What a check of a database file found.
struct Checked {
    schema_version: i64,
    audit_rows: u64,
    imports: usize,
}

impl std::fmt::Display for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "integrity ok, schema version {}, audit chain intact ({} rows), {} imports whole",
            self.schema_version, self.audit_rows, self.imports
        )
    }
}

/// Checks a database file; an error names what is wrong.
fn check(path: &Path) -> Result<Checked> {
    let store = Store::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let integrity = store.integrity_check()?;
    if integrity != "ok" {
        bail!("{}: SQLite's integrity check failed: {integrity}", path.display());
    }
    let latest = wijkmonitor_store::migrations::MIGRATIONS.len() as i64;
    let schema_version = store.schema_version()?;
    if schema_version != latest {
        bail!("{}: schema version {schema_version}, expected {latest}", path.display());
    }
    let audit_rows = match store.verify_audit_chain()? {
        ChainCheck::Intact(n) => n,
        ChainCheck::Broken { id, reason } => bail!("{}: the audit chain breaks at row {id}: {reason}", path.display()),
    };
    let incomplete = store.incomplete_imports()?;
    if let Some((id, wrote, found)) = incomplete.first() {
        bail!("{}: import #{id} wrote {wrote} figures but {found} are there", path.display());
    }
    Ok(Checked { schema_version, audit_rows, imports: store.imports()?.len() })
}

/// A temporary name next to `path`.
fn temporary(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("wijkmonitor.db");
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

pub fn backup(args: BackupArgs) -> Result<()> {
    if args.to.exists() {
        bail!("{} exists already; choose a new name for the backup", args.to.display());
    }
    let store = open_existing_store(&args.db)?;
    let tmp = temporary(&args.to);
    let result = store.backup_into(&tmp).map_err(anyhow::Error::from).and_then(|()| check(&tmp));
    let checked = match result {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.context("the backup failed; nothing was written"));
        }
    };
    std::fs::rename(&tmp, &args.to).with_context(|| format!("cannot rename the backup to {}", args.to.display()))?;
    println!("backed up {} to {}: {checked}", args.db.display(), args.to.display());
    Ok(())
}

pub fn restore(args: RestoreArgs) -> Result<()> {
    if !args.from.exists() {
        bail!("the backup {} does not exist", args.from.display());
    }
    if args.db.exists() && !args.force {
        bail!("{} exists; add --force to replace it (stop the server first)", args.db.display());
    }
    // Checked as a copy next to the target, so the backup itself is never changed and the target only appears whole.
    let tmp = temporary(&args.db);
    std::fs::copy(&args.from, &tmp).with_context(|| format!("cannot copy {}", args.from.display()))?;
    let checked = match check(&tmp) {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(
                e.context(format!("{} was not restored: the backup does not pass the checks", args.db.display()))
            );
        }
    };
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
        let _ = std::fs::remove_file(format!("{}{suffix}", args.db.display()));
    }
    std::fs::rename(&tmp, &args.db)
        .with_context(|| format!("cannot put the restored database at {}", args.db.display()))?;
    println!("restored {} from {}: {checked}", args.db.display(), args.from.display());
    Ok(())
}
