//! The expiry radar: which temporary access and security exceptions end within a
//! number of days (or have ended), and the one action each needs. The CLI's
//! `--expiring` listing and the TUI's Expiring pane both ask [`entry`], so they list
//! the same items in the same order and say the same thing about each.

use super::model::{Item, State};
use chrono::NaiveDate;
use serde::Serialize;
use std::cmp::Ordering;
use std::fmt;

/// How many days ahead the TUI's Expiring pane looks.
pub const RADAR_DAYS: i64 = 30;

/// What ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ending {
    /// The temporary access itself.
    Access,
    /// The item's security exception.
    Exception,
}

impl Ending {
    pub fn as_str(self) -> &'static str {
        match self {
            Ending::Access => "access",
            Ending::Exception => "exception",
        }
    }
}

/// The action an ending needs. `code()` is stable (JSON `expiry_action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpiryAction {
    /// Live temporary access past its end: remove it.
    RevokeNow,
    /// Live temporary access ending soon: ask for an extension or plan its removal.
    ExtendOrPlanRemoval,
    /// An extension request waits for its approvals.
    DecideExtension,
    /// A security exception ending soon (or ended) on live access: renew it, or the
    /// access must go.
    RenewException,
    /// Not yet live, but its end (or its exception's) is soon or past: set a later end
    /// before access is granted.
    SetLaterEnd,
}

impl ExpiryAction {
    pub fn code(self) -> &'static str {
        match self {
            ExpiryAction::RevokeNow => "revoke-now",
            ExpiryAction::ExtendOrPlanRemoval => "extend-or-plan-removal",
            ExpiryAction::DecideExtension => "decide-extension",
            ExpiryAction::RenewException => "renew-exception",
            ExpiryAction::SetLaterEnd => "set-later-end",
        }
    }
}

impl fmt::Display for ExpiryAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExpiryAction::RevokeNow => "revoke now",
            ExpiryAction::ExtendOrPlanRemoval => "extend or plan removal",
            ExpiryAction::DecideExtension => "decide the extension",
            ExpiryAction::RenewException => "renew the exception",
            ExpiryAction::SetLaterEnd => "set a later end",
        })
    }
}

/// One line of the radar: what ends when, and what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub ends: NaiveDate,
    pub ending: Ending,
    /// Days from today to the end (negative once past).
    pub days_left: i64,
    pub action: ExpiryAction,
}

/// The radar's line for `item` when its temporary access or security exception ends
/// within `days` days of `today`, or has ended; `None` otherwise. Revoked and cancelled
/// items hold no access and are never listed. When both end, the earlier counts.
pub fn entry(item: &Item, today: NaiveDate, days: i64) -> Option<Entry> {
    if matches!(item.state, State::Revoked | State::Cancelled) {
        return None;
    }
    let f = &item.fields;
    let access = f
        .expires
        .filter(|_| f.temporary)
        .map(|d| (d, Ending::Access));
    let exception = f
        .exception
        .as_ref()
        .and_then(|e| e.expires)
        .map(|d| (d, Ending::Exception));
    let (ends, ending) = [access, exception]
        .into_iter()
        .flatten()
        .filter(|(d, _)| (*d - today).num_days() <= days)
        .min_by_key(|(d, _)| *d)?;
    let days_left = (ends - today).num_days();
    let live = item.state.access_live();
    let action = match ending {
        _ if !live => ExpiryAction::SetLaterEnd,
        Ending::Access if super::extension::pending(item) => ExpiryAction::DecideExtension,
        Ending::Access if days_left < 0 => ExpiryAction::RevokeNow,
        Ending::Access => ExpiryAction::ExtendOrPlanRemoval,
        Ending::Exception => ExpiryAction::RenewException,
    };
    Some(Entry {
        ends,
        ending,
        days_left,
        action,
    })
}

/// The radar's order: soonest end first, then by project and number.
pub fn order(a: (&Entry, &Item), b: (&Entry, &Item)) -> Ordering {
    order_by(
        (a.0, (a.1.project.as_str(), a.1.number)),
        (b.0, (b.1.project.as_str(), b.1.number)),
    )
}

/// [`order`] with each item's id given as any key that orders as (project, number).
pub fn order_by<K: Ord>(a: (&Entry, K), b: (&Entry, K)) -> Ordering {
    a.0.ends.cmp(&b.0.ends).then_with(|| a.1.cmp(&b.1))
}

/// The line with no limit of days: the one [`entry`] gives for `days` exactly when
/// [`Entry::within`] `days` holds (the earliest end is listed, and it is within the
/// days when anything is). What is worked out once serves every horizon.
pub fn entry_any_day(item: &Item, today: NaiveDate) -> Option<Entry> {
    entry(item, today, i64::MAX)
}

impl Entry {
    /// Whether the line is on a radar of `days` days (see [`entry_any_day`]).
    pub fn within(&self, days: i64) -> bool {
        self.days_left <= days
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{Exception, ItemFields};

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).expect("date")
    }

    fn item(state: State, expires: Option<NaiveDate>, exception: Option<NaiveDate>) -> Item {
        let fields = ItemFields {
            system: "Stripe".into(),
            temporary: expires.is_some(),
            expires,
            exception: exception
                .map(|d| Exception {
                    reason: "no delegated access".into(),
                    owner: Some("sam".into()),
                    expires: Some(d),
                })
                .map(Box::new),
            ..Default::default()
        };
        let mut it = Item::new(
            "ACME",
            1,
            fields,
            "carol",
            "2026-03-01T09:00:00Z".parse().expect("time"),
        );
        it.state = state;
        it
    }

    #[test]
    fn each_ending_gets_its_action() {
        let today = day(3, 10);
        let e = |it: &Item| entry(it, today, 14).map(|e| (e.ends, e.ending, e.action));
        assert_eq!(
            e(&item(State::Verified, Some(day(3, 8)), None)),
            Some((day(3, 8), Ending::Access, ExpiryAction::RevokeNow))
        );
        assert_eq!(
            e(&item(State::Granted, Some(day(3, 20)), None)),
            Some((
                day(3, 20),
                Ending::Access,
                ExpiryAction::ExtendOrPlanRemoval
            ))
        );
        assert_eq!(
            e(&item(State::Verified, Some(day(5, 1)), Some(day(3, 12)))),
            Some((day(3, 12), Ending::Exception, ExpiryAction::RenewException))
        );
        assert_eq!(
            e(&item(State::Requested, Some(day(3, 11)), None)),
            Some((day(3, 11), Ending::Access, ExpiryAction::SetLaterEnd))
        );
        assert_eq!(e(&item(State::Verified, Some(day(3, 25)), None)), None);
        assert_eq!(e(&item(State::Revoked, Some(day(3, 1)), None)), None);
        let mut permanent = item(State::Verified, Some(day(3, 11)), None);
        permanent.fields.temporary = false;
        assert_eq!(e(&permanent), None);
        let mut asked = item(State::Verified, Some(day(3, 11)), None);
        asked.extension = Some(Box::new(crate::domain::extension::Extension {
            expires: day(4, 30),
            by: "carol".into(),
            at: "2026-03-09T09:00:00Z".parse().expect("time"),
            reason: None,
            approvals: vec![],
        }));
        assert_eq!(e(&asked).map(|x| x.2), Some(ExpiryAction::DecideExtension));
        assert_eq!(entry(&asked, today, 14).map(|x| x.days_left), Some(1));
    }
}
