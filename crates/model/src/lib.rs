//! The wijkmonitor domain model: what the monitor is about, with no IO.
//!
//! # Layout
//! - [`region`]: CBS region codes (Netherlands, gemeente, wijk, buurt) and the classification year they belong to.
//! - [`period`]: reporting periods, parsed from StatLine period codes such as `2019JJ00`.
//! - [`area`]: focus areas ("focusgebieden"): named sets of buurt codes for one classification year.
//! - [`batch`]: an import batch (what a reader hands the store), source formats and region code lists.
//! - [`catalogue`]: the indicator catalogue (variables and indicators), loaded from a data file.
//! - [`comparison`]: the comparisons of an area's figure (Netherlands, rest of the municipality, rank, base year).
//! - [`date`]: calendar dates, RFC 3339 moments and the Dutch calendar day.
//! - [`disclosure`]: the disclosure-control rules and their thresholds, loaded from a data file.
//! - [`target`]: what a computed figure is for (a region, an area, the rest of its municipality, all areas).
//! - [`observation`]: one figure for a region, period and variable, with its status.
//! - [`error`]: errors that point at a file, line and column.
//! - [`lang`]: the two languages of the interface.
//! - [`hash`]: SHA-256 in hex, the one fingerprint used everywhere.
//!
//! Everything here works on values and text that the caller has already read; nothing opens a file,
//! a socket or a database. That keeps the domain testable and lets every layer above share it.

pub mod area;
pub mod batch;
pub mod catalogue;
pub mod comparison;
pub mod date;
pub mod disclosure;
pub mod error;
pub mod hash;
pub mod lang;
pub mod observation;
pub mod period;
pub mod region;
pub mod target;
pub mod workbook_guard;

pub use area::{FocusArea, FocusAreaSet};
pub use catalogue::{Catalogue, Indicator, Variable};
pub use error::{Located, Location};
pub use observation::{Observation, Status, Value};
pub use period::Period;
pub use region::{Region, RegionCode, RegionKind};

/// The indicator catalogue shipped with wijkmonitor (`data/catalogue/catalogue.toml`).
pub const BUILTIN_CATALOGUE: &str = include_str!("../../../data/catalogue/catalogue.toml");

/// The disclosure rules shipped with wijkmonitor (`data/catalogue/disclosure.toml`).
pub const BUILTIN_DISCLOSURE: &str = include_str!("../../../data/catalogue/disclosure.toml");

/// The indicative delineation of the 20 focus areas shipped with wijkmonitor (`data/areas/nplv-indicative.csv`).
pub const BUILTIN_AREAS: &str = include_str!("../../../data/areas/nplv-indicative.csv");

/// The inhabitants of each area as published by CBS (1 January 2025, in thousands, February 2026), with the
/// documented reasons why the indicative delineation cannot match some of them (`data/areas/published-2025.csv`).
pub const BUILTIN_PUBLISHED: &str = include_str!("../../../data/areas/published-2025.csv");

/// The file name under which [`BUILTIN_AREAS`] is reported in messages and provenance.
pub const BUILTIN_AREAS_NAME: &str = "nplv-indicative.csv (built in, indicative)";
