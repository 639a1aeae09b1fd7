//! The pure core of accessdesk: what an access item is, which moves the state machine
//! allows and who may make them, when an item blocks work, and how readiness is measured.
//!
//! Nothing here touches the disk, the terminal or the clock: callers pass `now` in, so
//! every rule can be tested with a fixed time and the CLI and the TUI enforce the same
//! rules by calling the same functions.

pub mod blockers;
pub mod catalogue;
pub mod conditions;
pub mod dates;
pub mod decide;
pub mod evidence;
pub mod expiry;
pub mod extension;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod forecast;
pub mod lifecycle;
pub mod machine;
pub mod model;
pub mod nudge;
pub mod refusal;
pub mod review;
pub mod routing;
pub mod rules;
pub mod seconds;
pub mod secrets;
pub mod settings;
pub mod spells;
pub mod tasks;
pub mod template;
pub mod text;
pub mod undo;

pub use model::*;
pub use refusal::{Field, ITEM_FIELDS, Refusal, Rule};
