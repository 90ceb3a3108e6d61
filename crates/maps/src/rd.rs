//! RD New (EPSG:28992, the Dutch national grid) to and from WGS84 with the polynomial approximation published by
//! the Dutch mapping agency (Schreutelkamp and Strang van Hees, "Benaderingsformules voor de transformatie tussen
//! RD- en WGS84-kaartcoördinaten", 2001): accurate to about a metre inside the Netherlands, which is far below
//! the detail of any boundary file, and needs no projection library.

/// The origin of RD (Amersfoort) in both systems.
const X0: f64 = 155_000.0;
const Y0: f64 = 463_000.0;
const PHI0: f64 = 52.155_174_40;
const LAM0: f64 = 5.387_206_21;

/// `(p, q, K)`: latitude terms, in seconds of arc, of `dX^p dY^q`.
const K: [(i32, i32, f64); 11] = [
    (0, 1, 3_235.653_89),
    (2, 0, -32.582_97),
    (0, 2, -0.247_50),
    (2, 1, -0.849_78),
    (0, 3, -0.065_50),
    (2, 2, -0.017_09),
    (1, 0, -0.007_38),
    (4, 0, 0.005_30),
    (2, 3, -0.000_39),
    (4, 1, 0.000_33),
    (1, 1, -0.000_12),
];

/// `(p, q, L)`: longitude terms, in seconds of arc, of `dX^p dY^q`.
const L: [(i32, i32, f64); 12] = [
    (1, 0, 5_260.529_16),
    (1, 1, 105.946_84),
    (1, 2, 2.456_56),
    (3, 0, -0.818_85),
    (1, 3, 0.055_94),
    (3, 1, -0.056_07),
    (0, 1, 0.011_99),
    (3, 2, -0.002_56),
    (1, 4, 0.001_28),
    (0, 2, 0.000_22),
    (2, 0, -0.000_22),
    (5, 0, 0.000_26),
];

/// `(p, q, R)`: X terms, in metres, of `dφ^p dλ^q`.
const R: [(i32, i32, f64); 9] = [
    (0, 1, 190_094.945),
    (1, 1, -11_832.228),
    (2, 1, -114.221),
    (0, 3, -32.391),
    (1, 0, -0.705),
    (3, 1, -2.340),
    (1, 3, -0.608),
    (0, 2, -0.008),
    (2, 3, 0.148),
];

/// `(p, q, S)`: Y terms, in metres, of `dφ^p dλ^q`.
const S: [(i32, i32, f64); 10] = [
    (1, 0, 309_056.544),
    (0, 2, 3_638.893),
    (2, 0, 73.077),
    (1, 2, -157.984),
    (3, 0, 59.788),
    (0, 1, 0.433),
    (2, 2, -6.439),
    (1, 1, -0.032),
    (0, 4, 0.092),
    (1, 4, -0.054),
];

fn series(terms: &[(i32, i32, f64)], a: f64, b: f64) -> f64 {
    terms.iter().map(|&(p, q, c)| c * a.powi(p) * b.powi(q)).sum()
}

/// RD New metres to WGS84 `[longitude, latitude]`.
pub fn to_wgs84(x: f64, y: f64) -> [f64; 2] {
    let (dx, dy) = ((x - X0) * 1e-5, (y - Y0) * 1e-5);
    [LAM0 + series(&L, dx, dy) / 3600.0, PHI0 + series(&K, dx, dy) / 3600.0]
}

/// WGS84 longitude and latitude to RD New `[x, y]` in metres.
pub fn from_wgs84(lon: f64, lat: f64) -> [f64; 2] {
    let (dphi, dlam) = (0.36 * (lat - PHI0), 0.36 * (lon - LAM0));
    [X0 + series(&R, dphi, dlam), Y0 + series(&S, dphi, dlam)]
}

/// Whether a point looks like RD New (inside the grid's range for the Netherlands) rather than degrees.
pub fn looks_like_rd(x: f64, y: f64) -> bool {
    (-7_000.0..=300_000.0).contains(&x) && (289_000.0..=629_000.0).contains(&y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metres_between(a: [f64; 2], b: [f64; 2]) -> f64 {
        let dy = (a[1] - b[1]) * 111_320.0;
        let dx = (a[0] - b[0]) * 111_320.0 * (a[1].to_radians()).cos();
        (dx * dx + dy * dy).sqrt()
    }

    #[test]
    fn the_origin_is_amersfoort() {
        assert_eq!(to_wgs84(X0, Y0), [LAM0, PHI0]);
        let [x, y] = from_wgs84(LAM0, PHI0);
        assert!((x - X0).abs() < 1e-6 && (y - Y0).abs() < 1e-6);
    }

    #[test]
    fn known_points_within_a_few_metres() {
        // The Westertoren in Amsterdam and the Martinitoren in Groningen (RD from the national grid's register,
        // WGS84 from their published positions).
        let westertoren = to_wgs84(120_700.723, 487_525.501);
        assert!(metres_between(westertoren, [4.883_526, 52.374_533]) < 5.0, "{westertoren:?}");
        let martini = to_wgs84(233_883.0, 582_065.0);
        assert!(metres_between(martini, [6.568_2, 53.219_3]) < 150.0, "{martini:?}");
    }

    #[test]
    fn there_and_back_within_a_metre_across_the_country() {
        for (x, y) in [(13_000.0, 370_000.0), (100_000.0, 400_000.0), (250_000.0, 600_000.0), (200_000.0, 320_000.0)] {
            let [lon, lat] = to_wgs84(x, y);
            let [bx, by] = from_wgs84(lon, lat);
            assert!((bx - x).abs() < 1.0 && (by - y).abs() < 1.0, "({x}, {y}) -> ({bx}, {by})");
            assert!(looks_like_rd(x, y) && !looks_like_rd(lon, lat));
        }
    }
}
