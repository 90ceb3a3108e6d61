//! The Kerncijfers spreadsheet reader (`kwb-YYYY.xlsx`, `.xls`): arbitrary bytes as a workbook. It may be refused
//! with a message naming the row and column; it must never panic, hang or exhaust memory (a panic
//! of the spreadsheet reader itself is contained by the importer and reported as an error).

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use wijkmonitor_import::{kwb_sheet, CodeLists, ImportContext, ImportOptions, SourceFile};
use wijkmonitor_model::Catalogue;

fuzz_target!(|data: &[u8]| {
    // The importer contains panics of the spreadsheet reader and reports them as errors on the file; the
    // fuzzer's panic hook would abort on them first, so it is passed over for those (and only those).
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !kwb_sheet::in_spreadsheet_reader() {
                fuzzer_hook(info);
            }
        }));
    });
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    let catalogue = CATALOGUE.get_or_init(Catalogue::builtin);
    let code_lists = CodeLists::new();
    // The first byte's high bit also tries the reader that leaves invalid rows out.
    let skip_invalid_rows = data.first().is_some_and(|b| b & 0x80 != 0);
    let options = ImportOptions { skip_invalid_rows, ..ImportOptions::default() };
    let ctx = ImportContext { catalogue, code_lists: &code_lists, options };
    let _ = kwb_sheet::read(&SourceFile::new("kwb-2019.xlsx", data.to_vec()), &ctx);
});
