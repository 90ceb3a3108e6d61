//! `wijkmonitor publish --static`: the release served by a plain static file server (Python's `http.server`),
//! crawled from its front page, reaches every page, twin, download and report without a 404; every file equals
//! what `serve` answers for the same address; a rerun rewrites nothing; a release in a subfolder keeps working
//! links; the DCAT-AP-NL description has the documented shape; the archive keeps earlier publications and
//! files that are gone are removed.

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::{fails, ok};
use wijkmonitor_model::area::parse_areas_csv;
use wijkmonitor_model::{BUILTIN_AREAS, BUILTIN_AREAS_NAME};
use wijkmonitor_readmodel::Snapshot;
use wijkmonitor_store::Store;
use wijkmonitor_web::release::links;

/// A GET over plain HTTP/1.1 (loopback): status, headers (lower-case names) and body.
fn http_get(addr: SocketAddr, path: &str) -> (u16, BTreeMap<String, String>, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the answer");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a header block");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status: u16 = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).unwrap();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    if headers.get("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..end]).trim(), 16).unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[end + 2..end + 2 + size]);
            rest = &rest[end + 2 + size + 2..];
        }
        body = out;
    }
    (status, headers, body)
}

/// A static file server over a folder, stopped when dropped.
struct StaticHost {
    child: Child,
    addr: SocketAddr,
}

impl StaticHost {
    fn start(dir: &Path) -> StaticHost {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut child = Command::new("python3")
            .args(["-m", "http.server", &port.to_string(), "--bind", "127.0.0.1", "--directory"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs (a fresh machine has Python)");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        for _ in 0..100 {
            if TcpStream::connect(addr).is_ok() {
                return StaticHost { child, addr };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the static file server did not start");
    }
}

impl Drop for StaticHost {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Crawls a host from `start`, following redirects and every site link of every HTML page. Returns the
/// addresses answered 200 and the failures (address, status, the page that linked it).
fn crawl(addr: SocketAddr, start: &str, skip: impl Fn(&str) -> bool) -> (BTreeSet<String>, Vec<(String, u16, String)>) {
    let mut queue = VecDeque::from([(start.to_string(), "(start)".to_string())]);
    let mut seen = BTreeSet::from([start.to_string()]);
    let (mut reached, mut failed) = (BTreeSet::new(), Vec::new());
    while let Some((address, from)) = queue.pop_front() {
        let mut target = address.clone();
        let (status, headers, body) = loop {
            let (status, headers, body) = http_get(addr, &target);
            match (status, headers.get("location")) {
                (301 | 302 | 303 | 307 | 308, Some(to)) => target = to.clone(),
                _ => break (status, headers, body),
            }
        };
        if status != 200 {
            failed.push((address, status, from));
            continue;
        }
        reached.insert(address.clone());
        if headers.get("content-type").is_some_and(|t| t.starts_with("text/html")) {
            for link in links(&String::from_utf8_lossy(&body)) {
                let path = link.split('?').next().unwrap_or(&link).to_string();
                if !skip(&path) && seen.insert(path.clone()) {
                    queue.push_back((path, address.clone()));
                }
            }
        }
    }
    (reached, failed)
}

/// Every file under a folder, as paths relative to it, leaving out `archief/` when asked.
fn files(dir: &Path, with_archive: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            if path.is_dir() {
                if with_archive || rel != "archief" {
                    stack.push(path);
                }
            } else {
                out.insert(rel);
            }
        }
    }
    out
}

/// The address a file of the release answers.
fn address_of(file: &str) -> String {
    match file.strip_suffix("index.html") {
        Some(dir) => format!("/{dir}"),
        None => format!("/{file}"),
    }
}

/// The release-only files (no server address).
const RELEASE_ONLY: [&str; 5] = ["SHA256SUMS", "catalogus.jsonld", "robots.txt", "sitemap.xml", "archief/index.html"];

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    ok(&["demo", "--db", db.to_str().unwrap()]);
    db
}

#[test]
fn a_static_release_is_complete_equal_to_serve_deterministic_and_works_in_a_subfolder() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let rel = dir.path().join("release");
    let out = ok(&["publish", "--static", rel.to_str().unwrap(), "--db", db.to_str().unwrap(), "--label", "2026"]);
    assert!(out.contains("0 unchanged, 0 removed"), "{out}");

    // A rerun is byte-identical and touches nothing.
    let manifest = std::fs::read(rel.join("SHA256SUMS")).unwrap();
    let out = ok(&["publish", "--static", rel.to_str().unwrap(), "--db", db.to_str().unwrap(), "--label", "2026"]);
    assert!(out.contains(": 0 written,"), "a rerun rewrote files: {out}");
    assert_eq!(std::fs::read(rel.join("SHA256SUMS")).unwrap(), manifest);
    // The manifest covers every file of the site (not the archive, which has its own).
    let site = files(&rel, false);
    let listed: BTreeSet<String> = String::from_utf8(manifest)
        .unwrap()
        .lines()
        .map(|l| l.split_once("  ").unwrap().1.to_string())
        .chain(["SHA256SUMS".to_string()])
        .filter(|f| !f.starts_with("archief/"))
        .collect();
    let unlisted: Vec<&String> = site.symmetric_difference(&listed).collect();
    assert!(unlisted.is_empty(), "files and manifest differ in: {unlisted:?}");

    // Served by a plain static file server and crawled from the front page: no 404, and everything reached.
    let host = StaticHost::start(&rel);
    let (reached, failed) = crawl(host.addr, "/", |p| p.starts_with("/werk") || p.starts_with("/en/werk"));
    assert!(failed.is_empty(), "broken links on the static host: {:?}", &failed[..failed.len().min(10)]);
    let kinds = |ext: &str| reached.iter().filter(|a| a.ends_with(ext)).count();
    let counts = [kinds(".pdf"), kinds(".xlsx"), kinds(".csv"), kinds(".json")];
    assert!(
        counts[0] >= 42 && counts[1] == 1 && counts[2] > 100 && counts[3] > 100,
        "pdf, xlsx, csv, json: {counts:?}"
    );
    assert!(reached.contains("/en/gebied/heerlen-noord") && reached.contains("/rapport/nationaal-2025.pdf"));
    let not_reached: Vec<&String> = site
        .iter()
        .filter(|f| !RELEASE_ONLY.contains(&f.as_str()) && !f.starts_with("api/"))
        .filter(|f| !reached.contains(&address_of(f)) && !reached.contains(address_of(f).trim_end_matches('/')))
        .collect();
    assert!(not_reached.is_empty(), "files no link leads to: {not_reached:?}");

    // Every file equals what `serve` answers for its address (the API under its .json addresses).
    let store = Store::open(&db).unwrap();
    let areas = parse_areas_csv(BUILTIN_AREAS, BUILTIN_AREAS_NAME, true).unwrap();
    let snap = Snapshot::load(&store, Some(&areas), None).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let config = wijkmonitor_web::Config { reports: true, log_requests: false, ..Default::default() };
    std::thread::spawn(move || {
        let _ = wijkmonitor_web::serve(snap, None, config, "127.0.0.1:0".parse().unwrap(), |a| tx.send(a).unwrap());
    });
    let server = rx.recv_timeout(Duration::from_secs(60)).expect("serve started");
    let mut compared = 0;
    for f in site.iter().filter(|f| !RELEASE_ONLY.contains(&f.as_str())) {
        let (status, _, body) = http_get(server, &address_of(f));
        assert_eq!(status, 200, "serve answers {} with {status}", address_of(f));
        assert!(body == std::fs::read(rel.join(f)).unwrap(), "{f} differs from serve's answer to {}", address_of(f));
        compared += 1;
    }
    assert!(compared > 3000, "compared {compared} files");

    // In a subfolder, with the workspace elsewhere: every link starts with the folder and none is broken.
    let parent = dir.path().join("host");
    let sub = parent.join("nplv");
    let out = ok(&[
        "publish",
        "--static",
        sub.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--base-url",
        "https://data.example.nl/nplv/",
        "--workspace-url",
        "https://werk.example.nl",
        "--label",
        "2026",
    ]);
    assert!(!out.contains("need a server"), "{out}");
    let host = StaticHost::start(&parent);
    let (reached, failed) = crawl(host.addr, "/nplv/", |_| false);
    assert!(failed.is_empty(), "broken links in the subfolder: {:?}", &failed[..failed.len().min(10)]);
    assert!(reached.iter().all(|a| a.starts_with("/nplv/")), "a link leaves the subfolder");
    assert!(reached.len() > 1000, "{}", reached.len());
    let html = std::fs::read_to_string(sub.join("gebied/heerlen-noord/index.html")).unwrap();
    assert!(html.contains("href=\"https://werk.example.nl/werk\""), "workspace link");
    let sitemap = std::fs::read_to_string(sub.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://data.example.nl/nplv/gebied/heerlen-noord</loc>"), "{sitemap}");
    check_dcat(&sub, "https://data.example.nl/nplv/");
    // The archive of this publication works in its own folder too.
    let (reached, failed) = crawl(host.addr, "/nplv/archief/2026/", |_| false);
    assert!(failed.is_empty() && reached.iter().all(|a| a.starts_with("/nplv/archief/2026/")), "{failed:?}");
}

/// The DCAT-AP-NL shape of `docs/publication.md`: JSON-LD whose every property is a term of its context, a
/// catalogue with one dataset carrying the mandatory and recommended properties, distributions whose size and
/// checksum match the files.
fn check_dcat(dir: &Path, base: &str) {
    let doc: Value = serde_json::from_slice(&std::fs::read(dir.join("catalogus.jsonld")).unwrap()).unwrap();
    let context = doc["@context"].as_object().expect("a context");
    fn keys_defined(v: &Value, context: &serde_json::Map<String, Value>, at: &str) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    if !k.starts_with('@') {
                        let prefix = k.split_once(':').map(|(p, _)| p).unwrap_or("");
                        assert!(context.contains_key(prefix), "{at}: property {k} is not a term of the context");
                    }
                    if k != "@context" {
                        keys_defined(v, context, &format!("{at}/{k}"));
                    }
                }
                if let Some(typed) = map.get("@type").and_then(Value::as_str) {
                    let prefix = typed.split_once(':').map(|(p, _)| p).unwrap_or("");
                    assert!(context.contains_key(prefix), "{at}: type {typed} is not defined");
                }
            }
            Value::Array(items) => items.iter().for_each(|i| keys_defined(i, context, at)),
            _ => {}
        }
    }
    keys_defined(&doc, context, "");
    assert_eq!(doc["@type"], "dcat:Catalog");
    for key in ["dct:title", "dct:description", "dct:publisher", "dcat:dataset"] {
        assert!(!doc[key].is_null(), "catalogue: {key} missing");
    }
    let dataset = &doc["dcat:dataset"][0];
    assert_eq!(dataset["@type"], "dcat:Dataset");
    for key in [
        "dct:identifier",
        "dct:title",
        "dct:description",
        "dct:publisher",
        "dcat:contactPoint",
        "dct:license",
        "dct:accessRights",
        "dct:language",
        "dct:spatial",
        "dct:temporal",
        "dct:modified",
        "dcat:theme",
        "dcat:landingPage",
        "dcat:distribution",
    ] {
        assert!(!dataset[key].is_null(), "dataset: {key} missing");
    }
    assert_eq!(dataset["dct:license"]["@id"], "http://creativecommons.org/licenses/by/4.0/");
    let titles: Vec<&str> =
        dataset["dct:title"].as_array().unwrap().iter().filter_map(|t| t["@language"].as_str()).collect();
    assert_eq!(titles, ["nl", "en"]);
    let start = dataset["dct:temporal"]["dcat:startDate"]["@value"].as_str().unwrap();
    let end = dataset["dct:temporal"]["dcat:endDate"]["@value"].as_str().unwrap();
    assert!(start < end && start.ends_with("-01-01") && end.ends_with("-12-31"), "{start} {end}");
    let distributions = dataset["dcat:distribution"].as_array().unwrap();
    assert!(distributions.len() >= 3);
    for d in distributions {
        for key in ["dcat:accessURL", "dcat:downloadURL", "dcat:mediaType", "dct:format", "dct:license", "dct:title"] {
            assert!(!d[key].is_null(), "distribution: {key} missing in {d}");
        }
        let url = d["dcat:downloadURL"]["@id"].as_str().unwrap();
        let file = url.strip_prefix(base).unwrap_or_else(|| panic!("{url} is not under {base}"));
        let bytes = std::fs::read(dir.join(file)).unwrap_or_else(|_| panic!("{file} is described but missing"));
        assert_eq!(d["dcat:byteSize"]["@value"], bytes.len().to_string(), "{file}");
        assert_eq!(d["spdx:checksum"]["spdx:checksumValue"], wijkmonitor_model::hash::sha256_hex(&bytes), "{file}");
    }
}

#[test]
fn the_archive_keeps_earlier_publications_and_gone_files_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let rel = dir.path().join("release");
    let publish = |label: &str| {
        ok(&[
            "publish",
            "--static",
            rel.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--label",
            label,
            "--no-reports",
        ])
    };
    publish("2025");
    // A file of an earlier release that the next one no longer has (listed in the manifest) is removed; a
    // file the release did not write is left alone.
    let gone = rel.join("gebied/opgeheven-gebied/index.html");
    std::fs::create_dir_all(gone.parent().unwrap()).unwrap();
    std::fs::write(&gone, "old").unwrap();
    let mut manifest = std::fs::read_to_string(rel.join("SHA256SUMS")).unwrap();
    manifest.push_str(&format!("{}  gebied/opgeheven-gebied/index.html\n", "0".repeat(64)));
    std::fs::write(rel.join("SHA256SUMS"), manifest).unwrap();
    std::fs::write(rel.join("eigen-bestand.txt"), "mine").unwrap();
    let out = publish("2026");
    assert!(out.contains("1 removed"), "{out}");
    assert!(!gone.exists() && !gone.parent().unwrap().exists());
    assert!(rel.join("eigen-bestand.txt").exists());
    // Both publications stay reachable, and the index lists them.
    for label in ["2025", "2026"] {
        assert!(rel.join(format!("archief/{label}/index.html")).is_file(), "{label}");
        assert!(rel.join(format!("archief/{label}/SHA256SUMS")).is_file(), "{label}");
    }
    let index = std::fs::read_to_string(rel.join("archief/index.html")).unwrap();
    assert!(index.contains("href=\"/archief/2025/\"") && index.contains("href=\"/archief/2026/\""), "{index}");
    let archived = std::fs::read_to_string(rel.join("archief/2025/gebied/heerlen-noord/index.html")).unwrap();
    assert!(archived.contains("href=\"/archief/2025/indicator/"), "archived pages link inside their archive");

    // A folder with other content is refused, and nothing is written into it.
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("thesis.txt"), "x").unwrap();
    let err = fails(&["publish", "--static", other.to_str().unwrap(), "--db", db.to_str().unwrap()]);
    assert!(err.contains("holds no release"), "{err}");
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), 1);
}
