//! Who may do what in wijkmonitor. The roles, the one authorisation function every page, form and API call goes
//! through ([`allows`]), password hashing with Argon2id, random session/API/CSRF tokens (stored only as SHA-256
//! hashes), and the sign-in policy (lock-out after repeated failures, a limit per client, session expiry).
//!
//! No IO and no clock: callers pass the current time in seconds since 1970, so expiry and lock-out are tested
//! without waiting. The rules are deliberately a single `match` so the whole matrix can be read, and tested, in
//! one place.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::collections::BTreeSet;

/// The roles of signed-in users. Anonymous visitors are the public and have no role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Fills in the request of one or more focus areas and reads their unpublished figures.
    AreaEditor,
    /// Works on all areas: opens request rounds, reviews, keeps the programme register, publishes.
    Analyst,
    /// Manages accounts (and can do what an analyst can).
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::AreaEditor, Role::Analyst, Role::Admin];

    /// As stored: `area_editor`, `analyst`, `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::AreaEditor => "area_editor",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    /// Parses the stored form and the command-line form (`area-editor`).
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "area_editor" | "area-editor" => Some(Role::AreaEditor),
            "analyst" => Some(Role::Analyst),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn name_nl(self) -> &'static str {
        match self {
            Role::AreaEditor => "gebiedsredacteur",
            Role::Analyst => "programma-analist",
            Role::Admin => "beheerder",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Role::AreaEditor => "area editor",
            Role::Analyst => "programme analyst",
            Role::Admin => "administrator",
        }
    }
}

/// Who is asking: the public, or a signed-in user with a role and (for area editors) their areas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Public,
    User { id: i64, email: String, role: Role, areas: BTreeSet<String> },
}

impl Principal {
    pub fn role(&self) -> Option<Role> {
        match self {
            Principal::Public => None,
            Principal::User { role, .. } => Some(*role),
        }
    }

    /// The name written in the audit log.
    pub fn actor(&self) -> String {
        match self {
            Principal::Public => "public".into(),
            Principal::User { email, role, .. } => format!("{email} ({})", role.as_str()),
        }
    }

    fn is_staff(&self) -> bool {
        matches!(self.role(), Some(Role::Analyst | Role::Admin))
    }

    fn edits(&self, area: &str) -> bool {
        matches!(self, Principal::User { role: Role::AreaEditor, areas, .. } if areas.contains(area))
    }
}

/// Everything that is authorised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission<'a> {
    /// Published figures: the dashboard, its twins and the open API.
    ReadPublished,
    /// The signed-in workspace's start page.
    Workspace,
    /// An area's request answers, status, comments and unpublished figures.
    ReadRequest(&'a str),
    /// Saving, submitting and uploading an area's answers.
    EditRequest(&'a str),
    /// The status of every area in a round.
    ReadAllStatuses,
    /// Opening a request round.
    OpenRound,
    /// Returning, accepting and reopening a submission.
    Review,
    /// Publishing accepted figures (recomputing the dashboard).
    Publish,
    /// An area's programme register.
    ReadRegister(&'a str),
    /// Changing the programme register (every change is audited).
    EditRegister,
    /// The audit log and its export.
    ReadAudit,
    /// Listing and disabling accounts.
    ManageUsers,
}

/// Whether `who` may do `what`. The only authorisation rule in wijkmonitor.
pub fn allows(who: &Principal, what: Permission<'_>) -> bool {
    match what {
        Permission::ReadPublished => true,
        Permission::Workspace => who.role().is_some(),
        Permission::ReadRequest(area) | Permission::ReadRegister(area) => who.is_staff() || who.edits(area),
        // Analysts review what areas submit; they do not fill it in themselves, so a review stays a review.
        Permission::EditRequest(area) => who.edits(area),
        Permission::ReadAllStatuses
        | Permission::OpenRound
        | Permission::Review
        | Permission::Publish
        | Permission::EditRegister
        | Permission::ReadAudit => who.is_staff(),
        Permission::ManageUsers => who.role() == Some(Role::Admin),
    }
}

/// Why a password or hash could not be handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessError(pub String);

impl std::fmt::Display for AccessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AccessError {}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Hashes a password with Argon2id (the crate's defaults: 19 MiB, 2 passes, as OWASP recommends) and a random
/// salt, in PHC string form.
pub fn hash_password(password: &str) -> Result<String, AccessError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccessError(format!("a password needs at least {MIN_PASSWORD_CHARS} characters")));
    }
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| AccessError(format!("no randomness for a salt: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AccessError(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccessError(format!("cannot hash the password: {e}")))
}

/// Whether `password` matches a stored hash. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash to verify against when the account does not exist, so that a wrong email takes as long as a wrong
/// password and does not reveal which accounts exist.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$p4Qc8Y9qUhhpLtbCzHgDZRPBgU2mpPSHxPzE5qfFcU4";

/// A new random token (256 bits, URL-safe base64 without padding), with a prefix saying what it is for.
pub fn new_token(prefix: &str) -> Result<String, AccessError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| AccessError(format!("no randomness for a token: {e}")))?;
    Ok(format!("{prefix}{}", base64url(&bytes)))
}

/// The SHA-256 of a token as stored: a stolen database does not contain usable tokens.
pub fn token_hash(token: &str) -> String {
    wijkmonitor_model::hash::sha256_hex(token.as_bytes())
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// The sign-in and session policy. The defaults follow common guidance (OWASP): a short idle timeout for a
/// tool that changes official figures, and a lock-out that slows guessing without locking people out for long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// A session ends after this many seconds without a request.
    pub idle_timeout: i64,
    /// And after this many seconds in any case.
    pub absolute_timeout: i64,
    /// Consecutive failed sign-ins after which an account is locked.
    pub lock_after: u32,
    /// How long a lock lasts (seconds).
    pub lock_seconds: i64,
    /// Failed sign-ins one client may make within `client_window` seconds before it is refused outright.
    pub client_limit: u32,
    pub client_window: i64,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            idle_timeout: 30 * 60,
            absolute_timeout: 12 * 60 * 60,
            lock_after: 5,
            lock_seconds: 15 * 60,
            client_limit: 20,
            client_window: 15 * 60,
        }
    }
}

impl Policy {
    /// Whether a session created at `created` and last used at `last_seen` is still valid at `now`.
    pub fn session_valid(&self, created: i64, last_seen: i64, now: i64) -> bool {
        now - last_seen < self.idle_timeout && now - created < self.absolute_timeout && now >= created
    }

    /// After a failed sign-in that brought an account to `failures` consecutive failures: until when it is locked.
    pub fn lock_until(&self, failures: u32, now: i64) -> Option<i64> {
        (failures >= self.lock_after).then_some(now + self.lock_seconds)
    }

    /// Whether a client with `recent_failures` failures in the window may try again.
    pub fn client_allowed(&self, recent_failures: u32) -> bool {
        recent_failures < self.client_limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, areas: &[&str]) -> Principal {
        Principal::User {
            id: 1,
            email: "x@example.org".into(),
            role,
            areas: areas.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn the_authorisation_matrix() {
        let public = Principal::Public;
        let editor = user(Role::AreaEditor, &["heerlen-noord"]);
        let analyst = user(Role::Analyst, &[]);
        let admin = user(Role::Admin, &[]);
        let own = "heerlen-noord";
        let other = "den-haag-zuidwest";
        use Permission::*;
        // (permission, public, editor, analyst, admin)
        let matrix: Vec<(Permission, [bool; 4])> = vec![
            (ReadPublished, [true, true, true, true]),
            (Workspace, [false, true, true, true]),
            (ReadRequest(own), [false, true, true, true]),
            (ReadRequest(other), [false, false, true, true]),
            (EditRequest(own), [false, true, false, false]),
            (EditRequest(other), [false, false, false, false]),
            (ReadAllStatuses, [false, false, true, true]),
            (OpenRound, [false, false, true, true]),
            (Review, [false, false, true, true]),
            (Publish, [false, false, true, true]),
            (ReadRegister(own), [false, true, true, true]),
            (ReadRegister(other), [false, false, true, true]),
            (EditRegister, [false, false, true, true]),
            (ReadAudit, [false, false, true, true]),
            (ManageUsers, [false, false, false, true]),
        ];
        for (perm, expected) in matrix {
            for (who, want) in [&public, &editor, &analyst, &admin].into_iter().zip(expected) {
                assert_eq!(allows(who, perm), want, "{who:?} {perm:?}");
            }
        }
    }

    #[test]
    fn passwords() {
        assert!(hash_password("short").is_err());
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterx", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert!(!verify_password("anything", DUMMY_HASH));
        assert!(PasswordHash::new(DUMMY_HASH).is_ok(), "the dummy hash must be a valid hash, or it would be fast");
    }

    #[test]
    fn tokens() {
        let a = new_token("wm_").unwrap();
        let b = new_token("wm_").unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 3 + 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &b));
        assert_eq!(base64url(b"\xff\xff\xff"), "____");
        assert_eq!(base64url(b"Ma"), "TWE");
    }

    #[test]
    fn policy() {
        let p = Policy::default();
        assert!(p.session_valid(0, 0, 60));
        assert!(!p.session_valid(0, 0, 30 * 60), "idle");
        assert!(!p.session_valid(0, 12 * 3600 - 10, 12 * 3600), "absolute");
        assert_eq!(p.lock_until(4, 100), None);
        assert_eq!(p.lock_until(5, 100), Some(100 + 900));
        assert!(p.client_allowed(19));
        assert!(!p.client_allowed(20));
    }
}
