//! The page shell shared by every HTML page: header with navigation and the language switch, the demo and
//! "indicative delineation" banners, the footer with attribution and links to the page's JSON and CSV twins.

use crate::i18n::{self, Lang};
use crate::model::Meta;
use maud::{html, Markup, PreEscaped, DOCTYPE};
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

/// Wraps a page's content. `query` holds the page's own parameters (without `lang`), kept by the language switch.
pub fn page(meta: &Meta, lang: Lang, query: &str, content: Markup) -> Markup {
    let other = match lang {
        Lang::Nl => Lang::En,
        Lang::En => Lang::Nl,
    };
    let with_query = if query.is_empty() { meta.path.clone() } else { format!("{}?{query}", meta.path) };
    let switch_href = other.href(&with_query);
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (meta.title(lang)) " · Wijkmonitor NPLV" }
                link rel="stylesheet" href=(style_url());
                link rel="alternate" type="application/json" href=(twin(&meta.path, query, "json"));
                link rel="alternate" type="text/csv" href=(twin(&meta.path, query, "csv"));
            }
            body {
                a class="skip" href="#main" { (lang.t("Naar de inhoud", "Skip to content")) }
                header class="site" {
                    a class="brand" href=(lang.href("/")) { "Wijkmonitor NPLV" }
                    nav aria-label=(lang.t("Hoofdmenu", "Main menu")) {
                        ul {
                            li { a href=(lang.href("/")) { (lang.t("Overzicht", "Overview")) } }
                            @for line in ActionLine::ALL {
                                li { a href=(lang.href(&format!("/actielijn/{}", line.as_str()))) { (i18n::action_line(lang, line)) } }
                            }
                            li { a href=(lang.href("/downloads")) { "Downloads" } }
                            li { a href=(lang.href("/over")) { (lang.t("Over", "About")) } }
                        }
                    }
                    a class="lang" href=(switch_href) lang=(other.code()) hreflang=(other.code()) id="lang-switch" {
                        (match other { Lang::En => "English", Lang::Nl => "Nederlands" })
                    }
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
                main id="main" { (content) }
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
                            " · " (lang.t("berekening", "compute run")) " #" (run.id)
                        }
                    }
                }
            }
        }
    }
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
