//! The workspace's HTML pages and forms (Dutch, with English through `?lang=en`). Forms work without JavaScript:
//! a POST answers with a redirect (and a message in the query) or, when answers do not validate, with the same
//! form again showing what was typed and a message next to each field.

use super::actions::{self, parse_date, require, year_of, Problem, RequestView};
use super::auth::{self, Session};
use super::forms;
use super::{Work, WorkRequest, WorkResponse};
use crate::http::App;
use crate::i18n::Lang;
use axum::http::{header, Method, StatusCode};
use maud::{html, Markup, DOCTYPE};
use std::collections::BTreeMap;
use wijkmonitor_access::{allows, Permission, Principal, Role};
use wijkmonitor_model::catalogue::InputKind;
use wijkmonitor_request::{Action, FieldError, RawAnswer, SubmissionStatus};

/// Percent-encodes a text for a query value.
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn status_badge(lang: Lang, status: SubmissionStatus) -> Markup {
    html! { span class={"status " (status.as_str())} data-status=(status.as_str()) { (lang.t(status.name_nl(), status.name_en())) } }
}

/// The page shell of the workspace.
fn shell(lang: Lang, title: &str, session: Option<&Session>, path: &str, content: Markup) -> String {
    let other = if lang == Lang::Nl { Lang::En } else { Lang::Nl };
    let principal = session.map(|s| &s.principal);
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) " · Wijkmonitor NPLV" }
                link rel="stylesheet" href=(crate::layout::style_url());
            }
            body {
                a class="skip" href="#main" { (lang.t("Naar de inhoud", "Skip to content")) }
                header class="site" {
                    a class="brand" href=(lang.href("/")) { "Wijkmonitor NPLV" }
                    nav aria-label=(lang.t("Werkruimte", "Workspace")) {
                        ul {
                            li { a href=(lang.href("/")) { (lang.t("Dashboard", "Dashboard")) } }
                            @if let Some(p) = principal.filter(|p| p.role().is_some()) {
                                li { a href=(lang.href("/werk")) { (lang.t("Werkruimte", "Workspace")) } }
                                @if allows(p, Permission::ReadAudit) {
                                    li { a href=(lang.href("/werk/audit")) { (lang.t("Auditlog", "Audit log")) } }
                                }
                                @if allows(p, Permission::ManageUsers) {
                                    li { a href=(lang.href("/werk/gebruikers")) { (lang.t("Gebruikers", "Users")) } }
                                }
                            }
                        }
                    }
                    @if let Some(s) = session.filter(|s| s.principal.role().is_some()) {
                        span { (s.principal.actor()) }
                        form class="inline" method="post" action=(lang.href("/afmelden")) {
                            input type="hidden" name="csrf" value=(s.csrf);
                            button class="link" type="submit" { (lang.t("Afmelden", "Sign out")) }
                        }
                    }
                    a class="lang" href=(other.href(path)) lang=(other.code()) hreflang=(other.code()) {
                        (match other { Lang::En => "English", Lang::Nl => "Nederlands" })
                    }
                }
                main id="main" { (content) }
            }
        }
    }
    .into_string()
}

/// The sign-in page.
pub fn sign_in(lang: Lang, token: &str, next: &str, error: Option<(&str, &str)>, expired: bool) -> String {
    let content = html! {
        h1 { (lang.t("Aanmelden", "Sign in")) }
        p class="lead" { (lang.t("Voor de programmateams van de focusgebieden en het programmateam van het ministerie. De gepubliceerde cijfers zijn zonder account te zien op het dashboard.",
            "For the programme teams of the focus areas and the ministry's programme team. Published figures are on the dashboard without an account.")) }
        @if expired {
            p class="message" role="status" { (lang.t("Uw sessie is verlopen. Meld u opnieuw aan.", "Your session has ended. Please sign in again.")) }
        }
        @if let Some((nl, en)) = error {
            p class="message error" role="alert" id="sign-in-error" { (lang.t(nl, en)) }
        }
        form method="post" action=(lang.href("/aanmelden")) class="form-grid" {
            input type="hidden" name="csrf" value=(token);
            input type="hidden" name="next" value=(next);
            label for="email" { (lang.t("E-mailadres", "Email address")) }
            input type="email" id="email" name="email" autocomplete="username" required;
            label for="password" { (lang.t("Wachtwoord", "Password")) }
            input type="password" id="password" name="password" autocomplete="current-password" required;
            span {}
            div { button type="submit" { (lang.t("Aanmelden", "Sign in")) } }
        }
    };
    shell(lang, lang.t("Aanmelden", "Sign in"), None, "/aanmelden", content)
}

/// An error page.
pub fn error_page(lang: Lang, status: StatusCode, message: &str, session: Option<&Session>, path: &str) -> String {
    let principal = session.map(|s| &s.principal);
    let title = match status {
        StatusCode::FORBIDDEN => lang.t("Geen toegang", "No access"),
        StatusCode::NOT_FOUND => lang.t("Niet gevonden", "Not found"),
        StatusCode::CONFLICT => lang.t("Dit kan nu niet", "Not possible now"),
        StatusCode::TOO_MANY_REQUESTS => lang.t("Te veel pogingen", "Too many attempts"),
        _ => lang.t("Er ging iets mis", "Something went wrong"),
    };
    let content = html! {
        h1 { (title) }
        p class="message error" role="alert" { (message) " (" (status.as_u16()) ")" }
        p {
            @if principal.is_some_and(|p| p.role().is_some()) {
                a href=(lang.href("/werk")) { (lang.t("Naar de werkruimte", "To the workspace")) }
            } @else {
                a href=(lang.href("/aanmelden")) { (lang.t("Aanmelden", "Sign in")) }
            }
        }
    };
    shell(lang, title, session.filter(|s| s.principal.role().is_some()), path, content)
}

fn flash(lang: Lang, req: &WorkRequest) -> Markup {
    let Some(code) = req.param("bericht") else { return html! {} };
    let text = match code.as_str() {
        "opgeslagen" => lang.t("Het concept is opgeslagen.", "The draft has been saved."),
        "ingediend" => lang.t("De antwoorden zijn ingediend.", "The answers have been submitted."),
        "geupload" => lang.t(
            "Het Excel-bestand is verwerkt en als concept opgeslagen.",
            "The Excel file has been applied and saved as a draft.",
        ),
        "geaccepteerd" => lang.t("De antwoorden zijn geaccepteerd.", "The answers have been accepted."),
        "teruggestuurd" => {
            lang.t("De antwoorden zijn teruggestuurd naar het gebied.", "The answers have been returned to the area.")
        }
        "heropend" => lang.t("De uitvraag is heropend voor het gebied.", "The request has been reopened for the area."),
        "gepubliceerd" => lang.t(
            "De geaccepteerde cijfers zijn gepubliceerd; het dashboard is bijgewerkt.",
            "The accepted figures have been published; the dashboard has been updated.",
        ),
        "geopend" => lang.t("De uitvraagronde is geopend.", "The request round has been opened."),
        "bijgewerkt" => lang.t("Het account is bijgewerkt.", "The account has been updated."),
        _ => return html! {},
    };
    html! { p class="message" role="status" id="flash" { (text) } }
}

fn page(lang: Lang, title: &str, session: &Session, req: &WorkRequest, content: Markup) -> WorkResponse {
    // The language switch keeps the page's own parameters, but not the one-off message.
    let query: Vec<String> = forms::parse_urlencoded(&req.query)
        .into_iter()
        .filter(|(k, _)| k != "lang" && k != "bericht")
        .map(|(k, v)| format!("{k}={}", url_encode(&v)))
        .collect();
    let path = if query.is_empty() { req.path.clone() } else { format!("{}?{}", req.path, query.join("&")) };
    WorkResponse::html(StatusCode::OK, shell(lang, title, Some(session), &path, content))
}

fn segments(path: &str) -> Vec<&str> {
    path.trim_matches('/').split('/').collect()
}

fn redirect(req: &WorkRequest, path: &str, message: &str) -> WorkResponse {
    let lang = req.lang();
    WorkResponse::redirect(&lang.href(&format!("{path}?bericht={message}")))
}

/// Routes an HTML request of the workspace.
pub fn route(app: &App, work: &Work, req: &WorkRequest, session: &Session) -> Result<WorkResponse, Problem> {
    let who = &session.principal;
    let seg = segments(&req.path);
    let method = &req.method;
    // Every form posts urlencoded, except the upload; another encoding would read as an empty form (and an
    // empty request form would clear the answers), so it is refused.
    let upload = seg.last() == Some(&"upload");
    let urlencoded = req.content_type.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded");
    if *method == Method::POST && !upload && !urlencoded && !req.body.is_empty() {
        return Err(Problem::BadRequest("forms are sent as application/x-www-form-urlencoded".into()));
    }
    match (method, seg.as_slice()) {
        (&Method::POST, ["afmelden"]) => auth::sign_out(work, req, session),
        (&Method::GET, ["werk"]) => {
            require(who, Permission::Workspace)?;
            Ok(home(work, req, session))
        }
        (&Method::POST, ["werk", "uitvraag"]) => {
            let year = year_of(forms::field(req, "jaar").unwrap_or_default().trim())
                .map_err(|_| Problem::BadRequest("give the year the figures are about".into()))?;
            let date = |name: &str| parse_date(forms::field(req, name).as_deref());
            let fields = forms::parse_urlencoded(&String::from_utf8_lossy(&req.body));
            // The form always sends `kies`; a script posting only a year gets every item.
            let chosen = fields
                .iter()
                .any(|(k, _)| k == "kies")
                .then(|| fields.iter().filter(|(k, _)| k == "item").map(|(_, v)| v.clone()).collect::<Vec<_>>());
            actions::open_round(work, who, year, date("opent")?, date("sluit")?, chosen)?;
            Ok(redirect(req, &format!("/werk/uitvraag/{year}"), "geopend"))
        }
        (&Method::GET, ["werk", "uitvraag", year]) => {
            let (round, rows) = actions::statuses(work, who, year_of(year)?)?;
            Ok(status_page(req, session, &round.round, &rows))
        }
        (&Method::POST, ["werk", "uitvraag", year, "publiceren"]) => {
            let year = year_of(year)?;
            actions::publish(app, work, who, year)?;
            Ok(redirect(req, &format!("/werk/uitvraag/{year}"), "gepubliceerd"))
        }
        (&Method::GET, ["werk", "uitvraag", year, area]) => {
            let view = actions::request_view(work, who, year_of(year)?, area)?;
            Ok(request_page(req, session, &view, None, &[]))
        }
        (&Method::POST, ["werk", "uitvraag", year, area]) => {
            let year = year_of(year)?;
            let fields = forms::parse_urlencoded(&String::from_utf8_lossy(&req.body));
            let submit = fields.iter().any(|(k, v)| k == "action" && v == "submit");
            let answers = answers_from_form(&fields);
            match actions::save(work, who, year, area, answers.clone(), submit, false, "form") {
                Ok(_) => Ok(redirect(
                    req,
                    &format!("/werk/uitvraag/{year}/{area}"),
                    if submit { "ingediend" } else { "opgeslagen" },
                )),
                Err(Problem::Invalid(errors)) => {
                    let view = actions::request_view(work, who, year, area)?;
                    let mut r = request_page(req, session, &view, Some(&answers), &errors);
                    r.status = StatusCode::UNPROCESSABLE_ENTITY;
                    Ok(r)
                }
                Err(other) => Err(other),
            }
        }
        (&Method::POST, ["werk", "uitvraag", year, area, "beoordeling"]) => {
            let year = year_of(year)?;
            let action = match forms::field(req, "action").as_deref() {
                Some("accept") => Action::Accept,
                Some("return") => Action::Return,
                Some("reopen") => Action::Reopen,
                _ => return Err(Problem::BadRequest("choose accept, return or reopen".into())),
            };
            let comment = forms::field(req, "comment").unwrap_or_default();
            actions::review(work, who, year, area, action, &comment)?;
            let message = match action {
                Action::Accept => "geaccepteerd",
                Action::Return => "teruggestuurd",
                _ => "heropend",
            };
            Ok(redirect(req, &format!("/werk/uitvraag/{year}/{area}"), message))
        }
        (&Method::GET, ["werk", "uitvraag", year, area, "sjabloon.xlsx"]) => {
            let year = year_of(year)?;
            let bytes = actions::template(work, who, year, area, req.lang())?;
            Ok(WorkResponse {
                status: StatusCode::OK,
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                body: bytes,
                headers: vec![(
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"uitvraag-{year}-{area}.xlsx\""),
                )],
            })
        }
        (&Method::POST, ["werk", "uitvraag", year, area, "upload"]) => {
            let year = year_of(year)?;
            let file = forms::parse_multipart(&req.content_type, &req.body)
                .and_then(|parts| parts.into_iter().find(|p| p.name == "bestand"))
                .filter(|p| !p.data.is_empty())
                .ok_or_else(|| Problem::BadRequest("choose an Excel file (.xlsx) to upload".into()))?;
            match actions::upload(work, who, year, area, &file.data) {
                Ok(_) => Ok(redirect(req, &format!("/werk/uitvraag/{year}/{area}"), "geupload")),
                Err(Problem::Upload(cells)) => {
                    let view = actions::request_view(work, who, year, area)?;
                    let lang = req.lang();
                    let list = html! {
                        div class="message error" role="alert" id="upload-errors" {
                            p { (lang.t("Het Excel-bestand is niet verwerkt; er is niets veranderd:", "The Excel file was not applied; nothing has changed:")) }
                            ul { @for c in &cells {
                                li { @if let Some(cell) = &c.cell { strong { (cell) } ": " } (lang.t(&c.message_nl, &c.message_en)) }
                            } }
                        }
                    };
                    let mut r = request_page_with(req, session, &view, None, &[], list);
                    r.status = StatusCode::UNPROCESSABLE_ENTITY;
                    Ok(r)
                }
                Err(other) => Err(other),
            }
        }
        (&Method::GET, ["werk", "register", area]) => register_page(work, req, session, area),
        (&Method::GET, ["werk", "audit"]) => audit_page(work, req, session),
        (&Method::GET, ["werk", "audit.csv"]) => audit_csv(work, req, who),
        (&Method::GET, ["werk", "gebruikers"]) => {
            require(who, Permission::ManageUsers)?;
            users_page(work, req, session)
        }
        (&Method::POST, ["werk", "gebruikers", "status"]) => {
            require(who, Permission::ManageUsers)?;
            let email = forms::field(req, "email").unwrap_or_default();
            let disabled = forms::field(req, "disabled").as_deref() == Some("1");
            if matches!(who, Principal::User { email: me, .. } if me.eq_ignore_ascii_case(&email)) {
                return Err(Problem::BadRequest("you cannot disable your own account".into()));
            }
            let at = work.now_rfc3339();
            work.store()
                .set_user_disabled(&email, disabled, &who.actor(), &at)
                .map_err(|e| Problem::BadRequest(e.to_string()))?;
            Ok(redirect(req, "/werk/gebruikers", "bijgewerkt"))
        }
        (&Method::GET | &Method::POST, _) => {
            // Unknown paths: the public is asked to sign in first, so the workspace's layout is not revealed.
            require(who, Permission::Workspace)?;
            Err(Problem::NotFound(format!("no page at {}", req.path)))
        }
        _ => Err(Problem::MethodNotAllowed),
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

fn home(work: &Work, req: &WorkRequest, session: &Session) -> WorkResponse {
    let lang = req.lang();
    let who = &session.principal;
    let rounds = work.store().rounds().unwrap_or_default();
    let my_areas: Vec<&(String, String)> =
        work.areas.iter().filter(|(id, _)| allows(who, Permission::EditRequest(id))).collect();
    let today = work.today();
    let content = html! {
        h1 { (lang.t("Werkruimte", "Workspace")) }
        (flash(lang, req))
        p class="lead" {
            (lang.t("Aangemeld als ", "Signed in as ")) strong { (who.actor()) } ". "
            (lang.t("Datum voor de termijnen: ", "Date for the deadlines: ")) (today.to_string())
        }
        @if !my_areas.is_empty() {
            h2 { (lang.t("Uitvraag van uw gebied", "Your area's request")) }
            @if rounds.is_empty() {
                p { (lang.t("Er is nog geen uitvraagronde geopend.", "No request round has been opened yet.")) }
            }
            @for r in &rounds {
                h3 { (lang.t("Uitvraag ", "Request ")) (r.round.year) " (" (r.round.opens.to_string()) " – " (r.round.closes.to_string()) ")" }
                ul {
                    @for (id, name) in &my_areas {
                        @let status = work.store().submission(r.round.year, id).map(|s| s.status).unwrap_or(SubmissionStatus::NotStarted);
                        li {
                            a href=(lang.href(&format!("/werk/uitvraag/{}/{id}", r.round.year))) { (name) } " " (status_badge(lang, status))
                            " · " a href=(lang.href(&format!("/werk/register/{id}"))) { (lang.t("programmaregister", "programme register")) }
                        }
                    }
                }
            }
        }
        @if allows(who, Permission::ReadAllStatuses) {
            h2 { (lang.t("Uitvraagrondes", "Request rounds")) }
            @if rounds.is_empty() { p { (lang.t("Nog geen rondes.", "No rounds yet.")) } }
            ul {
                @for r in &rounds {
                    li { a href=(lang.href(&format!("/werk/uitvraag/{}", r.round.year))) {
                        (lang.t("Uitvraag ", "Request ")) (r.round.year) } " (" (r.round.opens.to_string()) " – " (r.round.closes.to_string()) ")" }
                }
            }
            @if allows(who, Permission::OpenRound) {
                h3 { (lang.t("Een ronde openen", "Open a round")) }
                form method="post" action=(lang.href("/werk/uitvraag")) class="form-grid" {
                    input type="hidden" name="csrf" value=(session.csrf);
                    label for="jaar" { (lang.t("Jaar van de cijfers", "Year of the figures")) }
                    input type="number" id="jaar" name="jaar" min="2000" max="2100" required value=(today.year - 1);
                    label for="opent" { (lang.t("Opent (standaard 15 april)", "Opens (default 15 April)")) }
                    input type="date" id="opent" name="opent";
                    label for="sluit" { (lang.t("Sluit (standaard 15 juni)", "Closes (default 15 June)")) }
                    input type="date" id="sluit" name="sluit";
                    span {}
                    fieldset {
                        legend { (lang.t("Vragen in deze ronde", "Items of this round")) }
                        input type="hidden" name="kies" value="1";
                        @for item in &work.items {
                            div {
                                input type="checkbox" id={"item-" (item.indicator)} name="item" value=(item.indicator) checked;
                                " "
                                label for={"item-" (item.indicator)} { (item.number) ". " (lang.t(&item.name_nl, &item.name_en)) }
                            }
                        }
                    }
                    span {}
                    div { button type="submit" { (lang.t("Ronde openen", "Open round")) } }
                }
            }
            h2 { (lang.t("Programmaregister", "Programme register")) }
            ul class="areas" {
                @for (id, name) in &work.areas {
                    li { a href=(lang.href(&format!("/werk/register/{id}"))) { (name) } }
                }
            }
        }
    };
    page(lang, lang.t("Werkruimte", "Workspace"), session, req, content)
}

fn status_page(
    req: &WorkRequest,
    session: &Session,
    round: &wijkmonitor_request::Round,
    rows: &[(String, String, wijkmonitor_store::request::Submission)],
) -> WorkResponse {
    let lang = req.lang();
    let count = |s: SubmissionStatus| rows.iter().filter(|(_, _, sub)| sub.status == s).count();
    let content = html! {
        h1 { (lang.t("Uitvraag ", "Request ")) (round.year) }
        (flash(lang, req))
        p class="lead" { (lang.t("Termijn: ", "Window: ")) (round.opens.to_string()) " – " (round.closes.to_string()) }
        ul class="legend-list" aria-label=(lang.t("Aantallen per status", "Counts by status")) {
            @for s in SubmissionStatus::ALL { li { (status_badge(lang, s)) " " span data-count=(s.as_str()) { (count(s)) } } }
        }
        div class="scroll" tabindex="0" role="region" aria-label=(lang.t("SubmissionStatus per focusgebied", "SubmissionStatus per focus area")) {
            table id="statuses" {
                caption class="visually-hidden" { (lang.t("SubmissionStatus per focusgebied", "SubmissionStatus per focus area")) }
                thead { tr {
                    th scope="col" { (lang.t("Focusgebied", "Focus area")) }
                    th scope="col" { "SubmissionStatus" }
                    th scope="col" { (lang.t("Laatst gewijzigd", "Last changed")) }
                    th scope="col" { (lang.t("Door", "By")) }
                } }
                tbody {
                    @for (id, name, sub) in rows {
                        tr data-area=(id) {
                            th scope="row" { a href=(lang.href(&format!("/werk/uitvraag/{}/{id}", round.year))) { (name) } }
                            td { (status_badge(lang, sub.status)) }
                            td { (sub.updated_at) }
                            td { (sub.updated_by) }
                        }
                    }
                }
            }
        }
        @if allows(&session.principal, Permission::Publish) {
            h2 { (lang.t("Publiceren", "Publish")) }
            p { (lang.t("Publiceren zet de geaccepteerde cijfers van deze ronde op het openbare dashboard (na een nieuwe berekening met geheimhouding).",
                "Publishing puts the accepted figures of this round on the public dashboard (after a new computation with disclosure control).")) }
            form method="post" action=(lang.href(&format!("/werk/uitvraag/{}/publiceren", round.year))) {
                input type="hidden" name="csrf" value=(session.csrf);
                button type="submit" id="publish" { (lang.t("Geaccepteerde cijfers publiceren", "Publish accepted figures")) }
            }
        }
    };
    page(lang, &format!("{} {}", lang.t("Uitvraag", "Request"), round.year), session, req, content)
}

fn request_page(
    req: &WorkRequest,
    session: &Session,
    view: &RequestView,
    typed: Option<&BTreeMap<String, RawAnswer>>,
    errors: &[FieldError],
) -> WorkResponse {
    request_page_with(req, session, view, typed, errors, html! {})
}

fn show_answer(a: Option<&RawAnswer>) -> String {
    a.map(|a| a.value.clone()).filter(|v| !v.is_empty()).unwrap_or_else(|| "–".into())
}

fn request_page_with(
    req: &WorkRequest,
    session: &Session,
    view: &RequestView,
    typed: Option<&BTreeMap<String, RawAnswer>>,
    errors: &[FieldError],
    extra: Markup,
) -> WorkResponse {
    let lang = req.lang();
    let answers = typed.unwrap_or(&view.answers);
    let base = format!("/werk/uitvraag/{}/{}", view.round.round.year, view.area);
    let year = view.round.round.year;
    let content = html! {
        h1 { (view.area_name) ": " (lang.t("uitvraag ", "request ")) (year) }
        (flash(lang, req))
        (extra)
        p {
            "SubmissionStatus: " (status_badge(lang, view.submission.status)) " · "
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
                ul { @for e in errors {
                    li { a href={"#v-" (e.item)} { (item_name(view, &e.item, lang)) } ": " (lang.t(&e.message_nl, &e.message_en)) }
                } }
            }
        }
        @if view.editable {
            p class="note" { (lang.t("Sla tussendoor op als concept: na 30 minuten zonder activiteit wordt u afgemeld en gaat wat niet is opgeslagen verloren.",
                "Save a draft now and then: after 30 minutes without activity you are signed out, and what was not saved is lost.")) }
            form method="post" action=(lang.href(&base)) novalidate {
                input type="hidden" name="csrf" value=(session.csrf);
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
                input type="hidden" name="csrf" value=(session.csrf);
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
                input type="hidden" name="csrf" value=(session.csrf);
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
    };
    page(lang, &format!("{} · {}", view.area_name, year), session, req, content)
}

fn item_name(view: &RequestView, id: &str, lang: Lang) -> String {
    view.items
        .iter()
        .find(|i| i.indicator == id)
        .map(|i| format!("{}. {}", i.number, lang.t(&i.name_nl, &i.name_en)))
        .unwrap_or_else(|| id.to_string())
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

fn register_page(work: &Work, req: &WorkRequest, session: &Session, area: &str) -> Result<WorkResponse, Problem> {
    let lang = req.lang();
    let (name, entries) = actions::register(work, &session.principal, area)?;
    let summary = actions::register_json(area, &entries, work.today().year);
    let content = html! {
        h1 { (name) ": " (lang.t("programmaregister", "programme register")) }
        p class="lead" { (lang.t("Afspraken, toekenningen, budgetten en aanwijzingen van het gebied, met de bron van elk cijfer. Synthetische demogegevens zijn als zodanig gemarkeerd.",
            "The area's agreements, grants, budgets and designations, with the source of every figure. Synthetic demo figures are marked as such.")) }
        @if entries.is_empty() {
            p { (lang.t("Voor dit gebied is nog niets geregistreerd.", "Nothing has been recorded for this area yet.")) }
        } @else {
            @if let Some(progress) = summary.get("progress").and_then(|p| p.as_array()).filter(|p| !p.is_empty()) {
                h2 { (lang.t("Voortgang", "Progress")) }
                ul { @for p in progress { li { (p.get(lang.code()).and_then(|t| t.as_str()).unwrap_or("")) } } }
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
                    } }
                    tbody {
                        @for e in &entries {
                            tr {
                                td { (e.scheme.as_str()) }
                                td { (e.year) }
                                td { (e.instance) }
                                td { (e.item) }
                                td class="num" { @match &e.value {
                                    wijkmonitor_programme::EntryValue::Number(n) => (crate::format::number(*n, if n.fract() == 0.0 { 0 } else { 2 }, lang)),
                                    wijkmonitor_programme::EntryValue::Text(t) => (t),
                                } }
                                td { (e.source) @if e.synthetic { " " strong { (lang.t("(synthetisch)", "(synthetic)")) } } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(lang, &format!("{name} · register"), session, req, content))
}

fn audit_page(work: &Work, req: &WorkRequest, session: &Session) -> Result<WorkResponse, Problem> {
    let lang = req.lang();
    let log = actions::audit_log(work, &session.principal, req)?;
    let query = req.query.split('&').filter(|p| !p.starts_with("lang=")).collect::<Vec<_>>().join("&");
    let csv = if query.is_empty() { "/werk/audit.csv".to_string() } else { format!("/werk/audit.csv?{query}") };
    let content = html! {
        h1 { (lang.t("Auditlog", "Audit log")) }
        p class="lead" { (lang.t("Elke wijziging: wie, wanneer, wat, de oude en de nieuwe waarde. Het log kan alleen groeien.",
            "Every change: who, when, what, the old and the new value. The log can only grow.")) }
        p { a href=(csv) id="audit-csv" { (lang.t("Exporteren als CSV", "Export as CSV")) } }
        div class="scroll" tabindex="0" role="region" aria-label=(lang.t("Auditlog", "Audit log")) {
            table id="audit" {
                thead { tr {
                    th scope="col" { "#" } th scope="col" { (lang.t("Wanneer", "When")) } th scope="col" { (lang.t("Wie", "Who")) }
                    th scope="col" { (lang.t("Wat", "What")) } th scope="col" { (lang.t("Gebied", "Area")) } th scope="col" { (lang.t("Jaar", "Year")) }
                    th scope="col" { (lang.t("Vraag", "Item")) } th scope="col" { (lang.t("Oud", "Old")) } th scope="col" { (lang.t("Nieuw", "New")) }
                    th scope="col" { (lang.t("Toelichting", "Detail")) }
                } }
                tbody {
                    @for e in &log {
                        tr data-action=(e.action) {
                            td { (e.id) } td { (e.at) } td { (e.actor) } td { (e.action) }
                            td { (e.area.as_deref().unwrap_or("")) } td { (e.year.map(|y| y.to_string()).unwrap_or_default()) }
                            td { (e.item.as_deref().unwrap_or("")) } td { (e.old_value.as_deref().unwrap_or("")) }
                            td { (e.new_value.as_deref().unwrap_or("")) } td { (e.detail) }
                        }
                    }
                }
            }
        }
    };
    Ok(page(lang, lang.t("Auditlog", "Audit log"), session, req, content))
}

/// A text for a CSV cell that a spreadsheet will not run as a formula: answers and explanations are typed by
/// areas, and `=HYPERLINK(...)` opened by an analyst in Excel would act. Plain numbers (`-5`) stay as they are.
pub fn csv_safe(text: String) -> String {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.trim().parse::<f64>().is_err();
    if risky {
        format!("'{text}")
    } else {
        text
    }
}

fn audit_csv(work: &Work, req: &WorkRequest, who: &Principal) -> Result<WorkResponse, Problem> {
    let log = actions::audit_log(work, who, req)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = ["id", "at", "actor", "action", "area", "year", "item", "old_value", "new_value", "detail"];
    w.write_record(header).map_err(Problem::internal)?;
    for e in &log {
        w.write_record(
            [
                e.id.to_string(),
                e.at.clone(),
                e.actor.clone(),
                e.action.clone(),
                e.area.clone().unwrap_or_default(),
                e.year.map(|y| y.to_string()).unwrap_or_default(),
                e.item.clone().unwrap_or_default(),
                e.old_value.clone().unwrap_or_default(),
                e.new_value.clone().unwrap_or_default(),
                e.detail.clone(),
            ]
            .map(csv_safe),
        )
        .map_err(Problem::internal)?;
    }
    let body = w.into_inner().map_err(Problem::internal)?;
    Ok(WorkResponse {
        status: StatusCode::OK,
        content_type: "text/csv; charset=utf-8",
        body,
        headers: vec![(header::CONTENT_DISPOSITION, "attachment; filename=\"auditlog.csv\"".into())],
    })
}

fn users_page(work: &Work, req: &WorkRequest, session: &Session) -> Result<WorkResponse, Problem> {
    let lang = req.lang();
    let users = work.store().users().map_err(Problem::internal)?;
    let content = html! {
        h1 { (lang.t("Gebruikers", "Users")) }
        (flash(lang, req))
        p class="lead" { (lang.t("Accounts worden toegevoegd met ", "Accounts are added with ")) code { "wijkmonitor user add" } "." }
        div class="scroll" tabindex="0" role="region" aria-label=(lang.t("Gebruikers", "Users")) {
            table id="users" {
                thead { tr {
                    th scope="col" { (lang.t("E-mailadres", "Email address")) } th scope="col" { (lang.t("Rol", "Role")) }
                    th scope="col" { (lang.t("Gebieden", "Areas")) } th scope="col" { "SubmissionStatus" } th scope="col" { (lang.t("Actie", "Action")) }
                } }
                tbody {
                    @for u in &users {
                        tr {
                            td { (u.email) }
                            td { (Role::parse(&u.role).map(|r| lang.t(r.name_nl(), r.name_en())).unwrap_or(&u.role)) }
                            td { (u.areas.iter().cloned().collect::<Vec<_>>().join(", ")) }
                            td { @if u.disabled { (lang.t("uitgeschakeld", "disabled")) } @else { (lang.t("actief", "active")) } }
                            td {
                                form method="post" action=(lang.href("/werk/gebruikers/status")) {
                                    input type="hidden" name="csrf" value=(session.csrf);
                                    input type="hidden" name="email" value=(u.email);
                                    input type="hidden" name="disabled" value=(if u.disabled { "0" } else { "1" });
                                    button type="submit" class="secondary" { @if u.disabled { (lang.t("Inschakelen", "Enable")) } @else { (lang.t("Uitschakelen", "Disable")) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(lang, lang.t("Gebruikers", "Users"), session, req, content))
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_cells_are_not_formulas() {
        use super::csv_safe;
        assert_eq!(csv_safe("=HYPERLINK(\"x\")".into()), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("@SUM(A1)".into()), "'@SUM(A1)");
        assert_eq!(csv_safe("-5".into()), "-5");
        assert_eq!(csv_safe("+31 6".into()), "'+31 6");
        assert_eq!(csv_safe("120".into()), "120");
    }
}
