//! The tracker's index list: which items the filter keeps (typed words, `state:`,
//! `flag:`, `is:blocked`, and the state chosen with `f`) and in which order the sort
//! column puts them. The app keeps the result as a list of indices and recomputes it
//! only when the data, the filter or the sort changes.

use crate::domain::{Flag, Item, State};
use crate::store::ItemView;
use std::cmp::Ordering;

/// The tracker's columns, which are also its sort keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Id,
    System,
    Purpose,
    Role,
    Owner,
    Approval,
    Method,
    Expiry,
    Blocker,
    Flags,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Id,
        Column::System,
        Column::Purpose,
        Column::Role,
        Column::Owner,
        Column::Approval,
        Column::Method,
        Column::Expiry,
        Column::Blocker,
        Column::Flags,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::System => "system",
            Column::Purpose => "purpose",
            Column::Role => "role",
            Column::Owner => "owner",
            Column::Approval => "approval",
            Column::Method => "method",
            Column::Expiry => "expiry",
            Column::Blocker => "blocker",
            Column::Flags => "risk",
        }
    }

    pub(crate) fn next(self) -> Column {
        let i = Column::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Column::ALL[(i + 1) % Column::ALL.len()]
    }
}

/// The tracker's filter: typed text and a state chosen with `f`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
    pub state: Option<State>,
}

/// A parsed filter text: words, `state:`, `flag:`, `is:blocked`.
#[derive(Debug, Clone, Default)]
pub struct Query {
    words: Vec<String>,
    states: Vec<State>,
    flags: Vec<Vec<Flag>>,
    blocked: Option<bool>,
    /// A token that matches nothing (e.g. an unknown state), for the title.
    pub problem: Option<String>,
}

impl Query {
    pub fn parse(text: &str) -> Query {
        let mut q = Query::default();
        let mut state_token = false;
        for tok in text.split_whitespace() {
            let t = tok.to_lowercase();
            if let Some(s) = t.strip_prefix("state:") {
                state_token = true;
                let found: Vec<State> = State::ALL
                    .iter()
                    .copied()
                    .filter(|st| st.as_str().starts_with(s))
                    .collect();
                if found.is_empty() {
                    q.problem = Some(format!("no state '{s}'"));
                }
                q.states.extend(found);
            } else if let Some(f) = t.strip_prefix("flag:") {
                let found: Vec<Flag> = Flag::ALL
                    .iter()
                    .copied()
                    .filter(|fl| {
                        fl.as_str().starts_with(f) || fl.badge().to_lowercase().starts_with(f)
                    })
                    .collect();
                if found.is_empty() {
                    q.problem = Some(format!("no flag '{f}'"));
                }
                q.flags.push(found);
            } else if t == "is:blocked" || t == "is:blocking" {
                q.blocked = Some(true);
            } else if t == "is:clear" || t == "is:unblocked" {
                q.blocked = Some(false);
            } else {
                q.words.push(t);
            }
        }
        if state_token && q.states.is_empty() {
            // An unknown state matches nothing rather than everything.
            q.problem.get_or_insert_with(|| "no such state".into());
        }
        q
    }

    pub(crate) fn matches(&self, v: &ItemView, haystack: &str) -> bool {
        if self.problem.is_some() {
            return false;
        }
        if !self.states.is_empty() && !self.states.contains(&v.item.state) {
            return false;
        }
        if let Some(b) = self.blocked
            && v.blocking() != b
        {
            return false;
        }
        if !self.flags.is_empty() {
            let have = v.item.flags();
            if !self
                .flags
                .iter()
                .all(|any| any.iter().any(|f| have.contains(f)))
            {
                return false;
            }
        }
        self.words.iter().all(|w| haystack.contains(w.as_str()))
    }
}

/// Riskiest first: privileged, shared credential, client-owned, exception, plain.
pub fn risk_rank(item: &Item) -> u8 {
    let f = &item.fields;
    if f.privileged {
        0
    } else if f.shared_credential {
        1
    } else if f.client_owned {
        2
    } else if f.exception.is_some() {
        3
    } else {
        4
    }
}

/// The lower-cased text a filter word is looked for in.
pub(crate) fn haystack(v: &ItemView) -> String {
    let it = &v.item;
    let f = &it.fields;
    [
        it.id().as_str(),
        &f.system,
        &f.purpose,
        &f.role,
        f.holder.as_deref().unwrap_or(""),
        &f.credential_owner,
        &f.approver,
        &it.requester,
        f.method.map(|m| m.as_str()).unwrap_or(""),
        it.state.as_str(),
        &f.notes,
    ]
    .join("\u{0}")
    .to_lowercase()
}

fn cmp_text(a: &str, b: &str) -> Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

pub(crate) fn cmp_column(col: Column, a: &ItemView, b: &ItemView) -> Ordering {
    let (x, y) = (&a.item, &b.item);
    match col {
        Column::Id => Ordering::Equal,
        Column::System => cmp_text(&x.fields.system, &y.fields.system),
        Column::Purpose => cmp_text(&x.fields.purpose, &y.fields.purpose),
        Column::Role => cmp_text(&x.fields.role, &y.fields.role),
        Column::Owner => cmp_text(&x.fields.credential_owner, &y.fields.credential_owner),
        Column::Approval => x
            .state
            .cmp(&y.state)
            .then(x.approvals.len().cmp(&y.approvals.len())),
        Column::Method => x.fields.method.cmp(&y.fields.method),
        // Items without an expiry sort last.
        Column::Expiry => match (x.fields.expires, y.fields.expires) {
            (Some(p), Some(q)) => p.cmp(&q),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        },
        // Blocking first, the oldest blocker first.
        Column::Blocker => b
            .blocking()
            .cmp(&a.blocking())
            .then(a.blocked_since.cmp(&b.blocked_since)),
        Column::Flags => risk_rank(x).cmp(&risk_rank(y)),
    }
}

pub(crate) fn cmp_id(a: &Item, b: &Item) -> Ordering {
    a.project.cmp(&b.project).then(a.number.cmp(&b.number))
}
