//! The application layer of wijkmonitor: the work that several front ends ask for, done in one place so that it
//! is done the same way whichever asks. The command line and the web server both call it; neither holds any of
//! this logic itself.
//!
//! # Layout
//! - [`recompute`]: the engine over the database (observations and published area figures), with disclosure
//!   control and comparisons, stored as one run.
//! - [`register`]: loading the programme register and keeping its figures in step for the next recomputation.
//! - [`effect`]: effects of the programme (or a measure) per area and indicator, from the engine's figures.
//! - [`delineation`]: each area in every period, as the engine follows it across classifications.
//! - [`demo`]: building the demo database (synthetic, or from a folder of real files) and seeding its workspace.
//! - [`update`]: every national source of `data/sources.toml` brought up to date (downloads through
//!   `wijkmonitor-fetch`), the crosswalks built from the maps, and one recomputation.
//!
//! # Invariants
//! - No arguments, no HTTP of its own (downloads go through `wijkmonitor-fetch`), no printing: callers pass values (the time included) and get results back; progress
//!   is reported through a callback.
//! - Writes go through the store's methods, each a transaction of its own; a failed build leaves nothing behind.

pub mod delineation;
pub mod demo;
pub mod effect;
pub mod recompute;
pub mod register;
pub mod update;

pub use recompute::{recompute, ComputeSummary, Recompute};
pub use wijkmonitor_engine::Crosswalk;
