//! A request round: the status of every area (analysts), opening a round, publishing its accepted figures, and
//! the list of rounds for the API.

use super::{flash, redirect, status_badge, year_of, Ctx, WorkView};
use crate::error::Problem;
use crate::i18n::Lang;
use crate::server::App;
use crate::work::{actions, forms, WorkResponse};
use axum::http::StatusCode;
use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use wijkmonitor_access::{allows, Permission};
use wijkmonitor_model::date::Date;
use wijkmonitor_request::SubmissionStatus;

#[derive(Serialize)]
pub struct Window {
    pub opens: Date,
    pub closes: Date,
}

#[derive(Serialize)]
pub struct AreaRow {
    pub area_id: String,
    pub name: String,
    pub status: SubmissionStatus,
    pub updated_at: String,
    pub updated_by: String,
}

/// The status of every area in a round.
#[derive(Serialize)]
pub struct RoundPage {
    pub year: i32,
    pub window: Window,
    pub areas: Vec<AreaRow>,
    #[serde(skip)]
    publishes: bool,
}

pub fn build(ctx: &Ctx<'_>) -> Result<RoundPage, Problem> {
    let year = year_of(ctx.req.path_param("year"))?;
    let (round, rows) = actions::statuses(ctx.work, &ctx.session.principal, year)?;
    Ok(RoundPage {
        year: round.round.year,
        window: Window { opens: round.round.opens, closes: round.round.closes },
        areas: rows
            .into_iter()
            .map(|(area_id, name, s)| AreaRow {
                area_id,
                name,
                status: s.status,
                updated_at: s.updated_at,
                updated_by: s.updated_by,
            })
            .collect(),
        publishes: allows(&ctx.session.principal, Permission::Publish),
    })
}

impl WorkView for RoundPage {
    fn title(&self, lang: Lang) -> String {
        format!("{} {}", lang.t("Uitvraag", "Request"), self.year)
    }

    fn html(&self, ctx: &Ctx<'_>) -> Markup {
        let lang = ctx.lang;
        let count = |s: SubmissionStatus| self.areas.iter().filter(|a| a.status == s).count();
        html! {
            h1 { (lang.t("Uitvraag ", "Request ")) (self.year) }
            (flash(lang, ctx.req))
            p class="lead" { (lang.t("Termijn: ", "Window: ")) (self.window.opens.to_string()) " – " (self.window.closes.to_string()) }
            ul class="legend-list" aria-label=(lang.t("Aantallen per status", "Counts by status")) {
                @for s in SubmissionStatus::ALL { li { (status_badge(lang, s)) " " span data-count=(s.as_str()) { (count(s)) } } }
            }
            div class="scroll" tabindex="0" role="region" aria-label=(lang.t("Status per focusgebied", "Status per focus area")) {
                table id="statuses" {
                    caption class="visually-hidden" { (lang.t("Status per focusgebied", "Status per focus area")) }
                    thead { tr {
                        th scope="col" { (lang.t("Focusgebied", "Focus area")) }
                        th scope="col" { "Status" }
                        th scope="col" { (lang.t("Laatst gewijzigd", "Last changed")) }
                        th scope="col" { (lang.t("Door", "By")) }
                    } }
                    tbody {
                        @for a in &self.areas {
                            tr data-area=(a.area_id) {
                                th scope="row" { a href=(lang.href(&format!("/werk/uitvraag/{}/{}", self.year, a.area_id))) { (a.name) } }
                                td { (status_badge(lang, a.status)) }
                                td { (a.updated_at) }
                                td { (a.updated_by) }
                            }
                        }
                    }
                }
            }
            @if self.publishes {
                h2 { (lang.t("Publiceren", "Publish")) }
                p { (lang.t("Publiceren zet de geaccepteerde cijfers van deze ronde op het openbare dashboard (na een nieuwe berekening met geheimhouding).",
                    "Publishing puts the accepted figures of this round on the public dashboard (after a new computation with disclosure control).")) }
                form method="post" action=(lang.href(&format!("/werk/uitvraag/{}/publiceren", self.year))) {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    button type="submit" id="publish" { (lang.t("Geaccepteerde cijfers publiceren", "Publish accepted figures")) }
                }
            }
        }
    }
}

#[derive(Serialize)]
struct RoundOut {
    year: i32,
    opens: Date,
    closes: Date,
    items: Vec<String>,
}

#[derive(Serialize)]
struct Rounds {
    rounds: Vec<RoundOut>,
}

/// The rounds (API).
pub fn rounds(ctx: &Ctx<'_>) -> Result<WorkResponse, Problem> {
    let rounds = ctx.work.store().rounds().map_err(Problem::internal)?;
    let rounds = rounds
        .into_iter()
        .map(|r| RoundOut { year: r.round.year, opens: r.round.opens, closes: r.round.closes, items: r.items })
        .collect();
    Ok(WorkResponse::json(StatusCode::OK, &Rounds { rounds }))
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

#[derive(Serialize)]
struct Opened {
    year: i32,
    opens: Date,
    closes: Date,
}

/// Opens a round, from the form or from JSON.
pub fn open(ctx: &Ctx<'_>) -> Result<WorkResponse, Problem> {
    let (work, who, req) = (ctx.work, &ctx.session.principal, ctx.req);
    if req.json {
        let b: RoundBody = actions::json_body(req)?;
        let (opens, closes) = (actions::parse_date(b.opens.as_deref())?, actions::parse_date(b.closes.as_deref())?);
        let round = actions::open_round(work, who, b.year, opens, closes, b.items)?;
        return Ok(WorkResponse::json(
            StatusCode::CREATED,
            &Opened { year: round.year, opens: round.opens, closes: round.closes },
        ));
    }
    let fields = forms::form_fields(req)?;
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let year = year_of(get("jaar").unwrap_or_default().trim())
        .map_err(|_| Problem::BadRequest("give the year the figures are about".into()))?;
    let date = |name: &str| actions::parse_date(get(name).as_deref());
    // The form always sends `kies`; a script posting only a year gets every item.
    let chosen = fields
        .iter()
        .any(|(k, _)| k == "kies")
        .then(|| fields.iter().filter(|(k, _)| k == "item").map(|(_, v)| v.clone()).collect::<Vec<_>>());
    actions::open_round(work, who, year, date("opent")?, date("sluit")?, chosen)?;
    Ok(redirect(req, &format!("/werk/uitvraag/{year}"), "geopend"))
}

#[derive(Serialize)]
struct Published {
    published_areas: usize,
}

/// Publishes the accepted figures of a round.
pub fn publish(app: &App, ctx: &Ctx<'_>) -> Result<WorkResponse, Problem> {
    let year = year_of(ctx.req.path_param("year"))?;
    let n = actions::publish(app, ctx.work, &ctx.session.principal, year)?;
    if ctx.req.json {
        return Ok(WorkResponse::json(StatusCode::OK, &Published { published_areas: n }));
    }
    Ok(redirect(ctx.req, &format!("/werk/uitvraag/{year}"), "gepubliceerd"))
}
