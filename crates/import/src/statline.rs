//! StatLine web CSV exports: what a person downloads from the StatLine website ("CSV" download of a table
//! view). The shape, which this reader finds by structure rather than by fixed line numbers:
//!
//! ```text
//! "Kerncijfers wijken en buurten 2024"                 title line(s)
//! "Gewijzigd op: ..."
//! ;"Bevolking";"Inkomen"                               theme row (optional)
//! "Wijken en buurten";"Aantal inwoners (aantal)";...   variable row: dimension labels, then topic titles
//! ;"aantal";"%"                                        unit row (optional)
//! "Amsterdam";"862965";"12,8"                          data rows: region (and period) as labels
//! "Wijk 01 Centrum";"2345";"."
//! "Bron: CBS"                                          footer line(s)
//! ```
//!
//! - Separator `;`, decimal comma, every cell quoted; `.` missing, `x` secret (see [`crate::values`]).
//! - The header is the first row whose first cell names a dimension: the regions ("Wijken en buurten",
//!   "Regio's", "Gemeenten", ...) or the periods ("Perioden"). Rows of the same width directly above it
//!   (themes) and rows directly below it with empty dimension cells (units) belong to the header; each topic
//!   column is matched on the text of all its header cells ("theme title unit") with
//!   [`Catalogue::match_labelled`], so "Aantal inwoners (aantal)" and "Aantal inwoners" over "aantal" both work.
//! - The period comes from a "Perioden" column (`2023*`: the star marks a provisional figure), else
//!   `--period`, else, for a Kerncijfers wijken en buurten table, the year in its title.
//! - The classification year is `--classification-year`, else the year in the first title line.
//! - A region is taken from a code where there is one: a code cell ("GM0363"), a code in brackets
//!   ("Amsterdam (GM0363)"), or a "Codering" topic column. Otherwise its name is matched against the code
//!   list of the classification year, within the municipality given with `--municipality`: names are
//!   compared without case, accents and punctuation, also without a leading "Wijk 01 " / "Buurt 01 ", and a
//!   "Soort regio" column (Gemeente/Wijk/Buurt), when the export has one, settles names that a wijk and a buurt
//!   share. Names that match nothing or several regions are listed in a note and their rows skipped.
//!
//!
//! Pivoted views are read too. A view may put the periods in the columns (the header cells of the variable row
//! are periods, `2022`, `2023*`), with the topics in a theme row above them, in a topic column ("Onderwerp",
//! "Onderwerpen", "Topics") whose cells name the topic of each row, or only in the title lines when the view
//! shows one topic. English views ("Regions", "Periods", "Topics", English topic titles) read as the Dutch ones.
//!
//! [`Catalogue::match_labelled`]: wijkmonitor_model::Catalogue::match_labelled

use crate::csv_table::{cell_error, ragged_error, years_in, KnownCodes, Rows};
use crate::values::{parse_cell, Decimal};
use crate::{kwb, Format, ImportBatch, ImportContext, SourceFile};
use std::collections::{HashMap, HashSet};
use wijkmonitor_model::catalogue::normalise;
use wijkmonitor_model::{Located, Observation, Period, Region, RegionCode, RegionKind, Status, Value};

/// A dimension column of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dimension {
    Region,
    Period,
    /// A pivoted view's topic column: each row gives the topic of its figures.
    Topic,
}

/// Whether a cell is the label of a StatLine dimension column (for detection).
pub(crate) fn is_dimension_label(cell: &str) -> bool {
    dimension(cell).is_some()
}

/// Recognises the label of a dimension column (Dutch and English StatLine views).
fn dimension(cell: &str) -> Option<Dimension> {
    match normalise(cell).as_str() {
        "wijkenenbuurten"
        | "regios"
        | "regio"
        | "gemeenten"
        | "gemeente"
        | "wijken"
        | "buurten"
        | "regioindeling"
        | "districtsandneighbourhoods"
        | "regions"
        | "region"
        | "municipalities" => Some(Dimension::Region),
        "perioden" | "periode" | "periods" | "period" => Some(Dimension::Period),
        "onderwerp" | "onderwerpen" | "topic" | "topics" | "subject" | "subjects" => Some(Dimension::Topic),
        _ => None,
    }
}

/// Where the period of a row comes from.
#[derive(Debug, Clone, Copy)]
enum PeriodSource {
    Column(usize),
    Fixed(Period),
}

/// What a topic column holds.
#[derive(Debug, Clone, Copy)]
enum Topic<'c> {
    /// `Regioaanduiding / Codering (code)`: the region code.
    Code,
    /// `Regioaanduiding / Soort regio (omschrijving)`: Gemeente, Wijk or Buurt.
    Kind,
    /// `Regioaanduiding / Gemeentenaam (naam)`: the municipality whose wijken and buurten a name-only row means.
    MunicipalityName,
    Variable(&'c str),
    /// A pivoted view's figure whose topic is named on its row (the topic column).
    FromRow,
    Unmapped,
}

/// A figure column: its index, its variable (or `None`: the row's topic) and its period (periods in the columns).
type FigureColumn<'c> = (usize, Option<&'c str>, Option<(Period, bool)>);

/// Reads a StatLine web CSV export.
pub fn read(file: &SourceFile, ctx: &ImportContext<'_>) -> Result<ImportBatch, Located> {
    let mut rows = Rows::new(file, b';')?;
    // Exports are small (one municipality, a few thousand rows at most): keep them in memory, because the
    // header is only known after looking ahead.
    let mut records: Vec<(u64, Vec<String>)> = Vec::new();
    while let Some((line, record)) = rows.next()? {
        records.push((line, record.iter().map(|c| c.trim().to_string()).collect()));
    }
    if records.is_empty() {
        return Err(Located::at(&file.name, 0, 0, "the file is empty"));
    }
    let Some(label_idx) = records.iter().position(|(_, r)| r.len() > 1 && dimension(&r[0]).is_some()) else {
        return Err(Located::at(
            &file.name,
            records[0].0,
            0,
            "no header row found: a StatLine export has a row whose first cell names the regions (\"Wijken en \
             buurten\", \"Regio's\") or the periods (\"Perioden\"), followed by the topics",
        ));
    };
    let (label_line, width) = (records[label_idx].0, records[label_idx].1.len());
    let dims: Vec<Dimension> = records[label_idx].1.iter().map_while(|c| dimension(c)).collect();
    let ndims = dims.len();
    let Some(region_col) = dims.iter().position(|d| *d == Dimension::Region) else {
        return Err(Located::at(
            &file.name,
            label_line,
            1,
            "the export has no region column (\"Wijken en buurten\", \"Regio's\")",
        ));
    };
    let period_col = dims.iter().position(|d| *d == Dimension::Period);
    let topic_dim = dims.iter().position(|d| *d == Dimension::Topic);
    if ndims >= width {
        return Err(Located::at(&file.name, label_line, 0, "the header names dimensions but no topics"));
    }
    // Theme rows above the variable row have its width and text in topic columns; a title line has text in
    // its first cell only (spreadsheets that re-save an export pad it with empty cells to the same width).
    let only_first = |r: &[String]| r.iter().skip(1).all(String::is_empty);
    let mut top = label_idx;
    while top > 0 && records[top - 1].1.len() == width && !only_first(&records[top - 1].1) {
        top -= 1;
    }
    let mut data_start = label_idx + 1;
    while data_start < records.len()
        && records[data_start].1.len() == width
        && records[data_start].1[..ndims].iter().all(String::is_empty)
        && records[data_start].1[ndims..].iter().any(|c| !c.is_empty())
    {
        data_start += 1;
    }
    let header_rows = &records[top..data_start];
    let title =
        records[..top].iter().filter(|(_, r)| only_first(r)).map(|(_, r)| r[0].as_str()).find(|t| !t.is_empty());
    let title_year = match title.map(years_in).as_deref() {
        Some([y]) => Some(*y),
        _ => None,
    };
    let kwb_title = title.is_some_and(|t| normalise(t).starts_with("kerncijferswijkenenbuurten"));

    // A pivoted view has periods in the columns: every cell after the dimensions on the variable row is a period.
    let column_periods: Option<Vec<(Period, bool)>> = records[label_idx].1[ndims..]
        .iter()
        .map(|c| parse_period(c).ok())
        .collect::<Option<Vec<_>>>()
        .filter(|_| period_col.is_none());
    // Theme rows above a column carry its topic in a view with periods in the columns; a spreadsheet or StatLine
    // writes a theme once over the columns it spans, so an empty theme cell takes the one to its left.
    let mut spanned: Vec<String> = vec![String::new(); width];
    if column_periods.is_some() {
        for (_, r) in &header_rows[..label_idx - top] {
            let mut current = String::new();
            for c in ndims..width {
                if !r[c].is_empty() {
                    current = r[c].clone();
                }
                if !current.is_empty() {
                    spanned[c] = format!("{} {current}", spanned[c]).trim().to_string();
                }
            }
        }
    }
    // The one topic of a view that names it only in its title lines.
    let title_topic = records[..top]
        .iter()
        .filter(|(_, r)| only_first(r))
        .find_map(|(_, r)| ctx.catalogue.match_labelled(&r[0]))
        .map(|v| v.id.as_str());

    // Topic columns, mapped by meaning on all their header cells.
    let mut topics: Vec<Topic> = Vec::with_capacity(width - ndims);
    let mut headers: Vec<String> = Vec::with_capacity(width);
    let mut by_variable: HashMap<&str, usize> = HashMap::new();
    for c in 0..width {
        let text = match &column_periods {
            Some(_) if c >= ndims => format!("{} {}", spanned[c], records[label_idx].1[c]).trim().to_string(),
            _ => header_rows.iter().map(|(_, r)| r[c].as_str()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" "),
        };
        headers.push(text);
        if c < ndims {
            continue;
        }
        if column_periods.is_some() {
            // The topic of a period column: its theme, else the row's topic column, else the title.
            let topic = match ctx.catalogue.match_labelled(&spanned[c]) {
                Some(v) => Topic::Variable(v.id.as_str()),
                None if topic_dim.is_some() => Topic::FromRow,
                None => match title_topic {
                    Some(id) if spanned[c].is_empty() => Topic::Variable(id),
                    _ => Topic::Unmapped,
                },
            };
            topics.push(topic);
            continue;
        }
        let text = &headers[c];
        let n = normalise(text);
        let topic = if topic_dim.is_some() {
            Topic::FromRow
        } else if n.ends_with("coderingcode") || n.ends_with("codering") {
            Topic::Code
        } else if n.ends_with("soortregioomschrijving") || n.ends_with("soortregio") {
            Topic::Kind
        } else if n.ends_with("gemeentenaamnaam") || n.ends_with("gemeentenaam") {
            Topic::MunicipalityName
        } else if let Some(v) = ctx.catalogue.match_labelled(text) {
            if let Some(first) = by_variable.insert(v.id.as_str(), c) {
                return Err(Located::at(
                    &file.name,
                    label_line,
                    c as u64 + 1,
                    format!(
                        "columns '{}' (column {}) and '{text}' (column {}) both match catalogue variable '{}'; an \
                         export may give each variable once",
                        headers[first],
                        first + 1,
                        c + 1,
                        v.id
                    ),
                ));
            }
            Topic::Variable(v.id.as_str())
        } else {
            Topic::Unmapped
        };
        topics.push(topic);
    }
    let topic_col = |wanted: fn(&Topic) -> bool| topics.iter().position(wanted).map(|i| i + ndims);
    let code_col = topic_col(|t| matches!(t, Topic::Code));
    let kind_col = topic_col(|t| matches!(t, Topic::Kind));
    let municipality_col = topic_col(|t| matches!(t, Topic::MunicipalityName));
    // The figure columns: where the variable comes from (fixed, or the row's topic) and the column's period.
    let mapped: Vec<FigureColumn> = topics
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let period = column_periods.as_ref().map(|ps| ps[i]);
            match t {
                Topic::Variable(id) => Some((i + ndims, Some(*id), period)),
                Topic::FromRow => Some((i + ndims, None, period)),
                _ => None,
            }
        })
        .collect();
    // Topics named on rows that the catalogue does not know, with their first line.
    let mut row_topics_unknown: Vec<(String, u64)> = Vec::new();

    let mut notes = Vec::new();
    // A Kerncijfers table uses the classification of its own year: without a title that says which, the year its
    // file name holds stands for both (see the period below).
    let kwb_shaped_year = (title_year.is_none() && code_col.is_some() && kind_col.is_some() && period_col.is_none())
        .then(|| year_in_name(&file.name))
        .flatten();
    let classification_year = ctx.options.classification_year.or(title_year).or(kwb_shaped_year);
    let period_source = match (period_col, ctx.options.period) {
        (Some(c), _) => PeriodSource::Column(c),
        // Periods in the columns: each figure's period is its column's.
        _ if column_periods.is_some() => PeriodSource::Fixed(Period::Year(0)),
        (None, Some(p)) => PeriodSource::Fixed(p),
        (None, None) => match (title_year, year_in_name(&file.name)) {
            (Some(y), _) if kwb_title => {
                notes.push(format!("the period {y} was taken from the title of the table; pass --period to override"));
                PeriodSource::Fixed(Period::Year(y))
            }
            // The current StatLine download has no title lines; a Kerncijfers table (one year, with its code and
            // kind-of-region columns) is then dated by the one year its file name holds, saying so.
            (None, Some(y)) if code_col.is_some() && kind_col.is_some() => {
                notes.push(format!(
                    "the period {y} was taken from the file name (the export has neither a Perioden column nor a \
                     title); pass --period to override"
                ));
                PeriodSource::Fixed(Period::Year(y))
            }
            _ => {
                return Err(Located::at(
                    &file.name,
                    label_line,
                    0,
                    "the export has no \"Perioden\" column: pass --period 2024 (the period of its figures), or \
                     export the table with the periods as a column",
                ))
            }
        },
    };

    let mut matcher =
        Matcher { ctx, classification_year, built: HashMap::new(), list_year: None, by_nearest: Vec::new() };
    let known = classification_year.map(|y| KnownCodes::new(ctx.code_lists, y));
    let mut regions: Vec<Region> = Vec::new();
    let mut region_seen: HashSet<RegionCode> = HashSet::new();
    let mut observations = Vec::new();
    let mut seen: HashMap<(RegionCode, Period, &str), u64> = HashMap::new();
    let mut unmatched: Vec<(String, u64)> = Vec::new();
    let mut ambiguous: Vec<(String, u64, Vec<String>)> = Vec::new();
    let mut footer: Option<u64> = None;
    let last = records.len() - 1;
    for (idx, (line, r)) in records.iter().enumerate().skip(data_start) {
        let line = *line;
        let rest_empty = r.iter().skip(1).all(String::is_empty);
        if r.iter().all(String::is_empty) {
            continue;
        }
        let is_footer = rest_empty && (r.len() == 1 || is_footer_text(&r[0]));
        if let Some(footer_line) = footer {
            if !rest_empty {
                return Err(Located::at(
                    &file.name,
                    line,
                    0,
                    format!("a data row after the footer on line {footer_line}: are two exports pasted together?"),
                ));
            }
            continue;
        }
        if is_footer {
            footer = Some(line);
            continue;
        }
        if r.len() != width {
            return Err(ragged_error(&file.name, line, r.len(), label_line, width, idx == last));
        }
        let label = r[region_col].as_str();
        if label.is_empty() {
            return Err(Located::at(&file.name, line, region_col as u64 + 1, "the region cell is empty"));
        }
        let (period, provisional) = match period_source {
            PeriodSource::Column(c) => {
                parse_period(&r[c]).map_err(|m| cell_error(&file.name, line, c, &headers[c], m))?
            }
            PeriodSource::Fixed(p) => (p, false),
        };

        // The region: from a code where the export has one, else by name.
        let given = match code_col.map(|c| (c, r[c].as_str())).filter(|(_, t)| !t.is_empty()) {
            Some((c, text)) => Some((
                RegionCode::parse(text).map_err(|e| Located::at(&file.name, line, c as u64 + 1, e.to_string()))?,
                c,
            )),
            None => code_in_label(label).map(|code| (code, region_col)),
        };
        let region = match given {
            Some((code, c)) => {
                if let Some(known) = &known {
                    known.check(&code, &file.name, line, c)?;
                }
                if let Some(year) = classification_year {
                    if region_seen.insert(code.clone()) {
                        regions.push(Region::new(code.clone(), region_name(ctx, year, &code, label), year));
                    }
                }
                code
            }
            None => {
                let hint = kind_col.and_then(|c| kind_from_text(&r[c]));
                let named = municipality_col.map(|c| (r[c].as_str(), c)).filter(|(n, _)| !n.is_empty());
                match matcher.find(&file.name, line, region_col, label, hint, named)? {
                    Found::One(region) => {
                        let code = region.code.clone();
                        if region_seen.insert(code.clone()) {
                            regions.push(region);
                        }
                        code
                    }
                    Found::None => {
                        unmatched.push((label.to_string(), line));
                        continue;
                    }
                    Found::Several(codes) => {
                        ambiguous.push((label.to_string(), line, codes));
                        continue;
                    }
                }
            }
        };
        // The topic of this row, in a view with a topic column.
        let row_topic = match topic_dim {
            Some(t) => match ctx.catalogue.match_labelled(&r[t]) {
                Some(v) => Some(v.id.as_str()),
                None => {
                    if !row_topics_unknown.iter().any(|(n, _)| n == &r[t]) {
                        row_topics_unknown.push((r[t].clone(), line));
                    }
                    continue;
                }
            },
            None => None,
        };
        if column_periods.is_none() {
            if let Some(first) = seen.insert((region.clone(), period, row_topic.unwrap_or_default()), line) {
                return Err(Located::at(
                    &file.name,
                    line,
                    region_col as u64 + 1,
                    format!("region {region} has period {period} twice: on line {first} and on line {line}"),
                ));
            }
        }
        for &(c, fixed, column_period) in &mapped {
            let Some(id) = fixed.or(row_topic) else { continue };
            let (period, provisional) = column_period.unwrap_or((period, provisional));
            if column_periods.is_some() {
                if let Some(first) = seen.insert((region.clone(), period, id), line) {
                    return Err(Located::at(
                        &file.name,
                        line,
                        c as u64 + 1,
                        format!(
                            "region {region} has '{id}' for period {period} twice: on line {first} and on line {line}"
                        ),
                    ));
                }
            }
            let mut value =
                parse_cell(&r[c], Decimal::Comma).map_err(|m| cell_error(&file.name, line, c, &headers[c], m))?;
            if provisional && value.status() == Status::Final {
                if let Some(n) = value.number() {
                    value = Value::provisional(n);
                }
            }
            observations.push(Observation { region: region.clone(), period, variable: id.to_string(), value });
        }
    }

    let unmapped: Vec<&str> = topics
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t, Topic::Unmapped))
        .map(|(i, _)| headers[i + ndims].as_str())
        .collect();
    if !unmapped.is_empty() {
        notes.push(format!(
            "{} columns are not in the catalogue and were skipped: {}",
            unmapped.len(),
            unmapped.iter().map(|h| format!("'{h}'")).collect::<Vec<_>>().join(", ")
        ));
    }
    if !row_topics_unknown.is_empty() {
        notes.push(format!(
            "{} topics are not in the catalogue and their rows were skipped: {}",
            row_topics_unknown.len(),
            row_topics_unknown.iter().map(|(n, l)| format!("'{n}' (line {l})")).collect::<Vec<_>>().join(", ")
        ));
    }
    if let (Some(_), Some(id)) = (&column_periods, title_topic) {
        if mapped.iter().any(|&(_, v, _)| v == Some(id)) && topics.iter().all(|t| matches!(t, Topic::Variable(_))) {
            notes.push(format!("the topic '{id}' of every column was taken from the title"));
        }
    }
    if !matcher.by_nearest.is_empty() {
        let (list_year, year) = (matcher.list_year.unwrap_or(0), classification_year.unwrap_or(0));
        notes.push(format!(
            "{} region names were matched against the code list of {list_year}, the nearest loaded to {year} (no \
             {year} list is loaded): {}",
            matcher.by_nearest.len(),
            matcher
                .by_nearest
                .iter()
                .map(|(n, l, c)| format!("'{n}' (line {l}) as {c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let municipality = match (ctx.options.municipality.as_ref(), municipality_col) {
        (_, Some(_)) => " of the municipality named on the row".to_string(),
        (Some(m), None) => format!(" of {m}"),
        (None, None) => String::new(),
    };
    let year_text = classification_year.map_or(String::new(), |y| format!(" in the {y} classification"));
    if !unmatched.is_empty() {
        notes.push(format!(
            "{} region names match no region{municipality}{year_text}; their rows were skipped: {}",
            unmatched.len(),
            unmatched.iter().map(|(n, l)| format!("'{n}' (line {l})")).collect::<Vec<_>>().join(", ")
        ));
    }
    for (name, line, codes) in &ambiguous {
        notes.push(format!(
            "region name '{name}' (line {line}) matches several regions ({}); the row was skipped: export the table \
             with the Regioaanduiding \"Codering\" or \"Soort regio\" column to tell them apart",
            codes.join(", ")
        ));
    }
    if ctx.options.classification_year.is_none() {
        if let Some(y) = title_year {
            notes.push(format!(
                "the classification year {y} was taken from the title; pass --classification-year to override"
            ));
        }
    }
    let source_table = match (kwb_title, title_year) {
        (true, Some(y)) => kwb::table_id(y).map(str::to_string),
        _ => None,
    };
    Ok(ImportBatch {
        format: Format::StatlineCsv,
        source_name: file.name.clone(),
        sha256: file.sha256(),
        source_table,
        source_title: title.map(str::to_string),
        classification_year,
        regions,
        observations,
        notes,
    })
}

/// Footer lines of StatLine exports ("Bron: CBS", "Centraal Bureau voor de Statistiek, Den Haag/Heerlen ...").
/// The one year (1990-2099) a file name holds, as a separate number (`kwb-2024-bevolking.csv`); `None` when it
/// holds none or several.
fn year_in_name(name: &str) -> Option<i32> {
    let stem = std::path::Path::new(name).file_stem().and_then(|s| s.to_str()).unwrap_or(name);
    let years: Vec<i32> = stem
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| t.len() == 4)
        .filter_map(|t| t.parse().ok())
        .filter(|y| (1990..2100).contains(y))
        .collect();
    match years.as_slice() {
        [y] => Some(*y),
        _ => None,
    }
}

fn is_footer_text(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    t.starts_with("bron") || t.starts_with("source") || t.starts_with("centraal bureau voor de statistiek")
}

/// A StatLine period title: `2023`, `2023*` (provisional), `2023**` (revised provisional), or a period code.
fn parse_period(text: &str) -> Result<(Period, bool), String> {
    let plain = text.trim().trim_end_matches('*').trim_end();
    let provisional = plain.len() < text.trim().len();
    Period::parse(plain).map(|p| (p, provisional)).map_err(|e| e.to_string())
}

/// A region code written in a label: the whole label (`GM0363`) or in brackets at its end
/// (`Amsterdam (GM0363)`).
fn code_in_label(label: &str) -> Option<RegionCode> {
    if let Ok(code) = RegionCode::parse(label) {
        return Some(code);
    }
    let inner = label.strip_suffix(')')?.rsplit_once('(')?.1;
    RegionCode::parse(inner).ok()
}

/// The name part of a label that may end in a code in brackets.
fn label_name(label: &str) -> &str {
    match label.strip_suffix(')').and_then(|l| l.rsplit_once('(')) {
        Some((name, code)) if RegionCode::parse(code).is_ok() && !name.trim().is_empty() => name.trim(),
        _ => label,
    }
}

/// The name to record for a region given by code: the label's name part, or for a bare code the name in the
/// code list (the code itself when the list does not have it).
fn region_name(ctx: &ImportContext<'_>, year: i32, code: &RegionCode, label: &str) -> String {
    let name = label_name(label);
    if RegionCode::parse(name).is_err() {
        return name.to_string();
    }
    ctx.code_lists
        .year(year)
        .and_then(|regions| regions.iter().find(|r| &r.code == code))
        .map_or_else(|| code.to_string(), |r| r.name.clone())
}

/// The kind of region a "Soort regio" cell names ("Gemeente", "Wijk", "Buurt", "Land").
fn kind_from_text(text: &str) -> Option<RegionKind> {
    let n = normalise(text);
    [RegionKind::Country, RegionKind::Municipality, RegionKind::District, RegionKind::Neighbourhood]
        .into_iter()
        .find(|k| normalise(k.dutch()) == n)
}

/// Splits a leading "Wijk 01 " or "Buurt 01 " (CBS writes wijk names of many municipalities so) from a name.
fn strip_prefix(name: &str) -> (Option<RegionKind>, &str) {
    let mut parts = name.trim().splitn(3, ' ');
    let (Some(word), Some(number), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return (None, name);
    };
    let kind = match word.to_lowercase().as_str() {
        "wijk" => RegionKind::District,
        "buurt" => RegionKind::Neighbourhood,
        _ => return (None, name),
    };
    if number.len() == 2 && number.bytes().all(|b| b.is_ascii_alphanumeric()) && !rest.trim().is_empty() {
        (Some(kind), rest.trim())
    } else {
        (None, name)
    }
}

/// The outcome of matching a name.
enum Found {
    One(Region),
    None,
    Several(Vec<String>),
}

/// The regions a name may refer to, indexed by folded name; built when the first name needs matching.
struct Index<'a> {
    exact: HashMap<String, Vec<&'a Region>>,
    stripped: HashMap<String, Vec<&'a Region>>,
    netherlands: Region,
}

struct Matcher<'c, 'a> {
    ctx: &'c ImportContext<'a>,
    classification_year: Option<i32>,
    /// One index per municipality (names are unique only within one), built when a name of it first needs matching.
    built: HashMap<RegionCode, Index<'c>>,
    /// The year of the code list names are matched against: the classification year's, or the nearest loaded.
    list_year: Option<i32>,
    /// Names matched against another year's list than the classification year's: (name, line, code).
    by_nearest: Vec<(String, u64, String)>,
}

impl<'c, 'a> Matcher<'c, 'a> {
    /// Matches a region name within the municipality named on the row (a Gemeentenaam column) or given with
    /// `--municipality`.
    fn find(
        &mut self,
        file: &str,
        line: u64,
        column: usize,
        label: &str,
        hint: Option<RegionKind>,
        named: Option<(&str, usize)>,
    ) -> Result<Found, Located> {
        let list_year = self.list_year(file, line, column, label)?;
        let municipality = self.municipality(file, line, column, label, named, list_year)?;
        if !self.built.contains_key(&municipality) {
            let index = self.build(list_year, &municipality);
            self.built.insert(municipality.clone(), index);
        }
        let Some(index) = self.built.get(&municipality) else { return Ok(Found::None) };
        let pick = |candidates: Option<&Vec<&'c Region>>, hint: Option<RegionKind>| -> Vec<&'c Region> {
            candidates
                .map(|c| c.iter().copied().filter(|r| hint.is_none() || hint == Some(r.kind())).collect())
                .unwrap_or_default()
        };
        let found = |hits: Vec<&'c Region>| match hits.as_slice() {
            [one] => Some(Found::One((*one).clone())),
            [] => None,
            several => Some(Found::Several(several.iter().map(|r| r.code.to_string()).collect())),
        };
        let (prefix_kind, rest) = strip_prefix(label);
        let hint = hint.or(prefix_kind);
        let result = if let Some(f) = found(pick(index.exact.get(&normalise(label)), hint)) {
            f
        } else if let Some(f) = found(pick(index.stripped.get(&normalise(rest)), hint)) {
            f
        } else if normalise(label) == "nederland" && matches!(hint, None | Some(RegionKind::Country)) {
            Found::One(index.netherlands.clone())
        } else {
            Found::None
        };
        if let Found::One(region) = &result {
            if Some(list_year) != self.classification_year && region.kind() != RegionKind::Country {
                self.by_nearest.push((label.to_string(), line, region.code.to_string()));
            }
        }
        Ok(result)
    }

    /// The year of the code list to match against: the classification year's when loaded, else the nearest
    /// loaded year (the earlier one on a tie), noted with every name matched that way.
    fn list_year(&mut self, file: &str, line: u64, column: usize, label: &str) -> Result<i32, Located> {
        if let Some(y) = self.list_year {
            return Ok(y);
        }
        let column = column as u64 + 1;
        let Some(year) = self.classification_year else {
            return Err(Located::at(
                file,
                line,
                column,
                format!(
                    "region '{label}' is given by name and the title does not say the year of the classification: \
                     pass --classification-year"
                ),
            ));
        };
        let nearest = self.ctx.code_lists.years().into_iter().min_by_key(|y| ((y - year).abs(), *y));
        let Some(list_year) = nearest else {
            return Err(Located::at(
                file,
                line,
                column,
                format!(
                    "region '{label}' is given by name, but no code list of classification year {year} is loaded to \
                     match names against: import the Kerncijfers wijken en buurten {year} (with its WijkenEnBuurten \
                     code list) first"
                ),
            ));
        };
        self.list_year = Some(list_year);
        Ok(list_year)
    }

    /// The municipality a name-only row belongs to: the one its Gemeentenaam cell names, else `--municipality`.
    fn municipality(
        &self,
        file: &str,
        line: u64,
        column: usize,
        label: &str,
        named: Option<(&str, usize)>,
        list_year: i32,
    ) -> Result<RegionCode, Located> {
        if let Some((name, c)) = named {
            let wanted = normalise(label_name(name));
            let hits: Vec<&Region> = self
                .ctx
                .code_lists
                .year(list_year)
                .unwrap_or_default()
                .iter()
                .filter(|r| r.kind() == RegionKind::Municipality && normalise(&r.name) == wanted)
                .collect();
            return match hits.as_slice() {
                [one] => Ok(one.code.clone()),
                [] => Err(Located::at(
                    file,
                    line,
                    c as u64 + 1,
                    format!("municipality '{name}' is not in the code list of {list_year}"),
                )),
                several => Err(Located::at(
                    file,
                    line,
                    c as u64 + 1,
                    format!(
                        "municipality name '{name}' matches several municipalities ({}) in the code list of {list_year}",
                        several.iter().map(|r| r.code.to_string()).collect::<Vec<_>>().join(", ")
                    ),
                )),
            };
        }
        self.ctx.options.municipality.clone().ok_or_else(|| {
            Located::at(
                file,
                line,
                column as u64 + 1,
                format!(
                    "region '{label}' is given by name, not by code: pass --municipality GM.... (e.g. --municipality \
                     GM0363 for Amsterdam) to say whose wijken and buurten the names are, or export the table with \
                     the Regioaanduiding \"Gemeentenaam\" column"
                ),
            )
        })
    }

    fn build(&self, list_year: i32, municipality: &RegionCode) -> Index<'c> {
        let mut index = Index {
            exact: HashMap::new(),
            stripped: HashMap::new(),
            netherlands: Region::new(RegionCode::netherlands(), "Nederland", list_year),
        };
        for region in self.ctx.code_lists.year(list_year).unwrap_or_default() {
            let inside =
                region.code.municipality().as_ref() == Some(municipality) || region.kind() == RegionKind::Country;
            if !inside {
                continue;
            }
            index.exact.entry(normalise(&region.name)).or_default().push(region);
            index.stripped.entry(normalise(strip_prefix(&region.name).1)).or_default().push(region);
        }
        index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_codes_in_labels() {
        assert_eq!(strip_prefix("Wijk 01 Centrum"), (Some(RegionKind::District), "Centrum"));
        assert_eq!(strip_prefix("Buurt 12 Oost"), (Some(RegionKind::Neighbourhood), "Oost"));
        assert_eq!(strip_prefix("Wijkje 01 Centrum"), (None, "Wijkje 01 Centrum"));
        assert_eq!(strip_prefix("Centrum"), (None, "Centrum"));
        assert_eq!(code_in_label("Amsterdam (GM0363)").map(|c| c.to_string()), Some("GM0363".into()));
        assert_eq!(code_in_label(" WK036300 ").map(|c| c.to_string()), Some("WK036300".into()));
        assert!(code_in_label("Langestraat e.o.").is_none());
        assert_eq!(label_name("Amsterdam (GM0363)"), "Amsterdam");
        assert_eq!(parse_period("2023*").unwrap(), (Period::Year(2023), true));
        assert_eq!(parse_period("2022").unwrap(), (Period::Year(2022), false));
        assert!(parse_period("2023 1e kwartaal").is_err());
    }
}
