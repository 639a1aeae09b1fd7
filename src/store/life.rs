//! Each item's life kept on its row (schema 16): the earliest time it entered
//! `requested`, `approved`, `granted` and `verified` on its way to ready (by the state
//! a `submit`, `approve`, `grant`, `verify` or `break-glass` event names), and its
//! first `revoke` and `cancel`. Written with the event, in its transaction, so the
//! report reads no event per item; `audit verify` derives the same from the whole log
//! with the same rule (`replay::facts::life`) and compares.
//!
//! Every event is written through `events::append` but the `item-add` events of an
//! import, which set none of these.

use super::error::Result;
use rusqlite::{Connection, params};

/// The life columns of `items`, in order.
pub(crate) const COLUMNS: [&str; 6] = [
    "submitted_at",
    "approved_at",
    "granted_at",
    "verified_at",
    "revoked_at",
    "cancelled_at",
];

/// Which of [`COLUMNS`] an event of `kind` sets, if any; `to` gives the state its
/// payload names (asked only of the kinds that move an item forward).
pub(crate) fn column_of<'a>(kind: &str, to: impl FnOnce() -> Option<&'a str>) -> Option<usize> {
    match kind {
        "revoke" => Some(4),
        "cancel" => Some(5),
        "submit" | "approve" | "grant" | "verify" | "break-glass" => {
            let to = to()?;
            ["requested", "approved", "granted", "verified"]
                .iter()
                .position(|s| *s == to)
        }
        _ => None,
    }
}

/// The number of `item` when it is `project-N` written as the store writes it (a
/// positive number without sign or leading zeros): the one reading of an item id that
/// the writer and the replay share.
pub(crate) fn number_in(project: &str, item: &str) -> Option<i64> {
    let n = item.strip_prefix(project)?.strip_prefix('-')?;
    let v: i64 = n.parse().ok()?;
    (v > 0 && v.to_string() == n).then_some(v)
}

/// Keeps what an event being written tells of its item's life (the earliest time
/// counts, as in the replay).
pub(crate) fn keep(
    tx: &Connection,
    (project, item): (Option<&str>, Option<&str>),
    kind: &str,
    payload: &serde_json::Value,
    at: &str,
) -> Result<()> {
    let Some(i) = column_of(kind, || payload.get("to")?.as_str()) else {
        return Ok(());
    };
    let (Some(p), Some(id)) = (project, item) else {
        return Ok(());
    };
    let Some(n) = number_in(p, id) else {
        return Ok(());
    };
    let col = COLUMNS[i];
    let kept = tx
        .prepare_cached(&format!(
            "UPDATE items SET {col} = ?3 WHERE project = ?1 AND number = ?2 AND ({col} IS NULL OR {col} > ?3)"
        ))?
        .execute(params![p, n, at])?;
    // The item's facts hold its life (`store::facts`): packed again from the row.
    if kept > 0 {
        super::facts::refresh(tx, "project = ?1 AND number = ?2", params![p, n])?;
    }
    Ok(())
}
