//! `/over`: about the monitor. Sources with attribution, the method (aggregation, coverage, comparisons),
//! disclosure control with every rule, the data versions (compute run and imports) and the accessibility
//! statement. Its CSV twin lists the imports.

use super::View;
use crate::i18n::Lang;
use crate::viewmodel::{import_meta, ImportMeta, Meta};
use maud::{html, Markup};
use serde::Serialize;
use wijkmonitor_readmodel::snapshot::Snapshot;

#[derive(Serialize)]
pub struct RuleOut {
    pub id: String,
    pub description_nl: String,
    pub description_en: String,
    pub round_to: Option<f64>,
    pub secret_at_or_below: Option<f64>,
    pub min_base_variable: Option<String>,
    pub min_base_threshold: Option<f64>,
}

#[derive(Serialize)]
pub struct SourceOut {
    pub name: &'static str,
    pub attribution: &'static str,
    pub licence: &'static str,
}

#[derive(Serialize)]
pub struct AboutPage {
    pub meta: Meta,
    pub sources: Vec<SourceOut>,
    pub disclosure_rules: Vec<RuleOut>,
    pub imports: Vec<ImportMeta>,
    pub schema_version: i64,
    pub software_version: &'static str,
}

pub fn build(snap: &Snapshot) -> AboutPage {
    AboutPage {
        meta: Meta::new(snap, "about", "/over".into(), "Over de wijkmonitor".into(), "About the wijkmonitor".into()),
        sources: vec![
            SourceOut { name: "CBS, Kerncijfers wijken en buurten", attribution: "Bron: CBS", licence: "CC BY 4.0" },
            SourceOut {
                name: "Politie, geregistreerde misdrijven (via CBS StatLine 47018NED)",
                attribution: "Politie",
                licence: "CC BY 4.0",
            },
            SourceOut {
                name: "Leefbaarometer 3.0",
                attribution: "Leefbaarometer 3.0, Ministerie van BZK",
                licence: "",
            },
            SourceOut {
                name: "CBS/PDOK gemeentegrenzen 2024 (vereenvoudigd)",
                attribution: "Bron: CBS/PDOK",
                licence: "CC BY 4.0",
            },
        ],
        disclosure_rules: snap
            .rules
            .rules
            .iter()
            .map(|r| RuleOut {
                id: r.id.clone(),
                description_nl: r.description_nl.clone(),
                description_en: r.description_en.clone(),
                round_to: r.round_to,
                secret_at_or_below: r.secret_at_or_below,
                min_base_variable: r.min_base.as_ref().map(|m| m.variable.clone()),
                min_base_threshold: r.min_base.as_ref().map(|m| m.threshold),
            })
            .collect(),
        imports: snap.imports.values().map(import_meta).collect(),
        schema_version: snap.schema_version,
        software_version: env!("CARGO_PKG_VERSION"),
    }
}

impl View for AboutPage {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn html(&self, lang: Lang) -> Markup {
        html! {
            h1 { (self.meta.title(lang)) }
            p class="lead" { (lang.t(
                "De wijkmonitor is de open monitor van het Nationaal Programma Leefbaarheid en Veiligheid (NPLV). Hij volgt 20 focusgebieden in 19 gemeenten met een vaste set indicatoren, zoveel mogelijk uit landelijke bronnen.",
                "The wijkmonitor is the open monitor of the National Programme Liveability and Safety (NPLV). It follows 20 focus areas in 19 municipalities with a fixed set of indicators, from national sources as far as possible.")) }
            @if self.meta.synthetic {
                p { strong { (lang.t("Deze database bevat SYNTHETISCHE demodata: plausibele, maar verzonnen cijfers bij echte CBS-codes en -namen.", "This database holds SYNTHETIC demo data: plausible but invented figures with real CBS codes and names.")) } }
            }
            h2 { (lang.t("Bronnen", "Sources")) }
            ul { @for s in &self.sources { li { (s.name) ": " strong { (s.attribution) } @if !s.licence.is_empty() { " (" (s.licence) ")" } } } }
            h2 { (lang.t("Methode", "Method")) }
            p { (lang.t(
                "Cijfers worden per buurt ingelezen en opgeteld tot focusgebieden, de rest van hun gemeente en alle focusgebieden samen: aantallen als som, percentages en gemiddelden gewogen met hun basis (zodat het resultaat gelijk is aan een verhouding van opnieuw berekende sommen), cijfers per 1.000 inwoners als verhouding van sommen.",
                "Figures are read per buurt and aggregated to focus areas, the rest of their municipality and all focus areas together: counts as sums, percentages and averages weighted by their base (so the result equals a ratio of recomputed sums), figures per 1,000 inhabitants as ratios of sums.")) }
            p { (lang.t(
                "Dekking: een gebiedscijfer wordt alleen berekend als genoeg inwoners in buurten met bruikbare gegevens wonen; anders staat er 'ontbreekt' met de reden. Een som met ontbrekende buurten wordt niet getoond, omdat die te laag zou zijn.",
                "Coverage: an area figure is computed only when enough inhabitants live in buurten with usable figures; otherwise it reads 'missing' with the reason. A sum with missing buurten is not shown, because it would be too low.")) }
            p { (lang.t(
                "Vergelijkingen: met Nederland, met de rest van de eigen gemeente, met de andere focusgebieden (rang, 1 is het gunstigst) en alle focusgebieden samen, en met het basisjaar 2018. Een verandering in een gebied betekent niet dat het programma die veroorzaakte: ook economie en landelijk beleid spelen mee.",
                "Comparisons: with the Netherlands, with the rest of the own municipality, with the other focus areas (rank, 1 is the most favourable) and all focus areas together, and with the base year 2018. A change in an area does not mean the programme caused it: the economy and national policy play a part too.")) }
            p { (lang.t("Of een gebied verandert dóór het programma, meet de effectmeting: elk gebied tegen vergelijkbare buurten zonder programma, met onzekerheid uit placebogebieden. ", "Whether an area changes because of the programme is what the effect analysis measures: each area against comparable buurten without the programme, with uncertainty from placebo areas. "))
                a href=(lang.href("/over/effectmeting")) { (lang.t("Effectmeting", "Measuring effect")) } }
            h2 { (lang.t("Geheimhouding", "Disclosure control")) }
            p { (lang.t(
                "Kleine aantallen kunnen personen herkenbaar maken. Elk gepubliceerd cijfer doorstaat daarom de regels van CBS voor wijken en buurten, ook cijfers van gebieden en van de rest van een gemeente. Aanvullende geheimhouding voorkomt dat een geheim cijfer door aftrekken terug te rekenen is. Deze site toont alleen cijfers die deze controle doorstonden, nooit de ruwe invoer.",
                "Small numbers can make persons recognisable. Every published figure therefore passes the CBS rules for districts and neighbourhoods, also figures of areas and of the rest of a municipality. Complementary suppression prevents a secret figure from being recovered by subtraction. This site shows only figures that passed this control, never the raw input.")) }
            ul { @for r in &self.disclosure_rules { li { (lang.t(&r.description_nl, &r.description_en)) } } }
            h2 { (lang.t("Versies van de gegevens", "Data versions")) }
            @if let Some(run) = &self.meta.compute_run {
                p { (lang.t("Berekening", "Compute run")) " #" (run.id) ", " (run.computed_at) ", " (run.n_figures) " " (lang.t("cijfers", "figures")) "; "
                    (lang.t("parameters", "parameters")) " SHA-256 " code { (run.parameters_sha256) } "." }
            } @else {
                p { (lang.t("Er is nog geen berekening uitgevoerd (wijkmonitor compute).", "No compute run yet (wijkmonitor compute).")) }
            }
            p { (lang.t("Afbakening: ", "Delineation: ")) code { (self.meta.delineation.source) }
                @if self.meta.delineation.indicative { " (" (lang.t("indicatief", "indicative")) ")" } }
            div class="scroll" tabindex="0" role="region" aria-label=(lang.t("Imports", "Imports")) {
                table class="cards" {
                    caption { (lang.t("Ingelezen bestanden", "Imported files")) }
                    thead { tr { th scope="col" { "#" } th scope="col" { (lang.t("Bestand", "File")) } th scope="col" { (lang.t("Tabel", "Table")) } th scope="col" { (lang.t("Indeling", "Classification")) } th scope="col" { "SHA-256" } th scope="col" { (lang.t("Ingelezen", "Imported")) } } }
                    tbody {
                        @for i in &self.imports {
                            tr {
                                td data-label="#" { (i.id) }
                                td data-label=(lang.t("Bestand", "File")) { (i.source_name) @if i.synthetic { " " strong { (lang.t("(synthetisch)", "(synthetic)")) } } }
                                td data-label=(lang.t("Tabel", "Table")) { (i.source_table.as_deref().unwrap_or("–")) }
                                td data-label=(lang.t("Indeling", "Classification")) { (i.classification_year.map(|y| y.to_string()).unwrap_or_else(|| "–".into())) }
                                td data-label="SHA-256" { code { (i.sha256.get(..16).unwrap_or(&i.sha256)) "…" } }
                                td data-label=(lang.t("Ingelezen", "Imported")) { (i.imported_at) }
                            }
                        }
                    }
                }
            }
            p class="note" { "wijkmonitor " (self.software_version) ", schema " (self.schema_version) "." }
            h2 id="toegankelijkheid" { (lang.t("Toegankelijkheid", "Accessibility")) }
            p { (lang.t(
                "Deze site streeft naar WCAG 2.1 niveau AA. Elke pagina werkt zonder JavaScript, met toetsenbord en met een schermlezer. Grafieken en kaarten hebben een titel, een beschrijving en een tabel met dezelfde cijfers; kleuren zijn gekozen om ook bij kleurenblindheid te onderscheiden, en lijnen verschillen ook in streeppatroon. Elke pagina is ook als CSV en JSON beschikbaar. Automatische controles (axe-core) draaien bij elke wijziging.",
                "This site aims at WCAG 2.1 level AA. Every page works without JavaScript, with a keyboard and with a screen reader. Charts and maps have a title, a description and a table with the same figures; colours are chosen to stay distinguishable with colour blindness, and lines also differ in dash pattern. Every page is also available as CSV and JSON. Automated checks (axe-core) run on every change.")) }
            p { (lang.t("Bekende beperkingen: kaarten tonen geen buurtgrenzen zonder grensbestanden, en de kaart van Nederland is vereenvoudigd.", "Known limitations: maps show no buurt boundaries without boundary files, and the map of the Netherlands is simplified.")) }
        }
    }

    fn csv(&self, _snap: &Snapshot, w: &mut csv::Writer<Vec<u8>>) -> csv::Result<()> {
        w.write_record([
            "id",
            "source_name",
            "sha256",
            "format",
            "source_table",
            "classification_year",
            "imported_at",
            "synthetic",
        ])?;
        for i in &self.imports {
            w.write_record([
                i.id.to_string(),
                i.source_name.clone(),
                i.sha256.clone(),
                i.format.clone(),
                i.source_table.clone().unwrap_or_default(),
                i.classification_year.map(|y| y.to_string()).unwrap_or_default(),
                i.imported_at.clone(),
                i.synthetic.to_string(),
            ])?;
        }
        Ok(())
    }
}
