//! Taking a decision back. For a short while after approving, denying or returning an
//! item, the person who decided may undo it, as long as nothing else happened to the
//! item since. An undo is a move of its own, recorded as an `undo` event that names
//! the event it undoes: the log keeps both, nothing is deleted from it.
//!
//! Undoing restores what the decision changed: an approval is withdrawn (and the state
//! it moved goes back); a denial or a return gives the round back, so the approvals it
//! voided count again. Revoke, cancel and break-glass are never undone: they are
//! recorded for good, and the opposite move is made instead.

use super::machine::{self, Actor, Transition};
use super::model::{Approval, Item, ItemFields, Project, State};
use super::refusal::{Refusal, Rule};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

/// How long after a decision it may be undone.
pub const UNDO_SECONDS: i64 = 10;

/// The kind of event an undo is recorded as.
pub const EVENT: &str = "undo";

/// The kinds of event (moves) that may be undone.
pub const UNDOABLE: [&str; 3] = ["approve", "deny", "return"];

/// The decision to undo, as the log recorded it: the item's last event.
#[derive(Debug, Clone, Copy)]
pub struct Undone<'a> {
    pub seq: i64,
    pub kind: &'a str,
    pub login: &'a str,
    pub at: DateTime<Utc>,
    pub payload: &'a Value,
}

/// An accepted undo: the item as it was before the decision (with a new version), the
/// event to record, and the approval it withdraws (to be removed from the round).
#[derive(Debug, Clone, PartialEq)]
pub struct Undo {
    pub transition: Transition,
    pub withdrawn: Option<Approval>,
}

/// Is `at` still within the time an undo is allowed, at `now`?
pub fn within_window(at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= at - Duration::seconds(1) && now - at <= Duration::seconds(UNDO_SECONDS)
}

fn refused(problem: String, fix: &str) -> Refusal {
    Refusal::new(Rule::Undo, problem).fix(fix)
}

/// May `login` undo `undone` (the item's last event) now? Everything but the typed
/// text: there is none.
pub fn guard(
    item: &Item,
    undone: &Undone<'_>,
    actor: Actor<'_>,
    login: &str,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    machine::require_registered(actor, login)?;
    if !UNDOABLE.contains(&undone.kind) {
        return Err(refused(
            format!(
                "the last change of {} was {}; only an approval, a denial or a return can be undone",
                item.id(),
                undone.kind
            ),
            "revoke, cancel and break-glass are recorded for good: make the opposite move if one is needed",
        ));
    }
    if undone.login != login {
        return Err(refused(
            format!(
                "the {} of {} was made by {}; only they may undo it",
                undone.kind,
                item.id(),
                undone.login
            ),
            "ask them, or make the opposite move yourself if you may",
        ));
    }
    if !within_window(undone.at, now) {
        let secs = (now - undone.at).num_seconds().max(0);
        return Err(refused(
            format!(
                "the {} of {} was made {secs} s ago; a decision can be undone for {UNDO_SECONDS} s only",
                undone.kind,
                item.id()
            ),
            "make the opposite move instead (deny or return an approved item, reopen a denied one)",
        ));
    }
    Ok(())
}

/// Undoes `undone`, the last event of `item`, for `login` at `now`.
pub fn undo(
    item: &Item,
    project: &Project,
    undone: &Undone<'_>,
    actor: Actor<'_>,
    login: &str,
    now: DateTime<Utc>,
) -> Result<Undo, Refusal> {
    guard(item, undone, actor, login, now)?;
    machine::require_open(project, "undo")?;
    let p = undone.payload;
    let unreadable = |what: &str| {
        refused(
            format!(
                "the log does not say {what} before the {} of {}, so it cannot be undone",
                undone.kind,
                item.id()
            ),
            "make the opposite move instead",
        )
    };
    let mut next = item.clone();
    let mut payload = json!({ "undoes": undone.seq, "undone": undone.kind });
    let mut withdrawn = None;
    // The state goes back when the decision moved it.
    let restored_state = match p.get("from").and_then(Value::as_str) {
        Some(from) => {
            let state: State = from.parse().map_err(|_| unreadable("the state"))?;
            let since: DateTime<Utc> = p
                .get("from_since")
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .ok_or_else(|| unreadable("since when it was in that state"))?;
            Some((state, since))
        }
        None => None,
    };
    match undone.kind {
        "approve" => {
            let pos = next
                .approvals
                .iter()
                .position(|a| a.login == undone.login && a.at == undone.at)
                .ok_or_else(|| unreadable("which approval it recorded"))?;
            let a = next.approvals.remove(pos);
            payload["approval"] = json!({
                "round": item.round,
                "login": a.login,
                "capacity": a.capacity.as_str(),
                "at": a.at,
            });
            // A condition's earlier end went onto the item with the approval.
            if let Some(Value::Object(changes)) = p.get("fields") {
                let back = reverse(changes);
                next.fields =
                    with_changes(&item.fields, &back).ok_or_else(|| unreadable("the fields"))?;
                payload["fields"] = Value::Object(back);
            }
            withdrawn = Some(a);
        }
        _ => {
            // A denial or a return voided the round: it is given back, and with it
            // its approvals, parties and handed-on decisions.
            let lapsed = p.get("lapsed").ok_or_else(|| unreadable("the round"))?;
            let round = lapsed.get("round").and_then(Value::as_i64);
            if round != Some(item.round - 1) {
                return Err(unreadable("the round"));
            }
            next.round = item.round - 1;
            next.parties = serde_json::from_value(lapsed["parties"].clone()).unwrap_or_default();
            next.delegates =
                serde_json::from_value(lapsed["delegates"].clone()).unwrap_or_default();
            next.last_reason = lapsed["last_reason"].as_str().map(str::to_string);
            // The store reads the round's approvals back with the item.
            next.approvals.clear();
            payload["round"] = json!(next.round);
            payload["parties"] = json!(next.parties);
            payload["delegates"] = json!(next.delegates);
            payload["last_reason"] = json!(next.last_reason);
        }
    }
    if let Some((state, since)) = restored_state {
        payload["from"] = json!(item.state.as_str());
        payload["to"] = json!(state.as_str());
        payload["state_since"] = json!(since);
        next.state = state;
        next.state_since = since;
    }
    next.updated_at = now;
    next.version += 1;
    Ok(Undo {
        transition: Transition {
            item: next,
            new_approval: None,
            kind: EVENT,
            payload,
        },
        withdrawn,
    })
}

/// `{"field": [old, new]}` turned round to `{"field": [new, old]}`.
fn reverse(changes: &serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    changes
        .iter()
        .map(|(k, pair)| (k.clone(), json!([pair[1].clone(), pair[0].clone()])))
        .collect()
}

/// `fields` with `{"field": [old, new]}` applied (`None` when a field is unknown).
fn with_changes(
    fields: &ItemFields,
    changes: &serde_json::Map<String, Value>,
) -> Option<ItemFields> {
    let mut v = serde_json::to_value(fields).ok()?;
    let map = v.as_object_mut()?;
    for (k, pair) in changes {
        *map.get_mut(k)? = pair.get(1)?.clone();
    }
    serde_json::from_value(v).ok()
}

#[cfg(test)]
mod tests;
