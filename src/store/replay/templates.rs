//! Templates in the replay: `template-import` and `template-apply` applied to a model
//! of `templates` and `project_templates`, and both tables compared row by row, so a
//! template's items changed with `sqlite3` show in `audit verify`. Templates are named
//! by name, a project's template by `KEY name`.

use super::compare::{self, Difference, Divergence, Want};
use super::event::EventIn;
use crate::store::error::Result;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The tables this module compares.
pub const TABLES: [&str; 2] = ["templates", "project_templates"];

/// The event kinds of templates.
pub const KINDS: [&str; 2] = ["template-import", "template-apply"];

const TEMPLATE_COLUMNS: [&str; 4] = ["title", "body", "changed_by", "changed_at"];
const APPLIED_COLUMNS: [&str; 2] = ["applied_by", "applied_at"];

/// A row as the log has it: its column values and the event that last set them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RowFacts {
    values: Vec<String>,
    seq: i64,
}

/// The templates and the templates of projects the log made.
#[derive(Debug, Default)]
pub struct TemplateFacts {
    templates: BTreeMap<String, RowFacts>,
    applied: BTreeMap<String, RowFacts>,
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

/// Compares both tables with the replayed rows, consuming them.
pub(super) fn compare(
    conn: &Connection,
    facts: &mut TemplateFacts,
    out: &mut Vec<Divergence>,
) -> Result<()> {
    keyed(
        conn,
        "SELECT name, title, body, changed_by, changed_at FROM templates ORDER BY name",
        (TABLES[0], &TEMPLATE_COLUMNS),
        &mut facts.templates,
        out,
    )?;
    keyed(
        conn,
        "SELECT project || ' ' || template, applied_by, applied_at FROM project_templates ORDER BY project, template",
        (TABLES[1], &APPLIED_COLUMNS),
        &mut facts.applied,
        out,
    )
}

fn keyed(
    conn: &Connection,
    sql: &str,
    (table, columns): (&'static str, &[&'static str]),
    replayed: &mut BTreeMap<String, RowFacts>,
    out: &mut Vec<Divergence>,
) -> Result<()> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let key = super::raw(r.get_ref(0)?).unwrap_or_default().into_owned();
        let stored: Vec<ValueRef<'_>> = (1..=columns.len())
            .map(|i| r.get_ref(i))
            .collect::<rusqlite::Result<_>>()?;
        match replayed.remove(&key) {
            Some(f) => {
                let want: Vec<Want<'_>> = f
                    .values
                    .iter()
                    .map(|v| Some(Cow::Borrowed(v.as_str())))
                    .collect();
                compare::row(out, table, &key, columns, &stored, &want, Some(f.seq));
            }
            None => out.push(Divergence {
                table,
                key,
                what: Difference::NotInLog,
                last_seq: None,
            }),
        }
    }
    out.extend(
        std::mem::take(replayed)
            .into_iter()
            .map(|(key, f)| Divergence {
                table,
                key,
                what: Difference::NotInTable,
                last_seq: Some(f.seq),
            }),
    );
    Ok(())
}
