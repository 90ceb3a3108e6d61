//! Downloads a table from the CBS OData v3 API (StatLine) and keeps the raw responses.
//!
//! [`fetch_table`] GETs the entity sets of one table: `TableInfos`, `DataProperties`, the code list of every
//! dimension that `DataProperties` names, and the figures in `TypedDataSet`, following `odata.nextLink` page
//! by page (the API returns at most 10,000 rows per response). Every response body is written verbatim to
//! `<dest>/<table>/<Entity>.json` (pages of `TypedDataSet` as `TypedDataSet-0001.json`, `-0002.json`, ...),
//! so the folder is both a record of exactly what CBS served and an input for `wijkmonitor_import::odata`.
//!
//! The download goes to a hidden sibling folder that is renamed into place only when everything succeeded:
//! a failed or interrupted fetch leaves no half-written table, and an earlier download of the same table
//! stays until the new one is complete. Connection errors, timeouts and HTTP 429/5xx are retried after a
//! delay; other HTTP errors (404 for an unknown table) are not, since asking again cannot help.

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The CBS OData v3 service.
pub const DEFAULT_BASE_URL: &str = "https://opendata.cbs.nl/ODataApi/odata";

/// The largest response body accepted. A page of 10,000 rows of a wide table is tens of megabytes; a body far
/// beyond that is not a StatLine response.
const MAX_BODY_BYTES: u64 = 1 << 30;

/// How to reach the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// The service root, without the table id (default [`DEFAULT_BASE_URL`]).
    pub base_url: String,
    /// The limit for connecting and for each read or write on the connection.
    pub timeout: Duration,
    /// How many times a failed request is repeated (connection errors, timeouts, HTTP 429 and 5xx).
    pub retries: u32,
    /// The wait before each repeat.
    pub retry_delay: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            base_url: DEFAULT_BASE_URL.to_string(),
            timeout: Duration::from_secs(60),
            retries: 3,
            retry_delay: Duration::from_secs(2),
        }
    }
}

/// Progress of a fetch, for a progress bar or a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchEvent {
    /// An entity set is about to be fetched.
    Started { entity: String },
    /// A page of an entity set arrived; `total` is the row count the service announced (`TypedDataSet` only).
    Page { entity: String, rows_so_far: u64, total: Option<u64> },
    /// Attempt number `attempt` (1-based) of `url` failed with `error` and will be repeated after the delay.
    Retry { url: String, attempt: u32, error: String },
    /// An entity set is complete.
    Done { entity: String, rows: u64 },
}

/// A table fetched and in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedTable {
    pub table_id: String,
    /// `<dest>/<table>`.
    pub folder: PathBuf,
    /// The files written, in the order fetched.
    pub files: Vec<PathBuf>,
    /// The number of `TypedDataSet` rows.
    pub rows: u64,
}

/// Why a fetch failed. Each message names the URL, what happened and what to do.
#[derive(Debug)]
pub enum FetchError {
    /// The table id is not of the form StatLine uses.
    InvalidTableId(String),
    /// The service answered with an HTTP error status.
    Status { url: String, status: u16, reason: String, body: String, attempts: u32 },
    /// The request failed before an answer arrived (connection, timeout, TLS, ...).
    Transport { url: String, error: String, timed_out: bool, attempts: u32 },
    /// The service answered 200 with something that is not an OData entity set.
    BadResponse { url: String, problem: String },
    /// The service links to a page it returned before.
    EndlessPaging { url: String },
    /// Writing the download failed.
    Io { path: PathBuf, error: io::Error },
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tries = |n: &u32| if *n == 1 { "1 attempt".to_string() } else { format!("{n} attempts") };
        match self {
            FetchError::InvalidTableId(id) => write!(
                f,
                "'{id}' is not a CBS table id: use the identifier StatLine shows, 5 to 12 letters and digits such as \
                 85984NED or 47018NED"
            ),
            FetchError::Status { url, status, reason, body, attempts } => {
                write!(f, "GET {url} failed with HTTP {status} {reason}")?;
                if !body.is_empty() {
                    write!(f, " ({body})")?;
                }
                match status {
                    404 => write!(f, ": the table or entity set does not exist; check the table id and the base URL"),
                    429 => write!(
                        f,
                        ": the service is limiting requests (gave up after {}); wait a while and try again",
                        tries(attempts)
                    ),
                    500..=599 => write!(
                        f,
                        ": the service has a problem (gave up after {}); try again later or with more retries",
                        tries(attempts)
                    ),
                    _ => write!(f, ": the service refused the request; check the table id and the base URL"),
                }
            }
            FetchError::Transport { url, error, timed_out: true, attempts } => write!(
                f,
                "GET {url} timed out ({error}; gave up after {}): check the network connection and proxy, or raise \
                 the timeout",
                tries(attempts)
            ),
            FetchError::Transport { url, error, timed_out: false, attempts } => write!(
                f,
                "GET {url} failed: {error} (gave up after {}); check the network connection, the proxy and the base \
                 URL",
                tries(attempts)
            ),
            FetchError::BadResponse { url, problem } => write!(
                f,
                "GET {url} did not return a CBS OData entity set ({problem}); check the base URL, or try again later"
            ),
            FetchError::EndlessPaging { url } => write!(
                f,
                "the service links back to a page it returned before ({url}); stopped instead of paging forever: \
                 try again later"
            ),
            FetchError::Io { path, error } => write!(
                f,
                "cannot write {}: {error}; check that the destination folder is writable and has free space",
                path.display()
            ),
        }
    }
}

impl std::error::Error for FetchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FetchError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> FetchError + '_ {
    move |error| FetchError::Io { path: path.to_path_buf(), error }
}

/// An HTTP client with the options' timeouts and wijkmonitor's user agent.
fn agent(opts: &FetchOptions) -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout_connect(opts.timeout)
        .timeout_read(opts.timeout)
        .timeout_write(opts.timeout)
        .user_agent(concat!("wijkmonitor-fetch/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Whether a text is a StatLine table id (`85984NED`, `47018NED`, `83474NED`): 5 to 12 ASCII letters and digits.
/// The id becomes part of a URL and a folder name, so nothing else is let through.
pub fn is_valid_table_id(id: &str) -> bool {
    (5..=12).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Downloads table `table_id` into `dest/<table_id>` (see the module documentation). `dest` is created if
/// needed; an existing `dest/<table_id>` is replaced only after the whole table has arrived.
pub fn fetch_table(
    table_id: &str,
    dest: &Path,
    opts: &FetchOptions,
    on_event: &mut dyn FnMut(FetchEvent),
) -> Result<FetchedTable, FetchError> {
    if !is_valid_table_id(table_id) {
        return Err(FetchError::InvalidTableId(table_id.to_string()));
    }
    fs::create_dir_all(dest).map_err(io_error(dest))?;
    let staging = Staging::create(dest, table_id)?;
    let agent = agent(opts);
    let mut client = Client { agent, opts, on_event };
    let table_url = format!("{}/{table_id}", opts.base_url.trim_end_matches('/'));
    let mut names = Vec::new();

    client.entity(&table_url, "TableInfos", &staging.path, &mut names, Paging::SingleUnlessPaged, None)?;
    let properties =
        client.entity(&table_url, "DataProperties", &staging.path, &mut names, Paging::SingleUnlessPaged, None)?;
    for key in dimension_keys(&properties.records, &format!("{table_url}/DataProperties"))? {
        client.entity(&table_url, &key, &staging.path, &mut names, Paging::SingleUnlessPaged, None)?;
    }
    let total = client.count(&format!("{table_url}/TypedDataSet/$count"));
    let data = client.entity(&table_url, "TypedDataSet", &staging.path, &mut names, Paging::AlwaysNumbered, total)?;

    let folder = dest.join(table_id);
    staging.commit(&folder)?;
    Ok(FetchedTable {
        table_id: table_id.to_string(),
        files: names.iter().map(|n| folder.join(n)).collect(),
        folder,
        rows: data.rows,
    })
}

/// What a conditional download found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    /// The server said the file has not changed since the copy kept (HTTP 304): nothing was downloaded.
    NotModified,
    /// A new copy was downloaded; `changed` says whether its bytes differ from the copy kept before, if any.
    Downloaded { bytes: u64, changed: bool },
}

/// The validators kept beside a downloaded file (`<file>.meta.json`), sent back on the next request.
fn meta_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".meta.json");
    file.with_file_name(name)
}

/// Downloads `url` into `file` unless the copy already there is current: the request carries the `ETag` and
/// `Last-Modified` of that copy (`If-None-Match`, `If-Modified-Since`), and a 304 leaves it as it is. A new copy is
/// written under a temporary name and renamed into place, so an interrupted download leaves the old copy (or
/// nothing); the validators of the answer are kept in `<file>.meta.json`. Failures are retried as for tables.
pub fn fetch_file(
    url: &str,
    file: &Path,
    opts: &FetchOptions,
    on_event: &mut dyn FnMut(FetchEvent),
) -> Result<FileOutcome, FetchError> {
    let meta: serde_json::Value = fs::read_to_string(meta_path(file))
        .ok()
        .filter(|_| file.exists())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null);
    let mut headers = Vec::new();
    if let Some(etag) = meta["etag"].as_str() {
        headers.push(("If-None-Match", etag));
    }
    if let Some(modified) = meta["last_modified"].as_str() {
        headers.push(("If-Modified-Since", modified));
    }
    let agent = agent(opts);
    let mut client = Client { agent, opts, on_event };
    (client.on_event)(FetchEvent::Started { entity: url.to_string() });
    let answer = client.get_with(url, &headers)?;
    if answer.status == 304 {
        return Ok(FileOutcome::NotModified);
    }
    if let Some(parent) = file.parent() {
        fs::create_dir_all(parent).map_err(io_error(parent))?;
    }
    let changed = fs::read(file).map_or(true, |old| old != answer.body);
    let mut tmp_name = file.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    tmp_name.push(".partial");
    let tmp = file.with_file_name(tmp_name);
    fs::write(&tmp, &answer.body).map_err(io_error(&tmp))?;
    fs::rename(&tmp, file).map_err(io_error(file))?;
    let meta = serde_json::json!({ "url": url, "etag": answer.etag, "last_modified": answer.last_modified });
    let meta_file = meta_path(file);
    fs::write(&meta_file, meta.to_string()).map_err(io_error(&meta_file))?;
    (client.on_event)(FetchEvent::Done { entity: url.to_string(), rows: 0 });
    Ok(FileOutcome::Downloaded { bytes: answer.body.len() as u64, changed })
}

/// The dimension keys `DataProperties` names; each is the name of the dimension's code-list entity set.
fn dimension_keys(records: &[serde_json::Value], url: &str) -> Result<Vec<String>, FetchError> {
    let mut keys = Vec::new();
    for record in records {
        let kind = record.get("Type").and_then(|t| t.as_str()).unwrap_or_default().trim();
        if !matches!(kind, "Dimension" | "GeoDimension" | "GeoDetail" | "TimeDimension") {
            continue;
        }
        let key = record.get("Key").and_then(|k| k.as_str()).unwrap_or_default().trim();
        // The key becomes a URL segment and a file name: refuse anything but a plain identifier.
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(FetchError::BadResponse {
                url: url.to_string(),
                problem: format!("dimension key '{key}' is not a plain name"),
            });
        }
        keys.push(key.to_string());
    }
    Ok(keys)
}

/// How the pages of an entity set are named.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Paging {
    /// `<Entity>.json` when the set fits in one response, else `<Entity>-0001.json`, ...
    SingleUnlessPaged,
    /// Always `<Entity>-0001.json`, ... (the figures, which are usually paged).
    AlwaysNumbered,
}

/// An entity set as fetched.
struct Fetched {
    rows: u64,
    /// The records, kept for `DataProperties` only (the figures would take too much memory).
    records: Vec<serde_json::Value>,
}

struct Client<'a> {
    agent: ureq::Agent,
    opts: &'a FetchOptions,
    on_event: &'a mut dyn FnMut(FetchEvent),
}

/// A successful answer (2xx or 304) with the validators a later conditional request sends back.
struct Answer {
    status: u16,
    body: Vec<u8>,
    etag: Option<String>,
    last_modified: Option<String>,
}

/// One failed attempt.
struct Failure {
    retryable: bool,
    error: FetchError,
    /// A wait the service asked for (`Retry-After`), if any.
    wait: Option<Duration>,
}

impl Client<'_> {
    /// Fetches an entity set page by page, writing each page into `folder`.
    fn entity(
        &mut self,
        table_url: &str,
        entity: &str,
        folder: &Path,
        names: &mut Vec<String>,
        paging: Paging,
        total: Option<u64>,
    ) -> Result<Fetched, FetchError> {
        (self.on_event)(FetchEvent::Started { entity: entity.to_string() });
        let mut url = format!("{table_url}/{entity}?$format=json");
        let mut seen = HashSet::from([url.clone()]);
        let mut rows = 0u64;
        let mut records = Vec::new();
        let mut pages: Vec<String> = Vec::new();
        loop {
            let body = self.get(&url)?;
            let bad = |problem: String| FetchError::BadResponse { url: url.clone(), problem };
            let json: serde_json::Value =
                serde_json::from_slice(&body).map_err(|e| bad(format!("the body is not JSON: {e}")))?;
            let (page_records, next) = match json {
                serde_json::Value::Array(a) => (a, None),
                serde_json::Value::Object(mut o) => {
                    let next = o.remove("odata.nextLink");
                    match o.remove("value") {
                        Some(serde_json::Value::Array(a)) => (a, next),
                        _ => return Err(bad("the JSON object has no \"value\" array".to_string())),
                    }
                }
                _ => return Err(bad("the JSON is neither an array nor an object".to_string())),
            };
            let name = format!("{entity}-{:04}.json", pages.len() + 1);
            let path = folder.join(&name);
            fs::write(&path, &body).map_err(io_error(&path))?;
            pages.push(name);
            rows += page_records.len() as u64;
            let page_empty = page_records.is_empty();
            if entity == "DataProperties" {
                records.extend(page_records);
            }
            (self.on_event)(FetchEvent::Page { entity: entity.to_string(), rows_so_far: rows, total });
            let next = match next {
                None | Some(serde_json::Value::Null) => break,
                Some(serde_json::Value::String(link)) => link,
                Some(other) => return Err(bad(format!("odata.nextLink is {other}, not a URL"))),
            };
            if !(next.starts_with("https://") || next.starts_with("http://")) {
                return Err(bad(format!("odata.nextLink '{next}' is not an absolute URL")));
            }
            // A page without rows that still links onwards, or a link to a page seen before, would page forever.
            if page_empty || !seen.insert(next.clone()) {
                return Err(FetchError::EndlessPaging { url: next });
            }
            url = next;
        }
        if paging == Paging::SingleUnlessPaged && pages.len() == 1 {
            let single = format!("{entity}.json");
            let (from, to) = (folder.join(&pages[0]), folder.join(&single));
            fs::rename(&from, &to).map_err(io_error(&to))?;
            pages[0] = single;
        }
        names.extend(pages);
        (self.on_event)(FetchEvent::Done { entity: entity.to_string(), rows });
        Ok(Fetched { rows, records })
    }

    /// The row count the service announces, for progress only: any failure gives `None`, without retries.
    fn count(&mut self, url: &str) -> Option<u64> {
        let response = self.agent.get(url).call().ok()?;
        let mut text = String::new();
        response.into_reader().take(64).read_to_string(&mut text).ok()?;
        text.trim().parse().ok()
    }

    /// GETs a URL, repeating retryable failures; the body as received.
    fn get(&mut self, url: &str) -> Result<Vec<u8>, FetchError> {
        self.get_with(url, &[]).map(|answer| answer.body)
    }

    /// GETs a URL with extra request headers, repeating retryable failures.
    fn get_with(&mut self, url: &str, headers: &[(&str, &str)]) -> Result<Answer, FetchError> {
        let attempts = self.opts.retries.saturating_add(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let failure = match self.attempt(url, attempt, headers) {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            if !failure.retryable || attempt >= attempts {
                return Err(failure.error);
            }
            (self.on_event)(FetchEvent::Retry { url: url.to_string(), attempt, error: short_error(&failure.error) });
            let delay = failure.wait.map_or(self.opts.retry_delay, |w| w.max(self.opts.retry_delay));
            std::thread::sleep(delay);
        }
    }

    fn attempt(&self, url: &str, attempt: u32, headers: &[(&str, &str)]) -> Result<Answer, Failure> {
        let transport = |error: String, timed_out: bool, retryable: bool| Failure {
            retryable,
            error: FetchError::Transport { url: url.to_string(), error, timed_out, attempts: attempt },
            wait: None,
        };
        let mut request = self.agent.get(url);
        for (name, value) in headers {
            request = request.set(name, value);
        }
        match request.call() {
            Ok(response) => {
                let status = response.status();
                let etag = response.header("ETag").map(str::to_string);
                let last_modified = response.header("Last-Modified").map(str::to_string);
                let mut body = Vec::new();
                match response.into_reader().take(MAX_BODY_BYTES + 1).read_to_end(&mut body) {
                    Ok(_) if body.len() as u64 > MAX_BODY_BYTES => Err(Failure {
                        retryable: false,
                        error: FetchError::BadResponse {
                            url: url.to_string(),
                            problem: format!("the body is larger than {MAX_BODY_BYTES} bytes"),
                        },
                        wait: None,
                    }),
                    Ok(_) => Ok(Answer { status, body, etag, last_modified }),
                    Err(e) => {
                        let timed_out = matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock);
                        Err(transport(format!("reading the response: {e}"), timed_out, true))
                    }
                }
            }
            Err(ureq::Error::Status(status, response)) => {
                let reason = response.status_text().to_string();
                let wait = response
                    .header("Retry-After")
                    .and_then(|s| s.trim().parse::<u64>().ok())
                    .filter(|&s| s <= 300)
                    .map(Duration::from_secs);
                let mut excerpt = String::new();
                // An excerpt of the error body: CBS explains errors there ("odata.error").
                let _ = response.into_reader().take(2000).read_to_string(&mut excerpt);
                let body: String = excerpt.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(200).collect();
                Err(Failure {
                    retryable: status == 429 || (500..=599).contains(&status),
                    error: FetchError::Status { url: url.to_string(), status, reason, body, attempts: attempt },
                    wait,
                })
            }
            Err(ureq::Error::Transport(t)) => {
                let timed_out = std::error::Error::source(&t)
                    .and_then(|s| s.downcast_ref::<io::Error>())
                    .is_some_and(|e| matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock));
                // A malformed URL or proxy setting fails the same way every time.
                let retryable = !matches!(
                    t.kind(),
                    ureq::ErrorKind::InvalidUrl
                        | ureq::ErrorKind::UnknownScheme
                        | ureq::ErrorKind::InvalidProxyUrl
                        | ureq::ErrorKind::InsecureRequestHttpsOnly
                        | ureq::ErrorKind::ProxyUnauthorized
                );
                // ureq's own text repeats the URL, which the message already names.
                let mut text = t.kind().to_string();
                if let Some(message) = t.message() {
                    text.push_str(&format!(": {message}"));
                }
                if let Some(source) = std::error::Error::source(&t) {
                    text.push_str(&format!(": {source}"));
                }
                Err(transport(text, timed_out, retryable))
            }
        }
    }
}

/// A failure in a few words, for a retry event.
fn short_error(error: &FetchError) -> String {
    match error {
        FetchError::Status { status, reason, .. } => format!("HTTP {status} {reason}"),
        FetchError::Transport { error, timed_out: true, .. } => format!("timed out: {error}"),
        FetchError::Transport { error, .. } => error.clone(),
        other => other.to_string(),
    }
}

/// The hidden folder a download is written into; removed on drop unless committed, so an error or a panic
/// leaves nothing half-written behind.
struct Staging {
    path: PathBuf,
    committed: bool,
}

/// A name unique to this process and moment, for hidden sibling folders.
fn unique_suffix() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{}-{nanos}", std::process::id())
}

impl Staging {
    fn create(dest: &Path, table_id: &str) -> Result<Staging, FetchError> {
        let path = dest.join(format!(".{table_id}.partial-{}", unique_suffix()));
        fs::create_dir(&path).map_err(io_error(&path))?;
        Ok(Staging { path, committed: false })
    }

    /// Moves the download to `folder`, replacing an earlier download only now that the new one is complete.
    fn commit(mut self, folder: &Path) -> Result<(), FetchError> {
        if folder.exists() {
            let file_name = folder.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let old = folder.with_file_name(format!(".{file_name}.old-{}", unique_suffix()));
            fs::rename(folder, &old).map_err(io_error(folder))?;
            if let Err(error) = fs::rename(&self.path, folder) {
                // Put the earlier download back, so a failed replace loses nothing.
                let _ = fs::rename(&old, folder);
                return Err(FetchError::Io { path: folder.to_path_buf(), error });
            }
            // The new table is in place; an old copy that cannot be removed only costs space.
            let _ = fs::remove_dir_all(&old);
        } else {
            fs::rename(&self.path, folder).map_err(io_error(folder))?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_ids_are_checked() {
        for good in ["85984NED", "47018NED", "83474NED", "80305ENG", "7461bev"] {
            assert!(is_valid_table_id(good), "{good}");
        }
        for bad in ["", "8598", "../85984NED", "85984NED/x", "85984 NED", "ABCDEFGHIJKLM", "85984NÉD"] {
            assert!(!is_valid_table_id(bad), "{bad}");
        }
    }

    #[test]
    fn dimension_keys_are_plain_names() {
        let records: Vec<serde_json::Value> = serde_json::from_str(
            r#"[{"Type": "Dimension", "Key": "SoortMisdrijf"}, {"Type": "GeoDetail", "Key": "WijkenEnBuurten"},
                {"Type": "TimeDimension", "Key": "Perioden"}, {"Type": "Topic", "Key": "GeregistreerdeMisdrijven_1"},
                {"Type": "TopicGroup", "Key": ""}]"#,
        )
        .unwrap();
        assert_eq!(dimension_keys(&records, "u").unwrap(), ["SoortMisdrijf", "WijkenEnBuurten", "Perioden"]);
        let evil: Vec<serde_json::Value> = serde_json::from_str(r#"[{"Type": "Dimension", "Key": "../x"}]"#).unwrap();
        assert!(dimension_keys(&evil, "u").is_err());
    }
}
