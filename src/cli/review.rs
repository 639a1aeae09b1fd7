//! `review`: access reviews (certification campaigns) on the command line. Starts a
//! campaign, lists and shows campaigns, and records certify / revoke decisions, one
//! by one or for every standard access of a campaign at once. The rules are the
//! domain's; this only prints what the store returns.

use super::args::ReviewCmd;
use super::{CmdResult, open_store, output};
use crate::domain::review::{Campaign, Decision, Entry};
use crate::domain::text::sanitize;
use crate::store::BulkCertified;
use serde_json::json;
use std::path::Path;

pub fn command(path: &Path, cmd: ReviewCmd, json: bool) -> CmdResult {
    let mut store = open_store(path)?;
    match cmd {
        ReviewCmd::Start { project, due } => {
            let c = store.start_review(&project, due)?;
            if json {
                return output::json(&json!(c));
            }
            let due = c.due.map(|d| format!(", due {d}")).unwrap_or_default();
            say!(
                "Started access review {} of {}: {} live access{} to certify or revoke{due}.",
                c.id,
                c.project,
                c.progress.items,
                plural(c.progress.items)
            )?;
            say!(
                "Next: review certify ITEM, review revoke ITEM, or review certify --all-standard --campaign {}",
                c.id
            )
        }
        ReviewCmd::List { project } => {
            let list = store.campaigns(project.as_deref())?;
            output::list(
                json,
                &list,
                &[
                    "ID",
                    "PROJECT",
                    "STATE",
                    "DUE",
                    "DECIDED",
                    "CERTIFIED",
                    "REVOKED",
                    "STARTED BY",
                ],
                24,
                campaign_row,
            )
        }
        ReviewCmd::Show { id } => {
            let c = store.campaign(id)?;
            let entries = store.campaign_entries(id)?;
            if json {
                let mut v = json!(c);
                v["items"] = json!(entries);
                return output::json(&v);
            }
            say!("{}", summary(&c))?;
            let rows: Vec<Vec<String>> = entries.iter().map(entry_row).collect();
            output::table(
                &[
                    "ITEM", "SYSTEM", "ROLE", "HOLDER", "FLAG", "DECISION", "BY", "NOTE",
                ],
                &rows,
                24,
            )
        }
        ReviewCmd::Certify {
            all_standard: true,
            campaign: Some(id),
            note,
            ..
        } => {
            let done = store.review_certify_standard(id, note.as_deref())?;
            print_bulk(&done, json)
        }
        ReviewCmd::Certify {
            item: Some(item),
            campaign,
            note,
            ..
        } => decide(&mut store, &item, campaign, Decision::Certify, note, json),
        ReviewCmd::Certify { .. } => Err(super::Failure::Usage(
            "name the ITEM to certify, or --all-standard with --campaign ID".into(),
        )),
        ReviewCmd::Revoke {
            item,
            campaign,
            note,
        } => decide(&mut store, &item, campaign, Decision::Revoke, note, json),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "es" }
}

fn progress(c: &Campaign) -> String {
    format!("{}/{}", c.progress.decided(), c.progress.items)
}

fn campaign_row(c: &Campaign) -> Vec<String> {
    let due = c.due.map_or_else(|| "-".to_string(), |d| d.to_string());
    let (certified, revoked) = (c.progress.certified, c.progress.revoked);
    let mut row = vec![
        c.id.to_string(),
        c.project.clone(),
        c.state.to_string(),
        due,
    ];
    row.extend([progress(c), certified.to_string(), revoked.to_string()]);
    row.push(c.started_by.clone());
    row
}

fn summary(c: &Campaign) -> String {
    let due = c.due.map(|d| format!(", due {d}")).unwrap_or_default();
    let ended = match c.progress.ended {
        0 => String::new(),
        n => format!(", {n} ended outside the review"),
    };
    format!(
        "Access review {} of {} ({}{due}): {} decided — {} certified, {} to revoke{ended}; started by {} on {}",
        c.id,
        c.project,
        c.state,
        progress(c),
        c.progress.certified,
        c.progress.revoked,
        c.started_by,
        output::local(c.started_at)
    )
}

fn entry_row(e: &Entry) -> Vec<String> {
    let decision = match (e.decision, e.live) {
        (Some(d), _) => d.to_string(),
        (None, true) => "undecided".to_string(),
        (None, false) => "ended".to_string(),
    };
    vec![
        e.item.clone(),
        e.system.clone(),
        e.role.clone(),
        e.holder.clone().unwrap_or_default(),
        if e.flagged { "flagged" } else { "" }.to_string(),
        decision,
        e.decided_by.clone().unwrap_or_default(),
        e.note.clone().unwrap_or_default(),
    ]
}

fn decide(
    store: &mut crate::store::Store,
    item: &str,
    campaign: Option<i64>,
    decision: Decision,
    note: Option<String>,
    json: bool,
) -> CmdResult {
    let c = store.review_decide(item, campaign, decision, note.as_deref())?;
    let id = item.trim().to_ascii_uppercase();
    if json {
        return output::json(&json!({"item": id, "decision": decision, "campaign": c}));
    }
    say!(
        "{} {} in access review {} ({} decided, {}).",
        sanitize(&id),
        decision.done(),
        c.id,
        progress(&c),
        c.state
    )?;
    if decision == Decision::Revoke {
        say!(
            "It blocks (revocation-due) until the access is removed: item revoke {} --note \"how removal was confirmed\"",
            sanitize(&id)
        )?;
    }
    Ok(())
}

fn print_bulk(done: &BulkCertified, json: bool) -> CmdResult {
    if json {
        let refused: Vec<_> = done
            .refused
            .iter()
            .map(|(id, r)| json!({"item": id, "rule": r.rule.name(), "problem": r.problem}))
            .collect();
        return output::json(&json!({
            "campaign": done.campaign,
            "certified": done.certified,
            "flagged": done.flagged,
            "refused": refused,
        }));
    }
    say!(
        "Certified {} standard access{} in access review {}{}",
        done.certified.len(),
        plural(done.certified.len()),
        done.campaign,
        if done.certified.is_empty() {
            ".".to_string()
        } else {
            format!(": {}.", done.certified.join(", "))
        }
    )?;
    if !done.flagged.is_empty() {
        say!(
            "Left {} flagged access{} for a decision one by one (review flag, never certified in bulk): {}.",
            done.flagged.len(),
            plural(done.flagged.len()),
            done.flagged.join(", ")
        )?;
    }
    for (id, r) in &done.refused {
        say!(
            "Not certified {id}: {} ({})",
            sanitize(&r.message()),
            r.rule
        )?;
    }
    Ok(())
}
