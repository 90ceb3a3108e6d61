//! An area's request in a round: the form (or the answers, read-only), the Excel template and upload, and the
//! review by analysts. The JSON twin of the page is what the API answers for the same request.

use super::{flash, redirect, status_badge, year_of, Ctx, WorkView};
use crate::error::Problem;
use crate::i18n::Lang;
use crate::work::actions::{self, RequestView};
use crate::work::{forms, WorkResponse};
use axum::http::{header, StatusCode};
use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wijkmonitor_model::catalogue::InputKind;
use wijkmonitor_model::date::Date;
use wijkmonitor_request::{Action, FieldError, RawAnswer, SubmissionStatus};

#[derive(Serialize)]
pub struct Window {
    pub opens: Date,
    pub closes: Date,
}

#[derive(Serialize)]
pub struct ItemOut<'a> {
    pub item: &'a str,
    pub number: u32,
    pub input: &'static str,
    pub unit: &'a str,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub part_of: Option<&'a str>,
    pub name_nl: &'a str,
    pub name_en: &'a str,
    pub answer: Option<&'a RawAnswer>,
    pub last_year: Option<&'a RawAnswer>,
}

/// The request of one area in one round.
pub struct RequestPage {
    pub view: RequestView,
    /// What was typed, when a form comes back with errors.
    pub typed: Option<BTreeMap<String, RawAnswer>>,
    pub errors: Vec<FieldError>,
    /// A list of upload problems shown above the form.
    pub extra: Markup,
}

impl Serialize for RequestPage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            year: i32,
            area_id: &'a str,
            area_name: &'a str,
            window: Window,
            status: SubmissionStatus,
            comment: &'a str,
            reopened_until: Option<Date>,
            editable: bool,
            items: Vec<ItemOut<'a>>,
        }
        let v = &self.view;
        Out {
            year: v.round.round.year,
            area_id: &v.area,
            area_name: &v.area_name,
            window: Window { opens: v.round.round.opens, closes: v.round.round.closes },
            status: v.submission.status,
            comment: &v.submission.comment,
            reopened_until: v.submission.reopened_until,
            editable: v.editable,
            items: v
                .items
                .iter()
                .map(|i| ItemOut {
                    item: &i.indicator,
                    number: i.number,
                    input: i.input_name(),
                    unit: &i.unit,
                    min: i.min,
                    max: i.max,
                    part_of: i.part_of.as_deref(),
                    name_nl: &i.name_nl,
                    name_en: &i.name_en,
                    answer: v.answers.get(&i.indicator),
                    last_year: v.last_year.get(&i.indicator),
                })
                .collect(),
        }
        .serialize(s)
    }
}

fn page(view: RequestView) -> RequestPage {
    RequestPage { view, typed: None, errors: Vec::new(), extra: html! {} }
}

pub fn build(ctx: &Ctx<'_>) -> Result<RequestPage, Problem> {
    let year = year_of(ctx.req.path_param("year"))?;
    let area = ctx.req.path_param("area");
    Ok(page(actions::request_view(ctx.work, &ctx.session.principal, year, area)?))
}

impl WorkView for RequestPage {
    fn title(&self, _lang: Lang) -> String {
        format!("{} · {}", self.view.area_name, self.view.round.round.year)
    }

    fn html(&self, ctx: &Ctx<'_>) -> Markup {
        let (lang, view) = (ctx.lang, &self.view);
        let answers = self.typed.as_ref().unwrap_or(&view.answers);
        let errors = &self.errors;
        let base = format!("/werk/uitvraag/{}/{}", view.round.round.year, view.area);
        let year = view.round.round.year;
        html! {
            h1 { (view.area_name) ": " (lang.t("uitvraag ", "request ")) (year) }
            (flash(lang, ctx.req))
            (self.extra)
            p {
                "Status: " (status_badge(lang, view.submission.status)) " · "
                (lang.t("termijn ", "window ")) (view.round.round.opens.to_string()) " – " (view.round.round.closes.to_string())
                @if let Some(until) = view.submission.reopened_until { " · " (lang.t("heropend tot ", "reopened until ")) (until.to_string()) }
            }
            @if matches!(view.submission.status, SubmissionStatus::Returned | SubmissionStatus::Draft) && !view.submission.comment.is_empty() {
                div class="message" role="note" id="review-comment" {
                    strong { (lang.t("Opmerking van de analist: ", "The analyst's comment: ")) } (view.submission.comment)
                }
            }
            @if !errors.is_empty() {
                div class="message error" role="alert" id="form-errors" {
                    p { (lang.t("Niet opgeslagen: controleer de gemarkeerde velden.", "Not saved: check the marked fields.")) }
                    ul { @for e in errors.iter().take(crate::error::MAX_FIELD_ERRORS) {
                        li { a href={"#v-" (e.item)} { (item_name(view, &e.item, lang)) } ": " (lang.t(&e.message_nl, &e.message_en)) }
                    } }
                    @if errors.len() > crate::error::MAX_FIELD_ERRORS {
                        p { (lang.t("En nog ", "And ")) (errors.len() - crate::error::MAX_FIELD_ERRORS) (lang.t(" meer.", " more.")) }
                    }
                }
            }
            @if view.editable {
                p class="note" { (lang.t("Sla tussendoor op als concept: na 30 minuten zonder activiteit wordt u afgemeld en gaat wat niet is opgeslagen verloren.",
                    "Save a draft now and then: after 30 minutes without activity you are signed out, and what was not saved is lost.")) }
                form method="post" action=(lang.href(&base)) novalidate {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    (answers_table(view, answers, errors, lang, true))
                    div class="actions" {
                        button type="submit" name="action" value="draft" class="secondary" id="save-draft" { (lang.t("Concept opslaan", "Save draft")) }
                        button type="submit" name="action" value="submit" id="submit" { (lang.t("Indienen", "Submit")) }
                    }
                }
                h2 { (lang.t("Werken in Excel", "Working in Excel")) }
                p {
                    a href=(lang.href(&format!("{base}/sjabloon.xlsx"))) id="template" { (lang.t("Download het Excel-sjabloon", "Download the Excel template")) }
                    (lang.t(" (met uw opgeslagen antwoorden, die van vorig jaar en de definities). Vul het in en upload het hier; het wordt op dezelfde manier gecontroleerd en als concept opgeslagen.",
                        " (with your saved answers, last year's and the definitions). Fill it in and upload it here; it is checked the same way and saved as a draft."))
                }
                form method="post" action=(lang.href(&format!("{base}/upload"))) enctype="multipart/form-data" class="actions" {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    label for="bestand" { (lang.t("Excel-bestand", "Excel file")) }
                    input type="file" id="bestand" name="bestand" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
                    button type="submit" class="secondary" { (lang.t("Uploaden", "Upload")) }
                }
            } @else {
                (answers_table(view, answers, errors, lang, false))
                p { a href=(lang.href(&format!("{base}/sjabloon.xlsx"))) { (lang.t("Als Excel-bestand", "As an Excel file")) } }
            }
            @if view.reviewer {
                h2 { (lang.t("Beoordeling", "Review")) }
                form method="post" action=(lang.href(&format!("{base}/beoordeling"))) {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    label for="comment" { (lang.t("Opmerking voor het gebied (verplicht bij terugsturen)", "Comment for the area (required when returning)")) }
                    textarea id="comment" name="comment" rows="3" {}
                    div class="actions" {
                        @if view.submission.status == SubmissionStatus::Submitted {
                            button type="submit" name="action" value="accept" id="accept" { (lang.t("Accepteren", "Accept")) }
                            button type="submit" name="action" value="return" class="secondary" id="return" { (lang.t("Terugsturen", "Return")) }
                        }
                        @if view.submission.status == SubmissionStatus::Accepted || (view.today > view.round.round.closes && view.submission.status != SubmissionStatus::Submitted) {
                            button type="submit" name="action" value="reopen" class="secondary" id="reopen" { (lang.t("Heropenen", "Reopen")) }
                        }
                    }
                }
                p { a href=(lang.href(&format!("/werk/audit?gebied={}&jaar={year}", view.area))) { (lang.t("Wijzigingen in het auditlog", "Changes in the audit log")) } }
            }
        }
    }
}

fn show_answer(a: Option<&RawAnswer>) -> String {
    a.map(|a| a.value.clone()).filter(|v| !v.is_empty()).unwrap_or_else(|| "–".into())
}

fn item_name(view: &RequestView, id: &str, lang: Lang) -> String {
    view.items
        .iter()
        .find(|i| i.indicator == id)
        .map(|i| format!("{}. {}", i.number, lang.t(&i.name_nl, &i.name_en)))
        .unwrap_or_else(|| wijkmonitor_model::error::excerpt(id))
}

fn answers_table(
    view: &RequestView,
    answers: &BTreeMap<String, RawAnswer>,
    errors: &[FieldError],
    lang: Lang,
    editable: bool,
) -> Markup {
    let year = view.round.round.year;
    html! {
        div class="scroll" tabindex="0" role="region" aria-label=(lang.t("Vragen van de uitvraag", "Items of the request")) {
            table class="request" id="request-items" {
                caption class="visually-hidden" { (lang.t("Vragen van de uitvraag", "Items of the request")) }
                thead { tr {
                    th scope="col" { "#" }
                    th scope="col" { (lang.t("Vraag", "Item")) }
                    th scope="col" class="num" { (year - 1) }
                    th scope="col" { (lang.t("Antwoord ", "Answer ")) (year) }
                    th scope="col" { (lang.t("Toelichting", "Explanation")) }
                } }
                tbody {
                    @for item in &view.items {
                        @let id = &item.indicator;
                        @let answer = answers.get(id);
                        @let error = errors.iter().find(|e| &e.item == id);
                        @let input_id = format!("v-{id}");
                        @let error_id = format!("err-{id}");
                        @let unit = if item.input == InputKind::Text { String::new() } else { item.unit.clone() };
                        tr data-item=(id) {
                            td { (item.number) }
                            td {
                                label for=(input_id) { (lang.t(&item.name_nl, &item.name_en)) }
                                @if !unit.is_empty() { " (" (unit) ")" }
                                details { summary { (lang.t("Definitie", "Definition")) } (lang.t(&item.definition_nl, &item.definition_en))
                                    @if let (Some(min), Some(max)) = (item.min, item.max) { " " (lang.t("Plausibel bereik: ", "Plausible range: ")) (min) "–" (max) "." } }
                            }
                            td class="num" data-last-year=(id) { (show_answer(view.last_year.get(id))) }
                            td class="answer" {
                                @if editable {
                                    @let value = answer.map(|a| a.value.as_str()).unwrap_or("");
                                    @match item.input {
                                        InputKind::Text => {
                                            textarea id=(input_id) name={"v." (id)} rows="3" aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())] { (value) }
                                        }
                                        InputKind::Rating5 | InputKind::Rating10 => {
                                            @let top = if item.input == InputKind::Rating5 { 5 } else { 10 };
                                            select id=(input_id) name={"v." (id)} aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())] {
                                                option value="" { "–" }
                                                @for r in 1..=top {
                                                    @let text = r.to_string();
                                                    option value=(text) selected[value == text] { (text) }
                                                }
                                            }
                                        }
                                        _ => {
                                            input type="text" inputmode="decimal" id=(input_id) name={"v." (id)} value=(value) size="10"
                                                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())];
                                        }
                                    }
                                    @if let Some(e) = error { span class="field-error" id=(error_id) { (lang.t(&e.message_nl, &e.message_en)) } }
                                } @else {
                                    span data-answer=(id) { (show_answer(answer)) }
                                }
                            }
                            td {
                                @if editable {
                                    textarea name={"e." (id)} rows="1" aria-label={(lang.t("Toelichting bij ", "Explanation of ")) (lang.t(&item.name_nl, &item.name_en))} {
                                        (answer.map(|a| a.explanation.as_str()).unwrap_or(""))
                                    }
                                } @else {
                                    (answer.map(|a| a.explanation.as_str()).unwrap_or(""))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The answers of a request form (`v.<item>` and `e.<item>` fields).
pub fn answers_from_form(fields: &[(String, String)]) -> BTreeMap<String, RawAnswer> {
    let mut answers: BTreeMap<String, RawAnswer> = BTreeMap::new();
    for (k, v) in fields {
        if let Some(item) = k.strip_prefix("v.") {
            answers.entry(item.to_string()).or_default().value = v.trim().to_string();
        } else if let Some(item) = k.strip_prefix("e.") {
            answers.entry(item.to_string()).or_default().explanation = v.trim().to_string();
        }
    }
    answers.retain(|_, a| !(a.value.is_empty() && a.explanation.is_empty()));
    answers
}

/// Saves the form (a draft or a submission); answers that do not validate come back in the form.
pub fn save_form(ctx: &Ctx<'_>) -> Result<WorkResponse, Problem> {
    let (req, who) = (ctx.req, &ctx.session.principal);
    let year = year_of(req.path_param("year"))?;
    let area = req.path_param("area");
    let fields = forms::form_fields(req)?;
    let submit = fields.iter().any(|(k, v)| k == "action" && v == "submit");
    let answers = answers_from_form(&fields);
    match actions::save(ctx.work, who, year, area, answers.clone(), submit, false, "form") {
        Ok(_) => {
            Ok(redirect(req, &format!("/werk/uitvraag/{year}/{area}"), if submit { "ingediend" } else { "opgeslagen" }))
        }
        Err(Problem::Invalid(errors)) => {
            let view = actions::request_view(ctx.work, who, year, area)?;
            let page = RequestPage { view, typed: Some(answers), errors, extra: html! {} };
            Ok(super::show(ctx, &page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveBody {
    answers: BTreeMap<String, RawAnswer>,
    #[serde(default)]
    submit: bool,
}

#[derive(Serialize)]
struct Saved {
    status: SubmissionStatus,
    changed: usize,
}

/// Saves answers sent as JSON (only the items sent change).
pub fn save_json(ctx: &Ctx<'_>) -> Result<WorkResponse, Problem> {
    let year = year_of(ctx.req.path_param("year"))?;
    let b: SaveBody = actions::json_body(ctx.req)?;
    let (status, changed) = actions::save(
        ctx.work,
        &ctx.session.principal,
        year,
        ctx.req.path_param("area"),
        b.answers,
        b.submit,
        true,
        "api",
    )?;
    Ok(WorkResponse::json(StatusCode::OK, &Saved { status, changed }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    action: String,
    #[serde(default)]
    comment: String,
}

#[derive(Serialize)]
struct Reviewed {
    status: SubmissionStatus,
}

/// Accepts, returns or reopens a submission (form or JSON).
pub fn review(ctx: &Ctx<'_>) -> Result<WorkResponse, Problem> {
    let req = ctx.req;
    let year = year_of(req.path_param("year"))?;
    let area = req.path_param("area");
    let (action, comment) = if req.json {
        let b: ReviewBody = actions::json_body(req)?;
        (b.action, b.comment)
    } else {
        let fields = forms::form_fields(req)?;
        let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        (get("action"), get("comment"))
    };
    let action = match action.as_str() {
        "accept" => Action::Accept,
        "return" => Action::Return,
        "reopen" => Action::Reopen,
        other if req.json => {
            return Err(Problem::BadRequest(format!(
                "unknown action '{}' (accept, return or reopen)",
                wijkmonitor_model::error::excerpt(other)
            )))
        }
        _ => return Err(Problem::BadRequest("choose accept, return or reopen".into())),
    };
    let status = actions::review(ctx.work, &ctx.session.principal, year, area, action, &comment)?;
    if req.json {
        return Ok(WorkResponse::json(StatusCode::OK, &Reviewed { status }));
    }
    let message = match action {
        Action::Accept => "geaccepteerd",
        Action::Return => "teruggestuurd",
        _ => "heropend",
    };
    Ok(redirect(req, &format!("/werk/uitvraag/{year}/{area}"), message))
}

/// The Excel template of the request.
pub fn template(ctx: &Ctx<'_>) -> Result<WorkResponse, Problem> {
    let year = year_of(ctx.req.path_param("year"))?;
    let area = ctx.req.path_param("area");
    let bytes = actions::template(ctx.work, &ctx.session.principal, year, area, ctx.lang)?;
    Ok(WorkResponse {
        status: StatusCode::OK,
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        body: bytes,
        headers: vec![(header::CONTENT_DISPOSITION, format!("attachment; filename=\"uitvraag-{year}-{area}.xlsx\""))],
    })
}

/// Applies an uploaded workbook; its problems come back above the form, each at its cell.
pub fn upload(ctx: &Ctx<'_>) -> Result<WorkResponse, Problem> {
    let (req, who, lang) = (ctx.req, &ctx.session.principal, ctx.lang);
    let year = year_of(req.path_param("year"))?;
    let area = req.path_param("area");
    let parts = forms::parse_multipart(&req.content_type, &req.body)
        .map_err(|e| Problem::BadRequest(format!("the upload is not a readable form: {e}")))?;
    let file = parts
        .into_iter()
        .find(|p| p.name == "bestand")
        .filter(|p| !p.data.is_empty())
        .ok_or_else(|| Problem::BadRequest("choose an Excel file (.xlsx) to upload".into()))?;
    match actions::upload(ctx.work, who, year, area, &file.data) {
        Ok(_) => Ok(redirect(req, &format!("/werk/uitvraag/{year}/{area}"), "geupload")),
        Err(Problem::Upload(cells)) if !req.json => {
            let view = actions::request_view(ctx.work, who, year, area)?;
            let extra = html! {
                div class="message error" role="alert" id="upload-errors" {
                    p { (lang.t("Het Excel-bestand is niet verwerkt; er is niets veranderd:", "The Excel file was not applied; nothing has changed:")) }
                    ul { @for c in cells.iter().take(crate::error::MAX_FIELD_ERRORS) {
                        li { @if let Some(cell) = &c.cell { strong { (cell) } ": " } (lang.t(&c.message_nl, &c.message_en)) }
                    } }
                }
            };
            let page = RequestPage { view, typed: None, errors: Vec::new(), extra };
            Ok(super::show(ctx, &page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(other) => Err(other),
    }
}
