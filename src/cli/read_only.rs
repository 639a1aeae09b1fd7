//! `--read-only`: the database is opened with `SQLITE_OPEN_READONLY` (never migrated
//! or created), and a command that would write is refused before it starts, exit 3
//! with the rule `read-only`, whoever runs it. The store refuses every write of its
//! own as well, so a command missing here still cannot change the file.

use super::Failure;
use super::args::{AuditCmd, Cli, Command, ItemCmd, PeopleCmd, ProjectCmd, ReviewCmd, SystemCmd};
use super::args::{TaskCmd, TemplateCmd};
use super::settings::SettingsCmd;
use crate::domain::{Refusal, Rule};
use std::sync::atomic::{AtomicBool, Ordering};

static READ_ONLY: AtomicBool = AtomicBool::new(false);

/// Remembers `--read-only` for every store this process opens.
pub(super) fn set(on: bool) {
    READ_ONLY.store(on, Ordering::SeqCst);
}

/// Whether this process opens the database for reading only.
pub(super) fn on() -> bool {
    READ_ONLY.load(Ordering::SeqCst)
}

/// The refusal of a command that writes.
pub(super) fn refusal(what: &str) -> Failure {
    Failure::Rule(Box::new(
        Refusal::new(
            Rule::ReadOnly,
            format!("{what} changes the database, and it was opened for reading only"),
        )
        .fix("run it without --read-only"),
    ))
}

/// Refuses a command that writes to the database.
pub(super) fn refuse_writes(cli: &Cli) -> Result<(), Failure> {
    match writes(cli.command.as_ref()) {
        Some(what) => Err(refusal(what)),
        None => Ok(()),
    }
}

/// The command's name when it writes to the database; `None` when it only reads (or
/// writes only files a person names: an export, an anchor).
fn writes(c: Option<&Command>) -> Option<&'static str> {
    let c = c?;
    Some(match c {
        Command::Demo(_) => "demo",
        Command::Init(_) => "init",
        Command::People(PeopleCmd::Add { .. }) => "people add",
        Command::People(PeopleCmd::Deactivate { .. }) => "people deactivate",
        Command::Project(p) => match p {
            ProjectCmd::Add { .. } => "project add",
            ProjectCmd::Close { .. } => "project close",
            ProjectCmd::Reopen { .. } => "project reopen",
            ProjectCmd::Edit { .. } => "project edit",
            ProjectCmd::List | ProjectCmd::Check { .. } => return None,
        },
        Command::Item(i) => match i {
            ItemCmd::List { .. } | ItemCmd::Show { .. } | ItemCmd::Nudge { .. } => return None,
            _ => "this item command",
        },
        Command::Task(TaskCmd::List { .. } | TaskCmd::Show { .. }) => return None,
        Command::Task(_) => "this task command",
        Command::Import(a) if a.dry_run => return None,
        Command::Import(_) => "import",
        Command::Review(ReviewCmd::List { .. } | ReviewCmd::Show { .. }) => return None,
        Command::Review(_) => "this review command",
        Command::System(SystemCmd::Add(_)) => "system add",
        Command::Template(TemplateCmd::Import { .. }) => "template import",
        Command::Template(TemplateCmd::Apply { .. }) => "template apply",
        Command::Settings(SettingsCmd::Set { .. }) => "settings set",
        Command::Audit(AuditCmd::Verify { .. } | AuditCmd::Anchor { .. }) => return None,
        _ => return None,
    })
}
