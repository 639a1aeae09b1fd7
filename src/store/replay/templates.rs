//! Templates in the replay: `templates` and `project_templates` compared row by row
//! with what the log made of them (see `template_facts`), so a template's items changed
//! with `sqlite3` show in `audit verify`. Templates are named by name, a project's
//! template by `KEY name`.

use super::compare::{self, Difference, Divergence, Want};
use super::template_facts::{RowFacts, TemplateFacts};
use crate::store::error::Result;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The tables this module compares.
pub const TABLES: [&str; 2] = ["templates", "project_templates"];

const TEMPLATE_COLUMNS: [&str; 4] = ["title", "body", "changed_by", "changed_at"];
const APPLIED_COLUMNS: [&str; 2] = ["applied_by", "applied_at"];

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
