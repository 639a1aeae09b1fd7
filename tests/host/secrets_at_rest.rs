//! A credential typed into a free-text field is refused and never reaches the disk:
//! not the database file, not its write-ahead log, not the shared-memory index. The
//! attempt is still counted in the report.

use crate::common::*;
use std::path::{Path, PathBuf};

/// A harmless text stored the same way a secret would be: if the scan cannot find
/// this, it could not find a secret either.
const MARKER: &str = "marker-Zebra-4471";

fn sidecar(db: &Path, ext: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(ext);
    PathBuf::from(p)
}

/// The bytes of the database file and of its -wal and -shm, where they exist.
fn files_on_disk(db: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|ext| sidecar(db, ext))
        .filter(|p| p.exists())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
            (p, bytes)
        })
        .collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    memchr::memmem::find(hay, needle.as_bytes()).is_some()
}

/// Checks every file for the secret, and that the marker is in the file named by
/// `marker_in` (the log while a reader holds it open, the main file after a checkpoint).
#[track_caller]
fn assert_secret_absent_and_marker_present(db: &Path, marker_in: &str, when: &str) {
    let files = files_on_disk(db);
    for (p, bytes) in &files {
        assert!(
            !contains(bytes, SECRET_VALUE),
            "{when}: {} contains the refused secret",
            p.display()
        );
    }
    let expected = sidecar(db, marker_in);
    assert!(
        files
            .iter()
            .any(|(p, b)| *p == expected && contains(b, MARKER)),
        "{when}: the positive control {MARKER} is not in {}, so the scan proves nothing",
        expected.display()
    );
}

#[test]
fn refused_secret_is_in_neither_the_database_nor_its_wal_or_shm() {
    let db = Db::new();
    db.team();

    // A reader that stays open keeps the -wal and -shm in place: the closing CLI is not
    // the last connection, so it does not checkpoint and delete the log.
    let reader = db.ro();
    let events: i64 = reader
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .expect("read through the long-lived connection");
    assert!(events > 0);

    db.add(&NewItem::new().set("--notes", &format!("client contact: {MARKER}")));
    let out = db
        .try_add(&NewItem::new().set(
            "--notes",
            &format!("the login for the analytics account is {SECRET}"),
        ))
        .refused("no-credentials-in-text");
    assert!(!out.stderr.contains(SECRET_VALUE), "{}", out.stderr);
    assert!(!out.stdout.contains(SECRET_VALUE), "{}", out.stdout);

    assert!(
        sidecar(&db.path, "-wal").exists(),
        "the write-ahead log should exist while a reader is open"
    );
    assert!(sidecar(&db.path, "-shm").exists());
    assert_secret_absent_and_marker_present(&db.path, "-wal", "with a reader open");

    // Still readable at the same time by the long-lived connection: it sees the count.
    let attempts: i64 = reader
        .query_row(
            "SELECT count(*) FROM events WHERE kind = 'unsafe-attempt'",
            [],
            |r| r.get(0),
        )
        .expect("count attempts");
    assert_eq!(attempts, 1);
    drop(reader);

    // Without the reader, the next process checkpoints the log into the main file.
    let report = db.run(&["report", "--json"]).ok();
    assert!(!report.stdout.contains(SECRET_VALUE));
    assert_secret_absent_and_marker_present(&db.path, "", "after the checkpoint");

    let r = report.json();
    assert_eq!(r["overall"]["unsafe_credential_attempts"], 1);
    assert_eq!(r["projects"][0]["key"], "ACME");
    assert_eq!(r["projects"][0]["unsafe_credential_attempts"], 1);

    let list = db.run(&["item", "list", "--json"]).ok();
    assert_eq!(
        list.json().as_array().map(Vec::len),
        Some(1),
        "nothing added"
    );
    let show = db.run(&["item", "show", "ACME-1", "--json"]).ok();
    assert!(!show.stdout.contains(SECRET_VALUE));
}
