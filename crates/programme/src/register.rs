//! The register's records: flat entries (one figure each, as stored) and the typed records rebuilt from them.
//!
//! An entry is keyed by area, year, scheme, instance (the agreement, a tranche, a theme, a designation) and item.
//! The year is the year the figure is recorded for: the year of a flow (starts, spending) or, for an agreement,
//! grant or designation, the year it was recorded in. Rebuilding typed records validates every entry, so an
//! unknown item, a negative count or a Wbmgp designation longer than the law allows is refused wherever it comes
//! from (the seed file or the database). Items never describe individual people.

use crate::params::SchemeParams;
use std::collections::BTreeMap;
use std::fmt;

/// The schemes and instruments the register knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scheme {
    Woontop,
    Realisatiestimulans,
    Vhf,
    Spuk,
    Wbmgp,
}

impl Scheme {
    pub const ALL: [Scheme; 5] =
        [Scheme::Woontop, Scheme::Realisatiestimulans, Scheme::Vhf, Scheme::Spuk, Scheme::Wbmgp];

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Woontop => "woontop",
            Scheme::Realisatiestimulans => "realisatiestimulans",
            Scheme::Vhf => "vhf",
            Scheme::Spuk => "spuk",
            Scheme::Wbmgp => "wbmgp",
        }
    }

    pub fn parse(text: &str) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value of one entry.
#[derive(Debug, Clone, PartialEq)]
pub enum EntryValue {
    Number(f64),
    Text(String),
}

/// One figure of the register, with where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub area: String,
    pub year: i32,
    pub scheme: Scheme,
    pub instance: String,
    pub item: String,
    pub value: EntryValue,
    /// Where the figure comes from (a publication), or what made it (for synthetic figures).
    pub source: String,
    pub synthetic: bool,
}

/// Where a record's figures come from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Provenance {
    pub source: String,
    pub synthetic: bool,
}

/// A Woontop administrative agreement of one area (instance `agreement`). Unknown figures are `None`, never 0.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WoontopAgreement {
    pub year: i32,
    pub planned_starts_total: Option<f64>,
    /// All affordable planned starts, also when the source does not split them over segments.
    pub planned_affordable: Option<f64>,
    pub planned_social_rent: Option<f64>,
    pub planned_mid_rent: Option<f64>,
    pub planned_affordable_purchase: Option<f64>,
    pub planned_other: Option<f64>,
    pub above_plan_budget_eur: Option<f64>,
    pub capacity_budget_eur: Option<f64>,
    pub provenance: Provenance,
}

/// Realised construction starts and completions of one area in one year (Woontop instance `realised`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WoontopRealised {
    pub year: i32,
    pub starts: Option<f64>,
    pub completions: Option<f64>,
    pub provenance: Provenance,
}

/// Construction starts of one year as counted for the Realisatiestimulans (instance `starts`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StimulansStarts {
    pub year: i32,
    pub affordable_starts: f64,
    pub social_rent_starts: Option<f64>,
    pub total_starts: Option<f64>,
    pub provenance: Provenance,
}

/// A Volkshuisvestingsfonds tranche of one area (instance: the tranche, e.g. `tranche-3`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VhfTranche {
    pub year: i32,
    pub tranche: String,
    pub grant_year: Option<i32>,
    pub dwellings_requested: Option<f64>,
    pub dwellings_granted: Option<f64>,
    pub contribution_eur: Option<f64>,
    pub cofinancing_eur: Option<f64>,
    pub restructurings_started: Option<f64>,
    pub restructurings_completed: Option<f64>,
    pub provenance: Provenance,
}

/// The SPUK Kansrijke Wijk budget of one theme in one year (instance: the theme).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpukLine {
    pub year: i32,
    pub theme: String,
    pub budget_eur: f64,
    pub spent_eur: Option<f64>,
    pub provenance: Provenance,
}

/// A Wbmgp designation (instance: an id for the designation). Dates are years or `YYYY-MM-DD`, or unknown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WbmgpDesignation {
    pub year: i32,
    pub id: String,
    pub municipality: String,
    /// The complexes, streets or area designated, as the source names them.
    pub area_name: Option<String>,
    pub articles: Vec<u32>,
    /// `applied` or `intended`.
    pub status: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub renewal_of: Option<String>,
    pub evaluation: Option<String>,
    pub provenance: Provenance,
}

/// Everything the register holds for one area.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AreaRegister {
    pub area: String,
    pub woontop: Vec<WoontopAgreement>,
    pub realised: Vec<WoontopRealised>,
    pub stimulans: Vec<StimulansStarts>,
    pub vhf: Vec<VhfTranche>,
    pub spuk: Vec<SpukLine>,
    pub wbmgp: Vec<WbmgpDesignation>,
}

/// The entries of one record (same area, year, scheme and instance), by item.
struct Group<'a> {
    key: String,
    items: BTreeMap<&'a str, &'a EntryValue>,
    provenance: Provenance,
}

impl Group<'_> {
    fn number(&mut self, item: &str) -> Result<Option<f64>, String> {
        match self.items.remove(item) {
            None => Ok(None),
            Some(EntryValue::Number(n)) if n.is_finite() && *n >= 0.0 => Ok(Some(*n)),
            Some(EntryValue::Number(n)) => Err(format!("{}: {item} = {n} is not a non-negative number", self.key)),
            Some(EntryValue::Text(t)) => Err(format!("{}: {item} must be a number, not '{t}'", self.key)),
        }
    }

    fn required(&mut self, item: &str) -> Result<f64, String> {
        self.number(item)?.ok_or_else(|| format!("{}: {item} is required", self.key))
    }

    fn text(&mut self, item: &str) -> Result<Option<String>, String> {
        match self.items.remove(item) {
            None => Ok(None),
            Some(EntryValue::Text(t)) => Ok(Some(t.clone())),
            Some(EntryValue::Number(n)) => Ok(Some(format!("{n}"))),
        }
    }

    /// Refuses what is left: a misspelt item must not vanish silently.
    fn finish(self) -> Result<Provenance, String> {
        match self.items.keys().next() {
            None => Ok(self.provenance),
            Some(item) => Err(format!("{}: unknown item '{item}'", self.key)),
        }
    }
}

/// A year given as a number or as the start of a `YYYY-MM-DD` date.
fn year_of(text: &str) -> Option<i32> {
    text.get(..4)?.parse().ok().filter(|_| text.len() == 4 || text.as_bytes().get(4) == Some(&b'-'))
}

fn parse_date(text: &str) -> Option<(i32, Option<(u32, u32)>)> {
    if text.len() == 4 {
        return Some((year_of(text)?, None));
    }
    let d = wijkmonitor_model::date::Date::parse(text)?;
    Some((d.year, Some((d.month, d.day))))
}

/// Checks a designation against the Wbmgp: known articles, and an end at most the maximum number of years after
/// the start. With only years known, the comparison is by year.
pub fn check_designation(d: &WbmgpDesignation, params: &SchemeParams) -> Result<(), String> {
    let start = match &d.start {
        Some(s) => Some(
            parse_date(s).ok_or_else(|| format!("designation '{}': start '{s}' is not YYYY or YYYY-MM-DD", d.id))?,
        ),
        None => None,
    };
    let end = match &d.end {
        Some(s) => {
            Some(parse_date(s).ok_or_else(|| format!("designation '{}': end '{s}' is not YYYY or YYYY-MM-DD", d.id))?)
        }
        None => None,
    };
    let rule_year = start.map_or(d.year, |s| s.0);
    if let Some(allowed) = params.list("wbmgp.articles", rule_year) {
        if let Some(a) = d.articles.iter().find(|a| !allowed.contains(&(**a as f64))) {
            return Err(format!("designation '{}': article {a} is not an article of the Wbmgp that applies", d.id));
        }
    }
    if d.articles.is_empty() {
        return Err(format!("designation '{}' names no articles", d.id));
    }
    if let (Some(start), Some(end)) = (start, end) {
        if end < start {
            return Err(format!("designation '{}' ends before it starts", d.id));
        }
        let max = params
            .number("wbmgp.max_designation_years", start.0)
            .ok_or_else(|| format!("designation '{}': no maximum designation period applies in {}", d.id, start.0))?
            as i32;
        let too_long = match (start.1, end.1) {
            (Some(s), Some(e)) => (end.0, e) > (start.0 + max, s),
            _ => end.0 > start.0 + max,
        };
        if too_long {
            return Err(format!(
                "designation '{}': refused, it ends more than {max} years after its start (Wbmgp)",
                d.id
            ));
        }
    }
    Ok(())
}

impl AreaRegister {
    /// Rebuilds the typed records of every area from entries, validating each; one register per area, sorted.
    pub fn from_entries(entries: &[Entry], params: &SchemeParams) -> Result<Vec<AreaRegister>, String> {
        type Key<'a> = (&'a str, i32, Scheme, &'a str);
        let mut groups: BTreeMap<Key, Group> = BTreeMap::new();
        for e in entries {
            let group = groups.entry((&e.area, e.year, e.scheme, &e.instance)).or_insert_with(|| Group {
                key: format!("{} {} {} '{}'", e.area, e.year, e.scheme, e.instance),
                items: BTreeMap::new(),
                provenance: Provenance { source: e.source.clone(), synthetic: e.synthetic },
            });
            // A record mixing sources would show one label for figures of another.
            if group.provenance.source != e.source || group.provenance.synthetic != e.synthetic {
                return Err(format!("{}: all items of a record must share one source and synthetic flag", group.key));
            }
            if group.items.insert(&e.item, &e.value).is_some() {
                return Err(format!("{}: item '{}' given twice", group.key, e.item));
            }
        }
        let mut areas: BTreeMap<&str, AreaRegister> = BTreeMap::new();
        for ((area, year, scheme, instance), mut g) in groups {
            let reg =
                areas.entry(area).or_insert_with(|| AreaRegister { area: area.to_string(), ..Default::default() });
            match (scheme, instance) {
                (Scheme::Woontop, "agreement") => {
                    let a = WoontopAgreement {
                        year,
                        planned_starts_total: g.number("planned_starts_total")?,
                        planned_affordable: g.number("planned_affordable")?,
                        planned_social_rent: g.number("planned_social_rent")?,
                        planned_mid_rent: g.number("planned_mid_rent")?,
                        planned_affordable_purchase: g.number("planned_affordable_purchase")?,
                        planned_other: g.number("planned_other")?,
                        above_plan_budget_eur: g.number("above_plan_budget_eur")?,
                        capacity_budget_eur: g.number("capacity_budget_eur")?,
                        provenance: Provenance::default(),
                    };
                    let segments = [a.planned_social_rent, a.planned_mid_rent, a.planned_affordable_purchase];
                    let known: f64 = segments.iter().flatten().sum();
                    if let Some(affordable) = a.planned_affordable {
                        if known > affordable {
                            return Err(format!(
                                "{}: the affordable segments add up to more than the affordable total",
                                g.key
                            ));
                        }
                        if let Some(total) = a.planned_starts_total {
                            if affordable + a.planned_other.unwrap_or(0.0) > total {
                                return Err(format!("{}: affordable and other starts exceed the total", g.key));
                            }
                        }
                    }
                    reg.woontop.push(WoontopAgreement { provenance: g.finish()?, ..a });
                }
                (Scheme::Woontop, "realised") => {
                    let r = WoontopRealised {
                        year,
                        starts: g.number("starts")?,
                        completions: g.number("completions")?,
                        provenance: Provenance::default(),
                    };
                    reg.realised.push(WoontopRealised { provenance: g.finish()?, ..r });
                }
                (Scheme::Woontop, other) => {
                    return Err(format!("{}: a Woontop instance is 'agreement' or 'realised', not '{other}'", g.key))
                }
                (Scheme::Realisatiestimulans, "starts") => {
                    let s = StimulansStarts {
                        year,
                        affordable_starts: g.required("affordable_starts")?,
                        social_rent_starts: g.number("social_rent_starts")?,
                        total_starts: g.number("total_starts")?,
                        provenance: Provenance::default(),
                    };
                    if s.total_starts
                        .is_some_and(|t| t < s.affordable_starts || s.social_rent_starts.unwrap_or(0.0) > t)
                        || s.social_rent_starts.is_some_and(|sr| sr > s.affordable_starts)
                    {
                        return Err(format!("{}: a part is larger than its total", g.key));
                    }
                    reg.stimulans.push(StimulansStarts { provenance: g.finish()?, ..s });
                }
                (Scheme::Realisatiestimulans, other) => {
                    return Err(format!("{}: a Realisatiestimulans instance is 'starts', not '{other}'", g.key))
                }
                (Scheme::Vhf, tranche) => {
                    let t = VhfTranche {
                        year,
                        tranche: tranche.to_string(),
                        grant_year: g.number("grant_year")?.map(|y| y as i32),
                        dwellings_requested: g.number("dwellings_requested")?,
                        dwellings_granted: g.number("dwellings_granted")?,
                        contribution_eur: g.number("contribution_eur")?,
                        cofinancing_eur: g.number("cofinancing_eur")?,
                        restructurings_started: g.number("restructurings_started")?,
                        restructurings_completed: g.number("restructurings_completed")?,
                        provenance: Provenance::default(),
                    };
                    reg.vhf.push(VhfTranche { provenance: g.finish()?, ..t });
                }
                (Scheme::Spuk, theme) => {
                    let s = SpukLine {
                        year,
                        theme: theme.to_string(),
                        budget_eur: g.required("budget_eur")?,
                        spent_eur: g.number("spent_eur")?,
                        provenance: Provenance::default(),
                    };
                    reg.spuk.push(SpukLine { provenance: g.finish()?, ..s });
                }
                (Scheme::Wbmgp, id) => {
                    let articles_text =
                        g.text("articles")?.ok_or_else(|| format!("{}: articles is required", g.key))?;
                    let mut articles = Vec::new();
                    for part in articles_text.split(',') {
                        let a: u32 = part.trim().parse().map_err(|_| {
                            format!("{}: articles must be a list like \"9,10\", not '{articles_text}'", g.key)
                        })?;
                        articles.push(a);
                    }
                    let d = WbmgpDesignation {
                        year,
                        id: id.to_string(),
                        municipality: g
                            .text("municipality")?
                            .ok_or_else(|| format!("{}: municipality is required", g.key))?,
                        area_name: g.text("area_name")?,
                        articles,
                        status: g.text("status")?.unwrap_or_else(|| "applied".into()),
                        // The seed says "unknown" explicitly where the source gives no date; that is no date.
                        start: g.text("start")?.filter(|s| s != "unknown"),
                        end: g.text("end")?.filter(|s| s != "unknown"),
                        renewal_of: g.text("renewal_of")?,
                        evaluation: g.text("evaluation")?,
                        provenance: Provenance::default(),
                    };
                    if d.status != "applied" && d.status != "intended" {
                        return Err(format!("{}: status is 'applied' or 'intended', not '{}'", g.key, d.status));
                    }
                    check_designation(&d, params).map_err(|e| format!("{}: {e}", g.key))?;
                    reg.wbmgp.push(WbmgpDesignation { provenance: g.finish()?, ..d });
                }
            }
        }
        Ok(areas.into_values().collect())
    }
}
