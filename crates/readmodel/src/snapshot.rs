//! The read-only snapshot the dashboard and the reports read: everything is loaded once through the store's
//! read methods, and every page and report is built from it. No request runs SQL, and nothing here holds raw
//! observations: only the computed figures (after disclosure control), their comparisons and provenance.

use crate::geo::{BuurtShapes, Outlines};
use crate::provenance::Attribution;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use wijkmonitor_model::comparison::Comparison;
use wijkmonitor_model::disclosure::DisclosureRules;
use wijkmonitor_model::target::TargetKind;
pub use wijkmonitor_model::target::{ALL_AREAS_ID as ALL_AREAS, NETHERLANDS_ID as NETHERLANDS};
use wijkmonitor_model::{Catalogue, FocusAreaSet, Indicator, Period, Status};
use wijkmonitor_store::{ComputeRun, ImportRecord, Store, StoredUnmatched};

/// One computed figure as the dashboard serves it: a number only for `final`/`provisional`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fig {
    /// The number; absent (`null`) whenever the status is not final or provisional.
    pub value: Option<f64>,
    pub status: Status,
    /// Why there is no number, or what was done (`base_below_threshold`, `partial_coverage`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Share (0-1) of the inhabitants living in buurten with usable inputs.
    pub coverage: f64,
}

impl Fig {
    pub fn number(&self) -> Option<f64> {
        self.value
    }
}

/// A focus area with what the pages need to show it.
#[derive(Debug, Clone)]
pub struct AreaInfo {
    pub id: String,
    pub name: String,
    pub municipality: String,
    pub municipality_name: String,
    /// The buurten of the delineation with their names, when the delineation is known to the dashboard.
    pub buurten: Option<Vec<(String, String)>>,
    pub classification_year: Option<i32>,
}

/// Everything the dashboard serves.
pub struct Snapshot {
    /// `Some(label)` when the database is a demo database (synthetic figures or a demo build from files).
    pub demo: Option<String>,
    pub run: Option<ComputeRun>,
    pub imports: BTreeMap<i64, ImportRecord>,
    pub catalogue: Catalogue,
    pub rules: DisclosureRules,
    /// All periods with figures, oldest first.
    pub periods: Vec<Period>,
    /// The focus areas, sorted by name.
    pub areas: Vec<AreaInfo>,
    /// Where the delineation came from and whether it is indicative (from the compute run).
    pub delineation_source: String,
    pub delineation_indicative: bool,
    /// Names of the published targets (areas, municipalities, rests, all areas, the Netherlands).
    pub target_names: HashMap<String, (TargetKind, String)>,
    /// (target, indicator) -> one entry per period in `periods`.
    figures: HashMap<(String, String), Vec<Option<Fig>>>,
    /// Buurt figures of the areas' buurten, only when boundary files were given (for buurt maps).
    buurt_figures: HashMap<(String, String), Vec<Option<Fig>>>,
    /// (area, indicator, period) -> comparisons.
    comparisons: HashMap<(String, String, String), Comparison>,
    /// (indicator, period) -> the imports its figures were computed from.
    sources: HashMap<(String, String), Vec<i64>>,
    /// How a single figure is attributed to those imports.
    attribution: Attribution,
    pub unmatched: Vec<StoredUnmatched>,
    pub outlines: Outlines,
    pub buurt_shapes: Option<BuurtShapes>,
    /// The schema version of the database, for the about page.
    pub schema_version: i64,
    /// The effects of the programme as a whole.
    pub effects: crate::effects::Effects,
}

/// A problem loading the snapshot.
#[derive(Debug)]
pub enum LoadError {
    Store(wijkmonitor_store::StoreError),
    Boundaries(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Store(e) => write!(f, "{e}"),
            LoadError::Boundaries(m) => write!(f, "boundary files: {m}"),
        }
    }
}

impl std::error::Error for LoadError {}

impl From<wijkmonitor_store::StoreError> for LoadError {
    fn from(e: wijkmonitor_store::StoreError) -> Self {
        LoadError::Store(e)
    }
}

fn to_fig(value: &wijkmonitor_model::Value, coverage: f64, reason: &str) -> Fig {
    Fig {
        value: value.number(),
        status: value.status(),
        reason: if reason.is_empty() {
            None
        } else {
            Some(wijkmonitor_model::disclosure::public_reason(reason).to_string())
        },
        coverage,
    }
}

impl Snapshot {
    /// Loads everything the dashboard serves. `areas` is the delineation the figures were computed with,
    /// when known (it lists the buurten of each area); `boundaries` is a folder with buurt maps (any year);
    /// without one, the folder of buurt maps `demo --from` recorded in the database is used when it still exists.
    pub fn load(store: &Store, areas: Option<&FocusAreaSet>, boundaries: Option<&Path>) -> Result<Snapshot, LoadError> {
        let catalogue = Catalogue::builtin();
        let rules = DisclosureRules::builtin();
        let run = store.compute_run()?;
        let demo = store.meta("demo")?;
        // Accepted request answers are recorded as imports before they are published; the public side lists only
        // those the compute run used (published ones), never a pending acceptance.
        let used: std::collections::BTreeSet<i64> = run.iter().flat_map(|r| r.imports.iter().copied()).collect();
        let imports: BTreeMap<i64, ImportRecord> = store
            .imports()?
            .into_iter()
            .filter(|i| i.format != "request" || used.contains(&i.id))
            .map(|i| (i.id, i))
            .collect();
        let targets = store.computed_targets()?;
        let figures_raw = store.computed_of_kinds(&TargetKind::PUBLISHED)?;
        let mut periods: Vec<Period> = figures_raw.iter().map(|f| f.period).collect();
        periods.sort();
        periods.dedup();
        let period_index: HashMap<Period, usize> = periods.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        let mut figures: HashMap<(String, String), Vec<Option<Fig>>> = HashMap::new();
        for f in &figures_raw {
            let slot =
                figures.entry((f.target.clone(), f.indicator.clone())).or_insert_with(|| vec![None; periods.len()]);
            slot[period_index[&f.period]] = Some(to_fig(&f.value, f.coverage, &f.reason));
        }
        drop(figures_raw);

        let regions = store.regions(None)?;
        let mut region_names: HashMap<String, String> = HashMap::new();
        for r in regions {
            // Regions come sorted by year, so the most recent name wins.
            region_names.insert(r.code.as_str().to_string(), r.name);
        }
        let mut target_names = HashMap::new();
        let mut areas_info = Vec::new();
        for t in &targets {
            if !TargetKind::PUBLISHED.contains(&t.kind) {
                continue;
            }
            target_names.insert(t.id.clone(), (t.kind, t.name.clone()));
            if t.kind == TargetKind::Area {
                let municipality = t.municipality.clone().unwrap_or_default();
                let delineated = areas.and_then(|set| set.get(&t.id));
                areas_info.push(AreaInfo {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    municipality_name: region_names.get(&municipality).cloned().unwrap_or_else(|| municipality.clone()),
                    municipality,
                    buurten: delineated.map(|a| {
                        a.buurten
                            .iter()
                            .map(|b| {
                                let code = b.as_str().to_string();
                                let name = region_names.get(&code).cloned().unwrap_or_default();
                                (code, name)
                            })
                            .collect()
                    }),
                    classification_year: delineated.map(|a| a.classification_year),
                });
            }
        }
        areas_info.sort_by(|a, b| a.name.cmp(&b.name));

        let mut comparisons = HashMap::new();
        for c in store.all_comparisons()? {
            comparisons.insert((c.area.clone(), c.indicator.clone(), c.period.clone()), c);
        }
        let mut sources = HashMap::new();
        for s in store.computed_sources()? {
            sources.insert((s.indicator, s.period.to_string()), s.imports);
        }
        let outlines = Outlines::builtin();
        let mut buurt_shapes = None;
        let mut buurt_figures = HashMap::new();
        let recorded = match boundaries {
            Some(_) => None,
            None => store.meta("boundaries")?.map(std::path::PathBuf::from).filter(|p| p.is_dir()),
        };
        if let Some(dir) = boundaries.or(recorded.as_deref()) {
            let wanted: Vec<String> =
                areas_info.iter().flat_map(|a| a.buurten.iter().flatten().map(|(code, _)| code.clone())).collect();
            let shapes = BuurtShapes::load(dir, &wanted).map_err(LoadError::Boundaries)?;
            let codes: Vec<String> = shapes.codes().cloned().collect();
            for chunk in codes.chunks(500) {
                for f in store.computed(chunk, &[], &[])? {
                    let Some(&p) = period_index.get(&f.period) else { continue };
                    let slot = buurt_figures
                        .entry((f.target.clone(), f.indicator.clone()))
                        .or_insert_with(|| vec![None; periods.len()]);
                    slot[p] = Some(to_fig(&f.value, f.coverage, &f.reason));
                }
            }
            buurt_shapes = Some(shapes);
        }
        Ok(Snapshot {
            demo,
            delineation_source: run
                .as_ref()
                .map(|r| r.areas_source.clone())
                .or_else(|| areas.map(|a| a.source.clone()))
                .unwrap_or_default(),
            delineation_indicative: run
                .as_ref()
                .map(|r| r.areas_indicative)
                .or(areas.map(|a| a.indicative))
                .unwrap_or(true),
            run,
            imports,
            rules,
            periods,
            areas: areas_info,
            target_names,
            figures,
            buurt_figures,
            comparisons,
            sources,
            attribution: Attribution::load(store, &catalogue)?,
            unmatched: store.unmatched_buurten()?,
            outlines,
            buurt_shapes,
            schema_version: store.schema_version()?,
            effects: crate::effects::Effects::load(store, "programme")?,
            catalogue,
        })
    }

    pub fn area(&self, id: &str) -> Option<&AreaInfo> {
        self.areas.iter().find(|a| a.id == id)
    }

    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.catalogue.indicator(id)
    }

    /// The figure of a target, indicator and period (index into `periods`).
    pub fn fig(&self, target: &str, indicator: &str, period: usize) -> Option<&Fig> {
        self.figures
            .get(&(target.to_string(), indicator.to_string()))
            .and_then(|v| v.get(period))
            .and_then(Option::as_ref)
    }

    /// All periods' figures of a target and indicator.
    pub fn series(&self, target: &str, indicator: &str) -> Option<&[Option<Fig>]> {
        self.figures.get(&(target.to_string(), indicator.to_string())).map(Vec::as_slice)
    }

    pub fn buurt_series(&self, buurt: &str, indicator: &str) -> Option<&[Option<Fig>]> {
        self.buurt_figures.get(&(buurt.to_string(), indicator.to_string())).map(Vec::as_slice)
    }

    /// The latest period index in which a target has a number for the indicator, else the latest with any figure.
    pub fn latest(&self, target: &str, indicator: &str) -> Option<usize> {
        let series = self.series(target, indicator)?;
        series
            .iter()
            .rposition(|f| f.as_ref().is_some_and(|f| f.value.is_some()))
            .or_else(|| series.iter().rposition(Option::is_some))
    }

    pub fn comparison(&self, area: &str, indicator: &str, period: usize) -> Option<&Comparison> {
        let period = self.periods.get(period)?.to_string();
        self.comparisons.get(&(area.to_string(), indicator.to_string(), period))
    }

    /// The imports behind an indicator's figures in a period.
    pub fn sources(&self, indicator: &str, period: usize) -> &[i64] {
        self.periods
            .get(period)
            .and_then(|p| self.sources.get(&(indicator.to_string(), p.to_string())))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn target_name(&self, id: &str) -> String {
        self.target_names.get(id).map(|(_, n)| n.clone()).unwrap_or_else(|| id.to_string())
    }

    pub fn target_kind(&self, id: &str) -> TargetKind {
        self.target_names.get(id).map_or(TargetKind::Buurt, |(k, _)| *k)
    }

    /// The imports one figure stands on (see [`crate::provenance`]).
    pub fn figure_imports(&self, target: &str, indicator: &str, period: usize) -> Vec<i64> {
        self.attribution.figure_imports(self.sources(indicator, period), target, self.target_kind(target), indicator)
    }

    /// The latest year in which the Netherlands has a number for some nationally supplied indicator.
    pub fn latest_national_year(&self) -> Option<i32> {
        let national: Vec<&str> = self
            .catalogue
            .indicators
            .iter()
            .filter(|i| i.supplied_by == wijkmonitor_model::catalogue::Supplier::National)
            .map(|i| i.id.as_str())
            .collect();
        self.periods.iter().enumerate().rev().find_map(|(p, period)| match period {
            Period::Year(y)
                if national.iter().any(|i| self.fig(NETHERLANDS, i, p).is_some_and(|f| f.value.is_some())) =>
            {
                Some(*y)
            }
            _ => None,
        })
    }

    /// Whether the indicator has any figure at all (area-supplied indicators may have none yet).
    pub fn has_figures(&self, indicator: &str) -> bool {
        self.series(ALL_AREAS, indicator).is_some()
            || self.series(NETHERLANDS, indicator).is_some()
            || self.areas.iter().any(|a| self.series(&a.id, indicator).is_some())
    }
}
