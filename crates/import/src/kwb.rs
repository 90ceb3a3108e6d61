//! Kerncijfers wijken en buurten (KWB) as a CSV with labelled column names, as R's `write.csv` writes a
//! StatLine table fetched with labels: comma separated, quoted, a first column of row numbers with an empty
//! name, then `Wijken.en.buurten` (the region name), the `Regioaanduiding` columns (municipality name, kind of
//! region, the code padded to ten characters: `"GM0363    "`) and about 110 topic columns named by theme,
//! title and unit (`Bevolking.Aantal.inwoners..aantal.`).
//!
//! Topic columns are mapped to catalogue variables by meaning ([`Catalogue::match_labelled`]), never by
//! position or key suffix, because both change from table to table. Numbers use a decimal point (2017 file:
//! `"     2.2"`) or a decimal comma (2019 file: `"2,1"`), and R's scientific notation (`1e+05`) is accepted;
//! `.`, `NA` and empty cells are missing.
//!
//! The file has no period column: the period is `--period`, else the one four-digit year in the file name
//! (`kwb-2019.csv`). A KWB table describes the regions of its own year, so the classification year is
//! `--classification-year`, else the period's year.
//!
//! [`Catalogue::match_labelled`]: wijkmonitor_model::Catalogue::match_labelled

use crate::csv_table::{cell_error, years_in, KnownCodes, RowPolicy, Rows};
use crate::values::{parse_r_cell, Decimal};
use crate::{Format, ImportBatch, ImportContext, SourceFile};
use std::collections::HashMap;
use wijkmonitor_model::catalogue::normalise;
use wijkmonitor_model::{Located, Observation, Period, Region, RegionCode, Variable};

/// The StatLine table id of Kerncijfers wijken en buurten per year.
const TABLE_IDS: [(i32, &str); 10] = [
    (2015, "83220NED"),
    (2016, "83487NED"),
    (2017, "83765NED"),
    (2018, "84286NED"),
    (2019, "84583NED"),
    (2020, "84799NED"),
    (2021, "85039NED"),
    (2022, "85318NED"),
    (2023, "85618NED"),
    (2024, "85984NED"),
];

/// The StatLine table id of the Kerncijfers wijken en buurten of a year, where wijkmonitor knows it.
pub fn table_id(year: i32) -> Option<&'static str> {
    TABLE_IDS.iter().find(|(y, _)| *y == year).map(|(_, id)| *id)
}

/// The title of the Kerncijfers wijken en buurten of a year.
pub fn table_title(year: i32) -> String {
    format!("Kerncijfers wijken en buurten {year}")
}

/// The period of a Kerncijfers file, which has no period column: `--period`, else the one year in the file
/// name (noted), else an error saying to pass it.
pub(crate) fn period_of(file: &SourceFile, given: Option<Period>, notes: &mut Vec<String>) -> Result<Period, Located> {
    if let Some(p) = given {
        return Ok(p);
    }
    let years = years_in(file.base_name());
    match years.as_slice() {
        [y] => {
            notes.push(format!(
                "the period {y} was taken from the file name {}; pass --period to override",
                file.base_name()
            ));
            Ok(Period::Year(*y))
        }
        _ => Err(Located::at(
            &file.name,
            0,
            0,
            format!(
                "a Kerncijfers file has no period column and {} the year: pass --period 2019 (the year of the \
                 Kerncijfers table)",
                if years.is_empty() {
                    "the file name does not say".to_string()
                } else {
                    format!("the file name has several years ({years:?}), so it does not say")
                }
            ),
        )),
    }
}

/// What a column of the file holds.
enum Column<'c> {
    /// The R row number, the municipality name, the kind of region: read for nothing.
    Ignored,
    Code,
    Name,
    Variable(&'c Variable),
    Unmapped,
}

/// Reads a KWB CSV with labelled headers.
pub fn read(file: &SourceFile, ctx: &ImportContext<'_>) -> Result<ImportBatch, Located> {
    let mut rows = Rows::new(file, b',')?;
    let Some((header_line, header)) = rows.next()? else {
        return Err(Located::at(&file.name, 0, 0, "the file is empty"));
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();

    let mut columns = Vec::with_capacity(header.len());
    let mut by_variable: HashMap<&str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let n = normalise(h);
        let column = if n.is_empty() || n.ends_with("gemeentenaamnaam") || n.ends_with("soortregioomschrijving") {
            Column::Ignored
        } else if n.ends_with("coderingcode") {
            Column::Code
        } else if n == "wijkenenbuurten" {
            Column::Name
        } else if let Some(v) = ctx.catalogue.match_labelled(h) {
            if let Some(first) = by_variable.insert(v.id.as_str(), i) {
                return Err(Located::at(
                    &file.name,
                    header_line,
                    i as u64 + 1,
                    format!(
                        "columns '{}' (column {}) and '{h}' (column {}) both match catalogue variable '{}'; a file \
                         may give each variable once",
                        header[first],
                        first + 1,
                        i + 1,
                        v.id
                    ),
                ));
            }
            Column::Variable(v)
        } else {
            Column::Unmapped
        };
        columns.push(column);
    }
    let find = |wanted: fn(&Column) -> bool| columns.iter().position(wanted);
    let Some(code_col) = find(|c| matches!(c, Column::Code)) else {
        return Err(Located::at(
            &file.name,
            header_line,
            0,
            "there is no region code column ('Regioaanduiding.Codering..code.'): export the table with the \
             Regioaanduiding/Codering topic, or use the StatLine or wide-csv format",
        ));
    };
    let name_col = find(|c| matches!(c, Column::Name));
    let mapped: Vec<(usize, &str)> = columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c {
            Column::Variable(v) => Some((i, v.id.as_str())),
            _ => None,
        })
        .collect();
    let unmapped: Vec<&str> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c, Column::Unmapped))
        .map(|(i, _)| header[i].as_str())
        .collect();

    let mut notes = Vec::new();
    let period = period_of(file, ctx.options.period, &mut notes)?;
    let classification_year = ctx.options.classification_year.unwrap_or(period.year());
    let known = KnownCodes::new(ctx.code_lists, classification_year);

    let mut regions = Vec::new();
    let mut observations = Vec::new();
    let mut seen: HashMap<RegionCode, u64> = HashMap::new();
    let mut policy = RowPolicy::new(ctx.options.skip_invalid_rows);
    while let Some((line, record)) = rows.next_row(header_line, header.len())? {
        // The whole row is read before anything of it is kept, so a row left out leaves nothing behind.
        let parsed = (|| {
            let code = RegionCode::parse(&record[code_col])
                .map_err(|e| Located::at(&file.name, line, code_col as u64 + 1, e.to_string()))?;
            known.check(&code, &file.name, line, code_col)?;
            if let Some(first) = seen.get(&code) {
                return Err(Located::at(
                    &file.name,
                    line,
                    code_col as u64 + 1,
                    format!("region {code} appears twice: on line {first} and on line {line}"),
                ));
            }
            let mut row = Vec::with_capacity(mapped.len());
            for &(c, id) in &mapped {
                let value = parse_r_cell(&record[c], Decimal::Either)
                    .map_err(|m| cell_error(&file.name, line, c, &header[c], m))?;
                row.push(Observation { region: code.clone(), period, variable: id.to_string(), value });
            }
            Ok((code, row))
        })();
        let Some((code, row)) = policy.row(parsed)? else { continue };
        seen.insert(code.clone(), line);
        observations.extend(row);
        let name = name_col.map_or("", |c| record[c].trim());
        regions.push(Region::new(code, name, classification_year));
    }
    policy.notes(&mut notes);
    if !unmapped.is_empty() {
        notes.push(format!(
            "{} columns are not in the catalogue and were skipped: {}",
            unmapped.len(),
            unmapped.join(", ")
        ));
    }
    let year = period.year();
    Ok(ImportBatch {
        format: Format::KwbCsv,
        source_name: file.name.clone(),
        sha256: file.sha256(),
        source_table: table_id(year).map(str::to_string),
        source_title: Some(table_title(year)),
        classification_year: Some(classification_year),
        regions,
        observations,
        notes,
    })
}
