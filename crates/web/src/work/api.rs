//! The workspace's JSON API under `/api/v1/`: the request of an area (`/uitvraag/{year}/{area_id}`), the status
//! of all areas in a round, reviews, the programme register (`/register/{area_id}`) and the audit log. Scripts
//! authenticate with `Authorization: Bearer <token>` (from `wijkmonitor token create`); the same authorisation
//! applies as for the pages, through the same actions.

use super::actions::{self, require, Problem};
use super::auth::Session;
use super::{Work, WorkRequest, WorkResponse};
use crate::http::App;
use axum::http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use wijkmonitor_access::{Permission, Principal};
use wijkmonitor_programme::progress::{stimulans_payment, vhf_assessment};
use wijkmonitor_programme::request::{Action, RawAnswer};
use wijkmonitor_programme::{AreaRegister, Entry, EntryValue, SchemeParams};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveBody {
    answers: BTreeMap<String, RawAnswer>,
    #[serde(default)]
    submit: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    action: String,
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoundBody {
    year: i32,
    #[serde(default)]
    opens: Option<String>,
    #[serde(default)]
    closes: Option<String>,
    /// The request items of the round (indicator ids); all when not given.
    #[serde(default)]
    items: Option<Vec<String>>,
}

fn body<T: for<'de> Deserialize<'de>>(req: &WorkRequest) -> Result<T, Problem> {
    serde_json::from_slice(&req.body).map_err(|e| Problem::BadRequest(format!("the JSON body is not valid: {e}")))
}

fn year_of(text: &str) -> Result<i32, Problem> {
    text.parse().map_err(|_| Problem::NotFound(format!("'{text}' is not a year")))
}

fn ok(value: Value) -> Result<WorkResponse, Problem> {
    Ok(WorkResponse::json(StatusCode::OK, &value))
}

fn request_json(view: &actions::RequestView) -> Value {
    json!({
        "year": view.round.round.year,
        "area_id": view.area,
        "area_name": view.area_name,
        "window": { "opens": view.round.round.opens, "closes": view.round.round.closes },
        "status": view.submission.status,
        "comment": view.submission.comment,
        "reopened_until": view.submission.reopened_until,
        "editable": view.editable,
        "items": view.items.iter().map(|i| json!({
            "item": i.indicator, "number": i.number, "input": i.input_name(), "unit": i.unit,
            "min": i.min, "max": i.max, "part_of": i.part_of, "name_nl": i.name_nl, "name_en": i.name_en,
            "answer": view.answers.get(&i.indicator),
            "last_year": view.last_year.get(&i.indicator),
        })).collect::<Vec<_>>(),
    })
}

/// Routes an API request of the workspace.
pub fn route(app: &App, work: &Work, req: &WorkRequest, session: &Session) -> Result<WorkResponse, Problem> {
    let who = &session.principal;
    let seg: Vec<&str> = req.path.trim_matches('/').split('/').skip(2).collect();
    match (&req.method, seg.as_slice()) {
        (&Method::GET, ["ik"]) => match who {
            Principal::Public => Err(Problem::Unauthorized("not signed in".into())),
            Principal::User { email, role, areas, .. } => ok(json!({
                "email": email, "role": role.as_str(), "areas": areas,
            })),
        },
        (&Method::GET, ["uitvraag"]) => {
            require(who, Permission::Workspace)?;
            let rounds = work.store().rounds().map_err(Problem::internal)?;
            ok(json!({ "rounds": rounds.iter().map(|r| json!({
                "year": r.round.year, "opens": r.round.opens, "closes": r.round.closes, "items": r.items,
            })).collect::<Vec<_>>() }))
        }
        (&Method::POST, ["uitvraag"]) => {
            let b: RoundBody = body(req)?;
            let date = |d: &Option<String>| -> Result<_, Problem> {
                d.as_deref()
                    .map(|t| {
                        wijkmonitor_programme::params::Date::parse(t)
                            .ok_or_else(|| Problem::BadRequest(format!("'{t}' is not a date (YYYY-MM-DD)")))
                    })
                    .transpose()
            };
            let round = actions::open_round(work, who, b.year, date(&b.opens)?, date(&b.closes)?, b.items)?;
            Ok(WorkResponse::json(
                StatusCode::CREATED,
                &json!({ "year": round.year, "opens": round.opens, "closes": round.closes }),
            ))
        }
        (&Method::GET, ["uitvraag", year]) => {
            let (round, rows) = actions::statuses(work, who, year_of(year)?)?;
            ok(json!({
                "year": round.round.year,
                "window": { "opens": round.round.opens, "closes": round.round.closes },
                "areas": rows.iter().map(|(id, name, s)| json!({
                    "area_id": id, "name": name, "status": s.status, "updated_at": s.updated_at, "updated_by": s.updated_by,
                })).collect::<Vec<_>>(),
            }))
        }
        (&Method::POST, ["uitvraag", year, "publiceren"]) => {
            let n = actions::publish(app, work, who, year_of(year)?)?;
            ok(json!({ "published_areas": n }))
        }
        (&Method::GET, ["uitvraag", year, area]) => {
            ok(request_json(&actions::request_view(work, who, year_of(year)?, area)?))
        }
        (&Method::PUT, ["uitvraag", year, area]) => {
            let year = year_of(year)?;
            let b: SaveBody = body(req)?;
            let (status, changed) = actions::save(work, who, year, area, b.answers, b.submit, true, "api")?;
            ok(json!({ "status": status, "changed": changed }))
        }
        (&Method::POST, ["uitvraag", year, area, "beoordeling"]) => {
            let year = year_of(year)?;
            let b: ReviewBody = body(req)?;
            let action = match b.action.as_str() {
                "accept" => Action::Accept,
                "return" => Action::Return,
                "reopen" => Action::Reopen,
                other => {
                    return Err(Problem::BadRequest(format!("unknown action '{other}' (accept, return or reopen)")))
                }
            };
            let status = actions::review(work, who, year, area, action, &b.comment)?;
            ok(json!({ "status": status }))
        }
        (&Method::GET, ["register", area]) => {
            work.area_name(area).ok_or_else(|| Problem::NotFound(format!("no focus area '{area}'")))?;
            require(who, Permission::ReadRegister(area))?;
            let entries = work.store().register_entries(Some(area)).map_err(Problem::internal)?;
            ok(register_json(area, &entries, work.today().year))
        }
        (&Method::GET, ["audit"]) => {
            require(who, Permission::ReadAudit)?;
            let filter = wijkmonitor_store::audit::AuditFilter {
                area: req.param("gebied").filter(|a| !a.is_empty()),
                year: req.param("jaar").and_then(|y| y.parse().ok()),
            };
            let log = work.store().audit_log(&filter).map_err(Problem::internal)?;
            ok(json!({ "entries": log }))
        }
        _ => {
            require(who, Permission::Workspace)?;
            Err(Problem::NotFound(format!("no API resource at {} {}", req.method, req.path)))
        }
    }
}

/// The register of one area as JSON: every entry with its source, and the progress lines that follow from the
/// scheme rules (in Dutch and English).
pub fn register_json(area: &str, entries: &[Entry], current_year: i32) -> Value {
    let params = SchemeParams::builtin();
    let mut progress = Vec::new();
    match AreaRegister::from_entries(entries, &params) {
        Ok(registers) => {
            for reg in &registers {
                for a in &reg.woontop {
                    if let (Some(total), Some(affordable)) = (a.planned_starts_total, a.planned_affordable) {
                        progress.push(json!({
                            "nl": format!("Woontop-afspraak ({}): {total:.0} geplande bouwstarts 2025-2029, waarvan {affordable:.0} betaalbaar.", a.year),
                            "en": format!("Woontop agreement ({}): {total:.0} planned construction starts 2025-2029, of which {affordable:.0} affordable.", a.year),
                        }));
                    }
                }
                for s in &reg.stimulans {
                    let p = stimulans_payment(s, &params);
                    if let Some((year, amount)) = p.payment {
                        progress.push(json!({
                            "nl": format!("Realisatiestimulans: {:.0} betaalbare starts in {} geven EUR {amount:.0}, uit te betalen in {year}.", p.affordable_starts, p.start_year),
                            "en": format!("Realisatiestimulans: {:.0} affordable starts in {} give EUR {amount:.0}, paid in {year}.", p.affordable_starts, p.start_year),
                        }));
                    }
                }
                for t in &reg.vhf {
                    let v = vhf_assessment(t, &params, current_year);
                    if let (Some(requested), Some(granted)) = (t.dwellings_requested, t.dwellings_granted) {
                        let flag = match v.cofinancing_below_minimum {
                            Some(true) => (" Cofinanciering onder het minimum.", " Co-financing below the minimum."),
                            _ => ("", ""),
                        };
                        progress.push(json!({
                            "nl": format!("Volkshuisvestingsfonds {}: {granted:.0} van {requested:.0} aangevraagde woningen toegekend{}.{}",
                                t.tranche, v.deadline_year.map(|d| format!(", gereed uiterlijk {d}")).unwrap_or_default(), flag.0),
                            "en": format!("Housing Fund {}: {granted:.0} of {requested:.0} requested dwellings granted{}.{}",
                                t.tranche, v.deadline_year.map(|d| format!(", due by {d}")).unwrap_or_default(), flag.1),
                        }));
                    }
                }
            }
        }
        Err(e) => progress.push(json!({ "nl": format!("Het register is niet consistent: {e}"), "en": format!("The register is not consistent: {e}") })),
    }
    json!({
        "area_id": area,
        "entries": entries.iter().map(|e| json!({
            "scheme": e.scheme.as_str(), "year": e.year, "instance": e.instance, "item": e.item,
            "value": match &e.value { EntryValue::Number(n) => json!(n), EntryValue::Text(t) => json!(t) },
            "source": e.source, "synthetic": e.synthetic,
        })).collect::<Vec<_>>(),
        "progress": progress,
    })
}
