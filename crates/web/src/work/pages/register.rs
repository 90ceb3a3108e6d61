//! An area's programme register: its entries with their sources and the progress that follows from the scheme
//! rules, and for analysts a form per entry to change or remove it and one to add an entry. Every change is
//! validated against the scheme rules like the seed file is, written with an audit row per changed figure, and
//! its figures are recorded for the next publication.

use super::{flash, redirect, Ctx, WorkView};
use crate::error::Problem;
use crate::i18n::Lang;
use crate::work::actions::{self, EntryForm};
use crate::work::{forms, WorkResponse};
use axum::http::StatusCode;
use maud::{html, Markup};
use serde::Serialize;
use wijkmonitor_access::{allows, Permission};
use wijkmonitor_programme::{Entry, EntryValue, Scheme};

#[derive(Serialize)]
pub struct EntryOut {
    pub scheme: &'static str,
    pub year: i32,
    pub instance: String,
    pub item: String,
    pub value: serde_json::Value,
    pub source: String,
    pub synthetic: bool,
}

#[derive(Serialize, Clone)]
pub struct Progress {
    pub nl: String,
    pub en: String,
}

/// The register of one area.
#[derive(Serialize)]
pub struct RegisterPage {
    pub area_id: String,
    pub entries: Vec<EntryOut>,
    pub progress: Vec<Progress>,
    #[serde(skip)]
    name: String,
    #[serde(skip)]
    editable: bool,
    /// A refused change: what was typed and why it was refused.
    #[serde(skip)]
    refused: Option<(EntryForm, String)>,
}

/// The register page; `refused` shows a change that could not be saved, with its form as typed.
pub fn build(ctx: &Ctx<'_>, refused: Option<(EntryForm, String)>) -> Result<RegisterPage, Problem> {
    let area = ctx.req.path_param("area");
    let (name, entries) = actions::register(ctx.work, &ctx.session.principal, area)?;
    let progress = actions::register_progress(&entries, ctx.work.today().year);
    Ok(RegisterPage {
        area_id: area.to_string(),
        entries: entries
            .iter()
            .map(|e| EntryOut {
                scheme: e.scheme.as_str(),
                year: e.year,
                instance: e.instance.clone(),
                item: e.item.clone(),
                value: match &e.value {
                    EntryValue::Number(n) => serde_json::json!(n),
                    EntryValue::Text(t) => serde_json::json!(t),
                },
                source: e.source.clone(),
                synthetic: e.synthetic,
            })
            .collect(),
        progress,
        name,
        editable: allows(&ctx.session.principal, Permission::EditRegister),
        refused,
    })
}

fn value_text(v: &serde_json::Value, lang: Lang) -> String {
    match v {
        serde_json::Value::Number(n) => {
            let n = n.as_f64().unwrap_or(0.0);
            crate::format::number(n, if n.fract() == 0.0 { 0 } else { 2 }, lang)
        }
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn raw_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl WorkView for RegisterPage {
    fn title(&self, _lang: Lang) -> String {
        format!("{} · register", self.name)
    }

    fn html(&self, ctx: &Ctx<'_>) -> Markup {
        let lang = ctx.lang;
        let action = lang.href(&format!("/werk/register/{}", self.area_id));
        let remove = lang.href(&format!("/werk/register/{}/verwijderen", self.area_id));
        html! {
            h1 { (self.name) ": " (lang.t("programmaregister", "programme register")) }
            (flash(lang, ctx.req))
            p class="lead" { (lang.t("Afspraken, toekenningen, budgetten en aanwijzingen van het gebied, met de bron van elk cijfer. Synthetische demogegevens zijn als zodanig gemarkeerd.",
                "The area's agreements, grants, budgets and designations, with the source of every figure. Synthetic demo figures are marked as such.")) }
            @if let Some((form, message)) = &self.refused {
                div class="message error" role="alert" id="register-error" {
                    p { (lang.t("Niet opgeslagen: ", "Not saved: ")) (message) }
                    p { (form.scheme) " " (form.year) " " (form.instance) " " (form.item) " = " (form.value) }
                }
            }
            @if self.entries.is_empty() {
                p { (lang.t("Voor dit gebied is nog niets geregistreerd.", "Nothing has been recorded for this area yet.")) }
            } @else {
                @if !self.progress.is_empty() {
                    h2 { (lang.t("Voortgang", "Progress")) }
                    ul { @for p in &self.progress { li { (lang.t(&p.nl, &p.en)) } } }
                }
                h2 { (lang.t("Cijfers", "Figures")) }
                div class="scroll" tabindex="0" role="region" aria-label=(lang.t("Cijfers in het register", "Figures in the register")) {
                    table id="register" {
                        thead { tr {
                            th scope="col" { (lang.t("Regeling", "Scheme")) }
                            th scope="col" { (lang.t("Jaar", "Year")) }
                            th scope="col" { (lang.t("Onderdeel", "Instance")) }
                            th scope="col" { (lang.t("Gegeven", "Item")) }
                            th scope="col" class="num" { (lang.t("Waarde", "Value")) }
                            th scope="col" { (lang.t("Bron", "Source")) }
                            @if self.editable { th scope="col" { (lang.t("Wijzigen", "Change")) } }
                        } }
                        tbody {
                            @for (i, e) in self.entries.iter().enumerate() {
                                tr {
                                    td { (e.scheme) }
                                    td { (e.year) }
                                    td { (e.instance) }
                                    td { (e.item) }
                                    td class="num" { (value_text(&e.value, lang)) }
                                    td { (e.source) @if e.synthetic { " " strong { (lang.t("(synthetisch)", "(synthetic)")) } } }
                                    @if self.editable {
                                        td {
                                            form method="post" action=(action) class="inline" {
                                                input type="hidden" name="csrf" value=(ctx.csrf());
                                                input type="hidden" name="scheme" value=(e.scheme);
                                                input type="hidden" name="year" value=(e.year);
                                                input type="hidden" name="instance" value=(e.instance);
                                                input type="hidden" name="item" value=(e.item);
                                                label class="visually-hidden" for={"value-" (i)} { (lang.t("Waarde", "Value")) }
                                                input type="text" id={"value-" (i)} name="value" value=(raw_value(&e.value)) size="8";
                                                label class="visually-hidden" for={"source-" (i)} { (lang.t("Bron", "Source")) }
                                                input type="text" id={"source-" (i)} name="source" value=(e.source) size="16";
                                                @if e.synthetic { input type="hidden" name="synthetic" value="1"; }
                                                button type="submit" class="secondary" { (lang.t("Opslaan", "Save")) }
                                            }
                                            form method="post" action=(remove) class="inline" {
                                                input type="hidden" name="csrf" value=(ctx.csrf());
                                                input type="hidden" name="scheme" value=(e.scheme);
                                                input type="hidden" name="year" value=(e.year);
                                                input type="hidden" name="instance" value=(e.instance);
                                                input type="hidden" name="item" value=(e.item);
                                                button type="submit" class="link" { (lang.t("verwijderen", "remove")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if self.editable {
                h2 { (lang.t("Een gegeven toevoegen of wijzigen", "Add or change an entry")) }
                @let typed = self.refused.as_ref().map(|(f, _)| f);
                form method="post" action=(action) class="form-grid" id="register-form" {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    label for="scheme" { (lang.t("Regeling", "Scheme")) }
                    select id="scheme" name="scheme" {
                        @for s in Scheme::ALL {
                            option value=(s.as_str()) selected[typed.is_some_and(|f| f.scheme == s.as_str())] { (s.as_str()) }
                        }
                    }
                    label for="year" { (lang.t("Jaar", "Year")) }
                    input type="number" id="year" name="year" min="2000" max="2100" required value=[typed.map(|f| f.year.clone())];
                    label for="instance" { (lang.t("Onderdeel (bijvoorbeeld agreement, tranche-3, een aanwijzing)", "Instance (for example agreement, tranche-3, a designation)")) }
                    input type="text" id="instance" name="instance" required value=[typed.map(|f| f.instance.clone())];
                    label for="item" { (lang.t("Gegeven", "Item")) }
                    input type="text" id="item" name="item" required value=[typed.map(|f| f.item.clone())];
                    label for="value" { (lang.t("Waarde (getal of tekst)", "Value (number or text)")) }
                    input type="text" id="value" name="value" required value=[typed.map(|f| f.value.clone())];
                    label for="source" { (lang.t("Bron (publicatie)", "Source (publication)")) }
                    input type="text" id="source" name="source" required value=[typed.map(|f| f.source.clone())];
                    label for="synthetic" { (lang.t("Synthetisch (demogegeven)", "Synthetic (demo figure)")) }
                    input type="checkbox" id="synthetic" name="synthetic" value="1" checked[typed.is_some_and(|f| f.synthetic)];
                    span {}
                    div { button type="submit" id="register-save" { (lang.t("Opslaan", "Save")) } }
                }
                p class="note" { (lang.t("Elke wijziging komt in het auditlog. De cijfers staan op het dashboard na de volgende publicatie.",
                    "Every change goes into the audit log. The figures appear on the dashboard after the next publication.")) }
            }
        }
    }
}

fn entry_form(ctx: &Ctx<'_>) -> Result<EntryForm, Problem> {
    if ctx.req.json {
        return actions::json_body(ctx.req);
    }
    let fields = forms::form_fields(ctx.req)?;
    let get =
        |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    Ok(EntryForm {
        scheme: get("scheme"),
        year: get("year"),
        instance: get("instance"),
        item: get("item"),
        value: get("value"),
        source: get("source"),
        synthetic: get("synthetic") == "1",
        remove: false,
    })
}

#[derive(Serialize)]
struct Saved {
    /// The entries of the area in the entry's year afterwards.
    entries: usize,
}

/// Adds or changes an entry (or, through the API with `remove: true`, removes one).
pub fn save(ctx: &Ctx<'_>) -> Result<WorkResponse, Problem> {
    let form = entry_form(ctx)?;
    change(ctx, form)
}

/// Removes an entry (form).
pub fn remove(ctx: &Ctx<'_>) -> Result<WorkResponse, Problem> {
    let form = EntryForm { remove: true, ..entry_form(ctx)? };
    change(ctx, form)
}

fn change(ctx: &Ctx<'_>, form: EntryForm) -> Result<WorkResponse, Problem> {
    let area = ctx.req.path_param("area");
    match actions::change_register(ctx.work, &ctx.session.principal, area, &form) {
        Ok(entries) if ctx.req.json => Ok(WorkResponse::json(StatusCode::OK, &Saved { entries })),
        Ok(_) => Ok(redirect(ctx.req, &format!("/werk/register/{area}"), "register")),
        Err(Problem::BadRequest(message)) if !ctx.req.json => {
            let page = build(ctx, Some((form, message)))?;
            Ok(super::show(ctx, &page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(other) => Err(other),
    }
}

/// The entries of an area after one change (used by the action; here so the page and the action agree).
pub fn apply_change(entries: &[Entry], changed: Entry, remove: bool) -> Vec<Entry> {
    let same = |e: &Entry| {
        e.scheme == changed.scheme && e.year == changed.year && e.instance == changed.instance && e.item == changed.item
    };
    let mut out: Vec<Entry> = entries.iter().filter(|e| !same(e)).cloned().collect();
    if !remove {
        out.push(changed);
    }
    out
}
