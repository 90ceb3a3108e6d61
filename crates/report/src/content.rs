//! The content of the reports, built from the dashboard's snapshot of disclosure-controlled figures (the same
//! data and indicator references the dashboard's view models use), as a [`Document`] that renders to both PDF
//! and HTML.

use crate::charts::{self, Series};
use crate::summary::{format_value, movement, sentence, Facts, Interval, Lang, Movement};
use wijkmonitor_model::catalogue::{ActionLine, Direction, Indicator, Supplier, Tier};
use wijkmonitor_model::comparison::GapTrend;
use wijkmonitor_model::{Period, Status};
use wijkmonitor_pdf::{Block, Document, Span};
use wijkmonitor_readmodel::geo::Projection;
use wijkmonitor_readmodel::snapshot::{AreaInfo, Snapshot, ALL_AREAS, NETHERLANDS};

/// A report could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportError(pub String);

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReportError {}

fn t<'a>(lang: Lang, nl: &'a str, en: &'a str) -> &'a str {
    lang.t(nl, en)
}

/// A table of an area's published figures of the indicators a supplier provides (the register or the area's own
/// request): per indicator the latest period with a number. `None` when there is none.
fn supplied_table(snap: &Snapshot, area: &str, supplier: Supplier, year: i32, lang: Lang) -> Option<Block> {
    let rows: Vec<Vec<String>> =
        snap.catalogue
            .indicators
            .iter()
            .filter(|i| i.supplied_by == supplier)
            .filter_map(|ind| {
                let series = snap.series(area, &ind.id)?;
                // The latest figure up to the report's year: a report on 2024 does not quote 2026.
                let p = series.iter().enumerate().rposition(|(p, f)| {
                    snap.periods[p].year() <= year && f.as_ref().is_some_and(|f| f.value.is_some())
                })?;
                let value = series[p].as_ref()?.value?;
                Some(vec![
                    name(ind, lang).to_string(),
                    snap.periods[p].to_string(),
                    format_value(value, ind.decimals, lang),
                    ind.unit.clone(),
                ])
            })
            .collect();
    if rows.is_empty() {
        return None;
    }
    Some(Block::Table {
        header: vec![
            t(lang, "Indicator", "Indicator").into(),
            t(lang, "Jaar", "Year").into(),
            t(lang, "Waarde", "Value").into(),
            t(lang, "Eenheid", "Unit").into(),
        ],
        rows,
        widths: vec![4.0, 1.0, 1.2, 1.5],
        align_right: vec![false, false, true, false],
    })
}

fn name(ind: &Indicator, lang: Lang) -> &str {
    t(lang, &ind.name_nl, &ind.name_en)
}

fn line_name(line: ActionLine, lang: Lang) -> &'static str {
    t(lang, line.name_nl(), line.name_en())
}

fn p(text: impl Into<String>) -> Block {
    Block::Paragraph(vec![Span::plain(text)])
}

fn h(level: u8, text: impl Into<String>) -> Block {
    Block::Heading { level, text: text.into() }
}

/// Everything both reports need: the year's period index, the base year's, and the years shown in charts.
struct Frame<'a> {
    snap: &'a Snapshot,
    lang: Lang,
    year: i32,
    p: usize,
    base_year: i32,
    base_p: Option<usize>,
    /// Period indexes and years of the yearly periods from the base year up to the report year.
    years: Vec<(usize, i32)>,
}

impl<'a> Frame<'a> {
    fn new(snap: &'a Snapshot, year: i32, lang: Lang) -> Result<Frame<'a>, ReportError> {
        let p = snap.periods.iter().position(|x| *x == Period::Year(year)).ok_or_else(|| {
            let years: Vec<String> = snap.periods.iter().map(|p| p.to_string()).collect();
            ReportError(format!("the database has no figures for {year}; years with figures: {}", years.join(", ")))
        })?;
        // The base year the engine compared against, as stored with the comparisons.
        let base_year = snap
            .areas
            .iter()
            .flat_map(|a| snap.catalogue.indicators.iter().map(move |i| (a, i)))
            .find_map(|(a, i)| snap.comparison(&a.id, &i.id, p).map(|c| c.base_year))
            .unwrap_or(2018);
        let base_p = snap.periods.iter().position(|x| *x == Period::Year(base_year));
        let years = snap
            .periods
            .iter()
            .enumerate()
            .filter_map(|(i, per)| match per {
                Period::Year(y) if *y >= base_year.min(year) && *y <= year => Some((i, *y)),
                _ => None,
            })
            .collect();
        Ok(Frame { snap, lang, year, p, base_year, base_p, years })
    }

    fn value(&self, target: &str, indicator: &str, p: usize) -> Option<f64> {
        self.snap.fig(target, indicator, p).and_then(|f| f.value)
    }

    fn status(&self, target: &str, indicator: &str, p: usize) -> Status {
        self.snap.fig(target, indicator, p).map_or(Status::Missing, |f| f.status)
    }

    fn fmt(&self, x: Option<f64>, ind: &Indicator) -> String {
        match x {
            Some(x) => format_value(x, ind.decimals, self.lang),
            None => "–".to_string(),
        }
    }

    /// A figure as a table cell: the number, or why there is none.
    fn cell(&self, target: &str, ind: &Indicator, p: usize) -> String {
        match self.snap.fig(target, &ind.id, p) {
            Some(f) if f.value.is_some() => self.fmt(f.value, ind),
            Some(f) if f.status == Status::Secret => t(self.lang, "geheim", "secret").to_string(),
            Some(f) if f.status == Status::NotYetPublished => t(self.lang, "nog niet", "not yet").to_string(),
            _ => "–".to_string(),
        }
    }

    fn facts(&'a self, area: &str, ind: &'a Indicator) -> Facts<'a> {
        let c = self.snap.comparison(area, &ind.id, self.p);
        Facts {
            name: name(ind, self.lang),
            unit: &ind.unit,
            direction: ind.direction,
            decimals: ind.decimals,
            year: self.year,
            value: self.value(area, &ind.id, self.p),
            status: self.status(area, &ind.id, self.p),
            base_year: self.base_year,
            base_value: self.base_p.and_then(|b| self.value(area, &ind.id, b)),
            previous_value: c.and_then(|c| c.previous_value),
            gap_to_netherlands: c.and_then(|c| c.gap_to_netherlands),
            gap_to_netherlands_base: c.and_then(|c| c.gap_to_netherlands_base),
            since_base: c.and_then(|c| Interval::of(c.change_since_base_lower, c.change_since_base_upper)),
            since_previous: c.and_then(|c| Interval::of(c.change_since_previous_lower, c.change_since_previous_upper)),
        }
    }

    /// The indicators with any published figure for the target, in catalogue order.
    fn indicators_with_figures(&self, target: &str) -> Vec<&'a Indicator> {
        self.snap
            .catalogue
            .indicators
            .iter()
            .filter(|i| self.snap.series(target, &i.id).is_some_and(|s| s.iter().any(|f| f.is_some())))
            .collect()
    }

    fn trend_figure(&self, ind: &Indicator, lines: &[(&str, &str, wijkmonitor_pdf::Rgb, f32)]) -> Block {
        let years: Vec<i32> = self.years.iter().map(|(_, y)| *y).collect();
        let series: Vec<Series<'_>> = lines
            .iter()
            .map(|(target, label, colour, width)| Series {
                label,
                colour: *colour,
                width: *width,
                values: self.years.iter().map(|(p, _)| self.value(target, &ind.id, *p)).collect(),
            })
            .collect();
        let described: Vec<String> = series
            .iter()
            .map(|s| {
                let first = years.iter().zip(&s.values).find_map(|(y, v)| v.map(|v| (y, v)));
                let last = years.iter().zip(&s.values).rev().find_map(|(y, v)| v.map(|v| (y, v)));
                match (first, last) {
                    (Some((y0, v0)), Some((y1, v1))) => format!(
                        "{}: {} ({y0}) {} {} ({y1})",
                        s.label,
                        format_value(v0, ind.decimals, self.lang),
                        t(self.lang, "naar", "to"),
                        format_value(v1, ind.decimals, self.lang)
                    ),
                    _ => format!("{}: {}", s.label, t(self.lang, "geen cijfers", "no figures")),
                }
            })
            .collect();
        Block::Figure {
            graphic: charts::trend(&years, &series, ind.decimals, self.lang),
            alt: format!("{} ({}). {}", name(ind, self.lang), ind.unit, described.join("; ")),
            caption: format!(
                "{} ({}), {}–{}",
                name(ind, self.lang),
                ind.unit,
                years.first().unwrap_or(&self.year),
                self.year
            ),
        }
    }

    fn title_page(&self, title: String, subtitle: Vec<String>) -> Vec<Block> {
        let mut blocks = vec![h(1, title)];
        for line in subtitle {
            blocks.push(p(line));
        }
        if self.snap.demo.as_deref() == Some("synthetic") {
            blocks.push(Block::Paragraph(vec![Span::bold(t(
                self.lang,
                "SYNTHETISCHE DEMODATA: de cijfers in dit rapport zijn verzonnen en dienen alleen om het rapport te tonen.",
                "SYNTHETIC DEMO DATA: the figures in this report are made up and serve only to show the report.",
            ))]));
        }
        if self.snap.delineation_indicative {
            blocks.push(p(t(
                self.lang,
                "De afbakening van de focusgebieden is indicatief, niet de officiële afbakening van het programma.",
                "The delineation of the focus areas is indicative, not the programme's official delineation.",
            )));
        }
        blocks.push(Block::PageBreak);
        blocks.push(Block::TableOfContents);
        blocks.push(Block::PageBreak);
        blocks
    }

    /// Sources, definitions, disclosure control and the colophon with the data versions used.
    fn appendix(&self, indicators: &[&Indicator]) -> Vec<Block> {
        let lang = self.lang;
        let mut blocks =
            vec![h(1, t(lang, "Bronnen, definities en geheimhouding", "Sources, definitions and disclosure control"))];
        blocks.push(h(2, t(lang, "Definities", "Definitions")));
        blocks.push(Block::Table {
            header: vec![
                t(lang, "Indicator", "Indicator").into(),
                t(lang, "Definitie", "Definition").into(),
                t(lang, "Bron", "Source").into(),
            ],
            rows: indicators
                .iter()
                .map(|i| {
                    vec![
                        name(i, lang).to_string(),
                        t(lang, &i.definition_nl, &i.definition_en).to_string(),
                        i.source.clone(),
                    ]
                })
                .collect(),
            widths: vec![2.0, 5.0, 2.0],
            align_right: vec![false, false, false],
        });
        blocks.push(h(2, t(lang, "Geheimhouding", "Disclosure control")));
        blocks.push(p(t(
            lang,
            "Alle cijfers zijn na samenvoegen opnieuw getoetst aan de drempels van het CBS voor wijken en buurten. \
             Een cijfer dat niet is gepubliceerd staat als 'geheim' in de tabellen; soms is een tweede cijfer \
             weggelaten zodat het eerste niet door aftrekken te berekenen is.",
            "All figures were checked again against CBS's thresholds for districts and neighbourhoods after \
             aggregation. A figure that is not published shows as 'secret' in the tables; sometimes a second figure \
             was withheld so that the first cannot be computed by subtraction.",
        )));
        blocks.push(Block::Bullets(
            self.snap
                .rules
                .rules
                .iter()
                .filter(|r| r.id != "none")
                .map(|r| vec![Span::plain(t(lang, &r.description_nl, &r.description_en))])
                .collect(),
        ));
        blocks.push(h(2, t(lang, "Colofon", "Colophon")));
        if let Some(run) = &self.snap.run {
            blocks.push(p(format!(
                "{} {} ({} {}, {} {}).",
                t(lang, "Berekening", "Computation"),
                run.id,
                t(lang, "parameters", "parameters"),
                &run.parameters_sha256[..run.parameters_sha256.len().min(12)],
                t(lang, "afbakening", "delineation"),
                self.snap.delineation_source
            )));
        }
        blocks.push(Block::Table {
            header: vec![
                t(lang, "Import", "Import").into(),
                t(lang, "Bestand", "File").into(),
                t(lang, "Tabel", "Table").into(),
                t(lang, "Indeling", "Classification").into(),
                "SHA-256".into(),
            ],
            rows: self
                .snap
                .imports
                .values()
                .map(|i| {
                    vec![
                        i.id.to_string(),
                        i.source_name.clone(),
                        i.source_table.clone().unwrap_or_default(),
                        i.classification_year.map(|y| y.to_string()).unwrap_or_default(),
                        i.sha256[..i.sha256.len().min(16)].to_string(),
                    ]
                })
                .collect(),
            widths: vec![1.0, 4.0, 2.0, 1.5, 3.0],
            align_right: vec![true, false, false, true, false],
        });
        blocks.push(p("Bron: CBS (CC BY 4.0); Leefbaarometer 3.0, Ministerie van BZK; Politie. wijkmonitor."));
        blocks
    }
}

const COLOUR_WIDTHS: f32 = 1.6;

/// The data-analysis report of one focus area for one year.
pub fn area_report(snap: &Snapshot, area_id: &str, year: i32, lang: Lang) -> Result<Document, ReportError> {
    let area: &AreaInfo = snap.area(area_id).ok_or_else(|| {
        let ids: Vec<&str> = snap.areas.iter().map(|a| a.id.as_str()).collect();
        ReportError(format!("no area '{area_id}'; areas: {}", ids.join(", ")))
    })?;
    let f = Frame::new(snap, year, lang)?;
    let rest = format!("rest:{}", area.id);
    let rest_label = format!("{} {}", t(lang, "Rest van", "Rest of"), area.municipality_name);
    let mut blocks = f.title_page(
        format!("{} {} — {}", t(lang, "Analyserapport", "Analysis report"), area.name, year),
        vec![
            format!("{}: {} ({})", t(lang, "Gemeente", "Municipality"), area.municipality_name, area.municipality),
            format!(
                "{}: {} ({} {}, {})",
                t(lang, "Afbakening", "Delineation"),
                snap.delineation_source,
                area.buurten.as_ref().map_or(0, |b| b.len()),
                t(lang, "buurten", "buurten"),
                area.classification_year
                    .map_or(String::new(), |y| format!("{} {y}", t(lang, "indeling", "classification")))
            ),
            t(lang, "Nationaal Programma Leefbaarheid en Veiligheid", "National Programme Liveability and Safety")
                .to_string(),
        ],
    );

    // Summary.
    let indicators = f.indicators_with_figures(&area.id);
    blocks.push(h(1, t(lang, "Samenvatting", "Summary")));
    blocks.push(p(format!(
        "{} {} {} {} {} {}.",
        t(lang, "Dit rapport vergelijkt", "This report compares"),
        area.name,
        t(lang, "met Nederland, met de rest van", "with the Netherlands, with the rest of"),
        area.municipality_name,
        t(
            lang,
            "en met de andere focusgebieden, en volgt de ontwikkeling sinds",
            "and with the other focus areas, and follows the development since"
        ),
        f.base_year
    )));
    blocks.push(p(t(
        lang,
        "Een verandering heet alleen een verbetering of verslechtering als zij aantoonbaar is: als het 95%-interval \
         uit het telmodel van het cijfer (Poisson voor aantallen, binomiaal voor aandelen, de spreiding over de buurten \
         voor gemiddelden) nul uitsluit. Of een verandering door het programma komt, staat in het hoofdstuk Effect van \
         het programma.",
        "A change is only called an improvement or deterioration when it is demonstrable: when the 95% interval from \
         the figure's counting model (Poisson for counts, binomial for shares, the spread over the buurten for \
         averages) excludes zero. Whether a change came about because of the programme is in the chapter Effect of \
         the programme.",
    )));
    let mut headline: Vec<Vec<Span>> = Vec::new();
    let mut moved: Vec<Vec<Span>> = Vec::new();
    for ind in &indicators {
        let facts = f.facts(&area.id, ind);
        let text = sentence(&facts, lang);
        if ind.headline {
            headline.push(vec![Span::plain(text)]);
        } else if ind.tier == Tier::Effect {
            let m = movement(ind.direction, facts.base_value, facts.value, facts.since_base);
            if matches!(m, Movement::Improved | Movement::Worsened) {
                moved.push(vec![Span::plain(text)]);
            }
        }
    }
    blocks.push(h(2, t(lang, "Kerncijfers", "Headline indicators")));
    blocks.push(if headline.is_empty() {
        p(t(lang, "Geen cijfers.", "No figures."))
    } else {
        Block::Bullets(headline)
    });
    blocks.push(h(2, t(lang, "Andere effecten die veranderden", "Other effects that changed")));
    blocks.push(if moved.is_empty() {
        p(t(
            lang,
            "Geen andere effectindicator veranderde aantoonbaar.",
            "No other effect indicator changed demonstrably.",
        ))
    } else {
        Block::Bullets(moved)
    });

    blocks.extend(crate::effects::area_chapter(snap, &area.id, lang));

    // One section per action line.
    for line in ActionLine::ALL {
        let in_line: Vec<&&Indicator> = indicators.iter().filter(|i| i.action_line == line).collect();
        if in_line.is_empty() {
            continue;
        }
        blocks.push(h(1, format!("{}: {}", t(lang, "Actielijn", "Action line"), line_name(line, lang))));
        let header = vec![
            t(lang, "Indicator", "Indicator").to_string(),
            year.to_string(),
            f.base_year.to_string(),
            t(lang, "Nederland", "Netherlands").to_string(),
            t(lang, "Rest gemeente", "Rest of municipality").to_string(),
            t(lang, "Rang", "Rank").to_string(),
        ];
        let rows = in_line
            .iter()
            .map(|ind| {
                let c = snap.comparison(&area.id, &ind.id, f.p);
                vec![
                    format!("{} ({})", name(ind, lang), ind.unit),
                    f.cell(&area.id, ind, f.p),
                    f.base_p.map_or("–".into(), |b| f.cell(&area.id, ind, b)),
                    f.cell(NETHERLANDS, ind, f.p),
                    f.cell(&rest, ind, f.p),
                    match c.and_then(|c| c.rank) {
                        Some(r) if ind.direction != Direction::Neutral => {
                            format!("{r}/{}", c.map_or(0, |c| c.n_ranked))
                        }
                        _ => "–".into(),
                    },
                ]
            })
            .collect();
        blocks.push(Block::Table {
            header,
            rows,
            widths: vec![5.0, 1.4, 1.4, 1.6, 1.8, 1.0],
            align_right: vec![false, true, true, true, true, true],
        });
        for ind in
            in_line.iter().filter(|i| i.headline || (i.tier == Tier::Effect && i.supplied_by == Supplier::National))
        {
            blocks.push(f.trend_figure(
                ind,
                &[
                    (&area.id, &area.name, charts::AREA, 2.2),
                    (NETHERLANDS, t(lang, "Nederland", "Netherlands"), charts::NETHERLANDS, COLOUR_WIDTHS),
                    (&rest, &rest_label, charts::REST, 1.0),
                    (ALL_AREAS, t(lang, "Alle focusgebieden", "All focus areas"), charts::ALL_AREAS, 1.2),
                ],
            ));
        }
    }

    blocks.push(h(1, t(lang, "Programmaregister", "Programme register")));
    match supplied_table(snap, &area.id, Supplier::Register, year, lang) {
        Some(table) => {
            blocks.push(p(t(
                lang,
                "Gepubliceerde cijfers uit het programmaregister (Woontop, Realisatiestimulans, Volkshuisvestingsfonds), \
                 laatste jaar met een cijfer. De bron van elk cijfer staat in de verantwoording.",
                "Published figures from the programme register (Woontop, Realisatiestimulans, Volkshuisvestingsfonds), \
                 latest year with a figure. The source of every figure is in the annex on sources.",
            )));
            blocks.push(table);
        }
        None => blocks.push(p(t(
            lang,
            "Voor dit gebied zijn nog geen cijfers uit het programmaregister gepubliceerd.",
            "No figures from the programme register have been published for this area yet.",
        ))),
    }
    blocks.push(h(1, t(lang, "Uitvraag", "Yearly request")));
    match supplied_table(snap, &area.id, Supplier::Area, year, lang) {
        Some(table) => {
            blocks.push(p(t(
                lang,
                "Door het gebied zelf aangeleverde en door het programma geaccepteerde en gepubliceerde cijfers, \
                 laatste jaar met een cijfer.",
                "Figures supplied by the area itself, accepted and published by the programme, latest year with a figure.",
            )));
            blocks.push(table);
        }
        None => blocks.push(p(t(
            lang,
            "Er zijn nog geen gepubliceerde antwoorden van dit gebied op de uitvraag.",
            "There are no published answers of this area to the yearly request yet.",
        ))),
    }

    blocks.push(h(1, t(lang, "Kaart", "Map")));
    blocks.push(map_figure(snap, &area.municipality, &area.municipality_name, lang));
    if let Some(buurten) = &area.buurten {
        blocks.push(h(2, t(lang, "Buurten in de afbakening", "Buurten in the delineation")));
        blocks.push(Block::Table {
            header: vec![t(lang, "Code", "Code").into(), t(lang, "Naam", "Name").into()],
            rows: buurten.iter().map(|(code, name)| vec![code.clone(), name.clone()]).collect(),
            widths: vec![1.0, 3.0],
            align_right: vec![false, false],
        });
    }
    let unmatched: Vec<String> = snap
        .unmatched
        .iter()
        .filter(|u| u.area == area.id && u.period == year.to_string())
        .map(|u| {
            format!(
                "{} {} {}{}",
                u.buurten.len(),
                t(lang, "buurten zonder cijfers in", "buurten without figures in"),
                u.period,
                u.population_share.map_or(String::new(), |s| format!(
                    " ({:.1}% {})",
                    100.0 * s,
                    t(lang, "van de inwoners", "of the inhabitants")
                ))
            )
        })
        .collect();
    if !unmatched.is_empty() {
        blocks.push(p(unmatched.join("; ")));
    }
    blocks.extend(f.appendix(&indicators));
    Ok(document(snap, format!("{} {} {}", t(lang, "Analyserapport", "Analysis report"), area.name, year), blocks, lang))
}

/// The national progress report: all areas together against the Netherlands, all areas per headline
/// indicator, scheme progress and an annex per area.
pub fn national_report(snap: &Snapshot, year: i32, lang: Lang) -> Result<Document, ReportError> {
    let f = Frame::new(snap, year, lang)?;
    let mut blocks = f.title_page(
        format!("{} {}", t(lang, "Voortgangsrapportage focusgebieden", "Progress report focus areas"), year),
        vec![t(lang, "Nationaal Programma Leefbaarheid en Veiligheid", "National Programme Liveability and Safety")
            .to_string()],
    );
    let headline: Vec<&Indicator> =
        snap.catalogue.indicators.iter().filter(|i| i.headline && snap.has_figures(&i.id)).collect();
    blocks.push(h(1, t(lang, "Alle focusgebieden samen", "All focus areas together")));
    blocks.push(p(t(
        lang,
        "De twintig focusgebieden samen vergeleken met Nederland, sinds het basisjaar. Cijfers voor alle gebieden samen \
         middelen verschillen uit; de bijlage per gebied laat zien waar het anders gaat.",
        "The twenty focus areas together compared with the Netherlands, since the base year. Figures for all areas \
         together average differences out; the annex per area shows where things differ.",
    )));
    let mut header = vec![t(lang, "Indicator", "Indicator").to_string()];
    for (_, y) in &f.years {
        header.push(y.to_string());
    }
    let mut rows = Vec::new();
    for ind in &headline {
        for (target, label) in
            [(ALL_AREAS, t(lang, "focusgebieden", "focus areas")), (NETHERLANDS, t(lang, "Nederland", "Netherlands"))]
        {
            let mut row = vec![format!("{} ({}), {label}", name(ind, lang), ind.unit)];
            row.extend(f.years.iter().map(|(p, _)| f.cell(target, ind, *p)));
            rows.push(row);
        }
    }
    let n_cols = header.len();
    let mut widths = vec![4.0];
    widths.extend(std::iter::repeat_n(1.0, n_cols - 1));
    blocks.push(Block::Table { header, rows, widths, align_right: (0..n_cols).map(|i| i > 0).collect() });
    for ind in &headline {
        blocks.push(f.trend_figure(
            ind,
            &[
                (ALL_AREAS, t(lang, "Alle focusgebieden", "All focus areas"), charts::ALL_AREAS, 2.2),
                (NETHERLANDS, t(lang, "Nederland", "Netherlands"), charts::NETHERLANDS, COLOUR_WIDTHS),
            ],
        ));
    }

    blocks.extend(crate::effects::national_chapter(snap, lang));

    blocks.push(h(1, t(lang, "De focusgebieden per kerncijfer", "The focus areas per headline indicator")));
    for ind in &headline {
        blocks.push(h(2, name(ind, lang).to_string()));
        let mut rows: Vec<(String, Option<f64>, Vec<String>)> = snap
            .areas
            .iter()
            .map(|a| {
                let c = snap.comparison(&a.id, &ind.id, f.p);
                let v = f.value(&a.id, &ind.id, f.p);
                (
                    a.name.clone(),
                    v,
                    vec![
                        a.name.clone(),
                        f.cell(&a.id, ind, f.p),
                        f.base_p.map_or("–".into(), |b| f.cell(&a.id, ind, b)),
                        f.fmt(c.and_then(|c| c.gap_to_netherlands), ind),
                        c.and_then(|c| c.gap_trend).map_or("–".into(), |g| gap_word(g, lang).to_string()),
                    ],
                )
            })
            .collect();
        // Best first by the indicator's direction; areas without a figure last, by name.
        rows.sort_by(|a, b| match (a.1, b.1) {
            (Some(x), Some(y)) => match ind.direction {
                Direction::LowerIsBetter => x.total_cmp(&y),
                _ => y.total_cmp(&x),
            }
            .then(a.0.cmp(&b.0)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.0.cmp(&b.0),
        });
        let bars: Vec<(String, f64)> = rows.iter().filter_map(|r| r.1.map(|v| (r.0.clone(), v))).collect();
        blocks.push(Block::Table {
            header: vec![
                t(lang, "Gebied", "Area").into(),
                year.to_string(),
                f.base_year.to_string(),
                t(lang, "Verschil met NL", "Gap to NL").into(),
                t(lang, "Verschil sinds basisjaar", "Gap since base year").into(),
            ],
            rows: rows.into_iter().map(|r| r.2).collect(),
            widths: vec![3.0, 1.2, 1.2, 1.5, 2.0],
            align_right: vec![false, true, true, true, false],
        });
        if !bars.is_empty() {
            blocks.push(Block::Figure {
                alt: format!(
                    "{} {year}: {}",
                    name(ind, lang),
                    bars.iter()
                        .map(|(n, v)| format!("{n} {}", format_value(*v, ind.decimals, lang)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                caption: format!("{} ({}), {year}", name(ind, lang), ind.unit),
                graphic: charts::bars(&bars, None, ind.decimals, lang),
            });
        }
    }

    blocks.push(h(1, t(lang, "Voortgang van de regelingen", "Progress of the schemes")));
    blocks.push(p(t(
        lang,
        "De Woontop-afspraken mikken op 40.000 versnelde en 10.000 extra betaalbare woningen in de focusgebieden in \
         2025-2029. Hieronder de gepubliceerde cijfers uit het programmaregister voor alle focusgebieden samen; een \
         totaal ontbreekt zolang te weinig gebieden een cijfer hebben.",
        "The Woontop agreements aim at 40,000 accelerated and 10,000 extra affordable dwellings in the focus areas in \
         2025-2029. Below are the published figures from the programme register for all focus areas together; a total \
         is missing while too few areas have a figure.",
    )));
    match supplied_table(snap, ALL_AREAS, Supplier::Register, year, lang) {
        Some(table) => blocks.push(table),
        None => blocks.push(p(t(
            lang,
            "Er is nog geen totaal voor alle focusgebieden: te weinig gebieden hebben cijfers in het register.",
            "There is no total for all focus areas yet: too few areas have figures in the register.",
        ))),
    }

    blocks.push(h(1, t(lang, "Bijlage: de gebieden", "Annex: the areas")));
    for area in &snap.areas {
        blocks.push(h(2, format!("{} ({})", area.name, area.municipality_name)));
        let mut text = Vec::new();
        for ind in &headline {
            text.push(vec![Span::plain(sentence(&f.facts(&area.id, ind), lang))]);
        }
        blocks.push(Block::Bullets(text));
    }
    blocks.extend(f.appendix(&headline));
    Ok(document(
        snap,
        format!("{} {year}", t(lang, "Voortgangsrapportage focusgebieden", "Progress report focus areas")),
        blocks,
        lang,
    ))
}

fn gap_word(trend: GapTrend, lang: Lang) -> &'static str {
    match trend {
        GapTrend::Closing => lang.t("kleiner", "narrowing"),
        GapTrend::Widening => lang.t("groter", "widening"),
        GapTrend::Unchanged => lang.t("gelijk", "unchanged"),
    }
}

/// The Netherlands with one municipality highlighted, from the embedded municipality outlines.
fn map_figure(snap: &Snapshot, municipality: &str, municipality_name: &str, lang: Lang) -> Block {
    let outlines = &snap.outlines.features;
    let width = 300.0f32;
    let projection = Projection::fit_with_margin(outlines.iter().flat_map(|o| o.rings.iter()), f64::from(width), 0.0);
    let height = projection.height as f32;
    let project = |lon: f64, lat: f64| {
        let (x, y) = projection.project(lon, lat);
        (x as f32, y as f32)
    };
    let mut polygons = Vec::new();
    let mut label = None;
    for o in outlines {
        let hit = o.code == municipality;
        for ring in &o.rings {
            // Drop points closer than about a point to the previous one: invisible at this size, and they would
            // make the HTML and PDF several times larger.
            let mut points: Vec<(f32, f32)> = Vec::with_capacity(ring.len());
            for [lon, lat] in ring {
                let q = project(*lon, *lat);
                if points.last().is_none_or(|&(x, y): &(f32, f32)| (x - q.0).abs() + (y - q.1).abs() >= 0.8) {
                    points.push(q);
                }
            }
            if points.len() < 3 {
                continue;
            }
            if hit && label.is_none() {
                if let Some(&(x, y)) = points.first() {
                    label = Some((x + 6.0, y, municipality_name.to_string()));
                }
            }
            polygons.push((points, hit));
        }
    }
    Block::Figure {
        graphic: charts::map(width, height, &polygons, label),
        alt: format!(
            "{} {municipality_name} {}",
            t(lang, "Kaart van Nederland met de gemeente", "Map of the Netherlands with the municipality"),
            t(lang, "gemarkeerd", "highlighted")
        ),
        caption: format!("{municipality_name}. {}", wijkmonitor_readmodel::geo::OUTLINES_ATTRIBUTION),
    }
}

fn document(snap: &Snapshot, title: String, blocks: Vec<Block>, lang: Lang) -> Document {
    Document {
        title,
        author: "wijkmonitor".to_string(),
        lang: t(lang, "nl", "en").to_string(),
        // The date of the computation, not of the rendering, so the same database gives the same report.
        created: snap.run.as_ref().map_or("2000-01-01".to_string(), |r| r.computed_at.chars().take(10).collect()),
        blocks,
        page_label: t(lang, "Pagina", "Page").to_string(),
        toc_title: t(lang, "Inhoud", "Contents").to_string(),
    }
}
