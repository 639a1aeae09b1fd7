//! SQLite storage: one file shared by several processes on one host.
//!
//! Every connection runs in WAL mode with durable commits, foreign keys and
//! `trusted_schema=OFF`. Every write is one short `BEGIN IMMEDIATE` transaction, retried
//! while another process holds the write lock, and appends to the hash-chained event
//! log in the same transaction. All SQL of accessdesk lives below this module; the CLI
//! and the TUI call the methods of [`Store`].

mod bulk;
mod conn;
pub mod events;
mod foreign;
mod intake;
mod keyed;
mod ops;
#[cfg(test)]
mod plans;
pub mod report;
mod rows;
pub mod schema;

pub use bulk::{Bulk, BulkPeople};
pub use conn::{Location, default_path};
pub use events::{Event, Verification};
pub use intake::{CheckedRow, RowCheck};
pub use keyed::keep_temporary_data_in_memory;
pub use ops::*;

use crate::domain::{Person, Refusal, Rule, blockers::Settings};
use crate::identity::Identity;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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

/// Called while a write waits for another process's lock, with the time waited so far.
pub type WaitHook = Box<dyn FnMut(Duration)>;

/// A handle on the shared database, acting as the OS account running the process.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    me: Identity,
    settings: Settings,
    fixed_now: Option<DateTime<Utc>>,
    /// Longest a write waits for another process's lock before giving up.
    lock_wait: Duration,
    on_wait: Option<WaitHook>,
    /// Set when the file was written by a newer accessdesk: reads only.
    read_only: Option<String>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to
    /// date.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_as(path, Identity::current())
    }

    /// Opens acting as `me` (tests use this to act as several OS accounts in one process).
    pub fn open_as(path: &Path, me: Identity) -> Result<Store> {
        let (conn, read_only) = conn::open(path)?;
        let lock_wait = std::env::var("ACCESSDESK_LOCK_WAIT")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .map(Duration::from_secs)
            .unwrap_or(Duration::from_secs(30));
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            me,
            settings: Settings::default(),
            fixed_now: None,
            lock_wait,
            on_wait: None,
            read_only,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn me(&self) -> &Identity {
        &self.me
    }

    pub fn settings(&self) -> Settings {
        self.settings
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

    /// Caps SQLite's page cache of this connection at `kib` KiB. A screen that reads
    /// every item once and then only what changed gains nothing from a large cache,
    /// which would only add to its resident memory.
    pub fn set_page_cache(&self, kib: u32) -> Result<()> {
        self.conn
            .pragma_update(None, "cache_size", -i64::from(kib))?;
        Ok(())
    }

    /// SQLite's data_version: changes when another connection commits.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// The registered person for the acting OS account, if any.
    pub fn my_person(&self) -> Result<Option<Person>> {
        self.person(&self.me.login.clone())
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction, waiting (bounded) for other
    /// writers. Nothing is written unless `f` succeeds. A refusal that found a
    /// credential is counted afterwards, in its own transaction, without the value.
    fn write<T>(
        &mut self,
        project: Option<&str>,
        item: Option<&str>,
        mut f: impl FnMut(&rusqlite::Transaction<'_>, &Ctx) -> Result<T>,
    ) -> Result<T> {
        if let Some(why) = &self.read_only {
            return Err(Error::Refused(Refusal::new(
                Rule::SchemaVersion,
                why.clone(),
            )));
        }
        let ctx = Ctx {
            now: self.now(),
            me: self.me.clone(),
            settings: self.settings,
        };
        let mut wait = Wait::new(self.lock_wait);
        let result = in_tx(
            &mut self.conn,
            &mut wait,
            &mut self.on_wait,
            &self.path,
            |tx| f(tx, &ctx),
        );
        if let Err(Error::Refused(r)) = &result
            && let Some(attempt) = &r.unsafe_attempt
        {
            // Counted in its own transaction, with the same bounded wait as any write,
            // so a busy file never turns a refusal into an uncounted error.
            let payload = serde_json::json!({"field": attempt.field, "detector": attempt.detector});
            in_tx(
                &mut self.conn,
                &mut wait,
                &mut self.on_wait,
                &self.path,
                |tx| {
                    events::append(tx, &ctx, project, item, "unsafe-attempt", &payload).map(|_| ())
                },
            )?;
        }
        result
    }
}

/// What a write knows about its moment: the time and who acts.
pub(crate) struct Ctx {
    pub now: DateTime<Utc>,
    pub me: Identity,
    pub settings: Settings,
}

/// How long a write has waited for the lock, and when the user was last told.
struct Wait {
    started: Instant,
    limit: Duration,
    told: Option<Duration>,
}

impl Wait {
    fn new(limit: Duration) -> Self {
        Wait {
            started: Instant::now(),
            limit,
            told: None,
        }
    }
}

/// Runs `f` in one IMMEDIATE transaction and commits it, retrying the BEGIN while
/// another process holds the write lock (each attempt waits up to the busy timeout),
/// telling `on_wait` about once a second, and giving up cleanly at the limit.
fn in_tx<T>(
    conn: &mut Connection,
    wait: &mut Wait,
    on_wait: &mut Option<WaitHook>,
    path: &Path,
    mut f: impl FnMut(&rusqlite::Transaction<'_>) -> Result<T>,
) -> Result<T> {
    loop {
        match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
            Ok(tx) => {
                let v = f(&tx)?;
                tx.commit()?;
                return Ok(v);
            }
            Err(e) if is_busy(&e) => {
                let waited = wait.started.elapsed();
                if waited >= wait.limit {
                    return Err(Error::Busy(format!(
                        "gave up after {}s: another process kept the database {} locked for writing; nothing was changed, try again",
                        waited.as_secs(),
                        path.display()
                    )));
                }
                if wait
                    .told
                    .is_none_or(|t| waited - t >= Duration::from_millis(900))
                {
                    wait.told = Some(waited);
                    if let Some(hook) = on_wait.as_mut() {
                        hook(waited);
                    }
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}
