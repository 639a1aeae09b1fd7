//! Reading the store into the app: the header's figures first, then the items — each
//! made into its row as it streams past, none kept — and afterwards only what another
//! process changed. Blockers follow the clock here too: only the items whose next
//! check came are read and assessed again (every item once a project's date moves on).

use super::app::App;
use super::item_row::For;
use super::state::{Column, Filter, Pane, StatusKind};
use super::views::{Stats, Views};
use crate::domain::Task;
use crate::domain::blockers;
use crate::store::{self, ItemFilter};
use chrono::NaiveDate;
use std::collections::HashMap;

/// How far before the latest change already seen a live update looks again. A writer
/// stamps a change with the time its transaction began, which may precede a change
/// committed before it by as long as it waited for the write lock.
const CHANGE_MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// A project's new day reads its items again by id while they are at most this
/// fraction of the items (one by one, each read costs a look-up through the index);
/// more of them, every item is read again at once.
const NEW_DAY_SHARE: usize = 8;

/// Rows read before the other items: more than a terminal shows at once.
const WINDOW_ROWS: usize = 200;

/// The tasks of a scope, and the ids of those each item holds up.
type Tasks = (Vec<Task>, HashMap<String, Vec<String>>);

/// Tasks with the row ids of what they need, as read beside the items (see
/// [`with_item_ids`]).
type TasksByRows = Vec<Task>;

fn read_tasks(store: &store::Store, scope: Option<&str>) -> store::Result<Tasks> {
    Ok(by_item(store.tasks(scope)?))
}

/// The tasks with the ids of those each item holds up.
fn by_item(list: Vec<Task>) -> Tasks {
    let mut by_item: HashMap<String, Vec<String>> = HashMap::new();
    for t in &list {
        for need in &t.needs {
            by_item.entry(need.clone()).or_default().push(t.id());
        }
    }
    (list, by_item)
}

/// Tasks read with the row ids of what they need ([`store::Store::tasks_needing_rows`])
/// as [`read_tasks`] reads them, once `views` holds every item of the file: each row
/// id becomes its item's id. `None` when a row is not among them (a row gone, or one
/// of a project nobody registered: a file edited outside accessdesk), for
/// [`read_tasks`] to read them by their ids instead.
fn with_item_ids(mut list: Vec<Task>, views: &Views) -> Option<Tasks> {
    for t in &mut list {
        let rows = std::mem::take(&mut t.needs);
        t.needs = rows
            .iter()
            .map(|row| views.view(row.parse().ok()?).map(|v| v.id()))
            .collect::<Option<_>>()?;
    }
    Some(by_item(list))
}

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
        self.read_items(None, Some(WINDOW_ROWS))?;
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
        self.load_at_now()?;
        self.settle_tasks()
    }

    /// [`App::load`] with blockers at the screen's clock as it stands (a tick's), the
    /// tasks read beside the items left for [`App::settle_tasks`] to take in.
    pub(super) fn load_at_now(&mut self) -> store::Result<()> {
        // Read the version before the data: a commit in between shows up as one more
        // reload, never as a missed one.
        self.data_version = self.store.data_version()?;
        self.load_people_and_projects()?;
        self.load_items_at_now()
    }

    /// The first load of the items after [`App::start`], as [`App::load_at_now`] at the
    /// store's clock; the people and the projects the header read are kept when no
    /// other connection has committed since (this one writes nothing in between).
    pub(super) fn load_first(&mut self) -> store::Result<()> {
        self.now = self.store.now();
        match self.store.data_version()? == self.data_version {
            true => self.load_items_at_now(),
            false => self.load_at_now(),
        }
    }

    /// The items of [`App::load_at_now`], with the people and projects as they are.
    fn load_items_at_now(&mut self) -> store::Result<()> {
        // As many as the header counted, or as the last load held.
        let expected = self.pending.unwrap_or(self.views.count());
        let (latest, tasks) = self.read_items(Some(expected), None)?;
        self.seen_updated = latest;
        self.note_project_days();
        match tasks {
            Some(list) => self.tasks_by_rows = Some(list),
            None => self.load_tasks()?,
        }
        if let Some(d) = &mut self.detail {
            d.history = self.store.history(&d.id)?;
            d.timeline = self.store.item_timeline(&d.id)?;
        }
        Ok(())
    }

    /// Takes in the tasks read beside the items, if any, each need's row id made
    /// into its item's id (read again by id when a row is not among the items).
    pub(super) fn settle_tasks(&mut self) -> store::Result<()> {
        let Some(list) = self.tasks_by_rows.take() else {
            return Ok(());
        };
        let tasks = match with_item_ids(list, &self.views) {
            Some(tasks) => tasks,
            None => read_tasks(&self.store, None)?,
        };
        self.take_tasks(tasks);
        Ok(())
    }

    /// Reads the items of the scope as rows (at most `limit`), the old ones dropped
    /// first (with both in memory a reload would hold twice the memory), room made for
    /// `expected` of them; each row is made as its item streams past, and the item is
    /// not kept. Returns the latest change among them, and the tasks of the scope with
    /// the row ids of what they need, when they were read meanwhile (all the items read
    /// on several threads, see [`store::Store::each_item_in_parts`]).
    fn read_items(
        &mut self,
        expected: Option<usize>,
        limit: Option<usize>,
    ) -> store::Result<(Option<chrono::DateTime<chrono::Utc>>, Option<TasksByRows>)> {
        let filter = ItemFilter {
            project: self.scope.clone(),
            ..ItemFilter::default()
        };
        let now = self.now;
        let (store, views) = (&self.store, &mut self.views);
        let who = For::new(self.me.as_ref(), &self.login, now);
        let keys = self.projects.iter().map(|p| p.key.as_str());
        let expected = expected.or(limit).unwrap_or(0);
        views.clear(expected, keys.clone());
        let readers = match self.rows_per_reader {
            Some(n) => (expected / n.max(1)).min(4),
            None => store::Store::item_readers(expected),
        };
        if self.scope.is_none() && limit.is_none() && readers > 0 {
            let (me, login) = (self.me.as_ref(), self.login.as_str());
            let parts = store.each_item_in_parts(
                readers,
                now,
                |rows| {
                    let part = Views::part(rows, keys.clone());
                    (part, For::new(me, login, now), None)
                },
                |(part, who, latest), l| {
                    *latest = (*latest).max(Some(l.item.updated_at));
                    part.push(l, who);
                },
                || store.tasks_needing_rows(),
            )?;
            let (parts, tasks) = parts;
            let mut latest = None;
            for (part, _, seen) in parts {
                latest = latest.max(seen);
                views.absorb(part);
            }
            return Ok((latest, Some(tasks)));
        }
        let mut latest = None;
        store.each_item(&filter, limit, now, |l| {
            latest = latest.max(Some(l.item.updated_at));
            views.push(l, &who);
        })?;
        Ok((latest, None))
    }

    fn load_tasks(&mut self) -> store::Result<()> {
        let tasks = read_tasks(&self.store, self.scope.as_deref())?;
        self.take_tasks(tasks);
        Ok(())
    }

    /// The tasks of the scope as [`read_tasks`] read them.
    fn take_tasks(&mut self, (list, by_item): Tasks) {
        self.views.tasks_by_item = by_item;
        self.tasks.list = list.into_iter().map(std::sync::Arc::new).collect();
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
        let people_before = self.people.clone();
        let (scope_before, me_before) = (self.scope.clone(), self.me.clone());
        self.load_people_and_projects()?;
        // Another scope, a project closed or moved its start, the person's roles
        // changed, or someone registered, deactivated or given other roles (who may
        // decide is part of an item's blockers, and no item row changes with it):
        // every row's answers may change with it, and all are read again.
        if self.scope != scope_before
            || self.projects != projects_before
            || self.me != me_before
            || self.people != people_before
        {
            return Ok(false);
        }
        let filter = ItemFilter {
            project: self.scope.clone(),
            updated_since: Some(seen - CHANGE_MARGIN),
            ..ItemFilter::default()
        };
        // Blockers as of the screen's clock, like every other item's.
        let now = self.now;
        let (store, views) = (&self.store, &mut self.views);
        let who = For::new(self.me.as_ref(), &self.login, now);
        let mut latest = self.seen_updated;
        store.each_item(&filter, None, now, |l| {
            latest = latest.max(Some(l.item.updated_at));
            views.upsert(l, &who);
        })?;
        self.seen_updated = latest;
        self.data_version = version;
        if self.project_days.len() != self.projects.len() {
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
        if self.loading() {
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
                    .map(|v| v.rowid)
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
        self.derive_panes();
        self.views.unsort();
        self.apply_filter();
    }

    /// [`App::rederive`] but for the tracker, whose order and filter it leaves as they
    /// are: the queue, the radar, the tasks, the blockers, the header's figures and the
    /// saved views.
    pub(super) fn derive_panes(&mut self) {
        self.dashboard_behind();
        // Each row knows whether it waits on the person (worked out as it was read):
        // the queue and the expiry radar are sorted on a thread of their own while
        // this one works out the tasks (none reads what the others make).
        let views = &self.views;
        let ((queue, radar), (tasks, held_up)) = std::thread::scope(|s| {
            let side = s.spawn(|| (views.queue_sorted(), views.radar()));
            let tasks = self.tasks_derived();
            let side = side.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            (side, tasks)
        });
        self.views.set_queue(queue);
        self.views.set_radar(radar);
        // What each item holds up orders the blockers; deriving them narrows both the
        // queue and the blockers to their filters.
        (self.tasks.rows, self.views.held_up) = (tasks, held_up);
        self.views.derive_blockers(self.now);
        let start = self.start_shown();
        self.views.derive_stats(start);
        self.derive_saved();
    }

    /// Applies the filter (and the sort, when it is out of date) to the tracker,
    /// keeping the selected item selected.
    pub(super) fn apply_filter(&mut self) {
        let keep = self
            .pane_selection(Pane::Tracker)
            .and_then(|i| self.views.get(i))
            .map(|v| v.rowid);
        self.views
            .filter(&self.filter, self.sort, self.sort_reverse);
        self.views.narrow();
        if let Some(r) = keep {
            self.select_rowid(Pane::Tracker, r);
        }
        self.clamp_cursors();
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
    /// check came are read and assessed again. A project's new day moves its items'
    /// calendar blockers and radar lines: then the items of the projects whose day
    /// moved are read again and replaced in place — every item, read anew, when they
    /// are more than a [`NEW_DAY_SHARE`]th of them (once a day per time zone).
    /// Derives the panes again when any row changed.
    pub(super) fn tick_blockers(&mut self) {
        let now = self.now;
        let moved: std::collections::HashSet<&str> = self
            .projects
            .iter()
            .enumerate()
            .filter(|(i, p)| self.project_days.get(*i) != Some(&blockers::today(p, now)))
            .map(|(_, p)| p.key.as_str())
            .collect();
        if !moved.is_empty() {
            let ids: Vec<String> = match self.project_days.len() == self.projects.len() {
                true => self
                    .views
                    .rows()
                    .filter(|r| moved.contains(r.project()))
                    .map(|r| r.id())
                    .collect(),
                false => Vec::new(),
            };
            let read = match !ids.is_empty() && ids.len() <= self.views.count() / NEW_DAY_SHARE {
                true => {
                    let (store, views) = (&self.store, &mut self.views);
                    let who = For::new(self.me.as_ref(), &self.login, now);
                    let read = store.each_item_of(&ids, now, |l| {
                        views.upsert(l, &who);
                    });
                    self.note_project_days();
                    read.map(|_| ())
                }
                false => self.load_at_now().and_then(|()| self.settle_tasks()),
            };
            if let Err(e) = read {
                self.set_status(StatusKind::Error, format!("could not reload: {e}"));
            }
            self.rederive();
            return;
        }
        let due = self.views.due_at(now);
        if due.is_empty() {
            return;
        }
        let (store, views) = (&self.store, &mut self.views);
        let who = For::new(self.me.as_ref(), &self.login, now);
        let mut changed = false;
        let read = store.each_item_of(&due, now, |l| changed |= views.upsert(l, &who));
        if let Err(e) = read {
            self.set_status(StatusKind::Error, format!("could not reload: {e}"));
        }
        // A row read again may have left the queue or changed what a task waits for,
        // not only its blockers: every pane is derived again, and only then.
        if changed {
            self.rederive();
        }
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
