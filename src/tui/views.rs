//! The loaded items — a slim row each (`item_row`), with their texts, ids and what a
//! few rows need beside them — and every view derived from them: the tracker's sorted
//! and filtered rows, the approval queue, the blockers pane, the expiry radar and the
//! header's figures. They are derived when the data, the filter, the sort or the clock
//! changes — never while drawing — so a frame costs the same with ten items or a
//! million.
//!
//! The derived lists hold indices into `rows`. Reading the items anew clears them in
//! the same step ([`Views::clear`]), and a live update only replaces rows in place or
//! appends, so no list ever holds an index built for another item list.

use super::haystacks::{Haystacks, Name};
use super::item_row::{For, ItemRow};
use super::query::Query;
use super::queue_line::QueueLine;
use super::state::{Column, Filter, Pane};
use crate::domain::blockers::Readiness;
use crate::domain::tasks::{BlockerOrder, HeldUp};
use crate::domain::{Item, Project, expiry, item_id};
use crate::store::Listed;
use chrono::{DateTime, NaiveDate, Utc};
use std::cmp::Ordering;
use std::collections::HashMap;

/// A map with a faster hash than the standard one (seeded at random as well), for
/// the lookups made once per item, where hashing cost more than the work looked up.
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// An item waiting on the logged-in person's decision, and in which capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueEntry {
    pub ix: usize,
    pub capacity: crate::domain::Capacity,
}

/// A line of the expiry radar (pane 6): the item and what ends when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RadarRow {
    pub ix: usize,
    pub entry: expiry::Entry,
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

/// No name (a row that does not block waits on no one).
const NO_NAME: u32 = u32::MAX;

/// What a row needs beyond itself, for the few rows that need it.
#[derive(Default)]
struct Aside {
    /// Per item (parallel to the rows): who or what a blocking item waits on, a
    /// number into the name table.
    waiting_on: Vec<u32>,
    /// The items whose access or exception ends: their radar line at any horizon, and
    /// the words of a pending extension.
    ends: FastMap<usize, (expiry::Entry, Option<Box<str>>)>,
    /// What the queue draws of its rows' items beyond their rows and names (an
    /// extension's request, whose decision goes stale when).
    queued: FastMap<usize, QueueLine>,
    /// Who a blocking item waits on, worded here before its name is looked up.
    words: String,
}

/// The loaded items and what the panes show of them.
#[derive(Default)]
pub struct Views {
    rows: Vec<ItemRow>,
    rowid_ix: super::row_index::RowIndex,
    /// Each item's id as numbers (parallel to `rows`), to order by id.
    ids: super::ids::IdKeys,
    haystacks: Haystacks,
    aside: Aside,
    /// How many items the list being read will hold (room is made once for them).
    expected: usize,
    /// A part of a list read on several threads: its rows are indexed by row id once
    /// taken in (see [`Views::part`]).
    unindexed: bool,
    /// Counts every change to the rows: what was read for a row is as new as this.
    pub generation: u64,
    /// Width of the longest item id (the ID columns are exactly this wide).
    pub id_width: u16,
    /// Indices into `rows`: filtered and sorted.
    pub tracker: Vec<usize>,
    /// Indices of all `rows` in the tracker's sort order; empty when it must be
    /// sorted again.
    order: Vec<usize>,
    pub queue: Vec<QueueEntry>,
    /// Indices into `rows`: blocking, oldest first.
    pub blockers: Vec<usize>,
    /// The expiry radar: what ends within [`expiry::RADAR_DAYS`] or has ended, soonest first.
    pub expiring: Vec<RadarRow>,
    /// Open blockers by reason code, most frequent first.
    pub blocker_summary: Vec<(&'static str, usize)>,
    pub stats: Stats,
    /// A filter token that matches nothing (e.g. an unknown state), for the title.
    pub query_problem: Option<String>,
    /// Ids of the tasks each item holds up.
    pub tasks_by_item: HashMap<String, Vec<String>>,
    /// The items of the saved view in force (by index), when one is.
    pub view_mask: Option<Vec<bool>>,
    /// What each item holds up: the open tasks waiting for it and their days past
    /// their planned start, by the item's index.
    pub held_up: FastMap<usize, HeldUp>,
    /// How the blockers pane is ordered (`s` switches).
    pub blocker_order: BlockerOrder,
    /// How the queue is ordered (`s` switches).
    pub queue_order: QueueOrder,
    /// The queue and the blockers before the filter narrows them.
    queue_all: Vec<QueueEntry>,
    blockers_all: Vec<usize>,
    /// Items per thread of a pass over every item (`spread`; its own default when
    /// not set: tests set it low to cut a short list into ranges).
    pub spread_at: Option<usize>,
    /// The filters typed in the queue and in the blockers pane (`/`, as in the
    /// tracker; each pane keeps its own).
    pub queue_text: String,
    pub blockers_text: String,
}

/// A loaded item: its row, and what the lists keep of it beside the row (its texts,
/// its id, its radar line), found through the views.
#[derive(Clone, Copy)]
pub struct RowRef<'a> {
    pub ix: usize,
    row: &'a ItemRow,
    views: &'a Views,
}

impl std::ops::Deref for RowRef<'_> {
    type Target = ItemRow;
    fn deref(&self) -> &ItemRow {
        self.row
    }
}

impl<'a> RowRef<'a> {
    /// `KEY-N`.
    pub fn id(&self) -> String {
        item_id(self.project(), self.row.number)
    }
    pub fn project(&self) -> &'a str {
        self.views.ids.key(self.ix)
    }
    fn name(&self, which: Name) -> &'a str {
        self.views.haystacks.name_of(self.ix, which)
    }
    pub fn system(&self) -> &'a str {
        self.name(Name::System)
    }
    pub fn role(&self) -> &'a str {
        self.name(Name::Role)
    }
    pub fn credential_owner(&self) -> &'a str {
        self.name(Name::Owner)
    }
    pub fn approver(&self) -> &'a str {
        self.name(Name::Approver)
    }
    pub fn requester(&self) -> &'a str {
        self.name(Name::Requester)
    }
    pub fn purpose(&self) -> &'a str {
        self.views.haystacks.purpose(self.ix)
    }
    /// Who or what a blocking item waits on (`domain::blockers::waiting_on`).
    pub fn waiting_on(&self) -> &'a str {
        match self.views.aside.waiting_on.get(self.ix) {
            Some(&n) if n != NO_NAME => self.views.haystacks.name_text(n),
            _ => "",
        }
    }
    /// Its radar line at any horizon, and the words of a pending extension.
    pub fn ends(&self) -> Option<&'a (expiry::Entry, Option<Box<str>>)> {
        self.views.aside.ends.get(&self.ix)
    }
    /// What the queue draws of it beyond its row, for a row of the queue.
    pub fn queued(&self) -> Option<&'a QueueLine> {
        self.views.aside.queued.get(&self.ix)
    }
}

/// How the approval queue is ordered. The default is the riskiest, then the oldest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueOrder {
    #[default]
    Risk,
    Age,
    System,
}

impl QueueOrder {
    /// Words for the pane's title.
    pub fn words(self) -> &'static str {
        match self {
            QueueOrder::Risk => "riskiest, then oldest",
            QueueOrder::Age => "oldest first",
            QueueOrder::System => "by system",
        }
    }

    /// The order `s` switches to.
    pub fn next(self) -> QueueOrder {
        match self {
            QueueOrder::Risk => QueueOrder::Age,
            QueueOrder::Age => QueueOrder::System,
            QueueOrder::System => QueueOrder::Risk,
        }
    }
}

/// Width of an item's id on screen (its number's digits counted, not written out).
fn id_width(project: &str, n: i64) -> u16 {
    let digits = n
        .unsigned_abs()
        .checked_ilog10()
        .map_or(1, |d| d as usize + 1);
    let n = project.len() + 1 + usize::from(n < 0) + digits;
    u16::try_from(n).unwrap_or(u16::MAX)
}

fn cmp_text(a: &str, b: &str) -> Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

fn cmp_column(col: Column, a: RowRef<'_>, b: RowRef<'_>) -> Ordering {
    match col {
        Column::Id => Ordering::Equal,
        Column::System => cmp_text(a.system(), b.system()),
        Column::Purpose => cmp_text(a.purpose(), b.purpose()),
        Column::Role => cmp_text(a.role(), b.role()),
        Column::Owner => cmp_text(a.credential_owner(), b.credential_owner()),
        Column::Approval => a.state.cmp(&b.state).then(a.approvals.cmp(&b.approvals)),
        Column::Method => a.method.cmp(&b.method),
        // Items without an expiry sort last.
        Column::Expiry => match (a.expires, b.expires) {
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
        Column::Flags => a.risk.cmp(&b.risk),
    }
}

impl Views {
    /// How many items are loaded.
    pub fn count(&self) -> usize {
        self.rows.len()
    }

    pub fn get(&self, ix: usize) -> Option<RowRef<'_>> {
        self.rows.get(ix).map(|row| RowRef {
            ix,
            row,
            views: self,
        })
    }

    /// Every loaded item, in the order read.
    pub fn rows(&self) -> impl Iterator<Item = RowRef<'_>> {
        self.rows.iter().enumerate().map(|(ix, row)| RowRef {
            ix,
            row,
            views: self,
        })
    }

    /// The search texts (what the filter's words are looked for in).
    pub fn haystacks(&self) -> &Haystacks {
        &self.haystacks
    }

    /// The index of each of `ids` (as numbers, see [`Views::id_numbers`]) that is
    /// loaded: found in one pass over the items' ids, which compares integers, not
    /// the items' keys.
    pub fn indices_of(&self, ids: impl Iterator<Item = (u32, i64)>) -> FastMap<(u32, i64), usize> {
        let mut wanted: FastMap<(u32, i64), usize> = ids.map(|id| (id, usize::MAX)).collect();
        if wanted.is_empty() {
            return wanted;
        }
        for (ix, id) in self.ids.all().iter().enumerate() {
            if let Some(slot) = wanted.get_mut(id) {
                *slot = ix;
            }
        }
        wanted.retain(|_, ix| *ix != usize::MAX);
        wanted
    }

    /// An item id (project key, number) as [`Views::indices_of`] keys it; `None` when
    /// no item of that project is loaded (none was ever of that project's rank).
    pub fn id_numbers(&self, key: &str, number: i64) -> Option<(u32, i64)> {
        Some((self.ids.rank(key)?, number))
    }

    pub fn index_of(&self, rowid: i64) -> Option<usize> {
        self.rowid_ix.get(rowid)
    }

    pub fn view(&self, rowid: i64) -> Option<RowRef<'_>> {
        self.index_of(rowid).and_then(|i| self.get(i))
    }

    /// Drops the items and everything derived from them (before a reload reads the
    /// new ones: both lists at once would hold twice the memory); the next list read
    /// will hold about `expected` items of the projects of `keys`.
    pub fn clear<'a>(&mut self, expected: usize, keys: impl Iterator<Item = &'a str>) {
        *self = Views {
            tasks_by_item: std::mem::take(&mut self.tasks_by_item),
            blocker_order: self.blocker_order,
            queue_order: self.queue_order,
            queue_text: std::mem::take(&mut self.queue_text),
            blockers_text: std::mem::take(&mut self.blockers_text),
            spread_at: self.spread_at,
            // The header's figures stand until the panes are derived again (the first
            // frame's, from the store's aggregate, while the items load).
            stats: std::mem::take(&mut self.stats),
            generation: self.generation + 1,
            rowid_ix: super::row_index::RowIndex::expecting(expected),
            expected,
            ..Views::default()
        };
        self.rows.reserve_exact(expected);
        self.ids.expect(expected, keys);
        self.aside.waiting_on.reserve_exact(expected);
    }

    /// An empty part of a list read on several threads, to be taken in by
    /// [`Views::absorb`]: about `expected` items of the projects of `keys`, indexed by
    /// row id only once taken in.
    pub fn part<'a>(expected: usize, keys: impl Iterator<Item = &'a str>) -> Views {
        let mut v = Views::default();
        v.clear(expected, keys);
        v.rowid_ix = super::row_index::RowIndex::default();
        v.unindexed = true;
        v.generation = 0;
        v
    }

    /// Appends the items of `part` (see [`Views::part`]) after those held, as if each
    /// had been pushed here: its names take their numbers in the name table held (a
    /// name new here, the next number, as when first pushed), its texts' places move
    /// past the texts held. The first part's lists become these (nothing copied).
    pub fn absorb(&mut self, part: Views) {
        let base = self.rows.len();
        let more = self.expected.saturating_sub(base + part.rows.len());
        self.generation += part.generation;
        self.id_width = self.id_width.max(part.id_width);
        let remap = self.haystacks.absorb(part.haystacks, more);
        let name = |n: u32| remap.get(n as usize).copied().unwrap_or(NO_NAME);
        self.ids.absorb(part.ids, more);
        let aside = part.aside;
        match base {
            0 => self.aside = aside,
            _ => {
                let w = &mut self.aside.waiting_on;
                w.reserve_exact(aside.waiting_on.len());
                w.extend(aside.waiting_on.into_iter().map(name));
                let ends = aside.ends.into_iter().map(|(i, e)| (i + base, e));
                self.aside.ends.extend(ends);
                let queued = aside.queued.into_iter().map(|(i, q)| (i + base, q));
                self.aside.queued.extend(queued);
            }
        }
        self.aside.waiting_on.reserve_exact(more);
        match base {
            0 => self.rows = part.rows,
            _ => {
                self.rows.reserve_exact(part.rows.len());
                self.rows.extend(part.rows);
            }
        }
        self.rows.reserve_exact(more);
        for (i, r) in self.rows.iter().enumerate().skip(base) {
            self.rowid_ix.insert(r.rowid, i);
        }
    }

    /// Takes in one item as the store hands it on: its row, texts and id appended,
    /// the domain's answers about it worked out for `who`.
    pub fn push(&mut self, l: Listed<'_>, who: &For<'_>) {
        let i = self.rows.len();
        let it = l.item;
        if !self.unindexed {
            self.rowid_ix.insert(it.rowid, i);
        }
        self.ids.set(i, &it.project, it.number);
        self.haystacks.push(it);
        if i == 256 {
            // Room for the rest of the texts, as the first ones measure.
            self.haystacks.reserve_for(self.expected);
        }
        self.id_width = self.id_width.max(id_width(&it.project, it.number)).max(2);
        self.aside.waiting_on.push(NO_NAME);
        let project = l.project;
        let row = ItemRow::of(l, who);
        self.set_aside(i, (it, project), &row, who, true);
        self.rows.push(row);
        self.generation += 1;
    }

    /// Takes in one changed item: replaced in place when known, else appended (the
    /// indices of the other items stay valid either way). Returns whether its row is
    /// new or differs from the one it replaced (anything a pane derives may then move).
    pub fn upsert(&mut self, l: Listed<'_>, who: &For<'_>) -> bool {
        let Some(i) = self.index_of(l.item.rowid) else {
            self.push(l, who);
            self.order.clear();
            return true;
        };
        let it = l.item;
        self.ids.set(i, &it.project, it.number);
        self.haystacks.replace(i, it);
        self.id_width = self.id_width.max(id_width(&it.project, it.number));
        let project = l.project;
        let row = ItemRow::of(l, who);
        self.set_aside(i, (it, project), &row, who, false);
        let changed = self.rows[i] != row;
        self.rows[i] = row;
        self.generation += 1;
        // Its place in the sort may have changed.
        self.order.clear();
        changed
    }

    /// What item `i` needs beside its row: who it waits on when it blocks, its radar
    /// line when its access or exception ends, its queue line when it is queued.
    /// (`new`: nothing is set aside for it yet.)
    fn set_aside(
        &mut self,
        i: usize,
        (it, project): (&Item, &Project),
        row: &ItemRow,
        who: &For<'_>,
        new: bool,
    ) {
        let aside = &mut self.aside;
        aside.waiting_on[i] = match row.blocking() {
            true => {
                crate::domain::blockers::waiting_on_into(it, &mut aside.words);
                self.haystacks.name(&aside.words)
            }
            false => NO_NAME,
        };
        let today = who.today(project);
        match expiry::entry_any_day(it, today) {
            Some(e) => {
                let pending = crate::present::expiry::pending_text(it).map(Into::into);
                self.aside.ends.insert(i, (e, pending));
            }
            None if !new => {
                self.aside.ends.remove(&i);
            }
            None => {}
        }
        match row.capacity {
            Some(_) => {
                self.aside.queued.insert(i, QueueLine::of(it));
            }
            None if !new => {
                self.aside.queued.remove(&i);
            }
            None => {}
        }
    }

    /// The ids of the items whose blockers are due to be looked at again at `now`.
    pub fn due_at(&self, now: DateTime<Utc>) -> Vec<String> {
        self.rows()
            .filter(|r| r.next_check.is_some_and(|t| t <= now))
            .map(|r| r.id())
            .collect()
    }

    /// The index into `rows` of row `pos` of `pane`.
    pub fn row(&self, pane: Pane, pos: usize) -> Option<usize> {
        let ix = match pane {
            Pane::Tracker => self.tracker.get(pos).copied(),
            Pane::Queue => self.queue.get(pos).map(|e| e.ix),
            Pane::Blockers => self.blockers.get(pos).copied(),
            Pane::Expiring => self.expiring.get(pos).map(|r| r.ix),
            Pane::Reviews | Pane::Dashboard | Pane::Tasks => None,
        }?;
        (ix < self.rows.len()).then_some(ix)
    }

    /// Where the item at `ix` shows in `pane`.
    pub fn position(&self, pane: Pane, ix: usize) -> Option<usize> {
        match pane {
            Pane::Tracker => self.tracker.iter().position(|&i| i == ix),
            Pane::Queue => self.queue.iter().position(|e| e.ix == ix),
            Pane::Blockers => self.blockers.iter().position(|&i| i == ix),
            Pane::Expiring => self.expiring.iter().position(|r| r.ix == ix),
            Pane::Reviews | Pane::Dashboard | Pane::Tasks => None,
        }
    }

    pub fn len(&self, pane: Pane) -> usize {
        match pane {
            Pane::Tracker => self.tracker.len(),
            Pane::Queue => self.queue.len(),
            Pane::Blockers => self.blockers.len(),
            Pane::Expiring => self.expiring.len(),
            Pane::Reviews | Pane::Dashboard | Pane::Tasks => 0,
        }
    }

    /// The queue: the items waiting on the person's decision (each row knows in which
    /// capacity), riskiest first, then oldest; before its filter.
    pub fn queue_sorted(&self) -> Vec<QueueEntry> {
        let mut queue: Vec<QueueEntry> = self
            .rows
            .iter()
            .enumerate()
            .filter_map(|(ix, r)| r.capacity.map(|capacity| QueueEntry { ix, capacity }))
            .collect();
        let order = self.queue_order;
        queue.sort_by(|a, b| {
            let (x, y) = (&self.rows[a.ix], &self.rows[b.ix]);
            let age = x.state_since.cmp(&y.state_since);
            match order {
                QueueOrder::Risk => x.risk.cmp(&y.risk).then(age),
                QueueOrder::Age => age,
                QueueOrder::System => {
                    let name = |ix| self.haystacks.name_of(ix, Name::System);
                    cmp_text(name(a.ix), name(b.ix)).then(age)
                }
            }
            .then(self.ids.get(a.ix).cmp(&self.ids.get(b.ix)))
        });
        queue
    }

    /// Takes `queue` (from [`Views::queue_sorted`]); the pane shows it as its filter
    /// leaves it from the next [`Views::narrow`] (which [`Views::derive_blockers`]
    /// makes).
    pub fn set_queue(&mut self, queue: Vec<QueueEntry>) {
        self.queue_all = queue;
    }

    /// The queue and the blockers as their filters leave them.
    pub fn narrow(&mut self) {
        let (rows, hay) = (&self.rows, &self.haystacks);
        let (q, b) = (
            Query::parse(&self.queue_text),
            Query::parse(&self.blockers_text),
        );
        let (q_hits, b_hits) = (q.hits(hay), b.hits(hay));
        self.queue = self
            .queue_all
            .iter()
            .copied()
            .filter(|e| q.matches(&rows[e.ix], hay, &q_hits, e.ix))
            .collect();
        self.blockers = self
            .blockers_all
            .iter()
            .copied()
            .filter(|&i| b.matches(&rows[i], hay, &b_hits, i))
            .collect();
    }

    /// The expiry radar: each item's line as `domain::expiry` saw it on its project's
    /// day when it was read, within the radar's days, soonest end first.
    pub fn radar(&self) -> Vec<RadarRow> {
        let ids = &self.ids;
        let mut rows: Vec<RadarRow> = self
            .aside
            .ends
            .iter()
            .filter(|(_, (e, _))| e.within(expiry::RADAR_DAYS))
            .map(|(&ix, (e, _))| RadarRow { ix, entry: *e })
            .collect();
        rows.sort_by(|a, b| expiry::order_by((&a.entry, ids.get(a.ix)), (&b.entry, ids.get(b.ix))));
        rows
    }

    /// Shows `rows` (from [`Views::radar`]) in the expiry radar.
    pub fn set_radar(&mut self, rows: Vec<RadarRow>) {
        self.expiring = rows;
    }

    /// The blockers pane and its count by reason, in the chosen order (by default
    /// the items holding up most tasks first, then the oldest).
    pub fn derive_blockers(&mut self, now: DateTime<Utc>) {
        let items = &self.rows;
        // Each blocking item with its place in the order as numbers (what it holds up,
        // since when it blocks, its id): the sort compares those, not the items.
        let order = self.blocker_order;
        // Keyed and sorted in ranges, one per core (each range counted first: room
        // made once, since half a million keys grown by doubling were copied and
        // faulted in again at each step), then merged into the indices alone. Every
        // key is distinct (it ends with the index), so the order is the one sorting
        // them all at once gives.
        let (held_up, ids) = (&self.held_up, &self.ids);
        // The codes are few: a short list looked through beats a map per reason.
        let count = |summary: &mut Vec<(&'static str, usize)>, code: &'static str, n| match summary
            .iter_mut()
            .find(|(c, _)| *c == code)
        {
            Some((_, m)) => *m += n,
            None => summary.push((code, n)),
        };
        // Each range also counts its blocking items' reasons, in the order of the rows
        // (the reasons of a million items are read where they lie, not in the pane's
        // order), on its own core.
        let ranges = super::spread::ranges(items.len(), self.spread_at, |range| {
            let blocking = || range.clone().filter(|&i| items[i].blocking());
            let mut part: Vec<([i64; 4], (u32, i64), usize)> =
                Vec::with_capacity(blocking().count());
            let mut summary = Vec::new();
            part.extend(blocking().map(|i| {
                for r in items[i].reasons.iter() {
                    count(&mut summary, r.code(), 1);
                }
                let held = held_up.get(&i).copied().unwrap_or_default();
                let key = order.key(held, items[i].blocked_since, now);
                (key, ids.get(i), i)
            }));
            part.sort_unstable();
            (part, summary)
        });
        let (parts, summaries): (Vec<_>, Vec<_>) = ranges.into_iter().unzip();
        let rows = merged(parts, |&(_, _, i)| i);
        let mut summary: Vec<(&'static str, usize)> = Vec::new();
        for (code, n) in summaries.into_iter().flatten() {
            count(&mut summary, code, n);
        }
        summary.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        self.blockers_all = rows;
        self.blocker_summary = summary;
        self.narrow();
    }

    /// The header's figures (after the blockers pane is derived).
    pub fn derive_stats(&mut self, start: Option<(String, NaiveDate, i64)>) {
        let mut readiness = Readiness::default();
        for r in &self.rows {
            readiness.add(r.state);
        }
        let oldest = self
            .blockers_all
            .iter()
            .filter_map(|&i| self.rows.get(i)?.blocked_since)
            .min();
        self.stats = Stats {
            readiness: readiness.finish(),
            open_blockers: self.blockers_all.len(),
            oldest_blocker: oldest,
            start,
        };
    }

    /// Sorts the tracker again at the next [`Views::filter`].
    pub fn unsort(&mut self) {
        self.order.clear();
    }

    /// The tracker: the items in their sorted order (sorted again only when the
    /// order is out of date), filtered; a filter keystroke costs one pass, no sort.
    pub fn filter(&mut self, filter: &Filter, sort: Column, reverse: bool) {
        if self.order.len() != self.rows.len() {
            self.order = (0..self.rows.len()).collect();
            self.resort(sort, reverse);
        }
        let q = Query::parse(&filter.text);
        let state = filter.state;
        let mask = self.view_mask.as_deref();
        if q.matches_all() && state.is_none() && mask.is_none() {
            self.tracker.clone_from(&self.order);
            self.query_problem = None;
            return;
        }
        let rows = &self.rows;
        let hay = &self.haystacks;
        let hits = q.hits(hay);
        self.tracker = self
            .order
            .iter()
            .copied()
            .filter(|&i| {
                mask.is_none_or(|m| m.get(i).copied().unwrap_or(false))
                    && state.is_none_or(|s| rows[i].state == s)
                    && q.matches(&rows[i], hay, &hits, i)
            })
            .collect();
        self.query_problem = q.problem;
    }

    fn resort(&mut self, col: Column, rev: bool) {
        let mut order = std::mem::take(&mut self.order);
        let ids = &self.ids;
        let text = |ix: usize| -> Option<&str> {
            let r = self.get(ix)?;
            match col {
                Column::System => Some(r.system()),
                Column::Purpose => Some(r.purpose()),
                Column::Role => Some(r.role()),
                Column::Owner => Some(r.credential_owner()),
                _ => None,
            }
        };
        if matches!(
            col,
            Column::System | Column::Purpose | Column::Role | Column::Owner
        ) {
            // Text columns: lower-case each value once, not at every comparison
            // (a hundred thousand items take ~1.7 million comparisons).
            order.sort_by_cached_key(|&i| (text(i).unwrap_or_default().to_lowercase(), ids.get(i)));
            if rev {
                // Keys are unique (they end with the id): reversing is the reverse order.
                order.reverse();
            }
        } else if col == Column::Id {
            // Items are mostly loaded in id order already: a run the sort finds at once.
            order.sort_by_key(|&i| ids.get(i));
            if rev {
                order.reverse();
            }
        } else {
            let row = |i: usize| RowRef {
                ix: i,
                row: &self.rows[i],
                views: self,
            };
            order.sort_by(|&a, &b| {
                let ord = cmp_column(col, row(a), row(b)).then_with(|| ids.get(a).cmp(&ids.get(b)));
                if rev { ord.reverse() } else { ord }
            });
        }
        self.order = order;
    }
}

/// The runs in `parts`, each sorted, merged into one sorted list of what `take` keeps
/// of each element (of exactly their number).
fn merged<T: Ord, U>(parts: Vec<Vec<T>>, take: impl Fn(&T) -> U) -> Vec<U> {
    let mut out = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    let mut at = vec![0usize; parts.len()];
    loop {
        let mut least: Option<(usize, &T)> = None;
        for (r, part) in parts.iter().enumerate() {
            if let Some(head) = part.get(at[r])
                && least.is_none_or(|(_, l)| head < l)
            {
                least = Some((r, head));
            }
        }
        let Some((r, next)) = least else {
            return out;
        };
        out.push(take(next));
        at[r] += 1;
    }
}

#[cfg(test)]
impl Views {
    /// Each row with its texts, and the panes, written out (the same items read in
    /// another order of changes write out the same, whatever the buffers' layout).
    pub fn rows_written_out(&self) -> Vec<String> {
        let mut held: Vec<String> = self.held_up.iter().map(|h| format!("{h:?}")).collect();
        held.sort();
        let mut out: Vec<String> = self
            .rows()
            .map(|r| {
                let texts = [
                    r.id(),
                    r.system().into(),
                    r.role().into(),
                    r.credential_owner().into(),
                    r.approver().into(),
                    r.requester().into(),
                    r.purpose().into(),
                    r.waiting_on().into(),
                ];
                format!("{:?} {texts:?} {:?} {:?}", *r, r.ends(), r.queued())
            })
            .collect();
        out.push(format!(
            "{:?}",
            (&self.tracker, &self.queue, &self.blockers)
        ));
        out.push(format!(
            "{:?}",
            (&self.expiring, &self.blocker_summary, &self.stats)
        ));
        out.push(held.join("\n"));
        out
    }

    /// Everything the views hold, written out in a fixed order (maps sorted), to tell
    /// two loads apart in tests.
    pub fn written_out(&self) -> Vec<String> {
        let mut ends: Vec<String> = self.aside.ends.iter().map(|e| format!("{e:?}")).collect();
        ends.sort();
        let mut queued: Vec<String> = self
            .aside
            .queued
            .iter()
            .map(|(i, q)| format!("{i} {q:?}"))
            .collect();
        queued.sort();
        let ids: Vec<(u32, i64, &str)> = (0..self.rows.len())
            .map(|i| (self.ids.get(i).0, self.ids.get(i).1, self.ids.key(i)))
            .collect();
        let index: Vec<Option<usize>> = self.rows.iter().map(|r| self.index_of(r.rowid)).collect();
        let mut held: Vec<String> = self.held_up.iter().map(|h| format!("{h:?}")).collect();
        held.sort();
        vec![
            format!("{:?}", self.rows),
            format!("{ids:?}"),
            format!("{index:?}"),
            self.haystacks.written_out(),
            format!("{:?}", self.aside.waiting_on),
            ends.join("\n"),
            queued.join("\n"),
            format!("{:?}", (self.id_width, &self.tracker)),
            format!("{:?}", (&self.queue, &self.blockers, &self.expiring)),
            format!("{:?}", (&self.blocker_summary, &self.stats, held)),
        ]
    }
}
