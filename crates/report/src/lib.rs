//! The wijkmonitor reports: the per-area data-analysis report and the national progress report.
//!
//! # Layout
//! - [`summary`]: the plain-language sentences of a report's summary, generated from the figures.

pub mod summary;
