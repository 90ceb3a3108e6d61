//! The Kerncijfers wijken en buurten spreadsheet CBS offers on its Kerncijfers page (`kwb-2019.xls`,
//! `kwb-2023.xlsx`): one sheet, one row per region, short column names instead of labels.
//!
//! ```text
//! gwb_code_10 | gwb_code_8 | regio      | gm_naam    | recs     | gwb_code   | ind_wbi | a_inw  | a_man | ...
//! NL00        | 0          | Nederland  | Nederland  | Land     | NL00       | .       | 17475415 | ...
//! GM0014      | 14         | Groningen  | Groningen  | Gemeente | GM0014     | .       | 233218 | ...
//! BU00140000  | 140000     | Binnenstad-Noord | Groningen | Buurt | BU00140000 | 1   | 4870   | ...
//! ```
//!
//! - The header row is the first row with a `gwb_code_10` or `gwb_code` cell (a title above it is allowed). The
//!   region code is `gwb_code_10`, else `gwb_code`; the name is `regio`.
//! - Columns are bound to catalogue variables by their exact short name ([`Catalogue::match_column`] with
//!   source `cbs-kwb`, e.g. `a_inw` for inhabitants); the others are listed in a note.
//! - Cells are numbers, or text in the CSV conventions (`.` missing or secret, `x` secret, padded `"   ."`;
//!   see [`crate::values`]). The numeric special codes of CBS geo products are read for what they mean:
//!   `-99997` secret, `-99995` not yet published, `-99991` and `-99999999` missing.
//! - The period is `--period`, else the one year in the file name; the classification year is
//!   `--classification-year`, else the period's year, as for every Kerncijfers table.
//! - Errors are located by sheet row and column (1-based), as a spreadsheet shows them.
//!
//! [`Catalogue::match_column`]: wijkmonitor_model::Catalogue::match_column

use crate::csv_table::{KnownCodes, RowPolicy};
use crate::values::{parse_cell, Decimal};
use crate::{kwb, Format, ImportBatch, ImportContext, SourceFile};
use calamine::{Data, Reader};
use std::collections::HashMap;
use wijkmonitor_model::workbook_guard::MAX_TEXT_BYTES;
use wijkmonitor_model::{Located, Observation, Region, RegionCode, Value};

/// Whether the bytes open like a workbook: an Office Open XML zip (`.xlsx`) or an OLE compound file (`.xls`).
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// The most an `.xlsx` may unpack to. The national Kerncijfers sheet unpacks to some 200 MB.
pub const MAX_UNPACKED_BYTES: u64 = 1024 * 1024 * 1024;
/// The largest rectangle of cells the first sheet may span (the national sheet: about 18,500 rows by 130
/// columns); the spreadsheet reader allocates the whole rectangle between the outermost cells.
pub const MAX_CELLS: u64 = 20_000_000;

/// Refuses a container that would make the spreadsheet reader ask for memory without bound (see
/// [`wijkmonitor_model::workbook_guard`]).
fn check_container(file: &SourceFile) -> Result<(), Located> {
    use wijkmonitor_model::workbook_guard::{check_compound_file, declared_unpacked_size};
    if file.bytes.starts_with(b"PK") {
        if let Some(size) = declared_unpacked_size(&file.bytes).filter(|&s| s > MAX_UNPACKED_BYTES) {
            return Err(Located::at(
                &file.name,
                0,
                0,
                format!(
                    "the workbook unpacks to {} MB, more than the {} MB a Kerncijfers spreadsheet needs",
                    size / (1024 * 1024),
                    MAX_UNPACKED_BYTES / (1024 * 1024)
                ),
            ));
        }
    } else {
        check_compound_file(&file.bytes, MAX_CELLS).map_err(|m| Located::at(&file.name, 0, 0, m))?;
    }
    Ok(())
}

/// Streams over the first sheet's cells (without keeping them) and refuses a sheet whose cells span more than
/// [`MAX_CELLS`], before the reader allocates that rectangle, or copy more than [`MAX_TEXT_BYTES`] of shared
/// strings.
fn check_extent(book: &mut calamine::Xlsx<std::io::Cursor<&[u8]>>, file: &SourceFile) -> Result<(), Located> {
    let Some(name) = book.sheet_names().first().cloned() else { return Ok(()) };
    let unreadable =
        |e: calamine::XlsxError| Located::at(&file.name, 0, 0, format!("the workbook cannot be read: {e}"));
    let mut reader = book.worksheet_cells_reader(&name).map_err(unreadable)?;
    let (mut rows, mut cols) = ((u32::MAX, 0u32), (u32::MAX, 0u32));
    let (mut n, mut text) = (0u64, 0u64);
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let (r, c) = cell.get_position();
        // Each cell that refers to the shared strings gets its own copy of the string.
        if let calamine::DataRef::SharedString(s) = cell.get_value() {
            text = text.saturating_add(s.len() as u64);
            if text > MAX_TEXT_BYTES {
                return Err(Located::at(
                    &file.name,
                    u64::from(r) + 1,
                    u64::from(c) + 1,
                    format!(
                        "the cells up to this one copy more than {} MB of shared strings; a Kerncijfers \
                         spreadsheet holds a few MB of text",
                        MAX_TEXT_BYTES / (1024 * 1024)
                    ),
                ));
            }
        }
        rows = (rows.0.min(r), rows.1.max(r));
        cols = (cols.0.min(c), cols.1.max(c));
        n += 1;
        let span = u64::from(rows.1 - rows.0 + 1) * u64::from(cols.1 - cols.0 + 1);
        if span > MAX_CELLS || n > MAX_CELLS {
            return Err(Located::at(
                &file.name,
                u64::from(r) + 1,
                u64::from(c) + 1,
                format!(
                    "the first sheet spans more than {MAX_CELLS} cells up to this one; a Kerncijfers spreadsheet \
                     spans a few million"
                ),
            ));
        }
    }
    Ok(())
}

thread_local! {
    static IN_READER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is inside the spreadsheet reader, where a panic is contained and reported as an error: a
/// program's panic hook can use it to stay quiet about such a panic.
pub fn in_spreadsheet_reader() -> bool {
    IN_READER.with(std::cell::Cell::get)
}

/// Runs the spreadsheet reader and turns a panic in it into an error on the file. The `.xls` reader indexes
/// records by the lengths and offsets the file declares; the container checks refuse what would exhaust memory,
/// and what remains of a damaged file (a record shorter than its type needs) must not take the program down.
fn contained<T>(file: &SourceFile, read: impl FnOnce() -> Result<T, Located>) -> Result<T, Located> {
    IN_READER.with(|c| c.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    IN_READER.with(|c| c.set(false));
    result.unwrap_or_else(|payload| {
        let why = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("no reason given");
        Err(Located::at(
            &file.name,
            0,
            0,
            format!("the spreadsheet is damaged: the spreadsheet reader stopped on it ({why})"),
        ))
    })
}

/// The value of a numeric cell: a number, or one of the special codes of CBS geo products.
fn numeric(x: f64) -> Value {
    // Exact comparisons: the codes are stored as these integers.
    if x == -99997.0 || x == -99999997.0 {
        Value::absent(wijkmonitor_model::Status::Secret)
    } else if x == -99995.0 {
        Value::absent(wijkmonitor_model::Status::NotYetPublished)
    } else if x == -99991.0 || x == -99999999.0 {
        Value::missing()
    } else {
        Value::final_(x)
    }
}

/// The text of a cell, for codes and names.
fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Empty => String::new(),
        other => other.to_string().trim().to_string(),
    }
}

/// The value of a figure cell, or what is wrong with it.
fn value(cell: &Data) -> Result<Value, String> {
    match cell {
        Data::Int(i) => Ok(numeric(*i as f64)),
        Data::Float(f) => Ok(numeric(*f)),
        Data::Empty => Ok(Value::missing()),
        Data::String(s) => {
            let t = s.trim();
            // A number stored as text keeps its special-code meaning too.
            match t.parse::<f64>() {
                Ok(x) if t.starts_with('-') => Ok(numeric(x)),
                _ => parse_cell(t, if t.contains(',') && !t.contains('.') { Decimal::Comma } else { Decimal::Point }),
            }
        }
        Data::Error(e) => Err(format!("the cell holds the spreadsheet error {e}")),
        other => Err(format!("'{other}' is not a number")),
    }
}

/// What a column holds.
enum Column<'c> {
    Code,
    Name,
    Variable(&'c str),
    Other,
}

/// Reads a KWB spreadsheet.
pub fn read(file: &SourceFile, ctx: &ImportContext<'_>) -> Result<ImportBatch, Located> {
    let at = |row: usize, col: usize, message: String| Located::at(&file.name, row as u64 + 1, col as u64 + 1, message);
    check_container(file)?;
    // Only the two forms CBS publishes are opened: a zip as .xlsx, a compound file as .xls (not .xlsb or .ods,
    // whose readers a damaged file would otherwise reach as well).
    let cannot = |e: &dyn std::fmt::Display| {
        Located::at(
            &file.name,
            0,
            0,
            format!("the file starts like a spreadsheet (.xlsx or .xls) but cannot be read as one: {e}"),
        )
    };
    let first = |sheet: Option<Result<calamine::Range<Data>, String>>| match sheet {
        Some(Ok(range)) => Ok(range),
        Some(Err(e)) => Err(Located::at(&file.name, 0, 0, format!("the first sheet cannot be read: {e}"))),
        None => Err(Located::at(&file.name, 0, 0, "the workbook has no sheet")),
    };
    let cursor = || std::io::Cursor::new(file.bytes.as_slice());
    let sheet = contained(file, || {
        if file.bytes.starts_with(b"PK") {
            let mut book = calamine::Xlsx::new(cursor()).map_err(|e| cannot(&e))?;
            check_extent(&mut book, file)?;
            first(book.worksheet_range_at(0).map(|r| r.map_err(|e| e.to_string())))
        } else {
            let mut book = calamine::Xls::new(cursor()).map_err(|e| cannot(&e))?;
            first(book.worksheet_range_at(0).map(|r| r.map_err(|e| e.to_string())))
        }
    })?;
    // Rows and columns as the spreadsheet numbers them, wherever the used range starts.
    let (row0, col0) = sheet.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let is_code_header = |c: &Data| matches!(text(c).to_lowercase().as_str(), "gwb_code_10" | "gwb_code");
    let Some(h) = rows.iter().take(20).position(|r| r.iter().any(is_code_header)) else {
        return Err(Located::at(
            &file.name,
            1,
            0,
            "no header row with a gwb_code_10 or gwb_code column in the first 20 rows of the first sheet: this \
             is not the Kerncijfers wijken en buurten spreadsheet (kwb-YYYY.xlsx or .xls)",
        ));
    };
    let header: Vec<String> = rows[h].iter().map(|c| text(c).to_lowercase()).collect();
    let code_col =
        header.iter().position(|c| c == "gwb_code_10").or_else(|| header.iter().position(|c| c == "gwb_code"));
    let columns: Vec<Column> = header
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if Some(i) == code_col {
                Column::Code
            } else if name == "regio" {
                Column::Name
            } else if let Some(v) = ctx.catalogue.match_column("cbs-kwb", name) {
                Column::Variable(v.id.as_str())
            } else {
                Column::Other
            }
        })
        .collect();
    let mapped: Vec<(usize, &str)> = columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c {
            Column::Variable(id) => Some((i, *id)),
            _ => None,
        })
        .collect();
    if mapped.is_empty() {
        return Err(at(row0 + h, col0, "no column of the sheet is a catalogue variable (a_inw, a_man, ...)".into()));
    }
    let Some(code_col) = code_col else {
        return Err(at(row0 + h, col0, "the header has no gwb_code_10 or gwb_code column".into()));
    };
    let name_col = columns.iter().position(|c| matches!(c, Column::Name));

    let mut notes = Vec::new();
    let period = kwb::period_of(file, ctx.options.period, &mut notes)?;
    let classification_year = ctx.options.classification_year.unwrap_or(period.year());
    let known = KnownCodes::new(ctx.code_lists, classification_year);
    let mut policy = RowPolicy::new(ctx.options.skip_invalid_rows);
    let mut regions = Vec::new();
    let mut observations = Vec::with_capacity(rows.len() * mapped.len());
    let mut seen: HashMap<RegionCode, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate().skip(h + 1) {
        let line = row0 + i;
        if row.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        let parsed = (|| {
            let cell = row.get(code_col).map(text).unwrap_or_default();
            let code = RegionCode::parse(&cell).map_err(|e| at(line, col0 + code_col, e.to_string()))?;
            if let Some(first) = seen.get(&code) {
                return Err(at(
                    line,
                    col0 + code_col,
                    format!("region {code} appears twice: in row {} and in row {}", first + 1, line + 1),
                ));
            }
            known.check(&code, &file.name, line as u64 + 1, col0 + code_col)?;
            let mut figures = Vec::with_capacity(mapped.len());
            for &(c, id) in &mapped {
                let v = value(row.get(c).unwrap_or(&Data::Empty))
                    .map_err(|m| at(line, col0 + c, format!("column '{}': {m}", header[c])))?;
                figures.push(Observation { region: code.clone(), period, variable: id.to_string(), value: v });
            }
            Ok((code, figures))
        })();
        let Some((code, figures)) = policy.row(parsed)? else { continue };
        seen.insert(code.clone(), line);
        let name = name_col.and_then(|c| row.get(c)).map(text).unwrap_or_default();
        regions.push(Region::new(code, name, classification_year));
        observations.extend(figures);
    }
    policy.notes(&mut notes);
    let unmapped: Vec<&str> = columns
        .iter()
        .zip(&header)
        .filter(|(c, name)| matches!(c, Column::Other) && !name.is_empty())
        .map(|(_, name)| name.as_str())
        .collect();
    if !unmapped.is_empty() {
        notes.push(format!(
            "{} columns are not in the catalogue and were skipped: {}",
            unmapped.len(),
            unmapped.join(", ")
        ));
    }
    Ok(ImportBatch {
        format: Format::KwbSheet,
        source_name: file.name.clone(),
        sha256: file.sha256(),
        source_table: kwb::table_id(period.year()).map(str::to_string),
        source_title: Some(kwb::table_title(period.year())),
        classification_year: Some(classification_year),
        regions,
        observations,
        notes,
    })
}
