//! `wijkmonitor user` and `wijkmonitor token`: accounts are added with the password on standard input (never
//! on the command line), checked (role, areas, email, password length), listed, disabled and enabled; a token is
//! printed once and only its hash is stored; every change is in the audit log.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use support::{fails, ok};
use wijkmonitor_store::Store;

/// Runs the binary with `input` on standard input.
fn with_stdin(args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wijkmonitor"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // A refused command may exit before it reads standard input: a broken pipe then is not the test's failure
    // (the exit status and message are what the test checks).
    if let Err(e) = child.stdin.take().expect("stdin").write_all(input.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write to stdin: {e}");
    }
    child.wait_with_output().expect("output")
}

fn add(db: &str, args: &[&str], password: &str) -> std::process::Output {
    let mut all = vec!["user", "add", "--db", db, "--password-stdin"];
    all.extend_from_slice(args);
    with_stdin(&all, &format!("{password}\n"))
}

#[test]
fn accounts_and_tokens_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    drop(Store::open(&db).unwrap());
    let db = db.to_str().unwrap();
    let password = "correct horse battery staple";

    let out = add(db, &["--email", "ed@heerlen.example", "--role", "area-editor", "--area", "heerlen-noord"], password);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = add(db, &["--email", "an@ministry.example", "--role", "analyst"], password);
    assert!(out.status.success());

    // What is refused, each with a reason.
    for (args, password, says) in [
        (vec!["--email", "x@example.org", "--role", "area-editor"], password, "at least one --area"),
        (
            vec!["--email", "x@example.org", "--role", "analyst", "--area", "heerlen-noord"],
            password,
            "only for area editors",
        ),
        (
            vec!["--email", "x@example.org", "--role", "area-editor", "--area", "atlantis"],
            password,
            "unknown focus area",
        ),
        (vec!["--email", "x@example.org", "--role", "boss"], password, "unknown role"),
        (vec!["--email", "not an email", "--role", "analyst"], password, "not an email address"),
        (vec!["--email", "x@example.org", "--role", "analyst"], "short", "at least 12 characters"),
        (vec!["--email", "ED@heerlen.example", "--role", "analyst"], password, "already an account"),
    ] {
        let out = add(db, &args, password);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let err = fails(&["user", "add", "--db", db, "--email", "y@example.org", "--role", "analyst"]);
    assert!(err.contains("--password-stdin"), "{err}");

    let list = ok(&["user", "list", "--db", db]);
    assert!(
        list.contains("ed@heerlen.example") && list.contains("area_editor") && list.contains("heerlen-noord"),
        "{list}"
    );
    assert!(list.contains("an@ministry.example") && list.contains("active"), "{list}");
    assert!(!list.contains(password));

    // A token is printed once; the database holds only its hash.
    let token = ok(&["token", "create", "--db", db, "--email", "an@ministry.example", "--label", "nightly export"]);
    let token = token.trim();
    assert!(token.starts_with("wm_") && token.len() > 40, "{token}");
    let store = Store::open(std::path::Path::new(db)).unwrap();
    let (analyst, hash) = store.user_by_email("an@ministry.example").unwrap().unwrap();
    assert!(hash.starts_with("$argon2id$"), "the password is stored as an Argon2id hash");
    assert_eq!(store.api_token_user(&wijkmonitor_access::token_hash(token)).unwrap(), Some(analyst.id));
    assert_eq!(store.api_token_user(token).unwrap(), None, "the token itself is not stored");
    drop(store);

    ok(&["user", "disable", "--db", db, "--email", "an@ministry.example"]);
    assert!(ok(&["user", "list", "--db", db]).contains("disabled"));
    let store = Store::open(std::path::Path::new(db)).unwrap();
    assert_eq!(store.api_token_user(&wijkmonitor_access::token_hash(token)).unwrap(), None, "revoked");
    drop(store);
    ok(&["user", "enable", "--db", db, "--email", "an@ministry.example"]);
    // A new password replaces the old hash.
    let args = ["user", "password", "--db", db, "--email", "an@ministry.example", "--password-stdin"];
    assert!(with_stdin(&args, "another long passphrase\n").status.success());
    let store = Store::open(std::path::Path::new(db)).unwrap();
    let (_, new_hash) = store.user_by_email("an@ministry.example").unwrap().unwrap();
    assert_ne!(new_hash, hash);
    assert!(wijkmonitor_access::verify_password("another long passphrase", &new_hash));
    drop(store);
    assert!(fails(&["user", "disable", "--db", db, "--email", "nobody@example.org"]).contains("no account"));

    let store = Store::open(std::path::Path::new(db)).unwrap();
    let actions: Vec<String> = store.audit_log(&Default::default()).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["user_add", "user_add", "token_create", "user_disable", "user_enable", "password_change"]);
}

/// `token list` shows an account's tokens with their last use (never the tokens), `token revoke` revokes one;
/// `audit verify` checks the chain and names the first row changed behind wijkmonitor's back.
#[test]
fn tokens_are_listed_and_revoked_one_by_one_and_the_audit_chain_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    drop(Store::open(&path).unwrap());
    let db = path.to_str().unwrap();
    let out = add(db, &["--email", "an@ministry.example", "--role", "analyst"], "correct horse battery staple");
    assert!(out.status.success());
    let first = ok(&["token", "create", "--db", db, "--email", "an@ministry.example", "--label", "nightly"]);
    let second = ok(&["token", "create", "--db", db, "--email", "an@ministry.example", "--label", "weekly"]);
    let list = ok(&["token", "list", "--db", db, "--email", "an@ministry.example"]);
    assert!(list.contains("nightly") && list.contains("weekly") && list.contains("never"), "{list}");
    assert!(!list.contains(first.trim()) && !list.contains(second.trim()), "the tokens themselves are not shown");
    ok(&["token", "revoke", "--db", db, "--email", "an@ministry.example", "--id", "1"]);
    assert!(fails(&["token", "revoke", "--db", db, "--email", "an@ministry.example", "--id", "1"]).contains("already"));
    assert!(fails(&["token", "revoke", "--db", db, "--email", "an@ministry.example", "--id", "99"])
        .contains("no API token"));
    let store = Store::open(&path).unwrap();
    let hash = |t: &str| wijkmonitor_access::token_hash(t.trim());
    assert_eq!(store.api_token_user(&hash(&first)).unwrap(), None, "the revoked one no longer works");
    assert!(store.api_token_user(&hash(&second)).unwrap().is_some(), "the other one does");
    drop(store);
    assert!(ok(&["token", "list", "--db", db, "--email", "an@ministry.example"]).contains("revoked"));

    assert!(ok(&["audit", "verify", "--db", db]).contains("4 rows, the chain is intact"));
    // Someone with the file changes a row past wijkmonitor (the triggers dropped first).
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_is_append_only_update").unwrap();
    conn.execute("UPDATE audit_log SET actor = 'someone else' WHERE id = 2", []).unwrap();
    drop(conn);
    let err = fails(&["audit", "verify", "--db", db]);
    assert!(err.contains("breaks at row 2"), "{err}");
}
