//! Task commands: add, list, show, and what a coordinator changes on a task (edit,
//! start, done). Whether a task is blocked, why, and its delay are the domain's
//! (`domain::tasks`); this prints them.

use super::args::{TaskCmd, parse_date};
use super::{CmdResult, open_store, output};
use crate::domain::tasks::{self, TaskEdit, Waiting};
use crate::domain::{Item, Project, State, Task, blockers};
use crate::store::{ItemFilter, ItemView, Store};
use chrono::NaiveDate;
use clap::Args;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Args)]
pub struct TaskEditArgs {
    /// The task (ACME-T1)
    pub id: String,
    /// A new title
    #[arg(long)]
    pub title: Option<String>,
    /// A new planned start
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub start: Option<NaiveDate>,
    /// Items it comes to need
    #[arg(long, value_delimiter = ',', value_name = "ID[,ID...]")]
    pub add_needs: Vec<String>,
    /// Items it no longer needs
    #[arg(long, value_delimiter = ',', value_name = "ID[,ID...]")]
    pub remove_needs: Vec<String>,
}

#[derive(Debug, Args)]
pub struct TaskDayArgs {
    /// The task (ACME-T1)
    pub id: String,
    /// The day, in the project's calendar [default: today]
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub on: Option<NaiveDate>,
}

/// A task with what holds it up, as the list and show commands print it.
struct Shown {
    task: Task,
    waiting: Vec<Waiting>,
    planned: Option<NaiveDate>,
    delay: Option<i64>,
}

impl Shown {
    fn of(
        task: Task,
        projects: &HashMap<String, Project>,
        items: &HashMap<String, &Item>,
        store: &Store,
    ) -> Shown {
        let waiting = tasks::waiting_for(&task.needs, |id| items.get(id).copied());
        let project = projects.get(&task.project);
        let planned = project.map(|p| tasks::planned_start(&task, p.start));
        let delay = project.zip(planned).map(|(p, planned)| {
            // The day each needed item was verified, in the project's calendar.
            let verified: Vec<Option<NaiveDate>> = task
                .needs
                .iter()
                .map(|id| {
                    items
                        .get(id)
                        .filter(|it| it.state == State::Verified)
                        .map(|it| blockers::today(p, it.state_since))
                })
                .collect();
            let today = blockers::today(p, store.now());
            tasks::delay_days(
                planned,
                tasks::last_needed_verified(&verified, planned),
                task.started_on,
                today,
            )
        });
        Shown {
            task,
            waiting,
            planned,
            delay,
        }
    }

    fn json(&self) -> Value {
        let t = &self.task;
        let waiting_for: Vec<&str> = self.waiting.iter().map(|w| w.item.as_str()).collect();
        json!({
            "id": t.id(),
            "project": t.project,
            "title": t.title,
            "start": t.start,
            "needs": t.needs,
            "blocked": tasks::is_blocked(t, &self.waiting),
            "waiting_for": waiting_for,
            "status": tasks::status(t, &self.waiting).code(),
            "waiting": self.waiting,
            "planned_start": self.planned,
            "started_on": t.started_on,
            "done_on": t.done_on,
            "delay_days": self.delay,
        })
    }

    /// "BLOCKED by ACME-2 denied, ACME-3 requested, not verified", "ready", "started 2026-04-02"...
    fn status_text(&self) -> String {
        let t = &self.task;
        match tasks::status(t, &self.waiting) {
            tasks::Status::Blocked => format!("BLOCKED by {}", waiting_text(&self.waiting)),
            tasks::Status::Ready => "ready".into(),
            tasks::Status::Started => format!("started {}", date(t.started_on)),
            tasks::Status::Done => format!("done {}", date(t.done_on)),
        }
    }
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "-".into())
}

fn waiting_text(w: &[Waiting]) -> String {
    w.iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tasks of `project` (all with `None`) with what holds each up.
fn shown(
    store: &Store,
    list: Vec<Task>,
    project: Option<&str>,
) -> crate::store::Result<Vec<Shown>> {
    let views: Vec<ItemView> = store.list_items(&ItemFilter {
        project: project.map(str::to_string),
        ..Default::default()
    })?;
    let items: HashMap<String, &Item> = views.iter().map(|v| (v.item.id(), &v.item)).collect();
    let projects: HashMap<String, Project> = store
        .projects()?
        .into_iter()
        .map(|p| (p.key.clone(), p))
        .collect();
    Ok(list
        .into_iter()
        .map(|t| Shown::of(t, &projects, &items, store))
        .collect())
}

/// What a change left, in one line (or the task as JSON).
fn changed(store: &Store, t: Task, what: &str, json: bool) -> CmdResult {
    let project = t.project.clone();
    let s = shown(store, vec![t], Some(&project))?;
    let Some(s) = s.first() else { return Ok(()) };
    if json {
        output::json(&s.json())?;
    } else {
        say!("{what} task {}: {}", s.task.id(), s.status_text())?;
    }
    Ok(())
}

pub fn task(path: &Path, cmd: TaskCmd, json: bool) -> CmdResult {
    let mut store = open_store(path)?;
    match cmd {
        TaskCmd::Add {
            project,
            title,
            needs,
            start,
        } => {
            let t = store.add_task(&project, &title, &needs, start)?;
            if json {
                output::json(&json!({"id": t.id(), "task": t}))?;
            } else {
                say!(
                    "added task {} ({}), needs {}",
                    t.id(),
                    t.title,
                    if t.needs.is_empty() {
                        "-".into()
                    } else {
                        t.needs.join(", ")
                    }
                )?;
            }
        }
        TaskCmd::List { project } => {
            if let Some(key) = &project {
                store.project(key)?;
            }
            let list = store.tasks(project.as_deref())?;
            let rows = shown(&store, list, project.as_deref())?;
            if json {
                output::json(&json!(rows.iter().map(Shown::json).collect::<Vec<_>>()))?;
            } else {
                let table: Vec<Vec<String>> = rows
                    .iter()
                    .map(|s| {
                        vec![
                            s.task.id(),
                            s.task.title.clone(),
                            s.task
                                .start
                                .map(|d| d.to_string())
                                .unwrap_or_else(|| "project start".into()),
                            s.status_text(),
                        ]
                    })
                    .collect();
                output::table(&["ID", "TITLE", "START", "STATUS"], &table, 60)?;
            }
        }
        TaskCmd::Show { id } => {
            let t = store.task(&id)?;
            let project = t.project.clone();
            let s = shown(&store, vec![t], Some(&project))?;
            let Some(s) = s.first() else { return Ok(()) };
            let t = &s.task;
            if json {
                output::json(&s.json())?;
            } else {
                say!("{} — {}", t.id(), crate::domain::text::sanitize(&t.title))?;
                say!(
                    "  planned start: {}{}",
                    date(s.planned),
                    if t.start.is_none() {
                        " (the project's start)"
                    } else {
                        ""
                    }
                )?;
                say!(
                    "  started: {}  done: {}",
                    date(t.started_on),
                    date(t.done_on)
                )?;
                for need in &t.needs {
                    match s.waiting.iter().find(|w| &w.item == need) {
                        Some(w) => say!("  needs {w}")?,
                        None => say!("  needs {need} verified")?,
                    }
                }
                if let Some(d) = s.delay {
                    say!("  delay: {d} days")?;
                }
                say!(
                    "  {}",
                    match tasks::status(t, &s.waiting) {
                        tasks::Status::Ready => "ready to start".to_string(),
                        _ => s.status_text(),
                    }
                )?;
            }
        }
        TaskCmd::Edit(a) => {
            let edit = TaskEdit {
                title: a.title,
                start: a.start,
                add_needs: a.add_needs,
                remove_needs: a.remove_needs,
            };
            let t = store.edit_task(&a.id, &edit)?;
            changed(&store, t, "changed", json)?;
        }
        TaskCmd::Start(a) => {
            let t = store.start_task(&a.id, a.on)?;
            changed(&store, t, "started", json)?;
        }
        TaskCmd::Done(a) => {
            let t = store.finish_task(&a.id, a.on)?;
            changed(&store, t, "finished", json)?;
        }
    }
    Ok(())
}
