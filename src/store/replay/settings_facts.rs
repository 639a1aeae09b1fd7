//! Team settings as the log has them: `setting-set` events applied in order to a model
//! of `settings` (compared with the table by `replay::settings`). Kept apart from the
//! comparison so that `facts` does not reach it.

use super::event::EventIn;
use serde::Deserialize;
use std::collections::HashMap;

/// The event kind that sets a team setting.
pub const KIND: &str = "setting-set";

/// A setting as the log has it: its value, who set it and when, in which event.
#[derive(Debug, Clone)]
pub struct SettingFacts {
    pub(super) seq: i64,
    pub(super) value: String,
    pub(super) set: (String, String),
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
