//! Pane 5, tasks, and chasing what unblocks most: the blockers pane puts the item that
//! holds up most tasks first (then the oldest), `s` orders it by task days and by age;
//! the queue and the blockers take the tracker's `/` filter; a task's start, end and
//! changes are made from forms and land in the database; snapshots of the tasks pane.

use crate::common::tui::*;
use accessdesk::domain::machine::Action;
use accessdesk::domain::{ItemFields, Method, Role};
use accessdesk::store::{NewProject, Store};
use accessdesk::tui::{App, Pane, StatusKind, Theme};
use chrono::{Duration, NaiveDate};
use crossterm::event::KeyCode;

fn fields(system: &str) -> ItemFields {
    ItemFields {
        system: system.into(),
        purpose: "install tracking tags".into(),
        role: "Editor".into(),
        credential_owner: "Client IT".into(),
        approver: "bob".into(),
        method: Some(Method::DelegatedAccount),
        ..Default::default()
    }
}

fn date(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

/// ACME (UTC, starting 2026-03-10) at the fixed clock: ACME-1 verified, ACME-2 denied
/// five days ago, ACME-3 denied a day ago. T1 and T2 need ACME-3, T3 needs ACME-2,
/// T4 needs ACME-1. The tester is a coordinator.
fn acme() -> Db {
    let fx = Db::unopened("tasks.db");
    let mut c = Store::create_as(&fx.path, someone("carol")).expect("create");
    c.set_now(now() - Duration::days(6));
    c.init(None).expect("init");
    c.add_person("carol", None, &[Role::Admin, Role::Coordinator])
        .unwrap();
    c.add_person("bob", None, &[Role::Approver]).unwrap();
    c.add_person("sam", None, &[Role::Security]).unwrap();
    c.add_person("tester", None, &[Role::Coordinator]).unwrap();
    c.add_project(NewProject {
        key: "ACME".into(),
        name: "Acme".into(),
        client: "Acme Retail".into(),
        start: Some(date("2026-03-10")),
        tz: Some("UTC".into()),
        coordinator: None,
    })
    .unwrap();
    let mut b = open(&fx.path, someone("bob"));
    let mut s = open(&fx.path, someone("sam"));
    b.set_now(now() - Duration::days(5));
    for system in ["Analytics", "Billing", "Website"] {
        c.add_item("ACME", fields(system)).unwrap();
    }
    for id in ["ACME-1", "ACME-2", "ACME-3"] {
        c.act(id, &Action::Submit { note: None }, None).unwrap();
    }
    let deny = Action::Deny {
        reason: "ask for the reporting role".into(),
    };
    b.act("ACME-2", &deny, None).unwrap();
    b.set_now(now() - Duration::days(1));
    b.act("ACME-3", &deny, None).unwrap();
    b.act("ACME-1", &Action::Approve { conditions: None }, None)
        .unwrap();
    c.set_now(now());
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
    // T3 was planned long ago: it is the one most days late.
    let plan = [
        ("Tags", "ACME-3", None),
        ("Reports", "ACME-3", None),
        ("Invoices", "ACME-2", Some(date("2026-02-20"))),
        ("Dashboards", "ACME-1", None),
    ];
    for (title, need, start) in plan {
        c.add_task("ACME", title, &[need.to_string()], start)
            .unwrap();
    }
    fx
}

fn status(a: &App) -> String {
    a.status().map(|s| s.text.clone()).unwrap_or_default()
}

#[test]
fn the_blocker_holding_up_most_tasks_comes_first_and_s_orders_by_task_days_then_age() {
    let fx = acme();
    let mut a = app(&fx, 120, 30);
    press(&mut a, KeyCode::Char('3'));
    // ACME-3 holds up two tasks, ACME-2 one (though it blocks longer).
    assert_eq!(a.blocker_ids(), ["ACME-3", "ACME-2"]);
    let screen_text = screen(&render(&mut a, 120, 30));
    assert!(
        screen_text.contains("most tasks held up first"),
        "{screen_text}"
    );
    // By task days: ACME-2 holds up a task 12 days past its planned start.
    press(&mut a, KeyCode::Char('s'));
    assert_eq!(a.blocker_ids(), ["ACME-2", "ACME-3"]);
    // By age: ACME-2 was denied first.
    press(&mut a, KeyCode::Char('s'));
    assert_eq!(a.blocker_ids(), ["ACME-2", "ACME-3"]);
    press(&mut a, KeyCode::Char('s'));
    assert_eq!(a.blocker_ids(), ["ACME-3", "ACME-2"]);
    // The tracker's filter narrows the blockers too.
    press(&mut a, KeyCode::Char('/'));
    assert_eq!(a.pane(), Pane::Blockers);
    type_text(&mut a, "billing");
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.blocker_ids(), ["ACME-2"]);
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.blocker_ids(), ["ACME-3", "ACME-2"]);
}

#[test]
fn five_shows_the_tasks_blocked_first_with_the_reason() {
    let fx = acme();
    let mut a = app(&fx, 120, 30);
    press(&mut a, KeyCode::Char('5'));
    assert_eq!(a.pane(), Pane::Tasks);
    assert_eq!(a.task_ids(), ["ACME-T3", "ACME-T1", "ACME-T2", "ACME-T4"]);
    let text = screen(&render(&mut a, 120, 30));
    assert!(text.contains("ACME-3 denied"), "{text}");
    assert!(text.contains("3 blocked"), "{text}");
    // Enter shows the task's lines.
    press(&mut a, KeyCode::Enter);
    let text = screen(&render(&mut a, 120, 30));
    assert!(text.contains("needs ACME-2 denied"), "{text}");
    assert!(text.contains("planned start: 2026-02-20"), "{text}");
}

#[test]
fn a_task_is_started_done_and_changed_from_forms() {
    let fx = acme();
    let mut a = app(&fx, 120, 30);
    press(&mut a, KeyCode::Char('5'));
    press(&mut a, KeyCode::Char('G'));
    // T4 (its item verified) is last: start it today, then finish it.
    press(&mut a, KeyCode::Char('t'));
    assert!(a.form().is_some(), "t opens the start form");
    press(&mut a, KeyCode::Enter);
    assert_eq!(status(&a), "Recorded the start of ACME-T4 (Dashboards).");
    let store = open(&fx.path, tester());
    assert_eq!(
        store.task("ACME-T4").unwrap().started_on,
        Some(date("2026-03-04"))
    );
    // A day ahead is refused with the rule, in the form's words.
    let row = a.task_ids().iter().position(|id| id == "ACME-T4").unwrap();
    assert_eq!(row, 3);
    press(&mut a, KeyCode::Char('d'));
    for _ in 0..10 {
        press(&mut a, KeyCode::Backspace);
    }
    type_text(&mut a, "2026-03-09");
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Refused),
        "{}",
        status(&a)
    );
    assert!(status(&a).contains("task-progress"), "{}", status(&a));
    press(&mut a, KeyCode::Esc);
    assert_eq!(store.task("ACME-T4").unwrap().done_on, None);
    // The first task (T3, held up by the denied ACME-2) swaps it for ACME-1.
    press(&mut a, KeyCode::Char('g'));
    press(&mut a, KeyCode::Char('e'));
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "acme-1");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "ACME-2");
    press(&mut a, KeyCode::Enter);
    assert_eq!(status(&a), "Changed ACME-T3 (Invoices).", "{}", status(&a));
    assert_eq!(store.task("ACME-T3").unwrap().needs, ["ACME-1"]);
    // Nothing holds it up now; ACME-2 holds up no task any more.
    assert!(!a.task_ids().is_empty());
    press(&mut a, KeyCode::Char('3'));
    assert_eq!(a.blocker_ids(), ["ACME-3", "ACME-2"]);
    let out = crate::common::ok(&fx.path, &["audit", "verify"]);
    assert!(out.contains("the tables match the log"), "{out}");
}

#[test]
fn the_tasks_pane_at_80x24_and_140x40_and_without_colour() {
    let fx = acme();
    for (w, h) in [(80, 24), (140, 40)] {
        let mut a = app(&fx, w, h);
        press(&mut a, KeyCode::Char('5'));
        let text = screen(&render(&mut a, w, h));
        insta::assert_snapshot!(format!("tasks_{w}x{h}"), text);
    }
    let mut a = app_with(&fx, 80, 24, Theme::mono());
    press(&mut a, KeyCode::Char('5'));
    let t = render(&mut a, 80, 24);
    let buf = t.backend().buffer();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            assert_eq!(
                (c.fg, c.bg),
                (ratatui::style::Color::Reset, ratatui::style::Color::Reset),
                "colour at {x},{y}"
            );
        }
    }
    insta::assert_snapshot!("tasks_mono_80x24", screen(&t));
}

#[test]
fn the_queue_takes_a_filter_of_its_own_and_s_orders_it() {
    let fx = demo();
    let mut a = app(&fx, 120, 30);
    let (tracker, queue) = (a.tracker_ids(), a.queue_ids());
    assert!(queue.len() > 2, "the demo queue has work: {queue:?}");
    press(&mut a, KeyCode::Char('2'));
    press(&mut a, KeyCode::Char('/'));
    assert_eq!(a.pane(), Pane::Queue);
    type_text(&mut a, "HARBOR");
    press(&mut a, KeyCode::Enter);
    let narrowed = a.queue_ids();
    assert!(
        !narrowed.is_empty() && narrowed.len() < queue.len(),
        "{narrowed:?}"
    );
    assert!(
        narrowed.iter().all(|id| id.starts_with("HARBOR-")),
        "{narrowed:?}"
    );
    // The tracker keeps its own (empty) filter.
    assert_eq!(a.tracker_ids(), tracker);
    // `s` orders the queue by age: the longest waiting first.
    press(&mut a, KeyCode::Char('s'));
    let text = screen(&render(&mut a, 120, 30));
    assert!(
        text.contains("2 Approval queue") && text.contains("oldest first"),
        "{text}"
    );
    assert_eq!(a.queue_ids().len(), narrowed.len());
}
