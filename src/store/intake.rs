//! New items on their way in: the checks a new item's fields must pass that need
//! neither the database nor more of the clock than the day, done before the write
//! transaction, on whichever thread reads the rows.
//!
//! An import reads and checks its file on one thread while the store writes the rows
//! checked so far on another. [`CheckedRow`] carries the proof: only
//! [`RowCheck::check`] makes one, so the store never writes fields that skipped the
//! rules. What needs the database (roles, a closed project, registered approvers) is
//! checked again in the transaction, and so are the date rules when the day turned
//! meanwhile.

use super::error::{Error, Result};
use super::events::{self, Head, INSERT_EVENT, Link, NewEvent, PayloadText};
use super::records::{ItemInsert, check_approver};
use crate::domain::model::{Item, ItemFields};
use crate::domain::{Field, Person, Project, Refusal, Rule, blockers, machine, rules};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// What checking a new item's rows needs: the day in the project's zone, and where
/// the rows come from. Cheap to clone and `Send`, for a reading thread.
#[derive(Debug, Clone)]
pub struct RowCheck {
    pub(super) today: NaiveDate,
    /// The file's kind (`import`), or `None` for an item added by hand.
    pub(super) source: Option<&'static str>,
    /// The catalogue and the project's standard roles.
    pub(super) standards: std::sync::Arc<super::catalogue::Standards>,
}

/// A new item's fields, normalised and held to every rule that needs no database, and
/// the record its `item-add` event will carry.
#[derive(Debug, Clone)]
pub struct CheckedRow {
    origin: Origin,
    pub(super) fields: ItemFields,
    pub(super) payload: PayloadText,
}

/// Where a row came from, and the day its date rules were checked against.
#[derive(Debug, Clone, Copy)]
struct Origin {
    /// The line of its file (0 for an item added by hand).
    line: usize,
    source: Option<&'static str>,
    today: NaiveDate,
}

impl Origin {
    /// Names the line of the file in a refusal of a row read from one.
    fn named(self, e: Error) -> Error {
        at_line(self.source, self.line, e)
    }
}

impl CheckedRow {
    /// The line of the file the row was read from (0 for an item added by hand).
    pub fn line(&self) -> usize {
        self.origin.line
    }
}

impl RowCheck {
    /// Normalises `fields` (a privileged role flags the item; temporary access is
    /// deprovisioned on its date unless told otherwise; names are trimmed) and checks
    /// them. A refusal of a row read from a file names its `line`.
    pub fn check(&self, line: usize, mut fields: ItemFields) -> Result<CheckedRow> {
        let standard = self.standards.of(&fields.system);
        if let Err(r) = normalise_and_check(&mut fields, &standard, self.today) {
            return Err(at_line(self.source, line, Error::Refused(r)));
        }
        let mut payload = Vec::with_capacity(PAYLOAD_CAPACITY);
        serde_json::to_writer(
            &mut payload,
            &Added {
                fields: Given(&fields),
                line: self.source.map(|_| line),
                source: self.source.unwrap_or("item-add"),
                to: "needed",
            },
        )
        .map_err(|e| Error::Invalid(format!("cannot record the new item: {e}")))?;
        let payload = String::from_utf8(payload)
            .map_err(|e| Error::Invalid(format!("cannot record the new item: {e}")))?;
        Ok(CheckedRow {
            origin: Origin {
                line,
                source: self.source,
                today: self.today,
            },
            fields,
            payload: PayloadText::new(payload),
        })
    }
}

/// Rows handed from the thread that prepares them to the one that writes them.
const BATCH: usize = 256;

/// Writes `rows` as new items with their events, in the transaction `opening` was
/// read in. The rows are numbered, made into items and chained on a second thread
/// while this one writes those before; each batch written goes back to be freed on
/// the thread that made it. The first `Err` among the rows, or a refusal, ends the
/// writing with that error (the caller's transaction then rolls back).
pub(super) fn write_alongside<I>(
    rows: &mut I,
    opening: Opening,
    writer: &mut RowWriter<'_>,
    mut added: impl FnMut(&Item),
) -> Result<()>
where
    I: Iterator<Item = Result<CheckedRow>> + Send,
{
    std::thread::scope(|s| {
        let (to_writer, from_preparer) = std::sync::mpsc::sync_channel(8);
        let (to_preparer, written) = std::sync::mpsc::channel::<Vec<Result<PreparedRow>>>();
        s.spawn(move || {
            let mut opening = opening;
            let mut batch = Vec::with_capacity(BATCH);
            for row in rows {
                let failed = row.is_err();
                batch.push(row.map(|r| opening.prepare(r)));
                if batch.len() == BATCH || failed {
                    written.try_iter().for_each(drop);
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    if to_writer.send(full).is_err() || failed {
                        return;
                    }
                }
            }
            let _ = to_writer.send(batch);
        });
        for mut batch in from_preparer {
            // A refused row ends its batch, and the writing.
            let failed = batch.iter().position(Result::is_err);
            let good = failed.unwrap_or(batch.len());
            for row in batch.iter_mut().take(good).flatten() {
                writer.write(row)?;
                added(&row.item);
            }
            if let Some(i) = failed {
                batch.swap_remove(i)?;
            }
            // Gone already when the preparer has finished: the batch is freed here.
            let _ = to_preparer.send(batch);
        }
        Ok(())
    })
}

/// Writes prepared rows in their order, checking each against the people and its
/// place in the numbering and the chain.
pub(super) struct RowWriter<'tx> {
    tx: &'tx Connection,
    admission: Admission<'tx>,
    known: Known,
    /// Where the next row must stand.
    expected: Opening,
    insert_item: ItemInsert<'tx>,
    insert_event: rusqlite::CachedStatement<'tx>,
    /// The new items' counts, written by [`RowWriter::finish`].
    counted: super::counts::Tally,
}

impl<'tx> RowWriter<'tx> {
    pub(super) fn new(
        tx: &'tx Connection,
        admission: Admission<'tx>,
        opening: &Opening,
    ) -> Result<RowWriter<'tx>> {
        Ok(RowWriter {
            tx,
            admission,
            known: Known::new(),
            expected: opening.clone(),
            insert_item: ItemInsert::new(tx)?,
            insert_event: tx.prepare_cached(INSERT_EVENT)?,
            counted: Default::default(),
        })
    }

    /// Writes the counts of the items written (`store::counts`), once they all are.
    pub(super) fn finish(self) -> Result<()> {
        self.counted.write(self.tx)
    }

    /// The number the next item would get.
    pub(super) fn next(&self) -> i64 {
        self.expected.next
    }

    pub(super) fn write(&mut self, row: &mut PreparedRow) -> Result<()> {
        self.admission
            .admit_fields(self.tx, &row.item.fields, row.origin, &mut self.known)?;
        if row.item.number != self.expected.next || !row.link.follows(&mut self.expected.head) {
            return Err(Error::Invalid(format!(
                "{} was prepared out of order; nothing was written",
                row.id
            )));
        }
        self.expected.next += 1;
        row.item.rowid = self.insert_item.insert(&row.item)?;
        self.counted.add(&row.item.project, row.item.state.as_str());
        events::insert(
            &mut self.insert_event,
            &self.expected.stamp.event(&row.id, &row.payload),
            &row.link,
        )
    }
}

/// Where a write transaction starts numbering new items and chaining their events,
/// and who writes them when: all a thread needs to make checked rows into finished
/// items and events while the transaction's own thread writes the rows before.
#[derive(Clone)]
pub(super) struct Opening {
    pub(super) p: Project,
    /// The number the next item gets.
    pub(super) next: i64,
    pub(super) head: Head,
    pub(super) now: DateTime<Utc>,
    pub(super) stamp: Stamp,
    pub(super) settings: blockers::Settings,
}

/// A new item, numbered, with its `item-add` event chained: ready to be written.
pub(super) struct PreparedRow {
    origin: Origin,
    pub(super) item: Item,
    pub(super) id: String,
    pub(super) payload: PayloadText,
    pub(super) link: Link,
}

impl Opening {
    /// Makes a checked row into the next item and its event.
    pub(super) fn prepare(&mut self, row: CheckedRow) -> PreparedRow {
        let CheckedRow {
            origin,
            fields,
            payload,
        } = row;
        let mut item = Item::new(&self.p.key, self.next, fields, &self.stamp.login, self.now);
        self.next += 1;
        item.blocked_since =
            blockers::spell_after_change(None, &item, &self.p, self.now, self.settings);
        let id = item.id();
        let link = self.head.link(&self.stamp.event(&id, &payload));
        PreparedRow {
            origin,
            item,
            id,
            payload,
            link,
        }
    }
}

/// Who adds items to which project, and when, as their events record it.
#[derive(Clone)]
pub(super) struct Stamp {
    pub(super) key: String,
    /// The time as events store it.
    pub(super) at: String,
    pub(super) uid: i64,
    pub(super) login: String,
}

impl Stamp {
    /// The `item-add` event of item `id`.
    fn event<'a>(&'a self, id: &'a str, payload: &'a PayloadText) -> NewEvent<'a> {
        NewEvent {
            at: &self.at,
            uid: self.uid,
            login: &self.login,
            project: Some(&self.key),
            item: Some(id),
            kind: "item-add",
            payload,
        }
    }
}

/// Names the line of the file in a refusal of a row read from one.
fn at_line(source: Option<&str>, line: usize, e: Error) -> Error {
    if source.is_none() {
        return e;
    }
    match e {
        Error::Refused(r) => Error::Refused(r.at_line(line)),
        Error::Invalid(m) => Error::Invalid(format!("line {line}: {m}")),
        other => other,
    }
}

/// The checks of new items that need the database, made in the transaction that
/// writes them.
pub(super) struct Admission<'a> {
    requester: &'a str,
    today: NaiveDate,
}

/// Approval owners and exception owners already found fit, by requester, so that a
/// large import looks each pair up once: requester -> approver -> exception owners.
pub(super) type Known = HashMap<String, HashMap<String, HashSet<String>>>;

impl<'a> Admission<'a> {
    /// Refuses at once when `requester` may not add items, or the project is closed.
    pub(super) fn new(
        p: &Project,
        me: Option<&Person>,
        requester: &'a str,
        now: DateTime<Utc>,
    ) -> Result<Admission<'a>> {
        machine::require_manager(me, requester, "adding items")?;
        if p.closed_at.is_some() {
            return Err(Error::Refused(Refusal::new(
                Rule::ProjectOpen,
                format!("project {} is closed; it takes no new items", p.key),
            )));
        }
        Ok(Admission {
            requester,
            today: blockers::today(p, now),
        })
    }

    /// Checks a row against the people (the approval owner and the exception owner
    /// are registered, and the requester is neither), and its dates again when the
    /// day has turned since they were checked.
    pub(super) fn admit(
        &self,
        conn: &Connection,
        row: &CheckedRow,
        known: &mut Known,
    ) -> Result<()> {
        self.admit_fields(conn, &row.fields, row.origin, known)
    }

    fn admit_fields(
        &self,
        conn: &Connection,
        f: &ItemFields,
        origin: Origin,
        known: &mut Known,
    ) -> Result<()> {
        let named = |e| origin.named(e);
        let today = origin.today;
        if today != self.today {
            rules::check_fields(f, self.today, None).map_err(|r| named(Error::Refused(r)))?;
        }
        let owner = f
            .exception
            .as_ref()
            .and_then(|e| e.owner.as_deref())
            .unwrap_or_default();
        let seen = known
            .get(self.requester)
            .and_then(|a| a.get(&f.approver))
            .is_some_and(|o| o.contains(owner));
        if !seen {
            check_approver(conn, f, self.requester).map_err(named)?;
            known
                .entry(self.requester.to_string())
                .or_default()
                .entry(f.approver.clone())
                .or_default()
                .insert(owner.to_string());
        }
        Ok(())
    }
}

fn normalise_and_check(
    fields: &mut ItemFields,
    standard: &crate::domain::catalogue::Standard,
    today: NaiveDate,
) -> Result<(), Refusal> {
    crate::domain::catalogue::apply(fields, standard, None)?;
    if fields.system.trim().is_empty() {
        return Err(Refusal::new(Rule::RequiredFields, "system is required").on(Field::System));
    }
    rules::check_fields(fields, today, None)
}

/// Room for a typical `item-add` payload (about 270 bytes), so it is written into one
/// allocation.
const PAYLOAD_CAPACITY: usize = 512;

/// What an `item-add` event records: the item's first fields, where it came from
/// (and the line of its file), and its state.
#[derive(Serialize)]
struct Added<'a> {
    fields: Given<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    source: &'a str,
    to: &'static str,
}

/// The fields of a new item as its event records them: those given, each under its
/// JSON name; a field left out is empty, `false` or none. An import of 100,000 items
/// writes 100,000 of these, so the defaults are not spelled out.
struct Given<'a>(&'a ItemFields);

impl Serialize for Given<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let f = self.0;
        let mut m = s.serialize_map(None)?;
        let text = [
            ("system", Some(f.system.as_str())),
            ("purpose", Some(f.purpose.as_str())),
            ("role", Some(f.role.as_str())),
            ("holder", f.holder.as_deref()),
            ("credential_owner", Some(f.credential_owner.as_str())),
            ("approver", Some(f.approver.as_str())),
            ("notes", Some(f.notes.as_str())),
            ("justification", f.justification.as_deref()),
        ];
        for (k, v) in text {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                m.serialize_entry(k, v)?;
            }
        }
        let flags = [
            ("temporary", f.temporary),
            ("privileged", f.privileged),
            ("shared_credential", f.shared_credential),
            ("client_owned", f.client_owned),
            ("above_standard", f.above_standard),
        ];
        for (k, v) in flags {
            if v {
                m.serialize_entry(k, &true)?;
            }
        }
        if let Some(v) = f.method {
            m.serialize_entry("method", &v)?;
        }
        if let Some(v) = f.deprovision {
            m.serialize_entry("deprovision", &v)?;
        }
        let dates = [("expires", f.expires), ("needed_by", f.needed_by)];
        for (k, v) in dates {
            if let Some(v) = v {
                m.serialize_entry(k, &v)?;
            }
        }
        if let Some(v) = &f.exception {
            m.serialize_entry("exception", v)?;
        }
        m.end()
    }
}
