//! Reading the figures of a JSON data file (`TypedDataSet`) row by row into the [`Converter`], without
//! building a JSON tree.

use super::convert::{Cell, Converter, RowError};
use super::sets::{json_error, locate_json};
use crate::SourceFile;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use wijkmonitor_model::Located;

/// A row error raised inside the deserializer, kept here because serde can only carry a string.
pub(super) struct Pending {
    pub(super) row: usize,
    pub(super) error: RowError,
}

pub(super) struct DataState<'s, 'c> {
    pub(super) conv: &'s mut Converter<'c>,
    pub(super) index: &'s HashMap<String, usize>,
    pub(super) row: usize,
    pub(super) pending: Option<Pending>,
    pub(super) next_link: Option<String>,
    pub(super) saw_rows: bool,
}

/// Feeds the rows of one JSON data file to the converter; returns the file's `odata.nextLink`, if any.
pub(super) fn read_json_rows(file: &SourceFile, conv: &mut Converter<'_>) -> Result<Option<String>, Located> {
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

pub(super) struct FileSeed<'x, 's, 'c> {
    pub(super) state: &'x mut DataState<'s, 'c>,
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

pub(super) struct RowsSeed<'x, 's, 'c> {
    pub(super) state: &'x mut DataState<'s, 'c>,
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

pub(super) struct RowSeed<'x, 's, 'c> {
    pub(super) state: &'x mut DataState<'s, 'c>,
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
pub(super) struct KeySeed<'x> {
    pub(super) index: &'x HashMap<String, usize>,
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

pub(super) struct CellSeed;

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

/// The JSON files of a folder that are none of the entity sets the converter knows (`TableInfos`,
/// `DataProperties`, `CategoryGroups`, the dimensions' code lists, `TypedDataSet`) and open as an object whose
/// first member is an object: candidates for figures keyed by region.
pub(super) fn keyed_candidates<'a>(input: &'a crate::Input, conv: &Converter<'_>) -> Vec<&'a SourceFile> {
    let known = |base: &str| {
        let stem = base.strip_suffix(".json").unwrap_or(base).to_ascii_lowercase();
        ["tableinfos", "dataproperties", "categorygroups", "typeddataset"].contains(&stem.as_str())
            || conv.columns.iter().any(|c| c.to_ascii_lowercase() == stem)
    };
    input
        .files()
        .iter()
        .filter(|f| f.base_name().to_ascii_lowercase().ends_with(".json") && !known(f.base_name()))
        .filter(|f| {
            let Ok(text) = f.text() else { return false };
            let t = text.trim_start();
            t.starts_with('{') && t[1..].split_once(':').is_some_and(|(_, rest)| rest.trim_start().starts_with('{'))
        })
        .collect()
}

/// Feeds figures keyed by region (`{"GM1680": {"AantalInwoners_5": 25845}}`) to the converter, one row per
/// region with the key in the region column; returns the number of regions. Errors name the region's line.
pub(super) fn read_keyed_rows(file: &SourceFile, conv: &mut Converter<'_>) -> Result<usize, Located> {
    let text = file.text()?;
    let data: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
        .map_err(|e| Located::at(&file.name, e.line() as u64, e.column() as u64, e.to_string()))?;
    let Some(geo) = conv.geo else {
        return Err(Located::at(&file.name, 1, 1, "figures keyed by region need a table with a region dimension"));
    };
    let index: HashMap<String, usize> = conv.columns.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
    let line_of = |code: &str| {
        text.find(&format!("\"{code}\"")).map_or(0, |at| text[..at].bytes().filter(|&b| b == b'\n').count() as u64 + 1)
    };
    for (code, figures) in &data {
        let serde_json::Value::Object(figures) = figures else {
            return Err(Located::at(
                &file.name,
                line_of(code),
                0,
                format!("region {code}: expected an object of figures"),
            ));
        };
        let mut cells: Vec<Option<Cell<'_>>> = vec![None; conv.columns.len()];
        cells[geo] = Some(Cell::Text(Cow::Borrowed(code.as_str())));
        for (key, value) in figures {
            let Some(&c) = index.get(key) else { continue };
            cells[c] = Some(match value {
                serde_json::Value::Null => Cell::Null,
                serde_json::Value::Number(n) => n.as_f64().map_or(Cell::Other("a number out of range"), Cell::Number),
                serde_json::Value::String(s) => Cell::Text(Cow::Borrowed(s.as_str())),
                serde_json::Value::Bool(_) => Cell::Other("true or false"),
                serde_json::Value::Array(_) => Cell::Other("a list"),
                serde_json::Value::Object(_) => Cell::Other("an object"),
            });
        }
        conv.row(&cells).map_err(|e| {
            let field = e.field.map_or(String::new(), |f| format!(" ({f})"));
            Located::at(&file.name, line_of(code), 0, format!("region {code}{field}: {}", e.message))
        })?;
    }
    Ok(data.len())
}
