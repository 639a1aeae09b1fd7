//! Words for the expiry radar and for extension requests, shared by the CLI and the
//! TUI: what an extension move did, a pending extension in one line, and a radar
//! line's "ends" column.

use super::item_label;
use crate::domain::expiry::Entry;
use crate::domain::extension::{self, Extension};
use crate::domain::machine::ActionKind;
use crate::domain::{Item, State};

fn capacities(item: &Item) -> String {
    extension::missing_approvals(item)
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(" and ")
}

fn end_of(item: &Item) -> String {
    super::date(item.fields.expires)
}

/// What a move on an extension did and what comes next, or `None` when the move was
/// not about an extension (`before` is the item's state before the move).
pub fn outcome(kind: ActionKind, before: State, item: &Item) -> Option<String> {
    let label = item_label(item);
    let live = before.access_live() && item.state == before;
    match kind {
        ActionKind::Extend => {
            let to = item.extension.as_deref().map(|e| e.expires.to_string())?;
            Some(format!(
                "Asked to extend {label} to {to}; the access stays live and ends {} until the extension is approved. Next: approval by {}.",
                end_of(item),
                capacities(item)
            ))
        }
        ActionKind::Approve if live => Some(match item.extension.as_deref() {
            Some(e) => format!(
                "Approved the extension of {label} to {}. Next: approval by {}.",
                e.expires,
                capacities(item)
            ),
            None => format!(
                "Approved the extension of {label}: the access now ends {}. Next: revoke it then, or ask for another extension.",
                end_of(item)
            ),
        }),
        ActionKind::Deny if live => Some(format!(
            "Denied the extension of {label}: the access still ends {}. Next: revoke it then.",
            end_of(item)
        )),
        _ => None,
    }
}

/// A pending extension in one line: "to 2027-01-31, asked by carol 2026-12-05, needs
/// owner and security (reason: ...)".
pub fn pending_text(item: &Item) -> Option<String> {
    let e: &Extension = item.extension.as_deref()?;
    let mut out = format!(
        "to {}, asked by {} {}",
        e.expires,
        e.by,
        e.at.format("%Y-%m-%d")
    );
    let missing = capacities(item);
    if !missing.is_empty() {
        out.push_str(&format!(", needs {missing}"));
    }
    if !e.approvals.is_empty() {
        let given: Vec<String> = e
            .approvals
            .iter()
            .map(|a| format!("{} ({})", a.login, a.capacity))
            .collect();
        out.push_str(&format!(", approved by {}", given.join(", ")));
    }
    if let Some(r) = e.reason.as_deref().filter(|r| !r.trim().is_empty()) {
        out.push_str(&format!(" (reason: {r})"));
    }
    Some(crate::domain::text::sanitize(&out).into_owned())
}

/// A radar line's end: "2026-12-10 (in 5d)", "2026-12-01 (9d ago)"; with `what`, an
/// exception's end says so ("exception 2026-12-10 (in 5d)").
pub fn ends_text(e: &Entry, what: bool) -> String {
    let what = match e.ending {
        crate::domain::expiry::Ending::Exception if what => "exception ",
        _ => "",
    };
    format!(
        "{what}{} ({})",
        e.ends.format("%Y-%m-%d"),
        super::days_relative(e.days_left)
    )
}
