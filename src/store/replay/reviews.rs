//! The replay of access reviews: `review-start` and `review-decide` applied to a model
//! of `review_campaigns` and `review_items` (and to the items' `review` mark), and
//! both tables compared with it row by row, so a decision planted or changed behind
//! accessdesk's back shows in `audit verify`. Campaigns are named by their number,
//! which the events record; a campaign's rows by number and item id (`3 ACME-7`).

use super::compare::{self, Difference, Divergence, Want};
use super::facts::{EventIn, Facts};
use super::raw;
use crate::domain::model::item_id;
use crate::domain::review::{Decision, ReviewMark};
use crate::store::error::Result;
use chrono::NaiveDate;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// The event kinds of access reviews.
pub const KINDS: [&str; 2] = ["review-start", "review-decide"];

/// The tables this module rebuilds and compares.
pub const TABLES: [&str; 2] = ["review_campaigns", "review_items"];

/// One campaign as the log has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignFacts {
    pub project: String,
    pub started_by: String,
    pub started_at: String,
    pub due: Option<String>,
    /// The decision on each item it covers, by item id.
    pub items: BTreeMap<String, DecisionFacts>,
    pub seq: i64,
}

/// A decision as the log has it (all none while undecided).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecisionFacts {
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub note: Option<String>,
    pub seq: i64,
}

/// The campaigns the log made, by number.
#[derive(Debug, Default)]
pub struct ReviewFacts {
    pub campaigns: HashMap<i64, CampaignFacts>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Started {
    campaign: Option<i64>,
    due: Option<NaiveDate>,
    items: Vec<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Decided {
    campaign: Option<i64>,
    decision: Option<Decision>,
    note: Option<String>,
}

/// Applies one review event to `facts`.
pub(super) fn apply(facts: &mut Facts, e: &EventIn<'_>) -> std::result::Result<(), String> {
    let unreadable = |err: serde_json::Error| format!("its payload cannot be read: {err}");
    match e.kind {
        "review-start" => {
            let p: Started = serde_json::from_str(e.payload).map_err(unreadable)?;
            let key = e.project.ok_or("it names no project")?;
            if !facts.projects.contains_key(key) {
                return Err(format!("project {key} was never added"));
            }
            let id = p.campaign.ok_or("it names no campaign")?;
            if facts.reviews.campaigns.contains_key(&id) {
                return Err(format!("access review {id} was started before"));
            }
            let mark = ReviewMark::Pending { due: p.due }.stored();
            let mut items = BTreeMap::new();
            for n in p.items {
                let item = item_id(key, n);
                let it = facts
                    .items
                    .get_mut(&item)
                    .ok_or_else(|| format!("{item} was never added"))?;
                it.review = Some(mark.clone());
                it.last_seq = e.seq;
                items.insert(
                    item,
                    DecisionFacts {
                        seq: e.seq,
                        ..Default::default()
                    },
                );
            }
            facts.reviews.campaigns.insert(
                id,
                CampaignFacts {
                    project: key.to_string(),
                    started_by: e.login.to_string(),
                    started_at: e.at.to_string(),
                    due: p.due.map(|d| d.format("%Y-%m-%d").to_string()),
                    items,
                    seq: e.seq,
                },
            );
            Ok(())
        }
        "review-decide" => {
            let p: Decided = serde_json::from_str(e.payload).map_err(unreadable)?;
            let item = e.item.ok_or("it names no item")?;
            let id = p.campaign.ok_or("it names no campaign")?;
            let decision = p.decision.ok_or("it names no decision")?;
            let entry = facts
                .reviews
                .campaigns
                .get_mut(&id)
                .ok_or_else(|| format!("access review {id} was never started"))?
                .items
                .get_mut(item)
                .ok_or_else(|| format!("{item} is not in access review {id}"))?;
            *entry = DecisionFacts {
                decision: Some(decision.as_str().to_string()),
                decided_by: Some(e.login.to_string()),
                decided_at: Some(e.at.to_string()),
                note: p.note,
                seq: e.seq,
            };
            let it = facts
                .items
                .get_mut(item)
                .ok_or_else(|| format!("{item} was never added"))?;
            it.review = ReviewMark::after(decision).map(ReviewMark::stored);
            it.updated_at = e.at.to_string();
            it.last_seq = e.seq;
            Ok(())
        }
        other => Err(format!("'{other}' is no review event")),
    }
}

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
