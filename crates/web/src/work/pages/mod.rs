//! The workspace's pages and forms (Dutch, with English through `?lang=en`), one module per page. Each page is a
//! serialisable view model: rendered as HTML in the site's shell, and as JSON for its twin (`.json`,
//! `Accept: application/json`), which is also what the API answers at its `/api/v1/` address.
//!
//! Forms work without JavaScript: a POST answers with a redirect (and a message in the query) or, when answers
//! do not validate, with the same form again showing what was typed and a message next to each field.

pub mod account;
pub mod audit;
pub mod home;
pub mod register;
pub mod request;
pub mod round;
pub mod sign_in;
pub mod users;

use super::auth::{self, Session};
use super::{forms, Work, WorkRequest, WorkResponse};
use crate::error::Problem;
use crate::i18n::Lang;
use crate::routes::Page;
use crate::server::App;
use axum::http::StatusCode;
use maud::{html, Markup};
use serde::Serialize;
use wijkmonitor_request::SubmissionStatus;

/// A page of the workspace: its view model (serialised for the JSON twin) and how it reads as HTML.
pub trait WorkView: Serialize {
    fn title(&self, lang: Lang) -> String;
    /// The content of `<main>`.
    fn html(&self, ctx: &Ctx<'_>) -> Markup;
}

/// What rendering a page needs besides its view model.
pub struct Ctx<'a> {
    pub lang: Lang,
    pub req: &'a WorkRequest,
    pub session: &'a Session,
    pub work: &'a Work,
}

impl Ctx<'_> {
    /// The session's CSRF token for a form.
    pub fn csrf(&self) -> &str {
        &self.session.csrf
    }
}

/// A page as its JSON twin or as HTML in the shell.
pub fn show<V: WorkView>(ctx: &Ctx<'_>, view: &V, status: StatusCode) -> WorkResponse {
    if ctx.req.json {
        return WorkResponse::json(status, view);
    }
    let lang = ctx.lang;
    let content = view.html(ctx);
    let mut r = WorkResponse::html(status, shell(ctx, &view.title(lang), content));
    r.status = status;
    r
}

/// The page around a workspace page's content; the language switch keeps the page's own parameters.
fn shell(ctx: &Ctx<'_>, title: &str, content: Markup) -> String {
    let query: Vec<String> = forms::parse_urlencoded(&ctx.req.query)
        .into_iter()
        .filter(|(k, _)| k != "lang" && k != "bericht")
        .map(|(k, v)| format!("{k}={}", url_encode(&v)))
        .collect();
    let path = if query.is_empty() { ctx.req.path.clone() } else { format!("{}?{}", ctx.req.path, query.join("&")) };
    crate::layout::work_page(ctx.lang, title, Some(ctx.session), &path, content)
}

/// Percent-encodes a text for a query value.
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) fn status_badge(lang: Lang, status: SubmissionStatus) -> Markup {
    html! { span class={"status " (status.as_str())} data-status=(status.as_str()) { (lang.t(status.name_nl(), status.name_en())) } }
}

/// The one-off message a redirect carries (`?bericht=`).
pub(crate) fn flash(lang: Lang, req: &WorkRequest) -> Markup {
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
        "wachtwoord" => lang.t(
            "Uw wachtwoord is gewijzigd; andere sessies van uw account zijn beëindigd.",
            "Your password has been changed; other sessions of your account have ended.",
        ),
        "ingetrokken" => lang.t("De API-sleutel is ingetrokken.", "The API token has been revoked."),
        "register" => lang.t(
            "Het register is bijgewerkt; de cijfers staan op het dashboard na de volgende publicatie.",
            "The register has been updated; the figures appear on the dashboard after the next publication.",
        ),
        _ => return html! {},
    };
    html! { p class="message" role="status" id="flash" { (text) } }
}

/// A redirect after a form, with its message.
pub(crate) fn redirect(req: &WorkRequest, path: &str, message: &str) -> WorkResponse {
    WorkResponse::redirect(&req.lang().href(&format!("{path}?bericht={message}")))
}

/// Sends a browser to the sign-in page, to come back afterwards to the page the request came from (a form's
/// page, not its POST address).
pub fn to_sign_in(req: &WorkRequest, session: Option<&Session>) -> WorkResponse {
    let page = if req.method == axum::http::Method::GET {
        req.path.clone()
    } else {
        let trimmed = ["/upload", "/beoordeling", "/publiceren", "/verwijderen"]
            .iter()
            .find_map(|s| req.path.strip_suffix(s))
            .unwrap_or(&req.path);
        if trimmed.starts_with("/werk/uitvraag/") || trimmed.starts_with("/werk/register/") {
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
    let mut to = format!("/aanmelden?next={}", url_encode(&next));
    if session.is_some_and(|s| s.expired) {
        to.push_str("&verlopen=1");
    }
    WorkResponse::redirect(&req.lang().href(&to))
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

/// A year in a path.
pub fn year_of(text: &str) -> Result<i32, Problem> {
    text.parse().map_err(|_| Problem::NotFound(format!("'{}' is not a year", wijkmonitor_model::error::excerpt(text))))
}

/// Routes one workspace request to its page or action. Sign-in itself is handled before (it has no session).
pub fn route(app: &App, work: &Work, req: &WorkRequest, session: &Session) -> Result<WorkResponse, Problem> {
    let ctx = Ctx { lang: req.lang(), req, session, work };
    let ok = StatusCode::OK;
    match req.page {
        Page::SignOut => auth::sign_out(work, req, session),
        Page::Home => Ok(show(&ctx, &home::build(work, &session.principal), ok)),
        Page::Me => account::me(&ctx),
        Page::Account => Ok(show(&ctx, &account::build(work, session)?, ok)),
        Page::ChangePassword => account::change_password(&ctx),
        Page::RevokeToken => account::revoke_token(&ctx),
        Page::Rounds => round::rounds(&ctx),
        Page::OpenRound => round::open(&ctx),
        Page::Round => Ok(show(&ctx, &round::build(&ctx)?, ok)),
        Page::Publish => round::publish(app, &ctx),
        Page::Request => Ok(show(&ctx, &request::build(&ctx)?, ok)),
        Page::SaveRequest => request::save_form(&ctx),
        Page::PutRequest => request::save_json(&ctx),
        Page::Review => request::review(&ctx),
        Page::Template => request::template(&ctx),
        Page::Upload => request::upload(&ctx),
        Page::Register => Ok(show(&ctx, &register::build(&ctx, None)?, ok)),
        Page::SaveRegisterEntry => register::save(&ctx),
        Page::RemoveRegisterEntry => register::remove(&ctx),
        Page::Audit => Ok(show(&ctx, &audit::build(&ctx)?, ok)),
        Page::AuditCsv => audit::csv(&ctx),
        Page::Users => Ok(show(&ctx, &users::build(&ctx)?, ok)),
        Page::UserStatus => users::set_status(&ctx),
        other => Err(Problem::Internal(format!("{other:?} is not a workspace page"))),
    }
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
