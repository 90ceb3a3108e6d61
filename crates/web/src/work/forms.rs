//! Form bodies: `application/x-www-form-urlencoded` and `multipart/form-data` (the Excel upload), and query
//! strings. Written here rather than taken from a crate because the workspace needs only these small parsers on
//! bodies already read into memory (within the route's limit, [`crate::routes::Body::limit`]).
//!
//! Both parsers run in time linear in their input: a multipart boundary is at most 70 characters (RFC 2046)
//! and is searched for with `memchr`'s substring search, never by comparing at every offset; the number of
//! fields is capped.

use super::WorkRequest;
use crate::error::Problem;
use memchr::memmem;

/// The most fields (or query parameters) one form or query may have: a request form has about 60.
pub const MAX_FIELDS: usize = 1_000;
/// The most parts of a multipart body (the upload form has two).
pub const MAX_PARTS: usize = 16;
/// The longest boundary RFC 2046 allows.
pub const MAX_BOUNDARY: usize = 70;

/// Decodes `%XX` and `+` in a form or query value.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The pairs of a urlencoded text, in order (a name may repeat), at most [`MAX_FIELDS`] of them (the rest is
/// ignored; [`form_fields`] refuses a form with more).
pub fn parse_urlencoded(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .take(MAX_FIELDS)
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// The fields of a posted form. Every form posts urlencoded (the upload has its own route); another encoding
/// would read as an empty form, and an empty request form would clear the answers, so it is refused, as is a
/// form with more than [`MAX_FIELDS`] fields.
pub fn form_fields(req: &WorkRequest) -> Result<Vec<(String, String)>, Problem> {
    let urlencoded = req.content_type.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded");
    if !urlencoded && !req.body.is_empty() {
        return Err(Problem::BadRequest("forms are sent as application/x-www-form-urlencoded".into()));
    }
    let text = String::from_utf8_lossy(&req.body);
    if text.split('&').filter(|p| !p.is_empty()).nth(MAX_FIELDS).is_some() {
        return Err(Problem::BadRequest(format!("a form has at most {MAX_FIELDS} fields")));
    }
    Ok(parse_urlencoded(&text))
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

fn header_param(header: &str, name: &str) -> Option<String> {
    header.split(';').map(str::trim).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(name)).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The boundary of a multipart content type, checked against RFC 2046: 1-70 characters from its alphabet.
fn boundary(content_type: &str) -> Result<String, String> {
    if !content_type.to_ascii_lowercase().starts_with("multipart/form-data") {
        return Err("the content type is not multipart/form-data".into());
    }
    let b = header_param(content_type, "boundary").ok_or("the content type names no boundary")?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || "'()+_,-./:=? ".contains(c);
    if b.is_empty() || b.len() > MAX_BOUNDARY || !b.chars().all(allowed) || b.ends_with(' ') {
        return Err(format!("the boundary must be 1 to {MAX_BOUNDARY} characters of RFC 2046's alphabet"));
    }
    Ok(b)
}

/// Splits a multipart body by the boundary of its content type, in time linear in the body.
pub fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Vec<Part>, String> {
    let boundary = boundary(content_type)?;
    let delimiter = format!("--{boundary}").into_bytes();
    let mut end_marker = b"\r\n".to_vec();
    end_marker.extend_from_slice(&delimiter);
    let first = memmem::Finder::new(&delimiter);
    let next = memmem::Finder::new(&end_marker);
    let crlf = memmem::Finder::new(b"\r\n");
    let blank = memmem::Finder::new(b"\r\n\r\n");
    let truncated = || "the body ends before its closing boundary".to_string();
    let mut parts = Vec::new();
    let mut pos = first.find(body).ok_or("the body does not start with its boundary")? + delimiter.len();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            return Ok(parts);
        }
        if parts.len() == MAX_PARTS {
            return Err(format!("a form has at most {MAX_PARTS} parts"));
        }
        // Skip the line break after the delimiter.
        pos += crlf.find(body.get(pos..).ok_or_else(truncated)?).ok_or_else(truncated)? + 2;
        let headers_end = pos + blank.find(body.get(pos..).ok_or_else(truncated)?).ok_or_else(truncated)?;
        let headers = String::from_utf8_lossy(&body[pos..headers_end]).into_owned();
        let data_start = headers_end + 4;
        let data_end = data_start + next.find(body.get(data_start..).ok_or_else(truncated)?).ok_or_else(truncated)?;
        let disposition = headers
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
            .ok_or("a part has no Content-Disposition")?;
        parts.push(Part {
            name: header_param(disposition, "name").ok_or("a part has no name")?,
            filename: header_param(disposition, "filename"),
            data: body[data_start..data_end].to_vec(),
        });
        pos = data_end + end_marker.len();
    }
}

/// A text field of the request body, urlencoded or multipart.
pub fn field(req: &WorkRequest, name: &str) -> Option<String> {
    if req.content_type.to_ascii_lowercase().starts_with("multipart/form-data") {
        return parse_multipart(&req.content_type, &req.body)
            .ok()?
            .into_iter()
            .find(|p| p.name == name && p.filename.is_none())
            .map(|p| String::from_utf8_lossy(&p.data).into_owned());
    }
    parse_urlencoded(&String::from_utf8_lossy(&req.body)).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencoded() {
        assert_eq!(
            parse_urlencoded("a=1&v%3Ax=12%2C5&e=hello+world&empty="),
            [("a", "1"), ("v:x", "12,5"), ("e", "hello world"), ("empty", "")]
                .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        assert_eq!(percent_decode("50%"), "50%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("den%2Dhaag+x"), "den-haag x");
        let many = "a=1&".repeat(5_000);
        assert_eq!(parse_urlencoded(&many).len(), MAX_FIELDS);
    }

    #[test]
    fn multipart() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\r\n\x02\r\n--XyZ--\r\n";
        let parts = parse_multipart("multipart/form-data; boundary=XyZ", body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), parts[0].data.as_slice()), ("csrf", b"tok".as_slice()));
        assert_eq!(parts[1].filename.as_deref(), Some("a.xlsx"));
        assert_eq!(parts[1].data, b"\x00\x01\r\n\x02");
        assert!(parse_multipart("multipart/form-data; boundary=XyZ", b"garbage").is_err());
        assert!(parse_multipart("text/plain", body).is_err());
        assert!(parse_multipart("multipart/form-data; boundary=XyZ", &body[..40]).is_err(), "truncated");
    }

    /// A review found that a boundary of about 200,000 characters made the old parser spend seconds of CPU
    /// (a quadratic search) before any authentication. Such a boundary is refused outright, and a body full of
    /// near-boundaries is parsed in linear time.
    #[test]
    fn a_long_boundary_is_refused_and_parsing_is_linear() {
        let long = "a".repeat(200_000);
        let e = parse_multipart(&format!("multipart/form-data; boundary={long}"), b"x").unwrap_err();
        assert!(e.contains("70"), "{e}");
        assert!(parse_multipart(&format!("multipart/form-data; boundary={}", "b".repeat(71)), b"x").is_err());
        assert!(parse_multipart("multipart/form-data; boundary=\"a\tb\"", b"x").is_err());
        // 5 MB of text that almost matches a 70-character boundary everywhere.
        let boundary = "c".repeat(70);
        let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n").into_bytes();
        body.extend(std::iter::repeat_n(b'c', 5_000_000));
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let parts = parse_multipart(&format!("multipart/form-data; boundary={boundary}"), &body).unwrap();
        assert_eq!(parts[0].data.len(), 5_000_000);
    }
}
