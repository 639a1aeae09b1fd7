//! The event log as the CLI reads it — the chain's verification and the events the
//! measures count — and the recording of unsafe credential attempts.

use super::error::{Error, Result};
use super::events::{self, EVENT_COLUMNS, Event, Verification};
use super::handle::Store;
use crate::domain::machine;
use crate::domain::*;
use serde_json::json;

impl Store {
    /// The objects of the file's schema that the migrations did not make, or made
    /// otherwise (empty when the schema is as migrated): `audit verify` names them.
    pub fn schema_differences(&self) -> Result<Vec<String>> {
        Ok(super::foreign::differences(&self.conn)?.1)
    }

    pub fn verify_chain(&self) -> Result<Verification> {
        events::verify(&self.conn)
    }

    pub fn chain_reaches(&self, seq: i64, hash: &str) -> Result<bool> {
        events::reaches(&self.conn, seq, hash)
    }

    /// Events of a kind, optionally for one project (for measures).
    pub fn events_of(&self, kinds: &[&str], project: Option<&str>) -> Result<Vec<Event>> {
        let placeholders: Vec<String> = (0..kinds.len()).map(|i| format!("?{}", i + 2)).collect();
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE (?1 IS NULL OR project = ?1) AND kind IN ({}) ORDER BY seq",
            placeholders.join(", ")
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut args: Vec<Option<String>> = vec![project.map(|p| p.to_ascii_uppercase())];
        args.extend(kinds.iter().map(|k| Some(k.to_string())));
        Ok(stmt
            .query_map(rusqlite::params_from_iter(args), events::from_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Counts a refused credential (form field, import cell) without its value.
    pub fn record_unsafe_attempt(
        &mut self,
        project: Option<&str>,
        item: Option<&str>,
        attempt: &crate::domain::refusal::UnsafeAttempt,
    ) -> Result<()> {
        let payload = json!({"field": attempt.field, "detector": attempt.detector});
        self.write(None, item, |tx, ctx| {
            let project = counted_project(tx, &ctx.me.login, project)?;
            events::append(
                tx,
                ctx,
                project.as_deref(),
                item,
                "unsafe-attempt",
                &payload,
            )
            .map(|_| ())
        })
    }

    /// Records that a credential was offered over an unsafe channel (email, chat,
    /// form...) for an item: counted as an unsafe credential attempt, and the item's
    /// credential waits for rotation.
    pub fn record_unsafe_channel(&mut self, id: &str, channel: &str, note: &str) -> Result<()> {
        let channel = channel.parse().map_err(|problem: String| {
            Error::Refused(Refusal::new(Rule::ValidValue, problem).on(Field::Channel))
        })?;
        let note = note.to_string();
        self.act(id, &machine::Action::ReportUnsafe { channel, note }, None)
            .map(|_| ())
    }

    /// Passes a text check's result on, counting a refused credential first (for
    /// checks made before a write transaction starts).
    pub(super) fn checked(
        &mut self,
        r: Result<(), Refusal>,
        project: Option<&str>,
        item: Option<&str>,
    ) -> Result<()> {
        if let Err(refusal) = r {
            if let Some(attempt) = &refusal.unsafe_attempt {
                let project = project.map(str::to_ascii_uppercase);
                self.record_unsafe_attempt(project.as_deref(), item, attempt)?;
            }
            return Err(Error::Refused(refusal));
        }
        Ok(())
    }
}

/// The project a refused credential is counted against: the one named, when it exists
/// and the account offering it is registered. Anyone with access to the file could
/// otherwise raise a project's unsafe-attempt measure from outside the team, or load
/// one for a project key that does not exist yet. The attempt stays in the log either
/// way, without a project.
pub(super) fn counted_project(
    conn: &rusqlite::Connection,
    login: &str,
    project: Option<&str>,
) -> rusqlite::Result<Option<String>> {
    let Some(key) = project.map(str::to_ascii_uppercase) else {
        return Ok(None);
    };
    let counted: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM projects WHERE key = ?1) AND EXISTS (SELECT 1 FROM people WHERE login = ?2)",
        rusqlite::params![key, login],
        |r| r.get(0),
    )?;
    Ok(counted.then_some(key))
}
