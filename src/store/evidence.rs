//! The audit evidence of a period, as the log vouches for it: every access item as the
//! log left it at the end of the window, every decision recorded in the window, and the
//! access reviews, each citing the event (seq and link) that records it.
//!
//! It is read only from a file that passes what `audit verify` checks (the chain, the
//! replay against the tables, the schema), and it reads only the file: nothing in it
//! depends on the moment it is read, so the same file and filters give the same rows.
//! The items are rebuilt by the replay (`replay::facts`) from the events up to the end
//! of the window; the times, seqs and links come from the same pass over the log.

use super::error::Result;
use super::handle::Store;
use super::records::load_project;
use super::replay::facts::{EventIn, Facts, ItemFacts};
use crate::domain::State;
use crate::domain::evidence::{self, Window};
use crate::domain::model::parse_item_id;
use rusqlite::Connection;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// One event as evidence cites it: when, who (login and uid), and where in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stamp {
    /// UTC, RFC 3339 (ISO-8601), as the log stores it.
    pub at: String,
    pub login: String,
    pub uid: i64,
    pub seq: i64,
    /// The event's link in the chain (its hash).
    pub link: String,
}

/// An approval in force on an item, with the event that recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceApproval {
    pub login: String,
    pub capacity: String,
    pub conditions: Option<String>,
    /// The approve event (absent for an approval carried in by a baseline row).
    pub event: Option<Stamp>,
}

/// A pending decision handed from one person to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceDelegation {
    pub capacity: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub reason: Option<String>,
    pub event: Stamp,
}

/// An access item as the log left it at the end of the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceItem {
    pub id: String,
    pub project: String,
    pub number: i64,
    pub system: String,
    pub purpose: String,
    pub role: String,
    pub holder: Option<String>,
    pub credential_owner: String,
    pub approval_owner: String,
    pub requester: String,
    /// Who last submitted it.
    pub submitter: Option<String>,
    pub state: String,
    pub flags: Vec<&'static str>,
    pub method: Option<String>,
    pub granted_method: Option<String>,
    pub expires: Option<String>,
    /// Approvals of the round in force (earlier rounds lapsed; see the decisions).
    pub approvals: Vec<EvidenceApproval>,
    pub delegations: Vec<EvidenceDelegation>,
    pub added: Option<Stamp>,
    pub requested: Option<Stamp>,
    pub approved: Option<Stamp>,
    pub granted: Option<Stamp>,
    pub verified: Option<Stamp>,
    pub revoked: Option<Stamp>,
    pub break_glass: Option<Stamp>,
    pub break_glass_reason: Option<String>,
    /// `accepted` or `revoke` once the retrospective was closed.
    pub retrospective_outcome: Option<String>,
    pub retrospective: Option<Stamp>,
}

/// One decision recorded in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceDecision {
    pub event: Stamp,
    pub project: Option<String>,
    pub item: Option<String>,
    /// The event kind: approve, deny, return, delegate, break-glass, close-retro,
    /// extension-approve, extension-deny, review-decide.
    pub kind: String,
    pub capacity: Option<String>,
    /// The state it moved the item from and to, when it moved it.
    pub from: Option<String>,
    pub to: Option<String>,
    pub conditions: Option<String>,
    pub reason: Option<String>,
    /// A delegation: who the decision was handed to.
    pub delegate: Option<String>,
    /// A retrospective's outcome or a review's decision.
    pub outcome: Option<String>,
    pub campaign: Option<i64>,
    pub note: Option<String>,
}

/// One access covered by a review campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceReview {
    pub campaign: i64,
    pub project: String,
    pub started_by: String,
    pub started_at: String,
    pub due: Option<String>,
    pub item: String,
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub note: Option<String>,
    pub started: Option<Stamp>,
    pub decided: Option<Stamp>,
}

/// The bundle's rows and where the log stood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub items: Vec<EvidenceItem>,
    pub decisions: Vec<EvidenceDecision>,
    pub reviews: Vec<EvidenceReview>,
    /// Events in the chain, and its head, as verified.
    pub events: i64,
    pub head_seq: i64,
    pub head_hash: String,
    pub schema_version: usize,
}

impl Store {
    /// The evidence of `project` (all projects when `None`) over `window`. Refused
    /// (`verified-log`) when the file fails any check of the audit verification.
    pub fn evidence(&self, project: Option<&str>, window: Window) -> Result<Evidence> {
        let v = self.verify_chain()?;
        if let Some((seq, why)) = &v.first_bad {
            return Err(
                evidence::unverified(&format!("the chain breaks at seq {seq}: {why}"), 1).into(),
            );
        }
        let mut problems = self.replay_check()?.problems();
        problems.extend(
            self.schema_differences()?
                .into_iter()
                .map(|d| format!("schema: {d}")),
        );
        if let Some(first) = problems.first() {
            return Err(evidence::unverified(first, problems.len()).into());
        }
        let project = project.map(str::to_ascii_uppercase);
        if let Some(p) = &project {
            load_project(&self.conn, p)?;
        }
        let mut out = read(&self.conn, project.as_deref(), window)?;
        (out.events, out.head_seq, out.head_hash) = (v.events, v.head_seq, v.head_hash);
        Ok(out)
    }
}

/// What one pass over the log gathers about one item, besides the replayed row.
#[derive(Debug, Default)]
struct Trail {
    submitter: Option<String>,
    delegations: Vec<EvidenceDelegation>,
    added: Option<Stamp>,
    requested: Option<Stamp>,
    approved: Option<Stamp>,
    granted: Option<Stamp>,
    verified: Option<Stamp>,
    revoked: Option<Stamp>,
    break_glass: Option<Stamp>,
    break_glass_reason: Option<String>,
    retrospective_outcome: Option<String>,
    retrospective: Option<Stamp>,
}

/// Everything gathered in the pass.
#[derive(Default)]
struct Pass {
    facts: Facts,
    trails: HashMap<String, Trail>,
    /// Approve events by (item, login, time).
    approvals: HashMap<(String, String, String), Stamp>,
    decisions: Vec<EvidenceDecision>,
    review_starts: HashMap<i64, Stamp>,
    review_decides: HashMap<(i64, String), Stamp>,
}

fn text(p: &Value, k: &str) -> Option<String> {
    p.get(k).and_then(Value::as_str).map(str::to_string)
}

fn read(conn: &Connection, project: Option<&str>, window: Window) -> Result<Evidence> {
    let from = super::replay::start_seq(conn)?;
    let mut pass = Pass::default();
    let mut stmt = conn.prepare(
        "SELECT seq, at, uid, login, project, item, kind, payload, hash FROM events ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let at: String = r.get(1)?;
        // The log as it stood at the end of the window.
        if window.is_after(&at) {
            break;
        }
        let seq: i64 = r.get(0)?;
        let login: String = r.get(3)?;
        let ev_project: Option<String> = r.get(4)?;
        let item: Option<String> = r.get(5)?;
        let kind: String = r.get(6)?;
        let payload: String = r.get(7)?;
        if seq >= from {
            pass.facts.apply(&EventIn {
                seq,
                at: &at,
                login: &login,
                project: ev_project.as_deref(),
                item: item.as_deref(),
                kind: &kind,
                payload: &payload,
            });
        }
        if project.is_some() && ev_project.as_deref() != project {
            continue;
        }
        if item.is_none() && kind != "review-start" {
            continue;
        }
        let in_window = evidence::is_decision(&kind) && window.contains(&at);
        let stamp = Stamp {
            at,
            login,
            uid: r.get(2)?,
            seq,
            link: r.get(8)?,
        };
        let p: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
        pass.note(&kind, item, ev_project, stamp, &p, in_window);
    }
    drop(rows);
    drop(stmt);
    let reviews = reviews(conn, project, window, &pass)?;
    let items = pass.items(project, window);
    Ok(Evidence {
        items,
        decisions: pass.decisions,
        reviews,
        events: 0,
        head_seq: 0,
        head_hash: String::new(),
        schema_version: super::schema::latest(),
    })
}

impl Pass {
    /// Takes what one event of an item (or a review start) says.
    fn note(
        &mut self,
        kind: &str,
        item: Option<String>,
        project: Option<String>,
        stamp: Stamp,
        p: &Value,
        decision_in_window: bool,
    ) {
        if kind == "review-start" {
            if let Some(c) = p.get("campaign").and_then(Value::as_i64) {
                self.review_starts.insert(c, stamp);
            }
            return;
        }
        let Some(id) = item else { return };
        if decision_in_window {
            self.decisions.push(EvidenceDecision {
                event: stamp.clone(),
                project,
                item: Some(id.clone()),
                kind: kind.to_string(),
                capacity: text(p, "capacity"),
                from: if kind == "delegate" {
                    None
                } else {
                    text(p, "from")
                },
                to: text(p, "to"),
                conditions: text(p, "conditions"),
                reason: text(p, "reason"),
                delegate: text(p, "delegate"),
                outcome: text(p, "outcome").or_else(|| text(p, "decision")),
                campaign: p.get("campaign").and_then(Value::as_i64),
                note: text(p, "note"),
            });
        }
        match kind {
            "approve" => {
                self.approvals.insert(
                    (id.clone(), stamp.login.clone(), stamp.at.clone()),
                    stamp.clone(),
                );
            }
            "review-decide" => {
                if let Some(c) = p.get("campaign").and_then(Value::as_i64) {
                    self.review_decides.insert((c, id.clone()), stamp.clone());
                }
            }
            _ => {}
        }
        let trail = self.trails.entry(id).or_default();
        match kind {
            "item-add" => trail.added = Some(stamp.clone()),
            "submit" => trail.submitter = Some(stamp.login.clone()),
            "delegate" => trail.delegations.push(EvidenceDelegation {
                capacity: text(p, "capacity"),
                from: text(p, "from"),
                to: text(p, "delegate"),
                reason: text(p, "reason"),
                event: stamp.clone(),
            }),
            "break-glass" => {
                trail.break_glass = Some(stamp.clone());
                trail.break_glass_reason = text(p, "reason");
            }
            "close-retro" => {
                trail.retrospective = Some(stamp.clone());
                trail.retrospective_outcome = text(p, "outcome");
            }
            _ => {}
        }
        // The last event that moved the item into each state.
        let slot = match p.get("to").and_then(Value::as_str) {
            Some("requested") => &mut trail.requested,
            Some("approved") => &mut trail.approved,
            Some("granted") => &mut trail.granted,
            Some("verified") => &mut trail.verified,
            Some("revoked") => &mut trail.revoked,
            _ => return,
        };
        *slot = Some(stamp);
    }

    /// The items of the window, in project and number order.
    fn items(&mut self, project: Option<&str>, window: Window) -> Vec<EvidenceItem> {
        let mut keyed: Vec<(String, i64, &String, &ItemFacts)> = self
            .facts
            .items
            .iter()
            .filter_map(|(id, f)| {
                let (key, number) = parse_item_id(id)?;
                if project.is_some_and(|p| p != key) {
                    return None;
                }
                let ended = matches!(f.state, State::Revoked | State::Cancelled)
                    .then_some(f.state_since.as_str());
                evidence::item_in_window(&window, &f.created_at, ended).then_some((
                    key,
                    number,
                    id,
                    f.as_ref(),
                ))
            })
            .collect();
        keyed.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        keyed
            .into_iter()
            .map(|(key, number, id, f)| {
                let trail = self.trails.remove(id).unwrap_or_default();
                item_row(id, key, number, f, trail, &self.approvals)
            })
            .collect()
    }
}

fn item_row(
    id: &str,
    project: String,
    number: i64,
    f: &ItemFacts,
    t: Trail,
    approvals: &HashMap<(String, String, String), Stamp>,
) -> EvidenceItem {
    let fields = &f.fields;
    let mut flags = Vec::new();
    for (on, name) in [
        (fields.privileged, "privileged"),
        (fields.shared_credential, "shared-credential"),
        (fields.client_owned, "client-owned"),
        (fields.exception.is_some(), "exception"),
        (fields.temporary, "temporary"),
        (f.emergency, "emergency"),
        (fields.above_standard, "above-standard"),
    ] {
        if on {
            flags.push(name);
        }
    }
    let in_force = f
        .approvals
        .iter()
        .filter(|a| a.round == f.round)
        .map(|a| EvidenceApproval {
            login: a.login.clone(),
            capacity: a.capacity.as_str().to_string(),
            conditions: a.conditions.clone(),
            event: approvals
                .get(&(id.to_string(), a.login.clone(), a.at.clone()))
                .cloned(),
        })
        .collect();
    EvidenceItem {
        id: id.to_string(),
        project,
        number,
        system: fields.system.clone(),
        purpose: fields.purpose.clone(),
        role: fields.role.clone(),
        holder: fields.holder.clone(),
        credential_owner: fields.credential_owner.clone(),
        approval_owner: fields.approver.clone(),
        requester: f.requester.clone(),
        submitter: t.submitter,
        state: f.state.as_str().to_string(),
        flags,
        method: fields.method.map(|m| m.as_str().to_string()),
        granted_method: f.granted_method.map(|m| m.as_str().to_string()),
        expires: fields.expires.map(|d| d.format("%Y-%m-%d").to_string()),
        approvals: in_force,
        delegations: t.delegations,
        added: t.added,
        requested: t.requested,
        approved: t.approved,
        granted: t.granted,
        verified: t.verified,
        revoked: t.revoked,
        break_glass: t.break_glass,
        break_glass_reason: t.break_glass_reason,
        retrospective_outcome: t.retrospective_outcome,
        retrospective: t.retrospective,
    }
}

/// The accesses of the review campaigns started by the end of the window, with the
/// decisions taken by then.
fn reviews(
    conn: &Connection,
    project: Option<&str>,
    window: Window,
    pass: &Pass,
) -> Result<Vec<EvidenceReview>> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.project, c.started_by, c.started_at, c.due, i.project || '-' || i.number, \
         r.decision, r.decided_by, r.decided_at, r.note \
         FROM review_items r JOIN review_campaigns c ON c.id = r.campaign JOIN items i ON i.id = r.item_id \
         WHERE (?1 IS NULL OR c.project = ?1) ORDER BY c.id, i.project, i.number",
    )?;
    let mut rows = stmt.query([project])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let started_at: String = r.get(3)?;
        if window.is_after(&started_at) {
            continue;
        }
        let campaign: i64 = r.get(0)?;
        let item: String = r.get(5)?;
        let decided_at: Option<String> = r.get(8)?;
        let decided_in_window = decided_at.as_deref().is_some_and(|d| !window.is_after(d));
        let taken = |v: Option<String>| v.filter(|_| decided_in_window);
        out.push(EvidenceReview {
            campaign,
            project: r.get(1)?,
            started_by: r.get(2)?,
            started_at,
            due: r.get(4)?,
            decision: taken(r.get(6)?),
            decided_by: taken(r.get(7)?),
            decided_at: taken(decided_at),
            note: taken(r.get(9)?),
            started: pass.review_starts.get(&campaign).cloned(),
            decided: pass
                .review_decides
                .get(&(campaign, item.clone()))
                .cloned()
                .filter(|_| decided_in_window),
            item,
        });
    }
    Ok(out)
}
