//! Form bodies: `application/x-www-form-urlencoded` and `multipart/form-data` (the Excel upload). Written here
//! rather than taken from a crate because the workspace needs only these two small parsers on bodies already
//! read into memory (at most [`super::MAX_BODY`]).

use super::WorkRequest;

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

/// The pairs of a urlencoded text, in order (a name may repeat).
pub fn parse_urlencoded(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    (from..=haystack.len() - needle.len()).find(|&i| &haystack[i..i + needle.len()] == needle)
}

fn header_param(header: &str, name: &str) -> Option<String> {
    header.split(';').map(str::trim).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(name)).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Splits a multipart body by the boundary of its content type. Returns `None` for a body that is not
/// well-formed multipart.
pub fn parse_multipart(content_type: &str, body: &[u8]) -> Option<Vec<Part>> {
    if !content_type.to_ascii_lowercase().starts_with("multipart/form-data") {
        return None;
    }
    let boundary = header_param(content_type, "boundary")?;
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut pos = find(body, &delimiter, 0)? + delimiter.len();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            return Some(parts);
        }
        // Skip the line break after the delimiter.
        pos = find(body, b"\r\n", pos)? + 2;
        let headers_end = find(body, b"\r\n\r\n", pos)?;
        let headers = String::from_utf8_lossy(&body[pos..headers_end]).into_owned();
        let data_start = headers_end + 4;
        let mut end_marker = b"\r\n".to_vec();
        end_marker.extend_from_slice(&delimiter);
        let data_end = find(body, &end_marker, data_start)?;
        let disposition = headers.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
        parts.push(Part {
            name: header_param(disposition, "name")?,
            filename: header_param(disposition, "filename"),
            data: body[data_start..data_end].to_vec(),
        });
        pos = data_end + end_marker.len();
    }
}

/// A text field of the request body, urlencoded or multipart.
pub fn field(req: &WorkRequest, name: &str) -> Option<String> {
    if req.content_type.to_ascii_lowercase().starts_with("multipart/form-data") {
        return parse_multipart(&req.content_type, &req.body)?
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
    }

    #[test]
    fn multipart() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\r\n\x02\r\n--XyZ--\r\n";
        let parts = parse_multipart("multipart/form-data; boundary=XyZ", body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), parts[0].data.as_slice()), ("csrf", b"tok".as_slice()));
        assert_eq!(parts[1].filename.as_deref(), Some("a.xlsx"));
        assert_eq!(parts[1].data, b"\x00\x01\r\n\x02");
        assert!(parse_multipart("multipart/form-data; boundary=XyZ", b"garbage").is_none());
        assert!(parse_multipart("text/plain", body).is_none());
    }
}
