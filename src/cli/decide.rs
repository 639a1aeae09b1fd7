//! Routing commands: `item delegate`, `people deactivate`, and the `may_decide` field
//! the item JSON carries. Prints only; the rules are the domain's.

use super::{CmdResult, output};
use crate::domain::routing;
use crate::domain::text::sanitize;
use crate::present;
use crate::store::{ItemView, Store};
use serde_json::{Value, json};

/// Adds `may_decide` (logins who may decide a missing approval now) to the JSON of
/// each item: `j` is one item's object or an array of them, in the order of `views`.
pub fn add_may_decide(store: &Store, j: &mut Value, views: &[ItemView]) -> CmdResult {
    let people = store.people()?;
    let one = |v: &ItemView| json!(routing::may_decide(&v.item, &people));
    match j {
        Value::Array(items) => {
            for (o, v) in items.iter_mut().zip(views) {
                o["may_decide"] = one(v);
            }
        }
        o => {
            if let Some(v) = views.first() {
                o["may_decide"] = one(v);
            }
        }
    }
    Ok(())
}

pub fn delegate(store: &mut Store, id: &str, to: &str, reason: &str, json: bool) -> CmdResult {
    let it = store.delegate(id, to, reason)?;
    let handed = it.delegates.last();
    if json {
        let v = store.item_view(id)?;
        let mut j = crate::exchange::item_json(&v);
        add_may_decide(store, &mut j, std::slice::from_ref(&v))?;
        output::json(&j)?;
    } else if let Some(d) = handed {
        say!(
            "{}: the {} decision is now with {} (handed on by {}); approvals already given stay (version {})",
            sanitize(&present::item_label(&it)),
            d.capacity,
            d.to,
            d.from,
            it.version
        )?;
    }
    Ok(())
}

pub fn deactivate(store: &mut Store, login: &str, json: bool) -> CmdResult {
    let d = store.deactivate_person(login)?;
    let ids =
        |items: &[crate::domain::Item]| -> Vec<String> { items.iter().map(|i| i.id()).collect() };
    if json {
        output::json(&json!({
            "login": login,
            "active": false,
            "access": ids(&d.access),
            "pending_decisions": ids(&d.decisions),
        }))?;
        return Ok(());
    }
    say!("{login} is deactivated: they can no longer act; their name stays in the history")?;
    if d.access.is_empty() {
        say!("access they hold or own: none")?;
    } else {
        say!("access they hold or own (revoke or hand over):")?;
        for it in &d.access {
            say!("  {} [{}]", sanitize(&present::item_label(it)), it.state)?;
        }
    }
    if !d.decisions.is_empty() {
        say!(
            "pending decisions now blocked (reassign with item delegate ID --to LOGIN --reason R):"
        )?;
        for it in &d.decisions {
            say!("  {}", sanitize(&present::item_label(it)))?;
        }
    }
    Ok(())
}
