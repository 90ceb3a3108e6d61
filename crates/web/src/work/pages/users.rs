//! The accounts (administrators): who has which role and areas, enabling and disabling them.

use super::{flash, redirect, Ctx, WorkView};
use crate::error::Problem;
use crate::i18n::Lang;
use crate::work::{forms, WorkResponse};
use maud::{html, Markup};
use serde::Serialize;
use std::collections::BTreeSet;
use wijkmonitor_access::{Principal, Role};

#[derive(Serialize)]
pub struct UserOut {
    pub email: String,
    pub role: String,
    pub areas: BTreeSet<String>,
    pub disabled: bool,
}

#[derive(Serialize)]
pub struct UsersPage {
    pub users: Vec<UserOut>,
}

pub fn build(ctx: &Ctx<'_>) -> Result<UsersPage, Problem> {
    let users = ctx.work.store().users().map_err(Problem::internal)?;
    Ok(UsersPage {
        users: users
            .into_iter()
            .map(|u| UserOut { email: u.email, role: u.role, areas: u.areas, disabled: u.disabled })
            .collect(),
    })
}

impl WorkView for UsersPage {
    fn title(&self, lang: Lang) -> String {
        lang.t("Gebruikers", "Users").to_string()
    }

    fn html(&self, ctx: &Ctx<'_>) -> Markup {
        let lang = ctx.lang;
        html! {
            h1 { (lang.t("Gebruikers", "Users")) }
            (flash(lang, ctx.req))
            p class="lead" { (lang.t("Accounts worden toegevoegd met ", "Accounts are added with ")) code { "wijkmonitor user add" } "." }
            div class="scroll" tabindex="0" role="region" aria-label=(lang.t("Gebruikers", "Users")) {
                table id="users" {
                    thead { tr {
                        th scope="col" { (lang.t("E-mailadres", "Email address")) } th scope="col" { (lang.t("Rol", "Role")) }
                        th scope="col" { (lang.t("Gebieden", "Areas")) } th scope="col" { "Status" } th scope="col" { (lang.t("Actie", "Action")) }
                    } }
                    tbody {
                        @for u in &self.users {
                            tr {
                                td { (u.email) }
                                td { (Role::parse(&u.role).map(|r| lang.t(r.name_nl(), r.name_en())).unwrap_or(&u.role)) }
                                td { (u.areas.iter().cloned().collect::<Vec<_>>().join(", ")) }
                                td { @if u.disabled { (lang.t("uitgeschakeld", "disabled")) } @else { (lang.t("actief", "active")) } }
                                td {
                                    form method="post" action=(lang.href("/werk/gebruikers/status")) {
                                        input type="hidden" name="csrf" value=(ctx.csrf());
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
        }
    }
}

/// Enables or disables an account (never one's own).
pub fn set_status(ctx: &Ctx<'_>) -> Result<WorkResponse, Problem> {
    let who = &ctx.session.principal;
    let fields = forms::form_fields(ctx.req)?;
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let (email, disabled) = (get("email"), get("disabled") == "1");
    if matches!(who, Principal::User { email: me, .. } if me.eq_ignore_ascii_case(&email)) {
        return Err(Problem::BadRequest("you cannot disable your own account".into()));
    }
    let at = ctx.work.now_rfc3339();
    ctx.work
        .store()
        .set_user_disabled(&email, disabled, &who.actor(), &at)
        .map_err(|e| Problem::BadRequest(e.to_string()))?;
    Ok(redirect(ctx.req, "/werk/gebruikers", "bijgewerkt"))
}
