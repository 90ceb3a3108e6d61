//! `wijkmonitor update`: every national source of `data/sources.toml` brought up to date in one run.
//!
//! In order: the files (the Leefbaarometer), the maps (buurt polygons per year), the CBS tables. Each download is
//! conditional: a file or map is asked for with the validators of the copy kept (a 304 downloads nothing), a table
//! by its small `TableInfos` first, and fetched whole only when its `Modified` differs from the copy kept. A
//! source is imported when the store has no import of exactly its bytes, so a run that was interrupted resumes
//! where it stopped: what was fetched and imported is current, the source that failed is fetched again (the
//! fetchers leave no half-written copy). Then the crosswalks are built from the maps, from every map year to the
//! classification years the areas are defined in, and everything is recomputed once, if anything changed.
//!
//! Raw responses are kept under the raw folder: `odata/<table>/` (the entity sets as served), `files/`, `maps/`,
//! and the crosswalk made from them, `crosswalks/buurten.csv`.

use crate::recompute::{recompute, ComputeSummary, Recompute};
use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use wijkmonitor_engine::Crosswalk;
use wijkmonitor_fetch::{fetch_file, fetch_table, FetchEvent, FetchOptions, FileOutcome};
use wijkmonitor_import::{Format, ImportContext, ImportOptions, Input};
use wijkmonitor_model::{Catalogue, FocusAreaSet};
use wijkmonitor_store::Store;

/// The sources manifest shipped with wijkmonitor (`data/sources.toml`).
pub const BUILTIN_SOURCES: &str = include_str!("../../../data/sources.toml");

/// A CBS table (OData v3).
#[derive(Debug, Clone, Deserialize)]
pub struct TableSource {
    pub id: String,
    /// The year of the figures (and their classification); none for a table of many years.
    pub year: Option<i32>,
    pub title: String,
    #[serde(default)]
    pub verified: String,
}

/// A file at an address, imported in a given format.
#[derive(Debug, Clone, Deserialize)]
pub struct FileSource {
    pub id: String,
    pub url: String,
    pub format: String,
    #[serde(default)]
    pub verified: String,
}

/// The buurt polygons of one classification year.
#[derive(Debug, Clone, Deserialize)]
pub struct MapSource {
    pub year: i32,
    pub url: String,
    #[serde(default)]
    pub verified: String,
}

/// The manifest.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    #[serde(default, rename = "table")]
    pub tables: Vec<TableSource>,
    #[serde(default, rename = "file")]
    pub files: Vec<FileSource>,
    #[serde(default, rename = "map")]
    pub maps: Vec<MapSource>,
}

impl Sources {
    /// Parses a manifest; errors name the file and, where TOML knows it, the line and column.
    pub fn parse(text: &str, file: &str) -> Result<Sources> {
        let sources: Sources = toml::from_str(text).map_err(|e| {
            let place = e.span().map(|s| {
                let line = text[..s.start].matches('\n').count() + 1;
                let column = s.start - text[..s.start].rfind('\n').map_or(0, |i| i + 1) + 1;
                format!(":{line}:{column}")
            });
            anyhow::anyhow!("{file}{}: {}", place.unwrap_or_default(), e.message())
        })?;
        for t in &sources.tables {
            if !wijkmonitor_fetch::is_valid_table_id(&t.id) {
                bail!("{file}: '{}' is not a CBS table id", t.id);
            }
        }
        for f in &sources.files {
            if Format::parse(&f.format).is_none() {
                bail!("{file}: source '{}' has format '{}', which import does not know", f.id, f.format);
            }
            if f.id.is_empty() || !f.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                bail!("{file}: source id '{}' must be letters, digits, '-' and '_' (it names a file)", f.id);
            }
        }
        Ok(sources)
    }
}

/// How to run an update.
pub struct UpdateOptions<'a> {
    /// Where the raw responses are kept.
    pub raw_dir: &'a Path,
    /// The OData v3 service root (the CBS one unless testing).
    pub odata_url: &'a str,
    /// A server holding copies of the files and maps: `https://host/path` is asked for as
    /// `<mirror>/host/path`. `None`: the addresses themselves.
    pub mirror: Option<&'a str>,
    /// Leave out tables and maps of years before this one.
    pub since: Option<i32>,
    pub fetch: FetchOptions,
    pub areas: &'a FocusAreaSet,
    /// When (RFC 3339), recorded with imports and the compute run.
    pub at: &'a str,
}

/// What happened to one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Current: nothing downloaded (or only its small description) and nothing imported.
    Unchanged,
    /// Downloaded and imported.
    Imported { new: u64, changed: u64, same: u64 },
    /// A map downloaded (or found already) and kept.
    Map { downloaded: bool },
}

/// The outcome of an update.
#[derive(Debug, Clone)]
pub struct UpdateReport {
    /// Per source: its name and what happened.
    pub sources: Vec<(String, Change)>,
    /// Rows of the crosswalk built from the maps, and its file.
    pub crosswalk: Option<(usize, PathBuf)>,
    /// The recomputation, when anything changed.
    pub computed: Option<ComputeSummary>,
}

/// Progress for a progress bar: which source, and rows of a table so far.
pub enum UpdateEvent<'a> {
    Source(&'a str),
    Fetch(FetchEvent),
}

/// The address to ask for a file or map at.
fn via_mirror(url: &str, mirror: Option<&str>) -> String {
    match mirror {
        Some(m) => format!("{}/{}", m.trim_end_matches('/'), url.split_once("://").map_or(url, |(_, rest)| rest)),
        None => url.to_string(),
    }
}

/// Imports a source unless the store already holds an import of exactly its bytes.
fn import_if_new(store: &mut Store, path: &Path, format: Format, at: &str) -> Result<Change> {
    let input = Input::load(path).with_context(|| format!("cannot read {}", path.display()))?;
    let sha = input.sha256();
    if store.imports()?.iter().any(|i| i.sha256 == sha) {
        return Ok(Change::Unchanged);
    }
    let catalogue = Catalogue::builtin();
    let code_lists = store.code_lists()?;
    let ctx = ImportContext { catalogue: &catalogue, code_lists: &code_lists, options: ImportOptions::default() };
    let batch = wijkmonitor_import::read(&input, Some(format), &ctx).map_err(|e| anyhow::anyhow!("{e}"))?;
    let outcome = store.apply_import(&batch, at, false)?;
    Ok(if outcome.unchanged {
        Change::Unchanged
    } else {
        Change::Imported { new: outcome.n_new, changed: outcome.n_changed, same: outcome.n_same }
    })
}

/// The `Modified` field of a `TableInfos` response or file.
fn modified(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let doc: serde_json::Value = serde_json::from_str(&text).ok()?;
    let first = doc.get("value").and_then(|v| v.get(0)).or_else(|| doc.get(0)).unwrap_or(&doc);
    first.get("Modified").and_then(|m| m.as_str()).map(str::to_string)
}

/// The crosswalk file (header and rows) from the buurt maps of each year to every classification year the areas
/// are defined in, where a map of that year is among them.
pub fn crosswalk_csv(maps: &std::collections::BTreeMap<i32, &str>, areas: &FocusAreaSet) -> Result<String> {
    let area_years: BTreeSet<i32> = areas.areas.iter().map(|a| a.classification_year).collect();
    let mut csv = format!("{}\n", wijkmonitor_maps::CSV_HEADER);
    let mut read = std::collections::BTreeMap::new();
    for (year, text) in maps {
        let map = wijkmonitor_maps::read_map(text, None).map_err(|e| anyhow::anyhow!("the map of {year}: {e}"))?;
        read.insert(*year, map);
    }
    for (from_year, from) in &read {
        for to_year in area_years.iter().filter(|y| *y != from_year) {
            let Some(to) = read.get(to_year) else { continue };
            let cw = wijkmonitor_maps::crosswalk(from, to, &wijkmonitor_maps::CrosswalkOptions::default(), &|_, _| {});
            // The engine follows buurten; a map of other regions gives none.
            csv.push_str(&cw.csv_rows(*from_year, *to_year, |s| s.from.starts_with("BU") && s.to.starts_with("BU")));
        }
    }
    Ok(csv)
}

/// Brings every source up to date, builds the crosswalks and recomputes when anything changed.
pub fn update(
    store: &mut Store,
    sources: &Sources,
    opts: &UpdateOptions<'_>,
    on_event: &mut dyn FnMut(UpdateEvent<'_>),
) -> Result<UpdateReport> {
    let raw = opts.raw_dir;
    let mut report = UpdateReport { sources: Vec::new(), crosswalk: None, computed: None };
    let wanted = |year: Option<i32>| match (opts.since, year) {
        (Some(since), Some(y)) => y >= since,
        _ => true,
    };

    for f in &sources.files {
        on_event(UpdateEvent::Source(&f.id));
        let name = f.url.rsplit('/').next().filter(|n| n.contains('.')).unwrap_or("download");
        let ext = name.rsplit('.').next().unwrap_or("dat");
        let path = raw.join("files").join(format!("{}.{ext}", f.id));
        let url = via_mirror(&f.url, opts.mirror);
        fetch_file(&url, &path, &opts.fetch, &mut |e| on_event(UpdateEvent::Fetch(e)))
            .with_context(|| format!("source {}", f.id))?;
        let format = Format::parse(&f.format).unwrap_or(Format::LongCsv);
        let change = import_if_new(store, &path, format, opts.at).with_context(|| format!("source {}", f.id))?;
        report.sources.push((f.id.clone(), change));
    }

    let mut map_years = Vec::new();
    for m in sources.maps.iter().filter(|m| wanted(Some(m.year))) {
        let name = format!("buurten_{}.geojson", m.year);
        on_event(UpdateEvent::Source(&name));
        let path = raw.join("maps").join(&name);
        let url = via_mirror(&m.url, opts.mirror);
        let outcome = fetch_file(&url, &path, &opts.fetch, &mut |e| on_event(UpdateEvent::Fetch(e)))
            .with_context(|| format!("map {}", m.year))?;
        map_years.push((m.year, path));
        report.sources.push((name, Change::Map { downloaded: matches!(outcome, FileOutcome::Downloaded { .. }) }));
    }

    for t in sources.tables.iter().filter(|t| wanted(t.year)) {
        on_event(UpdateEvent::Source(&t.id));
        let odata = raw.join("odata");
        let folder = odata.join(&t.id);
        let infos = odata.join(format!("{}.TableInfos.json", t.id));
        let url = format!("{}/{}/TableInfos?$format=json", opts.odata_url.trim_end_matches('/'), t.id);
        let described = fetch_file(&url, &infos, &opts.fetch, &mut |e| on_event(UpdateEvent::Fetch(e)))
            .with_context(|| format!("table {}", t.id))?;
        // Current: the description did not change, or says the same `Modified` as the copy kept.
        let kept = modified(&folder.join("TableInfos.json"));
        let current = kept.is_some() && (described == FileOutcome::NotModified || modified(&infos) == kept);
        if !current {
            fetch_table(&t.id, &odata, &opts.fetch, &mut |e| on_event(UpdateEvent::Fetch(e)))
                .with_context(|| format!("table {}", t.id))?;
        }
        let change =
            import_if_new(store, &folder, Format::OdataJson, opts.at).with_context(|| format!("table {}", t.id))?;
        report.sources.push((t.id.clone(), change));
    }

    // Crosswalks from every map year to each classification year the areas are defined in.
    let mut texts = std::collections::BTreeMap::new();
    for (year, path) in &map_years {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        texts.insert(*year, text);
    }
    let csv = crosswalk_csv(&texts.iter().map(|(y, t)| (*y, t.as_str())).collect(), opts.areas)?;
    let rows = csv.lines().count() - 1;
    let crosswalk = if rows > 0 {
        let path = raw.join("crosswalks").join("buurten.csv");
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, &csv).with_context(|| format!("cannot write {}", path.display()))?;
        report.crosswalk = Some((rows, path.clone()));
        Crosswalk::parse(&csv, &path.display().to_string()).map_err(|e| anyhow::anyhow!("{e}"))?
    } else {
        Crosswalk::default()
    };

    let changed =
        report.sources.iter().any(|(_, c)| matches!(c, Change::Imported { .. } | Change::Map { downloaded: true }));
    if changed || store.compute_run()?.is_none() {
        let job = Recompute { crosswalk: &crosswalk, ..Recompute::builtin(opts.areas, opts.at) };
        report.computed = Some(recompute(store, &job)?);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_manifest_reads_and_lists_every_kerncijfers_year() {
        let s = Sources::parse(BUILTIN_SOURCES, "sources.toml").unwrap();
        let years: Vec<i32> =
            s.tables.iter().filter(|t| t.title.starts_with("Kerncijfers")).filter_map(|t| t.year).collect();
        assert_eq!(years, (2017..=2024).collect::<Vec<_>>());
        assert!(s.tables.iter().any(|t| t.id == "47018NED"));
        assert!(s.tables.iter().find(|t| t.id == "85984NED").is_some_and(|t| !t.verified.is_empty()));
        assert!(!s.files.is_empty() && !s.maps.is_empty());
    }

    #[test]
    fn manifest_errors_name_the_place() {
        let err = Sources::parse("[[table]]\nid = \"85984NED\"\ntitle = 3\n", "s.toml").unwrap_err().to_string();
        assert!(err.starts_with("s.toml:3:"), "{err}");
        let err = Sources::parse("[[table]]\nid = \"../x\"\ntitle = \"x\"\n", "s.toml").unwrap_err().to_string();
        assert!(err.contains("not a CBS table id"), "{err}");
        let err = Sources::parse("[[file]]\nid = \"a\"\nurl = \"u\"\nformat = \"excel\"\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("format 'excel'"), "{err}");
    }

    #[test]
    fn mirrors_keep_host_and_path() {
        assert_eq!(
            via_mirror("https://a.nl/x/y.csv?z=1", Some("http://127.0.0.1:9/")),
            "http://127.0.0.1:9/a.nl/x/y.csv?z=1"
        );
        assert_eq!(via_mirror("https://a.nl/x.csv", None), "https://a.nl/x.csv");
    }
}
