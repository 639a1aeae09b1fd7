//! The end of access in the store: the overdue retrospectives the break-glass rule
//! looks at, the revocation a retrospective's outcome asks for, the checklist closing a
//! project leaves, reopening a project and moving its start. Every rule is the
//! domain's (`domain::lifecycle`); this only reads and writes what it needs.

use super::error::Result;
use super::events::{self, ts};
use super::handle::{Ctx, Store};
use super::records::{date_text, load_project, store_transition};
use super::rows::{self, ITEM_COLUMNS};
use crate::domain::lifecycle::{self, Checklist, OverdueRetro, RetroOutcome};
use crate::domain::machine::{self, Action, Actor};
use crate::domain::{Item, Project, blockers, item_id};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;
use std::collections::HashMap;

/// The items on which `login` broke the glass and whose retrospective is past due.
pub(super) fn overdue_retros(
    conn: &Connection,
    login: &str,
    now: DateTime<Utc>,
) -> Result<Vec<OverdueRetro>> {
    let mut stmt = conn.prepare_cached(
        "SELECT project, number, system, retro_due FROM items \
         WHERE emergency_by = ?1 AND retro_due IS NOT NULL AND retro_due < ?2 ORDER BY retro_due",
    )?;
    let rows = stmt.query_map(params![login, ts(now)], |r| {
        Ok(OverdueRetro {
            id: item_id(&rows::text(r, 0), rows::int(r, 1)),
            system: rows::text(r, 2),
            due: rows::time(r, 3).unwrap_or(now),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What the store checks before a move, beyond the item itself: whoever breaks glass
/// has no overdue retrospective open.
pub(super) fn before_move(tx: &Connection, ctx: &Ctx, action: &Action) -> Result<()> {
    if let Action::BreakGlass { .. } = action {
        let overdue = overdue_retros(tx, &ctx.me.login, ctx.now)?;
        lifecycle::may_break_glass(&ctx.me.login, &overdue)?;
    }
    Ok(())
}

/// What follows a stored move: a retrospective concluded `revoke` revokes the access,
/// recorded as its own `revoke` event so the log and the measures read it as any other.
pub(super) fn after_move(
    tx: &Connection,
    ctx: &Ctx,
    p: &Project,
    action: &Action,
    item: Item,
    actor: Actor<'_>,
) -> Result<Item> {
    let Action::CloseRetro {
        note,
        outcome: RetroOutcome::Revoke,
    } = action
    else {
        return Ok(item);
    };
    let revoke = Action::Revoke {
        note: format!("revoked as the break-glass retrospective concluded: {note}"),
    };
    let t = machine::apply(&item, p, &revoke, actor, &ctx.me.login, ctx.now)?;
    store_transition(tx, ctx, p, &item, t)
}

/// The items of a project, with no approvals (the checklist needs none).
fn project_items(conn: &Connection, key: &str) -> Result<Vec<Item>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS} FROM items WHERE project = ?1 ORDER BY number"
    ))?;
    Ok(stmt
        .query_map([key], rows::item)?
        .collect::<rusqlite::Result<_>>()?)
}

/// The ready-before-start freeze of each project that has one (its start was moved
/// after it was reached).
pub(super) fn frozen_starts(conn: &Connection) -> Result<HashMap<String, NaiveDate>> {
    let mut stmt = conn
        .prepare_cached("SELECT key, frozen_start FROM projects WHERE frozen_start IS NOT NULL")?;
    let rows = stmt.query_map([], |r| Ok((rows::text(r, 0), rows::date(r, 1))))?;
    let mut out = HashMap::new();
    for row in rows {
        if let (key, Some(d)) = row? {
            out.insert(key, d);
        }
    }
    Ok(out)
}

/// Records a change of project `key`.
fn project_event(
    tx: &Connection,
    ctx: &Ctx,
    key: &str,
    kind: &str,
    v: serde_json::Value,
) -> Result<()> {
    events::append(tx, ctx, Some(key), None, kind, &v).map(|_| ())
}

impl Store {
    /// What closing project `key` leaves to do (as if it were closed now, when open).
    pub fn closing_checklist(&self, key: &str) -> Result<Checklist> {
        let p = load_project(&self.conn, key)?;
        let items = project_items(&self.conn, &p.key)?;
        Ok(lifecycle::checklist(&p, &items))
    }

    /// Reopens a project closed by mistake (recorded).
    pub fn reopen_project(&mut self, key: &str) -> Result<Project> {
        self.manage_check("reopening a project")?;
        let key = key.to_ascii_uppercase();
        self.write(Some(&key), None, |tx, ctx| {
            let p = load_project(tx, &key)?;
            lifecycle::check_reopen(&p)?;
            tx.execute(
                "UPDATE projects SET closed_at = NULL WHERE key = ?1",
                [&key],
            )?;
            project_event(
                tx,
                ctx,
                &key,
                "project-reopen",
                json!({"closed_at": p.closed_at}),
            )?;
            load_project(tx, &key)
        })
    }

    /// Moves a project's planned start (recorded). Needed-by dates left to the start
    /// move with it; the ready-before-start freeze follows `lifecycle::move_start`.
    /// Returns the project and the date readiness is frozen at, if any.
    pub fn move_project_start(
        &mut self,
        key: &str,
        start: NaiveDate,
    ) -> Result<(Project, Option<NaiveDate>)> {
        self.manage_check("moving a project's start")?;
        let key = key.to_ascii_uppercase();
        self.write(Some(&key), None, |tx, ctx| {
            let p = load_project(tx, &key)?;
            let frozen: Option<NaiveDate> = tx
                .query_row(
                    "SELECT frozen_start FROM projects WHERE key = ?1",
                    [&key],
                    |r| Ok(rows::date(r, 0)),
                )
                .optional()?
                .flatten();
            let today = blockers::today(&p, ctx.now);
            let freeze = lifecycle::move_start(&p, frozen, start, today)?;
            tx.execute(
                "UPDATE projects SET start_date = ?1, frozen_start = ?2 WHERE key = ?3",
                params![date_text(Some(start)), date_text(freeze), key],
            )?;
            let change = json!({"fields": {"start": [p.start, start]}, "frozen_start": freeze});
            project_event(tx, ctx, &key, "project-edit", change)?;
            Ok((load_project(tx, &key)?, freeze))
        })
    }
}
