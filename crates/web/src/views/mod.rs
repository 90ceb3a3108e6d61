//! One module per page kind. Each builds ONE view model (a plain serialisable struct) from the snapshot,
//! and renders it three ways: HTML (maud), JSON (serde) and CSV (the long format of `model::CSV_HEADER`).

pub mod about;
pub mod action_line;
pub mod area;
pub mod downloads;
pub mod indicator;
pub mod overview;

use crate::i18n::Lang;
use crate::viewmodel::Meta;
use maud::Markup;
use serde::Serialize;
use wijkmonitor_readmodel::snapshot::Snapshot;

/// A page's view model.
pub trait View: Serialize {
    fn meta(&self) -> &Meta;
    /// The page's own query parameters (kept by the language switch and the twin links), without `lang`.
    fn query(&self) -> String {
        String::new()
    }
    /// The content of `<main>`.
    fn html(&self, lang: Lang) -> Markup;
    /// The page's figures (or table) as CSV.
    fn csv(&self, snap: &Snapshot, w: &mut csv::Writer<Vec<u8>>) -> csv::Result<()>;
}
