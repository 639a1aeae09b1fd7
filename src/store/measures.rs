//! Pure definitions of the measures that are more than a count: what makes access
//! due for removal. They take an item and a date and read nothing else, so the
//! report and its tests share one definition (and the domain can take it over as is).

use crate::domain::{Item, State};
use chrono::NaiveDate;

/// The median of `v` (0 when empty), sorting it.
pub(super) fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Deprovisioning completion, counted item by item. `due`: items ever granted whose
/// end has come — temporary access whose expiry is today or earlier in the project's
/// zone, or any access of a closed project; `done`: those of them revoked. Permanent
/// access of a closed project counts as much as temporary access past its date: both
/// are still live when they should not be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deprovisioning {
    pub due: usize,
    pub done: usize,
}

impl Deprovisioning {
    /// Counts `item` on `today` (the date in its project's zone), whose project is
    /// `closed` or not.
    pub fn add(&mut self, item: &Item, closed: bool, today: NaiveDate) {
        if let Some(removed) = end_of_access(item, closed, today) {
            self.due += 1;
            self.done += usize::from(removed);
        }
    }

    /// done / due; 1.0 when nothing is due.
    pub fn completion(self) -> f64 {
        if self.due == 0 {
            1.0
        } else {
            self.done as f64 / self.due as f64
        }
    }
}

/// Whether the access of `item` has come to its end (`Some`), and if so whether it
/// was removed. Access never granted has no end to come to. `revoked` is reached only
/// from `granted` or `verified`, so the state alone tells whether it ever was.
pub fn end_of_access(item: &Item, closed: bool, today: NaiveDate) -> Option<bool> {
    let ever_granted = matches!(
        item.state,
        State::Granted | State::Verified | State::Revoked
    );
    let f = &item.fields;
    let ended = closed || (f.temporary && f.expires.is_some_and(|e| e <= today));
    (ever_granted && ended).then_some(item.state == State::Revoked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ItemFields;
    use chrono::{DateTime, Utc};

    fn item(state: State, temporary: bool, expires: Option<NaiveDate>) -> Item {
        let mut it = Item::new(
            "ACME",
            1,
            ItemFields {
                temporary,
                expires,
                ..Default::default()
            },
            "carol",
            DateTime::<Utc>::UNIX_EPOCH,
        );
        it.state = state;
        it
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default()
    }

    #[test]
    fn access_ends_on_its_expiry_day_or_when_the_project_closes() {
        let today = day(10);
        let temp = |state, d| item(state, true, Some(day(d)));
        assert_eq!(
            end_of_access(&temp(State::Granted, 10), false, today),
            Some(false)
        );
        assert_eq!(
            end_of_access(&temp(State::Verified, 9), false, today),
            Some(false)
        );
        assert_eq!(
            end_of_access(&temp(State::Revoked, 9), false, today),
            Some(true)
        );
        assert_eq!(end_of_access(&temp(State::Granted, 11), false, today), None);
        let permanent = |state| item(state, false, None);
        assert_eq!(
            end_of_access(&permanent(State::Verified), false, today),
            None
        );
        assert_eq!(
            end_of_access(&permanent(State::Verified), true, today),
            Some(false)
        );
        assert_eq!(
            end_of_access(&permanent(State::Revoked), true, today),
            Some(true)
        );
        // Never granted: nothing to remove, open or closed.
        for s in [
            State::Needed,
            State::Requested,
            State::Approved,
            State::Denied,
            State::Cancelled,
        ] {
            assert_eq!(end_of_access(&temp(s, 1), true, today), None, "{s:?}");
        }
    }

    #[test]
    fn completion_is_done_over_due_and_whole_when_nothing_is_due() {
        let mut d = Deprovisioning::default();
        assert_eq!(d.completion(), 1.0);
        for (state, closed) in [
            (State::Verified, true),
            (State::Granted, true),
            (State::Revoked, true),
            (State::Verified, false),
        ] {
            d.add(&item(state, false, None), closed, day(10));
        }
        assert_eq!((d.due, d.done), (3, 1));
        assert!((d.completion() - 1.0 / 3.0).abs() < 1e-9);
    }
}
