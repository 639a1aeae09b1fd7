//! The rows shared by every write path — adding by hand, importing, bulk loading —
//! and by the report: loading people, projects and items inside a transaction, writing
//! an item's row and its approvals, and storing an accepted transition with its event.
//! Kept apart from the operations so that `intake`, `bulk` and the operations all
//! depend on it and none on another.

use super::error::{Error, Result};
use super::events::{self, ts};
use super::handle::Ctx;
use super::rows::{self, ITEM_COLUMNS, PROJECT_COLUMNS};
use crate::domain::blockers;
use crate::domain::decide;
use crate::domain::machine::Transition;
use crate::domain::*;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;
use std::sync::LazyLock;

pub(super) fn not_found(what: &str) -> Error {
    Error::NotFound(what.to_string())
}

pub(super) fn load_person(conn: &Connection, login: &str) -> Result<Option<Person>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {} FROM people WHERE login = ?1",
            rows::PERSON_COLUMNS
        ))?
        .query_row([login], rows::person)
        .optional()?)
}

pub(super) fn load_project(conn: &Connection, key: &str) -> Result<Project> {
    find_project(conn, &key.to_ascii_uppercase())?
        .ok_or_else(|| not_found(&format!("no project {key}")))
}

/// The project whose key is exactly `key`, if there is one.
pub(super) fn find_project(conn: &Connection, key: &str) -> Result<Option<Project>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {PROJECT_COLUMNS} FROM projects WHERE key = ?1"
        ))?
        .query_row([key], rows::project)
        .optional()?)
}

/// The approvals of one item's round (`?1` its row id, `?2` the round), in the order
/// given, through the index of `UNIQUE (item_id, round, login)`.
pub(super) const APPROVALS_OF_ONE: &str = "SELECT item_id, login, capacity, conditions, at, round, terms \
     FROM approvals WHERE item_id = ?1 AND round = ?2 ORDER BY id";

/// Adds to `out` the approvals given in round `round` on the item of row `row`, in
/// the order given.
pub(in crate::store) fn approvals_of_round(
    conn: &rusqlite::Connection,
    (row, round): (i64, i64),
    out: &mut Vec<Approval>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(APPROVALS_OF_ONE)?;
    let mut rows = stmt.query([row, round])?;
    while let Some(r) = rows.next()? {
        out.push(rows::approval(r)?.1);
    }
    Ok(())
}

fn load_approvals(conn: &Connection, item: &mut Item) -> Result<()> {
    item.approvals.clear();
    approvals_of_round(conn, (item.rowid, item.round), &mut item.approvals)
}

pub(super) fn load_item(conn: &Connection, id: &str) -> Result<Item> {
    let (key, number) = parse_item_id(id).ok_or_else(|| {
        Error::Invalid(format!(
            "{} is not an item id; ids look like ACME-3",
            crate::domain::text::masked(id)
        ))
    })?;
    let mut item = conn
        .prepare_cached(&format!(
            "SELECT {ITEM_COLUMNS} FROM items WHERE project = ?1 AND number = ?2"
        ))?
        .query_row(params![key, number], rows::item)
        .optional()?
        .ok_or_else(|| not_found(&format!("no item {id}")))?;
    load_approvals(conn, &mut item)?;
    Ok(item)
}

fn bool_int(b: bool) -> i64 {
    i64::from(b)
}

pub(super) fn date_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// The statements of [`add_item`] and [`update_item`], built once (they are looked up in the statement
/// cache by their text for every item written).
static INSERT_ITEM: LazyLock<String> = LazyLock::new(|| {
    let cols = ITEM_COLUMNS.trim_start_matches("id, ");
    let n = cols.split(", ").count();
    let placeholders: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO items ({cols}) VALUES ({})",
        placeholders.join(", ")
    )
});

static UPDATE_ITEM: LazyLock<String> = LazyLock::new(|| {
    let cols = ITEM_COLUMNS.trim_start_matches("id, ");
    let sets: Vec<String> = cols
        .split(", ")
        .enumerate()
        .map(|(i, c)| format!("{} = ?{}", c.trim(), i + 1))
        .collect();
    let n = sets.len();
    format!(
        "UPDATE items SET {} WHERE id = ?{} AND version = ?{}",
        sets.join(", "),
        n + 1,
        n + 2
    )
});

/// Inserts a new item's row, counted among the items of its project and state
/// (`store::counts`), and returns its rowid.
pub(super) fn add_item(tx: &Connection, it: &Item) -> Result<i64> {
    let rowid = ItemInsert::new(tx)?.insert(it)?;
    super::counts::add(tx, &it.project, it.state.as_str(), 1)?;
    Ok(rowid)
}

/// Writes an item's row over the one `before` was read from (refused as a conflict
/// when someone changed it meanwhile), its count moved when its state moved, its facts
/// packed again from the row written (`store::facts`: they hold its life too, which
/// the item does not carry).
fn update_item(tx: &Connection, it: &Item, before: &Item) -> Result<()> {
    with_item_values(it, false, |values| {
        let n = tx
            .prepare_cached(&UPDATE_ITEM)?
            .execute(rusqlite::params_from_iter(values.iter().copied().chain([
                &it.rowid as &dyn rusqlite::ToSql,
                &(it.version - 1) as &dyn rusqlite::ToSql,
            ])))?;
        if n != 1 {
            return Err(Error::Conflict(format!(
                "{} was changed by someone else meanwhile; reload and try again",
                it.id()
            )));
        }
        super::facts::refresh(tx, "id = ?1", [it.rowid])?;
        let was = (before.project.as_str(), before.state.as_str());
        super::counts::moved(tx, was, (&it.project, it.state.as_str()))
    })
}

/// The statements that write a new item's row and its row of facts (`store::facts`),
/// held by a caller that writes many.
pub(super) struct ItemInsert<'c> {
    row: rusqlite::CachedStatement<'c>,
    facts: rusqlite::CachedStatement<'c>,
    /// Marks the page of the new row of facts stale (`facts::pages`), once a page: new
    /// rows come in order.
    stale: rusqlite::CachedStatement<'c>,
    marked: Option<i64>,
}

impl<'c> ItemInsert<'c> {
    pub(super) fn new(tx: &'c Connection) -> Result<ItemInsert<'c>> {
        Ok(ItemInsert {
            row: tx.prepare_cached(&INSERT_ITEM)?,
            facts: tx.prepare_cached(super::facts::ADD_FACTS)?,
            stale: tx.prepare_cached(super::facts::pages::MARK)?,
            marked: None,
        })
    }

    /// Inserts the item's row and its facts; returns the rowid.
    pub(super) fn insert(&mut self, it: &Item) -> Result<i64> {
        with_item_values(it, true, |values| {
            let (facts, row) = values
                .split_last()
                .expect("the facts follow the row's values");
            let rowid = self.row.insert(row)?;
            self.facts
                .execute(rusqlite::params![rowid, it.project, it.round, *facts])?;
            let page = super::facts::pages::page_of(rowid);
            if self.marked != Some(page) {
                self.stale.execute([page])?;
                self.marked = Some(page);
            }
            Ok(rowid)
        })
    }
}

/// Where each column the facts pack (`store::facts`) is among the values that
/// [`with_item_values`] hands on, by its place in the facts' numbering (from 1); none
/// for the item's life (`store::life`), which a new row does not have.
static PACKED_VALUES: LazyLock<Vec<Option<usize>>> = LazyLock::new(|| {
    let cols: Vec<&str> = ITEM_COLUMNS
        .trim_start_matches("id, ")
        .split(", ")
        .collect();
    let place = |c: &str| cols.iter().position(|x| x.trim() == c);
    std::iter::once(None)
        .chain(super::facts::packed_columns().into_iter().map(|c| {
            let found = place(c);
            assert!(
                found.is_some() || super::life::COLUMNS.contains(&c),
                "the facts pack {c}, which an item's row lacks"
            );
            found
        }))
        .collect()
});

/// Hands the values of an item's row, in [`ITEM_COLUMNS`] order less the rowid, to
/// `f`; with `pack`, then the facts of the new row they make (`store::facts`, packed
/// from those values: a new row has no life yet).
fn with_item_values<T>(
    it: &Item,
    pack: bool,
    write: impl FnOnce(&[&dyn rusqlite::ToSql]) -> Result<T>,
) -> Result<T> {
    let f = &it.fields;
    let ex = f.exception.as_ref();
    let parties = it.parties.join(",");
    let review = it.review.map(|m| m.stored());
    let extension = super::extend::column(it.extension.as_deref());
    let delegates = rows::delegates_text(&it.delegates);
    // A new item's times are all one instant: written out once.
    let updated = ts(it.updated_at);
    let stamp = |t: DateTime<Utc>| {
        if t == it.updated_at {
            std::borrow::Cow::Borrowed(updated.as_str())
        } else {
            std::borrow::Cow::Owned(ts(t))
        }
    };
    let values = params![
        it.project,
        it.number,
        f.system,
        f.purpose,
        f.role,
        f.holder,
        f.credential_owner,
        f.approver,
        it.requester,
        f.method.map(|m| m.as_str()),
        bool_int(f.temporary),
        date_text(f.expires),
        f.deprovision.map(|d| d.as_str()),
        bool_int(f.privileged),
        bool_int(f.shared_credential),
        bool_int(f.client_owned),
        ex.map(|e| e.reason.as_str()),
        ex.and_then(|e| e.owner.as_deref()),
        date_text(ex.and_then(|e| e.expires)),
        date_text(f.needed_by),
        f.notes,
        it.manual_block,
        it.state.as_str(),
        stamp(it.state_since),
        stamp(it.created_at),
        updated,
        it.version,
        it.round,
        it.granted_method.map(|m| m.as_str()),
        bool_int(it.emergency),
        it.emergency_by,
        it.retro_due.map(ts),
        it.blocked_since.map(stamp),
        it.last_reason,
        parties,
        it.rotation.map(|r| r.as_str()),
        review,
        extension,
        it.granted_by,
        it.verify_reference,
        delegates,
        bool_int(f.above_standard),
        f.justification,
    ];
    if !pack {
        return write(values);
    }
    let outputs = values
        .iter()
        .map(|v| v.to_sql())
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let value = |i: usize| match PACKED_VALUES[i].map(|i| &outputs[i]) {
        Some(rusqlite::types::ToSqlOutput::Borrowed(v)) => *v,
        Some(rusqlite::types::ToSqlOutput::Owned(v)) => v.into(),
        _ => rusqlite::types::ValueRef::Null,
    };
    let facts = super::facts::of_columns(value);
    let mut all: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(values.len() + 1);
    all.extend_from_slice(values);
    all.push(&facts);
    write(&all)
}

fn insert_approval(tx: &Connection, it: &Item, a: &Approval) -> Result<()> {
    let terms = a
        .terms
        .as_ref()
        .map(|t| serde_json::to_string(t).unwrap_or_default());
    tx.prepare_cached("INSERT INTO approvals (item_id, round, login, capacity, conditions, at, terms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
        .execute(params![it.rowid, it.round, a.login, a.capacity.as_str(), a.conditions, ts(a.at), terms])
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, msg) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                Error::Conflict(format!("{}: this approval was already recorded by another process ({})", it.id(), msg.unwrap_or_default()))
            }
            e => e.into(),
        })?;
    Ok(())
}

/// Checks the people an item names: its approval owner may own approvals and may
/// decide on this item, its exception owner is registered. The rule is the domain's
/// ([`decide::check_named_people`]); this only looks the people up.
pub(super) fn check_approver(conn: &Connection, f: &ItemFields, requester: &str) -> Result<()> {
    let approver = match f.approver.trim() {
        "" => None,
        login => load_person(conn, login)?,
    };
    let owner = match f.exception.as_ref().and_then(|e| e.owner.as_deref()) {
        Some(o) if !o.trim().is_empty() => load_person(conn, o.trim())?,
        _ => None,
    };
    decide::check_named_people(f, requester, approver.as_ref(), owner.as_ref())?;
    Ok(())
}

pub(super) fn insert_person(
    tx: &Connection,
    ctx: &Ctx,
    login: &str,
    name: &str,
    roles: &[Role],
) -> Result<()> {
    let text: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    // The values this event replaces, so the log says what changed as well as what is.
    let before: Option<(String, String)> = tx
        .prepare_cached("SELECT name, roles FROM people WHERE login = ?1")?
        .query_row([login], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let mut fields = serde_json::Map::new();
    let (old_name, old_roles) = match &before {
        Some((n, r)) => (
            json!(n),
            json!(r.split(',').filter(|s| !s.is_empty()).collect::<Vec<_>>()),
        ),
        None => (serde_json::Value::Null, serde_json::Value::Null),
    };
    if old_name != json!(name) {
        fields.insert("name".into(), json!([old_name, name]));
    }
    if old_roles != json!(text) {
        fields.insert("roles".into(), json!([old_roles, text]));
    }
    tx.execute(
        "INSERT INTO people (login, name, roles, created_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (login) DO UPDATE SET name = excluded.name, roles = excluded.roles, active = 1",
        params![login, name, text.join(","), ts(ctx.now)],
    )?;
    events::append(
        tx,
        ctx,
        None,
        None,
        "person",
        &json!({"login": login, "name": name, "roles": text, "fields": fields}),
    )?;
    Ok(())
}

pub(super) fn check_version(item: &Item, version: i64, tx: &Connection) -> Result<()> {
    if item.version == version {
        return Ok(());
    }
    let last: Option<(String, String, String)> = tx
        .query_row(
            "SELECT login, kind, at FROM events WHERE item = ?1 ORDER BY seq DESC LIMIT 1",
            [item.id()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let by = last
        .map(|(l, k, at)| format!(" (last change: {k} by {l} at {at})"))
        .unwrap_or_default();
    Err(Error::Conflict(format!(
        "{} is at version {}, but this change was based on version {version}{by}; nothing was changed — reload it and apply your change again",
        item.id(),
        item.version,
    )))
}

/// A new item in `needed`, requested by `requester`.
pub(super) fn new_item(
    key: &str,
    number: i64,
    fields: ItemFields,
    requester: &str,
    now: DateTime<Utc>,
) -> Item {
    Item::new(key, number, fields, requester, now)
}

/// Stores an accepted transition: the item row, a new approval, the event, and the
/// blocking spell (kept when the transition ended it).
pub(super) fn store_transition(
    tx: &Connection,
    ctx: &Ctx,
    p: &Project,
    before: &Item,
    t: Transition,
) -> Result<Item> {
    let Transition {
        mut item,
        new_approval,
        kind,
        payload,
    } = t;
    let ended = super::spells::ended(before, &item, p, ctx);
    item.blocked_since =
        blockers::spell_after_change(Some(before), &item, p, ctx.now, ctx.settings);
    update_item(tx, &item, before)?;
    if let Some(a) = &new_approval {
        insert_approval(tx, &item, a)?;
    }
    super::spells::append(tx, ctx, (&item, before.rowid), kind, payload, ended)?;
    Ok(item)
}
