//! Routing from the keyboard: `D` hands a pending decision on, `c` approves with
//! structured conditions, `v` verifies with a reference (and the granter may not).

use crate::common::tui::*;
use accessdesk::domain::machine::{Action, ActionKind};
use accessdesk::domain::{State, routing};
use accessdesk::tui::StatusKind;
use accessdesk::tui::keymap::Ctx;
use crossterm::event::KeyCode;

#[test]
fn d_hands_the_selected_decision_to_someone_who_may_take_it() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    let id = a.selected_id().expect("a queue row is selected");
    let store = open(&fx.path, tester());
    let item = store.item(&id).expect("item");
    let project = store.project(&item.project).expect("project");
    let people = store.people().expect("people");
    let me = people.iter().find(|p| p.login == "tester").expect("tester");
    // Someone the domain accepts for the decision tester holds.
    let to = ["ines", "frank", "gina", "dana", "erik"]
        .into_iter()
        .find(|to| {
            routing::delegate(&item, &project, Some(me), "tester", to, "r", &people, now()).is_ok()
        })
        .expect("someone may take it");
    // Never to the requester: the form says so and keeps the text.
    press(&mut a, KeyCode::Char('D'));
    assert_eq!(a.context(), Ctx::Form);
    type_text(&mut a, &item.requester);
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "on leave");
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.context(), Ctx::Form, "{}", status(&a));
    assert!(status(&a).contains("no-self-approval"), "{}", status(&a));
    press(&mut a, KeyCode::Esc);

    press(&mut a, KeyCode::Char('D'));
    type_text(&mut a, to);
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "on leave this week");
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    let after = open(&fx.path, someone("carol")).item(&id).expect("item");
    assert_eq!(after.delegates.last().map(|d| d.to.as_str()), Some(to));
    assert_eq!(after.fields.approver, item.fields.approver);
    assert_eq!(after.version, item.version + 1);
}

#[test]
fn c_approves_with_structured_conditions() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    let id = a.selected_id().expect("selected");
    press(&mut a, KeyCode::Char('c'));
    type_text(&mut a, "Review at go-live");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "2026-09-30");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char(' ')); // MFA required
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "weekdays only");
    press(&mut a, KeyCode::Enter);
    yes_if_asked(&mut a);
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    let after = open(&fx.path, tester()).item(&id).expect("item");
    let mine = after
        .approvals
        .iter()
        .find(|x| x.login == "tester")
        .expect("approval");
    assert_eq!(mine.conditions.as_deref(), Some("Review at go-live"));
    let terms = mine.terms.as_ref().expect("structured conditions");
    assert!(terms.mfa && !terms.read_only_first);
    assert_eq!(terms.hours.as_deref(), Some("weekdays only"));
    assert!(after.fields.temporary);
    assert!(after.fields.expires <= "2026-09-30".parse().ok());
}

#[test]
fn v_verifies_with_a_reference_but_not_by_the_granter() {
    let fx = demo();
    // An approved item of the demo, granted by tester.
    let mut store = open(&fx.path, tester());
    let id = store
        .list_items(&Default::default())
        .expect("items")
        .into_iter()
        .map(|v| v.item)
        .find(|i| i.state == State::Approved)
        .expect("an approved item")
        .id();
    store
        .act(
            &id,
            &Action::Grant {
                method: None,
                note: None,
            },
            None,
        )
        .expect("grant");
    let mut a = app(&fx, 80, 24);
    select_in_tracker(&mut a, &id);
    assert!(
        !a.facts().may(ActionKind::Verify),
        "the granter is not offered v"
    );
    press(&mut a, KeyCode::Char('v'));
    assert!(status(&a).contains("separate-fulfilment"), "{}", status(&a));

    // Someone else verifies, with a reference.
    let mut b = accessdesk::tui::App::new(
        open(&fx.path, someone("hugo")),
        accessdesk::tui::theme::Theme::ansi16(),
    )
    .expect("app");
    b.update(accessdesk::tui::Msg::Resize(80, 24));
    select_in_tracker(&mut b, &id);
    press(&mut b, KeyCode::Char('v'));
    assert_eq!(b.context(), Ctx::Form, "{}", status(&b));
    type_text(&mut b, "Checked the role with the owner");
    press(&mut b, KeyCode::Tab);
    type_text(&mut b, "TICKET-4711");
    press(&mut b, KeyCode::Enter);
    assert_eq!(
        b.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&b)
    );
    let after = open(&fx.path, tester()).item(&id).expect("item");
    assert_eq!(after.state, State::Verified);
    assert_eq!(after.verify_reference.as_deref(), Some("TICKET-4711"));
}

/// A queue row says when its decision has waited on one person past the stale period,
/// for how long, and that `D` hands it on; a row whose decision has not waited that
/// long says nothing of it. Each row as the domain tells it of the stored item.
#[test]
fn a_stale_decision_in_the_queue_says_who_it_waits_on() {
    let fx = demo();
    let store = open(&fx.path, tester());
    let settings = store.settings();
    let mut a = app(&fx, 220, 60);
    press(&mut a, KeyCode::Char('2'));
    let shown = screen(&render(&mut a, 220, 60));
    let (mut stale, mut fresh) = (0, 0);
    for line in shown.lines() {
        let Some(id) = line
            .trim_start_matches(['│', ' ', '✓'])
            .split_whitespace()
            .next()
            .filter(|w| w.contains('-') && w.ends_with(|c: char| c.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(item) = store.item(id) else {
            continue;
        };
        match routing::stale_wait(&item, now(), settings) {
            Some((who, days)) => {
                stale += 1;
                // (The column may cut the offer of `D` short.)
                let says = format!("waiting {days}d on {who}:");
                assert!(line.contains(&says), "{id} should say {says:?}:\n{line}");
            }
            None => {
                fresh += 1;
                assert!(!line.contains(" · waiting "), "{id}:\n{line}");
            }
        }
    }
    assert!(
        stale > 0 && fresh > 0,
        "{stale} stale, {fresh} not:\n{shown}"
    );
}
