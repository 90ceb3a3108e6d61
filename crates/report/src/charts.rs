//! Vector charts and maps for the reports, as [`Graphic`]s that render both to PDF paths and to inline SVG.
//! Colours are the Okabe–Ito palette, which stays distinguishable for colour-blind readers; every series also
//! differs in line width, and every chart has a text alternative written by the caller.

use crate::summary::{format_value, Lang};
use wijkmonitor_pdf::{Anchor, Graphic, Rgb, Shape};

/// Okabe–Ito blue, orange, bluish green and vermillion.
pub const AREA: Rgb = Rgb(0, 114, 178);
pub const NETHERLANDS: Rgb = Rgb(230, 159, 0);
pub const ALL_AREAS: Rgb = Rgb(0, 158, 115);
pub const REST: Rgb = Rgb(213, 94, 0);
const GRID: Rgb = Rgb(210, 210, 210);
const INK: Rgb = Rgb(40, 40, 40);

/// One line of a trend chart: its label, colour, width and the values per year (gaps where missing).
pub struct Series<'a> {
    pub label: &'a str,
    pub colour: Rgb,
    pub width: f32,
    pub values: Vec<Option<f64>>,
}

fn text(x: f32, y: f32, size: f32, text: String, anchor: Anchor) -> Shape {
    Shape::Text { x, y, size, text, bold: false, anchor, fill: INK }
}

/// A line chart over years with a legend. `years` label the x axis.
pub fn trend(years: &[i32], series: &[Series<'_>], decimals: u8, lang: Lang) -> Graphic {
    let (width, height) = (460.0f32, 190.0f32);
    let (left, right, top, bottom) = (48.0f32, 12.0f32, 12.0f32, 44.0f32);
    let values: Vec<f64> = series.iter().flat_map(|s| s.values.iter().flatten().copied()).collect();
    let mut items = Vec::new();
    if values.is_empty() || years.is_empty() {
        items.push(text(width / 2.0, height / 2.0, 9.0, no_figures(lang).to_string(), Anchor::Middle));
        return Graphic { width, height, items };
    }
    let (mut lo, mut hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
    if lo > 0.0 && lo < hi * 0.5 {
        lo = 0.0;
    }
    if (hi - lo).abs() < 1e-9 {
        hi += 1.0;
        lo -= 1.0;
    }
    let pad = (hi - lo) * 0.08;
    // Shares and counts never go below zero; the axis should not suggest they could.
    let (lo, hi) = (if lo >= 0.0 { (lo - pad).max(0.0) } else { lo - pad }, hi + pad);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let x_of =
        |i: usize| left + if years.len() > 1 { plot_w * i as f32 / (years.len() - 1) as f32 } else { plot_w / 2.0 };
    let y_of = |v: f64| top + plot_h * (1.0 - ((v - lo) / (hi - lo)) as f32);
    for k in 0..=4 {
        let v = lo + (hi - lo) * f64::from(k) / 4.0;
        let y = y_of(v);
        items.push(Shape::Line { from: (left, y), to: (width - right, y), stroke: GRID, width: 0.5 });
        items.push(text(left - 4.0, y + 3.0, 7.0, format_value(v, decimals, lang), Anchor::End));
    }
    for (i, year) in years.iter().enumerate() {
        items.push(text(x_of(i), top + plot_h + 12.0, 7.0, year.to_string(), Anchor::Middle));
    }
    for s in series {
        // Draw connected runs; a missing year breaks the line rather than bridging it.
        let mut run: Vec<(f32, f32)> = Vec::new();
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => run.push((x_of(i), y_of(*v))),
                None => flush(&mut run, &mut items, s),
            }
        }
        flush(&mut run, &mut items, s);
    }
    // Legend under the axis.
    let mut x = left;
    for s in series {
        let y = height - 10.0;
        items.push(Shape::Line { from: (x, y - 3.0), to: (x + 14.0, y - 3.0), stroke: s.colour, width: s.width });
        items.push(text(x + 18.0, y, 7.5, s.label.to_string(), Anchor::Start));
        x += 26.0 + 4.6 * s.label.chars().count() as f32;
    }
    Graphic { width, height, items }
}

fn flush(run: &mut Vec<(f32, f32)>, items: &mut Vec<Shape>, s: &Series<'_>) {
    match run.len() {
        0 => {}
        1 => {
            let (x, y) = run[0];
            items.push(Shape::Rect { x: x - 1.5, y: y - 1.5, w: 3.0, h: 3.0, fill: Some(s.colour), stroke: None });
        }
        _ => items.push(Shape::Polyline { points: run.clone(), stroke: s.colour, width: s.width }),
    }
    run.clear();
}

/// A horizontal bar chart of labelled values, highlighting one label.
pub fn bars(rows: &[(String, f64)], highlight: Option<&str>, decimals: u8, lang: Lang) -> Graphic {
    let width = 460.0f32;
    let row_h = 13.0f32;
    let label_w = 170.0f32;
    let height = 8.0 + row_h * rows.len() as f32;
    let mut items = Vec::new();
    let max = rows.iter().map(|r| r.1.abs()).fold(0.0f64, f64::max).max(1e-9);
    for (k, (label, v)) in rows.iter().enumerate() {
        let y = 4.0 + row_h * k as f32;
        let w = ((width - label_w - 50.0) as f64 * v.abs() / max) as f32;
        let colour = if Some(label.as_str()) == highlight { AREA } else { Rgb(160, 190, 215) };
        items.push(text(label_w - 4.0, y + 9.0, 7.5, label.clone(), Anchor::End));
        items.push(Shape::Rect {
            x: label_w,
            y: y + 1.0,
            w: w.max(0.5),
            h: row_h - 3.0,
            fill: Some(colour),
            stroke: None,
        });
        items.push(text(label_w + w + 4.0, y + 9.0, 7.5, format_value(*v, decimals, lang), Anchor::Start));
    }
    Graphic { width, height, items }
}

/// A map of polygons (already projected to the graphic's coordinates), one of them highlighted.
pub fn map(
    width: f32,
    height: f32,
    polygons: &[(Vec<(f32, f32)>, bool)],
    label: Option<(f32, f32, String)>,
) -> Graphic {
    let mut items: Vec<Shape> = polygons
        .iter()
        .map(|(points, hit)| Shape::Polygon {
            points: points.clone(),
            fill: Some(if *hit { AREA } else { Rgb(235, 235, 235) }),
            stroke: Some(Rgb(255, 255, 255)),
            width: 0.3,
        })
        .collect();
    if let Some((x, y, t)) = label {
        items.push(Shape::Text { x, y, size: 8.0, text: t, bold: true, anchor: Anchor::Start, fill: INK });
    }
    Graphic { width, height, items }
}

fn no_figures(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "Geen cijfers beschikbaar",
        Lang::En => "No figures available",
    }
}
