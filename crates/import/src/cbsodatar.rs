//! CBS OData v3 tables saved one CSV file per entity set, as the R package cbsodataR writes them
//! (`cbs_download_table`): `TableInfos.csv`, `DataProperties.csv`, one code list per dimension
//! (`WijkenEnBuurten.csv`, `Perioden.csv`, `SoortMisdrijf.csv`) and the figures in `data.csv`.
//!
//! Only loading differs from the JSON entity sets: the table logic (dimensions, mapping topics to the
//! catalogue by meaning, periods, regions) is shared with [`crate::odata`]. Numbers use a decimal point;
//! an empty cell is a missing figure, never zero. Errors name the line and the column number of the field.

use crate::odata::{self, Cell, Converter, EntitySet, Record, RecordAt, Scalar};
use crate::{Format, ImportBatch, ImportContext, Input, SourceFile};
use std::borrow::Cow;
use std::rc::Rc;
use wijkmonitor_model::Located;

/// Reads a folder of cbsodataR CSV files.
pub fn read(input: &Input, ctx: &ImportContext<'_>) -> Result<ImportBatch, Located> {
    odata::read_table(input, ctx, Format::OdataCsv, "csv", load_csv_set, |input, conv, _notes| {
        // cbsodataR names the figures `data.csv`; a `TypedDataSet.csv` (the entity set's own name) is read too.
        let file = match input.file_named("data.csv") {
            Some(file) => file,
            None => match odata::entity_files(input, "TypedDataSet", "csv")?.as_slice() {
                [] => return Err(odata::missing_file(input, "data.csv", "the figures of the table")),
                [file] => file,
                pages => {
                    for page in pages {
                        read_csv_rows(page, conv)?;
                    }
                    return Ok(());
                }
            },
        };
        read_csv_rows(file, conv)
    })
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes())
}

/// A csv crate error at its line (the csv crate counts lines from 1).
fn csv_error(file: &SourceFile, e: &csv::Error) -> Located {
    let line = e.position().map_or(0, |p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("this line has {len} fields where the header has {expected_len}")
        }
        _ => format!("invalid CSV: {e}"),
    };
    Located::at(&file.name, line, 0, message)
}

/// Loads a CSV entity set (all its pages): one record per line, empty cells null.
fn load_csv_set<'a>(input: &'a Input, name: &str) -> Result<Option<EntitySet<'a>>, Located> {
    let files = odata::entity_files(input, name, "csv")?;
    let Some(&first) = files.first() else { return Ok(None) };
    let mut records = Vec::new();
    for file in files {
        let text = file.text()?;
        let mut reader = csv_reader(text);
        let header: Rc<[String]> =
            reader.headers().map_err(|e| csv_error(file, &e))?.iter().map(str::to_string).collect();
        for row in reader.records() {
            let row = row.map_err(|e| csv_error(file, &e))?;
            let line = row.position().map_or(0, |p| p.line());
            let fields = header.iter().zip(row.iter()).map(|(h, v)| (h.clone(), Scalar::from_csv(v))).collect();
            records.push(Record { file, at: RecordAt::Csv { line, header: header.clone() }, fields });
        }
    }
    Ok(Some(EntitySet { file: first, records }))
}

/// Feeds the rows of a cbsodataR data file to the converter.
fn read_csv_rows(file: &SourceFile, conv: &mut Converter<'_>) -> Result<(), Located> {
    let text = file.text()?;
    let mut reader = csv_reader(text);
    let header = reader.headers().map_err(|e| csv_error(file, &e))?.clone();
    // For each CSV column, the converter column it feeds.
    let targets: Vec<Option<usize>> = header.iter().map(|h| conv.columns.iter().position(|c| c == h.trim())).collect();
    // A dimension missing from the header would fail every row; say it once, at the header.
    for (i, column) in conv.columns.iter().enumerate().take(conv.dimension_count()) {
        if !targets.contains(&Some(i)) {
            return Err(Located::at(
                &file.name,
                1,
                0,
                format!(
                    "the header has no column {column} (a dimension of the table); it has: {}",
                    header.iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    let mut row = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(file, &e)),
        }
        let mut cells: Vec<Option<Cell<'_>>> = vec![None; conv.columns.len()];
        for (value, target) in row.iter().zip(&targets) {
            if let Some(c) = target {
                cells[*c] = Some(if value.is_empty() { Cell::Null } else { Cell::Text(Cow::Borrowed(value)) });
            }
        }
        if let Err(e) = conv.row(&cells) {
            let line = row.position().map_or(0, |p| p.line());
            let column =
                e.field.as_deref().and_then(|f| header.iter().position(|h| h.trim() == f)).map_or(0, |i| i as u64 + 1);
            return Err(Located::at(&file.name, line, column, e.message));
        }
    }
    Ok(())
}
