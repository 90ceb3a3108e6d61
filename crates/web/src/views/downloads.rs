//! `/downloads`: everything published, as one long CSV and as an Excel workbook (one sheet per action line,
//! plus definitions and sources). The CSV twin of this page is the full CSV itself.

use super::overview::write_series;
use super::View;
use crate::i18n::Lang;
use crate::viewmodel::{Meta, CSV_HEADER};
use maud::{html, Markup};
use serde::Serialize;
use wijkmonitor_model::target::TargetKind;
use wijkmonitor_readmodel::snapshot::{Snapshot, NETHERLANDS};

/// The URL of the full CSV.
pub const CSV_FILE: &str = "/downloads/wijkmonitor.csv";
/// The URL of the Excel workbook.
pub const XLSX_FILE: &str = "/downloads/wijkmonitor.xlsx";

#[derive(Serialize)]
pub struct DownloadFile {
    pub url: &'static str,
    pub format: &'static str,
    pub media_type: &'static str,
    pub description_nl: &'static str,
    pub description_en: &'static str,
}

#[derive(Serialize)]
pub struct DownloadsPage {
    pub meta: Meta,
    pub files: Vec<DownloadFile>,
    pub csv_columns: Vec<&'static str>,
    /// The kinds of regions the downloads cover.
    pub region_kinds: Vec<TargetKind>,
    pub n_indicators: usize,
    pub periods: Vec<String>,
}

pub fn build(snap: &Snapshot) -> DownloadsPage {
    DownloadsPage {
        meta: Meta::new(snap, "downloads", "/downloads".into(), "Downloads".into(), "Downloads".into()),
        files: vec![
            DownloadFile {
                url: CSV_FILE,
                format: "csv",
                media_type: "text/csv; charset=utf-8",
                description_nl: "Alle gepubliceerde cijfers in lang formaat (één regel per gebied, jaar en indicator), met status, reden en herkomst.",
                description_en: "All published figures in long format (one row per region, year and indicator), with status, reason and provenance.",
            },
            DownloadFile {
                url: XLSX_FILE,
                format: "xlsx",
                media_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                description_nl: "Excel-werkmap: één blad per actielijn, een blad met definities en bronnen, en een blad met de herkomst.",
                description_en: "Excel workbook: one sheet per action line, a sheet with definitions and sources, and a sheet with the provenance.",
            },
        ],
        csv_columns: CSV_HEADER.to_vec(),
        region_kinds: TargetKind::PUBLISHED.to_vec(),
        n_indicators: snap.catalogue.indicators.len(),
        periods: snap.periods.iter().map(|p| p.to_string()).collect(),
    }
}

/// The targets every download covers, in a stable order: the Netherlands, all areas, each area with the rest of
/// its municipality, then the municipalities.
pub fn published_targets(snap: &Snapshot) -> Vec<String> {
    let mut out = vec![NETHERLANDS.to_string(), wijkmonitor_readmodel::snapshot::ALL_AREAS.to_string()];
    for a in &snap.areas {
        out.push(a.id.clone());
        out.push(format!("rest:{}", a.id));
    }
    let mut municipalities: Vec<String> = snap.areas.iter().map(|a| a.municipality.clone()).collect();
    municipalities.sort();
    municipalities.dedup();
    out.extend(municipalities);
    out
}

/// The full long CSV of everything published.
pub fn write_all(snap: &Snapshot, w: &mut csv::Writer<Vec<u8>>) -> csv::Result<()> {
    w.write_record(CSV_HEADER)?;
    let targets = published_targets(snap);
    for ind in &snap.catalogue.indicators {
        for t in &targets {
            write_series(w, snap, t, ind)?;
        }
    }
    Ok(())
}

impl View for DownloadsPage {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn html(&self, lang: Lang) -> Markup {
        html! {
            h1 { "Downloads" }
            p class="lead" { (lang.t(
                "Alle gepubliceerde cijfers: Nederland, alle focusgebieden samen, elk focusgebied, de rest van zijn gemeente en de gemeenten, voor alle jaren. Alleen cijfers die de geheimhouding doorstonden; een weggelaten cijfer staat erin met zijn status en reden.",
                "All published figures: the Netherlands, all focus areas together, each focus area, the rest of its municipality and the municipalities, for all years. Only figures that passed disclosure control; a suppressed figure is listed with its status and reason.")) }
            ul {
                @for f in &self.files {
                    li { a href=(f.url) download { (f.url.rsplit('/').next().unwrap_or(f.url)) } " (" (f.format.to_uppercase()) "): " (lang.t(f.description_nl, f.description_en)) }
                }
            }
            h2 { (lang.t("Kolommen van het CSV-bestand", "Columns of the CSV file")) }
            p { code { (self.csv_columns.join(",")) } }
            p { (lang.t("Decimalen met een punt, UTF-8, komma als scheidingsteken. Elke pagina heeft ook een eigen CSV- en JSON-versie: zet .csv of .json achter het adres.",
                        "Decimals with a point, UTF-8, comma-separated. Every page also has its own CSV and JSON version: add .csv or .json to its address.")) }
            p { (lang.t("Bronvermelding bij hergebruik: ", "Attribution when reusing: ")) "Bron: CBS (CC BY 4.0); Leefbaarometer 3.0, Ministerie van BZK; Politie." }
        }
    }

    fn csv(&self, snap: &Snapshot, w: &mut csv::Writer<Vec<u8>>) -> csv::Result<()> {
        write_all(snap, w)
    }
}
