//! Authentication: who sent a request (a session cookie, an API token, or nobody), signing in and out, and CSRF.
//!
//! - Sessions: a random 256-bit token in an HttpOnly, SameSite=Strict, Secure cookie; the database keeps only its
//!   SHA-256 with the session's CSRF token. A session ends after the idle or the absolute timeout of the policy.
//! - Sign-in: Argon2id verification; an unknown email is verified against a dummy hash so it takes as long as a
//!   wrong password. After `lock_after` consecutive failures the account is locked for a while, and a client
//!   with too many recent failures is refused before any password is checked.
//! - The sign-in form has no session yet, so it is protected by a double-submit token (a cookie and a hidden
//!   field that must match); every other form carries the session's CSRF token.

use super::forms;
use super::{Work, WorkRequest, WorkResponse};
use crate::error::Problem;
use crate::i18n::Lang;
use crate::metrics::Metrics;
use axum::http::{header, StatusCode};
use wijkmonitor_access::{constant_time_eq, new_token, token_hash, verify_password, Principal, Role, DUMMY_HASH};
use wijkmonitor_store::accounts::{Attempt, NewSession, SignInLimits, User};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "wm_session";
/// The sign-in form's double-submit cookie.
pub const SIGN_IN_COOKIE: &str = "wm_signin";

/// Who a request comes from.
#[derive(Debug, Clone)]
pub struct Session {
    pub principal: Principal,
    /// The hash of the session token when the request came with a valid session cookie.
    pub cookie: Option<String>,
    /// The session's CSRF token (empty without a session).
    pub csrf: String,
    /// A session cookie came with the request but its session had ended.
    pub expired: bool,
}

impl Session {
    fn public() -> Session {
        Session { principal: Principal::Public, cookie: None, csrf: String::new(), expired: false }
    }
}

pub(crate) fn principal_of(user: &User) -> Option<Principal> {
    if user.disabled {
        return None;
    }
    Some(Principal::User {
        id: user.id,
        email: user.email.clone(),
        role: Role::parse(&user.role)?,
        areas: user.areas.clone(),
    })
}

/// Finds out who sent the request. A bad API token is an error (a script should hear that its token is wrong);
/// an ended session just makes the request anonymous, with `expired` set so the page can say why.
pub fn authenticate(work: &Work, req: &WorkRequest) -> Result<Session, Problem> {
    let store = work.store();
    if let Some(auth) = &req.authorization {
        let token = auth.strip_prefix("Bearer ").map(str::trim).unwrap_or("");
        let user = store
            .api_token_user(&token_hash(token))
            .map_err(Problem::internal)?
            .and_then(|id| store.user(id).ok().flatten())
            .and_then(|u| principal_of(&u));
        if user.is_some() {
            store.touch_api_token(&token_hash(token), work.clock.now()).map_err(Problem::internal)?;
        }
        return match user {
            Some(principal) => Ok(Session { principal, cookie: None, csrf: String::new(), expired: false }),
            None => Err(Problem::Unauthorized("the API token is not valid (unknown, revoked or disabled)".into())),
        };
    }
    let Some(token) = req.cookie(SESSION_COOKIE).filter(|t| !t.is_empty()) else {
        return Ok(Session::public());
    };
    let hash = token_hash(token);
    let now = work.clock.now();
    let Some(row) = store.session(&hash).map_err(Problem::internal)? else {
        return Ok(Session { expired: true, ..Session::public() });
    };
    if !work.policy.session_valid(row.created_at, row.last_seen, now) {
        store.end_session(&hash).map_err(Problem::internal)?;
        return Ok(Session { expired: true, ..Session::public() });
    }
    let Some(principal) = store.user(row.user_id).map_err(Problem::internal)?.and_then(|u| principal_of(&u)) else {
        store.end_session(&hash).map_err(Problem::internal)?;
        return Ok(Session { expired: true, ..Session::public() });
    };
    // A write per request would put every page view in the database's write queue; a minute's precision is
    // plenty for a 30-minute idle timeout.
    if now - row.last_seen >= 60 {
        store.touch_session(&hash, now).map_err(Problem::internal)?;
    }
    Ok(Session { principal, cookie: Some(hash), csrf: row.csrf, expired: false })
}

/// Checks the CSRF token of a state-changing request made with a session cookie.
pub fn check_csrf(req: &WorkRequest, session: &Session) -> Result<(), Problem> {
    let sent = match &req.csrf_header {
        Some(h) => Some(h.clone()),
        None => forms::field(req, "csrf"),
    };
    match sent {
        Some(token) if !session.csrf.is_empty() && constant_time_eq(&token, &session.csrf) => Ok(()),
        _ => Err(Problem::Forbidden(
            "the form has expired or did not come from this site (CSRF check); reload the page and try again".into(),
        )),
    }
}

fn cookie(work: &Work, name: &str, value: &str, max_age: i64) -> String {
    let secure = if work.secure_cookies { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// Where to go after signing in: only a path on this site, never another host.
fn safe_next(next: Option<String>) -> String {
    // Visible ASCII only: browsers drop tabs and newlines from URLs, so `/<TAB>/evil.example` would become
    // `//evil.example`, another host.
    next.filter(|n| {
        n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.bytes().all(|b| b.is_ascii_graphic())
    })
    .unwrap_or_else(|| "/werk".into())
}

/// The sign-in page, with a fresh double-submit token.
pub fn sign_in_page(work: &Work, req: &WorkRequest, error: Option<(&str, &str)>) -> Result<WorkResponse, Problem> {
    let lang = req.lang();
    // A sign-in page open in another tab keeps working: the token of the browser's cookie is reused.
    let existing = req.cookie(SIGN_IN_COOKIE).filter(|t| t.starts_with("s_") && t.len() == 45).map(str::to_string);
    let token = existing.map_or_else(|| new_token("s_"), Ok).map_err(Problem::internal)?;
    let next = safe_next(req.param("next").or_else(|| forms::field(req, "next")));
    let expired = req.param("verlopen").is_some();
    let status = if error.is_some() { StatusCode::UNAUTHORIZED } else { StatusCode::OK };
    let body = super::pages::sign_in::page(lang, &token, &next, error, expired);
    Ok(WorkResponse::html(status, body).with_header(header::SET_COOKIE, cookie(work, SIGN_IN_COOKIE, &token, 3600)))
}

enum Outcome {
    SignedIn(String),
    Failed(&'static str, &'static str),
}

/// Handles the sign-in form. Failures are counted in `metrics`.
pub fn sign_in(work: &Work, req: &WorkRequest, metrics: &Metrics) -> Result<WorkResponse, Problem> {
    let lang = req.lang();
    let fields = forms::form_fields(req)?;
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let (email, password, csrf) = (get("email").trim().to_string(), get("password"), get("csrf"));
    let cookie_token = req.cookie(SIGN_IN_COOKIE).unwrap_or("");
    if cookie_token.is_empty() || !constant_time_eq(cookie_token, &csrf) {
        return Err(Problem::Forbidden(
            "the sign-in form has expired or did not come from this site; reload the page and try again".into(),
        ));
    }
    let now = work.clock.now();
    let policy = &work.policy;
    let limits = SignInLimits {
        client_limit: policy.client_limit,
        client_window: policy.client_window,
        lock_after: policy.lock_after,
        lock_seconds: policy.lock_seconds,
    };
    let result = (|| -> Result<Outcome, Problem> {
        // The attempt is counted (for the client and the account) before the password is checked, in one
        // transaction, so concurrent guesses cannot slip past the limits.
        let attempt = work.store().begin_sign_in(&req.client, &email, now, &limits).map_err(Problem::internal)?;
        // One answer for every failure (unknown account, wrong password, locked, disabled), and always a full
        // Argon2id check, so neither the text nor the time tells which accounts exist. The password check runs
        // without the database lock, so other requests do not wait for it.
        let wrong = Outcome::Failed(
            "Onjuist e-mailadres of wachtwoord, of het account is tijdelijk geblokkeerd na herhaalde mislukte \
             pogingen (probeer het dan over een kwartier opnieuw).",
            "Wrong email address or password, or the account is locked for a while after repeated failed attempts \
             (then try again in a quarter of an hour).",
        );
        let (user, hash, attempt) = match attempt {
            Attempt::ClientLimited => {
                return Err(Problem::TooManyRequests(
                    "too many failed sign-ins from this address; wait a quarter of an hour".into(),
                ))
            }
            Attempt::Refused => {
                let _ = verify_password(&password, DUMMY_HASH);
                return Ok(wrong);
            }
            Attempt::Check { user, hash, attempt } => (user, hash, attempt),
        };
        if !verify_password(&password, &hash) {
            let mut store = work.store();
            store.sign_in_failed(user.id, &req.client, now).map_err(Problem::internal)?;
            if store.user(user.id).ok().flatten().is_some_and(|u| u.locked_until.is_some_and(|t| t > now)) {
                eprintln!("sign-in: account {} locked after repeated failures", user.id);
            }
            return Ok(wrong);
        }
        let token = new_token("wms_").map_err(|e| Problem::Internal(e.to_string()))?;
        let csrf = new_token("c_").map_err(|e| Problem::Internal(e.to_string()))?;
        let session = NewSession {
            token_hash: &token_hash(&token),
            csrf: &csrf,
            now,
            expires_at: now + work.policy.absolute_timeout,
        };
        work.store().sign_in_succeeded(attempt, user.id, &req.client, &session).map_err(Problem::internal)?;
        Ok(Outcome::SignedIn(token))
    })();
    if !matches!(result, Ok(Outcome::SignedIn(_))) {
        metrics.sign_in_failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    match result {
        Ok(Outcome::SignedIn(token)) => {
            let next = safe_next(Some(get("next")));
            let to = if lang == Lang::En && !next.contains("lang=") { lang.href(&next) } else { next };
            Ok(WorkResponse::redirect(&to)
                .with_header(header::SET_COOKIE, cookie(work, SESSION_COOKIE, &token, work.policy.absolute_timeout))
                .with_header(header::SET_COOKIE, cookie(work, SIGN_IN_COOKIE, "", 0)))
        }
        Ok(Outcome::Failed(nl, en)) => sign_in_page(work, req, Some((nl, en))),
        Err(problem) => Err(problem),
    }
}

/// Ends the session of the request.
pub fn sign_out(work: &Work, req: &WorkRequest, session: &Session) -> Result<WorkResponse, Problem> {
    if let Some(hash) = &session.cookie {
        work.store().end_session(hash).map_err(Problem::internal)?;
    }
    Ok(WorkResponse::redirect(&req.lang().href("/"))
        .with_header(header::SET_COOKIE, cookie(work, SESSION_COOKIE, "", 0)))
}
