//! CBS OData v3 tables saved as JSON entity sets, and the table logic shared with [`crate::cbsodatar`].
//!
//! A StatLine table is a folder of entity sets: `TableInfos` (identifier, title, period), `DataProperties`
//! (the dimensions and topics), one code list per dimension named after the dimension key (`WijkenEnBuurten`,
//! `Perioden`, `SoortMisdrijf`) and the figures in `TypedDataSet`. Each JSON file is either the API response
//! (`{"odata.metadata": ..., "value": [...], "odata.nextLink": ...}`) or a bare array (as python `cbsodata`
//! saves it). An entity set may be split into pages `<Entity>-0001.json`, `<Entity>-0002.json`, ... (as
//! `wijkmonitor-fetch` writes `TypedDataSet`); the pages are read in order and concatenated.
//!
//! Topics are mapped to catalogue variables by their title and unit (never by the key suffix such as
//! `AantalInwoners_5`, which changes with every table); in tables with a category dimension (`SoortMisdrijf`
//! in the police tables) each (topic, category) pair is mapped and rows of unmapped categories are skipped.
//! Text topics (`Gemeentenaam`, `SoortRegio`, ...) are not figures and are skipped.
//!
//! The same logic serves the cbsodataR CSV files: a reader loads entity sets as [`EntitySet`]s and feeds the
//! data rows to a [`Converter`]; only loading and locating differ between JSON and CSV.
//!
//! A folder without `TypedDataSet` may hold one other JSON file that keeps the figures as an object keyed by
//! region code (`{"GM1680": {"AantalInwoners_5": 25845, ...}}`), as scripts save a reduction of the table; it is
//! read in its place, with a note.
//!
//! Data files can be large (a Kerncijfers table is ~60 MB, a police table per buurt much more), so
//! `TypedDataSet` is deserialized row by row into the converter instead of into a JSON tree. Errors inside
//! a row are located afterwards by re-scanning the text (see [`scan`]), so the common path pays nothing
//! for positions.

mod convert;
mod properties;
mod rows;
pub(crate) mod scan;
mod sets;

pub(crate) use convert::{Cell, Converter};
pub(crate) use sets::{entity_files, missing_file, EntitySet, Record, RecordAt, Scalar, SetLoader};

use crate::{Format, ImportBatch, ImportContext, Input};
use convert::{short_list, TopicPlan};
use properties::{indeling_year, is_other_region_kind, parse_properties, Properties, Topic};
use rows::{keyed_candidates, read_json_rows, read_keyed_rows};
use sets::load_json_set;
use std::collections::{BTreeMap, HashMap, HashSet};
use wijkmonitor_model::{Located, Period, Region, RegionCode};

/// Reads a folder of OData JSON entity sets.
pub fn read(input: &Input, ctx: &ImportContext<'_>) -> Result<ImportBatch, Located> {
    read_table(input, ctx, Format::OdataJson, "json", load_json_set, |input, conv, notes| {
        let files = entity_files(input, "TypedDataSet", "json")?;
        if files.is_empty() {
            // A script's reduction of the figures, keyed by region, stands in for TypedDataSet.
            if let [keyed] = keyed_candidates(input, conv).as_slice() {
                let n = read_keyed_rows(keyed, conv)?;
                notes.push(format!(
                    "the figures were read from {} ({n} regions, keyed by region code) for want of TypedDataSet.json",
                    keyed.base_name()
                ));
                return Ok(());
            }
            return Err(missing_file(input, "TypedDataSet.json", "the figures of the table"));
        }
        let last = files.len() - 1;
        for (i, file) in files.iter().enumerate() {
            let next_link = read_json_rows(file, conv)?;
            if let (Some(link), true) = (next_link, i == last) {
                return Err(Located::at(
                    &file.name,
                    0,
                    0,
                    format!(
                        "this page says more rows follow (odata.nextLink {link}) but the folder holds no next page; \
                         the download is incomplete: fetch the table again"
                    ),
                ));
            }
        }
        Ok(())
    })
}

/// Reads a table folder: the entity sets through `load` (`ext` is their file extension), the data rows through
/// `rows`, which feeds them to the converter.
pub(crate) fn read_table(
    input: &Input,
    ctx: &ImportContext<'_>,
    format: Format,
    ext: &str,
    load: SetLoader,
    rows: impl FnOnce(&Input, &mut Converter<'_>, &mut Vec<String>) -> Result<(), Located>,
) -> Result<ImportBatch, Located> {
    let Some(properties_set) = load(input, "DataProperties")? else {
        return Err(missing_file(input, &format!("DataProperties.{ext}"), "the dimensions and topics of the table"));
    };
    let infos = load(input, "TableInfos")?;
    let info = infos.as_ref().and_then(|set| set.records.first());
    let table = TableName { id: info.and_then(|r| r.text("Identifier")), title: info.and_then(|r| r.text("Title")) };
    let props = parse_properties(&properties_set)?;
    let mut notes = Vec::new();

    let classification_year = classification_year(&props, ctx)?;
    let (regions, known_regions) = match (&props.geo, classification_year) {
        (Some(geo), Some(year)) => code_list_regions(load(input, &geo.key)?, year, ctx, &mut notes)?,
        _ => (Vec::new(), None),
    };
    let provisional_periods = match &props.time {
        Some(time) => provisional_periods(load(input, &time.key)?),
        None => HashSet::new(),
    };
    let (categories, category_file) = match &props.category {
        Some(category) => match load(input, &category.key)? {
            Some(list) => (categories(&list)?, list.file.base_name().to_string()),
            None => {
                return Err(missing_file(
                    input,
                    &format!("{}.{ext}", category.key),
                    &format!("the categories of dimension {}, needed to map the figures", category.key),
                ))
            }
        },
        None => (Vec::new(), String::new()),
    };
    let mapping = map_topics(&props, &categories, ctx, &table, &properties_set, &mut notes)?;

    // The period of a table without a time dimension (Kerncijfers): the caller's, else TableInfos.Period.
    let fixed_period = match (&props.time, ctx.options.period) {
        (Some(_), _) => None,
        (None, Some(period)) => Some(period),
        (None, None) => {
            let text = info.and_then(|r| r.text("Period"));
            match text.as_deref().map(Period::parse) {
                Some(Ok(period)) => Some(period),
                _ => {
                    return Err(Located::at(
                        &properties_set.file.name,
                        0,
                        0,
                        format!(
                            "the table has no period dimension and TableInfos gives {}: give the period of the figures",
                            text.map_or("no period".to_string(), |t| format!("period '{t}', which is not one year"))
                        ),
                    ))
                }
            }
        }
    };

    let mut conv = Converter {
        columns: mapping.columns,
        geo: mapping.geo,
        time: mapping.time,
        category: mapping.category,
        topics: mapping.plans,
        variables: mapping.variables,
        fixed_period,
        provisional_periods,
        categories: categories.iter().enumerate().map(|(i, (key, _))| (key.clone(), i)).collect(),
        category_file,
        known_regions,
        region_cache: HashMap::new(),
        // Without a region dimension every row is the Netherlands (index 0).
        region_codes: if mapping.geo.is_none() { vec![RegionCode::netherlands()] } else { Vec::new() },
        period_cache: HashMap::new(),
        periods: Vec::new(),
        seen: HashSet::new(),
        skipped_regions: BTreeMap::new(),
        observations: Vec::new(),
    };
    rows(input, &mut conv, &mut notes)?;

    if !conv.skipped_regions.is_empty() {
        let rows: u64 = conv.skipped_regions.values().sum();
        let codes: Vec<String> = conv.skipped_regions.keys().cloned().collect();
        notes.push(format!(
            "{rows} rows of regional divisions other than the Netherlands, municipalities, districts and \
             neighbourhoods were skipped: {}",
            short_list(&codes, 10)
        ));
    }

    Ok(ImportBatch {
        format,
        source_name: input.name().to_string(),
        sha256: input.sha256(),
        source_table: table.id,
        source_title: table.title,
        classification_year,
        regions,
        observations: conv.observations,
        notes,
    })
}

/// The table's identifier and title from `TableInfos`, for the batch and for messages.
struct TableName {
    id: Option<String>,
    title: Option<String>,
}

/// The classification year: the caller's, else "(indeling 2024)" in the geo dimension's description (police
/// tables give all years in the latest classification while their MapYear says otherwise), else MapYear.
/// `None` for a table without regions.
fn classification_year(props: &Properties<'_>, ctx: &ImportContext<'_>) -> Result<Option<i32>, Located> {
    let geo = match (&props.geo, ctx.options.classification_year) {
        (_, Some(year)) => return Ok(Some(year)),
        (None, None) => return Ok(None),
        (Some(geo), None) => geo,
    };
    let year = indeling_year(&geo.description).or_else(|| geo.map_year.and_then(|y| i32::try_from(y).ok()));
    match year {
        Some(year) => Ok(Some(year)),
        None => Err(geo.record.error(
            Some("MapYear"),
            format!(
                "the classification year of dimension {} is unknown (no MapYear, no \"(indeling YYYY)\" in its \
                 description): give the classification year",
                geo.key
            ),
        )),
    }
}

/// The regions of the geo code list (when the folder has it), and the codes the data may use: those of the
/// code list and of the caller's code list for the year (`None`: any well-formed code).
fn code_list_regions(
    list: Option<EntitySet<'_>>,
    year: i32,
    ctx: &ImportContext<'_>,
    notes: &mut Vec<String>,
) -> Result<(Vec<Region>, Option<HashSet<RegionCode>>), Located> {
    let mut regions = Vec::new();
    let mut known: Option<HashSet<RegionCode>> = None;
    if let Some(list) = list {
        let mut skipped = 0usize;
        for record in &list.records {
            let Some(key) = record.text("Key") else {
                return Err(record.error(Some("Key"), "this code-list entry has no Key"));
            };
            let code = match RegionCode::parse(&key) {
                Ok(code) => code,
                Err(_) if is_other_region_kind(&key) => {
                    skipped += 1;
                    continue;
                }
                Err(e) => return Err(record.error(Some("Key"), e.to_string())),
            };
            let name = record.text("Title").unwrap_or_else(|| code.to_string());
            regions.push(Region::new(code, name, year));
        }
        if skipped > 0 {
            notes.push(format!(
                "{skipped} entries of {} are regional divisions other than the Netherlands, municipalities, \
                 districts and neighbourhoods and were not imported as regions",
                list.file.base_name()
            ));
        }
        known = Some(regions.iter().map(|r| r.code.clone()).collect());
    }
    if let Some(listed) = ctx.code_lists.year(year) {
        known.get_or_insert_with(HashSet::new).extend(listed.iter().map(|r| r.code.clone()));
    }
    Ok((regions, known))
}

/// The period keys the time code list marks provisional ("Voorlopig", "Nader voorlopig").
fn provisional_periods(list: Option<EntitySet<'_>>) -> HashSet<String> {
    let Some(list) = list else { return HashSet::new() };
    list.records
        .iter()
        .filter(|r| r.text("Status").is_some_and(|s| s.to_lowercase().contains("voorlopig")))
        .filter_map(|r| r.text("Key"))
        .collect()
}

/// The (key, title) of each category of the category code list; the titles are what the catalogue matches.
fn categories(list: &EntitySet<'_>) -> Result<Vec<(String, String)>, Located> {
    let mut categories = Vec::new();
    for record in &list.records {
        let Some(key) = record.text("Key") else {
            return Err(record.error(Some("Key"), "this code-list entry has no Key"));
        };
        let title = record.text("Title").unwrap_or_else(|| key.clone());
        categories.push((key, title));
    }
    Ok(categories)
}

/// Which data fields the converter reads and what they become.
struct Mapping<'c> {
    columns: Vec<String>,
    geo: Option<usize>,
    time: Option<usize>,
    category: Option<usize>,
    plans: Vec<TopicPlan>,
    variables: Vec<&'c str>,
}

/// Maps the topics (and, with a category dimension, each topic x category pair) to catalogue variables by
/// title and unit. What does not map goes into notes; a table of which nothing maps is refused, since
/// importing it would silently do nothing.
fn map_topics<'c>(
    props: &Properties<'_>,
    categories: &[(String, String)],
    ctx: &ImportContext<'c>,
    table: &TableName,
    properties_set: &EntitySet<'_>,
    notes: &mut Vec<String>,
) -> Result<Mapping<'c>, Located> {
    let table_name = table.id.as_deref().unwrap_or("the table");
    let mut columns: Vec<String> = Vec::new();
    let mut column_of = |key: &str| {
        columns.push(key.to_string());
        columns.len() - 1
    };
    let geo = props.geo.as_ref().map(|d| column_of(&d.key));
    let time = props.time.as_ref().map(|d| column_of(&d.key));
    let category = props.category.as_ref().map(|d| column_of(&d.key));
    // One slot per category, or a single slot for a table without a category dimension.
    let category_titles: Vec<Option<&str>> = match props.category {
        Some(_) => categories.iter().map(|(_, title)| Some(title.as_str())).collect(),
        None => vec![None],
    };
    let mut variables: Vec<&'c str> = Vec::new();
    let mut taken: HashMap<(&str, usize), &str> = HashMap::new();
    let mut plans = Vec::new();
    let mut unmapped = Vec::new();
    let mut ambiguous = Vec::new();
    let mut category_mapped = vec![false; category_titles.len()];
    let numeric: Vec<&Topic> = props.topics.iter().filter(|t| !t.datatype.eq_ignore_ascii_case("String")).collect();
    for topic in &numeric {
        let mut targets = vec![None; category_titles.len()];
        let mut matched = false;
        for (slot, category_title) in category_titles.iter().enumerate() {
            let Some(variable) = ctx.catalogue.match_topic(&topic.title, &topic.unit, *category_title) else {
                continue;
            };
            matched = true;
            let id = variable.id.as_str();
            // Two topics with the same title and unit (in different topic groups) cannot both be the variable:
            // the first one wins and the user is told.
            if let Some(first) = taken.get(&(id, slot)) {
                ambiguous.push(format!("{} (same as {first})", topic.key));
                continue;
            }
            taken.insert((id, slot), topic.key.as_str());
            let index = variables.iter().position(|v| *v == id).unwrap_or_else(|| {
                variables.push(id);
                variables.len() - 1
            });
            targets[slot] = Some(index);
            category_mapped[slot] = true;
        }
        if targets.iter().any(Option::is_some) {
            plans.push(TopicPlan { column: column_of(&topic.key), variables: targets });
        } else if !matched {
            unmapped.push(format!("{} ({}, {})", topic.key, topic.title, topic.unit));
        }
    }
    if plans.is_empty() {
        let listed: Vec<String> = numeric.iter().map(|t| format!("{} ({})", t.title, t.unit)).collect();
        return Err(Located::at(
            &properties_set.file.name,
            0,
            0,
            format!(
                "no topic of {table_name}{} matches a variable of the catalogue, so there is nothing to import; its \
                 topics are: {}",
                table.title.as_ref().map(|t| format!(" ({t})")).unwrap_or_default(),
                short_list(&listed, 20)
            ),
        ));
    }
    if !unmapped.is_empty() {
        notes.push(format!(
            "{} of {} topics of {table_name} match no catalogue variable and were not imported: {}",
            unmapped.len(),
            numeric.len(),
            short_list(&unmapped, usize::MAX)
        ));
    }
    if !ambiguous.is_empty() {
        notes.push(format!(
            "topics with the same title and unit as an earlier topic were not imported: {}",
            ambiguous.join("; ")
        ));
    }
    if let Some(dimension) = &props.category {
        let skipped: Vec<String> = categories
            .iter()
            .zip(&category_mapped)
            .filter(|(_, mapped)| !**mapped)
            .map(|((_, title), _)| title.clone())
            .collect();
        if !skipped.is_empty() {
            notes.push(format!(
                "rows of {} of {} {} categories have no catalogue variable and were skipped: {}",
                skipped.len(),
                categories.len(),
                dimension.key,
                short_list(&skipped, 10)
            ));
        }
    }
    Ok(Mapping { columns, geo, time, category, plans, variables })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::line_column;

    #[test]
    fn scanner_finds_rows_and_fields() {
        let text = "{\"odata.metadata\": \"x\", \"value\": [\n {\"A\": \"a,]}\\\"\", \"B\": [1, {\"c\": 2}]},\n {\"A\": 1, \"B\": null}\n]}";
        let b = text.as_bytes();
        let array = scan::rows_array(b).unwrap();
        let second = scan::element(b, array, 1).unwrap();
        assert_eq!(line_column(b, second), (3, 2));
        let field = scan::member(b, second, "B").unwrap();
        assert_eq!(&text[field..field + 4], "null");
        assert_eq!(scan::element(b, array, 2), None);
        assert_eq!(scan::rows_array(b"[1]"), Some(0));
    }

    #[test]
    fn indeling_year_is_read_from_the_description() {
        assert_eq!(indeling_year("Wijken en buurten (indeling 2024)"), Some(2024));
        assert_eq!(indeling_year("Wijken en buurten"), None);
        assert_eq!(indeling_year("Indeling 20245"), None);
    }
}
