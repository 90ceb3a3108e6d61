//! Recognising the format of an input from its content, so that `wijkmonitor import FILE` works without
//! `--format` for every source whose shape says what it is.
//!
//! - a folder with `DataProperties.json` is OData JSON, one with `DataProperties.csv` cbsodataR CSV;
//! - a file whose header starts `bu_code,`, `wk_code,` or `gm_code,` and has `lbm` is a Leefbaarometer file;
//! - the header `region,period,variable,value,status` is the long CSV;
//! - a header with `Regioaanduiding.Codering..code.` or `Wijken.en.buurten` is a KWB CSV (R `write.csv`);
//! - a workbook (`.xlsx`, `.xls`) is the Kerncijfers wijken en buurten spreadsheet;
//! - semicolon-separated rows under a title line, or above a `Bron:` footer, or under one header row of
//!   `Theme/Topic (unit)` labels (the current download, with neither), are a StatLine web export.
//!
//! A wide CSV looks like any other CSV and needs a mapping anyway, so it is never detected: the error for an
//! unrecognised file says to use `--format wide-csv --mapping FILE`. Only the first lines (and the last,
//! for a StatLine footer) are looked at; the reader checks the rest.

use crate::long::HEADER as LONG_HEADER;
use crate::{Format, Input};
use wijkmonitor_model::Located;

/// Recognises the format of an input.
pub fn detect(input: &Input) -> Result<Format, Located> {
    let file = match input {
        Input::Folder { name, .. } => {
            if input.file_named("DataProperties.json").is_some() {
                return Ok(Format::OdataJson);
            }
            if input.file_named("DataProperties.csv").is_some() {
                return Ok(Format::OdataCsv);
            }
            return Err(Located::at(
                name,
                0,
                0,
                "this folder has no DataProperties.json or DataProperties.csv, so it is not a CBS OData table; \
                 to import a file, name the file instead of the folder",
            ));
        }
        Input::File(f) => f,
    };
    // The only workbook wijkmonitor reads is the Kerncijfers spreadsheet; its reader says so if it is another.
    if crate::kwb_sheet::is_workbook(&file.bytes) {
        return Ok(Format::KwbSheet);
    }
    let text = file.text()?;
    if text.trim().is_empty() {
        return Err(Located::at(&file.name, 0, 0, "the file is empty"));
    }
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).filter(|l| !l.trim().is_empty()).collect();
    let first = lines.first().copied().unwrap_or_default();
    let first_line = text.lines().position(|l| !l.trim().is_empty()).map_or(1, |i| i as u64 + 1);
    let trimmed = first.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return Err(Located::at(
            &file.name,
            first_line,
            0,
            "this looks like JSON: CBS OData entity sets are read as a folder holding DataProperties.json, \
             TypedDataSet.json and the code lists; name that folder",
        ));
    }
    let fields: Vec<&str> = first.split(',').map(|f| f.trim().trim_matches('"')).collect();
    if fields.first().is_some_and(|f| crate::leefbaarometer::is_code_column(f)) && fields.contains(&"lbm") {
        return Ok(Format::Leefbaarometer);
    }
    if fields == LONG_HEADER {
        return Ok(Format::LongCsv);
    }
    if first.contains("Regioaanduiding.Codering..code.") || fields.contains(&"Wijken.en.buurten") {
        return Ok(Format::KwbCsv);
    }
    let semicolon_rows = lines.iter().any(|l| l.contains(';'));
    // A title line is one cell: quoted, or at least without separators (a comma CSV header has commas).
    let t = first.trim();
    let title_line = !t.contains(';') && ((t.len() > 1 && t.starts_with('"') && t.ends_with('"')) || !t.contains(','));
    let footer = lines.last().is_some_and(|l| {
        let l = l.trim().trim_start_matches('"').trim_start();
        l.starts_with("Bron:") || l.starts_with("Bron :") || l.starts_with("Source:")
    });
    // The current StatLine download: no title, no footer, one header row of `Theme/Topic (unit)` labels after the
    // dimension columns (`"Wijken en buurten";"Bevolking/Aantal inwoners (aantal)";...`).
    let labels = first.split(';').map(|c| c.trim().trim_matches('"').trim()).collect::<Vec<_>>();
    let topic_labels = labels.iter().filter(|c| c.contains('/') && c.ends_with(')') && c.contains(" (")).count();
    // A row that opens with a dimension label ("Wijken en buurten", "Regio's", "Perioden", "Regions") among the
    // first lines: every StatLine view has one, pivoted views (periods in the columns, no topic labels) too.
    let dimension_row = lines.iter().take(12).any(|l| {
        let mut cells = l.split(';').map(|c| c.trim().trim_matches('"').trim());
        cells.next().is_some_and(crate::statline::is_dimension_label) && cells.next().is_some()
    });
    if semicolon_rows && (title_line || footer || topic_labels >= 2 || dimension_row) {
        return Ok(Format::StatlineCsv);
    }
    if let Some(reason) = no_figures(&lines) {
        return Err(Located::at(&file.name, first_line, 0, reason));
    }
    Err(Located::at(
        &file.name,
        first_line,
        0,
        "the format could not be recognised from the content. wijkmonitor recognises: kwb-csv (a header with \
         Regioaanduiding.Codering..code.), statline-csv (a StatLine export: semicolons, and title lines, a 'Bron:' \
         footer or 'Theme/Topic (unit)' column labels), leefbaarometer (header bu_code,versie,jaar,bu_naam,lbm,... or wk_code,wk_naam,jaar,lbm,...), long-csv (header \
         region,period,variable,value,status), and odata-json / odata-csv folders. For a CSV with one column per \
         variable, use --format wide-csv --mapping FILE",
    ))
}

/// Why a CSV that no reader recognises holds nothing to import, where its content says so: postcode areas
/// (PC4) instead of CBS regions, or only codes and names (a code list, a delineation).
fn no_figures(lines: &[&str]) -> Option<String> {
    let delimiter = if lines.first()?.contains(';') { ';' } else { ',' };
    let cells = |l: &str| -> Vec<String> {
        l.split(delimiter).map(|c| c.trim().trim_matches('"').trim().to_string()).collect()
    };
    let header = cells(lines.first()?);
    let rows: Vec<Vec<String>> = lines.iter().skip(1).take(50).map(|l| cells(l)).collect();
    if rows.is_empty() {
        return None;
    }
    let is_pc4 = |c: &str| c.len() == 4 && c.bytes().all(|b| b.is_ascii_digit());
    let postcode_header = header.first().is_some_and(|h| {
        let h = h.trim_start_matches('\u{feff}').to_lowercase();
        h.contains("postcode") || h == "pc4" || h == "code" || is_pc4(&h)
    });
    if postcode_header && rows.iter().all(|r| r.first().is_some_and(|c| is_pc4(c))) {
        return Some(
            "this file is keyed by 4-digit postcode areas (PC4), not by CBS regions; wijkmonitor reads figures per \
             buurt, wijk and gemeente, so PC4 figures need a table assigning postcodes to buurten first"
                .to_string(),
        );
    }
    let numeric = |c: &str| {
        let c = c.replace(',', ".");
        !c.is_empty() && c.parse::<f64>().is_ok() && !(c.len() > 1 && c.starts_with('0') && !c.starts_with("0."))
    };
    // Row numbers are no figures.
    let counter = |i: usize| matches!(header[i].to_lowercase().as_str(), "" | "nr" | "id" | "volgnummer");
    let any_figures = (0..header.len())
        .filter(|&i| !counter(i))
        .any(|i| rows.iter().filter(|r| r.get(i).is_some_and(|c| numeric(c))).count() * 2 > rows.len());
    let has_codes = rows.iter().flatten().any(|c| wijkmonitor_model::RegionCode::parse(c).is_ok());
    (!any_figures && has_codes).then(|| {
        format!(
            "this file holds region codes and names but no figures (columns: {}): a code list or a delineation, \
             not a source of figures; a delineation is given with --areas",
            header.join(", ")
        )
    })
}
