//! People: who is registered with which roles, and setting up a file's first admin.

use super::conn;
use super::error::{Error, Result};
use super::handle::Store;
use super::policy;
use super::records::{insert_person, load_person};
use crate::domain::*;

impl Store {
    /// The registered person for the acting OS account, if any.
    pub fn my_person(&self) -> Result<Option<Person>> {
        self.person(&self.me.login.clone())
    }

    pub fn person(&self, login: &str) -> Result<Option<Person>> {
        load_person(&self.conn, login)
    }

    pub fn people(&self) -> Result<Vec<Person>> {
        super::decisions::everyone(&self.conn)
    }

    /// Prepares a fresh or existing file: registers the acting account as admin and
    /// coordinator when nobody is registered yet, and shares the file with a group.
    /// Returns whether the account was registered now.
    pub fn init(&mut self, group: Option<&str>) -> Result<bool> {
        if let Some(g) = group {
            conn::must_be_mine(&self.path)?;
            let gid = crate::identity::gid_of(g)
                .ok_or_else(|| Error::Invalid(format!("no group named {g} on this host")))?;
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
        policy::login(login)?;
        if let Some(n) = name {
            self.checked(rules::check_text("name", n, false), None, None)?;
        }
        let mine = self.my_person()?;
        policy::require_admin(mine.as_ref(), &self.me.login)?;
        self.write(None, None, |tx, ctx| {
            let existing = load_person(tx, login)?;
            if existing.as_ref().is_some_and(|p| p.has(Role::Admin))
                && !roles.contains(&Role::Admin)
            {
                let admins: i64 = tx.query_row(
                    "SELECT count(*) FROM people WHERE active = 1 AND ',' || roles || ',' LIKE '%,admin,%'",
                    [],
                    |r| r.get(0),
                )?;
                policy::keeps_an_admin(login, admins)?;
            }
            let name = name
                .map(str::to_string)
                .or(existing.map(|p| p.name))
                .unwrap_or_else(|| login.to_string());
            insert_person(tx, ctx, login, &name, roles)?;
            Ok(Person {
                login: login.to_string(),
                name,
                roles: roles.to_vec(),
                active: true,
            })
        })
    }
}
