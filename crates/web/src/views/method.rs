//! `/over/effectmeting`: how the effect of the programme is measured, with the parameters in use and the pooled
//! result over all areas per indicator. The CSV twin holds every area's effect per indicator and estimator (the
//! columns of `wijkmonitor effect --format csv`).

use super::effect::{estimator_verdict, method_name, Estimate};
use super::View;
use crate::format;
use crate::i18n::Lang;
use crate::viewmodel::{IndicatorRef, Meta};
use maud::{html, Markup};
use serde::Serialize;
use wijkmonitor_effect::config::Config;
use wijkmonitor_effect::CSV_COLUMNS;
use wijkmonitor_readmodel::effects::AreaEffect;
use wijkmonitor_readmodel::snapshot::Snapshot;

#[derive(Serialize)]
pub struct Parameters {
    pub start: i32,
    pub matched: usize,
    pub placebos: usize,
    pub own_municipality: bool,
    pub level: f64,
    pub covariates: Vec<String>,
}

#[derive(Serialize)]
pub struct PooledRow {
    pub indicator: IndicatorRef,
    pub areas: usize,
    pub verdict: &'static str,
    pub estimates: Vec<Estimate>,
}

#[derive(Serialize)]
pub struct VerdictCount {
    pub verdict: &'static str,
    pub reason: Option<&'static str>,
    pub count: usize,
}

#[derive(Serialize)]
pub struct MethodPage {
    pub meta: Meta,
    pub parameters: Parameters,
    /// Per effect indicator: the mean effect over the areas that passed the pre-trend check.
    pub pooled: Vec<PooledRow>,
    /// How the areas' analyses ended, counted over all areas and indicators.
    pub verdicts: Vec<VerdictCount>,
}

pub fn build(snap: &Snapshot) -> MethodPage {
    let config = Config::builtin();
    let pooled = snap
        .effects
        .pooled
        .iter()
        .filter_map(|(id, p)| {
            let ind = snap.indicator(id)?;
            let areas = p.did.as_ref().map(|d| d.areas).unwrap_or(0);
            let estimates = p
                .did
                .iter()
                .chain(p.sdid.iter())
                .map(|x| Estimate {
                    estimator: x.estimator.as_str(),
                    estimate: x.estimate,
                    lower: x.lower.is_finite().then_some(x.lower),
                    upper: x.upper.is_finite().then_some(x.upper),
                    p_value: Some(x.p_value),
                    verdict: x.verdict.as_str(),
                    reason: x.reason.map(|r| r.as_str()),
                })
                .collect();
            Some(PooledRow { indicator: IndicatorRef::new(ind), areas, verdict: p.verdict().as_str(), estimates })
        })
        .collect();
    let mut counts: std::collections::BTreeMap<(&'static str, Option<&'static str>), usize> = Default::default();
    for e in snap.effects.areas.values() {
        let key = match e {
            AreaEffect::Final(a) => (a.verdict.as_str(), a.reason.map(|r| r.as_str())),
            AreaEffect::Secret { .. } => ("withheld", Some("suppressed")),
        };
        *counts.entry(key).or_default() += 1;
    }
    MethodPage {
        meta: Meta::new(
            snap,
            "method",
            "/over/effectmeting".into(),
            "Effectmeting: verandert een gebied door het programma?".into(),
            "Measuring effect: does an area change because of the programme?".into(),
        ),
        parameters: Parameters {
            start: config.start,
            matched: config.method.matched,
            placebos: config.method.placebos,
            own_municipality: config.method.own_municipality,
            level: config.method.level,
            covariates: config.covariates.clone(),
        },
        pooled,
        verdicts: counts
            .into_iter()
            .map(|((verdict, reason), count)| VerdictCount { verdict, reason, count })
            .collect(),
    }
}

impl View for MethodPage {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn html(&self, lang: Lang) -> Markup {
        let p = &self.parameters;
        html! {
            h1 { (self.meta.title(lang)) }
            p class="lead" {
                (lang.t("Een vergelijking met Nederland laat een kloof zien, geen effect: als heel Nederland verbetert, verbeteren de gebieden ook zonder programma. De vraag is hoe een gebied zich zónder programma had ontwikkeld. Het beste antwoord dat de cijfers toelaten: vergelijk het met buurten die er vóór de start op leken en geen programma kregen.",
                        "A comparison with the Netherlands shows a gap, not an effect: if all of the country improves, the areas improve without any programme too. The question is how an area would have developed without the programme. The best answer the figures allow: compare it with buurten that looked like it before the start and got no programme."))
            }
            h2 { (lang.t("Hoe het werkt", "How it works")) }
            ol {
                li { (lang.t("Start: ", "Start: ")) (p.start) (lang.t(", het jaar waarin de 20 gebieden werden aangewezen (per gebied of maatregel aan te passen).", ", the year the 20 areas were named (adjustable per area or measure).")) }
                li { (lang.t("Vergelijkingsbuurten: de ", "Comparison buurten: the ")) (p.matched)
                    (lang.t(" buurten buiten elk focusgebied (en buiten de eigen gemeente, vanwege uitstraling) die vóór de start het meest op het gebied leken: het niveau van de indicator en kenmerken als inkomen, corporatiebezit, dichtheid, leeftijd en Leefbaarometer-score. De balans vóór en na matching staat bij elk effect.",
                            " buurten outside every focus area (and outside the area's own municipality, because of spillovers) that were most like the area before the start: the level of the indicator and features such as income, corporation housing, density, age and Leefbaarometer score. The balance before and after matching is shown with every effect.")) }
                li { (lang.t("Twee methoden naast elkaar: verschil-in-verschillen tegen de vergelijkingsbuurten (met het verschil per jaar), en synthetisch verschil-in-verschillen (Arkhangelsky e.a., 2021), dat zelf gewichten kiest voor buurten en jaren.",
                             "Two methods side by side: difference-in-differences against the comparison buurten (with the gap per year), and synthetic difference-in-differences (Arkhangelsky et al., 2021), which chooses weights for buurten and years itself.")) }
                li { (lang.t("Onzekerheid uit placebogebieden: ", "Uncertainty from placebo areas: ")) (p.placebos)
                    (lang.t(" keer dezelfde meting voor nepgebieden van evenveel aangrenzende buurten zonder programma, die op het gebied lijken. Hun uitkomsten laten zien hoeveel een gebied zonder effect toch beweegt; daaruit volgen het interval en de p-waarde.",
                            " times the same measurement for pseudo-areas of as many neighbouring buurten without the programme, alike to the area. Their results show how much an area without any effect still moves; the interval and the p-value follow from them.")) }
                li { (lang.t("Controle op trends vóór de start: liep het gebied al vóór de start uit de pas met zijn vergelijking (steiler dan 95% van de placebogebieden), dan is een verschil daarna niet aan het programma toe te schrijven.",
                             "A check on trends before the start: if the area was already diverging from its comparison before the start (more steeply than 95% of the placebo areas), a difference afterwards cannot be put down to the programme.")) }
                li { strong { (lang.t("Alleen een effect als het ", "An effect only when the ")) (format::number(100.0 * p.level, 0, lang))
                    (lang.t("%-interval nul uitsluit, de controle op trends slaagt en beide methoden hetzelfde zeggen.", "% interval excludes zero, the trend check passes and both methods agree.")) }
                    " " (lang.t("Anders: geen aantoonbaar effect, met de reden.", "Otherwise: no demonstrable effect, with the reason.")) }
            }
            h2 { (lang.t("Waar het op stuit", "What it runs into")) }
            ul {
                li { (lang.t("Twintig gebieden, elk één geval: de onzekerheid komt van placebogebieden, niet van standaardformules over buurten die binnen een gebied samenhangen.", "Twenty areas, each a single case: the uncertainty comes from placebo areas, not from textbook formulas over buurten that are correlated within an area.")) }
                li { (lang.t("Uitstraling en verdringing: buurten naast een gebied kunnen meeveranderen; daarom tellen buurten uit de eigen gemeente niet mee.", "Spillovers and displacement: buurten next to an area may change with it; that is why buurten of the area's own municipality do not count.")) }
                li { (lang.t("Verhuizingen: een verbeterend aandeel kan ook andere bewoners betekenen.", "Moves: an improving share can also mean different residents.")) }
                li { (lang.t("Grenswijzigingen: reeksen volgen dezelfde grond over de indelingsjaren.", "Boundary changes: series follow the same ground across classification years.")) }
            }
            h2 { (lang.t("Alle gebieden samen", "All areas together")) }
            p class="note" { (lang.t("Gemiddeld effect over de gebieden die de controle op trends doorstaan; de onzekerheid uit gemiddelden van placebogebieden.", "Mean effect over the areas that pass the trend check; the uncertainty from means of placebo areas.")) }
            div class="scroll" tabindex="0" role="region" aria-label=(lang.t("Alle gebieden samen", "All areas together")) {
                table class="cards" {
                    thead { tr {
                        th scope="col" { "Indicator" }
                        th scope="col" class="num" { (lang.t("Gebieden", "Areas")) }
                        th scope="col" { (lang.t("Methode", "Method")) }
                        th scope="col" class="num" { (lang.t("Effect (95%-interval)", "Effect (95% interval)")) }
                        th scope="col" { (lang.t("Oordeel", "Verdict")) }
                    } }
                    tbody {
                        @for row in &self.pooled {
                            @for (k, e) in row.estimates.iter().enumerate() {
                                tr {
                                    @if k == 0 {
                                        th scope="row" rowspan=(row.estimates.len()) { (row.indicator.name(lang)) br; span class="note" { (row.indicator.unit) } }
                                        td class="num" rowspan=(row.estimates.len()) data-label=(lang.t("Gebieden", "Areas")) { (row.areas) }
                                    }
                                    td data-label=(lang.t("Methode", "Method")) { (method_name(e.estimator, lang)) }
                                    td class="num" data-label=(lang.t("Effect (95%-interval)", "Effect (95% interval)")) { (e.text(row.indicator.decimals.saturating_add(1), lang)) }
                                    td data-label=(lang.t("Oordeel", "Verdict")) { (estimator_verdict(e, lang)) }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (lang.t("Uitkomsten per gebied en indicator", "Outcomes per area and indicator")) }
            table {
                thead { tr { th scope="col" { (lang.t("Uitkomst", "Outcome")) } th scope="col" class="num" { (lang.t("Aantal", "Count")) } } }
                tbody { @for c in &self.verdicts { tr { td { (outcome(c.verdict, c.reason, lang)) } td class="num" { (c.count) } } } }
            }
            p { (lang.t("Alle uitkomsten per gebied, indicator en methode: ", "Every outcome per area, indicator and method: ")) a href="/over/effectmeting.csv" { "effectmeting.csv" } "." }
        }
    }

    fn csv(&self, snap: &Snapshot, w: &mut csv::Writer<Vec<u8>>) -> csv::Result<()> {
        w.write_record(CSV_COLUMNS)?;
        for ((area, indicator), e) in &snap.effects.areas {
            match e {
                AreaEffect::Final(a) => {
                    for row in a.csv_rows(indicator) {
                        w.write_record(row)?;
                    }
                }
                AreaEffect::Secret { .. } => {
                    let mut row = vec![String::new(); CSV_COLUMNS.len()];
                    row[0] = area.clone();
                    row[1] = indicator.clone();
                    row[9] = "withheld".into();
                    row[10] = "suppressed".into();
                    row[11] = "withheld".into();
                    w.write_record(row)?;
                }
            }
        }
        Ok(())
    }
}

/// An outcome (verdict and reason) in words.
fn outcome(verdict: &str, reason: Option<&str>, lang: Lang) -> &'static str {
    match (verdict, reason) {
        ("increase", _) => lang.t("aantoonbare stijging", "demonstrable increase"),
        ("decrease", _) => lang.t("aantoonbare daling", "demonstrable decrease"),
        ("withheld", _) => lang.t("niet getoond (privacy)", "not shown (privacy)"),
        (_, Some("too_noisy")) => {
            lang.t("geen aantoonbaar effect: binnen de placeboruis", "no demonstrable effect: within placebo noise")
        }
        (_, Some("pre_trends")) => {
            lang.t("geen aantoonbaar effect: trends vóór de start", "no demonstrable effect: trends before the start")
        }
        (_, Some("too_few_years_after")) => lang.t(
            "geen aantoonbaar effect: nog geen jaren na de start",
            "no demonstrable effect: no years after the start yet",
        ),
        (_, Some("too_few_years_before")) => lang.t(
            "geen aantoonbaar effect: te weinig jaren vóór de start",
            "no demonstrable effect: too few years before the start",
        ),
        (_, Some("too_few_comparisons")) => {
            lang.t("geen aantoonbaar effect: te weinig vergelijkingen", "no demonstrable effect: too few comparisons")
        }
        (_, Some("estimators_disagree")) => {
            lang.t("geen aantoonbaar effect: de methoden verschillen", "no demonstrable effect: the methods disagree")
        }
        _ => lang.t("geen aantoonbaar effect", "no demonstrable effect"),
    }
}
