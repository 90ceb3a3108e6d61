//! The figures the engine computes from, laid out in columns: one array over all regions per variable and
//! period, so that aggregating is a tight loop over memory rather than a hash lookup per figure.

use std::collections::{BTreeSet, HashMap};
use wijkmonitor_model::{Observation, Period, RegionCode, Status, Value};

/// Status codes in the columns. `ABSENT` marks a cell no source filled.
pub const ABSENT: u8 = 0;

fn status_code(s: Status) -> u8 {
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
            values: vec![f64::NAN; n],
            status: vec![ABSENT; n],
            regions,
            periods,
            variables,
        }
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
}
