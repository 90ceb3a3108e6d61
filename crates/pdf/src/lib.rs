//! `wijkmonitor-pdf`: the PDF foundation for the programme's yearly reports.
//!
//! A caller describes a report as a flat [`Document`] of [`Block`]s (headings, paragraphs, bullet lists, tables,
//! vector figures, a table of contents) and [`render`] lays it out on A4 pages and writes a PDF without any external
//! program:
//!
//! - **searchable, tagged text**: text is real text in embedded DejaVu Sans fonts (CID/Identity-H with a ToUnicode
//!   map, so copy/paste and `pdftotext` work), and every piece of content sits in a structure tree
//!   (`Document` > `H1`-`H3`, `P`, `L`/`LI`, `Table`/`TR`/`TH`/`TD`, `Figure` with `/Alt`, `TOC`/`TOCI`/`Link`);
//!   footers, rules and repeated table headers are marked as artifacts;
//! - **navigation**: a running footer "Pagina N van M", a table of contents with page numbers and clickable entries,
//!   and bookmarks (outline) for level 1 and 2 headings;
//! - **vector graphics**: charts and maps are [`Graphic`]s made of [`Shape`]s, drawn as PDF paths and text;
//! - **determinism**: the same [`Document`] gives byte-identical output. No clock, no random ids: the metadata dates
//!   come from [`Document::created`] and the file identifier is a hash of the content.
//!
//! ```
//! use wijkmonitor_pdf::{render, Block, Document, Span};
//!
//! let doc = Document {
//!     title: "Voortgangsrapportage".into(),
//!     author: "Nationaal Programma Leefbaarheid en Veiligheid".into(),
//!     lang: "nl".into(),
//!     created: "2026-11-27".into(),
//!     page_label: "Pagina".into(),
//!     toc_title: "Inhoud".into(),
//!     blocks: vec![
//!         Block::Heading { level: 1, text: "Samenvatting".into() },
//!         Block::Paragraph(vec![Span::plain("Het aandeel is "), Span::bold("12,5%"), Span::plain(".")]),
//!     ],
//! };
//! let pdf = render(&doc).unwrap();
//! assert!(pdf.starts_with(b"%PDF-1.7"));
//! ```

mod font;
mod layout;
mod linebreak;
mod writer;

use std::fmt;

/// A report to render: metadata plus a flat list of blocks in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Document title: shown in the viewer's title bar (`/DisplayDocTitle`) and stored in the metadata.
    pub title: String,
    /// Author (the publishing organisation), stored in the metadata.
    pub author: String,
    /// Natural language of the text as a BCP 47 tag, e.g. `"nl"` or `"en"`. Screen readers use it to pick a voice;
    /// it also picks the word between the page numbers in the footer ("van" for Dutch, "of" for English).
    pub lang: String,
    /// Creation date from the caller, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS` (UTC). Used for `/CreationDate` and
    /// `/ModDate` instead of the clock so that output is reproducible. An empty string leaves the dates out.
    pub created: String,
    /// The content, in reading order.
    pub blocks: Vec<Block>,
    /// The word before the page number in the footer, e.g. `"Pagina"` gives "Pagina 2 van 9".
    pub page_label: String,
    /// Title above the table of contents, e.g. `"Inhoud"`.
    pub toc_title: String,
}

/// A run of text in one weight. Paragraphs and list items are sequences of spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The text. Spaces are break opportunities; `'\n'` forces a line break; a no-break space (U+00A0) keeps
    /// e.g. a number and its unit together.
    pub text: String,
    /// Set in DejaVu Sans Bold instead of DejaVu Sans.
    pub bold: bool,
}

impl Span {
    /// A span in the regular weight.
    pub fn plain(text: impl Into<String>) -> Self {
        Span { text: text.into(), bold: false }
    }

    /// A span in bold.
    pub fn bold(text: impl Into<String>) -> Self {
        Span { text: text.into(), bold: true }
    }
}

/// One block of content. Blocks are laid out top to bottom; a block that does not fit moves to the next page
/// (paragraphs, lists and tables break between lines or rows).
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading of level 1 to 3 (tagged `H1`-`H3`). Levels 1 and 2 appear in the table of contents and the PDF
    /// outline (bookmarks). A heading is kept on the same page as the start of the block after it.
    Heading {
        /// 1, 2 or 3.
        level: u8,
        /// Heading text.
        text: String,
    },
    /// A paragraph of text, line-broken to the text width (tagged `P`).
    Paragraph(Vec<Span>),
    /// A bulleted list; each item is a sequence of spans (tagged `L` > `LI` > `Lbl` + `LBody`).
    Bullets(Vec<Vec<Span>>),
    /// A table (tagged `Table` > `THead`/`TBody` > `TR` > `TH`/`TD`). Rows never split; the table breaks between
    /// rows and the header row is repeated on every page.
    Table {
        /// Column headers; defines the number of columns and must not be empty.
        header: Vec<String>,
        /// Body rows; each must have exactly as many cells as `header`.
        rows: Vec<Vec<String>>,
        /// Relative column widths (any positive unit). Empty means equal widths.
        widths: Vec<f32>,
        /// Per column: right-align the cells (for figures). Empty means all left-aligned.
        align_right: Vec<bool>,
    },
    /// A vector graphic (chart or map), scaled down to fit the page if needed, with alternative text for screen
    /// readers (tagged `Figure` with `/Alt`) and a visible caption below it (tagged `Caption`).
    Figure {
        /// The drawing.
        graphic: Graphic,
        /// Alternative text: what the figure shows, in words. Must not be empty.
        alt: String,
        /// Caption printed under the figure; may be empty.
        caption: String,
    },
    /// Replaced by the table of contents: a title ([`Document::toc_title`]) and one linked entry with its page
    /// number per level 1 and 2 heading.
    TableOfContents,
    /// Continue on a new page (ignored when the current page is still empty).
    PageBreak,
    /// Vertical white space in points (ignored at the top of a page).
    Spacer(f32),
}

/// A vector drawing. Coordinates are in points with the origin at the top-left corner and y pointing down, as in
/// SVG; `width` and `height` give the drawing's extent.
#[derive(Debug, Clone, PartialEq)]
pub struct Graphic {
    /// Width in points.
    pub width: f32,
    /// Height in points.
    pub height: f32,
    /// Shapes, painted in order (later shapes on top).
    pub items: Vec<Shape>,
}

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// A colour from a `0xRRGGBB` literal, e.g. `Rgb::hex(0x1f77b4)`.
    pub const fn hex(rgb: u32) -> Self {
        Rgb((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8)
    }
}

/// Horizontal anchoring of [`Shape::Text`] relative to its `x`, as SVG's `text-anchor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Anchor {
    /// `x` is where the text starts.
    #[default]
    Start,
    /// `x` is the middle of the text.
    Middle,
    /// `x` is where the text ends.
    End,
}

/// One element of a [`Graphic`]. Widths are stroke widths in points (before any scaling of the figure).
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A straight line.
    Line {
        /// Start point.
        from: (f32, f32),
        /// End point.
        to: (f32, f32),
        /// Line colour.
        stroke: Rgb,
        /// Line width.
        width: f32,
    },
    /// An axis-aligned rectangle with its top-left corner at (`x`, `y`); e.g. a bar. Stroked 0.5 pt wide.
    Rect {
        /// Left edge.
        x: f32,
        /// Top edge.
        y: f32,
        /// Width.
        w: f32,
        /// Height (downwards).
        h: f32,
        /// Fill colour, if filled.
        fill: Option<Rgb>,
        /// Outline colour, if outlined.
        stroke: Option<Rgb>,
    },
    /// A closed polygon; e.g. an area on a map.
    Polygon {
        /// Corner points (the path is closed automatically).
        points: Vec<(f32, f32)>,
        /// Fill colour, if filled.
        fill: Option<Rgb>,
        /// Outline colour, if outlined.
        stroke: Option<Rgb>,
        /// Outline width.
        width: f32,
    },
    /// An open line through points; e.g. a trend line.
    Polyline {
        /// The points, in order.
        points: Vec<(f32, f32)>,
        /// Line colour.
        stroke: Rgb,
        /// Line width.
        width: f32,
    },
    /// A single line of text with its baseline at `y`; e.g. an axis label. It stays real (extractable) text.
    Text {
        /// Anchor x position.
        x: f32,
        /// Baseline y position.
        y: f32,
        /// Font size in points.
        size: f32,
        /// The text.
        text: String,
        /// Bold weight.
        bold: bool,
        /// How `x` relates to the text.
        anchor: Anchor,
        /// Text colour.
        fill: Rgb,
    },
}

/// Why a document could not be rendered. All variants describe a problem with the input (or, for
/// [`PdfError::Font`], with the bundled fonts); rendering never panics on input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfError {
    /// [`Document::created`] is not `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`.
    InvalidDate(String),
    /// A block is malformed, e.g. a heading level outside 1-3, a table row with the wrong number of cells, a
    /// figure without alternative text or a non-finite coordinate.
    InvalidInput(String),
    /// A bundled font could not be parsed or subset.
    Font(String),
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::InvalidDate(s) => write!(f, "invalid creation date {s:?}: expected YYYY-MM-DD[THH:MM:SS]"),
            PdfError::InvalidInput(s) => write!(f, "invalid document: {s}"),
            PdfError::Font(s) => write!(f, "font error: {s}"),
        }
    }
}

impl std::error::Error for PdfError {}

/// A heading as placed in the rendered document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedHeading {
    /// 1, 2 or 3.
    pub level: u8,
    /// Heading text.
    pub text: String,
    /// 1-based page number.
    pub page: usize,
}

/// The result of [`render_with_info`]: the PDF plus facts about its layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The PDF file.
    pub pdf: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// The document's headings (not the table of contents title) with the pages they landed on.
    pub headings: Vec<PlacedHeading>,
}

/// Render `doc` as a PDF file.
///
/// Output is deterministic: the same document gives byte-identical bytes.
pub fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    render_with_info(doc).map(|r| r.pdf)
}

/// Render `doc` as a PDF file and also report the page count and where each heading landed (useful for tests and
/// for callers that cross-reference pages elsewhere).
pub fn render_with_info(doc: &Document) -> Result<Rendered, PdfError> {
    // Validate the date first: it is the cheapest check and otherwise only noticed after all the layout work.
    let date = writer::parse_date(&doc.created)?;
    let fonts = font::Fonts::load()?;
    let laid_out = layout::layout_document(doc, &fonts)?;
    let pages = laid_out.pages.len();
    let headings = laid_out
        .headings
        .iter()
        .filter(|h| !h.is_toc_title)
        .map(|h| PlacedHeading { level: h.level, text: h.text.clone(), page: h.page + 1 })
        .collect();
    let pdf = writer::write_pdf(doc, &fonts, laid_out, date)?;
    Ok(Rendered { pdf, pages, headings })
}
