//! Renders a report [`Document`] as one self-contained HTML file: inline CSS, charts and maps as inline SVG with
//! their text alternative, a linked table of contents. The output depends only on the document, so the same
//! database and parameters give byte-identical HTML.

use wijkmonitor_pdf::{Anchor, Block, Document, Graphic, Rgb, Shape, Span};

const CSS: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;\
color:#222;line-height:1.45}h1{font-size:1.6rem;margin-top:2.5rem;border-bottom:2px solid #0072b2}\
h2{font-size:1.25rem;margin-top:1.8rem}h3{font-size:1.05rem}table{border-collapse:collapse;width:100%;\
margin:1rem 0;font-size:.9rem}th,td{border-bottom:1px solid #ccc;padding:.25rem .4rem;text-align:left;\
vertical-align:top}th{background:#eef4f9}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\
figure{margin:1.2rem 0}figcaption{font-size:.85rem;color:#444}svg{max-width:100%;height:auto}\
nav ol{padding-left:1.2rem}.page-break{break-after:page}@media print{nav{break-after:page}}";

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| if s.bold { format!("<strong>{}</strong>", escape(&s.text)) } else { escape(&s.text) })
        .collect()
}

fn colour(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

fn points(points: &[(f32, f32)]) -> String {
    points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ")
}

/// A graphic as inline SVG, with the alternative text as its accessible name.
pub fn svg(graphic: &Graphic, alt: &str) -> String {
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"{}\">",
        graphic.width,
        graphic.height,
        graphic.width,
        graphic.height,
        escape(alt)
    );
    out.push_str(&format!("<title>{}</title>", escape(alt)));
    for item in &graphic.items {
        match item {
            Shape::Line { from, to, stroke, width } => out.push_str(&format!(
                "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"{width}\"/>",
                from.0,
                from.1,
                to.0,
                to.1,
                colour(*stroke)
            )),
            Shape::Rect { x, y, w, h, fill, stroke } => out.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{}\" stroke=\"{}\"/>",
                fill.map_or("none".into(), colour),
                stroke.map_or("none".into(), colour)
            )),
            Shape::Polygon { points: p, fill, stroke, width } => out.push_str(&format!(
                "<polygon points=\"{}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{width}\"/>",
                points(p),
                fill.map_or("none".into(), colour),
                stroke.map_or("none".into(), colour)
            )),
            Shape::Polyline { points: p, stroke, width } => out.push_str(&format!(
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\"/>",
                points(p),
                colour(*stroke)
            )),
            Shape::Text { x, y, size, text, bold, anchor, fill } => out.push_str(&format!(
                "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\"{} text-anchor=\"{}\" fill=\"{}\">{}</text>",
                if *bold { " font-weight=\"bold\"" } else { "" },
                match anchor {
                    Anchor::Start => "start",
                    Anchor::Middle => "middle",
                    Anchor::End => "end",
                },
                colour(*fill),
                escape(text)
            )),
        }
    }
    out.push_str("</svg>");
    out
}

/// Renders the document as a complete HTML page.
pub fn render(doc: &Document) -> String {
    let mut headings = Vec::new();
    for block in &doc.blocks {
        if let Block::Heading { level, text } = block {
            if *level <= 2 {
                headings.push((*level, text.clone(), format!("h{}", headings.len() + 1)));
            }
        }
    }
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"author\" content=\"{}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        escape(&doc.lang),
        escape(&doc.author),
        escape(&doc.title)
    );
    let mut heading_index = 0;
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } => {
                let level = (*level).clamp(1, 3);
                if level <= 2 {
                    heading_index += 1;
                    out.push_str(&format!("<h{level} id=\"h{heading_index}\">{}</h{level}>\n", escape(text)));
                } else {
                    out.push_str(&format!("<h{level}>{}</h{level}>\n", escape(text)));
                }
            }
            Block::Paragraph(s) => out.push_str(&format!("<p>{}</p>\n", spans(s))),
            Block::Bullets(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    out.push_str(&format!("<li>{}</li>\n", spans(item)));
                }
                out.push_str("</ul>\n");
            }
            Block::Table { header, rows, align_right, .. } => {
                let class = |i: usize| if align_right.get(i).copied().unwrap_or(false) { " class=\"num\"" } else { "" };
                out.push_str("<table>\n<thead><tr>");
                for (i, h) in header.iter().enumerate() {
                    out.push_str(&format!("<th scope=\"col\"{}>{}</th>", class(i), escape(h)));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for (i, cell) in row.iter().enumerate() {
                        if i == 0 {
                            out.push_str(&format!("<th scope=\"row\">{}</th>", escape(cell)));
                        } else {
                            out.push_str(&format!("<td{}>{}</td>", class(i), escape(cell)));
                        }
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::Figure { graphic, alt, caption } => {
                out.push_str(&format!(
                    "<figure>{}<figcaption>{}</figcaption></figure>\n",
                    svg(graphic, alt),
                    escape(caption)
                ));
            }
            Block::TableOfContents => {
                out.push_str(&format!(
                    "<nav aria-labelledby=\"toc\"><h2 id=\"toc\">{}</h2>\n<ol>\n",
                    escape(&doc.toc_title)
                ));
                for (level, text, id) in &headings {
                    let indent = if *level == 2 { " style=\"margin-left:1.2rem\"" } else { "" };
                    out.push_str(&format!("<li{indent}><a href=\"#{id}\">{}</a></li>\n", escape(text)));
                }
                out.push_str("</ol>\n</nav>\n");
            }
            Block::PageBreak => out.push_str("<div class=\"page-break\"></div>\n"),
            Block::Spacer(points) => out.push_str(&format!("<div style=\"height:{points}pt\"></div>\n")),
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}
