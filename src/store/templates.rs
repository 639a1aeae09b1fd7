//! Templates: importing one (a new template or a new version of one), reading them,
//! applying one to a project through the ordinary add path (so every rule of a new
//! item applies), and checking a project against the templates it remembers.

use super::error::{Error, Result};
use super::events::{self, ts};
use super::handle::Store;
use super::intake::RowCheck;
use super::projects::insert_project;
use super::records::load_project;
use super::template_rows::{load_template, project_templates, template_roles};
use crate::domain::template::{self, Gap, HeldItem, Template};
use crate::domain::*;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

/// A template as `template list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateSummary {
    pub name: String,
    pub title: String,
    pub items: usize,
    pub changed_by: String,
    pub changed_at: String,
}

/// What applying a template did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub template: String,
    pub added: Vec<Item>,
    /// Template items the project had already (at any role), left alone.
    pub skipped: Vec<String>,
}

/// A project measured against its templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectCheck {
    pub project: String,
    pub templates: Vec<String>,
    pub gaps: Vec<Gap>,
    /// Items that no longer agree with the system catalogue (it changed after them).
    pub catalogue: Vec<crate::domain::catalogue::Drift>,
}

/// The project's items as `template::gaps` reads them: (id, system, role, state).
fn held(conn: &Connection, key: &str) -> Result<Vec<(String, String, String, State)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT number, system, role, state FROM items WHERE project = ?1 ORDER BY number",
    )?;
    let rows = stmt.query_map([key], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (n, system, role, state) = row?;
        let state = state
            .parse::<State>()
            .map_err(|e| Error::Invalid(format!("{key}-{n}: {e}")))?;
        out.push((model::item_id(key, n), system, role, state));
    }
    Ok(out)
}

fn as_held(rows: &[(String, String, String, State)]) -> Vec<HeldItem<'_>> {
    rows.iter()
        .map(|(id, system, role, state)| HeldItem {
            id: id.clone(),
            system,
            role,
            state: *state,
        })
        .collect()
}

impl Store {
    /// Imports a checked template: a new one, or a new version of one of that name.
    /// Admins and coordinators change templates; the change is recorded.
    pub fn import_template(&mut self, t: Template) -> Result<bool> {
        self.manage_check("changing templates")?;
        let body = serde_json::to_string(&t)
            .map_err(|e| Error::Invalid(format!("cannot record the template: {e}")))?;
        self.write(None, None, |tx, ctx| {
            let replaced: bool = tx
                .query_row("SELECT 1 FROM templates WHERE name = ?1", [&t.name], |_| {
                    Ok(())
                })
                .optional()?
                .is_some();
            tx.execute(
                "INSERT INTO templates (name, title, body, changed_by, changed_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (name) DO UPDATE SET title = excluded.title, body = excluded.body,
                 changed_by = excluded.changed_by, changed_at = excluded.changed_at",
                params![t.name, t.title, body, ctx.me.login, ts(ctx.now)],
            )?;
            let payload = json!({"name": t.name, "title": t.title, "body": body});
            events::append(tx, ctx, None, None, "template-import", &payload)?;
            Ok(replaced)
        })
    }

    pub fn template(&self, name: &str) -> Result<Template> {
        load_template(&self.conn, name)
    }

    pub fn templates(&self) -> Result<Vec<TemplateSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT name, title, body, changed_by, changed_at FROM templates ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| {
            let body: String = r.get(2)?;
            let items = serde_json::from_str::<Template>(&body).map_or(0, |t| t.items.len());
            Ok(TemplateSummary {
                name: r.get(0)?,
                title: r.get(1)?,
                items,
                changed_by: r.get(3)?,
                changed_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The templates a project was made from or applied with.
    pub fn project_templates(&self, project: &str) -> Result<Vec<String>> {
        project_templates(&self.conn, &project.to_ascii_uppercase())
    }

    /// Adds the template's items to a project (each in `needed`, through the same
    /// checks as any new item), skipping systems the project asks for already, and
    /// remembers the template on the project, in one transaction.
    pub fn apply_template(&mut self, name: &str, project: &str) -> Result<Applied> {
        self.manage_check("applying a template")?;
        let key = project.to_ascii_uppercase();
        let t = load_template(&self.conn, name)?;
        let p = load_project(&self.conn, &key)?;
        let rows = held(&self.conn, &key)?;
        let have = as_held(&rows);
        let mut check = self.row_check(&key, false)?;
        check.standards = std::sync::Arc::new((*check.standards).clone().with_template(&t));
        let mut skipped = Vec::new();
        let mut new_rows = Vec::new();
        for ti in &t.items {
            if template::already_there(ti, &have) {
                skipped.push(ti.system.clone());
            } else {
                new_rows.push(check.check(0, template::item_fields(ti, &t.name, p.start)));
            }
        }
        let added = self.write_template_items(&key, &t.name, new_rows, &mut |_, _| Ok(()))?;
        Ok(Applied {
            template: t.name,
            added,
            skipped,
        })
    }

    /// Writes a template's checked items and remembers the template on the project,
    /// in one transaction that `first` opens (adding the project, or nothing).
    fn write_template_items(
        &mut self,
        key: &str,
        name: &str,
        rows: Vec<Result<super::intake::CheckedRow>>,
        first: &mut dyn FnMut(&rusqlite::Transaction<'_>, &super::handle::Ctx) -> Result<()>,
    ) -> Result<Vec<Item>> {
        let mut added = Vec::new();
        let count = rows.len();
        self.insert_items(
            key,
            rows,
            false,
            |it| added.push(it.clone()),
            &mut |tx, ctx| {
                tx.execute(
                    "INSERT INTO project_templates (project, template, applied_by, applied_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (project, template) DO UPDATE SET applied_by = excluded.applied_by, applied_at = excluded.applied_at",
                    params![key, name, ctx.me.login, ts(ctx.now)],
                )?;
                let payload = json!({"template": name, "added": count});
                events::append(tx, ctx, Some(key), None, "template-apply", &payload)?;
                Ok(())
            },
            first,
        )?;
        Ok(added)
    }

    /// Adds a project made from a template (`project add --template`): the project,
    /// every item of the template and the template remembered, in one transaction.
    /// Every item is checked first, so a template whose dates would fall in the past
    /// for this start adds nothing.
    pub fn add_project_from_template(
        &mut self,
        p: NewProject,
        template: &str,
    ) -> Result<(Project, Applied)> {
        let t = load_template(&self.conn, template)?;
        let new = self.check_new_project(&p)?;
        let zone = new.tz.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
        let standards = super::catalogue::Standards::load(&self.conn, &new.key)?;
        let check = RowCheck {
            today: self.now().with_timezone(&zone).date_naive(),
            source: None,
            standards: std::sync::Arc::new(standards.with_template(&t)),
        };
        let mut rows = Vec::with_capacity(t.items.len());
        for (n, ti) in t.items.iter().enumerate() {
            match check.check(0, template::item_fields(ti, &t.name, new.start)) {
                Err(Error::Refused(mut r)) => {
                    r.problem = format!("template item {} ({}): {}", n + 1, ti.system, r.problem);
                    r.field = Some(Field::Start);
                    r.fix = "choose a later start, or change the template".to_string();
                    return Err(Error::Refused(r));
                }
                row => rows.push(row),
            }
        }
        let mut project = None;
        let added = self.write_template_items(&new.key, &t.name, rows, &mut |tx, ctx| {
            project = Some(insert_project(tx, ctx, &new)?);
            Ok(())
        })?;
        let project =
            project.ok_or_else(|| Error::Invalid("the project was not added".to_string()))?;
        let applied = Applied {
            template: t.name,
            added,
            skipped: Vec::new(),
        };
        Ok((project, applied))
    }

    /// The template items the project lacks, dropped or asks for at another role.
    pub fn project_check(&self, project: &str) -> Result<ProjectCheck> {
        let key = project.to_ascii_uppercase();
        load_project(&self.conn, &key)?;
        let names = project_templates(&self.conn, &key)?;
        let templates = names
            .iter()
            .map(|n| load_template(&self.conn, n))
            .collect::<Result<Vec<_>>>()?;
        let rows = held(&self.conn, &key)?;
        Ok(ProjectCheck {
            gaps: template::gaps(&templates, &as_held(&rows)),
            catalogue: catalogue_drift(&self.conn, &key)?,
            project: key,
            templates: names,
        })
    }

    /// The role the project's templates give `system` (the first that names it), so
    /// the standard role of an item can prefer it over the catalogue's least role.
    pub fn template_role(&self, project: &str, system: &str) -> Result<Option<String>> {
        let wanted = template::system_key(system);
        Ok(template_roles(&self.conn, project)?
            .into_iter()
            .find(|(k, _)| *k == wanted)
            .map(|(_, role)| role))
    }
}

/// The project's items that no longer agree with the catalogue (see
/// `catalogue::drift`).
fn catalogue_drift(conn: &Connection, key: &str) -> Result<Vec<crate::domain::catalogue::Drift>> {
    let systems = super::catalogue::systems_in(conn)?;
    if systems.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT number, system, role, privileged, state FROM items WHERE project = ?1 ORDER BY number",
    )?;
    let rows = stmt
        .query_map([key], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let items: Vec<crate::domain::catalogue::Held<'_>> = rows
        .iter()
        .filter_map(|(n, system, role, privileged, state)| {
            Some(crate::domain::catalogue::Held {
                id: item_id(key, *n),
                system,
                role,
                privileged: *privileged,
                state: state.parse::<State>().ok()?,
            })
        })
        .collect();
    Ok(crate::domain::catalogue::drift(&items, &systems))
}
