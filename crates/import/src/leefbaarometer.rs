//! The Leefbaarometer open-data files of the ministry of BZK: one row per region and measurement year. The buurt
//! file has the columns `bu_code,versie,jaar,bu_naam,lbm,afw,fys,onv,soc,vrz,won` (any order); the wijk file
//! `wk_code,wk_naam,jaar,lbm,...` and the gemeente file `gm_code,gm_naam,jaar,lbm,...`:
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
//! A published file gives the scores of every measurement year on the regions of one classification, that of
//! its latest measurement year (the buurt file 2002-2020 on the buurten of 2020, the wijk file 2002-2022 on the
//! wijken of 2022). The classification year is therefore `--classification-year`, else the latest `jaar` of the
//! file; it is not the measurement year of a row.
//!
//! [`Catalogue::match_column`]: wijkmonitor_model::Catalogue::match_column

use crate::csv_table::{cell_error, KnownCodes, RowPolicy, Rows};
use crate::values::{parse_r_cell, Decimal};
use crate::{Format, ImportBatch, ImportContext, SourceFile};
use std::collections::HashMap;
use wijkmonitor_model::{Located, Observation, Period, Region, RegionCode, RegionKind};

/// Whether a header's first field names the code column of one of the Leefbaarometer's levels.
pub(crate) fn is_code_column(field: &str) -> bool {
    LEVELS.iter().any(|(code, ..)| *code == field)
}

/// The source table id recorded with every import.
pub const SOURCE_TABLE: &str = "leefbaarometer-3.0";

/// The regional levels of the open data: code column, name column, the level's kind, its Dutch singular and
/// plural, and the columns of its file as published.
type Level = (&'static str, &'static str, RegionKind, &'static str, &'static str, &'static str);
const LEVELS: [Level; 3] = [
    ("bu_code", "bu_naam", RegionKind::Neighbourhood, "buurt", "buurten", "bu_code,versie,jaar,bu_naam"),
    ("wk_code", "wk_naam", RegionKind::District, "wijk", "wijken", "wk_code,wk_naam,jaar"),
    ("gm_code", "gm_naam", RegionKind::Municipality, "gemeente", "gemeenten", "gm_code,gm_naam,jaar"),
];
/// The columns of the files besides the code and name; the score columns are looked up in the catalogue.
const KEY_COLUMNS: [&str; 2] = ["versie", "jaar"];
const SCORE_COLUMNS: [&str; 7] = ["lbm", "afw", "fys", "onv", "soc", "vrz", "won"];

/// Reads a Leefbaarometer file of buurten, wijken or gemeenten.
pub fn read(file: &SourceFile, ctx: &ImportContext<'_>) -> Result<ImportBatch, Located> {
    let mut rows = Rows::new(file, b',')?;
    let Some((header_line, header)) = rows.next()? else {
        return Err(Located::at(&file.name, 0, 0, "the file is empty"));
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let level = LEVELS.iter().find(|(code, ..)| header.iter().any(|h| h == code));
    let Some(&(code_name, name_name, kind, singular, plural, published)) = level else {
        return Err(Located::at(
            &file.name,
            header_line,
            1,
            "the header needs a code column: bu_code (buurten), wk_code (wijken) or gm_code (gemeenten)",
        ));
    };
    let expected = || format!("{published},{}", SCORE_COLUMNS.join(","));
    for (i, h) in header.iter().enumerate() {
        let known = h == code_name || h == name_name || KEY_COLUMNS.contains(&h.as_str());
        if !known && !SCORE_COLUMNS.contains(&h.as_str()) {
            return Err(Located::at(
                &file.name,
                header_line,
                i as u64 + 1,
                format!("unexpected column '{h}': the Leefbaarometer {plural} file has the columns {}", expected()),
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
    let (Some(code_col), Some(year_col)) = (col(code_name), col("jaar")) else {
        return Err(Located::at(
            &file.name,
            header_line,
            0,
            format!(
                "the header needs the columns {code_name} and jaar; the Leefbaarometer {plural} file has {}",
                expected()
            ),
        ));
    };
    let name_col = col(name_name);
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

    let latest = match ctx.options.classification_year {
        Some(_) => None,
        None => latest_year(file, year_col)?,
    };
    // Without any readable year the rows below fail (or are all skipped) on their own year cell.
    let classification_year = ctx.options.classification_year.or(latest).unwrap_or_default();
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
            if code.kind() != kind {
                return Err(cell_error(
                    &file.name,
                    line,
                    code_col,
                    code_name,
                    format!("{code} is not a code of the {plural} this column holds"),
                ));
            }
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
                            format!("{singular} {code} has year {year} twice: on line {first} and on line {line}"),
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
    if ctx.options.classification_year.is_none() {
        notes.push(format!(
            "the {plural} are taken to be those of {classification_year}, the latest measurement year of the file; \
             pass --classification-year to override"
        ));
    }
    let years: Vec<i32> = seen.values().flatten().map(|&(y, _)| y).collect();
    let span = match (years.iter().min(), years.iter().max()) {
        (Some(a), Some(b)) if a != b => format!(" {a}-{b}"),
        (Some(a), _) => format!(" {a}"),
        _ => String::new(),
    };
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
        source_title: Some(format!("Leefbaarometer 3.0, Ministerie van BZK ({plural}{span})")),
        classification_year: Some(classification_year),
        regions,
        observations,
        notes,
    })
}

/// The latest measurement year of the file (a quick pass over the `jaar` column; unreadable cells are left to the
/// main pass, which reports them with their line).
fn latest_year(file: &SourceFile, year_col: usize) -> Result<Option<i32>, Located> {
    let mut rows = Rows::new(file, b',')?;
    rows.next()?;
    let mut latest = None;
    while let Some((_, record)) = rows.next()? {
        if let Some(Ok(Period::Year(y))) = record.get(year_col).map(|c| Period::parse(c.trim())) {
            latest = latest.max(Some(y));
        }
    }
    Ok(latest)
}
