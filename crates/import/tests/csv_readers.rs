//! Integration tests of the CSV-family readers (KWB, StatLine web export, Leefbaarometer, wide, long) and of
//! format detection, on the real files in `../shared/data` (skipped with a message when absent), on golden
//! files in `tests/golden`, and on bad inputs built in memory.

mod support;

use support::*;
use wijkmonitor_import::{detect, kwb, leefbaarometer, long, statline, wide};
use wijkmonitor_import::{CodeLists, Format, ImportBatch, ImportContext, ImportOptions, Input, Located, SourceFile};
use wijkmonitor_model::{Observation, Period, Region, RegionCode, Status, Value};

fn code(text: &str) -> RegionCode {
    RegionCode::parse(text).unwrap()
}

/// The value of one figure; panics when the batch does not have it.
fn value(batch: &ImportBatch, region: &str, period: &str, variable: &str) -> Value {
    let period = Period::parse(period).unwrap();
    let hits: Vec<&Observation> = batch
        .observations
        .iter()
        .filter(|o| o.region.as_str() == region && o.period == period && o.variable == variable)
        .collect();
    assert_eq!(hits.len(), 1, "{region} {period} {variable}: {} observations", hits.len());
    hits[0].value
}

fn error(result: Result<ImportBatch, Located>) -> Located {
    match result {
        Ok(batch) => panic!("expected an error, got {} observations", batch.observations.len()),
        Err(e) => e,
    }
}

/// Checks an error's place and that its message says what it should.
fn assert_error(err: &Located, file: &str, line: u64, column: u64, says: &str) {
    assert_eq!((err.location.file.as_str(), err.location.line, err.location.column), (file, line, column), "{err}");
    assert!(err.message.contains(says), "'{says}' not in: {err}");
}

fn long_text(observations: &[Observation]) -> String {
    let mut out = String::new();
    long::write_csv(observations, &mut out);
    out
}

fn options() -> ImportOptions {
    ImportOptions::default()
}

fn file(name: &str, text: &str) -> SourceFile {
    SourceFile::new(name, text.as_bytes().to_vec())
}

// ---------------------------------------------------------------------------------------------------------
// Kerncijfers wijken en buurten (R write.csv with labelled headers)
// ---------------------------------------------------------------------------------------------------------

#[test]
fn kwb_2019_matches_golden_and_known_figures() {
    let Some(f) = shared_file("cbs-kwb-amsterdam/kwb-2019.csv") else { return };
    let (cat, lists) = (catalogue(), CodeLists::new());
    let batch = kwb::read(&f, &context(&cat, &lists, options())).unwrap();
    assert_eq!(batch.format, Format::KwbCsv);
    assert_eq!(batch.source_table.as_deref(), Some("84583NED"));
    assert_eq!(batch.source_title.as_deref(), Some("Kerncijfers wijken en buurten 2019"));
    assert_eq!(batch.classification_year, Some(2019));
    assert_eq!(batch.regions.len(), 580);
    assert_eq!(value(&batch, "GM0363", "2019", "inhabitants"), Value::final_(862965.0));
    assert_eq!(value(&batch, "BU03630000", "2019", "inhabitants"), Value::final_(1035.0));
    assert_eq!(value(&batch, "GM0363", "2019", "households_low_income_pct"), Value::final_(12.8));
    assert_eq!(value(&batch, "BU03630000", "2019", "households_low_income_pct"), Value::final_(15.3));
    assert_eq!(value(&batch, "NL00", "2019", "average_household_size"), Value::final_(2.1));
    // Empty cells and NA are missing, never zero.
    assert_eq!(value(&batch, "BU03639801", "2019", "households_low_income_pct").status(), Status::Missing);
    let kop_zeedijk = batch.regions.iter().find(|r| r.code.as_str() == "BU03630000").unwrap();
    assert_eq!(kop_zeedijk, &Region::new(code("BU03630000"), "Kop Zeedijk", 2019));
    assert_eq!(kop_zeedijk.parent, Some(code("WK036300")));
    assert!(batch.notes.iter().any(|n| n.contains("columns are not in the catalogue and were skipped")
        && n.contains("Energie.Gemiddeld.elektriciteitsverbruik")));
    assert!(batch.notes.iter().any(|n| n.contains("taken from the file name")));
    check_golden(
        "kwb-2019-expected.csv",
        &long_text(&subset(&batch.observations, &["NL00", "GM0363", "WK036300", "BU03630000"])),
    );
}

#[test]
fn kwb_2017_with_decimal_points_matches_golden() {
    let Some(f) = shared_file("cbs-kwb-amsterdam/kwb-2017.csv") else { return };
    let (cat, lists) = (catalogue(), CodeLists::new());
    let batch = kwb::read(&f, &context(&cat, &lists, options())).unwrap();
    assert_eq!(batch.source_table.as_deref(), Some("83765NED"));
    assert_eq!(value(&batch, "GM0363", "2017", "inhabitants"), Value::final_(844947.0));
    assert_eq!(value(&batch, "GM0363", "2017", "households_low_income_pct"), Value::final_(13.7));
    assert_eq!(value(&batch, "GM0363", "2017", "average_household_size"), Value::final_(1.8));
    // "       ." padded markers are missing.
    assert_eq!(value(&batch, "BU03639801", "2017", "average_woz").status(), Status::Missing);
    check_golden(
        "kwb-2017-expected.csv",
        &long_text(&subset(&batch.observations, &["NL00", "GM0363", "WK036300", "BU03630000"])),
    );
}

#[test]
fn kwb_period_comes_from_options_or_the_file_name() {
    let Some(mut f) = shared_file("cbs-kwb-amsterdam/kwb-2019.csv") else { return };
    let (cat, lists) = (catalogue(), CodeLists::new());
    f.name = "exports/kerncijfers.csv".into();
    let err = error(kwb::read(&f, &context(&cat, &lists, options())));
    assert_error(&err, "exports/kerncijfers.csv", 0, 0, "pass --period");
    let opts = ImportOptions { period: Some(Period::Year(2018)), ..options() };
    let batch = kwb::read(&f, &context(&cat, &lists, opts)).unwrap();
    assert_eq!(batch.source_table.as_deref(), Some("84286NED"));
    assert_eq!(batch.classification_year, Some(2018));
    assert_eq!(value(&batch, "GM0363", "2018", "inhabitants"), Value::final_(862965.0));
    let opts = ImportOptions { period: Some(Period::Year(2019)), classification_year: Some(2020), ..options() };
    let batch = kwb::read(&f, &context(&cat, &lists, opts)).unwrap();
    assert_eq!(batch.classification_year, Some(2020));
    assert!(batch.regions.iter().all(|r| r.classification_year == 2020));
}

const KWB_HEAD: &str =
    "\"\",\"Wijken.en.buurten\",\"Regioaanduiding.Codering..code.\",\"Bevolking.Aantal.inwoners..aantal.\"";

#[test]
fn kwb_two_columns_for_one_variable_are_refused() {
    let (cat, lists) = (catalogue(), CodeLists::new());
    let text = format!("{KWB_HEAD},\"Aantal inwoners (aantal)\"\n\"1\",\"Amsterdam\",\"GM0363    \",862965,862965\n");
    let err = error(kwb::read(&file("kwb-2019.csv", &text), &context(&cat, &lists, options())));
    assert_error(&err, "kwb-2019.csv", 1, 5, "'Bevolking.Aantal.inwoners..aantal.' (column 4) and 'Aantal inwoners (aantal)' (column 5) both match catalogue variable 'inhabitants'");
}

#[test]
fn kwb_duplicate_region_names_both_lines() {
    let (cat, lists) = (catalogue(), CodeLists::new());
    let text = format!("{KWB_HEAD}\n\"1\",\"Amsterdam\",\"GM0363    \",1\n\"2\",\"Nederland\",\"NL00\",2\n\"3\",\"Amsterdam\",\"GM0363\",3\n");
    let err = error(kwb::read(&file("kwb-2019.csv", &text), &context(&cat, &lists, options())));
    assert_eq!(err.to_string(), "kwb-2019.csv:4:3: region GM0363 appears twice: on line 2 and on line 4");
}

#[test]
fn kwb_malformed_region_code_in_a_real_file() {
    let Some(f) = shared_file("cbs-kwb-amsterdam/kwb-2019.csv") else { return };
    let (cat, lists) = (catalogue(), CodeLists::new());
    let text = f.text().unwrap().replacen("\"GM0363    \"", "\"GM363     \"", 1);
    let err = error(kwb::read(&file("kwb-2019.csv", &text), &context(&cat, &lists, options())));
    assert_eq!(
        err.to_string(),
        "kwb-2019.csv:3:5: 'GM363' is not a CBS region code: a gemeente code is GM followed by 4 digits"
    );
}

#[test]
fn kwb_unknown_region_code_against_a_code_list() {
    let Some(f) = shared_file("cbs-kwb-amsterdam/kwb-2019.csv") else { return };
    let cat = catalogue();
    let mut lists = CodeLists::new();
    lists.add(Region::new(RegionCode::netherlands(), "Nederland", 2019));
    lists.add(Region::new(code("GM0363"), "Amsterdam", 2019));
    let err = error(kwb::read(&f, &context(&cat, &lists, options())));
    assert_error(&err, &f.name, 4, 5, "region code WK036300 is not in the code list of classification year 2019");
    // Without a code list for the year, codes are not checked.
    let opts = ImportOptions { classification_year: Some(2018), ..options() };
    assert!(kwb::read(&f, &context(&cat, &lists, opts)).is_ok());
}

#[test]
fn kwb_unparsable_number_in_a_real_file() {
    let Some(f) = shared_file("cbs-kwb-amsterdam/kwb-2019.csv") else { return };
    let (cat, lists) = (catalogue(), CodeLists::new());
    let text = f.text().unwrap().replacen(",862965,", ",\"862.965,0\",", 1);
    let err = error(kwb::read(&file("kwb-2019.csv", &text), &context(&cat, &lists, options())));
    assert_eq!(
        err.to_string(),
        "kwb-2019.csv:3:7: column 'Bevolking.Aantal.inwoners..aantal.': '862.965,0' is not a number (it has both a point and a comma)"
    );
}

#[test]
fn truncated_real_files_are_refused_with_their_place() {
    let Some(f) = shared_file("cbs-kwb-amsterdam/kwb-2019.csv") else { return };
    let (cat, lists) = (catalogue(), CodeLists::new());
    let text = f.text().unwrap();
    // Line 301 starts with "300","<name>",...: cut inside the quoted name.
    let start = text.match_indices('\n').nth(299).unwrap().0 + 1;
    let cut = &text[..start + "\"300\",\"Ab".len()];
    let err = error(kwb::read(&file("kwb-2019.csv", cut), &context(&cat, &lists, options())));
    assert_eq!(
        err.to_string(),
        "kwb-2019.csv:301:2: the quoted field that starts here is never closed: the file is truncated or a closing quote is missing"
    );
    // Cut after the tenth field of line 301: the last row is incomplete.
    let tenth = text[start..].match_indices(',').nth(9).unwrap().0;
    let cut = &text[..start + tenth];
    let err = error(kwb::read(&file("kwb-2019.csv", cut), &context(&cat, &lists, options())));
    assert_eq!(
        err.to_string(),
        "kwb-2019.csv:301:11: this row has 10 fields but the header on line 1 has 118; it is the last row, so the \
         file looks truncated (download or export it again)"
    );
}

#[test]
fn binary_files_are_refused() {
    let (cat, lists) = (catalogue(), CodeLists::new());
    let mut bytes = b"bu_code,jaar,lbm\nBU00030000,2020,4.1\n".to_vec();
    bytes.extend_from_slice(b"PK\x03\x04\x00\x00binary");
    let f = SourceFile::new("lbm.zip", bytes);
    let err = error(leefbaarometer::read(&f, &context(&cat, &lists, options())));
    assert_eq!(err.to_string(), "lbm.zip:3:5: this is a binary file, not text (it contains a NUL byte)");
    let err = detect::detect(&Input::File(f)).unwrap_err();
    assert_error(&err, "lbm.zip", 3, 5, "binary file");
    let latin1 = SourceFile::new("x.csv", b"region,period\nGM0363,Gr\xf6ningen\n".to_vec());
    let err = error(long::read(&latin1, &context(&cat, &lists, options())));
    assert_error(&err, "x.csv", 2, 10, "not valid UTF-8");
}

// ---------------------------------------------------------------------------------------------------------
// Leefbaarometer
// ---------------------------------------------------------------------------------------------------------

#[test]
fn leefbaarometer_matches_golden_and_known_scores() {
    let Some(f) = shared_file("leefbaarometer/buurten-2002-2020.csv") else { return };
    let (cat, lists) = (catalogue(), CodeLists::new());
    let started = std::time::Instant::now();
    let batch = leefbaarometer::read(&f, &context(&cat, &lists, options())).unwrap();
    println!("leefbaarometer: {} observations in {:?}", batch.observations.len(), started.elapsed());
    assert_eq!(batch.format, Format::Leefbaarometer);
    assert_eq!(batch.source_table.as_deref(), Some("leefbaarometer-3.0"));
    assert_eq!(batch.source_title.as_deref(), Some("Leefbaarometer 3.0, Ministerie van BZK (buurten 2002-2020)"));
    assert_eq!(batch.classification_year, Some(2020));
    assert_eq!(batch.regions.len(), 13_326);
    assert_eq!(batch.observations.len(), 92_683 * 7);
    let lbm = value(&batch, "BU05183637", "2020", "lbm_score").number().unwrap();
    assert!((lbm - 3.8169396255292294).abs() < 1e-12, "{lbm}");
    for dim in ["lbm_physical", "lbm_nuisance", "lbm_social", "lbm_amenities", "lbm_housing"] {
        assert_eq!(value(&batch, "BU05183637", "2020", dim).status(), Status::Final, "{dim}");
        // NA on the 1.0 rows is missing, never 0.
        assert_eq!(value(&batch, "BU05183637", "2002", dim), Value::missing(), "{dim}");
    }
    assert_eq!(batch.regions.iter().find(|r| r.code.as_str() == "BU05183637").unwrap().name, "Moerwijk-West");
    assert!(batch.notes.iter().any(|n| n.contains("Leefbaarometer 1.0, Leefbaarometer 2.0, Leefbaarometer 3.0")));
    check_golden("leefbaarometer.csv", &long_text(&subset(&batch.observations, &["BU05183637", "BU00030000"])));
}

const LBM_HEAD: &str = "bu_code,versie,jaar,bu_naam,lbm,afw,fys,onv,soc,vrz,won\n";

#[test]
fn leefbaarometer_columns_by_name_in_any_order() {
    let (cat, lists) = (catalogue(), CodeLists::new());
    let text = "jaar,lbm,bu_code,afw\n2020,3.9,BU05183637,NA\n";
    let batch = leefbaarometer::read(&file("lbm.csv", text), &context(&cat, &lists, options())).unwrap();
    assert_eq!(value(&batch, "BU05183637", "2020", "lbm_score"), Value::final_(3.9));
    assert_eq!(value(&batch, "BU05183637", "2020", "lbm_deviation"), Value::missing());
    assert_eq!(batch.regions, vec![Region::new(code("BU05183637"), "", 2020)]);
    let opts = ImportOptions { classification_year: Some(2021), ..options() };
    assert_eq!(
        leefbaarometer::read(&file("lbm.csv", text), &context(&cat, &lists, opts)).unwrap().classification_year,
        Some(2021)
    );
}

#[test]
fn leefbaarometer_header_is_checked() {
    let (cat, lists) = (catalogue(), CodeLists::new());
    let err =
        error(leefbaarometer::read(&file("lbm.csv", "bu_code,jaar,lbm,score\n"), &context(&cat, &lists, options())));
    assert_error(&err, "lbm.csv", 1, 4, "unexpected column 'score': the Leefbaarometer buurten file has the columns bu_code,versie,jaar,bu_naam,lbm,afw,fys,onv,soc,vrz,won");
    let err = error(leefbaarometer::read(&file("lbm.csv", "bu_code,lbm\n"), &context(&cat, &lists, options())));
    assert_error(&err, "lbm.csv", 1, 0, "needs the columns bu_code and jaar");
}

#[test]
fn leefbaarometer_row_errors() {
    let (cat, lists) = (catalogue(), CodeLists::new());
    let ctx = context(&cat, &lists, options());
    let row = "BU00030000,Leefbaarometer 3.0,2020,Appingedam-Centrum,4.11,0.01,0.01,0.01,0.01,-0.06,0.02\n";
    let dup = format!("{LBM_HEAD}{row}BU00030001,Leefbaarometer 3.0,2020,X,4,0,0,0,0,0,0\n{row}");
    assert_eq!(
        error(leefbaarometer::read(&file("lbm.csv", &dup), &ctx)).to_string(),
        "lbm.csv:4:1: buurt BU00030000 has year 2020 twice: on line 2 and on line 4"
    );
    let ragged =
        format!("{LBM_HEAD}{row}BU00030001,Leefbaarometer 3.0,2020,X,4,0,0,0,0,0,0,0\n{}", row.replace("2020", "2018"));
    assert_eq!(
        error(leefbaarometer::read(&file("lbm.csv", &ragged), &ctx)).to_string(),
        "lbm.csv:3:12: this row has 12 fields but the header on line 1 has 11"
    );
    let comma = format!("{LBM_HEAD}{}", row.replace("4.11", "\"4,11\""));
    assert_eq!(
        error(leefbaarometer::read(&file("lbm.csv", &comma), &ctx)).to_string(),
        "lbm.csv:2:5: column 'lbm': '4,11' is not a number (use a decimal point, no thousands separator)"
    );
    let year = format!("{LBM_HEAD}{}", row.replace("2020", "20-20"));
    assert_eq!(
        error(leefbaarometer::read(&file("lbm.csv", &year), &ctx)).to_string(),
        "lbm.csv:2:3: column 'jaar': '20-20' is not a year such as 2020"
    );
    let mut lists = CodeLists::new();
    lists.add(Region::new(code("BU00030001"), "X", 2020));
    let err =
        error(leefbaarometer::read(&file("lbm.csv", &format!("{LBM_HEAD}{row}")), &context(&cat, &lists, options())));
    assert_error(&err, "lbm.csv", 2, 1, "region code BU00030000 is not in the code list of classification year 2020");
}

// ---------------------------------------------------------------------------------------------------------
// StatLine web export
// ---------------------------------------------------------------------------------------------------------

/// Real 2024 Amsterdam regions (codes and names from the CBS 2024 classification) used by the fixture.
fn amsterdam_2024() -> CodeLists {
    let mut lists = CodeLists::new();
    for (c, name) in [
        ("GM0363", "Amsterdam"),
        ("WK0363AA", "Haarlemmerbuurt"),
        ("BU0363AA01", "Planciusbuurt-Noord"),
        ("BU0363AA02", "Westelijke eilanden"),
        ("BU0363AA03", "Westerdokseiland"),
        ("BU0363AA06", "Haarlemmerbuurt-Oost"),
        ("WK0363AB", "Jordaan"),
        ("BU0363AB01", "Marnixbuurt-Noord"),
        ("WK0363MM", "Frankendael"),
        ("BU0363MM05", "Frankendael"),
        ("BU0363MM08", "Tuindorp Frankendael"),
        // Another municipality's region with a name that also occurs in Amsterdam: never matched for GM0363.
        ("BU05180271", "Jordaan"),
    ] {
        lists.add(Region::new(code(c), name, 2024));
    }
    lists
}

fn amsterdam() -> ImportOptions {
    ImportOptions { municipality: Some(code("GM0363")), ..options() }
}

#[test]
fn statline_fixture_names_are_real() {
    // The figures in the fixture are made up; the names and codes must be the real 2024 ones.
    let Some(dir) = shared_data() else { return };
    let text = std::fs::read_to_string(dir.join("nplv-areas/nplv_gemeenten_wijken_buurten_2024.csv")).unwrap();
    let real: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| {
            l.split_once(',').map(|(c, rest)| (c.to_string(), rest.split(',').next().unwrap_or("").to_string()))
        })
        .collect();
    for region in amsterdam_2024().year(2024).unwrap() {
        if region.code.as_str() == "BU05180271" {
            continue;
        }
        assert!(real.contains(&(region.code.to_string(), region.name.clone())), "{} {}", region.code, region.name);
    }
}

#[test]
fn statline_export_by_name_matches_golden() {
    // Figures in the fixture are made up; its shape, names and codes are real.
    let f = fixture("statline-amsterdam-2024.csv");
    let (cat, lists) = (catalogue(), amsterdam_2024());
    let batch = statline::read(&f, &context(&cat, &lists, amsterdam())).unwrap();
    assert_eq!(batch.format, Format::StatlineCsv);
    assert_eq!(batch.source_table.as_deref(), Some("85984NED"));
    assert_eq!(batch.source_title.as_deref(), Some("Kerncijfers wijken en buurten 2024"));
    assert_eq!(batch.classification_year, Some(2024));
    assert_eq!(value(&batch, "GM0363", "2024", "inhabitants"), Value::final_(931298.0));
    assert_eq!(value(&batch, "WK0363AA", "2024", "households_low_income_pct"), Value::final_(9.7));
    assert_eq!(value(&batch, "BU0363AA02", "2024", "households_low_income_pct"), Value::missing());
    assert_eq!(value(&batch, "BU0363AA03", "2024", "men"), Value::absent(Status::Secret));
    assert_eq!(value(&batch, "BU0363MM08", "2024", "average_woz"), Value::final_(480.0));
    assert_eq!(batch.regions.len(), 8);
    assert_eq!(batch.regions[1], Region::new(code("WK0363AA"), "Haarlemmerbuurt", 2024));
    let notes = batch.notes.join("\n");
    assert!(
        notes.contains(
            "1 columns are not in the catalogue and were skipped: 'Motorvoertuigen Personenauto's totaal (aantal)'"
        ),
        "{notes}"
    );
    assert!(notes.contains("1 region names match no region of GM0363 in the 2024 classification; their rows were skipped: 'Gouden Bocht' (line 14)"), "{notes}");
    assert!(
        notes.contains("region name 'Frankendael' (line 12) matches several regions (WK0363MM, BU0363MM05)"),
        "{notes}"
    );
    assert!(notes.contains("the period 2024 was taken from the title"), "{notes}");
    check_golden("statline-amsterdam-2024.csv", &long_text(&batch.observations));
}

#[test]
fn statline_rows_padded_by_a_spreadsheet_read_the_same() {
    // Re-saving an export from a spreadsheet pads title and footer lines with empty cells to the full width.
    let original = fixture("statline-amsterdam-2024.csv");
    let text = String::from_utf8(original.bytes.clone()).unwrap();
    let padded: String =
        text.lines().map(|l| if l.contains(';') { format!("{l}\n") } else { format!("{l};;;;;\n") }).collect();
    let (cat, lists) = (catalogue(), amsterdam_2024());
    let a = statline::read(&original, &context(&cat, &lists, amsterdam())).unwrap();
    let b = statline::read(&file("statline-amsterdam-2024.csv", &padded), &context(&cat, &lists, amsterdam())).unwrap();
    assert_eq!(a.observations, b.observations);
    assert_eq!(a.source_title, b.source_title);
    assert_eq!(a.notes, b.notes);
}

#[test]
fn statline_names_need_a_municipality_and_a_code_list() {
    let f = fixture("statline-amsterdam-2024.csv");
    let cat = catalogue();
    let lists = amsterdam_2024();
    let err = error(statline::read(&f, &context(&cat, &lists, options())));
    assert_error(
        &err,
        "statline-amsterdam-2024.csv",
        5,
        1,
        "region 'Amsterdam' is given by name, not by code: pass --municipality GM....",
    );
    let empty = CodeLists::new();
    let err = error(statline::read(&f, &context(&cat, &empty, amsterdam())));
    assert_error(&err, "statline-amsterdam-2024.csv", 5, 1, "no code list of classification year 2024 is loaded");
}

#[test]
fn statline_codes_periods_and_a_unit_row() {
    let (cat, lists) = (catalogue(), amsterdam_2024());
    let text = "\"Kerncijfers wijken en buurten\"\n\
                \"\"\n\
                \"Perioden\";\"Wijken en buurten\";\"Bevolking\";\"Inkomen\"\n\
                ;;\"Aantal inwoners\";\"Huishoudens met een laag inkomen\"\n\
                ;;\"aantal\";\"%\"\n\
                \"2022\";\"Amsterdam (GM0363)\";\"918117\";\"13,0\"\n\
                \"2023*\";\"Amsterdam (GM0363)\";\"931298\";\"12,8\"\n\
                \"2023*\";\"WK0363AA\";\"12540\";\"x\"\n\
                \n\
                \"Bron: CBS\"\n\
                \"Centraal Bureau voor de Statistiek, Den Haag/Heerlen\"\n";
    let opts = ImportOptions { classification_year: Some(2024), ..options() };
    let batch = statline::read(&file("s.csv", text), &context(&cat, &lists, opts)).unwrap();
    assert_eq!(value(&batch, "GM0363", "2022", "inhabitants"), Value::final_(918117.0));
    assert_eq!(value(&batch, "GM0363", "2023", "inhabitants"), Value::provisional(931298.0));
    assert_eq!(value(&batch, "GM0363", "2023", "households_low_income_pct"), Value::provisional(12.8));
    assert_eq!(value(&batch, "WK0363AA", "2023", "households_low_income_pct"), Value::absent(Status::Secret));
    assert_eq!(batch.source_table, None);
    assert_eq!(batch.regions[0], Region::new(code("GM0363"), "Amsterdam", 2024));
    // A bare code takes its name from the code list.
    assert_eq!(batch.regions[1], Region::new(code("WK0363AA"), "Haarlemmerbuurt", 2024));
    assert!(batch.notes.is_empty(), "{:?}", batch.notes);
    // The same export for a code the code list does not have.
    let unknown = text.replace("WK0363AA", "WK0363ZZ");
    let opts = ImportOptions { classification_year: Some(2024), ..options() };
    let err = error(statline::read(&file("s.csv", &unknown), &context(&cat, &lists, opts)));
    assert_error(&err, "s.csv", 8, 2, "region code WK0363ZZ is not in the code list of classification year 2024");
}

/// The same figures in every layout a StatLine view can have: each must give the same observations.
#[test]
fn statline_pivoted_views_read_as_the_plain_one() {
    let (cat, lists) = (catalogue(), amsterdam_2024());
    let opts = || ImportOptions { classification_year: Some(2024), ..options() };
    let read = |name: &str, text: &str| {
        let f = file(name, text);
        assert_eq!(detect::detect(&Input::File(f.clone())).unwrap(), Format::StatlineCsv, "{name}");
        statline::read(&f, &context(&cat, &lists, opts())).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let sorted = |b: &ImportBatch| {
        let mut o: Vec<String> =
            b.observations.iter().map(|o| format!("{} {} {} {:?}", o.region, o.period, o.variable, o.value)).collect();
        o.sort();
        o
    };
    let plain = read(
        "plain.csv",
        "\"Perioden\";\"Wijken en buurten\";\"Bevolking/Aantal inwoners (aantal)\";\"Bevolking/Mannen (aantal)\"\n\
         \"2023\";\"Amsterdam (GM0363)\";\"918117\";\"455000\"\n\
         \"2024*\";\"Amsterdam (GM0363)\";\"931298\";\"x\"\n",
    );
    assert_eq!(value(&plain, "GM0363", "2024", "inhabitants"), Value::provisional(931298.0));
    assert_eq!(value(&plain, "GM0363", "2024", "men"), Value::absent(Status::Secret));
    // Periods in the columns, topics in a theme row spanning them (written once, as StatLine does).
    let themes = read(
        "themes.csv",
        ";\"Aantal inwoners (aantal)\";;\"Mannen (aantal)\";\n\
         \"Wijken en buurten\";\"2023\";\"2024*\";\"2023\";\"2024*\"\n\
         \"Amsterdam (GM0363)\";\"918117\";\"931298\";\"455000\";\"x\"\n",
    );
    assert_eq!(sorted(&themes), sorted(&plain));
    // Topics in the rows (a topic column), periods in the columns.
    let rows = read(
        "rows.csv",
        "\"Wijken en buurten\";\"Onderwerp\";\"2023\";\"2024*\"\n\
         \"Amsterdam (GM0363)\";\"Aantal inwoners (aantal)\";\"918117\";\"931298\"\n\
         \"Amsterdam (GM0363)\";\"Mannen (aantal)\";\"455000\";\"x\"\n\
         \"Amsterdam (GM0363)\";\"Gemiddeld aantal zonuren (uur)\";\"1\";\"2\"\n",
    );
    assert_eq!(sorted(&rows), sorted(&plain));
    assert!(rows.notes.iter().any(|n| n.contains("'Gemiddeld aantal zonuren (uur)' (line 4)")), "{:?}", rows.notes);
    // One topic, named only in the title; periods in the columns.
    let title = read(
        "title.csv",
        "\"Aantal inwoners (aantal)\"\n\
         \"Wijken en buurten\";\"2023\";\"2024*\"\n\
         \"Amsterdam (GM0363)\";\"918117\";\"931298\"\n\
         \"Bron: CBS\"\n",
    );
    let inhabitants: Vec<String> = sorted(&plain).into_iter().filter(|o| o.contains(" inhabitants ")).collect();
    assert_eq!(sorted(&title), inhabitants);
    assert!(title.notes.iter().any(|n| n.contains("taken from the title")), "{:?}", title.notes);
    // The English view of the table.
    let english = read(
        "english.csv",
        "\"Periods\";\"Regions\";\"Population/Number of inhabitants (number)\";\"Population/Men (number)\"\n\
         \"2023\";\"Amsterdam (GM0363)\";\"918117\";\"455000\"\n\
         \"2024*\";\"Amsterdam (GM0363)\";\"931298\";\"x\"\n",
    );
    assert_eq!(sorted(&english), sorted(&plain));
    // A figure twice in a pivoted view is refused at its cell.
    let twice = "\"Wijken en buurten\";\"Onderwerp\";\"2023\"\n\
                 \"GM0363\";\"Aantal inwoners (aantal)\";\"1\"\n\
                 \"GM0363\";\"Aantal inwoners (aantal)\";\"2\"\n";
    let err = error(statline::read(&file("twice.csv", twice), &context(&cat, &lists, opts())));
    assert_error(
        &err,
        "twice.csv",
        3,
        3,
        "region GM0363 has 'inhabitants' for period 2023 twice: on line 2 and on line 3",
    );
}

#[test]
fn statline_kind_column_and_wijk_prefixes_settle_names() {
    let cat = catalogue();
    let mut lists = amsterdam_2024();
    // Den Haag: CBS names its wijken "Wijk 01 Oostduinen" and a buurt "Oostduinen" (real 2024 codes).
    lists.add(Region::new(code("GM0518"), "'s-Gravenhage", 2024));
    lists.add(Region::new(code("WK051801"), "Wijk 01 Oostduinen", 2024));
    lists.add(Region::new(code("BU05180170"), "Oostduinen", 2024));
    let text = "\"Kerncijfers wijken en buurten 2024\"\n\
                \"Wijken en buurten\";\"Regioaanduiding Soort regio (omschrijving)\";\"Aantal inwoners (aantal)\"\n\
                \"Frankendael\";\"Wijk\";\"15220\"\n\
                \"Frankendael\";\"Buurt\";\"4415\"\n\
                \"Haarlemmerbuurt Oost\";\"Buurt\";\"3120\"\n\
                \"Bron: CBS\"\n";
    let batch = statline::read(&file("s.csv", text), &context(&cat, &lists, amsterdam())).unwrap();
    assert_eq!(value(&batch, "WK0363MM", "2024", "inhabitants"), Value::final_(15220.0));
    assert_eq!(value(&batch, "BU0363MM05", "2024", "inhabitants"), Value::final_(4415.0));
    assert_eq!(value(&batch, "BU0363AA06", "2024", "inhabitants"), Value::final_(3120.0));
    assert!(batch.notes.iter().all(|n| !n.contains("match")), "{:?}", batch.notes);

    let text = "\"Kerncijfers wijken en buurten 2024\"\n\
                \"Wijken en buurten\";\"Aantal inwoners (aantal)\"\n\
                \"'s-Gravenhage\";\"566220\"\n\
                \"Wijk 01 Oostduinen\";\"15\"\n\
                \"Oostduinen\";\"10\"\n\
                \"Bron: CBS\"\n";
    let opts = ImportOptions { municipality: Some(code("GM0518")), ..options() };
    let batch = statline::read(&file("s.csv", text), &context(&cat, &lists, opts)).unwrap();
    assert_eq!(value(&batch, "GM0518", "2024", "inhabitants"), Value::final_(566220.0));
    assert_eq!(value(&batch, "WK051801", "2024", "inhabitants"), Value::final_(15.0));
    assert_eq!(value(&batch, "BU05180170", "2024", "inhabitants"), Value::final_(10.0));
}

#[test]
fn statline_structural_errors() {
    let (cat, lists) = (catalogue(), amsterdam_2024());
    let ctx = context(&cat, &lists, amsterdam());
    let head = "\"Kerncijfers wijken en buurten 2024\"\n\"Wijken en buurten\";\"Aantal inwoners (aantal)\";\"Mannen (aantal)\"\n";
    let ragged = format!("{head}\"Amsterdam\";\"931298\";\"462110\"\n\"Jordaan\";\"20130\"\n\"Bron: CBS\"\n");
    assert_eq!(
        error(statline::read(&file("s.csv", &ragged), &ctx)).to_string(),
        "s.csv:4:3: this row has 2 fields but the header on line 2 has 3"
    );
    let truncated = format!("{head}\"Amsterdam\";\"931298\";\"462110\"\n\"Jordaan\";\"20130\";\"98");
    assert_eq!(
        error(statline::read(&file("s.csv", &truncated), &ctx)).to_string(),
        "s.csv:4:3: the quoted field that starts here is never closed: the file is truncated or a closing quote is missing"
    );
    let cut_row = format!("{head}\"Amsterdam\";\"931298\";\"462110\"\n\"Jordaan\";\"20130\"\n");
    assert_error(&error(statline::read(&file("s.csv", &cut_row), &ctx)), "s.csv", 4, 3, "the file looks truncated");
    let number = format!("{head}\"Amsterdam\";\"931.298\";\"462110\"\n\"Bron: CBS\"\n");
    assert_eq!(
        error(statline::read(&file("s.csv", &number), &ctx)).to_string(),
        "s.csv:3:2: column 'Aantal inwoners (aantal)': '931.298' is not a number (use a decimal comma, no thousands separator)"
    );
    let twice = format!("{head}\"Amsterdam\";\"1\";\"2\"\n\"Jordaan\";\"3\";\"4\"\n\"Amsterdam\";\"5\";\"6\"\n");
    assert_eq!(
        error(statline::read(&file("s.csv", &twice), &ctx)).to_string(),
        "s.csv:5:1: region GM0363 has period 2024 twice: on line 3 and on line 5"
    );
    let after = format!("{head}\"Amsterdam\";\"1\";\"2\"\n\"Bron: CBS\"\n\"Jordaan\";\"3\";\"4\"\n");
    assert_error(
        &error(statline::read(&file("s.csv", &after), &ctx)),
        "s.csv",
        5,
        0,
        "a data row after the footer on line 4",
    );
    let no_header = "\"Kerncijfers\"\n\"Iets\";\"1\"\n";
    assert_error(&error(statline::read(&file("s.csv", no_header), &ctx)), "s.csv", 1, 0, "no header row found");
    let no_period =
        "\"Geregistreerde misdrijven\"\n\"Wijken en buurten\";\"Aantal inwoners (aantal)\"\n\"GM0363\";\"1\"\n";
    assert_error(&error(statline::read(&file("s.csv", no_period), &ctx)), "s.csv", 2, 0, "pass --period 2024");
    let bad_period = "\"Geregistreerde misdrijven\"\n\"Perioden\";\"Wijken en buurten\";\"Aantal inwoners (aantal)\"\n\"2023 1e kwartaal\";\"GM0363\";\"1\"\n";
    assert_error(
        &error(statline::read(&file("s.csv", bad_period), &ctx)),
        "s.csv",
        3,
        1,
        "column 'Perioden': '2023 1e kwartaal' is not a period",
    );
}

// ---------------------------------------------------------------------------------------------------------
// Wide CSV with a mapping file
// ---------------------------------------------------------------------------------------------------------

fn with_mapping(name: &str, text: &str) -> ImportOptions {
    ImportOptions { mapping: Some(file(name, text)), ..options() }
}

#[test]
fn wide_population_2024_matches_golden() {
    let Some(f) = shared_file("cbs-odata-csv/kwb-85984NED/Population85984_2024.csv") else { return };
    let cat = catalogue();
    let lists = CodeLists::new();
    let opts = ImportOptions { mapping: Some(fixture("population-85984NED.toml")), ..options() };
    let batch = wide::read(&f, &context(&cat, &lists, opts)).unwrap();
    assert_eq!(batch.format, Format::WideCsv);
    assert_eq!(batch.observations.len(), 14_574);
    assert_eq!(batch.source_table.as_deref(), Some("85984NED"));
    assert_eq!(batch.classification_year, Some(2024));
    assert!(batch.regions.is_empty());
    assert!(batch.notes.is_empty(), "{:?}", batch.notes);
    assert_eq!(value(&batch, "BU0363AA01", "2024", "inhabitants"), Value::final_(345.0));
    assert_eq!(value(&batch, "BU16800000", "2024", "inhabitants"), Value::final_(3455.0));
    let sample: Vec<Observation> = batch
        .observations
        .iter()
        .filter(|o| o.region.as_str().starts_with("BU0363AA") || o.region.as_str().starts_with("BU05183"))
        .cloned()
        .collect();
    check_golden("population-85984NED.csv", &long_text(&sample));
}

#[test]
fn wide_with_period_and_name_columns() {
    let cat = catalogue();
    let mut lists = CodeLists::new();
    lists.add(Region::new(code("BU0363AA01"), "Planciusbuurt-Noord", 2024));
    lists.add(Region::new(code("BU0363AA02"), "Westelijke eilanden", 2024));
    let mapping = "region_column = \"buurt\"\nname_column = \"naam\"\nperiod_column = \"jaar\"\nclassification_year = 2024\n\
                   delimiter = \";\"\ndecimal = \"comma\"\n[columns]\n\"laag inkomen\" = \"households_low_income_pct\"\ninwoners = \"inhabitants\"\n";
    let data = "buurt;naam;jaar;inwoners;laag inkomen;opmerking\nBU0363AA01;Planciusbuurt-Noord;2023;2370;11,2;\nBU0363AA01;Planciusbuurt-Noord;2024;2400;x;\nBU0363AA02;Westelijke eilanden;2024;2935;.;nieuw\n";
    let batch =
        wide::read(&file("buurten.csv", data), &context(&cat, &lists, with_mapping("m.toml", mapping))).unwrap();
    assert_eq!(value(&batch, "BU0363AA01", "2023", "households_low_income_pct"), Value::final_(11.2));
    assert_eq!(value(&batch, "BU0363AA01", "2024", "households_low_income_pct"), Value::absent(Status::Secret));
    assert_eq!(value(&batch, "BU0363AA02", "2024", "inhabitants"), Value::final_(2935.0));
    assert_eq!(
        batch.regions,
        vec![
            Region::new(code("BU0363AA01"), "Planciusbuurt-Noord", 2024),
            Region::new(code("BU0363AA02"), "Westelijke eilanden", 2024),
        ]
    );
    assert_eq!(batch.notes, vec!["1 columns are not in the mapping and were skipped: 'opmerking'".to_string()]);
    // Without a classification year, periods of several years leave the classification unknown.
    let no_year = mapping.replace("classification_year = 2024\n", "");
    let err = error(wide::read(&file("buurten.csv", data), &context(&cat, &lists, with_mapping("m.toml", &no_year))));
    assert_error(&err, "m.toml", 0, 0, "has periods in several years (2023, 2024)");
    // Duplicate keys name both lines; codes are checked against the code list.
    let dup = format!("{data}BU0363AA01;Planciusbuurt-Noord;2023;1;1;\n");
    assert_eq!(
        error(wide::read(&file("buurten.csv", &dup), &context(&cat, &lists, with_mapping("m.toml", mapping))))
            .to_string(),
        "buurten.csv:5:1: region BU0363AA01 has period 2023 twice: on line 2 and on line 5"
    );
    let unknown = data.replace("BU0363AA02", "BU0363AA09");
    let err =
        error(wide::read(&file("buurten.csv", &unknown), &context(&cat, &lists, with_mapping("m.toml", mapping))));
    assert_error(
        &err,
        "buurten.csv",
        4,
        1,
        "region code BU0363AA09 is not in the code list of classification year 2024",
    );
    let number = data.replace("2935", "2.935");
    assert_eq!(
        error(wide::read(&file("buurten.csv", &number), &context(&cat, &lists, with_mapping("m.toml", mapping))))
            .to_string(),
        "buurten.csv:4:4: column 'inwoners': '2.935' is not a number (use a decimal comma, no thousands separator)"
    );
}

#[test]
fn wide_mapping_errors_name_the_mapping_line() {
    let (cat, lists) = (catalogue(), CodeLists::new());
    let data = file("data.csv", "\"\",\"nhood_id\",\"population\"\n\"1\",\"BU16800000\",3455\n");
    let read = |mapping: &str| wide::read(&data, &context(&cat, &lists, with_mapping("m.toml", mapping)));
    let base = "region_column = \"nhood_id\"\nperiod = \"2024\"\n[columns]\npopulation = \"inhabitants\"\n";
    assert!(read(base).is_ok());
    let err = error(read(&base.replace("\"inhabitants\"", "\"inwoners\"")));
    assert_eq!(
        err.to_string(),
        "m.toml:4:14: column 'population' is mapped to 'inwoners', which is not a variable of the catalogue"
    );
    let err = error(read(&base.replace("population =", "bevolking =")));
    assert_error(
        &err,
        "m.toml",
        4,
        1,
        "column 'bevolking' is not in data.csv (its columns are: '', 'nhood_id', 'population')",
    );
    let err = error(read(&format!("regio_kolom = \"x\"\n{base}")));
    assert_error(&err, "m.toml", 1, 1, "unknown field `regio_kolom`");
    let err = error(read(&base.replace("nhood_id", "buurtcode")));
    assert_error(&err, "m.toml", 1, 17, "column 'buurtcode' is not in data.csv");
    let err = error(read(&format!("delimiter = \";;\"\n{base}")));
    assert_error(&err, "m.toml", 1, 13, "delimiter must be one character");
    let err = error(read(&base.replace("period = \"2024\"\n", "")));
    assert_error(&err, "m.toml", 1, 17, "the mapping gives no period");
    let err = error(read(&format!("{base}inwoners = \"inhabitants\"\n")));
    assert_error(&err, "m.toml", 4, 1, "columns 'inwoners' and 'population' are both mapped to variable 'inhabitants'");
    let err = error(wide::read(&data, &context(&cat, &lists, options())));
    assert_error(&err, "data.csv", 0, 0, "pass --mapping FILE");
}

// ---------------------------------------------------------------------------------------------------------
// Long CSV
// ---------------------------------------------------------------------------------------------------------

#[test]
fn long_round_trips_what_it_writes() {
    let observations = vec![
        Observation {
            region: code("GM0363"),
            period: Period::Year(2019),
            variable: "inhabitants".into(),
            value: Value::final_(862965.0),
        },
        Observation {
            region: code("BU05183637"),
            period: Period::Year(2020),
            variable: "lbm_score".into(),
            value: Value::final_(3.8169396255292294),
        },
        Observation {
            region: code("WK0363AA"),
            period: Period::Quarter(2024, 1),
            variable: "households_low_income_pct".into(),
            value: Value::provisional(-0.25),
        },
        Observation {
            region: RegionCode::netherlands(),
            period: Period::Month(2024, 3),
            variable: "men".into(),
            value: Value::missing(),
        },
        Observation {
            region: code("BU0363AA01"),
            period: Period::Year(2024),
            variable: "men".into(),
            value: Value::absent(Status::Secret),
        },
        Observation {
            region: code("BU0363AA01"),
            period: Period::Year(2024),
            variable: "women".into(),
            value: Value::absent(Status::NotYetPublished),
        },
    ];
    let text = long_text(&observations);
    assert_eq!(
        text,
        "region,period,variable,value,status\nGM0363,2019,inhabitants,862965,final\nBU05183637,2020,lbm_score,3.8169396255292294,final\n\
         WK0363AA,2024KW01,households_low_income_pct,-0.25,provisional\nNL00,2024MM03,men,,missing\nBU0363AA01,2024,men,,secret\n\
         BU0363AA01,2024,women,,not_yet_published\n"
    );
    let (cat, lists) = (catalogue(), CodeLists::new());
    let batch = long::read(&file("export.csv", &text), &context(&cat, &lists, options())).unwrap();
    assert_eq!(batch.observations, observations);
    assert_eq!(batch.format, Format::LongCsv);
    assert_eq!(batch.classification_year, None);
}

#[test]
fn long_round_trips_real_batches() {
    let (cat, lists) = (catalogue(), CodeLists::new());
    for (name, read) in [
        (
            "cbs-kwb-amsterdam/kwb-2019.csv",
            kwb::read as fn(&SourceFile, &ImportContext<'_>) -> Result<ImportBatch, Located>,
        ),
        ("leefbaarometer/buurten-2002-2020.csv", leefbaarometer::read),
    ] {
        let Some(f) = shared_file(name) else { return };
        let batch = read(&f, &context(&cat, &lists, options())).unwrap();
        let some: Vec<Observation> = batch.observations.iter().take(5_000).cloned().collect();
        let text = long_text(&some);
        let back = long::read(&file("export.csv", &text), &context(&cat, &lists, options())).unwrap();
        assert_eq!(back.observations, some, "{name}");
    }
}

#[test]
fn long_errors() {
    let (cat, lists) = (catalogue(), CodeLists::new());
    let ctx = context(&cat, &lists, options());
    let read = |body: &str| long::read(&file("l.csv", &format!("region,period,variable,value,status\n{body}")), &ctx);
    assert_eq!(
        error(long::read(&file("l.csv", "region,period,variable,value\nGM0363,2019,inhabitants,1\n"), &ctx)).to_string(),
        "l.csv:1:5: the header must be exactly region,period,variable,value,status (found region,period,variable,value)"
    );
    assert_eq!(
        error(read("GM0363,2019,inhabitants,1,final\nGM0363,2019,inhabitants,,\n")).to_string(),
        "l.csv:3:5: the status is missing: write one of final, provisional, missing, secret, not_yet_published"
    );
    assert_eq!(
        error(read("GM0363,2019,inhabitants,0,secret\n")).to_string(),
        "l.csv:2:4: a secret figure has no value, but this row has '0'; leave the value empty"
    );
    assert_eq!(
        error(read("GM0363,2019,inhabitants,,final\n")).to_string(),
        "l.csv:2:4: a final figure needs a value; write the status 'missing' if there is none"
    );
    assert_eq!(
        error(read("GM0363,2019,inwoners,1,final\n")).to_string(),
        "l.csv:2:3: 'inwoners' is not a variable of the catalogue"
    );
    // A huge cell is quoted as a short excerpt (the whole cell once went to the terminal: 60 MB).
    let huge = "7".repeat(5_000_000) + "x";
    let message = error(read(&format!("GM0363,2019,inhabitants,{huge},final\n"))).to_string();
    assert!(message.len() < 200, "{} bytes", message.len());
    assert!(message.contains("(5000001 characters)"), "{message}");
    assert_eq!(
        error(read("GM0363,2019,inhabitants,\"1,5\",final\n")).to_string(),
        "l.csv:2:4: '1,5' is not a number (use a decimal point, no thousands separator)"
    );
    assert_eq!(
        error(read("GM0363,2019,inhabitants,1,zero\n")).to_string(),
        "l.csv:2:5: 'zero' is not a status: write one of final, provisional, missing, secret, not_yet_published"
    );
    assert_eq!(
        error(read("G0363,2019,inhabitants,1,final\n")).to_string(),
        "l.csv:2:1: 'G0363' is not a CBS region code: it must start with NL, GM, WK or BU"
    );
    assert_error(&error(read("GM0363,19,inhabitants,1,final\n")), "l.csv", 2, 2, "'19' is not a period");
    assert_eq!(
        error(read("GM0363,2019,inhabitants,1,final\nGM0363,2019,men,1,final\nGM0363,2019JJ00,inhabitants,2,final\n"))
            .to_string(),
        "l.csv:4:1: GM0363 2019 inhabitants is given twice: on line 2 and on line 4"
    );
    // A code list is authoritative for the municipalities it covers: Amsterdam's list refuses an Amsterdam buurt
    // it does not have, and says nothing about Utrecht.
    let mut lists = CodeLists::new();
    lists.add(Region::new(code("GM0363"), "Amsterdam", 2024));
    lists.add(Region::new(code("BU0363AA01"), "Planciusbuurt-Noord", 2024));
    let opts = || ImportOptions { classification_year: Some(2024), ..options() };
    let read_with = |lists: &CodeLists, text: &str| {
        long::read(
            &file("l.csv", &format!("region,period,variable,value,status\n{text}")),
            &context(&cat, lists, opts()),
        )
    };
    let err = error(read_with(&lists, "BU03639999,2024,men,1,final\n"));
    assert_error(&err, "l.csv", 2, 1, "region code BU03639999 is not in the code list of classification year 2024");
    assert!(read_with(&lists, "GM0344,2024,men,1,final\n").is_ok(), "Utrecht is not covered by Amsterdam's list");
    // A list of the whole country covers every code.
    for m in 1..=301 {
        lists.add(Region::new(code(&format!("GM{:04}", 3000 + m)), "gemeente", 2024));
    }
    let err = error(read_with(&lists, "GM0344,2024,men,1,final\n"));
    assert_error(&err, "l.csv", 2, 1, "region code GM0344 is not in the code list of classification year 2024");
}

// ---------------------------------------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------------------------------------

#[test]
fn detects_real_sources() {
    let Some(dir) = shared_data() else { return };
    let load = |p: &str| Input::load(&dir.join(p)).unwrap();
    assert_eq!(detect::detect(&load("cbs-kwb-amsterdam/kwb-2019.csv")).unwrap(), Format::KwbCsv);
    assert_eq!(detect::detect(&load("cbs-kwb-amsterdam/kwb-2017.csv")).unwrap(), Format::KwbCsv);
    assert_eq!(detect::detect(&load("leefbaarometer/buurten-2002-2020.csv")).unwrap(), Format::Leefbaarometer);
    assert_eq!(detect::detect(&load("leefbaarometer/wijken-2002-2022.csv")).unwrap(), Format::Leefbaarometer);
    assert_eq!(detect::detect(&load("cbs-odata-85984NED")).unwrap(), Format::OdataJson);
    assert_eq!(detect::detect(&load("cbs-odata-csv/kwb-85984NED")).unwrap(), Format::OdataCsv);
    // A plain wide CSV needs --format wide-csv and a mapping.
    let err = detect::detect(&load("cbs-odata-csv/kwb-85984NED/Population85984_2024.csv")).unwrap_err();
    assert_eq!(err.location.line, 1);
    assert!(err.message.contains("--format wide-csv --mapping FILE"), "{err}");
    let err = detect::detect(&load("nplv-areas")).unwrap_err();
    assert!(err.message.contains("no DataProperties.json or DataProperties.csv"), "{err}");
    // The library's read() detects and dispatches.
    let (cat, lists) = (catalogue(), CodeLists::new());
    let batch =
        wijkmonitor_import::read(&load("cbs-kwb-amsterdam/kwb-2019.csv"), None, &context(&cat, &lists, options()))
            .unwrap();
    assert_eq!(batch.format, Format::KwbCsv);
}

#[test]
fn detects_by_content() {
    let detect = |name: &str, text: &str| detect::detect(&Input::File(file(name, text)));
    assert_eq!(
        detect("x.csv", "region,period,variable,value,status\nGM0363,2019,men,1,final\n").unwrap(),
        Format::LongCsv
    );
    assert_eq!(detect("x.csv", "bu_code,versie,jaar,bu_naam,lbm,afw\n").unwrap(), Format::Leefbaarometer);
    assert_eq!(detect("x.csv", "wk_code,wk_naam,jaar,lbm,afw\n").unwrap(), Format::Leefbaarometer);
    assert_eq!(detect("x.xlsx", "PK\u{3}\u{4}rest of a zip").unwrap(), Format::KwbSheet);
    // Files without figures say why, rather than only that they are not recognised.
    let pc4 = detect("mik.csv", "Postcode,Datum,Soort\n1011,11-07-2023,Woninginbraak\n1012,12-06-2023,Woninginbraak\n");
    assert!(pc4.unwrap_err().message.contains("4-digit postcode areas (PC4)"));
    let list = detect("areas.csv", "nr,gebied,wijkcode\n1,Oost,WK008020\n1,Oost,WK008050\n");
    assert!(list
        .unwrap_err()
        .message
        .contains("region codes and names but no figures (columns: nr, gebied, wijkcode)"));
    let figures = detect("w.csv", "nr,wijkcode,inwoners\n1,WK008020,5400\n2,WK008050,3100\n");
    assert!(figures.unwrap_err().message.contains("could not be recognised"), "a wide CSV is never taken for a list");
    assert_eq!(
        detect("x.csv", "\"\",\"Wijken.en.buurten\",\"Bevolking.Aantal.inwoners..aantal.\"\n").unwrap(),
        Format::KwbCsv
    );
    assert_eq!(
        detect("x.csv", &String::from_utf8(fixture("statline-amsterdam-2024.csv").bytes).unwrap()).unwrap(),
        Format::StatlineCsv
    );
    assert_eq!(
        detect("x.csv", "\"Wijken en buurten\";\"Aantal inwoners (aantal)\"\n\"Amsterdam\";\"1\"\n\"Bron: CBS\"\n")
            .unwrap(),
        Format::StatlineCsv
    );
    assert_eq!(
        detect("x.csv", "\"Bevolking, 2024\"\n\"Regio's\";\"Aantal inwoners (aantal)\"\n").unwrap(),
        Format::StatlineCsv
    );
    let folder = Input::Folder {
        name: "t".into(),
        files: vec![file("t/DataProperties.json", "[]"), file("t/TypedDataSet.json", "[]")],
    };
    assert_eq!(detect::detect(&folder).unwrap(), Format::OdataJson);
    let folder = Input::Folder { name: "t".into(), files: vec![file("t/DataProperties.csv", "")] };
    assert_eq!(detect::detect(&folder).unwrap(), Format::OdataCsv);

    let err = detect("x.csv", "\n\ncode,inwoners\nGM0363,1\n").unwrap_err();
    assert_eq!(err.location.line, 3);
    assert!(err.to_string().starts_with("x.csv:3: the format could not be recognised from the content."), "{err}");
    assert!(
        err.message.contains("kwb-csv") && err.message.contains("statline-csv") && err.message.contains("long-csv")
    );
    assert_eq!(detect("x.csv", "  \n").unwrap_err().to_string(), "x.csv: the file is empty");
    assert_error(&detect("x.json", "{\"value\": []}").unwrap_err(), "x.json", 1, 0, "this looks like JSON");
}

/// The current StatLine download (one header row of `Theme/Topic (unit)` labels, no title, no footer): recognised
/// from its content alone, its year (period and classification) taken from the file name and said so; every
/// region of the 2024 code list, the real Dutch population.
#[test]
fn the_current_statline_download_is_read_by_detection_alone() {
    let Some(f) = shared_file("cbs-kwb-nl-2024/kwb-2024-bevolking-statline-export.csv") else { return };
    let input = Input::File(f.clone());
    assert_eq!(detect::detect(&input).unwrap(), Format::StatlineCsv);
    let (cat, lists) = (catalogue(), CodeLists::new());
    let batch = statline::read(&f, &context(&cat, &lists, options())).unwrap();
    assert_eq!(batch.classification_year, Some(2024));
    assert_eq!(batch.regions.len(), 18_310);
    assert_eq!(value(&batch, "NL00", "2024", "inhabitants"), Value::final_(17_942_942.0));
    assert!(
        batch.notes.iter().any(|n| n.contains("the period 2024 was taken from the file name")),
        "{:?}",
        batch.notes
    );
    // Without a year in its name, the file says what it needs.
    let mut unnamed = f;
    unnamed.name = "export.csv".into();
    let err = error(statline::read(&unnamed, &context(&cat, &lists, options())));
    assert!(err.to_string().contains("pass --period"), "{err}");
}

#[test]
fn statline_names_are_scoped_by_a_municipality_name_column() {
    let cat = catalogue();
    let mut lists = amsterdam_2024();
    lists.add(Region::new(code("GM0518"), "'s-Gravenhage", 2024));
    // "Jordaan" is a wijk of Amsterdam and a buurt of Den Haag (BU05180271, in amsterdam_2024()).
    let text = "\"Kerncijfers wijken en buurten 2024\"\n\
                \"Wijken en buurten\";\"Regioaanduiding Gemeentenaam (naam)\";\"Aantal inwoners (aantal)\"\n\
                \"Jordaan\";\"Amsterdam\";\"20000\"\n\
                \"Jordaan\";\"'s-Gravenhage\";\"1200\"\n\
                \"Frankendael\";\"Amsterdam\";\"15220\"\n\
                \"Bron: CBS\"\n";
    // No --municipality: the column says whose names they are.
    let batch = statline::read(&file("s.csv", text), &context(&cat, &lists, options())).unwrap();
    assert_eq!(value(&batch, "WK0363AB", "2024", "inhabitants"), Value::final_(20000.0));
    assert_eq!(value(&batch, "BU05180271", "2024", "inhabitants"), Value::final_(1200.0));
    // Frankendael is a wijk and a buurt of Amsterdam: without a kind it stays ambiguous, and says so.
    assert!(
        batch.notes.iter().any(|n| n.contains("'Frankendael' (line 5) matches several regions")),
        "{:?}",
        batch.notes
    );
    // A municipality the code list does not have is named with its place.
    let unknown = text.replace("\"'s-Gravenhage\";\"1200\"", "\"Atlantis\";\"1200\"");
    let err = error(statline::read(&file("s.csv", &unknown), &context(&cat, &lists, options())));
    assert_error(&err, "s.csv", 4, 2, "municipality 'Atlantis' is not in the code list of 2024");
}

#[test]
fn statline_names_are_matched_in_the_nearest_loaded_year_with_a_note() {
    let (cat, lists) = (catalogue(), amsterdam_2024());
    // A 2023 table, but only the 2024 code list is loaded.
    let text = "\"Kerncijfers wijken en buurten 2023\"\n\
                \"Wijken en buurten\";\"Aantal inwoners (aantal)\"\n\
                \"Amsterdam\";\"918117\"\n\
                \"Westelijke eilanden\";\"2935\"\n\
                \"Bron: CBS\"\n";
    let batch = statline::read(&file("s.csv", text), &context(&cat, &lists, amsterdam())).unwrap();
    assert_eq!(batch.classification_year, Some(2023));
    assert_eq!(value(&batch, "BU0363AA02", "2023", "inhabitants"), Value::final_(2935.0));
    let note = batch.notes.iter().find(|n| n.contains("nearest loaded")).expect("a note on the nearest year");
    assert!(
        note.starts_with("2 region names were matched against the code list of 2024, the nearest loaded to 2023")
            && note.contains("'Westelijke eilanden' (line 4) as BU0363AA02"),
        "{note}"
    );
}
