//! Drawing the whole screen from the app state. Nothing here changes state: `draw`
//! reads the app and asks each part to render itself into the frame's buffer.

use super::app::{App, Modal};
use super::layout;
use super::panes;
use super::widgets;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// Draws the screen and places the cursor where text is being typed.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    frame.render_widget(app, area);
    if layout::too_small(area) {
        return;
    }
    let a = layout::split(area, app.status_lines());
    let cursor = match &app.modal {
        Some(Modal::Form(_)) => widgets::form::cursor(app, area),
        Some(Modal::Filter { .. }) => widgets::footer::filter_cursor(app, a.status),
        _ => None,
    };
    if let Some(pos) = cursor {
        frame.set_cursor_position(pos);
    }
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if layout::too_small(area) {
            return too_small(self, area, buf);
        }
        let a = layout::split(area, self.status_lines());
        widgets::header::render(self, a.header, buf);
        widgets::header::render_tabs(self, a.tabs, buf);
        match &self.detail {
            Some(d) => panes::detail::render(self, d, a.body, buf),
            None => match self.pane {
                super::app::Pane::Tracker => panes::tracker::render(self, a.body, buf),
                super::app::Pane::Queue => panes::queue::render(self, a.body, buf),
                super::app::Pane::Blockers => panes::blockers::render(self, a.body, buf),
            },
        }
        widgets::footer::render_status(self, a.status, buf);
        widgets::footer::render_footer(self, a.footer, buf);
        match &self.modal {
            Some(Modal::Help { .. }) => widgets::help::render(self, area, buf),
            Some(Modal::Form(_)) => widgets::form::render(self, area, buf),
            Some(Modal::Confirm(_)) => widgets::confirm::render(self, area, buf),
            Some(Modal::Filter { .. }) | None => {}
        }
    }
}

/// Instead of drawing out of bounds: say so, as far as it fits.
fn too_small(app: &App, area: Rect, buf: &mut Buffer) {
    let text = vec![
        Line::from(Span::styled("terminal too small", app.theme.warning)),
        Line::from(Span::styled(
            format!(
                "{}x{}, needs {}x{}",
                area.width,
                area.height,
                layout::MIN_WIDTH,
                layout::MIN_HEIGHT
            ),
            app.theme.muted,
        )),
    ];
    let y = area.y + area.height.saturating_sub(2) / 2;
    let rest = Rect {
        y,
        height: area.height - (y - area.y),
        ..area
    };
    Paragraph::new(text)
        .wrap(Wrap { trim: true })
        .centered()
        .render(rest, buf);
}
