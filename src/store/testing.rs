//! What the store's unit tests share: the account they act as, and a new file with
//! its first admin registered.

use super::Store;
use crate::identity::Identity;
use std::path::PathBuf;
use tempfile::TempDir;

/// The OS account the store's unit tests act as.
pub(crate) fn me() -> Identity {
    Identity {
        uid: 4343,
        login: "storetest".into(),
    }
}

/// A new file `name` in a temporary folder, created and initialised as [`me`]: the
/// folder (removed when dropped), the file's path and the open store.
pub(crate) fn initialised(name: &str) -> (TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let mut s = Store::create_as(&path, me()).unwrap();
    s.init(None).unwrap();
    (dir, path, s)
}

/// The moment [`generated`] files are made at and opened at.
pub(crate) fn generated_at() -> chrono::DateTime<chrono::Utc> {
    "2026-11-20T12:00:00Z".parse().unwrap()
}

/// A file `name` of `items` generated items (projects, tasks, histories and blockers;
/// `seed` picks them), opened as [`me`], who generated it, with its clock set to
/// [`generated_at`]: the folder (removed when dropped), the file's path and the store.
pub(crate) fn generated(name: &str, items: usize, seed: u64) -> (TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let now = generated_at();
    crate::scale::generate(&path, items, seed, now, Some(&me())).unwrap();
    let mut s = Store::open_as(&path, me()).unwrap();
    s.set_now(now);
    (dir, path, s)
}

/// Sets each of `sets` (`column = value, ...`) on one row of the items, the first on
/// the lowest row id, the next on the one after, with the checks off: as a file edited
/// with another program may hold them.
pub(crate) fn set_outside(conn: &rusqlite::Connection, sets: &[&str]) {
    conn.execute_batch("PRAGMA ignore_check_constraints = ON")
        .unwrap();
    for (i, set) in sets.iter().enumerate() {
        let sql = format!("UPDATE items SET {set} WHERE id = (SELECT min(id) + {i} FROM items)");
        conn.execute(&sql, []).unwrap();
    }
}

/// Takes the items' packed facts of schemas 21 and 22 out of a file (their tables and
/// the trigger that keeps them): with the file's version set back, a file as an
/// earlier schema left it (schema 20's facts column, if wanted, is the caller's to
/// add).
pub(crate) const WITHOUT_FACTS: &str = "DROP TRIGGER item_facts_removed; DROP TABLE item_facts; \
     DROP TABLE fact_pages; DROP TABLE fact_pages_stale;";
