//! The replay of extension requests (`extend`, `extension-approve`,
//! `extension-deny`; see `domain::extension`): what each sets on an item, mirroring
//! the domain, with the stored form of the pending request (`store::extend`).

use super::{EventIn, ItemFacts};
use crate::domain::Capacity;
use crate::store::extend::{StoredApproval, StoredExtension};
use serde_json::Value;

/// The kinds this module applies.
pub const KINDS: [&str; 3] = ["extend", "extension-approve", "extension-deny"];

/// Applies one extension event to `item`.
pub fn apply(item: &mut ItemFacts, e: &EventIn<'_>, p: &Value) -> Result<(), String> {
    match e.kind {
        "extend" => {
            let expires = p["expires"]
                .as_str()
                .and_then(|d| d.parse().ok())
                .ok_or("it names no date to extend to")?;
            item.extension = Some(StoredExtension {
                expires,
                by: e.login.to_string(),
                at: e.at.to_string(),
                reason: p["reason"].as_str().map(str::to_string),
                approvals: Vec::new(),
            });
        }
        "extension-approve" => {
            let ext = item
                .extension
                .as_mut()
                .ok_or("it approves an extension nobody asked for")?;
            let capacity: Capacity = p["capacity"]
                .as_str()
                .and_then(|c| c.parse().ok())
                .ok_or("it names no capacity")?;
            ext.approvals.push(StoredApproval {
                login: e.login.to_string(),
                capacity,
                conditions: p["conditions"]
                    .as_str()
                    .filter(|c| !c.trim().is_empty())
                    .map(str::to_string),
                at: e.at.to_string(),
            });
            // The last approval needed moves the end: the payload says from what to what.
            if let Some(change) = p.get("expires") {
                let new = change
                    .get(1)
                    .and_then(Value::as_str)
                    .and_then(|d| d.parse().ok())
                    .ok_or("its new end date cannot be read")?;
                let old = change.get(0).and_then(Value::as_str);
                let was = item.fields.expires.map(|d| d.to_string());
                if old != was.as_deref() {
                    return Err(format!(
                        "it says the end was {old:?}, but the events before it left {was:?}"
                    ));
                }
                item.fields.expires = Some(new);
                item.extension = None;
            }
        }
        "extension-deny" => {
            if item.extension.take().is_none() {
                return Err("it denies an extension nobody asked for".into());
            }
        }
        other => return Err(format!("'{other}' is no extension event")),
    }
    Ok(())
}
