//! The fact application against the state machine itself: every move the machine
//! makes, recorded as its event, replays to the item the machine returned.

use super::*;
use crate::domain::lifecycle::{Channel, RetroOutcome};
use crate::domain::machine::{self, Action};
use crate::domain::{Exception, Item, Person, Project, Role};
use crate::store::events::ts;
use chrono::{NaiveDate, TimeZone};
use serde_json::json;

fn person(login: &str, roles: &[Role]) -> Person {
    crate::domain::fixtures::person(login, roles)
}

fn project() -> Project {
    crate::domain::fixtures::project("Acme", "2026-12-01", "UTC")
}

fn fields() -> ItemFields {
    ItemFields {
        system: "Stripe".into(),
        purpose: "billing export".into(),
        role: "Analyst".into(),
        holder: Some("Hal".into()),
        credential_owner: "Client IT".into(),
        approver: "alice".into(),
        method: Some(Method::Vault),
        temporary: true,
        expires: NaiveDate::from_ymd_opt(2027, 3, 1),
        deprovision: Some(crate::domain::Deprovision::OnDate),
        privileged: true,
        exception: Some(Box::new(Exception {
            reason: "legacy system".into(),
            owner: Some("sam".into()),
            expires: NaiveDate::from_ymd_opt(2027, 1, 31),
        })),
        notes: "weekdays only".into(),
        ..Default::default()
    }
}

/// The approval a move recorded, as the replay keeps it.
fn approval_made(t: &machine::Transition) -> Option<ApprovalFacts> {
    t.new_approval.as_ref().map(|a| ApprovalFacts {
        round: t.item.round,
        login: a.login.clone(),
        capacity: a.capacity,
        conditions: a.conditions.clone(),
        at: ts(a.at),
        terms: a.terms.as_ref().map(|t| serde_json::to_string(t).unwrap()),
    })
}

/// The facts an item's row holds, as the machine left it.
fn facts_of(it: &Item, approvals: &[ApprovalFacts]) -> ItemFacts {
    ItemFacts {
        fields: it.fields.clone(),
        requester: it.requester.clone(),
        state: it.state,
        state_since: ts(it.state_since),
        created_at: ts(it.created_at),
        updated_at: ts(it.updated_at),
        version: it.version,
        round: it.round,
        granted_method: it.granted_method,
        emergency: it.emergency,
        emergency_by: it.emergency_by.clone(),
        retro_due: it.retro_due.map(ts),
        manual_block: it.manual_block.clone(),
        last_reason: it.last_reason.clone(),
        parties: it.parties.clone(),
        rotation: it.rotation.map(|r| r.as_str().to_string()),
        approvals: approvals.to_vec(),
        review: it.review.map(|m| m.stored()),
        extension: it
            .extension
            .as_deref()
            .map(crate::store::extend::StoredExtension::from),
        routing: RoutingFacts {
            granted_by: it.granted_by.clone(),
            verify_reference: it.verify_reference.as_deref().map(String::from),
            delegates: it.delegates.clone(),
        },
        life: None,
        last_seq: 0,
    }
}

/// The replayed facts of `id`, less the seq of the event that last changed it and its
/// life (the times the row keeps as events are written; see `life`).
fn replayed(log: &Log, id: &str) -> ItemFacts {
    ItemFacts {
        last_seq: 0,
        life: None,
        ..(*log.facts.items[id]).clone()
    }
}

/// A log under construction and the replay of it.
struct Log {
    facts: Facts,
    seq: i64,
}

impl Log {
    fn new() -> Log {
        let mut log = Log {
            facts: Facts::default(),
            seq: 0,
        };
        log.event("2026-11-01T08:00:00.000000Z", "carol", None, "project-add", &json!({"name": "Acme", "client": "Acme", "start": "2026-12-01", "tz": "UTC", "coordinator": "carol"}));
        log
    }

    /// A log of project ACME with item ACME-1 of `fields` added by carol at `at`.
    fn with_item(at: &str, fields: Value) -> Log {
        let mut log = Log::new();
        let added = json!({"to": "needed", "fields": fields});
        log.event(at, "carol", Some("ACME-1"), "item-add", &added);
        log
    }

    fn event(&mut self, at: &str, login: &str, item: Option<&str>, kind: &str, payload: &Value) {
        self.seq += 1;
        self.facts.apply(&EventIn {
            seq: self.seq,
            at,
            login,
            project: Some("ACME"),
            item,
            kind,
            payload: &payload.to_string(),
        });
    }
}

#[test]
fn both_item_add_shapes_read_as_the_same_fields() {
    let f = fields();
    // The ordinary shape leaves out what is empty, false or none.
    let ordinary = json!({
        "system": "Stripe", "purpose": "billing export", "role": "Analyst", "holder": "Hal",
        "credential_owner": "Client IT", "approver": "alice", "notes": "weekdays only",
        "temporary": true, "privileged": true, "method": "vault", "deprovision": "on-date",
        "expires": "2027-03-01",
        "exception": {"reason": "legacy system", "owner": "sam", "expires": "2027-01-31"}
    });
    // The bulk loader's writes every field, with null for none.
    let bulk = json!(f);
    assert!(bulk.get("needed_by").is_some_and(Value::is_null));
    assert_eq!(added_fields(&ordinary).unwrap(), f);
    assert_eq!(added_fields(&bulk).unwrap(), f);
    assert_eq!(
        added_fields(&json!({"system": "Jira"})).unwrap().system,
        "Jira"
    );
    assert!(added_fields(&json!({"sytem": "Jira"})).is_err());
}

#[test]
fn every_move_replays_to_the_item_the_machine_returned() {
    let carol = person("carol", &[Role::Admin, Role::Coordinator]);
    let alice = person("alice", &[Role::Approver]);
    let sam = person("sam", &[Role::Security]);
    let sue = person("sue", &[Role::Security]);
    let pat = person("pat", &[Role::Support]);
    let p = project();
    let mut clock = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let mut log = Log::new();
    let mut it = Item::new("ACME", 1, fields(), "carol", clock);
    let at = ts(clock);
    log.event(
        &at,
        "carol",
        Some("ACME-1"),
        "item-add",
        &json!({"to": "needed", "source": "bulk", "fields": it.fields}),
    );
    let mut approvals: Vec<ApprovalFacts> = Vec::new();
    let mut step = |log: &mut Log,
                    it: &mut Item,
                    who: &Person,
                    action: Action,
                    approvals: &mut Vec<ApprovalFacts>| {
        clock += chrono::Duration::hours(3);
        let t = machine::apply(it, &p, &action, Some(who), &who.login, clock)
            .unwrap_or_else(|r| panic!("{action:?}: {r}"));
        approvals.extend(approval_made(&t));
        log.event(&ts(clock), &who.login, Some("ACME-1"), t.kind, &t.payload);
        *it = t.item;
        assert_eq!(
            replayed(log, "ACME-1"),
            facts_of(it, approvals),
            "after {action:?}"
        );
        assert!(log.facts.problems.is_empty(), "{:?}", log.facts.problems);
    };
    let note = |s: &str| Some(s.to_string());
    let moves = [
        (
            &carol,
            Action::Block {
                reason: "client on leave".into(),
            },
        ),
        (&pat, Action::Unblock),
        (&carol, Action::Submit { note: None }),
        (
            &alice,
            Action::Approve {
                conditions: Some("  ".into()),
            },
        ),
        (
            &sue,
            Action::Return {
                reason: "narrow the role".into(),
            },
        ),
        (
            &carol,
            Action::Submit {
                note: note("narrowed"),
            },
        ),
        (
            &alice,
            Action::Deny {
                reason: "not now".into(),
            },
        ),
        (&carol, Action::Reopen { note: None }),
        (&carol, Action::Submit { note: None }),
        (
            &alice,
            Action::Approve {
                conditions: note("90 days"),
            },
        ),
        (&sue, Action::Approve { conditions: None }),
        (
            &pat,
            Action::Grant {
                method: Some(Method::Vault),
                note: None,
            },
        ),
        (
            &pat,
            Action::Note {
                text: "invited".into(),
            },
        ),
        // Whoever granted does not verify.
        (
            &carol,
            Action::Verify {
                note: "scope checked".into(),
                reference: Some("TICKET-7".into()),
            },
        ),
        (
            &pat,
            Action::Revoke {
                note: "removed".into(),
            },
        ),
    ];
    for (who, action) in moves {
        step(&mut log, &mut it, who, action, &mut approvals);
    }

    // Break-glass and a retrospective closed by another security person.
    let mut second = Item::new("ACME", 2, fields(), "carol", clock);
    log.event(&ts(clock), "carol", Some("ACME-2"), "item-add", &json!({"to": "needed", "source": "item-add", "fields": {"system": "Stripe", "purpose": "billing export", "role": "Analyst", "holder": "Hal", "credential_owner": "Client IT", "approver": "alice", "notes": "weekdays only", "temporary": true, "privileged": true, "method": "vault", "deprovision": "on-date", "expires": "2027-03-01", "exception": {"reason": "legacy system", "owner": "sam", "expires": "2027-01-31"}}}));
    let moves = [
        (
            &sam,
            Action::BreakGlass {
                reason: "outage".into(),
            },
        ),
        (
            &sue,
            Action::CloseRetro {
                note: "justified".into(),
                outcome: RetroOutcome::Accepted,
            },
        ),
        (&carol, Action::Cancel { note: None }),
    ];
    for (who, action) in moves {
        clock += chrono::Duration::hours(1);
        let Ok(t) = machine::apply(&second, &p, &action, Some(who), &who.login, clock) else {
            // Cancel is refused on live access: the move that is not made is not logged.
            continue;
        };
        log.event(&ts(clock), &who.login, Some("ACME-2"), t.kind, &t.payload);
        second = t.item;
        assert_eq!(
            replayed(&log, "ACME-2"),
            facts_of(&second, &[]),
            "after {action:?}"
        );
    }
    assert!(log.facts.items["ACME-2"].emergency);
}

#[test]
fn an_edit_sets_the_new_values_and_a_material_one_lapses_the_round() {
    let carol = person("carol", &[Role::Admin, Role::Coordinator]);
    let alice = person("alice", &[Role::Approver]);
    let p = project();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let mut log = Log::new();
    let mut it = Item::new(
        "ACME",
        1,
        ItemFields {
            privileged: false,
            exception: None,
            ..fields()
        },
        "carol",
        t0,
    );
    log.event(
        &ts(t0),
        "carol",
        Some("ACME-1"),
        "item-add",
        &json!({"to": "needed", "fields": it.fields}),
    );
    // Submitted, then approved: the item is approved at t2.
    let mut t2 = t0;
    let moves = [
        (&carol, Action::Submit { note: None }),
        (&alice, Action::Approve { conditions: None }),
    ];
    for (who, action) in moves {
        t2 += chrono::Duration::hours(1);
        let m = machine::apply(&it, &p, &action, Some(who), &who.login, t2).unwrap();
        log.event(&ts(t2), &who.login, Some("ACME-1"), m.kind, &m.payload);
        it = m.item;
    }
    let t3 = t2 + chrono::Duration::hours(1);
    let wider = ItemFields {
        role: "Administrator".into(),
        notes: String::new(),
        ..it.fields.clone()
    };
    let today = t3.date_naive();
    let e = machine::edit(&it, &p, wider, Some(&carol), "carol", t3, today).unwrap();
    assert_eq!(
        e.payload["fields"]["role"],
        json!(["Analyst", "Administrator"])
    );
    assert_eq!(e.payload["fields"]["notes"], json!(["weekdays only", ""]));
    assert!(e.payload["fields"].get("system").is_none());
    log.event(&ts(t3), "carol", Some("ACME-1"), e.kind, &e.payload);
    let approvals = [ApprovalFacts {
        round: 0,
        login: "alice".into(),
        capacity: Capacity::Owner,
        conditions: None,
        at: ts(t2),
        terms: None,
    }];
    assert_eq!(replayed(&log, "ACME-1"), facts_of(&e.item, &approvals));
    assert_eq!(log.facts.items["ACME-1"].round, 1);
    assert!(log.facts.problems.is_empty(), "{:?}", log.facts.problems);

    // An edit whose old value is not what the log left is a problem of the log.
    log.event(
        &ts(t3),
        "carol",
        Some("ACME-1"),
        "edit",
        &json!({"changed": ["role"], "fields": {"role": ["Viewer", "Owner"]}}),
    );
    assert!(
        log.facts.problems[0].contains("role was \"Viewer\""),
        "{:?}",
        log.facts.problems
    );
    // An edit recorded before values were logged cannot be replayed.
    log.event(
        &ts(t3),
        "carol",
        Some("ACME-1"),
        "edit",
        &json!({"changed": ["role"]}),
    );
    assert!(
        log.facts.problems[1].contains("does not say which values"),
        "{:?}",
        log.facts.problems
    );
}

#[test]
fn people_projects_tasks_and_unknown_kinds() {
    let mut log = Log::new();
    log.event(
        "2026-11-01T08:00:00.000000Z",
        "root",
        None,
        "person",
        &json!({"login": "ana", "name": "Ana", "roles": ["support"]}),
    );
    log.event(
        "2026-11-03T08:00:00.000000Z",
        "root",
        None,
        "person",
        &json!({"login": "ana", "name": "Ana B", "roles": ["support", "security"]}),
    );
    let ana = &log.facts.people["ana"];
    assert_eq!(
        (ana.name.as_str(), ana.roles.as_str()),
        ("Ana B", "support,security")
    );
    assert_eq!(ana.created_at, "2026-11-01T08:00:00.000000Z");
    log.event("2026-11-04T08:00:00.000000Z", "carol", None, "task-add", &json!({"task": "ACME-T1", "title": "Go live", "needs": ["ACME-2", "ACME-1", "ACME-1"], "start": null}));
    assert_eq!(log.facts.tasks["ACME-T1"].needs.len(), 2);
    assert_eq!(log.facts.projects["ACME"].next_task, 2);
    log.event(
        "2026-11-05T08:00:00.000000Z",
        "carol",
        None,
        "project-close",
        &json!({"live_access": 0}),
    );
    assert_eq!(
        log.facts.projects["ACME"].closed_at.as_deref(),
        Some("2026-11-05T08:00:00.000000Z")
    );
    log.event(
        "2026-11-05T08:00:00.000000Z",
        "carol",
        None,
        "unsafe-attempt",
        &json!({"field": "notes"}),
    );
    assert!(log.facts.problems.is_empty());
    log.event(
        "2026-11-05T08:00:00.000000Z",
        "carol",
        None,
        "teleport",
        &json!({}),
    );
    assert!(log.facts.problems[0].contains("does not know events of kind 'teleport'"));
}

/// A move chosen by a number, with an edit among them (`None`), for the property test.
fn chosen(n: u8) -> Option<Action> {
    let text = |s: &str| s.to_string();
    Some(match n % 20 {
        0 => Action::Submit { note: None },
        1 => Action::Approve { conditions: None },
        2 => Action::Approve {
            conditions: Some(text("within 30 days")),
        },
        3 => Action::Deny {
            reason: text("too broad"),
        },
        4 => Action::Return {
            reason: text("narrow it"),
        },
        5 => Action::Grant {
            method: None,
            note: None,
        },
        6 => Action::Grant {
            method: Some(Method::TemporaryLink),
            note: None,
        },
        7 => Action::Verify {
            note: text("checked"),
            reference: None,
        },
        8 => Action::Revoke {
            note: text("removed"),
        },
        9 => Action::Cancel { note: None },
        10 => Action::Reopen { note: None },
        11 => Action::Block {
            reason: text("waiting"),
        },
        12 => Action::Unblock,
        13 => Action::BreakGlass {
            reason: text("outage"),
        },
        14 => Action::CloseRetro {
            note: text("fine"),
            outcome: RetroOutcome::Accepted,
        },
        15 => Action::ReportUnsafe {
            channel: Channel::Email,
            note: text("password mailed"),
        },
        16 => Action::Rotated {
            note: text("rotated by Dana, confirmed by login test"),
        },
        17 => Action::Extend {
            expires: NaiveDate::from_ymd_opt(2027, 6, 30).expect("date"),
            reason: Some(text("the rollout runs late")),
        },
        18 => Action::Extend {
            expires: NaiveDate::from_ymd_opt(2027, 9, 30).expect("date"),
            reason: None,
        },
        _ => return None,
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Whatever moves and edits are made, by whoever, in whatever order, the events of
    /// those the machine accepts replay to the item it returned.
    #[test]
    fn any_accepted_history_replays_to_the_machines_item(
        flagged in proptest::prelude::any::<bool>(),
        steps in proptest::collection::vec((0usize..5, proptest::prelude::any::<u8>(), proptest::prelude::any::<bool>()), 1..60),
    ) {
        let cast = [
            person("carol", &[Role::Admin, Role::Coordinator]),
            person("alice", &[Role::Approver]),
            person("sam", &[Role::Security]),
            person("sue", &[Role::Security, Role::Approver]),
            person("pat", &[Role::Support]),
        ];
        let p = project();
        let mut clock = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
        let mut log = Log::new();
        let start = if flagged {
            fields()
        } else {
            ItemFields { privileged: false, exception: None, ..fields() }
        };
        let mut it = Item::new("ACME", 1, start, "carol", clock);
        log.event(&ts(clock), "carol", Some("ACME-1"), "item-add", &json!({"to": "needed", "fields": it.fields}));
        let mut approvals: Vec<ApprovalFacts> = Vec::new();
        for (who, n, wide) in steps {
            clock += chrono::Duration::minutes(37);
            let actor = &cast[who];
            let t = match chosen(n) {
                Some(a) => machine::apply(&it, &p, &a, Some(actor), &actor.login, clock),
                None => {
                    let mut f = it.fields.clone();
                    f.role = if wide { "Administrator".into() } else { "Viewer".into() };
                    f.notes = format!("edited at {clock}");
                    machine::edit(&it, &p, f, Some(actor), &actor.login, clock, clock.date_naive())
                }
            };
            let Ok(t) = t else { continue };
            approvals.extend(approval_made(&t));
            log.event(&ts(clock), &actor.login, Some("ACME-1"), t.kind, &t.payload);
            it = t.item;
            proptest::prop_assert_eq!(replayed(&log, "ACME-1"), facts_of(&it, &approvals));
            proptest::prop_assert!(log.facts.problems.is_empty(), "{:?}", log.facts.problems);
        }
    }
}

mod end_of_access;
mod routing;
