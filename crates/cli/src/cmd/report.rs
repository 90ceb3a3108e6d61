//! `wijkmonitor report`: the per-area analysis report and the national progress report, as PDF or as one
//! self-contained HTML file. Reports show only figures that passed disclosure control (the computed figures).

use crate::common::{load_areas, open_existing_store, write_atomically, DEFAULT_DB};
use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::time::Instant;
use wijkmonitor_model::{FocusAreaSet, BUILTIN_AREAS_NAME};
use wijkmonitor_readmodel::Snapshot;
use wijkmonitor_report::{area_report, national_report, render_document, Lang, ReportFormat};

#[derive(clap::Args)]
pub struct Args {
    /// Which report: `area` (one focus area), `national` (all areas together) or `all` (every area report
    /// plus the national report, into --dir).
    #[arg(value_parser = ["area", "national", "all"])]
    pub kind: String,
    /// The database file (after `wijkmonitor compute`).
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// The focus area (for `area`), e.g. den-haag-zuidwest.
    #[arg(long)]
    pub area: Option<String>,
    /// The report year.
    #[arg(long)]
    pub year: i32,
    /// Output format.
    #[arg(long, default_value = "pdf", value_parser = ["pdf", "html"])]
    pub format: String,
    /// Language of the report.
    #[arg(long, default_value = "nl", value_parser = ["nl", "en"])]
    pub lang: String,
    /// The output file (for `area` and `national`).
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// The output folder (for `all`).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// The delineation the figures were computed with (lists each area's buurten); the built-in one when the
    /// computation used it.
    #[arg(long)]
    pub areas: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    let store = open_existing_store(&args.db)?;
    let run = store.compute_run()?;
    if run.is_none() {
        bail!("{} holds no computed figures: run `wijkmonitor compute --db {0}` first", args.db.display());
    }
    let areas: Option<FocusAreaSet> = match &args.areas {
        Some(path) => Some(load_areas(Some(path))?),
        None if run.as_ref().is_some_and(|r| r.areas_source == BUILTIN_AREAS_NAME) => Some(load_areas(None)?),
        None => None,
    };
    let snap = Snapshot::load(&store, areas.as_ref(), None).map_err(|e| anyhow::anyhow!("{e}"))?;
    let lang = Lang::parse(&args.lang).unwrap_or_default();
    let format = ReportFormat::parse(&args.format).unwrap_or(ReportFormat::Pdf);
    let ext = format.extension();
    let render = |doc: &wijkmonitor_pdf::Document| render_document(doc, format).map_err(|e| anyhow::anyhow!("{e}"));
    match args.kind.as_str() {
        "area" => {
            let Some(area) = &args.area else { bail!("`report area` needs --area (e.g. --area den-haag-zuidwest)") };
            let output = args.output.clone().unwrap_or_else(|| PathBuf::from(format!("{area}-{}.{ext}", args.year)));
            let doc = area_report(&snap, area, args.year, lang)?;
            write_atomically(&output, &render(&doc)?)?;
            println!("wrote {}", output.display());
        }
        "national" => {
            let output = args.output.clone().unwrap_or_else(|| PathBuf::from(format!("nationaal-{}.{ext}", args.year)));
            let doc = national_report(&snap, args.year, lang)?;
            write_atomically(&output, &render(&doc)?)?;
            println!("wrote {}", output.display());
        }
        _ => {
            let Some(dir) = &args.dir else { bail!("`report all` needs --dir FOLDER") };
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            let mut n = 0;
            for area in &snap.areas {
                let doc = area_report(&snap, &area.id, args.year, lang)?;
                write_atomically(&dir.join(format!("{}-{}.{ext}", area.id, args.year)), &render(&doc)?)?;
                n += 1;
            }
            let doc = national_report(&snap, args.year, lang)?;
            write_atomically(&dir.join(format!("nationaal-{}.{ext}", args.year)), &render(&doc)?)?;
            n += 1;
            println!("wrote {n} reports into {} in {:.2} s", dir.display(), started.elapsed().as_secs_f64());
        }
    }
    Ok(())
}
