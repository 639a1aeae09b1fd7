//! Copying to the clipboard: `y` the selected item's nudge, `Y` its id. The text goes
//! to the terminal as OSC 52 (crossterm's `CopyToClipboard`), which works over SSH
//! and, with `set -g set-clipboard on`, inside tmux. `update` only leaves the text in
//! the app; the event loop writes it to the terminal, so tests read it back with
//! [`App::take_clipboard`].

use super::app::App;
use super::state::StatusKind;
use crate::domain::nudge::Nudge;
use crate::present;

impl App {
    /// The nudge for the selected item (in the detail view, its item), as of now.
    pub(crate) fn selected_nudge(&self) -> Option<Nudge> {
        let v = self.selected()?;
        let p = self.project_of(&v.item)?;
        present::nudge(&v, p, &self.people, self.now)
    }

    pub(super) fn copy_nudge(&mut self) {
        let Some(id) = self.selected_id() else {
            return self.set_status(StatusKind::Info, "No item is selected.");
        };
        match self.selected_nudge() {
            Some(n) => {
                self.clipboard = Some(n.text());
                self.set_status(
                    StatusKind::Done,
                    format!(
                        "Copied the nudge for {id} (to {}) to the clipboard; paste it into a mail or chat.",
                        n.to
                    ),
                );
            }
            None => self.set_status(
                StatusKind::Info,
                format!("Nothing to copy: {id} waits on no one, so there is no nudge."),
            ),
        }
    }

    pub(super) fn copy_id(&mut self) {
        let Some(id) = self.selected_id() else {
            return self.set_status(StatusKind::Info, "No item is selected.");
        };
        self.clipboard = Some(id.clone());
        self.set_status(StatusKind::Done, format!("Copied {id} to the clipboard."));
    }

    /// The text copied since the last call, for the terminal (and for tests).
    pub fn take_clipboard(&mut self) -> Option<String> {
        self.clipboard.take()
    }
}
