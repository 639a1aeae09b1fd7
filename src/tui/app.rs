//! The application: its state, what the key table and the screen ask of it, and its
//! one `update` (in `update.rs`, with loading in `load.rs` and the moves and forms in
//! `actions.rs`). Keys become messages through the key table; `update` is the only
//! place that changes state or calls the store; drawing only reads.

use super::keymap::{self, Ctx, Facts};
use super::layout;
use super::msg::Msg;
use super::state::{Cursor, Detail, Filter, Modal, Pane, ReviewPane, Status, StatusKind};
use super::theme::Theme;
use super::views::Views;
use crate::domain::machine::{self, ActionKind};
use crate::domain::{Item, Person, Project};
use crate::store::{self, ItemView, Store};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The whole state of the terminal UI.
pub struct App {
    pub(super) store: Store,
    pub(crate) theme: Theme,
    pub(crate) tz: Tz,
    /// The clock as of the last reload or tick (ages are computed against it).
    pub(crate) now: DateTime<Utc>,
    pub(crate) login: String,
    pub(crate) me: Option<Person>,
    pub(crate) people: Vec<Person>,
    pub(crate) projects: Vec<Project>,
    pub(super) project_ix: HashMap<String, usize>,
    /// `None` shows all projects.
    pub(crate) scope: Option<String>,
    /// The items and everything derived from them.
    pub(crate) views: Views,
    pub(crate) cursors: [Cursor; Pane::COUNT],
    pub(crate) sort: crate::tui::state::Column,
    pub(crate) sort_reverse: bool,
    pub(crate) filter: Filter,
    pub(crate) pane: Pane,
    pub(crate) detail: Option<Detail>,
    pub(crate) modal: Option<Modal>,
    pub(crate) status: Option<Status>,
    pub(crate) size: (u16, u16),
    pub(super) data_version: i64,
    /// Items counted but not loaded yet: the first frame is drawn from an aggregate
    /// (readiness, counts) before the items arrive. `None` once they are loaded.
    pub(crate) pending: Option<usize>,
    /// Set from the moment every item is read until what derives from them (the
    /// queue, the blockers, the tasks, the radar, the header's counts, the saved views'
    /// counts) is worked out: meanwhile the tracker may already list every item.
    pub(crate) deriving: bool,
    /// Items per reader when the items are read on several threads, set by tests to
    /// read a small file on several (`None`: as many as the host and the file call
    /// for, see `store::parallel`).
    pub(crate) rows_per_reader: Option<usize>,
    /// Per project (parallel to `projects`): its date when blockers were last assessed.
    pub(super) project_days: Vec<NaiveDate>,
    /// The latest `updated_at` among the loaded items: a live update re-reads only the
    /// items changed since (less a margin, see `load::CHANGE_MARGIN`).
    pub(super) seen_updated: Option<DateTime<Utc>>,
    pub(super) quit: bool,
    /// Items picked in the queue for a decision on several at once.
    pub(crate) picked: Vec<super::state::Pick>,
    /// Text to put on the terminal's clipboard (OSC 52) after this update.
    pub(super) clipboard: Option<String>,
    /// The access reviews pane (loaded when it shows).
    pub(crate) reviews: ReviewPane,
    /// The decision just made, while it may be undone.
    pub(crate) undo: Option<super::state::Ticket>,
    /// The personal configuration: rebound keys, saved views.
    pub(crate) personal: super::personal::Personal,
    /// The tasks of the projects in view (pane 5).
    pub(crate) tasks: super::state::TaskPane,
    /// The tasks read beside the items, with the row ids of what they need, until
    /// [`App::settle_tasks`] takes them in.
    pub(super) tasks_by_rows: Option<Vec<crate::domain::Task>>,
    /// The dashboard's report and trend (see `dashboard.rs`).
    pub(crate) dashboard: Option<super::state::DashboardData>,
    /// The full item last asked for (the selected one), as read from the store when
    /// the selection or the rows last changed: (row id, the rows' generation, item).
    full: Mutex<Option<(i64, u64, Arc<ItemView>)>>,
}

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
            views: Views::default(),
            cursors: [Cursor::default(); Pane::COUNT],
            sort: crate::tui::state::Column::Id,
            sort_reverse: false,
            filter: Filter::default(),
            pane: Pane::Tracker,
            detail: None,
            modal: None,
            status: None,
            size: (80, 24),
            data_version: 0,
            pending: None,
            deriving: false,
            rows_per_reader: None,
            project_days: Vec::new(),
            seen_updated: None,
            quit: false,
            picked: Vec::new(),
            clipboard: None,
            reviews: ReviewPane::default(),
            undo: None,
            personal: Default::default(),
            tasks: super::state::TaskPane::default(),
            tasks_by_rows: None,
            dashboard: None,
            full: Mutex::new(None),
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

    /// Whether the items are still to be loaded, or what derives from them still to be
    /// worked out (see [`App::start`]).
    pub fn loading(&self) -> bool {
        self.pending.is_some() || self.deriving
    }

    /// Loads the items after [`App::start`], and derives every pane from them.
    pub fn finish_loading(&mut self) -> store::Result<()> {
        while self.loading() {
            self.load_next()?;
        }
        Ok(())
    }

    /// The next stage of loading after [`App::start`], the screen drawn after each:
    /// first every item, listed by the tracker at once when it is what shows and no
    /// saved view narrows it; then the panes and figures derived from them.
    pub fn load_next(&mut self) -> store::Result<()> {
        if self.pending.is_some() {
            // What the tasks need is made into item ids with the other panes.
            self.load_first()?;
            self.pending = None;
            self.deriving = true;
            self.views.unsort();
            if self.tracker_first() {
                self.views
                    .filter(&self.filter, self.sort, self.sort_reverse);
                self.clamp_cursors();
                return Ok(());
            }
        }
        self.settle_tasks()?;
        // The tracker's order, once made, is the one of the items as they are.
        self.derive_panes();
        self.apply_filter();
        self.deriving = false;
        self.load_reviews();
        self.follow_dashboard();
        // The selected item as it is now, kept for the keys that act on it.
        let _ = self.selected();
        Ok(())
    }

    /// Whether the tracker can list every item before the other panes are derived:
    /// when it is the pane in view, no item's detail is open, and no saved view narrows
    /// it (a view's items are known only once the panes are). Its rows, order and
    /// filter read nothing else.
    fn tracker_first(&self) -> bool {
        self.pane == Pane::Tracker && self.detail.is_none() && self.personal.view().is_none()
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

    /// The project shown (`None`: all projects).
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    pub fn status(&self) -> Option<&Status> {
        self.status.as_ref()
    }

    fn ids(&self, pane: Pane) -> Vec<String> {
        (0..self.views.len(pane))
            .filter_map(|pos| self.views.row(pane, pos))
            .filter_map(|ix| self.views.get(ix))
            .map(|v| v.id())
            .collect()
    }

    /// The ids the tracker shows, in order.
    pub fn tracker_ids(&self) -> Vec<String> {
        self.ids(Pane::Tracker)
    }

    /// The ids in the approval queue, in order.
    pub fn queue_ids(&self) -> Vec<String> {
        self.ids(Pane::Queue)
    }

    /// The ids of the tasks pane, in order.
    pub fn task_ids(&self) -> Vec<String> {
        self.tasks.rows.iter().map(|r| r.task.id()).collect()
    }

    /// The ids in the blockers pane, in order.
    pub fn blocker_ids(&self) -> Vec<String> {
        self.ids(Pane::Blockers)
    }

    /// The ids on the expiry radar (pane 6), in order.
    pub fn expiring_ids(&self) -> Vec<String> {
        self.ids(Pane::Expiring)
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

    /// The form being filled in, if one is open.
    pub fn form(&self) -> Option<&super::form::Form> {
        match &self.modal {
            Some(Modal::Form(f)) => Some(f),
            _ => None,
        }
    }

    // ---- what the key table asks -----------------------------------------------------

    /// Where the keys go now.
    pub fn context(&self) -> Ctx {
        match &self.modal {
            Some(Modal::Help { .. } | Modal::Notice { .. }) => Ctx::Help,
            Some(Modal::Filter { .. }) => Ctx::Filter,
            Some(Modal::Form(_)) => Ctx::Form,
            Some(Modal::Confirm(_)) => Ctx::Confirm,
            Some(Modal::Choose(_)) => Ctx::Choose,
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

    /// What the key table's predicates need to know now.
    pub fn facts(&self) -> Facts {
        let selected = self.selected();
        // Overlays offer no moves: do not ask the state machine for them.
        let allowed = match (self.context(), selected.as_ref()) {
            (Ctx::Form | Ctx::Filter | Ctx::Confirm, _) | (_, None) => Vec::new(),
            (_, Some(_)) if self.bulk_mode() => super::state::Pick::MOVES.to_vec(),
            (_, Some(v)) => self
                .project_of(&v.item)
                .map(|p| machine::allowed(&v.item, p, self.me.as_ref(), &self.login))
                .unwrap_or_default(),
        };
        let mut facts = Facts {
            ctx: self.context(),
            base: self.base_context(),
            selection: selected.is_some(),
            allowed,
            can_add: self.can_add(),
            filter_active: match self.pane {
                Pane::Blockers => !self.views.blockers_text.is_empty(),
                _ => self.filter != Filter::default(),
            },
            choice_focus: self.form().is_some_and(|f| f.focus_is_choice()),
            picked: if self.bulk_mode() {
                self.picked.len()
            } else {
                0
            },
            project_actions: self.may_act_on_project(),
            may_delegate: self.may_delegate(),
            undo: self.may_undo(),
            keys: self.personal.keys.clone(),
            views_defined: !self.personal.views.is_empty(),
            view_shown: self.personal.view().is_some(),
            ..Facts::default()
        };
        self.review_facts(&mut facts);
        self.task_facts(&mut facts);
        if self.store.is_read_only() {
            super::read_only::no_writes(&mut facts);
        }
        facts
    }

    /// `Some(Err)` with the rule when the move is refused, `None` without a selection.
    pub(super) fn refusal(&self, kind: ActionKind) -> Option<Result<(), crate::domain::Refusal>> {
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
    pub(super) fn can_add(&self) -> bool {
        machine::can_manage(self.me.as_ref()) && self.projects.iter().any(|p| p.closed_at.is_none())
    }

    /// Maps a key press to a message through the key table.
    pub fn handle_key(&self, key: KeyEvent) -> Option<Msg> {
        keymap::lookup(&self.facts(), &key)
    }

    // ---- derived data ----------------------------------------------------------------

    pub(crate) fn project_of(&self, item: &Item) -> Option<&Project> {
        self.project_ix
            .get(&item.project)
            .and_then(|&i| self.projects.get(i))
    }

    /// Index into the items of the selected row of `pane`.
    pub(super) fn pane_selection(&self, pane: Pane) -> Option<usize> {
        self.views.row(pane, self.cursors[pane.index()].selected)
    }

    /// The item the keys act on: the detail view's, else the pane's selected row.
    pub(crate) fn selected(&self) -> Option<Arc<ItemView>> {
        let ix = match &self.detail {
            Some(d) => self.views.index_of(d.rowid)?,
            None => self.pane_selection(self.pane)?,
        };
        self.full_view(ix)
    }

    /// The full item of row `ix` with the row's blockers. The rows keep only what the
    /// lists need: the item is read from the store when first asked for after the
    /// selection or the rows changed, and kept until then — so a move acts on the item
    /// as the person last saw it, and a change made meanwhile is refused as stale.
    pub(crate) fn full_view(&self, ix: usize) -> Option<Arc<ItemView>> {
        let row = self.views.get(ix)?;
        let generation = self.views.generation;
        let mut kept = self.full.lock().ok()?;
        if let Some((rowid, g, v)) = kept.as_ref()
            && *rowid == row.rowid
            && *g == generation
        {
            return Some(Arc::clone(v));
        }
        let mut item = match self.store.item(&row.id()) {
            Ok(item) => item,
            // Unreadable just now (the file busy beyond the wait): the item as last
            // read for this row, when there is one, rather than no selection.
            Err(_) => {
                return kept
                    .as_ref()
                    .filter(|(rowid, _, _)| *rowid == row.rowid)
                    .map(|(_, _, v)| Arc::clone(v));
            }
        };
        // Changed by someone else since the row was read: the move still names the
        // version the list shows, so the store refuses it as stale and the list is
        // read again, rather than deciding on content nobody saw.
        item.version = row.version;
        let v = Arc::new(ItemView {
            item,
            reasons: row.reasons.to_vec(),
            blocked_since: row.blocked_since,
        });
        *kept = Some((row.rowid, generation, Arc::clone(&v)));
        Some(v)
    }

    pub(crate) fn pane_len(&self, pane: Pane) -> usize {
        match pane {
            Pane::Reviews => self.reviews.entries.len(),
            Pane::Tasks => self.tasks.rows.len(),
            _ => self.views.len(pane),
        }
    }

    /// Lines the status area needs: a long message wraps (up to a third of the
    /// screen), so a refusal is read in full, not cut at the edge.
    pub(crate) fn status_lines(&self) -> u16 {
        match (&self.status, &self.modal) {
            (_, Some(Modal::Filter { .. })) => 1,
            (Some(s), _) => {
                let text = super::format::clean(&s.text);
                let lines = super::widgets::footer::status_lines(&text, self.size.0)
                    .len()
                    .max(1);
                let most = usize::from(self.size.1 / 3).max(1);
                u16::try_from(lines.min(most)).unwrap_or(1)
            }
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
        let extra = match pane {
            Pane::Blockers => 1,
            Pane::Tracker => self.personal.bar_lines(),
            Pane::Reviews => super::panes::reviews::HEAD_LINES,
            _ => 0,
        };
        layout::table_rows(self.areas().body, extra).max(1)
    }

    pub(super) fn select_rowid(&mut self, pane: Pane, rowid: i64) {
        let Some(ix) = self.views.index_of(rowid) else {
            return;
        };
        if let Some(p) = self.views.position(pane, ix) {
            self.cursors[pane.index()].selected = p;
        }
    }

    pub(super) fn clamp_cursors(&mut self) {
        for pane in Pane::ALL {
            let len = self.pane_len(pane);
            let visible = self.visible_rows(pane);
            let c = &mut self.cursors[pane.index()];
            c.selected = c.selected.min(len.saturating_sub(1));
            c.offset = layout::scroll_offset(c.offset, c.selected, visible, len);
        }
    }

    pub(super) fn set_status(&mut self, kind: StatusKind, text: impl Into<String>) {
        self.status = Some(Status {
            kind,
            text: text.into(),
        });
    }
}
