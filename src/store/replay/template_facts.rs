//! What the log says of templates: `template-import` and `template-apply` applied to
//! a model of `templates` and `project_templates` (compared in `templates`). Kept apart
//! from the comparison so that `facts` does not depend on it.

use super::event::EventIn;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The event kinds of templates.
pub const KINDS: [&str; 2] = ["template-import", "template-apply"];

/// A row as the log has it: its column values and the event that last set them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFacts {
    pub values: Vec<String>,
    pub seq: i64,
}

/// The templates and the templates of projects the log made.
#[derive(Debug, Default)]
pub struct TemplateFacts {
    /// By template name.
    pub templates: BTreeMap<String, RowFacts>,
    /// By `KEY name`.
    pub applied: BTreeMap<String, RowFacts>,
}

#[derive(Deserialize)]
struct Imported {
    name: String,
    title: String,
    body: String,
}

#[derive(Deserialize)]
struct AppliedPayload {
    template: String,
}

impl TemplateFacts {
    /// Applies one template event; `project_known` says whether a project was added.
    pub fn apply(
        &mut self,
        e: &EventIn<'_>,
        project_known: impl Fn(&str) -> bool,
    ) -> std::result::Result<(), String> {
        let unreadable = |err: serde_json::Error| format!("its payload cannot be read: {err}");
        match e.kind {
            "template-import" => {
                let p: Imported = serde_json::from_str(e.payload).map_err(unreadable)?;
                let values = vec![p.title, p.body, e.login.to_string(), e.at.to_string()];
                self.templates
                    .insert(p.name, RowFacts { values, seq: e.seq });
                Ok(())
            }
            "template-apply" => {
                let p: AppliedPayload = serde_json::from_str(e.payload).map_err(unreadable)?;
                let key = e.project.ok_or("it names no project")?;
                if !project_known(key) {
                    return Err(format!("project {key} was never added"));
                }
                if !self.templates.contains_key(&p.template) {
                    return Err(format!("template {} was never imported", p.template));
                }
                let values = vec![e.login.to_string(), e.at.to_string()];
                self.applied.insert(
                    format!("{key} {}", p.template),
                    RowFacts { values, seq: e.seq },
                );
                Ok(())
            }
            other => Err(format!("'{other}' is no template event")),
        }
    }
}
