//! Unit tests of the store: the one write path, idempotence, history and atomicity.

use super::*;
use wijkmonitor_model::batch::Format;

fn obs(region: &str, period: i32, variable: &str, value: Value) -> Observation {
    Observation {
        region: RegionCode::parse(region).unwrap(),
        period: Period::Year(period),
        variable: variable.to_string(),
        value,
    }
}

fn batch(sha: &str, observations: Vec<Observation>) -> ImportBatch {
    ImportBatch {
        format: Format::LongCsv,
        source_name: "test.csv".into(),
        sha256: sha.into(),
        source_table: Some("84583NED".into()),
        source_title: None,
        classification_year: Some(2019),
        regions: vec![Region::new(RegionCode::parse("GM0363").unwrap(), "Amsterdam", 2019)],
        observations,
        notes: vec!["one note".into()],
    }
}

fn all(store: &Store) -> Vec<StoredObservation> {
    store.observations(&ObservationFilter::default()).unwrap()
}

#[test]
fn applies_records_provenance_and_is_idempotent() {
    let mut store = Store::open_in_memory().unwrap();
    let b = batch(
        "aaa",
        vec![
            obs("GM0363", 2019, "inhabitants", Value::final_(862965.0)),
            obs("BU03630000", 2019, "inhabitants", Value::final_(1035.0)),
            obs("BU03630000", 2019, "households_low_income_pct", Value::absent(Status::Secret)),
        ],
    );
    let first = store.apply_import(&b, "2026-01-01T00:00:00Z", false).unwrap();
    assert_eq!((first.n_new, first.n_changed, first.unchanged), (3, 0, false));
    let rows = all(&store);
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.import_id == first.import_id && r.classification_year == Some(2019)));
    let imports = store.imports().unwrap();
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].sha256, "aaa");
    assert_eq!(imports[0].source_table.as_deref(), Some("84583NED"));
    assert_eq!(imports[0].notes, vec!["one note".to_string()]);

    let second = store.apply_import(&b, "2026-01-02T00:00:00Z", false).unwrap();
    assert!(second.unchanged);
    assert_eq!(second.import_id, first.import_id);
    assert_eq!(store.imports().unwrap().len(), 1, "an identical import records nothing");
    assert_eq!(all(&store), rows);
}

#[test]
fn a_changed_file_replaces_what_it_covers_and_keeps_history() {
    let mut store = Store::open_in_memory().unwrap();
    let first = store
        .apply_import(
            &batch(
                "v1",
                vec![
                    obs("GM0363", 2019, "inhabitants", Value::provisional(862000.0)),
                    obs("GM0363", 2019, "households", Value::final_(470223.0)),
                ],
            ),
            "t1",
            false,
        )
        .unwrap();
    let second = store
        .apply_import(
            &batch(
                "v2",
                vec![
                    obs("GM0363", 2019, "inhabitants", Value::final_(862965.0)),
                    obs("GM0363", 2019, "households", Value::final_(470223.0)),
                ],
            ),
            "t2",
            false,
        )
        .unwrap();
    assert_eq!((second.n_new, second.n_changed, second.n_same), (0, 1, 1));
    let rows = all(&store);
    let inhabitants = rows.iter().find(|r| r.observation.variable == "inhabitants").unwrap();
    assert_eq!(inhabitants.observation.value, Value::final_(862965.0));
    assert_eq!(inhabitants.import_id, second.import_id);
    let households = rows.iter().find(|r| r.observation.variable == "households").unwrap();
    assert_eq!(households.import_id, first.import_id, "an unchanged figure keeps its source");
    let history = store.history(&RegionCode::parse("GM0363").unwrap(), Period::Year(2019), "inhabitants").unwrap();
    assert_eq!(history, vec![(Value::provisional(862000.0), first.import_id, second.import_id)]);
}

#[test]
fn a_failing_import_leaves_the_database_exactly_as_it_was() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .apply_import(&batch("v1", vec![obs("GM0363", 2019, "inhabitants", Value::final_(1.0))]), "t1", false)
        .unwrap();
    // Make the database refuse one particular figure halfway through the batch.
    store
        .conn
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON observations WHEN NEW.region = 'BU03630001'
             BEGIN SELECT RAISE(ABORT, 'refused'); END;",
        )
        .unwrap();
    let before = (all(&store), store.imports().unwrap(), store.regions(None).unwrap(), store.summary().unwrap());
    let mut b = batch(
        "v2",
        vec![
            obs("GM0363", 2019, "inhabitants", Value::final_(2.0)),
            obs("BU03630000", 2019, "inhabitants", Value::final_(3.0)),
            obs("BU03630001", 2019, "inhabitants", Value::final_(4.0)),
        ],
    );
    b.regions.push(Region::new(RegionCode::parse("BU03630000").unwrap(), "Kop Zeedijk", 2019));
    assert!(store.apply_import(&b, "t2", false).is_err());
    let after = (all(&store), store.imports().unwrap(), store.regions(None).unwrap(), store.summary().unwrap());
    assert_eq!(before, after);
}

#[test]
fn filters_and_summarises() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .apply_import(
            &batch(
                "v1",
                vec![
                    obs("GM0363", 2018, "inhabitants", Value::final_(1.0)),
                    obs("GM0363", 2019, "inhabitants", Value::final_(2.0)),
                    obs("BU03630000", 2019, "inhabitants", Value::missing()),
                ],
            ),
            "t1",
            true,
        )
        .unwrap();
    let filter = ObservationFilter {
        regions: vec![RegionCode::parse("GM0363").unwrap()],
        periods: vec![Period::Year(2019)],
        variables: vec!["inhabitants".into()],
    };
    let rows = store.observations(&filter).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].observation.value.number(), Some(2.0));
    let summary = store.summary().unwrap();
    assert_eq!(summary.n_observations, 3);
    assert_eq!(summary.variables["inhabitants"], (3, 2, "2018".to_string(), "2019".to_string()));
    assert_eq!(summary.regions[&(2019, "municipality".to_string())], 1);
    assert!(store.imports().unwrap()[0].synthetic);
}

#[test]
fn schema_is_migrated_and_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    {
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), migrations::MIGRATIONS.len() as i64);
        store.set_meta("demo", "yes").unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.meta("demo").unwrap().as_deref(), Some("yes"));
    let mode: String = store.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

/// A database from before the audit chain (schema 4) gets its existing rows chained by migration 5.
#[test]
fn migration_5_chains_an_existing_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        for (i, (script, _)) in migrations::MIGRATIONS.iter().take(4).enumerate() {
            let tx = conn.transaction().unwrap();
            tx.execute_batch(script).unwrap();
            tx.pragma_update(None, "user_version", i as i64 + 1).unwrap();
            tx.commit().unwrap();
        }
        for action in ["user_add", "token_create", "publish"] {
            conn.execute(
                "INSERT INTO audit_log (at, actor, action) VALUES ('2026-01-01T00:00:00Z', 'cli', ?1)",
                [action],
            )
            .unwrap();
        }
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.verify_audit_chain().unwrap(), crate::audit::ChainCheck::Intact(3));
    store
        .append_audit(&crate::audit::AuditEntry {
            at: "t".into(),
            actor: "cli".into(),
            action: "x".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(store.verify_audit_chain().unwrap(), crate::audit::ChainCheck::Intact(4));
    assert!(store.conn.execute("UPDATE audit_log SET actor = 'x'", []).is_err(), "the update trigger is back");
}

#[test]
fn refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let err = Store::open(&path).err().unwrap().to_string();
    assert!(err.contains("newer than this wijkmonitor knows"), "{err}");
}

#[test]
fn a_compute_run_replaces_the_previous_one_whole() {
    use crate::computed::*;
    let mut store = Store::open_in_memory().unwrap();
    let write = |store: &mut Store, value: f64, at: &str| {
        let targets = vec![ComputedTarget {
            id: "den-haag-zuidwest".into(),
            kind: wijkmonitor_model::target::TargetKind::Area,
            name: "Den Haag Zuidwest".into(),
            municipality: Some("GM0518".into()),
            area: Some("den-haag-zuidwest".into()),
        }];
        let figures = vec![
            ComputedFigure {
                target: "den-haag-zuidwest".into(),
                period: Period::Year(2020),
                indicator: "inhabitants".into(),
                value: Value::final_(value),
                coverage: 1.0,
                reason: String::new(),
            },
            ComputedFigure {
                target: "den-haag-zuidwest".into(),
                period: Period::Year(2020),
                indicator: "households_low_income".into(),
                value: Value::absent(Status::Secret),
                coverage: 1.0,
                reason: "base_below_threshold".into(),
            },
        ];
        let comparisons = vec![wijkmonitor_model::comparison::Comparison {
            area: "den-haag-zuidwest".into(),
            period: "2020".into(),
            indicator: "inhabitants".into(),
            netherlands: Some(17e6),
            n_ranked: 20,
            base_year: 2018,
            gap_trend: Some(wijkmonitor_model::comparison::GapTrend::Closing),
            ..Default::default()
        }];
        let sources =
            vec![ComputedSources { indicator: "inhabitants".into(), period: Period::Year(2020), imports: vec![1, 2] }];
        store
            .replace_computed(ComputeOutput {
                run: ComputeRun {
                    id: 0,
                    computed_at: at.into(),
                    imports: vec![1, 2],
                    areas_source: "builtin".into(),
                    areas_indicative: true,
                    parameters_sha256: "abc".into(),
                    n_figures: 0,
                },
                targets: &targets,
                sources: &sources,
                figures: figures.into_iter(),
                comparisons: &comparisons,
                unmatched: &[],
                effects: &[],
            })
            .unwrap()
    };
    write(&mut store, 71000.0, "t1");
    let second = write(&mut store, 72000.0, "t2");
    let run = store.compute_run().unwrap().unwrap();
    assert_eq!((run.id, run.computed_at.as_str(), run.n_figures, run.imports.clone()), (second, "t2", 2, vec![1, 2]));
    let figures = store.computed(&["den-haag-zuidwest".into()], &[], &[]).unwrap();
    assert_eq!(figures.len(), 2, "the first run's figures are gone");
    let inhabitants = figures.iter().find(|f| f.indicator == "inhabitants").unwrap();
    assert_eq!(inhabitants.value, Value::final_(72000.0));
    let secret = figures.iter().find(|f| f.indicator == "households_low_income").unwrap();
    assert_eq!((secret.value.status(), secret.reason.as_str()), (Status::Secret, "base_below_threshold"));
    let comparisons = store.comparisons("den-haag-zuidwest", &[Period::Year(2020)], &[]).unwrap();
    assert_eq!(comparisons.len(), 1);
    assert_eq!(comparisons[0].gap_trend, Some(wijkmonitor_model::comparison::GapTrend::Closing));
    assert_eq!(store.computed_sources().unwrap()[0].imports, vec![1, 2]);
    assert_eq!(store.computed_targets().unwrap().len(), 1);
}
