//! Closed blocking spells: when a change leaves an item that blocked just before with
//! nothing of its own blocking it, its spell has ended, and what it lasted is kept.
//!
//! A spell here is the one `blocked_since` follows ([`blockers::spell_after_change`]):
//! it goes on through changes that leave the item blocking, and it ends with the change
//! after which [`blockers::reasons`] finds nothing. Its start is the start of the spell
//! as it stood just before the change, so a spell that began with the passing of time
//! (stale, overdue, expired) counts from the moment that passed.

use super::blockers::{self, Settings};
use super::model::{Item, Project};
use chrono::{DateTime, Duration, Utc};

/// A spell that a change ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndedSpell {
    /// When it began (never after it ended).
    pub since: DateTime<Utc>,
    /// The moment of the change that ended it.
    pub until: DateTime<Utc>,
    /// The codes of what blocked the item just before the change, in the rules' order.
    pub reasons: Vec<&'static str>,
}

impl EndedSpell {
    /// What it lasted, in hours (whole minutes, as blocker ages count).
    pub fn hours(&self) -> f64 {
        hours(self.since, self.until)
    }
}

/// Hours from `since` to `until` counted in whole minutes, never negative: one
/// definition for open blocker ages and closed spells.
pub fn hours(since: DateTime<Utc>, until: DateTime<Utc>) -> f64 {
    (until - since).max(Duration::zero()).num_minutes() as f64 / 60.0
}

/// The spell the change from `before` to `after`, made at `now`, ended: `None` when
/// `before` did not block at `now` or `after` still blocks (its spell goes on).
pub fn ended_by_change(
    before: &Item,
    after: &Item,
    p: &Project,
    now: DateTime<Utc>,
    s: Settings,
) -> Option<EndedSpell> {
    if !blockers::reasons(after, p, now, s).is_empty() {
        return None;
    }
    let since = blockers::spell_start(before, p, now, s)?;
    Some(EndedSpell {
        since: since.min(now),
        until: now,
        reasons: blockers::reasons(before, p, now, s)
            .iter()
            .map(|r| r.code())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::State;
    use crate::domain::fixtures::{instant as t, item};

    fn project() -> Project {
        crate::domain::fixtures::project("Acme", "2026-06-01", "UTC")
    }

    /// A requested item flagged at `at`, and a copy of it.
    fn flagged(at: &str) -> (Item, Item) {
        let mut before = item(State::Requested, at);
        before.manual_block = Some("waiting for the client".into());
        before.blocked_since = Some(t(at));
        let after = before.clone();
        (before, after)
    }

    #[test]
    fn unblocking_ends_the_spell_that_the_flag_began() {
        let (before, mut after) = flagged("2026-03-01T09:00:00Z");
        after.manual_block = None;
        let now = t("2026-03-02T15:30:00Z");
        let ended = ended_by_change(&before, &after, &project(), now, Settings::default());
        let ended = ended.unwrap();
        assert_eq!(ended.since, t("2026-03-01T09:00:00Z"));
        assert_eq!(ended.until, now);
        assert_eq!(ended.reasons, vec!["manual"]);
        assert_eq!(ended.hours(), 30.5);
    }

    #[test]
    fn a_change_that_still_blocks_or_an_item_that_did_not_block_ends_nothing() {
        let s = Settings::default();
        let (before, mut after) = flagged("2026-03-01T09:00:00Z");
        after.fields.notes = "chased".into();
        let now = t("2026-03-01T10:00:00Z");
        assert_eq!(ended_by_change(&before, &after, &project(), now, s), None);
        let calm = item(State::Requested, "2026-03-01T09:00:00Z");
        assert_eq!(ended_by_change(&calm, &calm, &project(), now, s), None);
    }

    #[test]
    fn a_stale_spell_counts_from_when_the_item_went_stale() {
        // Unchanged since 1 March 09:00: stale from 4 March 09:00 (3 days).
        let before = item(State::Requested, "2026-03-01T09:00:00Z");
        let now = t("2026-03-05T09:00:00Z");
        let mut after = before.clone();
        after.updated_at = now;
        let ended = ended_by_change(&before, &after, &project(), now, Settings::default());
        let ended = ended.unwrap();
        assert_eq!(ended.since, t("2026-03-04T09:00:00Z"));
        assert_eq!(ended.reasons, vec!["stale"]);
        assert_eq!(ended.hours(), 24.0);
    }
}
