//! Audit evidence: what counts as a decision, the window of dates an evidence bundle
//! covers, and the two refusals of the `evidence` command (a folder that already holds
//! files, a file whose log does not verify). The bundle itself is read by the store and
//! written by the exchange layer; the rules of what goes into it are decided here.

use super::{Refusal, Rule};
use chrono::{Days, NaiveDate};

/// Event kinds that record a decision on an access item: approvals, denials and
/// returns, decisions handed on, emergency grants and their retrospectives, decisions
/// on extension requests, and access-review decisions.
pub const DECISION_KINDS: [&str; 9] = [
    "approve",
    "deny",
    "return",
    "delegate",
    "break-glass",
    "close-retro",
    "extension-approve",
    "extension-deny",
    "review-decide",
];

/// Is an event of `kind` a decision?
pub fn is_decision(kind: &str) -> bool {
    DECISION_KINDS.contains(&kind)
}

/// The calendar days an evidence bundle covers, both ends included, as UTC days (the
/// log keeps every time in UTC, so a window means the same on every host). No end
/// means no limit on that side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl Window {
    /// Refuses a window that ends before it starts.
    pub fn new(since: Option<NaiveDate>, until: Option<NaiveDate>) -> Result<Window, Refusal> {
        if let (Some(s), Some(u)) = (since, until)
            && u < s
        {
            return Err(Refusal::new(
                Rule::ValidValue,
                format!("the window ends on {u}, before it starts on {s}"),
            )
            .fix("give an end on or after the start"));
        }
        Ok(Window { since, until })
    }

    /// The first stored time inside the window, as text: stored times (RFC 3339,
    /// UTC) of that day or later compare greater or equal.
    pub fn from_text(&self) -> Option<String> {
        self.since.map(|d| d.format("%Y-%m-%d").to_string())
    }

    /// The first stored time after the window, as text (the day after its end).
    pub fn after_text(&self) -> Option<String> {
        self.until.map(|d| {
            d.checked_add_days(Days::new(1))
                .unwrap_or(d)
                .format("%Y-%m-%d")
                .to_string()
        })
    }

    /// Is a stored time (RFC 3339, UTC) inside the window?
    pub fn contains(&self, at: &str) -> bool {
        self.from_text().is_none_or(|f| at >= f.as_str()) && !self.is_after(at)
    }

    /// Is a stored time after the window's end?
    pub fn is_after(&self, at: &str) -> bool {
        self.after_text().is_some_and(|a| at >= a.as_str())
    }

    /// Is a stored time before the window's start?
    pub fn is_before(&self, at: &str) -> bool {
        self.from_text().is_some_and(|f| at < f.as_str())
    }
}

/// An access item belongs to a window when it was added by the window's end and was
/// not finished (revoked or cancelled) before the window's start: everything that
/// existed during the period, whether or not anyone acted on it then.
pub fn item_in_window(w: &Window, created_at: &str, ended_at: Option<&str>) -> bool {
    !w.is_after(created_at) && !ended_at.is_some_and(|e| w.is_before(e))
}

/// Evidence is written only into a new or empty folder, so a bundle never mixes with
/// older files.
pub fn folder_not_empty(entries: usize) -> Refusal {
    Refusal::new(
        Rule::EvidenceFolder,
        format!(
            "the folder for the evidence already holds {entries} {}",
            if entries == 1 { "entry" } else { "entries" }
        ),
    )
    .fix("name a new folder, or an empty one")
}

/// Evidence is drawn only from a file whose log verifies: a chain that holds, tables
/// that match the log, the schema the migrations made.
pub fn unverified(first_problem: &str, problems: usize) -> Refusal {
    let more = if problems > 1 {
        format!(" (and {} more)", problems - 1)
    } else {
        String::new()
    };
    Refusal::new(
        Rule::VerifiedLog,
        format!("the file does not pass the audit verification: {first_problem}{more}"),
    )
    .fix("see the audit verification for every problem; restore the file from a backup before drawing evidence from it")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The window from `since` to `until`, both given as text.
    fn window(since: &str, until: &str) -> Result<Window, Refusal> {
        Window::new(since.parse().ok(), until.parse().ok())
    }

    #[test]
    fn a_window_holds_both_its_days_whole_in_utc() {
        let w = window("2026-03-01", "2026-03-31").unwrap();
        assert!(!w.contains("2026-02-28T23:59:59.999999Z"));
        assert!(w.contains("2026-03-01T00:00:00.000000Z"));
        assert!(w.contains("2026-03-31T23:59:59.999999Z"));
        assert!(!w.contains("2026-04-01T00:00:00.000000Z"));
        assert!(Window::default().contains("1999-01-01T00:00:00Z"));
        let reversed = window("2026-03-02", "2026-03-01");
        assert_eq!(reversed.unwrap_err().rule, Rule::ValidValue);
    }

    #[test]
    fn an_item_belongs_to_a_window_it_existed_in() {
        let w = window("2026-03-01", "2026-03-31").unwrap();
        assert!(item_in_window(&w, "2026-01-01T10:00:00Z", None));
        assert!(!item_in_window(&w, "2026-04-01T10:00:00Z", None));
        assert!(!item_in_window(
            &w,
            "2026-01-01T10:00:00Z",
            Some("2026-02-01T10:00:00Z")
        ));
        assert!(item_in_window(
            &w,
            "2026-01-01T10:00:00Z",
            Some("2026-03-01T10:00:00Z")
        ));
    }
}
