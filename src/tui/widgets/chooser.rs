//! The project picker and the command palette as drawn: a popup with the typed line
//! on top and the matching entries below it, best first, the selected one marked.

use crate::tui::chooser::{Chooser, Kind};
use crate::tui::format;
use crate::tui::layout;
use crate::tui::theme::{SELECTED_MARKER, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

fn title(kind: Kind) -> &'static str {
    match kind {
        Kind::Picker => " Project ",
        Kind::Palette => " Palette ",
    }
}

fn prompt(kind: Kind) -> &'static str {
    match kind {
        Kind::Picker => "project: ",
        Kind::Palette => ": ",
    }
}

/// Where the popup goes in `area`.
fn placed(area: Rect) -> Rect {
    let w = area.width.saturating_sub(4).min(76);
    let h = area.height.saturating_sub(4).min(20);
    let r = layout::centered(area, w, h);
    // Near the top, so the list grows downwards as it is read.
    Rect {
        y: area.y + (area.height.saturating_sub(h)) / 4,
        ..r
    }
}

/// The cursor in the typed line.
pub fn cursor(c: &Chooser, area: Rect) -> Option<Position> {
    let p = placed(area);
    let x0 = p.x + 2 + format::width(prompt(c.kind)) as u16;
    let room = p.width.saturating_sub(x0 - p.x + 2);
    let scroll = c.input.visual_scroll(usize::from(room));
    let x = c.input.visual_cursor().saturating_sub(scroll);
    Some(Position::new(
        x0 + u16::try_from(x).unwrap_or(0).min(room),
        p.y + 1,
    ))
}

pub fn render(t: &Theme, c: &Chooser, area: Rect, buf: &mut Buffer) {
    let popup = placed(area);
    let inner = super::popup(popup, Span::styled(title(c.kind), t.title), t.muted, buf);
    let width = usize::from(inner.width.saturating_sub(1));
    let mut lines = vec![Line::from(vec![
        Span::styled(prompt(c.kind), t.key),
        Span::styled(format::clean(c.input.value()), t.normal),
    ])];
    let room = usize::from(inner.height.saturating_sub(2));
    if c.shown.is_empty() {
        lines.push(Line::default());
        let text = match c.kind {
            Kind::Picker => "No project matches. Backspace to widen, Esc to close.",
            Kind::Palette => "No action or item matches. Items match by id or system.",
        };
        lines.push(Line::from(Span::styled(text, t.muted)));
    } else {
        lines.push(Line::from(Span::styled(
            format!("{} of {}", c.shown.len(), c.entries.len()),
            t.muted,
        )));
        let first = c.selected.saturating_sub(room.saturating_sub(1));
        for pos in first..(first + room).min(c.shown.len()) {
            let Some(e) = c.shown_entry(pos) else {
                continue;
            };
            let selected = pos == c.selected;
            let marker = if selected {
                SELECTED_MARKER.to_string()
            } else {
                " ".repeat(format::width(SELECTED_MARKER))
            };
            let label = format::truncate(&e.label, width.saturating_sub(4).max(8));
            let rest = width.saturating_sub(format::width(&marker) + format::width(&label) + 2);
            let hint = format::truncate(&format::clean(&e.hint), rest);
            let style = if selected { t.selected } else { t.normal };
            lines.push(Line::from(vec![
                Span::styled(marker, style),
                Span::styled(label, style),
                Span::styled(format!("  {hint}"), t.muted),
            ]));
        }
    }
    super::render_padded(lines, inner, buf);
}
