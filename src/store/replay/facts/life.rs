//! What an item's life columns (schema 16) must hold: from every event of the log,
//! whatever baseline the rest of the replay starts from, the earliest time the item
//! entered each state on its way to ready (`submit`, `approve`, `grant`, `verify`,
//! `break-glass`, by the state their payload names) and its first `revoke` and
//! `cancel`. The store writes them with each event (`store::life`); this derives them
//! again so a column changed behind accessdesk's back shows as a divergence.

use super::{EventIn, Facts};
use crate::store::life::{column_of, number_in};
use serde::Deserialize;

/// An item's life as the log has it: each time as the event stored it, in the order of
/// `store::life::COLUMNS`.
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

/// Which column an event sets, if any (the rule of `store::life`).
fn slot(e: &EventIn<'_>) -> Option<usize> {
    column_of(e.kind, || {
        serde_json::from_str::<To<'_>>(e.payload).ok()?.to
    })
}

impl Facts {
    /// Notes what `e` tells of its item's life (any event, in any order: the
    /// earliest time counts).
    pub fn note_life(&mut self, e: &EventIn<'_>) {
        let (Some(project), Some(item)) = (e.project, e.item) else {
            return;
        };
        let Some(i) = slot(e) else { return };
        if number_in(project, item).is_none() {
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
