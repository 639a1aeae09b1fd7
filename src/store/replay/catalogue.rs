//! The system catalogue in the replay: `system-add` events rebuild `systems`, which is
//! compared row by row (named by the system's name), so an entry planted or changed
//! with `sqlite3` shows in `audit verify`.

use super::catalogue_facts::{CatalogueFacts, SystemFacts};
use super::compare::{self, Difference, Divergence, Want};
use crate::store::error::Result;
use rusqlite::Connection;
use std::borrow::Cow;

/// The table this module compares.
pub const TABLE: &str = "systems";

const COLUMNS: [&str; 8] = [
    "category",
    "roles",
    "privileged_roles",
    "not_privileged_roles",
    "default_method",
    "client_owned",
    "added_by",
    "added_at",
];

fn want(f: &SystemFacts) -> [Want<'_>; 8] {
    let s = &f.system;
    let list = |v: &Vec<String>| Some(Cow::Owned(serde_json::json!(v).to_string()));
    [
        Some(Cow::Borrowed(s.category.as_str())),
        list(&s.roles),
        list(&s.privileged_roles),
        list(&s.not_privileged_roles),
        s.default_method.map(|m| Cow::Borrowed(m.as_str())),
        Some(Cow::Borrowed(if s.client_owned { "1" } else { "0" })),
        Some(Cow::Borrowed(f.added_by.as_str())),
        Some(Cow::Borrowed(f.added_at.as_str())),
    ]
}

/// Compares `systems` with the replayed catalogue, consuming it.
pub(super) fn compare(
    conn: &Connection,
    facts: &mut CatalogueFacts,
    out: &mut Vec<Divergence>,
) -> Result<()> {
    let sql = format!(
        "SELECT name, {} FROM {TABLE} ORDER BY name",
        COLUMNS.join(", ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let name = super::raw(r.get_ref(0)?)
            .map(Cow::into_owned)
            .unwrap_or_default();
        let stored = (1..=COLUMNS.len())
            .map(|i| r.get_ref(i))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        match facts.take(&name) {
            Some(f) => {
                compare::row(out, TABLE, &name, &COLUMNS, &stored, &want(&f), Some(f.seq));
            }
            None => out.push(Divergence {
                table: TABLE,
                key: name,
                what: Difference::NotInLog,
                last_seq: None,
            }),
        }
    }
    for (name, f) in facts.drain() {
        out.push(Divergence {
            table: TABLE,
            key: name,
            what: Difference::NotInTable,
            last_seq: Some(f.seq),
        });
    }
    Ok(())
}
