//! Geometry for the maps: the embedded, simplified outlines of all municipalities (2024), optional buurt
//! shapes from a TopoJSON boundary file, and the projection to SVG paths.
//!
//! No tile server: lon/lat (WGS84) are projected equirectangularly with the longitude scaled by cos(52°),
//! which is close enough to true shape at the latitude of the Netherlands. Points closer than a pixel to
//! the previous one are dropped, so paths stay small whatever the source resolution.

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

/// The simplified municipality outlines of 2024, made by `tools/simplify_gemeenten.py` (Bron: CBS/PDOK, CC BY 4.0).
const GEMEENTEN_2024: &str = include_str!("../../../data/geo/gemeenten-2024-simplified.json");

/// The attribution of the embedded outlines, shown under every map.
pub const OUTLINES_ATTRIBUTION: &str = "Bron: CBS/PDOK, CC BY 4.0 (gemeentegrenzen 2024, vereenvoudigd)";

/// The file name of the 2014 buurt TopoJSON in a `--boundaries` folder.
pub const BUURT_TOPOJSON: &str = "Buurt_2014_layer_q1e3.json";

type Ring = Vec<[f64; 2]>;

#[derive(Debug, Deserialize)]
struct OutlineFile {
    features: Vec<Outline>,
}

/// One municipality: code, name and outer rings in lon/lat.
#[derive(Debug, Clone, Deserialize)]
pub struct Outline {
    pub code: String,
    pub name: String,
    pub rings: Vec<Ring>,
}

/// All municipality outlines.
#[derive(Debug, Clone, Default)]
pub struct Outlines {
    pub features: Vec<Outline>,
    by_code: HashMap<String, usize>,
}

impl Outlines {
    /// The embedded outlines. The file is part of the source tree and checked by a test, so a parse failure is a
    /// build defect; it still yields an empty map rather than a panic, and the pages then say there is no map.
    pub fn builtin() -> Outlines {
        let file: OutlineFile = serde_json::from_str(GEMEENTEN_2024).unwrap_or(OutlineFile { features: Vec::new() });
        let by_code = file.features.iter().enumerate().map(|(i, f)| (f.code.clone(), i)).collect();
        Outlines { features: file.features, by_code }
    }

    pub fn get(&self, code: &str) -> Option<&Outline> {
        self.by_code.get(code).map(|&i| &self.features[i])
    }
}

/// Buurt shapes read from a TopoJSON boundary file, only for the buurt codes asked for.
#[derive(Debug, Clone, Default)]
pub struct BuurtShapes {
    pub year: i32,
    shapes: BTreeMap<String, Vec<Ring>>,
}

impl BuurtShapes {
    /// Reads `dir/Buurt_2014_layer_q1e3.json` and keeps the buurten whose code is in `wanted`. Codes that no
    /// longer exist in 2014 form (re-coded buurten, e.g. Amsterdam since 2022) simply find no shape.
    pub fn load(dir: &Path, wanted: &[String]) -> Result<BuurtShapes, String> {
        let path = dir.join(BUURT_TOPOJSON);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let shapes = decode_topojson(&text, wanted).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(BuurtShapes { year: 2014, shapes })
    }

    pub fn codes(&self) -> impl Iterator<Item = &String> {
        self.shapes.keys()
    }

    pub fn get(&self, code: &str) -> Option<&Vec<Ring>> {
        self.shapes.get(code)
    }
}

/// Decodes the polygons of a quantized TopoJSON topology (one object, geometries with `id` = code).
fn decode_topojson(text: &str, wanted: &[String]) -> Result<BTreeMap<String, Vec<Ring>>, String> {
    let topo: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let (scale, translate) = match topo.get("transform") {
        Some(t) => {
            (pair(&t["scale"]).ok_or("bad transform.scale")?, pair(&t["translate"]).ok_or("bad transform.translate")?)
        }
        None => ([1.0, 1.0], [0.0, 0.0]),
    };
    let quantized = topo.get("transform").is_some();
    let arcs_json = topo["arcs"].as_array().ok_or("no arcs")?;
    let mut arcs: Vec<Ring> = Vec::with_capacity(arcs_json.len());
    for arc in arcs_json {
        let mut points = Vec::new();
        let (mut x, mut y) = (0.0, 0.0);
        for p in arc.as_array().ok_or("bad arc")? {
            let [a, b] = pair(p).ok_or("bad arc point")?;
            if quantized {
                x += a;
                y += b;
            } else {
                x = a;
                y = b;
            }
            points.push([x * scale[0] + translate[0], y * scale[1] + translate[1]]);
        }
        arcs.push(points);
    }
    let wanted: std::collections::HashSet<&str> = wanted.iter().map(String::as_str).collect();
    let objects = topo["objects"].as_object().ok_or("no objects")?;
    let mut out = BTreeMap::new();
    for object in objects.values() {
        for geometry in object["geometries"].as_array().into_iter().flatten() {
            let code = geometry["id"].as_str().or_else(|| geometry["properties"]["statcode"].as_str()).unwrap_or("");
            if !wanted.contains(code) {
                continue;
            }
            let polygons: Vec<&serde_json::Value> = match geometry["type"].as_str() {
                Some("Polygon") => vec![&geometry["arcs"]],
                Some("MultiPolygon") => geometry["arcs"].as_array().into_iter().flatten().collect(),
                _ => continue,
            };
            let mut rings = Vec::new();
            for polygon in polygons {
                // The first ring is the outer one; holes are not drawn.
                let Some(ring) = polygon.as_array().and_then(|r| r.first()) else { continue };
                let mut points: Ring = Vec::new();
                for index in ring.as_array().into_iter().flatten() {
                    let Some(i) = index.as_i64() else { continue };
                    let (arc, reversed) = if i < 0 { ((!i) as usize, true) } else { (i as usize, false) };
                    let Some(arc) = arcs.get(arc) else { return Err(format!("arc {i} out of range")) };
                    let mut part: Ring = arc.clone();
                    if reversed {
                        part.reverse();
                    }
                    // Consecutive arcs share their end points.
                    let skip = usize::from(!points.is_empty());
                    points.extend(part.into_iter().skip(skip));
                }
                if points.len() >= 3 {
                    rings.push(points);
                }
            }
            out.insert(code.to_string(), rings);
        }
    }
    Ok(out)
}

fn pair(value: &serde_json::Value) -> Option<[f64; 2]> {
    let a = value.as_array()?;
    Some([a.first()?.as_f64()?, a.get(1)?.as_f64()?])
}

/// An equirectangular projection of a lon/lat box onto an SVG canvas of a given width.
#[derive(Debug, Clone, Copy)]
pub struct Projection {
    min_lon: f64,
    max_lat: f64,
    /// Pixels per degree of longitude (already scaled by cos 52°).
    kx: f64,
    /// Pixels per degree of latitude.
    ky: f64,
    pub width: f64,
    pub height: f64,
}

impl Projection {
    /// Fits the bounding box of `rings` (with a margin of 3% on each side) into `width` pixels; the height is
    /// rounded up to a whole pixel.
    pub fn fit<'a>(rings: impl Iterator<Item = &'a Ring>, width: f64) -> Projection {
        let mut p = Projection::fit_with_margin(rings, width, 0.03);
        p.height = p.height.ceil();
        p
    }

    /// Fits the bounding box of `rings`, widened by `margin` (a fraction of its size) on each side, into `width`
    /// pixels; the height follows from the shape.
    pub fn fit_with_margin<'a>(rings: impl Iterator<Item = &'a Ring>, width: f64, margin: f64) -> Projection {
        let (mut min_lon, mut min_lat, mut max_lon, mut max_lat) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for ring in rings {
            for [lon, lat] in ring {
                min_lon = min_lon.min(*lon);
                max_lon = max_lon.max(*lon);
                min_lat = min_lat.min(*lat);
                max_lat = max_lat.max(*lat);
            }
        }
        if min_lon > max_lon {
            // Nothing to fit: the Netherlands.
            (min_lon, min_lat, max_lon, max_lat) = (3.3, 50.7, 7.3, 53.6);
        }
        let cos = 52f64.to_radians().cos();
        let margin_lon = (max_lon - min_lon).max(0.001) * margin;
        let margin_lat = (max_lat - min_lat).max(0.001) * margin;
        let (min_lon, max_lon) = (min_lon - margin_lon, max_lon + margin_lon);
        let (min_lat, max_lat) = (min_lat - margin_lat, max_lat + margin_lat);
        let ky = width / ((max_lon - min_lon) * cos);
        let height = ((max_lat - min_lat) * ky).max(1.0);
        Projection { min_lon, max_lat, kx: ky * cos, ky, width, height }
    }

    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        ((lon - self.min_lon) * self.kx, (self.max_lat - lat) * self.ky)
    }

    /// An SVG path for rings: coordinates rounded to a tenth of a pixel, points closer than a pixel dropped.
    pub fn path(&self, rings: &[Ring]) -> String {
        let mut d = String::new();
        for ring in rings {
            let mut last: Option<(f64, f64)> = None;
            let mut n = 0;
            let start = d.len();
            for (i, [lon, lat]) in ring.iter().enumerate() {
                let (x, y) = self.project(*lon, *lat);
                let is_last = i + 1 == ring.len();
                if let Some((lx, ly)) = last {
                    if (x - lx).abs() < 1.0 && (y - ly).abs() < 1.0 && !is_last {
                        continue;
                    }
                }
                let _ = write!(d, "{}{:.1} {:.1}", if n == 0 { 'M' } else { 'L' }, x, y);
                last = Some((x, y));
                n += 1;
            }
            if n < 3 {
                // Smaller than a pixel or two: leave it out rather than draw a speck.
                d.truncate(start);
            } else {
                d.push('Z');
            }
        }
        d
    }

    /// The centre of the largest ring (by the shoelace area), for labels and markers.
    pub fn centre(&self, rings: &[Ring]) -> (f64, f64) {
        let mut best = (0.0, (self.width / 2.0, self.height / 2.0));
        for ring in rings {
            let pts: Vec<(f64, f64)> = ring.iter().map(|[lon, lat]| self.project(*lon, *lat)).collect();
            let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
            for i in 0..pts.len() {
                let (x0, y0) = pts[i];
                let (x1, y1) = pts[(i + 1) % pts.len()];
                let cross = x0 * y1 - x1 * y0;
                a += cross;
                cx += (x0 + x1) * cross;
                cy += (y0 + y1) * cross;
            }
            if a.abs() > best.0 && a.abs() > 1e-9 {
                best = (a.abs(), (cx / (3.0 * a), cy / (3.0 * a)));
            }
        }
        best.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_outlines_cover_all_municipalities() {
        let outlines = Outlines::builtin();
        assert_eq!(outlines.features.len(), 342);
        assert_eq!(outlines.get("GM0363").map(|o| o.name.as_str()), Some("Amsterdam"));
    }

    #[test]
    fn projects_the_netherlands_upright() {
        let outlines = Outlines::builtin();
        let p = Projection::fit(outlines.features.iter().flat_map(|f| f.rings.iter()), 400.0);
        // Groningen lies north-east of Maastricht: right of it and higher up (smaller y).
        let (gx, gy) = p.centre(&outlines.get("GM0014").map(|o| o.rings.clone()).unwrap_or_default());
        let (mx, my) = p.centre(&outlines.get("GM0935").map(|o| o.rings.clone()).unwrap_or_default());
        assert!(gx > mx && gy < my, "{gx},{gy} vs {mx},{my}");
        assert!(p.height > 400.0 && p.height < 560.0, "{}", p.height);
    }

    #[test]
    fn decodes_quantized_topojson() {
        let topo = r#"{"type":"Topology","transform":{"scale":[0.5,0.5],"translate":[4,52]},
            "arcs":[[[0,0],[2,0],[0,2]],[[2,2],[-2,0],[0,-2]]],
            "objects":{"layer":{"type":"GeometryCollection","geometries":[
              {"type":"Polygon","arcs":[[0,1]],"id":"BU00000001"},{"type":"Polygon","arcs":[[-1]],"id":"BU00000002"}]}}}"#;
        let out = decode_topojson(topo, &["BU00000001".to_string()]).unwrap_or_default();
        assert_eq!(out.len(), 1);
        assert_eq!(out["BU00000001"][0], vec![[4.0, 52.0], [5.0, 52.0], [5.0, 53.0], [4.0, 53.0], [4.0, 52.0]]);
    }
}
