//! Pane 2, the approval queue: what waits on the logged-in person's decision
//! (`machine::guard` allows them to approve), riskiest first, then oldest, with why it
//! needs them — as approval owner, or as security reviewer of a flagged item.

use super::{Fitted, badges, cell, fit, pane_block, render_empty, render_table, role_cell};
use crate::domain::{Capacity, Flag};
use crate::tui::format;
use crate::tui::queue_line::QueueLine;
use crate::tui::state::{Cursor, Look, Pane};
use crate::tui::theme::Theme;
use crate::tui::views::{QueueEntry, RowRef, Views};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

/// Why the item needs this person: as its approval owner, or as security reviewer
/// because of the flags it carries.
pub fn why(flags: impl Iterator<Item = Flag>, capacity: Capacity) -> String {
    match capacity {
        Capacity::Owner => "approval owner".to_string(),
        // The flags the item carries, as its badges name them; which of them call for
        // a security review is the domain's to say (`required_approvals`).
        Capacity::Security => {
            let flags: Vec<&str> = flags
                .filter(|f| !matches!(f, Flag::Temporary | Flag::Emergency))
                .map(|f| f.as_str())
                .collect();
            format!("security review: {}", flags.join(", "))
        }
    }
}

/// A decision waiting on one person longer than the stale period says so and offers
/// delegation (`D`).
fn with_stale_wait(why: String, q: &QueueLine, look: &Look<'_>) -> String {
    match q.stale_wait(look.now, look.settings) {
        Some((who, days)) => format!("{why} · waiting {days}d on {who}: D delegates"),
        None => why,
    }
}

/// Marks a picked row (Space) before its id, in every theme (mono included).
const PICKED: &str = "✓ ";

#[allow(clippy::too_many_arguments)]
pub fn render(
    look: &Look<'_>,
    views: &Views,
    cursor: Cursor,
    (login, empty): (&str, &str),
    picked: &[i64],
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = look.theme;
    let n = views.queue.len();
    let title = Line::from(vec![
        Span::styled(format!(" 2 {} ", Pane::Queue.title()), theme.title),
        Span::styled(
            format!("{n} waiting on {}", format::clean(login)),
            theme.normal,
        ),
        Span::styled(format!(" · {} ", views.queue_order.words()), theme.muted),
    ]);
    let title = if picked.is_empty() {
        title
    } else {
        let mut t = title;
        t.push_span(Span::styled(
            format!("· {} selected ", picked.len()),
            theme.pending,
        ));
        t
    };
    let block = pane_block(theme, title);
    if n == 0 {
        return render_empty(area, buf, block, empty, theme);
    }
    // With a pick, the id column also holds the marks.
    let mark_width = if picked.is_empty() { 0 } else { 2 };
    let specs = super::with_id_width(views.id_width + mark_width, &super::columns::QUEUE);
    let fitted = fit(&specs, area);
    let visible = crate::tui::layout::table_rows(area, 0);
    let (rows, selected) = super::visible_rows(&views.queue, cursor, visible, |e| {
        views.get(e.ix).and_then(|v| {
            let mark = match (mark_width, picked.contains(&v.rowid)) {
                (0, _) => "",
                (_, true) => PICKED,
                (_, false) => "  ",
            };
            v.queued()
                .map(|q| row(theme, look, (&v, q), e, &fitted, mark))
        })
    });
    render_table(
        theme,
        area,
        buf,
        block,
        &specs,
        &fitted,
        &[],
        rows,
        selected,
    );
}

fn row<'a>(
    theme: &Theme,
    look: &Look<'_>,
    (v, q): (&RowRef<'_>, &QueueLine),
    e: &QueueEntry,
    fitted: &Fitted,
    mark: &str,
) -> Row<'a> {
    let (given, required) = q.progress;
    let why_text = match q.extension_to {
        Some(to) => format!("extension to {to}: {}", why(v.flags(), e.capacity)),
        None => why(v.flags(), e.capacity),
    };
    let cells = fitted.iter().map(|&(col, w)| match col {
        0 if mark == PICKED => Cell::from(Span::styled(
            cell(&format!("{mark}{}", v.id()), w),
            theme.pending,
        )),
        0 => Cell::from(cell(&format!("{mark}{}", v.id()), w)),
        1 => {
            let b = badges(v.flags());
            if b.is_empty() {
                Cell::from(Span::styled(cell("plain", w), theme.muted))
            } else {
                Cell::from(Span::styled(cell(&b, w), theme.privileged))
            }
        }
        2 => Cell::from(cell(v.system(), w)),
        3 => role_cell(theme, v.role(), v.has_flag(Flag::Privileged), w),
        4 => Cell::from(cell(v.requester(), w)),
        5 => Cell::from(cell(&format::age_since(q.since, look.now), w)),
        6 => Cell::from(cell(&format!("{given}/{required}"), w)),
        7 => Cell::from(Span::styled(
            cell(&with_stale_wait(why_text.clone(), q, look), w),
            if e.capacity == Capacity::Security {
                theme.privileged
            } else {
                theme.pending
            },
        )),
        _ => Cell::from(cell(q.holder.as_deref().unwrap_or(""), w)),
    });
    Row::new(cells.collect::<Vec<_>>())
}
