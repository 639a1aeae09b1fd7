//! Routing writes: handing a pending decision to someone else, and deactivating a
//! person who leaves. The rules are the domain's (`domain::routing`); this loads the
//! people and the item inside the write and stores the result with its event.

use super::error::{Error, Result};
use super::events;
use super::handle::Store;
use super::policy;
use super::records::{load_item, load_person, load_project, not_found, store_transition};
use super::rows::{self, ITEM_COLUMNS};
use crate::domain::routing::{self, owner_decider};
use crate::domain::*;
use rusqlite::{Connection, params};
use serde_json::json;

/// What a deactivation leaves to do: live access the person holds or owns, and the
/// pending decisions that sit with them (they block until handed on).
#[derive(Debug, Clone, Default)]
pub struct Departure {
    pub person: Option<Person>,
    pub access: Vec<Item>,
    pub decisions: Vec<Item>,
}

/// Everyone registered, by login.
pub(super) fn everyone(conn: &Connection) -> Result<Vec<Person>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM people ORDER BY login",
        rows::PERSON_COLUMNS
    ))?;
    Ok(stmt
        .query_map([], rows::person)?
        .collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Hands one pending decision on `id` to `to` (see [`routing::delegate`]).
    pub fn delegate(&mut self, id: &str, to: &str, reason: &str) -> Result<Item> {
        let me = self.my_person()?;
        let login = self.me.login.clone();
        self.checked(rules::check_text("reason", reason, true), None, Some(id))?;
        let (key, _) = parse_item_id(id).unwrap_or_default();
        self.write(Some(&key), Some(id), |tx, ctx| {
            let before = load_item(tx, id)?;
            let p = load_project(tx, &before.project)?;
            let people = everyone(tx)?;
            let t = routing::delegate(
                &before,
                &p,
                me.as_ref(),
                &login,
                to,
                reason,
                &people,
                ctx.now,
            )?;
            store_transition(tx, ctx, &p, &before, t)
        })
    }

    /// Deactivates a person (admins only): they keep their name in history but can no
    /// longer act. The last active admin stays. Returns what they leave behind.
    pub fn deactivate_person(&mut self, login: &str) -> Result<Departure> {
        let mine = self.my_person()?;
        policy::require_admin(mine.as_ref(), &self.me.login)?;
        let login = login.trim().to_string();
        self.write(None, None, |tx, ctx| {
            let person = load_person(tx, &login)?
                .ok_or_else(|| not_found(&format!("no person {login}")))?;
            if !person.active {
                return Err(Error::Refused(Refusal::new(
                    Rule::ActivePerson,
                    format!("{login} is already deactivated"),
                )));
            }
            if person.has(Role::Admin) {
                let admins: i64 = tx.query_row(
                    "SELECT count(*) FROM people WHERE active = 1 AND ',' || roles || ',' LIKE '%,admin,%'",
                    [],
                    |r| r.get(0),
                )?;
                policy::keeps_an_admin(&login, admins)?;
            }
            tx.execute("UPDATE people SET active = 0 WHERE login = ?1", [&login])?;
            events::append(
                tx,
                ctx,
                None,
                None,
                "person-deactivate",
                &json!({ "login": login }),
            )?;
            let mut out = departure(tx, &person)?;
            out.person = Some(Person {
                active: false,
                ..person
            });
            Ok(out)
        })
    }
}

/// Live access `p` holds or whose credential they own, and the requested items whose
/// owner decision or a handed security decision is with them.
fn departure(conn: &Connection, p: &Person) -> Result<Departure> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {ITEM_COLUMNS} FROM items WHERE state IN ('granted', 'verified', 'requested') ORDER BY project, number"
    ))?;
    let items: Vec<Item> = stmt
        .query_map(params![], rows::item)?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Departure::default();
    for it in items {
        if it.state == State::Requested {
            let it = load_item(conn, &it.id())?;
            let waits = (it.missing_approvals().contains(&Capacity::Owner)
                && owner_decider(&it) == p.login)
                || routing::security_delegates(&it).contains(&p.login.as_str());
            if waits {
                out.decisions.push(it);
            }
        } else {
            let f = &it.fields;
            let holds = f.holder.as_deref().is_some_and(|h| p.is_named_by(h));
            if holds || p.is_named_by(&f.credential_owner) {
                out.access.push(it);
            }
        }
    }
    Ok(out)
}

/// The approvals given on requested items of one project (`?1`) or of all, whose row
/// ids fall from `?2` to `?3`: the requested items come from the (project, state)
/// index, sought project by project and within it by row id (a scan of the whole index
/// and a list of the ids took twice as long); their approvals from theirs: no item row
/// is read. Items of a project nobody registered are left out, as the report leaves
/// them.
pub(super) const REQUESTED_APPROVALS_SQL: &str = "SELECT a.id, a.login, a.capacity, a.conditions, a.at, a.round, a.terms, a.item_id \
     FROM projects p CROSS JOIN items i ON i.project = p.key AND i.state = 'requested' \
     AND i.id BETWEEN ?2 AND ?3 CROSS JOIN approvals a ON a.item_id = i.id \
     WHERE ?1 IS NULL OR p.key = ?1 ORDER BY a.id";

/// The approvals given on requested items whose row ids fall in `ids` (first, last),
/// by item (row id), each with its round, in the order given: the report's lean items
/// carry those of their round, so it tells who may still decide as the list does.
pub(super) fn requested_approvals(
    conn: &Connection,
    project: Option<&str>,
    (first, last): (i64, i64),
) -> Result<std::collections::HashMap<i64, Vec<(i64, Approval)>>> {
    let mut stmt = conn.prepare_cached(REQUESTED_APPROVALS_SQL)?;
    let key = project.map(str::to_ascii_uppercase);
    let mut rows = stmt.query(rusqlite::params![key, first, last])?;
    let mut out: std::collections::HashMap<i64, Vec<(i64, Approval)>> = Default::default();
    while let Some(r) = rows.next()? {
        let given = (rows::int(r, 5), rows::approval(r)?.1);
        out.entry(rows::int(r, 7)).or_default().push(given);
    }
    Ok(out)
}

/// Decisions handed on, by project (`delegate` events; schema 7 indexes them).
pub(super) fn delegations(
    conn: &Connection,
    project: Option<&str>,
) -> Result<std::collections::HashMap<String, usize>> {
    let mut stmt = conn.prepare_cached(
        "SELECT project, count(*) FROM events WHERE kind = 'delegate' AND project IS NOT NULL \
         AND (?1 IS NULL OR project = ?1) GROUP BY project",
    )?;
    let rows = stmt.query_map([project.map(str::to_ascii_uppercase)], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    let mut out = std::collections::HashMap::new();
    for r in rows {
        let (k, n) = r?;
        out.insert(k, usize::try_from(n).unwrap_or(0));
    }
    Ok(out)
}
