//! Closed blocking spells as the log has them: every event whose payload says
//! `spell_ended` makes one row of `blocker_spells` (the item it names, the start the
//! payload gives, the event's time as the end, the reasons). Compared with the table
//! by `replay::spells`; kept apart from the comparison so that `facts` does not reach it.

use super::event::EventIn;
use crate::store::spells::FIELD;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A spell as the log has it: item, start, end and reasons, in the order of the
/// columns `replay::spells` compares.
pub(super) type SpellFacts = [String; 4];

#[derive(Deserialize)]
struct Payload {
    spell_ended: Option<Ended>,
}

#[derive(Deserialize)]
struct Ended {
    since: String,
    reasons: Vec<String>,
}

/// The replayed spells by the seq of the event that ended each, and the first seq
/// replayed (rows of earlier events are the chain's to vouch for).
#[derive(Debug, Default)]
pub struct SpellsFacts {
    pub(super) rows: BTreeMap<i64, SpellFacts>,
    pub(super) from: Option<i64>,
}

impl SpellsFacts {
    /// Notes the spell an event ended, if it ended one.
    pub fn note(&mut self, e: &EventIn<'_>) -> Result<(), String> {
        self.from.get_or_insert(e.seq);
        // Most events end no spell: their payload is not parsed again.
        if !e.payload.contains(FIELD) {
            return Ok(());
        }
        let p: Payload = serde_json::from_str(e.payload)
            .map_err(|err| format!("its {FIELD} cannot be read: {err}"))?;
        let Some(ended) = p.spell_ended else {
            return Ok(());
        };
        let item = e.item.ok_or("it ends a blocking spell but names no item")?;
        let spell = [
            item.to_string(),
            ended.since,
            e.at.to_string(),
            ended.reasons.join(","),
        ];
        self.rows.insert(e.seq, spell);
        Ok(())
    }
}
