//! The parts every view model shares: page metadata with the compute run and delineation, indicator
//! references, provenance (which imports each indicator and period was computed from) and the long CSV row.
//!
//! JSON keys may be added, never renamed or removed: clients depend on them (docs/api.md).

use crate::i18n::Lang;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use wijkmonitor_model::Indicator;
use wijkmonitor_readmodel::snapshot::{Fig, Snapshot};

/// The version of the JSON contract; bumped only for a breaking change, which gets a new `/api/vN/`.
pub const API_VERSION: &str = "1";

/// The attributions every page and download carries.
pub const ATTRIBUTION: [&str; 4] = [
    "Bron: CBS (CC BY 4.0)",
    "Leefbaarometer 3.0, Ministerie van BZK",
    "Politie",
    "Bron: CBS/PDOK, CC BY 4.0 (gemeentegrenzen)",
];

#[derive(Debug, Clone, Serialize)]
pub struct RunMeta {
    pub id: i64,
    pub computed_at: String,
    pub parameters_sha256: String,
    pub imports: Vec<i64>,
    pub n_figures: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DelineationMeta {
    pub source: String,
    /// True when the delineation is not the official one; pages then say "indicative".
    pub indicative: bool,
}

/// What every JSON twin starts with.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub api_version: &'static str,
    /// The kind of page (`overview`, `action_line`, `area`, `indicator`, `downloads`, `about`).
    pub page: &'static str,
    /// The canonical path of the HTML page.
    pub path: String,
    pub title_nl: String,
    pub title_en: String,
    /// True when the figures are synthetic demo data.
    pub synthetic: bool,
    /// The demo label (`synthetic`, or `from DIR`) when the database is a demo database.
    pub demo: Option<String>,
    pub delineation: DelineationMeta,
    pub compute_run: Option<RunMeta>,
    pub attribution: Vec<&'static str>,
}

impl Meta {
    pub fn new(snap: &Snapshot, page: &'static str, path: String, title_nl: String, title_en: String) -> Meta {
        Meta {
            api_version: API_VERSION,
            page,
            path,
            title_nl,
            title_en,
            synthetic: snap.demo.as_deref() == Some("synthetic") || snap.imports.values().any(|i| i.synthetic),
            demo: snap.demo.clone(),
            delineation: DelineationMeta {
                source: snap.delineation_source.clone(),
                indicative: snap.delineation_indicative,
            },
            compute_run: snap.run.as_ref().map(|r| RunMeta {
                id: r.id,
                computed_at: r.computed_at.clone(),
                parameters_sha256: r.parameters_sha256.clone(),
                imports: r.imports.clone(),
                n_figures: r.n_figures,
            }),
            attribution: ATTRIBUTION.to_vec(),
        }
    }

    pub fn title(&self, lang: Lang) -> &str {
        lang.t(&self.title_nl, &self.title_en)
    }
}

/// An indicator as pages refer to it.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorRef {
    pub id: String,
    pub name_nl: String,
    pub name_en: String,
    pub unit: String,
    pub decimals: u8,
    pub direction: &'static str,
    pub action_line: &'static str,
    pub tier: &'static str,
    pub headline: bool,
    pub supplied_by: &'static str,
}

impl IndicatorRef {
    pub fn new(ind: &Indicator) -> IndicatorRef {
        IndicatorRef {
            id: ind.id.clone(),
            name_nl: ind.name_nl.clone(),
            name_en: ind.name_en.clone(),
            unit: ind.unit.clone(),
            decimals: ind.decimals,
            direction: ind.direction.as_str(),
            action_line: ind.action_line.as_str(),
            tier: ind.tier.as_str(),
            headline: ind.headline,
            supplied_by: ind.supplied_by.as_str(),
        }
    }

    pub fn name(&self, lang: Lang) -> &str {
        lang.t(&self.name_nl, &self.name_en)
    }
}

/// One import as provenance.
#[derive(Debug, Clone, Serialize)]
pub struct ImportMeta {
    pub id: i64,
    pub source_name: String,
    pub sha256: String,
    pub format: String,
    pub source_table: Option<String>,
    pub source_title: Option<String>,
    pub classification_year: Option<i32>,
    pub imported_at: String,
    pub synthetic: bool,
}

/// Where a page's figures came from: per indicator and period the imports, and those imports.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Provenance {
    pub compute_run: Option<i64>,
    /// indicator -> period -> import ids.
    pub sources: BTreeMap<String, BTreeMap<String, Vec<i64>>>,
    pub imports: Vec<ImportMeta>,
}

impl Provenance {
    pub fn new<'a>(snap: &Snapshot, indicators: impl IntoIterator<Item = &'a str>) -> Provenance {
        let mut sources = BTreeMap::new();
        let mut used = BTreeSet::new();
        for indicator in indicators {
            let mut per_period = BTreeMap::new();
            for (p, period) in snap.periods.iter().enumerate() {
                let ids = snap.sources(indicator, p);
                if !ids.is_empty() {
                    used.extend(ids.iter().copied());
                    per_period.insert(period.to_string(), ids.to_vec());
                }
            }
            if !per_period.is_empty() {
                sources.insert(indicator.to_string(), per_period);
            }
        }
        Provenance {
            compute_run: snap.run.as_ref().map(|r| r.id),
            sources,
            imports: used.into_iter().filter_map(|id| snap.imports.get(&id)).map(import_meta).collect(),
        }
    }
}

pub fn import_meta(i: &wijkmonitor_store::ImportRecord) -> ImportMeta {
    ImportMeta {
        id: i.id,
        source_name: i.source_name.clone(),
        sha256: i.sha256.clone(),
        format: i.format.clone(),
        source_table: i.source_table.clone(),
        source_title: i.source_title.clone(),
        classification_year: i.classification_year,
        imported_at: i.imported_at.clone(),
        synthetic: i.synthetic,
    }
}

/// A figure with its period, as series in JSON.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodFig {
    pub period: String,
    #[serde(flatten)]
    pub fig: Fig,
}

/// The series of a target and indicator over all periods that have a figure.
pub fn series(snap: &Snapshot, target: &str, indicator: &str) -> Vec<PeriodFig> {
    let Some(s) = snap.series(target, indicator) else { return Vec::new() };
    s.iter()
        .enumerate()
        .filter_map(|(p, f)| f.as_ref().map(|f| PeriodFig { period: snap.periods[p].to_string(), fig: f.clone() }))
        .collect()
}

/// The header of the long CSV every page and download writes.
pub const CSV_HEADER: [&str; 14] = [
    "region",
    "region_name",
    "region_kind",
    "period",
    "indicator",
    "value",
    "status",
    "reason",
    "coverage",
    "unit",
    "compute_run",
    "imports",
    "source_tables",
    "classification_years",
];

/// A target as a CSV row names it.
pub struct TargetRef {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
}

impl TargetRef {
    pub fn of(snap: &Snapshot, id: &str) -> TargetRef {
        TargetRef { id: id.to_string(), name: snap.target_name(id), kind: snap.target_kind(id).as_str() }
    }
}

/// Writes one figure as a long CSV row, with its provenance.
pub fn write_figure_row(
    w: &mut csv::Writer<Vec<u8>>,
    snap: &Snapshot,
    target: &TargetRef,
    indicator: &Indicator,
    period: usize,
    fig: &Fig,
) -> csv::Result<()> {
    let imports = snap.figure_imports(&target.id, &indicator.id, period);
    let mut tables = BTreeSet::new();
    let mut years = BTreeSet::new();
    for id in &imports {
        if let Some(i) = snap.imports.get(id) {
            if let Some(t) = &i.source_table {
                tables.insert(t.clone());
            }
            if let Some(y) = i.classification_year {
                years.insert(y.to_string());
            }
        }
    }
    let join = |it: &mut dyn Iterator<Item = String>| it.collect::<Vec<_>>().join(";");
    w.write_record([
        target.id.as_str(),
        target.name.as_str(),
        target.kind,
        &snap.periods.get(period).map(|p| p.to_string()).unwrap_or_default(),
        &indicator.id,
        &fig.value.map(|v| v.to_string()).unwrap_or_default(),
        fig.status.as_str(),
        fig.reason.as_deref().unwrap_or(""),
        &fig.coverage.to_string(),
        &indicator.unit,
        &snap.run.as_ref().map(|r| r.id.to_string()).unwrap_or_default(),
        &join(&mut imports.iter().map(i64::to_string)),
        &join(&mut tables.into_iter()),
        &join(&mut years.into_iter()),
    ])
}

/// Links to a downloadable report (PDF and a self-contained HTML file) for the latest year with figures.
#[derive(Debug, Clone, Serialize)]
pub struct ReportLinks {
    pub year: i32,
    pub pdf: String,
    pub html: String,
}

impl ReportLinks {
    /// The report links of an area (`None`: the national report) for the latest year with national figures (area
    /// and register figures for a later year alone do not make a report); `None` when there are none.
    pub fn new(snap: &Snapshot, area: Option<&str>) -> Option<ReportLinks> {
        let year = snap.latest_national_year()?;
        let stem = format!("/rapport/{}-{year}", area.unwrap_or("nationaal"));
        Some(ReportLinks { year, pdf: format!("{stem}.pdf"), html: format!("{stem}.html") })
    }

    /// The links as HTML (the language of the report follows the page's).
    pub fn html(&self, lang: Lang, label_nl: &str, label_en: &str) -> maud::Markup {
        maud::html! {
            p class="report-links" {
                (lang.t(label_nl, label_en)) " " (self.year) ": "
                a href=(lang.href(&self.pdf)) { "PDF" } " · "
                a href=(lang.href(&self.html)) { "HTML" }
            }
        }
    }
}
