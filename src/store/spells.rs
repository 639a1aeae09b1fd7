//! Closed blocking spells as they are written: the change that ends a spell (see
//! `domain::spells`) records it in its event's payload (`spell_ended`: when it began
//! and what blocked) and as a row of `blocker_spells` in the same transaction, so the
//! report reads how long blockers lasted without replaying history, and `audit verify`
//! rebuilds every row from the payloads (`replay::spells`).

use super::error::Result;
use super::events::{self, ts};
use super::handle::Ctx;
use crate::domain::spells::{self, EndedSpell};
use crate::domain::{Item, Project};
use rusqlite::{Connection, params};
use serde_json::{Value, json};

/// The payload field of the event that ended a spell.
pub const FIELD: &str = "spell_ended";

/// The spell that the change from `before` to `after` ends, at the context's moment.
pub(super) fn ended(before: &Item, after: &Item, p: &Project, ctx: &Ctx) -> Option<EndedSpell> {
    spells::ended_by_change(before, after, p, ctx.now, ctx.settings)
}

/// Appends the event of a change to `item` (row id `rowid`) and, when the change ended
/// a spell, says so in its payload and keeps the spell. Returns the event's seq.
pub(super) fn append(
    tx: &Connection,
    ctx: &Ctx,
    (item, rowid): (&Item, i64),
    kind: &str,
    mut payload: Value,
    ended: Option<EndedSpell>,
) -> Result<i64> {
    // Only an object payload can carry the spell; every move's is one.
    let ended = ended.filter(|_| payload.is_object());
    if let (Some(s), Value::Object(map)) = (&ended, &mut payload) {
        map.insert(
            FIELD.into(),
            json!({"since": ts(s.since), "reasons": s.reasons}),
        );
    }
    let id = item.id();
    let seq = events::append(tx, ctx, Some(&item.project), Some(&id), kind, &payload)?;
    if let Some(s) = ended {
        tx.prepare_cached(
            "INSERT INTO blocker_spells (seq, item_id, since, until, reasons) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![seq, rowid, ts(s.since), ts(s.until), s.reasons.join(",")])?;
    }
    Ok(seq)
}
