//! Mapping rows to domain values. Reads are forgiving: a value written behind the
//! app's back (invalid UTF-8, an unknown name, a malformed date) becomes a visible
//! placeholder or an empty value instead of an error, so one bad row never hides the
//! rest or crashes the screen.

use crate::domain::*;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Row, types::ValueRef};
use std::borrow::Cow;
use std::str::FromStr;

/// Shown where stored text could not be read.
pub const PLACEHOLDER: &str = "\u{FFFD}";

/// The columns of an item's row, in the order [`item`] reads them, as a literal that
/// statements made at compile time can take in (`concat!`).
macro_rules! item_columns {
    () => {
        "id, project, number, system, purpose, role, holder, credential_owner, approver, requester, \
    method, temporary, expires, deprovision, privileged, shared_credential, client_owned, exception_reason, exception_owner, \
    exception_expires, needed_by, notes, manual_block, state, state_since, created_at, updated_at, version, round, granted_method, \
    emergency, emergency_by, retro_due, blocked_since, last_reason, parties, rotation, review, \
    extension, granted_by, verify_reference, delegates, above_standard, justification"
    };
}
pub(crate) use item_columns;

pub(crate) const ITEM_COLUMNS: &str = item_columns!();

/// A comma-separated list of logins, held without spare room (most items have none
/// or one).
fn parties(r: &Row<'_>, i: usize) -> Vec<String> {
    let mut v = Vec::new();
    parties_into(&mut v, r, i);
    v.shrink_to_fit();
    v
}

/// [`parties`] read over `dst`, the room of its logins kept: a list that reads item
/// after item into one value allocates nothing for logins no longer than the last
/// ones.
fn parties_into(dst: &mut Vec<String>, r: &Row<'_>, i: usize) {
    parties_into_of(dst, cell(r, i));
}

/// A value as [`parties_into`] reads a column.
fn parties_into_of(dst: &mut Vec<String>, v: ValueRef<'_>) {
    let text = match v {
        ValueRef::Text(t) if !t.is_empty() => String::from_utf8_lossy(t),
        _ => {
            dst.clear();
            return;
        }
    };
    let mut n = 0;
    for login in text.split(',').filter(|l| !l.is_empty()) {
        match dst.get_mut(n) {
            Some(d) => {
                d.clear();
                d.push_str(login);
            }
            None => dst.push(login.to_string()),
        }
        n += 1;
    }
    dst.truncate(n);
}

pub(crate) fn text(r: &Row<'_>, i: usize) -> String {
    opt_text(r, i).unwrap_or_default()
}

pub(crate) fn opt_text(r: &Row<'_>, i: usize) -> Option<String> {
    str_ref(r, i).map(Cow::into_owned)
}

/// The column as [`opt_text`] reads it, borrowed from the row when it is valid UTF-8
/// text: what is only parsed or looked at is not copied first.
pub(crate) fn str_ref<'r>(r: &'r Row<'_>, i: usize) -> Option<Cow<'r, str>> {
    str_of(cell(r, i))
}

/// The column's value, read once (a column that is not there reads as null): the
/// readers below take it, so a row read column after column asks SQLite once each.
pub(crate) fn cell<'r>(r: &'r Row<'_>, i: usize) -> ValueRef<'r> {
    r.get_ref(i).unwrap_or(ValueRef::Null)
}

/// A value as [`str_ref`] reads a column.
pub(crate) fn str_of(v: ValueRef<'_>) -> Option<Cow<'_, str>> {
    match v {
        ValueRef::Null => None,
        ValueRef::Text(t) => Some(match std::str::from_utf8(t) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(t),
        }),
        ValueRef::Integer(n) => Some(Cow::Owned(n.to_string())),
        ValueRef::Real(f) => Some(Cow::Owned(f.to_string())),
        ValueRef::Blob(_) => Some(Cow::Borrowed(PLACEHOLDER)),
    }
}

pub(crate) fn int(r: &Row<'_>, i: usize) -> i64 {
    int_of(cell(r, i))
}

/// A value as [`int`] reads a column: anything but an integer is 0.
pub(crate) fn int_of(v: ValueRef<'_>) -> i64 {
    match v {
        ValueRef::Integer(n) => n,
        _ => 0,
    }
}

pub(crate) fn flag(r: &Row<'_>, i: usize) -> bool {
    int(r, i) != 0
}

pub(crate) fn date(r: &Row<'_>, i: usize) -> Option<NaiveDate> {
    date_of(cell(r, i))
}

/// A value as [`date`] reads a column: the store's own form directly, anything else
/// by the general parser.
pub(crate) fn date_of(v: ValueRef<'_>) -> Option<NaiveDate> {
    if let ValueRef::Text(t) = v
        && let Some(d) = stored_date(t)
    {
        return Some(d);
    }
    str_of(v).and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

pub(crate) fn time(r: &Row<'_>, i: usize) -> Option<DateTime<Utc>> {
    time_of(cell(r, i))
}

/// A value as [`time`] reads a column (see [`parse_at`]).
pub(crate) fn time_of(v: ValueRef<'_>) -> Option<DateTime<Utc>> {
    if let ValueRef::Text(t) = v
        && let Some(t) = stored_at(t)
    {
        return Some(t);
    }
    str_of(v).and_then(|s| parse_at(&s))
}

/// A date in the form the store writes (`2026-03-10`), read from the column's bytes
/// without the general parser; anything else (`None`) is left to it, which reads this
/// form the same way.
pub(crate) fn stored_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(
        digits(&b[0..4])? as i32,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
    )
}

/// The number the ASCII digits `b` spell (`None` for anything else).
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |v, c| {
        c.is_ascii_digit().then(|| v * 10 + u32::from(c - b'0'))
    })
}

/// A stored time: the store's own form read directly, anything else by the general
/// RFC 3339 parser. Every read of an item's times goes through here.
pub(crate) fn parse_at(s: &str) -> Option<DateTime<Utc>> {
    stored_at(s.as_bytes()).or_else(|| {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// A time in the form the store writes (`events::ts`: `2026-03-10T12:00:00.000000Z`),
/// read without the general RFC 3339 parser, which the report and the item list would
/// otherwise run a million times at 100,000 items; anything else is left to that parser.
pub(crate) fn stored_at(b: &[u8]) -> Option<DateTime<Utc>> {
    let shape = b.len() == 27
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'.'
        && b[26] == b'Z';
    if !shape {
        return None;
    }
    let num = |from: usize, to: usize| digits(&b[from..to]);
    let date = NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)?;
    let time = chrono::NaiveTime::from_hms_micro_opt(
        num(11, 13)?,
        num(14, 16)?,
        num(17, 19)?,
        num(20, 26)?,
    )?;
    Some(date.and_time(time).and_utc())
}

/// One of the named values (`domain::model::named_enum`, `all` of them): the stored
/// name matched as it is, without the copies `FromStr` makes to forgive case and
/// blanks; anything else is read as text by `FromStr` (see [`str_of`]).
pub(crate) fn named<T: Copy + FromStr>(
    r: &Row<'_>,
    i: usize,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Option<T> {
    named_of(cell(r, i), all, name)
}

/// A value as [`named`] reads a column: stored text equal to a name is that value
/// (compared as bytes: a name is valid UTF-8, so text equal to it is too).
pub(crate) fn named_of<T: Copy + FromStr>(
    v: ValueRef<'_>,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Option<T> {
    if let ValueRef::Text(t) = v
        && let Some(stored) = all.iter().copied().find(|n| name(*n).as_bytes() == t)
    {
        return Some(stored);
    }
    str_of(v).and_then(|s| s.parse().ok())
}

/// An item without its approvals (loaded separately).
pub(crate) fn item(r: &Row<'_>) -> rusqlite::Result<Item> {
    let mut it = Item::new(
        "",
        0,
        ItemFields::default(),
        "",
        DateTime::<Utc>::UNIX_EPOCH,
    );
    item_into(r, &mut it)?;
    Ok(it)
}

/// The column as text written over `dst` (its room kept: a list that reads item after
/// item into one value allocates nothing for texts no longer than the last one's).
fn set_text(dst: &mut String, r: &Row<'_>, i: usize) {
    set_text_of(dst, cell(r, i));
}

/// A value as [`set_text`] writes a column.
pub(crate) fn set_text_of(dst: &mut String, v: ValueRef<'_>) {
    dst.clear();
    if let Some(s) = str_of(v) {
        dst.push_str(&s);
    }
}

/// [`set_text`] for an optional column.
fn set_opt_text(dst: &mut Option<String>, r: &Row<'_>, i: usize) {
    set_opt_text_of(dst, cell(r, i));
}

/// A value as [`set_opt_text`] writes a column.
pub(crate) fn set_opt_text_of(dst: &mut Option<String>, v: ValueRef<'_>) {
    match (str_of(v), dst.as_mut()) {
        (None, _) => *dst = None,
        (Some(s), Some(d)) => {
            d.clear();
            d.push_str(&s);
        }
        (Some(s), None) => *dst = Some(s.into_owned()),
    }
}

/// Reads the row into `it`, as [`item`] reads it, keeping its approvals (the caller's
/// to set) and the room of its texts.
pub(crate) fn item_into(r: &Row<'_>, it: &mut Item) -> rusqlite::Result<()> {
    let epoch = DateTime::<Utc>::UNIX_EPOCH;
    it.rowid = r.get(0)?;
    set_text(&mut it.project, r, 1);
    it.number = int(r, 2);
    let f = &mut it.fields;
    set_text(&mut f.system, r, 3);
    set_text(&mut f.purpose, r, 4);
    set_text(&mut f.role, r, 5);
    set_opt_text(&mut f.holder, r, 6);
    set_text(&mut f.credential_owner, r, 7);
    set_text(&mut f.approver, r, 8);
    f.method = named(r, 10, Method::ALL, Method::as_str);
    f.temporary = flag(r, 11);
    f.expires = date(r, 12);
    f.deprovision = named(r, 13, Deprovision::ALL, Deprovision::as_str);
    f.privileged = flag(r, 14);
    f.shared_credential = flag(r, 15);
    f.client_owned = flag(r, 16);
    f.exception = opt_text(r, 17).map(|reason| {
        Box::new(Exception {
            reason,
            owner: opt_text(r, 18),
            expires: date(r, 19),
        })
    });
    f.needed_by = date(r, 20);
    set_text(&mut f.notes, r, 21);
    f.above_standard = flag(r, 42);
    f.justification = opt_text(r, 43).map(Into::into);
    set_text(&mut it.requester, r, 9);
    set_opt_text(&mut it.manual_block, r, 22);
    // An unreadable state shows as needed: it can be inspected but not mistaken for ready.
    it.state = named(r, 23, State::ALL, State::as_str).unwrap_or(State::Needed);
    it.state_since = time(r, 24).unwrap_or(epoch);
    it.created_at = time(r, 25).unwrap_or(epoch);
    it.updated_at = time(r, 26).unwrap_or(epoch);
    it.version = int(r, 27);
    it.round = int(r, 28);
    it.granted_method = named(r, 29, Method::ALL, Method::as_str);
    it.emergency = flag(r, 30);
    set_opt_text(&mut it.emergency_by, r, 31);
    it.retro_due = time(r, 32);
    it.blocked_since = time(r, 33);
    set_opt_text(&mut it.last_reason, r, 34);
    it.parties = parties(r, 35);
    it.rotation = named(r, 36, lifecycle::Rotation::ALL, lifecycle::Rotation::as_str);
    it.review = str_ref(r, 37).and_then(|s| crate::domain::review::ReviewMark::parse(&s));
    set_opt_text(&mut it.granted_by, r, 39);
    it.verify_reference = opt_text(r, 40).map(Into::into);
    it.delegates = delegates(r, 41);
    it.extension = super::extend::read(opt_text(r, 38));
    Ok(())
}

/// What a list reads of an item when every row has its packed facts
/// (`store::facts`, the row of `item_facts` beside the item's): its row id, project
/// and round, and the facts, which hold the rest of what the item is read from (see
/// [`unpacked_into`]).
pub(crate) const UNPACKED_COLUMNS: &str = "id, project, round, facts";

/// Reads into `it` the row id, project and round of a row of [`UNPACKED_COLUMNS`],
/// and what [`item_into`] reads from the columns the facts keep as stored, from
/// their values (`stored`, in the order of `store::facts::AS_STORED`, whose length
/// the caller's array must have), by the same readers. The facts' other part is the caller's; the exception's reason goes to
/// the exception the facts have set, if any.
pub(crate) fn unpacked_into(r: &Row<'_>, stored: &[ValueRef<'_>; 13], it: &mut Item) {
    let [
        purpose,
        role,
        requester,
        notes,
        manual_block,
        exception_reason,
        version,
        granted_method,
        emergency_by,
        last_reason,
        parties,
        extension,
        verify_reference,
    ] = *stored;
    it.rowid = int(r, 0);
    set_text(&mut it.project, r, 1);
    it.round = int(r, 2);
    let f = &mut it.fields;
    set_text_of(&mut f.purpose, purpose);
    set_text_of(&mut f.role, role);
    set_text_of(&mut it.requester, requester);
    set_text_of(&mut it.fields.notes, notes);
    set_opt_text_of(&mut it.manual_block, manual_block);
    if let Some(e) = it.fields.exception.as_mut() {
        set_text_of(&mut e.reason, exception_reason);
    }
    it.version = int_of(version);
    it.granted_method = named_of(granted_method, Method::ALL, Method::as_str);
    set_opt_text_of(&mut it.emergency_by, emergency_by);
    set_opt_text_of(&mut it.last_reason, last_reason);
    parties_into_of(&mut it.parties, parties);
    it.extension = super::extend::read(str_of(extension).map(Cow::into_owned));
    it.verify_reference = str_of(verify_reference).map(|s| s.into_owned().into());
}

pub(crate) fn project(r: &Row<'_>) -> rusqlite::Result<Project> {
    Ok(Project {
        key: text(r, 0),
        name: text(r, 1),
        client: text(r, 2),
        start: date(r, 3).unwrap_or_default(),
        tz: text(r, 4),
        coordinator: text(r, 5),
        closed_at: time(r, 6),
        reviewed: flag(r, 7),
        review_started: time(r, 8),
    })
}

/// The columns of a project, whether it has had an access review (which the
/// credential owner's instruction mentions) and when the latest one started (which a
/// nudge for an undecided access gives as its start).
pub(crate) const PROJECT_COLUMNS: &str = "key, name, client, start_date, tz, coordinator, closed_at, \
    EXISTS (SELECT 1 FROM review_campaigns WHERE review_campaigns.project = projects.key), \
    (SELECT max(started_at) FROM review_campaigns WHERE review_campaigns.project = projects.key)";

/// The pending decisions handed on, stored as JSON ('' when none).
fn delegates(r: &Row<'_>, i: usize) -> Vec<crate::domain::routing::Delegate> {
    match r.get_ref(i) {
        Ok(ValueRef::Text(t)) if !t.is_empty() => serde_json::from_slice(t).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The columns [`person`] reads.
pub(crate) const PERSON_COLUMNS: &str = "login, name, roles, active";

pub(crate) fn person(r: &Row<'_>) -> rusqlite::Result<Person> {
    Ok(Person {
        login: text(r, 0),
        name: text(r, 1),
        roles: text(r, 2)
            .split(',')
            .filter_map(|s| s.parse().ok())
            .collect(),
        active: r.get::<_, Option<i64>>(3).ok().flatten() != Some(0),
    })
}

pub(crate) fn approval(r: &Row<'_>) -> rusqlite::Result<(i64, Approval)> {
    let (item_id, login, a) = approval_with(r, str::to_string)?;
    Ok((item_id, Approval { login, ..a }))
}

/// An approval's row as [`approval`] reads it, its login handed to `login` as text
/// borrowed from the row (a caller that keeps each login once copies none); the
/// approval's own login is left empty.
pub(crate) fn approval_with<L>(
    r: &Row<'_>,
    login: impl FnOnce(&str) -> L,
) -> rusqlite::Result<(i64, L, Approval)> {
    let who = login(str_ref(r, 1).as_deref().unwrap_or(""));
    Ok((
        r.get(0)?,
        who,
        Approval {
            login: String::new(),
            capacity: named(r, 2, Capacity::ALL, Capacity::as_str).unwrap_or(Capacity::Owner),
            conditions: opt_text(r, 3),
            at: time(r, 4).unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
            // Column 6 (5 is the round): the structured conditions, as JSON.
            terms: str_ref(r, 6).and_then(|t| serde_json::from_str(&t).ok()),
        },
    ))
}

/// The pending decisions handed on, as stored: JSON, '' when none.
pub(crate) fn delegates_text(d: &[crate::domain::routing::Delegate]) -> String {
    if d.is_empty() {
        String::new()
    } else {
        serde_json::to_string(d).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_time_reads_as_the_general_parser_reads_it() {
        for s in [
            "2026-03-10T12:00:00.000000Z",
            "1999-12-31T23:59:59.999999Z",
            "2024-02-29T00:00:00.000001Z",
        ] {
            let general = DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
            assert_eq!(stored_at(s.as_bytes()), Some(general), "{s}");
            assert_eq!(parse_at(s), Some(general), "{s}");
        }
        // Other shapes go to the general parser; nonsense is nothing.
        assert_eq!(stored_at(b"2026-03-10T12:00:00Z"), None);
        assert!(parse_at("2026-03-10T12:00:00+01:00").is_some());
        assert_eq!(parse_at("2026-02-30T12:00:00.000000Z"), None);
        assert_eq!(parse_at("2026-03-10T12:00:00.00000xZ"), None);
    }

    proptest::proptest! {
        /// Any time of the stored shape, its fields in or just past their ranges and
        /// now and then one byte changed to anything: read as RFC 3339 reads it (a
        /// leap second, which the shortcut leaves to the general parser, by
        /// `parse_at`).
        #[test]
        fn a_stored_time_of_any_fields_reads_as_the_general_parser_reads_it(
            date in (0u32..=9999, 0u32..=13, 0u32..=32),
            time in (0u32..=24, 0u32..=60, 0u32..=60, 0u32..=999_999),
            changed in proptest::option::of((0usize..27, proptest::prelude::any::<u8>())),
        ) {
            let ((y, mo, d), (h, mi, s, micro)) = (date, time);
            let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{micro:06}Z");
            let mut b = text.into_bytes();
            if let Some((at, byte)) = changed {
                b[at] = byte;
            }
            let general = std::str::from_utf8(&b)
                .ok()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc));
            match stored_at(&b) {
                Some(t) => proptest::prop_assert_eq!(Some(t), general),
                None => {
                    // Left to the general parser, which reads it as RFC 3339 does...
                    let t = std::str::from_utf8(&b).ok().and_then(parse_at);
                    proptest::prop_assert_eq!(t, general);
                    // ...and only when it is not of the store's own form: a leap
                    // second, or other punctuation (RFC 3339 also takes a space or a
                    // `t` for the `T`, a `z` for the `Z`).
                    let punctuation = [
                        (4, b'-'),
                        (7, b'-'),
                        (10, b'T'),
                        (13, b':'),
                        (16, b':'),
                        (19, b'.'),
                        (26, b'Z'),
                    ];
                    let own_form = punctuation.iter().all(|&(i, c)| b[i] == c);
                    proptest::prop_assert!(
                        general.is_none() || !own_form || b[17..19] == *b"60",
                        "{:?} is of the store's form and valid, but not read directly",
                        String::from_utf8_lossy(&b)
                    );
                }
            }
        }
    }

    #[test]
    fn a_stored_date_reads_as_the_general_parser_reads_it() {
        let general = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        for s in ["2026-03-10", "2024-02-29", "0001-01-01", "9999-12-31"] {
            assert!(general(s).is_some(), "{s}");
            assert_eq!(stored_date(s.as_bytes()), general(s), "{s}");
        }
        // Impossible days are nothing either way; other shapes go to the general
        // parser.
        for s in ["2026-02-30", "2026-13-01", "2026-00-10"] {
            assert_eq!((stored_date(s.as_bytes()), general(s)), (None, None), "{s}");
        }
        for s in [
            "2026-3-10",
            "2026-03-10 ",
            "+2026-03-10",
            "2026/03/10",
            "20260310xx",
        ] {
            assert_eq!(stored_date(s.as_bytes()), None, "{s}");
        }
    }
}
