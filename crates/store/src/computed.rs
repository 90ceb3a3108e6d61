//! Storing and reading the results of the indicator engine. A new run replaces the previous one in one
//! transaction, so readers see either the old results or the new ones, never a mix.

use crate::{decode_value, Result, Store};
use rusqlite::params;
use wijkmonitor_model::comparison::{Comparison, GapTrend};
use wijkmonitor_model::target::TargetKind;
use wijkmonitor_model::{Period, Value};

/// The provenance of a compute run.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputeRun {
    pub id: i64,
    pub computed_at: String,
    /// The imports whose figures the run read.
    pub imports: Vec<i64>,
    pub areas_source: String,
    pub areas_indicative: bool,
    /// SHA-256 of the catalogue, disclosure rules and engine parameters used.
    pub parameters_sha256: String,
    pub n_figures: u64,
}

/// A target of the engine (region, area, rest of a municipality, all areas).
#[derive(Debug, Clone, PartialEq)]
pub struct ComputedTarget {
    pub id: String,
    pub kind: TargetKind,
    pub name: String,
    pub municipality: Option<String>,
    pub area: Option<String>,
}

/// One computed figure, after disclosure control.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputedFigure {
    pub target: String,
    pub period: Period,
    pub indicator: String,
    pub value: Value,
    pub coverage: f64,
    /// Why there is no number, or what was done (`partial_coverage`, `complementary_suppression`, ...).
    pub reason: String,
}

/// The imports an indicator's figures in one period were computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputedSources {
    pub indicator: String,
    pub period: Period,
    pub imports: Vec<i64>,
}

/// Unmatched buurten of an area in a period.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredUnmatched {
    pub area: String,
    pub period: String,
    pub buurten: Vec<String>,
    pub population_share: Option<f64>,
}

/// Everything one run writes.
pub struct ComputeOutput<'a, F: Iterator<Item = ComputedFigure>> {
    pub run: ComputeRun,
    pub targets: &'a [ComputedTarget],
    pub sources: &'a [ComputedSources],
    /// The figures, best in primary-key order (target, period, indicator): SQLite then appends to its B-tree
    /// instead of splitting pages all over it, which makes storing several times faster.
    pub figures: F,
    pub comparisons: &'a [Comparison],
    pub unmatched: &'a [StoredUnmatched],
    pub effects: &'a [StoredEffect],
}

/// One stored effect: an area's (or, with the all-areas id, the pooled) analysis of one indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEffect {
    /// `programme` or a measure id.
    pub treatment: String,
    pub area: String,
    pub indicator: String,
    pub start: Option<i32>,
    /// Withheld by disclosure control: no analysis is stored.
    pub withheld: bool,
    pub verdict: String,
    pub reason: Option<String>,
    /// The analysis as JSON (the effect crate's `Analysis`, or the pooled estimates).
    pub analysis: Option<String>,
}

impl Store {
    /// Replaces the stored results with those of a new run, in one transaction. Returns the run id.
    pub fn replace_computed<F: Iterator<Item = ComputedFigure>>(
        &mut self,
        output: ComputeOutput<'_, F>,
    ) -> Result<i64> {
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "DELETE FROM computed; DELETE FROM computed_targets; DELETE FROM comparisons; DELETE FROM unmatched_buurten;
             DELETE FROM compute_runs; DELETE FROM computed_sources; DELETE FROM computed_effects;",
        )?;
        let imports: Vec<String> = output.run.imports.iter().map(i64::to_string).collect();
        tx.execute(
            "INSERT INTO compute_runs (computed_at, imports, areas_source, areas_indicative, parameters_sha256, n_figures)
             VALUES (?1, ?2, ?3, ?4, ?5, 0)",
            params![
                output.run.computed_at,
                imports.join(","),
                output.run.areas_source,
                output.run.areas_indicative,
                output.run.parameters_sha256
            ],
        )?;
        let run_id = tx.last_insert_rowid();
        {
            let mut stmt = tx.prepare(
                "INSERT INTO computed_targets (id, kind, name, municipality, area) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for t in output.targets {
                stmt.execute(params![t.id, t.kind.as_str(), t.name, t.municipality, t.area])?;
            }
            let mut stmt =
                tx.prepare("INSERT INTO computed_sources (indicator, period, imports) VALUES (?1, ?2, ?3)")?;
            for s in output.sources {
                let imports: Vec<String> = s.imports.iter().map(i64::to_string).collect();
                stmt.execute(params![s.indicator, s.period.to_string(), imports.join(",")])?;
            }
            let mut stmt = tx.prepare(
                "INSERT INTO computed (target, period, indicator, value, status, coverage, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let mut n = 0i64;
            for f in output.figures {
                stmt.execute(params![
                    f.target,
                    f.period.to_string(),
                    f.indicator,
                    f.value.number(),
                    f.value.status().as_str(),
                    f.coverage,
                    f.reason
                ])?;
                n += 1;
            }
            tx.execute("UPDATE compute_runs SET n_figures = ?1 WHERE id = ?2", params![n, run_id])?;
            let mut stmt = tx.prepare(
                "INSERT INTO comparisons (area, period, indicator, netherlands, rest_of_municipality, all_areas, rank,
                    n_ranked, base_year, base_value, change_since_base, index_since_base, previous_value,
                    change_since_previous, gap_to_netherlands, gap_to_netherlands_base, gap_trend, improved_since_base,
                    change_since_base_lower, change_since_base_upper, change_since_previous_lower,
                    change_since_previous_upper, improved_since_previous, change_model)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
                    ?22, ?23, ?24)",
            )?;
            for c in output.comparisons {
                stmt.execute(params![
                    c.area,
                    c.period,
                    c.indicator,
                    c.netherlands,
                    c.rest_of_municipality,
                    c.all_areas,
                    c.rank,
                    c.n_ranked,
                    c.base_year,
                    c.base_value,
                    c.change_since_base,
                    c.index_since_base,
                    c.previous_value,
                    c.change_since_previous,
                    c.gap_to_netherlands,
                    c.gap_to_netherlands_base,
                    c.gap_trend.map(GapTrend::as_str),
                    c.improved_since_base,
                    c.change_since_base_lower,
                    c.change_since_base_upper,
                    c.change_since_previous_lower,
                    c.change_since_previous_upper,
                    c.improved_since_previous,
                    c.change_model
                ])?;
            }
            let mut stmt = tx.prepare(
                "INSERT INTO unmatched_buurten (area, period, buurten, population_share) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for u in output.unmatched {
                stmt.execute(params![u.area, u.period, u.buurten.join(","), u.population_share])?;
            }
            let mut stmt = tx.prepare(
                "INSERT INTO computed_effects (treatment, area, indicator, start, status, verdict, reason, analysis)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for e in output.effects {
                let (status, analysis) = if e.withheld { ("secret", None) } else { ("final", e.analysis.as_deref()) };
                stmt.execute(params![
                    e.treatment,
                    e.area,
                    e.indicator,
                    e.start,
                    status,
                    e.verdict,
                    e.reason,
                    analysis
                ])?;
            }
        }
        tx.commit()?;
        Ok(run_id)
    }

    /// The stored effects of a treatment (`programme` or a measure id), by area and indicator.
    pub fn effects(&self, treatment: &str) -> Result<Vec<StoredEffect>> {
        let mut stmt = self.conn.prepare(
            "SELECT treatment, area, indicator, start, status, verdict, reason, analysis FROM computed_effects
             WHERE treatment = ?1 ORDER BY area, indicator",
        )?;
        let rows = stmt.query_map(params![treatment], |r| {
            let status: String = r.get(4)?;
            Ok(StoredEffect {
                treatment: r.get(0)?,
                area: r.get(1)?,
                indicator: r.get(2)?,
                start: r.get(3)?,
                withheld: status != "final",
                verdict: r.get(5)?,
                reason: r.get(6)?,
                analysis: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The latest compute run, if any.
    pub fn compute_run(&self) -> Result<Option<ComputeRun>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, computed_at, imports, areas_source, areas_indicative, parameters_sha256, n_figures
             FROM compute_runs ORDER BY id DESC LIMIT 1",
        )?;
        let mut rows = stmt.query([])?;
        let Some(r) = rows.next()? else { return Ok(None) };
        let imports: String = r.get(2)?;
        Ok(Some(ComputeRun {
            id: r.get(0)?,
            computed_at: r.get(1)?,
            imports: imports.split(',').filter_map(|s| s.parse().ok()).collect(),
            areas_source: r.get(3)?,
            areas_indicative: r.get(4)?,
            parameters_sha256: r.get(5)?,
            n_figures: r.get::<_, i64>(6)? as u64,
        }))
    }

    /// The computed targets.
    pub fn computed_targets(&self) -> Result<Vec<ComputedTarget>> {
        let mut stmt =
            self.conn.prepare("SELECT id, kind, name, municipality, area FROM computed_targets ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            let kind: String = r.get(1)?;
            Ok((
                kind,
                ComputedTarget {
                    id: r.get(0)?,
                    kind: TargetKind::Area,
                    name: r.get(2)?,
                    municipality: r.get(3)?,
                    area: r.get(4)?,
                },
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (kind, mut target) = row?;
            target.kind = TargetKind::parse(&kind)
                .ok_or_else(|| crate::StoreError::Invalid(format!("unknown target kind '{kind}'")))?;
            out.push(target);
        }
        Ok(out)
    }

    /// Computed figures of targets, periods and indicators (empty lists mean all), sorted.
    pub fn computed(
        &self,
        targets: &[String],
        periods: &[Period],
        indicators: &[String],
    ) -> Result<Vec<ComputedFigure>> {
        let mut sql =
            String::from("SELECT target, period, indicator, value, status, coverage, reason FROM computed WHERE 1=1");
        let mut args: Vec<String> = Vec::new();
        for (column, values) in [
            ("target", targets.to_vec()),
            ("period", periods.iter().map(|p| p.to_string()).collect()),
            ("indicator", indicators.to_vec()),
        ] {
            if !values.is_empty() {
                let start = args.len();
                let ph: Vec<String> = (0..values.len()).map(|i| format!("?{}", start + i + 1)).collect();
                sql.push_str(&format!(" AND {column} IN ({})", ph.join(",")));
                args.extend(values);
            }
        }
        sql.push_str(" ORDER BY target, period, indicator");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), figure_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// Comparisons of an area (all periods and indicators when the lists are empty).
    pub fn comparisons(&self, area: &str, periods: &[Period], indicators: &[String]) -> Result<Vec<Comparison>> {
        let mut stmt = self.conn.prepare(&format!("{COMPARISON_SELECT} WHERE area = ?1 ORDER BY period, indicator"))?;
        let rows = stmt.query_map(params![area], comparison_row)?;
        let periods: Vec<String> = periods.iter().map(|p| p.to_string()).collect();
        Ok(rows
            .collect::<std::result::Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|c| periods.is_empty() || periods.contains(&c.period))
            .filter(|c| indicators.is_empty() || indicators.contains(&c.indicator))
            .collect())
    }

    /// The imports behind each indicator and period of the latest run.
    pub fn computed_sources(&self) -> Result<Vec<ComputedSources>> {
        let mut stmt =
            self.conn.prepare("SELECT indicator, period, imports FROM computed_sources ORDER BY indicator, period")?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (indicator, period, imports) = row?;
            out.push(ComputedSources {
                indicator,
                period: Period::parse(&period).map_err(|e| crate::StoreError::Invalid(e.to_string()))?,
                imports: imports.split(',').filter_map(|s| s.parse().ok()).collect(),
            });
        }
        Ok(out)
    }

    /// Unmatched buurten per area and period of the latest run.
    pub fn unmatched_buurten(&self) -> Result<Vec<StoredUnmatched>> {
        let mut stmt = self
            .conn
            .prepare("SELECT area, period, buurten, population_share FROM unmatched_buurten ORDER BY area, period")?;
        let rows = stmt.query_map([], |r| {
            let buurten: String = r.get(2)?;
            Ok(StoredUnmatched {
                area: r.get(0)?,
                period: r.get(1)?,
                buurten: buurten.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                population_share: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

/// The SELECT of a full comparisons row, in the order [`comparison_row`] reads it.
pub(crate) const COMPARISON_SELECT: &str =
    "SELECT area, period, indicator, netherlands, rest_of_municipality, all_areas, rank, n_ranked, base_year,
            base_value, change_since_base, index_since_base, previous_value, change_since_previous,
            gap_to_netherlands, gap_to_netherlands_base, gap_trend, improved_since_base,
            change_since_base_lower, change_since_base_upper, change_since_previous_lower, change_since_previous_upper,
            improved_since_previous, change_model
     FROM comparisons";

/// Reads a row selected with [`COMPARISON_SELECT`].
pub(crate) fn comparison_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Comparison> {
    Ok(Comparison {
        area: r.get(0)?,
        period: r.get(1)?,
        indicator: r.get(2)?,
        netherlands: r.get(3)?,
        rest_of_municipality: r.get(4)?,
        all_areas: r.get(5)?,
        rank: r.get(6)?,
        n_ranked: r.get(7)?,
        base_year: r.get(8)?,
        base_value: r.get(9)?,
        change_since_base: r.get(10)?,
        index_since_base: r.get(11)?,
        previous_value: r.get(12)?,
        change_since_previous: r.get(13)?,
        gap_to_netherlands: r.get(14)?,
        gap_to_netherlands_base: r.get(15)?,
        // A trend the store does not know reads as none (the column is written only from `GapTrend`).
        gap_trend: r.get::<_, Option<String>>(16)?.as_deref().and_then(GapTrend::parse),
        improved_since_base: r.get(17)?,
        change_since_base_lower: r.get(18)?,
        change_since_base_upper: r.get(19)?,
        change_since_previous_lower: r.get(20)?,
        change_since_previous_upper: r.get(21)?,
        improved_since_previous: r.get(22)?,
        change_model: r.get(23)?,
    })
}

/// Reads a computed figure from a row `target, period, indicator, value, status, coverage, reason`. The outer
/// result is SQLite's; the inner one says whether the stored period and status make sense.
pub(crate) fn figure_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<ComputedFigure>> {
    let period: String = r.get(1)?;
    let number: Option<f64> = r.get(3)?;
    let status: String = r.get(4)?;
    Ok((|| {
        Ok(ComputedFigure {
            target: r.get(0)?,
            period: Period::parse(&period).map_err(|e| crate::StoreError::Invalid(e.to_string()))?,
            indicator: r.get(2)?,
            value: decode_value(number, &status)?,
            coverage: r.get(5)?,
            reason: r.get(6)?,
        })
    })())
}
