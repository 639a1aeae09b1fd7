//! Pane 1, the tracker: every access item of the chosen project(s), filtered and
//! sorted as the app keeps them. At 80 columns the less important columns (expiry,
//! method, purpose...) give way first; wider terminals show them all.

use super::{
    Fitted, approval_text, badges, cell, fit, method_text, pane_block, render_empty, render_table,
    role_cell, state_style,
};
use crate::domain::{Flag, State};
use crate::tui::format;
use crate::tui::state::{Column, Cursor, Filter, Look, Pane};
use crate::tui::views::{RowRef, Views};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

// The specs are in the order of `Column::ALL`, which gives each its sort key.

/// What the tracker draws besides the views: its cursor, sort and filter, and the
/// number of items still loading.
pub struct Tracker<'a> {
    pub views: &'a Views,
    pub cursor: Cursor,
    pub sort: Column,
    pub reverse: bool,
    pub filter: &'a Filter,
    pub pending: Option<usize>,
    /// What to say when no row shows (see `tui::empty`).
    pub empty: String,
}

pub fn render(look: &Look<'_>, t: &Tracker<'_>, area: Rect, buf: &mut Buffer) {
    let theme = look.theme;
    let total = t.views.count();
    let shown = t.views.tracker.len();
    let arrow = if t.reverse { "▼" } else { "▲" };
    let mut title = vec![
        Span::styled(format!(" 1 {} ", Pane::Tracker.title()), theme.title),
        Span::styled(
            match t.pending {
                // The first screenful shows while the rest loads.
                Some(n) => format!("loading {n} items…"),
                None if shown == total => format!("{total} items"),
                None => format!("{shown} of {total} items"),
            },
            theme.normal,
        ),
        Span::styled(format!(" · sort {} {arrow}", t.sort.name()), theme.muted),
    ];
    if let Some(s) = t.filter.state {
        title.push(Span::styled(format!(" · state {s}"), theme.warning));
    }
    if !t.filter.text.is_empty() {
        title.push(Span::styled(
            format!(" · /{}", format::clean(&t.filter.text)),
            theme.warning,
        ));
    }
    if let Some(p) = &t.views.query_problem {
        title.push(Span::styled(format!(" ({p})"), theme.blocked));
    }
    title.push(Span::raw(" "));
    let block = pane_block(theme, Line::from(title));
    if let Some(n) = t.pending.filter(|_| shown == 0) {
        return render_empty(area, buf, block, &format!("Loading {n} items…"), theme);
    }
    if shown == 0 {
        return render_empty(area, buf, block, &t.empty, theme);
    }
    let specs = super::with_id_width(t.views.id_width, &super::columns::TRACKER);
    let fitted: Fitted = fit(&specs, area);
    let visible = crate::tui::layout::table_rows(area, 0);
    let (rows, selected) = super::visible_rows(&t.views.tracker, t.cursor, visible, |&ix| {
        t.views.get(ix).map(|v| row(theme, v, &fitted))
    });
    let marks: Vec<(usize, &str)> = Column::ALL
        .iter()
        .position(|c| *c == t.sort)
        .map(|i| vec![(i, arrow)])
        .unwrap_or_default();
    render_table(
        theme, area, buf, block, &specs, &fitted, &marks, rows, selected,
    );
}

fn row<'a>(theme: &crate::tui::theme::Theme, v: RowRef<'_>, fitted: &Fitted) -> Row<'a> {
    let cells = fitted.iter().map(|&(col, w)| match col {
        0 => Cell::from(cell(&v.id(), w)),
        1 => Cell::from(cell(v.system(), w)),
        2 => Cell::from(cell(v.purpose(), w)),
        3 => role_cell(theme, v.role(), v.has_flag(Flag::Privileged), w),
        4 => Cell::from(cell(v.credential_owner(), w)),
        5 => Cell::from(Span::styled(
            cell(&approval_text(v.state, v.progress), w),
            state_style(theme, v.state),
        )),
        6 => Cell::from(cell(&method_text(v.method, w), w)),
        7 => match (v.temporary, v.expires) {
            (true, Some(d)) => Cell::from(cell(&format::date(Some(d)), w)),
            _ if v.state == State::Cancelled => Cell::from(""),
            _ => Cell::from(Span::styled(cell("permanent", w), theme.muted)),
        },
        8 => {
            if v.blocking() {
                Cell::from(Span::styled("BLK", theme.blocked))
            } else {
                Cell::from("")
            }
        }
        _ => Cell::from(Span::styled(cell(&badges(v.flags()), w), theme.privileged)),
    });
    Row::new(cells.collect::<Vec<_>>())
}
