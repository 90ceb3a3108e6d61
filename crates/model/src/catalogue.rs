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
    /// For a percentage: the count it is the share of (`youth_care_pct` is 100 × `youth_care` / its base), so
    /// that a published mean of it, times its base, gives that count back (see [`Catalogue::required_links`]).
    #[serde(default)]
    pub share_of: Option<String>,
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
    /// `threshold` (e.g. dwellings in buurten with a Leefbaarometer score "weak" or lower). `published` names the
    /// variable in which a region publishes this share itself (the Leefbaarometer's national figure): a region
    /// with its own figure there uses it, as with the other methods.
    ShareAtOrBelow {
        variable: String,
        weight: String,
        threshold: String,
        #[serde(default)]
        published: Option<String>,
    },
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
            Aggregation::WeightedMean { variable, weight } => vec![variable, weight],
            Aggregation::ShareAtOrBelow { variable, weight, published, .. } => {
                let mut v = vec![variable.as_str(), weight.as_str()];
                v.extend(published.as_deref());
                v
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
    /// For a headline indicator: the indicator headline blocks show in its place, saying so, where this one has
    /// no figure at all (the Leefbaarometer score where no dwellings per buurt were imported to weigh the share
    /// of dwellings in weak buurten).
    #[serde(default)]
    pub headline_fallback: Option<String>,
    /// The number of the indicator in the programme's draft set for its action line, where it has one.
    #[serde(default)]
    pub framework_ref: Option<String>,
    /// For area-supplied indicators: the request item.
    #[serde(default)]
    pub request: Option<RequestItem>,
}

/// The known unit in the graph of [`Catalogue::required_links`]: a sum publishes its count "over 1".
pub const GROUND: &str = "1";

/// What two linked indicators share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkVia {
    /// Both publish the same count (a count and a rate or share of it): each, with the published base, gives the
    /// other back, so suppression travels both ways.
    Numerator,
    /// The first is the count the second (a rate or share) is taken of: when the count is secret, the rate and
    /// its published numerator would give it back, so suppression travels from the count to the rate. (The other
    /// way needs nothing more: a secret rate makes its numerator secret through their numerator link.)
    Denominator,
}

impl LinkVia {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkVia::Numerator => "numerator",
            LinkVia::Denominator => "denominator",
        }
    }
}

/// Two indicators that give each other away at the same region and period, so that disclosure control must
/// suppress them together (`[[link]]` in the catalogue file).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureLink {
    /// For a denominator link: the count first, then the rate or share.
    pub indicators: [String; 2],
    pub via: LinkVia,
}

impl DisclosureLink {
    /// The directions in which suppression travels: `(from, to)` pairs of indicator ids.
    pub fn directions(&self) -> Vec<(&str, &str)> {
        let [a, b] = &self.indicators;
        match self.via {
            LinkVia::Numerator => vec![(a.as_str(), b.as_str()), (b.as_str(), a.as_str())],
            LinkVia::Denominator => vec![(a.as_str(), b.as_str())],
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    #[serde(default)]
    variable: Vec<Variable>,
    #[serde(default)]
    indicator: Vec<Indicator>,
    #[serde(default)]
    link: Vec<DisclosureLink>,
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
    /// Indicators that give each other away (see [`DisclosureLink`]); exactly [`Catalogue::required_links`].
    pub links: Vec<DisclosureLink>,
    by_id: HashMap<String, usize>,
}

/// Checks the declared links against [`Catalogue::required_links`] (a numerator link may name its two indicators
/// in either order) and returns them in the canonical order.
fn check_links(catalogue: &Catalogue, declared: Vec<DisclosureLink>) -> Result<Vec<DisclosureLink>, CatalogueError> {
    let required = catalogue.required_links();
    let canonical = |l: DisclosureLink| -> DisclosureLink {
        let [a, b] = l.indicators;
        match l.via {
            LinkVia::Numerator if b < a => DisclosureLink { indicators: [b, a], via: l.via },
            _ => DisclosureLink { indicators: [a, b], via: l.via },
        }
    };
    let required: Vec<DisclosureLink> = required.into_iter().map(canonical).collect();
    let mut seen = HashSet::new();
    for link in declared {
        for id in &link.indicators {
            if catalogue.indicator(id).is_none() {
                return Err(CatalogueError(format!("link names unknown indicator '{id}'")));
            }
        }
        let link = canonical(link);
        if !required.contains(&link) {
            return Err(CatalogueError(format!(
                "link {} - {} by {}: these indicators do not give each other away, so the link would only \
                 suppress figures for nothing",
                link.indicators[0],
                link.indicators[1],
                link.via.as_str()
            )));
        }
        seen.insert(link);
    }
    for link in &required {
        if !seen.contains(link) {
            return Err(CatalogueError(format!(
                "indicators '{}' and '{}' give each other away ({}); declare [[link]] indicators = [\"{}\", \
                 \"{}\"] via = \"{}\" so that disclosure control suppresses them together",
                link.indicators[0],
                link.indicators[1],
                match link.via {
                    LinkVia::Numerator => "they publish the same count",
                    LinkVia::Denominator => "the second is taken over the amount the first publishes, and the other figures give back the rest",
                },
                link.indicators[0],
                link.indicators[1],
                link.via.as_str()
            )));
        }
    }
    let mut links: Vec<DisclosureLink> = seen.into_iter().collect();
    links.sort();
    Ok(links)
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
                    share_of: None,
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
        for v in &variables {
            if let Some(count) = &v.share_of {
                let ok = v.kind == VariableKind::Percentage
                    && by_id.get(count).is_some_and(|&i| variables[i].kind == VariableKind::Count);
                if !ok {
                    return Err(CatalogueError(format!(
                        "variable '{}' is declared the share of '{count}': only a percentage can be the share of a \
                         count the catalogue declares",
                        v.id
                    )));
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
            if let Some(fallback) = &ind.headline_fallback {
                if !ind.headline || !indicator_ids.contains(fallback.as_str()) || fallback == &ind.id {
                    return Err(CatalogueError(format!(
                        "indicator '{}': headline_fallback '{fallback}' must be another known indicator, on a \
                         headline indicator",
                        ind.id
                    )));
                }
            }
            if let Some(part_of) = ind.request.as_ref().and_then(|r| r.part_of.as_ref()) {
                if !indicator_ids.contains(part_of.as_str()) {
                    return Err(CatalogueError(format!("indicator '{}' is part of unknown '{part_of}'", ind.id)));
                }
            }
        }
        let mut catalogue = Catalogue { variables, indicators: file.indicator, links: Vec::new(), by_id };
        catalogue.links = check_links(&catalogue, file.link)?;
        Ok(catalogue)
    }

    /// Whether an indicator's figures are supplied per focus area (the yearly request, the programme register)
    /// rather than computed from buurten: all the variables it reads come from the areas or the register.
    pub fn is_area_level(&self, indicator: &Indicator) -> bool {
        let variables = indicator.aggregation.variables();
        !variables.is_empty()
            && variables.iter().all(|v| {
                self.variable(v)
                    .is_some_and(|v| v.source == Supplier::Area.as_str() || v.source == Supplier::Register.as_str())
            })
    }

    /// What an indicator publishes about amounts, as `(numerator, denominator)`: its value ties the amount of
    /// the numerator to that of the denominator at each region. A sum publishes its count outright (the
    /// denominator is [`GROUND`], the known unit); a ratio its numerator over its denominator; a weighted mean
    /// of a percentage declared `share_of` a count publishes that count over the weight, any other weighted mean
    /// its total (`mean × weight`) over the weight; a share at or below a threshold the part of its weight below
    /// the threshold over the weight. Indicators that are not aggregated publish nothing of the kind.
    pub fn published_amounts(&self, ind: &Indicator) -> Option<(String, String)> {
        Some(match &ind.aggregation {
            Aggregation::Sum { variable } => (variable.clone(), GROUND.to_string()),
            Aggregation::Ratio { numerator, denominator, .. } => (numerator.clone(), denominator.clone()),
            Aggregation::WeightedMean { variable, weight } => {
                match self.variable(variable).and_then(|v| v.share_of.as_ref()) {
                    Some(count) => (count.clone(), weight.clone()),
                    None => (format!("{variable} x {weight}"), weight.clone()),
                }
            }
            Aggregation::ShareAtOrBelow { variable, weight, threshold, .. } => {
                (format!("{weight} where {variable} <= {threshold}"), weight.clone())
            }
            Aggregation::None { .. } => return None,
        })
    }

    /// The links disclosure control needs between the national indicators (those computed from buurten).
    ///
    /// At one region and period, the published indicators form a graph: amounts (counts, totals) are nodes and
    /// each indicator is an edge between its numerator and its denominator (see [`Self::published_amounts`]);
    /// a sum is an edge to the known unit. An indicator's value can be computed from the others exactly when
    /// its two ends are connected without it, that is when it lies on a cycle. To break every cycle through a
    /// secret indicator, it suffices to suppress the indicators next to it at its numerator on each such cycle.
    /// So indicator `a` links to `b` when `b` touches `a`'s numerator (as its own numerator: a *numerator*
    /// link, which then holds both ways; or as its denominator: a *denominator* link from `a` to `b`) and the
    /// other ends of `a` and `b` are connected without `a`, `b` and that numerator. Counts that are the base of
    /// other figures (inhabitants, households, dwellings) are thus never suppressed to protect a rate: the rate's
    /// numerator is.
    ///
    /// The catalogue file must declare exactly these, so that every relation is visible where the indicators
    /// are defined and a new indicator cannot forget one.
    pub fn required_links(&self) -> Vec<DisclosureLink> {
        let edges: Vec<(&str, String, String)> = self
            .indicators
            .iter()
            .filter(|i| i.supplied_by == Supplier::National)
            .filter_map(|i| self.published_amounts(i).map(|(num, den)| (i.id.as_str(), num, den)))
            .collect();
        // Whether `from` reaches `to` over the edges other than `skip`, through nodes other than `avoid`.
        let connected = |from: &str, to: &str, skip: [usize; 2], avoid: &str| -> bool {
            let mut seen: HashSet<&str> = HashSet::from([from]);
            let mut stack = vec![from];
            while let Some(node) = stack.pop() {
                if node == to {
                    return true;
                }
                for (e, (_, a, b)) in edges.iter().enumerate() {
                    if skip.contains(&e) {
                        continue;
                    }
                    let next = if a == node {
                        b.as_str()
                    } else if b == node {
                        a.as_str()
                    } else {
                        continue;
                    };
                    if next != avoid && seen.insert(next) {
                        stack.push(next);
                    }
                }
            }
            false
        };
        let mut links = Vec::new();
        for (i, (a, num_a, den_a)) in edges.iter().enumerate() {
            for (j, (b, num_b, den_b)) in edges.iter().enumerate() {
                if i == j {
                    continue;
                }
                let (via, other_b) = if num_b == num_a {
                    (LinkVia::Numerator, den_b)
                } else if den_b == num_a {
                    (LinkVia::Denominator, num_b)
                } else {
                    continue;
                };
                // A numerator link is found from both ends; keep it once.
                if via == LinkVia::Numerator && b < a {
                    continue;
                }
                if connected(den_a, other_b, [i, j], num_a) {
                    links.push(DisclosureLink { indicators: [a.to_string(), b.to_string()], via });
                }
            }
        }
        links.sort();
        links
    }

    /// The catalogue shipped with wijkmonitor.
    pub fn builtin() -> Catalogue {
        // Parsed once per process (checking the links walks the indicators' graph), then copied.
        static BUILTIN: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                // The built-in files are checked by a unit test, so a failure here is a build defect, not bad input.
                let rules = DisclosureRules::builtin();
                Catalogue::parse(crate::BUILTIN_CATALOGUE, &rules).unwrap_or_else(|e| panic!("built-in catalogue: {e}"))
            })
            .clone()
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
