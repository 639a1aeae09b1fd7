//! Tasks: work that waits for access items.

use super::error::{Error, Result};
use super::events::{self, ts};
use super::handle::Store;
use super::policy;
use super::records::{date_text, load_item, load_project, not_found};
use super::rows;
use crate::domain::*;
use chrono::NaiveDate;
use rusqlite::params;
use serde_json::json;

impl Store {
    pub fn add_task(
        &mut self,
        project: &str,
        title: &str,
        needs: &[String],
        start: Option<NaiveDate>,
    ) -> Result<Task> {
        self.manage_check("adding a task")?;
        self.checked(
            rules::check_text("title", title, false),
            Some(project),
            None,
        )?;
        policy::required(Field::Title, "a task title", title)?;
        let key = project.to_ascii_uppercase();
        self.write(Some(&key), None, |tx, ctx| {
            let p = load_project(tx, &key)?;
            if p.closed_at.is_some() {
                return Err(Error::Refused(Refusal::new(Rule::ProjectOpen, format!("project {key} is closed"))));
            }
            let mut item_ids = Vec::new();
            for id in needs {
                let it = load_item(tx, id)?;
                crate::domain::tasks::check_need(&key, id, &it.project, Field::Needs)?;
                item_ids.push((it.rowid, it.id()));
            }
            let number: i64 = tx.query_row("UPDATE projects SET next_task = next_task + 1 WHERE key = ?1 RETURNING next_task - 1", [&key], |r| r.get(0))?;
            tx.execute(
                "INSERT INTO tasks (project, number, title, start_date, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![key, number, title.trim(), date_text(start), ts(ctx.now)],
            )?;
            let task_id = tx.last_insert_rowid();
            for (rowid, _) in &item_ids {
                tx.execute("INSERT OR IGNORE INTO task_needs (task_id, item_id) VALUES (?1, ?2)", params![task_id, rowid])?;
            }
            let t = Task {
                rowid: task_id,
                project: key.clone(),
                number,
                title: title.trim().to_string(),
                start,
                needs: item_ids.into_iter().map(|(_, id)| id).collect(),
                created_at: ctx.now,
                started_on: None,
                done_on: None,
            };
            events::append(tx, ctx, Some(&key), None, "task-add", &json!({"task": t.id(), "title": t.title, "needs": t.needs, "start": start}))?;
            Ok(t)
        })
    }

    pub fn tasks(&self, project: Option<&str>) -> Result<Vec<Task>> {
        load_tasks(&self.conn, project)
    }

    /// Every task, as [`Store::tasks`] lists them but with the row id of each item it
    /// needs in `needs` (decimal), a row that is not there included: for a reader that
    /// holds every item by its row id and takes the ids from there (the TUI's full
    /// load), so that no item row is looked up for its id.
    pub fn tasks_needing_rows(&self) -> Result<Vec<Task>> {
        load_tasks_needing_rows(&self.conn)
    }

    pub fn task(&self, id: &str) -> Result<Task> {
        let (key, n) = parse_task_id(id).ok_or_else(|| {
            Error::Invalid(format!(
                "{} is not a task id; task ids look like ACME-T1",
                crate::domain::text::masked(id)
            ))
        })?;
        self.tasks(Some(&key))?
            .into_iter()
            .find(|t| t.number == n)
            .ok_or_else(|| not_found(&format!("no task {id}")))
    }
}

/// The tasks of `project` (all with `None`), with the items each needs.
pub(super) fn load_tasks(conn: &rusqlite::Connection, project: Option<&str>) -> Result<Vec<Task>> {
    tasks_needing(conn, project, NEEDS_BY_ID)
}

/// Every task, each with the row ids of the items it needs in `needs` (decimal): for
/// a reader that meets every item anyway (the TUI's full load), so that no item row
/// is looked up for its id. A need may name a row that is not there (a file edited
/// outside accessdesk): the reader, which meets every row, leaves out those it never
/// met.
pub(super) fn load_tasks_needing_rows(conn: &rusqlite::Connection) -> Result<Vec<Task>> {
    tasks_needing(conn, None, NEEDS_ANY_ROW)
}

/// Each need of the tasks as (task row id, item id) ([`needs_sql`] adds which tasks
/// and the order).
pub(super) const NEEDS_BY_ID: &str = "SELECT n.task_id, i.project || '-' || i.number \
     FROM task_needs n JOIN items i ON i.id = n.item_id WHERE 1";
/// Only needs whose item is there, as [`NEEDS_BY_ID`]'s join keeps them (a row edited
/// away outside accessdesk is no need, here as in `task show`), by row id.
pub(super) const NEEDS_BY_ROW: &str = "SELECT n.task_id, n.item_id FROM task_needs n \
     WHERE EXISTS (SELECT 1 FROM items i WHERE i.id = n.item_id)";
/// Every need's row, there or not (from the index of needs alone).
pub(super) const NEEDS_ANY_ROW: &str = "SELECT n.task_id, n.item_id FROM task_needs n WHERE 1";

/// One of the `NEEDS_` queries over the tasks of one project (`?1`, sought through
/// the index of tasks by project) or of all, in the order of tasks' row ids and then
/// of the items' rows.
pub(super) fn needs_sql(needs: &str, one_project: bool) -> String {
    let of = match one_project {
        true => " AND n.task_id IN (SELECT id FROM tasks WHERE project = ?1)",
        false => "",
    };
    format!("{needs}{of} ORDER BY n.task_id, n.item_id")
}

/// The tasks of `project` (all with `None`) by project and number, each with the
/// needs that `needs` (one of the `NEEDS_` queries, see [`needs_sql`]) reads. The
/// tasks and their needs are each read in one pass and joined here: a look-up of each
/// task's needs from its row took four times as long as both passes.
fn tasks_needing(
    conn: &rusqlite::Connection,
    project: Option<&str>,
    needs: &str,
) -> Result<Vec<Task>> {
    let key = project.map(|p| p.to_ascii_uppercase());
    // Of every project, read in the order of the table and sorted here: through the
    // index of tasks by project, each row is sought in the table apart (at thirty
    // thousand tasks five times as long).
    let sql = match key {
        Some(_) => {
            "SELECT id, project, number, title, start_date, created_at, started_on, done_on \
                    FROM tasks WHERE project = ?1"
        }
        None => {
            "SELECT id, project, number, title, start_date, created_at, started_on, done_on \
                 FROM tasks"
        }
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let mut tasks: Vec<Task> = stmt
        .query_map(rusqlite::params_from_iter(&key), |r| {
            Ok(Task {
                rowid: r.get(0)?,
                project: rows::text(r, 1),
                number: rows::int(r, 2),
                title: rows::text(r, 3),
                start: rows::date(r, 4),
                created_at: rows::time(r, 5).unwrap_or_default(),
                needs: Vec::new(),
                started_on: rows::date(r, 6),
                done_on: rows::date(r, 7),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    // By project and number (a pair no two tasks share).
    tasks.sort_unstable_by(|a, b| (&a.project, a.number).cmp(&(&b.project, b.number)));
    let at: std::collections::HashMap<i64, usize, foldhash::fast::RandomState> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.rowid, i))
        .collect();
    let mut stmt = conn.prepare_cached(&needs_sql(needs, key.is_some()))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(&key))?;
    while let Some(r) = rows.next()? {
        let Some(&i) = at.get(&r.get::<_, i64>(0)?) else {
            continue;
        };
        let need = match r.get_ref(1)? {
            rusqlite::types::ValueRef::Integer(row) => row.to_string(),
            _ => rows::text(r, 1),
        };
        tasks[i].needs.push(need);
    }
    Ok(tasks)
}

/// A task as the report reads it: when it was planned to start and did start, and the
/// row ids of the items it needs (see [`planned`]).
#[derive(Debug, Clone, Default)]
pub(super) struct Planned {
    pub start: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    pub needs: Vec<i64>,
}

/// The tasks of `project` (all with `None`) as the report reads them, each at the place
/// of its project in `projects` (a task of a project not there is left out). Their
/// needs are row ids: of every project, each need's row whether it is there or not
/// (the report's pass, which meets every row, leaves out those it never met, as
/// [`load_tasks_needing_rows`] says); of one project, only the rows that are there.
/// The tasks come in the order of their row ids, and no title, time or text is read:
/// thirty thousand tasks are read in a few milliseconds.
pub(super) fn planned(
    conn: &rusqlite::Connection,
    project: Option<&str>,
    projects: &[Project],
) -> Result<Vec<Vec<Planned>>> {
    let key = project.map(|p| p.to_ascii_uppercase());
    let index: std::collections::HashMap<&str, usize, foldhash::fast::RandomState> = projects
        .iter()
        .enumerate()
        .map(|(i, p)| (p.key.as_str(), i))
        .collect();
    let mut out: Vec<Vec<Planned>> = vec![Vec::new(); projects.len()];
    // Each task's place: its project's index and its own among that project's tasks.
    let mut at: std::collections::HashMap<i64, (usize, usize), foldhash::fast::RandomState> =
        Default::default();
    let sql = match key {
        Some(_) => "SELECT id, project, start_date, started_on FROM tasks WHERE project = ?1",
        None => "SELECT id, project, start_date, started_on FROM tasks",
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(&key))?;
    while let Some(r) = rows.next()? {
        let pi = super::lean::with_text(r, 1, |k| k.and_then(|k| index.get(k).copied()));
        let Some(pi) = pi else {
            continue;
        };
        at.insert(rows::int(r, 0), (pi, out[pi].len()));
        out[pi].push(Planned {
            start: rows::date(r, 2),
            started_on: rows::date(r, 3),
            needs: Vec::new(),
        });
    }
    let needs = match key {
        Some(_) => NEEDS_BY_ROW,
        None => NEEDS_ANY_ROW,
    };
    let mut stmt = conn.prepare_cached(&needs_sql(needs, key.is_some()))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(&key))?;
    while let Some(r) = rows.next()? {
        if let Some(&(pi, ti)) = at.get(&rows::int(r, 0)) {
            // `task_needs` is STRICT: an item's row id is an integer.
            out[pi][ti].needs.push(rows::int(r, 1));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::store::testing::generated;

    #[test]
    fn tasks_added_project_after_project_in_turn_are_listed_by_project_and_number() {
        let (_dir, _db, mut s) = generated("tasks", 600, 7);
        let keys: Vec<String> = s
            .projects()
            .unwrap()
            .iter()
            .map(|p| p.key.clone())
            .collect();
        assert!(keys.len() >= 2);
        // Added last project first, in turn: the table's order is not the list's.
        for round in 0..3 {
            for key in keys.iter().rev().take(2) {
                s.add_task(key, &format!("Round {round}"), &[], None)
                    .unwrap();
            }
        }
        for listed in [s.tasks(None).unwrap(), s.tasks_needing_rows().unwrap()] {
            let order: Vec<(String, i64)> = listed
                .iter()
                .map(|t| (t.project.clone(), t.number))
                .collect();
            let mut sorted = order.clone();
            sorted.sort();
            assert_eq!(order, sorted);
            assert_eq!(listed.len(), s.tasks(None).unwrap().len());
        }
        let last = &keys[keys.len() - 1];
        let of_one = s.tasks(Some(last)).unwrap();
        let numbers: Vec<i64> = of_one.iter().map(|t| t.number).collect();
        assert!(of_one.iter().all(|t| &t.project == last) && numbers.is_sorted());
        assert!(numbers.len() >= 3);
    }
}
