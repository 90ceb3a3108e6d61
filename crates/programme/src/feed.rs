//! Register figures for the indicator engine: the register's records turned into the variables of the
//! catalogue's `supplied_by = "register"` indicators, per area and year, each with its source label and
//! synthetic flag. The command line stores them as area figures (origin `register`) so that the engine computes
//! the realisation indicators from them like any other figure.
//!
//! | variable | from the register |
//! |---|---|
//! | `vhf_restructuring_started`, `vhf_restructuring_completed` | VHF restructurings started / completed, summed over the area's tranches, per year |
//! | `new_dwellings_construction_started` | Woontop realised starts, cumulated over the Woontop window up to the year |
//! | `new_dwellings_started_affordable` | Realisatiestimulans affordable starts, cumulated likewise |
//!
//! The register holds no insulation counts and no completions by owner, so `insulated_dwellings_label_dg` and
//! `corporation_dwellings_completed` get nothing from it. Whatever the register does not know stays unknown:
//! a sum or cumulation with a part missing is not produced at all (never 0, never a partial sum), and only
//! variables that a register indicator of the catalogue reads are produced.

use crate::params::SchemeParams;
use crate::progress::national_target;
use crate::register::{AreaRegister, Provenance};
use std::collections::{BTreeMap, BTreeSet};
use wijkmonitor_model::catalogue::Supplier;
use wijkmonitor_model::Catalogue;

/// One figure of one area and year, for a catalogue variable.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterFigure {
    pub area: String,
    pub year: i32,
    pub variable: String,
    pub value: f64,
    /// The source labels of the records the figure comes from (`; ` between several).
    pub source: String,
    /// True when any record it comes from is synthetic.
    pub synthetic: bool,
}

/// The register's figures for the catalogue's register indicators, with the built-in scheme rules (which say
/// where the Woontop window starts). Sorted by area, year and variable.
pub fn register_figures(registers: &[AreaRegister], catalogue: &Catalogue) -> Vec<RegisterFigure> {
    register_figures_with(registers, catalogue, &SchemeParams::builtin())
}

/// [`register_figures`] with explicit scheme rules.
pub fn register_figures_with(
    registers: &[AreaRegister],
    catalogue: &Catalogue,
    params: &SchemeParams,
) -> Vec<RegisterFigure> {
    let wanted: BTreeSet<&str> = catalogue
        .indicators
        .iter()
        .filter(|i| i.supplied_by == Supplier::Register)
        .flat_map(|i| i.aggregation.variables())
        .collect();
    let mut out = Vec::new();
    for reg in registers {
        let mut push = |year: i32, variable: &str, (value, provenance): (f64, Vec<&Provenance>)| {
            if wanted.contains(variable) {
                out.push(figure(&reg.area, year, variable, value, &provenance));
            }
        };
        for (year, started, completed) in vhf_by_year(reg) {
            if let Some(s) = started {
                push(year, "vhf_restructuring_started", s);
            }
            if let Some(c) = completed {
                push(year, "vhf_restructuring_completed", c);
            }
        }
        let starts: Vec<(i32, Option<f64>, &Provenance)> =
            reg.realised.iter().map(|r| (r.year, r.starts, &r.provenance)).collect();
        for (year, total) in cumulated(&starts, params) {
            push(year, "new_dwellings_construction_started", total);
        }
        let affordable: Vec<(i32, Option<f64>, &Provenance)> =
            reg.stimulans.iter().map(|s| (s.year, Some(s.affordable_starts), &s.provenance)).collect();
        for (year, total) in cumulated(&affordable, params) {
            push(year, "new_dwellings_started_affordable", total);
        }
    }
    out.sort_by(|a, b| (&a.area, a.year, &a.variable).cmp(&(&b.area, b.year, &b.variable)));
    out
}

fn figure(area: &str, year: i32, variable: &str, value: f64, provenance: &[&Provenance]) -> RegisterFigure {
    let mut sources: Vec<&str> = Vec::new();
    for p in provenance {
        if !sources.contains(&p.source.as_str()) {
            sources.push(&p.source);
        }
    }
    RegisterFigure {
        area: area.to_string(),
        year,
        variable: variable.to_string(),
        value,
        source: sources.join("; "),
        synthetic: provenance.iter().any(|p| p.synthetic),
    }
}

type Summed<'a> = (f64, Vec<&'a Provenance>);

/// Per year with a VHF record: restructurings started and completed summed over the area's tranches. A tranche
/// record states the tranche's progress as recorded that year. A year's sum needs every tranche the area has
/// had by then (recorded that year or earlier) to state the figure in that year; otherwise it is unknown.
fn vhf_by_year(reg: &AreaRegister) -> Vec<(i32, Option<Summed<'_>>, Option<Summed<'_>>)> {
    let years: BTreeSet<i32> = reg.vhf.iter().map(|t| t.year).collect();
    years
        .into_iter()
        .map(|year| {
            let tranches: BTreeSet<&str> =
                reg.vhf.iter().filter(|t| t.year <= year).map(|t| t.tranche.as_str()).collect();
            let sum = |item: fn(&crate::register::VhfTranche) -> Option<f64>| -> Option<Summed<'_>> {
                let mut total = 0.0;
                let mut provenance = Vec::new();
                for tranche in &tranches {
                    let record = reg.vhf.iter().find(|t| t.year == year && t.tranche == *tranche)?;
                    total += item(record)?;
                    provenance.push(&record.provenance);
                }
                Some((total, provenance))
            };
            (year, sum(|t| t.restructurings_started), sum(|t| t.restructurings_completed))
        })
        .collect()
}

/// Whether `year` lies in the Woontop window (the validity of the national target).
fn in_window(params: &SchemeParams, year: i32) -> bool {
    national_target(params, year).is_some()
}

/// Cumulates yearly flows over the Woontop window: for each year of the window with a figure, the sum from the
/// window's first year. A year of the window without a figure makes it and every later year unknown (a
/// cumulation with a hole would be too low); years outside the window give nothing.
fn cumulated<'a>(flows: &[(i32, Option<f64>, &'a Provenance)], params: &SchemeParams) -> Vec<(i32, Summed<'a>)> {
    let by_year: BTreeMap<i32, (Option<f64>, &Provenance)> = flows.iter().map(|&(y, x, p)| (y, (x, p))).collect();
    let mut out = Vec::new();
    for (&year, _) in by_year.iter().filter(|(y, _)| in_window(params, **y)) {
        let mut first = year;
        while in_window(params, first - 1) {
            first -= 1;
        }
        let mut total = 0.0;
        let mut provenance = Vec::new();
        let complete = (first..=year).all(|y| match by_year.get(&y) {
            Some((Some(x), p)) => {
                total += x;
                provenance.push(*p);
                true
            }
            _ => false,
        });
        if complete {
            out.push((year, (total, provenance)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::register::{Entry, EntryValue, Scheme};
    use crate::seed::{parse, BUILTIN_SEED, BUILTIN_SEED_NAME};

    fn seed_entries() -> Vec<Entry> {
        parse(BUILTIN_SEED, BUILTIN_SEED_NAME, &SchemeParams::builtin()).unwrap()
    }

    fn figures(entries: &[Entry]) -> Vec<RegisterFigure> {
        let registers = AreaRegister::from_entries(entries, &SchemeParams::builtin()).unwrap();
        register_figures(&registers, &Catalogue::builtin())
    }

    fn of<'a>(figures: &'a [RegisterFigure], area: &str) -> Vec<(i32, &'a str, f64)> {
        figures.iter().filter(|f| f.area == area).map(|f| (f.year, f.variable.as_str(), f.value)).collect()
    }

    fn entry(area: &str, year: i32, scheme: Scheme, instance: &str, item: &str, x: f64, source: &str) -> Entry {
        Entry {
            area: area.into(),
            year,
            scheme,
            instance: instance.into(),
            item: item.into(),
            value: EntryValue::Number(x),
            source: source.into(),
            synthetic: source.starts_with("SYNTHETIC"),
        }
    }

    #[test]
    fn the_seed_gives_the_realisation_figures_it_has_and_nothing_else() {
        let all = figures(&seed_entries());
        // Heerlen-Noord's real figures are an agreement (plans) and a grant (requested, granted): no
        // realisation yet, so nothing, and in particular no 0.
        assert!(of(&all, "heerlen-noord").is_empty(), "{all:?}");
        // Utrecht-Overvecht (synthetic): starts 150 and 260 cumulate to 150 and 410; affordable 120 and 180 to
        // 120 and 300.
        assert_eq!(
            of(&all, "utrecht-overvecht"),
            vec![
                (2025, "new_dwellings_construction_started", 150.0),
                (2025, "new_dwellings_started_affordable", 120.0),
                (2026, "new_dwellings_construction_started", 410.0),
                (2026, "new_dwellings_started_affordable", 300.0),
            ]
        );
        let u = all.iter().find(|f| f.area == "utrecht-overvecht").unwrap();
        assert!(u.synthetic && u.source.starts_with("SYNTHETIC demo figures"));
        // Rotterdam-Zuid: VHF tranche 1 as recorded in 2022; its 2024 affordable starts lie before the Woontop
        // window and cumulate to nothing.
        assert_eq!(
            of(&all, "rotterdam-zuid"),
            vec![(2022, "vhf_restructuring_completed", 200.0), (2022, "vhf_restructuring_started", 600.0)]
        );
        // Every figure is for a variable a register indicator of the catalogue reads.
        let catalogue = Catalogue::builtin();
        for f in &all {
            assert!(catalogue.indicators.iter().any(
                |i| i.supplied_by == Supplier::Register && i.aggregation.variables().contains(&f.variable.as_str())
            ));
        }
    }

    #[test]
    fn heerlen_noord_restructurings_sum_over_tranches_with_their_sources() {
        let mut entries = seed_entries();
        let real = "Volkshuisvestingsfonds tranche 3, Heerlen-Noord, parliamentary record September 2025 (grant year not stated)";
        let synthetic = "SYNTHETIC test figures";
        // Tranche 3 (real, 2025) without progress figures; in 2026 a synthetic update of tranche 3 and a
        // synthetic tranche 4.
        entries.extend([
            entry("heerlen-noord", 2026, Scheme::Vhf, "tranche-3", "restructurings_started", 120.0, synthetic),
            entry("heerlen-noord", 2026, Scheme::Vhf, "tranche-3", "restructurings_completed", 15.0, synthetic),
            entry("heerlen-noord", 2026, Scheme::Vhf, "tranche-4", "restructurings_started", 30.0, synthetic),
        ]);
        let all = figures(&entries);
        // 2025: the only tranche states no progress: unknown. 2026: started 120 + 30; completed is unknown for
        // tranche 4, so the sum is not produced.
        assert_eq!(of(&all, "heerlen-noord"), vec![(2026, "vhf_restructuring_started", 150.0)]);
        assert!(all.iter().all(|f| f.area != "heerlen-noord" || f.synthetic));

        // A real 2027 record of tranche 3 alone: tranche 4 existed by 2027 but states nothing then, so unknown.
        entries.push(entry("heerlen-noord", 2027, Scheme::Vhf, "tranche-3", "restructurings_started", 200.0, real));
        let all = figures(&entries);
        assert!(!of(&all, "heerlen-noord").iter().any(|f| f.0 == 2027), "{all:?}");
    }

    #[test]
    fn a_year_missing_in_the_window_stops_the_cumulation() {
        let s = "SYNTHETIC test figures";
        let entries = vec![
            entry("a", 2026, Scheme::Woontop, "realised", "starts", 50.0, s),
            entry("a", 2027, Scheme::Woontop, "realised", "starts", 70.0, s),
            entry("b", 2025, Scheme::Woontop, "realised", "completions", 10.0, s),
            entry("b", 2026, Scheme::Woontop, "realised", "starts", 20.0, s),
        ];
        let all = figures(&entries);
        // a: 2025 (the window's first year) is not reported, so neither 2026 nor 2027 can be cumulated.
        assert!(of(&all, "a").is_empty(), "{all:?}");
        // b: 2025 has completions but no starts: unknown, and so is 2026.
        assert!(of(&all, "b").is_empty(), "{all:?}");
    }

    #[test]
    fn only_variables_the_catalogue_has() {
        let registers = AreaRegister::from_entries(&seed_entries(), &SchemeParams::builtin()).unwrap();
        let rules = wijkmonitor_model::disclosure::DisclosureRules::builtin();
        let catalogue = Catalogue::parse(
            "[[indicator]]\nid = \"vhf_restructuring_started\"\nname_nl = \"x\"\nname_en = \"x\"\ndefinition_nl = \"\"\n\
             definition_en = \"\"\nunit = \"aantal\"\naction_line = \"physical\"\ntier = \"realisation\"\nsource = \"r\"\n\
             supplied_by = \"register\"\ndirection = \"higher_is_better\"\n\
             aggregation = { method = \"sum\", variable = \"vhf_restructuring_started\" }\ndisclosure = \"none\"\n",
            &rules,
        )
        .unwrap();
        let all = register_figures(&registers, &catalogue);
        assert_eq!(of(&all, "rotterdam-zuid"), vec![(2022, "vhf_restructuring_started", 600.0)]);
        assert_eq!(all.len(), 1);
    }
}
