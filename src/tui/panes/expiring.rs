//! Pane 6, the expiry radar: temporary access and security exceptions that end within
//! the radar's days or have ended, soonest first, with what ends, when, and the action
//! each needs (`domain::expiry`), and an extension request when one waits.

use super::{Fitted, cell, fit, pane_block, render_empty, render_table, state_style};
use crate::domain::expiry::{self, Entry, ExpiryAction};
use crate::present;
use crate::tui::state::{Cursor, Look, Pane};
use crate::tui::theme::Theme;
use crate::tui::views::{RadarRow, RowRef, Views};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

fn action_style(t: &Theme, a: ExpiryAction) -> Style {
    match a {
        ExpiryAction::RevokeNow => t.blocked,
        ExpiryAction::DecideExtension => t.pending,
        ExpiryAction::RenewException => t.privileged,
        ExpiryAction::ExtendOrPlanRemoval | ExpiryAction::SetLaterEnd => t.warning,
    }
}

/// Draws the radar; `pending` is the number of items still loading, if any (the
/// radar is known only once every item is).
pub fn render(
    look: &Look<'_>,
    views: &Views,
    cursor: Cursor,
    pending: Option<usize>,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = look.theme;
    if let Some(loading) = pending {
        let title = Line::from(vec![
            Span::styled(
                format!(" {} {} ", Pane::Expiring.number(), Pane::Expiring.title()),
                theme.title,
            ),
            Span::styled("loading… ", theme.muted),
        ]);
        let text = format!("Loading {loading} items…");
        return render_empty(area, buf, pane_block(theme, title), &text, theme);
    }
    let n = views.expiring.len();
    let past = views
        .expiring
        .iter()
        .filter(|r| r.entry.days_left < 0)
        .count();
    let title = Line::from(vec![
        Span::styled(
            format!(" {} {} ", Pane::Expiring.number(), Pane::Expiring.title()),
            theme.title,
        ),
        Span::styled(
            format!("{n} within {}d", expiry::RADAR_DAYS),
            if past > 0 {
                theme.blocked
            } else {
                theme.normal
            },
        ),
        Span::styled(format!(" · {past} past · soonest first "), theme.muted),
    ]);
    let block = pane_block(theme, title);
    if n == 0 {
        return render_empty(
            area,
            buf,
            block,
            "No temporary access or exception ends in the next 30 days.",
            theme,
        );
    }
    let specs = super::with_id_width(views.id_width, &super::columns::EXPIRING);
    let fitted = fit(&specs, area);
    // Only the visible window of the radar becomes rows.
    let window = crate::tui::layout::table_rows(area, 0);
    let line = |r: &RadarRow| views.get(r.ix).map(|v| row(theme, v, &r.entry, &fitted));
    let (rows, at) = super::visible_rows(&views.expiring, cursor, window, line);
    let table = (&specs[..], &fitted, &[][..]);
    render_table(theme, area, buf, block, table.0, table.1, table.2, rows, at);
}

fn row<'a>(theme: &Theme, it: RowRef<'_>, e: &Entry, fitted: &Fitted) -> Row<'a> {
    let ends_style = if e.days_left < 0 {
        theme.blocked
    } else {
        theme.normal
    };
    let cells = fitted.iter().map(|&(col, w)| match col {
        0 => Cell::from(cell(&it.id(), w)),
        1 => Cell::from(Span::styled(
            cell(&present::expiry::ends_text(e, false), w),
            ends_style,
        )),
        2 => Cell::from(Span::styled(
            cell(&e.action.to_string(), w),
            action_style(theme, e.action),
        )),
        3 => Cell::from(cell(it.system(), w)),
        4 => Cell::from(Span::styled(
            cell(it.state.as_str(), w),
            state_style(theme, it.state),
        )),
        5 => Cell::from(cell(it.role(), w)),
        _ => Cell::from(cell(
            it.ends()
                .and_then(|(_, p)| p.as_deref())
                .unwrap_or_default(),
            w,
        )),
    });
    Row::new(cells.collect::<Vec<_>>())
}
