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
    Detail,
    Help,
    Filter,
    Form,
    Confirm,
}

impl Ctx {
    pub fn of_pane(p: Pane) -> Ctx {
        match p {
            Pane::Tracker => Ctx::Tracker,
            Pane::Queue => Ctx::Queue,
            Pane::Blockers => Ctx::Blockers,
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
}

impl Facts {
    pub fn may(&self, kind: ActionKind) -> bool {
        self.allowed.contains(&kind)
    }
}

/// A key with the modifiers that must be held (Shift is implied by the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn ch(c: char) -> Key {
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

const PANES: &[Ctx] = &[
    Ctx::Tracker,
    Ctx::Queue,
    Ctx::Blockers,
    Ctx::Expiring,
    Ctx::Reviews,
];
const REVIEWS: &[Ctx] = &[Ctx::Reviews];
const HELPABLE: &[Ctx] = &[
    Ctx::Tracker,
    Ctx::Queue,
    Ctx::Blockers,
    Ctx::Expiring,
    Ctx::Reviews,
    Ctx::Detail,
];
const ITEM: &[Ctx] = &[
    Ctx::Tracker,
    Ctx::Queue,
    Ctx::Blockers,
    Ctx::Expiring,
    Ctx::Detail,
];
const MOVING: &[Ctx] = &[
    Ctx::Tracker,
    Ctx::Queue,
    Ctx::Blockers,
    Ctx::Expiring,
    Ctx::Reviews,
    Ctx::Detail,
    Ctx::Help,
];
const TRACKER: &[Ctx] = &[Ctx::Tracker];
const QUEUE: &[Ctx] = &[Ctx::Queue];
const DETAIL: &[Ctx] = &[Ctx::Detail];
const HELP: &[Ctx] = &[Ctx::Help];
const FILTER: &[Ctx] = &[Ctx::Filter];
const FORM: &[Ctx] = &[Ctx::Form];
const CONFIRM: &[Ctx] = &[Ctx::Confirm];

fn always(_: &Facts) -> bool {
    true
}

macro_rules! item_move {
    ($keys:expr, $shown:literal, $label:literal, $help:literal, $kind:expr, $rank:expr) => {
        Binding {
            keys: $keys,
            shown: $shown,
            label: $label,
            help: $help,
            msg: Msg::Act($kind),
            ctx: ITEM,
            when: |f| f.may($kind),
            footer: Some($rank),
        }
    };
}

/// Every key of the application.
pub static TABLE: &[Binding] = &[
    // Moves on the selected item: offered only when the state machine allows them.
    item_move!(
        &[ch('a')],
        "a",
        "approve",
        "approve the selected item (picked with Space: the standard ones)",
        ActionKind::Approve,
        10
    ),
    Binding {
        keys: &[ch('c')],
        shown: "c",
        label: "conditions",
        help: "approve with conditions (shorter expiry, extra control)",
        msg: Msg::ApproveWithConditions,
        ctx: ITEM,
        // Conditions are given one item at a time, never to several picked at once.
        when: |f| f.may(ActionKind::Approve) && f.picked == 0,
        footer: Some(11),
    },
    Binding {
        keys: &[ch('D')],
        shown: "D",
        label: "delegate",
        help: "hand a pending decision to someone else who may take it",
        msg: Msg::Delegate,
        ctx: ITEM,
        when: |f| f.may_delegate,
        footer: Some(37),
    },
    item_move!(
        &[ch('d')],
        "d",
        "deny",
        "deny with a reason, asks to confirm (or every item picked)",
        ActionKind::Deny,
        12
    ),
    item_move!(
        &[ch('r')],
        "r",
        "return",
        "return for changes with a reason (or every item picked)",
        ActionKind::Return,
        13
    ),
    item_move!(
        &[ch('u')],
        "u",
        "submit",
        "submit for approval",
        ActionKind::Submit,
        14
    ),
    item_move!(
        &[ch('i')],
        "i",
        "grant",
        "record that access was granted (method used)",
        ActionKind::Grant,
        15
    ),
    item_move!(
        &[ch('v')],
        "v",
        "verify",
        "verify with a note on how scope and owner were checked",
        ActionKind::Verify,
        16
    ),
    item_move!(
        &[ch('x')],
        "x",
        "revoke",
        "record deprovisioning with a note (asks to confirm)",
        ActionKind::Revoke,
        17
    ),
    item_move!(
        &[ch('o')],
        "o",
        "reopen",
        "reopen a denied or requested item",
        ActionKind::Reopen,
        18
    ),
    item_move!(
        &[ch('e')],
        "e",
        "edit",
        "edit the item's fields",
        ActionKind::Edit,
        19
    ),
    item_move!(&[ch('m')], "m", "note", "add a note", ActionKind::Note, 20),
    item_move!(
        &[ch('b')],
        "b",
        "block",
        "flag a blocker with a reason",
        ActionKind::Block,
        21
    ),
    item_move!(
        &[ch('B')],
        "B",
        "unblock",
        "clear the manual blocker",
        ActionKind::Unblock,
        22
    ),
    item_move!(
        &[ch('X')],
        "X",
        "cancel",
        "cancel the item (asks to confirm)",
        ActionKind::Cancel,
        23
    ),
    item_move!(
        &[ch('!')],
        "!",
        "break-glass",
        "emergency grant with a reason (asks to confirm)",
        ActionKind::BreakGlass,
        24
    ),
    item_move!(
        &[ch('R')],
        "R",
        "close retro",
        "close the break-glass retrospective: accepted, or revoke the access",
        ActionKind::CloseRetro,
        25
    ),
    // Copying and picking several items (nudges and bulk decisions).
    Binding {
        keys: &[ch('y')],
        shown: "y",
        label: "copy nudge",
        help: "copy the nudge (who, what, since when, what to do) to the clipboard",
        msg: Msg::CopyNudge,
        ctx: ITEM,
        when: |f| f.selection,
        footer: Some(37),
    },
    Binding {
        keys: &[ch('Y')],
        shown: "Y",
        label: "copy id",
        help: "copy the item's id to the clipboard",
        msg: Msg::CopyId,
        ctx: ITEM,
        when: |f| f.selection,
        footer: None,
    },
    Binding {
        keys: &[ch(' ')],
        shown: "Space",
        label: "select",
        help: "pick the item to approve, deny or return several at once",
        msg: Msg::TogglePick,
        ctx: QUEUE,
        when: |f| f.selection,
        footer: Some(9),
    },
    Binding {
        keys: &[code(KeyCode::Esc)],
        shown: "Esc",
        label: "deselect",
        help: "deselect every selected item",
        msg: Msg::ClearPicks,
        ctx: QUEUE,
        when: |f| f.picked > 0,
        footer: Some(29),
    },
    item_move!(
        &[ch('T')],
        "T",
        "rotated",
        "record who rotated the exposed or shared credential, and how it was confirmed",
        ActionKind::Rotated,
        26
    ),
    // Possible on any item: kept out of the footer, listed in help.
    Binding {
        keys: &[ch('W')],
        shown: "W",
        label: "unsafe attempt",
        help: "record a credential offered over an unsafe channel (email, chat...): it then blocks until rotated",
        msg: Msg::Act(ActionKind::ReportUnsafe),
        ctx: ITEM,
        when: |f| f.may(ActionKind::ReportUnsafe),
        footer: None,
    },
    Binding {
        keys: &[ch('P')],
        shown: "P",
        label: "project",
        help: "project actions for the project in view: close (asks first), reopen, move its start",
        msg: Msg::ProjectActions,
        ctx: ITEM,
        when: |f| f.project_actions,
        footer: None,
    },
    item_move!(
        &[ch('E')],
        "E",
        "extend",
        "ask to extend live temporary access to a later end (approved like the item)",
        ActionKind::Extend,
        26
    ),
    // Items and views.
    Binding {
        keys: &[code(KeyCode::Enter)],
        shown: "Enter",
        label: "details",
        help: "open the selected item: fields, approvals, history, collection instruction",
        msg: Msg::OpenDetail,
        ctx: PANES,
        when: |f| f.selection,
        footer: Some(30),
    },
    Binding {
        keys: &[ch('n')],
        shown: "n",
        label: "new",
        help: "add a new access item",
        msg: Msg::NewItem,
        ctx: ITEM,
        when: |f| f.can_add,
        footer: Some(31),
    },
    Binding {
        keys: &[ch('/')],
        shown: "/",
        label: "filter",
        help: "filter by text; state:NAME, flag:BADGE, is:blocked narrow further",
        msg: Msg::StartFilter,
        ctx: TRACKER,
        when: always,
        footer: Some(32),
    },
    Binding {
        keys: &[ch('f')],
        shown: "f",
        label: "state",
        help: "show only the next state (cycles through all states)",
        msg: Msg::CycleStateFilter,
        ctx: TRACKER,
        when: always,
        footer: Some(33),
    },
    Binding {
        keys: &[code(KeyCode::Esc)],
        shown: "Esc",
        label: "clear filter",
        help: "remove the text and state filters",
        msg: Msg::ClearFilter,
        ctx: TRACKER,
        when: |f| f.filter_active,
        footer: Some(34),
    },
    Binding {
        keys: &[ch('s')],
        shown: "s",
        label: "sort",
        help: "sort by the next column",
        msg: Msg::CycleSort,
        ctx: TRACKER,
        when: always,
        footer: Some(35),
    },
    Binding {
        keys: &[ch('S')],
        shown: "S",
        label: "reverse",
        help: "reverse the sort order",
        msg: Msg::ReverseSort,
        ctx: TRACKER,
        when: always,
        footer: None,
    },
    Binding {
        keys: &[ch('p')],
        shown: "p",
        label: "project",
        help: "show the next project (all projects, then each one)",
        msg: Msg::CycleProject,
        ctx: PANES,
        when: always,
        footer: Some(36),
    },
    Binding {
        keys: &[ch('1')],
        shown: "1",
        label: "tracker",
        help: "show the tracker: every access item",
        msg: Msg::ShowPane(Pane::Tracker),
        ctx: PANES,
        when: always,
        footer: None,
    },
    Binding {
        keys: &[ch('2')],
        shown: "2",
        label: "queue",
        help: "show the approval queue: what waits on your decision",
        msg: Msg::ShowPane(Pane::Queue),
        ctx: PANES,
        when: always,
        footer: None,
    },
    Binding {
        keys: &[ch('3')],
        shown: "3",
        label: "blockers",
        help: "show the blockers: what stops work, oldest first",
        msg: Msg::ShowPane(Pane::Blockers),
        ctx: PANES,
        when: always,
        footer: None,
    },
    Binding {
        keys: &[ch('6')],
        shown: "6",
        label: "expiring",
        help: "show the expiry radar: access ending soon or past",
        msg: Msg::ShowPane(Pane::Expiring),
        ctx: PANES,
        when: always,
        footer: None,
    },
    Binding {
        keys: &[ch('7')],
        shown: "7",
        label: "reviews",
        help: "show the access reviews: campaigns, progress, decisions",
        msg: Msg::ShowPane(Pane::Reviews),
        ctx: PANES,
        when: always,
        footer: None,
    },
    // Access reviews (pane 7).
    Binding {
        keys: &[ch('c')],
        shown: "c",
        label: "certify",
        help: "certify the selected access: it stays",
        msg: Msg::ReviewDecide(Decision::Certify),
        ctx: REVIEWS,
        when: |f| f.review_decide,
        footer: Some(10),
    },
    Binding {
        keys: &[ch('x')],
        shown: "x",
        label: "revoke",
        help: "decide the selected access goes; it blocks until revoked (asks to confirm)",
        msg: Msg::ReviewDecide(Decision::Revoke),
        ctx: REVIEWS,
        when: |f| f.review_decide,
        footer: Some(11),
    },
    Binding {
        keys: &[ch('A')],
        shown: "A",
        label: "certify standard",
        help: "certify every undecided access without a review flag (asks to confirm)",
        msg: Msg::ReviewCertifyStandard,
        ctx: REVIEWS,
        when: |f| f.review_bulk,
        footer: Some(12),
    },
    Binding {
        keys: &[ch('n')],
        shown: "n",
        label: "new review",
        help: "start a review of every live access of the project in view (asks to confirm)",
        msg: Msg::StartReview,
        ctx: REVIEWS,
        when: |f| f.review_start,
        footer: Some(13),
    },
    Binding {
        keys: &[ch(']'), code(KeyCode::Right)],
        shown: "]/→",
        label: "next review",
        help: "show the next review",
        msg: Msg::ReviewCampaign(1),
        ctx: REVIEWS,
        when: |f| f.reviews > 1,
        footer: Some(14),
    },
    Binding {
        keys: &[ch('['), code(KeyCode::Left)],
        shown: "[/←",
        label: "prev review",
        help: "show the previous review",
        msg: Msg::ReviewCampaign(-1),
        ctx: REVIEWS,
        when: |f| f.reviews > 1,
        footer: None,
    },
    Binding {
        keys: &[code(KeyCode::Tab)],
        shown: "Tab",
        label: "next pane",
        help: "show the next pane",
        msg: Msg::NextPane,
        ctx: PANES,
        when: always,
        footer: None,
    },
    Binding {
        keys: &[code(KeyCode::BackTab)],
        shown: "S-Tab",
        label: "prev pane",
        help: "show the previous pane",
        msg: Msg::PrevPane,
        ctx: PANES,
        when: always,
        footer: None,
    },
    // Moving around.
    Binding {
        keys: &[ch('j'), code(KeyCode::Down)],
        shown: "j/↓",
        label: "down",
        help: "move down",
        msg: Msg::Down,
        ctx: MOVING,
        when: always,
        footer: None,
    },
    Binding {
        keys: &[ch('k'), code(KeyCode::Up)],
        shown: "k/↑",
        label: "up",
        help: "move up",
        msg: Msg::Up,
        ctx: MOVING,
        when: always,
        footer: None,
    },
    Binding {
        keys: &[ch('g'), code(KeyCode::Home)],
        shown: "g/Home",
        label: "top",
        help: "go to the first line",
        msg: Msg::Top,
        ctx: MOVING,
        when: always,
        footer: None,
    },
    Binding {
        keys: &[ch('G'), code(KeyCode::End)],
        shown: "G/End",
        label: "bottom",
        help: "go to the last line",
        msg: Msg::Bottom,
        ctx: MOVING,
        when: always,
        footer: None,
    },
    Binding {
        keys: &[code(KeyCode::PageDown), ctrl('d')],
        shown: "PgDn/C-d",
        label: "page down",
        help: "move one screen down",
        msg: Msg::PageDown,
        ctx: MOVING,
        when: always,
        footer: None,
    },
    Binding {
        keys: &[code(KeyCode::PageUp), ctrl('u')],
        shown: "PgUp/C-u",
        label: "page up",
        help: "move one screen up",
        msg: Msg::PageUp,
        ctx: MOVING,
        when: always,
        footer: None,
    },
    // Leaving things.
    Binding {
        keys: &[
            code(KeyCode::Esc),
            ch('q'),
            code(KeyCode::Backspace),
            code(KeyCode::Left),
        ],
        shown: "Esc/q/←",
        label: "back",
        help: "close the detail view",
        msg: Msg::Back,
        ctx: DETAIL,
        when: always,
        footer: Some(90),
    },
    Binding {
        keys: &[ch('?')],
        shown: "?",
        label: "help",
        help: "show the keys that work here",
        msg: Msg::ToggleHelp,
        ctx: HELPABLE,
        when: always,
        footer: Some(91),
    },
    Binding {
        keys: &[ch('?'), code(KeyCode::Esc), ch('q')],
        shown: "?/Esc/q",
        label: "close",
        help: "close this help",
        msg: Msg::ToggleHelp,
        ctx: HELP,
        when: always,
        footer: Some(91),
    },
    Binding {
        keys: &[ch('q'), ctrl('c')],
        shown: "q",
        label: "quit",
        help: "quit accessdesk (Ctrl-C too)",
        msg: Msg::Quit,
        ctx: PANES,
        when: always,
        footer: Some(92),
    },
    Binding {
        keys: &[ctrl('c')],
        shown: "C-c",
        label: "quit",
        help: "quit accessdesk",
        msg: Msg::Quit,
        ctx: &[Ctx::Detail, Ctx::Help],
        when: always,
        footer: None,
    },
    // The filter line.
    Binding {
        keys: &[code(KeyCode::Enter)],
        shown: "Enter",
        label: "apply",
        help: "keep this filter",
        msg: Msg::ApplyFilter,
        ctx: FILTER,
        when: always,
        footer: Some(1),
    },
    Binding {
        keys: &[code(KeyCode::Esc), ctrl('g'), ctrl('c')],
        shown: "Esc/C-g/C-c",
        label: "cancel",
        help: "leave the filter line, restoring the previous filter",
        msg: Msg::CancelFilter,
        ctx: FILTER,
        when: always,
        footer: Some(2),
    },
    // Forms.
    Binding {
        keys: &[code(KeyCode::Enter)],
        shown: "Enter",
        label: "save",
        help: "save (nothing is written while a field is marked)",
        msg: Msg::FormSave,
        ctx: FORM,
        when: always,
        footer: Some(1),
    },
    Binding {
        keys: &[code(KeyCode::Tab), code(KeyCode::Down)],
        shown: "Tab/↓",
        label: "next",
        help: "next field",
        msg: Msg::FormNext,
        ctx: FORM,
        when: always,
        footer: Some(2),
    },
    Binding {
        keys: &[code(KeyCode::BackTab), code(KeyCode::Up)],
        shown: "S-Tab/↑",
        label: "prev",
        help: "previous field",
        msg: Msg::FormPrev,
        ctx: FORM,
        when: always,
        footer: None,
    },
    Binding {
        keys: &[ch(' '), code(KeyCode::Right)],
        shown: "Space/→",
        label: "change",
        help: "choose the next value (choice and yes/no fields)",
        msg: Msg::FormCycle,
        ctx: FORM,
        when: |f| f.choice_focus,
        footer: Some(3),
    },
    Binding {
        keys: &[code(KeyCode::Left)],
        shown: "←",
        label: "back",
        help: "choose the previous value (choice and yes/no fields)",
        msg: Msg::FormCycleBack,
        ctx: FORM,
        when: |f| f.choice_focus,
        footer: None,
    },
    Binding {
        keys: &[code(KeyCode::Esc), ctrl('g'), ctrl('c')],
        shown: "Esc/C-g/C-c",
        label: "cancel",
        help: "close the form without saving",
        msg: Msg::FormCancel,
        ctx: FORM,
        when: always,
        footer: Some(4),
    },
    // Confirmations: `y` confirms, anything else cancels.
    Binding {
        keys: &[ch('y'), ch('Y')],
        shown: "y",
        label: "confirm",
        help: "confirm",
        msg: Msg::Confirm,
        ctx: CONFIRM,
        when: always,
        footer: Some(1),
    },
    Binding {
        keys: &[],
        shown: "any other key",
        label: "cancel",
        help: "cancel: nothing is changed",
        msg: Msg::ConfirmCancel,
        ctx: CONFIRM,
        when: always,
        footer: Some(2),
    },
];

/// The bindings that work in `ctx` right now.
pub fn active(facts: &Facts, ctx: Ctx) -> impl Iterator<Item = &'static Binding> + '_ {
    TABLE
        .iter()
        .filter(move |b| b.ctx.contains(&ctx) && (b.when)(facts))
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
    for b in TABLE.iter().filter(|b| b.ctx.contains(&ctx)) {
        if !b.keys.iter().any(|k| k.matches(ev)) {
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
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        let all = [
            Ctx::Tracker,
            Ctx::Queue,
            Ctx::Blockers,
            Ctx::Expiring,
            Ctx::Reviews,
            Ctx::Detail,
            Ctx::Help,
            Ctx::Filter,
            Ctx::Form,
            Ctx::Confirm,
        ];
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
