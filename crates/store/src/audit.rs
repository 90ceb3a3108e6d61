//! The audit log (migration 4): one row per change (who, when, what, the old and the new value). It is
//! append-only by construction: triggers refuse any UPDATE, DELETE or an INSERT that would replace a row, and
//! rows are only written inside the transaction of the change they describe, so a change without its row (or a
//! row without its change) cannot be.
//!
//! Since migration 5 the rows form a hash chain: each carries the SHA-256 of the row before it (`prev_hash`)
//! and of its own content together with that (`hash`). Someone who edits the file by other means than
//! wijkmonitor (and so past the triggers) breaks the chain at the first row they touch, and
//! [`Store::verify_audit_chain`] (`wijkmonitor audit verify`) names it.

use crate::{Result, Store};
use rusqlite::{params, OptionalExtension, Transaction};
use wijkmonitor_model::hash::sha256_hex;

/// One row of the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// Set by the database (0 for a row not yet written).
    pub id: i64,
    /// RFC 3339 UTC.
    pub at: String,
    /// Who: an account (`email (role)`) or `cli` for the command line.
    pub actor: String,
    /// What, e.g. `answer_change`, `submit`, `accept`, `publish`, `user_add`.
    pub action: String,
    pub area: Option<String>,
    pub year: Option<i32>,
    /// The request item (indicator id) or register figure changed, where one is.
    pub item: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub detail: String,
}

/// Which rows to read. Empty fields mean "all".
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub area: Option<String>,
    pub year: Option<i32>,
}

/// The hash of a row: SHA-256 over the previous row's hash and every field of this one, each written with its
/// length so that no two different rows read the same.
pub fn row_hash(prev_hash: &str, e: &AuditEntry) -> String {
    let mut text = String::new();
    let mut field = |value: Option<&str>| match value {
        Some(v) => {
            text.push_str(&v.len().to_string());
            text.push(':');
            text.push_str(v);
        }
        None => text.push('-'),
    };
    let (id, year) = (e.id.to_string(), e.year.map(|y| y.to_string()));
    for value in [
        Some(prev_hash),
        Some(id.as_str()),
        Some(e.at.as_str()),
        Some(e.actor.as_str()),
        Some(e.action.as_str()),
        e.area.as_deref(),
        year.as_deref(),
        e.item.as_deref(),
        e.old_value.as_deref(),
        e.new_value.as_deref(),
        Some(e.detail.as_str()),
    ] {
        field(value);
    }
    sha256_hex(text.as_bytes())
}

fn last_hash(tx: &Transaction<'_>) -> Result<(i64, String)> {
    Ok(tx
        .query_row("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, String::new())))
}

/// Writes one row inside the caller's transaction, chained to the row before it.
pub fn insert_audit(tx: &Transaction<'_>, e: &AuditEntry) -> Result<()> {
    let (last_id, prev_hash) = last_hash(tx)?;
    let row = AuditEntry { id: last_id + 1, ..e.clone() };
    let hash = row_hash(&prev_hash, &row);
    tx.execute(
        "INSERT INTO audit_log (id, at, actor, action, area, year, item, old_value, new_value, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            row.id,
            row.at,
            row.actor,
            row.action,
            row.area,
            row.year,
            row.item,
            row.old_value,
            row.new_value,
            row.detail,
            prev_hash,
            hash
        ],
    )?;
    Ok(())
}

/// Migration 5: chains the rows written before the chain existed, in the order they were written.
pub(crate) fn chain_existing_rows(tx: &Transaction<'_>) -> Result<()> {
    // The rows get their hashes once, here; the trigger that refuses updates is lifted for this step only.
    tx.execute_batch("DROP TRIGGER audit_log_is_append_only_update;")?;
    let rows = read_rows(tx, &AuditFilter::default())?;
    let mut prev = String::new();
    for row in rows {
        let hash = row_hash(&prev, &row);
        tx.execute("UPDATE audit_log SET prev_hash = ?2, hash = ?3 WHERE id = ?1", params![row.id, prev, hash])?;
        prev = hash;
    }
    tx.execute_batch(
        "CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    )?;
    Ok(())
}

fn read_rows(conn: &rusqlite::Connection, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, area, year, item, old_value, new_value, detail FROM audit_log
         WHERE (?1 IS NULL OR area = ?1) AND (?2 IS NULL OR year = ?2) ORDER BY id",
    )?;
    let rows = stmt.query_map(params![filter.area, filter.year], entry_of_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The outcome of checking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every row is in place: the number of rows.
    Intact(u64),
    /// The first row that does not fit the chain, and why.
    Broken { id: i64, reason: String },
}

impl Store {
    /// Appends one row on its own (for events that change nothing else, e.g. a publication).
    pub fn append_audit(&mut self, e: &AuditEntry) -> Result<()> {
        let tx = self.conn.transaction()?;
        insert_audit(&tx, e)?;
        tx.commit()?;
        Ok(())
    }

    /// The log in the order it was written.
    pub fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        read_rows(&self.conn, filter)
    }

    /// Walks the audit chain from the first row and names the first row that does not fit: a changed row
    /// (its hash does not match its content), a row taken out or put in (its `prev_hash` is not the hash of the
    /// row before it, or its id does not follow).
    pub fn verify_audit_chain(&self) -> Result<ChainCheck> {
        let mut stmt = self.conn.prepare(
            "SELECT id, at, actor, action, area, year, item, old_value, new_value, detail, prev_hash, hash
             FROM audit_log ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let (mut prev, mut expected_id, mut n) = (String::new(), 1i64, 0u64);
        while let Some(r) = rows.next()? {
            let e = entry_of_row(r)?;
            let (prev_hash, hash): (String, String) = (r.get(10)?, r.get(11)?);
            let broken = |reason: &str| Ok(ChainCheck::Broken { id: e.id, reason: reason.to_string() });
            if e.id != expected_id {
                return broken(&format!("row {expected_id} is missing (the next row is {})", e.id));
            }
            if prev_hash != prev {
                return broken("it does not follow the row before it (a row was taken out, put in or changed)");
            }
            if row_hash(&prev_hash, &e) != hash {
                return broken("its content does not match its hash (the row was changed)");
            }
            prev = hash;
            expected_id += 1;
            n += 1;
        }
        Ok(ChainCheck::Intact(n))
    }
}

/// An entry from a row whose first ten columns are `id, at, actor, action, area, year, item, old_value,
/// new_value, detail`.
fn entry_of_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        area: r.get(4)?,
        year: r.get(5)?,
        item: r.get(6)?,
        old_value: r.get(7)?,
        new_value: r.get(8)?,
        detail: r.get(9)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_cannot_be_changed_or_shortened() {
        let mut s = Store::open_in_memory().unwrap();
        s.append_audit(&AuditEntry {
            at: "t".into(),
            actor: "cli".into(),
            action: "publish".into(),
            ..Default::default()
        })
        .unwrap();
        assert!(s.conn.execute("UPDATE audit_log SET actor = 'someone else'", []).is_err());
        assert!(s.conn.execute("DELETE FROM audit_log", []).is_err());
        // A replacing insert deletes the old row without firing the DELETE trigger; it is refused on its own.
        let replace = "INSERT OR REPLACE INTO audit_log (id, at, actor, action) VALUES (1, 't', 'someone else', 'x')";
        assert!(s.conn.execute(replace, []).is_err());
        assert!(s
            .conn
            .execute("REPLACE INTO audit_log (id, at, actor, action) VALUES (1, 't', 'x', 'x')", [])
            .is_err());
        assert_eq!(s.audit_log(&AuditFilter::default()).unwrap()[0].actor, "cli");
    }

    fn entry(action: &str) -> AuditEntry {
        AuditEntry {
            at: "2026-05-01T10:00:00Z".into(),
            actor: "cli".into(),
            action: action.into(),
            ..Default::default()
        }
    }

    /// Edits made past wijkmonitor (with the triggers dropped, as anyone holding the file can) break the chain
    /// at the row they touch.
    #[test]
    fn the_chain_names_the_first_row_changed_or_taken_out() {
        let mut s = Store::open_in_memory().unwrap();
        for a in ["one", "two", "three", "four"] {
            s.append_audit(&entry(a)).unwrap();
        }
        assert_eq!(s.verify_audit_chain().unwrap(), ChainCheck::Intact(4));
        s.conn
            .execute_batch(
                "DROP TRIGGER audit_log_is_append_only_update; DROP TRIGGER audit_log_is_append_only_delete;",
            )
            .unwrap();
        s.conn.execute("UPDATE audit_log SET new_value = 'forged' WHERE id = 3", []).unwrap();
        assert!(matches!(s.verify_audit_chain().unwrap(), ChainCheck::Broken { id: 3, .. }));
        s.conn.execute("UPDATE audit_log SET new_value = NULL WHERE id = 3", []).unwrap();
        assert_eq!(s.verify_audit_chain().unwrap(), ChainCheck::Intact(4));
        s.conn.execute("DELETE FROM audit_log WHERE id = 2", []).unwrap();
        match s.verify_audit_chain().unwrap() {
            ChainCheck::Broken { id, reason } => assert_eq!((id, reason.contains("row 2 is missing")), (3, true)),
            other => panic!("{other:?}"),
        }
        // Deleting the newest rows leaves a shorter, intact chain; the count tells (and backups keep the rest).
        let mut s = Store::open_in_memory().unwrap();
        s.append_audit(&entry("one")).unwrap();
        s.append_audit(&entry("two")).unwrap();
        s.conn.execute_batch("DROP TRIGGER audit_log_is_append_only_update;").unwrap();
        s.conn.execute("UPDATE audit_log SET prev_hash = '' WHERE id = 2", []).unwrap();
        assert!(matches!(s.verify_audit_chain().unwrap(), ChainCheck::Broken { id: 2, .. }));
    }
}
