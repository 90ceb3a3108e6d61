//! `wijkmonitor import`: read one source file or folder and apply it to the database in one transaction.

use crate::common::{now_rfc3339, open_store, spinner, DEFAULT_DB};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use wijkmonitor_import::{Format, ImportBatch, ImportContext, ImportOptions, Input, SourceFile};
use wijkmonitor_model::{Catalogue, Period, RegionCode};
use wijkmonitor_store::{ImportOutcome, Store};

#[derive(clap::Args)]
pub struct Args {
    /// The file or folder to import (a folder for OData entity sets).
    pub path: PathBuf,
    /// The database file (created if it does not exist).
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// The source format; detected from the content when not given.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    /// The period of all figures, for sources without a period column (e.g. 2019).
    #[arg(long, value_parser = parse_period)]
    pub period: Option<Period>,
    /// The CBS classification year of the region codes, when the source does not say it.
    #[arg(long)]
    pub classification_year: Option<i32>,
    /// For StatLine web exports with region names: the municipality whose names to match (e.g. GM0363).
    #[arg(long, value_parser = parse_region)]
    pub municipality: Option<RegionCode>,
    /// For --format wide-csv: the mapping file (TOML) naming the region, period and variable columns.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Read and check the source, print what it holds, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Leave out rows whose content is invalid (a region code such as `WK1916--`, a value that is not a number,
    /// a row given twice) instead of stopping, and list each with its line and reason. For long, KWB,
    /// Leefbaarometer and wide CSV files; without it the first invalid row stops the import.
    #[arg(long)]
    pub skip_invalid_rows: bool,
}

pub fn parse_format(text: &str) -> Result<Format, String> {
    Format::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
        format!("unknown format '{text}'; use one of {}", names.join(", "))
    })
}

pub fn parse_period(text: &str) -> Result<Period, String> {
    Period::parse(text).map_err(|e| e.to_string())
}

pub fn parse_region(text: &str) -> Result<RegionCode, String> {
    RegionCode::parse(text).map_err(|e| e.to_string())
}

pub fn run(args: Args) -> Result<()> {
    let mut store = open_store(&args.db)?;
    let options = ImportOptions {
        classification_year: args.classification_year,
        period: args.period,
        municipality: args.municipality.clone(),
        mapping: match &args.mapping {
            Some(path) => Some(SourceFile::new(
                path.display().to_string(),
                std::fs::read(path).with_context(|| format!("cannot read the mapping file {}", path.display()))?,
            )),
            None => None,
        },
        skip_invalid_rows: args.skip_invalid_rows,
    };
    let batch = read_source(&store, &args.path, args.format, options)?;
    print_batch(&batch);
    if args.dry_run {
        println!("dry run: nothing was written");
        return Ok(());
    }
    let outcome = apply(&mut store, &batch, false)?;
    print_outcome(&outcome, &args.db);
    Ok(())
}

/// Loads and reads a source with the database's code lists; nothing is written.
pub fn read_source(store: &Store, path: &Path, format: Option<Format>, options: ImportOptions) -> Result<ImportBatch> {
    let progress = spinner(format!("reading {}", path.display()));
    let input = Input::load(path)?;
    let catalogue = Catalogue::builtin();
    let code_lists = store.code_lists()?;
    let ctx = ImportContext { catalogue: &catalogue, code_lists: &code_lists, options };
    let batch = wijkmonitor_import::read(&input, format, &ctx);
    progress.finish_and_clear();
    Ok(batch?)
}

/// Applies a batch in one transaction, with a spinner.
pub fn apply(store: &mut Store, batch: &ImportBatch, synthetic: bool) -> Result<ImportOutcome> {
    let progress = spinner(format!("applying {} figures from {}", batch.observations.len(), batch.source_name));
    let outcome = store.apply_import(batch, &now_rfc3339(), synthetic);
    progress.finish_and_clear();
    Ok(outcome?)
}

pub fn print_batch(batch: &ImportBatch) {
    println!(
        "read {} ({}{}{}): {} figures, {} regions",
        batch.source_name,
        batch.format,
        batch.source_table.as_deref().map(|t| format!(", table {t}")).unwrap_or_default(),
        batch.classification_year.map(|y| format!(", classification {y}")).unwrap_or_default(),
        batch.observations.len(),
        batch.regions.len()
    );
    let skipped = batch.notes.iter().filter(|n| n.starts_with(wijkmonitor_import::SKIPPED_ROW)).count();
    if skipped > 0 {
        println!("{skipped} invalid row(s) left out (--skip-invalid-rows):");
    }
    for note in &batch.notes {
        // Notes can list dozens of columns; the full text is kept with the import in the database.
        let short: String = note.chars().take(400).collect();
        if short.len() < note.len() {
            println!("note: {short}…");
        } else {
            println!("note: {note}");
        }
    }
}

pub fn print_outcome(outcome: &ImportOutcome, db: &Path) {
    if outcome.unchanged {
        if outcome.import_id > 0 {
            println!("nothing changed: this source was already imported as import #{}", outcome.import_id);
        } else {
            println!("nothing changed: every figure was already current");
        }
    } else {
        println!(
            "import #{} into {}: {} new, {} changed (old values kept as history), {} unchanged, {} regions added or renamed",
            outcome.import_id,
            db.display(),
            outcome.n_new,
            outcome.n_changed,
            outcome.n_same,
            outcome.n_regions
        );
    }
}
