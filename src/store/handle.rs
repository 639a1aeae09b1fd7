//! The handle the CLI and the TUI hold: which file, who acts, the clock, how long a
//! write waits for the lock, and the few things they see of the storage engine, each
//! as a typed value (see [`ChangeToken`] and [`CachePolicy`]).

use super::conn;
use super::error::Result;
use crate::domain::blockers::Settings;
use crate::identity::Identity;
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Called while a write waits for another process's lock, with the time waited so far.
pub type WaitHook = Box<dyn FnMut(Duration)>;

/// A handle on the shared database, acting as the OS account running the process.
pub struct Store {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
    /// The file `conn` opened (device, inode): another connection to it must open
    /// the same one.
    pub(super) file: conn::FileId,
    pub(super) me: Identity,
    pub(super) settings: Settings,
    pub(super) fixed_now: Option<DateTime<Utc>>,
    /// Longest a write waits for another process's lock before giving up.
    pub(super) lock_wait: Duration,
    pub(super) on_wait: Option<WaitHook>,
    /// Set when the file was written by a newer accessdesk: reads only.
    pub(super) read_only: Option<String>,
}

impl Store {
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn me(&self) -> &Identity {
        &self.me
    }

    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// Whether every write is refused: the file was opened for reading only, or was
    /// written by a newer accessdesk.
    pub fn is_read_only(&self) -> bool {
        self.read_only.is_some()
    }

    /// Fixes the clock (tests, snapshots).
    pub fn set_now(&mut self, now: DateTime<Utc>) {
        self.fixed_now = Some(now);
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.fixed_now.unwrap_or_else(Utc::now)
    }

    /// How long a write waits for another process's lock before giving up.
    pub fn set_lock_wait(&mut self, d: Duration) {
        self.lock_wait = d;
    }

    /// Told while a write waits for the lock (the CLI prints, the TUI shows it).
    pub fn on_wait(&mut self, hook: WaitHook) {
        self.on_wait = Some(hook);
    }

    /// Sets how much of the database this handle keeps in memory between reads.
    pub fn set_cache(&self, policy: CachePolicy) -> Result<()> {
        let kib = match policy {
            CachePolicy::Default => conn::DEFAULT_CACHE_KIB,
            CachePolicy::AtMost { kib } => kib,
        };
        // A negative cache_size is a size in KiB rather than a number of pages.
        self.conn
            .pragma_update(None, "cache_size", -i64::from(kib))?;
        Ok(())
    }

    /// [`Store::set_cache`] with [`CachePolicy::AtMost`] `kib` KiB.
    pub fn set_page_cache(&self, kib: u32) -> Result<()> {
        self.set_cache(CachePolicy::AtMost { kib })
    }

    /// Where the contents stand now, to compare with an earlier token: a screen
    /// reloads when the token differs from the one of its last load.
    pub fn change_token(&self) -> Result<ChangeToken> {
        // SQLite's data_version changes when another connection commits, and only then.
        Ok(ChangeToken(self.conn.pragma_query_value(
            None,
            "data_version",
            |r| r.get(0),
        )?))
    }

    /// The number inside [`Store::change_token`]; only equality between two of them
    /// means anything.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.change_token()?.0)
    }

    /// Whether `other` names the file this handle has open (`demo` refuses to write
    /// over the database it is reading).
    pub fn is_file(&self, other: &Path) -> bool {
        self.path == other
    }

    /// A warning when a group-shared file sits in a folder that is not setgid.
    pub fn shared_folder_warning(&self) -> Option<String> {
        conn::shared_folder_warning(&self.path)
    }

    /// A warning for a database any account on the host can read.
    pub fn permission_warning(&self) -> Option<String> {
        conn::world_readable_warning(&self.path)
    }
}

/// The contents of the database as a handle last saw them. Two tokens of one handle
/// differ when a change was committed in between, by this process or another. With
/// SQLite it is the connection's `data_version`; a server database would use a change
/// counter or the sequence of its notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ChangeToken(i64);

/// How much of the database a handle keeps in memory between reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CachePolicy {
    /// As opened: room for the rows of 100,000 items, for commands that read
    /// everything and end.
    #[default]
    Default,
    /// At most `kib` KiB: for a screen that reads every item once and then only what
    /// changed, where a large cache would only add to its resident memory.
    AtMost { kib: u32 },
}

/// What a write knows about its moment: the time and who acts.
pub(crate) struct Ctx {
    pub now: DateTime<Utc>,
    pub me: Identity,
    pub settings: Settings,
}
