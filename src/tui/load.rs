//! Reading the store into the app: the header's figures first, then the items, and
//! afterwards only what another process changed. Blockers follow the clock here too:
//! only the items whose next check came, or whose project's date moved on, are
//! assessed again.

use super::app::App;
use super::state::{Column, Filter, Pane, StatusKind};
use super::views::{Stats, assess};
use crate::domain::blockers;
use crate::domain::extension;
use crate::domain::machine::{self, ActionKind};
use crate::store::{self, ItemFilter};
use chrono::NaiveDate;
use std::collections::HashMap;

/// How far before the latest change already seen a live update looks again. A writer
/// stamps a change with the time its transaction began, which may precede a change
/// committed before it by as long as it waited for the write lock.
const CHANGE_MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// Rows read before the other items: more than a terminal shows at once.
const WINDOW_ROWS: usize = 200;

impl App {
    /// The person, the projects and the header's figures, without the items.
    pub(super) fn load_header(&mut self) -> store::Result<()> {
        self.now = self.store.now();
        self.data_version = self.store.data_version()?;
        self.load_people_and_projects()?;
        let (readiness, count) = self.store.readiness(self.scope.as_deref())?;
        self.load_window()?;
        self.views.stats = Stats {
            readiness,
            start: self.start_shown(),
            ..Stats::default()
        };
        self.pending = Some(count);
        Ok(())
    }

    /// The tracker's first screenful, read before the other items so that the first
    /// frame shows rows. Only when the tracker opens in the table's own order (by id,
    /// unfiltered): then its first rows are the first rows read. The header keeps the
    /// aggregate's figures; the other panes wait for every item.
    fn load_window(&mut self) -> store::Result<()> {
        if self.sort != Column::Id || self.sort_reverse || self.filter != Filter::default() {
            return Ok(());
        }
        let items = self.store.first_items(self.scope.as_deref(), WINDOW_ROWS)?;
        self.views
            .replace_items(items, self.now, self.store.settings());
        self.views
            .filter(&self.filter, self.sort, self.sort_reverse);
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

    /// Reads every item of the scope anew; the derived views are emptied with the
    /// old items and filled by `rederive`.
    pub(super) fn load(&mut self) -> store::Result<()> {
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
        self.views.clear();
        let items = self.store.list_items(&filter)?;
        self.seen_updated = items.iter().map(|v| v.item.updated_at).max();
        self.views
            .replace_items(items, self.now, self.store.settings());
        self.note_project_days();
        self.load_tasks()?;
        if let Some(d) = &mut self.detail {
            d.history = self.store.history(&d.id)?;
            d.timeline = self.store.item_timeline(&d.id)?;
        }
        Ok(())
    }

    fn load_tasks(&mut self) -> store::Result<()> {
        let mut tasks_by_item: HashMap<String, Vec<String>> = HashMap::new();
        let list = self.store.tasks(self.scope.as_deref())?;
        for t in &list {
            for need in &t.needs {
                tasks_by_item.entry(need.clone()).or_default().push(t.id());
            }
        }
        self.views.tasks_by_item = tasks_by_item;
        self.tasks.list = list.into_iter().map(std::sync::Arc::new).collect();
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
        for mut v in changed {
            // Blockers as of the screen's clock, like every other item's.
            let next = match self.project_of(&v.item) {
                Some(p) => assess(&mut v, p, now, settings, &self.people),
                None => blockers::next_check(&v.item, v.blocked_since, now, settings),
            };
            self.seen_updated = self.seen_updated.max(Some(v.item.updated_at));
            self.views.upsert(v, next);
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
            d.timeline = self.store.item_timeline(&d.id)?;
        }
        Ok(true)
    }

    /// Reloads from the store, keeping each pane's selected item selected.
    pub(super) fn reload(&mut self) {
        self.keeping_selection(|app| {
            if let Err(e) = app.load() {
                app.set_status(StatusKind::Error, format!("could not reload: {e}"));
            }
            app.rederive();
        });
        self.close_vanished_detail();
    }

    /// Takes in what changed in the store since the last load: only the changed items
    /// are read and indexed again (a full reload when that cannot be done).
    pub(super) fn refresh(&mut self) {
        if self.pending.is_some() {
            return;
        }
        // A changed team setting (stale days, target) moves every item's blockers:
        // those are worked out again from every item.
        let settings = self.store.settings();
        self.store.reload_settings();
        let settings_changed = self.store.settings() != settings;
        self.keeping_selection(|app| {
            match if settings_changed {
                Ok(false)
            } else {
                app.load_changes()
            } {
                Ok(true) => {}
                Ok(false) => {
                    if let Err(e) = app.load() {
                        app.set_status(StatusKind::Error, format!("could not reload: {e}"));
                    }
                }
                Err(e) => app.set_status(StatusKind::Error, format!("could not reload: {e}")),
            }
            app.rederive();
        });
        self.close_vanished_detail();
    }

    fn close_vanished_detail(&mut self) {
        if let Some(d) = &self.detail
            && self.views.index_of(d.rowid).is_none()
        {
            self.detail = None;
        }
    }

    /// Runs `change` and selects again, in each pane, the item that was selected (by
    /// its row id, which survives a reload; the index does not).
    pub(super) fn keeping_selection(&mut self, change: impl FnOnce(&mut App)) {
        let keep: Vec<Option<i64>> = Pane::ALL
            .iter()
            .map(|p| {
                self.pane_selection(*p)
                    .and_then(|i| self.views.get(i))
                    .map(|v| v.item.rowid)
            })
            .collect();
        change(self);
        for (pane, rowid) in Pane::ALL.iter().zip(keep) {
            if let Some(r) = rowid {
                self.select_rowid(*pane, r);
            }
        }
        self.clamp_cursors();
    }

    /// Recomputes what depends on blockers, the clock and the person (the queue, the
    /// blockers pane, the header, the tracker order).
    pub(super) fn rederive(&mut self) {
        self.dashboard_behind();
        let me = self.me.as_ref();
        let (login, projects, project_ix) = (&self.login, &self.projects, &self.project_ix);
        self.views.derive_queue(|item| {
            if !extension::awaits_decision(item) {
                return None;
            }
            let p = project_ix
                .get(&item.project)
                .and_then(|&i| projects.get(i))?;
            machine::guard(item, p, ActionKind::Approve, me, login).ok()?;
            extension::open_decision_capacity(item, me?).ok()
        });
        // What each item holds up orders the blockers.
        self.derive_tasks();
        self.views.derive_blockers(self.now);
        self.derive_expiring();
        let start = self.start_shown();
        self.views.derive_stats(start);
        self.derive_saved();
        self.views.unsort();
        self.apply_filter();
    }

    /// The expiry radar, on each project's today.
    pub(super) fn derive_expiring(&mut self) {
        let now = self.now;
        let today: super::views::FastMap<&str, chrono::NaiveDate> = self
            .projects
            .iter()
            .map(|p| (p.key.as_str(), blockers::today(p, now)))
            .collect();
        self.views.derive_expiring(&today);
    }

    /// Applies the filter (and the sort, when it is out of date) to the tracker,
    /// keeping the selected item selected.
    pub(super) fn apply_filter(&mut self) {
        let keep = self
            .pane_selection(Pane::Tracker)
            .and_then(|i| self.views.get(i))
            .map(|v| v.item.rowid);
        self.views
            .filter(&self.filter, self.sort, self.sort_reverse);
        self.views.narrow();
        if let Some(r) = keep {
            self.select_rowid(Pane::Tracker, r);
        }
        self.clamp_cursors();
    }

    /// Blocker reasons and spells at `self.now` (time alone can start a blocker).
    fn recompute_blockers(&mut self) {
        let settings = self.store.settings();
        let now = self.now;
        let (projects, project_ix, people) = (&self.projects, &self.project_ix, &self.people);
        for (v, next) in self.views.assessments_mut() {
            let Some(p) = project_ix
                .get(&v.item.project)
                .and_then(|&i| projects.get(i))
            else {
                continue;
            };
            *next = assess(v, p, now, settings, people);
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

    /// Brings blockers to `self.now` after the clock moved: only the items whose next
    /// check came, and those of projects whose date changed, are assessed again.
    /// Returns whether any item's blockers changed.
    pub(super) fn tick_blockers(&mut self) -> bool {
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
        let (projects, project_ix, people) = (&self.projects, &self.project_ix, &self.people);
        for (v, next) in self.views.assessments_mut() {
            let came = next.is_some_and(|t| t <= now);
            if !came && !any_new_day {
                continue;
            }
            let pi = project_ix.get(&v.item.project).copied();
            let due = came || pi.is_some_and(|i| new_day.get(i) == Some(&true));
            let Some(p) = pi.and_then(|i| projects.get(i)).filter(|_| due) else {
                continue;
            };
            let before = (std::mem::take(&mut v.reasons), v.blocked_since);
            *next = assess(v, p, now, settings, people);
            changed |= before.0 != v.reasons || before.1 != v.blocked_since;
        }
        if any_new_day {
            self.note_project_days();
        }
        changed
    }

    /// The project whose start the header shows: key, date, days from today.
    pub(super) fn start_shown(&self) -> Option<(String, NaiveDate, i64)> {
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
}
