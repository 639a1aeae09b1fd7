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
use rusqlite::{Connection, Row};
use std::collections::{BTreeSet, HashMap};

fn cells(r: &Row<'_>, first: usize, n: usize) -> rusqlite::Result<Vec<Cell>> {
    (first..first + n)
        .map(|i| Ok(r.get_ref(i).map(raw)?.map(|c| c.into_owned())))
        .collect()
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
    people(conn, facts, &mut out)?;
    projects(conn, facts, &mut out)?;
    let ids = items(conn, facts, &mut out)?;
    tasks(conn, facts, &ids, &mut out)?;
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
    left.sort_by(|a, b| (a.table, &a.key).cmp(&(b.table, &b.key)));
    out.extend(left);
    Ok(out)
}

fn people(conn: &Connection, facts: &mut Facts, out: &mut Vec<Divergence>) -> Result<()> {
    let mut stmt =
        conn.prepare("SELECT login, name, roles, created_at FROM people ORDER BY login")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let login = text(r, 0)?;
        let stored = cells(r, 1, compare::PEOPLE.len())?;
        match facts.people.remove(&login) {
            Some(p) => compare::row(
                out,
                "people",
                &login,
                &compare::PEOPLE,
                &stored,
                &compare::person(&p),
                None,
            ),
            None => out.push(missing("people", login, Difference::NotInLog, None)),
        }
    }
    Ok(())
}

fn projects(conn: &Connection, facts: &mut Facts, out: &mut Vec<Divergence>) -> Result<()> {
    let sql = format!(
        "SELECT key, {} FROM projects ORDER BY key",
        compare::PROJECTS.join(", ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let key = text(r, 0)?;
        let stored = cells(r, 1, compare::PROJECTS.len())?;
        match facts.projects.remove(&key) {
            Some(p) => compare::row(
                out,
                "projects",
                &key,
                &compare::PROJECTS,
                &stored,
                &compare::project(&p),
                None,
            ),
            None => out.push(missing("projects", key, Difference::NotInLog, None)),
        }
    }
    Ok(())
}

/// One row of `approvals`: its round, capacity and the compared cells.
type StoredApproval = (i64, String, Vec<Cell>);

/// Compares `items` and their `approvals`; returns the item ids by row id, for the
/// tables that refer to items by row id.
fn items(
    conn: &Connection,
    facts: &mut Facts,
    out: &mut Vec<Divergence>,
) -> Result<HashMap<i64, String>> {
    let mut approvals: HashMap<i64, Vec<StoredApproval>> = HashMap::new();
    {
        let mut stmt = conn.prepare(
            "SELECT item_id, round, capacity, login, conditions, at FROM approvals ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let item: i64 = r.get(0)?;
            let round = r
                .get_ref(1)
                .map(raw)?
                .and_then(|c| c.parse().ok())
                .unwrap_or(-1);
            approvals.entry(item).or_default().push((
                round,
                text(r, 2)?,
                cells(r, 3, compare::APPROVALS.len())?,
            ));
        }
    }
    let mut ids = HashMap::new();
    let sql = format!(
        "SELECT id, project, number, {} FROM items ORDER BY id",
        compare::ITEMS.join(", ")
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
        let stored = cells(r, 3, compare::ITEMS.len())?;
        let given = approvals.remove(&rowid).unwrap_or_default();
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
        ids.insert(rowid, id);
    }
    // Approvals of items that do not exist (foreign keys were off for the change).
    let mut orphans: Vec<_> = approvals.into_iter().collect();
    orphans.sort_by_key(|(rowid, _)| *rowid);
    for (rowid, given) in orphans {
        for (round, capacity, _) in given {
            let key = compare::approval_key(&format!("item row {rowid}"), round, &capacity);
            out.push(missing("approvals", key, Difference::NotInLog, None));
        }
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
            Some(a) => compare::row(
                out,
                "approvals",
                &key,
                &compare::APPROVALS,
                &cells,
                &compare::approval(a),
                seq,
            ),
            None => out.push(missing("approvals", key, Difference::NotInLog, None)),
        }
    }
    for a in left.into_iter().flatten() {
        let key = compare::approval_key(id, a.round, a.capacity.as_str());
        out.push(missing("approvals", key, Difference::NotInTable, seq));
    }
}

fn tasks(
    conn: &Connection,
    facts: &mut Facts,
    ids: &HashMap<i64, String>,
    out: &mut Vec<Divergence>,
) -> Result<()> {
    let mut needs: HashMap<i64, BTreeSet<String>> = HashMap::new();
    {
        let mut stmt = conn.prepare("SELECT task_id, item_id FROM task_needs")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (task, item): (i64, i64) = (r.get(0)?, r.get(1)?);
            let id = ids
                .get(&item)
                .cloned()
                .unwrap_or_else(|| format!("item row {item}"));
            needs.entry(task).or_default().insert(id);
        }
    }
    let mut stmt = conn.prepare(
        "SELECT id, project, number, title, start_date, created_at FROM tasks ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let rowid: i64 = r.get(0)?;
        let number = text(r, 2)?;
        let key = format!("{}-T{number}", text(r, 1)?);
        let mut stored = cells(r, 3, 3)?;
        let items: Vec<String> = needs
            .remove(&rowid)
            .unwrap_or_default()
            .into_iter()
            .collect();
        stored.push(Some(items.join(",")));
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
