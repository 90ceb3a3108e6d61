//! Effects at publication and on request: for every focus area and every effect indicator that can be built from
//! buurten (a ratio, a weighted mean or a share), the area against its counterfactual (`wijkmonitor-effect`).
//!
//! The inputs are the engine's own figures before disclosure control, so an area's series is exactly the one it
//! publishes and a buurt's is what the engine computed for it: the comparison buurten are every buurt outside
//! every focus area; each buurt weighs in with the indicator's own denominator or weight, so a placebo area made
//! of buurten is aggregated as the engine aggregates an area. What is published of an effect then passes disclosure
//! control: an effect whose area has a figure withheld in any year it uses is withheld as a whole (its event
//! study would give the figure away).

use std::collections::{BTreeMap, HashMap, HashSet};
use wijkmonitor_effect::config::Config;
use wijkmonitor_effect::{analyse_all, pooled, Analysis, Estimator, Panel, Pooled, Treated, Unit};
use wijkmonitor_engine::compute::Results;
use wijkmonitor_engine::dataset::status_of;
use wijkmonitor_engine::{Dataset, Geography, TargetKind};
use wijkmonitor_model::catalogue::{Aggregation, Indicator, Tier};
use wijkmonitor_model::{Catalogue, Period, RegionKind, Status};

/// The treatment whose effect is asked: the programme as a whole, or a measure of the register.
pub const PROGRAMME: &str = "programme";

/// One area's analysis of one indicator.
#[derive(Debug, Clone)]
pub struct AreaEffect {
    pub treatment: String,
    pub area: String,
    pub indicator: String,
    pub analysis: Analysis,
    /// Withheld by disclosure control: nothing of it may be shown.
    pub withheld: bool,
}

/// The pooled estimate over the areas of one indicator.
#[derive(Debug, Clone)]
pub struct PooledEffect {
    pub treatment: String,
    pub indicator: String,
    pub did: Option<Pooled>,
    pub sdid: Option<Pooled>,
}

/// What to analyse.
#[derive(Debug, Clone)]
pub struct Question<'a> {
    /// [`PROGRAMME`] or a measure id.
    pub treatment: &'a str,
    /// The start per area; areas not listed are not analysed.
    pub starts: BTreeMap<String, i32>,
    /// Only this indicator (all effect indicators when `None`).
    pub indicator: Option<&'a str>,
}

/// The indicators an effect can be asked of: effect indicators the engine builds from buurten as a ratio, a
/// weighted mean or a share (a sum grows with the area and is not comparable between areas and buurten).
pub fn effect_indicators(catalogue: &Catalogue) -> Vec<&Indicator> {
    catalogue
        .indicators
        .iter()
        .filter(|i| i.tier == Tier::Effect)
        .filter(|i| weight_variable(&i.aggregation).is_some())
        .collect()
}

/// The variable a buurt weighs in with for this aggregation.
fn weight_variable(aggregation: &Aggregation) -> Option<&str> {
    match aggregation {
        Aggregation::Ratio { denominator, .. } => Some(denominator),
        Aggregation::WeightedMean { weight, .. } | Aggregation::ShareAtOrBelow { weight, .. } => Some(weight),
        Aggregation::Sum { .. } | Aggregation::None { .. } => None,
    }
}

/// The effects of the question, and their pooled estimates. `results` are the engine's figures before
/// disclosure control.
pub fn analyse(
    ds: &Dataset,
    catalogue: &Catalogue,
    geo: &Geography,
    results: &Results,
    config: &Config,
    question: &Question<'_>,
) -> (Vec<AreaEffect>, Vec<PooledEffect>) {
    // The years of the figures.
    let mut years: Vec<(usize, i32)> = results
        .periods
        .iter()
        .enumerate()
        .filter_map(|(p, period)| match period {
            Period::Year(y) => Some((p, *y)),
            _ => None,
        })
        .collect();
    years.sort_by_key(|&(_, y)| y);
    // The comparison units: the buurten (as engine targets) in code order, or, for an indicator whose latest
    // figures exist per wijk only (the Leefbaarometer's 2022 edition), the wijken; and which lie in a focus area.
    let units_of = |kind: TargetKind, region_kind: RegionKind| -> Vec<(usize, u32)> {
        let mut units: Vec<(usize, u32)> = geo
            .targets
            .iter()
            .enumerate()
            .filter(|(_, t)| t.kind == kind)
            .filter_map(|(i, t)| t.own.map(|r| (i, r)))
            .filter(|&(_, r)| ds.regions[r as usize].kind() == region_kind)
            .collect();
        units.sort_by(|a, b| ds.regions[a.1 as usize].cmp(&ds.regions[b.1 as usize]));
        units
    };
    let buurten = units_of(TargetKind::Buurt, RegionKind::Neighbourhood);
    let wijken = units_of(TargetKind::Wijk, RegionKind::District);
    let area_targets: Vec<usize> =
        (0..geo.targets.len()).filter(|&t| geo.targets[t].kind == TargetKind::Area).collect();
    // Everything in an area, and the wijken its buurten lie in: neither can be a comparison.
    let mut in_area: HashSet<u32> =
        area_targets.iter().flat_map(|&t| geo.targets[t].members.iter().flatten().map(|&(r, _)| r)).collect();
    let parents: Vec<u32> =
        in_area.iter().filter_map(|&r| ds.regions[r as usize].parent()).filter_map(|w| ds.region_index(&w)).collect();
    in_area.extend(parents);
    let covariate_columns: Vec<Option<usize>> =
        config.covariates.iter().map(|id| results.indicator_index(id)).collect();
    let before_start: Vec<usize> = years.iter().filter(|&&(_, y)| y < config.start).map(|&(p, _)| p).collect();

    let mut effects = Vec::new();
    let mut pooled_effects = Vec::new();
    for indicator in effect_indicators(catalogue) {
        if question.indicator.is_some_and(|only| only != indicator.id) {
            continue;
        }
        let (Some(i), Some(weight)) = (
            results.indicator_index(&indicator.id),
            weight_variable(&indicator.aggregation).and_then(|w| ds.variable_index(w)),
        ) else {
            continue;
        };
        // The latest year any area has a figure: compare at the finest level that has figures that year.
        let latest =
            years.iter().rev().find(|&&(p, _)| area_targets.iter().any(|&t| results.column(i, p).number(t).is_some()));
        let buurt_level =
            latest.is_none_or(|&(p, _)| buurten.iter().any(|&(t, _)| results.column(i, p).number(t).is_some()));
        let level = if buurt_level { &buurten } else { &wijken };
        let unit_of: HashMap<u32, usize> = level.iter().enumerate().map(|(u, &(_, r))| (r, u)).collect();
        let units: Vec<Unit> = level
            .iter()
            .map(|&(t, r)| {
                let code = &ds.regions[r as usize];
                Unit {
                    code: code.to_string(),
                    group: code.municipality().map(|m| m.to_string()).unwrap_or_default(),
                    values: years.iter().map(|&(p, _)| results.column(i, p).number(t).unwrap_or(f64::NAN)).collect(),
                    weights: years
                        .iter()
                        .map(|&(p, _)| {
                            ds.period_index(results.periods[p])
                                .and_then(|dp| ds.number(weight, dp, r))
                                .unwrap_or(f64::NAN)
                        })
                        .collect(),
                    covariates: covariate_columns
                        .iter()
                        .map(|c| {
                            let Some(c) = c else { return f64::NAN };
                            let known: Vec<f64> =
                                before_start.iter().filter_map(|&p| results.column(*c, p).number(t)).collect();
                            if known.is_empty() {
                                f64::NAN
                            } else {
                                known.iter().sum::<f64>() / known.len() as f64
                            }
                        })
                        .collect(),
                    excluded: in_area.contains(&r),
                }
            })
            .collect();
        let mut panel =
            Panel { years: years.iter().map(|&(_, y)| y).collect(), units, covariates: config.covariates.clone() };
        panel.fill_weights_from_nearest_year();
        let treated: Vec<Treated> = area_targets
            .iter()
            .filter_map(|&t| {
                let target = &geo.targets[t];
                let start = *question.starts.get(&target.id)?;
                let mut members: Vec<usize> =
                    target.members.iter().flatten().filter_map(|(r, _)| unit_of.get(r).copied()).collect();
                members.sort_unstable();
                members.dedup();
                Some(Treated {
                    id: target.id.clone(),
                    members,
                    series: Some(
                        years.iter().map(|&(p, _)| results.column(i, p).number(t).unwrap_or(f64::NAN)).collect(),
                    ),
                    group: target.municipality.as_ref().map(|m| m.to_string()).unwrap_or_default(),
                    start,
                })
            })
            .collect();
        let analyses =
            analyse_all(&panel, &treated, &config.method, &format!("{}/{}", question.treatment, indicator.id));
        let refs: Vec<&Analysis> = analyses.iter().collect();
        let seed = format!("{}/{}/pooled", question.treatment, indicator.id);
        pooled_effects.push(PooledEffect {
            treatment: question.treatment.to_string(),
            indicator: indicator.id.clone(),
            did: pooled(&refs, Estimator::Did, &config.method, &seed),
            sdid: pooled(&refs, Estimator::Sdid, &config.method, &seed),
        });
        effects.extend(analyses.into_iter().map(|analysis| AreaEffect {
            treatment: question.treatment.to_string(),
            area: analysis.area.clone(),
            indicator: indicator.id.clone(),
            analysis,
            withheld: false,
        }));
    }
    (effects, pooled_effects)
}

/// Disclosure control of effects, on the figures after disclosure control: an effect whose area has no
/// publishable figure in a year it uses is withheld.
pub fn protect(effects: &mut [AreaEffect], geo: &Geography, results: &Results) {
    for e in effects {
        let (Some(t), Some(i)) = (geo.target(&e.area), results.indicator_index(&e.indicator)) else {
            e.withheld = true;
            continue;
        };
        e.withheld = e.analysis.years.iter().any(|y| {
            results.period_index(Period::Year(y.year)).is_none_or(|p| {
                let status = status_of(results.column(i, p).status[t]);
                !matches!(status, Status::Final | Status::Provisional)
            })
        });
    }
}

/// The starts of a question: the programme's per area, or a measure's from the register entries
/// `(area, scheme, year, item, number)`. Also the areas left out for want of a start.
pub fn starts(
    config: &Config,
    treatment: &str,
    areas: &[String],
    register: &[RegisterFigure],
) -> Result<(BTreeMap<String, i32>, Vec<String>), String> {
    if treatment == PROGRAMME {
        return Ok((areas.iter().map(|a| (a.clone(), config.start_of(a))).collect(), Vec::new()));
    }
    let measure = config.measure(treatment).ok_or_else(|| {
        let known: Vec<&str> = config.measures.iter().map(|m| m.id.as_str()).collect();
        format!("no measure '{treatment}' (known: {}, or {PROGRAMME})", known.join(", "))
    })?;
    let mut starts = BTreeMap::new();
    for (area, scheme, year, item, number) in register {
        if scheme != &measure.scheme || !areas.contains(area) {
            continue;
        }
        let start = if measure.item == "year" {
            Some(*year)
        } else if item == &measure.item {
            number.map(|n| n.round() as i32)
        } else {
            None
        };
        if let Some(start) = start {
            let slot = starts.entry(area.clone()).or_insert(start);
            *slot = (*slot).min(start);
        }
    }
    let missing = areas.iter().filter(|a| !starts.contains_key(*a)).cloned().collect();
    Ok((starts, missing))
}

/// One register entry as [`starts`] reads it: `(area, scheme, year, item, number)`.
pub type RegisterFigure = (String, String, i32, String, Option<f64>);

/// The register's entries as [`starts`] reads them.
pub(crate) fn register_figures(store: &wijkmonitor_store::Store) -> anyhow::Result<Vec<RegisterFigure>> {
    Ok(store
        .register_entries(None)?
        .into_iter()
        .map(|e| {
            let number = match e.value {
                wijkmonitor_programme::register::EntryValue::Number(n) => Some(n),
                wijkmonitor_programme::register::EntryValue::Text(t) => t.trim().parse().ok(),
            };
            (e.area, e.scheme.as_str().to_string(), e.year, e.item, number)
        })
        .collect())
}

/// An effect question asked on demand (`wijkmonitor effect`): any delineation, any start.
pub struct Ask<'a> {
    pub areas: &'a wijkmonitor_model::FocusAreaSet,
    pub crosswalk: &'a wijkmonitor_engine::Crosswalk,
    /// The engine parameters as `data/parameters/engine.toml` text.
    pub params_text: &'a str,
    pub config: &'a Config,
    /// [`PROGRAMME`] or a measure id.
    pub treatment: &'a str,
    /// The start for every area, instead of the parameters' or the register's.
    pub start: Option<i32>,
    /// Only this area.
    pub area: Option<&'a str>,
    /// Only this indicator.
    pub indicator: Option<&'a str>,
}

/// The answer: the effects (after disclosure control), the pooled estimates, and the areas left out for want of a
/// start.
pub struct Answer {
    pub effects: Vec<AreaEffect>,
    pub pooled: Vec<PooledEffect>,
    pub without_start: Vec<String>,
}

/// Computes the figures of the store with the question's delineation and analyses their effects.
pub fn ask(store: &wijkmonitor_store::Store, q: &Ask<'_>) -> anyhow::Result<Answer> {
    let catalogue = Catalogue::builtin();
    if let Some(id) = q.indicator {
        if !effect_indicators(&catalogue).iter().any(|i| i.id == id) {
            let known: Vec<&str> = effect_indicators(&catalogue).iter().map(|i| i.id.as_str()).collect();
            anyhow::bail!("'{id}' is not an effect indicator; effect indicators are: {}", known.join(", "));
        }
    }
    if let Some(id) = q.area {
        if q.areas.get(id).is_none() {
            anyhow::bail!("the delineation has no area '{id}'");
        }
    }
    let params = wijkmonitor_engine::Params::parse(q.params_text)?;
    let rules = wijkmonitor_model::disclosure::DisclosureRules::builtin();
    let loaded = crate::recompute::load(store, q.areas)?;
    let geo = Geography::build(&loaded.ds, q.areas, q.crosswalk, &loaded.names);
    let mut results = wijkmonitor_engine::compute::compute_with_rules(&loaded.ds, &catalogue, &geo, &params, &rules);
    let area_ids: Vec<String> =
        q.areas.areas.iter().map(|a| a.id.clone()).filter(|a| q.area.is_none_or(|only| only == a)).collect();
    let register = register_figures(store)?;
    let (mut starts, without_start) =
        starts(q.config, q.treatment, &area_ids, &register).map_err(anyhow::Error::msg)?;
    if let Some(start) = q.start {
        starts.values_mut().for_each(|s| *s = start);
    }
    let question = Question { treatment: q.treatment, starts, indicator: q.indicator };
    let (mut effects, pooled) = analyse(&loaded.ds, &catalogue, &geo, &results, q.config, &question);
    wijkmonitor_engine::disclosure::apply(&mut results, &geo, &catalogue, &rules);
    protect(&mut effects, &geo, &results);
    Ok(Answer { effects, pooled, without_start })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_come_from_the_parameters_or_the_register() {
        let config = Config::builtin();
        let areas = vec!["zaandam-oost".to_string(), "heerlen-noord".to_string()];
        let (s, missing) = starts(&config, PROGRAMME, &areas, &[]).unwrap();
        assert_eq!(s["zaandam-oost"], 2022);
        assert!(missing.is_empty());
        let register = vec![
            ("zaandam-oost".to_string(), "wbmgp".to_string(), 2025, "start".to_string(), Some(2018.0)),
            ("heerlen-noord".to_string(), "wbmgp".to_string(), 2025, "status".to_string(), None),
            (
                "heerlen-noord".to_string(),
                "woontop".to_string(),
                2025,
                "planned_starts_total".to_string(),
                Some(2352.0),
            ),
        ];
        let (s, missing) = starts(&config, "wbmgp", &areas, &register).unwrap();
        assert_eq!(s.get("zaandam-oost"), Some(&2018));
        assert_eq!(missing, vec!["heerlen-noord".to_string()]);
        let (s, _) = starts(&config, "woontop", &areas, &register).unwrap();
        assert_eq!(s.get("heerlen-noord"), Some(&2025));
        assert!(starts(&config, "nope", &areas, &register).unwrap_err().contains("wbmgp"));
    }

    #[test]
    fn effect_indicators_are_ratios_means_and_shares_of_the_effect_tier() {
        let c = Catalogue::builtin();
        let ids: Vec<&str> = effect_indicators(&c).iter().map(|i| i.id.as_str()).collect();
        assert!(
            ids.contains(&"lbm_score") && ids.contains(&"crimes_per_1000") && ids.contains(&"net_labour_participation")
        );
        assert!(!ids.contains(&"dwellings_label_efg"), "a sum");
        assert!(!ids.contains(&"inhabitants"), "context");
    }
}
