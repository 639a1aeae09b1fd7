//! The header (project, readiness gauge against the 90 % target, days to start,
//! blockers and their oldest age, the size of my queue, who is logged in) and the tab
//! line with the three pane titles. Parts of a line are dropped, least important
//! first, when the terminal is narrow.

use crate::domain::{Person, Project};
use crate::present;
use crate::tui::format::{self, clean};
use crate::tui::state::{Look, Pane};
use crate::tui::views::Stats;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// Spans that are kept or dropped together.
type Part = Vec<Span<'static>>;

fn part_width(p: &Part) -> usize {
    p.iter().map(|s| s.width()).sum()
}

/// Joins parts with a separator, keeping parts in order while they fit.
fn fit_parts(parts: Vec<Part>, width: usize, sep: Span<'static>) -> Line<'static> {
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for p in parts {
        let w = part_width(&p) + if out.is_empty() { 0 } else { sep.width() };
        if used + w > width {
            continue;
        }
        if !out.is_empty() {
            out.push(sep.clone());
        }
        used += w;
        out.extend(p);
    }
    Line::from(out)
}

/// What the header shows.
pub struct Header<'a> {
    pub login: &'a str,
    pub me: Option<&'a Person>,
    pub stats: &'a Stats,
    /// The project shown, or `None` for all projects.
    pub scope: Option<&'a str>,
    pub projects: &'a [Project],
    /// Items waiting on the person's decision.
    pub queue: usize,
    /// Items still loading (their counts are not known yet).
    pub pending: Option<usize>,
    /// Every item is read, and the blockers and the queue are being worked out.
    pub deriving: bool,
    /// The team's readiness target (0..1).
    pub target: f64,
    /// The forecast of the project in view (or of all), when known.
    pub forecast: Option<String>,
}

fn who(h: &Header<'_>) -> String {
    match h.me {
        Some(p) => {
            let roles: Vec<&str> = p.roles.iter().map(|r| r.as_str()).collect();
            let roles = if roles.is_empty() {
                "no roles".to_string()
            } else {
                roles.join(",")
            };
            format!("{} ({roles}) ", clean(h.login))
        }
        None => format!("{} (not registered: read-only) ", clean(h.login)),
    }
}

pub fn render(look: &Look<'_>, h: &Header<'_>, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let t = look.theme;
    let width = usize::from(area.width);
    // Line 1: the project and its start on the left, who is logged in on the right.
    let s = h.stats;
    let r = s.readiness;
    let project = match h.scope {
        Some(key) => h
            .projects
            .iter()
            .find(|p| p.key == key)
            .map(|p| {
                let closed = if p.closed_at.is_some() {
                    " [closed]"
                } else {
                    ""
                };
                format!(
                    "{} {} — {}{closed}",
                    p.key,
                    clean(&p.name),
                    clean(&p.client)
                )
            })
            .unwrap_or_else(|| key.to_string()),
        None => format!("All projects ({})", h.projects.len()),
    };
    let start = match &s.start {
        Some((key, date, days)) => {
            let whose = if h.scope.is_some() {
                String::new()
            } else {
                format!("{key} ")
            };
            let date_text = if width >= 110 {
                format!(" {}", crate::tui::format::date(Some(*date)))
            } else {
                String::new()
            };
            let verb = if *days < 0 { "started" } else { "starts" };
            format!(
                " · {whose}{verb}{date_text} {}",
                format::days_relative(*days)
            )
        }
        None => String::new(),
    };
    let start_style = match &s.start {
        Some((_, _, days)) if *days < 0 && r.ratio < h.target => t.blocked,
        _ => t.normal,
    };
    let who = who(h);
    let who_w = format::width(&who).min(width / 2);
    let start_w = format::width(&start).min(width.saturating_sub(who_w + 1));
    let prefix = if width >= 110 { " accessdesk · " } else { " " };
    let left_w = width.saturating_sub(who_w + start_w + 1);
    let left = format::truncate(&format!("{prefix}{project}"), left_w);
    let pad = width.saturating_sub(format::width(&left) + start_w + who_w);
    let line1 = Line::from(vec![
        Span::styled(left, t.title),
        Span::styled(format::truncate(&start, start_w), start_style),
        Span::raw(" ".repeat(pad)),
        Span::styled(format::truncate(&who, who_w), t.muted),
    ]);

    // Line 2: readiness gauge, blockers, my queue.
    let style = t.readiness(r.ratio, h.target);
    let gauge_w = if width >= 110 { 20 } else { 10 };
    let filled = ((r.ratio * gauge_w as f64).round() as usize).min(gauge_w);
    let (on, off) = t.gauge_symbols();
    let pct = (r.ratio * 100.0).floor() as u32;
    let gauge: Part = vec![
        Span::styled(" Ready ", t.normal),
        Span::styled("[", t.muted),
        Span::styled(on.repeat(filled), style),
        Span::styled(off.repeat(gauge_w - filled), t.muted),
        Span::styled("] ", t.muted),
        Span::styled(format!("{pct}%"), style),
        Span::styled(format!(" {}/{} ready", r.ready, r.required), t.normal),
    ];
    let target: Part = vec![Span::styled(
        format!("target {:.0}%", h.target * 100.0),
        t.muted,
    )];
    let blockers: Part = if s.open_blockers == 0 {
        vec![Span::styled("no blockers", t.ready)]
    } else {
        let oldest = s
            .oldest_blocker
            .map(|o| format!(" (oldest {})", format::age_since(o, look.now)))
            .unwrap_or_default();
        vec![Span::styled(
            format!("{}{oldest}", present::plural(s.open_blockers, "blocker")),
            t.blocked,
        )]
    };
    let queue: Part = vec![Span::styled(
        format!("my queue {}", h.queue),
        if h.queue == 0 { t.normal } else { t.pending },
    )];
    // Dropped from the right when narrow: the target first. While the items load,
    // blockers and the queue are not known yet: say so instead of a count.
    let loading = match (h.pending, h.deriving) {
        (Some(n), _) => Some(format!("loading {n} items…")),
        (None, true) => Some("counting blockers…".to_string()),
        (None, false) => None,
    };
    let parts = match loading {
        Some(words) => vec![gauge, vec![Span::styled(words, t.muted)], target],
        None => {
            let mut parts = vec![gauge, blockers, queue];
            if let Some(f) = &h.forecast {
                parts.push(vec![Span::styled(
                    format!("forecast: {}", clean(f)),
                    t.muted,
                )]);
            }
            parts.push(target);
            parts
        }
    };
    let line2 = fit_parts(parts, width, Span::styled(" │ ", t.muted));
    Paragraph::new(vec![line1, line2]).render(area, buf);
}

/// The rows of each pane, by `Pane::index`; `None` while the items load.
pub type TabCounts = Option<[usize; Pane::COUNT]>;

/// The tab labels, shared by drawing and mouse clicks: full titles when they fit
/// `width` (less the room the open detail view's id takes), short ones otherwise.
fn tabs(counts: &TabCounts, width: u16, detail: Option<&str>) -> Vec<(Pane, String)> {
    let id_room = detail.map_or(0, |id| format::width(id) + 3);
    let full_width = usize::from(width);
    let width = full_width.saturating_sub(id_room);
    // Narrower and narrower: full titles, short ones, short ones with counts in
    // thousands and no space before the separator, and at last the pane numbers with
    // their counts only.
    let labels = |level: u8| -> Vec<(Pane, String)> {
        Pane::ALL
            .iter()
            .map(|&p| {
                let n = match counts {
                    // The dashboard is a picture, not a list: no count.
                    _ if p == Pane::Dashboard => String::new(),
                    None => " …".to_string(),
                    Some(c) if level >= 2 && c[p.index()] >= 10_000 => {
                        format!(" {}k", c[p.index()] / 1000)
                    }
                    Some(c) => format!(" {}", c[p.index()]),
                };
                let label = match level {
                    0 => format!(" {} {}{n} ", p.number(), p.title()),
                    1 => format!(" {} {}{n} ", p.number(), p.short_title()),
                    // Tight: no space before the separator.
                    2 => format!(" {} {}{n}", p.number(), p.short_title()),
                    _ => format!(" {}{n} ", p.number()),
                };
                (p, label)
            })
            .collect()
    };
    // Labels and the separators between them.
    let needed = |l: &[(Pane, String)]| -> usize {
        l.iter().map(|(_, l)| format::width(l) + 1).sum::<usize>() - 1
    };
    // Titles matter more than the open detail view's id (its box names it too): when
    // no titled tier fits beside the id, the id gives its room up.
    (0..3)
        .map(labels)
        .find(|l| needed(l) <= width)
        .or_else(|| (0..3).map(labels).find(|l| needed(l) <= full_width))
        .unwrap_or_else(|| labels(3))
}

/// Which tab is at column `x` of a tab line `width` wide.
pub fn tab_at(counts: &TabCounts, width: u16, detail: Option<&str>, x: u16) -> Option<Pane> {
    let mut at = 0usize;
    for (p, label) in tabs(counts, width, detail) {
        let w = format::width(&label);
        if usize::from(x) >= at && usize::from(x) < at + w {
            return Some(p);
        }
        at += w + 1;
    }
    None
}

/// The tab line: each pane with its count, the active one marked; with the detail
/// view open (`detail` is its item id) no pane is active and the id follows.
pub fn render_tabs(
    look: &Look<'_>,
    counts: &TabCounts,
    pane: Pane,
    detail: Option<&str>,
    area: Rect,
    buf: &mut Buffer,
) {
    let t = look.theme;
    let mut spans = Vec::new();
    let active = if detail.is_some() { None } else { Some(pane) };
    for (i, (p, label)) in tabs(counts, area.width, detail).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("│", t.muted));
        }
        let style = if Some(p) == active {
            t.selected
        } else if detail.is_some() {
            t.muted
        } else {
            t.normal
        };
        spans.push(Span::styled(label, style));
    }
    if let Some(id) = detail {
        let used: usize = spans.iter().map(|s| s.width()).sum();
        // Only when it fits whole (the titles come first).
        if used + format::width(id) + 3 <= usize::from(area.width) {
            spans.push(Span::styled("│", t.muted));
            spans.push(Span::styled(format!(" {id} "), t.selected));
        }
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tab_line_fits_80_columns_with_six_digit_counts() {
        let counts: TabCounts = Some([100_000; Pane::ALL.len()]);
        let labels = tabs(&counts, 80, None);
        let width: usize = labels
            .iter()
            .map(|(_, l)| format::width(l) + 1)
            .sum::<usize>()
            - 1;
        assert!(width <= 80, "{labels:?}");
        assert!(
            labels.iter().any(|(_, l)| l.contains(" 5 100k"))
                && labels.iter().any(|(_, l)| l.contains(" 7 100k")),
            "{labels:?}"
        );
        // Counts of the demo's size keep the short titles (the dashboard has no count).
        let demo = tabs(&Some([39, 7, 15, 0, 11, 4, 0]), 80, None);
        assert!(
            demo.iter().any(|(_, l)| l == " 4 Dash ") && demo.iter().any(|(_, l)| l == " 7 Rev 0 "),
            "{demo:?}"
        );
        // Counts of a few hundred keep the short titles.
        let small = tabs(&Some([500; Pane::ALL.len()]), 80, None);
        assert!(
            small.iter().any(|(_, l)| l.contains("5 Task 500"))
                && small.iter().any(|(_, l)| l.contains("6 Exp 500")),
            "{small:?}"
        );
        // Wide enough: the full titles.
        assert!(
            tabs(&counts, 200, None)
                .iter()
                .any(|(_, l)| l.contains("6 Expiring"))
        );
    }
}
