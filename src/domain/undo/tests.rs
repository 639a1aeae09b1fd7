//! Undo with a fixed clock: what each decision gives back, and who may take it back when.

use super::*;
use crate::domain::fixtures::{person, project};
use crate::domain::machine::{Action, apply};
use crate::domain::model::{Method, Person, Role};
use chrono::TimeZone;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap()
}

fn cast() -> (Person, Person, Person) {
    (
        person("carol", &[Role::Coordinator]),
        person("alice", &[Role::Approver]),
        person("sam", &[Role::Security]),
    )
}

/// A privileged item requested by carol, approved by alice as owner (sam still due).
fn requested(privileged: bool) -> Item {
    // The fields as their JSON names them, over the defaults.
    let mut v = serde_json::to_value(ItemFields::default()).unwrap();
    let given = json!({"system": "Stripe", "purpose": "billing export", "role": "Analyst", "credential_owner": "Ana", "approver": "alice", "method": Method::Vault, "privileged": privileged});
    v.as_object_mut()
        .unwrap()
        .extend(given.as_object().unwrap().clone());
    let fields: ItemFields = serde_json::from_value(v).unwrap();
    let it = Item {
        rowid: 1,
        ..Item::new("ACME", 1, fields, "carol", t0())
    };
    let (carol, _, _) = cast();
    let p = project("Acme", "2026-12-01", "UTC");
    apply(
        &it,
        &p,
        &Action::Submit { note: None },
        Some(&carol),
        "carol",
        t0(),
    )
    .unwrap()
    .item
}

fn decided(it: &Item, action: &Action, by: &Person, at: DateTime<Utc>) -> Transition {
    let p = project("Acme", "2026-12-01", "UTC");
    apply(it, &p, action, Some(by), &by.login, at).unwrap()
}

fn undone<'a>(t: &'a Transition, by: &'a str, at: DateTime<Utc>) -> Undone<'a> {
    Undone {
        seq: 7,
        kind: t.kind,
        login: by,
        at,
        payload: &t.payload,
    }
}

/// `by` undoes the decision `t` (made at `at`) at `now`.
fn undo_by(
    t: &Transition,
    by: &Person,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Undo, Refusal> {
    let p = project("Acme", "2026-12-01", "UTC");
    let decided_by = t
        .item
        .approvals
        .last()
        .map_or(by.login.as_str(), |a| a.login.as_str());
    let decided_by = if t.kind == "approve" {
        decided_by
    } else {
        by.login.as_str()
    };
    undo(
        &t.item,
        &p,
        &undone(t, decided_by, at),
        Some(by),
        &by.login,
        now,
    )
}

/// The item as requested, and alice's approval of it at `at`.
fn alice_approves(privileged: bool, at: DateTime<Utc>) -> (Item, Transition) {
    let it = requested(privileged);
    let t = decided(&it, &Action::Approve { conditions: None }, &cast().1, at);
    (it, t)
}

#[test]
fn undoing_the_approval_that_approved_restores_requested_and_its_age() {
    let alice = cast().1;
    let at = t0() + Duration::hours(2);
    let (it, t) = alice_approves(false, at);
    assert_eq!(t.item.state, State::Approved);
    let u = undo_by(&t, &alice, at, at + Duration::seconds(9)).unwrap();
    let back = &u.transition.item;
    assert_eq!(back.state, State::Requested);
    assert_eq!(back.state_since, it.state_since);
    assert!(back.approvals.is_empty());
    assert_eq!(back.version, t.item.version + 1);
    assert_eq!(
        u.withdrawn.as_ref().map(|a| a.login.as_str()),
        Some("alice")
    );
    assert_eq!(u.transition.payload["undoes"], 7);
    assert_eq!(u.transition.payload["to"], "requested");
}

#[test]
fn undoing_a_return_gives_back_the_round_and_its_approvals() {
    let sam = cast().2;
    let at = t0() + Duration::hours(1);
    let (_, one) = alice_approves(true, at);
    let ret = decided(
        &one.item,
        &Action::Return {
            reason: "narrow the role".into(),
        },
        &sam,
        at + Duration::minutes(5),
    );
    assert_eq!(ret.item.state, State::Needed);
    assert_eq!(ret.item.round, one.item.round + 1);
    let when = at + Duration::minutes(5);
    let u = undo_by(&ret, &sam, when, when + Duration::seconds(3)).unwrap();
    let back = u.transition.item;
    assert_eq!(back.state, State::Requested);
    assert_eq!(back.round, one.item.round);
    assert_eq!(back.parties, one.item.parties);
    assert_eq!(back.last_reason, one.item.last_reason);
    assert!(u.withdrawn.is_none());
}

#[test]
fn only_the_decider_within_ten_seconds_and_never_a_revoke() {
    let (carol, alice, _) = cast();
    let at = t0() + Duration::hours(2);
    let (_, t) = alice_approves(false, at);
    // Carol did not approve it; alice may, but not after the window.
    assert_eq!(undo_by(&t, &carol, at, at).unwrap_err().rule, Rule::Undo);
    let late = undo_by(&t, &alice, at, at + Duration::seconds(UNDO_SECONDS + 1));
    assert_eq!(late.unwrap_err().rule, Rule::Undo);
    let p = project("Acme", "2026-12-01", "UTC");
    let payload = json!({});
    let revoke = Undone {
        seq: 9,
        kind: "revoke",
        login: "alice",
        at,
        payload: &payload,
    };
    let r = undo(&t.item, &p, &revoke, Some(&alice), "alice", at).unwrap_err();
    assert_eq!(r.rule, Rule::Undo);
    assert!(r.problem.contains("only an approval, a denial or a return"));
}
