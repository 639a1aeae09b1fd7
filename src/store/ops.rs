//! The operations the CLI and the TUI call: people, projects, items, tasks, import,
//! audit. Each write loads what it needs inside its transaction, asks the domain
//! whether the change is allowed, and stores the result with its event.

use super::conn;
use super::events::{self, EVENT_COLUMNS, Event, Verification, ts};
use super::intake::{
    Admission, CheckedRow, Known, Opening, RowCheck, RowWriter, Stamp, write_alongside,
};
use super::rows::{self, ITEM_COLUMNS, PROJECT_COLUMNS};
use super::{Ctx, Error, Result, Store};
use crate::domain::blockers::{self, Reason};
use crate::domain::decide;
use crate::domain::machine::{self, Action, Transition};
use crate::domain::*;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

/// A new project, as entered.
#[derive(Debug, Clone, Default)]
pub struct NewProject {
    pub key: String,
    pub name: String,
    pub client: String,
    pub start: Option<NaiveDate>,
    pub tz: Option<String>,
    pub coordinator: Option<String>,
}

/// Which items to list.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub project: Option<String>,
    pub state: Option<State>,
    pub blocked: bool,
    /// Temporary access live or pending whose expiry falls within this many days.
    pub expiring_days: Option<i64>,
    /// Only items changed at or after this time (live updates of the TUI).
    pub updated_since: Option<DateTime<Utc>>,
}

/// An item with what is computed about it at a moment: blocker reasons and age.
#[derive(Debug, Clone)]
pub struct ItemView {
    pub item: Item,
    pub reasons: Vec<Reason>,
    pub blocked_since: Option<DateTime<Utc>>,
}

impl ItemView {
    pub fn blocking(&self) -> bool {
        !self.reasons.is_empty()
    }
}

/// Validates a project key: 2-16 letters/digits, starting with a letter, upper-cased.
pub fn normalise_key(key: &str) -> Result<String> {
    let k = key.trim().to_ascii_uppercase();
    let ok = (2..=16).contains(&k.len())
        && k.starts_with(|c: char| c.is_ascii_uppercase())
        && k.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(k)
    } else {
        Err(Error::Refused(Refusal::new(
            Rule::ValidValue,
            format!(
                "project key '{key}' must be 2-16 letters or digits starting with a letter, e.g. ACME"
            ),
        )))
    }
}

fn valid_login(login: &str) -> bool {
    !login.is_empty()
        && login.len() <= 64
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn not_found(what: &str) -> Error {
    Error::NotFound(what.to_string())
}

/// The host's time zone name, or UTC.
pub fn host_tz() -> String {
    iana_time_zone::get_timezone()
        .ok()
        .filter(|z| z.parse::<chrono_tz::Tz>().is_ok())
        .unwrap_or_else(|| "UTC".to_string())
}

pub(crate) fn load_person(conn: &Connection, login: &str) -> Result<Option<Person>> {
    Ok(conn
        .prepare_cached("SELECT login, name, roles FROM people WHERE login = ?1")?
        .query_row([login], rows::person)
        .optional()?)
}

pub(super) fn load_project(conn: &Connection, key: &str) -> Result<Project> {
    conn.prepare_cached(&format!(
        "SELECT {PROJECT_COLUMNS} FROM projects WHERE key = ?1"
    ))?
    .query_row([key.to_ascii_uppercase()], rows::project)
    .optional()?
    .ok_or_else(|| {
        not_found(&format!(
            "no project {key}; see `accessdesk report` for the projects there are"
        ))
    })
}

fn load_approvals(conn: &Connection, item: &mut Item) -> Result<()> {
    let mut stmt = conn.prepare_cached("SELECT id, login, capacity, conditions, at FROM approvals WHERE item_id = ?1 AND round = ?2 ORDER BY id")?;
    item.approvals = stmt
        .query_map(params![item.rowid, item.round], rows::approval)?
        .map(|r| r.map(|(_, a)| a))
        .collect::<rusqlite::Result<_>>()?;
    Ok(())
}

fn load_item(conn: &Connection, id: &str) -> Result<Item> {
    let (key, number) = parse_item_id(id)
        .ok_or_else(|| Error::Invalid(format!("'{id}' is not an item id; ids look like ACME-3")))?;
    let mut item = conn
        .prepare_cached(&format!(
            "SELECT {ITEM_COLUMNS} FROM items WHERE project = ?1 AND number = ?2"
        ))?
        .query_row(params![key, number], rows::item)
        .optional()?
        .ok_or_else(|| not_found(&format!("no item {id}; see `accessdesk item list`")))?;
    load_approvals(conn, &mut item)?;
    Ok(item)
}

fn bool_int(b: bool) -> i64 {
    i64::from(b)
}

pub(super) fn date_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// The statements of [`save_item`], built once (they are looked up in the statement
/// cache by their text for every item written).
pub(super) static INSERT_ITEM: LazyLock<String> = LazyLock::new(|| {
    let cols = ITEM_COLUMNS.trim_start_matches("id, ");
    let placeholders: Vec<String> = (1..=34).map(|i| format!("?{i}")).collect();
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
    format!(
        "UPDATE items SET {} WHERE id = ?35 AND version = ?36",
        sets.join(", ")
    )
});

/// The SQL and arguments reading the items a filter asks for (its date conditions are
/// applied to the rows read).
pub(super) fn items_query(filter: &ItemFilter) -> (String, Vec<String>) {
    let mut sql = format!("SELECT {ITEM_COLUMNS} FROM items");
    let mut args: Vec<String> = Vec::new();
    let mut wheres = Vec::new();
    if let Some(p) = &filter.project {
        args.push(p.to_ascii_uppercase());
        wheres.push(format!("project = ?{}", args.len()));
    }
    if let Some(s) = filter.state {
        args.push(s.as_str().to_string());
        wheres.push(format!("state = ?{}", args.len()));
    }
    if let Some(t) = filter.updated_since {
        args.push(ts(t));
        wheres.push(format!("updated_at >= ?{}", args.len()));
    }
    if filter.expiring_days.is_some() {
        wheres.push(
            "temporary = 1 AND expires IS NOT NULL AND state NOT IN ('revoked','cancelled')"
                .to_string(),
        );
    }
    if !wheres.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&wheres.join(" AND "));
    }
    // Ordered by the table's own (project, number) index, SQLite would read every
    // row for a live update; with that index kept off the ordering it reads only
    // the rows changed, from `items_updated`, and sorts those few.
    sql.push_str(if filter.updated_since.is_some() {
        " ORDER BY +project, +number"
    } else {
        " ORDER BY project, number"
    });
    (sql, args)
}

/// Counts by state for the readiness of one project (`?1`), from `items_project_state`.
pub(super) const READINESS_OF_ONE: &str = "SELECT state, count(*) FROM items WHERE project = ?1 \
     AND project IN (SELECT key FROM projects) GROUP BY state";

/// The same for all projects (`?1` null).
pub(super) const READINESS_OF_ALL: &str = "SELECT state, count(*) FROM items WHERE ?1 IS NULL \
     AND project IN (SELECT key FROM projects) GROUP BY state";

/// Writes an item's row (insert when `rowid` is 0) and returns its rowid.
pub(super) fn save_item(tx: &Connection, it: &Item) -> Result<i64> {
    if it.rowid == 0 {
        return insert_item(&mut *tx.prepare_cached(&INSERT_ITEM)?, it);
    }
    with_item_values(it, |values| {
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
        Ok(it.rowid)
    })
}

/// Inserts a new item's row with a statement of [`INSERT_ITEM`] that the caller
/// holds while it writes many, and returns the rowid.
pub(super) fn insert_item(insert: &mut rusqlite::Statement<'_>, it: &Item) -> Result<i64> {
    with_item_values(it, |values| Ok(insert.insert(values)?))
}

/// Hands the values of an item's row, in [`ITEM_COLUMNS`] order less the rowid, to `f`.
fn with_item_values<T>(
    it: &Item,
    write: impl FnOnce(&[&dyn rusqlite::ToSql]) -> Result<T>,
) -> Result<T> {
    let f = &it.fields;
    let ex = f.exception.as_ref();
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
    ];
    write(values)
}

fn insert_approval(tx: &Connection, it: &Item, a: &Approval) -> Result<()> {
    tx.prepare_cached("INSERT INTO approvals (item_id, round, login, capacity, conditions, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![it.rowid, it.round, a.login, a.capacity.as_str(), a.conditions, ts(a.at)])
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, msg) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                Error::Conflict(format!("{}: this approval was already recorded by another process ({})", it.id(), msg.unwrap_or_default()))
            }
            e => e.into(),
        })?;
    Ok(())
}

/// Checks the people an item names: its approval owner may own approvals and may
/// decide on this item, its exception owner is registered.
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

impl Store {
    // ---- people ------------------------------------------------------------------

    pub fn person(&self, login: &str) -> Result<Option<Person>> {
        load_person(&self.conn, login)
    }

    pub fn people(&self) -> Result<Vec<Person>> {
        let mut stmt = self
            .conn
            .prepare("SELECT login, name, roles FROM people ORDER BY login")?;
        Ok(stmt
            .query_map([], rows::person)?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Prepares a fresh or existing file: registers the acting account as admin and
    /// coordinator when nobody is registered yet, and shares the file with a group.
    /// Returns whether the account was registered now.
    pub fn init(&mut self, group: Option<&str>) -> Result<bool> {
        if let Some(g) = group {
            let gid = crate::identity::gid_of(g).ok_or_else(|| {
                Error::Invalid(format!("--group {g}: no such group on this host"))
            })?;
            conn::share_with_group(&self.path, gid)?;
        }
        let me = self.me.clone();
        let registered = self.write(None, None, |tx, ctx| {
            let anyone: i64 = tx.query_row("SELECT count(*) FROM people", [], |r| r.get(0))?;
            if anyone > 0 {
                return Ok(false);
            }
            let roles = [Role::Admin, Role::Coordinator];
            insert_person(tx, ctx, &me.login, &me.login, &roles)?;
            Ok(true)
        })?;
        if group.is_some() {
            conn::align_sidecars(&self.path);
        }
        Ok(registered)
    }

    /// Adds a person or changes their name and roles (admins only).
    pub fn add_person(
        &mut self,
        login: &str,
        name: Option<&str>,
        roles: &[Role],
    ) -> Result<Person> {
        if !valid_login(login) {
            return Err(Error::Refused(Refusal::new(
                Rule::ValidValue,
                format!("'{login}' is not a valid login (letters, digits, _ . -)"),
            )));
        }
        if let Some(n) = name {
            self.checked(rules::check_text("name", n, false), None, None)?;
        }
        let mine = self.my_person()?;
        let p = mine.as_ref();
        let is_admin = p.is_some_and(|p| p.has(Role::Admin));
        if !is_admin {
            return Err(Error::Refused(Refusal::new(
                Rule::RoleRequired,
                format!(
                    "only an admin adds people or changes roles; {} is not an admin (see `accessdesk people list`)",
                    self.me.login
                ),
            )));
        }
        self.write(None, None, |tx, ctx| {
            let existing = load_person(tx, login)?;
            let name = name
                .map(str::to_string)
                .or(existing.map(|p| p.name))
                .unwrap_or_else(|| login.to_string());
            insert_person(tx, ctx, login, &name, roles)?;
            Ok(Person {
                login: login.to_string(),
                name,
                roles: roles.to_vec(),
            })
        })
    }

    // ---- projects ----------------------------------------------------------------

    pub fn project(&self, key: &str) -> Result<Project> {
        load_project(&self.conn, key)
    }

    pub fn projects(&self) -> Result<Vec<Project>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {PROJECT_COLUMNS} FROM projects ORDER BY key"
        ))?;
        Ok(stmt
            .query_map([], rows::project)?
            .collect::<rusqlite::Result<_>>()?)
    }

    pub fn add_project(&mut self, p: NewProject) -> Result<Project> {
        let key = normalise_key(&p.key)?;
        for (field, v) in [("name", &p.name), ("client", &p.client)] {
            self.checked(rules::check_text(field, v, false), Some(&p.key), None)?;
            if v.trim().is_empty() {
                return Err(Error::Refused(Refusal::new(
                    Rule::RequiredFields,
                    format!("project {field} is required (--{field})"),
                )));
            }
        }
        let tz = p.tz.clone().unwrap_or_else(host_tz);
        if tz.parse::<chrono_tz::Tz>().is_err() {
            return Err(Error::Refused(Refusal::new(
                Rule::ValidValue,
                format!(
                    "--tz '{tz}' is not an IANA time zone name (e.g. Europe/Berlin, America/New_York, UTC)"
                ),
            )));
        }
        let start = p.start.ok_or_else(|| {
            Error::Refused(Refusal::new(
                Rule::RequiredFields,
                "project start is required (--start YYYY-MM-DD)",
            ))
        })?;
        let me = self.me.login.clone();
        let coordinator = p.coordinator.clone().unwrap_or(me);
        self.manage_check()?;
        self.write(Some(&key), None, |tx, ctx| {
            let exists: Option<String> = tx.query_row("SELECT key FROM projects WHERE key = ?1", [&key], |r| r.get(0)).optional()?;
            if exists.is_some() {
                return Err(Error::Refused(Refusal::new(Rule::ValidValue, format!("project {key} exists already; choose another key"))));
            }
            tx.execute(
                "INSERT INTO projects (key, name, client, start_date, tz, coordinator, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![key, p.name.trim(), p.client.trim(), date_text(Some(start)), tz, coordinator, ts(ctx.now)],
            )?;
            events::append(tx, ctx, Some(&key), None, "project-add", &json!({"name": p.name, "client": p.client, "start": start, "tz": tz, "coordinator": coordinator}))?;
            load_project(tx, &key)
        })
    }

    pub fn close_project(&mut self, key: &str) -> Result<Project> {
        self.manage_check()?;
        let key = key.to_ascii_uppercase();
        self.write(Some(&key), None, |tx, ctx| {
            let p = load_project(tx, &key)?;
            if p.closed_at.is_some() {
                return Err(Error::Refused(Refusal::new(
                    Rule::ProjectOpen,
                    format!("project {key} is already closed"),
                )));
            }
            tx.execute(
                "UPDATE projects SET closed_at = ?1 WHERE key = ?2",
                params![ts(ctx.now), key],
            )?;
            let live: i64 = tx.query_row(
                "SELECT count(*) FROM items WHERE project = ?1 AND state IN ('granted','verified')",
                [&key],
                |r| r.get(0),
            )?;
            events::append(
                tx,
                ctx,
                Some(&key),
                None,
                "project-close",
                &json!({"live_access": live}),
            )?;
            load_project(tx, &key)
        })
    }

    fn manage_check(&self) -> Result<()> {
        let me = self.my_person()?;
        require_manager(me.as_ref(), &self.me.login, "this").map(|_| ())
    }

    // ---- items -------------------------------------------------------------------

    pub fn item(&self, id: &str) -> Result<Item> {
        load_item(&self.conn, id)
    }

    /// Adds a new item in `needed`, requested by the acting account.
    pub fn add_item(&mut self, project: &str, fields: ItemFields) -> Result<Item> {
        let key = project.to_ascii_uppercase();
        let row = self.row_check(&key, false)?.check(0, fields);
        let mut added = None;
        self.insert_items(&key, [row], false, |it| added = Some(it.clone()))?;
        added.ok_or_else(|| Error::Invalid("the item was not added".to_string()))
    }

    /// How to check new items of `project` before they are written (see
    /// [`RowCheck`]), for rows read from a file when `from_file`.
    pub fn row_check(&self, project: &str, from_file: bool) -> Result<RowCheck> {
        let p = load_project(&self.conn, &project.to_ascii_uppercase())?;
        Ok(RowCheck {
            today: blockers::today(&p, self.now()),
            source: from_file.then_some("import"),
        })
    }

    /// Imports checked rows as new items in `needed`: all or nothing. `dry_run`
    /// checks everything and writes nothing.
    ///
    /// The rows may still be arriving (read and checked on another thread) while
    /// earlier ones are written. An `Err` among them ends the import: nothing is
    /// written and that error is returned.
    pub fn import_items<I>(&mut self, project: &str, rows: I, dry_run: bool) -> Result<usize>
    where
        I: IntoIterator<Item = Result<CheckedRow>>,
        I::IntoIter: Send,
    {
        let key = project.to_ascii_uppercase();
        let mut n = 0;
        if dry_run {
            let me = self.my_person()?;
            let p = load_project(&self.conn, &key)?;
            let admission = Admission::new(&p, me.as_ref(), &self.me.login, self.now())?;
            let mut known = Known::new();
            for row in rows {
                admission.admit(&self.conn, &row?, &mut known)?;
                n += 1;
            }
            return Ok(n);
        }
        self.insert_items(&key, rows, true, |_| n += 1)?;
        Ok(n)
    }

    /// Writes checked new items in one transaction, handing each to `added`. With
    /// `alongside`, the items and events are made on a second thread while this one
    /// writes those before (for an import of many rows).
    fn insert_items<I>(
        &mut self,
        key: &str,
        rows: I,
        alongside: bool,
        mut added: impl FnMut(&Item),
    ) -> Result<()>
    where
        I: IntoIterator<Item = Result<CheckedRow>>,
        I::IntoIter: Send,
    {
        let me = self.my_person()?;
        let login = self.me.login.clone();
        let key = key.to_string();
        let mut rows = rows.into_iter();
        self.write(Some(&key), None, |tx, ctx| {
            let p = load_project(tx, &key)?;
            let admission = Admission::new(&p, me.as_ref(), &login, ctx.now)?;
            let next: i64 = tx.query_row(
                "SELECT next_item FROM projects WHERE key = ?1",
                [&key],
                |r| r.get(0),
            )?;
            let mut opening = Opening {
                stamp: Stamp {
                    key: p.key.clone(),
                    at: ts(ctx.now),
                    uid: i64::from(ctx.me.uid),
                    login: login.clone(),
                },
                p,
                next,
                head: events::Head::read(tx)?,
                now: ctx.now,
                settings: ctx.settings,
            };
            let mut writer = RowWriter::new(tx, admission, &opening)?;
            if alongside {
                write_alongside(&mut rows, opening, &mut writer, &mut added)?;
            } else {
                for row in rows.by_ref() {
                    let mut row = opening.prepare(row?);
                    writer.write(&mut row)?;
                    added(&row.item);
                }
            }
            tx.execute(
                "UPDATE projects SET next_item = ?1 WHERE key = ?2",
                params![writer.next(), key],
            )?;
            Ok(())
        })
    }

    /// Edits fields of an item, refusing when `version` is not the current one.
    pub fn edit_item(&mut self, id: &str, version: i64, patch: &ItemPatch) -> Result<Item> {
        let me = self.my_person()?;
        let login = self.me.login.clone();
        let (key, _) = parse_item_id(id).unwrap_or_default();
        self.write(Some(&key), Some(id), |tx, ctx| {
            let before = load_item(tx, id)?;
            check_version(&before, version, tx)?;
            let p = load_project(tx, &before.project)?;
            let fields = patch.apply(&before.fields);
            let today = blockers::today(&p, ctx.now);
            let t = machine::edit(&before, &p, fields, me.as_ref(), &login, ctx.now, today)?;
            check_approver(tx, &t.item.fields, &before.requester)?;
            store_transition(tx, ctx, &p, &before, t)
        })
    }

    /// Makes a move on an item. With `expected_version`, a stale view is refused.
    pub fn act(
        &mut self,
        id: &str,
        action: &Action,
        expected_version: Option<i64>,
    ) -> Result<Item> {
        let me = self.my_person()?;
        let login = self.me.login.clone();
        let (key, _) = parse_item_id(id).unwrap_or_default();
        self.write(Some(&key), Some(id), |tx, ctx| {
            let before = load_item(tx, id)?;
            if let Some(v) = expected_version {
                check_version(&before, v, tx)?;
            }
            let p = load_project(tx, &before.project)?;
            let t = machine::apply(&before, &p, action, me.as_ref(), &login, ctx.now)?;
            store_transition(tx, ctx, &p, &before, t)
        })
    }

    /// Items matching `filter`, with blockers computed at the store's `now`.
    pub fn list_items(&self, filter: &ItemFilter) -> Result<Vec<ItemView>> {
        let now = self.now();
        let projects: HashMap<String, Project> = self
            .projects()?
            .into_iter()
            .map(|p| (p.key.clone(), p))
            .collect();
        let people: HashMap<String, Person> = self
            .people()?
            .into_iter()
            .map(|p| (p.login.clone(), p))
            .collect();
        let (sql, args) = items_query(filter);
        let mut stmt = self.conn.prepare(&sql)?;
        // The views are built where the rows land and filtered in place: a second
        // vector of 100,000 items next to the first would double the peak memory.
        let mut views: Vec<ItemView> = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                rows::item(r).map(|item| ItemView {
                    item,
                    reasons: Vec::new(),
                    blocked_since: None,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        self.attach_approvals(&mut views, filter.project.as_deref())?;
        views.retain_mut(|v| {
            let item = &v.item;
            let Some(p) = projects.get(&item.project) else {
                return false;
            };
            if let Some(days) = filter.expiring_days {
                let today = blockers::today(p, now);
                if item
                    .fields
                    .expires
                    .is_none_or(|e| (e - today).num_days() > days)
                {
                    return false;
                }
            }
            let a = blockers::assess(
                item,
                p,
                now,
                self.settings,
                people.get(item.fields.approver.as_str()),
            );
            if filter.blocked && a.reasons.is_empty() {
                return false;
            }
            v.blocked_since = a.since;
            v.reasons = a.reasons;
            true
        });
        if views.len() < views.capacity() / 2 {
            views.shrink_to_fit();
        }
        Ok(views)
    }

    /// Readiness of one project or of all, and how many items there are, from one
    /// aggregate over the (project, state) index: what the TUI's first frame shows
    /// before the items are loaded.
    pub fn readiness(&self, project: Option<&str>) -> Result<(blockers::Readiness, usize)> {
        let mut stmt = match project {
            Some(_) => self.conn.prepare_cached(READINESS_OF_ONE)?,
            None => self.conn.prepare_cached(READINESS_OF_ALL)?,
        };
        let mut rows = stmt.query([project.map(str::to_ascii_uppercase)])?;
        let mut r = blockers::Readiness::default();
        let mut count = 0;
        while let Some(row) = rows.next()? {
            // An unreadable state counts as needed, as in the item list.
            let state = rows::opt_text(row, 0)
                .and_then(|s| s.parse().ok())
                .unwrap_or(State::Needed);
            let n = usize::try_from(row.get::<_, i64>(1)?).unwrap_or(0);
            count += n;
            if state != State::Cancelled {
                r.required += n;
                if state == State::Verified {
                    r.ready += n;
                }
            }
        }
        Ok((r.finish(), count))
    }

    fn attach_approvals(&self, items: &mut [ItemView], project: Option<&str>) -> Result<()> {
        // Read approvals in table order and keep those of each item's current round:
        // a join back to items would seek into the items table once per approval.
        let index: HashMap<i64, usize> = items
            .iter()
            .enumerate()
            .map(|(i, v)| (v.item.rowid, i))
            .collect();
        let sql = match project {
            Some(_) => {
                "SELECT a.item_id, a.login, a.capacity, a.conditions, a.at, a.round FROM approvals a \
                        WHERE a.item_id IN (SELECT id FROM items WHERE project = ?1) ORDER BY a.id"
            }
            None => {
                "SELECT item_id, login, capacity, conditions, at, round FROM approvals WHERE ?1 IS NULL ORDER BY id"
            }
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query([project.map(|p| p.to_ascii_uppercase())])?;
        while let Some(r) = rows.next()? {
            let Some(&i) = index.get(&r.get::<_, i64>(0)?) else {
                continue;
            };
            let it = &mut items[i].item;
            if it.round == r.get::<_, i64>(5)? {
                it.approvals.push(rows::approval(r)?.1);
            }
        }
        // Most items have one or two approvals; a push reserves room for four.
        for v in items.iter_mut() {
            v.item.approvals.shrink_to_fit();
        }
        Ok(())
    }

    /// One item with its blockers now.
    pub fn item_view(&self, id: &str) -> Result<ItemView> {
        let item = self.item(id)?;
        let p = self.project(&item.project)?;
        let now = self.now();
        let approver = self.person(&item.fields.approver)?;
        let a = blockers::assess(&item, &p, now, self.settings, approver.as_ref());
        Ok(ItemView {
            item,
            reasons: a.reasons,
            blocked_since: a.since,
        })
    }

    /// The item's events, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<Event>> {
        let item = self.item(id)?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE item = ?1 ORDER BY seq"
        ))?;
        Ok(stmt
            .query_map([item.id()], events::from_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    // ---- tasks -------------------------------------------------------------------

    pub fn add_task(
        &mut self,
        project: &str,
        title: &str,
        needs: &[String],
        start: Option<NaiveDate>,
    ) -> Result<Task> {
        self.manage_check()?;
        self.checked(
            rules::check_text("title", title, false),
            Some(project),
            None,
        )?;
        if title.trim().is_empty() {
            return Err(Error::Refused(Refusal::new(
                Rule::RequiredFields,
                "task title is required (--title)",
            )));
        }
        let key = project.to_ascii_uppercase();
        self.write(Some(&key), None, |tx, ctx| {
            let p = load_project(tx, &key)?;
            if p.closed_at.is_some() {
                return Err(Error::Refused(Refusal::new(Rule::ProjectOpen, format!("project {key} is closed"))));
            }
            let mut item_ids = Vec::new();
            for id in needs {
                let it = load_item(tx, id)?;
                if it.project != key {
                    return Err(Error::Refused(Refusal::new(Rule::ValidValue, format!("--needs {id}: the item belongs to project {}, not {key}", it.project))));
                }
                item_ids.push((it.rowid, it.id()));
            }
            let number: i64 = tx.query_row("UPDATE projects SET next_task = next_task + 1 WHERE key = ?1 RETURNING next_task - 1", [&key], |r| r.get(0))?;
            tx.execute(
                "INSERT INTO tasks (project, number, title, start_date, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![key, number, title.trim(), date_text(start), ts(ctx.now)],
            )?;
            let task_id = tx.last_insert_rowid();
            for (rowid, _) in &item_ids {
                tx.execute("INSERT OR IGNORE INTO task_needs (task_id, item_id) VALUES (?1, ?2)", params![task_id, rowid])?;
            }
            let t = Task {
                rowid: task_id,
                project: key.clone(),
                number,
                title: title.trim().to_string(),
                start,
                needs: item_ids.into_iter().map(|(_, id)| id).collect(),
                created_at: ctx.now,
            };
            events::append(tx, ctx, Some(&key), None, "task-add", &json!({"task": t.id(), "title": t.title, "needs": t.needs, "start": start}))?;
            Ok(t)
        })
    }

    pub fn tasks(&self, project: Option<&str>) -> Result<Vec<Task>> {
        let mut stmt = self.conn.prepare(
            "SELECT t.id, t.project, t.number, t.title, t.start_date, t.created_at, \
                    (SELECT group_concat(i.project || '-' || i.number, ',') FROM task_needs n JOIN items i ON i.id = n.item_id WHERE n.task_id = t.id) \
             FROM tasks t WHERE ?1 IS NULL OR t.project = ?1 ORDER BY t.project, t.number",
        )?;
        let rows = stmt.query_map([project.map(|p| p.to_ascii_uppercase())], |r| {
            Ok(Task {
                rowid: r.get(0)?,
                project: rows::text(r, 1),
                number: rows::int(r, 2),
                title: rows::text(r, 3),
                start: rows::date(r, 4),
                created_at: rows::time(r, 5).unwrap_or_default(),
                needs: rows::opt_text(r, 6)
                    .map(|s| s.split(',').map(str::to_string).collect())
                    .unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn task(&self, id: &str) -> Result<Task> {
        let (key, n) = parse_task_id(id).ok_or_else(|| {
            Error::Invalid(format!(
                "'{id}' is not a task id; task ids look like ACME-T1"
            ))
        })?;
        self.tasks(Some(&key))?
            .into_iter()
            .find(|t| t.number == n)
            .ok_or_else(|| not_found(&format!("no task {id}; see `accessdesk task list`")))
    }

    // ---- audit -------------------------------------------------------------------

    pub fn verify_chain(&self) -> Result<Verification> {
        events::verify(&self.conn)
    }

    pub fn chain_reaches(&self, seq: i64, hash: &str) -> Result<bool> {
        events::reaches(&self.conn, seq, hash)
    }

    /// Events of a kind, optionally for one project (for measures).
    pub fn events_of(&self, kinds: &[&str], project: Option<&str>) -> Result<Vec<Event>> {
        let placeholders: Vec<String> = (0..kinds.len()).map(|i| format!("?{}", i + 2)).collect();
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE (?1 IS NULL OR project = ?1) AND kind IN ({}) ORDER BY seq",
            placeholders.join(", ")
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut args: Vec<Option<String>> = vec![project.map(|p| p.to_ascii_uppercase())];
        args.extend(kinds.iter().map(|k| Some(k.to_string())));
        Ok(stmt
            .query_map(rusqlite::params_from_iter(args), events::from_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Counts a refused credential (form field, import cell) without its value.
    pub fn record_unsafe_attempt(
        &mut self,
        project: Option<&str>,
        item: Option<&str>,
        attempt: &crate::domain::refusal::UnsafeAttempt,
    ) -> Result<()> {
        let payload = json!({"field": attempt.field, "detector": attempt.detector});
        self.write(project, item, |tx, ctx| {
            events::append(tx, ctx, project, item, "unsafe-attempt", &payload).map(|_| ())
        })
    }

    /// Records that a credential was offered over an unsafe channel (email, chat,
    /// form...) for an item: counted as an unsafe credential attempt.
    pub fn record_unsafe_channel(&mut self, id: &str, channel: &str, note: &str) -> Result<()> {
        let me = self.my_person()?;
        let who = machine_registered(me.as_ref(), &self.me.login)?;
        if ![Role::Coordinator, Role::Security, Role::Support]
            .iter()
            .any(|r| who.has(*r))
        {
            return Err(Error::Refused(Refusal::new(
                Rule::RoleRequired,
                format!(
                    "recording an unsafe attempt needs the role coordinator, security or support; {} has {}",
                    who.login,
                    roles_text(who)
                ),
            )));
        }
        self.checked(rules::check_text("note", note, true), None, Some(id))?;
        let item = self.item(id)?;
        let payload = json!({"channel": channel, "note": note, "field": "channel", "detector": format!("reported-{channel}")});
        let (key, iid) = (item.project.clone(), item.id());
        self.write(Some(&key), Some(&iid), |tx, ctx| {
            events::append(tx, ctx, Some(&key), Some(&iid), "unsafe-attempt", &payload).map(|_| ())
        })
    }

    /// Passes a text check's result on, counting a refused credential first (for
    /// checks made before a write transaction starts).
    fn checked(
        &mut self,
        r: Result<(), Refusal>,
        project: Option<&str>,
        item: Option<&str>,
    ) -> Result<()> {
        if let Err(refusal) = r {
            if let Some(attempt) = &refusal.unsafe_attempt {
                let project = project.map(str::to_ascii_uppercase);
                self.record_unsafe_attempt(project.as_deref(), item, attempt)?;
            }
            return Err(Error::Refused(refusal));
        }
        Ok(())
    }

    /// A warning when a group-shared file sits in a folder that is not setgid.
    pub fn shared_folder_warning(&self) -> Option<String> {
        conn::shared_folder_warning(&self.path)
    }

    /// A warning for a database any account on the host can read.
    pub fn permission_warning(&self) -> Option<String> {
        conn::world_readable_warning(&self.path)
    }

    /// Checks whether another path names the same file (used by tests and `demo`).
    pub fn is_file(&self, other: &Path) -> bool {
        self.path == other
    }
}

pub(super) fn insert_person(
    tx: &Connection,
    ctx: &Ctx,
    login: &str,
    name: &str,
    roles: &[Role],
) -> Result<()> {
    let text: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    tx.execute(
        "INSERT INTO people (login, name, roles, created_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (login) DO UPDATE SET name = excluded.name, roles = excluded.roles",
        params![login, name, text.join(","), ts(ctx.now)],
    )?;
    events::append(
        tx,
        ctx,
        None,
        None,
        "person",
        &json!({"login": login, "name": name, "roles": text}),
    )?;
    Ok(())
}

pub(super) fn machine_registered<'a>(p: Option<&'a Person>, login: &str) -> Result<&'a Person> {
    p.ok_or_else(|| {
        Error::Refused(Refusal::new(
            Rule::Registered,
            format!("the OS account '{login}' is not registered and may only read; an admin registers it with `accessdesk people add {login} --role ROLE`"),
        ))
    })
}

/// Refuses `login` unless registered with the role admin or coordinator; `doing`
/// names what needs it ("adding items").
pub(super) fn require_manager<'a>(
    me: Option<&'a Person>,
    login: &str,
    doing: &str,
) -> Result<&'a Person> {
    let p = machine_registered(me, login)?;
    if !(p.has(Role::Admin) || p.has(Role::Coordinator)) {
        return Err(Error::Refused(Refusal::new(
            Rule::RoleRequired,
            format!(
                "{doing} needs the role admin or coordinator; {} has {}",
                p.login,
                roles_text(p)
            ),
        )));
    }
    Ok(p)
}

pub(super) fn roles_text(p: &Person) -> String {
    let r: Vec<&str> = p.roles.iter().map(|r| r.as_str()).collect();
    if r.is_empty() {
        "no roles".into()
    } else {
        r.join(",")
    }
}

fn check_version(item: &Item, version: i64, tx: &Connection) -> Result<()> {
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
        "{} is at version {}, but this change was based on version {version}{by}; nothing was changed — reload it (`accessdesk item show {}`) and apply your change again",
        item.id(),
        item.version,
        item.id()
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
/// blocking spell.
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
    item.blocked_since =
        blockers::spell_after_change(Some(before), &item, p, ctx.now, ctx.settings);
    save_item(tx, &item)?;
    if let Some(a) = &new_approval {
        insert_approval(tx, &item, a)?;
    }
    events::append(
        tx,
        ctx,
        Some(&item.project),
        Some(&item.id()),
        kind,
        &payload,
    )?;
    Ok(item)
}
