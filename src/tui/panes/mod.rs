//! The three panes and the detail view. Each pane draws only the rows that fit on
//! screen: the derived views keep the filtered, sorted index list, and a pane slices
//! it to the visible window before building any `Row` (ratatui's `Table` lays out
//! every row it is given, so handing it a hundred thousand would cost every frame).
//! Panes take what they draw (the views, a cursor, the look), never the app.

pub mod blockers;
pub mod columns;
pub mod dashboard;
pub mod detail;
pub mod expiring;
pub mod queue;
pub mod reviews;
pub mod tasks;
pub mod tracker;

use super::format::{self, ColumnSpec};
use super::layout;
use super::state::Cursor;
use super::theme::{SELECTED_MARKER, Theme};
use crate::domain::{Flag, Method, State};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{
    Block, Cell, HighlightSpacing, Paragraph, Row, StatefulWidget, Table, TableState, Widget, Wrap,
};

/// Space between columns.
const SPACING: u16 = 1;

/// A column as drawn: which spec, how wide.
pub(crate) type Fitted = Vec<(usize, u16)>;

/// The specs with the ID column (the first) exactly as wide as the longest id.
pub(crate) fn with_id_width<const N: usize>(
    id_width: u16,
    specs: &[ColumnSpec; N],
) -> [ColumnSpec; N] {
    let mut out = *specs;
    out[0].min = id_width.max(2);
    out[0].max = id_width.max(2);
    out
}

/// Chooses the columns for a table in `area` (inside its border, after the marker).
pub(crate) fn fit(specs: &[ColumnSpec], area: Rect) -> Fitted {
    let inner = area
        .width
        .saturating_sub(2 + format::width(SELECTED_MARKER) as u16);
    format::fit_columns(specs, inner, SPACING)
}

/// The window of rows to draw: (first index, count) for `len` rows of which `visible`
/// fit, keeping the selection in view.
pub(crate) fn window(cursor: Cursor, visible: usize, len: usize) -> (usize, usize) {
    let off = layout::scroll_offset(cursor.offset, cursor.selected, visible, len);
    (off, visible.min(len.saturating_sub(off)))
}

/// The rows of a pane's list that fit in `visible` lines: the window around the
/// cursor, each entry made into a table row, and the selected row's place among them.
pub(crate) fn visible_rows<'a, T>(
    list: &[T],
    cursor: Cursor,
    visible: usize,
    make: impl FnMut(&T) -> Option<Row<'a>>,
) -> (Vec<Row<'a>>, Option<usize>) {
    let (first, count) = window(cursor, visible, list.len());
    let rows = list[first..first + count].iter().filter_map(make).collect();
    let selected = (cursor.selected >= first).then(|| cursor.selected - first);
    (rows, selected)
}

/// Stored text cut to a column: neutralised first, so nothing in it reaches the
/// terminal as a control sequence.
pub(crate) fn cell(s: &str, width: u16) -> String {
    format::truncate(&format::clean(s), usize::from(width))
}

/// Draws a bordered table of already-built rows (the visible window only).
#[allow(clippy::too_many_arguments)]
pub(crate) fn render_table(
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
    block: Block<'_>,
    specs: &[ColumnSpec],
    fitted: &Fitted,
    header_marks: &[(usize, &str)],
    rows: Vec<Row<'_>>,
    selected: Option<usize>,
) {
    let header = Row::new(fitted.iter().map(|&(i, w)| {
        let mark = header_marks
            .iter()
            .find(|(c, _)| *c == i)
            .map(|(_, m)| *m)
            .unwrap_or("");
        Cell::from(format::truncate(
            &format!("{}{mark}", specs[i].title),
            usize::from(w),
        ))
    }))
    .style(theme.title);
    let widths: Vec<Constraint> = fitted.iter().map(|&(_, w)| Constraint::Length(w)).collect();
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(SPACING)
        .row_highlight_style(theme.selected)
        .highlight_symbol(SELECTED_MARKER)
        .highlight_spacing(HighlightSpacing::Always);
    let mut state = TableState::default().with_selected(selected);
    StatefulWidget::render(table, area, buf, &mut state);
}

/// A message in an empty pane.
pub(crate) fn render_empty(
    area: Rect,
    buf: &mut Buffer,
    block: Block<'_>,
    text: &str,
    theme: &Theme,
) {
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    let para = Paragraph::new(Text::from(Line::from(Span::styled(
        text.to_string(),
        theme.muted,
    ))))
    .wrap(Wrap { trim: true })
    .centered();
    para.render(
        Rect {
            y: inner.y + inner.height / 2,
            height: inner.height - inner.height / 2,
            ..inner
        },
        buf,
    );
}

/// A pane's border and title.
pub(crate) fn pane_block<'a>(theme: &Theme, title: Line<'a>) -> Block<'a> {
    Block::bordered()
        .title(title)
        .border_style(theme.muted)
        .title_style(theme.title)
}

/// "requested 1/2", "approved 2/2" (the approvals given and required, in the states
/// that show them: `item_row::shows_progress`), else the state.
pub(crate) fn approval_text(state: State, progress: Option<(u8, u8)>) -> String {
    match progress {
        Some((given, required)) => format!("{state} {given}/{required}"),
        None => state.to_string(),
    }
}

/// The requested role, marked when the access is privileged.
pub(crate) fn role_cell<'a>(theme: &Theme, role: &str, privileged: bool, width: u16) -> Cell<'a> {
    let style = if privileged {
        theme.privileged
    } else {
        theme.normal
    };
    Cell::from(Span::styled(cell(role, width), style))
}

/// Short method names for narrow columns.
pub(crate) fn method_text(m: Option<Method>, width: u16) -> String {
    let Some(m) = m else { return String::new() };
    if usize::from(width) >= m.as_str().len() {
        return m.as_str().to_string();
    }
    match m {
        Method::DelegatedAccount => "delegated",
        Method::TemporaryLink => "temp-link",
        Method::AdminApprovedFlow => "admin-flow",
        Method::Vault => "vault",
        Method::SsoInvite => "sso-invite",
    }
    .to_string()
}

/// Risk badges (PRIV, SHARED, CLIENT, EXC, TEMP, EMERG).
pub(crate) fn badges(flags: impl IntoIterator<Item = Flag>) -> String {
    flags
        .into_iter()
        .map(|f| f.badge())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Style of a state.
pub(crate) fn state_style(t: &Theme, s: State) -> ratatui::style::Style {
    match s {
        State::Verified => t.ready,
        State::Denied => t.blocked,
        State::Requested | State::Approved | State::Granted => t.pending,
        State::Revoked | State::Cancelled => t.muted,
        State::Needed => t.normal,
    }
}
