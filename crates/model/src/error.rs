//! Errors that point at a place in an input file.
//!
//! Every reader in wijkmonitor reports bad input as a [`Located`] error so that the user can open the file
//! at the right line and column. Lines and columns are 1-based, as editors show them; a column of 0 means
//! "the whole line" and a line of 0 means "the whole file".

use std::fmt;

/// A place in an input file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The file name as the user gave it (or a descriptive name for built-in data).
    pub file: String,
    /// 1-based line number; 0 when the problem concerns the whole file.
    pub line: u64,
    /// 1-based column number (a field number for CSV); 0 when the problem concerns the whole line.
    pub column: u64,
}

impl Location {
    pub fn new(file: impl Into<String>, line: u64, column: u64) -> Self {
        Location { file: file.into(), line, column }
    }

    /// A location for a problem with the file as a whole.
    pub fn file(file: impl Into<String>) -> Self {
        Location { file: file.into(), line: 0, column: 0 }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}", self.file),
            (line, 0) => write!(f, "{}:{}", self.file, line),
            (line, column) => write!(f, "{}:{}:{}", self.file, line, column),
        }
    }
}

/// An error at a [`Location`], with a message for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub location: Location,
    pub message: String,
}

/// The longest message a [`Located`] keeps; anything longer is cut (a message quoting a whole cell of a
/// malformed file could otherwise run to megabytes).
pub const MAX_MESSAGE: usize = 1_000;

/// How much of a cell's text a message quotes.
pub const EXCERPT_CHARS: usize = 40;

/// A short excerpt of input text for a message: the text itself when short, else its start and how long it
/// was (`'AAAAAAAAAA…' (60000000 characters)` rather than sixty million A's).
pub fn excerpt(text: &str) -> String {
    let mut chars = text.char_indices();
    match chars.nth(EXCERPT_CHARS) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}… ({} characters)", &text[..cut], text.chars().count()),
    }
}

/// `text` cut to at most `max` bytes on a character boundary, with an ellipsis when cut.
fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("… (message cut)");
    }
    text
}

impl Located {
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Located { location, message: truncate(message.into(), MAX_MESSAGE) }
    }

    pub fn at(file: &str, line: u64, column: u64, message: impl Into<String>) -> Self {
        Located::new(Location::new(file, line, column), message)
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for Located {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_quoted_as_an_excerpt_and_messages_are_bounded() {
        assert_eq!(excerpt("12,5x"), "12,5x");
        let cell = "A".repeat(60_000_000);
        let quoted = excerpt(&cell);
        assert!(quoted.len() < 80 && quoted.ends_with("(60000000 characters)"), "{quoted}");
        let e = Located::at("a.csv", 1, 1, format!("'{cell}' is not a number"));
        assert!(e.message.len() <= MAX_MESSAGE + 20, "{}", e.message.len());
        assert_eq!(excerpt(&"é".repeat(50)).chars().filter(|&c| c == 'é').count(), 40);
    }

    #[test]
    fn display_names_file_line_and_column() {
        assert_eq!(Located::at("a.csv", 3, 7, "bad").to_string(), "a.csv:3:7: bad");
        assert_eq!(Located::at("a.csv", 3, 0, "bad").to_string(), "a.csv:3: bad");
        assert_eq!(Located::at("a.csv", 0, 0, "bad").to_string(), "a.csv: bad");
    }
}
