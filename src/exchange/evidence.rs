//! The data files of an evidence bundle: items, decisions and review accesses as CSV
//! (spreadsheet-safe, as export writes them) and as JSON Lines, and a Markdown summary
//! a person can read. Every value comes from the log; nothing depends on the moment the
//! files are written, so the same file and filters give the same bytes.

use super::export::{clean, put};
use crate::store::evidence::{Evidence, EvidenceItem};
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

/// The columns of `items.csv` before the stamps' (see [`column()`] for how each is found).
const ITEM_HEAD: &str = "id,project,system,purpose,role,holder,credential_owner,approver,requester,submitter,state,flags,method,granted_method,temporary,expires,deprovision,exception_reason,exception_owner,exception_expires,needed_by,approvers,conditions,delegations,break_glass_reason,retrospective_outcome";

/// The columns of `decisions.csv`.
pub const DECISION_HEAD: &str = "seq,link,at,login,uid,project,item,kind,capacity,from,to,conditions,reason,delegate,outcome,decision,campaign,note";

/// The columns of `reviews.csv`.
pub const REVIEW_HEAD: &str = "campaign,project,started_by,started_at,due,item,decision,decided_by,decided_at,note,started_uid,started_seq,started_link,decided_uid,decided_seq,decided_link";

/// The header of `items.csv`.
pub fn item_columns() -> Vec<String> {
    let mut cols: Vec<String> = ITEM_HEAD.split(',').map(str::to_string).collect();
    for prefix in STAMPS {
        for part in ["at", "by", "uid", "seq", "link"] {
            cols.push(format!("{prefix}_{part}"));
        }
    }
    cols
}

/// The value of a column in a row's JSON: the field of that name; else `A_B` as field
/// `B` of object `A` (`by` being its `login`); else the field of the row's `event`.
fn column<'a>(row: &'a Value, name: &str) -> Option<&'a Value> {
    if let Some(v) = row.get(name) {
        return Some(v);
    }
    if let Some((a, b)) = name.rsplit_once('_') {
        let b = if b == "by" { "login" } else { b };
        if let Some(v) = row.get(a).and_then(|o| o.get(b)) {
            return Some(v);
        }
    }
    row.get("event").and_then(|e| e.get(name))
}

/// A JSON value as one CSV cell: text as it is, a list joined by spaces.
fn cell_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| cell_text(Some(x)))
            .collect::<Vec<_>>()
            .join(" "),
        Some(other) => other.to_string(),
    }
}

/// Writes `rows` as CSV with `header`, each row being its JSON shape (as the JSON
/// Lines file holds it) read by [`column()`].
fn write_csv<W: Write>(
    out: W,
    header: &[String],
    rows: impl Iterator<Item = Value>,
) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(header)?;
    let mut buf = String::new();
    for row in rows {
        for name in header {
            put(&mut w, &mut buf, &cell_text(column(&row, name)), true)?;
        }
        w.write_record(None::<&[u8]>)?;
    }
    w.flush()?;
    Ok(())
}

fn json<T: Serialize>(row: &T) -> Value {
    serde_json::to_value(row).unwrap_or(Value::Null)
}

/// An item's JSON shape with the three cells its CSV row sums up: the approvals in
/// force (login, uid, capacity, seq), their conditions, the decisions handed on.
fn item_csv_row(it: &EvidenceItem) -> Value {
    let approvers: Vec<String> = it
        .approvals
        .iter()
        .map(|a| {
            let t = |k: &str| cell_text(a.get(k));
            match a.get("event").filter(|e| !e.is_null()) {
                Some(e) => format!(
                    "{} (uid {}, {}, seq {})",
                    t("login"),
                    cell_text(e.get("uid")),
                    t("capacity"),
                    cell_text(e.get("seq"))
                ),
                None => format!("{} ({})", t("login"), t("capacity")),
            }
        })
        .collect();
    let conditions: Vec<String> = it
        .approvals
        .iter()
        .filter_map(|a| {
            let c = a.get("conditions")?.as_str()?;
            Some(format!("{}: {c}", cell_text(a.get("login"))))
        })
        .collect();
    let delegations: Vec<String> = it
        .delegations
        .iter()
        .map(|d| {
            let t = |k: &str| cell_text(d.get(k));
            format!(
                "{} decision {} -> {} (seq {})",
                t("capacity"),
                t("from"),
                t("delegate"),
                cell_text(d["event"].get("seq"))
            )
        })
        .collect();
    let mut v = json(it);
    v["approvers"] = Value::String(approvers.join("; "));
    v["conditions"] = Value::String(conditions.join("; "));
    v["delegations"] = Value::String(delegations.join("; "));
    v
}

fn head(h: &str) -> Vec<String> {
    h.split(',').map(str::to_string).collect()
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
        serde_json::to_writer(&mut out, &cleaned(json(r))).map_err(io::Error::other)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

pub fn write_items_csv<W: Write>(ev: &Evidence, out: W) -> io::Result<()> {
    write_csv(out, &item_columns(), ev.items.iter().map(item_csv_row))
}

pub fn write_items_jsonl<W: Write>(ev: &Evidence, out: W) -> io::Result<()> {
    write_jsonl(out, &ev.items)
}

pub fn write_decisions_csv<W: Write>(ev: &Evidence, out: W) -> io::Result<()> {
    write_csv(out, &head(DECISION_HEAD), ev.decisions.iter().map(json))
}

pub fn write_decisions_jsonl<W: Write>(ev: &Evidence, out: W) -> io::Result<()> {
    write_jsonl(out, &ev.decisions)
}

pub fn write_reviews_csv<W: Write>(ev: &Evidence, out: W) -> io::Result<()> {
    write_csv(out, &head(REVIEW_HEAD), ev.reviews.iter().map(json))
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
            of.iter()
                .filter(|i| i.stamps.contains_key("break_glass"))
                .count()
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
    for it in ev.items.iter() {
        let Some(b) = it.stamps.get("break_glass") else {
            continue;
        };
        any = true;
        let said = |k: &str| cell_text(it.trail.get(k));
        let retro = match it.stamps.get("retrospective") {
            Some(r) => format!(
                "retrospective closed `{}` by {} at {} (seq {})",
                md(&said("retrospective_outcome")),
                md(&r.login),
                r.at,
                r.seq
            ),
            None => "retrospective not closed".to_string(),
        };
        let _ = writeln!(
            s,
            "- {} ({}): by {} at {} (seq {}): {}; {retro}.",
            md(&it.id),
            md(&it.fields.system),
            md(&b.login),
            b.at,
            b.seq,
            md(&said("break_glass_reason")),
        );
    }
    if !any {
        s.push_str("None.\n");
    }

    s.push_str("\n## Access reviews\n\n");
    let mut campaigns: Vec<i64> = ev
        .reviews
        .iter()
        .filter_map(|r| r.row["campaign"].as_i64())
        .collect();
    campaigns.dedup();
    if campaigns.is_empty() {
        s.push_str("None.\n");
    } else {
        s.push_str("| campaign | project | started | accesses | certified | to revoke | undecided |\n|---|---|---|---|---|---|---|\n");
    }
    for c in campaigns {
        let of: Vec<&Value> = ev
            .reviews
            .iter()
            .filter(|r| r.row["campaign"] == c)
            .map(|r| &r.row["decision"])
            .collect();
        let first = &ev
            .reviews
            .iter()
            .find(|r| r.row["campaign"] == c)
            .map(|r| &r.row);
        let Some(first) = first else { continue };
        let count = |d: &str| of.iter().filter(|v| v.as_str() == Some(d)).count();
        let _ = writeln!(
            s,
            "| {c} | {} | {} by {} | {} | {} | {} | {} |",
            md(&cell_text(first.get("project"))),
            cell_text(first.get("started_at")),
            md(&cell_text(first.get("started_by"))),
            of.len(),
            count("certify"),
            count("revoke"),
            of.iter().filter(|v| v.is_null()).count()
        );
    }

    s.push_str("\n## Files\n\n");
    for (name, what) in FILES {
        if ev.reviews.is_empty() && name.starts_with("reviews") {
            continue;
        }
        let _ = writeln!(s, "- `{name}`: {what}.");
    }
    s.push_str("- `manifest.json`: who drew the bundle and when, the filters, the app and schema versions, the row counts, the head of the log, and the SHA-256 of every other file.\n");
    s
}
