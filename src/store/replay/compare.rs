//! The replayed facts written out as the tables store them, column by column, and a
//! divergence between a table and the replay worded the one way every front end shows
//! it: table, key, column, both values and the last event that set it.
//!
//! Both sides are compared as stored text (integers in decimal, `NULL` as none), so a
//! value is equal exactly when the row holds what the log says was written.

use super::facts::{ApprovalFacts, ItemFacts, PersonFacts, ProjectFacts, TaskFacts};
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

/// A stored value: text, or none for `NULL`.
pub type Cell = Option<String>;

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

/// Compares a row's cells with the replayed ones, in the order of `columns`, adding a
/// divergence for each column that differs.
pub fn row(
    out: &mut Vec<Divergence>,
    table: &'static str,
    key: &str,
    columns: &[&'static str],
    stored: &[Cell],
    replayed: &[Cell],
    last_seq: Option<i64>,
) {
    for ((column, t), r) in columns.iter().zip(stored).zip(replayed) {
        if t != r {
            out.push(Divergence {
                table,
                key: key.to_string(),
                what: Difference::Value {
                    column,
                    table: t.clone(),
                    replay: r.clone(),
                },
                last_seq,
            });
        }
    }
}

fn text(s: &str) -> Cell {
    Some(s.to_string())
}

fn opt(s: &Option<String>) -> Cell {
    s.clone()
}

fn int(n: i64) -> Cell {
    Some(n.to_string())
}

fn flag(b: bool) -> Cell {
    int(i64::from(b))
}

fn date(d: Option<NaiveDate>) -> Cell {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// The columns of `people` the replay sets.
pub const PEOPLE: [&str; 3] = ["name", "roles", "created_at"];

pub fn person(p: &PersonFacts) -> [Cell; 3] {
    [text(&p.name), text(&p.roles), text(&p.created_at)]
}

/// The columns of `projects` the replay sets.
pub const PROJECTS: [&str; 9] = [
    "name",
    "client",
    "start_date",
    "tz",
    "coordinator",
    "closed_at",
    "next_item",
    "next_task",
    "created_at",
];

pub fn project(p: &ProjectFacts) -> [Cell; 9] {
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
    ]
}

/// The columns of `items` the replay sets: all but the row id, the key (project and
/// number) and `blocked_since`, which is derived from the others and the clock.
pub const ITEMS: [&str; 31] = [
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
];

pub fn item(it: &ItemFacts) -> [Cell; 31] {
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
        f.method.map(|m| m.as_str().to_string()),
        flag(f.temporary),
        date(f.expires),
        f.deprovision.map(|d| d.as_str().to_string()),
        flag(f.privileged),
        flag(f.shared_credential),
        flag(f.client_owned),
        ex.map(|e| e.reason.clone()),
        ex.and_then(|e| e.owner.clone()),
        date(ex.and_then(|e| e.expires)),
        date(f.needed_by),
        text(&f.notes),
        opt(&it.manual_block),
        text(it.state.as_str()),
        text(&it.state_since),
        text(&it.created_at),
        text(&it.updated_at),
        int(it.version),
        int(it.round),
        it.granted_method.map(|m| m.as_str().to_string()),
        flag(it.emergency),
        opt(&it.emergency_by),
        opt(&it.retro_due),
        opt(&it.last_reason),
    ]
}

/// The columns of `approvals` the replay sets, besides the item; an approval is named
/// by its item, round and capacity (one per capacity per round).
pub const APPROVALS: [&str; 3] = ["login", "conditions", "at"];

pub fn approval_key(item: &str, round: i64, capacity: &str) -> String {
    format!("{item} round {round} {capacity}")
}

pub fn approval(a: &ApprovalFacts) -> [Cell; 3] {
    [text(&a.login), opt(&a.conditions), text(&a.at)]
}

/// The columns of `tasks` the replay sets, with the items of `task_needs` as one
/// column `needs` (ids joined by commas, in order).
pub const TASKS: [&str; 4] = ["title", "start_date", "created_at", "needs"];

pub fn task(t: &TaskFacts) -> [Cell; 4] {
    let needs: Vec<&str> = t.needs.iter().map(String::as_str).collect();
    [
        text(&t.title),
        opt(&t.start_date),
        text(&t.created_at),
        text(&needs.join(",")),
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
