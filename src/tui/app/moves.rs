//! Moves on items and the forms around them: checking a move before offering its
//! form, asking before the irreversible ones, making it through the store on the
//! version the screen showed, and saving the add and edit forms (a credential in a
//! field is refused and counted, never sent).

use super::{App, Confirm, Modal, StatusKind};
use crate::domain::State;
use crate::domain::machine::{Action, ActionKind};
use crate::store;
use crate::tui::form::{Form, Purpose};

impl App {
    pub(super) fn new_item(&mut self) {
        if !self.can_add() {
            self.set_status(
                StatusKind::Refused,
                "refused (role-required): adding items needs the role admin or coordinator",
            );
            return;
        }
        let open: Vec<String> = self
            .projects
            .iter()
            .filter(|p| p.closed_at.is_none())
            .map(|p| p.key.clone())
            .collect();
        let scope = self
            .scope
            .as_deref()
            .filter(|s| open.iter().any(|k| k == s));
        self.modal = Some(Modal::Form(Box::new(Form::add(
            &open,
            scope,
            &self.people,
            &self.login,
        ))));
    }

    pub(super) fn explain(&mut self, kind: ActionKind) {
        match self.refusal(kind) {
            None => self.set_status(StatusKind::Info, "no item selected"),
            Some(Err(r)) => self.set_status(
                StatusKind::Refused,
                format!("refused ({}): {}", r.rule, r.message),
            ),
            // Things changed since the key was looked up: the move is allowed now.
            Some(Ok(())) => self.start_move(kind, false),
        }
    }

    /// Starts a move on the selected item: checks it, then opens its form, asks for
    /// confirmation or makes it.
    pub(super) fn start_move(&mut self, kind: ActionKind, with_conditions: bool) {
        match self.refusal(kind) {
            None => return self.set_status(StatusKind::Info, "no item selected"),
            Some(Err(r)) => {
                return self.set_status(
                    StatusKind::Refused,
                    format!("refused ({}): {}", r.rule, r.message),
                );
            }
            Some(Ok(())) => {}
        }
        let Some(item) = self.selected().map(|v| v.item.clone()) else {
            return;
        };
        if kind == ActionKind::Edit {
            self.modal = Some(Modal::Form(Box::new(Form::edit(&item, &self.people))));
            return;
        }
        match Form::for_move(&item, kind, with_conditions) {
            Some(form) => self.modal = Some(Modal::Form(Box::new(form))),
            None => {
                let action = match kind {
                    ActionKind::Unblock => Action::Unblock,
                    _ => Action::Approve { conditions: None },
                };
                self.run(&item.id(), item.version, &action);
            }
        }
    }

    /// Makes a move through the store, based on the version the screen showed.
    pub(super) fn run(&mut self, id: &str, version: i64, action: &Action) {
        match self.store.act(id, action, Some(version)) {
            Ok(item) => {
                let mut text = format!("{id} {}: now {}", action.kind().name(), item.state);
                if item.state == State::Requested && action.kind() == ActionKind::Approve {
                    let missing: Vec<&str> = item
                        .missing_approvals()
                        .iter()
                        .map(|c| c.as_str())
                        .collect();
                    text.push_str(&format!(" (still needed: {})", missing.join(", ")));
                }
                self.set_status(StatusKind::Done, text);
                self.reload();
            }
            Err(e) => self.show_error(e),
        }
    }

    pub(super) fn save_form(&mut self) {
        let mut form = match self.modal.take() {
            Some(Modal::Form(f)) => f,
            other => {
                self.modal = other;
                return;
            }
        };
        form.tried = true;
        if let Some(attempt) = form.secret() {
            // Counted once per save attempt, as the CLI counts each refused command;
            // the value itself never leaves the form.
            let counted = self
                .store
                .record_unsafe_attempt(form.project.as_deref(), form.item_id(), &attempt)
                .is_ok();
            self.set_status(
                StatusKind::Refused,
                format!(
                    "refused (no-credentials-in-text): {} looks like a credential ({}); nothing was saved{}",
                    attempt.field,
                    attempt.detector,
                    if counted { " and the attempt was recorded" } else { "" }
                ),
            );
            self.modal = Some(Modal::Form(form));
            return;
        }
        if let Some((i, p)) = form.problems().into_iter().next() {
            let label = form.fields.get(i).map(|f| f.label).unwrap_or("a field");
            self.set_status(
                StatusKind::Refused,
                format!("not saved: {label}: {}", p.text),
            );
            self.modal = Some(Modal::Form(form));
            return;
        }
        match form.purpose.clone() {
            Purpose::Add => {
                let Some(project) = form.project.clone() else {
                    self.set_status(StatusKind::Refused, "not saved: choose a project");
                    self.modal = Some(Modal::Form(form));
                    return;
                };
                match self.store.add_item(&project, form.item_fields()) {
                    Ok(item) => {
                        self.set_status(
                            StatusKind::Done,
                            format!(
                                "{} added ({}); submit it with u when complete",
                                item.id(),
                                item.state
                            ),
                        );
                        self.reload();
                        self.select_rowid(self.pane, item.rowid);
                        self.clamp_cursors();
                    }
                    Err(e) => {
                        self.modal = Some(Modal::Form(form));
                        self.show_error(e);
                    }
                }
            }
            Purpose::Edit { id, version, .. } => {
                let patch = form.patch();
                if patch.is_empty() {
                    self.set_status(StatusKind::Info, "nothing changed");
                    return;
                }
                match self.store.edit_item(&id, version, &patch) {
                    Ok(item) => {
                        self.set_status(
                            StatusKind::Done,
                            format!("{id} saved (version {}, now {})", item.version, item.state),
                        );
                        self.reload();
                    }
                    Err(store::Error::Conflict(m)) => {
                        // Never retried on top of the newer version: the person sees
                        // what changed and edits again.
                        self.set_status(
                            StatusKind::Error,
                            format!("conflict: {m} — your edit was not saved; the item was reloaded, press e to edit again"),
                        );
                        self.reload();
                    }
                    Err(e) => {
                        self.modal = Some(Modal::Form(form));
                        self.show_error(e);
                    }
                }
            }
            Purpose::Move { id, version, kind } => {
                let Some(action) = form.action() else { return };
                if kind.is_irreversible() {
                    let system = self
                        .selected()
                        .map(|v| v.item.fields.system.clone())
                        .unwrap_or_default();
                    self.modal = Some(Modal::Confirm(Confirm {
                        prompt: format!(
                            "{} {id} {system}? This cannot be undone by you.",
                            capitalised(kind.name())
                        ),
                        id,
                        version,
                        action,
                    }));
                } else {
                    self.run(&id, version, &action);
                }
            }
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
