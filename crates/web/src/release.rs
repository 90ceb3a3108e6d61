//! The static release: the whole public side as files that any static host can serve, rendered by the same code
//! that answers `serve`, so a file holds exactly the bytes the server sends for its address.
//!
//! How addresses become files:
//! - a page (`/gebied/x`, `/en/gebied/x`) becomes `gebied/x/index.html`, `en/gebied/x/index.html`: static hosts
//!   answer a folder's address with its `index.html` (after redirecting to the address with a slash);
//! - an address with an extension (`/gebied/x.json`, `/downloads/wijkmonitor.csv`, `/rapport/x-2025.pdf`) is
//!   that file; the API is published under its `.json` addresses (`/api/v1/gebied/x.json`), which the server
//!   answers as well.
//!
//! The release is found by crawling: from every page the snapshot has (overview, action lines, areas,
//! indicators, downloads, about, method) in both languages with their twins and API addresses, every link of
//! every page is followed, so a link that the server would answer with an error stops the release instead of
//! becoming a 404 on the host. Links into the workspace are left to the server that runs it.
//!
//! Besides the pages: `robots.txt`, `sitemap.xml`, the open-data description in DCAT-AP-NL (`catalogus.jsonld`)
//! and the index of archived releases. This module renders and returns bytes; writing them (incrementally, with
//! the manifest) is the caller's.

use crate::error::Problem;
use crate::i18n::Lang;
use crate::public::{self, Public, Rendered};
use crate::routes::{self, Side, Verb};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use wijkmonitor_model::catalogue::ActionLine;
use wijkmonitor_model::hash::sha256_hex;
use wijkmonitor_readmodel::Snapshot;

/// The name of the open-data description.
pub const DCAT_FILE: &str = "catalogus.jsonld";
/// The manifest: `sha256sum` format, one line per file of the release.
pub const MANIFEST_FILE: &str = "SHA256SUMS";
/// The folder of the archived releases.
pub const ARCHIVE_DIR: &str = "archief";

/// How the release is addressed.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Where the release will be served, e.g. `https://data.example.nl/wijkmonitor/`: its path goes in front of
    /// every link, its whole form into the sitemap and the DCAT description. `None`: the root of a host, with
    /// site-relative addresses in the sitemap and the description.
    pub base_url: Option<String>,
    /// Where the workspace runs (e.g. `https://werk.example.nl`); links to it point there. `None`: they stay
    /// site-relative, for a host that sends `/werk` to the server.
    pub workspace_url: Option<String>,
    /// Whether the reports are part of the release (as they are of `serve --reports`).
    pub reports: bool,
    /// The name of this publication in the archive (e.g. `2026-05-01`).
    pub label: String,
    /// Labels of releases archived earlier, for the archive's index.
    pub archived: Vec<String>,
    /// Who publishes (for the DCAT description).
    pub publisher: String,
}

/// One file of the release: its path inside the release folder and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The files of a release: the site itself, and the same site under `archief/<label>/`.
#[derive(Debug, Default)]
pub struct Release {
    /// The site at the base address, with robots, sitemap, DCAT and the archive's index.
    pub site: Vec<File>,
    /// The same pages with links into `archief/<label>/`; paths are relative to that folder.
    pub archive: Vec<File>,
    /// Addresses the pages link to that a static host cannot answer (they need a server): workspace links
    /// without `--workspace-url`, links with parameters.
    pub left_to_server: BTreeSet<String>,
}

/// Why a release could not be made.
#[derive(Debug)]
pub enum ReleaseError {
    /// A page links to an address the server answers with an error.
    BrokenLink { from: String, to: String, problem: String },
    /// An address that cannot be a file (no extension and not a page).
    NotAFile(String),
}

impl std::fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReleaseError::BrokenLink { from, to, problem } => {
                write!(f, "{from} links to {to}, which the server answers with: {problem}")
            }
            ReleaseError::NotAFile(address) => {
                write!(f, "{address} has no file name extension and is not a page, so no static host can serve it")
            }
        }
    }
}

impl std::error::Error for ReleaseError {}

/// Answers a public GET address (with its query) exactly as the server does: the language prefix, the route
/// table, the query check, the representation, and the same rendering.
pub fn get(public: &Public, reports: bool, address: &str) -> Result<Arc<Rendered>, Problem> {
    let (path, query) = address.split_once('?').unwrap_or((address, ""));
    let mut pairs = crate::work::forms::parse_urlencoded(query);
    let path = match Lang::strip_prefix(path) {
        Some((lang, rest)) => {
            if !pairs.iter().any(|(k, _)| k == "lang") {
                pairs.insert(0, ("lang".into(), lang.code().into()));
            }
            rest
        }
        None => path,
    };
    let lang = match pairs.iter().find(|(k, _)| k == "lang") {
        Some((_, v)) => Lang::parse(v).ok_or_else(|| Problem::bad_request(format!("unknown language '{v}'")))?,
        None => Lang::Nl,
    };
    let not_found = || Problem::not_found(format!("no public page at {path}"));
    let m = routes::find(Verb::Get, path).map_err(|_| not_found())?;
    if m.route.side != Side::Public || !is_static(m.route.page) {
        return Err(not_found());
    }
    routes::check_query(m.route, &pairs).map_err(Problem::BadRequest)?;
    public::answer(public, reports, &m, &pairs, lang, false)
}

/// Whether a public route's answer is fixed by the snapshot (health, readiness and metrics describe the running
/// process, so they have no place in a release).
fn is_static(page: routes::Page) -> bool {
    !matches!(page, routes::Page::Health | routes::Page::Ready | routes::Page::Metrics)
}

/// The addresses every release starts from: each page of the snapshot in both languages, its twins and its
/// API address, and the files. The crawl adds what these link to (effect pages, reports, ...).
fn seeds(snap: &Snapshot) -> Vec<String> {
    let mut pages = vec!["/".to_string(), "/downloads".into(), "/over".into(), "/over/effectmeting".into()];
    pages.extend(ActionLine::ALL.iter().map(|l| format!("/actielijn/{}", l.as_str())));
    pages.extend(snap.areas.iter().map(|a| format!("/gebied/{}", a.id)));
    pages.extend(snap.catalogue.indicators.iter().map(|i| format!("/indicator/{}", i.id)));
    let mut out = Vec::new();
    for p in pages {
        out.extend(page_family(&p));
    }
    out.extend(
        [
            "/api/openapi.json",
            "/static/style.css",
            crate::views::downloads::CSV_FILE,
            crate::views::downloads::XLSX_FILE,
        ]
        .map(String::from),
    );
    out
}

/// A Dutch page's address with its English form, its twins and its API address.
fn page_family(page: &str) -> Vec<String> {
    let api = match page {
        "/" => "/api/v1".to_string(),
        "/over/effectmeting" => "/api/v1/effectmeting".to_string(),
        other => format!("/api/v1{other}"),
    };
    let mut out = vec![page.to_string(), Lang::En.href(page)];
    out.push(crate::layout::twin(page, "", "json"));
    out.push(crate::layout::twin(page, "", "csv"));
    if routes::find(Verb::Get, &api).is_ok() {
        out.push(format!("{api}.json"));
    }
    out
}

/// The file an address is stored in, given what it renders to.
fn file_for(address: &str, rendered: &Rendered) -> Result<String, ReleaseError> {
    let path = address.trim_start_matches('/');
    let last = path.rsplit('/').next().unwrap_or("");
    if rendered.content_type.starts_with("text/html") && !last.contains('.') {
        let dir = path.trim_end_matches('/');
        return Ok(if dir.is_empty() { "index.html".into() } else { format!("{dir}/index.html") });
    }
    if last.contains('.') {
        return Ok(path.to_string());
    }
    Err(ReleaseError::NotAFile(address.to_string()))
}

/// The attributes whose values are addresses.
const LINK_ATTRIBUTES: [&str; 3] = ["href=\"", "src=\"", "action=\""];

/// Where the values of one attribute stand in an HTML page (byte ranges, without the quotes).
fn attribute_values<'h>(html: &'h str, attribute: &'h str) -> impl Iterator<Item = std::ops::Range<usize>> + 'h {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + html[at..].find(attribute)? + attribute.len();
        let end = start + html[start..].find('"')?;
        at = end;
        Some(start..end)
    })
}

/// Whether an attribute value is an address on this site (one leading `/`).
fn is_site_address(value: &str) -> bool {
    value.starts_with('/') && !value.starts_with("//")
}

/// The site-internal links of an HTML page (`href`, `src` and `action` values starting with one `/`), unescaped,
/// without fragments.
pub fn links(html: &str) -> Vec<String> {
    LINK_ATTRIBUTES
        .iter()
        .flat_map(|attribute| attribute_values(html, attribute))
        .map(|range| html[range].replace("&amp;", "&"))
        .filter(|value| is_site_address(value))
        .map(|value| value.split('#').next().unwrap_or("").to_string())
        .filter(|value| !value.is_empty())
        .collect()
}

/// Whether an address belongs to the workspace (which a static host does not serve).
fn is_workspace(path: &str) -> bool {
    let path = Lang::strip_prefix(path).map_or(path, |(_, rest)| rest);
    ["/werk", "/aanmelden", "/afmelden"].iter().any(|w| path == *w || path.starts_with(&format!("{w}/")))
}

/// Renders the release of a snapshot.
pub fn build(snap: Snapshot, options: &Options) -> Result<Release, ReleaseError> {
    let public = Public::new(snap, 0);
    let mut queue: VecDeque<(String, String)> =
        seeds(&public.snap).into_iter().map(|a| (a, "(start)".into())).collect();
    let mut seen: BTreeSet<String> = queue.iter().map(|(a, _)| a.clone()).collect();
    let mut pages: BTreeMap<String, (String, Arc<Rendered>)> = BTreeMap::new();
    let mut left_to_server = BTreeSet::new();
    while let Some((address, from)) = queue.pop_front() {
        let rendered = get(&public, options.reports, &address).map_err(|p| ReleaseError::BrokenLink {
            from: from.clone(),
            to: address.clone(),
            problem: p.message(Lang::En).to_string(),
        })?;
        let file = file_for(&address, &rendered)?;
        if rendered.content_type.starts_with("text/html") {
            let html = String::from_utf8_lossy(&rendered.body);
            for link in links(&html) {
                let (path, query) = link.split_once('?').unwrap_or((link.as_str(), ""));
                let report = Lang::strip_prefix(path).map_or(path, |(_, rest)| rest).starts_with("/rapport/");
                if is_workspace(path) || (report && !options.reports) {
                    left_to_server.insert(link.clone());
                    continue;
                }
                // The stylesheet's version parameter only defeats caches; the file is the same.
                let only_version = query.split('&').all(|kv| kv.is_empty() || kv.starts_with("v="));
                if !only_version {
                    left_to_server.insert(link.clone());
                    continue;
                }
                if seen.insert(path.to_string()) {
                    // A page reached by a link brings its twins and API address along.
                    let family = if path.contains('.') || Lang::strip_prefix(path).is_some() {
                        vec![path.to_string()]
                    } else {
                        page_family(path)
                    };
                    for a in family {
                        seen.insert(a.clone());
                        queue.push_back((a, address.clone()));
                    }
                }
            }
        }
        pages.insert(file, (address, rendered));
    }
    if options.workspace_url.is_some() {
        left_to_server.retain(|l| !is_workspace(l.split('?').next().unwrap_or(l)));
    }

    let base_path = base_path(options.base_url.as_deref());
    let archive_path = format!("{base_path}/{ARCHIVE_DIR}/{}", options.label);
    let mut release = Release { left_to_server, ..Release::default() };
    for (file, (_, rendered)) in &pages {
        let html = rendered.content_type.starts_with("text/html");
        let bytes = |prefix: &str| {
            if html {
                relink(&String::from_utf8_lossy(&rendered.body), prefix, options.workspace_url.as_deref()).into_bytes()
            } else {
                rendered.body.to_vec()
            }
        };
        release.site.push(File { path: file.clone(), bytes: bytes(&base_path) });
        release.archive.push(File { path: file.clone(), bytes: bytes(&archive_path) });
    }
    let html_pages: Vec<&str> = pages
        .iter()
        .filter(|(_, (_, r))| r.content_type.starts_with("text/html"))
        .map(|(_, (a, _))| a.as_str())
        .collect();
    release.site.push(File { path: "robots.txt".into(), bytes: robots(options).into_bytes() });
    release.site.push(File { path: "sitemap.xml".into(), bytes: sitemap(options, &html_pages).into_bytes() });
    let dcat = dcat(&public.snap, options, &release.site);
    release.site.push(File { path: DCAT_FILE.into(), bytes: serde_json::to_vec_pretty(&dcat).unwrap_or_default() });
    release.site.push(File { path: format!("{ARCHIVE_DIR}/index.html"), bytes: archive_index(options).into_bytes() });
    release.site.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(release)
}

/// The path part of the base address, without a trailing slash (`""` for the root of a host).
pub fn base_path(base_url: Option<&str>) -> String {
    let Some(url) = base_url else { return String::new() };
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = if url.contains("://") { after_scheme.find('/').map_or("", |i| &after_scheme[i..]) } else { url };
    path.trim_end_matches('/').to_string()
}

/// Puts the base path in front of every site-internal link of a page, and sends workspace links to the
/// workspace's own address.
fn relink(html: &str, prefix: &str, workspace: Option<&str>) -> String {
    let mut values: Vec<std::ops::Range<usize>> =
        LINK_ATTRIBUTES.iter().flat_map(|attribute| attribute_values(html, attribute)).collect();
    values.sort_by_key(|range| range.start);
    let mut out = String::with_capacity(html.len() + 4096);
    let mut copied = 0;
    for range in values {
        let link = &html[range.clone()];
        if !is_site_address(link) {
            continue;
        }
        out.push_str(&html[copied..range.start]);
        match workspace.filter(|_| is_workspace(link.split('?').next().unwrap_or(link))) {
            Some(ws) => out.push_str(ws.trim_end_matches('/')),
            None => out.push_str(prefix),
        }
        out.push_str(link);
        copied = range.end;
    }
    out.push_str(&html[copied..]);
    out
}

/// The full address of a site path: with the base URL when given, else the path itself.
fn absolute(options: &Options, path: &str) -> String {
    match &options.base_url {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        None => path.to_string(),
    }
}

fn robots(options: &Options) -> String {
    format!("User-agent: *\nDisallow: /werk\nDisallow: /en/werk\nSitemap: {}\n", absolute(options, "/sitemap.xml"))
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn sitemap(options: &Options, pages: &[&str]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let mut pages = pages.to_vec();
    pages.sort();
    for p in pages {
        out.push_str(&format!("  <url><loc>{}</loc></url>\n", xml_escape(&absolute(options, p))));
    }
    out.push_str("</urlset>\n");
    out
}

fn archive_index(options: &Options) -> String {
    let mut labels: Vec<&str> = options.archived.iter().map(String::as_str).collect();
    labels.push(&options.label);
    labels.sort_unstable();
    labels.dedup();
    labels.reverse();
    let base = base_path(options.base_url.as_deref());
    let page = maud::html! {
        (maud::DOCTYPE)
        html lang="nl" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Archief · Wijkmonitor NPLV" }
                link rel="stylesheet" href=(format!("{base}{}", crate::layout::style_url()));
            }
            body {
                main id="main" {
                    h1 { "Archief van publicaties" }
                    p lang="en" { "Archive of publications: every release as it was published." }
                    ul {
                        @for l in &labels {
                            li { a href=(format!("{base}/{ARCHIVE_DIR}/{l}/")) { (l) } }
                        }
                    }
                    p { a href=(format!("{base}/")) { "Naar de actuele cijfers" } }
                }
            }
        }
    };
    page.into_string()
}

/// The DCAT-AP-NL description of the downloads (see `docs/publication.md` for the shape it follows).
pub fn dcat(snap: &Snapshot, options: &Options, site: &[File]) -> Value {
    let iri = |path: &str| json!({ "@id": absolute(options, path) });
    let text = |nl: &str, en: &str| json!([{ "@language": "nl", "@value": nl }, { "@language": "en", "@value": en }]);
    let date = |d: &str| json!({ "@value": d, "@type": "xsd:date" });
    let modified = snap.run.as_ref().map(|r| r.computed_at.get(..10).unwrap_or(&r.computed_at).to_string());
    let years: Vec<i32> = snap.periods.iter().map(|p| p.year()).collect();
    let licence = json!({ "@id": "http://creativecommons.org/licenses/by/4.0/" });
    let publisher = json!({ "@type": "foaf:Agent", "foaf:name": options.publisher });
    let size_and_hash = |path: &str| {
        site.iter().find(|f| f.path == path.trim_start_matches('/')).map(|f| (f.bytes.len(), sha256_hex(&f.bytes)))
    };
    let distribution = |path: &str, title: (&str, &str), media: &str, format: &str| {
        let mut d = json!({
            "@id": absolute(options, &format!("{path}#distributie")),
            "@type": "dcat:Distribution",
            "dct:title": text(title.0, title.1),
            "dcat:accessURL": iri("/downloads"),
            "dcat:downloadURL": iri(path),
            "dcat:mediaType": { "@id": format!("https://www.iana.org/assignments/media-types/{media}") },
            "dct:format": { "@id": format!("http://publications.europa.eu/resource/authority/file-type/{format}") },
            "dct:license": licence,
        });
        if let Some((size, hash)) = size_and_hash(path) {
            d["dcat:byteSize"] = json!({ "@value": size.to_string(), "@type": "xsd:nonNegativeInteger" });
            d["spdx:checksum"] = json!({
                "@type": "spdx:Checksum",
                "spdx:algorithm": { "@id": "spdx:checksumAlgorithm_sha256" },
                "spdx:checksumValue": hash,
            });
        }
        d
    };
    let mut dataset = json!({
        "@id": absolute(options, "/downloads#dataset"),
        "@type": "dcat:Dataset",
        "dct:identifier": absolute(options, "/downloads#dataset"),
        "dct:title": text(
            "Wijkmonitor NPLV: cijfers van de focusgebieden",
            "Wijkmonitor NPLV: figures of the focus areas",
        ),
        "dct:description": text(
            "Alle gepubliceerde cijfers van de monitor van het Nationaal Programma Leefbaarheid en Veiligheid: de 20 focusgebieden, de rest van hun gemeenten, de gemeenten, alle gebieden samen en Nederland, per jaar, na geheimhouding; met status, reden en herkomst per cijfer, en de effectmeting.",
            "Every published figure of the monitor of the National Programme for Liveability and Safety: the 20 focus areas, the rest of their municipalities, the municipalities, all areas together and the Netherlands, per year, after disclosure control; with status, reason and provenance per figure, and the effect analysis.",
        ),
        "dct:publisher": publisher,
        "dcat:contactPoint": { "@type": "vcard:Organization", "vcard:fn": options.publisher },
        "dct:license": licence,
        "dct:accessRights": { "@id": "http://publications.europa.eu/resource/authority/access-right/PUBLIC" },
        "dct:language": [
            { "@id": "http://publications.europa.eu/resource/authority/language/NLD" },
            { "@id": "http://publications.europa.eu/resource/authority/language/ENG" },
        ],
        "dct:spatial": { "@id": "http://standaarden.overheid.nl/owms/terms/Nederland" },
        "dcat:theme": [
            { "@id": "http://standaarden.overheid.nl/owms/terms/Openbare_orde_en_veiligheid" },
            { "@id": "http://standaarden.overheid.nl/owms/terms/Wonen" },
        ],
        "dcat:keyword": ["leefbaarheid", "veiligheid", "focusgebieden", "NPLV", "wijken en buurten"],
        "dcat:landingPage": iri("/downloads"),
        "dct:conformsTo": iri("/api/openapi.json"),
        "adms:versionInfo": options.label,
        "dcat:distribution": [
            distribution(crate::views::downloads::CSV_FILE, ("Alle cijfers (CSV, lang formaat)", "All figures (CSV, long format)"), "text/csv", "CSV"),
            distribution(
                crate::views::downloads::XLSX_FILE,
                ("Alle cijfers (Excel-werkmap)", "All figures (Excel workbook)"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "XLSX",
            ),
            distribution("/over/effectmeting.csv", ("Effectmeting: alle uitkomsten (CSV)", "Effect analysis: every outcome (CSV)"), "text/csv", "CSV"),
            distribution("/api/openapi.json", ("De open API (OpenAPI-document)", "The open API (OpenAPI document)"), "application/json", "JSON"),
        ],
    });
    if let (Some(first), Some(last)) = (years.iter().min(), years.iter().max()) {
        dataset["dct:temporal"] = json!({
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": date(&format!("{first}-01-01")),
            "dcat:endDate": date(&format!("{last}-12-31")),
        });
    }
    if let Some(m) = &modified {
        dataset["dct:modified"] = date(m);
        dataset["dct:issued"] = date(m);
    }
    json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "adms": "http://www.w3.org/ns/adms#",
            "spdx": "http://spdx.org/rdf/terms#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": absolute(options, &format!("/{DCAT_FILE}#catalogus")),
        "@type": "dcat:Catalog",
        "dct:title": text("Open data van de Wijkmonitor NPLV", "Open data of the Wijkmonitor NPLV"),
        "dct:description": text(
            "De cijfers van de monitor van het Nationaal Programma Leefbaarheid en Veiligheid.",
            "The figures of the monitor of the National Programme for Liveability and Safety.",
        ),
        "dct:publisher": publisher,
        "dct:license": licence,
        "dcat:dataset": [dataset],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_found_unescaped_without_fragments() {
        let html = r##"<a href="/gebied/x#effect">x</a><link href="/static/style.css?v=1"><a href="https://e.nl/">e</a>
            <a href="#top">t</a><form action="/indicator/y"></form><a href="/x?a=1&amp;b=2">"##;
        assert_eq!(links(html), vec!["/gebied/x", "/static/style.css?v=1", "/x?a=1&b=2", "/indicator/y"]);
    }

    #[test]
    fn relinking_prefixes_site_links_and_sends_workspace_links_away() {
        let html =
            r#"<a href="/gebied/x">a</a><a href="/en/werk">w</a><a href="https://e.nl/">e</a><img src="/m.png">"#;
        assert_eq!(
            relink(html, "/sub", Some("https://werk.example/")),
            r#"<a href="/sub/gebied/x">a</a><a href="https://werk.example/en/werk">w</a><a href="https://e.nl/">e</a><img src="/sub/m.png">"#
        );
        assert_eq!(relink(html, "", None), html);
    }

    #[test]
    fn base_paths() {
        assert_eq!(base_path(None), "");
        assert_eq!(base_path(Some("https://data.example.nl")), "");
        assert_eq!(base_path(Some("https://data.example.nl/")), "");
        assert_eq!(base_path(Some("https://data.example.nl/nplv/wijkmonitor/")), "/nplv/wijkmonitor");
        assert_eq!(base_path(Some("/sub/")), "/sub");
    }

    #[test]
    fn workspace_addresses() {
        for w in ["/werk", "/en/werk", "/werk/audit", "/aanmelden", "/en/aanmelden"] {
            assert!(is_workspace(w), "{w}");
        }
        for p in ["/", "/werkloosheid", "/gebied/werk", "/en/gebied/x"] {
            assert!(!is_workspace(p), "{p}");
        }
    }
}
