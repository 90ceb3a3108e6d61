//! The OData readers (JSON entity sets as the API returns them, and the same as CSV files written by cbsodataR)
//! on an arbitrary folder: the input is split at NUL bytes into the files of a table. A reader may refuse it with a
//! located error; it must never panic, hang or allocate without bound.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wijkmonitor_import::{read, CodeLists, Format, ImportContext, ImportOptions, Input, SourceFile};
use wijkmonitor_model::Catalogue;

const JSON: [&str; 6] =
    ["TableInfos.json", "DataProperties.json", "TypedDataSet.json", "WijkenEnBuurten.json", "Perioden.json", "CategoryGroups.json"];
const CSV: [&str; 6] = ["TableInfos.csv", "DataProperties.csv", "data.csv", "WijkenEnBuurten.csv", "Perioden.csv", "SoortMisdrijf.csv"];

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else { return };
    let (names, format) = if choice % 2 == 0 { (JSON, Format::OdataJson) } else { (CSV, Format::OdataCsv) };
    let files: Vec<SourceFile> =
        rest.split(|&b| b == 0).zip(names).map(|(bytes, name)| SourceFile::new(name, bytes.to_vec())).collect();
    static CATALOGUE: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
    let catalogue = CATALOGUE.get_or_init(Catalogue::builtin);
    let code_lists = CodeLists::new();
    let ctx = ImportContext { catalogue, code_lists: &code_lists, options: ImportOptions::default() };
    let input = Input::Folder { name: "fuzz".into(), files };
    let _ = read(&input, Some(format), &ctx);
});
