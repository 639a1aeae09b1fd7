//! Reading items one at a time: every item a filter asks for handed on with its
//! approvals and its blockers, read into one reused item, so that a list of a million
//! items (the TUI's rows) holds none of them.

use super::super::error::Result;
use super::super::facts::{self, FACTS_MISSING};
use super::super::handle::Store;
use super::super::lean::Lean;
use super::super::records::{approvals_of_round, load_item};
use super::super::rows;
use super::{ByKey, ItemFilter, Listed, approvals_of_all, items_query};
use super::{PACKED_ROWS, PACKED_ROWS_BY_ITEM, Source, WHOLE_ROWS};
use crate::domain::conditions::ConditionFields;
use crate::domain::*;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Every item, in the table's own order (read from `source`): one scan of the table.
fn every_item_in_table_order(source: Source) -> String {
    let Source { columns, from } = source;
    format!("SELECT {columns} FROM {from} ORDER BY id")
}

/// The items of one range of row ids (read from `source`), in row id order (`?1`,
/// `?2`: the range's first and last row id).
fn items_of_range(source: Source) -> String {
    let Source { columns, from } = source;
    format!("SELECT {columns} FROM {from} WHERE id BETWEEN ?1 AND ?2 ORDER BY id")
}

/// One item by its row id, every column of it: for a row whose facts do not read.
const ITEM_BY_ROW_ID: &str = concat!(
    "SELECT ",
    rows::item_columns!(),
    " FROM items WHERE id = ?1"
);

/// Reads the rows of a list of items into one reused item. While every row has its
/// packed facts (`store::facts`; only a row written outside accessdesk lacks them), a
/// row is read from its facts and the few columns they do not hold
/// ([`rows::UNPACKED_COLUMNS`]): about a third of the values a row holds, with numbers
/// for the times that would each be parsed from text. Else every column is read
/// ([`rows::ITEM_COLUMNS`]). Both give the same item: the facts are packed from the
/// very columns, read by the same forgiving readers (see this module's tests).
struct RowReader {
    packed: bool,
    /// The item read, in `lean.item` (with the dates its facts met).
    lean: Lean,
}

impl RowReader {
    fn new(store: &Store) -> Result<RowReader> {
        let missing = super::super::indexed::prepare(&store.conn, FACTS_MISSING)?
            .query_row([], |r| r.get::<_, bool>(0))?;
        Ok(RowReader {
            packed: !missing,
            lean: Lean::new(),
        })
    }

    /// Another reader of the rows in the same form (one for each thread of a list).
    fn like(&self) -> RowReader {
        RowReader {
            packed: self.packed,
            lean: Lean::new(),
        }
    }

    /// Where the rows are read from when every row (of a range) is read, with the
    /// columns each is to hold.
    fn scan(&self) -> Source {
        match self.packed {
            true => PACKED_ROWS,
            false => WHOLE_ROWS,
        }
    }

    /// [`RowReader::scan`] for the rows a filter finds by the items' own columns.
    fn filtered(&self) -> Source {
        match self.packed {
            true => PACKED_ROWS_BY_ITEM,
            false => WHOLE_ROWS,
        }
    }

    /// Reads a row of [`RowReader::scan`] or [`RowReader::filtered`] (read on `c`)
    /// into the item, its approvals left as they were. A row whose facts do not read
    /// (changed outside accessdesk, which `audit verify` names) is read again whole by
    /// its row id, so it shows as its columns read; `false` when it is no longer there.
    fn read(&mut self, c: &rusqlite::Connection, r: &rusqlite::Row<'_>) -> Result<bool> {
        if !self.packed {
            rows::item_into(r, &mut self.lean.item)?;
            return Ok(true);
        }
        if facts::item_into(r, &mut self.lean).is_some() {
            return Ok(true);
        }
        let mut one = c.prepare_cached(ITEM_BY_ROW_ID)?;
        let mut found = one.query([rows::int(r, 0)])?;
        match found.next()? {
            Some(whole) => {
                rows::item_into(whole, &mut self.lean.item)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

impl Store {
    /// Every item `filter` asks for by its project, state or changes since a moment
    /// (its blocked and expiry conditions are not looked at), in (project, number)
    /// order — every item of every project in the table's own order instead, one scan
    /// with no seek through the index per row — at most `limit`, handed to `each` one
    /// at a time with its current round's approvals and its blockers at `now`; items of
    /// a project not listed are left out, as in [`Store::list_items`]. Returns how many
    /// were handed on.
    ///
    /// The items are not held: each row is read into the same value as the one before
    /// it, so a million items cost no item's room apiece and no allocation for a text
    /// no longer than the last one's. A whole list takes its approvals from one read of
    /// them all, made first; a few items each read their own through the index.
    pub fn each_item(
        &self,
        filter: &ItemFilter,
        limit: Option<usize>,
        now: DateTime<Utc>,
        mut each: impl FnMut(Listed<'_>),
    ) -> Result<usize> {
        let every = filter.project.is_none()
            && filter.state.is_none()
            && filter.updated_since.is_none()
            && filter.expiring_days.is_none()
            && limit.is_none();
        let mut projects = ProjectsOf::new(self, every)?;
        let people = self.people_by_login()?;
        let mut reader = RowReader::new(self)?;
        let (mut sql, args) = match every {
            true => (every_item_in_table_order(reader.scan()), Vec::new()),
            false => items_query(filter, reader.filtered()),
        };
        if let Some(n) = limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let table = match (limit, filter.updated_since) {
            (None, None) => Some(ApprovalTable::read(self, filter.project.as_deref())?),
            _ => None,
        };
        let mut stmt = self.conn.prepare(&sql)?;
        let mut found = stmt.query(rusqlite::params_from_iter(args.iter()))?;
        let mut n = 0;
        let mut next_approval = 0;
        while let Some(r) = found.next()? {
            if !reader.read(&self.conn, r)? {
                continue;
            }
            let item = &mut reader.lean.item;
            let Some(p) = projects.get(self, &item.project)? else {
                continue;
            };
            match &table {
                Some(t) => t.fill(item, &mut next_approval),
                None => {
                    item.approvals.clear();
                    approvals_of_round(&self.conn, (item.rowid, item.round), &mut item.approvals)?;
                }
            }
            hand_on(item, p, (now, self.settings, &people), &mut each);
            n += 1;
        }
        Ok(n)
    }

    /// The items of `ids` (`KEY-N`) as [`Store::each_item`] hands them on; an id
    /// without an item, or of a project not listed, is left out.
    pub fn each_item_of(
        &self,
        ids: &[String],
        now: DateTime<Utc>,
        mut each: impl FnMut(Listed<'_>),
    ) -> Result<usize> {
        let mut projects = ProjectsOf::new(self, false)?;
        let people = self.people_by_login()?;
        let mut n = 0;
        for id in ids {
            let item = match load_item(&self.conn, id) {
                Ok(item) => item,
                Err(super::super::error::Error::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            let Some(p) = projects.get(self, &item.project)? else {
                continue;
            };
            hand_on(&item, p, (now, self.settings, &people), &mut each);
            n += 1;
        }
        Ok(n)
    }
}

/// The projects of the items handed on, by key: all read at once for every item of
/// the file, else each as the first of its items comes (the first screenful, the
/// changes since a moment, a few ids), so that twenty rows read their few projects,
/// not ten thousand. A key no project has is none, as in the whole list.
enum ProjectsOf {
    All(ByKey<Project>),
    Sought(ByKey<Option<Project>>),
}

impl ProjectsOf {
    fn new(store: &Store, all: bool) -> Result<ProjectsOf> {
        Ok(match all {
            true => ProjectsOf::All(store.projects_by_key()?),
            false => ProjectsOf::Sought(ByKey::default()),
        })
    }

    fn get(&mut self, store: &Store, key: &str) -> Result<Option<&Project>> {
        let sought = match self {
            ProjectsOf::All(all) => return Ok(all.get(key)),
            ProjectsOf::Sought(sought) => sought,
        };
        if !sought.contains_key(key) {
            let p = super::super::records::find_project(&store.conn, key)?;
            sought.insert(key.to_string(), p);
        }
        Ok(sought.get(key).and_then(Option::as_ref))
    }
}

/// The approvals of the items of one range of row ids, in table order: one scan of
/// the table (the `+` keeps the index on the item's id out, whose order is not the
/// table's).
const APPROVALS_OF_RANGE: &str = "SELECT item_id, login, capacity, conditions, at, round, terms FROM approvals \
    WHERE +item_id BETWEEN ?1 AND ?2 ORDER BY id";

/// Items below which [`Store::item_readers`] reads on one thread: the parts, taken
/// in one after the other, hold some of the lists twice for a moment, and the
/// threads' allocations stay apart, which cost more memory than the time they save
/// is worth for a list this short (measured: at 100,000 items 15 MB more for 50 ms).
const MIN_ITEMS_IN_PARTS: usize = 250_000;

/// What one thread of [`Store::each_item_in_parts`] holds while it reads its range.
struct Reading<P> {
    part: P,
    reader: RowReader,
    table: ApprovalTable,
    next_approval: usize,
}

impl Store {
    /// How many more connections [`Store::each_item_in_parts`] would read about
    /// `items` items with on this host (none: the caller's connection reads alone).
    pub(crate) fn item_readers(items: usize) -> usize {
        if items < MIN_ITEMS_IN_PARTS {
            return 0;
        }
        super::super::parallel::readers_for(i64::try_from(items).unwrap_or(i64::MAX))
    }

    /// Every item of every project listed, as [`Store::each_item`] hands them on with
    /// no filter, read on `readers` more connections at once (see `store::parallel`;
    /// with none, or when they cannot be shown to read one snapshot, the caller's
    /// connection reads alone): each reads one range of row ids into its own part
    /// (`init` makes it, told about how many rows the range holds; `each` takes in an
    /// item), and the parts come back in the order of their ranges: taken in that
    /// order, the items come as one reader hands them on. Meanwhile `meanwhile` runs
    /// on this thread, and may read this handle at the same snapshot.
    pub(crate) fn each_item_in_parts<P: Send, R>(
        &self,
        readers: usize,
        now: DateTime<Utc>,
        init: impl Fn(usize) -> P + Sync,
        each: impl Fn(&mut P, Listed<'_>) + Sync,
        meanwhile: impl FnOnce() -> Result<R>,
    ) -> Result<(Vec<P>, R)> {
        let mut snapshot =
            super::super::parallel::Snapshot::begin(&self.conn, &self.path, self.file, readers)?;
        // The items counted on another connection while this one reads the projects
        // and the people.
        let (rows, (projects, people)) = snapshot.beside(
            |c| super::super::parallel::count_rows(c, "items"),
            || self.projects_and_people(),
        )?;
        let fold = Listing {
            projects: &projects,
            people: &people,
            settings: self.settings,
            now,
            // Every thread reads the rows in the same form.
            form: RowReader::new(self)?,
            init,
            each,
        };
        let sql = items_of_range(fold.form.scan());
        let (parts, other) = snapshot.fold_on(("items", &sql, &[]), rows, &fold, meanwhile)?;
        Ok((parts.into_iter().map(|r| r.part).collect(), other))
    }
}

/// The fold of [`Store::each_item_in_parts`]: each thread reads its range's approvals
/// first, then each row into its own reused item, handed on with its blockers.
struct Listing<'a, I, E> {
    projects: &'a ByKey<Project>,
    people: &'a ByKey<Person>,
    settings: blockers::Settings,
    now: DateTime<Utc>,
    form: RowReader,
    init: I,
    each: E,
}

impl<P, I, E> super::super::parallel::Fold for Listing<'_, I, E>
where
    P: Send,
    I: Fn(usize) -> P + Sync,
    E: Fn(&mut P, Listed<'_>) + Sync,
{
    type Part = Reading<P>;

    /// Both scans put the row id first.
    fn row_id(&self, r: &rusqlite::Row<'_>) -> i64 {
        rows::int(r, 0)
    }

    fn part(
        &self,
        c: &rusqlite::Connection,
        share: super::super::parallel::Share,
        range: (i64, i64),
    ) -> Result<Reading<P>> {
        let top: Option<i64> = c.query_row("SELECT max(id) FROM approvals", [], |r| r.get(0))?;
        let top = usize::try_from(top.unwrap_or(0)).unwrap_or(0).min(1 << 26);
        let room = match share.all_rows {
            0 => 0,
            all => top / all * share.rows + top % all * share.rows / all,
        };
        let table = ApprovalTable::read_from(c, APPROVALS_OF_RANGE, [range.0, range.1], room)?;
        Ok(Reading {
            part: (self.init)(share.rows),
            reader: self.form.like(),
            table,
            next_approval: 0,
        })
    }

    fn add(
        &self,
        r: &mut Reading<P>,
        c: &rusqlite::Connection,
        row: &rusqlite::Row<'_>,
        _: Option<i64>,
    ) -> Result<()> {
        if !r.reader.read(c, row)? {
            return Ok(());
        }
        let it = &mut r.reader.lean.item;
        let Some(p) = self.projects.get(&it.project) else {
            return Ok(());
        };
        r.table.fill(it, &mut r.next_approval);
        let part = &mut r.part;
        let at = (self.now, self.settings, self.people);
        hand_on(it, p, at, &mut |l| (self.each)(part, l));
        Ok(())
    }
}

/// Hands `item` on with its blockers at the moment given, as the rules see them with
/// the people registered.
fn hand_on(
    item: &Item,
    project: &Project,
    (now, settings, people): (DateTime<Utc>, blockers::Settings, &ByKey<Person>),
    each: &mut impl FnMut(Listed<'_>),
) {
    let assessment = blockers::assess(item, project, now, settings, people);
    each(Listed {
        item,
        project,
        assessment,
    });
}

/// The approvals of every item, read before the items so that each takes its own as
/// it streams past: sorted by row id (each item's in table order), compact — a login
/// is a number into the logins seen, the conditions (rare) kept apart.
#[derive(Default)]
struct ApprovalTable {
    kept: Vec<Kept>,
    logins: Vec<String>,
    conditions: Vec<(Option<String>, Option<Box<ConditionFields>>)>,
}

struct Kept {
    item_id: i64,
    round: i64,
    at: DateTime<Utc>,
    login: u32,
    /// Index into `conditions`, `u32::MAX` when none.
    conditions: u32,
    capacity: Capacity,
}

impl ApprovalTable {
    fn read(store: &Store, project: Option<&str>) -> Result<ApprovalTable> {
        let mut room = 0;
        if project.is_none() {
            // Room for them all at once (the largest id bounds their number): grown
            // by doubling, the table would be copied as it grew.
            let top: Option<i64> =
                store
                    .conn
                    .query_row("SELECT max(id) FROM approvals", [], |r| r.get(0))?;
            // (A hand-edited id far past the others does not reserve past reason.)
            room = usize::try_from(top.unwrap_or(0)).unwrap_or(0).min(1 << 26);
        }
        let sql = approvals_of_all(project);
        let project = project.map(|p| p.to_ascii_uppercase());
        ApprovalTable::read_from(&store.conn, sql, [project], room)
    }

    /// The approvals `sql` reads (with `args`), with room made for `room` of them.
    fn read_from(
        conn: &rusqlite::Connection,
        sql: &str,
        args: impl rusqlite::Params,
        room: usize,
    ) -> Result<ApprovalTable> {
        let mut t = ApprovalTable::default();
        t.kept.reserve_exact(room);
        let mut login_ix: HashMap<String, u32, foldhash::fast::RandomState> = HashMap::default();
        let mut stmt = conn.prepare_cached(sql)?;
        let mut found = stmt.query(args)?;
        while let Some(r) = found.next()? {
            let round = r.get::<_, i64>(5)?;
            let (item_id, login, a) = rows::approval_with(r, |text| match login_ix.get(text) {
                Some(&n) => n,
                None => {
                    let n = u32::try_from(t.logins.len()).unwrap_or(u32::MAX);
                    t.logins.push(text.to_string());
                    login_ix.insert(text.to_string(), n);
                    n
                }
            })?;
            let conditions = match (a.conditions, a.terms) {
                (None, None) => u32::MAX,
                some => {
                    t.conditions.push(some);
                    u32::try_from(t.conditions.len() - 1).unwrap_or(u32::MAX)
                }
            };
            t.kept.push(Kept {
                item_id,
                round,
                at: a.at,
                login,
                conditions,
                capacity: a.capacity,
            });
        }
        // Stable: each item's approvals stay in table order.
        t.kept.sort_by_key(|k| k.item_id);
        Ok(t)
    }

    /// Sets the approvals of `it`'s current round, over the room of those it held.
    /// `next`: where the approvals after the last item's begin — items read in row id
    /// order find theirs there, with no search.
    fn fill(&self, it: &mut Item, next: &mut usize) {
        let here = |i: usize| {
            self.kept.get(i).is_none_or(|k| k.item_id >= it.rowid)
                && (i == 0 || self.kept[i - 1].item_id < it.rowid)
        };
        let from = match here(*next) {
            true => *next,
            false => self.kept.partition_point(|k| k.item_id < it.rowid),
        };
        let to = from
            + self.kept[from..]
                .iter()
                .take_while(|k| k.item_id == it.rowid)
                .count();
        *next = to;
        let mine = self.kept[from..to].iter().filter(|k| k.round == it.round);
        let mut n = 0;
        for k in mine {
            let login = self.logins.get(k.login as usize).map_or("", String::as_str);
            let (conditions, terms) = self
                .conditions
                .get(k.conditions as usize)
                .cloned()
                .unwrap_or_default();
            match it.approvals.get_mut(n) {
                Some(a) => {
                    a.login.clear();
                    a.login.push_str(login);
                    a.capacity = k.capacity;
                    a.at = k.at;
                    a.conditions = conditions;
                    a.terms = terms;
                }
                None => it.approvals.push(Approval {
                    login: login.to_string(),
                    capacity: k.capacity,
                    conditions,
                    at: k.at,
                    terms,
                }),
            }
            n += 1;
        }
        it.approvals.truncate(n);
    }
}

#[cfg(test)]
mod tests;
