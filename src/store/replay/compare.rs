//! The replayed facts written out as the tables store them, column by column, and a
//! divergence between a table and the replay worded the one way every front end shows
//! it: table, key, column, both values and the last event that set it.
//!
//! Both sides are compared as stored text (integers in decimal, `NULL` as none), so a
//! value is equal exactly when the row holds what the log says was written.

use super::facts::{ApprovalFacts, ItemFacts, PersonFacts, ProjectFacts, TaskFacts};
use chrono::NaiveDate;
use rusqlite::types::ValueRef;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// A stored value: text, or none for `NULL`.
pub type Cell = Option<String>;

/// A value the replay expects, borrowed from the replayed facts where it can be: the
/// rows of 100,000 items are compared without copying their text.
pub type Want<'a> = Option<Cow<'a, str>>;

/// Whether a stored value is the expected one, read as stored text (see the header).
fn same(stored: ValueRef<'_>, want: &Want<'_>) -> bool {
    match (stored, want) {
        (ValueRef::Null, None) => true,
        (ValueRef::Text(t), Some(w)) => t == w.as_bytes(),
        // Expected numbers are written canonically, so equal numbers are equal text.
        (ValueRef::Integer(i), Some(w)) => w.parse::<i64>() == Ok(i),
        (other, Some(w)) => super::raw(other).is_some_and(|c| c == w.as_ref()),
        _ => false,
    }
}

/// Where a table and the replay disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Divergence {
    pub table: &'static str,
    /// The row as people name it: a login, a project key, `ACME-3`, `ACME-T1`.
    pub key: String,
    pub what: Difference,
    /// The last event that changed this row, when the replay knows it.
    pub last_seq: Option<i64>,
}

/// What differs in a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Difference {
    /// A column holds another value than the replay.
    Value {
        column: &'static str,
        table: Cell,
        replay: Cell,
    },
    /// The table has a row no event made.
    NotInLog,
    /// The events made a row the table does not have.
    NotInTable,
}

fn shown(c: &Cell) -> String {
    match c {
        Some(v) => format!("'{v}'"),
        None => "empty".to_string(),
    }
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: ", self.table, self.key)?;
        match &self.what {
            Difference::Value {
                column,
                table,
                replay,
            } => write!(
                f,
                "{column} is {} in the table, replay says {}",
                shown(table),
                shown(replay)
            )?,
            Difference::NotInLog => write!(f, "the row is in the table, but no event made it")?,
            Difference::NotInTable => write!(
                f,
                "the events made this row, but the table does not have it"
            )?,
        }
        if let Some(seq) = self.last_seq {
            write!(f, " (last event seq {seq})")?;
        }
        Ok(())
    }
}

/// Compares a row's stored values with the replayed ones, in the order of `columns`,
/// adding a divergence for each column that differs.
pub fn row(
    out: &mut Vec<Divergence>,
    table: &'static str,
    key: &str,
    columns: &[&'static str],
    stored: &[ValueRef<'_>],
    replayed: &[Want<'_>],
    last_seq: Option<i64>,
) {
    for ((column, t), r) in columns.iter().zip(stored).zip(replayed) {
        if !same(*t, r) {
            out.push(Divergence {
                table,
                key: key.to_string(),
                what: Difference::Value {
                    column,
                    table: super::raw(*t).map(Cow::into_owned),
                    replay: r.as_ref().map(|c| c.to_string()),
                },
                last_seq,
            });
        }
    }
}

fn text(s: &str) -> Want<'_> {
    Some(Cow::Borrowed(s))
}

fn opt(s: &Option<String>) -> Want<'_> {
    s.as_deref().map(Cow::Borrowed)
}

fn int(n: i64) -> Want<'static> {
    Some(Cow::Owned(n.to_string()))
}

fn flag(b: bool) -> Want<'static> {
    Some(Cow::Borrowed(if b { "1" } else { "0" }))
}

fn name(s: &'static str) -> Want<'static> {
    Some(Cow::Borrowed(s))
}

fn date(d: Option<NaiveDate>) -> Want<'static> {
    d.map(|d| Cow::Owned(d.format("%Y-%m-%d").to_string()))
}

/// The columns of `people` the replay sets.
pub const PEOPLE: [&str; 4] = ["name", "roles", "created_at", "active"];

pub fn person(p: &PersonFacts) -> [Want<'_>; 4] {
    [
        text(&p.name),
        text(&p.roles),
        text(&p.created_at),
        flag(p.active),
    ]
}

/// The columns of `projects` the replay sets.
pub const PROJECTS: [&str; 10] = [
    "name",
    "client",
    "start_date",
    "tz",
    "coordinator",
    "closed_at",
    "next_item",
    "next_task",
    "created_at",
    "frozen_start",
];

pub fn project(p: &ProjectFacts) -> [Want<'_>; 10] {
    [
        text(&p.name),
        text(&p.client),
        text(&p.start_date),
        text(&p.tz),
        text(&p.coordinator),
        opt(&p.closed_at),
        int(p.next_item),
        int(p.next_task),
        text(&p.created_at),
        opt(&p.frozen_start),
    ]
}

/// The columns of `items` the replay sets: all but the row id, the key (project and
/// number) and `blocked_since`, which is derived from the others and the clock.
pub const ITEMS: [&str; 40] = [
    "system",
    "purpose",
    "role",
    "holder",
    "credential_owner",
    "approver",
    "requester",
    "method",
    "temporary",
    "expires",
    "deprovision",
    "privileged",
    "shared_credential",
    "client_owned",
    "exception_reason",
    "exception_owner",
    "exception_expires",
    "needed_by",
    "notes",
    "manual_block",
    "state",
    "state_since",
    "created_at",
    "updated_at",
    "version",
    "round",
    "granted_method",
    "emergency",
    "emergency_by",
    "retro_due",
    "last_reason",
    "parties",
    "rotation",
    "review",
    "extension",
    "granted_by",
    "verify_reference",
    "delegates",
    "above_standard",
    "justification",
];

pub fn item(it: &ItemFacts) -> [Want<'_>; 40] {
    let f = &it.fields;
    let ex = f.exception.as_ref();
    [
        text(&f.system),
        text(&f.purpose),
        text(&f.role),
        opt(&f.holder),
        text(&f.credential_owner),
        text(&f.approver),
        text(&it.requester),
        f.method.map(|m| Cow::Borrowed(m.as_str())),
        flag(f.temporary),
        date(f.expires),
        f.deprovision.map(|d| Cow::Borrowed(d.as_str())),
        flag(f.privileged),
        flag(f.shared_credential),
        flag(f.client_owned),
        ex.map(|e| Cow::Borrowed(e.reason.as_str())),
        ex.and_then(|e| e.owner.as_deref()).map(Cow::Borrowed),
        date(ex.and_then(|e| e.expires)),
        date(f.needed_by),
        text(&f.notes),
        opt(&it.manual_block),
        name(it.state.as_str()),
        text(&it.state_since),
        text(&it.created_at),
        text(&it.updated_at),
        int(it.version),
        int(it.round),
        it.granted_method.map(|m| Cow::Borrowed(m.as_str())),
        flag(it.emergency),
        opt(&it.emergency_by),
        opt(&it.retro_due),
        opt(&it.last_reason),
        Some(Cow::Owned(it.parties.join(","))),
        opt(&it.rotation),
        opt(&it.review),
        it.extension.as_ref().map(|x| Cow::Owned(x.text())),
        opt(&it.routing.granted_by),
        opt(&it.routing.verify_reference),
        Some(Cow::Owned(crate::store::rows::delegates_text(
            &it.routing.delegates,
        ))),
        flag(f.above_standard),
        f.justification.as_deref().map(Cow::Borrowed),
    ]
}

/// The item's life columns (`store::life::COLUMNS`) as the whole log has them.
pub fn life(it: &ItemFacts) -> [Want<'_>; 6] {
    std::array::from_fn(|i| {
        it.life
            .as_ref()
            .and_then(|l| l.cells()[i].as_deref())
            .map(Cow::Borrowed)
    })
}

/// The columns of `approvals` the replay sets, besides the item; an approval is named
/// by its item, round and capacity (one per capacity per round).
pub const APPROVALS: [&str; 4] = ["login", "conditions", "at", "terms"];

pub fn approval_key(item: &str, round: i64, capacity: &str) -> String {
    format!("{item} round {round} {capacity}")
}

pub fn approval(a: &ApprovalFacts) -> [Want<'_>; 4] {
    [
        text(&a.login),
        opt(&a.conditions),
        text(&a.at),
        opt(&a.terms),
    ]
}

/// The columns of `tasks` the replay sets, with the items of `task_needs` as one
/// column `needs` (ids joined by commas, in order).
pub const TASKS: [&str; 6] = [
    "title",
    "start_date",
    "created_at",
    "started_on",
    "done_on",
    "needs",
];

pub fn task(t: &TaskFacts) -> [Want<'_>; 6] {
    let needs: Vec<&str> = t.needs.iter().map(String::as_str).collect();
    [
        text(&t.title),
        opt(&t.start_date),
        text(&t.created_at),
        opt(&t.started_on),
        opt(&t.done_on),
        Some(Cow::Owned(needs.join(","))),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_divergence_names_table_key_column_both_values_and_the_last_event() {
        let d = Divergence {
            table: "items",
            key: "ACME-3".into(),
            what: Difference::Value {
                column: "state",
                table: Some("approved".into()),
                replay: Some("requested".into()),
            },
            last_seq: Some(812),
        };
        assert_eq!(
            d.to_string(),
            "items ACME-3: state is 'approved' in the table, replay says 'requested' (last event seq 812)"
        );
    }
}
