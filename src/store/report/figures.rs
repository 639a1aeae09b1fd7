//! Small figures the report is made of: medians, rounding, age buckets, item numbers.

use crate::domain::forecast;

/// The median of `v` (sorted here); 0 when empty. One definition with the stage
/// durations' (`domain::forecast`).
pub(super) fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    forecast::median(v).unwrap_or(0.0)
}

/// The 90th percentile of sorted values by nearest rank; 0 when empty.
pub(super) fn p90(sorted: &[f64]) -> f64 {
    forecast::p90(sorted).unwrap_or(0.0)
}

pub(super) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A ratio to four decimals (a percentage to two).
pub(super) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

pub(super) fn bucket(hours: f64) -> &'static str {
    match hours {
        h if h < 24.0 => "under-1d",
        h if h < 72.0 => "1d-3d",
        h if h < 168.0 => "3d-7d",
        _ => "over-7d",
    }
}

pub(super) use crate::store::life::number_in;
