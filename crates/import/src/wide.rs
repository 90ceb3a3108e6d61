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

use crate::csv_table::{cell_error, KnownCodes, RowPolicy, Rows};
use crate::input::line_column;
use crate::values::{parse_r_cell, Decimal};
use crate::{Format, ImportBatch, ImportContext, SourceFile};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
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
    let mut policy = RowPolicy::new(ctx.options.skip_invalid_rows);
    while let Some((line, record)) = rows.next_row(header_line, header.len())? {
        // The whole row is read before anything of it is kept, so a row left out leaves nothing behind.
        let parsed = (|| {
            let code = RegionCode::parse(&record[region_col])
                .map_err(|e| Located::at(&file.name, line, region_col as u64 + 1, e.to_string()))?;
            let period = match period_source {
                PeriodSource::Column(c) => {
                    Period::parse(&record[c]).map_err(|e| Located::at(&file.name, line, c as u64 + 1, e.to_string()))?
                }
                PeriodSource::Fixed(p) => p,
            };
            if let Some(first) = seen.get(&(code.clone(), period)) {
                return Err(Located::at(
                    &file.name,
                    line,
                    region_col as u64 + 1,
                    format!("region {code} has period {period} twice: on line {first} and on line {line}"),
                ));
            }
            let mut row = Vec::with_capacity(value_cols.len());
            for &(c, id) in &value_cols {
                let value =
                    parse_r_cell(&record[c], decimal).map_err(|m| cell_error(&file.name, line, c, &header[c], m))?;
                row.push(Observation { region: code.clone(), period, variable: id.to_string(), value });
            }
            Ok((code, period, row))
        })();
        let Some((code, period, row)) = policy.row(parsed)? else { continue };
        seen.insert((code.clone(), period), line);
        if !years.contains(&period.year()) {
            years.push(period.year());
        }
        observations.extend(row);
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
        let mut unknown = HashSet::new();
        for (code, line, _) in &regions_seen {
            // When skipping, an unknown code leaves out every row of that region (noted at its first line).
            if policy.row(known.check(code, &file.name, *line, region_col))?.is_none() {
                unknown.insert(code.clone());
            }
        }
        if !unknown.is_empty() {
            observations.retain(|o| !unknown.contains(&o.region));
            regions_seen.retain(|(code, _, _)| !unknown.contains(code));
        }
    }
    let regions = match (classification_year, name_col) {
        (Some(year), Some(_)) => {
            regions_seen.into_iter().map(|(code, _, name)| Region::new(code, name, year)).collect()
        }
        _ => Vec::new(),
    };
    let mut notes = Vec::new();
    policy.notes(&mut notes);
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
