//! Reading items: the filtered list with blockers at a moment, one item with its
//! history, and the readiness counts the header shows before the list is loaded.

use super::error::Result;
use super::events::{self, EVENT_COLUMNS, Event, ts};
use super::handle::Store;
use super::records::{approvals_of_round, load_item};
use super::rows::{self, ITEM_COLUMNS};
use crate::domain::blockers::{self, Reason};
use crate::domain::expiry;
use crate::domain::*;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

mod each;

type ByKey<T> = HashMap<String, T, foldhash::fast::RandomState>;

/// Which items to list.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub project: Option<String>,
    pub state: Option<State>,
    pub blocked: bool,
    /// Items live or pending whose temporary access or security exception ends within
    /// this many days, or has ended (see [`expiry::entry`]), soonest first.
    pub expiring_days: Option<i64>,
    /// Only items changed at or after this time (live updates of the TUI).
    pub updated_since: Option<DateTime<Utc>>,
}

/// An item with what is computed about it at a moment: blocker reasons and age.
#[derive(Debug, Clone)]
pub struct ItemView {
    pub item: Item,
    pub reasons: Vec<Reason>,
    pub blocked_since: Option<DateTime<Utc>>,
}

impl ItemView {
    pub fn blocking(&self) -> bool {
        !self.reasons.is_empty()
    }
}

/// An item as [`Store::each_item`] hands it on: the item with its current round's
/// approvals, its project, and its blockers at the moment asked for.
pub struct Listed<'a> {
    pub item: &'a Item,
    pub project: &'a Project,
    pub assessment: blockers::Assessment,
}

/// Where a list reads its items' rows from, and which columns of them.
#[derive(Clone, Copy, Debug)]
pub(super) struct Source {
    pub(super) columns: &'static str,
    pub(super) from: &'static str,
}

/// Every column of the items' own rows.
pub(super) const WHOLE_ROWS: Source = Source {
    columns: ITEM_COLUMNS,
    from: "items",
};

/// The packed facts of the items (`store::facts`), with the row id, project and round
/// kept beside them: all a list reads of an item while every row has its facts.
pub(super) const PACKED_ROWS: Source = Source {
    columns: super::rows::UNPACKED_COLUMNS,
    from: "item_facts",
};

/// [`PACKED_ROWS`] of the items found by their own columns (a filter, the order of
/// their (project, number) index), each item's facts looked up by its row id.
pub(super) const PACKED_ROWS_BY_ITEM: Source = Source {
    columns: "items.id, items.project, items.round, item_facts.facts",
    from: "items JOIN item_facts ON item_facts.id = items.id",
};

/// The SQL and arguments reading the items a filter asks for from `source` (its date
/// conditions are applied to the rows read).
pub(super) fn items_query(filter: &ItemFilter, source: Source) -> (String, Vec<String>) {
    let mut sql = format!("SELECT {} FROM {}", source.columns, source.from);
    let mut args: Vec<String> = Vec::new();
    let mut wheres = Vec::new();
    if let Some(p) = &filter.project {
        args.push(p.to_ascii_uppercase());
        wheres.push(format!("items.project = ?{}", args.len()));
    }
    if let Some(s) = filter.state {
        args.push(s.as_str().to_string());
        wheres.push(format!("items.state = ?{}", args.len()));
    }
    if let Some(t) = filter.updated_since {
        args.push(ts(t));
        wheres.push(format!("items.updated_at >= ?{}", args.len()));
    }
    if filter.expiring_days.is_some() {
        // What [`expiry::entry`] looks at, narrowed in SQL; the days are counted in each
        // project's zone, on the rows read.
        wheres.push(
            "((items.temporary = 1 AND items.expires IS NOT NULL) \
             OR items.exception_expires IS NOT NULL) \
             AND items.state NOT IN ('revoked','cancelled')"
                .to_string(),
        );
    }
    if !wheres.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&wheres.join(" AND "));
    }
    // Ordered by the table's own (project, number) index, SQLite would read every
    // row for a live update; with that index kept off the ordering it reads only
    // the rows changed, from `items_updated`, and sorts those few.
    sql.push_str(if filter.updated_since.is_some() {
        " ORDER BY +items.project, +items.number"
    } else {
        " ORDER BY items.project, items.number"
    });
    (sql, args)
}

/// Counts by state for the readiness of one project (`?1`), from the counts SQLite
/// keeps with every write (`item_counts`, schema 19): a row per project and state,
/// where counting the items read every entry of their index (1.25e9 instructions,
/// most of the first frame, at a million items); the caller adds up each state's
/// rows. Items of a project nobody registered are not counted, as in the item list.
pub(super) const READINESS_OF_ONE: &str = "SELECT state, n FROM item_counts WHERE project = ?1 \
     AND project IN (SELECT key FROM projects)";

/// The same for all projects (`?1` null).
pub(super) const READINESS_OF_ALL: &str = "SELECT state, n FROM item_counts WHERE ?1 IS NULL \
     AND project IN (SELECT key FROM projects)";

/// Every approval of one project's items (`?1`) or of all (`?1` null), in table order.
pub(super) fn approvals_of_all(project: Option<&str>) -> &'static str {
    match project {
        Some(_) => {
            "SELECT a.item_id, a.login, a.capacity, a.conditions, a.at, a.round, a.terms FROM approvals a \
             WHERE a.item_id IN (SELECT id FROM items WHERE project = ?1) ORDER BY a.id"
        }
        None => {
            "SELECT item_id, login, capacity, conditions, at, round, terms FROM approvals WHERE ?1 IS NULL ORDER BY id"
        }
    }
}

impl Store {
    pub fn item(&self, id: &str) -> Result<Item> {
        load_item(&self.conn, id)
    }

    /// Items matching `filter`, with blockers computed at the store's `now`.
    pub fn list_items(&self, filter: &ItemFilter) -> Result<Vec<ItemView>> {
        self.list_items_up_to(filter, None)
    }

    /// The first `limit` items of one project or of all in (project, number) order,
    /// with blockers as [`Store::list_items`] computes them: the TUI's first
    /// screenful, read before the rest.
    pub fn first_items(&self, project: Option<&str>, limit: usize) -> Result<Vec<ItemView>> {
        let filter = ItemFilter {
            project: project.map(str::to_string),
            ..ItemFilter::default()
        };
        self.list_items_up_to(&filter, Some(limit))
    }

    /// The projects by key and the people by login, as the blocker rules look them up
    /// (the approval owners, to block items whose owner may not decide on them).
    pub(super) fn projects_and_people(&self) -> Result<(ByKey<Project>, ByKey<Person>)> {
        Ok((self.projects_by_key()?, self.people_by_login()?))
    }

    /// The projects by key (see [`Store::projects_and_people`]).
    pub(super) fn projects_by_key(&self) -> Result<ByKey<Project>> {
        Ok(self
            .projects()?
            .into_iter()
            .map(|p| (p.key.clone(), p))
            .collect())
    }

    /// The people by login (see [`Store::projects_and_people`]).
    pub(super) fn people_by_login(&self) -> Result<ByKey<Person>> {
        Ok(self
            .people()?
            .into_iter()
            .map(|p| (p.login.clone(), p))
            .collect())
    }

    fn list_items_up_to(&self, filter: &ItemFilter, limit: Option<usize>) -> Result<Vec<ItemView>> {
        let now = self.now();
        let (projects, people) = self.projects_and_people()?;
        let (mut sql, args) = items_query(filter, WHOLE_ROWS);
        if let Some(n) = limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        // Every item of a project or of all: room for exactly them at once. Grown by
        // doubling, the vector would hold up to twice the room it needs, and each
        // growth copies it into a new block while the old one is still held.
        let whole = filter.state.is_none()
            && filter.updated_since.is_none()
            && filter.expiring_days.is_none();
        let expected = match (limit, whole) {
            (Some(n), _) => n,
            (None, true) => self.conn.query_row(
                "SELECT count(*) FROM items WHERE ?1 IS NULL OR project = ?1",
                [filter.project.as_ref().map(|p| p.to_ascii_uppercase())],
                |r| r.get::<_, i64>(0),
            )? as usize,
            (None, false) => 0,
        };
        let mut stmt = self.conn.prepare(&sql)?;
        // The views are built where the rows land and filtered in place: a second
        // vector of 100,000 items next to the first would double the peak memory.
        let mut views: Vec<ItemView> = Vec::with_capacity(expected);
        // The span of the row ids, noted as the rows land (another pass over the items
        // would fetch each again from memory).
        let mut span = (i64::MAX, i64::MIN);
        for view in stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            rows::item(r).map(|item| ItemView {
                item,
                reasons: Vec::new(),
                blocked_since: None,
            })
        })? {
            let view = view?;
            span = (span.0.min(view.item.rowid), span.1.max(view.item.rowid));
            views.push(view);
        }
        match limit {
            // A screenful: each item's approvals through their index, not a scan of
            // every approval.
            Some(_) => self.attach_approvals_of_each(&mut views)?,
            None => self.attach_approvals(&mut views, span, filter.project.as_deref())?,
        }
        views.retain_mut(|v| {
            let item = &v.item;
            let Some(p) = projects.get(&item.project) else {
                return false;
            };
            if let Some(days) = filter.expiring_days
                && expiry::entry(item, blockers::today(p, now), days).is_none()
            {
                return false;
            }
            let a = blockers::assess(item, p, now, self.settings, &people);
            if filter.blocked && a.reasons.is_empty() {
                return false;
            }
            v.blocked_since = a.since;
            v.reasons = a.reasons;
            // Kept for every item of the list: no room for reasons it does not have.
            v.reasons.shrink_to_fit();
            true
        });
        if let Some(days) = filter.expiring_days {
            // The radar's order: soonest end first (see `domain::expiry`).
            views.sort_by_cached_key(|v| {
                let today = projects
                    .get(&v.item.project)
                    .map(|p| blockers::today(p, now));
                let ends = today
                    .and_then(|t| expiry::entry(&v.item, t, days))
                    .map(|e| e.ends);
                (ends, v.item.project.clone(), v.item.number)
            });
        }
        if views.len() < views.capacity() / 2 {
            views.shrink_to_fit();
        }
        Ok(views)
    }

    /// Readiness of one project or of all, and how many items there are, from one
    /// aggregate over the (project, state) index: what the TUI's first frame shows
    /// before the items are loaded.
    pub fn readiness(&self, project: Option<&str>) -> Result<(blockers::Readiness, usize)> {
        let mut stmt = match project {
            Some(_) => self.conn.prepare_cached(READINESS_OF_ONE)?,
            None => self.conn.prepare_cached(READINESS_OF_ALL)?,
        };
        let mut rows = stmt.query([project.map(str::to_ascii_uppercase)])?;
        let mut r = blockers::Readiness::default();
        let mut count = 0;
        while let Some(row) = rows.next()? {
            // An unreadable state counts as needed, as in the item list.
            let state = rows::named(row, 0, State::ALL, State::as_str).unwrap_or(State::Needed);
            let n = usize::try_from(row.get::<_, i64>(1)?).unwrap_or(0);
            count += n;
            r.add_n(state, n);
        }
        Ok((r.finish(), count))
    }

    /// The approvals of each item's current round, from one read of the approvals
    /// (`span`: the least and the greatest row id of the items).
    fn attach_approvals(
        &self,
        items: &mut [ItemView],
        span: (i64, i64),
        project: Option<&str>,
    ) -> Result<()> {
        // Read approvals in table order and keep those of each item's current round:
        // a join back to items would seek into the items table once per approval.
        let index = Slots::new(items, span);
        let mut stmt = self.conn.prepare_cached(approvals_of_all(project))?;
        let mut rows = stmt.query([project.map(|p| p.to_ascii_uppercase())])?;
        while let Some(r) = rows.next()? {
            let Some(i) = index.get(r.get::<_, i64>(0)?) else {
                continue;
            };
            let it = &mut items[i].item;
            if it.round == r.get::<_, i64>(5)? {
                // Most items have one or two approvals: room for exactly them (a
                // first push would reserve room for four).
                it.approvals.reserve_exact(1);
                it.approvals.push(rows::approval(r)?.1);
            }
        }
        Ok(())
    }

    /// The approvals of each item's current round, item by item (for a few items).
    fn attach_approvals_of_each(&self, items: &mut [ItemView]) -> Result<()> {
        for v in items.iter_mut() {
            let it = &mut v.item;
            approvals_of_round(&self.conn, (it.rowid, it.round), &mut it.approvals)?;
        }
        Ok(())
    }

    /// One item with its blockers now.
    pub fn item_view(&self, id: &str) -> Result<ItemView> {
        let item = self.item(id)?;
        let p = self.project(&item.project)?;
        let now = self.now();
        let people = self.people()?;
        let a = blockers::assess(&item, &p, now, self.settings, &people);
        Ok(ItemView {
            item,
            reasons: a.reasons,
            blocked_since: a.since,
        })
    }

    /// The item's events, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<Event>> {
        let item = self.item(id)?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE item = ?1 ORDER BY seq"
        ))?;
        Ok(stmt
            .query_map([item.id()], events::from_row)?
            .collect::<rusqlite::Result<_>>()?)
    }
}

/// Where each item of a list is, by its row id: a table indexed by the row id when the
/// ids are about as many as the items (as they are, rows being numbered in turn), a
/// hash map otherwise. A lookup per approval read is then an index, not a hash.
enum Slots {
    Dense { first: i64, at: Vec<u32> },
    Sparse(HashMap<i64, usize, foldhash::fast::RandomState>),
}

impl Slots {
    fn new(items: &[ItemView], (first, last): (i64, i64)) -> Slots {
        let span = usize::try_from(last.saturating_sub(first).saturating_add(1)).unwrap_or(0);
        if items.len() < u32::MAX as usize && span <= items.len().saturating_mul(4) + 1024 {
            let mut at = vec![u32::MAX; span];
            for (i, v) in items.iter().enumerate() {
                at[(v.item.rowid - first) as usize] = i as u32;
            }
            Slots::Dense { first, at }
        } else {
            Slots::Sparse(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (v.item.rowid, i))
                    .collect(),
            )
        }
    }

    fn get(&self, rowid: i64) -> Option<usize> {
        match self {
            Slots::Dense { first, at } => {
                let k = usize::try_from(rowid.checked_sub(*first)?).ok()?;
                at.get(k).filter(|&&i| i != u32::MAX).map(|&i| i as usize)
            }
            Slots::Sparse(map) => map.get(&rowid).copied(),
        }
    }
}
