//! Item commands, import and export.

use super::args::{AddFlags, EditFlags, ExportArgs, FieldArgs, ImportArgs, ItemCmd, ListFormat};
use super::{CmdResult, Failure, open_store, output};
use crate::domain::lifecycle::Channel;
use crate::domain::machine::{Action, ActionKind};
use crate::domain::{
    Deprovision, Exception, ItemFields, ItemPatch, Method, MethodProblem, State, blockers,
};
use crate::exchange;
use crate::present;
use crate::store::{CheckedRow, ItemFilter, ItemView, Store};
use serde_json::json;
use std::fmt::Write as _;
use std::path::Path;

/// Parses a collection method: an unsafe channel is a rule refusal (exit 3), a word
/// that is no method at all a usage error (exit 2).
fn method(s: &str) -> Result<Method, Failure> {
    method_of("--method", s)
}

/// [`method`] for the flag `flag` (also `system add --default-method`).
pub(super) fn method_of(flag: &str, s: &str) -> Result<Method, Failure> {
    Method::parse_input(s).map_err(|problem| {
        let r = Method::refusal(&problem);
        match problem {
            MethodProblem::Unsafe => Failure::from(r),
            MethodProblem::Unknown => Failure::Usage(format!("{flag}: {}; {}", r.problem, r.fix)),
        }
    })
}

fn deprovision(s: &str) -> Result<Deprovision, Failure> {
    s.parse()
        .map_err(|e| Failure::Usage(format!("--deprovision: {e}")))
}

fn none_if_empty(s: String) -> Option<String> {
    if s.trim().is_empty() { None } else { Some(s) }
}

fn fields_for_add(a: FieldArgs, f: AddFlags) -> Result<ItemFields, Failure> {
    let exception = match (a.exception, a.exception_owner, a.exception_expires) {
        (None, None, None) => None,
        (reason, owner, expires) => Some(Box::new(Exception {
            reason: reason.unwrap_or_default(),
            owner,
            expires,
        })),
    };
    Ok(ItemFields {
        system: a.system.unwrap_or_default(),
        purpose: a.purpose.unwrap_or_default(),
        role: a.role.unwrap_or_default(),
        holder: a.holder.and_then(none_if_empty),
        credential_owner: a.credential_owner.unwrap_or_default(),
        approver: a.approver.unwrap_or_default(),
        method: a.method.as_deref().map(method).transpose()?,
        temporary: f.temporary,
        expires: a.expires,
        deprovision: a.deprovision.as_deref().map(deprovision).transpose()?,
        privileged: f.privileged,
        shared_credential: f.shared_credential,
        client_owned: f.client_owned,
        exception,
        needed_by: a.needed_by,
        notes: a.notes.unwrap_or_default(),
        above_standard: false,
        justification: a.justification.and_then(none_if_empty).map(Into::into),
    })
}

fn patch_for_edit(a: FieldArgs, f: EditFlags, current: &ItemFields) -> Result<ItemPatch, Failure> {
    let exception =
        if a.exception.is_some() || a.exception_owner.is_some() || a.exception_expires.is_some() {
            match a.exception.as_deref() {
                Some(r) if r.trim().is_empty() => Some(None),
                _ => {
                    let mut e = current.exception.clone().unwrap_or_default();
                    if let Some(r) = a.exception {
                        e.reason = r;
                    }
                    if let Some(o) = a.exception_owner {
                        e.owner = none_if_empty(o);
                    }
                    if a.exception_expires.is_some() {
                        e.expires = a.exception_expires;
                    }
                    Some(Some(e))
                }
            }
        } else {
            None
        };
    Ok(ItemPatch {
        system: a.system,
        purpose: a.purpose,
        role: a.role,
        holder: a.holder.map(none_if_empty),
        credential_owner: a.credential_owner,
        approver: a.approver,
        method: match a.method.as_deref() {
            None => None,
            Some(s) if s.trim().is_empty() => Some(None),
            Some(s) => Some(Some(method(s)?)),
        },
        temporary: f.temporary,
        expires: a.expires.map(Some),
        deprovision: a
            .deprovision
            .as_deref()
            .map(deprovision)
            .transpose()?
            .map(Some),
        privileged: f.privileged,
        shared_credential: f.shared_credential,
        client_owned: f.client_owned,
        exception,
        needed_by: a.needed_by.map(Some),
        notes: a.notes,
        justification: a.justification.map(|j| none_if_empty(j).map(Into::into)),
    })
}

fn state(s: &str) -> Result<State, Failure> {
    s.parse()
        .map_err(|e| Failure::Usage(format!("--state: {e}")))
}

/// Says what a change did and what comes next (or prints the item as JSON).
fn print_outcome(store: &Store, id: &str, said: &str, json: bool) -> CmdResult {
    let v = store.item_view(id)?;
    if json {
        let mut j = exchange::item_json(&v);
        super::decide::add_may_decide(store, &mut j, std::slice::from_ref(&v))?;
        output::json(&j)?;
    } else {
        say!(
            "{} (now {}, version {})",
            crate::domain::text::sanitize(said),
            v.item.state,
            v.item.version
        )?;
    }
    Ok(())
}

pub fn item(path: &Path, cmd: ItemCmd, json: bool) -> CmdResult {
    let mut store = open_store(path)?;
    let act = |store: &mut Store, id: &str, a: Action, version: Option<i64>| -> CmdResult {
        let before = store.item(id)?.state;
        let after = store.act(id, &a, version)?;
        print_outcome(store, id, &present::outcome(a.kind(), before, &after), json)
    };
    match cmd {
        ItemCmd::Add {
            project,
            fields,
            flags,
        } => {
            let f = fields_for_add(fields, flags)?;
            let it = store.add_item(&project, f)?;
            print_outcome(&store, &it.id(), &present::added(&it), json)?;
            let standard = store.standard_role(&it.project, &it.fields.system);
            match present::standard_hint(&it, standard.as_deref()) {
                Some(hint) if !json => say!("{}", crate::domain::text::sanitize(&hint)),
                _ => Ok(()),
            }
        }
        ItemCmd::Edit {
            id,
            version,
            fields,
            flags,
        } => {
            let current = store.item(&id)?;
            let patch = patch_for_edit(fields, flags, &current.fields)?;
            if patch.is_empty() {
                return Err(Failure::Usage(
                    "item edit: give at least one --FIELD VALUE to change".into(),
                ));
            }
            let before = current.state;
            let it = store.edit_item(&id, version, &patch)?;
            let said = present::outcome(ActionKind::Edit, before, &it);
            print_outcome(&store, &id, &said, json)
        }
        ItemCmd::List {
            project,
            state: st,
            blocked,
            expiring,
            csv,
        } => {
            if let Some(key) = &project {
                store.project(key)?;
            }
            let filter = ItemFilter {
                project,
                state: st.as_deref().map(state).transpose()?,
                blocked,
                expiring_days: expiring,
                updated_since: None,
            };
            let views = store.list_items(&filter)?;
            if let Some(days) = expiring.filter(|_| !csv) {
                return super::expiring::print(&store, &views, days, json);
            }
            if json {
                let mut j = exchange::items_json(&views);
                super::decide::add_may_decide(&store, &mut j, &views)?;
                output::json(&j)?;
            } else if csv {
                exchange::write_items(&views, std::io::stdout().lock())
                    .map_err(output::stdout_failed)?;
            } else {
                list_table(&store, &views, blocked)?;
            }
            Ok(())
        }
        ItemCmd::Show { id } => show(&store, &id, json),
        ItemCmd::Nudge { id } => super::nudge::nudge(&store, &id, json),
        ItemCmd::Submit { id, note } => act(&mut store, &id, Action::Submit { note }, None),
        ItemCmd::Cancel { id, note } => act(&mut store, &id, Action::Cancel { note }, None),
        ItemCmd::Reopen { id, note } => act(&mut store, &id, Action::Reopen { note }, None),
        ItemCmd::Approve {
            id,
            conditions,
            expires_by,
            mfa,
            read_only_first,
            hours,
            version,
        } => {
            let terms = crate::domain::conditions::ConditionFields {
                expires_by,
                mfa,
                read_only_first,
                hours,
            };
            let a = if terms.is_empty() {
                Action::Approve { conditions }
            } else {
                Action::ApproveWithConditions { conditions, terms }
            };
            act(&mut store, &id, a, version)
        }
        ItemCmd::Deny {
            id,
            reason,
            version,
        } => act(&mut store, &id, Action::Deny { reason }, version),
        ItemCmd::Return {
            id,
            reason,
            version,
        } => act(&mut store, &id, Action::Return { reason }, version),
        ItemCmd::Grant {
            id,
            method: m,
            note,
        } => {
            let m = m.as_deref().map(method).transpose()?;
            act(&mut store, &id, Action::Grant { method: m, note }, None)
        }
        ItemCmd::Verify {
            id,
            note,
            reference,
        } => act(&mut store, &id, Action::Verify { note, reference }, None),
        ItemCmd::Delegate { id, to, reason } => {
            super::decide::delegate(&mut store, &id, &to, &reason, json)
        }
        ItemCmd::Revoke { id, note } => act(&mut store, &id, Action::Revoke { note }, None),
        ItemCmd::Block { id, reason } => act(&mut store, &id, Action::Block { reason }, None),
        ItemCmd::Unblock { id } => act(&mut store, &id, Action::Unblock, None),
        ItemCmd::BreakGlass { id, reason } => {
            act(&mut store, &id, Action::BreakGlass { reason }, None)
        }
        ItemCmd::CloseRetro { id, outcome, note } => {
            act(&mut store, &id, Action::CloseRetro { note, outcome }, None)
        }
        ItemCmd::Rotated { id, note } => act(&mut store, &id, Action::Rotated { note }, None),
        ItemCmd::Extend {
            id,
            expires,
            reason,
            version,
        } => act(&mut store, &id, Action::Extend { expires, reason }, version),
        ItemCmd::Note { id, note } => act(&mut store, &id, Action::Note { text: note }, None),
        ItemCmd::UnsafeAttempt { id, channel, note } => {
            let channel: Channel = channel.parse().map_err(|_| {
                Failure::Usage(format!(
                    "--channel {}: use email, chat, form or other",
                    crate::domain::text::masked(&channel)
                ))
            })?;
            store.act(&id, &Action::ReportUnsafe { channel, note }, None)?;
            if !json {
                say!(
                    "recorded an unsafe credential attempt on {id} by {channel}; remind the credential owner to use a safe method. {id} blocks (rotation-due) until the credential is rotated: `accessdesk item rotated {id} --note TEXT`"
                )?;
            }
            Ok(())
        }
    }
}

fn list_table(store: &Store, views: &[ItemView], blocked: bool) -> CmdResult {
    let now = store.now();
    let rows: Vec<Vec<String>> = views
        .iter()
        .map(|v| {
            let it = &v.item;
            let flags: Vec<&str> = it.flags().iter().map(|f| f.badge()).collect();
            let mut r = vec![
                it.id(),
                it.state.to_string(),
                it.fields.system.clone(),
                it.fields.role.clone(),
                it.fields.approver.clone(),
                it.fields
                    .method
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "-".into()),
                flags.join(" "),
            ];
            if blocked {
                r.push(
                    v.blocked_since
                        .map(|s| output::age(now - s))
                        .unwrap_or_default(),
                );
                r.push(
                    v.reasons
                        .iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                );
            } else {
                r.push(if v.blocking() {
                    "BLOCKING".into()
                } else {
                    String::new()
                });
            }
            r
        })
        .collect();
    if blocked {
        output::table(
            &[
                "ID", "STATE", "SYSTEM", "ROLE", "APPROVER", "METHOD", "FLAGS", "AGE", "REASONS",
            ],
            &rows,
            60,
        )?;
    } else {
        output::table(
            &[
                "ID", "STATE", "SYSTEM", "ROLE", "APPROVER", "METHOD", "FLAGS", "BLOCKER",
            ],
            &rows,
            32,
        )?;
    }
    Ok(())
}

fn show(store: &Store, id: &str, json: bool) -> CmdResult {
    let v = store.item_view(id)?;
    let project = store.project(&v.item.project)?;
    let history = store.history(id)?;
    let stages = store.item_timeline(id)?;
    let tasks: Vec<_> = store
        .tasks(Some(&project.key))?
        .into_iter()
        .filter(|t| t.needs.contains(&v.item.id()))
        .collect();
    if json {
        let mut j = exchange::item_json(&v);
        super::decide::add_may_decide(store, &mut j, std::slice::from_ref(&v))?;
        j["history"] = json!(history);
        j["tasks"] = json!(tasks.iter().map(|t| t.id()).collect::<Vec<_>>());
        j["stage_durations_hours"] = super::outlook::item_json(&stages);
        j["collection_instruction"] = json!(crate::domain::text::sanitize_multiline(
            &v.item.collection_instruction(&project)
        ));
        output::json(&j)?;
        return Ok(());
    }
    let it = &v.item;
    let f = &it.fields;
    let mut o = String::new();
    let line = |o: &mut String, k: &str, val: String| o.push_str(&format!("  {k:<18}{val}\n"));
    let _ = writeln!(
        o,
        "{} — {} / {}  [{}] since {}",
        it.id(),
        f.system,
        f.role,
        it.state,
        output::local(it.state_since)
    );
    line(&mut o, "purpose", f.purpose.clone());
    line(
        &mut o,
        "holder",
        f.holder.clone().unwrap_or_else(|| "-".into()),
    );
    line(&mut o, "credential owner", f.credential_owner.clone());
    line(&mut o, "approval owner", f.approver.clone());
    line(&mut o, "requester", it.requester.clone());
    line(
        &mut o,
        "method",
        f.method
            .map(|m| m.to_string())
            .unwrap_or_else(|| "-".into()),
    );
    if let Some(m) = it.granted_method {
        line(&mut o, "granted by", m.to_string());
    }
    line(&mut o, "access", present::access_text(f));
    if let Some(x) = present::expiry::pending_text(it) {
        line(&mut o, "extension", x);
    }
    let flags: Vec<&str> = it.flags().iter().map(|f| f.as_str()).collect();
    line(
        &mut o,
        "flags",
        if flags.is_empty() {
            "-".into()
        } else {
            flags.join(", ")
        },
    );
    if let Some(e) = &f.exception {
        line(&mut o, "exception", present::exception_text(e));
    }
    line(
        &mut o,
        "needed by",
        blockers::needed_by(it, &project).to_string(),
    );
    if !f.notes.is_empty() {
        line(&mut o, "notes", f.notes.clone());
    }
    line(&mut o, "version", it.version.to_string());
    line(&mut o, "stages", super::outlook::item_text(&stages));
    let approvals: Vec<String> = it
        .approvals
        .iter()
        .map(|a| {
            format!(
                "{} as {} at {}{}",
                a.login,
                a.capacity,
                output::local(a.at),
                {
                    let mut said: Vec<String> = a.conditions.iter().cloned().collect();
                    said.extend(a.terms.iter().flat_map(|t| t.describe()));
                    if said.is_empty() {
                        String::new()
                    } else {
                        format!(" (conditions: {})", said.join("; "))
                    }
                }
            )
        })
        .collect();
    let missing: Vec<&str> = it.missing_approvals().iter().map(|c| c.as_str()).collect();
    let _ = writeln!(
        o,
        "approvals: {}",
        if approvals.is_empty() {
            "none".into()
        } else {
            crate::domain::text::sanitize(&approvals.join("; ")).into_owned()
        }
    );
    if matches!(it.state, State::Needed | State::Requested) {
        let _ = writeln!(
            o,
            "still needed: {}",
            if missing.is_empty() {
                "-".into()
            } else {
                missing.join(", ")
            }
        );
    }
    if v.blocking() {
        let age = v
            .blocked_since
            .map(|s| output::age(store.now() - s))
            .unwrap_or_default();
        let reasons: Vec<String> = v.reasons.iter().map(|r| r.to_string()).collect();
        let _ = writeln!(
            o,
            "BLOCKING for {age}: {}",
            crate::domain::text::sanitize(&reasons.join("; "))
        );
        let _ = writeln!(o, "waiting on: {}", blockers::waiting_on(it));
    } else if !it.state.is_terminal() {
        let _ = writeln!(o, "next: {}", blockers::next_step(it));
    }
    if !tasks.is_empty() {
        let t: Vec<String> = tasks
            .iter()
            .map(|t| format!("{} {}", t.id(), t.title))
            .collect();
        let _ = writeln!(o, "tasks: {}", crate::domain::text::sanitize(&t.join("; ")));
    }
    let _ = writeln!(o, "\ninstruction for the credential owner:");
    for l in it.collection_instruction(&project).lines() {
        let _ = writeln!(o, "  {}", crate::domain::text::sanitize(l));
    }
    let _ = writeln!(o, "\nhistory:");
    for e in history {
        let at = e
            .at_utc()
            .map(output::local)
            .unwrap_or_else(|| e.at.clone());
        let _ = writeln!(
            o,
            "  {at}  {:<8} {:<14} {}",
            e.login,
            e.kind,
            output::fit(&present::event_summary(&e), 120)
        );
    }
    output::text(&crate::domain::text::sanitize_multiline(&o))?;
    Ok(())
}

pub fn import(path: &Path, a: ImportArgs, json: bool) -> CmdResult {
    let file = std::fs::File::open(&a.file)
        .map_err(|e| Failure::Error(format!("cannot read {}: {e}", a.file.display())))?;
    let mut store = open_store(path)?;
    let key = a.project.to_ascii_uppercase();
    let check = store.row_check(&key, true);
    // The file is read and its rows checked on a second thread, while this one checks
    // them against the people and writes them, all in one transaction that commits
    // only once the whole file was read without a problem.
    let (to_store, from_reader) = std::sync::mpsc::sync_channel::<Batch>(16);
    let reader_check = check.as_ref().ok().cloned();
    let reader = std::thread::spawn(move || {
        let mut batch = Vec::with_capacity(BATCH_ROWS);
        // Off once the store stopped listening or a row was refused: the file is
        // still read to its end, so that all its problems are reported.
        let mut listening = reader_check.is_some();
        let read = exchange::read_items(std::io::BufReader::new(file), |line, fields| {
            let Some(check) = reader_check.as_ref().filter(|_| listening) else {
                return;
            };
            let row = check.check(line, fields);
            let refused = row.is_err();
            batch.push(row);
            if batch.len() == BATCH_ROWS || refused {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
                listening = to_store.send(Batch::Rows(full)).is_ok() && !refused;
            }
        });
        let _ = match &read {
            Ok(_) => to_store
                .send(Batch::Rows(batch))
                .and_then(|()| to_store.send(Batch::End)),
            Err(_) => to_store.send(Batch::Refused),
        };
        read.map_err(Box::new)
    });
    let stored = match check {
        Ok(_) => store.import_items(&key, received_rows(from_reader), a.dry_run),
        Err(e) => Err(e),
    };
    let read = reader.join().map_err(|_| {
        Failure::Error(format!(
            "{}: reading the file failed; nothing was imported",
            a.file.display()
        ))
    })?;
    // Problems in the file come first, as if it had been read before anything else.
    if let Err(e) = read {
        // A dry run writes nothing at all, not even the count of a refused credential:
        // it is a check of a file before anyone imports it, and the real import counts.
        if !a.dry_run {
            for attempt in e.unsafe_attempts() {
                store.record_unsafe_attempt(Some(&key), None, attempt)?;
            }
        }
        let msg = format!(
            "{}: {}\nnothing was imported",
            a.file.display(),
            e.report().trim_end()
        );
        return Err(match e.refusal_rule() {
            Some(_) => Failure::Refused(msg),
            None => Failure::Error(msg),
        });
    }
    let n = stored.map_err(|e| match Failure::from(e) {
        Failure::Rule(r) => Failure::Refused(format!(
            "{}: {}; nothing was imported",
            a.file.display(),
            super::words::refusal(&r)
        )),
        Failure::Refused(m) => {
            Failure::Refused(format!("{}: {m}; nothing was imported", a.file.display()))
        }
        Failure::Error(m) => {
            Failure::Error(format!("{}: {m}; nothing was imported", a.file.display()))
        }
        other => other,
    })?;
    if json {
        output::json(&json!({"project": key, "rows": n, "dry_run": a.dry_run}))?;
    } else if a.dry_run {
        say!("{n} rows are valid; nothing was written (dry run)")?;
    } else {
        say!("imported {n} items into {key}, all in needed")?;
    }
    Ok(())
}

/// Rows per message from the file reader to the store.
const BATCH_ROWS: usize = 256;

/// What the file reader tells the store.
enum Batch {
    Rows(Vec<crate::store::Result<CheckedRow>>),
    /// The whole file was read without a problem: the rows may be committed.
    End,
    /// The file has a problem: nothing may be written.
    Refused,
}

/// The rows as the reader sends them. Anything but a clean `End` (a refusal, or a
/// reader that stopped without one) yields an error, which rolls the import back.
fn received_rows(
    from_reader: std::sync::mpsc::Receiver<Batch>,
) -> impl Iterator<Item = crate::store::Result<CheckedRow>> {
    let mut pending = Vec::new().into_iter();
    let mut finished = false;
    std::iter::from_fn(move || {
        loop {
            if let Some(row) = pending.next() {
                return Some(row);
            }
            if finished {
                return None;
            }
            match from_reader.recv() {
                Ok(Batch::Rows(rows)) => pending = rows.into_iter(),
                Ok(Batch::End) => finished = true,
                Ok(Batch::Refused) | Err(_) => {
                    finished = true;
                    return Some(Err(crate::store::Error::Invalid(
                        "the file has problems".to_string(),
                    )));
                }
            }
        }
    })
}

pub fn export(path: &Path, a: ExportArgs) -> CmdResult {
    let store = open_store(path)?;
    if let Some(key) = &a.project {
        store.project(key)?;
    }
    let views = store.list_items(&ItemFilter {
        project: a.project,
        ..Default::default()
    })?;
    match a.format {
        ListFormat::Csv => exchange::write_items(&views, std::io::stdout().lock())
            .map_err(output::stdout_failed)?,
        ListFormat::Json => output::json(&exchange::items_json(&views))?,
    }
    Ok(())
}
