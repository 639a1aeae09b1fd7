//! Decisions on several queue items at once: Space picks items (at the version shown),
//! `a` approves the standard ones among them (an item with any review flag needs its
//! own review and is skipped, and the result says so), `d` and `r` deny or return
//! every picked item with one reason. Each item goes through the same store move as a
//! single decision (`Store::act`, the domain's `machine::apply`) with its own version
//! check, so an item someone changed meanwhile is reported, never overwritten, and the
//! others are still decided: the result is told per item, not all or nothing.

use super::app::App;
use super::form::{Form, Purpose};
use super::state::{Confirm, Modal, OnYes, Pane, Pick, StatusKind};
use crate::domain::machine::{Action, ActionKind};
use crate::store;

/// What became of each picked item, in the order they were decided.
#[derive(Default)]
struct Outcome {
    done: Vec<String>,
    flagged: Vec<String>,
    changed: Vec<String>,
    refused: Vec<String>,
    failed: Vec<String>,
}

impl App {
    /// How many queue items are picked for a decision on several at once.
    pub fn picked_count(&self) -> usize {
        self.picked.len()
    }

    /// Whether the keys act on the picked items: the queue shows, with a pick.
    pub(super) fn bulk_mode(&self) -> bool {
        !self.picked.is_empty() && self.detail.is_none() && self.pane == Pane::Queue
    }

    /// Picks or drops the queue's current item and moves to the next one.
    pub(super) fn toggle_pick(&mut self) {
        if self.pane != Pane::Queue || self.detail.is_some() {
            return;
        }
        let Some(v) = self.selected() else { return };
        let (rowid, id, version) = (v.item.rowid, v.item.id(), v.item.version);
        match self.picked.iter().position(|p| p.rowid == rowid) {
            Some(i) => {
                self.picked.remove(i);
            }
            None => self.picked.push(Pick { rowid, id, version }),
        }
        let len = self.pane_len(Pane::Queue);
        let c = &mut self.cursors[Pane::Queue.index()];
        c.selected = (c.selected + 1).min(len.saturating_sub(1));
        self.clamp_cursors();
        let n = self.picked.len();
        if n == 0 {
            self.set_status(StatusKind::Info, "Nothing selected.");
        } else {
            self.set_status(
                StatusKind::Info,
                format!(
                    "{n} selected: a approves the standard ones, d denies, r returns (one reason for all); Esc clears."
                ),
            );
        }
    }

    pub(super) fn clear_picks(&mut self) {
        self.picked.clear();
        self.set_status(StatusKind::Info, "Selection cleared; nothing was changed.");
    }

    /// Starts a decision on the picked items.
    pub(super) fn start_bulk(&mut self, kind: ActionKind, with_conditions: bool) {
        match kind {
            ActionKind::Approve if !with_conditions => self.bulk_approve(),
            ActionKind::Deny | ActionKind::Return => self.bulk_form(kind),
            _ => self.bulk_only(),
        }
    }

    /// Any other move waits until the selection is cleared.
    pub(super) fn bulk_only(&mut self) {
        self.set_status(
            StatusKind::Info,
            "With items selected, a approves, d denies and r returns them; Esc clears the selection to act on one item.",
        );
    }

    /// Approves the picked items without a review flag; the flagged ones are skipped.
    fn bulk_approve(&mut self) {
        let mut flagged = Vec::new();
        let mut targets = Vec::new();
        for p in &self.picked {
            // The row's risk rank is the domain's answer to whether it needs a
            // security review, worked out when the row was read; an item no longer
            // listed is held back rather than approved unseen.
            let needs_review = self.views.view(p.rowid).is_none_or(|v| v.risk != 4);
            if needs_review {
                flagged.push(p.id.clone());
            } else {
                targets.push((p.id.clone(), p.version));
            }
        }
        self.run_bulk(
            ActionKind::Approve,
            &Action::Approve { conditions: None },
            targets,
            flagged,
        );
    }

    /// The reason form for denying or returning every picked item.
    fn bulk_form(&mut self, kind: ActionKind) {
        let first = self
            .picked
            .first()
            .filter(|p| self.views.view(p.rowid).is_some())
            .and_then(|p| self.store.item(&p.id).ok());
        let Some(first) = first else {
            return self.set_status(StatusKind::Info, "The selected items are no longer loaded.");
        };
        let Some(mut form) = Form::for_move(&first, kind, false) else {
            return;
        };
        let n = self.picked.len();
        form.title = format!(
            "{} {n} selected item{}: {}",
            if kind == ActionKind::Deny {
                "Deny"
            } else {
                "Return for changes"
            },
            if n == 1 { "" } else { "s" },
            ids(self.picked.iter().map(|p| p.id.as_str()))
        );
        form.purpose = Purpose::Bulk {
            kind,
            targets: self
                .picked
                .iter()
                .map(|p| (p.id.clone(), p.version))
                .collect(),
        };
        self.modal = Some(Modal::Form(Box::new(form)));
    }

    /// The reason form was saved: deny asks to confirm first, return is made at once.
    pub(super) fn save_bulk(
        &mut self,
        form: Box<Form>,
        kind: ActionKind,
        targets: Vec<(String, i64)>,
    ) {
        let Some(action) = form.action() else { return };
        if kind.is_irreversible() {
            self.modal = Some(Modal::Confirm(Confirm {
                prompt: format!(
                    "Deny {} selected item{} ({})? u undoes it for a few seconds after.",
                    targets.len(),
                    if targets.len() == 1 { "" } else { "s" },
                    ids(targets.iter().map(|(id, _)| id.as_str()))
                ),
                form: Some(form),
                then: OnYes::Bulk {
                    kind,
                    action,
                    targets,
                },
            }));
        } else {
            self.run_bulk(kind, &action, targets, Vec::new());
        }
    }

    /// Makes `action` on each target at its own version and reports each result.
    pub(super) fn run_bulk(
        &mut self,
        kind: ActionKind,
        action: &Action,
        targets: Vec<(String, i64)>,
        flagged: Vec<String>,
    ) {
        let mut out = Outcome {
            flagged,
            ..Outcome::default()
        };
        let mut decided = Vec::new();
        for (id, version) in targets {
            match self.store.act(&id, action, Some(version)) {
                Ok(item) => {
                    decided.push((id.clone(), item.version));
                    out.done.push(id);
                }
                Err(store::Error::Conflict(_)) => out.changed.push(id),
                Err(store::Error::Refused(r)) => out.refused.push(format!("{id} ({})", r.rule)),
                Err(store::Error::Busy(_)) => out.failed.push(format!("{id} (database busy)")),
                Err(e) => out.failed.push(format!("{id} ({e})")),
            }
        }
        self.picked.clear();
        self.refresh();
        let kind_of = if !out.changed.is_empty() || !out.failed.is_empty() {
            StatusKind::Error
        } else if !out.flagged.is_empty() || !out.refused.is_empty() {
            StatusKind::Refused
        } else {
            StatusKind::Done
        };
        let mut text = report(kind, &out);
        self.undo = (!decided.is_empty()).then(|| super::state::Ticket {
            items: decided,
            kind,
            at: self.store.now(),
        });
        if self.undo.is_some() {
            text.push_str(&super::undo::hint());
        }
        self.set_status(kind_of, text);
    }
}

fn ids<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    ids.collect::<Vec<_>>().join(", ")
}

/// The result, item by item, grouped by what became of them (compact enough for the
/// status lines of an 80x24 screen).
fn report(kind: ActionKind, o: &Outcome) -> String {
    let total = o.done.len() + o.flagged.len() + o.changed.len() + o.refused.len() + o.failed.len();
    let verb = match kind {
        ActionKind::Approve => "Approved",
        ActionKind::Deny => "Denied",
        _ => "Returned",
    };
    let list = |v: &[String]| ids(v.iter().map(String::as_str));
    let mut parts = vec![if o.done.is_empty() {
        format!("{verb} none of {total}.")
    } else {
        format!("{verb} {} of {total}: {}.", o.done.len(), list(&o.done))
    }];
    if !o.flagged.is_empty() {
        parts.push(format!(
            "Skipped, flagged for security review (decide each on its own): {}.",
            list(&o.flagged)
        ));
    }
    if !o.changed.is_empty() {
        parts.push(format!(
            "Not done, changed by someone else since you selected it (nothing overwritten; look again): {}.",
            list(&o.changed)
        ));
    }
    if !o.refused.is_empty() {
        parts.push(format!("Refused: {}.", list(&o.refused)));
    }
    if !o.failed.is_empty() {
        parts.push(format!("Not done: {}.", list(&o.failed)));
    }
    parts.join(" ")
}
