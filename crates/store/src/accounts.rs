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

    /// Sets a new password hash (a reset by an administrator), ends the account's sessions and lifts a lock.
    /// The audit row says that the password changed, never anything about it.
    pub fn set_password(&mut self, email: &str, password_hash: &str, actor: &str, at: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        let id = user_id(&tx, email)?;
        tx.execute(
            "UPDATE users SET password_hash = ?2, failed_logins = 0, locked_until = NULL WHERE id = ?1",
            params![id, password_hash],
        )?;
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
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

    /// Records a failed sign-in: for the client always, and for an account (id, its consecutive failures now,
    /// and the lock that follows, if any) when the attempt counts against one.
    pub fn record_sign_in_failure(
        &mut self,
        client: &str,
        account: Option<(i64, u32, Option<i64>)>,
        now: i64,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        // Failures older than a day say nothing any more; removing them keeps the table small.
        tx.execute("DELETE FROM sign_in_failures WHERE at < ?1", [now - 86_400])?;
        tx.execute("INSERT INTO sign_in_failures (client, at) VALUES (?1, ?2)", params![client, now])?;
        if let Some((id, failures, locked_until)) = account {
            tx.execute(
                "UPDATE users SET failed_logins = ?2, locked_until = ?3 WHERE id = ?1",
                params![id, failures, locked_until],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Failed sign-ins of a client since `since`.
    pub fn sign_in_failures_since(&self, client: &str, since: i64) -> Result<u32> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM sign_in_failures WHERE client = ?1 AND at >= ?2",
            params![client, since],
            |r| r.get(0),
        )?)
    }

    /// After a successful sign-in: clears the account's failures and lock, and starts a session.
    pub fn start_session(
        &mut self,
        user_id: i64,
        token_hash: &str,
        csrf: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?1", [user_id])?;
        // Old sessions that ended are removed here, so the table does not grow without bound.
        tx.execute("DELETE FROM sessions WHERE expires_at < ?1", [now])?;
        tx.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
            params![token_hash, user_id, csrf, now, expires_at],
        )?;
        tx.commit()?;
        Ok(())
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

        s.record_sign_in_failure("127.0.0.1", Some((id, 1, None)), 100).unwrap();
        s.record_sign_in_failure("127.0.0.1", Some((id, 2, Some(1000))), 101).unwrap();
        let u = s.user(id).unwrap().unwrap();
        assert_eq!((u.failed_logins, u.locked_until), (2, Some(1000)));
        assert_eq!(s.sign_in_failures_since("127.0.0.1", 101).unwrap(), 1);

        s.start_session(id, "h1", "csrf1", 200, 200 + 3600).unwrap();
        let u = s.user(id).unwrap().unwrap();
        assert_eq!((u.failed_logins, u.locked_until), (0, None), "a successful sign-in clears the failures");
        assert_eq!(s.session("h1").unwrap().unwrap().csrf, "csrf1");
        s.touch_session("h1", 300).unwrap();
        assert_eq!(s.session("h1").unwrap().unwrap().last_seen, 300);

        s.add_api_token("editor@example.org", "t1", "script", "cli", "2026-05-01T10:00:00Z").unwrap();
        assert_eq!(s.api_token_user("t1").unwrap(), Some(id));
        s.set_user_disabled("editor@example.org", true, "cli", "2026-05-02T10:00:00Z").unwrap();
        assert_eq!(s.api_token_user("t1").unwrap(), None, "disabling revokes tokens");
        assert!(s.session("h1").unwrap().is_none(), "and ends sessions");
        assert!(s.add_api_token("editor@example.org", "t2", "x", "cli", "t").is_err());
        let actions: Vec<String> = s.audit_log(&Default::default()).unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["user_add", "token_create", "user_disable"]);
    }
}
