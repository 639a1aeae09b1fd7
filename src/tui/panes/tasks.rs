//! Pane 5, tasks: every implementation task of the projects in view, blocked ones
//! first, with its planned start, its status and each item that holds it up with
//! why (denied, missing, not verified, breaks a rule).

use super::{cell, fit, pane_block, render_empty, render_table};
use crate::domain::tasks::Status;
use crate::tui::format::ColumnSpec;
use crate::tui::state::{Cursor, Look, Pane, TaskRow};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

/// The tasks pane's columns, in display order.
#[rustfmt::skip]
pub const COLUMNS: [ColumnSpec; 6] = [
    ColumnSpec { title: "ID", min: 8, max: 10, priority: 0 },
    ColumnSpec { title: "Title", min: 12, max: 36, priority: 0 },
    ColumnSpec { title: "Planned", min: 10, max: 10, priority: 1 },
    ColumnSpec { title: "Status", min: 7, max: 18, priority: 0 },
    ColumnSpec { title: "Held up by", min: 20, max: 80, priority: 0 },
    ColumnSpec { title: "Needs", min: 8, max: 30, priority: 3 },
];

fn status_style(t: &Theme, s: Status) -> Style {
    match s {
        Status::Blocked => t.blocked,
        Status::Ready => t.ready,
        Status::Started => t.pending,
        Status::Done => t.muted,
    }
}

pub fn render(look: &Look<'_>, rows: &[TaskRow], cursor: Cursor, area: Rect, buf: &mut Buffer) {
    let theme = look.theme;
    let blocked = rows.iter().filter(|r| r.status == Status::Blocked).count();
    let title = Line::from(vec![
        Span::styled(
            format!(" {} {} ", Pane::Tasks.number(), Pane::Tasks.title()),
            theme.title,
        ),
        Span::styled(
            format!("{blocked} blocked"),
            if blocked > 0 {
                theme.blocked
            } else {
                theme.ready
            },
        ),
        Span::styled(format!(" of {} · blocked first ", rows.len()), theme.muted),
    ]);
    let block = pane_block(theme, title);
    if rows.is_empty() {
        return render_empty(
            area,
            buf,
            block,
            "No tasks here yet: a coordinator adds them with the items each needs.",
            theme,
        );
    }
    let fitted = fit(&COLUMNS, area);
    let visible = crate::tui::layout::table_rows(area, 0);
    let (table, selected) = super::visible_rows(rows, cursor, visible, |r| {
        let cells = fitted.iter().map(|&(col, w)| match col {
            0 => Cell::from(cell(&r.task.id(), w)),
            1 => Cell::from(cell(&r.task.title, w)),
            2 => Cell::from(cell(&r.planned.to_string(), w)),
            3 => Cell::from(Span::styled(
                cell(&status_text(r), w),
                status_style(theme, r.status),
            )),
            4 => Cell::from(cell(
                &r.waiting
                    .iter()
                    .map(|w| w.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
                w,
            )),
            _ => Cell::from(cell(&r.task.needs.join(", "), w)),
        });
        Some(Row::new(cells.collect::<Vec<_>>()))
    });
    render_table(
        theme,
        area,
        buf,
        block,
        &COLUMNS,
        &fitted,
        &[],
        table,
        selected,
    );
}

/// "blocked", "ready", "started 2026-04-02", "done 2026-04-09".
fn status_text(r: &TaskRow) -> String {
    match (r.status, r.task.started_on, r.task.done_on) {
        (Status::Done, _, Some(d)) => format!("done {d}"),
        (Status::Started, Some(d), _) => format!("started {d}"),
        (s, _, _) => s.code().to_string(),
    }
}
