//! Crashes: the `wijkmonitor` process is killed with SIGKILL at random moments, 100 times, while it imports, while
//! it computes, and while the server writes to the workspace (answers, reviews, publications). After every kill
//! the database must pass SQLite's integrity check, every import must be wholly present or wholly absent, the
//! audit chain must verify, and the published figures must equal a fresh recomputation whenever the last run
//! read what the database now holds.
//!
//! The data is generated here (a long CSV of 300 buurten), so the test needs nothing from outside. The moments
//! are drawn by a seeded generator; the durations they are drawn from are measured once, first, on this machine.

#![cfg(unix)]

mod support;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{ok, serve};
use wijkmonitor_model::area::parse_areas_csv;
use wijkmonitor_model::{BUILTIN_AREAS, BUILTIN_AREAS_NAME};
use wijkmonitor_store::audit::ChainCheck;
use wijkmonitor_store::Store;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const EDITOR: &str = "ed@heerlen.example";
const ANALYST: &str = "an@ministry.example";
const AREA: &str = "heerlen-noord";

/// A long CSV of 300 buurten of Heerlen over five years; `k` varies the values, so each file changes figures.
fn write_batch(path: &Path, k: u64) {
    let mut text = String::from("region,period,variable,value,status\n");
    for b in 0..300u64 {
        let code = format!("BU0917{:02}{:02}", b / 20, b % 20);
        for year in 2019..=2023 {
            let inhabitants = 400 + (b * 37 + k * 11 + year as u64) % 3000;
            text.push_str(&format!("{code},{year},inhabitants,{inhabitants},final\n"));
            text.push_str(&format!("{code},{year},households,{},final\n", inhabitants / 2));
            text.push_str(&format!("{code},{year},households_low_income_pct,{}.5,final\n", (b + k + year as u64) % 30));
            text.push_str(&format!("{code},{year},crimes_total,{},final\n", (b * 3 + k) % 90));
            text.push_str(&format!("{code},{year},wmo_clients,{},final\n", (b + k * 7) % 40));
        }
    }
    std::fs::write(path, text).expect("write the batch");
}

fn wijkmonitor() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wijkmonitor"))
}

fn with_stdin(args: &[&str], input: &str) {
    let mut child = wijkmonitor().args(args).stdin(Stdio::piped()).stdout(Stdio::null()).spawn().expect("runs");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write");
    assert!(child.wait().expect("waits").success(), "{args:?}");
}

fn kill(child: &mut Child) {
    // SIGKILL: no destructor, no flush, no rollback by the process itself.
    let _ = child.kill();
    let _ = child.wait();
}

/// One HTTP request; the answer's status, or `None` when the server is gone.
fn http(addr: &str, method: &str, path: &str, token: &str, body: &str) -> Option<u16> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Accept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes()).ok()?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).ok()?;
    answer.split(' ').nth(1)?.parse().ok()
}

/// Answers to every item of the request, with `value` for the counts.
fn all_answers(value: u64) -> String {
    use wijkmonitor_model::catalogue::InputKind;
    let items = wijkmonitor_request::items(&wijkmonitor_model::Catalogue::builtin());
    let answers: Vec<String> = items
        .iter()
        .map(|i| {
            let v = match i.input {
                InputKind::Text => "Meer uitwisseling".to_string(),
                InputKind::Rating5 => "4".into(),
                InputKind::Rating10 => "7".into(),
                InputKind::Percent => "35".into(),
                InputKind::Number => (10 + value % 50).to_string(),
            };
            format!(r#""{}": {{"value": "{v}"}}"#, i.indicator)
        })
        .collect();
    format!(r#"{{"answers": {{{}}}, "submit": true}}"#, answers.join(", "))
}

/// The workspace's writes, in a loop until the server dies: a submission of every answer, its acceptance, a
/// publication (a recomputation) and a reopening.
fn workspace_writes(addr: String, editor: String, analyst: String, round: u64) {
    let path = format!("/api/v1/uitvraag/2025/{AREA}");
    for n in 0..1_000u64 {
        let steps: [(&str, String, &str, String); 5] = [
            ("PUT", path.clone(), editor.as_str(), all_answers(round * 1000 + n)),
            ("POST", format!("{path}/beoordeling"), analyst.as_str(), r#"{"action": "accept"}"#.to_string()),
            ("POST", "/api/v1/uitvraag/2025/publiceren".to_string(), analyst.as_str(), String::new()),
            ("POST", format!("{path}/beoordeling"), analyst.as_str(), r#"{"action": "reopen"}"#.to_string()),
            ("GET", "/api/v1/audit".to_string(), analyst.as_str(), String::new()),
        ];
        for (method, p, token, body) in steps {
            if http(&addr, method, &p, token, &body).is_none() {
                return;
            }
        }
    }
}

/// Everything that must hold after a crash. Returns whether the figures could be compared with a recomputation.
fn check(db: &Path, scratch: &Path, round: u64) -> bool {
    let store = Store::open(db).expect("the database opens after a crash");
    assert_eq!(store.integrity_check().expect("integrity check"), "ok", "round {round}");
    assert_eq!(store.incomplete_imports().expect("imports"), [], "round {round}: an import is half there");
    assert!(matches!(store.verify_audit_chain().expect("chain"), ChainCheck::Intact(_)), "round {round}");
    // The published figures equal a fresh recomputation when the last run read what is there now.
    let Some(run) = store.compute_run().expect("run") else { return false };
    let used: BTreeSet<i64> = run.imports.iter().copied().collect();
    // Imports that contribute no current figure (all superseded) are not read by a run.
    let current: BTreeSet<i64> = store
        .observations(&Default::default())
        .expect("observations")
        .iter()
        .map(|o| o.import_id)
        .chain(store.area_figures(true).expect("area figures").iter().map(|f| f.import_id))
        .collect();
    if used != current {
        return false;
    }
    let figures = |s: &Store| -> Vec<String> {
        s.computed(&[], &[], &[])
            .expect("computed")
            .into_iter()
            .map(|f| format!("{} {} {} {:?} {:?}", f.target, f.period, f.indicator, f.value.number(), f.value.status()))
            .collect()
    };
    let published = figures(&store);
    drop(store);
    std::fs::copy(db, scratch).expect("copy");
    let _ = std::fs::remove_file(scratch.with_extension("db-wal"));
    let mut copy = Store::open(scratch).expect("the copy opens");
    let areas = parse_areas_csv(BUILTIN_AREAS, BUILTIN_AREAS_NAME, true).expect("areas");
    wijkmonitor_pipeline::recompute(
        &mut copy,
        &wijkmonitor_pipeline::Recompute::builtin(&areas, "2026-05-01T00:00:00Z"),
    )
    .expect("recompute");
    assert_eq!(figures(&copy), published, "round {round}: published figures differ from a fresh recomputation");
    true
}

fn timed(mut command: Command) -> Duration {
    let started = Instant::now();
    assert!(command.stdout(Stdio::null()).status().expect("runs").success());
    started.elapsed()
}

#[test]
fn a_hundred_kills_leave_a_consistent_database() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db: PathBuf = dir.path().join("w.db");
    let scratch = dir.path().join("scratch.db");
    let dbs = db.to_str().expect("path").to_string();
    let batches: Vec<PathBuf> = (0..4)
        .map(|k| {
            let p = dir.path().join(format!("batch-{k}.csv"));
            write_batch(&p, k);
            p
        })
        .collect();
    // A database with figures, accounts, a round and a first computation.
    let import = |k: usize| {
        let mut c = wijkmonitor();
        c.args(["import", batches[k].to_str().unwrap_or(""), "--db", &dbs]);
        c
    };
    let import_time = timed(import(0));
    for (email, role) in [(EDITOR, "area-editor"), (ANALYST, "analyst")] {
        let area: &[&str] = if role == "area-editor" { &["--area", AREA] } else { &[] };
        let mut args = vec!["user", "add", "--db", &dbs, "--email", email, "--role", role, "--password-stdin"];
        args.extend_from_slice(area);
        with_stdin(&args, "a long enough password\n");
    }
    let editor = ok(&["token", "create", "--db", &dbs, "--email", EDITOR]).trim().to_string();
    let analyst = ok(&["token", "create", "--db", &dbs, "--email", ANALYST]).trim().to_string();
    let compute = || {
        let mut c = wijkmonitor();
        c.args(["compute", "--db", &dbs]);
        c
    };
    let compute_time = timed(compute());
    {
        let (mut server, addr) = serve(&db);
        let round = r#"{"year": 2025}"#;
        assert_eq!(http(&addr, "POST", "/api/v1/uitvraag", &analyst, round), Some(201));
        kill(&mut server);
    }
    assert!(check(&db, &scratch, 0));

    let mut rng = Lcg(20261201);
    let mut kills = [0u32; 3];
    let mut compared = 0;
    for round in 1..=100u64 {
        let op = rng.below(3) as usize;
        match op {
            0 => {
                let mut child = import(rng.below(4) as usize).stdout(Stdio::null()).spawn().expect("import runs");
                std::thread::sleep(import_time.mul_f64(rng.below(1200) as f64 / 1000.0));
                kill(&mut child);
            }
            1 => {
                let mut child = compute().stdout(Stdio::null()).spawn().expect("compute runs");
                std::thread::sleep(compute_time.mul_f64(rng.below(1200) as f64 / 1000.0));
                kill(&mut child);
            }
            _ => {
                let (mut server, addr) = serve(&db);
                let (e, a) = (editor.clone(), analyst.clone());
                let writer = std::thread::spawn(move || workspace_writes(addr, e, a, round));
                // Publications recompute, so the writes take about as long as a computation.
                std::thread::sleep(compute_time.mul_f64(rng.below(3000) as f64 / 1000.0));
                kill(&mut server);
                let _ = writer.join();
            }
        }
        kills[op] += 1;
        if check(&db, &scratch, round) {
            compared += 1;
        }
    }
    eprintln!(
        "kills: {} imports, {} computations, {} servers; figures compared with a recomputation {compared} times",
        kills[0], kills[1], kills[2]
    );
    assert!(kills.iter().all(|&k| k >= 20), "every kind of work was interrupted: {kills:?}");
    // The servers did write before they were killed (submissions, acceptances, publications).
    let log = Store::open(&db).expect("database").audit_log(&Default::default()).expect("log");
    let publications = log.iter().filter(|e| e.action == "publish").count();
    let imports = Store::open(&db).expect("database").imports().expect("imports").len();
    eprintln!("audit rows {}, publications {publications}, imports {imports}", log.len());
    assert!(publications >= 3 && log.len() > 100, "too few workspace writes happened: {} rows", log.len());
    assert!(compared >= 10, "the published figures were compared with a recomputation only {compared} times");
}
