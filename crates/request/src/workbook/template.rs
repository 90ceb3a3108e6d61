//! Writing an area's template for a year: the request sheet (one row per item, with the saved answers, last
//! year's answers and Excel's own checks of each answer), the definitions and the info sheet.

use super::*;
use crate::{parse_number, Item, MAX_TEXT};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet, XlsxError,
};
use wijkmonitor_model::catalogue::InputKind;

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
        return format!("{} {MAX_TEXT} {}", lang.t("hoogstens", "at most"), lang.t("tekens", "characters"));
    }
    match (item.min, item.max) {
        (Some(a), Some(b)) => format!("{} {} {}", number_text(a), lang.t("t/m", "to"), number_text(b)),
        (Some(a), None) => format!("{} {}", lang.t("minstens", "at least"), number_text(a)),
        (None, Some(b)) => format!("{} {}", lang.t("hoogstens", "at most"), number_text(b)),
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
    rule.set_input_title(format!("{} {}", lang.t("Onderdeel", "Item"), item.number))?
        .set_input_message(excel_message(expected.clone()))?
        .set_error_title(lang.t("Ongeldige invoer", "Invalid entry"))?
        .set_error_message(excel_message(format!("{} {expected}", lang.t("Verwacht:", "Expected:"))))
        // Stop, like the upload would: a value Excel lets through here is still checked again on upload.
        .map(|v| v.set_error_style(DataValidationErrorStyle::Stop))
}

fn explanation_validation(lang: Lang) -> Result<DataValidation, XlsxError> {
    let max = u32::try_from(MAX_TEXT).unwrap_or(u32::MAX);
    DataValidation::new()
        .allow_text_length(DataValidationRule::LessThanOrEqualTo(max))
        .set_input_title(lang.t("Toelichting", "Explanation"))?
        .set_input_message(excel_message(match lang {
            Lang::Nl => format!(
                "Optioneel: licht het antwoord toe, bijvoorbeeld de bron of een bijzonderheid (hoogstens {MAX_TEXT} tekens)."
            ),
            Lang::En => format!(
                "Optional: explain the answer, for example its source or anything unusual (at most {MAX_TEXT} characters)."
            ),
        }))?
        .set_error_title(lang.t("Te lang", "Too long"))?
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
        let name = lang.t(&item.name_nl, &item.name_en);
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
    ws.set_name(lang.t("Definities", "Definitions"))?;
    let head = [lang.t("Nr", "No."), key_header(lang), lang.t("Onderdeel", "Item"), lang.t("Definitie", "Definition")];
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
    ws.write_string_with_format(INFO_AREA.0, 0, lang.t("Gebied-id", "Area id"), &f.label)?;
    ws.write_string_with_format(INFO_AREA.0, INFO_AREA.1, input.area_id, &f.plain)?;
    ws.write_string_with_format(INFO_NAME.0, 0, lang.t("Gebied", "Area"), &f.label)?;
    ws.write_string_with_format(INFO_NAME.0, INFO_NAME.1, input.area_name, &f.plain)?;
    ws.write_string_with_format(INFO_YEAR.0, 0, lang.t("Jaar", "Year"), &f.label)?;
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
