//! The workspace's start page: the rounds of the request with the status of the user's own areas, and for
//! analysts the rounds, the form to open one and the registers.

use super::{flash, status_badge, Ctx, WorkView};
use crate::i18n::Lang;
use crate::work::Work;
use maud::{html, Markup};
use serde::Serialize;
use wijkmonitor_access::{allows, Permission, Principal};
use wijkmonitor_model::date::Date;
use wijkmonitor_request::{Item, SubmissionStatus};

#[derive(Serialize)]
pub struct AreaStatus {
    pub area_id: String,
    pub name: String,
    pub status: SubmissionStatus,
}

#[derive(Serialize)]
pub struct RoundLine {
    pub year: i32,
    pub opens: Date,
    pub closes: Date,
    /// The status of the user's own areas (area editors).
    pub my_areas: Vec<AreaStatus>,
}

#[derive(Serialize)]
pub struct Home {
    pub actor: String,
    /// The date request windows are checked against.
    pub today: Date,
    pub rounds: Vec<RoundLine>,
    /// The areas whose request the user fills in.
    pub my_areas: Vec<(String, String)>,
    pub sees_all_rounds: bool,
    pub opens_rounds: bool,
    /// The items an analyst can choose for a new round.
    #[serde(skip)]
    items: Vec<Item>,
    /// All areas, for the registers (analysts).
    #[serde(skip)]
    areas: Vec<(String, String)>,
}

pub fn build(work: &Work, who: &Principal) -> Home {
    let store = work.store();
    let rounds = store.rounds().unwrap_or_default();
    let my_areas: Vec<(String, String)> =
        work.areas.iter().filter(|(id, _)| allows(who, Permission::EditRequest(id))).cloned().collect();
    let rounds = rounds
        .iter()
        .map(|r| RoundLine {
            year: r.round.year,
            opens: r.round.opens,
            closes: r.round.closes,
            my_areas: my_areas
                .iter()
                .map(|(id, name)| AreaStatus {
                    area_id: id.clone(),
                    name: name.clone(),
                    status: store
                        .submission(r.round.year, id)
                        .map(|s| s.status)
                        .unwrap_or(SubmissionStatus::NotStarted),
                })
                .collect(),
        })
        .collect();
    Home {
        actor: who.actor(),
        today: work.today(),
        rounds,
        my_areas,
        sees_all_rounds: allows(who, Permission::ReadAllStatuses),
        opens_rounds: allows(who, Permission::OpenRound),
        items: work.items.clone(),
        areas: work.areas.clone(),
    }
}

impl WorkView for Home {
    fn title(&self, lang: Lang) -> String {
        lang.t("Werkruimte", "Workspace").to_string()
    }

    fn html(&self, ctx: &Ctx<'_>) -> Markup {
        let lang = ctx.lang;
        html! {
            h1 { (lang.t("Werkruimte", "Workspace")) }
            (flash(lang, ctx.req))
            p class="lead" {
                (lang.t("Aangemeld als ", "Signed in as ")) strong { (self.actor) } ". "
                (lang.t("Datum voor de termijnen: ", "Date for the deadlines: ")) (self.today.to_string())
            }
            p { a href=(lang.href("/werk/account")) id="account-link" { (lang.t("Uw account: wachtwoord, API-sleutels, aanmeldingen", "Your account: password, API tokens, sign-ins")) } }
            @if !self.my_areas.is_empty() {
                h2 { (lang.t("Uitvraag van uw gebied", "Your area's request")) }
                @if self.rounds.is_empty() {
                    p { (lang.t("Er is nog geen uitvraagronde geopend.", "No request round has been opened yet.")) }
                }
                @for r in &self.rounds {
                    h3 { (lang.t("Uitvraag ", "Request ")) (r.year) " (" (r.opens.to_string()) " – " (r.closes.to_string()) ")" }
                    ul {
                        @for a in &r.my_areas {
                            li {
                                a href=(lang.href(&format!("/werk/uitvraag/{}/{}", r.year, a.area_id))) { (a.name) } " " (status_badge(lang, a.status))
                                " · " a href=(lang.href(&format!("/werk/register/{}", a.area_id))) { (lang.t("programmaregister", "programme register")) }
                            }
                        }
                    }
                }
            }
            @if self.sees_all_rounds {
                h2 { (lang.t("Uitvraagrondes", "Request rounds")) }
                @if self.rounds.is_empty() { p { (lang.t("Nog geen rondes.", "No rounds yet.")) } }
                ul {
                    @for r in &self.rounds {
                        li { a href=(lang.href(&format!("/werk/uitvraag/{}", r.year))) {
                            (lang.t("Uitvraag ", "Request ")) (r.year) } " (" (r.opens.to_string()) " – " (r.closes.to_string()) ")" }
                    }
                }
                @if self.opens_rounds {
                    h3 { (lang.t("Een ronde openen", "Open a round")) }
                    form method="post" action=(lang.href("/werk/uitvraag")) class="form-grid" {
                        input type="hidden" name="csrf" value=(ctx.csrf());
                        label for="jaar" { (lang.t("Jaar van de cijfers", "Year of the figures")) }
                        input type="number" id="jaar" name="jaar" min="2000" max="2100" required value=(self.today.year - 1);
                        label for="opent" { (lang.t("Opent (standaard 15 april)", "Opens (default 15 April)")) }
                        input type="date" id="opent" name="opent";
                        label for="sluit" { (lang.t("Sluit (standaard 15 juni)", "Closes (default 15 June)")) }
                        input type="date" id="sluit" name="sluit";
                        span {}
                        fieldset {
                            legend { (lang.t("Vragen in deze ronde", "Items of this round")) }
                            input type="hidden" name="kies" value="1";
                            @for item in &self.items {
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
                    @for (id, name) in &self.areas {
                        li { a href=(lang.href(&format!("/werk/register/{id}"))) { (name) } }
                    }
                }
            }
        }
    }
}
