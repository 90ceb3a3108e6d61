//! Renders a report-like sample document of about 20 pages (title, table of contents, sections with text, bullet
//! lists, tables, a line chart, a bar chart and a map) and prints how long rendering takes.
//!
//! ```text
//! cargo run --release -p wijkmonitor-pdf --example sample_report -- [OUT.pdf] [RUNS]
//! ```
//!
//! It writes the PDF (default `target/sample_report.pdf`) so that a person can look at the layout, and reports the
//! median and minimum time of RUNS renders (default 20) of the whole document, fonts subset included.

use std::time::{Duration, Instant};

use wijkmonitor_pdf::{render_with_info, Anchor, Block, Document, Graphic, Rgb, Shape, Span};

const BLUE: Rgb = Rgb::hex(0x1f5f8b);
const ORANGE: Rgb = Rgb::hex(0xc8641e);
const GREY: Rgb = Rgb::hex(0x777777);
const LIGHT: Rgb = Rgb::hex(0xdddddd);
const DARK: Rgb = Rgb::hex(0x222222);

fn label(x: f32, y: f32, text: String, anchor: Anchor) -> Shape {
    Shape::Text { x, y, size: 8.0, text, bold: false, anchor, fill: DARK }
}

/// A line chart of an indicator for an area against the Netherlands, 2018-2026.
fn line_chart(seed: f32) -> Graphic {
    let (w, h, left, bottom, top) = (460.0, 220.0, 40.0, 190.0, 15.0);
    let years: Vec<u16> = (2018..=2026).collect();
    let x = |i: usize| left + i as f32 * (w - left - 20.0) / (years.len() - 1) as f32;
    let y = |v: f32| bottom - (v - 40.0) / 40.0 * (bottom - top);
    let mut items = vec![];
    for v in [40.0, 50.0, 60.0, 70.0, 80.0] {
        items.push(Shape::Line { from: (left, y(v)), to: (w - 20.0, y(v)), stroke: LIGHT, width: 0.5 });
        items.push(label(left - 4.0, y(v) + 3.0, format!("{v:.0}"), Anchor::End));
    }
    for (i, year) in years.iter().enumerate() {
        items.push(label(x(i), bottom + 14.0, year.to_string(), Anchor::Middle));
    }
    let area: Vec<(f32, f32)> =
        (0..years.len()).map(|i| (x(i), y(52.0 + seed + i as f32 * 1.7 + (i as f32 * 1.3).sin() * 2.0))).collect();
    let nl: Vec<(f32, f32)> = (0..years.len()).map(|i| (x(i), y(68.0 + i as f32 * 0.6))).collect();
    items.push(Shape::Polyline { points: area, stroke: BLUE, width: 2.0 });
    items.push(Shape::Polyline { points: nl, stroke: ORANGE, width: 2.0 });
    items.push(Shape::Rect { x: left + 10.0, y: 2.0, w: 10.0, h: 4.0, fill: Some(BLUE), stroke: None });
    items.push(label(left + 24.0, 7.0, "Focusgebied".into(), Anchor::Start));
    items.push(Shape::Rect { x: left + 100.0, y: 2.0, w: 10.0, h: 4.0, fill: Some(ORANGE), stroke: None });
    items.push(label(left + 114.0, 7.0, "Nederland".into(), Anchor::Start));
    Graphic { width: w, height: h, items }
}

/// A bar chart of scores per action line.
fn bar_chart() -> Graphic {
    let names = ["Veiligheid", "Wonen", "Onderwijs", "Werk", "Gezondheid", "Leefomgeving"];
    let (w, h) = (460.0, 180.0);
    let mut items = vec![Shape::Line { from: (110.0, 5.0), to: (110.0, 170.0), stroke: GREY, width: 0.8 }];
    for (i, name) in names.iter().enumerate() {
        let y = 10.0 + i as f32 * 26.0;
        let value = 4.5 + (i as f32 * 0.77).sin() * 2.0 + 2.0;
        items.push(label(104.0, y + 12.0, name.to_string(), Anchor::End));
        items.push(Shape::Rect { x: 110.0, y, w: value * 40.0, h: 16.0, fill: Some(BLUE), stroke: None });
        items.push(label(114.0 + value * 40.0, y + 12.0, format!("{value:.1}").replace('.', ","), Anchor::Start));
    }
    Graphic { width: w, height: h, items }
}

/// A small "map": neighbourhood polygons shaded by a value.
fn map() -> Graphic {
    let mut items = vec![];
    for row in 0..5 {
        for col in 0..7 {
            let (x, y) = (20.0 + col as f32 * 60.0, 20.0 + row as f32 * 50.0);
            let shade = ((row * 7 + col) * 37 % 100) as u8;
            let fill = Rgb(230 - shade, 240 - shade / 2, 250);
            let points =
                vec![(x, y + 5.0), (x + 30.0, y), (x + 58.0, y + 8.0), (x + 55.0, y + 48.0), (x + 3.0, y + 45.0)];
            items.push(Shape::Polygon { points, fill: Some(fill), stroke: Some(Rgb(255, 255, 255)), width: 1.0 });
        }
    }
    items.push(Shape::Text {
        x: 230.0,
        y: 290.0,
        size: 9.0,
        text: "Aandeel bewoners dat zich veilig voelt (%)".into(),
        bold: true,
        anchor: Anchor::Middle,
        fill: DARK,
    });
    Graphic { width: 460.0, height: 300.0, items }
}

fn paragraph(i: usize) -> Block {
    Block::Paragraph(vec![
        Span::plain(format!(
            "In {} is het aandeel bewoners dat zich ’s avonds veilig voelt gestegen naar ",
            ["Rotterdam-Zuid", "Den Haag Zuidwest", "Amsterdam Nieuw-West", "Utrecht Overvecht"][i % 4]
        )),
        Span::bold(format!("{},{}%", 60 + i % 17, i % 10)),
        Span::plain(
            ". De coördinatie tussen gemeente, corporaties en politie is verbeterd; de ruïneuze staat van enkele \
             portiekflats blijft een zorg. Naïeve vergelijkingen met het landelijk gemiddelde doen geen recht aan \
             de samenstelling van de bevolking, daarom vergelijken we ook met de rest van de gemeente en met de \
             andere focusgebieden. Het verschil met Nederland is kleiner geworden dan in 2018.",
        ),
    ])
}

/// The sample document: 6 chapters with text, lists, a 40-row table and figures, about 20 pages.
pub fn sample_document() -> Document {
    let mut blocks = vec![
        Block::Spacer(200.0),
        Block::Heading { level: 1, text: "Voortgangsrapportage Nationaal Programma Leefbaarheid en Veiligheid".into() },
        Block::Paragraph(vec![Span::plain("Peiljaar 2026 · alle twintig focusgebieden")]),
        Block::PageBreak,
        Block::TableOfContents,
        Block::PageBreak,
    ];
    for chapter in 1..=6 {
        blocks.push(Block::Heading { level: 1, text: format!("{chapter}. Actielijn {chapter}") });
        blocks.push(paragraph(chapter));
        blocks.push(Block::Bullets(vec![
            vec![Span::bold("Verbeterd: "), Span::plain("veiligheidsbeleving, 4,2 procentpunt boven 2018.")],
            vec![Span::bold("Verslechterd: "), Span::plain("aandeel jongeren zonder startkwalificatie.")],
            vec![Span::plain("Geen significante verandering in de overige indicatoren van deze actielijn.")],
        ]));
        blocks.push(Block::Heading { level: 2, text: format!("{chapter}.1 Ontwikkeling sinds 2018") });
        blocks.push(paragraph(chapter + 1));
        blocks.push(Block::Figure {
            graphic: line_chart(chapter as f32),
            alt: format!("Lijngrafiek: de indicator van actielijn {chapter} stijgt in het focusgebied van 2018 tot 2026 en blijft onder het Nederlandse niveau."),
            caption: format!("Figuur {chapter}.1 Ontwikkeling focusgebied en Nederland, 2018–2026"),
        });
        blocks.push(paragraph(chapter + 2));
        blocks.push(Block::Heading { level: 2, text: format!("{chapter}.2 Vergelijking per gebied") });
        blocks.push(Block::Table {
            header: vec!["Focusgebied".into(), "Gemeente".into(), "2018".into(), "2026".into(), "Verschil".into()],
            rows: (0..40)
                .map(|r| {
                    vec![
                        format!("Gebied {}", r + 1),
                        ["Rotterdam", "Den Haag", "Amsterdam", "Utrecht", "Zaanstad"][r % 5].into(),
                        format!("{},{}", 50 + r % 20, r % 10),
                        format!("{},{}", 55 + r % 18, (r * 3) % 10),
                        format!("+{},{}", r % 6, (r * 7) % 10),
                    ]
                })
                .collect(),
            widths: vec![3.0, 3.0, 1.5, 1.5, 1.5],
            align_right: vec![false, false, true, true, true],
        });
        if chapter % 2 == 0 {
            blocks.push(Block::Figure {
                graphic: bar_chart(),
                alt: "Staafdiagram van de scores per actielijn; Leefomgeving scoort het hoogst.".into(),
                caption: format!("Figuur {chapter}.2 Score per actielijn"),
            });
        } else {
            blocks.push(Block::Figure {
                graphic: map(),
                alt:
                    "Kaart van de buurten in het focusgebied, gekleurd naar het aandeel bewoners dat zich veilig voelt."
                        .into(),
                caption: format!("Figuur {chapter}.2 Veiligheidsbeleving per buurt"),
            });
        }
        blocks.push(Block::Heading { level: 3, text: "Toelichting".into() });
        blocks.push(paragraph(chapter + 3));
        blocks.push(Block::PageBreak);
    }
    Document {
        title: "Voortgangsrapportage NPLV 2026".into(),
        author: "Nationaal Programma Leefbaarheid en Veiligheid".into(),
        lang: "nl".into(),
        created: "2026-11-27".into(),
        blocks,
        page_label: "Pagina".into(),
        toc_title: "Inhoud".into(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "target/sample_report.pdf".into());
    let runs: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(20).max(1);
    let doc = sample_document();
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let rendered = render_with_info(&doc)?;
        times.push(start.elapsed());
        last = Some(rendered);
    }
    let rendered = last.ok_or("no run")?;
    std::fs::write(&out, &rendered.pdf)?;
    times.sort();
    println!(
        "{} pages, {} bytes -> {out}; render time over {runs} runs: median {:.2} ms, min {:.2} ms",
        rendered.pages,
        rendered.pdf.len(),
        times[runs / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0
    );
    Ok(())
}
