//! Where keys work: the groups of places the key table's rows name.

use super::Ctx;
use super::Ctx::*;

// One line each, so the groups read side by side.
#[rustfmt::skip]
pub(super) const PANES: &[Ctx] = &[Tracker, Queue, Blockers, Tasks, Dashboard, Expiring, Reviews];
pub(super) const REVIEWS: &[Ctx] = &[Ctx::Reviews];
#[rustfmt::skip]
pub(super) const HELPABLE: &[Ctx] = &[Tracker, Queue, Blockers, Tasks, Dashboard, Expiring, Reviews, Detail];
pub(super) const ITEM: &[Ctx] = &[
    Ctx::Tracker,
    Ctx::Queue,
    Ctx::Blockers,
    Ctx::Expiring,
    Ctx::Detail,
];
pub(super) const MOVING: &[Ctx] = &[
    Ctx::Tracker,
    Ctx::Queue,
    Ctx::Blockers,
    Ctx::Tasks,
    Ctx::Expiring,
    Ctx::Reviews,
    Ctx::Detail,
    Ctx::Help,
];
pub(super) const TRACKER: &[Ctx] = &[Ctx::Tracker];
/// Where the tracker's filter narrows the list (the queue keeps Esc for its picks).
pub(super) const FILTERED: &[Ctx] = &[Ctx::Tracker, Ctx::Queue, Ctx::Blockers];
pub(super) const CLEARABLE: &[Ctx] = &[Ctx::Tracker, Ctx::Blockers];
pub(super) const BLOCKERS: &[Ctx] = &[Ctx::Blockers];
pub(super) const TASKS: &[Ctx] = &[Ctx::Tasks];
pub(super) const QUEUE: &[Ctx] = &[Ctx::Queue];
pub(super) const DETAIL: &[Ctx] = &[Ctx::Detail];
pub(super) const HELP: &[Ctx] = &[Ctx::Help];
pub(super) const FILTER: &[Ctx] = &[Ctx::Filter];
pub(super) const FORM: &[Ctx] = &[Ctx::Form];
pub(super) const CONFIRM: &[Ctx] = &[Ctx::Confirm];
pub(super) const CHOOSE: &[Ctx] = &[Ctx::Choose];
