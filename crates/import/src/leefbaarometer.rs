//! The Leefbaarometer buurt file of the ministry of BZK: one row per buurt and measurement year, with the
//! columns `bu_code,versie,jaar,bu_naam,lbm,afw,fys,onv,soc,vrz,won` (any order):
//!
//! - `lbm` the liveability score, `afw` its deviation from the national mean of that year;
//! - `fys`, `onv`, `soc`, `vrz`, `won` the deviations of the five dimensions (physical environment, nuisance
//!   and insecurity, social cohesion, amenities, housing stock), present only on Leefbaarometer 3.0 rows;
//! - `versie` the model version of the row (1.0 and 2.0 rows are back-casts), `jaar` the measurement year.
//!
//! Score columns are bound to catalogue variables by exact column name
//! ([`Catalogue::match_column`] with source `leefbaarometer`). `NA` is missing, never 0. The file was written by
//! R, which writes small deviations in scientific notation (`-8.221588102172426e-4`); those are read exactly.
//!
//! The published file gives the scores of every measurement year (2002-2020) on the buurten of one
//! classification, the 2020 one. The classification year is therefore `--classification-year`, else 2020;
//! it is not the measurement year.
//!
//! [`Catalogue::match_column`]: wijkmonitor_model::Catalogue::match_column

use crate::csv_table::{cell_error, KnownCodes, RowPolicy, Rows};
use crate::values::{parse_r_cell, Decimal};
use crate::{Format, ImportBatch, ImportContext, SourceFile};
use std::collections::HashMap;
use wijkmonitor_model::{Located, Observation, Period, Region, RegionCode};

/// The classification the published buurt file (2002-2020) uses.
pub const DEFAULT_CLASSIFICATION_YEAR: i32 = 2020;
/// The source table id recorded with every import.
pub const SOURCE_TABLE: &str = "leefbaarometer-3.0";
/// The source title recorded with every import.
pub const SOURCE_TITLE: &str = "Leefbaarometer 3.0, Ministerie van BZK (buurten 2002-2020)";

/// The columns of the file; the score columns are looked up in the catalogue.
const KEY_COLUMNS: [&str; 4] = ["bu_code", "versie", "jaar", "bu_naam"];
const SCORE_COLUMNS: [&str; 7] = ["lbm", "afw", "fys", "onv", "soc", "vrz", "won"];

/// Reads the Leefbaarometer buurt file.
pub fn read(file: &SourceFile, ctx: &ImportContext<'_>) -> Result<ImportBatch, Located> {
    let mut rows = Rows::new(file, b',')?;
    let Some((header_line, header)) = rows.next()? else {
        return Err(Located::at(&file.name, 0, 0, "the file is empty"));
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let expected = || KEY_COLUMNS.iter().chain(SCORE_COLUMNS.iter()).copied().collect::<Vec<_>>().join(",");
    for (i, h) in header.iter().enumerate() {
        if !KEY_COLUMNS.contains(&h.as_str()) && !SCORE_COLUMNS.contains(&h.as_str()) {
            return Err(Located::at(
                &file.name,
                header_line,
                i as u64 + 1,
                format!("unexpected column '{h}': the Leefbaarometer buurt file has the columns {}", expected()),
            ));
        }
        if let Some(first) = header[..i].iter().position(|o| o == h) {
            return Err(Located::at(
                &file.name,
                header_line,
                i as u64 + 1,
                format!("column '{h}' appears twice (columns {} and {})", first + 1, i + 1),
            ));
        }
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(code_col), Some(year_col)) = (col("bu_code"), col("jaar")) else {
        return Err(Located::at(
            &file.name,
            header_line,
            0,
            format!("the header needs the columns bu_code and jaar; the Leefbaarometer buurt file has {}", expected()),
        ));
    };
    let name_col = col("bu_naam");
    let version_col = col("versie");
    let mut scores: Vec<(usize, &str)> = Vec::new();
    for name in SCORE_COLUMNS {
        let Some(i) = col(name) else { continue };
        let Some(v) = ctx.catalogue.match_column("leefbaarometer", name) else {
            return Err(Located::at(
                &file.name,
                header_line,
                i as u64 + 1,
                format!("the catalogue has no variable for Leefbaarometer column '{name}'"),
            ));
        };
        scores.push((i, v.id.as_str()));
    }
    if scores.is_empty() {
        return Err(Located::at(&file.name, header_line, 0, "the header has none of the score columns lbm, afw, ..."));
    }

    let classification_year = ctx.options.classification_year.unwrap_or(DEFAULT_CLASSIFICATION_YEAR);
    let known = KnownCodes::new(ctx.code_lists, classification_year);
    // One row per line: reserving the observations up front avoids copying ~650,000 of them while growing.
    let lines = file.bytes.iter().filter(|&&b| b == b'\n').count();
    let mut observations = Vec::with_capacity(lines * scores.len());
    let mut regions: Vec<Region> = Vec::new();
    // The years (and lines) seen per buurt: one entry per buurt keeps the duplicate check cheap.
    let mut seen: HashMap<RegionCode, Vec<(i32, u64)>> = HashMap::new();
    let mut versions: Vec<String> = Vec::new();
    let mut policy = RowPolicy::new(ctx.options.skip_invalid_rows);
    while let Some((line, record)) = rows.next_row(header_line, header.len())? {
        // The whole row is read before anything of it is kept, so a row left out leaves nothing behind.
        let parsed = (|| {
            let code = RegionCode::parse(&record[code_col])
                .map_err(|e| Located::at(&file.name, line, code_col as u64 + 1, e.to_string()))?;
            let year_text = record[year_col].trim();
            let year = match Period::parse(year_text) {
                Ok(Period::Year(y)) => y,
                _ => {
                    return Err(cell_error(
                        &file.name,
                        line,
                        year_col,
                        "jaar",
                        format!("'{}' is not a year such as 2020", wijkmonitor_model::error::excerpt(year_text)),
                    ))
                }
            };
            let new_buurt = match seen.get(&code) {
                Some(years) => {
                    if let Some((_, first)) = years.iter().find(|(y, _)| *y == year) {
                        return Err(Located::at(
                            &file.name,
                            line,
                            code_col as u64 + 1,
                            format!("buurt {code} has year {year} twice: on line {first} and on line {line}"),
                        ));
                    }
                    false
                }
                None => {
                    known.check(&code, &file.name, line, code_col)?;
                    true
                }
            };
            let period = Period::Year(year);
            let mut row = Vec::with_capacity(scores.len());
            for &(c, id) in &scores {
                let value = parse_r_cell(&record[c], Decimal::Point)
                    .map_err(|m| cell_error(&file.name, line, c, &header[c], m))?;
                row.push(Observation { region: code.clone(), period, variable: id.to_string(), value });
            }
            Ok((code, year, new_buurt, row))
        })();
        let Some((code, year, new_buurt, row)) = policy.row(parsed)? else { continue };
        if new_buurt {
            let name = name_col.map_or("", |c| record[c].trim());
            regions.push(Region::new(code.clone(), name, classification_year));
        }
        seen.entry(code).or_default().push((year, line));
        if let Some(c) = version_col {
            let v = record[c].trim();
            if !v.is_empty() && !versions.iter().any(|known| known == v) {
                versions.push(v.to_string());
            }
        }
        observations.extend(row);
    }
    let mut notes = Vec::new();
    policy.notes(&mut notes);
    if versions.len() > 1 {
        versions.sort();
        notes.push(format!(
            "the file mixes model versions ({}): scores of older versions are back-casts, and the five dimension \
             scores exist only on Leefbaarometer 3.0 rows",
            versions.join(", ")
        ));
    }
    Ok(ImportBatch {
        format: Format::Leefbaarometer,
        source_name: file.name.clone(),
        sha256: file.sha256(),
        source_table: Some(SOURCE_TABLE.to_string()),
        source_title: Some(SOURCE_TITLE.to_string()),
        classification_year: Some(classification_year),
        regions,
        observations,
        notes,
    })
}
