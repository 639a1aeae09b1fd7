//! Undoing a decision in the store: the item's last event is read in the write
//! transaction, the domain decides whether it may be undone (`domain::undo`), and the
//! undo is stored as a move of its own: the item row, the withdrawn approval taken out
//! of its round, and an `undo` event naming the event it undoes.

use super::error::Result;
use super::events::{self, EVENT_COLUMNS};
use super::handle::Store;
use super::records::{check_version, load_item, load_project, not_found, store_transition};
use crate::domain::undo::{self, Undone};
use crate::domain::{Item, parse_item_id};
use rusqlite::{OptionalExtension, params};

impl Store {
    /// Undoes the last decision on item `id` (an approval, a denial or a return made
    /// by the acting person moments ago), based on `version`, the version that
    /// decision left. Returns the item as it is now, its round's approvals included.
    pub fn undo(&mut self, id: &str, version: i64) -> Result<Item> {
        let key = parse_item_id(id).map(|(k, _)| k).unwrap_or_default();
        let (me, login) = (self.my_person()?, self.me.login.clone());
        self.write(Some(&key), Some(id), |tx, ctx| {
            let before = load_item(tx, id)?;
            check_version(&before, version, tx)?;
            let last = tx
                .prepare_cached(&format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE item = ?1 ORDER BY seq DESC LIMIT 1"
                ))?
                .query_row([before.id()], events::from_row)
                .optional()?
                .ok_or_else(|| not_found(&format!("no event of {id}")))?;
            let at = last
                .at_utc()
                .ok_or_else(|| not_found(&format!("the time of the last event of {id}")))?;
            let undone = Undone {
                seq: last.seq,
                kind: &last.kind,
                login: &last.login,
                at,
                payload: &last.payload,
            };
            let p = load_project(tx, &before.project)?;
            let u = undo::undo(&before, &p, &undone, me.as_ref(), &login, ctx.now)?;
            if let Some(a) = &u.withdrawn {
                tx.prepare_cached(
                    "DELETE FROM approvals WHERE item_id = ?1 AND round = ?2 AND login = ?3 AND at = ?4",
                )?
                .execute(params![before.rowid, before.round, a.login, events::ts(a.at)])?;
            }
            store_transition(tx, ctx, &p, &before, u.transition)?;
            load_item(tx, id)
        })
    }
}
