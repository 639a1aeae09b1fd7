//! Screens of the TUI as text snapshots (insta), on the demo data at a fixed clock,
//! logged in as "tester": each pane, the detail view, the help overlay, forms and the
//! confirmation, at 80x24 (the SSH-in-tmux size) and 140x40.

use crate::common::tui::*;
use accessdesk::tui::App;
use crossterm::event::KeyCode;

const SIZES: [(u16, u16); 2] = [(80, 24), (140, 40)];

fn snap(app: &mut App, name: &str, w: u16, h: u16) {
    let t = render(app, w, h);
    let text = screen(&t);
    let me = accessdesk::identity::Identity::current().login;
    // "tester" is the fixture's own login; any other account must never show up.
    if me != "tester" {
        let words: Vec<&str> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
            .collect();
        assert!(
            !words.contains(&me.as_str()),
            "the machine's user name {me} is on screen:\n{text}"
        );
    }
    insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
}

#[test]
fn tracker() {
    let fx = demo();
    for (w, h) in SIZES {
        let mut a = app(&fx, w, h);
        snap(&mut a, "tracker", w, h);
    }
}

#[test]
fn tracker_filtered_and_sorted() {
    let fx = demo();
    for (w, h) in SIZES {
        let mut a = app(&fx, w, h);
        press(&mut a, KeyCode::Char('/'));
        type_text(&mut a, "is:blocked");
        press(&mut a, KeyCode::Enter);
        press(&mut a, KeyCode::Char('s'));
        press(&mut a, KeyCode::Char('S'));
        snap(&mut a, "tracker_filtered", w, h);
    }
}

#[test]
fn queue() {
    let fx = demo();
    for (w, h) in SIZES {
        let mut a = app(&fx, w, h);
        press(&mut a, KeyCode::Char('2'));
        snap(&mut a, "queue", w, h);
    }
}

#[test]
fn blockers() {
    let fx = demo();
    for (w, h) in SIZES {
        let mut a = app(&fx, w, h);
        press(&mut a, KeyCode::Char('3'));
        snap(&mut a, "blockers", w, h);
    }
}

#[test]
fn expiring() {
    let fx = demo();
    for (w, h) in SIZES {
        let mut a = app(&fx, w, h);
        press(&mut a, KeyCode::Char('6'));
        snap(&mut a, "expiring", w, h);
    }
}

#[test]
fn detail() {
    let fx = demo();
    for (w, h) in SIZES {
        let mut a = app(&fx, w, h);
        // A flagged item waiting on a security decision: approvals given and missing.
        select_in_tracker(&mut a, "HARBOR-6");
        press(&mut a, KeyCode::Enter);
        snap(&mut a, "detail", w, h);
        // Further down: approvals, the collection instruction and the history.
        press(&mut a, KeyCode::PageDown);
        snap(&mut a, "detail_scrolled", w, h);
    }
}

#[test]
fn help() {
    let fx = demo();
    for (w, h) in SIZES {
        let mut a = app(&fx, w, h);
        press(&mut a, KeyCode::Char('2'));
        press(&mut a, KeyCode::Char('?'));
        snap(&mut a, "help_queue", w, h);
    }
}

#[test]
fn new_item_form() {
    let fx = demo();
    for (w, h) in SIZES {
        let mut a = app(&fx, w, h);
        press(&mut a, KeyCode::Char('n'));
        type_text(&mut a, "Matomo");
        // Down to the expiry field, with a malformed date typed in.
        for _ in 0..8 {
            press(&mut a, KeyCode::Tab);
        }
        type_text(&mut a, "2026-02-30");
        snap(&mut a, "form_new_item", w, h);
    }
}

#[test]
fn deny_form_and_confirmation() {
    let fx = demo();
    for (w, h) in SIZES {
        let mut a = app(&fx, w, h);
        press(&mut a, KeyCode::Char('2'));
        press(&mut a, KeyCode::Char('d'));
        type_text(&mut a, "Scope too wide: ask for the Staff role");
        snap(&mut a, "form_deny", w, h);
        press(&mut a, KeyCode::Enter);
        snap(&mut a, "confirm_deny", w, h);
    }
}

#[test]
fn too_small() {
    let fx = demo();
    let mut a = app(&fx, 59, 15);
    snap(&mut a, "too_small", 59, 15);
}
