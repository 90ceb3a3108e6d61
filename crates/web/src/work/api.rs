//! The workspace's JSON API under `/api/v1/`: the request of an area (`/uitvraag/{year}/{area_id}`), the status
//! of all areas in a round, reviews, the programme register (`/register/{area_id}`) and the audit log. Scripts
//! authenticate with `Authorization: Bearer <token>` (from `wijkmonitor token create`); the same authorisation
//! applies as for the pages, through the same actions.

use super::actions::{self, parse_date, register_json, require, year_of, Problem};
use super::auth::Session;
use super::{Work, WorkRequest, WorkResponse};
use crate::http::App;
use axum::http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use wijkmonitor_access::{Permission, Principal};
use wijkmonitor_request::{Action, RawAnswer};

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
            let (opens, closes) = (parse_date(b.opens.as_deref())?, parse_date(b.closes.as_deref())?);
            let round = actions::open_round(work, who, b.year, opens, closes, b.items)?;
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
            let (_, entries) = actions::register(work, who, area)?;
            ok(register_json(area, &entries, work.today().year))
        }
        (&Method::GET, ["audit"]) => ok(json!({ "entries": actions::audit_log(work, who, req)? })),
        _ => {
            require(who, Permission::Workspace)?;
            Err(Problem::NotFound(format!("no API resource at {} {}", req.method, req.path)))
        }
    }
}
