//! The wijkmonitor reports: the per-area data-analysis report and the national progress report, as PDF and as
//! one self-contained HTML file.
//!
//! Both reports are built once as a [`wijkmonitor_pdf::Document`] from the dashboard's snapshot of
//! disclosure-controlled figures (so a report never shows a figure the dashboard would not), then rendered by
//! [`wijkmonitor_pdf::render`] (tagged, searchable PDF with embedded fonts and vector charts) or [`html::render`].
//!
//! # Layout
//! - [`content`]: what the reports say: title page, summary, one section per action line, register, request,
//!   map, sources and colophon; the national report's tables and annex.
//! - [`summary`]: the plain-language sentences generated from the figures.
//! - [`charts`]: trend lines, bar charts and maps as vector graphics.
//! - [`html`]: the HTML renderer.

pub mod charts;
pub mod content;
pub mod effects;
pub mod html;
pub mod summary;

pub use content::{area_report, national_report, ReportError};
pub use summary::Lang;

use wijkmonitor_readmodel::Snapshot;

/// The file formats a report is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    /// Tagged PDF with embedded fonts.
    Pdf,
    /// One self-contained HTML file.
    Html,
}

impl ReportFormat {
    /// The file extension, also how the format is named on the command line.
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "pdf",
            ReportFormat::Html => "html",
        }
    }

    pub fn parse(text: &str) -> Option<ReportFormat> {
        [ReportFormat::Pdf, ReportFormat::Html].into_iter().find(|f| f.extension() == text)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "application/pdf",
            ReportFormat::Html => "text/html; charset=utf-8",
        }
    }
}

/// Builds and renders a report: of an area (or, with `None`, the national report) for a year.
pub fn render(
    snap: &Snapshot,
    area: Option<&str>,
    year: i32,
    format: ReportFormat,
    lang: Lang,
) -> Result<Vec<u8>, ReportError> {
    let doc = match area {
        Some(id) => area_report(snap, id, year, lang)?,
        None => national_report(snap, year, lang)?,
    };
    render_document(&doc, format)
}

/// Renders a built document in a format.
pub fn render_document(doc: &wijkmonitor_pdf::Document, format: ReportFormat) -> Result<Vec<u8>, ReportError> {
    Ok(match format {
        ReportFormat::Html => html::render(doc).into_bytes(),
        ReportFormat::Pdf => {
            wijkmonitor_pdf::render(doc).map_err(|e| ReportError(format!("cannot render the PDF: {e}")))?
        }
    })
}
