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
use crate::domain::evidence::{self, Window};
use crate::domain::model::parse_item_id;
use crate::domain::{ItemFields, State};
use rusqlite::Connection;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

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

/// The events an item row cites, by name: `added`, the last move into each of
/// `requested`, `approved`, `granted`, `verified`, `revoked`, and `break_glass` and
/// `retrospective`.
pub type Stamps = BTreeMap<&'static str, Stamp>;

/// An access item as the log left it at the end of the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceItem {
    pub id: String,
    pub project: String,
    pub number: i64,
    /// What a person filled in (system, purpose, role, holder, credential owner,
    /// approval owner as `approver`, method, expiry, flags, exception, notes...).
    #[serde(flatten)]
    pub fields: ItemFields,
    pub requester: String,
    pub state: String,
    pub flags: Vec<&'static str>,
    pub granted_method: Option<String>,
    /// Approvals of the round in force (earlier rounds lapsed; see the decisions):
    /// `login`, `capacity`, `conditions` and the approve `event` (null for an approval
    /// carried in by a baseline row).
    pub approvals: Vec<Value>,
    /// Who last submitted it, who handed decisions on, why the glass was broken and
    /// what the retrospective concluded: the payload values of those events.
    #[serde(flatten)]
    pub trail: Map<String, Value>,
    /// Decisions handed on: each delegate event's payload and the event.
    pub delegations: Vec<Value>,
    #[serde(flatten)]
    pub stamps: Stamps,
}

/// One decision recorded in the window: the event, and what its payload says of the
/// decision (capacity, from, to, conditions, reason, delegate, outcome, campaign,
/// note; those it has).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceDecision {
    pub event: Stamp,
    pub project: Option<String>,
    pub item: Option<String>,
    /// The event kind (see `domain::evidence::DECISION_KINDS`).
    pub kind: String,
    #[serde(flatten)]
    pub details: Map<String, Value>,
}

/// The payload keys a decision row keeps.
const DECISION_KEYS: [&str; 10] = [
    "capacity",
    "from",
    "to",
    "conditions",
    "reason",
    "delegate",
    "outcome",
    "decision",
    "campaign",
    "note",
];

/// One access covered by a review campaign: its row (campaign, project, started_by,
/// started_at, due, item, decision, decided_by, decided_at, note) and the events that
/// started the campaign and recorded the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceReview {
    #[serde(flatten)]
    pub row: Map<String, Value>,
    pub started: Option<Stamp>,
    pub decided: Option<Stamp>,
}

/// The bundle's rows and where the log stood.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    values: Map<String, Value>,
    delegations: Vec<Value>,
    stamps: Stamps,
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

/// Every event, in order, with what evidence cites of it.
const EVENTS: &str =
    "SELECT seq, at, uid, login, project, item, kind, payload, hash FROM events ORDER BY seq";

fn read(conn: &Connection, project: Option<&str>, window: Window) -> Result<Evidence> {
    let from = super::replay::start_seq(conn)?;
    let mut pass = Pass::default();
    let mut stmt = conn.prepare(EVENTS)?;
    let mut rows = stmt.query([])?;
    // The log as it stood at the end of the window: up to the first event after it.
    while let Some(r) = rows.next()? {
        let at: String = r.get(1)?;
        if window.is_after(&at) {
            break;
        }
        let seq: i64 = r.get(0)?;
        let login: String = r.get(3)?;
        let ev_project: Option<String> = r.get(4)?;
        let item: Option<String> = r.get(5)?;
        let kind: String = r.get(6)?;
        let payload: String = r.get(7)?;
        // Another project's events change only its own rows: with a project named,
        // they are left out of the replay (and of its memory).
        let elsewhere =
            project.is_some() && ev_project.is_some() && ev_project.as_deref() != project;
        if seq >= from && !elsewhere {
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
            let details = DECISION_KEYS
                .iter()
                .filter_map(|k| Some((k.to_string(), p.get(*k)?.clone())))
                .filter(|(_, v)| !v.is_null())
                .collect();
            self.decisions.push(EvidenceDecision {
                event: stamp.clone(),
                project,
                item: Some(id.clone()),
                kind: kind.to_string(),
                details,
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
        let mut keep = |name: &str, value: Option<&Value>| {
            if let Some(v) = value.filter(|v| !v.is_null()) {
                trail.values.insert(name.to_string(), v.clone());
            }
        };
        match kind {
            "submit" => keep("submitter", Some(&Value::String(stamp.login.clone()))),
            "break-glass" => keep("break_glass_reason", p.get("reason")),
            "close-retro" => keep("retrospective_outcome", p.get("outcome")),
            _ => {}
        }
        if kind == "delegate" {
            let mut d = p.clone();
            d["event"] = serde_json::to_value(&stamp).unwrap_or(Value::Null);
            trail.delegations.push(d);
        }
        // The last event that moved the item into each state, and the named events.
        let to = p.get("to").and_then(Value::as_str);
        let name = match (kind, to) {
            ("item-add", _) => "added",
            ("break-glass", _) => {
                trail.stamps.insert("break_glass", stamp.clone());
                "granted"
            }
            ("close-retro", Some("revoked")) => {
                trail.stamps.insert("retrospective", stamp.clone());
                "revoked"
            }
            ("close-retro", _) => "retrospective",
            (_, Some("requested")) => "requested",
            (_, Some("approved")) => "approved",
            (_, Some("granted")) => "granted",
            (_, Some("verified")) => "verified",
            (_, Some("revoked")) => "revoked",
            _ => return,
        };
        trail.stamps.insert(name, stamp);
    }

    /// The items of the window, in project and number order.
    fn items(&mut self, project: Option<&str>, window: Window) -> Vec<EvidenceItem> {
        // The replayed rows are taken, not copied: nothing reads them afterwards.
        let mut keyed: Vec<(String, i64, String, Box<ItemFacts>)> =
            std::mem::take(&mut self.facts.items)
                .into_iter()
                .filter_map(|(id, f)| {
                    let (key, number) = parse_item_id(&id)?;
                    if project.is_some_and(|p| p != key) {
                        return None;
                    }
                    let ended = matches!(f.state, State::Revoked | State::Cancelled)
                        .then_some(f.state_since.as_str());
                    evidence::item_in_window(&window, &f.created_at, ended)
                        .then_some((key, number, id, f))
                })
                .collect();
        keyed.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        keyed
            .into_iter()
            .map(|(key, number, id, f)| {
                let trail = self.trails.remove(&id).unwrap_or_default();
                item_row(&id, key, number, *f, trail, &self.approvals)
            })
            .collect()
    }
}

fn item_row(
    id: &str,
    project: String,
    number: i64,
    f: ItemFacts,
    t: Trail,
    approvals: &HashMap<(String, String, String), Stamp>,
) -> EvidenceItem {
    let fields = &f.fields;
    let flags = [
        (fields.privileged, "privileged"),
        (fields.shared_credential, "shared-credential"),
        (fields.client_owned, "client-owned"),
        (fields.exception.is_some(), "exception"),
        (fields.temporary, "temporary"),
        (f.emergency, "emergency"),
        (fields.above_standard, "above-standard"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    let in_force = f
        .approvals
        .iter()
        .filter(|a| a.round == f.round)
        .map(|a| {
            let event = approvals.get(&(id.to_string(), a.login.clone(), a.at.clone()));
            json!({"login": a.login, "capacity": a.capacity.as_str(),
                "conditions": a.conditions, "event": event})
        })
        .collect();
    EvidenceItem {
        id: id.to_string(),
        project,
        number,
        fields: f.fields,
        requester: f.requester.clone(),
        state: f.state.as_str().to_string(),
        flags,
        granted_method: f.granted_method.map(|m| m.as_str().to_string()),
        approvals: in_force,
        trail: t.values,
        delegations: t.delegations,
        stamps: t.stamps,
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
    const COLUMNS: [&str; 10] = [
        "campaign",
        "project",
        "started_by",
        "started_at",
        "due",
        "item",
        "decision",
        "decided_by",
        "decided_at",
        "note",
    ];
    while let Some(r) = rows.next()? {
        let mut row = Map::new();
        for (i, c) in COLUMNS.iter().enumerate() {
            let v = match r.get_ref(i)? {
                rusqlite::types::ValueRef::Integer(n) => Value::from(n),
                rusqlite::types::ValueRef::Text(t) => {
                    Value::String(String::from_utf8_lossy(t).into_owned())
                }
                _ => Value::Null,
            };
            row.insert(c.to_string(), v);
        }
        let started_at = row["started_at"].as_str().unwrap_or_default().to_string();
        if window.is_after(&started_at) {
            continue;
        }
        let campaign = row["campaign"].as_i64().unwrap_or_default();
        let item = row["item"].as_str().unwrap_or_default().to_string();
        let decided_in_window = row["decided_at"]
            .as_str()
            .is_some_and(|d| !window.is_after(d));
        if !decided_in_window {
            for c in &COLUMNS[6..] {
                row.insert(c.to_string(), Value::Null);
            }
        }
        out.push(EvidenceReview {
            row,
            started: pass.review_starts.get(&campaign).cloned(),
            decided: pass
                .review_decides
                .get(&(campaign, item))
                .cloned()
                .filter(|_| decided_in_window),
        });
    }
    Ok(out)
}
