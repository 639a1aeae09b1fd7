//! Templates as stored: one template read whole, the templates a project remembers,
//! and the roles they give its systems. Both the template commands and the catalogue's
//! standard roles read them here.

use super::error::{Error, Result};
use crate::domain::template::{self, Template};
use crate::domain::{Field, Refusal, Rule};
use rusqlite::{Connection, OptionalExtension};

fn refused(problem: String, fix: &str) -> Error {
    Error::Refused(
        Refusal::new(Rule::ValidValue, problem)
            .on(Field::Template)
            .fix(fix),
    )
}

/// The template named `name`, as stored.
pub(super) fn load_template(conn: &Connection, name: &str) -> Result<Template> {
    let key = template::name_key(name);
    let body: Option<String> = conn
        .query_row("SELECT body FROM templates WHERE name = ?1", [&key], |r| {
            r.get(0)
        })
        .optional()?;
    let body = body.ok_or_else(|| {
        refused(
            format!("there is no template {key}"),
            "import it first, or pick one the template list shows",
        )
    })?;
    serde_json::from_str(&body)
        .map_err(|e| Error::Invalid(format!("template {key} cannot be read: {e}")))
}

/// The templates a project remembers, in the order they were applied.
pub(super) fn project_templates(conn: &Connection, key: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT template FROM project_templates WHERE project = ?1 ORDER BY applied_at, template",
    )?;
    Ok(stmt
        .query_map([key], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Each item's (system key, role) of the templates `project` was made from or applied
/// with, in the order they were applied: the first template naming a system decides
/// its role.
pub(super) fn template_roles(conn: &Connection, project: &str) -> Result<Vec<(String, String)>> {
    let key = project.to_ascii_uppercase();
    let mut out = Vec::new();
    for name in project_templates(conn, &key)? {
        let t = load_template(conn, &name)?;
        out.extend(
            t.items
                .iter()
                .map(|ti| (template::system_key(&ti.system), ti.role.clone())),
        );
    }
    Ok(out)
}
