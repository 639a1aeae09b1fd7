//! An `undo` event as the replay applies it: the decision it names must be the item's
//! last change, and what it gives back is checked against what the replay holds (see
//! `domain::undo`, which this mirrors).

use super::{EventIn, Facts, apply_field_changes, stored_time};
use chrono::{DateTime, Utc};
use serde_json::Value;

fn time(v: &Value) -> Option<DateTime<Utc>> {
    serde_json::from_value(v.clone()).ok()
}

impl Facts {
    pub(super) fn undo(&mut self, e: &EventIn<'_>, p: &Value) -> Result<(), String> {
        let id = e.item.ok_or("it names no item")?;
        let item = self
            .items
            .get_mut(id)
            .ok_or_else(|| format!("{id} was never added"))?;
        let undoes = p["undoes"].as_i64().ok_or("it names no event it undoes")?;
        if item.last_seq != undoes {
            return Err(format!(
                "it undoes event {undoes}, but the last change of {id} was event {}",
                item.last_seq
            ));
        }
        item.last_seq = e.seq;
        match p["undone"].as_str() {
            Some("approve") => {
                let a = &p["approval"];
                let (round, login, at) = (a["round"].as_i64(), a["login"].as_str(), time(&a["at"]));
                let pos = item
                    .approvals
                    .iter()
                    .position(|x| {
                        Some(x.round) == round
                            && Some(x.login.as_str()) == login
                            && DateTime::parse_from_rfc3339(&x.at)
                                .ok()
                                .map(|t| t.with_timezone(&Utc))
                                == at
                    })
                    .ok_or("the approval it withdraws was never recorded")?;
                item.approvals.remove(pos);
                if let Some(Value::Object(changes)) = p.get("fields") {
                    apply_field_changes(&mut item.fields, changes)?;
                }
            }
            Some("deny" | "return") => {
                let round = p["round"].as_i64().ok_or("it names no round")?;
                if round != item.round - 1 {
                    return Err(format!(
                        "it gives back round {round}, but the item is in round {}",
                        item.round
                    ));
                }
                item.round = round;
                item.parties = serde_json::from_value(p["parties"].clone()).unwrap_or_default();
                item.routing.delegates =
                    serde_json::from_value(p["delegates"].clone()).unwrap_or_default();
                item.last_reason = p["last_reason"].as_str().map(str::to_string);
            }
            other => return Err(format!("it undoes a {other:?}, which cannot be undone")),
        }
        if let Some(to) = p.get("to").filter(|v| !v.is_null()) {
            item.state = serde_json::from_value(to.clone()).map_err(|e| e.to_string())?;
            let since = time(&p["state_since"]).ok_or("it names no time for the state")?;
            item.state_since = stored_time(since);
        }
        item.updated_at = e.at.to_string();
        item.version += 1;
        Ok(())
    }
}
