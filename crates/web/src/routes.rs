//! The one route table of the whole site: every address the server answers, public and signed-in alike, with
//! the method, the query parameters it takes, the body it accepts (and how large), what a request needs before
//! its body is read, whether it has JSON/CSV twins, and how it appears in the OpenAPI document.
//!
//! A request is matched against this table and nothing else: a path that no entry matches is a 404, a path
//! that matches with another method a 405 (with `Allow`), a parameter the entry does not list a 400. A new page
//! or endpoint is one entry here plus its handler (the dispatch in [`crate::server`] matches [`Page`]
//! exhaustively, so the compiler asks for it), and the OpenAPI test fails until the document describes it.

use std::collections::BTreeMap;
use wijkmonitor_access::Permission;

/// An HTTP method the site uses. HEAD is answered as GET; OPTIONS is the CORS preflight of public routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Put,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
        }
    }
}

/// Which half of the site a route belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Published figures: read-only, cached, CORS-open, no session.
    Public,
    /// The signed-in workspace: reads and writes the database, never cached.
    Work,
}

/// The body a route accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    None,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data` (the Excel upload).
    Multipart,
    /// `application/json`.
    Json,
}

impl Body {
    /// The largest body accepted. A request form with every explanation at its longest, percent-encoded, stays
    /// under 2 MiB; the Excel upload is refused above 5 MiB.
    pub fn limit(self) -> usize {
        match self {
            Body::None => 0,
            Body::Form => 2 << 20,
            Body::Json => 1 << 20,
            Body::Multipart => 5 << 20,
        }
    }
}

/// What a workspace request needs before its body is read, decided from the path and the headers alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Nothing (the sign-in form, public pages).
    Nothing,
    /// A signed-in user with a role.
    Workspace,
    /// The permission to edit the request of the area in the path.
    EditRequest,
    /// The permission to read the request of the area in the path.
    ReadRequest,
    /// The permission to read the register of the area in the path.
    ReadRegister,
    /// An analyst's or administrator's permission.
    Review,
    OpenRound,
    Publish,
    ReadAllStatuses,
    ReadAudit,
    EditRegister,
    ManageUsers,
}

impl Needs {
    /// The permission, given the path's parameters.
    pub fn permission<'a>(self, params: &'a PathParams) -> Option<Permission<'a>> {
        let area = params.get("area").map(String::as_str).unwrap_or("");
        Some(match self {
            Needs::Nothing => return None,
            Needs::Workspace => Permission::Workspace,
            Needs::EditRequest => Permission::EditRequest(area),
            Needs::ReadRequest => Permission::ReadRequest(area),
            Needs::ReadRegister => Permission::ReadRegister(area),
            Needs::Review => Permission::Review,
            Needs::OpenRound => Permission::OpenRound,
            Needs::Publish => Permission::Publish,
            Needs::ReadAllStatuses => Permission::ReadAllStatuses,
            Needs::ReadAudit => Permission::ReadAudit,
            Needs::EditRegister => Permission::EditRegister,
            Needs::ManageUsers => Permission::ManageUsers,
        })
    }
}

/// What a route does: one variant per handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    // Public pages (view models with JSON and CSV twins).
    Overview,
    ActionLine,
    Area,
    Indicator,
    Downloads,
    About,
    /// The effect of the programme on one indicator in one area.
    Effect,
    /// How effects are measured, and all of them.
    Method,
    // Public files.
    FullCsv,
    Xlsx,
    Style,
    Report,
    OpenApi,
    Health,
    Ready,
    Metrics,
    // The workspace: pages (with a JSON twin) and the forms and API calls that change something.
    SignInPage,
    SignIn,
    SignOut,
    Home,
    Me,
    Account,
    ChangePassword,
    RevokeToken,
    Rounds,
    OpenRound,
    Round,
    Publish,
    Request,
    SaveRequest,
    PutRequest,
    Review,
    Template,
    Upload,
    Register,
    SaveRegisterEntry,
    RemoveRegisterEntry,
    Audit,
    AuditCsv,
    Users,
    UserStatus,
}

/// One entry of the table.
#[derive(Debug, Clone, Copy)]
pub struct RouteDef {
    pub verb: Verb,
    /// Segments separated by `/`; `{name}` matches one segment and captures it.
    pub pattern: &'static str,
    pub page: Page,
    pub side: Side,
    /// Query parameters the route takes besides `lang` (which every route takes).
    pub params: &'static [&'static str],
    pub body: Body,
    pub needs: Needs,
    /// Whether the page has twins: `.json` (and `.csv` on public pages) after the path, `?format=`, `Accept`.
    pub twins: bool,
    /// Whether the route answers only JSON (the `/api/` addresses).
    pub json_only: bool,
    /// The summary under which the OpenAPI document lists the route; `None` for pages made for browsers only.
    pub api: Option<&'static str>,
}

const PAGE: &[&str] = &["format"];
const NONE: &[&str] = &[];

const fn public(
    pattern: &'static str,
    page: Page,
    params: &'static [&'static str],
    api: Option<&'static str>,
) -> RouteDef {
    RouteDef {
        verb: Verb::Get,
        pattern,
        page,
        side: Side::Public,
        params,
        body: Body::None,
        needs: Needs::Nothing,
        twins: false,
        json_only: false,
        api,
    }
}

const fn view(pattern: &'static str, page: Page, params: &'static [&'static str]) -> RouteDef {
    RouteDef { twins: true, ..public(pattern, page, params, None) }
}

const fn api_view(
    pattern: &'static str,
    page: Page,
    params: &'static [&'static str],
    summary: &'static str,
) -> RouteDef {
    RouteDef { json_only: true, ..public(pattern, page, params, Some(summary)) }
}

const fn work(verb: Verb, pattern: &'static str, page: Page, body: Body, needs: Needs) -> RouteDef {
    RouteDef {
        verb,
        pattern,
        page,
        side: Side::Work,
        params: NONE,
        body,
        needs,
        twins: false,
        json_only: false,
        api: None,
    }
}

const fn work_page(pattern: &'static str, page: Page, params: &'static [&'static str], needs: Needs) -> RouteDef {
    RouteDef { params, twins: true, ..work(Verb::Get, pattern, page, Body::None, needs) }
}

const fn work_api(
    verb: Verb,
    pattern: &'static str,
    page: Page,
    body: Body,
    needs: Needs,
    summary: &'static str,
) -> RouteDef {
    RouteDef { json_only: true, api: Some(summary), ..work(verb, pattern, page, body, needs) }
}

/// Every address of the site.
pub static ROUTES: &[RouteDef] = &[
    // The public dashboard: pages with twins, and the same view models under the versioned API.
    view("/", Page::Overview, PAGE),
    view("/index", Page::Overview, PAGE),
    view("/actielijn/{line}", Page::ActionLine, PAGE),
    view("/gebied/{area}", Page::Area, PAGE),
    view("/indicator/{indicator}", Page::Indicator, &["format", "gebied"]),
    view("/downloads", Page::Downloads, PAGE),
    view("/over", Page::About, PAGE),
    view("/over/effectmeting", Page::Method, PAGE),
    view("/gebied/{area}/effect/{indicator}", Page::Effect, PAGE),
    api_view("/api/v1", Page::Overview, NONE, "The overview: headline indicators of all areas against the Netherlands"),
    api_view("/api/v1/actielijn/{line}", Page::ActionLine, NONE, "One action line: its indicators for all areas"),
    api_view(
        "/api/v1/gebied/{area}",
        Page::Area,
        NONE,
        "One focus area: every indicator with its series and comparisons",
    ),
    api_view(
        "/api/v1/indicator/{indicator}",
        Page::Indicator,
        &["gebied"],
        "One indicator: definition, ranking, series",
    ),
    api_view("/api/v1/downloads", Page::Downloads, NONE, "The downloads and what they hold"),
    api_view("/api/v1/over", Page::About, NONE, "Sources, method, data versions"),
    api_view("/api/v1/effectmeting", Page::Method, NONE, "How effects are measured; the pooled effect per indicator"),
    api_view(
        "/api/v1/gebied/{area}/effect/{indicator}",
        Page::Effect,
        NONE,
        "The effect of the programme on one indicator in one area: both estimators, event study, comparison group",
    ),
    public("/downloads/wijkmonitor.csv", Page::FullCsv, NONE, Some("Every published figure as one long CSV")),
    public("/downloads/wijkmonitor.xlsx", Page::Xlsx, NONE, None),
    public("/static/style.css", Page::Style, &["v"], None),
    public("/rapport/{file}", Page::Report, NONE, None),
    RouteDef { json_only: true, ..public("/api/openapi.json", Page::OpenApi, NONE, Some("This document")) },
    RouteDef {
        json_only: true,
        ..public("/healthz", Page::Health, NONE, Some("Health: process, database, snapshot age"))
    },
    RouteDef { json_only: true, ..public("/readyz", Page::Ready, NONE, Some("Readiness: serving a loaded snapshot")) },
    public("/metrics", Page::Metrics, NONE, None),
    // Signing in and out.
    RouteDef {
        params: &["next", "verlopen"],
        ..work(Verb::Get, "/aanmelden", Page::SignInPage, Body::None, Needs::Nothing)
    },
    work(Verb::Post, "/aanmelden", Page::SignIn, Body::Form, Needs::Nothing),
    work(Verb::Post, "/afmelden", Page::SignOut, Body::Form, Needs::Nothing),
    // The workspace's pages and forms.
    work_page("/werk", Page::Home, &["bericht"], Needs::Workspace),
    work_page("/werk/account", Page::Account, &["bericht"], Needs::Workspace),
    work(Verb::Post, "/werk/account/wachtwoord", Page::ChangePassword, Body::Form, Needs::Workspace),
    work(Verb::Post, "/werk/account/tokens/{token}/intrekken", Page::RevokeToken, Body::Form, Needs::Workspace),
    work(Verb::Post, "/werk/uitvraag", Page::OpenRound, Body::Form, Needs::OpenRound),
    work_page("/werk/uitvraag/{year}", Page::Round, &["bericht"], Needs::ReadAllStatuses),
    work(Verb::Post, "/werk/uitvraag/{year}/publiceren", Page::Publish, Body::Form, Needs::Publish),
    work_page("/werk/uitvraag/{year}/{area}", Page::Request, &["bericht"], Needs::ReadRequest),
    work(Verb::Post, "/werk/uitvraag/{year}/{area}", Page::SaveRequest, Body::Form, Needs::EditRequest),
    work(Verb::Post, "/werk/uitvraag/{year}/{area}/beoordeling", Page::Review, Body::Form, Needs::Review),
    work(Verb::Get, "/werk/uitvraag/{year}/{area}/sjabloon.xlsx", Page::Template, Body::None, Needs::ReadRequest),
    work(Verb::Post, "/werk/uitvraag/{year}/{area}/upload", Page::Upload, Body::Multipart, Needs::EditRequest),
    work_page("/werk/register/{area}", Page::Register, &["bericht"], Needs::ReadRegister),
    work(Verb::Post, "/werk/register/{area}", Page::SaveRegisterEntry, Body::Form, Needs::EditRegister),
    work(Verb::Post, "/werk/register/{area}/verwijderen", Page::RemoveRegisterEntry, Body::Form, Needs::EditRegister),
    work_page("/werk/audit", Page::Audit, &["gebied", "jaar"], Needs::ReadAudit),
    RouteDef {
        params: &["gebied", "jaar"],
        ..work(Verb::Get, "/werk/audit.csv", Page::AuditCsv, Body::None, Needs::ReadAudit)
    },
    work_page("/werk/gebruikers", Page::Users, &["bericht"], Needs::ManageUsers),
    work(Verb::Post, "/werk/gebruikers/status", Page::UserStatus, Body::Form, Needs::ManageUsers),
    // The workspace's API (`Authorization: Bearer <token>`): the same actions and view models as the pages.
    work_api(Verb::Get, "/api/v1/ik", Page::Me, Body::None, Needs::Workspace, "Who the token belongs to"),
    work_api(
        Verb::Get,
        "/api/v1/account",
        Page::Account,
        Body::None,
        Needs::Workspace,
        "The caller's account: API tokens with their last use, sign-in history",
    ),
    work_api(Verb::Get, "/api/v1/uitvraag", Page::Rounds, Body::None, Needs::Workspace, "The request rounds"),
    work_api(Verb::Post, "/api/v1/uitvraag", Page::OpenRound, Body::Json, Needs::OpenRound, "Open a request round"),
    work_api(
        Verb::Get,
        "/api/v1/uitvraag/{year}",
        Page::Round,
        Body::None,
        Needs::ReadAllStatuses,
        "The status of every area in a round",
    ),
    work_api(
        Verb::Post,
        "/api/v1/uitvraag/{year}/publiceren",
        Page::Publish,
        Body::None,
        Needs::Publish,
        "Publish the accepted figures of a round",
    ),
    work_api(
        Verb::Get,
        "/api/v1/uitvraag/{year}/{area}",
        Page::Request,
        Body::None,
        Needs::ReadRequest,
        "An area's request: items, answers, status",
    ),
    work_api(
        Verb::Put,
        "/api/v1/uitvraag/{year}/{area}",
        Page::PutRequest,
        Body::Json,
        Needs::EditRequest,
        "Save (or submit) answers; only the items sent change",
    ),
    work_api(
        Verb::Post,
        "/api/v1/uitvraag/{year}/{area}/beoordeling",
        Page::Review,
        Body::Json,
        Needs::Review,
        "Accept, return or reopen a submission",
    ),
    work_api(
        Verb::Get,
        "/api/v1/register/{area}",
        Page::Register,
        Body::None,
        Needs::ReadRegister,
        "An area's programme register with progress",
    ),
    work_api(
        Verb::Put,
        "/api/v1/register/{area}",
        Page::SaveRegisterEntry,
        Body::Json,
        Needs::EditRegister,
        "Add or change one register entry",
    ),
    RouteDef {
        params: &["gebied", "jaar"],
        ..work_api(
            Verb::Get,
            "/api/v1/audit",
            Page::Audit,
            Body::None,
            Needs::ReadAudit,
            "The audit log (filter by gebied and jaar)",
        )
    },
];

/// The parameters captured from a path.
pub type PathParams = BTreeMap<&'static str, String>;

/// The format a twin asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Representation {
    Html,
    Json,
    Csv,
}

impl Representation {
    pub fn parse(text: &str) -> Option<Representation> {
        match text {
            "html" => Some(Representation::Html),
            "json" => Some(Representation::Json),
            "csv" => Some(Representation::Csv),
            _ => None,
        }
    }
}

/// A request matched against the table.
#[derive(Debug, Clone)]
pub struct Matched {
    pub route: &'static RouteDef,
    pub params: PathParams,
    /// The twin the path's suffix asks for (`.json`, `.csv`), if any.
    pub suffix: Option<Representation>,
}

/// Why a request matched no entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    NotFound,
    /// The path exists with these methods.
    MethodNotAllowed(Vec<Verb>),
}

fn match_pattern(pattern: &str, path: &str) -> Option<PathParams> {
    let pattern = pattern.trim_start_matches('/');
    let path = path.trim_start_matches('/');
    let (mut pat, mut seg) = (pattern.split('/'), path.split('/'));
    let mut params = PathParams::new();
    loop {
        match (pat.next(), seg.next()) {
            (None, None) => return Some(params),
            (Some(p), Some(s)) => {
                if let Some(name) = p.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
                    if s.is_empty() {
                        return None;
                    }
                    // The names are the table's own literals; find the 'static one.
                    let key = ROUTE_PARAM_NAMES.iter().copied().find(|k| *k == name)?;
                    params.insert(key, s.to_string());
                } else if p != s {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

/// Every `{name}` the table uses.
const ROUTE_PARAM_NAMES: [&str; 6] = ["line", "area", "indicator", "file", "year", "token"];

/// Splits a twin suffix off a path.
fn split_suffix(path: &str) -> (&str, Option<Representation>) {
    for (ext, r) in [(".json", Representation::Json), (".csv", Representation::Csv)] {
        if let Some(base) = path.strip_suffix(ext) {
            return (base, Some(r));
        }
    }
    (path, None)
}

/// Finds the entry for a method and path. A trailing slash is ignored; a twin suffix is honoured only on
/// routes with twins (and `.csv` only on public ones).
pub fn find(verb: Verb, path: &str) -> Result<Matched, Miss> {
    let path = if path.len() > 1 { path.trim_end_matches('/') } else { path };
    // `/.json` is the overview's twin as well as `/index.json`.
    let (base, suffix) = split_suffix(path);
    let base = if base.is_empty() { "/" } else { base };
    let mut allowed = Vec::new();
    for route in ROUTES {
        // On a route with twins a suffix names the twin; elsewhere it is part of the path (`/werk/audit.csv`).
        // A JSON-only route takes `.json` too (and refuses `.csv`); a pattern may also end in a suffix itself
        // (`/api/openapi.json`).
        let twin = if (route.twins || route.json_only) && suffix.is_some() {
            match_pattern(route.pattern, base)
        } else {
            None
        };
        let (params, suffix) = match twin {
            Some(params) => {
                if suffix == Some(Representation::Csv) && (route.side != Side::Public || route.json_only) {
                    continue;
                }
                (params, suffix)
            }
            None => match match_pattern(route.pattern, path) {
                Some(params) => (params, None),
                None => continue,
            },
        };
        if route.verb == verb {
            return Ok(Matched { route, params, suffix });
        }
        if !allowed.contains(&route.verb) {
            allowed.push(route.verb);
        }
    }
    if allowed.is_empty() {
        Err(Miss::NotFound)
    } else {
        Err(Miss::MethodNotAllowed(allowed))
    }
}

/// Checks a query against a route: every parameter must be one the route takes (or `lang`). Returns the pairs.
pub fn check_query(route: &RouteDef, pairs: &[(String, String)]) -> Result<(), String> {
    for (key, _) in pairs {
        if key != "lang" && !route.params.contains(&key.as_str()) {
            let takes: Vec<&str> = std::iter::once("lang").chain(route.params.iter().copied()).collect();
            return Err(format!(
                "unknown parameter '{}' for {}; it takes: {}",
                wijkmonitor_model::error::excerpt(key),
                route.pattern,
                takes.join(", ")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_one_entry() {
        let m = find(Verb::Get, "/gebied/den-haag-zuidwest.json").unwrap();
        assert_eq!(
            (m.route.page, m.params["area"].as_str(), m.suffix),
            (Page::Area, "den-haag-zuidwest", Some(Representation::Json))
        );
        assert_eq!(find(Verb::Get, "/").unwrap().route.page, Page::Overview);
        assert_eq!(find(Verb::Get, "/.json").unwrap().suffix, Some(Representation::Json));
        assert_eq!(find(Verb::Get, "/gebied/").unwrap_err(), Miss::NotFound);
        assert_eq!(find(Verb::Get, "/gebied/a/b").unwrap_err(), Miss::NotFound);
        assert_eq!(find(Verb::Post, "/gebied/a").unwrap_err(), Miss::MethodNotAllowed(vec![Verb::Get]));
        assert_eq!(
            find(Verb::Get, "/werk/uitvraag/2025/x/upload").unwrap_err(),
            Miss::MethodNotAllowed(vec![Verb::Post])
        );
        let m = find(Verb::Put, "/api/v1/uitvraag/2025/heerlen-noord").unwrap();
        assert_eq!((m.route.page, m.params["year"].as_str()), (Page::PutRequest, "2025"));
        assert_eq!(find(Verb::Get, "/werk/uitvraag/2025/x.json").unwrap().suffix, Some(Representation::Json));
        assert!(find(Verb::Get, "/werk/uitvraag/2025/x.csv").is_err(), "no CSV twins of the workspace");
        assert_eq!(find(Verb::Get, "/api/v1/gebied/x.csv").unwrap_err(), Miss::NotFound);
        assert_eq!(find(Verb::Get, "/api/v1/gebied/x.json").unwrap().params["area"], "x");
        assert_eq!(find(Verb::Get, "/werk/audit.csv").unwrap().route.page, Page::AuditCsv);
    }

    #[test]
    fn every_pattern_is_reachable_and_its_names_are_known() {
        for (i, route) in ROUTES.iter().enumerate() {
            for seg in route.pattern.split('/') {
                if let Some(name) = seg.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
                    assert!(ROUTE_PARAM_NAMES.contains(&name), "{}: unknown parameter {name}", route.pattern);
                }
            }
            let path = route.pattern.replace("{year}", "2025").replace(['{', '}'], "");
            let m =
                find(route.verb, &path).unwrap_or_else(|e| panic!("{} {}: {e:?}", route.verb.as_str(), route.pattern));
            assert!(
                std::ptr::eq(m.route, &ROUTES[i]),
                "{} {} is shadowed by {}",
                route.verb.as_str(),
                route.pattern,
                m.route.pattern
            );
        }
    }

    #[test]
    fn unknown_parameters_are_refused() {
        let m = find(Verb::Get, "/indicator/x").unwrap();
        let q = |k: &str| vec![(k.to_string(), "v".to_string())];
        assert!(check_query(m.route, &q("gebied")).is_ok());
        assert!(check_query(m.route, &q("lang")).is_ok());
        let e = check_query(m.route, &q("gebiedx")).unwrap_err();
        assert!(e.contains("gebiedx") && e.contains("lang, format, gebied"), "{e}");
    }
}
