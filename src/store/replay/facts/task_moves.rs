//! The replay of a coordinator's changes to a task (`task-edit`, `task-start`,
//! `task-done`; see `store::task_edit`): what each sets on the task, as recorded.

use super::{EventIn, TaskFacts};
use serde_json::Value;
use std::collections::HashMap;

/// The kinds this module applies.
pub const KINDS: [&str; 3] = ["task-edit", "task-start", "task-done"];

/// Applies one task event to the tasks known so far.
pub fn apply(
    tasks: &mut HashMap<String, TaskFacts>,
    e: &EventIn<'_>,
    p: &Value,
) -> Result<(), String> {
    let id = p["task"].as_str().ok_or("it names no task")?;
    let task = tasks
        .get_mut(id)
        .ok_or_else(|| format!("{id} was never added"))?;
    match e.kind {
        "task-edit" => {
            let fields = p["fields"].as_object();
            if let Some(title) = fields.and_then(|f| f.get("title")) {
                task.title = title[1].as_str().ok_or("it sets no title")?.to_string();
            }
            if let Some(start) = fields.and_then(|f| f.get("start")) {
                task.start_date = start[1].as_str().map(str::to_string);
            }
            let list = |name: &str| -> Vec<String> {
                p[name]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            task.needs.extend(list("add_needs"));
            for gone in list("remove_needs") {
                task.needs.remove(&gone);
            }
        }
        _ => {
            let on = p["on"].as_str().ok_or("it names no day")?.to_string();
            if e.kind == "task-start" {
                task.started_on = Some(on);
            } else {
                task.done_on = Some(on);
            }
        }
    }
    Ok(())
}
