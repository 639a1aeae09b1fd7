//! `--read-only` in the full-screen app: on a store opened for reading only, every key
//! of every pane, on every kind of selected item, with `y` to confirm whatever asks,
//! leaves the database file byte for byte as it was; no write key is in the footer or
//! the help overlay, and a move asked for anyway is refused as read-only.

use crate::common::tui::*;
use accessdesk::store::Store;
use accessdesk::tui::{App, Msg, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sha2::{Digest, Sha256};

fn bytes_of(path: &std::path::Path) -> String {
    let data = std::fs::read(path).expect("read the database file");
    format!("{:x}", Sha256::digest(&data))
}

fn read_only_app(fx: &Db) -> App {
    let mut s = Store::open_read_only_as(&fx.path, tester()).expect("open for reading only");
    s.set_now(now());
    assert!(s.is_read_only());
    let mut a = App::new(s, Theme::ansi16()).expect("load app");
    a.set_time_zone(chrono_tz::Tz::UTC);
    a.update(Msg::Resize(120, 40));
    a
}

/// Every key a person could press: letters, digits, punctuation and the named keys.
fn every_key() -> Vec<KeyEvent> {
    let mut keys: Vec<KeyEvent> = (b'!'..=b'~')
        .map(|c| {
            let c = char::from(c);
            let m = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            KeyEvent::new(KeyCode::Char(c), m)
        })
        .collect();
    for code in [
        KeyCode::Char(' '),
        KeyCode::Enter,
        KeyCode::Delete,
        KeyCode::Backspace,
    ] {
        keys.push(KeyEvent::new(code, KeyModifiers::NONE));
    }
    keys
}

#[test]
fn read_only_cannot_change_the_database_whatever_is_pressed() {
    let fx = demo();
    let before = bytes_of(&fx.path);
    let mut app = read_only_app(&fx);

    // The writable app offers moves in its footer and help; the read-only one none.
    const MOVES: [&str; 12] = [
        "approve the selected item",
        "deny with a reason",
        "return for changes",
        "submit for approval",
        "record that access was granted",
        "verify with a note",
        "record deprovisioning",
        "edit the item's fields",
        "flag a blocker",
        "change the task's title, planned start or the items it needs",
        "record the day work on the task started",
        "record the day the task was done",
    ];
    let mut writable = app_with(&fx, 120, 40, Theme::ansi16());
    press(&mut writable, KeyCode::Char('2'));
    let footer = screen(&render(&mut writable, 120, 40));
    assert!(footer.contains("a approve"), "{footer}");
    press(&mut writable, KeyCode::Char('?'));
    let help = screen(&render(&mut writable, 120, 40));
    assert!(help.contains(MOVES[0]), "{help}");
    drop(writable);

    press(&mut app, KeyCode::Char('2'));
    let footer = screen(&render(&mut app, 120, 40));
    assert!(!footer.contains("a approve"), "{footer}");
    for pane in ['1', '2', '3', '4', '5', '6'] {
        press(&mut app, KeyCode::Char(pane));
        press(&mut app, KeyCode::Char('?'));
        let help = screen(&render(&mut app, 120, 40));
        for words in MOVES {
            assert!(
                !help.contains(words),
                "help offers '{words}' read-only:\n{help}"
            );
        }
        press(&mut app, KeyCode::Char('?'));
    }
    press(&mut app, KeyCode::Esc);

    // Every key in every pane, on several rows, confirming whatever asks (the palette
    // `:` and the picker `p` run their first entry on Enter).
    for pane in ['1', '2', '3', '4', '5', '6', '7'] {
        for row in 0..6 {
            for ev in every_key() {
                press(&mut app, KeyCode::Char(pane));
                for _ in 0..row {
                    press(&mut app, KeyCode::Down);
                }
                key(&mut app, ev);
                assert!(app.form().is_none(), "{ev:?} opened a form in pane {pane}");
                press(&mut app, KeyCode::Char('y'));
                press(&mut app, KeyCode::Enter);
                press(&mut app, KeyCode::Esc);
                if app.should_quit() {
                    app = read_only_app(&fx);
                }
            }
        }
    }
    // A move asked for directly (a click or a stale key would send it) is refused.
    press(&mut app, KeyCode::Char('2'));
    app.update(Msg::Act(accessdesk::domain::machine::ActionKind::Approve));
    let said = app.status().map(|s| s.text.clone()).unwrap_or_default();
    assert!(said.contains("read-only"), "{said}");
    app.update(Msg::NewItem);
    assert!(app.form().is_none());
    drop(app);
    assert_eq!(bytes_of(&fx.path), before, "the database file changed");
}

#[test]
fn a_read_only_store_refuses_every_write_by_rule() {
    let fx = demo();
    let before = bytes_of(&fx.path);
    let mut s = Store::open_read_only_as(&fx.path, someone("carol")).expect("open");
    let e = s
        .set_setting("stale-after-days", "9")
        .expect_err("no write when read-only");
    assert!(e.to_string().contains("reading only"), "{e}");
    drop(s);
    assert_eq!(bytes_of(&fx.path), before);
}
