//! Reading the replayed tables and comparing them with the replay, one row at a time:
//! each row is looked up among the replayed ones and taken out, so what is left at
//! the end is what the events made and the table lacks. Rows are named by their keys
//! (login, project key, item and task ids), never by row ids, which the log does not
//! record.

use super::compare::{self, Cell, Difference, Divergence};
use super::facts::{ApprovalFacts, Facts};
use super::raw;
use crate::domain::model::item_id;
use crate::store::error::Result;
use crate::store::life::COLUMNS as LIFE;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The stored values of `n` columns from `first` on, borrowed from the row.
fn stored<'r>(r: &'r Row<'_>, first: usize, n: usize) -> rusqlite::Result<Vec<ValueRef<'r>>> {
    (first..first + n).map(|i| r.get_ref(i)).collect()
}

/// Values of an approval row kept until its item is read.
fn cells(r: &Row<'_>, first: usize, n: usize) -> rusqlite::Result<Vec<Cell>> {
    (first..first + n)
        .map(|i| Ok(r.get_ref(i).map(raw)?.map(|c| c.into_owned())))
        .collect()
}

/// A kept value as stored again, for [`compare::row`].
fn as_stored(c: &Cell) -> ValueRef<'_> {
    match c {
        Some(t) => ValueRef::Text(t.as_bytes()),
        None => ValueRef::Null,
    }
}

fn text(r: &Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(r.get_ref(i).map(raw)?.unwrap_or_default().into_owned())
}

fn missing(table: &'static str, key: String, what: Difference, last: Option<i64>) -> Divergence {
    Divergence {
        table,
        key,
        what,
        last_seq: last,
    }
}

/// Compares every replayed table with the facts, consuming them.
pub(super) fn compare(conn: &Connection, facts: &mut Facts) -> Result<Vec<Divergence>> {
    let mut out = Vec::new();
    let people = ("people", "login", &compare::PEOPLE);
    by_key(conn, people, &mut facts.people, compare::person, &mut out)?;
    let projects = ("projects", "key", &compare::PROJECTS);
    by_key(
        conn,
        projects,
        &mut facts.projects,
        compare::project,
        &mut out,
    )?;
    let needs = task_needs(conn)?;
    let wanted: HashSet<i64> = needs.values().flatten().copied().collect();
    let ids = items(conn, facts, &wanted, &mut out)?;
    tasks(conn, facts, needs, &ids, &mut out)?;
    super::reviews::compare(conn, &mut facts.reviews, &mut out)?;
    let mut systems = facts.catalogue.take_all();
    let catalogue = (super::catalogue::TABLE, "name", &super::catalogue::COLUMNS);
    by_key(
        conn,
        catalogue,
        &mut systems,
        super::catalogue::want,
        &mut out,
    )?;
    super::templates::compare(conn, &mut facts.templates, &mut out)?;
    let mut settings = facts.settings.take_all();
    let table = (super::settings::TABLE, "key", &super::settings::COLUMNS);
    by_key(conn, table, &mut settings, super::settings::want, &mut out)?;
    super::spells::compare(conn, &mut facts.spells, &mut out)?;
    // The leftovers are sorted so that the report reads the same every time.
    let mut left: Vec<Divergence> = Vec::new();
    left.extend(
        facts
            .people
            .drain()
            .map(|(k, _)| missing("people", k, Difference::NotInTable, None)),
    );
    left.extend(
        facts
            .projects
            .drain()
            .map(|(k, _)| missing("projects", k, Difference::NotInTable, None)),
    );
    left.extend(
        facts
            .items
            .drain()
            .map(|(k, it)| missing("items", k, Difference::NotInTable, Some(it.last_seq))),
    );
    left.extend(
        facts
            .tasks
            .drain()
            .map(|(k, _)| missing("tasks", k, Difference::NotInTable, None)),
    );
    left.extend(systems.into_iter().map(|(k, f)| {
        let seq = Some(f.seq);
        missing(super::catalogue::TABLE, k, Difference::NotInTable, seq)
    }));
    left.extend(settings.into_iter().map(|(k, f)| {
        missing(
            super::settings::TABLE,
            k,
            Difference::NotInTable,
            Some(f.seq),
        )
    }));
    left.sort_by(|a, b| (a.table, &a.key).cmp(&(b.table, &b.key)));
    out.extend(left);
    Ok(out)
}

/// Compares the `columns` of a table whose rows are named by one text column,
/// `(table, key, columns)`, with the replayed rows of the same name, taking each out of
/// `replayed`.
fn by_key<F, const N: usize>(
    conn: &Connection,
    (table, key, columns): (&'static str, &str, &[&'static str; N]),
    replayed: &mut HashMap<String, F>,
    want: impl for<'f> Fn(&'f F) -> [compare::Want<'f>; N],
    out: &mut Vec<Divergence>,
) -> Result<()> {
    let sql = format!(
        "SELECT {key}, {} FROM {table} ORDER BY {key}",
        columns.join(", ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let name = text(r, 0)?;
        let stored = stored(r, 1, N)?;
        match replayed.remove(&name) {
            Some(f) => compare::row(out, table, &name, columns, &stored, &want(&f), None),
            None => out.push(missing(table, name, Difference::NotInLog, None)),
        }
    }
    Ok(())
}

/// One row of `approvals`: its round, capacity and the compared cells.
type StoredApproval = (i64, String, Vec<Cell>);

/// Compares `items` and their `approvals`; returns the item ids by row id, for the
/// tables that refer to items by row id.
/// The approvals of one item after another, read alongside the items in row id order
/// (a merge of two ordered scans), so that no map of every approval is built.
struct Approvals<'s> {
    rows: rusqlite::Rows<'s>,
    /// The row read but not yet taken: its item's row id and the approval.
    ahead: Option<(i64, StoredApproval)>,
}

impl Approvals<'_> {
    fn read(&mut self) -> Result<()> {
        self.ahead = match self.rows.next()? {
            Some(r) => {
                let round = r
                    .get_ref(1)
                    .map(raw)?
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(-1);
                let approval = (round, text(r, 2)?, cells(r, 3, compare::APPROVALS.len())?);
                Some((r.get(0)?, approval))
            }
            None => None,
        };
        Ok(())
    }

    /// The approvals of the item with row id `rowid`, and those before it whose
    /// item does not exist (foreign keys were off for the change) in `orphans`.
    fn of(
        &mut self,
        rowid: i64,
        orphans: &mut Vec<(i64, StoredApproval)>,
    ) -> Result<Vec<StoredApproval>> {
        let mut mine = Vec::new();
        while let Some((item, _)) = &self.ahead {
            let item = *item;
            if item > rowid {
                break;
            }
            if let Some((_, a)) = self.ahead.take() {
                if item == rowid {
                    mine.push(a);
                } else {
                    orphans.push((item, a));
                }
            }
            self.read()?;
        }
        Ok(mine)
    }
}

/// Compares `items` and their `approvals`; returns the ids of the items in `wanted`
/// by row id, for the tables that refer to items by row id.
fn items(
    conn: &Connection,
    facts: &mut Facts,
    wanted: &HashSet<i64>,
    out: &mut Vec<Divergence>,
) -> Result<HashMap<i64, String>> {
    let mut approvals_stmt = conn.prepare(
        "SELECT item_id, round, capacity, login, conditions, at, terms FROM approvals ORDER BY item_id, id",
    )?;
    let mut approvals = Approvals {
        rows: approvals_stmt.query([])?,
        ahead: None,
    };
    approvals.read()?;
    let mut orphans = Vec::new();
    let mut ids = HashMap::new();
    let sql = format!(
        "SELECT id, project, number, {}, {} FROM items ORDER BY id",
        compare::ITEMS.join(", "),
        LIFE.join(", ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let rowid: i64 = r.get(0)?;
        let number = r
            .get_ref(2)
            .map(raw)?
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let id = item_id(&text(r, 1)?, number);
        let life = stored(r, 3 + compare::ITEMS.len(), LIFE.len())?;
        let stored = stored(r, 3, compare::ITEMS.len())?;
        let given = approvals.of(rowid, &mut orphans)?;
        match facts.items.remove(&id) {
            Some(it) => {
                let seq = Some(it.last_seq);
                compare::row(
                    out,
                    "items",
                    &id,
                    &compare::ITEMS,
                    &stored,
                    &compare::item(&it),
                    seq,
                );
                compare::row(out, "items", &id, &LIFE, &life, &compare::life(&it), seq);
                item_approvals(out, &id, given, &it.approvals, seq);
            }
            None => {
                out.push(missing("items", id.clone(), Difference::NotInLog, None));
                for (round, capacity, _) in given {
                    let key = compare::approval_key(&id, round, &capacity);
                    out.push(missing("approvals", key, Difference::NotInLog, None));
                }
            }
        }
        if wanted.contains(&rowid) {
            ids.insert(rowid, id);
        }
    }
    approvals.of(i64::MAX, &mut orphans)?;
    for (rowid, (round, capacity, _)) in orphans {
        let key = compare::approval_key(&format!("item row {rowid}"), round, &capacity);
        out.push(missing("approvals", key, Difference::NotInLog, None));
    }
    Ok(ids)
}

fn item_approvals(
    out: &mut Vec<Divergence>,
    id: &str,
    stored: Vec<StoredApproval>,
    replayed: &[ApprovalFacts],
    seq: Option<i64>,
) {
    let mut left: Vec<Option<&ApprovalFacts>> = replayed.iter().map(Some).collect();
    for (round, capacity, cells) in stored {
        let key = compare::approval_key(id, round, &capacity);
        let found = left
            .iter_mut()
            .find(|a| a.is_some_and(|a| a.round == round && a.capacity.as_str() == capacity));
        match found.and_then(Option::take) {
            Some(a) => {
                let cells: Vec<ValueRef<'_>> = cells.iter().map(as_stored).collect();
                let want = compare::approval(a);
                compare::row(
                    out,
                    "approvals",
                    &key,
                    &compare::APPROVALS,
                    &cells,
                    &want,
                    seq,
                );
            }
            None => out.push(missing("approvals", key, Difference::NotInLog, None)),
        }
    }
    for a in left.into_iter().flatten() {
        let key = compare::approval_key(id, a.round, a.capacity.as_str());
        out.push(missing("approvals", key, Difference::NotInTable, seq));
    }
}

/// The rows of `task_needs`: item row ids by task row id.
fn task_needs(conn: &Connection) -> Result<HashMap<i64, Vec<i64>>> {
    let mut needs: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut stmt = conn.prepare("SELECT task_id, item_id FROM task_needs")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        needs.entry(r.get(0)?).or_default().push(r.get(1)?);
    }
    Ok(needs)
}

fn tasks(
    conn: &Connection,
    facts: &mut Facts,
    needs: HashMap<i64, Vec<i64>>,
    ids: &HashMap<i64, String>,
    out: &mut Vec<Divergence>,
) -> Result<()> {
    let mut needs: HashMap<i64, BTreeSet<String>> = needs
        .into_iter()
        .map(|(task, items)| {
            let named = items
                .into_iter()
                .map(|i| {
                    ids.get(&i)
                        .cloned()
                        .unwrap_or_else(|| format!("item row {i}"))
                })
                .collect();
            (task, named)
        })
        .collect();
    let mut stmt = conn.prepare(
        "SELECT id, project, number, title, start_date, created_at, started_on, done_on FROM tasks ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let rowid: i64 = r.get(0)?;
        let number = text(r, 2)?;
        let key = format!("{}-T{number}", text(r, 1)?);
        let items: Vec<String> = needs
            .remove(&rowid)
            .unwrap_or_default()
            .into_iter()
            .collect();
        let items = items.join(",");
        let mut stored = stored(r, 3, 5)?;
        stored.push(ValueRef::Text(items.as_bytes()));
        match facts.tasks.remove(&key) {
            Some(t) => compare::row(
                out,
                "tasks",
                &key,
                &compare::TASKS,
                &stored,
                &compare::task(&t),
                None,
            ),
            None => out.push(missing("tasks", key, Difference::NotInLog, None)),
        }
    }
    for (task, _) in needs {
        let key = format!("task row {task}");
        out.push(missing("task_needs", key, Difference::NotInLog, None));
    }
    Ok(())
}
