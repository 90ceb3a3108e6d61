//! What follows from the register under the scheme rules: progress against the agreements and the national
//! target, Realisatiestimulans payments and shares, VHF flags and deadlines, SPUK carry-forward.
//!
//! Every rule comes from [`SchemeParams`] for the year it concerns; a rule that does not apply in that year
//! (for example a start outside 2025-2029) gives no payment, and a figure that is unknown stays unknown (`None`),
//! never 0.

use crate::params::SchemeParams;
use crate::register::{AreaRegister, SpukLine, StimulansStarts, VhfTranche, WoontopAgreement};

fn ratio(part: f64, whole: Option<f64>) -> Option<f64> {
    whole.filter(|w| *w > 0.0).map(|w| part / w)
}

/// Progress of an area against its Woontop agreement. A count that no record reports is unknown (`None`), not 0:
/// an area that has not reported its starts yet has not necessarily started nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct WoontopProgress {
    /// Realised starts in the agreement's window (years of the national target's validity); `None` when no year
    /// in the window has a realised-starts figure.
    pub realised_starts: Option<f64>,
    /// Years with a realised-starts figure in the window.
    pub years_reported: Vec<i32>,
    pub share_of_planned_starts: Option<f64>,
    /// Affordable starts counted for the Realisatiestimulans in the window; `None` when none are recorded.
    pub realised_affordable: Option<f64>,
    pub share_of_planned_affordable: Option<f64>,
    /// The area's planned affordable starts as a share of the national 40,000 + 10,000.
    pub planned_share_of_national: Option<f64>,
}

/// The sum of the figures, or `None` when there are none. (The sum starts from +0.0, so it is never -0.0, which
/// would print as "-0".)
fn known_sum(figures: impl IntoIterator<Item = f64>) -> Option<f64> {
    figures.into_iter().fold(None, |total: Option<f64>, x| Some(total.unwrap_or(0.0) + x))
}

/// The national Woontop target (accelerated + extra) that applies in `year`.
pub fn national_target(params: &SchemeParams, year: i32) -> Option<f64> {
    Some(
        params.number("woontop.accelerated_dwellings", year)?
            + params.number("woontop.extra_affordable_dwellings", year)?,
    )
}

/// Whether `year` lies in the Woontop window (the validity of the national target).
fn in_woontop_window(params: &SchemeParams, year: i32) -> bool {
    national_target(params, year).is_some()
}

/// Progress of one area against one agreement.
pub fn woontop_progress(reg: &AreaRegister, agreement: &WoontopAgreement, params: &SchemeParams) -> WoontopProgress {
    let realised: Vec<(i32, f64)> = reg
        .realised
        .iter()
        .filter(|r| in_woontop_window(params, r.year))
        .filter_map(|r| r.starts.map(|s| (r.year, s)))
        .collect();
    let realised_starts = known_sum(realised.iter().map(|(_, s)| *s));
    let realised_affordable =
        known_sum(reg.stimulans.iter().filter(|s| in_woontop_window(params, s.year)).map(|s| s.affordable_starts));
    WoontopProgress {
        realised_starts,
        years_reported: realised.iter().map(|(y, _)| *y).collect(),
        share_of_planned_starts: realised_starts.and_then(|r| ratio(r, agreement.planned_starts_total)),
        realised_affordable,
        share_of_planned_affordable: realised_affordable.and_then(|r| ratio(r, agreement.planned_affordable)),
        planned_share_of_national: agreement
            .planned_affordable
            .and_then(|p| ratio(p, national_target(params, agreement.year))),
    }
}

/// Progress of all areas together against the national 40,000 + 10,000.
#[derive(Debug, Clone, PartialEq)]
pub struct NationalProgress {
    pub target: Option<f64>,
    pub areas_with_agreement: usize,
    pub planned_affordable: f64,
    /// The areas' affordable starts in the window; `None` when no area has recorded any.
    pub realised_affordable: Option<f64>,
    pub share_planned: Option<f64>,
    pub share_realised: Option<f64>,
}

/// Sums the areas' agreements and affordable starts; `year` chooses the target that applies.
pub fn national_progress(registers: &[AreaRegister], params: &SchemeParams, year: i32) -> NationalProgress {
    let target = national_target(params, year);
    let agreements: Vec<&WoontopAgreement> = registers.iter().flat_map(|r| &r.woontop).collect();
    let planned_affordable = agreements.iter().filter_map(|a| a.planned_affordable).sum::<f64>() + 0.0;
    let realised_affordable = known_sum(
        registers
            .iter()
            .flat_map(|r| &r.stimulans)
            .filter(|s| in_woontop_window(params, s.year))
            .map(|s| s.affordable_starts),
    );
    NationalProgress {
        target,
        areas_with_agreement: registers.iter().filter(|r| !r.woontop.is_empty()).count(),
        planned_affordable,
        realised_affordable,
        share_planned: ratio(planned_affordable, target),
        share_realised: realised_affordable.and_then(|r| ratio(r, target)),
    }
}

/// The Realisatiestimulans for the starts of one year.
#[derive(Debug, Clone, PartialEq)]
pub struct StimulansPayment {
    pub start_year: i32,
    pub affordable_starts: f64,
    /// The year of payment and the amount; `None` when the start year lies outside the scheme's window.
    pub payment: Option<(i32, f64)>,
    pub affordable_share: Option<f64>,
    pub social_rent_share: Option<f64>,
    /// Below the (national, unconfirmed) aims; `None` when the share or the aim is unknown.
    pub affordable_below_aim: Option<bool>,
    pub social_rent_below_aim: Option<bool>,
}

/// The payment and shares for one year's starts.
pub fn stimulans_payment(s: &StimulansStarts, params: &SchemeParams) -> StimulansPayment {
    let amount = params.number("realisatiestimulans.amount_per_affordable_start_eur", s.year);
    let lag = params.number("realisatiestimulans.payment_lag_years", s.year);
    let payment = match (amount, lag) {
        (Some(amount), Some(lag)) => Some((s.year + lag as i32, s.affordable_starts * amount)),
        _ => None,
    };
    let affordable_share = ratio(s.affordable_starts, s.total_starts);
    let social_rent_share = s.social_rent_starts.and_then(|sr| ratio(sr, s.total_starts));
    let below = |share: Option<f64>, id: &str| Some(share? < params.number(id, s.year)?);
    StimulansPayment {
        start_year: s.year,
        affordable_starts: s.affordable_starts,
        payment,
        affordable_share,
        social_rent_share,
        affordable_below_aim: below(affordable_share, "realisatiestimulans.aim_affordable_share"),
        social_rent_below_aim: below(social_rent_share, "realisatiestimulans.aim_social_rent_share"),
    }
}

/// What follows from a VHF tranche.
#[derive(Debug, Clone, PartialEq)]
pub struct VhfAssessment {
    pub granted_share_of_requested: Option<f64>,
    pub not_granted: Option<f64>,
    /// Co-financing as a share of the national contribution.
    pub cofinancing_share: Option<f64>,
    /// `Some(true)` when the co-financing is below the minimum share that applies in the grant year.
    pub cofinancing_below_minimum: Option<bool>,
    /// The last year to realise (grant year + the years allowed), when the grant year is known.
    pub deadline_year: Option<i32>,
    /// Granted restructurings not yet completed.
    pub outstanding: Option<f64>,
    /// `Some(true)` when `current_year` is past the deadline with restructurings outstanding.
    pub overdue: Option<bool>,
}

pub fn vhf_assessment(t: &VhfTranche, params: &SchemeParams, current_year: i32) -> VhfAssessment {
    let rule_year = t.grant_year.unwrap_or(t.year);
    let cofinancing_share = t.cofinancing_eur.and_then(|c| ratio(c, t.contribution_eur));
    let minimum = params.number("vhf.min_cofinancing_share", rule_year);
    let deadline_year = t.grant_year.and_then(|g| Some(g + params.number("vhf.years_to_realise", g)? as i32));
    let outstanding = match (t.dwellings_granted, t.restructurings_completed) {
        (Some(g), Some(c)) => Some((g - c).max(0.0)),
        _ => None,
    };
    VhfAssessment {
        granted_share_of_requested: t.dwellings_granted.and_then(|g| ratio(g, t.dwellings_requested)),
        not_granted: match (t.dwellings_requested, t.dwellings_granted) {
            (Some(r), Some(g)) => Some(r - g),
            _ => None,
        },
        cofinancing_share,
        cofinancing_below_minimum: match (cofinancing_share, minimum) {
            (Some(share), Some(minimum)) => Some(share < minimum),
            _ => None,
        },
        deadline_year,
        outstanding,
        overdue: match (deadline_year, outstanding) {
            (Some(d), Some(o)) => Some(current_year > d && o > 0.0),
            _ => None,
        },
    }
}

/// One year of one SPUK theme after carry-forward.
#[derive(Debug, Clone, PartialEq)]
pub struct SpukYear {
    pub theme: String,
    pub year: i32,
    pub budget: f64,
    pub carried_in: f64,
    pub available: f64,
    pub spent: Option<f64>,
    /// Unspent money carried into the next year (allowed up to the last carry-forward year).
    pub carried_out: f64,
    /// Unspent money that cannot be carried forward.
    pub lapsed: f64,
    pub overspent: bool,
}

/// Carry-forward per theme, year by year. Unspent money moves to the next year only if that year is at most the
/// last carry-forward year that applies; otherwise it lapses. A year without a spending figure stops the chain:
/// what it leaves unspent is unknown, so nothing is carried on from it.
pub fn spuk_carry_forward(lines: &[SpukLine], params: &SchemeParams) -> Vec<SpukYear> {
    let mut sorted: Vec<&SpukLine> = lines.iter().collect();
    sorted.sort_by(|a, b| (&a.theme, a.year).cmp(&(&b.theme, b.year)));
    let mut out: Vec<SpukYear> = Vec::new();
    for line in sorted {
        let carried_in = match out.last() {
            Some(prev) if prev.theme == line.theme && prev.year + 1 == line.year => prev.carried_out,
            _ => 0.0,
        };
        let available = line.budget_eur + carried_in;
        let (carried_out, lapsed, overspent) = match line.spent_eur {
            Some(spent) => {
                let unspent = (available - spent).max(0.0);
                let may_carry = params
                    .number("spuk.carry_forward_last_year", line.year)
                    .is_some_and(|last| f64::from(line.year + 1) <= last);
                if may_carry {
                    (unspent, 0.0, spent > available)
                } else {
                    (0.0, unspent, spent > available)
                }
            }
            None => (0.0, 0.0, false),
        };
        out.push(SpukYear {
            theme: line.theme.clone(),
            year: line.year,
            budget: line.budget_eur,
            carried_in,
            available,
            spent: line.spent_eur,
            carried_out,
            lapsed,
            overspent,
        });
    }
    out
}
