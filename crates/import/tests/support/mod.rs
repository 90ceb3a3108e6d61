//! Helpers shared by the integration tests: where the real data lives, loading files from it, building an
//! import context, and comparing against golden files.

#![allow(dead_code)]

use std::path::Path;
use wijkmonitor_import::{CodeLists, ImportContext, ImportOptions, SourceFile};
use wijkmonitor_model::{Catalogue, Observation};

pub use wijkmonitor_testdata::shared_data;

/// A file of the shared data, named as the user would name it; `None` (test skipped) without the data.
pub fn shared_file(relative: &str) -> Option<SourceFile> {
    let path = shared_data()?.join(relative);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(SourceFile::new(relative, bytes))
}

/// A file of this crate's test fixtures.
pub fn fixture(name: &str) -> SourceFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    SourceFile::new(name, bytes)
}

pub fn catalogue() -> Catalogue {
    Catalogue::builtin()
}

pub fn context<'a>(catalogue: &'a Catalogue, code_lists: &'a CodeLists, options: ImportOptions) -> ImportContext<'a> {
    ImportContext { catalogue, code_lists, options }
}

/// Compares text with `tests/golden/<name>`; with `UPDATE_GOLDEN=1` writes it instead.
pub fn check_golden(name: &str, actual: &str) {
    assert!(actual.len() < 50_000, "golden file {name} would be {} bytes; keep golden files small", actual.len());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1 to create it)", path.display()));
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).map_or_else(
            || {
                format!(
                    "the files differ in length ({} and {} lines)",
                    expected.lines().count(),
                    actual.lines().count()
                )
            },
            |i| {
                format!(
                    "first difference on line {}:\n  golden: {}\n  actual: {}",
                    i + 1,
                    expected.lines().nth(i).unwrap_or_default(),
                    actual.lines().nth(i).unwrap_or_default()
                )
            },
        );
        panic!("{} does not match ({line}); if the change is intended, rerun with UPDATE_GOLDEN=1", path.display());
    }
}

/// The observations of some regions, in file order.
pub fn subset(observations: &[Observation], codes: &[&str]) -> Vec<Observation> {
    observations.iter().filter(|o| codes.contains(&o.region.as_str())).cloned().collect()
}
