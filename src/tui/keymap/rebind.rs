//! Key bindings from the personal configuration, laid over the one key table. A row
//! of the table is named by its action (`approve`, `deny`, `show-pane-tracker`, ...)
//! and a context by its pane (`tracker`, `queue`, ...); a binding replaces the row's
//! keys there, so the old key stops working and the footer and help show the new one.
//! A key already bound in that context is a conflict, reported with the line, and
//! that binding is not applied.

use super::{Binding, Ctx, Key, TABLE};
use crate::config::{KeySpec, Problem};
use crate::tui::msg::Msg;
use crossterm::event::KeyCode;

/// The replaced keys of one table row in one context.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Override {
    row: usize,
    ctx: Ctx,
    keys: Vec<Key>,
    shown: String,
}

/// Every replaced binding (empty without a configuration).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    rows: Vec<Override>,
}

impl Overrides {
    fn find(&self, row: usize, ctx: Ctx) -> Option<&Override> {
        self.rows.iter().find(|o| o.row == row && o.ctx == ctx)
    }

    /// The keys of table row `row` in `ctx`, when the configuration replaced them.
    pub fn keys(&self, row: usize, ctx: Ctx) -> Option<&[Key]> {
        self.find(row, ctx).map(|o| o.keys.as_slice())
    }

    /// How a row's keys are written in `ctx`.
    pub fn shown<'a>(&'a self, b: &'static Binding, ctx: Ctx) -> &'a str {
        if self.rows.is_empty() {
            return b.shown;
        }
        row_of(b)
            .and_then(|r| self.find(r, ctx))
            .map_or(b.shown, |o| o.shown.as_str())
    }

    /// Whether a row has no key left in `ctx` (bound to `[]`).
    pub fn unbound(&self, b: &'static Binding, ctx: Ctx) -> bool {
        !self.rows.is_empty()
            && row_of(b)
                .and_then(|r| self.find(r, ctx))
                .is_some_and(|o| o.keys.is_empty())
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

fn row_of(b: &'static Binding) -> Option<usize> {
    TABLE.iter().position(|x| std::ptr::eq(x, b))
}

/// `CamelCase(Inner)` → `camel-case-inner`.
fn kebab(debug: &str) -> String {
    let mut out = String::new();
    for c in debug.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The name of a table row's action in the configuration: a move is its own name
/// (`approve`, `submit`); anything else is its message in kebab case
/// (`show-pane-tracker`, `toggle-help`, `cycle-sort`).
pub fn action_name(msg: &Msg) -> String {
    match msg {
        Msg::Act(kind) => kebab(&format!("{kind:?}")),
        Msg::ApproveWithConditions => "approve-with-conditions".into(),
        Msg::ReviewCampaign(n) if *n > 0 => "next-review".into(),
        Msg::ReviewCampaign(_) => "prev-review".into(),
        other => kebab(&format!("{other:?}")),
    }
}

/// The name of a context in the configuration (`tracker`, `queue`, `detail`, ...).
pub fn ctx_name(ctx: Ctx) -> String {
    kebab(&format!("{ctx:?}"))
}

/// Every context some row of the table works in.
fn contexts() -> Vec<Ctx> {
    let mut all: Vec<Ctx> = Vec::new();
    for c in TABLE.iter().flat_map(|b| b.ctx.iter().copied()) {
        if !all.contains(&c) {
            all.push(c);
        }
    }
    all
}

/// Every context a row works in, and every action name (for `config show`).
pub fn actions() -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for b in TABLE.iter().filter(|b| !b.keys.is_empty()) {
        let name = action_name(&b.msg);
        let ctxs: Vec<String> = b.ctx.iter().map(|c| ctx_name(*c)).collect();
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, c)) => c.extend(ctxs),
            None => out.push((name, ctxs)),
        }
    }
    for (_, c) in &mut out {
        c.sort();
        c.dedup();
    }
    out
}

/// Reads a key as the configuration writes it: `A`, `C-a`, `Enter`, `S-Tab`, `F5`.
pub fn parse_key(s: &str) -> Result<(Key, String), String> {
    let t = s.trim();
    let (ctrl, rest) = match t.strip_prefix("C-").or_else(|| t.strip_prefix("ctrl-")) {
        Some(r) if !r.is_empty() => (true, r),
        _ => (false, t),
    };
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) if !c.is_control() => {
            KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
        }
        _ => match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "s-tab" | "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" => KeyCode::Insert,
            f if f.starts_with('f')
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
            {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                return Err(format!(
                    "'{s}' is not a key; write a character (\"A\"), C-x for Ctrl, or a name such as Enter, Esc, Tab, Space, Up, PgDn, F5"
                ));
            }
        },
    };
    let shown = match code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) if ctrl => format!("C-{c}"),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::BackTab => "S-Tab".to_string(),
        KeyCode::PageUp => "PgUp".to_string(),
        KeyCode::PageDown => "PgDn".to_string(),
        other if ctrl => format!("C-{other}"),
        other => other.to_string(),
    };
    Ok((Key { code, ctrl }, shown))
}

fn clashes(a: &Key, b: &Key) -> bool {
    let ev = crossterm::event::KeyEvent::new(
        b.code,
        if b.ctrl {
            crossterm::event::KeyModifiers::CONTROL
        } else {
            crossterm::event::KeyModifiers::NONE
        },
    );
    a == b || a.matches(&ev)
}

/// One binding of the file: the table rows and contexts it replaces, and its keys
/// with how they are written.
type Wanted<'a> = (&'a KeySpec, Vec<(usize, Ctx)>, Vec<(Key, String)>);

/// Lays the configuration's bindings over the key table. Returns the overrides and
/// what could not be applied (unknown action or pane, a bad key, a conflict).
pub fn resolve(specs: &[KeySpec]) -> (Overrides, Vec<Problem>) {
    let mut problems = Vec::new();
    let problem = |spec: &KeySpec, message: String| Problem {
        line: Some(spec.line),
        key: Some(match &spec.pane {
            Some(p) => format!("keys.{p}.{}", spec.action),
            None => format!("keys.{}", spec.action),
        }),
        message,
    };
    // What each binding asks for: the rows and contexts it replaces, and its keys.
    let mut wanted: Vec<Wanted> = Vec::new();
    for spec in specs {
        let pane = match &spec.pane {
            None => None,
            Some(p) => match contexts().into_iter().find(|c| ctx_name(*c) == *p) {
                Some(c) => Some(c),
                None => {
                    let names: Vec<String> = contexts().into_iter().map(ctx_name).collect();
                    problems.push(problem(
                        spec,
                        format!("no pane '{p}'; the panes are {}", names.join(", ")),
                    ));
                    continue;
                }
            },
        };
        let targets: Vec<(usize, Ctx)> = TABLE
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.keys.is_empty() && action_name(&b.msg) == spec.action)
            .flat_map(|(i, b)| b.ctx.iter().map(move |c| (i, *c)))
            .filter(|(_, c)| pane.is_none_or(|p| p == *c))
            .collect();
        if targets.is_empty() {
            problems.push(problem(
                spec,
                match pane {
                    Some(p) => format!("no action '{}' in {}", spec.action, ctx_name(p)),
                    None => format!(
                        "no action '{}' (`accessdesk config show` lists them)",
                        spec.action
                    ),
                },
            ));
            continue;
        }
        let mut keys = Vec::new();
        let mut bad = false;
        for k in &spec.keys {
            match parse_key(k) {
                Ok(k) => keys.push(k),
                Err(e) => {
                    problems.push(problem(spec, e));
                    bad = true;
                }
            }
        }
        if !bad {
            wanted.push((spec, targets, keys));
        }
    }
    // A pane's own binding wins over one for every pane.
    wanted.sort_by_key(|(s, _, _)| s.pane.is_some());
    let mut rows: Vec<Override> = Vec::new();
    for (spec, targets, keys) in &wanted {
        for (row, ctx) in targets {
            rows.retain(|o| !(o.row == *row && o.ctx == *ctx));
            rows.push(Override {
                row: *row,
                ctx: *ctx,
                keys: keys.iter().map(|(k, _)| *k).collect(),
                shown: keys
                    .iter()
                    .map(|(_, s)| s.as_str())
                    .collect::<Vec<_>>()
                    .join("/"),
            });
            let _ = spec;
        }
    }
    // Conflicts: a replaced key that another row of the same context still uses.
    let effective = |rows: &[Override], row: usize, ctx: Ctx| -> Vec<Key> {
        rows.iter()
            .find(|o| o.row == row && o.ctx == ctx)
            .map_or_else(|| TABLE[row].keys.to_vec(), |o| o.keys.clone())
    };
    let mut dropped: Vec<usize> = Vec::new();
    // (binding, its keys, the action already there, the panes), one problem each.
    let mut clashed: Vec<(&KeySpec, String, String, Vec<String>)> = Vec::new();
    for (i, o) in rows.iter().enumerate() {
        let other = TABLE.iter().enumerate().find(|(r, b)| {
            *r != o.row
                && b.ctx.contains(&o.ctx)
                && effective(&rows, *r, o.ctx)
                    .iter()
                    .any(|k| o.keys.iter().any(|mine| clashes(mine, k)))
        });
        if let Some((_, b)) = other {
            let spec = wanted
                .iter()
                .rev()
                .find(|(_, t, _)| t.contains(&(o.row, o.ctx)))
                .map(|(s, _, _)| *s);
            if let Some(spec) = spec {
                let (taken, pane) = (action_name(&b.msg), ctx_name(o.ctx));
                match clashed
                    .iter_mut()
                    .find(|c| std::ptr::eq(c.0, spec) && c.1 == o.shown && c.2 == taken)
                {
                    Some(c) => c.3.push(pane),
                    None => clashed.push((spec, o.shown.clone(), taken, vec![pane])),
                }
            }
            dropped.push(i);
        }
    }
    for (spec, shown, taken, panes) in clashed {
        problems.push(problem(
            spec,
            format!(
                "{shown} is already {taken} in {}; this binding is not used there",
                panes.join(", ")
            ),
        ));
    }
    let rows = rows
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !dropped.contains(i))
        .map(|(_, o)| o)
        .collect();
    problems.sort_by_key(|p| p.line);
    problems.dedup();
    (Overrides { rows }, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(pane: Option<&str>, action: &str, keys: &[&str], line: usize) -> KeySpec {
        KeySpec {
            pane: pane.map(str::to_string),
            action: action.into(),
            keys: keys.iter().map(|s| s.to_string()).collect(),
            line,
        }
    }

    #[test]
    fn names_of_actions_and_keys() {
        assert_eq!(
            action_name(&Msg::Act(crate::domain::machine::ActionKind::Approve)),
            "approve"
        );
        assert_eq!(
            action_name(&Msg::ShowPane(crate::tui::Pane::Tracker)),
            "show-pane-tracker"
        );
        assert_eq!(ctx_name(Ctx::Tracker), "tracker");
        assert_eq!(parse_key("C-a").map(|k| k.1), Ok("C-a".to_string()));
        assert_eq!(parse_key("space").map(|k| k.1), Ok("Space".to_string()));
        assert!(parse_key("Hyper-x").is_err());
    }

    #[test]
    fn a_conflict_is_reported_with_its_line_and_a_swap_is_not_one() {
        let (o, p) = resolve(&[spec(None, "approve", &["d"], 7)]);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, Some(7));
        assert!(p[0].message.contains("deny"), "{}", p[0].message);
        assert!(o.rows.iter().all(|r| r.keys != vec![super::super::ch('d')]));
        let (_, p) = resolve(&[
            spec(None, "approve", &["d"], 3),
            spec(None, "deny", &["a"], 4),
        ]);
        assert!(p.is_empty(), "{p:?}");
        let (_, p) = resolve(&[spec(Some("tracker"), "no-such", &["z"], 2)]);
        assert_eq!(p[0].line, Some(2));
    }
}
