//! Numbered schema migrations. Migration `n` brings the schema from version `n` to `n + 1`; the version is
//! kept in `PRAGMA user_version`. Migrations are only ever appended, never edited, so every database can be
//! brought forward from whatever version it has.

use crate::{Result, StoreError};
use rusqlite::{Connection, Transaction};

/// Work a migration does in Rust after its script, in the same transaction (e.g. hashes SQL cannot compute).
type Step = fn(&Transaction<'_>) -> Result<()>;

/// The migrations in order. Each is one SQL script (and, for some, a step in Rust), run in a transaction with
/// the version bump.
pub const MIGRATIONS: &[(&str, Option<Step>)] = &[
    // 1: regions, imports, current observations and their history.
    (
        "CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        source_name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        format TEXT NOT NULL,
        source_table TEXT,
        source_title TEXT,
        classification_year INTEGER,
        imported_at TEXT NOT NULL,
        n_observations INTEGER NOT NULL,
        n_new INTEGER NOT NULL,
        n_changed INTEGER NOT NULL,
        synthetic INTEGER NOT NULL DEFAULT 0,
        notes TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX imports_by_sha256 ON imports (sha256, format);

    CREATE TABLE regions (
        classification_year INTEGER NOT NULL,
        code TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('country', 'municipality', 'district', 'neighbourhood')),
        name TEXT NOT NULL,
        parent TEXT,
        import_id INTEGER NOT NULL REFERENCES imports (id),
        PRIMARY KEY (classification_year, code)
    ) WITHOUT ROWID;

    CREATE TABLE observations (
        region TEXT NOT NULL,
        period TEXT NOT NULL,
        variable TEXT NOT NULL,
        value REAL,
        status TEXT NOT NULL CHECK (
            (status IN ('final', 'provisional') AND value IS NOT NULL)
            OR (status IN ('missing', 'secret', 'not_yet_published') AND value IS NULL)),
        import_id INTEGER NOT NULL REFERENCES imports (id),
        classification_year INTEGER,
        PRIMARY KEY (region, period, variable)
    ) WITHOUT ROWID;
    CREATE INDEX observations_by_variable ON observations (variable, period);

    CREATE TABLE observation_history (
        region TEXT NOT NULL,
        period TEXT NOT NULL,
        variable TEXT NOT NULL,
        value REAL,
        status TEXT NOT NULL,
        import_id INTEGER NOT NULL REFERENCES imports (id),
        superseded_by INTEGER NOT NULL REFERENCES imports (id)
    );
    CREATE INDEX observation_history_by_key ON observation_history (region, period, variable);

    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        None,
    ),
    // 2: results of the indicator engine (only the latest run is kept; its provenance is recorded).
    (
        "CREATE TABLE compute_runs (
        id INTEGER PRIMARY KEY,
        computed_at TEXT NOT NULL,
        imports TEXT NOT NULL,
        areas_source TEXT NOT NULL,
        areas_indicative INTEGER NOT NULL,
        parameters_sha256 TEXT NOT NULL,
        n_figures INTEGER NOT NULL
    );

    CREATE TABLE computed_targets (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        municipality TEXT,
        area TEXT
    ) WITHOUT ROWID;

    CREATE TABLE computed (
        target TEXT NOT NULL,
        period TEXT NOT NULL,
        indicator TEXT NOT NULL,
        value REAL,
        status TEXT NOT NULL CHECK (
            (status IN ('final', 'provisional') AND value IS NOT NULL)
            OR (status IN ('missing', 'secret', 'not_yet_published') AND value IS NULL)),
        coverage REAL NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (target, period, indicator)
    ) WITHOUT ROWID;

    CREATE TABLE computed_sources (
        indicator TEXT NOT NULL,
        period TEXT NOT NULL,
        imports TEXT NOT NULL,
        PRIMARY KEY (indicator, period)
    ) WITHOUT ROWID;

    CREATE TABLE comparisons (
        area TEXT NOT NULL,
        period TEXT NOT NULL,
        indicator TEXT NOT NULL,
        netherlands REAL,
        rest_of_municipality REAL,
        all_areas REAL,
        rank INTEGER,
        n_ranked INTEGER NOT NULL,
        base_year INTEGER NOT NULL,
        base_value REAL,
        change_since_base REAL,
        index_since_base REAL,
        previous_value REAL,
        change_since_previous REAL,
        gap_to_netherlands REAL,
        gap_to_netherlands_base REAL,
        gap_trend TEXT,
        improved_since_base INTEGER,
        PRIMARY KEY (area, period, indicator)
    ) WITHOUT ROWID;

    CREATE TABLE unmatched_buurten (
        area TEXT NOT NULL,
        period TEXT NOT NULL,
        buurten TEXT NOT NULL,
        population_share REAL,
        PRIMARY KEY (area, period)
    ) WITHOUT ROWID;",
        None,
    ),
    // 3: the programme register: one figure per row, keyed by area, year, scheme, instance and item, each with
    // its source label and synthetic flag. A figure is a number or a text, never both.
    (
        "CREATE TABLE register_entries (
        area TEXT NOT NULL,
        year INTEGER NOT NULL,
        scheme TEXT NOT NULL CHECK (scheme IN ('woontop', 'realisatiestimulans', 'vhf', 'spuk', 'wbmgp')),
        instance TEXT NOT NULL,
        item TEXT NOT NULL,
        number REAL,
        text TEXT,
        source TEXT NOT NULL CHECK (source <> ''),
        synthetic INTEGER NOT NULL CHECK (synthetic IN (0, 1)),
        CHECK ((number IS NULL) <> (text IS NULL)),
        PRIMARY KEY (area, year, scheme, instance, item)
    ) WITHOUT ROWID;",
        None,
    ),
    // 4: accounts, sessions and API tokens; the append-only audit log; the yearly request (rounds, submissions,
    // answers); and figures per focus area (accepted request answers and register figures), which the engine
    // reads next to the buurt observations once they are published.
    (
        "CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role TEXT NOT NULL CHECK (role IN ('area_editor', 'analyst', 'admin')),
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        created_at TEXT NOT NULL,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER
    );

    CREATE TABLE user_areas (
        user_id INTEGER NOT NULL REFERENCES users (id),
        area TEXT NOT NULL,
        PRIMARY KEY (user_id, area)
    ) WITHOUT ROWID;

    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        csrf TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        user_id INTEGER NOT NULL REFERENCES users (id),
        label TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
    );

    CREATE TABLE sign_in_failures (
        client TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX sign_in_failures_by_client ON sign_in_failures (client, at);

    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        area TEXT,
        year INTEGER,
        item TEXT,
        old_value TEXT,
        new_value TEXT,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

    CREATE TABLE request_rounds (
        year INTEGER PRIMARY KEY,
        opens TEXT NOT NULL,
        closes TEXT NOT NULL,
        items TEXT NOT NULL,
        opened_by TEXT NOT NULL,
        opened_at TEXT NOT NULL
    );

    CREATE TABLE submissions (
        year INTEGER NOT NULL REFERENCES request_rounds (year),
        area TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('not_started', 'draft', 'submitted', 'returned', 'accepted')),
        reopened_until TEXT,
        comment TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        PRIMARY KEY (year, area)
    ) WITHOUT ROWID;

    CREATE TABLE answers (
        year INTEGER NOT NULL,
        area TEXT NOT NULL,
        item TEXT NOT NULL,
        value TEXT NOT NULL,
        explanation TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (year, area, item)
    ) WITHOUT ROWID;

    CREATE TABLE area_observations (
        area TEXT NOT NULL,
        period TEXT NOT NULL,
        variable TEXT NOT NULL,
        value REAL,
        status TEXT NOT NULL CHECK (
            (status IN ('final', 'provisional') AND value IS NOT NULL)
            OR (status IN ('missing', 'secret', 'not_yet_published') AND value IS NULL)),
        origin TEXT NOT NULL CHECK (origin IN ('request', 'register')),
        published INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
        import_id INTEGER NOT NULL REFERENCES imports (id),
        PRIMARY KEY (area, period, variable)
    ) WITHOUT ROWID;",
        None,
    ),
    // 5: the audit log becomes a hash chain (each row carries the SHA-256 of the previous row and of its own
    // content) and refuses an INSERT that would replace a row; API tokens remember their last use; every sign-in
    // attempt of an account is kept for its owner's history.
    (
        "ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
    ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';
    CREATE TRIGGER audit_log_is_append_only_replace BEFORE INSERT ON audit_log
        WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

    ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;

    CREATE TABLE sign_in_history (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        at INTEGER NOT NULL,
        client TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'locked'))
    );
    CREATE INDEX sign_in_history_by_user ON sign_in_history (user_id, at);",
        Some(crate::audit::chain_existing_rows),
    ),
    // 6: effects of the programme (and of measures) per area and indicator, computed with the figures and
    // replaced with them. The analysis is kept whole as JSON (the series, the counterfactuals, the event study,
    // the comparison group, the balance); a withheld effect keeps only its key and status.
    (
        "CREATE TABLE computed_effects (
        treatment TEXT NOT NULL,
        area TEXT NOT NULL,
        indicator TEXT NOT NULL,
        start INTEGER,
        status TEXT NOT NULL CHECK (status IN ('final', 'secret')),
        verdict TEXT NOT NULL,
        reason TEXT,
        analysis TEXT CHECK ((status = 'final') = (analysis IS NOT NULL)),
        PRIMARY KEY (treatment, area, indicator)
    ) WITHOUT ROWID;",
        None,
    ),
    // 7: comparisons carry the 95% intervals of their changes from the figure's counting model, and whether the
    // change since the previous year is a demonstrable improvement; improved_since_base is now decided by that
    // interval instead of a fixed margin. Recomputing fills them.
    (
        "ALTER TABLE comparisons ADD COLUMN change_since_base_lower REAL;
    ALTER TABLE comparisons ADD COLUMN change_since_base_upper REAL;
    ALTER TABLE comparisons ADD COLUMN change_since_previous_lower REAL;
    ALTER TABLE comparisons ADD COLUMN change_since_previous_upper REAL;
    ALTER TABLE comparisons ADD COLUMN improved_since_previous INTEGER;
    ALTER TABLE comparisons ADD COLUMN change_model TEXT;",
        None,
    ),
];

/// Brings the schema up to date. A database from a newer wijkmonitor is refused rather than damaged.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let latest = MIGRATIONS.len() as i64;
    if version > latest {
        return Err(StoreError::Invalid(format!(
            "the database has schema version {version}, newer than this wijkmonitor knows ({latest}); upgrade wijkmonitor"
        )));
    }
    for (i, (script, step)) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(script)?;
        if let Some(step) = step {
            step(&tx)?;
        }
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
