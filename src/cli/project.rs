//! `project close | reopen | edit`: the end of a project and its start date. The
//! checklist a close leaves and the freeze of a moved start are the domain's; this
//! prints them.

use super::{CmdResult, output};
use crate::domain::lifecycle::ChecklistEntry;
use crate::store::Store;
use chrono::NaiveDate;
use serde_json::json;

/// Closes a project and prints what it leaves: live access to revoke, shared
/// credentials to rotate. Never prompts (scripts close projects too).
pub fn close(store: &mut Store, key: &str, json: bool) -> CmdResult {
    let p = store.close_project(key)?;
    let list = store.closing_checklist(&p.key)?;
    if json {
        // `live_access` (a count) stays as before; the lists are added.
        output::json(&json!({
            "project": p,
            "live_access": list.revoke.len(),
            "revoke": list.revoke,
            "rotate": list.rotate,
        }))?;
        return Ok(());
    }
    say!("closed {}", p.key)?;
    if list.is_empty() {
        say!("nothing left to deprovision: no live access, no shared credential to rotate")?;
        return Ok(());
    }
    let lines = |title: &str, what: &str, entries: &[ChecklistEntry]| -> CmdResult {
        if entries.is_empty() {
            return Ok(());
        }
        say!("{title} ({}), each with `{what}`:", entries.len())?;
        for e in entries {
            say!(
                "  {}  {}  ({})",
                e.id,
                crate::domain::text::sanitize(&e.system),
                e.state
            )?;
        }
        Ok(())
    };
    say!("deprovisioning checklist; each item blocks until done:")?;
    lines(
        "live access to revoke",
        "accessdesk item revoke ID --note TEXT",
        &list.revoke,
    )?;
    lines(
        "shared credentials to rotate (revoking is not enough)",
        "accessdesk item rotated ID --note TEXT",
        &list.rotate,
    )?;
    Ok(())
}

/// Reopens a project closed by mistake.
pub fn reopen(store: &mut Store, key: &str, json: bool) -> CmdResult {
    let p = store.reopen_project(key)?;
    if json {
        output::json(&json!({ "project": p }))?;
    } else {
        say!("reopened {}", p.key)?;
    }
    Ok(())
}

/// Moves a project's planned start.
pub fn edit(store: &mut Store, key: &str, start: NaiveDate, json: bool) -> CmdResult {
    let (p, frozen) = store.move_project_start(key, start)?;
    if json {
        output::json(&json!({ "project": p, "ready_before_start_frozen_at": frozen }))?;
        return Ok(());
    }
    say!(
        "{} now starts on {}; needed-by dates left to the start moved with it",
        p.key,
        p.start
    )?;
    if let Some(d) = frozen {
        say!("ready-before-start stays frozen at the start it reached, {d}")?;
    }
    Ok(())
}
