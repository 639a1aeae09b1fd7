//! Access reviews (certification campaigns): starting one over a project's live
//! access, recording each decision, certifying the standard access of a campaign at
//! once, and reading campaigns with their progress.
//!
//! Who may do what is the domain's (`domain::review`); this module loads what the
//! rules look at, inside the write transaction, and stores the outcome with its event:
//! `review-start` (the campaign and the numbers of the items it covers) and
//! `review-decide` (one per decision). A review does not change an item's version:
//! an edit based on it stays valid. A decision counts as a change (its time moves
//! the item's `updated_at`), so other screens see it.

use super::error::{Error, Result};
use super::events::{self, ts};
use super::handle::{Ctx, Store};
use super::records::{load_item, load_project, not_found};
use super::rows::{self, ITEM_COLUMNS};
use crate::domain::blockers;
use crate::domain::machine;
use crate::domain::review::{
    self, Campaign, Decision, Entry, Measures, Progress, REVIEWERS, ReviewMark,
};
use crate::domain::*;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;
use std::collections::HashMap;

/// What certifying a campaign's standard access at once did.
#[derive(Debug, Clone, Default)]
pub struct BulkCertified {
    pub campaign: i64,
    /// Items certified now.
    pub certified: Vec<String>,
    /// Undecided items with a review flag, left for a person to decide one by one.
    pub flagged: Vec<String>,
    /// Standard items the acting person may not review (and why).
    pub refused: Vec<(String, Refusal)>,
}

/// Live access a new campaign covers: granted or verified, and not already waiting
/// to be revoked after an earlier review.
const COVERED: &str = "project = ?1 AND (state = 'granted' OR state = 'verified') AND (review IS NULL OR review <> 'revoke')";

const CAMPAIGNS: &str = "SELECT c.id, c.project, c.started_by, c.started_at, c.due, count(r.item_id), \
     coalesce(sum(r.decision = 'certify'), 0), coalesce(sum(r.decision = 'revoke'), 0), \
     coalesce(sum(r.decision IS NULL AND i.state <> 'granted' AND i.state <> 'verified'), 0) \
     FROM review_campaigns c LEFT JOIN review_items r ON r.campaign = c.id \
     LEFT JOIN items i ON i.id = r.item_id";

fn count(r: &rusqlite::Row<'_>, i: usize) -> usize {
    usize::try_from(rows::int(r, i)).unwrap_or(0)
}

/// Campaigns (of one project, of every project when `None`, or the one `id`) with
/// their progress and state on each project's today.
fn campaigns(
    conn: &Connection,
    project: Option<&str>,
    id: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Campaign>> {
    let sql = format!(
        "{CAMPAIGNS} WHERE (?1 IS NULL OR c.project = ?1) AND (?2 IS NULL OR c.id = ?2) \
         GROUP BY c.id ORDER BY c.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![project.map(str::to_ascii_uppercase), id])?;
    let mut projects: HashMap<String, Project> = HashMap::new();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let key = rows::text(r, 1);
        if !projects.contains_key(&key) {
            projects.insert(key.clone(), load_project(conn, &key)?);
        }
        let today = projects
            .get(&key)
            .map(|p| blockers::today(p, now))
            .unwrap_or_else(|| now.date_naive());
        let progress = Progress {
            items: count(r, 5),
            certified: count(r, 6),
            revoked: count(r, 7),
            ended: count(r, 8),
        };
        let due = rows::date(r, 4);
        out.push(Campaign {
            id: r.get(0)?,
            project: key,
            started_by: rows::text(r, 2),
            started_at: rows::time(r, 3).unwrap_or_default(),
            due,
            state: progress.state(due, today),
            progress,
        });
    }
    Ok(out)
}

/// A campaign of `project` still open (or overdue), if any.
fn open_campaign(
    conn: &Connection,
    project: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<i64>> {
    Ok(campaigns(conn, Some(project), None, now)?
        .into_iter()
        .find(|c| c.state != review::CampaignState::Completed)
        .map(|c| c.id))
}

fn campaign_project(conn: &Connection, id: i64) -> Result<String> {
    conn.prepare_cached("SELECT project FROM review_campaigns WHERE id = ?1")?
        .query_row([id], |r| Ok(rows::text(r, 0)))
        .optional()?
        .ok_or_else(|| not_found(&format!("no access review {id}")))
}

/// Records one decision on `before` in campaign `campaign`: the review row, the item's
/// mark and blocking spell, and the event.
fn record(
    tx: &Connection,
    ctx: &Ctx,
    p: &Project,
    before: &Item,
    campaign: i64,
    decision: Decision,
    note: Option<&str>,
) -> Result<()> {
    let mut after = before.clone();
    after.review = ReviewMark::after(decision);
    after.updated_at = ctx.now;
    after.blocked_since =
        blockers::spell_after_change(Some(before), &after, p, ctx.now, ctx.settings);
    let at = ts(ctx.now);
    tx.prepare_cached(
        "UPDATE review_items SET decision = ?1, decided_by = ?2, decided_at = ?3, note = ?4 \
         WHERE campaign = ?5 AND item_id = ?6",
    )?
    .execute(params![
        decision.as_str(),
        ctx.me.login,
        at,
        note,
        campaign,
        before.rowid
    ])?;
    tx.prepare_cached(
        "UPDATE items SET review = ?1, updated_at = ?2, blocked_since = ?3 WHERE id = ?4",
    )?
    .execute(params![
        after.review.map(ReviewMark::stored),
        at,
        after.blocked_since.map(ts),
        before.rowid
    ])?;
    super::facts::refresh(tx, "id = ?1", [before.rowid])?;
    let decided = json!({"campaign": campaign, "decision": decision, "note": note});
    let ended = super::spells::ended(before, &after, p, ctx);
    let it = (before, before.rowid);
    super::spells::append(tx, ctx, it, "review-decide", decided, ended)?;
    Ok(())
}

fn note_of(note: Option<&str>) -> Option<&str> {
    note.map(str::trim).filter(|n| !n.is_empty())
}

impl Store {
    /// Opens an access review over every live access of `project`, due on `due`.
    pub fn start_review(&mut self, project: &str, due: Option<NaiveDate>) -> Result<Campaign> {
        let key = project.to_ascii_uppercase();
        let me = self.my_person()?;
        let login = self.me.login.clone();
        let id = self.write(Some(&key), None, |tx, ctx| {
            let p = load_project(tx, &key)?;
            review::check_due(due, blockers::today(&p, ctx.now))?;
            let open = open_campaign(tx, &key, ctx.now)?;
            let numbers: Vec<i64> = tx
                .prepare_cached(&format!(
                    "SELECT number FROM items WHERE {COVERED} ORDER BY number"
                ))?
                .query_map([&key], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            review::check_start(
                me.as_ref(),
                &login,
                &key,
                p.closed_at.is_some(),
                open,
                numbers.len(),
            )?;
            tx.execute(
                "INSERT INTO review_campaigns (project, started_by, started_at, due) VALUES (?1, ?2, ?3, ?4)",
                params![key, ctx.me.login, ts(ctx.now), due.map(|d| d.format("%Y-%m-%d").to_string())],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute(
                &format!("INSERT INTO review_items (campaign, item_id) SELECT ?2, id FROM items WHERE {COVERED}"),
                params![key, id],
            )?;
            tx.execute(
                &format!("UPDATE items SET review = ?2 WHERE {COVERED}"),
                params![key, ReviewMark::Pending { due }.stored()],
            )?;
            // The same rows: the mark just written is not a revocation.
            super::facts::refresh(tx, COVERED, [&key])?;
            let started = json!({"campaign": id, "due": due, "items": numbers});
            events::append(tx, ctx, Some(&key), None, "review-start", &started)?;
            Ok(id)
        })?;
        self.campaign(id)
    }

    /// One campaign with its progress.
    pub fn campaign(&self, id: i64) -> Result<Campaign> {
        campaigns(&self.conn, None, Some(id), self.now())?
            .pop()
            .ok_or_else(|| not_found(&format!("no access review {id}")))
    }

    /// Every campaign (of one project), oldest first.
    pub fn campaigns(&self, project: Option<&str>) -> Result<Vec<Campaign>> {
        if let Some(k) = project {
            load_project(&self.conn, k)?;
        }
        campaigns(&self.conn, project, None, self.now())
    }

    /// The access a campaign covers, by item number, with the decisions.
    pub fn campaign_entries(&self, id: i64) -> Result<Vec<Entry>> {
        campaign_project(&self.conn, id)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.project, i.number, i.system, i.role, i.holder, i.privileged, i.shared_credential, \
             i.client_owned, i.exception_reason, i.state, r.decision, r.decided_by, r.decided_at, r.note, i.id \
             FROM review_items r JOIN items i ON i.id = r.item_id WHERE r.campaign = ?1 ORDER BY i.number",
        )?;
        let out = stmt
            .query_map([id], |r| {
                let state: Option<State> = rows::opt_text(r, 9).and_then(|s| s.parse().ok());
                Ok(Entry {
                    rowid: rows::int(r, 14),
                    item: item_id(&rows::text(r, 0), rows::int(r, 1)),
                    system: rows::text(r, 2),
                    role: rows::text(r, 3),
                    holder: rows::opt_text(r, 4),
                    flagged: rows::flag(r, 5)
                        || rows::flag(r, 6)
                        || rows::flag(r, 7)
                        || rows::opt_text(r, 8).is_some(),
                    live: state.is_some_and(State::access_live),
                    decision: rows::opt_text(r, 10).and_then(|d| d.parse().ok()),
                    decided_by: rows::opt_text(r, 11),
                    decided_at: rows::time(r, 12),
                    note: rows::opt_text(r, 13),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(out)
    }

    /// Records a reviewer's decision on item `id`, in `campaign` or else in the open
    /// campaign that waits for it. Returns the campaign after it.
    pub fn review_decide(
        &mut self,
        id: &str,
        campaign: Option<i64>,
        decision: Decision,
        note: Option<&str>,
    ) -> Result<Campaign> {
        let note = note_of(note);
        let (key, _) = parse_item_id(id).unwrap_or_default();
        if let Some(n) = note {
            self.checked(rules::check_text("note", n, true), Some(&key), Some(id))?;
        }
        let me = self.my_person()?;
        let login = self.me.login.clone();
        let cid = self.write(Some(&key), Some(id), |tx, ctx| {
            let before = load_item(tx, id)?;
            let p = load_project(tx, &before.project)?;
            let (cid, already) = match campaign {
                Some(c) => {
                    let row: Option<(Option<String>, Option<String>)> = tx
                        .prepare_cached("SELECT decision, decided_by FROM review_items WHERE campaign = ?1 AND item_id = ?2")?
                        .query_row(params![c, before.rowid], |r| Ok((rows::opt_text(r, 0), rows::opt_text(r, 1))))
                        .optional()?;
                    let Some((d, by)) = row else {
                        campaign_project(tx, c)?;
                        return Err(Error::Refused(
                            Refusal::new(Rule::ValidValue, format!("{} is not in access review {c}", before.id()))
                                .on(Field::Campaign)
                                .fix("name the review that covers it, or leave the review out"),
                        ));
                    };
                    (c, d.and_then(|d| d.parse::<Decision>().ok()).map(|d| (d, by.unwrap_or_default())))
                }
                None => {
                    let c: Option<i64> = tx
                        .prepare_cached("SELECT campaign FROM review_items WHERE item_id = ?1 AND decision IS NULL ORDER BY campaign DESC LIMIT 1")?
                        .query_row([before.rowid], |r| r.get(0))
                        .optional()?;
                    (c.ok_or_else(|| Error::Refused(review::not_in_review(&before.id())))?, None)
                }
            };
            let already = already.as_ref().map(|(d, by)| (*d, by.as_str()));
            review::check_decidable(&before, cid, already)?;
            review::check_reviewer(&before, me.as_ref(), &login)?;
            record(tx, ctx, &p, &before, cid, decision, note)?;
            Ok(cid)
        })?;
        self.campaign(cid)
    }

    /// Certifies every undecided standard access of a campaign (no review flag) that
    /// the acting person may review; flagged access is never certified in bulk.
    pub fn review_certify_standard(
        &mut self,
        campaign: i64,
        note: Option<&str>,
    ) -> Result<BulkCertified> {
        let note = note_of(note);
        let key = campaign_project(&self.conn, campaign)?;
        if let Some(n) = note {
            self.checked(rules::check_text("note", n, true), Some(&key), None)?;
        }
        let me = self.my_person()?;
        let login = self.me.login.clone();
        self.write(Some(&key), None, |tx, ctx| {
            let person = machine::require_registered(me.as_ref(), &login)?;
            machine::require_role(person, &REVIEWERS, "deciding in an access review")?;
            let p = load_project(tx, &key)?;
            let items: Vec<Item> = tx
                .prepare_cached(&format!(
                    "SELECT {ITEM_COLUMNS} FROM items WHERE id IN (SELECT item_id FROM review_items \
                     WHERE campaign = ?1 AND decision IS NULL) AND (state = 'granted' OR state = 'verified') \
                     ORDER BY number"
                ))?
                .query_map([campaign], rows::item)?
                .collect::<rusqlite::Result<_>>()?;
            let mut out = BulkCertified {
                campaign,
                ..Default::default()
            };
            for it in items {
                if !review::bulk_certifiable(&it) {
                    out.flagged.push(it.id());
                    continue;
                }
                match review::check_reviewer(&it, me.as_ref(), &login) {
                    Ok(_) => {
                        record(tx, ctx, &p, &it, campaign, Decision::Certify, note)?;
                        out.certified.push(it.id());
                    }
                    Err(r) => out.refused.push((it.id(), r)),
                }
            }
            Ok(out)
        })
    }

    /// The campaigns counted per project (and all together under the key `""`),
    /// for the report.
    pub fn review_measures(&self, project: Option<&str>) -> Result<HashMap<String, Measures>> {
        let mut out: HashMap<String, Measures> = HashMap::new();
        for c in campaigns(&self.conn, project, None, self.now())? {
            out.entry(c.project.clone()).or_default().add(&c);
            out.entry(String::new()).or_default().add(&c);
        }
        Ok(out)
    }
}
