//! The screen's own state types: which pane shows, cursors, the tracker's sort and
//! filter, the status line and what sits on top of the panes (help, filter line, form,
//! confirmation). They change with what the person does, not with the data.

use super::form::Form;
use crate::domain::State;
use crate::domain::machine::{Action, ActionKind};
use crate::store::Event;
use tui_input::Input;

/// The panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Tracker,
    Queue,
    Blockers,
    /// Readiness, its trend, blocker ages, stage durations and forecasts.
    Dashboard,
    /// Implementation tasks and what holds each up (its rows are tasks, not items).
    Tasks,
    /// The expiry radar: temporary access and exceptions ending soon or past.
    Expiring,
    /// Access reviews (its rows are the accesses of one campaign, not items).
    Reviews,
}

impl Pane {
    pub const ALL: [Pane; 7] = [
        Pane::Tracker,
        Pane::Queue,
        Pane::Blockers,
        Pane::Dashboard,
        Pane::Tasks,
        Pane::Expiring,
        Pane::Reviews,
    ];
    /// How many panes there are (one cursor each).
    pub const COUNT: usize = Pane::ALL.len();

    pub fn title(self) -> &'static str {
        match self {
            Pane::Tracker => "Tracker",
            Pane::Queue => "Approval queue",
            Pane::Blockers => "Blockers",
            Pane::Dashboard => "Dashboard",
            Pane::Tasks => "Tasks",
            Pane::Expiring => "Expiring",
            Pane::Reviews => "Reviews",
        }
    }

    /// The title when the tab line is narrow (every tab must fit 80 columns).
    pub fn short_title(self) -> &'static str {
        match self {
            Pane::Tracker => "Items",
            Pane::Queue => "Queue",
            Pane::Blockers => "Block",
            Pane::Dashboard => "Dash",
            Pane::Tasks => "Task",
            Pane::Expiring => "Exp",
            Pane::Reviews => "Rev",
        }
    }

    /// The key that shows the pane (the key plan numbers panes apart from their order).
    pub fn number(self) -> u8 {
        match self {
            Pane::Tracker => 1,
            Pane::Queue => 2,
            Pane::Blockers => 3,
            Pane::Dashboard => 4,
            Pane::Tasks => 5,
            Pane::Expiring => 6,
            Pane::Reviews => 7,
        }
    }

    pub fn index(self) -> usize {
        match self {
            Pane::Tracker => 0,
            Pane::Queue => 1,
            Pane::Blockers => 2,
            Pane::Dashboard => 3,
            Pane::Tasks => 4,
            Pane::Expiring => 5,
            Pane::Reviews => 6,
        }
    }

    pub fn next(self) -> Pane {
        Pane::ALL[(self.index() + 1) % Pane::COUNT]
    }

    pub fn prev(self) -> Pane {
        Pane::ALL[(self.index() + Pane::COUNT - 1) % Pane::COUNT]
    }
}

/// The tracker's columns, which are also its sort keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Id,
    System,
    Purpose,
    Role,
    Owner,
    Approval,
    Method,
    Expiry,
    Blocker,
    Flags,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Id,
        Column::System,
        Column::Purpose,
        Column::Role,
        Column::Owner,
        Column::Approval,
        Column::Method,
        Column::Expiry,
        Column::Blocker,
        Column::Flags,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::System => "system",
            Column::Purpose => "purpose",
            Column::Role => "role",
            Column::Owner => "owner",
            Column::Approval => "approval",
            Column::Method => "method",
            Column::Expiry => "expiry",
            Column::Blocker => "blocker",
            Column::Flags => "risk",
        }
    }

    pub fn next(self) -> Column {
        let i = Column::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Column::ALL[(i + 1) % Column::ALL.len()]
    }
}

/// Selection and scroll position of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

/// What the status line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Done,
    Refused,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub kind: StatusKind,
    pub text: String,
}

/// The open detail view.
#[derive(Debug, Clone)]
pub struct Detail {
    pub rowid: i64,
    pub id: String,
    pub scroll: usize,
    pub history: Vec<Event>,
    /// When it first entered each state on its way to ready (its stage durations).
    pub timeline: crate::domain::forecast::Timeline,
}

/// A pending irreversible move, waiting for `y`.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub prompt: String,
    /// The form the move was typed in: cancelling returns to it with the typing kept.
    pub form: Option<Box<Form>>,
    /// What `y` does.
    pub then: OnYes,
}

/// What a confirmation does when `y` is pressed.
#[derive(Debug, Clone)]
pub enum OnYes {
    /// The move `action` on item `id`, at the version it was shown at.
    Move {
        id: String,
        version: i64,
        action: Action,
    },
    /// The move `action` on each picked item, at the version it was picked at.
    Bulk {
        kind: ActionKind,
        action: Action,
        targets: Vec<(String, i64)>,
    },
    /// Close the project of this key.
    CloseProject(String),
    /// An access review step (see `tui::reviews`).
    Review(ReviewAsk),
}

/// An access review step waiting for `y`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewAsk {
    /// Open a campaign over the project's live access, due on the date.
    Start {
        project: String,
        due: Option<chrono::NaiveDate>,
    },
    /// Decide that the access goes.
    Revoke { item: String, campaign: i64 },
    /// Certify every undecided standard access of the campaign.
    CertifyStandard { campaign: i64 },
}

/// The reviews pane: the campaigns in view, the one shown, and its accesses.
#[derive(Debug, Clone, Default)]
pub struct ReviewPane {
    pub campaigns: Vec<crate::domain::review::Campaign>,
    /// Index into `campaigns` of the one shown.
    pub current: usize,
    pub entries: Vec<crate::domain::review::Entry>,
    /// The projects in view and the newest review id among them at the last load
    /// (`None` before the first): a newer one marks items the screen holds, so they
    /// are read again.
    pub newest: Option<(Option<String>, Option<i64>)>,
}

/// What sits on top of the panes and takes the keys.
#[derive(Debug, Clone)]
pub enum Modal {
    /// The keys that work (or, with `catalogue`, the system catalogue), scrolled.
    Help {
        scroll: usize,
        catalogue: Option<Vec<crate::domain::catalogue::System>>,
    },
    Filter {
        input: Input,
        previous: String,
    },
    Form(Box<Form>),
    Confirm(Confirm),
    /// The project picker or the command palette.
    Choose(Box<super::chooser::Chooser>),
    /// Lines to read (a project's check against its templates); scrolled like help.
    Notice {
        title: String,
        lines: Vec<String>,
        scroll: usize,
    },
}

/// The tracker's filter: typed text and a state chosen with `f`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
    pub state: Option<State>,
}

/// How things are drawn: the theme, the clock ages are measured against and the
/// zone times are shown in.
#[derive(Clone, Copy)]
pub struct Look<'a> {
    pub theme: &'a super::theme::Theme,
    pub now: chrono::DateTime<chrono::Utc>,
    pub tz: chrono_tz::Tz,
    /// The team's settings (the stale period a waiting decision is measured with).
    pub settings: crate::domain::blockers::Settings,
}

/// An item picked in the queue with Space, at the version shown then: a decision on
/// several items is made on each at the version it was picked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub rowid: i64,
    pub id: String,
    pub version: i64,
}

impl Pick {
    /// The moves that apply to every picked item at once.
    pub const MOVES: [ActionKind; 3] = [ActionKind::Approve, ActionKind::Deny, ActionKind::Return];
}

/// A decision made in this screen that may still be undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Each item decided (several after a decision on picked items), with the version
    /// the decision left it at (an undo on any other is refused).
    pub items: Vec<(String, i64)>,
    pub kind: ActionKind,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl Ticket {
    /// A ticket for the move `kind` that left `item`, when it may be undone at all.
    pub fn after(
        kind: ActionKind,
        item: &crate::domain::Item,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Option<Ticket> {
        matches!(
            kind,
            ActionKind::Approve | ActionKind::Deny | ActionKind::Return
        )
        .then(|| Ticket {
            items: vec![(item.id(), item.version)],
            kind,
            at,
        })
    }
}

/// A task as pane 5 shows it.
#[derive(Debug, Clone)]
pub struct TaskRow {
    /// Shared with the list as read (rows are derived again at every change).
    pub task: std::sync::Arc<crate::domain::Task>,
    pub planned: chrono::NaiveDate,
    pub status: crate::domain::tasks::Status,
    pub waiting: Vec<crate::domain::tasks::Waiting>,
}

/// The tasks of the projects in view, as read, and as shown.
#[derive(Debug, Clone, Default)]
pub struct TaskPane {
    pub list: Vec<std::sync::Arc<crate::domain::Task>>,
    pub rows: Vec<TaskRow>,
}

/// What the dashboard draws.
#[derive(Debug, Clone)]
pub struct DashboardData {
    pub report: crate::store::report::Report,
    /// Readiness (0..1) at the end of each day of the window, today last.
    pub trend: Vec<(chrono::NaiveDate, Option<f64>)>,
    pub window_days: i64,
    /// The project in view when it was read (`None`: all).
    pub scope: Option<String>,
    /// The items changed since (a reload or a move): read again when next wanted.
    pub stale: bool,
}
