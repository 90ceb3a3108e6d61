//! `/gebied/{area_id}/effect/{indicator_id}`: the effect of the programme on one indicator in one area. The area
//! against its counterfactual over the years (the matched comparison group shifted to the area's level before the
//! start, and the synthetic comparison), the event study with the range of the placebo areas, both estimators with
//! their placebo-calibrated intervals, the pre-trend check, the comparison buurten with their weights, and the
//! balance before and after matching. The verdict in one sentence comes first.

use super::View;
use crate::format;
use crate::i18n::Lang;
use crate::svg::{self, Line};
use crate::viewmodel::{IndicatorRef, Meta};
use maud::{html, Markup};
use serde::Serialize;
use wijkmonitor_effect::{Analysis, EstimatorResult};
use wijkmonitor_model::Indicator;
use wijkmonitor_readmodel::effects::{self as published, AreaEffect};
use wijkmonitor_readmodel::snapshot::{AreaInfo, Snapshot};

/// One estimator's result as shown.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    pub estimator: &'static str,
    pub estimate: f64,
    /// `null` when too few placebos bound the interval (or synthetic difference-in-differences was not calibrated
    /// because the pre-trend check failed).
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub p_value: Option<f64>,
    pub verdict: &'static str,
    pub reason: Option<&'static str>,
}

impl Estimate {
    pub fn new(r: &EstimatorResult) -> Estimate {
        let bounded = r.lower.is_finite() && r.upper.is_finite();
        Estimate {
            estimator: r.estimator.as_str(),
            estimate: r.estimate,
            lower: bounded.then_some(r.lower),
            upper: bounded.then_some(r.upper),
            p_value: bounded.then_some(r.p_value),
            verdict: r.verdict.as_str(),
            reason: r.reason.map(|x| x.as_str()),
        }
    }

    /// "-1,2 (-2,0 tot -0,4)" or the estimate alone.
    pub fn text(&self, decimals: u8, lang: Lang) -> String {
        let n = |x: f64| format::signed(x, decimals, lang);
        match (self.lower, self.upper) {
            (Some(lo), Some(hi)) => format!("{} ({} {} {})", n(self.estimate), n(lo), lang.t("tot", "to"), n(hi)),
            _ => format!("{} ({})", n(self.estimate), lang.t("geen interval", "no interval")),
        }
    }
}

/// The decimals an effect is shown with: one more than the indicator's own, since effects are small differences.
pub fn decimals(ind: &Indicator) -> u8 {
    ind.decimals.saturating_add(1).min(4)
}

/// The sentence of an effect in a language.
pub fn sentence(effect: Option<&AreaEffect>, ind: &Indicator, lang: Lang) -> String {
    let d = decimals(ind);
    published::sentence(effect, ind, lang, &|x, signed| {
        if signed {
            format::signed(x, d, lang)
        } else {
            format::number(x, d, lang)
        }
    })
}

#[derive(Serialize)]
pub struct ControlRef {
    pub code: String,
    pub name: String,
    pub did_weight: f64,
    pub sdid_weight: f64,
}

#[derive(Serialize)]
pub struct EffectPage {
    pub meta: Meta,
    pub area: String,
    pub area_name: String,
    pub indicator: IndicatorRef,
    pub treatment: &'static str,
    /// `final`, or `secret` when disclosure control withholds the effect (then nothing else is given).
    pub status: &'static str,
    pub sentence_nl: String,
    pub sentence_en: String,
    pub verdict: &'static str,
    pub reason: Option<&'static str>,
    pub start: Option<i32>,
    pub estimates: Vec<Estimate>,
    pub disagree: bool,
    pub pre_trend_ok: bool,
    pub pre_trend_statistic: Option<f64>,
    pub pre_trend_threshold: Option<f64>,
    pub placebos: usize,
    pub eligible: usize,
    /// Per year: the area, both counterfactuals, the event-study coefficient and the placebo areas' range.
    pub years: Vec<wijkmonitor_effect::analysis::Year>,
    pub controls: Vec<ControlRef>,
    pub balance: Vec<wijkmonitor_effect::matching::Balance>,
}

pub fn build(snap: &Snapshot, area: &AreaInfo, ind: &Indicator) -> EffectPage {
    let effect = snap.effects.get(&area.id, &ind.id);
    let analysis: Option<&Analysis> = effect.and_then(AreaEffect::analysis);
    let names: std::collections::HashMap<&str, &str> =
        snap.areas.iter().flat_map(|a| a.buurten.iter().flatten()).map(|(c, n)| (c.as_str(), n.as_str())).collect();
    EffectPage {
        meta: Meta::new(
            snap,
            "effect",
            format!("/gebied/{}/effect/{}", area.id, ind.id),
            format!("{}: effect van het programma op {}", area.name, ind.name_nl.to_lowercase()),
            format!("{}: effect of the programme on {}", area.name, ind.name_en.to_lowercase()),
        ),
        area: area.id.clone(),
        area_name: area.name.clone(),
        indicator: IndicatorRef::new(ind),
        treatment: "programme",
        status: if effect.is_some() && analysis.is_none() { "secret" } else { "final" },
        sentence_nl: sentence(effect, ind, Lang::Nl),
        sentence_en: sentence(effect, ind, Lang::En),
        verdict: analysis.map_or("no_effect", |a| a.verdict.as_str()),
        reason: match (effect, analysis) {
            (Some(_), None) => Some("suppressed"),
            (_, Some(a)) => a.reason.map(|r| r.as_str()),
            (None, None) => Some("not_analysed"),
        },
        start: analysis.map(|a| a.start),
        estimates: analysis.map(|a| a.did.iter().chain(a.sdid.iter()).map(Estimate::new).collect()).unwrap_or_default(),
        disagree: analysis.is_some_and(|a| a.disagree),
        pre_trend_ok: analysis.is_some_and(|a| a.pre_trend_ok),
        pre_trend_statistic: analysis.and_then(|a| a.pre_trend_statistic),
        pre_trend_threshold: analysis.and_then(|a| a.pre_trend_threshold),
        placebos: analysis.map_or(0, |a| a.placebos),
        eligible: analysis.map_or(0, |a| a.eligible),
        years: analysis.map(|a| a.years.clone()).unwrap_or_default(),
        controls: analysis
            .map(|a| {
                a.controls
                    .iter()
                    .map(|c| ControlRef {
                        code: c.code.clone(),
                        name: names.get(c.code.as_str()).map(|n| n.to_string()).unwrap_or_default(),
                        did_weight: c.did_weight,
                        sdid_weight: c.sdid_weight,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        balance: analysis.map(|a| a.balance.clone()).unwrap_or_default(),
    }
}

impl EffectPage {
    fn counterfactual_chart(&self, lang: Lang) -> Markup {
        let periods: Vec<String> = self.years.iter().map(|y| y.year.to_string()).collect();
        let lines = vec![
            Line {
                label: self.area_name.clone(),
                colour: svg::BLUE,
                dash: None,
                width: 2.5,
                values: self.years.iter().map(|y| Some(y.area)).collect(),
            },
            Line {
                label: lang.t("Vergelijkingsbuurten", "Comparison buurten").into(),
                colour: svg::VERMILLION,
                dash: Some("6 3"),
                width: 2.0,
                values: self.years.iter().map(|y| Some(y.counterfactual_did)).collect(),
            },
            Line {
                label: lang.t("Synthetische vergelijking", "Synthetic comparison").into(),
                colour: svg::GREEN,
                dash: Some("2 2"),
                width: 2.0,
                values: self.years.iter().map(|y| y.counterfactual_sdid).collect(),
            },
        ];
        let d = self.indicator.decimals;
        let desc: Vec<String> = self
            .years
            .iter()
            .map(|y| {
                format!(
                    "{}: {} {}, {} {}",
                    y.year,
                    lang.t("gebied", "area"),
                    format::number(y.area, d, lang),
                    lang.t("zonder programma", "without the programme"),
                    format::number(y.counterfactual_did, d, lang)
                )
            })
            .collect();
        svg::line_chart(
            "effect-counterfactual",
            &periods,
            &lines,
            d,
            lang,
            &format!(
                "{} {}",
                self.area_name,
                lang.t("en zijn vergelijking zonder programma", "and its comparison without the programme")
            ),
            &desc.join("; "),
        )
    }

    fn event_chart(&self, lang: Lang) -> Markup {
        let periods: Vec<String> = self.years.iter().map(|y| y.year.to_string()).collect();
        let finite = |x: f64| x.is_finite().then_some(x);
        let lines = vec![
            Line {
                label: lang.t("Verschil met vergelijking", "Gap to the comparison").into(),
                colour: svg::BLUE,
                dash: None,
                width: 2.5,
                values: self.years.iter().map(|y| Some(y.event_study)).collect(),
            },
            Line {
                label: lang.t("Bereik placebogebieden", "Range of placebo areas").into(),
                colour: svg::GREY,
                dash: Some("4 3"),
                width: 2.0,
                values: self.years.iter().map(|y| finite(y.placebo_lower)).collect(),
            },
            Line {
                label: String::new(),
                colour: svg::GREY,
                dash: Some("4 3"),
                width: 1.5,
                values: self.years.iter().map(|y| finite(y.placebo_upper)).collect(),
            },
        ];
        let d = decimals_of(&self.indicator);
        let desc: Vec<String> =
            self.years.iter().map(|y| format!("{}: {}", y.year, format::signed(y.event_study, d, lang))).collect();
        svg::line_chart(
            "effect-event-study",
            &periods,
            &lines,
            d,
            lang,
            lang.t(
                "Verschil per jaar ten opzichte van het laatste jaar vóór de start",
                "Gap per year against the last year before the start",
            ),
            &desc.join("; "),
        )
    }
}

fn decimals_of(ind: &IndicatorRef) -> u8 {
    ind.decimals.saturating_add(1).min(4)
}

impl View for EffectPage {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn html(&self, lang: Lang) -> Markup {
        let d = decimals_of(&self.indicator);
        html! {
            p class="crumbs" { a href=(lang.href(&format!("/gebied/{}", self.area))) { (self.area_name) } " › " (lang.t("Effect van het programma", "Effect of the programme")) }
            h1 { (self.indicator.name(lang)) ": " (lang.t("effect van het programma in ", "effect of the programme in ")) (self.area_name) }
            p class="lead verdict" data-verdict=(self.verdict) { (lang.t(&self.sentence_nl, &self.sentence_en)) }
            @if self.status == "final" && !self.years.is_empty() {
                @if let Some(start) = self.start {
                    p class="note" { (lang.t("Start van het programma: ", "Start of the programme: ")) (start) ". "
                        (lang.t("Vergeleken met ", "Compared with ")) (self.controls.len()) " "
                        (lang.t("buurten zonder programma die vóór de start het meest op het gebied leken, gekozen uit ", "buurten without the programme that were most like the area before the start, chosen from "))
                        (self.eligible) ". " (lang.t("Onzekerheid uit ", "Uncertainty from ")) (self.placebos) " "
                        (lang.t("placebogebieden.", "placebo areas.")) " "
                        a href=(lang.href("/over/effectmeting")) { (lang.t("Hoe dit gemeten wordt", "How this is measured")) }
                    }
                }
                h2 { (lang.t("Het gebied en zijn vergelijking", "The area and its comparison")) }
                figure { (self.counterfactual_chart(lang)) }
                div class="scroll" tabindex="0" role="region" aria-label=(lang.t("Schattingen", "Estimates")) {
                    table class="cards" {
                        caption { (lang.t("Effect per methode (gemiddeld over de jaren vanaf de start, in ", "Effect per method (average over the years from the start, in ")) (self.indicator.unit) ")" }
                        thead { tr {
                            th scope="col" { (lang.t("Methode", "Method")) }
                            th scope="col" class="num" { (lang.t("Effect (95%-interval)", "Effect (95% interval)")) }
                            th scope="col" class="num" { "p" }
                            th scope="col" { (lang.t("Oordeel", "Verdict")) }
                        } }
                        tbody {
                            @for e in &self.estimates {
                                tr {
                                    th scope="row" { (method_name(e.estimator, lang)) }
                                    td class="num" data-label=(lang.t("Effect (95%-interval)", "Effect (95% interval)")) { (e.text(d, lang)) }
                                    td class="num" data-label="p" { (e.p_value.map(|p| format::number(p, 3, lang)).unwrap_or_else(|| "–".into())) }
                                    td data-label=(lang.t("Oordeel", "Verdict")) { (estimator_verdict(e, lang)) }
                                }
                            }
                        }
                    }
                }
                @if self.disagree { p { strong { (lang.t("De twee methoden verschillen in teken of significantie.", "The two methods differ in sign or significance.")) } } }
                h2 { (lang.t("Trends vóór de start", "Trends before the start")) }
                p {
                    @match (self.pre_trend_statistic, self.pre_trend_threshold) {
                        (Some(s), Some(t)) => {
                            (lang.t("Helling van het verschil vóór de start: ", "Slope of the gap before the start: ")) (format::number(s, d + 1, lang))
                            (lang.t(" per jaar; placebogrens ", " a year; placebo limit ")) (format::number(t, d + 1, lang)) ". "
                            @if self.pre_trend_ok { (lang.t("De controle slaagt.", "The check passes.")) } @else { strong { (lang.t("De controle faalt: het gebied liep al vóór de start uit de pas.", "The check fails: the area was already diverging before the start.")) } }
                        }
                        _ => { (lang.t("Te weinig jaren vóór de start voor deze controle.", "Too few years before the start for this check.")) }
                    }
                }
                figure { (self.event_chart(lang)) }
                h2 { (lang.t("Vergelijkingsbuurten", "Comparison buurten")) }
                details {
                    summary { (self.controls.len()) " " (lang.t("buurten met hun gewicht", "buurten with their weight")) }
                    div class="scroll" tabindex="0" role="region" aria-label=(lang.t("Vergelijkingsbuurten", "Comparison buurten")) {
                        table class="cards" {
                            thead { tr { th scope="col" { (lang.t("Buurt", "Buurt")) } th scope="col" class="num" { (lang.t("Gewicht (verschil-in-verschillen)", "Weight (difference-in-differences)")) } th scope="col" class="num" { (lang.t("Gewicht (synthetisch)", "Weight (synthetic)")) } } }
                            tbody { @for c in &self.controls { tr { td { code { (c.code) } " " (c.name) } td class="num" data-label=(lang.t("Gewicht (verschil-in-verschillen)", "Weight (difference-in-differences)")) { (format::number(c.did_weight, 3, lang)) } td class="num" data-label=(lang.t("Gewicht (synthetisch)", "Weight (synthetic)")) { (format::number(c.sdid_weight, 3, lang)) } } } }
                        }
                    }
                }
                h2 { (lang.t("Balans vóór en na matching", "Balance before and after matching")) }
                div class="scroll" tabindex="0" role="region" aria-label=(lang.t("Balans", "Balance")) {
                    table class="cards" {
                        caption { (lang.t("Gestandaardiseerd verschil tussen het gebied en de buurten (in standaarddeviaties van alle buurten zonder programma)", "Standardised difference between the area and the buurten (in standard deviations of all buurten without the programme)")) }
                        thead { tr { th scope="col" { (lang.t("Kenmerk", "Feature")) } th scope="col" class="num" { (lang.t("Vóór matching", "Before matching")) } th scope="col" class="num" { (lang.t("Na matching", "After matching")) } } }
                        tbody { @for b in &self.balance { tr { td { (feature_name(&b.feature, lang)) } td class="num" data-label=(lang.t("Vóór matching", "Before matching")) { (format::signed(b.std_diff_before, 2, lang)) } td class="num" data-label=(lang.t("Na matching", "After matching")) { (format::signed(b.std_diff_after, 2, lang)) } } } }
                    }
                }
            }
        }
    }

    fn csv(&self, _snap: &Snapshot, w: &mut csv::Writer<Vec<u8>>) -> csv::Result<()> {
        w.write_record([
            "year",
            "area",
            "counterfactual_did",
            "counterfactual_sdid",
            "event_study",
            "placebo_lower",
            "placebo_upper",
        ])?;
        let n = |x: f64| if x.is_finite() { x.to_string() } else { String::new() };
        for y in &self.years {
            w.write_record([
                y.year.to_string(),
                n(y.area),
                n(y.counterfactual_did),
                y.counterfactual_sdid.map(n).unwrap_or_default(),
                n(y.event_study),
                n(y.placebo_lower),
                n(y.placebo_upper),
            ])?;
        }
        Ok(())
    }
}

/// The name of an estimator.
pub fn method_name(estimator: &str, lang: Lang) -> &'static str {
    match estimator {
        "did" => lang.t("Verschil-in-verschillen (gematchte buurten)", "Difference-in-differences (matched buurten)"),
        _ => lang.t("Synthetisch verschil-in-verschillen", "Synthetic difference-in-differences"),
    }
}

/// One estimator's verdict in words.
pub fn estimator_verdict(e: &Estimate, lang: Lang) -> &'static str {
    match (e.verdict, e.reason) {
        ("increase", _) => lang.t("stijging", "increase"),
        ("decrease", _) => lang.t("daling", "decrease"),
        (_, Some("too_noisy")) => lang.t("geen: binnen de placeboruis", "none: within placebo noise"),
        (_, Some("pre_trends")) => lang.t("geen: trends vóór de start", "none: trends before the start"),
        (_, Some("too_few_years_before")) => {
            lang.t("geen: te weinig jaren vóór de start", "none: too few years before the start")
        }
        (_, Some("too_few_years_after")) => {
            lang.t("geen: nog geen jaren na de start", "none: no years after the start yet")
        }
        (_, Some("too_few_comparisons")) => lang.t("geen: te weinig vergelijkingen", "none: too few comparisons"),
        _ => lang.t("geen aantoonbaar effect", "no demonstrable effect"),
    }
}

/// A matching feature in words.
fn feature_name(feature: &str, lang: Lang) -> String {
    match feature {
        "outcome_level_before" => lang.t("Niveau vóór de start", "Level before the start").into(),
        "outcome_trend_before" => lang.t("Trend vóór de start", "Trend before the start").into(),
        other => wijkmonitor_model::Catalogue::builtin()
            .indicator(other)
            .map(|i| lang.t(&i.name_nl, &i.name_en).to_string())
            .unwrap_or_else(|| other.to_string()),
    }
}

/// An area's effect on one indicator as the area and indicator pages list it.
#[derive(Serialize)]
pub struct EffectSummary {
    pub indicator: IndicatorRef,
    pub status: &'static str,
    pub verdict: &'static str,
    pub reason: Option<&'static str>,
    /// Whether the effect is good news (`null` without an effect, or for a descriptive indicator).
    pub better: Option<bool>,
    pub sentence_nl: String,
    pub sentence_en: String,
    pub estimates: Vec<Estimate>,
    /// The effect's own page.
    pub href: String,
}

impl EffectSummary {
    /// The summary of the effect of `ind` in `area`, if it was analysed.
    pub fn new(snap: &Snapshot, area: &str, ind: &Indicator) -> Option<EffectSummary> {
        let effect = snap.effects.get(area, &ind.id)?;
        let analysis = effect.analysis();
        Some(EffectSummary {
            indicator: IndicatorRef::new(ind),
            status: if analysis.is_some() { "final" } else { "secret" },
            verdict: analysis.map_or("no_effect", |a| a.verdict.as_str()),
            reason: match analysis {
                Some(a) => a.reason.map(|r| r.as_str()),
                None => Some("suppressed"),
            },
            better: analysis.and_then(|a| published::better(a.verdict, ind.direction)),
            sentence_nl: sentence(Some(effect), ind, Lang::Nl),
            sentence_en: sentence(Some(effect), ind, Lang::En),
            estimates: analysis
                .map(|a| a.did.iter().chain(a.sdid.iter()).map(Estimate::new).collect())
                .unwrap_or_default(),
            href: format!("/gebied/{area}/effect/{}", ind.id),
        })
    }

    /// The verdict in a few words, marked as good or bad news.
    pub fn label(&self, lang: Lang) -> Markup {
        let text = match (self.status, self.verdict, self.better) {
            ("secret", _, _) => lang.t("niet getoond (privacy)", "not shown (privacy)"),
            (_, "no_effect", _) => lang.t("geen aantoonbaar effect", "no demonstrable effect"),
            (_, _, Some(true)) => lang.t("verbeterd", "improved"),
            (_, _, Some(false)) => lang.t("verslechterd", "worsened"),
            (_, "increase", None) => lang.t("gestegen", "rose"),
            _ => lang.t("gedaald", "fell"),
        };
        let class = match self.better {
            Some(true) => "verdict better",
            Some(false) => "verdict worse",
            None => "verdict",
        };
        html! { span class=(class) { (text) } }
    }
}
