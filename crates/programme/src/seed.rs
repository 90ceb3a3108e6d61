//! The register seed file (`data/register/seed.toml`): records of figures, each with its area, year, scheme,
//! instance, source label and synthetic flag, turned into register [`Entry`] rows.
//!
//! Every record is validated by rebuilding it as a typed record, and an error names the file, line and column
//! of the record (or of the TOML problem), so programme staff can fix the file where it is wrong.

use crate::params::{line_col, toml_error, SchemeParams};
use crate::register::{AreaRegister, Entry, EntryValue, Scheme};
use serde::Deserialize;
use std::collections::BTreeMap;
use wijkmonitor_model::Located;

/// The seed shipped with wijkmonitor: real figures from the parliamentary record and synthetic demo figures.
pub const BUILTIN_SEED: &str = include_str!("../../../data/register/seed.toml");
pub const BUILTIN_SEED_NAME: &str = "data/register/seed.toml";

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Figure {
    Number(f64),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord {
    area: String,
    year: i32,
    scheme: toml::Spanned<String>,
    instance: String,
    source: String,
    synthetic: bool,
    figures: BTreeMap<String, Figure>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeed {
    #[serde(rename = "record")]
    records: Vec<toml::Spanned<RawRecord>>,
}

/// Parses a seed file into entries; `file` names it in errors. The records are validated against `params`.
pub fn parse(text: &str, file: &str, params: &SchemeParams) -> Result<Vec<Entry>, Located> {
    let raw: RawSeed = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    let mut entries = Vec::new();
    for spanned in raw.records {
        let (line, column) = line_col(text, spanned.span().start);
        let record = spanned.into_inner();
        let scheme = Scheme::parse(record.scheme.get_ref()).ok_or_else(|| {
            let (line, column) = line_col(text, record.scheme.span().start);
            let known: Vec<&str> = Scheme::ALL.iter().map(|s| s.as_str()).collect();
            Located::at(
                file,
                line,
                column,
                format!("unknown scheme '{}' (known: {})", record.scheme.get_ref(), known.join(", ")),
            )
        })?;
        if record.source.trim().is_empty() {
            return Err(Located::at(file, line, column, "a record needs a source label"));
        }
        if record.figures.is_empty() {
            return Err(Located::at(file, line, column, "a record needs at least one figure"));
        }
        let own: Vec<Entry> = record
            .figures
            .into_iter()
            .map(|(item, figure)| Entry {
                area: record.area.clone(),
                year: record.year,
                scheme,
                instance: record.instance.clone(),
                item,
                value: match figure {
                    Figure::Number(n) => EntryValue::Number(n),
                    Figure::Text(t) => EntryValue::Text(t),
                },
                source: record.source.clone(),
                synthetic: record.synthetic,
            })
            .collect();
        // Validate the record on its own, so the error points at it.
        AreaRegister::from_entries(&own, params).map_err(|m| Located::at(file, line, column, m))?;
        if let Some(dup) = own.first().and_then(|f| {
            entries
                .iter()
                .find(|e: &&Entry| (&e.area, e.year, e.scheme, &e.instance) == (&f.area, f.year, f.scheme, &f.instance))
        }) {
            return Err(Located::at(
                file,
                line,
                column,
                format!("a second record for {} {} {} '{}'", dup.area, dup.year, dup.scheme, dup.instance),
            ));
        }
        entries.extend(own);
    }
    Ok(entries)
}
