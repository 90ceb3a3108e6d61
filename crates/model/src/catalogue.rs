//! The indicator catalogue: which figures the monitor stores (variables) and which it publishes (indicators).
//!
//! The catalogue is a data file (`data/catalogue/catalogue.toml`), versioned with the code, so that analysts
//! can read and review it and the indicator set can change yearly without a code change.
//!
//! - A **variable** is a stored quantity as a source publishes it (the number of inhabitants, the
//!   percentage of low-income households, a Leefbaarometer score). Each variable says how to recognise its
//!   column in source files *by meaning*: the title and unit CBS gives it, never the numeric key suffix
//!   (`AantalInwoners_5`) that changes with every table.
//! - An **indicator** is what the monitor publishes. It names its action line, tier, direction and
//!   disclosure rule, and how it aggregates from buurten to larger areas in terms of variables: a sum, a ratio
//!   of two sums, a weighted mean, a share of a weight in buurten below a threshold, or not at all.
//!
//! Indicators that the focus areas supply themselves (the yearly request) are marked `supplied_by = "area"`;
//! each is its own variable, so a file need not declare both.

use crate::disclosure::DisclosureRules;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// The programme's action lines ("actielijnen").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionLine {
    /// 1 Integraal: governance, the local alliance, knowledge sharing.
    Integral,
    /// 2 Fysiek: housing and the physical environment.
    Physical,
    /// 3 Meedoen: participation, work, income, education, care.
    Participation,
    /// 4 Veiligheid: safety.
    Safety,
}

impl ActionLine {
    pub const ALL: [ActionLine; 4] =
        [ActionLine::Integral, ActionLine::Physical, ActionLine::Participation, ActionLine::Safety];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionLine::Integral => "integral",
            ActionLine::Physical => "physical",
            ActionLine::Participation => "participation",
            ActionLine::Safety => "safety",
        }
    }

    pub fn name_nl(self) -> &'static str {
        match self {
            ActionLine::Integral => "Integraal",
            ActionLine::Physical => "Fysiek",
            ActionLine::Participation => "Meedoen",
            ActionLine::Safety => "Veiligheid",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            ActionLine::Integral => "Integral",
            ActionLine::Physical => "Physical",
            ActionLine::Participation => "Participation",
            ActionLine::Safety => "Safety",
        }
    }
}

/// The position of an indicator in the results chain of the monitoring framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Input,
    Realisation,
    Effect,
    Context,
    Process,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Input => "input",
            Tier::Realisation => "realisation",
            Tier::Effect => "effect",
            Tier::Context => "context",
            Tier::Process => "process",
        }
    }
}

/// Who supplies the figures of an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Supplier {
    /// A national source (CBS, Politie, Leefbaarometer, ...).
    #[default]
    National,
    /// The focus area itself, through the yearly request ("uitvraag").
    Area,
    /// The programme register of schemes and agreements.
    Register,
}

impl Supplier {
    pub fn as_str(self) -> &'static str {
        match self {
            Supplier::National => "national",
            Supplier::Area => "area",
            Supplier::Register => "register",
        }
    }
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
    /// Descriptive (e.g. the number of inhabitants): neither way is better.
    Neutral,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher_is_better",
            Direction::LowerIsBetter => "lower_is_better",
            Direction::Neutral => "neutral",
        }
    }
}

/// What kind of quantity a variable is; this decides whether it may be summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariableKind {
    /// A count of persons, households, dwellings, events, ... Counts can be summed.
    Count,
    /// A percentage of some base (0-100). Never summed; aggregated with a weight.
    Percentage,
    /// An average or median over some base. Never summed; aggregated with a weight.
    Average,
    /// A rate such as "per 1,000 inhabitants". Never summed; aggregated with a weight.
    Rate,
    /// A score on a scale (Leefbaarometer, ratings). Never summed; aggregated with a weight.
    Score,
    /// An amount of money in euro. Can be summed.
    Amount,
    /// Free text (open questions in the yearly request). Never aggregated.
    Text,
}

impl VariableKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VariableKind::Count => "count",
            VariableKind::Percentage => "percentage",
            VariableKind::Average => "average",
            VariableKind::Rate => "rate",
            VariableKind::Score => "score",
            VariableKind::Amount => "amount",
            VariableKind::Text => "text",
        }
    }

    /// Whether values of this kind may be added up across regions.
    pub fn is_additive(self) -> bool {
        matches!(self, VariableKind::Count | VariableKind::Amount)
    }
}

/// How a source column is recognised as a variable. All given fields must agree.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ColumnMatch {
    /// The topic title as the source gives it (`Aantal inwoners`), compared without case, accents,
    /// spaces or punctuation.
    #[serde(default)]
    pub title: Option<String>,
    /// The unit as the source gives it (`aantal`, `%`, `x 1 000 euro`).
    #[serde(default)]
    pub unit: Option<String>,
    /// For tables with a category dimension (e.g. `SoortMisdrijf` in the police tables): the category title.
    #[serde(default)]
    pub category: Option<String>,
    /// For files with a fixed layout (Leefbaarometer): the exact column name.
    #[serde(default)]
    pub column: Option<String>,
}

/// A stored quantity.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    pub id: String,
    pub name_nl: String,
    pub name_en: String,
    /// The unit as shown (`aantal`, `%`, `x 1 000 euro`, `score`).
    pub unit: String,
    pub kind: VariableKind,
    /// A short source id (`cbs-kwb`, `politie`, `leefbaarometer`, `area`, `register`).
    pub source: String,
    /// How to recognise this variable in source files.
    #[serde(default, rename = "match")]
    pub matches: Vec<ColumnMatch>,
}

/// How an indicator is computed for an aggregate of buurten (an area, a rest of a municipality).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Aggregation {
    /// The sum of a count or amount.
    Sum { variable: String },
    /// `scale * sum(numerator) / sum(denominator)`, e.g. crimes per 1,000 inhabitants.
    Ratio {
        numerator: String,
        denominator: String,
        #[serde(default = "one")]
        scale: f64,
    },
    /// `sum(value * weight) / sum(weight)`; for CBS percentages the weight is the base the percentage is of
    /// (so the result equals a ratio of recomputed sums).
    WeightedMean { variable: String, weight: String },
    /// The share (in %) of `weight` living in buurten whose `variable` is at most the parameter
    /// `threshold` (e.g. dwellings in buurten with a Leefbaarometer score "weak" or lower).
    ShareAtOrBelow { variable: String, weight: String, threshold: String },
    /// Not aggregable (e.g. a rating that only exists per area); shown only where supplied.
    None { variable: String },
}

fn one() -> f64 {
    1.0
}

impl Aggregation {
    /// The variables this aggregation reads.
    pub fn variables(&self) -> Vec<&str> {
        match self {
            Aggregation::Sum { variable } | Aggregation::None { variable } => vec![variable],
            Aggregation::Ratio { numerator, denominator, .. } => vec![numerator, denominator],
            Aggregation::WeightedMean { variable, weight } | Aggregation::ShareAtOrBelow { variable, weight, .. } => {
                vec![variable, weight]
            }
        }
    }

    pub fn method(&self) -> &'static str {
        match self {
            Aggregation::Sum { .. } => "sum",
            Aggregation::Ratio { .. } => "ratio",
            Aggregation::WeightedMean { .. } => "weighted_mean",
            Aggregation::ShareAtOrBelow { .. } => "share_at_or_below",
            Aggregation::None { .. } => "none",
        }
    }
}

/// How an area answers a request item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    Number,
    Percent,
    Rating5,
    Rating10,
    Text,
}

/// The place of an area-supplied indicator in the yearly request.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestItem {
    /// The item number in the request (1-25).
    pub number: u32,
    pub input: InputKind,
    /// Plausible range; values outside it are refused with a message.
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// An indicator this one is part of (a part may not exceed its total).
    #[serde(default)]
    pub part_of: Option<String>,
}

/// A published indicator.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    pub name_nl: String,
    pub name_en: String,
    pub definition_nl: String,
    pub definition_en: String,
    /// The unit as shown (`%`, `aantal`, `per 1.000 inwoners`, `score`, `x 1 000 euro`).
    pub unit: String,
    pub action_line: ActionLine,
    pub tier: Tier,
    /// The source as cited ("CBS, Kerncijfers wijken en buurten").
    pub source: String,
    #[serde(default)]
    pub supplied_by: Supplier,
    pub direction: Direction,
    pub aggregation: Aggregation,
    /// The id of a rule in the disclosure file.
    pub disclosure: String,
    /// Decimals shown.
    #[serde(default)]
    pub decimals: u8,
    /// Whether the indicator is one of the headline effect indicators of the national progress report.
    #[serde(default)]
    pub headline: bool,
    /// The number of the indicator in the programme's draft set for its action line, where it has one.
    #[serde(default)]
    pub framework_ref: Option<String>,
    /// For area-supplied indicators: the request item.
    #[serde(default)]
    pub request: Option<RequestItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    #[serde(default)]
    variable: Vec<Variable>,
    #[serde(default)]
    indicator: Vec<Indicator>,
}

/// A problem with the catalogue file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueError(pub String);

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "indicator catalogue: {}", self.0)
    }
}

impl std::error::Error for CatalogueError {}

/// The loaded, validated catalogue.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub variables: Vec<Variable>,
    pub indicators: Vec<Indicator>,
    by_id: HashMap<String, usize>,
}

/// Folds a title or unit to the letters and digits that carry its meaning: lowercase, accents removed,
/// spaces and punctuation dropped. `Wmo-cliënten` and `Wmo.cli\u{eb}nten` both become `wmoclienten`, and the
/// R-style labelled header `Bevolking.Aantal.inwoners..aantal.` becomes `bevolkingaantalinwonersaantal`.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let folded = match c {
            'á' | 'à' | 'ä' | 'â' | 'Á' | 'Ä' => 'a',
            'é' | 'è' | 'ë' | 'ê' | 'É' | 'Ë' => 'e',
            'í' | 'ì' | 'ï' | 'î' | 'Ï' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' | 'Ö' => 'o',
            'ú' | 'ù' | 'ü' | 'û' | 'Ü' => 'u',
            c => c,
        };
        if folded.is_ascii_alphanumeric() {
            out.push(folded.to_ascii_lowercase());
        }
    }
    out
}

impl Catalogue {
    /// Parses and validates a catalogue file. `rules` are the disclosure rules the indicators may name.
    pub fn parse(text: &str, rules: &DisclosureRules) -> Result<Catalogue, CatalogueError> {
        let file: CatalogueFile = toml::from_str(text).map_err(|e| CatalogueError(e.to_string()))?;
        let mut variables = file.variable;
        // Area-supplied and register indicators are their own variables unless the file declares them.
        let declared: HashSet<String> = variables.iter().map(|v| v.id.clone()).collect();
        for ind in &file.indicator {
            if ind.supplied_by != Supplier::National && !declared.contains(&ind.id) {
                let kind = match ind.request.as_ref().map(|r| r.input) {
                    Some(InputKind::Text) => VariableKind::Text,
                    Some(InputKind::Rating5 | InputKind::Rating10) => VariableKind::Score,
                    Some(InputKind::Percent) => VariableKind::Percentage,
                    _ if ind.unit == "euro" => VariableKind::Amount,
                    _ => VariableKind::Count,
                };
                variables.push(Variable {
                    id: ind.id.clone(),
                    name_nl: ind.name_nl.clone(),
                    name_en: ind.name_en.clone(),
                    unit: ind.unit.clone(),
                    kind,
                    source: ind.supplied_by.as_str().to_string(),
                    matches: Vec::new(),
                });
            }
        }
        let mut by_id = HashMap::new();
        for (i, v) in variables.iter().enumerate() {
            if !crate::area::is_valid_area_id(&v.id.replace('_', "-")) {
                return Err(CatalogueError(format!("variable id '{}' must be lowercase snake_case", v.id)));
            }
            if by_id.insert(v.id.clone(), i).is_some() {
                return Err(CatalogueError(format!("variable '{}' is declared twice", v.id)));
            }
            for m in &v.matches {
                if m.title.is_none() && m.column.is_none() {
                    return Err(CatalogueError(format!("variable '{}': a match needs a title or a column", v.id)));
                }
            }
        }
        let mut indicator_ids = HashSet::new();
        for ind in &file.indicator {
            if !indicator_ids.insert(ind.id.as_str()) {
                return Err(CatalogueError(format!("indicator '{}' is declared twice", ind.id)));
            }
            for var in ind.aggregation.variables() {
                let Some(&vi) = by_id.get(var) else {
                    return Err(CatalogueError(format!("indicator '{}' uses unknown variable '{var}'", ind.id)));
                };
                let v = &variables[vi];
                if let Aggregation::Sum { .. } = ind.aggregation {
                    if !v.kind.is_additive() {
                        return Err(CatalogueError(format!(
                            "indicator '{}' sums variable '{}', which is a {} and cannot be summed",
                            ind.id,
                            v.id,
                            v.kind.as_str()
                        )));
                    }
                }
            }
            if let Aggregation::WeightedMean { weight, .. }
            | Aggregation::ShareAtOrBelow { weight, .. }
            | Aggregation::Ratio { denominator: weight, .. } = &ind.aggregation
            {
                let w = &variables[by_id[weight.as_str()]];
                if !w.kind.is_additive() {
                    return Err(CatalogueError(format!(
                        "indicator '{}' weights by '{}', which is not a count",
                        ind.id, w.id
                    )));
                }
            }
            if rules.get(&ind.disclosure).is_none() {
                return Err(CatalogueError(format!(
                    "indicator '{}' names disclosure rule '{}', which the disclosure file does not define",
                    ind.id, ind.disclosure
                )));
            }
            if (ind.supplied_by == Supplier::Area) != ind.request.is_some() {
                return Err(CatalogueError(format!(
                    "indicator '{}': area-supplied indicators, and only those, have a request item",
                    ind.id
                )));
            }
        }
        for ind in &file.indicator {
            if let Some(part_of) = ind.request.as_ref().and_then(|r| r.part_of.as_ref()) {
                if !indicator_ids.contains(part_of.as_str()) {
                    return Err(CatalogueError(format!("indicator '{}' is part of unknown '{part_of}'", ind.id)));
                }
            }
        }
        Ok(Catalogue { variables, indicators: file.indicator, by_id })
    }

    /// The catalogue shipped with wijkmonitor.
    pub fn builtin() -> Catalogue {
        // The built-in files are checked by a unit test, so a failure here is a build defect, not bad input.
        let rules = DisclosureRules::builtin();
        Catalogue::parse(crate::BUILTIN_CATALOGUE, &rules).unwrap_or_else(|e| panic!("built-in catalogue: {e}"))
    }

    pub fn variable(&self, id: &str) -> Option<&Variable> {
        self.by_id.get(id).map(|&i| &self.variables[i])
    }

    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// The variable whose match has this title and unit (as in OData `DataProperties`), optionally for one
    /// category of a category dimension (as in the police tables).
    pub fn match_topic(&self, title: &str, unit: &str, category: Option<&str>) -> Option<&Variable> {
        let (title, unit) = (normalise(title), normalise(unit));
        let category = category.map(normalise);
        self.variables.iter().find(|v| {
            v.matches.iter().any(|m| {
                m.column.is_none()
                    && m.title.as_deref().map(normalise).as_deref() == Some(title.as_str())
                    && m.unit.as_deref().is_none_or(|u| normalise(u) == unit)
                    && m.category.as_deref().map(normalise) == category
            })
        })
    }

    /// The variable matching a labelled header that joins the theme path, title and unit into one text, as
    /// R writes StatLine column names (`Bevolking.Aantal.inwoners..aantal.`) and as the StatLine web export
    /// writes them (`Aantal inwoners (aantal)`). The header matches when its folded text ends with the folded
    /// title and unit; when several variables match, the longest match wins, so `Huishoudens totaal` is not
    /// taken for `totaal`.
    pub fn match_labelled(&self, header: &str) -> Option<&Variable> {
        let header = normalise(header);
        let mut best: Option<(usize, &Variable)> = None;
        for v in &self.variables {
            for m in &v.matches {
                if m.column.is_some() || m.category.is_some() {
                    continue;
                }
                let Some(title) = m.title.as_deref() else { continue };
                let needle = format!("{}{}", normalise(title), m.unit.as_deref().map(normalise).unwrap_or_default());
                if !needle.is_empty() && header.ends_with(&needle) && best.is_none_or(|(len, _)| needle.len() > len) {
                    best = Some((needle.len(), v));
                }
            }
        }
        best.map(|(_, v)| v)
    }

    /// The variable bound to an exact column name of a fixed-layout source (e.g. `lbm` in the Leefbaarometer).
    pub fn match_column(&self, source: &str, column: &str) -> Option<&Variable> {
        self.variables
            .iter()
            .find(|v| v.source == source && v.matches.iter().any(|m| m.column.as_deref() == Some(column)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_is_valid() {
        let c = Catalogue::builtin();
        assert!(c.indicators.len() >= 40, "the catalogue covers the framework ({} indicators)", c.indicators.len());
        for line in ActionLine::ALL {
            assert!(c.indicators.iter().any(|i| i.action_line == line), "no indicator for {line:?}");
        }
        // Every area-supplied request item 1-25 is present once.
        let mut items: Vec<u32> = c.indicators.iter().filter_map(|i| i.request.as_ref().map(|r| r.number)).collect();
        items.sort();
        items.dedup();
        assert_eq!(items, (1..=25).collect::<Vec<_>>());
    }

    #[test]
    fn matches_by_meaning_not_by_key() {
        let c = Catalogue::builtin();
        assert_eq!(c.match_topic("Aantal inwoners", "aantal", None).unwrap().id, "inhabitants");
        assert_eq!(c.match_topic("Aantal inkomensontvangers   ", "aantal", None).unwrap().id, "income_recipients");
        assert_eq!(c.match_labelled("Bevolking.Aantal.inwoners..aantal.").unwrap().id, "inhabitants");
        assert_eq!(c.match_labelled("Aantal inwoners (aantal)").unwrap().id, "inhabitants");
        assert_eq!(
            c.match_labelled("Inkomen.Inkomen.van.huishoudens.Huishoudens.met.een.laag.inkomen....").unwrap().id,
            "households_low_income_pct"
        );
        assert_eq!(
            c.match_labelled("Bevolking.Particuliere.huishoudens.Huishoudens.totaal..aantal.").unwrap().id,
            "households"
        );
        assert!(c.match_labelled("Bevolking.Geslacht.Mannen..kWh.").is_none());
        assert_eq!(c.match_column("leefbaarometer", "lbm").unwrap().id, "lbm_score");
    }

    #[test]
    fn rejects_inconsistent_catalogues() {
        let rules = DisclosureRules::builtin();
        let base = r#"
[[variable]]
id = "pct"
name_nl = "p"
name_en = "p"
unit = "%"
kind = "percentage"
source = "cbs-kwb"
"#;
        let summed = format!(
            "{base}\n[[indicator]]\nid = \"x\"\nname_nl = \"x\"\nname_en = \"x\"\ndefinition_nl = \"\"\ndefinition_en = \"\"\nunit = \"%\"\naction_line = \"physical\"\ntier = \"effect\"\nsource = \"CBS\"\ndirection = \"neutral\"\ndisclosure = \"none\"\naggregation = {{ method = \"sum\", variable = \"pct\" }}\n"
        );
        let err = Catalogue::parse(&summed, &rules).unwrap_err().to_string();
        assert!(err.contains("cannot be summed"), "{err}");
        let unknown = summed.replace("variable = \"pct\"", "variable = \"nope\"");
        assert!(Catalogue::parse(&unknown, &rules).unwrap_err().to_string().contains("unknown variable 'nope'"));
        let bad_rule = summed
            .replace("kind = \"percentage\"", "kind = \"count\"")
            .replace("disclosure = \"none\"", "disclosure = \"nope\"");
        assert!(Catalogue::parse(&bad_rule, &rules).unwrap_err().to_string().contains("disclosure rule 'nope'"));
    }

    #[test]
    fn normalise_folds_accents_and_punctuation() {
        assert_eq!(normalise("Wmo-cliënten"), "wmoclienten");
        assert_eq!(normalise("Zorg.Wmo.cliënten..aantal."), "zorgwmoclientenaantal");
        assert_eq!(normalise("x 1 000 euro"), "x1000euro");
    }
}
