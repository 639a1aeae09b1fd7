//! The application state and its one `update`. Keys become messages through the key
//! table (`handle_key`); `update` is the only place that changes state or calls the
//! store; drawing only reads. Everything the panes show is derived here when the data,
//! the filter, the sort or the clock changes — never while drawing — so a frame costs
//! the same with ten items or a hundred thousand.

use super::form::{Form, Purpose};
use super::keymap::{self, Ctx};
use super::layout;
use super::msg::Msg;
use super::theme::Theme;
use super::{panes, widgets};
use crate::domain::blockers::{self, Readiness};
use crate::domain::machine::{self, Action, ActionKind};
use crate::domain::{Capacity, Flag, Item, ItemFields, Person, Project, Role, State};
use crate::store::{self, Event, ItemFilter, ItemView, Store};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use crossterm::event::{Event as TermEvent, KeyEvent};
use ratatui::layout::Rect;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// The three panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Tracker,
    Queue,
    Blockers,
}

impl Pane {
    pub const ALL: [Pane; 3] = [Pane::Tracker, Pane::Queue, Pane::Blockers];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Tracker => "Tracker",
            Pane::Queue => "Approval queue",
            Pane::Blockers => "Blockers",
        }
    }

    pub fn index(self) -> usize {
        match self {
            Pane::Tracker => 0,
            Pane::Queue => 1,
            Pane::Blockers => 2,
        }
    }

    fn next(self) -> Pane {
        Pane::ALL[(self.index() + 1) % 3]
    }

    fn prev(self) -> Pane {
        Pane::ALL[(self.index() + 2) % 3]
    }
}

/// The tracker's columns, which are also its sort keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Id,
    System,
    Purpose,
    Role,
    Owner,
    Approval,
    Method,
    Expiry,
    Blocker,
    Flags,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Id,
        Column::System,
        Column::Purpose,
        Column::Role,
        Column::Owner,
        Column::Approval,
        Column::Method,
        Column::Expiry,
        Column::Blocker,
        Column::Flags,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::System => "system",
            Column::Purpose => "purpose",
            Column::Role => "role",
            Column::Owner => "owner",
            Column::Approval => "approval",
            Column::Method => "method",
            Column::Expiry => "expiry",
            Column::Blocker => "blocker",
            Column::Flags => "risk",
        }
    }

    fn next(self) -> Column {
        let i = Column::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Column::ALL[(i + 1) % Column::ALL.len()]
    }
}

/// Selection and scroll position of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

/// An item waiting on the logged-in person's decision, and in which capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueEntry {
    pub ix: usize,
    pub capacity: Capacity,
}

/// Figures for the header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    pub readiness: Readiness,
    pub open_blockers: usize,
    pub oldest_blocker: Option<DateTime<Utc>>,
    /// The project whose start is shown: key, date, days from today.
    pub start: Option<(String, NaiveDate, i64)>,
}

/// What the status line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Done,
    Refused,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub kind: StatusKind,
    pub text: String,
}

/// The open detail view.
#[derive(Debug, Clone)]
pub struct Detail {
    pub rowid: i64,
    pub id: String,
    pub scroll: usize,
    pub history: Vec<Event>,
}

/// A pending irreversible move, waiting for `y`.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub id: String,
    pub version: i64,
    pub action: Action,
    pub prompt: String,
}

/// What sits on top of the panes and takes the keys.
#[derive(Debug, Clone)]
pub enum Modal {
    Help { scroll: usize },
    Filter { input: Input, previous: String },
    Form(Box<Form>),
    Confirm(Confirm),
}

/// The tracker's filter: typed text and a state chosen with `f`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
    pub state: Option<State>,
}

/// A parsed filter text: words, `state:`, `flag:`, `is:blocked`.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// The words, each with a searcher built once for the whole list (a plain
    /// `str::contains` sets one up per item, which dominated typing at 100k items).
    words: Vec<memchr::memmem::Finder<'static>>,
    states: Vec<State>,
    flags: Vec<Vec<Flag>>,
    blocked: Option<bool>,
    /// A token that matches nothing (e.g. an unknown state), for the title.
    pub problem: Option<String>,
}

impl Query {
    pub fn parse(text: &str) -> Query {
        let mut q = Query::default();
        let mut state_token = false;
        for tok in text.split_whitespace() {
            let t = tok.to_lowercase();
            if let Some(s) = t.strip_prefix("state:") {
                state_token = true;
                let found: Vec<State> = State::ALL
                    .iter()
                    .copied()
                    .filter(|st| st.as_str().starts_with(s))
                    .collect();
                if found.is_empty() {
                    q.problem = Some(format!("no state '{s}'"));
                }
                q.states.extend(found);
            } else if let Some(f) = t.strip_prefix("flag:") {
                let found: Vec<Flag> = Flag::ALL
                    .iter()
                    .copied()
                    .filter(|fl| {
                        fl.as_str().starts_with(f) || fl.badge().to_lowercase().starts_with(f)
                    })
                    .collect();
                if found.is_empty() {
                    q.problem = Some(format!("no flag '{f}'"));
                }
                q.flags.push(found);
            } else if t == "is:blocked" || t == "is:blocking" {
                q.blocked = Some(true);
            } else if t == "is:clear" || t == "is:unblocked" {
                q.blocked = Some(false);
            } else {
                q.words
                    .push(memchr::memmem::Finder::new(t.as_bytes()).into_owned());
            }
        }
        if state_token && q.states.is_empty() {
            // An unknown state matches nothing rather than everything.
            q.problem.get_or_insert_with(|| "no such state".into());
        }
        q
    }

    fn matches(&self, v: &ItemView, haystack: &str) -> bool {
        if self.problem.is_some() {
            return false;
        }
        if !self.states.is_empty() && !self.states.contains(&v.item.state) {
            return false;
        }
        if let Some(b) = self.blocked
            && v.blocking() != b
        {
            return false;
        }
        if !self.flags.is_empty() {
            let have = v.item.flags();
            if !self
                .flags
                .iter()
                .all(|any| any.iter().any(|f| have.contains(f)))
            {
                return false;
            }
        }
        self.words
            .iter()
            .all(|w| w.find(haystack.as_bytes()).is_some())
    }
}

/// Riskiest first: privileged, shared credential, client-owned, exception, plain.
pub fn risk_rank(item: &Item) -> u8 {
    let f = &item.fields;
    if f.privileged {
        0
    } else if f.shared_credential {
        1
    } else if f.client_owned {
        2
    } else if f.exception.is_some() {
        3
    } else {
        4
    }
}

/// The lowercased search text of every item, end to end in one buffer: a filter
/// keystroke scans all of them, and together in memory they are scanned at the speed
/// of memory. An item's text changed by a live update is appended anew; the buffer is
/// compacted when half of it is out of date.
#[derive(Default)]
struct Haystacks {
    text: String,
    /// Where each item's text lies in `text`, by the item's index.
    spans: Vec<(usize, usize)>,
    /// Bytes of `text` no span points at any more.
    stale: usize,
}

impl Haystacks {
    fn build(items: &[ItemView]) -> Haystacks {
        let mut h = Haystacks::default();
        for v in items {
            h.push(v);
        }
        h
    }

    fn get(&self, i: usize) -> &str {
        let (start, end) = self.spans[i];
        &self.text[start..end]
    }

    fn append(&mut self, v: &ItemView) -> (usize, usize) {
        let start = self.text.len();
        self.text.push_str(&haystack(v));
        (start, self.text.len())
    }

    fn push(&mut self, v: &ItemView) {
        let span = self.append(v);
        self.spans.push(span);
    }

    fn replace(&mut self, i: usize, v: &ItemView) {
        let (start, end) = self.spans[i];
        self.stale += end - start;
        self.spans[i] = self.append(v);
        if self.stale > self.text.len() / 2 {
            let mut text = String::with_capacity(self.text.len() - self.stale);
            for span in &mut self.spans {
                let start = text.len();
                text.push_str(&self.text[span.0..span.1]);
                *span = (start, text.len());
            }
            self.text = text;
            self.stale = 0;
        }
    }
}

fn haystack(v: &ItemView) -> String {
    let it = &v.item;
    let f = &it.fields;
    [
        it.id().as_str(),
        &f.system,
        &f.purpose,
        &f.role,
        f.holder.as_deref().unwrap_or(""),
        &f.credential_owner,
        &f.approver,
        &it.requester,
        f.method.map(|m| m.as_str()).unwrap_or(""),
        it.state.as_str(),
        &f.notes,
    ]
    .join("\u{0}")
    .to_lowercase()
}

/// Sets an item's blocker reasons and spell at `now`; returns its next check.
fn assess(
    v: &mut ItemView,
    p: &Project,
    now: DateTime<Utc>,
    settings: blockers::Settings,
) -> Option<DateTime<Utc>> {
    v.reasons = blockers::reasons(&v.item, p, now, settings);
    v.blocked_since = if v.reasons.is_empty() {
        None
    } else {
        blockers::spell_start(&v.item, p, now, settings)
    };
    blockers::next_check(&v.item, v.blocked_since, now, settings)
}

/// Width of an item's id on screen.
fn id_width(v: &ItemView) -> u16 {
    let n = v.item.project.len() + 1 + v.item.number.to_string().len();
    u16::try_from(n).unwrap_or(u16::MAX)
}

fn cmp_text(a: &str, b: &str) -> Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

fn cmp_column(col: Column, a: &ItemView, b: &ItemView) -> Ordering {
    let (x, y) = (&a.item, &b.item);
    match col {
        Column::Id => Ordering::Equal,
        Column::System => cmp_text(&x.fields.system, &y.fields.system),
        Column::Purpose => cmp_text(&x.fields.purpose, &y.fields.purpose),
        Column::Role => cmp_text(&x.fields.role, &y.fields.role),
        Column::Owner => cmp_text(&x.fields.credential_owner, &y.fields.credential_owner),
        Column::Approval => x
            .state
            .cmp(&y.state)
            .then(x.approvals.len().cmp(&y.approvals.len())),
        Column::Method => x.fields.method.cmp(&y.fields.method),
        // Items without an expiry sort last.
        Column::Expiry => match (x.fields.expires, y.fields.expires) {
            (Some(p), Some(q)) => p.cmp(&q),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        },
        // Blocking first, the oldest blocker first.
        Column::Blocker => b
            .blocking()
            .cmp(&a.blocking())
            .then(a.blocked_since.cmp(&b.blocked_since)),
        Column::Flags => risk_rank(x).cmp(&risk_rank(y)),
    }
}

fn cmp_id(a: &Item, b: &Item) -> Ordering {
    a.project.cmp(&b.project).then(a.number.cmp(&b.number))
}

/// The whole state of the terminal UI.
pub struct App {
    store: Store,
    pub(crate) theme: Theme,
    pub(crate) tz: Tz,
    /// The clock as of the last reload or tick (ages are computed against it).
    pub(crate) now: DateTime<Utc>,
    pub(crate) login: String,
    pub(crate) me: Option<Person>,
    pub(crate) people: Vec<Person>,
    pub(crate) projects: Vec<Project>,
    project_ix: HashMap<String, usize>,
    /// `None` shows all projects.
    pub(crate) scope: Option<String>,
    pub(crate) items: Vec<ItemView>,
    rowid_ix: HashMap<i64, usize>,
    haystacks: Haystacks,
    pub(crate) tasks_by_item: HashMap<String, Vec<String>>,
    /// Width of the longest item id (the ID columns are exactly this wide).
    pub(crate) id_width: u16,
    /// Indices into `items`: filtered and sorted.
    pub(crate) tracker: Vec<usize>,
    /// Indices of all `items` in the tracker's sort order; empty when it must be
    /// sorted again (see `refilter`).
    order: Vec<usize>,
    pub(crate) queue: Vec<QueueEntry>,
    /// Indices into `items`: blocking, oldest first.
    pub(crate) blockers: Vec<usize>,
    /// Open blockers by reason code, most frequent first.
    pub(crate) blocker_summary: Vec<(&'static str, usize)>,
    pub(crate) cursors: [Cursor; 3],
    pub(crate) stats: Stats,
    pub(crate) sort: Column,
    pub(crate) sort_reverse: bool,
    pub(crate) filter: Filter,
    pub(crate) query_problem: Option<String>,
    pub(crate) pane: Pane,
    pub(crate) detail: Option<Detail>,
    pub(crate) modal: Option<Modal>,
    pub(crate) status: Option<Status>,
    pub(crate) size: (u16, u16),
    data_version: i64,
    /// Items counted but not loaded yet: the first frame is drawn from an aggregate
    /// (readiness, counts) before the items arrive. `None` once they are loaded.
    pub(crate) pending: Option<usize>,
    /// Per item (parallel to `items`): when its blockers are to be looked at again.
    next_check: Vec<Option<DateTime<Utc>>>,
    /// Per project (parallel to `projects`): its date when blockers were last assessed.
    project_days: Vec<NaiveDate>,
    /// The latest `updated_at` among the loaded items: a live update re-reads only the
    /// items changed since (less a margin, see [`CHANGE_MARGIN`]).
    seen_updated: Option<DateTime<Utc>>,
    quit: bool,
}

/// How far before the latest change already seen a live update looks again. A writer
/// stamps a change with the time its transaction began, which may precede a change
/// committed before it by as long as it waited for the write lock.
const CHANGE_MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

impl App {
    /// The app with what its header needs — the person, the projects and readiness
    /// from one indexed aggregate — but without the items: cheap at any size, so the
    /// first frame shows at once. [`App::finish_loading`] loads the rest.
    pub fn start(store: Store, theme: Theme) -> store::Result<App> {
        let login = store.me().login.clone();
        let now = store.now();
        let tz = store::host_tz().parse().unwrap_or(Tz::UTC);
        let mut app = App {
            store,
            theme,
            tz,
            now,
            login,
            me: None,
            people: Vec::new(),
            projects: Vec::new(),
            project_ix: HashMap::new(),
            scope: None,
            items: Vec::new(),
            rowid_ix: HashMap::new(),
            haystacks: Haystacks::default(),
            tasks_by_item: HashMap::new(),
            id_width: 2,
            tracker: Vec::new(),
            order: Vec::new(),
            queue: Vec::new(),
            blockers: Vec::new(),
            blocker_summary: Vec::new(),
            cursors: [Cursor::default(); 3],
            stats: Stats::default(),
            sort: Column::Id,
            sort_reverse: false,
            filter: Filter::default(),
            query_problem: None,
            pane: Pane::Tracker,
            detail: None,
            modal: None,
            status: None,
            size: (80, 24),
            data_version: 0,
            pending: None,
            next_check: Vec::new(),
            project_days: Vec::new(),
            seen_updated: None,
            quit: false,
        };
        app.load_header()?;
        Ok(app)
    }

    /// Loads everything the screen shows, acting as the store's OS account.
    pub fn new(store: Store, theme: Theme) -> store::Result<App> {
        let mut app = App::start(store, theme)?;
        app.finish_loading()?;
        Ok(app)
    }

    /// Whether the items are still to be loaded (see [`App::start`]).
    pub fn loading(&self) -> bool {
        self.pending.is_some()
    }

    /// Loads the items after [`App::start`] (keeps the selection of a loaded app).
    pub fn finish_loading(&mut self) -> store::Result<()> {
        self.load()?;
        self.rebuild();
        self.pending = None;
        Ok(())
    }

    /// Shows timestamps in `tz` instead of the host's zone (tests use UTC).
    pub fn set_time_zone(&mut self, tz: Tz) {
        self.tz = tz;
    }

    pub fn set_theme(&mut self, theme: Theme) {
        self.theme = theme;
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    pub fn pane(&self) -> Pane {
        self.pane
    }

    pub fn status(&self) -> Option<&Status> {
        self.status.as_ref()
    }

    /// The ids the tracker shows, in order.
    pub fn tracker_ids(&self) -> Vec<String> {
        self.tracker
            .iter()
            .map(|&i| self.items[i].item.id())
            .collect()
    }

    /// The ids in the approval queue, in order.
    pub fn queue_ids(&self) -> Vec<String> {
        self.queue
            .iter()
            .map(|e| self.items[e.ix].item.id())
            .collect()
    }

    /// The ids in the blockers pane, in order.
    pub fn blocker_ids(&self) -> Vec<String> {
        self.blockers
            .iter()
            .map(|&i| self.items[i].item.id())
            .collect()
    }

    /// The id of the selected item (in the detail view, its item).
    pub fn selected_id(&self) -> Option<String> {
        self.selected().map(|v| v.item.id())
    }

    /// The store's clock (the event loop compares it with `now` to tick).
    pub fn clock(&self) -> DateTime<Utc> {
        self.store.now()
    }

    /// Did the displayed minute change since the last tick?
    pub fn minute_changed(&self, now: DateTime<Utc>) -> bool {
        now.timestamp() / 60 != self.now.timestamp() / 60
    }

    /// Has another process committed since the last load?
    pub fn data_changed(&self) -> bool {
        self.store
            .data_version()
            .is_ok_and(|v| v != self.data_version)
    }

    // ---- what the key table asks -----------------------------------------------------

    /// Where the keys go now.
    pub fn context(&self) -> Ctx {
        match &self.modal {
            Some(Modal::Help { .. }) => Ctx::Help,
            Some(Modal::Filter { .. }) => Ctx::Filter,
            Some(Modal::Form(_)) => Ctx::Form,
            Some(Modal::Confirm(_)) => Ctx::Confirm,
            None => self.base_context(),
        }
    }

    /// The context under any overlay (what the help overlay describes).
    pub fn base_context(&self) -> Ctx {
        if self.detail.is_some() {
            Ctx::Detail
        } else {
            Ctx::of_pane(self.pane)
        }
    }

    pub fn has_selection(&self) -> bool {
        self.selected().is_some()
    }

    /// May the logged-in person make this move on the selected item now?
    pub fn may(&self, kind: ActionKind) -> bool {
        matches!(self.refusal(kind), Some(Ok(())))
    }

    /// `Some(Err)` with the rule when the move is refused, `None` without a selection.
    fn refusal(&self, kind: ActionKind) -> Option<Result<(), crate::domain::Refusal>> {
        let v = self.selected()?;
        let p = self.project_of(&v.item)?;
        Some(machine::guard(
            &v.item,
            p,
            kind,
            self.me.as_ref(),
            &self.login,
        ))
    }

    /// May the logged-in person add items (and is there an open project to add to)?
    pub fn can_add(&self) -> bool {
        self.me
            .as_ref()
            .is_some_and(|p| p.has(Role::Admin) || p.has(Role::Coordinator))
            && self.projects.iter().any(|p| p.closed_at.is_none())
    }

    pub fn filter_active(&self) -> bool {
        self.filter != Filter::default()
    }

    pub fn form_focus_is_choice(&self) -> bool {
        matches!(&self.modal, Some(Modal::Form(f)) if f.focus_is_choice())
    }

    /// Maps a key press to a message through the key table.
    pub fn handle_key(&self, key: KeyEvent) -> Option<Msg> {
        keymap::lookup(self, &key)
    }

    // ---- derived data ----------------------------------------------------------------

    pub(crate) fn project_of(&self, item: &Item) -> Option<&Project> {
        self.project_ix
            .get(&item.project)
            .and_then(|&i| self.projects.get(i))
    }

    pub(crate) fn view(&self, rowid: i64) -> Option<&ItemView> {
        self.rowid_ix.get(&rowid).and_then(|&i| self.items.get(i))
    }

    /// Index into `items` of the selected row of `pane`.
    fn pane_selection(&self, pane: Pane) -> Option<usize> {
        let sel = self.cursors[pane.index()].selected;
        match pane {
            Pane::Tracker => self.tracker.get(sel).copied(),
            Pane::Queue => self.queue.get(sel).map(|e| e.ix),
            Pane::Blockers => self.blockers.get(sel).copied(),
        }
    }

    /// The item the keys act on: the detail view's, else the pane's selected row.
    pub(crate) fn selected(&self) -> Option<&ItemView> {
        if let Some(d) = &self.detail {
            return self.view(d.rowid);
        }
        self.pane_selection(self.pane)
            .and_then(|i| self.items.get(i))
    }

    pub(crate) fn pane_len(&self, pane: Pane) -> usize {
        match pane {
            Pane::Tracker => self.tracker.len(),
            Pane::Queue => self.queue.len(),
            Pane::Blockers => self.blockers.len(),
        }
    }

    /// Lines the status area needs (long messages get two).
    pub(crate) fn status_lines(&self) -> u16 {
        match (&self.status, &self.modal) {
            (_, Some(Modal::Filter { .. })) => 1,
            (Some(s), _) if super::format::width(&s.text) > usize::from(self.size.0) => 2,
            _ => 1,
        }
    }

    pub(crate) fn areas(&self) -> layout::Areas {
        layout::split(
            Rect::new(0, 0, self.size.0, self.size.1),
            self.status_lines(),
        )
    }

    /// Rows of `pane` visible at the current terminal size.
    pub(crate) fn visible_rows(&self, pane: Pane) -> usize {
        let extra = if pane == Pane::Blockers { 1 } else { 0 };
        layout::table_rows(self.areas().body, extra).max(1)
    }

    /// The person, the projects and the header's figures, without the items.
    fn load_header(&mut self) -> store::Result<()> {
        self.now = self.store.now();
        self.data_version = self.store.data_version()?;
        self.load_people_and_projects()?;
        let (readiness, count) = self.store.readiness(self.scope.as_deref())?;
        self.stats = Stats {
            readiness,
            start: self.start_shown(),
            ..Stats::default()
        };
        self.pending = Some(count);
        Ok(())
    }

    fn load_people_and_projects(&mut self) -> store::Result<()> {
        self.me = self.store.my_person()?;
        self.people = self.store.people()?;
        self.projects = self.store.projects()?;
        self.project_ix = self
            .projects
            .iter()
            .enumerate()
            .map(|(i, p)| (p.key.clone(), i))
            .collect();
        if self
            .scope
            .as_ref()
            .is_some_and(|s| !self.project_ix.contains_key(s))
        {
            self.scope = None;
        }
        Ok(())
    }

    fn load(&mut self) -> store::Result<()> {
        self.now = self.store.now();
        // Read the version before the data: a commit in between shows up as one more
        // reload, never as a missed one.
        self.data_version = self.store.data_version()?;
        self.load_people_and_projects()?;
        let filter = ItemFilter {
            project: self.scope.clone(),
            ..ItemFilter::default()
        };
        // The old items go first: with both in memory a reload of 100,000 items would
        // hold twice the memory.
        self.items = Vec::new();
        self.items = self.store.list_items(&filter)?;
        self.load_tasks()?;
        if let Some(d) = &mut self.detail {
            d.history = self.store.history(&d.id)?;
        }
        Ok(())
    }

    fn load_tasks(&mut self) -> store::Result<()> {
        let mut tasks_by_item: HashMap<String, Vec<String>> = HashMap::new();
        for t in self.store.tasks(self.scope.as_deref())? {
            for need in &t.needs {
                tasks_by_item.entry(need.clone()).or_default().push(t.id());
            }
        }
        self.tasks_by_item = tasks_by_item;
        Ok(())
    }

    /// A live update: people, projects and tasks again (they are few), and of the
    /// items only those changed since the latest change seen, found by the index on
    /// `items(updated_at)`. Returns false when a full reload is needed instead.
    fn load_changes(&mut self) -> store::Result<bool> {
        let Some(seen) = self.seen_updated else {
            return Ok(false);
        };
        let version = self.store.data_version()?;
        let projects_before = self.projects.clone();
        let scope_before = self.scope.clone();
        self.load_people_and_projects()?;
        if self.scope != scope_before {
            return Ok(false);
        }
        let changed = self.store.list_items(&ItemFilter {
            project: self.scope.clone(),
            updated_since: Some(seen - CHANGE_MARGIN),
            ..ItemFilter::default()
        })?;
        self.data_version = version;
        let settings = self.store.settings();
        let now = self.now;
        let mut fresh = Vec::new();
        for mut v in changed {
            // Blockers as of the screen's clock, like every other item's.
            let next = match self.project_of(&v.item) {
                Some(p) => assess(&mut v, p, now, settings),
                None => blockers::next_check(&v.item, v.blocked_since, now, settings),
            };
            let updated = v.item.updated_at;
            self.seen_updated = self.seen_updated.max(Some(updated));
            match self.rowid_ix.get(&v.item.rowid) {
                Some(&i) => {
                    self.haystacks.replace(i, &v);
                    self.items[i] = v;
                    self.next_check[i] = next;
                }
                None => fresh.push((v, next)),
            }
        }
        for (v, next) in fresh {
            let i = self.items.len();
            self.rowid_ix.insert(v.item.rowid, i);
            self.haystacks.push(&v);
            self.id_width = self.id_width.max(id_width(&v));
            self.items.push(v);
            self.next_check.push(next);
        }
        // A project closed or moved its start: its items' blockers change with it.
        if self.projects != projects_before {
            self.recompute_blockers();
        } else if self.project_days.len() != self.projects.len() {
            self.note_project_days();
        }
        self.load_tasks()?;
        if let Some(d) = &mut self.detail {
            d.history = self.store.history(&d.id)?;
        }
        Ok(true)
    }

    /// Reloads from the store, keeping each pane's selected item selected.
    fn reload(&mut self) {
        self.keeping_selection(|app| {
            if let Err(e) = app.load() {
                app.set_status(StatusKind::Error, format!("could not reload: {e}"));
            }
            app.rebuild();
        });
        self.close_vanished_detail();
    }

    /// Takes in what changed in the store since the last load: only the changed items
    /// are read and indexed again (a full reload when that cannot be done).
    fn refresh(&mut self) {
        if self.pending.is_some() {
            return;
        }
        self.keeping_selection(|app| match app.load_changes() {
            Ok(true) => app.rederive(),
            Ok(false) => {
                if let Err(e) = app.load() {
                    app.set_status(StatusKind::Error, format!("could not reload: {e}"));
                }
                app.rebuild();
            }
            Err(e) => app.set_status(StatusKind::Error, format!("could not reload: {e}")),
        });
        self.close_vanished_detail();
    }

    fn close_vanished_detail(&mut self) {
        if let Some(d) = &self.detail
            && !self.rowid_ix.contains_key(&d.rowid)
        {
            self.detail = None;
        }
    }

    /// Runs `change` and selects again, in each pane, the item that was selected.
    fn keeping_selection(&mut self, change: impl FnOnce(&mut App)) {
        let keep: Vec<Option<i64>> = Pane::ALL
            .iter()
            .map(|p| self.pane_selection(*p).map(|i| self.items[i].item.rowid))
            .collect();
        change(self);
        for (pane, rowid) in Pane::ALL.iter().zip(keep) {
            if let Some(r) = rowid {
                self.select_rowid(*pane, r);
            }
        }
        self.clamp_cursors();
    }

    /// Recomputes everything derived from `items` after a load.
    fn rebuild(&mut self) {
        self.rowid_ix = self
            .items
            .iter()
            .enumerate()
            .map(|(i, v)| (v.item.rowid, i))
            .collect();
        self.haystacks = Haystacks::default();
        self.haystacks = Haystacks::build(&self.items);
        self.id_width = self.items.iter().map(id_width).max().unwrap_or(2).max(2);
        self.seen_updated = self.items.iter().map(|v| v.item.updated_at).max();
        self.compute_next_checks();
        self.rederive();
    }

    /// Recomputes what depends on blockers, the clock and the person (the queue, the
    /// blockers pane, the header, the tracker order); the items' text is unchanged.
    fn rederive(&mut self) {
        self.compute_queue();
        self.compute_blockers();
        self.compute_stats();
        self.refilter();
        self.clamp_cursors();
    }

    /// Blocker reasons and spells at `self.now` (time alone can start a blocker).
    fn recompute_blockers(&mut self) {
        let settings = self.store.settings();
        let now = self.now;
        for (v, next) in self.items.iter_mut().zip(self.next_check.iter_mut()) {
            let Some(p) = self
                .project_ix
                .get(&v.item.project)
                .and_then(|&i| self.projects.get(i))
            else {
                continue;
            };
            *next = assess(v, p, now, settings);
        }
        self.note_project_days();
    }

    /// Remembers each project's date at `self.now`: blockers that follow the calendar
    /// change only when it moves on.
    fn note_project_days(&mut self) {
        self.project_days = self
            .projects
            .iter()
            .map(|p| blockers::today(p, self.now))
            .collect();
    }

    /// When each item's blockers are to be looked at again (see `blockers::next_check`).
    fn compute_next_checks(&mut self) {
        let settings = self.store.settings();
        let now = self.now;
        self.next_check = self
            .items
            .iter()
            .map(|v| blockers::next_check(&v.item, v.blocked_since, now, settings))
            .collect();
        self.note_project_days();
    }

    /// Brings blockers to `self.now` after the clock moved: only the items whose next
    /// check came, and those of projects whose date changed, are assessed again.
    /// Returns whether any item's blockers changed.
    fn tick_blockers(&mut self) -> bool {
        let settings = self.store.settings();
        let now = self.now;
        let new_day: Vec<bool> = self
            .projects
            .iter()
            .enumerate()
            .map(|(i, p)| self.project_days.get(i) != Some(&blockers::today(p, now)))
            .collect();
        let any_new_day = new_day.iter().any(|d| *d);
        let mut changed = false;
        for (v, next) in self.items.iter_mut().zip(self.next_check.iter_mut()) {
            let came = next.is_some_and(|t| t <= now);
            if !came && !any_new_day {
                continue;
            }
            let pi = self.project_ix.get(&v.item.project).copied();
            let due = came || pi.is_some_and(|i| new_day[i]);
            let Some(p) = pi.and_then(|i| self.projects.get(i)).filter(|_| due) else {
                continue;
            };
            let before = (std::mem::take(&mut v.reasons), v.blocked_since);
            *next = assess(v, p, now, settings);
            changed |= before.0 != v.reasons || before.1 != v.blocked_since;
        }
        if any_new_day {
            self.note_project_days();
        }
        changed
    }

    fn compute_queue(&mut self) {
        let me = self.me.as_ref();
        let mut queue: Vec<QueueEntry> = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, v)| v.item.state == State::Requested)
            .filter_map(|(ix, v)| {
                let p = self.project_of(&v.item)?;
                machine::guard(&v.item, p, ActionKind::Approve, me, &self.login).ok()?;
                let capacity = machine::decision_capacity(&v.item, me?, true).ok()?;
                Some(QueueEntry { ix, capacity })
            })
            .collect();
        let items = &self.items;
        queue.sort_by(|a, b| {
            let (x, y) = (&items[a.ix].item, &items[b.ix].item);
            risk_rank(x)
                .cmp(&risk_rank(y))
                .then(x.state_since.cmp(&y.state_since))
                .then(cmp_id(x, y))
        });
        self.queue = queue;
    }

    fn compute_blockers(&mut self) {
        let now = self.now;
        let items = &self.items;
        let mut rows: Vec<usize> = (0..items.len()).filter(|&i| items[i].blocking()).collect();
        rows.sort_by(|&a, &b| {
            let (x, y) = (&items[a], &items[b]);
            x.blocked_since
                .unwrap_or(now)
                .cmp(&y.blocked_since.unwrap_or(now))
                .then(cmp_id(&x.item, &y.item))
        });
        let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
        for &i in &rows {
            for r in &items[i].reasons {
                *counts.entry(r.code()).or_default() += 1;
            }
        }
        let mut summary: Vec<(&'static str, usize)> = counts.into_iter().collect();
        summary.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        self.blockers = rows;
        self.blocker_summary = summary;
    }

    fn compute_stats(&mut self) {
        let readiness = Readiness::of(self.items.iter().map(|v| &v.item));
        let oldest = self
            .blockers
            .first()
            .and_then(|&i| self.items[i].blocked_since);
        let start = self.start_shown();
        self.stats = Stats {
            readiness,
            open_blockers: self.blockers.len(),
            oldest_blocker: oldest,
            start,
        };
    }

    /// The project whose start the header shows: key, date, days from today.
    fn start_shown(&self) -> Option<(String, NaiveDate, i64)> {
        match &self.scope {
            Some(key) => self
                .project_ix
                .get(key)
                .and_then(|&i| self.projects.get(i))
                .map(|p| (p.key.clone(), p.start, blockers::days_to_start(p, self.now))),
            None => {
                // The nearest start still ahead, else the most recent one.
                let open = self.projects.iter().filter(|p| p.closed_at.is_none());
                let dated: Vec<(String, NaiveDate, i64)> = open
                    .map(|p| (p.key.clone(), p.start, blockers::days_to_start(p, self.now)))
                    .collect();
                dated
                    .iter()
                    .filter(|d| d.2 >= 0)
                    .min_by_key(|d| d.2)
                    .or_else(|| dated.iter().max_by_key(|d| d.2))
                    .cloned()
            }
        }
    }

    /// Applies the filter and the sort to the tracker, keeping the selection, after
    /// the items, their blockers or the sort changed.
    fn refilter(&mut self) {
        self.order.clear();
        self.apply_filter();
    }

    /// Applies the filter to the items in their sorted order (sorted again only when
    /// `refilter` cleared it): a keystroke in the filter costs one pass, no sort.
    fn apply_filter(&mut self) {
        let keep = self
            .pane_selection(Pane::Tracker)
            .map(|i| self.items[i].item.rowid);
        if self.order.len() != self.items.len() {
            self.order = (0..self.items.len()).collect();
            self.resort();
        }
        let q = Query::parse(&self.filter.text);
        let state = self.filter.state;
        let items = &self.items;
        let hay = &self.haystacks;
        self.tracker = self
            .order
            .iter()
            .copied()
            .filter(|&i| {
                state.is_none_or(|s| items[i].item.state == s) && q.matches(&items[i], hay.get(i))
            })
            .collect();
        self.query_problem = q.problem;
        if let Some(r) = keep {
            self.select_rowid(Pane::Tracker, r);
        }
        self.clamp_cursors();
    }

    fn resort(&mut self) {
        let items = &self.items;
        let (col, rev) = (self.sort, self.sort_reverse);
        let text = |f: &crate::domain::ItemFields| -> Option<String> {
            match col {
                Column::System => Some(f.system.to_lowercase()),
                Column::Purpose => Some(f.purpose.to_lowercase()),
                Column::Role => Some(f.role.to_lowercase()),
                Column::Owner => Some(f.credential_owner.to_lowercase()),
                _ => None,
            }
        };
        if text(&ItemFields::default()).is_some() {
            // Text columns: lower-case each value once, not at every comparison
            // (a hundred thousand items take ~1.7 million comparisons).
            self.order.sort_by_cached_key(|&i| {
                let it = &items[i].item;
                (
                    text(&it.fields).unwrap_or_default(),
                    it.project.clone(),
                    it.number,
                )
            });
            if rev {
                // Keys are unique (they end with the id): reversing is the reverse order.
                self.order.reverse();
            }
            return;
        }
        self.order.sort_by(|&a, &b| {
            let ord = cmp_column(col, &items[a], &items[b])
                .then_with(|| cmp_id(&items[a].item, &items[b].item));
            if rev { ord.reverse() } else { ord }
        });
    }

    fn select_rowid(&mut self, pane: Pane, rowid: i64) {
        let Some(&ix) = self.rowid_ix.get(&rowid) else {
            return;
        };
        let pos = match pane {
            Pane::Tracker => self.tracker.iter().position(|&i| i == ix),
            Pane::Queue => self.queue.iter().position(|e| e.ix == ix),
            Pane::Blockers => self.blockers.iter().position(|&i| i == ix),
        };
        if let Some(p) = pos {
            self.cursors[pane.index()].selected = p;
        }
    }

    fn clamp_cursors(&mut self) {
        for pane in Pane::ALL {
            let len = self.pane_len(pane);
            let visible = self.visible_rows(pane);
            let c = &mut self.cursors[pane.index()];
            c.selected = c.selected.min(len.saturating_sub(1));
            c.offset = layout::scroll_offset(c.offset, c.selected, visible, len);
        }
    }

    fn set_status(&mut self, kind: StatusKind, text: impl Into<String>) {
        self.status = Some(Status {
            kind,
            text: text.into(),
        });
    }

    fn show_error(&mut self, e: store::Error) {
        match e {
            store::Error::Refused(r) => self.set_status(
                StatusKind::Refused,
                format!("refused ({}): {}", r.rule, r.message()),
            ),
            store::Error::Conflict(m) => {
                self.set_status(
                    StatusKind::Error,
                    format!("conflict: {m} (reloaded; nothing was overwritten)"),
                );
                self.reload();
            }
            other => self.set_status(StatusKind::Error, other.to_string()),
        }
    }

    // ---- update ----------------------------------------------------------------------

    /// Applies one message: the only place state changes and the store is called.
    pub fn update(&mut self, msg: Msg) {
        let from_user = !matches!(msg, Msg::Tick(_) | Msg::Reload | Msg::Resize(..));
        if from_user {
            // A message stays until the next thing the person does.
            self.status = None;
        }
        match msg {
            Msg::Quit => self.quit = true,
            Msg::ShowPane(p) => {
                self.pane = p;
                self.detail = None;
            }
            Msg::NextPane => self.pane = self.pane.next(),
            Msg::PrevPane => self.pane = self.pane.prev(),
            Msg::Up => self.step(-1),
            Msg::Down => self.step(1),
            Msg::PageUp => self.step(-self.page()),
            Msg::PageDown => self.step(self.page()),
            Msg::Top => self.step(isize::MIN / 2),
            Msg::Bottom => self.step(isize::MAX / 2),
            Msg::OpenDetail => self.open_detail(),
            Msg::Back => {
                if matches!(self.modal, Some(Modal::Help { .. })) {
                    self.modal = None;
                } else {
                    self.detail = None;
                }
            }
            Msg::ToggleHelp => {
                self.modal = match self.modal {
                    Some(Modal::Help { .. }) => None,
                    _ => Some(Modal::Help { scroll: 0 }),
                }
            }
            Msg::StartFilter => {
                self.pane = Pane::Tracker;
                self.modal = Some(Modal::Filter {
                    input: Input::new(self.filter.text.clone()),
                    previous: self.filter.text.clone(),
                });
            }
            Msg::FilterInput(key) => {
                if let Some(Modal::Filter { input, .. }) = &mut self.modal {
                    input.handle_event(&TermEvent::Key(key));
                    self.filter.text = input.value().to_string();
                    self.apply_filter();
                }
            }
            Msg::ApplyFilter => self.modal = None,
            Msg::CancelFilter => {
                if let Some(Modal::Filter { previous, .. }) = self.modal.take() {
                    self.filter.text = previous;
                    self.apply_filter();
                }
            }
            Msg::ClearFilter => {
                self.filter = Filter::default();
                self.apply_filter();
            }
            Msg::CycleStateFilter => {
                self.filter.state = match self.filter.state {
                    None => State::ALL.first().copied(),
                    Some(s) => State::ALL
                        .iter()
                        .position(|x| *x == s)
                        .and_then(|i| State::ALL.get(i + 1))
                        .copied(),
                };
                self.apply_filter();
            }
            Msg::CycleSort => {
                self.sort = self.sort.next();
                self.refilter();
            }
            Msg::ReverseSort => {
                self.sort_reverse = !self.sort_reverse;
                self.refilter();
            }
            Msg::CycleProject => self.cycle_project(),
            Msg::NewItem => self.new_item(),
            Msg::Act(kind) => self.start_move(kind, false),
            Msg::ApproveWithConditions => self.start_move(ActionKind::Approve, true),
            Msg::Explain(kind) => self.explain(kind),
            Msg::FormInput(key) => {
                if let Some(Modal::Form(f)) = &mut self.modal {
                    f.input(key);
                }
            }
            Msg::Paste(text) => match &mut self.modal {
                Some(Modal::Form(f)) => f.paste(&text),
                Some(Modal::Filter { input, .. }) => {
                    for c in text.chars().filter(|c| !c.is_control()) {
                        input.handle(tui_input::InputRequest::InsertChar(c));
                    }
                    self.filter.text = input.value().to_string();
                    self.apply_filter();
                }
                _ => {}
            },
            Msg::FormNext => self.with_form(Form::next),
            Msg::FormPrev => self.with_form(Form::prev),
            Msg::FormCycle => self.with_form(|f| f.cycle(true)),
            Msg::FormCycleBack => self.with_form(|f| f.cycle(false)),
            Msg::FormSave => self.save_form(),
            Msg::FormCancel => {
                self.modal = None;
                self.set_status(StatusKind::Info, "cancelled: nothing was saved");
            }
            Msg::Confirm => {
                if let Some(Modal::Confirm(c)) = self.modal.take() {
                    self.run(&c.id, c.version, &c.action);
                }
            }
            Msg::ConfirmCancel => {
                self.modal = None;
                self.set_status(StatusKind::Info, "cancelled: nothing was changed");
            }
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.clamp_cursors();
            }
            Msg::Tick(now) => self.keeping_selection(|app| {
                app.now = now;
                // The queue does not follow the clock; blockers only where a moment
                // came; the header always (days to start).
                if app.tick_blockers() {
                    app.compute_blockers();
                    app.refilter();
                }
                app.compute_stats();
                app.clamp_cursors();
            }),
            Msg::Reload => self.refresh(),
            Msg::Click(x, y) => self.click(x, y),
        }
    }

    fn with_form(&mut self, f: impl FnOnce(&mut Form)) {
        if let Some(Modal::Form(form)) = &mut self.modal {
            f(form);
        }
    }

    fn page(&self) -> isize {
        let rows = match self.context() {
            Ctx::Detail | Ctx::Help => usize::from(self.areas().body.height.saturating_sub(2)),
            _ => self.visible_rows(self.pane),
        };
        isize::try_from(rows.max(1)).unwrap_or(1)
    }

    /// Moves the selection (or the scroll of the detail view or help) by `delta`.
    fn step(&mut self, delta: isize) {
        let clamp = |pos: usize, len: usize| -> usize {
            let p = pos.saturating_add_signed(delta);
            p.min(len.saturating_sub(1))
        };
        match self.context() {
            Ctx::Help => {
                let len = widgets::help::lines(self).len();
                if let Some(Modal::Help { scroll }) = &mut self.modal {
                    *scroll = clamp(*scroll, len);
                }
            }
            Ctx::Detail => {
                let len = self.detail_len();
                if let Some(d) = &mut self.detail {
                    d.scroll = clamp(d.scroll, len);
                }
            }
            _ => {
                let pane = self.pane;
                let len = self.pane_len(pane);
                let visible = self.visible_rows(pane);
                let c = &mut self.cursors[pane.index()];
                c.selected = clamp(c.selected, len);
                c.offset = layout::scroll_offset(c.offset, c.selected, visible, len);
            }
        }
    }

    /// Lines of the detail view at the current width (for scrolling).
    fn detail_len(&self) -> usize {
        let width = self.areas().body.width.saturating_sub(2);
        match self
            .detail
            .as_ref()
            .and_then(|d| self.view(d.rowid).map(|v| (d, v)))
        {
            Some((d, v)) => panes::detail::columns(self, v, d, width).len(),
            None => 0,
        }
    }

    fn open_detail(&mut self) {
        let Some(v) = self.selected() else { return };
        let (rowid, id) = (v.item.rowid, v.item.id());
        match self.store.history(&id) {
            Ok(history) => {
                self.detail = Some(Detail {
                    rowid,
                    id,
                    scroll: 0,
                    history,
                })
            }
            Err(e) => self.show_error(e),
        }
    }

    fn cycle_project(&mut self) {
        let keys: Vec<String> = self.projects.iter().map(|p| p.key.clone()).collect();
        self.scope = match &self.scope {
            None => keys.first().cloned(),
            Some(k) => keys
                .iter()
                .position(|x| x == k)
                .and_then(|i| keys.get(i + 1))
                .cloned(),
        };
        self.cursors = [Cursor::default(); 3];
        self.detail = None;
        self.reload();
    }

    fn new_item(&mut self) {
        if !self.can_add() {
            self.set_status(
                StatusKind::Refused,
                "refused (role-required): adding items needs the role admin or coordinator",
            );
            return;
        }
        let open: Vec<String> = self
            .projects
            .iter()
            .filter(|p| p.closed_at.is_none())
            .map(|p| p.key.clone())
            .collect();
        let scope = self
            .scope
            .as_deref()
            .filter(|s| open.iter().any(|k| k == s));
        self.modal = Some(Modal::Form(Box::new(Form::add(
            &open,
            scope,
            &self.people,
            &self.login,
        ))));
    }

    fn explain(&mut self, kind: ActionKind) {
        match self.refusal(kind) {
            None => self.set_status(StatusKind::Info, "no item selected"),
            Some(Err(r)) => self.set_status(
                StatusKind::Refused,
                format!("refused ({}): {}", r.rule, r.message()),
            ),
            // Things changed since the key was looked up: the move is allowed now.
            Some(Ok(())) => self.start_move(kind, false),
        }
    }

    /// Starts a move on the selected item: checks it, then opens its form, asks for
    /// confirmation or makes it.
    fn start_move(&mut self, kind: ActionKind, with_conditions: bool) {
        match self.refusal(kind) {
            None => return self.set_status(StatusKind::Info, "no item selected"),
            Some(Err(r)) => {
                return self.set_status(
                    StatusKind::Refused,
                    format!("refused ({}): {}", r.rule, r.message()),
                );
            }
            Some(Ok(())) => {}
        }
        let Some(item) = self.selected().map(|v| v.item.clone()) else {
            return;
        };
        if kind == ActionKind::Edit {
            self.modal = Some(Modal::Form(Box::new(Form::edit(&item, &self.people))));
            return;
        }
        match Form::for_move(&item, kind, with_conditions) {
            Some(form) => self.modal = Some(Modal::Form(Box::new(form))),
            None => {
                let action = match kind {
                    ActionKind::Unblock => Action::Unblock,
                    _ => Action::Approve { conditions: None },
                };
                self.run(&item.id(), item.version, &action);
            }
        }
    }

    /// Makes a move through the store, based on the version the screen showed.
    fn run(&mut self, id: &str, version: i64, action: &Action) {
        match self.store.act(id, action, Some(version)) {
            Ok(item) => {
                let mut text = format!("{id} {}: now {}", action.kind().name(), item.state);
                if item.state == State::Requested && action.kind() == ActionKind::Approve {
                    let missing: Vec<&str> = item
                        .missing_approvals()
                        .iter()
                        .map(|c| c.as_str())
                        .collect();
                    text.push_str(&format!(" (still needed: {})", missing.join(", ")));
                }
                self.set_status(StatusKind::Done, text);
                self.refresh();
            }
            Err(e) => self.show_error(e),
        }
    }

    fn save_form(&mut self) {
        let mut form = match self.modal.take() {
            Some(Modal::Form(f)) => f,
            other => {
                self.modal = other;
                return;
            }
        };
        form.tried = true;
        if let Some(attempt) = form.secret() {
            // Counted once per save attempt, as the CLI counts each refused command;
            // the value itself never leaves the form.
            let counted = self
                .store
                .record_unsafe_attempt(form.project.as_deref(), form.item_id(), &attempt)
                .is_ok();
            self.set_status(
                StatusKind::Refused,
                format!(
                    "refused (no-credentials-in-text): {} looks like a credential ({}); nothing was saved{}",
                    attempt.field,
                    attempt.detector,
                    if counted { " and the attempt was recorded" } else { "" }
                ),
            );
            self.modal = Some(Modal::Form(form));
            return;
        }
        if let Some((i, p)) = form.problems().into_iter().next() {
            let label = form.fields.get(i).map(|f| f.label).unwrap_or("a field");
            self.set_status(
                StatusKind::Refused,
                format!("not saved: {label}: {}", p.text),
            );
            self.modal = Some(Modal::Form(form));
            return;
        }
        match form.purpose.clone() {
            Purpose::Add => {
                let Some(project) = form.project.clone() else {
                    self.set_status(StatusKind::Refused, "not saved: choose a project");
                    self.modal = Some(Modal::Form(form));
                    return;
                };
                match self.store.add_item(&project, form.item_fields()) {
                    Ok(item) => {
                        self.set_status(
                            StatusKind::Done,
                            format!(
                                "{} added ({}); submit it with u when complete",
                                item.id(),
                                item.state
                            ),
                        );
                        self.refresh();
                        self.select_rowid(self.pane, item.rowid);
                        self.clamp_cursors();
                    }
                    Err(e) => {
                        self.modal = Some(Modal::Form(form));
                        self.show_error(e);
                    }
                }
            }
            Purpose::Edit { id, version, .. } => {
                let patch = form.patch();
                if patch.is_empty() {
                    self.set_status(StatusKind::Info, "nothing changed");
                    return;
                }
                match self.store.edit_item(&id, version, &patch) {
                    Ok(item) => {
                        self.set_status(
                            StatusKind::Done,
                            format!("{id} saved (version {}, now {})", item.version, item.state),
                        );
                        self.refresh();
                    }
                    Err(store::Error::Conflict(m)) => {
                        // Never retried on top of the newer version: the person sees
                        // what changed and edits again.
                        self.set_status(
                            StatusKind::Error,
                            format!("conflict: {m} — your edit was not saved; the item was reloaded, press e to edit again"),
                        );
                        self.reload();
                    }
                    Err(e) => {
                        self.modal = Some(Modal::Form(form));
                        self.show_error(e);
                    }
                }
            }
            Purpose::Move { id, version, kind } => {
                let Some(action) = form.action() else { return };
                if kind.is_irreversible() {
                    let system = self
                        .selected()
                        .map(|v| v.item.fields.system.clone())
                        .unwrap_or_default();
                    self.modal = Some(Modal::Confirm(Confirm {
                        prompt: format!(
                            "{} {id} {system}? This cannot be undone by you.",
                            capitalised(kind.name())
                        ),
                        id,
                        version,
                        action,
                    }));
                } else {
                    self.run(&id, version, &action);
                }
            }
        }
    }

    fn click(&mut self, x: u16, y: u16) {
        if self.modal.is_some() {
            return;
        }
        let a = self.areas();
        let inside = |r: Rect| x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
        if inside(a.tabs) {
            if let Some(p) = widgets::header::tab_at(self, x - a.tabs.x) {
                self.pane = p;
                self.detail = None;
            }
            return;
        }
        if self.detail.is_none() && inside(a.body) {
            let first = a.body.y + 2 + if self.pane == Pane::Blockers { 1 } else { 0 };
            if y < first {
                return;
            }
            let pane = self.pane;
            let len = self.pane_len(pane);
            let c = &mut self.cursors[pane.index()];
            let row = c.offset + usize::from(y - first);
            if row < len {
                c.selected = row;
            }
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Local time of an event, for the history (an unreadable time shows as stored).
pub(crate) fn event_time(e: &Event, tz: Tz) -> String {
    e.at_utc()
        .map(|t| super::format::local_time(t, tz))
        .unwrap_or_else(|| e.at.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(n: i64, system: &str) -> ItemView {
        let fields = ItemFields {
            system: system.to_string(),
            ..Default::default()
        };
        let now = DateTime::<Utc>::UNIX_EPOCH;
        ItemView {
            item: Item::new("ACME", n, fields, "ana", now),
            reasons: Vec::new(),
            blocked_since: None,
        }
    }

    #[test]
    fn search_texts_follow_their_items_through_changes_and_compaction() {
        let mut items: Vec<ItemView> = (1..=50).map(|n| view(n, &format!("Stripe {n}"))).collect();
        let mut h = Haystacks::build(&items);
        // Enough changes to make most of the buffer stale, and compact it more than once.
        for round in 0..5 {
            for (i, v) in items.iter_mut().enumerate().filter(|(i, _)| i % 3 != 0) {
                *v = view(i as i64 + 1, &format!("GitHub Ω{round} {i}"));
                h.replace(i, v);
            }
        }
        items.push(view(51, "Shopify"));
        h.push(&items[50]);
        assert!(h.stale <= h.text.len() / 2, "compacted");
        for (i, v) in items.iter().enumerate() {
            assert_eq!(h.get(i), haystack(v), "item {i}");
        }
        assert!(h.get(1).contains("github ω4 1"), "{}", h.get(1));
        assert!(h.get(50).contains("shopify"));
    }
}
