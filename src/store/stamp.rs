//! The stored form of a time, apart from the log that writes most of them, so the
//! modules that only format a time (an extension as stored) need nothing else.

use chrono::{DateTime, Utc};

/// Formats a time as stored: RFC 3339, UTC, microseconds (sorts as text).
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
