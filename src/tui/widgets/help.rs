//! The help overlay: every key that works where it was opened, from the same key
//! table and the same availability predicates as the footer and `handle_key`.

use crate::tui::format;
use crate::tui::keymap::{self, Ctx, Facts};
use crate::tui::layout;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

fn place(ctx: Ctx) -> &'static str {
    match ctx {
        Ctx::Tracker => "tracker",
        Ctx::Queue => "approval queue",
        Ctx::Blockers => "blockers",
        Ctx::Tasks => "tasks",
        Ctx::Dashboard => "dashboard",
        Ctx::Expiring => "expiry radar",
        Ctx::Reviews => "access reviews",
        Ctx::Detail => "detail view",
        Ctx::Help => "help",
        Ctx::Filter => "filter line",
        Ctx::Form => "form",
        Ctx::Confirm => "confirmation",
        Ctx::Choose => "list",
    }
}

/// The help text for where the person is (the context under the overlay).
pub fn lines(t: &Theme, facts: &Facts, screen_width: u16) -> Vec<Line<'static>> {
    let width = text_width(screen_width);
    let ctx = facts.base;
    let mut out = vec![
        Line::from(Span::styled(
            format!("Keys that work in the {} now", place(ctx)),
            t.title,
        )),
        Line::default(),
    ];
    let rows: Vec<_> = keymap::active(facts, ctx).collect();
    let key_w = rows
        .iter()
        .map(|b| facts.shown(b, ctx).chars().count())
        .max()
        .unwrap_or(4);
    let room = usize::from(width).saturating_sub(key_w + 2).max(10);
    for b in rows {
        // Long descriptions wrap under themselves, not under the key.
        for (i, part) in format::wrap(b.help, room).into_iter().enumerate() {
            let key = if i == 0 { facts.shown(b, ctx) } else { "" };
            out.push(Line::from(vec![
                Span::styled(format!("{key:>key_w$}  "), t.key),
                Span::styled(part, t.normal),
            ]));
        }
    }
    if ctx == Ctx::Tracker {
        out.push(Line::default());
        let text =
            "Filter: words match any field; state:req, flag:priv, is:blocked narrow further.";
        for part in format::wrap(text, usize::from(width)) {
            out.push(Line::from(Span::styled(part, t.muted)));
        }
    }
    if matches!(
        ctx,
        Ctx::Tracker | Ctx::Queue | Ctx::Blockers | Ctx::Expiring | Ctx::Detail
    ) {
        // The legend of badges, from the flags themselves: a new flag shows here.
        let legend: Vec<String> = crate::domain::Flag::ALL
            .iter()
            .map(|f| format!("{} {}", f.badge(), f.as_str().replace('-', " ")))
            .collect();
        for part in format::wrap(
            &format!("Badges: {}.", legend.join(" · ")),
            usize::from(width),
        ) {
            out.push(Line::from(Span::styled(part, t.muted)));
        }
    }
    out.push(Line::default());
    let own: Vec<String> = keymap::active(facts, Ctx::Help)
        .map(|b| format!("{} {}", facts.shown(b, Ctx::Help), b.label))
        .collect();
    for part in format::wrap(
        &format!("In this help: {}", own.join(" · ")),
        usize::from(width),
    ) {
        out.push(Line::from(Span::styled(part, t.muted)));
    }
    out
}

/// The system catalogue, for the overlay `C` opens: each system with its roles,
/// least privileged (the standard) first, and which of them are privileged.
pub fn catalogue_lines(
    t: &Theme,
    systems: &[crate::domain::catalogue::System],
    screen_width: u16,
) -> Vec<Line<'static>> {
    let width = usize::from(text_width(screen_width));
    let mut out = vec![
        Line::from(Span::styled(
            "System catalogue: roles from least to most privilege",
            t.title,
        )),
        Line::default(),
    ];
    if systems.is_empty() {
        let text = "No system is catalogued yet. An admin or a security person adds them \
                    (system add); until then the keyword rule flags privileged roles.";
        for part in format::wrap(text, width) {
            out.push(Line::from(Span::styled(part, t.muted)));
        }
    }
    for s in systems {
        out.push(Line::from(vec![
            Span::styled(crate::domain::text::sanitize(&s.name).into_owned(), t.key),
            Span::styled(
                format!("  {}", crate::domain::text::sanitize(&s.category)),
                t.muted,
            ),
        ]));
        let roles = crate::domain::text::sanitize(&s.roles_text()).into_owned();
        for part in format::wrap(&format!("roles: {roles}"), width.saturating_sub(2)) {
            out.push(Line::from(Span::styled(format!("  {part}"), t.normal)));
        }
        let standard = s.least_role().unwrap_or_default();
        let privileged = if s.privileged_roles.is_empty() {
            "none".to_string()
        } else {
            s.privileged_roles.join(", ")
        };
        let text = format!("standard: {standard} · privileged: {privileged}");
        for part in format::wrap(
            &crate::domain::text::sanitize(&text),
            width.saturating_sub(2),
        ) {
            out.push(Line::from(Span::styled(format!("  {part}"), t.muted)));
        }
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled("?/Esc/q close", t.muted)));
    out
}

/// Width of the help text (the popup adds its border).
fn text_width(screen_width: u16) -> u16 {
    screen_width.saturating_sub(6).clamp(20, 76)
}

/// Draws the help overlay: the keys, or the catalogue when one is given.
pub fn render(
    t: &Theme,
    facts: &Facts,
    (scroll, catalogue): (usize, Option<&[crate::domain::catalogue::System]>),
    area: Rect,
    buf: &mut Buffer,
) {
    let all = match catalogue {
        Some(list) => catalogue_lines(t, list, area.width),
        None => lines(t, facts, area.width),
    };
    let want_w =
        u16::try_from(all.iter().map(|l| l.width()).max().unwrap_or(20) + 4).unwrap_or(u16::MAX);
    let want_h = u16::try_from(all.len() + 2).unwrap_or(u16::MAX);
    // The footer line stays visible: it says how to close the help.
    let above_footer = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    let popup = layout::centered(above_footer, want_w.max(30), want_h);
    let title = if catalogue.is_some() {
        " Catalogue "
    } else {
        " Help "
    };
    let inner = super::popup(popup, Span::styled(title, t.title), t.muted, buf);
    let height = usize::from(inner.height);
    let total = all.len();
    let scroll = scroll.min(total.saturating_sub(height));
    let shown: Vec<Line> = all.into_iter().skip(scroll).take(height).collect();
    super::scroll_marker(popup, buf, (scroll, height, total), "", t.muted);
    super::render_padded(shown, inner, buf);
}
