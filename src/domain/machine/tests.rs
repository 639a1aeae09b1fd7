//! Property tests of the state machine: whatever sequence of moves, by whoever, the
//! approval rules hold for every item that reaches `approved` or beyond.

use super::*;
use crate::domain::lifecycle::RetroOutcome;
use chrono::TimeZone;
use proptest::prelude::*;

fn person(login: &str, roles: &[Role]) -> Person {
    crate::domain::fixtures::person(login, roles)
}

fn cast() -> Vec<Person> {
    vec![
        person("carol", &[Role::Admin, Role::Coordinator]),
        person("alice", &[Role::Approver]),
        person("sam", &[Role::Security]),
        person("sue", &[Role::Security, Role::Approver]),
        person("pat", &[Role::Support]),
        person("dana", &[Role::Approver, Role::Security]),
    ]
}

/// A move by a registered person, under their own login.
fn apply_by(
    it: &Item,
    p: &Project,
    action: &Action,
    by: &Person,
    now: DateTime<Utc>,
) -> Result<Transition, Refusal> {
    apply(it, p, action, Some(by), &by.login, now)
}

/// `it` submitted by `coordinator`, then approved by `owner` without conditions.
fn submitted_and_approved(
    it: &Item,
    p: &Project,
    coordinator: &Person,
    owner: &Person,
    now: DateTime<Utc>,
) -> Item {
    let submitted = apply_by(it, p, &Action::Submit { note: None }, coordinator, now)
        .unwrap()
        .item;
    apply_by(
        &submitted,
        p,
        &Action::Approve { conditions: None },
        owner,
        now,
    )
    .unwrap()
    .item
}

/// When the worked examples happen.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

/// The cast, the project and the clock of a worked example.
fn stage() -> (Vec<Person>, Project, DateTime<Utc>) {
    (cast(), project(), start())
}

fn project() -> Project {
    crate::domain::fixtures::project("Acme", "2026-12-01", "UTC")
}

fn item(
    privileged: bool,
    client_owned: bool,
    approver: &str,
    owner: &str,
    holder: Option<&str>,
) -> Item {
    let t = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
    let fields = ItemFields {
        system: "Stripe".into(),
        purpose: "billing export".into(),
        role: "Analyst".into(),
        holder: holder.map(str::to_string),
        credential_owner: owner.into(),
        approver: approver.into(),
        method: Some(Method::Vault),
        privileged,
        client_owned,
        ..Default::default()
    };
    Item {
        rowid: 1,
        ..Item::new("ACME", 1, fields, "carol", t)
    }
}

fn action(kind: u8) -> Action {
    match kind % 12 {
        0 => Action::Submit { note: None },
        1 | 2 => Action::Approve { conditions: None },
        3 => Action::Deny {
            reason: "too broad".into(),
        },
        4 => Action::Return {
            reason: "narrow the role".into(),
        },
        5 => Action::Grant {
            method: None,
            note: None,
        },
        6 => Action::Verify {
            note: "checked scope with owner".into(),
            reference: None,
        },
        7 => Action::Revoke {
            note: "removed, confirmed in admin console".into(),
        },
        8 => Action::Cancel { note: None },
        9 => Action::Reopen { note: None },
        10 => Action::Block {
            reason: "client on holiday".into(),
        },
        _ => Action::BreakGlass {
            reason: "outage".into(),
        },
    }
}

fn check_invariants(it: &Item, cast: &[Person]) -> Result<(), TestCaseError> {
    let logins: Vec<&str> = it.approvals.iter().map(|a| a.login.as_str()).collect();
    let mut distinct = logins.clone();
    distinct.sort();
    distinct.dedup();
    prop_assert_eq!(
        distinct.len(),
        logins.len(),
        "approvals from distinct people"
    );
    for a in &it.approvals {
        prop_assert_ne!(&a.login, &it.requester, "requester never approves");
        let p = cast.iter().find(|p| p.login == a.login).unwrap();
        prop_assert!(
            !p.is_named_by(&it.fields.credential_owner),
            "credential owner never approves"
        );
        prop_assert!(
            !it.fields
                .holder
                .as_deref()
                .is_some_and(|h| p.is_named_by(h)),
            "holder never approves"
        );
        match a.capacity {
            Capacity::Owner => prop_assert_eq!(&a.login, &it.fields.approver),
            Capacity::Security => prop_assert!(p.has(Role::Security)),
        }
    }
    if it.state == State::Approved {
        prop_assert!(
            it.missing_approvals().is_empty(),
            "approved only with every approval"
        );
        if it.needs_security_review() {
            prop_assert!(
                it.approvals
                    .iter()
                    .any(|a| a.capacity == Capacity::Security)
            );
            prop_assert!(it.approvals.len() >= 2);
        }
    }
    if it.state == State::Needed {
        prop_assert!(
            it.approvals.is_empty(),
            "approvals lapse on the way back to needed"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn approvals_always_follow_the_rules(
        privileged in any::<bool>(),
        client_owned in any::<bool>(),
        approver in 0usize..6,
        owner in 0usize..6,
        holder in proptest::option::of(0usize..6),
        steps in proptest::collection::vec((0usize..6, any::<u8>()), 1..40),
    ) {
        let cast = cast();
        let p = project();
        let mut it = item(privileged, client_owned, &cast[approver].login, &cast[owner].name, holder.map(|h| cast[h].login.as_str()));
        let mut now = it.created_at;
        for (who, kind) in steps {
            now += Duration::hours(1);
            let actor = &cast[who];
            let a = action(kind);
            let before = it.clone();
            match apply(&it, &p, &a, Some(actor), &actor.login, now) {
                Ok(t) => {
                    prop_assert_eq!(t.item.version, before.version + 1, "every accepted move bumps the version");
                    prop_assert!(guard(&before, &p, a.kind(), Some(actor), &actor.login).is_ok());
                    let moved = t.item.state != before.state;
                    if moved && t.item.state == State::Granted && !t.item.emergency {
                        prop_assert_eq!(before.state, State::Approved, "granted only from approved, except break-glass");
                    }
                    if moved && t.item.state == State::Verified {
                        prop_assert_eq!(before.state, State::Granted);
                    }
                    it = t.item;
                }
                Err(r) => {
                    prop_assert!(!r.message().is_empty());
                }
            }
            check_invariants(&it, &cast)?;
        }
    }

    #[test]
    fn refusals_are_consistent_with_the_footer(who in 0usize..6, state in 0usize..8) {
        let cast = cast();
        let p = project();
        let mut it = item(true, false, "alice", "Client Owner", None);
        it.state = State::ALL[state];
        let actor = &cast[who];
        let offered = allowed(&it, &p, Some(actor), &actor.login);
        for k in ActionKind::ALL {
            prop_assert_eq!(offered.contains(&k), guard(&it, &p, k, Some(actor), &actor.login).is_ok());
        }
    }
}

#[test]
fn privileged_item_needs_owner_and_a_different_security_person() {
    let (cast, p, now) = stage();
    // dana is the approval owner and also has the security role.
    let mut it = item(true, false, "dana", "Client Owner", None);
    it = submitted_and_approved(&it, &p, &cast[0], &cast[5], now);
    assert_eq!(it.state, State::Requested);
    let again = apply_by(
        &it,
        &p,
        &Action::Approve { conditions: None },
        &cast[5],
        now,
    )
    .unwrap_err();
    assert_eq!(again.rule, Rule::SeparateApprovers);
    it = apply_by(
        &it,
        &p,
        &Action::Approve {
            conditions: Some("90 days".into()),
        },
        &cast[2],
        now,
    )
    .unwrap()
    .item;
    assert_eq!(it.state, State::Approved);
}

#[test]
fn nobody_approves_their_own_request() {
    let p = project();
    let carol = person(
        "carol",
        &[Role::Coordinator, Role::Approver, Role::Security],
    );
    let now = start();
    let mut it = item(false, false, "carol", "x", None);
    it.state = State::Requested;
    let r = apply_by(&it, &p, &Action::Approve { conditions: None }, &carol, now).unwrap_err();
    assert_eq!(r.rule, Rule::NoSelfApproval);
}

#[test]
fn unregistered_accounts_only_read() {
    let p = project();
    let it = item(false, false, "alice", "x", None);
    let now = start();
    let r = apply(
        &it,
        &p,
        &Action::Submit { note: None },
        None,
        "mallory",
        now,
    )
    .unwrap_err();
    assert_eq!(r.rule, Rule::Registered);
    assert!(r.message().contains("mallory"));
    assert!(allowed(&it, &p, None, "mallory").is_empty());
}

#[test]
fn material_edit_of_requested_item_lapses_approvals() {
    let (cast, p, now) = stage();
    let mut it = item(true, false, "alice", "x", None);
    it = submitted_and_approved(&it, &p, &cast[0], &cast[1], now);
    assert_eq!(it.approvals.len(), 1);
    let today = now.date_naive();
    let mut notes_only = it.fields.clone();
    notes_only.notes = "chased the client".into();
    let t = edit(&it, &p, notes_only, Some(&cast[0]), "carol", now, today).unwrap();
    assert_eq!(
        (t.item.state, t.item.approvals.len()),
        (State::Requested, 1)
    );
    let mut wider = it.fields.clone();
    wider.role = "Developer".into();
    let t = edit(&it, &p, wider, Some(&cast[0]), "carol", now, today).unwrap();
    assert_eq!(t.item.state, State::Needed);
    assert!(t.item.approvals.is_empty());
    assert_eq!(t.item.round, it.round + 1);
}

#[test]
fn live_access_is_not_widened_in_place() {
    let (cast, p, now) = stage();
    let mut it = item(false, false, "alice", "x", None);
    it.state = State::Granted;
    it.granted_method = Some(Method::Vault);
    let mut wider = it.fields.clone();
    wider.role = "Administrator".into();
    let r = edit(
        &it,
        &p,
        wider,
        Some(&cast[0]),
        "carol",
        now,
        now.date_naive(),
    )
    .unwrap_err();
    assert_eq!(r.rule, Rule::NoEditOfLiveAccess);
}

#[test]
fn break_glass_is_reviewed_by_a_different_security_person() {
    let p = project();
    let sam = person("sam", &[Role::Security]);
    let sue = person("sue", &[Role::Security]);
    let now = start();
    let it = item(true, false, "alice", "x", None);
    let t = apply_by(
        &it,
        &p,
        &Action::BreakGlass {
            reason: "outage".into(),
        },
        &sam,
        now,
    )
    .unwrap();
    assert_eq!(t.item.state, State::Granted);
    assert!(t.item.emergency);
    assert_eq!(t.item.retro_due, Some(now + Duration::hours(72)));
    let own = apply_by(
        &t.item,
        &p,
        &Action::CloseRetro {
            note: "fine".into(),
            outcome: RetroOutcome::Accepted,
        },
        &sam,
        now,
    )
    .unwrap_err();
    assert_eq!(own.rule, Rule::SeparateApprovers);
    let closed = apply_by(
        &t.item,
        &p,
        &Action::CloseRetro {
            note: "reviewed logs".into(),
            outcome: RetroOutcome::Accepted,
        },
        &sue,
        now,
    )
    .unwrap();
    assert_eq!(closed.item.retro_due, None);
}
