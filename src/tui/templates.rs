//! Templates in the full-screen app (the `P` project actions): a new project made
//! from a template, a template applied to the project in view, and the project's
//! check against its templates in a popup. The rules and the gaps are the domain's.

use super::app::App;
use super::form::Form;
use super::state::{Modal, StatusKind};
use crate::domain::{Field, NewProject, dates};

impl App {
    /// The templates to choose from: name, and title with its item count.
    pub(super) fn template_choices(&self) -> Vec<(String, String)> {
        self.store
            .templates()
            .map(|ts| {
                ts.into_iter()
                    .map(|t| {
                        let shown = format!("{} ({}, {} items)", t.name, t.title, t.items);
                        (t.name, shown)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(super) fn open_new_project(&mut self, template: Option<&str>) {
        let templates = self.template_choices();
        if templates.is_empty() {
            return self.set_status(
                StatusKind::Info,
                "No templates yet: import one first (template import FILE.toml).",
            );
        }
        let today = self.now.date_naive();
        self.modal = Some(Modal::Form(Box::new(Form::new_project(
            templates,
            template.unwrap_or_default(),
            today,
        ))));
    }

    pub(super) fn save_new_project(&mut self, form: Box<Form>) {
        let typed = form.value("start").unwrap_or_default();
        let start = match dates::parse_date(Field::Start, typed.trim()) {
            Ok(d) => d,
            Err(r) => return self.form_failed(form, crate::store::Error::Refused(r)),
        };
        let template = form.value("template").unwrap_or_default();
        let new = NewProject {
            key: form.value("key").unwrap_or_default().trim().to_string(),
            name: form.value("name").unwrap_or_default(),
            client: form.value("client").unwrap_or_default(),
            start: Some(start),
            tz: None,
            coordinator: None,
        };
        match self.store.add_project_from_template(new, &template) {
            Ok((p, applied)) => {
                self.set_status(
                    StatusKind::Done,
                    format!(
                        "Added project {} from template {}: {} items in needed; each blocks until its approval owner and credential owner are named.",
                        p.key,
                        applied.template,
                        applied.added.len()
                    ),
                );
                // The new project in view, whole: a filter typed before would hide it.
                self.scope = Some(p.key);
                self.filter = super::state::Filter::default();
                self.detail = None;
                self.reload();
            }
            Err(e) => self.form_failed(form, e),
        }
    }

    pub(super) fn apply_template(&mut self, form: Box<Form>, key: &str) {
        let template = form.value("template").unwrap_or_default();
        match self.store.apply_template(&template, key) {
            Ok(a) => {
                let skipped = if a.skipped.is_empty() {
                    String::new()
                } else {
                    format!(", {} already asked for", a.skipped.len())
                };
                self.set_status(
                    StatusKind::Done,
                    format!(
                        "Applied template {} to {key}: {} items added{skipped}.",
                        a.template,
                        a.added.len()
                    ),
                );
                self.reload();
            }
            Err(e) => self.form_failed(form, e),
        }
    }

    pub(super) fn show_project_check(&mut self, key: &str) {
        let c = match self.store.project_check(key) {
            Ok(c) => c,
            Err(e) => return self.show_error(e),
        };
        let mut lines = Vec::new();
        if c.templates.is_empty() {
            lines.push(format!(
                "{key} was not made from a template: nothing to check against."
            ));
        } else {
            lines.push(format!("Templates: {}", c.templates.join(", ")));
            if c.gaps.is_empty() {
                lines.push("No gaps: every template item is asked for at its role.".into());
            } else {
                lines.push(format!("{} gap(s):", c.gaps.len()));
                lines.extend(c.gaps.iter().map(|g| format!("· {}", g.describe())));
            }
        }
        if !c.catalogue.is_empty() {
            lines.push(format!(
                "{} item(s) no longer agree with the system catalogue:",
                c.catalogue.len()
            ));
            lines.extend(c.catalogue.iter().map(|d| format!("· {}", d.describe())));
        }
        self.modal = Some(Modal::Notice {
            title: format!("Project check {key}"),
            lines,
            scroll: 0,
        });
    }
}
