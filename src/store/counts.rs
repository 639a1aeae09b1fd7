//! The items of each project in each state (`item_counts`, schema 19), kept by the
//! store in the transaction of every write that adds an item or moves one to another
//! state: the header's readiness reads these rows, one per project and state, instead
//! of counting every item, and `audit verify` compares each with the rows.
//!
//! They are written here, not by triggers on the items: a trigger that writes makes
//! every insert into the items a statement that may write twice, for which SQLite
//! keeps a statement journal, copying each page the insert touches first; that made
//! an import of 100,000 rows take twice as long.

use super::error::Result;
use rusqlite::{Connection, params};
use std::collections::HashMap;

/// Adds `n` (negative to take away) to the items of `project` in `state`.
pub(super) fn add(tx: &Connection, project: &str, state: &str, n: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO item_counts (project, state, n) VALUES (?1, ?2, ?3) \
         ON CONFLICT (project, state) DO UPDATE SET n = n + excluded.n",
    )?
    .execute(params![project, state, n])?;
    Ok(())
}

/// Moves one item's count from where it was to where it is, when that changed.
pub(super) fn moved(tx: &Connection, was: (&str, &str), is: (&str, &str)) -> Result<()> {
    if was != is {
        add(tx, was.0, was.1, -1)?;
        add(tx, is.0, is.1, 1)?;
    }
    Ok(())
}

/// Counts of many new items, added up while they are written and written at once.
#[derive(Default)]
pub(super) struct Tally(HashMap<(String, &'static str), i64>);

impl Tally {
    pub(super) fn add(&mut self, project: &str, state: &'static str) {
        *self.0.entry((project.to_string(), state)).or_default() += 1;
    }

    pub(super) fn write(self, tx: &Connection) -> Result<()> {
        for ((project, state), n) in self.0 {
            add(tx, &project, state, n)?;
        }
        Ok(())
    }
}
