//! What the workspace does, once for the HTML forms and the JSON API alike: read an area's request, save or
//! submit answers, upload a workbook, review, open a round, publish, read the register and the audit log. Each
//! action first asks [`allows`] and then the request rules of `wijkmonitor_programme::request`; it returns a
//! [`Problem`] that both front ends render in their own way.

use super::auth::Session;
use super::{Work, WorkRequest, WorkResponse};
use crate::http::App;
use axum::http::{header, StatusCode};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use wijkmonitor_access::{allows, Permission, Principal};
use wijkmonitor_model::date::{add_days, Date};
use wijkmonitor_model::Value;
use wijkmonitor_programme::progress::{stimulans_payment, vhf_assessment};
use wijkmonitor_programme::{AreaRegister, Entry, EntryValue, SchemeParams};
use wijkmonitor_request::workbook;
use wijkmonitor_request::{
    self as request, Action, AnswerValue, FieldError, Item, RawAnswer, Round, SubmissionState, SubmissionStatus,
};
use wijkmonitor_store::audit::{AuditEntry, AuditFilter};
use wijkmonitor_store::request::{Actor, Review, StoredRound, Submission};
use wijkmonitor_store::Store;

/// Why an action did not happen.
#[derive(Debug, Clone)]
pub enum Problem {
    /// Not signed in (or the session ended).
    Unauthorized(String),
    Forbidden(String),
    NotFound(String),
    MethodNotAllowed,
    BadRequest(String),
    /// The rules of the request do not allow it now (a deadline, a status).
    Refused {
        nl: String,
        en: String,
    },
    /// Answers that do not validate, by field.
    Invalid(Vec<FieldError>),
    /// An upload that cannot be applied, by cell.
    Upload(Vec<workbook::CellError>),
    TooManyRequests(String),
    Internal(String),
}

impl Problem {
    pub fn internal(e: impl std::fmt::Display) -> Problem {
        Problem::Internal(e.to_string())
    }

    fn status(&self) -> StatusCode {
        match self {
            Problem::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Problem::Forbidden(_) => StatusCode::FORBIDDEN,
            Problem::NotFound(_) => StatusCode::NOT_FOUND,
            Problem::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Problem::BadRequest(_) => StatusCode::BAD_REQUEST,
            Problem::Refused { .. } => StatusCode::CONFLICT,
            Problem::Invalid(_) | Problem::Upload(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Problem::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Problem::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Problem::Unauthorized(_) => "unauthorized",
            Problem::Forbidden(_) => "forbidden",
            Problem::NotFound(_) => "not_found",
            Problem::MethodNotAllowed => "method_not_allowed",
            Problem::BadRequest(_) => "bad_request",
            Problem::Refused { .. } => "refused",
            Problem::Invalid(_) => "invalid",
            Problem::Upload(_) => "invalid_upload",
            Problem::TooManyRequests(_) => "too_many_requests",
            Problem::Internal(_) => "internal_error",
        }
    }

    /// The message in a language (internals are never shown: an internal error says only that it failed).
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        match self {
            Problem::Unauthorized(m)
            | Problem::Forbidden(m)
            | Problem::NotFound(m)
            | Problem::BadRequest(m)
            | Problem::TooManyRequests(m) => m.clone(),
            Problem::MethodNotAllowed => "this method is not supported here".into(),
            Problem::Refused { nl, en } => lang.t(nl, en).to_string(),
            Problem::Invalid(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.item, lang.t(&e.message_nl, &e.message_en)))
                .collect::<Vec<_>>()
                .join("; "),
            Problem::Upload(errors) => errors
                .iter()
                .map(|e| {
                    let m = lang.t(&e.message_nl, &e.message_en);
                    e.cell.as_ref().map_or_else(|| m.to_string(), |c| format!("{c}: {m}"))
                })
                .collect::<Vec<_>>()
                .join("; "),
            Problem::Internal(_) => "the request could not be completed".into(),
        }
    }

    /// The response: JSON for the API, a page (or the sign-in page) for browsers.
    pub fn respond(&self, req: &WorkRequest, session: Option<&Session>) -> WorkResponse {
        if let Problem::Internal(detail) = self {
            eprintln!("workspace error on {} {}: {detail}", req.method, req.path);
        }
        let lang = req.lang();
        if req.is_api() || req.accept_json {
            let mut error = serde_json::json!({
                "status": self.status().as_u16(), "code": self.code(), "message": self.message(crate::i18n::Lang::En)
            });
            if let Problem::Invalid(fields) = self {
                error["fields"] = serde_json::to_value(fields).unwrap_or_default();
            }
            if let Problem::Upload(cells) = self {
                error["cells"] = serde_json::Value::Array(
                    cells
                        .iter()
                        .map(|c| serde_json::json!({"cell": c.cell, "message_nl": c.message_nl, "message_en": c.message_en}))
                        .collect(),
                );
            }
            let mut r = WorkResponse::json(self.status(), &serde_json::json!({ "error": error }));
            if matches!(self, Problem::Unauthorized(_)) {
                r = r.with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"wijkmonitor\"".into());
            }
            return r;
        }
        if let Problem::Unauthorized(_) = self {
            // After signing in, go back to the page the request came from: a form's page, not its POST address.
            let page = if req.method == axum::http::Method::GET {
                req.path.clone()
            } else {
                let trimmed = ["/upload", "/beoordeling", "/publiceren"]
                    .iter()
                    .find_map(|s| req.path.strip_suffix(s))
                    .unwrap_or(&req.path);
                if trimmed.starts_with("/werk/uitvraag/") {
                    trimmed.to_string()
                } else {
                    "/werk".to_string()
                }
            };
            let next = if req.query.is_empty() || req.method != axum::http::Method::GET {
                page
            } else {
                format!("{page}?{}", req.query)
            };
            let expired = session.is_some_and(|s| s.expired);
            let mut to = format!("/aanmelden?next={}", super::pages::url_encode(&next));
            if expired {
                to.push_str("&verlopen=1");
            }
            return WorkResponse::redirect(&lang.href(&to));
        }
        WorkResponse::html(
            self.status(),
            super::pages::error_page(lang, self.status(), &self.message(lang), session, &req.path),
        )
    }
}

/// Refuses unless `who` may do `what`: the public is sent to sign in, a signed-in user is refused.
pub fn require(who: &Principal, what: Permission<'_>) -> Result<(), Problem> {
    if allows(who, what) {
        return Ok(());
    }
    match who {
        Principal::Public => Err(Problem::Unauthorized("sign in first".into())),
        Principal::User { .. } => Err(Problem::Forbidden("your account has no access to this".into())),
    }
}

fn refused(r: request::Refused) -> Problem {
    Problem::Refused { nl: r.message_nl, en: r.message_en }
}

fn actor<'a>(name: &'a str, at: &'a str) -> Actor<'a> {
    Actor { name, at }
}

/// Everything the request page of one area shows.
#[derive(Debug, Clone)]
pub struct RequestView {
    pub round: StoredRound,
    pub area: String,
    pub area_name: String,
    pub submission: Submission,
    pub answers: BTreeMap<String, RawAnswer>,
    pub last_year: BTreeMap<String, RawAnswer>,
    /// The items of this round.
    pub items: Vec<Item>,
    /// Whether the person asking may change the answers now.
    pub editable: bool,
    /// Whether the person asking may review (return, accept, reopen).
    pub reviewer: bool,
    pub today: Date,
}

/// A year in a path.
pub fn year_of(text: &str) -> Result<i32, Problem> {
    text.parse().map_err(|_| Problem::NotFound(format!("'{text}' is not a year")))
}

/// A date as typed in a form or sent in JSON (`YYYY-MM-DD`); empty or absent is `None`.
pub fn parse_date(text: Option<&str>) -> Result<Option<Date>, Problem> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => {
            Date::parse(t).map(Some).ok_or_else(|| Problem::BadRequest(format!("'{t}' is not a date (YYYY-MM-DD)")))
        }
    }
}

/// The audit log, filtered by the request's `gebied` and `jaar` parameters.
pub fn audit_log(work: &Work, who: &Principal, req: &WorkRequest) -> Result<Vec<AuditEntry>, Problem> {
    require(who, Permission::ReadAudit)?;
    let filter = AuditFilter {
        area: req.param("gebied").filter(|a| !a.is_empty()),
        year: req.param("jaar").and_then(|y| y.parse().ok()),
    };
    work.store().audit_log(&filter).map_err(Problem::internal)
}

/// An area's name and its register entries.
pub fn register(work: &Work, who: &Principal, area: &str) -> Result<(String, Vec<Entry>), Problem> {
    let name = area_exists(work, area)?;
    require(who, Permission::ReadRegister(area))?;
    let entries = work.store().register_entries(Some(area)).map_err(Problem::internal)?;
    Ok((name, entries))
}

fn area_exists(work: &Work, area: &str) -> Result<String, Problem> {
    work.area_name(area).map(str::to_string).ok_or_else(|| Problem::NotFound(format!("no focus area '{area}'")))
}

fn round_of(store: &Store, year: i32) -> Result<StoredRound, Problem> {
    store
        .round(year)
        .map_err(Problem::internal)?
        .ok_or_else(|| Problem::NotFound(format!("no request round for {year}")))
}

fn round_items(work: &Work, round: &StoredRound) -> Vec<Item> {
    work.items.iter().filter(|i| round.items.contains(&i.indicator)).cloned().collect()
}

/// Reads an area's request in a round (permission first, so a refused reader learns nothing about the round).
pub fn request_view(work: &Work, who: &Principal, year: i32, area: &str) -> Result<RequestView, Problem> {
    let area_name = area_exists(work, area)?;
    require(who, Permission::ReadRequest(area))?;
    let store = work.store();
    let round = round_of(&store, year)?;
    let submission = store.submission(year, area).map_err(Problem::internal)?;
    let answers = store.answers(year, area).map_err(Problem::internal)?;
    let last_year = store.answers(year - 1, area).map_err(Problem::internal)?;
    drop(store);
    let today = work.today();
    let state = SubmissionState { status: submission.status, reopened_until: submission.reopened_until };
    let items = round_items(work, &round);
    Ok(RequestView {
        editable: allows(who, Permission::EditRequest(area)) && state.editable(&round.round, today),
        reviewer: allows(who, Permission::Review),
        round,
        area: area.to_string(),
        area_name,
        submission,
        answers,
        last_year,
        items,
        today,
    })
}

/// Saves (or submits) an area's answers. Nothing is stored unless every answer validates. With `merge`, the
/// answers given replace only those items (an API client may send one item); without, they are the whole form.
#[allow(clippy::too_many_arguments)]
pub fn save(
    work: &Work,
    who: &Principal,
    year: i32,
    area: &str,
    answers: BTreeMap<String, RawAnswer>,
    submit: bool,
    merge: bool,
    how: &str,
) -> Result<(SubmissionStatus, usize), Problem> {
    area_exists(work, area)?;
    require(who, Permission::EditRequest(area))?;
    // One lock from reading the status to writing: two saves, or a save and a review, cannot interleave.
    let mut store = work.store();
    let answers = if merge { merged(&store, year, area, &answers)? } else { answers };
    save_locked(work, &mut store, who, year, area, answers, submit, how)
}

/// The saved answers of an area with `given` laid over them (an empty answer without explanation removes one).
fn merged(
    store: &Store,
    year: i32,
    area: &str,
    given: &BTreeMap<String, RawAnswer>,
) -> Result<BTreeMap<String, RawAnswer>, Problem> {
    let mut answers = store.answers(year, area).map_err(Problem::internal)?;
    for (item, answer) in given {
        answers.insert(item.clone(), answer.clone());
    }
    answers.retain(|_, a| !(a.value.is_empty() && a.explanation.is_empty()));
    Ok(answers)
}

#[allow(clippy::too_many_arguments)]
fn save_locked(
    work: &Work,
    store: &mut Store,
    who: &Principal,
    year: i32,
    area: &str,
    answers: BTreeMap<String, RawAnswer>,
    submit: bool,
    how: &str,
) -> Result<(SubmissionStatus, usize), Problem> {
    let round = round_of(store, year)?;
    let submission = store.submission(year, area).map_err(Problem::internal)?;
    let state = SubmissionState { status: submission.status, reopened_until: submission.reopened_until };
    let action = if submit { Action::Submit } else { Action::SaveDraft };
    let status = state.apply(action, false, &round.round, work.today()).map_err(refused)?;
    let items = round_items(work, &round);
    request::validate(&items, &answers, submit).map_err(Problem::Invalid)?;
    let at = work.now_rfc3339();
    let name = who.actor();
    let changed =
        store.save_answers(year, area, &answers, status, how, actor(&name, &at)).map_err(Problem::internal)?;
    Ok((status, changed))
}

/// Applies an uploaded workbook as a draft: the same checks as the form, and nothing changes unless all pass.
pub fn upload(
    work: &Work,
    who: &Principal,
    year: i32,
    area: &str,
    bytes: &[u8],
) -> Result<(SubmissionStatus, usize), Problem> {
    area_exists(work, area)?;
    require(who, Permission::EditRequest(area))?;
    let items = {
        let store = work.store();
        round_items(work, &round_of(&store, year)?)
    };
    // Reading the workbook takes the longest; it needs no lock.
    let upload = workbook::read_upload(bytes, area, year, &items).map_err(|e| Problem::Upload(vec![e]))?;
    let mut store = work.store();
    // The workbook's rows replace the answers of the items it lists; items it does not list keep theirs.
    let answers = merged(&store, year, area, &upload.answers)?;
    if let Err(errors) = request::validate(&items, &answers, false) {
        let located = workbook::locate(&errors, &upload);
        return Err(Problem::Upload(located));
    }
    save_locked(work, &mut store, who, year, area, answers, false, "xlsx")
}

/// The Excel template of an area's request, prefilled with its saved answers and last year's.
pub fn template(
    work: &Work,
    who: &Principal,
    year: i32,
    area: &str,
    lang: crate::i18n::Lang,
) -> Result<Vec<u8>, Problem> {
    let view = request_view(work, who, year, area)?;
    workbook::template(&workbook::TemplateInput {
        area_id: area,
        area_name: &view.area_name,
        year,
        items: &view.items,
        current: &view.answers,
        last_year: &view.last_year,
        lang: match lang {
            crate::i18n::Lang::Nl => workbook::Lang::Nl,
            crate::i18n::Lang::En => workbook::Lang::En,
        },
    })
    .map_err(Problem::Internal)
}

/// Returns, accepts or reopens a submission. Accepting records its numeric answers as the area's figures for
/// the year (unpublished until an analyst publishes).
pub fn review(
    work: &Work,
    who: &Principal,
    year: i32,
    area: &str,
    action: Action,
    comment: &str,
) -> Result<SubmissionStatus, Problem> {
    let area_name = area_exists(work, area)?;
    require(who, Permission::Review)?;
    let mut store = work.store();
    let round = round_of(&store, year)?;
    let submission = store.submission(year, area).map_err(Problem::internal)?;
    let state = SubmissionState { status: submission.status, reopened_until: submission.reopened_until };
    let today = work.today();
    let status = state.apply(action, true, &round.round, today).map_err(refused)?;
    let at = work.now_rfc3339();
    let name = who.actor();
    let comment = comment.trim();
    match action {
        Action::Return if comment.is_empty() => Err(Problem::Invalid(vec![FieldError {
            item: "comment".into(),
            code: "required",
            message_nl: "schrijf erbij wat het gebied moet aanpassen".into(),
            message_en: "say what the area should change".into(),
        }])),
        Action::Accept => {
            let items = round_items(work, &round);
            let answers = store.answers(year, area).map_err(Problem::internal)?;
            let values = request::validate(&items, &answers, true).map_err(Problem::Invalid)?;
            let figures: Vec<(String, Value)> = values
                .into_iter()
                .filter_map(|(item, v)| match v {
                    AnswerValue::Number(n) => Some((item, Value::final_(n))),
                    AnswerValue::Text(_) => None,
                })
                .collect();
            // The label is published with the figures, so it names no person; the audit log says who accepted.
            let source = format!("Uitvraag {year}, {area_name}: geaccepteerd op {}", at.get(..10).unwrap_or(&at));
            store.accept_submission(year, area, &figures, &source, actor(&name, &at)).map_err(Problem::internal)?;
            Ok(status)
        }
        Action::Reopen => {
            // Two weeks from today, or to the end of the window if that is later.
            let until = std::cmp::max(add_days(today, 14), round.round.closes);
            let change = Review { status, action: "reopen", comment, reopened_until: Some(until) };
            store.review_submission(year, area, &change, actor(&name, &at)).map_err(Problem::internal)?;
            Ok(status)
        }
        _ => {
            // Returned after the deadline, the area could not change anything: give it two weeks.
            let reopened_until = (action == Action::Return && today > round.round.closes).then(|| add_days(today, 14));
            let change = Review { status, action: action.as_str(), comment, reopened_until };
            store.review_submission(year, area, &change, actor(&name, &at)).map_err(Problem::internal)?;
            Ok(status)
        }
    }
}

/// Opens a request round for `year` with a window (the default one when not given).
pub fn open_round(
    work: &Work,
    who: &Principal,
    year: i32,
    opens: Option<Date>,
    closes: Option<Date>,
    chosen: Option<Vec<String>>,
) -> Result<Round, Problem> {
    require(who, Permission::OpenRound)?;
    if !(2000..=2100).contains(&year) {
        return Err(Problem::BadRequest(format!("{year} is not a plausible year")));
    }
    let default = Round::with_default_window(year);
    let round = Round { year, opens: opens.unwrap_or(default.opens), closes: closes.unwrap_or(default.closes) };
    if round.closes < round.opens {
        return Err(Problem::BadRequest("the window closes before it opens".into()));
    }
    let items: Vec<String> = match chosen {
        None => work.items.iter().map(|i| i.indicator.clone()).collect(),
        Some(chosen) => {
            if chosen.is_empty() {
                return Err(Problem::BadRequest("choose at least one item for the round".into()));
            }
            if let Some(unknown) = chosen.iter().find(|c| !work.items.iter().any(|i| &i.indicator == *c)) {
                return Err(Problem::BadRequest(format!("'{unknown}' is not an item of the request")));
            }
            // A part is checked against its total, so a round that asks for the part asks for the total too.
            let lone = work
                .items
                .iter()
                .find(|i| chosen.contains(&i.indicator) && i.part_of.as_ref().is_some_and(|t| !chosen.contains(t)));
            if let Some(part) = lone {
                return Err(Problem::BadRequest(format!(
                    "'{}' is part of '{}'; choose both or neither",
                    part.indicator,
                    part.part_of.as_deref().unwrap_or("")
                )));
            }
            // In the order of the request, whatever order they were chosen in.
            work.items.iter().filter(|i| chosen.contains(&i.indicator)).map(|i| i.indicator.clone()).collect()
        }
    };
    let at = work.now_rfc3339();
    let name = who.actor();
    work.store().open_round(&round, &items, actor(&name, &at)).map_err(|e| Problem::BadRequest(e.to_string()))?;
    Ok(round)
}

/// The submissions of all areas in a round (not started where an area has none).
/// One area in the status overview: its id, its name and its submission.
pub type StatusRow = (String, String, Submission);

pub fn statuses(work: &Work, who: &Principal, year: i32) -> Result<(StoredRound, Vec<StatusRow>), Problem> {
    require(who, Permission::ReadAllStatuses)?;
    let store = work.store();
    let round = round_of(&store, year)?;
    let stored = store.submissions(year).map_err(Problem::internal)?;
    drop(store);
    let rows = work
        .areas
        .iter()
        .map(|(id, name)| {
            let s = stored.iter().find(|s| &s.area == id).cloned().unwrap_or_else(|| Submission::not_started(id));
            (id.clone(), name.clone(), s)
        })
        .collect();
    Ok((round, rows))
}

/// Publishes the accepted figures of a round: marks them published, recomputes and serves the new figures.
pub fn publish(app: &App, work: &Work, who: &Principal, year: i32) -> Result<usize, Problem> {
    require(who, Permission::Publish)?;
    let publishing = work.publishing().ok_or_else(|| Problem::Refused {
        nl: "deze server kan niet publiceren".into(),
        en: "this server cannot publish".into(),
    })?;
    let at = work.now_rfc3339();
    let mut store = work.store();
    round_of(&store, year)?;
    let areas = store.publish_accepted(year).map_err(Problem::internal)?;
    let snapshot = match publishing.publish(&mut store, &at) {
        Ok(snapshot) => snapshot,
        Err(e) => {
            // Nothing half-done: the figures go back to unpublished, and the failure is on record.
            store.unpublish(year, &areas).map_err(Problem::internal)?;
            store
                .append_audit(&wijkmonitor_store::audit::AuditEntry {
                    at,
                    actor: who.actor(),
                    action: "publish_failed".into(),
                    year: Some(year),
                    detail: e.clone(),
                    ..Default::default()
                })
                .map_err(Problem::internal)?;
            return Err(Problem::Internal(e));
        }
    };
    store
        .append_audit(&wijkmonitor_store::audit::AuditEntry {
            at,
            actor: who.actor(),
            action: "publish".into(),
            year: Some(year),
            new_value: Some(areas.join(" ")),
            detail: format!("figures of {} accepted areas published; dashboard recomputed", areas.len()),
            ..Default::default()
        })
        .map_err(Problem::internal)?;
    drop(store);
    app.replace_snapshot(snapshot);
    Ok(areas.len())
}

/// The register of one area as JSON: every entry with its source, and the progress lines that follow from the
/// scheme rules (in Dutch and English).
pub fn register_json(area: &str, entries: &[Entry], current_year: i32) -> Json {
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
