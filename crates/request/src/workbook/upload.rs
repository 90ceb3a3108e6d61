//! Reading a filled-in template: bounded (by the declared unpacked size, the sheets' extent, rows and columns)
//! before anything is unpacked, strict about whose file it is, and exact about the cells the answers came from.

use super::*;
use crate::{FieldError, MAX_TEXT};
use calamine::{Data, Range, Reader, StyleRange, Xlsx, XlsxError as ReadError};
use std::io::Cursor;
use wijkmonitor_model::date::excel_date;

/// Whether an Excel number format shows the value as a percentage (a `%` outside quoted text and escapes).
pub(crate) fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if !quoted => {
                chars.next();
            }
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

/// The date Excel made of what was typed, as the area sees it (`12-05-2025`), so the message about it is
/// recognisable. Serial numbers count days from 1899-12-30 (or from 1904-01-01 in the 1904 date system).
fn date_text(serial: f64, is_1904: bool) -> String {
    let serial_1900 = if is_1904 { serial + 1462.0 } else { serial };
    if (0.0..1.0).contains(&serial_1900) {
        let minutes = (serial_1900 * 1440.0).round() as i64;
        return format!("{:02}:{:02}", minutes / 60, minutes % 60);
    }
    match excel_date(serial, is_1904) {
        Some(d) => format!("{:02}-{:02}-{:04}", d.day, d.month, d.year),
        // Not a date Excel can show (`1E+308` in a date-formatted cell): the number as typed.
        None => serial.to_string(),
    }
}

/// One sheet read for the upload.
struct Sheet {
    name: &'static str,
    cells: Range<Data>,
    styles: Option<StyleRange>,
    is_1904: bool,
}

impl Sheet {
    fn get(&self, row: u32, col: u32) -> &Data {
        self.cells.get_value((row, col)).unwrap_or(&Data::Empty)
    }

    fn cell(&self, row: u32, col: u32) -> String {
        cell_name(self.name, row, col)
    }

    fn shows_percent(&self, row: u32, col: u32) -> bool {
        let style = self.styles.as_ref().and_then(|s| s.get((row, col)));
        style.and_then(|s| s.number_format.as_ref()).is_some_and(|n| is_percent_format(&n.format_code))
    }

    /// The text of a cell as the area typed it, for the answer or explanation. Numbers become the digits
    /// `parse_number` reads; a number shown as a percentage becomes the percentage the area sees (40% -> "40");
    /// a formula gives its cached value. A cell holding an Excel error cannot be an answer and is refused.
    fn text(&self, row: u32, col: u32) -> Result<String, CellError> {
        let percent = || self.shows_percent(row, col);
        Ok(match self.get(row, col) {
            Data::Empty => String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Float(n) => number_text(if percent() { n * 100.0 } else { *n }),
            Data::Int(n) => {
                if percent() {
                    number_text(*n as f64 * 100.0)
                } else {
                    n.to_string()
                }
            }
            // Passed on as text, so validation says it is no number and names the cell.
            Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Data::DateTime(d) => date_text(d.as_f64(), self.is_1904),
            Data::Error(e) => {
                return Err(refuse(
                    Some(self.cell(row, col)),
                    format!("de cel bevat de Excel-fout {e}; vul een waarde in of maak de cel leeg"),
                    format!("the cell holds the Excel error {e}; enter a value or clear the cell"),
                ))
            }
        })
    }
}

fn unreadable(e: ReadError, bytes: &[u8]) -> CellError {
    // The old binary format is a compound file, not a zip; say so, since "save as .xlsx" fixes it.
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) && !matches!(e, ReadError::Password) {
        return refuse(
            None,
            "het bestand is in het oude Excel-formaat (.xls); sla het in Excel op als Excel-werkmap (.xlsx) en upload het opnieuw".into(),
            "the file is in the old Excel format (.xls); save it in Excel as an Excel workbook (.xlsx) and upload it again".into(),
        );
    }
    // An OpenDocument file is a zip too, and names its kind in its first entry, right at the start.
    if bytes.starts_with(b"PK") && bytes.windows(34).take(200).any(|w| w == b"application/vnd.oasis.opendocument") {
        return refuse(
            None,
            "het bestand is een OpenDocument-bestand (.ods); sla het op als Excel-werkmap (.xlsx) en upload het opnieuw".into(),
            "the file is an OpenDocument file (.ods); save it as an Excel workbook (.xlsx) and upload it again".into(),
        );
    }
    match e {
        ReadError::Password => refuse(
            None,
            "het bestand is met een wachtwoord beveiligd; sla het zonder wachtwoord op en upload het opnieuw".into(),
            "the file is protected with a password; save it without one and upload it again".into(),
        ),
        // Not a zip at all, or a zip without a workbook in it (another kind of document).
        ReadError::Zip(_) | ReadError::Io(_) | ReadError::FileNotFound(_) => refuse(
            None,
            "het bestand is geen Excel-werkmap (.xlsx); upload het ingevulde sjabloon van de uitvraag".into(),
            "the file is not an Excel workbook (.xlsx); upload the filled-in template of the request".into(),
        ),
        other => refuse(
            None,
            format!("het bestand kan niet worden gelezen als Excel-werkmap (.xlsx): {other}"),
            format!("the file cannot be read as an Excel workbook (.xlsx): {other}"),
        ),
    }
}

/// The rows and columns a filled-in template can use; anything beyond is not the template.
pub const MAX_ROWS: u32 = 2_000;
pub const MAX_COLUMNS: u32 = 64;
/// The most text the cells of one sheet may hold together (a filled-in template holds well under a megabyte).
pub const MAX_COPIED_TEXT: u64 = 16 * 1024 * 1024;

/// Streams over the cells of a sheet (without keeping them) and refuses one that lies outside the template's
/// extent, or more cells than fit in it. The spreadsheet reader allocates the whole rectangle between the
/// outermost cells, so a tiny file with cells at A1 and XFD1048576 would otherwise ask for hundreds of
/// gigabytes; it also refuses a sheet that repeats cells without end, or copies a long shared string into
/// many cells.
fn check_extent(book: &mut Xlsx<Cursor<&[u8]>>, name: &'static str, bytes: &[u8]) -> Result<(), CellError> {
    let outside = |row: u32, col: u32| {
        refuse(
            Some(cell_name(name, row, col)),
            "deze cel ligt buiten het sjabloon; gebruik het sjabloon van de uitvraag zonder cellen ver buiten de tabel"
                .into(),
            "this cell lies outside the template; use the template of the request without cells far outside the table"
                .into(),
        )
    };
    let limit = u64::from(MAX_ROWS * MAX_COLUMNS);
    // Values and styles are read in two passes by the spreadsheet reader, so both are checked.
    let mut reader = book.worksheet_cells_reader(name).map_err(|e| unreadable(e, bytes))?;
    let (mut n, mut text) = (0u64, 0u64);
    while let Some(cell) = reader.next_cell().map_err(|e| unreadable(e, bytes))? {
        let (row, col) = cell.get_position();
        n += 1;
        if row >= MAX_ROWS || col >= MAX_COLUMNS || n > limit {
            return Err(outside(row, col));
        }
        // Each cell that refers to the shared strings gets its own copy of the string: one long string in
        // every cell of the template would ask for terabytes.
        if let calamine::DataRef::SharedString(s) = cell.get_value() {
            text = text.saturating_add(s.len() as u64);
            if text > MAX_COPIED_TEXT {
                return Err(refuse(
                    Some(cell_name(name, row, col)),
                    format!(
                        "de cellen tot en met deze bevatten samen meer dan {} MB tekst; vul het sjabloon in met \
                         korte teksten",
                        MAX_COPIED_TEXT / (1024 * 1024)
                    ),
                    format!(
                        "the cells up to this one hold more than {} MB of text together; fill in the template \
                         with short texts",
                        MAX_COPIED_TEXT / (1024 * 1024)
                    ),
                ));
            }
        }
    }
    drop(reader);
    let mut reader = book.worksheet_cells_reader(name).map_err(|e| unreadable(e, bytes))?;
    let mut n: u64 = 0;
    while let Some((row, col, _)) = reader.next_style_id().map_err(|e| unreadable(e, bytes))? {
        n += 1;
        if row >= MAX_ROWS || col >= MAX_COLUMNS || n > limit {
            return Err(outside(row, col));
        }
    }
    Ok(())
}

fn read_sheet(book: &mut Xlsx<Cursor<&[u8]>>, name: &'static str, bytes: &[u8]) -> Result<Sheet, CellError> {
    if !book.sheet_names().iter().any(|n| n == name) {
        return Err(refuse(
            None,
            format!("het tabblad '{name}' ontbreekt; upload het ingevulde sjabloon van de uitvraag"),
            format!("the sheet '{name}' is missing; upload the filled-in template of the request"),
        ));
    }
    check_extent(book, name, bytes)?;
    let cells = book.worksheet_range(name).map_err(|e| unreadable(e, bytes))?;
    // Styles only serve to recognise percentages; a file whose styles cannot be read still has its values.
    let styles = book.worksheet_style(name).ok();
    Ok(Sheet { name, cells, styles, is_1904: book.has_1904_epoch() })
}

/// Header texts compare without regard to case or spacing.
fn same_header(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    norm(a) == norm(b)
}

/// The columns the reader needs, found in the header row.
struct Columns {
    header_row: u32,
    key: u32,
    answer: u32,
    explanation: u32,
}

fn find_columns(sheet: &Sheet, year: i32) -> Result<Columns, CellError> {
    let (end_row, end_col) = sheet.cells.end().unwrap_or((0, 0));
    let texts = |row: u32| -> Vec<(u32, String)> {
        (0..=end_col)
            .filter_map(|c| match sheet.get(row, c) {
                Data::String(s) => Some((c, s.clone())),
                _ => None,
            })
            .collect()
    };
    let find = |row: &[(u32, String)], wanted: &[String]| {
        row.iter().find(|(_, t)| wanted.iter().any(|w| same_header(t, w))).map(|(c, _)| *c)
    };
    let langs = [Lang::Nl, Lang::En];
    let keys: Vec<String> = langs.iter().map(|l| key_header(*l).to_string()).collect();
    let answers: Vec<String> = langs.iter().map(|l| answer_header(*l, year)).collect();
    let explanations: Vec<String> = langs.iter().map(|l| explanation_header(*l, year)).collect();
    for row in 0..=end_row.min(HEADER_SEARCH_ROWS) {
        let header = texts(row);
        let Some(key) = find(&header, &keys) else { continue };
        let missing = |wanted: &[String]| {
            refuse(
                Some(sheet.cell(row, 0)),
                format!("de kolom '{}' ontbreekt in de kopregel; gebruik het sjabloon van {year}", wanted[0]),
                format!("the column '{}' is missing from the header row; use the template for {year}", wanted[1]),
            )
        };
        let answer = find(&header, &answers).ok_or_else(|| missing(&answers))?;
        let explanation = find(&header, &explanations).ok_or_else(|| missing(&explanations))?;
        return Ok(Columns { header_row: row, key, answer, explanation });
    }
    Err(refuse(
        Some(sheet.cell(0, 0)),
        format!("de kopregel met de kolom '{}' ontbreekt; gebruik het sjabloon van de uitvraag", keys[0]),
        format!("the header row with the column '{}' is missing; use the template of the request", keys[1]),
    ))
}

/// The most a workbook may unpack to. A filled-in template is well under a megabyte; the limit stops a small
/// upload that unpacks to gigabytes (a "zip bomb") before anything is decompressed.
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;

pub(crate) use wijkmonitor_model::workbook_guard::declared_unpacked_size;

fn check_unpacked_size(bytes: &[u8]) -> Result<(), CellError> {
    match declared_unpacked_size(bytes) {
        Some(size) if size > MAX_UNPACKED_BYTES => Err(CellError {
            cell: None,
            message_nl: format!(
                "het bestand pakt uit tot meer dan {} MB; een ingevuld sjabloon is veel kleiner",
                MAX_UNPACKED_BYTES / (1024 * 1024)
            ),
            message_en: format!(
                "the file unpacks to more than {} MB; a filled-in template is far smaller",
                MAX_UNPACKED_BYTES / (1024 * 1024)
            ),
        }),
        _ => Ok(()),
    }
}

/// Checks the info sheet: the file must be this area's, for this year.
fn check_info(info: &Sheet, area_id: &str, year: i32) -> Result<(), CellError> {
    let (row, col) = (INFO_AREA.0, u32::from(INFO_AREA.1));
    let found = info.text(row, col)?;
    let found = found.trim();
    if found != area_id {
        let (nl, en) = if found.is_empty() {
            ("het gebied ontbreekt".to_string(), "the area is missing".to_string())
        } else {
            (format!("dit bestand is van gebied '{found}'"), format!("this file is for area '{found}'"))
        };
        return Err(refuse(
            Some(info.cell(row, col)),
            format!("{nl}, niet van '{area_id}'; download het sjabloon voor uw eigen gebied"),
            format!("{en}, not for '{area_id}'; download the template for your own area"),
        ));
    }
    let (row, col) = (INFO_YEAR.0, u32::from(INFO_YEAR.1));
    let found = info.text(row, col)?;
    let found = found.trim();
    if found.parse::<i32>().ok() != Some(year) {
        let (nl, en) = if found.is_empty() {
            ("het jaar ontbreekt".to_string(), "the year is missing".to_string())
        } else {
            (format!("dit bestand is voor {found}"), format!("this file is for {found}"))
        };
        return Err(refuse(
            Some(info.cell(row, col)),
            format!("{nl}, niet voor {year}; download het sjabloon van {year}"),
            format!("{en}, not for {year}; download the template for {year}"),
        ));
    }
    Ok(())
}

/// Reads an uploaded workbook made from `template` for `area_id` and `year`. Refuses a file that is not an
/// xlsx, lacks the sheet, belongs to another area or year (naming the cell that says so), or has an item key
/// that is not in `items` (naming the cell). It does not validate values: call `request::validate` on
/// `answers`, then `locate` to name the cells of the errors.
///
/// Rows are matched by their item key, not their position, so moved or deleted rows are fine; a row that has
/// an answer but lost its key, and a key that appears twice, are refused rather than guessed at.
pub fn read_upload(bytes: &[u8], area_id: &str, year: i32, items: &[Item]) -> Result<Upload, CellError> {
    check_unpacked_size(bytes)?;
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(e, bytes))?;
    let info = read_sheet(&mut book, INFO_SHEET, bytes)?;
    check_info(&info, area_id, year)?;
    let sheet = read_sheet(&mut book, REQUEST_SHEET, bytes)?;
    let columns = find_columns(&sheet, year)?;
    let end_row = sheet.cells.end().map_or(0, |(r, _)| r);
    let mut upload = Upload::default();
    let mut key_cells: BTreeMap<String, String> = BTreeMap::new();
    for row in columns.header_row + 1..=end_row {
        let key_cell = sheet.cell(row, columns.key);
        let key = sheet.text(row, columns.key)?.trim().to_string();
        let value = sheet.text(row, columns.answer)?;
        let explanation = sheet.text(row, columns.explanation)?;
        if key.is_empty() {
            if value.trim().is_empty() && explanation.trim().is_empty() {
                continue; // an empty row, or a note the area typed somewhere else in the row
            }
            return Err(refuse(
                Some(key_cell),
                "deze regel heeft een antwoord maar geen sleutel; zet de sleutel terug of verwijder de regel".into(),
                "this row has an answer but no key; put the key back or delete the row".into(),
            ));
        }
        if !items.iter().any(|i| i.indicator == key) {
            return Err(refuse(
                Some(key_cell),
                format!("'{key}' is geen onderdeel van de uitvraag {year}; herstel de sleutel of verwijder de regel"),
                format!("'{key}' is not an item of the {year} request; restore the key or delete the row"),
            ));
        }
        if let Some(first) = key_cells.get(&key) {
            return Err(refuse(
                Some(key_cell),
                format!(
                    "onderdeel '{key}' staat twee keer in het bestand (ook in {first}); verwijder een van beide regels"
                ),
                format!("item '{key}' appears twice in the file (also in {first}); delete one of the rows"),
            ));
        }
        key_cells.insert(key.clone(), key_cell);
        upload.cells.insert(key.clone(), sheet.cell(row, columns.answer));
        upload.explanation_cells.insert(key.clone(), sheet.cell(row, columns.explanation));
        upload.answers.insert(key, RawAnswer { value, explanation });
    }
    if upload.answers.is_empty() {
        return Err(refuse(
            None,
            format!("het tabblad '{REQUEST_SHEET}' bevat geen onderdelen van de uitvraag"),
            format!("the sheet '{REQUEST_SHEET}' holds no items of the request"),
        ));
    }
    Ok(upload)
}

/// The validation errors with the cell of each (`Uitvraag!G7: 'veel' is geen getal`). An error about an item
/// whose row is not in the file (a required answer of a deleted row) names the item instead.
pub fn locate(errors: &[FieldError], upload: &Upload) -> Vec<CellError> {
    errors
        .iter()
        .map(|e| {
            // `too_long` is used for both the answer and the explanation: point at whichever is too long.
            let explanation_too_long = e.code == "too_long"
                && upload.answers.get(&e.item).is_some_and(|a| {
                    a.value.trim().chars().count() <= MAX_TEXT && a.explanation.chars().count() > MAX_TEXT
                });
            let cells = if explanation_too_long { &upload.explanation_cells } else { &upload.cells };
            match cells.get(&e.item) {
                Some(cell) => refuse(Some(cell.clone()), e.message_nl.clone(), e.message_en.clone()),
                None => refuse(None, format!("{}: {}", e.item, e.message_nl), format!("{}: {}", e.item, e.message_en)),
            }
        })
        .collect()
}
