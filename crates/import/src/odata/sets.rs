//! Entity sets: the records of a StatLine entity set (from JSON or CSV), finding its files and pages, and
//! locating an error in a JSON file.

use super::scan;
use crate::input::line_column;
use crate::{Input, SourceFile};
use std::collections::HashMap;
use std::rc::Rc;
use wijkmonitor_model::Located;

/// A field value of a metadata record, from JSON or CSV.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    Null,
    Text(String),
    Number(f64),
    /// A boolean, list or object: metadata fields wijkmonitor reads are never one of these.
    Other,
}

impl Scalar {
    pub(super) fn from_json(v: serde_json::Value) -> Scalar {
        match v {
            serde_json::Value::Null => Scalar::Null,
            serde_json::Value::String(s) => Scalar::Text(s),
            serde_json::Value::Number(n) => n.as_f64().map_or(Scalar::Other, Scalar::Number),
            _ => Scalar::Other,
        }
    }

    /// Text from a CSV cell: an empty cell is null.
    pub(crate) fn from_csv(text: &str) -> Scalar {
        if text.is_empty() {
            Scalar::Null
        } else {
            Scalar::Text(text.to_string())
        }
    }
}

/// Where a record sits in its file, to point at it in messages.
#[derive(Debug, Clone)]
pub(crate) enum RecordAt {
    /// The `index`-th element (0-based) of the record array of a JSON file.
    Json { index: usize },
    /// A CSV record starting on `line`; `header` gives the column number of a field.
    Csv { line: u64, header: Rc<[String]> },
}

/// One record of an entity set: a `DataProperties` entry, a code-list entry, the `TableInfos` row.
#[derive(Debug, Clone)]
pub(crate) struct Record<'a> {
    pub(crate) file: &'a SourceFile,
    pub(crate) at: RecordAt,
    pub(crate) fields: HashMap<String, Scalar>,
}

impl Record<'_> {
    /// A field as trimmed text; `None` when absent, null or blank. Numbers are given as text.
    pub(super) fn text(&self, field: &str) -> Option<String> {
        match self.fields.get(field)? {
            Scalar::Text(t) => Some(t.trim()).filter(|t| !t.is_empty()).map(str::to_string),
            Scalar::Number(n) => Some(wijkmonitor_model::observation::format_number(*n)),
            Scalar::Null | Scalar::Other => None,
        }
    }

    /// A field as an integer (a JSON number or a CSV text such as `2024`).
    pub(super) fn int(&self, field: &str) -> Option<i64> {
        match self.fields.get(field)? {
            Scalar::Number(n) if n.fract() == 0.0 => Some(*n as i64),
            Scalar::Text(t) => t.trim().parse().ok(),
            _ => None,
        }
    }

    /// An error pointing at a field of this record (or at the record when the field is absent).
    pub(super) fn error(&self, field: Option<&str>, message: impl Into<String>) -> Located {
        match &self.at {
            RecordAt::Json { index } => locate_json(self.file, *index, field, message),
            RecordAt::Csv { line, header } => {
                let column = field.and_then(|f| header.iter().position(|h| h == f)).map_or(0, |i| i as u64 + 1);
                Located::at(&self.file.name, *line, column, message)
            }
        }
    }
}

/// An entity set: its records, in file order, over all its pages.
#[derive(Debug, Clone)]
pub(crate) struct EntitySet<'a> {
    /// The file (first page) the set was read from, for messages.
    pub(crate) file: &'a SourceFile,
    pub(crate) records: Vec<Record<'a>>,
}

/// Loads an entity set by name from a folder; `Ok(None)` when the folder does not hold it.
pub(crate) type SetLoader = for<'a> fn(&'a Input, &str) -> Result<Option<EntitySet<'a>>, Located>;

/// The files of an entity set: `<name>.<ext>` alone, or the pages `<name>-0001.<ext>`, `<name>-0002.<ext>`,
/// ... in page order. Names are compared without case. Both forms at once, or a gap in the pages, is refused
/// because the rows would be read twice or some would be lost.
pub(crate) fn entity_files<'a>(input: &'a Input, name: &str, ext: &str) -> Result<Vec<&'a SourceFile>, Located> {
    let single = format!("{name}.{ext}").to_ascii_lowercase();
    let prefix = format!("{name}-").to_ascii_lowercase();
    let suffix = format!(".{ext}");
    let mut whole = None;
    let mut pages: Vec<(u32, &SourceFile)> = Vec::new();
    for file in input.files() {
        let base = file.base_name().to_ascii_lowercase();
        if base == single {
            whole = Some(file);
        } else if let Some(number) = base.strip_prefix(&prefix).and_then(|rest| rest.strip_suffix(&suffix)) {
            if number.len() >= 4 && number.bytes().all(|b| b.is_ascii_digit()) {
                if let Ok(n) = number.parse::<u32>() {
                    pages.push((n, file));
                }
            }
        }
    }
    match (whole, pages.is_empty()) {
        (Some(file), true) => Ok(vec![file]),
        (None, true) => Ok(Vec::new()),
        (Some(file), false) => Err(Located::at(
            &file.name,
            0,
            0,
            format!(
                "the folder holds both {name}.{ext} and pages {name}-0001.{ext}, ...: keep one of the two, or rows \
                 are read twice"
            ),
        )),
        (None, false) => {
            pages.sort_by_key(|(n, _)| *n);
            for (expected, (n, file)) in (1u32..).zip(&pages) {
                if *n != expected {
                    return Err(Located::at(
                        &file.name,
                        0,
                        0,
                        format!(
                            "page {name}-{expected:04}.{ext} is missing before this one; the download is incomplete: \
                             fetch the table again"
                        ),
                    ));
                }
            }
            Ok(pages.into_iter().map(|(_, f)| f).collect())
        }
    }
}

/// The error for a required file that the folder lacks, listing what the folder holds.
pub(crate) fn missing_file(input: &Input, file: &str, what: &str) -> Located {
    let held: Vec<&str> = input.files().iter().map(SourceFile::base_name).collect();
    let held = if held.is_empty() { "no files".to_string() } else { held.join(", ") };
    let message = match input {
        Input::File(_) => {
            format!("a CBS table is read from a folder of entity sets, not from one file: {file} ({what}) is missing")
        }
        Input::Folder { .. } => format!("{file} ({what}) is missing; the folder holds: {held}"),
    };
    Located::at(input.name(), 0, 0, message)
}

/// Loads a JSON entity set (all its pages).
pub(super) fn load_json_set<'a>(input: &'a Input, name: &str) -> Result<Option<EntitySet<'a>>, Located> {
    let files = entity_files(input, name, "json")?;
    let Some(&first) = files.first() else { return Ok(None) };
    let mut records = Vec::new();
    for file in files {
        let text = file.text()?;
        let root: serde_json::Value = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
        let array = match root {
            serde_json::Value::Array(a) => a,
            serde_json::Value::Object(mut map) => match map.remove("value") {
                Some(serde_json::Value::Array(a)) => a,
                _ => return Err(Located::at(&file.name, 1, 1, "this JSON object holds no \"value\" array of records")),
            },
            _ => {
                return Err(Located::at(
                    &file.name,
                    1,
                    1,
                    "expected a JSON array of records or an object with a \"value\" array",
                ))
            }
        };
        for (index, element) in array.into_iter().enumerate() {
            let serde_json::Value::Object(object) = element else {
                return Err(locate_json(file, index, None, "expected a record (a JSON object)"));
            };
            let fields = object.into_iter().map(|(k, v)| (k, Scalar::from_json(v))).collect();
            records.push(Record { file, at: RecordAt::Json { index }, fields });
        }
    }
    Ok(Some(EntitySet { file: first, records }))
}

/// A serde_json error as a located error: truncated files are named as such, and the position serde_json
/// appends to its message is moved into the location.
pub(crate) fn json_error(file: &SourceFile, e: &serde_json::Error) -> Located {
    let text = e.to_string();
    let detail = text.rfind(" at line ").map_or(text.as_str(), |i| &text[..i]);
    let message = if e.is_eof() {
        format!("the file ends in the middle of the JSON data ({detail}); it is truncated: download it again")
    } else {
        format!("invalid JSON: {detail}")
    };
    Located::at(&file.name, e.line() as u64, e.column() as u64, message)
}

/// An error at a record (0-based `index` in the record array) of a JSON file, or at one of its fields.
pub(super) fn locate_json(file: &SourceFile, index: usize, field: Option<&str>, message: impl Into<String>) -> Located {
    let Ok(text) = file.text() else { return Located::at(&file.name, 0, 0, message) };
    let bytes = text.as_bytes();
    let offset = scan::rows_array(bytes).and_then(|array| scan::element(bytes, array, index)).map(|record| {
        field.and_then(|f| if bytes[record] == b'{' { scan::member(bytes, record, f) } else { None }).unwrap_or(record)
    });
    match offset {
        Some(offset) => {
            let (line, column) = line_column(bytes, offset);
            Located::at(&file.name, line, column, message)
        }
        None => Located::at(&file.name, 0, 0, message),
    }
}
