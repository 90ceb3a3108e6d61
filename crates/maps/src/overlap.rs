//! Crosswalks from the overlap of two maps: for each region of the `from` map, the share of it that lies in each
//! region of the `to` map, by area (in RD New, so in square metres) or, when points with counts are given
//! (addresses, inhabitants on a grid), by those counts.
//!
//! Boundary files of different years are drawn with different detail, so a region also touches its neighbours
//! along the edges: shares below a tolerance are slivers, dropped and reported, and the remaining shares of a
//! region are scaled to add up to one. What part of a region lies in no region of the other map at all (coast
//! lines drawn differently, water) is reported as its coverage.

use crate::{Map, Point};
use geo::{Area, BooleanOps, BoundingRect, Contains, Coord, LineString, MultiPolygon, Rect};

/// One row of a crosswalk: the share of `from` that lies in `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    pub from: String,
    pub to: String,
    pub share: f64,
}

/// Points with counts (addresses, inhabitants per grid cell), in RD New, that weigh the overlap.
#[derive(Debug, Clone, Default)]
pub struct Weights {
    pub points: Vec<(Point, f64)>,
}

/// How a crosswalk is made.
#[derive(Debug, Clone)]
pub struct CrosswalkOptions {
    /// Shares below this are slivers: dropped and reported (default 0.01, one percent).
    pub sliver: f64,
    /// Points with counts; without them the shares are by area.
    pub weights: Option<Weights>,
    /// For maps whose regions nest by design (the buurten of a year in the wijken or municipalities of that
    /// year): each region goes wholly to the region that holds the largest part of it, and a region too small to
    /// have an area in the file (a quantized sliver) to the region holding the middle of its points.
    pub whole: bool,
}

impl Default for CrosswalkOptions {
    fn default() -> CrosswalkOptions {
        CrosswalkOptions { sliver: 0.01, weights: None, whole: false }
    }
}

/// A crosswalk and what was left out of it.
#[derive(Debug, Clone, Default)]
pub struct Crosswalk {
    /// The shares kept, by `from` code then share (largest first); those of one `from` add up to one.
    pub shares: Vec<Share>,
    /// The slivers dropped (their raw share).
    pub slivers: Vec<Share>,
    /// For each `from` region, the part of it (by area or weight) that lies in some `to` region, before scaling.
    pub coverage: Vec<(String, f64)>,
    /// `from` regions that overlap no `to` region at all (or have no area).
    pub unmatched: Vec<String>,
    /// `from` regions whose shares are by area although points were given, because none of the points lies in them.
    pub by_area_fallback: Vec<String>,
}

/// A point of the weights: the region of each map it lies in, and its count.
type Located = (Option<usize>, Option<usize>, f64);
/// A region of the `to` map and a share.
type Part = (usize, f64);

struct Shape {
    polygons: MultiPolygon<f64>,
    bbox: Option<Rect<f64>>,
    area: f64,
}

fn shapes(map: &Map) -> Vec<Shape> {
    let rd = map.to_rd();
    rd.features
        .iter()
        .map(|f| {
            let line =
                |ring: &Vec<Point>| LineString::from(ring.iter().map(|&[x, y]| Coord { x, y }).collect::<Vec<_>>());
            let polygons = MultiPolygon::new(
                f.polygons
                    .iter()
                    .map(|p| geo::Polygon::new(line(&p.exterior), p.holes.iter().map(line).collect()))
                    .collect(),
            );
            let bbox = polygons.bounding_rect();
            let area = polygons.unsigned_area();
            Shape { polygons, bbox, area }
        })
        .collect()
}

fn boxes_meet(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x && b.min().x <= a.max().x && a.min().y <= b.max().y && b.min().y <= a.max().y
}

/// The header of the crosswalk file the engine reads.
pub const CSV_HEADER: &str = "from_year,from_code,to_year,to_code,share";

impl Crosswalk {
    /// The kept shares as rows of the crosswalk file (`from_year,from_code,to_year,to_code,share`, one per line,
    /// without the header) for the rows `keep` accepts: six decimals, the shares of one region never adding up to
    /// more than one after rounding (the engine refuses more).
    pub fn csv_rows(&self, from_year: i32, to_year: i32, keep: impl Fn(&Share) -> bool) -> String {
        let mut out = String::new();
        let kept: Vec<&Share> = self.shares.iter().filter(|s| keep(s)).collect();
        for group in kept.chunk_by(|a, b| a.from == b.from) {
            let shares: Vec<f64> = group.iter().map(|s| s.share).collect();
            for (s, share) in group.iter().zip(rounded(&shares)) {
                if share > 0.0 {
                    out.push_str(&format!("{from_year},{},{to_year},{},{share:.6}\n", s.from, s.to));
                }
            }
        }
        out
    }

    /// How many regions are divided over more than one region.
    pub fn divided(&self) -> usize {
        self.shares.chunk_by(|a, b| a.from == b.from).filter(|g| g.len() > 1).count()
    }
}

/// Shares with six decimals whose sum stays at most one.
fn rounded(shares: &[f64]) -> Vec<f64> {
    let mut out: Vec<f64> = shares.iter().map(|s| (s * 1e6).round() / 1e6).collect();
    let total: f64 = out.iter().sum();
    if total > 1.0 {
        if let Some(i) = (0..out.len()).max_by(|&a, &b| out[a].total_cmp(&out[b])) {
            out[i] = ((out[i] - (total - 1.0)) * 1e6).floor() / 1e6;
        }
    }
    out
}

/// The crosswalk from `from` to `to`. `progress` hears (done, total) as the regions of `from` are worked through.
pub fn crosswalk(from: &Map, to: &Map, options: &CrosswalkOptions, progress: &dyn Fn(usize, usize)) -> Crosswalk {
    let (a, b) = (shapes(from), shapes(to));
    // With points: which region of each map each point lies in.
    let located: Option<Vec<Located>> = options.weights.as_ref().map(|w| {
        w.points
            .iter()
            .map(|&([x, y], count)| {
                let p = geo::Point::new(x, y);
                let find = |shapes: &[Shape]| {
                    shapes.iter().position(|s| {
                        s.bbox.is_some_and(|r| r.min().x <= x && x <= r.max().x && r.min().y <= y && y <= r.max().y)
                            && s.polygons.contains(&p)
                    })
                };
                (find(&a), find(&b), count)
            })
            .collect()
    });
    let mut out = Crosswalk::default();
    let total = a.len();
    for (i, shape) in a.iter().enumerate() {
        if i % 64 == 0 {
            progress(i, total);
        }
        let code = &from.features[i].code;
        let mut raw: Vec<Part> = Vec::new();
        let weighted = located.as_ref().map(|pts| {
            let mine: Vec<&Located> = pts.iter().filter(|p| p.0 == Some(i)).collect();
            let sum: f64 = mine.iter().map(|p| p.2).sum();
            (mine, sum)
        });
        match weighted {
            Some((mine, sum)) if sum > 0.0 => {
                let mut by_to: std::collections::BTreeMap<usize, f64> = std::collections::BTreeMap::new();
                for (_, j, count) in mine {
                    if let Some(j) = j {
                        *by_to.entry(*j).or_default() += count / sum;
                    }
                }
                raw.extend(by_to);
            }
            other => {
                if other.is_some() {
                    out.by_area_fallback.push(code.clone());
                }
                let Some(bbox) = shape.bbox.filter(|_| shape.area > 0.0) else {
                    out.coverage.push((code.clone(), 0.0));
                    match middle_in(&from.features[i], &b).filter(|_| options.whole) {
                        Some(j) => {
                            out.shares.push(Share { from: code.clone(), to: to.features[j].code.clone(), share: 1.0 })
                        }
                        None => out.unmatched.push(code.clone()),
                    }
                    continue;
                };
                for (j, other) in b.iter().enumerate() {
                    if !other.bbox.is_some_and(|r| boxes_meet(&bbox, &r)) {
                        continue;
                    }
                    let overlap = shape.polygons.intersection(&other.polygons).unsigned_area();
                    if overlap > 0.0 {
                        raw.push((j, overlap / shape.area));
                    }
                }
            }
        }
        let covered: f64 = raw.iter().map(|r| r.1).sum();
        out.coverage.push((code.clone(), covered.min(1.0)));
        if options.whole {
            let best =
                raw.iter().max_by(|x, y| x.1.total_cmp(&y.1)).map(|r| r.0).or_else(|| middle_in(&from.features[i], &b));
            match best {
                Some(j) => out.shares.push(Share { from: code.clone(), to: to.features[j].code.clone(), share: 1.0 }),
                None => out.unmatched.push(code.clone()),
            }
            continue;
        }
        let (kept, dropped): (Vec<Part>, Vec<Part>) = raw.into_iter().partition(|&(_, s)| s >= options.sliver);
        out.slivers.extend(dropped.iter().map(|&(j, s)| Share {
            from: code.clone(),
            to: to.features[j].code.clone(),
            share: s,
        }));
        let kept_sum: f64 = kept.iter().map(|r| r.1).sum();
        if kept.is_empty() || kept_sum <= 0.0 {
            out.unmatched.push(code.clone());
            continue;
        }
        let mut rows: Vec<Share> = kept
            .into_iter()
            .map(|(j, s)| Share { from: code.clone(), to: to.features[j].code.clone(), share: s / kept_sum })
            .collect();
        rows.sort_by(|x, y| y.share.total_cmp(&x.share).then_with(|| x.to.cmp(&y.to)));
        out.shares.extend(rows);
    }
    progress(total, total);
    out
}

/// The region of `shapes` that holds the mean of a feature's points (in RD New), if any.
fn middle_in(feature: &crate::Feature, shapes: &[Shape]) -> Option<usize> {
    let points: Vec<Point> = feature.polygons.iter().flat_map(|p| p.exterior.iter().copied()).collect();
    if points.is_empty() {
        return None;
    }
    let n = points.len() as f64;
    let [x, y] = [points.iter().map(|p| p[0]).sum::<f64>() / n, points.iter().map(|p| p[1]).sum::<f64>() / n];
    // The features are in the map's own system; the shapes in RD New.
    let [x, y] = if crate::rd::looks_like_rd(x, y) { [x, y] } else { crate::rd::from_wgs84(x, y) };
    let p = geo::Point::new(x, y);
    shapes.iter().position(|s| s.polygons.contains(&p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Crs, Feature, Polygon};

    fn square(code: &str, x0: f64, y0: f64, size: f64) -> Feature {
        Feature {
            code: code.into(),
            name: None,
            polygons: vec![Polygon {
                exterior: vec![[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]],
                holes: vec![],
            }],
        }
    }

    fn map(features: Vec<Feature>) -> Map {
        Map { crs: Crs::RdNew, features, code_field: "code".into(), year: None }
    }

    #[test]
    fn a_region_split_in_two_gets_its_area_shares() {
        // 100 x 100 at (100_000, 400_000), split 30/70 by a vertical line; a third region far away.
        let from = map(vec![square("A", 100_000.0, 400_000.0, 100.0), square("Z", 0.0, 300_000.0, 10.0)]);
        let mut left = square("L", 100_000.0, 400_000.0, 100.0);
        left.polygons[0].exterior =
            vec![[100_000.0, 400_000.0], [100_030.0, 400_000.0], [100_030.0, 400_100.0], [100_000.0, 400_100.0]];
        let mut right = square("R", 100_000.0, 400_000.0, 100.0);
        right.polygons[0].exterior =
            vec![[100_030.0, 400_000.0], [100_100.0, 400_000.0], [100_100.0, 400_100.0], [100_030.0, 400_100.0]];
        let cw = crosswalk(&from, &map(vec![left, right]), &CrosswalkOptions::default(), &|_, _| {});
        assert_eq!(cw.shares.len(), 2);
        assert_eq!((cw.shares[0].to.as_str(), cw.shares[1].to.as_str()), ("R", "L"));
        assert!((cw.shares[0].share - 0.7).abs() < 1e-9 && (cw.shares[1].share - 0.3).abs() < 1e-9);
        assert_eq!(cw.unmatched, vec!["Z".to_string()]);
    }

    #[test]
    fn slivers_are_dropped_reported_and_the_rest_scaled() {
        // The new map's region is shifted by half a metre: 0.5% of A lies in its neighbour.
        let from = map(vec![square("A", 100_000.0, 400_000.0, 100.0)]);
        let to = map(vec![square("B", 100_000.5, 400_000.0, 100.0), square("C", 99_900.5, 400_000.0, 100.0)]);
        let cw = crosswalk(&from, &to, &CrosswalkOptions::default(), &|_, _| {});
        assert_eq!(cw.shares, vec![Share { from: "A".into(), to: "B".into(), share: 1.0 }]);
        assert_eq!(cw.slivers.len(), 1);
        assert!((cw.slivers[0].share - 0.005).abs() < 1e-9);
        assert!((cw.coverage[0].1 - 1.0).abs() < 1e-9);
    }

    #[test]
    fn points_with_counts_weigh_the_shares() {
        let from = map(vec![square("A", 100_000.0, 400_000.0, 100.0)]);
        let to = map(vec![square("L", 100_000.0, 400_000.0, 50.0), square("R", 100_050.0, 400_000.0, 50.0)]);
        // Only the bottom half of A is covered by the new map; all inhabitants live in L's part.
        let weights = Weights { points: vec![([100_010.0, 400_010.0], 30.0), ([100_020.0, 400_020.0], 10.0)] };
        let cw = crosswalk(&from, &to, &CrosswalkOptions { weights: Some(weights), ..Default::default() }, &|_, _| {});
        assert_eq!(cw.shares, vec![Share { from: "A".into(), to: "L".into(), share: 1.0 }]);
        assert!(cw.by_area_fallback.is_empty());
        // By area the same map splits A half and half over a covered half.
        let cw = crosswalk(&from, &to, &CrosswalkOptions::default(), &|_, _| {});
        assert_eq!(cw.shares.len(), 2);
        assert!((cw.coverage[0].1 - 0.5).abs() < 1e-9);
    }

    #[test]
    fn whole_regions_go_to_the_region_holding_most_of_them() {
        let from = map(vec![square("A", 100_000.0, 400_000.0, 100.0), square("P", 100_070.0, 400_010.0, 0.0)]);
        let to = map(vec![square("L", 100_000.0, 400_000.0, 40.0), square("R", 100_040.0, 400_000.0, 60.0)]);
        let options = CrosswalkOptions { whole: true, ..Default::default() };
        let cw = crosswalk(&from, &to, &options, &|_, _| {});
        assert_eq!(
            cw.shares,
            vec![
                Share { from: "A".into(), to: "R".into(), share: 1.0 },
                Share { from: "P".into(), to: "R".into(), share: 1.0 }
            ]
        );
    }

    #[test]
    fn rounded_shares_never_add_up_to_more_than_one() {
        let r = rounded(&[1.0 / 3.0 + 2e-7, 1.0 / 3.0 + 2e-7, 1.0 / 3.0 - 4e-7]);
        assert!(r.iter().sum::<f64>() <= 1.0 + 1e-12, "{r:?}");
        let r = rounded(&[0.4999996, 0.5000004]);
        assert!(r.iter().sum::<f64>() <= 1.0 + 1e-12, "{r:?}");
    }

    #[test]
    fn crosswalk_rows_and_divided_regions() {
        let share = |from: &str, to: &str, share: f64| Share { from: from.into(), to: to.into(), share };
        let cw = Crosswalk {
            shares: vec![share("A", "X", 1.0), share("B", "X", 0.6), share("B", "Y", 0.3), share("B", "Z", 0.1)],
            ..Crosswalk::default()
        };
        assert_eq!(cw.divided(), 1);
        assert_eq!(
            cw.csv_rows(2019, 2024, |s| s.to != "Z"),
            "2019,A,2024,X,1.000000\n2019,B,2024,X,0.600000\n2019,B,2024,Y,0.300000\n"
        );
    }
}
