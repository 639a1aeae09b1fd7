//! Opening a store: the file with its connection settings and migrations (`conn`),
//! then the one-time baseline of a file written before the log recorded every value
//! (`replay::baseline`). Kept apart from `handle` because the baseline writes events,
//! and `events` uses `handle`.

use super::error::Result;
use super::handle::Store;
use super::{conn, replay};
use crate::identity::Identity;
use chrono::Utc;
use std::path::Path;
use std::time::Duration;

impl Store {
    /// Opens the database at `path` and brings its schema up to date. A missing file is
    /// [`Error::Missing`](super::Error::Missing): only [`Store::create`] makes one.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_as(path, Identity::current())
    }

    /// Opens the database at `path`, making the file (private to its owner) and its
    /// folder when missing: for `init` and `demo`.
    pub fn create(path: &Path) -> Result<Store> {
        Self::create_as(path, Identity::current())
    }

    /// [`Store::open`] acting as `me` (tests act as several OS accounts in one process).
    pub fn open_as(path: &Path, me: Identity) -> Result<Store> {
        Self::connect(path, me, conn::Mode::Existing)
    }

    /// [`Store::create`] acting as `me`.
    pub fn create_as(path: &Path, me: Identity) -> Result<Store> {
        Self::connect(path, me, conn::Mode::Create)
    }

    /// Opens the database at `path` for reading only (`--read-only`): the file must
    /// exist and be up to date; every write is refused with the rule `read-only`.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        Self::open_read_only_as(path, Identity::current())
    }

    /// [`Store::open_read_only`] acting as `me`.
    pub fn open_read_only_as(path: &Path, me: Identity) -> Result<Store> {
        Self::connect(path, me, conn::Mode::ReadOnly)
    }

    fn connect(path: &Path, me: Identity, mode: conn::Mode) -> Result<Store> {
        let (mut conn, file, read_only) = conn::open(path, mode)?;
        if read_only.is_none() {
            // Before anyone writes: the baseline of an older file's rows must come
            // first in the log, since the replay starts at it.
            replay::baseline::settle(&mut conn, &me, Utc::now())?;
        }
        let lock_wait = std::env::var("ACCESSDESK_LOCK_WAIT")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .map(Duration::from_secs)
            .unwrap_or(Duration::from_secs(30));
        let settings = super::team_settings::load(&conn);
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            file,
            me,
            settings,
            fixed_now: None,
            lock_wait,
            on_wait: None,
            read_only,
        })
    }
}
