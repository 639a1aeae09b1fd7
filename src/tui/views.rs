//! The item list and every view derived from it: the tracker's sorted and filtered
//! rows, the approval queue, the blockers pane and the header's figures. They are
//! derived when the data, the filter, the sort or the clock changes — never while
//! drawing — so a frame costs the same with ten items or a hundred thousand.
//!
//! The derived lists hold indices into `items`. Replacing the items clears them in
//! the same step ([`Views::replace_items`]), and a live update only replaces items in
//! place or appends, so no list ever holds an index built for another item list.

use super::haystacks::Haystacks;
use super::query::Query;
use super::state::{Column, Filter, Pane};
use crate::domain::blockers::{self, Readiness};
use crate::domain::tasks::{BlockerOrder, HeldUp};
use crate::domain::{Capacity, Item, ItemFields, Person, Project, expiry};
use crate::store::ItemView;
use chrono::{DateTime, NaiveDate, Utc};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

/// A map with a faster hash than the standard one (seeded at random as well), for
/// the lookups made once per item, where hashing cost more than the work looked up.
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// An item waiting on the logged-in person's decision, and in which capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueEntry {
    pub ix: usize,
    pub capacity: Capacity,
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

/// The loaded items and what the panes show of them.
#[derive(Default)]
pub struct Views {
    items: Vec<ItemView>,
    rowid_ix: super::row_index::RowIndex,
    /// Each item's id as numbers (parallel to `items`), to order by id.
    ids: super::ids::IdKeys,
    haystacks: Haystacks,
    /// Per item (parallel to `items`): when its blockers are to be looked at again.
    next_check: Vec<Option<DateTime<Utc>>>,
    /// Width of the longest item id (the ID columns are exactly this wide).
    pub id_width: u16,
    /// Indices into `items`: filtered and sorted.
    pub tracker: Vec<usize>,
    /// Indices of all `items` in the tracker's sort order; empty when it must be
    /// sorted again.
    order: Vec<usize>,
    pub queue: Vec<QueueEntry>,
    /// Indices into `items`: blocking, oldest first.
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
    /// The filters typed in the queue and in the blockers pane (`/`, as in the
    /// tracker; each pane keeps its own).
    pub queue_text: String,
    pub blockers_text: String,
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

/// Riskiest first, in the order of the item's badges (privileged, shared credential,
/// client-owned, exception); items that need no security review last. This orders
/// rows for the eye only; whether an item needs review is the domain's to say. It
/// allocates nothing: sorting 100,000 items by risk compares ~1.7 million times.
pub fn risk_rank(item: &Item) -> u8 {
    if !item.needs_security_review() {
        return 4;
    }
    let f = &item.fields;
    if f.privileged {
        0
    } else if f.shared_credential {
        1
    } else if f.client_owned {
        2
    } else {
        3
    }
}

/// Width of an item's id on screen (its number's digits counted, not written out).
fn id_width(v: &ItemView) -> u16 {
    let n = v.item.number;
    let digits = n
        .unsigned_abs()
        .checked_ilog10()
        .map_or(1, |d| d as usize + 1);
    let n = v.item.project.len() + 1 + usize::from(n < 0) + digits;
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

/// Sets an item's blocker reasons and spell at `now` (the domain's assessment, with
/// the registered person of its approval owner); returns its next check.
pub fn assess(
    v: &mut ItemView,
    p: &Project,
    now: DateTime<Utc>,
    settings: blockers::Settings,
    people: &[Person],
) -> Option<DateTime<Utc>> {
    let a = blockers::assess(&v.item, p, now, settings, &people);
    v.reasons = a.reasons;
    // Kept for every item of the list: no room for reasons it does not have.
    v.reasons.shrink_to_fit();
    v.blocked_since = a.since;
    a.next_check
}

impl Views {
    pub fn items(&self) -> &[ItemView] {
        &self.items
    }

    pub fn get(&self, ix: usize) -> Option<&ItemView> {
        self.items.get(ix)
    }

    /// The search texts (what the filter's words are looked for in).
    pub fn haystacks(&self) -> &Haystacks {
        &self.haystacks
    }

    pub fn index_of(&self, rowid: i64) -> Option<usize> {
        self.rowid_ix.get(rowid)
    }

    pub fn view(&self, rowid: i64) -> Option<&ItemView> {
        self.index_of(rowid).and_then(|i| self.items.get(i))
    }

    /// Drops the items and everything derived from them (before a reload reads the
    /// new ones: both lists at once would hold twice the memory).
    pub fn clear(&mut self) {
        *self = Views {
            tasks_by_item: std::mem::take(&mut self.tasks_by_item),
            blocker_order: self.blocker_order,
            queue_order: self.queue_order,
            queue_text: std::mem::take(&mut self.queue_text),
            blockers_text: std::mem::take(&mut self.blockers_text),
            ..Views::default()
        };
    }

    /// Takes a new item list. Every derived list is emptied here, in the same step,
    /// so none can hold an index into the old list; [`Views::derive`] fills them.
    pub fn replace_items(
        &mut self,
        items: Vec<ItemView>,
        now: DateTime<Utc>,
        settings: blockers::Settings,
    ) {
        self.clear();
        self.rowid_ix = super::row_index::RowIndex::build(items.iter().map(|v| v.item.rowid));
        self.ids = super::ids::IdKeys::build(
            items
                .iter()
                .map(|v| (v.item.project.as_str(), v.item.number)),
        );
        self.haystacks = Haystacks::build(&items);
        self.id_width = items.iter().map(id_width).max().unwrap_or(2).max(2);
        self.next_check = items
            .iter()
            .map(|v| blockers::next_check(&v.item, v.blocked_since, now, settings))
            .collect();
        self.items = items;
    }

    /// Takes in one changed item: replaced in place when known, else appended (the
    /// indices of the other items stay valid either way).
    pub fn upsert(&mut self, v: ItemView, next: Option<DateTime<Utc>>) {
        match self.index_of(v.item.rowid) {
            Some(i) => {
                self.ids.set(i, &v.item.project, v.item.number);
                self.haystacks.replace(i, &v);
                self.items[i] = v;
                self.next_check[i] = next;
            }
            None => {
                self.rowid_ix.insert(v.item.rowid, self.items.len());
                self.ids
                    .set(self.items.len(), &v.item.project, v.item.number);
                self.haystacks.push(&v);
                self.id_width = self.id_width.max(id_width(&v));
                self.items.push(v);
                self.next_check.push(next);
            }
        }
        // Its place in the sort may have changed.
        self.order.clear();
    }

    /// Each item with its next check, to assess blockers again.
    pub fn assessments_mut(
        &mut self,
    ) -> impl Iterator<Item = (&mut ItemView, &mut Option<DateTime<Utc>>)> {
        self.items.iter_mut().zip(self.next_check.iter_mut())
    }

    /// The index into `items` of row `pos` of `pane`.
    pub fn row(&self, pane: Pane, pos: usize) -> Option<usize> {
        let ix = match pane {
            Pane::Tracker => self.tracker.get(pos).copied(),
            Pane::Queue => self.queue.get(pos).map(|e| e.ix),
            Pane::Blockers => self.blockers.get(pos).copied(),
            Pane::Expiring => self.expiring.get(pos).map(|r| r.ix),
            Pane::Reviews | Pane::Dashboard | Pane::Tasks => None,
        }?;
        (ix < self.items.len()).then_some(ix)
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

    /// The queue: requested items `decides` says the person may decide, and in
    /// which capacity; riskiest first, then oldest.
    pub fn derive_queue(&mut self, decides: impl Fn(&Item) -> Option<Capacity>) {
        let items = &self.items;
        let mut queue: Vec<QueueEntry> = items
            .iter()
            .enumerate()
            .filter_map(|(ix, v)| decides(&v.item).map(|capacity| QueueEntry { ix, capacity }))
            .collect();
        let order = self.queue_order;
        let ids = &self.ids;
        queue.sort_by(|a, b| {
            let (x, y) = (&items[a.ix].item, &items[b.ix].item);
            let age = x.state_since.cmp(&y.state_since);
            match order {
                QueueOrder::Risk => risk_rank(x).cmp(&risk_rank(y)).then(age),
                QueueOrder::Age => age,
                QueueOrder::System => cmp_text(&x.fields.system, &y.fields.system).then(age),
            }
            .then(ids.get(a.ix).cmp(&ids.get(b.ix)))
        });
        self.queue_all = queue;
        self.narrow();
    }

    /// The queue and the blockers as their filters leave them.
    pub fn narrow(&mut self) {
        let (items, hay) = (&self.items, &self.haystacks);
        let (q, b) = (
            Query::parse(&self.queue_text),
            Query::parse(&self.blockers_text),
        );
        let (q_hits, b_hits) = (q.hits(hay), b.hits(hay));
        self.queue = self
            .queue_all
            .iter()
            .copied()
            .filter(|e| q.matches(&items[e.ix], hay, &q_hits, e.ix))
            .collect();
        self.blockers = self
            .blockers_all
            .iter()
            .copied()
            .filter(|&i| b.matches(&items[i], hay, &b_hits, i))
            .collect();
    }

    /// The expiry radar: each item's line as `domain::expiry` sees it on its project's
    /// `today` (by project key), soonest end first.
    pub fn derive_expiring(&mut self, today: &FastMap<&str, NaiveDate>) {
        let items = &self.items;
        let mut rows: Vec<RadarRow> = items
            .iter()
            .enumerate()
            .filter_map(|(ix, v)| {
                let t = today.get(v.item.project.as_str())?;
                expiry::entry(&v.item, *t, expiry::RADAR_DAYS).map(|entry| RadarRow { ix, entry })
            })
            .collect();
        rows.sort_by(|a, b| {
            expiry::order((&a.entry, &items[a.ix].item), (&b.entry, &items[b.ix].item))
        });
        self.expiring = rows;
    }

    /// The blockers pane and its count by reason, in the chosen order (by default
    /// the items holding up most tasks first, then the oldest).
    pub fn derive_blockers(&mut self, now: DateTime<Utc>) {
        let items = &self.items;
        // Each blocking item with its place in the order as numbers (what it holds up,
        // since when it blocks, its id): the sort compares those, not the items.
        let order = self.blocker_order;
        let mut rows: Vec<([i64; 4], (u32, i64), usize)> = (0..items.len())
            .filter(|&i| items[i].blocking())
            .map(|i| {
                let held = self.held_up.get(&i).copied().unwrap_or_default();
                let key = order.key(held, items[i].blocked_since, now);
                (key, self.ids.get(i), i)
            })
            .collect();
        rows.sort_unstable();
        // A new vector of exactly their number (the keys' room is let go).
        let mut ix = Vec::with_capacity(rows.len());
        ix.extend(rows.iter().map(|&(_, _, i)| i));
        drop(rows);
        let rows = ix;
        let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
        for &i in &rows {
            for r in &items[i].reasons {
                *counts.entry(r.code()).or_default() += 1;
            }
        }
        let mut summary: Vec<(&'static str, usize)> = counts.into_iter().collect();
        summary.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        self.blockers_all = rows;
        self.blocker_summary = summary;
        self.narrow();
    }

    /// The header's figures (after the blockers pane is derived).
    pub fn derive_stats(&mut self, start: Option<(String, NaiveDate, i64)>) {
        let readiness = Readiness::of(self.items.iter().map(|v| &v.item));
        let oldest = self
            .blockers_all
            .iter()
            .filter_map(|&i| self.items.get(i)?.blocked_since)
            .min();
        self.stats = Stats {
            readiness,
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
        if self.order.len() != self.items.len() {
            self.order = (0..self.items.len()).collect();
            self.resort(sort, reverse);
        }
        let q = Query::parse(&filter.text);
        let state = filter.state;
        let items = &self.items;
        let hay = &self.haystacks;
        let hits = q.hits(hay);
        let mask = self.view_mask.as_deref();
        self.tracker = self
            .order
            .iter()
            .copied()
            .filter(|&i| {
                mask.is_none_or(|m| m.get(i).copied().unwrap_or(false))
                    && state.is_none_or(|s| items[i].item.state == s)
                    && q.matches(&items[i], hay, &hits, i)
            })
            .collect();
        self.query_problem = q.problem;
    }

    fn resort(&mut self, col: Column, rev: bool) {
        let items = &self.items;
        let text = |f: &ItemFields| -> Option<String> {
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
            let ids = &self.ids;
            self.order.sort_by_cached_key(|&i| {
                (text(&items[i].item.fields).unwrap_or_default(), ids.get(i))
            });
            if rev {
                // Keys are unique (they end with the id): reversing is the reverse order.
                self.order.reverse();
            }
            return;
        }
        let ids = &self.ids;
        if col == Column::Id {
            // Items are mostly loaded in id order already: a run the sort finds at once.
            self.order.sort_by_key(|&i| ids.get(i));
            if rev {
                self.order.reverse();
            }
            return;
        }
        self.order.sort_by(|&a, &b| {
            let ord =
                cmp_column(col, &items[a], &items[b]).then_with(|| ids.get(a).cmp(&ids.get(b)));
            if rev { ord.reverse() } else { ord }
        });
    }
}
