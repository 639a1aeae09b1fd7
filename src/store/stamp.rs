//! The stored form of a time, apart from the log that writes most of them, so the
//! modules that only format a time (an extension as stored) need nothing else.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

/// Formats a time as stored: RFC 3339, UTC, microseconds (sorts as text).
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The dates of recently met day numbers (days from the common era's first day),
/// each worked out once: a million rows hold some eleven million times and dates, on
/// a few hundred days, and chrono works out each one's year and day of the year.
pub struct Days {
    /// By day number modulo its length: the day number and its date.
    seen: Box<[(i32, NaiveDate)]>,
}

/// How many days [`Days`] keeps at once (a few years of days).
const DAYS_KEPT: usize = 2048;

impl Default for Days {
    fn default() -> Days {
        // An empty slot holds day number 0 with a date that is not day 0's: `date`
        // never takes `NaiveDate::MIN` from a slot.
        Days {
            seen: vec![(0, NaiveDate::MIN); DAYS_KEPT].into_boxed_slice(),
        }
    }
}

impl Days {
    /// The date `days` days from the common era's first day (as
    /// [`NaiveDate::from_num_days_from_ce_opt`]).
    pub fn date(&mut self, days: i32) -> Option<NaiveDate> {
        let slot = &mut self.seen[days.rem_euclid(DAYS_KEPT as i32) as usize];
        if slot.0 == days && slot.1 != NaiveDate::MIN {
            return Some(slot.1);
        }
        let d = NaiveDate::from_num_days_from_ce_opt(days)?;
        *slot = (days, d);
        Some(d)
    }

    /// The time `secs` seconds and `nanos` nanoseconds from 1970 began (as
    /// [`DateTime::from_timestamp`]).
    pub fn time(&mut self, secs: i64, nanos: u32) -> Option<DateTime<Utc>> {
        let day = secs.div_euclid(86_400);
        let of_day = u32::try_from(secs.rem_euclid(86_400)).ok()?;
        let date = self.date(i32::try_from(day.checked_add(719_163)?).ok()?)?;
        let time = NaiveTime::from_num_seconds_from_midnight_opt(of_day, nanos)?;
        Some(date.and_time(time).and_utc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever days were met before, a date and a time read through the cache
        /// are chrono's own.
        #[test]
        fn the_cached_days_are_the_calendars(
            earlier in proptest::collection::vec(-1_000_000i64..1_000_000, 0..40),
            secs in prop_oneof![-100_000_000_000i64..100_000_000_000, any::<i64>()],
            nanos in prop_oneof![0u32..2_000_000_000, Just(0)],
            days in any::<i32>(),
        ) {
            let mut cache = Days::default();
            for d in earlier {
                // Near the times asked, so some share a slot with them.
                let _ = cache.time(secs.saturating_add(d * 86_400), 0);
                let _ = cache.date(days.saturating_add(d as i32));
            }
            prop_assert_eq!(cache.time(secs, nanos), DateTime::from_timestamp(secs, nanos));
            prop_assert_eq!(cache.time(secs, nanos), DateTime::from_timestamp(secs, nanos));
            prop_assert_eq!(cache.date(days), NaiveDate::from_num_days_from_ce_opt(days));
        }
    }

    #[test]
    fn the_first_day_and_the_last_are_read_as_any_other() {
        let mut cache = Days::default();
        for days in [
            0,
            1,
            DAYS_KEPT as i32,
            -(DAYS_KEPT as i32),
            i32::MIN,
            i32::MAX,
        ] {
            assert_eq!(cache.date(days), NaiveDate::from_num_days_from_ce_opt(days));
            assert_eq!(cache.date(days), NaiveDate::from_num_days_from_ce_opt(days));
        }
    }
}
