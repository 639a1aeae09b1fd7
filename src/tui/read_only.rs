//! The screen of a database opened for reading only (`--read-only`): an auditor's, or
//! one on the wall. The key table offers no move (so the footer and help show none),
//! and a write message that arrives anyway (a click, a stale key) is refused here
//! before it opens a form; the store refuses every write underneath as well.

use super::keymap::Facts;
use super::msg::Msg;

/// What the status line says to a write.
pub const REFUSED: &str =
    "refused (read-only): this screen was opened for reading only; nothing can be changed here";

/// Takes every write out of what the key table may offer.
pub fn no_writes(f: &mut Facts) {
    f.allowed.clear();
    f.can_add = false;
    f.project_actions = false;
    f.review_start = false;
    f.review_decide = false;
    f.review_bulk = false;
    f.may_delegate = false;
    f.undo = false;
    f.task_edit = false;
    f.task_start = false;
    f.task_done = false;
}

/// Whether `msg` starts or completes a change to the database.
pub fn writes(msg: &Msg) -> bool {
    matches!(
        msg,
        Msg::Act(_)
            | Msg::ApproveWithConditions
            | Msg::NewItem
            | Msg::ProjectActions
            | Msg::Delegate
            | Msg::StartReview
            | Msg::ReviewDecide(_)
            | Msg::ReviewCertifyStandard
            | Msg::Undo
            | Msg::TaskForm(_)
            | Msg::FormSave
            | Msg::Confirm
    )
}
