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
     cancelled_at, id, round FROM items WHERE id BETWEEN ?1 AND ?2 AND (?3 IS NULL OR project = ?3)";

/// Runs `f` on a column's text, borrowed when it is valid UTF-8 text; anything else
/// goes through the forgiving readers of `rows`, so the report sees exactly what the
/// item list sees.
pub(super) fn with_text<T>(r: &Row<'_>, i: usize, f: impl FnOnce(Option<&str>) -> T) -> T {
    f(rows::str_ref(r, i).as_deref())
}

/// Sets `slot` to an empty text when the column is empty or blank, else to a one-letter
/// stand-in: the blocker rules ask only whether required texts are there.
fn presence(r: &Row<'_>, i: usize, slot: &mut String) {
    slot.clear();
    // An ASCII character that is not white space makes any text present, however
    // the rest reads: found without checking the whole text first.
    let seen = |b: &u8| b.is_ascii() && !b.is_ascii_whitespace() && *b != 0x0B;
    let present = match r.get_ref(i) {
        Ok(ValueRef::Text(t)) if t.iter().any(seen) => true,
        _ => with_text(r, i, |t| t.is_some_and(|t| !t.trim().is_empty())),
    };
    if present {
        slot.push('x');
    }
}

/// Copies the column's text into `slot`, reusing its room: for the names the check of
/// who may decide compares (approval owner, credential owner, holder, exception owner).
fn copy_text(r: &Row<'_>, i: usize, slot: &mut String) {
    slot.clear();
    with_text(r, i, |t| slot.push_str(t.unwrap_or_default()));
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
    /// Its row id, and the round of approvals in force.
    pub(super) id: i64,
    pub(super) round: i64,
}

impl Lean {
    pub(super) fn new() -> Lean {
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        Lean {
            item: Item::new("", 0, Default::default(), "", epoch),
            timeline: Timeline::default(),
            revoked: None,
            cancelled: None,
            id: 0,
            round: 0,
        }
    }

    pub(super) fn read(&mut self, r: &Row<'_>) {
        let it = &mut self.item;
        it.number = rows::int(r, 1);
        // An unreadable state counts as needed, as in the item list.
        it.state = rows::named(r, 2, State::ALL, State::as_str).unwrap_or(State::Needed);
        let f = &mut it.fields;
        presence(r, 3, &mut f.system);
        presence(r, 4, &mut f.purpose);
        presence(r, 5, &mut f.role);
        copy_text(r, 6, &mut f.credential_owner);
        copy_text(r, 7, &mut f.approver);
        f.holder = (!matches!(r.get_ref(22), Ok(ValueRef::Null) | Err(_))).then(|| {
            let mut h = f.holder.take().unwrap_or_default();
            copy_text(r, 22, &mut h);
            h
        });
        f.method = rows::named(r, 8, Method::ALL, Method::as_str);
        f.temporary = rows::flag(r, 9);
        f.expires = rows::date(r, 10);
        f.deprovision = rows::named(r, 11, Deprovision::ALL, Deprovision::as_str);
        let has_exception = !matches!(r.get_ref(12), Ok(ValueRef::Null) | Err(_));
        f.exception = if has_exception {
            let mut e = f.exception.take().unwrap_or_default();
            presence(r, 12, &mut e.reason);
            e.owner = (!matches!(r.get_ref(13), Ok(ValueRef::Null) | Err(_))).then(|| {
                let mut o = e.owner.take().unwrap_or_default();
                copy_text(r, 13, &mut o);
                o
            });
            e.expires = rows::date(r, 14);
            Some(e)
        } else {
            None
        };
        f.needed_by = rows::date(r, 15);
        it.manual_block = (!matches!(r.get_ref(16), Ok(ValueRef::Null) | Err(_)))
            .then(|| it.manual_block.take().unwrap_or_default());
        it.updated_at = rows::time(r, 17).unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        it.retro_due = rows::time(r, 18);
        it.blocked_since = rows::time(r, 19);
        it.emergency = rows::flag(r, 20);
        it.created_at = rows::time(r, 21).unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        // What routing reads (schema 7): who must still decide, who granted. The
        // approvals of a round are not read: an item waiting for a second security
        // review counts as having none yet.
        let f = &mut it.fields;
        f.privileged = rows::flag(r, 23);
        f.shared_credential = rows::flag(r, 24);
        f.client_owned = rows::flag(r, 25);
        it.state_since = rows::time(r, 26).unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        it.granted_by = (!matches!(r.get_ref(27), Ok(ValueRef::Null) | Err(_))).then(|| {
            let mut g = it.granted_by.take().unwrap_or_default();
            copy_text(r, 27, &mut g);
            g
        });
        it.delegates = with_text(r, 28, |t| {
            t.filter(|t| !t.is_empty())
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default()
        });
        it.rotation = rows::named(r, 29, Rotation::ALL, Rotation::as_str);
        it.review = with_text(r, 30, |t| {
            t.and_then(crate::domain::review::ReviewMark::parse)
        });
        it.fields.above_standard = rows::flag(r, 31);
        it.fields.justification = rows::opt_text(r, 32).map(Into::into);
        self.timeline = Timeline {
            added: Some(it.created_at),
            submitted: rows::time(r, 33),
            approved: rows::time(r, 34),
            granted: rows::time(r, 35),
            verified: rows::time(r, 36),
        };
        self.revoked = rows::time(r, 37);
        self.cancelled = rows::time(r, 38);
        self.id = rows::int(r, 39);
        self.round = rows::int(r, 40);
    }
}
