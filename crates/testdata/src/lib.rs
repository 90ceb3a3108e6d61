//! Test support shared by the integration tests of every crate: where the real public data lives.
//!
//! The project never copies real data files into the repository; tests read them from `../shared/data` next to
//! the project (or from `WIJKMONITOR_SHARED_DATA`), and skip the parts that need them, saying so, when absent.

use std::path::{Path, PathBuf};

/// The folder with the shared real data, or `None` after printing why the calling test is skipped.
pub fn shared_data() -> Option<PathBuf> {
    let dir = match std::env::var_os("WIJKMONITOR_SHARED_DATA") {
        Some(d) => PathBuf::from(d),
        // CARGO_MANIFEST_DIR of this crate is <project>/crates/testdata.
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipping: ../shared/data not found (set WIJKMONITOR_SHARED_DATA)");
        None
    }
}
