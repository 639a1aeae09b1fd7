//! Closed blocking spells in the replay: the rows `spell_facts` rebuilt from the
//! events compared with `blocker_spells` row by row, named by the seq of the event that
//! ended the spell. A spell row added, removed or changed with `sqlite3` shows in
//! `audit verify`; a payload cannot be changed without breaking the chain.

use super::compare::{self, Difference, Divergence, Want};
use super::raw;
use super::spell_facts::SpellsFacts;
use crate::domain::model::item_id;
use crate::store::error::Result;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use std::borrow::Cow;

/// The table this module rebuilds.
pub const TABLE: &str = "blocker_spells";

/// The columns compared, besides the seq that names a row.
const COLUMNS: [&str; 4] = ["item", "since", "until", "reasons"];

/// Compares `blocker_spells` with the replayed spells, consuming them.
pub(super) fn compare(
    conn: &Connection,
    facts: &mut SpellsFacts,
    out: &mut Vec<Divergence>,
) -> Result<()> {
    let from = facts.from.unwrap_or(1);
    let mut stmt = conn.prepare(
        "SELECT s.seq, i.project, i.number, s.since, s.until, s.reasons FROM blocker_spells s \
         LEFT JOIN items i ON i.id = s.item_id WHERE s.seq >= ?1 ORDER BY s.seq",
    )?;
    let mut rows = stmt.query([from])?;
    while let Some(r) = rows.next()? {
        let seq_text = r.get_ref(0).map(raw)?.unwrap_or_default().into_owned();
        let key = format!("seq {seq_text}");
        let seq = seq_text.parse::<i64>().ok();
        let project = r.get_ref(1).map(raw)?;
        let number = r.get_ref(2).map(raw)?;
        let item = match (project, number.and_then(|n| n.parse::<i64>().ok())) {
            (Some(p), Some(n)) => item_id(&p, n),
            _ => "no such item".to_string(),
        };
        let stored = [
            ValueRef::Text(item.as_bytes()),
            r.get_ref(3)?,
            r.get_ref(4)?,
            r.get_ref(5)?,
        ];
        match seq.and_then(|s| facts.rows.remove(&s)) {
            Some(f) => {
                let want: [Want<'_>; 4] = f.each_ref().map(|c| Some(Cow::Borrowed(c.as_str())));
                compare::row(out, TABLE, &key, &COLUMNS, &stored, &want, seq);
            }
            None => out.push(Divergence {
                table: TABLE,
                key,
                what: Difference::NotInLog,
                last_seq: None,
            }),
        }
    }
    out.extend(
        std::mem::take(&mut facts.rows)
            .into_keys()
            .map(|seq| Divergence {
                table: TABLE,
                key: format!("seq {seq}"),
                what: Difference::NotInTable,
                last_seq: Some(seq),
            }),
    );
    Ok(())
}
