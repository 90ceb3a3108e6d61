//! The delineation of each focus area in every period the database has figures for, as the engine follows it:
//! the regions of that period's classification that make up the area (its own buurt codes, buurten of another
//! classification through a crosswalk with their share, or wijken standing in for their buurten) and what is
//! left unmatched, with its share of the area's inhabitants. The areas are defined on one classification year;
//! this is how they read in the classifications of the other years.

use anyhow::Result;
use wijkmonitor_engine::{Crosswalk, Geography};
use wijkmonitor_model::{FocusAreaSet, Period, RegionCode, RegionKind};
use wijkmonitor_store::Store;

/// How a region comes to be part of an area in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// A buurt code of the delineation with figures that period.
    SameCode,
    /// A buurt of the period's classification, with the share a crosswalk gives it.
    Crosswalk,
    /// A wijk wholly inside the area, standing in for its buurten.
    Wijk,
}

impl How {
    pub fn as_str(self) -> &'static str {
        match self {
            How::SameCode => "same_code",
            How::Crosswalk => "crosswalk",
            How::Wijk => "wijk",
        }
    }
}

/// One region of an area in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub code: RegionCode,
    /// The region's weight in the area (1, or a crosswalk share).
    pub weight: f64,
    pub how: How,
}

/// An area in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaPeriod {
    pub area: String,
    pub period: Period,
    pub members: Vec<Member>,
    /// Buurten of the delineation matched to nothing that period.
    pub unmatched: Vec<RegionCode>,
    /// Their share of the area's inhabitants, where known.
    pub unmatched_share: Option<f64>,
}

/// Every area in every period of the database.
pub fn by_period(store: &Store, areas: &FocusAreaSet, crosswalk: &Crosswalk) -> Result<Vec<AreaPeriod>> {
    let loaded = crate::recompute::load(store, areas)?;
    let ds = &loaded.ds;
    let geo = Geography::build(ds, areas, crosswalk, &loaded.names);
    let mut out = Vec::new();
    for area in &areas.areas {
        let Some(t) = geo.target(&area.id) else { continue };
        for (p, period) in ds.periods.iter().enumerate() {
            let members: Vec<Member> = geo.targets[t].members[p]
                .iter()
                .map(|&(r, weight)| {
                    let code = ds.regions[r as usize].clone();
                    let how = if code.kind() == RegionKind::District {
                        How::Wijk
                    } else if area.buurten.contains(&code) {
                        How::SameCode
                    } else {
                        How::Crosswalk
                    };
                    Member { code, weight, how }
                })
                .collect();
            let unmatched = geo.unmatched.iter().find(|u| u.area == area.id && u.period_index == p);
            if members.is_empty() && unmatched.is_none() {
                // No figures of the area's municipality at all that period: nothing to delineate.
                continue;
            }
            out.push(AreaPeriod {
                area: area.id.clone(),
                period: *period,
                members,
                unmatched: unmatched.map(|u| u.buurten.clone()).unwrap_or_default(),
                unmatched_share: unmatched.map_or(Some(0.0), |u| u.population_share),
            });
        }
    }
    Ok(out)
}

/// The delineation per period as CSV: `area_id,period,region_code,weight,how`, with the unmatched buurten as
/// rows of weight 0 and `how` = `unmatched`.
pub fn csv(rows: &[AreaPeriod]) -> String {
    let mut out = String::from("area_id,period,region_code,weight,how\n");
    for r in rows {
        for m in &r.members {
            out.push_str(&format!("{},{},{},{},{}\n", r.area, r.period, m.code, m.weight, m.how.as_str()));
        }
        for b in &r.unmatched {
            out.push_str(&format!("{},{},{b},0,unmatched\n", r.area, r.period));
        }
    }
    out
}
