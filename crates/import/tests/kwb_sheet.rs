//! The Kerncijfers spreadsheet reader on a constructed legacy `.xls` (written by `fixtures/make_kwb_sheet.py`)
//! and the same sheet as `.xlsx` (written here): detection by content, short column names, CBS's special codes,
//! and errors at the sheet's row and column.

mod support;

use rust_xlsxwriter::Workbook;
use support::*;
use wijkmonitor_import::{detect, kwb_sheet, CodeLists, Format, ImportBatch, ImportOptions, Input, SourceFile};
use wijkmonitor_model::{Status, Value};

/// The rows of the fixture: strings, or numbers where the cell is numeric.
enum Cell {
    S(&'static str),
    N(f64),
}
use Cell::{N, S};

fn rows() -> Vec<Vec<Cell>> {
    vec![
        [
            "gwb_code_10",
            "gwb_code_8",
            "regio",
            "gm_naam",
            "recs",
            "gwb_code",
            "ind_wbi",
            "a_inw",
            "a_man",
            "p_koopw",
            "g_woz",
            "a_jz_tn",
        ]
        .into_iter()
        .map(S)
        .collect(),
        vec![
            S("NL00"),
            N(0.0),
            S("Nederland"),
            S("Nederland"),
            S("Land"),
            S("NL00"),
            S("."),
            N(17282163.0),
            N(8581086.0),
            N(57.0),
            N(270.0),
            S("."),
        ],
        vec![
            S("GM0363"),
            N(363.0),
            S("Amsterdam"),
            S("Amsterdam"),
            S("Gemeente"),
            S("GM0363"),
            S("."),
            N(862965.0),
            N(426000.0),
            N(31.0),
            N(467.0),
            N(12345.0),
        ],
        vec![
            S("WK036300"),
            N(36300.0),
            S("Burgwallen-Oude Zijde"),
            S("Amsterdam"),
            S("Wijk"),
            S("WK036300"),
            N(1.0),
            N(4200.0),
            N(2300.0),
            N(22.0),
            N(501.0),
            N(-99997.0),
        ],
        vec![
            S("BU03630000"),
            N(3630000.0),
            S("Kop Zeedijk"),
            S("Amsterdam"),
            S("Buurt"),
            S("BU03630000"),
            N(1.0),
            N(1080.0),
            S("560"),
            S("   ."),
            N(-99995.0),
            S("x"),
        ],
    ]
}

/// The fixture's rows as an `.xlsx`, with the same title and blank row above the header.
fn xlsx(rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Kerncijfers wijken en buurten 2019").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 2, c as u16);
            match cell {
                S(s) => sheet.write_string(r, c, *s).map(|_| ()).unwrap(),
                N(n) => sheet.write_number(r, c, *n).map(|_| ()).unwrap(),
            }
        }
    }
    book.save_to_buffer().unwrap()
}

fn read(f: &SourceFile, options: ImportOptions) -> Result<ImportBatch, wijkmonitor_import::Located> {
    let (cat, lists) = (catalogue(), CodeLists::new());
    kwb_sheet::read(f, &context(&cat, &lists, options))
}

fn value(batch: &ImportBatch, region: &str, variable: &str) -> Value {
    let hits: Vec<_> =
        batch.observations.iter().filter(|o| o.region.as_str() == region && o.variable == variable).collect();
    assert_eq!(hits.len(), 1, "{region} {variable}");
    hits[0].value
}

fn check(batch: &ImportBatch) {
    assert_eq!(batch.format, Format::KwbSheet);
    assert_eq!(batch.source_table.as_deref(), Some("84583NED"));
    assert_eq!(batch.classification_year, Some(2019));
    assert_eq!(value(batch, "NL00", "inhabitants"), Value::final_(17282163.0));
    assert_eq!(value(batch, "GM0363", "youth_care"), Value::final_(12345.0));
    // CBS's special codes, and the CSV conventions in text cells.
    assert_eq!(value(batch, "WK036300", "youth_care"), Value::absent(Status::Secret));
    assert_eq!(value(batch, "BU03630000", "average_woz"), Value::absent(Status::NotYetPublished));
    assert_eq!(value(batch, "BU03630000", "youth_care"), Value::absent(Status::Secret));
    assert_eq!(value(batch, "BU03630000", "owner_occupied_pct"), Value::missing());
    assert_eq!(value(batch, "BU03630000", "men"), Value::final_(560.0));
    assert_eq!(batch.observations.len(), 4 * 5);
    assert_eq!(
        batch.regions.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["Nederland", "Amsterdam", "Burgwallen-Oude Zijde", "Kop Zeedijk"]
    );
    assert!(
        batch.notes.iter().any(|n| n.contains("the period 2019 was taken from the file name")),
        "{:?}",
        batch.notes
    );
    assert!(
        batch.notes.iter().any(|n| n.contains("5 columns are not in the catalogue") && n.contains("gm_naam")),
        "{:?}",
        batch.notes
    );
}

#[test]
fn the_legacy_xls_and_the_xlsx_read_alike() {
    let xls = fixture("kwb-2019-sample.xls");
    let xls = SourceFile::new("kwb-2019.xls", xls.bytes);
    assert_eq!(detect::detect(&Input::File(xls.clone())).unwrap(), Format::KwbSheet);
    let a = read(&xls, ImportOptions::default()).unwrap();
    check(&a);
    let x = SourceFile::new("kwb-2019.xlsx", xlsx(&rows()));
    assert_eq!(detect::detect(&Input::File(x.clone())).unwrap(), Format::KwbSheet);
    let b = read(&x, ImportOptions::default()).unwrap();
    check(&b);
    assert_eq!(a.observations, b.observations);
}

#[test]
fn errors_name_the_sheet_row_and_column() {
    let mut bad = rows();
    bad[3][0] = S("WK0363--");
    let f = SourceFile::new("kwb-2019.xlsx", xlsx(&bad));
    let err = read(&f, ImportOptions::default()).unwrap_err();
    // Row 6 of the sheet: title, blank row, header, NL00, GM0363, then the wijk.
    assert_eq!((err.location.line, err.location.column), (6, 1), "{err}");
    let skipped = read(&f, ImportOptions { skip_invalid_rows: true, ..Default::default() }).unwrap();
    assert_eq!(skipped.regions.len(), 3);
    assert!(skipped.notes.iter().any(|n| n.contains("kwb-2019.xlsx:6:1:")), "{:?}", skipped.notes);

    let mut text_number = rows();
    text_number[2][7] = S("veel");
    let err = read(&SourceFile::new("kwb-2019.xlsx", xlsx(&text_number)), ImportOptions::default()).unwrap_err();
    assert_eq!((err.location.line, err.location.column), (5, 8), "{err}");
    assert!(err.message.contains("column 'a_inw'"), "{err}");

    let err = read(&SourceFile::new("kwb.xlsx", xlsx(&rows())), ImportOptions::default()).unwrap_err();
    assert!(err.message.contains("pass --period 2019"), "{err}");

    let other = vec![vec![S("naam"), S("waarde")], vec![S("a"), N(1.0)]];
    let err = read(&SourceFile::new("kwb-2019.xlsx", xlsx(&other)), ImportOptions::default()).unwrap_err();
    assert!(err.message.contains("not the Kerncijfers wijken en buurten spreadsheet"), "{err}");
    let err = read(&SourceFile::new("kwb-2019.xlsx", b"PK\x03\x04 not a zip".to_vec()), ImportOptions::default())
        .unwrap_err();
    assert!(err.message.contains("cannot be read as one"), "{err}");
}

#[test]
fn workbooks_that_would_ask_for_memory_without_bound_are_refused() {
    // A compound file whose directory chain loops (found by fuzzing): the spreadsheet reader would grow the
    // chain until memory ran out.
    let looping = SourceFile::new("kwb-2019.xls", fixture("kwb-looping-chain.xls").bytes);
    let err = read(&looping, ImportOptions::default()).unwrap_err();
    assert!(err.message.contains("the compound file (.xls) is damaged"), "{err}");
    // One whose stream chain points past the allocation table (found by fuzzing): the reader would panic.
    let past = SourceFile::new("kwb-2019.xls", fixture("kwb-bad-chain.xls").bytes);
    let err = read(&past, ImportOptions::default()).unwrap_err();
    assert!(err.message.contains("the compound file (.xls) is damaged"), "{err}");
    // The fixture it came from passes the same check.
    assert!(
        read(&SourceFile::new("kwb-2019.xls", fixture("kwb-2019-sample.xls").bytes), ImportOptions::default()).is_ok()
    );
    // The same sample with one record changed (offsets found in the file; its workbook stream lies in regular
    // sectors, in order). The change must be there, so that each refusal below is the changed record's doing.
    let sample = fixture("kwb-2019-sample.xls").bytes;
    let patched = |at: usize, expect: &[u8], new: &[u8]| {
        assert_eq!(&sample[at..at + expect.len()], expect, "the sample changed; find the record again");
        let mut bytes = sample.clone();
        bytes[at + expect.len() - new.len()..at + expect.len()].copy_from_slice(new);
        SourceFile::new("kwb-2019.xls", bytes)
    };
    // DIMENSIONS (type 0x0200) declaring 16 million rows of 12 columns: the reader reserves them up front.
    let dims = patched(1852, &[0x00, 0x02, 0x0E, 0x00, 0, 0, 0, 0, 0x07, 0, 0, 0], &[0xFF, 0xFF, 0xFF, 0]);
    let err = read(&dims, ImportOptions::default()).unwrap_err();
    assert!(err.message.contains("declares a sheet of 201326580 cells"), "{err}");
    // A LABELSST cell (type 0x00FD) moved to row and column 65535: the rectangle up to it has 4 billion cells.
    let wide = patched(2066, &[0xFD, 0x00, 0x0A, 0x00, 0, 0, 0, 0], &[0xFF, 0xFF, 0xFF, 0xFF]);
    let err = read(&wide, ImportOptions::default()).unwrap_err();
    assert!(err.message.contains("between the outermost cells of its sheets"), "{err}");
    // A BOUNDSHEET (type 0x0085) whose sheet begins beyond the stream: the reader would slice past its end.
    let beyond = patched(1419, &[0x85, 0x00, 0x0F, 0x00, 0xE4, 0x04, 0, 0], &[0, 0, 0, 0x10]);
    let err = read(&beyond, ImportOptions::default()).unwrap_err();
    assert!(err.message.contains("a sheet begins at byte 268435456, beyond the end"), "{err}");
    // A BOUNDSHEET cut to 4 bytes passes the checks, and the reader indexes past it: contained, and said.
    let short = patched(1419, &[0x85, 0x00, 0x0F, 0x00], &[0x04, 0x00]);
    let err = read(&short, ImportOptions::default()).unwrap_err();
    assert!(err.message.contains("the spreadsheet is damaged: the spreadsheet reader stopped on it"), "{err}");
    assert!(!kwb_sheet::in_spreadsheet_reader());
    // Two cells at opposite corners of a sheet: a tiny file asking for a rectangle of 17 billion cells.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "gwb_code_10").unwrap();
    sheet.write_number(1_048_575, 16_383, 1.0).unwrap();
    let corners = SourceFile::new("kwb-2019.xlsx", book.save_to_buffer().unwrap());
    let err = read(&corners, ImportOptions::default()).unwrap_err();
    assert!(err.message.contains("spans more than 20000000 cells"), "{err}");
    assert_eq!((err.location.line, err.location.column), (1_048_576, 16_384), "{err}");
    // One shared string of 32,767 characters in 17,000 cells: a file of a few hundred kB asking for 557 MB.
    let long = "x".repeat(32_767);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "gwb_code_10").unwrap();
    for r in 1..=17_000 {
        sheet.write_string(r, 1, &long).unwrap();
    }
    let copies = SourceFile::new("kwb-2019.xlsx", book.save_to_buffer().unwrap());
    let err = read(&copies, ImportOptions::default()).unwrap_err();
    assert!(err.message.contains("copy more than 512 MB of shared strings"), "{err}");
    assert_eq!(err.location.column, 2, "{err}");
    assert!((16_000..17_000).contains(&err.location.line), "{err}");
}
