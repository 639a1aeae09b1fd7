//! The event log is hash-chained: editing, deleting or swapping rows behind the app's
//! back (with the `sqlite3` shell, after dropping the append-only triggers) makes
//! `audit verify` exit 1 naming the first bad seq; an intact chain passes.

use crate::common::*;
use serde_json::Value;
use std::process::Command;

/// A file with a chain of several events: person, project, three items, an edit.
fn chain() -> Db {
    let db = Db::new();
    db.project("ACME");
    for system in ["Analytics", "Website", "Billing"] {
        db.add(&NewItem::new().set("--system", system).without("--approver"));
    }
    db.run(&[
        "item",
        "edit",
        "ACME-1",
        "--version",
        "1",
        "--notes",
        "call Carol first",
    ])
    .ok();
    let v = db.run(&["audit", "verify", "--json"]).ok().json();
    assert_eq!(v["events"], 6, "the chain the tests expect: {v}");
    db
}

fn have_sqlite3() -> bool {
    Command::new("sqlite3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Changes the file the way an attacker with write access would: the `sqlite3` shell
/// (CI installs it), or rusqlite when it is missing.
fn tamper(db: &Db, sql: &str) {
    if have_sqlite3() {
        let out = Command::new("sqlite3")
            .arg("-bail")
            .arg(&db.path)
            .arg(sql)
            .output()
            .expect("run sqlite3");
        assert!(
            out.status.success(),
            "sqlite3 failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    } else {
        skip("the sqlite3 shell is not installed; tampering through rusqlite instead");
        let c = rusqlite::Connection::open(&db.path).expect("open read-write");
        c.execute_batch(sql).expect("tamper");
    }
}

fn payload_text(db: &Db, seq: i64) -> String {
    db.ro()
        .query_row("SELECT payload FROM events WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .expect("payload")
}

/// Runs `audit verify` (text and JSON) and asserts it fails naming `seq` first.
#[track_caller]
fn assert_broken_at(db: &Db, seq: i64) {
    let out = db.run(&["audit", "verify"]).code(1);
    assert!(
        names_seq(&out.stderr, seq),
        "audit verify should name seq {seq}: {}",
        out.stderr
    );
    let json = db.run(&["audit", "verify", "--json"]).code(1);
    let v: Value = json.json();
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_bad_seq"], seq, "{v}");
}

#[test]
fn intact_chain_verifies() {
    let db = chain();
    let out = db.run(&["audit", "verify"]).ok();
    assert!(out.stdout.contains("6 events"), "{}", out.stdout);
    let v = db.run(&["audit", "verify", "--json"]).ok().json();
    assert_eq!(v["ok"], true);
    assert_eq!(v["first_bad_seq"], Value::Null);
    assert_eq!(v["head_seq"], 6);
}

#[test]
fn changed_payload_is_detected_at_its_seq() {
    let db = chain();
    let before = payload_text(&db, 4);
    tamper(
        &db,
        "DROP TRIGGER events_no_update; UPDATE events SET payload = replace(payload, 'a', 'b') WHERE seq = 4;",
    );
    assert_ne!(
        payload_text(&db, 4),
        before,
        "the tampering changed nothing"
    );
    assert_broken_at(&db, 4);
}

#[test]
fn changed_login_is_detected_at_its_seq() {
    let db = chain();
    tamper(
        &db,
        "DROP TRIGGER events_no_update; UPDATE events SET login = 'mallory' WHERE seq = 3;",
    );
    assert_broken_at(&db, 3);
}

#[test]
fn deleted_middle_row_is_detected_at_the_next_seq() {
    let db = chain();
    tamper(
        &db,
        "DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 4;",
    );
    // Row 4 is gone, so the first bad row there is is 5: it sits where 4 should be.
    assert_broken_at(&db, 5);
}

#[test]
fn swapped_payloads_are_detected_at_the_first_of_the_two() {
    let db = chain();
    let (p3, p5) = (payload_text(&db, 3), payload_text(&db, 5));
    assert_ne!(p3, p5);
    tamper(
        &db,
        // Through a copy: SQLite evaluates the subqueries of an UPDATE row by row, so a
        // direct swap would read the already-changed row 3 when it reaches row 5.
        "DROP TRIGGER events_no_update; \
         CREATE TEMP TABLE old AS SELECT seq, payload FROM events WHERE seq IN (3, 5); \
         UPDATE events SET payload = (SELECT payload FROM old WHERE old.seq = 8 - events.seq) \
         WHERE seq IN (3, 5);",
    );
    assert_eq!(payload_text(&db, 3), p5, "the swap did not happen");
    assert_eq!(payload_text(&db, 5), p3, "the swap did not happen");
    assert_broken_at(&db, 3);
}

#[test]
fn the_log_refuses_updates_and_deletes_through_sqlite() {
    let db = chain();
    // Without dropping the triggers, SQLite itself refuses: the log is append-only.
    let c = rusqlite::Connection::open(&db.path).expect("open read-write");
    let err = c
        .execute("UPDATE events SET login = 'mallory' WHERE seq = 2", [])
        .expect_err("update must be refused");
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = c
        .execute("DELETE FROM events WHERE seq = 2", [])
        .expect_err("delete must be refused");
    assert!(err.to_string().contains("append-only"), "{err}");
    drop(c);
    db.run(&["audit", "verify"]).ok();
}
