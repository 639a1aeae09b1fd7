//! What can go wrong in the store, typed so that each front end maps it to its own
//! words and exit codes.

use crate::domain::Refusal;
use std::path::PathBuf;

/// What can go wrong in the store. The CLI maps these to exit codes.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A rule refused the change (exit 3).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The change was based on a stale version (exit 4).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    /// Bad input (a file, a value) that is not a policy matter (exit 1).
    #[error("{0}")]
    Invalid(String),
    /// Another process held the write lock past the wait limit (exit 1).
    #[error("{0}")]
    Busy(String),
    /// There is no database at the path, and the command may not make one (exit 1).
    #[error(
        "no database at {}{}",
        .path.display(),
        .missing_folder.as_ref().map(|f| format!(": there is no folder {}", f.display())).unwrap_or_default()
    )]
    Missing {
        path: PathBuf,
        /// The outermost folder on the way to the file that does not exist, if any.
        missing_folder: Option<PathBuf>,
    },
    #[error("cannot use the database {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("schema migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
