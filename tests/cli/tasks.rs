//! Tasks a coordinator manages, through the real binary: a task is blocked while an
//! item it needs is not verified or breaks a rule, with the reason; edit, start and
//! done are refused as data when they make no sense; the delay counts as the README
//! says; every change is an event `audit verify` replays, and a direct edit shows.

use super::store::fields;
use crate::common::tui::someone;
use crate::common::*;
use accessdesk::domain::Role;
use accessdesk::domain::machine::Action;
use accessdesk::store::{NewProject, Store};
use chrono::{Duration, NaiveDate, Utc};
use serde_json::Value;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// ACME (in UTC, starting in a week) with ACME-1 verified, ACME-2 denied and ACME-3
/// still needed; the account running the tests is a coordinator.
fn acme() -> Db {
    let db = Db::unopened("tasks.db");
    let mut c = Store::create_as(&db.path, someone("carol")).expect("create");
    c.init(None).expect("init");
    c.add_person("carol", None, &[Role::Admin, Role::Coordinator])
        .unwrap();
    c.add_person("bob", None, &[Role::Approver]).unwrap();
    c.add_person("sam", None, &[Role::Security]).unwrap();
    c.add_person(&db.me(), None, &[Role::Coordinator]).unwrap();
    c.add_project(NewProject {
        key: "ACME".into(),
        name: "Acme".into(),
        client: "Acme Retail".into(),
        start: Some(today() + Duration::days(7)),
        tz: Some("UTC".into()),
        coordinator: None,
    })
    .unwrap();
    let mut b = Store::open_as(&db.path, someone("bob")).unwrap();
    let mut s = Store::open_as(&db.path, someone("sam")).unwrap();
    for system in ["Analytics", "Billing", "Website"] {
        c.add_item("ACME", fields(system)).unwrap();
    }
    for id in ["ACME-1", "ACME-2"] {
        c.act(id, &Action::Submit { note: None }, None).unwrap();
    }
    b.act("ACME-1", &Action::Approve { conditions: None }, None)
        .unwrap();
    let grant = Action::Grant {
        method: None,
        note: None,
    };
    c.act("ACME-1", &grant, None).unwrap();
    let verify = Action::Verify {
        note: "checked the role and the owner in the user list".into(),
        reference: None,
    };
    s.act("ACME-1", &verify, None).unwrap();
    let deny = Action::Deny {
        reason: "use the reporting role".into(),
    };
    b.act("ACME-2", &deny, None).unwrap();
    db
}

fn task(db: &Db, id: &str) -> Value {
    db.run(&["task", "show", id, "--json"]).ok().json()
}

fn verify(db: &Db) {
    let out = db.run(&["audit", "verify"]).ok();
    assert!(
        out.stdout.contains("the tables match the log"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_task_is_blocked_by_what_it_needs_with_the_reason() {
    let db = acme();
    db.run(&[
        "task",
        "add",
        "--project",
        "ACME",
        "--title",
        "Tags",
        "--needs",
        "ACME-1",
    ])
    .ok();
    db.run(&[
        "task",
        "add",
        "--project",
        "ACME",
        "--title",
        "Invoices",
        "--needs",
        "ACME-2",
    ])
    .ok();
    db.run(&[
        "task",
        "add",
        "--project",
        "ACME",
        "--title",
        "Launch",
        "--needs",
        "ACME-1,ACME-3",
    ])
    .ok();
    let list = db.run(&["task", "list", "--json"]).ok().json();
    let by_id = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {id} in {list}"))
    };
    // Its only dependency verified: not blocked, ready to start.
    let t1 = by_id("ACME-T1");
    assert_eq!(t1["blocked"], false, "{t1}");
    assert_eq!(t1["status"], "ready");
    assert_eq!(t1["waiting"], serde_json::json!([]));
    // Its dependency denied: blocked with that reason.
    let t2 = by_id("ACME-T2");
    assert_eq!(t2["blocked"], true, "{t2}");
    assert_eq!(t2["status"], "blocked");
    assert_eq!(
        t2["waiting"],
        serde_json::json!([{"item": "ACME-2", "reason": "denied", "state": "denied"}])
    );
    assert_eq!(t2["waiting_for"], serde_json::json!(["ACME-2"]));
    let t3 = by_id("ACME-T3");
    assert_eq!(t3["waiting"][0]["reason"], "not-verified", "{t3}");
    assert_eq!(t3["waiting"][0]["item"], "ACME-3");
    let text = db.run(&["task", "list"]).ok().stdout;
    assert!(text.contains("BLOCKED by ACME-2 denied"), "{text}");
    assert!(text.contains("ACME-3 needed, not verified"), "{text}");
    let show = db.run(&["task", "show", "ACME-T2"]).ok().stdout;
    assert!(show.contains("needs ACME-2 denied"), "{show}");
    assert!(show.contains("BLOCKED by ACME-2 denied"), "{show}");
    verify(&db);
}

#[test]
fn edit_start_and_done_are_events_refused_as_data_when_they_make_no_sense() {
    let db = acme();
    let day = |d: i64| (today() + Duration::days(d)).to_string();
    db.run(&[
        "task",
        "add",
        "--project",
        "ACME",
        "--title",
        "Invoices",
        "--needs",
        "ACME-2",
    ])
    .ok();
    // Not needed: named as the field it is about.
    let out = db
        .run(&["task", "edit", "ACME-T1", "--remove-needs", "ACME-3"])
        .refused("valid-value");
    assert!(out.stderr.contains("--remove-needs"), "{}", out.stderr);
    let out = db
        .run(&["--json", "task", "edit", "ACME-T1", "--title", "Invoices"])
        .refused("valid-value");
    assert!(
        out.stderr.contains("nothing in ACME-T1 would change"),
        "{}",
        out.stderr
    );
    // The denied item swapped for the verified one, renamed, planned five days ago.
    let t = db
        .run(&[
            "--json",
            "task",
            "edit",
            "ACME-T1",
            "--remove-needs",
            "acme-2",
            "--add-needs",
            "ACME-1",
            "--title",
            "Invoices v2",
            "--start",
            &day(-5),
        ])
        .ok()
        .json();
    assert_eq!(t["title"], "Invoices v2", "{t}");
    assert_eq!(t["needs"], serde_json::json!(["ACME-1"]));
    assert_eq!(t["blocked"], false);
    assert_eq!(t["planned_start"], day(-5));
    // Planned five days ago, its only item verified today: five days late.
    assert_eq!(t["delay_days"], 5, "{t}");
    let kind: String = db
        .ro()
        .query_row(
            "SELECT kind FROM events ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kind, "task-edit");

    // Done before it started, or a start that has not happened: refused.
    let out = db
        .run(&["--json", "task", "done", "ACME-T1"])
        .refused("task-progress");
    let err: Value = serde_json::from_str(out.stderr.lines().last().unwrap()).unwrap();
    assert_eq!(err["rule"], "task-progress");
    let out = db
        .run(&["--json", "task", "start", "ACME-T1", "--on", &day(1)])
        .refused("task-progress");
    let err: Value = serde_json::from_str(out.stderr.lines().last().unwrap()).unwrap();
    assert_eq!(err["field"], "on", "{err}");
    let out = db.run(&["task", "start", "ACME-T1", "--on", &day(-2)]).ok();
    assert!(
        out.stdout.contains("started task ACME-T1"),
        "{}",
        out.stdout
    );
    db.run(&["task", "start", "ACME-T1"])
        .refused("task-progress");
    let out = db
        .run(&["task", "done", "ACME-T1", "--on", &day(-3)])
        .refused("task-progress");
    assert!(out.stderr.contains("--on"), "{}", out.stderr);
    db.run(&["task", "done", "ACME-T1"]).ok();
    let t = task(&db, "ACME-T1");
    assert_eq!(t["status"], "done", "{t}");
    assert_eq!(t["started_on"], day(-2));
    assert_eq!(t["done_on"], day(0));
    // Started before the access came: the start ends the delay (3 days).
    assert_eq!(t["delay_days"], 3, "{t}");
    db.run(&["task", "edit", "ACME-T1", "--title", "Later"])
        .refused("task-progress");
    verify(&db);

    // The tables are compared with the log: a changed day shows.
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute("UPDATE tasks SET done_on = NULL", []).unwrap();
    drop(conn);
    let out = db.run(&["audit", "verify"]).code(1);
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(
        said.contains("ACME-T1") && said.contains("done_on"),
        "{said}"
    );
}

#[test]
fn only_a_coordinator_or_admin_changes_a_task() {
    let db = acme();
    db.run(&[
        "task",
        "add",
        "--project",
        "ACME",
        "--title",
        "Tags",
        "--needs",
        "ACME-1",
    ])
    .ok();
    let mut bob = Store::open_as(&db.path, someone("bob")).unwrap();
    let e = bob.start_task("ACME-T1", None).unwrap_err();
    assert!(e.to_string().contains("role-required"), "{e}");
    assert_eq!(task(&db, "ACME-T1")["started_on"], Value::Null);
}
