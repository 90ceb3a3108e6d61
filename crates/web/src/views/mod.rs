//! One module per page kind. Each builds ONE view model (a plain serialisable struct) from the snapshot,
//! and renders it three ways: HTML (maud), JSON (serde) and CSV (the long format of `model::CSV_HEADER`).

pub mod about;
pub mod action_line;
pub mod area;
pub mod downloads;
pub mod effect;
pub mod indicator;
pub mod method;
pub mod overview;

use crate::error::Problem;
use crate::i18n::Lang;
use crate::public::{render_view, Rendered};
use crate::routes::{Page, PathParams, Representation};
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

/// Renders a public page that is a view model: builds the model from the snapshot and the path's parameters and
/// renders it as asked. `None` when `page` is not one of these (files, reports, the workspace). A new page is a
/// module above, an arm here and an entry in the route table.
pub fn render(
    snap: &Snapshot,
    page: Page,
    params: &PathParams,
    gebied: Option<&str>,
    repr: Representation,
    lang: Lang,
) -> Option<Result<Rendered, Problem>> {
    let param = |name: &str| params.get(name).map(String::as_str).unwrap_or("");
    let view = |v: &dyn ViewDyn| Some(Ok(v.render(snap, repr, lang)));
    match page {
        Page::Overview => view(&overview::build(snap)),
        Page::ActionLine => {
            let id = param("line");
            match action_line::parse(id) {
                Some(line) => view(&action_line::build(snap, line)),
                None => Some(Err(Problem::not_found(format!(
                    "no action line '{id}' (integral, physical, participation, safety)"
                )))),
            }
        }
        Page::Area => {
            let id = param("area");
            match snap.area(id) {
                Some(area) => view(&area::build(snap, area)),
                None => Some(Err(Problem::not_found(format!("no focus area '{id}'")))),
            }
        }
        Page::Indicator => {
            let id = param("indicator");
            let Some(ind) = snap.indicator(id) else {
                return Some(Err(Problem::not_found(format!("no indicator '{id}'"))));
            };
            let gebied = gebied.filter(|g| !g.is_empty());
            if let Some(g) = gebied.filter(|g| snap.area(g).is_none()) {
                return Some(Err(Problem::not_found(format!("no focus area '{g}'"))));
            }
            view(&indicator::build(snap, ind, gebied))
        }
        Page::Effect => {
            let (area_id, indicator_id) = (param("area"), param("indicator"));
            let Some(area) = snap.area(area_id) else {
                return Some(Err(Problem::not_found(format!("no focus area '{area_id}'"))));
            };
            match snap.indicator(indicator_id) {
                Some(ind) => view(&effect::build(snap, area, ind)),
                None => Some(Err(Problem::not_found(format!("no indicator '{indicator_id}'")))),
            }
        }
        Page::Method => view(&method::build(snap)),
        Page::Downloads => view(&downloads::build(snap)),
        Page::About => view(&about::build(snap)),
        _ => None,
    }
}

/// A view model of any page, rendered.
trait ViewDyn {
    fn render(&self, snap: &Snapshot, repr: Representation, lang: Lang) -> Rendered;
}

impl<V: View> ViewDyn for V {
    fn render(&self, snap: &Snapshot, repr: Representation, lang: Lang) -> Rendered {
        render_view(snap, self, repr, lang)
    }
}
