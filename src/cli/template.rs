//! `template import | export | list | show | apply`, `project add --template` and
//! `project check`: templates on the command line. The file format is the exchange
//! module's, the rules the domain's; this reads files and prints.

use super::args::TemplateCmd;
use super::{CmdResult, Failure, open_store, output};
use crate::domain::NewProject;
use crate::domain::template::Template;
use crate::domain::text::sanitize;
use crate::exchange;
use crate::store::{Applied, Store};
use serde_json::json;
use std::path::Path;

pub fn command(path: &Path, cmd: TemplateCmd, json: bool) -> CmdResult {
    let mut store = open_store(path)?;
    match cmd {
        TemplateCmd::Import { file } => {
            let text = read_bounded(&file)?;
            let t = exchange::parse_template(&text).map_err(|e| match e.refusal {
                Some(mut r) => {
                    // The line is the file's, not a CSV row's: said in the problem.
                    r.line = None;
                    r.field = None;
                    r.problem = format!("{} line {}: {}", file.display(), e.line, r.problem);
                    Failure::Rule(r)
                }
                None => Failure::Error(format!(
                    "{} line {}: {}; nothing was imported",
                    file.display(),
                    e.line,
                    e.problem
                )),
            })?;
            let (name, n) = (t.name.clone(), t.items.len());
            let replaced = store.import_template(t)?;
            if json {
                return output::json(&json!({"template": name, "items": n, "replaced": replaced}));
            }
            let how = if replaced { "updated" } else { "imported" };
            say!("{how} template {name} ({n} items)")
        }
        TemplateCmd::Export { name } => {
            let t = store.template(&name)?;
            output::line(exchange::template_toml(&t).trim_end())
        }
        TemplateCmd::List => {
            let header = ["NAME", "TITLE", "ITEMS", "CHANGED BY", "CHANGED AT"];
            output::list(json, &store.templates()?, &header, 40, |t| {
                let by = (t.changed_by.clone(), t.changed_at.clone());
                vec![
                    t.name.clone(),
                    t.title.clone(),
                    t.items.to_string(),
                    by.0,
                    by.1,
                ]
            })
        }
        TemplateCmd::Show { name } => show(&store.template(&name)?, json),
        TemplateCmd::Apply { name, project } => {
            let a = store.apply_template(&name, &project)?;
            applied(&project.to_ascii_uppercase(), &a, json)
        }
    }
}

/// The largest template file read (500 items take about 100 KiB).
const MAX_FILE: u64 = 1 << 20;

/// Reads a template file, refusing one over [`MAX_FILE`] without reading it whole.
fn read_bounded(file: &Path) -> Result<String, Failure> {
    let name = file.display();
    let bytes = super::setup::read_at_most(file, MAX_FILE)
        .map_err(|e| Failure::Error(format!("cannot read {name}: {e}")))?;
    if bytes.len() as u64 > MAX_FILE {
        let why = "is over 1 MiB: not a template file; nothing was imported";
        return Err(Failure::Error(format!("{name} {why}")));
    }
    String::from_utf8(bytes).map_err(|_| Failure::Error(format!("{name} is not UTF-8 text")))
}

fn show(t: &Template, json: bool) -> CmdResult {
    if json {
        return output::json(&json!(t));
    }
    say!("{} — {}", t.name, sanitize(&t.title))?;
    if !t.description.is_empty() {
        say!("{}", sanitize(&t.description))?;
    }
    let rows: Vec<Vec<String>> = t
        .items
        .iter()
        .map(|i| {
            let mut access = match i.duration_days {
                Some(d) if i.temporary => format!("{d} days"),
                _ => "permanent".into(),
            };
            for (on, flag) in [
                (i.privileged, "privileged"),
                (i.shared_credential, "shared"),
                (i.client_owned, "client-owned"),
            ] {
                if on {
                    access.push_str(", ");
                    access.push_str(flag);
                }
            }
            let when = format!("start{:+}d", i.needed_by_days);
            let (system, role) = (i.system.clone(), i.role.clone());
            vec![
                system,
                role,
                i.method.to_string(),
                access,
                when,
                i.purpose.clone(),
            ]
        })
        .collect();
    let header = ["SYSTEM", "ROLE", "METHOD", "ACCESS", "NEEDED BY", "PURPOSE"];
    output::table(&header, &rows, 40)
}

fn applied(key: &str, a: &Applied, json: bool) -> CmdResult {
    if json {
        let ids: Vec<String> = a.added.iter().map(|i| i.id()).collect();
        return output::json(
            &json!({"project": key, "template": a.template, "added": ids, "skipped": a.skipped}),
        );
    }
    say!(
        "applied template {} to {key}: {} item(s) added in needed{}",
        a.template,
        a.added.len(),
        if a.skipped.is_empty() {
            String::new()
        } else {
            format!(
                ", {} skipped (already asked for: {})",
                a.skipped.len(),
                a.skipped.join(", ")
            )
        }
    )?;
    for it in &a.added {
        say!(
            "  {}  {}  {}  needed by {}{}",
            it.id(),
            sanitize(&it.fields.system),
            sanitize(&it.fields.role),
            it.fields
                .needed_by
                .map(|d| d.to_string())
                .unwrap_or_default(),
            it.fields
                .expires
                .map(|d| format!(", expires {d}"))
                .unwrap_or_default()
        )?;
    }
    if !a.added.is_empty() {
        say!(
            "Next: name each item's approver and credential owner (item edit ID --version N --approver LOGIN --credential-owner NAME), then submit it"
        )?;
    }
    Ok(())
}

/// `project add KEY ... --template NAME`.
pub fn project_from(store: &mut Store, p: NewProject, template: &str, json: bool) -> CmdResult {
    let (p, a) = store.add_project_from_template(p, template)?;
    if json {
        let ids: Vec<String> = a.added.iter().map(|i| i.id()).collect();
        return output::json(&json!({"project": p, "template": a.template, "added": ids}));
    }
    super::setup::say_added(&p)?;
    applied(&p.key, &a, false)
}

/// `project check KEY`.
pub fn check(store: &Store, key: &str, json: bool) -> CmdResult {
    let c = store.project_check(key)?;
    if json {
        return output::json(&json!(c));
    }
    if c.templates.is_empty() {
        say!(
            "{} was not made from a template: nothing to check against",
            c.project
        )?;
    } else {
        say!(
            "{} against template(s) {}:",
            c.project,
            c.templates.join(", ")
        )?;
        if c.gaps.is_empty() {
            say!("no gaps: every template item is asked for at the template's role")?;
        } else {
            for g in &c.gaps {
                say!("  {}", sanitize(&g.describe()))?;
            }
            say!("{} gap(s)", c.gaps.len())?;
        }
    }
    if c.catalogue.is_empty() {
        return Ok(());
    }
    say!("against the system catalogue (it changed after these were requested):")?;
    for d in &c.catalogue {
        say!("  {}", sanitize(&d.describe()))?;
    }
    say!("{} item(s) to bring in line", c.catalogue.len())
}
