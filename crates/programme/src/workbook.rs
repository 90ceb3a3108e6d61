//! The yearly request ("uitvraag") as an Excel workbook: the template an area downloads for its year (its saved
//! answers filled in, last year's answers beside them, the definitions on a sheet of their own) and the reading of
//! the filled-in file it uploads again.
//!
//! Reading does not judge the values: [`read_upload`] only turns cells into [`RawAnswer`]s exactly as the web form
//! would receive them, so the caller runs the one [`crate::request::validate`] on them and an answer is refused
//! (or accepted) the same way whichever way it arrives. [`locate`] then puts the cell next to each error. What
//! [`read_upload`] does refuse is a file that cannot be the area's own template for the year: another format,
//! another area or year, an unknown or duplicated item key. Either the whole upload is usable or nothing is
//! returned, so a broken upload can never be half applied.
//!
//! No IO: bytes in, bytes out.

use crate::request::{parse_number, FieldError, Item, RawAnswer, MAX_TEXT};
use calamine::{Data, Range, Reader, StyleRange, Xlsx, XlsxError as ReadError};
use rust_xlsxwriter::{
    utility::row_col_to_cell, ColNum, DataValidation, DataValidationErrorStyle, DataValidationRule, Format,
    FormatAlign, FormatBorder, RowNum, Workbook, Worksheet, XlsxError,
};
use std::collections::BTreeMap;
use std::io::Cursor;
use wijkmonitor_model::catalogue::InputKind;
use wijkmonitor_model::date::excel_date;

/// The sheet with one row per item. Named the same in both languages, so a Dutch and an English template read
/// the same way.
pub const REQUEST_SHEET: &str = "Uitvraag";
/// The sheet that says whose file it is. Also the same in both languages.
pub const INFO_SHEET: &str = "Info";

// Columns of the request sheet as the template writes them (0-based). The reader looks the key, answer and
// explanation columns up by their header instead, so a column the area inserts does no harm.
const COL_NUMBER: ColNum = 0;
const COL_KEY: ColNum = 1;
const COL_NAME: ColNum = 2;
const COL_UNIT: ColNum = 3;
const COL_RANGE: ColNum = 4;
const COL_LAST_YEAR: ColNum = 5;
const COL_ANSWER: ColNum = 6;
const COL_EXPLANATION: ColNum = 7;

// Fixed cells of the info sheet (row, column): B1 the area id, B2 its name, B3 the year.
const INFO_AREA: (RowNum, ColNum) = (0, 1);
const INFO_NAME: (RowNum, ColNum) = (1, 1);
const INFO_YEAR: (RowNum, ColNum) = (2, 1);

/// How far down the reader looks for the header row (in case the area put a title above it).
const HEADER_SEARCH_ROWS: u32 = 20;

/// The language of the template's headers and texts. Dutch unless asked otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Nl,
    En,
}

impl Lang {
    fn pick<'a>(self, nl: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }
}

/// What goes into one area's template for one year.
#[derive(Debug, Clone, Copy)]
pub struct TemplateInput<'a> {
    pub area_id: &'a str,
    pub area_name: &'a str,
    /// The year the answers are about.
    pub year: i32,
    pub items: &'a [Item],
    /// The area's current answers (a saved draft), written into the answer column.
    pub current: &'a BTreeMap<String, RawAnswer>,
    /// Last year's answers, shown beside each item (read-only column).
    pub last_year: &'a BTreeMap<String, RawAnswer>,
    pub lang: Lang,
}

/// The answers read from an uploaded workbook, with the cell each came from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Upload {
    /// One answer for each item row in the file (empty cells give empty answers). Items whose row the area
    /// deleted are absent, so a caller that merges over the saved draft keeps their saved answers.
    pub answers: BTreeMap<String, RawAnswer>,
    /// For each item (indicator id), the cell of its answer, e.g. "Uitvraag!G7", to name in messages.
    pub cells: BTreeMap<String, String>,
    /// For each item, the cell of its explanation, e.g. "Uitvraag!H7" (an explanation that is too long is
    /// reported there rather than at the answer).
    pub explanation_cells: BTreeMap<String, String>,
}

/// A problem with an uploaded workbook. The messages are complete sentences that already start with the cell
/// where there is one (`Uitvraag!G7: 'veel' is geen getal`), so a caller can show them as they are; `cell` is
/// there to mark the spot.
#[derive(Debug, Clone, PartialEq)]
pub struct CellError {
    pub cell: Option<String>,
    pub message_nl: String,
    pub message_en: String,
}

impl std::fmt::Display for CellError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message_nl)
    }
}

impl std::error::Error for CellError {}

/// A refusal; the cell, where known, is put before the message.
fn refuse(cell: Option<String>, nl: String, en: String) -> CellError {
    match cell {
        Some(c) => CellError { message_nl: format!("{c}: {nl}"), message_en: format!("{c}: {en}"), cell: Some(c) },
        None => CellError { cell: None, message_nl: nl, message_en: en },
    }
}

/// `Sheet!A1` for a 0-based position.
fn cell_name(sheet: &str, row: u32, col: u32) -> String {
    // Columns beyond Excel's 16,384 cannot occur in a sheet Excel wrote; clamp rather than fail.
    let col = ColNum::try_from(col).unwrap_or(ColNum::MAX);
    format!("{sheet}!{}", row_col_to_cell(row, col))
}

// ---------------------------------------------------------------------------------------------------------------
// Writing the template

/// The texts of the header row, in the column order of the request sheet.
fn headers(lang: Lang, year: i32) -> [String; 8] {
    let previous = year - 1;
    match lang {
        Lang::Nl => [
            "Nr".into(),
            key_header(lang).into(),
            "Onderdeel".into(),
            "Eenheid".into(),
            "Plausibel bereik".into(),
            format!("Antwoord {previous}"),
            answer_header(lang, year),
            explanation_header(lang, year),
        ],
        Lang::En => [
            "No.".into(),
            key_header(lang).into(),
            "Item".into(),
            "Unit".into(),
            "Plausible range".into(),
            format!("Answer {previous}"),
            answer_header(lang, year),
            explanation_header(lang, year),
        ],
    }
}

fn key_header(lang: Lang) -> &'static str {
    lang.pick("Sleutel", "Key")
}

fn answer_header(lang: Lang, year: i32) -> String {
    format!("{} {year}", lang.pick("Antwoord", "Answer"))
}

fn explanation_header(lang: Lang, year: i32) -> String {
    format!("{} {year}", lang.pick("Toelichting", "Explanation"))
}

/// The catalogue's units are Dutch words; the English template translates the two that are words.
fn unit_text(unit: &str, lang: Lang) -> &str {
    match (lang, unit) {
        (Lang::En, "aantal") => "count",
        (Lang::En, "tekst") => "text",
        _ => unit,
    }
}

/// The plausible range as shown in the range column and the input message.
fn range_text(item: &Item, lang: Lang) -> String {
    if item.input == InputKind::Text {
        return format!("{} {MAX_TEXT} {}", lang.pick("hoogstens", "at most"), lang.pick("tekens", "characters"));
    }
    match (item.min, item.max) {
        (Some(a), Some(b)) => format!("{} {} {}", number_text(a), lang.pick("t/m", "to"), number_text(b)),
        (Some(a), None) => format!("{} {}", lang.pick("minstens", "at least"), number_text(a)),
        (None, Some(b)) => format!("{} {}", lang.pick("hoogstens", "at most"), number_text(b)),
        (None, None) => String::new(),
    }
}

/// What the answer cell expects, in a sentence (the input message and the error message of its validation).
fn expectation(item: &Item, lang: Lang) -> String {
    let between = |what_nl: &str, what_en: &str| {
        let (a, b) = (item.min.map(number_text), item.max.map(number_text));
        match (lang, a, b) {
            (Lang::Nl, Some(a), Some(b)) => format!("{what_nl} van {a} t/m {b}."),
            (Lang::Nl, Some(a), None) => format!("{what_nl} van minstens {a}."),
            (Lang::Nl, None, Some(b)) => format!("{what_nl} van hoogstens {b}."),
            (Lang::Nl, None, None) => format!("{what_nl}."),
            (Lang::En, Some(a), Some(b)) => format!("{what_en} from {a} to {b}."),
            (Lang::En, Some(a), None) => format!("{what_en} of at least {a}."),
            (Lang::En, None, Some(b)) => format!("{what_en} of at most {b}."),
            (Lang::En, None, None) => format!("{what_en}."),
        }
    };
    match item.input {
        InputKind::Text => match lang {
            Lang::Nl => format!("Vrije tekst van hoogstens {MAX_TEXT} tekens. Mag leeg blijven."),
            Lang::En => format!("Free text of at most {MAX_TEXT} characters. May stay empty."),
        },
        InputKind::Rating5 | InputKind::Rating10 => between("Een score", "A score"),
        InputKind::Percent => between("Een percentage", "A percentage"),
        InputKind::Number if item.whole() => between("Een geheel getal", "A whole number"),
        InputKind::Number => between("Een getal", "A number"),
    }
}

/// Cuts a text to Excel's limit for validation messages (255 characters) on a character boundary.
fn excel_message(text: String) -> String {
    if text.chars().count() <= 255 {
        text
    } else {
        text.chars().take(254).chain(std::iter::once('…')).collect()
    }
}

/// A whole-number bound Excel can hold, if the catalogue's bound is one.
fn whole_bound(n: Option<f64>) -> Option<i32> {
    let n = n?;
    (n.fract() == 0.0 && n >= f64::from(i32::MIN) && n <= f64::from(i32::MAX)).then_some(n as i32)
}

/// Excel's own check of an answer cell, mirroring `validate` where Excel can (the upload is validated again
/// anyway; this only tells the area at the moment it types).
fn answer_validation(item: &Item, lang: Lang) -> Result<DataValidation, XlsxError> {
    let base = DataValidation::new();
    let rule = match item.input {
        InputKind::Text => {
            let max = u32::try_from(MAX_TEXT).unwrap_or(u32::MAX);
            base.allow_text_length(DataValidationRule::LessThanOrEqualTo(max))
        }
        InputKind::Rating5 | InputKind::Rating10 => {
            let top = if item.input == InputKind::Rating5 { 5 } else { 10 };
            let low = whole_bound(item.min).unwrap_or(1);
            let high = whole_bound(item.max).unwrap_or(top);
            if item.input == InputKind::Rating5 {
                // A drop-down list is the quickest way to pick one of five scores.
                let choices: Vec<String> = (low..=high).map(|n| n.to_string()).collect();
                base.allow_list_strings(&choices)?
            } else {
                base.allow_whole_number(DataValidationRule::Between(low, high))
            }
        }
        InputKind::Number | InputKind::Percent => {
            let whole = item.whole()
                && item.min.is_none_or(|m| whole_bound(Some(m)).is_some())
                && item.max.is_none_or(|m| whole_bound(Some(m)).is_some());
            match (whole, item.min, item.max) {
                (_, None, None) => base.allow_any_value(),
                (true, min, max) => base.allow_whole_number(match (whole_bound(min), whole_bound(max)) {
                    (Some(a), Some(b)) => DataValidationRule::Between(a, b),
                    (Some(a), None) => DataValidationRule::GreaterThanOrEqualTo(a),
                    (None, Some(b)) => DataValidationRule::LessThanOrEqualTo(b),
                    (None, None) => DataValidationRule::GreaterThanOrEqualTo(i32::MIN),
                }),
                (false, Some(a), Some(b)) => base.allow_decimal_number(DataValidationRule::Between(a, b)),
                (false, Some(a), None) => base.allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(a)),
                (false, None, Some(b)) => base.allow_decimal_number(DataValidationRule::LessThanOrEqualTo(b)),
            }
        }
    };
    let expected = expectation(item, lang);
    rule.set_input_title(format!("{} {}", lang.pick("Onderdeel", "Item"), item.number))?
        .set_input_message(excel_message(expected.clone()))?
        .set_error_title(lang.pick("Ongeldige invoer", "Invalid entry"))?
        .set_error_message(excel_message(format!("{} {expected}", lang.pick("Verwacht:", "Expected:"))))
        // Stop, like the upload would: a value Excel lets through here is still checked again on upload.
        .map(|v| v.set_error_style(DataValidationErrorStyle::Stop))
}

fn explanation_validation(lang: Lang) -> Result<DataValidation, XlsxError> {
    let max = u32::try_from(MAX_TEXT).unwrap_or(u32::MAX);
    DataValidation::new()
        .allow_text_length(DataValidationRule::LessThanOrEqualTo(max))
        .set_input_title(lang.pick("Toelichting", "Explanation"))?
        .set_input_message(excel_message(match lang {
            Lang::Nl => format!(
                "Optioneel: licht het antwoord toe, bijvoorbeeld de bron of een bijzonderheid (hoogstens {MAX_TEXT} tekens)."
            ),
            Lang::En => format!(
                "Optional: explain the answer, for example its source or anything unusual (at most {MAX_TEXT} characters)."
            ),
        }))?
        .set_error_title(lang.pick("Te lang", "Too long"))?
        .set_error_message(match lang {
            Lang::Nl => format!("De toelichting mag hoogstens {MAX_TEXT} tekens lang zijn."),
            Lang::En => format!("The explanation may be at most {MAX_TEXT} characters long."),
        })
}

/// The cell formats of the template.
struct Formats {
    header: Format,
    /// The headers of the columns the area fills in, marked like their cells.
    header_fill: Format,
    plain: Format,
    wrap: Format,
    key: Format,
    last_year: Format,
    last_year_wrap: Format,
    answer: Format,
    answer_wrap: Format,
    label: Format,
}

impl Formats {
    fn new() -> Formats {
        const FILL: u32 = 0xFFF2CC; // light yellow: "type here"
        const READ_ONLY: u32 = 0xF2F2F2; // light grey: for reference
        let top = Format::new().set_align(FormatAlign::Top);
        let header = top.clone().set_bold().set_text_wrap().set_border_bottom(FormatBorder::Thin);
        let answer = top.clone().set_background_color(FILL).set_border(FormatBorder::Thin).set_border_color(0xBFBFBF);
        let last_year = top.clone().set_background_color(READ_ONLY);
        Formats {
            header_fill: header.clone().set_background_color(0xFFE699),
            header: header.set_background_color(0xD9D9D9),
            wrap: top.clone().set_text_wrap(),
            // The key is for the upload, not for reading: small and grey, but visible so nobody wonders.
            key: top.clone().set_font_color(0x808080).set_font_size(9),
            last_year_wrap: last_year.clone().set_text_wrap(),
            last_year,
            answer_wrap: answer.clone().set_text_wrap(),
            answer,
            label: top.clone().set_bold(),
            plain: top,
        }
    }
}

/// Writes an answer the way Excel would hold it if the area had typed it: a number where the item is numeric
/// and the text parses as one (so Excel's own checks and sums work), the text as typed otherwise.
fn write_answer(
    ws: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    item: &Item,
    value: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        ws.write_blank(row, col, format)?;
    } else if let (true, Ok(n)) = (item.input != InputKind::Text, parse_number(trimmed)) {
        ws.write_number_with_format(row, col, n, format)?;
    } else {
        ws.write_string_with_format(row, col, value, format)?;
    }
    Ok(())
}

fn write_text(ws: &mut Worksheet, row: RowNum, col: ColNum, text: &str, format: &Format) -> Result<(), XlsxError> {
    if text.is_empty() {
        ws.write_blank(row, col, format)?;
    } else {
        ws.write_string_with_format(row, col, text, format)?;
    }
    Ok(())
}

/// Column widths of the request sheet (in Excel's unit, about one digit), in column order.
const REQUEST_WIDTHS: [f64; 8] = [5.0, 26.0, 48.0, 11.0, 22.0, 20.0, 28.0, 48.0];
/// Column widths of the definitions sheet: number, key, name, definition.
const DEFINITION_WIDTHS: [f64; 4] = [5.0, 26.0, 40.0, 90.0];

/// The number of lines a text takes in a wrapped cell of `width`. An estimate, erring towards a line too many:
/// Excel's width unit is one digit and running text is a little narrower on average, but breaking at words
/// loses a few characters a line.
fn wrapped_lines(text: &str, width: f64) -> u32 {
    let per_line = ((width * 1.15 - 3.0).floor() as usize).max(1);
    let lines: usize = text.split('\n').map(|l| l.chars().count().div_ceil(per_line).max(1)).sum();
    u32::try_from(lines).unwrap_or(u32::MAX)
}

/// Makes a row tall enough for its wrapped texts. Excel grows such rows by itself when it opens a file, but not
/// every spreadsheet program does (LibreOffice keeps them one line high, with the text overlapping), so the
/// template sets the height where a row needs more than one line and leaves the others to grow as typed.
fn fit_row_height(ws: &mut Worksheet, row: RowNum, texts: &[(&str, f64)]) -> Result<(), XlsxError> {
    let lines = texts.iter().map(|(t, w)| wrapped_lines(t, *w)).max().unwrap_or(1);
    if lines > 1 {
        // 15 points a line in the default font; Excel's highest row is 409 points.
        ws.set_row_height(row, (15.0 * f64::from(lines)).min(409.0))?;
    }
    Ok(())
}

fn request_sheet(ws: &mut Worksheet, input: &TemplateInput, f: &Formats) -> Result<(), XlsxError> {
    let lang = input.lang;
    ws.set_name(REQUEST_SHEET)?;
    for (col, text) in (0..).zip(headers(lang, input.year)) {
        let format = if col == COL_ANSWER || col == COL_EXPLANATION { &f.header_fill } else { &f.header };
        ws.write_string_with_format(0, col, text, format)?;
    }
    for (row, item) in (1..).zip(input.items) {
        // Open questions get wrapped cells: their answers are sentences.
        let text = item.input == InputKind::Text;
        let name = lang.pick(&item.name_nl, &item.name_en);
        ws.write_number_with_format(row, COL_NUMBER, item.number, &f.plain)?;
        ws.write_string_with_format(row, COL_KEY, &item.indicator, &f.key)?;
        ws.write_string_with_format(row, COL_NAME, name, &f.wrap)?;
        ws.write_string_with_format(row, COL_UNIT, unit_text(&item.unit, lang), &f.plain)?;
        let range = range_text(item, lang);
        ws.write_string_with_format(row, COL_RANGE, &range, &f.wrap)?;
        let last = input.last_year.get(&item.indicator).map_or("", |a| a.value.as_str());
        write_answer(ws, row, COL_LAST_YEAR, item, last, if text { &f.last_year_wrap } else { &f.last_year })?;
        let current = input.current.get(&item.indicator);
        let value = current.map_or("", |a| a.value.as_str());
        write_answer(ws, row, COL_ANSWER, item, value, if text { &f.answer_wrap } else { &f.answer })?;
        let explanation = current.map_or("", |a| a.explanation.as_str());
        write_text(ws, row, COL_EXPLANATION, explanation, &f.answer_wrap)?;
        ws.add_data_validation(row, COL_ANSWER, row, COL_ANSWER, &answer_validation(item, lang)?)?;
        let width = |col: ColNum| REQUEST_WIDTHS[usize::from(col)];
        let texts = [
            (name, width(COL_NAME)),
            (&range, width(COL_RANGE)),
            (last, width(COL_LAST_YEAR)),
            (value, width(COL_ANSWER)),
            (explanation, width(COL_EXPLANATION)),
        ];
        fit_row_height(ws, row, &texts)?;
    }
    let last_row = RowNum::try_from(input.items.len()).unwrap_or(RowNum::MAX).max(1);
    ws.add_data_validation(1, COL_EXPLANATION, last_row, COL_EXPLANATION, &explanation_validation(lang)?)?;
    for (col, width) in (0..).zip(REQUEST_WIDTHS) {
        ws.set_column_width(col, width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    // Start with the cursor in the first answer, where the typing begins.
    ws.set_selection(1, COL_ANSWER, 1, COL_ANSWER)?;
    ws.set_landscape().set_print_fit_to_pages(1, 0).set_repeat_rows(0, 0)?;
    Ok(())
}

fn definitions_sheet(ws: &mut Worksheet, input: &TemplateInput, f: &Formats) -> Result<(), XlsxError> {
    let lang = input.lang;
    ws.set_name(lang.pick("Definities", "Definitions"))?;
    let head = [
        lang.pick("Nr", "No."),
        key_header(lang),
        lang.pick("Onderdeel", "Item"),
        lang.pick("Definitie", "Definition"),
    ];
    for (col, text) in (0..).zip(head) {
        ws.write_string_with_format(0, col, text, &f.header)?;
    }
    for (row, item) in (1..).zip(input.items) {
        let (name, definition) = match lang {
            Lang::Nl => (&item.name_nl, &item.definition_nl),
            Lang::En => (&item.name_en, &item.definition_en),
        };
        ws.write_number_with_format(row, 0, item.number, &f.plain)?;
        ws.write_string_with_format(row, 1, &item.indicator, &f.key)?;
        ws.write_string_with_format(row, 2, name, &f.wrap)?;
        write_text(ws, row, 3, definition, &f.wrap)?;
        fit_row_height(ws, row, &[(name, DEFINITION_WIDTHS[2]), (definition, DEFINITION_WIDTHS[3])])?;
    }
    for (col, width) in (0..).zip(DEFINITION_WIDTHS) {
        ws.set_column_width(col, width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_landscape().set_print_fit_to_pages(1, 0).set_repeat_rows(0, 0)?;
    Ok(())
}

fn info_sheet(ws: &mut Worksheet, input: &TemplateInput, f: &Formats) -> Result<(), XlsxError> {
    let lang = input.lang;
    ws.set_name(INFO_SHEET)?;
    ws.write_string_with_format(INFO_AREA.0, 0, lang.pick("Gebied-id", "Area id"), &f.label)?;
    ws.write_string_with_format(INFO_AREA.0, INFO_AREA.1, input.area_id, &f.plain)?;
    ws.write_string_with_format(INFO_NAME.0, 0, lang.pick("Gebied", "Area"), &f.label)?;
    ws.write_string_with_format(INFO_NAME.0, INFO_NAME.1, input.area_name, &f.plain)?;
    ws.write_string_with_format(INFO_YEAR.0, 0, lang.pick("Jaar", "Year"), &f.label)?;
    // Left-aligned like the texts above it; still a number, as Excel would hold a typed year.
    let year_format = f.plain.clone().set_align(FormatAlign::Left);
    ws.write_number_with_format(INFO_YEAR.0, INFO_YEAR.1, input.year, &year_format)?;
    let notes = match lang {
        Lang::Nl => [
            format!(
                "Vul op het tabblad '{REQUEST_SHEET}' de gele kolommen in: het antwoord over {} en eventueel een toelichting. De definities staan op het tabblad 'Definities'.",
                input.year
            ),
            "Sla het bestand op als Excel-werkmap (.xlsx) en upload het weer in de wijkmonitor. Het wordt daar op dezelfde manier gecontroleerd als het webformulier; bij een fout wordt niets overgenomen en staat erbij in welke cel de fout zit.".to_string(),
            "Verander dit tabblad niet: het zegt voor welk gebied en jaar het bestand is. Verander ook de kolom 'Sleutel' niet; regels verplaatsen of verwijderen mag.".to_string(),
        ],
        Lang::En => [
            format!(
                "On the sheet '{REQUEST_SHEET}', fill in the yellow columns: the answer for {} and, if useful, an explanation. The definitions are on the sheet 'Definitions'.",
                input.year
            ),
            "Save the file as an Excel workbook (.xlsx) and upload it again in the wijkmonitor. It is checked there the same way as the web form; if anything is wrong nothing is taken over and the message names the cell.".to_string(),
            "Do not change this sheet: it says which area and year the file is for. Do not change the 'Key' column either; moving or deleting rows is fine.".to_string(),
        ],
    };
    let (label_width, value_width) = (14.0, 60.0);
    for (row, note) in (4..).zip(notes) {
        // Across both columns, wrapped, so the notes read on screen and print on one page.
        ws.merge_range(row, 0, row, 1, &note, &f.wrap)?;
        fit_row_height(ws, row, &[(&note, label_width + value_width)])?;
    }
    ws.set_column_width(0, label_width)?;
    ws.set_column_width(1, value_width)?;
    ws.set_print_fit_to_pages(1, 1);
    // Locked without a password, against an accidental edit of the area or year; the request sheet itself
    // stays unprotected so nothing stands in the way of typing, widening or sorting there.
    ws.protect();
    Ok(())
}

/// The template workbook (.xlsx bytes) for one area and year.
pub fn template(input: &TemplateInput) -> Result<Vec<u8>, String> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let formats = Formats::new();
        let mut book = Workbook::new();
        request_sheet(book.add_worksheet(), input, &formats)?;
        definitions_sheet(book.add_worksheet(), input, &formats)?;
        info_sheet(book.add_worksheet(), input, &formats)?;
        book.save_to_buffer()
    };
    build().map_err(|e| format!("cannot build the request workbook for area '{}', {}: {e}", input.area_id, input.year))
}

// ---------------------------------------------------------------------------------------------------------------
// Reading an upload

/// A number as text that `parse_number` reads back as the same number. Excel keeps 15 significant digits, so
/// anything beyond them is binary noise of the float (`12.499999999999998` for 12.5) and is rounded away.
fn number_text(n: f64) -> String {
    if !n.is_finite() {
        return n.to_string();
    }
    let rounded = format!("{n:.14e}").parse::<f64>().unwrap_or(n);
    if rounded == 0.0 {
        // Also turns -0 into 0.
        "0".to_string()
    } else {
        // Rust prints floats without an exponent, which `parse_number` needs.
        format!("{rounded}")
    }
}

/// Whether an Excel number format shows the value as a percentage (a `%` outside quoted text and escapes).
fn is_percent_format(code: &str) -> bool {
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

/// Streams over the cells of a sheet (without keeping them) and refuses one that lies outside the template's
/// extent, or more cells than fit in it. The spreadsheet reader allocates the whole rectangle between the
/// outermost cells, so a tiny file with cells at A1 and XFD1048576 would otherwise ask for hundreds of
/// gigabytes; it also refuses a sheet that repeats cells without end.
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
    let mut n: u64 = 0;
    while let Some(cell) = reader.next_cell().map_err(|e| unreadable(e, bytes))? {
        let (row, col) = cell.get_position();
        n += 1;
        if row >= MAX_ROWS || col >= MAX_COLUMNS || n > limit {
            return Err(outside(row, col));
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

fn le16(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?)))
}

fn le32(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?)))
}

/// The sum of the uncompressed sizes the zip's central directory declares, or `None` when it cannot be read (the
/// zip reader then reports the file as unreadable). ZIP64 entries (sizes of 4 GB and more) count as too large.
fn declared_unpacked_size(bytes: &[u8]) -> Option<u64> {
    // The end-of-central-directory record is in the last 22 + 65535 bytes (it may be followed by a comment).
    let from = bytes.len().saturating_sub(22 + 65_535);
    let eocd = (from..bytes.len().saturating_sub(21)).rev().find(|&i| bytes[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])?;
    let entries = le16(bytes, eocd + 10)?;
    let mut at = usize::try_from(le32(bytes, eocd + 16)?).ok()?;
    let mut total = 0u64;
    for _ in 0..entries {
        if bytes.get(at..at + 4)? != [0x50, 0x4b, 0x01, 0x02] {
            return None;
        }
        let size = le32(bytes, at + 24)?;
        total = total.saturating_add(if size == 0xFFFF_FFFF { u64::MAX } else { size });
        let skip = 46 + le16(bytes, at + 28)? + le16(bytes, at + 30)? + le16(bytes, at + 32)?;
        at = at.checked_add(usize::try_from(skip).ok()?)?;
    }
    Some(total)
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{items, validate};
    use wijkmonitor_model::Catalogue;

    const AREA: &str = "nplv_rotterdam_zuid";

    fn raw(value: &str, explanation: &str) -> RawAnswer {
        RawAnswer { value: value.into(), explanation: explanation.into() }
    }

    /// A valid answer for every item.
    fn filled(items: &[Item]) -> BTreeMap<String, RawAnswer> {
        items
            .iter()
            .map(|i| {
                let value = match i.input {
                    InputKind::Text => "Meer overleg met de corporaties; zie ook \"bijlage\" = 2".to_string(),
                    InputKind::Rating5 => "4".into(),
                    InputKind::Rating10 => "7".into(),
                    InputKind::Percent => "12.5".into(),
                    InputKind::Number if i.whole() => {
                        // A part stays below its total.
                        if i.part_of.is_some() { "100" } else { "120" }.into()
                    }
                    InputKind::Number => "3.75".into(),
                };
                let explanation =
                    if i.number % 3 == 0 { format!("bron: registratie {}", i.number) } else { String::new() };
                (i.indicator.clone(), RawAnswer { value, explanation })
            })
            .collect()
    }

    fn workbook(
        items: &[Item],
        current: &BTreeMap<String, RawAnswer>,
        last_year: &BTreeMap<String, RawAnswer>,
        lang: Lang,
    ) -> Vec<u8> {
        template(&TemplateInput {
            area_id: AREA,
            area_name: "Rotterdam-Zuid",
            year: 2025,
            items,
            current,
            last_year,
            lang,
        })
        .unwrap()
    }

    fn open(bytes: &[u8]) -> Xlsx<Cursor<&[u8]>> {
        Xlsx::new(Cursor::new(bytes)).unwrap()
    }

    /// The row (0-based) of an item in a template.
    fn row_of(items: &[Item], id: &str) -> u32 {
        items.iter().position(|i| i.indicator == id).unwrap() as u32 + 1
    }

    #[test]
    fn a_filled_workbook_reads_back_the_same_answers_in_both_languages() {
        let items = items(&Catalogue::builtin());
        let answers = filled(&items);
        assert!(validate(&items, &answers, true).is_ok(), "the test answers are valid");
        for lang in [Lang::Nl, Lang::En] {
            let bytes = workbook(&items, &answers, &BTreeMap::new(), lang);
            let upload = read_upload(&bytes, AREA, 2025, &items).unwrap();
            assert_eq!(upload.answers, answers, "{lang:?}");
            assert!(validate(&items, &upload.answers, true).is_ok());
            assert_eq!(upload.cells.len(), items.len());
            let first = &items[0].indicator;
            assert_eq!(upload.cells[first], "Uitvraag!G2");
            assert_eq!(upload.explanation_cells[first], "Uitvraag!H2");
        }
    }

    #[test]
    fn an_empty_template_reads_as_empty_answers() {
        let items = items(&Catalogue::builtin());
        let bytes = workbook(&items, &BTreeMap::new(), &BTreeMap::new(), Lang::Nl);
        let upload = read_upload(&bytes, AREA, 2025, &items).unwrap();
        assert_eq!(upload.answers.len(), items.len());
        assert!(upload.answers.values().all(|a| a == &RawAnswer::default()));
        assert!(validate(&items, &upload.answers, false).is_ok(), "an empty draft is fine");
    }

    #[test]
    fn the_template_shows_last_years_answers_and_the_definitions() {
        let items = items(&Catalogue::builtin());
        let first = &items[0];
        let text_item = items.iter().find(|i| i.input == InputKind::Text).unwrap();
        let last_year: BTreeMap<_, _> =
            [(first.indicator.clone(), raw("345", "")), (text_item.indicator.clone(), raw("Een wijkbudget", ""))]
                .into();
        let bytes = workbook(&items, &BTreeMap::new(), &last_year, Lang::Nl);
        let mut book = open(&bytes);
        assert_eq!(book.sheet_names(), ["Uitvraag", "Definities", "Info"]);
        let sheet = book.worksheet_range(REQUEST_SHEET).unwrap();
        assert_eq!(sheet.get_value((0, 5)), Some(&Data::String("Antwoord 2024".into())));
        assert_eq!(sheet.get_value((0, 6)), Some(&Data::String("Antwoord 2025".into())));
        assert_eq!(sheet.get_value((1, 1)), Some(&Data::String(first.indicator.clone())));
        assert_eq!(sheet.get_value((1, 2)), Some(&Data::String(first.name_nl.clone())));
        assert_eq!(sheet.get_value((1, 5)), Some(&Data::Float(345.0)), "last year's number, as a number");
        let row = row_of(&items, &text_item.indicator);
        assert_eq!(sheet.get_value((row, 5)), Some(&Data::String("Een wijkbudget".into())));
        let definitions = book.worksheet_range("Definities").unwrap();
        assert_eq!(definitions.get_value((1, 3)), Some(&Data::String(first.definition_nl.clone())));
        let info = book.worksheet_range(INFO_SHEET).unwrap();
        assert_eq!(info.get_value((0, 1)), Some(&Data::String(AREA.into())));
        assert_eq!(info.get_value((1, 1)), Some(&Data::String("Rotterdam-Zuid".into())));
        assert_eq!(info.get_value((2, 1)), Some(&Data::Float(2025.0)));
        // The English template has English headers and names, and the same sheet to upload.
        let bytes = workbook(&items, &BTreeMap::new(), &last_year, Lang::En);
        let mut book = open(&bytes);
        assert_eq!(book.sheet_names(), ["Uitvraag", "Definitions", "Info"]);
        let sheet = book.worksheet_range(REQUEST_SHEET).unwrap();
        assert_eq!(sheet.get_value((0, 6)), Some(&Data::String("Answer 2025".into())));
        assert_eq!(sheet.get_value((1, 2)), Some(&Data::String(first.name_en.clone())));
    }

    #[test]
    fn a_broken_answer_is_named_by_its_cell() {
        let items = items(&Catalogue::builtin());
        let mut answers = filled(&items);
        let target = items.iter().find(|i| i.input == InputKind::Number).unwrap().indicator.clone();
        answers.insert(target.clone(), raw("veel", ""));
        let bytes = workbook(&items, &answers, &BTreeMap::new(), Lang::Nl);
        let upload = read_upload(&bytes, AREA, 2025, &items).unwrap();
        assert_eq!(upload.answers[&target].value, "veel");
        let errors = validate(&items, &upload.answers, true).unwrap_err();
        let located = locate(&errors, &upload);
        let cell = format!("Uitvraag!G{}", row_of(&items, &target) + 1);
        assert_eq!(
            located,
            vec![CellError {
                cell: Some(cell.clone()),
                message_nl: format!("{cell}: 'veel' is geen getal"),
                message_en: format!("{cell}: 'veel' is not a number"),
            }]
        );
    }

    #[test]
    fn a_too_long_explanation_is_named_at_the_explanation() {
        let items = items(&Catalogue::builtin());
        let mut answers = filled(&items);
        let target = items[0].indicator.clone();
        answers.insert(target.clone(), raw("10", &"x".repeat(MAX_TEXT + 1)));
        let bytes = workbook(&items, &answers, &BTreeMap::new(), Lang::Nl);
        let upload = read_upload(&bytes, AREA, 2025, &items).unwrap();
        let errors = validate(&items, &upload.answers, true).unwrap_err();
        let located = locate(&errors, &upload);
        assert_eq!(located.len(), 1);
        assert_eq!(located[0].cell.as_deref(), Some("Uitvraag!H2"));
    }

    #[test]
    fn a_file_for_another_area_or_year_is_refused_at_the_info_cell() {
        let items = items(&Catalogue::builtin());
        let bytes = workbook(&items, &filled(&items), &BTreeMap::new(), Lang::Nl);
        let e = read_upload(&bytes, "nplv_heerlen_noord", 2025, &items).unwrap_err();
        assert_eq!(e.cell.as_deref(), Some("Info!B1"));
        assert!(
            e.message_nl.starts_with("Info!B1: dit bestand is van gebied 'nplv_rotterdam_zuid'"),
            "{}",
            e.message_nl
        );
        let e = read_upload(&bytes, AREA, 2026, &items).unwrap_err();
        assert_eq!(e.cell.as_deref(), Some("Info!B3"));
        assert!(e.message_en.contains("this file is for 2025, not for 2026"), "{}", e.message_en);
    }

    #[test]
    fn garbage_is_refused_with_a_clear_message() {
        let items = items(&Catalogue::builtin());
        let e = read_upload(b"dit is geen spreadsheet", AREA, 2025, &items).unwrap_err();
        assert_eq!(e.cell, None);
        assert!(e.message_nl.contains("geen Excel-werkmap (.xlsx)"), "{}", e.message_nl);
        let e = read_upload(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0], AREA, 2025, &items).unwrap_err();
        assert!(e.message_en.contains("(.xls)"), "{}", e.message_en);
        let ods = b"PK\x03\x04\x14\0\0\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x08\0\0\0mimetypeapplication/vnd.oasis.opendocument.spreadsheet";
        let e = read_upload(ods, AREA, 2025, &items).unwrap_err();
        assert!(e.message_en.contains("(.ods)"), "{}", e.message_en);
        // A real workbook that is not the template.
        let mut book = Workbook::new();
        book.add_worksheet().write_string(0, 0, "hallo").unwrap();
        let e = read_upload(&book.save_to_buffer().unwrap(), AREA, 2025, &items).unwrap_err();
        assert_eq!(e.message_nl, "het tabblad 'Info' ontbreekt; upload het ingevulde sjabloon van de uitvraag");
    }

    /// A workbook laid out like the template, written cell by cell, for uploads the template cannot make.
    fn hand_made(rows: &[(&str, Option<f64>, &str)], percent_row: Option<usize>) -> Vec<u8> {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name(REQUEST_SHEET).unwrap();
        for (col, text) in (0..).zip(headers(Lang::Nl, 2025)) {
            ws.write_string(0, col, text).unwrap();
        }
        let percent = Format::new().set_num_format("0%");
        for (i, (key, number, text)) in rows.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, COL_KEY, *key).unwrap();
            match (number, percent_row == Some(i)) {
                (Some(n), true) => ws.write_number_with_format(row, COL_ANSWER, *n, &percent).map(|_| ()).unwrap(),
                (Some(n), false) => ws.write_number(row, COL_ANSWER, *n).map(|_| ()).unwrap(),
                (None, _) => ws.write_string(row, COL_ANSWER, *text).map(|_| ()).unwrap(),
            }
        }
        let info = book.add_worksheet();
        info.set_name(INFO_SHEET).unwrap();
        info.write_string(0, 1, AREA).unwrap();
        info.write_string(2, 1, "2025").unwrap(); // typed as text: still read as the year
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn numbers_typed_in_excel_arrive_as_the_digits_shown() {
        let items = items(&Catalogue::builtin());
        let count = items.iter().find(|i| i.whole() && i.input == InputKind::Number && i.part_of.is_none()).unwrap();
        let fte = items.iter().find(|i| i.unit == "fte").unwrap();
        let percent = items.iter().find(|i| i.input == InputKind::Percent).unwrap();
        let text = items.iter().find(|i| i.input == InputKind::Text).unwrap();
        let bytes = hand_made(
            &[
                (&count.indicator, Some(120.0), ""),
                (&fte.indicator, Some(12.499_999_999_999_998), ""),
                // 40% typed in Excel is 0.4 shown as a percentage.
                (&percent.indicator, Some(0.4), ""),
                ("", None, ""),
                (&text.indicator, None, "1.500 uur"),
            ],
            Some(2),
        );
        let upload = read_upload(&bytes, AREA, 2025, &items).unwrap();
        assert_eq!(upload.answers[&count.indicator].value, "120");
        assert_eq!(upload.answers[&fte.indicator].value, "12.5");
        assert_eq!(upload.answers[&percent.indicator].value, "40");
        assert_eq!(upload.answers[&text.indicator].value, "1.500 uur");
        assert_eq!(upload.answers.len(), 4, "deleted rows are absent, the blank row is skipped");
        assert_eq!(upload.cells[&text.indicator], "Uitvraag!G6");
        assert!(validate(&items, &upload.answers, false).is_ok());
    }

    #[test]
    fn moved_rows_are_matched_by_their_key() {
        let items = items(&Catalogue::builtin());
        let (a, b) = (&items[1].indicator, &items[0].indicator);
        let bytes = hand_made(&[(a, Some(7.0), ""), (b, Some(8.0), "")], None);
        let upload = read_upload(&bytes, AREA, 2025, &items).unwrap();
        assert_eq!((upload.answers[a].value.as_str(), upload.cells[a].as_str()), ("7", "Uitvraag!G2"));
        assert_eq!((upload.answers[b].value.as_str(), upload.cells[b].as_str()), ("8", "Uitvraag!G3"));
    }

    #[test]
    fn an_unknown_or_duplicated_or_lost_key_is_refused_at_its_cell() {
        let items = items(&Catalogue::builtin());
        let known = &items[0].indicator;
        let e = read_upload(&hand_made(&[(known, Some(1.0), ""), ("nope", Some(2.0), "")], None), AREA, 2025, &items)
            .unwrap_err();
        assert_eq!(e.cell.as_deref(), Some("Uitvraag!B3"));
        assert!(
            e.message_nl.starts_with("Uitvraag!B3: 'nope' is geen onderdeel van de uitvraag 2025"),
            "{}",
            e.message_nl
        );
        let e = read_upload(&hand_made(&[(known, Some(1.0), ""), (known, Some(2.0), "")], None), AREA, 2025, &items)
            .unwrap_err();
        assert_eq!(e.cell.as_deref(), Some("Uitvraag!B3"));
        assert!(e.message_en.contains("also in Uitvraag!B2"), "{}", e.message_en);
        let e = read_upload(&hand_made(&[(known, Some(1.0), ""), ("", Some(2.0), "")], None), AREA, 2025, &items)
            .unwrap_err();
        assert_eq!(e.cell.as_deref(), Some("Uitvraag!B3"));
    }

    #[test]
    fn excel_errors_and_dates_are_not_taken_for_answers() {
        let items = items(&Catalogue::builtin());
        let count = &items[0].indicator;
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name(REQUEST_SHEET).unwrap();
        for (col, text) in (0..).zip(headers(Lang::En, 2025)) {
            ws.write_string(0, col, text).unwrap();
        }
        ws.write_string(1, COL_KEY, count).unwrap();
        // "12-5" typed in Dutch Excel becomes 12 May.
        let date = Format::new().set_num_format("dd-mm-yyyy");
        ws.write_number_with_format(1, COL_ANSWER, 45_789.0, &date).unwrap();
        let info = book.add_worksheet();
        info.set_name(INFO_SHEET).unwrap();
        info.write_string(0, 1, AREA).unwrap();
        info.write_number(2, 1, 2025).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let upload = read_upload(&bytes, AREA, 2025, &items).unwrap();
        assert_eq!(upload.answers[count].value, "12-05-2025");
        let located = locate(&validate(&items, &upload.answers, false).unwrap_err(), &upload);
        assert_eq!(located[0].message_nl, "Uitvraag!G2: '12-05-2025' is geen getal");
        // A number no calendar holds, typed into a date-formatted cell: read as the number, not a date (this
        // overflowed the date conversion once).
        for huge in [1e308, 3e6, -1e308] {
            let ws = book.worksheet_from_name(REQUEST_SHEET).unwrap();
            ws.write_number_with_format(1, COL_ANSWER, huge, &date).unwrap();
            let upload = read_upload(&book.save_to_buffer().unwrap(), AREA, 2025, &items).unwrap();
            assert_eq!(upload.answers[count].value, huge.to_string());
        }
        // A formula's cached error value.
        let ws = book.worksheet_from_name(REQUEST_SHEET).unwrap();
        ws.write_formula(1, COL_ANSWER, rust_xlsxwriter::Formula::new("=1/0").set_result("#DIV/0!")).unwrap();
        let e = read_upload(&book.save_to_buffer().unwrap(), AREA, 2025, &items).unwrap_err();
        assert_eq!(e.cell.as_deref(), Some("Uitvraag!G2"));
        assert!(e.message_nl.contains("#DIV/0!"), "{}", e.message_nl);
    }

    #[test]
    fn formulas_give_their_cached_value() {
        let items = items(&Catalogue::builtin());
        let count = &items[0].indicator;
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name(REQUEST_SHEET).unwrap();
        for (col, text) in (0..).zip(headers(Lang::Nl, 2025)) {
            ws.write_string(0, col, text).unwrap();
        }
        ws.write_string(1, COL_KEY, count).unwrap();
        ws.write_formula(1, COL_ANSWER, rust_xlsxwriter::Formula::new("=100+20").set_result("120")).unwrap();
        let info = book.add_worksheet();
        info.set_name(INFO_SHEET).unwrap();
        info.write_string(0, 1, AREA).unwrap();
        info.write_number(2, 1, 2025).unwrap();
        let upload = read_upload(&book.save_to_buffer().unwrap(), AREA, 2025, &items).unwrap();
        assert_eq!(upload.answers[count].value, "120");
    }

    #[test]
    fn number_texts_have_no_float_noise() {
        assert_eq!(number_text(120.0), "120");
        assert_eq!(number_text(12.5), "12.5");
        assert_eq!(number_text(12.499_999_999_999_998), "12.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(0.4 * 100.0), "40");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(1e20), "100000000000000000000");
        assert_eq!(parse_number(&number_text(0.000_001_5)), Ok(0.000_001_5));
        assert!(is_percent_format("0.0%"));
        assert!(!is_percent_format("0.0\" %\""));
        assert!(!is_percent_format("General"));
    }

    #[test]
    fn a_workbook_that_unpacks_to_gigabytes_is_refused_before_unpacking() {
        let items = items(&Catalogue::builtin());
        let bytes = template(&TemplateInput {
            area_id: "heerlen-noord",
            area_name: "Heerlen-Noord",
            year: 2025,
            items: &items,
            current: &BTreeMap::new(),
            last_year: &BTreeMap::new(),
            lang: Lang::Nl,
        })
        .unwrap();
        let size = declared_unpacked_size(&bytes).expect("the template's directory reads");
        assert!(size > 1000 && size < MAX_UNPACKED_BYTES, "{size}");
        // Declare 3 GB for the first entry of the central directory, as a zip bomb would.
        let mut bomb = bytes.clone();
        let cd = (0..bomb.len() - 4).find(|&i| bomb[i..i + 4] == [0x50, 0x4b, 0x01, 0x02]).unwrap();
        bomb[cd + 24..cd + 28].copy_from_slice(&3_000_000_000u32.to_le_bytes());
        let err = read_upload(&bomb, "heerlen-noord", 2025, &items).unwrap_err();
        assert!(err.message_en.contains("unpacks to more than"), "{err:?}");
    }

    #[test]
    fn a_cell_far_outside_the_template_is_refused_without_allocating_the_rectangle() {
        let items = items(&Catalogue::builtin());
        for sheet in [INFO_SHEET, REQUEST_SHEET] {
            let mut wb = rust_xlsxwriter::Workbook::new();
            for name in [INFO_SHEET, REQUEST_SHEET] {
                let ws = wb.add_worksheet();
                ws.set_name(name).unwrap();
                ws.write_string(0, 0, "x").unwrap();
                if name == INFO_SHEET && sheet != INFO_SHEET {
                    ws.write_string(INFO_AREA.0, INFO_AREA.1, "heerlen-noord").unwrap();
                    ws.write_number(INFO_YEAR.0, INFO_YEAR.1, 2025).unwrap();
                }
                if name == sheet {
                    ws.write_string(1_048_575, 16_383, "far away").unwrap();
                }
            }
            let bytes = wb.save_to_buffer().unwrap();
            assert!(bytes.len() < 20_000, "a tiny file");
            let err = read_upload(&bytes, "heerlen-noord", 2025, &items).unwrap_err();
            assert_eq!(err.cell.as_deref(), Some(format!("{sheet}!XFD1048576").as_str()), "{err:?}");
            assert!(err.message_en.contains("outside the template"), "{err:?}");
        }
    }
}
