//! End-to-end test of `wijkmonitor register`: the built-in seed loaded into a database (as `wijkmonitor demo`
//! does) and printed per area with its sources, computed payments and flags.

mod support;

use support::wijkmonitor;
use wijkmonitor_pipeline::register::load_builtin_seed;
use wijkmonitor_store::Store;

#[test]
fn the_register_prints_figures_with_sources_payments_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    let mut store = Store::open(&path).unwrap();
    let n = load_builtin_seed(&mut store, "2026-05-01T12:00:00Z").unwrap();
    // Loading twice replaces rather than duplicates.
    assert_eq!(load_builtin_seed(&mut store, "2026-05-01T12:00:00Z").unwrap(), n);
    assert_eq!(store.register_entries(None).unwrap().len(), n);
    drop(store);
    let db = path.to_str().unwrap();

    let out = wijkmonitor(&["register", "--db", db, "--area", "heerlen-noord"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "Heerlen-Noord (heerlen-noord)",
        "planned construction starts 2025-2029: 2,352",
        "affordable, segment not specified: 1,775",
        "above-plan budget: EUR 10,000,000; execution capacity: EUR 4,300,000",
        "dwellings requested 1,122, granted 645",
        "477 not granted",
        "source: Volkshuisvestingsfonds tranche 3, Heerlen-Noord, parliamentary record September 2025",
    ] {
        assert!(text.contains(expected), "missing '{expected}' in:\n{text}");
    }
    assert!(!text.contains("Utrecht") && !text.contains("SYNTHETIC"), "{text}");

    let all = String::from_utf8(wijkmonitor(&["register", "--db", db]).stdout).unwrap();
    for expected in [
        "EUR 840,000 paid in 2026",
        "no payment (start year outside the scheme's window)",
        "[FLAG: below the minimum co-financing share]",
        "[FLAG: below the 30% aim [unconfirmed]]",
        "lapsed EUR 200,000",
        "area Poelenburg and Peldersveld, start 2018, end unknown",
        "[SYNTHETIC]",
        "of the national 40,000 + 10,000",
    ] {
        assert!(all.contains(expected), "missing '{expected}' in:\n{all}");
    }

    let out = wijkmonitor(&["register", "--db", db, "--area", "nowhere"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no register entries for area 'nowhere'"));
}
