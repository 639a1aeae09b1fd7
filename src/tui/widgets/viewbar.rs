//! The saved views as tabs over the tracker, each with its count: "All 39 │ My
//! decisions 7 │ ...". The view in force is drawn selected; when the tabs do not fit,
//! they start at the one in force so it always shows.

use crate::tui::format;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// Draws the tabs: "All" with `total` (`None` while the items load), `names` with
/// their counts (shown as "…" while `loading`: the views are counted once the panes
/// are derived), `current` 0 for every item, `n` for `names[n - 1]`.
pub fn render(
    t: &Theme,
    names: &[(String, usize)],
    total: Option<usize>,
    loading: bool,
    current: usize,
    area: Rect,
    buf: &mut Buffer,
) {
    let count = |n: usize| {
        if loading {
            "…".to_string()
        } else {
            n.to_string()
        }
    };
    let all = total.map_or_else(|| "…".to_string(), |n| n.to_string());
    let mut tabs: Vec<String> = vec![format!("All {all}")];
    tabs.extend(
        names
            .iter()
            .map(|(name, n)| format!("{} {}", format::clean(name), count(*n))),
    );
    let width = usize::from(area.width);
    // Start early enough that the current tab fits.
    let mut first = 0;
    while first < current {
        let w: usize = tabs[first..=current.min(tabs.len() - 1)]
            .iter()
            .map(|s| format::width(s) + 3)
            .sum::<usize>()
            + 8;
        if w <= width {
            break;
        }
        first += 1;
    }
    let mut spans = vec![Span::styled(" Views ", t.muted)];
    if first > 0 {
        spans.push(Span::styled("… ", t.muted));
    }
    for (i, tab) in tabs.iter().enumerate().skip(first) {
        let style = if i == current { t.selected } else { t.normal };
        spans.push(Span::styled(format!(" {tab} "), style));
        spans.push(Span::styled("│", t.muted));
    }
    spans.pop();
    Paragraph::new(Line::from(spans)).render(area, buf);
}
