//! Page layout: turns the blocks of a [`Document`] into positioned drawing operations on A4 pages, plus the
//! structure tree (what each operation *is*: heading, paragraph, table cell, ...) that the writer turns into PDF tags.
//!
//! Coordinates here are PDF user space: points, origin at the bottom-left of the page, y up. The layout fills each
//! page from the top margin down; `Engine::y` is the top of the free space.
//!
//! The table of contents needs the page numbers of headings that come after it, so [`layout_document`] lays the
//! document out, reads where the headings landed, and lays it out again with those numbers until they are stable.
//! The page-number column of the TOC has a fixed width, so the numbers cannot change the TOC's own height and the
//! second pass is normally the last.

use crate::font::{FontId, Fonts};
use crate::linebreak::{break_lines, Line};
use crate::{Anchor, Block, Document, Graphic, PdfError, Rgb, Shape, Span};

/// A4 portrait, in points.
pub(crate) const PAGE_W: f32 = 595.276;
pub(crate) const PAGE_H: f32 = 841.89;
/// 20 mm side margins and top margin; 25 mm at the bottom to leave room for the footer.
pub(crate) const MARGIN_X: f32 = 56.7;
const MARGIN_TOP: f32 = 56.7;
const MARGIN_BOTTOM: f32 = 70.9;
const TOP: f32 = PAGE_H - MARGIN_TOP;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
const FOOTER_BASELINE: f32 = 36.0;

/// DejaVu Sans ascender and descender as fractions of the em (1901 and 483 of 2048 units): used to centre the glyphs
/// vertically in a line box.
const ASCENT: f32 = 0.928;
const DESCENT: f32 = 0.236;

/// Font size and line height of one kind of text.
#[derive(Clone, Copy)]
struct Style {
    size: f32,
    leading: f32,
}

const BODY: Style = Style { size: 10.0, leading: 14.5 };
const TABLE: Style = Style { size: 8.5, leading: 11.5 };
const CAPTION: Style = Style { size: 8.5, leading: 12.0 };
const FOOTER_SIZE: f32 = 8.0;
const TOC_ENTRY: Style = Style { size: 10.0, leading: 15.0 };

const PARAGRAPH_AFTER: f32 = 7.0;
const LIST_ITEM_GAP: f32 = 2.0;
const LIST_INDENT: f32 = 16.0;
const TABLE_PAD_X: f32 = 4.0;
const TABLE_PAD_Y: f32 = 3.0;
const BLOCK_AFTER: f32 = 12.0;
/// Width reserved for page numbers in the table of contents.
const TOC_NUMBER_W: f32 = 36.0;
const TOC_INDENT: f32 = 16.0;

const TEXT: Rgb = Rgb(0x1a, 0x1a, 0x1a);
const HEADING: Rgb = Rgb(0x0b, 0x3c, 0x5d);
/// Secondary text (captions, footer); still well above 4.5:1 contrast on white.
const MUTED: Rgb = Rgb(0x4d, 0x4d, 0x4d);
const RULE: Rgb = Rgb(0xb4, 0xb4, 0xb4);
const HEADER_FILL: Rgb = Rgb(0xe3, 0xea, 0xf1);

/// Style and spacing of a heading level.
struct HeadingStyle {
    style: Style,
    before: f32,
    after: f32,
}

fn heading_style(level: u8) -> HeadingStyle {
    match level {
        1 => HeadingStyle { style: Style { size: 18.0, leading: 23.0 }, before: 18.0, after: 10.0 },
        2 => HeadingStyle { style: Style { size: 14.0, leading: 18.5 }, before: 14.0, after: 6.0 },
        _ => HeadingStyle { style: Style { size: 11.5, leading: 15.0 }, before: 10.0, after: 4.0 },
    }
}

/// Baseline of a line whose box starts at `top`: the glyphs' ascent-descent extent is centred in the leading.
fn baseline(top: f32, style: Style) -> f32 {
    top - (style.leading - (ASCENT + DESCENT) * style.size) / 2.0 - ASCENT * style.size
}

/// Index of a node in [`Layout::nodes`].
pub(crate) type NodeId = usize;

/// Structure roles used by the layout; the writer maps them to the standard PDF structure types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Document,
    H1,
    H2,
    H3,
    P,
    L,
    LI,
    Lbl,
    LBody,
    Table,
    THead,
    TBody,
    TR,
    TH,
    TD,
    Figure,
    Caption,
    Toc,
    Toci,
    Link,
}

/// A structure element. Container nodes get their children at creation; leaf nodes get their content (marked
/// content on pages, link annotations) from the writer, in drawing order.
#[derive(Debug)]
pub(crate) struct Node {
    pub role: Role,
    pub parent: Option<NodeId>,
    pub children: Vec<NodeId>,
    /// Alternative text (figures).
    pub alt: Option<String>,
    /// Bounding box on the page, `[x0, y0, x1, y1]` (figures: PDF/UA asks for it).
    pub bbox: Option<[f32; 4]>,
}

/// What a drawing operation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    /// Real content of a structure element.
    Node(NodeId),
    /// Decoration without meaning (rules, backgrounds, leader dots, repeated table headers).
    Artifact,
    /// The running footer (a pagination artifact).
    Footer,
}

/// A run of text in one font, size and colour, starting at (`x`, `y`) on the baseline.
#[derive(Debug)]
pub(crate) struct TextRun {
    pub x: f32,
    pub y: f32,
    pub font: FontId,
    pub size: f32,
    pub color: Rgb,
    pub text: String,
    pub tag: Tag,
}

/// A path segment.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Seg {
    Move(f32, f32),
    Line(f32, f32),
    /// x, y (bottom-left), width, height.
    Rect(f32, f32, f32, f32),
    Close,
}

/// How a path is stroked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stroke {
    pub color: Rgb,
    pub width: f32,
    /// Dash and gap lengths.
    pub dash: Option<[f32; 2]>,
    /// Round joins and caps (chart lines), instead of mitred corners (rectangles).
    pub round: bool,
}

/// A vector path with its paint.
#[derive(Debug)]
pub(crate) struct PathOp {
    pub segs: Vec<Seg>,
    pub fill: Option<Rgb>,
    pub stroke: Option<Stroke>,
    pub tag: Tag,
}

/// One drawing operation.
#[derive(Debug)]
pub(crate) enum Op {
    Text(TextRun),
    Path(PathOp),
}

impl Op {
    pub(crate) fn tag(&self) -> Tag {
        match self {
            Op::Text(t) => t.tag,
            Op::Path(p) => p.tag,
        }
    }
}

/// A clickable area (a table of contents entry) that jumps to a heading.
#[derive(Debug)]
pub(crate) struct LinkArea {
    /// `[x0, y0, x1, y1]`.
    pub rect: [f32; 4],
    /// Index into the TOC entries (headings with level <= 2, without TOC titles), in document order.
    pub target: usize,
    /// The `Link` structure element the annotation belongs to.
    pub node: NodeId,
    /// Description for assistive technology.
    pub label: String,
}

/// One laid-out page.
#[derive(Debug, Default)]
pub(crate) struct Page {
    pub ops: Vec<Op>,
    pub links: Vec<LinkArea>,
}

/// Where a heading landed.
#[derive(Debug, Clone)]
pub(crate) struct HeadingPos {
    pub level: u8,
    pub text: String,
    /// 0-based page index.
    pub page: usize,
    /// Top of the heading's first line (for link and bookmark destinations).
    pub top: f32,
    /// The title of a table of contents (bookmarked, but not listed in the TOC itself).
    pub is_toc_title: bool,
}

impl HeadingPos {
    pub(crate) fn in_toc(&self) -> bool {
        self.level <= 2 && !self.is_toc_title
    }
}

/// The laid-out document.
#[derive(Debug)]
pub(crate) struct Layout {
    pub pages: Vec<Page>,
    /// Structure elements; node 0 is the `Document` root.
    pub nodes: Vec<Node>,
    pub headings: Vec<HeadingPos>,
}

/// Lay out `doc`, repeating until the table of contents shows the pages the headings actually landed on.
pub(crate) fn layout_document(doc: &Document, fonts: &Fonts) -> Result<Layout, PdfError> {
    validate(doc)?;
    let has_toc = doc.blocks.iter().any(|b| matches!(b, Block::TableOfContents));
    let mut toc_pages: Vec<usize> = Vec::new();
    let mut passes = 0;
    loop {
        let layout = Engine::new(fonts, &toc_pages).run(doc);
        passes += 1;
        if !has_toc {
            return Ok(layout);
        }
        let pages: Vec<usize> = layout.headings.iter().filter(|h| h.in_toc()).map(|h| h.page + 1).collect();
        // Four passes is a safety net against a (theoretical) oscillation; the TOC height does not depend on the
        // numbers, so in practice pass 2 confirms pass 1.
        if pages == toc_pages || passes == 4 {
            return Ok(layout);
        }
        toc_pages = pages;
    }
}

/// Reject input that cannot be laid out sensibly, with a message naming the block.
fn validate(doc: &Document) -> Result<(), PdfError> {
    let err = |i: usize, msg: String| Err(PdfError::InvalidInput(format!("block {i}: {msg}")));
    for (i, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Heading { level, text } => {
                if !(1..=3).contains(level) {
                    return err(i, format!("heading level {level} is not 1, 2 or 3"));
                }
                if text.trim().is_empty() {
                    return err(i, "empty heading".into());
                }
            }
            Block::Table { header, rows, widths, align_right } => {
                let n = header.len();
                if n == 0 {
                    return err(i, "a table needs a header row".into());
                }
                if !widths.is_empty() && widths.len() != n {
                    return err(i, format!("{} column widths for {n} columns", widths.len()));
                }
                if widths.iter().any(|w| !w.is_finite() || *w <= 0.0) {
                    return err(i, "column widths must be positive numbers".into());
                }
                if !align_right.is_empty() && align_right.len() != n {
                    return err(i, format!("{} alignments for {n} columns", align_right.len()));
                }
                if let Some((r, row)) = rows.iter().enumerate().find(|(_, row)| row.len() != n) {
                    return err(i, format!("row {r} has {} cells, the header has {n}", row.len()));
                }
            }
            Block::Figure { graphic, alt, .. } => {
                if alt.trim().is_empty() {
                    return err(i, "a figure needs alternative text".into());
                }
                if let Some(msg) = graphic_problem(graphic) {
                    return err(i, msg);
                }
            }
            Block::Spacer(h) => {
                if !h.is_finite() || *h < 0.0 {
                    return err(i, format!("spacer height {h} is not a non-negative number"));
                }
            }
            Block::Paragraph(_) | Block::Bullets(_) | Block::TableOfContents | Block::PageBreak => {}
        }
    }
    Ok(())
}

/// A description of what is wrong with a graphic, if anything.
fn graphic_problem(g: &Graphic) -> Option<String> {
    if !(g.width.is_finite() && g.height.is_finite() && g.width > 0.0 && g.height > 0.0) {
        return Some(format!("graphic size {} x {} is not positive", g.width, g.height));
    }
    let finite = |v: &[f32]| v.iter().all(|x| x.is_finite());
    for (k, shape) in g.items.iter().enumerate() {
        let ok = match shape {
            Shape::Line { from, to, width, .. } => finite(&[from.0, from.1, to.0, to.1, *width]) && *width >= 0.0,
            Shape::Rect { x, y, w, h, .. } => finite(&[*x, *y, *w, *h]),
            Shape::Polygon { points, width, .. } | Shape::Polyline { points, width, .. } => {
                points.iter().all(|p| p.0.is_finite() && p.1.is_finite()) && width.is_finite() && *width >= 0.0
            }
            Shape::Text { x, y, size, .. } => finite(&[*x, *y, *size]) && *size > 0.0,
        };
        if !ok {
            return Some(format!("shape {k} has a non-finite or negative coordinate, width or size"));
        }
    }
    None
}

/// Make text drawable on one line: control characters (tabs, newlines) become spaces.
fn single_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// The layout state for one pass.
struct Engine<'a> {
    fonts: &'a Fonts,
    /// Page numbers (1-based) of the TOC entries from the previous pass; empty in the first pass.
    toc_pages: &'a [usize],
    pages: Vec<Page>,
    /// Top of the free space on the current page.
    y: f32,
    nodes: Vec<Node>,
    headings: Vec<HeadingPos>,
    /// A [`Block::PageBreak`] was seen on a non-empty page.
    break_pending: bool,
}

const DOC: NodeId = 0;

impl<'a> Engine<'a> {
    fn new(fonts: &'a Fonts, toc_pages: &'a [usize]) -> Self {
        let root = Node { role: Role::Document, parent: None, children: Vec::new(), alt: None, bbox: None };
        Engine {
            fonts,
            toc_pages,
            pages: vec![Page::default()],
            y: TOP,
            nodes: vec![root],
            headings: Vec::new(),
            break_pending: false,
        }
    }

    fn run(mut self, doc: &Document) -> Layout {
        for (i, block) in doc.blocks.iter().enumerate() {
            // A page break takes effect when there is something to put on the new page, so that a document ending
            // in a page break has no blank last page.
            if self.break_pending && !matches!(block, Block::PageBreak) {
                self.break_pending = false;
                self.new_page();
            }
            match block {
                Block::Heading { level, text } => self.heading(*level, text, doc.blocks.get(i + 1), false),
                Block::Paragraph(spans) => self.paragraph(spans),
                Block::Bullets(items) => self.bullets(items),
                Block::Table { header, rows, widths, align_right } => self.table(header, rows, widths, align_right),
                Block::Figure { graphic, alt, caption } => self.figure(graphic, alt, caption),
                Block::TableOfContents => self.table_of_contents(doc),
                Block::PageBreak => {
                    if !self.page().ops.is_empty() {
                        self.break_pending = true;
                    }
                }
                Block::Spacer(h) => self.gap(*h),
            }
        }
        self.footers(doc);
        Layout { pages: self.pages, nodes: self.nodes, headings: self.headings }
    }

    // ---- page and node bookkeeping ----

    fn page(&mut self) -> &mut Page {
        // `pages` starts with one page and only grows.
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn page_index(&self) -> usize {
        self.pages.len() - 1
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
    }

    fn at_top(&self) -> bool {
        self.y >= TOP - 0.01
    }

    fn fits(&self, h: f32) -> bool {
        self.y - h >= MARGIN_BOTTOM - 0.01
    }

    /// Start a new page unless `h` points still fit (or the page is still empty, where waiting would not help).
    fn ensure(&mut self, h: f32) {
        if !self.fits(h) && !self.at_top() {
            self.new_page();
        }
    }

    /// Vertical space, dropped at the top of a page so that pages start flush with the margin.
    fn gap(&mut self, h: f32) {
        if !self.at_top() {
            self.y -= h;
            if self.y < MARGIN_BOTTOM {
                self.new_page();
            }
        }
    }

    fn node(&mut self, role: Role, parent: NodeId) -> NodeId {
        let id = self.nodes.len();
        self.nodes.push(Node { role, parent: Some(parent), children: Vec::new(), alt: None, bbox: None });
        self.nodes[parent].children.push(id);
        id
    }

    // ---- drawing primitives ----

    // The arguments are the fields of a `TextRun`; naming them at each call site would only add noise.
    #[allow(clippy::too_many_arguments)]
    fn text(&mut self, x: f32, y: f32, font: FontId, size: f32, color: Rgb, text: String, tag: Tag) {
        if !text.is_empty() {
            self.page().ops.push(Op::Text(TextRun { x, y, font, size, color, text, tag }));
        }
    }

    fn path(&mut self, segs: Vec<Seg>, fill: Option<Rgb>, stroke: Option<Stroke>, tag: Tag) {
        if !segs.is_empty() && (fill.is_some() || stroke.is_some()) {
            self.page().ops.push(Op::Path(PathOp { segs, fill, stroke, tag }));
        }
    }

    fn rule(&mut self, x0: f32, x1: f32, y: f32, color: Rgb, width: f32) {
        let stroke = Stroke { color, width, dash: None, round: false };
        self.path(vec![Seg::Move(x0, y), Seg::Line(x1, y)], None, Some(stroke), Tag::Artifact);
    }

    /// Draw one broken line with its left edge at `x` and its baseline at `y`.
    fn draw_line(&mut self, line: &Line, x: f32, y: f32, size: f32, color: Rgb, tag: Tag) {
        let mut x = x;
        for frag in &line.frags {
            let font = FontId::from_bold(frag.bold);
            let w = self.fonts.width(font, &frag.text, size);
            self.text(x, y, font, size, color, frag.text.clone(), tag);
            x += w;
        }
    }

    fn lines(&self, spans: &[Span], width: f32, size: f32) -> Vec<Line> {
        let fonts = self.fonts;
        break_lines(spans, width, &|t: &str, bold: bool| fonts.width(FontId::from_bold(bold), t, size))
    }

    // ---- blocks ----

    /// A heading, kept on the same page as the start of `next`.
    fn heading(&mut self, level: u8, text: &str, next: Option<&Block>, is_toc_title: bool) {
        let hs = heading_style(level);
        let lines = self.lines(&[Span::bold(text)], CONTENT_W, hs.style.size);
        let rule_h = if level == 1 { 4.0 } else { 0.0 };
        let height = lines.len() as f32 * hs.style.leading + rule_h;
        let keep = self.keep_height(next);
        if !self.fits(hs.before + height + hs.after + keep) && !self.at_top() {
            self.new_page();
        }
        self.gap(hs.before);
        let role = match level {
            1 => Role::H1,
            2 => Role::H2,
            _ => Role::H3,
        };
        let node = self.node(role, DOC);
        let page = self.page_index();
        self.headings.push(HeadingPos { level, text: single_line(text), page, top: self.y, is_toc_title });
        for line in &lines {
            let y = baseline(self.y, hs.style);
            self.draw_line(line, MARGIN_X, y, hs.style.size, HEADING, Tag::Node(node));
            self.y -= hs.style.leading;
        }
        if level == 1 {
            // A thin rule under chapter headings; decoration only.
            self.rule(MARGIN_X, MARGIN_X + CONTENT_W, self.y - 1.0, HEADING, 0.8);
            self.y -= rule_h;
        }
        self.y -= hs.after;
    }

    /// Height of the start of a block that a heading before it should stay with (roughly two lines or the first
    /// table rows; a whole figure).
    fn keep_height(&self, next: Option<&Block>) -> f32 {
        match next {
            Some(Block::Paragraph(_)) | Some(Block::Bullets(_)) => 2.0 * BODY.leading,
            Some(Block::Table { .. }) => 3.0 * (TABLE.leading + 2.0 * TABLE_PAD_Y),
            Some(Block::Figure { graphic, caption, .. }) => {
                let (_, h) = figure_scale(graphic);
                h + if caption.is_empty() { 0.0 } else { 4.0 + CAPTION.leading }
            }
            Some(Block::Heading { level, .. }) => {
                let hs = heading_style(*level);
                hs.before + hs.style.leading + hs.after + 2.0 * BODY.leading
            }
            Some(Block::TableOfContents) => 3.0 * TOC_ENTRY.leading,
            Some(Block::PageBreak) | Some(Block::Spacer(_)) | None => 0.0,
        }
    }

    /// Body text lines with orphan and widow control: the first two and the last two lines of a paragraph of three
    /// or more lines stay together.
    fn body_lines(&mut self, lines: &[Line], x: f32, tag: Tag, mut first_line: impl FnMut(&mut Self, f32)) {
        let n = lines.len();
        for (k, line) in lines.iter().enumerate() {
            let keep = if (k == 0 && n >= 2) || (k + 2 == n && n >= 3) { 2.0 } else { 1.0 };
            self.ensure(keep * BODY.leading);
            let y = baseline(self.y, BODY);
            if k == 0 {
                first_line(self, y);
            }
            self.draw_line(line, x, y, BODY.size, TEXT, tag);
            self.y -= BODY.leading;
        }
    }

    fn paragraph(&mut self, spans: &[Span]) {
        let lines = self.lines(spans, CONTENT_W, BODY.size);
        if lines.is_empty() {
            return;
        }
        let node = self.node(Role::P, DOC);
        self.body_lines(&lines, MARGIN_X, Tag::Node(node), |_, _| {});
        self.y -= PARAGRAPH_AFTER;
    }

    fn bullets(&mut self, items: &[Vec<Span>]) {
        let all: Vec<Vec<Line>> =
            items.iter().map(|spans| self.lines(spans, CONTENT_W - LIST_INDENT, BODY.size)).collect();
        if all.iter().all(Vec::is_empty) {
            return;
        }
        let list = self.node(Role::L, DOC);
        for lines in all.iter().filter(|l| !l.is_empty()) {
            let item = self.node(Role::LI, list);
            let label = self.node(Role::Lbl, item);
            let body = self.node(Role::LBody, item);
            self.body_lines(lines, MARGIN_X + LIST_INDENT, Tag::Node(body), |engine, y| {
                engine.text(MARGIN_X + 4.0, y, FontId::Regular, BODY.size, TEXT, "•".into(), Tag::Node(label));
            });
            self.y -= LIST_ITEM_GAP;
        }
        self.y -= PARAGRAPH_AFTER - LIST_ITEM_GAP;
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>], widths: &[f32], align_right: &[bool]) {
        let n = header.len();
        let total: f32 = if widths.is_empty() { n as f32 } else { widths.iter().sum() };
        let col_w: Vec<f32> =
            (0..n).map(|i| CONTENT_W * widths.get(i).copied().unwrap_or(1.0) / total.max(f32::MIN_POSITIVE)).collect();
        let right = |i: usize| align_right.get(i).copied().unwrap_or(false);

        let cell_lines = |engine: &Self, cells: &[String], bold: bool| -> Vec<Vec<Line>> {
            cells
                .iter()
                .zip(&col_w)
                .map(|(text, w)| {
                    let span = Span { text: text.clone(), bold };
                    engine.lines(&[span], w - 2.0 * TABLE_PAD_X, TABLE.size)
                })
                .collect()
        };
        let row_height = |cells: &[Vec<Line>]| {
            cells.iter().map(Vec::len).max().unwrap_or(0).max(1) as f32 * TABLE.leading + 2.0 * TABLE_PAD_Y
        };

        let head = cell_lines(self, header, true);
        let head_h = row_height(&head);
        let body: Vec<Vec<Vec<Line>>> = rows.iter().map(|r| cell_lines(self, r, false)).collect();
        let first_h = body.first().map_or(0.0, |r| row_height(r));

        let table = self.node(Role::Table, DOC);
        let thead = self.node(Role::THead, table);
        self.ensure(head_h + first_h);
        let tr = self.node(Role::TR, thead);
        let th: Vec<Tag> = (0..n).map(|_| Tag::Node(self.node(Role::TH, tr))).collect();
        self.table_row(&head, &col_w, &right, head_h, &th, true);
        if body.is_empty() {
            self.y -= BLOCK_AFTER;
            return;
        }
        let tbody = self.node(Role::TBody, table);
        for cells in &body {
            let h = row_height(cells);
            if !self.fits(h) && !self.at_top() {
                self.new_page();
                // The repeated header is a visual aid; the tagged header row exists once, at the table's start.
                let artifacts = vec![Tag::Artifact; n];
                self.table_row(&head, &col_w, &right, head_h, &artifacts, true);
            }
            let tr = self.node(Role::TR, tbody);
            let td: Vec<Tag> = (0..n).map(|_| Tag::Node(self.node(Role::TD, tr))).collect();
            self.table_row(cells, &col_w, &right, h, &td, false);
        }
        self.y -= BLOCK_AFTER;
    }

    /// Draw one table row at the current position and move below it.
    fn table_row(
        &mut self,
        cells: &[Vec<Line>],
        col_w: &[f32],
        right: &dyn Fn(usize) -> bool,
        h: f32,
        tags: &[Tag],
        header: bool,
    ) {
        let top = self.y;
        if header {
            let rect = Seg::Rect(MARGIN_X, top - h, CONTENT_W, h);
            self.path(vec![rect], Some(HEADER_FILL), None, Tag::Artifact);
        }
        let mut x = MARGIN_X;
        for (i, lines) in cells.iter().enumerate() {
            let w = col_w.get(i).copied().unwrap_or(0.0);
            let tag = tags.get(i).copied().unwrap_or(Tag::Artifact);
            let mut line_top = top - TABLE_PAD_Y;
            for line in lines {
                let lx = if right(i) { x + w - TABLE_PAD_X - line.width } else { x + TABLE_PAD_X };
                self.draw_line(line, lx, baseline(line_top, TABLE), TABLE.size, TEXT, tag);
                line_top -= TABLE.leading;
            }
            x += w;
        }
        let (color, width) = if header { (HEADING, 0.8) } else { (RULE, 0.4) };
        self.rule(MARGIN_X, MARGIN_X + CONTENT_W, top - h, color, width);
        self.y = top - h;
    }

    fn figure(&mut self, graphic: &Graphic, alt: &str, caption: &str) {
        let (scale, h) = figure_scale(graphic);
        let w = graphic.width * scale;
        let cap_lines = self.lines(&[Span::plain(caption)], CONTENT_W, CAPTION.size);
        let cap_h = if cap_lines.is_empty() { 0.0 } else { 4.0 + cap_lines.len() as f32 * CAPTION.leading };
        self.ensure(h + cap_h);
        let x0 = MARGIN_X + (CONTENT_W - w) / 2.0;
        let top = self.y;
        let fig = self.node(Role::Figure, DOC);
        self.nodes[fig].alt = Some(alt.trim().to_string());
        self.nodes[fig].bbox = Some([x0, top - h, x0 + w, top]);
        self.shapes(graphic, x0, top, scale, Tag::Node(fig));
        self.y = top - h;
        if !cap_lines.is_empty() {
            self.y -= 4.0;
            // The caption is a sibling of the figure, not inside it: a figure's /Alt replaces all of its content
            // for assistive technology, and the caption must still be read.
            let cap = self.node(Role::Caption, DOC);
            for line in &cap_lines {
                let y = baseline(self.y, CAPTION);
                self.draw_line(line, MARGIN_X, y, CAPTION.size, MUTED, Tag::Node(cap));
                self.y -= CAPTION.leading;
            }
        }
        self.y -= BLOCK_AFTER;
    }

    /// Convert a graphic's shapes (origin top-left, y down) into page operations at (`x0`, `top`).
    fn shapes(&mut self, g: &Graphic, x0: f32, top: f32, s: f32, tag: Tag) {
        let px = |x: f32| x0 + x * s;
        let py = |y: f32| top - y * s;
        let poly = |points: &[(f32, f32)]| -> Vec<Seg> {
            points
                .iter()
                .enumerate()
                .map(|(k, &(x, y))| if k == 0 { Seg::Move(px(x), py(y)) } else { Seg::Line(px(x), py(y)) })
                .collect()
        };
        for shape in &g.items {
            match shape {
                Shape::Line { from, to, stroke, width } => {
                    let segs = vec![Seg::Move(px(from.0), py(from.1)), Seg::Line(px(to.0), py(to.1))];
                    let stroke = Stroke { color: *stroke, width: width * s, dash: None, round: true };
                    self.path(segs, None, Some(stroke), tag);
                }
                Shape::Rect { x, y, w, h, fill, stroke } => {
                    let segs = vec![Seg::Rect(px(*x), py(y + h), w * s, h * s)];
                    let stroke = stroke.map(|color| Stroke { color, width: 0.5 * s, dash: None, round: false });
                    self.path(segs, *fill, stroke, tag);
                }
                Shape::Polygon { points, fill, stroke, width } => {
                    if points.len() >= 2 {
                        let mut segs = poly(points);
                        segs.push(Seg::Close);
                        let stroke = stroke.map(|color| Stroke { color, width: width * s, dash: None, round: true });
                        self.path(segs, *fill, stroke, tag);
                    }
                }
                Shape::Polyline { points, stroke, width } => {
                    if points.len() >= 2 {
                        let stroke = Stroke { color: *stroke, width: width * s, dash: None, round: true };
                        self.path(poly(points), None, Some(stroke), tag);
                    }
                }
                Shape::Text { x, y, size, text, bold, anchor, fill } => {
                    let font = FontId::from_bold(*bold);
                    let size = size * s;
                    let text = single_line(text);
                    let w = self.fonts.width(font, &text, size);
                    let x = match anchor {
                        Anchor::Start => px(*x),
                        Anchor::Middle => px(*x) - w / 2.0,
                        Anchor::End => px(*x) - w,
                    };
                    self.text(x, py(*y), font, size, *fill, text, tag);
                }
            }
        }
    }

    /// The table of contents: a title (tagged H1, bookmarked) and one linked entry per level 1-2 heading.
    fn table_of_contents(&mut self, doc: &Document) {
        let title = if doc.toc_title.trim().is_empty() { "Inhoud" } else { doc.toc_title.as_str() };
        self.heading(1, title, Some(&Block::TableOfContents), true);
        let entries: Vec<(u8, &str)> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, text } if *level <= 2 => Some((*level, text.as_str())),
                _ => None,
            })
            .collect();
        if entries.is_empty() {
            return;
        }
        let toc = self.node(Role::Toc, DOC);
        let right = MARGIN_X + CONTENT_W;
        for (k, (level, text)) in entries.into_iter().enumerate() {
            let bold = level == 1;
            let font = FontId::from_bold(bold);
            let indent = if level == 1 { 0.0 } else { TOC_INDENT };
            let text = single_line(text);
            let lines =
                self.lines(&[Span { text: text.clone(), bold }], CONTENT_W - indent - TOC_NUMBER_W, TOC_ENTRY.size);
            if level == 1 {
                self.gap(4.0);
            }
            self.ensure(lines.len() as f32 * TOC_ENTRY.leading);
            let item = self.node(Role::Toci, toc);
            let link = self.node(Role::Link, item);
            let tag = Tag::Node(link);
            let top = self.y;
            let mut end_x = MARGIN_X + indent;
            let mut y = baseline(self.y, TOC_ENTRY);
            for line in &lines {
                y = baseline(self.y, TOC_ENTRY);
                self.draw_line(line, MARGIN_X + indent, y, TOC_ENTRY.size, TEXT, tag);
                end_x = MARGIN_X + indent + line.width;
                self.y -= TOC_ENTRY.leading;
            }
            let number = self.toc_pages.get(k).map(|p| p.to_string()).unwrap_or_default();
            let num_w = self.fonts.width(font, &number, TOC_ENTRY.size);
            // Dotted leader between the text and the number: decoration, so it never ends up in extracted text.
            let (x0, x1) = (end_x + 4.0, right - num_w - 4.0);
            if x1 > x0 {
                let dots = Stroke { color: MUTED, width: 0.8, dash: Some([0.8, 2.6]), round: true };
                self.path(vec![Seg::Move(x0, y + 1.0), Seg::Line(x1, y + 1.0)], None, Some(dots), Tag::Artifact);
            }
            // A space first, so that extraction reads "Inleiding 3" rather than "Inleiding3".
            let spaced = format!(" {number}");
            let space_w = self.fonts.width(font, " ", TOC_ENTRY.size);
            self.text(right - num_w - space_w, y, font, TOC_ENTRY.size, TEXT, spaced, tag);
            let rect = [MARGIN_X + indent, self.y, right, top];
            let label = format!("{text} ({number})");
            self.page().links.push(LinkArea { rect, target: k, node: link, label });
        }
        self.y -= BLOCK_AFTER;
    }

    /// The running footer on every page: the document title on the left, "Pagina N van M" on the right.
    fn footers(&mut self, doc: &Document) {
        let total = self.pages.len();
        let of = match doc.lang.split('-').next().unwrap_or("") {
            "nl" => "van",
            "en" => "of",
            _ => "/",
        };
        let title = single_line(&doc.title);
        for i in 0..total {
            let label = if doc.page_label.is_empty() {
                format!("{} {of} {total}", i + 1)
            } else {
                format!("{} {} {of} {total}", single_line(&doc.page_label), i + 1)
            };
            let label_w = self.fonts.width(FontId::Regular, &label, FOOTER_SIZE);
            let title = self.fit_text(&title, CONTENT_W - label_w - 24.0, FOOTER_SIZE);
            let page = &mut self.pages[i];
            let line = Stroke { color: RULE, width: 0.4, dash: None, round: false };
            let y = FOOTER_BASELINE + 11.0;
            let rule = vec![Seg::Move(MARGIN_X, y), Seg::Line(MARGIN_X + CONTENT_W, y)];
            page.ops.push(Op::Path(PathOp { segs: rule, fill: None, stroke: Some(line), tag: Tag::Footer }));
            for (x, text) in [(MARGIN_X, title), (MARGIN_X + CONTENT_W - label_w, label)] {
                if !text.is_empty() {
                    page.ops.push(Op::Text(TextRun {
                        x,
                        y: FOOTER_BASELINE,
                        font: FontId::Regular,
                        size: FOOTER_SIZE,
                        color: MUTED,
                        text,
                        tag: Tag::Footer,
                    }));
                }
            }
        }
    }

    /// `text` shortened with an ellipsis to fit `width`.
    fn fit_text(&self, text: &str, width: f32, size: f32) -> String {
        if self.fonts.width(FontId::Regular, text, size) <= width {
            return text.to_string();
        }
        let mut out: String = text.to_string();
        while !out.is_empty() && self.fonts.width(FontId::Regular, &format!("{out}…"), size) > width {
            out.pop();
        }
        if out.is_empty() {
            out
        } else {
            format!("{}…", out.trim_end())
        }
    }
}

/// Scale factor and scaled height for a graphic: never enlarged, shrunk to the text width, and to at most the page
/// height minus room for a caption.
fn figure_scale(g: &Graphic) -> (f32, f32) {
    let max_h = TOP - MARGIN_BOTTOM - 4.0 * CAPTION.leading;
    let s = (CONTENT_W / g.width).min(max_h / g.height).min(1.0);
    (s, g.height * s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(blocks: Vec<Block>) -> Document {
        Document {
            title: "Test".into(),
            author: "Tester".into(),
            lang: "nl".into(),
            created: "2026-11-27".into(),
            blocks,
            page_label: "Pagina".into(),
            toc_title: "Inhoud".into(),
        }
    }

    fn para(n: usize) -> Block {
        Block::Paragraph(vec![Span::plain("woord ".repeat(n))])
    }

    #[test]
    fn text_stays_within_margins() {
        let fonts = Fonts::load().unwrap();
        let blocks = (0..40).map(|_| para(120)).collect();
        let layout = layout_document(&doc(blocks), &fonts).unwrap();
        assert!(layout.pages.len() > 3);
        for page in &layout.pages {
            for op in &page.ops {
                if let Op::Text(t) = op {
                    let w = fonts.width(t.font, &t.text, t.size);
                    assert!(t.x >= MARGIN_X - 0.01 && t.x + w <= PAGE_W - MARGIN_X + 0.01, "{t:?}");
                    if t.tag != Tag::Footer {
                        assert!(t.y >= MARGIN_BOTTOM - 5.0 && t.y <= TOP, "{t:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn heading_moves_to_the_next_page_with_its_paragraph() {
        let fonts = Fonts::load().unwrap();
        // One line of text (14.5 + 7 pt), then white space that leaves 40 pt on the page: room for an H2 (14 + 18.5
        // + 6 pt) but not for the H2 plus two lines of the paragraph after it.
        let room = 40.0;
        let spacer = TOP - MARGIN_BOTTOM - BODY.leading - PARAGRAPH_AFTER - room;
        let start = vec![Block::Paragraph(vec![Span::plain("Eerste regel.")]), Block::Spacer(spacer)];
        let heading = Block::Heading { level: 2, text: "Volgende sectie".into() };

        let mut kept = start.clone();
        kept.extend([heading.clone(), para(60)]);
        let layout = layout_document(&doc(kept), &fonts).unwrap();
        assert_eq!(layout.headings[0].page, 1, "heading stranded at the bottom of page 1");
        assert_eq!(layout.headings[0].top, TOP, "heading starts the new page");

        // Control: with nothing after it, the same heading fits on the first page.
        let mut alone = start;
        alone.push(heading);
        let layout = layout_document(&doc(alone), &fonts).unwrap();
        assert_eq!(layout.headings[0].page, 0);
        assert_eq!(layout.pages.len(), 1);
    }

    #[test]
    fn figure_is_scaled_to_the_text_width_and_flipped_to_pdf_coordinates() {
        let fonts = Fonts::load().unwrap();
        // Twice the text width: drawn at half size. A 10 x 10 square at the graphic's top-left corner.
        let width = 2.0 * CONTENT_W;
        let square = Shape::Rect { x: 0.0, y: 0.0, w: 10.0, h: 10.0, fill: Some(TEXT), stroke: None };
        let graphic = Graphic { width, height: 200.0, items: vec![square] };
        let figure = Block::Figure { graphic, alt: "Een vierkant".into(), caption: String::new() };
        let layout = layout_document(&doc(vec![figure]), &fonts).unwrap();
        let node = layout.nodes.iter().find(|n| n.role == Role::Figure).unwrap();
        let [x0, y0, x1, y1] = node.bbox.unwrap();
        assert!((x1 - x0 - CONTENT_W).abs() < 0.01 && (y1 - y0 - 100.0).abs() < 0.01, "{:?}", node.bbox);
        assert_eq!(y1, TOP, "the figure starts at the top margin");
        let rect = layout.pages[0].ops.iter().find_map(|op| match op {
            Op::Path(p) if p.tag != Tag::Footer => Some(p.segs[0]),
            _ => None,
        });
        // The square's bottom-left corner in PDF space is 5 pt (10 pt scaled by 0.5) below the figure's top.
        match rect {
            Some(Seg::Rect(x, y, w, h)) => {
                assert!((x - x0).abs() < 0.01 && (y - (y1 - 5.0)).abs() < 0.01 && w == 5.0 && h == 5.0)
            }
            other => panic!("expected a rectangle, got {other:?}"),
        }
    }

    #[test]
    fn toc_converges_and_links_every_heading() {
        let fonts = Fonts::load().unwrap();
        let mut blocks = vec![Block::TableOfContents, Block::PageBreak];
        for i in 0..5 {
            blocks.push(Block::Heading { level: 1, text: format!("Hoofdstuk {i}") });
            blocks.push(para(400));
            blocks.push(Block::PageBreak);
        }
        let layout = layout_document(&doc(blocks), &fonts).unwrap();
        let links: Vec<&LinkArea> = layout.pages[0].links.iter().collect();
        assert_eq!(links.len(), 5);
        let toc_headings: Vec<&HeadingPos> = layout.headings.iter().filter(|h| h.in_toc()).collect();
        for link in links {
            let h = toc_headings[link.target];
            assert!(link.label.ends_with(&format!("({})", h.page + 1)), "{} vs {}", link.label, h.page + 1);
        }
    }

    #[test]
    fn rejects_bad_input() {
        let fonts = Fonts::load().unwrap();
        let bad = [
            Block::Heading { level: 4, text: "x".into() },
            Block::Table { header: vec![], rows: vec![], widths: vec![], align_right: vec![] },
            Block::Table { header: vec!["a".into()], rows: vec![vec![]], widths: vec![], align_right: vec![] },
            Block::Figure {
                graphic: Graphic { width: 10.0, height: 10.0, items: vec![] },
                alt: " ".into(),
                caption: "".into(),
            },
            Block::Figure {
                graphic: Graphic { width: f32::NAN, height: 10.0, items: vec![] },
                alt: "a".into(),
                caption: "".into(),
            },
            Block::Spacer(-1.0),
        ];
        for block in bad {
            let r = layout_document(&doc(vec![block.clone()]), &fonts);
            assert!(matches!(r, Err(PdfError::InvalidInput(_))), "{block:?} accepted");
        }
    }
}
