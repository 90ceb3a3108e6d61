//! The OpenAPI 3.1 document of the JSON API, served at `/api/openapi.json`. Its paths are generated from the
//! route table ([`crate::routes::ROUTES`]): every route with an API summary, and the JSON twin of every public
//! page, is described, so the document cannot miss a route; the operations' details (parameters, bodies,
//! schemas) are written here by page. A test compares the document with `docs/openapi.json` (regenerate with
//! `UPDATE_SNAPSHOTS=1`), so a change to the contract shows up in review.

use crate::routes::{Page, RouteDef, Side, ROUTES};
use serde_json::{json, Value};

fn page(summary: &str, description: &str, schema: &str, params: Vec<Value>) -> Value {
    json!({
        "get": {
            "summary": summary,
            "description": description,
            "parameters": params,
            "responses": {
                "200": {
                    "description": "The page's view model (JSON) or its figures in long format (CSV).",
                    "headers": {
                        "ETag": { "schema": { "type": "string" }, "description": "Compute run id and content hash." },
                        "Cache-Control": { "schema": { "type": "string" } },
                        "Access-Control-Allow-Origin": { "schema": { "type": "string", "const": "*" } }
                    },
                    "content": {
                        "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } },
                        "text/csv": { "schema": { "type": "string" } }
                    }
                },
                "304": { "description": "Not modified (If-None-Match matched the ETag)." },
                "400": { "$ref": "#/components/responses/Error" },
                "404": { "$ref": "#/components/responses/Error" }
            }
        }
    })
}

fn path_param(name: &str, description: &str, values: Option<Vec<&str>>) -> Value {
    let mut schema = json!({ "type": "string" });
    if let Some(values) = values {
        schema["enum"] = json!(values);
    }
    json!({ "name": name, "in": "path", "required": true, "description": description, "schema": schema })
}

fn query_params(extra: Vec<Value>) -> Vec<Value> {
    let mut params = vec![
        json!({ "name": "format", "in": "query", "required": false,
                "description": "Alternative to the .json/.csv suffix.",
                "schema": { "type": "string", "enum": ["html", "json", "csv"] } }),
        json!({ "name": "lang", "in": "query", "required": false,
                "description": "Language of the HTML page (JSON carries both languages).",
                "schema": { "type": "string", "enum": ["nl", "en"] } }),
    ];
    params.extend(extra);
    params
}

fn with(mut params: Vec<Value>, more: Vec<Value>) -> Vec<Value> {
    params.extend(more);
    params
}

/// An operation of the signed-in API: bearer token (or session cookie with CSRF token), JSON in and out.
fn secured(summary: &str, description: &str, params: Vec<Value>, body: Option<&str>, ok: &str) -> Value {
    let mut op = json!({
        "summary": summary,
        "description": description,
        "security": [{ "bearer": [] }, { "session": [] }],
        "parameters": params,
        "responses": {
            "200": { "description": ok, "content": { "application/json": { "schema": { "type": "object" } } } },
            "401": { "$ref": "#/components/responses/Error" },
            "403": { "$ref": "#/components/responses/Error" },
            "404": { "$ref": "#/components/responses/Error" },
            "409": { "$ref": "#/components/responses/Error" },
            "422": { "$ref": "#/components/responses/Error" }
        }
    });
    if let Some(schema) = body {
        op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } });
    }
    op
}

fn year() -> Value {
    json!({ "name": "year", "in": "path", "required": true, "description": "The year the figures are about (the round).", "schema": { "type": "integer" } })
}

fn area_id() -> Value {
    path_param("area_id", "The area id, e.g. heerlen-noord. Area editors only reach their own areas.", None)
}

fn gebied_jaar() -> Vec<Value> {
    vec![
        json!({ "name": "gebied", "in": "query", "required": false, "schema": { "type": "string" } }),
        json!({ "name": "jaar", "in": "query", "required": false, "schema": { "type": "integer" } }),
    ]
}

/// The path of a route in the document: `{area}` becomes `{area_id}` and so on; a public page is documented by
/// its JSON twin.
pub fn doc_path(route: &RouteDef) -> String {
    let mut path = route
        .pattern
        .replace("{area}", "{area_id}")
        .replace("{indicator}", "{indicator_id}")
        .replace("{line}", "{action_line}")
        .replace("{file}", "{report}")
        .replace("{token}", "{token_id}");
    if route.twins && route.side == Side::Public {
        if path == "/" || path == "/index" {
            return "/index.json".into();
        }
        path.push_str(".json");
    }
    path
}

/// Whether the document describes a route: the public pages (by their twins) and everything with an API summary.
pub fn documented(route: &RouteDef) -> bool {
    (route.twins && route.side == Side::Public && route.pattern != "/") || route.api.is_some()
}

/// The operation of a documented route.
fn operation(route: &RouteDef) -> Value {
    let area_ids = "The area id, e.g. den-haag-zuidwest.";
    let summary = route.api.unwrap_or("");
    let gebied = || json!({ "name": "gebied", "in": "query", "required": false, "description": area_ids, "schema": { "type": "string" } });
    let lines = || Some(vec!["integral", "physical", "participation", "safety"]);
    let api_page = route.json_only && route.side == Side::Public;
    let params = |extra: Vec<Value>| if api_page { extra } else { query_params(extra) };
    match route.page {
        Page::Overview => page("Overview", "Headline indicators for all focus areas together and the Netherlands, the areas and the action lines. Also at /.json and /api/v1.", "OverviewPage", params(vec![])),
        Page::ActionLine => page("Action line", "The indicators of one action line for all areas, all areas together and the Netherlands, latest year.", "ActionLinePage",
            with(vec![path_param("action_line", "The action line.", lines())], params(vec![]))),
        Page::Area => page("Area", "Every indicator of one focus area with its series, comparisons, suppressions and delineation.", "AreaPage",
            with(vec![path_param("area_id", area_ids, None)], params(vec![]))),
        Page::Indicator => page("Indicator", "Definition, ranking of the areas, time series; buurt figures of one area with ?gebied= when boundary files are loaded.", "IndicatorPage",
            with(vec![path_param("indicator_id", "The indicator id from the catalogue, e.g. net_labour_participation.", None)], params(vec![gebied()]))),
        Page::Downloads => page("Downloads", "The downloadable files. The CSV twin (/downloads.csv) is the full CSV of everything published.", "DownloadsPage", params(vec![])),
        Page::About => page("About", "Sources, disclosure rules, imports and versions. The CSV twin lists the imports.", "AboutPage", params(vec![])),
        Page::Method => page("Measuring effect", "How the effect of the programme is measured (matched difference-in-differences and synthetic difference-in-differences, placebo-calibrated), the parameters in use, the pooled effect per indicator and how the areas' analyses ended. The CSV twin has every area's effect per indicator and estimator: area, indicator, estimator, start, estimate, lower, upper, p_value, pre_trend_ok, verdict, reason, combined_verdict, years_before, years_after.", "MethodPage", params(vec![])),
        Page::Effect => page("Effect in an area", "The effect of the programme on one indicator in one area: the verdict in one sentence (Dutch and English), both estimators with placebo-calibrated intervals and p-values, the pre-trend check, per year the area, its counterfactuals, the event-study coefficient and the placebo range, the comparison buurten with their weights and the balance before and after matching. Status secret (and nothing else) when disclosure control withholds it. The CSV twin is the table per year.", "EffectPage",
            with(vec![path_param("area_id", area_ids, None), path_param("indicator_id", "An effect indicator, e.g. lbm_score.", None)], params(vec![]))),
        Page::FullCsv => json!({ "get": { "summary": "All published figures (long CSV)", "responses": { "200": { "description": "CSV", "content": { "text/csv": { "schema": { "type": "string" } } } } } } }),
        Page::OpenApi => json!({ "get": { "summary": "This document", "responses": { "200": { "description": "OpenAPI 3.1", "content": { "application/json": { "schema": { "type": "object" } } } } } } }),
        Page::Health | Page::Ready => json!({ "get": { "summary": summary, "description": "`status` ok or unavailable; `database` readable, busy, unreadable or none (a public-only server); the compute run served and its age in seconds. 503 when not ok.",
            "responses": { "200": { "description": "Healthy", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" } } } }, "503": { "description": "Not healthy (or, for readiness, no computed figures loaded)." } } } }),
        Page::Me => json!({ "get": secured("Who am I", "The account of the token: email, role and areas.", vec![], None, "The account.") }),
        Page::Account => json!({ "get": secured("Your account", "The caller's account: email, role, areas, API tokens (id, label, created, last use, revoked; never the token) and the sign-in history of the last 90 days.", vec![], None, "The account.") }),
        Page::Rounds => json!({ "get": secured("Request rounds", "All rounds with their window and items.", vec![], None, "The rounds.") }),
        Page::OpenRound => json!({ "post": secured("Open a round", "Analysts: open the round of a year; the window defaults to 15 April - 15 June of the next year.", vec![], Some("RoundBody"), "The round.") }),
        Page::Round => json!({ "get": secured("Status of all areas", "Analysts: the status of every area in the round (not_started, draft, submitted, returned, accepted).", vec![year()], None, "The statuses.") }),
        Page::Publish => json!({ "post": secured("Publish", "Analysts: publish the figures of the round's accepted submissions and recompute the dashboard; if recomputing fails, nothing is published.", vec![year()], None, "`published_areas`: how many areas' figures were published.") }),
        Page::Request => json!({ "get": secured("An area's request", "Items (with unit, range, part-of), answers, last year's answers, status, comment and whether it can be changed now. Also the JSON twin of /werk/uitvraag/{year}/{area_id}.", vec![year(), area_id()], None, "The request.") }),
        Page::PutRequest => json!({ "put": secured("Save or submit answers", "Area editors: save a draft (or submit with `submit: true`). The answers sent replace those items only; an item sent with an empty value and explanation is cleared. At most 200 answers in one request. Validated as the form is; 422 lists up to 50 fields with their code and message (`omitted_fields` counts the rest); nothing is saved then. 409 after the deadline or once submitted.", vec![year(), area_id()], Some("SaveBody"), "The new status and how many answers changed.") }),
        Page::Review => json!({ "post": secured("Review", "Analysts: accept or return (with a comment) a submitted request, or reopen it after the deadline. Accepted figures are recorded unpublished.", vec![year(), area_id()], Some("ReviewBody"), "The new status.") }),
        Page::Register => json!({ "get": secured("Programme register", "The area's register entries (Woontop, Realisatiestimulans, VHF, SPUK, Wbmgp) with source and synthetic flag, and the progress that follows from the scheme rules.", vec![area_id()], None, "The register.") }),
        Page::SaveRegisterEntry => json!({ "put": secured("Change the register", "Analysts: add or change one entry (or remove it with `remove: true`). The area's whole register must still follow the scheme rules, or nothing changes (400). Every changed figure is written to the audit log; the figures reach the dashboard at the next publication.", vec![area_id()], Some("RegisterEntry"), "`entries`: the area's entries in that year afterwards.") }),
        Page::Audit => json!({ "get": secured("Audit log", "Analysts: every change (who, when, what, old and new value), each row chained to the one before it by its hash; filter with gebied and jaar. Also as CSV at /werk/audit.csv.", gebied_jaar(), None, "The entries.") }),
        other => json!({ "get": { "summary": format!("{other:?}") } }),
    }
}

/// The document.
pub fn document() -> Value {
    let fig = json!({
        "type": "object",
        "description": "A computed figure after disclosure control. `value` is null unless status is final or provisional.",
        "required": ["value", "status", "coverage"],
        "properties": {
            "value": { "type": ["number", "null"] },
            "status": { "type": "string", "enum": ["final", "provisional", "missing", "secret", "not_yet_published"] },
            "reason": { "type": "string", "description": "Why there is no number, or what was done (e.g. base_below_threshold, suppressed, low_coverage, partial_coverage; small values and the figures suppressed to protect them all read suppressed)." },
            "coverage": { "type": "number", "minimum": 0, "maximum": 1 }
        }
    });
    let meta = json!({
        "type": "object",
        "required": ["api_version", "page", "path", "title_nl", "title_en", "synthetic", "delineation", "attribution"],
        "properties": {
            "api_version": { "type": "string", "const": "1" },
            "page": { "type": "string", "enum": ["overview", "action_line", "area", "indicator", "downloads", "about", "effect", "method"] },
            "path": { "type": "string" },
            "title_nl": { "type": "string" },
            "title_en": { "type": "string" },
            "synthetic": { "type": "boolean", "description": "True when the figures are synthetic demo data." },
            "demo": { "type": ["string", "null"] },
            "delineation": { "type": "object", "properties": { "source": { "type": "string" }, "indicative": { "type": "boolean" } } },
            "compute_run": { "type": ["object", "null"], "properties": {
                "id": { "type": "integer" }, "computed_at": { "type": "string" }, "parameters_sha256": { "type": "string" },
                "imports": { "type": "array", "items": { "type": "integer" } }, "n_figures": { "type": "integer" } } },
            "attribution": { "type": "array", "items": { "type": "string" } }
        }
    });
    let import = json!({
        "type": "object",
        "properties": {
            "id": { "type": "integer" }, "source_name": { "type": "string" }, "sha256": { "type": "string" },
            "format": { "type": "string" }, "source_table": { "type": ["string", "null"] }, "source_title": { "type": ["string", "null"] },
            "classification_year": { "type": ["integer", "null"] }, "imported_at": { "type": "string" }, "synthetic": { "type": "boolean" }
        }
    });
    let provenance = json!({
        "type": "object",
        "description": "Which imports each indicator and period was computed from.",
        "properties": {
            "compute_run": { "type": ["integer", "null"] },
            "sources": { "type": "object", "additionalProperties": { "type": "object", "additionalProperties": { "type": "array", "items": { "type": "integer" } } } },
            "imports": { "type": "array", "items": { "$ref": "#/components/schemas/Import" } }
        }
    });
    let indicator_ref = json!({
        "type": "object",
        "properties": {
            "id": { "type": "string" }, "name_nl": { "type": "string" }, "name_en": { "type": "string" }, "unit": { "type": "string" },
            "decimals": { "type": "integer" }, "direction": { "type": "string", "enum": ["higher_is_better", "lower_is_better", "neutral"] },
            "action_line": { "type": "string", "enum": ["integral", "physical", "participation", "safety"] },
            "tier": { "type": "string", "enum": ["input", "realisation", "effect", "context", "process"] },
            "headline": { "type": "boolean" }, "supplied_by": { "type": "string", "enum": ["national", "area", "register"] }
        }
    });
    let page_schema = |required: Vec<&str>, extra: Value| -> Value {
        let mut properties = json!({ "meta": { "$ref": "#/components/schemas/Meta" } });
        if let (Some(p), Some(e)) = (properties.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                p.insert(k.clone(), v.clone());
            }
        }
        let mut req = vec!["meta"];
        req.extend(required);
        json!({ "type": "object", "required": req, "properties": properties })
    };
    let fig_ref = json!({ "$ref": "#/components/schemas/Figure" });
    let nullable_fig = json!({ "oneOf": [{ "$ref": "#/components/schemas/Figure" }, { "type": "null" }] });
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "wijkmonitor API",
            "version": "1",
            "description": "The JSON and CSV twins of the wijkmonitor dashboard: every page at the same URL with .json or .csv (or ?format=), and under /api/v1/ as JSON. Only figures that passed disclosure control are served. Errors: {\"error\": {\"status\", \"code\", \"message\"}}. Sources: Bron: CBS (CC BY 4.0); Leefbaarometer 3.0, Ministerie van BZK; Politie.",
            "license": { "name": "EUPL-1.2", "identifier": "EUPL-1.2" }
        },
        "paths": {
            "/downloads/wijkmonitor.xlsx": { "get": { "summary": "All published figures (Excel)", "responses": { "200": { "description": "Excel workbook", "content": { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { "schema": { "type": "string", "contentEncoding": "binary" } } } } } } },
            "/rapport/{report}": { "get": {
                "summary": "A report: the analysis report of an area or the national progress report",
                "description": "`{area_id}-{year}.pdf`, `{area_id}-{year}.html`, `nationaal-{year}.pdf` or `nationaal-{year}.html`; the language follows `lang`. Only disclosure-controlled figures.",
                "parameters": [
                    { "name": "report", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^[a-z0-9-]+-[0-9]{4}\\.(pdf|html)$" } },
                    { "name": "lang", "in": "query", "required": false, "schema": { "type": "string", "enum": ["nl", "en"] } }
                ],
                "responses": {
                    "200": { "description": "The report", "content": { "application/pdf": { "schema": { "type": "string", "contentEncoding": "binary" } }, "text/html": { "schema": { "type": "string" } } } },
                    "404": { "$ref": "#/components/responses/Error" }
                }
            } }
        },
        "components": {
            "responses": {
                "Error": { "description": "An error.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            },
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "A personal API token from `wijkmonitor token create --email E`." },
                "session": { "type": "apiKey", "in": "cookie", "name": "wm_session", "description": "The browser session after signing in at /aanmelden; state-changing requests also need the X-CSRF-Token header." }
            },
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "object", "required": ["status", "code", "message"], "properties": {
                    "status": { "type": "integer" }, "code": { "type": "string", "enum": ["bad_request", "not_found", "method_not_allowed", "internal_error", "unauthorized", "forbidden", "refused", "invalid", "invalid_upload", "too_many_requests", "too_large", "timeout", "busy"] }, "message": { "type": "string" },
                    "request_id": { "type": "string", "description": "The id of the request, also in the server's log and the X-Request-Id header." },
                    "omitted_fields": { "type": "integer", "description": "With code invalid: how many more fields were refused than are listed (at most 50 are)." },
                    "fields": { "type": "array", "description": "With code invalid: one entry per field.", "items": { "type": "object", "properties": { "item": { "type": "string" }, "code": { "type": "string" }, "message_nl": { "type": "string" }, "message_en": { "type": "string" } } } },
                    "cells": { "type": "array", "description": "With code invalid_upload: the spreadsheet cells.", "items": { "type": "object" } } } } } },
                "SaveBody": { "type": "object", "required": ["answers"], "properties": {
                    "answers": { "type": "object", "description": "By item (indicator id): the answer as typed and an optional explanation.", "additionalProperties": { "type": "object", "properties": { "value": { "type": "string" }, "explanation": { "type": "string" } } } },
                    "submit": { "type": "boolean", "default": false } } },
                "ReviewBody": { "type": "object", "required": ["action"], "properties": {
                    "action": { "type": "string", "enum": ["accept", "return", "reopen"] }, "comment": { "type": "string" } } },
                "RoundBody": { "type": "object", "required": ["year"], "properties": {
                    "year": { "type": "integer" }, "opens": { "type": "string", "format": "date" }, "closes": { "type": "string", "format": "date" },
                    "items": { "type": "array", "items": { "type": "string" }, "description": "The request items (indicator ids) of the round; all when not given. A part needs its total." } } },
                "RegisterEntry": { "type": "object", "required": ["scheme", "year", "instance", "item"], "properties": {
                    "scheme": { "type": "string", "enum": ["woontop", "realisatiestimulans", "vhf", "spuk", "wbmgp"] },
                    "year": { "type": ["integer", "string"] }, "instance": { "type": "string" }, "item": { "type": "string" },
                    "value": { "type": ["number", "string"] }, "source": { "type": "string" }, "synthetic": { "type": "boolean" },
                    "remove": { "type": "boolean", "default": false } } },
                "Health": { "type": "object", "properties": {
                    "status": { "type": "string", "enum": ["ok", "unavailable"] },
                    "database": { "type": "string", "enum": ["readable", "busy", "unreadable", "none"] },
                    "compute_run": { "type": ["integer", "null"] }, "computed_at": { "type": ["string", "null"] },
                    "snapshot_age_seconds": { "type": ["number", "null"] } } },
                "Figure": fig,
                "Meta": meta,
                "Import": import,
                "Provenance": provenance,
                "IndicatorRef": indicator_ref,
                "OverviewPage": page_schema(vec!["areas", "headline", "action_lines", "provenance"], json!({
                    "areas": { "type": "array", "items": { "type": "object" } },
                    "headline": { "type": "array", "items": { "type": "object", "properties": {
                        "indicator": { "$ref": "#/components/schemas/IndicatorRef" },
                        "all_areas": { "type": "array", "items": { "type": "object" } },
                        "netherlands": { "type": "array", "items": { "type": "object" } } } } },
                    "action_lines": { "type": "array", "items": { "type": "object" } },
                    "provenance": { "$ref": "#/components/schemas/Provenance" }
                })),
                "ActionLinePage": page_schema(vec!["action_line", "indicators", "areas", "provenance"], json!({
                    "action_line": { "type": "string" },
                    "indicators": { "type": "array", "items": { "type": "object", "properties": {
                        "indicator": { "$ref": "#/components/schemas/IndicatorRef" }, "period": { "type": ["string", "null"] },
                        "all_areas": nullable_fig, "netherlands": nullable_fig } } },
                    "indicators_without_figures": { "type": "array", "items": { "$ref": "#/components/schemas/IndicatorRef" } },
                    "areas": { "type": "array", "items": { "type": "object", "properties": {
                        "id": { "type": "string" }, "name": { "type": "string" }, "figures": { "type": "array", "items": nullable_fig } } } },
                    "provenance": { "$ref": "#/components/schemas/Provenance" }
                })),
                "AreaPage": page_schema(vec!["area", "action_lines", "suppressed", "provenance"], json!({
                    "area": { "type": "object", "description": "Id, name, municipality, delineation (buurten, indicative) and unmatched buurten." },
                    "action_lines": { "type": "array", "items": { "type": "object", "properties": {
                        "id": { "type": "string" }, "tiers": { "type": "array", "items": { "type": "object", "properties": {
                            "tier": { "type": "string" },
                            "indicators": { "type": "array", "items": { "type": "object", "properties": {
                                "indicator": { "$ref": "#/components/schemas/IndicatorRef" },
                                "period": { "type": ["string", "null"] },
                                "figure": nullable_fig,
                                "comparison": { "type": ["object", "null"] },
                                "series": { "type": "array", "items": { "type": "object" } } } } } } } } } } },
                    "suppressed": { "type": "array", "items": { "type": "object", "properties": {
                        "status": { "type": "string" }, "reason": { "type": "string" }, "count": { "type": "integer" } } } },
                    "provenance": { "$ref": "#/components/schemas/Provenance" }
                })),
                "IndicatorPage": page_schema(vec!["indicator", "ranking", "series", "provenance"], json!({
                    "indicator": { "type": "object", "description": "IndicatorRef plus definition, source, aggregation and disclosure rule." },
                    "period": { "type": ["string", "null"] },
                    "netherlands": nullable_fig,
                    "all_areas": nullable_fig,
                    "ranking": { "type": "array", "items": { "type": "object", "properties": {
                        "rank": { "type": ["integer", "null"] }, "id": { "type": "string" }, "name": { "type": "string" }, "figure": nullable_fig } } },
                    "series": { "type": "array", "items": { "type": "object" } },
                    "selected_area": { "type": ["string", "null"] },
                    "buurten": { "type": ["array", "null"], "items": { "type": "object", "properties": { "code": { "type": "string" }, "name": { "type": "string" }, "figure": fig_ref } } },
                    "provenance": { "$ref": "#/components/schemas/Provenance" }
                })),
                "Estimate": { "type": "object", "description": "One estimator's effect: the average over the years from the start, in the indicator's unit. lower, upper and p_value are null when the placebos do not bound them.", "properties": {
                    "estimator": { "type": "string", "enum": ["did", "sdid"] }, "estimate": { "type": "number" },
                    "lower": { "type": ["number", "null"] }, "upper": { "type": ["number", "null"] }, "p_value": { "type": ["number", "null"] },
                    "verdict": { "type": "string", "enum": ["increase", "decrease", "no_effect"] },
                    "reason": { "type": ["string", "null"], "enum": ["too_few_years_after", "too_few_years_before", "too_few_comparisons", "pre_trends", "too_noisy", "estimators_disagree", null] } } },
                "EffectSummary": { "type": "object", "description": "An area's effect on one indicator as the area and indicator pages list it.", "properties": {
                    "indicator": { "$ref": "#/components/schemas/IndicatorRef" }, "status": { "type": "string", "enum": ["final", "secret"] },
                    "verdict": { "type": "string" }, "reason": { "type": ["string", "null"] }, "better": { "type": ["boolean", "null"] },
                    "sentence_nl": { "type": "string" }, "sentence_en": { "type": "string" },
                    "estimates": { "type": "array", "items": { "$ref": "#/components/schemas/Estimate" } }, "href": { "type": "string" } } },
                "EffectPage": page_schema(vec!["area", "indicator", "status", "verdict", "sentence_nl", "sentence_en"], json!({
                    "area": { "type": "string" }, "area_name": { "type": "string" }, "indicator": { "$ref": "#/components/schemas/IndicatorRef" },
                    "treatment": { "type": "string" }, "status": { "type": "string", "enum": ["final", "secret"] },
                    "sentence_nl": { "type": "string" }, "sentence_en": { "type": "string" },
                    "verdict": { "type": "string", "enum": ["increase", "decrease", "no_effect"] }, "reason": { "type": ["string", "null"] },
                    "start": { "type": ["integer", "null"] },
                    "estimates": { "type": "array", "items": { "$ref": "#/components/schemas/Estimate" } },
                    "disagree": { "type": "boolean" }, "pre_trend_ok": { "type": "boolean" },
                    "pre_trend_statistic": { "type": ["number", "null"] }, "pre_trend_threshold": { "type": ["number", "null"] },
                    "placebos": { "type": "integer" }, "eligible": { "type": "integer" },
                    "years": { "type": "array", "items": { "type": "object", "properties": {
                        "year": { "type": "integer" }, "area": { "type": "number" }, "counterfactual_did": { "type": "number" },
                        "counterfactual_sdid": { "type": ["number", "null"] }, "event_study": { "type": "number" },
                        "placebo_lower": { "type": ["number", "null"] }, "placebo_upper": { "type": ["number", "null"] } } } },
                    "controls": { "type": "array", "items": { "type": "object", "properties": {
                        "code": { "type": "string" }, "name": { "type": "string" }, "did_weight": { "type": "number" }, "sdid_weight": { "type": "number" } } } },
                    "balance": { "type": "array", "items": { "type": "object", "properties": {
                        "feature": { "type": "string" }, "area": { "type": "number" }, "pool_mean": { "type": "number" }, "matched_mean": { "type": "number" },
                        "std_diff_before": { "type": "number" }, "std_diff_after": { "type": "number" } } } }
                })),
                "MethodPage": page_schema(vec!["parameters", "pooled", "verdicts"], json!({
                    "parameters": { "type": "object" },
                    "pooled": { "type": "array", "items": { "type": "object", "properties": {
                        "indicator": { "$ref": "#/components/schemas/IndicatorRef" }, "areas": { "type": "integer" }, "verdict": { "type": "string" },
                        "estimates": { "type": "array", "items": { "$ref": "#/components/schemas/Estimate" } } } } },
                    "verdicts": { "type": "array", "items": { "type": "object", "properties": {
                        "verdict": { "type": "string" }, "reason": { "type": ["string", "null"] }, "count": { "type": "integer" } } } }
                })),
                "DownloadsPage": page_schema(vec!["files"], json!({ "files": { "type": "array", "items": { "type": "object" } } })),
                "AboutPage": page_schema(vec!["sources", "disclosure_rules", "imports"], json!({
                    "sources": { "type": "array", "items": { "type": "object" } },
                    "disclosure_rules": { "type": "array", "items": { "type": "object" } },
                    "imports": { "type": "array", "items": { "$ref": "#/components/schemas/Import" } }
                }))
            }
        }
    });
    if let Some(paths) = doc["paths"].as_object_mut() {
        for route in ROUTES.iter().filter(|r| documented(r)) {
            let item = paths.entry(doc_path(route)).or_insert_with(|| json!({}));
            if let (Some(item), Some(op)) = (item.as_object_mut(), operation(route).as_object()) {
                for (method, body) in op {
                    item.insert(method.clone(), body.clone());
                }
            }
        }
    }
    doc
}
