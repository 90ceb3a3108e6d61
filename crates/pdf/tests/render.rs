//! End-to-end tests of `wijkmonitor_pdf::render`: the PDF is checked with Debian's poppler-utils (`pdftotext`,
//! `pdfinfo`, `pdffonts`, `pdfimages`), as a reader would see it, plus a few checks on the raw file.
//!
//! Tests that need poppler print a message and pass without checking when it is not installed
//! (`apt-get install -y poppler-utils`); the checks on the raw bytes always run.

use std::path::PathBuf;
use std::process::Command;

use wijkmonitor_pdf::{render, render_with_info, Anchor, Block, Document, Graphic, PdfError, Rgb, Shape, Span};

// ---- the test document ----

const ALT: &str = "Line chart: perceived safety in the area rises from 52 percent in 2018 to 66 percent in 2026.";

fn chart() -> Graphic {
    let mut items = vec![
        Shape::Line { from: (30.0, 150.0), to: (390.0, 150.0), stroke: Rgb::hex(0x777777), width: 0.8 },
        Shape::Rect { x: 40.0, y: 60.0, w: 20.0, h: 90.0, fill: Some(Rgb::hex(0xc8641e)), stroke: None },
        Shape::Polygon {
            points: vec![(300.0, 20.0), (340.0, 30.0), (330.0, 70.0)],
            fill: Some(Rgb::hex(0xdde6f0)),
            stroke: Some(Rgb::hex(0x1f5f8b)),
            width: 1.0,
        },
        Shape::Polyline {
            points: (0..9).map(|i| (40.0 + i as f32 * 40.0, 140.0 - i as f32 * 12.0)).collect(),
            stroke: Rgb::hex(0x1f5f8b),
            width: 2.0,
        },
    ];
    for (i, year) in (2018..=2026).enumerate() {
        items.push(Shape::Text {
            x: 40.0 + i as f32 * 40.0,
            y: 165.0,
            size: 8.0,
            text: year.to_string(),
            bold: false,
            anchor: Anchor::Middle,
            fill: Rgb(0, 0, 0),
        });
    }
    Graphic { width: 400.0, height: 170.0, items }
}

/// A table of contents and three sections; section 2 holds a table of 120 rows.
///
/// Page plan (A4, 714 pt of text height per page, table rows 17.5 pt): page 1 the table of contents; page 2
/// section 1 (text, list, chart); page 3 section 2 with about 34 rows, pages 4 and 5 with 39 rows each (header
/// repeated), page 6 the last rows and section 3. So 6 pages.
fn report(created: &str) -> Document {
    let rows = (1..=120)
        .map(|i| {
            vec![
                format!("Rij {i}"),
                ["Rotterdam-Zuid", "Den Haag Zuidwest", "Amsterdam Nieuw-West"][i % 3].to_string(),
                format!("{},{}", 40 + i % 50, i % 10),
                format!("{}.{:03},{}", 1 + i / 100, i * 7 % 1000, i % 10),
            ]
        })
        .collect();
    Document {
        title: "Analyse focusgebied 2026".into(),
        author: "Nationaal Programma Leefbaarheid en Veiligheid".into(),
        lang: "nl".into(),
        created: created.into(),
        page_label: "Pagina".into(),
        toc_title: "Inhoud".into(),
        blocks: vec![
            Block::TableOfContents,
            Block::PageBreak,
            Block::Heading { level: 1, text: "1. Samenvatting".into() },
            Block::Paragraph(vec![
                Span::plain(
                    "De coördinatie tussen gemeente en corporaties is verbeterd. Het aandeel bewoners dat zich ",
                ),
                Span::plain("’s avonds veilig voelt steeg van 52,4% naar "),
                Span::bold("66,1%"),
                Span::plain(". Naïeve vergelijkingen met het café-bezoek in ’s-Hertogenbosch zeggen weinig; de ruïne "),
                Span::plain("aan de Coëhoornstraat wordt gesloopt."),
            ]),
            Block::Bullets(vec![
                vec![Span::bold("Verbeterd: "), Span::plain("veiligheidsbeleving (+13,7 procentpunt).")],
                vec![Span::plain("Geen significante verandering in de overige indicatoren.")],
            ]),
            Block::Heading { level: 2, text: "1.1 Veiligheidsbeleving".into() },
            Block::Figure {
                graphic: chart(),
                alt: ALT.into(),
                caption: "Figuur 1 Veiligheidsbeleving 2018–2026".into(),
            },
            Block::Heading { level: 3, text: "Toelichting".into() },
            Block::Paragraph(vec![Span::plain("De marge is 2,1 procentpunt.")]),
            Block::PageBreak,
            Block::Heading { level: 1, text: "2. Indicatoren per gebied".into() },
            Block::Paragraph(vec![Span::plain(
                "De tabel hieronder geeft per rij de waarde van de indicator en het aantal inwoners. De kop van de \
                 tabel herhaalt zich op elke pagina, zodat de kolommen leesbaar blijven.",
            )]),
            Block::Table {
                header: vec!["Rij".into(), "Gebied".into(), "Waarde (%)".into(), "Inwoners".into()],
                rows,
                widths: vec![1.0, 3.0, 1.5, 1.5],
                align_right: vec![false, false, true, true],
            },
            Block::Heading { level: 1, text: "3. Bronnen en definities".into() },
            Block::Paragraph(vec![Span::plain("Bron: CBS, Veiligheidsmonitor; bewerking wijkmonitor.")]),
            Block::PageBreak,
        ],
    }
}

const EXPECTED_PAGES: usize = 6;

// ---- helpers ----

/// Whether a poppler tool is installed; prints why a test is skipped if not.
fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("-v").output().is_ok();
    if !ok {
        eprintln!("skipping poppler checks: `{tool}` not found (apt-get install -y poppler-utils)");
    }
    ok
}

/// Write `pdf` to a file under the test target directory.
fn save(name: &str, pdf: &[u8]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("wijkmonitor-pdf-{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    path
}

fn run(tool: &str, args: &[&str], path: &PathBuf) -> String {
    let out = Command::new(tool).args(args).arg(path).arg("-").output().unwrap();
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// `pdfinfo` and `pdffonts` take no output argument.
fn run_info(tool: &str, args: &[&str], path: &PathBuf) -> String {
    let out = Command::new(tool).args(args).arg(path).output().unwrap();
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Text of one page (1-based).
fn page_text(path: &PathBuf, page: usize, layout: bool) -> String {
    let p = page.to_string();
    let mut args = vec!["-f", p.as_str(), "-l", p.as_str()];
    if layout {
        args.push("-layout");
    }
    run("pdftotext", &args, path)
}

/// All streams of the file as (dictionary, decompressed data).
fn streams(pdf: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![];
    let mut rest = pdf;
    while let Some(start) = find(rest, b">>\nstream\n") {
        let dict_start = rest[..start].windows(4).rposition(|w| w == b"obj\n").map_or(0, |p| p + 4);
        let dict = String::from_utf8_lossy(&rest[dict_start..start + 2]).into_owned();
        let body = &rest[start + 10..];
        let Some(end) = find(body, b"\nendstream") else { break };
        // Some streams (XMP metadata) are not compressed.
        let data = miniz_oxide::inflate::decompress_to_vec_zlib(&body[..end]).unwrap_or_else(|_| body[..end].to_vec());
        out.push((dict, data));
        rest = &body[end..];
    }
    out
}

/// The page content streams: compressed streams that are neither font programs (`/Length1`) nor CMaps.
fn content_streams(pdf: &[u8]) -> Vec<Vec<u8>> {
    streams(pdf)
        .into_iter()
        .filter(|(dict, data)| {
            dict.contains("/FlateDecode") && !dict.contains("/Length1") && !contains(data, "begincmap")
        })
        .map(|(_, data)| data)
        .collect()
}

/// The operators of a content stream, skipping operands (numbers, names, strings, arrays, dictionaries).
fn operators(content: &[u8]) -> Vec<String> {
    let mut ops = vec![];
    let mut i = 0;
    let delim = |c: u8| c.is_ascii_whitespace() || b"()<>[]{}/%".contains(&c);
    while i < content.len() {
        let c = content[i];
        if c == b'(' {
            // A string: skip to the matching parenthesis, honouring escapes and nesting.
            let mut depth = 0;
            while i < content.len() {
                match content[i] {
                    b'\\' => i += 1,
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            i += 1;
        } else if c == b'/' {
            i += 1;
            while i < content.len() && !delim(content[i]) {
                i += 1;
            }
        } else if delim(c) {
            i += 1;
        } else {
            let start = i;
            while i < content.len() && !delim(content[i]) {
                i += 1;
            }
            let token = String::from_utf8_lossy(&content[start..i]).into_owned();
            if token.starts_with(|c: char| c.is_ascii_alphabetic() || c == '\'' || c == '"') {
                ops.push(token);
            }
        }
    }
    ops
}

/// `hay` with every occurrence of `from` replaced by `to`, on raw bytes.
fn replace_bytes(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn contains(hay: &[u8], needle: &str) -> bool {
    find(hay, needle.as_bytes()).is_some()
}

// ---- tests ----

#[test]
fn multi_page_report_has_expected_pages_and_is_tagged() {
    let rendered = render_with_info(&report("2026-11-27")).unwrap();
    assert_eq!(rendered.pages, EXPECTED_PAGES);
    let section2 = rendered.headings.iter().find(|h| h.text.starts_with("2.")).unwrap();
    let section3 = rendered.headings.iter().find(|h| h.text.starts_with("3.")).unwrap();
    assert_eq!((section2.page, section3.page), (3, 6), "the 120-row table spans pages 3-6");
    if !have("pdfinfo") {
        return;
    }
    let path = save("report", &rendered.pdf);
    let info = run_info("pdfinfo", &[], &path);
    assert!(info.contains(&format!("Pages:           {EXPECTED_PAGES}\n")), "{info}");
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(info.contains("Title:           Analyse focusgebied 2026"), "{info}");
    assert!(info.contains("Author:          Nationaal Programma Leefbaarheid en Veiligheid"), "{info}");
    assert!(info.contains("Page size:       595.276 x 841.89 pts (A4)"), "{info}");
    assert!(info.contains("CreationDate:    Fri Nov 27 00:00:00 2026"), "{info}");
}

#[test]
fn text_is_extractable_with_dutch_diacritics_and_decimal_commas() {
    if !have("pdftotext") {
        return;
    }
    let path = save("text", &render(&report("2026-11-27")).unwrap());
    // Compare with whitespace normalised: a line may break anywhere between words.
    let text = run("pdftotext", &[], &path).split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "1. Samenvatting",
        "1.1 Veiligheidsbeleving",
        "Toelichting",
        "2. Indicatoren per gebied",
        "3. Bronnen en definities",
        "coördinatie",
        "’s avonds",
        "Naïeve",
        "café-bezoek",
        "’s-Hertogenbosch",
        "Coëhoornstraat",
        "52,4%",
        "66,1%",
        "+13,7 procentpunt",
        "Figuur 1 Veiligheidsbeleving 2018–2026",
        "Rij 120",
        "2.840,0",
    ] {
        assert!(text.contains(needle), "{needle:?} not found in extracted text");
    }
    // Words at line ends are still separated from the next line's first word in the structure (what screen
    // readers read): pdfinfo -struct-text joins the lines of a paragraph.
    if have("pdfinfo") {
        let tree = run_info("pdfinfo", &["-struct-text"], &path);
        assert!(tree.contains("De coördinatie tussen gemeente en corporaties is verbeterd. Het aandeel bewoners dat zich ’s avonds veilig voelt steeg van 52,4% naar 66,1%."), "{tree}");
    }
}

#[test]
fn table_of_contents_lists_headings_with_their_pages() {
    let rendered = render_with_info(&report("2026-11-27")).unwrap();
    let toc: Vec<_> = rendered.headings.iter().filter(|h| h.level <= 2).collect();
    assert_eq!(toc.len(), 4);
    if !have("pdftotext") {
        return;
    }
    let path = save("toc", &rendered.pdf);
    let toc_page = page_text(&path, 1, true);
    assert!(toc_page.contains("Inhoud"));
    assert!(!toc_page.contains("Toelichting"), "level 3 headings stay out of the TOC");
    for h in toc {
        // The entry's line ends with the page number (dot leaders are graphics, not text).
        let line = toc_page.lines().find(|l| l.trim_start().starts_with(&h.text)).unwrap_or_else(|| panic!("{h:?}"));
        let number: usize = line.split_whitespace().last().unwrap().parse().unwrap();
        assert_eq!(number, h.page, "{line}");
        // And the heading really is on that page.
        assert!(page_text(&path, number, false).contains(&h.text), "{} not on page {number}", h.text);
    }
    let expected = [("1. Samenvatting", 2), ("1.1 Veiligheidsbeleving", 2), ("2. Indicatoren per gebied", 3)];
    for (text, page) in expected {
        assert!(toc_page.lines().any(|l| l.contains(text) && l.trim_end().ends_with(&format!(" {page}"))), "{text}");
    }
}

#[test]
fn footer_shows_page_number_and_total() {
    if !have("pdftotext") {
        return;
    }
    let path = save("footer", &render(&report("2026-11-27")).unwrap());
    assert!(page_text(&path, 2, false).contains(&format!("Pagina 2 van {EXPECTED_PAGES}")));
    for page in 1..=EXPECTED_PAGES {
        let text = page_text(&path, page, false);
        assert!(text.contains(&format!("Pagina {page} van {EXPECTED_PAGES}")), "page {page}: {text}");
    }
    // The table header is repeated on the pages the table continues on.
    assert!(page_text(&path, 4, false).contains("Waarde (%)"));
}

#[test]
fn english_footer_uses_of() {
    let mut doc = report("2026-11-27");
    doc.lang = "en".into();
    doc.page_label = "Page".into();
    if !have("pdftotext") {
        return;
    }
    let path = save("footer-en", &render(&doc).unwrap());
    assert!(page_text(&path, 2, false).contains(&format!("Page 2 of {EXPECTED_PAGES}")));
}

#[test]
fn same_input_gives_identical_bytes_and_dates_only_change_metadata() {
    let a = render(&report("2026-11-27")).unwrap();
    let b = render(&report("2026-11-27")).unwrap();
    assert!(a == b, "two renders of the same document differ");

    // A different date changes the Info dictionary and the XMP packet, nothing else.
    let c = render(&report("2027-01-15")).unwrap();
    assert_ne!(a, c);
    let c_with_old_date = replace_bytes(&replace_bytes(&c, b"D:20270115", b"D:20261127"), b"2027-01-15", b"2026-11-27");
    assert!(a == c_with_old_date, "renders with different dates differ in more than the dates");
}

#[test]
fn figure_is_tagged_with_alt_text_and_drawn_as_vectors() {
    let pdf = render(&report("2026-11-27")).unwrap();
    // Structure: the figure element carries the alternative text (an ASCII text string is written literally).
    assert!(contains(&pdf, "/S/Figure"));
    assert!(contains(&pdf, &format!("/Alt({ALT})")), "no /Alt with the figure's text");
    // No raster images anywhere: no image XObjects and no XObject painting in any content stream.
    assert!(!contains(&pdf, "/Image"));
    assert!(!contains(&pdf, "/XObject"));
    let content = content_streams(&pdf);
    assert_eq!(content.len(), EXPECTED_PAGES, "one content stream per page");
    let chart_page = &content[1];
    let ops = operators(chart_page);
    for op in ["m", "l", "re", "h", "S", "f", "B"] {
        assert!(ops.iter().any(|o| o == op), "no {op:?} path operator on the chart's page: {ops:?}");
    }
    for page in &content {
        assert!(!operators(page).iter().any(|o| o == "Do" || o == "BI"), "an image or XObject is painted");
    }
    // Figure content is marked content of the Figure element; decorations and footers are artifacts.
    assert!(contains(chart_page, "/Figure<</MCID"));
    assert!(contains(chart_page, "/Artifact<</Type/Pagination/Subtype/Footer>>BDC"));
    // Every text object sits inside marked content (tagged or artifact): BDC/EMC balance and enclose all BT.
    for page in &content {
        let mut depth = 0;
        for op in operators(page) {
            match op.as_str() {
                "BDC" | "BMC" => depth += 1,
                "EMC" => depth -= 1,
                "BT" | "re" | "m" => assert_eq!(depth, 1, "content outside marked content"),
                _ => {}
            }
        }
        assert_eq!(depth, 0);
    }
    if have("pdfimages") {
        let path = save("figure", &pdf);
        let list = run_info("pdfimages", &["-list"], &path);
        assert_eq!(list.lines().count(), 2, "pdfimages found images:\n{list}");
    }
}

#[test]
fn document_catalog_declares_tagging_language_and_navigation() {
    let pdf = render(&report("2026-11-27")).unwrap();
    for needle in [
        "/MarkInfo<</Marked true>>",
        "/Lang(nl)",
        "/ViewerPreferences<</DisplayDocTitle true>>",
        "/StructTreeRoot",
        "/ParentTree",
        "/Outlines",
        "/PageMode/UseOutlines",
        "/Tabs/S",
        "/Type/Metadata",
    ] {
        assert!(contains(&pdf, needle), "{needle} missing");
    }
    for role in ["Document", "TOC", "TOCI", "Link", "H1", "H2", "H3", "P", "L", "LI", "Lbl", "LBody", "Table"] {
        assert!(contains(&pdf, &format!("/S/{role}/")), "no {role} element");
    }
    for role in ["THead", "TBody", "TR", "TH", "TD", "Caption"] {
        assert!(contains(&pdf, &format!("/S/{role}/")), "no {role} element");
    }
    assert!(contains(&pdf, "/Scope/Column"));
    // Bookmarks: the TOC title and the level 1 and 2 headings, not level 3.
    for title in ["Inhoud", "1. Samenvatting", "1.1 Veiligheidsbeleving", "2. Indicatoren per gebied"] {
        assert!(contains(&pdf, &format!("/Title({title})")), "no bookmark {title}");
    }
    assert!(!contains(&pdf, "/Title(Toelichting)"));
    if have("pdfinfo") {
        let path = save("catalog", &pdf);
        let tree = run_info("pdfinfo", &["-struct"], &path);
        assert!(tree.starts_with("Document\n"), "{tree}");
        assert!(tree.contains("  Table (block)\n    THead\n      TR\n        TH"), "{tree}");
    }
}

#[test]
fn fonts_are_embedded_subsets_with_unicode_maps() {
    let pdf = render(&report("2026-11-27")).unwrap();
    // Subset fonts keep the file small: the two DejaVu files are 1.4 MB together.
    assert!(pdf.len() < 200_000, "PDF is {} bytes", pdf.len());
    if !have("pdffonts") {
        return;
    }
    let path = save("fonts", &pdf);
    let fonts = run_info("pdffonts", &[], &path);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 2, "{fonts}");
    for (row, name) in rows.iter().zip(["+DejaVuSans ", "+DejaVuSans-Bold "]) {
        assert!(row.contains(name), "{row}");
        assert!(row.contains("CID TrueType      Identity-H       yes yes yes"), "emb/sub/uni: {row}");
    }
}

#[test]
fn empty_document_is_one_page_with_footer() {
    let doc = Document {
        title: "Leeg".into(),
        author: String::new(),
        lang: "nl".into(),
        created: String::new(),
        blocks: vec![],
        page_label: "Pagina".into(),
        toc_title: "Inhoud".into(),
    };
    let rendered = render_with_info(&doc).unwrap();
    assert_eq!(rendered.pages, 1);
    assert!(!contains(&rendered.pdf, "/CreationDate"), "no date given, none written");
    if have("pdftotext") {
        let path = save("empty", &rendered.pdf);
        assert!(page_text(&path, 1, false).contains("Pagina 1 van 1"));
    }
}

#[test]
fn invalid_input_is_an_error() {
    assert!(matches!(render(&report("27-11-2026")), Err(PdfError::InvalidDate(_))));
    let mut doc = report("2026-11-27");
    doc.blocks.push(Block::Heading { level: 0, text: "x".into() });
    assert!(matches!(render(&doc), Err(PdfError::InvalidInput(_))));
    let mut doc = report("2026-11-27");
    doc.blocks.push(Block::Figure { graphic: chart(), alt: String::new(), caption: String::new() });
    let err = render(&doc).unwrap_err();
    assert!(err.to_string().contains("alternative text"), "{err}");
}

#[test]
fn text_outside_the_fonts_falls_back_instead_of_failing() {
    let mut doc = report("2026-11-27");
    doc.blocks.insert(3, Block::Paragraph(vec![Span::plain("private use \u{E000} and emoji 🏠 and tab\there")]));
    let pdf = render(&doc).unwrap();
    if have("pdftotext") {
        let path = save("fallback", &pdf);
        let text = page_text(&path, 2, false);
        assert!(text.contains("private use ? and emoji ? and tab here"), "{text}");
    }
}
