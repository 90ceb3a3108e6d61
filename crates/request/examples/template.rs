//! Writes the Excel template of a request (every item, a few answers filled in) to a file, as an area would
//! download it: `cargo run -p wijkmonitor-request --example template -- OUT.xlsx [en]`. The fuzzing corpus of the
//! upload reader starts from it (see fuzz/README.md).

use std::collections::BTreeMap;
use wijkmonitor_model::lang::Lang;
use wijkmonitor_model::Catalogue;
use wijkmonitor_request::{items, workbook, RawAnswer};

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let out = args.next().ok_or("usage: template OUT.xlsx [en]")?;
    let lang = if args.next().as_deref() == Some("en") { Lang::En } else { Lang::Nl };
    let items = items(&Catalogue::builtin());
    let answer = |v: &str| RawAnswer { value: v.into(), explanation: "toelichting".into() };
    let current: BTreeMap<String, RawAnswer> =
        items.iter().take(5).map(|i| (i.indicator.clone(), answer("12"))).collect();
    let last_year: BTreeMap<String, RawAnswer> =
        items.iter().skip(3).take(5).map(|i| (i.indicator.clone(), answer("1.500,5"))).collect();
    let input = workbook::TemplateInput {
        area_id: "heerlen-noord",
        area_name: "Heerlen-Noord",
        year: 2025,
        items: &items,
        current: &current,
        last_year: &last_year,
        lang,
    };
    let bytes = workbook::template(&input)?;
    std::fs::write(&out, bytes).map_err(|e| format!("cannot write {out}: {e}"))
}
