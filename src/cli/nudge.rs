//! `item nudge ID`: the copy-ready message for whoever the item waits on (the
//! domain's `nudge`), as text to paste into a mail or chat, or as JSON.

use super::{CmdResult, output};
use crate::present;
use crate::store::Store;
use serde_json::json;

pub fn nudge(store: &Store, id: &str, json: bool) -> CmdResult {
    let v = store.item_view(id)?;
    let project = store.project(&v.item.project)?;
    let people = store.people()?;
    let n = present::nudge(&v, &project, &people, store.now());
    if json {
        let body = match &n {
            Some(n) => {
                let mut j = json!(n);
                j["id"] = json!(n.item);
                j["text"] = json!(n.text());
                j
            }
            None => json!({"id": v.item.id(), "situation": null, "text": null}),
        };
        return output::json(&body);
    }
    match n {
        Some(n) => output::text(&format!("{}\n", n.text())),
        None => output::text(&format!(
            "{}: nothing waits on anyone (now {}), so there is no one to nudge.\n",
            v.item.id(),
            v.item.state
        )),
    }
}
