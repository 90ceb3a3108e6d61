//! Storing and reading the programme register (migration 3). The register is written per area and year: a
//! replacement deletes that area's entries for the year and inserts the new ones in one transaction, so a reader
//! never sees half of a year's register and a failed write leaves the old one. The register is a separate write
//! path from observations on purpose: its figures are agreements and grants with their own source labels, not
//! statistics from an import.

use crate::{Result, Store, StoreError};
use rusqlite::params;
use wijkmonitor_programme::{Entry, EntryValue, Scheme};

impl Store {
    /// Replaces the register entries of `area` in `year` by `entries` (all of which must belong to that area and
    /// year), in one transaction. Returns the number of entries written.
    ///
    /// Every figure that changes (added, changed, removed) gets an audit-log row naming `who`, in the same
    /// transaction.
    pub fn replace_register(
        &mut self,
        area: &str,
        year: i32,
        entries: &[Entry],
        who: crate::request::Actor<'_>,
    ) -> Result<usize> {
        if let Some(e) = entries.iter().find(|e| e.area != area || e.year != year) {
            return Err(StoreError::Invalid(format!(
                "register entry {} {} {} '{}' {} does not belong to {area} {year}",
                e.area, e.year, e.scheme, e.instance, e.item
            )));
        }
        let show = |v: &EntryValue| match v {
            EntryValue::Number(n) => format!("{n}"),
            EntryValue::Text(t) => t.clone(),
        };
        let key = |e: &Entry| format!("{} {} {}", e.scheme.as_str(), e.instance, e.item);
        let old: std::collections::BTreeMap<String, String> = self
            .register_entries(Some(area))?
            .into_iter()
            .filter(|e| e.year == year)
            .map(|e| (key(&e), show(&e.value)))
            .collect();
        let new: std::collections::BTreeMap<String, String> =
            entries.iter().map(|e| (key(e), show(&e.value))).collect();
        let tx = self.conn.transaction()?;
        for k in old.keys().chain(new.keys()).collect::<std::collections::BTreeSet<_>>() {
            let (before, after) = (old.get(k), new.get(k));
            if before != after {
                crate::audit::insert_audit(
                    &tx,
                    &crate::audit::AuditEntry {
                        at: who.at.into(),
                        actor: who.name.into(),
                        action: "register_change".into(),
                        area: Some(area.into()),
                        year: Some(year),
                        item: Some(k.clone()),
                        old_value: before.cloned(),
                        new_value: after.cloned(),
                        ..Default::default()
                    },
                )?;
            }
        }
        tx.execute("DELETE FROM register_entries WHERE area = ?1 AND year = ?2", params![area, year])?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO register_entries (area, year, scheme, instance, item, number, text, source, synthetic)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for e in entries {
                let (number, text) = match &e.value {
                    EntryValue::Number(n) => (Some(*n), None),
                    EntryValue::Text(t) => (None, Some(t.as_str())),
                };
                insert.execute(params![
                    e.area,
                    e.year,
                    e.scheme.as_str(),
                    e.instance,
                    e.item,
                    number,
                    text,
                    e.source,
                    e.synthetic
                ])?;
            }
        }
        tx.commit()?;
        Ok(entries.len())
    }

    /// The register entries of one area (or all areas), ordered by area, year, scheme, instance and item.
    pub fn register_entries(&self, area: Option<&str>) -> Result<Vec<Entry>> {
        let mut stmt = self.conn.prepare(
            "SELECT area, year, scheme, instance, item, number, text, source, synthetic FROM register_entries
             WHERE ?1 IS NULL OR area = ?1 ORDER BY area, year, scheme, instance, item",
        )?;
        let rows = stmt.query_map(params![area], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<f64>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, bool>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (area, year, scheme, instance, item, number, text, source, synthetic) = row?;
            let scheme = Scheme::parse(&scheme)
                .ok_or_else(|| StoreError::Invalid(format!("unknown register scheme '{scheme}'")))?;
            let value = match (number, text) {
                (Some(n), None) => EntryValue::Number(n),
                (None, Some(t)) => EntryValue::Text(t),
                _ => return Err(StoreError::Invalid(format!("register entry {area} {year} {item}: number or text"))),
            };
            out.push(Entry { area, year, scheme, instance, item, value, source, synthetic });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHO: crate::request::Actor<'static> = crate::request::Actor { name: "cli", at: "2026-01-01T00:00:00Z" };

    fn entry(area: &str, year: i32, item: &str, value: EntryValue) -> Entry {
        Entry {
            area: area.into(),
            year,
            scheme: Scheme::Vhf,
            instance: "tranche-3".into(),
            item: item.into(),
            value,
            source: "parliamentary record".into(),
            synthetic: false,
        }
    }

    #[test]
    fn register_is_replaced_per_area_and_year_in_one_transaction() {
        let mut store = Store::open_in_memory().unwrap();
        let heerlen = vec![
            entry("heerlen-noord", 2025, "dwellings_granted", EntryValue::Number(645.0)),
            entry("heerlen-noord", 2025, "dwellings_requested", EntryValue::Number(1122.0)),
        ];
        assert_eq!(store.replace_register("heerlen-noord", 2025, &heerlen, WHO).unwrap(), 2);
        let other = vec![entry("zaandam-oost", 2025, "note", EntryValue::Text("t".into()))];
        store.replace_register("zaandam-oost", 2025, &other, WHO).unwrap();
        assert_eq!(store.register_entries(Some("heerlen-noord")).unwrap(), heerlen);
        assert_eq!(store.register_entries(None).unwrap().len(), 3);

        // Replacing keeps only the new entries of that area and year, and leaves the other area alone.
        let fewer = vec![entry("heerlen-noord", 2025, "dwellings_granted", EntryValue::Number(650.0))];
        store.replace_register("heerlen-noord", 2025, &fewer, WHO).unwrap();
        assert_eq!(store.register_entries(Some("heerlen-noord")).unwrap(), fewer);
        assert_eq!(store.register_entries(Some("zaandam-oost")).unwrap(), other);

        // A failing write changes nothing: the second entry breaks the source CHECK after the delete ran.
        let mut broken = fewer.clone();
        broken[0].value = EntryValue::Number(1.0);
        broken.push(Entry { source: String::new(), ..entry("heerlen-noord", 2025, "x", EntryValue::Number(1.0)) });
        assert!(store.replace_register("heerlen-noord", 2025, &broken, WHO).is_err());
        assert_eq!(store.register_entries(Some("heerlen-noord")).unwrap(), fewer);

        // Entries of another area or year are refused before anything is written.
        let err = store.replace_register("heerlen-noord", 2026, &fewer, WHO).unwrap_err();
        assert!(err.to_string().contains("does not belong"), "{err}");
        assert_eq!(store.register_entries(Some("heerlen-noord")).unwrap(), fewer);

        // Every change is in the audit log with its old and new value; the failed write left none.
        let log = store
            .audit_log(&crate::audit::AuditFilter { area: Some("heerlen-noord".into()), year: Some(2025) })
            .unwrap();
        let changes: Vec<(&str, Option<&str>, Option<&str>)> = log
            .iter()
            .map(|e| (e.item.as_deref().unwrap_or(""), e.old_value.as_deref(), e.new_value.as_deref()))
            .collect();
        assert_eq!(
            changes,
            [
                ("vhf tranche-3 dwellings_granted", None, Some("645")),
                ("vhf tranche-3 dwellings_requested", None, Some("1122")),
                ("vhf tranche-3 dwellings_granted", Some("645"), Some("650")),
                ("vhf tranche-3 dwellings_requested", Some("1122"), None),
            ]
        );
    }
}
