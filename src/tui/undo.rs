//! Undo in the screen: after an approval, a denial or a return made here, `u` takes it
//! back for [`UNDO_SECONDS`] seconds. The app keeps a ticket for the decision (which
//! item, the version the decision left, when); the store and the domain decide again
//! whether the undo is allowed (`domain::undo`), so the ticket only says what to offer.

use super::app::App;
use super::state::StatusKind;
use crate::domain::State;
use crate::domain::machine::ActionKind;
use crate::domain::undo::{UNDO_SECONDS, within_window};
use chrono::{DateTime, Utc};

/// What the status line adds after an undoable decision.
pub(super) fn hint() -> String {
    format!(" u undoes it for {UNDO_SECONDS} s.")
}

impl App {
    /// May the decision just made still be undone (by the clock of the store)?
    pub(super) fn may_undo(&self) -> bool {
        self.undo
            .as_ref()
            .is_some_and(|t| within_window(t.at, self.store.now()))
    }

    /// Has the time to undo the last decision run out (the event loop then redraws,
    /// so `u` leaves the footer)?
    pub fn undo_expired(&self, now: DateTime<Utc>) -> bool {
        self.undo
            .as_ref()
            .is_some_and(|t| !within_window(t.at, now))
    }

    /// Undoes the decision of the ticket through the store, item by item.
    pub(super) fn undo_last(&mut self) {
        let Some(t) = self.undo.take() else {
            return self.set_status(StatusKind::Info, "Nothing to undo.");
        };
        let what = match t.kind {
            ActionKind::Approve => "your approval",
            ActionKind::Deny => "your denial",
            _ => "your return",
        };
        if let [(id, version)] = t.items.as_slice() {
            match self.store.undo(id, *version) {
                Ok(item) => {
                    let back = match item.state {
                        State::Requested => {
                            let (given, required) = item.approval_progress();
                            format!("requested again, {given}/{required} approvals")
                        }
                        s => format!("{s} again"),
                    };
                    self.set_status(
                        StatusKind::Done,
                        format!(
                            "Undid {what} of {}: {back}. Both are in its history.",
                            item.id()
                        ),
                    );
                    self.refresh();
                }
                Err(e) => self.show_error(e),
            }
            return;
        }
        let (mut undone, mut kept) = (Vec::new(), Vec::new());
        for (id, version) in &t.items {
            match self.store.undo(id, *version) {
                Ok(_) => undone.push(id.as_str()),
                Err(crate::store::Error::Refused(r)) => kept.push(format!("{id} ({})", r.rule)),
                Err(crate::store::Error::Conflict(_)) => kept.push(format!("{id} (changed since)")),
                Err(e) => kept.push(format!("{id} ({e})")),
            }
        }
        let mut text = format!(
            "Undid {what} of {} item(s): {}.",
            undone.len(),
            undone.join(", ")
        );
        if !kept.is_empty() {
            text.push_str(&format!(" Not undone: {}.", kept.join(", ")));
        }
        let kind = if kept.is_empty() {
            StatusKind::Done
        } else {
            StatusKind::Refused
        };
        self.set_status(kind, text);
        self.refresh();
    }
}
