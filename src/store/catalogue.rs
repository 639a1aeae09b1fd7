//! The system catalogue as stored: adding (or replacing) a system with its event
//! `system-add`, reading the catalogue, and the standard role an item of a project is
//! held to. What a valid entry is, how names match and when a role is above standard
//! are the domain's (`domain::catalogue`).

use super::error::Result;
use super::events::{self, ts};
use super::handle::Store;
use super::records::not_found;
use super::rows;
use crate::domain::catalogue::{self, NewSystem, Standard, System};
use rusqlite::{Connection, params};
use serde_json::json;

const COLUMNS: &str =
    "name, category, roles, privileged_roles, not_privileged_roles, default_method, client_owned";

fn list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn system(r: &rusqlite::Row<'_>) -> rusqlite::Result<System> {
    Ok(System {
        name: rows::text(r, 0),
        category: rows::text(r, 1),
        roles: list(&rows::text(r, 2)),
        privileged_roles: list(&rows::text(r, 3)),
        not_privileged_roles: list(&rows::text(r, 4)),
        default_method: rows::opt_text(r, 5).and_then(|m| m.parse().ok()),
        client_owned: rows::flag(r, 6),
    })
}

/// Every catalogued system, by name.
pub(super) fn systems_in(conn: &Connection) -> Result<Vec<System>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM systems ORDER BY name"))?;
    let out = stmt
        .query_map([], system)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(out)
}

/// The catalogued system an item's system names (see `catalogue::names`).
fn entry<'c>(systems: &'c [System], text: &str) -> Option<&'c System> {
    systems.iter().find(|s| catalogue::names(text, &s.name))
}

/// The standard role of `system` in a project: the one place it is decided. The role
/// the project's templates give the system comes first (`template_roles`, see
/// `templates::template_roles`), else the catalogue's least role for the system.
fn standard_role_in(
    systems: &[System],
    template_roles: &[(String, String)],
    system: &str,
) -> Option<String> {
    // Most projects have no template and most files no catalogue: nothing to work out.
    if template_roles.is_empty() && systems.is_empty() {
        return None;
    }
    let key = crate::domain::template::system_key(system);
    template_roles
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, role)| role.clone())
        .or_else(|| {
            entry(systems, system)
                .and_then(System::least_role)
                .map(str::to_string)
        })
}

/// The catalogue and the standard roles of one project, read once for checking many
/// items.
#[derive(Debug, Clone, Default)]
pub struct Standards {
    systems: Vec<System>,
    /// (system key, role) of the project's templates.
    template_roles: Vec<(String, String)>,
}

impl Standards {
    pub(super) fn load(conn: &Connection, project: &str) -> Result<Standards> {
        Ok(Standards {
            systems: systems_in(conn)?,
            template_roles: super::template_rows::template_roles(conn, project)?,
        })
    }

    /// These standards with `t`'s roles first: for a template's items as they are added
    /// to a project (before the project remembers the template).
    pub(super) fn with_template(mut self, t: &crate::domain::template::Template) -> Standards {
        let mut roles: Vec<(String, String)> = t
            .items
            .iter()
            .map(|ti| {
                (
                    crate::domain::template::system_key(&ti.system),
                    ti.role.clone(),
                )
            })
            .collect();
        roles.append(&mut self.template_roles);
        self.template_roles = roles;
        self
    }

    /// What the catalogue says about an item's system.
    pub fn of(&self, system: &str) -> Standard {
        Standard {
            system: entry(&self.systems, system).cloned(),
            role: standard_role_in(&self.systems, &self.template_roles, system),
        }
    }
}

impl Store {
    /// Catalogues a system, or replaces the entry of that name (items already
    /// requested keep their fields). Admins and security people only.
    pub fn add_system(&mut self, new: &NewSystem) -> Result<System> {
        let me = self.my_person()?;
        let system = catalogue::check_new(new, me.as_ref())?;
        let s = system.clone();
        self.write(None, None, |tx, ctx| {
            let lists = |v: &Vec<String>| json!(v).to_string();
            let existing: Option<String> = tx
                .query_row(
                    "SELECT name FROM systems WHERE name = ?1",
                    [&s.name],
                    |r| r.get(0),
                )
                .ok();
            let name = existing.unwrap_or_else(|| s.name.clone());
            tx.execute(
                "INSERT INTO systems (name, category, roles, privileged_roles, not_privileged_roles, \
                 default_method, client_owned, added_by, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                 ON CONFLICT(name) DO UPDATE SET category = ?2, roles = ?3, privileged_roles = ?4, \
                 not_privileged_roles = ?5, default_method = ?6, client_owned = ?7, added_by = ?8, added_at = ?9",
                params![
                    name,
                    s.category,
                    lists(&s.roles),
                    lists(&s.privileged_roles),
                    lists(&s.not_privileged_roles),
                    s.default_method.map(|m| m.as_str()),
                    i64::from(s.client_owned),
                    ctx.me.login,
                    ts(ctx.now),
                ],
            )?;
            let mut payload = json!(s);
            payload["name"] = json!(name);
            events::append(tx, ctx, None, None, "system-add", &payload)?;
            Ok(())
        })?;
        self.system(&system.name)
    }

    /// The catalogue, by name.
    pub fn systems(&self) -> Result<Vec<System>> {
        systems_in(&self.conn)
    }

    /// The catalogued system `name` names (ignoring case, or with a " (…)" tail).
    pub fn system(&self, name: &str) -> Result<System> {
        entry(&systems_in(&self.conn)?, name)
            .cloned()
            .ok_or_else(|| not_found(&format!("no system {name} in the catalogue")))
    }

    /// The catalogue and the standard roles of `project_key`, read once (for a form
    /// that checks an item as it is typed).
    pub fn standards(&self, project_key: &str) -> Result<Standards> {
        Standards::load(&self.conn, project_key)
    }

    /// The standard role an item of `project_key` for `system` is held to: a role above
    /// it is flagged above-standard. `None` when the system is not catalogued.
    pub fn standard_role(&self, project_key: &str, system: &str) -> Option<String> {
        let systems = systems_in(&self.conn).ok()?;
        let roles = super::template_rows::template_roles(&self.conn, project_key).ok()?;
        standard_role_in(&systems, &roles, system)
    }
}
