//! The items as the measures read them: one row at a time into a reused skeleton
//! [`Item`] holding exactly what the blocker rules and the measures look at, with text
//! borrowed from SQLite where it is valid, so the report of 100,000 items makes
//! almost no allocations.

use super::rows;
use crate::domain::forecast::Timeline;
use crate::domain::lifecycle::Rotation;
use crate::domain::{Deprovision, Item, Method, State};
use chrono::{DateTime, Utc};
use rusqlite::{Row, types::ValueRef};

/// The columns the measures read, in the order [`Lean::read`] expects, of the items
/// whose row id is from `?1` to `?2` (a range of `parallel`) of one project (`?3`) or
/// of all (`?3` null).
pub(super) const LEAN_SQL: &str = "SELECT project, number, state, system, purpose, role, credential_owner, approver, \
     method, temporary, expires, deprovision, exception_reason, exception_owner, exception_expires, needed_by, \
     manual_block, updated_at, retro_due, blocked_since, emergency, created_at, holder, \
     privileged, shared_credential, client_owned, state_since, granted_by, delegates, rotation, review, \
     above_standard, justification, submitted_at, approved_at, granted_at, verified_at, revoked_at, \
     cancelled_at, id, round FROM items WHERE id BETWEEN ?1 AND ?2 AND (?3 IS NULL OR project = ?3) \
     ORDER BY id";

/// Runs `f` on a column's text, borrowed when it is valid UTF-8 text; anything else
/// goes through the forgiving readers of `rows`, so the report sees exactly what the
/// item list sees.
pub(super) fn with_text<T>(r: &Row<'_>, i: usize, f: impl FnOnce(Option<&str>) -> T) -> T {
    f(rows::str_ref(r, i).as_deref())
}

/// Sets `slot` to an empty text when the value is empty or blank, else to a one-letter
/// stand-in: the blocker rules ask only whether required texts are there.
fn presence(v: ValueRef<'_>, slot: &mut String) {
    slot.clear();
    // An ASCII character that is not white space makes any text present, however
    // the rest reads: found without checking the whole text first.
    let seen = |b: &u8| b.is_ascii() && !b.is_ascii_whitespace() && *b != 0x0B;
    let present = match v {
        ValueRef::Text(t) if t.iter().any(seen) => true,
        _ => rows::str_of(v).is_some_and(|t| !t.trim().is_empty()),
    };
    if present {
        slot.push('x');
    }
}

/// One item as the measures see it: a skeleton [`Item`] holding exactly what the
/// blocker rules read (required texts only as present or not), reused row after row.
pub(super) struct Lean {
    pub(super) item: Item,
    /// When it first entered each state on its way to ready (schema 16).
    pub(super) timeline: Timeline,
    /// When it was first revoked and first cancelled.
    pub(super) revoked: Option<DateTime<Utc>>,
    pub(super) cancelled: Option<DateTime<Utc>>,
    /// Its system's name as stored (the stage lines are grouped by it).
    pub(super) system: String,
    /// Its row id, and the round of approvals in force.
    pub(super) id: i64,
    pub(super) round: i64,
    /// The dates of the days its packed facts met (see `store::facts`).
    pub(super) days: super::stamp::Days,
}

impl Lean {
    pub(super) fn new() -> Lean {
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        Lean {
            item: Item::new("", 0, Default::default(), "", epoch),
            timeline: Timeline::default(),
            revoked: None,
            cancelled: None,
            system: String::new(),
            id: 0,
            round: 0,
            days: Default::default(),
        }
    }

    /// Reads a row of [`LEAN_SQL`].
    pub(super) fn read(&mut self, r: &Row<'_>) {
        // Each column asked of SQLite once.
        let v = |i| rows::cell(r, i);
        self.read_item(v);
        self.read_place(v);
    }

    /// Reads the item's part of a row, columns 1 to 38 of [`LEAN_SQL`] (what
    /// `store::facts` packs: its fields and its life), from `v`: a column's value by
    /// its place.
    pub(super) fn read_item<'v>(&mut self, v: impl Fn(usize) -> ValueRef<'v>) {
        self.system.clear();
        if let Some(s) = rows::str_of(v(3)) {
            self.system.push_str(&s);
        }
        let it = &mut self.item;
        it.number = rows::int_of(v(1));
        // An unreadable state counts as needed, as in the item list.
        it.state = rows::named_of(v(2), State::ALL, State::as_str).unwrap_or(State::Needed);
        let f = &mut it.fields;
        presence(v(3), &mut f.system);
        presence(v(4), &mut f.purpose);
        presence(v(5), &mut f.role);
        rows::set_text_of(&mut f.credential_owner, v(6));
        rows::set_text_of(&mut f.approver, v(7));
        rows::set_opt_text_of(&mut f.holder, v(22));
        f.method = rows::named_of(v(8), Method::ALL, Method::as_str);
        f.temporary = rows::int_of(v(9)) != 0;
        f.expires = rows::date_of(v(10));
        f.deprovision = rows::named_of(v(11), Deprovision::ALL, Deprovision::as_str);
        let reason = v(12);
        f.exception = if matches!(reason, ValueRef::Null) {
            None
        } else {
            let mut e = f.exception.take().unwrap_or_default();
            presence(reason, &mut e.reason);
            rows::set_opt_text_of(&mut e.owner, v(13));
            e.expires = rows::date_of(v(14));
            Some(e)
        };
        f.needed_by = rows::date_of(v(15));
        it.manual_block =
            (!matches!(v(16), ValueRef::Null)).then(|| it.manual_block.take().unwrap_or_default());
        it.updated_at = rows::time_of(v(17)).unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        it.retro_due = rows::time_of(v(18));
        it.blocked_since = rows::time_of(v(19));
        it.emergency = rows::int_of(v(20)) != 0;
        it.created_at = rows::time_of(v(21)).unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        // What routing reads (schema 7): who must still decide, who granted. The
        // approvals of a round are not read: an item waiting for a second security
        // review counts as having none yet.
        let f = &mut it.fields;
        f.privileged = rows::int_of(v(23)) != 0;
        f.shared_credential = rows::int_of(v(24)) != 0;
        f.client_owned = rows::int_of(v(25)) != 0;
        it.state_since = rows::time_of(v(26)).unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        rows::set_opt_text_of(&mut it.granted_by, v(27));
        it.delegates = rows::str_of(v(28))
            .filter(|t| !t.is_empty())
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        it.rotation = rows::named_of(v(29), Rotation::ALL, Rotation::as_str);
        it.review = rows::str_of(v(30)).and_then(|t| crate::domain::review::ReviewMark::parse(&t));
        it.fields.above_standard = rows::int_of(v(31)) != 0;
        it.fields.justification = rows::str_of(v(32)).map(|t| t.into_owned().into());
        self.timeline = Timeline {
            added: Some(self.item.created_at),
            submitted: rows::time_of(v(33)),
            approved: rows::time_of(v(34)),
            granted: rows::time_of(v(35)),
            verified: rows::time_of(v(36)),
        };
        self.revoked = rows::time_of(v(37));
        self.cancelled = rows::time_of(v(38));
    }

    /// Reads where the row is, columns 39 and 40 of [`LEAN_SQL`]: its row id and the
    /// round of approvals in force.
    pub(super) fn read_place<'v>(&mut self, v: impl Fn(usize) -> ValueRef<'v>) {
        self.id = rows::int_of(v(39));
        self.round = rows::int_of(v(40));
    }
}
