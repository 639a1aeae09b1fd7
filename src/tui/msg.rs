//! Everything that can happen to the screen, as one enum: keys are mapped to these
//! (through the key table in `keymap`), the event loop adds ticks, resizes and
//! changes made by other processes, and `App::update` is the only place that acts on
//! them.

use crate::domain::machine::ActionKind;
use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use super::state::Pane;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// Leave the application.
    Quit,
    /// Show one of the three panes.
    ShowPane(Pane),
    /// Show the next pane (Tab).
    NextPane,
    /// Show the previous pane (Shift-Tab).
    PrevPane,
    /// Move the selection (or scroll) one line up.
    Up,
    /// Move the selection (or scroll) one line down.
    Down,
    /// Jump to the first line.
    Top,
    /// Jump to the last line.
    Bottom,
    /// Move one screen up.
    PageUp,
    /// Move one screen down.
    PageDown,
    /// Open the detail view of the selected item.
    OpenDetail,
    /// Close the detail view or the help overlay.
    Back,
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Start typing a tracker filter.
    StartFilter,
    /// A key typed into the filter line.
    FilterInput(KeyEvent),
    /// Keep the typed filter and leave the filter line.
    ApplyFilter,
    /// Leave the filter line, restoring the filter it started with.
    CancelFilter,
    /// Remove every filter.
    ClearFilter,
    /// Show only the next state (all → needed → requested → ... → all).
    CycleStateFilter,
    /// Sort the tracker by the next column.
    CycleSort,
    /// Reverse the tracker's sort order.
    ReverseSort,
    /// Show the next project (all projects → each project → all projects).
    CycleProject,
    /// Open the form for a new access item.
    NewItem,
    /// Start a move on the selected item (may open a form or a confirmation first).
    Act(ActionKind),
    /// Open the approval form with a conditions field (approve with conditions).
    ApproveWithConditions,
    /// Open the actions of the project in view (close, reopen, move its start).
    ProjectActions,
    /// Show the system catalogue (in the help overlay's place).
    ShowCatalogue,
    /// Open the form that hands a pending decision to someone else.
    Delegate,
    /// A move was asked for that is not allowed: show the rule that forbids it.
    Explain(ActionKind),
    /// A key typed into the focused form field.
    FormInput(KeyEvent),
    /// Text pasted (bracketed paste) into the focused form field or filter line.
    Paste(String),
    /// Focus the next form field.
    FormNext,
    /// Focus the previous form field.
    FormPrev,
    /// Choose the next value of a choice field, or flip a yes/no field.
    FormCycle,
    /// Choose the previous value of a choice field, or flip a yes/no field.
    FormCycleBack,
    /// Save the form.
    FormSave,
    /// Close the form without saving.
    FormCancel,
    /// Confirm the pending irreversible move (`y`).
    Confirm,
    /// Drop the pending irreversible move (any key but `y`).
    ConfirmCancel,
    /// The terminal was resized.
    Resize(u16, u16),
    /// The clock moved on (ages and days to start advance).
    Tick(DateTime<Utc>),
    /// Another process changed the database: reload.
    Reload,
    /// Mouse wheel or click at a column and row (only with mouse support on).
    Click(u16, u16),
    /// Copy the selected item's nudge to the clipboard (OSC 52).
    CopyNudge,
    /// Copy the selected item's id to the clipboard (OSC 52).
    CopyId,
    /// Select or deselect the queue's current item for a decision on several at once.
    TogglePick,
    /// Deselect every item selected in the queue.
    ClearPicks,
    /// Start an access review of the project in view (asks to confirm).
    StartReview,
    /// Decide on the selected access of the review shown (revoke asks to confirm).
    ReviewDecide(crate::domain::review::Decision),
    /// Certify every undecided standard access of the review shown (asks to confirm).
    ReviewCertifyStandard,
    /// Show the next (1) or previous (-1) review.
    ReviewCampaign(i8),
    /// Open the project picker: type to find a project among many.
    OpenPicker,
    /// Open the command palette: type to find an action or an item and run it.
    OpenPalette,
    /// A key typed into the picker's or the palette's line.
    ChooseInput(KeyEvent),
    /// Move the picker's or palette's selection down (1) or up (-1).
    ChooseMove(i8),
    /// Run the chosen entry of the picker or palette.
    ChooseRun,
    /// Close the picker or palette without choosing.
    ChooseCancel,
    /// Undo the decision just made (approve, deny or return), while it may be.
    Undo,
    /// The time to undo the last decision ran out.
    UndoExpired,
    /// Show the next saved view over the tracker (after the last: every item).
    NextView,
    /// Show the previous saved view.
    PrevView,
    /// Save the tracker's filter as a view in the configuration file.
    SaveView,
    /// Remove the saved view shown from the configuration file.
    RemoveView,
    /// Order the blockers pane the next way (tasks held up, task days, age).
    CycleBlockerOrder,
    /// Order the approval queue the next way (risk, age, system).
    CycleQueueOrder,
    /// Open the form that changes the selected task, or records its start or end.
    TaskForm(super::form::TaskStep),
}
