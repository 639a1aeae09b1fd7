//! Four writers at once on the shared file, each a stream of real processes: every
//! write lands exactly once, nobody sees "database is locked", and the event chain
//! stays intact. As root the four writers are four different OS accounts.

use crate::common::*;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Barrier};
use std::time::Instant;

const WRITERS: usize = 4;
const PER_WRITER: usize = 250;

/// One finished `item add`: which writer, which attempt, exit code, stderr.
struct Run {
    writer: usize,
    n: usize,
    code: i32,
    stderr: String,
}

#[test]
fn four_writers_add_a_thousand_items_without_lock_errors() {
    let db = Db::new();
    db.project("ACME");
    // As root, three of the writers are other OS accounts (coordinators in this file),
    // so the -wal and -shm are shared across uids under load, as on a real host.
    let others: Vec<Option<Account>> = match accounts() {
        Some(acc) => {
            for a in [&acc.approver, &acc.security, &acc.dual] {
                db.run(&["people", "add", a.login, "--role", "coordinator"])
                    .ok();
            }
            vec![
                None,
                Some(acc.approver.clone()),
                Some(acc.security.clone()),
                Some(acc.dual.clone()),
            ]
        }
        // Without root the four writers are four processes of the same account.
        None => vec![None; WRITERS],
    };
    let setup_events = db.run(&["audit", "verify", "--json"]).ok().json()["events"]
        .as_i64()
        .expect("events");
    let me = db.me();
    let logins: Vec<String> = others
        .iter()
        .map(|a| a.as_ref().map_or(me.clone(), |a| a.login.to_string()))
        .collect();

    let db = Arc::new(db);
    let start = Arc::new(Barrier::new(WRITERS + 1));
    let threads: Vec<_> = others
        .into_iter()
        .enumerate()
        .map(|(w, who)| {
            let db = Arc::clone(&db);
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                (1..=PER_WRITER)
                    .map(|n| {
                        let system = format!("W{w}-{n}");
                        let out = db.run_with(
                            who.as_ref(),
                            &[],
                            &[
                                "item",
                                "add",
                                "--project",
                                "ACME",
                                "--system",
                                &system,
                                "--purpose",
                                "load test",
                                "--role",
                                "Viewer",
                            ],
                        );
                        Run {
                            writer: w,
                            n,
                            code: out.code,
                            stderr: out.stderr,
                        }
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    start.wait();
    let t0 = Instant::now();
    let runs: Vec<Run> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("writer thread"))
        .collect();
    let wall = t0.elapsed();

    let waits = runs.iter().filter(|r| r.stderr.contains("waiting")).count();
    println!(
        "concurrency: {} item adds by {WRITERS} writers in {:.2} s = {:.0} writes/s ({waits} runs waited for the lock)",
        runs.len(),
        wall.as_secs_f64(),
        runs.len() as f64 / wall.as_secs_f64()
    );

    let failed: Vec<String> = runs
        .iter()
        .filter(|r| r.code != 0)
        .map(|r| {
            format!(
                "writer {} #{}: exit {}: {}",
                r.writer, r.n, r.code, r.stderr
            )
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} failed runs:\n{}",
        failed.len(),
        failed.join("\n")
    );
    let lock_errors: Vec<&str> = runs
        .iter()
        .map(|r| r.stderr.as_str())
        .filter(|e| {
            let e = e.to_lowercase();
            e.contains("database is locked") || e.contains("busy")
        })
        .collect();
    assert!(lock_errors.is_empty(), "lock errors: {lock_errors:?}");

    let list = db.run(&["item", "list", "--json"]).ok().json();
    let items = list.as_array().expect("item list is an array");
    assert_eq!(items.len(), WRITERS * PER_WRITER);
    let numbers: BTreeSet<i64> = items
        .iter()
        .map(|it| {
            it["id"]
                .as_str()
                .and_then(|id| id.strip_prefix("ACME-"))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("bad id in {it}"))
        })
        .collect();
    let expected: BTreeSet<i64> = (1..=(WRITERS * PER_WRITER) as i64).collect();
    assert_eq!(numbers, expected, "item numbers are not exactly 1..=1000");
    // Every write landed exactly once: each writer's systems are all there, once.
    let systems: BTreeSet<&str> = items
        .iter()
        .filter_map(|it| it["system"].as_str())
        .collect();
    assert_eq!(
        systems.len(),
        WRITERS * PER_WRITER,
        "duplicate or lost writes"
    );

    // Each writer's items carry its own OS account as requester.
    let conn = db.ro();
    let mut by_requester: HashMap<String, i64> = HashMap::new();
    let mut st = conn
        .prepare("SELECT requester, count(*) FROM items GROUP BY requester")
        .expect("prepare");
    for row in st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .expect("query")
    {
        let (who, n) = row.expect("row");
        by_requester.insert(who, n);
    }
    for login in &logins {
        let want = logins.iter().filter(|l| *l == login).count() * PER_WRITER;
        assert_eq!(
            by_requester.get(login).copied(),
            Some(want as i64),
            "{login}: {by_requester:?}"
        );
    }

    let audit = db.run(&["audit", "verify", "--json"]).ok().json();
    assert_eq!(audit["ok"], true);
    assert_eq!(
        audit["events"].as_i64(),
        Some(setup_events + (WRITERS * PER_WRITER) as i64)
    );
}
