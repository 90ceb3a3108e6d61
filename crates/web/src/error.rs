//! The one error type of the web layer and its one envelope.
//!
//! Every refusal, public or signed-in, is a [`Problem`]. It is answered as
//! `{"error": {"status", "code", "message", ...}}` to clients that want JSON (the API, twins, `Accept:
//! application/json`), as a page in the site's shell to browsers, and, for a browser that is not signed in where
//! it must be, as a redirect to the sign-in page that comes back afterwards. Internals never reach a message:
//! an internal error is logged with the request id and answered with that id only.

use crate::i18n::Lang;
use crate::routes::Verb;
use axum::http::StatusCode;
use serde::Serialize;
use wijkmonitor_request::workbook::CellError;
use wijkmonitor_request::FieldError;

/// The most field errors one answer lists (the rest are counted), so that a request with 200,000 unknown items
/// gets a short answer, not a 51 MB one.
pub const MAX_FIELD_ERRORS: usize = 50;

/// Why a request was not done.
#[derive(Debug, Clone)]
pub enum Problem {
    /// Not signed in (or the session ended), or a wrong API token.
    Unauthorized(String),
    Forbidden(String),
    NotFound(String),
    /// The path exists with these methods only.
    MethodNotAllowed(Vec<Verb>),
    BadRequest(String),
    /// The body is larger than the route accepts (the limit in bytes).
    TooLarge(usize),
    /// The body did not arrive in time.
    Timeout,
    /// The rules of the request do not allow it now (a deadline, a status).
    Refused {
        nl: String,
        en: String,
    },
    /// Answers that do not validate, by field.
    Invalid(Vec<FieldError>),
    /// An upload that cannot be applied, by cell.
    Upload(Vec<CellError>),
    TooManyRequests(String),
    /// The server is at capacity; try again after the given seconds.
    Busy(u32),
    Internal(String),
}

#[derive(Serialize)]
struct Cell<'a> {
    cell: &'a Option<String>,
    message_nl: &'a str,
    message_en: &'a str,
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    status: u16,
    code: &'static str,
    message: String,
    /// The request id, also in the log line of the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a [FieldError]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    omitted_fields: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cells: Option<Vec<Cell<'a>>>,
}

impl Problem {
    pub fn internal(e: impl std::fmt::Display) -> Problem {
        Problem::Internal(e.to_string())
    }

    pub fn not_found(message: impl Into<String>) -> Problem {
        Problem::NotFound(message.into())
    }

    pub fn bad_request(message: impl Into<String>) -> Problem {
        Problem::BadRequest(message.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Problem::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Problem::Forbidden(_) => StatusCode::FORBIDDEN,
            Problem::NotFound(_) => StatusCode::NOT_FOUND,
            Problem::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Problem::BadRequest(_) => StatusCode::BAD_REQUEST,
            Problem::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Problem::Timeout => StatusCode::REQUEST_TIMEOUT,
            Problem::Refused { .. } => StatusCode::CONFLICT,
            Problem::Invalid(_) | Problem::Upload(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Problem::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Problem::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Problem::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Problem::Unauthorized(_) => "unauthorized",
            Problem::Forbidden(_) => "forbidden",
            Problem::NotFound(_) => "not_found",
            Problem::MethodNotAllowed(_) => "method_not_allowed",
            Problem::BadRequest(_) => "bad_request",
            Problem::TooLarge(_) => "too_large",
            Problem::Timeout => "timeout",
            Problem::Refused { .. } => "refused",
            Problem::Invalid(_) => "invalid",
            Problem::Upload(_) => "invalid_upload",
            Problem::TooManyRequests(_) => "too_many_requests",
            Problem::Busy(_) => "busy",
            Problem::Internal(_) => "internal_error",
        }
    }

    /// The title of the error page.
    pub fn title(&self, lang: Lang) -> &'static str {
        match self.status() {
            StatusCode::NOT_FOUND => lang.t("Pagina niet gevonden", "Page not found"),
            StatusCode::BAD_REQUEST => lang.t("Ongeldig verzoek", "Bad request"),
            StatusCode::METHOD_NOT_ALLOWED => lang.t("Methode niet toegestaan", "Method not allowed"),
            StatusCode::FORBIDDEN => lang.t("Geen toegang", "No access"),
            StatusCode::CONFLICT => lang.t("Dit kan nu niet", "Not possible now"),
            StatusCode::TOO_MANY_REQUESTS => lang.t("Te veel pogingen", "Too many attempts"),
            StatusCode::SERVICE_UNAVAILABLE => lang.t("Even te druk", "Too busy for a moment"),
            _ => lang.t("Er ging iets mis", "Something went wrong"),
        }
    }

    /// The message in a language (internals are never shown: an internal error says only that it failed).
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Problem::Unauthorized(m)
            | Problem::Forbidden(m)
            | Problem::NotFound(m)
            | Problem::BadRequest(m)
            | Problem::TooManyRequests(m) => m.clone(),
            Problem::MethodNotAllowed(allowed) => format!(
                "this method is not supported here (use {})",
                allowed.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            ),
            Problem::TooLarge(limit) => format!("the request body is larger than {} KiB", limit / 1024),
            Problem::Timeout => "the request body did not arrive in time".into(),
            Problem::Refused { nl, en } => lang.t(nl, en).to_string(),
            Problem::Invalid(errors) => {
                let mut text = errors
                    .iter()
                    .take(MAX_FIELD_ERRORS)
                    .map(|e| format!("{}: {}", e.item, lang.t(&e.message_nl, &e.message_en)))
                    .collect::<Vec<_>>()
                    .join("; ");
                if errors.len() > MAX_FIELD_ERRORS {
                    text.push_str(&format!("; and {} more", errors.len() - MAX_FIELD_ERRORS));
                }
                text
            }
            Problem::Upload(errors) => errors
                .iter()
                .take(MAX_FIELD_ERRORS)
                .map(|e| {
                    let m = lang.t(&e.message_nl, &e.message_en);
                    e.cell.as_ref().map_or_else(|| m.to_string(), |c| format!("{c}: {m}"))
                })
                .collect::<Vec<_>>()
                .join("; "),
            Problem::Busy(_) => lang
                .t("de server heeft het even te druk; probeer het zo opnieuw", "the server is busy; try again shortly")
                .into(),
            Problem::Internal(_) => "the request could not be completed".into(),
        }
    }

    /// The JSON envelope.
    pub fn json(&self, request_id: Option<&str>) -> Vec<u8> {
        let (fields, omitted) = match self {
            Problem::Invalid(f) => (
                Some(&f[..f.len().min(MAX_FIELD_ERRORS)]),
                (f.len() > MAX_FIELD_ERRORS).then(|| f.len() - MAX_FIELD_ERRORS),
            ),
            _ => (None, None),
        };
        let cells = match self {
            Problem::Upload(cells) => Some(
                cells
                    .iter()
                    .take(MAX_FIELD_ERRORS)
                    .map(|c| Cell { cell: &c.cell, message_nl: &c.message_nl, message_en: &c.message_en })
                    .collect(),
            ),
            _ => None,
        };
        let envelope = Envelope {
            error: Body {
                status: self.status().as_u16(),
                code: self.code(),
                message: self.message(Lang::En),
                request_id,
                fields,
                omitted_fields: omitted,
                cells,
            },
        };
        serde_json::to_vec(&envelope).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_field_errors_give_a_short_answer() {
        let errors: Vec<FieldError> = (0..200_000)
            .map(|i| FieldError {
                item: format!("unknown_{i}"),
                code: "unknown_item",
                message_nl: "onbekende vraag".into(),
                message_en: "unknown item".into(),
            })
            .collect();
        let p = Problem::Invalid(errors);
        let body = p.json(Some("r1"));
        assert!(body.len() < 10_000, "{} bytes", body.len());
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["omitted_fields"], 200_000 - MAX_FIELD_ERRORS);
        assert_eq!(v["error"]["fields"].as_array().unwrap().len(), MAX_FIELD_ERRORS);
        assert!(p.message(Lang::Nl).len() < 5_000);
    }
}
