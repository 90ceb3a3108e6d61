//! What a reader of a source hands to the store: an [`ImportBatch`] of regions and observations, the
//! [`Format`] it was read in, and the [`CodeLists`] readers match region names and codes against. These are
//! domain values (no IO); the readers live in the import crate, the one write path in the store.

use crate::{Observation, Region, RegionCode};
use std::collections::HashMap;
use std::fmt;

/// Declares the formats once: each variant with its name on the command line and in the database. `ALL`,
/// `as_str` and `parse` follow from this list, so a new format is one line here plus its reader (the import
/// crate's dispatch is an exhaustive `match`, which the compiler checks).
macro_rules! formats {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// The source formats wijkmonitor reads, and `Builtin` for what it ships or generates itself.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Format {
            $($(#[$doc])* $variant,)*
            /// Data that wijkmonitor itself ships or generates (the built-in code list, the synthetic demo
            /// figures); never read from a user's file. Whether figures are synthetic is recorded separately with
            /// the import.
            Builtin,
        }

        impl Format {
            /// Every format a file can be read in (all but `Builtin`).
            pub const ALL: &'static [Format] = &[$(Format::$variant),*];

            /// The name used on the command line and in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Format::$variant => $name,)*
                    Format::Builtin => "builtin",
                }
            }
        }
    };
}

formats! {
    /// CBS OData v3 JSON: a folder with `TableInfos.json`, `DataProperties.json`, `TypedDataSet*.json` and
    /// dimension code lists, as the API returns them (`{"value": [...]}`) or as bare arrays.
    OdataJson => "odata-json",
    /// The same entity sets as CSV files, as cbsodataR writes them (`DataProperties.csv`, `data.csv`, ...).
    OdataCsv => "odata-csv",
    /// Kerncijfers wijken en buurten as CSV with labelled headers (R `write.csv` of StatLine data).
    KwbCsv => "kwb-csv",
    /// The Kerncijfers wijken en buurten spreadsheet (`kwb-2023.xlsx`, `kwb-2019.xls`) with short column names.
    KwbSheet => "kwb-sheet",
    /// A StatLine web CSV export.
    StatlineCsv => "statline-csv",
    /// A Leefbaarometer file of buurten (`bu_code,versie,jaar,bu_naam,lbm,...`), wijken or gemeenten.
    Leefbaarometer => "leefbaarometer",
    /// A wide CSV with one region column, one period column and one column per variable, with a mapping file.
    WideCsv => "wide-csv",
    /// The canonical long CSV `region,period,variable,value,status`.
    LongCsv => "long-csv",
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.as_str() == text)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Regions known per classification year, used to match region names (StatLine exports) and to refuse
/// unknown region codes.
#[derive(Debug, Clone, Default)]
pub struct CodeLists {
    by_year: HashMap<i32, Vec<Region>>,
}

impl CodeLists {
    pub fn new() -> CodeLists {
        CodeLists::default()
    }

    pub fn add(&mut self, region: Region) {
        self.by_year.entry(region.classification_year).or_default().push(region);
    }

    /// The regions of one classification year, if a code list for that year is loaded.
    pub fn year(&self, year: i32) -> Option<&[Region]> {
        self.by_year.get(&year).map(Vec::as_slice)
    }

    /// Whether a code exists in the code list of that year; `None` when no list for the year is loaded.
    pub fn contains(&self, year: i32, code: &RegionCode) -> Option<bool> {
        self.year(year).map(|regions| regions.iter().any(|r| &r.code == code))
    }

    pub fn years(&self) -> Vec<i32> {
        let mut years: Vec<i32> = self.by_year.keys().copied().collect();
        years.sort();
        years
    }
}

/// The result of reading one source: ready for the store to apply in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportBatch {
    pub format: Format,
    /// The name of the source as the user gave it (a file or a folder).
    pub source_name: String,
    /// The SHA-256 of the source: of the file, or of the sorted (name, SHA-256) list of a folder's files.
    pub sha256: String,
    /// The source table id where the source has one (`84583NED`, `47018NED`, `leefbaarometer-3.0`).
    pub source_table: Option<String>,
    /// The source table title, where known.
    pub source_title: Option<String>,
    /// The CBS classification year of the region codes.
    pub classification_year: Option<i32>,
    /// Regions the source defines (code, name, parent), e.g. from a `WijkenEnBuurten` code list.
    pub regions: Vec<Region>,
    pub observations: Vec<Observation>,
    /// Things the user should know that did not stop the import: source columns not in the catalogue,
    /// region names that matched no code, rows skipped because they are not regions (e.g. a total line).
    pub notes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for &f in Format::ALL {
            assert_eq!(Format::parse(f.as_str()), Some(f));
        }
        assert_eq!(Format::parse("builtin"), None, "nobody reads a file as built-in data");
        // A new format must be added here on purpose (and to detection, the docs and the fuzz targets).
        assert_eq!(Format::ALL.len(), 8);
    }
}
