//! The status line (results, refusals with their rule, the filter being typed) and
//! the footer of keys valid now, taken from the key table. When the footer is too
//! narrow, it keeps `? help` and `q quit` and drops other keys from the right: the
//! help overlay lists them all.

use crate::tui::app::{App, Modal, StatusKind};
use crate::tui::format::{self, clean};
use crate::tui::keymap::{self, Binding};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// Where the cursor goes while the filter is typed.
pub fn filter_cursor(app: &App, area: Rect) -> Option<Position> {
    let Some(Modal::Filter { input, .. }) = &app.modal else {
        return None;
    };
    let prompt = 9u16; // " filter: "
    let room = area.width.saturating_sub(prompt + 1);
    let scroll = input.visual_scroll(usize::from(room));
    let x = input.visual_cursor().saturating_sub(scroll);
    Some(Position::new(
        area.x + prompt + u16::try_from(x).unwrap_or(0).min(room),
        area.y,
    ))
}

pub fn render_status(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    if let Some(Modal::Filter { input, .. }) = &app.modal {
        let room = usize::from(area.width.saturating_sub(10));
        let scroll = input.visual_scroll(room);
        let shown: String = clean(input.value()).chars().skip(scroll).collect();
        let line = Line::from(vec![
            Span::styled(" filter: ", t.key),
            Span::styled(format::truncate(&shown, room), t.normal),
        ]);
        Paragraph::new(line).render(area, buf);
        return;
    }
    let line = match &app.status {
        Some(s) => {
            let style = match s.kind {
                StatusKind::Info => t.normal,
                StatusKind::Done => t.ready,
                StatusKind::Refused => t.warning,
                StatusKind::Error => t.blocked,
            };
            Line::from(Span::styled(format!(" {}", clean(&s.text)), style))
        }
        None => Line::from(Span::styled(" ? shows every key that works here", t.muted)),
    };
    Paragraph::new(line)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}

fn key_spans(app: &App, b: &Binding) -> Vec<Span<'static>> {
    vec![
        Span::styled(b.shown.to_string(), app.theme.key),
        Span::styled(format!(" {}", b.label), app.theme.normal),
    ]
}

pub fn render_footer(app: &App, area: Rect, buf: &mut Buffer) {
    let ctx = app.context();
    let all = keymap::footer(app, ctx);
    let (tail, head): (Vec<&Binding>, Vec<&Binding>) = all
        .into_iter()
        .partition(|b| b.footer.is_some_and(|r| r >= 90));
    let width = usize::from(area.width);
    let sep = "  ";
    let width_of = |b: &Binding| format::width(b.shown) + 1 + format::width(b.label);
    let tail_w: usize = tail.iter().map(|b| width_of(b) + sep.len()).sum();
    let mut spans: Vec<Span> = vec![Span::raw(" ")];
    let mut used = 1;
    for b in head {
        let w = width_of(b) + sep.len();
        if used + w + tail_w > width {
            break;
        }
        spans.extend(key_spans(app, b));
        spans.push(Span::raw(sep));
        used += w;
    }
    for b in tail {
        spans.extend(key_spans(app, b));
        spans.push(Span::raw(sep));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}
