//! What several subcommands share: opening the database, loading the delineation and catalogue, the clock,
//! progress bars and the database summary.

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wijkmonitor_model::area::parse_areas_csv;
use wijkmonitor_model::{FocusAreaSet, BUILTIN_AREAS, BUILTIN_AREAS_NAME};
use wijkmonitor_store::Store;

/// The database file used when `--db` is not given.
pub const DEFAULT_DB: &str = "wijkmonitor.db";

/// Opens a database, creating it if needed.
pub fn open_store(path: &Path) -> Result<Store> {
    Store::open(path).with_context(|| format!("cannot open the database {}", path.display()))
}

/// Opens an existing database; a missing file is an error rather than a silently created empty database.
pub fn open_existing_store(path: &Path) -> Result<Store> {
    if !path.exists() {
        anyhow::bail!(
            "the database {} does not exist (build one with `wijkmonitor demo --db {0}` or `wijkmonitor import FILE --db {0}`)",
            path.display()
        );
    }
    open_store(path)
}

/// The delineation from `--areas FILE`, or the built-in indicative one.
pub fn load_areas(file: Option<&PathBuf>) -> Result<FocusAreaSet> {
    match file {
        None => Ok(parse_areas_csv(BUILTIN_AREAS, BUILTIN_AREAS_NAME, true)?),
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            Ok(parse_areas_csv(&text, &path.display().to_string(), false)?)
        }
    }
}

/// The current time as RFC 3339 UTC (`2026-11-27T23:01:10Z`), for import records.
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    wijkmonitor_model::date::rfc3339(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// A spinner on stderr for work without a known length; hidden when stderr is not a terminal.
pub fn spinner(message: impl Into<String>) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message.into());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Prints what the database holds.
pub fn print_summary(store: &Store, db: &Path) -> Result<()> {
    let summary = store.summary()?;
    let imports = store.imports()?;
    println!("database: {}", db.display());
    match store.meta("demo")?.as_deref() {
        Some("synthetic") => println!("content:  {}", wijkmonitor_demo::SYNTHETIC_LABEL),
        Some(other) => println!("content:  real sources ({other})"),
        None => {}
    }
    println!("regions:");
    for ((year, kind), n) in &summary.regions {
        println!("  {year} {kind:<14} {n:>7}");
    }
    println!(
        "figures:  {} current ({} superseded, kept as history) in {} variables",
        summary.n_observations,
        summary.n_history,
        summary.variables.len()
    );
    for (variable, (n, n_values, first, last)) in &summary.variables {
        println!("  {variable:<34} {n:>8} figures, {n_values:>8} with a value, {first}-{last}");
    }
    println!("imports:");
    for import in &imports {
        println!(
            "  #{:<3} {} {} [{}{}] {} figures ({} new, {} changed){}",
            import.id,
            import.imported_at,
            import.source_name,
            import.format,
            import.source_table.as_deref().map(|t| format!(", {t}")).unwrap_or_default(),
            import.n_observations,
            import.n_new,
            import.n_changed,
            if import.synthetic { " SYNTHETIC" } else { "" }
        );
    }
    Ok(())
}

/// Writes a file atomically: into a temporary sibling (`.name.partial`), renamed into place, so no half-written
/// file is ever left under the real name. Creates the folder when needed.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.partial"));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// A bar for work with a known number of steps (on standard error, hidden when it is not a terminal).
pub fn counting_bar(len: u64, message: &str, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!("{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit} ({{eta}})"))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(message.to_string());
    bar
}
