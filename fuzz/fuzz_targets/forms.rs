//! The workspace's body parsers: urlencoded forms and multipart bodies (the content type taken from the input up
//! to its first newline). They may refuse; they must never panic, and must run in time linear in the input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wijkmonitor_web::work::forms::{parse_multipart, parse_urlencoded, percent_decode};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let content_type = String::from_utf8_lossy(&data[..split]);
    let body = data.get(split + 1..).unwrap_or(&[]);
    let _ = parse_multipart(&content_type, body);
    let text = String::from_utf8_lossy(data);
    let _ = parse_urlencoded(&text);
    let _ = percent_decode(&text);
});
