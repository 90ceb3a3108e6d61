//! `/gebied/{area_id}`: one focus area. Every indicator grouped by action line and tier, with its latest
//! value, a trend chart since the base year, and the comparisons (Netherlands, rest of the municipality, all
//! areas, rank among the areas, change since the base year); the delineation with a buurt map where boundary
//! files are available; coverage and suppressed figures explained.

use super::overview::write_series;
use super::View;
use crate::format;
use crate::i18n::{self, Lang};
use crate::layout::fig_cell;
use crate::svg::{self, Line, MapRegion};
use crate::viewmodel::{IndicatorRef, Meta, Provenance, CSV_HEADER};
use maud::{html, Markup};
use serde::Serialize;
use std::collections::BTreeMap;
use wijkmonitor_model::catalogue::{ActionLine, Aggregation, Tier};
use wijkmonitor_model::comparison::Comparison;
use wijkmonitor_model::Status;
use wijkmonitor_readmodel::snapshot::{AreaInfo, Fig, Snapshot, ALL_AREAS, NETHERLANDS};

#[derive(Serialize)]
pub struct BuurtRef {
    pub code: String,
    pub name: String,
    /// Whether a boundary file has a shape for this code (codes changed since 2014 have none).
    pub has_shape: bool,
}

#[derive(Serialize)]
pub struct UnmatchedRef {
    pub period: String,
    pub buurten: Vec<String>,
    pub population_share: Option<f64>,
}

#[derive(Serialize)]
pub struct AreaHeader {
    pub id: String,
    pub name: String,
    pub municipality: String,
    pub municipality_name: String,
    pub classification_year: Option<i32>,
    pub delineation_source: String,
    pub indicative: bool,
    /// The buurten of the delineation; `null` when the dashboard was not given the delineation file.
    pub buurten: Option<Vec<BuurtRef>>,
    /// Buurten of the delineation without figures in a period (e.g. after a boundary change).
    pub unmatched: Vec<UnmatchedRef>,
}

#[derive(Serialize)]
pub struct SeriesPoint {
    pub period: String,
    pub area: Option<Fig>,
    pub netherlands: Option<Fig>,
    pub rest_of_municipality: Option<Fig>,
    pub all_areas: Option<Fig>,
}

#[derive(Serialize)]
pub struct AreaIndicator {
    pub indicator: IndicatorRef,
    /// The latest period with a number (or else with any figure).
    pub period: Option<String>,
    pub figure: Option<Fig>,
    /// The comparisons of the latest figure (numbers only where they passed disclosure control).
    pub comparison: Option<Comparison>,
    pub series: Vec<SeriesPoint>,
    #[serde(skip)]
    sum_aggregation: bool,
}

#[derive(Serialize)]
pub struct TierGroup {
    pub tier: &'static str,
    pub indicators: Vec<AreaIndicator>,
}

#[derive(Serialize)]
pub struct ActionLineGroup {
    pub id: &'static str,
    pub name_nl: &'static str,
    pub name_en: &'static str,
    pub tiers: Vec<TierGroup>,
}

#[derive(Serialize)]
pub struct SuppressedCount {
    pub status: Status,
    pub reason: String,
    pub count: usize,
}

/// A headline indicator of the national progress report, as the first block of the area page shows it.
#[derive(Serialize)]
pub struct HeadlineItem {
    pub indicator: IndicatorRef,
    /// The headline indicator this one stands in for, where that one has no figure for the area.
    pub instead_of: Option<IndicatorRef>,
    /// The latest period with a number.
    pub period: Option<String>,
    pub figure: Option<Fig>,
    pub netherlands: Option<f64>,
    pub base_year: Option<i32>,
    pub change_since_base: Option<f64>,
    pub change_since_base_lower: Option<f64>,
    pub change_since_base_upper: Option<f64>,
    /// A demonstrable improvement (true) or deterioration (false) since the base year; `null` otherwise.
    pub improved_since_base: Option<bool>,
    pub gap_trend: Option<wijkmonitor_model::comparison::GapTrend>,
}

#[derive(Serialize)]
pub struct AreaPage {
    pub meta: Meta,
    pub area: AreaHeader,
    /// The headline indicators of the national progress report, first on the page.
    pub headline: Vec<HeadlineItem>,
    /// The area's analysis report.
    pub report: Option<crate::viewmodel::ReportLinks>,
    /// The effect of the programme per effect indicator (counterfactual analysis; see /over/effectmeting).
    pub effects: Vec<super::effect::EffectSummary>,
    pub action_lines: Vec<ActionLineGroup>,
    /// Figures of this area (all periods and indicators) without a number, or computed from part of the buurten.
    pub suppressed: Vec<SuppressedCount>,
    pub n_indicators: usize,
    pub n_indicators_with_figures: usize,
    pub provenance: Provenance,
    #[serde(skip)]
    map_nl: Option<Markup>,
    #[serde(skip)]
    map_en: Option<Markup>,
}

const TIERS: [Tier; 5] = [Tier::Effect, Tier::Realisation, Tier::Input, Tier::Process, Tier::Context];

pub fn build(snap: &Snapshot, area: &AreaInfo) -> AreaPage {
    let rest = format!("rest:{}", area.id);
    let mut action_lines = Vec::new();
    let mut n_with = 0;
    // Ordered by the status's name, then the reason.
    let mut suppressed: BTreeMap<(&'static str, String), (Status, usize)> = BTreeMap::new();
    for line in ActionLine::ALL {
        let mut tiers = Vec::new();
        for tier in TIERS {
            let mut indicators = Vec::new();
            for ind in snap.catalogue.indicators.iter().filter(|i| i.action_line == line && i.tier == tier) {
                let latest = snap.latest(&area.id, &ind.id);
                if latest.is_some() {
                    n_with += 1;
                }
                let series: Vec<SeriesPoint> = (0..snap.periods.len())
                    .filter_map(|p| {
                        let point = SeriesPoint {
                            period: snap.periods[p].to_string(),
                            area: snap.fig(&area.id, &ind.id, p).cloned(),
                            netherlands: snap.fig(NETHERLANDS, &ind.id, p).cloned(),
                            rest_of_municipality: snap.fig(&rest, &ind.id, p).cloned(),
                            all_areas: snap.fig(ALL_AREAS, &ind.id, p).cloned(),
                        };
                        (point.area.is_some() || point.netherlands.is_some()).then_some(point)
                    })
                    .collect();
                for f in snap.series(&area.id, &ind.id).into_iter().flatten().flatten() {
                    if f.value.is_none() || f.reason.is_some() {
                        let key = (f.status.as_str(), f.reason.clone().unwrap_or_default());
                        suppressed.entry(key).or_insert((f.status, 0)).1 += 1;
                    }
                }
                let comparison = latest.and_then(|p| snap.comparison(&area.id, &ind.id, p)).cloned();
                indicators.push(AreaIndicator {
                    indicator: IndicatorRef::new(ind),
                    period: latest.map(|p| snap.periods[p].to_string()),
                    figure: latest.and_then(|p| snap.fig(&area.id, &ind.id, p)).cloned(),
                    comparison,
                    series,
                    sum_aggregation: matches!(ind.aggregation, Aggregation::Sum { .. }),
                });
            }
            if !indicators.is_empty() {
                tiers.push(TierGroup { tier: tier.as_str(), indicators });
            }
        }
        action_lines.push(ActionLineGroup {
            id: line.as_str(),
            name_nl: line.name_nl(),
            name_en: line.name_en(),
            tiers,
        });
    }
    let shapes = snap.buurt_shapes.as_ref();
    let buurten = area.buurten.as_ref().map(|list| {
        list.iter()
            .map(|(code, name)| BuurtRef {
                code: code.clone(),
                name: name.clone(),
                has_shape: shapes.is_some_and(|s| s.get(code).is_some()),
            })
            .collect::<Vec<_>>()
    });
    let maps = shapes.map(|s| {
        let regions: Vec<MapRegion> = area
            .buurten
            .iter()
            .flatten()
            .filter_map(|(code, _)| s.get(code))
            .map(|rings| MapRegion { rings, fill: svg::BLUES[2], pattern: false, marker: None })
            .collect();
        let draw = |lang: Lang| {
            (!regions.is_empty()).then(|| {
                svg::fitted_map(
                    "buurt-map",
                    &regions,
                    480.0,
                    &format!("{} {}", lang.t("Buurten van", "Buurten of"), area.name),
                    &{
                        let years: Vec<String> = s.years.iter().map(i32::to_string).collect();
                        let years = match years.as_slice() {
                            [] => lang.t("het grensbestand", "the boundary file").to_string(),
                            [one] => format!("{} {one}", lang.t("het grensbestand van", "the boundary file of")),
                            more => format!(
                                "{} {}",
                                lang.t("de grensbestanden van", "the boundary files of"),
                                more.join(", ")
                            ),
                        };
                        format!(
                            "{} {years}.",
                            lang.t(
                                "De buurten van de afbakening met een vorm in",
                                "The buurten of the delineation with a shape in"
                            )
                        )
                    },
                )
            })
        };
        (draw(Lang::Nl), draw(Lang::En))
    });
    let (map_nl, map_en) = maps.unwrap_or((None, None));
    let header = AreaHeader {
        id: area.id.clone(),
        name: area.name.clone(),
        municipality: area.municipality.clone(),
        municipality_name: area.municipality_name.clone(),
        classification_year: area.classification_year,
        delineation_source: snap.delineation_source.clone(),
        indicative: snap.delineation_indicative,
        buurten,
        unmatched: snap
            .unmatched
            .iter()
            .filter(|u| u.area == area.id)
            .map(|u| UnmatchedRef {
                period: u.period.clone(),
                buurten: u.buurten.clone(),
                population_share: u.population_share,
            })
            .collect(),
    };
    let provenance = Provenance::new(snap, snap.catalogue.indicators.iter().map(|i| i.id.as_str()));
    AreaPage {
        meta: Meta::new(snap, "area", format!("/gebied/{}", area.id), area.name.clone(), area.name.clone()),
        area: header,
        report: crate::viewmodel::ReportLinks::new(snap, Some(&area.id)),
        headline: action_lines
            .iter()
            .flat_map(|l| l.tiers.iter().flat_map(|t| t.indicators.iter()))
            .filter(|i| i.indicator.headline)
            .map(|i| {
                // A headline without a figure for the area gives its place to its fallback, when that has one.
                let all = || action_lines.iter().flat_map(|l| l.tiers.iter().flat_map(|t| t.indicators.iter()));
                let fallback = snap
                    .indicator(&i.indicator.id)
                    .and_then(|ind| ind.headline_fallback.as_deref())
                    .filter(|_| i.figure.as_ref().is_none_or(|f| f.value.is_none()))
                    .and_then(|f| all().find(|o| o.indicator.id == f))
                    .filter(|o| o.figure.as_ref().is_some_and(|f| f.value.is_some()));
                (fallback.unwrap_or(i), fallback.map(|_| i.indicator.clone()))
            })
            .map(|(i, instead_of)| HeadlineItem {
                indicator: i.indicator.clone(),
                instead_of,
                period: i.period.clone(),
                figure: i.figure.clone(),
                netherlands: i.comparison.as_ref().and_then(|c| c.netherlands),
                base_year: i.comparison.as_ref().map(|c| c.base_year),
                change_since_base: i.comparison.as_ref().and_then(|c| c.change_since_base),
                change_since_base_lower: i.comparison.as_ref().and_then(|c| c.change_since_base_lower),
                change_since_base_upper: i.comparison.as_ref().and_then(|c| c.change_since_base_upper),
                improved_since_base: i.comparison.as_ref().and_then(|c| c.improved_since_base),
                gap_trend: i.comparison.as_ref().and_then(|c| c.gap_trend),
            })
            .collect(),
        effects: snap
            .catalogue
            .indicators
            .iter()
            .filter_map(|ind| super::effect::EffectSummary::new(snap, &area.id, ind))
            .collect(),
        action_lines,
        suppressed: suppressed
            .into_iter()
            .map(|((_, reason), (status, count))| SuppressedCount { status, reason, count })
            .collect(),
        n_indicators: snap.catalogue.indicators.len(),
        n_indicators_with_figures: n_with,
        provenance,
        map_nl,
        map_en,
    }
}

/// Whether a change since the base year is demonstrable, in words.
fn change_words(improved: Option<bool>, lower: f64, upper: f64, lang: Lang) -> &'static str {
    match (improved, lower > 0.0 || upper < 0.0) {
        (Some(true), _) => lang.t("aantoonbaar beter", "demonstrably better"),
        (Some(false), _) => lang.t("aantoonbaar slechter", "demonstrably worse"),
        (None, true) => lang.t("aantoonbaar veranderd", "demonstrably changed"),
        (None, false) => lang.t("niet aantoonbaar veranderd", "no demonstrable change"),
    }
}

fn opt_number(v: Option<f64>, decimals: u8, lang: Lang) -> String {
    v.map(|v| format::number(v, decimals, lang)).unwrap_or_else(|| "–".into())
}

impl AreaIndicator {
    /// Whether the area has any figure of this indicator (a number, or a status such as secret).
    fn has_figures(&self) -> bool {
        self.figure.is_some() || self.series.iter().any(|p| p.area.is_some())
    }

    fn chart(&self, lang: Lang, id: &str) -> Markup {
        let values = |f: fn(&SeriesPoint) -> &Option<Fig>| -> Vec<Option<f64>> {
            self.series.iter().map(|p| f(p).as_ref().and_then(|f| f.value)).collect()
        };
        let mut lines =
            vec![Line { label: String::new(), colour: svg::BLUE, dash: None, width: 2.0, values: values(|p| &p.area) }];
        // A count of the area next to the count of the whole country would flatten the area's line to zero.
        if !self.sum_aggregation {
            lines.push(Line {
                label: String::new(),
                colour: svg::BLACK,
                dash: Some("3 2"),
                width: 1.5,
                values: values(|p| &p.netherlands),
            });
        }
        let d = self.indicator.decimals;
        let text: Vec<String> = self
            .series
            .iter()
            .map(|p| {
                let a = p.area.as_ref().map(|f| {
                    f.value
                        .map(|v| format::number(v, d, lang))
                        .unwrap_or_else(|| i18n::status(lang, f.status).to_string())
                });
                format!("{}: {}", p.period, a.unwrap_or_else(|| "–".into()))
            })
            .collect();
        let desc = format!(
            "{}{}",
            text.join("; "),
            if self.sum_aggregation {
                ""
            } else {
                lang.t(". Stippellijn: Nederland.", ". Dotted line: the Netherlands.")
            }
        );
        svg::sparkline(id, &lines, &format!("{} {}", lang.t("Trend van", "Trend of"), self.indicator.name(lang)), &desc)
    }
}

impl AreaPage {
    /// The headline block: the indicators of the national progress report, each with its latest value, the
    /// Netherlands, the change since the base year (and whether it is demonstrable) and the gap's direction.
    fn headline_html(&self, lang: Lang) -> Markup {
        html! {
            section aria-labelledby="kerncijfers" {
                h2 id="kerncijfers" { (lang.t("Kerncijfers", "Headline indicators")) }
                ul class="headline" {
                    @for h in &self.headline {
                        @let d = h.indicator.decimals;
                        li data-headline=(h.indicator.id) {
                            h3 { a href=(lang.href(&format!("/indicator/{}", h.indicator.id))) { (h.indicator.name(lang)) } }
                            @if let Some(orig) = &h.instead_of {
                                p class="note" {
                                    (lang.t("In plaats van ", "Instead of ")) a href=(lang.href(&format!("/indicator/{}", orig.id))) { (orig.name(lang)) }
                                    (lang.t(": daarvoor zijn geen cijfers.", ": there are no figures for it."))
                                }
                            }
                            p {
                                span class="value" data-value=(h.indicator.id) { (fig_cell(h.figure.as_ref(), d, lang)) }
                                " " span class="note" { (h.indicator.unit) @if let Some(p) = &h.period { ", " (p) } }
                            }
                            p { (lang.t("Nederland: ", "Netherlands: ")) (opt_number(h.netherlands, d, lang)) }
                            @if let (Some(change), Some(base)) = (h.change_since_base, h.base_year) {
                                p {
                                    (lang.t("Sinds ", "Since ")) (base) ": " (format::signed(change, d, lang))
                                    @if let (Some(lo), Some(hi)) = (h.change_since_base_lower, h.change_since_base_upper) {
                                        " (" (change_words(h.improved_since_base, lo, hi, lang)) ")"
                                    }
                                }
                            }
                            @if let Some(t) = h.gap_trend {
                                p { (lang.t("Verschil met Nederland: ", "Gap with the Netherlands: ")) (i18n::gap_trend(lang, t)) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The effect section: how many indicators changed because of the programme, and per indicator the verdict with
    /// both estimators.
    fn effects_html(&self, lang: Lang) -> Markup {
        let better = self.effects.iter().filter(|e| e.better == Some(true)).count();
        let worse = self.effects.iter().filter(|e| e.better == Some(false)).count();
        // The analyses that reached a test: an effect, or an interval too wide to show one.
        let tested = self.effects.iter().filter(|e| e.verdict != "no_effect" || e.reason == Some("too_noisy")).count();
        // Each test raises a false alarm about once in twenty (the 95% level; measured on placebo areas in
        // docs/effect.md), so a few effects among many tests may be chance.
        let by_chance = crate::format::number(tested as f64 / 20.0, 1, lang);
        html! {
            section aria-labelledby="effect" {
                h2 id="effect" { (lang.t("Effect van het programma", "Effect of the programme")) }
                p {
                    (lang.t("Vergeleken met vergelijkbare buurten zonder programma (of wijken, waar de cijfers alleen per wijk bestaan) ", "Compared with comparable buurten without the programme (or wijken, where figures exist per wijk only), "))
                    strong { (better) } (lang.t(" van de ", " of the ")) (self.effects.len())
                    (lang.t(" effectindicatoren verbeterden aantoonbaar door het programma", " effect indicators improved demonstrably because of the programme"))
                    @if worse > 0 { (lang.t(" en verslechterden er ", " and ")) strong { (worse) } (lang.t("", " worsened")) }
                    ". " (lang.t("Bij de rest is geen effect aan te tonen; de reden staat erbij. ", "For the rest no effect can be shown; the reason is given. "))
                    @if tested > 0 {
                        (lang.t("Van de ", "Of the ")) (tested)
                        (lang.t(" getoetste indicatoren zou er door toeval alleen al ongeveer ", " indicators tested, about "))
                        (by_chance)
                        (lang.t(" een effect laten zien (een op de twintig toetsen); een enkel effect is dus nog geen bewijs. ",
                            " would show an effect by chance alone (one test in twenty); a single effect is no proof yet. "))
                    }
                    a href=(lang.href("/over/effectmeting")) { (lang.t("Hoe dit gemeten wordt", "How this is measured")) }
                }
                div class="scroll" tabindex="0" role="region" aria-label=(lang.t("Effect van het programma", "Effect of the programme")) {
                    table class="effects cards" {
                        thead { tr {
                            th scope="col" { "Indicator" }
                            th scope="col" { (lang.t("Oordeel", "Verdict")) }
                            th scope="col" class="num" { (lang.t("Verschil-in-verschillen", "Difference-in-differences")) }
                            th scope="col" class="num" { (lang.t("Synthetisch", "Synthetic")) }
                        } }
                        tbody {
                            @for e in &self.effects {
                                @let d = e.indicator.decimals.saturating_add(1);
                                tr data-effect=(e.indicator.id) data-verdict=(e.verdict) {
                                    th scope="row" { a href=(lang.href(&e.href)) { (e.indicator.name(lang)) } br; span class="note" { (e.indicator.unit) } }
                                    td data-label=(lang.t("Oordeel", "Verdict")) { (e.label(lang)) br; span class="note" { (lang.t(&e.sentence_nl, &e.sentence_en)) } }
                                    td class="num" data-label=(lang.t("Verschil-in-verschillen", "Difference-in-differences")) { (e.estimates.first().map(|x| x.text(d, lang)).unwrap_or_else(|| "–".into())) }
                                    td class="num" data-label=(lang.t("Synthetisch", "Synthetic")) { (e.estimates.get(1).map(|x| x.text(d, lang)).unwrap_or_else(|| "–".into())) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

impl View for AreaPage {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn html(&self, lang: Lang) -> Markup {
        let a = &self.area;
        html! {
            h1 { (a.name) }
            p class="lead" {
                (lang.t("Focusgebied in de gemeente ", "Focus area in the municipality of ")) (a.municipality_name) " (" (a.municipality) "). "
                @if a.indicative { strong { (lang.t("Indicatieve afbakening.", "Indicative delineation.")) } }
            }
            @if let Some(r) = &self.report { (r.html(lang, "Analyserapport", "Analysis report")) }
            @if !self.headline.is_empty() { (self.headline_html(lang)) }
            @if !self.effects.is_empty() { (self.effects_html(lang)) }
            nav aria-label=(lang.t("Op deze pagina", "On this page")) {
                ul class="legend-list" {
                    @if !self.effects.is_empty() { li { a href="#effect" { (lang.t("Effect van het programma", "Effect of the programme")) } } }
                    @for line in &self.action_lines { li { a href=(format!("#{}", line.id)) { (lang.t(line.name_nl, line.name_en)) } } }
                    li { a href="#afbakening" { (lang.t("Afbakening", "Delineation")) } }
                    li { a href="#dekking" { (lang.t("Dekking en geheimhouding", "Coverage and suppression")) } }
                }
            }
            p class="note" {
                (lang.t("Per indicator het laatste jaar met een cijfer. Trend: doorgetrokken lijn dit gebied, stippellijn Nederland (niet bij aantallen). Rang 1 is het gunstigst van de focusgebieden. Een verschil met het basisjaar heet alleen aantoonbaar als het 95%-interval uit het telmodel van het cijfer (Poisson voor aantallen, binomiaal voor aandelen, de spreiding over de buurten voor gemiddelden) nul uitsluit; of het door het programma komt, staat bij Effect van het programma.",
                        "Per indicator the latest year with a figure. Trend: solid line this area, dotted line the Netherlands (not for counts). Rank 1 is the most favourable of the focus areas. A change since the base year is only called demonstrable when the 95% interval from the figure's counting model (Poisson for counts, binomial for shares, the spread over the buurten for averages) excludes zero; whether it came about because of the programme is under Effect of the programme."))
            }
            @for line in &self.action_lines {
                h2 id=(line.id) { (lang.t("Actielijn ", "Action line ")) (lang.t(line.name_nl, line.name_en)) }
                @for tier in &line.tiers {
                    @let tier_enum = TIERS.iter().find(|t| t.as_str() == tier.tier).copied().unwrap_or(Tier::Context);
                    @let with_figures: Vec<(usize, &AreaIndicator)> = tier.indicators.iter().enumerate().filter(|(_, i)| i.has_figures()).collect();
                    @if !with_figures.is_empty() {
                    h3 { (i18n::tier(lang, tier_enum)) }
                    div class="scroll" tabindex="0" role="region" aria-label=(format!("{}: {}", lang.t(line.name_nl, line.name_en), i18n::tier(lang, tier_enum))) {
                        table class="cards" {
                            thead { tr {
                                th scope="col" { "Indicator" }
                                th scope="col" { (lang.t("Jaar", "Year")) }
                                th scope="col" class="num" { (lang.t("Waarde", "Value")) }
                                th scope="col" { (lang.t("Trend sinds 2018", "Trend since 2018")) }
                                th scope="col" class="num" { (lang.t("Nederland", "Netherlands")) }
                                th scope="col" class="num" { (lang.t("Rest gemeente", "Rest of municipality")) }
                                th scope="col" class="num" { (lang.t("Alle focusgebieden", "All focus areas")) }
                                th scope="col" class="num" { (lang.t("Verschil met basisjaar", "Change since base year")) }
                                th scope="col" class="num" { (lang.t("Rang", "Rank")) }
                            } }
                            tbody {
                                @for (k, item) in with_figures.iter().copied() {
                                    @let d = item.indicator.decimals;
                                    tr {
                                        th scope="row" {
                                            a href=(lang.href(&format!("/indicator/{}", item.indicator.id))) { (item.indicator.name(lang)) }
                                            br; span class="note" { (item.indicator.unit) }
                                        }
                                        td data-label=(lang.t("Jaar", "Year")) { (item.period.as_deref().unwrap_or("–")) }
                                        td class="num" data-label=(lang.t("Waarde", "Value")) data-indicator=(item.indicator.id) { (fig_cell(item.figure.as_ref(), d, lang)) }
                                        td data-label=(lang.t("Trend", "Trend")) {
                                            @if item.series.iter().any(|p| p.area.as_ref().is_some_and(|f| f.value.is_some())) {
                                                (item.chart(lang, &format!("t-{}-{k}", item.indicator.id)))
                                            } @else if item.figure.is_none() {
                                                span class="note" { (lang.t("nog geen gegevens", "no data yet")) }
                                            }
                                        }
                                        @match &item.comparison {
                                            Some(c) => {
                                                td class="num" data-label=(lang.t("Nederland", "Netherlands")) { (opt_number(c.netherlands, d, lang)) }
                                                td class="num" data-label=(lang.t("Rest gemeente", "Rest of municipality")) { (opt_number(c.rest_of_municipality, d, lang)) }
                                                td class="num" data-label=(lang.t("Alle focusgebieden", "All focus areas")) { (opt_number(c.all_areas, d, lang)) }
                                                td class="num" data-label=(lang.t("Verschil met basisjaar", "Change since base year")) {
                                                    (c.change_since_base.map(|v| format::signed(v, d, lang)).unwrap_or_else(|| "–".into()))
                                                    @if let (Some(lo), Some(hi)) = (c.change_since_base_lower, c.change_since_base_upper) {
                                                        br; span class="note" title=(lang.t("95%-interval uit het telmodel van het cijfer", "95% interval from the figure's counting model")) {
                                                            "95%: " (format::signed(lo, d, lang)) " " (lang.t("tot", "to")) " " (format::signed(hi, d, lang))
                                                        }
                                                        br; span class="note" { (change_words(c.improved_since_base, lo, hi, lang)) }
                                                    }
                                                    @if let (false, Some(t)) = (item.sum_aggregation, &c.gap_trend) { br; span class="note" { (lang.t("kloof NL ", "gap NL ")) (i18n::gap_trend(lang, *t)) } }
                                                }
                                                td class="num" data-label=(lang.t("Rang", "Rank")) {
                                                    @match c.rank { Some(r) => { (r) " " (lang.t("van", "of")) " " (c.n_ranked) } None => { "–" } }
                                                }
                                            }
                                            None => { td class="num" {} td class="num" {} td class="num" {} td class="num" {} td class="num" {} }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    }
                }
                @let without: Vec<String> = line.tiers.iter().flat_map(|t| t.indicators.iter()).filter(|i| !i.has_figures()).map(|i| i.indicator.name(lang).to_string()).collect();
                @if !without.is_empty() {
                    p class="without-figures" { (lang.t("Nog geen gegevens voor: ", "No figures yet for: ")) (without.join(", ")) "." }
                }
            }
            h2 id="afbakening" { (lang.t("Afbakening", "Delineation")) }
            p {
                (lang.t("Bron van de afbakening: ", "Source of the delineation: ")) code { (a.delineation_source) }
                @if let Some(y) = a.classification_year { " (" (lang.t("buurtindeling ", "buurt classification ")) (y) ")" }
                ". "
                @if a.indicative { strong { (lang.t("Dit is een indicatieve afbakening, niet de officiële.", "This is an indicative delineation, not the official one.")) } }
            }
            @match (lang, &self.map_nl, &self.map_en) {
                (Lang::Nl, Some(m), _) | (Lang::En, _, Some(m)) => {
                    figure { (m) figcaption class="note" { (lang.t("Buurtgrenzen 2014 (CBS/PDOK, CC BY 4.0); buurten waarvan de code sindsdien veranderde ontbreken op de kaart.", "Buurt boundaries 2014 (CBS/PDOK, CC BY 4.0); buurten whose code changed since are missing from the map.")) } }
                }
                _ => {
                    p class="note" { (lang.t("Een kaart van de buurten vraagt om grensbestanden: start de server met --boundaries MAP (de buurtgrenzen van CBS als TopoJSON). Hieronder staan de buurten als lijst.",
                                             "A map of the buurten needs boundary files: start the server with --boundaries DIR (the CBS buurt boundaries as TopoJSON). The buurten are listed below.")) }
                }
            }
            @match &a.buurten {
                Some(list) => {
                    details {
                        summary { (list.len()) " " (lang.t("buurten in de afbakening", "buurten in the delineation")) }
                        ul { @for b in list { li { code { (b.code) } " " (b.name) } } }
                    }
                }
                None => { p class="note" { (lang.t("De lijst met buurten is niet beschikbaar: de server kreeg het afbakeningsbestand niet (--areas).", "The list of buurten is not available: the server was not given the delineation file (--areas).")) } }
            }
            @for u in &a.unmatched {
                p { (u.period) ": " (u.buurten.len()) " " (lang.t("buurten zonder cijfers", "buurten without figures"))
                    @if let Some(s) = u.population_share { " (" (format::number(100.0 * s, 1, lang)) "% " (lang.t("van de inwoners", "of the inhabitants")) ")" } }
            }
            h2 id="dekking" { (lang.t("Dekking en geheimhouding", "Coverage and suppression")) }
            p { (self.n_indicators_with_figures) " " (lang.t("van de", "of the")) " " (self.n_indicators) " "
                (lang.t("indicatoren hebben cijfers voor dit gebied. Indicatoren die de gebieden zelf aanleveren (de jaarlijkse uitvraag) of die uit het programmaregister komen, volgen zodra ze zijn aangeleverd.",
                        "indicators have figures for this area. Indicators that the areas supply themselves (the yearly request) or that come from the programme register follow once supplied.")) }
            @if self.suppressed.is_empty() {
                p { (lang.t("Geen cijfers van dit gebied zijn weggelaten.", "No figures of this area were left out.")) }
            } @else {
                table {
                    caption { (lang.t("Cijfers van dit gebied (alle jaren) zonder getal of met een kanttekening", "Figures of this area (all years) without a number or with a note")) }
                    thead { tr { th scope="col" { "Status" } th scope="col" { (lang.t("Reden", "Reason")) } th scope="col" class="num" { (lang.t("Aantal", "Count")) } } }
                    tbody {
                        @for s in &self.suppressed {
                            tr { td { (i18n::status(lang, s.status)) } td { (i18n::reason(lang, &s.reason)) } td class="num" { (s.count) } }
                        }
                    }
                }
            }
        }
    }

    fn csv(&self, snap: &Snapshot, w: &mut csv::Writer<Vec<u8>>) -> csv::Result<()> {
        w.write_record(CSV_HEADER)?;
        let rest = format!("rest:{}", self.area.id);
        for ind in &snap.catalogue.indicators {
            for target in [self.area.id.as_str(), rest.as_str(), ALL_AREAS, NETHERLANDS] {
                write_series(w, snap, target, ind)?;
            }
        }
        Ok(())
    }
}
