//! The help overlay: every key that works where it was opened, from the same key
//! table and the same availability predicates as the footer and `handle_key`.

use crate::tui::app::{App, Modal};
use crate::tui::keymap::{self, Ctx};
use crate::tui::layout;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

fn place(ctx: Ctx) -> &'static str {
    match ctx {
        Ctx::Tracker => "tracker",
        Ctx::Queue => "approval queue",
        Ctx::Blockers => "blockers",
        Ctx::Detail => "detail view",
        Ctx::Help => "help",
        Ctx::Filter => "filter line",
        Ctx::Form => "form",
        Ctx::Confirm => "confirmation",
    }
}

/// The help text for where the person is (the context under the overlay).
pub fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let ctx = app.base_context();
    let mut out = vec![
        Line::from(Span::styled(
            format!("Keys that work in the {} now", place(ctx)),
            t.title,
        )),
        Line::default(),
    ];
    let rows: Vec<_> = keymap::active(app, ctx).collect();
    let key_w = rows
        .iter()
        .map(|b| b.shown.chars().count())
        .max()
        .unwrap_or(4);
    for b in rows {
        out.push(Line::from(vec![
            Span::styled(format!("{:>key_w$}  ", b.shown), t.key),
            Span::styled(b.help.to_string(), t.normal),
        ]));
    }
    if ctx == Ctx::Tracker {
        out.push(Line::default());
        out.push(Line::from(Span::styled(
            "Filter: words match any field; state:req, flag:priv, is:blocked narrow further.",
            t.muted,
        )));
    }
    out.push(Line::default());
    let own: Vec<String> = keymap::active(app, Ctx::Help)
        .map(|b| format!("{} {}", b.shown, b.label))
        .collect();
    out.push(Line::from(Span::styled(
        format!("In this help: {}", own.join(" · ")),
        t.muted,
    )));
    out
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(Modal::Help { scroll }) = &app.modal else {
        return;
    };
    let all = lines(app);
    let want_w = all.iter().map(|l| l.width()).max().unwrap_or(20) as u16 + 4;
    let want_h = all.len() as u16 + 2;
    let popup = layout::centered(area, want_w.max(30), want_h);
    Clear.render(popup, buf);
    let block = Block::bordered()
        .title(Span::styled(" Help ", app.theme.title))
        .border_style(app.theme.muted);
    let inner = block.inner(popup);
    block.render(popup, buf);
    let height = usize::from(inner.height);
    let scroll = (*scroll).min(all.len().saturating_sub(height));
    let shown: Vec<Line> = all.into_iter().skip(scroll).take(height).collect();
    Paragraph::new(shown).render(
        Rect {
            x: inner.x + 1,
            width: inner.width.saturating_sub(1),
            ..inner
        },
        buf,
    );
}
