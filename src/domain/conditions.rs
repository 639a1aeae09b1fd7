//! Structured conditions of an approval: an end date for the access, MFA, read-only
//! access first, allowed hours. A condition's end date is not a material change: the
//! earliest end wins, and it makes permanent access temporary (removed on that date).

use super::model::{Deprovision, Item, ItemFields};
use super::refusal::{Refusal, Rule};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

fn is_false(b: &bool) -> bool {
    !*b
}

/// The structured part of an approval's conditions (JSON `condition_fields`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConditionFields {
    /// The access ends by this date at the latest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_by: Option<NaiveDate>,
    /// Multi-factor authentication is required on the account.
    #[serde(default, skip_serializing_if = "is_false")]
    pub mfa: bool,
    /// Read-only access first; the requested role only once that was enough.
    #[serde(default, skip_serializing_if = "is_false")]
    pub read_only_first: bool,
    /// When the access may be used ("weekdays 08:00-18:00 CET").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
}

impl ConditionFields {
    pub fn is_empty(&self) -> bool {
        *self == ConditionFields::default()
    }

    /// Each condition in words, for people.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(d) = self.expires_by {
            out.push(format!("access ends by {d}"));
        }
        if self.mfa {
            out.push("MFA required".to_string());
        }
        if self.read_only_first {
            out.push("read-only access first".to_string());
        }
        if let Some(h) = &self.hours {
            out.push(format!("only during {}", h.trim()));
        }
        out
    }

    /// Checks what a person typed: an end date not before `today`, hours as plain text
    /// without credentials.
    pub fn check(&self, today: NaiveDate) -> Result<(), Refusal> {
        if let Some(d) = self.expires_by
            && d < today
        {
            return Err(Refusal::new(
                Rule::ValidValue,
                format!("a condition's end date {d} is in the past"),
            )
            .fix("give a date from today on"));
        }
        if let Some(h) = &self.hours {
            super::rules::check_text("hours", h, false)?;
        }
        Ok(())
    }
}

/// Shortens the access to end by `by` (the earliest end wins); permanent access
/// becomes temporary, removed on that date. Returns whether anything changed.
pub fn shorten_expiry(f: &mut ItemFields, by: NaiveDate) -> bool {
    if f.temporary {
        match f.expires {
            Some(e) if e <= by => false,
            _ => {
                f.expires = Some(by);
                true
            }
        }
    } else {
        f.temporary = true;
        f.expires = Some(by);
        f.deprovision = Some(Deprovision::OnDate);
        true
    }
}

/// Every condition of the approvals in force, text and structured, in words; `None`
/// when there are none.
pub fn summary(item: &Item) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for a in &item.approvals {
        if let Some(c) = a
            .conditions
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            parts.push(c.to_string());
        }
        if let Some(t) = &a.terms {
            parts.extend(t.describe());
        }
    }
    parts.dedup();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The structured conditions of the approvals in force, merged: the earliest end, MFA
/// or read-only first when any asks for it, the hours of each.
pub fn merged(item: &Item) -> ConditionFields {
    let mut out = ConditionFields::default();
    let mut hours: Vec<&str> = Vec::new();
    for t in item.approvals.iter().filter_map(|a| a.terms.as_ref()) {
        out.expires_by = match (out.expires_by, t.expires_by) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        out.mfa |= t.mfa;
        out.read_only_first |= t.read_only_first;
        if let Some(h) = t.hours.as_deref() {
            hours.push(h.trim());
        }
    }
    if !hours.is_empty() {
        out.hours = Some(hours.join("; "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A date written as people write it.
    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn the_earliest_end_wins_and_permanent_access_becomes_temporary() {
        let mut f = ItemFields::default();
        assert!(shorten_expiry(&mut f, d("2026-12-31")));
        assert!(f.temporary);
        assert_eq!(f.deprovision, Some(Deprovision::OnDate));
        assert!(!shorten_expiry(&mut f, d("2027-01-31")));
        assert_eq!(f.expires, Some(d("2026-12-31")));
        assert!(shorten_expiry(&mut f, d("2026-12-15")));
        assert_eq!(f.expires, Some(d("2026-12-15")));
    }

    #[test]
    fn conditions_read_as_words_and_refuse_a_past_date() {
        let t = ConditionFields {
            expires_by: Some(d("2026-12-31")),
            mfa: true,
            read_only_first: true,
            hours: Some("weekdays 08-18".into()),
        };
        assert_eq!(t.describe().len(), 4);
        assert!(t.check(d("2026-12-01")).is_ok());
        assert_eq!(t.check(d("2027-01-01")).unwrap_err().rule, Rule::ValidValue);
    }
}
