//! Pane 7, access reviews: the review shown (project, state, due date, who started
//! it), its progress as a gauge with the results so far, and every access it covers
//! with its decision. `[` and `]` switch between the reviews in view.

use super::{cell, fit, pane_block, render_empty, render_table};
use crate::domain::review::{Campaign, CampaignState, Entry};
use crate::tui::format::ColumnSpec;
use crate::tui::state::{Cursor, Look, Pane, ReviewPane};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Widget};

/// Lines above the table inside the border: the review and its progress.
pub const HEAD_LINES: u16 = 2;

#[rustfmt::skip]
const COLUMNS: [ColumnSpec; 7] = [
    ColumnSpec { title: "ID", min: 7, max: 10, priority: 0 },
    ColumnSpec { title: "System", min: 8, max: 24, priority: 0 },
    ColumnSpec { title: "Role", min: 8, max: 20, priority: 2 },
    ColumnSpec { title: "Holder", min: 8, max: 24, priority: 4 },
    ColumnSpec { title: "Risk", min: 4, max: 7, priority: 1 },
    ColumnSpec { title: "Decision", min: 9, max: 10, priority: 0 },
    ColumnSpec { title: "By", min: 6, max: 12, priority: 3 },
];

fn state_style(t: &Theme, s: CampaignState) -> Style {
    match s {
        CampaignState::Open => t.pending,
        CampaignState::Overdue => t.blocked,
        CampaignState::Completed => t.ready,
    }
}

/// `[████░░░░░░]` for `done` of `total`, `width` cells inside the brackets.
fn gauge(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(width);
    format!("[{}{}]", "█".repeat(filled), "░".repeat(width - filled))
}

fn head(look: &Look<'_>, r: &ReviewPane, c: &Campaign) -> Vec<Line<'static>> {
    let t = look.theme;
    let due = c.due.map(|d| format!("· due {d} ")).unwrap_or_default();
    let which = if r.campaigns.len() > 1 {
        format!(" ({} of {})", r.current + 1, r.campaigns.len())
    } else {
        String::new()
    };
    let p = &c.progress;
    let ended = match p.ended {
        0 => String::new(),
        n => format!(" · {n} ended"),
    };
    vec![
        Line::from(vec![
            Span::styled(format!("Review {} of {}", c.id, c.project), t.title),
            Span::styled(format!(" {} ", c.state), state_style(t, c.state)),
            Span::styled(
                format!("{due}· by {}{which}", cell(&c.started_by, 16)),
                t.muted,
            ),
        ]),
        Line::from(vec![
            Span::styled(
                gauge(p.decided() + p.ended, p.items, 10),
                state_style(t, c.state),
            ),
            Span::styled(format!(" {}/{} decided", p.decided(), p.items), t.normal),
            Span::styled(format!(" · {} certified", p.certified), t.ready),
            Span::styled(
                format!(" · {} to revoke", p.revoked),
                if p.revoked > 0 { t.warning } else { t.muted },
            ),
            Span::styled(format!(" · {} left{ended}", p.undecided()), t.muted),
        ]),
    ]
}

fn row<'a>(t: &Theme, e: &Entry, fitted: &super::Fitted) -> Row<'a> {
    let (decision, style) = match (e.decision, e.live) {
        (Some(d), _) => (
            d.as_str(),
            if d == crate::domain::review::Decision::Revoke {
                t.warning
            } else {
                t.ready
            },
        ),
        (None, true) => ("undecided", t.pending),
        (None, false) => ("ended", t.muted),
    };
    let cells = fitted.iter().map(|&(col, w)| match col {
        0 => Cell::from(cell(&e.item, w)),
        1 => Cell::from(cell(&e.system, w)),
        2 => Cell::from(cell(&e.role, w)),
        3 => Cell::from(cell(e.holder.as_deref().unwrap_or_default(), w)),
        4 => Cell::from(Span::styled(
            cell(if e.flagged { "FLAG" } else { "" }, w),
            t.privileged,
        )),
        5 => Cell::from(Span::styled(cell(decision, w), style)),
        _ => Cell::from(cell(e.decided_by.as_deref().unwrap_or_default(), w)),
    });
    Row::new(cells.collect::<Vec<_>>())
}

/// What the pane draws: the reviews as loaded, the cursor on the accesses of the one
/// shown, and the project in view (for the words of an empty pane).
pub struct Reviews<'a> {
    pub reviews: &'a ReviewPane,
    pub cursor: Cursor,
    pub scope: Option<&'a str>,
}

/// Draws the pane.
pub fn render(look: &Look<'_>, what: &Reviews<'_>, area: Rect, buf: &mut Buffer) {
    let (reviews, cursor, scope) = (what.reviews, what.cursor, what.scope);
    let t = look.theme;
    let count = |s: CampaignState| reviews.campaigns.iter().filter(|c| c.state == s).count();
    let (open, overdue) = (count(CampaignState::Open), count(CampaignState::Overdue));
    let title = Line::from(vec![
        Span::styled(
            format!(" {} {} ", Pane::Reviews.number(), Pane::Reviews.title()),
            t.title,
        ),
        Span::styled(
            match reviews.campaigns.len() {
                1 => "1 review".to_string(),
                n => format!("{n} reviews"),
            },
            t.normal,
        ),
        Span::styled(format!(" · {open} open"), t.pending),
        Span::styled(
            format!(" · {overdue} overdue "),
            if overdue > 0 { t.blocked } else { t.muted },
        ),
    ]);
    let block = pane_block(t, title);
    let Some(c) = reviews.campaigns.get(reviews.current) else {
        let text = match scope {
            Some(k) => format!("No access review of {k} yet: n starts one over its live access."),
            None => "No access reviews yet. Choose a project with p; n starts a review of its live access.".to_string(),
        };
        return render_empty(area, buf, block, &text, t);
    };
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height <= HEAD_LINES {
        return;
    }
    Paragraph::new(head(look, reviews, c)).render(
        Rect {
            height: HEAD_LINES,
            ..inner
        },
        buf,
    );
    let table_area = Rect {
        y: inner.y + HEAD_LINES,
        height: inner.height - HEAD_LINES,
        ..inner
    };
    let fitted = fit(&COLUMNS, area);
    let visible = crate::tui::layout::table_rows(area, HEAD_LINES);
    let (rows, selected) = super::visible_rows(&reviews.entries, cursor, visible, |e| {
        Some(row(t, e, &fitted))
    });
    render_table(
        t,
        table_area,
        buf,
        Block::new(),
        &COLUMNS,
        &fitted,
        &[],
        rows,
        selected,
    );
}
