//! `wijkmonitor publish --static DIR`: the public side as a folder of files for any static host, with the
//! archive of this publication under `archief/<label>/`. The pages are rendered by `wijkmonitor-web` (the same
//! code that answers `serve`); this module chooses the database and writes the files: incrementally (a file
//! whose bytes did not change is not touched), each one atomically (a temporary name renamed into place), files
//! of the previous release that are gone removed, and the manifest (`SHA256SUMS`) written last.

use crate::common::{load_areas, open_existing_store, spinner, write_atomically};
use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;
use wijkmonitor_model::hash::sha256_hex;
use wijkmonitor_model::{FocusAreaSet, BUILTIN_AREAS_NAME};
use wijkmonitor_readmodel::Snapshot;
use wijkmonitor_web::release::{self, File, Options, ARCHIVE_DIR, MANIFEST_FILE};

#[derive(clap::Args)]
pub struct Args {
    /// The folder to write the release into: empty, or a release written before (it is then updated).
    #[arg(long = "static", value_name = "DIR")]
    pub dir: PathBuf,
    /// The database to publish (after `wijkmonitor compute`); the built-in demo database when not given.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Where the release will be served, e.g. https://data.example.nl/wijkmonitor/ (its path is put in front
    /// of every link, so a subfolder works; the full address goes into the sitemap and the DCAT description).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Where the workspace runs (e.g. https://werk.example.nl); the pages' links to it point there.
    #[arg(long)]
    pub workspace_url: Option<String>,
    /// The name of this publication in the archive; the date of the compute run when not given.
    #[arg(long)]
    pub label: Option<String>,
    /// Who publishes, for the open-data description.
    #[arg(long, default_value = "Nationaal Programma Leefbaarheid en Veiligheid")]
    pub publisher: String,
    /// Leave the reports (PDF and HTML per area and national) out of the release.
    #[arg(long)]
    pub no_reports: bool,
    /// The delineation the figures were computed with (CSV); not needed for the built-in one.
    #[arg(long)]
    pub areas: Option<PathBuf>,
    /// A folder with boundary files, for the maps of the buurten.
    #[arg(long)]
    pub boundaries: Option<PathBuf>,
}

/// What writing a tree did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub files: usize,
    pub bytes: u64,
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

pub fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    let db = match &args.db {
        Some(db) => db.clone(),
        None => super::serve::cached_demo_database()?,
    };
    let store = open_existing_store(&db)?;
    let Some(run) = store.compute_run()? else {
        bail!("{} holds no computed figures: run `wijkmonitor compute --db {0}` first", db.display());
    };
    let areas: Option<FocusAreaSet> = match &args.areas {
        Some(path) => Some(load_areas(Some(path))?),
        None if run.areas_source == BUILTIN_AREAS_NAME => Some(load_areas(None)?),
        None => None,
    };
    let snap = Snapshot::load(&store, areas.as_ref(), args.boundaries.as_deref())
        .with_context(|| format!("cannot load the published figures from {}", db.display()))?;
    drop(store);
    let label = args.label.clone().unwrap_or_else(|| run.computed_at.get(..10).unwrap_or(&run.computed_at).to_string());
    if label.is_empty()
        || !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        || label.starts_with('.')
    {
        bail!("--label '{label}': use letters, digits, '-', '_' and '.' only (it becomes a folder name)");
    }
    check_release_dir(&args.dir)?;
    let options = Options {
        base_url: args.base_url.clone(),
        workspace_url: args.workspace_url.clone(),
        reports: !args.no_reports,
        archived: archived_labels(&args.dir, &label),
        label: label.clone(),
        publisher: args.publisher.clone(),
    };
    let bar = spinner("rendering every page, twin, download and report");
    let built = release::build(snap, &options);
    bar.finish_and_clear();
    let built = built.map_err(|e| anyhow::anyhow!("the release was not written: {e}"))?;
    let site = write_tree(&args.dir, &built.site, &[ARCHIVE_DIR])?;
    let archive_dir = args.dir.join(ARCHIVE_DIR).join(&label);
    let archive = write_tree(&archive_dir, &built.archive, &[])?;
    println!(
        "release {}: {} files ({:.1} MB): {} written, {} unchanged, {} removed",
        args.dir.display(),
        site.files,
        site.bytes as f64 / 1e6,
        site.written,
        site.unchanged,
        site.removed
    );
    println!(
        "archive {}: {} files: {} written, {} unchanged, {} removed",
        archive_dir.display(),
        archive.files,
        archive.written,
        archive.unchanged,
        archive.removed
    );
    if !built.left_to_server.is_empty() {
        let some: Vec<&str> = built.left_to_server.iter().take(5).map(String::as_str).collect();
        println!(
            "note: {} link(s) need a server and are not in the release (e.g. {}){}",
            built.left_to_server.len(),
            some.join(", "),
            if args.workspace_url.is_none() { "; give --workspace-url to send workspace links there" } else { "" }
        );
    }
    if args.base_url.is_none() {
        println!("note: without --base-url the sitemap and the DCAT description hold site-relative addresses");
    }
    println!("done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// A release folder is empty, missing, or holds a release written before (its manifest); anything else is
/// refused, so that publishing never mixes with or removes files it did not write.
fn check_release_dir(dir: &Path) -> Result<()> {
    let Ok(mut entries) = std::fs::read_dir(dir) else { return Ok(()) };
    if entries.next().is_none() || dir.join(MANIFEST_FILE).is_file() {
        return Ok(());
    }
    bail!(
        "{} is not empty and holds no release ({MANIFEST_FILE} is missing): choose an empty folder or one written by `wijkmonitor publish --static`",
        dir.display()
    )
}

/// The labels of the releases archived in a folder, other than `current`.
fn archived_labels(dir: &Path, current: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir.join(ARCHIVE_DIR))
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().join(MANIFEST_FILE).is_file())
                .filter_map(|e| e.file_name().to_str().map(String::from))
                .filter(|l| l != current)
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Writes files under `dir`: unchanged ones are left alone, changed ones replaced atomically, files listed in
/// the previous manifest but no longer part of the tree removed (never anything under `keep`), the manifest
/// last. Paths are checked to stay inside `dir`.
pub fn write_tree(dir: &Path, files: &[File], keep: &[&str]) -> Result<Written> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut out = Written { files: files.len(), ..Written::default() };
    let previous: BTreeSet<String> = std::fs::read_to_string(dir.join(MANIFEST_FILE))
        .map(|text| text.lines().filter_map(|l| l.split_once("  ").map(|(_, p)| p.to_string())).collect())
        .unwrap_or_default();
    let mut manifest = String::new();
    for f in files {
        if f.path.split('/').any(|s| s.is_empty() || s == "." || s == "..") || f.path == MANIFEST_FILE {
            bail!("refusing to write '{}': not a plain relative path", f.path);
        }
        out.bytes += f.bytes.len() as u64;
        manifest.push_str(&format!("{}  {}\n", sha256_hex(&f.bytes), f.path));
        let target = dir.join(&f.path);
        if std::fs::read(&target).is_ok_and(|old| old == f.bytes) {
            out.unchanged += 1;
            continue;
        }
        write_atomically(&target, &f.bytes)?;
        out.written += 1;
    }
    let current: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for old in &previous {
        let kept = keep.iter().any(|k| old.starts_with(&format!("{k}/")));
        if current.contains(old.as_str()) || kept || old.split('/').any(|s| s.is_empty() || s == "..") {
            continue;
        }
        let path = dir.join(old);
        if path.is_file() {
            std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            out.removed += 1;
            // Folders left empty go too.
            let mut parent = path.parent();
            while let Some(p) = parent.filter(|p| *p != dir) {
                if std::fs::remove_dir(p).is_err() {
                    break;
                }
                parent = p.parent();
            }
        }
    }
    let manifest_path = dir.join(MANIFEST_FILE);
    if std::fs::read(&manifest_path).map_or(true, |old| old != manifest.as_bytes()) {
        write_atomically(&manifest_path, manifest.as_bytes())?;
    }
    Ok(out)
}
