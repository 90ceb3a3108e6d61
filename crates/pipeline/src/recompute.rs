//! Recomputing the published figures: the engine over every current observation and the published figures of
//! the focus areas, with disclosure control, then the results, comparisons and unmatched buurten stored in one
//! transaction.

use crate::effect;
use anyhow::Result;
use std::collections::{BTreeSet, HashMap};
use std::time::Instant;
pub use wijkmonitor_effect::config::BUILTIN as BUILTIN_EFFECT_PARAMS;
use wijkmonitor_engine::compare::compare;
use wijkmonitor_engine::dataset::status_of;
pub use wijkmonitor_engine::params::BUILTIN_PARAMS;
use wijkmonitor_engine::uncertainty::{ChangeTest, Uncertainty};
use wijkmonitor_engine::{AreaInput, Crosswalk, Dataset, Params, Reason, TargetKind};
use wijkmonitor_model::disclosure::DisclosureRules;
use wijkmonitor_model::{Catalogue, FocusAreaSet, Status, Value};
use wijkmonitor_store::{
    ComputeOutput, ComputeRun, ComputedFigure, ComputedSources, ComputedTarget, ObservationFilter, Store, StoredEffect,
    StoredUnmatched,
};

/// What a computation did, for printing.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputeSummary {
    pub n_indicators: usize,
    pub n_periods: usize,
    pub n_targets: usize,
    /// Figures stored (cells without any input are not stored).
    pub n_figures: u64,
    /// Figures suppressed: secret at the source, below a threshold, or complementary.
    pub n_secret: usize,
    /// Published figures of focus areas (request answers, register figures) that the engine read.
    pub n_area_figures: usize,
    /// Areas with published figures that the delineation used does not know; their figures were not read.
    pub unknown_areas: Vec<String>,
    pub unmatched: Vec<StoredUnmatched>,
    pub areas_source: String,
    pub areas_indicative: bool,
    /// Effects analysed (areas x indicators x treatments), and how many show an effect.
    pub n_effects: usize,
    pub n_effects_shown: usize,
    pub load_secs: f64,
    pub compute_secs: f64,
    pub effect_secs: f64,
    pub store_secs: f64,
}

/// What to recompute with.
#[derive(Debug, Clone, Copy)]
pub struct Recompute<'a> {
    /// The delineation of the focus areas.
    pub areas: &'a FocusAreaSet,
    /// A crosswalk between classification years (empty: identical codes only).
    pub crosswalk: &'a Crosswalk,
    /// The engine parameters as `data/parameters/engine.toml` text.
    pub params_text: &'a str,
    /// The effect analysis' parameters as `data/parameters/effect.toml` text.
    pub effect_text: &'a str,
    /// When (RFC 3339), recorded with the run.
    pub computed_at: &'a str,
}

impl<'a> Recompute<'a> {
    /// With the built-in engine parameters and no crosswalk.
    pub fn builtin(areas: &'a FocusAreaSet, computed_at: &'a str) -> Recompute<'a> {
        Recompute {
            areas,
            crosswalk: &NO_CROSSWALK,
            params_text: wijkmonitor_engine::params::BUILTIN_PARAMS,
            effect_text: wijkmonitor_effect::config::BUILTIN,
            computed_at,
        }
    }
}

static NO_CROSSWALK: Crosswalk = Crosswalk { rows: Vec::new() };

/// Runs the engine over an open store and replaces its computed figures: every current observation, the
/// published figures of the focus areas (accepted request answers, register figures), the delineation, the
/// crosswalk and the engine parameters. `wijkmonitor compute` and the workspace's publication both come here, so
/// a published figure is computed the same way whichever way it was asked for.
pub fn recompute(store: &mut Store, job: &Recompute<'_>) -> Result<ComputeSummary> {
    let (areas, crosswalk, params_text) = (job.areas, job.crosswalk, job.params_text);
    let params = Params::parse(params_text)?;
    let effect_config =
        wijkmonitor_effect::config::Config::parse(job.effect_text, "effect parameters").map_err(anyhow::Error::msg)?;
    let catalogue = Catalogue::builtin();
    let rules = DisclosureRules::builtin();

    let t_load = Instant::now();
    let Loaded { ds, names, imports, area_inputs, unknown_areas } = load(store, areas)?;
    let load_secs = t_load.elapsed().as_secs_f64();
    let t_compute = Instant::now();
    let geography = wijkmonitor_engine::Geography::build(&ds, areas, crosswalk, &names);
    let mut unprotected = wijkmonitor_engine::compute::compute_with_rules(&ds, &catalogue, &geography, &params, &rules);
    let compute_secs = t_compute.elapsed().as_secs_f64();

    // Effects, from the figures before disclosure control; what is shown of them is protected below.
    let t_effects = Instant::now();
    let register = effect::register_figures(store)?;
    let area_ids: Vec<String> = areas.areas.iter().map(|a| a.id.clone()).collect();
    let mut effects = Vec::new();
    let mut pooled_effects = Vec::new();
    let treatments =
        std::iter::once(effect::PROGRAMME.to_string()).chain(effect_config.measures.iter().map(|m| m.id.clone()));
    for treatment in treatments {
        let (starts, _) =
            effect::starts(&effect_config, &treatment, &area_ids, &register).map_err(anyhow::Error::msg)?;
        if starts.is_empty() {
            continue;
        }
        let question = effect::Question { treatment: &treatment, starts, indicator: None };
        let (e, p) = effect::analyse(&ds, &catalogue, &geography, &unprotected, &effect_config, &question);
        effects.extend(e);
        pooled_effects.extend(p);
    }
    let effect_secs = t_effects.elapsed().as_secs_f64();

    // The changes' intervals read the figures before disclosure control too (the buurten's own changes), so they
    // are computed now, for every area and the two changes a comparison reports; `compare` attaches them only where
    // both published figures exist.
    let tests = change_tests(&ds, &catalogue, &geography, &unprotected, params.base_year);
    wijkmonitor_engine::disclosure::apply(&mut unprotected, &geography, &catalogue, &rules);
    let results = &unprotected;
    let geo = &geography;
    effect::protect(&mut effects, geo, results);
    let stored_effects = stored_effects(&effects, &pooled_effects)?;

    let mut comparisons = Vec::new();
    for (i, id) in results.indicators.iter().enumerate() {
        let Some(indicator) = catalogue.indicator(id) else { continue };
        for &period in &results.periods {
            for area in geo.targets.iter().filter(|t| t.kind == TargetKind::Area) {
                let test = |from: usize, to: usize| tests.get(&(i, area.id.clone(), from, to)).copied();
                comparisons.extend(compare(
                    results,
                    geo,
                    i,
                    indicator.direction,
                    &area.id,
                    period,
                    params.base_year,
                    tolerance(indicator.decimals),
                    &test,
                ));
            }
        }
    }
    let targets: Vec<ComputedTarget> = geo
        .targets
        .iter()
        .map(|t| ComputedTarget {
            id: t.id.clone(),
            kind: t.kind,
            name: t.name.clone(),
            municipality: t.municipality.as_ref().map(|m| m.to_string()),
            area: t.area.clone(),
        })
        .collect();
    let unmatched: Vec<StoredUnmatched> = geo
        .unmatched
        .iter()
        .map(|u| StoredUnmatched {
            area: u.area.clone(),
            period: results.periods[u.period_index].to_string(),
            buurten: u.buurten.iter().map(|b| b.to_string()).collect(),
            population_share: u.population_share,
        })
        .collect();
    let n_periods = results.periods.len();
    let sources: Vec<ComputedSources> = results
        .indicators
        .iter()
        .enumerate()
        .flat_map(|(i, id)| {
            results.periods.iter().enumerate().map(move |(p, &period)| ComputedSources {
                indicator: id.clone(),
                period,
                imports: results.sources[i * n_periods + p].iter().copied().collect(),
            })
        })
        .collect();
    // Figures in the table's key order (target, period, indicator), for fast inserts.
    let mut indicator_order: Vec<usize> = (0..results.indicators.len()).collect();
    indicator_order.sort_by(|&a, &b| results.indicators[a].cmp(&results.indicators[b]));
    let mut target_order: Vec<usize> = (0..geo.targets.len()).collect();
    target_order.sort_by(|&a, &b| geo.targets[a].id.cmp(&geo.targets[b].id));
    let mut period_order: Vec<usize> = (0..n_periods).collect();
    period_order.sort_by_key(|&p| results.periods[p].to_string());
    let indicator_order = &indicator_order;
    let period_order = &period_order;
    let figures = target_order.into_iter().flat_map(move |t| {
        period_order.iter().flat_map(move |&p| {
            indicator_order.iter().filter_map(move |&i| {
                let column = results.column(i, p);
                // Cells without any input are not stored: there is nothing to say about them.
                if column.status[t] == wijkmonitor_engine::dataset::ABSENT {
                    return None;
                }
                let status = status_of(column.status[t]);
                let value =
                    column.number(t).and_then(|n| Value::from_parts(Some(n), status)).unwrap_or(Value::absent(status));
                Some(ComputedFigure {
                    target: geo.targets[t].id.clone(),
                    period: results.periods[p],
                    indicator: results.indicators[i].clone(),
                    value,
                    coverage: f64::from(column.coverage[t]),
                    reason: Reason::from_code(column.reason[t]).as_str().to_string(),
                })
            })
        })
    });
    let mut hash = wijkmonitor_model::hash::Fingerprint::new();
    hash.update(wijkmonitor_model::BUILTIN_CATALOGUE);
    hash.update(wijkmonitor_model::BUILTIN_DISCLOSURE);
    hash.update(params_text);
    hash.update(job.effect_text);
    let run_record = ComputeRun {
        id: 0,
        computed_at: job.computed_at.to_string(),
        imports: imports.into_iter().collect(),
        areas_source: areas.source.clone(),
        areas_indicative: areas.indicative,
        parameters_sha256: hash.hex(),
        n_figures: 0,
    };
    let t_store = Instant::now();
    store.replace_computed(ComputeOutput {
        run: run_record,
        targets: &targets,
        sources: &sources,
        figures,
        comparisons: &comparisons,
        unmatched: &unmatched,
        effects: &stored_effects,
    })?;
    let n_figures = store.compute_run()?.map_or(0, |r| r.n_figures);
    Ok(ComputeSummary {
        n_indicators: results.indicators.len(),
        n_periods,
        n_targets: geo.targets.len(),
        n_figures,
        n_secret: results
            .columns
            .iter()
            .map(|c| (0..c.status.len()).filter(|&t| c.status_of(t) == Status::Secret).count())
            .sum(),
        n_area_figures: area_inputs.len(),
        unknown_areas: unknown_areas.into_iter().collect(),
        unmatched,
        areas_source: areas.source.clone(),
        areas_indicative: areas.indicative,
        n_effects: effects.len(),
        n_effects_shown: effects
            .iter()
            .filter(|e| !e.withheld && e.analysis.verdict != wijkmonitor_effect::Verdict::NoEffect)
            .count(),
        load_secs,
        compute_secs,
        effect_secs,
        store_secs: t_store.elapsed().as_secs_f64(),
    })
}

/// The effects as the store keeps them: one row per area (analysis as JSON), one per indicator for the pooled
/// estimate (under the all-areas id).
fn stored_effects(effects: &[effect::AreaEffect], pooled: &[effect::PooledEffect]) -> Result<Vec<StoredEffect>> {
    let mut out = Vec::with_capacity(effects.len() + pooled.len());
    for e in effects {
        out.push(StoredEffect {
            treatment: e.treatment.clone(),
            area: e.area.clone(),
            indicator: e.indicator.clone(),
            start: Some(e.analysis.start),
            withheld: e.withheld,
            verdict: if e.withheld { "withheld".into() } else { e.analysis.verdict.as_str().into() },
            reason: if e.withheld {
                Some("suppressed".into())
            } else {
                e.analysis.reason.map(|r| r.as_str().to_string())
            },
            analysis: if e.withheld { None } else { Some(serde_json::to_string(&e.analysis)?) },
        });
    }
    for p in pooled {
        let verdict = match (&p.did, &p.sdid) {
            (Some(d), Some(s)) if d.verdict == s.verdict => d.verdict,
            (Some(_), Some(_)) => wijkmonitor_effect::Verdict::NoEffect,
            (Some(d), None) => d.verdict,
            _ => wijkmonitor_effect::Verdict::NoEffect,
        };
        out.push(StoredEffect {
            treatment: p.treatment.clone(),
            area: wijkmonitor_model::target::ALL_AREAS_ID.to_string(),
            indicator: p.indicator.clone(),
            start: None,
            withheld: false,
            verdict: verdict.as_str().into(),
            reason: None,
            analysis: Some(serde_json::to_string(&PooledJson { did: p.did.as_ref(), sdid: p.sdid.as_ref() })?),
        });
    }
    Ok(out)
}

/// The pooled estimates of one indicator as stored.
#[derive(serde::Serialize)]
struct PooledJson<'a> {
    did: Option<&'a wijkmonitor_effect::Pooled>,
    sdid: Option<&'a wijkmonitor_effect::Pooled>,
}

/// The interval of every area's change since the base year and since the previous year, for every indicator and
/// period, keyed by (indicator, area, from period, to period) as indices into the results.
fn change_tests(
    ds: &Dataset,
    catalogue: &Catalogue,
    geo: &wijkmonitor_engine::Geography,
    results: &wijkmonitor_engine::Results,
    base_year: i32,
) -> HashMap<(usize, String, usize, usize), ChangeTest> {
    let uncertainty = Uncertainty::new(ds, catalogue, geo, results);
    let base = results.period_index(wijkmonitor_model::Period::Year(base_year));
    let mut out = HashMap::new();
    for (i, id) in results.indicators.iter().enumerate() {
        let Some(indicator) = catalogue.indicator(id) else { continue };
        for (p, period) in results.periods.iter().enumerate() {
            let previous = match period {
                wijkmonitor_model::Period::Year(y) => results.period_index(wijkmonitor_model::Period::Year(y - 1)),
                _ => None,
            };
            for area in geo.targets.iter().filter(|t| t.kind == TargetKind::Area) {
                for from in [base, previous].into_iter().flatten().filter(|&f| f != p) {
                    if let Some(t) = uncertainty.change(indicator, i, &area.id, from, p) {
                        out.insert((i, area.id.clone(), from, p), t);
                    }
                }
            }
        }
    }
    out
}

/// What the engine reads from the store.
pub(crate) struct Loaded {
    pub ds: Dataset,
    pub names: HashMap<wijkmonitor_model::RegionCode, String>,
    pub imports: BTreeSet<i64>,
    pub area_inputs: Vec<AreaInput>,
    pub unknown_areas: BTreeSet<String>,
}

/// Loads every current observation and the published figures of the areas of `areas` into a dataset.
pub(crate) fn load(store: &Store, areas: &FocusAreaSet) -> Result<Loaded> {
    let rows = store.observations(&ObservationFilter::default())?;
    let mut imports: BTreeSet<i64> = rows.iter().map(|r| r.import_id).collect();
    // Only published area figures reach the engine: an accepted answer waits for the analyst.
    let mut unknown_areas: BTreeSet<String> = BTreeSet::new();
    let area_inputs: Vec<AreaInput> = store
        .area_figures(true)?
        .into_iter()
        .filter(|f| {
            let known = areas.get(&f.area).is_some();
            if !known {
                unknown_areas.insert(f.area.clone());
            }
            known
        })
        .map(|f| AreaInput {
            area: f.area,
            period: f.period,
            variable: f.variable,
            value: f.value,
            import_id: f.import_id,
        })
        .collect();
    imports.extend(area_inputs.iter().map(|i| i.import_id));
    let ds =
        Dataset::from_observations(rows.iter().map(|r| (&r.observation, r.import_id))).with_area_inputs(&area_inputs);
    let names: HashMap<_, _> = store.regions(None)?.into_iter().map(|r| (r.code, r.name)).collect();
    Ok(Loaded { ds, names, imports, area_inputs, unknown_areas })
}

/// A change smaller than half the last shown decimal counts as no change.
fn tolerance(decimals: u8) -> f64 {
    0.5 * 10f64.powi(-i32::from(decimals))
}
