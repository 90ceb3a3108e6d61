//! The programme register and its figures: loading register entries (a file, or the built-in seed) and keeping
//! the area figures of the register indicators in step with the register, so that the next recomputation
//! publishes them.

use anyhow::{Context, Result};
use std::collections::BTreeMap;
use wijkmonitor_model::{Catalogue, Period, Value};
use wijkmonitor_programme::feed::{register_figures_with, RegisterFigure};
use wijkmonitor_programme::{seed, AreaRegister, Entry, SchemeParams};
use wijkmonitor_store::request::Actor;
use wijkmonitor_store::{Origin, Store};

/// Loads the built-in register seed (real figures labelled with their source, and synthetic demo figures) into
/// the store, replacing each area's entries for the years the seed covers, and records the register figures of
/// the catalogue's indicators (see [`load_register`]). Returns the number of entries.
pub fn load_builtin_seed(store: &mut Store, at: &str) -> Result<usize> {
    let params = SchemeParams::builtin();
    let entries = seed::parse(seed::BUILTIN_SEED, seed::BUILTIN_SEED_NAME, &params)?;
    load_register(store, entries, Actor { name: "cli", at })
}

/// Loads register entries into the store, replacing each area's entries for the years they cover, then records
/// the register's figures as published area figures ([`record_register_figures`]). Returns the number of entries.
pub fn load_register(store: &mut Store, entries: Vec<Entry>, who: Actor<'_>) -> Result<usize> {
    let mut by_area_year: BTreeMap<(String, i32), Vec<Entry>> = BTreeMap::new();
    for e in entries {
        by_area_year.entry((e.area.clone(), e.year)).or_default().push(e);
    }
    let mut n = 0;
    for ((area, year), entries) in &by_area_year {
        n += store.replace_register(area, *year, entries, who)?;
    }
    record_register_figures(store)?;
    Ok(n)
}

type AreaPeriod = (String, Period);

/// Brings the area figures of origin `register` in line with the register in the store: for every area and year,
/// the figures of the catalogue's register indicators (published, with the records' source labels and synthetic
/// flag), and no figures where the register no longer gives any. The figures are derived from the whole
/// register, because a cumulated figure of one year depends on the records of earlier years. An area and year
/// whose figures are already current is left alone, so loading the same register twice records nothing new.
/// Returns the number of areas and years whose figures were (re)recorded.
pub fn record_register_figures(store: &mut Store) -> Result<usize> {
    let params = SchemeParams::builtin();
    let registers = AreaRegister::from_entries(&store.register_entries(None)?, &params)
        .map_err(anyhow::Error::msg)
        .context("the register in the database is not valid")?;
    let mut wanted: BTreeMap<AreaPeriod, Vec<RegisterFigure>> = BTreeMap::new();
    for f in register_figures_with(&registers, &Catalogue::builtin(), &params) {
        wanted.entry((f.area.clone(), Period::Year(f.year))).or_default().push(f);
    }
    // (variable, value, published) per area and period.
    let mut current: BTreeMap<AreaPeriod, Vec<(String, Value, bool)>> = BTreeMap::new();
    for f in store.area_figures(false)?.into_iter().filter(|f| f.origin == Origin::Register) {
        current.entry((f.area, f.period)).or_default().push((f.variable, f.value, f.published));
    }
    let keys: std::collections::BTreeSet<AreaPeriod> = wanted.keys().chain(current.keys()).cloned().collect();
    let mut n = 0;
    for key in keys {
        let new = wanted.get(&key).map_or(&[][..], Vec::as_slice);
        let mut figures: Vec<(String, Value)> =
            new.iter().map(|f| (f.variable.clone(), Value::final_(f.value))).collect();
        figures.sort_by(|a, b| a.0.cmp(&b.0));
        let mut held: Vec<(String, Value)> = Vec::new();
        let mut all_published = true;
        for (variable, value, published) in current.get(&key).map_or(&[][..], Vec::as_slice) {
            held.push((variable.clone(), *value));
            all_published &= *published;
        }
        held.sort_by(|a, b| a.0.cmp(&b.0));
        if held == figures && all_published {
            continue;
        }
        let mut sources: Vec<&str> = Vec::new();
        for f in new {
            for part in f.source.split("; ") {
                if !sources.contains(&part) {
                    sources.push(part);
                }
            }
        }
        let source = if sources.is_empty() {
            "Programmaregister NPLV: the register no longer gives these figures".to_string()
        } else {
            sources.join("; ")
        };
        let synthetic = new.iter().any(|f| f.synthetic);
        let (area, period) = &key;
        store
            .record_area_figures(area, *period, Origin::Register, &source, synthetic, true, &figures)
            .with_context(|| format!("cannot record the register figures of {area} {period}"))?;
        n += 1;
    }
    Ok(n)
}
