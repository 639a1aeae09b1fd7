//! Tasks on the screen (pane 5): each task with what holds it up, derived from the
//! loaded items whenever they change; what each blocking item holds up, which orders
//! the blockers pane; and the task forms (edit, started, done). Whether a task is
//! blocked, and what may be recorded, is the domain's (`domain::tasks`); the store
//! refuses anything else.

use super::app::App;
use super::form::{Form, TaskStep};
use super::state::{Modal, Pane, StatusKind, TaskRow};
use super::views::FastMap;
use crate::domain::tasks::{self, HeldUp, TaskEdit};
use crate::domain::{blockers, machine, parse_item_id};
use chrono::NaiveDate;

impl App {
    /// Each task's status and what holds it up, and what each item holds up, from the
    /// loaded items (by id, found in one pass over the items): the tasks pane's rows
    /// and the blockers pane's order.
    pub(super) fn tasks_derived(&self) -> (Vec<TaskRow>, FastMap<usize, HeldUp>) {
        let views = &self.views;
        // Each needed id as numbers, worked out once (not at every look-up of it).
        let mut numbers: FastMap<&str, (u32, i64)> = FastMap::default();
        for need in self.tasks.list.iter().flat_map(|t| &t.needs) {
            if !numbers.contains_key(need.as_str())
                && let Some(id) = parse_item_id(need).and_then(|(k, n)| views.id_numbers(&k, n))
            {
                numbers.insert(need, id);
            }
        }
        let found = views.indices_of(numbers.values().copied());
        let index = |id: &str| found.get(numbers.get(id)?).copied();
        // What each needed item is to a task was asked of the domain as its row was read.
        let find = |id: &str| views.get(index(id)?).map(|v| (v.hold, v.state));
        let mut held_up: FastMap<usize, HeldUp> = FastMap::default();
        let mut rows = Vec::with_capacity(self.tasks.list.len());
        for t in &self.tasks.list {
            let Some(p) = self.project_of_key(&t.project) else {
                continue;
            };
            let planned = tasks::planned_start(t, p.start);
            let waiting = tasks::waiting_for_known(&t.needs, find);
            if tasks::is_blocked(t, &waiting) {
                let today = blockers::today(p, self.now);
                for w in &waiting {
                    let Some(ix) = index(&w.item) else {
                        continue;
                    };
                    held_up.entry(ix).or_default().add(planned, today);
                }
            }
            rows.push(TaskRow {
                status: tasks::status(t, &waiting),
                task: std::sync::Arc::clone(t),
                planned,
                waiting,
            });
        }
        // Blocked first, then ready, started and done; earliest planned start first.
        rows.sort_by(|a, b| {
            (a.status, a.planned, &a.task.project, a.task.number).cmp(&(
                b.status,
                b.planned,
                &b.task.project,
                b.task.number,
            ))
        });
        (rows, held_up)
    }

    pub(super) fn project_of_key(&self, key: &str) -> Option<&crate::domain::Project> {
        self.project_ix.get(key).and_then(|&i| self.projects.get(i))
    }

    /// The task selected in pane 5.
    pub(crate) fn selected_task(&self) -> Option<&TaskRow> {
        if self.pane != Pane::Tasks || self.detail.is_some() {
            return None;
        }
        self.tasks
            .rows
            .get(self.cursors[Pane::Tasks.index()].selected)
    }

    /// What the key table may offer in the tasks pane now.
    pub(super) fn task_facts(&self, f: &mut super::keymap::Facts) {
        let Some(row) = self.selected_task() else {
            return;
        };
        f.selection = true;
        if !machine::can_manage(self.me.as_ref()) {
            return;
        }
        let open = row.task.done_on.is_none();
        f.task_edit = open;
        f.task_start = open && row.task.started_on.is_none();
        f.task_done = open && row.task.started_on.is_some();
    }

    /// Opens the form of `step` on the selected task.
    pub(super) fn start_task_form(&mut self, step: TaskStep) {
        let Some(row) = self.selected_task() else {
            return self.set_status(StatusKind::Info, "No task is selected.");
        };
        let today = self
            .project_of_key(&row.task.project)
            .map(|p| blockers::today(p, self.now))
            .unwrap_or_else(|| self.now.date_naive());
        let form = Form::for_task(&row.task, step, today);
        self.modal = Some(Modal::Form(Box::new(form)));
    }

    pub(super) fn save_task_form(&mut self, form: Box<Form>, id: &str, step: TaskStep) {
        let result = match step {
            TaskStep::Edit => {
                let edit = TaskEdit {
                    add_needs: form.ids("add-needs"),
                    remove_needs: form.ids("remove-needs"),
                    title: form.value("title"),
                    start: form.date_value("start"),
                };
                self.store.edit_task(id, &edit)
            }
            TaskStep::Start => self.store.start_task(id, form.date_value("on")),
            TaskStep::Done => self.store.finish_task(id, form.date_value("on")),
        };
        match result {
            Ok(t) => {
                let what = match step {
                    TaskStep::Edit => "Changed",
                    TaskStep::Start => "Recorded the start of",
                    TaskStep::Done => "Recorded the end of",
                };
                self.set_status(
                    StatusKind::Done,
                    format!("{what} {} ({}).", t.id(), t.title),
                );
                self.refresh();
            }
            Err(e) => self.form_error(form, e),
        }
    }

    /// The selected task's lines, shown like a notice (Enter in pane 5).
    pub(super) fn open_task_detail(&mut self) {
        let Some(row) = self.selected_task() else {
            return;
        };
        let t = &row.task;
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
        let mut lines = vec![
            format!("{} — {}", t.id(), t.title),
            format!(
                "planned start: {}{}",
                row.planned,
                if t.start.is_none() {
                    " (the project's start)"
                } else {
                    ""
                }
            ),
            format!("started: {}   done: {}", day(t.started_on), day(t.done_on)),
            format!("status: {}", row.status.code()),
        ];
        for need in &t.needs {
            lines.push(match row.waiting.iter().find(|w| &w.item == need) {
                Some(w) => format!("needs {w}"),
                None => format!("needs {need} verified"),
            });
        }
        self.modal = Some(Modal::Notice {
            title: format!("Task {}", t.id()),
            lines,
            scroll: 0,
        });
    }
}
