//! The Excel download: one sheet per action line (long format, like the CSV), a sheet with the definitions
//! and sources of every indicator, and a sheet with the provenance (compute run and imports).

use crate::viewmodel::CSV_HEADER;
use crate::views::downloads::published_targets;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};
use std::collections::BTreeSet;
use wijkmonitor_model::catalogue::ActionLine;
use wijkmonitor_readmodel::snapshot::Snapshot;

pub fn workbook(snap: &Snapshot) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // The workbook says it was made when its figures were computed, not when it was rendered, so the same
    // publication gives the same bytes (a static release is byte-identical on a rerun; ETags stay stable).
    if let Some(created) = snap.run.as_ref().and_then(|r| creation_time(&r.computed_at)) {
        wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    }
    let bold = Format::new().set_bold();
    let targets = published_targets(snap);
    for line in ActionLine::ALL {
        let ws = wb.add_worksheet();
        ws.set_name(line.name_nl())?;
        for (c, h) in CSV_HEADER.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        let mut row = 1u32;
        for ind in snap.catalogue.indicators.iter().filter(|i| i.action_line == line) {
            for t in &targets {
                let Some(series) = snap.series(t, &ind.id) else { continue };
                for (p, f) in series.iter().enumerate() {
                    let Some(f) = f else { continue };
                    let imports = snap.figure_imports(t, &ind.id, p);
                    let tables: BTreeSet<String> =
                        imports.iter().filter_map(|i| snap.imports.get(i)?.source_table.clone()).collect();
                    let years: BTreeSet<String> = imports
                        .iter()
                        .filter_map(|i| snap.imports.get(i)?.classification_year.map(|y| y.to_string()))
                        .collect();
                    ws.write_string(row, 0, t)?;
                    ws.write_string(row, 1, snap.target_name(t))?;
                    ws.write_string(row, 2, snap.target_kind(t).as_str())?;
                    ws.write_string(row, 3, snap.periods[p].to_string())?;
                    ws.write_string(row, 4, &ind.id)?;
                    if let Some(v) = f.value {
                        ws.write_number(row, 5, v)?;
                    }
                    ws.write_string(row, 6, f.status.as_str())?;
                    ws.write_string(row, 7, f.reason.as_deref().unwrap_or(""))?;
                    ws.write_number(row, 8, f.coverage)?;
                    ws.write_string(row, 9, &ind.unit)?;
                    if let Some(run) = &snap.run {
                        ws.write_number(row, 10, run.id as f64)?;
                    }
                    ws.write_string(row, 11, imports.iter().map(i64::to_string).collect::<Vec<_>>().join(";"))?;
                    ws.write_string(row, 12, tables.into_iter().collect::<Vec<_>>().join(";"))?;
                    ws.write_string(row, 13, years.into_iter().collect::<Vec<_>>().join(";"))?;
                    row += 1;
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("Definities en bronnen")?;
    let header = [
        "indicator",
        "name_nl",
        "name_en",
        "definition_nl",
        "definition_en",
        "unit",
        "action_line",
        "tier",
        "direction",
        "aggregation",
        "disclosure_rule",
        "disclosure_nl",
        "source",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, ind) in snap.catalogue.indicators.iter().enumerate() {
        let r = r as u32 + 1;
        let rule = snap.rules.get(&ind.disclosure).map(|r| r.description_nl.clone()).unwrap_or_default();
        let cells = [
            ind.id.clone(),
            ind.name_nl.clone(),
            ind.name_en.clone(),
            ind.definition_nl.clone(),
            ind.definition_en.clone(),
            ind.unit.clone(),
            ind.action_line.as_str().to_string(),
            ind.tier.as_str().to_string(),
            ind.direction.as_str().to_string(),
            ind.aggregation.method().to_string(),
            ind.disclosure.clone(),
            rule,
            ind.source.clone(),
        ];
        for (c, text) in cells.iter().enumerate() {
            ws.write_string(r, c as u16, text)?;
        }
    }
    let n = snap.catalogue.indicators.len() as u32 + 2;
    ws.write_string_with_format(n, 0, "Bronvermelding", &bold)?;
    for (k, a) in crate::viewmodel::ATTRIBUTION.iter().enumerate() {
        ws.write_string(n + 1 + k as u32, 0, *a)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("Herkomst")?;
    let header = [
        "import",
        "source_name",
        "sha256",
        "format",
        "source_table",
        "classification_year",
        "imported_at",
        "synthetic",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, i) in snap.imports.values().enumerate() {
        let r = r as u32 + 1;
        ws.write_number(r, 0, i.id as f64)?;
        ws.write_string(r, 1, &i.source_name)?;
        ws.write_string(r, 2, &i.sha256)?;
        ws.write_string(r, 3, &i.format)?;
        ws.write_string(r, 4, i.source_table.as_deref().unwrap_or(""))?;
        if let Some(y) = i.classification_year {
            ws.write_number(r, 5, f64::from(y))?;
        }
        ws.write_string(r, 6, &i.imported_at)?;
        ws.write_boolean(r, 7, i.synthetic)?;
    }
    if let Some(run) = &snap.run {
        let r = snap.imports.len() as u32 + 2;
        ws.write_string_with_format(r, 0, "compute_run", &bold)?;
        ws.write_number(r, 1, run.id as f64)?;
        ws.write_string(r, 2, &run.computed_at)?;
        ws.write_string(r, 3, &run.parameters_sha256)?;
        ws.write_string(r, 4, &run.areas_source)?;
    }
    wb.save_to_buffer()
}

/// `2026-05-01T12:00:00Z` as a date and time for the workbook's properties.
fn creation_time(rfc3339: &str) -> Option<ExcelDateTime> {
    let date = rfc3339.get(..10)?;
    let time = rfc3339.get(11..19).unwrap_or("00:00:00");
    ExcelDateTime::parse_from_str(&format!("{date}T{time}")).ok()
}
