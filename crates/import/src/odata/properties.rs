//! Table metadata: the dimensions and topics of `DataProperties`, and the classification year.

use super::sets::{EntitySet, Record};
use wijkmonitor_model::Located;

/// A dimension of the table.
#[derive(Debug, Clone)]
pub(super) struct Dimension<'a> {
    pub(super) key: String,
    pub(super) description: String,
    pub(super) map_year: Option<i64>,
    pub(super) record: Record<'a>,
}

/// A topic (a figure column) of the table.
#[derive(Debug, Clone)]
pub(super) struct Topic {
    pub(super) key: String,
    pub(super) title: String,
    pub(super) unit: String,
    /// `String` for text topics (`Gemeentenaam`, `SoortRegio`), which are not figures.
    pub(super) datatype: String,
}

#[derive(Debug, Default)]
pub(super) struct Properties<'a> {
    pub(super) geo: Option<Dimension<'a>>,
    pub(super) time: Option<Dimension<'a>>,
    pub(super) category: Option<Dimension<'a>>,
    pub(super) topics: Vec<Topic>,
}

pub(super) fn parse_properties<'a>(set: &EntitySet<'a>) -> Result<Properties<'a>, Located> {
    let mut props = Properties::default();
    for record in &set.records {
        let Some(kind) = record.text("Type") else {
            return Err(record.error(Some("Type"), "this DataProperties entry has no Type"));
        };
        if kind == "TopicGroup" {
            continue;
        }
        let Some(key) = record.text("Key") else {
            return Err(record.error(Some("Key"), format!("this DataProperties entry ({kind}) has no Key")));
        };
        let dimension = || Dimension {
            key: key.clone(),
            description: record.text("Description").unwrap_or_default(),
            map_year: record.int("MapYear"),
            record: record.clone(),
        };
        let slot = match kind.as_str() {
            "Topic" => {
                props.topics.push(Topic {
                    key: key.clone(),
                    title: record.text("Title").unwrap_or_else(|| key.clone()),
                    unit: record.text("Unit").unwrap_or_default(),
                    datatype: record.text("Datatype").unwrap_or_default(),
                });
                continue;
            }
            "GeoDimension" | "GeoDetail" => &mut props.geo,
            "TimeDimension" => &mut props.time,
            "Dimension" => &mut props.category,
            // Other entry types carry no figures or keys wijkmonitor reads.
            _ => continue,
        };
        if let Some(previous) = slot {
            return Err(record.error(
                Some("Key"),
                format!(
                    "the table has a second {kind} {key} besides {}; wijkmonitor reads tables with at most one \
                     region, one period and one category dimension",
                    previous.key
                ),
            ));
        }
        *slot = Some(dimension());
    }
    Ok(props)
}

/// The classification year in a geo dimension description such as `Wijken en buurten (indeling 2024)`.
pub(super) fn indeling_year(description: &str) -> Option<i32> {
    let lower = description.to_lowercase();
    let at = lower.find("indeling")?;
    let rest = lower[at + "indeling".len()..].trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (digits.len() == 4).then(|| digits.parse().ok()).flatten()
}

/// StatLine regional divisions other than the four levels wijkmonitor stores (provinces, COROP regions,
/// GGD regions, ...). Rows of these are skipped with a note; any other code that fails to parse is an error.
pub(super) const OTHER_REGION_PREFIXES: [&str; 14] =
    ["LD", "PV", "CR", "CP", "CS", "GG", "JZ", "AM", "VR", "PO", "RE", "ZK", "LG", "WR"];

pub(super) fn is_other_region_kind(code: &str) -> bool {
    code.len() >= 3
        && code.is_ascii()
        && OTHER_REGION_PREFIXES.contains(&&code[..2])
        && code[2..].bytes().all(|b| b.is_ascii_alphanumeric())
}
