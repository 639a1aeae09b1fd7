//! What an empty pane says: why nothing is listed, and what to do about it. Worded
//! from what the app knows (who is looking, which project, the filter), so an empty
//! screen is never a dead end.

use super::state::Filter;
use crate::domain::{Person, Role};

/// The tracker with nothing to show.
pub fn tracker(total: usize, filter: &Filter, scope: Option<&str>, can_add: bool) -> String {
    if total > 0 {
        let state = filter
            .state
            .map(|s| format!(" (state {s})"))
            .unwrap_or_default();
        return format!(
            "No item matches the filter{state}. Esc clears it; / changes the text, f the state."
        );
    }
    let add = if can_add {
        "n adds one"
    } else {
        "a coordinator adds them"
    };
    match scope {
        Some(k) => format!("No access items in {k} yet: {add}. p picks another project."),
        None => format!("No access items yet: {add}, or imports a spreadsheet (see the README)."),
    }
}

/// The approval queue with nothing waiting.
pub fn queue(me: Option<&Person>, scope: Option<&str>) -> String {
    let decides = me.is_some_and(|p| p.has_any(&[Role::Approver, Role::Security]));
    if !decides {
        return "Nothing waits on you: decisions need the approver or security role. \
                An admin gives roles; 1 shows every item."
            .to_string();
    }
    let wider = match scope {
        Some(k) => format!(" in {k}; p picks another project"),
        None => String::new(),
    };
    format!(
        "Nothing waits on your decision{wider}: no requested item names you as its approval owner or needs your security review."
    )
}

/// The blockers pane with nothing blocking.
pub fn blockers(scope: Option<&str>) -> String {
    let place = scope.map(|k| format!(" in {k}")).unwrap_or_default();
    format!(
        "Nothing blocks work{place}: every item is moving or done. 1 shows the tracker, 6 what ends soon."
    )
}
