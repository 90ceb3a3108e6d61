//! What a computed figure is for: a CBS region (buurt, wijk, gemeente, the Netherlands) or one of the monitor's
//! own targets (a focus area, the rest of its municipality, all focus areas together).

use serde::Serialize;

/// The kind of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Buurt,
    Wijk,
    Gemeente,
    Netherlands,
    Area,
    RestOfMunicipality,
    AllAreas,
}

impl TargetKind {
    pub const ALL: [TargetKind; 7] = [
        TargetKind::Buurt,
        TargetKind::Wijk,
        TargetKind::Gemeente,
        TargetKind::Netherlands,
        TargetKind::Area,
        TargetKind::RestOfMunicipality,
        TargetKind::AllAreas,
    ];

    /// The kinds whose figures are published on the dashboard (buurt and wijk figures only on buurt maps).
    pub const PUBLISHED: [TargetKind; 5] = [
        TargetKind::Netherlands,
        TargetKind::Gemeente,
        TargetKind::Area,
        TargetKind::RestOfMunicipality,
        TargetKind::AllAreas,
    ];

    /// As stored: `buurt`, `wijk`, `gemeente`, `netherlands`, `area`, `rest_of_municipality`, `all_areas`.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Buurt => "buurt",
            TargetKind::Wijk => "wijk",
            TargetKind::Gemeente => "gemeente",
            TargetKind::Netherlands => "netherlands",
            TargetKind::Area => "area",
            TargetKind::RestOfMunicipality => "rest_of_municipality",
            TargetKind::AllAreas => "all_areas",
        }
    }

    pub fn parse(text: &str) -> Option<TargetKind> {
        TargetKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// The id of the target "all focus areas together".
pub const ALL_AREAS_ID: &str = "focusgebieden";

/// The id of the Netherlands target (its CBS code).
pub const NETHERLANDS_ID: &str = "NL00";

/// The id of the rest of an area's municipality.
pub fn rest_id(area_id: &str) -> String {
    format!("rest:{area_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in TargetKind::ALL {
            assert_eq!(TargetKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(rest_id("a"), "rest:a");
    }
}
