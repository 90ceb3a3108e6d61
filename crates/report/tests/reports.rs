//! Reports on the demo database: HTML snapshots of an area report and the national report, determinism, and
//! PDF checks with poppler's pdftotext and pdfinfo (skipped, saying so, where they are not installed).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use wijkmonitor_model::area::parse_areas_csv;
use wijkmonitor_model::{BUILTIN_AREAS, BUILTIN_AREAS_NAME};
use wijkmonitor_readmodel::Snapshot;
use wijkmonitor_report::{area_report, html, national_report, Lang};
use wijkmonitor_store::Store;

/// The demo database, built once for all tests of this binary.
fn demo_db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        // Cargo's scratch folder for integration tests (inside target/), reused and overwritten on every run.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-tests");
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("demo.db");
        let areas = parse_areas_csv(BUILTIN_AREAS, BUILTIN_AREAS_NAME, true).unwrap();
        let source = wijkmonitor_pipeline::demo::Source::Synthetic;
        wijkmonitor_pipeline::demo::build_demo_database(&db, source, &areas, "2026-05-01T12:00:00Z", &|_| {}).unwrap();
        db
    })
}

fn snapshot() -> Snapshot {
    let store = Store::open(demo_db()).unwrap();
    let areas = parse_areas_csv(BUILTIN_AREAS, BUILTIN_AREAS_NAME, true).unwrap();
    Snapshot::load(&store, Some(&areas), None).unwrap()
}

fn check_snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(name);
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_SNAPSHOTS=1 to create it)", path.display()));
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{name} differs from its snapshot at line {} (UPDATE_SNAPSHOTS=1 after an intended change):\n- {}\n+ {}",
            line + 1,
            expected.lines().nth(line).unwrap_or(""),
            actual.lines().nth(line).unwrap_or("")
        );
    }
}

#[test]
fn html_reports_match_their_snapshots_and_are_deterministic() {
    let snap = snapshot();
    let area = html::render(&area_report(&snap, "den-haag-zuidwest", 2024, Lang::Nl).unwrap());
    assert_eq!(area, html::render(&area_report(&snapshot(), "den-haag-zuidwest", 2024, Lang::Nl).unwrap()));
    assert!(area.starts_with("<!DOCTYPE html>") && !area.contains("<script") && !area.contains("src=\"http"));
    assert!(area.contains("SYNTHETISCHE DEMODATA"));
    check_snapshot("den-haag-zuidwest-2024.html", &area);
    let national = html::render(&national_report(&snap, 2024, Lang::En).unwrap());
    assert!(national.contains("All focus areas together"));
    check_snapshot("national-2024-en.html", &national);
}

#[test]
fn reports_show_only_disclosure_controlled_figures() {
    let snap = snapshot();
    // Pick an area figure that disclosure control withheld, and check the report says so instead of a number.
    let area = "den-haag-zuidwest";
    let doc = area_report(&snap, area, 2024, Lang::Nl).unwrap();
    let text = html::render(&doc);
    let secret = snap.catalogue.indicators.iter().find_map(|i| {
        snap.fig(area, &i.id, snap.periods.len() - 2)
            .filter(|f| f.status == wijkmonitor_model::Status::Secret)
            .map(|_| i)
    });
    if let Some(ind) = secret {
        assert!(text.contains("geheim"), "{} is secret but the report does not say so", ind.id);
    }
    assert!(area_report(&snap, "no-such-area", 2024, Lang::Nl)
        .unwrap_err()
        .to_string()
        .contains("no area 'no-such-area'"));
    assert!(national_report(&snap, 1999, Lang::Nl).unwrap_err().to_string().contains("no figures for 1999"));
}

fn tool(name: &str) -> bool {
    let ok = Command::new(name).arg("-v").output().is_ok();
    if !ok {
        println!("skipping: {name} (poppler-utils) is not installed");
    }
    ok
}

#[test]
fn the_pdf_is_searchable_tagged_paged_and_has_a_table_of_contents() {
    let snap = snapshot();
    let doc = area_report(&snap, "den-haag-zuidwest", 2024, Lang::Nl).unwrap();
    let pdf = wijkmonitor_pdf::render(&doc).unwrap();
    assert_eq!(
        pdf,
        wijkmonitor_pdf::render(&area_report(&snap, "den-haag-zuidwest", 2024, Lang::Nl).unwrap()).unwrap()
    );
    if !tool("pdftotext") || !tool("pdfinfo") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let info = String::from_utf8(Command::new("pdfinfo").arg(&file).output().unwrap().stdout).unwrap();
    assert!(info.contains("Tagged:          yes"), "{info}");
    let pages: usize = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
    assert!(pages >= 8, "{pages} pages");
    let text =
        String::from_utf8(Command::new("pdftotext").args(["-layout"]).arg(&file).arg("-").output().unwrap().stdout)
            .unwrap();
    assert!(text.contains("Analyserapport Den Haag Zuidwest"), "title");
    assert!(
        text.contains("Inhoud") && text.contains("Samenvatting") && text.contains("Actielijn: Fysiek"),
        "table of contents"
    );
    assert!(text.contains(&format!("Pagina 2 van {pages}")), "page numbers");
    // A key figure: the area's inhabitants in 2024, as the dashboard has it, formatted the Dutch way.
    let p = snap.periods.iter().position(|p| p.to_string() == "2024").unwrap();
    let inhabitants = snap.fig("den-haag-zuidwest", "inhabitants", p).and_then(|f| f.value).unwrap();
    let shown = wijkmonitor_report::summary::format_value(inhabitants, 0, Lang::Nl);
    assert!(text.contains(&shown), "inhabitants {shown} not in the PDF text");
    // The table of contents names the page of the summary.
    let toc_line =
        text.lines().find(|l| l.contains("Samenvatting") && l.trim_end().ends_with(char::is_numeric)).unwrap();
    assert!(toc_line.trim_end().ends_with('3'), "{toc_line}");
}
