//! The signed-in user's own account: changing the password (the old one is required), the API tokens with their
//! last use (each can be revoked), and the sign-in history of the last 90 days.

use super::{flash, redirect, Ctx, WorkView};
use crate::error::Problem;
use crate::i18n::Lang;
use crate::work::auth::Session;
use crate::work::{forms, Work, WorkResponse};
use axum::http::StatusCode;
use maud::{html, Markup};
use serde::Serialize;
use std::collections::BTreeSet;
use wijkmonitor_access::{hash_password, verify_password, Principal, MIN_PASSWORD_CHARS};
use wijkmonitor_model::date::rfc3339;
use wijkmonitor_store::accounts::{ApiToken, SignInEvent};

/// How many sign-ins the history shows.
const HISTORY: u32 = 50;

#[derive(Serialize)]
pub struct Me {
    pub email: String,
    pub role: &'static str,
    pub areas: BTreeSet<String>,
}

fn me_of(principal: &Principal) -> Result<(i64, Me), Problem> {
    match principal {
        Principal::Public => Err(Problem::Unauthorized("not signed in".into())),
        Principal::User { id, email, role, areas } => {
            Ok((*id, Me { email: email.clone(), role: role.as_str(), areas: areas.clone() }))
        }
    }
}

/// Who the caller is (API).
pub fn me(ctx: &Ctx<'_>) -> Result<WorkResponse, Problem> {
    let (_, me) = me_of(&ctx.session.principal)?;
    Ok(WorkResponse::json(StatusCode::OK, &me))
}

#[derive(Serialize)]
pub struct AccountPage {
    #[serde(flatten)]
    pub me: Me,
    pub tokens: Vec<ApiToken>,
    pub sign_ins: Vec<SignInEvent>,
    /// Whether the password can be changed here (with a browser session, not with an API token).
    pub can_change_password: bool,
    #[serde(skip)]
    error: Option<(String, String)>,
}

pub fn build(work: &Work, session: &Session) -> Result<AccountPage, Problem> {
    let (id, me) = me_of(&session.principal)?;
    let store = work.store();
    Ok(AccountPage {
        me,
        tokens: store.api_tokens(id).map_err(Problem::internal)?,
        sign_ins: store.sign_in_history(id, HISTORY).map_err(Problem::internal)?,
        can_change_password: session.cookie.is_some(),
        error: None,
    })
}

fn outcome(lang: Lang, outcome: &str) -> &'static str {
    match outcome {
        "success" => lang.t("aangemeld", "signed in"),
        "failure" => lang.t("mislukt", "failed"),
        "locked" => lang.t("geweigerd: tijdelijk geblokkeerd", "refused: locked for a while"),
        _ => lang.t("onbekend", "unknown"),
    }
}

impl WorkView for AccountPage {
    fn title(&self, lang: Lang) -> String {
        lang.t("Uw account", "Your account").to_string()
    }

    fn html(&self, ctx: &Ctx<'_>) -> Markup {
        let lang = ctx.lang;
        html! {
            h1 { (lang.t("Uw account", "Your account")) }
            (flash(lang, ctx.req))
            p class="lead" { (self.me.email) " · " (self.me.role) @if !self.me.areas.is_empty() { " · " (self.me.areas.iter().cloned().collect::<Vec<_>>().join(", ")) } }
            @if self.can_change_password {
                h2 { (lang.t("Wachtwoord wijzigen", "Change password")) }
                @if let Some((nl, en)) = &self.error {
                    p class="message error" role="alert" id="password-error" { (lang.t(nl, en)) }
                }
                form method="post" action=(lang.href("/werk/account/wachtwoord")) class="form-grid" id="password-form" {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    label for="old" { (lang.t("Huidig wachtwoord", "Current password")) }
                    input type="password" id="old" name="old" autocomplete="current-password" required;
                    label for="new" { (lang.t("Nieuw wachtwoord (minstens ", "New password (at least ")) (MIN_PASSWORD_CHARS) (lang.t(" tekens)", " characters)")) }
                    input type="password" id="new" name="new" autocomplete="new-password" required minlength=(MIN_PASSWORD_CHARS);
                    label for="repeat" { (lang.t("Nieuw wachtwoord, nog eens", "New password, again")) }
                    input type="password" id="repeat" name="repeat" autocomplete="new-password" required;
                    span {}
                    div { button type="submit" id="change-password" { (lang.t("Wachtwoord wijzigen", "Change password")) } }
                }
                p class="note" { (lang.t("Andere sessies van uw account worden beëindigd. API-sleutels blijven geldig; trek ze hieronder in als dat nodig is.",
                    "Other sessions of your account end. API tokens stay valid; revoke them below if need be.")) }
            }
            h2 { (lang.t("API-sleutels", "API tokens")) }
            @if self.tokens.is_empty() {
                p { (lang.t("U hebt geen API-sleutels. Een beheerder maakt ze met ", "You have no API tokens. An administrator creates them with ")) code { "wijkmonitor token create" } "." }
            } @else {
                div class="scroll" tabindex="0" role="region" aria-label=(lang.t("API-sleutels", "API tokens")) {
                    table id="tokens" {
                        thead { tr {
                            th scope="col" { "#" } th scope="col" { (lang.t("Omschrijving", "Label")) }
                            th scope="col" { (lang.t("Gemaakt", "Created")) } th scope="col" { (lang.t("Laatst gebruikt", "Last used")) }
                            th scope="col" { "Status" }
                        } }
                        tbody {
                            @for t in &self.tokens {
                                tr data-token=(t.id) {
                                    td { (t.id) } td { (t.label) } td { (t.created_at) }
                                    td { (t.last_used_at.map(rfc3339).unwrap_or_else(|| lang.t("nooit", "never").to_string())) }
                                    td {
                                        @if t.revoked { (lang.t("ingetrokken", "revoked")) } @else {
                                            form method="post" action=(lang.href(&format!("/werk/account/tokens/{}/intrekken", t.id))) class="inline" {
                                                input type="hidden" name="csrf" value=(ctx.csrf());
                                                button type="submit" class="secondary" { (lang.t("Intrekken", "Revoke")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (lang.t("Aanmeldingen", "Sign-ins")) }
            p { (lang.t("De laatste aanmeldpogingen op uw account (90 dagen bewaard). Herkent u er een niet? Wijzig dan uw wachtwoord.",
                "The latest sign-in attempts on your account (kept for 90 days). Do you not recognise one? Then change your password.")) }
            div class="scroll" tabindex="0" role="region" aria-label=(lang.t("Aanmeldingen", "Sign-ins")) {
                table id="sign-ins" {
                    thead { tr { th scope="col" { (lang.t("Wanneer", "When")) } th scope="col" { (lang.t("Adres", "Address")) } th scope="col" { (lang.t("Uitkomst", "Outcome")) } } }
                    tbody {
                        @for e in &self.sign_ins {
                            tr data-outcome=(e.outcome) { td { (rfc3339(e.at)) } td { (e.client) } td { (outcome(lang, &e.outcome)) } }
                        }
                    }
                }
            }
        }
    }
}

/// Changes the user's own password: the old one must be right, the new one long enough and typed twice.
pub fn change_password(ctx: &Ctx<'_>) -> Result<WorkResponse, Problem> {
    let (id, _) = me_of(&ctx.session.principal)?;
    let Some(keep) = ctx.session.cookie.clone() else {
        return Err(Problem::Forbidden(
            "a password is changed in the browser, signed in, not with an API token".into(),
        ));
    };
    let fields = forms::form_fields(ctx.req)?;
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let (old, new, repeat) = (get("old"), get("new"), get("repeat"));
    let refuse = |nl: &str, en: &str| -> Result<WorkResponse, Problem> {
        let mut page = build(ctx.work, ctx.session)?;
        page.error = Some((nl.to_string(), en.to_string()));
        Ok(super::show(ctx, &page, StatusCode::UNPROCESSABLE_ENTITY))
    };
    let hash = ctx.work.store().password_hash(id).map_err(Problem::internal)?.unwrap_or_default();
    // Checked whatever else is wrong, so the answer takes as long either way.
    let old_ok = verify_password(&old, &hash);
    if !old_ok {
        return refuse("Het huidige wachtwoord klopt niet.", "The current password is not right.");
    }
    if new != repeat {
        return refuse("De twee nieuwe wachtwoorden zijn niet gelijk.", "The two new passwords differ.");
    }
    if new == old {
        return refuse(
            "Het nieuwe wachtwoord is hetzelfde als het oude.",
            "The new password is the same as the old one.",
        );
    }
    let hashed = match hash_password(&new) {
        Ok(h) => h,
        Err(_) => {
            return refuse(
                &format!("Een wachtwoord heeft minstens {MIN_PASSWORD_CHARS} tekens."),
                &format!("A password needs at least {MIN_PASSWORD_CHARS} characters."),
            )
        }
    };
    let at = ctx.work.now_rfc3339();
    ctx.work.store().change_own_password(id, &hashed, &keep, &at).map_err(Problem::internal)?;
    Ok(redirect(ctx.req, "/werk/account", "wachtwoord"))
}

/// Revokes one of the user's own API tokens.
pub fn revoke_token(ctx: &Ctx<'_>) -> Result<WorkResponse, Problem> {
    let (id, me) = me_of(&ctx.session.principal)?;
    let token: i64 = ctx.req.path_param("token").parse().map_err(|_| Problem::NotFound("no such API token".into()))?;
    let at = ctx.work.now_rfc3339();
    ctx.work.store().revoke_api_token(id, token, &me.email, &at).map_err(|e| Problem::NotFound(e.to_string()))?;
    Ok(redirect(ctx.req, "/werk/account", "ingetrokken"))
}
