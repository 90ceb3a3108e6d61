//! Reading a boundary map: GeoJSON (`FeatureCollection`) or TopoJSON (`Topology`, quantized or not), Polygon and
//! MultiPolygon geometries with their holes, in WGS84 or RD New. The coordinate system is taken from the file's
//! `crs` member when it names one, else from the coordinates themselves (RD New metres cannot be mistaken for
//! degrees). The code of each region comes from the first property CBS and PDOK files use for it
//! ([`CODE_FIELDS`]), or from the one the caller names; TopoJSON geometries may carry it as their `id`.

use crate::{rd, Crs, Feature, Map, Point, Polygon, Ring};
use serde_json::Value;
use std::collections::BTreeMap;

/// Property names that hold a region code, most specific level first (so a wijk file that also names its
/// municipality is read by its wijk codes).
pub const CODE_FIELDS: [&str; 13] = [
    "statcode",
    "buurtcode",
    "bu_code",
    "buc",
    "wijkcode",
    "wk_code",
    "wkc",
    "gemeentecode",
    "gm_code",
    "gmc",
    "code",
    "regiocode",
    "identificatie",
];

/// Property names that hold a region name, in the same order.
const NAME_FIELDS: [&str; 12] = [
    "statnaam",
    "buurtnaam",
    "bu_naam",
    "bun",
    "wijknaam",
    "wk_naam",
    "wkn",
    "gemeentenaam",
    "gm_naam",
    "gmn",
    "naam",
    "name",
];

/// Why a map could not be read, with the line and column when the JSON itself is broken.
#[derive(Debug, Clone, PartialEq)]
pub struct MapError {
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl MapError {
    fn new(message: impl Into<String>) -> MapError {
        MapError { message: message.into(), line: None, column: None }
    }
}

impl std::fmt::Display for MapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            _ => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for MapError {}

/// Reads a map. `code_field` names the property with the region codes; `None` looks for one of
/// [`CODE_FIELDS`] (case-insensitive), then for TopoJSON geometry ids.
pub fn read_map(text: &str, code_field: Option<&str>) -> Result<Map, MapError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| MapError {
        message: format!("not JSON: {e}"),
        line: Some(e.line()),
        column: Some(e.column()),
    })?;
    let year = doc["metadata"]["year"].as_i64().and_then(|y| i32::try_from(y).ok());
    let (raw, declared) = match doc["type"].as_str() {
        Some("Topology") => (topojson(&doc)?, None),
        Some("FeatureCollection") => (geojson(&doc)?, declared_crs(&doc)),
        Some(other) => {
            return Err(MapError::new(format!(
                "a map must be a GeoJSON FeatureCollection or a TopoJSON Topology, not a '{other}'"
            )))
        }
        None => return Err(MapError::new("no \"type\": not a GeoJSON or TopoJSON file")),
    };
    if raw.is_empty() {
        return Err(MapError::new("the map has no polygons"));
    }
    let field = choose_code_field(&raw, code_field)?;
    let name_field = NAME_FIELDS.iter().find_map(|n| find_key(&raw[0].properties, n));
    let first = raw.iter().flat_map(|r| r.polygons.iter()).flat_map(|p| p.exterior.first()).next().copied();
    let crs = declared.unwrap_or(match first {
        Some([x, y]) if rd::looks_like_rd(x, y) => Crs::RdNew,
        _ => Crs::Wgs84,
    });
    // A region may come in several features (one per part): they are one region.
    let mut by_code: BTreeMap<String, Feature> = BTreeMap::new();
    for (i, r) in raw.into_iter().enumerate() {
        let code = if field == "id" { r.id.clone() } else { text_of(r.properties.get(&field)) };
        let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
            return Err(MapError::new(format!("feature {} has no code in '{field}'", i + 1)));
        };
        let name = name_field.as_ref().and_then(|n| text_of(r.properties.get(n)));
        let entry = by_code.entry(code.trim().to_string()).or_insert_with(|| Feature {
            code: code.trim().to_string(),
            name,
            polygons: Vec::new(),
        });
        entry.polygons.extend(r.polygons);
    }
    Ok(Map { crs, features: by_code.into_values().collect(), code_field: field, year })
}

/// A feature as read, before its code is chosen.
struct RawFeature {
    id: Option<String>,
    properties: serde_json::Map<String, Value>,
    polygons: Vec<Polygon>,
}

fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The key of `properties` equal to `name` ignoring case.
fn find_key(properties: &serde_json::Map<String, Value>, name: &str) -> Option<String> {
    properties.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

fn choose_code_field(raw: &[RawFeature], asked: Option<&str>) -> Result<String, MapError> {
    let props = &raw[0].properties;
    if let Some(asked) = asked {
        return if asked == "id" && raw[0].id.is_some() {
            Ok("id".into())
        } else {
            find_key(props, asked).ok_or_else(|| {
                let names: Vec<&str> = props.keys().map(String::as_str).collect();
                MapError::new(format!("no property '{asked}'; the features have: {}", names.join(", ")))
            })
        };
    }
    if let Some(field) = CODE_FIELDS.iter().find_map(|c| find_key(props, c)) {
        return Ok(field);
    }
    if raw[0].id.is_some() {
        return Ok("id".into());
    }
    let names: Vec<&str> = props.keys().map(String::as_str).collect();
    Err(MapError::new(format!(
        "no region code found: none of the properties ({}) is one of {}; name it with --code-field",
        names.join(", "),
        CODE_FIELDS.join(", ")
    )))
}

fn declared_crs(doc: &Value) -> Option<Crs> {
    let name = doc["crs"]["properties"]["name"].as_str()?;
    if name.contains("28992") {
        Some(Crs::RdNew)
    } else if name.contains("4326") || name.contains("CRS84") {
        Some(Crs::Wgs84)
    } else {
        None
    }
}

fn point(value: &Value) -> Option<Point> {
    let a = value.as_array()?;
    Some([a.first()?.as_f64()?, a.get(1)?.as_f64()?])
}

fn ring(value: &Value) -> Result<Ring, MapError> {
    value
        .as_array()
        .ok_or_else(|| MapError::new("a ring is not a list of points"))?
        .iter()
        .map(|p| point(p).ok_or_else(|| MapError::new("a point is not a pair of numbers")))
        .collect()
}

fn polygon_of_rings(rings: Vec<Ring>) -> Option<Polygon> {
    let mut rings = rings.into_iter().filter(|r| r.len() >= 3);
    let exterior = rings.next()?;
    Some(Polygon { exterior, holes: rings.collect() })
}

fn geojson(doc: &Value) -> Result<Vec<RawFeature>, MapError> {
    let features = doc["features"].as_array().ok_or_else(|| MapError::new("a FeatureCollection without features"))?;
    let mut out = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let geometry = &f["geometry"];
        let parts: Vec<&Value> = match geometry["type"].as_str() {
            Some("Polygon") => vec![&geometry["coordinates"]],
            Some("MultiPolygon") => geometry["coordinates"].as_array().into_iter().flatten().collect(),
            // Points and lines have no area; a feature without geometry has nothing to overlap.
            _ => continue,
        };
        let mut polygons = Vec::new();
        for part in parts {
            let rings = part
                .as_array()
                .ok_or_else(|| MapError::new(format!("feature {}: a polygon is not a list of rings", i + 1)))?
                .iter()
                .map(ring)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| MapError::new(format!("feature {}: {}", i + 1, e.message)))?;
            polygons.extend(polygon_of_rings(rings));
        }
        out.push(RawFeature {
            id: text_of(f.get("id")),
            properties: f["properties"].as_object().cloned().unwrap_or_default(),
            polygons,
        });
    }
    Ok(out)
}

fn topojson(doc: &Value) -> Result<Vec<RawFeature>, MapError> {
    let transform = match doc.get("transform") {
        Some(t) => Some((
            point(&t["scale"]).ok_or_else(|| MapError::new("transform.scale is not a pair of numbers"))?,
            point(&t["translate"]).ok_or_else(|| MapError::new("transform.translate is not a pair of numbers"))?,
        )),
        None => None,
    };
    let mut arcs: Vec<Ring> = Vec::new();
    for arc in doc["arcs"].as_array().ok_or_else(|| MapError::new("a Topology without arcs"))? {
        let mut points = Vec::new();
        let (mut x, mut y) = (0.0, 0.0);
        for p in arc.as_array().ok_or_else(|| MapError::new("an arc is not a list of points"))? {
            let [a, b] = point(p).ok_or_else(|| MapError::new("an arc point is not a pair of numbers"))?;
            match transform {
                // Quantized arcs are delta-encoded.
                Some((scale, translate)) => {
                    x += a;
                    y += b;
                    points.push([x * scale[0] + translate[0], y * scale[1] + translate[1]]);
                }
                None => points.push([a, b]),
            }
        }
        arcs.push(points);
    }
    let ring_of = |indices: &Value| -> Result<Ring, MapError> {
        let mut points: Ring = Vec::new();
        for index in indices.as_array().ok_or_else(|| MapError::new("a ring is not a list of arcs"))? {
            let i = index.as_i64().ok_or_else(|| MapError::new("an arc index is not a number"))?;
            let (k, reversed) = if i < 0 { ((!i) as usize, true) } else { (i as usize, false) };
            let arc = arcs.get(k).ok_or_else(|| MapError::new(format!("arc {i} does not exist")))?;
            // Consecutive arcs share their end points.
            let skip = usize::from(!points.is_empty());
            if reversed {
                points.extend(arc.iter().rev().skip(skip));
            } else {
                points.extend(arc.iter().skip(skip));
            }
        }
        Ok(points)
    };
    let objects = doc["objects"].as_object().ok_or_else(|| MapError::new("a Topology without objects"))?;
    let mut out = Vec::new();
    for object in objects.values() {
        let geometries: Vec<&Value> = match object["type"].as_str() {
            Some("GeometryCollection") => object["geometries"].as_array().into_iter().flatten().collect(),
            _ => vec![object],
        };
        for g in geometries {
            let parts: Vec<&Value> = match g["type"].as_str() {
                Some("Polygon") => vec![&g["arcs"]],
                Some("MultiPolygon") => g["arcs"].as_array().into_iter().flatten().collect(),
                _ => continue,
            };
            let mut polygons = Vec::new();
            for part in parts {
                let rings = part
                    .as_array()
                    .ok_or_else(|| MapError::new("a polygon is not a list of rings"))?
                    .iter()
                    .map(ring_of)
                    .collect::<Result<Vec<_>, _>>()?;
                polygons.extend(polygon_of_rings(rings));
            }
            out.push(RawFeature {
                id: text_of(g.get("id")),
                properties: g["properties"].as_object().cloned().unwrap_or_default(),
                polygons,
            });
        }
    }
    Ok(out)
}

/// Reads points with counts (addresses, inhabitants per grid cell) from a GeoJSON or TopoJSON file, in RD New: a
/// Point feature is its point, a polygon (a grid cell) the middle of its outer ring; the count is the number in
/// `count_field` (features without one count as 1, features with a negative or unreadable one are refused).
pub fn read_points(text: &str, count_field: Option<&str>) -> Result<Vec<(Point, f64)>, MapError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| MapError {
        message: format!("not JSON: {e}"),
        line: Some(e.line()),
        column: Some(e.column()),
    })?;
    let features =
        doc["features"].as_array().ok_or_else(|| MapError::new("a point file must be a GeoJSON FeatureCollection"))?;
    let declared = declared_crs(&doc);
    let mut out = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let g = &f["geometry"];
        let at = match g["type"].as_str() {
            Some("Point") => point(&g["coordinates"]),
            Some("Polygon") => g["coordinates"][0].as_array().and_then(|r| {
                let pts: Vec<Point> = r.iter().filter_map(point).collect();
                let n = pts.len() as f64;
                (n > 0.0)
                    .then(|| [pts.iter().map(|p| p[0]).sum::<f64>() / n, pts.iter().map(|p| p[1]).sum::<f64>() / n])
            }),
            _ => None,
        };
        let Some([x, y]) = at else { continue };
        let count = match count_field {
            None => 1.0,
            Some(field) => match find_key(f["properties"].as_object().unwrap_or(&serde_json::Map::new()), field)
                .and_then(|k| f["properties"].get(&k).cloned())
            {
                None | Some(Value::Null) => 1.0,
                Some(v) => v
                    .as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                    .filter(|c: &f64| *c >= 0.0 && c.is_finite())
                    .ok_or_else(|| MapError::new(format!("feature {}: '{v}' in '{field}' is not a count", i + 1)))?,
            },
        };
        let rd_point = match declared {
            Some(Crs::RdNew) => [x, y],
            Some(Crs::Wgs84) => rd::from_wgs84(x, y),
            None if rd::looks_like_rd(x, y) => [x, y],
            None => rd::from_wgs84(x, y),
        };
        out.push((rd_point, count));
    }
    if out.is_empty() {
        return Err(MapError::new("the point file has no points"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE_RD: &str = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},
        "features":[{"type":"Feature","properties":{"WKC":"WK000300","WKN":"Wijk 00","GMC":"GM0003"},
        "geometry":{"type":"Polygon","coordinates":[[[0,0],[100,0],[100,100],[0,100],[0,0]],[[10,10],[20,10],[20,20],[10,10]]]}}]}"#;

    #[test]
    fn geojson_in_rd_with_the_wijk_code_before_the_municipality() {
        let map = read_map(SQUARE_RD, None).unwrap();
        assert_eq!(map.crs, Crs::RdNew);
        assert_eq!(map.code_field, "WKC");
        assert_eq!(map.features[0].code, "WK000300");
        assert_eq!(map.features[0].name.as_deref(), Some("Wijk 00"));
        assert_eq!(map.features[0].polygons[0].holes.len(), 1);
        let by_municipality = read_map(SQUARE_RD, Some("gmc")).unwrap();
        assert_eq!(by_municipality.features[0].code, "GM0003");
    }

    #[test]
    fn quantized_topojson_with_ids() {
        let text = r#"{"type":"Topology","transform":{"scale":[0.5,0.5],"translate":[4,52]},
            "arcs":[[[0,0],[2,0],[0,2],[-2,0],[0,-2]]],
            "objects":{"layer":{"type":"GeometryCollection","geometries":[{"type":"Polygon","arcs":[[0]],"id":"BU00030000"}]}}}"#;
        let map = read_map(text, None).unwrap();
        assert_eq!(map.code_field, "id");
        assert_eq!(map.crs, Crs::Wgs84);
        assert_eq!(map.features[0].code, "BU00030000");
        assert_eq!(
            map.features[0].polygons[0].exterior,
            vec![[4.0, 52.0], [5.0, 52.0], [5.0, 53.0], [4.0, 53.0], [4.0, 52.0]]
        );
    }

    #[test]
    fn clear_errors() {
        let broken = read_map("{\"type\": \"FeatureCollection\",\n  \"features\": [,]}", None).unwrap_err();
        assert_eq!((broken.line, broken.column), (Some(2), Some(16)), "{broken}");
        let unknown = read_map(SQUARE_RD, Some("buurtcode")).unwrap_err();
        assert!(unknown.message.contains("WKC"), "{unknown}");
        let no_code = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"x":1},
            "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#;
        assert!(read_map(no_code, None).unwrap_err().message.contains("--code-field"));
        assert!(read_map(r#"{"type":"Feature"}"#, None).unwrap_err().message.contains("FeatureCollection"));
    }
}
