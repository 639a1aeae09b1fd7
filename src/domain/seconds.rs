//! Whole seconds between two times, as chrono counts them, without its calendar
//! arithmetic: the report takes several for every item it reads.

use chrono::{DateTime, Utc};

/// `(end - start).num_seconds()`: the whole seconds from `start` to `end`, a part of a
/// second dropped towards zero. From the two times' seconds and nanoseconds, without
/// the calendar arithmetic of chrono's subtraction (a report takes four of these for
/// every item); a leap second, which only chrono reads, goes to chrono.
pub fn whole_seconds(end: DateTime<Utc>, start: DateTime<Utc>) -> i64 {
    const NANOS: i64 = 1_000_000_000;
    let (n1, n0) = (end.timestamp_subsec_nanos(), start.timestamp_subsec_nanos());
    if n1 >= NANOS as u32 || n0 >= NANOS as u32 {
        return (end - start).num_seconds();
    }
    let mut secs = end.timestamp() - start.timestamp();
    let mut nanos = i64::from(n1) - i64::from(n0);
    if nanos < 0 {
        secs -= 1;
        nanos += NANOS;
    }
    // As chrono reads a negative span: -1.5 s is -1 whole second.
    if secs < 0 && nanos > 0 {
        secs + 1
    } else {
        secs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Whole seconds between two times are chrono's, either way round, near and far
        /// apart, with parts of a second and leap seconds.
        #[test]
        fn whole_seconds_are_chronos(
            a in -8_000_000_000_000i64..8_000_000_000_000,
            gap in proptest::prop_oneof![-3i64..3, -100_000i64..100_000, -8_000_000_000_000i64..8_000_000_000_000],
            na in proptest::prop_oneof![0u32..1_000_000_000, proptest::strategy::Just(0u32), 1_000_000_000u32..2_000_000_000],
            nb in proptest::prop_oneof![0u32..1_000_000_000, proptest::strategy::Just(0u32), proptest::strategy::Just(999_999_999u32)],
        ) {
            let secs = |s: i64| s.clamp(-8_000_000_000_000, 8_000_000_000_000);
            // chrono takes a leap second only at the last second of a minute.
            let leap = |s: i64, n: u32| if n >= 1_000_000_000 { s - s.rem_euclid(60) + 59 } else { s };
            let (Some(x), Some(y)) = (
                DateTime::from_timestamp(leap(secs(a), na), na),
                DateTime::from_timestamp(secs(a + gap), nb),
            ) else {
                return Ok(());
            };
            proptest::prop_assert_eq!(whole_seconds(x, y), (x - y).num_seconds());
            proptest::prop_assert_eq!(whole_seconds(y, x), (y - x).num_seconds());
        }
    }
}
