//! Line breaking: split a run of spans into lines no wider than a given width, using measured glyph advances.
//!
//! The algorithm is greedy (fill each line as far as it goes), which is what readers expect from ragged-right text
//! and is fast and predictable. Break opportunities are spaces, zero-width spaces and the point after a hyphen or
//! slash inside a word (long Dutch compounds like "leefbaarheids-/veiligheidsindicatoren"). A no-break space
//! (U+00A0, U+202F) keeps its neighbours together ("12,5 %"). A word wider than the line is split between
//! characters as a last resort, so nothing ever runs off the page.
//!
//! Measurement is passed in as a function so that the algorithm can be unit-tested with simple widths.

use crate::Span;

/// A piece of a line set in one weight.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Frag {
    pub text: String,
    pub bold: bool,
}

/// One output line: fragments in order, and the total width.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub frags: Vec<Frag>,
    pub width: f32,
}

impl Line {
    /// The line's visible text without weight information (used by tests).
    #[cfg(test)]
    pub(crate) fn text(&self) -> String {
        self.frags.iter().map(|f| f.text.as_str()).collect::<String>().trim_end().to_string()
    }
}

/// Tokens of the input.
#[derive(Debug)]
enum Item {
    /// Unbreakable text, possibly in several weights ("**12**%").
    Word(Vec<(String, bool)>),
    /// A collapsible space in the given weight: a break opportunity that disappears at a line end.
    Space(bool),
    /// A break opportunity without a space (after a hyphen, or a zero-width space).
    Soft,
    /// A forced line break.
    Newline,
}

/// Characters after which a word may be broken, when they follow a letter.
fn breaks_after(c: char) -> bool {
    matches!(c, '-' | '/' | '\u{2010}')
}

fn tokenize(spans: &[Span]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut word: Vec<(String, bool)> = Vec::new();
    // Previous character inside the current word, to decide whether a hyphen is a break point.
    let mut prev: Option<char> = None;

    fn end_word(items: &mut Vec<Item>, word: &mut Vec<(String, bool)>) {
        if !word.is_empty() {
            items.push(Item::Word(std::mem::take(word)));
        }
    }

    for span in spans {
        for c in span.text.chars() {
            match c {
                '\n' => {
                    end_word(&mut items, &mut word);
                    items.push(Item::Newline);
                    prev = None;
                }
                '\u{200B}' => {
                    end_word(&mut items, &mut word);
                    items.push(Item::Soft);
                    prev = None;
                }
                // Soft hyphen: invisible; breaking there would need a visible hyphen, which we do not insert.
                '\u{00AD}' => {}
                '\u{00A0}' | '\u{202F}' | '\u{2007}' => {
                    push_char(&mut word, c, span.bold);
                    prev = Some(c);
                }
                c if c.is_whitespace() => {
                    end_word(&mut items, &mut word);
                    if !matches!(items.last(), Some(Item::Space(_))) {
                        items.push(Item::Space(span.bold));
                    }
                    prev = None;
                }
                // Other control characters have no glyph and no meaning in running text.
                c if c.is_control() => {}
                c => {
                    push_char(&mut word, c, span.bold);
                    if breaks_after(c) && prev.is_some_and(char::is_alphabetic) {
                        end_word(&mut items, &mut word);
                        items.push(Item::Soft);
                        prev = None;
                    } else {
                        prev = Some(c);
                    }
                }
            }
        }
    }
    end_word(&mut items, &mut word);
    items
}

fn push_char(word: &mut Vec<(String, bool)>, c: char, bold: bool) {
    match word.last_mut() {
        Some((text, b)) if *b == bold => text.push(c),
        _ => word.push((c.to_string(), bold)),
    }
}

/// Accumulates one line.
struct LineBuilder {
    frags: Vec<Frag>,
    width: f32,
}

impl LineBuilder {
    fn new() -> Self {
        LineBuilder { frags: Vec::new(), width: 0.0 }
    }

    fn is_empty(&self) -> bool {
        self.frags.is_empty()
    }

    fn push(&mut self, text: &str, bold: bool, width: f32) {
        self.width += width;
        match self.frags.last_mut() {
            Some(f) if f.bold == bold => f.text.push_str(text),
            _ => self.frags.push(Frag { text: text.to_string(), bold }),
        }
    }

    /// Append text that takes no room: the space at a line break. It is kept so that text extraction and screen
    /// readers, which join the lines of a paragraph, still see a word boundary ("naar 61,1%", not "naar61,1%").
    fn push_invisible(&mut self, text: &str, bold: bool) {
        if let Some(f) = self.frags.last_mut() {
            if f.bold == bold {
                f.text.push_str(text);
                return;
            }
        }
        self.frags.push(Frag { text: text.to_string(), bold });
    }

    fn take(&mut self) -> Line {
        let line = Line { frags: std::mem::take(&mut self.frags), width: self.width };
        self.width = 0.0;
        line
    }
}

/// What separates the last word on the line from the next one.
enum Pending {
    None,
    Space(bool),
    Soft,
}

/// Break `spans` into lines at most `max_width` wide. `measure(text, bold)` gives the width of a text; it must be
/// additive (the width of "ab" is the width of "a" plus that of "b"), which holds for unkerned glyph advances.
pub(crate) fn break_lines(spans: &[Span], max_width: f32, measure: &dyn Fn(&str, bool) -> f32) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut line = LineBuilder::new();
    let mut pending = Pending::None;

    for item in tokenize(spans) {
        match item {
            Item::Space(bold) => {
                if !line.is_empty() {
                    pending = Pending::Space(bold);
                }
            }
            Item::Soft => {
                if !line.is_empty() && matches!(pending, Pending::None) {
                    pending = Pending::Soft;
                }
            }
            Item::Newline => {
                if !line.is_empty() {
                    line.push_invisible(" ", false);
                }
                lines.push(line.take());
                pending = Pending::None;
            }
            Item::Word(pieces) => {
                let word_width: f32 = pieces.iter().map(|(t, b)| measure(t, *b)).sum();
                let glue = match pending {
                    Pending::Space(b) => Some((" ", b, measure(" ", b))),
                    Pending::Soft | Pending::None => None,
                };
                let glue_width = glue.map_or(0.0, |g| g.2);
                let joins = matches!(pending, Pending::None) && !line.is_empty();
                if !line.is_empty() && !joins && line.width + glue_width + word_width > max_width {
                    if let Some((text, bold, _)) = glue {
                        line.push_invisible(text, bold);
                    }
                    lines.push(line.take());
                } else if let Some((text, bold, w)) = glue {
                    line.push(text, bold, w);
                }
                pending = Pending::None;
                if line.width + word_width <= max_width || (line.is_empty() && word_width <= max_width) {
                    for (text, bold) in &pieces {
                        line.push(text, *bold, measure(text, *bold));
                    }
                } else {
                    // Too wide even for an empty line (or glued to text before it without a break opportunity):
                    // split between characters.
                    split_word(&pieces, max_width, measure, &mut line, &mut lines);
                }
            }
        }
    }
    if !line.is_empty() {
        lines.push(line.take());
    }
    lines
}

/// Emergency break of a word that does not fit: place characters while they fit, then start a new line. Each line
/// gets at least one character so that the loop always progresses, even if a single glyph is wider than the line.
fn split_word(
    pieces: &[(String, bool)],
    max_width: f32,
    measure: &dyn Fn(&str, bool) -> f32,
    line: &mut LineBuilder,
    lines: &mut Vec<Line>,
) {
    let mut buf = [0u8; 4];
    for (text, bold) in pieces {
        for c in text.chars() {
            let s: &str = c.encode_utf8(&mut buf);
            let w = measure(s, *bold);
            if !line.is_empty() && line.width + w > max_width {
                lines.push(line.take());
            }
            line.push(s, *bold, w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character is 1 unit wide, bold ones 2.
    fn mono(text: &str, bold: bool) -> f32 {
        text.chars().count() as f32 * if bold { 2.0 } else { 1.0 }
    }

    fn texts(spans: &[Span], width: f32) -> Vec<String> {
        break_lines(spans, width, &mono).iter().map(Line::text).collect()
    }

    #[test]
    fn fills_lines_greedily_and_drops_spaces_at_breaks() {
        let spans = [Span::plain("de buurt is veilig en leefbaar")];
        assert_eq!(texts(&spans, 11.0), ["de buurt is", "veilig en", "leefbaar"]);
        for line in break_lines(&spans, 11.0, &mono) {
            assert!(line.width <= 11.0);
            assert_eq!(line.width, mono(&line.text(), false));
        }
    }

    #[test]
    fn keeps_an_invisible_space_at_breaks_for_text_extraction() {
        let lines = break_lines(&[Span::plain("naar "), Span::bold("61,1%")], 5.0, &mono);
        assert_eq!(lines[0].frags, [Frag { text: "naar ".into(), bold: false }]);
        assert_eq!(lines[0].width, 4.0, "the trailing space takes no room");
        let lines = break_lines(&[Span::plain("een\ntwee")], 50.0, &mono);
        assert_eq!(lines[0].frags[0].text, "een ");
        // No space after a hyphen break: the word continues on the next line.
        let lines = break_lines(&[Span::plain("veiligheids-indicator")], 14.0, &mono);
        assert_eq!(lines[0].frags[0].text, "veiligheids-");
    }

    #[test]
    fn exact_fit_stays_on_the_line() {
        assert_eq!(texts(&[Span::plain("abc def")], 7.0), ["abc def"]);
        assert_eq!(texts(&[Span::plain("abc def")], 6.9), ["abc", "def"]);
    }

    #[test]
    fn collapses_runs_of_whitespace_and_trims() {
        assert_eq!(texts(&[Span::plain("  een   twee\t drie  ")], 100.0), ["een twee drie"]);
    }

    #[test]
    fn bold_spans_measure_wider_and_merge_into_fragments() {
        let spans = [Span::plain("score "), Span::bold("7,5"), Span::plain(" van 10")];
        let lines = break_lines(&spans, 100.0, &mono);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].width, 6.0 + 6.0 + 7.0);
        let weights: Vec<bool> = lines[0].frags.iter().map(|f| f.bold).collect();
        assert_eq!(weights, [false, true, false]);
        // The bold part wraps as a whole with the regular text around it.
        assert_eq!(texts(&spans, 12.0), ["score 7,5", "van 10"]);
    }

    #[test]
    fn mixed_weights_inside_a_word_do_not_break() {
        // "12%" with a bold number: one word, so no break between "12" and "%".
        let spans = [Span::plain("aaaa "), Span::bold("12"), Span::plain("%")];
        assert_eq!(texts(&spans, 8.0), ["aaaa", "12%"]);
    }

    #[test]
    fn breaks_after_hyphen_in_compounds_but_not_in_numbers() {
        assert_eq!(texts(&[Span::plain("veiligheids-indicator")], 14.0), ["veiligheids-", "indicator"]);
        assert_eq!(texts(&[Span::plain("x 2018-2026")], 9.0), ["x", "2018-2026"]);
    }

    #[test]
    fn no_break_space_keeps_number_and_unit_together() {
        assert_eq!(texts(&[Span::plain("ongeveer 12,5\u{a0}%")], 12.0), ["ongeveer", "12,5\u{a0}%"]);
    }

    #[test]
    fn newline_forces_a_break_and_blank_lines_survive() {
        assert_eq!(texts(&[Span::plain("een\ntwee\n\ndrie")], 100.0), ["een", "twee", "", "drie"]);
    }

    #[test]
    fn overlong_word_is_split_between_characters() {
        let lines = texts(&[Span::plain("ab verylongword cd")], 5.0);
        assert_eq!(lines, ["ab", "veryl", "ongwo", "rd cd"]);
        // A glyph wider than the line still makes progress, one per line.
        assert_eq!(texts(&[Span::bold("abc")], 1.0), ["a", "b", "c"]);
    }

    #[test]
    fn diacritics_count_as_single_characters() {
        assert_eq!(texts(&[Span::plain("één ruïne café")], 9.0), ["één ruïne", "café"]);
    }

    #[test]
    fn empty_input_gives_no_lines() {
        assert!(break_lines(&[], 10.0, &mono).is_empty());
        assert!(break_lines(&[Span::plain("   ")], 10.0, &mono).is_empty());
    }
}
