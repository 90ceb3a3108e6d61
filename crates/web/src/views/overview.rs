//! `/`: the overview. A map of the Netherlands with the focus areas' municipalities, the headline effect
//! indicators for all areas together against the Netherlands since the base year, and the action lines.

use super::View;
use crate::i18n::{self, Lang};
use crate::layout::fig_cell;
use crate::svg::{self, Line, MapRegion};
use crate::viewmodel::{series, write_figure_row, IndicatorRef, Meta, PeriodFig, Provenance, TargetRef, CSV_HEADER};
use maud::{html, Markup};
use serde::Serialize;
use wijkmonitor_model::catalogue::ActionLine;
use wijkmonitor_readmodel::snapshot::{Snapshot, ALL_AREAS, NETHERLANDS};

#[derive(Serialize)]
pub struct AreaSummary {
    pub number: usize,
    pub id: String,
    pub name: String,
    pub municipality: String,
    pub municipality_name: String,
}

#[derive(Serialize)]
pub struct Headline {
    pub indicator: IndicatorRef,
    /// The headline indicator this one stands in for, where that one has no figure at all in this database.
    pub instead_of: Option<IndicatorRef>,
    pub all_areas: Vec<PeriodFig>,
    pub netherlands: Vec<PeriodFig>,
}

#[derive(Serialize)]
pub struct ActionLineEntry {
    pub id: &'static str,
    pub name_nl: &'static str,
    pub name_en: &'static str,
    pub n_indicators: usize,
}

#[derive(Serialize)]
pub struct Overview {
    pub meta: Meta,
    pub areas: Vec<AreaSummary>,
    pub headline: Vec<Headline>,
    pub action_lines: Vec<ActionLineEntry>,
    /// The national progress report.
    pub report: Option<crate::viewmodel::ReportLinks>,
    pub provenance: Provenance,
    #[serde(skip)]
    map: Markup,
    #[serde(skip)]
    map_en: Markup,
}

pub fn build(snap: &Snapshot) -> Overview {
    let areas: Vec<AreaSummary> = snap
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| AreaSummary {
            number: i + 1,
            id: a.id.clone(),
            name: a.name.clone(),
            municipality: a.municipality.clone(),
            municipality_name: a.municipality_name.clone(),
        })
        .collect();
    let headline: Vec<Headline> = snap
        .catalogue
        .indicators
        .iter()
        .filter(|i| i.headline)
        .map(|i| {
            let all_areas = series(snap, ALL_AREAS, &i.id);
            let netherlands = series(snap, NETHERLANDS, &i.id);
            let empty = |s: &[PeriodFig]| s.iter().all(|f| f.fig.value.is_none());
            // A headline without any figure gives its place to its fallback, when that one has figures.
            let fallback = i
                .headline_fallback
                .as_deref()
                .and_then(|f| snap.indicator(f))
                .filter(|_| empty(&all_areas) && empty(&netherlands));
            if let Some(f) = fallback {
                let (a, n) = (series(snap, ALL_AREAS, &f.id), series(snap, NETHERLANDS, &f.id));
                if !(empty(&a) && empty(&n)) {
                    return Headline {
                        indicator: IndicatorRef::new(f),
                        instead_of: Some(IndicatorRef::new(i)),
                        all_areas: a,
                        netherlands: n,
                    };
                }
            }
            Headline { indicator: IndicatorRef::new(i), instead_of: None, all_areas, netherlands }
        })
        .collect();
    let action_lines = ActionLine::ALL
        .iter()
        .map(|&l| ActionLineEntry {
            id: l.as_str(),
            name_nl: l.name_nl(),
            name_en: l.name_en(),
            n_indicators: snap.catalogue.indicators.iter().filter(|i| i.action_line == l).count(),
        })
        .collect();
    let provenance = Provenance::new(snap, headline.iter().map(|h| h.indicator.id.as_str()));
    let meta = Meta::new(
        snap,
        "overview",
        "/".into(),
        "Zicht op de focusgebieden".into(),
        "The focus areas at a glance".into(),
    );
    let map = overview_map(snap, &areas, Lang::Nl);
    let map_en = overview_map(snap, &areas, Lang::En);
    let report = crate::viewmodel::ReportLinks::new(snap, None);
    Overview { meta, areas, headline, action_lines, report, provenance, map, map_en }
}

fn overview_map(snap: &Snapshot, areas: &[AreaSummary], lang: Lang) -> Markup {
    // One marker per municipality; Amsterdam's two areas share one outline and one marker with both numbers.
    let mut regions: Vec<MapRegion> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for a in areas {
        if seen.contains(&a.municipality.as_str()) {
            continue;
        }
        seen.push(&a.municipality);
        let Some(outline) = snap.outlines.get(&a.municipality) else { continue };
        let numbers: Vec<String> =
            areas.iter().filter(|b| b.municipality == a.municipality).map(|b| b.number.to_string()).collect();
        regions.push(MapRegion {
            rings: &outline.rings,
            fill: svg::BLUE,
            pattern: false,
            marker: Some(numbers.join(",")),
        });
    }
    let names: Vec<String> =
        areas.iter().map(|a| format!("{} {} ({})", a.number, a.name, a.municipality_name)).collect();
    svg::netherlands_map(
        "nl-map",
        &snap.outlines,
        &regions,
        520.0,
        lang.t(
            "Kaart van Nederland met de gemeenten van de 20 focusgebieden",
            "Map of the Netherlands with the municipalities of the 20 focus areas",
        ),
        &format!(
            "{} {}",
            lang.t(
                "Gemarkeerde gemeenten met een nummer per focusgebied:",
                "Highlighted municipalities with a number per focus area:"
            ),
            names.join("; ")
        ),
    )
}

impl View for Overview {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn html(&self, lang: Lang) -> Markup {
        html! {
            h1 { (self.meta.title(lang)) }
            p class="lead" {
                (lang.t(
                    "De open monitor van het Nationaal Programma Leefbaarheid en Veiligheid: 20 focusgebieden in 19 gemeenten, gevolgd met een vaste set indicatoren sinds het basisjaar 2018.",
                    "The open monitor of the National Programme Liveability and Safety: 20 focus areas in 19 municipalities, followed with a fixed set of indicators since the base year 2018."))
            }
            h2 { (lang.t("De focusgebieden", "The focus areas")) }
            div class="map-wrap" {
                figure {
                    (match lang { Lang::Nl => &self.map, Lang::En => &self.map_en })
                    figcaption class="note" {
                        (lang.t("Gemeenten met een focusgebied zijn blauw; de nummers verwijzen naar de lijst. ", "Municipalities with a focus area are blue; the numbers refer to the list. "))
                        (wijkmonitor_readmodel::geo::OUTLINES_ATTRIBUTION)
                    }
                }
                ol class="areas" {
                    @for a in &self.areas {
                        li value=(a.number) { a href=(lang.href(&format!("/gebied/{}", a.id))) { (a.name) } " " span class="note" { "(" (a.municipality_name) ")" } }
                    }
                }
            }
            h2 { (lang.t("Kernindicatoren: alle focusgebieden samen en Nederland", "Headline indicators: all focus areas together and the Netherlands")) }
            div class="grid wide" {
                @for (k, h) in self.headline.iter().enumerate() {
                    div class="card" {
                        h3 { a href=(lang.href(&format!("/indicator/{}", h.indicator.id))) { (h.indicator.name(lang)) } }
                        @if let Some(orig) = &h.instead_of {
                            p class="note" {
                                (lang.t("In plaats van ", "Instead of ")) a href=(lang.href(&format!("/indicator/{}", orig.id))) { (orig.name(lang)) }
                                (lang.t(": daarvoor zijn geen cijfers.", ": there are no figures for it."))
                            }
                        }
                        @let periods: Vec<String> = h.all_areas.iter().chain(h.netherlands.iter()).map(|p| p.period.clone()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
                        @let value_at = |s: &[PeriodFig], p: &str| s.iter().find(|f| f.period == p).and_then(|f| f.fig.value);
                        @let lines = [
                            Line { label: lang.t("Alle focusgebieden", "All focus areas").into(), colour: svg::BLUE, dash: None, width: 2.5, values: periods.iter().map(|p| value_at(&h.all_areas, p)).collect() },
                            Line { label: lang.t("Nederland", "Netherlands").into(), colour: svg::BLACK, dash: Some("6 4"), width: 2.0, values: periods.iter().map(|p| value_at(&h.netherlands, p)).collect() },
                        ];
                        @if let Some(last) = h.all_areas.iter().rev().find(|f| f.fig.value.is_some()) {
                            p {
                                span class="figure-big" data-indicator=(h.indicator.id) data-target="focusgebieden" { (fig_cell(Some(&last.fig), h.indicator.decimals, lang)) }
                                " " (h.indicator.unit) " (" (last.period) ")"
                                @if let Some(nl) = h.netherlands.iter().find(|f| f.period == last.period) {
                                    br; (lang.t("Nederland: ", "Netherlands: ")) (fig_cell(Some(&nl.fig), h.indicator.decimals, lang)) " " (h.indicator.unit)
                                }
                            }
                        }
                        (svg::line_chart(&format!("headline-{k}"), &periods, &lines, h.indicator.decimals, lang,
                            &format!("{}: {}", h.indicator.name(lang), lang.t("alle focusgebieden en Nederland per jaar", "all focus areas and the Netherlands per year")),
                            lang.t("Doorgetrokken lijn: alle focusgebieden samen; gestreepte lijn: Nederland. De cijfers staan in de tabel hieronder.", "Solid line: all focus areas together; dashed line: the Netherlands. The figures are in the table below.")))
                        // A table is as wide as its content whatever its own width says, so the hidden copy of the
                        // chart's figures sits in a hidden box instead.
                        div class="visually-hidden" {
                            table {
                                caption { (h.indicator.name(lang)) " (" (h.indicator.unit) ")" }
                                thead { tr { th scope="col" { (lang.t("Jaar", "Year")) } th scope="col" { (lang.t("Alle focusgebieden", "All focus areas")) } th scope="col" { (lang.t("Nederland", "Netherlands")) } } }
                                tbody {
                                    @for p in &periods {
                                        tr { th scope="row" { (p) }
                                            td class="num" { (fig_cell(h.all_areas.iter().find(|f| &f.period == p).map(|f| &f.fig), h.indicator.decimals, lang)) }
                                            td class="num" { (fig_cell(h.netherlands.iter().find(|f| &f.period == p).map(|f| &f.fig), h.indicator.decimals, lang)) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(r) = &self.report { (r.html(lang, "Voortgangsrapportage", "Progress report")) }
            h2 { (lang.t("Actielijnen", "Action lines")) }
            div class="grid" {
                @for line in ActionLine::ALL {
                    @let entry = self.action_lines.iter().find(|e| e.id == line.as_str());
                    div class="card" {
                        h3 { a href=(lang.href(&format!("/actielijn/{}", line.as_str()))) { (i18n::action_line(lang, line)) } }
                        p { (i18n::action_line_description(lang, line)) }
                        @if let Some(e) = entry { p class="note" { (e.n_indicators) " " (lang.t("indicatoren", "indicators")) } }
                    }
                }
            }
        }
    }

    fn csv(&self, snap: &Snapshot, w: &mut csv::Writer<Vec<u8>>) -> csv::Result<()> {
        w.write_record(CSV_HEADER)?;
        for h in &self.headline {
            let Some(ind) = snap.indicator(&h.indicator.id) else { continue };
            for target in [ALL_AREAS, NETHERLANDS] {
                write_series(w, snap, target, ind)?;
            }
        }
        Ok(())
    }
}

/// Writes every period's figure of a target and indicator as CSV rows.
pub fn write_series(
    w: &mut csv::Writer<Vec<u8>>,
    snap: &Snapshot,
    target: &str,
    ind: &wijkmonitor_model::Indicator,
) -> csv::Result<()> {
    let Some(series) = snap.series(target, &ind.id) else { return Ok(()) };
    let t = TargetRef::of(snap, target);
    for (p, f) in series.iter().enumerate() {
        if let Some(f) = f {
            write_figure_row(w, snap, &t, ind, p, f)?;
        }
    }
    Ok(())
}
