//! Read-only queries for the read model (what the dashboard and the reports publish). Everything here is a
//! SELECT over the results of the latest compute run: only figures that passed disclosure control are published,
//! so nothing in this module reads the `observations` table.

use crate::computed::{comparison_row, figure_row, COMPARISON_SELECT};
use crate::{ComputedFigure, Result, Store};
use wijkmonitor_model::comparison::Comparison;
use wijkmonitor_model::target::TargetKind;

impl Store {
    /// Computed figures of every target of the given kinds (`area`, `netherlands`, ...), sorted by target,
    /// period and indicator. One query instead of one per target keeps the dashboard's start fast.
    pub fn computed_of_kinds(&self, kinds: &[TargetKind]) -> Result<Vec<ComputedFigure>> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=kinds.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "SELECT c.target, c.period, c.indicator, c.value, c.status, c.coverage, c.reason
             FROM computed c JOIN computed_targets t ON t.id = c.target
             WHERE t.kind IN ({})
             ORDER BY c.target, c.period, c.indicator",
            placeholders.join(",")
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(kinds.iter().map(|k| k.as_str())), figure_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// The comparisons of every area, sorted by area, period and indicator.
    pub fn all_comparisons(&self) -> Result<Vec<Comparison>> {
        let mut stmt = self.conn.prepare(&format!("{COMPARISON_SELECT} ORDER BY area, period, indicator"))?;
        let rows = stmt.query_map([], comparison_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}
