//! The one page shell of every HTML page, public and signed-in: header with navigation and the language
//! switch; on public pages the demo and "indicative delineation" banners and the footer with attribution and
//! the page's JSON and CSV twins; on workspace and error pages the workspace's menu by role.

use crate::error::Problem;
use crate::i18n::{self, Lang};
use crate::viewmodel::Meta;
use crate::work::auth::Session;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use wijkmonitor_access::{allows, Permission};
use wijkmonitor_model::catalogue::ActionLine;
use wijkmonitor_model::Status;

/// The stylesheet, embedded in the binary.
pub const STYLE_CSS: &str = include_str!("../static/style.css");

/// The URL of the stylesheet; the version parameter changes with its content, so it can be cached forever.
pub fn style_url() -> String {
    format!("/static/style.css?v={}", &wijkmonitor_model::hash::sha256_hex(STYLE_CSS.as_bytes())[..12])
}

/// The URL of a twin: the path plus `.json`/`.csv`, with the query (e.g. `?gebied=`) kept.
pub fn twin(path: &str, query: &str, ext: &str) -> String {
    let base = if path == "/" { "/index".to_string() } else { path.to_string() };
    if query.is_empty() {
        format!("{base}.{ext}")
    } else {
        format!("{base}.{ext}?{query}")
    }
}

/// Which header and footer the shell draws.
pub enum Chrome<'a> {
    /// A public page: the main menu, the demo and delineation banners, and a footer with attribution and the
    /// page's JSON and CSV twins. `query` holds the page's own parameters (without `lang`).
    Public { meta: &'a Meta, query: &'a str },
    /// A workspace page (or an error page): the workspace's menu by role, the account and sign-out, no indexing.
    Work { session: Option<&'a Session> },
}

/// The one page shell of the site. `here` is the address of this page (with its own parameters), which the
/// language switch leads to in the other language.
pub fn shell(lang: Lang, title: &str, chrome: Chrome<'_>, here: &str, content: Markup) -> Markup {
    let other = match lang {
        Lang::Nl => Lang::En,
        Lang::En => Lang::Nl,
    };
    let switch = html! {
        a class="lang" href=(other.href(here)) lang=(other.code()) hreflang=(other.code()) id="lang-switch" {
            (match other { Lang::En => "English", Lang::Nl => "Nederlands" })
        }
    };
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Chrome::Work { .. } = chrome { meta name="robots" content="noindex"; }
                title { (title) " · Wijkmonitor NPLV" }
                link rel="stylesheet" href=(style_url());
                @if let Chrome::Public { meta, query } = &chrome {
                    link rel="alternate" type="application/json" href=(twin(&meta.path, query, "json"));
                    link rel="alternate" type="text/csv" href=(twin(&meta.path, query, "csv"));
                }
            }
            body {
                a class="skip" href="#main" { (lang.t("Naar de inhoud", "Skip to content")) }
                @match &chrome {
                    Chrome::Public { meta, .. } => {
                        @let menu = html! {
                            ul {
                                li { a href=(lang.href("/")) { (lang.t("Overzicht", "Overview")) } }
                                @for line in ActionLine::ALL {
                                    li { a href=(lang.href(&format!("/actielijn/{}", line.as_str()))) { (i18n::action_line(lang, line)) } }
                                }
                                li { a href=(lang.href("/downloads")) { "Downloads" } }
                                li { a href=(lang.href("/over")) { (lang.t("Over", "About")) } }
                            }
                        };
                        header class="site" {
                            a class="brand" href=(lang.href("/")) { "Wijkmonitor NPLV" }
                            // Wide screens show the menu; phones fold it into a button (details: no JavaScript).
                            nav class="wide-menu" aria-label=(lang.t("Hoofdmenu", "Main menu")) { (menu) }
                            details class="phone-menu" {
                                summary { (lang.t("Menu", "Menu")) }
                                nav aria-label=(lang.t("Hoofdmenu", "Main menu")) { (menu) }
                            }
                            (switch)
                        }
                        @if meta.synthetic {
                            div class="banner demo" role="note" id="demo-banner" {
                                (lang.t("SYNTHETISCHE demodata: dit zijn geen echte cijfers.", "SYNTHETIC demo data: these are not real figures."))
                                " (SYNTHETIC demo data / SYNTHETISCHE demodata)"
                            }
                        }
                        @if meta.delineation.indicative {
                            div class="banner indicative" role="note" {
                                (lang.t("Indicatieve afbakening: ", "Indicative delineation: "))
                                (lang.t("de grenzen van de focusgebieden zijn een benadering, niet de officiële afbakening.",
                                        "the boundaries of the focus areas are an approximation, not the official delineation."))
                            }
                        }
                    }
                    Chrome::Work { session } => {
                        @let principal = session.map(|s| &s.principal).filter(|p| p.role().is_some());
                        header class="site" {
                            a class="brand" href=(lang.href("/")) { "Wijkmonitor NPLV" }
                            nav aria-label=(lang.t("Werkruimte", "Workspace")) {
                                ul {
                                    li { a href=(lang.href("/")) { (lang.t("Dashboard", "Dashboard")) } }
                                    @if let Some(p) = principal {
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
                                a href=(lang.href("/werk/account")) { (s.principal.actor()) }
                                form class="inline" method="post" action=(lang.href("/afmelden")) {
                                    input type="hidden" name="csrf" value=(s.csrf);
                                    button class="link" type="submit" { (lang.t("Afmelden", "Sign out")) }
                                }
                            }
                            (switch)
                        }
                    }
                }
                main id="main" { (content) }
                @if let Chrome::Public { meta, query } = &chrome {
                    footer class="site" {
                        p {
                            "Bron: CBS (CC BY 4.0) · Leefbaarometer 3.0, Ministerie van BZK · Politie · "
                            (lang.t("Kaarten: ", "Maps: ")) "Bron: CBS/PDOK, CC BY 4.0."
                        }
                        p {
                            (lang.t("Deze pagina als data: ", "This page as data: "))
                            a href=(twin(&meta.path, query, "json")) { "JSON" } " · "
                            a href=(twin(&meta.path, query, "csv")) { "CSV" } " · "
                            a href="/api/openapi.json" { "OpenAPI" } " · "
                            a href=(lang.href("/werk")) { (lang.t("Werkruimte voor gebieden en programmateam", "Workspace for areas and programme team")) }
                            @if let Some(run) = &meta.compute_run {
                                " · " (lang.t("berekening", "compute run")) " #" (run.id) ", "
                                (run.computed_at.get(..10).unwrap_or(&run.computed_at))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Wraps a public page's content. `query` holds the page's own parameters (without `lang`), kept by the language
/// switch.
pub fn page(meta: &Meta, lang: Lang, query: &str, content: Markup) -> Markup {
    let here = if query.is_empty() { meta.path.clone() } else { format!("{}?{query}", meta.path) };
    shell(lang, meta.title(lang), Chrome::Public { meta, query }, &here, content)
}

/// Wraps a workspace page's content.
pub fn work_page(lang: Lang, title: &str, session: Option<&Session>, here: &str, content: Markup) -> String {
    shell(lang, title, Chrome::Work { session }, here, content).into_string()
}

/// The page of a refused request: what happened, the request id to quote, and a way on.
pub fn problem_page(
    problem: &Problem,
    lang: Lang,
    session: Option<&Session>,
    path: &str,
    query: &str,
    request_id: &str,
) -> String {
    let signed_in = session.is_some_and(|s| s.principal.role().is_some());
    let title = problem.title(lang);
    let content = html! {
        h1 { (title) }
        p class="message error" role="alert" { (problem.message(lang)) " (" (problem.status().as_u16()) ")" }
        p class="note" { (lang.t("Kenmerk van dit verzoek: ", "Reference of this request: ")) code id="request-id" { (request_id) } }
        p {
            @if signed_in {
                a href=(lang.href("/werk")) { (lang.t("Naar de werkruimte", "To the workspace")) }
            } @else if path.starts_with("/werk") {
                a href=(lang.href("/aanmelden")) { (lang.t("Aanmelden", "Sign in")) }
            } @else {
                a href=(lang.href("/")) { (lang.t("Naar het overzicht", "To the overview")) }
            }
        }
    };
    // The language switch leads to the same address; the query (with its `lang`) is left behind.
    let _ = query;
    work_page(lang, title, session, path, content)
}

/// A figure or its status as text, with the reason in words when there is no number.
pub fn fig_cell(fig: Option<&wijkmonitor_readmodel::snapshot::Fig>, decimals: u8, lang: Lang) -> Markup {
    match fig {
        Some(f) => match f.value {
            Some(v) => html! {
                (crate::format::number(v, decimals, lang))
                @if f.status == Status::Provisional { " " abbr title=(i18n::status(lang, Status::Provisional)) { "(v)" } }
            },
            None => {
                let reason = f.reason.as_deref().map(|r| i18n::reason(lang, r)).unwrap_or_default();
                html! {
                    span class="sup" data-status=(f.status.as_str()) title=[(!reason.is_empty()).then_some(&reason)] {
                        (i18n::status(lang, f.status))
                        @if !reason.is_empty() { span class="visually-hidden" { " (" (reason) ")" } }
                    }
                }
            }
        },
        None => html! { span class="sup" { "–" } },
    }
}

/// Inline text that must not be escaped (already-safe SVG or HTML built by this crate).
pub fn raw(text: &str) -> PreEscaped<&str> {
    PreEscaped(text)
}
