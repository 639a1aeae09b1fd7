//! Access reviews in the replay: `review_campaigns` and `review_items` compared row
//! by row with what the log made of them (see `review_facts`), so a decision planted
//! or changed behind accessdesk's back shows in `audit verify`. Campaigns are named by
//! their number, which the events record; a campaign's rows by number and item id
//! (`3 ACME-7`).

use super::compare::{self, Difference, Divergence, Want};
use super::raw;
use super::review_facts::{DecisionFacts, ReviewFacts};
use crate::domain::model::item_id;
use crate::store::error::Result;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// The tables this module compares.
pub const TABLES: [&str; 2] = ["review_campaigns", "review_items"];

const CAMPAIGN_COLUMNS: [&str; 4] = ["project", "started_by", "started_at", "due"];
const ITEM_COLUMNS: [&str; 4] = ["decision", "decided_by", "decided_at", "note"];

fn opt(s: &Option<String>) -> Want<'_> {
    s.as_deref().map(Cow::Borrowed)
}

fn divergence(table: &'static str, key: String, what: Difference, seq: Option<i64>) -> Divergence {
    Divergence {
        table,
        key,
        what,
        last_seq: seq,
    }
}

/// Compares both tables with the replayed campaigns, consuming them.
pub(super) fn compare(
    conn: &Connection,
    facts: &mut ReviewFacts,
    out: &mut Vec<Divergence>,
) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, project, started_by, started_at, due FROM review_campaigns ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    // The rows of each campaign are compared after its own row; the campaigns the
    // table has are kept aside so their rows are found.
    let mut kept: HashMap<i64, BTreeMap<String, DecisionFacts>> = HashMap::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let stored: Vec<ValueRef<'_>> = (1..5)
            .map(|i| r.get_ref(i))
            .collect::<rusqlite::Result<_>>()?;
        match facts.campaigns.remove(&id) {
            Some(c) => {
                let want = [
                    Some(Cow::Borrowed(c.project.as_str())),
                    Some(Cow::Borrowed(c.started_by.as_str())),
                    Some(Cow::Borrowed(c.started_at.as_str())),
                    opt(&c.due),
                ];
                compare::row(
                    out,
                    "review_campaigns",
                    &id.to_string(),
                    &CAMPAIGN_COLUMNS,
                    &stored,
                    &want,
                    Some(c.seq),
                );
                kept.insert(id, c.items);
            }
            None => out.push(divergence(
                "review_campaigns",
                id.to_string(),
                Difference::NotInLog,
                None,
            )),
        }
    }
    for (id, c) in facts.campaigns.drain() {
        out.push(divergence(
            "review_campaigns",
            id.to_string(),
            Difference::NotInTable,
            Some(c.seq),
        ));
    }
    let mut stmt = conn.prepare(
        "SELECT r.campaign, i.project, i.number, r.item_id, r.decision, r.decided_by, r.decided_at, r.note \
         FROM review_items r LEFT JOIN items i ON i.id = r.item_id ORDER BY r.campaign, r.item_id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let campaign: i64 = r.get(0)?;
        let item = match (r.get_ref(1).map(raw)?, r.get_ref(2).map(raw)?) {
            (Some(p), Some(n)) => item_id(&p, n.parse().unwrap_or(0)),
            _ => format!("item row {}", r.get_ref(3).map(raw)?.unwrap_or_default()),
        };
        let key = format!("{campaign} {item}");
        let stored: Vec<ValueRef<'_>> = (4..8)
            .map(|i| r.get_ref(i))
            .collect::<rusqlite::Result<_>>()?;
        match kept.get_mut(&campaign).and_then(|c| c.remove(&item)) {
            Some(d) => {
                let want = [
                    opt(&d.decision),
                    opt(&d.decided_by),
                    opt(&d.decided_at),
                    opt(&d.note),
                ];
                compare::row(
                    out,
                    "review_items",
                    &key,
                    &ITEM_COLUMNS,
                    &stored,
                    &want,
                    Some(d.seq),
                );
            }
            None => out.push(divergence("review_items", key, Difference::NotInLog, None)),
        }
    }
    let mut left: Vec<Divergence> = kept
        .into_iter()
        .flat_map(|(campaign, items)| {
            items.into_iter().map(move |(item, d)| {
                divergence(
                    "review_items",
                    format!("{campaign} {item}"),
                    Difference::NotInTable,
                    Some(d.seq),
                )
            })
        })
        .collect();
    left.sort_by(|a, b| a.key.cmp(&b.key));
    out.extend(left);
    Ok(())
}
