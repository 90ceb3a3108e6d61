//! The audit log (analysts): every change with who, when, what, the old and the new value, filtered by area and
//! year; also as CSV.

use super::{csv_safe, Ctx, WorkView};
use crate::error::Problem;
use crate::i18n::Lang;
use crate::work::{actions, WorkResponse};
use axum::http::{header, StatusCode};
use maud::{html, Markup};
use serde::Serialize;
use wijkmonitor_store::audit::AuditEntry;

#[derive(Serialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
}

pub fn build(ctx: &Ctx<'_>) -> Result<AuditPage, Problem> {
    Ok(AuditPage { entries: actions::audit_log(ctx.work, &ctx.session.principal, ctx.req)? })
}

impl WorkView for AuditPage {
    fn title(&self, lang: Lang) -> String {
        lang.t("Auditlog", "Audit log").to_string()
    }

    fn html(&self, ctx: &Ctx<'_>) -> Markup {
        let lang = ctx.lang;
        let query = ctx.req.query.split('&').filter(|p| !p.starts_with("lang=")).collect::<Vec<_>>().join("&");
        let csv = if query.is_empty() { "/werk/audit.csv".to_string() } else { format!("/werk/audit.csv?{query}") };
        html! {
            h1 { (lang.t("Auditlog", "Audit log")) }
            p class="lead" { (lang.t("Elke wijziging: wie, wanneer, wat, de oude en de nieuwe waarde. Het log kan alleen groeien; elke regel bevat de vingerafdruk van de vorige, zodat een wijziging buiten wijkmonitor om opvalt (wijkmonitor audit verify).",
                "Every change: who, when, what, the old and the new value. The log can only grow; every row carries the fingerprint of the one before it, so a change made outside wijkmonitor shows (wijkmonitor audit verify).")) }
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
                        @for e in &self.entries {
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
        }
    }
}

/// The audit log as CSV (formula-safe cells).
pub fn csv(ctx: &Ctx<'_>) -> Result<WorkResponse, Problem> {
    let log = actions::audit_log(ctx.work, &ctx.session.principal, ctx.req)?;
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
