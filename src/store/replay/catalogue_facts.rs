//! The system catalogue as the log has it: `system-add` events applied in order to a
//! model of `systems` (compared with the table by `replay::catalogue`). Kept apart from
//! the comparison so that `facts` does not reach it.

use super::event::EventIn;
use crate::domain::catalogue::System;
use std::collections::{BTreeMap, HashMap};

/// The event kind that adds or replaces an entry.
pub const KIND: &str = "system-add";

/// A catalogued system as the log has it.
#[derive(Debug, Clone)]
pub struct SystemFacts {
    pub(super) system: System,
    pub(super) added_by: String,
    pub(super) added_at: String,
    pub(super) seq: i64,
}

/// The replayed catalogue, by name as stored.
#[derive(Debug, Default)]
pub struct CatalogueFacts {
    systems: BTreeMap<String, SystemFacts>,
}

impl CatalogueFacts {
    /// Applies a `system-add` event: the entry of that name (ignoring case) is replaced.
    pub fn apply(&mut self, e: &EventIn<'_>) -> Result<(), String> {
        let system: System = serde_json::from_str(e.payload)
            .map_err(|err| format!("its payload cannot be read: {err}"))?;
        let name = self
            .systems
            .keys()
            .find(|k| k.eq_ignore_ascii_case(&system.name))
            .cloned()
            .unwrap_or_else(|| system.name.clone());
        self.systems.insert(
            name,
            SystemFacts {
                system,
                added_by: e.login.to_string(),
                added_at: e.at.to_string(),
                seq: e.seq,
            },
        );
        Ok(())
    }
}

impl CatalogueFacts {
    /// Takes every entry out of the model, by name as stored.
    pub(super) fn take_all(&mut self) -> HashMap<String, SystemFacts> {
        std::mem::take(&mut self.systems).into_iter().collect()
    }
}
