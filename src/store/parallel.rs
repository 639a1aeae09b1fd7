//! Reading one table on several threads at once, for a command that reads every row
//! of a large file: each thread reads rows of a range of row ids through its own
//! read-only connection and folds them into its own part (the whole range, or, two
//! threads to a range, the rows it claims as the two meet: see `fold`), and the parts
//! come back in the order of their rows, so a caller that merges them in that order
//! gets what one reader would have folded.
//!
//! Every connection reads the same snapshot of the file, the caller's included: a
//! [`Snapshot`] holds a read transaction on each, and proves that no other connection
//! committed while they were being started (SQLite's `data_version`, read before the
//! first start and after the last on one of them, changes when another connection
//! commits), and each reader sees the caller's head of the hash-chained log (the same
//! file, not one put at the path in between). When that cannot be shown (a writer
//! committed meanwhile, twice in a row, or a reader sees another file), or another
//! connection cannot be opened (a guarded installation has given up the group that
//! may open the file), the caller's connection reads everything alone.

use super::conn::{ATTEMPT, FileId};
use super::error::{Error, Result};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

mod fold;
pub(crate) use fold::{CLAIM_IDS, Fold, Share, Way};
use fold::{Meeting, read_range};

/// Rows below which a table is read by one thread: a second connection and thread
/// cost more than they save.
const MIN_ROWS_PER_READER: i64 = 25_000;

/// Most readers ever started, whatever the host has.
const MAX_READERS: usize = 4;

/// Page cache of each extra reader, in KiB: pages read once need no room kept, and
/// each page kept is memory first touched (at 100,000 items 4 MiB a reader made some
/// 2,000 more page faults of the report's 9,000). Thirty-two pages of 16 KiB hold
/// every cursor's path from the root.
const READER_CACHE_KIB: i64 = 512;

/// How many more connections should read a table of about `rows` rows on this host:
/// one per core, at most [`MAX_READERS`]; none (the caller's connection reads alone)
/// for a small table or on a single core.
pub(crate) fn readers_for(rows: i64) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let by_size = usize::try_from(rows / MIN_ROWS_PER_READER).unwrap_or(0);
    let n = cores.min(MAX_READERS).min(by_size);
    if n < 2 { 0 } else { n }
}

/// The lowest and highest row id of `table` (none when it is empty). Each is its own
/// SELECT: SQLite takes a lone `min()` or `max()` from one end of the table's b-tree,
/// where the two in one SELECT read every row (80 ms for a million items).
pub(crate) fn id_bounds(c: &Connection, table: &str) -> Result<(Option<i64>, Option<i64>)> {
    Ok(c.query_row(&id_bounds_sql(table), [], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// The SQL of [`id_bounds`].
pub(super) fn id_bounds_sql(table: &str) -> String {
    format!("SELECT (SELECT min(rowid) FROM {table}), (SELECT max(rowid) FROM {table})")
}

/// Opens another read-only connection to the file the caller's connection has open:
/// no link anywhere in the path (`NOFOLLOW`), and the same device and inode before
/// and after the open, so a file swapped in meanwhile is refused.
fn open_reader(path: &Path, file: FileId) -> Result<Connection> {
    let same = || -> Result<()> {
        let m = std::fs::symlink_metadata(path)?;
        if (m.dev(), m.ino()) != file {
            return Err(Error::Open {
                path: path.to_path_buf(),
                message: "the file was replaced while it was open; try again".into(),
            });
        }
        Ok(())
    };
    same()?;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_NOFOLLOW;
    let c = Connection::open_with_flags(path, flags)?;
    same()?;
    c.busy_timeout(ATTEMPT)?;
    c.pragma_update(None, "trusted_schema", "OFF")?;
    if super::temp_files::in_memory() {
        c.pragma_update(None, "temp_store", "MEMORY")?;
    }
    c.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
    Ok(c)
}

/// Starts a read transaction on `c`: BEGIN takes no snapshot until the first read.
fn start(c: &Connection) -> Result<()> {
    c.execute_batch("BEGIN DEFERRED")?;
    c.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
    Ok(())
}

/// Ends the read transaction of `c`, if it has one.
fn end(c: &Connection) {
    if !c.is_autocommit() {
        let _ = c.execute_batch("COMMIT");
    }
}

fn data_version(c: &Connection) -> Result<i64> {
    Ok(c.pragma_query_value(None, "data_version", |r| r.get(0))?)
}

/// Starts the read transactions of `main` and of `readers` (at least one) and tells
/// whether they all read the same snapshot.
fn start_together(main: &Connection, readers: &[Connection]) -> Result<bool> {
    let Some((probe, rest)) = readers.split_first() else {
        start(main)?;
        return Ok(true);
    };
    // Read outside any transaction, the probe's version is the file's as of now; read
    // inside the transaction the probe starts last, it is the file's as of that start.
    // Equal, nobody committed in between, so every start in between saw one snapshot.
    let before = data_version(probe)?;
    start(main)?;
    for c in rest {
        start(c)?;
    }
    start(probe)?;
    if data_version(probe)? != before {
        return Ok(false);
    }
    // The same file as well as the same moment: the readers were opened by path, which
    // an account that may write the folder could have pointed elsewhere in between;
    // each must see the caller's head of the hash-chained log.
    let main_head = head(main)?;
    for c in readers {
        if head(c)? != main_head {
            return Err(Error::Open {
                path: std::path::PathBuf::new(),
                message: "another connection read a different file".into(),
            });
        }
    }
    Ok(true)
}

/// The last event's number and hash (none in an empty log).
fn head(c: &Connection) -> Result<Option<(i64, String)>> {
    use rusqlite::OptionalExtension;
    Ok(c.query_row(
        "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?)
}

/// Read transactions on the caller's connection and on `readers` more, at one
/// snapshot; ended when dropped. See the module's header.
pub(crate) struct Snapshot<'c> {
    main: &'c Connection,
    readers: Vec<Connection>,
    /// Whether the caller's transaction is this snapshot's to end.
    ends: bool,
}

impl<'c> Snapshot<'c> {
    /// Starts reading `main` (whose file is `path`, opened as `file`) at one snapshot,
    /// with `readers` more connections when they can be shown to read the same one.
    /// Inside a transaction of the caller's, that transaction is the snapshot and
    /// `main` reads alone.
    pub(crate) fn begin(
        main: &'c Connection,
        path: &Path,
        file: FileId,
        readers: usize,
    ) -> Result<Snapshot<'c>> {
        if !main.is_autocommit() {
            return Ok(Snapshot {
                main,
                readers: Vec::new(),
                ends: false,
            });
        }
        let mut extra: Vec<Connection> = (0..readers)
            .map(|_| open_reader(path, file))
            .collect::<Result<_>>()
            .unwrap_or_default();
        // A commit between the starts: once more, then alone.
        for _ in 0..2 {
            if extra.is_empty() {
                break;
            }
            match start_together(main, &extra) {
                Ok(true) => {
                    return Ok(Snapshot {
                        main,
                        readers: extra,
                        ends: true,
                    });
                }
                Ok(false) => {}
                Err(_) => extra.clear(),
            }
            end(main);
            extra.iter().for_each(end);
        }
        start(main).inspect_err(|_| end(main))?;
        Ok(Snapshot {
            main,
            readers: Vec::new(),
            ends: true,
        })
    }

    /// How many threads [`Snapshot::fold_on`] reads on.
    pub(crate) fn threads(&self) -> usize {
        self.readers.len().max(1)
    }

    /// Runs `there` on another of the snapshot's connections, on its own thread, while
    /// `here` runs on this one (it may read the caller's connection); with no other
    /// connection, `there` runs after `here`, on the caller's.
    pub(crate) fn beside<A: Send, B>(
        &mut self,
        there: impl FnOnce(&Connection) -> Result<A> + Send,
        here: impl FnOnce() -> Result<B>,
    ) -> Result<(A, B)> {
        if self.readers.is_empty() {
            let b = here()?;
            return Ok((there(self.main)?, b));
        }
        let first = &mut self.readers[..1];
        let (mut a, b) = beside_readers(first, [there], |c, there| there(c), here)?;
        let a = a.pop().expect("one reader, one answer");
        Ok((a, b))
    }

    /// Runs `there` on each other connection of the snapshot, on a thread of its own and
    /// over its own range of `table`'s row ids (first and last, inclusive: the ranges
    /// cover every id, in order), while `here` runs on this one (it may read the
    /// caller's connection); with no other connection, `there` runs after `here`, on
    /// the caller's, over every id. What each `there` gives comes back in the order of
    /// the ranges.
    pub(crate) fn beside_split<A: Send, B>(
        &mut self,
        table: &str,
        there: impl Fn(&Connection, (i64, i64)) -> Result<A> + Sync,
        here: impl FnOnce() -> Result<B>,
    ) -> Result<(Vec<A>, B)> {
        if self.readers.is_empty() {
            let b = here()?;
            return Ok((vec![there(self.main, (i64::MIN, i64::MAX))?], b));
        }
        let (lo, hi) = id_bounds(self.main, table)?;
        let ranges = split(lo.unwrap_or(0), hi.unwrap_or(-1), self.readers.len());
        beside_readers(&mut self.readers, ranges, there, here)
    }

    /// Reads the rows of `sql` over `table`, split by row id into ranges, and folds
    /// each thread's rows into its own part (see [`Fold`]): one range per thread, or,
    /// when the fold takes rows in either order ([`Fold::BOTH_ENDS`]), one range per
    /// two threads that read it from both ends and meet where they meet (see
    /// `parallel::fold`). `sql` takes the range's first and last row id as `?1` and
    /// `?2`, and `args` as `?3`...; it reads in ascending order of row id and ends with
    /// `ORDER BY id` (a thread reading down adds `DESC`). Meanwhile `meanwhile` runs on
    /// this thread (it may read the caller's connection). The parts come back in the
    /// order of their rows, the first starting at the lowest row id. `count` is at most
    /// how many rows the table holds: [`count_rows`] (on one of the snapshot's
    /// connections, beside the caller's other reads), or `usize::MAX` for a fold that
    /// only makes room by it (a part's rows are then its range's row ids: exact when
    /// no row was ever removed, and counting the rows reads a whole index).
    pub(crate) fn fold_on<F: Fold, R>(
        &mut self,
        (table, sql, args): (&str, &str, &[Value]),
        count: usize,
        fold: &F,
        meanwhile: impl FnOnce() -> Result<R>,
    ) -> Result<(Vec<F::Part>, R)> {
        debug_assert!(sql.ends_with("ORDER BY id"), "{sql}");
        let (lo, hi) = id_bounds(self.main, table)?;
        let (lo, hi) = (lo.unwrap_or(0), hi.unwrap_or(-1));
        let threads = self.threads();
        let both = F::BOTH_ENDS && threads > 1;
        let ranges = split(lo, hi, if both { threads.div_ceil(2) } else { threads });
        let rows_of = |(a, b): (i64, i64)| {
            let ids = (i128::from(b.min(hi)) - i128::from(a.max(lo)) + 1).max(0);
            usize::try_from(ids).unwrap_or(usize::MAX).min(count)
        };
        // Each thread's range, way, and the meeting it shares, in the order of the
        // parts: a range's part read up, then its part read down.
        let meetings: Vec<Meeting> = ranges
            .iter()
            .map(|&(a, b)| Meeting::of(a, b, fold.claim_ids()))
            .collect();
        let mut plan = Vec::with_capacity(threads);
        for (range, meeting) in ranges.iter().zip(&meetings) {
            plan.push((*range, Way::Up, both.then_some(meeting)));
            if both && plan.len() < threads {
                plan.push((*range, Way::Down, Some(meeting)));
            }
        }
        let share = |range: (i64, i64), way: Way| Share {
            rows: rows_of(range),
            all_rows: count,
            way,
        };
        let sql = (sql, args);
        if self.readers.is_empty() {
            let (range, way, _) = plan[0];
            let part = read_range(self.main, fold, sql, range, share(range, way), None)?;
            return Ok((vec![part], meanwhile()?));
        }
        let tasks = plan
            .into_iter()
            .map(|(range, way, meeting)| (range, share(range, way), meeting));
        beside_readers(
            &mut self.readers,
            tasks,
            |c, (range, share, meeting)| read_range(c, fold, sql, range, share, meeting),
            meanwhile,
        )
    }
}

/// Runs `each` on every one of `readers` with its task (in order, a reader to a task),
/// each on a thread of its own, while `here` runs on this one: what each gave, in the
/// order of the readers, and what `here` gave. A thread's panic goes on here.
fn beside_readers<T: Send, A: Send, B>(
    readers: &mut [Connection],
    tasks: impl IntoIterator<Item = T>,
    each: impl Fn(&Connection, T) -> Result<A> + Sync,
    here: impl FnOnce() -> Result<B>,
) -> Result<(Vec<A>, B)> {
    let each = &each;
    std::thread::scope(|s| {
        let running: Vec<_> = readers
            .iter_mut()
            .zip(tasks)
            .map(|(c, task)| s.spawn(move || each(&*c, task)))
            .collect();
        let b = here();
        let a = running
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect::<Result<Vec<A>>>();
        Ok((a?, b?))
    })
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        self.readers.iter().for_each(end);
        if self.ends {
            end(self.main);
        }
    }
}

/// How many rows `table` holds. Row ids may leave gaps: the rows themselves are
/// counted (through the smallest index), so that no part of [`Snapshot::fold_on`]
/// makes room for rows that are not there.
pub(crate) fn count_rows(c: &Connection, table: &str) -> Result<usize> {
    let count: i64 = c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// `n` ranges of row ids, inclusive, covering `lo..=hi` in equal parts and every row
/// id outside it (the first from the lowest possible, the last to the highest).
fn split(lo: i64, hi: i64, n: usize) -> Vec<(i64, i64)> {
    let n = n.max(1);
    let (lo, hi) = (i128::from(lo), i128::from(hi));
    let width = (hi - lo + 1).max(0).div_euclid(n as i128) + 1;
    // Where each range after the first starts; a range may be empty, none overlaps.
    let starts: Vec<i64> = (1..n)
        .map(|i| {
            (lo + width * i as i128).clamp(i128::from(i64::MIN) + 1, i128::from(i64::MAX)) as i64
        })
        .collect();
    let firsts = std::iter::once(i64::MIN).chain(starts.iter().copied());
    let lasts = starts
        .iter()
        .map(|s| s - 1)
        .chain(std::iter::once(i64::MAX));
    firsts.zip(lasts).collect()
}

#[cfg(test)]
mod tests;
