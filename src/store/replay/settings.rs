//! Team settings in the replay: `setting-set` events rebuild `settings`, compared row
//! by row (named by the setting), so a value changed with `sqlite3` shows in
//! `audit verify` and never quietly moves everyone's figures.

use super::compare::Want;
use super::event::EventIn;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;

/// The event kind that sets a team setting.
pub const KIND: &str = "setting-set";

/// The table this module rebuilds.
pub const TABLE: &str = "settings";

/// The columns of `settings` the replay sets, besides the key.
pub const COLUMNS: [&str; 3] = ["value", "set_by", "set_at"];

/// A setting as the log has it: its value, who set it and when, in which event.
#[derive(Debug, Clone)]
pub struct SettingFacts {
    pub(super) seq: i64,
    value: String,
    set: (String, String),
}

#[derive(Deserialize)]
struct Payload {
    key: String,
    /// The value before and after.
    value: (Option<String>, String),
}

/// The replayed settings, by key.
#[derive(Debug, Default)]
pub struct SettingsFacts(HashMap<String, SettingFacts>);

impl SettingsFacts {
    /// Applies a `setting-set` event; an old value the replay does not have is a
    /// problem of the log (an event written over a row changed behind its back).
    pub fn apply(&mut self, e: &EventIn<'_>) -> Result<(), String> {
        let p: Payload = serde_json::from_str(e.payload)
            .map_err(|err| format!("its payload cannot be read: {err}"))?;
        let had = self.0.get(&p.key).map(|f| f.value.clone());
        let (was, now) = p.value;
        let new = SettingFacts {
            seq: e.seq,
            value: now,
            set: (e.login.to_string(), e.at.to_string()),
        };
        self.0.insert(p.key.clone(), new);
        if had != was {
            return Err(format!(
                "it says {} was {:?}, but the log had it at {:?}",
                p.key, was, had
            ));
        }
        Ok(())
    }

    /// Takes every row out of the model.
    pub(super) fn take_all(&mut self) -> HashMap<String, SettingFacts> {
        std::mem::take(&mut self.0)
    }
}

/// The columns of a setting as the replay expects them.
pub fn want(f: &SettingFacts) -> [Want<'_>; 3] {
    [
        Some(Cow::Borrowed(f.value.as_str())),
        Some(Cow::Borrowed(f.set.0.as_str())),
        Some(Cow::Borrowed(f.set.1.as_str())),
    ]
}
