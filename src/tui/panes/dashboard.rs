//! Pane `4`, the dashboard: readiness per project as bars against the target (with
//! each project's forecast), the readiness trend over the pilot window, the ages of
//! open blockers, and the median and p90 of each stage. At 80x24 each part takes a
//! few lines of text; on wider terminals the trend, the blocker ages and the stages get
//! their own boxes beside the projects. Bars and the sparkline are characters, so the
//! picture reads without colour.

use super::{pane_block, render_empty};
use crate::domain::forecast::{Stage, hours_text};
use crate::store::report::Measures;
use crate::store::report::forecast::StageSpreads;
use crate::tui::format;
use crate::tui::state::{DashboardData, Look, Pane};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Paragraph, Sparkline, Widget};

/// Wide enough for the boxes side by side.
const WIDE: u16 = 110;

/// The blocker-age buckets of the report, in order, with their labels.
const AGES: [(&str, &str); 4] = [
    ("under-1d", "<1d"),
    ("1d-3d", "1-3d"),
    ("3d-7d", "3-7d"),
    ("over-7d", ">7d"),
];

/// What the pane draws.
pub struct Dashboard<'a> {
    pub data: Option<&'a DashboardData>,
    /// The team's readiness target (0..1).
    pub target: f64,
}

/// The readiness percentage as the header shows it (rounded down).
pub fn percent(ratio: f64) -> u32 {
    (ratio * 100.0).floor() as u32
}

pub fn render(look: &Look<'_>, d: &Dashboard<'_>, area: Rect, buf: &mut Buffer) {
    let t = look.theme;
    let title = |extra: String| {
        Line::from(format!(
            " {} {}{extra} ",
            Pane::Dashboard.number(),
            Pane::Dashboard.title()
        ))
    };
    let Some(data) = d.data else {
        let block = pane_block(t, title(String::new()));
        return render_empty(area, buf, block, "reading the report…", t);
    };
    let block = pane_block(
        t,
        title(format!(
            " · target {:.0}% · trend {}d",
            d.target * 100.0,
            data.window_days
        )),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width >= WIDE && inner.height >= 20 {
        wide(t, data, d.target, inner, buf);
    } else {
        narrow(t, data, d.target, inner, buf);
    }
}

/// A bar of `width` cells: filled to `ratio`, the target marked with `|` where the
/// bar has not reached it.
fn bar(t: &Theme, ratio: f64, target: f64, width: usize) -> Vec<Span<'static>> {
    let (on, off) = t.gauge_symbols();
    let filled = ((ratio * width as f64).round() as usize).min(width);
    let mark = ((target * width as f64).round() as usize).min(width.saturating_sub(1));
    let style = t.readiness(ratio, target);
    let mut rest = String::new();
    for i in filled..width {
        rest.push_str(if i == mark { "|" } else { off });
    }
    vec![
        Span::styled("[", t.muted),
        Span::styled(on.repeat(filled), style),
        Span::styled(rest, t.muted),
        Span::styled("]", t.muted),
    ]
}

/// One project's line: key, bar, percentage, counts, forecast.
fn project_line(
    t: &Theme,
    m: &Measures,
    target: f64,
    key_w: usize,
    bar_w: usize,
    width: usize,
) -> Line<'static> {
    let key = m.key.clone().unwrap_or_else(|| "ALL".into());
    let mut spans = vec![Span::styled(
        format!("{:<key_w$} ", format::truncate(&format::clean(&key), key_w)),
        t.normal,
    )];
    spans.extend(bar(t, m.readiness_ratio, target, bar_w));
    let style = t.readiness(m.readiness_ratio, target);
    spans.push(Span::styled(
        format!(" {:>3}%", percent(m.readiness_ratio)),
        style,
    ));
    spans.push(Span::styled(
        format!(" {:>7}", format!("{}/{}", m.ready, m.required)),
        t.muted,
    ));
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let forecast = &m.outlook.forecast;
    let fstyle = match m.outlook.forecast_misses_start_by_days {
        Some(0) => t.ready,
        Some(_) => t.blocked,
        None => t.warning,
    };
    spans.push(Span::styled(
        format!(
            " {}",
            format::truncate(forecast, width.saturating_sub(used + 1))
        ),
        fstyle,
    ));
    Line::from(spans)
}

/// The projects' lines that fit in `rows`, the overall line last, "+N more" when cut.
fn project_lines(
    t: &Theme,
    data: &DashboardData,
    target: f64,
    width: usize,
    rows: usize,
) -> Vec<Line<'static>> {
    let r = &data.report;
    let key_w = r
        .projects
        .iter()
        .filter_map(|m| m.key.as_deref())
        .map(format::width)
        .max()
        .unwrap_or(3)
        .clamp(3, 10);
    let bar_w = if width >= 100 { 24 } else { 12 };
    let mut out = Vec::new();
    let overall = r.projects.len() != 1;
    let room = rows.saturating_sub(usize::from(overall));
    let shown = if r.projects.len() > room {
        room.saturating_sub(1)
    } else {
        r.projects.len()
    };
    for m in r.projects.iter().take(shown) {
        out.push(project_line(t, m, target, key_w, bar_w, width));
    }
    if shown < r.projects.len() {
        out.push(Line::from(Span::styled(
            format!(
                "  … {} more projects (p picks one)",
                r.projects.len() - shown
            ),
            t.muted,
        )));
    }
    if overall {
        out.push(project_line(t, &r.overall, target, key_w, bar_w, width));
    }
    out
}

/// The trend as one line of block characters, one per day (the last `width` days).
/// A day with nothing required yet is a blank.
fn spark_text(trend: &[(chrono::NaiveDate, Option<f64>)], width: usize) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let from = trend.len().saturating_sub(width);
    trend[from..]
        .iter()
        .map(|(_, r)| match r {
            Some(r) => LEVELS[((r.clamp(0.0, 1.0) * 7.0).round() as usize).min(7)],
            None => ' ',
        })
        .collect()
}

/// "12% on 01-19 → 30% today", from the first day anything was required.
fn trend_words(data: &DashboardData) -> String {
    let mut known = data.trend.iter().filter_map(|(d, r)| Some((d, (*r)?)));
    match (known.next(), data.trend.last()) {
        (Some((d0, first)), Some((_, Some(last)))) => format!(
            "{}% on {} → {}% today",
            percent(first),
            d0.format("%m-%d"),
            percent(*last)
        ),
        _ => "nothing required yet".to_string(),
    }
}

fn blocker_words(m: &Measures) -> String {
    let counts: Vec<String> = AGES
        .iter()
        .map(|(k, label)| {
            format!(
                "{label} {}",
                m.blocker_age_histogram.get(k).copied().unwrap_or(0)
            )
        })
        .collect();
    format!(
        "{} · median {} · max {}",
        counts.join(" · "),
        hours_text(m.blocker_age_hours_median),
        hours_text(m.blocker_age_hours_max)
    )
}

/// The blocking spells that ended in the period: how many and how long they lasted,
/// with the p90 where there is room (`full`).
fn closed_words(m: &Measures, full: bool) -> String {
    let c = &m.spells;
    if c.closed_spells == 0 {
        return "no spell ended in the period".to_string();
    }
    let mut parts = vec![
        format!("{} spells ended", c.closed_spells),
        format!("median {}", hours_text(c.closed_spell_hours_median)),
    ];
    if full {
        parts.push(format!("p90 {}", hours_text(c.closed_spell_hours_p90)));
    }
    parts.push(format!("max {}", hours_text(c.closed_spell_hours_max)));
    parts.join(if full { " · " } else { ", " })
}

fn stage_cell(s: &StageSpreads, stage: Stage) -> String {
    let sp = s.get(stage);
    match (sp.median_hours, sp.p90_hours) {
        (Some(m), Some(p)) => format!("{}/{}", hours_text(m), hours_text(p)),
        _ => "-".to_string(),
    }
}

/// The measures the lower parts describe: the one project in view, else all.
fn subject(data: &DashboardData) -> &Measures {
    match (&data.scope, data.report.projects.first()) {
        (Some(_), Some(m)) => m,
        _ => &data.report.overall,
    }
}

fn narrow(t: &Theme, data: &DashboardData, target: f64, area: Rect, buf: &mut Buffer) {
    let width = usize::from(area.width);
    let m = subject(data);
    let label = |s: &str| Span::styled(format!("{s:<9}"), t.title);
    let spark_w = width.saturating_sub(10 + 26).max(8);
    let mut tail = vec![
        Line::from(vec![
            label("Trend"),
            Span::styled(
                spark_text(&data.trend, spark_w),
                t.readiness(m.readiness_ratio, target),
            ),
            Span::styled(format!(" {}", trend_words(data)), t.muted),
        ]),
        Line::from(vec![
            label("Blockers"),
            Span::styled(blocker_words(m), t.normal),
        ]),
        Line::from(vec![
            label("Closed"),
            Span::styled(closed_words(m, true), t.normal),
        ]),
    ];
    let s = &m.outlook.stage_durations;
    let projects = data.report.projects.len() + usize::from(data.report.projects.len() != 1);
    let room = usize::from(area.height).saturating_sub(projects + 1 + tail.len());
    if room >= 5 {
        // Room for a line per stage, with the samples.
        tail.push(Line::from(Span::styled(
            "Stages: median / p90 (samples)",
            t.title,
        )));
        tail.extend(stage_lines(t, s));
        return finish_narrow(t, data, target, width, tail, area, buf);
    }
    let half = |a: Stage, b: Stage| {
        format!(
            "{} {} · {} {}",
            a.short(),
            stage_cell(s, a),
            b.short(),
            stage_cell(s, b)
        )
    };
    tail.push(Line::from(vec![
        label("Stages"),
        Span::styled(half(Stage::Submit, Stage::Approve), t.normal),
    ]));
    tail.push(Line::from(vec![
        Span::styled(format!("{:<9}", "med/p90"), t.muted),
        Span::styled(half(Stage::Grant, Stage::Verify), t.normal),
    ]));
    finish_narrow(t, data, target, width, tail, area, buf)
}

/// The projects above, then `tail`.
fn finish_narrow(
    t: &Theme,
    data: &DashboardData,
    target: f64,
    width: usize,
    tail: Vec<Line<'static>>,
    area: Rect,
    buf: &mut Buffer,
) {
    let rows = usize::from(area.height).saturating_sub(tail.len() + 1);
    let mut lines = project_lines(t, data, target, width, rows);
    lines.push(Line::default());
    lines.extend(tail);
    Paragraph::new(lines).render(area, buf);
}

/// A line per stage: its name, median/p90 and samples.
fn stage_lines(t: &Theme, s: &StageSpreads) -> Vec<Line<'static>> {
    Stage::ALL
        .iter()
        .map(|&st| {
            Line::from(vec![
                Span::styled(format!("{:<22}", st.label()), t.normal),
                Span::styled(format!("{:>16}", stage_cell(s, st)), t.title),
                Span::styled(format!("  ({})", s.get(st).samples), t.muted),
            ])
        })
        .collect()
}

/// A line per system: each stage's median, for the systems the report covers.
fn system_lines(t: &Theme, m: &Measures, width: usize) -> Vec<Line<'static>> {
    let name_w = 16;
    m.outlook
        .stage_durations_by_system
        .iter()
        .map(|(name, s)| {
            let cells: Vec<String> = Stage::ALL
                .iter()
                .map(|&st| {
                    let med = s.get(st).median_hours.map_or("-".to_string(), hours_text);
                    format!("{} {med}", st.short())
                })
                .collect();
            let text = format!(
                "{:<name_w$} {}",
                format::truncate(&format::clean(name), name_w),
                cells.join(" · ")
            );
            Line::from(Span::styled(format::truncate(&text, width), t.normal))
        })
        .collect()
}

fn boxed<'a>(t: &Theme, title: String) -> Block<'a> {
    Block::bordered()
        .title(title)
        .border_style(t.muted)
        .title_style(t.title)
}

fn wide(t: &Theme, data: &DashboardData, target: f64, area: Rect, buf: &mut Buffer) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
    let m = subject(data);
    // Left: the projects against the target.
    let head = Line::from(Span::styled(
        format!(
            "Readiness by project (target {:.0}%) and forecast",
            target * 100.0
        ),
        t.title,
    ));
    let mut lines = vec![head];
    lines.extend(project_lines(
        t,
        data,
        target,
        usize::from(left.width.saturating_sub(1)),
        usize::from(left.height).saturating_sub(1),
    ));
    Paragraph::new(lines).render(left, buf);
    // Right: trend, blocker ages, stages.
    let [trend_a, ages_a, stages_a, systems_a] = Layout::vertical([
        Constraint::Length(6),
        Constraint::Length(9),
        Constraint::Length(6),
        Constraint::Min(3),
    ])
    .areas(right);
    let block = boxed(
        t,
        format!(
            " Readiness, last {}d: {} ",
            data.window_days,
            trend_words(data)
        ),
    );
    let inner = block.inner(trend_a);
    block.render(trend_a, buf);
    let values: Vec<Option<u64>> = data
        .trend
        .iter()
        .rev()
        .take(usize::from(inner.width))
        .rev()
        .map(|(_, r)| r.map(|r| (r.clamp(0.0, 1.0) * 100.0).round() as u64))
        .collect();
    Sparkline::default()
        .data(&values)
        .max(100)
        .style(t.readiness(m.readiness_ratio, target))
        .render(inner, buf);
    let block = boxed(
        t,
        format!(
            " Open blockers by age: median {}, max {} ",
            hours_text(m.blocker_age_hours_median),
            hours_text(m.blocker_age_hours_max)
        ),
    )
    .title_bottom(format!(" Closed: {} ", closed_words(m, false)));
    let bars: Vec<Bar> = AGES
        .iter()
        .map(|(k, label)| {
            let n = m.blocker_age_histogram.get(k).copied().unwrap_or(0);
            Bar::default()
                .value(n as u64)
                .label(Line::from(*label))
                .text_value(n.to_string())
                .style(if *k == "over-7d" {
                    t.blocked
                } else {
                    t.warning
                })
                .value_style(t.selected)
        })
        .collect();
    BarChart::default()
        .block(block)
        .data(BarGroup::default().bars(&bars))
        .bar_width(6)
        .bar_gap(2)
        .label_style(t.muted)
        .render(ages_a, buf);
    let block = boxed(
        t,
        " Where the time goes: median / p90 (samples) ".to_string(),
    );
    let inner = block.inner(stages_a);
    block.render(stages_a, buf);
    Paragraph::new(stage_lines(t, &m.outlook.stage_durations)).render(inner, buf);
    let block = boxed(t, " Median of each stage by system ".to_string());
    let inner = block.inner(systems_a);
    block.render(systems_a, buf);
    let by_system = system_lines(t, &data.report.overall, usize::from(inner.width));
    Paragraph::new(by_system).render(inner, buf);
}
