//! The forms of a task: its title, planned start and needed items, and the day its
//! work started or ended. What is allowed is the domain's (`domain::tasks`), checked
//! when the form is saved.

use super::build::{date, text};
use super::{Form, Purpose};
use crate::domain::Task;
use chrono::NaiveDate;

/// What a task form does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStep {
    /// Change its title, planned start and needed items.
    Edit,
    /// Record the day work on it started.
    Start,
    /// Record the day it was done.
    Done,
}

impl Form {
    /// The form of `step` on `task`; `today` in the task's project calendar.
    pub fn for_task(task: &Task, step: TaskStep, today: NaiveDate) -> Form {
        let (title, fields) = match step {
            TaskStep::Edit => (
                format!("Change task {}: {}", task.id(), task.title),
                vec![
                    text("title", "Title", &task.title, true, false),
                    date("start", "Planned start", task.start),
                    text("add-needs", "Add items (ids, commas)", "", false, false),
                    text(
                        "remove-needs",
                        "Remove items (ids, commas)",
                        "",
                        false,
                        false,
                    ),
                ],
            ),
            TaskStep::Start => (
                format!("Work on {} started", task.id()),
                vec![date("on", "Started on", Some(today))],
            ),
            TaskStep::Done => (
                format!("{} done", task.id()),
                vec![date("on", "Done on", Some(today))],
            ),
        };
        Form {
            title,
            purpose: Purpose::Task {
                id: task.id(),
                step,
            },
            project: Some(task.project.clone()),
            fields,
            focus: 0,
            tried: false,
            today,
            theirs: Vec::new(),
            standards: None,
        }
    }

    /// Item ids typed in a field, split at commas and spaces.
    pub fn ids(&self, name: &str) -> Vec<String> {
        self.value(name)
            .unwrap_or_default()
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_ascii_uppercase)
            .collect()
    }
}
