//! `wijkmonitor backup` while the workspace writes, and `wijkmonitor restore`: the backup is a consistent
//! database (integrity, schema version, audit chain, whole imports) taken in the middle of a stream of audited
//! writes, the restore puts it back only after the same checks, and a damaged backup is refused without touching
//! the target.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use support::{fails, ok};
use wijkmonitor_store::audit::{AuditEntry, ChainCheck};
use wijkmonitor_store::Store;

#[test]
fn a_backup_taken_during_writes_restores_to_a_database_that_passes_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    ok(&["demo", "--db", db.to_str().unwrap()]);

    // A writer that keeps appending audited rows (as the workspace does for every change) during the backups.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (db, stop) = (db.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut store = Store::open(&db).unwrap();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                store
                    .append_audit(&AuditEntry {
                        at: "2026-05-01T12:00:00Z".into(),
                        actor: "test".into(),
                        action: "answer_change".into(),
                        area: Some("den-haag-zuidwest".into()),
                        year: Some(2025),
                        item: Some("vve_children_indicated".into()),
                        new_value: Some(n.to_string()),
                        ..Default::default()
                    })
                    .unwrap();
                n += 1;
            }
            n
        })
    };
    let mut backups = Vec::new();
    for k in 0..3 {
        let to = dir.path().join(format!("backup-{k}.db"));
        let out = ok(&["backup", "--db", db.to_str().unwrap(), "--to", to.to_str().unwrap()]);
        assert!(out.contains("integrity ok") && out.contains("audit chain intact"), "{out}");
        backups.push(to);
    }
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(written > 0, "the writer ran during the backups");

    // Restore the last backup into a new place and check it independently.
    let restored = dir.path().join("restored.db");
    let out = ok(&["restore", "--from", backups[2].to_str().unwrap(), "--db", restored.to_str().unwrap()]);
    assert!(out.contains("restored"), "{out}");
    let store = Store::open(&restored).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    assert!(matches!(store.verify_audit_chain().unwrap(), ChainCheck::Intact(n) if n > 0));
    assert!(store.incomplete_imports().unwrap().is_empty());
    assert!(store.compute_run().unwrap().is_some(), "the published figures came along");

    // An existing database is only replaced with --force; a damaged backup is refused and the target left alone.
    assert!(fails(&["restore", "--from", backups[0].to_str().unwrap(), "--db", restored.to_str().unwrap()])
        .contains("--force"));
    let damaged = dir.path().join("damaged.db");
    std::fs::copy(&backups[1], &damaged).unwrap();
    {
        let conn = rusqlite::Connection::open(&damaged).unwrap();
        conn.execute_batch(
            "DROP TRIGGER audit_log_is_append_only_update; UPDATE audit_log SET detail = 'changed' WHERE id = 1;",
        )
        .unwrap();
    }
    let before = std::fs::read(&restored).unwrap();
    let err = fails(&["restore", "--from", damaged.to_str().unwrap(), "--db", restored.to_str().unwrap(), "--force"]);
    assert!(err.contains("audit chain breaks at row 1"), "{err}");
    assert_eq!(std::fs::read(&restored).unwrap(), before, "the target is untouched");
    assert!(fails(&["backup", "--db", db.to_str().unwrap(), "--to", backups[0].to_str().unwrap()])
        .contains("exists already"));
}
