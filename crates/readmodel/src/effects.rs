//! The effects as published: per treatment (the programme, or a measure), per area and indicator, the analysis of
//! `wijkmonitor-effect` (or the fact that disclosure control withholds it), and per indicator the pooled estimate
//! over the areas.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wijkmonitor_effect::{Analysis, NoEffect, Pooled, Verdict};
use wijkmonitor_model::catalogue::Direction;
use wijkmonitor_model::lang::Lang;
use wijkmonitor_model::Indicator;
use wijkmonitor_store::{Store, StoredEffect};

/// One area's effect on one indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AreaEffect {
    /// Shown.
    Final(Box<Analysis>),
    /// Withheld by disclosure control (an area figure it uses is withheld).
    Secret { reason: &'static str },
}

impl AreaEffect {
    pub fn analysis(&self) -> Option<&Analysis> {
        match self {
            AreaEffect::Final(a) => Some(a),
            AreaEffect::Secret { .. } => None,
        }
    }
}

/// The pooled estimates of one indicator over the areas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PooledEffect {
    pub did: Option<Pooled>,
    pub sdid: Option<Pooled>,
}

impl PooledEffect {
    /// Both estimators' verdict: an effect only when both find it with the same sign.
    pub fn verdict(&self) -> Verdict {
        match (&self.did, &self.sdid) {
            (Some(d), Some(s)) if d.verdict == s.verdict => d.verdict,
            (Some(d), None) => d.verdict,
            _ => Verdict::NoEffect,
        }
    }
}

/// The effects of one treatment.
#[derive(Debug, Clone, Default)]
pub struct Effects {
    /// (area, indicator) -> the effect.
    pub areas: BTreeMap<(String, String), AreaEffect>,
    /// indicator -> the pooled estimate.
    pub pooled: BTreeMap<String, PooledEffect>,
}

impl Effects {
    /// Loads the stored effects of `treatment`. A stored analysis that cannot be read (written by another
    /// version) is left out rather than shown wrong.
    pub fn load(store: &Store, treatment: &str) -> Result<Effects, wijkmonitor_store::StoreError> {
        let mut out = Effects::default();
        for StoredEffect { area, indicator, withheld, analysis, .. } in store.effects(treatment)? {
            if area == wijkmonitor_model::target::ALL_AREAS_ID {
                if let Some(p) = analysis.as_deref().and_then(|a| serde_json::from_str::<PooledEffect>(a).ok()) {
                    out.pooled.insert(indicator, p);
                }
                continue;
            }
            let effect = if withheld {
                AreaEffect::Secret { reason: wijkmonitor_model::disclosure::PUBLIC_SUPPRESSED }
            } else {
                match analysis.as_deref().and_then(|a| serde_json::from_str::<Analysis>(a).ok()) {
                    Some(a) => AreaEffect::Final(Box::new(a)),
                    None => continue,
                }
            };
            out.areas.insert((area, indicator), effect);
        }
        Ok(out)
    }

    pub fn get(&self, area: &str, indicator: &str) -> Option<&AreaEffect> {
        self.areas.get(&(area.to_string(), indicator.to_string()))
    }

    /// The effects of one area, by indicator.
    pub fn of_area<'a>(&'a self, area: &'a str) -> impl Iterator<Item = (&'a str, &'a AreaEffect)> + 'a {
        self.areas.iter().filter(move |((a, _), _)| a == area).map(|((_, i), e)| (i.as_str(), e))
    }
}

/// Whether a verdict is good news for this indicator: `Some(true)` better, `Some(false)` worse, `None` when there
/// is no effect or the indicator is descriptive.
pub fn better(verdict: Verdict, direction: Direction) -> Option<bool> {
    match (verdict, direction) {
        (Verdict::NoEffect, _) | (_, Direction::Neutral) => None,
        (Verdict::Increase, Direction::HigherIsBetter) | (Verdict::Decrease, Direction::LowerIsBetter) => Some(true),
        _ => Some(false),
    }
}

/// The verdict in a word or two.
pub fn verdict_label(effect: Option<&AreaEffect>, indicator: &Indicator, lang: Lang) -> &'static str {
    let Some(effect) = effect else { return lang.t("niet geanalyseerd", "not analysed") };
    let Some(a) = effect.analysis() else { return lang.t("niet getoond (privacy)", "not shown (privacy)") };
    match (a.verdict, better(a.verdict, indicator.direction)) {
        (Verdict::NoEffect, _) => lang.t("geen aantoonbaar effect", "no demonstrable effect"),
        (_, Some(true)) => lang.t("verbeterd door het programma", "improved by the programme"),
        (_, Some(false)) => lang.t("verslechterd", "worsened"),
        (Verdict::Increase, None) => lang.t("gestegen door het programma", "rose because of the programme"),
        (Verdict::Decrease, None) => lang.t("gedaald door het programma", "fell because of the programme"),
    }
}

/// Why there is no demonstrable effect, in words.
pub fn reason_text(reason: NoEffect, start: i32, lang: Lang) -> String {
    match reason {
        NoEffect::TooNoisy => lang
            .t(
                "de verandering valt binnen wat vergelijkbare gebieden zonder programma ook laten zien",
                "the change lies within what comparable areas without the programme show too",
            )
            .into(),
        NoEffect::PreTrends => lang
            .t(
                "het gebied ontwikkelde zich al vóór de start anders dan zijn vergelijkingsbuurten, dus een verschil daarna is niet aan het programma toe te schrijven",
                "the area was already developing differently from its comparison buurten before the start, so a difference afterwards cannot be put down to the programme",
            )
            .into(),
        NoEffect::TooFewYearsAfter => match lang {
            Lang::Nl => format!("er zijn nog geen cijfers van {start} of later"),
            Lang::En => format!("there are no figures of {start} or later yet"),
        },
        NoEffect::TooFewYearsBefore => lang
            .t(
                "er zijn te weinig jaren met cijfers vóór de start om de trends te vergelijken",
                "there are too few years with figures before the start to compare trends",
            )
            .into(),
        NoEffect::TooFewComparisons => lang
            .t("er zijn te weinig vergelijkbare buurten zonder programma", "there are too few comparable buurten without the programme")
            .into(),
        NoEffect::EstimatorsDisagree => lang
            .t(
                "de twee methoden komen niet tot hetzelfde oordeel",
                "the two methods do not reach the same conclusion",
            )
            .into(),
    }
}

/// The verdict as one sentence: what changed because of the programme, with the interval, or why nothing can be
/// said. `number` formats a number in the indicator's unit (with its sign when asked).
pub fn sentence(
    effect: Option<&AreaEffect>,
    indicator: &Indicator,
    lang: Lang,
    number: &dyn Fn(f64, bool) -> String,
) -> String {
    let Some(effect) = effect else {
        return lang
            .t("Voor deze indicator is geen effectmeting gedaan.", "No effect analysis was made for this indicator.")
            .into();
    };
    let Some(a) = effect.analysis() else {
        return lang
            .t(
                "Niet getoond: een cijfer van dit gebied dat de meting gebruikt is afgeschermd om personen te beschermen.",
                "Not shown: a figure of this area the analysis uses is withheld to protect persons.",
            )
            .into();
    };
    match (a.verdict, &a.did) {
        (Verdict::NoEffect, _) | (_, None) => {
            let why = a.reason.map(|r| reason_text(r, a.start, lang)).unwrap_or_default();
            match lang {
                Lang::Nl => format!("Geen aantoonbaar effect: {why}."),
                Lang::En => format!("No demonstrable effect: {why}."),
            }
        }
        (verdict, Some(did)) => {
            let verb = match (better(verdict, indicator.direction), verdict) {
                (Some(true), _) => lang.t("verbeterd", "improved"),
                (Some(false), _) => lang.t("verslechterd", "worsened"),
                (None, Verdict::Increase) => lang.t("gestegen", "rose"),
                (None, _) => lang.t("gedaald", "fell"),
            };
            let (lo, hi) = (number(did.lower, true), number(did.upper, true));
            let size = number(did.estimate.abs(), false);
            match lang {
                Lang::Nl => format!(
                    "Aantoonbaar effect van het programma: {verb} met {size} {} sinds {}, vergeleken met vergelijkbare buurten zonder programma (95%-interval {lo} tot {hi}; beide methoden komen tot dit oordeel).",
                    indicator.unit, a.start
                ),
                Lang::En => format!(
                    "Demonstrable effect of the programme: {verb} by {size} {} since {}, against comparable buurten without the programme (95% interval {lo} to {hi}; both methods agree).",
                    indicator.unit, a.start
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wijkmonitor_effect::{Estimator, EstimatorResult};

    fn analysis(verdict: Verdict, reason: Option<NoEffect>) -> AreaEffect {
        let did = EstimatorResult {
            estimator: Estimator::Did,
            estimate: -1.25,
            lower: -2.0,
            upper: -0.5,
            p_value: 0.01,
            verdict,
            reason,
            placebo: Vec::new(),
        };
        AreaEffect::Final(Box::new(Analysis {
            area: "a".into(),
            start: 2022,
            years_before: 4,
            years_after: 3,
            did: Some(did),
            sdid: None,
            pre_trend_statistic: None,
            pre_trend_threshold: None,
            pre_trend_ok: true,
            verdict,
            reason,
            disagree: false,
            years: Vec::new(),
            controls: Vec::new(),
            balance: Vec::new(),
            eligible: 100,
            placebos: 100,
        }))
    }

    #[test]
    fn sentences_say_better_or_worse_by_the_indicators_direction_and_why_not() {
        let c = wijkmonitor_model::Catalogue::builtin();
        let crime = c.indicator("crimes_per_1000").unwrap();
        let fmt = |x: f64, signed: bool| if signed { format!("{x:+.1}") } else { format!("{x:.1}") };
        let s = sentence(Some(&analysis(Verdict::Decrease, None)), crime, Lang::Nl, &fmt);
        assert!(s.starts_with("Aantoonbaar effect van het programma: verbeterd met 1.2"), "{s}");
        assert!(s.contains("-2.0 tot -0.5"), "{s}");
        let s = sentence(Some(&analysis(Verdict::NoEffect, Some(NoEffect::PreTrends))), crime, Lang::En, &fmt);
        assert!(s.starts_with("No demonstrable effect: the area was already developing differently"), "{s}");
        let withheld = AreaEffect::Secret { reason: "suppressed" };
        assert!(sentence(Some(&withheld), crime, Lang::Nl, &fmt).starts_with("Niet getoond"));
        let participation = c.indicator("net_labour_participation").unwrap();
        assert_eq!(verdict_label(Some(&analysis(Verdict::Decrease, None)), participation, Lang::En), "worsened");
    }
}
