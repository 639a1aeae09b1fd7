//! What an item's life columns (schema 16) must hold: from every event of the log,
//! whatever baseline the rest of the replay starts from, the earliest time the item
//! entered each state on its way to ready (`submit`, `approve`, `grant`, `verify`,
//! `break-glass`, by the state their payload names) and its first `revoke` and
//! `cancel`. The schema's trigger writes them as events are written; this derives them
//! again so a column changed behind accessdesk's back shows as a divergence.

use super::{EventIn, Facts};
use serde::Deserialize;

/// The life columns of `items`, in the order of [`Life::cells`].
pub const COLUMNS: [&str; 6] = [
    "submitted_at",
    "approved_at",
    "granted_at",
    "verified_at",
    "revoked_at",
    "cancelled_at",
];

/// An item's life as the log has it: each time as the event stored it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Life(pub [Option<Box<str>>; 6]);

impl Life {
    pub fn cells(&self) -> &[Option<Box<str>>; 6] {
        &self.0
    }
}

/// The state a forward event's payload names (`to`); nothing when it cannot be read.
#[derive(Deserialize)]
struct To<'a> {
    #[serde(borrow)]
    to: Option<&'a str>,
}

/// Which column an event sets, if any.
fn slot(e: &EventIn<'_>) -> Option<usize> {
    match e.kind {
        "revoke" => Some(4),
        "cancel" => Some(5),
        "submit" | "approve" | "grant" | "verify" | "break-glass" => {
            let to = serde_json::from_str::<To<'_>>(e.payload).ok()?.to?;
            ["requested", "approved", "granted", "verified"]
                .iter()
                .position(|s| *s == to)
        }
        _ => None,
    }
}

/// Whether `item` is `project-N` written as the store writes it (the item the
/// schema's trigger finds).
fn names_item_of(item: &str, project: &str) -> bool {
    let Some(n) = item.strip_prefix(project).and_then(|n| n.strip_prefix('-')) else {
        return false;
    };
    n.parse::<i64>().is_ok_and(|v| v.to_string() == n)
}

impl Facts {
    /// Notes what `e` tells of its item's life (any event, in any order: the
    /// earliest time counts).
    pub fn note_life(&mut self, e: &EventIn<'_>) {
        let (Some(project), Some(item)) = (e.project, e.item) else {
            return;
        };
        let Some(i) = slot(e) else { return };
        if !names_item_of(item, project) {
            return;
        }
        let Some(it) = self.items.get_mut(item) else {
            return;
        };
        let life = it.life.get_or_insert_with(Default::default);
        let cell = &mut life.0[i];
        if cell.as_deref().is_none_or(|t| e.at < t) {
            *cell = Some(e.at.into());
        }
    }
}
