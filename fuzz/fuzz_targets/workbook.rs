//! The Excel upload: arbitrary bytes as an uploaded workbook for the request of one area and year. It may be
//! refused with a message naming the cell; it must never panic, hang or unpack without bound.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use wijkmonitor_model::Catalogue;
use wijkmonitor_request::{items, validate, workbook, Item};

fuzz_target!(|data: &[u8]| {
    static ITEMS: OnceLock<Vec<Item>> = OnceLock::new();
    let items = ITEMS.get_or_init(|| items(&Catalogue::builtin()));
    if let Ok(upload) = workbook::read_upload(data, "heerlen-noord", 2025, items) {
        if let Err(errors) = validate(items, &upload.answers, false) {
            let _ = workbook::locate(&errors, &upload);
        }
    }
});
