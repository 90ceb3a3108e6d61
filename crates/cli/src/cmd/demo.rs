//! `wijkmonitor demo`: build the demo database and print what is in it.
//!
//! Without `--from`, the database holds the real CBS 2024 codes and names of the 19 NPLV municipalities and
//! synthetic figures (clearly labelled) for 2018-2025, and the programme register seed (real figures with their
//! source, synthetic ones labelled so) with its figures for the realisation indicators. With `--from DIR`, it
//! holds whatever real sources in DIR wijkmonitor recognises; the rest is listed as skipped, with the reason.
//!
//! The database is built in a temporary file next to the target and renamed into place only when complete,
//! so an interrupted run never leaves a half-built database behind.

use crate::cmd::import::print_batch;
use crate::common::{load_areas, now_rfc3339, open_store, print_summary, spinner};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use wijkmonitor_import::{detect, Format, ImportBatch, ImportContext, ImportOptions, Input};
use wijkmonitor_model::Catalogue;

#[derive(clap::Args)]
pub struct Args {
    /// The database file to build (replaced if it exists).
    #[arg(long, default_value = "wijkmonitor-demo.db")]
    pub db: PathBuf,
    /// Build from the real source files in this folder (searched recursively) instead of synthetic figures.
    #[arg(long)]
    pub from: Option<PathBuf>,
    /// The delineation of the focus areas (CSV); the built-in indicative one when not given.
    #[arg(long)]
    pub areas: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let areas = load_areas(args.areas.as_ref())?;
    build_atomically(&args, &areas)?;
    let store = open_store(&args.db)?;
    print_summary(&store, &args.db)?;
    println!(
        "areas:    {} focus areas from {}{}",
        areas.areas.len(),
        areas.source,
        if areas.indicative { " (INDICATIVE delineation, not the official one)" } else { "" }
    );
    Ok(())
}

/// Builds the synthetic demo database at `db` (replacing it), computes every indicator and returns when the
/// file is complete. This is what `wijkmonitor demo` does without `--from`; `wijkmonitor serve` and the
/// dashboard's tests call it to get the very same database.
pub fn build_demo_database(db: &Path, areas_file: Option<&PathBuf>) -> Result<()> {
    let args = Args { db: db.to_path_buf(), from: None, areas: areas_file.cloned() };
    let areas = load_areas(args.areas.as_ref())?;
    build_atomically(&args, &areas)
}

/// Builds and computes in a temporary file next to the target, then renames it into place, so that a
/// database at the target path is always complete (the dashboard reuses a cached demo database on sight).
fn build_atomically(args: &Args, areas: &wijkmonitor_model::FocusAreaSet) -> Result<()> {
    let tmp = temp_path(&args.db);
    remove_db_files(&tmp);
    let result = build(args, areas, &tmp).and_then(|()| {
        // The demo is ready to use: compute every indicator right away.
        crate::cmd::compute::run(crate::cmd::compute::Args {
            db: tmp.clone(),
            areas: args.areas.clone(),
            crosswalk: None,
            params: None,
        })
    });
    if let Err(err) = result {
        remove_db_files(&tmp);
        return Err(err);
    }
    remove_db_files(&args.db);
    std::fs::rename(&tmp, &args.db)
        .with_context(|| format!("cannot move the new database to {}", args.db.display()))?;
    Ok(())
}

fn build(args: &Args, areas: &wijkmonitor_model::FocusAreaSet, tmp: &Path) -> Result<()> {
    let mut store = open_store(tmp)?;
    let at = now_rfc3339();
    let code_list = code_list_batch()?;
    store.apply_import(&code_list, &at, false)?;
    match &args.from {
        None => {
            let progress = spinner("generating synthetic demo figures");
            let batches = wijkmonitor_demo::generate(areas)?;
            for batch in &batches {
                progress.set_message(format!("storing {}", batch.source_name));
                store.apply_import(batch, &at, true)?;
            }
            progress.finish_and_clear();
            // The programme register: the real figures of the parliamentary record and synthetic demo figures,
            // each labelled with its source. Loading it also records its figures for the register indicators
            // (restructurings, construction starts) as published area figures, which the compute below reads,
            // so the areas' pages show them.
            crate::cmd::register::load_builtin_seed(&mut store)?;
            store.set_meta("demo", "synthetic")?;
        }
        Some(dir) => {
            let catalogue = Catalogue::builtin();
            let mut n_imported = 0;
            for candidate in candidates(dir)? {
                let code_lists = store.code_lists()?;
                let ctx =
                    ImportContext { catalogue: &catalogue, code_lists: &code_lists, options: ImportOptions::default() };
                let progress = spinner(format!("reading {}", candidate.display()));
                let read = Input::load(&candidate).and_then(|input| {
                    let format = detect::detect(&input)?;
                    wijkmonitor_import::read(&input, Some(format), &ctx)
                });
                progress.finish_and_clear();
                match read {
                    Ok(batch) => {
                        print_batch(&batch);
                        let progress = spinner(format!("storing {} figures", batch.observations.len()));
                        store.apply_import(&batch, &at, false)?;
                        progress.finish_and_clear();
                        n_imported += 1;
                    }
                    Err(err) => println!("skipped: {err}"),
                }
            }
            if n_imported == 0 {
                anyhow::bail!("no source in {} could be imported", dir.display());
            }
            store.set_meta("demo", &format!("from {}", dir.display()))?;
        }
    }
    store.set_meta("areas", &areas.source)?;
    Ok(())
}

/// The built-in code list as a batch of regions (real CBS codes and names; no figures).
fn code_list_batch() -> Result<ImportBatch> {
    let regions = wijkmonitor_demo::code_list_2024()?;
    Ok(ImportBatch {
        format: Format::Builtin,
        source_name: "wijkmonitor built-in code list".into(),
        sha256: wijkmonitor_model::hash::sha256_hex(wijkmonitor_demo::NPLV_CODE_LIST_2024.as_bytes()),
        source_table: Some("85984NED".into()),
        source_title: Some("CBS Wijken en buurten 2024, the 19 NPLV municipalities (Bron: CBS)".into()),
        classification_year: Some(2024),
        regions,
        observations: Vec::new(),
        notes: Vec::new(),
    })
}

/// The files and OData folders under `dir`, in a stable order. A folder holding `DataProperties.*` is one
/// source; other folders are searched (three levels deep).
fn candidates(dir: &Path) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, depth: u32, out: &mut Vec<PathBuf>) -> Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        if entries
            .iter()
            .any(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("DataProperties.")))
        {
            out.push(dir.to_path_buf());
            return Ok(());
        }
        for path in entries {
            if path.is_dir() && depth < 3 {
                walk(&path, depth + 1, out)?;
            } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, 0, &mut out)?;
    Ok(out)
}

fn temp_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".building-{}", std::process::id()));
    db.with_file_name(name)
}

fn remove_db_files(db: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}
