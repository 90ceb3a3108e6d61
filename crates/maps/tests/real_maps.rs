//! Crosswalks on the real boundary files in `../shared/data/boundaries` (skipped, saying so, where they are
//! absent): every 2014 buurt lies in its own 2014 wijk, and the municipalities of 2019 map onto those of 2024 with
//! the mergers between those years (Appingedam, Delfzijl and Loppersum into Eemsdelta, ...).

use std::collections::BTreeMap;
use wijkmonitor_maps::{crosswalk, read_map, CrosswalkOptions, Map};

fn map(name: &str) -> Option<Map> {
    let Some(dir) = wijkmonitor_testdata::shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return None;
    };
    let path = dir.join("boundaries").join(name);
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} is absent", path.display());
        return None;
    };
    Some(read_map(&text, None).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The 2014 TopoJSON files are quantized to a grid of 1,000 x 1,000 cells over the country (about 265 x 312 m),
/// buurten and wijken each on their own grid (offset by about one cell): a buurt boundary that is also a wijk
/// boundary lands in different places in the two files, and 1,117 small buurten have no area at all. So a buurt's
/// area overlaps its neighbours' wijken by up to half a cell; its own wijk holds the largest part of it.
#[test]
fn every_2014_buurt_lies_in_its_own_2014_wijk() {
    let (Some(buurten), Some(wijken)) = (map("Buurt_2014_layer_q1e3.json"), map("Wijk_2014_layer_q1e3.json")) else {
        return;
    };
    assert_eq!((buurten.features.len(), wijken.features.len()), (11_691, 2_738));
    let own = |from: &str, to: &str| from.get(2..8) == to.get(2..8);
    // By area: the own wijk holds the largest share of almost every buurt that has an area in the file.
    let cw = crosswalk(&buurten, &wijken, &CrosswalkOptions::default(), &|_, _| {});
    let mut largest: BTreeMap<&str, (&str, f64)> = BTreeMap::new();
    for s in &cw.shares {
        let e = largest.entry(s.from.as_str()).or_insert((s.to.as_str(), 0.0));
        if s.share > e.1 {
            *e = (s.to.as_str(), s.share);
        }
    }
    let own_largest = largest.iter().filter(|(f, (t, _))| own(f, t)).count();
    eprintln!("by area: own wijk largest for {own_largest} of {} buurten with an area", largest.len());
    assert!(largest.len() > 10_500 && own_largest as f64 >= 0.94 * largest.len() as f64);
    // Whole buurten (as the classification nests them): each buurt maps into exactly one wijk, its own for 93%
    // or more; the 525 left are buurten without an area whose points' middle lies in no quantized wijk.
    let whole = crosswalk(&buurten, &wijken, &CrosswalkOptions { whole: true, ..Default::default() }, &|_, _| {});
    let mapped = whole.shares.len();
    let own_whole = whole.shares.iter().filter(|s| own(&s.from, &s.to)).count();
    eprintln!("whole: {own_whole} of {mapped} buurten into their own wijk; unmatched {}", whole.unmatched.len());
    assert!(whole.shares.iter().all(|s| s.share == 1.0));
    assert!(mapped + whole.unmatched.len() == 11_691 && mapped > 11_100);
    assert!(own_whole as f64 >= 0.93 * mapped as f64, "{own_whole} of {mapped}");
}

#[test]
fn the_municipalities_of_2019_map_onto_2024_with_the_real_mergers() {
    let (Some(m2019), Some(m2024)) = (map("gemeenten_2019.geojson"), map("gemeenten_2024.geojson")) else { return };
    let cw = crosswalk(&m2019, &m2024, &CrosswalkOptions::default(), &|_, _| {});
    let share = |from: &str, to: &str| cw.shares.iter().find(|s| s.from == from && s.to == to).map_or(0.0, |s| s.share);
    for from in ["GM0003", "GM0010", "GM0024"] {
        assert!(share(from, "GM1979") > 0.98, "{from} into Eemsdelta: {}", share(from, "GM1979"));
    }
    let unchanged = m2019.features.iter().filter(|f| m2024.features.iter().any(|g| g.code == f.code)).count();
    let mut worst: Vec<(f64, &str)> = m2019
        .features
        .iter()
        .filter(|f| m2024.features.iter().any(|g| g.code == f.code))
        .map(|f| (share(&f.code, &f.code), f.code.as_str()))
        .collect();
    worst.sort_by(|a, b| a.0.total_cmp(&b.0));
    eprintln!(
        "2019 {} 2024 {} unchanged codes {unchanged}; worst {:?}; slivers {}",
        m2019.features.len(),
        m2024.features.len(),
        &worst[..10],
        cw.slivers.len()
    );
    // The files are simplified; a municipality that kept its code keeps at least 98% of itself (the one below is
    // GM0998, "Buitenland").
    assert!(unchanged > 330);
    assert!(worst.iter().filter(|w| w.1 != "GM0998").all(|w| w.0 >= 0.98), "{:?}", &worst[..5]);
    // Haaren was divided in 2021 among Boxtel, Oisterwijk, Tilburg and Vught.
    let mut haaren: Vec<&str> = cw.shares.iter().filter(|s| s.from == "GM0788").map(|s| s.to.as_str()).collect();
    haaren.sort_unstable();
    assert_eq!(haaren, ["GM0757", "GM0824", "GM0855", "GM0865"]);
    // Every other code that disappeared between 2019 and 2024 merged: it goes (almost) whole to one municipality.
    for f in m2019.features.iter().filter(|f| f.code != "GM0788" && !m2024.features.iter().any(|g| g.code == f.code)) {
        let best = cw.shares.iter().filter(|s| s.from == f.code).map(|s| s.share).fold(0.0, f64::max);
        assert!(best > 0.9, "{} ({:?}) spreads over several 2024 municipalities", f.code, f.name);
    }
}

#[test]
fn the_wijken_of_2016_in_rd_lie_in_their_municipalities_of_2019_in_wgs84() {
    let (Some(wijken), Some(m2019)) = (map("wijk_2016.geojson"), map("gemeenten_2019.geojson")) else { return };
    let cw = crosswalk(&wijken, &m2019, &CrosswalkOptions::default(), &|_, _| {});
    let codes: std::collections::BTreeSet<&str> = m2019.features.iter().map(|f| f.code.as_str()).collect();
    let mut own: Vec<(f64, &str)> = Vec::new();
    for w in &wijken.features {
        let gm = format!("GM{}", &w.code[2..6]);
        if !codes.contains(gm.as_str()) {
            continue;
        }
        let s = cw.shares.iter().find(|s| s.from == w.code && s.to == gm).map_or(0.0, |s| s.share);
        own.push((s, w.code.as_str()));
    }
    own.sort_by(|a, b| a.0.total_cmp(&b.0));
    let below = own.iter().filter(|w| w.0 < 0.99).count();
    eprintln!(
        "wijken 2016 {} in surviving municipalities {}; below 0.99: {below}; worst {:?}",
        wijken.features.len(),
        own.len(),
        &own[..10]
    );
    // RD New read from the file's crs and put beside WGS84: nine in ten wijken lie for 99% or more in their own
    // municipality (the municipal file is simplified, so wijken along its edges lose a few percent).
    assert_eq!(wijken.crs, wijkmonitor_maps::Crs::RdNew);
    assert!(own.len() > 2_700 && (below as f64) < 0.12 * own.len() as f64, "{below} of {}", own.len());
}
