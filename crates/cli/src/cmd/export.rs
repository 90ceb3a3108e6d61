//! `wijkmonitor export`: write figures to stdout.
//!
//! - Observations (what was imported), in the canonical long format `region,period,variable,value,status` or
//!   as JSON with the import of every figure: for a region code (`--region GM0363`), for the buurten of an area
//!   (`--region den-haag-zuidwest --buurten`), or for everything.
//! - Computed indicators (after `wijkmonitor compute`, after disclosure control): for an area
//!   (`--region den-haag-zuidwest`), with the comparison columns; or for any target with `--computed`. Every
//!   figure names where it comes from (column `source`): the imports it was computed from, by name, with
//!   `[SYNTHETIC]` for generated figures. These include the areas' own figures (accepted request answers,
//!   register figures), which an area's row names for that area only.

use crate::common::{load_areas, open_existing_store, DEFAULT_DB};
use anyhow::Result;
use serde_json::json;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use wijkmonitor_model::comparison::Comparison;
use wijkmonitor_model::observation::format_number;
use wijkmonitor_model::target::TargetKind;
use wijkmonitor_model::{Catalogue, Observation, Period, RegionCode};
use wijkmonitor_readmodel::provenance::Attribution;
use wijkmonitor_store::{ImportRecord, ObservationFilter, Store};

#[derive(clap::Args)]
pub struct Args {
    /// The database file.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// A region code (NL00, GM0363, WK036300, BU03630000), a focus-area id (den-haag-zuidwest), `rest:<area id>`
    /// or `focusgebieden` (all areas together).
    #[arg(long)]
    pub region: Option<String>,
    /// A period (2019, 2019JJ00).
    #[arg(long, value_parser = crate::cmd::import::parse_period)]
    pub period: Option<Period>,
    /// An indicator id; for observations also a variable id (an indicator selects the variables it reads).
    #[arg(long)]
    pub indicator: Option<String>,
    /// Output format: csv or json (json adds the source of every figure).
    #[arg(long, default_value = "csv", value_parser = ["csv", "json"])]
    pub format: String,
    /// Export computed indicators (after `wijkmonitor compute`) rather than imported observations.
    /// Implied for area ids.
    #[arg(long)]
    pub computed: bool,
    /// With an area id: export the imported observations of the area's buurten instead of computed figures.
    #[arg(long)]
    pub buurten: bool,
    /// The delineation used to resolve an area id with --buurten; the built-in indicative one when not given.
    #[arg(long)]
    pub areas: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let store = open_existing_store(&args.db)?;
    let catalogue = Catalogue::builtin();
    let region_code = args.region.as_deref().map(RegionCode::parse);
    let is_code = matches!(region_code, Some(Ok(_)));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.computed || (args.region.is_some() && !is_code && !args.buurten) {
        export_computed(&store, &catalogue, &args, &mut out)?;
    } else {
        export_observations(&store, &catalogue, &args, &mut out)?;
    }
    out.flush()?;
    Ok(())
}

fn export_observations(store: &Store, catalogue: &Catalogue, args: &Args, out: &mut impl Write) -> Result<()> {
    let mut filter = ObservationFilter::default();
    if let Some(region) = &args.region {
        filter.regions = match RegionCode::parse(region) {
            Ok(code) => vec![code],
            Err(code_error) => {
                let areas = load_areas(args.areas.as_ref())?;
                match areas.get(region) {
                    Some(area) => area.buurten.clone(),
                    None => anyhow::bail!(
                        "'{region}' is neither a region code ({code_error}) nor an area id in {}",
                        areas.source
                    ),
                }
            }
        };
    }
    if let Some(period) = args.period {
        filter.periods = vec![period];
    }
    if let Some(id) = &args.indicator {
        filter.variables = match (catalogue.indicator(id), catalogue.variable(id)) {
            (Some(indicator), _) => indicator.aggregation.variables().into_iter().map(str::to_string).collect(),
            (None, Some(variable)) => vec![variable.id.clone()],
            (None, None) => anyhow::bail!(
                "'{id}' is neither an indicator nor a variable of the catalogue (see `wijkmonitor indicators`)"
            ),
        };
    }
    let rows = store.observations(&filter)?;
    if args.format == "json" {
        let imports: HashMap<i64, _> = store.imports()?.into_iter().map(|i| (i.id, i)).collect();
        let items: Vec<_> = rows
            .iter()
            .map(|r| {
                let o = &r.observation;
                let source = imports.get(&r.import_id);
                json!({
                    "region": o.region.as_str(),
                    "period": o.period.to_string(),
                    "variable": o.variable,
                    "value": o.value.number(),
                    "status": o.value.status().as_str(),
                    "source": {
                        "import_id": r.import_id,
                        "file": source.map(|s| s.source_name.clone()),
                        "sha256": source.map(|s| s.sha256.clone()),
                        "table": source.and_then(|s| s.source_table.clone()),
                        "classification_year": r.classification_year,
                        "synthetic": source.map(|s| s.synthetic),
                    }
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &items)?;
        writeln!(out)?;
    } else {
        let observations: Vec<Observation> = rows.into_iter().map(|r| r.observation).collect();
        let mut text = String::new();
        wijkmonitor_import::long::write_csv(&observations, &mut text);
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}

/// Computed figures are ratios; twelve significant decimals are more than any source has and keep files stable.
fn format_number_rounded(x: f64) -> String {
    format_number((x * 1e12).round() / 1e12)
}

fn opt(x: Option<f64>) -> String {
    x.map(format_number_rounded).unwrap_or_default()
}

fn comparison_fields(c: Option<&Comparison>) -> Vec<String> {
    Comparison::csv_fields(c, format_number_rounded)
}

fn export_computed(store: &Store, catalogue: &Catalogue, args: &Args, out: &mut impl Write) -> Result<()> {
    let Some(run) = store.compute_run()? else {
        anyhow::bail!("{} holds no computed figures yet: run `wijkmonitor compute --db {0}` first", args.db.display());
    };
    let targets = store.computed_targets()?;
    let targets_by_id: HashMap<&str, _> = targets.iter().map(|t| (t.id.as_str(), t)).collect();
    let target_ids: Vec<String> = match &args.region {
        Some(region) => {
            let id = match RegionCode::parse(region) {
                Ok(code) => code.to_string(),
                Err(_) => region.clone(),
            };
            if !targets_by_id.contains_key(id.as_str()) {
                let areas: Vec<&str> =
                    targets.iter().filter(|t| t.kind == TargetKind::Area).map(|t| t.id.as_str()).collect();
                anyhow::bail!("no computed figures for '{region}'; areas: {}", areas.join(", "));
            }
            vec![id]
        }
        None => Vec::new(),
    };
    let indicators: Vec<String> = match &args.indicator {
        Some(id) if catalogue.indicator(id).is_some() => vec![id.clone()],
        Some(id) => anyhow::bail!("'{id}' is not an indicator of the catalogue (see `wijkmonitor indicators`)"),
        None => Vec::new(),
    };
    let periods: Vec<Period> = args.period.into_iter().collect();
    let figures = store.computed(&target_ids, &periods, &indicators)?;
    // Comparisons exist for areas only.
    let mut comparisons: HashMap<(String, String, String), Comparison> = HashMap::new();
    let area_ids: Vec<&str> = match &args.region {
        Some(_) => target_ids
            .iter()
            .map(String::as_str)
            .filter(|id| targets_by_id.get(id).is_some_and(|t| t.kind == TargetKind::Area))
            .collect(),
        None => targets.iter().filter(|t| t.kind == TargetKind::Area).map(|t| t.id.as_str()).collect(),
    };
    for area in area_ids {
        for c in store.comparisons(area, &periods, &indicators)? {
            comparisons.insert((c.area.clone(), c.period.clone(), c.indicator.clone()), c);
        }
    }
    let sources: HashMap<(String, String), Vec<i64>> =
        store.computed_sources()?.into_iter().map(|s| ((s.indicator, s.period.to_string()), s.imports)).collect();
    let imports: HashMap<i64, ImportRecord> = store.imports()?.into_iter().map(|i| (i.id, i)).collect();
    let attribution = Attribution::load(store, catalogue)?;
    let figure_imports = |f: &wijkmonitor_store::ComputedFigure| -> Vec<i64> {
        let all = sources.get(&(f.indicator.clone(), f.period.to_string())).cloned().unwrap_or_default();
        let kind = targets_by_id.get(f.target.as_str()).map_or(TargetKind::Buurt, |t| t.kind);
        attribution.figure_imports(&all, &f.target, kind, &f.indicator)
    };
    let label = |id: &i64| match imports.get(id) {
        Some(i) => format!("{} (import {id}){}", i.source_name, if i.synthetic { " [SYNTHETIC]" } else { "" }),
        None => format!("import {id}"),
    };
    let key = |f: &wijkmonitor_store::ComputedFigure| (f.target.clone(), f.period.to_string(), f.indicator.clone());
    if args.format == "json" {
        let items: Vec<_> = figures
            .iter()
            .map(|f| {
                let c = comparisons.get(&key(f));
                let own = figure_imports(f);
                let all_imports: Option<String> = sources
                    .get(&(f.indicator.clone(), f.period.to_string()))
                    .map(|ids| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","));
                let mut item = json!({
                    "region": f.target,
                    "period": f.period.to_string(),
                    "indicator": f.indicator,
                    "value": f.value.number(),
                    "status": f.value.status().as_str(),
                    "coverage": f.coverage,
                    "reason": f.reason,
                    "source": {
                        "imports": all_imports, "compute_run": run.id, "areas": run.areas_source,
                        "areas_indicative": run.areas_indicative,
                        "figure_imports": own, "labels": own.iter().map(label).collect::<Vec<_>>(),
                    },
                });
                if let (Some(c), Some(map)) = (c, item.as_object_mut()) {
                    map.insert("comparison".into(), serde_json::json!(c));
                }
                item
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &items)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "region,period,indicator,value,status,coverage,reason,{},source",
            Comparison::CSV_COLUMNS.join(",")
        )?;
        for f in &figures {
            let fields = comparison_fields(comparisons.get(&key(f)));
            let source: Vec<String> = figure_imports(f).iter().map(label).collect();
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{}",
                crate::cmd::indicators::csv_field(&f.target),
                f.period,
                f.indicator,
                opt(f.value.number()),
                f.value.status().as_str(),
                // Coverage is computed in single precision: six decimals are all it has.
                format_number((f.coverage * 1e6).round() / 1e6),
                f.reason,
                fields.join(","),
                crate::cmd::indicators::csv_field(&source.join("; "))
            )?;
        }
    }
    Ok(())
}
