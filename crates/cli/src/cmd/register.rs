//! `wijkmonitor register`: print the programme register per area (agreements, tranches, budgets, designations)
//! with what follows from them under the scheme rules (progress, payments, flags, carry-forward), naming the
//! source of every figure. `--load FILE` first loads a register file (in the format of the seed) into the
//! database; `wijkmonitor demo` loads the built-in seed the same way.
//!
//! Loading also records the register's figures for the catalogue's register indicators (restructurings, starts)
//! as published area figures, so that the next `wijkmonitor compute` shows them on the areas' pages.

use crate::common::{load_areas, now_rfc3339, open_existing_store};
use anyhow::{Context, Result};
use std::path::PathBuf;
use wijkmonitor_programme::progress::{
    national_progress, spuk_carry_forward, stimulans_payment, vhf_assessment, woontop_progress,
};
use wijkmonitor_programme::register::Provenance;
use wijkmonitor_programme::{seed, AreaRegister, SchemeParams};
use wijkmonitor_store::request::Actor;

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
        let at = now_rfc3339();
        let n = wijkmonitor_pipeline::register::load_register(&mut store, entries, Actor { name: "cli", at: &at })?;
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
