//! Changing a task: its title, planned start and the items it needs, and recording the
//! day work on it started and the day it was done. Each is one event that records the
//! values it set (`task-edit`, `task-start`, `task-done`), replayed by `audit verify`.
//! Who may, and what is allowed, is the domain's (`machine::require_manager`,
//! `domain::tasks`).

use super::error::{Error, Result};
use super::events;
use super::handle::Store;
use super::records::{date_text, load_item, load_project, not_found};
use super::tasks::load_tasks;
use crate::domain::tasks::{self, TaskEdit};
use crate::domain::*;
use chrono::NaiveDate;
use rusqlite::{Connection, params};
use serde_json::{Map, Value, json};

/// The task `id` (`ACME-T1`) as stored now.
fn load_task(conn: &Connection, id: &str) -> Result<Task> {
    let (key, n) = parse_task_id(id).ok_or_else(|| {
        Error::Invalid(format!(
            "{} is not a task id; task ids look like ACME-T1",
            crate::domain::text::masked(id)
        ))
    })?;
    load_tasks(conn, Some(&key))?
        .into_iter()
        .find(|t| t.number == n)
        .ok_or_else(|| not_found(&format!("no task {id}")))
}

/// Which of a task's dates a recorded day sets.
#[derive(Clone, Copy)]
enum Mark {
    Started,
    Done,
}

impl Store {
    /// Changes a task's title, planned start and needed items (coordinator or admin).
    pub fn edit_task(&mut self, id: &str, edit: &TaskEdit) -> Result<Task> {
        self.manage_check("changing a task")?;
        let (key, _) = parse_task_id(id).unwrap_or_default();
        if let Some(title) = &edit.title {
            self.checked(rules::check_text("title", title, false), Some(&key), None)?;
        }
        let ids = |list: &[String]| -> Vec<String> {
            list.iter().map(|s| s.trim().to_ascii_uppercase()).collect()
        };
        let edit = TaskEdit {
            title: edit.title.as_ref().map(|t| t.trim().to_string()),
            add_needs: ids(&edit.add_needs),
            remove_needs: ids(&edit.remove_needs),
            ..edit.clone()
        };
        self.write(Some(&key), None, |tx, ctx| {
            let before = load_task(tx, id)?;
            let p = load_project(tx, &before.project)?;
            if p.closed_at.is_some() {
                return Err(Error::Refused(Refusal::new(
                    Rule::ProjectOpen,
                    format!("project {} is closed", p.key),
                )));
            }
            tasks::check_edit(&before, &edit)?;
            let mut added = Vec::new();
            for need in edit.add_needs.iter().filter(|n| !before.needs.contains(n)) {
                let it = load_item(tx, need)?;
                tasks::check_need(&p.key, need, &it.project, Field::AddNeeds)?;
                tx.execute(
                    "INSERT OR IGNORE INTO task_needs (task_id, item_id) VALUES (?1, ?2)",
                    params![before.rowid, it.rowid],
                )?;
                added.push(it.id());
            }
            for need in &edit.remove_needs {
                let it = load_item(tx, need)?;
                tx.execute(
                    "DELETE FROM task_needs WHERE task_id = ?1 AND item_id = ?2",
                    params![before.rowid, it.rowid],
                )?;
            }
            let mut fields = Map::new();
            if let Some(title) = edit.title.as_ref().filter(|t| **t != before.title) {
                tx.execute(
                    "UPDATE tasks SET title = ?1 WHERE id = ?2",
                    params![title, before.rowid],
                )?;
                fields.insert("title".into(), json!([before.title, title]));
            }
            if let Some(start) = edit.start.filter(|s| Some(*s) != before.start) {
                tx.execute(
                    "UPDATE tasks SET start_date = ?1 WHERE id = ?2",
                    params![date_text(Some(start)), before.rowid],
                )?;
                fields.insert(
                    "start".into(),
                    json!([date_text(before.start), date_text(Some(start))]),
                );
            }
            events::append(
                tx,
                ctx,
                Some(&p.key),
                None,
                "task-edit",
                &json!({"task": before.id(), "fields": Value::Object(fields), "add_needs": added, "remove_needs": edit.remove_needs}),
            )?;
            load_task(tx, id)
        })
    }

    /// Records the day work on a task started (today without `on`).
    pub fn start_task(&mut self, id: &str, on: Option<NaiveDate>) -> Result<Task> {
        self.mark_task(id, on, Mark::Started)
    }

    /// Records the day a task was done (today without `on`).
    pub fn finish_task(&mut self, id: &str, on: Option<NaiveDate>) -> Result<Task> {
        self.mark_task(id, on, Mark::Done)
    }

    fn mark_task(&mut self, id: &str, on: Option<NaiveDate>, mark: Mark) -> Result<Task> {
        let doing = match mark {
            Mark::Started => "recording a task's start",
            Mark::Done => "recording a task's end",
        };
        self.manage_check(doing)?;
        let (key, _) = parse_task_id(id).unwrap_or_default();
        self.write(Some(&key), None, |tx, ctx| {
            let before = load_task(tx, id)?;
            let p = load_project(tx, &before.project)?;
            let today = blockers::today(&p, ctx.now);
            let on = on.unwrap_or(today);
            let (column, kind) = match mark {
                Mark::Started => {
                    tasks::check_start(&before, on, today)?;
                    ("started_on", "task-start")
                }
                Mark::Done => {
                    tasks::check_done(&before, on, today)?;
                    ("done_on", "task-done")
                }
            };
            tx.execute(
                &format!("UPDATE tasks SET {column} = ?1 WHERE id = ?2"),
                params![date_text(Some(on)), before.rowid],
            )?;
            events::append(
                tx,
                ctx,
                Some(&p.key),
                None,
                kind,
                &json!({"task": before.id(), "on": date_text(Some(on))}),
            )?;
            load_task(tx, id)
        })
    }
}
