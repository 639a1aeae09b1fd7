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

    fn add(&self, part: &mut Vec<i64>, _: &Connection, r: &Row<'_>, id: Option<i64>) -> Result<()> {
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
