//! Wide terminals: the columns grow with the screen instead of leaving its right side
//! empty.

use crate::common::tui::*;
use crossterm::event::KeyCode;

/// Where the last column's title starts on the table's title row, line `line`.
fn last_title_at(screen: &str, line: usize) -> usize {
    let row: Vec<char> = screen
        .lines()
        .nth(line)
        .unwrap_or_default()
        .chars()
        .collect();
    let end = row
        .iter()
        .rposition(|c| !matches!(c, ' ' | '│'))
        .unwrap_or(0);
    row[..=end]
        .iter()
        .rposition(|c| *c == ' ')
        .map_or(0, |p| p + 1)
}

#[test]
fn wide_terminals_share_their_width_among_the_columns() {
    let fx = demo();
    for (w, pane) in [(200, '1'), (260, '1'), (260, '2'), (260, '3')] {
        let mut a = app(&fx, w, 50);
        press(&mut a, KeyCode::Char(pane));
        let shown = screen(&render(&mut a, w, 50));
        // The last column starts within its own width of the right edge: no margin
        // is left empty past the usual widths.
        // The blockers pane counts its reasons above its table.
        let at = last_title_at(&shown, if pane == '3' { 5 } else { 4 });
        assert!(
            usize::from(w) - at < 40,
            "pane {pane} at {w} columns: the last column starts at {at}\n{shown}"
        );
    }
}

#[test]
fn the_help_of_every_item_pane_and_the_detail_view_explains_the_badges() {
    let fx = demo();
    for keys in ["1", "2", "3", "6", "1\n"] {
        let mut a = app(&fx, 140, 60);
        for c in keys.chars() {
            press(
                &mut a,
                if c == '\n' {
                    KeyCode::Enter
                } else {
                    KeyCode::Char(c)
                },
            );
        }
        press(&mut a, KeyCode::Char('?'));
        // The legend closes the help: scroll to its end.
        press(&mut a, KeyCode::Char('G'));
        let shown = screen(&render(&mut a, 140, 60));
        for badge in ["PRIV", "SHARED", "CLIENT", "EXC", "TEMP", "EMERG", "ABOVE"] {
            assert!(
                shown.contains(badge),
                "{keys:?}: no {badge} in the help\n{shown}"
            );
        }
    }
}
