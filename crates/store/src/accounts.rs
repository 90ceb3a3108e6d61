//! Accounts, sessions, API tokens and failed sign-ins (migration 4). Only hashes are stored: the password as an
//! Argon2id PHC string, session and API tokens as their SHA-256. Times are seconds since 1970 passed in by the
//! caller, so expiry and lock-out can be tested without a clock. Every change to an account is written together
//! with its audit-log row in one transaction.

use crate::audit::{insert_audit, AuditEntry};
use crate::{Result, Store, StoreError};
use rusqlite::{params, OptionalExtension};
use std::collections::BTreeSet;

/// An account as stored (without its password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub email: String,
    /// `area_editor`, `analyst` or `admin`.
    pub role: String,
    pub areas: BTreeSet<String>,
    pub disabled: bool,
    pub created_at: String,
    pub failed_logins: u32,
    pub locked_until: Option<i64>,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub role: &'a str,
    pub areas: &'a [String],
    pub password_hash: &'a str,
    pub created_at: &'a str,
}

/// How long the sign-in history of an account is kept (90 days).
pub const HISTORY_SECONDS: i64 = 90 * 86_400;

/// The sign-in policy's limits, which [`Store::begin_sign_in`] applies in one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    /// Failed attempts one client may make within `client_window` seconds.
    pub client_limit: u32,
    pub client_window: i64,
    /// Consecutive failures after which an account is locked, for `lock_seconds`.
    pub lock_after: u32,
    pub lock_seconds: i64,
}

/// What to do with a sign-in attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The client has made too many failed attempts recently: refused before any password is checked.
    ClientLimited,
    /// No account, a disabled one or a locked one: the attempt fails whatever the password (the caller still
    /// checks one against a dummy hash, so the answer takes as long as any other).
    Refused,
    /// Check the password against `hash`; `attempt` is the counted attempt to take back if it is right.
    Check { user: User, hash: String, attempt: i64 },
}

/// A session to start.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub csrf: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

/// One sign-in of an account, for its owner's history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SignInEvent {
    /// Seconds since 1970.
    pub at: i64,
    pub client: String,
    /// `success`, `failure` or `locked` (tried while locked).
    pub outcome: String,
}

/// A session found by its token hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub user_id: i64,
    pub csrf: String,
    pub created_at: i64,
    pub last_seen: i64,
}

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        email: r.get(1)?,
        role: r.get(2)?,
        areas: BTreeSet::new(),
        disabled: r.get(3)?,
        created_at: r.get(4)?,
        failed_logins: r.get(5)?,
        locked_until: r.get(6)?,
    })
}

/// The id of the account with this email, or an error naming the email.
fn user_id(tx: &rusqlite::Transaction<'_>, email: &str) -> Result<i64> {
    let id: Option<i64> = tx.query_row("SELECT id FROM users WHERE email = ?1", [email], |r| r.get(0)).optional()?;
    id.ok_or_else(|| StoreError::Invalid(format!("no account for {email}")))
}

const USER_COLUMNS: &str = "id, email, role, disabled, created_at, failed_logins, locked_until";

impl Store {
    fn areas_of(&self, user_id: i64) -> Result<BTreeSet<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT area FROM user_areas WHERE user_id = ?1 ORDER BY area")?;
        let rows = stmt.query_map([user_id], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds an account. Refuses an email that already has one.
    pub fn add_user(&mut self, user: &NewUser<'_>, actor: &str) -> Result<i64> {
        let tx = self.conn.transaction()?;
        let exists: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM users WHERE email = ?1)", [user.email], |r| r.get(0))?;
        if exists {
            return Err(StoreError::Invalid(format!("there is already an account for {}", user.email)));
        }
        tx.execute(
            "INSERT INTO users (email, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![user.email, user.role, user.password_hash, user.created_at],
        )?;
        let id = tx.last_insert_rowid();
        for area in user.areas {
            tx.execute("INSERT OR IGNORE INTO user_areas (user_id, area) VALUES (?1, ?2)", params![id, area])?;
        }
        insert_audit(
            &tx,
            &AuditEntry {
                at: user.created_at.to_string(),
                actor: actor.to_string(),
                action: "user_add".into(),
                detail: format!("{} as {} {}", user.email, user.role, user.areas.join(" ")).trim_end().to_string(),
                ..AuditEntry::default()
            },
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// All accounts, by email.
    pub fn users(&self) -> Result<Vec<User>> {
        let mut stmt = self.conn.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY email"))?;
        let mut users: Vec<User> = stmt.query_map([], user_from_row)?.collect::<rusqlite::Result<_>>()?;
        for u in &mut users {
            u.areas = self.areas_of(u.id)?;
        }
        Ok(users)
    }

    /// One account by id.
    pub fn user(&self, id: i64) -> Result<Option<User>> {
        let user = self
            .conn
            .query_row(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"), [id], user_from_row)
            .optional()?;
        match user {
            Some(mut u) => {
                u.areas = self.areas_of(u.id)?;
                Ok(Some(u))
            }
            None => Ok(None),
        }
    }

    /// One account by email (case-insensitive), with its password hash.
    pub fn user_by_email(&self, email: &str) -> Result<Option<(User, String)>> {
        let row = self
            .conn
            .query_row(&format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = ?1"), [email], |r| {
                Ok((user_from_row(r)?, r.get::<_, String>(7)?))
            })
            .optional()?;
        match row {
            Some((mut u, hash)) => {
                u.areas = self.areas_of(u.id)?;
                Ok(Some((u, hash)))
            }
            None => Ok(None),
        }
    }

    /// Disables (or enables) an account; disabling also ends its sessions and revokes its API tokens.
    pub fn set_user_disabled(&mut self, email: &str, disabled: bool, actor: &str, at: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        let id = user_id(&tx, email)?;
        // Enabling also lifts a lock-out, so an administrator can let someone in again at once.
        tx.execute(
            "UPDATE users SET disabled = ?2, failed_logins = CASE WHEN ?2 THEN failed_logins ELSE 0 END,
                 locked_until = CASE WHEN ?2 THEN locked_until ELSE NULL END WHERE id = ?1",
            params![id, disabled],
        )?;
        if disabled {
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
            tx.execute("UPDATE api_tokens SET revoked = 1 WHERE user_id = ?1", [id])?;
        }
        insert_audit(
            &tx,
            &AuditEntry {
                at: at.to_string(),
                actor: actor.to_string(),
                action: if disabled { "user_disable" } else { "user_enable" }.into(),
                detail: email.to_string(),
                old_value: Some((!disabled).to_string()),
                new_value: Some(disabled.to_string()),
                ..AuditEntry::default()
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Sets a new password hash (a reset by an administrator), ends the account's sessions, revokes its API tokens
    /// (a reset follows a lost or stolen password, and a token made by whoever had it must stop working too)
    /// and lifts a lock. The audit row says that the password changed, never anything about it.
    pub fn set_password(&mut self, email: &str, password_hash: &str, actor: &str, at: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        let id = user_id(&tx, email)?;
        tx.execute(
            "UPDATE users SET password_hash = ?2, failed_logins = 0, locked_until = NULL WHERE id = ?1",
            params![id, password_hash],
        )?;
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
        tx.execute("UPDATE api_tokens SET revoked = 1 WHERE user_id = ?1", [id])?;
        insert_audit(
            &tx,
            &AuditEntry {
                at: at.to_string(),
                actor: actor.to_string(),
                action: "password_change".into(),
                detail: email.to_string(),
                ..AuditEntry::default()
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Starts a sign-in attempt, counting it before the password is checked, all in one transaction: a client
    /// over its limit is refused; otherwise the attempt counts as a failure of the client and, for an account
    /// that is not locked, as one more consecutive failure (locking the account when that reaches the limit).
    /// [`Store::sign_in_succeeded`] takes the counts back when the password turns out right. Counting first
    /// and atomically means that concurrent guesses cannot overtake each other: 42 wrong passwords at once lock
    /// the account after the fifth, and a client gets exactly its limit of attempts.
    pub fn begin_sign_in(&mut self, client: &str, email: &str, now: i64, limits: &SignInLimits) -> Result<Attempt> {
        let tx = self.conn.transaction()?;
        // Failures older than a day say nothing any more; removing them keeps the table small.
        tx.execute("DELETE FROM sign_in_failures WHERE at < ?1", [now - 86_400])?;
        let recent: u32 = tx.query_row(
            "SELECT COUNT(*) FROM sign_in_failures WHERE client = ?1 AND at >= ?2",
            params![client, now - limits.client_window],
            |r| r.get(0),
        )?;
        if recent >= limits.client_limit {
            tx.commit()?;
            return Ok(Attempt::ClientLimited);
        }
        tx.execute("INSERT INTO sign_in_failures (client, at) VALUES (?1, ?2)", params![client, now])?;
        let attempt = tx.last_insert_rowid();
        let found = tx
            .query_row(&format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = ?1"), [email], |r| {
                Ok((user_from_row(r)?, r.get::<_, String>(7)?))
            })
            .optional()?;
        let Some((user, hash)) = found else {
            tx.commit()?;
            return Ok(Attempt::Refused);
        };
        let history = |outcome: &str| {
            tx.execute(
                "INSERT INTO sign_in_history (user_id, at, client, outcome) VALUES (?1, ?2, ?3, ?4)",
                params![user.id, now, client, outcome],
            )
        };
        if user.locked_until.is_some_and(|t| t > now) {
            history("locked")?;
            tx.commit()?;
            return Ok(Attempt::Refused);
        }
        if user.disabled {
            history("failure")?;
            tx.commit()?;
            return Ok(Attempt::Refused);
        }
        // A lock that has run out starts the count again, so one typo does not lock the account anew.
        tx.execute(
            "UPDATE users SET
                 failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= ?2 THEN 1 ELSE failed_logins + 1 END,
                 locked_until = CASE
                     WHEN (CASE WHEN locked_until IS NOT NULL AND locked_until <= ?2 THEN 1 ELSE failed_logins + 1 END) >= ?3
                     THEN ?2 + ?4 ELSE NULL END
             WHERE id = ?1",
            params![user.id, now, limits.lock_after, limits.lock_seconds],
        )?;
        tx.commit()?;
        let mut user = user;
        user.areas = self.areas_of(user.id)?;
        Ok(Attempt::Check { user, hash, attempt })
    }

    /// The password of an attempt begun with [`Store::begin_sign_in`] was right: the attempt no longer counts
    /// against the client, the account's failures and lock are cleared, and a session starts.
    pub fn sign_in_succeeded(
        &mut self,
        attempt: i64,
        user_id: i64,
        client: &str,
        session: &NewSession<'_>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM sign_in_failures WHERE rowid = ?1", [attempt])?;
        tx.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?1", [user_id])?;
        // Old sessions that ended are removed here, so the table does not grow without bound.
        tx.execute("DELETE FROM sessions WHERE expires_at < ?1", [session.now])?;
        tx.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
            params![session.token_hash, user_id, session.csrf, session.now, session.expires_at],
        )?;
        tx.execute(
            "INSERT INTO sign_in_history (user_id, at, client, outcome) VALUES (?1, ?2, ?3, 'success')",
            params![user_id, session.now, client],
        )?;
        tx.execute("DELETE FROM sign_in_history WHERE at < ?1", [session.now - HISTORY_SECONDS])?;
        tx.commit()?;
        Ok(())
    }

    /// The password of an attempt was wrong: it stays counted; the owner's history shows it.
    pub fn sign_in_failed(&mut self, user_id: i64, client: &str, now: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sign_in_history (user_id, at, client, outcome) VALUES (?1, ?2, ?3, 'failure')",
            params![user_id, now, client],
        )?;
        Ok(())
    }

    /// The sign-ins of an account, newest first (at most `limit`): seconds since 1970, client address, outcome.
    pub fn sign_in_history(&self, user_id: i64, limit: u32) -> Result<Vec<SignInEvent>> {
        let mut stmt = self.conn.prepare(
            "SELECT at, client, outcome FROM sign_in_history WHERE user_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![user_id, limit], |r| {
            Ok(SignInEvent { at: r.get(0)?, client: r.get(1)?, outcome: r.get(2)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A session by token hash.
    pub fn session(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        Ok(self
            .conn
            .query_row(
                "SELECT user_id, csrf, created_at, last_seen FROM sessions WHERE token_hash = ?1",
                [token_hash],
                |r| Ok(SessionRow { user_id: r.get(0)?, csrf: r.get(1)?, created_at: r.get(2)?, last_seen: r.get(3)? }),
            )
            .optional()?)
    }

    /// Marks a session as used now.
    pub fn touch_session(&self, token_hash: &str, now: i64) -> Result<()> {
        self.conn.execute("UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1", params![token_hash, now])?;
        Ok(())
    }

    /// Ends a session (sign-out, or expiry).
    pub fn end_session(&self, token_hash: &str) -> Result<()> {
        self.conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
        Ok(())
    }

    /// Stores a new API token (its hash) for an account.
    pub fn add_api_token(&mut self, email: &str, token_hash: &str, label: &str, actor: &str, at: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        let user: Option<(i64, bool)> = tx
            .query_row("SELECT id, disabled FROM users WHERE email = ?1", [email], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (id, disabled) = user.ok_or_else(|| StoreError::Invalid(format!("no account for {email}")))?;
        if disabled {
            return Err(StoreError::Invalid(format!("the account of {email} is disabled")));
        }
        tx.execute(
            "INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![token_hash, id, label, at],
        )?;
        insert_audit(
            &tx,
            &AuditEntry {
                at: at.to_string(),
                actor: actor.to_string(),
                action: "token_create".into(),
                detail: format!("{email}: {label}"),
                ..AuditEntry::default()
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The account of a valid (not revoked) API token.
    pub fn api_token_user(&self, token_hash: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.token_hash = ?1 AND t.revoked = 0 AND u.disabled = 0",
                [token_hash],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Notes that a token was used now; written at most once a minute per token, so that scripts calling the
    /// API do not queue a write per request.
    pub fn touch_api_token(&self, token_hash: &str, now: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE api_tokens SET last_used_at = ?2
             WHERE token_hash = ?1 AND (last_used_at IS NULL OR last_used_at <= ?2 - 60)",
            params![token_hash, now],
        )?;
        Ok(())
    }

    /// The API tokens of an account (never the tokens themselves), oldest first.
    pub fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, label, created_at, last_used_at, revoked FROM api_tokens WHERE user_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([user_id], |r| {
            Ok(ApiToken {
                id: r.get(0)?,
                label: r.get(1)?,
                created_at: r.get(2)?,
                last_used_at: r.get(3)?,
                revoked: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Revokes one API token of an account. Refuses a token of another account (`owner` is checked, so that one
    /// user cannot revoke another's by guessing ids) and one that is revoked already.
    pub fn revoke_api_token(&mut self, owner: i64, token_id: i64, actor: &str, at: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        let found: Option<(String, bool, String)> = tx
            .query_row(
                "SELECT t.label, t.revoked, u.email FROM api_tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.id = ?1 AND t.user_id = ?2",
                params![token_id, owner],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((label, revoked, email)) = found else {
            return Err(StoreError::Invalid(format!("the account has no API token {token_id}")));
        };
        if revoked {
            return Err(StoreError::Invalid(format!("API token {token_id} ({label}) is revoked already")));
        }
        tx.execute("UPDATE api_tokens SET revoked = 1 WHERE id = ?1", [token_id])?;
        insert_audit(
            &tx,
            &AuditEntry {
                at: at.to_string(),
                actor: actor.to_string(),
                action: "token_revoke".into(),
                detail: format!("{email}: {token_id} {label}"),
                ..AuditEntry::default()
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A user changes their own password (the caller has checked the old one): the new hash is stored, every
    /// other session of the account ends (the one the change was made in, `keep`, stays), and the audit log
    /// records that it happened. API tokens stay: the owner revokes them one by one if they must.
    pub fn change_own_password(&mut self, user_id: i64, password_hash: &str, keep: &str, at: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        let email: String = tx.query_row("SELECT email FROM users WHERE id = ?1", [user_id], |r| r.get(0))?;
        tx.execute("UPDATE users SET password_hash = ?2 WHERE id = ?1", params![user_id, password_hash])?;
        tx.execute("DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> ?2", params![user_id, keep])?;
        insert_audit(
            &tx,
            &AuditEntry {
                at: at.to_string(),
                actor: email.clone(),
                action: "password_change_own".into(),
                detail: email,
                ..AuditEntry::default()
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The password hash of an account, to check an old password against.
    pub fn password_hash(&self, user_id: i64) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT password_hash FROM users WHERE id = ?1", [user_id], |r| r.get(0)).optional()?)
    }
}

/// An API token as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub label: String,
    pub created_at: String,
    /// Seconds since 1970 of the last use (to the minute), if it was ever used.
    pub last_used_at: Option<i64>,
    pub revoked: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with_user() -> (Store, i64) {
        let mut s = Store::open_in_memory().unwrap();
        let areas = vec!["heerlen-noord".to_string()];
        let id = s
            .add_user(
                &NewUser {
                    email: "Editor@Example.org",
                    role: "area_editor",
                    areas: &areas,
                    password_hash: "$argon2id$x",
                    created_at: "2026-05-01T10:00:00Z",
                },
                "cli",
            )
            .unwrap();
        (s, id)
    }

    #[test]
    fn accounts_sessions_and_tokens() {
        let (mut s, id) = store_with_user();
        let (u, hash) = s.user_by_email("editor@example.org").unwrap().unwrap();
        assert_eq!((u.id, hash.as_str()), (id, "$argon2id$x"));
        assert_eq!(u.areas.iter().collect::<Vec<_>>(), ["heerlen-noord"]);
        let dup = NewUser {
            email: "editor@example.org",
            role: "analyst",
            areas: &[],
            password_hash: "h",
            created_at: "2026-05-01T10:00:00Z",
        };
        assert!(s.add_user(&dup, "cli").is_err(), "one account per email, whatever the case");

        let limits = SignInLimits { client_limit: 3, client_window: 900, lock_after: 2, lock_seconds: 900 };
        let Attempt::Check { attempt, .. } = s.begin_sign_in("127.0.0.1", "editor@example.org", 100, &limits).unwrap()
        else {
            panic!("a first attempt is checked")
        };
        s.sign_in_failed(id, "127.0.0.1", 100).unwrap();
        assert!(matches!(
            s.begin_sign_in("127.0.0.1", "editor@example.org", 101, &limits).unwrap(),
            Attempt::Check { .. }
        ));
        let u = s.user(id).unwrap().unwrap();
        assert_eq!((u.failed_logins, u.locked_until), (2, Some(101 + 900)), "counted before the check, locked at 2");
        assert_eq!(s.begin_sign_in("127.0.0.1", "editor@example.org", 102, &limits).unwrap(), Attempt::Refused);
        assert_eq!(s.begin_sign_in("127.0.0.1", "editor@example.org", 103, &limits).unwrap(), Attempt::ClientLimited);
        assert_eq!(s.begin_sign_in("10.0.0.9", "nobody@example.org", 103, &limits).unwrap(), Attempt::Refused);

        let session = NewSession { token_hash: "h1", csrf: "csrf1", now: 200, expires_at: 200 + 3600 };
        s.sign_in_succeeded(attempt, id, "127.0.0.1", &session).unwrap();
        let u = s.user(id).unwrap().unwrap();
        assert_eq!((u.failed_logins, u.locked_until), (0, None), "a successful sign-in clears the failures");
        assert_eq!(s.session("h1").unwrap().unwrap().csrf, "csrf1");
        s.touch_session("h1", 300).unwrap();
        assert_eq!(s.session("h1").unwrap().unwrap().last_seen, 300);
        let outcomes: Vec<String> = s.sign_in_history(id, 10).unwrap().into_iter().map(|e| e.outcome).collect();
        assert_eq!(outcomes, ["success", "locked", "failure"]);

        s.add_api_token("editor@example.org", "t1", "script", "cli", "2026-05-01T10:00:00Z").unwrap();
        assert_eq!(s.api_token_user("t1").unwrap(), Some(id));
        s.touch_api_token("t1", 1000).unwrap();
        s.touch_api_token("t1", 1030).unwrap();
        assert_eq!(s.api_tokens(id).unwrap()[0].last_used_at, Some(1000), "written at most once a minute");
        s.add_api_token("editor@example.org", "t3", "other", "cli", "2026-05-01T10:00:00Z").unwrap();
        let t3 = s.api_tokens(id).unwrap()[1].id;
        assert!(s.revoke_api_token(id + 1, t3, "x", "t").is_err(), "only the owner's own tokens");
        s.revoke_api_token(id, t3, "cli", "t").unwrap();
        assert_eq!(s.api_token_user("t3").unwrap(), None);
        assert!(s.revoke_api_token(id, t3, "cli", "t").is_err(), "revoked already");
        assert_eq!(s.api_token_user("t1").unwrap(), Some(id), "the other token still works");
        s.set_password("editor@example.org", "$argon2id$y", "cli", "t").unwrap();
        assert_eq!(s.api_token_user("t1").unwrap(), None, "a reset revokes the tokens");
        s.add_api_token("editor@example.org", "t1b", "script", "cli", "2026-05-01T10:00:00Z").unwrap();
        s.set_user_disabled("editor@example.org", true, "cli", "2026-05-02T10:00:00Z").unwrap();
        assert_eq!(s.api_token_user("t1b").unwrap(), None, "disabling revokes tokens");
        assert!(s.session("h1").unwrap().is_none(), "and ends sessions");
        assert!(s.add_api_token("editor@example.org", "t2", "x", "cli", "t").is_err());
        let actions: Vec<String> = s.audit_log(&Default::default()).unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(
            actions,
            [
                "user_add",
                "token_create",
                "token_create",
                "token_revoke",
                "password_change",
                "token_create",
                "user_disable"
            ]
        );
    }
}
