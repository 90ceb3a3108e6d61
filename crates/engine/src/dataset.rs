//! The figures the engine computes from, laid out in columns: one array over all regions per variable and
//! period, so that aggregating is a tight loop over memory rather than a hash lookup per figure.
//!
//! Next to the columns, the dataset holds the figures that exist per focus area rather than per buurt (accepted
//! answers of the yearly request, figures from the programme register): [`AreaInput`]s, added with
//! [`Dataset::with_area_inputs`]. There are few of them (areas x variables x years), so they are kept in a map.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use wijkmonitor_model::{Observation, Period, RegionCode, Status, Value};

/// Status codes in the columns. `ABSENT` marks a cell no source filled.
pub const ABSENT: u8 = 0;

pub(crate) fn status_code(s: Status) -> u8 {
    match s {
        Status::Final => 1,
        Status::Provisional => 2,
        Status::Missing => 3,
        Status::Secret => 4,
        Status::NotYetPublished => 5,
    }
}

/// The status of a status code; `ABSENT` reads as missing.
pub fn status_of(code: u8) -> Status {
    match code {
        1 => Status::Final,
        2 => Status::Provisional,
        4 => Status::Secret,
        5 => Status::NotYetPublished,
        _ => Status::Missing,
    }
}

/// A figure supplied for a whole focus area (a request answer or a register figure), with the import that
/// recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaInput {
    /// The area id of the delineation.
    pub area: String,
    pub period: Period,
    pub variable: String,
    pub value: Value,
    pub import_id: i64,
}

/// Columnar figures: `value[v][p][r]` and `status[v][p][r]` for variable `v`, period `p`, region `r`.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub regions: Vec<RegionCode>,
    pub periods: Vec<Period>,
    pub variables: Vec<String>,
    region_index: HashMap<RegionCode, u32>,
    variable_index: HashMap<String, usize>,
    /// NaN where there is no number.
    values: Vec<f64>,
    status: Vec<u8>,
    /// Regions that have at least one figure (of any status) in a period: `exists[p][r]`.
    exists: Vec<Vec<bool>>,
    /// The imports that filled each (variable, period).
    sources: Vec<BTreeSet<i64>>,
    /// Figures per focus area: (variable, period index) -> area id -> (value, import id).
    area_inputs: HashMap<(String, usize), BTreeMap<String, (Value, i64)>>,
}

impl Dataset {
    /// Builds the columns from observations with the import each came from.
    pub fn from_observations<'a>(rows: impl IntoIterator<Item = (&'a Observation, i64)> + Clone) -> Dataset {
        let mut regions: BTreeSet<&RegionCode> = BTreeSet::new();
        let mut periods: BTreeSet<Period> = BTreeSet::new();
        let mut variables: BTreeSet<&str> = BTreeSet::new();
        for (o, _) in rows.clone() {
            regions.insert(&o.region);
            periods.insert(o.period);
            variables.insert(&o.variable);
        }
        let mut ds = Dataset::empty(
            regions.into_iter().cloned().collect(),
            periods.into_iter().collect(),
            variables.into_iter().map(str::to_string).collect(),
        );
        for (o, import_id) in rows {
            ds.set(&o.region, o.period, &o.variable, o.value, import_id);
        }
        ds
    }

    /// An empty dataset with the given axes (every cell absent).
    pub fn empty(regions: Vec<RegionCode>, periods: Vec<Period>, variables: Vec<String>) -> Dataset {
        let n = regions.len() * periods.len() * variables.len();
        Dataset {
            region_index: regions.iter().enumerate().map(|(i, r)| (r.clone(), i as u32)).collect(),
            variable_index: variables.iter().enumerate().map(|(i, v)| (v.clone(), i)).collect(),
            exists: vec![vec![false; regions.len()]; periods.len()],
            sources: vec![BTreeSet::new(); variables.len() * periods.len()],
            area_inputs: HashMap::new(),
            values: vec![f64::NAN; n],
            status: vec![ABSENT; n],
            regions,
            periods,
            variables,
        }
    }

    /// Adds figures supplied per focus area. Periods that only these figures have (a register year without any
    /// buurt figures yet) are added to the period axis, so that the engine computes them too. Of two inputs for
    /// the same area, period and variable the later one wins (the store keeps only one).
    pub fn with_area_inputs(mut self, inputs: &[AreaInput]) -> Dataset {
        let extra: BTreeSet<Period> =
            inputs.iter().map(|i| i.period).filter(|q| self.period_index(*q).is_none()).collect();
        if !extra.is_empty() {
            self = self.with_periods(extra);
        }
        for input in inputs {
            if let Some(p) = self.period_index(input.period) {
                self.area_inputs
                    .entry((input.variable.clone(), p))
                    .or_default()
                    .insert(input.area.clone(), (input.value, input.import_id));
            }
        }
        self
    }

    /// The same figures on a period axis extended by `extra` (sorted). Copies every column once, which happens
    /// only when area figures bring a period the buurt figures do not have.
    fn with_periods(self, extra: BTreeSet<Period>) -> Dataset {
        let mut periods = self.periods.clone();
        periods.extend(extra);
        periods.sort();
        let mut ds = Dataset::empty(self.regions.clone(), periods, self.variables.clone());
        let n_regions = self.regions.len();
        for (p_old, period) in self.periods.iter().enumerate() {
            let Some(p_new) = ds.period_index(*period) else { continue };
            ds.exists[p_new].clone_from(&self.exists[p_old]);
            for v in 0..self.variables.len() {
                let (from, to) = (self.offset(v, p_old), ds.offset(v, p_new));
                ds.values[to..to + n_regions].copy_from_slice(&self.values[from..from + n_regions]);
                ds.status[to..to + n_regions].copy_from_slice(&self.status[from..from + n_regions]);
                ds.sources[v * ds.periods.len() + p_new].clone_from(&self.sources[v * self.periods.len() + p_old]);
            }
        }
        for ((variable, p_old), by_area) in self.area_inputs {
            if let Some(p_new) = ds.period_index(self.periods[p_old]) {
                ds.area_inputs.insert((variable, p_new), by_area);
            }
        }
        ds
    }

    /// The figure an area supplied for a variable in a period, with its import.
    pub fn area_input(&self, variable: &str, p: usize, area: &str) -> Option<(Value, i64)> {
        // A tuple key with an owned String cannot be looked up by `&str` without building the String.
        self.area_inputs.get(&(variable.to_string(), p)).and_then(|m| m.get(area)).copied()
    }

    /// Whether any area supplied a figure for `variable` (in any period).
    pub fn has_area_inputs(&self, variable: &str) -> bool {
        self.area_inputs.keys().any(|(v, _)| v == variable)
    }

    fn offset(&self, v: usize, p: usize) -> usize {
        (v * self.periods.len() + p) * self.regions.len()
    }

    /// Sets one cell; regions, periods and variables outside the axes are ignored.
    pub fn set(&mut self, region: &RegionCode, period: Period, variable: &str, value: Value, import_id: i64) {
        let (Some(&r), Some(p), Some(&v)) = (
            self.region_index.get(region),
            self.periods.iter().position(|x| *x == period),
            self.variable_index.get(variable),
        ) else {
            return;
        };
        let at = self.offset(v, p) + r as usize;
        self.values[at] = value.number().unwrap_or(f64::NAN);
        self.status[at] = status_code(value.status());
        self.exists[p][r as usize] = true;
        let periods = self.periods.len();
        self.sources[v * periods + p].insert(import_id);
    }

    pub fn region_index(&self, code: &RegionCode) -> Option<u32> {
        self.region_index.get(code).copied()
    }

    pub fn variable_index(&self, id: &str) -> Option<usize> {
        self.variable_index.get(id).copied()
    }

    pub fn period_index(&self, period: Period) -> Option<usize> {
        self.periods.iter().position(|p| *p == period)
    }

    /// The values of a variable in a period over all regions (NaN where there is no number).
    pub fn values(&self, v: usize, p: usize) -> &[f64] {
        let at = self.offset(v, p);
        &self.values[at..at + self.regions.len()]
    }

    /// The status codes of a variable in a period over all regions.
    pub fn statuses(&self, v: usize, p: usize) -> &[u8] {
        let at = self.offset(v, p);
        &self.status[at..at + self.regions.len()]
    }

    /// Mutable access for generators (benchmarks): values and statuses of one variable and period.
    pub fn column_mut(&mut self, v: usize, p: usize) -> (&mut [f64], &mut [u8]) {
        let at = self.offset(v, p);
        let n = self.regions.len();
        for e in self.exists[p].iter_mut() {
            *e = true;
        }
        (&mut self.values[at..at + n], &mut self.status[at..at + n])
    }

    /// Whether a region has any figure in a period.
    pub fn exists(&self, p: usize, r: u32) -> bool {
        self.exists[p][r as usize]
    }

    /// The imports behind a variable in a period.
    pub fn sources(&self, v: usize, p: usize) -> &BTreeSet<i64> {
        &self.sources[v * self.periods.len() + p]
    }

    /// The value of one cell, if it has a number.
    pub fn number(&self, v: usize, p: usize, r: u32) -> Option<f64> {
        let x = self.values(v, p)[r as usize];
        (!x.is_nan()).then_some(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_numbers_and_statuses() {
        let gm = RegionCode::parse("GM0363").unwrap();
        let bu = RegionCode::parse("BU03630000").unwrap();
        let rows = [
            Observation {
                region: gm.clone(),
                period: Period::Year(2019),
                variable: "inhabitants".into(),
                value: Value::final_(10.0),
            },
            Observation {
                region: bu.clone(),
                period: Period::Year(2019),
                variable: "inhabitants".into(),
                value: Value::absent(Status::Secret),
            },
        ];
        let ds = Dataset::from_observations(rows.iter().map(|o| (o, 7)));
        let v = ds.variable_index("inhabitants").unwrap();
        let r = ds.region_index(&gm).unwrap();
        assert_eq!(ds.number(v, 0, r), Some(10.0));
        let b = ds.region_index(&bu).unwrap();
        assert_eq!(ds.number(v, 0, b), None);
        assert_eq!(status_of(ds.statuses(v, 0)[b as usize]), Status::Secret);
        assert!(ds.exists(0, b));
        assert_eq!(ds.sources(v, 0).iter().copied().collect::<Vec<_>>(), vec![7]);
    }

    #[test]
    fn area_inputs_extend_the_periods_and_keep_the_columns() {
        let bu = RegionCode::parse("BU03630000").unwrap();
        let rows = [2018, 2020].map(|y| Observation {
            region: bu.clone(),
            period: Period::Year(y),
            variable: "inhabitants".into(),
            value: Value::final_(f64::from(y)),
        });
        let ds = Dataset::from_observations(rows.iter().map(|o| (o, 3)));
        let input = |area: &str, year: i32, x: f64, import_id: i64| AreaInput {
            area: area.into(),
            period: Period::Year(year),
            variable: "starts".into(),
            value: Value::final_(x),
            import_id,
        };
        let ds = ds.with_area_inputs(&[input("a", 2019, 5.0, 8), input("a", 2026, 7.0, 9), input("b", 2020, 1.0, 10)]);
        assert_eq!(ds.periods, [2018, 2019, 2020, 2026].map(Period::Year));
        let v = ds.variable_index("inhabitants").unwrap();
        let r = ds.region_index(&bu).unwrap();
        assert_eq!((0..4).map(|p| ds.number(v, p, r)).collect::<Vec<_>>(), [Some(2018.0), None, Some(2020.0), None]);
        assert_eq!((0..4).map(|p| ds.exists(p, r)).collect::<Vec<_>>(), [true, false, true, false]);
        assert_eq!(ds.sources(v, 2).iter().copied().collect::<Vec<_>>(), vec![3]);
        assert!(ds.sources(v, 1).is_empty());
        assert_eq!(ds.area_input("starts", 1, "a"), Some((Value::final_(5.0), 8)));
        assert_eq!(ds.area_input("starts", 3, "a"), Some((Value::final_(7.0), 9)));
        assert_eq!(ds.area_input("starts", 2, "b"), Some((Value::final_(1.0), 10)));
        assert_eq!(ds.area_input("starts", 2, "a"), None);
        assert!(ds.has_area_inputs("starts") && !ds.has_area_inputs("inhabitants"));
    }
}
