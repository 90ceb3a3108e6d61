//! Readers for every source format wijkmonitor imports.
//!
//! A reader turns the bytes of one source (a file, or a folder of OData entity sets) into an [`ImportBatch`]:
//! the regions the source defines and the observations it holds, mapped to catalogue variables by meaning.
//! Readers never write anything: the store applies a batch in one transaction, so a reader that fails
//! leaves nothing behind. Every problem with the input stops the read with a [`Located`] error naming the
//! file, line and column.
//!
//! # Layout
//! - [`input`]: loading a file or folder from disk into memory (the only IO in this crate) and hashing it.
//! - [`detect`]: recognising the format of an input from its content.
//! - `csv_table`: CSV plumbing shared by the CSV readers (strict quoting, ragged rows, located cell errors).
//! - [`values`]: parsing numbers and CBS missing-value markers (`.`, `x`, `NA`, `-99997`, ...).
//! - [`odata`]: CBS OData v3 JSON entity sets (`TableInfos`, `DataProperties`, `TypedDataSet`, code lists).
//! - [`cbsodatar`]: the same entity sets saved one CSV per set, as the R package cbsodataR writes them.
//! - [`kwb`]: the Kerncijfers wijken en buurten CSV with labelled headers (`Bevolking.Aantal.inwoners..aantal.`).
//! - [`statline`]: StatLine web CSV exports (semicolons, decimal commas, title lines, multi-row headers).
//! - [`leefbaarometer`]: the Leefbaarometer buurt file.
//! - [`wide`]: a generic wide CSV driven by a small mapping file.
//! - [`long`]: the canonical long CSV `region,period,variable,value,status`, also the export format.

pub mod cbsodatar;
mod csv_table;
pub mod detect;
pub mod input;
pub mod kwb;
pub mod leefbaarometer;
pub mod long;
pub mod odata;
pub mod statline;
pub mod values;
pub mod wide;

pub use input::{Input, SourceFile};
pub use wijkmonitor_model::Located;

use std::collections::HashMap;
use std::fmt;
use wijkmonitor_model::{Catalogue, Observation, Period, Region, RegionCode};

/// The source formats wijkmonitor reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// CBS OData v3 JSON: a folder with `TableInfos.json`, `DataProperties.json`, `TypedDataSet*.json` and
    /// dimension code lists, as the API returns them (`{"value": [...]}`) or as bare arrays.
    OdataJson,
    /// The same entity sets as CSV files, as cbsodataR writes them (`DataProperties.csv`, `data.csv`, ...).
    OdataCsv,
    /// Kerncijfers wijken en buurten as CSV with labelled headers (R `write.csv` of StatLine data).
    KwbCsv,
    /// A StatLine web CSV export.
    StatlineCsv,
    /// The Leefbaarometer buurt file (`bu_code,versie,jaar,bu_naam,lbm,afw,fys,onv,soc,vrz,won`).
    Leefbaarometer,
    /// A wide CSV with one region column, one period column and one column per variable, with a mapping file.
    WideCsv,
    /// The canonical long CSV `region,period,variable,value,status`.
    LongCsv,
    /// Data that wijkmonitor itself ships or generates (the built-in code list, the synthetic demo figures);
    /// never read from a user's file. Whether figures are synthetic is recorded separately with the import.
    Builtin,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::OdataJson,
        Format::OdataCsv,
        Format::KwbCsv,
        Format::StatlineCsv,
        Format::Leefbaarometer,
        Format::WideCsv,
        Format::LongCsv,
    ];

    /// The name used on the command line and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::OdataJson => "odata-json",
            Format::OdataCsv => "odata-csv",
            Format::KwbCsv => "kwb-csv",
            Format::StatlineCsv => "statline-csv",
            Format::Leefbaarometer => "leefbaarometer",
            Format::WideCsv => "wide-csv",
            Format::LongCsv => "long-csv",
            Format::Builtin => "builtin",
        }
    }

    pub fn parse(text: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == text)
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

/// What the caller tells a reader beyond the bytes.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The CBS classification year of the regions, when the source does not say it (or to override it).
    pub classification_year: Option<i32>,
    /// The period of all figures, for sources without a period column (a KWB file, a wide CSV).
    pub period: Option<Period>,
    /// For StatLine web exports that give regions by name: the municipality whose names to match.
    pub municipality: Option<RegionCode>,
    /// For wide CSV files: the text of the mapping file and its name.
    pub mapping: Option<SourceFile>,
}

/// Everything a reader may consult. Readers never look anything up elsewhere.
pub struct ImportContext<'a> {
    pub catalogue: &'a Catalogue,
    pub code_lists: &'a CodeLists,
    pub options: ImportOptions,
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

/// Reads an input in the given format (or the detected one when `format` is `None`).
pub fn read(input: &Input, format: Option<Format>, ctx: &ImportContext<'_>) -> Result<ImportBatch, Located> {
    let format = match format {
        Some(f) => f,
        None => detect::detect(input)?,
    };
    match format {
        Format::OdataJson => odata::read(input, ctx),
        Format::OdataCsv => cbsodatar::read(input, ctx),
        Format::KwbCsv => kwb::read(input.single_file()?, ctx),
        Format::StatlineCsv => statline::read(input.single_file()?, ctx),
        Format::Leefbaarometer => leefbaarometer::read(input.single_file()?, ctx),
        Format::WideCsv => wide::read(input.single_file()?, ctx),
        Format::LongCsv => long::read(input.single_file()?, ctx),
        Format::Builtin => Err(Located::at(
            input.name(),
            0,
            0,
            "built-in data is generated by `wijkmonitor demo`, not read from a file",
        )),
    }
}
