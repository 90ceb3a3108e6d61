//! `--skip-invalid-rows`: strict stays the default (the first invalid row stops the read, with its place); when
//! asked, the long, KWB, Leefbaarometer and wide readers leave out each invalid row whole, note it with its line
//! and reason, and keep every valid row, including a later valid row of the same region.

mod support;

use support::*;
use wijkmonitor_import::{kwb, leefbaarometer, long, wide, SKIPPED_ROW};
use wijkmonitor_import::{CodeLists, ImportBatch, ImportOptions, Located, SourceFile};
use wijkmonitor_model::{Region, RegionCode};

fn skipping() -> ImportOptions {
    ImportOptions { skip_invalid_rows: true, ..ImportOptions::default() }
}

fn file(name: &str, text: &str) -> SourceFile {
    SourceFile::new(name, text.as_bytes().to_vec())
}

fn skipped(batch: &ImportBatch) -> Vec<&str> {
    batch.notes.iter().filter(|n| n.starts_with(SKIPPED_ROW)).map(String::as_str).collect()
}

fn regions(batch: &ImportBatch) -> Vec<&str> {
    let mut r: Vec<&str> = batch.observations.iter().map(|o| o.region.as_str()).collect();
    r.dedup();
    r
}

fn strict_error(result: Result<ImportBatch, Located>) -> String {
    match result {
        Ok(_) => panic!("the strict default must stop at the invalid row"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn long_rows_with_an_unreadable_code_a_bad_number_or_a_repeat_are_left_out() {
    let (cat, lists) = (catalogue(), CodeLists::new());
    let text = "region,period,variable,value,status\n\
                WK191600,2024,inhabitants,5000,final\n\
                WK1916--,2024,inhabitants,12,final\n\
                WK191601,2024,inhabitants,veel,final\n\
                WK191601,2024,inhabitants,4000,final\n\
                WK191600,2024,inhabitants,5001,final\n";
    let f = file("wijken.csv", text);
    let err = strict_error(long::read(&f, &context(&cat, &lists, ImportOptions::default())));
    assert!(err.starts_with("wijken.csv:3:1: "), "{err}");
    let batch = long::read(&f, &context(&cat, &lists, skipping())).unwrap();
    // The row after a skipped one of the same region is kept; the real repeat of line 2 is left out.
    assert_eq!(regions(&batch), ["WK191600", "WK191601"]);
    assert_eq!(batch.observations.len(), 2);
    let notes = skipped(&batch);
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(notes[0].starts_with("skipped row: wijken.csv:3:1: ") && notes[0].contains("WK1916--"), "{notes:?}");
    assert!(notes[1].starts_with("skipped row: wijken.csv:4:4: "), "{notes:?}");
    assert!(notes[2].starts_with("skipped row: wijken.csv:6:1: ") && notes[2].contains("line 2"), "{notes:?}");
}

#[test]
fn a_kwb_row_with_one_bad_cell_is_left_out_whole() {
    let (cat, lists) = (catalogue(), CodeLists::new());
    let text = "\"\",\"Wijken.en.buurten\",\"Regioaanduiding.Codering..code.\",\"Bevolking.Aantal.inwoners..aantal.\",\"Bevolking.Geslacht.Mannen..aantal.\"\n\
                \"1\",\"Amsterdam\",\"GM0363    \",\"872680\",\"430000\"\n\
                \"2\",\"Wijk onbekend\",\"WK0363--  \",\"10\",\"5\"\n\
                \"3\",\"Centrum-West\",\"WK036300  \",\"23400\",\"twaalf\"\n\
                \"4\",\"Centrum-Oost\",\"WK036301  \",\"25000\",\"12000\"\n";
    let f = file("kwb-2019.csv", text);
    assert!(
        strict_error(kwb::read(&f, &context(&cat, &lists, ImportOptions::default()))).starts_with("kwb-2019.csv:3:3")
    );
    let batch = kwb::read(&f, &context(&cat, &lists, skipping())).unwrap();
    assert_eq!(regions(&batch), ["GM0363", "WK036301"], "nothing of the row with the bad cell");
    assert_eq!(batch.regions.len(), 2);
    let notes = skipped(&batch);
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[1].starts_with("skipped row: kwb-2019.csv:4:5: "), "{notes:?}");
}

#[test]
fn leefbaarometer_and_wide_rows_are_left_out_and_noted() {
    let (cat, mut lists) = (catalogue(), CodeLists::new());
    let lbm = "bu_code,versie,jaar,bu_naam,lbm,afw,fys,onv,soc,vrz,won\n\
               BU03630000,3.0,2020,Kop Zeedijk,4.1,0.1,0,0,0,0,0\n\
               BU03630000,3.0,twintig,Kop Zeedijk,4.1,0.1,0,0,0,0,0\n\
               BU03630001,3.0,2020,Oude Kerk,4.2,0.2,0,0,0,0,0\n";
    let f = file("lbm.csv", lbm);
    assert!(strict_error(leefbaarometer::read(&f, &context(&cat, &lists, ImportOptions::default())))
        .starts_with("lbm.csv:3:3"));
    let batch = leefbaarometer::read(&f, &context(&cat, &lists, skipping())).unwrap();
    assert_eq!(regions(&batch), ["BU03630000", "BU03630001"]);
    assert_eq!(skipped(&batch).len(), 1);

    lists.add(Region::new(RegionCode::parse("BU0363AA01").unwrap(), "Planciusbuurt-Noord", 2024));
    let mapping = "region_column = \"buurt\"\nperiod_column = \"jaar\"\nclassification_year = 2024\n[columns]\ninwoners = \"inhabitants\"\n";
    let data =
        "buurt,jaar,inwoners\nBU0363AA01,2024,2400\nBU0363ZZ99,2024,10\nBU0363ZZ99,2023,11\nBU0363AA01,2023,abc\n";
    let opts = |skip: bool| ImportOptions {
        mapping: Some(file("m.toml", mapping)),
        skip_invalid_rows: skip,
        ..ImportOptions::default()
    };
    let f = file("buurten.csv", data);
    assert!(strict_error(wide::read(&f, &context(&cat, &lists, opts(false)))).starts_with("buurten.csv:5:3"));
    let batch = wide::read(&f, &context(&cat, &lists, opts(true))).unwrap();
    // The bad number is left out, and so is every row of the code the 2024 code list does not know.
    assert_eq!(regions(&batch), ["BU0363AA01"]);
    assert_eq!(batch.observations.len(), 1);
    let notes = skipped(&batch);
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes.iter().any(|n| n.starts_with("skipped row: buurten.csv:3:1: ")), "{notes:?}");
}
