//! Under NO_COLOR (the mono theme) nothing on screen carries a colour, and the
//! selected row is still visible: a `>` marker and reverse video.

use crate::common::tui::*;
use accessdesk::tui::{App, Theme};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};

fn assert_no_colour(t: &Terminal<TestBackend>, what: &str) {
    let buf = t.backend().buffer();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            assert_eq!(
                (c.fg, c.bg),
                (Color::Reset, Color::Reset),
                "{what}: colour at {x},{y} ({:?})",
                c.symbol()
            );
        }
    }
}

/// The row with the selection marker: exactly one, and reversed.
fn assert_selected_row_marked(t: &Terminal<TestBackend>, what: &str) {
    let buf = t.backend().buffer();
    let marked: Vec<u16> = (0..buf.area.height)
        .filter(|&y| buf[(1, y)].symbol() == ">")
        .collect();
    assert_eq!(
        marked.len(),
        1,
        "{what}: one selected row expected, found {marked:?}\n{}",
        screen(t)
    );
    let y = marked[0];
    // The row's cells (past the marker) are in reverse video.
    for x in 3..10 {
        assert!(
            buf[(x, y)].modifier.contains(Modifier::REVERSED),
            "{what}: cell {x},{y} not reversed"
        );
    }
}

fn mono_app(fx: &Db, w: u16, h: u16) -> App {
    app_with(fx, w, h, Theme::mono())
}

#[test]
fn panes_have_no_colour_and_a_visible_selection() {
    let fx = demo();
    for (w, h) in [(80, 24), (140, 40)] {
        let mut a = mono_app(&fx, w, h);
        for (pane, key) in [("tracker", '1'), ("queue", '2'), ("blockers", '3')] {
            press(&mut a, KeyCode::Char(key));
            press(&mut a, KeyCode::Down);
            let t = render(&mut a, w, h);
            assert_no_colour(&t, pane);
            assert_selected_row_marked(&t, pane);
        }
    }
}

#[test]
fn overlays_have_no_colour() {
    let fx = demo();
    let views: [(&str, &[KeyCode]); 5] = [
        ("detail", &[KeyCode::Enter]),
        ("help", &[KeyCode::Char('?')]),
        ("form", &[KeyCode::Char('n')]),
        (
            "confirm",
            &[
                KeyCode::Char('2'),
                KeyCode::Char('d'),
                KeyCode::Char('x'),
                KeyCode::Enter,
            ],
        ),
        ("too small", &[]),
    ];
    for (name, keys) in views {
        let mut a = mono_app(&fx, 80, 24);
        for k in keys {
            press(&mut a, *k);
        }
        let (w, h) = if name == "too small" {
            (50, 10)
        } else {
            (80, 24)
        };
        let t = render(&mut a, w, h);
        assert_no_colour(&t, name);
    }
}

#[test]
fn the_colour_themes_do_colour() {
    // The check above means something only if the other themes use colour.
    let fx = demo();
    for theme in [Theme::ansi16(), Theme::truecolor()] {
        let mut a = app_with(&fx, 80, 24, theme);
        let t = render(&mut a, 80, 24);
        let buf = t.backend().buffer();
        let coloured = buf
            .content()
            .iter()
            .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
            .count();
        assert!(coloured > 0);
    }
}
