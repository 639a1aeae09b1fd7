//! The system catalogue in the replay: `system-add` events rebuild `systems`, which is
//! compared row by row (named by the system's name), so an entry planted or changed
//! with `sqlite3` shows in `audit verify`.

use super::compare::{self, Difference, Divergence, Want};
use super::facts::EventIn;
use crate::domain::catalogue::System;
use crate::store::error::Result;
use rusqlite::Connection;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The table this module compares.
pub const TABLE: &str = "systems";

/// The event kind that adds or replaces an entry.
pub const KIND: &str = "system-add";

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

/// A catalogued system as the log has it.
#[derive(Debug, Clone)]
pub struct SystemFacts {
    system: System,
    added_by: String,
    added_at: String,
    seq: i64,
}

/// The replayed catalogue, by name as stored.
#[derive(Debug, Default)]
pub struct CatalogueFacts {
    systems: BTreeMap<String, SystemFacts>,
}

impl CatalogueFacts {
    /// Applies a `system-add` event: the entry of that name (ignoring case) is replaced.
    pub fn apply(&mut self, e: &EventIn<'_>) -> Result<(), String> {
        let system: System = serde_json::from_str(e.payload)
            .map_err(|err| format!("its payload cannot be read: {err}"))?;
        let name = self
            .systems
            .keys()
            .find(|k| k.eq_ignore_ascii_case(&system.name))
            .cloned()
            .unwrap_or_else(|| system.name.clone());
        self.systems.insert(
            name,
            SystemFacts {
                system,
                added_by: e.login.to_string(),
                added_at: e.at.to_string(),
                seq: e.seq,
            },
        );
        Ok(())
    }
}

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
        match facts.systems.remove(&name) {
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
    for (name, f) in std::mem::take(&mut facts.systems) {
        out.push(Divergence {
            table: TABLE,
            key: name,
            what: Difference::NotInTable,
            last_seq: Some(f.seq),
        });
    }
    Ok(())
}
