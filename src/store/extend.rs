//! A pending extension as the `items.extension` column stores it (schema 9): one JSON
//! object with its times written as every other stored time, or `NULL`. The replay
//! builds the same text from the log, so `audit verify` compares the column as it
//! compares any other.
//!
//! Asking for, approving and denying an extension are moves of the state machine
//! (`Store::act` with `Action::Extend`, `Approve`, `Deny`); the domain decides them in
//! `domain::extension`.

use super::stamp::ts;
use crate::domain::extension::Extension;
use crate::domain::{Approval, Capacity};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One approval of an extension request, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredApproval {
    pub login: String,
    pub capacity: Capacity,
    pub conditions: Option<String>,
    pub at: String,
}

/// An extension request, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredExtension {
    /// The end asked for.
    pub expires: NaiveDate,
    /// The approvals it has so far.
    #[serde(default)]
    pub approvals: Vec<StoredApproval>,
    /// Who asked, when, and why.
    pub by: String,
    pub at: String,
    pub reason: Option<String>,
}

impl StoredExtension {
    /// The column's text.
    pub fn text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl From<&Extension> for StoredExtension {
    fn from(e: &Extension) -> StoredExtension {
        StoredExtension {
            expires: e.expires,
            by: e.by.clone(),
            at: ts(e.at),
            reason: e.reason.clone(),
            approvals: e
                .approvals
                .iter()
                .map(|a| StoredApproval {
                    login: a.login.clone(),
                    capacity: a.capacity,
                    conditions: a.conditions.clone(),
                    at: ts(a.at),
                })
                .collect(),
        }
    }
}

fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// The column's text for an item's extension, if any.
pub(super) fn column(e: Option<&Extension>) -> Option<String> {
    e.map(|e| StoredExtension::from(e).text())
}

/// Reads the column. A value written behind the app's back that cannot be read is
/// no extension (the replay names the difference).
pub(super) fn read(text: Option<String>) -> Option<Box<Extension>> {
    let s: StoredExtension = serde_json::from_str(&text?).ok()?;
    Some(Box::new(Extension {
        expires: s.expires,
        by: s.by,
        at: time(&s.at),
        reason: s.reason,
        approvals: s
            .approvals
            .into_iter()
            .map(|a| Approval {
                login: a.login,
                capacity: a.capacity,
                conditions: a.conditions,
                at: time(&a.at),
                terms: None,
            })
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_column_reads_back_what_was_written() {
        let e = Extension {
            expires: NaiveDate::from_ymd_opt(2027, 1, 31).expect("date"),
            by: "carol".into(),
            at: "2026-12-05T09:00:00.123456Z".parse().expect("time"),
            reason: Some("late migration".into()),
            approvals: vec![Approval {
                login: "frank".into(),
                capacity: Capacity::Owner,
                conditions: None,
                at: "2026-12-05T10:00:00Z".parse().expect("time"),
                terms: None,
            }],
        };
        let text = column(Some(&e));
        assert_eq!(read(text.clone()).as_deref(), Some(&e));
        assert!(text.is_some_and(|t| t.contains("\"at\":\"2026-12-05T09:00:00.123456Z\"")));
        assert_eq!(read(Some("not json".into())), None);
    }
}
