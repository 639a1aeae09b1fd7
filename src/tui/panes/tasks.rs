//! Pane 5, tasks: every implementation task of the projects in view, blocked ones
//! first, with its planned start, its status and each item that holds it up with
//! why (denied, missing, not verified, breaks a rule).

use super::{cell, fit, pane_block, render_empty, render_table};
use crate::domain::tasks::Status;
use crate::tui::state::{Cursor, Look, Pane, TaskRow};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

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
    let fitted = fit(&super::columns::TASKS, area);
    let visible = crate::tui::layout::table_rows(area, 0);
    let (table, selected) = super::visible_rows(rows, cursor, visible, |r| {
        let cells = fitted.iter().map(|&(col, w)| match col {
            0 => Cell::from(cell(&r.task.id(), w)),
            1 => Cell::from(cell(&r.task.title, w)),
            2 => Cell::from(cell(&r.planned.to_string(), w)),
            // In the order of `Status`: blocked, ready, started, done.
            3 => Cell::from(Span::styled(
                cell(&status_text(r), w),
                [theme.blocked, theme.ready, theme.pending, theme.muted][r.status as usize],
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
        &super::columns::TASKS,
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
