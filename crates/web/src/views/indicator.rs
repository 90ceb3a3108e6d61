//! `/indicator/{id}`: one indicator. Its definition, source, unit, direction, aggregation and disclosure
//! rule; the ranking of the areas (bar chart); the time series; a choropleth of the areas (via their
//! municipality) or, with `?gebied=`, of the buurten of one area where boundary files are loaded; downloads.

use super::overview::write_series;
use super::View;
use crate::format;
use crate::i18n::{self, Lang};
use crate::layout::{fig_cell, twin};
use crate::svg::{self, Bar, Line, MapRegion};
use crate::viewmodel::{IndicatorRef, Meta, Provenance, CSV_HEADER};
use maud::{html, Markup};
use serde::Serialize;
use std::collections::BTreeMap;
use wijkmonitor_model::catalogue::{Aggregation, Direction};
use wijkmonitor_model::Indicator;
use wijkmonitor_readmodel::snapshot::{Fig, Snapshot, ALL_AREAS, NETHERLANDS};

#[derive(Serialize)]
pub struct AggregationOut {
    pub method: &'static str,
    pub variables: Vec<String>,
    pub description_nl: String,
    pub description_en: String,
}

#[derive(Serialize)]
pub struct DisclosureOut {
    pub id: String,
    pub description_nl: String,
    pub description_en: String,
}

#[derive(Serialize)]
pub struct IndicatorDef {
    #[serde(flatten)]
    pub reference: IndicatorRef,
    pub definition_nl: String,
    pub definition_en: String,
    pub source: String,
    pub framework_ref: Option<String>,
    pub aggregation: AggregationOut,
    pub disclosure: DisclosureOut,
}

#[derive(Serialize)]
pub struct RankRow {
    /// 1 = most favourable by the indicator's direction; `null` for descriptive indicators and missing figures.
    pub rank: Option<usize>,
    pub id: String,
    pub name: String,
    pub municipality: String,
    pub figure: Option<Fig>,
    /// The effect of the programme on this indicator in the area (effect indicators only).
    pub effect: Option<super::effect::EffectSummary>,
}

#[derive(Serialize)]
pub struct SeriesRow {
    pub period: String,
    pub netherlands: Option<Fig>,
    pub all_areas: Option<Fig>,
    pub areas: BTreeMap<String, Option<Fig>>,
}

#[derive(Serialize)]
pub struct BuurtFig {
    pub code: String,
    pub name: String,
    pub figure: Option<Fig>,
}

#[derive(Serialize)]
pub struct IndicatorPage {
    pub meta: Meta,
    pub indicator: IndicatorDef,
    /// The period of the ranking and the maps: the latest in which all areas together have a figure.
    pub period: Option<String>,
    pub netherlands: Option<Fig>,
    pub all_areas: Option<Fig>,
    pub ranking: Vec<RankRow>,
    pub series: Vec<SeriesRow>,
    /// The area chosen with `?gebied=`, if any.
    pub selected_area: Option<String>,
    /// The buurt figures of the selected area, where buurt boundaries (and so buurt figures) are loaded.
    pub buurten: Option<Vec<BuurtFig>>,
    pub provenance: Provenance,
    #[serde(skip)]
    maps: [Markup; 2],
}

pub fn build(snap: &Snapshot, ind: &Indicator, selected: Option<&str>) -> IndicatorPage {
    let period = snap.latest(ALL_AREAS, &ind.id).or_else(|| snap.latest(NETHERLANDS, &ind.id));
    let fig_at = |target: &str| period.and_then(|p| snap.fig(target, &ind.id, p)).cloned();
    let mut ranking: Vec<RankRow> = snap
        .areas
        .iter()
        .map(|a| RankRow {
            rank: None,
            id: a.id.clone(),
            name: a.name.clone(),
            municipality: a.municipality.clone(),
            figure: fig_at(&a.id),
            effect: super::effect::EffectSummary::new(snap, &a.id, ind),
        })
        .collect();
    let key = |r: &RankRow| r.figure.as_ref().and_then(|f| f.value);
    ranking.sort_by(|a, b| match (key(a), key(b)) {
        (Some(x), Some(y)) => match ind.direction {
            Direction::LowerIsBetter => x.total_cmp(&y),
            _ => y.total_cmp(&x),
        },
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&b.name),
    });
    if ind.direction != Direction::Neutral {
        for (i, r) in ranking.iter_mut().enumerate() {
            if key(r).is_some() {
                r.rank = Some(i + 1);
            }
        }
    }
    let series = (0..snap.periods.len())
        .filter_map(|p| {
            let row = SeriesRow {
                period: snap.periods[p].to_string(),
                netherlands: snap.fig(NETHERLANDS, &ind.id, p).cloned(),
                all_areas: snap.fig(ALL_AREAS, &ind.id, p).cloned(),
                areas: snap.areas.iter().map(|a| (a.id.clone(), snap.fig(&a.id, &ind.id, p).cloned())).collect(),
            };
            (row.netherlands.is_some() || row.all_areas.is_some() || row.areas.values().any(Option::is_some))
                .then_some(row)
        })
        .collect();
    let selected_area = selected.and_then(|s| snap.area(s));
    let buurten = selected_area.and_then(|a| {
        let shapes = snap.buurt_shapes.as_ref()?;
        Some(
            a.buurten
                .iter()
                .flatten()
                .filter(|(code, _)| shapes.get(code).is_some())
                .map(|(code, name)| BuurtFig {
                    code: code.clone(),
                    name: name.clone(),
                    figure: period.and_then(|p| snap.buurt_series(code, &ind.id)?.get(p)?.clone()),
                })
                .collect::<Vec<_>>(),
        )
    });
    let rule = snap.rules.get(&ind.disclosure);
    let definition = IndicatorDef {
        reference: IndicatorRef::new(ind),
        definition_nl: ind.definition_nl.clone(),
        definition_en: ind.definition_en.clone(),
        source: ind.source.clone(),
        framework_ref: ind.framework_ref.clone(),
        aggregation: AggregationOut {
            method: ind.aggregation.method(),
            variables: ind.aggregation.variables().into_iter().map(str::to_string).collect(),
            description_nl: i18n::aggregation(Lang::Nl, &ind.aggregation),
            description_en: i18n::aggregation(Lang::En, &ind.aggregation),
        },
        disclosure: DisclosureOut {
            id: ind.disclosure.clone(),
            description_nl: rule.map(|r| r.description_nl.clone()).unwrap_or_default(),
            description_en: rule.map(|r| r.description_en.clone()).unwrap_or_default(),
        },
    };
    let mut page = IndicatorPage {
        meta: Meta::new(snap, "indicator", format!("/indicator/{}", ind.id), ind.name_nl.clone(), ind.name_en.clone()),
        indicator: definition,
        period: period.map(|p| snap.periods[p].to_string()),
        netherlands: fig_at(NETHERLANDS),
        all_areas: fig_at(ALL_AREAS),
        ranking,
        series,
        selected_area: selected_area.map(|a| a.id.clone()),
        buurten,
        provenance: Provenance::new(snap, [ind.id.as_str()]),
        maps: [html! {}, html! {}],
    };
    page.maps = [choropleth(snap, &page, Lang::Nl), choropleth(snap, &page, Lang::En)];
    page
}

/// The choropleth: the buurten of the selected area when their shapes are loaded, else the areas' municipalities.
fn choropleth(snap: &Snapshot, page: &IndicatorPage, lang: Lang) -> Markup {
    let d = page.indicator.reference.decimals;
    let name = page.indicator.reference.name(lang);
    if let (Some(buurten), Some(shapes)) = (&page.buurten, &snap.buurt_shapes) {
        let values: Vec<f64> = buurten.iter().filter_map(|b| b.figure.as_ref()?.value).collect();
        let breaks = svg::classes(&values);
        let regions: Vec<MapRegion> = buurten
            .iter()
            .filter_map(|b| {
                let rings = shapes.get(&b.code)?;
                let fill = match b.figure.as_ref().and_then(|f| f.value) {
                    Some(v) => svg::BLUES[svg::class_of(&breaks, v)],
                    None => "#ffffff",
                };
                Some(MapRegion { rings, fill, pattern: false, marker: None })
            })
            .collect();
        if !regions.is_empty() {
            return html! {
                (svg::fitted_map("choropleth", &regions, 480.0, &format!("{name}: {}", lang.t("buurten", "buurten")),
                    lang.t("Buurten gekleurd naar waarde, licht is laag en donker is hoog; wit heeft geen cijfer. De waarden staan in de tabel.", "Buurten coloured by value, light is low and dark is high; white has no figure. The values are in the table.")))
                (legend(&breaks, d, lang))
            };
        }
    }
    let values: Vec<f64> = page.ranking.iter().filter_map(|r| r.figure.as_ref()?.value).collect();
    let breaks = svg::classes(&values);
    let mut regions = Vec::new();
    let mut done: Vec<&str> = Vec::new();
    for r in &page.ranking {
        if done.contains(&r.municipality.as_str()) {
            continue;
        }
        done.push(&r.municipality);
        let Some(outline) = snap.outlines.get(&r.municipality) else { continue };
        let shared = page.ranking.iter().filter(|o| o.municipality == r.municipality).count() > 1;
        let fill = match r.figure.as_ref().and_then(|f| f.value) {
            Some(v) => svg::BLUES[svg::class_of(&breaks, v)],
            None => "#ffffff",
        };
        regions.push(MapRegion { rings: &outline.rings, fill, pattern: shared, marker: None });
    }
    html! {
        (svg::netherlands_map("choropleth", &snap.outlines, &regions, 480.0, &format!("{name}: {}", lang.t("focusgebieden op de kaart", "focus areas on the map")),
            lang.t("De gemeenten van de focusgebieden gekleurd naar de waarde van hun focusgebied, licht is laag en donker is hoog. Gemeenten met twee focusgebieden (Amsterdam) zijn gearceerd: zie de tabel.",
                   "The municipalities of the focus areas coloured by the value of their focus area, light is low and dark is high. Municipalities with two focus areas (Amsterdam) are hatched: see the table.")))
        (legend(&breaks, d, lang))
    }
}

fn legend(breaks: &[f64], decimals: u8, lang: Lang) -> Markup {
    let n = breaks.len() + 1;
    html! {
        ul class="legend-list" aria-label=(lang.t("Legenda", "Legend")) {
            @for k in 0..n.min(5) {
                li {
                    span class={"swatch swatch-" (k)} {}
                    @match (k, breaks.get(k.wrapping_sub(1)), breaks.get(k)) {
                        (0, _, Some(hi)) => { (lang.t("lager dan ", "below ")) (format::number(*hi, decimals, lang)) }
                        (_, Some(lo), Some(hi)) => { (format::number(*lo, decimals, lang)) " – " (format::number(*hi, decimals, lang)) }
                        (_, Some(lo), None) => { (format::number(*lo, decimals, lang)) (lang.t(" of hoger", " or higher")) }
                        _ => { (lang.t("alle waarden", "all values")) }
                    }
                }
            }
            li { span class="swatch swatch-none" {} (lang.t("geen cijfer", "no figure")) }
        }
    }
}

impl View for IndicatorPage {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn query(&self) -> String {
        self.selected_area.as_ref().map(|a| format!("gebied={a}")).unwrap_or_default()
    }

    fn html(&self, lang: Lang) -> Markup {
        let def = &self.indicator;
        let r = &def.reference;
        let d = r.decimals;
        let periods: Vec<String> = self.series.iter().map(|s| s.period.clone()).collect();
        let sum = def.aggregation.method == "sum";
        let mut lines: Vec<Line> = Vec::new();
        for (id, _) in self.series.first().map(|s| s.areas.clone()).unwrap_or_default() {
            let selected = self.selected_area.as_deref() == Some(id.as_str());
            if selected {
                continue;
            }
            lines.push(Line {
                label: String::new(),
                colour: "#b8b8b8",
                dash: None,
                width: 1.0,
                values: self.series.iter().map(|s| s.areas.get(&id).and_then(|f| f.as_ref()?.value)).collect(),
            });
        }
        lines.push(Line {
            label: lang.t("Alle focusgebieden", "All focus areas").into(),
            colour: svg::BLUE,
            dash: None,
            width: 3.0,
            values: self.series.iter().map(|s| s.all_areas.as_ref().and_then(|f| f.value)).collect(),
        });
        if !sum {
            lines.push(Line {
                label: lang.t("Nederland", "Netherlands").into(),
                colour: svg::BLACK,
                dash: Some("6 4"),
                width: 2.0,
                values: self.series.iter().map(|s| s.netherlands.as_ref().and_then(|f| f.value)).collect(),
            });
        }
        if let Some(sel) = &self.selected_area {
            let name = self.ranking.iter().find(|r| &r.id == sel).map(|r| r.name.clone()).unwrap_or_default();
            lines.push(Line {
                label: name,
                colour: svg::VERMILLION,
                dash: Some("2 2"),
                width: 3.0,
                values: self.series.iter().map(|s| s.areas.get(sel).and_then(|f| f.as_ref()?.value)).collect(),
            });
        }
        let bars: Vec<Bar> = self
            .ranking
            .iter()
            .map(|row| Bar {
                label: row.name.clone(),
                value: row.figure.as_ref().and_then(|f| f.value),
                highlight: self.selected_area.as_deref() == Some(row.id.as_str()),
            })
            .collect();
        let mut refs = Vec::new();
        if let Some(v) = self.all_areas.as_ref().and_then(|f| f.value) {
            refs.push((lang.t("Alle focusgebieden", "All focus areas").to_string(), v, svg::VERMILLION, "2 2"));
        }
        if !sum {
            if let Some(v) = self.netherlands.as_ref().and_then(|f| f.value) {
                refs.push((lang.t("Nederland", "Netherlands").to_string(), v, svg::BLACK, "6 4"));
            }
        }
        let direction = match r.direction {
            "higher_is_better" => Direction::HigherIsBetter,
            "lower_is_better" => Direction::LowerIsBetter,
            _ => Direction::Neutral,
        };
        html! {
            h1 { (r.name(lang)) }
            p class="lead" { (lang.t(&def.definition_nl, &def.definition_en)) }
            dl class="def" {
                dt { (lang.t("Bron", "Source")) } dd { (def.source) }
                dt { (lang.t("Eenheid", "Unit")) } dd { (r.unit) }
                dt { (lang.t("Richting", "Direction")) } dd { (i18n::direction(lang, direction)) }
                dt { (lang.t("Berekening voor een gebied", "Computation for an area")) } dd { (lang.t(&def.aggregation.description_nl, &def.aggregation.description_en)) }
                dt { (lang.t("Geheimhouding", "Disclosure control")) } dd { (lang.t(&def.disclosure.description_nl, &def.disclosure.description_en)) }
                dt { (lang.t("Actielijn en niveau", "Action line and tier")) } dd {
                    (wijkmonitor_model::catalogue::ActionLine::ALL.iter().find(|l| l.as_str() == r.action_line).map_or(r.action_line, |l| i18n::action_line(lang, *l)))
                    ", " (tier_words(r.tier, lang))
                }
                @if let Some(f) = &def.framework_ref { dt { (lang.t("Nummer in de indicatorenset", "Number in the indicator set")) } dd { (f) } }
                dt { "Downloads" } dd {
                    a href=(twin(&self.meta.path, &self.query(), "csv")) { "CSV" } " · "
                    a href=(twin(&self.meta.path, &self.query(), "json")) { "JSON" } " · "
                    a href=(lang.href("/downloads")) { (lang.t("alle cijfers (CSV, Excel)", "all figures (CSV, Excel)")) }
                }
            }
            @if self.series.is_empty() {
                p { strong { (lang.t("Voor deze indicator zijn nog geen cijfers.", "There are no figures for this indicator yet.")) } }
            } @else {
                h2 { (lang.t("Rangorde van de focusgebieden", "Ranking of the focus areas")) @if let Some(p) = &self.period { " (" (p) ")" } }
                (svg::bar_ranking("ranking", &bars, &refs, d, lang, &format!("{}: {}", r.name(lang), lang.t("rangorde van de focusgebieden", "ranking of the focus areas")),
                    lang.t("Staafdiagram van de focusgebieden, gesorteerd van gunstig naar ongunstig; verticale lijnen zijn alle focusgebieden samen en Nederland. De cijfers staan in de tabel.", "Bar chart of the focus areas, sorted from favourable to unfavourable; vertical lines are all focus areas together and the Netherlands. The figures are in the table.")))
                table class="cards" {
                    caption { (lang.t("Rangorde", "Ranking")) @if let Some(p) = &self.period { " " (p) } ", " (r.unit) }
                    @let has_effects = self.ranking.iter().any(|r| r.effect.is_some());
                    thead { tr { th scope="col" class="num" { (lang.t("Rang", "Rank")) } th scope="col" { (lang.t("Gebied", "Area")) } th scope="col" class="num" { (lang.t("Waarde", "Value")) }
                        @if has_effects { th scope="col" { (lang.t("Effect van het programma", "Effect of the programme")) } } } }
                    tbody {
                        @for row in &self.ranking {
                            tr {
                                td class="num" data-label=(lang.t("Rang", "Rank")) { (row.rank.map(|r| r.to_string()).unwrap_or_else(|| "–".into())) }
                                th scope="row" { a href=(lang.href(&format!("/gebied/{}", row.id))) { (row.name) } }
                                td class="num" data-label=(lang.t("Waarde", "Value")) data-area=(row.id) { (fig_cell(row.figure.as_ref(), d, lang)) }
                                @if has_effects {
                                    td data-label=(lang.t("Effect van het programma", "Effect of the programme")) data-effect=(row.id) { @match &row.effect { Some(e) => { a href=(lang.href(&e.href)) { (e.label(lang)) } } None => { "–" } } }
                                }
                            }
                        }
                        tr { td {} th scope="row" { (lang.t("Alle focusgebieden", "All focus areas")) } td class="num" data-label=(lang.t("Waarde", "Value")) data-area="focusgebieden" { (fig_cell(self.all_areas.as_ref(), d, lang)) } @if has_effects { td {} } }
                        tr { td {} th scope="row" { (lang.t("Nederland", "Netherlands")) } td class="num" data-label=(lang.t("Waarde", "Value")) data-area="NL00" { (fig_cell(self.netherlands.as_ref(), d, lang)) } @if has_effects { td {} } }
                    }
                }
                h2 { (lang.t("Ontwikkeling sinds 2018", "Development since 2018")) }
                (svg::line_chart("series", &periods, &lines, d, lang, &format!("{}: {}", r.name(lang), lang.t("per jaar", "per year")),
                    lang.t("Dikke blauwe lijn: alle focusgebieden samen; gestreepte zwarte lijn: Nederland; grijze lijnen: de afzonderlijke focusgebieden. De cijfers staan in de tabel.", "Thick blue line: all focus areas together; dashed black line: the Netherlands; grey lines: the individual focus areas. The figures are in the table.")))
                details {
                    summary { (lang.t("Tabel: cijfers per jaar", "Table: figures per year")) }
                    div class="scroll" tabindex="0" role="region" aria-label=(lang.t("Cijfers per jaar", "Figures per year")) {
                        table class="cards" {
                            thead { tr { th scope="col" { (lang.t("Jaar", "Year")) } th scope="col" class="num" { (lang.t("Nederland", "Netherlands")) } th scope="col" class="num" { (lang.t("Alle focusgebieden", "All focus areas")) }
                                @for row in &self.ranking { th scope="col" class="num" { (row.name) } } } }
                            tbody {
                                @for s in &self.series {
                                    tr { th scope="row" { (s.period) } td class="num" data-label=(lang.t("Nederland", "Netherlands")) { (fig_cell(s.netherlands.as_ref(), d, lang)) } td class="num" data-label=(lang.t("Alle focusgebieden", "All focus areas")) { (fig_cell(s.all_areas.as_ref(), d, lang)) }
                                        @for row in &self.ranking { td class="num" data-label=(row.name) { (fig_cell(s.areas.get(&row.id).and_then(Option::as_ref), d, lang)) } } }
                                }
                            }
                        }
                    }
                }
                h2 { (lang.t("Kaart", "Map")) }
                form method="get" action=(self.meta.path) {
                    @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
                    label for="gebied" { (lang.t("Buurten van een gebied tonen: ", "Show the buurten of an area: ")) }
                    select id="gebied" name="gebied" {
                        option value="" { (lang.t("alle focusgebieden", "all focus areas")) }
                        @for row in &self.ranking { option value=(row.id) selected[self.selected_area.as_deref() == Some(row.id.as_str())] { (row.name) } }
                    }
                    " " button type="submit" { (lang.t("Toon", "Show")) }
                }
                (match lang { Lang::Nl => &self.maps[0], Lang::En => &self.maps[1] })
                @if self.selected_area.is_some() && self.buurten.is_none() {
                    p class="note" { (lang.t("Een buurtkaart vraagt om grensbestanden (--boundaries); de kaart toont de focusgebieden.", "A buurt map needs boundary files (--boundaries); the map shows the focus areas.")) }
                }
                @if let Some(buurten) = &self.buurten {
                    table {
                        caption { (lang.t("Buurten", "Buurten")) }
                        thead { tr { th scope="col" { (lang.t("Buurt", "Buurt")) } th scope="col" class="num" { (lang.t("Waarde", "Value")) } } }
                        tbody { @for b in buurten { tr { th scope="row" { (b.name) " " code { (b.code) } } td class="num" { (fig_cell(b.figure.as_ref(), d, lang)) } } } }
                    }
                }
                p class="note" { (wijkmonitor_readmodel::geo::OUTLINES_ATTRIBUTION) }
            }
        }
    }

    fn csv(&self, snap: &Snapshot, w: &mut csv::Writer<Vec<u8>>) -> csv::Result<()> {
        w.write_record(CSV_HEADER)?;
        let Some(ind) = snap.indicator(&self.indicator.reference.id) else { return Ok(()) };
        for row in &self.ranking {
            write_series(w, snap, &row.id, ind)?;
        }
        write_series(w, snap, ALL_AREAS, ind)?;
        write_series(w, snap, NETHERLANDS, ind)?;
        Ok(())
    }
}

/// Whether the indicator is a sum (counts of areas are not comparable with the country's).
pub fn is_sum(ind: &Indicator) -> bool {
    matches!(ind.aggregation, Aggregation::Sum { .. })
}

/// A tier by its code, in words.
fn tier_words(code: &str, lang: Lang) -> &'static str {
    use wijkmonitor_model::catalogue::Tier;
    [Tier::Input, Tier::Realisation, Tier::Effect, Tier::Context, Tier::Process]
        .into_iter()
        .find(|t| t.as_str() == code)
        .map_or("", |t| i18n::tier(lang, t))
}
