//! Concurrent writers on one file, through the real binary in separate processes:
//! mixed writes by two OS accounts, and two processes racing to decide the same items.
//! Every write must land or be refused cleanly (exit 3 rule, exit 4 conflict); none may
//! fail with "database is locked", and the audit chain must verify afterwards.
//!
//! `ACCESSDESK_LONG_TESTS=1` runs the full 4 x 1,000 writes; the default is 4 x 150.

use crate::common::*;
use std::sync::{Arc, Barrier, Mutex};
use std::time::Instant;

fn writes_per_process() -> usize {
    if std::env::var_os("ACCESSDESK_LONG_TESTS").is_some() {
        1000
    } else {
        150
    }
}

#[test]
fn four_processes_of_mixed_writes_lose_nothing() {
    let Some(TeamDb { db: team, member }) = team_db("approver") else {
        return;
    };
    let (dir, db) = (&team.dir, team.path.clone());
    let n = writes_per_process();
    let home = dir.path().to_path_buf();
    let barrier = Arc::new(Barrier::new(4));
    let started = Instant::now();
    // Ids added by the coordinators, and ids submitted (which the approvers decide).
    let added = Arc::new(Mutex::new(Vec::<String>::new()));
    let submitted = Arc::new(Mutex::new(Vec::<String>::new()));
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (db, barrier, home) = (db.clone(), barrier.clone(), home.clone());
            let (added, submitted) = (added.clone(), submitted.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let mut outcomes = Vec::with_capacity(n);
                let mut mine: Vec<String> = Vec::new();
                for i in 0..n {
                    // Workers 0 and 1 (root, coordinator) add, submit and edit their own
                    // items; workers 2 and 3 (the approver's OS account) approve what
                    // has been submitted, racing each other for the same items.
                    let pick = |v: &Vec<String>| v.get((i * 7 + w) % v.len().max(1)).cloned();
                    let args: Vec<String> = match (w, i % 3) {
                        (0 | 1, 0) => [
                            "item",
                            "add",
                            "--project",
                            "ACME",
                            "--system",
                            &format!("System {w}-{i}"),
                            "--purpose",
                            "p",
                            "--role",
                            "Viewer",
                            "--credential-owner",
                            "Ana",
                            "--approver",
                            APPROVER,
                            "--method",
                            "vault",
                            "--json",
                        ]
                        .map(String::from)
                        .to_vec(),
                        (0 | 1, 1) => match mine.last() {
                            Some(id) => vec!["item".into(), "submit".into(), id.clone()],
                            None => continue,
                        },
                        (0 | 1, _) => match pick(&mine) {
                            // Version 2 is right only while nobody else moved the item:
                            // conflicts (exit 4) are expected and must be clean.
                            Some(id) => vec![
                                "item".into(),
                                "edit".into(),
                                id,
                                "--version".into(),
                                "2".into(),
                                "--notes".into(),
                                format!("chased {i}"),
                            ],
                            None => continue,
                        },
                        _ => match pick(&submitted.lock().unwrap()) {
                            Some(id) => vec!["item".into(), "approve".into(), id],
                            None => vec!["item".into(), "list".into()],
                        },
                    };
                    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
                    let c = cmd(&db, &argv);
                    let mut c = if w >= 2 { as_user(c, member, &home) } else { c };
                    let o = c.output().unwrap();
                    let code = o.status.code().unwrap_or(-1);
                    if code == 0 && args[1] == "add" {
                        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
                        let id = v["id"].as_str().unwrap().to_string();
                        added.lock().unwrap().push(id.clone());
                        mine.push(id);
                    }
                    if code == 0 && args[1] == "submit" {
                        submitted.lock().unwrap().push(args[2].clone());
                    }
                    outcomes.push((
                        args.join(" "),
                        code,
                        String::from_utf8_lossy(&o.stderr).into_owned(),
                    ));
                }
                outcomes
            })
        })
        .collect();
    let mut counts = [0usize; 5];
    for h in workers {
        for (what, code, err) in h.join().unwrap() {
            assert!(
                !err.contains("locked") && !err.contains("busy"),
                "{what}: {err}"
            );
            assert!(matches!(code, 0 | 3 | 4), "{what} exited {code}: {err}");
            counts[code as usize] += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{} writes in {secs:.1}s ({:.0}/s): {} landed, {} refused by a rule, {} conflicts",
        4 * n,
        (4 * n) as f64 / secs,
        counts[0],
        counts[3],
        counts[4]
    );
    assert!(counts[0] > n, "most writes land");
    let added: Vec<serde_json::Value> =
        serde_json::from_str(&ok(&db, &["item", "list", "--json"])).unwrap();
    assert_eq!(added.len(), 2 * n.div_ceil(3), "every add landed");
    ok(&db, &["audit", "verify"]);
}

#[test]
fn two_processes_approving_the_same_items_decide_each_once() {
    let Some(TeamDb { db: team, member }) = team_db("approver") else {
        return;
    };
    let (dir, db) = (&team.dir, team.path.clone());
    let items = 200;
    // Build the items quickly in one import-free loop of adds and submits.
    for i in 1..=items {
        ok(
            &db,
            &[
                "item",
                "add",
                "--project",
                "ACME",
                "--system",
                &format!("S{i}"),
                "--purpose",
                "p",
                "--role",
                "Viewer",
                "--credential-owner",
                "Ana",
                "--approver",
                APPROVER,
                "--method",
                "vault",
            ],
        );
        ok(&db, &["item", "submit", &format!("ACME-{i}")]);
    }
    let barrier = Arc::new(Barrier::new(2));
    let racers: Vec<_> = (0..2)
        .map(|r| {
            let (db, barrier, home) = (db.clone(), barrier.clone(), dir.path().to_path_buf());
            std::thread::spawn(move || {
                barrier.wait();
                let mut landed = 0;
                for i in 1..=items {
                    // The two racers walk the items in opposite orders so they meet.
                    let n = if r == 0 { i } else { items + 1 - i };
                    let id = format!("ACME-{n}");
                    let o = as_user(cmd(&db, &["item", "approve", &id]), member, &home)
                        .output()
                        .unwrap();
                    let err = String::from_utf8_lossy(&o.stderr);
                    assert!(!err.contains("locked"), "{err}");
                    match o.status.code() {
                        Some(0) => landed += 1,
                        Some(3 | 4) => {}
                        other => panic!("approve {id}: exit {other:?}: {err}"),
                    }
                }
                landed
            })
        })
        .collect();
    let landed: usize = racers.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(landed, items, "exactly one approval per item succeeded");
    let c = rusqlite::Connection::open(&db).unwrap();
    let per_item: Vec<i64> = c
        .prepare("SELECT count(a.id) FROM items i LEFT JOIN approvals a ON a.item_id = i.id GROUP BY i.id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(per_item.len(), items);
    assert!(per_item.iter().all(|&n| n == 1), "{per_item:?}");
    let events: i64 = c
        .query_row(
            "SELECT count(*) FROM events WHERE kind = 'approve'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(events, items as i64);
    ok(&db, &["audit", "verify"]);
}
