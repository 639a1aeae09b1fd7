//! Stored text written behind the app's back — escape and OSC sequences, carriage
//! returns, C1 controls, bidi overrides, invalid UTF-8, impossible values — reaches
//! the screen neutralised or as a visible placeholder, on every pane and in the detail
//! view, and never makes the app panic.

use crate::common::tui::*;
use accessdesk::tui::Msg;
use crossterm::event::KeyCode;

const HOSTILE: [&str; 6] = [
    "\u{1b}[31mred\u{1b}[0m",
    "\u{1b}]0;pwned\u{7}",
    "\u{1b}]8;;https://evil.example/\u{1b}\\click",
    "safe\roverwritten",
    "x\u{9b}31my",
    "abc\u{202e}txt.exe",
];

fn moves_the_terminal(c: char) -> bool {
    (c as u32) < 0x20
        || c == '\u{7f}'
        || ('\u{80}'..='\u{9f}').contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

#[test]
fn hostile_and_unreadable_rows_are_shown_safely_everywhere() {
    let fx = demo();
    {
        let c = rusqlite::Connection::open(&fx.path).unwrap();
        for (i, text) in HOSTILE.iter().enumerate() {
            c.execute(
                "UPDATE items SET system = ?1, purpose = ?1, role = ?1, credential_owner = ?1, notes = ?1 WHERE project = 'ACME' AND number = ?2",
                rusqlite::params![text, i as i64 + 1],
            )
            .unwrap();
        }
        c.execute_batch(
            "PRAGMA ignore_check_constraints = ON;
             UPDATE items SET system = CAST(x'4a69ff7261' AS TEXT), state = 'exploded', expires = '2026-13-45',
                              updated_at = 'yesterday', method = 'carrier-pigeon' WHERE project = 'ACME' AND number = 7;",
        )
        .unwrap();
    }
    let mut app = app(&fx, 140, 40);
    let mut screens = Vec::new();
    for pane in [KeyCode::Char('1'), KeyCode::Char('2'), KeyCode::Char('3')] {
        press(&mut app, pane);
        screens.push(screen(&render(&mut app, 140, 40)));
    }
    // The detail view of every changed item.
    press(&mut app, KeyCode::Char('1'));
    press(&mut app, KeyCode::Char('g'));
    for _ in 0..7 {
        press(&mut app, KeyCode::Enter);
        screens.push(screen(&render(&mut app, 140, 40)));
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Down);
    }
    app.update(Msg::Resize(80, 24));
    screens.push(screen(&render(&mut app, 80, 24)));
    for s in &screens {
        if let Some(c) = s.chars().find(|c| *c != '\n' && moves_the_terminal(*c)) {
            panic!("U+{:04X} reached the screen:\n{s}", c as u32);
        }
    }
    let all = screens.concat();
    assert!(
        all.contains("red"),
        "the text is still visible, only defanged"
    );
    assert!(
        all.contains('\u{FFFD}'),
        "invalid UTF-8 shows as a visible placeholder"
    );
}
