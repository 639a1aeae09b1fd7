//! What the approval queue draws of one of its items beyond the item's row and names:
//! worked out as the item streams past, in place of a copy of the whole item (a
//! security owner's queue may hold tens of thousands of items, each copy some twenty
//! allocations). Its names (system, role, requester) and flags are the row's.

use crate::domain::blockers::Settings;
use crate::domain::{Item, extension, routing};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, PartialEq)]
pub struct QueueLine {
    /// Since when the decision waits: the extension's request, else the state's start.
    pub since: DateTime<Utc>,
    /// Approvals given and required, of the extension's request when one is pending.
    pub progress: (usize, usize),
    /// The end date a pending extension asks for.
    pub extension_to: Option<NaiveDate>,
    /// Who the decision waits on once it is stale, and the item's last change, which
    /// the wait counts from (see `routing::stale_wait`).
    stale: Option<(Box<str>, DateTime<Utc>)>,
    pub holder: Option<Box<str>>,
}

impl QueueLine {
    pub fn of(it: &Item) -> QueueLine {
        // An extension request on live access is decided apart from the item's own
        // round.
        let request = extension::as_request(it);
        let ext = it.extension.as_deref().filter(|_| request.is_some());
        QueueLine {
            since: ext.map_or(it.state_since, |x| x.at),
            progress: request.as_ref().unwrap_or(it).approval_progress(),
            extension_to: ext.map(|x| x.expires),
            stale: routing::waits_on(it).map(|who| (who.into(), it.updated_at)),
            holder: it.fields.holder.as_deref().map(Into::into),
        }
    }

    /// [`routing::stale_wait`] of the item at `now`: who the decision waits on and for
    /// how many days, once that is longer than the stale period.
    pub fn stale_wait(&self, now: DateTime<Utc>, s: Settings) -> Option<(&str, i64)> {
        let (who, changed) = self.stale.as_ref()?;
        let days = (now - *changed).num_days();
        (days > s.stale_days).then_some((&**who, days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{approval, item};
    use crate::domain::routing::Delegate;
    use crate::domain::{Capacity, State};

    fn delegate(capacity: Capacity, from: &str, to: &str) -> Delegate {
        Delegate {
            capacity,
            from: from.into(),
            to: to.into(),
        }
    }

    /// Items that wait on their owner, on the owner's delegate, on a security
    /// delegate, on nobody in particular, and items that wait on no decision.
    fn items() -> Vec<Item> {
        let at = "2026-01-01T10:00:00Z";
        let requested = item(State::Requested, at);
        let mut handed = requested.clone();
        handed.delegates = vec![delegate(Capacity::Owner, "alice", "bob")];
        let mut reviewed = requested.clone();
        reviewed.fields.privileged = true;
        reviewed.approvals = vec![approval("alice", Capacity::Owner, at)];
        let mut held = reviewed.clone();
        held.delegates = vec![delegate(Capacity::Security, "sam", "sue")];
        let mut granted = item(State::Granted, at);
        granted.approvals = vec![approval("alice", Capacity::Owner, at)];
        vec![
            requested,
            handed,
            reviewed,
            held,
            item(State::Approved, at),
            granted,
        ]
    }

    /// At any moment, the line tells the wait the item tells.
    #[test]
    fn a_lines_stale_wait_is_the_items_at_every_moment() {
        let s = Settings::default();
        let mut waits = Vec::new();
        for it in items() {
            let line = QueueLine::of(&it);
            for days in [0, s.stale_days, s.stale_days + 1, 40] {
                for hours in [0, 23] {
                    let now = it.updated_at
                        + chrono::Duration::days(days)
                        + chrono::Duration::hours(hours);
                    let of_item = routing::stale_wait(&it, now, s);
                    let of_line = line.stale_wait(now, s).map(|(w, d)| (w.to_string(), d));
                    assert_eq!(of_line, of_item, "{:?} at {now}", it.state);
                    waits.extend(of_item.map(|(who, _)| who));
                }
            }
        }
        waits.dedup();
        assert_eq!(waits, ["alice", "bob", "sue"]);
    }
}
