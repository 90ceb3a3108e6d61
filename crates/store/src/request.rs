//! The yearly request (migration 4): rounds, each area's submission and its answers. Every write runs in one
//! transaction together with its audit-log rows; accepting a submission also writes its figures as area figures
//! (origin `request`, not yet published) in that same transaction, so an acceptance is never half recorded.
//! The rules (who may do what, when) live in `wijkmonitor_programme::request` and the web layer; this module only
//! stores what they decided.

use crate::audit::{insert_audit, AuditEntry};
use crate::{Result, Store, StoreError};
use rusqlite::{params, OptionalExtension, Transaction};
use std::collections::BTreeMap;
use wijkmonitor_model::date::Date;
use wijkmonitor_model::{Period, Value};
use wijkmonitor_request::{RawAnswer, Round, SubmissionStatus};

/// A request round as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRound {
    pub round: Round,
    /// The request items (indicator ids) of this round.
    pub items: Vec<String>,
    pub opened_by: String,
    pub opened_at: String,
}

/// One area's submission in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub area: String,
    pub status: SubmissionStatus,
    pub reopened_until: Option<Date>,
    /// The analyst's comment when returned.
    pub comment: String,
    pub updated_at: String,
    pub updated_by: String,
}

impl Submission {
    /// The state of an area that has not saved anything yet.
    pub fn not_started(area: &str) -> Submission {
        Submission {
            area: area.to_string(),
            status: SubmissionStatus::NotStarted,
            reopened_until: None,
            comment: String::new(),
            updated_at: String::new(),
            updated_by: String::new(),
        }
    }
}

/// A review's change of a submission.
#[derive(Debug, Clone, Copy)]
pub struct Review<'a> {
    pub status: SubmissionStatus,
    /// `return`, `reopen`, ... as written to the audit log.
    pub action: &'a str,
    pub comment: &'a str,
    pub reopened_until: Option<Date>,
}

/// Who changes something and when (RFC 3339), for the audit log.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub name: &'a str,
    pub at: &'a str,
}

fn bad_date(text: &str) -> StoreError {
    StoreError::Invalid(format!("'{text}' is not a date (YYYY-MM-DD)"))
}

fn parse_date(text: String) -> Result<Date> {
    Date::parse(&text).ok_or_else(|| bad_date(&text))
}

fn status_of(text: &str) -> Result<SubmissionStatus> {
    SubmissionStatus::parse(text).ok_or_else(|| StoreError::Invalid(format!("unknown submission status '{text}'")))
}

impl Store {
    /// Opens a round. Refuses a second round for the same year.
    pub fn open_round(&mut self, round: &Round, items: &[String], who: Actor<'_>) -> Result<()> {
        let tx = self.conn.transaction()?;
        let exists: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM request_rounds WHERE year = ?1)", [round.year], |r| r.get(0))?;
        if exists {
            return Err(StoreError::Invalid(format!("there is already a request round for {}", round.year)));
        }
        tx.execute(
            "INSERT INTO request_rounds (year, opens, closes, items, opened_by, opened_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![round.year, round.opens.to_string(), round.closes.to_string(), items.join(" "), who.name, who.at],
        )?;
        insert_audit(
            &tx,
            &AuditEntry {
                at: who.at.into(),
                actor: who.name.into(),
                action: "round_open".into(),
                year: Some(round.year),
                new_value: Some(format!("{} – {}", round.opens, round.closes)),
                detail: format!("{} items", items.len()),
                ..AuditEntry::default()
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// All rounds, latest year first.
    pub fn rounds(&self) -> Result<Vec<StoredRound>> {
        let mut stmt = self.conn.prepare(
            "SELECT year, opens, closes, items, opened_by, opened_at FROM request_rounds ORDER BY year DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (year, opens, closes, items, opened_by, opened_at) = row?;
            out.push(StoredRound {
                round: Round { year, opens: parse_date(opens)?, closes: parse_date(closes)? },
                items: items.split_whitespace().map(str::to_string).collect(),
                opened_by,
                opened_at,
            });
        }
        Ok(out)
    }

    pub fn round(&self, year: i32) -> Result<Option<StoredRound>> {
        Ok(self.rounds()?.into_iter().find(|r| r.round.year == year))
    }

    /// The submission of an area in a round (not started when it has none).
    pub fn submission(&self, year: i32, area: &str) -> Result<Submission> {
        let row = self
            .conn
            .query_row(
                "SELECT status, reopened_until, comment, updated_at, updated_by FROM submissions
                 WHERE year = ?1 AND area = ?2",
                params![year, area],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )
            .optional()?;
        let Some((status, reopened, comment, updated_at, updated_by)) = row else {
            return Ok(Submission::not_started(area));
        };
        Ok(Submission {
            area: area.to_string(),
            status: status_of(&status)?,
            reopened_until: reopened.map(parse_date).transpose()?,
            comment,
            updated_at,
            updated_by,
        })
    }

    /// The answers of an area in a round, by item.
    pub fn answers(&self, year: i32, area: &str) -> Result<BTreeMap<String, RawAnswer>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT item, value, explanation FROM answers WHERE year = ?1 AND area = ?2")?;
        let rows = stmt.query_map(params![year, area], |r| {
            Ok((r.get::<_, String>(0)?, RawAnswer { value: r.get(1)?, explanation: r.get(2)? }))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Replaces an area's answers and sets its status, writing one audit row per changed answer (old and new
    /// value) and one for the status. `how` says where the answers came from (`form`, `api`, `xlsx`).
    /// Returns the number of answers that changed.
    pub fn save_answers(
        &mut self,
        year: i32,
        area: &str,
        answers: &BTreeMap<String, RawAnswer>,
        status: SubmissionStatus,
        how: &str,
        who: Actor<'_>,
    ) -> Result<usize> {
        let old = self.answers(year, area)?;
        let before = self.submission(year, area)?;
        let old_status = before.status;
        let tx = self.conn.transaction()?;
        let mut changed = 0;
        let keys: std::collections::BTreeSet<&String> = old.keys().chain(answers.keys()).collect();
        for key in keys {
            let before = old.get(key).cloned().unwrap_or_default();
            let after = answers.get(key).cloned().unwrap_or_default();
            if before == after {
                continue;
            }
            changed += 1;
            if after.value.is_empty() && after.explanation.is_empty() {
                tx.execute(
                    "DELETE FROM answers WHERE year = ?1 AND area = ?2 AND item = ?3",
                    params![year, area, key],
                )?;
            } else {
                tx.execute(
                    "INSERT INTO answers (year, area, item, value, explanation) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (year, area, item) DO UPDATE SET value = excluded.value, explanation = excluded.explanation",
                    params![year, area, key, after.value, after.explanation],
                )?;
            }
            // A value and its explanation are logged apart, so neither change is lost when both change at once.
            let changes = [
                ("answer_change", &before.value, &after.value),
                ("explanation_change", &before.explanation, &after.explanation),
            ];
            for (action, old_value, new_value) in changes.into_iter().filter(|(_, o, n)| o != n) {
                insert_audit(
                    &tx,
                    &AuditEntry {
                        at: who.at.into(),
                        actor: who.name.into(),
                        action: action.into(),
                        area: Some(area.into()),
                        year: Some(year),
                        item: Some(key.clone()),
                        old_value: (!old_value.is_empty()).then(|| old_value.clone()),
                        new_value: (!new_value.is_empty()).then(|| new_value.clone()),
                        detail: format!("via {how}"),
                        ..AuditEntry::default()
                    },
                )?;
            }
        }
        write_status(
            &tx,
            year,
            area,
            old_status,
            status,
            // The analyst's comment stays until the next review, so the area can read it while it works.
            &before.comment,
            None,
            if status == SubmissionStatus::Submitted { "submit" } else { "save_draft" },
            who,
        )?;
        tx.commit()?;
        Ok(changed)
    }

    /// Changes the status of a submission as a review does (return with a comment, reopen until a date), in one
    /// transaction with its audit row.
    /// Reopening an accepted submission withdraws its figures that were not published yet, so a publication
    /// cannot put figures online that the analyst has taken back.
    pub fn review_submission(&mut self, year: i32, area: &str, change: &Review<'_>, who: Actor<'_>) -> Result<()> {
        let old = self.submission(year, area)?.status;
        let tx = self.conn.transaction()?;
        if old == SubmissionStatus::Accepted && change.status != SubmissionStatus::Accepted {
            tx.execute(
                "DELETE FROM area_observations WHERE area = ?1 AND period = ?2 AND origin = 'request' AND published = 0",
                params![area, year.to_string()],
            )?;
        }
        write_status(&tx, year, area, old, change.status, change.comment, change.reopened_until, change.action, who)?;
        tx.commit()?;
        Ok(())
    }

    /// Accepts a submission: sets its status and records its numeric answers as area figures of the round's year
    /// (origin `request`, unpublished, with `source` as their provenance), all in one transaction.
    pub fn accept_submission(
        &mut self,
        year: i32,
        area: &str,
        figures: &[(String, Value)],
        source: &str,
        who: Actor<'_>,
    ) -> Result<i64> {
        let old = self.submission(year, area)?.status;
        let tx = self.conn.transaction()?;
        write_status(&tx, year, area, old, SubmissionStatus::Accepted, "", None, "accept", who)?;
        let import_id = crate::area::record_area_figures_tx(
            &tx,
            area,
            Period::Year(year),
            crate::area::Origin::Request,
            source,
            false,
            false,
            figures,
        )?;
        tx.commit()?;
        Ok(import_id)
    }

    /// Publishes the request figures of a round's accepted submissions (only those: a reopened submission's
    /// figures stay out). Returns the areas whose figures were newly published, to undo it if the recomputation
    /// fails.
    pub fn publish_accepted(&mut self, year: i32) -> Result<Vec<String>> {
        let tx = self.conn.transaction()?;
        let areas: Vec<String> = {
            let mut stmt = tx.prepare(
                "SELECT DISTINCT o.area FROM area_observations o JOIN submissions s ON s.area = o.area AND s.year = ?1
                 WHERE o.period = ?2 AND o.origin = 'request' AND o.published = 0 AND s.status = 'accepted'
                 ORDER BY o.area",
            )?;
            let rows = stmt.query_map(params![year, year.to_string()], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for area in &areas {
            tx.execute(
                "UPDATE area_observations SET published = 1 WHERE area = ?1 AND period = ?2 AND origin = 'request'",
                params![area, year.to_string()],
            )?;
        }
        tx.commit()?;
        Ok(areas)
    }

    /// Undoes [`Store::publish_accepted`] for these areas (after a failed recomputation).
    pub fn unpublish(&mut self, year: i32, areas: &[String]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for area in areas {
            tx.execute(
                "UPDATE area_observations SET published = 0 WHERE area = ?1 AND period = ?2 AND origin = 'request'",
                params![area, year.to_string()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The submissions of every area that has one in a round.
    pub fn submissions(&self, year: i32) -> Result<Vec<Submission>> {
        let mut stmt = self.conn.prepare("SELECT area FROM submissions WHERE year = ?1 ORDER BY area")?;
        let areas: Vec<String> = stmt.query_map([year], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        areas.iter().map(|a| self.submission(year, a)).collect()
    }
}

#[allow(clippy::too_many_arguments)]
fn write_status(
    tx: &Transaction<'_>,
    year: i32,
    area: &str,
    old: SubmissionStatus,
    new: SubmissionStatus,
    comment: &str,
    reopened_until: Option<Date>,
    action: &str,
    who: Actor<'_>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO submissions (year, area, status, reopened_until, comment, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (year, area) DO UPDATE SET status = excluded.status,
            reopened_until = COALESCE(excluded.reopened_until, submissions.reopened_until),
            comment = excluded.comment, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        params![year, area, new.as_str(), reopened_until.map(|d| d.to_string()), comment, who.at, who.name],
    )?;
    // A draft saved again is logged through its answers only; every other step gets its own row.
    if old != new || action != "save_draft" {
        insert_audit(
            tx,
            &AuditEntry {
                at: who.at.into(),
                actor: who.name.into(),
                action: action.into(),
                area: Some(area.into()),
                year: Some(year),
                old_value: Some(old.as_str().into()),
                new_value: Some(new.as_str().into()),
                detail: match (action, reopened_until) {
                    ("return" | "reopen", Some(d)) if !comment.is_empty() => format!("{comment} (open until {d})"),
                    ("return" | "reopen", Some(d)) => format!("open until {d}"),
                    ("return" | "reopen", None) => comment.to_string(),
                    _ => String::new(),
                },
                ..AuditEntry::default()
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditFilter;

    const WHO: Actor<'static> = Actor { name: "editor@example.org (area_editor)", at: "2026-05-01T10:00:00Z" };

    fn answer(v: &str) -> RawAnswer {
        RawAnswer { value: v.into(), explanation: String::new() }
    }

    #[test]
    fn a_round_from_draft_to_accepted_with_its_audit_trail() {
        let mut s = Store::open_in_memory().unwrap();
        let round = Round::with_default_window(2025);
        s.open_round(&round, &["households_energy_saving".into()], WHO).unwrap();
        assert!(s.open_round(&round, &[], WHO).is_err(), "one round per year");
        assert_eq!(s.round(2025).unwrap().unwrap().round, round);
        assert_eq!(s.submission(2025, "heerlen-noord").unwrap().status, SubmissionStatus::NotStarted);

        let draft: BTreeMap<_, _> = [("households_energy_saving".to_string(), answer("120"))].into();
        assert_eq!(s.save_answers(2025, "heerlen-noord", &draft, SubmissionStatus::Draft, "form", WHO).unwrap(), 1);
        assert_eq!(s.save_answers(2025, "heerlen-noord", &draft, SubmissionStatus::Draft, "form", WHO).unwrap(), 0);
        let fixed: BTreeMap<_, _> = [(
            "households_energy_saving".to_string(),
            RawAnswer { value: "140".into(), explanation: "incl. 20 in de Vlierwijk".into() },
        )]
        .into();
        s.save_answers(2025, "heerlen-noord", &fixed, SubmissionStatus::Submitted, "xlsx", WHO).unwrap();
        assert_eq!(s.answers(2025, "heerlen-noord").unwrap(), fixed);
        let back =
            Review { status: SubmissionStatus::Returned, action: "return", comment: "check 1", reopened_until: None };
        s.review_submission(2025, "heerlen-noord", &back, WHO).unwrap();
        assert_eq!(s.submission(2025, "heerlen-noord").unwrap().comment, "check 1");
        s.save_answers(2025, "heerlen-noord", &fixed, SubmissionStatus::Submitted, "form", WHO).unwrap();
        let figures = vec![("households_energy_saving".to_string(), Value::final_(140.0))];
        s.accept_submission(2025, "heerlen-noord", &figures, "Uitvraag 2025, heerlen-noord", WHO).unwrap();
        assert_eq!(s.submission(2025, "heerlen-noord").unwrap().status, SubmissionStatus::Accepted);
        assert_eq!(s.submissions(2025).unwrap().len(), 1);

        // Reopening the accepted submission withdraws its unpublished figures; accepting again brings them back and
        // only accepted areas are published.
        let reopen = Review { status: SubmissionStatus::Returned, action: "reopen", comment: "", reopened_until: None };
        s.review_submission(2025, "heerlen-noord", &reopen, WHO).unwrap();
        assert!(s.area_figures(false).unwrap().is_empty(), "withdrawn");
        assert!(s.publish_accepted(2025).unwrap().is_empty());
        s.save_answers(2025, "heerlen-noord", &fixed, SubmissionStatus::Submitted, "form", WHO).unwrap();
        s.accept_submission(2025, "heerlen-noord", &figures, "Uitvraag 2025, heerlen-noord", WHO).unwrap();
        assert_eq!(s.publish_accepted(2025).unwrap(), ["heerlen-noord"]);
        assert_eq!(s.area_figures(true).unwrap().len(), 1);
        s.unpublish(2025, &["heerlen-noord".to_string()]).unwrap();
        assert!(s.area_figures(true).unwrap().is_empty());

        let log = s.audit_log(&AuditFilter { area: Some("heerlen-noord".into()), year: Some(2025) }).unwrap();
        let steps: Vec<(&str, Option<&str>, Option<&str>)> =
            log.iter().map(|e| (e.action.as_str(), e.old_value.as_deref(), e.new_value.as_deref())).collect();
        assert_eq!(
            steps,
            [
                ("answer_change", None, Some("120")),
                ("save_draft", Some("not_started"), Some("draft")),
                ("answer_change", Some("120"), Some("140")),
                ("explanation_change", None, Some("incl. 20 in de Vlierwijk")),
                ("submit", Some("draft"), Some("submitted")),
                ("return", Some("submitted"), Some("returned")),
                ("submit", Some("returned"), Some("submitted")),
                ("accept", Some("submitted"), Some("accepted")),
                ("reopen", Some("accepted"), Some("returned")),
                ("submit", Some("returned"), Some("submitted")),
                ("accept", Some("submitted"), Some("accepted")),
            ]
        );
    }
}
