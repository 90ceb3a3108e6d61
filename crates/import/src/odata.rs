//! CBS OData v3 tables saved as JSON entity sets, and the table logic shared with [`crate::cbsodatar`].
//!
//! A StatLine table is a folder of entity sets: `TableInfos` (identifier, title, period), `DataProperties`
//! (the dimensions and topics), one code list per dimension named after the dimension key (`WijkenEnBuurten`,
//! `Perioden`, `SoortMisdrijf`) and the figures in `TypedDataSet`. Each JSON file is either the API response
//! (`{"odata.metadata": ..., "value": [...], "odata.nextLink": ...}`) or a bare array (as python `cbsodata`
//! saves it). An entity set may be split into pages `<Entity>-0001.json`, `<Entity>-0002.json`, ... (as
//! `wijkmonitor-fetch` writes `TypedDataSet`); the pages are read in order and concatenated.
//!
//! Topics are mapped to catalogue variables by their title and unit (never by the key suffix such as
//! `AantalInwoners_5`, which changes with every table); in tables with a category dimension (`SoortMisdrijf`
//! in the police tables) each (topic, category) pair is mapped and rows of unmapped categories are skipped.
//! Text topics (`Gemeentenaam`, `SoortRegio`, ...) are not figures and are skipped.
//!
//! The same logic serves the cbsodataR CSV files: a reader loads entity sets as [`EntitySet`]s and feeds the
//! data rows to a [`Converter`]; only loading and locating differ between JSON and CSV.
//!
//! Data files can be large (a Kerncijfers table is ~60 MB, a police table per buurt much more), so
//! `TypedDataSet` is deserialized row by row into the converter instead of into a JSON tree. Errors inside
//! a row are located afterwards by re-scanning the text (see [`scan`]), so the common path pays nothing
//! for positions.

use crate::input::line_column;
use crate::values::{parse_cell, Decimal};
use crate::{Format, ImportBatch, ImportContext, Input, SourceFile};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::rc::Rc;
use wijkmonitor_model::{Located, Observation, Period, Region, RegionCode, Value};

/// Reads a folder of OData JSON entity sets.
pub fn read(input: &Input, ctx: &ImportContext<'_>) -> Result<ImportBatch, Located> {
    read_table(input, ctx, Format::OdataJson, "json", load_json_set, |input, conv| {
        let files = entity_files(input, "TypedDataSet", "json")?;
        if files.is_empty() {
            return Err(missing_file(input, "TypedDataSet.json", "the figures of the table"));
        }
        let last = files.len() - 1;
        for (i, file) in files.iter().enumerate() {
            let next_link = read_json_rows(file, conv)?;
            if let (Some(link), true) = (next_link, i == last) {
                return Err(Located::at(
                    &file.name,
                    0,
                    0,
                    format!(
                        "this page says more rows follow (odata.nextLink {link}) but the folder holds no next page; \
                         the download is incomplete: fetch the table again"
                    ),
                ));
            }
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------------------
// Entity sets
// ---------------------------------------------------------------------------------------------------------

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
    fn from_json(v: serde_json::Value) -> Scalar {
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
    fn text(&self, field: &str) -> Option<String> {
        match self.fields.get(field)? {
            Scalar::Text(t) => Some(t.trim()).filter(|t| !t.is_empty()).map(str::to_string),
            Scalar::Number(n) => Some(wijkmonitor_model::observation::format_number(*n)),
            Scalar::Null | Scalar::Other => None,
        }
    }

    /// A field as an integer (a JSON number or a CSV text such as `2024`).
    fn int(&self, field: &str) -> Option<i64> {
        match self.fields.get(field)? {
            Scalar::Number(n) if n.fract() == 0.0 => Some(*n as i64),
            Scalar::Text(t) => t.trim().parse().ok(),
            _ => None,
        }
    }

    /// An error pointing at a field of this record (or at the record when the field is absent).
    fn error(&self, field: Option<&str>, message: impl Into<String>) -> Located {
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
fn load_json_set<'a>(input: &'a Input, name: &str) -> Result<Option<EntitySet<'a>>, Located> {
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
fn locate_json(file: &SourceFile, index: usize, field: Option<&str>, message: impl Into<String>) -> Located {
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

/// A minimal scanner over JSON text that serde_json has already accepted (up to the point of interest),
/// used only to turn "row 1234, field X" into a line and column for an error message.
pub(crate) mod scan {
    fn ws(b: &[u8], mut i: usize) -> usize {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        i
    }

    /// The offset just after the string starting at `i` (which must be a quote).
    fn string_end(b: &[u8], i: usize) -> Option<usize> {
        let mut j = i + 1;
        while j < b.len() {
            match b[j] {
                b'\\' => j += 2,
                b'"' => return Some(j + 1),
                _ => j += 1,
            }
        }
        None
    }

    /// The offset just after the value starting at `i`.
    fn value_end(b: &[u8], i: usize) -> Option<usize> {
        match *b.get(i)? {
            b'"' => string_end(b, i),
            b'{' | b'[' => {
                let mut depth = 0usize;
                let mut j = i;
                while j < b.len() {
                    match b[j] {
                        b'"' => {
                            j = string_end(b, j)?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.checked_sub(1)?;
                            if depth == 0 {
                                return Some(j + 1);
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                None
            }
            _ => {
                let mut j = i;
                while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    j += 1;
                }
                Some(j)
            }
        }
    }

    /// The offset of the value of member `key` of the object starting at `object`.
    pub fn member(b: &[u8], object: usize, key: &str) -> Option<usize> {
        let mut i = ws(b, object + 1);
        loop {
            if *b.get(i)? != b'"' {
                return None;
            }
            let key_end = string_end(b, i)?;
            let name = &b[i + 1..key_end - 1];
            i = ws(b, key_end);
            if *b.get(i)? != b':' {
                return None;
            }
            i = ws(b, i + 1);
            if name == key.as_bytes() {
                return Some(i);
            }
            i = ws(b, value_end(b, i)?);
            if *b.get(i)? != b',' {
                return None;
            }
            i = ws(b, i + 1);
        }
    }

    /// The offset of the `n`-th element (0-based) of the array starting at `array`.
    pub fn element(b: &[u8], array: usize, n: usize) -> Option<usize> {
        let mut i = ws(b, array + 1);
        for k in 0.. {
            if *b.get(i)? == b']' {
                return None;
            }
            if k == n {
                return Some(i);
            }
            i = ws(b, value_end(b, i)?);
            if *b.get(i)? != b',' {
                return None;
            }
            i = ws(b, i + 1);
        }
        None
    }

    /// The offset of the record array of an entity-set file: the root array, or the root's `value` member.
    pub fn rows_array(b: &[u8]) -> Option<usize> {
        let i = ws(b, 0);
        match *b.get(i)? {
            b'[' => Some(i),
            b'{' => member(b, i, "value").filter(|&v| b.get(v) == Some(&b'[')),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Reading the figures of a JSON data file row by row
// ---------------------------------------------------------------------------------------------------------

/// A row error raised inside the deserializer, kept here because serde can only carry a string.
struct Pending {
    row: usize,
    error: RowError,
}

struct DataState<'s, 'c> {
    conv: &'s mut Converter<'c>,
    index: &'s HashMap<String, usize>,
    row: usize,
    pending: Option<Pending>,
    next_link: Option<String>,
    saw_rows: bool,
}

/// Feeds the rows of one JSON data file to the converter; returns the file's `odata.nextLink`, if any.
fn read_json_rows(file: &SourceFile, conv: &mut Converter<'_>) -> Result<Option<String>, Located> {
    let text = file.text()?;
    let index: HashMap<String, usize> = conv.columns.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
    let mut state = DataState { conv, index: &index, row: 0, pending: None, next_link: None, saw_rows: false };
    let mut de = serde_json::Deserializer::from_str(text);
    let result = FileSeed { state: &mut state }.deserialize(&mut de).and_then(|()| de.end());
    if let Err(e) = result {
        return Err(match state.pending.take() {
            Some(p) => locate_json(file, p.row, p.error.field.as_deref(), p.error.message),
            None => json_error(file, &e),
        });
    }
    if !state.saw_rows {
        return Err(Located::at(&file.name, 1, 1, "this JSON object holds no \"value\" array of rows"));
    }
    Ok(state.next_link)
}

struct FileSeed<'x, 's, 'c> {
    state: &'x mut DataState<'s, 'c>,
}

impl<'de> DeserializeSeed<'de> for FileSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FileSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array of TypedDataSet rows or an object with a \"value\" array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        RowsSeed { state: self.state }.visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "value" => map.next_value_seed(RowsSeed { state: &mut *self.state })?,
                "odata.nextLink" => self.state.next_link = map.next_value::<Option<String>>()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct RowsSeed<'x, 's, 'c> {
    state: &'x mut DataState<'s, 'c>,
}

impl<'de> DeserializeSeed<'de> for RowsSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of TypedDataSet rows")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.state.saw_rows = true;
        while seq.next_element_seed(RowSeed { state: &mut *self.state })?.is_some() {}
        Ok(())
    }
}

struct RowSeed<'x, 's, 'c> {
    state: &'x mut DataState<'s, 'c>,
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TypedDataSet row (a JSON object)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.state;
        let mut cells: Vec<Option<Cell<'de>>> = vec![None; state.index.len()];
        while let Some(column) = map.next_key_seed(KeySeed { index: state.index })? {
            match column {
                Some(c) => cells[c] = Some(map.next_value_seed(CellSeed)?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Err(error) = state.conv.row(&cells) {
            state.pending = Some(Pending { row: state.row, error });
            return Err(de::Error::custom("row error"));
        }
        state.row += 1;
        Ok(())
    }
}

/// Maps a row key to the converter column it feeds, without allocating.
struct KeySeed<'x> {
    index: &'x HashMap<String, usize>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<usize>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.index.get(v).copied())
    }
}

struct CellSeed;

impl<'de> DeserializeSeed<'de> for CellSeed {
    type Value = Cell<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Cell<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CellSeed {
    type Value = Cell<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Cell<'de>, E> {
        Ok(Cell::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Cell<'de>, E> {
        Ok(Cell::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Cell<'de>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Cell<'de>, E> {
        Ok(Cell::Other("true or false"))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cell<'de>, E> {
        Ok(Cell::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cell<'de>, E> {
        Ok(Cell::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cell<'de>, E> {
        Ok(Cell::Number(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cell<'de>, E> {
        Ok(Cell::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cell<'de>, E> {
        Ok(Cell::Text(Cow::Owned(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Cell<'de>, E> {
        Ok(Cell::Text(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Cell<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Cell::Other("a list"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Cell<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Cell::Other("an object"))
    }
}

// ---------------------------------------------------------------------------------------------------------
// Table metadata
// ---------------------------------------------------------------------------------------------------------

/// A dimension of the table.
#[derive(Debug, Clone)]
struct Dimension<'a> {
    key: String,
    description: String,
    map_year: Option<i64>,
    record: Record<'a>,
}

/// A topic (a figure column) of the table.
#[derive(Debug, Clone)]
struct Topic {
    key: String,
    title: String,
    unit: String,
    /// `String` for text topics (`Gemeentenaam`, `SoortRegio`), which are not figures.
    datatype: String,
}

#[derive(Debug, Default)]
struct Properties<'a> {
    geo: Option<Dimension<'a>>,
    time: Option<Dimension<'a>>,
    category: Option<Dimension<'a>>,
    topics: Vec<Topic>,
}

fn parse_properties<'a>(set: &EntitySet<'a>) -> Result<Properties<'a>, Located> {
    let mut props = Properties::default();
    for record in &set.records {
        let Some(kind) = record.text("Type") else {
            return Err(record.error(Some("Type"), "this DataProperties entry has no Type"));
        };
        if kind == "TopicGroup" {
            continue;
        }
        let Some(key) = record.text("Key") else {
            return Err(record.error(Some("Key"), format!("this DataProperties entry ({kind}) has no Key")));
        };
        let dimension = || Dimension {
            key: key.clone(),
            description: record.text("Description").unwrap_or_default(),
            map_year: record.int("MapYear"),
            record: record.clone(),
        };
        let slot = match kind.as_str() {
            "Topic" => {
                props.topics.push(Topic {
                    key: key.clone(),
                    title: record.text("Title").unwrap_or_else(|| key.clone()),
                    unit: record.text("Unit").unwrap_or_default(),
                    datatype: record.text("Datatype").unwrap_or_default(),
                });
                continue;
            }
            "GeoDimension" | "GeoDetail" => &mut props.geo,
            "TimeDimension" => &mut props.time,
            "Dimension" => &mut props.category,
            // Other entry types carry no figures or keys wijkmonitor reads.
            _ => continue,
        };
        if let Some(previous) = slot {
            return Err(record.error(
                Some("Key"),
                format!(
                    "the table has a second {kind} {key} besides {}; wijkmonitor reads tables with at most one \
                     region, one period and one category dimension",
                    previous.key
                ),
            ));
        }
        *slot = Some(dimension());
    }
    Ok(props)
}

/// The classification year in a geo dimension description such as `Wijken en buurten (indeling 2024)`.
fn indeling_year(description: &str) -> Option<i32> {
    let lower = description.to_lowercase();
    let at = lower.find("indeling")?;
    let rest = lower[at + "indeling".len()..].trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (digits.len() == 4).then(|| digits.parse().ok()).flatten()
}

/// StatLine regional divisions other than the four levels wijkmonitor stores (provinces, COROP regions,
/// GGD regions, ...). Rows of these are skipped with a note; any other code that fails to parse is an error.
const OTHER_REGION_PREFIXES: [&str; 14] =
    ["LD", "PV", "CR", "CP", "CS", "GG", "JZ", "AM", "VR", "PO", "RE", "ZK", "LG", "WR"];

fn is_other_region_kind(code: &str) -> bool {
    code.len() >= 3
        && code.is_ascii()
        && OTHER_REGION_PREFIXES.contains(&&code[..2])
        && code[2..].bytes().all(|b| b.is_ascii_alphanumeric())
}

// ---------------------------------------------------------------------------------------------------------
// Converting rows into observations
// ---------------------------------------------------------------------------------------------------------

/// A data cell as a reader found it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'r> {
    Null,
    Text(Cow<'r, str>),
    Number(f64),
    /// Something that is neither text nor a number, named for the message.
    Other(&'static str),
}

/// A problem with one data row: the field it concerns (`None`: the row as a whole) and a message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowError {
    pub(crate) field: Option<String>,
    pub(crate) message: String,
}

impl RowError {
    fn at(field: &str, message: impl Into<String>) -> RowError {
        RowError { field: Some(field.to_string()), message: message.into() }
    }
}

/// A topic column and the catalogue variable of each category (one slot when there is no category).
struct TopicPlan {
    column: usize,
    variables: Vec<Option<usize>>,
}

/// A region key seen in the data: an index into the region codes, or a region kind wijkmonitor skips.
#[derive(Clone, Copy)]
enum RegionSlot {
    Known(u32),
    Skipped,
}

/// Turns data rows into observations. Readers give it the cells of each row in the order of [`Self::columns`].
pub(crate) struct Converter<'c> {
    /// The data fields the converter reads: the dimension keys, then the mapped topic keys.
    pub(crate) columns: Vec<String>,
    geo: Option<usize>,
    time: Option<usize>,
    category: Option<usize>,
    topics: Vec<TopicPlan>,
    variables: Vec<&'c str>,
    fixed_period: Option<Period>,
    provisional_periods: HashSet<String>,
    categories: HashMap<String, usize>,
    category_file: String,
    known_regions: Option<HashSet<RegionCode>>,
    region_cache: HashMap<String, RegionSlot>,
    region_codes: Vec<RegionCode>,
    period_cache: HashMap<String, (u32, bool)>,
    periods: Vec<Period>,
    seen: HashSet<(u32, u32, u32)>,
    skipped_regions: BTreeMap<String, u64>,
    observations: Vec<Observation>,
}

impl Converter<'_> {
    /// How many of [`Self::columns`] (the first ones) are dimension keys.
    pub(crate) fn dimension_count(&self) -> usize {
        [self.geo, self.time, self.category].iter().flatten().count()
    }

    fn key<'r>(&self, cells: &'r [Option<Cell<'_>>], column: usize) -> Result<&'r str, RowError> {
        let name = &self.columns[column];
        match cells.get(column).and_then(Option::as_ref) {
            None => {
                Err(RowError { field: None, message: format!("this row has no {name} (a dimension of the table)") })
            }
            Some(Cell::Text(t)) if !t.trim().is_empty() => Ok(t.trim()),
            Some(Cell::Text(_) | Cell::Null) => Err(RowError::at(name, format!("the {name} of this row is empty"))),
            Some(Cell::Number(n)) => {
                Err(RowError::at(name, format!("the {name} of this row is the number {n}; dimension keys are text")))
            }
            Some(Cell::Other(what)) => {
                Err(RowError::at(name, format!("the {name} of this row is {what}; dimension keys are text")))
            }
        }
    }

    fn region(&mut self, cells: &[Option<Cell<'_>>], column: usize) -> Result<RegionSlot, RowError> {
        let text = self.key(cells, column)?;
        if let Some(slot) = self.region_cache.get(text) {
            if let RegionSlot::Skipped = slot {
                *self.skipped_regions.entry(text.to_string()).or_default() += 1;
            }
            return Ok(*slot);
        }
        let name = &self.columns[column];
        let slot = match RegionCode::parse(text) {
            Ok(code) => {
                if let Some(known) = &self.known_regions {
                    if !known.contains(&code) {
                        return Err(RowError::at(
                            name,
                            format!("region {code} is not in the code list of the table's classification year"),
                        ));
                    }
                }
                self.region_codes.push(code);
                RegionSlot::Known(self.region_codes.len() as u32 - 1)
            }
            Err(_) if is_other_region_kind(text) => {
                *self.skipped_regions.entry(text.to_string()).or_default() += 1;
                RegionSlot::Skipped
            }
            Err(e) => return Err(RowError::at(name, e.to_string())),
        };
        self.region_cache.insert(text.to_string(), slot);
        Ok(slot)
    }

    fn period(&mut self, cells: &[Option<Cell<'_>>], column: usize) -> Result<(u32, bool), RowError> {
        let text = self.key(cells, column)?;
        if let Some(found) = self.period_cache.get(text) {
            return Ok(*found);
        }
        let period = Period::parse(text).map_err(|e| RowError::at(&self.columns[column], e.to_string()))?;
        self.periods.push(period);
        let found = (self.periods.len() as u32 - 1, self.provisional_periods.contains(text));
        self.period_cache.insert(text.to_string(), found);
        Ok(found)
    }

    /// Converts one row. `cells[i]` is the cell of `columns[i]`, `None` when the row lacks that field.
    pub(crate) fn row(&mut self, cells: &[Option<Cell<'_>>]) -> Result<(), RowError> {
        let region = match self.geo {
            Some(column) => match self.region(cells, column)? {
                RegionSlot::Known(i) => i,
                RegionSlot::Skipped => return Ok(()),
            },
            // A table without a region dimension holds national figures.
            None => 0,
        };
        let (period, provisional) = match self.time {
            Some(column) => self.period(cells, column)?,
            None => (0, false),
        };
        let category = match self.category {
            Some(column) => {
                let key = self.key(cells, column)?;
                match self.categories.get(key) {
                    Some(&i) => i,
                    None => {
                        return Err(RowError::at(
                            &self.columns[column],
                            format!("category '{key}' is not in {}", self.category_file),
                        ))
                    }
                }
            }
            None => 0,
        };
        for plan in &self.topics {
            let Some(variable) = plan.variables[category] else { continue };
            // A topic absent from a row (a download with a selection of topics) gives no figure at all.
            let Some(cell) = cells.get(plan.column).and_then(Option::as_ref) else { continue };
            let field = &self.columns[plan.column];
            let value = match cell {
                Cell::Null => Value::missing(),
                Cell::Number(n) => special_code(*n).unwrap_or(Value::final_(*n)),
                Cell::Text(t) => parse_cell(t, Decimal::Point).map_err(|m| RowError::at(field, m))?,
                Cell::Other(what) => return Err(RowError::at(field, format!("{field} is {what}, not a number"))),
            };
            let value = match (value.number(), provisional) {
                (Some(n), true) => Value::provisional(n),
                _ => value,
            };
            if !self.seen.insert((region, period, variable as u32)) {
                let region = &self.region_codes[region as usize];
                let period = self.periods.get(period as usize).copied().or(self.fixed_period);
                let period = period.map(|p| p.to_string()).unwrap_or_default();
                return Err(RowError {
                    field: None,
                    message: format!(
                        "this row repeats region {region}, period {period} of an earlier row (variable {})",
                        self.variables[variable]
                    ),
                });
            }
            let period = match self.time {
                Some(_) => self.periods[period as usize],
                None => self.fixed_period.unwrap_or(Period::Year(0)),
            };
            self.observations.push(Observation {
                region: self.region_codes[region as usize].clone(),
                period,
                variable: self.variables[variable].to_string(),
                value,
            });
        }
        Ok(())
    }
}

/// The numeric special codes CBS uses in some products, read the same way as in text cells (see
/// [`crate::values`]), so a table gives the same figures in JSON and in CSV.
fn special_code(n: f64) -> Option<Value> {
    let code = [-99997.0, -99995.0, -99991.0].into_iter().find(|&c| c == n)?;
    parse_cell(&format!("{code}"), Decimal::Point).ok()
}

/// Formats a short list for a note: the first `max` items and how many more there are.
fn short_list(items: &[String], max: usize) -> String {
    let mut text = items.iter().take(max).cloned().collect::<Vec<_>>().join("; ");
    if items.len() > max {
        text.push_str(&format!("; and {} more", items.len() - max));
    }
    text
}

// ---------------------------------------------------------------------------------------------------------
// The table as a whole
// ---------------------------------------------------------------------------------------------------------

/// Reads a table folder: the entity sets through `load` (`ext` is their file extension), the data rows through
/// `rows`, which feeds them to the converter.
pub(crate) fn read_table(
    input: &Input,
    ctx: &ImportContext<'_>,
    format: Format,
    ext: &str,
    load: SetLoader,
    rows: impl FnOnce(&Input, &mut Converter<'_>) -> Result<(), Located>,
) -> Result<ImportBatch, Located> {
    let Some(properties_set) = load(input, "DataProperties")? else {
        return Err(missing_file(input, &format!("DataProperties.{ext}"), "the dimensions and topics of the table"));
    };
    let infos = load(input, "TableInfos")?;
    let info = infos.as_ref().and_then(|set| set.records.first());
    let table = TableName { id: info.and_then(|r| r.text("Identifier")), title: info.and_then(|r| r.text("Title")) };
    let props = parse_properties(&properties_set)?;
    let mut notes = Vec::new();

    let classification_year = classification_year(&props, ctx)?;
    let (regions, known_regions) = match (&props.geo, classification_year) {
        (Some(geo), Some(year)) => code_list_regions(load(input, &geo.key)?, year, ctx, &mut notes)?,
        _ => (Vec::new(), None),
    };
    let provisional_periods = match &props.time {
        Some(time) => provisional_periods(load(input, &time.key)?),
        None => HashSet::new(),
    };
    let (categories, category_file) = match &props.category {
        Some(category) => match load(input, &category.key)? {
            Some(list) => (categories(&list)?, list.file.base_name().to_string()),
            None => {
                return Err(missing_file(
                    input,
                    &format!("{}.{ext}", category.key),
                    &format!("the categories of dimension {}, needed to map the figures", category.key),
                ))
            }
        },
        None => (Vec::new(), String::new()),
    };
    let mapping = map_topics(&props, &categories, ctx, &table, &properties_set, &mut notes)?;

    // The period of a table without a time dimension (Kerncijfers): the caller's, else TableInfos.Period.
    let fixed_period = match (&props.time, ctx.options.period) {
        (Some(_), _) => None,
        (None, Some(period)) => Some(period),
        (None, None) => {
            let text = info.and_then(|r| r.text("Period"));
            match text.as_deref().map(Period::parse) {
                Some(Ok(period)) => Some(period),
                _ => {
                    return Err(Located::at(
                        &properties_set.file.name,
                        0,
                        0,
                        format!(
                            "the table has no period dimension and TableInfos gives {}: give the period of the figures",
                            text.map_or("no period".to_string(), |t| format!("period '{t}', which is not one year"))
                        ),
                    ))
                }
            }
        }
    };

    let mut conv = Converter {
        columns: mapping.columns,
        geo: mapping.geo,
        time: mapping.time,
        category: mapping.category,
        topics: mapping.plans,
        variables: mapping.variables,
        fixed_period,
        provisional_periods,
        categories: categories.iter().enumerate().map(|(i, (key, _))| (key.clone(), i)).collect(),
        category_file,
        known_regions,
        region_cache: HashMap::new(),
        // Without a region dimension every row is the Netherlands (index 0).
        region_codes: if mapping.geo.is_none() { vec![RegionCode::netherlands()] } else { Vec::new() },
        period_cache: HashMap::new(),
        periods: Vec::new(),
        seen: HashSet::new(),
        skipped_regions: BTreeMap::new(),
        observations: Vec::new(),
    };
    rows(input, &mut conv)?;

    if !conv.skipped_regions.is_empty() {
        let rows: u64 = conv.skipped_regions.values().sum();
        let codes: Vec<String> = conv.skipped_regions.keys().cloned().collect();
        notes.push(format!(
            "{rows} rows of regional divisions other than the Netherlands, municipalities, districts and \
             neighbourhoods were skipped: {}",
            short_list(&codes, 10)
        ));
    }

    Ok(ImportBatch {
        format,
        source_name: input.name().to_string(),
        sha256: input.sha256(),
        source_table: table.id,
        source_title: table.title,
        classification_year,
        regions,
        observations: conv.observations,
        notes,
    })
}

/// The table's identifier and title from `TableInfos`, for the batch and for messages.
struct TableName {
    id: Option<String>,
    title: Option<String>,
}

/// The classification year: the caller's, else "(indeling 2024)" in the geo dimension's description (police
/// tables give all years in the latest classification while their MapYear says otherwise), else MapYear.
/// `None` for a table without regions.
fn classification_year(props: &Properties<'_>, ctx: &ImportContext<'_>) -> Result<Option<i32>, Located> {
    let geo = match (&props.geo, ctx.options.classification_year) {
        (_, Some(year)) => return Ok(Some(year)),
        (None, None) => return Ok(None),
        (Some(geo), None) => geo,
    };
    let year = indeling_year(&geo.description).or_else(|| geo.map_year.and_then(|y| i32::try_from(y).ok()));
    match year {
        Some(year) => Ok(Some(year)),
        None => Err(geo.record.error(
            Some("MapYear"),
            format!(
                "the classification year of dimension {} is unknown (no MapYear, no \"(indeling YYYY)\" in its \
                 description): give the classification year",
                geo.key
            ),
        )),
    }
}

/// The regions of the geo code list (when the folder has it), and the codes the data may use: those of the
/// code list and of the caller's code list for the year (`None`: any well-formed code).
fn code_list_regions(
    list: Option<EntitySet<'_>>,
    year: i32,
    ctx: &ImportContext<'_>,
    notes: &mut Vec<String>,
) -> Result<(Vec<Region>, Option<HashSet<RegionCode>>), Located> {
    let mut regions = Vec::new();
    let mut known: Option<HashSet<RegionCode>> = None;
    if let Some(list) = list {
        let mut skipped = 0usize;
        for record in &list.records {
            let Some(key) = record.text("Key") else {
                return Err(record.error(Some("Key"), "this code-list entry has no Key"));
            };
            let code = match RegionCode::parse(&key) {
                Ok(code) => code,
                Err(_) if is_other_region_kind(&key) => {
                    skipped += 1;
                    continue;
                }
                Err(e) => return Err(record.error(Some("Key"), e.to_string())),
            };
            let name = record.text("Title").unwrap_or_else(|| code.to_string());
            regions.push(Region::new(code, name, year));
        }
        if skipped > 0 {
            notes.push(format!(
                "{skipped} entries of {} are regional divisions other than the Netherlands, municipalities, \
                 districts and neighbourhoods and were not imported as regions",
                list.file.base_name()
            ));
        }
        known = Some(regions.iter().map(|r| r.code.clone()).collect());
    }
    if let Some(listed) = ctx.code_lists.year(year) {
        known.get_or_insert_with(HashSet::new).extend(listed.iter().map(|r| r.code.clone()));
    }
    Ok((regions, known))
}

/// The period keys the time code list marks provisional ("Voorlopig", "Nader voorlopig").
fn provisional_periods(list: Option<EntitySet<'_>>) -> HashSet<String> {
    let Some(list) = list else { return HashSet::new() };
    list.records
        .iter()
        .filter(|r| r.text("Status").is_some_and(|s| s.to_lowercase().contains("voorlopig")))
        .filter_map(|r| r.text("Key"))
        .collect()
}

/// The (key, title) of each category of the category code list; the titles are what the catalogue matches.
fn categories(list: &EntitySet<'_>) -> Result<Vec<(String, String)>, Located> {
    let mut categories = Vec::new();
    for record in &list.records {
        let Some(key) = record.text("Key") else {
            return Err(record.error(Some("Key"), "this code-list entry has no Key"));
        };
        let title = record.text("Title").unwrap_or_else(|| key.clone());
        categories.push((key, title));
    }
    Ok(categories)
}

/// Which data fields the converter reads and what they become.
struct Mapping<'c> {
    columns: Vec<String>,
    geo: Option<usize>,
    time: Option<usize>,
    category: Option<usize>,
    plans: Vec<TopicPlan>,
    variables: Vec<&'c str>,
}

/// Maps the topics (and, with a category dimension, each topic x category pair) to catalogue variables by
/// title and unit. What does not map goes into notes; a table of which nothing maps is refused, since
/// importing it would silently do nothing.
fn map_topics<'c>(
    props: &Properties<'_>,
    categories: &[(String, String)],
    ctx: &ImportContext<'c>,
    table: &TableName,
    properties_set: &EntitySet<'_>,
    notes: &mut Vec<String>,
) -> Result<Mapping<'c>, Located> {
    let table_name = table.id.as_deref().unwrap_or("the table");
    let mut columns: Vec<String> = Vec::new();
    let mut column_of = |key: &str| {
        columns.push(key.to_string());
        columns.len() - 1
    };
    let geo = props.geo.as_ref().map(|d| column_of(&d.key));
    let time = props.time.as_ref().map(|d| column_of(&d.key));
    let category = props.category.as_ref().map(|d| column_of(&d.key));
    // One slot per category, or a single slot for a table without a category dimension.
    let category_titles: Vec<Option<&str>> = match props.category {
        Some(_) => categories.iter().map(|(_, title)| Some(title.as_str())).collect(),
        None => vec![None],
    };
    let mut variables: Vec<&'c str> = Vec::new();
    let mut taken: HashMap<(&str, usize), &str> = HashMap::new();
    let mut plans = Vec::new();
    let mut unmapped = Vec::new();
    let mut ambiguous = Vec::new();
    let mut category_mapped = vec![false; category_titles.len()];
    let numeric: Vec<&Topic> = props.topics.iter().filter(|t| !t.datatype.eq_ignore_ascii_case("String")).collect();
    for topic in &numeric {
        let mut targets = vec![None; category_titles.len()];
        let mut matched = false;
        for (slot, category_title) in category_titles.iter().enumerate() {
            let Some(variable) = ctx.catalogue.match_topic(&topic.title, &topic.unit, *category_title) else {
                continue;
            };
            matched = true;
            let id = variable.id.as_str();
            // Two topics with the same title and unit (in different topic groups) cannot both be the variable:
            // the first one wins and the user is told.
            if let Some(first) = taken.get(&(id, slot)) {
                ambiguous.push(format!("{} (same as {first})", topic.key));
                continue;
            }
            taken.insert((id, slot), topic.key.as_str());
            let index = variables.iter().position(|v| *v == id).unwrap_or_else(|| {
                variables.push(id);
                variables.len() - 1
            });
            targets[slot] = Some(index);
            category_mapped[slot] = true;
        }
        if targets.iter().any(Option::is_some) {
            plans.push(TopicPlan { column: column_of(&topic.key), variables: targets });
        } else if !matched {
            unmapped.push(format!("{} ({}, {})", topic.key, topic.title, topic.unit));
        }
    }
    if plans.is_empty() {
        let listed: Vec<String> = numeric.iter().map(|t| format!("{} ({})", t.title, t.unit)).collect();
        return Err(Located::at(
            &properties_set.file.name,
            0,
            0,
            format!(
                "no topic of {table_name}{} matches a variable of the catalogue, so there is nothing to import; its \
                 topics are: {}",
                table.title.as_ref().map(|t| format!(" ({t})")).unwrap_or_default(),
                short_list(&listed, 20)
            ),
        ));
    }
    if !unmapped.is_empty() {
        notes.push(format!(
            "{} of {} topics of {table_name} match no catalogue variable and were not imported: {}",
            unmapped.len(),
            numeric.len(),
            short_list(&unmapped, usize::MAX)
        ));
    }
    if !ambiguous.is_empty() {
        notes.push(format!(
            "topics with the same title and unit as an earlier topic were not imported: {}",
            ambiguous.join("; ")
        ));
    }
    if let Some(dimension) = &props.category {
        let skipped: Vec<String> = categories
            .iter()
            .zip(&category_mapped)
            .filter(|(_, mapped)| !**mapped)
            .map(|((_, title), _)| title.clone())
            .collect();
        if !skipped.is_empty() {
            notes.push(format!(
                "rows of {} of {} {} categories have no catalogue variable and were skipped: {}",
                skipped.len(),
                categories.len(),
                dimension.key,
                short_list(&skipped, 10)
            ));
        }
    }
    Ok(Mapping { columns, geo, time, category, plans, variables })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanner_finds_rows_and_fields() {
        let text = "{\"odata.metadata\": \"x\", \"value\": [\n {\"A\": \"a,]}\\\"\", \"B\": [1, {\"c\": 2}]},\n {\"A\": 1, \"B\": null}\n]}";
        let b = text.as_bytes();
        let array = scan::rows_array(b).unwrap();
        let second = scan::element(b, array, 1).unwrap();
        assert_eq!(line_column(b, second), (3, 2));
        let field = scan::member(b, second, "B").unwrap();
        assert_eq!(&text[field..field + 4], "null");
        assert_eq!(scan::element(b, array, 2), None);
        assert_eq!(scan::rows_array(b"[1]"), Some(0));
    }

    #[test]
    fn indeling_year_is_read_from_the_description() {
        assert_eq!(indeling_year("Wijken en buurten (indeling 2024)"), Some(2024));
        assert_eq!(indeling_year("Wijken en buurten"), None);
        assert_eq!(indeling_year("Indeling 20245"), None);
    }
}
