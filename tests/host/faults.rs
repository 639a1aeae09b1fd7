//! Faults: a process killed with SIGKILL in the middle of a 1,000-row import, again and
//! again. Afterwards the file must pass SQLite's integrity check, hold either none or
//! all of the rows of each import, and its audit chain must verify.
//!
//! The kill moments are spread evenly over the measured length of one import, so every
//! phase (parsing, validation, the write transaction, the commit) is hit.

use crate::common::*;
use rusqlite::Connection;
use std::time::Instant;

fn count(db: &std::path::Path) -> i64 {
    let c = Connection::open(db).unwrap();
    c.query_row("SELECT count(*) FROM items", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn sigkill_during_import_leaves_all_or_nothing() {
    let Db { dir, path: db, .. } = fixture();
    // A valid 1,000-row file in the documented import columns.
    let mut text = accessdesk::exchange::FIELD_COLUMNS.join(",");
    text.push('\n');
    for i in 0..1000 {
        let row: Vec<String> = accessdesk::exchange::FIELD_COLUMNS
            .iter()
            .map(|c| match *c {
                "system" => format!("System {i}"),
                "purpose" => "migrate the catalogue".into(),
                "role" => "Viewer".into(),
                "credential-owner" => "Ana".into(),
                "approver" => "bob".into(),
                "method" => "vault".into(),
                "notes" => format!("row {i}, added in bulk"),
                _ => String::new(),
            })
            .map(|v| {
                if v.contains(',') {
                    format!("\"{v}\"")
                } else {
                    v
                }
            })
            .collect();
        text.push_str(&row.join(","));
        text.push('\n');
    }
    let csv = dir.path().join("rows.csv");
    std::fs::write(&csv, text).unwrap();
    let csv = csv.to_str().unwrap().to_string();

    let started = Instant::now();
    ok(&db, &["import", &csv, "--project", "ACME"]);
    let full = started.elapsed();
    assert_eq!(count(&db), 1000);

    let rounds = if std::env::var_os("ACCESSDESK_LONG_TESTS").is_some() {
        200
    } else {
        50
    };
    let mut killed = 0;
    for i in 0..rounds {
        let before = count(&db);
        let mut child = cmd(&db, &["import", &csv, "--project", "ACME"])
            .spawn()
            .unwrap();
        // Spread the kills from the very start to just past the end of an import.
        let at = full.mul_f64(1.1 * f64::from(i) / f64::from(rounds));
        std::thread::sleep(at);
        if child.try_wait().unwrap().is_none() {
            unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
            killed += 1;
        }
        child.wait().unwrap();
        let c = Connection::open(&db).unwrap();
        let check: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "round {i}");
        let after = count(&db);
        assert!(
            after == before || after == before + 1000,
            "round {i}: {before} -> {after}"
        );
        let v = run(&db, &["audit", "verify"]);
        assert!(
            v.status.success(),
            "round {i}: {}",
            String::from_utf8_lossy(&v.stderr)
        );
    }
    eprintln!("{rounds} rounds, {killed} killed mid-import; one import takes {full:?}");
    assert!(
        killed >= rounds / 2,
        "most rounds must really kill a running import"
    );
    // And the file still takes writes.
    ok(
        &db,
        &[
            "item",
            "add",
            "--project",
            "ACME",
            "--system",
            "After the storm",
        ],
    );
}
