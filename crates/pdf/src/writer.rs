//! Serialisation of a [`Layout`] into PDF objects with `pdf-writer`: page content streams with marked content, the
//! structure tree and its parent tree, link annotations, outline (bookmarks), fonts and document metadata.
//!
//! Determinism: object numbers are handed out in a fixed order, every collection is iterated in a defined order
//! (vectors and B-trees, no hash maps), compression is deterministic, there is no clock, and the file identifier is
//! a hash of the document body. The dates from [`Document::created`] are written last, after that hash, so that
//! two renderings that differ only in the date differ only in the metadata.

use pdf_writer::types::{
    ActionType, AnnotationFlags, AnnotationType, ArtifactSubtype, ArtifactType, LineCapStyle, LineJoinStyle,
    ListNumbering, NumberingStyle, PageMode, StructRole, TabOrder, TableHeaderScope,
};
use pdf_writer::writers::{PageLabel, StructTreeRoot};
use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Settings, Str, TextStr};

use crate::font::{EmbeddedFont, FontId, Fonts, GlyphUsage};
use crate::layout::{HeadingPos, Layout, Op, Role, Seg, Tag, MARGIN_X, PAGE_H, PAGE_W};
use crate::{Document, PdfError, Rgb};

/// zlib compression at the default level: deterministic for a given input.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// A validated creation date in the two forms the file needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocDate {
    pdf: Date,
    /// ISO 8601 form for XMP.
    xmp: String,
}

/// Parse `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS][Z]` (time in UTC). Empty means no date.
pub(crate) fn parse_date(s: &str) -> Result<Option<DocDate>, PdfError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || PdfError::InvalidDate(s.to_string());
    let num = |part: &str, len: usize, max: u16, min: u16| -> Result<u16, PdfError> {
        if part.len() != len || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let v: u16 = part.parse().map_err(|_| bad())?;
        if v < min || v > max {
            return Err(bad());
        }
        Ok(v)
    };
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t.strip_suffix('Z').unwrap_or(t))),
        None => (s, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return Err(bad()) };
    let (y, m, d) = (num(y, 4, 9999, 0)?, num(m, 2, 12, 1)?, num(d, 2, 31, 1)?);
    // The numbers are range-checked above, so the narrowing casts below are exact.
    let mut pdf = Date::new(y).month(m as u8).day(d as u8);
    let mut xmp = format!("{y:04}-{m:02}-{d:02}");
    if let Some(t) = time {
        let parts: Vec<&str> = t.split(':').collect();
        let (hh, mm, ss) = match parts.as_slice() {
            [h, m] => (num(h, 2, 23, 0)?, num(m, 2, 59, 0)?, 0),
            [h, m, s] => (num(h, 2, 23, 0)?, num(m, 2, 59, 0)?, num(s, 2, 59, 0)?),
            _ => return Err(bad()),
        };
        pdf = pdf.hour(hh as u8).minute(mm as u8).second(ss as u8).utc_offset_hour(0);
        xmp = format!("{xmp}T{hh:02}:{mm:02}:{ss:02}Z");
    }
    Ok(Some(DocDate { pdf, xmp }))
}

/// Hands out object numbers in order.
struct Refs(i32);

impl Refs {
    fn bump(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

/// A child of a structure element in the written tree.
enum Kid {
    Node(usize),
    /// Marked content on a page.
    Content {
        page: usize,
        mcid: i32,
    },
    /// A link annotation on a page.
    Annot {
        page: usize,
        annot: Ref,
    },
}

fn struct_role(role: Role) -> StructRole {
    match role {
        Role::Document => StructRole::Document,
        Role::H1 => StructRole::H1,
        Role::H2 => StructRole::H2,
        Role::H3 => StructRole::H3,
        Role::P => StructRole::P,
        Role::L => StructRole::L,
        Role::LI => StructRole::LI,
        Role::Lbl => StructRole::Lbl,
        Role::LBody => StructRole::LBody,
        Role::Table => StructRole::Table,
        Role::THead => StructRole::THead,
        Role::TBody => StructRole::TBody,
        Role::TR => StructRole::TR,
        Role::TH => StructRole::TH,
        Role::TD => StructRole::TD,
        Role::Figure => StructRole::Figure,
        Role::Caption => StructRole::Caption,
        Role::Toc => StructRole::TOC,
        Role::Toci => StructRole::TOCI,
        Role::Link => StructRole::Link,
    }
}

fn rgb(c: Rgb) -> (f32, f32, f32) {
    (f32::from(c.0) / 255.0, f32::from(c.1) / 255.0, f32::from(c.2) / 255.0)
}

fn font_index(id: FontId) -> usize {
    match id {
        FontId::Regular => 0,
        FontId::Bold => 1,
    }
}

/// Write the whole file.
pub(crate) fn write_pdf(
    doc: &Document,
    fonts: &Fonts,
    layout: Layout,
    date: Option<DocDate>,
) -> Result<Vec<u8>, PdfError> {
    let Layout { pages, nodes, headings } = layout;
    let mut pdf = Pdf::with_settings(Settings { pretty: false });
    let mut refs = Refs(0);
    let catalog_ref = refs.bump();
    let page_tree_ref = refs.bump();
    let struct_root_ref = refs.bump();
    let page_label_ref = refs.bump();
    let info_ref = refs.bump();
    let xmp_ref = refs.bump();
    let font_refs = [refs.bump(), refs.bump()];
    let page_refs: Vec<Ref> = pages.iter().map(|_| refs.bump()).collect();
    let node_refs: Vec<Ref> = nodes.iter().map(|_| refs.bump()).collect();

    // Fonts first: content streams need the subsets' glyph numbering.
    let mut usage = [GlyphUsage::default(), GlyphUsage::default()];
    for op in pages.iter().flat_map(|p| &p.ops) {
        if let Op::Text(t) = op {
            usage[font_index(t.font)].add_text(fonts.get(t.font), &t.text);
        }
    }
    let mut embedded: [Option<EmbeddedFont>; 2] = [None, None];
    for id in [FontId::Regular, FontId::Bold] {
        let i = font_index(id);
        if !usage[i].is_empty() {
            let font = EmbeddedFont::new(fonts.get(id), &usage[i])?;
            font.write(&mut pdf, fonts.get(id), font_refs[i], &mut || refs.bump());
            embedded[i] = Some(font);
        }
    }

    // Pages: content streams, parent-tree arrays, link annotations.
    let mut kids: Vec<Vec<Kid>> = nodes.iter().map(|n| n.children.iter().map(|&c| Kid::Node(c)).collect()).collect();
    let mut parent_tree: Vec<(i32, Ref)> = Vec::new();
    let mut annot_parents: Vec<Ref> = Vec::new();
    let toc_targets: Vec<&HeadingPos> = headings.iter().filter(|h| h.in_toc()).collect();
    for (pi, page) in pages.iter().enumerate() {
        let mut content = Content::with_settings(Settings { pretty: false });
        let mut current: Option<Tag> = None;
        let mut mcid_owners: Vec<Ref> = Vec::new();
        for op in &page.ops {
            let tag = op.tag();
            if current != Some(tag) {
                if current.is_some() {
                    content.end_marked_content();
                }
                match tag {
                    Tag::Node(n) => {
                        let mcid = i32::try_from(mcid_owners.len()).unwrap_or(i32::MAX);
                        let name = struct_role(nodes[n].role).to_name();
                        content.begin_marked_content_with_properties(name).properties().identify(mcid);
                        kids[n].push(Kid::Content { page: pi, mcid });
                        mcid_owners.push(node_refs[n]);
                    }
                    Tag::Artifact => {
                        content
                            .begin_marked_content_with_properties(Name(b"Artifact"))
                            .properties()
                            .artifact()
                            .kind(ArtifactType::Layout);
                    }
                    Tag::Footer => {
                        content
                            .begin_marked_content_with_properties(Name(b"Artifact"))
                            .properties()
                            .artifact()
                            .kind(ArtifactType::Pagination)
                            .subtype(ArtifactSubtype::Footer);
                    }
                }
                current = Some(tag);
            }
            draw(&mut content, op, fonts, &embedded);
        }
        if current.is_some() {
            content.end_marked_content();
        }
        let stream = deflate(&content.finish());
        let content_ref = refs.bump();
        pdf.stream(content_ref, &stream).filter(Filter::FlateDecode);

        let owners_ref = refs.bump();
        pdf.indirect(owners_ref).array().items(mcid_owners);
        parent_tree.push((i32::try_from(pi).unwrap_or(i32::MAX), owners_ref));

        let mut annot_refs = Vec::new();
        for link in &page.links {
            let Some(target) = toc_targets.get(link.target) else { continue };
            let annot_ref = refs.bump();
            // Annotations' parent-tree keys follow the pages' keys 0..pages.len().
            let key = i32::try_from(pages.len() + annot_parents.len()).unwrap_or(i32::MAX);
            annot_parents.push(node_refs[link.node]);
            let [x0, y0, x1, y1] = link.rect;
            let mut annot = pdf.annotation(annot_ref);
            annot
                .subtype(AnnotationType::Link)
                .rect(Rect::new(x0, y0, x1, y1))
                .contents(TextStr(&link.label))
                .flags(AnnotationFlags::PRINT)
                .border(0.0, 0.0, 0.0, None)
                .struct_parent(key);
            annot
                .action()
                .action_type(ActionType::GoTo)
                .destination()
                .page(page_refs[target.page])
                .xyz(MARGIN_X, target.top, None);
            annot.finish();
            kids[link.node].push(Kid::Annot { page: pi, annot: annot_ref });
            annot_refs.push(annot_ref);
        }

        let mut p = pdf.page(page_refs[pi]);
        p.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(page_tree_ref)
            .contents(content_ref)
            .struct_parents(i32::try_from(pi).unwrap_or(i32::MAX))
            // Tab through links in structure order, as PDF/UA requires for pages with annotations.
            .tab_order(TabOrder::StructureOrder);
        if !annot_refs.is_empty() {
            p.annotations(annot_refs);
        }
        {
            let mut resources = p.resources();
            let mut font_dict = resources.fonts();
            for id in [FontId::Regular, FontId::Bold] {
                if embedded[font_index(id)].is_some() {
                    font_dict.pair(id.resource_name(), font_refs[font_index(id)]);
                }
            }
        }
        p.finish();
    }
    pdf.pages(page_tree_ref).kids(page_refs.iter().copied()).count(i32::try_from(pages.len()).unwrap_or(i32::MAX));

    // Structure tree.
    for (n, node) in nodes.iter().enumerate() {
        let mut e = pdf.struct_element(node_refs[n]);
        e.kind(struct_role(node.role));
        e.parent(node.parent.map_or(struct_root_ref, |p| node_refs[p]));
        if let Some(alt) = &node.alt {
            e.alt(TextStr(alt));
        }
        match node.role {
            Role::Figure => {
                if let Some([x0, y0, x1, y1]) = node.bbox {
                    e.attributes().push().layout().bbox(Rect::new(x0, y0, x1, y1));
                }
            }
            Role::TH => {
                e.attributes().push().table().scope(TableHeaderScope::Column);
            }
            Role::L => {
                e.attributes().push().list().list_numbering(ListNumbering::Disc);
            }
            _ => {}
        }
        // The element's /Pg is the page of its first content; content on that page is then referenced by a bare
        // MCID, which keeps the many small elements of big tables compact. Content on other pages (a paragraph or
        // table continued overleaf) needs a full marked-content reference with its own page.
        let home = kids[n].iter().find_map(|k| match k {
            Kid::Content { page, .. } => Some(*page),
            _ => None,
        });
        if let Some(page) = home {
            e.page(page_refs[page]);
        }
        if !kids[n].is_empty() {
            let mut children = e.children();
            for kid in &kids[n] {
                match *kid {
                    Kid::Node(c) => {
                        children.struct_element(node_refs[c]);
                    }
                    Kid::Content { page, mcid } if Some(page) == home => {
                        children.marked_content_id(mcid);
                    }
                    Kid::Content { page, mcid } => {
                        children.marked_content_ref().page(page_refs[page]).marked_content_id(mcid);
                    }
                    Kid::Annot { page, annot } => {
                        children.object_ref().page(page_refs[page]).object(annot);
                    }
                }
            }
        }
    }
    {
        let mut root = pdf.indirect(struct_root_ref).start::<StructTreeRoot>();
        root.child(node_refs[0]);
        {
            let mut tree = root.parent_tree();
            let mut nums = tree.nums();
            for (key, r) in &parent_tree {
                nums.insert(*key, *r);
            }
            for (k, r) in annot_parents.iter().enumerate() {
                nums.insert(i32::try_from(pages.len() + k).unwrap_or(i32::MAX), *r);
            }
        }
        root.parent_tree_next_key(i32::try_from(pages.len() + annot_parents.len()).unwrap_or(i32::MAX));
    }

    let outline_ref = write_outline(&mut pdf, &mut refs, &headings, &page_refs);

    pdf.indirect(page_label_ref).start::<PageLabel>().style(NumberingStyle::Arabic);
    {
        let mut catalog = pdf.catalog(catalog_ref);
        catalog.pages(page_tree_ref);
        catalog.pair(Name(b"StructTreeRoot"), struct_root_ref);
        catalog.mark_info().marked(true);
        if !doc.lang.trim().is_empty() {
            catalog.lang(TextStr(doc.lang.trim()));
        }
        catalog.viewer_preferences().display_doc_title(true);
        if let Some(outline) = outline_ref {
            catalog.outlines(outline);
            catalog.page_mode(PageMode::UseOutlines);
        }
        catalog.metadata(xmp_ref);
        catalog.page_labels().nums().insert(0, page_label_ref);
    }

    // Everything above is the document body; its hash identifies the file. Metadata with the dates comes after.
    let id = file_id(pdf.as_bytes());
    pdf.set_file_id((id.clone(), id));
    {
        let mut info = pdf.document_info(info_ref);
        info.title(TextStr(&doc.title))
            .author(TextStr(&doc.author))
            .creator(TextStr("wijkmonitor"))
            .producer(TextStr(PRODUCER));
        if let Some(d) = &date {
            info.creation_date(d.pdf).modified_date(d.pdf);
        }
    }
    let xmp = xmp_packet(doc, date.as_ref());
    pdf.metadata(xmp_ref, xmp.as_bytes());
    Ok(pdf.finish())
}

const PRODUCER: &str = concat!("wijkmonitor-pdf ", env!("CARGO_PKG_VERSION"));

/// Emit the operators for one drawing operation.
fn draw(content: &mut Content, op: &Op, fonts: &Fonts, embedded: &[Option<EmbeddedFont>; 2]) {
    match op {
        Op::Text(t) => {
            // Every text run's font was registered and embedded before the pages were written.
            let Some(font) = &embedded[font_index(t.font)] else { return };
            let (r, g, b) = rgb(t.color);
            let codes = font.encode(fonts.get(t.font), &t.text);
            content.set_fill_rgb(r, g, b);
            content.begin_text();
            content.set_font(t.font.resource_name(), t.size);
            content.next_line(t.x, t.y);
            content.show(Str(&codes));
            content.end_text();
        }
        Op::Path(p) => {
            content.save_state();
            if let Some(fill) = p.fill {
                let (r, g, b) = rgb(fill);
                content.set_fill_rgb(r, g, b);
            }
            if let Some(s) = p.stroke {
                let (r, g, b) = rgb(s.color);
                content.set_stroke_rgb(r, g, b);
                content.set_line_width(s.width);
                if let Some(dash) = s.dash {
                    content.set_dash_pattern(dash, 0.0);
                }
                if s.round {
                    content.set_line_cap(LineCapStyle::RoundCap);
                    content.set_line_join(LineJoinStyle::RoundJoin);
                }
            }
            for seg in &p.segs {
                match *seg {
                    Seg::Move(x, y) => content.move_to(x, y),
                    Seg::Line(x, y) => content.line_to(x, y),
                    Seg::Rect(x, y, w, h) => content.rect(x, y, w, h),
                    Seg::Close => content.close_path(),
                };
            }
            match (p.fill.is_some(), p.stroke.is_some()) {
                (true, true) => content.fill_nonzero_and_stroke(),
                (true, false) => content.fill_nonzero(),
                _ => content.stroke(),
            };
            content.restore_state();
        }
    }
}

/// Bookmarks for level 1 and 2 headings (and TOC titles), level 2 nested under the preceding level 1.
fn write_outline(pdf: &mut Pdf, refs: &mut Refs, headings: &[HeadingPos], page_refs: &[Ref]) -> Option<Ref> {
    let items: Vec<&HeadingPos> = headings.iter().filter(|h| h.level <= 2).collect();
    if items.is_empty() {
        return None;
    }
    // (top-level item, its children), by index into `items`.
    let mut tops: Vec<(usize, Vec<usize>)> = Vec::new();
    for (k, h) in items.iter().enumerate() {
        match tops.last_mut() {
            Some((top, children)) if h.level == 2 && items[*top].level == 1 => children.push(k),
            _ => tops.push((k, Vec::new())),
        }
    }
    let root = refs.bump();
    let item_refs: Vec<Ref> = items.iter().map(|_| refs.bump()).collect();
    let write_item =
        |pdf: &mut Pdf, k: usize, parent: Ref, prev: Option<usize>, next: Option<usize>, kids: &[usize]| {
            let h = items[k];
            let mut item = pdf.outline_item(item_refs[k]);
            item.title(TextStr(&h.text)).parent(parent);
            if let Some(p) = prev {
                item.prev(item_refs[p]);
            }
            if let Some(n) = next {
                item.next(item_refs[n]);
            }
            if let (Some(first), Some(last)) = (kids.first(), kids.last()) {
                item.first(item_refs[*first]).last(item_refs[*last]).count(i32::try_from(kids.len()).unwrap_or(0));
            }
            item.dest().page(page_refs[h.page]).xyz(MARGIN_X, h.top, None);
        };
    for (t, (k, children)) in tops.iter().enumerate() {
        let prev = t.checked_sub(1).map(|p| tops[p].0);
        let next = tops.get(t + 1).map(|n| n.0);
        write_item(pdf, *k, root, prev, next, children);
        for (c, &child) in children.iter().enumerate() {
            let prev = c.checked_sub(1).map(|p| children[p]);
            let next = children.get(c + 1).copied();
            write_item(pdf, child, item_refs[*k], prev, next, &[]);
        }
    }
    let (first, last) = (tops[0].0, tops[tops.len() - 1].0);
    pdf.outline(root)
        .first(item_refs[first])
        .last(item_refs[last])
        .count(i32::try_from(items.len()).unwrap_or(i32::MAX));
    Some(root)
}

/// 16-byte file identifier: two FNV-1a 64-bit hashes with different offsets. Not cryptographic; it only has to be
/// stable for the same content and differ between documents.
fn file_id(data: &[u8]) -> Vec<u8> {
    let fnv = |mut h: u64| {
        for &b in data {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h
    };
    let mut id = fnv(0xcbf2_9ce4_8422_2325).to_be_bytes().to_vec();
    id.extend_from_slice(&fnv(0x8422_2325_cbf2_9ce4).to_be_bytes());
    id
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// XMP metadata: the title, author and language repeated in the form PDF/UA and archive validators read.
fn xmp_packet(doc: &Document, date: Option<&DocDate>) -> String {
    let mut x = String::new();
    x.push_str("<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n");
    x.push_str("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n");
    x.push_str("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");
    x.push_str("<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"");
    x.push_str(" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n");
    x.push_str("<dc:format>application/pdf</dc:format>\n");
    x.push_str(&format!(
        "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\n",
        xml_escape(&doc.title)
    ));
    x.push_str(&format!("<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>\n", xml_escape(&doc.author)));
    if !doc.lang.trim().is_empty() {
        x.push_str(&format!(
            "<dc:language><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:language>\n",
            xml_escape(doc.lang.trim())
        ));
    }
    x.push_str("<xmp:CreatorTool>wijkmonitor</xmp:CreatorTool>\n");
    if let Some(d) = date {
        x.push_str(&format!("<xmp:CreateDate>{0}</xmp:CreateDate>\n<xmp:ModifyDate>{0}</xmp:ModifyDate>\n", d.xmp));
    }
    x.push_str(&format!("<pdf:Producer>{PRODUCER}</pdf:Producer>\n"));
    x.push_str("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"r\"?>");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates() {
        assert_eq!(parse_date("").unwrap(), None);
        assert_eq!(parse_date("2026-11-27").unwrap().unwrap().xmp, "2026-11-27");
        assert_eq!(parse_date("2026-11-27T08:05").unwrap().unwrap().xmp, "2026-11-27T08:05:00Z");
        assert_eq!(parse_date("2026-11-27T08:05:09Z").unwrap().unwrap().xmp, "2026-11-27T08:05:09Z");
        for bad in ["27-11-2026", "2026-13-01", "2026-1-1", "2026-11-27T25:00", "2026-11-27 08:00", "vandaag"] {
            assert!(matches!(parse_date(bad), Err(PdfError::InvalidDate(_))), "{bad} accepted");
        }
    }

    #[test]
    fn xmp_escapes_markup() {
        let doc = Document {
            title: "A & B <C>".into(),
            author: "\"x\"".into(),
            lang: "nl".into(),
            created: String::new(),
            blocks: vec![],
            page_label: String::new(),
            toc_title: String::new(),
        };
        let x = xmp_packet(&doc, None);
        assert!(x.contains("A &amp; B &lt;C&gt;") && x.contains("&quot;x&quot;") && !x.contains("CreateDate"));
    }

    #[test]
    fn file_id_depends_on_content() {
        assert_eq!(file_id(b"abc"), file_id(b"abc"));
        assert_ne!(file_id(b"abc"), file_id(b"abd"));
        assert_eq!(file_id(b"abc").len(), 16);
    }
}
