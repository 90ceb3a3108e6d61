//! The effect chapter of the area report and the pooled effects of the national report: whether an area changed
//! because of the programme, against comparable buurten without it (see `wijkmonitor-effect`). Only what the read
//! model publishes: a withheld effect is said to be withheld.

use crate::summary::{format_value, Lang};
use wijkmonitor_effect::{EstimatorResult, Pooled};
use wijkmonitor_model::Indicator;
use wijkmonitor_pdf::{Block, Span};
use wijkmonitor_readmodel::effects::{self, AreaEffect};
use wijkmonitor_readmodel::snapshot::Snapshot;

fn t<'a>(lang: Lang, nl: &'a str, en: &'a str) -> &'a str {
    lang.t(nl, en)
}

fn decimals(ind: &Indicator) -> u8 {
    ind.decimals.saturating_add(1).min(4)
}

fn signed(x: f64, d: u8, lang: Lang) -> String {
    let text = format_value(x, d, lang);
    if x > 0.0 && !text.starts_with('+') {
        format!("+{text}")
    } else {
        text
    }
}

/// "-1,2 (-2,0 tot -0,4)" or the estimate alone when the placebos do not bound it.
fn estimate(estimate: f64, lower: f64, upper: f64, d: u8, lang: Lang) -> String {
    if lower.is_finite() && upper.is_finite() {
        format!(
            "{} ({} {} {})",
            signed(estimate, d, lang),
            signed(lower, d, lang),
            t(lang, "tot", "to"),
            signed(upper, d, lang)
        )
    } else {
        signed(estimate, d, lang)
    }
}

fn cell(r: Option<&EstimatorResult>, d: u8, lang: Lang) -> String {
    r.map_or("–".into(), |r| estimate(r.estimate, r.lower, r.upper, d, lang))
}

fn pooled_cell(r: Option<&Pooled>, d: u8, lang: Lang) -> String {
    r.map_or("–".into(), |r| estimate(r.estimate, r.lower, r.upper, d, lang))
}

/// The effect chapter of an area's report.
pub fn area_chapter(snap: &Snapshot, area: &str, lang: Lang) -> Vec<Block> {
    let rows: Vec<(&Indicator, &AreaEffect)> =
        snap.catalogue.indicators.iter().filter_map(|ind| snap.effects.get(area, &ind.id).map(|e| (ind, e))).collect();
    let mut blocks =
        vec![Block::Heading { level: 1, text: t(lang, "Effect van het programma", "Effect of the programme").into() }];
    if rows.is_empty() {
        blocks.push(Block::Paragraph(vec![Span::plain(t(
            lang,
            "Voor dit gebied is geen effectmeting gepubliceerd.",
            "No effect analysis has been published for this area.",
        ))]));
        return blocks;
    }
    blocks.push(Block::Paragraph(vec![Span::plain(t(
        lang,
        "Een vergelijking met Nederland laat een kloof zien, geen effect. Hier is het gebied vergeleken met vergelijkbare \
         buurten zonder programma (verschil-in-verschillen tegen gematchte buurten, en synthetisch verschil-in-verschillen), \
         met onzekerheid uit placebogebieden: dezelfde meting voor nepgebieden zonder programma. Een effect heet alleen zo als \
         het 95%-interval nul uitsluit, de trends vóór de start gelijk liepen en beide methoden hetzelfde zeggen.",
        "A comparison with the Netherlands shows a gap, not an effect. Here the area is compared with comparable buurten \
         without the programme (difference-in-differences against matched buurten, and synthetic difference-in-differences), \
         with uncertainty from placebo areas: the same measurement for pseudo-areas without the programme. An effect is only \
         called one when the 95% interval excludes zero, the trends before the start ran alike and both methods agree.",
    ))]));
    let sentences: Vec<Vec<Span>> = rows
        .iter()
        .filter(|(_, e)| e.analysis().is_some_and(|a| a.verdict != wijkmonitor_effect::Verdict::NoEffect))
        .map(|(ind, e)| {
            let d = decimals(ind);
            let text = effects::sentence(Some(e), ind, lang, &|x, s| {
                if s {
                    signed(x, d, lang)
                } else {
                    format_value(x, d, lang)
                }
            });
            vec![Span::bold(format!("{}: ", lang.t(&ind.name_nl, &ind.name_en))), Span::plain(text)]
        })
        .collect();
    blocks.push(Block::Heading { level: 2, text: t(lang, "Aantoonbare effecten", "Demonstrable effects").into() });
    blocks.push(if sentences.is_empty() {
        Block::Paragraph(vec![Span::plain(t(
            lang,
            "Bij geen enkele effectindicator is een effect van het programma aan te tonen.",
            "For no effect indicator can an effect of the programme be shown.",
        ))])
    } else {
        Block::Bullets(sentences)
    });
    blocks.push(Block::Heading { level: 2, text: t(lang, "Alle effectindicatoren", "All effect indicators").into() });
    blocks.push(Block::Table {
        header: vec![
            "Indicator".into(),
            t(lang, "Oordeel", "Verdict").into(),
            t(lang, "Verschil-in-verschillen (95%-interval)", "Difference-in-differences (95% interval)").into(),
            t(lang, "Synthetisch (95%-interval)", "Synthetic (95% interval)").into(),
        ],
        rows: rows
            .iter()
            .map(|(ind, e)| {
                let d = decimals(ind);
                let a = e.analysis();
                let verdict = match a {
                    Some(a) if a.verdict == wijkmonitor_effect::Verdict::NoEffect => {
                        let why = a.reason.map(|r| effects::reason_text(r, a.start, lang)).unwrap_or_default();
                        format!("{}: {why}", t(lang, "geen aantoonbaar effect", "no demonstrable effect"))
                    }
                    _ => effects::verdict_label(Some(e), ind, lang).to_string(),
                };
                vec![
                    format!("{} ({})", lang.t(&ind.name_nl, &ind.name_en), ind.unit),
                    verdict,
                    cell(a.and_then(|a| a.did.as_ref()), d, lang),
                    cell(a.and_then(|a| a.sdid.as_ref()), d, lang),
                ]
            })
            .collect(),
        widths: vec![2.5, 3.5, 2.0, 2.0],
        align_right: vec![false, false, true, true],
    });
    blocks
}

/// The pooled effects over all areas, for the national report.
pub fn national_chapter(snap: &Snapshot, lang: Lang) -> Vec<Block> {
    let mut blocks =
        vec![Block::Heading { level: 1, text: t(lang, "Effect van het programma", "Effect of the programme").into() }];
    if snap.effects.pooled.is_empty() {
        blocks.push(Block::Paragraph(vec![Span::plain(t(
            lang,
            "Er is geen effectmeting gepubliceerd.",
            "No effect analysis has been published.",
        ))]));
        return blocks;
    }
    blocks.push(Block::Paragraph(vec![Span::plain(t(
        lang,
        "Het gemiddelde effect over de gebieden waarvan de trends vóór de start gelijk liepen met hun vergelijkingsbuurten; \
         de onzekerheid komt uit gemiddelden van placebogebieden. Per gebied staat de meting in zijn analyserapport en op \
         het dashboard.",
        "The mean effect over the areas whose trends before the start ran alike with their comparison buurten; the \
         uncertainty comes from means of placebo areas. Per area, the analysis is in its analysis report and on the dashboard.",
    ))]));
    let rows = snap
        .effects
        .pooled
        .iter()
        .filter_map(|(id, p)| {
            let ind = snap.indicator(id)?;
            let d = decimals(ind);
            let verdict = match effects::better(p.verdict(), ind.direction) {
                _ if p.verdict() == wijkmonitor_effect::Verdict::NoEffect => {
                    t(lang, "geen aantoonbaar effect", "no demonstrable effect")
                }
                Some(true) => t(lang, "verbeterd", "improved"),
                Some(false) => t(lang, "verslechterd", "worsened"),
                None => t(lang, "veranderd", "changed"),
            };
            Some(vec![
                format!("{} ({})", lang.t(&ind.name_nl, &ind.name_en), ind.unit),
                p.did.as_ref().map_or(0, |d| d.areas).to_string(),
                pooled_cell(p.did.as_ref(), d, lang),
                pooled_cell(p.sdid.as_ref(), d, lang),
                verdict.to_string(),
            ])
        })
        .collect();
    blocks.push(Block::Table {
        header: vec![
            "Indicator".into(),
            t(lang, "Gebieden", "Areas").into(),
            t(lang, "Verschil-in-verschillen", "Difference-in-differences").into(),
            t(lang, "Synthetisch", "Synthetic").into(),
            t(lang, "Oordeel", "Verdict").into(),
        ],
        rows,
        widths: vec![3.0, 1.0, 2.2, 2.2, 1.6],
        align_right: vec![false, true, true, true, false],
    });
    blocks
}
