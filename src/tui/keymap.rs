//! The one key table. Each row says which keys do what, where (the contexts), and
//! when (a predicate on [`Facts`], what the app knows right now). The same rows drive
//! `handle_key` (keys to messages), the footer (the moves valid now) and the help
//! overlay (every key that works where you are), so a key that is shown is a key that
//! works, and a move the state machine forbids is not offered. The predicates see
//! only `Facts`, never the app, so this table depends on nothing that draws or acts.

use super::msg::Msg;
use super::state::Pane;
use crate::domain::machine::ActionKind;
use crate::domain::review::Decision;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Where the keyboard focus is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Ctx {
    #[default]
    Tracker,
    Queue,
    Blockers,
    Expiring,
    Reviews,
    Tasks,
    /// The dashboard: a picture, no rows; only the keys of every pane.
    Dashboard,
    Detail,
    Help,
    Filter,
    Form,
    Confirm,
    /// The project picker or the command palette.
    Choose,
}

impl Ctx {
    pub fn of_pane(p: Pane) -> Ctx {
        match p {
            Pane::Tracker => Ctx::Tracker,
            Pane::Queue => Ctx::Queue,
            Pane::Blockers => Ctx::Blockers,
            Pane::Tasks => Ctx::Tasks,
            Pane::Dashboard => Ctx::Dashboard,
            Pane::Expiring => Ctx::Expiring,
            Pane::Reviews => Ctx::Reviews,
        }
    }
}

/// What the key table's predicates may ask, gathered by the app before a key is
/// looked up (or the footer and help drawn): small, so the table depends on no app.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Where the keys go now.
    pub ctx: Ctx,
    /// The context under any overlay (what the help overlay describes).
    pub base: Ctx,
    /// An item is selected (or open in the detail view).
    pub selection: bool,
    /// The moves the state machine allows the person on the selected item now.
    pub allowed: Vec<ActionKind>,
    /// The person may add items, and there is an open project to add to.
    pub can_add: bool,
    /// A tracker filter is set.
    pub filter_active: bool,
    /// The focused form field is a choice (Space and arrows pick, not type).
    pub choice_focus: bool,
    /// Items selected in the queue with Space: approve, deny and return apply to them.
    pub picked: usize,
    /// The person may manage projects and one is in view (chosen, or the selected
    /// item's).
    pub project_actions: bool,
    /// Access reviews: the person may start one for the project in view, decide on
    /// the selected access, certify the standard access of the review shown; how many
    /// reviews there are to switch between.
    pub review_start: bool,
    pub review_decide: bool,
    pub review_bulk: bool,
    pub reviews: usize,
    /// The person may hand a pending decision on the selected item to someone else.
    pub may_delegate: bool,
    /// The decision just made may still be undone (`u`).
    pub undo: bool,
    /// Saved views are configured; one of them is shown over the tracker.
    pub views_defined: bool,
    pub view_shown: bool,
    /// Keys the personal configuration rebound (see `rebind`).
    pub keys: std::sync::Arc<rebind::Overrides>,
    /// The person may change the selected task: edit it, record its start, its end.
    pub task_edit: bool,
    pub task_start: bool,
    pub task_done: bool,
}

impl Facts {
    pub fn may(&self, kind: ActionKind) -> bool {
        self.allowed.contains(&kind)
    }

    /// How a row's keys are written in `ctx` (as rebound, if they were).
    pub fn shown(&self, b: &'static Binding, ctx: Ctx) -> &str {
        self.keys.shown(b, ctx)
    }
}

/// A key with the modifiers that must be held (Shift is implied by the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

pub(crate) const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

impl Key {
    /// Does a pressed key match? Characters match whatever Shift says (terminals
    /// differ in reporting it); Ctrl and Alt must be exactly as bound.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let held_ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let held_alt = ev.modifiers.contains(KeyModifiers::ALT);
        if held_alt || held_ctrl != self.ctrl {
            return false;
        }
        match (self.code, ev.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) if self.ctrl => a.eq_ignore_ascii_case(&b),
            (a, b) => a == b,
        }
    }
}

/// One row of the key table.
pub struct Binding {
    /// Keys that trigger it; empty for "any other key" rows, which only document a
    /// fallback.
    pub keys: &'static [Key],
    /// How the keys are written in the footer and help.
    pub shown: &'static str,
    /// Short label for the footer.
    pub label: &'static str,
    /// What it does, for the help overlay.
    pub help: &'static str,
    /// The message it sends.
    pub msg: Msg,
    /// Where it works.
    pub ctx: &'static [Ctx],
    /// When it works (besides the context).
    pub when: fn(&Facts) -> bool,
    /// Place in the footer (lower first); `None` keeps it out of the footer.
    pub footer: Option<u8>,
}

impl Binding {
    /// The move this row starts, if it is a move on an item (refused moves are
    /// explained instead of silently ignored).
    pub fn move_kind(&self) -> Option<ActionKind> {
        match self.msg {
            Msg::Act(k) => Some(k),
            Msg::ApproveWithConditions => Some(ActionKind::Approve),
            _ => None,
        }
    }

    /// What pressing the key does while it is not available: a move explains the
    /// rule that forbids it, adding an item says which role it needs; anything else
    /// does nothing.
    pub fn when_refused(&self) -> Option<Msg> {
        match self.msg {
            Msg::NewItem => Some(Msg::NewItem),
            _ => self.move_kind().map(Msg::Explain),
        }
    }
}

mod places;
pub mod rebind;
mod table;
pub use table::TABLE;

/// The bindings that work in `ctx` right now (and still have a key there).
pub fn active(facts: &Facts, ctx: Ctx) -> impl Iterator<Item = &'static Binding> + '_ {
    TABLE
        .iter()
        .filter(move |b| b.ctx.contains(&ctx) && (b.when)(facts) && !facts.keys.unbound(b, ctx))
}

/// The footer: bindings valid now, in footer order.
pub fn footer(facts: &Facts, ctx: Ctx) -> Vec<&'static Binding> {
    let mut v: Vec<&Binding> = active(facts, ctx).filter(|b| b.footer.is_some()).collect();
    v.sort_by_key(|b| b.footer);
    v
}

/// Maps a key press to a message, using the table. Returns `None` for keys that do
/// nothing here (and for key release and repeat events, which some terminals send).
pub fn lookup(facts: &Facts, ev: &KeyEvent) -> Option<Msg> {
    if ev.kind != KeyEventKind::Press {
        return None;
    }
    let ctx = facts.ctx;
    let mut refused = None;
    for (row, b) in TABLE
        .iter()
        .enumerate()
        .filter(|(_, b)| b.ctx.contains(&ctx))
    {
        let keys = facts.keys.keys(row, ctx).unwrap_or(b.keys);
        if !keys.iter().any(|k| k.matches(ev)) {
            continue;
        }
        if (b.when)(facts) {
            return Some(b.msg.clone());
        }
        if refused.is_none() {
            refused = b.when_refused();
        }
    }
    if refused.is_some() {
        return refused;
    }
    match ctx {
        Ctx::Form => Some(Msg::FormInput(*ev)),
        Ctx::Filter => Some(Msg::FilterInput(*ev)),
        Ctx::Confirm => Some(Msg::ConfirmCancel),
        Ctx::Choose => Some(Msg::ChooseInput(*ev)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        // Every context some row works in.
        let mut all: Vec<Ctx> = TABLE.iter().flat_map(|b| b.ctx.iter().copied()).collect();
        all.sort_by_key(|c| format!("{c:?}"));
        all.dedup();
        assert!(all.len() >= 10, "{all:?}");
        for ctx in all {
            let mut seen: Vec<Key> = Vec::new();
            for b in TABLE.iter().filter(|b| b.ctx.contains(&ctx)) {
                // Rows sharing keys must be told apart by their predicates; only the
                // form's choice keys do that (Space/←/→ edit text otherwise).
                for k in b.keys {
                    assert!(!seen.contains(k), "{k:?} bound twice in {ctx:?}");
                    seen.push(*k);
                }
            }
        }
    }

    #[test]
    fn characters_match_regardless_of_shift() {
        let g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert!(ch('G').matches(&g));
        assert!(!ch('g').matches(&g));
        let cc = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert!(ctrl('c').matches(&cc));
        assert!(!ch('c').matches(&cc));
    }
}
