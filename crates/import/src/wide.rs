//! A generic wide CSV (one row per region, one column per variable) driven by a small mapping file, for
//! sources wijkmonitor has no dedicated reader for: a municipality's own export, a cbsodataR data frame
//! saved with `write.csv`, a spreadsheet saved as CSV.
//!
//! The mapping is TOML, passed on the command line with `--format wide-csv --mapping FILE`:
//!
//! ```toml
//! region_column = "nhood_id"      # required: the column with CBS region codes (BU.., WK.., GM.., NL00)
//! name_column = "naam"            # optional: a column with region names; the regions are then recorded too
//! period_column = "jaar"          # optional: a column with periods (2024, 2024JJ00, 2024KW01, 2024MM03)
//! period = "2024"                 # optional: the period of every row, when there is no period column
//! classification_year = 2024      # optional; else --classification-year, else the year of the period(s)
//! delimiter = ","                 # optional, one character; default ","
//! decimal = "point"               # "point" | "comma"; default "point"
//! source_table = "85984NED"       # optional: the table the figures come from, kept as provenance
//! source_title = "..."            # optional: its title
//!
//! [columns]                       # source column = catalogue variable id
//! population = "inhabitants"
//! ```
//!
//! Without `period_column` the period is `--period`, else `period` (the two must agree when both are given).
//! Cells are numbers in the given decimal style (R's scientific notation `1e+05` included) or the missing and
//! secret markers of [`crate::values`]. Columns of the file that the mapping does not name are skipped and listed in a note. Every mistake in the
//! mapping (an unknown key, an unknown variable id, a column the file does not have) is reported at its line
//! in the mapping file; every mistake in the data at its line and column in the data file.
//!
//! This module also holds the CSV plumbing the other CSV readers share ([`table`]): record-by-record
//! reading with line numbers, the check for truncated files, and ragged-row errors.

use crate::input::line_column;
use crate::values::Decimal;
use crate::{Format, ImportBatch, ImportContext, SourceFile};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use table::{cell_error, parse_r_cell, KnownCodes, Rows};
use toml::Spanned;
use wijkmonitor_model::{Located, Observation, Period, Region, RegionCode};

/// The mapping file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Mapping {
    region_column: Spanned<String>,
    #[serde(default)]
    name_column: Option<Spanned<String>>,
    #[serde(default)]
    period_column: Option<Spanned<String>>,
    #[serde(default)]
    period: Option<Spanned<String>>,
    #[serde(default)]
    classification_year: Option<Spanned<i32>>,
    #[serde(default)]
    delimiter: Option<Spanned<String>>,
    #[serde(default)]
    decimal: Option<Spanned<String>>,
    #[serde(default)]
    source_table: Option<String>,
    #[serde(default)]
    source_title: Option<String>,
    #[serde(default)]
    columns: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// Reads a wide CSV with the mapping in `ctx.options.mapping`.
pub fn read(file: &SourceFile, ctx: &ImportContext<'_>) -> Result<ImportBatch, Located> {
    let Some(mapping_file) = ctx.options.mapping.as_ref() else {
        return Err(Located::at(
            &file.name,
            0,
            0,
            "a wide CSV needs a mapping file that says which column holds the region codes and which columns hold \
             which variables: pass --mapping FILE (see the wide-csv format in the documentation)",
        ));
    };
    let mtext = mapping_file.text()?;
    let at = |span: std::ops::Range<usize>, message: String| {
        let (line, column) = line_column(mtext.as_bytes(), span.start);
        Located::at(&mapping_file.name, line, column, message)
    };
    let mapping: Mapping = toml::from_str(mtext).map_err(|e| {
        let (line, column) = e.span().map_or((0, 0), |s| line_column(mtext.as_bytes(), s.start));
        Located::at(&mapping_file.name, line, column, format!("invalid mapping: {}", e.message()))
    })?;

    let delimiter = match &mapping.delimiter {
        None => b',',
        Some(d) => match d.get_ref().as_bytes() {
            [b] if b.is_ascii() && *b != b'"' && *b != b'\n' && *b != b'\r' => *b,
            _ => {
                return Err(at(
                    d.span(),
                    format!("delimiter must be one character such as \",\" or \";\", not {:?}", d.get_ref()),
                ))
            }
        },
    };
    let decimal = match mapping.decimal.as_ref().map(|d| (d.get_ref().as_str(), d.span())) {
        None | Some(("point", _)) => Decimal::Point,
        Some(("comma", _)) => Decimal::Comma,
        Some((other, span)) => {
            return Err(at(span, format!("decimal must be \"point\" or \"comma\", not \"{other}\"")))
        }
    };
    let fixed_period = match &mapping.period {
        None => None,
        Some(p) => Some(Period::parse(p.get_ref()).map_err(|e| at(p.span(), e.to_string()))?),
    };
    let fixed_period = match (ctx.options.period, fixed_period) {
        (Some(a), Some(b)) if a != b => {
            let span = mapping.period.as_ref().map_or(0..0, |p| p.span());
            return Err(at(span, format!("the mapping says period {b} but --period says {a}; give one of them")));
        }
        (a, b) => a.or(b),
    };
    if let (Some(col), Some(_)) = (&mapping.period_column, &mapping.period) {
        return Err(at(
            col.span(),
            "give either period_column or period, not both (a fixed period would hide the column's periods)".into(),
        ));
    }
    let classification_year = match (mapping.classification_year.as_ref(), ctx.options.classification_year) {
        (Some(m), Some(o)) if *m.get_ref() != o => {
            return Err(at(
                m.span(),
                format!("the mapping says classification_year {} but --classification-year says {o}", m.get_ref()),
            ))
        }
        (Some(m), _) => Some(*m.get_ref()),
        (None, o) => o,
    };

    // The variables, checked against the catalogue before the data is read.
    let mut wanted: Vec<(&Spanned<String>, &str)> = Vec::new();
    let mut by_variable: HashMap<&str, &Spanned<String>> = HashMap::new();
    for (column, variable) in &mapping.columns {
        let id = variable.get_ref().as_str();
        let Some(v) = ctx.catalogue.variable(id) else {
            return Err(at(
                variable.span(),
                format!("column '{}' is mapped to '{id}', which is not a variable of the catalogue", column.get_ref()),
            ));
        };
        if let Some(first) = by_variable.insert(v.id.as_str(), column) {
            return Err(at(
                column.span(),
                format!(
                    "columns '{}' and '{}' are both mapped to variable '{id}'; map one column per variable",
                    first.get_ref(),
                    column.get_ref()
                ),
            ));
        }
        wanted.push((column, v.id.as_str()));
    }
    if wanted.is_empty() {
        return Err(Located::at(
            &mapping_file.name,
            0,
            0,
            "the mapping has no [columns] section: map at least one column to a variable",
        ));
    }

    let mut rows = Rows::new(file, delimiter)?;
    let Some((header_line, header)) = rows.next()? else {
        return Err(Located::at(&file.name, 0, 0, "the file is empty"));
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let find = |name: &Spanned<String>| -> Result<usize, Located> {
        let matching: Vec<usize> = (0..header.len()).filter(|&i| header[i] == name.get_ref().trim()).collect();
        match matching.as_slice() {
            [i] => Ok(*i),
            [] => Err(at(
                name.span(),
                format!(
                    "column '{}' is not in {} (its columns are: {})",
                    name.get_ref(),
                    file.name,
                    header.iter().map(|h| format!("'{h}'")).collect::<Vec<_>>().join(", ")
                ),
            )),
            _ => Err(at(
                name.span(),
                format!(
                    "{} has {} columns named '{}' on line {header_line}",
                    file.name,
                    matching.len(),
                    name.get_ref()
                ),
            )),
        }
    };
    let region_col = find(&mapping.region_column)?;
    let name_col = mapping.name_column.as_ref().map(&find).transpose()?;
    let period_col = mapping.period_column.as_ref().map(&find).transpose()?;
    let mut value_cols: Vec<(usize, &str)> = Vec::with_capacity(wanted.len());
    for (column, id) in &wanted {
        value_cols.push((find(column)?, id));
    }
    value_cols.sort_by_key(|&(i, _)| i);
    let period_source = match (period_col, fixed_period) {
        (Some(c), _) => PeriodSource::Column(c),
        (None, Some(p)) => PeriodSource::Fixed(p),
        (None, None) => {
            return Err(at(
                mapping.region_column.span(),
                "the mapping gives no period: add period_column = \"...\" or period = \"2024\", or pass --period"
                    .into(),
            ))
        }
    };

    let used: Vec<usize> =
        [Some(region_col), name_col, period_col].into_iter().flatten().chain(value_cols.iter().map(|c| c.0)).collect();
    // Unnamed columns are row numbers (R `write.csv`); they carry nothing to import or to mention.
    let skipped: Vec<&str> =
        (0..header.len()).filter(|i| !used.contains(i) && !header[*i].is_empty()).map(|i| header[i].as_str()).collect();

    let mut observations = Vec::new();
    let mut seen: HashMap<(RegionCode, Period), u64> = HashMap::new();
    // Each region once, in file order, with the line it was first seen on and its name: region codes are
    // checked against the code list once the classification year is known, which may follow from the periods.
    let mut regions_seen: Vec<(RegionCode, u64, String)> = Vec::new();
    let mut region_index: HashMap<RegionCode, usize> = HashMap::new();
    let mut years: Vec<i32> = Vec::new();
    while let Some((line, record)) = rows.next_row(header_line, header.len())? {
        let code = RegionCode::parse(&record[region_col])
            .map_err(|e| Located::at(&file.name, line, region_col as u64 + 1, e.to_string()))?;
        let period = match period_source {
            PeriodSource::Column(c) => {
                Period::parse(&record[c]).map_err(|e| Located::at(&file.name, line, c as u64 + 1, e.to_string()))?
            }
            PeriodSource::Fixed(p) => p,
        };
        if let Some(first) = seen.insert((code.clone(), period), line) {
            return Err(Located::at(
                &file.name,
                line,
                region_col as u64 + 1,
                format!("region {code} has period {period} twice: on line {first} and on line {line}"),
            ));
        }
        if !years.contains(&period.year()) {
            years.push(period.year());
        }
        for &(c, id) in &value_cols {
            let value =
                parse_r_cell(&record[c], decimal).map_err(|m| cell_error(&file.name, line, c, &header[c], m))?;
            observations.push(Observation { region: code.clone(), period, variable: id.to_string(), value });
        }
        if !region_index.contains_key(&code) {
            let name = name_col.map(|c| record[c].trim().to_string()).unwrap_or_default();
            region_index.insert(code.clone(), regions_seen.len());
            regions_seen.push((code, line, name));
        }
    }

    let classification_year = match classification_year {
        Some(y) => Some(y),
        None => match years.as_slice() {
            [y] => Some(*y),
            [] => fixed_period.map(Period::year),
            _ => {
                years.sort();
                let list = years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", ");
                return Err(Located::at(
                    &mapping_file.name,
                    0,
                    0,
                    format!(
                        "{} has periods in several years ({list}); say which classification its region codes use with \
                         classification_year = ... in the mapping or --classification-year",
                        file.name
                    ),
                ));
            }
        },
    };
    if let Some(year) = classification_year {
        let known = KnownCodes::new(ctx.code_lists, year);
        for (code, line, _) in &regions_seen {
            known.check(code, &file.name, *line, region_col)?;
        }
    }
    let regions = match (classification_year, name_col) {
        (Some(year), Some(_)) => {
            regions_seen.into_iter().map(|(code, _, name)| Region::new(code, name, year)).collect()
        }
        _ => Vec::new(),
    };
    let mut notes = Vec::new();
    if !skipped.is_empty() {
        notes.push(format!(
            "{} columns are not in the mapping and were skipped: {}",
            skipped.len(),
            skipped.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(ImportBatch {
        format: Format::WideCsv,
        source_name: file.name.clone(),
        sha256: file.sha256(),
        source_table: mapping.source_table,
        source_title: mapping.source_title,
        classification_year,
        regions,
        observations,
        notes,
    })
}

/// Where the period of a row comes from.
#[derive(Clone, Copy)]
enum PeriodSource {
    Column(usize),
    Fixed(Period),
}

/// CSV plumbing shared by the CSV readers of this crate.
///
/// The `csv` crate is lenient where wijkmonitor must not be: it accepts a file that ends inside a quoted
/// field (a truncated download) and, with `flexible`, rows of any length. Readers use [`Rows`] so that both
/// are reported with the line and field number, the same way in every format.
pub(crate) mod table {
    use crate::values::{parse_cell, parse_number, Decimal};
    use crate::{CodeLists, SourceFile};
    use csv::StringRecord;
    use std::collections::HashSet;
    use wijkmonitor_model::{Located, RegionCode, Value};

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
        pub(crate) fn next_row(
            &mut self,
            header_line: u64,
            width: usize,
        ) -> Result<Option<(u64, &StringRecord)>, Located> {
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
    }

    impl<'a> KnownCodes<'a> {
        pub(crate) fn new(lists: &'a CodeLists, year: i32) -> KnownCodes<'a> {
            KnownCodes { year, codes: lists.year(year).map(|regions| regions.iter().map(|r| &r.code).collect()) }
        }

        /// Refuses a code the loaded code list of the year does not have.
        pub(crate) fn check(&self, code: &RegionCode, name: &str, line: u64, index: usize) -> Result<(), Located> {
            match &self.codes {
                Some(codes) if !codes.contains(code) => Err(Located::at(
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

    /// Parses a cell of a file written by R (`write.csv`): as [`parse_cell`], and also numbers in the
    /// scientific notation R uses for very small or large values (`-8.221588102172426e-4`, `1e+05`).
    /// The mantissa follows the decimal style; the exponent is at most three digits, so words are not numbers.
    pub(crate) fn parse_r_cell(text: &str, decimal: Decimal) -> Result<Value, String> {
        let err = match parse_cell(text, decimal) {
            Ok(value) => return Ok(value),
            Err(e) => e,
        };
        let t = text.trim();
        let Some((mantissa, exponent)) = t.split_once(['e', 'E']) else { return Err(err) };
        let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err);
        }
        if parse_number(mantissa, decimal).is_err() {
            return Err(err);
        }
        // Parse the whole text at once so the value is rounded once, exactly as written.
        match format!("{}e{exponent}", mantissa.replace(',', ".")).parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Value::final_(n)),
            _ => Err(err),
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
        fn r_writes_scientific_notation() {
            assert_eq!(parse_r_cell("-8.221588102172426e-4", Decimal::Point), Ok(Value::final_(-8.221588102172426e-4)));
            assert_eq!(parse_r_cell("1e+05", Decimal::Point), Ok(Value::final_(100000.0)));
            assert_eq!(parse_r_cell("2,5E-3", Decimal::Either), Ok(Value::final_(0.0025)));
            assert_eq!(parse_r_cell("NA", Decimal::Point), Ok(Value::missing()));
            for bad in ["e5", "1e", "1e+", "1e1000", "1e5x", "abc", "1.2.3e4", "1e-4e2"] {
                assert!(parse_r_cell(bad, Decimal::Point).is_err(), "{bad}");
            }
        }

        #[test]
        fn years_are_four_digit_runs() {
            assert_eq!(years_in("kwb-2019.csv"), vec![2019]);
            assert_eq!(years_in("84583NED_2019-2019.csv"), vec![2019]);
            assert_eq!(years_in("data1999.csv"), Vec::<i32>::new());
        }
    }
}
