//! The audit log (migration 4): one row per change (who, when, what, the old and the new value). It is
//! append-only by construction: triggers refuse any UPDATE or DELETE, and rows are only written inside the
//! transaction of the change they describe, so a change without its row (or a row without its change) cannot be.

use crate::{Result, Store};
use rusqlite::{params, Transaction};

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

/// Writes one row inside the caller's transaction.
pub fn insert_audit(tx: &Transaction<'_>, e: &AuditEntry) -> Result<()> {
    tx.execute(
        "INSERT INTO audit_log (at, actor, action, area, year, item, old_value, new_value, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![e.at, e.actor, e.action, e.area, e.year, e.item, e.old_value, e.new_value, e.detail],
    )?;
    Ok(())
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
        let mut stmt = self.conn.prepare(
            "SELECT id, at, actor, action, area, year, item, old_value, new_value, detail FROM audit_log
             WHERE (?1 IS NULL OR area = ?1) AND (?2 IS NULL OR year = ?2) ORDER BY id",
        )?;
        let rows = stmt.query_map(params![filter.area, filter.year], |r| {
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
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
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
        assert_eq!(s.audit_log(&AuditFilter::default()).unwrap()[0].actor, "cli");
    }
}
