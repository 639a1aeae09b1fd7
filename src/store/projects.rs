//! Projects: adding, reading and closing them.

use super::error::{Error, Result};
use super::events::{self, ts};
use super::handle::Store;
use super::policy;
use super::records::{date_text, load_person, load_project};
use super::rows::{self, PROJECT_COLUMNS};
use crate::domain::machine;
use crate::domain::*;
use rusqlite::{OptionalExtension, params};
use serde_json::json;

/// The host's time zone name, or UTC.
pub fn host_tz() -> String {
    iana_time_zone::get_timezone()
        .ok()
        .filter(|z| z.parse::<chrono_tz::Tz>().is_ok())
        .unwrap_or_else(|| "UTC".to_string())
}

impl Store {
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
        let n = self.check_new_project(&p)?;
        self.write(Some(&n.key), None, |tx, ctx| insert_project(tx, ctx, &n))
    }

    /// Everything about a new project that needs no transaction, checked.
    pub(super) fn check_new_project(&mut self, p: &NewProject) -> Result<CheckedProject> {
        let key = policy::project_key(&p.key)?;
        for (field, v) in [(Field::Name, &p.name), (Field::Client, &p.client)] {
            let name = field.name();
            self.checked(rules::check_text(name, v, false), Some(&p.key), None)?;
            policy::required(field, &format!("project {name}"), v)?;
        }
        let tz = p.tz.clone().unwrap_or_else(host_tz);
        policy::time_zone(&tz)?;
        let start = p.start.ok_or_else(|| {
            Error::Refused(
                Refusal::new(Rule::RequiredFields, "project start date is required")
                    .on(Field::Start),
            )
        })?;
        let me = self.me.login.clone();
        let coordinator = p.coordinator.clone().unwrap_or(me);
        self.checked(
            rules::check_text(Field::Coordinator.name(), &coordinator, false),
            Some(&p.key),
            None,
        )?;
        self.manage_check("adding a project")?;
        Ok(CheckedProject {
            key,
            name: p.name.trim().to_string(),
            client: p.client.trim().to_string(),
            start,
            tz,
            coordinator,
        })
    }

    pub fn close_project(&mut self, key: &str) -> Result<Project> {
        self.manage_check("closing a project")?;
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

    /// Refuses unless the acting person may manage projects; `doing` names what needs it.
    pub(super) fn manage_check(&self, doing: &str) -> Result<()> {
        let me = self.my_person()?;
        machine::require_manager(me.as_ref(), &self.me.login, doing)?;
        Ok(())
    }
}

/// A new project checked by [`Store::check_new_project`], its texts trimmed.
pub(super) struct CheckedProject {
    pub key: String,
    pub name: String,
    pub client: String,
    pub start: chrono::NaiveDate,
    pub tz: String,
    pub coordinator: String,
}

/// Adds the checked project in the transaction `tx`, with its event.
pub(super) fn insert_project(
    tx: &rusqlite::Transaction<'_>,
    ctx: &super::handle::Ctx,
    n: &CheckedProject,
) -> Result<Project> {
    let (key, coordinator) = (&n.key, &n.coordinator);
    let exists: Option<String> = tx
        .query_row("SELECT key FROM projects WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?;
    if exists.is_some() {
        return Err(Error::Refused(
            Refusal::new(Rule::ValidValue, format!("project {key} exists already"))
                .on(Field::Key)
                .fix("choose another key"),
        ));
    }
    // The coordinator is a login like any other: registered, with a role that
    // manages projects.
    let person = load_person(tx, coordinator)?;
    rules::check_registered(
        Field::Coordinator,
        coordinator,
        person.as_ref(),
        &machine::MANAGERS,
    )?;
    tx.execute(
        "INSERT INTO projects (key, name, client, start_date, tz, coordinator, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![key, n.name, n.client, date_text(Some(n.start)), n.tz, coordinator, ts(ctx.now)],
    )?;
    // The values as stored (trimmed), so the replay sets what the table holds.
    events::append(
        tx,
        ctx,
        Some(key),
        None,
        "project-add",
        &json!({"name": n.name, "client": n.client, "start": n.start, "tz": n.tz, "coordinator": coordinator}),
    )?;
    load_project(tx, key)
}
