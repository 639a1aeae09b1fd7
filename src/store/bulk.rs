//! Bulk loading: many moves by many people in one transaction, each checked by the
//! same domain rules and recorded with its event, so a generated history is as real
//! (and its chain as verifiable) as one typed in. Used by the large-data generator.

use super::error::{Error, Result};
use super::events;
use super::handle::{Ctx, Store};
use super::intake::{Admission, Known, RowCheck};
use super::records::{add_item, insert_person, load_project, new_item, store_transition};
use crate::domain::blockers;
use crate::domain::machine::{self, Action};
use crate::domain::*;
use crate::identity::Identity;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, params};
use serde_json::json;
use std::collections::HashMap;

/// A write transaction open for many changes.
pub struct Bulk<'a> {
    tx: &'a Connection,
    settings: blockers::Settings,
    people: HashMap<String, (Identity, Person)>,
    projects: HashMap<String, Project>,
    known: Known,
}

impl Bulk<'_> {
    fn ctx(&self, login: &str, now: DateTime<Utc>) -> Result<(Ctx, Person)> {
        let (id, p) = self
            .people
            .get(login)
            .ok_or_else(|| Error::NotFound(format!("bulk: no person {login}")))?;
        Ok((
            Ctx {
                now,
                me: id.clone(),
                settings: self.settings,
            },
            p.clone(),
        ))
    }

    fn project(&mut self, key: &str) -> Result<Project> {
        if let Some(p) = self.projects.get(key) {
            return Ok(p.clone());
        }
        let p = load_project(self.tx, key)?;
        self.projects.insert(key.to_string(), p.clone());
        Ok(p)
    }

    /// Whether `login` is registered in this bulk load.
    pub fn knows(&self, login: &str) -> bool {
        self.people.contains_key(login)
    }

    /// Registers a person acting with a (possibly synthetic) OS identity.
    pub fn add_person(
        &mut self,
        uid: u32,
        login: &str,
        name: &str,
        roles: &[Role],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let me = Identity {
            uid,
            login: login.to_string(),
        };
        let ctx = Ctx {
            now,
            me: me.clone(),
            settings: self.settings,
        };
        insert_person(self.tx, &ctx, login, name, roles)?;
        self.people.insert(
            login.to_string(),
            (
                me,
                Person {
                    login: login.into(),
                    name: name.into(),
                    roles: roles.to_vec(),
                    active: true,
                },
            ),
        );
        Ok(())
    }

    /// Adds a project as `by`.
    pub fn add_project(
        &mut self,
        by: &str,
        now: DateTime<Utc>,
        key: &str,
        name: &str,
        client: &str,
        start: NaiveDate,
    ) -> Result<()> {
        let (ctx, _) = self.ctx(by, now)?;
        self.tx.execute(
            "INSERT INTO projects (key, name, client, start_date, tz, coordinator, created_at) VALUES (?1, ?2, ?3, ?4, 'UTC', ?5, ?6)",
            params![key, name, client, start.format("%Y-%m-%d").to_string(), by, events::ts(now)],
        )?;
        events::append(
            self.tx,
            &ctx,
            Some(key),
            None,
            "project-add",
            &json!({"name": name, "client": client, "start": start, "tz": "UTC", "coordinator": by}),
        )?;
        Ok(())
    }

    /// Adds an item as `by`, checked like `Store::add_item`.
    pub fn add_item(
        &mut self,
        by: &str,
        now: DateTime<Utc>,
        key: &str,
        fields: ItemFields,
    ) -> Result<Item> {
        let (ctx, person) = self.ctx(by, now)?;
        let p = self.project(key)?;
        let row = RowCheck {
            today: blockers::today(&p, now),
            source: None,
            standards: std::sync::Arc::new(super::catalogue::Standards::load(self.tx, key)?),
        }
        .check(0, fields)?;
        Admission::new(&p, Some(&person), by, now)?.admit(self.tx, &row, &mut self.known)?;
        let fields = row.fields;
        let number: i64 = self
            .tx
            .prepare_cached(
                "UPDATE projects SET next_item = next_item + 1 WHERE key = ?1 RETURNING next_item - 1",
            )?
            .query_row([key], |r| r.get(0))?;
        let mut it = new_item(key, number, fields, by, now);
        it.blocked_since = blockers::spell_after_change(None, &it, &p, now, self.settings);
        it.rowid = add_item(self.tx, &it)?;
        events::append(
            self.tx,
            &ctx,
            Some(key),
            Some(&it.id()),
            "item-add",
            &json!({"to": "needed", "source": "bulk", "fields": it.fields}),
        )?;
        Ok(it)
    }

    /// Makes a move as `by` on an item held in memory (updated in place).
    pub fn act(
        &mut self,
        by: &str,
        now: DateTime<Utc>,
        item: &mut Item,
        action: &Action,
    ) -> Result<()> {
        let (ctx, person) = self.ctx(by, now)?;
        let p = self.project(&item.project)?;
        let t = machine::apply(item, &p, action, Some(&person), by, now)?;
        *item = store_transition(self.tx, &ctx, &p, item, t)?;
        Ok(())
    }

    /// Adds a task needing `needs` (item rowids and ids).
    pub fn add_task(
        &mut self,
        by: &str,
        now: DateTime<Utc>,
        key: &str,
        title: &str,
        needs: &[(i64, String)],
        start: Option<NaiveDate>,
    ) -> Result<()> {
        let (ctx, _) = self.ctx(by, now)?;
        let number: i64 = self.tx.query_row(
            "UPDATE projects SET next_task = next_task + 1 WHERE key = ?1 RETURNING next_task - 1",
            [key],
            |r| r.get(0),
        )?;
        self.tx.execute(
            "INSERT INTO tasks (project, number, title, start_date, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key, number, title, start.map(|d| d.format("%Y-%m-%d").to_string()), events::ts(now)],
        )?;
        let task_id = self.tx.last_insert_rowid();
        for (rowid, _) in needs {
            self.tx.execute(
                "INSERT OR IGNORE INTO task_needs (task_id, item_id) VALUES (?1, ?2)",
                params![task_id, rowid],
            )?;
        }
        let ids: Vec<&str> = needs.iter().map(|(_, id)| id.as_str()).collect();
        events::append(
            self.tx,
            &ctx,
            Some(key),
            None,
            "task-add",
            &json!({"task": format!("{key}-T{number}"), "title": title, "needs": ids, "start": start}),
        )?;
        Ok(())
    }
}

/// People known to a bulk load, kept across its transactions.
#[derive(Default)]
pub struct BulkPeople(HashMap<String, (Identity, Person)>);

impl Store {
    /// Runs `f` with a bulk handle in one transaction. `people` carries the registered
    /// people from one bulk transaction to the next.
    pub fn bulk<T>(
        &mut self,
        people: &mut BulkPeople,
        mut f: impl FnMut(&mut Bulk<'_>) -> Result<T>,
    ) -> Result<T> {
        let settings = self.settings();
        self.write(None, None, |tx, _ctx| {
            let mut b = Bulk {
                tx,
                settings,
                people: std::mem::take(&mut people.0),
                projects: HashMap::new(),
                known: Known::new(),
            };
            let r = f(&mut b);
            people.0 = b.people;
            r
        })
    }
}
