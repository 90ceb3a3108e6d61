//! Geometry for the maps: the embedded, simplified outlines of all municipalities (2024), optional buurt
//! shapes from the boundary files of a folder (read by `wijkmonitor-maps`), and the projection to SVG paths.
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

/// The file name of the 2014 buurt TopoJSON in `../shared/data/boundaries` (any buurt map of a folder is read).
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

/// Buurt shapes read from the boundary files of a folder, only for the buurt codes asked for.
#[derive(Debug, Clone, Default)]
pub struct BuurtShapes {
    /// The years of the maps the shapes came from.
    pub years: Vec<i32>,
    shapes: BTreeMap<String, Vec<Ring>>,
}

/// Whether a file in a boundaries folder is a buurt map: GeoJSON or TopoJSON with "buurt" in its name.
fn is_buurt_map(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
    name.contains("buurt") && [".json", ".geojson", ".topojson"].iter().any(|e| name.ends_with(e))
}

impl BuurtShapes {
    /// Reads every buurt map in `dir` (GeoJSON or TopoJSON, WGS84 or RD New, any classification year, such as
    /// `Buurt_2014_layer_q1e3.json` or `buurten_2024.geojson`) and keeps the buurten whose code is in `wanted`, so
    /// that an area is drawn in the classification it is defined in (Amsterdam's re-coded buurten of 2022 need a
    /// map of 2022 or later). A code found in several maps takes the shape of the newest.
    pub fn load(dir: &Path, wanted: &[String]) -> Result<BuurtShapes, String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let mut files: Vec<std::path::PathBuf> =
            entries.flatten().map(|e| e.path()).filter(|p| is_buurt_map(p)).collect();
        files.sort();
        if files.is_empty() {
            return Err(format!(
                "{} holds no buurt map (a GeoJSON or TopoJSON file with 'buurt' in its name)",
                dir.display()
            ));
        }
        let wanted: std::collections::HashSet<&str> = wanted.iter().map(String::as_str).collect();
        // Newest first (by the year in the file name), so a code takes its newest shape and older maps, which can
        // be large, are not read once every wanted code has one.
        let year_of = |p: &std::path::PathBuf| wijkmonitor_maps::year_in_file_name(&p.to_string_lossy()).unwrap_or(0);
        files.sort_by_key(|p| std::cmp::Reverse(year_of(p)));
        let mut shapes: BTreeMap<String, Vec<Ring>> = BTreeMap::new();
        let mut years = Vec::new();
        for path in files {
            if shapes.len() == wanted.len() {
                break;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let map = wijkmonitor_maps::read_map(&text, None).map_err(|e| format!("{}: {e}", path.display()))?;
            let year = map.year.unwrap_or_else(|| year_of(&path));
            let rd = map.crs == wijkmonitor_maps::Crs::RdNew;
            let mut used = false;
            for f in map.features.into_iter().filter(|f| wanted.contains(f.code.as_str())) {
                if shapes.contains_key(&f.code) {
                    continue;
                }
                // Outer rings only: holes are not drawn.
                let rings: Vec<Ring> = f
                    .polygons
                    .into_iter()
                    .map(|p| {
                        if rd {
                            p.exterior.iter().map(|&[x, y]| wijkmonitor_maps::rd::to_wgs84(x, y)).collect()
                        } else {
                            p.exterior
                        }
                    })
                    .collect();
                shapes.insert(f.code, rings);
                used = true;
            }
            if used && year > 0 {
                years.push(year);
            }
        }
        years.sort_unstable();
        Ok(BuurtShapes { years, shapes })
    }

    pub fn codes(&self) -> impl Iterator<Item = &String> {
        self.shapes.keys()
    }

    pub fn get(&self, code: &str) -> Option<&Vec<Ring>> {
        self.shapes.get(code)
    }
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
}
