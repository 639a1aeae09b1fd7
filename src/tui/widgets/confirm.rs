//! The confirmation asked before an irreversible move (deny, revoke, cancel,
//! break-glass). Only `y` confirms; any other key cancels, so the default is No.

use crate::tui::format::{self, clean};
use crate::tui::layout;
use crate::tui::state::Confirm;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// A blank line, then the keys of a popup and what they do.
fn keys(t: &Theme, lines: &mut Vec<Line<'_>>, keys: [(&'static str, &'static str); 2]) {
    lines.push(Line::default());
    lines.push(Line::from(
        keys.iter()
            .flat_map(|(k, what)| [Span::styled(*k, t.key), Span::styled(*what, t.normal)])
            .collect::<Vec<_>>(),
    ));
}

/// Lines to read in a popup (a project's check), from `scroll` on; any listed key
/// of the help overlay closes it.
pub fn notice(
    t: &Theme,
    title: &str,
    text: &[String],
    scroll: usize,
    area: Rect,
    buf: &mut Buffer,
) {
    let w = area.width.saturating_sub(4).min(76);
    let text_w = usize::from(w.saturating_sub(4)).max(1);
    let mut lines: Vec<Line> = text
        .iter()
        .flat_map(|l| format::wrap(&clean(l), text_w))
        .skip(scroll)
        .map(|l| Line::from(Span::styled(l, t.normal)))
        .collect();
    let room = usize::from(area.height.saturating_sub(5));
    lines.truncate(room);
    keys(t, &mut lines, [("?/Esc/q", " close   "), ("↑↓", " scroll")]);
    let rect = layout::centered(area, w, lines.len() as u16 + 2);
    let inner = super::popup(
        rect,
        Span::styled(format!(" {title} "), t.normal),
        t.normal,
        buf,
    );
    super::render_padded(lines, inner, buf);
}

pub fn render(t: &Theme, c: &Confirm, area: Rect, buf: &mut Buffer) {
    let w = area.width.saturating_sub(4).min(70);
    let text_w = usize::from(w.saturating_sub(4)).max(1);
    let mut lines: Vec<Line> = format::wrap(&clean(&c.prompt), text_w)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, t.normal)))
        .collect();
    keys(
        t,
        &mut lines,
        [("y", " confirm   "), ("any other key", " cancel")],
    );
    let rect = layout::centered(area, w, lines.len() as u16 + 2);
    let inner = super::popup(rect, Span::styled(" Confirm ", t.warning), t.warning, buf);
    super::render_padded(lines, inner, buf);
}
