//! CBS regions: the Netherlands, municipalities (gemeenten), districts (wijken) and neighbourhoods (buurten).
//!
//! A region code says its own level and its parents: `BU0363AA01` lies in wijk `WK0363AA`, which lies in
//! gemeente `GM0363`. Since 2022 Amsterdam uses letters inside its codes, so the characters after the
//! municipality digits are treated as opaque alphanumerics, never as numbers. Codes from CBS files are often
//! right-padded with spaces (`"GM0363    "`); [`RegionCode::parse`] trims them.

use std::fmt;

/// The level of a region in the CBS hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionKind {
    /// The Netherlands as a whole (`NL00`).
    Country,
    /// A municipality ("gemeente", `GM` + 4 digits).
    Municipality,
    /// A district ("wijk", `WK` + municipality digits + 2 characters).
    District,
    /// A neighbourhood ("buurt", `BU` + wijk digits + 2 characters).
    Neighbourhood,
}

impl RegionKind {
    /// The code prefix CBS uses for this level.
    pub fn prefix(self) -> &'static str {
        match self {
            RegionKind::Country => "NL",
            RegionKind::Municipality => "GM",
            RegionKind::District => "WK",
            RegionKind::Neighbourhood => "BU",
        }
    }

    /// A stable lowercase name used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RegionKind::Country => "country",
            RegionKind::Municipality => "municipality",
            RegionKind::District => "district",
            RegionKind::Neighbourhood => "neighbourhood",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<RegionKind> {
        match s {
            "country" => Some(RegionKind::Country),
            "municipality" => Some(RegionKind::Municipality),
            "district" => Some(RegionKind::District),
            "neighbourhood" => Some(RegionKind::Neighbourhood),
            _ => None,
        }
    }

    /// The Dutch word used in CBS files for this level ("Land", "Gemeente", "Wijk", "Buurt").
    pub fn dutch(self) -> &'static str {
        match self {
            RegionKind::Country => "Land",
            RegionKind::Municipality => "Gemeente",
            RegionKind::District => "Wijk",
            RegionKind::Neighbourhood => "Buurt",
        }
    }
}

/// A syntactically valid CBS region code, without padding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode(String);

/// Why a text is not a region code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionCodeError {
    pub text: String,
    pub reason: &'static str,
}

impl fmt::Display for RegionCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not a CBS region code: {}", crate::error::excerpt(&self.text), self.reason)
    }
}

impl std::error::Error for RegionCodeError {}

impl RegionCode {
    /// The code of the Netherlands.
    pub fn netherlands() -> RegionCode {
        RegionCode("NL00".to_string())
    }

    /// Parses a code, trimming the padding CBS adds. Letters in the last parts are accepted (Amsterdam since
    /// 2022); the municipality part must be four digits.
    pub fn parse(text: &str) -> Result<RegionCode, RegionCodeError> {
        let code = text.trim();
        let err = |reason| Err(RegionCodeError { text: code.to_string(), reason });
        if !code.is_ascii() {
            return err("only ASCII letters and digits are allowed");
        }
        let upper = code.to_ascii_uppercase();
        if upper == "NL00" || upper == "NL01" {
            // StatLine uses NL01 in some regional tables and NL00 in the key-figures tables; both are the country.
            return Ok(RegionCode::netherlands());
        }
        if upper.len() < 2 {
            return err("too short");
        }
        let (prefix, rest) = upper.split_at(2);
        let expected_len = match prefix {
            "GM" => 4,
            "WK" => 6,
            "BU" => 8,
            _ => return err("it must start with NL, GM, WK or BU"),
        };
        if rest.len() != expected_len {
            return err(match prefix {
                "GM" => "a gemeente code is GM followed by 4 digits",
                "WK" => "a wijk code is WK followed by 6 characters",
                _ => "a buurt code is BU followed by 8 characters",
            });
        }
        if !rest[..4].bytes().all(|b| b.is_ascii_digit()) {
            return err("the four characters after the prefix must be the municipality digits");
        }
        if !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return err("only letters and digits are allowed");
        }
        Ok(RegionCode(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The level this code belongs to.
    pub fn kind(&self) -> RegionKind {
        match &self.0[..2] {
            "GM" => RegionKind::Municipality,
            "WK" => RegionKind::District,
            "BU" => RegionKind::Neighbourhood,
            _ => RegionKind::Country,
        }
    }

    /// The code of the region one level up, derived from the code itself; `None` for the Netherlands.
    pub fn parent(&self) -> Option<RegionCode> {
        match self.kind() {
            RegionKind::Country => None,
            RegionKind::Municipality => Some(RegionCode::netherlands()),
            RegionKind::District => Some(RegionCode(format!("GM{}", &self.0[2..6]))),
            RegionKind::Neighbourhood => Some(RegionCode(format!("WK{}", &self.0[2..8]))),
        }
    }

    /// The municipality this region lies in; `None` for the Netherlands.
    pub fn municipality(&self) -> Option<RegionCode> {
        match self.kind() {
            RegionKind::Country => None,
            _ => Some(RegionCode(format!("GM{}", &self.0[2..6]))),
        }
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A region of one CBS classification year ("indeling").
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub code: RegionCode,
    /// The name as CBS publishes it for this classification year.
    pub name: String,
    /// The code one level up; `None` for the Netherlands. Derived from the code unless a source says otherwise.
    pub parent: Option<RegionCode>,
    /// The CBS classification year the code belongs to; codes and boundaries change every year.
    pub classification_year: i32,
}

impl Region {
    /// A region whose parent follows from its code.
    pub fn new(code: RegionCode, name: impl Into<String>, classification_year: i32) -> Region {
        let parent = code.parent();
        Region { code, name: name.into(), parent, classification_year }
    }

    pub fn kind(&self) -> RegionKind {
        self.code.kind()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_padded_and_alphanumeric_codes() {
        let gm = RegionCode::parse("GM0363    ").unwrap();
        assert_eq!(gm.as_str(), "GM0363");
        assert_eq!(gm.kind(), RegionKind::Municipality);
        assert_eq!(gm.parent(), Some(RegionCode::netherlands()));

        let bu = RegionCode::parse("BU0363AA01").unwrap();
        assert_eq!(bu.kind(), RegionKind::Neighbourhood);
        assert_eq!(bu.parent().unwrap().as_str(), "WK0363AA");
        assert_eq!(bu.parent().unwrap().parent().unwrap().as_str(), "GM0363");
        assert_eq!(bu.municipality().unwrap().as_str(), "GM0363");

        assert_eq!(RegionCode::parse("nl01").unwrap(), RegionCode::netherlands());
        assert_eq!(RegionCode::parse("bu05183637").unwrap().as_str(), "BU05183637");
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in ["", "XX0363", "GM363", "GM03631", "WK0363A", "BU0363AA0", "GMAB12", "BU0363-A01", "BU0363ÄA01"] {
            assert!(RegionCode::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
