//! The one-time baseline of a file written before the log recorded every value: one
//! `baseline` event per row of the replayed tables, with all its values, appended
//! under the write lock the first time this version opens the file. The replay starts
//! at the last such set; the events before it are still checked by the chain.
//!
//! Migration 6 leaves a `baseline-pending` mark in `meta` when the file already held
//! data (a file made by this version starts with an empty log and needs none). The
//! mark is taken away in the transaction that writes the set, so when several
//! processes open an old file at once exactly one writes it.

use super::BASELINE;
use super::facts::{ApprovalFacts, ItemFacts, PersonFacts, ProjectFacts, RoutingFacts, TaskFacts};
use crate::domain::Capacity;
use crate::domain::blockers::Settings;
use crate::domain::model::item_id;
use crate::identity::Identity;
use crate::store::error::Result;
use crate::store::events;
use crate::store::handle::{Ctx, Store};
use crate::store::rows::{self, ITEM_COLUMNS};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

/// The mark migration 6 leaves in `meta` on a file that holds data already.
pub const PENDING: &str = "baseline-pending";

/// How long an opening process waits for another one that writes the baseline of a
/// large file (100,000 items take a few seconds).
const WAIT: Duration = Duration::from_secs(60);

/// Whether the file still waits for its baseline set.
pub(crate) fn pending(conn: &Connection) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM meta WHERE key = ?1", [PENDING], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Whether links after some point of the log are keyed: events appended before the
/// connection has the key would break the keyed chain.
fn keyed(conn: &Connection) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM events WHERE kind = 'chain-keyed' LIMIT 1",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Writes the baseline set when the file still needs one, acting as `me` at `now`.
/// Returns the seqs written (first, last), or `None` when there was nothing to do.
/// A keyed log is left pending: its set is written by [`Store::write_baseline`] once
/// the connection links events under the key.
pub(crate) fn settle(
    conn: &mut Connection,
    me: &Identity,
    now: DateTime<Utc>,
) -> Result<Option<(i64, i64)>> {
    if !pending(conn)? || keyed(conn)? {
        return Ok(None);
    }
    settle_now(conn, me, now)
}

impl Store {
    /// Writes the baseline set of a file that still needs one (see `settle`), for
    /// an open that could not write it before the connection had the chain's key.
    pub fn write_baseline(&mut self) -> Result<Option<(i64, i64)>> {
        if !pending(&self.conn)? {
            return Ok(None);
        }
        let now = self.now();
        settle_now(&mut self.conn, &self.me, now)
    }
}

fn settle_now(
    conn: &mut Connection,
    me: &Identity,
    now: DateTime<Utc>,
) -> Result<Option<(i64, i64)>> {
    conn.busy_timeout(WAIT)?;
    let written = write_set(conn, me, now);
    conn.busy_timeout(crate::store::conn::ATTEMPT)?;
    written
}

fn write_set(
    conn: &mut Connection,
    me: &Identity,
    now: DateTime<Utc>,
) -> Result<Option<(i64, i64)>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have written it while this one waited for the lock.
    if !pending(&tx)? {
        return Ok(None);
    }
    let ctx = Ctx {
        now,
        me: me.clone(),
        settings: Settings::default(),
    };
    let mut seqs = Vec::new();
    let mut add = |project: Option<&str>,
                   item: Option<&str>,
                   table: &str,
                   key: &str,
                   row: serde_json::Value|
     -> Result<()> {
        let payload = json!({"table": table, "key": key, "row": row});
        seqs.push(events::append(
            &tx, &ctx, project, item, BASELINE, &payload,
        )?);
        Ok(())
    };
    let people = "SELECT login, name, roles, created_at FROM people ORDER BY login";
    for (login, p) in by_key(&tx, people, person)? {
        add(None, None, "people", &login, json!(p))?;
    }
    let projects = "SELECT key, name, client, start_date, tz, coordinator, closed_at, next_item, next_task, created_at FROM projects ORDER BY key";
    for (key, p) in by_key(&tx, projects, project)? {
        add(Some(&key), None, "projects", &key, json!(p))?;
    }
    let mut ids = HashMap::new();
    {
        let mut approvals = approvals(&tx)?;
        let mut stmt = tx.prepare(&format!("SELECT {ITEM_COLUMNS} FROM items ORDER BY id"))?;
        let mut found = stmt.query([])?;
        while let Some(r) = found.next()? {
            let it = rows::item(r)?;
            let id = it.id();
            let facts = ItemFacts {
                requester: it.requester,
                state: it.state,
                // Times as stored, so the replay holds exactly the table's text.
                state_since: rows::text(r, 24),
                created_at: rows::text(r, 25),
                updated_at: rows::text(r, 26),
                version: it.version,
                round: it.round,
                granted_method: it.granted_method,
                emergency: it.emergency,
                emergency_by: it.emergency_by,
                retro_due: rows::opt_text(r, 32),
                manual_block: it.manual_block,
                last_reason: it.last_reason,
                parties: it.parties,
                rotation: it.rotation.map(|r| r.as_str().to_string()),
                extension: it
                    .extension
                    .as_deref()
                    .map(crate::store::extend::StoredExtension::from),
                approvals: approvals.remove(&it.rowid).unwrap_or_default(),
                review: rows::opt_text(r, 37),
                routing: RoutingFacts {
                    granted_by: it.granted_by,
                    verify_reference: it.verify_reference.map(Into::into),
                    delegates: it.delegates,
                },
                fields: it.fields,
                life: None,
                last_seq: 0,
            };
            add(Some(&it.project), Some(&id), "items", &id, json!(facts))?;
            ids.insert(it.rowid, id);
        }
    }
    for (key, project, t) in tasks(&tx, &ids)? {
        add(Some(&project), None, "tasks", &key, json!(t))?;
    }
    let range = seqs.first().zip(seqs.last()).map(|(a, b)| (*a, *b));
    tx.execute("DELETE FROM meta WHERE key = ?1", [PENDING])?;
    let note = match range {
        Some((a, b)) => format!("seq {a} to {b} at {}", events::ts(now)),
        None => format!("no rows at {}", events::ts(now)),
    };
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('baseline', ?1)",
        [note],
    )?;
    tx.commit()?;
    Ok(range)
}

/// A `people` row as the replay's facts (columns from 1 on; 0 is the login).
fn person(r: &Row<'_>) -> PersonFacts {
    PersonFacts {
        name: rows::text(r, 1),
        roles: rows::text(r, 2),
        created_at: rows::text(r, 3),
        active: true,
    }
}

/// A `projects` row as the replay's facts (columns from 1 on; 0 is the key).
fn project(r: &Row<'_>) -> ProjectFacts {
    ProjectFacts {
        name: rows::text(r, 1),
        client: rows::text(r, 2),
        start_date: rows::text(r, 3),
        tz: rows::text(r, 4),
        coordinator: rows::text(r, 5),
        closed_at: rows::opt_text(r, 6),
        // Made after the baseline's time: no file that needs one has a freeze.
        frozen_start: None,
        next_item: rows::int(r, 7),
        next_task: rows::int(r, 8),
        created_at: rows::text(r, 9),
    }
}

/// The rows `sql` selects, each named by its first column (a text key) and read by
/// `read`.
fn by_key<F>(tx: &Connection, sql: &str, read: impl Fn(&Row<'_>) -> F) -> Result<Vec<(String, F)>> {
    let mut stmt = tx.prepare(sql)?;
    let found = stmt.query_map([], |r| Ok((rows::text(r, 0), read(r))))?;
    Ok(found.collect::<rusqlite::Result<_>>()?)
}

/// Every approval row (of every round), by item row id.
fn approvals(tx: &Connection) -> Result<HashMap<i64, Vec<ApprovalFacts>>> {
    let mut out: HashMap<i64, Vec<ApprovalFacts>> = HashMap::new();
    let mut stmt = tx.prepare(
        "SELECT item_id, round, login, capacity, conditions, at, terms FROM approvals ORDER BY id",
    )?;
    let mut found = stmt.query([])?;
    while let Some(r) = found.next()? {
        out.entry(rows::int(r, 0)).or_default().push(ApprovalFacts {
            round: rows::int(r, 1),
            login: rows::text(r, 2),
            capacity: rows::text(r, 3).parse().unwrap_or(Capacity::Owner),
            conditions: rows::opt_text(r, 4),
            at: rows::text(r, 5),
            terms: rows::opt_text(r, 6),
        });
    }
    Ok(out)
}

/// Every task with its project and the ids of the items it needs.
fn tasks(tx: &Connection, ids: &HashMap<i64, String>) -> Result<Vec<(String, String, TaskFacts)>> {
    let mut needs: HashMap<i64, BTreeSet<String>> = HashMap::new();
    {
        let mut stmt = tx.prepare("SELECT task_id, item_id FROM task_needs")?;
        let mut found = stmt.query([])?;
        while let Some(r) = found.next()? {
            let item = rows::int(r, 1);
            let id = ids
                .get(&item)
                .cloned()
                .unwrap_or_else(|| item_id("?", item));
            needs.entry(rows::int(r, 0)).or_default().insert(id);
        }
    }
    let mut stmt = tx.prepare(
        "SELECT id, project, number, title, start_date, created_at, started_on, done_on FROM tasks ORDER BY id",
    )?;
    let found = stmt.query_map([], |r| {
        let project = rows::text(r, 1);
        Ok((
            format!("{project}-T{}", rows::int(r, 2)),
            project,
            TaskFacts {
                title: rows::text(r, 3),
                start_date: rows::opt_text(r, 4),
                created_at: rows::text(r, 5),
                needs: needs.get(&rows::int(r, 0)).cloned().unwrap_or_default(),
                started_on: rows::opt_text(r, 6),
                done_on: rows::opt_text(r, 7),
            },
        ))
    })?;
    Ok(found.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{initialised, me};

    /// Marks a file as written before the log recorded every value.
    fn mark_pending(path: &std::path::Path, kind: Option<&str>) {
        let mut conn = Connection::open(path).unwrap();
        let tx = conn.transaction().unwrap();
        tx.execute("INSERT INTO meta (key, value) VALUES (?1, 'x')", [PENDING])
            .unwrap();
        if let Some(kind) = kind {
            let ctx = Ctx {
                now: Utc::now(),
                me: me(),
                settings: Settings::default(),
            };
            events::append(&tx, &ctx, None, None, kind, &json!({})).unwrap();
        }
        tx.commit().unwrap();
    }

    #[test]
    fn a_pending_baseline_is_written_once_at_open_and_the_replay_starts_there() {
        let (_dir, path, s) = initialised("b.db");
        assert_eq!(s.replay_check().unwrap().from_seq, 1);
        drop(s);
        mark_pending(&path, None);
        let s = Store::open_as(&path, me()).unwrap();
        let r = s.replay_check().unwrap();
        assert!(r.ok(), "{:?}", r.problems());
        // One person registered: one baseline event after the person event.
        assert_eq!((r.from_seq, r.events), (2, 1));
        assert!(!pending(&s.conn).unwrap());
    }

    #[test]
    fn a_keyed_log_waits_for_the_key_before_its_baseline() {
        let (_dir, path, s) = initialised("k.db");
        drop(s);
        mark_pending(&path, Some("chain-keyed"));
        let mut s = Store::open_as(&path, me()).unwrap();
        let r = s.replay_check().unwrap();
        assert!(
            r.problems()[0].contains("no baseline in the log yet"),
            "{:?}",
            r.problems()
        );
        assert_eq!(s.write_baseline().unwrap(), Some((3, 3)));
        assert_eq!(s.write_baseline().unwrap(), None);
        let r = s.replay_check().unwrap();
        assert!(r.ok(), "{:?}", r.problems());
        assert_eq!(r.from_seq, 3);
    }
}
