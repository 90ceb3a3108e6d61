//! Boundary maps of regions (buurten, wijken, municipalities) and crosswalks between classification years built
//! from them.
//!
//! - [`read`]: a map from GeoJSON or TopoJSON text, in WGS84 or RD New (EPSG:28992), with the code of each region
//!   found among the property names CBS and PDOK files use (or named by the caller).
//! - [`rd`]: RD New to and from WGS84 (the approximation of the Dutch mapping agency, about a metre).
//! - [`overlap`]: the crosswalk from one map to another: for each region of the first map, the shares of its area
//!   (or of its addresses or inhabitants, from a point file with counts) that lie in each region of the second.
//!
//! No file or network IO: callers hand in text and get values back.

pub mod overlap;
pub mod rd;
pub mod read;

pub use overlap::{crosswalk, Crosswalk, CrosswalkOptions, Share, Weights, CSV_HEADER};
pub use read::{read_map, read_points, MapError};

/// The one year (1990-2099) a file name holds, if exactly one: `gemeenten_2019.geojson` and
/// `Buurt_2014_layer_q1e3.json` are of 2019 and 2014; `kaart-2019-2024.json` and `x20190.json` of none.
pub fn year_in_file_name(path: &str) -> Option<i32> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    let years: std::collections::BTreeSet<i32> = stem
        .split(|c: char| !c.is_ascii_digit())
        .filter(|d| d.len() == 4)
        .filter_map(|d| d.parse().ok())
        .filter(|y| (1990..2100).contains(y))
        .collect();
    if years.len() == 1 {
        years.into_iter().next()
    } else {
        None
    }
}

/// A point as `[x, y]`: longitude and latitude in WGS84, or metres east and north in RD New.
pub type Point = [f64; 2];

/// A closed ring of points (the last may or may not repeat the first).
pub type Ring = Vec<Point>;

/// The coordinate reference system of a map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// Longitude and latitude (EPSG:4326, CRS84).
    Wgs84,
    /// The Dutch national grid (EPSG:28992), in metres.
    RdNew,
}

/// One polygon: an outer ring and its holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Polygon {
    pub exterior: Ring,
    pub holes: Vec<Ring>,
}

/// One region of a map.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub code: String,
    pub name: Option<String>,
    pub polygons: Vec<Polygon>,
}

/// A map: its regions, the coordinate system they are in, and the property the codes came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    pub crs: Crs,
    pub features: Vec<Feature>,
    /// Where each region's code was read (`statcode`, `gemeentecode`, `WKC`, or `id` of a TopoJSON geometry).
    pub code_field: String,
    /// The year the file says it describes (`metadata.year` of some GeoJSON files), if any.
    pub year: Option<i32>,
}

impl Map {
    /// The map in RD New, where areas are square metres.
    pub fn to_rd(&self) -> Map {
        if self.crs == Crs::RdNew {
            return self.clone();
        }
        let convert = |ring: &Ring| ring.iter().map(|&[lon, lat]| rd::from_wgs84(lon, lat)).collect::<Ring>();
        Map {
            crs: Crs::RdNew,
            features: self
                .features
                .iter()
                .map(|f| Feature {
                    code: f.code.clone(),
                    name: f.name.clone(),
                    polygons: f
                        .polygons
                        .iter()
                        .map(|p| Polygon {
                            exterior: convert(&p.exterior),
                            holes: p.holes.iter().map(convert).collect(),
                        })
                        .collect(),
                })
                .collect(),
            code_field: self.code_field.clone(),
            year: self.year,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_in_file_names() {
        assert_eq!(year_in_file_name("gemeenten_2019.geojson"), Some(2019));
        assert_eq!(year_in_file_name("../data/Buurt_2014_layer_q1e3.json"), Some(2014));
        assert_eq!(year_in_file_name("kaart-2019-2024.json"), None);
        assert_eq!(year_in_file_name("kaart.json"), None);
        assert_eq!(year_in_file_name("x20190.json"), None);
        assert_eq!(year_in_file_name("2019/kaart.json"), None);
    }
}
