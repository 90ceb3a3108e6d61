//! Converting data rows into observations: cells to values, region codes to regions, topics to variables.

use super::properties::is_other_region_kind;
use crate::values::{parse_cell, Decimal};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use wijkmonitor_model::{Observation, Period, RegionCode, Value};

/// A data cell as a reader found it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'r> {
    Null,
    Text(Cow<'r, str>),
    Number(f64),
    /// Something that is neither text nor a number, named for the message.
    Other(&'static str),
}

/// A problem with one data row: the field it concerns (`None`: the row as a whole) and a message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowError {
    pub(crate) field: Option<String>,
    pub(crate) message: String,
}

impl RowError {
    pub(super) fn at(field: &str, message: impl Into<String>) -> RowError {
        RowError { field: Some(field.to_string()), message: message.into() }
    }
}

/// A topic column and the catalogue variable of each category (one slot when there is no category).
pub(super) struct TopicPlan {
    pub(super) column: usize,
    pub(super) variables: Vec<Option<usize>>,
}

/// A region key seen in the data: an index into the region codes, or a region kind wijkmonitor skips.
#[derive(Clone, Copy)]
pub(super) enum RegionSlot {
    Known(u32),
    Skipped,
}

/// Turns data rows into observations. Readers give it the cells of each row in the order of [`Self::columns`].
pub(crate) struct Converter<'c> {
    /// The data fields the converter reads: the dimension keys, then the mapped topic keys.
    pub(crate) columns: Vec<String>,
    pub(super) geo: Option<usize>,
    pub(super) time: Option<usize>,
    pub(super) category: Option<usize>,
    pub(super) topics: Vec<TopicPlan>,
    pub(super) variables: Vec<&'c str>,
    pub(super) fixed_period: Option<Period>,
    pub(super) provisional_periods: HashSet<String>,
    pub(super) categories: HashMap<String, usize>,
    pub(super) category_file: String,
    pub(super) known_regions: Option<HashSet<RegionCode>>,
    pub(super) region_cache: HashMap<String, RegionSlot>,
    pub(super) region_codes: Vec<RegionCode>,
    pub(super) period_cache: HashMap<String, (u32, bool)>,
    pub(super) periods: Vec<Period>,
    pub(super) seen: HashSet<(u32, u32, u32)>,
    pub(super) skipped_regions: BTreeMap<String, u64>,
    pub(super) observations: Vec<Observation>,
}

impl Converter<'_> {
    /// How many of [`Self::columns`] (the first ones) are dimension keys.
    pub(crate) fn dimension_count(&self) -> usize {
        [self.geo, self.time, self.category].iter().flatten().count()
    }

    pub(super) fn key<'r>(&self, cells: &'r [Option<Cell<'_>>], column: usize) -> Result<&'r str, RowError> {
        let name = &self.columns[column];
        match cells.get(column).and_then(Option::as_ref) {
            None => {
                Err(RowError { field: None, message: format!("this row has no {name} (a dimension of the table)") })
            }
            Some(Cell::Text(t)) if !t.trim().is_empty() => Ok(t.trim()),
            Some(Cell::Text(_) | Cell::Null) => Err(RowError::at(name, format!("the {name} of this row is empty"))),
            Some(Cell::Number(n)) => {
                Err(RowError::at(name, format!("the {name} of this row is the number {n}; dimension keys are text")))
            }
            Some(Cell::Other(what)) => {
                Err(RowError::at(name, format!("the {name} of this row is {what}; dimension keys are text")))
            }
        }
    }

    pub(super) fn region(&mut self, cells: &[Option<Cell<'_>>], column: usize) -> Result<RegionSlot, RowError> {
        let text = self.key(cells, column)?;
        if let Some(slot) = self.region_cache.get(text) {
            if let RegionSlot::Skipped = slot {
                *self.skipped_regions.entry(text.to_string()).or_default() += 1;
            }
            return Ok(*slot);
        }
        let name = &self.columns[column];
        let slot = match RegionCode::parse(text) {
            Ok(code) => {
                if let Some(known) = &self.known_regions {
                    if !known.contains(&code) {
                        return Err(RowError::at(
                            name,
                            format!("region {code} is not in the code list of the table's classification year"),
                        ));
                    }
                }
                self.region_codes.push(code);
                RegionSlot::Known(self.region_codes.len() as u32 - 1)
            }
            Err(_) if is_other_region_kind(text) => {
                *self.skipped_regions.entry(text.to_string()).or_default() += 1;
                RegionSlot::Skipped
            }
            Err(e) => return Err(RowError::at(name, e.to_string())),
        };
        self.region_cache.insert(text.to_string(), slot);
        Ok(slot)
    }

    pub(super) fn period(&mut self, cells: &[Option<Cell<'_>>], column: usize) -> Result<(u32, bool), RowError> {
        let text = self.key(cells, column)?;
        if let Some(found) = self.period_cache.get(text) {
            return Ok(*found);
        }
        let period = Period::parse(text).map_err(|e| RowError::at(&self.columns[column], e.to_string()))?;
        self.periods.push(period);
        let found = (self.periods.len() as u32 - 1, self.provisional_periods.contains(text));
        self.period_cache.insert(text.to_string(), found);
        Ok(found)
    }

    /// Converts one row. `cells[i]` is the cell of `columns[i]`, `None` when the row lacks that field.
    pub(crate) fn row(&mut self, cells: &[Option<Cell<'_>>]) -> Result<(), RowError> {
        let region = match self.geo {
            Some(column) => match self.region(cells, column)? {
                RegionSlot::Known(i) => i,
                RegionSlot::Skipped => return Ok(()),
            },
            // A table without a region dimension holds national figures.
            None => 0,
        };
        let (period, provisional) = match self.time {
            Some(column) => self.period(cells, column)?,
            None => (0, false),
        };
        let category = match self.category {
            Some(column) => {
                let key = self.key(cells, column)?;
                match self.categories.get(key) {
                    Some(&i) => i,
                    None => {
                        return Err(RowError::at(
                            &self.columns[column],
                            format!("category '{key}' is not in {}", self.category_file),
                        ))
                    }
                }
            }
            None => 0,
        };
        for plan in &self.topics {
            let Some(variable) = plan.variables[category] else { continue };
            // A topic absent from a row (a download with a selection of topics) gives no figure at all.
            let Some(cell) = cells.get(plan.column).and_then(Option::as_ref) else { continue };
            let field = &self.columns[plan.column];
            let value = match cell {
                Cell::Null => Value::missing(),
                Cell::Number(n) => special_code(*n).unwrap_or(Value::final_(*n)),
                Cell::Text(t) => parse_cell(t, Decimal::Point).map_err(|m| RowError::at(field, m))?,
                Cell::Other(what) => return Err(RowError::at(field, format!("{field} is {what}, not a number"))),
            };
            let value = match (value.number(), provisional) {
                (Some(n), true) => Value::provisional(n),
                _ => value,
            };
            if !self.seen.insert((region, period, variable as u32)) {
                let region = &self.region_codes[region as usize];
                let period = self.periods.get(period as usize).copied().or(self.fixed_period);
                let period = period.map(|p| p.to_string()).unwrap_or_default();
                return Err(RowError {
                    field: None,
                    message: format!(
                        "this row repeats region {region}, period {period} of an earlier row (variable {})",
                        self.variables[variable]
                    ),
                });
            }
            let period = match self.time {
                Some(_) => self.periods[period as usize],
                None => self.fixed_period.unwrap_or(Period::Year(0)),
            };
            self.observations.push(Observation {
                region: self.region_codes[region as usize].clone(),
                period,
                variable: self.variables[variable].to_string(),
                value,
            });
        }
        Ok(())
    }
}

/// The numeric special codes CBS uses in some products, read the same way as in text cells (see
/// [`crate::values`]), so a table gives the same figures in JSON and in CSV.
pub(super) fn special_code(n: f64) -> Option<Value> {
    let code = [-99997.0, -99995.0, -99991.0].into_iter().find(|&c| c == n)?;
    parse_cell(&format!("{code}"), Decimal::Point).ok()
}

/// Formats a short list for a note: the first `max` items and how many more there are.
pub(super) fn short_list(items: &[String], max: usize) -> String {
    let mut text = items.iter().take(max).cloned().collect::<Vec<_>>().join("; ");
    if items.len() > max {
        text.push_str(&format!("; and {} more", items.len() - max));
    }
    text
}
