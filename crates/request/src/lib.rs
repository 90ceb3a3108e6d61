//! The yearly request to the focus areas ("uitvraag"): its items (taken from the catalogue), the validation of
//! answers, and the life of one area's submission (not started, draft, submitted, returned, accepted).
//!
//! Everything here is pure: the caller passes the catalogue, the answers as typed, today's date and who acts, and
//! stores what comes back. The web form, the API and the Excel upload all go through [`validate`], so an answer is
//! refused (or accepted) the same way whichever way it arrives.
//!
//! # Layout
//! - this module: the items, answers as typed and their validation, rounds and the life of a submission;
//! - [`workbook`]: the Excel template of an area's request and the reading of an uploaded one.

pub mod workbook;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wijkmonitor_model::catalogue::{InputKind, Supplier};
use wijkmonitor_model::date::Date;
use wijkmonitor_model::Catalogue;

/// One item of the request: an area-supplied indicator of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// The indicator id; also the key of the answer.
    pub indicator: String,
    /// The item number in the request (several indicators can share one number, e.g. a count and its total).
    pub number: u32,
    #[serde(serialize_with = "serialize_input")]
    pub input: InputKind,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The item this one is part of: its answer may not exceed that one.
    pub part_of: Option<String>,
    pub name_nl: String,
    pub name_en: String,
    pub definition_nl: String,
    pub definition_en: String,
    pub unit: String,
}

impl Item {
    /// Whether the answer must be a whole number (counts of dwellings, people, jobs).
    pub fn whole(&self) -> bool {
        matches!(self.input, InputKind::Number) && self.unit == "aantal"
            || matches!(self.input, InputKind::Rating5 | InputKind::Rating10)
    }

    /// Whether a submission needs an answer (open questions may stay empty).
    pub fn required(&self) -> bool {
        self.input != InputKind::Text
    }

    /// `number`, `percent`, `rating5`, `rating10` or `text`.
    pub fn input_name(&self) -> &'static str {
        input_name(self.input)
    }
}

fn serialize_input<S: serde::Serializer>(input: &InputKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(input_name(*input))
}

/// `number`, `percent`, `rating5`, `rating10` or `text`.
pub fn input_name(input: InputKind) -> &'static str {
    match input {
        InputKind::Number => "number",
        InputKind::Percent => "percent",
        InputKind::Rating5 => "rating5",
        InputKind::Rating10 => "rating10",
        InputKind::Text => "text",
    }
}

/// The items of the request in the order of the request form (by number, then as the catalogue lists them).
pub fn items(catalogue: &Catalogue) -> Vec<Item> {
    let mut items: Vec<Item> = catalogue
        .indicators
        .iter()
        .filter(|i| i.supplied_by == Supplier::Area)
        .filter_map(|i| {
            let r = i.request.as_ref()?;
            Some(Item {
                indicator: i.id.clone(),
                number: r.number,
                input: r.input,
                min: r.min,
                max: r.max,
                part_of: r.part_of.clone(),
                name_nl: i.name_nl.clone(),
                name_en: i.name_en.clone(),
                definition_nl: i.definition_nl.clone(),
                definition_en: i.definition_en.clone(),
                unit: i.unit.clone(),
            })
        })
        .collect();
    // A stable sort keeps the catalogue's order within one number (the total before its part, as written there).
    items.sort_by_key(|i| i.number);
    items
}

/// An answer as typed (in the form, the API or a spreadsheet cell), before validation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RawAnswer {
    #[serde(default)]
    pub value: String,
    /// The area's optional explanation of the figure.
    #[serde(default)]
    pub explanation: String,
}

/// A validated answer value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AnswerValue {
    Number(f64),
    Text(String),
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The item (indicator id) the message belongs next to.
    pub item: String,
    /// `not_a_number`, `not_whole`, `out_of_range`, `ambiguous`, `part_exceeds_total`, `required`,
    /// `unknown_item` or `too_long`.
    pub code: &'static str,
    pub message_nl: String,
    pub message_en: String,
}

/// The longest text answer or explanation accepted (characters).
pub const MAX_TEXT: usize = 4000;

/// Parses a number as people type it in the Netherlands or elsewhere: `1500`, `1 500`, `12,5` and `12.5`. A dot
/// followed by groups of three digits (`1.500`) is refused as ambiguous: it is 1500 in Dutch and 1.5 in English.
pub fn parse_number(text: &str) -> Result<f64, &'static str> {
    let cleaned: String = text.trim().chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect();
    let cleaned = cleaned.trim_end_matches('%');
    if cleaned.is_empty() {
        return Err("not_a_number");
    }
    let has_comma = cleaned.contains(',');
    let has_dot = cleaned.contains('.');
    let normalised = match (has_comma, has_dot) {
        (true, true) => {
            // Both: the last one is the decimal separator, the other groups thousands.
            let (dec, group) = if cleaned.rfind(',') > cleaned.rfind('.') { (',', '.') } else { ('.', ',') };
            cleaned.replace(group, "").replace(dec, ".")
        }
        (true, false) => {
            if cleaned.matches(',').count() > 1 {
                return Err("not_a_number");
            }
            cleaned.replace(',', ".")
        }
        (false, true) => {
            let groups: Vec<&str> = cleaned.trim_start_matches('-').split('.').collect();
            let grouped = groups.len() > 1
                && groups[0].len() <= 3
                && groups[1..].iter().all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
            if grouped {
                return Err("ambiguous");
            }
            cleaned.to_string()
        }
        (false, false) => cleaned.to_string(),
    };
    if !normalised.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') {
        return Err("not_a_number");
    }
    normalised.parse::<f64>().ok().filter(|n| n.is_finite()).ok_or("not_a_number")
}

fn error(item: &str, code: &'static str, nl: String, en: String) -> FieldError {
    FieldError { item: item.to_string(), code, message_nl: nl, message_en: en }
}

fn show(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

/// Validates answers against the items. With `complete`, every required item must be answered (a submission);
/// without, empty answers are fine (a draft). Returns the values of the answered items, or every error found
/// (all of them, so a form can show each next to its field).
pub fn validate(
    items: &[Item],
    answers: &BTreeMap<String, RawAnswer>,
    complete: bool,
) -> Result<BTreeMap<String, AnswerValue>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut values = BTreeMap::new();
    for key in answers.keys() {
        if !items.iter().any(|i| &i.indicator == key) {
            errors.push(error(
                key,
                "unknown_item",
                format!("'{key}' is geen onderdeel van de uitvraag"),
                format!("'{key}' is not an item of the request"),
            ));
        }
    }
    for item in items {
        let raw = answers.get(&item.indicator).cloned().unwrap_or_default();
        if raw.explanation.chars().count() > MAX_TEXT {
            errors.push(error(
                &item.indicator,
                "too_long",
                format!("de toelichting is langer dan {MAX_TEXT} tekens"),
                format!("the explanation is longer than {MAX_TEXT} characters"),
            ));
        }
        let text = raw.value.trim();
        if text.is_empty() {
            if complete && item.required() {
                errors.push(error(&item.indicator, "required", "vul dit in".into(), "this is required".into()));
            }
            continue;
        }
        if item.input == InputKind::Text {
            if text.chars().count() > MAX_TEXT {
                errors.push(error(
                    &item.indicator,
                    "too_long",
                    format!("het antwoord is langer dan {MAX_TEXT} tekens"),
                    format!("the answer is longer than {MAX_TEXT} characters"),
                ));
            } else {
                values.insert(item.indicator.clone(), AnswerValue::Text(text.to_string()));
            }
            continue;
        }
        let n = match parse_number(text) {
            Ok(n) => n,
            Err("ambiguous") => {
                errors.push(error(
                    &item.indicator,
                    "ambiguous",
                    format!("'{text}' is dubbelzinnig: schrijf een getal zonder scheidingsteken voor duizendtallen"),
                    format!("'{text}' is ambiguous: write the number without a thousands separator"),
                ));
                continue;
            }
            Err(_) => {
                errors.push(error(
                    &item.indicator,
                    "not_a_number",
                    format!("'{text}' is geen getal"),
                    format!("'{text}' is not a number"),
                ));
                continue;
            }
        };
        if item.whole() && n.fract() != 0.0 {
            errors.push(error(
                &item.indicator,
                "not_whole",
                format!("{} is geen geheel getal", show(n)),
                format!("{} is not a whole number", show(n)),
            ));
            continue;
        }
        let below = item.min.is_some_and(|m| n < m);
        let above = item.max.is_some_and(|m| n > m);
        if below || above {
            let range = match (item.min, item.max) {
                (Some(a), Some(b)) => {
                    (format!("tussen {} en {}", show(a), show(b)), format!("between {} and {}", show(a), show(b)))
                }
                (Some(a), None) => (format!("minstens {}", show(a)), format!("at least {}", show(a))),
                (None, Some(b)) => (format!("hoogstens {}", show(b)), format!("at most {}", show(b))),
                (None, None) => (String::new(), String::new()),
            };
            errors.push(error(
                &item.indicator,
                "out_of_range",
                format!("{} ligt buiten het plausibele bereik: verwacht {}", show(n), range.0),
                format!("{} is outside the plausible range: expected {}", show(n), range.1),
            ));
            continue;
        }
        values.insert(item.indicator.clone(), AnswerValue::Number(n));
    }
    // Consistency between items: a part may not exceed its total.
    for item in items {
        let Some(total_id) = &item.part_of else { continue };
        let (Some(AnswerValue::Number(part)), Some(AnswerValue::Number(total))) =
            (values.get(&item.indicator), values.get(total_id))
        else {
            continue;
        };
        if part > total {
            let total_item = items.iter().find(|i| &i.indicator == total_id);
            let (nl, en) = total_item.map_or((total_id.as_str(), total_id.as_str()), |t| (&t.name_nl, &t.name_en));
            errors.push(error(
                &item.indicator,
                "part_exceeds_total",
                format!("{} is meer dan het totaal bij '{}' ({})", show(*part), nl, show(*total)),
                format!("{} is more than the total given for '{}' ({})", show(*part), en, show(*total)),
            ));
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

/// The state of one area's answers in one round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    NotStarted,
    Draft,
    Submitted,
    Returned,
    Accepted,
}

impl SubmissionStatus {
    pub const ALL: [SubmissionStatus; 5] = [
        SubmissionStatus::NotStarted,
        SubmissionStatus::Draft,
        SubmissionStatus::Submitted,
        SubmissionStatus::Returned,
        SubmissionStatus::Accepted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::NotStarted => "not_started",
            SubmissionStatus::Draft => "draft",
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::Returned => "returned",
            SubmissionStatus::Accepted => "accepted",
        }
    }

    pub fn parse(text: &str) -> Option<SubmissionStatus> {
        SubmissionStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn name_nl(self) -> &'static str {
        match self {
            SubmissionStatus::NotStarted => "niet begonnen",
            SubmissionStatus::Draft => "concept",
            SubmissionStatus::Submitted => "ingediend",
            SubmissionStatus::Returned => "teruggestuurd",
            SubmissionStatus::Accepted => "geaccepteerd",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            SubmissionStatus::NotStarted => "not started",
            SubmissionStatus::Draft => "draft",
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::Returned => "returned",
            SubmissionStatus::Accepted => "accepted",
        }
    }
}

/// A request round: one year, its window and whether its accepted figures are published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    /// The year the figures are about (the past calendar year when the round opens in spring).
    pub year: i32,
    pub opens: Date,
    pub closes: Date,
}

impl Round {
    /// The default window: 15 April to 15 June of the year after the one the figures are about.
    pub fn with_default_window(year: i32) -> Round {
        Round {
            year,
            opens: Date { year: year + 1, month: 4, day: 15 },
            closes: Date { year: year + 1, month: 6, day: 15 },
        }
    }

    pub fn is_open(&self, today: Date) -> bool {
        self.opens <= today && today <= self.closes
    }
}

/// Changes to a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The area saves its answers without submitting.
    SaveDraft,
    Submit,
    /// The analyst sends it back with comments.
    Return,
    Accept,
    /// The analyst lets the area change its answers again after the deadline (or after acceptance).
    Reopen,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SaveDraft => "save_draft",
            Action::Submit => "submit",
            Action::Return => "return",
            Action::Accept => "accept",
            Action::Reopen => "reopen",
        }
    }
}

/// A submission as far as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmissionState {
    pub status: SubmissionStatus,
    /// Until when an analyst has reopened it after the deadline.
    pub reopened_until: Option<Date>,
}

/// Why an action is not allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub message_nl: String,
    pub message_en: String,
}

fn refused(nl: &str, en: &str) -> Refused {
    Refused { message_nl: nl.into(), message_en: en.into() }
}

impl SubmissionState {
    /// Whether the area may change its answers today.
    pub fn editable(&self, round: &Round, today: Date) -> bool {
        let in_time = round.is_open(today) || self.reopened_until.is_some_and(|d| today <= d && round.opens <= today);
        in_time
            && matches!(
                self.status,
                SubmissionStatus::NotStarted | SubmissionStatus::Draft | SubmissionStatus::Returned
            )
    }

    /// The status after `action`, or why it is not allowed. `analyst` says whether a programme analyst acts
    /// (area editors save and submit; analysts return, accept and reopen).
    pub fn apply(
        &self,
        action: Action,
        analyst: bool,
        round: &Round,
        today: Date,
    ) -> Result<SubmissionStatus, Refused> {
        match action {
            Action::SaveDraft | Action::Submit => {
                if analyst {
                    return Err(refused(
                        "alleen het gebied zelf vult de uitvraag in",
                        "only the area itself fills in the request",
                    ));
                }
                if today < round.opens {
                    return Err(refused("de uitvraag is nog niet open", "the request is not open yet"));
                }
                if !matches!(
                    self.status,
                    SubmissionStatus::NotStarted | SubmissionStatus::Draft | SubmissionStatus::Returned
                ) {
                    return Err(match self.status {
                        SubmissionStatus::Submitted => refused(
                            "de antwoorden zijn ingediend; wacht op de beoordeling",
                            "the answers have been submitted; wait for the review",
                        ),
                        _ => refused(
                            "de antwoorden zijn geaccepteerd; vraag een analist om heropening",
                            "the answers have been accepted; ask an analyst to reopen them",
                        ),
                    });
                }
                if !self.editable(round, today) {
                    return Err(refused(
                        "de termijn is verstreken; een analist kan de uitvraag heropenen",
                        "the deadline has passed; an analyst can reopen the request",
                    ));
                }
                Ok(if action == Action::Submit { SubmissionStatus::Submitted } else { SubmissionStatus::Draft })
            }
            Action::Return | Action::Accept => {
                if !analyst {
                    return Err(refused("alleen een analist beoordeelt", "only an analyst reviews"));
                }
                if self.status != SubmissionStatus::Submitted {
                    return Err(refused(
                        "alleen ingediende antwoorden kunnen worden beoordeeld",
                        "only submitted answers can be reviewed",
                    ));
                }
                Ok(if action == Action::Accept { SubmissionStatus::Accepted } else { SubmissionStatus::Returned })
            }
            Action::Reopen => {
                if !analyst {
                    return Err(refused("alleen een analist kan heropenen", "only an analyst can reopen"));
                }
                if self.status == SubmissionStatus::NotStarted && round.is_open(today) {
                    return Err(refused("de uitvraag is nog open", "the request is still open"));
                }
                Ok(SubmissionStatus::Returned)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wijkmonitor_model::date::add_days;

    fn raw(v: &str) -> RawAnswer {
        RawAnswer { value: v.into(), explanation: String::new() }
    }

    #[test]
    fn numbers_as_typed() {
        assert_eq!(parse_number("1500"), Ok(1500.0));
        assert_eq!(parse_number(" 1 500 "), Ok(1500.0));
        assert_eq!(parse_number("12,5"), Ok(12.5));
        assert_eq!(parse_number("12.5"), Ok(12.5));
        assert_eq!(parse_number("1.500,25"), Ok(1500.25));
        assert_eq!(parse_number("1,500.25"), Ok(1500.25));
        assert_eq!(parse_number("1.500"), Err("ambiguous"));
        assert_eq!(parse_number("veel"), Err("not_a_number"));
        assert_eq!(parse_number("1e5"), Err("not_a_number"));
        assert_eq!(parse_number("40%"), Ok(40.0));
    }

    #[test]
    fn the_catalogue_gives_all_25_items_in_order() {
        let items = items(&Catalogue::builtin());
        let mut numbers: Vec<u32> = items.iter().map(|i| i.number).collect();
        assert!(numbers.windows(2).all(|w| w[0] <= w[1]));
        numbers.dedup();
        assert_eq!(numbers, (1..=25).collect::<Vec<_>>());
        assert!(items.iter().any(|i| i.part_of.is_some()), "the request checks at least one part against its total");
    }

    #[test]
    fn validation_names_each_field() {
        let items = items(&Catalogue::builtin());
        let mut answers = BTreeMap::new();
        answers.insert("households_energy_saving".to_string(), raw("veel"));
        answers.insert("private_dwellings_bought_up".to_string(), raw("99999"));
        answers.insert("social_rent_quality_improved".to_string(), raw("12,5"));
        answers.insert("nope".to_string(), raw("1"));
        let errors = validate(&items, &answers, false).unwrap_err();
        let codes: Vec<(&str, &str)> = errors.iter().map(|e| (e.item.as_str(), e.code)).collect();
        assert!(codes.contains(&("households_energy_saving", "not_a_number")), "{codes:?}");
        assert!(codes.contains(&("private_dwellings_bought_up", "out_of_range")), "{codes:?}");
        assert!(codes.contains(&("social_rent_quality_improved", "not_whole")), "{codes:?}");
        assert!(codes.contains(&("nope", "unknown_item")), "{codes:?}");
        // A draft may leave items empty, a submission may not.
        let one: BTreeMap<_, _> = [("households_energy_saving".to_string(), raw("120"))].into();
        assert_eq!(validate(&items, &one, false).unwrap().len(), 1);
        let errors = validate(&items, &one, true).unwrap_err();
        assert!(errors.iter().all(|e| e.code == "required"));
        assert!(!errors.iter().any(|e| e.item == "wijkwijzer_missing"), "open questions may stay empty");
    }

    #[test]
    fn a_part_may_not_exceed_its_total() {
        let items = items(&Catalogue::builtin());
        let part = items.iter().find(|i| i.part_of.is_some()).unwrap();
        let total = part.part_of.clone().unwrap();
        let answers: BTreeMap<_, _> = [(part.indicator.clone(), raw("50")), (total.clone(), raw("40"))].into();
        let errors = validate(&items, &answers, false).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].item.as_str(), errors[0].code), (part.indicator.as_str(), "part_exceeds_total"));
        let answers: BTreeMap<_, _> = [(part.indicator.clone(), raw("40")), (total, raw("40"))].into();
        assert!(validate(&items, &answers, false).is_ok());
    }

    #[test]
    fn the_life_of_a_submission() {
        let round = Round::with_default_window(2025);
        let during = Date { year: 2026, month: 5, day: 1 };
        let after = Date { year: 2026, month: 7, day: 1 };
        let before = Date { year: 2026, month: 3, day: 1 };
        let new = SubmissionState { status: SubmissionStatus::NotStarted, reopened_until: None };
        assert_eq!(new.apply(Action::SaveDraft, false, &round, during), Ok(SubmissionStatus::Draft));
        assert!(new.apply(Action::SaveDraft, false, &round, before).is_err());
        assert!(new.apply(Action::Submit, false, &round, after).is_err(), "no submission after the deadline");
        assert!(new.apply(Action::Submit, true, &round, during).is_err(), "analysts do not fill in");
        let submitted = SubmissionState { status: SubmissionStatus::Submitted, reopened_until: None };
        assert!(submitted.apply(Action::SaveDraft, false, &round, during).is_err(), "submitted is frozen");
        assert!(submitted.apply(Action::Accept, false, &round, during).is_err(), "editors do not accept");
        assert_eq!(submitted.apply(Action::Return, true, &round, during), Ok(SubmissionStatus::Returned));
        assert_eq!(submitted.apply(Action::Accept, true, &round, after), Ok(SubmissionStatus::Accepted));
        // After the deadline a returned submission needs an analyst's reopening.
        let late = SubmissionState { status: SubmissionStatus::Returned, reopened_until: None };
        assert!(late.apply(Action::Submit, false, &round, after).is_err());
        let reopened =
            SubmissionState { status: SubmissionStatus::Returned, reopened_until: Some(add_days(after, 14)) };
        assert_eq!(reopened.apply(Action::Submit, false, &round, after), Ok(SubmissionStatus::Submitted));
        assert!(reopened.apply(Action::Submit, false, &round, add_days(after, 15)).is_err());
    }
}
