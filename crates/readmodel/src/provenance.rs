//! Which imports stand behind a published figure: the one rule for the dashboard, its downloads and
//! `wijkmonitor export --computed`, so that a figure names the same sources wherever it is shown.
//!
//! A figure computed from buurten stands on every import its indicator read in that period. A figure an area
//! supplied itself (a request answer, a register figure) stands on that area's own import only: each area's
//! figures of a period are recorded as one import of their own, and an area's figure must not cite the
//! requests of the other nineteen.

use std::collections::{HashMap, HashSet};
use wijkmonitor_model::target::TargetKind;
use wijkmonitor_model::Catalogue;
use wijkmonitor_store::{Store, StoreError};

/// What it takes to attribute a figure to its imports.
#[derive(Debug, Clone, Default)]
pub struct Attribution {
    /// The area each area figure's import was recorded for.
    area_of_import: HashMap<i64, String>,
    /// The indicators supplied per area.
    area_level: HashSet<String>,
}

impl Attribution {
    pub fn load(store: &Store, catalogue: &Catalogue) -> Result<Attribution, StoreError> {
        Ok(Attribution {
            area_of_import: store.area_figures(false)?.into_iter().map(|f| (f.import_id, f.area)).collect(),
            area_level: catalogue
                .indicators
                .iter()
                .filter(|i| catalogue.is_area_level(i))
                .map(|i| i.id.clone())
                .collect(),
        })
    }

    /// The imports of one figure, given all imports its indicator read in that period.
    pub fn figure_imports(&self, all: &[i64], target: &str, kind: TargetKind, indicator: &str) -> Vec<i64> {
        if kind != TargetKind::Area || !self.area_level.contains(indicator) {
            return all.to_vec();
        }
        // An import no longer behind any stored area figure (replaced since the compute) cannot be attributed
        // to an area; it is kept rather than hidden.
        all.iter().copied().filter(|id| self.area_of_import.get(id).is_none_or(|a| a == target)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_area_figure_names_its_own_import_only() {
        let a = Attribution {
            area_of_import: HashMap::from([(7, "a".to_string()), (8, "b".to_string())]),
            area_level: HashSet::from(["request_item".to_string()]),
        };
        assert_eq!(a.figure_imports(&[7, 8, 9], "a", TargetKind::Area, "request_item"), [7, 9]);
        assert_eq!(a.figure_imports(&[7, 8], "focusgebieden", TargetKind::AllAreas, "request_item"), [7, 8]);
        assert_eq!(a.figure_imports(&[1, 2], "a", TargetKind::Area, "inhabitants"), [1, 2]);
    }
}
