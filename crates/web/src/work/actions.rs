//! What the workspace does, once for the HTML forms and the JSON API alike: read an area's request, save or
//! submit answers, upload a workbook, review, open a round, publish, read and change the register, read the
//! audit log. Each action first asks [`allows`] and then the rules of the request or the register; it returns a
//! [`Problem`] that both front ends answer in their one way.

use super::{Work, WorkRequest};
use crate::error::Problem;
use crate::server::App;
use serde::Deserialize;
use std::collections::BTreeMap;
use wijkmonitor_access::{allows, Permission, Principal};
use wijkmonitor_model::date::{add_days, Date};
use wijkmonitor_model::Value;
use wijkmonitor_programme::progress::{stimulans_payment, vhf_assessment};
use wijkmonitor_programme::{AreaRegister, Entry, EntryValue, Scheme, SchemeParams};
use wijkmonitor_request::workbook;
use wijkmonitor_request::{
    self as request, Action, AnswerValue, FieldError, Item, RawAnswer, Round, SubmissionState, SubmissionStatus,
};
use wijkmonitor_store::audit::{AuditEntry, AuditFilter};
use wijkmonitor_store::request::{Actor, Review, StoredRound, Submission};
use wijkmonitor_store::Store;

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

/// The most answers one request may carry: every item of the request, with room to spare. More is not a request
/// form but an attempt to make the server validate (and answer about) an unbounded list.
pub const MAX_ANSWERS: usize = 200;

/// A JSON body as a type, or a clear refusal.
pub fn json_body<T: for<'de> Deserialize<'de>>(req: &WorkRequest) -> Result<T, Problem> {
    serde_json::from_slice(&req.body).map_err(|e| {
        Problem::BadRequest(format!(
            "the JSON body is not valid: {}",
            wijkmonitor_model::error::excerpt(&e.to_string())
        ))
    })
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
    too_many(answers.len())?;
    // One lock from reading the status to writing: two saves, or a save and a review, cannot interleave.
    let mut store = work.store();
    let answers = if merge { merged(&store, year, area, &answers)? } else { answers };
    save_locked(work, &mut store, who, year, area, answers, submit, how)
}

fn too_many(n: usize) -> Result<(), Problem> {
    if n > MAX_ANSWERS {
        return Err(Problem::BadRequest(format!(
            "{n} answers in one request; the request has far fewer items (at most {MAX_ANSWERS} are accepted)"
        )));
    }
    Ok(())
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
    too_many(upload.answers.len())?;
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
        lang,
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
    let started = std::time::Instant::now();
    let areas = store.publish_accepted(year).map_err(Problem::internal)?;
    let published = publishing.publish(&mut store, &at);
    app.metrics.publication(published.is_ok(), started.elapsed().as_secs_f64());
    let snapshot = match published {
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

/// The progress lines of an area's register, from the scheme rules, in Dutch and English.
pub fn register_progress(entries: &[Entry], current_year: i32) -> Vec<Progress> {
    let params = SchemeParams::builtin();
    let mut progress = Vec::new();
    let mut line = |nl: String, en: String| progress.push(Progress { nl, en });
    match AreaRegister::from_entries(entries, &params) {
        Ok(registers) => {
            for reg in &registers {
                for a in &reg.woontop {
                    if let (Some(total), Some(affordable)) = (a.planned_starts_total, a.planned_affordable) {
                        line(
                            format!("Woontop-afspraak ({}): {total:.0} geplande bouwstarts 2025-2029, waarvan {affordable:.0} betaalbaar.", a.year),
                            format!("Woontop agreement ({}): {total:.0} planned construction starts 2025-2029, of which {affordable:.0} affordable.", a.year),
                        );
                    }
                }
                for st in &reg.stimulans {
                    let p = stimulans_payment(st, &params);
                    if let Some((year, amount)) = p.payment {
                        line(
                            format!("Realisatiestimulans: {:.0} betaalbare starts in {} geven EUR {amount:.0}, uit te betalen in {year}.", p.affordable_starts, p.start_year),
                            format!("Realisatiestimulans: {:.0} affordable starts in {} give EUR {amount:.0}, paid in {year}.", p.affordable_starts, p.start_year),
                        );
                    }
                }
                for t in &reg.vhf {
                    let v = vhf_assessment(t, &params, current_year);
                    if let (Some(requested), Some(granted)) = (t.dwellings_requested, t.dwellings_granted) {
                        let flag = match v.cofinancing_below_minimum {
                            Some(true) => (" Cofinanciering onder het minimum.", " Co-financing below the minimum."),
                            _ => ("", ""),
                        };
                        line(
                            format!("Volkshuisvestingsfonds {}: {granted:.0} van {requested:.0} aangevraagde woningen toegekend{}.{}",
                                t.tranche, v.deadline_year.map(|d| format!(", gereed uiterlijk {d}")).unwrap_or_default(), flag.0),
                            format!("Housing Fund {}: {granted:.0} of {requested:.0} requested dwellings granted{}.{}",
                                t.tranche, v.deadline_year.map(|d| format!(", due by {d}")).unwrap_or_default(), flag.1),
                        );
                    }
                }
            }
        }
        Err(e) => line(format!("Het register is niet consistent: {e}"), format!("The register is not consistent: {e}")),
    }
    progress
}

/// One register entry as typed in the form or sent as JSON.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryForm {
    pub scheme: String,
    /// As typed (a form sends text).
    #[serde(deserialize_with = "year_text")]
    pub year: String,
    pub instance: String,
    pub item: String,
    /// A number (as a Dutch or English number is typed) or a text.
    #[serde(default, deserialize_with = "value_text")]
    pub value: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub synthetic: bool,
    /// Remove the entry instead of setting it.
    #[serde(default)]
    pub remove: bool,
}

fn year_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    })
}

fn value_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    year_text(d)
}

/// Adds, changes or removes one entry of an area's register: the whole register of the area must still follow
/// the scheme rules afterwards (as the seed file must), or nothing changes. The store writes an audit row per
/// changed figure in the same transaction; the register's figures are then recorded for the next publication.
/// Returns the number of entries the area has in that year afterwards.
pub fn change_register(work: &Work, who: &Principal, area: &str, form: &EntryForm) -> Result<usize, Problem> {
    area_exists(work, area)?;
    require(who, Permission::EditRegister)?;
    let bad = |m: String| Problem::BadRequest(m);
    let scheme = Scheme::parse(form.scheme.trim()).ok_or_else(|| {
        bad(format!(
            "'{}' is not a scheme ({})",
            wijkmonitor_model::error::excerpt(&form.scheme),
            Scheme::ALL.map(|s| s.as_str()).join(", ")
        ))
    })?;
    let year: i32 = form.year.trim().parse().ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(|| {
        bad(format!("'{}' is not a year between 2000 and 2100", wijkmonitor_model::error::excerpt(&form.year)))
    })?;
    let (instance, item) = (form.instance.trim(), form.item.trim());
    if instance.is_empty() || item.is_empty() {
        return Err(bad("an entry needs an instance and an item".into()));
    }
    if instance.chars().count() > 100 || item.chars().count() > 100 || form.source.chars().count() > 500 {
        return Err(bad("the instance, item or source is too long".into()));
    }
    let value = form.value.trim();
    if !form.remove && (value.is_empty() || form.source.trim().is_empty()) {
        return Err(bad("an entry needs a value and the source it comes from".into()));
    }
    let value = match request::parse_number(value) {
        Ok(n) => EntryValue::Number(n),
        Err(_) if value.chars().count() <= 500 => EntryValue::Text(value.to_string()),
        Err(_) => return Err(bad("the value is too long".into())),
    };
    let changed = Entry {
        area: area.to_string(),
        year,
        scheme,
        instance: instance.to_string(),
        item: item.to_string(),
        value,
        source: form.source.trim().to_string(),
        synthetic: form.synthetic,
    };
    let mut store = work.store();
    let all = store.register_entries(Some(area)).map_err(Problem::internal)?;
    let after = crate::work::pages::register::apply_change(&all, changed, form.remove);
    AreaRegister::from_entries(&after, &SchemeParams::builtin()).map_err(bad)?;
    let of_year: Vec<Entry> = after.into_iter().filter(|e| e.year == year).collect();
    let (at, name) = (work.now_rfc3339(), who.actor());
    let n = store.replace_register(area, year, &of_year, actor(&name, &at)).map_err(Problem::internal)?;
    wijkmonitor_pipeline::register::record_register_figures(&mut store).map_err(Problem::internal)?;
    Ok(n)
}

pub use crate::work::pages::register::Progress;
