//! Small figures the report is made of: medians, rounding, age buckets, item numbers.

use crate::domain::forecast;

/// The median of `v` and its 90th percentile by nearest rank, as [`forecast::median`]
/// and [`forecast::p90`] read them of the values sorted, found by selection (`v` is
/// reordered: half a million open blockers are not sorted for two ranks); 0 each when
/// empty. One definition with the stage durations'.
pub(super) fn median_and_p90(v: &mut [f64]) -> (f64, f64) {
    forecast::ranks(v, f64::total_cmp).map_or((0.0, 0.0), |(lower, upper, p90)| {
        ((lower + upper) / 2.0, p90)
    })
}

/// The largest of `v` (as the last of them sorted); 0 when empty.
pub(super) fn largest(v: &[f64]) -> f64 {
    v.iter().copied().max_by(f64::total_cmp).unwrap_or(0.0)
}

pub(super) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A ratio to four decimals (a percentage to two).
pub(super) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The blocking age histogram's buckets, youngest first.
pub(super) const BUCKETS: [&str; 4] = ["under-1d", "1d-3d", "3d-7d", "over-7d"];

/// The bucket of an age of `hours`: its place in [`BUCKETS`].
pub(super) fn bucket_of(hours: f64) -> usize {
    match hours {
        h if h < 24.0 => 0,
        h if h < 72.0 => 1,
        h if h < 168.0 => 2,
        _ => 3,
    }
}

pub(super) fn bucket(hours: f64) -> &'static str {
    BUCKETS[bucket_of(hours)]
}

/// Counts kept by place in a list of names (`names`), as a map by name of those
/// counted at least once.
pub(super) fn by_name<const N: usize>(
    names: &[&'static str; N],
    counts: &[usize; N],
) -> std::collections::BTreeMap<&'static str, usize> {
    names
        .iter()
        .zip(counts)
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| (*k, *n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        /// Selection reads the ranks a sort reads, with repeated values, zeros of
        /// either sign and any length.
        #[test]
        fn selection_reads_the_ranks_of_the_sorted_values(
            v in proptest::collection::vec(
                proptest::prop_oneof![
                    (0u32..50).prop_map(|h| f64::from(h) / 4.0),
                    proptest::num::f64::NORMAL | proptest::num::f64::ZERO,
                ],
                0..200,
            ),
        ) {
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let want = (
                forecast::median(&sorted).unwrap_or(0.0),
                forecast::p90(&sorted).unwrap_or(0.0),
            );
            let mut picked = v.clone();
            let got = median_and_p90(&mut picked);
            proptest::prop_assert_eq!(got.0.to_bits(), want.0.to_bits());
            proptest::prop_assert_eq!(got.1.to_bits(), want.1.to_bits());
            let last = sorted.last().copied().unwrap_or(0.0);
            proptest::prop_assert_eq!(largest(&v).to_bits(), last.to_bits());
        }
    }
}
