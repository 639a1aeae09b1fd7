//! The status line (results, refusals with their rule, the filter being typed) and
//! the footer of keys valid now, taken from the key table. When the footer is too
//! narrow, it keeps `? help` and `q quit` and drops other keys from the right: the
//! help overlay lists them all.

use crate::tui::format::{self, clean};
use crate::tui::keymap::{self, Binding, Facts};
use crate::tui::state::{Status, StatusKind};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use tui_input::Input;

/// Where the cursor goes while the filter is typed.
pub fn filter_cursor(input: &Input, area: Rect) -> Option<Position> {
    let prompt = 9u16; // " filter: "
    let room = area.width.saturating_sub(prompt + 1);
    let scroll = input.visual_scroll(usize::from(room));
    let x = input.visual_cursor().saturating_sub(scroll);
    Some(Position::new(
        area.x + prompt + u16::try_from(x).unwrap_or(0).min(room),
        area.y,
    ))
}

/// The filter line while a filter is typed (`filter`), else the status message.
pub fn render_status(
    t: &Theme,
    filter: Option<&Input>,
    status: Option<&Status>,
    area: Rect,
    buf: &mut Buffer,
) {
    if let Some(input) = filter {
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
    let lines: Vec<Line> = match status {
        Some(s) => {
            let style = match s.kind {
                StatusKind::Info => t.normal,
                StatusKind::Done => t.ready,
                StatusKind::Refused => t.warning,
                StatusKind::Error => t.blocked,
            };
            // Wrapped here, as `App::status_lines` counts them, so the area the app
            // set aside holds the whole message.
            status_lines(&clean(&s.text), area.width)
                .into_iter()
                .map(|l| Line::from(Span::styled(format!(" {l}"), style)))
                .collect()
        }
        None => vec![Line::from(Span::styled(
            " ? shows every key that works here",
            t.muted,
        ))],
    };
    Paragraph::new(lines).render(area, buf);
}

/// A status message broken into the lines it takes at `width` columns (after the
/// one-column margin).
pub fn status_lines(text: &str, width: u16) -> Vec<String> {
    format::wrap(text, usize::from(width.saturating_sub(1)).max(1))
}

fn key_spans(t: &Theme, facts: &Facts, b: &'static Binding) -> Vec<Span<'static>> {
    vec![
        Span::styled(facts.shown(b, facts.ctx).to_string(), t.key),
        Span::styled(format!(" {}", b.label), t.normal),
    ]
}

pub fn render_footer(t: &Theme, facts: &Facts, area: Rect, buf: &mut Buffer) {
    let all = keymap::footer(facts, facts.ctx);
    let (tail, head): (Vec<&'static Binding>, Vec<&'static Binding>) = all
        .into_iter()
        .partition(|b| b.footer.is_some_and(|r| r >= 90));
    let width = usize::from(area.width);
    let sep = "  ";
    let width_of =
        |b: &'static Binding| format::width(facts.shown(b, facts.ctx)) + 1 + format::width(b.label);
    let tail_w: usize = tail.iter().map(|b| width_of(b) + sep.len()).sum();
    let mut spans: Vec<Span> = vec![Span::raw(" ")];
    let mut used = 1;
    for b in head {
        let w = width_of(b) + sep.len();
        if used + w + tail_w > width {
            break;
        }
        spans.extend(key_spans(t, facts, b));
        spans.push(Span::raw(sep));
        used += w;
    }
    for b in tail {
        spans.extend(key_spans(t, facts, b));
        spans.push(Span::raw(sep));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}
