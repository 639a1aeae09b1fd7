//! Writing: every change is one short `BEGIN IMMEDIATE` transaction, retried while
//! another process holds the write lock, up to the store's lock wait. A refusal that
//! found a credential is counted afterwards in a transaction of its own.

use super::error::{Error, Result};
use super::events;
use super::handle::{Ctx, Store, WaitHook};
use crate::domain::{Refusal, Rule};
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;
use std::time::{Duration, Instant};

impl Store {
    /// Runs `f` in one `BEGIN IMMEDIATE` transaction, waiting (bounded) for other
    /// writers. Nothing is written unless `f` succeeds. A refusal that found a
    /// credential is counted afterwards, in its own transaction, without the value.
    pub(super) fn write<T>(
        &mut self,
        project: Option<&str>,
        item: Option<&str>,
        mut f: impl FnMut(&rusqlite::Transaction<'_>, &Ctx) -> Result<T>,
    ) -> Result<T> {
        if let Some(why) = &self.read_only {
            let rule = if why == super::conn::READ_ONLY {
                Rule::ReadOnly
            } else {
                Rule::SchemaVersion
            };
            return Err(Error::Refused(Refusal::new(rule, why.clone())));
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
                    let project = super::audit::counted_project(tx, &ctx.me.login, project)?;
                    events::append(
                        tx,
                        &ctx,
                        project.as_deref(),
                        item,
                        "unsafe-attempt",
                        &payload,
                    )
                    .map(|_| ())
                },
            )?;
        }
        result
    }
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
                // The pages of the facts this write changed (see `facts::pages`).
                super::facts::pages::rebuild_stale(&tx)?;
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
