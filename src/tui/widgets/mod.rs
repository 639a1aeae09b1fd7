//! Parts of the screen that are not panes: the header and tab line, the status line
//! and footer, the help overlay, forms and confirmations.

pub mod chooser;
pub mod confirm;
pub mod footer;
pub mod form;
pub mod header;
pub mod help;
pub mod viewbar;

/// Clears `area` and draws a popup's border there, titled; returns the space inside.
pub fn popup(
    area: ratatui::layout::Rect,
    title: ratatui::text::Span<'_>,
    border: ratatui::style::Style,
    buf: &mut ratatui::buffer::Buffer,
) -> ratatui::layout::Rect {
    use ratatui::widgets::Widget;
    ratatui::widgets::Clear.render(area, buf);
    let block = ratatui::widgets::Block::bordered()
        .title(title)
        .border_style(border);
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// Lines inside a popup's border, one column in from its left edge.
pub fn render_padded(
    lines: Vec<ratatui::text::Line<'_>>,
    inner: ratatui::layout::Rect,
    buf: &mut ratatui::buffer::Buffer,
) {
    use ratatui::widgets::Widget;
    let padded = ratatui::layout::Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(1),
        ..inner
    };
    ratatui::widgets::Paragraph::new(lines).render(padded, buf);
}

/// Writes "FIRST-LAST of TOTAL · j/k scroll" into the bottom-right corner of `area`
/// when `total` lines do not fit in `height`; `label` goes before the numbers.
pub fn scroll_marker(
    area: ratatui::layout::Rect,
    buf: &mut ratatui::buffer::Buffer,
    (scroll, height, total): (usize, usize, usize),
    label: &str,
    style: ratatui::style::Style,
) {
    use ratatui::widgets::Widget;
    if total <= height || area.height <= 1 {
        return;
    }
    let pos = format!(
        " {label}{}-{} of {total} · j/k scroll ",
        scroll + 1,
        (scroll + height).min(total)
    );
    let w = u16::try_from(super::format::width(&pos))
        .unwrap_or(0)
        .min(area.width.saturating_sub(2));
    let at = ratatui::layout::Rect {
        x: area.x + area.width.saturating_sub(w + 1),
        y: area.y + area.height - 1,
        width: w,
        height: 1,
    };
    ratatui::widgets::Paragraph::new(ratatui::text::Span::styled(pos, style)).render(at, buf);
}
