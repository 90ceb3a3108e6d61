//! The two languages of the dashboard and the words it uses for codes (statuses, reasons, tiers, ...).
//! Dutch is the default; English is chosen with `?lang=en`. Texts live next to each other in one call,
//! `lang.t("nl", "en")`, so a page's template reads in both languages at once and cannot miss one.

use wijkmonitor_model::catalogue::{ActionLine, Aggregation, Direction, Tier};
use wijkmonitor_model::comparison::GapTrend;
use wijkmonitor_model::Status;

pub use wijkmonitor_model::lang::Lang;

/// A figure's status in words.
pub fn status(lang: Lang, status: Status) -> &'static str {
    match status {
        Status::Final => lang.t("definitief", "final"),
        Status::Provisional => lang.t("voorlopig", "provisional"),
        Status::Missing => lang.t("ontbreekt", "missing"),
        Status::Secret => lang.t("geheim", "secret"),
        Status::NotYetPublished => lang.t("nog niet gepubliceerd", "not yet published"),
    }
}

/// Why a figure has no number (or what was done to it), in words. Unknown codes are shown as they are.
pub fn reason(lang: Lang, code: &str) -> String {
    let (nl, en) = match code {
        "" => ("", ""),
        "no_data" => ("geen gegevens voor dit gebied en jaar", "no data for this area and year"),
        "incomplete_sum" => (
            "niet alle buurten hebben een cijfer, dus een totaal zou te laag zijn",
            "not every buurt has a figure, so a total would be too low",
        ),
        "low_coverage" => (
            "te lage dekking: te weinig inwoners wonen in buurten met gegevens",
            "low coverage: too few inhabitants live in buurten with figures",
        ),
        "not_aggregable" => (
            "dit cijfer is niet op te tellen tot een gebied en is niet aangeleverd",
            "this figure cannot be aggregated to an area and was not supplied",
        ),
        "base_below_threshold" => (
            "te weinig huishoudens/inwoners: geheim om personen te beschermen",
            "too few households/inhabitants: secret to protect persons",
        ),
        "suppressed" => (
            "geheim om personen te beschermen: het is klein, of een ander geheim cijfer zou ermee terug te rekenen zijn",
            "secret to protect persons: it is small, or another secret figure could be recovered from it",
        ),
        "source_status" => ("de bron publiceert dit cijfer niet", "the source does not publish this figure"),
        "zero_denominator" => ("de noemer is nul", "the denominator is zero"),
        "no_threshold" => ("geen drempelwaarde voor dit jaar", "no threshold for this year"),
        "partial_coverage" => ("berekend uit een deel van de buurten", "computed from part of the buurten"),
        "nearest_year_weights" => {
            ("gewogen met cijfers uit het dichtstbijzijnde jaar", "weighted with figures from the nearest year")
        }
        other => return other.to_string(),
    };
    lang.t(nl, en).to_string()
}

pub fn action_line(lang: Lang, line: ActionLine) -> &'static str {
    match lang {
        Lang::Nl => line.name_nl(),
        Lang::En => line.name_en(),
    }
}

/// A one-line description of an action line, for the entry points on the overview.
pub fn action_line_description(lang: Lang, line: ActionLine) -> &'static str {
    match line {
        ActionLine::Integral => lang.t(
            "Bevolking, huishoudens en de samenwerking in het gebiedsbondgenootschap.",
            "Population, households and the collaboration in the local alliance.",
        ),
        ActionLine::Physical => lang.t(
            "Wonen, woningvoorraad en de fysieke leefomgeving.",
            "Housing, the housing stock and the physical environment.",
        ),
        ActionLine::Participation => lang.t("Werk, inkomen, onderwijs en zorg.", "Work, income, education and care."),
        ActionLine::Safety => lang.t("Criminaliteit, overlast en veiligheid.", "Crime, nuisance and safety."),
    }
}

pub fn tier(lang: Lang, tier: Tier) -> &'static str {
    match tier {
        Tier::Input => lang.t("Inzet (rijksregelingen)", "Input (national schemes)"),
        Tier::Realisation => lang.t("Gebiedsrealisatie", "Realisation"),
        Tier::Effect => lang.t("Gebiedseffect", "Effect"),
        Tier::Context => lang.t("Context", "Context"),
        Tier::Process => lang.t("Proces", "Process"),
    }
}

pub fn direction(lang: Lang, direction: Direction) -> &'static str {
    match direction {
        Direction::HigherIsBetter => lang.t("hoger is beter", "higher is better"),
        Direction::LowerIsBetter => lang.t("lager is beter", "lower is better"),
        Direction::Neutral => lang.t("beschrijvend (geen richting)", "descriptive (no direction)"),
    }
}

pub fn aggregation(lang: Lang, aggregation: &Aggregation) -> String {
    // Variables by their names in the reader's language (the ids are for the data, not for readers).
    let catalogue = wijkmonitor_model::Catalogue::builtin();
    let name = |id: &str| -> String {
        catalogue.variable(id).map_or_else(|| id.replace('_', " "), |v| lang.t(&v.name_nl, &v.name_en).to_lowercase())
    };
    match aggregation {
        Aggregation::Sum { variable } => format!("{} {}", lang.t("som van", "sum of"), name(variable)),
        Aggregation::Ratio { numerator, denominator, scale } => format!(
            "{scale} × {} / {} ({})",
            name(numerator),
            name(denominator),
            lang.t("verhouding van sommen", "ratio of sums")
        ),
        Aggregation::WeightedMean { variable, weight } => format!(
            "{} {}, {} {}",
            lang.t("gewogen gemiddelde van", "weighted mean of"),
            name(variable),
            lang.t("gewogen met", "weighted by"),
            name(weight)
        ),
        Aggregation::ShareAtOrBelow { variable, weight, .. } => format!(
            "{} {} {} {} {}",
            lang.t("aandeel", "share of"),
            name(weight),
            lang.t("in buurten met", "in buurten with"),
            name(variable),
            lang.t(
                "op of onder de klassengrens (parameter per editie)",
                "at or below the class boundary (a parameter per edition)"
            )
        ),
        Aggregation::None { variable } => format!(
            "{} ({})",
            lang.t("niet op te tellen; alleen waar aangeleverd", "not aggregable; only where supplied"),
            name(variable)
        ),
    }
}

pub fn gap_trend(lang: Lang, trend: GapTrend) -> &'static str {
    match trend {
        GapTrend::Closing => lang.t("kleiner geworden", "closing"),
        GapTrend::Widening => lang.t("groter geworden", "widening"),
        GapTrend::Unchanged => lang.t("niet aantoonbaar veranderd", "no demonstrable change"),
    }
}
