//! Disclosure control, applied to computed figures before anything is shown or exported.
//!
//! 1. **Primary suppression** per figure, with the rule the indicator names (`data/catalogue/disclosure.toml`):
//!    a base below the rule's threshold (e.g. fewer than 100 households for an income share) or a value in the
//!    secret range (youth care 0-7) makes the figure secret; counts are rounded to the rule's multiple. The
//!    thresholds apply to every aggregate again, not only to the buurten CBS already protected.
//! 2. **Complementary suppression.** Published figures are linked by additive relations: a municipality is its
//!    area plus the rest, an area is its buurten, all areas are the areas, a wijk is its buurten, a gemeente is
//!    its wijken, the Netherlands is its gemeenten. Anyone who knows all but one figure of a relation can compute the last by subtraction (for
//!    ratios, approximately, from the published bases). The engine plays that attacker: it recovers every figure
//!    that is the only unknown of a relation, repeatedly, and whenever a secret figure would be recovered it
//!    suppresses one more published figure of that relation (the smallest child, else the parent) and starts
//!    again, until no secret figure can be recovered.
//!
//! 3. **Linked indicators.** Some indicators give each other away at the same region and period: a count and
//!    its rate (`wmo_clients` and `wmo_clients_per_1000`: rate × inhabitants / 1000 is the count), a count and
//!    the share of it (`youth_care`, `youth_care_share`). The catalogue declares these links
//!    ([`wijkmonitor_model::catalogue::DisclosureLink`]); a figure that is secret in one indicator is made secret
//!    in every indicator it is linked to, and complementary suppression runs again on what changed, until
//!    nothing travels any more. The suppression patterns of linked indicators end up equal, so the attacker
//!    learns nothing from combining them that one of them alone would not tell.
//!
//! For indicators supplied per focus area ([`crate::area_level`]) the only figures are those of the areas and
//! of all areas together, and the total is the sum over the areas that had a number. The one relation is then
//! "all areas = those areas", taken before primary suppression, so that suppressing an area's small figure
//! also protects it against subtraction from the total.

use crate::compute::{Reason, Results};
use crate::geography::{Geography, TargetKind};
use std::collections::HashMap;
use wijkmonitor_model::catalogue::Aggregation;
use wijkmonitor_model::disclosure::DisclosureRules;
use wijkmonitor_model::Catalogue;

const SECRET: u8 = 4;

/// An additive relation between targets: a parent and the children it is the sum of.
pub type Relation = (u32, Vec<u32>);

/// The additive relations between targets: `(parent, children)`, children with full weight only.
pub fn relations(geo: &Geography, period: usize) -> Vec<(u32, Vec<u32>)> {
    let mut relations = Vec::new();
    // Dataset region index -> target index, for buurt targets.
    let mut buurt_target: HashMap<u32, u32> = HashMap::new();
    let mut by_parent: HashMap<String, Vec<u32>> = HashMap::new();
    for (t, target) in geo.targets.iter().enumerate() {
        if target.kind == TargetKind::Buurt {
            if let Some(own) = target.own {
                buurt_target.insert(own, t as u32);
            }
        }
        if matches!(target.kind, TargetKind::Buurt | TargetKind::Wijk) {
            let code = &target.id;
            let parent = if target.kind == TargetKind::Buurt {
                format!("WK{}", &code[2..8])
            } else {
                format!("GM{}", &code[2..6])
            };
            by_parent.entry(parent).or_default().push(t as u32);
        }
    }
    let children_of = |members: &[(u32, f64)]| -> Option<Vec<u32>> {
        // A relation holds only when every member counts in full.
        members
            .iter()
            .map(|&(m, w)| if (w - 1.0).abs() < 1e-12 { buurt_target.get(&m).copied() } else { None })
            .collect()
    };
    let mut areas_of_gemeente: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
    let mut all_areas = Vec::new();
    let mut all_target = None;
    for (t, target) in geo.targets.iter().enumerate() {
        let t = t as u32;
        match target.kind {
            TargetKind::Wijk | TargetKind::Gemeente => {
                if let Some(children) = by_parent.get(&target.id) {
                    relations.push((t, children.clone()));
                }
            }
            TargetKind::Area | TargetKind::RestOfMunicipality => {
                if let Some(children) = children_of(&target.members[period]) {
                    if !children.is_empty() {
                        relations.push((t, children));
                    }
                }
                if target.kind == TargetKind::Area {
                    all_areas.push(t);
                    if let (Some(gm), Some(area)) = (&target.municipality, &target.area) {
                        if let Some(rest) = geo.target(&crate::geography::rest_id(area)) {
                            areas_of_gemeente.entry(gm.to_string()).or_default().push((t, rest as u32));
                        }
                    }
                }
            }
            TargetKind::AllAreas => all_target = Some(t),
            _ => {}
        }
    }
    for (gm, pairs) in areas_of_gemeente {
        if let Some(parent) = geo.target(&gm) {
            for (area, rest) in pairs {
                relations.push((parent as u32, vec![area, rest]));
            }
        }
    }
    if let Some(all) = all_target {
        relations.push((all, all_areas));
    }
    // The Netherlands is its gemeenten. Where the dataset holds only some of them and the Netherlands has its own
    // figure, this does not hold exactly, and protecting against it only costs a gemeente figure next to one
    // that is secret anyway.
    let gemeenten: Vec<u32> =
        geo.targets.iter().enumerate().filter(|(_, t)| t.kind == TargetKind::Gemeente).map(|(i, _)| i as u32).collect();
    if let Some(nl) = geo.targets.iter().position(|t| t.kind == TargetKind::Netherlands) {
        if !gemeenten.is_empty() {
            relations.push((nl as u32, gemeenten));
        }
    }
    relations
}

/// Applies primary and complementary suppression to every figure, and lets suppression travel along the
/// catalogue's links between indicators.
pub fn apply(results: &mut Results, geo: &Geography, catalogue: &Catalogue, rules: &DisclosureRules) {
    let n_periods = results.periods.len();
    let relations_per_period: Vec<Vec<(u32, Vec<u32>)>> = (0..n_periods).map(|p| relations(geo, p)).collect();
    let priority: Vec<u8> = geo.targets.iter().map(|t| keep_priority(t.kind)).collect();
    let all_areas = geo.target(crate::geography::ALL_AREAS_ID);
    // The relations of an indicator's column: area-level indicators have only "all areas = the areas that
    // supplied a figure", taken before primary suppression.
    let mut area_relations: Vec<Option<Vec<Relation>>> = vec![None; results.columns.len()];
    for i in 0..results.indicators.len() {
        let Some(indicator) = catalogue.indicator(&results.indicators[i]) else { continue };
        let rule = rules.get(&indicator.disclosure);
        let is_sum = matches!(indicator.aggregation, Aggregation::Sum { .. });
        let area_level = crate::area_level::is_area_level(catalogue, indicator);
        for (p, buurt_relations) in relations_per_period.iter().enumerate() {
            let col = results.column_mut(i, p);
            // The buurt relations say nothing about area-level figures (their buurten, wijken and gemeenten have
            // none), and playing the attacker over them would "recover" and then suppress cells that hold no
            // figure at all.
            if let (true, Some(all)) = (area_level, all_areas) {
                area_relations[i * n_periods + p] = Some(vec![(all as u32, crate::area_level::contributors(col, geo))]);
            }
            let relations = area_relations[i * n_periods + p].as_deref().unwrap_or(buurt_relations);
            if let Some(rule) = rule {
                for t in 0..col.value.len() {
                    if col.status[t] == crate::dataset::ABSENT {
                        continue;
                    }
                    if col.value[t].is_nan() {
                        // No number, but if the base is too small the figure is secret for that reason too, and
                        // the reader should learn why rather than see "missing".
                        if let Some(min) = &rule.min_base {
                            if col.base_of(t) < min.threshold && col.status[t] != SECRET {
                                suppress(col, t, Reason::BaseBelowThreshold);
                            }
                        }
                        continue;
                    }
                    let published_by_source =
                        geo.targets[t].own.is_some() && col.coverage[t] >= 1.0 && col.reason[t] == Reason::None as u8;
                    if let Some(min) = &rule.min_base {
                        let base = col.base_of(t);
                        // A figure the source itself published without a known base was already protected there.
                        let too_small = if base.is_nan() { !published_by_source } else { base < min.threshold };
                        if too_small {
                            suppress(col, t, Reason::BaseBelowThreshold);
                            continue;
                        }
                    }
                    if let Some(limit) = rule.secret_at_or_below {
                        if col.value[t] <= limit {
                            suppress(col, t, Reason::SmallValue);
                            continue;
                        }
                    }
                    if let (Some(step), true) = (rule.round_to, is_sum) {
                        col.value[t] = (col.value[t] / step).round() * step;
                    }
                }
            }
            complementary(col, relations, &priority);
        }
    }
    // Let suppression travel along the links, then protect what it suppressed, until nothing moves. Every round
    // only adds suppressions, so this ends.
    let edges: Vec<(usize, usize)> = catalogue
        .links
        .iter()
        .flat_map(|l| l.directions())
        .filter_map(|(from, to)| Some((results.indicator_index(from)?, results.indicator_index(to)?)))
        .collect();
    loop {
        let mut touched = Vec::new();
        for &(from, to) in &edges {
            for p in 0..n_periods {
                let secret: Vec<usize> = {
                    let col = results.column(from, p);
                    (0..col.status.len()).filter(|&t| col.status[t] == SECRET).collect()
                };
                let col = results.column_mut(to, p);
                let mut moved = false;
                for t in secret {
                    if !col.value[t].is_nan() {
                        suppress(col, t, Reason::Linked);
                        moved = true;
                    }
                }
                if moved {
                    touched.push((to, p));
                }
            }
        }
        if touched.is_empty() {
            return;
        }
        touched.sort_unstable();
        touched.dedup();
        for (i, p) in touched {
            let relations = area_relations[i * n_periods + p].as_deref().unwrap_or(&relations_per_period[p]);
            complementary(results.column_mut(i, p), relations, &priority);
        }
    }
}

/// How much a kind of target matters to the monitor's readers when a figure must be given up to protect
/// another: the rest of a municipality and the total of all areas go first, the areas themselves, their
/// municipalities and the Netherlands last, because per-area figures are what the programme is steered on.
pub fn keep_priority(kind: TargetKind) -> u8 {
    match kind {
        TargetKind::RestOfMunicipality => 0,
        TargetKind::AllAreas => 1,
        TargetKind::Buurt => 2,
        TargetKind::Wijk => 3,
        TargetKind::Area => 4,
        TargetKind::Gemeente => 5,
        TargetKind::Netherlands => 6,
    }
}

fn suppress(col: &mut crate::compute::Column, t: usize, reason: Reason) {
    col.value[t] = f64::NAN;
    col.status[t] = SECRET;
    col.reason[t] = reason as u8;
}

/// Complementary suppression for one column: see the module documentation.
///
/// `priority[t]` ranks how much target `t` matters to readers; the lowest is suppressed first
/// (see [`keep_priority`]).
pub fn complementary(col: &mut crate::compute::Column, relations: &[(u32, Vec<u32>)], priority: &[u8]) {
    if !col.status.contains(&SECRET) {
        return;
    }
    loop {
        match first_leak(&col.value, &col.status, relations) {
            None => return,
            Some(relation) => {
                let (parent, children) = &relations[relation];
                // Suppress the published figure that matters least (by kind of target), the smallest on a tie.
                let candidate = std::iter::once(parent)
                    .chain(children.iter())
                    .copied()
                    .filter(|&c| !col.value[c as usize].is_nan())
                    .min_by(|&a, &b| {
                        priority[a as usize]
                            .cmp(&priority[b as usize])
                            .then(col.value[a as usize].abs().total_cmp(&col.value[b as usize].abs()))
                    });
                match candidate {
                    Some(c) => suppress(col, c as usize, Reason::Complementary),
                    None => {
                        // Every other figure of the relation is unpublished but recoverable through other
                        // relations (a chain). Protect one of those like a secret figure, so that the next round
                        // suppresses a published figure further up the chain.
                        let chained = std::iter::once(parent)
                            .chain(children.iter())
                            .copied()
                            .find(|&c| col.status[c as usize] != SECRET);
                        match chained {
                            Some(c) => suppress(col, c as usize, Reason::Complementary),
                            None => return,
                        }
                    }
                }
            }
        }
    }
}

/// Plays the attacker: returns the relation through which a secret figure can be recovered, if any.
pub fn first_leak(values: &[f64], status: &[u8], relations: &[(u32, Vec<u32>)]) -> Option<usize> {
    let mut known: Vec<bool> = values.iter().map(|v| !v.is_nan()).collect();
    loop {
        let mut progress = false;
        for (r, (parent, children)) in relations.iter().enumerate() {
            let mut unknown = None;
            let mut n_unknown = 0;
            for &c in std::iter::once(parent).chain(children.iter()) {
                if !known[c as usize] {
                    n_unknown += 1;
                    unknown = Some(c);
                    if n_unknown > 1 {
                        break;
                    }
                }
            }
            if let (1, Some(c)) = (n_unknown, unknown) {
                if status[c as usize] == SECRET {
                    return Some(r);
                }
                known[c as usize] = true;
                progress = true;
            }
        }
        if !progress {
            return None;
        }
    }
}
