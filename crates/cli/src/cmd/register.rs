//! `wijkmonitor register`: print the programme register per area (agreements, tranches, budgets, designations)
//! with what follows from them under the scheme rules (progress, payments, flags, carry-forward), naming the
//! source of every figure. `--load FILE` first loads a register file (in the format of the seed) into the
//! database; `wijkmonitor demo` loads the built-in seed the same way.
//!
//! Loading also records the register's figures for the catalogue's register indicators (restructurings, starts)
//! as published area figures, so that the next `wijkmonitor compute` shows them on the areas' pages.

use crate::common::{load_areas, now_rfc3339, open_existing_store};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::PathBuf;
use wijkmonitor_model::{Catalogue, Period, Value};
use wijkmonitor_programme::feed::{register_figures_with, RegisterFigure};
use wijkmonitor_programme::progress::{
    national_progress, spuk_carry_forward, stimulans_payment, vhf_assessment, woontop_progress,
};
use wijkmonitor_programme::register::Provenance;
use wijkmonitor_programme::{seed, AreaRegister, Entry, SchemeParams};
use wijkmonitor_store::{Origin, Store};

#[derive(clap::Args)]
pub struct Args {
    /// The database file.
    #[arg(long)]
    pub db: PathBuf,
    /// Show only this area (by area_id).
    #[arg(long)]
    pub area: Option<String>,
    /// First load this register file (TOML, in the format of data/register/seed.toml) into the database,
    /// replacing the entries of the areas and years it covers.
    #[arg(long)]
    pub load: Option<PathBuf>,
}

/// Loads the built-in register seed (real figures labelled with their source, and synthetic demo figures) into
/// the store, replacing each area's entries for the years the seed covers, and records the register figures of
/// the catalogue's indicators (see [`load_register`]). Returns the number of entries.
pub fn load_builtin_seed(store: &mut Store) -> Result<usize> {
    let params = SchemeParams::builtin();
    let entries = seed::parse(seed::BUILTIN_SEED, seed::BUILTIN_SEED_NAME, &params)?;
    load_register(store, entries)
}

/// Loads register entries into the store, replacing each area's entries for the years they cover, then records
/// the register's figures as published area figures ([`record_register_figures`]). Returns the number of entries.
pub fn load_register(store: &mut Store, entries: Vec<Entry>) -> Result<usize> {
    let mut by_area_year: BTreeMap<(String, i32), Vec<Entry>> = BTreeMap::new();
    for e in entries {
        by_area_year.entry((e.area.clone(), e.year)).or_default().push(e);
    }
    let mut n = 0;
    let at = now_rfc3339();
    let who = wijkmonitor_store::request::Actor { name: "cli", at: &at };
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

fn count(n: f64) -> String {
    let digits = format!("{:.0}", n.round());
    let (sign, digits) = digits.strip_prefix('-').map_or(("", digits.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

fn opt(n: Option<f64>) -> String {
    n.map_or_else(|| "unknown".to_string(), count)
}

fn eur(n: Option<f64>) -> String {
    n.map_or_else(|| "unknown".to_string(), |n| format!("EUR {}", count(n)))
}

fn pct(share: Option<f64>) -> String {
    share.map_or_else(|| "unknown".to_string(), |s| format!("{:.1}%", s * 100.0))
}

fn flag(f: Option<bool>, yes: &str) -> String {
    match f {
        Some(true) => format!("  [FLAG: {yes}]"),
        Some(false) => String::new(),
        None => "  [not assessed: a figure is unknown or no rule applies that year]".to_string(),
    }
}

fn source(p: &Provenance) -> String {
    if p.synthetic {
        format!("      source: {} [SYNTHETIC]", p.source)
    } else {
        format!("      source: {}", p.source)
    }
}

pub fn run(args: Args) -> Result<()> {
    let mut store = open_existing_store(&args.db)?;
    let params = SchemeParams::builtin();
    if let Some(path) = &args.load {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let entries = seed::parse(&text, &path.display().to_string(), &params)?;
        let n = load_register(&mut store, entries)?;
        println!(
            "loaded {n} register entries from {} (run `wijkmonitor compute --db {}` to update the computed figures)",
            path.display(),
            args.db.display()
        );
        println!();
    }
    let all = AreaRegister::from_entries(&store.register_entries(None)?, &params)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("the register in {} is not valid", args.db.display()))?;
    if all.is_empty() {
        println!("The register in {} is empty (`wijkmonitor demo` loads the seed).", args.db.display());
        return Ok(());
    }
    let areas = load_areas(None)?;
    let current_year: i32 = now_rfc3339().get(..4).and_then(|y| y.parse().ok()).unwrap_or(i32::MAX);
    let shown: Vec<&AreaRegister> = all.iter().filter(|r| args.area.as_ref().is_none_or(|a| *a == r.area)).collect();
    if let (Some(id), true) = (&args.area, shown.is_empty()) {
        let ids: Vec<&str> = all.iter().map(|r| r.area.as_str()).collect();
        anyhow::bail!("no register entries for area '{id}'; areas in the register: {}", ids.join(", "));
    }
    for reg in shown {
        let name = areas.get(&reg.area).map_or(reg.area.clone(), |a| format!("{} ({})", a.name, reg.area));
        println!("{name}");
        for a in &reg.woontop {
            println!("  Woontop agreement, recorded {}", a.year);
            println!("{}", source(&a.provenance));
            println!("    planned construction starts 2025-2029: {}", opt(a.planned_starts_total));
            let segments = [a.planned_social_rent, a.planned_mid_rent, a.planned_affordable_purchase];
            if segments.iter().all(Option::is_none) {
                println!("    affordable, segment not specified: {}", opt(a.planned_affordable));
            } else {
                println!(
                    "    affordable: {} (social rent {}, mid-rent {}, affordable purchase {})",
                    opt(a.planned_affordable),
                    opt(a.planned_social_rent),
                    opt(a.planned_mid_rent),
                    opt(a.planned_affordable_purchase)
                );
            }
            if a.planned_other.is_some() {
                println!("    other: {}", opt(a.planned_other));
            }
            println!(
                "    above-plan budget: {}; execution capacity: {}",
                eur(a.above_plan_budget_eur),
                eur(a.capacity_budget_eur)
            );
            let p = woontop_progress(reg, a, &params);
            // Nothing reported is not the same as nothing built: say so rather than print 0 or 0%.
            match p.realised_starts {
                None => println!("    progress: no realised construction starts reported yet"),
                Some(starts) => println!(
                    "    progress: {} starts realised (years {:?}) = {} of planned",
                    count(starts),
                    p.years_reported,
                    pct(p.share_of_planned_starts)
                ),
            }
            match p.realised_affordable {
                None => println!("    affordable starts (Realisatiestimulans): none reported yet"),
                Some(affordable) => println!(
                    "    {} affordable starts (Realisatiestimulans) = {} of planned affordable",
                    count(affordable),
                    pct(p.share_of_planned_affordable)
                ),
            }
            println!("    planned affordable = {} of the national 40,000 + 10,000", pct(p.planned_share_of_national));
        }
        for r in &reg.realised {
            println!("  Realised {}: starts {}, completions {}", r.year, opt(r.starts), opt(r.completions));
            println!("{}", source(&r.provenance));
        }
        for s in &reg.stimulans {
            let p = stimulans_payment(s, &params);
            let payment = match p.payment {
                Some((year, amount)) => format!("{} paid in {year}", eur(Some(amount))),
                None => "no payment (start year outside the scheme's window)".to_string(),
            };
            println!(
                "  Realisatiestimulans, starts {}: {} affordable -> {payment}",
                s.year,
                count(s.affordable_starts)
            );
            println!(
                "    affordable share {}{}; social-rent share {}{}",
                pct(p.affordable_share),
                flag(p.affordable_below_aim, "below the two-thirds aim [unconfirmed]"),
                pct(p.social_rent_share),
                flag(p.social_rent_below_aim, "below the 30% aim [unconfirmed]")
            );
            println!("{}", source(&s.provenance));
        }
        for t in &reg.vhf {
            let v = vhf_assessment(t, &params, current_year);
            println!(
                "  Volkshuisvestingsfonds {}: dwellings requested {}, granted {} ({} of requested, {} not granted)",
                t.tranche,
                opt(t.dwellings_requested),
                opt(t.dwellings_granted),
                pct(v.granted_share_of_requested),
                opt(v.not_granted)
            );
            println!(
                "    contribution {}, co-financing {} ({} of the contribution){}",
                eur(t.contribution_eur),
                eur(t.cofinancing_eur),
                pct(v.cofinancing_share),
                flag(v.cofinancing_below_minimum, "below the minimum co-financing share")
            );
            println!(
                "    restructurings started {}, completed {}; deadline {}{}",
                opt(t.restructurings_started),
                opt(t.restructurings_completed),
                v.deadline_year.map_or("unknown (grant year not in the source)".to_string(), |y| y.to_string()),
                if v.overdue == Some(true) {
                    "  [FLAG: past the deadline with restructurings outstanding]"
                } else {
                    ""
                }
            );
            println!("{}", source(&t.provenance));
        }
        for y in spuk_carry_forward(&reg.spuk, &params) {
            println!(
                "  SPUK {} {}: budget {}, carried in {}, spent {}, carried forward {}, lapsed {}{}",
                y.theme,
                y.year,
                eur(Some(y.budget)),
                eur(Some(y.carried_in)),
                eur(y.spent),
                eur(Some(y.carried_out)),
                eur(Some(y.lapsed)),
                if y.overspent { "  [FLAG: overspent]" } else { "" }
            );
            if let Some(line) = reg.spuk.iter().find(|l| l.theme == y.theme && l.year == y.year) {
                println!("{}", source(&line.provenance));
            }
        }
        for d in &reg.wbmgp {
            let articles: Vec<String> = d.articles.iter().map(|a| a.to_string()).collect();
            println!(
                "  Wbmgp {} ({}): {}, articles {}, area {}, start {}, end {}",
                d.id,
                d.status,
                d.municipality,
                articles.join(", "),
                d.area_name.as_deref().unwrap_or("not specified in the source"),
                d.start.as_deref().unwrap_or("unknown"),
                d.end.as_deref().unwrap_or("unknown")
            );
            if let Some(r) = &d.renewal_of {
                println!("    renewal of {r}");
            }
            if let Some(e) = &d.evaluation {
                println!("    evaluation: {e}");
            }
            println!("{}", source(&d.provenance));
        }
        println!();
    }
    if args.area.is_none() {
        let year = all.iter().flat_map(|r| &r.woontop).map(|a| a.year).max().unwrap_or(current_year);
        let n = national_progress(&all, &params, year);
        println!(
            "National (all areas in the register): {} areas with an agreement, planned affordable {} = {} of {}; \
             affordable starts {} = {}",
            n.areas_with_agreement,
            count(n.planned_affordable),
            pct(n.share_planned),
            opt(n.target),
            n.realised_affordable.map_or_else(|| "none reported yet".to_string(), count),
            pct(n.share_realised)
        );
        println!("  (sums mix real and synthetic figures in the demo; see the source lines above)");
    }
    Ok(())
}
