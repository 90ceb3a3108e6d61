//! What the engine computes figures for: buurten, wijken, gemeenten, the Netherlands, focus areas, the rest of
//! each area's municipality, and all focus areas together; and, per period, which buurten (with which weight)
//! make up each of them.
//!
//! Areas are defined on one classification year, but figures come in the classification of their own year.
//! A buurt code of the area that has figures in a period is used as it is ("identical codes"). Otherwise an
//! explicit crosswalk maps codes of the data's classification onto the area's codes with a share: the
//! fraction of the data buurt's population that lies in the area buurt. What still cannot be matched is
//! reported per area and period with the share of the area's population it holds.
//!
//! Some sources publish wijken only for some years (the Leefbaarometer's wijk file runs to 2022, its buurt file
//! to 2020). Where a buurt of a wijk that lies wholly in an area (every buurt of the wijk in the area's
//! classification year belongs to the area) is unmatched in a period that has the wijk's own figures, the wijk
//! stands in for all its buurten in that period. A gemeente
//! or the Netherlands without any buurt in a period is likewise made of its wijken. The rest of a municipality
//! is made of the same level as its area: buurten when the area matched at buurt level (up to
//! [`REST_TOLERANCE`] of its inhabitants unmatched), wijken when the area is made of wijken only, and nothing
//! (so missing) when the two are mixed or too much is unmatched, since it would then hold part of the area.

use crate::dataset::Dataset;
use std::collections::{BTreeMap, HashMap};
use wijkmonitor_model::{FocusAreaSet, Located, Period, RegionCode, RegionKind};

pub use wijkmonitor_model::target::{rest_id, TargetKind, ALL_AREAS_ID};

/// One target.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub kind: TargetKind,
    /// A region code, an area id, `rest:<area id>` or [`ALL_AREAS_ID`].
    pub id: String,
    pub name: String,
    pub municipality: Option<RegionCode>,
    /// For areas and rests: the area id.
    pub area: Option<String>,
    /// The dataset region whose own (published) figures are used when present.
    pub own: Option<u32>,
    /// Per period: the buurten (dataset region index) and their weight (1 unless a crosswalk share applies).
    pub members: Vec<Vec<(u32, f64)>>,
    /// Per period, the part of an area left unmatched: the inhabitants of its unmatched buurten where known,
    /// and how many unmatched buurten have no known inhabitants (for all areas together, summed over the areas).
    /// Empty for other targets. Coverage counts
    /// them as not covered, and a sum over an area with unmatched buurten is incomplete.
    pub unmatched: Vec<(f64, f64)>,
}

/// The largest share of an area's inhabitants that may be unmatched in a period for the rest of its
/// municipality to be computed from the buurten outside it.
pub const REST_TOLERANCE: f64 = 0.02;

/// One row of a crosswalk between classification years.
#[derive(Debug, Clone, PartialEq)]
pub struct CrosswalkRow {
    pub from_year: i32,
    pub from: RegionCode,
    pub to_year: i32,
    pub to: RegionCode,
    /// The fraction of `from`'s population that lies in `to` (0-1].
    pub share: f64,
}

/// A crosswalk file: `from_year,from_code,to_year,to_code,share`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Crosswalk {
    pub rows: Vec<CrosswalkRow>,
}

impl Crosswalk {
    /// Parses a crosswalk CSV; problems are reported with line and column. The shares of one `from` code into
    /// one target year may not add up to more than 1.
    pub fn parse(text: &str, file: &str) -> Result<Crosswalk, Located> {
        const HEADER: [&str; 5] = ["from_year", "from_code", "to_year", "to_code", "share"];
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header = reader.headers().map_err(|e| Located::at(file, 1, 0, e.to_string()))?.clone();
        if header.iter().map(str::trim).collect::<Vec<_>>() != HEADER {
            return Err(Located::at(file, 1, 1, format!("expected the header '{}'", HEADER.join(","))));
        }
        let mut rows = Vec::new();
        let mut totals: HashMap<(i32, RegionCode, i32), (f64, u64)> = HashMap::new();
        for record in reader.records() {
            let record =
                record.map_err(|e| Located::at(file, e.position().map_or(0, |p| p.line()), 0, e.to_string()))?;
            let line = record.position().map_or(0, |p| p.line());
            let field = |i: usize| record.get(i).unwrap_or("").trim();
            let year = |i: usize| {
                field(i)
                    .parse::<i32>()
                    .map_err(|_| Located::at(file, line, i as u64 + 1, format!("'{}' is not a year", field(i))))
            };
            let code = |i: usize| {
                RegionCode::parse(field(i)).map_err(|e| Located::at(file, line, i as u64 + 1, e.to_string())).and_then(
                    |c| match c.kind() {
                        RegionKind::Neighbourhood => Ok(c),
                        _ => Err(Located::at(file, line, i as u64 + 1, format!("{c} is not a buurt code"))),
                    },
                )
            };
            let share: f64 =
                field(4).parse().ok().filter(|s: &f64| *s > 0.0 && *s <= 1.0).ok_or_else(|| {
                    Located::at(file, line, 5, format!("'{}' is not a share between 0 and 1", field(4)))
                })?;
            let row = CrosswalkRow { from_year: year(0)?, from: code(1)?, to_year: year(2)?, to: code(3)?, share };
            let total = totals.entry((row.from_year, row.from.clone(), row.to_year)).or_insert((0.0, line));
            total.0 += share;
            if total.0 > 1.0 + 1e-9 {
                return Err(Located::at(
                    file,
                    line,
                    5,
                    format!(
                        "the shares of {} ({}) into {} add up to more than 1",
                        row.from, row.from_year, row.to_year
                    ),
                ));
            }
            rows.push(row);
        }
        Ok(Crosswalk { rows })
    }
}

/// Buurten of an area that could not be matched to figures in a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Unmatched {
    pub area: String,
    pub period_index: usize,
    pub buurten: Vec<RegionCode>,
    /// The share of the area's inhabitants in those buurten, where the inhabitants are known.
    pub population_share: Option<f64>,
}

/// What an area is made of in one period.
#[derive(Clone, Copy)]
enum Made {
    /// Buurten, with at most [`REST_TOLERANCE`] of the inhabitants unmatched.
    Buurten,
    /// Wijken only, all of the area matched.
    Wijken,
    /// Both, or too much unmatched: the rest of the municipality cannot be told apart.
    Mixed,
}

/// All targets and the matching report.
#[derive(Debug, Clone)]
pub struct Geography {
    pub targets: Vec<Target>,
    pub unmatched: Vec<Unmatched>,
    index: HashMap<String, usize>,
}

impl Geography {
    pub fn target(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Builds every target for the dataset. `names` gives region names (from the store's code lists).
    pub fn build(
        ds: &Dataset,
        areas: &FocusAreaSet,
        crosswalk: &Crosswalk,
        names: &HashMap<RegionCode, String>,
    ) -> Geography {
        let n_periods = ds.periods.len();
        let name_of = |code: &RegionCode| names.get(code).cloned().unwrap_or_else(|| code.to_string());
        let mut targets = Vec::new();
        // Buurten of each wijk and gemeente, and all buurten, by dataset index.
        let mut by_wijk: BTreeMap<RegionCode, Vec<u32>> = BTreeMap::new();
        let mut by_gemeente: BTreeMap<RegionCode, Vec<u32>> = BTreeMap::new();
        let mut all_buurten = Vec::new();
        // Wijken with figures of their own, per gemeente and in all.
        let mut wijken_of: BTreeMap<RegionCode, Vec<u32>> = BTreeMap::new();
        let mut all_wijken = Vec::new();
        for (i, code) in ds.regions.iter().enumerate() {
            let i = i as u32;
            match code.kind() {
                RegionKind::Neighbourhood => {
                    all_buurten.push(i);
                    if let Some(w) = code.parent() {
                        by_wijk.entry(w).or_default().push(i);
                    }
                    if let Some(g) = code.municipality() {
                        by_gemeente.entry(g).or_default().push(i);
                    }
                }
                RegionKind::District => {
                    all_wijken.push(i);
                    if let Some(g) = code.municipality() {
                        wijken_of.entry(g).or_default().push(i);
                    }
                }
                _ => {}
            }
        }
        // The buurten present in each period; a period without any is made of the wijken present in it.
        let present = |buurten: &[u32], wijken: &[u32]| -> Vec<Vec<(u32, f64)>> {
            (0..n_periods)
                .map(|p| {
                    let mut members: Vec<(u32, f64)> =
                        buurten.iter().filter(|&&m| ds.exists(p, m)).map(|&m| (m, 1.0)).collect();
                    if members.is_empty() {
                        members = wijken.iter().filter(|&&m| ds.exists(p, m)).map(|&m| (m, 1.0)).collect();
                    }
                    members
                })
                .collect()
        };
        // CBS regions: every code in the dataset, plus wijken and gemeenten known only through their buurten.
        let mut cbs_codes: Vec<RegionCode> = ds.regions.clone();
        cbs_codes.extend(by_wijk.keys().cloned());
        cbs_codes.extend(by_gemeente.keys().cloned());
        cbs_codes.sort();
        cbs_codes.dedup();
        for code in cbs_codes {
            let own = ds.region_index(&code);
            let (kind, members) = match code.kind() {
                RegionKind::Neighbourhood => (TargetKind::Buurt, own.map(|o| present(&[o], &[])).unwrap_or_default()),
                RegionKind::District => {
                    (TargetKind::Wijk, present(by_wijk.get(&code).map_or(&[][..], Vec::as_slice), &[]))
                }
                RegionKind::Municipality => (
                    TargetKind::Gemeente,
                    present(
                        by_gemeente.get(&code).map_or(&[][..], Vec::as_slice),
                        wijken_of.get(&code).map_or(&[][..], Vec::as_slice),
                    ),
                ),
                RegionKind::Country => (TargetKind::Netherlands, present(&all_buurten, &all_wijken)),
            };
            let members = if members.is_empty() { vec![Vec::new(); n_periods] } else { members };
            targets.push(Target {
                kind,
                name: name_of(&code),
                id: code.to_string(),
                municipality: code.municipality(),
                area: None,
                own,
                members,
                unmatched: Vec::new(),
            });
        }

        // Focus areas, their rests and all areas together.
        let inhabitants = ds.variable_index("inhabitants");
        let population = |r: u32| -> Option<f64> {
            let v = inhabitants?;
            (0..n_periods).rev().find_map(|p| ds.number(v, p, r))
        };
        let mut unmatched = Vec::new();
        let mut all_members: Vec<BTreeMap<u32, f64>> = vec![BTreeMap::new(); n_periods];
        let mut all_unmatched: Vec<(f64, f64)> = vec![(0.0, 0.0); n_periods];
        for area in &areas.areas {
            let mut members: Vec<Vec<(u32, f64)>> = Vec::with_capacity(n_periods);
            // Per period, how the area was made: of buurten only (with the unmatched share), wijken only, or mixed.
            let mut made_of: Vec<Made> = Vec::with_capacity(n_periods);
            let mut area_unmatched: Vec<(f64, f64)> = Vec::with_capacity(n_periods);
            let municipality_buurten = by_gemeente.get(&area.municipality).map_or(&[][..], Vec::as_slice);
            let municipality_wijken = wijken_of.get(&area.municipality).map_or(&[][..], Vec::as_slice);
            let in_area: std::collections::HashSet<&RegionCode> = area.buurten.iter().collect();
            // The area's wijken that lie wholly in it: every buurt of the wijk in the area's classification year
            // (every buurt the data know there, when that year has no figures) belongs to the area.
            let classification_period = ds.period_index(Period::Year(area.classification_year));
            let of_classification = |b: u32| classification_period.is_none_or(|cp| ds.exists(cp, b));
            let whole_wijken: BTreeMap<RegionCode, u32> = area
                .buurten
                .iter()
                .filter_map(RegionCode::parent)
                .filter(|w| {
                    by_wijk.get(w).is_some_and(|bs| {
                        bs.iter().filter(|&&b| of_classification(b)).all(|&b| in_area.contains(&ds.regions[b as usize]))
                    })
                })
                .filter_map(|w| ds.region_index(&w).map(|i| (w, i)))
                .collect();
            for (p, all_in_period) in all_members.iter_mut().enumerate() {
                // Each buurt's matches in this period: itself, or the crosswalk's data buurten with their share.
                let matches: Vec<Vec<(u32, f64)>> = area
                    .buurten
                    .iter()
                    .map(|buurt| {
                        if let Some(r) = ds.region_index(buurt).filter(|&r| ds.exists(p, r)) {
                            return vec![(r, 1.0)];
                        }
                        crosswalk
                            .rows
                            .iter()
                            .filter(|row| &row.to == buurt && row.to_year == area.classification_year)
                            .filter_map(|row| {
                                ds.region_index(&row.from).filter(|&r| ds.exists(p, r)).map(|r| (r, row.share))
                            })
                            .collect()
                    })
                    .collect();
                // A wholly contained wijk with figures of its own in this period stands in for its buurten when
                // any of them is unmatched: its own figure is complete where theirs is not.
                let replaced: Vec<(&RegionCode, u32)> = whole_wijken
                    .iter()
                    .filter(|(wijk, &w)| {
                        ds.exists(p, w)
                            && area
                                .buurten
                                .iter()
                                .zip(&matches)
                                .any(|(b, m)| m.is_empty() && b.parent().as_ref() == Some(*wijk))
                    })
                    .map(|(wijk, &w)| (wijk, w))
                    .collect();
                let in_replaced = |b: &RegionCode| b.parent().is_some_and(|w| replaced.iter().any(|(r, _)| **r == w));
                let mut weights: BTreeMap<u32, f64> = BTreeMap::new();
                let mut missing = Vec::new();
                for (buurt, found) in area.buurten.iter().zip(&matches) {
                    if in_replaced(buurt) {
                        continue;
                    }
                    if found.is_empty() {
                        missing.push(buurt.clone());
                    }
                    for &(r, share) in found {
                        *weights.entry(r).or_default() += share;
                    }
                }
                for w in weights.values_mut() {
                    *w = w.min(1.0);
                }
                let any_buurt = !weights.is_empty();
                let any_wijk = !replaced.is_empty();
                for &(_, w) in &replaced {
                    weights.insert(w, 1.0);
                }
                // Report only where the municipality has figures at all in this period.
                let municipality_has_data =
                    municipality_buurten.iter().chain(municipality_wijken).any(|&m| ds.exists(p, m));
                let pop = |codes: &[RegionCode]| -> Option<f64> {
                    codes.iter().map(|c| ds.region_index(c).and_then(population)).sum::<Option<f64>>()
                };
                let population_share = match (pop(&missing), pop(&area.buurten)) {
                    _ if missing.is_empty() => Some(0.0),
                    (Some(m), Some(t)) if t > 0.0 => Some(m / t),
                    _ => None,
                };
                made_of.push(match (any_buurt, any_wijk) {
                    (_, false) if population_share.is_some_and(|s| s <= REST_TOLERANCE) => Made::Buurten,
                    (false, true) if missing.is_empty() => Made::Wijken,
                    _ => Made::Mixed,
                });
                area_unmatched.push(missing.iter().fold((0.0, 0.0), |(known, unknown), b| {
                    match ds.region_index(b).and_then(population) {
                        Some(pop) => (known + pop, unknown),
                        None => (known, unknown + 1.0),
                    }
                }));
                if !missing.is_empty() && municipality_has_data {
                    unmatched.push(Unmatched {
                        area: area.id.clone(),
                        period_index: p,
                        population_share,
                        buurten: missing,
                    });
                }
                for (&r, &w) in &weights {
                    let total = all_in_period.entry(r).or_default();
                    *total = (*total + w).min(1.0);
                }
                members.push(weights.into_iter().collect());
            }
            let rest: Vec<Vec<(u32, f64)>> = (0..n_periods)
                .map(|p| {
                    let in_area: HashMap<u32, f64> = members[p].iter().copied().collect();
                    let outside = |level: &[u32]| -> Vec<(u32, f64)> {
                        level
                            .iter()
                            .filter(|&&m| ds.exists(p, m))
                            .filter_map(|&m| {
                                let w = 1.0 - in_area.get(&m).copied().unwrap_or(0.0);
                                (w > 1e-12).then_some((m, w))
                            })
                            .collect()
                    };
                    match made_of[p] {
                        Made::Buurten => outside(municipality_buurten),
                        Made::Wijken => outside(municipality_wijken),
                        Made::Mixed => Vec::new(),
                    }
                })
                .collect();
            for (total, part) in all_unmatched.iter_mut().zip(&area_unmatched) {
                *total = (total.0 + part.0, total.1 + part.1);
            }
            targets.push(Target {
                kind: TargetKind::Area,
                id: area.id.clone(),
                name: area.name.clone(),
                municipality: Some(area.municipality.clone()),
                area: Some(area.id.clone()),
                own: None,
                members,
                unmatched: area_unmatched,
            });
            targets.push(Target {
                kind: TargetKind::RestOfMunicipality,
                id: rest_id(&area.id),
                name: format!("{} zonder {}", name_of(&area.municipality), area.name),
                municipality: Some(area.municipality.clone()),
                area: Some(area.id.clone()),
                own: None,
                members: rest,
                unmatched: Vec::new(),
            });
        }
        if !areas.areas.is_empty() {
            targets.push(Target {
                kind: TargetKind::AllAreas,
                id: ALL_AREAS_ID.to_string(),
                name: "Alle focusgebieden".to_string(),
                municipality: None,
                area: None,
                own: None,
                members: all_members.into_iter().map(|m| m.into_iter().collect()).collect(),
                unmatched: all_unmatched,
            });
        }
        let index = targets.iter().enumerate().map(|(i, t)| (t.id.clone(), i)).collect();
        Geography { targets, unmatched, index }
    }
}
