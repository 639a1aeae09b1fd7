//! Finding your way: `p` picks a project among many by a few typed letters, `:` finds
//! an action or an item and runs it (the same message its key sends), `f` lands on the
//! first row, and empty panes say why.

use crate::common::tui::*;
use accessdesk::domain::NewProject;
use accessdesk::tui::keymap::Ctx;
use accessdesk::tui::{App, Pane};
use chrono::Days;
use crossterm::event::KeyCode;

const WORDS: [&str; 20] = [
    "Acorn", "Birch", "Cedar", "Delta", "Ember", "Fjord", "Garnet", "Heron", "Iris", "Juniper",
    "Kestrel", "Larch", "Maple", "Nimbus", "Onyx", "Pine", "Quartz", "Raven", "Sable", "Tundra",
];

fn add_project(s: &mut accessdesk::store::Store, key: &str, name: &str, client: &str) {
    s.add_project(NewProject {
        key: key.into(),
        name: name.into(),
        client: client.into(),
        start: Some(now().date_naive() + Days::new(30)),
        tz: None,
        coordinator: None,
    })
    .expect("add project");
}

#[test]
fn the_picker_finds_one_project_among_200_by_three_letters() {
    let fx = demo();
    let mut s = open(&fx.path, tester());
    let existing = s.projects().expect("projects").len();
    // Look-alikes first: each holds z, e and p in that order too.
    add_project(&mut s, "ZENP", "Zenith Partners", "Zenith");
    add_project(&mut s, "ZETA", "Zeta Pharma", "Zeta Group");
    add_project(&mut s, "ZEPH", "Zephyr Logistics", "Zephyr Freight");
    let mut n = existing + 3;
    'all: for a in WORDS {
        for b in WORDS {
            if n == 200 {
                break 'all;
            }
            let key = format!("{}{}", &a[..2].to_uppercase(), &b[..2].to_uppercase());
            if s.project(&key).is_ok() {
                continue;
            }
            add_project(
                &mut s,
                &key,
                &format!("{a} {b} rollout"),
                &format!("{b} {a} Ltd"),
            );
            n += 1;
        }
    }
    assert_eq!(s.projects().expect("projects").len(), 200);

    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('p'));
    assert_eq!(a.context(), Ctx::Choose);
    type_text(&mut a, "zep");
    let shown = screen(&render(&mut a, 80, 24));
    assert!(shown.contains("ZEPH Zephyr Logistics"), "{shown}");
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.context(), Ctx::Tracker);
    assert_eq!(a.scope(), Some("ZEPH"));
    // The empty project says why and what to do.
    let screen = screen(&render(&mut a, 80, 24));
    assert!(screen.contains("No access items in ZEPH yet"), "{screen}");
    // Esc closes the picker without a change.
    press(&mut a, KeyCode::Char('p'));
    type_text(&mut a, "bir");
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.scope(), Some("ZEPH"));
}

#[test]
fn p_then_enter_steps_to_the_next_project_and_back_to_all() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    let keys: Vec<String> = a
        .store()
        .projects()
        .expect("projects")
        .into_iter()
        .map(|p| p.key)
        .collect();
    for k in &keys {
        press(&mut a, KeyCode::Char('p'));
        press(&mut a, KeyCode::Enter);
        assert_eq!(a.scope(), Some(k.as_str()));
    }
    press(&mut a, KeyCode::Char('p'));
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.scope(), None);
}

#[test]
fn the_palette_runs_an_action_or_opens_an_item() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char(':'));
    assert_eq!(a.context(), Ctx::Choose);
    type_text(&mut a, "blockers");
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.pane(), Pane::Blockers);
    // An item by id and system: its detail view opens.
    let id = a.tracker_ids().last().cloned().expect("items");
    press(&mut a, KeyCode::Char(':'));
    type_text(&mut a, &id);
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.context(), Ctx::Detail);
    assert_eq!(a.selected_id().as_deref(), Some(id.as_str()));
    // Every action the palette lists is a row of the key table that works here.
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Char(':'));
    type_text(&mut a, "zzzzqqq");
    let none = screen(&render(&mut a, 80, 24));
    assert!(none.contains("No action or item matches"), "{none}");
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.context(), Ctx::Tracker);
}

#[test]
fn f_lands_on_the_first_row() {
    let fx = demo();
    let mut a: App = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('G'));
    press(&mut a, KeyCode::Char('f'));
    let first = a.tracker_ids().first().cloned();
    assert!(first.is_some());
    assert_eq!(a.selected_id(), first);
}

#[test]
fn an_empty_queue_says_why() {
    let fx = demo();
    // A project without items: nothing waits, nothing blocks.
    let mut s = open(&fx.path, tester());
    add_project(&mut s, "ZZZ", "Quiet", "Nobody");
    let mut a = app(&fx, 120, 30);
    press(&mut a, KeyCode::Char('p'));
    type_text(&mut a, "ZZZ");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('2'));
    let q = screen(&render(&mut a, 120, 30));
    assert!(q.contains("Nothing waits on your decision in ZZZ"), "{q}");
    press(&mut a, KeyCode::Char('3'));
    let b = screen(&render(&mut a, 120, 30));
    assert!(b.contains("Nothing blocks work in ZZZ"), "{b}");
}
