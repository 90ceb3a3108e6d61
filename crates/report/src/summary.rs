//! Summary sentences generated from the figures, in plain Dutch or English.
//!
//! For each indicator the summary says whether the area improved or worsened since the base year (and since
//! last year), but only when the change is demonstrable: its 95% interval, from the figure's counting model
//! (Poisson counts, binomial shares, the spread of the buurten's own changes; see `wijkmonitor_engine::uncertainty`),
//! excludes zero. Otherwise it says the change is not demonstrable, and where no model applies (figures supplied per
//! area) it describes the change without a verdict. The direction of the indicator decides what counts as better.
//! Where the gap with the Netherlands is known in both years it says whether the gap closed or widened by more than
//! the interval. A suppressed or missing figure is named as such, never guessed. Whether a change came about
//! because of the programme is the effect analysis' question, not this summary's.

use wijkmonitor_model::catalogue::Direction;
use wijkmonitor_model::Status;

pub use wijkmonitor_model::lang::Lang;

/// The 95% interval of a change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
}

impl Interval {
    /// From a comparison's bounds, when both are there.
    pub fn of(lower: Option<f64>, upper: Option<f64>) -> Option<Interval> {
        lower.zip(upper).map(|(lower, upper)| Interval { lower, upper })
    }

    pub fn excludes_zero(self) -> bool {
        self.lower > 0.0 || self.upper < 0.0
    }

    pub fn half_width(self) -> f64 {
        (self.upper - self.lower) / 2.0
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
    /// The 95% intervals of the change since the base year and since the previous year.
    pub since_base: Option<Interval>,
    pub since_previous: Option<Interval>,
}

/// How an indicator moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    Improved,
    Worsened,
    /// The interval includes zero.
    NoDemonstrableChange,
    /// Demonstrably up or down, but the indicator is descriptive (neither way is better).
    Rose,
    Fell,
    /// A change without a model to test it (figures supplied per area).
    Untested,
    /// No comparison possible: the figure or the earlier one is missing or suppressed.
    Unknown,
}

/// How an indicator moved between two figures, given the interval of the change.
pub fn movement(direction: Direction, from: Option<f64>, to: Option<f64>, interval: Option<Interval>) -> Movement {
    let (Some(from), Some(to)) = (from, to) else { return Movement::Unknown };
    let Some(interval) = interval else { return Movement::Untested };
    if !interval.excludes_zero() {
        return Movement::NoDemonstrableChange;
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

/// The sentence about one indicator: its movement since the base year (with the interval), since last year, and
/// the gap with the Netherlands.
pub fn sentence(facts: &Facts<'_>, lang: Lang) -> String {
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
    let since_base = movement(facts.direction, facts.base_value, Some(value), facts.since_base);
    let signed = |x: f64| {
        let text = format_value(x, facts.decimals, lang);
        if x > 0.0 {
            format!("+{text}")
        } else {
            text
        }
    };
    let interval = facts.since_base.map(|i| match lang {
        Lang::Nl => format!(
            " (verandering {}, 95%-interval {} tot {})",
            signed(value - facts.base_value.unwrap_or(value)),
            signed(i.lower),
            signed(i.upper)
        ),
        Lang::En => format!(
            " (change {}, 95% interval {} to {})",
            signed(value - facts.base_value.unwrap_or(value)),
            signed(i.lower),
            signed(i.upper)
        ),
    });
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
        (Movement::Untested, Some(base), Lang::Nl) => format!(
            "{} was {} in {} en is {now} in {}; voor deze indicator is niet te toetsen of dat een echte verandering is.",
            capitalise(facts.name),
            with_unit(base, facts, lang),
            facts.base_year,
            facts.year
        ),
        (Movement::Untested, Some(base), Lang::En) => format!(
            "{} was {} in {} and is {now} in {}; for this indicator there is no test of whether that is a real change.",
            capitalise(facts.name),
            with_unit(base, facts, lang),
            facts.base_year,
            facts.year
        ),
        (m, Some(base), Lang::Nl) => {
            let then = with_unit(base, facts, lang);
            let verb = match m {
                Movement::Improved => "verbeterde aantoonbaar",
                Movement::Worsened => "verslechterde aantoonbaar",
                Movement::Rose => "steeg aantoonbaar",
                Movement::Fell => "daalde aantoonbaar",
                _ => "veranderde niet aantoonbaar",
            };
            format!(
                "{} {verb} van {then} in {} naar {now} in {}{}.",
                capitalise(facts.name),
                facts.base_year,
                facts.year,
                interval.unwrap_or_default()
            )
        }
        (m, Some(base), Lang::En) => {
            let then = with_unit(base, facts, lang);
            let verb = match m {
                Movement::Improved => "improved demonstrably",
                Movement::Worsened => "worsened demonstrably",
                Movement::Rose => "rose demonstrably",
                Movement::Fell => "fell demonstrably",
                _ => "did not change demonstrably",
            };
            format!(
                "{} {verb} from {then} in {} to {now} in {}{}.",
                capitalise(facts.name),
                facts.base_year,
                facts.year,
                interval.unwrap_or_default()
            )
        }
    };
    if let Some(previous) = facts.previous_value {
        let last = movement(facts.direction, Some(previous), Some(value), facts.since_previous);
        let clause = match (last, lang) {
            (Movement::Improved, Lang::Nl) => Some("Ten opzichte van vorig jaar is dat een aantoonbare verbetering."),
            (Movement::Worsened, Lang::Nl) => {
                Some("Ten opzichte van vorig jaar is dat een aantoonbare verslechtering.")
            }
            (Movement::NoDemonstrableChange, Lang::Nl) => {
                Some("Ten opzichte van vorig jaar is er geen aantoonbare verandering.")
            }
            (Movement::Improved, Lang::En) => Some("Compared with last year, that is a demonstrable improvement."),
            (Movement::Worsened, Lang::En) => Some("Compared with last year, that is a demonstrable deterioration."),
            (Movement::NoDemonstrableChange, Lang::En) => {
                Some("Compared with last year, there is no demonstrable change.")
            }
            _ => None,
        };
        if let Some(c) = clause {
            text.push(' ');
            text.push_str(c);
        }
    }
    // The gap to the Netherlands moves with the area's own figure (the national figure is all but certain), so it
    // counts as moved only beyond the interval of the area's change.
    if let (Some(gap), Some(gap_base), Some(interval), false) = (
        facts.gap_to_netherlands,
        facts.gap_to_netherlands_base,
        facts.since_base,
        facts.direction == Direction::Neutral,
    ) {
        let moved = (gap.abs() - gap_base.abs()).abs() > interval.half_width();
        let clause = match (moved, gap.abs() < gap_base.abs(), lang) {
            (false, _, Lang::Nl) => "Het verschil met Nederland veranderde niet aantoonbaar.",
            (true, true, Lang::Nl) => "Het verschil met Nederland werd aantoonbaar kleiner.",
            (true, false, Lang::Nl) => "Het verschil met Nederland werd aantoonbaar groter.",
            (false, _, Lang::En) => "The gap with the Netherlands did not change demonstrably.",
            (true, true, Lang::En) => "The gap with the Netherlands narrowed demonstrably.",
            (true, false, Lang::En) => "The gap with the Netherlands widened demonstrably.",
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
            since_base: None,
            since_previous: None,
        }
    }

    const NARROW: Option<Interval> = Some(Interval { lower: -4.8, upper: -2.8 });

    #[test]
    fn a_demonstrable_improvement_is_called_one_with_its_interval() {
        let mut f = facts(Some(14.2), Some(18.0), Some(15.0));
        f.since_base = NARROW;
        f.since_previous = Some(Interval { lower: -1.3, upper: -0.3 });
        f.gap_to_netherlands = Some(7.0);
        f.gap_to_netherlands_base = Some(9.6);
        assert_eq!(
            sentence(&f, Lang::Nl),
            "Het aandeel huishoudens met een laag inkomen verbeterde aantoonbaar van 18,0% in 2018 naar 14,2% in 2024 \
             (verandering -3,8, 95%-interval -4,8 tot -2,8). Ten opzichte van vorig jaar is dat een aantoonbare \
             verbetering. Het verschil met Nederland werd aantoonbaar kleiner."
        );
        let mut en = f.clone();
        en.name = "the share of households with a low income";
        assert_eq!(
            sentence(&en, Lang::En),
            "The share of households with a low income improved demonstrably from 18.0% in 2018 to 14.2% in 2024 \
             (change -3.8, 95% interval -4.8 to -2.8). Compared with last year, that is a demonstrable improvement. \
             The gap with the Netherlands narrowed demonstrably."
        );
    }

    #[test]
    fn a_change_whose_interval_includes_zero_is_not_called_anything() {
        let mut f = facts(Some(21.0), Some(18.0), Some(20.9));
        f.since_base = Some(Interval { lower: -0.5, upper: 6.5 });
        f.since_previous = Some(Interval { lower: -1.0, upper: 1.2 });
        f.gap_to_netherlands = Some(12.0);
        f.gap_to_netherlands_base = Some(9.6);
        assert_eq!(
            sentence(&f, Lang::Nl),
            "Het aandeel huishoudens met een laag inkomen veranderde niet aantoonbaar van 18,0% in 2018 naar 21,0% in \
             2024 (verandering +3,0, 95%-interval -0,5 tot +6,5). Ten opzichte van vorig jaar is er geen aantoonbare \
             verandering. Het verschil met Nederland veranderde niet aantoonbaar."
        );
        assert_eq!(
            movement(
                Direction::HigherIsBetter,
                Some(1000.0),
                Some(1015.0),
                Some(Interval { lower: -40.0, upper: 70.0 })
            ),
            Movement::NoDemonstrableChange
        );
        assert_eq!(
            movement(
                Direction::HigherIsBetter,
                Some(1000.0),
                Some(1095.0),
                Some(Interval { lower: 40.0, upper: 150.0 })
            ),
            Movement::Improved
        );
        assert_eq!(
            movement(Direction::Neutral, Some(1000.0), Some(900.0), Some(Interval { lower: -150.0, upper: -50.0 })),
            Movement::Fell
        );
    }

    #[test]
    fn a_change_without_a_model_is_described_not_judged() {
        let f = facts(Some(14.0), Some(18.0), None);
        assert_eq!(
            sentence(&f, Lang::Nl),
            "Het aandeel huishoudens met een laag inkomen was 18,0% in 2018 en is 14,0% in 2024; voor deze indicator is \
             niet te toetsen of dat een echte verandering is."
        );
        assert_eq!(movement(Direction::LowerIsBetter, Some(18.0), Some(14.0), None), Movement::Untested);
    }

    #[test]
    fn suppressed_figures_are_named_not_guessed() {
        let f = facts(None, Some(18.0), Some(17.0));
        assert_eq!(
            sentence(&f, Lang::Nl),
            "Het cijfer voor het aandeel huishoudens met een laag inkomen in 2024 is niet gepubliceerd om de privacy te beschermen."
        );
        assert_eq!(movement(Direction::LowerIsBetter, None, Some(1.0), NARROW), Movement::Unknown);
        let missing_base = facts(Some(14.0), None, None);
        assert!(sentence(&missing_base, Lang::En).contains("no comparison with 2018 is possible"));
    }

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(format_value(862965.0, 0, Lang::Nl), "862.965");
        assert_eq!(format_value(862965.0, 0, Lang::En), "862,965");
        assert_eq!(format_value(-1234.56, 1, Lang::Nl), "-1.234,6");
        assert_eq!(format_value(0.5, 2, Lang::En), "0.50");
    }
}
