//! Each item's facts, packed into one value kept beside its row (schema 20; since
//! schema 21 in this form, in a table of their own, `item_facts`, with the item's row
//! id, project and round): exactly what the report's pass reads of the item's own
//! columns (columns 1 to 38 of [`LEAN_SQL`]: its fields and its life), as
//! [`Lean::read_item`] reads them, in a compact binary form; then the values of the
//! row's other columns a list reads an item from ([`AS_STORED`]: its purpose, notes,
//! parties and the like), each kept as it is stored. The pass then asks SQLite for
//! four values a row instead of forty-one, from rows of about 210 bytes instead of
//! 590, and parses no time or name: times are numbers, names are their place in their
//! list. A list (the TUI's rows) asks for four instead of seventeen, and reads the
//! stored values by the very readers that read the columns (`rows::unpacked_into`).
//! The report passes over them.
//!
//! The facts are a function of the row's columns alone. A new item's row of facts is
//! written with it (`records::ItemInsert`); a row changed in place gets its facts, and
//! its project and round, written again from the row once written (`refresh`: an
//! update of the item, its life kept as an event is written, an access review's mark);
//! the migrations fill them for every row; a trigger removes them with the item's row;
//! `audit verify` packs every row's columns again and names each row whose facts
//! differ, and each row of facts without its item (`mismatches`). While any row may
//! have none (an item added outside accessdesk), the report and the lists read every
//! row's columns instead, through [`FACTS_MISSING`].

use super::error::Result;
use super::lean::{LEAN_SQL, Lean};
use super::rows;
use super::stamp::Days;
use crate::domain::lifecycle::Rotation;
use crate::domain::review::ReviewMark;
use crate::domain::{Deprovision, Method, State};
use chrono::{DateTime, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row};

mod form;
use form::*;
pub(in crate::store) mod pages;

/// The pass over the items with their facts (`item_facts`, a row beside each row of
/// `items` with its row id, project and round): the project, the facts, then where
/// the row is (its row id and round). Same ranges and filter as [`LEAN_SQL`].
pub(super) const FACTS_SQL: &str = "SELECT project, facts, id, round FROM item_facts \
     WHERE id BETWEEN ?1 AND ?2 AND (?3 IS NULL OR project = ?3) ORDER BY id";

/// Whether some row may have no facts: a row of facts without them (through the
/// partial index that holds only those), or an item past the last row of facts (one
/// added outside accessdesk, which writes an item's facts with it).
pub(super) const FACTS_MISSING: &str = "SELECT EXISTS (SELECT 1 FROM item_facts \
     INDEXED BY item_facts_unpacked WHERE facts IS NULL) \
     OR (SELECT max(id) FROM items) IS NOT (SELECT max(id) FROM item_facts)";

/// Writes a new item's row of facts (`?1` its row id, then its project, round and
/// facts).
pub(super) const ADD_FACTS: &str =
    "INSERT INTO item_facts (id, project, round, facts) VALUES (?1, ?2, ?3, ?4)";

/// Sets a row's facts, with its project and round as the item's row has them now.
const SET_FACTS: &str = "UPDATE item_facts SET facts = ?1, project = ?3, round = ?4 WHERE id = ?2";

/// The version of the form; a value that starts otherwise does not read. Form 1
/// (schema 20) held no [`AS_STORED`] values; the migration to schema 21 packs every
/// row again.
pub(super) const FORM: u8 = 2;

/// The columns of an item's row the facts keep as stored, after what they pack of
/// [`LEAN_SQL`]: what a list reads of an item besides that (`rows::unpacked_into`
/// reads them in this order).
pub(super) const AS_STORED: [&str; 13] = [
    "purpose",
    "role",
    "requester",
    "notes",
    "manual_block",
    "exception_reason",
    "version",
    "granted_method",
    "emergency_by",
    "last_reason",
    "parties",
    "extension",
    "verify_reference",
];

/// How many times of the item's life the facts hold (see [`unpack_with`]).
const LIFE_TIMES: usize = 6;

/// How many columns of [`LEAN_SQL`] the facts pack, from its second on.
pub(super) const PACKED: usize = 38;

/// The columns the facts pack, in the order [`of_columns`] numbers them (from 1):
/// columns 1 to 38 of [`LEAN_SQL`], then those of [`AS_STORED`].
pub(super) fn packed_columns() -> Vec<&'static str> {
    let select = LEAN_SQL
        .strip_prefix("SELECT ")
        .and_then(|s| s.split(" FROM ").next())
        .unwrap_or_default();
    let lean = select.split(", ").skip(1).take(PACKED);
    lean.chain(AS_STORED).collect()
}

// Bits of the flags word.
const TEMPORARY: u32 = 1;
const EMERGENCY: u32 = 1 << 1;
const PRIVILEGED: u32 = 1 << 2;
const SHARED: u32 = 1 << 3;
const CLIENT_OWNED: u32 = 1 << 4;
const ABOVE_STANDARD: u32 = 1 << 5;
const SYSTEM: u32 = 1 << 6;
const PURPOSE: u32 = 1 << 7;
const ROLE: u32 = 1 << 8;
const MANUAL_BLOCK: u32 = 1 << 9;
const EXCEPTION: u32 = 1 << 10;
const EXCEPTION_REASON: u32 = 1 << 11;

/// Packs what [`Lean::read_item`] read into `out` (cleared first): the facts but
/// their [`AS_STORED`] values, which follow.
fn pack(lean: &Lean, out: &mut Vec<u8>) {
    let it = &lean.item;
    let f = &it.fields;
    let ex = f.exception.as_deref();
    let flags = [
        (f.temporary, TEMPORARY),
        (it.emergency, EMERGENCY),
        (f.privileged, PRIVILEGED),
        (f.shared_credential, SHARED),
        (f.client_owned, CLIENT_OWNED),
        (f.above_standard, ABOVE_STANDARD),
        (!f.system.is_empty(), SYSTEM),
        (!f.purpose.is_empty(), PURPOSE),
        (!f.role.is_empty(), ROLE),
        (it.manual_block.is_some(), MANUAL_BLOCK),
        (ex.is_some(), EXCEPTION),
        (ex.is_some_and(|e| !e.reason.is_empty()), EXCEPTION_REASON),
    ]
    .into_iter()
    .fold(0u32, |acc, (on, bit)| if on { acc | bit } else { acc });
    out.clear();
    out.push(FORM);
    put_uint(out, u64::from(flags));
    put_uint(out, zigzag(it.number));
    let state = State::ALL.iter().position(|s| *s == it.state);
    out.push(state.map_or(0, |i| i as u8));
    out.push(named(f.method, Method::ALL));
    out.push(named(f.deprovision, Deprovision::ALL));
    out.push(named(it.rotation, Rotation::ALL));
    for d in [f.expires, ex.and_then(|e| e.expires), f.needed_by] {
        put_date(out, d);
    }
    let first = &mut None;
    for t in [it.updated_at, it.created_at, it.state_since] {
        put_time(out, Some(t), first);
    }
    put_time(out, it.retro_due, first);
    put_time(out, it.blocked_since, first);
    let t = &lean.timeline;
    let life: [_; LIFE_TIMES] = [
        t.submitted,
        t.approved,
        t.granted,
        t.verified,
        lean.revoked,
        lean.cancelled,
    ];
    for at in life {
        put_time(out, at, first);
    }
    match it.review {
        None => out.push(0),
        Some(ReviewMark::Pending { due }) => {
            out.push(1);
            put_date(out, due);
        }
        Some(ReviewMark::RevocationDue) => out.push(2),
    }
    put_text(out, Some(&lean.system));
    put_text(out, Some(&f.credential_owner));
    put_text(out, Some(&f.approver));
    put_text(out, f.holder.as_deref());
    put_text(out, ex.and_then(|e| e.owner.as_deref()));
    put_text(out, it.granted_by.as_deref());
    put_text(out, f.justification.as_deref());
    let delegates = rows::delegates_text(&it.delegates);
    put_text(out, (!delegates.is_empty()).then_some(delegates.as_str()));
}

/// The facts of a row whose columns of [`packed_columns`] `v` gives (from 1).
pub(super) fn of_columns<'v>(v: impl Fn(usize) -> ValueRef<'v>) -> Vec<u8> {
    thread_local! {
        // One item read a thread, reused row after row (an import writes many).
        static LEAN: std::cell::RefCell<Lean> = std::cell::RefCell::new(Lean::new());
    }
    LEAN.with_borrow_mut(|lean| {
        lean.read_item(&v);
        let mut out = Vec::with_capacity(192);
        pack(lean, &mut out);
        // The values kept as stored, after their length in bytes: the report, which
        // reads none of them, passes over them at once.
        let mut stored = Vec::with_capacity(128);
        for i in 0..AS_STORED.len() {
            put_value(&mut stored, v(PACKED + 1 + i));
        }
        put_uint(&mut out, stored.len() as u64);
        out.extend_from_slice(&stored);
        out
    })
}

/// Reads facts into `lean` as [`Lean::read_item`] reads the columns they were packed
/// from, passing over their [`AS_STORED`] values; `None` when they do not read (then
/// `lean` is left part read).
pub(super) fn unpack(b: &[u8], lean: &mut Lean) -> Option<()> {
    unpack_with(b, lean, true).map(|_| ())
}

/// [`unpack`], with the item's life (when it entered each state on its way to ready,
/// when it was revoked and cancelled) read only when `life` is set: a list of items
/// shows none of it, and six of a row's eleven times are those. Left out, those times
/// are passed over as numbers, not read as times, and `lean`'s are left as they were.
/// Returns the bytes of the [`AS_STORED`] values (see [`stored`]), not read.
fn unpack_with<'b>(b: &'b [u8], lean: &mut Lean, life: bool) -> Option<&'b [u8]> {
    let mut r = Reader::new(b, &mut lean.days);
    if r.byte()? != FORM {
        return None;
    }
    let flags = r.uint()?;
    let on = |bit: u32| flags & u64::from(bit) != 0;
    let it = &mut lean.item;
    it.number = unzigzag(r.uint()?);
    it.state = *State::ALL.get(usize::from(r.byte()?))?;
    let f = &mut it.fields;
    f.method = r.named(Method::ALL)?;
    f.deprovision = r.named(Deprovision::ALL)?;
    it.rotation = r.named(Rotation::ALL)?;
    f.expires = r.date()?;
    let exception_expires = r.date()?;
    f.needed_by = r.date()?;
    let epoch = DateTime::<Utc>::UNIX_EPOCH;
    it.updated_at = r.time()?.unwrap_or(epoch);
    it.created_at = r.time()?.unwrap_or(epoch);
    it.state_since = r.time()?.unwrap_or(epoch);
    it.retro_due = r.time()?;
    it.blocked_since = r.time()?;
    if life {
        lean.timeline = crate::domain::forecast::Timeline {
            added: Some(it.created_at),
            submitted: r.time()?,
            approved: r.time()?,
            granted: r.time()?,
            verified: r.time()?,
        };
        lean.revoked = r.time()?;
        lean.cancelled = r.time()?;
    } else {
        for _ in 0..LIFE_TIMES {
            r.pass_time()?;
        }
    }
    it.review = match r.byte()? {
        0 => None,
        1 => Some(ReviewMark::Pending { due: r.date()? }),
        2 => Some(ReviewMark::RevocationDue),
        _ => return None,
    };
    let present = |slot: &mut String, yes: bool| {
        slot.clear();
        if yes {
            slot.push('x');
        }
    };
    present(&mut f.system, on(SYSTEM));
    present(&mut f.purpose, on(PURPOSE));
    present(&mut f.role, on(ROLE));
    f.temporary = on(TEMPORARY);
    f.privileged = on(PRIVILEGED);
    f.shared_credential = on(SHARED);
    f.client_owned = on(CLIENT_OWNED);
    f.above_standard = on(ABOVE_STANDARD);
    it.emergency = on(EMERGENCY);
    it.manual_block = on(MANUAL_BLOCK).then(|| it.manual_block.take().unwrap_or_default());
    r.text_into(&mut lean.system)?;
    r.text_into(&mut f.credential_owner)?;
    r.text_into(&mut f.approver)?;
    r.opt_text_into(&mut f.holder)?;
    let owner = r.opt_text()?;
    f.exception = if on(EXCEPTION) {
        let mut e = f.exception.take().unwrap_or_default();
        present(&mut e.reason, on(EXCEPTION_REASON));
        e.owner = owner.map(str::to_string);
        e.expires = exception_expires;
        Some(e)
    } else {
        None
    };
    r.opt_text_into(&mut it.granted_by)?;
    f.justification = r.opt_text()?.map(Into::into);
    it.delegates = match r.opt_text()? {
        Some(t) => serde_json::from_str(t).ok()?,
        None => Vec::new(),
    };
    let n = usize::try_from(r.uint()?).ok()?;
    let stored = r.bytes(n)?;
    r.rest.is_empty().then_some(stored)
}

/// The values of [`AS_STORED`] that `b` holds, as [`unpack_with`] returns them;
/// `None` when they do not read.
fn stored<'b>(b: &'b [u8], days: &mut Days) -> Option<[ValueRef<'b>; AS_STORED.len()]> {
    let mut r = Reader::new(b, days);
    let mut values = [ValueRef::Null; AS_STORED.len()];
    for v in &mut values {
        *v = r.value()?;
    }
    r.rest.is_empty().then_some(values)
}

/// Reads one row of [`FACTS_SQL`], whose row id is `id`, into `lean`; `None` when its
/// facts do not read.
pub(super) fn read(r: &Row<'_>, lean: &mut Lean, id: i64) -> Option<()> {
    match r.get_ref(1) {
        Ok(ValueRef::Blob(b)) => unpack(b, lean)?,
        _ => return None,
    }
    // The round sits at 3 here, at 40 in `LEAN_SQL`.
    lean.id = id;
    lean.round = rows::int(r, 3);
    Some(())
}

/// Reads a row of [`rows::UNPACKED_COLUMNS`] into `lean.item`, the whole item as
/// [`rows::item_into`] reads its row (its approvals aside): the facts give what they
/// pack, the row's other columns the rest. `None` when the facts do not read.
pub(super) fn item_into(r: &Row<'_>, lean: &mut Lean) -> Option<()> {
    let stored = match r.get_ref(3) {
        Ok(ValueRef::Blob(b)) => stored(unpack_with(b, lean, false)?, &mut lean.days)?,
        _ => return None,
    };
    // The facts keep the system's name beside the item, which holds a stand-in.
    std::mem::swap(&mut lean.item.fields.system, &mut lean.system);
    rows::unpacked_into(r, &stored, &mut lean.item);
    Some(())
}

fn named<T: Copy + PartialEq>(x: Option<T>, all: &[T]) -> u8 {
    x.and_then(|x| all.iter().position(|a| *a == x))
        .map_or(0, |i| i as u8 + 1)
}

/// Packs again the facts of the rows of `items` that `filter` (an SQL condition over
/// `items`, with `params`) selects, and writes each row of facts with the item's
/// project and round: after a write that changed the item's row in place.
pub(super) fn refresh(tx: &Connection, filter: &str, params: impl rusqlite::Params) -> Result<()> {
    pack_rows(tx, filter, params, (SET_FACTS, true))
}

/// Packs the facts of the rows `filter` selects and writes each with `set` (`?1` the
/// facts, `?2` the row id, and where `set` has them `?3` and `?4` the project and
/// round); with `mark`, marks the page of each row stale (see [`pages`]: the
/// migrations before the pages' own write none).
fn pack_rows(
    tx: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
    (set, mark): (&str, bool),
) -> Result<()> {
    let columns = packed_columns();
    let place = columns.len() + 1;
    let sql = format!(
        "SELECT id, {}, project, round FROM items WHERE {filter}",
        columns.join(", ")
    );
    let mut stmt = tx.prepare_cached(&sql)?;
    let mut rows = stmt.query(params)?;
    let mut update = tx.prepare_cached(set)?;
    let bound = update.parameter_count();
    while let Some(r) = rows.next()? {
        let facts = of_columns(|i| rows::cell(r, i));
        let (id, project, round) = (
            rows::int(r, 0),
            rusqlite::types::ToSqlOutput::Borrowed(rows::cell(r, place)),
            rusqlite::types::ToSqlOutput::Borrowed(rows::cell(r, place + 1)),
        );
        let values: [&dyn rusqlite::ToSql; 4] = [&facts, &id, &project, &round];
        update.execute(rusqlite::params_from_iter(values.into_iter().take(bound)))?;
        if mark {
            pages::mark(tx, id)?;
        }
    }
    Ok(())
}

/// The facts of every row, packed from its columns into the items' own column, where
/// schema 20 kept them: for the migration that brings them.
pub(super) fn fill(tx: &Connection) -> Result<()> {
    pack_rows(
        tx,
        "true",
        [],
        ("UPDATE items SET facts = ?1 WHERE id = ?2", false),
    )
}

/// The facts of every row whose facts are not of this [`FORM`], packed again from
/// its columns: for the migration that brings the form (schema 21).
pub(super) fn fill_older(tx: &Connection) -> Result<()> {
    let older =
        "id IN (SELECT id FROM item_facts WHERE facts IS NULL OR substr(facts, 1, 1) <> ?1)";
    pack_rows(tx, older, [[FORM].as_slice()], (SET_FACTS, false))
}

/// The rows whose facts are not those their columns pack, or whose `item_facts` row
/// has another project or round (or is not there), each named; and each row of facts
/// with no item (`audit verify`).
pub(crate) fn mismatches(conn: &Connection) -> Result<Vec<String>> {
    if !super::indexed::has_table(conn, "item_facts")? {
        return Ok(Vec::new());
    }
    let packed = packed_columns();
    let columns: Vec<String> = packed.iter().map(|c| format!("items.{c}")).collect();
    let sql = format!(
        "SELECT items.project, items.number, item_facts.facts, {}, \
         item_facts.project IS items.project AND item_facts.round IS items.round \
         FROM items LEFT JOIN item_facts ON item_facts.id = items.id ORDER BY items.id",
        columns.join(", ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    let placed = 3 + packed.len();
    while let Some(r) = rows.next()? {
        // Column 1 here is `number`: the packed columns start at 3, and `of_columns`
        // numbers them from 1.
        let want = of_columns(|i| rows::cell(r, i + 2));
        let same = matches!(rows::cell(r, 2), ValueRef::Blob(b) if b == want.as_slice())
            && rows::int(r, placed) == 1;
        if !same {
            out.push(format!(
                "items {}-{}: its packed facts (item_facts) are not those of its row: the file was changed outside accessdesk or is damaged",
                rows::text(r, 0),
                rows::int(r, 1)
            ));
        }
    }
    out.extend(pages::mismatches(conn)?);
    let orphans = "SELECT id FROM item_facts WHERE id NOT IN (SELECT id FROM items) ORDER BY id";
    let mut stmt = conn.prepare(orphans)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        out.push(format!(
            "item_facts {}: packed facts of a row items does not hold: the file was changed outside accessdesk or is damaged",
            rows::int(r, 0)
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
