//! The keys that end access, on the demo data: `R` closes a break-glass
//! retrospective with an outcome, `W` records a credential offered from outside, `T`
//! records its rotation, `P` closes (after asking), reopens a project and moves its
//! start. Each checked through a second handle on the same file.

use crate::common::tui::*;
use accessdesk::domain::State;
use accessdesk::domain::lifecycle::Rotation;
use accessdesk::tui::StatusKind;
use chrono::NaiveDate;
use crossterm::event::KeyCode;

fn done(app: &accessdesk::tui::App) {
    assert_eq!(
        app.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(app)
    );
}

#[test]
fn r_closes_an_overdue_retrospective_and_revokes_after_asking() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    // dana broke the glass on RHG-11; its retrospective is overdue.
    select_in_tracker(&mut a, "RHG-11");
    assert!(a.blocker_ids().contains(&"RHG-11".to_string()));
    press(&mut a, KeyCode::Char('R'));
    assert!(a.form().is_some(), "{}", status(&a));
    // The outcome is a choice: the next value is `revoke`.
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "Logs read once; access no longer needed");
    press(&mut a, KeyCode::Enter);
    // Revoking asks first; anything but y keeps the typing.
    press(&mut a, KeyCode::Char('n'));
    assert!(a.form().is_some());
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('y'));
    done(&a);
    let it = open(&fx.path, tester()).item("RHG-11").expect("item");
    assert_eq!(it.state, State::Revoked);
    assert_eq!(it.retro_due, None);
    assert!(!a.blocker_ids().contains(&"RHG-11".to_string()));
}

#[test]
fn w_marks_an_item_and_t_records_the_rotation() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    select_in_tracker(&mut a, "ACME-1");
    press(&mut a, KeyCode::Char('W'));
    assert!(a.form().is_some(), "{}", status(&a));
    // Channel: email, chat, form, other; chat is the next one.
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Tab);
    type_text(
        &mut a,
        "Dana pasted the account password in the project chat",
    );
    press(&mut a, KeyCode::Enter);
    done(&a);
    let it = open(&fx.path, tester()).item("ACME-1").expect("item");
    assert_eq!(it.rotation, Some(Rotation::Due));
    assert!(a.blocker_ids().contains(&"ACME-1".to_string()));

    select_in_tracker(&mut a, "ACME-1");
    press(&mut a, KeyCode::Char('T'));
    assert!(a.form().is_some(), "{}", status(&a));
    type_text(&mut a, "Dana rotated it; the old password is refused");
    press(&mut a, KeyCode::Enter);
    done(&a);
    let it = open(&fx.path, tester()).item("ACME-1").expect("item");
    assert_eq!(it.rotation, Some(Rotation::Done));
    assert!(!a.blocker_ids().contains(&"ACME-1".to_string()));
    // Nothing left to rotate: T is not offered, and pressing it says why.
    press(&mut a, KeyCode::Char('T'));
    assert!(a.form().is_none());
    assert_eq!(a.status().map(|s| s.kind), Some(StatusKind::Refused));
}

#[test]
fn p_closes_after_asking_reopens_and_moves_the_start() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    select_in_tracker(&mut a, "HARBOR-2");
    press(&mut a, KeyCode::Char('P'));
    assert!(a.form().is_some(), "{}", status(&a));
    press(&mut a, KeyCode::Enter);
    // Asks first: anything else leaves the project open.
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Esc);
    assert!(a.form().is_none());
    let other = open(&fx.path, tester());
    assert!(other.project("HARBOR").unwrap().closed_at.is_none());

    press(&mut a, KeyCode::Char('P'));
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('y'));
    done(&a);
    let said = status(&a);
    let list = other.closing_checklist("HARBOR").unwrap();
    assert!(!list.revoke.is_empty() && !list.rotate.is_empty());
    let blockers = a.blocker_ids();
    for e in list.revoke.iter().chain(&list.rotate) {
        assert!(said.contains(&e.id), "{said}");
        assert!(blockers.contains(&e.id), "{} not in {blockers:?}", e.id);
    }
    assert!(other.project("HARBOR").unwrap().closed_at.is_some());

    // Closed: the form offers reopening first.
    select_in_tracker(&mut a, "HARBOR-2");
    press(&mut a, KeyCode::Char('P'));
    press(&mut a, KeyCode::Enter);
    done(&a);
    assert!(other.project("HARBOR").unwrap().closed_at.is_none());

    // Open again: close, reopen, start date — two steps to the start date.
    select_in_tracker(&mut a, "HARBOR-2");
    press(&mut a, KeyCode::Char('P'));
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Tab);
    ctrl(&mut a, 'u');
    type_text(&mut a, "2027-02-01");
    press(&mut a, KeyCode::Enter);
    done(&a);
    assert_eq!(
        other.project("HARBOR").unwrap().start,
        NaiveDate::from_ymd_opt(2027, 2, 1).unwrap()
    );
}

#[test]
fn break_glass_asks_first_saying_who_reviews_it_and_when() {
    let fx = demo();
    let mut a = app(&fx, 140, 40);
    select_in_tracker(&mut a, "ACME-3");
    press(&mut a, KeyCode::Char('!'));
    assert!(a.form().is_some(), "{}", status(&a));
    type_text(&mut a, "Checkout down; the vendor needs the console now");
    press(&mut a, KeyCode::Enter);
    let shown = screen(&render(&mut a, 140, 40));
    assert!(
        shown.contains("a different security") && shown.contains("must review it within 72 hours"),
        "{shown}"
    );
    press(&mut a, KeyCode::Char('y'));
    done(&a);
    assert!(status(&a).contains("within 72 hours"), "{}", status(&a));
    let it = open(&fx.path, tester()).item("ACME-3").expect("item");
    assert_eq!(it.state, State::Granted);
}
