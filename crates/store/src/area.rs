//! Figures per focus area (migration 4, table `area_observations`): accepted answers of the yearly request and
//! figures derived from the programme register. They exist per area, not per buurt, so they do not fit the
//! `observations` table, but they get the same provenance: every write records a row in `imports` (format
//! `request` or `register`) and every figure names it.
//!
//! Figures are written per area, period and origin: a write replaces everything that origin held for that area
//! and period, in one transaction, so a reader never sees half of a submission or of a register year, and a
//! failed write leaves the old figures. The engine reads only published figures ([`Store::area_figures`] with
//! `published_only`), so an analyst decides when accepted answers reach the dashboard.

use crate::{decode_value, Result, Store, StoreError};
use rusqlite::{params, OptionalExtension, Transaction};
use wijkmonitor_model::{Period, Value};

/// Where an area figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// An accepted answer of the yearly request ("uitvraag").
    Request,
    /// A figure derived from the programme register.
    Register,
}

impl Origin {
    /// The text stored in `area_observations.origin` and used as the import's format.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Request => "request",
            Origin::Register => "register",
        }
    }

    pub fn parse(text: &str) -> Option<Origin> {
        [Origin::Request, Origin::Register].into_iter().find(|o| o.as_str() == text)
    }

    /// The source as the catalogue cites it, for the import's title.
    fn title(self) -> &'static str {
        match self {
            Origin::Request => "Uitvraag focusgebieden",
            Origin::Register => "Programmaregister NPLV",
        }
    }
}

/// One stored figure of a focus area.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaFigure {
    pub area: String,
    pub period: Period,
    pub variable: String,
    pub value: Value,
    pub origin: Origin,
    pub published: bool,
    pub import_id: i64,
}

impl Store {
    /// Replaces the figures of `origin` for one area and period by `figures` (variable, value) in one transaction,
    /// recording a new row in `imports` (format "request" or "register", source_name = `source`, synthetic flag,
    /// n_observations etc. filled sensibly) as their provenance. Returns the import id.
    #[allow(clippy::too_many_arguments)] // the signature is shared with the web server's code
    pub fn record_area_figures(
        &mut self,
        area: &str,
        period: Period,
        origin: Origin,
        source: &str,
        synthetic: bool,
        published: bool,
        figures: &[(String, Value)],
    ) -> Result<i64> {
        let tx = self.conn.transaction()?;
        let import_id = record_area_figures_tx(&tx, area, period, origin, source, synthetic, published, figures)?;
        tx.commit()?;
        Ok(import_id)
    }

    /// Marks every figure of `origin` for `period` as published. Returns how many changed.
    pub fn publish_area_figures(&mut self, period: Period, origin: Origin) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE area_observations SET published = 1 WHERE period = ?1 AND origin = ?2 AND published = 0",
            params![period.to_string(), origin.as_str()],
        )?)
    }

    /// All area figures (only published ones with `published_only`), ordered by area, period, variable.
    pub fn area_figures(&self, published_only: bool) -> Result<Vec<AreaFigure>> {
        let mut stmt = self.conn.prepare(
            "SELECT area, period, variable, value, status, origin, published, import_id FROM area_observations
             WHERE published = 1 OR ?1 = 0 ORDER BY area, period, variable",
        )?;
        let rows = stmt.query_map(params![published_only], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<f64>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, bool>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (area, period, variable, number, status, origin, published, import_id) = row?;
            out.push(AreaFigure {
                period: Period::parse(&period).map_err(|e| StoreError::Invalid(e.to_string()))?,
                value: decode_value(number, &status)?,
                origin: Origin::parse(&origin)
                    .ok_or_else(|| StoreError::Invalid(format!("unknown origin '{origin}' of an area figure")))?,
                area,
                variable,
                published,
                import_id,
            });
        }
        Ok(out)
    }
}

/// The same as `record_area_figures`, inside a transaction the caller controls (so that accepting a request
/// submission, writing its figures and the audit log commit together).
///
/// Nothing is committed here: on an error the caller drops (rolls back) the transaction, which undoes whatever
/// this function wrote before the error.
#[allow(clippy::too_many_arguments)] // the signature is shared with the web server's code
pub fn record_area_figures_tx(
    tx: &Transaction<'_>,
    area: &str,
    period: Period,
    origin: Origin,
    source: &str,
    synthetic: bool,
    published: bool,
    figures: &[(String, Value)],
) -> Result<i64> {
    if !wijkmonitor_model::area::is_valid_area_id(area) {
        return Err(StoreError::Invalid(format!("'{area}' is not an area id")));
    }
    if source.trim().is_empty() {
        return Err(StoreError::Invalid(format!("the {} figures of {area} {period} need a source", origin.as_str())));
    }
    // `Value::final_` accepts any f64; SQLite would store NaN as NULL and the CHECK would then refuse the row
    // with a less helpful message.
    if let Some((variable, _)) =
        figures.iter().find(|(v, x)| v.is_empty() || x.number().is_some_and(|n| !n.is_finite()))
    {
        return Err(StoreError::Invalid(format!(
            "{area} {period}: '{variable}' is not a variable with a finite value"
        )));
    }
    let period_text = period.to_string();
    // What the origin held before, to count new and changed figures like an import does.
    let previous: Vec<(String, Option<f64>, String)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT variable, value, status FROM area_observations WHERE area = ?1 AND period = ?2 AND origin = ?3",
        )?;
        let rows =
            stmt.query_map(params![area, period_text, origin.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<std::result::Result<_, _>>()?
    };
    let (mut n_new, mut n_changed) = (0i64, 0i64);
    for (variable, value) in figures {
        match previous.iter().find(|(v, _, _)| v == variable) {
            None => n_new += 1,
            Some((_, number, status)) if *number == value.number() && status == value.status().as_str() => {}
            Some(_) => n_changed += 1,
        }
    }
    // A fingerprint of what was recorded, so that two imports of the same figures can be recognised; there is no
    // file to hash.
    let mut content = format!("{}\n{area}\n{period_text}\n", origin.as_str());
    let mut sorted: Vec<&(String, Value)> = figures.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (variable, value) in sorted {
        content.push_str(&format!(
            "{variable},{},{}\n",
            value.number().map(|n| n.to_string()).unwrap_or_default(),
            value.status().as_str()
        ));
    }
    let sha256 = wijkmonitor_model::hash::sha256_hex(content.as_bytes());
    let removed = previous.iter().filter(|(v, _, _)| !figures.iter().any(|(f, _)| f == v)).count();
    let notes =
        if removed > 0 { format!("{removed} earlier figures of {area} {period_text} removed") } else { String::new() };
    // The store otherwise takes times from its caller; this signature has no time, so SQLite's clock supplies it
    // in the same RFC 3339 form the command line writes.
    tx.execute(
        "INSERT INTO imports (source_name, sha256, format, source_table, source_title, classification_year,
                              imported_at, n_observations, n_new, n_changed, synthetic, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?6, ?7, ?8, ?9, ?10)",
        params![
            source,
            sha256,
            origin.as_str(),
            // The "table" a reader cites, as the catalogue names these sources.
            origin.title(),
            format!("{}: {area} {period_text}", origin.title()),
            figures.len() as i64,
            n_new,
            n_changed,
            synthetic,
            notes,
        ],
    )?;
    let import_id = tx.last_insert_rowid();
    tx.execute(
        "DELETE FROM area_observations WHERE area = ?1 AND period = ?2 AND origin = ?3",
        params![area, period_text, origin.as_str()],
    )?;
    let mut held_by =
        tx.prepare_cached("SELECT origin FROM area_observations WHERE area = ?1 AND period = ?2 AND variable = ?3")?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO area_observations (area, period, variable, value, status, origin, published, import_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (variable, value) in figures {
        // One figure per area, period and variable: a register figure must not silently overwrite an accepted
        // answer (or the other way round). The check runs here, after earlier figures were written, and the
        // error makes the caller roll all of it back.
        let other: Option<String> = held_by.query_row(params![area, period_text, variable], |r| r.get(0)).optional()?;
        if let Some(other) = other {
            return Err(StoreError::Invalid(format!(
                "{area} {period_text} {variable}: already holds a figure from the {other}; \
                 a {} figure cannot replace it",
                origin.as_str()
            )));
        }
        insert.execute(params![
            area,
            period_text,
            variable,
            value.number(),
            value.status().as_str(),
            origin.as_str(),
            published,
            import_id
        ])?;
    }
    Ok(import_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(rows: &[(&str, f64)]) -> Vec<(String, Value)> {
        rows.iter().map(|&(v, x)| (v.to_string(), Value::final_(x))).collect()
    }

    fn keyed(store: &Store, published_only: bool) -> Vec<(String, String, String, Option<f64>, bool)> {
        store
            .area_figures(published_only)
            .unwrap()
            .into_iter()
            .map(|f| (f.area, f.period.to_string(), f.variable, f.value.number(), f.published))
            .collect()
    }

    #[test]
    fn figures_are_replaced_per_area_period_and_origin_with_provenance() {
        let mut store = Store::open_in_memory().unwrap();
        let y = Period::Year(2025);
        let first = store
            .record_area_figures(
                "heerlen-noord",
                y,
                Origin::Register,
                "VHF tranche 3",
                false,
                true,
                &figures(&[("vhf_restructuring_started", 120.0), ("vhf_restructuring_completed", 10.0)]),
            )
            .unwrap();
        // Request answers of the same area and period live next to the register figures.
        store
            .record_area_figures(
                "heerlen-noord",
                y,
                Origin::Request,
                "request 2025",
                false,
                false,
                &[("entry_level_jobs".into(), Value::final_(12.0)), ("ambassadors_realised".into(), Value::missing())],
            )
            .unwrap();
        // Another area is left alone by what follows.
        store
            .record_area_figures(
                "zaandam-oost",
                y,
                Origin::Register,
                "x",
                true,
                true,
                &figures(&[("vhf_restructuring_started", 3.0)]),
            )
            .unwrap();

        let second = store
            .record_area_figures(
                "heerlen-noord",
                y,
                Origin::Register,
                "VHF tranche 3, update",
                true,
                true,
                &figures(&[("vhf_restructuring_started", 130.0)]),
            )
            .unwrap();
        assert!(second > first);
        let all = store.area_figures(false).unwrap();
        let heerlen: Vec<(&str, Option<f64>, Origin, i64)> = all
            .iter()
            .filter(|f| f.area == "heerlen-noord")
            .map(|f| (f.variable.as_str(), f.value.number(), f.origin, f.import_id))
            .collect();
        assert_eq!(
            heerlen,
            vec![
                ("ambassadors_realised", None, Origin::Request, heerlen[0].3),
                ("entry_level_jobs", Some(12.0), Origin::Request, heerlen[0].3),
                ("vhf_restructuring_started", Some(130.0), Origin::Register, second),
            ]
        );
        assert_eq!(
            all.iter().find(|f| f.variable == "ambassadors_realised").unwrap().value.status().as_str(),
            "missing"
        );
        assert!(all.iter().any(|f| f.area == "zaandam-oost"));

        let imports = store.imports().unwrap();
        let record = imports.iter().find(|i| i.id == second).unwrap();
        assert_eq!(record.format, "register");
        assert_eq!(record.source_name, "VHF tranche 3, update");
        assert_eq!(record.source_table.as_deref(), Some("Programmaregister NPLV"));
        assert_eq!(record.source_title.as_deref(), Some("Programmaregister NPLV: heerlen-noord 2025"));
        assert!(record.synthetic);
        assert_eq!((record.n_observations, record.n_new, record.n_changed), (1, 0, 1));
        assert_eq!(record.notes, vec!["1 earlier figures of heerlen-noord 2025 removed".to_string()]);
        assert_eq!(record.sha256.len(), 64);
        assert!(record.imported_at.len() == 20 && record.imported_at.ends_with('Z'), "{}", record.imported_at);
        assert_eq!(imports.iter().find(|i| i.source_name == "request 2025").unwrap().format, "request");

        // Replacing by nothing clears the origin's figures of that area and period.
        store.record_area_figures("heerlen-noord", y, Origin::Register, "cleared", false, true, &[]).unwrap();
        assert!(!store
            .area_figures(false)
            .unwrap()
            .iter()
            .any(|f| f.area == "heerlen-noord" && f.origin == Origin::Register));
    }

    #[test]
    fn publishing_and_the_published_filter() {
        let mut store = Store::open_in_memory().unwrap();
        for (area, year) in [("a", 2024), ("b", 2024), ("a", 2025)] {
            store
                .record_area_figures(
                    area,
                    Period::Year(year),
                    Origin::Request,
                    "r",
                    false,
                    false,
                    &figures(&[("x", 1.0)]),
                )
                .unwrap();
        }
        store
            .record_area_figures("a", Period::Year(2024), Origin::Register, "g", false, false, &figures(&[("y", 2.0)]))
            .unwrap();
        assert!(keyed(&store, true).is_empty());
        assert_eq!(keyed(&store, false).len(), 4);
        // Only the request figures of 2024 are published; the register's and 2025's stay unpublished.
        assert_eq!(store.publish_area_figures(Period::Year(2024), Origin::Request).unwrap(), 2);
        assert_eq!(store.publish_area_figures(Period::Year(2024), Origin::Request).unwrap(), 0);
        assert_eq!(
            keyed(&store, true),
            vec![
                ("a".into(), "2024".into(), "x".into(), Some(1.0), true),
                ("b".into(), "2024".into(), "x".into(), Some(1.0), true),
            ]
        );
        let all = keyed(&store, false);
        assert_eq!(
            all.iter().map(|r| (r.0.as_str(), r.1.as_str(), r.2.as_str())).collect::<Vec<_>>(),
            [("a", "2024", "x"), ("a", "2024", "y"), ("a", "2025", "x"), ("b", "2024", "x")]
        );
        assert!(!all[1].4 && !all[2].4);
    }

    #[test]
    fn a_failed_write_leaves_nothing_half_written() {
        let mut store = Store::open_in_memory().unwrap();
        let y = Period::Year(2025);
        store.record_area_figures("a", y, Origin::Request, "answers", false, true, &figures(&[("jobs", 5.0)])).unwrap();
        store
            .record_area_figures("a", y, Origin::Register, "register", false, true, &figures(&[("starts", 7.0)]))
            .unwrap();
        let before = store.area_figures(false).unwrap();
        let n_imports = store.imports().unwrap().len();

        // The second figure collides with the request's answer after the old register figure was deleted and the
        // first new one written: all of it is rolled back, including the import row.
        let err = store
            .record_area_figures(
                "a",
                y,
                Origin::Register,
                "register",
                false,
                true,
                &figures(&[("starts", 9.0), ("jobs", 1.0)]),
            )
            .unwrap_err();
        assert!(err.to_string().contains("already holds a figure from the request"), "{err}");
        assert_eq!(store.area_figures(false).unwrap(), before);
        assert_eq!(store.imports().unwrap().len(), n_imports);

        // The same inside a caller's transaction: dropping it undoes everything.
        {
            let tx = store.conn.transaction().unwrap();
            record_area_figures_tx(
                &tx,
                "a",
                y,
                Origin::Register,
                "register",
                false,
                true,
                &figures(&[("starts", 9.0)]),
            )
            .unwrap();
            assert!(record_area_figures_tx(
                &tx,
                "a",
                y,
                Origin::Register,
                "r",
                false,
                true,
                &figures(&[("jobs", 1.0)])
            )
            .is_err());
        }
        assert_eq!(store.area_figures(false).unwrap(), before);
        assert_eq!(store.imports().unwrap().len(), n_imports);

        // Refused before anything is written: a bad area id, no source, a number that is not finite.
        assert!(store.record_area_figures("Not An Area", y, Origin::Request, "s", false, true, &[]).is_err());
        assert!(store.record_area_figures("a", y, Origin::Request, " ", false, true, &[]).is_err());
        assert!(store
            .record_area_figures("a", y, Origin::Request, "s", false, true, &figures(&[("jobs", f64::NAN)]))
            .is_err());
        assert_eq!(store.area_figures(false).unwrap(), before);
        assert_eq!(store.imports().unwrap().len(), n_imports);
    }
}
