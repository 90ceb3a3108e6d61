//! Focus areas ("focusgebieden"): named sets of buurt codes for one CBS classification year.
//!
//! The delineation is data, never code: programme staff maintain it as a CSV file with the columns
//! `area_id,area_name,gemeente_code,buurt_code,classification_year`, one row per buurt. wijkmonitor ships an
//! *indicative* delineation of the 20 areas; whoever loads another file gets that one instead, and every
//! place that shows a delineation says whether it is indicative.

use crate::error::Located;
use crate::region::{RegionCode, RegionKind};
use std::collections::{BTreeMap, HashMap};

/// The header a delineation file must have, in this order.
pub const AREA_COLUMNS: [&str; 5] = ["area_id", "area_name", "gemeente_code", "buurt_code", "classification_year"];

/// One focus area.
#[derive(Debug, Clone, PartialEq)]
pub struct FocusArea {
    /// A lowercase slug such as `den-haag-zuidwest`; stable across years and used in URLs and commands.
    pub id: String,
    pub name: String,
    pub municipality: RegionCode,
    /// The CBS classification year the buurt codes belong to.
    pub classification_year: i32,
    /// The buurten, sorted and without duplicates.
    pub buurten: Vec<RegionCode>,
}

/// A complete delineation: all areas from one file.
#[derive(Debug, Clone, PartialEq)]
pub struct FocusAreaSet {
    /// Where the delineation came from (a file name, or the built-in name).
    pub source: String,
    /// True for a delineation that is not the official one; shown wherever areas are shown.
    pub indicative: bool,
    /// The areas, sorted by id.
    pub areas: Vec<FocusArea>,
}

impl FocusAreaSet {
    pub fn get(&self, id: &str) -> Option<&FocusArea> {
        self.areas.iter().find(|a| a.id == id)
    }
}

/// Whether a text is a valid area id: lowercase ASCII letters, digits and single hyphens, starting with a letter.
pub fn is_valid_area_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes[0].is_ascii_lowercase()
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && !id.ends_with('-')
        && !id.contains("--")
}

/// Parses a delineation file. `file` names it in messages. Every problem stops the parse with the line and
/// column of the offending field: a wrong header, a bad slug, a code that is not a buurt or lies outside the
/// area's gemeente, an area whose rows disagree on its name, gemeente or year, or a buurt listed twice.
pub fn parse_areas_csv(text: &str, file: &str, indicative: bool) -> Result<FocusAreaSet, Located> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| Located::at(file, 1, 0, format!("cannot read the header: {e}")))?;
    for (i, expected) in AREA_COLUMNS.iter().enumerate() {
        if header.get(i).map(str::trim) != Some(*expected) {
            return Err(Located::at(
                file,
                1,
                i as u64 + 1,
                format!("expected the header '{}', column {} must be '{}'", AREA_COLUMNS.join(","), i + 1, expected),
            ));
        }
    }
    if header.len() != AREA_COLUMNS.len() {
        return Err(Located::at(file, 1, 6, format!("expected exactly the columns '{}'", AREA_COLUMNS.join(","))));
    }

    let mut areas: BTreeMap<String, (FocusArea, u64)> = BTreeMap::new();
    // Which area claims each buurt in each classification year, to refuse overlaps.
    let mut claimed: HashMap<(i32, RegionCode), (String, u64)> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            Located::at(file, line, 0, format!("malformed row: {e}"))
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let at = |col: usize, msg: String| Located::at(file, line, col as u64 + 1, msg);

        let id = field(0);
        if !is_valid_area_id(id) {
            return Err(at(
                0,
                format!("'{id}' is not a valid area_id (use a lowercase slug such as den-haag-zuidwest)"),
            ));
        }
        let name = field(1);
        if name.is_empty() {
            return Err(at(1, "area_name is empty".to_string()));
        }
        let municipality = RegionCode::parse(field(2)).map_err(|e| at(2, e.to_string()))?;
        if municipality.kind() != RegionKind::Municipality {
            return Err(at(2, format!("'{municipality}' is not a gemeente code (GM followed by 4 digits)")));
        }
        let buurt = RegionCode::parse(field(3)).map_err(|e| at(3, e.to_string()))?;
        if buurt.kind() != RegionKind::Neighbourhood {
            return Err(at(3, format!("'{buurt}' is not a buurt code (BU followed by 8 characters)")));
        }
        if buurt.municipality().as_ref() != Some(&municipality) {
            return Err(at(3, format!("buurt {buurt} does not lie in gemeente {municipality}")));
        }
        let year: i32 = field(4)
            .parse()
            .ok()
            .filter(|y| (1990..=2100).contains(y))
            .ok_or_else(|| at(4, format!("'{}' is not a classification year", field(4))))?;

        if let Some((other, other_line)) = claimed.get(&(year, buurt.clone())) {
            return Err(at(
                3,
                format!("buurt {buurt} ({year}) is already listed for area '{other}' on line {other_line}"),
            ));
        }
        claimed.insert((year, buurt.clone()), (id.to_string(), line));

        match areas.get_mut(id) {
            Some((area, first_line)) => {
                if area.name != name {
                    return Err(at(1, format!("area '{id}' is named '{}' on line {first_line}", area.name)));
                }
                if area.municipality != municipality {
                    return Err(at(2, format!("area '{id}' lies in {} on line {first_line}", area.municipality)));
                }
                if area.classification_year != year {
                    return Err(at(
                        4,
                        format!(
                            "area '{id}' uses classification year {} on line {first_line}; one area uses one year",
                            area.classification_year
                        ),
                    ));
                }
                area.buurten.push(buurt);
            }
            None => {
                let area = FocusArea {
                    id: id.to_string(),
                    name: name.to_string(),
                    municipality,
                    classification_year: year,
                    buurten: vec![buurt],
                };
                areas.insert(id.to_string(), (area, line));
            }
        }
    }
    if areas.is_empty() {
        return Err(Located::at(file, 0, 0, "the file lists no areas"));
    }
    let areas = areas
        .into_values()
        .map(|(mut area, _)| {
            area.buurten.sort();
            area
        })
        .collect();
    Ok(FocusAreaSet { source: file.to_string(), indicative, areas })
}

/// The inhabitants of an area as published by CBS, against which an indicative delineation is checked.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedPopulation {
    pub area: String,
    pub inhabitants: f64,
    /// Why the delineation cannot come within 5% of this figure, where that is documented.
    pub exception: Option<String>,
}

/// Parses `area_id,inhabitants,exception` (see `data/areas/published-2025.csv`).
pub fn parse_published(text: &str, file: &str) -> Result<Vec<PublishedPopulation>, Located> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| Located::at(file, 1, 0, e.to_string()))?;
    if header.iter().map(str::trim).collect::<Vec<_>>() != ["area_id", "inhabitants", "exception"] {
        return Err(Located::at(file, 1, 1, "expected the header 'area_id,inhabitants,exception'"));
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Located::at(file, e.position().map_or(0, |p| p.line()), 0, e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let inhabitants = record
            .get(1)
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|v| *v > 0.0)
            .ok_or_else(|| Located::at(file, line, 2, "inhabitants must be a positive number"))?;
        let exception = record.get(2).map(str::trim).filter(|e| !e.is_empty()).map(str::to_string);
        out.push(PublishedPopulation { area: record.get(0).unwrap_or("").trim().to_string(), inhabitants, exception });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "area_id,area_name,gemeente_code,buurt_code,classification_year\n";

    fn parse(body: &str) -> Result<FocusAreaSet, Located> {
        parse_areas_csv(&format!("{HEADER}{body}"), "areas.csv", false)
    }

    #[test]
    fn groups_rows_into_areas() {
        let set = parse(
            "den-haag-zuidwest,Den Haag Zuidwest,GM0518,BU05183637,2019\n\
             amsterdam-zuidoost,Amsterdam Zuidoost,GM0363,BU0363TA01,2024\n\
             den-haag-zuidwest,Den Haag Zuidwest,GM0518,BU05181785,2019\n",
        )
        .unwrap();
        assert_eq!(set.areas.len(), 2);
        assert_eq!(set.areas[0].id, "amsterdam-zuidoost");
        let dhzw = set.get("den-haag-zuidwest").unwrap();
        assert_eq!(dhzw.buurten.len(), 2);
        assert_eq!(dhzw.buurten[0].as_str(), "BU05181785");
        assert_eq!(dhzw.classification_year, 2019);
    }

    #[test]
    fn reports_line_and_column_of_bad_fields() {
        let cases = [
            ("Bad-Id,X,GM0518,BU05183637,2019\n", "areas.csv:2:1:"),
            ("x,X,GM0518,BU05183637,20x9\n", "areas.csv:2:5:"),
            ("x,X,GM0518,BU03630000,2019\n", "areas.csv:2:4: buurt BU03630000 does not lie in gemeente GM0518"),
            ("x,X,GM0518,WK051836,2019\n", "areas.csv:2:4:"),
            (
                "x,X,GM0518,BU05183637,2019\ny,Y,GM0518,BU05183637,2019\n",
                "areas.csv:3:4: buurt BU05183637 (2019) is already listed",
            ),
            ("x,X,GM0518,BU05183637,2019\nx,Z,GM0518,BU05183638,2019\n", "areas.csv:3:2:"),
            ("x,X,GM0518,BU05183637,2019\nx,X,GM0518,BU05183638,2020\n", "areas.csv:3:5:"),
            ("x,X,GM0518\n", "areas.csv:2:"),
        ];
        for (body, expected) in cases {
            let err = parse(body).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{body:?}: got {err}");
        }
        let err = parse_areas_csv("id,name\n", "a.csv", false).unwrap_err().to_string();
        assert!(err.starts_with("a.csv:1:1: expected the header"), "{err}");
    }

    #[test]
    fn builtin_delineation_is_valid_and_complete() {
        let set = parse_areas_csv(crate::BUILTIN_AREAS, crate::BUILTIN_AREAS_NAME, true).unwrap();
        assert_eq!(set.areas.len(), 20, "the programme has 20 focus areas");
        let dhzw = set.get("den-haag-zuidwest").unwrap();
        assert_eq!(dhzw.buurten.len(), 13);
        assert_eq!(dhzw.classification_year, 2019);
        assert!(set.indicative);
        // Amsterdam has two areas; every other municipality one.
        let municipalities: std::collections::BTreeSet<_> = set.areas.iter().map(|a| a.municipality.clone()).collect();
        assert_eq!(municipalities.len(), 19);
    }
}
