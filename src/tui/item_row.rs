//! A loaded item as the lists keep it: what the panes draw, sort, filter and count,
//! with the domain's answers about it worked out once, while the rows stream in from
//! the store — its blockers and when to look at them again, why it holds a task up,
//! in which capacity it waits on the person's decision, whether it is their support
//! work, its risk rank and its approvals' progress. Its texts are not here: its names
//! are numbers into the shared name table and its own texts lie in one buffer (see
//! `haystacks`), so a row is about a hundred bytes where the domain's item with its
//! texts took a kilobyte. The full item is read from the store when it is opened or
//! acted on.

use crate::domain::blockers::{self, Reason};
use crate::domain::machine::{self, ActionKind};
use crate::domain::tasks::{self, Hold};
use crate::domain::{Capacity, Flag, Item, Method, Person, Project, State, extension};
use crate::store::Listed;
use chrono::{DateTime, NaiveDate, Utc};
use std::cell::RefCell;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct ItemRow {
    pub rowid: i64,
    pub number: i64,
    /// The version read: a move acts on the item at the version the list shows.
    pub version: i64,
    pub state_since: DateTime<Utc>,
    /// Start of the current blocking spell; `None` when not blocking.
    pub blocked_since: Option<DateTime<Utc>>,
    /// When its blockers are to be looked at again with no change to it.
    pub next_check: Option<DateTime<Utc>>,
    /// The expiry date as entered (whether or not the access is temporary).
    pub expires: Option<NaiveDate>,
    pub reasons: Box<[Reason]>,
    pub state: State,
    pub method: Option<Method>,
    pub temporary: bool,
    /// Its flags, one bit each in the order of `Flag::ALL`.
    flags: u8,
    /// See [`risk_rank`].
    pub risk: u8,
    /// The approvals given and required, when the state shows them (see
    /// [`shows_progress`]).
    pub progress: Option<(u8, u8)>,
    /// How many approvals of the current round it has.
    pub approvals: u8,
    /// Why it holds up a task that needs it (`None`: it holds none up).
    pub hold: Option<Hold>,
    /// In which capacity it waits on the logged-in person's decision.
    pub capacity: Option<Capacity>,
    /// Whether the person may move it on now as support (grant, verify or revoke).
    pub support_work: bool,
}

/// Who the rows are worked out for, and when.
pub struct For<'a> {
    pub me: Option<&'a Person>,
    pub login: &'a str,
    pub now: DateTime<Utc>,
    /// Each project's date at `now`, by key, worked out when first asked for (once per
    /// project, not per item; a first screenful asks for a few projects only).
    days: RefCell<HashMap<String, NaiveDate, foldhash::fast::RandomState>>,
}

impl<'a> For<'a> {
    pub fn new(me: Option<&'a Person>, login: &'a str, now: DateTime<Utc>) -> For<'a> {
        For {
            me,
            login,
            now,
            days: RefCell::default(),
        }
    }

    /// The project's date at `now`.
    pub fn today(&self, p: &Project) -> NaiveDate {
        let mut days = self.days.borrow_mut();
        if let Some(d) = days.get(p.key.as_str()) {
            return *d;
        }
        let d = blockers::today(p, self.now);
        days.insert(p.key.clone(), d);
        d
    }
}

/// Whether the tracker shows an item's approvals given and required in its state.
pub fn shows_progress(state: State) -> bool {
    matches!(state, State::Requested | State::Approved)
}

/// Riskiest first, in the order of the item's badges (privileged, shared credential,
/// client-owned, exception); items that need no security review last. This orders
/// rows for the eye only; whether an item needs review is the domain's to say.
pub fn risk_rank(item: &Item) -> u8 {
    if !item.needs_security_review() {
        return 4;
    }
    let f = &item.fields;
    if f.privileged {
        0
    } else if f.shared_credential {
        1
    } else if f.client_owned {
        2
    } else {
        3
    }
}

/// In which capacity `item` waits on the person's decision, if it does: the state
/// machine lets them approve it now and the domain names their capacity.
pub fn queue_capacity(item: &Item, p: &Project, who: &For<'_>) -> Option<Capacity> {
    if !extension::awaits_decision(item) {
        return None;
    }
    // Asked first without words: most of the items waiting on a decision are not the
    // person's to decide, and a list of a million would word each refusal.
    let capacity = extension::open_decision(item, who.me?).ok()?;
    machine::guard(item, p, ActionKind::Approve, who.me, who.login).ok()?;
    Some(capacity)
}

/// Whether the person may grant, verify or revoke `item` now (only the move its state
/// could take is asked about).
fn support_work(item: &Item, p: &Project, who: &For<'_>) -> bool {
    if who.me.is_none() {
        return false;
    }
    let kinds: &[ActionKind] = match item.state {
        State::Approved => &[ActionKind::Grant],
        State::Granted => &[ActionKind::Verify, ActionKind::Revoke],
        State::Verified => &[ActionKind::Revoke],
        _ => &[],
    };
    kinds
        .iter()
        .any(|k| machine::guard(item, p, *k, who.me, who.login).is_ok())
}

fn small(n: usize) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}

impl ItemRow {
    /// The row of an item as the store hands it on, with the domain's answers (its
    /// blocker reasons taken over, not copied).
    pub fn of(l: Listed<'_>, who: &For<'_>) -> ItemRow {
        let it = l.item;
        let f = &it.fields;
        let flags = Flag::ALL
            .iter()
            .enumerate()
            .filter(|(_, fl)| it.has_flag(**fl))
            .fold(0u8, |bits, (i, _)| bits | (1 << i));
        let a = l.assessment;
        ItemRow {
            rowid: it.rowid,
            number: it.number,
            version: it.version,
            state_since: it.state_since,
            blocked_since: a.since,
            next_check: a.next_check,
            expires: f.expires,
            reasons: a.reasons.into_boxed_slice(),
            state: it.state,
            method: f.method,
            temporary: f.temporary,
            flags,
            risk: risk_rank(it),
            progress: shows_progress(it.state).then(|| {
                let (given, required) = it.approval_progress();
                (small(given), small(required))
            }),
            approvals: small(it.approvals.len()),
            hold: tasks::hold(Some(it)),
            capacity: queue_capacity(it, l.project, who),
            support_work: support_work(it, l.project, who),
        }
    }

    pub fn blocking(&self) -> bool {
        !self.reasons.is_empty()
    }

    /// Its flags, in the order of their badges.
    pub fn flags(&self) -> impl Iterator<Item = Flag> + '_ {
        Flag::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| self.flags & (1 << i) != 0)
            .map(|(_, f)| *f)
    }

    pub fn has_flag(&self, flag: Flag) -> bool {
        self.flags().any(|f| f == flag)
    }
}
