//! CSV plumbing shared by the CSV readers of this crate.
//!
//! The `csv` crate is lenient where wijkmonitor must not be: it accepts a file that ends inside a quoted
//! field (a truncated download) and, with `flexible`, rows of any length. Readers use [`Rows`] so that both
//! are reported with the line and field number, the same way in every format.

use crate::{CodeLists, SourceFile};
use csv::StringRecord;
use std::collections::HashSet;
use wijkmonitor_model::{Located, RegionCode};

/// What a reader does with a row whose content is invalid (a region code it cannot read, a number that is not
/// one, a row given twice): stop with the error, which is the default, or, when the user asked to skip invalid
/// rows, leave the row out and say so. Structural problems (the header, rows of the wrong width, broken quoting)
/// always stop the read.
pub(crate) struct RowPolicy {
    skip: bool,
    skipped: Vec<Located>,
}

/// The first words of the note each skipped row gets.
pub const SKIPPED_ROW: &str = "skipped row";

impl RowPolicy {
    pub(crate) fn new(skip: bool) -> RowPolicy {
        RowPolicy { skip, skipped: Vec::new() }
    }

    /// A row's outcome: its value; or, when skipping, `None` after keeping the error.
    pub(crate) fn row<T>(&mut self, outcome: Result<T, Located>) -> Result<Option<T>, Located> {
        match outcome {
            Ok(v) => Ok(Some(v)),
            Err(e) if self.skip => {
                self.skipped.push(e);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// One note per skipped row (`skipped row: file:line:column: reason`).
    pub(crate) fn notes(self, notes: &mut Vec<String>) {
        notes.extend(self.skipped.into_iter().map(|e| format!("{SKIPPED_ROW}: {e}")));
    }
}

/// The records of one CSV file, one at a time, with their 1-based line numbers.
pub(crate) struct Rows<'a> {
    name: &'a str,
    reader: csv::Reader<&'a [u8]>,
    record: StringRecord,
}

impl<'a> Rows<'a> {
    /// Opens a file as text (refusing binary content) and checks that every quoted field is closed.
    pub(crate) fn new(file: &'a SourceFile, delimiter: u8) -> Result<Rows<'a>, Located> {
        let text = file.text()?;
        check_quotes(&file.name, text, delimiter)?;
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        Ok(Rows { name: &file.name, reader, record: StringRecord::new() })
    }

    /// The next record and the line it starts on; `None` at the end. Blank lines are skipped.
    pub(crate) fn next(&mut self) -> Result<Option<(u64, &StringRecord)>, Located> {
        match self.reader.read_record(&mut self.record) {
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| p.line());
                Ok(Some((line, &self.record)))
            }
            Ok(false) => Ok(None),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                Err(Located::at(self.name, line, 0, format!("cannot read this line as CSV: {e}")))
            }
        }
    }

    /// The next record, which must have `width` fields like the header on `header_line`.
    pub(crate) fn next_row(&mut self, header_line: u64, width: usize) -> Result<Option<(u64, &StringRecord)>, Located> {
        let (line, len) = match self.next()? {
            None => return Ok(None),
            Some((line, record)) => (line, record.len()),
        };
        if len != width {
            return Err(self.ragged(line, len, header_line, width));
        }
        Ok(Some((line, &self.record)))
    }

    /// The error for a row of `len` fields on `line`; see [`ragged_error`].
    pub(crate) fn ragged(&mut self, line: u64, len: usize, header_line: u64, width: usize) -> Located {
        let mut scratch = StringRecord::new();
        let is_last = !matches!(self.reader.read_record(&mut scratch), Ok(true));
        ragged_error(self.name, line, len, header_line, width, is_last)
    }
}

/// The error for a row whose number of fields differs from the header's. The column is the first
/// missing or extra field; a short last row means the file was cut off, and the message says so.
pub(crate) fn ragged_error(
    name: &str,
    line: u64,
    len: usize,
    header_line: u64,
    width: usize,
    is_last: bool,
) -> Located {
    let column = len.min(width) as u64 + 1;
    let mut message = format!(
        "this row has {len} field{} but the header on line {header_line} has {width}",
        if len == 1 { "" } else { "s" }
    );
    if is_last && len < width {
        message.push_str("; it is the last row, so the file looks truncated (download or export it again)");
    }
    Located::at(name, line, column, message)
}

/// The code list of one classification year as a set, so that checking every row of a national file
/// does not scan the whole list each time. Without a code list for the year every code is accepted.
pub(crate) struct KnownCodes<'a> {
    year: i32,
    codes: Option<HashSet<&'a RegionCode>>,
    /// The municipalities the year's list has regions of: a list of part of the country is authoritative for
    /// those only (the built-in list holds the 19 NPLV municipalities, and a file of the whole country must still
    /// be readable beside it); a list of the whole country for every code.
    municipalities: HashSet<RegionCode>,
}

/// A code list with more municipalities than this is one of the whole country (342 in 2024).
const NATIONAL_LIST: usize = 300;

impl<'a> KnownCodes<'a> {
    pub(crate) fn new(lists: &'a CodeLists, year: i32) -> KnownCodes<'a> {
        let regions = lists.year(year);
        KnownCodes {
            year,
            codes: regions.map(|regions| regions.iter().map(|r| &r.code).collect()),
            municipalities: regions.into_iter().flatten().filter_map(|r| r.code.municipality()).collect(),
        }
    }

    /// Refuses a code that the loaded code list of the year does not have, where the list covers the code's
    /// municipality (or, for the Netherlands and codes without one, always).
    pub(crate) fn check(&self, code: &RegionCode, name: &str, line: u64, index: usize) -> Result<(), Located> {
        let national = self.municipalities.len() > NATIONAL_LIST;
        let covered = national || code.municipality().is_none_or(|m| self.municipalities.contains(&m));
        match &self.codes {
            Some(codes) if covered && !codes.contains(code) => Err(Located::at(
                name,
                line,
                index as u64 + 1,
                format!(
                    "region code {code} is not in the code list of classification year {} (a wrong code, or a \
                     region of another year's classification)",
                    self.year
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// An unreadable cell, located by line and 1-based field number and named by its column.
pub(crate) fn cell_error(name: &str, line: u64, index: usize, column: &str, message: String) -> Located {
    Located::at(name, line, index as u64 + 1, format!("column '{column}': {message}"))
}

/// Refuses text that ends inside a quoted field: a truncated file or a missing closing quote. The `csv`
/// crate would silently return the rest of the file as one field. Quotes follow RFC 4180 as the `csv`
/// crate reads them: a quote opens a quoted field only at the start of a field, `""` inside is a quote.
pub(crate) fn check_quotes(name: &str, text: &str, delimiter: u8) -> Result<(), Located> {
    let bytes = text.as_bytes();
    let (mut line, mut field) = (1u64, 1u64);
    let mut at_field_start = true;
    let mut open: Option<(u64, u64)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if open.is_some() {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    open = None;
                }
            } else if b == b'\n' {
                line += 1;
            }
        } else if b == b'"' && at_field_start {
            open = Some((line, field));
        } else if b == delimiter {
            field += 1;
            at_field_start = true;
            i += 1;
            continue;
        } else if b == b'\n' {
            line += 1;
            field = 1;
            at_field_start = true;
            i += 1;
            continue;
        }
        at_field_start = false;
        i += 1;
    }
    match open {
        None => Ok(()),
        Some((line, field)) => Err(Located::at(
            name,
            line,
            field,
            "the quoted field that starts here is never closed: the file is truncated or a closing quote is missing",
        )),
    }
}

/// The distinct years 2000-2099 written as exactly four digits in a text (a file name, a title line),
/// in order of appearance. Longer digit runs (table ids such as `84583NED`) are not years.
pub(crate) fn years_in(text: &str) -> Vec<i32> {
    let bytes = text.as_bytes();
    let mut years = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 4 {
                if let Ok(y) = text[start..i].parse::<i32>() {
                    if (2000..=2099).contains(&y) && !years.contains(&y) {
                        years.push(y);
                    }
                }
            }
        } else {
            i += 1;
        }
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unclosed_quotes_are_found_where_they_open() {
        assert!(check_quotes("f", "a,\"b\"\"c\"\n\"d\ne\",f\n", b',').is_ok());
        let err = check_quotes("f", "a,b\n1,\"2\n", b',').unwrap_err();
        assert_eq!((err.location.line, err.location.column), (2, 2));
        // A quote inside an unquoted field is a literal character, as the csv crate reads it.
        assert!(check_quotes("f", "a,b\"c\n", b',').is_ok());
    }

    #[test]
    fn years_are_four_digit_runs() {
        assert_eq!(years_in("kwb-2019.csv"), vec![2019]);
        assert_eq!(years_in("84583NED_2019-2019.csv"), vec![2019]);
        assert_eq!(years_in("data1999.csv"), Vec::<i32>::new());
    }
}
