//! The two bundled fonts (DejaVu Sans and DejaVu Sans Bold): glyph lookup and text measurement for the layout,
//! and embedding as subset CID fonts for the writer.
//!
//! Why CID fonts (Type0 / CIDFontType2 with Identity-H): they address glyphs by 16-bit id, so any character the
//! font has can be used (Dutch diacritics, typographic quotes, en dashes, ...) without building single-byte
//! encodings, and a ToUnicode CMap maps each glyph back to its character so that text extraction and screen readers
//! get the real text. The fonts are subset to the glyphs used, which keeps a report at tens of kilobytes of font data
//! instead of 1.4 MB.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Chunk, Filter, Finish, Name, Rect, Ref, Str};
use ttf_parser::{Face, GlyphId};

use crate::PdfError;

/// DejaVu Sans 2.37 (licence: fonts/LICENSE).
static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold 2.37 (licence: fonts/LICENSE).
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Which of the two fonts a piece of text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum FontId {
    Regular,
    Bold,
}

impl FontId {
    pub(crate) fn from_bold(bold: bool) -> Self {
        if bold {
            FontId::Bold
        } else {
            FontId::Regular
        }
    }

    /// Resource name used in page content streams.
    pub(crate) fn resource_name(self) -> Name<'static> {
        match self {
            FontId::Regular => Name(b"F1"),
            FontId::Bold => Name(b"F2"),
        }
    }
}

/// One parsed font.
pub(crate) struct Font {
    data: &'static [u8],
    face: Face<'static>,
    /// Font units per em, as f32 for the measuring arithmetic.
    upem: f32,
    /// Glyph drawn for characters the font lacks. '?' rather than .notdef (an empty box) so that the page and the
    /// extracted text agree on what is shown.
    fallback: GlyphId,
    /// PostScript name used in the PDF font dictionaries.
    ps_name: &'static str,
}

impl Font {
    fn load(data: &'static [u8], ps_name: &'static str) -> Result<Self, PdfError> {
        let face = Face::parse(data, 0).map_err(|e| PdfError::Font(format!("{ps_name}: {e}")))?;
        let fallback = face.glyph_index('?').unwrap_or(GlyphId(0));
        let upem = f32::from(face.units_per_em().max(1));
        Ok(Font { data, face, upem, fallback, ps_name })
    }

    /// The glyph that draws `c` in this font (the fallback glyph if the font has none).
    pub(crate) fn glyph(&self, c: char) -> GlyphId {
        self.face.glyph_index(c).unwrap_or(self.fallback)
    }

    /// The character the glyph for `c` stands for in extracted text: `c` itself, or '?' for the fallback.
    pub(crate) fn shown_char(&self, c: char) -> char {
        if self.face.glyph_index(c).is_some() {
            c
        } else {
            '?'
        }
    }

    /// Horizontal advance of a glyph in font units.
    fn advance_units(&self, g: GlyphId) -> f32 {
        f32::from(self.face.glyph_hor_advance(g).unwrap_or(0))
    }

    /// Width of `text` at `size` points, as the sum of the glyph advances. There is no kerning or shaping: the
    /// writer places the same glyphs one after the other, so this is exactly the drawn width.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text.chars().map(|c| self.advance_units(self.glyph(c))).sum();
        units * size / self.upem
    }

    /// Advance width in PDF glyph space (1/1000 em), as the `/W` array wants it.
    fn advance_1000(&self, g: GlyphId) -> f32 {
        self.advance_units(g) * 1000.0 / self.upem
    }

    fn scale_1000(&self, v: i16) -> f32 {
        f32::from(v) * 1000.0 / self.upem
    }
}

/// Both bundled fonts.
pub(crate) struct Fonts {
    regular: Font,
    bold: Font,
}

impl Fonts {
    pub(crate) fn load() -> Result<Self, PdfError> {
        Ok(Fonts { regular: Font::load(REGULAR, "DejaVuSans")?, bold: Font::load(BOLD, "DejaVuSans-Bold")? })
    }

    pub(crate) fn get(&self, id: FontId) -> &Font {
        match id {
            FontId::Regular => &self.regular,
            FontId::Bold => &self.bold,
        }
    }

    /// Width of `text` set in `font` at `size` points.
    pub(crate) fn width(&self, font: FontId, text: &str, size: f32) -> f32 {
        self.get(font).width(text, size)
    }
}

/// The glyphs one font actually draws in a document, collected before any content stream is written because the
/// subset renumbers glyphs and the content streams must use the new numbers.
#[derive(Default)]
pub(crate) struct GlyphUsage {
    /// Original glyph id -> the character it stands for (first one seen; a glyph reached from two characters, e.g.
    /// a space and a no-break space, can only map back to one of them in ToUnicode).
    glyphs: BTreeMap<u16, char>,
}

impl GlyphUsage {
    pub(crate) fn add_text(&mut self, font: &Font, text: &str) {
        for c in text.chars() {
            let g = font.glyph(c).0;
            self.glyphs.entry(g).or_insert_with(|| font.shown_char(c));
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.glyphs.is_empty()
    }
}

/// A font prepared for embedding: the subset program and the mapping from original to new glyph ids.
pub(crate) struct EmbeddedFont {
    /// Original glyph id -> glyph id in the subset (= CID in the content streams, since CIDToGIDMap is Identity).
    new_ids: BTreeMap<u16, u16>,
    /// New glyph id -> (character, advance in 1/1000 em), in glyph id order.
    metrics: Vec<(u16, char, f32)>,
    program: Vec<u8>,
    /// Subset font name: a tag derived from the glyph set plus the PostScript name, as PDF requires for subsets.
    base_name: String,
}

impl EmbeddedFont {
    /// Subset `font` to the glyphs in `usage`.
    pub(crate) fn new(font: &Font, usage: &GlyphUsage) -> Result<Self, PdfError> {
        // Glyph 0 (.notdef) must stay glyph 0; then the used glyphs in ascending original order, so the numbering
        // (and therefore the output) depends only on the set of glyphs, not on the order they were met.
        let mut remapper = subsetter::GlyphRemapper::new();
        remapper.remap(0);
        let mut new_ids = BTreeMap::new();
        let mut metrics = Vec::with_capacity(usage.glyphs.len());
        for (&old, &c) in &usage.glyphs {
            if old == 0 {
                // Already mapped to itself above; keeping it out of `metrics` keeps the new ids there consecutive.
                new_ids.insert(0, 0);
                continue;
            }
            let new = remapper.remap(old);
            new_ids.insert(old, new);
            metrics.push((new, c, font.advance_1000(GlyphId(old))));
        }
        let program = subsetter::subset(font.data, 0, &remapper)
            .map_err(|e| PdfError::Font(format!("subsetting {}: {e}", font.ps_name)))?;
        let base_name = format!("{}+{}", subset_tag(usage.glyphs.keys().copied()), font.ps_name);
        Ok(EmbeddedFont { new_ids, metrics, program, base_name })
    }

    /// Encode `text` as Identity-H character codes (big-endian 16-bit new glyph ids).
    pub(crate) fn encode(&self, font: &Font, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            // Every glyph of every text run was registered in the usage before subsetting; 0 (.notdef) is only a
            // safety net and would show as an empty box, never as a wrong character.
            let new = self.new_ids.get(&font.glyph(c).0).copied().unwrap_or(0);
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }

    /// Write the Type0 font, its CIDFont, descriptor, font program and ToUnicode CMap. `type0` is the reference
    /// pages use; the other four references are taken from `alloc`.
    pub(crate) fn write(&self, chunk: &mut Chunk, font: &Font, type0: Ref, alloc: &mut impl FnMut() -> Ref) {
        let cid_ref = alloc();
        let descriptor_ref = alloc();
        let file_ref = alloc();
        let cmap_ref = alloc();
        let name = Name(self.base_name.as_bytes());
        let system_info = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };

        chunk
            .type0_font(type0)
            .base_font(name)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_ref)
            .to_unicode(cmap_ref);

        let mut cid = chunk.cid_font(cid_ref);
        cid.subtype(CidFontType::Type2)
            .base_font(name)
            .system_info(system_info)
            .font_descriptor(descriptor_ref)
            .cid_to_gid_map_predefined(Name(b"Identity"))
            .default_width(0.0);
        {
            let mut widths = cid.widths();
            // New ids are consecutive from 1 (0 is .notdef), so one run covers them all.
            widths.consecutive(1, self.metrics.iter().map(|m| m.2));
        }
        cid.finish();

        let face = &font.face;
        let bbox = face.global_bounding_box();
        let weight = face.weight().to_number();
        // The usual estimate of the dominant vertical stem width from the weight class (PDF needs some value).
        let stem_v = 10.0 + 0.244 * (f32::from(weight) - 50.0);
        chunk
            .font_descriptor(descriptor_ref)
            .name(name)
            .family(Str(b"DejaVu Sans"))
            .weight(weight)
            // Symbolic: the font's glyphs are addressed by CID, not by a standard Latin encoding.
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                font.scale_1000(bbox.x_min),
                font.scale_1000(bbox.y_min),
                font.scale_1000(bbox.x_max),
                font.scale_1000(bbox.y_max),
            ))
            .italic_angle(face.italic_angle())
            .ascent(font.scale_1000(face.ascender()))
            .descent(font.scale_1000(face.descender()))
            .cap_height(font.scale_1000(face.capital_height().unwrap_or(face.ascender())))
            .stem_v(stem_v)
            .font_file2(file_ref);

        let compressed = crate::writer::deflate(&self.program);
        chunk
            .stream(file_ref, &compressed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), i32::try_from(self.program.len()).unwrap_or(i32::MAX));

        let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
        for &(new, c, _) in &self.metrics {
            cmap.pair(new, c);
        }
        let cmap_data = crate::writer::deflate(&cmap.finish());
        chunk.stream(cmap_ref, &cmap_data).filter(Filter::FlateDecode);
    }
}

/// Six capital letters identifying a subset, derived from its glyph set (FNV-1a) so that it is deterministic and
/// different subsets of the same font in different files get different tags.
fn subset_tag(glyphs: impl Iterator<Item = u16>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for g in glyphs {
        for b in g.to_be_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6)
        .map(|_| {
            let c = char::from(b'A' + (h % 26) as u8);
            h /= 26;
            c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_have_dutch_glyphs() {
        let fonts = Fonts::load().unwrap();
        for c in "éëïüÉ’‘“”–€½•".chars() {
            assert_ne!(fonts.get(FontId::Regular).face.glyph_index(c), None, "regular lacks {c}");
            assert_ne!(fonts.get(FontId::Bold).face.glyph_index(c), None, "bold lacks {c}");
        }
    }

    #[test]
    fn bold_is_wider_and_width_is_additive() {
        let fonts = Fonts::load().unwrap();
        let r = fonts.width(FontId::Regular, "Leefbaarheid", 10.0);
        let b = fonts.width(FontId::Bold, "Leefbaarheid", 10.0);
        assert!(b > r && r > 40.0 && r < 80.0, "regular {r}, bold {b}");
        let ab = fonts.width(FontId::Regular, "ab", 10.0);
        let a = fonts.width(FontId::Regular, "a", 10.0);
        let bb = fonts.width(FontId::Regular, "b", 10.0);
        assert!((ab - a - bb).abs() < 1e-4);
    }

    #[test]
    fn missing_glyph_falls_back_to_question_mark() {
        let fonts = Fonts::load().unwrap();
        let f = fonts.get(FontId::Regular);
        // A private-use code point: no font has it.
        assert_eq!(f.glyph('\u{E000}'), f.glyph('?'));
        assert_eq!(f.shown_char('\u{E000}'), '?');
    }

    #[test]
    fn subset_is_small_and_tag_is_stable() {
        let fonts = Fonts::load().unwrap();
        let f = fonts.get(FontId::Regular);
        let mut usage = GlyphUsage::default();
        usage.add_text(f, "Pagina 2 van 9");
        let a = EmbeddedFont::new(f, &usage).unwrap();
        let b = EmbeddedFont::new(f, &usage).unwrap();
        assert_eq!(a.program, b.program);
        assert_eq!(a.base_name, b.base_name);
        assert!(a.program.len() < 20_000, "subset is {} bytes", a.program.len());
        assert_eq!(a.encode(f, "a").len(), 2);
        assert!(a.base_name.ends_with("+DejaVuSans") && a.base_name.len() == "ABCDEF+DejaVuSans".len());
    }
}
