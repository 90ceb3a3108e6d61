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
pub mod html;
pub mod summary;

pub use content::{area_report, national_report, ReportError};
pub use summary::Lang;
