//! Pure definitions of the measures that are more than a count: what makes access
//! due for removal. They take an item and a date and read nothing else, so the
//! report and its tests share one definition (and the domain can take it over as is).

use crate::domain::{Item, State};
use chrono::NaiveDate;

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

/// The period a report covers: calendar days of each project's zone from `since` to
/// `until`, both included; either end may be open. The default is all history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Window {
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl Window {
    /// All history up to today: the report as it was before it had a period.
    pub fn is_all(self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// Whether the day `d` falls in the period.
    pub fn holds(self, d: NaiveDate) -> bool {
        self.since.is_none_or(|s| d >= s) && self.until.is_none_or(|u| d <= u)
    }

    /// The last day the period counts: its end, or `today` when that comes first.
    pub fn last_day(self, today: NaiveDate) -> NaiveDate {
        self.until.map_or(today, |u| u.min(today))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ItemFields;
    use crate::domain::forecast::p90;
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
    fn a_window_holds_its_two_ends_and_p90_is_the_nearest_rank() {
        let w = Window {
            since: Some(day(3)),
            until: Some(day(9)),
        };
        assert!(w.holds(day(3)) && w.holds(day(9)) && !w.holds(day(10)) && !w.holds(day(2)));
        assert_eq!(w.last_day(day(20)), day(9));
        assert_eq!(w.last_day(day(5)), day(5));
        assert!(Window::default().is_all() && Window::default().holds(day(1)));
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(p90(&v), Some(9.0));
        assert_eq!(p90(&v[..3]), Some(3.0));
        assert_eq!(p90(&[]).unwrap_or(0.0), 0.0);
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
