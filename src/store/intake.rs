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

use super::events::PayloadText;
use super::ops::{check_approver, machine_registered, roles_text};
use super::{Error, Result};
use crate::domain::model::ItemFields;
use crate::domain::{Person, Project, Refusal, Role, Rule, blockers, rules};
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
}

/// A new item's fields, normalised and held to every rule that needs no database, and
/// the record its `item-add` event will carry.
#[derive(Debug, Clone)]
pub struct CheckedRow {
    pub(super) line: usize,
    source: Option<&'static str>,
    pub(super) fields: ItemFields,
    /// The day the date rules were checked against.
    pub(super) today: NaiveDate,
    pub(super) payload: PayloadText,
}

impl CheckedRow {
    /// The line of the file the row was read from (0 for an item added by hand).
    pub fn line(&self) -> usize {
        self.line
    }
}

impl RowCheck {
    /// Normalises `fields` (a privileged role flags the item; temporary access is
    /// deprovisioned on its date unless told otherwise; names are trimmed) and checks
    /// them. A refusal of a row read from a file names its `line`.
    pub fn check(&self, line: usize, mut fields: ItemFields) -> Result<CheckedRow> {
        if let Err(r) = normalise_and_check(&mut fields, self.today) {
            return Err(at_line(self.source, line, Error::Refused(r)));
        }
        let payload = serde_json::to_string(&Added {
            fields: Given(&fields),
            line: self.source.map(|_| line),
            source: self.source.unwrap_or("item-add"),
            to: "needed",
        })
        .map_err(|e| Error::Invalid(format!("cannot record the new item: {e}")))?;
        Ok(CheckedRow {
            line,
            source: self.source,
            fields,
            today: self.today,
            payload: PayloadText::new(payload),
        })
    }

}

/// Names the line of the file in a refusal of a row read from one.
fn at_line(source: Option<&str>, line: usize, e: Error) -> Error {
    if source.is_none() {
        return e;
    }
    match e {
        Error::Refused(mut r) => {
            r.message = format!("line {line}: {}", r.message);
            Error::Refused(r)
        }
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
        let who = machine_registered(me, requester)?;
        if !(who.has(Role::Admin) || who.has(Role::Coordinator)) {
            return Err(Error::Refused(Refusal::new(
                Rule::RoleRequired,
                format!(
                    "adding items needs the role admin or coordinator; {} has {}",
                    who.login,
                    roles_text(who)
                ),
            )));
        }
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
    /// day has turned since it was checked.
    pub(super) fn admit(&self, conn: &Connection, row: &CheckedRow, known: &mut Known) -> Result<()> {
        let named = |e| at_line(row.source, row.line, e);
        if row.today != self.today {
            rules::check_fields(&row.fields, self.today, None)
                .map_err(|r| named(Error::Refused(r)))?;
        }
        let f = &row.fields;
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

fn normalise_and_check(fields: &mut ItemFields, today: NaiveDate) -> Result<(), Refusal> {
    rules::normalise(fields);
    if fields.system.trim().is_empty() {
        return Err(Refusal::new(
            Rule::RequiredFields,
            "system is required (--system)",
        ));
    }
    rules::check_fields(fields, today, None)
}

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
            ("system", Some(&f.system)),
            ("purpose", Some(&f.purpose)),
            ("role", Some(&f.role)),
            ("holder", f.holder.as_ref()),
            ("credential_owner", Some(&f.credential_owner)),
            ("approver", Some(&f.approver)),
            ("notes", Some(&f.notes)),
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
