//! `system`: the system catalogue on the command line. Catalogues a system, lists the
//! catalogue and shows one entry. The rules are the domain's (`domain::catalogue`);
//! this only prints what the store returns.

use super::args::SystemCmd;
use super::{CmdResult, open_store, output};
use crate::domain::catalogue::{NewSystem, System};
use crate::domain::text::sanitize;
use serde_json::json;
use std::path::Path;

pub fn command(path: &Path, cmd: SystemCmd, json: bool) -> CmdResult {
    let mut store = open_store(path)?;
    match cmd {
        SystemCmd::Add(a) => {
            let default_method = a
                .default_method
                .as_deref()
                .map(|m| super::items::method_of("--default-method", m))
                .transpose()?;
            let entry = System {
                name: a.name,
                category: a.category,
                default_method,
                client_owned: a.client_owned,
                ..System::default()
            };
            let s = store.add_system(&NewSystem {
                entry,
                roles: a.roles,
                privileged_roles: a.privileged_roles,
                not_privileged_roles: a.not_privileged_roles,
            })?;
            if json {
                return output::json(&json!(s));
            }
            say!(
                "Catalogued {} ({}): {}; the standard role is {}.",
                sanitize(&s.name),
                sanitize(&s.category),
                sanitize(&s.roles_text()),
                sanitize(s.least_role().unwrap_or_default())
            )
        }
        SystemCmd::List => {
            let list = store.systems()?;
            output::list(
                json,
                &list,
                &["SYSTEM", "CATEGORY", "ROLES", "PRIVILEGED", "METHOD"],
                40,
                row,
            )
        }
        SystemCmd::Show { name } => {
            let s = store.system(&name)?;
            if json {
                return output::json(&json!(s));
            }
            for line in describe(&s) {
                say!("{}", sanitize(&line))?;
            }
            Ok(())
        }
    }
}

fn row(s: &System) -> Vec<String> {
    vec![
        s.name.clone(),
        s.category.clone(),
        s.roles_text(),
        s.privileged_roles.join("; "),
        s.default_method
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
    ]
}

/// The lines of `system show`.
fn describe(s: &System) -> Vec<String> {
    let none = |v: &Vec<String>| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join("; ")
        }
    };
    let mut out = vec![
        format!("System:       {}", s.name),
        format!("Category:     {}", s.category),
        format!("Roles:        {} (least privileged first)", s.roles_text()),
        format!("Standard:     {}", s.least_role().unwrap_or_default()),
        format!("Privileged:   {}", none(&s.privileged_roles)),
    ];
    if !s.not_privileged_roles.is_empty() {
        out.push(format!(
            "Not privileged (said by security): {}",
            s.not_privileged_roles.join("; ")
        ));
    }
    if let Some(m) = s.default_method {
        out.push(format!("Method:       {}", m.as_str()));
    }
    if s.client_owned {
        out.push("Client-owned: yes".to_string());
    }
    out
}
