//! Building the demo database, and seeding its workspace.
//!
//! Without a folder, the database holds the real CBS 2024 codes and names of the 19 NPLV municipalities and
//! synthetic figures (clearly labelled) for 2018-2025, and the programme register seed (real figures with their
//! source, synthetic ones labelled so) with its figures for the realisation indicators. From a folder, it holds
//! whatever real sources the folder holds that wijkmonitor recognises; every other file is reported as skipped,
//! with the reason. Documentation (`README.md`, `SOURCE.txt`) is listed apart. Boundary maps (GeoJSON,
//! TopoJSON) are not figures: they are listed with their year and regions, crosswalks between their buurt
//! years and the areas' classification year are built from them as `update` does, and the folder of buurt maps
//! is recorded so that `serve` and `publish` draw buurt maps without being told where they are.
//!
//! The database is built in a temporary file next to the target and renamed into place only when complete
//! (including the computation), so an interrupted build never leaves a half-built database behind.

use crate::recompute::{recompute, ComputeSummary, Recompute};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use wijkmonitor_engine::Crosswalk;
use wijkmonitor_import::{detect, ImportBatch, ImportContext, ImportOptions, Input};
use wijkmonitor_model::batch::Format;
use wijkmonitor_model::{Catalogue, FocusAreaSet};
use wijkmonitor_store::accounts::NewUser;
use wijkmonitor_store::request::Actor;
use wijkmonitor_store::Store;

/// The demo database's accounts (synthetic; printed when the demo is served). Never use these elsewhere.
pub const DEMO_ACCOUNTS: [(&str, &str, Option<&str>); 3] = [
    ("redacteur@heerlen-noord.demo.nl", "area_editor", Some("heerlen-noord")),
    ("analist@demo.nl", "analyst", None),
    ("beheer@demo.nl", "admin", None),
];
/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-wachtwoord-nplv";
/// The date the demo checks request windows against: inside the window of its 2025 round.
pub const DEMO_TODAY: &str = "2026-05-01";

/// Where the demo's figures come from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// Synthetic figures for the built-in code list, and the register seed.
    Synthetic,
    /// The real source files in a folder (searched three levels deep).
    Folder(&'a Path),
}

/// What a build did.
#[derive(Debug)]
pub struct Built {
    /// The batches imported, in order (for printing what they held).
    pub imported: Vec<ImportBatch>,
    /// Files and folders that were not imported, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
    /// Documentation files (`.md`, `.txt`, `.pdf`), which hold no figures.
    pub documentation: Vec<PathBuf>,
    /// Boundary maps: the file, its year (from the file or its name) and its number of regions.
    pub maps: Vec<(PathBuf, Option<i32>, usize)>,
    /// Rows of the crosswalk built from the maps.
    pub crosswalk_rows: usize,
    pub computed: ComputeSummary,
}

/// Builds the demo database at `db` (replacing it), computes every indicator and returns when the file is
/// complete. `progress` hears what is being done (for a spinner). `at` is the time recorded with the imports.
pub fn build_demo_database(
    db: &Path,
    source: Source<'_>,
    areas: &FocusAreaSet,
    at: &str,
    progress: &dyn Fn(&str),
) -> Result<Built> {
    let tmp = temp_path(db);
    remove_db_files(&tmp);
    let result = build(&tmp, source, areas, at, progress);
    let built = match result {
        Ok(built) => built,
        Err(err) => {
            remove_db_files(&tmp);
            return Err(err);
        }
    };
    remove_db_files(db);
    std::fs::rename(&tmp, db).with_context(|| format!("cannot move the new database to {}", db.display()))?;
    Ok(built)
}

fn build(tmp: &Path, source: Source<'_>, areas: &FocusAreaSet, at: &str, progress: &dyn Fn(&str)) -> Result<Built> {
    let mut store = Store::open(tmp).with_context(|| format!("cannot open the database {}", tmp.display()))?;
    store.apply_import(&code_list_batch()?, at, false)?;
    let mut imported = Vec::new();
    let mut skipped = Vec::new();
    let mut documentation = Vec::new();
    let mut maps = Vec::new();
    let mut crosswalk = Crosswalk::default();
    match source {
        Source::Synthetic => {
            progress("generating synthetic demo figures");
            for batch in wijkmonitor_demo::generate(areas)? {
                progress(&format!("storing {}", batch.source_name));
                store.apply_import(&batch, at, true)?;
                imported.push(batch);
            }
            // The programme register: the real figures of the parliamentary record and synthetic demo figures,
            // each labelled with its source. Loading it also records its figures for the register indicators
            // (restructurings, construction starts) as published area figures, which the compute below reads,
            // so the areas' pages show them.
            crate::register::load_builtin_seed(&mut store, at)?;
            store.set_meta("demo", "synthetic")?;
        }
        Source::Folder(dir) => {
            let catalogue = Catalogue::builtin();
            let mut map_texts = std::collections::BTreeMap::new();
            for candidate in candidates(dir)? {
                if is_documentation(&candidate) {
                    documentation.push(candidate);
                    continue;
                }
                if let Some((map, text)) = read_map(&candidate) {
                    let year =
                        map.year.or_else(|| wijkmonitor_maps::year_in_file_name(&candidate.display().to_string()));
                    let buurten = map.features.iter().all(|f| f.code.starts_with("BU"));
                    maps.push((candidate.clone(), year, map.features.len()));
                    if let (Some(year), true) = (year, buurten) {
                        map_texts.insert(year, (candidate, text));
                    }
                    continue;
                }
                let code_lists = store.code_lists()?;
                let ctx =
                    ImportContext { catalogue: &catalogue, code_lists: &code_lists, options: ImportOptions::default() };
                progress(&format!("reading {}", candidate.display()));
                let read = Input::load(&candidate).and_then(|input| {
                    let format = detect::detect(&input)?;
                    wijkmonitor_import::read(&input, Some(format), &ctx)
                });
                match read {
                    Ok(batch) => {
                        progress(&format!("storing {} figures", batch.observations.len()));
                        store.apply_import(&batch, at, false)?;
                        imported.push(batch);
                    }
                    Err(err) => skipped.push((candidate, err.to_string())),
                }
            }
            if imported.is_empty() {
                anyhow::bail!("no source in {} could be imported", dir.display());
            }
            store.set_meta("demo", &format!("from {}", dir.display()))?;
            if let Some((_, (path, _))) = map_texts.iter().next_back() {
                if let Some(folder) = path.parent() {
                    let folder = folder.canonicalize().unwrap_or_else(|_| folder.to_path_buf());
                    store.set_meta("boundaries", &folder.display().to_string())?;
                }
            }
            if !map_texts.is_empty() {
                progress("building crosswalks from the buurt maps");
                let texts: std::collections::BTreeMap<i32, &str> =
                    map_texts.iter().map(|(y, (_, t))| (*y, t.as_str())).collect();
                let csv = crate::update::crosswalk_csv(&texts, areas)?;
                crosswalk = Crosswalk::parse(&csv, "crosswalk from the maps").map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
    }
    store.set_meta("areas", &areas.source)?;
    progress("computing every indicator");
    let job = Recompute { crosswalk: &crosswalk, ..Recompute::builtin(areas, at) };
    let computed = recompute(&mut store, &job)?;
    Ok(Built { imported, skipped, documentation, maps, crosswalk_rows: crosswalk.rows.len(), computed })
}

/// Documentation beside the data: read by people, holding no figures.
fn is_documentation(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    matches!(ext.as_deref(), Some("md" | "txt" | "pdf" | "html"))
}

/// A boundary map (GeoJSON or TopoJSON that the maps crate reads), with its text.
fn read_map(path: &Path) -> Option<(wijkmonitor_maps::Map, String)> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("json" | "geojson" | "topojson")) {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let map = wijkmonitor_maps::read_map(&text, None).ok()?;
    (!map.features.is_empty()).then_some((map, text))
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

/// Every file and OData folder under `dir`, in a stable order: a folder holding `DataProperties.*` is one
/// source; other folders are searched (three levels deep). Every file is a candidate, whatever its name: the
/// readers decide from the content, and what they do not recognise is reported as skipped, never passed over
/// in silence. Hidden files (starting with a dot) are left out.
pub fn candidates(dir: &Path) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, depth: u32, out: &mut Vec<PathBuf>) -> Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| !p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')))
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
            if path.is_dir() {
                if depth < 3 {
                    walk(&path, depth + 1, out)?;
                }
            } else {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, 0, &mut out)?;
    Ok(out)
}

/// Adds the demo accounts and the demo request round (figures of 2025) when the database has no accounts yet.
pub fn ensure_demo_workspace(store: &mut Store, at: &str) -> Result<()> {
    if !store.users()?.is_empty() {
        return Ok(());
    }
    let hash = wijkmonitor_access::hash_password(DEMO_PASSWORD)?;
    for (email, role, area) in DEMO_ACCOUNTS {
        let areas: Vec<String> = area.map(str::to_string).into_iter().collect();
        store.add_user(&NewUser { email, role, areas: &areas, password_hash: &hash, created_at: at }, "demo")?;
    }
    if store.round(2025)?.is_none() {
        let items: Vec<String> =
            wijkmonitor_request::items(&Catalogue::builtin()).into_iter().map(|i| i.indicator).collect();
        let round = wijkmonitor_request::Round::with_default_window(2025);
        store.open_round(&round, &items, Actor { name: "demo", at })?;
    }
    Ok(())
}

/// A short hash of everything the synthetic demo database is made from (catalogue, disclosure rules,
/// delineation, engine parameters, code list, version and schema), to name a cached copy.
pub fn demo_fingerprint(version: &str) -> String {
    let mut hash = wijkmonitor_model::hash::Fingerprint::new();
    for part in [
        wijkmonitor_model::BUILTIN_CATALOGUE,
        wijkmonitor_model::BUILTIN_DISCLOSURE,
        wijkmonitor_model::BUILTIN_AREAS,
        wijkmonitor_engine::params::BUILTIN_PARAMS,
        wijkmonitor_demo::NPLV_CODE_LIST_2024,
        version,
    ] {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    hash.update(wijkmonitor_store::migrations::MIGRATIONS.len().to_le_bytes());
    hash.hex()[..16].to_string()
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
