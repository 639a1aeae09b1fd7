//! The data files of an evidence bundle: items, decisions and review accesses as CSV
//! (spreadsheet-safe, as export writes them) and as JSON Lines, and a Markdown summary
//! a person can read. Every value comes from the log; nothing depends on the moment the
//! files are written, so the same file and filters give the same bytes.

use super::export::{clean, put};
use crate::store::evidence::{Evidence, EvidenceItem, Stamp};
use serde::Serialize;
use serde_json::Value;
use std::fmt::Write as _;
use std::io::{self, Write};

/// What the bundle was drawn for, as its summary and manifest state it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filters {
    pub project: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
}

/// The data files, in the order they are written: (name, what it holds).
pub const FILES: [(&str, &str); 7] = [
    (
        "items.csv",
        "every access item of the filter, as the log left it at the end of the window",
    ),
    ("items.jsonl", "the same items, one JSON object a line"),
    ("decisions.csv", "every decision recorded in the window"),
    (
        "decisions.jsonl",
        "the same decisions, one JSON object a line",
    ),
    (
        "reviews.csv",
        "every access covered by a review campaign started by the end of the window (only when there are any)",
    ),
    (
        "reviews.jsonl",
        "the same review accesses, one JSON object a line",
    ),
    ("summary.md", "a summary for a person to read"),
];

/// The events an item row cites, each as five columns `NAME_at`, `NAME_by`,
/// `NAME_uid`, `NAME_seq`, `NAME_link`: added, the last move into each state, the
/// emergency grant and its retrospective.
pub const STAMPS: [&str; 8] = [
    "added",
    "requested",
    "approved",
    "granted",
    "verified",
    "revoked",
    "break_glass",
    "retrospective",
];

fn stamps(it: &EvidenceItem) -> [Option<&Stamp>; 8] {
    [
        it.added.as_ref(),
        it.requested.as_ref(),
        it.approved.as_ref(),
        it.granted.as_ref(),
        it.verified.as_ref(),
        it.revoked.as_ref(),
        it.break_glass.as_ref(),
        it.retrospective.as_ref(),
    ]
}

const STAMP_PARTS: [&str; 5] = ["at", "by", "uid", "seq", "link"];

fn stamp_cells(s: Option<&Stamp>) -> [String; 5] {
    match s {
        None => Default::default(),
        Some(s) => [
            s.at.clone(),
            s.login.clone(),
            s.uid.to_string(),
            s.seq.to_string(),
            s.link.clone(),
        ],
    }
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

/// The header of `items.csv`.
pub fn item_columns() -> Vec<String> {
    let mut cols: Vec<String> = [
        "id",
        "project",
        "system",
        "purpose",
        "role",
        "holder",
        "credential_owner",
        "approval_owner",
        "requester",
        "submitter",
        "state",
        "flags",
        "method",
        "granted_method",
        "expires",
        "approvers",
        "conditions",
        "delegations",
        "break_glass_reason",
        "retrospective_outcome",
    ]
    .iter()
    .map(|c| c.to_string())
    .collect();
    for prefix in STAMPS {
        cols.extend(STAMP_PARTS.iter().map(|p| format!("{prefix}_{p}")));
    }
    cols
}

fn item_cells(it: &EvidenceItem) -> Vec<(String, bool)> {
    let approvers: Vec<String> = it
        .approvals
        .iter()
        .map(|a| match &a.event {
            Some(e) => format!("{} (uid {}, {}, seq {})", a.login, e.uid, a.capacity, e.seq),
            None => format!("{} ({})", a.login, a.capacity),
        })
        .collect();
    let conditions: Vec<String> = it
        .approvals
        .iter()
        .filter_map(|a| Some(format!("{}: {}", a.login, a.conditions.as_deref()?)))
        .collect();
    let delegations: Vec<String> = it
        .delegations
        .iter()
        .map(|d| {
            format!(
                "{} decision {} -> {} (seq {})",
                d.capacity.as_deref().unwrap_or("a"),
                d.from.as_deref().unwrap_or("?"),
                d.to.as_deref().unwrap_or("?"),
                d.event.seq
            )
        })
        .collect();
    let mut cells: Vec<(String, bool)> = vec![
        (it.id.clone(), false),
        (it.project.clone(), false),
        (it.system.clone(), false),
        (it.purpose.clone(), false),
        (it.role.clone(), false),
        (opt(&it.holder), false),
        (it.credential_owner.clone(), false),
        (it.approval_owner.clone(), false),
        (it.requester.clone(), false),
        (opt(&it.submitter), false),
        (it.state.clone(), false),
        (it.flags.join(" "), false),
        (opt(&it.method), false),
        (opt(&it.granted_method), false),
        (opt(&it.expires), false),
        (approvers.join("; "), false),
        (conditions.join("; "), true),
        (delegations.join("; "), false),
        (opt(&it.break_glass_reason), true),
        (opt(&it.retrospective_outcome), false),
    ];
    for s in stamps(it) {
        cells.extend(stamp_cells(s).into_iter().map(|c| (c, false)));
    }
    cells
}

fn write_csv<W: Write>(
    out: W,
    header: &[String],
    rows: impl Iterator<Item = Vec<(String, bool)>>,
) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(header)?;
    let mut buf = String::new();
    for row in rows {
        for (value, multiline) in &row {
            put(&mut w, &mut buf, value, *multiline)?;
        }
        w.write_record(None::<&[u8]>)?;
    }
    w.flush()?;
    Ok(())
}

/// Every string in `v` made safe for a terminal (line feeds and tabs kept).
fn cleaned(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(clean(&s, true).into_owned()),
        Value::Array(a) => Value::Array(a.into_iter().map(cleaned).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, cleaned(v))).collect()),
        other => other,
    }
}

fn write_jsonl<W: Write, T: Serialize>(mut out: W, rows: &[T]) -> io::Result<()> {
    for r in rows {
        let v = cleaned(serde_json::to_value(r).map_err(io::Error::other)?);
        serde_json::to_writer(&mut out, &v).map_err(io::Error::other)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

pub fn write_items_csv<W: Write>(ev: &Evidence, out: W) -> io::Result<()> {
    write_csv(out, &item_columns(), ev.items.iter().map(item_cells))
}

pub fn write_items_jsonl<W: Write>(ev: &Evidence, out: W) -> io::Result<()> {
    write_jsonl(out, &ev.items)
}

/// The header of `decisions.csv`.
pub const DECISION_COLUMNS: [&str; 17] = [
    "seq",
    "link",
    "at",
    "login",
    "uid",
    "project",
    "item",
    "kind",
    "capacity",
    "from",
    "to",
    "conditions",
    "reason",
    "delegate",
    "outcome",
    "campaign",
    "note",
];

pub fn write_decisions_csv<W: Write>(ev: &Evidence, out: W) -> io::Result<()> {
    let header: Vec<String> = DECISION_COLUMNS.iter().map(|c| c.to_string()).collect();
    write_csv(
        out,
        &header,
        ev.decisions.iter().map(|d| {
            vec![
                (d.event.seq.to_string(), false),
                (d.event.link.clone(), false),
                (d.event.at.clone(), false),
                (d.event.login.clone(), false),
                (d.event.uid.to_string(), false),
                (opt(&d.project), false),
                (opt(&d.item), false),
                (d.kind.clone(), false),
                (opt(&d.capacity), false),
                (opt(&d.from), false),
                (opt(&d.to), false),
                (opt(&d.conditions), true),
                (opt(&d.reason), true),
                (opt(&d.delegate), false),
                (opt(&d.outcome), false),
                (d.campaign.map(|c| c.to_string()).unwrap_or_default(), false),
                (opt(&d.note), true),
            ]
        }),
    )
}

pub fn write_decisions_jsonl<W: Write>(ev: &Evidence, out: W) -> io::Result<()> {
    write_jsonl(out, &ev.decisions)
}

/// The header of `reviews.csv`.
pub const REVIEW_COLUMNS: [&str; 16] = [
    "campaign",
    "project",
    "started_by",
    "started_at",
    "due",
    "item",
    "decision",
    "decided_by",
    "decided_at",
    "note",
    "started_uid",
    "started_seq",
    "started_link",
    "decided_uid",
    "decided_seq",
    "decided_link",
];

pub fn write_reviews_csv<W: Write>(ev: &Evidence, out: W) -> io::Result<()> {
    let header: Vec<String> = REVIEW_COLUMNS.iter().map(|c| c.to_string()).collect();
    write_csv(
        out,
        &header,
        ev.reviews.iter().map(|r| {
            let s = stamp_cells(r.started.as_ref());
            let d = stamp_cells(r.decided.as_ref());
            vec![
                (r.campaign.to_string(), false),
                (r.project.clone(), false),
                (r.started_by.clone(), false),
                (r.started_at.clone(), false),
                (opt(&r.due), false),
                (r.item.clone(), false),
                (opt(&r.decision), false),
                (opt(&r.decided_by), false),
                (opt(&r.decided_at), false),
                (opt(&r.note), true),
                (s[2].clone(), false),
                (s[3].clone(), false),
                (s[4].clone(), false),
                (d[2].clone(), false),
                (d[3].clone(), false),
                (d[4].clone(), false),
            ]
        }),
    )
}

pub fn write_reviews_jsonl<W: Write>(ev: &Evidence, out: W) -> io::Result<()> {
    write_jsonl(out, &ev.reviews)
}

/// A table cell of the summary: one line, no pipe that would split the cell.
fn md(s: &str) -> String {
    clean(s, false).replace('|', "\\|")
}

/// The Markdown summary.
pub fn summary(ev: &Evidence, f: &Filters) -> String {
    let mut s = String::from("# Access evidence\n\n");
    let scope = f
        .project
        .as_deref()
        .map_or("all projects".to_string(), |p| format!("project {}", md(p)));
    let window = match (&f.since, &f.until) {
        (None, None) => "all history".to_string(),
        (Some(a), None) => format!("from {a} on (UTC days)"),
        (None, Some(b)) => format!("up to {b} (UTC days)"),
        (Some(a), Some(b)) => format!("{a} to {b} (UTC days, both included)"),
    };
    let _ = writeln!(s, "- Scope: {scope}; window: {window}.");
    let _ = writeln!(
        s,
        "- The log: {} events, head seq {}, link `{}`; schema version {}. The file passed the audit verification (chain, replay against the tables, schema) before this was drawn.",
        ev.events, ev.head_seq, ev.head_hash, ev.schema_version
    );
    let _ = writeln!(
        s,
        "- {} access items, {} decisions, {} review accesses. Times are UTC (ISO-8601); each row names the event (seq and link) that records it.\n",
        ev.items.len(),
        ev.decisions.len(),
        ev.reviews.len()
    );

    s.push_str("## Items by project and state\n\n| project | items | needed | requested | approved | granted | verified | denied | revoked | cancelled | emergency |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    let mut projects: Vec<&str> = ev.items.iter().map(|i| i.project.as_str()).collect();
    projects.dedup();
    let states = [
        "needed",
        "requested",
        "approved",
        "granted",
        "verified",
        "denied",
        "revoked",
        "cancelled",
    ];
    for p in projects {
        let of: Vec<&EvidenceItem> = ev.items.iter().filter(|i| i.project == p).collect();
        let _ = write!(s, "| {} | {} |", md(p), of.len());
        for st in states {
            let _ = write!(s, " {} |", of.iter().filter(|i| i.state == st).count());
        }
        let _ = writeln!(
            s,
            " {} |",
            of.iter().filter(|i| i.break_glass.is_some()).count()
        );
    }

    s.push_str("\n## Decisions by kind\n\n| kind | count |\n|---|---|\n");
    let mut kinds: Vec<&str> = ev.decisions.iter().map(|d| d.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    if kinds.is_empty() {
        s.push_str("| (none) | 0 |\n");
    }
    for k in kinds {
        let n = ev.decisions.iter().filter(|d| d.kind == k).count();
        let _ = writeln!(s, "| {k} | {n} |");
    }

    s.push_str("\n## Emergency access (break-glass)\n\n");
    let mut any = false;
    for it in ev.items.iter().filter(|i| i.break_glass.is_some()) {
        any = true;
        let Some(b) = &it.break_glass else { continue };
        let retro = match (&it.retrospective_outcome, &it.retrospective) {
            (Some(o), Some(r)) => format!(
                "retrospective closed `{o}` by {} at {} (seq {})",
                md(&r.login),
                r.at,
                r.seq
            ),
            _ => "retrospective not closed".to_string(),
        };
        let _ = writeln!(
            s,
            "- {} ({}): by {} at {} (seq {}): {}; {retro}.",
            md(&it.id),
            md(&it.system),
            md(&b.login),
            b.at,
            b.seq,
            md(it
                .break_glass_reason
                .as_deref()
                .unwrap_or("no reason recorded")),
        );
    }
    if !any {
        s.push_str("None.\n");
    }

    s.push_str("\n## Access reviews\n\n");
    let mut campaigns: Vec<i64> = ev.reviews.iter().map(|r| r.campaign).collect();
    campaigns.dedup();
    if campaigns.is_empty() {
        s.push_str("None.\n");
    } else {
        s.push_str("| campaign | project | started | accesses | certified | to revoke | undecided |\n|---|---|---|---|---|---|---|\n");
    }
    for c in campaigns {
        let of: Vec<_> = ev.reviews.iter().filter(|r| r.campaign == c).collect();
        let count = |d: Option<&str>| of.iter().filter(|r| r.decision.as_deref() == d).count();
        let _ = writeln!(
            s,
            "| {c} | {} | {} by {} | {} | {} | {} | {} |",
            md(&of[0].project),
            of[0].started_at,
            md(&of[0].started_by),
            of.len(),
            count(Some("certify")),
            count(Some("revoke")),
            count(None)
        );
    }

    s.push_str("\n## Files\n\n");
    for (name, what) in FILES {
        let _ = writeln!(s, "- `{name}`: {what}.");
    }
    s.push_str("- `manifest.json`: who drew the bundle and when, the filters, the app and schema versions, the row counts, the head of the log, and the SHA-256 of every other file.\n");
    s
}
