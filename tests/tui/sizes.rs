//! Every screen renders without panicking at every size from 1x1 to 250x80 (a grid,
//! plus the exact limits around "terminal too small"), and through a storm of
//! pseudo-random resizes on one terminal, as a window manager or tmux produces them.

use crate::common::tui::*;
use accessdesk::tui::App;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Brings the app to one of the screens under test.
fn open_view(a: &mut App, view: &str) {
    let keys: &[KeyCode] = match view {
        "tracker" => &[],
        "queue" => &[KeyCode::Char('2')],
        "blockers" => &[KeyCode::Char('3')],
        "detail" => &[KeyCode::Enter],
        "detail-end" => &[KeyCode::Char('2'), KeyCode::Enter, KeyCode::Char('G')],
        "help" => &[KeyCode::Char('?'), KeyCode::Char('G')],
        "form" => &[KeyCode::Char('n'), KeyCode::BackTab],
        "confirm" => &[
            KeyCode::Char('2'),
            KeyCode::Char('d'),
            KeyCode::Char('x'),
            KeyCode::Enter,
        ],
        "filter" => &[KeyCode::Char('/'), KeyCode::Char('a'), KeyCode::Char('c')],
        other => panic!("unknown view {other}"),
    };
    for k in keys {
        press(a, *k);
    }
}

fn sizes() -> Vec<(u16, u16)> {
    let mut v = Vec::new();
    for w in (1..=250u16).step_by(7) {
        for h in (1..=80u16).step_by(5) {
            v.push((w, h));
        }
    }
    v.extend([
        (59, 15),
        (60, 16),
        (80, 24),
        (250, 80),
        (1, 1),
        (60, 15),
        (59, 16),
    ]);
    v
}

fn grid(view: &str) {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    open_view(&mut a, view);
    for (w, h) in sizes() {
        let t = render(&mut a, w, h);
        let text = screen(&t);
        if w < 60 || h < 16 {
            if w >= 20 && h >= 2 {
                assert!(text.contains("terminal too small"), "{w}x{h}:\n{text}");
            }
        } else {
            assert!(!text.contains("terminal too small"), "{w}x{h}");
        }
    }
    // Every pane's tab stays visible at 80x24 (unless an overlay covers them): with its
    // full title, or its short one when the line is narrow (the detail view's id takes
    // room too).
    if matches!(view, "tracker" | "queue" | "blockers" | "detail" | "filter") {
        let text = screen(&render(&mut a, 80, 24));
        for (full, short) in [
            ("1 Tracker", "1 Items"),
            ("2 Approval queue", "2 Queue"),
            ("3 Blockers", "3 Block"),
            ("6 Expiring", "6 Exp"),
            ("7 Reviews", "7 Rev"),
        ] {
            assert!(
                text.contains(full) || text.contains(short),
                "{view}: {full} missing:\n{text}"
            );
        }
    }
}

/// A small linear congruential generator: fixed seed, reproducible storm.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u16) -> u16 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % u64::from(below)) as u16
    }
}

fn storm(view: &str) {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    open_view(&mut a, view);
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let mut rng = Lcg(0x5eed);
    for _ in 0..300 {
        let (w, h) = (1 + rng.next(300), 1 + rng.next(120));
        term.backend_mut().resize(w, h);
        a.update(accessdesk::tui::Msg::Resize(w, h));
        // Keys between resizes, as a person keeps typing while the window moves.
        match rng.next(4) {
            0 => press(&mut a, KeyCode::Down),
            1 => press(&mut a, KeyCode::PageDown),
            _ => {}
        }
        term.draw(|f| accessdesk::tui::draw(f, &a)).expect("draw");
    }
}

macro_rules! view_tests {
    ($($name:ident => $view:literal),* $(,)?) => {
        mod grid {
            use super::*;
            $(#[test] fn $name() { grid($view) })*
        }
        mod storm {
            use super::*;
            $(#[test] fn $name() { storm($view) })*
        }
    };
}

view_tests! {
    tracker => "tracker",
    queue => "queue",
    blockers => "blockers",
    detail => "detail",
    detail_end => "detail-end",
    help => "help",
    form => "form",
    confirm => "confirm",
    filter => "filter",
}
