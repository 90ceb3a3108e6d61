//! The canonical long CSV: one figure per line, `region,period,variable,value,status`.
//!
//! This is wijkmonitor's own exchange format: the export writes it ([`write_csv`]) and the import reads it
//! back unchanged, and anyone can produce it from any tool. The rules are strict because nothing has to be
//! guessed:
//!
//! - the header is exactly `region,period,variable,value,status`;
//! - `region` is a CBS code (`BU0363AA01`, `WK036300`, `GM0363`, `NL00`), `period` a year (`2024`) or a
//!   StatLine period code (`2024KW01`, `2024MM03`), `variable` a variable id of the catalogue;
//! - `status` is one of `final`, `provisional`, `missing`, `secret`, `not_yet_published`;
//! - `value` is a number with a decimal point when the status is `final` or `provisional`, and empty otherwise.
//!
//! The file says nothing about the classification of its region codes: that is `--classification-year`, and
//! without it the codes are not checked against a code list.

use crate::csv_table::{KnownCodes, RowPolicy, Rows};
use crate::values::{parse_number, Decimal};
use crate::{Format, ImportBatch, ImportContext, SourceFile};
use std::collections::{HashMap, HashSet};
use wijkmonitor_model::error::excerpt;
use wijkmonitor_model::observation::format_number;
use wijkmonitor_model::{Located, Observation, Period, RegionCode, Status, Value};

/// The header of the long format.
pub const HEADER: [&str; 5] = ["region", "period", "variable", "value", "status"];

/// Reads a long CSV.
pub fn read(file: &SourceFile, ctx: &ImportContext<'_>) -> Result<ImportBatch, Located> {
    let mut rows = Rows::new(file, b',')?;
    let Some((header_line, header)) = rows.next()? else {
        return Err(Located::at(&file.name, 0, 0, "the file is empty"));
    };
    let wrong = (0..HEADER.len().max(header.len())).find(|&i| header.get(i) != HEADER.get(i).copied());
    if let Some(i) = wrong {
        return Err(Located::at(
            &file.name,
            header_line,
            i as u64 + 1,
            format!(
                "the header must be exactly {} (found {})",
                HEADER.join(","),
                header.iter().collect::<Vec<_>>().join(",")
            ),
        ));
    }
    let classification_year = ctx.options.classification_year;
    let known = classification_year.map(|y| KnownCodes::new(ctx.code_lists, y));
    let statuses = || Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");

    let mut observations = Vec::new();
    let mut seen: HashMap<(RegionCode, Period, String), u64> = HashMap::new();
    let mut checked: HashSet<RegionCode> = HashSet::new();
    let mut policy = RowPolicy::new(ctx.options.skip_invalid_rows);
    while let Some((line, record)) = rows.next_row(header_line, HEADER.len())? {
        let parsed = (|| {
            let at = |column: u64, message: String| Located::at(&file.name, line, column, message);
            let region = RegionCode::parse(&record[0]).map_err(|e| at(1, e.to_string()))?;
            if let Some(known) = &known {
                // A code is looked up once; one that fails is looked up again on its next row (which fails too).
                if !checked.contains(&region) {
                    known.check(&region, &file.name, line, 0)?;
                    checked.insert(region.clone());
                }
            }
            let period = Period::parse(&record[1]).map_err(|e| at(2, e.to_string()))?;
            let variable = record[2].trim();
            if ctx.catalogue.variable(variable).is_none() {
                return Err(at(3, format!("'{}' is not a variable of the catalogue", excerpt(variable))));
            }
            let status_text = record[4].trim();
            let status = match Status::parse(status_text) {
                Some(s) => s,
                None if status_text.is_empty() => {
                    return Err(at(5, format!("the status is missing: write one of {}", statuses())));
                }
                None => {
                    return Err(at(
                        5,
                        format!("'{}' is not a status: write one of {}", excerpt(status_text), statuses()),
                    ))
                }
            };
            let value_text = record[3].trim();
            let value = if status.has_number() {
                if value_text.is_empty() {
                    return Err(at(
                        4,
                        format!("a {status} figure needs a value; write the status 'missing' if there is none"),
                    ));
                }
                let n = parse_number(value_text, Decimal::Point).map_err(|m| at(4, m))?;
                Value::from_parts(Some(n), status)
                    .ok_or_else(|| at(4, format!("'{}' is not a finite number", excerpt(value_text))))?
            } else {
                if !value_text.is_empty() {
                    return Err(at(
                        4,
                        format!(
                            "a {status} figure has no value, but this row has '{}'; leave the value empty",
                            excerpt(value_text)
                        ),
                    ));
                }
                Value::absent(status)
            };
            if let Some(first) = seen.get(&(region.clone(), period, variable.to_string())) {
                return Err(at(
                    1,
                    format!("{region} {period} {variable} is given twice: on line {first} and on line {line}"),
                ));
            }
            Ok(Observation { region, period, variable: variable.to_string(), value })
        })();
        let Some(observation) = policy.row(parsed)? else { continue };
        seen.insert((observation.region.clone(), observation.period, observation.variable.clone()), line);
        observations.push(observation);
    }
    let mut notes = Vec::new();
    policy.notes(&mut notes);
    Ok(ImportBatch {
        format: Format::LongCsv,
        source_name: file.name.clone(),
        sha256: file.sha256(),
        source_table: None,
        source_title: None,
        classification_year,
        regions: Vec::new(),
        observations,
        notes,
    })
}

/// Writes observations as a long CSV: the header, then one line per observation in the given order.
/// Numbers are written exactly ([`format_number`]); reading the text back gives the same observations.
pub fn write_csv(rows: &[Observation], out: &mut String) {
    out.push_str(&HEADER.join(","));
    out.push('\n');
    for o in rows {
        let value = o.value.number().map(format_number).unwrap_or_default();
        let fields = [o.region.as_str(), &o.period.to_string(), &o.variable, &value, o.value.status().as_str()];
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_field(out, field);
        }
        out.push('\n');
    }
}

/// Appends a field, quoted only when it contains a comma, a quote or a line break.
fn push_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}
