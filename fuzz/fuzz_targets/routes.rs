//! The route table: arbitrary paths and query strings matched, their suffixes split and their parameters
//! checked. A request may match nothing or be refused; matching must never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wijkmonitor_web::routes::{check_query, find, Verb};
use wijkmonitor_web::work::forms::parse_urlencoded;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (path, query) = text.split_once('?').unwrap_or((&text, ""));
    for verb in [Verb::Get, Verb::Post, Verb::Put] {
        if let Ok(m) = find(verb, path) {
            let _ = check_query(m.route, &parse_urlencoded(query));
        }
    }
});
