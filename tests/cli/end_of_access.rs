//! The end of access through the real binary: break-glass refused while a
//! retrospective of the same person is overdue, its retrospective closed with an
//! outcome, credentials offered from outside blocking until rotated, the checklist a
//! project close leaves (on the demo data) and the report's figures matching it,
//! reopening a project and moving its start; `audit verify` after each history.

use crate::common::tui::someone;
use crate::common::*;
use accessdesk::domain::machine::Action;
use accessdesk::store::Store;
use chrono::{Duration, Utc};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn verify(path: &Path) {
    let out = ok(path, &["audit", "verify"]);
    assert!(
        out.contains("replayed from seq 1: the tables match the log"),
        "{out}"
    );
}

fn codes(item: &Value) -> Vec<String> {
    item["blocker_reason_codes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn report(db: &Db, key: &str) -> Value {
    db.run(&["report", "--project", key, "--json"]).ok().json()["projects"][0].clone()
}

#[test]
fn a_second_break_glass_is_refused_while_a_retrospective_is_overdue() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let me = db.me();
    db.run(&["people", "add", &me, "--role", "admin,coordinator,security"])
        .ok();
    let first = db.add(&NewItem::new().set("--system", "Cloudflare"));
    let second = db.add(&NewItem::new().set("--system", "Fastly"));
    // The first emergency grant four days ago: its 72-hour retrospective is overdue.
    {
        let mut s = Store::open_as(&db.path, someone(&me)).expect("open store");
        s.set_now(Utc::now() - Duration::days(4));
        s.act(
            &first,
            &Action::BreakGlass {
                reason: "site down".into(),
            },
            None,
        )
        .expect("break glass in the past");
    }
    let out = db
        .run(&["item", "break-glass", &second, "--reason", "another outage"])
        .refused("overdue-retrospective");
    assert!(
        out.stderr.contains(&first),
        "names the item: {}",
        out.stderr
    );
    assert!(out.stderr.contains("Cloudflare"), "{}", out.stderr);
    assert_eq!(db.state(&second), "needed");
    let r = report(&db, "ACME");
    assert_eq!(r["overdue_retrospectives"], 1, "{r}");

    // The old form without an outcome is a usage error naming the flag.
    let old = db
        .run_as(
            &acc.security,
            &["item", "close-retro", &first, "--note", "ok"],
        )
        .code(2);
    assert!(old.stderr.contains("--outcome"), "{}", old.stderr);
    // The one who broke the glass does not close it.
    db.run(&[
        "item",
        "close-retro",
        &first,
        "--outcome",
        "accepted",
        "--note",
        "fine",
    ])
    .refused("separate-approvers");
    let closed = db
        .run_as(
            &acc.security,
            &[
                "item",
                "close-retro",
                &first,
                "--outcome",
                "revoke",
                "--note",
                "not justified: the outage was over",
            ],
        )
        .ok();
    assert!(closed.stdout.contains("revoked"), "{}", closed.stdout);
    let shown = db.show(&first);
    assert_eq!(shown["state"], "revoked");
    assert!(shown["retro_due"].is_null(), "{shown}");

    // Nothing overdue now: the glass breaks, and the answer says who reviews it.
    let out = db
        .run(&["item", "break-glass", &second, "--reason", "another outage"])
        .ok();
    assert!(
        out.stdout
            .contains("a different security person must review it within 72 hours"),
        "{}",
        out.stdout
    );
    db.run_as(
        &acc.dual,
        &[
            "item",
            "close-retro",
            &second,
            "--outcome",
            "accepted",
            "--note",
            "justified",
        ],
    )
    .ok();
    assert_eq!(db.state(&second), "granted");
    verify(&db.path);
}

#[test]
fn an_unsafe_attempt_from_outside_blocks_until_the_credential_is_rotated() {
    let db = Db::new();
    db.team();
    let id = db.add(&NewItem::new());
    db.run(&["item", "rotated", &id, "--note", "rotated"])
        .refused("state-machine");
    db.run(&[
        "item",
        "unsafe-attempt",
        &id,
        "--channel",
        "email",
        "--note",
        "the owner mailed a password",
    ])
    .ok();
    let shown = db.show(&id);
    assert!(
        codes(&shown).contains(&"rotation-due".to_string()),
        "{shown}"
    );
    assert_eq!(shown["rotation"], "due");
    let blocked = db.run(&["item", "list", "--blocked", "--json"]).ok().json();
    assert!(
        blocked
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == id.as_str()),
        "{blocked}"
    );
    // A credential typed into a note is refused and counted apart.
    db.run(&["item", "note", &id, "--note", SECRET])
        .refused("no-credentials-in-text");
    let r = report(&db, "ACME");
    assert_eq!(r["unsafe_credential_attempts"], 2, "{r}");
    assert_eq!(r["unsafe_attempts_reported"], 1, "{r}");
    assert_eq!(r["unsafe_attempts_typed"], 1, "{r}");
    assert_eq!(r["rotations_pending"], 1, "{r}");

    db.run(&["item", "rotated", &id, "--note", ""])
        .refused("note-required");
    db.run(&[
        "item",
        "rotated",
        &id,
        "--note",
        "Carol Client rotated it; confirmed by a failed login with the old one",
    ])
    .ok();
    let shown = db.show(&id);
    assert!(
        !codes(&shown).contains(&"rotation-due".to_string()),
        "{shown}"
    );
    assert_eq!(shown["rotation"], "done");
    let r = report(&db, "ACME");
    assert_eq!(r["rotations_pending"], 0, "{r}");
    assert_eq!(r["unsafe_credential_attempts"], 2, "{r}");
    verify(&db.path);
}

/// Ids of the items of `key` that match `keep`, from `item list --json`.
fn ids(items: &Value, key: &str, keep: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["project"] == key && keep(i))
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

fn has_flag(i: &Value, flag: &str) -> bool {
    i["flags"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == flag))
}

fn live(i: &Value) -> bool {
    i["state"] == "granted" || i["state"] == "verified"
}

fn ids_in(lines: &Value) -> BTreeSet<String> {
    lines
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn closing_the_demo_project_lists_what_to_revoke_and_rotate_until_each_is_done() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    ok(&path, &["demo", "--no-tui"]);
    let key = "HARBOR";
    let before = serde_json::from_str::<Value>(&ok(&path, &["item", "list", "--json"])).unwrap();
    let want_revoke = ids(&before, key, live);
    let want_rotate = ids(&before, key, |i| {
        has_flag(i, "shared-credential")
            && matches!(
                i["state"].as_str(),
                Some("granted" | "verified" | "revoked")
            )
    });
    assert!(!want_revoke.is_empty() && !want_rotate.is_empty());

    let text = ok(&path, &["project", "close", key]);
    for id in want_revoke.iter().chain(&want_rotate) {
        assert!(text.contains(id.as_str()), "{id} missing from:\n{text}");
    }
    ok(&path, &["project", "reopen", key]);
    let closed: Value =
        serde_json::from_str(&ok(&path, &["project", "close", key, "--json"])).unwrap();
    assert_eq!(ids_in(&closed["revoke"]), want_revoke, "{closed}");
    assert_eq!(ids_in(&closed["rotate"]), want_rotate, "{closed}");
    assert_eq!(closed["live_access"], want_revoke.len());

    let check = |revoke: &BTreeSet<String>, rotate: &BTreeSet<String>| {
        let all: Value =
            serde_json::from_str(&ok(&path, &["item", "list", "--blocked", "--json"])).unwrap();
        let by = |code: &str| {
            ids(&all, key, |i| {
                i["blocker_reason_codes"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|x| x == code))
            })
        };
        assert_eq!(&by("closed-project-access"), revoke);
        assert_eq!(&by("rotation-due"), rotate);
        let r: Value =
            serde_json::from_str(&ok(&path, &["report", "--project", key, "--json"])).unwrap();
        let p = &r["projects"][0];
        let (due, done) = (
            p["deprovisioning_due"].as_u64().unwrap(),
            p["deprovisioning_done"].as_u64().unwrap(),
        );
        assert_eq!((due - done) as usize, revoke.len(), "{p}");
        let completion = p["deprovisioning_completion"].as_f64().unwrap();
        assert!((completion - done as f64 / due as f64).abs() < 1e-9, "{p}");
        assert_eq!(p["rotations_pending"], rotate.len(), "{p}");
    };
    let (mut revoke, mut rotate) = (want_revoke.clone(), want_rotate.clone());
    check(&revoke, &rotate);
    for id in want_revoke {
        ok(
            &path,
            &["item", "revoke", &id, "--note", "removed; login refused"],
        );
        revoke.remove(&id);
        check(&revoke, &rotate);
    }
    // Revoked, a shared credential still waits for its rotation.
    for id in want_rotate {
        ok(
            &path,
            &[
                "item",
                "rotated",
                &id,
                "--note",
                "rotated by the owner; old one refused",
            ],
        );
        rotate.remove(&id);
        check(&revoke, &rotate);
    }
    let r: Value =
        serde_json::from_str(&ok(&path, &["report", "--project", key, "--json"])).unwrap();
    assert_eq!(r["projects"][0]["deprovisioning_completion"], 1.0);
    verify(&path);
}

#[test]
fn a_moved_start_moves_default_needed_by_and_keeps_a_reached_freeze() {
    let db = Db::new();
    db.team();
    let id = db.add(&NewItem::new());
    let needed_by = |db: &Db| db.run(&["item", "show", &id]).ok().stdout;
    db.run(&["project", "edit", "ACME", "--start", "2031-02-01"])
        .ok();
    assert!(needed_by(&db).contains("2031-02-01"), "{}", needed_by(&db));
    let r = report(&db, "ACME");
    assert!(r["ready_before_start"].is_null(), "{r}");
    // Moved into the past: reached, so readiness freezes at it ...
    let past = (Utc::now() - Duration::days(10)).date_naive().to_string();
    db.run(&["project", "edit", "ACME", "--start", &past]).ok();
    assert!(!report(&db, "ACME")["ready_before_start"].is_null());
    // ... and stays frozen when the start moves on again.
    let out = db
        .run(&["project", "edit", "ACME", "--start", "2031-03-01"])
        .ok();
    assert!(out.stdout.contains(&past), "{}", out.stdout);
    let r = report(&db, "ACME");
    assert_eq!(r["start"], "2031-03-01");
    assert!(!r["ready_before_start"].is_null(), "{r}");
    db.run(&["project", "edit", "ACME", "--start", "2031-03-01"])
        .refused("valid-value");
    db.run(&["project", "reopen", "ACME"])
        .refused("project-open");
    db.run(&["project", "close", "ACME"]).ok();
    db.run(&["project", "edit", "ACME", "--start", "2031-04-01"])
        .refused("project-open");
    db.run(&["project", "reopen", "ACME"]).ok();
    verify(&db.path);
}
