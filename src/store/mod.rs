//! SQLite storage: one file shared by several processes on one host.
//!
//! Every connection runs in WAL mode with durable commits, foreign keys and
//! `trusted_schema=OFF`. Every write is one short `BEGIN IMMEDIATE` transaction, retried
//! while another process holds the write lock, and appends to the hash-chained event
//! log in the same transaction. All SQL of accessdesk lives below this module; the CLI
//! and the TUI call the methods of [`Store`] and see of SQLite only the typed values
//! of `handle` ([`ChangeToken`], [`CachePolicy`]), so a second backend can offer the
//! same operations.
//!
//! This file only declares and re-exports. Dependencies between the modules point one
//! way: the operations (`people`, `projects`, `items`, `listing`, `tasks`, `audit`,
//! `bulk`, `report`) use `intake`, `records` and `policy`; those use `events`, `rows`
//! and `handle`; nothing uses an operation module. `replay` reads the log and the
//! tables on its own (with `events` and `rows`); `opening` calls its baseline step when
//! it opens a file written before the log recorded every value.

mod audit;
mod bulk;
mod catalogue;
pub mod chain_key;
mod conn;
mod counts;
mod decisions;
mod error;
pub mod events;
pub mod evidence;
pub mod extend;
mod facts;
mod foreign;
mod handle;
mod indexed;
mod intake;
mod items;
mod keyed;
mod lean;
mod life;
mod lifecycle;
mod listing;
mod measures;
mod opening;
mod parallel;
mod people;
#[cfg(test)]
mod plans;
mod policy;
mod projects;
mod records;
pub mod replay;
pub mod report;
mod reviews;
mod rows;
pub mod schema;
pub mod spells;
mod stamp;
mod task_edit;
mod tasks;
pub mod team_settings;
mod temp_files;
mod template_rows;
mod templates;
#[cfg(test)]
pub(crate) mod testing;
mod tx;
mod undo;

pub use crate::domain::NewProject;
pub use bulk::{Bulk, BulkPeople};
pub use catalogue::Standards;
pub use conn::{Location, default_path, must_be_mine};
pub use decisions::Departure;
pub use error::{Error, Result};
pub use events::{Event, Verification};
pub use handle::{CachePolicy, ChangeToken, Store, WaitHook};
pub use intake::{CheckedRow, RowCheck};
pub use listing::{ItemFilter, ItemView, Listed};
pub use projects::host_tz;
pub use replay::Replay;
pub use reviews::BulkCertified;
pub use temp_files::keep_temporary_data_in_memory;
pub use templates::{Applied, ProjectCheck, TemplateSummary};
