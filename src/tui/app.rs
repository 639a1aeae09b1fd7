//! The application state and its one `update`. Keys become messages through the key
//! table (`handle_key`); `update` is the only place that changes state or calls the
//! store; drawing only reads. Everything the panes show is derived here when the data,
//! the filter, the sort or the clock changes — never while drawing — so a frame costs
//! the same with ten items or a hundred thousand.

use super::form::Form;
use super::keymap::{self, Ctx};
use super::layout;
use super::msg::Msg;
use super::theme::Theme;
use super::{panes, widgets};
use crate::domain::blockers::{self, Readiness};
use crate::domain::machine::{self, Action, ActionKind};
use crate::domain::{Capacity, Item, ItemFields, Person, Project, Role, State};
use crate::store::{self, Event, ItemFilter, ItemView, Store};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use crossterm::event::{Event as TermEvent, KeyEvent};
use ratatui::layout::Rect;
use std::collections::{BTreeMap, HashMap};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

mod moves;

pub use super::index::{Column, Filter, Query, risk_rank};
use super::index::{cmp_column, cmp_id, haystack};

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
    haystacks: Vec<String>,
    pub(crate) tasks_by_item: HashMap<String, Vec<String>>,
    /// Width of the longest item id (the ID columns are exactly this wide).
    pub(crate) id_width: u16,
    /// Indices into `items`: filtered and sorted.
    pub(crate) tracker: Vec<usize>,
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
    quit: bool,
}

impl App {
    /// Loads everything the screen shows, acting as the store's OS account.
    pub fn new(store: Store, theme: Theme) -> store::Result<App> {
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
            haystacks: Vec::new(),
            tasks_by_item: HashMap::new(),
            id_width: 2,
            tracker: Vec::new(),
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
            quit: false,
        };
        app.load()?;
        app.rebuild();
        Ok(app)
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

    fn load(&mut self) -> store::Result<()> {
        self.now = self.store.now();
        // Read the version before the data: a commit in between shows up as one more
        // reload, never as a missed one.
        self.data_version = self.store.data_version()?;
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
        let filter = ItemFilter {
            project: self.scope.clone(),
            ..ItemFilter::default()
        };
        self.items = self.store.list_items(&filter)?;
        let mut tasks_by_item: HashMap<String, Vec<String>> = HashMap::new();
        for t in self.store.tasks(self.scope.as_deref())? {
            for need in &t.needs {
                tasks_by_item.entry(need.clone()).or_default().push(t.id());
            }
        }
        self.tasks_by_item = tasks_by_item;
        if let Some(d) = &mut self.detail {
            d.history = self.store.history(&d.id)?;
        }
        Ok(())
    }

    /// Reloads from the store, keeping each pane's selected item selected.
    fn reload(&mut self) {
        self.keeping_selection(|app| {
            if let Err(e) = app.load() {
                app.set_status(StatusKind::Error, format!("could not reload: {e}"));
            }
            app.rebuild();
        });
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
        self.haystacks = self.items.iter().map(haystack).collect();
        let longest = self
            .items
            .iter()
            .map(|v| v.item.project.len() + 1 + v.item.number.to_string().len())
            .max();
        self.id_width = u16::try_from(longest.unwrap_or(2))
            .unwrap_or(u16::MAX)
            .max(2);
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
        for v in &mut self.items {
            let Some(p) = self
                .project_ix
                .get(&v.item.project)
                .and_then(|&i| self.projects.get(i))
            else {
                continue;
            };
            v.reasons = blockers::reasons(&v.item, p, now, settings);
            v.blocked_since = if v.reasons.is_empty() {
                None
            } else {
                blockers::spell_start(&v.item, p, now, settings)
            };
        }
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
        let start = match &self.scope {
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
        };
        self.stats = Stats {
            readiness,
            open_blockers: self.blockers.len(),
            oldest_blocker: oldest,
            start,
        };
    }

    /// Applies the filter and the sort to the tracker, keeping the selection.
    fn refilter(&mut self) {
        let keep = self
            .pane_selection(Pane::Tracker)
            .map(|i| self.items[i].item.rowid);
        let q = Query::parse(&self.filter.text);
        let state = self.filter.state;
        let items = &self.items;
        let hay = &self.haystacks;
        self.tracker = (0..items.len())
            .filter(|&i| {
                state.is_none_or(|s| items[i].item.state == s) && q.matches(&items[i], &hay[i])
            })
            .collect();
        self.query_problem = q.problem;
        self.resort();
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
            self.tracker.sort_by_cached_key(|&i| {
                let it = &items[i].item;
                (
                    text(&it.fields).unwrap_or_default(),
                    it.project.clone(),
                    it.number,
                )
            });
            if rev {
                // Keys are unique (they end with the id): reversing is the reverse order.
                self.tracker.reverse();
            }
            return;
        }
        self.tracker.sort_by(|&a, &b| {
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
                format!("refused ({}): {}", r.rule, r.message),
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
                    self.refilter();
                }
            }
            Msg::ApplyFilter => self.modal = None,
            Msg::CancelFilter => {
                if let Some(Modal::Filter { previous, .. }) = self.modal.take() {
                    self.filter.text = previous;
                    self.refilter();
                }
            }
            Msg::ClearFilter => {
                self.filter = Filter::default();
                self.refilter();
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
                self.refilter();
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
                    self.refilter();
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
                app.recompute_blockers();
                app.rederive();
            }),
            Msg::Reload => self.reload(),
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

/// Local time of an event, for the history (an unreadable time shows as stored).
pub(crate) fn event_time(e: &Event, tz: Tz) -> String {
    e.at_utc()
        .map(|t| super::format::local_time(t, tz))
        .unwrap_or_else(|| e.at.clone())
}
