//! `/actielijn/{action_line}`: the indicators of one action line, all areas side by side with all areas
//! together and the Netherlands as benchmark, in the latest year with figures.

use super::overview::write_series;
use super::View;
use crate::i18n::{self, Lang};
use crate::layout::fig_cell;
use crate::viewmodel::{IndicatorRef, Meta, Provenance, CSV_HEADER};
use maud::{html, Markup};
use serde::Serialize;
use wijkmonitor_model::catalogue::ActionLine;
use wijkmonitor_readmodel::snapshot::{Fig, Snapshot, ALL_AREAS, NETHERLANDS};

#[derive(Serialize)]
pub struct Column {
    pub indicator: IndicatorRef,
    /// The latest period in which all areas together have a figure.
    pub period: Option<String>,
    pub all_areas: Option<Fig>,
    pub netherlands: Option<Fig>,
}

#[derive(Serialize)]
pub struct AreaRow {
    pub id: String,
    pub name: String,
    /// One figure per column, in the order of `indicators`.
    pub figures: Vec<Option<Fig>>,
}

#[derive(Serialize)]
pub struct ActionLinePage {
    pub meta: Meta,
    pub action_line: &'static str,
    pub indicators: Vec<Column>,
    /// Indicators of this action line without any figures yet (supplied by the areas or the register).
    pub indicators_without_figures: Vec<IndicatorRef>,
    pub areas: Vec<AreaRow>,
    pub provenance: Provenance,
}

pub fn parse(text: &str) -> Option<ActionLine> {
    ActionLine::ALL.into_iter().find(|l| l.as_str() == text)
}

pub fn build(snap: &Snapshot, line: ActionLine) -> ActionLinePage {
    let mut columns = Vec::new();
    let mut without = Vec::new();
    let mut periods = Vec::new();
    for ind in snap.catalogue.indicators.iter().filter(|i| i.action_line == line) {
        if !snap.has_figures(&ind.id) {
            without.push(IndicatorRef::new(ind));
            continue;
        }
        let p = snap.latest(ALL_AREAS, &ind.id).or_else(|| snap.latest(NETHERLANDS, &ind.id));
        periods.push(p);
        columns.push(Column {
            indicator: IndicatorRef::new(ind),
            period: p.map(|p| snap.periods[p].to_string()),
            all_areas: p.and_then(|p| snap.fig(ALL_AREAS, &ind.id, p)).cloned(),
            netherlands: p.and_then(|p| snap.fig(NETHERLANDS, &ind.id, p)).cloned(),
        });
    }
    let areas = snap
        .areas
        .iter()
        .map(|a| AreaRow {
            id: a.id.clone(),
            name: a.name.clone(),
            figures: columns
                .iter()
                .zip(&periods)
                .map(|(c, p)| p.and_then(|p| snap.fig(&a.id, &c.indicator.id, p)).cloned())
                .collect(),
        })
        .collect();
    let provenance = Provenance::new(snap, columns.iter().map(|c| c.indicator.id.as_str()));
    ActionLinePage {
        meta: Meta::new(
            snap,
            "action_line",
            format!("/actielijn/{}", line.as_str()),
            format!("Actielijn {}", line.name_nl()),
            format!("Action line {}", line.name_en()),
        ),
        action_line: line.as_str(),
        indicators: columns,
        indicators_without_figures: without,
        areas,
        provenance,
    }
}

impl View for ActionLinePage {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn html(&self, lang: Lang) -> Markup {
        let line = parse(self.action_line).unwrap_or(ActionLine::Integral);
        html! {
            h1 { (self.meta.title(lang)) }
            p class="lead" { (i18n::action_line_description(lang, line)) " "
                (lang.t("Alle focusgebieden naast elkaar, met alle focusgebieden samen en Nederland als maatstaf, in het laatste jaar met cijfers.",
                        "All focus areas side by side, with all focus areas together and the Netherlands as benchmark, in the latest year with figures.")) }
            @if self.indicators.is_empty() {
                p { (lang.t("Voor deze actielijn zijn nog geen cijfers.", "There are no figures for this action line yet.")) }
            } @else {
                div class="scroll" tabindex="0" role="region" aria-label=(self.meta.title(lang)) {
                    table class="cards" {
                        caption { (self.meta.title(lang)) }
                        thead {
                            tr {
                                th scope="col" { (lang.t("Gebied", "Area")) }
                                @for c in &self.indicators {
                                    th scope="col" class="num" {
                                        a href=(lang.href(&format!("/indicator/{}", c.indicator.id))) { (c.indicator.name(lang)) }
                                        br; span class="note" { (c.indicator.unit) ", " (c.period.as_deref().unwrap_or("–")) }
                                    }
                                }
                            }
                        }
                        tbody {
                            @for a in &self.areas {
                                tr {
                                    th scope="row" { a href=(lang.href(&format!("/gebied/{}", a.id))) { (a.name) } }
                                    @for (c, f) in self.indicators.iter().zip(&a.figures) {
                                        td class="num" data-label=(c.indicator.name(lang)) { (fig_cell(f.as_ref(), c.indicator.decimals, lang)) }
                                    }
                                }
                            }
                        }
                        tfoot {
                            tr {
                                th scope="row" { (lang.t("Alle focusgebieden", "All focus areas")) }
                                @for c in &self.indicators { td class="num" data-label=(c.indicator.name(lang)) { (fig_cell(c.all_areas.as_ref(), c.indicator.decimals, lang)) } }
                            }
                            tr {
                                th scope="row" { (lang.t("Nederland", "Netherlands")) }
                                @for c in &self.indicators { td class="num" data-label=(c.indicator.name(lang)) { (fig_cell(c.netherlands.as_ref(), c.indicator.decimals, lang)) } }
                            }
                        }
                    }
                }
            }
            @if !self.indicators_without_figures.is_empty() {
                h2 { (lang.t("Indicatoren zonder cijfers", "Indicators without figures")) }
                p { (lang.t("Deze indicatoren leveren de gebieden zelf aan (jaarlijkse uitvraag) of komen uit het programmaregister; er zijn nog geen cijfers.",
                            "The areas supply these indicators themselves (yearly request) or they come from the programme register; there are no figures yet.")) }
                ul { @for i in &self.indicators_without_figures { li { a href=(lang.href(&format!("/indicator/{}", i.id))) { (i.name(lang)) } } } }
            }
        }
    }

    fn csv(&self, snap: &Snapshot, w: &mut csv::Writer<Vec<u8>>) -> csv::Result<()> {
        w.write_record(CSV_HEADER)?;
        for c in &self.indicators {
            let Some(ind) = snap.indicator(&c.indicator.id) else { continue };
            for a in &self.areas {
                write_series(w, snap, &a.id, ind)?;
            }
            write_series(w, snap, ALL_AREAS, ind)?;
            write_series(w, snap, NETHERLANDS, ind)?;
        }
        Ok(())
    }
}
