//! Inline SVG charts and maps, generated here (no charting library). Every chart is `role="img"` with a
//! `<title>` and `<desc>`, and the page next to it carries the same numbers as a (visually hidden) table.
//!
//! Colours: Okabe–Ito for categories (distinguishable with every common colour-vision deficiency) with a
//! different dash pattern per line as well, and a sequential blue scale for maps.

use crate::format;
use crate::i18n::Lang;
use maud::{html, Markup};
use wijkmonitor_readmodel::geo::{Outlines, Projection};

/// Okabe–Ito colours with at least 3:1 contrast against white (WCAG 1.4.11 for graphics).
pub const BLUE: &str = "#0072B2";
pub const VERMILLION: &str = "#D55E00";
pub const GREEN: &str = "#007A5A";
pub const BLACK: &str = "#000000";
pub const GREY: &str = "#767676";

/// Five classes of a sequential blue scale (ColorBrewer Blues), light to dark. The lightest class is still
/// clearly tinted, so it is not mistaken for white ("no figure").
pub const BLUES: [&str; 5] = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];

/// One line of a chart: a value (or a gap) per period.
pub struct Line {
    pub label: String,
    pub colour: &'static str,
    pub dash: Option<&'static str>,
    pub width: f64,
    pub values: Vec<Option<f64>>,
}

fn bounds(lines: &[Line]) -> Option<(f64, f64)> {
    let mut it = lines.iter().flat_map(|l| l.values.iter().flatten().copied());
    let first = it.next()?;
    let (mut lo, mut hi) = (first, first);
    for v in it {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if (hi - lo).abs() < 1e-9 {
        let pad = if hi.abs() > 1e-9 { hi.abs() * 0.05 } else { 1.0 };
        return Some((lo - pad, hi + pad));
    }
    let pad = (hi - lo) * 0.08;
    Some((lo - pad, hi + pad))
}

fn polyline(line: &Line, x: impl Fn(usize) -> f64, y: impl Fn(f64) -> f64) -> String {
    // A gap in the data breaks the line instead of bridging it.
    let mut d = String::new();
    let mut pen_down = false;
    for (i, v) in line.values.iter().enumerate() {
        match v {
            Some(v) => {
                d.push_str(&format!("{}{:.1} {:.1}", if pen_down { 'L' } else { 'M' }, x(i), y(*v)));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    d
}

/// A small trend chart (no axes) for tables: the lines over the periods, with a title and description.
pub fn sparkline(id: &str, lines: &[Line], title: &str, desc: &str) -> Markup {
    let (w, h, pad) = (120.0, 36.0, 4.0);
    let n = lines.iter().map(|l| l.values.len()).max().unwrap_or(0);
    let Some((lo, hi)) = bounds(lines) else {
        return html! {};
    };
    let x = |i: usize| if n <= 1 { w / 2.0 } else { pad + (w - 2.0 * pad) * i as f64 / (n - 1) as f64 };
    let y = |v: f64| h - pad - (h - 2.0 * pad) * (v - lo) / (hi - lo);
    html! {
        svg class="spark" width=(w) height=(h) viewBox=(format!("0 0 {w} {h}")) role="img"
            aria-labelledby=(format!("{id}-t {id}-d")) {
            title id=(format!("{id}-t")) { (title) }
            desc id=(format!("{id}-d")) { (desc) }
            @for line in lines {
                path d=(polyline(line, x, y)) fill="none" stroke=(line.colour) stroke-width=(line.width)
                    stroke-dasharray=[line.dash] stroke-linejoin="round" {}
                @if let Some((i, v)) = line.values.iter().enumerate().rev().find_map(|(i, v)| v.map(|v| (i, v))) {
                    circle cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(v))) r="2.5" fill=(line.colour) {}
                }
            }
        }
    }
}

/// A line chart with axes, period labels and a legend.
pub fn line_chart(
    id: &str,
    periods: &[String],
    lines: &[Line],
    decimals: u8,
    lang: Lang,
    title: &str,
    desc: &str,
) -> Markup {
    let (w, h) = (640.0, 280.0);
    let (left, right, top, bottom) = (72.0, 16.0, 16.0, 56.0);
    let Some((lo, hi)) = bounds(lines) else {
        return html! { p { (lang.t("Geen cijfers om te tekenen.", "No figures to draw.")) } };
    };
    let n = periods.len();
    let x = |i: usize| {
        if n <= 1 {
            left + (w - left - right) / 2.0
        } else {
            left + (w - left - right) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v - lo) / (hi - lo));
    let ticks: Vec<f64> = (0..=4).map(|i| lo + (hi - lo) * i as f64 / 4.0).collect();
    let tick_decimals = if hi - lo < 10.0 { decimals.max(1) } else { decimals.min(1) };
    html! {
        svg class="chart" viewBox=(format!("0 0 {w} {h}")) role="img" aria-labelledby=(format!("{id}-t {id}-d")) {
            title id=(format!("{id}-t")) { (title) }
            desc id=(format!("{id}-d")) { (desc) }
            @for t in &ticks {
                line x1=(left) x2=(w - right) y1=(format!("{:.1}", y(*t))) y2=(format!("{:.1}", y(*t))) stroke="#dddddd" {}
                text x=(left - 6.0) y=(format!("{:.1}", y(*t) + 4.0)) text-anchor="end" class="tick" { (format::number(*t, tick_decimals, lang)) }
            }
            @for (i, p) in periods.iter().enumerate() {
                text x=(format!("{:.1}", x(i))) y=(h - bottom + 18.0) text-anchor="middle" class="tick" { (p) }
            }
            @for line in lines {
                path d=(polyline(line, x, y)) fill="none" stroke=(line.colour) stroke-width=(line.width)
                    stroke-dasharray=[line.dash] stroke-linejoin="round" {}
            }
            @for (line, lx) in legend_positions(lines, left) {
                line x1=(lx) x2=(lx + 24.0) y1=(h - 14.0) y2=(h - 14.0) stroke=(line.colour) stroke-width=(line.width) stroke-dasharray=[line.dash] {}
                text x=(lx + 30.0) y=(h - 10.0) class="legend" { (line.label) }
            }
        }
    }
}

/// The legend entries (lines drawn at least 2 wide) with their x positions: each after the one before it, with room
/// for its label (about 6.5 units a character at the legend's size).
fn legend_positions(lines: &[Line], left: f64) -> Vec<(&Line, f64)> {
    let mut x = left;
    lines
        .iter()
        .filter(|l| l.width >= 2.0 && !l.label.is_empty())
        .map(|l| {
            let at = x;
            x += 44.0 + 6.5 * l.label.chars().count() as f64;
            (l, at)
        })
        .collect()
}

/// One bar of a ranking.
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub highlight: bool,
}

/// A horizontal bar chart of the areas, with reference lines (e.g. all areas together and the Netherlands).
pub fn bar_ranking(
    id: &str,
    bars: &[Bar],
    references: &[(String, f64, &'static str, &'static str)],
    decimals: u8,
    lang: Lang,
    title: &str,
    desc: &str,
) -> Markup {
    let row = 22.0;
    let (label_w, value_w, bar_w) = (230.0, 90.0, 320.0);
    let h = row * bars.len() as f64 + 40.0;
    let w = label_w + bar_w + value_w;
    let max =
        bars.iter().filter_map(|b| b.value).chain(references.iter().map(|r| r.1)).fold(0.0f64, |m, v| m.max(v.abs()));
    let max = if max > 0.0 { max } else { 1.0 };
    let scale = |v: f64| bar_w * v.abs() / max;
    html! {
        svg class="chart" viewBox=(format!("0 0 {w} {h}")) role="img" aria-labelledby=(format!("{id}-t {id}-d")) {
            title id=(format!("{id}-t")) { (title) }
            desc id=(format!("{id}-d")) { (desc) }
            @for (i, bar) in bars.iter().enumerate() {
                @let y = i as f64 * row + 4.0;
                text x=(label_w - 6.0) y=(y + 14.0) text-anchor="end" class="tick" { (bar.label) }
                @match bar.value {
                    Some(v) => {
                        rect x=(label_w) y=(y + 3.0) width=(format!("{:.1}", scale(v))) height=(row - 8.0)
                            fill=(if bar.highlight { VERMILLION } else { BLUE }) {}
                        text x=(format!("{:.1}", label_w + scale(v) + 4.0)) y=(y + 14.0) class="tick" { (format::number(v, decimals, lang)) }
                    }
                    None => {
                        text x=(label_w + 4.0) y=(y + 14.0) class="tick" { (lang.t("geen cijfer", "no figure")) }
                    }
                }
            }
            @for (_label, v, colour, dash) in references {
                @let x = label_w + scale(*v);
                line x1=(format!("{x:.1}")) x2=(format!("{x:.1}")) y1="0" y2=(h - 30.0) stroke=(*colour) stroke-width="2" stroke-dasharray=(*dash) {}
            }
            @for (k, (label, v, colour, dash)) in references.iter().enumerate() {
                @let lx = label_w + k as f64 * 200.0;
                line x1=(lx) x2=(lx + 24.0) y1=(h - 12.0) y2=(h - 12.0) stroke=(*colour) stroke-width="2" stroke-dasharray=(*dash) {}
                text x=(lx + 30.0) y=(h - 8.0) class="legend" { (label) ": " (format::number(*v, decimals, lang)) }
            }
        }
    }
}

/// Class breaks (quantiles) for a choropleth: up to five classes, fewer when there are few distinct values.
pub fn classes(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    v.dedup();
    if v.len() <= 1 {
        return v;
    }
    let k = v.len().min(5);
    (1..k).map(|i| v[(i * v.len()) / k]).collect()
}

/// The class (0-4) of a value given the breaks.
pub fn class_of(breaks: &[f64], value: f64) -> usize {
    breaks.iter().take_while(|b| value >= **b).count().min(4)
}

/// A region on a map: its outline, fill, and an optional numbered marker.
pub struct MapRegion<'a> {
    pub rings: &'a [Vec<[f64; 2]>],
    pub fill: &'static str,
    pub pattern: bool,
    pub marker: Option<String>,
}

/// A map of the Netherlands: every municipality in light grey, highlighted regions on top.
pub fn netherlands_map(
    id: &str,
    outlines: &Outlines,
    regions: &[MapRegion<'_>],
    width: f64,
    title: &str,
    desc: &str,
) -> Markup {
    let projection = Projection::fit(outlines.features.iter().flat_map(|f| f.rings.iter()), width);
    region_map(id, &projection, outlines.features.iter().map(|f| f.rings.as_slice()), regions, title, desc)
}

/// A map of some regions only (e.g. the buurten of one area), fitted to them.
pub fn fitted_map(id: &str, regions: &[MapRegion<'_>], width: f64, title: &str, desc: &str) -> Markup {
    let projection = Projection::fit(regions.iter().flat_map(|r| r.rings.iter()), width);
    region_map(id, &projection, std::iter::empty(), regions, title, desc)
}

fn region_map<'a>(
    id: &str,
    projection: &Projection,
    background: impl Iterator<Item = &'a [Vec<[f64; 2]>]>,
    regions: &[MapRegion<'_>],
    title: &str,
    desc: &str,
) -> Markup {
    let background: Vec<String> = background.map(|rings| projection.path(rings)).filter(|d| !d.is_empty()).collect();
    html! {
        svg class="map" viewBox=(format!("0 0 {} {}", projection.width, projection.height)) role="img"
            aria-labelledby=(format!("{id}-t {id}-d")) {
            title id=(format!("{id}-t")) { (title) }
            desc id=(format!("{id}-d")) { (desc) }
            defs {
                pattern id=(format!("{id}-hatch")) width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)" {
                    rect width="6" height="6" fill=(BLUES[1]) {}
                    line x1="0" y1="0" x2="0" y2="6" stroke=(BLUES[4]) stroke-width="3" {}
                }
            }
            @if !background.is_empty() {
                path d=(background.join("")) fill="#e8e8e8" stroke="#ffffff" stroke-width="0.5" {}
            }
            @for r in regions {
                path d=(projection.path(r.rings)) fill=(if r.pattern { format!("url(#{id}-hatch)") } else { r.fill.to_string() })
                    stroke="#333333" stroke-width="0.8" {}
            }
            @for r in regions {
                @if let Some(label) = &r.marker {
                    @let (cx, cy) = projection.centre(r.rings);
                    circle cx=(format!("{cx:.1}")) cy=(format!("{cy:.1}")) r="8" fill="#ffffff" stroke="#000000" stroke-width="1" {}
                    text x=(format!("{cx:.1}")) y=(format!("{:.1}", cy + 3.5)) text-anchor="middle" class="marker" { (label) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_split_values_into_at_most_five() {
        let breaks = classes(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]);
        assert_eq!(breaks.len(), 4);
        assert_eq!(class_of(&breaks, 1.0), 0);
        assert_eq!(class_of(&breaks, 10.0), 4);
        assert_eq!(classes(&[3.0, 3.0]).len(), 1);
    }
}
