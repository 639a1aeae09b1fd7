//! Where things go on the screen. Both drawing and the app's paging and mouse
//! handling use these functions, so "one screen down" is the height that is really
//! shown.

use ratatui::layout::{Constraint, Layout, Rect};

/// Below this the screen says "terminal too small" instead of drawing.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// The parts of the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// Project, readiness gauge, blockers, queue, who is logged in.
    pub header: Rect,
    /// The three pane titles.
    pub tabs: Rect,
    /// The pane or the detail view.
    pub body: Rect,
    /// Messages (refusals, results) or the filter line.
    pub status: Rect,
    /// Keys valid now.
    pub footer: Rect,
}

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// Splits the screen. `status_lines` is what the message needs (long ones wrap).
pub fn split(area: Rect, status_lines: u16) -> Areas {
    let [header, tabs, body, status, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(status_lines.max(1)),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas {
        header,
        tabs,
        body,
        status,
        footer,
    }
}

/// Rows of data a bordered table with a header row shows in `body`, less `extra`
/// lines used inside the border (e.g. the blockers' summary).
pub fn table_rows(body: Rect, extra: u16) -> usize {
    usize::from(body.height.saturating_sub(3 + extra))
}

/// A centred rectangle of at most `w` x `h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// First visible row so that `selected` is on screen, moving as little as possible
/// from `offset`.
pub fn scroll_offset(offset: usize, selected: usize, visible: usize, len: usize) -> usize {
    if visible == 0 || len == 0 {
        return 0;
    }
    let max_offset = len.saturating_sub(visible);
    let mut off = offset.min(max_offset);
    if selected < off {
        off = selected;
    } else if selected >= off + visible {
        off = selected + 1 - visible;
    }
    off.min(max_offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_keeps_selection_visible() {
        assert_eq!(scroll_offset(0, 5, 10, 100), 0);
        assert_eq!(scroll_offset(0, 15, 10, 100), 6);
        assert_eq!(scroll_offset(20, 15, 10, 100), 15);
        assert_eq!(scroll_offset(95, 99, 10, 100), 90);
        assert_eq!(scroll_offset(3, 0, 0, 100), 0);
    }

    #[test]
    fn split_fits_tiny_areas() {
        let a = split(Rect::new(0, 0, 1, 1), 2);
        assert!(a.body.height <= 1);
    }
}
