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
pub(crate) use fold::{Fold, Share, Way};
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
        let Some(c) = self.readers.first_mut() else {
            let b = here()?;
            return Ok((there(self.main)?, b));
        };
        std::thread::scope(|s| {
            let running = s.spawn(move || there(&*c));
            let b = here();
            let a = running
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            Ok((a?, b?))
        })
    }

    /// Reads the rows of `sql` over `table`, split by row id into ranges, and folds
    /// each thread's rows into its own part (see [`Fold`]): one range per thread, or,
    /// when the fold takes rows in either order ([`Fold::BOTH_ENDS`]), one range per
    /// two threads that read it from both ends and meet where they meet (see
    /// `parallel::fold`). `sql` takes the range's first and last row id as `?1` and
    /// `?2`, and `args` as `?3`...; it reads in ascending order of row id and ends with
    /// `ORDER BY id` (a thread reading down adds `DESC`). Meanwhile `meanwhile` runs on
    /// this thread (it may read the caller's connection). The parts come back in the
    /// order of their rows, the first starting at the lowest row id. `count` is how
    /// many rows the table holds ([`count_rows`], on one of the snapshot's
    /// connections: the caller counts them beside its other reads).
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
        let meetings: Vec<Meeting> = ranges.iter().map(|&(a, b)| Meeting::of(a, b)).collect();
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
        std::thread::scope(|s| {
            let running: Vec<_> = self
                .readers
                .iter_mut()
                .zip(plan)
                .map(|(c, (range, way, meeting))| {
                    let share = share(range, way);
                    s.spawn(move || read_range(&*c, fold, sql, range, share, meeting))
                })
                .collect();
            let other = meanwhile();
            let parts = running
                .into_iter()
                .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect::<Result<Vec<F::Part>>>();
            Ok((parts?, other?))
        })
    }
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
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::testing::me;
    use rusqlite::Row;

    fn generated() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("parallel.db");
        let now = "2026-11-20T12:00:00Z".parse().unwrap();
        crate::scale::generate(&db, 300, 3, now, Some(&me())).unwrap();
        (dir, db)
    }

    /// A hold on the first part: it reads once the part read down has read its rows.
    type Hold = (
        std::sync::mpsc::SyncSender<()>,
        std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
    );

    /// A fold that keeps the row ids of its part, read up or (when `BOTH`) from both
    /// ends, with a hold or without.
    #[derive(Default)]
    struct Ids<const BOTH: bool> {
        go: Option<Hold>,
    }

    impl<const BOTH: bool> Fold for Ids<BOTH> {
        type Part = Vec<i64>;
        const BOTH_ENDS: bool = BOTH;

        fn row_id(&self, r: &Row<'_>) -> i64 {
            r.get(0).unwrap()
        }

        fn part(&self, _: &Connection, share: Share, _: (i64, i64)) -> Result<Vec<i64>> {
            if let Some((_, rx)) = &self.go
                && share.way == Way::Up
            {
                let waited = rx
                    .lock()
                    .unwrap()
                    .recv_timeout(std::time::Duration::from_secs(60));
                assert!(waited.is_ok(), "the last part never read its rows");
            }
            Ok(Vec::new())
        }

        fn add(
            &self,
            part: &mut Vec<i64>,
            _: &Connection,
            r: &Row<'_>,
            id: Option<i64>,
        ) -> Result<()> {
            let id = id.unwrap_or_else(|| self.row_id(r));
            assert_eq!(id, self.row_id(r));
            part.push(id);
            Ok(())
        }

        fn done(&self, part: &mut Vec<i64>, share: Share) {
            if share.way == Way::Down {
                part.reverse();
            }
            if let Some((tx, _)) = &self.go
                && share.way == Way::Down
            {
                tx.send(()).unwrap();
            }
        }
    }

    const IDS: &str = "SELECT id FROM items WHERE id BETWEEN ?1 AND ?2 ORDER BY id";

    /// Reads the row ids of each part, on their threads, and counts the whole table on
    /// the caller's connection meanwhile.
    fn read<const BOTH: bool>(
        s: &mut Snapshot<'_>,
        main: &Connection,
        fold: &Ids<BOTH>,
    ) -> (Vec<Vec<i64>>, i64) {
        let rows = count_rows(main, "items").unwrap();
        s.fold_on(("items", IDS, &[]), rows, fold, || {
            Ok(main.query_row("SELECT count(*) FROM items", [], |r| r.get(0))?)
        })
        .unwrap()
    }

    /// How many rows each part read, and the whole table's count.
    fn count(s: &mut Snapshot<'_>, main: &Connection) -> (Vec<i64>, i64) {
        let (parts, all) = read(s, main, &Ids::<false>::default());
        (parts.iter().map(|p| p.len() as i64).collect(), all)
    }

    #[test]
    fn every_reader_reads_the_snapshot_taken_at_the_start() {
        let (_dir, db) = generated();
        let reader = Store::open_as(&db, me()).unwrap();
        let mut writer = Store::open_as(&db, me()).unwrap();
        let fields = writer.item("P0001-1").unwrap().fields;
        let mut s = Snapshot::begin(&reader.conn, &db, reader.file, 3).unwrap();
        assert_eq!(s.threads(), 3);
        // Another connection commits after the snapshot was taken: no reader sees it,
        // the caller's connection included.
        writer.add_item("P0001", fields.clone()).unwrap();
        let (parts, all) = count(&mut s, &reader.conn);
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|&n| n > 0), "{parts:?}");
        assert_eq!((parts.iter().sum::<i64>(), all), (300, 300));
        drop(s);
        // Ended with the snapshot: the next one sees the commit.
        let mut s = Snapshot::begin(&reader.conn, &db, reader.file, 2).unwrap();
        let (parts, all) = count(&mut s, &reader.conn);
        assert_eq!((parts.iter().sum::<i64>(), all), (301, 301));
    }

    #[test]
    fn another_file_at_the_path_is_not_read() {
        let (_dir, db) = generated();
        let reader = Store::open_as(&db, me()).unwrap();
        // The file is replaced by a copy: the handle still reads the one it opened,
        // and no reader opens the copy.
        let copy = db.with_extension("copy");
        std::fs::copy(&db, &copy).unwrap();
        std::fs::rename(&copy, &db).unwrap();
        assert!(open_reader(&db, reader.file).is_err());
        let mut s = Snapshot::begin(&reader.conn, &db, reader.file, 2).unwrap();
        assert_eq!(s.threads(), 1);
        let (parts, all) = count(&mut s, &reader.conn);
        assert_eq!((parts, all), (vec![300], 300));
    }

    #[test]
    fn a_reader_of_another_file_does_not_join_the_snapshot() {
        let (_dir, db) = generated();
        let (_other_dir, other) = generated();
        let reader = Store::open_as(&db, me()).unwrap();
        let mut elsewhere = Store::open_as(&other, me()).unwrap();
        let fields = elsewhere.item("P0001-1").unwrap().fields;
        elsewhere.add_item("P0001", fields).unwrap();
        // As if the path had pointed at the other file while the reader opened it.
        let stray = open_reader(&other, elsewhere.file).unwrap();
        assert!(start_together(&reader.conn, &[stray]).is_err());
        end(&reader.conn);
        // A reader of the caller's own file joins.
        let own = open_reader(&db, reader.file).unwrap();
        assert!(start_together(&reader.conn, &[own]).unwrap());
    }

    #[test]
    fn inside_a_transaction_of_the_callers_the_caller_reads_alone() {
        let (_dir, db) = generated();
        let reader = Store::open_as(&db, me()).unwrap();
        reader.conn.execute_batch("BEGIN").unwrap();
        let mut s = Snapshot::begin(&reader.conn, &db, reader.file, 2).unwrap();
        assert_eq!(s.threads(), 1);
        count(&mut s, &reader.conn);
        drop(s);
        // The caller's transaction is left to the caller.
        assert!(!reader.conn.is_autocommit());
    }

    #[test]
    fn a_read_only_handle_reads_on_several_threads() {
        let (_dir, db) = generated();
        let reader = Store::open_read_only_as(&db, me()).unwrap();
        let mut s = Snapshot::begin(&reader.conn, &db, reader.file, 2).unwrap();
        assert_eq!(s.threads(), 2);
        let (parts, all) = count(&mut s, &reader.conn);
        assert_eq!((parts.iter().sum::<i64>(), all), (300, 300));
    }

    #[test]
    fn threads_that_meet_read_every_row_once_and_the_parts_come_in_row_order() {
        let (_dir, db) = generated();
        let reader = Store::open_as(&db, me()).unwrap();
        // Every row id, as the caller's connection reads them alone.
        let mut alone = Snapshot::begin(&reader.conn, &db, reader.file, 0).unwrap();
        let (every, _) = read(&mut alone, &reader.conn, &Ids::<true>::default());
        drop(alone);
        let every = every.concat();
        assert_eq!(every.len(), 300);
        for readers in [2, 3, 4] {
            let mut s = Snapshot::begin(&reader.conn, &db, reader.file, readers).unwrap();
            let (parts, all) = read(&mut s, &reader.conn, &Ids::<true>::default());
            assert_eq!(parts.len(), readers);
            assert_eq!(parts.concat(), every, "{readers} readers");
            assert_eq!(all, 300);
        }
    }

    #[test]
    fn a_thread_held_back_leaves_its_rows_to_the_one_it_meets() {
        let (_dir, db) = generated();
        let reader = Store::open_as(&db, me()).unwrap();
        let mut s = Snapshot::begin(&reader.conn, &db, reader.file, 2).unwrap();
        // The part read up starts only once the part read down has read its rows: by
        // then that one has claimed and read every row.
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let fold = Ids::<true> {
            go: Some((tx, std::sync::Mutex::new(rx))),
        };
        let (parts, _) = read(&mut s, &reader.conn, &fold);
        assert_eq!(parts[0], Vec::<i64>::new());
        assert_eq!(parts[1].len(), 300);
        // Without the hold, with fixed halves, each would have read about half.
        let (halves, _) = read(&mut s, &reader.conn, &Ids::<false>::default());
        assert!(
            halves.iter().all(|p| (100..200).contains(&p.len())),
            "{halves:?}"
        );
    }

    #[test]
    fn the_ranges_cover_every_row_id_once_in_order() {
        for (lo, hi, n) in [
            (1, 10, 3),
            (1, 1, 3),
            (5, 4, 2),
            (1, 1_000_000, 2),
            (-3, 7, 4),
        ] {
            let r = split(lo, hi, n);
            assert_eq!(r.len(), n);
            assert_eq!(r[0].0, i64::MIN);
            assert_eq!(r[n - 1].1, i64::MAX);
            for w in r.windows(2) {
                assert_eq!(w[0].1 + 1, w[1].0, "{r:?}");
            }
        }
    }
}
