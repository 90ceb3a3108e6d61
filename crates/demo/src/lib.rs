//! The demo database's content: synthetic figures for the 20 focus areas and their municipalities, 2018-2025.
//!
//! Everything here is **synthetic**: made-up figures with plausible magnitudes, generated deterministically
//! (the same build gives the same figures on every machine) so that the dashboard, the reports and the tests
//! have something realistic to show without any real data at hand. The region codes and names are real
//! (the CBS 2024 classification of the 19 NPLV municipalities, shipped in `data/regions/`); the figures are not.
//! Every import made from this data is recorded as synthetic, and everything that shows it says so.
//!
//! The generator gives each buurt a "vulnerability" between 0 and 1 (higher inside focus areas) and derives
//! every figure from it with a little noise, so that areas differ from the rest of their municipality the way
//! real focus areas do. Every buurt improves a little each year alike; in half of the focus areas (every other
//! area of the delineation, see [`effect_areas`]) an effect of the programme is injected from 2022 on, so that the
//! effect analysis has something to find there and nothing in the other half. Wijk, gemeente and national totals are aggregated
//! from the buurten the way CBS does it (counts summed, percentages weighted by their base), except for the
//! Netherlands, whose figures are set directly to national magnitudes.

use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use wijkmonitor_model::batch::{Format, ImportBatch};
use wijkmonitor_model::hash::{sha256_hex, Fingerprint};
use wijkmonitor_model::{FocusAreaSet, Located, Observation, Period, Region, RegionCode, RegionKind, Status, Value};

/// The code list of the 19 NPLV municipalities in the CBS 2024 classification (`code,name`).
pub const NPLV_CODE_LIST_2024: &str = include_str!("../../../data/regions/nplv-gemeenten-2024.csv");

/// The first and last year of the demo data.
pub const FIRST_YEAR: i32 = 2018;
pub const LAST_YEAR: i32 = 2025;

/// Bumped whenever the generator changes, so the demo's imports get a new fingerprint.
const GENERATOR_VERSION: &str = "wijkmonitor-demo-3";

/// The title every synthetic import carries.
pub const SYNTHETIC_LABEL: &str = "SYNTHETIC demo data (not real figures) / SYNTHETISCHE demodata (geen echte cijfers)";

/// Parses the shipped code list into regions of classification year 2024, plus the Netherlands.
pub fn code_list_2024() -> Result<Vec<Region>, Located> {
    parse_code_list(NPLV_CODE_LIST_2024, "nplv-gemeenten-2024.csv (built in)", 2024)
}

/// Parses a `code,name` code list.
pub fn parse_code_list(text: &str, file: &str, year: i32) -> Result<Vec<Region>, Located> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let mut regions = vec![Region::new(RegionCode::netherlands(), "Nederland", year)];
    for record in reader.records() {
        let record = record.map_err(|e| Located::at(file, e.position().map_or(0, |p| p.line()), 0, e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let code =
            RegionCode::parse(record.get(0).unwrap_or("")).map_err(|e| Located::at(file, line, 1, e.to_string()))?;
        let name = record.get(1).unwrap_or("").trim();
        regions.push(Region::new(code, name, year));
    }
    Ok(regions)
}

/// A small deterministic random number generator (SplitMix64): enough for plausible noise, no dependency.
struct Rng(u64);

impl Rng {
    fn seeded(text: &str) -> Rng {
        let digest = Sha256::digest(text.as_bytes());
        let mut seed = [0u8; 8];
        seed.copy_from_slice(&digest[..8]);
        Rng(u64::from_le_bytes(seed))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn round_to(x: f64, step: f64) -> f64 {
    (x / step).round() * step
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The year from which the injected programme effect applies.
pub const EFFECT_START: i32 = 2022;

/// The focus areas whose buurten carry an injected programme effect from [`EFFECT_START`] on: every other area of
/// the delineation, starting with the first. The others carry none.
pub fn effect_areas(areas: &FocusAreaSet) -> Vec<&str> {
    areas.areas.iter().step_by(2).map(|a| a.id.as_str()).collect()
}

/// How far a buurt has come by `year`: the same small improvement every year for every buurt, plus the injected
/// programme effect (growing by a step each year from the start) in the buurten of [`effect_areas`].
fn progress(b: &Buurt, year: i32) -> f64 {
    let common = 0.006 * f64::from(year - FIRST_YEAR);
    let programme = if b.effect && year >= EFFECT_START { 0.03 * f64::from(year - EFFECT_START + 1) } else { 0.0 };
    common + programme
}

/// The fixed traits of one synthetic buurt.
struct Buurt {
    code: RegionCode,
    /// In an area of [`effect_areas`].
    effect: bool,
    vulnerability: f64,
    inhabitants_2018: f64,
    growth: f64,
    household_size: f64,
    seed: String,
}

/// Which variables the demo fills, and from which synthetic "source".
const KWB_COUNTS: [&str; 13] = [
    "inhabitants",
    "men",
    "women",
    "age_0_14",
    "age_15_24",
    "age_25_44",
    "age_45_64",
    "age_65_plus",
    "households",
    "dwellings",
    "income_recipients",
    "social_assistance",
    "youth_care",
];

/// The counts `more_buurt_figures` adds to the KWB batch, in the order it computes them.
const MORE_KWB_COUNTS: [&str; 7] = [
    "single_person_households",
    "households_with_children",
    "disability_benefits",
    "unemployment_benefits",
    "wmo_clients",
    "dwellings_label_efg",
    "new_dwellings",
];

/// Generates the demo's batches: one with KWB-like figures, one with police-like figures and one with
/// Leefbaarometer-like scores, all for the buurten, wijken and gemeenten of the code list and the Netherlands.
pub fn generate(areas: &FocusAreaSet) -> Result<Vec<ImportBatch>, Located> {
    let regions = code_list_2024()?;
    let area_buurten: HashSet<&RegionCode> = areas.areas.iter().flat_map(|a| a.buurten.iter()).collect();
    let with_effect: Vec<&str> = effect_areas(areas);
    let effect_buurten: HashSet<&RegionCode> =
        areas.areas.iter().filter(|a| with_effect.contains(&a.id.as_str())).flat_map(|a| a.buurten.iter()).collect();
    let fingerprint = {
        let mut h = Fingerprint::new();
        h.update(GENERATOR_VERSION);
        h.update(NPLV_CODE_LIST_2024);
        for a in &areas.areas {
            h.update(&a.id);
            for b in &a.buurten {
                h.update(b.as_str());
            }
        }
        h.hex()
    };

    let buurten: Vec<Buurt> = regions
        .iter()
        .filter(|r| r.kind() == RegionKind::Neighbourhood)
        .map(|r| {
            let mut rng = Rng::seeded(r.code.as_str());
            let in_area = area_buurten.contains(&r.code);
            // Outside the areas most buurten are far better off, but about one in five is as vulnerable as a focus
            // area (as in reality, where the areas were chosen among many such buurten): comparison buurten exist.
            let vulnerability = if in_area {
                rng.uniform(0.55, 0.95)
            } else {
                let u = rng.uniform(0.0, 1.0);
                if u < 0.2 {
                    0.5 + 2.0 * u
                } else {
                    0.02 + 0.6 * (u - 0.2)
                }
            };
            // About one buurt in twelve is an industrial estate or park with (almost) nobody living there.
            let inhabitants_2018 = if !in_area && rng.uniform(0.0, 1.0) < 0.08 {
                rng.uniform(0.0, 60.0).floor()
            } else if in_area {
                rng.uniform(900.0, 5200.0)
            } else {
                rng.uniform(150.0, 4200.0)
            };
            Buurt {
                code: r.code.clone(),
                effect: effect_buurten.contains(&r.code),
                vulnerability,
                inhabitants_2018,
                growth: rng.uniform(-0.004, 0.012),
                household_size: rng.uniform(1.6, 2.6) + 0.25 * vulnerability,
                seed: r.code.as_str().to_string(),
            }
        })
        .collect();

    let mut kwb = Vec::new();
    let mut police = Vec::new();
    let mut lbm = Vec::new();
    for buurt in &buurten {
        for year in FIRST_YEAR..=LAST_YEAR {
            buurt_figures(buurt, year, &mut kwb, &mut police, &mut lbm);
        }
    }
    // Aggregate buurten into wijken and gemeenten the CBS way.
    let bases = bases(&kwb);
    for set in [&mut kwb, &mut police, &mut lbm] {
        let aggregated = aggregate_up(set, &bases);
        set.extend(aggregated);
    }
    national_figures(&mut kwb, &mut police, &mut lbm);

    let batch = |name: &str, table: &str, what: &str, observations: Vec<Observation>, regions: Vec<Region>| {
        let mut observations = observations;
        observations.sort_by(|a, b| {
            (a.region.as_str(), a.period, a.variable.as_str()).cmp(&(b.region.as_str(), b.period, b.variable.as_str()))
        });
        ImportBatch {
            format: Format::Builtin,
            source_name: format!("wijkmonitor demo: {name}"),
            sha256: sha256_hex(format!("{fingerprint}/{table}").as_bytes()),
            source_table: Some(table.to_string()),
            source_title: Some(format!("{SYNTHETIC_LABEL}: {what}")),
            classification_year: Some(2024),
            regions,
            observations,
            notes: vec![
                format!("{SYNTHETIC_LABEL}. Region codes and names: Bron: CBS (indeling 2024)."),
                format!(
                    "An effect of the programme is injected from {EFFECT_START} in: {}; none in the other areas.",
                    with_effect.join(", ")
                ),
            ],
        }
    };
    Ok(vec![
        batch("kerncijfers", "synthetic-kwb", "shaped like CBS Kerncijfers wijken en buurten", kwb, regions),
        batch("politie", "synthetic-politie", "shaped like Politie, geregistreerde misdrijven", police, Vec::new()),
        batch("leefbaarometer", "synthetic-leefbaarometer", "shaped like Leefbaarometer 3.0", lbm, Vec::new()),
    ])
}

fn push(out: &mut Vec<Observation>, region: &RegionCode, year: i32, variable: &str, value: Value) {
    out.push(Observation { region: region.clone(), period: Period::Year(year), variable: variable.to_string(), value });
}

/// The figures of one buurt in one year.
fn buurt_figures(
    b: &Buurt,
    year: i32,
    kwb: &mut Vec<Observation>,
    police: &mut Vec<Observation>,
    lbm: &mut Vec<Observation>,
) {
    let mut rng = Rng::seeded(&format!("{}/{year}", b.seed));
    let t = (year - FIRST_YEAR) as f64;
    let v = b.vulnerability;
    let progress = progress(b, year);
    let inhabitants = (b.inhabitants_2018 * (1.0 + b.growth).powf(t) * rng.uniform(0.99, 1.01)).round();
    let households = (inhabitants / b.household_size).round();
    let dwellings = (households * rng.uniform(1.01, 1.06)).round();
    let r5 = |x: f64| round_to(x, 5.0);
    let code = &b.code;
    let age_shares = [0.16 + 0.05 * v, 0.12, 0.27, 0.26 - 0.04 * v];
    let mut age_counts: Vec<f64> = age_shares.iter().map(|s| r5(inhabitants * s)).collect();
    age_counts.push(r5(inhabitants).max(age_counts.iter().sum::<f64>()) - age_counts.iter().sum::<f64>());
    let counts = [
        r5(inhabitants),
        r5(inhabitants * 0.495),
        r5(inhabitants * 0.505),
        age_counts[0],
        age_counts[1],
        age_counts[2],
        age_counts[3],
        age_counts[4],
        r5(households),
        dwellings,
        round_to(inhabitants * 0.79, 100.0),
        r5(inhabitants * (0.008 + 0.09 * v - 0.5 * progress).max(0.002)),
        r5(inhabitants * age_shares[0] * (0.08 + 0.1 * v)),
    ];
    for (variable, value) in KWB_COUNTS.iter().zip(counts) {
        push(kwb, code, year, variable, Value::final_(value));
    }
    // Percentages and averages, withheld where CBS would withhold them.
    let income_status = |value: f64| -> Value {
        if year == LAST_YEAR {
            Value::absent(Status::NotYetPublished)
        } else if households < 100.0 {
            Value::absent(Status::Secret)
        } else if year == LAST_YEAR - 1 {
            Value::provisional(round1(value))
        } else {
            Value::final_(round1(value))
        }
    };
    let low_income = (2.5 + 17.0 * v - 8.0 * progress + rng.uniform(-1.0, 1.0)).max(0.5);
    push(kwb, code, year, "households_low_income_pct", income_status(low_income));
    push(kwb, code, year, "households_social_minimum_pct", income_status(low_income * rng.uniform(0.85, 1.0)));
    push(kwb, code, year, "households_lowest_40_pct", income_status((22.0 + 45.0 * v - 6.0 * progress).min(95.0)));
    let participation = 74.0 - 16.0 * v + 6.0 * progress + rng.uniform(-1.5, 1.5);
    push(
        kwb,
        code,
        year,
        "net_labour_participation_pct",
        if year == LAST_YEAR {
            Value::absent(Status::NotYetPublished)
        } else if inhabitants < 150.0 {
            Value::absent(Status::Secret)
        } else {
            Value::final_(participation.round())
        },
    );
    let per_inhabitant =
        |x: f64| if inhabitants < 100.0 { Value::absent(Status::Secret) } else { Value::final_(round1(x)) };
    push(
        kwb,
        code,
        year,
        "average_income_per_inhabitant",
        if year == LAST_YEAR {
            Value::absent(Status::NotYetPublished)
        } else {
            per_inhabitant((37.0 - 15.0 * v) * 1.03f64.powf(t))
        },
    );
    let tenure = |x: f64| if dwellings < 10.0 { Value::missing() } else { Value::final_(x.round()) };
    let corporation = (8.0 + 60.0 * v - 10.0 * progress).clamp(0.0, 90.0);
    let owner = (75.0 - 60.0 * v + 8.0 * progress).clamp(3.0, 95.0);
    push(kwb, code, year, "corporation_rented_pct", tenure(corporation));
    push(kwb, code, year, "owner_occupied_pct", tenure(owner));
    push(kwb, code, year, "private_rented_pct", tenure((100.0 - corporation - owner).max(0.0)));
    push(
        kwb,
        code,
        year,
        "average_woz",
        if dwellings < 10.0 {
            Value::missing()
        } else {
            Value::final_(((430.0 - 240.0 * v) * 1.065f64.powf(t)).round())
        },
    );

    // Police: registered crimes in the year.
    let crime_rate = 0.025 + 0.06 * v - 0.02 * progress;
    let crimes = (inhabitants.max(20.0) * crime_rate * rng.uniform(0.8, 1.2)).round();
    push(police, code, year, "crimes_total", Value::final_(crimes));
    let burglaries = (crimes * rng.uniform(0.03, 0.08)).round();
    push(police, code, year, "crimes_home_burglary", Value::final_(burglaries));
    push(police, code, year, "crimes_assault", Value::final_((crimes * rng.uniform(0.05, 0.1)).round()));
    let vandalism = (crimes * rng.uniform(0.07, 0.13)).round();
    push(police, code, year, "crimes_vandalism", Value::final_(vandalism));

    // Leefbaarometer: every two years.
    if year % 2 == 0 && year <= 2024 {
        if inhabitants < 50.0 {
            for variable in [
                "lbm_score",
                "lbm_deviation",
                "lbm_physical",
                "lbm_nuisance",
                "lbm_social",
                "lbm_amenities",
                "lbm_housing",
            ] {
                push(lbm, code, year, variable, Value::missing());
            }
        } else {
            // Focus-area buurten score around "weak" and improve slowly, as in the progress report (60% -> 55% of
            // their dwellings in buurten scoring weak or lower).
            let injected = if b.effect && year >= EFFECT_START { 0.05 } else { 0.0 };
            let deviation = 0.17 - 0.5 * v + 0.15 * progress + injected + rng.uniform(-0.04, 0.04);
            let weights = [0.15, 0.3, 0.25, 0.1, 0.2];
            push(lbm, code, year, "lbm_score", Value::final_(national_lbm(year) + deviation));
            push(lbm, code, year, "lbm_deviation", Value::final_(deviation));
            for (variable, w) in
                ["lbm_physical", "lbm_nuisance", "lbm_social", "lbm_amenities", "lbm_housing"].iter().zip(weights)
            {
                push(lbm, code, year, variable, Value::final_(deviation * w + rng.uniform(-0.01, 0.01)));
            }
        }
    }

    let base = Base {
        inhabitants,
        households,
        dwellings,
        age_0_14: age_counts[0],
        youth_care: counts[12],
        corporation,
        owner,
        crimes,
        burglaries,
        vandalism,
    };
    more_buurt_figures(b, year, &base, kwb, police);
}

/// The bases of one buurt in one year that the further figures derive from.
struct Base {
    inhabitants: f64,
    households: f64,
    dwellings: f64,
    age_0_14: f64,
    youth_care: f64,
    /// The shares of corporation and owner-occupied dwellings before rounding.
    corporation: f64,
    owner: f64,
    crimes: f64,
    burglaries: f64,
    vandalism: f64,
}

/// The rest of the KWB and police variables of the catalogue for one buurt in one year. They draw from their
/// own random stream, so adding them left every earlier figure of the demo as it was.
fn more_buurt_figures(b: &Buurt, year: i32, base: &Base, kwb: &mut Vec<Observation>, police: &mut Vec<Observation>) {
    let mut rng = Rng::seeded(&format!("{}/{year}/more", b.seed));
    let t = (year - FIRST_YEAR) as f64;
    let v = b.vulnerability;
    let progress = progress(b, year);
    let code = &b.code;
    let Base {
        inhabitants,
        households,
        dwellings,
        age_0_14,
        youth_care,
        corporation,
        owner,
        crimes,
        burglaries,
        vandalism,
    } = *base;
    let r5 = |x: f64| round_to(x, 5.0);
    // Land area is fixed per buurt (drawn from the buurt alone, not the year).
    let area_land_ha = round_to(Rng::seeded(&format!("{}/area", b.seed)).uniform(8.0, 60.0) + 40.0 * (1.0 - v), 1.0);
    let counts = [
        r5(households * (0.30 + 0.25 * v + rng.uniform(-0.03, 0.03))),
        r5(households * (0.30 + 0.04 * v + rng.uniform(-0.03, 0.03))),
        r5(inhabitants * (0.035 + 0.05 * v)),
        r5(inhabitants * (0.010 + 0.035 * v - 0.3 * progress).max(0.002)),
        r5(inhabitants * (0.04 + 0.07 * v)),
        r5(dwellings * (0.12 + 0.35 * v - 0.6 * progress).max(0.02)),
        r5(dwellings * rng.uniform(0.0, 0.012 + 0.02 * v)),
    ];
    for (variable, value) in MORE_KWB_COUNTS.iter().zip(counts) {
        push(kwb, code, year, variable, Value::final_(value));
    }
    push(kwb, code, year, "area_land_ha", Value::final_(area_land_ha));
    let unless_empty = |x: f64, base: f64| if base < 10.0 { Value::missing() } else { Value::final_(round1(x)) };
    push(kwb, code, year, "average_household_size", unless_empty(inhabitants / households.max(1.0), households));
    push(kwb, code, year, "population_density", Value::final_((inhabitants / (area_land_ha / 100.0)).round()));
    // Rented is corporation plus private rented, as `buurt_figures` splits it.
    let dwelling_pct = |x: f64| if dwellings < 10.0 { Value::missing() } else { Value::final_(x.round()) };
    push(kwb, code, year, "rented_pct", dwelling_pct(100.0 - owner.min(100.0 - corporation)));
    push(kwb, code, year, "built_before_2000_pct", dwelling_pct((92.0 - 25.0 * (1.0 - v) - 2.0 * t).clamp(5.0, 100.0)));
    push(kwb, code, year, "built_last_10_years_pct", dwelling_pct((3.0 + 10.0 * (1.0 - v) + t).min(60.0)));
    push(kwb, code, year, "vacant_dwellings_pct", dwelling_pct(3.0 + 4.0 * v + rng.uniform(-1.0, 1.0)));
    let income = |x: f64| -> Value {
        if year == LAST_YEAR {
            Value::absent(Status::NotYetPublished)
        } else if households < 100.0 {
            Value::absent(Status::Secret)
        } else if year == LAST_YEAR - 1 {
            Value::provisional(round1(x))
        } else {
            Value::final_(round1(x))
        }
    };
    push(kwb, code, year, "households_highest_20_pct", income((30.0 - 26.0 * v + 3.0 * progress).max(1.0)));
    push(kwb, code, year, "standardised_household_income", income((40.0 - 19.0 * v) * 1.03f64.powf(t)));
    push(
        kwb,
        code,
        year,
        "average_income_per_recipient",
        if year == LAST_YEAR {
            Value::absent(Status::NotYetPublished)
        } else if inhabitants < 100.0 {
            Value::absent(Status::Secret)
        } else {
            Value::final_(round1((45.0 - 18.0 * v) * 1.03f64.powf(t)))
        },
    );
    // The share of children in youth care is the count over the children aged 0-14 (its `share_of`).
    push(
        kwb,
        code,
        year,
        "youth_care_pct",
        if age_0_14 < 10.0 { Value::missing() } else { Value::final_(round1(100.0 * youth_care / age_0_14)) },
    );
    // Police: threats and street robberies; the KWB publishes some police rates per 1,000 inhabitants itself.
    let threats = (crimes * rng.uniform(0.03, 0.06)).round();
    let robberies = (crimes * rng.uniform(0.005, 0.02) * (0.5 + v)).round();
    push(police, code, year, "crimes_threats", Value::final_(threats));
    push(police, code, year, "crimes_street_robbery", Value::final_(robberies));
    let per_1000 = |n: f64| {
        if inhabitants < 100.0 {
            Value::absent(Status::Secret)
        } else {
            Value::final_(round1(1000.0 * n / inhabitants))
        }
    };
    push(kwb, code, year, "violent_sexual_crimes_per_1000", per_1000(crimes * (0.10 + 0.05 * v)));
    push(kwb, code, year, "home_burglary_per_1000", per_1000(burglaries));
    push(kwb, code, year, "vandalism_per_1000", per_1000(vandalism));
}

/// The national mean Leefbaarometer score: nearly stable, as in the real series (4.14 in 2014, 4.16 in 2020).
fn national_lbm(year: i32) -> f64 {
    4.15 + 0.003 * (year - FIRST_YEAR) as f64
}

/// The weight a variable is averaged with when aggregating buurten (CBS practice), or `None` for counts.
fn weight_of(variable: &str) -> Option<&'static str> {
    match variable {
        "households_low_income_pct"
        | "households_social_minimum_pct"
        | "households_lowest_40_pct"
        | "households_highest_20_pct"
        | "standardised_household_income"
        | "average_household_size" => Some("households"),
        "net_labour_participation_pct"
        | "average_income_per_inhabitant"
        | "violent_sexual_crimes_per_1000"
        | "home_burglary_per_1000"
        | "vandalism_per_1000" => Some("inhabitants"),
        "corporation_rented_pct"
        | "owner_occupied_pct"
        | "private_rented_pct"
        | "rented_pct"
        | "average_woz"
        | "built_before_2000_pct"
        | "built_last_10_years_pct"
        | "vacant_dwellings_pct" => Some("dwellings"),
        "average_income_per_recipient" => Some("income_recipients"),
        "youth_care_pct" => Some("age_0_14"),
        // Inhabitants per km² weighted by land area is total inhabitants over total area.
        "population_density" => Some("area_land_ha"),
        v if v.starts_with("lbm_") => Some("inhabitants"),
        _ => None,
    }
}

/// The variables other figures are weighted by.
const BASES: [&str; 6] = ["inhabitants", "households", "dwellings", "income_recipients", "age_0_14", "area_land_ha"];

/// The bases of every buurt and year, used as weights when aggregating.
type Bases = BTreeMap<(RegionCode, Period, &'static str), f64>;

fn bases(kwb_buurt_rows: &[Observation]) -> Bases {
    let mut bases = Bases::new();
    for o in kwb_buurt_rows {
        for base in BASES {
            if o.variable == base {
                if let Some(n) = o.value.number() {
                    bases.insert((o.region.clone(), o.period, base), n);
                }
            }
        }
    }
    bases
}

/// Aggregates buurt figures into wijken and gemeenten: counts summed, the rest weighted by its base (CBS
/// practice). A total is not yet published when any part is not; missing parts (empty buurten) carry no
/// weight; a total with a provisional part is provisional.
fn aggregate_up(buurt_rows: &[Observation], bases: &Bases) -> Vec<Observation> {
    struct Acc {
        sum: f64,
        weight: f64,
        withheld: Option<Status>,
        provisional: bool,
    }
    let mut acc: BTreeMap<(RegionCode, Period, String), Acc> = BTreeMap::new();
    for o in buurt_rows {
        let parents = [o.region.parent(), o.region.municipality()];
        for parent in parents.into_iter().flatten() {
            let entry = acc.entry((parent, o.period, o.variable.clone())).or_insert(Acc {
                sum: 0.0,
                weight: 0.0,
                withheld: None,
                provisional: false,
            });
            let w = match weight_of(&o.variable) {
                None => 1.0,
                Some(base) => bases.get(&(o.region.clone(), o.period, base)).copied().unwrap_or(0.0),
            };
            match o.value.number() {
                Some(n) => {
                    entry.sum += n * if weight_of(&o.variable).is_some() { w } else { 1.0 };
                    entry.weight += w;
                    entry.provisional |= o.value.status() == Status::Provisional;
                }
                // Missing parts (empty buurten) carry no weight; secret or unpublished parts make the total unknown.
                None if o.value.status() == Status::Missing => {}
                None => entry.withheld = Some(o.value.status()),
            }
        }
    }
    acc.into_iter()
        .map(|((region, period, variable), a)| {
            let value = if let Some(status) = a.withheld.filter(|s| *s == Status::NotYetPublished) {
                Value::absent(status)
            } else if a.weight == 0.0 {
                Value::missing()
            } else {
                let n = if weight_of(&variable).is_some() {
                    let mean = a.sum / a.weight;
                    if variable.starts_with("lbm_") {
                        (mean * 1e6).round() / 1e6
                    } else {
                        round1(mean)
                    }
                } else {
                    a.sum
                };
                if a.provisional {
                    Value::provisional(n)
                } else {
                    Value::final_(n)
                }
            };
            Observation { region, period, variable, value }
        })
        .collect()
}

/// National figures with national magnitudes (not the sum of the 19 municipalities).
fn national_figures(kwb: &mut Vec<Observation>, police: &mut Vec<Observation>, lbm: &mut Vec<Observation>) {
    let nl = RegionCode::netherlands();
    for year in FIRST_YEAR..=LAST_YEAR {
        let t = (year - FIRST_YEAR) as f64;
        let inhabitants = (17_181_084.0 * 1.0062f64.powf(t)).round();
        let households = (inhabitants / 2.13).round();
        let dwellings = (7_740_984.0 * 1.009f64.powf(t)).round();
        let counts = [
            ("inhabitants", inhabitants),
            ("men", (inhabitants * 0.497).round()),
            ("women", (inhabitants * 0.503).round()),
            ("age_0_14", (inhabitants * 0.157).round()),
            ("age_15_24", (inhabitants * 0.123).round()),
            ("age_25_44", (inhabitants * 0.246).round()),
            ("age_45_64", (inhabitants * 0.278).round()),
            ("age_65_plus", (inhabitants * 0.196).round()),
            ("households", households),
            ("dwellings", dwellings),
            ("income_recipients", round_to(inhabitants * 0.8, 100.0)),
            ("social_assistance", round_to(inhabitants * (0.0255 - 0.0007 * t), 10.0)),
            ("youth_care", round_to(inhabitants * 0.157 * 0.1, 5.0)),
        ];
        for (variable, n) in counts {
            push(kwb, &nl, year, variable, Value::final_(n));
        }
        let income = |x: f64| {
            if year == LAST_YEAR {
                Value::absent(Status::NotYetPublished)
            } else if year == LAST_YEAR - 1 {
                Value::provisional(round1(x))
            } else {
                Value::final_(round1(x))
            }
        };
        push(kwb, &nl, year, "households_low_income_pct", income(8.4 - 0.25 * t));
        push(kwb, &nl, year, "households_social_minimum_pct", income(7.6 - 0.2 * t));
        push(kwb, &nl, year, "households_lowest_40_pct", income(40.0));
        push(
            kwb,
            &nl,
            year,
            "net_labour_participation_pct",
            if year == LAST_YEAR {
                Value::absent(Status::NotYetPublished)
            } else {
                Value::final_((67.8 + 0.6 * t).round())
            },
        );
        push(
            kwb,
            &nl,
            year,
            "average_income_per_inhabitant",
            if year == LAST_YEAR {
                Value::absent(Status::NotYetPublished)
            } else {
                Value::final_(round1(29.0 * 1.035f64.powf(t)))
            },
        );
        push(kwb, &nl, year, "corporation_rented_pct", Value::final_((29.0 - 0.3 * t).round()));
        push(kwb, &nl, year, "owner_occupied_pct", Value::final_((57.0 + 0.2 * t).round()));
        push(kwb, &nl, year, "private_rented_pct", Value::final_((14.0 + 0.1 * t).round()));
        push(kwb, &nl, year, "average_woz", Value::final_((230.0 * 1.07f64.powf(t)).round()));
        let crimes = (inhabitants * (0.0465 - 0.0004 * t)).round();
        push(police, &nl, year, "crimes_total", Value::final_(crimes));
        push(police, &nl, year, "crimes_home_burglary", Value::final_((crimes * 0.05).round()));
        push(police, &nl, year, "crimes_assault", Value::final_((crimes * 0.065).round()));
        push(police, &nl, year, "crimes_vandalism", Value::final_((crimes * 0.09).round()));
        push(police, &nl, year, "crimes_threats", Value::final_((crimes * 0.042).round()));
        push(police, &nl, year, "crimes_street_robbery", Value::final_((crimes * 0.009).round()));
        let per_1000 = |n: f64| Value::final_(round1(1000.0 * n / inhabitants));
        push(kwb, &nl, year, "violent_sexual_crimes_per_1000", per_1000(crimes * 0.11));
        push(kwb, &nl, year, "home_burglary_per_1000", per_1000((crimes * 0.05).round()));
        push(kwb, &nl, year, "vandalism_per_1000", per_1000((crimes * 0.09).round()));
        // The rest of the KWB variables, at national magnitudes (33,670 km² of land).
        let area_land_ha = 3_367_000.0;
        let more_counts = [
            ("single_person_households", (households * 0.39).round()),
            ("households_with_children", (households * 0.32).round()),
            ("disability_benefits", round_to(inhabitants * 0.047, 10.0)),
            ("unemployment_benefits", round_to(inhabitants * (0.016 - 0.0006 * t), 10.0)),
            ("wmo_clients", round_to(inhabitants * 0.068, 10.0)),
            ("dwellings_label_efg", round_to(dwellings * (0.24 - 0.015 * t), 10.0)),
            ("new_dwellings", round_to(dwellings * 0.0095, 10.0)),
            ("area_land_ha", area_land_ha),
        ];
        for (variable, n) in more_counts {
            push(kwb, &nl, year, variable, Value::final_(n));
        }
        push(
            kwb,
            &nl,
            year,
            "average_household_size",
            Value::final_((inhabitants / households * 100.0).round() / 100.0),
        );
        push(kwb, &nl, year, "population_density", Value::final_((inhabitants / (area_land_ha / 100.0)).round()));
        push(kwb, &nl, year, "rented_pct", Value::final_((43.0 - 0.2 * t).round()));
        push(kwb, &nl, year, "built_before_2000_pct", Value::final_((72.0 - 0.8 * t).round()));
        push(kwb, &nl, year, "built_last_10_years_pct", Value::final_((8.0 + 0.3 * t).round()));
        push(kwb, &nl, year, "vacant_dwellings_pct", Value::final_(round1(4.0 - 0.1 * t)));
        push(kwb, &nl, year, "households_highest_20_pct", income(20.0));
        push(kwb, &nl, year, "standardised_household_income", income(31.0 * 1.035f64.powf(t)));
        push(
            kwb,
            &nl,
            year,
            "average_income_per_recipient",
            if year == LAST_YEAR {
                Value::absent(Status::NotYetPublished)
            } else {
                Value::final_(round1(36.0 * 1.035f64.powf(t)))
            },
        );
        let youth_care = round_to(inhabitants * 0.157 * 0.1, 5.0);
        push(
            kwb,
            &nl,
            year,
            "youth_care_pct",
            Value::final_(round1(100.0 * youth_care / (inhabitants * 0.157).round())),
        );
        if year % 2 == 0 && year <= 2024 {
            push(lbm, &nl, year, "lbm_score", Value::final_(national_lbm(year)));
            // The Leefbaarometer's national share of dwellings in buurten scoring weak or lower (11% in 2024).
            push(lbm, &nl, year, "lbm_dwellings_weak_or_lower_pct", Value::final_((13.0 - 0.35 * t).round()));
            push(lbm, &nl, year, "lbm_deviation", Value::final_(0.0));
            for variable in ["lbm_physical", "lbm_nuisance", "lbm_social", "lbm_amenities", "lbm_housing"] {
                push(lbm, &nl, year, variable, Value::final_(0.0));
            }
        }
    }
}

#[cfg(test)]
mod tests;
