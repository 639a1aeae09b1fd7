//! What the confirmations of the moves that end access add to the usual question:
//! break-glass says who reviews it and when, a retrospective that revokes says so
//! (and asks at all, though closing a retrospective otherwise does not).

use crate::domain::lifecycle::{self, RetroOutcome};
use crate::domain::machine::Action;

/// Does this move remove access as a retrospective's outcome (asked first)?
pub(super) fn revokes(action: &Action) -> bool {
    matches!(
        action,
        Action::CloseRetro {
            outcome: RetroOutcome::Revoke,
            ..
        }
    )
}

/// What a confirmation adds for the moves that end access.
pub(super) fn confirm_note(action: &Action) -> String {
    match action {
        Action::BreakGlass { .. } => format!(
            " It is an emergency grant: {}.",
            lifecycle::break_glass_reminder()
        ),
        a if revokes(a) => " The retrospective's outcome revokes the access.".to_string(),
        _ => String::new(),
    }
}
