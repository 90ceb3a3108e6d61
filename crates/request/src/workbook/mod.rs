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

//!
//! # Layout
//! - this module: the sheets and columns both sides agree on, the header texts, and the answers and errors;
//! - [`template`]: writing an area's template;
//! - [`upload`]: reading a filled-in template back.

mod template;
mod upload;

pub use template::template;
pub use upload::{locate, read_upload, MAX_COLUMNS, MAX_ROWS, MAX_UNPACKED_BYTES};

use crate::{Item, RawAnswer};
use rust_xlsxwriter::{utility::row_col_to_cell, ColNum, RowNum};
use std::collections::BTreeMap;
pub use wijkmonitor_model::lang::Lang;

/// The sheet with one row per item. Named the same in both languages, so a Dutch and an English template read
/// the same way.
pub const REQUEST_SHEET: &str = "Uitvraag";
/// The sheet that says whose file it is. Also the same in both languages.
pub const INFO_SHEET: &str = "Info";

// Columns of the request sheet as the template writes them (0-based). The reader looks the key, answer and
// explanation columns up by their header instead, so a column the area inserts does no harm.
pub(crate) const COL_NUMBER: ColNum = 0;
pub(crate) const COL_KEY: ColNum = 1;
pub(crate) const COL_NAME: ColNum = 2;
pub(crate) const COL_UNIT: ColNum = 3;
pub(crate) const COL_RANGE: ColNum = 4;
pub(crate) const COL_LAST_YEAR: ColNum = 5;
pub(crate) const COL_ANSWER: ColNum = 6;
pub(crate) const COL_EXPLANATION: ColNum = 7;

// Fixed cells of the info sheet (row, column): B1 the area id, B2 its name, B3 the year.
pub(crate) const INFO_AREA: (RowNum, ColNum) = (0, 1);
pub(crate) const INFO_NAME: (RowNum, ColNum) = (1, 1);
pub(crate) const INFO_YEAR: (RowNum, ColNum) = (2, 1);

/// How far down the reader looks for the header row (in case the area put a title above it).
pub(crate) const HEADER_SEARCH_ROWS: u32 = 20;

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
pub(crate) fn refuse(cell: Option<String>, nl: String, en: String) -> CellError {
    match cell {
        Some(c) => CellError { message_nl: format!("{c}: {nl}"), message_en: format!("{c}: {en}"), cell: Some(c) },
        None => CellError { cell: None, message_nl: nl, message_en: en },
    }
}

/// `Sheet!A1` for a 0-based position.
pub(crate) fn cell_name(sheet: &str, row: u32, col: u32) -> String {
    // Columns beyond Excel's 16,384 cannot occur in a sheet Excel wrote; clamp rather than fail.
    let col = ColNum::try_from(col).unwrap_or(ColNum::MAX);
    format!("{sheet}!{}", row_col_to_cell(row, col))
}

// The header texts, which the template writes and the reader looks for.

/// The texts of the header row, in the column order of the request sheet.
pub(crate) fn headers(lang: Lang, year: i32) -> [String; 8] {
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

pub(crate) fn key_header(lang: Lang) -> &'static str {
    lang.t("Sleutel", "Key")
}

pub(crate) fn answer_header(lang: Lang, year: i32) -> String {
    format!("{} {year}", lang.t("Antwoord", "Answer"))
}

pub(crate) fn explanation_header(lang: Lang, year: i32) -> String {
    format!("{} {year}", lang.t("Toelichting", "Explanation"))
}

/// A number as text that `parse_number` reads back as the same number. Excel keeps 15 significant digits, so
/// anything beyond them is binary noise of the float (`12.499999999999998` for 12.5) and is rounded away.
pub(crate) fn number_text(n: f64) -> String {
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

#[cfg(test)]
mod tests {
    use super::upload::{declared_unpacked_size, is_percent_format};
    use super::*;
    use crate::{items, parse_number, validate, MAX_TEXT};
    use calamine::{Data, Reader, Xlsx};
    use rust_xlsxwriter::{Format, Workbook};
    use std::io::Cursor;
    use wijkmonitor_model::catalogue::InputKind;
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

    #[test]
    fn one_long_text_in_many_cells_is_refused_before_it_is_copied_into_each() {
        let items = items(&Catalogue::builtin());
        let long = "x".repeat(32_767);
        let mut wb = rust_xlsxwriter::Workbook::new();
        for name in [INFO_SHEET, REQUEST_SHEET] {
            let ws = wb.add_worksheet();
            ws.set_name(name).unwrap();
            ws.write_string(INFO_AREA.0, INFO_AREA.1, "heerlen-noord").unwrap();
            ws.write_number(INFO_YEAR.0, INFO_YEAR.1, 2025).unwrap();
            if name == REQUEST_SHEET {
                // 600 copies of 32 kB: 19 MB of text from a file of a few kB.
                for row in 0..20 {
                    for col in 0..30 {
                        ws.write_string(row + 10, col, &long).unwrap();
                    }
                }
            }
        }
        let bytes = wb.save_to_buffer().unwrap();
        assert!(bytes.len() < 50_000, "a small file: {}", bytes.len());
        let err = read_upload(&bytes, "heerlen-noord", 2025, &items).unwrap_err();
        assert!(err.message_en.contains("more than 16 MB of text"), "{err:?}");
        assert!(err.message_nl.contains("meer dan 16 MB tekst"), "{err:?}");
        assert!(err.cell.as_deref().is_some_and(|c| c.starts_with(REQUEST_SHEET)), "{err:?}");
    }
}
