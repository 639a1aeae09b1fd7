//! Project actions (`P`) on the project in view: close it (after a confirmation that
//! names what it leaves to deprovision), reopen it, move its start. The rules are the
//! domain's; this opens the form and says what happened.

use super::app::App;
use super::form::Form;
use super::state::{Confirm, Modal, OnYes, StatusKind};
use crate::domain::lifecycle;
use crate::domain::machine;
use crate::domain::{Field, Project, blockers, dates};

impl App {
    /// The project the screen shows: the one chosen with `p`, else the selected item's.
    pub(crate) fn project_in_view(&self) -> Option<&Project> {
        match &self.scope {
            Some(key) => self.projects.iter().find(|p| &p.key == key),
            None => self.selected().and_then(|v| self.project_of(&v.item)),
        }
    }

    /// May the person use the project actions here? With no project in view they
    /// still make a new project from a template.
    pub(crate) fn may_act_on_project(&self) -> bool {
        machine::can_manage(self.me.as_ref())
    }

    pub(super) fn open_project_actions(&mut self) {
        if let Err(r) = machine::require_manager(self.me.as_ref(), &self.login, "project actions") {
            return self.set_status(StatusKind::Refused, super::actions::refusal_text(&r, None));
        }
        let Some(p) = self.project_in_view() else {
            if !self.template_choices().is_empty() {
                return self.open_new_project(None);
            }
            return self.set_status(
                StatusKind::Info,
                "No project in view: choose one with p, or select an item.",
            );
        };
        let today = blockers::today(p, self.now);
        let templates = self.template_choices();
        self.modal = Some(Modal::Form(Box::new(Form::project_actions(
            p, today, templates,
        ))));
    }

    pub(super) fn save_project_form(&mut self, form: Box<Form>, key: &str) {
        match form.value("do").as_deref() {
            Some("new") => self.open_new_project(form.value("template").as_deref()),
            Some("apply") => self.apply_template(form, key),
            Some("check") => self.show_project_check(key),
            Some("close") => {
                let list = match self.store.closing_checklist(key) {
                    Ok(l) => l,
                    Err(e) => return self.show_error(e),
                };
                self.modal = Some(Modal::Confirm(Confirm {
                    prompt: format!(
                        "Close project {key}? It leaves {} live access to revoke and {} shared credential(s) to rotate; each blocks until done.",
                        list.revoke.len(),
                        list.rotate.len()
                    ),
                    form: Some(form),
                    then: OnYes::CloseProject(key.to_string()),
                }));
            }
            Some("reopen") => match self.store.reopen_project(key) {
                Ok(p) => {
                    self.set_status(StatusKind::Done, format!("Reopened project {}.", p.key));
                    self.reload();
                }
                Err(e) => self.form_failed(form, e),
            },
            _ => {
                let typed = form.value("start").unwrap_or_default();
                let start = match dates::parse_date(Field::Start, typed.trim()) {
                    Ok(d) => d,
                    Err(r) => {
                        return self.form_failed(form, crate::store::Error::Refused(r));
                    }
                };
                match self.store.move_project_start(key, start) {
                    Ok((p, frozen)) => {
                        let freeze = frozen
                            .map(|d| format!(" Ready-before-start stays frozen at {d}."))
                            .unwrap_or_default();
                        self.set_status(
                            StatusKind::Done,
                            format!(
                                "Project {} now starts on {}; needed-by dates left to the start moved with it.{freeze}",
                                p.key, p.start
                            ),
                        );
                        self.reload();
                    }
                    Err(e) => self.form_failed(form, e),
                }
            }
        }
    }

    /// Closes a project once confirmed, and says what is left to deprovision.
    pub(super) fn close_project(&mut self, key: &str) {
        match self
            .store
            .close_project(key)
            .and_then(|p| self.store.closing_checklist(&p.key))
        {
            Ok(list) => {
                let ids = |l: &[lifecycle::ChecklistEntry]| {
                    l.iter()
                        .map(|e| e.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let text = if list.is_empty() {
                    format!("Closed project {key}: nothing left to deprovision.")
                } else {
                    format!(
                        "Closed project {key}. Revoke: {}. Rotate: {}. Each shows in the blockers pane until done.",
                        or_none(ids(&list.revoke)),
                        or_none(ids(&list.rotate))
                    )
                };
                self.set_status(StatusKind::Done, text);
                self.reload();
            }
            Err(e) => self.show_error(e),
        }
    }

    /// A project form's store call failed: the form stays open with what was typed.
    pub(super) fn form_failed(&mut self, form: Box<Form>, e: crate::store::Error) {
        match e {
            crate::store::Error::Refused(r) => self.set_status(
                StatusKind::Refused,
                super::actions::refusal_text(&r, Some(&form)),
            ),
            other => self.show_error(other),
        }
        self.modal = Some(Modal::Form(form));
    }
}

fn or_none(s: String) -> String {
    if s.is_empty() { "none".into() } else { s }
}
