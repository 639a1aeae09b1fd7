//! Saved views: named filters over the items, shown as tabs with their counts. Each
//! condition is optional and all given ones must hold. What "waits on me" or "my
//! work" means is the domain's to say; this file only names the conditions.

use crate::domain::{Flag, State};

/// Whose work a "my work" view lists, by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Items the person may grant, verify or revoke.
    Support,
    /// Flagged items waiting for the person's security decision.
    Security,
    /// Drafts and returned items of the person's requests or projects.
    Coordinator,
}

impl Work {
    pub const ALL: [Work; 3] = [Work::Support, Work::Security, Work::Coordinator];

    pub fn parse(s: &str) -> Option<Work> {
        Work::ALL.into_iter().find(|w| w.name() == s)
    }

    pub fn name(self) -> &'static str {
        match self {
            Work::Support => "support",
            Work::Security => "security",
            Work::Coordinator => "coordinator",
        }
    }
}

/// One saved view.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ViewSpec {
    pub name: String,
    /// The tracker's filter syntax (words, `state:`, `flag:`, `is:blocked`).
    pub(crate) query: Option<String>,
    pub(crate) states: Vec<State>,
    /// Every flag listed must be set.
    pub(crate) flags: Vec<Flag>,
    pub(crate) project: Option<String>,
    /// An approval owner's login; `@me` means "waits on my decision".
    pub(crate) approver: Option<String>,
    /// Blocker reason codes; any one of them.
    pub(crate) blockers: Vec<String>,
    /// Temporary access or an exception ending within this many days (or ended).
    pub(crate) expiring_within_days: Option<u32>,
    /// Blocking for longer than this many days.
    pub(crate) blocked_over_days: Option<u32>,
    /// A "my work" view.
    pub(crate) work: Option<Work>,
    /// The line of its `[[views]]` header (0 for a built-in view).
    pub(crate) line: usize,
}

/// The views a person has before configuring any.
pub fn defaults() -> Vec<ViewSpec> {
    vec![
        ViewSpec {
            name: "My decisions".into(),
            approver: Some("@me".into()),
            ..ViewSpec::default()
        },
        ViewSpec {
            name: "Privileged waiting".into(),
            flags: vec![Flag::Privileged],
            states: vec![State::Requested, State::Approved],
            ..ViewSpec::default()
        },
        ViewSpec {
            name: "Expiring in 14 days".into(),
            expiring_within_days: Some(14),
            ..ViewSpec::default()
        },
        ViewSpec {
            name: "Blocked > 3 days".into(),
            blocked_over_days: Some(3),
            ..ViewSpec::default()
        },
    ]
}

/// The "my work" view of each role (added after the configured views for the roles
/// the person holds).
pub fn my_work(work: Work) -> ViewSpec {
    let name = match work {
        Work::Support => "My work: grant, verify, revoke",
        Work::Security => "My work: flagged decisions",
        Work::Coordinator => "My work: drafts and returns",
    };
    ViewSpec {
        name: name.into(),
        work: Some(work),
        ..ViewSpec::default()
    }
}
