//! Summary sentences generated from the figures, in plain Dutch or English.
//!
//! For each indicator the summary says whether the area improved or worsened since the base year (and since
//! last year), but only when the change exceeds the indicator's margin (`data/parameters/report.toml`);
//! otherwise it says there was no notable change. The direction of the indicator decides what counts as
//! better. Where the gap with the Netherlands is known in both years it says whether the gap closed or
//! widened. A suppressed or missing figure is named as such, never guessed. The monitor describes; it never
//! says that a change was caused by the programme.

use serde::Deserialize;
use wijkmonitor_model::catalogue::Direction;
use wijkmonitor_model::Status;

pub use wijkmonitor_model::lang::Lang;

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct MarginRow {
    unit: String,
    absolute: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct DefaultMargin {
    relative: f64,
}

/// The margins below which a change is not called a change.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Margins {
    #[serde(rename = "margin")]
    by_unit: Vec<MarginRow>,
    default: DefaultMargin,
}

/// The report parameters shipped with wijkmonitor.
pub const BUILTIN_REPORT_PARAMS: &str = include_str!("../../../data/parameters/report.toml");

impl Margins {
    pub fn parse(text: &str) -> Result<Margins, String> {
        toml::from_str(text).map_err(|e| format!("report parameters: {e}"))
    }

    pub fn builtin() -> Margins {
        // Checked by a unit test: a failure here is a build defect.
        Margins::parse(BUILTIN_REPORT_PARAMS).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Whether the move from `from` to `to` exceeds the margin for this unit.
    pub fn exceeds(&self, unit: &str, from: f64, to: f64) -> bool {
        let change = (to - from).abs();
        match self.by_unit.iter().find(|m| m.unit == unit) {
            Some(m) => change > m.absolute + 1e-12,
            None => change > self.default.relative * from.abs() + 1e-12,
        }
    }
}

/// What the summary needs to know about one indicator of one area.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts<'a> {
    /// The indicator's name in the report's language, as it would appear mid-sentence.
    pub name: &'a str,
    pub unit: &'a str,
    pub direction: Direction,
    pub decimals: u8,
    pub year: i32,
    pub value: Option<f64>,
    /// The status of the current figure (secret, missing, ... when there is no value).
    pub status: Status,
    pub base_year: i32,
    pub base_value: Option<f64>,
    pub previous_value: Option<f64>,
    pub gap_to_netherlands: Option<f64>,
    pub gap_to_netherlands_base: Option<f64>,
}

/// How an indicator moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    Improved,
    Worsened,
    /// Within the margin.
    NoNotableChange,
    /// Changed beyond the margin, but the indicator is descriptive (neither way is better).
    Rose,
    Fell,
    /// No comparison possible: the figure or the earlier one is missing or suppressed.
    Unknown,
}

/// How an indicator moved between two figures.
pub fn movement(margins: &Margins, unit: &str, direction: Direction, from: Option<f64>, to: Option<f64>) -> Movement {
    let (Some(from), Some(to)) = (from, to) else { return Movement::Unknown };
    if !margins.exceeds(unit, from, to) {
        return Movement::NoNotableChange;
    }
    match direction {
        Direction::HigherIsBetter if to > from => Movement::Improved,
        Direction::HigherIsBetter => Movement::Worsened,
        Direction::LowerIsBetter if to < from => Movement::Improved,
        Direction::LowerIsBetter => Movement::Worsened,
        Direction::Neutral if to > from => Movement::Rose,
        Direction::Neutral => Movement::Fell,
    }
}

/// Formats a number in the language's style with the indicator's decimals (decimal comma in Dutch).
pub fn format_value(x: f64, decimals: u8, lang: Lang) -> String {
    let text = format!("{:.*}", usize::from(decimals), x);
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (text.clone(), None),
    };
    let (sign, digits) = match int.strip_prefix('-') {
        Some(d) => ("-", d.to_string()),
        None => ("", int),
    };
    let (group, point) = match lang {
        Lang::Nl => ('.', ','),
        Lang::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}{point}{f}"),
        None => format!("{sign}{grouped}"),
    }
}

fn with_unit(x: f64, facts: &Facts<'_>, lang: Lang) -> String {
    let v = format_value(x, facts.decimals, lang);
    match facts.unit {
        "%" => format!("{v}%"),
        "aantal" | "" => v,
        unit => format!("{v} {unit}"),
    }
}

fn status_words(status: Status, lang: Lang) -> &'static str {
    match (status, lang) {
        (Status::Secret, Lang::Nl) => "is niet gepubliceerd om de privacy te beschermen",
        (Status::Secret, Lang::En) => "is not published to protect privacy",
        (Status::NotYetPublished, Lang::Nl) => "is nog niet beschikbaar",
        (Status::NotYetPublished, Lang::En) => "is not available yet",
        (_, Lang::Nl) => "ontbreekt",
        (_, Lang::En) => "is missing",
    }
}

/// The sentence about one indicator: its movement since the base year, since last year, and the gap with the
/// Netherlands.
pub fn sentence(margins: &Margins, facts: &Facts<'_>, lang: Lang) -> String {
    let Some(value) = facts.value else {
        return match lang {
            Lang::Nl => {
                format!("Het cijfer voor {} in {} {}.", facts.name, facts.year, status_words(facts.status, lang))
            }
            Lang::En => {
                format!("The figure for {} in {} {}.", facts.name, facts.year, status_words(facts.status, lang))
            }
        };
    };
    let now = with_unit(value, facts, lang);
    let since_base = movement(margins, facts.unit, facts.direction, facts.base_value, Some(value));
    let mut text = match (since_base, facts.base_value, lang) {
        (Movement::Unknown, _, Lang::Nl) | (_, None, Lang::Nl) => {
            format!(
                "{} is {now} in {}; een vergelijking met {} is niet mogelijk.",
                capitalise(facts.name),
                facts.year,
                facts.base_year
            )
        }
        (Movement::Unknown, _, Lang::En) | (_, None, Lang::En) => {
            format!(
                "{} is {now} in {}; no comparison with {} is possible.",
                capitalise(facts.name),
                facts.year,
                facts.base_year
            )
        }
        (m, Some(base), Lang::Nl) => {
            let then = with_unit(base, facts, lang);
            let verb = match m {
                Movement::Improved => "verbeterde",
                Movement::Worsened => "verslechterde",
                Movement::Rose => "steeg",
                Movement::Fell => "daalde",
                _ => "bleef vrijwel gelijk",
            };
            format!("{} {verb} van {then} in {} naar {now} in {}.", capitalise(facts.name), facts.base_year, facts.year)
        }
        (m, Some(base), Lang::En) => {
            let then = with_unit(base, facts, lang);
            let verb = match m {
                Movement::Improved => "improved",
                Movement::Worsened => "worsened",
                Movement::Rose => "rose",
                Movement::Fell => "fell",
                _ => "hardly changed",
            };
            format!("{} {verb} from {then} in {} to {now} in {}.", capitalise(facts.name), facts.base_year, facts.year)
        }
    };
    if let Some(previous) = facts.previous_value {
        let last = movement(margins, facts.unit, facts.direction, Some(previous), Some(value));
        let clause = match (last, lang) {
            (Movement::Improved, Lang::Nl) => Some("Ten opzichte van vorig jaar is dat een verbetering."),
            (Movement::Worsened, Lang::Nl) => Some("Ten opzichte van vorig jaar is dat een verslechtering."),
            (Movement::NoNotableChange, Lang::Nl) => {
                Some("Ten opzichte van vorig jaar is er geen noemenswaardige verandering.")
            }
            (Movement::Improved, Lang::En) => Some("Compared with last year, that is an improvement."),
            (Movement::Worsened, Lang::En) => Some("Compared with last year, that is a deterioration."),
            (Movement::NoNotableChange, Lang::En) => Some("Compared with last year, there is no notable change."),
            _ => None,
        };
        if let Some(c) = clause {
            text.push(' ');
            text.push_str(c);
        }
    }
    if let (Some(gap), Some(gap_base), false) =
        (facts.gap_to_netherlands, facts.gap_to_netherlands_base, facts.direction == Direction::Neutral)
    {
        let moved = margins.exceeds(facts.unit, gap_base.abs(), gap.abs());
        let clause = match (moved, gap.abs() < gap_base.abs(), lang) {
            (false, _, Lang::Nl) => "Het verschil met Nederland bleef ongeveer even groot.",
            (true, true, Lang::Nl) => "Het verschil met Nederland werd kleiner.",
            (true, false, Lang::Nl) => "Het verschil met Nederland werd groter.",
            (false, _, Lang::En) => "The gap with the Netherlands stayed about the same.",
            (true, true, Lang::En) => "The gap with the Netherlands narrowed.",
            (true, false, Lang::En) => "The gap with the Netherlands widened.",
        };
        text.push(' ');
        text.push_str(clause);
    }
    text
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(value: Option<f64>, base: Option<f64>, previous: Option<f64>) -> Facts<'static> {
        Facts {
            name: "het aandeel huishoudens met een laag inkomen",
            unit: "%",
            direction: Direction::LowerIsBetter,
            decimals: 1,
            year: 2024,
            value,
            status: if value.is_some() { Status::Final } else { Status::Secret },
            base_year: 2018,
            base_value: base,
            previous_value: previous,
            gap_to_netherlands: None,
            gap_to_netherlands_base: None,
        }
    }

    #[test]
    fn improvement_beyond_the_margin() {
        let m = Margins::builtin();
        let mut f = facts(Some(14.2), Some(18.0), Some(15.0));
        f.gap_to_netherlands = Some(7.0);
        f.gap_to_netherlands_base = Some(9.6);
        assert_eq!(
            sentence(&m, &f, Lang::Nl),
            "Het aandeel huishoudens met een laag inkomen verbeterde van 18,0% in 2018 naar 14,2% in 2024. \
             Ten opzichte van vorig jaar is dat een verbetering. Het verschil met Nederland werd kleiner."
        );
        let mut en = f.clone();
        en.name = "the share of households with a low income";
        assert_eq!(
            sentence(&m, &en, Lang::En),
            "The share of households with a low income improved from 18.0% in 2018 to 14.2% in 2024. \
             Compared with last year, that is an improvement. The gap with the Netherlands narrowed."
        );
    }

    #[test]
    fn deterioration_and_a_widening_gap() {
        let m = Margins::builtin();
        let mut f = facts(Some(21.0), Some(18.0), Some(20.9));
        f.gap_to_netherlands = Some(12.0);
        f.gap_to_netherlands_base = Some(9.6);
        assert_eq!(
            sentence(&m, &f, Lang::Nl),
            "Het aandeel huishoudens met een laag inkomen verslechterde van 18,0% in 2018 naar 21,0% in 2024. \
             Ten opzichte van vorig jaar is er geen noemenswaardige verandering. Het verschil met Nederland werd groter."
        );
    }

    #[test]
    fn changes_within_the_margin_are_not_called_changes() {
        let m = Margins::builtin();
        let f = facts(Some(18.3), Some(18.0), None);
        assert_eq!(
            sentence(&m, &f, Lang::Nl),
            "Het aandeel huishoudens met een laag inkomen bleef vrijwel gelijk van 18,0% in 2018 naar 18,3% in 2024."
        );
        // Counts use a relative margin: 2% of the earlier value.
        assert_eq!(
            movement(&m, "aantal", Direction::HigherIsBetter, Some(1000.0), Some(1015.0)),
            Movement::NoNotableChange
        );
        assert_eq!(movement(&m, "aantal", Direction::HigherIsBetter, Some(1000.0), Some(1025.0)), Movement::Improved);
        assert_eq!(movement(&m, "aantal", Direction::Neutral, Some(1000.0), Some(900.0)), Movement::Fell);
    }

    #[test]
    fn suppressed_figures_are_named_not_guessed() {
        let m = Margins::builtin();
        let f = facts(None, Some(18.0), Some(17.0));
        assert_eq!(
            sentence(&m, &f, Lang::Nl),
            "Het cijfer voor het aandeel huishoudens met een laag inkomen in 2024 is niet gepubliceerd om de privacy te beschermen."
        );
        assert_eq!(movement(&m, "%", Direction::LowerIsBetter, None, Some(1.0)), Movement::Unknown);
        let missing_base = facts(Some(14.0), None, None);
        assert!(sentence(&m, &missing_base, Lang::En).contains("no comparison with 2018 is possible"));
    }

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(format_value(862965.0, 0, Lang::Nl), "862.965");
        assert_eq!(format_value(862965.0, 0, Lang::En), "862,965");
        assert_eq!(format_value(-1234.56, 1, Lang::Nl), "-1.234,6");
        assert_eq!(format_value(0.5, 2, Lang::En), "0.50");
    }
}
