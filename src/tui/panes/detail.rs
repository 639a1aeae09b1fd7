//! The detail view of one item: every field, the approvals given and still needed,
//! why it blocks, the tasks it holds up, its nudge (the message `y` copies), the
//! collection instruction to send to the credential owner, and its history from the
//! event log.
//!
//! The lines are built for a given width (long values wrapped here), so the app can
//! count them for scrolling with the same function the screen uses.

use super::{badges, pane_block, state_style};
use crate::domain::{Capacity, Project, blockers};
use crate::present;
use crate::store::ItemView;
use crate::tui::format::{self, clean, clean_block};
use crate::tui::state::{Detail, Look};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

const LABEL: usize = 18;

struct Builder {
    width: usize,
    lines: Vec<Line<'static>>,
}

impl Builder {
    fn blank(&mut self) {
        self.lines.push(Line::default());
    }

    fn heading(&mut self, text: &str, style: Style) {
        self.lines
            .push(Line::from(Span::styled(text.to_string(), style)));
    }

    /// A labelled value, wrapped in the value column.
    fn field(&mut self, label: &str, value: &str, label_style: Style, style: Style) {
        let room = self.width.saturating_sub(LABEL + 2).max(10);
        for (i, part) in format::wrap(&format::clean_block(value), room)
            .into_iter()
            .enumerate()
        {
            let label = if i == 0 {
                format!("  {label:<w$}", w = LABEL)
            } else {
                " ".repeat(LABEL + 2)
            };
            self.lines.push(Line::from(vec![
                Span::styled(label, label_style),
                Span::styled(part, style),
            ]));
        }
    }

    /// Free text indented by `indent`, wrapped.
    fn text(&mut self, text: &str, indent: usize, style: Style) {
        let room = self.width.saturating_sub(indent).max(10);
        for part in format::wrap(&format::clean_block(text), room) {
            self.lines.push(Line::from(Span::styled(
                format!("{}{part}", " ".repeat(indent)),
                style,
            )));
        }
    }
}

/// From this inner width on, the detail view shows two columns: the item on the left,
/// its blockers and history on the right.
pub const TWO_COLUMNS: u16 = 120;

/// The detail view's lines: one column, or (left, right) on wide terminals with the
/// nudge below them at full width, so it can be selected by hand line by line.
pub enum Columns {
    One(Vec<Line<'static>>),
    Two(Vec<Line<'static>>, Vec<Line<'static>>, Vec<Line<'static>>),
}

impl Columns {
    /// Lines to scroll through.
    pub fn len(&self) -> usize {
        match self {
            Columns::One(l) => l.len(),
            Columns::Two(a, b, below) => a.len().max(b.len()) + below.len(),
        }
    }
}

/// The item the detail view shows, with its project and the tasks it holds up.
#[derive(Clone, Copy)]
pub struct Subject<'a> {
    pub v: &'a ItemView,
    pub project: Option<&'a Project>,
    pub tasks: &'a [String],
    /// The people registered (the nudge names who may review an access).
    pub people: &'a [crate::domain::Person],
    /// The forecast of the item's project, when the dashboard knows it.
    pub forecast: Option<&'a str>,
}

/// The item's stage durations, from the timeline its row keeps (see `domain::forecast`).
fn stages_text(tl: &crate::domain::forecast::Timeline) -> String {
    use crate::domain::forecast::{Stage, hours_text};
    Stage::ALL
        .map(|s| {
            let h = tl.hours(s).map_or_else(|| "-".to_string(), hours_text);
            format!("{} {h}", s.short())
        })
        .join(" · ")
}

/// The detail view laid out for an inner width of `width`.
pub fn columns(look: &Look<'_>, s: Subject<'_>, d: &Detail, width: u16) -> Columns {
    if width >= TWO_COLUMNS {
        let w = (width - 1) / 2;
        let [fields, blocking, approvals, instruction, history] = sections(look, s, d, w);
        let left = [fields, approvals, instruction].concat();
        let right = [blocking, history].concat();
        Columns::Two(left, right, nudge_section(look, s, width))
    } else {
        let [fields, blocking, approvals, instruction, history] = sections(look, s, d, width);
        let nudge = nudge_section(look, s, width);
        Columns::One([fields, blocking, nudge, approvals, instruction, history].concat())
    }
}

/// The sections of the detail view at `width` columns: the fields, blocking and
/// tasks, approvals, the collection instruction, the history.
fn sections(look: &Look<'_>, s: Subject<'_>, d: &Detail, width: u16) -> [Vec<Line<'static>>; 5] {
    let Subject {
        v,
        project,
        tasks,
        forecast,
        ..
    } = s;
    let t = look.theme;
    let it = &v.item;
    let f = &it.fields;
    let mut b = Builder {
        width: usize::from(width),
        lines: Vec::new(),
    };
    let mut head = vec![
        Span::styled(format!("{} ", it.id()), t.title),
        Span::styled(format!("{} ", clean(&f.system)), t.normal),
        Span::styled(it.state.as_str().to_string(), state_style(t, it.state)),
    ];
    let badges = badges(it.flags());
    if !badges.is_empty() {
        head.push(Span::styled(format!("  {badges}"), t.privileged));
    }
    if v.blocking() {
        head.push(Span::styled("  BLOCKING", t.blocked));
    }
    b.lines.push(Line::from(head));
    b.blank();

    let (l, n, m) = (t.muted, t.normal, t.muted);
    let or_dash = |s: &str| {
        if s.trim().is_empty() {
            "—".to_string()
        } else {
            s.to_string()
        }
    };
    b.field(
        "Project",
        &project
            .map(|p| format!("{} — {} ({})", p.key, p.name, p.client))
            .unwrap_or_else(|| it.project.clone()),
        l,
        n,
    );
    if let Some(words) = forecast {
        b.field("Project forecast", words, l, n);
    }
    b.field("System", &or_dash(&f.system), l, n);
    b.field("Purpose", &or_dash(&f.purpose), l, n);
    b.field(
        "Requested role",
        &or_dash(&f.role),
        l,
        if f.privileged { t.privileged } else { n },
    );
    b.field(
        "Access holder",
        &or_dash(f.holder.as_deref().unwrap_or("")),
        l,
        n,
    );
    b.field("Credential owner", &or_dash(&f.credential_owner), l, n);
    b.field("Approval owner", &or_dash(&f.approver), l, n);
    b.field("Requester", &it.requester, l, n);
    b.field(
        "Method",
        &f.method
            .map(|m| m.to_string())
            .unwrap_or_else(|| "— (choose a safe method)".into()),
        l,
        n,
    );
    b.field("Access", &present::access_text(f), l, n);
    if let Some(x) = present::expiry::pending_text(it) {
        b.field("Extension", &x, l, t.pending);
    }
    let flags: Vec<&str> = it.flags().iter().map(|f| f.as_str()).collect();
    b.field(
        "Flags",
        &or_dash(&flags.join(", ")),
        l,
        if flags.is_empty() { m } else { t.privileged },
    );
    if let Some(e) = &f.exception {
        b.field("Exception", &present::exception_text(e), l, t.privileged);
    }
    let nb = project.map(|p| blockers::needed_by(it, p));
    b.field(
        "Needed by",
        &match (f.needed_by, nb) {
            (Some(d), _) => format::date(Some(d)),
            (None, Some(d)) => format!("{} (project start)", format::date(Some(d))),
            _ => "—".into(),
        },
        l,
        n,
    );
    b.field(
        "State",
        &format!(
            "{} since {} (version {})",
            it.state,
            format::local_time(it.state_since, look.tz),
            it.version
        ),
        l,
        state_style(t, it.state),
    );
    b.field("Stages", &stages_text(&d.timeline), l, n);
    if let Some(gm) = it.granted_method {
        b.field("Granted with", gm.as_str(), l, n);
    }
    if it.emergency {
        let retro = it
            .retro_due
            .map(|d| format!("; retrospective due {}", format::local_time(d, look.tz)))
            .unwrap_or_else(|| "; retrospective closed".into());
        b.field(
            "Emergency",
            &format!(
                "break-glass by {}{retro}",
                it.emergency_by.as_deref().unwrap_or("?")
            ),
            l,
            t.blocked,
        );
    }
    if let Some(r) = &it.last_reason {
        b.field("Last reason", r, l, t.warning);
    }
    if let Some(r) = &it.manual_block {
        b.field("Manual blocker", r, l, t.blocked);
    }
    b.field("Notes", &or_dash(&f.notes), l, n);
    b.blank();
    let fields = std::mem::take(&mut b.lines);

    b.heading("Blocking", t.title);
    if v.blocking() {
        let age = v
            .blocked_since
            .map(|s| format::age_since(s, look.now))
            .unwrap_or_default();
        b.text(
            &format!("for {age}, waiting on {}", blockers::waiting_on(it)),
            2,
            t.blocked,
        );
        for r in &v.reasons {
            b.text(&format!("- {r}"), 4, n);
        }
    } else {
        b.text(
            &format!("not blocking; next: {}", blockers::next_step(it)),
            2,
            t.ready,
        );
    }
    let tasks = tasks.join(", ");
    b.field("Tasks needing it", &or_dash(&tasks), l, n);
    b.blank();
    let blocking = std::mem::take(&mut b.lines);

    b.heading("Approvals", t.title);
    if it.approvals.is_empty() {
        b.text("none in this round", 2, m);
    }
    for a in &it.approvals {
        let mut said: Vec<String> = a.conditions.iter().cloned().collect();
        said.extend(a.terms.iter().flat_map(|t| t.describe()));
        let cond = if said.is_empty() {
            String::new()
        } else {
            format!(" — conditions: {}", said.join("; "))
        };
        b.text(
            &format!(
                "✓ {} as {} at {}{cond}",
                a.login,
                a.capacity,
                format::local_time(a.at, look.tz)
            ),
            2,
            t.ready,
        );
    }
    let missing = it.missing_approvals();
    if !missing.is_empty() && !it.state.is_terminal() {
        let names: Vec<String> = missing
            .iter()
            .map(|c| match c {
                Capacity::Owner => format!("approval owner ({})", or_dash(&f.approver)),
                Capacity::Security => "a security person (flagged for review)".to_string(),
            })
            .collect();
        b.text(
            &format!("still needed: {}", names.join(" + ")),
            2,
            t.pending,
        );
    }
    for d in &it.delegates {
        b.text(
            &format!("{} decision handed from {} to {}", d.capacity, d.from, d.to),
            2,
            m,
        );
    }
    if let Some(by) = &it.granted_by {
        b.text(&format!("granted by {by} (someone else verifies)"), 2, m);
    }
    if let Some(r) = &it.verify_reference {
        b.text(&format!("verification recorded at {r}"), 2, m);
    }
    b.blank();
    let approvals = std::mem::take(&mut b.lines);

    b.heading("Collection instruction for the credential owner", t.title);
    // Exactly the domain's instruction, the one `item show` prints too.
    match project {
        Some(p) => b.text(&clean_block(&it.collection_instruction(p)), 2, n),
        None => b.text("The item's project is not loaded.", 2, t.warning),
    }
    b.blank();
    let instruction_lines = std::mem::take(&mut b.lines);

    b.heading(&format!("History ({} events)", d.history.len()), t.title);
    for e in &d.history {
        let s = present::event_summary(e);
        let line = format!(
            "{}  {}  {}{}",
            e.at_utc()
                .map(|at| format::local_time(at, look.tz))
                .unwrap_or_else(|| e.at.clone()),
            e.login,
            e.kind,
            if s.is_empty() {
                String::new()
            } else {
                format!("  {s}")
            }
        );
        b.text(&line, 2, n);
    }
    [fields, blocking, approvals, instruction_lines, b.lines]
}

/// The item's nudge (the one `y` copies) as plain lines, so it can be selected by hand.
fn nudge_section(look: &Look<'_>, s: Subject<'_>, width: u16) -> Vec<Line<'static>> {
    let t = look.theme;
    let mut b = Builder {
        width: usize::from(width),
        lines: Vec::new(),
    };
    b.heading("Nudge (y copies it)", t.title);
    match s
        .project
        .and_then(|p| present::nudge(s.v, p, s.people, look.now))
    {
        Some(nudge) => {
            for line in nudge.text().lines() {
                b.text(line, 2, t.normal);
            }
        }
        None => b.text("nothing waits on anyone: no nudge", 2, t.muted),
    }
    b.blank();
    b.lines
}

/// Draws the detail view (its item may have vanished meanwhile: `None`).
pub fn render(look: &Look<'_>, s: Option<Subject<'_>>, d: &Detail, area: Rect, buf: &mut Buffer) {
    let theme = look.theme;
    let block = pane_block(
        theme,
        Line::from(vec![
            Span::styled(format!(" {} ", d.id), theme.title),
            Span::styled("details · Esc back ", theme.muted),
        ]),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(s) = s else { return };
    let cols = columns(look, s, d, inner.width);
    let height = usize::from(inner.height);
    let total = cols.len();
    let scroll = d.scroll.min(total.saturating_sub(height));
    let window = |l: Vec<Line<'static>>| -> Vec<Line<'static>> {
        l.into_iter().skip(scroll).take(height).collect()
    };
    match cols {
        Columns::One(all) => Paragraph::new(window(all)).render(inner, buf),
        Columns::Two(left, right, below) => {
            // The columns, then (once scrolled to) the full-width lines below them.
            let top = left.len().max(right.len());
            let top_rows = top.saturating_sub(scroll).min(height);
            let upper = Rect {
                height: u16::try_from(top_rows).unwrap_or(inner.height),
                ..inner
            };
            let w = (inner.width - 1) / 2;
            Paragraph::new(window(left)).render(Rect { width: w, ..upper }, buf);
            let x = inner.x + w + 1;
            Paragraph::new(window(right)).render(
                Rect {
                    x,
                    width: inner.width - w - 1,
                    ..upper
                },
                buf,
            );
            let lower = Rect {
                y: inner.y + upper.height,
                height: inner.height - upper.height,
                ..inner
            };
            let skip = scroll.saturating_sub(top);
            let rest: Vec<Line<'static>> = below.into_iter().skip(skip).take(height).collect();
            Paragraph::new(rest).render(lower, buf);
        }
    }
    crate::tui::widgets::scroll_marker(area, buf, (scroll, height, total), "lines ", theme.muted);
}
