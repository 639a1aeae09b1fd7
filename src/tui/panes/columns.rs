//! The columns of the tracker, the queue and the blockers pane, side by side: each
//! column's title, how narrow and wide it may get, and how soon it gives way when the
//! terminal is narrow (`priority`: 0 always shown, higher numbers dropped first).

use crate::tui::format::ColumnSpec;

/// The tracker's columns, in display order.
#[rustfmt::skip]
pub const TRACKER: [ColumnSpec; 10] = [
    ColumnSpec { title: "ID", min: 7, max: 10, priority: 0 },
    ColumnSpec { title: "System", min: 8, max: 24, priority: 0 },
    ColumnSpec { title: "Purpose", min: 8, max: 28, priority: 4 },
    ColumnSpec { title: "Role", min: 8, max: 22, priority: 1 },
    ColumnSpec { title: "Owner", min: 8, max: 20, priority: 3 },
    ColumnSpec { title: "Approval", min: 13, max: 15, priority: 0 },
    ColumnSpec { title: "Method", min: 10, max: 19, priority: 5 },
    ColumnSpec { title: "Expiry", min: 10, max: 10, priority: 6 },
    ColumnSpec { title: "Blk", min: 3, max: 3, priority: 0 },
    ColumnSpec { title: "Risk", min: 4, max: 20, priority: 2 },
];

/// The queue's columns, in display order.
#[rustfmt::skip]
pub const QUEUE: [ColumnSpec; 9] = [
    ColumnSpec { title: "ID", min: 7, max: 10, priority: 0 },
    ColumnSpec { title: "Risk", min: 6, max: 20, priority: 0 },
    ColumnSpec { title: "System", min: 8, max: 24, priority: 0 },
    ColumnSpec { title: "Role", min: 8, max: 22, priority: 1 },
    ColumnSpec { title: "Requested by", min: 8, max: 14, priority: 5 },
    ColumnSpec { title: "Waiting", min: 7, max: 8, priority: 2 },
    ColumnSpec { title: "Approvals", min: 5, max: 9, priority: 3 },
    ColumnSpec { title: "Why you", min: 20, max: 44, priority: 0 },
    ColumnSpec { title: "Holder", min: 8, max: 24, priority: 6 },
];

/// The expiry radar's columns, in display order.
#[rustfmt::skip]
pub const EXPIRING: [ColumnSpec; 7] = [
    ColumnSpec { title: "ID", min: 7, max: 10, priority: 0 },
    ColumnSpec { title: "Ends", min: 20, max: 20, priority: 0 },
    ColumnSpec { title: "Action", min: 22, max: 22, priority: 0 },
    ColumnSpec { title: "System", min: 8, max: 24, priority: 1 },
    ColumnSpec { title: "State", min: 9, max: 9, priority: 2 },
    ColumnSpec { title: "Role", min: 8, max: 22, priority: 4 },
    ColumnSpec { title: "Extension", min: 16, max: 60, priority: 3 },
];

/// The blockers's columns, in display order.
#[rustfmt::skip]
pub const BLOCKERS: [ColumnSpec; 7] = [
    ColumnSpec { title: "ID", min: 7, max: 10, priority: 0 },
    ColumnSpec { title: "Age", min: 7, max: 8, priority: 0 },
    ColumnSpec { title: "System", min: 8, max: 20, priority: 3 },
    ColumnSpec { title: "State", min: 9, max: 10, priority: 4 },
    ColumnSpec { title: "Reasons", min: 24, max: 70, priority: 0 },
    ColumnSpec { title: "Waiting on", min: 14, max: 40, priority: 1 },
    ColumnSpec { title: "Tasks", min: 7, max: 24, priority: 2 },
];

/// The tasks pane's columns, in display order.
#[rustfmt::skip]
pub const TASKS: [ColumnSpec; 6] = [
    ColumnSpec { title: "ID", min: 8, max: 10, priority: 0 },
    ColumnSpec { title: "Title", min: 12, max: 36, priority: 0 },
    ColumnSpec { title: "Planned", min: 10, max: 10, priority: 1 },
    ColumnSpec { title: "Status", min: 7, max: 18, priority: 0 },
    ColumnSpec { title: "Held up by", min: 20, max: 80, priority: 0 },
    ColumnSpec { title: "Needs", min: 8, max: 30, priority: 3 },
];
