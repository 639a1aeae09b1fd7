//! The defects of issue 10 that the screen shows, each driven through the App the way
//! the event loop drives it (keys through the key table, or messages).

mod tui_support;

use accessdesk::store::NewProject;
use accessdesk::tui::Msg;
use crossterm::event::KeyCode;
use tui_support::*;

/// An empty project next to the demo's, added by another account.
fn add_empty_project(fx: &Fixture, key: &str) {
    let mut s = open(&fx.path, tester());
    s.add_project(NewProject {
        key: key.into(),
        name: format!("{key} project"),
        client: "Nobody".into(),
        start: Some(now().date_naive() + chrono::Days::new(30)),
        tz: None,
        coordinator: None,
    })
    .expect("add project");
}

#[test]
fn switching_project_after_a_sort_keeps_the_tracker_consistent() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    // Sort by system, reversed: the first tracker row is an item late in the list.
    press(&mut a, KeyCode::Char('s'));
    press(&mut a, KeyCode::Char('S'));
    press(&mut a, KeyCode::Char('G'));
    press(&mut a, KeyCode::Char('p'));
    let ids = a.tracker_ids();
    assert!(!ids.is_empty(), "the first project has items");
    let project = ids[0].split('-').next().expect("id").to_string();
    assert!(
        ids.iter().all(|id| id.starts_with(&format!("{project}-"))),
        "{ids:?}"
    );
    assert!(a.selected_id().is_some());
}

#[test]
fn switching_project_after_a_filter_keeps_the_tracker_consistent() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "a");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('G'));
    for _ in 0..4 {
        press(&mut a, KeyCode::Char('p'));
        let _ = a.tracker_ids();
        render(&mut a, 80, 24);
    }
}

#[test]
fn switching_onto_a_project_without_items_shows_an_empty_tracker() {
    let fx = demo();
    add_empty_project(&fx, "ZZZ");
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('s'));
    press(&mut a, KeyCode::Char('G'));
    // All projects → each project in key order; ZZZ is the last.
    let mut seen_empty = false;
    for _ in 0..8 {
        a.update(Msg::CycleProject);
        if a.tracker_ids().is_empty() && a.selected_id().is_none() {
            seen_empty = true;
            let screen = screen(&render(&mut a, 80, 24));
            assert!(screen.contains("No access items yet"), "{screen}");
        }
    }
    assert!(seen_empty, "the empty project was shown");
}
