//! The read model: what wijkmonitor publishes, loaded once from the store and read by the dashboard, its API and
//! the reports. Only computed figures that passed disclosure control enter it, never raw observations.
//!
//! # Layout
//! - [`snapshot`]: the [`Snapshot`] of computed figures (one [`Fig`] per target, indicator and period),
//!   comparisons, the areas with their buurten, imports and their provenance.
//! - [`provenance`]: which imports stand behind a figure (one rule for the dashboard and the exports).
//! - [`effects`]: the effects of the programme per area and indicator, and pooled over the areas.
//! - [`geo`]: the embedded municipality outlines, buurt shapes from boundary files, and the map projection.
//!
//! # Invariants
//! - Loading reads through store methods; nothing here writes.
//! - A [`Fig`] has a number only with status final or provisional, and its public reason (a suppressed figure
//!   never says whether it was the small one or one suppressed to protect it).

pub mod effects;
pub mod geo;
pub mod provenance;
pub mod snapshot;

pub use snapshot::{AreaInfo, Fig, LoadError, Snapshot};
