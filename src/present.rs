//! Words and measures for people, shared by the command line and the terminal UI:
//! ages, dates and times, cutting and wrapping by display width, how an item's
//! access, exception, approvals and history read, and what a move did and what comes
//! next. Both front ends print these, so they say the same thing in the same words.
//!
//! Nothing here decides a rule (that is the domain's) or draws (that is the TUI's);
//! it may read domain and store types, never the front ends'.

use crate::domain::blockers::{self, NextStep};
use crate::domain::machine::ActionKind;
use crate::domain::{Exception, Item, ItemFields, State, text};
use crate::store::Event;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use std::fmt::Display;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub mod expiry;

/// Display width of `s` in terminal cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` terminal cells, ending with `…` when something was cut.
pub fn cut(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Breaks `s` into lines of at most `max` cells, at spaces where possible.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in para.split(' ') {
            let w = width(word);
            if used > 0 && used + 1 + w > max {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            if used > 0 {
                line.push(' ');
                used += 1;
            }
            if w <= max - used {
                line.push_str(word);
                used += w;
                continue;
            }
            // A word longer than the line: break it by characters.
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > max && used > 0 {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                }
                line.push(c);
                used += cw;
            }
        }
        lines.push(line);
    }
    lines
}

/// A duration as people read ages: `3d 4h`, `5h 12m`, `12m`; never negative.
pub fn age(d: Duration) -> String {
    let d = d.max(Duration::zero());
    let days = d.num_days();
    let hours = d.num_hours() % 24;
    let minutes = d.num_minutes() % 60;
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {minutes}m")
    } else {
        format!("{minutes}m")
    }
}

/// A timestamp in a time zone, to the minute.
pub fn local_time<Z: TimeZone>(t: DateTime<Utc>, tz: &Z) -> String
where
    Z::Offset: Display,
{
    t.with_timezone(tz).format("%Y-%m-%d %H:%M").to_string()
}

/// A date as `YYYY-MM-DD`, or nothing.
pub fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Days as "in 12d", "today", "3d ago".
pub fn days_relative(days: i64) -> String {
    match days {
        0 => "today".to_string(),
        d if d > 0 => format!("in {d}d"),
        d => format!("{}d ago", -d),
    }
}

/// "1 blocker", "2 blockers", "0 blockers".
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// How long the access lasts: "permanent", "temporary until 2026-12-31, deprovision
/// on-date", "temporary, no expiry yet".
pub fn access_text(f: &ItemFields) -> String {
    match (f.temporary, f.expires) {
        (true, Some(d)) => format!(
            "temporary until {}, deprovision {}",
            d.format("%Y-%m-%d"),
            f.deprovision.map(|d| d.as_str()).unwrap_or("on-date")
        ),
        (true, None) => "temporary, no expiry yet".to_string(),
        (false, _) => "permanent".to_string(),
    }
}

/// A security exception: "legacy SSO (owner dana, until 2026-12-31)".
pub fn exception_text(e: &Exception) -> String {
    format!(
        "{} (owner {}, until {})",
        e.reason,
        e.owner
            .as_deref()
            .filter(|o| !o.trim().is_empty())
            .unwrap_or("?"),
        e.expires
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "?".into())
    )
}

/// An item as people name it in a sentence: "ACME-3 (Google Analytics, Editor)",
/// leaving out what is still empty.
pub fn item_label(item: &Item) -> String {
    let f = &item.fields;
    let parts: Vec<&str> = [f.system.trim(), f.role.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        item.id()
    } else {
        format!("{} ({})", item.id(), parts.join(", "))
    }
}

/// What adding an item did, and what comes next.
pub fn added(item: &Item) -> String {
    format!(
        "Added {} as {}. Next: {}.",
        item_label(item),
        item.state,
        blockers::next_step(item)
    )
}

/// The least-privilege hint for an item whose system has a standard role: which role
/// is standard, and what an item above it needs. `None` when there is nothing to say.
pub fn standard_hint(item: &Item, standard: Option<&str>) -> Option<String> {
    let standard = standard?;
    let f = &item.fields;
    if f.role.trim().is_empty() {
        return Some(format!(
            "The standard (least) role for {} is {standard}.",
            f.system
        ));
    }
    if !f.above_standard {
        return None;
    }
    let missing = f
        .justification
        .as_deref()
        .is_none_or(|j| j.trim().is_empty());
    Some(format!(
        "{} is above the standard role {standard} for {}: it needs a security review{}.",
        f.role,
        f.system,
        if missing {
            " and a justification before submit"
        } else {
            ""
        }
    ))
}

/// What a move did, in words, and what comes next: the status line of the TUI and
/// the answer of the CLI after a change.
pub fn outcome(kind: ActionKind, before: State, item: &Item) -> String {
    if let Some(said) = expiry::outcome(kind, before, item) {
        return said;
    }
    let label = item_label(item);
    let did = match kind {
        ActionKind::Approve => {
            let missing = item.missing_approvals();
            if missing.is_empty() {
                format!("Approved {label}: every approval it needs is given")
            } else {
                let m: Vec<&str> = missing.iter().map(|c| c.as_str()).collect();
                format!(
                    "Approved {label}; it still needs approval by {}",
                    m.join(" and ")
                )
            }
        }
        ActionKind::BreakGlass => format!(
            "EMERGENCY GRANT on {label}: {}",
            crate::domain::lifecycle::break_glass_reminder()
        ),
        ActionKind::CloseRetro if item.state == State::Revoked => {
            format!("Closed the break-glass retrospective of {label} and revoked the access")
        }
        ActionKind::Edit => {
            if before != item.state {
                format!(
                    "Edited {label}: the change is material, its approvals lapsed and it is back in {}",
                    item.state
                )
            } else {
                format!("Edited {label}")
            }
        }
        other => {
            let (verb, rest) = plain_outcome(other);
            format!("{verb} {label}{rest}")
        }
    };
    // At grant, whoever grants applies the approvals' conditions: said there.
    let conditions = match kind {
        ActionKind::Grant => crate::domain::conditions::summary(item)
            .map(|c| format!("; conditions to apply: {c}"))
            .unwrap_or_default(),
        _ => String::new(),
    };
    format!(
        "{did}{conditions}. Next: {}.",
        next_text(&blockers::next_step(item))
    )
}

/// The words around an item's label for the moves whose outcome needs nothing else.
fn plain_outcome(kind: ActionKind) -> (&'static str, &'static str) {
    match kind {
        ActionKind::Submit => ("Submitted", " for approval"),
        ActionKind::Deny => ("Denied", ""),
        ActionKind::Return => ("Returned", " to its requester for changes"),
        ActionKind::Grant => ("Recorded the grant of access to", ""),
        ActionKind::Verify => ("Verified", ": it is ready"),
        ActionKind::Revoke => ("Revoked", ""),
        ActionKind::Cancel => ("Cancelled", ""),
        ActionKind::Reopen => ("Reopened", ""),
        ActionKind::Block => ("Flagged", " as blocked"),
        ActionKind::Unblock => ("Cleared the manual blocker on", ""),
        ActionKind::BreakGlass => ("EMERGENCY GRANT on", ""),
        ActionKind::CloseRetro => ("Closed the break-glass retrospective of", ""),
        ActionKind::Note => ("Added a note to", ""),
        ActionKind::ReportUnsafe => (
            "Recorded an unsafe credential attempt on",
            ": it blocks until the credential is rotated",
        ),
        ActionKind::Rotated => ("Recorded the rotated credential of", ""),
        ActionKind::Approve | ActionKind::Edit => ("Changed", ""),
        ActionKind::Extend => ("Asked to extend", ""),
    }
}

fn next_text(step: &NextStep) -> String {
    step.to_string()
}

/// One line summing up an event's payload for an item's history.
pub fn event_summary(e: &Event) -> String {
    let p = &e.payload;
    let mut parts: Vec<String> = Vec::new();
    match (p["from"].as_str(), p["to"].as_str()) {
        (Some(f), Some(t)) => parts.push(format!("{f} → {t}")),
        (None, Some(t)) => parts.push(format!("→ {t}")),
        _ => {}
    }
    if let Some(c) = p["capacity"].as_str() {
        parts.push(format!("as {c}"));
    }
    if let (Some(d), Some(c)) = (p["decision"].as_str(), p["campaign"].as_i64()) {
        parts.push(format!("{d} in access review {c}"));
    }
    if let Some(m) = p["method"].as_str() {
        parts.push(format!("method {m}"));
    }
    if let (Some(from), Some(to)) = (p["from"].as_str(), p["delegate"].as_str()) {
        parts.push(format!("handed from {from} to {to}"));
    }
    for key in ["reason", "conditions", "note", "reference"] {
        if let Some(s) = p[key].as_str().filter(|s| !s.is_empty()) {
            parts.push(format!("{key}: {s}"));
        }
    }
    if let Ok(t) =
        serde_json::from_value::<crate::domain::conditions::ConditionFields>(p["terms"].clone())
    {
        parts.extend(t.describe());
    }
    if let Some(changed) = p["changed"].as_array() {
        let names: Vec<&str> = changed.iter().filter_map(|v| v.as_str()).collect();
        parts.push(format!("changed {}", names.join(", ")));
    }
    if p["approvals_lapsed"].is_array() {
        parts.push("approvals lapsed".into());
    }
    if let Some(s) = p["still_needed"].as_array().filter(|a| !a.is_empty()) {
        let names: Vec<&str> = s.iter().filter_map(|v| v.as_str()).collect();
        parts.push(format!("still needed: {}", names.join(", ")));
    }
    if let (Some(k), Some(seq)) = (p["undone"].as_str(), p["undoes"].as_i64()) {
        parts.push(format!("undoes the {k} of event {seq}"));
    }
    if e.kind == "unsafe-attempt" {
        parts.push(match p["channel"].as_str() {
            Some(channel) => format!("credential offered by {channel}"),
            None => format!(
                "credential refused in {} ({})",
                p["field"].as_str().unwrap_or("?"),
                p["detector"].as_str().unwrap_or("?")
            ),
        });
    }
    text::sanitize(&parts.join(" · ")).into_owned()
}

/// The nudge for an item as listed (its blockers as assessed when it was read), with
/// the people registered, at `now`: the same message in the detail view, on the
/// clipboard and from the CLI.
pub fn nudge(
    v: &crate::store::ItemView,
    project: &crate::domain::Project,
    people: &[crate::domain::Person],
    now: DateTime<Utc>,
) -> Option<crate::domain::nudge::Nudge> {
    crate::domain::nudge::for_item(&crate::domain::nudge::Context {
        item: &v.item,
        project,
        reasons: &v.reasons,
        blocked_since: v.blocked_since,
        people,
        now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ItemFields, Method};

    fn item(state: State) -> Item {
        let fields = ItemFields {
            system: "Google Analytics".into(),
            role: "Editor".into(),
            purpose: "tags".into(),
            credential_owner: "Ana".into(),
            approver: "frank".into(),
            method: Some(Method::Vault),
            ..Default::default()
        };
        let t = "2026-11-01T09:00:00Z".parse().unwrap();
        Item {
            state,
            ..Item::new("ACME", 1, fields, "carol", t)
        }
    }

    #[test]
    fn cut_counts_cells_not_chars() {
        assert_eq!(cut("日本語テキスト", 6), "日本…");
        assert_eq!(cut("short", 10), "short");
        assert_eq!(width("日本"), 4);
    }

    #[test]
    fn texts_that_used_to_mislead() {
        // A manual blocker on verified access: says what happened and what is next,
        // not "block: now verified".
        let it = item(State::Verified);
        assert_eq!(
            outcome(ActionKind::Block, State::Verified, &it),
            "Flagged ACME-1 (Google Analytics, Editor) as blocked. Next: nothing: ready; revoke it when the project ends."
        );
        assert_eq!(plural(1, "blocker"), "1 blocker");
        assert_eq!(plural(2, "blocker"), "2 blockers");
        let mut bare = item(State::Needed);
        bare.fields.role.clear();
        assert_eq!(item_label(&bare), "ACME-1 (Google Analytics)");
        assert_eq!(
            blockers::waiting_on(&item(State::Denied)),
            "carol (requester) to reopen it with a narrower request, or cancel it"
        );
        assert_eq!(
            blockers::waiting_on(&item(State::Verified)),
            "nothing: ready; revoke it when the project ends"
        );
    }
}
