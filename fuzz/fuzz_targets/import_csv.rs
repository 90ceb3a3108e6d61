//! Every single-file importer (KWB CSV, StatLine export, Leefbaarometer, wide CSV with a mapping, long CSV) and
//! format detection, on arbitrary bytes. The first byte chooses the reader (or detection); for the wide CSV the
//! input is split into a mapping file and the data at the first NUL byte. A reader may refuse the input with a
//! located error; it must never panic, hang or allocate without bound.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wijkmonitor_import::{read, CodeLists, Format, ImportContext, ImportOptions, Input, SourceFile};
use wijkmonitor_model::{Catalogue, Period, RegionCode};

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else { return };
    static CATALOGUE: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
    let catalogue = CATALOGUE.get_or_init(Catalogue::builtin);
    let code_lists = CodeLists::new();
    let mut options = ImportOptions {
        period: Some(Period::Year(2019)),
        municipality: RegionCode::parse("GM0363").ok(),
        // The high bit of the first byte also tries the readers that leave invalid rows out.
        skip_invalid_rows: choice & 0x80 != 0,
        ..ImportOptions::default()
    };
    let (format, bytes) = match choice % 6 {
        0 => (None, rest),
        1 => (Some(Format::KwbCsv), rest),
        2 => (Some(Format::StatlineCsv), rest),
        3 => (Some(Format::Leefbaarometer), rest),
        4 => (Some(Format::LongCsv), rest),
        _ => {
            let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            options.mapping = Some(SourceFile::new("mapping.toml", rest[..split].to_vec()));
            (Some(Format::WideCsv), rest.get(split + 1..).unwrap_or(&[]))
        }
    };
    let ctx = ImportContext { catalogue, code_lists: &code_lists, options };
    let input = Input::File(SourceFile::new("fuzz.csv", bytes.to_vec()));
    let _ = read(&input, format, &ctx);
});
