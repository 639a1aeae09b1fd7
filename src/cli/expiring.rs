//! `item list --expiring DAYS`: the expiry radar on the command line. Which items are
//! listed, in which order and what each needs is the domain's (`domain::expiry`);
//! this prints it as a table, or adds the radar's fields to each item's JSON.

use super::{CmdResult, output};
use crate::domain::{blockers, expiry};
use crate::exchange;
use crate::present;
use crate::store::{ItemView, Store};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Prints the radar for `views` (already filtered and sorted by the store).
pub fn print(store: &Store, views: &[ItemView], days: i64, json: bool) -> CmdResult {
    let now = store.now();
    let today: HashMap<String, chrono::NaiveDate> = store
        .projects()?
        .iter()
        .map(|p| (p.key.clone(), blockers::today(p, now)))
        .collect();
    let entries: Vec<(&ItemView, expiry::Entry)> = views
        .iter()
        .filter_map(|v| {
            let t = today.get(&v.item.project)?;
            expiry::entry(&v.item, *t, days).map(|e| (v, e))
        })
        .collect();
    if json {
        let items: Vec<Value> = entries
            .iter()
            .map(|(v, e)| {
                let mut j = exchange::item_json(v);
                // Added to the item's own fields, never renaming them.
                j["ends"] = json!(e.ends.format("%Y-%m-%d").to_string());
                j["ending"] = json!(e.ending.as_str());
                j["days_left"] = json!(e.days_left);
                j["expiry_action"] = json!(e.action.code());
                j["expiry_action_text"] = json!(e.action.to_string());
                j
            })
            .collect();
        return output::json(&Value::Array(items));
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|(v, e)| {
            let it = &v.item;
            vec![
                it.id(),
                it.state.to_string(),
                it.fields.system.clone(),
                it.fields.role.clone(),
                present::expiry::ends_text(e, true),
                e.action.to_string(),
                present::expiry::pending_text(it).unwrap_or_default(),
            ]
        })
        .collect();
    output::table(
        &[
            "ID",
            "STATE",
            "SYSTEM",
            "ROLE",
            "ENDS",
            "ACTION",
            "EXTENSION",
        ],
        &rows,
        40,
    )
}
