//! Pane 3, blockers: every blocking item, oldest blocker first, with its age, every
//! reason, who it waits on and the tasks it holds up, under a count by reason.

use super::{Fitted, cell, fit, pane_block, render_empty, render_table, state_style};
use crate::domain::blockers::Reason;
use crate::tui::format;
use crate::tui::state::{Cursor, Look, Pane};
use crate::tui::views::{RowRef, Views};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Widget};

/// All reasons of an item, in one line.
pub fn reasons_text(reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn render(
    look: &Look<'_>,
    views: &Views,
    cursor: Cursor,
    empty: &str,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = look.theme;
    let n = views.blockers.len();
    let oldest = views
        .stats
        .oldest_blocker
        .map(|t| format!(" · oldest {}", format::age_since(t, look.now)))
        .unwrap_or_default();
    let title = Line::from(vec![
        Span::styled(format!(" 3 {} ", Pane::Blockers.title()), theme.title),
        Span::styled(
            format!("{n} blocking"),
            if n > 0 { theme.blocked } else { theme.ready },
        ),
        Span::styled(
            format!("{oldest} · {} ", views.blocker_order.words()),
            theme.muted,
        ),
    ]);
    let block = pane_block(theme, title);
    if n == 0 {
        return render_empty(area, buf, block, empty, theme);
    }
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    // The count by reason sits on the first line inside the border, the table below.
    let summary: Vec<Span> = views
        .blocker_summary
        .iter()
        .enumerate()
        .flat_map(|(i, (code, count))| {
            let sep = if i == 0 { "by reason: " } else { " · " };
            [
                Span::styled(sep, theme.muted),
                Span::styled(format!("{code} {count}"), theme.warning),
            ]
        })
        .collect();
    Paragraph::new(Line::from(summary)).render(Rect { height: 1, ..inner }, buf);
    let table_area = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    let specs = super::with_id_width(views.id_width, &super::columns::BLOCKERS);
    let fitted = fit(&specs, area);
    let visible = crate::tui::layout::table_rows(area, 1);
    let (rows, selected) = super::visible_rows(&views.blockers, cursor, visible, |&ix| {
        views.get(ix).map(|v| row(look, views, v, &fitted))
    });
    render_table(
        theme,
        table_area,
        buf,
        Block::new(),
        &specs,
        &fitted,
        &[],
        rows,
        selected,
    );
}

fn row<'a>(look: &Look<'_>, views: &Views, v: RowRef<'_>, fitted: &Fitted) -> Row<'a> {
    let theme = look.theme;
    let id = v.id();
    let cells = fitted.iter().map(|&(col, w)| match col {
        0 => Cell::from(cell(&id, w)),
        1 => Cell::from(Span::styled(
            cell(
                &v.blocked_since
                    .map(|t| format::age_since(t, look.now))
                    .unwrap_or_default(),
                w,
            ),
            theme.blocked,
        )),
        2 => Cell::from(cell(v.system(), w)),
        3 => Cell::from(Span::styled(
            cell(v.state.as_str(), w),
            state_style(theme, v.state),
        )),
        4 => Cell::from(cell(&reasons_text(&v.reasons), w)),
        5 => Cell::from(cell(v.waiting_on(), w)),
        _ => Cell::from(cell(
            &views
                .tasks_by_item
                .get(&id)
                .map(|t| t.join(", "))
                .unwrap_or_default(),
            w,
        )),
    });
    Row::new(cells.collect::<Vec<_>>())
}
