//! Drawing a form: one line per field, under it its problem or warning and, after a
//! conflicting edit, the value someone else saved meanwhile; the focused field
//! marked. A field holding what looks like a credential is shown masked,
//! never echoed back. The form scrolls to keep the focused field in view.

use crate::tui::form::{FieldKind, Form, Note};
use crate::tui::format::{self, clean};
use crate::tui::layout;
use crate::tui::theme::{SELECTED_MARKER, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

/// The form laid out in `area`: its popup, the inside, the lines, the line of each
/// field and the column where values start.
struct Placed {
    popup: Rect,
    inner: Rect,
    lines: Vec<Line<'static>>,
    at: Vec<usize>,
    value_x: usize,
}

fn place(t: &Theme, form: &Form, area: Rect) -> Placed {
    let w = area.width.saturating_sub(4).clamp(20.min(area.width), 100);
    let probe = Rect {
        width: w.saturating_sub(2),
        ..area
    };
    let (lines, at, value_x) = build(t, form, probe);
    let h = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height.saturating_sub(2))
        .max(3);
    let popup = layout::centered(area, w, h);
    let inner = Block::bordered().inner(popup);
    Placed {
        popup,
        inner,
        lines,
        at,
        value_x,
    }
}

fn label_width(form: &Form, inner: Rect) -> usize {
    let longest = form
        .fields
        .iter()
        .map(|f| format::width(f.label))
        .max()
        .unwrap_or(8);
    longest.min(26).min(usize::from(inner.width) / 2)
}

/// Lines of the form, and the line of each field's value.
fn build(t: &Theme, form: &Form, inner: Rect) -> (Vec<Line<'static>>, Vec<usize>, usize) {
    let label_w = label_width(form, inner);
    let marker_w = format::width(SELECTED_MARKER);
    let room = usize::from(inner.width)
        .saturating_sub(marker_w + label_w + 1)
        .max(1);
    let notes = form.notes();
    let mut lines = Vec::new();
    let mut at = Vec::new();
    for (i, f) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let here: Vec<&Note> = notes
            .iter()
            .filter(|(k, _)| *k == i)
            .map(|(_, n)| n)
            .collect();
        let problem = here.iter().find_map(|n| match n {
            Note::Problem(p) => Some(p),
            _ => None,
        });
        let masked = problem.is_some_and(|p| p.secret.is_some());
        let (value, style) = match &f.kind {
            FieldKind::Text { input, .. } | FieldKind::Date { input } => {
                if masked {
                    let n = input.value().chars().count().min(room);
                    ("•".repeat(n), t.warning)
                } else {
                    let scroll = if focused {
                        input.visual_scroll(room.saturating_sub(1))
                    } else {
                        0
                    };
                    let v: String = clean(input.value()).chars().skip(scroll).collect();
                    (format::truncate(&v, room), t.normal)
                }
            }
            FieldKind::Choice { options, index } => {
                let label = options.get(*index).map(|(_, l)| l.as_str()).unwrap_or("");
                (
                    format::truncate(&format!("< {} >", clean(label)), room),
                    t.normal,
                )
            }
            FieldKind::Toggle(on) => (
                (if *on { "[x] yes" } else { "[ ] no" }).to_string(),
                t.normal,
            ),
        };
        let empty = form.value(f.name).is_none_or(|v| v.trim().is_empty());
        let mut spans = vec![
            Span::styled(
                if focused {
                    SELECTED_MARKER.to_string()
                } else {
                    " ".repeat(marker_w)
                },
                t.key,
            ),
            Span::styled(
                format!("{:<label_w$} ", format::truncate(f.label, label_w)),
                if focused { t.selected } else { t.muted },
            ),
            Span::styled(value, style),
        ];
        if f.for_submit && empty && problem.is_none() {
            spans.push(Span::styled(" (needed to submit)", t.muted));
        }
        at.push(lines.len());
        lines.push(Line::from(spans));
        for note in here {
            let (text, style) = match note {
                Note::Problem(p) if p.missing && !form.tried => (p.text.clone(), t.muted),
                Note::Problem(p) => (p.text.clone(), t.warning),
                Note::Warning(w) => (format!("note: {w}"), t.pending),
                Note::Theirs(v) => (format!("saved meanwhile: {}", clean(v)), t.privileged),
            };
            let indent = marker_w + label_w + 1;
            for part in format::wrap(&text, room.max(10)) {
                lines.push(Line::from(vec![
                    Span::raw(" ".repeat(indent)),
                    Span::styled(part, style),
                ]));
            }
        }
    }
    (lines, at, marker_w + label_w + 1)
}

/// First line shown so the focused field and its problem are visible.
fn offset(at: &[usize], focus: usize, total: usize, height: usize) -> usize {
    let line = at.get(focus).copied().unwrap_or(0);
    let end = at.get(focus + 1).copied().unwrap_or(total);
    end.saturating_sub(height).min(line)
}

pub fn render(t: &Theme, form: &Form, area: Rect, buf: &mut Buffer) {
    let Placed {
        popup,
        inner,
        lines,
        at,
        ..
    } = place(t, form, area);
    let title = Span::styled(format!(" {} ", clean(&form.title)), t.title);
    super::popup(popup, title, t.key, buf);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let height = usize::from(inner.height);
    let off = offset(&at, form.focus, lines.len(), height);
    let shown: Vec<Line> = lines.into_iter().skip(off).take(height).collect();
    Paragraph::new(shown).render(inner, buf);
}

/// Where the terminal cursor goes: in the focused text field, after what is typed.
pub fn cursor(t: &Theme, form: &Form, area: Rect) -> Option<Position> {
    let f = form.focused()?;
    let (FieldKind::Text { input, .. } | FieldKind::Date { input }) = &f.kind else {
        return None;
    };
    let Placed {
        inner,
        lines,
        at,
        value_x,
        ..
    } = place(t, form, area);
    let off = offset(&at, form.focus, lines.len(), usize::from(inner.height));
    let line = at.get(form.focus)?.checked_sub(off)?;
    if line >= usize::from(inner.height) {
        return None;
    }
    let room = usize::from(inner.width).saturating_sub(value_x).max(1);
    let scroll = input.visual_scroll(room.saturating_sub(1));
    let x = (input.visual_cursor().saturating_sub(scroll) + value_x)
        .min(usize::from(inner.width).saturating_sub(1));
    Some(Position::new(inner.x + x as u16, inner.y + line as u16))
}
