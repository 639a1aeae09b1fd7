//! The detail view of one item: every field, the approvals given and still needed,
//! why it blocks, the tasks it holds up, the collection instruction to send to the
//! credential owner, and its history from the event log.
//!
//! The lines are built for a given width (long values wrapped here), so the app can
//! count them for scrolling with the same function the screen uses.

use super::{badges, pane_block, state_style};
use crate::domain::{Capacity, Item, Project, blockers};
use crate::store::{Event, ItemView};
use crate::tui::app::{App, Detail, event_time};
use crate::tui::format::{self, clean};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

const LABEL: usize = 18;

/// The instruction to send to the credential owner: what to grant, to whom, by which
/// safe method, until when. It never asks for a password. `None` until a safe method
/// is chosen.
pub fn instruction(item: &Item, project: Option<&Project>) -> Option<String> {
    let f = &item.fields;
    let method = f.method?;
    let owner = clean(f.credential_owner.trim()).into_owned();
    let greeting = if owner.is_empty() {
        "Hello,".to_string()
    } else {
        format!("Hello {owner},")
    };
    let holder = f
        .holder
        .as_deref()
        .filter(|h| !h.trim().is_empty())
        .map(|h| clean(h).into_owned())
        .unwrap_or_else(|| "our implementation team".to_string());
    let project_text = project
        .map(|p| format!("project {} ({})", p.key, clean(&p.name)))
        .unwrap_or_else(|| format!("project {}", item.project));
    let until = match (f.temporary, f.expires) {
        (true, Some(d)) => format!(
            "{} — the access is temporary and must be removed then{}",
            d.format("%Y-%m-%d"),
            match f.deprovision {
                Some(crate::domain::Deprovision::AtProjectEnd) => " or at the end of the project",
                _ => "",
            }
        ),
        _ => "the end of the project, or until we ask for its removal; it is reviewed periodically"
            .to_string(),
    };
    let purpose = if f.purpose.trim().is_empty() {
        String::new()
    } else {
        format!(", for: {}", clean(f.purpose.trim()))
    };
    Some(format!(
        "{greeting}\nfor {project_text}, please grant {holder} the role \"{}\" on {}{purpose}.\nHow: {}.\nUntil: {until}.\nPlease never send a password or any other credential by email, chat or a form: nobody from our side will ask you for one. Reply when it is done so we can verify the access ({}).",
        clean(f.role.trim()),
        clean(f.system.trim()),
        method.instruction(),
        item.id(),
    ))
}

/// A one-line summary of an event's payload for the history.
fn summary(e: &Event) -> String {
    let p = &e.payload;
    let mut parts: Vec<String> = Vec::new();
    match (p["from"].as_str(), p["to"].as_str()) {
        (Some(f), Some(t)) => parts.push(format!("{f} → {t}")),
        (None, Some(t)) => parts.push(format!("→ {t}")),
        _ => {}
    }
    if let Some(c) = p["capacity"].as_str() {
        parts.push(format!("as {c}"));
    }
    if let Some(m) = p["method"].as_str() {
        parts.push(format!("method {m}"));
    }
    for key in ["reason", "conditions", "note"] {
        if let Some(s) = p[key].as_str().filter(|s| !s.is_empty()) {
            parts.push(format!("{key}: {s}"));
        }
    }
    if let Some(changed) = p["changed"].as_array() {
        let names: Vec<&str> = changed.iter().filter_map(|v| v.as_str()).collect();
        parts.push(format!("changed {}", names.join(", ")));
    }
    if p["approvals_lapsed"].is_array() {
        parts.push("approvals lapsed".into());
    }
    if let Some(s) = p["still_needed"].as_array().filter(|a| !a.is_empty()) {
        let names: Vec<&str> = s.iter().filter_map(|v| v.as_str()).collect();
        parts.push(format!("still needed: {}", names.join(", ")));
    }
    if e.kind == "unsafe-attempt" {
        parts.push(format!(
            "credential refused in {} ({})",
            p["field"].as_str().unwrap_or("?"),
            p["detector"].as_str().unwrap_or("?")
        ));
    }
    parts.join(" · ")
}

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

/// The detail view's lines: one column, or (left, right) on wide terminals.
pub enum Columns {
    One(Vec<Line<'static>>),
    Two(Vec<Line<'static>>, Vec<Line<'static>>),
}

impl Columns {
    /// Lines to scroll through.
    pub fn len(&self) -> usize {
        match self {
            Columns::One(l) => l.len(),
            Columns::Two(a, b) => a.len().max(b.len()),
        }
    }
}

/// The detail view of `v` laid out for an inner width of `width`.
pub fn columns(app: &App, v: &ItemView, d: &Detail, width: u16) -> Columns {
    if width >= TWO_COLUMNS {
        let w = (width - 1) / 2;
        let [fields, blocking, approvals, instruction, history] = sections(app, v, d, w);
        let left = [fields, approvals, instruction].concat();
        let right = [blocking, history].concat();
        Columns::Two(left, right)
    } else {
        Columns::One(sections(app, v, d, width).concat())
    }
}

/// The sections of the detail view at `width` columns: the fields, blocking and
/// tasks, approvals, the collection instruction, the history.
fn sections(app: &App, v: &ItemView, d: &Detail, width: u16) -> [Vec<Line<'static>>; 5] {
    let t = &app.theme;
    let it = &v.item;
    let f = &it.fields;
    let project = app.project_of(it);
    let mut b = Builder {
        width: usize::from(width),
        lines: Vec::new(),
    };
    let mut head = vec![
        Span::styled(format!("{} ", it.id()), t.title),
        Span::styled(format!("{} ", clean(&f.system)), t.normal),
        Span::styled(it.state.as_str().to_string(), state_style(app, it.state)),
    ];
    let badges = badges(it);
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
    let access = match (f.temporary, f.expires) {
        (true, Some(d)) => format!(
            "temporary until {}, deprovision {}",
            d.format("%Y-%m-%d"),
            f.deprovision.map(|d| d.as_str()).unwrap_or("on-date")
        ),
        (true, None) => "temporary, no expiry yet".to_string(),
        _ => "permanent".to_string(),
    };
    b.field("Access", &access, l, n);
    let flags: Vec<&str> = it.flags().iter().map(|f| f.as_str()).collect();
    b.field(
        "Flags",
        &or_dash(&flags.join(", ")),
        l,
        if flags.is_empty() { m } else { t.privileged },
    );
    if let Some(e) = &f.exception {
        b.field(
            "Exception",
            &format!(
                "{} (owner {}, until {})",
                e.reason,
                e.owner.as_deref().unwrap_or("?"),
                format::date(e.expires)
            ),
            l,
            t.privileged,
        );
    }
    let nb = project.map(|p| blockers::needed_by(it, p));
    b.field(
        "Needed by",
        &match (f.needed_by, nb) {
            (Some(d), _) => d.format("%Y-%m-%d").to_string(),
            (None, Some(d)) => format!("{} (project start)", d.format("%Y-%m-%d")),
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
            format::local_time(it.state_since, app.tz),
            it.version
        ),
        l,
        state_style(app, it.state),
    );
    if let Some(gm) = it.granted_method {
        b.field("Granted with", gm.as_str(), l, n);
    }
    if it.emergency {
        let retro = it
            .retro_due
            .map(|d| format!("; retrospective due {}", format::local_time(d, app.tz)))
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
            .map(|s| format::age_since(s, app.now))
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
            &format!("not blocking; next: {}", blockers::waiting_on(it)),
            2,
            t.ready,
        );
    }
    let tasks = app
        .tasks_by_item
        .get(&it.id())
        .map(|t| t.join(", "))
        .unwrap_or_default();
    b.field("Tasks needing it", &or_dash(&tasks), l, n);
    b.blank();
    let blocking = std::mem::take(&mut b.lines);

    b.heading("Approvals", t.title);
    if it.approvals.is_empty() {
        b.text("none in this round", 2, m);
    }
    for a in &it.approvals {
        let cond = a
            .conditions
            .as_deref()
            .map(|c| format!(" — conditions: {c}"))
            .unwrap_or_default();
        b.text(
            &format!(
                "✓ {} as {} at {}{cond}",
                a.login,
                a.capacity,
                format::local_time(a.at, app.tz)
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
    b.blank();
    let approvals = std::mem::take(&mut b.lines);

    b.heading("Collection instruction for the credential owner", t.title);
    match instruction(it, project) {
        Some(text) => b.text(&text, 2, n),
        None => b.text(
            "Choose a safe collection method first (e to edit); the instruction follows from it.",
            2,
            t.warning,
        ),
    }
    b.blank();
    let instruction_lines = std::mem::take(&mut b.lines);

    b.heading(&format!("History ({} events)", d.history.len()), t.title);
    for e in &d.history {
        let s = summary(e);
        let line = format!(
            "{}  {}  {}{}",
            event_time(e, app.tz),
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

pub fn render(app: &App, d: &Detail, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let block = pane_block(
        app,
        Line::from(vec![
            Span::styled(format!(" {} ", d.id), theme.title),
            Span::styled("details · Esc back ", theme.muted),
        ]),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(v) = app.view(d.rowid) else { return };
    let cols = columns(app, v, d, inner.width);
    let height = usize::from(inner.height);
    let total = cols.len();
    let scroll = d.scroll.min(total.saturating_sub(height));
    let window = |l: Vec<Line<'static>>| -> Vec<Line<'static>> {
        l.into_iter().skip(scroll).take(height).collect()
    };
    match cols {
        Columns::One(all) => Paragraph::new(window(all)).render(inner, buf),
        Columns::Two(left, right) => {
            let w = (inner.width - 1) / 2;
            Paragraph::new(window(left)).render(Rect { width: w, ..inner }, buf);
            let x = inner.x + w + 1;
            Paragraph::new(window(right)).render(
                Rect {
                    x,
                    width: inner.width - w - 1,
                    ..inner
                },
                buf,
            );
        }
    }
    crate::tui::widgets::scroll_marker(area, buf, (scroll, height, total), "lines ", theme.muted);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ItemFields, Method, State};

    fn item(method: Option<Method>) -> Item {
        let t = "2026-03-01T09:00:00Z".parse().unwrap();
        Item {
            state: State::Approved,
            ..Item::new(
                "ACME",
                3,
                ItemFields {
                    system: "Analytics".into(),
                    purpose: "tracking".into(),
                    role: "Editor".into(),
                    holder: Some("Northwind team".into()),
                    credential_owner: "Dana\u{1b}[31m".into(),
                    approver: "alice".into(),
                    method,
                    ..ItemFields::default()
                },
                "carol",
                t,
            )
        }
    }

    #[test]
    fn instruction_says_what_to_whom_how_and_never_asks_for_a_password() {
        assert_eq!(instruction(&item(None), None), None);
        for m in Method::ALL {
            let text = instruction(&item(Some(*m)), None).unwrap();
            assert!(text.contains(m.instruction()), "{text}");
            assert!(text.contains("\"Editor\" on Analytics") && text.contains("Northwind team"));
            assert!(text.contains("never send a password"));
            // Stored text reaches the screen neutralised.
            assert!(!text.contains('\u{1b}'));
        }
    }
}
