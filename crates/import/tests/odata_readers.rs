//! Tests of the CBS OData readers: JSON entity sets (`odata`) and cbsodataR CSV files (`cbsodatar`).
//!
//! The real-data tests build table folders from the real CBS metadata in `../shared/data` (TableInfos,
//! DataProperties, code lists) with figures taken from the real files there, and skip with a message when
//! that folder is absent: the repository holds no copies of CBS data, only small golden extracts. The
//! bad-input tests use small made-up tables and always run. Regenerate the golden files with `UPDATE_GOLDEN=1`.

use serde_json::{json, Value as Json};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use wijkmonitor_import::{cbsodatar, odata, CodeLists, Format, ImportBatch, ImportContext, ImportOptions, Input};
use wijkmonitor_model::disclosure::DisclosureRules;
use wijkmonitor_model::observation::format_number;
use wijkmonitor_model::{Catalogue, Located, Period, Region, RegionCode, Status, Value};
use wijkmonitor_testdata::shared_data;

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

fn read_with(
    reader: fn(&Input, &ImportContext<'_>) -> Result<ImportBatch, Located>,
    dir: &Path,
    catalogue: &Catalogue,
    options: ImportOptions,
) -> Result<ImportBatch, Located> {
    let input = Input::load(dir)?;
    let code_lists = CodeLists::new();
    let ctx = ImportContext { catalogue, code_lists: &code_lists, options };
    reader(&input, &ctx)
}

fn read_json(dir: &Path) -> Result<ImportBatch, Located> {
    read_with(odata::read, dir, &Catalogue::builtin(), ImportOptions::default())
}

fn read_csv(dir: &Path) -> Result<ImportBatch, Located> {
    read_with(cbsodatar::read, dir, &Catalogue::builtin(), ImportOptions::default())
}

/// The value of one observation.
fn value(batch: &ImportBatch, region: &str, period: Period, variable: &str) -> Option<Value> {
    let region = RegionCode::parse(region).unwrap();
    let mut found =
        batch.observations.iter().filter(|o| o.region == region && o.period == period && o.variable == variable);
    let first = found.next().map(|o| o.value);
    assert!(found.next().is_none(), "{region} {period} {variable} twice");
    first
}

/// The batch as a long CSV (`region,period,variable,value,status`) in batch order, for the regions `keep` accepts.
fn long_csv(batch: &ImportBatch, keep: impl Fn(&RegionCode) -> bool) -> String {
    let mut out = String::from("region,period,variable,value,status\n");
    for o in batch.observations.iter().filter(|o| keep(&o.region)) {
        let number = o.value.number().map(format_number).unwrap_or_default();
        out.push_str(&format!("{},{},{},{},{}\n", o.region, o.period, o.variable, number, o.value.status()));
    }
    out
}

/// Compares with a golden file in `tests/golden`, or rewrites it when `UPDATE_GOLDEN` is set.
fn check_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1 to create it)", path.display()));
    assert!(expected == actual, "{} differs from the reader's output (UPDATE_GOLDEN=1 rewrites it)", path.display());
}

fn write(dir: &Path, name: &str, text: &str) {
    fs::write(dir.join(name), text).unwrap();
}

fn copy(from: &Path, to: &Path, names: &[&str]) {
    for name in names {
        fs::copy(from.join(name), to.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// An API response wrapping records, as the OData service returns every entity set.
fn api(entity: &str, rows: Vec<Json>) -> Json {
    json!({
        "odata.metadata": format!("https://opendata.cbs.nl/ODataApi/OData/85984NED/$metadata#Cbs.OData.WebAPI.{entity}"),
        "value": rows,
    })
}

/// Reads a CSV file into header-keyed maps.
fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| header.iter().map(str::to_string).zip(r.unwrap().iter().map(str::to_string)).collect())
        .collect()
}

/// The real 2024 code list restricted to some codes, as an API-shaped `WijkenEnBuurten.json`.
fn code_list_json(shared: &Path, codes: &BTreeSet<String>) -> Json {
    api("WijkenEnBuurten", wijkmonitor_testdata::kwb_2024::code_list(shared, codes))
}

/// The `TypedDataSet` rows of 85984NED for the regions `keep` accepts (see `wijkmonitor_testdata::kwb_2024`).
fn kwb_rows(shared: &Path, keep: impl Fn(&str) -> bool) -> Vec<Json> {
    wijkmonitor_testdata::kwb_2024::rows(shared, keep)
}

/// A recorded API folder of 85984NED: the real TableInfos and DataProperties, a code list and the figures.
fn kwb_folder(shared: &Path, keep: impl Fn(&str) -> bool) -> (tempfile::TempDir, Vec<Json>) {
    let dir = tempfile::tempdir().unwrap();
    copy(&shared.join("cbs-odata-85984NED"), dir.path(), &["TableInfos.json", "DataProperties.json"]);
    let rows = kwb_rows(shared, keep);
    let codes: BTreeSet<String> =
        rows.iter().map(|r| r["WijkenEnBuurten"].as_str().unwrap().trim().to_string()).collect();
    write(dir.path(), "WijkenEnBuurten.json", &code_list_json(shared, &codes).to_string());
    (dir, rows)
}

fn golden_regions(code: &str) -> bool {
    ["GM1680", "WK168000", "WK168001", "GM0363", "WK0363AA", "WK061307"].contains(&code)
}

// ---------------------------------------------------------------------------------------------------------
// OData JSON, real metadata
// ---------------------------------------------------------------------------------------------------------

#[test]
fn kwb_2024_api_folder_imports_real_figures() {
    let Some(shared) = shared_data() else { return };
    let (dir, rows) = kwb_folder(&shared, |_| true);
    write(dir.path(), "TypedDataSet.json", &api("TypedDataSet", rows.clone()).to_string());
    let batch = read_json(dir.path()).unwrap();

    assert_eq!(batch.format, Format::OdataJson);
    assert_eq!(batch.source_table.as_deref(), Some("85984NED"));
    assert_eq!(batch.source_title.as_deref(), Some("Kerncijfers wijken en buurten 2024"));
    assert_eq!(batch.classification_year, Some(2024));
    let y = Period::Year(2024);
    assert_eq!(value(&batch, "GM1680", y, "inhabitants"), Some(Value::final_(25845.0)));
    assert_eq!(value(&batch, "GM1680", y, "men"), Some(Value::final_(12867.0)));
    assert_eq!(value(&batch, "WK168000", y, "dwellings"), Some(Value::final_(1663.0)));
    assert_eq!(value(&batch, "GM1680", y, "population_density"), Some(Value::final_(94.0)));
    assert_eq!(value(&batch, "GM1680", y, "area_land_ha"), Some(Value::final_(27606.0)));
    // A topic that is null in the data is a missing figure, never zero; zero stays a figure.
    assert_eq!(value(&batch, "GM1680", y, "households").map(|v| v.status()), Some(Status::Missing));
    assert_eq!(value(&batch, "WK061307", y, "population_density"), Some(Value::missing()));
    assert_eq!(value(&batch, "WK061307", y, "inhabitants"), Some(Value::final_(0.0)));
    // Every region of the data has one figure per mapped topic.
    let regions = rows.len();
    let variables: BTreeSet<&str> = batch.observations.iter().map(|o| o.variable.as_str()).collect();
    assert_eq!(batch.observations.len(), regions * variables.len());
    assert!(variables.contains("households_low_income_pct") && variables.contains("wmo_clients"), "{variables:?}");
    // Unmapped topics are named in one note, text topics are not figures.
    assert!(!variables.iter().any(|v| v.contains("naam")));
    let note =
        batch.notes.iter().find(|n| n.contains("match no catalogue variable")).expect("a note on unmapped topics");
    assert!(note.contains("OppervlakteWater_124 (Oppervlakte water, ha)"), "{note}");
    assert!(!note.contains("Gemeentenaam_1"), "text topics are no figures: {note}");
    // Regions come from the code list, with names and parents derived from the codes.
    assert_eq!(batch.regions.len(), regions);
    let wk = batch.regions.iter().find(|r| r.code.as_str() == "WK0363AA").unwrap();
    assert_eq!(wk.parent.as_ref().map(RegionCode::as_str), Some("GM0363"));
    assert_eq!(wk.classification_year, 2024);
    let gm = batch.regions.iter().find(|r| r.code.as_str() == "GM1680").unwrap();
    assert_eq!(gm, &Region::new(RegionCode::parse("GM1680").unwrap(), "Aa en Hunze", 2024));

    check_golden("odata-85984NED.csv", &long_csv(&batch, |c| golden_regions(c.as_str())));
}

#[test]
fn figures_keyed_by_region_stand_in_for_a_missing_typed_data_set() {
    // The real folder as a script saved it: the metadata verbatim, the figures reduced to {code: {key: value}}.
    let Some(shared) = shared_data() else { return };
    let batch = read_json(&shared.join("cbs-odata-85984NED")).unwrap();
    assert_eq!(batch.source_table.as_deref(), Some("85984NED"));
    let p = Period::Year(2024);
    assert_eq!(value(&batch, "GM0363", p, "inhabitants"), Some(Value::final_(931298.0)));
    assert_eq!(value(&batch, "GM0363", p, "dwellings"), Some(Value::final_(480852.0)));
    assert_eq!(value(&batch, "WK168000", p, "inhabitants"), Some(Value::final_(3590.0)));
    assert!(
        batch.notes.iter().any(|n| n.contains("stripped_filtered_data_2024.json (3735 regions")),
        "{:?}",
        batch.notes
    );
    // A value that is no figure is refused at its region's line.
    let dir = tempfile::tempdir().unwrap();
    copy(&shared.join("cbs-odata-85984NED"), dir.path(), &["DataProperties.json", "TableInfos.json"]);
    write(
        dir.path(),
        "figures.json",
        "{\n  \"GM1680\": {\"AantalInwoners_5\": 25845},\n  \"GM0363\": {\"AantalInwoners_5\": [1]}\n}\n",
    );
    let err = read_json(dir.path()).unwrap_err();
    assert_eq!((err.location.file.ends_with("figures.json"), err.location.line), (true, 3), "{err}");
    assert!(err.message.contains("region GM0363 (AantalInwoners_5)"), "{err}");
    // Without any figures the folder is refused as before.
    std::fs::remove_file(dir.path().join("figures.json")).unwrap();
    assert!(read_json(dir.path()).unwrap_err().message.contains("TypedDataSet.json"));
}

#[test]
fn kwb_2024_pages_read_like_one_file() {
    let Some(shared) = shared_data() else { return };
    let (dir, rows) = kwb_folder(&shared, |code| code.starts_with("GM16") || code.starts_with("WK16"));
    write(dir.path(), "TypedDataSet.json", &api("TypedDataSet", rows.clone()).to_string());
    let whole = read_json(dir.path()).unwrap();

    fs::remove_file(dir.path().join("TypedDataSet.json")).unwrap();
    let third = rows.len().div_ceil(3);
    for (i, page) in rows.chunks(third).enumerate() {
        let mut body = api("TypedDataSet", page.to_vec());
        if (i + 1) * third < rows.len() {
            body["odata.nextLink"] = json!(format!(
                "https://opendata.cbs.nl/ODataApi/odata/85984NED/TypedDataSet?$skip={}",
                (i + 1) * third
            ));
        }
        // Pretty-printed pages, as a person may have saved them: positions must still be right.
        write(dir.path(), &format!("TypedDataSet-{:04}.json", i + 1), &serde_json::to_string_pretty(&body).unwrap());
    }
    let paged = read_json(dir.path()).unwrap();
    assert_eq!(paged.observations, whole.observations);
    assert_eq!(paged.regions, whole.regions);
    assert!(paged.observations.len() > 1000);

    // A page that announces a next page which is not there means an incomplete download.
    fs::remove_file(dir.path().join("TypedDataSet-0003.json")).unwrap();
    let err = read_json(dir.path()).unwrap_err();
    assert!(err.location.file.ends_with("TypedDataSet-0002.json"), "{err}");
    assert!(err.message.contains("the folder holds no next page"), "{err}");
    // A gap in the pages too.
    fs::rename(dir.path().join("TypedDataSet-0002.json"), dir.path().join("TypedDataSet-0003.json")).unwrap();
    let err = read_json(dir.path()).unwrap_err();
    assert!(err.message.contains("page TypedDataSet-0002.json is missing"), "{err}");
}

// ---------------------------------------------------------------------------------------------------------
// cbsodataR CSV, real metadata
// ---------------------------------------------------------------------------------------------------------

#[test]
fn kwb_2024_cbsodatar_folder_imports_real_population() {
    let Some(shared) = shared_data() else { return };
    let source = shared.join("cbs-odata-csv/kwb-85984NED");
    let dir = tempfile::tempdir().unwrap();
    copy(&source, dir.path(), &["DataProperties.csv", "TableInfos.csv", "CategoryGroups.csv", "WijkenEnBuurten.csv"]);
    // data.csv in cbsodataR layout (a download with a selection of topics), from the real population per buurt.
    let mut data = String::from(
        "\"ID\",\"WijkenEnBuurten\",\"Gemeentenaam_1\",\"SoortRegio_2\",\"AantalInwoners_5\",\"Mannen_6\"\n",
    );
    let population = csv_rows(&source.join("Population85984_2024.csv"));
    for (id, row) in population.iter().enumerate() {
        data.push_str(&format!("{id},\"{:<10}\",\"\",\"Buurt     \",{},\n", row["nhood_id"], row["population"]));
    }
    write(dir.path(), "data.csv", &data);
    let batch = read_csv(dir.path()).unwrap();

    assert_eq!(batch.format, Format::OdataCsv);
    assert_eq!(batch.source_table.as_deref(), Some("85984NED"));
    assert_eq!(batch.classification_year, Some(2024));
    let y = Period::Year(2024);
    assert_eq!(value(&batch, "BU16800000", y, "inhabitants"), Some(Value::final_(3455.0)));
    assert_eq!(value(&batch, "BU16800709", y, "inhabitants"), Some(Value::final_(0.0)));
    assert_eq!(value(&batch, "BU16800000", y, "men"), Some(Value::missing()));
    // Topics not in the download give no figures at all.
    assert_eq!(value(&batch, "BU16800000", y, "women"), None);
    assert_eq!(batch.observations.len(), population.len() * 2);
    // The full 2024 code list: every region with its name.
    assert!(batch.regions.len() > 18_000, "{}", batch.regions.len());
    let bu = batch.regions.iter().find(|r| r.code.as_str() == "BU16800000").unwrap();
    assert_eq!((bu.name.as_str(), bu.parent.as_ref().map(RegionCode::as_str)), ("Annen", Some("WK168000")));

    check_golden("odata-85984NED-cbsodatar.csv", &long_csv(&batch, |c| c.as_str().starts_with("BU1680")));
}

#[test]
fn police_table_maps_crime_categories_by_title() {
    let Some(shared) = shared_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    copy(
        &shared.join("cbs-odata-csv/crime-47018NED"),
        dir.path(),
        &["DataProperties.csv", "TableInfos.csv", "SoortMisdrijf.csv", "Perioden.csv", "WijkenEnBuurten.csv"],
    );
    // The shared folder holds the metadata only; these figures are made up.
    let mut data = String::from(
        "\"ID\",\"SoortMisdrijf\",\"WijkenEnBuurten\",\"Perioden\",\"GeregistreerdeMisdrijven_1\",\"Gemeentenaam_2\",\"SoortRegio_3\"\n",
    );
    let mut id = 0;
    for (category, base) in [("0.0.0 ", 100), ("1.1.1 ", 10), ("1.1.2 ", 5), ("1.4.5 ", 7)] {
        for (region, kind) in [("GM1680    ", "Gemeente  "), ("BU16800000", "Buurt     ")] {
            for (period, extra) in [("2022JJ00", 0), ("2023JJ00", 1)] {
                let figure = base + extra + if kind.starts_with('B') { 0 } else { 1000 };
                data.push_str(&format!(
                    "{id},\"{category}\",\"{region}\",\"{period}\",{figure},\"Aa en Hunze\",\"{kind}\"\n"
                ));
                id += 1;
            }
        }
    }
    write(dir.path(), "data.csv", &data);
    let batch = read_csv(dir.path()).unwrap();

    assert_eq!(batch.source_table.as_deref(), Some("47018NED"));
    // "(indeling 2024)" in the dimension's description wins over its MapYear 2019.
    assert_eq!(batch.classification_year, Some(2024));
    assert_eq!(value(&batch, "GM1680", Period::Year(2023), "crimes_total"), Some(Value::final_(1101.0)));
    assert_eq!(value(&batch, "BU16800000", Period::Year(2022), "crimes_total"), Some(Value::final_(100.0)));
    assert_eq!(value(&batch, "BU16800000", Period::Year(2023), "crimes_home_burglary"), Some(Value::final_(11.0)));
    assert_eq!(value(&batch, "GM1680", Period::Year(2022), "crimes_assault"), Some(Value::final_(1007.0)));
    // Rows of categories without a variable (1.1.2 box/garage/schuur) are skipped and noted.
    assert_eq!(batch.observations.len(), 3 * 2 * 2);
    let note = batch.notes.iter().find(|n| n.contains("SoortMisdrijf categories")).expect("a note on categories");
    assert!(note.contains("1.1.2 Diefstal/inbraak box/garage/schuur"), "{note}");

    check_golden("odata-47018NED-cbsodatar.csv", &long_csv(&batch, |_| true));
}

#[test]
fn national_table_without_catalogue_topics_is_refused() {
    let Some(shared) = shared_data() else { return };
    let folder = shared.join("cbs-odata-csv/staat_van_de_misdaad");
    let err = read_csv(&folder).unwrap_err();
    assert!(err.location.file.ends_with("DataProperties.csv"), "{err}");
    assert!(
        err.message.starts_with(
            "no topic of 83474NED (Bevolkingsontwikkeling; maand en jaar) matches a variable of the catalogue"
        ),
        "{err}"
    );
    assert!(err.message.contains("Bevolking aan het begin van de periode (aantal)"), "{err}");
}

#[test]
fn national_table_reads_real_cbsodatar_data_with_provisional_periods() {
    let Some(shared) = shared_data() else { return };
    // A catalogue that knows one topic of 83474NED, to read its real data.csv: the Netherlands, monthly and
    // yearly periods, and periods the Perioden code list marks "Voorlopig".
    let catalogue = Catalogue::parse(
        r#"
[[variable]]
id = "population_start"
name_nl = "Bevolking aan het begin van de periode"
name_en = "Population at the start of the period"
unit = "aantal"
kind = "count"
source = "cbs"
match = [{ title = "Bevolking aan het begin van de periode", unit = "aantal" }]
"#,
        &DisclosureRules::builtin(),
    )
    .unwrap();
    let folder = shared.join("cbs-odata-csv/staat_van_de_misdaad");
    let batch = read_with(cbsodatar::read, &folder, &catalogue, ImportOptions::default()).unwrap();
    assert_eq!(batch.source_table.as_deref(), Some("83474NED"));
    assert_eq!(batch.classification_year, None);
    assert!(batch.regions.is_empty());
    assert!(batch.observations.iter().all(|o| o.region == RegionCode::netherlands()));
    assert_eq!(value(&batch, "NL00", Period::Month(1995, 1), "population_start"), Some(Value::final_(15424122.0)));
    let provisional = value(&batch, "NL00", Period::Year(2023), "population_start").unwrap();
    assert_eq!(provisional.status(), Status::Provisional);
    assert!(provisional.number().is_some());
    assert_eq!(value(&batch, "NL00", Period::Year(2022), "population_start").unwrap().status(), Status::Final);
}

// ---------------------------------------------------------------------------------------------------------
// Made-up tables: behaviour and bad input (always run)
// ---------------------------------------------------------------------------------------------------------

const PROPERTIES: &str = r#"[
  {"Type": "GeoDetail", "Key": "WijkenEnBuurten", "Title": "Wijken en buurten", "Description": "", "MapYear": 2023},
  {"Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"},
  {"Type": "TopicGroup", "ID": 3, "Key": "", "Title": "Regioaanduiding"},
  {"Type": "Topic", "Key": "Gemeentenaam_1", "Title": "Gemeentenaam", "Unit": "naam", "Datatype": "String"},
  {"Type": "Topic", "Key": "AantalInwoners_5", "Title": "Aantal inwoners", "Unit": "aantal", "Datatype": "Long"},
  {"Type": "Topic", "Key": "Iets_9", "Title": "Iets anders", "Unit": "aantal", "Datatype": "Long"}
]"#;

const PERIODS: &str = r#"{"value": [
  {"Key": "2022JJ00", "Title": "2022", "Status": "Definitief"},
  {"Key": "2023JJ00", "Title": "2023*", "Status": "Voorlopig"}
]}"#;

/// A made-up table folder with the given TypedDataSet text (rows: one per line, from line 2).
fn made_up(data_rows: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "DataProperties.json", PROPERTIES);
    write(dir.path(), "Perioden.json", PERIODS);
    write(
        dir.path(),
        "TypedDataSet.json",
        &format!("{{\"odata.metadata\": \"x\", \"value\": [\n{}\n]}}", data_rows.join(",\n")),
    );
    dir
}

const ROW_1: &str = r#"{"ID": 0, "WijkenEnBuurten": "GM0001    ", "Perioden": "2022JJ00", "Gemeentenaam_1": "Ergens    ", "AantalInwoners_5": 1000, "Iets_9": 3}"#;
const ROW_2: &str = r#"{"ID": 1, "WijkenEnBuurten": "GM0001    ", "Perioden": "2023JJ00", "Gemeentenaam_1": "Ergens    ", "AantalInwoners_5": 1010, "Iets_9": 4}"#;
const ROW_3: &str = r#"{"ID": 2, "WijkenEnBuurten": "BU00010001", "Perioden": "2023JJ00", "Gemeentenaam_1": "Ergens    ", "AantalInwoners_5": null, "Iets_9": 4}"#;

fn err_at(err: &Located) -> (String, u64, u64) {
    let file = Path::new(&err.location.file).file_name().unwrap().to_string_lossy().to_string();
    (file, err.location.line, err.location.column)
}

#[test]
fn made_up_table_reads_periods_status_and_nulls() {
    let dir = made_up(&[ROW_1, ROW_2, ROW_3]);
    let batch = read_json(dir.path()).unwrap();
    assert_eq!(batch.source_table, None);
    assert_eq!(batch.classification_year, Some(2023), "MapYear without a description");
    assert!(batch.regions.is_empty(), "no code list, no regions");
    assert_eq!(value(&batch, "GM0001", Period::Year(2022), "inhabitants"), Some(Value::final_(1000.0)));
    assert_eq!(value(&batch, "GM0001", Period::Year(2023), "inhabitants"), Some(Value::provisional(1010.0)));
    assert_eq!(value(&batch, "BU00010001", Period::Year(2023), "inhabitants"), Some(Value::missing()));
    assert_eq!(batch.observations.len(), 3);
    assert_eq!(
        batch.notes,
        vec!["1 of 2 topics of the table match no catalogue variable and were not imported: Iets_9 (Iets anders, aantal)"]
    );

    // The caller's classification year wins; a bare array (python cbsodata) reads the same.
    write(dir.path(), "TypedDataSet.json", &format!("[{ROW_1}, {ROW_2}, {ROW_3}]"));
    let options = ImportOptions { classification_year: Some(2022), ..ImportOptions::default() };
    let bare = read_with(odata::read, dir.path(), &Catalogue::builtin(), options).unwrap();
    assert_eq!(bare.classification_year, Some(2022));
    assert_eq!(bare.observations, batch.observations);
}

#[test]
fn table_without_period_dimension_takes_table_infos_or_the_callers_period() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "DataProperties.json",
        r#"[{"Type": "GeoDetail", "Key": "WijkenEnBuurten", "Description": "Wijken en buurten (indeling 2021)", "MapYear": 2020},
            {"Type": "Topic", "Key": "AantalInwoners_5", "Title": "Aantal inwoners", "Unit": "aantal", "Datatype": "Long"}]"#,
    );
    write(dir.path(), "TypedDataSet.json", r#"[{"WijkenEnBuurten": "GM0001    ", "AantalInwoners_5": 5}]"#);
    let err = read_json(dir.path()).unwrap_err();
    assert!(err.message.contains("has no period dimension and TableInfos gives no period"), "{err}");
    write(
        dir.path(),
        "TableInfos.json",
        r#"{"value": [{"Identifier": "99999NED", "Title": "Proef", "Period": "2021"}]}"#,
    );
    let batch = read_json(dir.path()).unwrap();
    assert_eq!(batch.classification_year, Some(2021));
    assert_eq!(value(&batch, "GM0001", Period::Year(2021), "inhabitants"), Some(Value::final_(5.0)));
    let options = ImportOptions { period: Some(Period::Year(2020)), ..ImportOptions::default() };
    let batch = read_with(odata::read, dir.path(), &Catalogue::builtin(), options).unwrap();
    assert_eq!(value(&batch, "GM0001", Period::Year(2020), "inhabitants"), Some(Value::final_(5.0)));
}

#[test]
fn row_without_a_dimension_key_is_located() {
    let row = r#"{"ID": 1, "WijkenEnBuurten": "GM0001    ", "AantalInwoners_5": 1010}"#;
    let err = read_json(made_up(&[ROW_1, row]).path()).unwrap_err();
    assert_eq!(err_at(&err), ("TypedDataSet.json".into(), 3, 1));
    assert_eq!(err.message, "this row has no Perioden (a dimension of the table)");
}

#[test]
fn repeated_row_is_located() {
    let err = read_json(made_up(&[ROW_1, ROW_2, ROW_2]).path()).unwrap_err();
    assert_eq!(err_at(&err), ("TypedDataSet.json".into(), 4, 1));
    assert_eq!(err.message, "this row repeats region GM0001, period 2023 of an earlier row (variable inhabitants)");
}

#[test]
fn value_that_is_not_a_number_is_located() {
    let row = ROW_2.replace("1010", "\"veel\"");
    let err = read_json(made_up(&[ROW_1, &row]).path()).unwrap_err();
    let column = row.find("\"veel\"").unwrap() as u64 + 1;
    assert_eq!(err_at(&err), ("TypedDataSet.json".into(), 3, column));
    assert_eq!(err.message, "'veel' is not a number");
    let row = ROW_2.replace("1010", "[1]");
    let err = read_json(made_up(&[&row]).path()).unwrap_err();
    assert_eq!(err_at(&err), ("TypedDataSet.json".into(), 2, row.find("[1]").unwrap() as u64 + 1));
    assert_eq!(err.message, "AantalInwoners_5 is a list, not a number");
}

#[test]
fn malformed_region_code_is_located() {
    let row = ROW_1.replace("GM0001    ", "GM001");
    let err = read_json(made_up(&[&row]).path()).unwrap_err();
    assert_eq!(err_at(&err), ("TypedDataSet.json".into(), 2, row.find("\"GM001\"").unwrap() as u64 + 1));
    assert_eq!(err.message, "'GM001' is not a CBS region code: a gemeente code is GM followed by 4 digits");
    // Regional divisions wijkmonitor does not store (provinces) are skipped with a note instead.
    let province = ROW_1.replace("GM0001    ", "PV20      ");
    let batch = read_json(made_up(&[&province, ROW_2]).path()).unwrap();
    assert_eq!(batch.observations.len(), 1);
    assert!(
        batch.notes.iter().any(|n| n.contains("1 rows of regional divisions") && n.contains("PV20")),
        "{:?}",
        batch.notes
    );
}

#[test]
fn truncated_json_is_located() {
    let dir = made_up(&[ROW_1, ROW_2]);
    let text = fs::read_to_string(dir.path().join("TypedDataSet.json")).unwrap();
    let cut = &text[..text.find("\"Iets_9\": 4").unwrap()];
    write(dir.path(), "TypedDataSet.json", cut);
    let err = read_json(dir.path()).unwrap_err();
    let last_line = cut.lines().last().unwrap();
    assert_eq!(err_at(&err), ("TypedDataSet.json".into(), 3, last_line.chars().count() as u64));
    assert!(err.message.starts_with("the file ends in the middle of the JSON data"), "{err}");
    assert!(err.message.ends_with("it is truncated: download it again"), "{err}");

    // The same in a metadata file.
    write(dir.path(), "DataProperties.json", &PROPERTIES[..200]);
    let err = read_json(dir.path()).unwrap_err();
    assert_eq!(err_at(&err).0, "DataProperties.json");
    assert!(err.message.starts_with("the file ends in the middle of the JSON data"), "{err}");
    // And invalid JSON that is not truncated.
    write(dir.path(), "DataProperties.json", "[{\"Type\": \"Topic\",,}]");
    let err = read_json(dir.path()).unwrap_err();
    assert_eq!(err_at(&err), ("DataProperties.json".into(), 1, 19));
    assert!(err.message.starts_with("invalid JSON: "), "{err}");
}

#[test]
fn missing_files_are_named_with_the_folder_contents() {
    let dir = made_up(&[ROW_1]);
    fs::remove_file(dir.path().join("DataProperties.json")).unwrap();
    let err = read_json(dir.path()).unwrap_err();
    assert_eq!(err.location.line, 0);
    assert_eq!(
        err.message,
        "DataProperties.json (the dimensions and topics of the table) is missing; the folder holds: Perioden.json, TypedDataSet.json"
    );
    let dir = made_up(&[ROW_1]);
    fs::remove_file(dir.path().join("TypedDataSet.json")).unwrap();
    let err = read_json(dir.path()).unwrap_err();
    assert_eq!(
        err.message,
        "TypedDataSet.json (the figures of the table) is missing; the folder holds: DataProperties.json, Perioden.json"
    );
    // A single file is not a table.
    let file = Input::File(wijkmonitor_import::SourceFile::new("TypedDataSet.json", "[]"));
    let code_lists = CodeLists::new();
    let catalogue = Catalogue::builtin();
    let ctx = ImportContext { catalogue: &catalogue, code_lists: &code_lists, options: ImportOptions::default() };
    let err = odata::read(&file, &ctx).unwrap_err();
    assert!(err.message.starts_with("a CBS table is read from a folder of entity sets"), "{err}");
}

#[test]
fn unknown_region_codes_are_refused_when_a_code_list_is_known() {
    let dir = made_up(&[ROW_1, ROW_3]);
    let mut code_lists = CodeLists::new();
    code_lists.add(Region::new(RegionCode::parse("GM0001").unwrap(), "Ergens", 2023));
    let catalogue = Catalogue::builtin();
    let input = Input::load(dir.path()).unwrap();
    let ctx = ImportContext { catalogue: &catalogue, code_lists: &code_lists, options: ImportOptions::default() };
    let err = odata::read(&input, &ctx).unwrap_err();
    assert_eq!(err_at(&err), ("TypedDataSet.json".into(), 3, ROW_3.find("\"BU00010001\"").unwrap() as u64 + 1));
    assert_eq!(err.message, "region BU00010001 is not in the code list of the table's classification year");
}

#[test]
fn cbsodatar_bad_cells_are_located_by_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "DataProperties.csv",
        "\"odata.type\",\"ID\",\"Position\",\"ParentID\",\"Type\",\"Key\",\"Title\",\"Description\",\"MapYear\",\"Datatype\",\"Unit\"\n\
         \"Cbs.OData.GeoDetail\",0,0,,\"GeoDetail\",\"WijkenEnBuurten\",\"Wijken en buurten\",\"a\nb\",2024,,\n\
         \"Cbs.OData.TimeDimension\",1,1,,\"TimeDimension\",\"Perioden\",\"Perioden\",\"\",,,\n\
         \"Cbs.OData.Topic\",2,2,,\"Topic\",\"AantalInwoners_5\",\"Aantal inwoners\",\"\",,\"Long\",\"aantal\"\n",
    );
    write(
        dir.path(),
        "data.csv",
        "ID,WijkenEnBuurten,Perioden,AantalInwoners_5\n0,GM0001    ,2024JJ00,12.5\n1,BU00010001,2024JJ00,\n2,GM0002    ,2024JJ00,\"1,5\"\n",
    );
    let err = read_csv(dir.path()).unwrap_err();
    assert_eq!(err_at(&err), ("data.csv".into(), 4, 4));
    assert_eq!(err.message, "'1,5' is not a number (use a decimal point, no thousands separator)");

    write(
        dir.path(),
        "data.csv",
        "ID,WijkenEnBuurten,Perioden,AantalInwoners_5\n0,GM0001    ,2024JJ00,12.5\n1,BU00010001,2024JJ00,\n",
    );
    let batch = read_csv(dir.path()).unwrap();
    assert_eq!(value(&batch, "GM0001", Period::Year(2024), "inhabitants"), Some(Value::final_(12.5)));
    assert_eq!(value(&batch, "BU00010001", Period::Year(2024), "inhabitants"), Some(Value::missing()));

    write(dir.path(), "data.csv", "ID,WijkenEnBuurten,AantalInwoners_5\n0,GM0001    ,1\n");
    let err = read_csv(dir.path()).unwrap_err();
    assert_eq!(err_at(&err), ("data.csv".into(), 1, 0));
    assert!(err.message.starts_with("the header has no column Perioden"), "{err}");

    write(dir.path(), "data.csv", "ID,WijkenEnBuurten,Perioden,AantalInwoners_5\n0,GM0001    ,2024XX00,1\n");
    let err = read_csv(dir.path()).unwrap_err();
    assert_eq!(err_at(&err), ("data.csv".into(), 2, 3));
    assert!(err.message.starts_with("'2024XX00' is not a period"), "{err}");

    // A metadata record without a Type, located by its line (the record before it spans two lines).
    let properties = fs::read_to_string(dir.path().join("DataProperties.csv")).unwrap();
    write(dir.path(), "DataProperties.csv", &properties.replace("\"TimeDimension\",\"Perioden\"", "\"\",\"Perioden\""));
    let err = read_csv(dir.path()).unwrap_err();
    assert_eq!(err_at(&err), ("DataProperties.csv".into(), 4, 5));
    assert_eq!(err.message, "this DataProperties entry has no Type");

    write(dir.path(), "DataProperties.csv", &properties);
    fs::remove_file(dir.path().join("data.csv")).unwrap();
    let err = read_csv(dir.path()).unwrap_err();
    assert_eq!(err.message, "data.csv (the figures of the table) is missing; the folder holds: DataProperties.csv");
}

#[test]
fn a_second_topic_with_the_same_meaning_is_noted_not_imported() {
    let dir = made_up(&[ROW_1]);
    let properties = PROPERTIES
        .replace(r#""Title": "Iets anders", "Unit": "aantal""#, r#""Title": "Aantal inwoners ", "Unit": "aantal""#);
    write(dir.path(), "DataProperties.json", &properties);
    let batch = read_json(dir.path()).unwrap();
    assert_eq!(value(&batch, "GM0001", Period::Year(2022), "inhabitants"), Some(Value::final_(1000.0)));
    assert_eq!(
        batch.notes,
        ["topics with the same title and unit as an earlier topic were not imported: Iets_9 (same as AantalInwoners_5)"]
    );
}
