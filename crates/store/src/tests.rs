//! Unit tests of the store: the one write path, idempotence, history and atomicity.

use super::*;
use wijkmonitor_import::Format;

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
