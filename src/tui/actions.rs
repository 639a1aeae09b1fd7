//! Moves on items and the forms that lead to them: opening a form or a confirmation,
//! saving, and what the status line says afterwards. A refusal is worded here with
//! the form's labels (never with command-line flags), and typed work survives what
//! it can: a conflicting edit keeps the form open beside the newer values, a busy
//! database lets the person save again, and cancelling a confirmation returns to the
//! form it came from.

use super::app::App;
use super::form::{Form, Purpose};
use super::state::{Confirm, Modal, OnYes, StatusKind};
use crate::domain::machine::{self, Action, ActionKind};
use crate::domain::{Refusal, State, blockers};
use crate::present;
use crate::store;

/// A refusal in the words of the screen: the rule, then the form's label of the
/// field it is about (when a form is open), the problem and the fix.
pub(super) fn refusal_text(r: &Refusal, form: Option<&Form>) -> String {
    let label = r.field.and_then(|f| form.and_then(|form| form.label_of(f)));
    match label {
        Some(l) => format!("not saved ({}): {l}: {}", r.rule, r.message()),
        None => format!("refused ({}): {}", r.rule, r.message()),
    }
}

impl App {
    /// Shows what went wrong with a store call made outside a form.
    pub(super) fn show_error(&mut self, e: store::Error) {
        match e {
            store::Error::Refused(r) => {
                self.set_status(StatusKind::Refused, refusal_text(&r, None))
            }
            // The store's conflict text speaks to the command line; the screen says
            // what happened in its own words.
            store::Error::Conflict(_) => {
                self.set_status(
                    StatusKind::Error,
                    "Not done: someone else changed the item meanwhile (conflict). The screen was reloaded and nothing was overwritten; look at the item again.",
                );
                self.reload();
            }
            store::Error::Busy(m) => self.set_status(
                StatusKind::Error,
                format!(
                    "Not done: {m}. Another program is writing; press the key again in a moment."
                ),
            ),
            other => self.set_status(StatusKind::Error, other.to_string()),
        }
    }

    /// The date of the project the form is for (past dates are judged by it).
    fn today_for(&self, project: Option<&str>) -> chrono::NaiveDate {
        project
            .and_then(|k| self.project_ix.get(k))
            .and_then(|&i| self.projects.get(i))
            .map(|p| blockers::today(p, self.now))
            .unwrap_or_else(|| self.now.date_naive())
    }

    pub(super) fn new_item(&mut self) {
        if let Err(r) = machine::require_manager(self.me.as_ref(), &self.login, "adding items") {
            return self.set_status(StatusKind::Refused, refusal_text(&r, None));
        }
        let open: Vec<String> = self
            .projects
            .iter()
            .filter(|p| p.closed_at.is_none())
            .map(|p| p.key.clone())
            .collect();
        if open.is_empty() {
            return self.set_status(
                StatusKind::Refused,
                "No open project to add items to: every project is closed.",
            );
        }
        let scope = self
            .scope
            .as_deref()
            .filter(|s| open.iter().any(|k| k == s));
        let today = self.today_for(scope.or(open.first().map(String::as_str)));
        let mut form = Form::add(&open, scope, &self.people, &self.login, today);
        form.standards = self.form_standards(form.project.as_deref());
        self.modal = Some(Modal::Form(Box::new(form)));
    }

    /// The catalogue and standard roles an add or edit form checks the role against
    /// (none when the file cannot say: the store checks again on save).
    fn form_standards(
        &self,
        project: Option<&str>,
    ) -> Option<std::sync::Arc<crate::store::Standards>> {
        project
            .and_then(|p| self.store.standards(p).ok())
            .map(std::sync::Arc::new)
    }

    pub(super) fn explain(&mut self, kind: ActionKind) {
        if self.store.is_read_only() {
            return self.set_status(StatusKind::Refused, super::read_only::REFUSED);
        }
        if self.bulk_mode() {
            return self.bulk_only();
        }
        match self.refusal(kind) {
            None => self.set_status(StatusKind::Info, "No item is selected."),
            Some(Err(r)) => self.set_status(StatusKind::Refused, refusal_text(&r, None)),
            // Things changed since the key was looked up: the move is allowed now.
            Some(Ok(())) => self.start_move(kind, false),
        }
    }

    /// Starts a move on the selected item: checks it, then opens its form, asks for
    /// confirmation or makes it.
    pub(super) fn start_move(&mut self, kind: ActionKind, with_conditions: bool) {
        if self.bulk_mode() {
            return self.start_bulk(kind, with_conditions);
        }
        match self.refusal(kind) {
            None => return self.set_status(StatusKind::Info, "No item is selected."),
            Some(Err(r)) => return self.set_status(StatusKind::Refused, refusal_text(&r, None)),
            Some(Ok(())) => {}
        }
        let Some(item) = self.selected().map(|v| v.item.clone()) else {
            return;
        };
        if kind == ActionKind::Edit {
            let today = self.today_for(Some(&item.project));
            let mut form = Form::edit(&item, &self.people, today);
            form.standards = self.form_standards(Some(&item.project));
            self.modal = Some(Modal::Form(Box::new(form)));
            return;
        }
        match Form::for_move(&item, kind, with_conditions) {
            Some(form) => self.modal = Some(Modal::Form(Box::new(form))),
            None => {
                let action = match kind {
                    ActionKind::Unblock => Action::Unblock,
                    _ => Action::Approve { conditions: None },
                };
                if asks_first(&item, &action) {
                    self.modal = Some(Modal::Confirm(privileged_confirm(&item, action, None)));
                } else {
                    self.run(&item.id(), item.version, &action, None);
                }
            }
        }
    }

    /// The state an item had before a move (for the words of its outcome).
    fn state_of(&self, id: &str) -> Option<State> {
        match self.selected().filter(|v| v.item.id() == id) {
            Some(v) => Some(v.item.state),
            None => self.store.item(id).ok().map(|i| i.state),
        }
    }

    /// Makes a move through the store, based on the version the screen showed. When
    /// it came from a form, a refusal or a busy database returns to that form.
    pub(super) fn run(&mut self, id: &str, version: i64, action: &Action, form: Option<Box<Form>>) {
        let before = self.state_of(id).unwrap_or(State::Needed);
        // A decision on an extension request is recorded as its own kind: not undone.
        let on_extension = self
            .selected()
            .is_some_and(|v| v.item.id() == id && crate::domain::extension::pending(&v.item));
        match self.store.act(id, action, Some(version)) {
            Ok(item) => {
                self.undo = super::state::Ticket::after(action.kind(), &item, self.store.now())
                    .filter(|_| !on_extension);
                let mut text = present::outcome(action.kind(), before, &item);
                if self.undo.is_some() {
                    text.push_str(&super::undo::hint());
                }
                self.set_status(StatusKind::Done, text);
                self.refresh();
            }
            Err(store::Error::Refused(r)) if form.is_some() => {
                self.set_status(StatusKind::Refused, refusal_text(&r, form.as_deref()));
                self.modal = form.map(Modal::Form);
            }
            Err(store::Error::Busy(m)) if form.is_some() => {
                self.set_status(StatusKind::Error, busy_text(&m));
                self.modal = form.map(Modal::Form);
            }
            Err(store::Error::Conflict(_)) if form.is_some() => self.move_conflict(id, form),
            Err(e) => self.show_error(e),
        }
    }

    /// Someone changed the item while a move was being typed: nothing was done, the
    /// screen shows the item as it is now, and the typed text waits in its form. Saving
    /// again applies the move to the version now shown, so it is never made unseen.
    fn move_conflict(&mut self, id: &str, form: Option<Box<Form>>) {
        self.reload();
        let (Some(mut form), Ok(item)) = (form, self.store.item(id)) else {
            self.set_status(
                StatusKind::Error,
                "Not done: someone else changed the item meanwhile (conflict), and it can no longer be loaded.",
            );
            return;
        };
        if let Purpose::Move { version, .. } = &mut form.purpose {
            *version = item.version;
        }
        self.set_status(
            StatusKind::Error,
            format!(
                "Not done: {} was changed meanwhile (now {}, version {}); nothing was overwritten. Your text is kept: look at the item, then press Enter to apply it to the item as it is now, or Esc to drop it.",
                item.id(),
                item.state,
                item.version
            ),
        );
        self.modal = Some(Modal::Form(form));
    }

    /// Cancelling a confirmation changes nothing; a move typed in a form goes back to
    /// its form with the text kept.
    pub(super) fn cancel_confirm(&mut self) {
        match self.modal.take() {
            Some(Modal::Confirm(Confirm {
                form: Some(form), ..
            })) => {
                self.modal = Some(Modal::Form(form));
                self.set_status(
                    StatusKind::Info,
                    "Not done; your text is kept. Enter asks again, Esc closes the form.",
                );
            }
            _ => self.set_status(StatusKind::Info, "Not done: nothing was changed."),
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
            let label = form.label_of_name(&attempt.field).unwrap_or("A field");
            self.set_status(
                StatusKind::Refused,
                format!(
                    "not saved (no-credentials-in-text): {label} looks like a credential ({}); nothing was saved{}. Remove it and send credentials through a safe collection method.",
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
            Purpose::Add => self.save_new(form),
            Purpose::Edit { id, version, .. } => self.save_edit(form, &id, version),
            Purpose::Bulk { kind, targets } => self.save_bulk(form, kind, targets),
            Purpose::Project { key } => self.save_project_form(form, &key),
            Purpose::NewProject => self.save_new_project(form),
            Purpose::Delegate { id } => self.save_delegate(form, &id),
            Purpose::Task { id, step } => self.save_task_form(form, &id, step),
            Purpose::Move { id, version, kind } => {
                let Some(action) = form.action() else { return };
                if kind.is_irreversible() || super::asking::revokes(&action) {
                    let system = self
                        .selected()
                        .map(|v| v.item.fields.system.clone())
                        .unwrap_or_default();
                    self.modal = Some(Modal::Confirm(Confirm {
                        prompt: format!(
                            "{} {id} {system}? {}{}",
                            capitalised(kind.name()),
                            if kind == ActionKind::Deny {
                                "u undoes it for a few seconds after."
                            } else {
                                "This cannot be undone by you."
                            },
                            super::asking::confirm_note(&action)
                        ),
                        form: Some(form),
                        then: OnYes::Move {
                            id,
                            version,
                            action,
                        },
                    }));
                } else if let Some(item) = self
                    .selected()
                    .filter(|v| v.item.id() == id && asks_first(&v.item, &action))
                    .map(|v| v.item.clone())
                {
                    let mut c = privileged_confirm(&item, action, Some(form));
                    if let OnYes::Move { version: v, .. } = &mut c.then {
                        *v = version;
                    }
                    self.modal = Some(Modal::Confirm(c));
                } else {
                    self.run(&id, version, &action, Some(form));
                }
            }
        }
    }

    fn save_new(&mut self, form: Box<Form>) {
        let Some(project) = form.project.clone() else {
            self.set_status(StatusKind::Refused, "not saved: Project: choose a project");
            self.modal = Some(Modal::Form(form));
            return;
        };
        match self.store.add_item(&project, form.item_fields()) {
            Ok(item) => {
                self.set_status(StatusKind::Done, present::added(&item));
                self.refresh();
                self.select_rowid(self.pane, item.rowid);
                self.clamp_cursors();
            }
            Err(e) => self.form_error(form, e),
        }
    }

    fn save_edit(&mut self, form: Box<Form>, id: &str, version: i64) {
        let patch = form.patch();
        if patch.is_empty() {
            self.set_status(
                StatusKind::Info,
                "Nothing changed: change a field before saving, or press Esc to close the form.",
            );
            self.modal = Some(Modal::Form(form));
            return;
        }
        let before = self.state_of(id).unwrap_or(State::Needed);
        match self.store.edit_item(id, version, &patch) {
            Ok(item) => {
                self.set_status(
                    StatusKind::Done,
                    present::outcome(ActionKind::Edit, before, &item),
                );
                self.refresh();
            }
            Err(e) => self.form_error(form, e),
        }
    }

    /// A store error while saving a form: the form stays open with what was typed.
    pub(super) fn form_error(&mut self, mut form: Box<Form>, e: store::Error) {
        match e {
            store::Error::Refused(r) => {
                self.set_status(StatusKind::Refused, refusal_text(&r, Some(&form)));
            }
            store::Error::Conflict(_) => {
                // Never saved on top of the newer version unseen: the newer values are
                // shown beside the typed ones, and saving again keeps the typed ones.
                let newer = form.item_id().and_then(|id| self.store.item(id).ok());
                match newer {
                    Some(item) => {
                        let changed = form.rebase(&item, &self.people);
                        self.set_status(
                            StatusKind::Error,
                            format!(
                                "Not saved: someone else changed {} meanwhile (conflict, now version {}: {}). Their values are shown under yours; Enter saves yours over theirs, Esc keeps theirs.",
                                item.id(),
                                item.version,
                                if changed.is_empty() {
                                    "no field you see".to_string()
                                } else {
                                    changed.join(", ")
                                }
                            ),
                        );
                    }
                    None => self.set_status(
                        StatusKind::Error,
                        "Not saved: someone else changed the item meanwhile (conflict), and it could not be read again.",
                    ),
                }
                self.refresh();
            }
            store::Error::Busy(m) => self.set_status(StatusKind::Error, busy_text(&m)),
            other => self.set_status(StatusKind::Error, format!("Not saved: {other}")),
        }
        self.modal = Some(Modal::Form(form));
    }
}

/// Approving privileged access asks first: it opens the most.
fn asks_first(item: &crate::domain::Item, action: &Action) -> bool {
    action.kind() == ActionKind::Approve && item.fields.privileged
}

/// The question before approving privileged access.
fn privileged_confirm(
    item: &crate::domain::Item,
    action: Action,
    form: Option<Box<Form>>,
) -> Confirm {
    Confirm {
        prompt: format!(
            "Approve privileged access {} {} ({})? It grants the most; u undoes it for a few seconds after.",
            item.id(),
            item.fields.system,
            item.fields.role
        ),
        form,
        then: OnYes::Move {
            id: item.id(),
            version: item.version,
            action,
        },
    }
}

fn busy_text(m: &str) -> String {
    format!(
        "Not saved: {m}. Another program is writing to the database; your typing is kept. Press Enter to try again."
    )
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
