//! Extending temporary access: a request on live access for a later end date.
//!
//! The access stays granted or verified with its old expiry while the request waits.
//! The request is decided like the item itself: the approvals its flags need
//! ([`Item::required_approvals`]), by people who may decide on it
//! ([`decide::decision_capacity`]) — and the person who asked for the extension counts
//! as a party, so they may not approve it. Full approval replaces the expiry (not a
//! material edit: the access stays live); a denial ends the request and leaves the
//! access as it was. The approve and deny moves of the state machine come here when
//! an item has an extension waiting (see [`machine::apply`]).

use super::machine::{self, Actor, Transition};
use super::model::{Approval, Capacity, Item, Person, Project, Role, State};
use super::refusal::{Field, Refusal, Rule};
use super::{blockers, decide, rules};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Event kinds an extension records.
pub const REQUEST_EVENT: &str = "extend";
pub const APPROVE_EVENT: &str = "extension-approve";
pub const DENY_EVENT: &str = "extension-deny";

/// A pending request to move the end of live temporary access to a later date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// Approvals given to this request so far.
    #[serde(default)]
    pub approvals: Vec<Approval>,
    /// The end date asked for.
    pub expires: NaiveDate,
    /// Who asked: like a requester, they may not decide on it.
    pub by: String,
    /// When they asked.
    pub at: DateTime<Utc>,
    /// Why the access is needed for longer, when they said.
    pub reason: Option<String>,
}

/// Is a decision open on `item`: a request waiting for approval, or live access with
/// an extension waiting. The queue lists exactly these.
pub fn awaits_decision(item: &Item) -> bool {
    item.state == State::Requested || pending(item)
}

/// Live access with an extension request waiting.
pub fn pending(item: &Item) -> bool {
    item.state.access_live() && item.extension.is_some()
}

/// The item as its extension is decided: the approvals of the request in force, and
/// whoever asked for it among the parties (who may not decide). `None` without a
/// pending extension.
pub fn as_request(item: &Item) -> Option<Item> {
    let ext = item.extension.as_deref().filter(|_| pending(item))?;
    let mut view = item.clone();
    view.approvals = ext.approvals.clone();
    view.parties = vec![ext.by.clone()];
    view.extension = None;
    Some(view)
}

/// The approvals still missing on the pending extension (empty without one).
pub fn missing_approvals(item: &Item) -> Vec<Capacity> {
    as_request(item)
        .map(|v| v.missing_approvals())
        .unwrap_or_default()
}

/// In which capacity `p` may decide on the pending extension of `item`, or why not.
pub fn decision_capacity(item: &Item, p: &Person, approving: bool) -> Result<Capacity, Refusal> {
    let view = as_request(item).ok_or_else(|| {
        Refusal::new(
            Rule::StateMachine,
            format!("{} has no extension request waiting", item.id()),
        )
    })?;
    decide::decision_capacity(&view, p, approving).map_err(|r| Refusal {
        problem: format!("on the extension request: {}", r.problem),
        ..r
    })
}

/// In which capacity `p` may approve the decision open on `item`: its extension
/// request when one waits on live access, else the item itself.
pub fn open_decision_capacity(item: &Item, p: &Person) -> Result<Capacity, Refusal> {
    if pending(item) {
        decision_capacity(item, p, true)
    } else {
        decide::decision_capacity(item, p, true)
    }
}

/// [`open_decision_capacity`] without its words (see [`decide::decision`]).
pub fn open_decision(item: &Item, p: &Person) -> Result<Capacity, decide::Denial> {
    match as_request(item) {
        Some(view) => decide::decision(&view, p, true),
        None => decide::decision(item, p, true),
    }
}

/// Roles that may ask for an extension (those who manage items).
pub const REQUESTERS: [Role; 2] = machine::MANAGERS;

/// May `actor` ask for an extension of `item` now? (State, roles, an open project,
/// temporary access with an end, no request already waiting.)
pub fn guard_request(item: &Item, project: &Project, p: &Person) -> Result<(), Refusal> {
    machine::require_role(p, &REQUESTERS, "asking for an extension")?;
    machine::require_open(project, "an extension")?;
    machine::require_live(
        item,
        "an extension is a request on live access (granted or verified)",
    )
    .map_err(|r| r.fix("change the expiry of an item that is not yet granted by editing it"))?;
    if !item.fields.temporary || item.fields.expires.is_none() {
        return Err(Refusal::new(
            Rule::ExtensionRequest,
            format!("{} is permanent access: it has no end to extend", item.id()),
        )
        .on(Field::Expires));
    }
    if let Some(ext) = &item.extension {
        return Err(Refusal::new(
            Rule::ExtensionRequest,
            format!(
                "{} already has an extension to {} waiting, asked by {}",
                item.id(),
                ext.expires,
                ext.by
            ),
        )
        .fix("decide on the waiting extension first"));
    }
    Ok(())
}

/// Records a request to extend `item` to `expires`: a date after its current end,
/// and not before today in the project's zone.
pub fn request(
    item: &Item,
    project: &Project,
    expires: NaiveDate,
    reason: &Option<String>,
    actor: Actor<'_>,
    login: &str,
    now: DateTime<Utc>,
) -> Result<Transition, Refusal> {
    let p = machine::require_registered(actor, login)?;
    guard_request(item, project, p)?;
    if let Some(r) = reason {
        rules::check_text("reason", r, true)?;
    }
    let today = blockers::today(project, now);
    let current = item.fields.expires;
    let earliest = current.map_or(today, |c| c.max(today));
    if expires <= earliest {
        return Err(Refusal::new(
            Rule::ExtensionRequest,
            format!(
                "{} ends {}; an extension asks for a later date than that and than today ({today}), not {expires}",
                item.id(),
                current.map(|c| c.to_string()).unwrap_or_default()
            ),
        )
        .on(Field::Expires)
        .fix(format!("ask for a date after {earliest}")));
    }
    let mut next = item.clone();
    let ext = Extension {
        expires,
        by: login.to_string(),
        at: now,
        reason: reason.clone().filter(|r| !r.trim().is_empty()),
        approvals: Vec::new(),
    };
    next.extension = Some(Box::new(ext));
    let needed: Vec<&str> = missing_approvals(&next)
        .iter()
        .map(|c| c.as_str())
        .collect();
    let payload = json!({
        "expires": expires,
        "current": current,
        "reason": next.extension.as_ref().and_then(|e| e.reason.clone()),
        "still_needed": needed,
    });
    Ok(recorded(next, now, REQUEST_EVENT, payload))
}

/// A decision on the pending extension of `item`: approve (with optional conditions)
/// or deny (with a reason). Full approval replaces the expiry; denial ends the
/// request with the access unchanged.
pub fn decide(
    item: &Item,
    (actor, login): (Actor<'_>, &str),
    now: DateTime<Utc>,
    approve: bool,
    text: Option<&str>,
) -> Result<Transition, Refusal> {
    let p = machine::require_registered(actor, login)?;
    let capacity = decision_capacity(item, p, approve)?;
    let ext = item
        .extension
        .as_deref()
        .cloned()
        .ok_or_else(|| Refusal::new(Rule::StateMachine, "no extension request waiting"))?;
    let mut next = item.clone();
    let mut payload = json!({
        "capacity": capacity.as_str(),
        "privileged": item.fields.privileged,
        "requested": ext.expires,
    });
    let kind = if approve {
        if let Some(c) = text {
            rules::check_text("conditions", c, true)?;
        }
        let conditions = text.filter(|c| !c.trim().is_empty()).map(str::to_string);
        let mut ext = ext;
        ext.approvals.push(Approval {
            login: login.to_string(),
            capacity,
            conditions: conditions.clone(),
            at: now,
            terms: None,
        });
        next.extension = Some(Box::new(ext.clone()));
        let still = missing_approvals(&next);
        payload["conditions"] = json!(conditions);
        payload["still_needed"] = json!(still.iter().map(|c| c.as_str()).collect::<Vec<_>>());
        if still.is_empty() {
            payload["expires"] = json!([item.fields.expires, ext.expires]);
            next.fields.expires = Some(ext.expires);
            next.extension = None;
        }
        APPROVE_EVENT
    } else {
        let reason = text.unwrap_or_default();
        if reason.trim().is_empty() {
            return Err(Refusal::new(Rule::ReasonRequired, "a reason is required")
                .on(Field::Reason)
                .fix("say why the extension is denied"));
        }
        rules::check_text("reason", reason, true)?;
        payload["reason"] = json!(reason);
        next.extension = None;
        DENY_EVENT
    };
    Ok(recorded(next, now, kind, payload))
}

/// The move as recorded: a new version at `now`. An extension's approvals stay with
/// the request, so none goes to the item's approvals.
fn recorded(mut item: Item, now: DateTime<Utc>, kind: &'static str, payload: Value) -> Transition {
    item.updated_at = now;
    item.version += 1;
    Transition {
        item,
        new_approval: None,
        kind,
        payload,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::machine::{Action, ActionKind, apply, guard};
    use crate::domain::model::{ItemFields, Method};

    use crate::domain::fixtures::person;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().expect("time")
    }

    fn live(privileged: bool) -> Item {
        let mut fields = ItemFields {
            temporary: true,
            expires: NaiveDate::from_ymd_opt(2026, 12, 10),
            privileged,
            method: Some(Method::Vault),
            ..Default::default()
        };
        for (slot, value) in [
            (&mut fields.system, "Stripe"),
            (&mut fields.purpose, "billing"),
            (&mut fields.role, "Analyst"),
            (&mut fields.credential_owner, "Ana"),
            (&mut fields.approver, "frank"),
        ] {
            *slot = value.into();
        }
        let mut it = Item::new("ACME", 1, fields, "carol", t("2026-11-01T09:00:00Z"));
        it.state = State::Verified;
        it
    }

    fn project() -> Project {
        crate::domain::fixtures::project("Acme", "2026-12-01", "UTC")
    }

    #[test]
    fn an_extension_needs_the_items_approvals_and_not_from_who_asked() {
        let p = project();
        let coord = person("carol", &[Role::Coordinator, Role::Security]);
        let frank = person("frank", &[Role::Approver]);
        let sam = person("sam", &[Role::Security]);
        let now = t("2026-12-05T09:00:00Z");
        let to = NaiveDate::from_ymd_opt(2027, 1, 31).expect("date");
        let it = live(true);
        let ext = Action::Extend {
            expires: to,
            reason: Some("the migration runs late".into()),
        };
        let asked = apply(&it, &p, &ext, Some(&coord), "carol", now).expect("extend");
        assert_eq!(asked.kind, REQUEST_EVENT);
        assert_eq!(asked.item.state, State::Verified);
        assert_eq!(asked.item.fields.expires, it.fields.expires);
        assert!(awaits_decision(&asked.item));
        assert_eq!(
            missing_approvals(&asked.item),
            vec![Capacity::Owner, Capacity::Security]
        );
        // Carol asked (and requested the item): she may not decide.
        let r = guard(&asked.item, &p, ActionKind::Approve, Some(&coord), "carol").unwrap_err();
        assert_eq!(r.rule, Rule::NoSelfApproval);
        let approve = Action::Approve { conditions: None };
        let one = apply(&asked.item, &p, &approve, Some(&frank), "frank", now).expect("owner");
        assert_eq!(one.kind, APPROVE_EVENT);
        assert_eq!(one.item.fields.expires, it.fields.expires);
        let two = apply(&one.item, &p, &approve, Some(&sam), "sam", now).expect("security");
        assert_eq!(two.item.fields.expires, Some(to));
        assert!(two.item.extension.is_none());
        assert_eq!(two.item.state, State::Verified);
        // A second request, denied, leaves the access as it was.
        let later = Action::Extend {
            expires: NaiveDate::from_ymd_opt(2027, 3, 1).expect("date"),
            reason: None,
        };
        let again = apply(&two.item, &p, &later, Some(&coord), "carol", now).expect("extend");
        let deny = Action::Deny {
            reason: "not needed".into(),
        };
        let denied = apply(&again.item, &p, &deny, Some(&frank), "frank", now).expect("deny");
        assert_eq!(denied.kind, DENY_EVENT);
        assert_eq!(denied.item.fields.expires, Some(to));
        assert!(denied.item.extension.is_none());
        assert_eq!(denied.item.state, State::Verified);
    }

    #[test]
    fn only_live_temporary_access_with_a_later_date_is_extended() {
        let p = project();
        let coord = person("dora", &[Role::Coordinator]);
        let now = t("2026-12-05T09:00:00Z");
        let ext = |d| Action::Extend {
            expires: NaiveDate::from_ymd_opt(2026, 12, d).expect("date"),
            reason: None,
        };
        let mut it = live(false);
        it.state = State::Approved;
        let r = apply(&it, &p, &ext(20), Some(&coord), "dora", now).unwrap_err();
        assert_eq!(r.rule, Rule::StateMachine);
        it.state = State::Granted;
        let r = apply(&it, &p, &ext(9), Some(&coord), "dora", now).unwrap_err();
        assert_eq!(r.rule, Rule::ExtensionRequest);
        it.fields.temporary = false;
        let r = apply(&it, &p, &ext(20), Some(&coord), "dora", now).unwrap_err();
        assert_eq!(r.rule, Rule::ExtensionRequest);
        let support = person("sue", &[Role::Support]);
        let r = guard(&live(false), &p, ActionKind::Extend, Some(&support), "sue").unwrap_err();
        assert_eq!(r.rule, Rule::RoleRequired);
    }
}
