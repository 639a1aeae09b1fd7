//! Risk routing: whose decisions an item's risk needs and who may take them now,
//! handing a pending decision to someone else (delegation), fulfilment by two people
//! (who granted does not verify), and what blocks when a decision has nobody to take
//! it (a deactivated person, too few security reviewers).
//!
//! `decide` answers whether one person may decide; this module looks at everybody
//! registered (a [`Roster`]) to say who may, and why nobody can.

use super::blockers::{Reason, Settings};
use super::decide::{self, APPROVAL_OWNER_ROLES};
use super::machine::{Actor, Transition, require_registered};
use super::model::*;
use super::refusal::{Field, Refusal, Rule};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

/// A pending decision of the current round handed from one person to another. The
/// item's approval owner stays as it is: this is not a material change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegate {
    pub capacity: Capacity,
    pub from: String,
    pub to: String,
}

/// The people registered, as routing reads them.
pub trait Roster {
    /// The registered person of a login.
    fn find(&self, login: &str) -> Option<&Person>;
    /// Everyone registered, in no particular order.
    fn everyone(&self) -> Box<dyn Iterator<Item = &Person> + '_>;
}

impl Roster for &[Person] {
    fn find(&self, login: &str) -> Option<&Person> {
        self.iter().find(|p| p.login == login)
    }
    fn everyone(&self) -> Box<dyn Iterator<Item = &Person> + '_> {
        Box::new(self.iter())
    }
}

impl Roster for Vec<Person> {
    fn find(&self, login: &str) -> Option<&Person> {
        self.iter().find(|p| p.login == login)
    }
    fn everyone(&self) -> Box<dyn Iterator<Item = &Person> + '_> {
        Box::new(self.iter())
    }
}

impl<S: std::hash::BuildHasher> Roster for HashMap<String, Person, S> {
    fn find(&self, login: &str) -> Option<&Person> {
        self.get(login)
    }
    fn everyone(&self) -> Box<dyn Iterator<Item = &Person> + '_> {
        Box::new(self.values())
    }
}

/// Privileged access to a client-owned system or over a shared credential needs two
/// different security people besides its approval owner.
pub fn needs_two_security(f: &ItemFields) -> bool {
    f.privileged && (f.client_owned || f.shared_credential)
}

/// Who holds the approval owner's decision now: the last person it was handed to,
/// else the approval owner.
pub fn owner_decider(item: &Item) -> &str {
    item.delegates
        .iter()
        .rev()
        .find(|d| d.capacity == Capacity::Owner)
        .map_or(item.fields.approver.as_str(), |d| d.to.as_str())
}

fn approved(item: &Item, login: &str) -> bool {
    item.approvals.iter().any(|a| a.login == login)
}

fn missing_security(item: &Item) -> usize {
    item.missing_approvals()
        .iter()
        .filter(|c| **c == Capacity::Security)
        .count()
}

/// The security people a pending security decision was handed to who have not
/// decided yet: those decisions are theirs.
pub fn security_delegates(item: &Item) -> Vec<&str> {
    // In order: a decision handed on by whoever held it is no longer theirs.
    let mut held: Vec<&str> = Vec::new();
    for d in item
        .delegates
        .iter()
        .filter(|d| d.capacity == Capacity::Security)
    {
        if let Some(i) = held.iter().position(|h| *h == d.from) {
            held.remove(i);
        }
        held.push(&d.to);
    }
    let mut out: Vec<&str> = Vec::new();
    for h in held {
        if !approved(item, h) && !out.contains(&h) {
            out.push(h);
        }
    }
    out
}

/// May `login` (a security person) take one of the missing security decisions: the
/// ones handed to someone are theirs, the others anyone eligible may take.
pub fn may_take_security(item: &Item, login: &str) -> bool {
    let missing = missing_security(item);
    let held = security_delegates(item);
    missing > 0 && (held.contains(&login) || missing > held.len())
}

/// Security people who could still give a security approval in this round: active,
/// not party to the item, not yet decided, and not holding its owner decision.
fn security_pool<'a>(item: &Item, people: &'a dyn Roster) -> Vec<&'a Person> {
    let owner_missing = item.missing_approvals().contains(&Capacity::Owner);
    let decider = owner_decider(item);
    let mut pool: Vec<&Person> = people
        .everyone()
        .filter(|p| p.active && p.has(Role::Security))
        .filter(|p| decide::conflict(&item.fields, &item.requester, &item.parties, p).is_none())
        .filter(|p| !approved(item, &p.login))
        .filter(|p| !(owner_missing && p.login == decider))
        .collect();
    pool.sort_by(|a, b| a.login.cmp(&b.login));
    pool
}

/// Logins who may decide a missing approval of `item` now (JSON `may_decide`).
pub fn may_decide(item: &Item, people: &dyn Roster) -> Vec<String> {
    if item.state != State::Requested {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    if item.missing_approvals().contains(&Capacity::Owner) {
        let d = owner_decider(item);
        if let Some(p) = people.find(d)
            && p.active
            && decide::conflict(&item.fields, &item.requester, &item.parties, p).is_none()
        {
            out.push(d.to_string());
        }
    }
    for p in security_pool(item, people) {
        if may_take_security(item, &p.login) && !out.contains(&p.login) {
            out.push(p.login.clone());
        }
    }
    out
}

/// Reasons an item blocks that depend on who is registered and on who fulfils it: a
/// pending decision on a deactivated person (`reassign`), a second security review
/// nobody can give (`second-security-needed`), and granted access that waits for
/// someone other than its granter to verify it.
pub fn reasons(item: &Item, people: &dyn Roster, now: DateTime<Utc>, s: Settings) -> Vec<Reason> {
    let mut out = Vec::new();
    match item.state {
        State::Requested => {
            let missing = item.missing_approvals();
            let inactive = |login: &str| people.find(login).is_some_and(|p| !p.active);
            let decider = owner_decider(item);
            if missing.contains(&Capacity::Owner) && inactive(decider) {
                out.push(Reason::Reassign {
                    login: decider.to_string(),
                });
            } else if let Some(d) = security_delegates(item).into_iter().find(|d| inactive(d)) {
                out.push(Reason::Reassign {
                    login: d.to_string(),
                });
            }
            if needs_two_security(&item.fields) {
                let given = item
                    .approvals
                    .iter()
                    .filter(|a| a.capacity == Capacity::Security)
                    .count();
                if given < 2 && given + security_pool(item, people).len() < 2 {
                    out.push(Reason::SecondSecurityNeeded);
                }
            }
        }
        State::Granted if !item.emergency => {
            if let Some(by) = &item.granted_by
                && now - item.state_since > chrono::Duration::days(s.stale_days)
            {
                out.push(Reason::VerifyDue {
                    granter: by.clone(),
                });
            }
        }
        _ => {}
    }
    out
}

/// A decision waiting on one person longer than the stale period: who and for how
/// many days (the queue says so and offers delegation).
pub fn stale_wait(item: &Item, now: DateTime<Utc>, s: Settings) -> Option<(String, i64)> {
    if item.state != State::Requested {
        return None;
    }
    let days = (now - item.updated_at).num_days();
    if days <= s.stale_days {
        return None;
    }
    waits_on(item).map(|who| (who, days))
}

/// Who [`stale_wait`] names once the decision is stale, whenever that is: the owner's
/// decider while the owner's approval is missing, else the first security delegate
/// when the delegates can give every missing security approval (`None` for an item
/// not requested). A view that draws the wait later, at another moment, keeps this
/// and the item's last change.
pub fn waits_on(item: &Item) -> Option<String> {
    if item.state != State::Requested {
        return None;
    }
    if item.missing_approvals().contains(&Capacity::Owner) {
        return Some(owner_decider(item).to_string());
    }
    let held = security_delegates(item);
    match held.first() {
        Some(d) if missing_security(item) <= held.len() => Some(d.to_string()),
        _ => None,
    }
}

/// Refuses a verification by the person who granted the access.
pub fn check_separate_fulfilment(item: &Item, p: &Person) -> Result<(), Refusal> {
    match &item.granted_by {
        Some(granter) if *granter == p.login => {
            let problem = format!(
                "{granter} granted {}, so someone else verifies it",
                item.id()
            );
            Err(Refusal::new(Rule::SeparateFulfilment, problem)
                .fix("ask another coordinator, security or support person to check and verify it"))
        }
        _ => Ok(()),
    }
}

/// Refuses a deactivated person.
pub fn check_active(p: &Person) -> Result<(), Refusal> {
    if p.active {
        return Ok(());
    }
    Err(Refusal::new(
        Rule::ActivePerson,
        format!("{} was deactivated and can no longer act", p.login),
    )
    .fix("ask an admin to register them again if they are back"))
}

fn delegation(problem: String) -> Refusal {
    Refusal::new(Rule::Delegation, problem)
}

/// Which pending decision `p` may hand on, and from whom: their own (the owner's
/// decision they hold, or a security decision), or, for a coordinator or admin, one
/// that sits with a deactivated person.
fn handed(item: &Item, p: &Person, people: &dyn Roster) -> Result<(Capacity, String), Refusal> {
    let missing = item.missing_approvals();
    let decider = owner_decider(item);
    let owner_missing = missing.contains(&Capacity::Owner);
    if owner_missing && p.login == decider {
        return Ok((Capacity::Owner, decider.to_string()));
    }
    // A security person may hand on a security decision they could take themselves.
    if p.has(Role::Security) && !approved(item, &p.login) && may_take_security(item, &p.login) {
        return Ok((Capacity::Security, p.login.clone()));
    }
    if p.has_any(&[Role::Coordinator, Role::Admin]) {
        let inactive = |login: &str| people.find(login).is_some_and(|x| !x.active);
        if owner_missing && inactive(decider) {
            return Ok((Capacity::Owner, decider.to_string()));
        }
        if let Some(d) = security_delegates(item).into_iter().find(|d| inactive(d)) {
            return Ok((Capacity::Security, d.to_string()));
        }
    }
    Err(delegation(format!(
        "{} holds no pending decision on {} to hand on; its approval owner's decision is with {decider}",
        p.login,
        item.id()
    ))
    .fix("the person holding the decision hands it on (a coordinator or admin does so for someone deactivated)"))
}

/// May `p` hand a pending decision of `item` on now (offered as a key)?
pub fn may_hand_on(item: &Item, p: &Person, people: &dyn Roster) -> bool {
    p.active && item.state == State::Requested && handed(item, p, people).is_ok()
}

/// Hands one pending decision of a requested item to `to`: the approval owner's (or the
/// one they were handed) to someone who may own approvals, a security decision only
/// to another security person; never to anyone who may not decide on the item.
/// Approvals already given stay.
#[allow(clippy::too_many_arguments)]
pub fn delegate(
    item: &Item,
    project: &Project,
    actor: Actor<'_>,
    login: &str,
    to_login: &str,
    reason: &str,
    people: &dyn Roster,
    now: DateTime<Utc>,
) -> Result<Transition, Refusal> {
    let p = require_registered(actor, login)?;
    super::machine::require_open(project, "delegate")?;
    if item.state != State::Requested {
        return Err(Refusal::new(
            Rule::StateMachine,
            format!(
                "{} is {}; only a requested item has decisions to hand on",
                item.id(),
                item.state
            ),
        ));
    }
    if reason.trim().is_empty() {
        return Err(Refusal::new(Rule::ReasonRequired, "a reason is required")
            .on(Field::Reason)
            .fix("say why the decision is handed on"));
    }
    super::rules::check_text("reason", reason, true)?;
    let (capacity, from) = handed(item, p, people)?;
    let to = people.find(to_login.trim()).ok_or_else(|| {
        delegation(format!("{} is not a registered person", to_login.trim()))
            .fix("hand it to someone registered")
    })?;
    check_active(to).map_err(|r| Refusal {
        rule: Rule::Delegation,
        ..r
    })?;
    if to.login == from {
        return Err(delegation(format!(
            "the decision on {} is already with {}",
            item.id(),
            to.login
        )));
    }
    if let Some(c) = decide::conflict(&item.fields, &item.requester, &item.parties, to) {
        return Err(decide::conflict_refusal(c, &to.login, item, "decide on it")
            .fix("hand the decision to someone who is not party to the item"));
    }
    if approved(item, &to.login) {
        return Err(Refusal::new(
            Rule::SeparateApprovers,
            format!("{} already approved {} in this round", to.login, item.id()),
        )
        .fix("its approvals come from different people: hand it to someone else"));
    }
    let (roles, words): (&[Role], &str) = match capacity {
        Capacity::Owner => (&APPROVAL_OWNER_ROLES, "approver, coordinator or security"),
        Capacity::Security => (&[Role::Security], "security"),
    };
    if !to.has_any(roles) {
        return Err(Refusal::new(
            Rule::RoleRequired,
            format!(
                "a {capacity} decision goes only to someone with the role {words}; {} has {}",
                to.login,
                decide::roles_of(to)
            ),
        ));
    }
    let payload = json!({
        "capacity": capacity.as_str(),
        "from": from,
        "delegate": to.login,
        "reason": reason,
        "round": item.round,
    });
    let mut handed_on = item.clone();
    handed_on.delegates.push(Delegate {
        capacity,
        from,
        to: to.login.clone(),
    });
    (handed_on.updated_at, handed_on.version) = (now, item.version + 1);
    let kind = "delegate";
    Ok(Transition {
        item: handed_on,
        new_approval: None,
        kind,
        payload,
    })
}

#[cfg(test)]
mod tests;
